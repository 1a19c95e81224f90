//! The Mendel package and its unit under real systemd: the arm64 bench guest (vivid, gpio-sim,
//! the data UART) hands over to a Debian 12 root made by debootstrap, with systemd as PID 1,
//! which installs the .deb with dpkg and runs edgepipe.service for real (board/qemu/systemd/,
//! run-systemd.sh). Asserted from the guest's report UART and the data UART's host end:
//! - the service, installed while there is no camera, exits 1 naming the camera and is
//!   started again, and comes up by itself once the camera is back;
//! - READY=1 seen by systemd (ActiveState=active, StatusText from STATUS=), its logs in
//!   journald, its classification lines intact on the host end of the UART;
//! - SIGSTOP of the process: the watchdog restarts it;
//! - a configuration error: exit 2, and no restart;
//! - under the unit's sandbox libusb's netlink socket opens (and does not with the old
//!   RestrictAddressFamilies=AF_UNIX), the camera, the gpiochip and the UART open under
//!   DeviceAllow and a block device does not;
//! - `systemd-analyze security` rates the unit.
//!
//! Needs the kits (`board/qemu/systemd-kit.sh`, after `kit.sh arm64`), QEMU, the package
//! (`tools/deb-check.sh` builds target/deb/edgepipe_<v>_arm64.deb) and ../shared/models;
//! without them it prints SKIP (with EDGEPIPE_REQUIRE_DEB set, as in CI, it fails instead).

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/hil_report.rs"]
mod hil_report;
use hil_report::{field, kit_ready, report};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn skip(why: &str) {
    assert!(
        std::env::var_os("EDGEPIPE_REQUIRE_DEB").is_none(),
        "the systemd guest cannot run: {why}"
    );
    eprintln!("SKIP hil systemd: {why}");
}

