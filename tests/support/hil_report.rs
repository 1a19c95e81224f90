//! Reading the guests' `EDGEPIPE-HIL <kind> key=value ...` report lines, and finding the kits,
//! shared by the bench tests (tests/hil.rs, tests/hil_systemd.rs; each includes this file with
//! `#[path]`).

/// The log's first `EDGEPIPE-HIL <kind> ...` line; fails the test with the whole log without it.
pub fn report<'a>(log: &'a str, kind: &str) -> &'a str {
    let prefix = format!("EDGEPIPE-HIL {kind} ");
    log.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {kind} line:\n{log}"))
}

/// The value after `key` (which ends in `=`) in a report line, or "" when absent.
pub fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key))
        .unwrap_or("")
}

/// Whether a kit (`amd64`, `arm64`, `arm64-systemd`) is ready in the bench's cache
/// (`$EDGEPIPE_HIL_CACHE`, default `~/.cache/edgepipe/hil`), under any kernel ABI.
pub fn kit_ready(kit: &str) -> bool {
    let cache = std::env::var_os("EDGEPIPE_HIL_CACHE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/edgepipe/hil")
        });
    std::fs::read_dir(&cache)
        .map(|dirs| {
            dirs.filter_map(Result::ok)
                .any(|d| d.path().join(kit).join("ready").exists())
        })
        .unwrap_or(false)
}
