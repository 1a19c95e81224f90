//! Everything the service checks before it opens hardware, in one place: `run` calls
//! [`prepare`] at start and on every reload, `check-config` calls it and stops there. So a
//! check cannot be added to one and not the other.
//!
//! In order: the segments are read and parsed, and their tensors chained in order (each read
//! only after it is written, with the size its reader expects); the first input must be an
//! image, the last output a score vector; the labels must fit the model's classes (no blank
//! or repeated line) and every GPIO rule label must be one of them; the segments' explicit
//! devices must give a TPU to each compiled segment; the frame source is opened when it is a
//! file (every image decoded, a video's size checked); a camera or UART path that exists must
//! be a character device (and a UART a tty).
//!
//! Last, each segment that runs on the CPU has its interpreter built in the preflight child
//! ([`crate::preflight`], prepare only, ~10-70 ms a segment): a model TensorFlow Lite refuses
//! is refused here with the error `run` would give when it builds it, and one that crashes
//! or hangs TensorFlow Lite is refused as malformed, never a crash of the service.
//!
//! What needs the hardware is not checked here and is listed by [`Prepared::unchecked`]: the
//! TPUs, the camera's formats, the GPIO chips, an absent device.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use super::error::ServiceError;
use crate::capture::camera::CameraError;
use crate::capture::{FrameSource, Images, Pattern, RawVideo, first_image_input};
use crate::classify::{Classifier, Labels};
use crate::config::{Config, ConfigError, Source};
use crate::engine::{Binding, DeviceSpec, OpenError, TensorSpec, TpuError};
use crate::model::Model;
use crate::output::uart::UartError;
use crate::preflight::{self, Depth, PreflightError, Verdict};

/// A configuration checked as far as it can be without hardware, with what it read.
pub struct Prepared {
    /// The configuration.
    pub config: Config,
    /// Each segment's bytes, read once.
    pub segments: Vec<Vec<u8>>,
    /// Which segments hold the Edge TPU op.
    pub needs_tpu: Vec<bool>,
    /// The labels, fitting the model's classes.
    pub labels: Labels,
    /// The frame source when it is a file or a pattern (opened and checked); `None` for a
    /// camera, opened with the hardware.
    pub source: Option<Box<dyn FrameSource>>,
    unchecked: Vec<String>,
}

impl Prepared {
    /// What could not be checked without the hardware, one line each.
    pub fn unchecked(&self) -> &[String] {
        &self.unchecked
    }
}

fn spec(t: &crate::model::Tensor) -> TensorSpec {
    let shape: Vec<usize> = t.shape.iter().map(|&d| d.max(1) as usize).collect();
    let mut s = TensorSpec::new(&t.name, t.dtype, &shape);
    s.quantization = t.quantization.clone();
    s
}

/// One segment as read: its bytes, inputs, outputs, and whether it needs a TPU.
struct Read {
    bytes: Vec<u8>,
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
    tpu: bool,
}

/// Reads and parses each segment.
fn read_segments(config: &Config) -> Result<Vec<Read>, ServiceError> {
    config
        .segments
        .iter()
        .enumerate()
        .map(|(index, path)| {
            let fail = |source| ServiceError::Segment { index, source };
            // Bounded, and a regular file only (a FIFO is refused, never waited on).
            let bytes =
                crate::fsutil::read_bounded(path, crate::fsutil::MAX_MODEL_BYTES).map_err(|e| {
                    fail(crate::model::ModelError {
                        path: path.clone(),
                        kind: crate::model::ModelErrorKind::Io(e.to_string()),
                    })
                })?;
            let model = Model::from_bytes(&bytes, path).map_err(fail)?;
            let g = &model.graph;
            let inputs = g.inputs.iter().map(|&t| spec(&g.tensors[t])).collect();
            let outputs = g.outputs.iter().map(|&t| spec(&g.tensors[t])).collect();
            let tpu = g.edgetpu_ops().next().is_some();
            Ok(Read {
                bytes,
                inputs,
                outputs,
                tpu,
            })
        })
        .collect()
}

