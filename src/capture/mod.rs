//! Frame sources and their conversion into a model's input tensor.
//!
//! Today: still images (PNG, JPEG, BMP), resized as a whole to the input size with a bilinear
//! filter and written as RGB bytes, the preprocessing `../shared/models/README.md` documents
//! for the expected answers.

use std::path::{Path, PathBuf};

use crate::engine::TensorSpec;
use crate::model::DType;

/// Why an image cannot become an input tensor.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Unreadable or undecodable file.
    #[error("{path}: cannot decode image: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// The input tensor is not an NHWC RGB image.
    #[error(
        "input '{name}' has shape {shape:?} and type {dtype}; an image needs [1, H, W, 3] uint8 or int8"
    )]
    NotAnImageInput {
        /// Input name.
        name: String,
        /// Its shape.
        shape: Vec<usize>,
        /// Its type.
        dtype: DType,
    },
}

/// Decodes `path`, resizes it to the input's H x W and returns the tensor bytes: RGB as is for
/// uint8, shifted by 128 for int8 (the int8 twin of a [0, 255] input with zero point -128).
pub fn image_to_tensor(path: &Path, spec: &TensorSpec) -> Result<Vec<u8>, ImageError> {
    let (h, w) = match (spec.shape.as_slice(), spec.dtype) {
        ([1, h, w, 3], DType::Uint8 | DType::Int8) => (*h as u32, *w as u32),
        _ => {
            return Err(ImageError::NotAnImageInput {
                name: spec.name.clone(),
                shape: spec.shape.clone(),
                dtype: spec.dtype,
            });
        }
    };
    let img = image::open(path).map_err(|e| ImageError::Decode {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let rgb = image::imageops::resize(&img.to_rgb8(), w, h, image::imageops::FilterType::Triangle);
    let mut bytes = rgb.into_raw();
    if spec.dtype == DType::Int8 {
        bytes.iter_mut().for_each(|b| *b ^= 0x80);
    }
    Ok(bytes)
}
