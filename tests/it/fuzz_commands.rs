//! The command fuzz (issue 16): mutants of real models ([`crate::mutants`]: bit flips, field
//! overwrites, truncations, splices, byte overwrites) through `inspect`, `segment`, `verify`
//! and a one-frame `run`, each a child process of the release binary under a memory limit
//! (RLIMIT_AS), a CPU limit and a wall-clock deadline. (`fuzz` is the in-process fuzz of the
//! model reader and cutter; this is the same family one level up, through the commands.)
//!
//! What must hold for every mutant:
//! - no command dies of a signal, panics (exit 101, "panicked"), or outlives its deadline;
//!   every exit status is 0, 1 or 2 (`inspect`: 0 or 2);
//! - a model the model layer refuses (`inspect` exits 2 naming the file) is refused by
//!   `segment`, `verify` and `run` too (exit 2), with the same message;
//! - a `segment` that fails leaves no file behind;
//! - **the chain invariant**: when `segment` exits 0, `verify` of the written segments
//!   against the mutant exits 0 ("equal"), or exits 2 refusing the mutant itself (the whole
//!   model, opened first: TensorFlow Lite cannot run it at all, so there is no chain to
//!   compare; exit 1 only when the whole model built but its invoke failed). It never reports
//!   a difference, and never refuses a segment of a whole model that runs.
//!
//! Cases: `EDGEPIPE_FUZZ_CASES` (default [`CI_CASES`]) from seed `EDGEPIPE_FUZZ_SEED`;
//! `inspect` and `segment` run on every case, `verify` and `run` on a sample (every case
//! with `EDGEPIPE_FUZZ_FULL=1`); `EDGEPIPE_FUZZ_FROM=N` starts at case N (with
//! `EDGEPIPE_FUZZ_CASES=N+1` it replays case N alone). tools/fuzz-nightly.sh runs many more.
//! A failing mutant is kept in `$CARGO_TARGET_TMPDIR/fuzz-failures/` with what was done to
//! it, for the corpus ([`crate::corpus`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use edgepipe::model::Model;

use crate::mutants::{self, KINDS, Layout, Mutation, Rng};
use crate::util::{data_dir, temp_dir};

/// Cases in CI (about 2 minutes on 2 loaded cores).
pub const CI_CASES: usize = 2000;
/// Address space of each command (4 GiB, as the preflight child's).
pub(crate) const MEMORY_LIMIT: u64 = 4 << 30;
/// CPU seconds of each command.
const CPU_LIMIT: u64 = 120;
/// Wall-clock deadline of each command (the preflight's own deadline is 60 s).
const DEADLINE: Duration = Duration::from_secs(150);

/// One real model mutants are made of.
struct Base {
    name: String,
    bytes: Vec<u8>,
    layout: Layout,
    /// Classes of its one output, when `run` can classify with it.
    classes: Option<usize>,
    /// Relative share of the cases (big models cost more per case).
    weight: usize,
    /// Whether the builtin TensorFlow Lite 1.15 runs it (the schema models need LiteRT).
    builtin_runs: bool,
}

fn base(path: &Path, weight: usize) -> Base {
    let bytes = std::fs::read(path).unwrap();
    let model = Model::from_bytes(&bytes, path).expect("a real model reads");
    let g = &model.graph;
    let classes = match (g.outputs.as_slice(), g.inputs.len()) {
        ([out], 1) => match g.tensors[*out].shape.as_slice() {
            [1, n] if *n > 1 => Some(*n as usize),
            _ => None,
        },
        _ => None,
    };
    let verify = os(&[
        &"verify",
        &path,
        &path,
        &"-k",
        &"1",
        &"--engine",
        &"builtin",
    ]);
    let builtin_runs = edgepipe(&verify, Path::new("/")).code == Some(0);
    Base {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        layout: mutants::layout(&bytes),
        bytes,
        classes,
        weight,
        builtin_runs,
    }
}