/// Checks `config` as far as it can be without hardware (see the module docs).
pub fn prepare(config: Config) -> Result<Prepared, ServiceError> {
    let mut unchecked = Vec::new();
    let read = read_segments(&config)?;
    let io: Vec<(&[TensorSpec], &[TensorSpec])> = read
        .iter()
        .map(|r| (r.inputs.as_slice(), r.outputs.as_slice()))
        .collect();
    let (inputs, outputs) = crate::pipeline::check_chain(&io).map_err(ServiceError::Chain)?;
    first_image_input(&inputs).map_err(ServiceError::Input)?;
    let classifier =
        Classifier::for_first(&outputs, config.classify.clone()).map_err(ServiceError::Output)?;
    let labels =
        Labels::load(&config.labels, classifier.classes()).map_err(ServiceError::Labels)?;
    check_rule_labels(&config, &labels)?;
    let needs_tpu: Vec<bool> = read.iter().map(|r| r.tpu).collect();
    check_devices(&config, &needs_tpu, &mut unchecked)?;
    let source = open_file_source(&config, &mut unchecked)?;
    check_uart_device(&config, &mut unchecked)?;
    build_cpu_segments(&config, &read, &mut unchecked)?;
    if config.gpio.as_ref().is_some_and(|g| !g.simulate) {
        unchecked.push("GPIO: the chips and lines are requested at run".into());
    }
    Ok(Prepared {
        segments: read.into_iter().map(|r| r.bytes).collect(),
        needs_tpu,
        labels,
        source,
        unchecked,
        config,
    })
}

/// Whether segment `s` runs on the CPU: not compiled for the Edge TPU, and given no TPU (by
/// `devices`, or by each of its replicas in a plan).
fn on_cpu(config: &Config, s: usize, compiled: bool) -> bool {
    let cpu = |d: &DeviceSpec| *d == DeviceSpec::Cpu;
    !compiled
        && match config.replicas.get(s) {
            Some(replicas) => replicas.iter().all(cpu),
            None => config
                .devices
                .devices
                .as_ref()
                .is_none_or(|d| d.get(s).is_none_or(cpu)),
        }
}

/// Builds each CPU segment's interpreter in the preflight child (see the module docs). A
/// segment given a TPU is built on it at run; that is listed as not checked.
fn build_cpu_segments(
    config: &Config,
    read: &[Read],
    unchecked: &mut Vec<String>,
) -> Result<(), ServiceError> {
    let mut built = 0;
    for (index, r) in read.iter().enumerate() {
        if !on_cpu(config, index, r.tpu) {
            continue;
        }
        let what = format!("segment {index}");
        match preflight::try_model(&what, &r.bytes, &config.engine, Depth::Prepare) {
            Ok(Some(Verdict::Ran(_))) => built += 1,
            // TensorFlow Lite refused it without crashing: our own build says why, as at run.
            Ok(Some(Verdict::Refused(_))) => match crate::engine::open(&r.bytes, &config.engine) {
                Err(cause) => {
                    return Err(ServiceError::Devices(OpenError::Engine {
                        segment: index,
                        binding: Binding::Cpu,
                        cause,
                    }));
                }
                Ok(_) => built += 1,
            },
            // No preflight in this program (a library user): nothing built.
            Ok(None) => {}
            Err(e @ PreflightError::Spawn { .. }) => {
                tracing::warn!(error = %e, "cannot build the interpreters in a child");
            }
            Err(source) => return Err(ServiceError::Preflight { index, source }),
        }
    }
    let cpu = (0..read.len())
        .filter(|&s| on_cpu(config, s, read[s].tpu))
        .count();
    if built < cpu {
        unchecked.push(
            "the CPU interpreters: built at run (a model the runtime refuses fails then, exit 2)"
                .into(),
        );
    }
    if cpu < read.len() {
        unchecked.push("the Edge TPU segments' interpreters: built on their TPUs at run".into());
    }
    Ok(())
}

/// Every label of every GPIO rule must be a label of the model, or the rule can never fire.
fn check_rule_labels(config: &Config, labels: &Labels) -> Result<(), ServiceError> {
    let Some(gpio) = &config.gpio else {
        return Ok(());
    };
    for (i, rule) in gpio.rules.iter().enumerate() {
        for (j, label) in rule.labels.iter().enumerate() {
            if labels.index_of(label).is_none() {
                return Err(ServiceError::Config(ConfigError {
                    file: config.file.clone(),
                    field: format!("gpio.rules[{i}].labels[{j}]"),
                    message: format!(
                        "'{label}' is not a label of {} (labels are matched exactly): this \
                         rule could never fire",
                        config.labels.display()
                    ),
                }));
            }
        }
    }
    Ok(())
}

