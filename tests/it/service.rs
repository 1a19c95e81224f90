//! The appliance as systemd runs it: `edgepipe run` with a notify socket, signals, a pty as
//! the UART.

use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use edgepipe::output::protocol;

use crate::util::{copy_labels_distinct, data_dir, segment, temp_dir};

/// mobilenet_v1_0.25 in 2 segments with its labels, and a config using `source`, in `dir`.
pub(crate) fn setup(dir: &Path, data: &Path, source: &str, extra: &str) -> PathBuf {
    let model = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    let labels = data.join("coral/imagenet_labels.txt");
    setup_model(dir, &model, &["-n", "2"], &labels, source, extra)
}

/// Cuts `model` in 2 (`how`: the `segment` arguments) into `dir`, copies `labels` there as
/// labels.txt, and writes a config running the segments from `source`.
pub(crate) fn setup_model(
    dir: &Path,
    model: &Path,
    how: &[&str],
    labels: &Path,
    source: &str,
    extra: &str,
) -> PathBuf {
    segment(model, how, dir);
    copy_labels_distinct(labels, &dir.join("labels.txt"));
    let stem = model.file_stem().unwrap().to_str().unwrap();
    let [seg0, seg1] = [0, 1].map(|i| edgepipe::model::segment_file_name(stem, i, 2));
    let config = dir.join("edgepipe.toml");
    std::fs::write(
        &config,
        format!(
            "[source]\n{source}\n[model]\nsegments = [{seg0:?}, {seg1:?}]\nlabels = \"labels.txt\"\n[status]\ninterval_s = 0.3\n{extra}"
        ),
    )
    .unwrap();
    config
}

fn recv_until(socket: &UnixDatagram, want: &str, within: Duration, seen: &mut Vec<String>) -> bool {
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 1024];
    while Instant::now() < deadline {
        if let Ok(n) = socket.recv(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            seen.push(msg.clone());
            if msg.starts_with(want) {
                return true;
            }
        }
    }
    false
}

/// A 30 fps pattern source through the model's 2 segments, protocol lines to `tty`.
fn setup_pattern_with_uart(dir: &Path, data: &Path, tty: &Path) -> PathBuf {
    let uart = format!("[uart]\ndevice = \"{}\"\n", tty.display());
    setup(
        dir,
        data,
        "kind = \"pattern\"\nsize = \"320x240\"\nfps = 30",
        &uart,
    )
}

/// A pty for the UART: the device path and both ends, which the child does not inherit
/// (openpty's ends survive exec, and an inherited master would keep the peer alive).
fn pty_uart() -> (nix::pty::OpenptyResult, std::path::PathBuf) {
    let pty = nix::pty::openpty(None, None).unwrap();
    for fd in [pty.master.as_fd(), pty.slave.as_fd()] {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        )
        .unwrap();
    }
    let tty = nix::unistd::ttyname(pty.slave.as_fd()).unwrap();
    (pty, tty)
}

/// Starts `edgepipe run` on `config` as systemd would: a notify socket and a watchdog.
fn start(dir: &Path, config: &Path, stdout: Stdio) -> (std::process::Child, UnixDatagram) {
    start_with_watchdog(dir, config, stdout, 400_000)
}

/// [`start`] with a watchdog of `usec` microseconds (pings due every `usec / 2`).
fn start_with_watchdog(
    dir: &Path,
    config: &Path,
    stdout: Stdio,
    usec: u64,
) -> (std::process::Child, UnixDatagram) {
    let socket_path = dir.join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(["run", "--stdout", "--config", config.to_str().unwrap()])
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", usec.to_string())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, socket)
}

/// Waits for the child to exit, at most 5 s after `since` (when SIGTERM was sent).
fn exit_within_5s(child: &mut std::process::Child, since: Instant) -> std::process::ExitStatus {
    exit_within(child, since, 5)
}

