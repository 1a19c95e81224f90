//! LiteRT (the CompiledModel C API of `libLiteRt.so`, from the `ai-edge-litert` wheel) as a
//! CPU runtime: current ops, XNNPACK speed, inputs and outputs bound once to memory the engine
//! owns (no copy inside the engine, no allocation per invoke). Not for Edge TPU segments: a
//! stock libedgetpu is built against another TensorFlow Lite struct layout.
//!
//! The library is found (in order) at `--engine litert:PATH`, `$EDGEPIPE_LITERT_LIB`, or the
//! cache `tools/fetch-litert.sh` fills: `$EDGEPIPE_CACHE` (default `~/.cache/edgepipe`)
//! `/litert/2.3.0/<arch>/libLiteRt.so`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::sys::litert::{LiteRtApi, RawCompiledModel, RawKernels};

use super::{Engine, EngineError, EngineOptions, HostBuffer, Kernels, Runtime, TensorSpec};

/// The LiteRT version `tools/fetch-litert.sh` installs.
pub const VERSION: &str = "2.3.0";
/// The environment variable naming the library.
pub const LIBRARY_ENV: &str = "EDGEPIPE_LITERT_LIB";
/// What installs the library.
pub const INSTALL_COMMAND: &str = "tools/fetch-litert.sh";

/// Where `tools/fetch-litert.sh` puts the library for this host.
pub fn cache_path() -> Option<PathBuf> {
    let root = match std::env::var_os("EDGEPIPE_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?)
            .join(".cache/edgepipe"),
    };
    Some(
        root.join("litert")
            .join(VERSION)
            .join(std::env::consts::ARCH)
            .join("libLiteRt.so"),
    )
}

/// The library to load: `explicit`, else `$EDGEPIPE_LITERT_LIB`, else the cache. The error
/// says where it looked and how to install it.
pub fn find_library(explicit: Option<&Path>) -> Result<PathBuf, EngineError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(LIBRARY_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let cached = cache_path();
    match &cached {
        Some(p) if p.is_file() => Ok(p.clone()),
        _ => Err(EngineError::NotFound(format!(
            "LiteRT library (libLiteRt.so) not found: ${LIBRARY_ENV} is unset and {} does not exist; install it with {INSTALL_COMMAND}, or give --engine litert:PATH",
            cached.map_or_else(
                || "the cache (no $HOME or $EDGEPIPE_CACHE)".to_string(),
                |p| p.display().to_string()
            )
        ))),
    }
}

/// Whether a LiteRT library would be found without naming it (the default-engine choice).
pub fn available() -> bool {
    find_library(None).is_ok_and(|p| p.is_file())
}

/// Loads `path` once per process (the environment is shared by every engine).
fn load(path: &Path) -> Result<Arc<LiteRtApi>, EngineError> {
    static LOADED: Mutex<Vec<(PathBuf, Arc<LiteRtApi>)>> = Mutex::new(Vec::new());
    let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, api)) = loaded.iter().find(|(p, _)| p == path) {
        return Ok(Arc::clone(api));
    }
    let api = LiteRtApi::load(path)?;
    loaded.push((path.to_path_buf(), Arc::clone(&api)));
    Ok(api)
}

/// LiteRT on the CPU.
pub struct LiteRtRuntime {
    api: Arc<LiteRtApi>,
    threads: usize,
    kernels: Kernels,
    name: String,
}

impl LiteRtRuntime {
    /// Loads the library (`library`, or found as [`find_library`] says) for `options`.
    pub fn new(
        library: Option<&Path>,
        options: &EngineOptions,
    ) -> Result<LiteRtRuntime, EngineError> {
        if !options.custom_ops.is_empty() {
            return Err(EngineError::Refused {
                runtime: "LiteRT".into(),
                reason: "custom op kernels are registered with classic interpreters only".into(),
            });
        }
        let path = find_library(library)?;
        let api = load(&path)?;
        let threads = options.threads.clamp(1, 64);
        let name = format!(
            "LiteRT ({}, {threads} thread{}) {}",
            options.kernels,
            if threads == 1 { "" } else { "s" },
            path.display()
        );
        Ok(LiteRtRuntime {
            api,
            threads,
            kernels: options.kernels,
            name,
        })
    }
}

impl Runtime for LiteRtRuntime {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn open(&self, model: &[u8]) -> Result<Box<dyn Engine>, EngineError> {
        let refused = |reason: String| EngineError::Refused {
            runtime: "LiteRT".into(),
            reason,
        };
        let kernels = match self.kernels {
            Kernels::Xnnpack => RawKernels::Xnnpack,
            Kernels::Builtin => RawKernels::Builtin,
        };
        let raw = RawCompiledModel::new(Arc::clone(&self.api), model, self.threads, kernels)
            .map_err(refused)?;
        let quant = super::quantizations(model);
        let spec = |t: &crate::sys::litert::RawTensorInfo| {
            super::tensor_spec(&t.name, t.element_type, &t.dims, t.bytes, &quant)
        };
        let inputs = raw.inputs().iter().map(spec).collect::<Result<_, _>>()?;
        let outputs = raw.outputs().iter().map(spec).collect::<Result<_, _>>()?;
        let mut engine = LiteRtEngine {
            raw,
            inputs,
            outputs,
            runtime: self.name.clone(),
        };
        // Errors surface here, not mid-run: LiteRT compiles a model with an unresolved custom
        // op and fails only at its first run.
        engine
            .raw
            .run()
            .map_err(|e| refused(format!("the warm-up invoke failed: {e}")))?;
        Ok(Box::new(engine))
    }
}

/// A model compiled by LiteRT for the CPU.
pub struct LiteRtEngine {
    raw: RawCompiledModel,
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
    runtime: String,
}

impl Engine for LiteRtEngine {
    fn inputs(&self) -> &[TensorSpec] {
        &self.inputs
    }

    fn outputs(&self) -> &[TensorSpec] {
        &self.outputs
    }

    fn input_mut(&mut self, i: usize) -> &mut [u8] {
        self.raw.input_mut(i)
    }

    fn output(&self, i: usize) -> &[u8] {
        self.raw.output(i)
    }

    fn invoke(&mut self) -> Result<(), EngineError> {
        self.raw.run().map_err(EngineError::Invoke)
    }

    fn invoke_on(
        &mut self,
        tensors: &mut [HostBuffer],
        ins: &[usize],
        outs: &[usize],
    ) -> Result<(), EngineError> {
        self.raw
            .run_on(tensors, ins, outs)
            .map_err(EngineError::Invoke)
    }

    fn runtime(&self) -> &str {
        &self.runtime
    }
}
