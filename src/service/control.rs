//! The control thread: every [`TICK`] it wakes the results loop (so a stop, a UART command
//! or a watchdog ping never waits for a result), tells systemd a stop began, and on SIGHUP
//! prepares the new configuration beside it, so the ticks go on while a reload is checked.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use super::error::chain;
use super::{Notifier, Prepared, ServiceError, Signals, TICK, prepare};
use crate::config::Config;
use crate::pipeline::Monitor;

/// What the control thread shares with the results loop.
pub(super) struct Control<'a> {
    pub file: PathBuf,
    pub signals: &'a Signals,
    pub notifier: &'a Notifier,
    pub monitor: Monitor,
    /// Set here at SIGTERM or for a good reload; the source's waits look at it.
    pub stop: &'a AtomicBool,
    /// Set by the results loop when it is done.
    pub done: &'a AtomicBool,
    /// A good new configuration, for the caller to start.
    pub reload: &'a Mutex<Option<Prepared>>,
}

/// Reads and prepares `file` (the same step as `run`'s start).
fn load(file: PathBuf) -> Result<Prepared, ServiceError> {
    prepare(Config::load(&file)?)
}

impl Control<'_> {
    /// Runs until the results loop is done.
    pub fn run(self) {
        let mut stopping = false;
        let mut checking: Option<JoinHandle<Result<Prepared, ServiceError>>> = None;
        while !self.done.load(Ordering::Relaxed) {
            self.monitor.wake();
            self.notice_terminate(&mut stopping);
            if checking.is_none() && !stopping && self.signals.reload.swap(false, Ordering::Relaxed)
            {
                let file = self.file.clone();
                checking = Some(std::thread::spawn(move || load(file)));
            }
            if checking.as_ref().is_some_and(JoinHandle::is_finished)
                && let Some(handle) = checking.take()
            {
                self.reloaded(handle.join(), stopping);
            }
            std::thread::sleep(TICK);
        }
        // Capture sees SIGTERM itself, so a quick pipeline can drain and end the run between
        // two ticks: systemd is still told the stop began.
        self.notice_terminate(&mut stopping);
        // A check still running when the run ends is not waited for: its result is not used.
    }

    /// At SIGTERM (once): STOPPING=1, and the stop flag the source's waits look at.
    fn notice_terminate(&self, stopping: &mut bool) {
        if self.signals.terminate.load(Ordering::Relaxed) && !*stopping {
            self.notifier.send("STOPPING=1");
            tracing::info!("stopping: draining the frames in flight");
            *stopping = true;
            self.stop.store(true, Ordering::Relaxed);
        }
    }

    /// A reload check ended: a good configuration stops this run for the caller to start it.
    fn reloaded(
        &self,
        result: std::thread::Result<Result<Prepared, ServiceError>>,
        stopping: bool,
    ) {
        let file = self.file.display();
        match result {
            Ok(Ok(new)) if !stopping => {
                self.notifier.send("RELOADING=1");
                tracing::info!(file = %file, "reloading the configuration");
                *self.reload.lock().unwrap_or_else(|p| p.into_inner()) = Some(new);
                self.stop.store(true, Ordering::Relaxed);
            }
            Ok(Ok(_)) => {
                tracing::info!(file = %file, "stopping: the new configuration is not used")
            }
            Ok(Err(e)) => tracing::error!(
                error = %chain(&e),
                "new configuration rejected; the running one goes on"
            ),
            Err(_) => tracing::error!(
                file = %file,
                "checking the new configuration panicked; the running one goes on"
            ),
        }
    }
}
