//! The configuration fuzz (issue 16): mutants of a valid configuration (a value swapped for
//! a hostile one, a line dropped, repeated or swapped, an unknown key, a truncation, a flipped
//! byte) or of its labels file (truncated, bits flipped, line ends, NULs and bytes inserted,
//! repeated or dropped) through `check-config` and a one-frame `run`, each a child process under the command
//! fuzz's limits ([`crate::fuzz_commands`]).
//!
//! What must hold for every mutant: neither command dies of a signal, panics or hangs; each
//! exits 0, 1 or 2; and the two agree: the same exit status, and for a configuration error the
//! same message (a user checks a file with `check-config` before systemd runs it). The one
//! difference allowed is hardware, which `check-config` does not open: with no GPIO chip, say,
//! `check-config` passes and `run` fails as the machine's fault (1). Cases: `EDGEPIPE_CONFIG_FUZZ_CASES` (default [`CI_CASES`]) from seed
//! `EDGEPIPE_FUZZ_SEED`.

use std::path::Path;

use crate::fuzz_commands::{MEMORY_LIMIT, Ran, limited, os};
use crate::mutants::Rng;
use crate::util::{data_dir, temp_dir};

/// Cases in CI (two commands each; 2000 took 40 s on 2 busy cores).
const CI_CASES: usize = 300;

/// A valid configuration using every section a board without devices can run.
fn base_config(seg0: &str, seg1: &str) -> String {
    format!(
        "[source]\nkind = \"pattern\"\nsize = \"64x48\"\nfps = 200\nfit = \"crop\"\n\
         [model]\nsegments = [{seg0:?}, {seg1:?}]\nlabels = \"labels.txt\"\n\
         [engine]\nprovider = \"builtin\"\nthreads = 1\n\
         [pipeline]\ncapacity = 5\n\
         [classify]\ntop_k = 3\nthreshold = 0.3\nsmoothing = 3\n\
         [status]\ninterval_s = 0.3\n\
         [gpio]\nsimulate = true\n\
         [[gpio.rules]]\npin = 13\nlabels = [\"Egyptian cat\"]\noff_after = 10\n"
    )
}

/// Values a hostile or careless user writes where another was meant.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "2.5",
    "1e309",
    "nan",
    "-inf",
    "18446744073709551616",
    "9223372036854775807",
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "\"\"",
    "\"x\"",
    "\"/dev/zero\"",
    "\"/dev/null\"",
    "\"/\"",
    "\"/proc/self/mem\"",
    "\"../../../../etc/passwd\"",
    "\"0x0\"",
    "\"1x1\"",
    "\"100000x100000\"",
    "\"64x48\"",
    "\"camera\"",
    "\"images\"",
    "\"video\"",
    "\"pattern\"",
    "\"litert\"",
    "\"system:/nowhere/libtensorflowlite_c.so\"",
    "\"labels.txt\"",
    "\"s0.tflite\"",
    "[\"s1.tflite\", \"s0.tflite\"]",
    "[\"s0.tflite\", \"s0.tflite\"]",
    "\"\u{0}\"",
    "\"\u{feff}\"",
];

/// One mutant of `text`, and what was done.
fn mutate(rng: &mut Rng, text: &str) -> (Vec<u8>, String) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    let i = rng.below(n);
    let what = match rng.below(7) {
        0 => match lines[i].clone().split_once(" = ") {
            Some((key, _)) => {
                let value = *rng.pick(VALUES);
                lines[i] = format!("{key} = {value}");
                format!("line {i}: {key} = {value}")
            }
            None => return mutate(rng, text),
        },
        1 => {
            lines.remove(i);
            format!("line {i} dropped")
        }
        2 => {
            let line = lines[i].clone();
            lines.insert(i, line);
            format!("line {i} repeated")
        }
        3 => {
            let j = rng.below(n);
            lines.swap(i, j);
            format!("lines {i} and {j} swapped")
        }
        4 => {
            lines.insert(i + 1, "unknown_key = 1".into());
            format!("an unknown key after line {i}")
        }
        5 => {
            let mut bytes = lines.join("\n").into_bytes();
            let at = rng.below(bytes.len());
            bytes.truncate(at);
            return (bytes, format!("truncated at byte {at}"));
        }
        _ => {
            let mut bytes = lines.join("\n").into_bytes();
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 << rng.below(8);
            return (bytes, format!("a bit of byte {at} flipped"));
        }
    };
    ((lines.join("\n") + "\n").into_bytes(), what)
}

/// One mutant of the labels file `labels`, and what was done.
fn mutate_labels(rng: &mut Rng, labels: &[u8]) -> (Vec<u8>, String) {
    let mut bytes = labels.to_vec();
    let at = rng.below(bytes.len());
    let what = match rng.below(6) {
        0 => {
            bytes.truncate(at);
            format!("labels truncated at byte {at}")
        }
        1 => {
            bytes[at] ^= 1 << rng.below(8);
            format!("a bit of labels byte {at} flipped")
        }
        2 => {
            const INSERTS: [&[u8]; 6] = [b"\n", b"\r\n", b"\0", b"\xff\xfe", b" \n", b"\n\n"];
            let line = *rng.pick(&INSERTS);
            bytes.splice(at..at, line.iter().copied());
            format!("{line:?} inserted in the labels at byte {at}")
        }
        3 => {
            let end = (at + 1 + rng.below(64)).min(bytes.len());
            let chunk = bytes[at..end].to_vec();
            bytes.splice(at..at, chunk);
            format!("labels bytes {at}..{end} repeated")
        }
        4 => {
            bytes = bytes.repeat(2);
            "the labels twice over".to_string()
        }
        _ => {
            bytes.drain(at..(at + 1 + rng.below(64)).min(bytes.len()));
            format!("labels bytes from {at} dropped")
        }
    };
    (bytes, what)
}

