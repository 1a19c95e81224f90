//! Hostile inputs and files (issue 16): what a careless or malicious user gives edgepipe must
//! end in a clear error with exit status 2, never a destroyed file, a hang, a crash or memory
//! exhausted. Every command runs in a child under a memory limit (`ulimit -v`), so a
//! regression fails the test instead of taking the machine down, and under a deadline.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{temp_dir, text};

/// The repository's demo model: always present, so these tests never skip.
fn model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/efficientnet_lite0_uint8.tflite")
}

/// A copy of the demo model in `dir`, as a user's input.
fn model_in(dir: &Path) -> PathBuf {
    let path = dir.join("net.tflite");
    std::fs::copy(model(), &path).unwrap();
    path
}

/// Address space for one command (4 GiB): far above what edgepipe needs, far below the
/// machine's memory.
const MEMORY_LIMIT_KIB: u64 = 4 << 20;
/// No command here takes a tenth of this.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs edgepipe with `args` through `sh` under the memory limit and `limits` (more `ulimit`
/// settings), SIGXFSZ ignored (a file-size limit then fails a write with EFBIG, as a full
/// disk fails it with ENOSPC); kills it at `deadline`. `None` when it was still running.
fn run_limited(
    args: &[&str],
    limits: &str,
    env: &[(&str, &Path)],
    deadline: Duration,
) -> Option<Output> {
    let script = format!("trap '' XFSZ; ulimit -v {MEMORY_LIMIT_KIB}; {limits} exec \"$0\" \"$@\"");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_edgepipe"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run edgepipe");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return Some(child.wait_with_output().expect("output"));
        }
        if started.elapsed() > deadline {
            child.kill().expect("kill");
            child.wait().expect("reap");
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs edgepipe under the memory limit and the deadline; it must finish.
fn edgepipe(args: &[&str]) -> Output {
    run_limited(args, "", &[], DEADLINE)
        .unwrap_or_else(|| panic!("edgepipe {args:?} still running after {DEADLINE:?}"))
}

/// Exit status 2 (bad input) with `needle` in the message.
fn refused(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(out));
    assert!(stderr.contains(needle), "no {needle:?} in\n{}", text(out));
}

fn segment_args<'a>(model: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "segment",
        model.to_str().unwrap(),
        "-n",
        "2",
        "--out-dir",
        out.to_str().unwrap(),
    ]
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn segment_never_writes_over_its_input_through_a_symlink_or_hard_link() {
    for link in ["symlink", "hard link"] {
        let dir = temp_dir("hostile-input");
        let model = model_in(&dir);
        let before = std::fs::read(&model).unwrap();
        let out = dir.join("out");
        std::fs::create_dir(&out).unwrap();
        let target = out.join("net_segment_0_of_2.tflite");
        if link == "symlink" {
            std::os::unix::fs::symlink(&model, &target).unwrap();
        } else {
            std::fs::hard_link(&model, &target).unwrap();
        }
        let run = edgepipe(&segment_args(&model, &out));
        refused(&run, "it is the input");
        assert!(
            std::fs::read(&model).unwrap() == before,
            "{link}: the model is intact"
        );
        // Not even --force writes over the input.
        let mut args = segment_args(&model, &out);
        args.push("--force");
        refused(&edgepipe(&args), "it is the input");
        assert!(
            std::fs::read(&model).unwrap() == before,
            "{link}: the model is intact"
        );
    }
}

#[test]
fn segment_replaces_its_own_segments_but_not_someone_elses_file() {
    let dir = temp_dir("hostile-exists");
    let model = model_in(&dir);
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let theirs = out.join("net_segment_1_of_2.tflite");
    std::fs::write(&theirs, b"my notes").unwrap();
    refused(
        &edgepipe(&segment_args(&model, &out)),
        "refusing to replace",
    );
    assert_eq!(std::fs::read(&theirs).unwrap(), b"my notes");
    assert_eq!(
        names(&out),
        ["net_segment_1_of_2.tflite"],
        "nothing written"
    );
    let mut forced = segment_args(&model, &out);
    forced.push("--force");
    let run = edgepipe(&forced);
    assert!(run.status.success(), "{}", text(&run));
    // A second cut replaces the first one's segments without --force.
    let run = edgepipe(&segment_args(&model, &out));
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(
        names(&out),
        ["net_segment_0_of_2.tflite", "net_segment_1_of_2.tflite"]
    );
}

#[test]
fn a_full_disk_leaves_no_truncated_segment() {
    let dir = temp_dir("hostile-full");
    let model = model_in(&dir);
    let out = dir.join("out");
    // 1 MiB or less (sh counts blocks of 512 or 1024 bytes): each segment is over 2 MB.
    let run = run_limited(
        &segment_args(&model, &out),
        "ulimit -f 1024;",
        &[],
        DEADLINE,
    )
    .expect("finishes");
    assert_eq!(
        run.status.code(),
        Some(1),
        "a runtime failure: {}",
        text(&run)
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("nothing was replaced"),
        "{}",
        text(&run)
    );
    assert_eq!(
        names(&out),
        Vec::<String>::new(),
        "no partial segment, no temp file"
    );

    // Over a good segmentation: the good segments stay as they were.
    let run = edgepipe(&segment_args(&model, &out));
    assert!(run.status.success(), "{}", text(&run));
    let good: Vec<Vec<u8>> = names(&out)
        .iter()
        .map(|n| std::fs::read(out.join(n)).unwrap())
        .collect();
    let cut3 = [
        "segment",
        model.to_str().unwrap(),
        "-n",
        "2",
        "--force",
        "--out-dir",
        out.to_str().unwrap(),
    ];
    let run = run_limited(&cut3, "ulimit -f 1024;", &[], DEADLINE).expect("finishes");
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    let after: Vec<Vec<u8>> = names(&out)
        .iter()
        .map(|n| std::fs::read(out.join(n)).unwrap())
        .collect();
    assert!(
        after == good,
        "the good segments are untouched, nothing added"
    );
}

