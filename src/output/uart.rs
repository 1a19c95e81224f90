//! Classifications out on a serial line, commands in.
//!
//! The tty is opened raw, 8N1, at the configured baud (no flow control unless asked), with
//! nix termios. One I/O thread owns it: it writes the lines the producer queued and reads the
//! host's commands. The producer's [`Uart::send`] never waits: the queue is bounded, and a full
//! queue (a line slower than the frame rate, a peer that does not read) drops the line and
//! counts it. When the device fails (EIO, a vanished USB-serial adapter, a pty whose other end
//! closed), the thread drops lines while it reopens the path with backoff (100 ms to 5 s),
//! counting errors and reopens.
//!
//! On drop, lines already queued are written for up to a second, then the thread exits.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::termios::{self, BaudRate, ControlFlags, SetArg};

use super::protocol::{Command, CommandError, CommandReader, Line};

/// Why the UART cannot be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum UartError {
    /// open() failed.
    #[error("{device}: cannot open: {reason}")]
    Open {
        /// The device.
        device: PathBuf,
        /// Why.
        reason: String,
    },
    /// Not a terminal.
    #[error("{device}: not a tty")]
    NotATty {
        /// The device.
        device: PathBuf,
    },
    /// The baud rate is not one the platform supports.
    #[error("baud {0} is not supported (use a standard rate such as 9600, 115200, 921600)")]
    Baud(u32),
    /// termios refused the settings.
    #[error("{device}: cannot configure: {reason}")]
    Configure {
        /// The device.
        device: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Settings of the UART output.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UartConfig {
    /// The tty.
    pub device: PathBuf,
    /// Baud rate.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// RTS/CTS hardware flow control.
    #[serde(default)]
    pub flow_control: bool,
    /// Lines queued for the writer before new ones are dropped.
    #[serde(default = "default_queue")]
    pub queue: usize,
}

fn default_baud() -> u32 {
    115_200
}

fn default_queue() -> usize {
    64
}

/// The termios rate of a standard `baud`, or [`UartError::Baud`].
pub fn baud_rate(baud: u32) -> Result<BaudRate, UartError> {
    Ok(match baud {
        1200 => BaudRate::B1200,
        2400 => BaudRate::B2400,
        4800 => BaudRate::B4800,
        9600 => BaudRate::B9600,
        19200 => BaudRate::B19200,
        38400 => BaudRate::B38400,
        57600 => BaudRate::B57600,
        115_200 => BaudRate::B115200,
        230_400 => BaudRate::B230400,
        460_800 => BaudRate::B460800,
        500_000 => BaudRate::B500000,
        576_000 => BaudRate::B576000,
        921_600 => BaudRate::B921600,
        1_000_000 => BaudRate::B1000000,
        1_500_000 => BaudRate::B1500000,
        2_000_000 => BaudRate::B2000000,
        3_000_000 => BaudRate::B3000000,
        4_000_000 => BaudRate::B4000000,
        other => return Err(UartError::Baud(other)),
    })
}

/// Opens and configures the tty: raw, 8N1, the baud, flow control as configured; non-blocking.
pub fn open_tty(config: &UartConfig) -> Result<File, UartError> {
    let device = config.device.clone();
    let baud = baud_rate(config.baud)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc_flags())
        .open(&config.device)
        .map_err(|e| UartError::Open {
            device: device.clone(),
            reason: e.to_string(),
        })?;
    if !nix::unistd::isatty(file.as_fd()).unwrap_or(false) {
        return Err(UartError::NotATty { device });
    }
    let configure = |e: nix::Error| UartError::Configure {
        device: device.clone(),
        reason: e.to_string(),
    };
    let mut t = termios::tcgetattr(file.as_fd()).map_err(configure)?;
    termios::cfmakeraw(&mut t);
    termios::cfsetspeed(&mut t, baud).map_err(configure)?;
    t.control_flags &= !(ControlFlags::PARENB
        | ControlFlags::CSTOPB
        | ControlFlags::CSIZE
        | ControlFlags::CRTSCTS);
    t.control_flags |= ControlFlags::CS8 | ControlFlags::CREAD | ControlFlags::CLOCAL;
    if config.flow_control {
        t.control_flags |= ControlFlags::CRTSCTS;
    }
    termios::tcsetattr(file.as_fd(), SetArg::TCSANOW, &t).map_err(configure)?;
    Ok(file)
}

fn libc_flags() -> i32 {
    (nix::fcntl::OFlag::O_NOCTTY | nix::fcntl::OFlag::O_NONBLOCK).bits()
}

/// Counters of the UART output.
#[derive(Debug, Default)]
pub struct UartStats {
    /// Lines written.
    pub sent: AtomicU64,
    /// Lines dropped (queue full, device absent, write timed out).
    pub dropped: AtomicU64,
    /// Device errors.
    pub errors: AtomicU64,
    /// Successful reopens after an error.
    pub reopened: AtomicU64,
    /// Whether the device is open now.
    pub connected: AtomicBool,
}

/// The UART output: a queue to the I/O thread and the commands it received.
pub struct Uart {
    tx: Option<SyncSender<Line>>,
    commands: Receiver<Result<Command, CommandError>>,
    stats: Arc<UartStats>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    last_error: Arc<Mutex<Option<String>>>,
}