/// The repository's small models, its demo model, and the shared test data's small ones when
/// present.
fn bases() -> Vec<Base> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut schema: Vec<PathBuf> = std::fs::read_dir(repo.join("schema"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tflite"))
        .collect();
    schema.sort();
    let mut out: Vec<Base> = schema.iter().map(|p| base(p, 4)).collect();
    out.push(base(&repo.join("efficientnet_lite0_uint8.tflite"), 1));
    match data_dir("fuzz_commands (shared models)") {
        Some(data) => {
            out.push(base(&data.join("coral/split_concat.tflite"), 4));
            out.push(base(
                &data.join("coral/mobilenet_v1_0.25_128_quant.tflite"),
                4,
            ));
        }
        None => eprintln!("SKIP the shared models in the command fuzz: not present"),
    }
    out
}

/// How one command ended.
#[derive(Debug)]
pub(crate) struct Ran {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub hung: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// The one-line summary for the tallies.
    pub fn outcome(&self) -> String {
        match (self.hung, self.signal, self.code) {
            (true, _, _) => "HUNG".into(),
            (_, Some(s), _) => format!("SIGNAL {s}"),
            (_, _, Some(c)) => format!("exit {c}"),
            _ => "?".into(),
        }
    }
    /// The error line edgepipe printed (`edgepipe: ...`), without its prefix.
    pub fn error(&self) -> Option<&str> {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("edgepipe: "))
    }
}

/// Runs the binary with `args` under the limits, killed at the deadline.
fn edgepipe(args: &[OsString], dir: &Path) -> Ran {
    limited(args, dir, MEMORY_LIMIT)
}

