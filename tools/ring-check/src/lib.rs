//! The pipeline's ring, compiled on its own for Miri and loom (see Cargo.toml).
#![allow(missing_docs)]

#[path = "../../../src/pipeline/ring.rs"]
pub mod ring;
