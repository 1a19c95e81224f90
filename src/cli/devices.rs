//! `edgepipe devices`: the Edge TPUs libedgetpu sees, and which are free.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use edgepipe::engine::Tpu;
use edgepipe::engine::edgetpu::{DEFAULT_LOCK_DIR, DeviceLock, EdgeTpu};

#[derive(Serialize)]
struct Row {
    index: usize,
    #[serde(flatten)]
    tpu: Tpu,
    held_by_pid: Option<String>,
}

#[derive(Serialize)]
struct Report {
    library: PathBuf,
    version: String,
    devices: Vec<Row>,
}

/// What `--json` prints when libedgetpu cannot be loaded: no devices, and why.
#[derive(Serialize)]
struct Unavailable {
    library: Option<PathBuf>,
    version: Option<String>,
    devices: [Row; 0],
    error: String,
}

/// Lists the TPUs. With `json`, stdout is always one JSON object: without a usable libedgetpu
/// it has no devices and an `error` saying why (exit 0: the listing itself worked).
pub fn run(library: Option<&Path>, lock_dir: Option<&Path>, json: bool) -> Result<()> {
    let lib = match EdgeTpu::load(library) {
        Ok(lib) => lib,
        Err(e) if json => {
            let report = Unavailable {
                library: library.map(Path::to_path_buf),
                version: None,
                devices: [],
                error: format!("cannot load libedgetpu: {e}"),
            };
            return super::emit(&(serde_json::to_string_pretty(&report)? + "\n"));
        }
        Err(e) => return Err(e).context("cannot list Edge TPUs"),
    };
    let lock_dir = lock_dir.unwrap_or(Path::new(DEFAULT_LOCK_DIR));
    let devices = lib
        .devices()
        .into_iter()
        .enumerate()
        .map(|(index, tpu)| Row {
            index,
            held_by_pid: DeviceLock::holder(lock_dir, &tpu),
            tpu,
        })
        .collect();
    let report = Report {
        library: lib.library_path().to_path_buf(),
        version: lib.version(),
        devices,
    };
    if json {
        return super::emit(&(serde_json::to_string_pretty(&report)? + "\n"));
    }
    let mut out = String::new();
    outln!(
        out,
        "libedgetpu: {} ({})",
        report.library.display(),
        report.version
    );
    outln!(out, "Edge TPUs: {}", report.devices.len());
    for d in &report.devices {
        let state = d
            .held_by_pid
            .as_ref()
            .map_or("free".to_string(), |p| format!("in use by pid {p}"));
        outln!(
            out,
            "  {:>2}  {:<3}  {:<40}  {}",
            d.index,
            d.tpu.kind,
            d.tpu.path,
            state
        );
    }
    super::emit(&out)
}