/// What is wrong with one case's two runs, if anything.
fn judge(check: &Ran, run: &Ran) -> Option<String> {
    for (command, ran) in [("check-config", check), ("run", run)] {
        let clean = !ran.hung && ran.signal.is_none() && matches!(ran.code, Some(0..=2));
        if !clean || ran.stderr.contains("panicked") {
            return Some(format!(
                "{command}: {}: {}",
                ran.outcome(),
                ran.stderr.trim()
            ));
        }
    }
    // `check-config` stops short of opening hardware: a GPIO chip, UART or camera that is
    // absent fails only `run`, and as the machine's fault (1, restart), never the
    // configuration's.
    let hardware = ["gpio: ", "uart: ", "source: ", "engine: "];
    let run_error = run.error().unwrap_or("");
    let only_run_opens = check.code == Some(0)
        && run.code == Some(1)
        && hardware.iter().any(|h| run_error.starts_with(h));
    if check.code != run.code && !only_run_opens {
        return Some(format!(
            "check-config gave {} ({}) but run gave {} ({})",
            check.outcome(),
            check.error().unwrap_or(""),
            run.outcome(),
            run.error().unwrap_or("")
        ));
    }
    if check.code == Some(2) && check.error() != run.error() {
        return Some(format!(
            "different messages: check-config: {:?}; run: {:?}",
            check.error(),
            run.error()
        ));
    }
    None
}

#[test]
fn mutated_configurations_agree_in_check_config_and_run() {
    let Some(data) = data_dir("mutated_configurations_agree_in_check_config_and_run") else {
        return;
    };
    let cases = std::env::var("EDGEPIPE_CONFIG_FUZZ_CASES")
        .map_or(CI_CASES, |v| v.parse().expect("EDGEPIPE_CONFIG_FUZZ_CASES"));
    let seed = std::env::var("EDGEPIPE_FUZZ_SEED").map_or(16, |v| v.parse().expect("seed"));
    let base = temp_dir("config-fuzz-base");
    crate::service::setup(&base, &data, "kind = \"pattern\"", "");
    let stem = "mobilenet_v1_0.25_128_quant";
    for i in 0..2 {
        let name = edgepipe::model::segment_file_name(stem, i, 2);
        std::fs::rename(base.join(name), base.join(format!("s{i}.tflite"))).unwrap();
    }
    let text = base_config("s0.tflite", "s1.tflite");
    let labels = std::fs::read(base.join("labels.txt")).unwrap();
    let config = base.join("edgepipe.toml");
    std::fs::write(&config, &text).unwrap();
    let (check, run) = both(&base, &config);
    assert_eq!(
        (check.code, run.code),
        (Some(0), Some(0)),
        "the base is valid: {}\n{}",
        check.stderr,
        run.stderr
    );

    let mut failures = Vec::new();
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    for case in 0..cases {
        let mut rng = Rng::for_case(seed, case);
        let config = base.join(format!("case-{case}.toml"));
        let labels_file = format!("case-{case}-labels.txt");
        let (bytes, what) = if rng.chance(20) {
            let (labels, what) = mutate_labels(&mut rng, &labels);
            std::fs::write(base.join(&labels_file), labels).unwrap();
            let text = text.replace("\"labels.txt\"", &format!("{labels_file:?}"));
            (text.into_bytes(), what)
        } else {
            mutate(&mut rng, &text)
        };
        std::fs::write(&config, &bytes).unwrap();
        let (check, run) = both(&base, &config);
        *tally.entry(check.outcome()).or_default() += 1;
        if check.code == Some(1) {
            // The machine's fault in a check that opens no hardware: worth a look.
            println!("  case {case} ({what}): {}", check.error().unwrap_or(""));
        }
        match judge(&check, &run) {
            Some(problem) => failures.push(format!("case {case} ({what}): {problem}")),
            None => {
                let _ = std::fs::remove_file(&config);
                let _ = std::fs::remove_file(base.join(&labels_file));
            }
        }
    }
    println!("config fuzz: {cases} cases (seed {seed}): {tally:?}");
    assert!(
        failures.is_empty(),
        "{} of {cases} case(s) failed (kept in {}):\n{}",
        failures.len(),
        base.display(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&base);
}

/// `check-config` and a one-frame `run` of `config`, in `dir`.
fn both(dir: &Path, config: &Path) -> (Ran, Ran) {
    let check = limited(&os(&[&"check-config", &config]), dir, MEMORY_LIMIT);
    let run = limited(
        &os(&[&"run", &"--config", &config, &"--frames", &"1"]),
        dir,
        MEMORY_LIMIT,
    );
    (check, run)
}
