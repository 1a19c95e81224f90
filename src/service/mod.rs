//! The appliance: capture -> pipeline -> classify -> UART + GPIO, forever, under systemd.
//!
//! A run has two steps. [`prepare`] checks everything that needs no hardware (the same step
//! `check-config` takes); [`start`] then opens the hardware (TPUs, pipeline, UART, GPIO,
//! camera) and [`Service::serve`] runs three threads:
//! - capture ([`capture`]): takes frames from the source and pushes the newest into the
//!   pipeline without ever waiting (the live policy: a frame waiting for room is replaced by a
//!   newer one, and counted as dropped);
//! - control ([`control`]): every [`TICK`] wakes the results loop, watches the signals, and
//!   checks a SIGHUP's new configuration in a thread beside it (so the ticks go on);
//! - results (the calling thread, [`results`]): pops results in order, classifies them,
//!   drives GPIO, writes the protocol lines, answers UART commands, and tells systemd:
//!   `READY=1` after the first result, `WATCHDOG=1` as results come and while the pipeline
//!   holds no frame (a stage holding a frame with no result coming stops the pings), `STATUS=`
//!   with fps, drops and per-stage latency. It wakes for each tick too, so none of this waits
//!   for a result.
//!
//! SIGTERM or SIGINT: `STOPPING=1`; capture stops within [`TICK`] whatever the frame rate,
//! frames in flight are drained for at most [`DRAIN_LIMIT`] and written, then given up; a
//! stage still in an invoke [`LEAVE_LIMIT`] later is left behind (its frames counted as
//! dropped, its thread not waited for); the UART is flushed, GPIO lines go to their safe
//! state, and `serve` returns [`Outcome::Stopped`].
//! SIGHUP: the configuration file is read and prepared again; a bad one is logged and the
//! running configuration goes on; a good one ends this run with [`Outcome::Reload`]. (A new
//! configuration that fails only when its hardware is opened is the caller's to fall back
//! from: `edgepipe run` starts the previous one again.)

mod capture;
mod control;
pub mod error;
pub mod notify;
pub mod prepare;
mod results;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::capture::camera::{CameraConfig, ResilientCamera};
use crate::capture::convert::TensorEncoding;
use crate::capture::{FrameSource, first_image_input};
use crate::classify::{Classifier, ClassifyError, Labels};
use crate::config::{Config, Source};
use crate::engine::open_segments;
use crate::output::gpio::GpioOutputs;
use crate::output::uart::Uart;
use crate::pipeline::{self, PipelineConfig, Receiver, Sender};
pub use error::{Fault, ServiceError};
pub use notify::Notifier;
pub use prepare::{Prepared, prepare};

/// How long the frames in flight may take to drain at a stop before they are given up (the
/// unit's TimeoutStopSec is 10 s).
pub const DRAIN_LIMIT: Duration = Duration::from_secs(2);

/// How long, after the frames were given up, a stage still in an invoke (an engine cannot be
/// interrupted) is waited for; then its frames are left behind, counted as dropped, and at
/// SIGTERM its thread is not waited for either. So a stop takes at most about
/// [`TICK`] + [`DRAIN_LIMIT`] + 2 x `LEAVE_LIMIT`, whatever the stages do.
pub const LEAVE_LIMIT: Duration = Duration::from_secs(1);

/// The longest any wait of the capture or control thread lasts before it looks at the stop
/// flag and the signals again.
pub const TICK: Duration = Duration::from_millis(50);

/// How a run ended.
pub enum Outcome {
    /// SIGTERM or SIGINT, or the frame limit: drained and stopped cleanly.
    Stopped,
    /// SIGHUP with a new configuration that passed [`prepare`]: start again with it.
    Reload(Box<Prepared>),
    /// A finite source ran out.
    Finished,
}

/// Signals the run loop watches, set by signal handlers.
#[derive(Clone, Default)]
pub struct Signals {
    /// SIGTERM or SIGINT arrived.
    pub terminate: Arc<AtomicBool>,
    /// SIGHUP arrived.
    pub reload: Arc<AtomicBool>,
}

impl Signals {
    /// Installs handlers for SIGTERM, SIGINT (terminate) and SIGHUP (reload).
    pub fn install() -> Result<Signals, ServiceError> {
        let s = Signals::default();
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            signal_hook::flag::register(sig, Arc::clone(&s.terminate))
                .map_err(ServiceError::Signals)?;
        }
        signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&s.reload))
            .map_err(ServiceError::Signals)?;
        Ok(s)
    }
}

/// Extra run settings (tests, the demo).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Stop after this many results.
    pub max_frames: Option<u64>,
    /// Also write the protocol lines to stdout.
    pub stdout: bool,
}

/// Counters shared by the threads.
#[derive(Default)]
struct Counters {
    captured: AtomicU64,
    dropped: AtomicU64,
    errors: AtomicU64,
    camera_lost: AtomicBool,
}

