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

// The built-in engine: the `tflite` crate builds and links TensorFlow Lite 1.15.5, which the C
// API shim of `sys::tflite_c` calls. None of its Rust API (the 1.15 schema) is used any more;
// this line keeps the library linked.
extern crate tflite;

pub mod bench;
pub mod capture;
pub mod classify;
pub mod config;
pub mod engine;
pub mod fsutil;
pub mod model;
pub mod output;
pub mod partition;
pub mod pipeline;
pub mod plan;
pub mod preflight;
pub mod service;
pub mod sys;
pub mod tensor;
pub mod verify;
