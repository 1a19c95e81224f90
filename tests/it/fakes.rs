//! Test doubles for the pipeline: engines with known arithmetic, delays and failures, and a
//! timeout guard so a hang fails a test instead of stalling the suite.

use std::time::Duration;

#[path = "../support/add_stage.rs"]
mod add_stage;
pub use add_stage::{AddStage, add_chain, boxed};

/// Runs `f` on a thread and fails the test if it does not finish within `secs` seconds.
pub fn within<T: Send + 'static>(
    secs: u64,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => {
            handle.join().expect("test thread");
            v
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what}: hung for {secs} s"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("{what}: finished without a result"),
        },
    }
}