/// A prepared configuration with its hardware open: ready to [`Service::serve`].
pub struct Service {
    config: Config,
    tx: Sender,
    rx: Receiver,
    input: (usize, usize, TensorEncoding),
    classifier: Classifier,
    labels: Labels,
    uart: Option<Uart>,
    gpio: Option<GpioOutputs>,
    source: Box<dyn FrameSource>,
    stop: Arc<AtomicBool>,
}

/// Opens each stage's engines: one per segment on `devices`, or, from `[model] plan`, one
/// per replica on its device (in one call, so TPUs are given out once).
fn open_stages(
    config: &Config,
    segments: Vec<Vec<u8>>,
) -> Result<Vec<Vec<Box<dyn crate::engine::Engine>>>, ServiceError> {
    let counts: Vec<usize> = match config.replicas.is_empty() {
        true => vec![1; segments.len()],
        false => config.replicas.iter().map(Vec::len).collect(),
    };
    let mut devices = config.devices.clone();
    if !config.replicas.is_empty() {
        devices.devices = Some(config.replicas.iter().flatten().cloned().collect());
    }
    let bytes: Vec<Vec<u8>> = segments
        .iter()
        .zip(&counts)
        .flat_map(|(b, &n)| std::iter::repeat_n(b.clone(), n))
        .collect();
    drop(segments);
    let engines = open_segments(&bytes, &config.engine, &devices).map_err(ServiceError::Devices)?;
    for (i, e) in engines.iter().enumerate() {
        tracing::info!(index = i, engine = e.runtime(), device = %e.binding(), "segment opened");
    }
    let mut engines = engines.into_iter();
    Ok(counts
        .iter()
        .map(|&n| engines.by_ref().take(n).collect())
        .collect())
}

/// Opens the hardware of a prepared configuration: the segments on their devices, the
/// pipeline, the UART, the GPIO lines, the camera. Nothing runs yet.
pub fn start(prepared: Prepared) -> Result<Service, ServiceError> {
    let Prepared {
        config,
        segments,
        labels,
        source,
        ..
    } = prepared;
    let stages = open_stages(&config, segments)?;
    let (tx, rx) = pipeline::build_replicated(
        stages,
        &PipelineConfig {
            capacity: config.capacity,
        },
    )
    .map_err(ServiceError::Pipeline)?;
    let input = first_image_input(tx.inputs()).map_err(ServiceError::Input)?;
    let classifier = Classifier::for_first(rx.outputs(), config.classify.clone())
        .map_err(ServiceError::Output)?;
    if classifier.classes() != labels.len() {
        return Err(ServiceError::Labels(ClassifyError::Count {
            path: config.labels.clone(),
            lines: labels.len(),
            classes: classifier.classes(),
        }));
    }
    let uart = config
        .uart
        .as_ref()
        .map(Uart::open)
        .transpose()
        .map_err(ServiceError::Uart)?;
    let gpio = config
        .gpio
        .as_ref()
        .map(GpioOutputs::open)
        .transpose()
        .map_err(ServiceError::Gpio)?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut source = match source {
        Some(s) => s,
        None => open_camera(&config, &stop)?,
    };
    source.set_stop(Arc::clone(&stop));
    Ok(Service {
        config,
        tx,
        rx,
        input,
        classifier,
        labels,
        uart,
        gpio,
        source,
        stop,
    })
}

fn open_camera(
    config: &Config,
    stop: &Arc<AtomicBool>,
) -> Result<Box<dyn FrameSource>, ServiceError> {
    let Source::Camera {
        device,
        width,
        height,
        fps,
        buffers,
        formats,
    } = &config.source
    else {
        unreachable!("prepare opens every source but the camera");
    };
    let mut c = CameraConfig::new(device);
    (c.width, c.height, c.fps, c.buffers, c.formats) =
        (*width, *height, *fps, *buffers, formats.clone());
    let camera = ResilientCamera::open(&c)
        .map_err(|e| ServiceError::Source(e.into()))?
        .with_stop(Arc::clone(stop));
    Ok(Box::new(camera))
}

impl Service {
    /// Runs until a signal, the frame limit, the end of a finite source, or a failure.
    pub fn serve(
        self,
        signals: &Signals,
        notifier: &Notifier,
        options: &RunOptions,
    ) -> Result<Outcome, ServiceError> {
        results::serve(self, signals, notifier, options)
    }
}

/// [`prepare`], [`start`] and [`Service::serve`] in one call.
pub fn run(
    config: Config,
    signals: &Signals,
    notifier: &Notifier,
    options: &RunOptions,
) -> Result<Outcome, ServiceError> {
    start(prepare(config)?)?.serve(signals, notifier, options)
}

/// Sets `stop` when `signals` ask for it; used where a loop must end within [`TICK`].
fn stopping(stop: &AtomicBool, signals: &Signals) -> bool {
    stop.load(Ordering::Relaxed) || signals.terminate.load(Ordering::Relaxed)
}