fn exit_within(
    child: &mut std::process::Child,
    since: Instant,
    secs: u64,
) -> std::process::ExitStatus {
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if since.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("did not exit within {secs} s: {}", stderr_of(child));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM, then the exit within `secs` (a hang guard), which must be a clean 0; returns the
/// service's stderr.
fn terminate_cleanly(child: &mut std::process::Child, secs: u64) -> String {
    let stop = Instant::now();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let status = exit_within(child, stop, secs);
    let stderr = stderr_of(child);
    assert!(status.success(), "exit status {status:?}: {stderr}");
    stderr
}

fn stderr_of(child: &mut std::process::Child) -> String {
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    stderr
}

#[test]
fn systemd_contract_signals_reload_and_uart() {
    let Some(data) = data_dir("systemd_contract") else {
        return;
    };
    let dir = temp_dir("service");
    let (pty, tty) = pty_uart();
    let config = setup_pattern_with_uart(&dir, &data, &tty);
    let (mut child, socket) = start(&dir, &config, Stdio::null());
    let pid = Pid::from_raw(child.id() as i32);
    let mut seen = Vec::new();
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "READY: {seen:?}"
    );
    assert!(
        recv_until(&socket, "WATCHDOG=1", Duration::from_secs(5), &mut seen),
        "WATCHDOG: {seen:?}"
    );
    assert!(
        recv_until(&socket, "STATUS=fps=", Duration::from_secs(5), &mut seen),
        "STATUS: {seen:?}"
    );

    // A bad new configuration is rejected; the service goes on.
    let good = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, good.replace("fps = 30", "fps = \"fast\"")).unwrap();
    kill(pid, Signal::SIGHUP).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running after a bad reload"
    );
    assert!(
        recv_until(&socket, "WATCHDOG=1", Duration::from_secs(5), &mut seen),
        "still pinging: {seen:?}"
    );
    // A good one is loaded: RELOADING, then READY again.
    std::fs::write(&config, good.replace("fps = 30", "fps = 20")).unwrap();
    kill(pid, Signal::SIGHUP).unwrap();
    assert!(
        recv_until(&socket, "RELOADING=1", Duration::from_secs(10), &mut seen),
        "RELOADING: {seen:?}"
    );
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "READY after reload: {seen:?}"
    );

    // SIGTERM: STOPPING, drained, exit 0 within a few seconds.
    let stop = Instant::now();
    kill(pid, Signal::SIGTERM).unwrap();
    assert!(
        recv_until(&socket, "STOPPING=1", Duration::from_secs(5), &mut seen),
        "STOPPING: {seen:?}"
    );
    let status = exit_within_5s(&mut child, stop);
    assert!(status.success(), "exit status {status:?}");
    let stderr = stderr_of(&mut child);
    assert!(
        stderr.contains("new configuration rejected") && stderr.contains("source.fps"),
        "{stderr}"
    );

    // The UART got a header and classification lines, each intact, sequence numbers rising.
    let mut master = std::fs::File::from(pty.master);
    nix::fcntl::fcntl(
        master.as_fd(),
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    )
    .unwrap();
    let mut out = String::new();
    let mut buf = [0u8; 65536];
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("EP1")).collect();
    assert!(
        lines.iter().all(|l| protocol::parse(l).is_ok()),
        "damaged lines"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("EP1\tH"))
            && lines.iter().any(|l| l.starts_with("EP1\tS"))
    );
    let seqs: Vec<u64> = lines
        .iter()
        .filter(|l| l.starts_with("EP1\tC"))
        .map(|l| l.split('\t').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(seqs.len() > 10, "{} classification lines", seqs.len());
    // Two runs (before and after the reload), each with rising sequence numbers.
    let restarts = seqs.windows(2).filter(|w| w[1] <= w[0]).count();
    assert!(
        restarts <= 1,
        "sequence numbers rise within each run: {seqs:?}"
    );
}

