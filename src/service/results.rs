//! The results loop (the calling thread) and the control thread beside it.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use super::capture::Capture;
use super::error::chain;
use super::{
    Counters, Notifier, Outcome, Prepared, RunOptions, Service, ServiceError, Signals, TICK,
    prepare,
};
use crate::config::Config;
use crate::output::protocol::{self, Status};
use crate::output::uart::Uart;
use crate::pipeline::Monitor;

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

/// The control thread: every [`TICK`], tells systemd a stop began, and on SIGHUP prepares the
/// new configuration; a good one is handed over through `reload` and stops this run.
fn control(
    config: &Config,
    signals: &Signals,
    notifier: &Notifier,
    stop: &AtomicBool,
    done: &AtomicBool,
    reload: &Mutex<Option<Prepared>>,
) {
    let mut stopping = false;
    loop {
        let finished = done.load(Ordering::Relaxed);
        if signals.terminate.load(Ordering::Relaxed) && !stopping {
            notifier.send("STOPPING=1");
            tracing::info!("stopping: draining the frames in flight");
            stopping = true;
            // The source's waits look at this flag, not at the signals.
            stop.store(true, Ordering::Relaxed);
        }
        if !stopping && !finished && signals.reload.swap(false, Ordering::Relaxed) {
            let file = &config.file;
            match Config::load(file)
                .map_err(ServiceError::from)
                .and_then(prepare)
            {
                Ok(new) => {
                    notifier.send("RELOADING=1");
                    tracing::info!(file = %file.display(), "reloading the configuration");
                    *reload.lock().unwrap_or_else(|p| p.into_inner()) = Some(new);
                    stop.store(true, Ordering::Relaxed);
                }
                Err(e) => tracing::error!(
                    error = %chain(&e),
                    "new configuration rejected; the running one goes on"
                ),
            }
        }
        if finished {
            return;
        }
        std::thread::sleep(TICK);
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
        mut classifier,
        labels,
        uart,
        mut gpio,
        source,
        stop,
    } = service;
    let monitor = rx.monitor();
    let counters = Counters::default();
    let started = Instant::now();
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
    let done = AtomicBool::new(false);
    let reload: Mutex<Option<Prepared>> = Mutex::new(None);
    // The results loop drops `drained` when it is done; capture gives it DRAIN_LIMIT.
    let (drained, drain_done) = channel::<()>();
    let mut status = Status {
        camera_ok: true,
        ..Default::default()
    };
    let result = std::thread::scope(|scope| {
        let capture = Capture {
            source,
            tx,
            input,
            fit: config.fit,
            counters: &counters,
            stop: &stop,
            signals,
            started,
            monitor: monitor.clone(),
        };
        let capture = scope.spawn(move || capture.run(drain_done));
        let control = scope.spawn(|| control(&config, signals, notifier, &stop, &done, &reload));
        let mut ready = false;
        let mut last_watchdog = Instant::now();
        let mut last_status = Instant::now();
        let mut frames_at_status = 0u64;
        // (sum of the ages at segment 0 in ms, frames) since the last status line.
        let mut ages = (0f64, 0u64);
        let watchdog = notifier.watchdog_interval();
        let result = loop {
            let frame = match rx.pop() {
                Ok(Some(frame)) => frame,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            };
            let tag = frame.tag();
            let latency_ms =
                (started.elapsed().as_nanos() as u64).saturating_sub(tag.captured_ns) as f64 / 1e6;
            // The frame's age when segment 0 began on it: how long it waited to enter.
            if let Some(entered) = frame.entered() {
                let captured = started + Duration::from_nanos(tag.captured_ns);
                ages.0 += entered.saturating_duration_since(captured).as_secs_f64() * 1e3;
                ages.1 += 1;
            }
            let top = classifier.classify(frame.tensor(0).1);
            let top1 = top.first().map(|c| (labels.name(c.index), c.score));
            status.camera_ok = !counters.camera_lost.load(Ordering::Relaxed);
            if let Some(g) = gpio.as_mut()
                && let Err(e) = g.update(top1).and_then(|()| g.set_fault(!status.camera_ok))
            {
                tracing::warn!(error = %e, "gpio");
                counters.errors.fetch_add(1, Ordering::Relaxed);
            }
            if !status.paused {
                out.emit(&protocol::classification(
                    tag.frame,
                    tag.captured_ns / 1_000_000,
                    latency_ms,
                    top.iter().map(|c| (c.index, c.score, labels.name(c.index))),
                ));
            }
            drop(frame);
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
                refresh(&mut status, &counters, &uart);
                status.dropped += rx.skipped();
                status.age_ms = ages.0 / ages.1.max(1) as f64;
                ages = (0.0, 0);
                out.emit(&protocol::status(&status));
                notifier.send(&systemd_status(&status, &monitor));
                (last_status, frames_at_status) = (Instant::now(), status.frames);
            }
            if options.max_frames.is_some_and(|m| status.frames >= m) {
                stop.store(true, Ordering::Relaxed);
            }
        };
        stop.store(true, Ordering::Relaxed);
        drop(drained);
        let _ = capture.join();
        done.store(true, Ordering::Relaxed);
        let _ = control.join();
        result
    });
    // The last word: every frame taken is classified, dropped (counted, with those given up
    // at a slow stop), or was in flight.
    refresh(&mut status, &counters, &uart);
    status.dropped += rx.cancelled() + rx.skipped();
    out.emit(&protocol::status(&status));
    drop(out);
    for st in monitor.stats().stages {
        tracing::info!(
            segment = st.segment,
            invokes = st.count,
            mean_ms = st.mean_ns as f64 / 1e6,
            p50_ms = st.p50_ns as f64 / 1e6,
            "stage"
        );
    }
    result?;
    if let Some(g) = gpio.as_mut()
        && let Err(e) = g.safe()
    {
        tracing::warn!(error = %e, "gpio safe state");
    }
    drop(uart);
    let terminated = signals.terminate.load(Ordering::Relaxed);
    Ok(
        match reload.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(new) if !terminated => Outcome::Reload(Box::new(new)),
            _ if terminated || options.max_frames.is_some() => Outcome::Stopped,
            _ => Outcome::Finished,
        },
    )
}