impl Uart {
    /// Opens the tty now (a missing or wrong device is an error at start) and starts the I/O
    /// thread.
    pub fn open(config: &UartConfig) -> Result<Uart, UartError> {
        let file = open_tty(config)?;
        let (tx, rx) = sync_channel::<Line>(config.queue.max(1));
        let (cmd_tx, commands) = sync_channel(16);
        let stats = Arc::new(UartStats::default());
        stats.connected.store(true, Ordering::Relaxed);
        let stop = Arc::new(AtomicBool::new(false));
        let last_error = Arc::new(Mutex::new(None));
        let io = Io {
            config: config.clone(),
            file: Some(file),
            rx,
            cmd_tx,
            stats: stats.clone(),
            stop: stop.clone(),
            last_error: last_error.clone(),
            reader: CommandReader::default(),
            backoff: Duration::from_millis(100),
            retry_at: Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name("edgepipe-uart".into())
            .spawn(move || io.run())
            .map_err(|e| UartError::Open {
                device: config.device.clone(),
                reason: e.to_string(),
            })?;
        Ok(Uart {
            tx: Some(tx),
            commands,
            stats,
            stop,
            thread: Some(thread),
            last_error,
        })
    }

    /// Queues a line; never waits. False (and counted) when the queue is full.
    pub fn send(&self, line: Line) -> bool {
        let sent = match &self.tx {
            Some(tx) => !matches!(
                tx.try_send(line),
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_))
            ),
            None => false,
        };
        if !sent {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        }
        sent
    }

    /// A command the host sent, if any.
    pub fn try_command(&self) -> Option<Result<Command, CommandError>> {
        self.commands.try_recv().ok()
    }

    /// The counters.
    pub fn stats(&self) -> &UartStats {
        &self.stats
    }

    /// The last device error, if any.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }
}

impl Drop for Uart {
    fn drop(&mut self) {
        // Closing the queue lets the thread write what is queued, then exit.
        drop(self.tx.take());
        let deadline = Instant::now() + Duration::from_secs(1);
        while self.thread.as_ref().is_some_and(|t| !t.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Io {
    config: UartConfig,
    file: Option<File>,
    rx: Receiver<Line>,
    cmd_tx: SyncSender<Result<Command, CommandError>>,
    stats: Arc<UartStats>,
    stop: Arc<AtomicBool>,
    last_error: Arc<Mutex<Option<String>>>,
    reader: CommandReader,
    backoff: Duration,
    retry_at: Instant,
}

const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

impl Io {
    fn run(mut self) {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            if self.file.is_none() && Instant::now() >= self.retry_at {
                self.reopen();
            }
            match self.rx.recv_timeout(Duration::from_millis(20)) {
                Ok(line) => self.write_line(line.as_bytes()),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            self.read_commands();
        }
    }

    fn fail(&mut self, what: &str, e: impl std::fmt::Display) {
        let text = format!("{}: {what}: {e}", self.config.device.display());
        tracing::warn!(error = %text, "uart");
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(text);
        }
        self.stats.errors.fetch_add(1, Ordering::Relaxed);
        self.stats.connected.store(false, Ordering::Relaxed);
        self.file = None;
        self.retry_at = Instant::now() + self.backoff;
    }

    fn reopen(&mut self) {
        match open_tty(&self.config) {
            Ok(file) => {
                tracing::info!(device = %self.config.device.display(), "uart reopened");
                self.file = Some(file);
                self.backoff = Duration::from_millis(100);
                self.stats.reopened.fetch_add(1, Ordering::Relaxed);
                self.stats.connected.store(true, Ordering::Relaxed);
            }
            Err(e) => {
                self.backoff = (self.backoff * 2).min(Duration::from_secs(5));
                self.retry_at = Instant::now() + self.backoff;
                if let Ok(mut last) = self.last_error.lock() {
                    *last = Some(e.to_string());
                }
            }
        }
    }

    /// Writes a whole line, waiting for the tty to take it for at most `WRITE_TIMEOUT`.
    fn write_line(&mut self, mut bytes: &[u8]) {
        let deadline = Instant::now() + WRITE_TIMEOUT;
        while !bytes.is_empty() {
            let Some(file) = self.file.as_mut() else {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            };
            match file.write(bytes) {
                Ok(0) => return self.fail("write", "wrote nothing"),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline || self.stop.load(Ordering::Relaxed) {
                        self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLOUT)];
                    let _ = poll(&mut fds, PollTimeout::from(50u16));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    return self.fail("write", e);
                }
            }
        }
        self.stats.sent.fetch_add(1, Ordering::Relaxed);
    }

    fn read_commands(&mut self) {
        let mut buf = [0u8; 256];
        loop {
            let Some(file) = self.file.as_mut() else {
                return;
            };
            match file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    let tx = &self.cmd_tx;
                    self.reader.feed(&buf[..n], |c| {
                        let _ = tx.try_send(c);
                    });
                }
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::Interrupted =>
                {
                    return;
                }
                Err(e) => return self.fail("read", e),
            }
        }
    }
}

/// Whether `path` names a tty (for configuration checks): `None` when it cannot be opened
/// (absent, busy, no permission), which only running can tell apart.
pub fn is_tty(path: &Path) -> Option<bool> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc_flags())
        .open(path)
        .ok()
        .map(|f| nix::unistd::isatty(f.as_fd()).unwrap_or(false))
}