/// Failure drill: the UART's other end goes away while `run` runs. The service keeps
/// classifying (on stdout), keeps pinging the watchdog, counts the lines the UART lost,
/// and still stops cleanly. The test stops reading the notify socket near the end, as a
/// hung manager would: that must not stall the service either.
#[test]
fn uart_peer_gone_under_run() {
    let Some(data) = data_dir("uart_peer_gone_under_run") else {
        return;
    };
    let dir = temp_dir("uart_peer_gone");
    let (pty, tty) = pty_uart();
    let config = setup_pattern_with_uart(&dir, &data, &tty);
    let (mut child, socket) = start(&dir, &config, Stdio::piped());
    let pid = Pid::from_raw(child.id() as i32);
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "READY: {seen:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let before: Vec<String> = lines_rx.try_iter().collect();

    // The peer goes: the pty's master end closes, so writes to the device fail and the
    // device node is gone for reopening.
    drop(pty.master);
    drop(pty.slave);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running with the UART gone"
    );
    seen.clear();
    assert!(
        recv_until(&socket, "WATCHDOG=1", Duration::from_secs(5), &mut seen),
        "still pinging: {seen:?}"
    );

    kill(pid, Signal::SIGTERM).unwrap();
    let stop = Instant::now();
    let status = exit_within_5s(&mut child, stop);
    assert!(status.success(), "exit status {status:?}");
    let stderr = stderr_of(&mut child);
    let after: Vec<String> = lines_rx.iter().collect();

    let last_seq = |lines: &[String]| {
        lines
            .iter()
            .filter(|l| l.starts_with("EP1\tC"))
            .filter_map(|l| l.split('\t').nth(2)?.parse::<u64>().ok())
            .max()
    };
    let (Some(seq_before), Some(seq_after)) = (last_seq(&before), last_seq(&after)) else {
        panic!(
            "classification lines before ({}) and after ({})",
            before.len(),
            after.len()
        );
    };
    assert!(
        seq_after > seq_before + 10,
        "classifying went on: frame {seq_before} then {seq_after}"
    );
    assert!(
        stderr.contains(tty.to_str().unwrap()) && stderr.contains("uart"),
        "the UART failure is logged naming the device: {stderr}"
    );
    let uart_dropped = after
        .iter()
        .filter(|l| l.starts_with("EP1\tS"))
        .filter_map(|l| {
            let f = l.split('\t').find(|f| f.starts_with("uart_dropped="))?;
            f["uart_dropped=".len()..].parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0);
    eprintln!("uart drill: frames {seq_before} then {seq_after}; uart_dropped={uart_dropped}");
    assert!(uart_dropped > 0, "lines lost to the UART are counted");
}

/// A 2-segment model whose second segment fails at invoke, for real, on bright frames: the
/// image's bytes (2x2 RGB) become indices into a 128-row EMBEDDING_LOOKUP table, and TensorFlow
/// Lite refuses an index out of the table. Dark frames (every byte < 128) classify.
pub(crate) fn write_lookup_drill_model(dir: &Path) -> PathBuf {
    use crate::tiny::{CAST, EMBEDDING_LOOKUP, INT32, Op, RESHAPE, T, Tiny, UINT8};
    let t = |name: &str, shape: &[i32], dtype, data: Option<Vec<u8>>| T {
        name: name.into(),
        shape: shape.to_vec(),
        dtype,
        quant: (dtype == UINT8).then_some((1.0 / 256.0, 0)),
        data,
        ..Default::default()
    };
    let i32s = |v: &[i32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let op = |code, inputs: &[i32], outputs: &[i32]| Op {
        code,
        inputs: inputs.to_vec(),
        outputs: outputs.to_vec(),
        ..Default::default()
    };
    let model = Tiny {
        tensors: vec![
            t("image", &[1, 2, 2, 3], UINT8, None),
            t("pixels", &[1, 2, 2, 3], INT32, None),
            t("flat_shape", &[1], INT32, Some(i32s(&[12]))),
            t("indices", &[12], INT32, None),
            t("table", &[128, 1], UINT8, Some((0..128).collect())),
            t("rows", &[12, 1], UINT8, None),
            t("scores_shape", &[2], INT32, Some(i32s(&[1, 12]))),
            t("scores", &[1, 12], UINT8, None),
        ],
        ops: vec![
            op(CAST, &[0], &[1]),
            op(RESHAPE, &[1, 2], &[3]),
            op(EMBEDDING_LOOKUP, &[3, 4], &[5]),
            op(RESHAPE, &[5, 6], &[7]),
        ],
        inputs: vec![0],
        outputs: vec![7],
        subgraphs: 1,
    };
    let whole = dir.join("drill.tflite");
    std::fs::write(&whole, model.bytes()).unwrap();
    whole
}

#[test]
fn a_segment_failing_under_run_stops_the_service_with_exit_1() {
    let dir = temp_dir("segment-fails");
    let model = write_lookup_drill_model(&dir);
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    // In name order: a dark frame (classifies, so READY=1 comes), then a bright one (fails).
    for (name, value) in [("a_dark.png", 40u8), ("b_bright.png", 250)] {
        image::RgbImage::from_pixel(64, 48, image::Rgb([value; 3]))
            .save(photos.join(name))
            .unwrap();
    }
    let labels = dir.join("drill_labels.txt");
    std::fs::write(
        &labels,
        (0..12).map(|i| format!("class {i}\n")).collect::<String>(),
    )
    .unwrap();
    let source = "kind = \"images\"\npath = \"photos\"\nfps = 10";
    let cut = ["--cut-after", "indices"];
    let config = setup_model(&dir, &model, &cut, &labels, source, "");

    let (mut child, socket) = start(&dir, &config, Stdio::piped());
    let mut seen = Vec::new();
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "READY: {seen:?} {}",
        stderr_of(&mut child)
    );
    // No signal: the failure alone must end the run, non-zero, for systemd to restart it (the
    // bright frame comes 0.1 s after the dark one; the bound is only a hang guard, from READY,
    // not from the start, which a loaded machine makes slow).
    let status = exit_within(&mut child, Instant::now(), 20);
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let stderr = stderr_of(&mut child);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("segment 1") && stderr.contains("out of bounds"),
        "the error names the segment and TensorFlow Lite's reason: {stderr}"
    );
    // Frame 0 (dark) was classified and written; the run ended with a status line.
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| protocol::parse(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert!(
        lines.iter().any(|f| f[0] == "C" && f[1] == "0"),
        "frame 0 classified: {stdout}"
    );
    assert_eq!(lines.last().unwrap()[0], "S", "{stdout}");
}

