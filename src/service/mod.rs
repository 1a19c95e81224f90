//! The appliance: capture -> pipeline -> classify -> UART + GPIO, forever, under systemd.
//!
//! [`run`] builds everything from a resolved [`Config`], then runs two threads:
//! - capture: takes frames from the source and pushes the newest into the pipeline without
//!   ever waiting (the live policy: a frame waiting for room is replaced by a newer one, and
//!   counted as dropped);
//! - results (the calling thread): pops results in order, classifies them, drives GPIO, writes
//!   the protocol lines, answers UART commands, and tells systemd: `READY=1` after the first
//!   result, `WATCHDOG=1` as results keep coming (a hung stage stops the pings), `STATUS=`
//!   with fps, drops and per-stage latency.
//!
//! SIGTERM or SIGINT: `STOPPING=1`; capture stops, frames in flight are drained and written,
//! the UART is flushed, GPIO lines go to their safe state, and [`run`] returns
//! [`Outcome::Stopped`]. SIGHUP: the configuration file is read again; a bad one is logged and
//! the running configuration goes on; a good one ends this run with [`Outcome::Reload`].

pub mod notify;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use crate::capture::camera::{CameraConfig, ResilientCamera};
use crate::capture::convert::Resampler;
use crate::capture::{CaptureError, FrameSource, Images, Pattern, RawVideo, image_input};
use crate::classify::{Classifier, Labels};
use crate::config::{Config, Source};
use crate::engine::Engine;
use crate::engine::edgetpu::open_segments;
use crate::output::gpio::GpioOutputs;
use crate::output::protocol::{self, Status};
use crate::output::uart::Uart;
use crate::pipeline::{self, PipelineConfig, PopError, Tag};
pub use notify::Notifier;

/// How long the frames in flight may take to drain at a stop before they are given up. The
/// unit's TimeoutStopSec is 10 s, and an invoke already running still finishes after this.
const DRAIN_LIMIT: Duration = Duration::from_secs(2);

/// Why the service could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A part could not be set up (model, device, output); the message names it.
    #[error("{0}")]
    Setup(String),
    /// A segment failed while running.
    #[error(transparent)]
    Stage(#[from] PopError),
}

/// How a run ended.
pub enum Outcome {
    /// SIGTERM or SIGINT, or the frame limit: drained and stopped cleanly.
    Stopped,
    /// SIGHUP with a valid new configuration: start again with it.
    Reload(Box<Config>),
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
    pub fn install() -> std::io::Result<Signals> {
        let s = Signals::default();
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            signal_hook::flag::register(sig, Arc::clone(&s.terminate))?;
        }
        signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&s.reload))?;
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

fn setup(what: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Setup(format!("{what}: {e}"))
}

fn open_source(
    config: &Config,
    stop: Arc<AtomicBool>,
) -> Result<Box<dyn FrameSource>, ServiceError> {
    Ok(match &config.source {
        Source::Camera {
            device,
            width,
            height,
            fps,
            buffers,
            formats,
        } => {
            let mut c = CameraConfig::new(device);
            (c.width, c.height, c.fps, c.buffers, c.formats) =
                (*width, *height, *fps, *buffers, formats.clone());
            Box::new(
                ResilientCamera::open(&c)
                    .map_err(|e| setup("source", e))?
                    .with_stop(stop),
            )
        }
        Source::Images { path, fps } => {
            Box::new(Images::open(path, true, *fps).map_err(|e| setup("source", e))?)
        }
        Source::Video {
            path,
            width,
            height,
            fps,
        } => Box::new(RawVideo::open(path, *width, *height, *fps).map_err(|e| setup("source", e))?),
        Source::Pattern { width, height, fps } => Box::new(Pattern::new(*width, *height, *fps)),
    })
}

/// Counters shared by the two threads.
#[derive(Default)]
struct Counters {
    captured: AtomicU64,
    dropped: AtomicU64,
    errors: AtomicU64,
    camera_lost: AtomicBool,
}