/// The bench's configuration: vivid, mobilenet_v1_0.25 cut in 2 (CPU segments), the data UART
/// (filled in by the guest), the heartbeat on gpio-sim.
fn make_app(dir: &Path, model: &Path, labels: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(["segment", model.to_str().unwrap(), "-n", "2", "--out-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Coral's file names two classes "crane"; edgepipe refuses a repeated label.
    let text = std::fs::read_to_string(labels).unwrap();
    std::fs::write(
        dir.join("labels.txt"),
        text.replacen("crane\n", "crane (bird)\n", 1),
    )
    .unwrap();
    let stem = model.file_stem().unwrap().to_str().unwrap();
    std::fs::write(
        dir.join("edgepipe.toml"),
        format!(
            r#"[source]
kind = "camera"
device = "/dev/video0"
size = "640x480"
fps = 25
[model]
segments = ["/hil/app/{stem}_segment_0_of_2.tflite", "/hil/app/{stem}_segment_1_of_2.tflite"]
labels = "/hil/app/labels.txt"
[status]
interval_s = 1
[uart]
device = "@UART@"
[gpio]
heartbeat = {{ chip = "edgepipe-sim", line = "heartbeat" }}
"#
        ),
    )
    .unwrap();
}

fn num(line: &str, key: &str) -> u64 {
    field(line, key)
        .parse()
        .unwrap_or_else(|_| panic!("{key} in {line}"))
}

fn check_service(log: &str, uart: &str) {
    let boot = report(log, "SYSTEMD");
    eprintln!("{boot}");
    assert!(boot.contains("pid1=systemd"), "{boot}");
    let dpkg = report(log, "DPKG");
    assert_eq!(
        (field(dpkg, "rc="), field(dpkg, "enabled=")),
        ("0", "enabled"),
        "{dpkg}"
    );
    for group in ["video", "dialout", "gpio", "apex", "plugdev"] {
        assert!(
            field(dpkg, "user=").split(',').any(|g| g == group),
            "{dpkg}"
        );
    }
    let nocam = report(log, "NOCAMERA");
    eprintln!("{nocam}");
    assert!(
        num(nocam, "exited1=") >= 1,
        "no camera is a runtime failure, exit 1: {nocam}"
    );
    assert!(
        num(nocam, "restarts=") >= 1,
        "systemd starts it again: {nocam}"
    );
    assert!(
        nocam.contains("/dev/video0"),
        "the log names the camera: {nocam}"
    );
    let ready = report(log, "READY");
    eprintln!("{ready}");
    assert_eq!(field(ready, "state="), "active/running", "{ready}");
    assert!(
        field(ready, "status=").starts_with("fps="),
        "STATUS= reached systemd: {ready}"
    );
    let journal = report(log, "JOURNAL");
    assert!(num(journal, "lines=") >= 3, "{journal}");
    let lines: Vec<&str> = uart.lines().filter(|l| l.starts_with("EP1\tC\t")).collect();
    assert!(
        lines.len() >= 3,
        "classification lines on the UART: {}",
        lines.len()
    );
    for l in &lines {
        edgepipe::output::protocol::parse(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
    }
    let dog = report(log, "WATCHDOG");
    eprintln!("{dog}");
    assert_ne!(field(dog, "new="), field(dog, "old="), "{dog}");
    assert!(
        num(dog, "restarts=") > num(dog, "restarts_before="),
        "{dog}"
    );
    assert!(
        num(dog, "timeout_logged=") >= 1,
        "systemd logged the watchdog: {dog}"
    );
    let config = report(log, "CONFIG");
    eprintln!("{config}");
    assert_eq!(
        (field(config, "state="), field(config, "status=")),
        ("failed", "2"),
        "{config}"
    );
    assert_eq!(
        field(config, "restarts="),
        field(config, "restarts_before="),
        "no restart loop: {config}"
    );
    assert!(
        config.contains("no_such_field"),
        "the error names the field: {config}"
    );
}

fn check_sandbox(log: &str) {
    let probe = |unit: &str, what: &str| {
        let prefix = format!("EDGEPIPE-HIL PROBE {unit} {what}");
        log.lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {prefix}:\n{log}"))
            .to_string()
    };
    for p in log.lines().filter(|l| l.starts_with("EDGEPIPE-HIL PROBE")) {
        eprintln!("{p}");
    }
    assert!(
        probe("edgepipe-probe", "netlink").ends_with("netlink ok"),
        "libusb's socket opens"
    );
    let old = probe("edgepipe-probe-old", "netlink");
    assert!(
        old.contains("netlink fail"),
        "AF_UNIX alone refuses it: {old}"
    );
    for dev in ["/dev/video0", "/dev/gpiochip", "/dev/ttyS0"] {
        let line = probe("edgepipe-probe", &format!("open {dev}"));
        assert!(line.ends_with(" ok"), "{line}");
    }
    let vda = probe("edgepipe-probe", "open /dev/vda");
    assert!(
        vda.contains("fail"),
        "DevicePolicy=closed keeps block devices out: {vda}"
    );
    let security = report(log, "SECURITY");
    eprintln!("{security}");
    let score: f64 = security
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{security}"));
    assert!(score < 3.0, "exposure {score}: {security}");
}

#[test]
fn hil_systemd_arm64() {
    let deb = Path::new(REPO).join(format!(
        "target/deb/edgepipe_{}_arm64.deb",
        env!("CARGO_PKG_VERSION")
    ));
    let data = std::env::var_os("EDGEPIPE_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(REPO).join("../shared/models"));
    let model = data.join("coral/mobilenet_v1_0.25_128_quant.tflite");
    if !kit_ready("arm64-systemd") {
        return skip("no kit (board/qemu/systemd-kit.sh)");
    }
    if !deb.exists() || !model.exists() {
        return skip("no package (tools/deb-check.sh) or no test model");
    }
    let work = std::env::temp_dir().join(format!("edgepipe-hil-systemd-{}", std::process::id()));
    make_app(
        &work.join("app"),
        &model,
        &data.join("coral/imagenet_labels.txt"),
    );
    let out = Command::new(format!("{REPO}/board/qemu/run-systemd.sh"))
        .arg(&deb)
        .arg(work.join("app"))
        .arg(work.join("out"))
        .arg("1200")
        .output()
        .expect("run-systemd.sh");
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{summary}");
    assert!(out.status.success(), "the systemd guest failed:\n{summary}");
    let log = std::fs::read_to_string(work.join("out/report.log")).unwrap();
    let uart = std::fs::read_to_string(work.join("out/uart.log")).unwrap_or_default();
    check_service(&log, &uart);
    check_sandbox(&log);
    let _ = std::fs::remove_dir_all(&work);
}
