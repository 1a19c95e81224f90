//! The results loop (the calling thread). It wakes for each result and for each tick of the
//! control thread, so everything it does besides results (UART answers, status lines, the
//! watchdog, the stop) happens within a [`TICK`](super::TICK) whether results come or not.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::capture::Capture;
use super::control::Control;
use super::{
    Counters, DRAIN_LIMIT, LEAVE_LIMIT, Notifier, Outcome, Prepared, RunOptions, Service,
    ServiceError, Signals, stopping,
};
use crate::classify::{Classifier, Labels};
use crate::output::gpio::GpioOutputs;
use crate::output::protocol::{self, Status};
use crate::output::uart::Uart;
use crate::pipeline::{Monitor, Output, PopError, Popped, Receiver};

/// Where the protocol lines go: the UART, and stdout when asked.
struct Emitter<'a> {
    uart: &'a Option<Uart>,
    stdout: Option<std::io::StdoutLock<'static>>,
}

impl Emitter<'_> {
    fn emit(&mut self, line: &protocol::Line) {
        if let Some(u) = self.uart {
            u.send(line.clone());
        }
        if let Some(out) = self.stdout.as_mut() {
            let _ = out.write_all(line.as_bytes());
        }
    }
}

/// The status line's numbers now.
fn refresh(status: &mut Status, counters: &Counters, uart: &Option<Uart>) {
    status.captured = counters.captured.load(Ordering::Relaxed);
    status.dropped = counters.dropped.load(Ordering::Relaxed);
    status.errors = counters.errors.load(Ordering::Relaxed);
    status.uart_dropped = uart
        .as_ref()
        .map_or(0, |u| u.stats().dropped.load(Ordering::Relaxed));
}

fn systemd_status(status: &Status, monitor: &Monitor) -> String {
    let stages: Vec<String> = monitor
        .stats()
        .stages
        .iter()
        .map(|s| format!("s{}={:.1}ms", s.segment, s.p50_ns as f64 / 1e6))
        .collect();
    format!(
        "STATUS=fps={:.1} dropped={} errors={} age={:.1}ms {}",
        status.fps,
        status.dropped,
        status.errors,
        status.age_ms,
        stages.join(" ")
    )
}

/// The results loop's state and what it writes to.
struct Results<'a> {
    classifier: Classifier,
    labels: Labels,
    gpio: Option<GpioOutputs>,
    uart: &'a Option<Uart>,
    out: Emitter<'a>,
    counters: &'a Counters,
    notifier: &'a Notifier,
    monitor: Monitor,
    started: Instant,
    status_interval: Duration,
    status: Status,
    ready: bool,
    watchdog: Option<Duration>,
    last_watchdog: Instant,
    /// Frames captured when the last wake found nothing in flight (`None`: it did not).
    idle_mark: Option<u64>,
    last_status: Instant,
    frames_at_status: u64,
    /// (sum of the ages at segment 0 in ms, frames) since the last status line.
    ages: (f64, u64),
    /// When the stop began, and when the frames that had not drained were given up.
    stop_began: Option<Instant>,
    cancelled_at: Option<Instant>,
}

