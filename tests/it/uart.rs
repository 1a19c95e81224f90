//! The UART output on a pseudo-terminal pair (the host end of the line is the pty master).

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::pty::openpty;

use edgepipe::output::protocol::{self, Command, CommandError};
use edgepipe::output::uart::{Uart, UartConfig, UartError};

use crate::util::temp_dir;

/// A pty pair: the master (our host end) and the slave's path (the device the firmware opens).
fn pty() -> (File, PathBuf, OwnedFd) {
    let p = openpty(None, None).expect("openpty");
    let path = nix::unistd::ttyname(p.slave.as_fd()).expect("ttyname");
    // Raw, so the line discipline neither echoes nor rewrites what passes.
    let mut t = nix::sys::termios::tcgetattr(p.slave.as_fd()).unwrap();
    nix::sys::termios::cfmakeraw(&mut t);
    nix::sys::termios::tcsetattr(p.slave.as_fd(), nix::sys::termios::SetArg::TCSANOW, &t).unwrap();
    (File::from(p.master), path, p.slave)
}

fn config(device: &Path, queue: usize) -> UartConfig {
    UartConfig {
        device: device.to_path_buf(),
        baud: 115_200,
        flow_control: false,
        queue,
    }
}

/// Reads lines from the master until `n` arrived or `within` passed.
fn read_lines(master: &mut File, n: usize, within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while text.matches('\n').count() < n && Instant::now() < deadline {
        let mut fds = [PollFd::new(master.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(50u16)).unwrap_or(0) > 0 {
            match master.read(&mut buf) {
                Ok(k) if k > 0 => text.push_str(&String::from_utf8_lossy(&buf[..k])),
                _ => break,
            }
        }
    }
    text.lines().map(String::from).collect()
}

#[test]
fn lines_arrive_exactly_and_commands_are_read() {
    let (mut master, path, _slave) = pty();
    let uart = Uart::open(&config(&path, 64)).unwrap();
    let sent: Vec<protocol::Line> = std::iter::once(protocol::header("0.1.0", "demo.tflite", 10))
        .chain(
            (0..5)
                .map(|i| protocol::classification(i, 1000 + i, 12.5, [(3usize, 0.875f32, "cat")])),
        )
        .collect();
    for l in &sent {
        assert!(uart.send(l.clone()));
    }
    let got = read_lines(&mut master, sent.len(), Duration::from_secs(5));
    let want: Vec<String> = sent.iter().map(|l| l.trim_end().to_string()).collect();
    assert_eq!(got, want, "the exact protocol lines");
    assert!(got.iter().all(|l| protocol::parse(l).is_ok()));

    master.write_all(b"status\nversion\nfrobnicate\n").unwrap();
    let long = format!("{}\n", "x".repeat(100));
    master.write_all(long.as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut commands = Vec::new();
    while commands.len() < 4 && Instant::now() < deadline {
        match uart.try_command() {
            Some(c) => commands.push(c),
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    assert_eq!(commands[0], Ok(Command::Status));
    assert_eq!(commands[1], Ok(Command::Version));
    assert!(matches!(&commands[2], Err(CommandError::Unknown(s)) if s == "frobnicate"));
    assert_eq!(commands[3], Err(CommandError::TooLong(100)));
}

/// A reader that stops reading: the producer is not held up, lines are dropped and counted,
/// and what does arrive is intact.
#[test]
fn a_slow_reader_costs_drops_not_a_stalled_producer() {
    let (mut master, path, _slave) = pty();
    let uart = Uart::open(&config(&path, 8)).unwrap();
    let started = Instant::now();
    let mut refused = 0;
    for i in 0..3000u64 {
        if !uart.send(protocol::classification(
            i,
            i,
            1.0,
            [(
                1usize,
                0.5f32,
                "a label long enough to fill the pty buffer quickly",
            )],
        )) {
            refused += 1;
        }
    }
    let producer = started.elapsed();
    // A producer that waited for the line would need hours (the writer gives a stuck line 2 s);
    // a non-blocking one takes milliseconds. The bound is loose so a busy machine cannot trip it.
    assert!(
        producer < Duration::from_secs(5),
        "3000 sends took {producer:?}"
    );
    assert!(refused > 0, "the queue filled");
    let got = read_lines(&mut master, 100_000, Duration::from_millis(1500));
    assert!(!got.is_empty());
    assert!(
        got.iter().all(|l| protocol::parse(l).is_ok()),
        "every line that arrives is intact"
    );
    let stats = uart.stats();
    let dropped = stats.dropped.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        dropped >= refused,
        "drops are counted: {dropped} >= {refused}"
    );
}

/// The peer goes away (the pty closes: EIO) and comes back at the same path (a symlink moved to
/// a new pty): the writer reopens it and lines flow again.
#[test]
fn a_vanished_peer_is_reopened() {
    let dir = temp_dir("uart_reopen");
    let link = dir.join("ttyEDGE");
    let (master, path, slave) = pty();
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let uart = Uart::open(&config(&link, 16)).unwrap();
    drop((master, slave));
    let deadline = Instant::now() + Duration::from_secs(5);
    while uart
        .stats()
        .errors
        .load(std::sync::atomic::Ordering::Relaxed)
        == 0
        && Instant::now() < deadline
    {
        uart.send(protocol::message(false, "into the void"));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        uart.stats()
            .errors
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0,
        "the write error was counted"
    );

    let (mut master2, path2, _slave2) = pty();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&path2, &link).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    while got.is_empty() && Instant::now() < deadline {
        uart.send(protocol::message(false, "back again"));
        got = read_lines(&mut master2, 1, Duration::from_millis(200));
    }
    assert!(
        got.iter().any(|l| l.contains("back again")),
        "lines flow after the reopen: {got:?}"
    );
    assert!(
        uart.stats()
            .reopened
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 1
    );
}

#[test]
fn bad_devices_are_named() {
    let missing = Uart::open(&config(Path::new("/dev/ttyNOPE9"), 4))
        .err()
        .unwrap();
    assert!(
        matches!(missing, UartError::Open { .. }) && missing.to_string().contains("/dev/ttyNOPE9"),
        "{missing}"
    );
    let not_tty = Uart::open(&config(Path::new("/dev/null"), 4))
        .err()
        .unwrap();
    assert_eq!(not_tty.to_string(), "/dev/null: not a tty");
    let (_m, path, _s) = pty();
    let mut c = config(&path, 4);
    c.baud = 12345;
    assert_eq!(Uart::open(&c).err().unwrap(), UartError::Baud(12345));
}
