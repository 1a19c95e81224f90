//! Reading the guests' `EDGEPIPE-HIL <kind> key=value ...` report lines, shared by the bench
//! tests (tests/hil.rs, tests/hil_systemd.rs; each includes this file with `#[path]`).

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