/// The fields of the last line of `lines`, which must be a status line.
fn final_status(lines: &[String]) -> std::collections::HashMap<String, u64> {
    let last = lines.last().map(String::as_str).unwrap_or("");
    assert!(last.starts_with("EP1\tS"), "a final status line: {lines:?}");
    last.split('\t')
        .filter_map(|f| f.split_once('='))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse::<u64>().ok()?)))
        .collect()
}

/// With no frame in flight the watchdog is still fed: at fps 0.01 frame 0 is classified and
/// the next comes in 100 s, and under a 200 ms watchdog (pings due every 100 ms) the pings go
/// on with that one result. (Fed by results alone, systemd would kill this service: the
/// pings would stop at the first one.) That pings stop while a stage holds a frame is shown
/// by `service::tests` in the library, with a stage that hangs on purpose.
#[test]
fn watchdog_pings_go_on_while_no_frame_is_in_flight() {
    let Some(data) = data_dir("watchdog_idle") else {
        return;
    };
    let dir = temp_dir("watchdog_idle");
    let source = "kind = \"pattern\"\nsize = \"160x120\"\nfps = 0.01";
    let config = setup(&dir, &data, source, "");
    let (mut child, socket) = start_with_watchdog(&dir, &config, Stdio::piped(), 200_000);
    let lines = line_reader(&mut child);
    let mut seen = Vec::new();
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "READY: {seen:?} {}",
        stderr_of(&mut child)
    );
    for i in 0..3 {
        assert!(
            recv_until(&socket, "WATCHDOG=1", Duration::from_secs(30), &mut seen),
            "ping {i} after READY: {seen:?}"
        );
    }
    terminate_cleanly(&mut child, 30);
    let all: Vec<String> = lines.iter().collect();
    assert_eq!(
        final_status(&all)["frames"],
        1,
        "one result for all the pings: {all:?}"
    );
}

/// A UART command is answered while no result comes: at fps 0.01, after frame 0, `version`
/// gets its answer (before, commands were read after each result: 100 s later).
#[test]
fn a_uart_command_is_answered_while_no_frame_arrives() {
    let Some(data) = data_dir("uart_idle") else {
        return;
    };
    let dir = temp_dir("uart_idle");
    let (pty, tty) = pty_uart();
    let uart = format!("[uart]\ndevice = \"{}\"\n", tty.display());
    let source = "kind = \"pattern\"\nsize = \"160x120\"\nfps = 0.01";
    let config = setup(&dir, &data, source, &uart);
    let (mut child, socket) = start(&dir, &config, Stdio::piped());
    let lines = line_reader(&mut child);
    let mut seen = Vec::new();
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "READY: {seen:?} {}",
        stderr_of(&mut child)
    );
    let mut master = std::fs::File::from(pty.master);
    let mut reader = master.try_clone().unwrap();
    let (tx, answers) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0
                || tx
                    .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                    .is_err()
            {
                return;
            }
        }
    });
    use std::io::Write;
    master.write_all(b"version\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = String::new();
    while !got.contains("protocol 1") {
        let left = deadline.saturating_duration_since(Instant::now());
        match answers.recv_timeout(left) {
            Ok(text) => got.push_str(&text),
            Err(_) => {
                let tail = &got[got.floor_char_boundary(got.len().saturating_sub(400))..];
                panic!("no answer to `version`; the UART's last bytes: {tail:?}")
            }
        }
    }
    terminate_cleanly(&mut child, 30);
    let all: Vec<String> = lines.iter().collect();
    assert_eq!(
        final_status(&all)["frames"],
        1,
        "answered with no second result: {all:?}"
    );
}