impl Results<'_> {
    /// Classifies one result, drives GPIO and writes its C line.
    fn result(&mut self, frame: &Output<'_>) {
        let tag = frame.tag();
        let latency_ms =
            (self.started.elapsed().as_nanos() as u64).saturating_sub(tag.captured_ns) as f64 / 1e6;
        // The frame's age when segment 0 began on it: how long it waited to enter.
        if let Some(entered) = frame.entered() {
            let captured = self.started + Duration::from_nanos(tag.captured_ns);
            self.ages.0 += entered.saturating_duration_since(captured).as_secs_f64() * 1e3;
            self.ages.1 += 1;
        }
        let top = self.classifier.classify(frame.tensor(0).1);
        let labels = &self.labels;
        let top1 = top.first().map(|c| (labels.name(c.index), c.score));
        self.status.camera_ok = !self.counters.camera_lost.load(Ordering::Relaxed);
        if let Some(g) = self.gpio.as_mut()
            && let Err(e) = g
                .update(top1)
                .and_then(|()| g.set_fault(!self.status.camera_ok))
        {
            tracing::warn!(error = %e, "gpio");
            self.counters.errors.fetch_add(1, Ordering::Relaxed);
        }
        if !self.status.paused {
            self.out.emit(&protocol::classification(
                tag.frame,
                tag.captured_ns / 1_000_000,
                latency_ms,
                top.iter().map(|c| (c.index, c.score, labels.name(c.index))),
            ));
        }
        self.status.frames += 1;
        if !self.ready {
            self.notifier.send("READY=1");
            tracing::info!("ready: the first frame went through");
            self.ready = true;
        }
        self.idle_mark = None;
        self.ping();
    }

    /// A tick with no result: the watchdog may still be fed, but only while the pipeline
    /// holds no frame (and took none) for a whole tick. A frame held with no result coming
    /// is a hung stage or TPU, which is what the watchdog is for: then it is not fed.
    fn tick(&mut self, in_flight: u64) {
        let captured = self.counters.captured.load(Ordering::Relaxed);
        let idle = in_flight == 0;
        if idle && self.idle_mark == Some(captured) {
            self.ping();
        }
        self.idle_mark = idle.then_some(captured);
    }

    /// WATCHDOG=1 when due, once the first result came.
    fn ping(&mut self) {
        if self.ready
            && self
                .watchdog
                .is_some_and(|w| self.last_watchdog.elapsed() >= w)
        {
            self.notifier.send("WATCHDOG=1");
            self.last_watchdog = Instant::now();
        }
    }

    /// Answers the UART's commands, and writes the status line when due.
    fn housekeeping(&mut self, skipped: u64) {
        self.status.camera_ok = !self.counters.camera_lost.load(Ordering::Relaxed);
        if let Some(u) = self.uart {
            while let Some(c) = u.try_command() {
                refresh(&mut self.status, self.counters, self.uart);
                self.status.dropped += skipped;
                u.send(protocol::answer(c, &mut self.status));
            }
        }
        if self.last_status.elapsed() >= self.status_interval {
            let secs = self.last_status.elapsed().as_secs_f64();
            self.status.fps = (self.status.frames - self.frames_at_status) as f64 / secs;
            refresh(&mut self.status, self.counters, self.uart);
            self.status.dropped += skipped;
            self.status.age_ms = self.ages.0 / self.ages.1.max(1) as f64;
            self.ages = (0.0, 0);
            self.out.emit(&protocol::status(&self.status));
            self.notifier
                .send(&systemd_status(&self.status, &self.monitor));
            (self.last_status, self.frames_at_status) = (Instant::now(), self.status.frames);
        }
    }

    /// A stop in three steps, each bounded: the frames in flight drain for [`DRAIN_LIMIT`];
    /// then those not finished are given up (stages stop invoking, what they pass on is
    /// discarded and counted); [`LEAVE_LIMIT`] later, a stage still in an invoke (an engine
    /// cannot be interrupted) is left behind. `true`: leave now.
    fn stop_step(&mut self, stopping: bool) -> bool {
        if !stopping {
            return false;
        }
        let began = *self.stop_began.get_or_insert_with(Instant::now);
        match self.cancelled_at {
            None if began.elapsed() >= DRAIN_LIMIT => {
                tracing::warn!(
                    limit_s = DRAIN_LIMIT.as_secs_f64(),
                    "frames in flight did not drain in time: giving them up"
                );
                self.monitor.cancel();
                self.cancelled_at = Some(Instant::now());
                false
            }
            Some(at) => at.elapsed() >= LEAVE_LIMIT,
            None => false,
        }
    }
}

impl<'a> Results<'a> {
    /// A results loop writing to `out` (the header already written).
    fn new(
        (classifier, labels, gpio): (Classifier, Labels, Option<GpioOutputs>),
        out: Emitter<'a>,
        counters: &'a Counters,
        notifier: &'a Notifier,
        monitor: Monitor,
        status_interval: Duration,
    ) -> Self {
        let now = Instant::now();
        Results {
            classifier,
            labels,
            gpio,
            uart: out.uart,
            out,
            counters,
            notifier,
            monitor,
            started: now,
            status_interval,
            status: Status {
                camera_ok: true,
                ..Default::default()
            },
            ready: false,
            watchdog: notifier.watchdog_interval(),
            last_watchdog: now,
            idle_mark: None,
            last_status: now,
            frames_at_status: 0,
            ages: (0.0, 0),
            stop_began: None,
            cancelled_at: None,
        }
    }

