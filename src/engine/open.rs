//! Opening models: the runtime of each segment (its device and provider), then the engines.

use std::path::Path;

use super::classic::ClassicRuntime;
use super::edgetpu::{DeviceConfig, EdgeTpu, assign};
use super::litert::{self, LiteRtRuntime};
use super::{Binding, DeviceSpec, Engine, EngineError, EngineOptions, Provider, Runtime, TpuError};
use crate::model::Model;

/// Why a segment could not be opened on its device.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Device selection or ownership.
    #[error(transparent)]
    Tpu(#[from] TpuError),
    /// The engine.
    #[error("segment {segment} on {binding}: {cause}")]
    Engine {
        /// The segment.
        segment: usize,
        /// Its device.
        binding: Binding,
        /// The engine's error.
        cause: EngineError,
    },
}

/// The CPU runtime `options` choose. [`Provider::Auto`] is LiteRT when its library is found
/// and loads, else the built-in TensorFlow Lite.
pub fn runtime(options: &EngineOptions) -> Result<Box<dyn Runtime>, EngineError> {
    match &options.provider {
        Provider::Builtin | Provider::System(_) => Ok(Box::new(ClassicRuntime::new(options)?)),
        Provider::Litert(path) => Ok(Box::new(LiteRtRuntime::new(path.as_deref(), options)?)),
        Provider::Auto if litert::available() && options.custom_ops.is_empty() => {
            match LiteRtRuntime::new(None, options) {
                Ok(r) => Ok(Box::new(r)),
                Err(e) => {
                    tracing::warn!(error = %e, "LiteRT is installed but unusable: using the built-in TensorFlow Lite");
                    Ok(Box::new(ClassicRuntime::new(&builtin(options))?))
                }
            }
        }
        Provider::Auto => Ok(Box::new(ClassicRuntime::new(&builtin(options))?)),
    }
}

fn builtin(options: &EngineOptions) -> EngineOptions {
    EngineOptions {
        provider: Provider::Builtin,
        ..options.clone()
    }
}

/// Opens a model on the CPU with the runtime `options` choose.
pub fn open(model: &[u8], options: &EngineOptions) -> Result<Box<dyn Engine>, EngineError> {
    runtime(options)?.open(model)
}

/// The classic runtime that hosts Edge TPU delegates for `options`: the system library when
/// chosen, else the built-in one (LiteRT's struct layouts differ from a stock libedgetpu's).
fn tpu_host(options: &EngineOptions) -> Result<ClassicRuntime, EngineError> {
    match options.provider {
        Provider::System(_) | Provider::Builtin => ClassicRuntime::new(options),
        Provider::Auto | Provider::Litert(_) => ClassicRuntime::new(&builtin(options)),
    }
}

/// Opens one engine per segment, each on its device: segments holding `edgetpu-custom-op` (or
/// given a TPU by `config.devices`) on a locked TPU with libedgetpu's delegate, the rest on the
/// CPU runtime of `engine`.
pub fn open_segments(
    segments: &[Vec<u8>],
    engine: &EngineOptions,
    config: &DeviceConfig,
) -> Result<Vec<Box<dyn Engine>>, OpenError> {
    let needs_tpu: Vec<bool> = segments
        .iter()
        .map(|b| {
            Model::from_bytes(b, Path::new("segment"))
                .is_ok_and(|m| m.graph.edgetpu_ops().next().is_some())
        })
        .collect();
    let wants_tpu = config
        .devices
        .as_ref()
        .is_some_and(|d| d.iter().any(|s| *s != DeviceSpec::Cpu));
    let first_tpu_segment = needs_tpu.iter().position(|&t| t);
    let tpu =
        match (first_tpu_segment, wants_tpu) {
            (None, false) => None,
            (segment, _) => Some(EdgeTpu::load(config.library.as_deref()).map_err(|cause| {
                TpuError::Library {
                    segment: segment.unwrap_or(0),
                    cause,
                }
            })?),
        };
    let tpus = tpu.as_ref().map(EdgeTpu::devices).unwrap_or_default();
    let bindings = assign(&needs_tpu, &tpus, config.devices.as_deref())?;
    let mut cpu: Option<Box<dyn Runtime>> = None;
    let mut out = Vec::with_capacity(segments.len());
    for (s, (bytes, binding)) in segments.iter().zip(bindings).enumerate() {
        let fail = |cause| match cause {
            EngineError::Device(e) => OpenError::Tpu(e),
            cause => OpenError::Engine {
                segment: s,
                binding: binding.clone(),
                cause,
            },
        };
        let opened = match (&binding, &tpu) {
            (Binding::Tpu(t), Some(lib)) => {
                let host = tpu_host(engine).map_err(fail)?;
                lib.runtime(host, t.clone(), config).open(bytes)
            }
            _ => {
                // One CPU runtime for every CPU segment, made when the first needs it.
                let r = match cpu.take() {
                    Some(r) => r,
                    None => runtime(engine).map_err(fail)?,
                };
                let opened = r.open(bytes);
                cpu = Some(r);
                opened
            }
        };
        out.push(opened.map_err(fail)?);
    }
    Ok(out)
}
