//! The results loop with a stage and a source the test drives: the watchdog is not fed while
//! a stage holds a frame and no result comes (a hung TPU), and a stop does not wait for that
//! stage. Every step waits for an event, never for a time (the limits are hang guards).

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use super::{Notifier, Outcome, RunOptions, Service, Signals};
use crate::capture::convert::{FrameLayout, PixelFormat};
use crate::capture::{CaptureError, Frame, FrameSource, image_input};
use crate::classify::{Classifier, Labels};
use crate::config::Config;
use crate::engine::{Engine, EngineError, TensorSpec};
use crate::model::DType;
use crate::pipeline::{self, PipelineConfig};

/// How long any one event may take to come (a guard: the events come in milliseconds).
const GUARD: Duration = Duration::from_secs(60);

/// A stage, u8[1,2,2,3] image in and u8[1,4] scores out, that reports each invoke (its
/// number) on `started` and from its second invoke on waits for a token on `go`, or for
/// `go` to be dropped.
struct Held {
    specs: (Vec<TensorSpec>, Vec<TensorSpec>),
    input: Vec<u8>,
    output: Vec<u8>,
    invokes: u64,
    started: Sender<u64>,
    go: Receiver<()>,
}

impl Engine for Held {
    fn inputs(&self) -> &[TensorSpec] {
        &self.specs.0
    }
    fn outputs(&self) -> &[TensorSpec] {
        &self.specs.1
    }
    fn input_mut(&mut self, _: usize) -> &mut [u8] {
        &mut self.input
    }
    fn output(&self, _: usize) -> &[u8] {
        &self.output
    }
    fn invoke(&mut self) -> Result<(), EngineError> {
        let _ = self.started.send(self.invokes);
        if self.invokes > 0 {
            let _ = self.go.recv();
        }
        self.invokes += 1;
        self.output.copy_from_slice(&[200, 10, 10, 10]);
        Ok(())
    }
}

/// One 2x2 RGB frame at once, then one more for each token on `more`, until stopped.
struct Frames {
    pixels: Vec<u8>,
    sent: u64,
    more: Receiver<()>,
    stop: Option<Arc<AtomicBool>>,
}

impl FrameSource for Frames {
    fn next_frame(&mut self) -> Result<Frame<'_>, CaptureError> {
        while self.sent > 0 && self.more.recv_timeout(Duration::from_millis(10)).is_err() {
            if self
                .stop
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Relaxed))
            {
                return Err(CaptureError::End);
            }
        }
        self.sent += 1;
        Ok(Frame {
            data: &self.pixels,
            layout: FrameLayout {
                format: PixelFormat::Rgb24,
                width: 2,
                height: 2,
                stride: 6,
            },
            sequence: self.sent - 1,
            timestamp: Duration::ZERO,
        })
    }

    fn set_stop(&mut self, stop: Arc<AtomicBool>) {
        self.stop = Some(stop);
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edgepipe-service-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A service on `engine` and `source`, with a configuration file in `dir` (status lines
/// every 0.1 s; the segment file is only looked up).
fn service(dir: &Path, engine: Box<dyn Engine>, source: Box<dyn FrameSource>) -> Service {
    std::fs::write(dir.join("seg.tflite"), b"").unwrap();
    std::fs::write(dir.join("labels.txt"), "a\nb\nc\nd\n").unwrap();
    let file = dir.join("edgepipe.toml");
    std::fs::write(
        &file,
        "[source]\nkind = \"pattern\"\n[model]\nsegments = [\"seg.tflite\"]\n\
         labels = \"labels.txt\"\n[status]\ninterval_s = 0.1\n",
    )
    .unwrap();
    let config = Config::load(&file).unwrap();
    let (tx, rx) =
        pipeline::build_replicated(vec![vec![engine]], &PipelineConfig::default()).unwrap();
    let input = image_input(&tx.inputs()[0]).unwrap();
    let classifier = Classifier::new(&rx.outputs()[0], config.classify.clone()).unwrap();
    let labels = Labels::parse("a\nb\nc\nd\n", 4).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut source = source;
    source.set_stop(Arc::clone(&stop));
    Service {
        config,
        tx,
        rx,
        input,
        classifier,
        labels,
        uart: None,
        gpio: None,
        source,
        stop,
    }
}

/// The next notification on `socket`.
fn next(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 1024];
    let n = socket
        .recv(&mut buf)
        .expect("a notification within the guard");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// A notification already queued on the (non-blocking) `socket`, if any.
fn next_now(socket: &UnixDatagram) -> Option<String> {
    let mut buf = [0u8; 1024];
    let n = socket.recv(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// Frame 0 is classified (READY, pings due every millisecond); frame 1 then stays in the
/// stage's invoke. Over the next five status lines (five wakes of the results loop with the
/// frame held) no WATCHDOG=1 is sent: systemd would restart this service, as it should. At
/// SIGTERM `serve` returns although the invoke never ends, and the stage thread is left.
#[test]
fn a_held_frame_stops_the_pings_and_a_stop_does_not_wait_for_it() {
    let dir = temp_dir("held");
    let (started_tx, started) = channel();
    let (go_tx, go) = channel();
    let engine = Held {
        specs: (
            vec![TensorSpec::new("image", DType::Uint8, &[1, 2, 2, 3])],
            vec![TensorSpec::new("scores", DType::Uint8, &[1, 4])],
        ),
        input: vec![0; 12],
        output: vec![0; 4],
        invokes: 0,
        started: started_tx,
        go,
    };
    let (more_tx, more) = channel();
    let source = Frames {
        pixels: vec![128; 12],
        sent: 0,
        more,
        stop: None,
    };
    let service = service(&dir, Box::new(engine), Box::new(source));
    let path = dir.join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket.set_read_timeout(Some(GUARD)).unwrap();
    let notifier = Notifier::to_path(&path, Some(Duration::from_millis(2)));
    let signals = Signals::default();
    let terminate = Arc::clone(&signals.terminate);
    let (done_tx, done) = channel();
    std::thread::spawn(move || {
        let outcome = service.serve(&signals, &notifier, &RunOptions::default());
        let _ = done_tx.send(outcome.map(|o| matches!(o, Outcome::Stopped)));
    });
    while !next(&socket).starts_with("READY=1") {}
    assert_eq!(started.recv_timeout(GUARD), Ok(0), "frame 0's invoke");
    more_tx.send(()).unwrap();
    assert_eq!(started.recv_timeout(GUARD), Ok(1), "frame 1's invoke, held");
    // What was sent before is dropped; a ping decided before frame 1 went in may still
    // arrive (before its iteration's status line): count from the next status line.
    socket.set_nonblocking(true).unwrap();
    while next_now(&socket).is_some() {}
    socket.set_nonblocking(false).unwrap();
    while !next(&socket).starts_with("STATUS=") {}
    let (mut statuses, mut pings) = (0, 0);
    while statuses < 5 {
        let m = next(&socket);
        statuses += usize::from(m.starts_with("STATUS="));
        pings += usize::from(m.starts_with("WATCHDOG=1"));
    }
    assert_eq!(pings, 0, "no ping while the stage holds frame 1");
    terminate.store(true, Ordering::Relaxed);
    let outcome = done
        .recv_timeout(GUARD)
        .expect("serve returned with the stage still invoking");
    assert!(matches!(outcome, Ok(true)), "a clean stop");
    // Only now may the stage's invoke end (and its thread with it).
    drop(go_tx);
    let _ = std::fs::remove_dir_all(&dir);
}