/// A compiled segment explicitly given the CPU can never run; the TPUs themselves are only
/// found at run.
fn check_devices(
    config: &Config,
    needs_tpu: &[bool],
    unchecked: &mut Vec<String>,
) -> Result<(), ServiceError> {
    if let Some(specs) = &config.devices.devices
        && let Some(s) = (0..needs_tpu.len()).find(|&s| needs_tpu[s] && specs[s] == DeviceSpec::Cpu)
    {
        return Err(ServiceError::Devices(OpenError::Tpu(TpuError::NeedsTpu(s))));
    }
    let tpu_segments: Vec<String> = (0..needs_tpu.len())
        .filter(|&s| {
            needs_tpu[s]
                || config
                    .devices
                    .devices
                    .as_ref()
                    .is_some_and(|d| d[s] != DeviceSpec::Cpu)
        })
        .map(|s| s.to_string())
        .collect();
    if !tpu_segments.is_empty() {
        unchecked.push(format!(
            "Edge TPUs for segment(s) {}: libedgetpu and the TPUs are found at run \
             (`edgepipe devices` lists them)",
            tpu_segments.join(", ")
        ));
    }
    Ok(())
}

/// Whether `path` exists and is a character device (`None`: absent).
fn char_device(path: &Path) -> Option<bool> {
    std::fs::metadata(path)
        .ok()
        .map(|m| m.file_type().is_char_device())
}

/// Opens a file or pattern source now (decoding every image); for a camera, checks what a
/// path can say.
fn open_file_source(
    config: &Config,
    unchecked: &mut Vec<String>,
) -> Result<Option<Box<dyn FrameSource>>, ServiceError> {
    let source = |e: crate::capture::CaptureError| ServiceError::Source(e);
    Ok(Some(match &config.source {
        Source::Camera { device, .. } => {
            match char_device(device) {
                Some(false) => {
                    return Err(source(
                        CameraError::NotCapture {
                            device: device.clone(),
                            reason: "not a character device".into(),
                        }
                        .into(),
                    ));
                }
                Some(true) => unchecked.push(format!(
                    "camera {}: its formats and frames are checked when it is opened at run",
                    device.display()
                )),
                None => unchecked.push(format!(
                    "camera {}: absent now; run fails (exit 1, systemd retries) until it appears",
                    device.display()
                )),
            }
            return Ok(None);
        }
        Source::Images { path, fps } => Box::new(Images::open(path, true, *fps).map_err(source)?),
        Source::Video {
            path,
            width,
            height,
            fps,
        } => Box::new(RawVideo::open(path, *width, *height, *fps).map_err(source)?),
        Source::Pattern { width, height, fps } => Box::new(
            Pattern::new(*width, *height, *fps)
                .map_err(|size| crate::capture::CaptureError::FrameSize {
                    path: "pattern".into(),
                    size,
                })
                .map_err(source)?,
        ),
    }))
}

/// A UART path that exists must be a tty; an absent one is the machine's problem.
fn check_uart_device(config: &Config, unchecked: &mut Vec<String>) -> Result<(), ServiceError> {
    let Some(u) = &config.uart else {
        return Ok(());
    };
    let not_a_tty = |device: &PathBuf| {
        ServiceError::Uart(UartError::NotATty {
            device: device.clone(),
        })
    };
    let absent = match char_device(&u.device) {
        Some(false) => return Err(not_a_tty(&u.device)),
        Some(true) => match crate::output::uart::is_tty(&u.device) {
            Some(true) => return Ok(()),
            Some(false) => return Err(not_a_tty(&u.device)),
            None => "cannot be opened now",
        },
        None => "absent now",
    };
    unchecked.push(format!(
        "UART {}: {absent}; run fails (exit 1, systemd retries) until it can be opened",
        u.device.display()
    ));
    Ok(())
}