/// A stop is bounded even when an invoke never ends: segment 1 runs on a simulated Edge TPU
/// (the fake libedgetpu) whose every invoke takes an hour. At SIGTERM the frames are given up
/// after the drain limit, the stage still invoking is left behind, and the service exits 0
/// with a final status line that closes the accounting (the frames left behind count as
/// dropped). The 60 s is a hang guard: the stop takes about 4 s, the invoke an hour.
#[test]
fn a_stop_leaves_an_invoke_that_never_ends_behind() {
    let Some(data) = data_dir("stop_hung_invoke") else {
        return;
    };
    let dir = temp_dir("stop_hung_invoke");
    let lib = crate::engine::fake_edgetpu(
        "stop_hung_invoke_tpu",
        "devices=pci:/dev/apex_0\nsim=1\nsim.pci.fixed_us=3600000000\n",
    );
    let engine = format!(
        "[engine]\nedgetpu_lib = {:?}\nlock_dir = {:?}\ndevices = [\"cpu\", \"pci:/dev/apex_0\"]\n",
        lib,
        lib.with_file_name("locks")
    );
    let source = "kind = \"pattern\"\nsize = \"160x120\"\nfps = 30";
    let config = setup(&dir, &data, source, &engine);
    let (mut child, socket) = start(&dir, &config, Stdio::piped());
    let lines = line_reader(&mut child);
    // No result ever comes; the status lines do. Wait until segment 0 has finished a frame
    // (its median shows): that frame is then in segment 1's endless invoke.
    let mut seen: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen
        .iter()
        .any(|m| m.starts_with("STATUS=") && !m.contains("s0=0.0ms"))
    {
        assert!(
            Instant::now() < deadline,
            "segment 0 never finished a frame: {seen:?} {}",
            stderr_of(&mut child)
        );
        recv_until(&socket, "STATUS=", Duration::from_secs(1), &mut seen);
    }
    let stop = Instant::now();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let status = exit_within(&mut child, stop, 60);
    eprintln!(
        "hung invoke: stopped in {:.1} s",
        stop.elapsed().as_secs_f64()
    );
    let stderr = stderr_of(&mut child);
    assert!(status.success(), "{status:?} {stderr}");
    assert!(stderr.contains("giving them up"), "{stderr}");
    assert!(stderr.contains("leaving its frames behind"), "{stderr}");
    let all: Vec<String> = lines.iter().collect();
    let s = final_status(&all);
    assert_eq!(s["frames"], 0, "no invoke of segment 1 ended: {all:?}");
    assert!(
        s["dropped"] >= 1,
        "the frame left behind is counted: {all:?}"
    );
    assert_eq!(
        s["captured"],
        s["frames"] + s["dropped"],
        "every frame taken is classified or counted as dropped: {all:?}"
    );
}