#[test]
fn demo_never_writes_through_a_planted_symlink() {
    let tmp = temp_dir("hostile-demo");
    let victim = tmp.join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    // The fixed directory an older demo used, prepared by another local user.
    let planted = tmp.join("edgepipe-demo");
    std::fs::create_dir(&planted).unwrap();
    for name in [
        "imagenet_labels.txt",
        "edgepipe.toml",
        "efficientnet_lite0_uint8.tflite",
    ] {
        std::os::unix::fs::symlink(&victim, planted.join(name)).unwrap();
    }
    let run = run_limited(
        &["demo", "--frames", "1"],
        "",
        &[("TMPDIR", &tmp)],
        DEADLINE,
    )
    .expect("finishes");
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    // It made a fresh private directory of its own instead.
    let made: Vec<String> = names(&tmp)
        .into_iter()
        .filter(|n| n.starts_with("edgepipe-demo-"))
        .collect();
    assert_eq!(made.len(), 1, "{:?}", names(&tmp));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(tmp.join(&made[0]))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);

    // Given that directory as --out-dir, it refuses the planted links rather than follow them.
    let run = edgepipe(&[
        "demo",
        "--frames",
        "1",
        "--out-dir",
        planted.to_str().unwrap(),
    ]);
    refused(&run, "refusing to replace");
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
}

/// A configuration beside the demo model, with `source` and `labels` as given.
fn config(dir: &Path, source: &str, labels: &str) -> PathBuf {
    let path = dir.join("edgepipe.toml");
    let text = format!(
        "[source]\n{source}\n\n[model]\nsegments = [{:?}]\nlabels = {labels:?}\n\n\
         [engine]\nprovider = \"builtin\"\n\n[gpio]\nsimulate = true\n",
        model().to_str().unwrap()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn labels_from_dev_zero_are_refused_not_read() {
    let dir = temp_dir("hostile-labels");
    let path = config(&dir, "kind = \"pattern\"", "/dev/zero");
    // Before the fix this read /dev/zero until the memory limit ended it with an abort.
    let run = edgepipe(&["run", "--config", path.to_str().unwrap(), "--frames", "1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.code().is_some_and(|c| c != 0), "{}", text(&run));
    assert!(
        stderr.contains("/dev/zero is a character device, not a regular file"),
        "{}",
        text(&run)
    );
}

#[test]
fn a_huge_pattern_is_refused_at_config_time() {
    let dir = temp_dir("hostile-pattern");
    let labels = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/imagenet_labels.txt");
    let path = config(
        &dir,
        "kind = \"pattern\"\nsize = \"100000x100000\"",
        labels.to_str().unwrap(),
    );
    refused(
        &edgepipe(&["check-config", path.to_str().unwrap()]),
        "'100000x100000': expected WIDTHxHEIGHT",
    );
}

#[test]
fn a_fifo_directory_or_device_given_as_a_model_is_refused_at_once() {
    let dir = temp_dir("hostile-fifo");
    let fifo = dir.join("model.tflite");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    for (path, kind) in [
        (fifo.as_path(), "a FIFO"),
        (dir.as_path(), "a directory"),
        (Path::new("/dev/zero"), "a character device"),
    ] {
        let out = run_limited(
            &["inspect", path.to_str().unwrap()],
            "",
            &[],
            Duration::from_secs(20),
        )
        .unwrap_or_else(|| panic!("inspect {} hangs", path.display()));
        refused(&out, kind);
    }
}

#[test]
fn verify_makes_its_requests_one_at_a_time() {
    let dir = temp_dir("hostile-verify");
    let model = model_in(&dir);
    let run = edgepipe(&segment_args(&model, &dir));
    assert!(run.status.success(), "{}", text(&run));
    let seg = |i| dir.join(format!("net_segment_{i}_of_2.tflite"));
    let (s0, s1) = (seg(0), seg(1));
    // 100000 inputs of 150 KB are 15 GB: made up front they exhaust a 1 GB limit within a
    // second or two (an abort). Made one at a time, verify is still comparing when the
    // deadline stops it.
    let args = [
        "verify",
        model.to_str().unwrap(),
        s0.to_str().unwrap(),
        s1.to_str().unwrap(),
        "-k",
        "100000",
    ];
    if let Some(out) = run_limited(&args, "ulimit -v 1000000;", &[], Duration::from_secs(8)) {
        panic!("verify -k 100000 ended early: {}", text(&out));
    }
}

#[test]
fn a_non_utf8_out_dir_is_refused_before_anything_is_written() {
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_dir("hostile-utf8");
    let model = model_in(&dir);
    let out = dir.join(std::ffi::OsStr::from_bytes(b"out-\xff"));
    let status = Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .arg("segment")
        .arg(&model)
        .args(["-n", "2", "--out-dir"])
        .arg(&out)
        .output()
        .unwrap();
    refused(&status, "is not a UTF-8 path");
    assert!(!out.exists(), "nothing created");
}
