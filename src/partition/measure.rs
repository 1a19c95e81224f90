//! Timing candidate segments of a real model on real devices, for the latency search.

use std::path::PathBuf;
use std::time::Instant;

use crate::engine::edgetpu::DeviceConfig;
use crate::engine::{self, DeviceSpec, Engine, EngineOptions};
use crate::model::{Model, segment};
use crate::verify::{self, SplitMix64};

use super::latency::Measure;

/// Measures segments of `model`: segment `i` runs where `devices[i]` says (CPU when absent).
pub struct ModelMeasurer<'a> {
    model: &'a Model,
    engine: EngineOptions,
    devices: DeviceConfig,
    invokes: usize,
    compile_cmd: Option<String>,
    work_dir: PathBuf,
    rng: SplitMix64,
    fastest: bool,
}

impl<'a> ModelMeasurer<'a> {
    /// `invokes` timed invokes per measurement (after one warm-up); `compile_cmd`, when given,
    /// turns each candidate into what the device runs: a shell command whose `{in}` and
    /// `{out}` are replaced by the candidate's path and the path to write (for example the
    /// Edge TPU compiler).
    pub fn new(
        model: &'a Model,
        engine: EngineOptions,
        devices: DeviceConfig,
        invokes: usize,
        compile_cmd: Option<String>,
    ) -> ModelMeasurer<'a> {
        // One directory per measurer: a planner holds two (measuring, and running trials).
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let work_dir =
            std::env::temp_dir().join(format!("edgepipe-balance-{}-{n}", std::process::id()));
        ModelMeasurer {
            model,
            engine,
            devices,
            invokes: invokes.max(1),
            compile_cmd,
            work_dir,
            rng: SplitMix64::new(17),
            fastest: false,
        }
    }

    /// Reports the fastest timed invoke on a TPU instead of the median: other work on the
    /// host only ever slows a TPU's invoke down, so the fastest is closest to the device's own
    /// time. CPU measurements keep the median (the contention is the CPU's own).
    pub fn fastest(mut self) -> Self {
        self.fastest = true;
        self
    }

    fn compile(
        &self,
        bytes: Vec<u8>,
        start: usize,
        len: usize,
        device: usize,
    ) -> Result<Vec<u8>, String> {
        let on_cpu = self
            .devices
            .devices
            .as_ref()
            .is_some_and(|d| d.get(device) == Some(&DeviceSpec::Cpu));
        // Nothing is compiled for a device named `cpu`.
        let (Some(cmd), false) = (&self.compile_cmd, on_cpu) else {
            return Ok(bytes);
        };
        std::fs::create_dir_all(&self.work_dir)
            .map_err(|e| format!("{}: {e}", self.work_dir.display()))?;
        let input = self
            .work_dir
            .join(format!("candidate_{start}_{len}_{device}.tflite"));
        let output = self
            .work_dir
            .join(format!("candidate_{start}_{len}_{device}_compiled.tflite"));
        std::fs::write(&input, bytes).map_err(|e| format!("{}: {e}", input.display()))?;
        let line = cmd
            .replace("{in}", &input.display().to_string())
            .replace("{out}", &output.display().to_string());
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&line)
            .status()
            .map_err(|e| format!("{line}: {e}"))?;
        if !status.success() {
            return Err(format!("compile command failed ({status}): {line}"));
        }
        std::fs::read(&output)
            .map_err(|e| format!("compile command wrote no {}: {e}", output.display()))
    }
}

impl Drop for ModelMeasurer<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work_dir);
    }
}

impl ModelMeasurer<'_> {
    /// The segment of ops `start..start + len` as device `device` runs it: compiled for it
    /// when a compile command was given and the device is not the CPU.
    pub fn segment(&self, start: usize, len: usize, device: usize) -> Result<Vec<u8>, String> {
        let bytes = segment::extract(self.model, start..start + len).map_err(|e| e.to_string())?;
        self.compile(bytes, start, len, device)
    }
}

impl Measure for ModelMeasurer<'_> {
    fn measure(&mut self, start: usize, len: usize, device: usize) -> Result<f64, String> {
        let bytes = self.segment(start, len, device)?;
        let mut config = self.devices.clone();
        let spec = config
            .devices
            .as_ref()
            .and_then(|d| d.get(device).cloned())
            .unwrap_or(DeviceSpec::Cpu);
        // On the CPU, contention is part of what a segment will get: only a TPU's time is
        // its own.
        let fastest = self.fastest && spec != DeviceSpec::Cpu;
        config.devices = Some(vec![spec]);
        let mut engine = engine::open_segments(&[bytes], &self.engine, &config)
            .map_err(|e| e.to_string())?
            .pop()
            .ok_or("no interpreter")?;
        for (i, data) in verify::random_inputs(engine.inputs(), &mut self.rng)
            .iter()
            .enumerate()
        {
            engine.input_mut(i).copy_from_slice(data);
        }
        engine.invoke().map_err(|e| e.to_string())?;
        let mut times: Vec<f64> = (0..self.invokes)
            .map(|_| {
                let t = Instant::now();
                engine.invoke().map(|_| t.elapsed().as_nanos() as f64)
            })
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        times.sort_by(f64::total_cmp);
        Ok(if fastest {
            times[0]
        } else {
            times[times.len() / 2]
        })
    }
}