/// A stop does not wait for a slow stage to drain: with InceptionV3 on the built-in engine
/// (seconds per invoke, cut in 2), the frames in flight at SIGTERM are given up after the 2 s
/// drain limit (the invokes already running finish: an engine cannot be interrupted), counted
/// as dropped so the final status line still closes (captured = frames + dropped), exit 0.
/// The time is only a hang guard: the running invokes take what the machine gives them.
#[test]
fn a_stop_gives_up_the_frames_a_slow_stage_has_not_finished() {
    let Some(data) = data_dir("stop_gives_up_slow_frames") else {
        return;
    };
    let dir = temp_dir("slow_stage_stop");
    let model = data.join("generated/keras_inception_v3_299_random_logits_quant.tflite");
    let labels = data.join("labels/imagenet1000_torchvision.txt");
    let source = "kind = \"pattern\"\nsize = \"320x240\"\nfps = 30";
    let engine = "[engine]\nprovider = \"builtin\"\n";
    let config = setup_model(&dir, &model, &["-n", "2"], &labels, source, engine);
    let (mut child, socket) = start(&dir, &config, Stdio::piped());
    let lines = line_reader(&mut child);
    let mut seen = Vec::new();
    // At the first result the next frame has just entered segment 1, a stage of seconds.
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(300), &mut seen),
        "READY: {seen:?} {}",
        stderr_of(&mut child)
    );
    let stop = Instant::now();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let status = exit_within(&mut child, stop, 120);
    eprintln!(
        "slow stage: stopped in {:.1} s",
        stop.elapsed().as_secs_f64()
    );
    let stderr = stderr_of(&mut child);
    assert!(status.success(), "{status:?} {stderr}");
    assert!(stderr.contains("giving them up"), "{stderr}");
    let all: Vec<String> = lines.iter().collect();
    let s = final_status(&all);
    assert!(
        s["dropped"] >= 1,
        "the frames given up are counted: {all:?}"
    );
    assert_eq!(
        s["captured"],
        s["frames"] + s["dropped"],
        "every frame taken is classified or counted as dropped: {all:?}"
    );
}

/// A one-segment model the model reader accepts but TensorFlow Lite cannot build: an image
/// input, a custom op no runtime registers, a score vector out (12 classes).
pub(crate) fn unbuildable_model() -> Vec<u8> {
    use crate::tiny::{CUSTOM, Op, T, Tiny, UINT8};
    let t = |name: &str, shape: &[i32]| T {
        name: name.into(),
        shape: shape.to_vec(),
        dtype: UINT8,
        quant: Some((1.0 / 256.0, 0)),
        ..Default::default()
    };
    Tiny {
        tensors: vec![t("image", &[1, 2, 2, 3]), t("scores", &[1, 12])],
        ops: vec![Op {
            code: CUSTOM,
            custom: Some("NoRuntimeHasThisOp".into()),
            inputs: vec![0],
            outputs: vec![1],
            ..Default::default()
        }],
        inputs: vec![0],
        outputs: vec![1],
        subgraphs: 1,
    }
    .bytes()
}

/// Labels for [`unbuildable_model`]: 12 lines.
pub(crate) fn unbuildable_labels() -> String {
    (0..12).map(|i| format!("c{i}\n")).collect()
}

/// [`unbuildable_model`] and its labels, written into `dir`.
fn write_unbuildable_model(dir: &Path) -> (PathBuf, PathBuf) {
    let path = dir.join("unbuildable.tflite");
    std::fs::write(&path, unbuildable_model()).unwrap();
    let labels = dir.join("unbuildable_labels.txt");
    std::fs::write(&labels, unbuildable_labels()).unwrap();
    (path, labels)
}

/// The protocol lines of a child's stdout, as they come.
fn line_reader(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits up to `within` for a C line with a sequence number above `after`; returns it.
fn next_c_after(
    lines: &std::sync::mpsc::Receiver<String>,
    after: u64,
    within: Duration,
) -> Option<u64> {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(line) = lines.recv_timeout(left) else {
            return None;
        };
        if line.starts_with("EP1\tC")
            && let Some(seq) = line.split('\t').nth(2).and_then(|s| s.parse::<u64>().ok())
            && seq > after
        {
            return Some(seq);
        }
    }
    None
}