    /// Pops, classifies and writes until the stream ends, a stage fails, or a stop leaves a
    /// stage behind; returns the frames left behind then.
    fn run(
        &mut self,
        rx: &mut Receiver,
        stop: &AtomicBool,
        signals: &Signals,
        max_frames: Option<u64>,
    ) -> Result<u64, PopError> {
        loop {
            let woken = match rx.pop_or_wake()? {
                Popped::Result(frame) => {
                    self.result(&frame);
                    false
                }
                Popped::Woken => true,
                Popped::Closed => return Ok(0),
            };
            if woken {
                self.tick(rx.in_flight());
            }
            self.housekeeping(rx.skipped());
            if max_frames.is_some_and(|m| self.status.frames >= m) {
                stop.store(true, Ordering::Relaxed);
            }
            if self.stop_step(stopping(stop, signals)) {
                let left = rx.in_flight();
                tracing::warn!(
                    frames = left,
                    limit_s = LEAVE_LIMIT.as_secs_f64(),
                    "a stage is still invoking: leaving its frames behind"
                );
                return Ok(left);
            }
        }
    }

    /// The last word: the final status line, where every frame taken is classified or
    /// dropped (counted: skipped for a newer one, given up at a slow stop, or `left` behind
    /// in a stage that did not finish); the stages' statistics in the log. Returns the GPIO.
    fn finish(self, rx: &Receiver, left: u64) -> Option<GpioOutputs> {
        let Results {
            mut status,
            gpio,
            mut out,
            counters,
            uart,
            monitor,
            ..
        } = self;
        refresh(&mut status, counters, uart);
        status.dropped += rx.cancelled() + rx.skipped() + left;
        out.emit(&protocol::status(&status));
        for st in monitor.stats().stages {
            tracing::info!(
                segment = st.segment,
                invokes = st.count,
                mean_ms = st.mean_ns as f64 / 1e6,
                p50_ms = st.p50_ns as f64 / 1e6,
                "stage"
            );
        }
        gpio
    }
}

pub(super) fn serve(
    service: Service,
    signals: &Signals,
    notifier: &Notifier,
    options: &RunOptions,
) -> Result<Outcome, ServiceError> {
    let Service {
        config,
        tx,
        mut rx,
        input,
        classifier,
        labels,
        uart,
        gpio,
        source,
        stop,
    } = service;
    let monitor = rx.monitor();
    let counters = Counters::default();
    let model_name = config.segments[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Emitter {
        uart: &uart,
        stdout: options.stdout.then(|| std::io::stdout().lock()),
    };
    out.emit(&protocol::header(
        env!("CARGO_PKG_VERSION"),
        &model_name,
        classifier.classes(),
    ));
    let parts = (classifier, labels, gpio);
    let mut r = Results::new(
        parts,
        out,
        &counters,
        notifier,
        monitor.clone(),
        config.status_interval,
    );
    let done = AtomicBool::new(false);
    let reload: Mutex<Option<Prepared>> = Mutex::new(None);
    let result = std::thread::scope(|scope| {
        let capture = Capture {
            source,
            tx,
            input,
            fit: config.fit,
            counters: &counters,
            stop: &stop,
            signals,
            started: r.started,
        };
        let capture = scope.spawn(move || capture.run());
        let control = Control {
            file: config.file.clone(),
            signals,
            notifier,
            monitor,
            stop: &stop,
            done: &done,
            reload: &reload,
        };
        let control = scope.spawn(move || control.run());
        let result = r.run(&mut rx, &stop, signals, options.max_frames);
        stop.store(true, Ordering::Relaxed);
        let _ = capture.join();
        done.store(true, Ordering::Relaxed);
        let _ = control.join();
        result
    });
    let mut gpio = r.finish(&rx, *result.as_ref().unwrap_or(&0));
    let terminated = signals.terminate.load(Ordering::Relaxed);
    // At SIGTERM a stage stuck in an invoke must not hold the process past systemd's limit.
    if terminated {
        let left = rx.shut_down(LEAVE_LIMIT);
        if left > 0 {
            tracing::warn!(threads = left, "stage threads left running at exit");
        }
    } else {
        drop(rx);
    }
    result?;
    if let Some(g) = gpio.as_mut()
        && let Err(e) = g.safe()
    {
        tracing::warn!(error = %e, "gpio safe state");
    }
    drop(uart);
    Ok(
        match reload.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(new) if !terminated => Outcome::Reload(Box::new(new)),
            _ if terminated || options.max_frames.is_some() => Outcome::Stopped,
            _ => Outcome::Finished,
        },
    )
}
