//! Hardware-in-the-loop bench self-tests: a stock Debian kernel under QEMU with real drivers
//! (vivid camera, gpio-sim, 8250 UART), on x86_64 and on aarch64 (cortex-a53), running the
//! bench's test programs and the edgepipe binary of that architecture. See board/qemu/.
//!
//! Needs the kit prepared by `board/qemu/kit.sh amd64|arm64` (.ci/run does it) and QEMU;
//! without them each test prints SKIP and passes without checking anything. The aarch64
//! binary comes from `tools/aarch64-check.sh` (or `cargo build --target
//! aarch64-unknown-linux-gnu`); without it the arm64 guest runs the self-test only.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/hil_report.rs"]
mod hil_report;
use hil_report::{field, kit_ready, report};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn qemu_present(arch: &str) -> bool {
    let qemu = if arch == "amd64" {
        "qemu-system-x86_64"
    } else {
        "qemu-system-aarch64"
    };
    Command::new(qemu)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the bench for `arch` with `binary` in the payload; returns the UART log.
fn run_bench(arch: &str, binary: Option<&Path>) -> Option<String> {
    if !kit_ready(arch) || !qemu_present(arch) {
        eprintln!("SKIP hil {arch}: no kit or no QEMU (run board/qemu/kit.sh {arch})");
        return None;
    }
    let work = std::env::temp_dir().join(format!("edgepipe-hil-{arch}-{}", std::process::id()));
    let payload = work.join("payload");
    let mut args = vec![arch.to_string(), payload.display().to_string()];
    if let Some(b) = binary {
        args.push(b.display().to_string());
    }
    let made = Command::new(format!("{REPO}/board/qemu/payload.sh"))
        .args(&args)
        .status()
        .expect("payload.sh");
    assert!(made.success(), "payload.sh failed");
    if binary.is_some() {
        add_app(&payload.join("app"));
        if arch == "arm64" {
            add_bundled(&payload);
        }
    }
    let out = Command::new(format!("{REPO}/board/qemu/run.sh"))
        .args([
            arch,
            payload.to_str().unwrap(),
            work.join("out").to_str().unwrap(),
            // About 100-190 s on an idle 2-core host; a loaded one (the two guests run side by
            // side, under TCG) has taken over 240 s for the x86_64 guest.
            "480",
        ])
        .output()
        .expect("run.sh");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{report}");
    let uart = std::fs::read_to_string(work.join("out/uart.log")).unwrap_or_default();
    assert!(out.status.success(), "bench failed on {arch}:\n{report}");
    let _ = std::fs::remove_dir_all(&work);
    Some(uart)
}

/// The Mendel package built by tools/package-deb.sh (tools/deb-check.sh), when there is one:
/// its files in `debroot/`, and a stand-in libedgetpu for aarch64 (tests/fake_edgetpu) for the
/// guest to find by name in /usr/lib/aarch64-linux-gnu.
fn add_bundled(payload: &Path) {
    let deb = Path::new(REPO).join(format!(
        "target/deb/edgepipe_{}_arm64.deb",
        env!("CARGO_PKG_VERSION")
    ));
    if !deb.exists() {
        eprintln!(
            "SKIP the packaged binary in the guest: {} not built (tools/deb-check.sh)",
            deb.display()
        );
        return;
    }
    let run = |cmd: &mut Command| {
        let out = cmd.output().expect("spawn");
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(payload.join("debroot")));
    run(Command::new("aarch64-linux-gnu-gcc").args([
        "-shared",
        "-fPIC",
        "-O1",
        &format!("-I{}", env!("EDGEPIPE_TFLITE_INCLUDE")),
        &format!("{REPO}/tests/fake_edgetpu/fake_edgetpu.c"),
        "-o",
        payload.join("libedgetpu.so.1").to_str().unwrap(),
        "-ldl",
    ]));
}

/// The packaged binary in the busybox guest, which has no libc of its own: it started through
/// the package's loader and libraries, gave the demo's 4 results, and found the stand-in
/// libedgetpu by name (`edgepipe devices` lists its one PCIe TPU).
fn check_bundled(uart: &str) {
    let Some(line) = uart
        .lines()
        .find(|l| l.starts_with("EDGEPIPE-HIL BUNDLED "))
    else {
        return;
    };
    eprintln!("{line}");
    assert_eq!(
        field(line, "nolibc="),
        "1",
        "the guest has no system libc: {line}"
    );
    assert_eq!(
        (field(line, "rc="), field(line, "devices_rc=")),
        ("0", "0"),
        "{line}"
    );
    let results: u32 = field(line, "results=").parse().unwrap();
    assert!(results >= 4, "{line}");
    let devices = field(line, "devices=");
    assert!(
        devices.contains("Edge_TPUs:_1") && devices.contains("/dev/apex_0"),
        "{line}"
    );
}

/// The appliance for the guest: mobilenet_v1_0.25 cut in 2 (CPU segments), its labels, and a
/// configuration reading vivid, writing the UART (its device is filled in by the guest) and
/// driving gpio-sim lines. Skipped without the test data.
fn add_app(dir: &Path) {
    let data = std::env::var_os("EDGEPIPE_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(REPO).join("../shared/models"));
    let model = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    if !model.exists() {
        eprintln!(
            "SKIP edgepipe run in the guest: {} not found",
            model.display()
        );
        return;
    }
    std::fs::create_dir_all(dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args([
            "segment",
            model.to_str().unwrap(),
            "-n",
            "2",
            "--out-dir",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Coral's file names two classes "crane"; edgepipe refuses a repeated label.
    let labels = std::fs::read_to_string(data.join("coral/imagenet_labels.txt")).unwrap();
    let labels = labels.replacen("crane\n", "crane (bird)\n", 1);
    std::fs::write(dir.join("labels.txt"), labels).unwrap();
    std::fs::write(
        dir.join("edgepipe.toml"),
        r#"[source]
kind = "camera"
device = "/dev/video0"
size = "640x480"
fps = 25
[model]
segments = ["mobilenet_v1_0.25_128_quant_segment_0_of_2.tflite", "mobilenet_v1_0.25_128_quant_segment_1_of_2.tflite"]
labels = "labels.txt"
[status]
interval_s = 1
[uart]
device = "@UART@"
[gpio]
heartbeat = { chip = "edgepipe-sim", line = "heartbeat" }
fault = { chip = "edgepipe-sim", line = "led-fault" }
[[gpio.rules]]
chip = "edgepipe-sim"
line = "relay0"
labels = ["tench, Tinca tinca"]
"#,
    )
    .unwrap();
}

/// `edgepipe run` in the guest: READY after the first frame, WATCHDOG and STATUS while running,
/// STOPPING on SIGTERM and exit 0 within 5 s; classification lines on the UART, intact, frame
/// numbers rising; the heartbeat toggling, the never-matching rule and the fault line inactive;
/// the camera drill; after a reload, the rule on the camera's label switching its line on.
fn check_appliance(uart: &str) {
    let run = report(uart, "RUN");
    assert_eq!(field(run, "rc="), "0", "{run}\n{uart}");
    let stop_ms: u64 = field(run, "stop_ms=").parse().unwrap();
    assert!(stop_ms < 5000, "stopped in {stop_ms} ms");
    let beats = field(run, "heartbeat=");
    assert!(
        beats.contains('0') && beats.contains('1'),
        "the heartbeat toggles: {run}"
    );
    assert_eq!(
        (field(run, "rule="), field(run, "fault=")),
        ("0", "0"),
        "{run}"
    );
    // The camera drill: lost once, back, classifying again, never exited.
    let drill = report(uart, "DRILL");
    eprintln!("{run}\n{drill}");
    assert_eq!(
        field(drill, "alive="),
        "1",
        "the service kept running: {drill}"
    );
    assert!(
        field(drill, "lost=") != "0" && field(drill, "recovered=") != "0",
        "{drill}"
    );
    let (before, after): (u64, u64) = (
        field(drill, "before=").parse().unwrap(),
        field(drill, "after=").parse().unwrap(),
    );
    assert!(
        after > before,
        "classification went on after the camera came back: {drill}"
    );
    // Reloaded with relay0's rule on the label the camera showed: the line switched on, and
    // went back to its safe state when the service stopped.
    let rule = report(uart, "RULE");
    eprintln!("{rule}");
    assert!(!field(rule, "label=").is_empty(), "{rule}");
    assert_eq!(
        field(rule, "relay0_on="),
        "1",
        "relay0 follows its rule: {rule}"
    );
    assert_eq!(
        field(run, "relay0_after="),
        "0",
        "safe state after stop: {run}"
    );
    let notify: Vec<&str> = uart
        .lines()
        .filter_map(|l| l.strip_prefix("EDGEPIPE-HIL NOTIFY "))
        .map(|l| l.split_once(' ').map_or(l, |(_, m)| m))
        .collect();
    let at = |m: &str| {
        notify
            .iter()
            .position(|n| n.starts_with(m))
            .unwrap_or_else(|| panic!("no {m} in {notify:?}"))
    };
    assert!(at("READY=1") < at("STOPPING=1"));
    at("WATCHDOG=1");
    at("STATUS=fps=");
    // The run writes a header at start and again after the reload; the `outputs` drill before
    // it writes its own (model=/tmp/replay.txt). Frame numbers rise within each of the run's
    // sections.
    let sections: Vec<&str> = uart
        .split("EP1\tH\tprotocol=1\tfirmware=")
        .skip(1)
        .filter(|s| {
            !s.lines()
                .next()
                .unwrap_or("")
                .contains("model=/tmp/replay.txt")
        })
        .collect();
    assert!(!sections.is_empty(), "the run's header");
    let mut total = 0;
    for section in sections {
        let frames: Vec<u64> = section
            .lines()
            .filter(|l| l.starts_with("EP1\tC\t"))
            .map(|l| {
                edgepipe::output::protocol::parse(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
                l.split('\t').nth(2).unwrap().parse().unwrap()
            })
            .collect();
        assert!(
            frames.windows(2).all(|w| w[1] > w[0]),
            "frame numbers rise: {frames:?}"
        );
        total += frames.len();
    }
    assert!(total >= 5, "{total} classification lines");
}

/// `edgepipe demo` in the guest: at least 4 frames, each photo given its top-1 (the same as on
/// the host: tests/it/demo.rs).
fn check_demo(uart: &str) {
    let demo = report(uart, "DEMO");
    eprintln!("{demo}");
    assert_eq!(field(demo, "rc="), "0", "{demo}");
    let expected = ["", "Egyptian_cat", "espresso", "drilling_platform"];
    let frames: Vec<(u64, &str)> = field(demo, "frames=")
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (frame, label) = p.split_once('=').expect("frame=label");
            (frame.parse().expect("frame number"), label)
        })
        .collect();
    assert!(frames.len() >= 4, "{demo}");
    for (frame, label) in frames {
        assert_eq!(label, expected[frame as usize % 4], "frame {frame}: {demo}");
    }
}

/// Everything the self-test must show, asserted from the UART log.
fn check(arch: &str, uart: &str, expect_edgepipe: bool) {
    let machine = if arch == "amd64" { "x86_64" } else { "aarch64" };
    assert!(
        uart.contains(&format!("EDGEPIPE-HIL BOOTED {machine}")),
        "{uart}"
    );
    // Camera: 10 frames 640x480 YUYV, full frames, the driver at the rate set with S_PARM
    // (25 fps; 20 % for 10 frames' timestamps). A starved guest may miss frames: they are
    // counted (gaps) and must be the exception, but a loaded host is not a failure.
    let cap = uart
        .lines()
        .find(|l| l.starts_with("LOG capture:"))
        .expect("capture line");
    assert_eq!(field(cap, "frames="), "10", "{cap}");
    assert!(cap.contains("format=YUYV 640x480"), "{cap}");
    assert_eq!(field(cap, "bytes_ok="), "1", "{cap}");
    let number = |key: &str| -> u64 { field(cap, key).parse().unwrap() };
    let (first, last, gaps) = (number("seq_first="), number("seq_last="), number("gaps="));
    assert_eq!(first, 0, "{cap}");
    assert!(gaps < 10, "most frames arrive: {cap}");
    assert_eq!(
        last - first + 1,
        10 + gaps,
        "every sequence number accounted for: {cap}"
    );
    let fps: f64 = field(cap, "fps_measured=").parse().unwrap();
    assert!(
        (20.0..=30.0).contains(&fps),
        "driver at {fps} fps for 25 set: {cap}"
    );
    // GPIO: both patterns read back on all five lines, and both edges of the driven input.
    let readbacks: Vec<&str> = uart.lines().filter(|l| l.contains("driven")).collect();
    assert_eq!(readbacks.len(), 10, "{uart}");
    for l in &readbacks {
        let words: Vec<&str> = l.split_whitespace().collect();
        let driven = words.iter().position(|w| *w == "driven").unwrap();
        assert_eq!(words[driven + 1], words[driven + 4], "{l}");
    }
    assert!(
        uart.contains("LOG gpio: drive ok") && uart.contains("LOG gpio: watch ok"),
        "{uart}"
    );
    assert!(
        uart.contains("event rising on offset 6") && uart.contains("event falling on offset 6"),
        "{uart}"
    );
    // UART both ways: a line intact guest -> host; a token host -> guest, echoed back.
    assert!(
        uart.contains(&format!(
            "EDGEPIPE-HIL LINE guest->host 0123456789 abcdefghijklmnopqrstuvwxyz {machine}\n"
        )),
        "{uart}"
    );
    let asked = uart
        .lines()
        .find_map(|l| l.strip_prefix("EDGEPIPE-HIL ASK "))
        .expect("ask line");
    assert!(
        uart.contains(&format!("EDGEPIPE-HIL GOT {asked}\n")),
        "{uart}"
    );
    if expect_edgepipe {
        check_demo(uart);
        check_bundled(uart);
        check_firmware_capture(uart);
        check_firmware_outputs(uart);
        if uart.contains("EDGEPIPE-HIL RUN ")
            || Path::new(REPO).join("../shared/models/coral").exists()
        {
            check_appliance(uart);
        }
    }
    assert!(uart.contains("EDGEPIPE-HIL RESULT PASS"), "{uart}");
}

fn json_line(uart: &str, tag: &str) -> serde_json::Value {
    let line = uart
        .lines()
        .find_map(|l| l.strip_prefix(tag))
        .unwrap_or_else(|| panic!("no {tag} line:\n{uart}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{tag}: {e}: {line}"))
}

/// edgepipe's own capture code against vivid: 100 frames 640x480 YUYV, every sequence number
/// either delivered or counted as dropped, the driver's rate within 10 % of the 25 fps set;
/// vivid's colour bars through the
/// converter; a device that is not a camera refused with exit 2; a camera unbound and bound
/// again mid-stream reopened, the stream going on.
fn check_firmware_capture(uart: &str) {
    let cap = json_line(uart, "EDGEPIPE-HIL CAPTURE ");
    assert_eq!(cap["negotiated"]["layout"]["format"], "Yuyv", "{cap}");
    assert_eq!(
        (
            cap["negotiated"]["layout"]["width"].as_u64(),
            cap["negotiated"]["layout"]["height"].as_u64()
        ),
        (Some(640), Some(480))
    );
    assert_accounted(&cap);
    let fps = cap["fps_measured"].as_f64().unwrap();
    assert!(
        (22.5..=27.5).contains(&fps),
        "the driver at {fps} fps for 25 set: {cap}"
    );
    let bars = json_line(uart, "EDGEPIPE-HIL BARS ");
    assert_eq!(bars["colour_bars"], true, "{bars}");
    let notcap = report(uart, "NOTCAPTURE");
    assert!(
        notcap.contains("rc=2")
            && notcap.contains("/dev/gpiochip0: not a V4L2 streaming capture device"),
        "{notcap}"
    );
    let reopen = json_line(uart, "EDGEPIPE-HIL REOPEN ");
    assert_accounted(&reopen);
    assert!(
        reopen["health"]["lost"].as_u64().unwrap() >= 1
            && reopen["health"]["recovered"].as_u64().unwrap() >= 1,
        "{reopen}"
    );
}

/// 100 frames from sequence 0, every number up to the last either delivered or counted as
/// dropped (a starved guest misses frames; it must not lose count of them, and across a reopen
/// the numbers go on instead of starting again).
fn assert_accounted(cap: &serde_json::Value) {
    let number = |key: &str| cap[key].as_u64().unwrap_or_else(|| panic!("{key}: {cap}"));
    let (frames, first, last, dropped) = (
        number("frames"),
        number("first_sequence"),
        number("last_sequence"),
        number("dropped"),
    );
    assert_eq!((frames, first), (100, 0), "{cap}");
    assert!(dropped < frames / 2, "most frames arrive: {cap}");
    assert_eq!(
        last - first + 1,
        frames + dropped,
        "every sequence number accounted for: {cap}"
    );
}

/// edgepipe's outputs: 8 replayed frames through two label rules (relay0: on after 2 hits of
/// `cat` >= 0.5, off after 2 misses; led-fault: active-low, on while `dog`) and a heartbeat,
/// read back from gpio-sim after every frame; the safe state before release; the protocol
/// lines intact on the host; a `status` command from the host answered.
fn check_firmware_outputs(uart: &str) {
    // This test's lines end where the appliance's run (the next header) begins.
    let end = uart
        .match_indices("EP1\tH\t")
        .nth(1)
        .map_or(uart.len(), |(i, _)| i);
    let uart = &uart[..end];
    let gpio = report(uart, "GPIO");
    assert_eq!(
        gpio,
        "EDGEPIPE-HIL GPIO relay0=01110000 led-fault=11100111 heartbeat=10101010"
    );
    let busy = report(uart, "BUSY");
    assert!(
        busy.contains("rc=2") && busy.contains("cannot request GPIO line edgepipe-sim:relay0"),
        "{busy}"
    );
    let safe = report(uart, "GPIO-SAFE");
    assert_eq!(
        safe, "EDGEPIPE-HIL GPIO-SAFE relay0=0 led-fault=1 heartbeat=0",
        "inactive; active-low reads high"
    );
    let lines: Vec<&str> = uart.lines().filter(|l| l.starts_with("EP1\t")).collect();
    for l in &lines {
        edgepipe::output::protocol::parse(l).unwrap_or_else(|e| panic!("damaged line {l:?}: {e}"));
    }
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l.split('\t').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "C").count(), 8, "{kinds:?}");
    assert_eq!(kinds.first(), Some(&"H"));
    let asked = uart.find("EDGEPIPE-HIL ASK status").expect("asked");
    assert!(
        uart[asked..].contains("EP1\tS\t"),
        "the status command was answered:\n{uart}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\t5\t") && l.contains("0:0.300:cat")),
        "frame 5 as sent"
    );
}

#[test]
fn hil_selftest_amd64() {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_edgepipe"));
    if let Some(uart) = run_bench("amd64", Some(&binary)) {
        check("amd64", &uart, true);
    }
}

#[test]
fn hil_selftest_arm64() {
    let binary = Path::new(REPO).join("target/aarch64-unknown-linux-gnu/release/edgepipe");
    let binary = binary.exists().then_some(binary);
    if binary.is_none() {
        eprintln!(
            "SKIP the aarch64 edgepipe in the guest: not built (tools/aarch64-check.sh builds it)"
        );
    }
    if let Some(uart) = run_bench("arm64", binary.as_deref()) {
        check("arm64", &uart, binary.is_some());
        // CI builds the package first (tools/deb-check.sh) and says so: there it must have run.
        if std::env::var_os("EDGEPIPE_REQUIRE_DEB").is_some() && binary.is_some() {
            assert!(
                uart.contains("EDGEPIPE-HIL BUNDLED "),
                "the packaged binary did not run"
            );
        }
    }
}
