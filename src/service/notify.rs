//! The systemd notification protocol (sd_notify): datagrams to `$NOTIFY_SOCKET`. Without that
//! variable (not started by systemd as Type=notify) every call does nothing.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// A handle on `$NOTIFY_SOCKET`.
pub struct Notifier {
    socket: Option<(UnixDatagram, SocketAddr)>,
    watchdog: Option<Duration>,
}

impl Notifier {
    /// Reads `NOTIFY_SOCKET` (a path, or `@name` for an abstract socket) and `WATCHDOG_USEC`
    /// (honoured when `WATCHDOG_PID` is unset or ours).
    pub fn from_env() -> Notifier {
        let socket = std::env::var_os("NOTIFY_SOCKET").and_then(|path| {
            let bytes = path.as_encoded_bytes();
            let addr = match bytes.strip_prefix(b"@") {
                Some(name) => {
                    use std::os::linux::net::SocketAddrExt;
                    SocketAddr::from_abstract_name(name).ok()?
                }
                None => SocketAddr::from_pathname(&path).ok()?,
            };
            let socket = UnixDatagram::unbound().ok()?;
            // A receiver that stops reading must not stall the result loop.
            socket.set_nonblocking(true).ok()?;
            Some((socket, addr))
        });
        let ours = std::env::var("WATCHDOG_PID")
            .map_or(true, |p| p.trim() == std::process::id().to_string());
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|u| u.trim().parse::<u64>().ok())
            .filter(|&u| u > 0 && ours)
            .map(Duration::from_micros);
        Notifier { socket, watchdog }
    }

    /// A notifier sending to the socket at `path`, with a watchdog timeout (tests).
    #[cfg(test)]
    pub(crate) fn to_path(path: &std::path::Path, watchdog: Option<Duration>) -> Notifier {
        let socket = UnixDatagram::unbound().unwrap();
        socket.set_nonblocking(true).unwrap();
        let addr = SocketAddr::from_pathname(path).unwrap();
        Notifier {
            socket: Some((socket, addr)),
            watchdog,
        }
    }

    /// How often to send WATCHDOG=1: half the watchdog timeout, if systemd set one.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog.map(|w| w / 2)
    }

    /// Sends one notification (e.g. `READY=1`) without waiting; errors are logged, never
    /// fatal. A full receive queue drops the message: the next one carries the news.
    pub fn send(&self, message: &str) {
        if let Some((socket, addr)) = &self.socket {
            match socket.send_to_addr(message.as_bytes(), addr) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    tracing::debug!(message, "sd_notify receiver busy; dropped");
                }
                Err(e) => tracing::warn!(error = %e, "sd_notify failed"),
            }
        }
    }
}