/// SIGHUP with a new file that is bad (labels that do not fit the model, a segment that
/// cannot be read, a model TensorFlow Lite cannot build, found by the preflight child) or bad
/// in a way found only when its hardware is opened (a UART absent): the service logs it and
/// goes on classifying with the configuration it runs, and stops with exit 0.
#[test]
fn a_bad_reload_keeps_the_running_configuration() {
    let Some(data) = data_dir("bad_reload") else {
        return;
    };
    let dir = temp_dir("bad_reload");
    let config = setup(
        &dir,
        &data,
        "kind = \"pattern\"\nsize = \"160x120\"\nfps = 30",
        "",
    );
    let good = std::fs::read_to_string(&config).unwrap();
    std::fs::write(dir.join("misfit.txt"), "cat\ndog\n").unwrap();
    std::fs::create_dir_all(dir.join("a_directory.tflite")).unwrap();
    let (unbuildable, unbuildable_labels) = write_unbuildable_model(&dir);
    let segments_line = good.lines().find(|l| l.starts_with("segments")).unwrap();
    let bad_files = [
        (
            "misfit labels",
            good.replace("\"labels.txt\"", "\"misfit.txt\""),
            "model.labels",
        ),
        (
            "an unreadable segment",
            good.replace("segments = [", "segments = [\"a_directory.tflite\", "),
            "model.segments[0]",
        ),
        (
            "a model that fails at build",
            good.replace(
                segments_line,
                &format!("segments = [{:?}]", unbuildable.file_name().unwrap()),
            )
            .replace(
                "\"labels.txt\"",
                &format!("{:?}", unbuildable_labels.file_name().unwrap()),
            ),
            "NoRuntimeHasThisOp",
        ),
        (
            "a UART that cannot be opened (found only at start)",
            good.clone() + "[uart]\ndevice = \"no_such_tty\"\n",
            "failed at start",
        ),
    ];
    let (mut child, socket) = start(&dir, &config, Stdio::piped());
    let pid = Pid::from_raw(child.id() as i32);
    let lines = line_reader(&mut child);
    let mut seen = Vec::new();
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "READY: {seen:?}"
    );
    let mut last = next_c_after(&lines, 0, Duration::from_secs(10)).expect("classifying");
    for (what, body, _) in &bad_files {
        std::fs::write(&config, body).unwrap();
        kill(pid, Signal::SIGHUP).unwrap();
        std::thread::sleep(Duration::from_millis(700));
        assert!(
            child.try_wait().unwrap().is_none(),
            "{what}: the service ended"
        );
        // C lines keep coming (after a failed start the old configuration starts again, so
        // sequence numbers may begin anew: any C line after the reload counts).
        let next = next_c_after(&lines, 0, Duration::from_secs(20));
        assert!(
            next.is_some(),
            "{what}: no classification after the reload (last {last})"
        );
        last = next.unwrap();
    }
    let stderr = terminate_cleanly(&mut child, 5);
    for (what, _, needle) in &bad_files {
        assert!(
            stderr.contains(needle),
            "{what}: the log names '{needle}': {stderr}"
        );
    }
}

/// A stop does not wait for the source: at `fps` (a frame every 100 s, or one frame and then
/// none in the clock's range), SIGTERM ends the run within a second, exit 0, with a final
/// status line. The bound is the issue's; the run itself waits for nothing after the first
/// frame, so the margin is the whole second (the stop takes ~0.1 s).
fn a_slow_source_stops_within_a_second(fps: &str) {
    let Some(data) = data_dir("slow_source_stop") else {
        return;
    };
    let dir = temp_dir(&format!("slow_stop_{fps}"));
    let config = setup(
        &dir,
        &data,
        &format!("kind = \"pattern\"\nsize = \"160x120\"\nfps = {fps}"),
        "",
    );
    let (mut child, socket) = start(&dir, &config, Stdio::piped());
    let lines = line_reader(&mut child);
    let mut seen = Vec::new();
    // The first frame comes at once; the next would come in 100 s, or never.
    assert!(
        recv_until(&socket, "READY=1", Duration::from_secs(20), &mut seen),
        "fps {fps}: READY: {seen:?} {}",
        stderr_of(&mut child)
    );
    std::thread::sleep(Duration::from_millis(500));
    let stop = Instant::now();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let status = exit_within(&mut child, stop, 5);
    let took = stop.elapsed();
    let stderr = stderr_of(&mut child);
    assert!(status.success(), "fps {fps}: {status:?}: {stderr}");
    assert!(
        took < Duration::from_secs(1),
        "fps {fps}: stopped in {took:?}: {stderr}"
    );
    let all: Vec<String> = lines.iter().collect();
    assert!(
        all.iter().any(|l| l.starts_with("EP1\tC\t0\t")),
        "fps {fps}: frame 0 classified: {all:?}"
    );
    assert!(
        all.last().is_some_and(|l| l.starts_with("EP1\tS")),
        "fps {fps}: a final status line: {all:?}"
    );
}

#[test]
fn a_source_at_a_hundredth_fps_stops_within_a_second() {
    a_slow_source_stops_within_a_second("0.01");
}

/// 1e-300 fps: a period no clock holds (it once panicked the pacer; 1e-19 panicked the
/// capture thread and the run "succeeded" with 0 frames).
#[test]
fn a_source_at_1e_300_fps_stops_within_a_second() {
    a_slow_source_stops_within_a_second("1e-300");
    a_slow_source_stops_within_a_second("1e-19");
}