/// Runs the appliance until a signal, the frame limit, or a failure.
pub fn run(
    config: &Config,
    signals: &Signals,
    notifier: &Notifier,
    options: &RunOptions,
) -> Result<Outcome, ServiceError> {
    let bytes = config
        .segments
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| setup(&format!("{}", p.display()), e)))
        .collect::<Result<Vec<_>, _>>()?;
    let engines =
        open_segments(&bytes, &config.engine, &config.devices).map_err(|e| setup("model", e))?;
    let engines: Vec<Box<dyn Engine>> = engines
        .into_iter()
        .map(|e| Box::new(e) as Box<dyn Engine>)
        .collect();
    let (mut tx, mut rx) = pipeline::build(
        engines,
        &PipelineConfig {
            capacity: config.capacity,
        },
    )
    .map_err(|e| setup("pipeline", e))?;
    let (width, height, encoding) = image_input(&tx.inputs()[0]).map_err(|e| setup("model", e))?;
    let output = rx.outputs()[0].clone();
    let mut classifier =
        Classifier::new(&output, config.classify.clone()).map_err(|e| setup("model", e))?;
    let labels =
        Labels::load(&config.labels, classifier.classes()).map_err(|e| setup("model.labels", e))?;
    let uart = config
        .uart
        .as_ref()
        .map(Uart::open)
        .transpose()
        .map_err(|e| setup("uart", e))?;
    let mut gpio = config
        .gpio
        .as_ref()
        .map(GpioOutputs::open)
        .transpose()
        .map_err(|e| setup("gpio", e))?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut source = open_source(config, Arc::clone(&stop))?;
    let monitor = rx.monitor();
    let counters = Counters::default();
    let started = Instant::now();
    let model_name = config.segments[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    let mut stdout = std::io::stdout().lock();
    let emit = |line: &protocol::Line, uart: &Option<Uart>, stdout: &mut std::io::StdoutLock| {
        if let Some(u) = uart {
            u.send(line.clone());
        }
        if options.stdout {
            let _ = stdout.write_all(line.as_bytes());
        }
    };
    emit(
        &protocol::header(env!("CARGO_PKG_VERSION"), &model_name, classifier.classes()),
        &uart,
        &mut stdout,
    );

    // The results loop drops `drained` when it is done; capture gives it DRAIN_LIMIT.
    let (drained, drain_done) = channel::<()>();
    let outcome = std::thread::scope(|scope| -> Result<Outcome, ServiceError> {
        // Capture: never waits for the pipeline.
        let capture = scope.spawn({
            let (stop, terminate, counters) = (&stop, &signals.terminate, &counters);
            let monitor = monitor.clone();
            move || {
                let mut resampler: Option<Resampler> = None;
                while !stop.load(Ordering::Relaxed) && !terminate.load(Ordering::Relaxed) {
                    counters
                        .camera_lost
                        .store(!source.healthy(), Ordering::Relaxed);
                    let frame = match source.next_frame() {
                        Ok(f) => f,
                        Err(CaptureError::End) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "capture");
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                    };
                    counters.captured.fetch_add(1, Ordering::Relaxed);
                    if resampler.as_ref().is_none_or(|r| r.frame() != frame.layout) {
                        match Resampler::new(frame.layout, width, height, config.fit, encoding) {
                            Ok(r) => resampler = Some(r),
                            Err(e) => {
                                tracing::error!(error = %e, "frame geometry");
                                break;
                            }
                        }
                    }
                    let Some(r) = resampler.as_ref() else { break };
                    let tag = Tag {
                        frame: frame.sequence,
                        captured_ns: started.elapsed().as_nanos() as u64,
                    };
                    let mut failed = false;
                    let pushed = tx.push_latest(tag, &mut |_, buf| {
                        failed = r.convert(frame.data, buf).is_err()
                    });
                    if failed {
                        counters.errors.fetch_add(1, Ordering::Relaxed);
                    }
                    match pushed {
                        Ok(
                            pipeline::Live::Sent
                            | pipeline::Live::Waiting
                            | pipeline::Live::Dropped,
                        ) => {}
                        Err(_) => break,
                    }
                    counters
                        .dropped
                        .store(tx.live_dropped() + source.dropped(), Ordering::Relaxed);
                }
                // Closing the sender ends the stream: the results loop drains and stops, unless
                // a slow stage would hold the stop past systemd's limit.
                drop(tx);
                if let Err(RecvTimeoutError::Timeout) = drain_done.recv_timeout(DRAIN_LIMIT) {
                    tracing::warn!(
                        limit_s = DRAIN_LIMIT.as_secs_f64(),
                        "frames in flight did not drain in time: giving them up"
                    );
                    monitor.cancel();
                }
            }
        });

        let mut status = Status {
            camera_ok: true,
            ..Default::default()
        };
        let mut ready = false;
        let mut stopping = false;
        let mut reload: Option<Config> = None;
        let mut last_watchdog = Instant::now();
        let mut last_status = Instant::now();
        let mut frames_at_status = 0u64;
        let watchdog = notifier.watchdog_interval();
        let result = loop {
            let out = match rx.pop() {
                Ok(Some(out)) => out,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            };
            let tag = out.tag();
            let latency_ms =
                (started.elapsed().as_nanos() as u64).saturating_sub(tag.captured_ns) as f64 / 1e6;
            let top = classifier.classify(out.tensor(0).1);
            let top1 = top.first().map(|c| (labels.name(c.index), c.score));
            status.camera_ok = !counters.camera_lost.load(Ordering::Relaxed);
            if let Some(g) = gpio.as_mut()
                && let Err(e) = g.update(top1).and_then(|()| g.set_fault(!status.camera_ok))
            {
                tracing::warn!(error = %e, "gpio");
                counters.errors.fetch_add(1, Ordering::Relaxed);
            }
            if !status.paused {
                let line = protocol::classification(
                    tag.frame,
                    tag.captured_ns / 1_000_000,
                    latency_ms,
                    top.iter().map(|c| (c.index, c.score, labels.name(c.index))),
                );
                emit(&line, &uart, &mut stdout);
            }
            drop(out);
            status.frames += 1;
            if !ready {
                notifier.send("READY=1");
                tracing::info!("ready: the first frame went through");
                ready = true;
            }
            if watchdog.is_some_and(|w| last_watchdog.elapsed() >= w) {
                notifier.send("WATCHDOG=1");
                last_watchdog = Instant::now();
            }
            if let Some(u) = &uart {
                while let Some(c) = u.try_command() {
                    u.send(protocol::answer(c, &mut status));
                }
            }
            if last_status.elapsed() >= config.status_interval {
                let secs = last_status.elapsed().as_secs_f64();
                status.fps = (status.frames - frames_at_status) as f64 / secs;
                status.captured = counters.captured.load(Ordering::Relaxed);
                status.dropped = counters.dropped.load(Ordering::Relaxed);
                status.errors = counters.errors.load(Ordering::Relaxed);
                status.uart_dropped = uart
                    .as_ref()
                    .map_or(0, |u| u.stats().dropped.load(Ordering::Relaxed));
                emit(&protocol::status(&status), &uart, &mut stdout);
                let stages: Vec<String> = monitor
                    .stats()
                    .stages
                    .iter()
                    .map(|s| format!("s{}={:.1}ms", s.segment, s.p50_ns as f64 / 1e6))
                    .collect();
                notifier.send(&format!(
                    "STATUS=fps={:.1} dropped={} errors={} {}",
                    status.fps,
                    status.dropped,
                    status.errors,
                    stages.join(" ")
                ));
                (last_status, frames_at_status) = (Instant::now(), status.frames);
            }
            if options.max_frames.is_some_and(|m| status.frames >= m) {
                stop.store(true, Ordering::Relaxed);
            }
            if signals.reload.swap(false, Ordering::Relaxed) {
                match Config::load(&config.file) {
                    Ok(new) => {
                        notifier.send("RELOADING=1");
                        tracing::info!(file = %config.file.display(), "reloading the configuration");
                        reload = Some(new);
                        stop.store(true, Ordering::Relaxed);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "new configuration rejected; the running one goes on")
                    }
                }
            }
            if signals.terminate.load(Ordering::Relaxed) && !stopping {
                notifier.send("STOPPING=1");
                tracing::info!("stopping: draining the frames in flight");
                stopping = true;
            }
        };
        stop.store(true, Ordering::Relaxed);
        drop(drained);
        let _ = capture.join();
        // The last word: every frame taken is classified, dropped (counted, with those given
        // up at a slow stop), or was in flight.
        status.captured = counters.captured.load(Ordering::Relaxed);
        status.dropped = counters.dropped.load(Ordering::Relaxed) + rx.cancelled();
        status.errors = counters.errors.load(Ordering::Relaxed);
        emit(&protocol::status(&status), &uart, &mut stdout);
        result?;
        if signals.terminate.load(Ordering::Relaxed) && !stopping {
            notifier.send("STOPPING=1");
        }
        Ok(match reload {
            Some(c) => Outcome::Reload(Box::new(c)),
            None if signals.terminate.load(Ordering::Relaxed) || options.max_frames.is_some() => {
                Outcome::Stopped
            }
            None => Outcome::Finished,
        })
    })?;
    if let Some(g) = gpio.as_mut()
        && let Err(e) = g.safe()
    {
        tracing::warn!(error = %e, "gpio safe state");
    }
    drop(uart);
    Ok(outcome)
}
