//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The shared test data (`../shared/models`, or `$EDGEPIPE_TEST_DATA`), or `None` after
/// printing why the calling test skips.
pub fn data_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("EDGEPIPE_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/models"));
    if dir.join("coral").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP {test}: test data not found at {} (set EDGEPIPE_TEST_DATA)",
            dir.display()
        );
        None
    }
}

/// A fresh empty directory for one test.
pub fn temp_dir(test: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "edgepipe-test-{}-{}-{}",
        test,
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Runs the `edgepipe` binary.
pub fn edgepipe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgepipe"))
        .args(args)
        .output()
        .expect("run edgepipe")
}

/// `edgepipe segment MODEL <how> --out-dir OUT_DIR`.
pub fn run_segment(model: &Path, how: &[&str], out_dir: &Path) -> Output {
    let mut args = vec!["segment", model.to_str().unwrap()];
    args.extend_from_slice(how);
    args.extend(["--out-dir", out_dir.to_str().unwrap()]);
    edgepipe(&args)
}

/// `edgepipe segment MODEL <how> --out-dir OUT_DIR`, which must succeed.
pub fn segment(model: &Path, how: &[&str], out_dir: &Path) {
    let out = run_segment(model, how, out_dir);
    assert!(out.status.success(), "{}", text(&out));
}

/// stdout and stderr of a run, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Copies a labels file to `dest`, making repeated names distinct ("crane", then
/// "crane (2)"): Coral's ImageNet file names two classes "crane", and edgepipe refuses a
/// repeated label.
pub fn copy_labels_distinct(src: &Path, dest: &Path) {
    let text = std::fs::read_to_string(src).expect("read labels");
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    let out: String = text
        .lines()
        .map(|l| {
            let n = seen.entry(l).or_default();
            *n += 1;
            match *n {
                1 => format!("{l}\n"),
                n => format!("{l} ({n})\n"),
            }
        })
        .collect();
    std::fs::write(dest, out).expect("write labels");
}
