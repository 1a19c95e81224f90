//! Reading a `.tflite` file, analysing its graph, and writing segments of it.
//!
//! A [`Model`] is only built from bytes that passed three gates: the raw schema walk in
//! [`flatbuf`] (refuses what the TF 1.15 object API would silently lose), the flatbuffer
//! verifier of TensorFlow Lite, and the index checks of [`Graph::from_model`].

pub mod flatbuf;
pub mod graph;
pub mod segment;

use std::fmt;
use std::path::{Path, PathBuf};

pub use flatbuf::SchemaNotes;
pub use graph::{DType, EDGETPU_CUSTOM_OP, Graph, Op, Quantization, Tensor};
pub use segment::{Segment, SegmentError, SegmentPlan, cut, plan_segments, segment_file_name};

/// What is wrong with a model file.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelErrorKind {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// Too short to be a flatbuffer.
    #[error("truncated: {0} bytes is too short for a TensorFlow Lite model")]
    Truncated(usize),
    /// No `TFL3` file identifier.
    #[error("not a TensorFlow Lite flatbuffer (no TFL3 identifier)")]
    NotTflite,
    /// Structurally broken.
    #[error("corrupt or truncated model: {0}")]
    Corrupt(String),
    /// Valid, but uses what segmenting cannot carry.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// A model error with the file it came from.
#[derive(Debug, thiserror::Error)]
pub struct ModelError {
    /// The file.
    pub path: PathBuf,
    /// The problem.
    pub kind: ModelErrorKind,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.kind)
    }
}

/// A loaded, checked model: the unpacked flatbuffer plus its analysed graph.
pub struct Model {
    /// Where it came from (for messages).
    pub path: PathBuf,
    /// The analysed graph.
    pub graph: Graph,
    /// What segments of it will not carry.
    pub notes: SchemaNotes,
    /// The unpacked flatbuffer (TF 1.15 object API).
    pub(crate) raw: tflite::model::Model,
    /// Size of the file in bytes.
    pub file_bytes: usize,
}

impl Model {
    /// Reads and checks a model file (memory-mapped).
    pub fn open(path: &Path) -> Result<Model, ModelError> {
        let err = |kind| ModelError {
            path: path.to_path_buf(),
            kind,
        };
        let file = std::fs::File::open(path).map_err(|e| err(ModelErrorKind::Io(e.to_string())))?;
        let len = file
            .metadata()
            .map_err(|e| err(ModelErrorKind::Io(e.to_string())))?
            .len();
        if len == 0 {
            return Err(err(ModelErrorKind::Empty));
        }
        let map =
            crate::sys::map_file(&file).map_err(|e| err(ModelErrorKind::Io(e.to_string())))?;
        Model::from_bytes(&map, path)
    }

    /// Checks and unpacks model bytes; `path` only names them in errors.
    pub fn from_bytes(data: &[u8], path: &Path) -> Result<Model, ModelError> {
        let err = |kind| ModelError {
            path: path.to_path_buf(),
            kind,
        };
        if data.is_empty() {
            return Err(err(ModelErrorKind::Empty));
        }
        let notes = flatbuf::check(data).map_err(err)?;
        let raw = tflite::model::Model::from_buffer(data).ok_or_else(|| {
            err(ModelErrorKind::Corrupt(
                "the TensorFlow Lite flatbuffer verifier rejected it".into(),
            ))
        })?;
        let graph = Graph::from_model(&raw).map_err(err)?;
        Ok(Model {
            path: path.to_path_buf(),
            graph,
            notes,
            raw,
            file_bytes: data.len(),
        })
    }

    /// The file name without `.tflite`, as segment names are built from it.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into())
    }
}
