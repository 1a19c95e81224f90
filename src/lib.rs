//! edgepipe: one TensorFlow Lite model cut into segments and run as a pipeline across Coral
//! Edge TPUs, on the Coral Dev Board.
//!
//! Data flows one way: model file -> [`model`] (read, analyse, cut, write) with
//! [`partition`] deciding where to cut -> [`engine`] (run a segment on a device) ->
//! [`verify`] (prove a chain of segments equals the whole model).
//!
//! `unsafe` lives only in [`sys`]; everything else is safe Rust.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod capture;
pub mod classify;
pub mod config;
pub mod engine;
pub mod model;
pub mod output;
pub mod partition;
pub mod pipeline;
pub mod service;
pub mod sys;
pub mod verify;