/// Runs the binary with `args` in `dir` under `memory` bytes of address space and the CPU
/// limit, killed at the deadline.
pub(crate) fn limited(args: &[OsString], dir: &Path, memory: u64) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgepipe"));
    cmd.args(args)
        .current_dir(dir)
        .env("EDGEPIPE_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: between fork and exec the closure only calls setrlimit, which is async-signal-
    // safe, and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            use nix::sys::resource::{Resource, setrlimit};
            setrlimit(Resource::RLIMIT_AS, memory, memory)?;
            setrlimit(Resource::RLIMIT_CPU, CPU_LIMIT, CPU_LIMIT)?;
            setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("run edgepipe");
    // Drain the pipes in threads so a chatty child never blocks on a full pipe.
    let read = |r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.take(1 << 20).read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let (status, hung) = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break (s, false);
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            break (child.wait().expect("reap"), true);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Ran {
        code: status.code(),
        signal: status.signal().filter(|_| !hung),
        hung,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

pub(crate) fn os(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    parts.iter().map(|p| p.as_ref().to_os_string()).collect()
}

/// The sample of `verify` and `run`: every `every`-th case of a kind (all with FULL).
fn sampled(case: usize, every: usize) -> bool {
    std::env::var_os("EDGEPIPE_FUZZ_FULL").is_some() || case.is_multiple_of(every)
}

/// One case: the commands it ran, and what broke an invariant.
#[derive(Default)]
struct Report {
    ran: Vec<(&'static str, String)>,
    failures: Vec<String>,
    notes: Vec<String>,
}

impl Report {
    /// Records `ran` for `command` and checks what holds for every command.
    fn record(&mut self, command: &'static str, ran: &Ran) {
        self.ran.push((command, ran.outcome()));
        let allowed: &[i32] = if command == "inspect" {
            &[0, 2]
        } else {
            &[0, 1, 2]
        };
        let bad_exit = !ran.code.is_some_and(|c| allowed.contains(&c));
        if ran.hung || ran.signal.is_some() || bad_exit || ran.stderr.contains("panicked") {
            let stderr: String = ran.stderr.chars().take(2000).collect();
            self.failures
                .push(format!("{command}: {}\n{stderr}", ran.outcome()));
        }
        for (needle, note) in [
            ("crashed TensorFlow Lite", "preflight caught a crash"),
            ("hung TensorFlow Lite", "preflight caught a hang"),
            ("C++ exception", "shim caught a C++ exception"),
        ] {
            if ran.stderr.contains(needle) {
                self.notes.push(format!("{command}: {note}"));
            }
        }
    }

    /// A model the model layer refuses (inspect's message names the file) is refused by
    /// `command` too, with the same message.
    fn same_refusal(&mut self, command: &str, model: &Path, inspect: &Ran, ran: &Ran) {
        let named = format!("{}: ", model.display());
        let Some(message) = inspect.error().filter(|m| m.starts_with(&named)) else {
            return;
        };
        if ran.code != Some(2) || !ran.stderr.contains(message) {
            self.failures.push(format!(
                "inspect refused ({message}) but {command} gave {}: {}",
                ran.outcome(),
                ran.stderr.trim()
            ));
        }
    }
}

/// The config of a one-frame `run` of `model` with `classes` labels.
pub(crate) fn run_config(dir: &Path, model: &Path, classes: usize, builtin: bool) -> PathBuf {
    let labels = dir.join("labels.txt");
    let text: String = (0..classes).map(|i| format!("class {i}\n")).collect();
    std::fs::write(&labels, text).unwrap();
    let provider = if builtin { "builtin" } else { "auto" };
    let config = dir.join("edgepipe.toml");
    let text = format!(
        "[source]\nkind = \"pattern\"\nsize = \"64x48\"\n\n[model]\nsegments = [{:?}]\n\
         labels = {:?}\n\n[engine]\nprovider = \"{provider}\"\n\n[gpio]\nsimulate = true\n",
        model.to_str().unwrap(),
        labels.to_str().unwrap()
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// Runs case `case` of `base` in `dir`.
fn run_case(case: usize, base: &Base, mutant: &[u8], builtin: bool, dir: &Path) -> Report {
    let mut r = Report::default();
    let m = dir.join("m.tflite");
    std::fs::write(&m, mutant).unwrap();
    let inspect = edgepipe(&os(&[&"inspect", &m]), dir);
    r.record("inspect", &inspect);
    let refused = inspect.code == Some(2);

    let out = dir.join("out");
    let segment = edgepipe(&os(&[&"segment", &m, &"-n", &"2", &"--out-dir", &out]), dir);
    r.record("segment", &segment);
    if refused {
        r.same_refusal("segment", &m, &inspect, &segment);
    }
    let written: Vec<PathBuf> = (0..2)
        .map(|i| out.join(format!("m_segment_{i}_of_2.tflite")))
        .collect();
    let left = std::fs::read_dir(&out).map_or(0, |d| d.count());
    let engine = if builtin { "builtin" } else { "auto" };
    if segment.code != Some(0) && left != 0 {
        r.failures
            .push(format!("segment failed but left {left} file(s)"));
    }
    let verify_every = if base.bytes.len() > 1 << 20 { 4 } else { 1 };
    if segment.code == Some(0) && sampled(case, verify_every) {
        let verify = edgepipe(
            &os(&[
                &"verify",
                &m,
                &written[0],
                &written[1],
                &"-k",
                &"1",
                &"--engine",
                &engine,
            ]),
            dir,
        );
        r.record("verify", &verify);
        chain_holds(&mut r, &m, &verify);
    } else if refused && sampled(case, 4) {
        let verify = edgepipe(&os(&[&"verify", &m, &m, &"-k", &"1"]), dir);
        r.record("verify", &verify);
        r.same_refusal("verify", &m, &inspect, &verify);
    }
    let run_every = if base.bytes.len() > 1 << 20 { 4 } else { 1 };
    if let Some(classes) = base.classes.filter(|_| sampled(case, run_every)) {
        let config = run_config(dir, &m, classes, builtin);
        let run = edgepipe(&os(&[&"run", &"--config", &config, &"--frames", &"1"]), dir);
        r.record("run", &run);
        if refused {
            r.same_refusal("run", &m, &inspect, &run);
        }
    }
    r
}

/// The chain invariant (see the module's doc).
fn chain_holds(r: &mut Report, whole: &Path, verify: &Ran) {
    let message = verify.error().unwrap_or("");
    let of_whole = message.starts_with(&format!("{}:", whole.display()))
        || message.starts_with("the whole model");
    match verify.code {
        Some(0) if verify.stdout.contains("equal:") => {}
        // The runtime refuses the mutant itself: bad input, exit 2. Exit 1 only when the whole
        // model built but its invoke failed (a runtime failure, such as memory).
        Some(2) if of_whole => {}
        Some(1) if of_whole && message.contains("inference failed") => {}
        _ => r.failures.push(format!(
            "segment wrote a chain that verify does not find equal: {}: {}",
            verify.outcome(),
            verify.stderr.trim()
        )),
    }
}

/// Totals over all cases.
#[derive(Default)]
struct Summary {
    cases: BTreeMap<String, usize>,
    outcomes: BTreeMap<(&'static str, String), usize>,
    /// Notes and the cases they were made in.
    notes: BTreeMap<String, Vec<usize>>,
    failures: Vec<String>,
}

/// A case: its base, kind, mutant, what was done, and whether verify and run use the
/// builtin engine (else auto: LiteRT when installed).
struct Case {
    base: usize,
    kind: Mutation,
    bytes: Vec<u8>,
    what: String,
    builtin: bool,
}

/// Case `case`: its base (weighted), kind (in turn) and mutant, all from the seed.
fn make_case(seed: u64, case: usize, bases: &[Base]) -> Case {
    let mut rng = Rng::for_case(seed, case);
    let total: usize = bases.iter().map(|b| b.weight).sum();
    let mut at = rng.below(total);
    let b = bases
        .iter()
        .position(|b| {
            let hit = at < b.weight;
            at = at.saturating_sub(b.weight);
            hit
        })
        .unwrap();
    let other = (b + 1 + rng.below(bases.len() - 1)) % bases.len();
    let kind = KINDS[case % KINDS.len()];
    let base = &bases[b];
    let (bytes, what) = mutants::mutate(
        &mut rng,
        kind,
        &base.bytes,
        &base.layout,
        &bases[other].bytes,
    );
    let what = match kind {
        Mutation::Splice => format!("{what} ({})", bases[other].name),
        _ => what,
    };
    Case {
        base: b,
        kind,
        bytes,
        what,
        builtin: base.builtin_runs && rng.chance(50),
    }
}

/// Keeps a mutant as `name`.tflite, with `text` beside it, in
/// `$CARGO_TARGET_TMPDIR/fuzz-failures/`.
fn keep(name: &str, bytes: &[u8], text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.tflite"));
    std::fs::write(&path, bytes).unwrap();
    std::fs::write(path.with_extension("txt"), text).unwrap();
    path
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v}: not a number"))
        })
        .unwrap_or(default)
}

#[test]
fn mutated_models_never_crash_the_commands() {
    let cases = env_number("EDGEPIPE_FUZZ_CASES", CI_CASES as u64) as usize;
    let seed = env_number("EDGEPIPE_FUZZ_SEED", 16);
    // To replay one case of a seed: EDGEPIPE_FUZZ_FROM=N EDGEPIPE_FUZZ_CASES=N+1.
    let from = env_number("EDGEPIPE_FUZZ_FROM", 0) as usize;
    let bases = bases();
    let work = temp_dir("fuzz-commands");
    let next = AtomicUsize::new(from);
    let summary = Mutex::new(Summary::default());
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let case = next.fetch_add(1, Ordering::Relaxed);
                    if case >= cases {
                        break;
                    }
                    let Case {
                        base: b,
                        kind,
                        bytes,
                        what,
                        builtin,
                    } = make_case(seed, case, &bases);
                    let dir = work.join(format!("case-{case}"));
                    std::fs::create_dir_all(&dir).unwrap();
                    let report = run_case(case, &bases[b], &bytes, builtin, &dir);
                    let _ = std::fs::remove_dir_all(&dir);
                    let mut sum = summary.lock().unwrap();
                    *sum.cases.entry(format!("{kind:?}")).or_default() += 1;
                    *sum.cases.entry(bases[b].name.clone()).or_default() += 1;
                    for (command, outcome) in report.ran {
                        *sum.outcomes.entry((command, outcome)).or_default() += 1;
                    }
                    if !report.notes.is_empty() {
                        let text = format!(
                            "{} ({kind:?}): {what}\n{}",
                            bases[b].name,
                            report.notes.join("\n")
                        );
                        keep(&format!("noted-seed{seed}-case{case}"), &bytes, &text);
                    }
                    for note in report.notes {
                        let cases = sum.notes.entry(note).or_default();
                        cases.push(case);
                    }
                    if !report.failures.is_empty() {
                        let text = format!(
                            "case {case} of seed {seed}: {} ({kind:?}): {what}\n{}",
                            bases[b].name,
                            report.failures.join("\n")
                        );
                        let kept = keep(&format!("seed{seed}-case{case}"), &bytes, &text);
                        sum.failures
                            .push(format!("{text}\n(kept as {})", kept.display()));
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&work);
    let sum = summary.into_inner().unwrap();
    let runs: usize = sum.outcomes.values().sum();
    println!(
        "command fuzz: cases {from}..{cases} (seed {seed}), {runs} runs in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    for (what, n) in &sum.cases {
        println!("  cases {what}: {n}");
    }
    for ((command, outcome), n) in &sum.outcomes {
        println!("  {command:<8} {outcome}: {n}");
    }
    for (note, at) in &sum.notes {
        let first: Vec<String> = at.iter().take(10).map(|c| c.to_string()).collect();
        println!("  note: {note}: {} (cases {})", at.len(), first.join(", "));
    }
    println!("  failures: {}", sum.failures.len());
    assert!(
        sum.failures.is_empty(),
        "{} failing case(s):\n{}",
        sum.failures.len(),
        sum.failures.join("\n\n")
    );
}
