//! Flags that choose the runtime and each segment's device.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use edgepipe::engine::edgetpu::DeviceConfig;
use edgepipe::engine::{self, DeviceSpec, Engine, EngineOptions, Kernels, Provider};
use edgepipe::preflight::{self, Depth};

#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// Runtime of CPU models: auto (litert when its library is installed, else builtin),
    /// builtin (TensorFlow Lite 1.15.5, linked in), system (libtensorflowlite_c.so from the
    /// library path), system:PATH, litert (libLiteRt.so from $EDGEPIPE_LITERT_LIB or the cache
    /// tools/fetch-litert.sh fills) or litert:PATH. Edge TPU segments run on builtin or system.
    #[arg(long, default_value = "auto", env = "EDGEPIPE_ENGINE")]
    pub engine: Provider,
    /// LiteRT's CPU kernels: xnnpack or builtin.
    #[arg(long, default_value = "xnnpack", env = "EDGEPIPE_KERNELS")]
    pub kernels: Kernels,
    /// Device of each segment, comma-separated: cpu, pci, usb, :N, pci:N, usb:N, pci:PATH,
    /// usb:PATH. Default: segments compiled for the Edge TPU take TPUs in order (PCIe first),
    /// the others run on the CPU.
    #[arg(long, value_delimiter = ',')]
    pub devices: Vec<DeviceSpec>,
    /// libedgetpu to load.
    #[arg(long, env = "EDGEPIPE_EDGETPU_LIB")]
    pub edgetpu_lib: Option<PathBuf>,
    /// Directory of the per-TPU lock files.
    #[arg(long, env = "EDGEPIPE_LOCK_DIR")]
    pub lock_dir: Option<PathBuf>,
    /// CPU threads per interpreter.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

impl DeviceArgs {
    pub fn engine_options(&self) -> EngineOptions {
        EngineOptions {
            threads: self.threads,
            provider: self.engine.clone(),
            kernels: self.kernels,
            custom_ops: Vec::new(),
        }
    }

    pub fn device_config(&self) -> DeviceConfig {
        DeviceConfig {
            library: self.edgetpu_lib.clone(),
            devices: (!self.devices.is_empty()).then(|| self.devices.clone()),
            lock_dir: self.lock_dir.clone(),
            tpu_options: Vec::new(),
        }
    }

    /// One engine per segment, each on its device. Each CPU segment is first prepared and
    /// invoked once in a child ([`edgepipe::preflight`]): one that crashes TensorFlow Lite is
    /// an error naming it, never a crash of this process.
    pub fn open(&self, segments: &[Vec<u8>]) -> Result<Vec<Box<dyn Engine>>> {
        for (i, bytes) in segments.iter().enumerate() {
            let what = format!("segment {i}");
            preflight::check(&what, bytes, &self.engine_options(), Depth::Invoke)?;
        }
        Ok(engine::open_segments(
            segments,
            &self.engine_options(),
            &self.device_config(),
        )?)
    }

    /// A whole model on the CPU (tried in a preflight child first, as [`DeviceArgs::open`]).
    pub fn open_whole(&self, model: &[u8]) -> Result<Box<dyn Engine>> {
        preflight::check(
            "the whole model",
            model,
            &self.engine_options(),
            Depth::Invoke,
        )?;
        Ok(engine::open(model, &self.engine_options())?)
    }

    /// What runs CPU models, for reports.
    pub fn cpu_runtime(&self) -> Result<String> {
        Ok(engine::runtime(&self.engine_options())?.name())
    }

    /// The flags' defaults with `threads` threads (for commands that run engines themselves).
    pub fn with_threads(threads: usize) -> DeviceArgs {
        DeviceArgs {
            engine: Provider::Auto,
            kernels: Kernels::Xnnpack,
            devices: Vec::new(),
            edgetpu_lib: None,
            lock_dir: None,
            threads,
        }
    }
}
