//! Trying a model in TensorFlow Lite in a short-lived child process before the parent trusts
//! it.
//!
//! TensorFlow Lite is C++ that trusts its model: a malformed one can crash it (SIGSEGV on an
//! options table that is not there, SIGFPE on a stride of 0) in ways no check of ours is sure
//! to foresee. So before `run`, `verify` or `bench` builds an interpreter for a model on the
//! CPU, the edgepipe binary runs itself (a fresh `exec`, never a bare `fork` of a process that
//! already has threads) with a hidden subcommand that prepares the model and invokes it once
//! on zero inputs, under a memory limit and a deadline. A crash there becomes a clear error,
//! "segment 1 crashed TensorFlow Lite while preparing: SIGFPE; the model is malformed",
//! instead of a crash of the service (which systemd would restart forever).
//!
//! The child is the binary itself: a program enables the check with [`enable`] (edgepipe's
//! `main` does; a library user who cannot re-execute itself gets no preflight). Segments
//! compiled for the Edge TPU are not tried: their one op runs on the device, not the CPU.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::engine::{self, EngineOptions, Kernels, Provider};

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "__preflight";
/// The longest a child may take to prepare and invoke a model once.
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// The address space a child may use (4 GiB).
pub const MEMORY_LIMIT: u64 = 4 << 30;

static PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Turns the preflight on: `program` is this binary, which runs [`child`] for [`SUBCOMMAND`].
pub fn enable(program: PathBuf) {
    let _ = PROGRAM.set(program);
}

/// Why a model failed its preflight.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// TensorFlow Lite died of a signal.
    #[error("{what} crashed TensorFlow Lite while {phase}: {signal}; the model is malformed")]
    Crashed {
        /// "segment 1", "the whole model".
        what: String,
        /// "preparing" or "invoking".
        phase: &'static str,
        /// The signal's name.
        signal: String,
    },
    /// No answer before the deadline.
    #[error("{what} hung TensorFlow Lite while {phase} (no answer in {} s); the model is malformed", TIMEOUT.as_secs())]
    Hung {
        /// Which model.
        what: String,
        /// "preparing" or "invoking".
        phase: &'static str,
    },
    /// The child could not be run.
    #[error("cannot run the preflight child {}: {source}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The phases the child announces on stdout, one line each, in order.
const PHASES: [(&str, &str); 2] = [("prepare", "preparing"), ("invoke", "invoking")];

/// The provider as the child's `--engine` flag.
fn engine_flag(provider: &Provider) -> std::ffi::OsString {
    let with_path = |prefix: &str, path: &Path| {
        let mut flag = std::ffi::OsString::from(prefix);
        flag.push(path);
        flag
    };
    match provider {
        Provider::Auto => "auto".into(),
        Provider::Builtin => "builtin".into(),
        Provider::System(path) => with_path("system:", path),
        Provider::Litert(None) => "litert".into(),
        Provider::Litert(Some(path)) => with_path("litert:", path),
    }
}

/// How far the child goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Build the interpreter and allocate its tensors (where malformed options crash).
    Prepare,
    /// Then invoke once on zero inputs.
    Invoke,
}

/// What the child made of a model it neither crashed nor hung on, and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// TensorFlow Lite built it (and at [`Depth::Invoke`] ran it).
    Ran(Duration),
    /// TensorFlow Lite refused it cleanly: the parent's own build of it (now known not to
    /// crash) gives the reason.
    Refused(Duration),
}

impl Verdict {
    /// How long the child took.
    pub fn took(self) -> Duration {
        match self {
            Verdict::Ran(d) | Verdict::Refused(d) => d,
        }
    }
}

/// Tries `model` (named `what` in errors) in a child, on the CPU with `options`' provider, to
/// `depth`. Returns how long the child took; `Ok(None)` when the preflight is off or the model
/// is compiled for the Edge TPU. A clean refusal by TensorFlow Lite is not an error here: the
/// parent's own build reports it, with the same message, where it always did.
pub fn check(
    what: &str,
    model: &[u8],
    options: &EngineOptions,
    depth: Depth,
) -> Result<Option<Duration>, PreflightError> {
    Ok(try_model(what, model, options, depth)?.map(Verdict::took))
}

/// [`check`], telling a model TensorFlow Lite ran from one it refused.
pub fn try_model(
    what: &str,
    model: &[u8],
    options: &EngineOptions,
    depth: Depth,
) -> Result<Option<Verdict>, PreflightError> {
    let Some(program) = PROGRAM.get() else {
        return Ok(None);
    };
    let compiled = crate::model::Model::from_bytes(model, Path::new(what))
        .is_ok_and(|m| m.graph.edgetpu_ops().next().is_some());
    if compiled {
        return Ok(None);
    }
    run_child(program, what, model, options, depth).map(Some)
}

fn run_child(
    program: &Path,
    what: &str,
    model: &[u8],
    options: &EngineOptions,
    depth: Depth,
) -> Result<Verdict, PreflightError> {
    let started = Instant::now();
    let spawn_err = |source| PreflightError::Spawn {
        program: program.to_path_buf(),
        source,
    };
    let mut child = Command::new(program)
        .arg(SUBCOMMAND)
        .arg("--engine")
        .arg(engine_flag(&options.provider))
        .arg("--kernels")
        .arg(match options.kernels {
            Kernels::Xnnpack => "xnnpack",
            Kernels::Builtin => "builtin",
        })
        .args((depth == Depth::Prepare).then_some("--prepare-only"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_err)?;
    // The child reads the whole model before it starts; a write error means it died, which
    // the wait below reports.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(model);
    }
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let status = loop {
        if let Some(status) = child.try_wait().map_err(spawn_err)? {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut said = String::new();
    let _ = stdout.read_to_string(&mut said);
    let mut message = String::new();
    let _ = (&mut stderr).take(64 << 10).read_to_string(&mut message);
    let phase = PHASES
        .iter()
        .rev()
        .find(|(word, _)| said.lines().any(|l| l == *word))
        .map_or("starting", |(_, phase)| *phase);
    let what = what.to_string();
    let Some(status) = status else {
        return Err(PreflightError::Hung { what, phase });
    };
    use std::os::unix::process::ExitStatusExt;
    if let Some(signal) = status.signal() {
        let signal = nix::sys::signal::Signal::try_from(signal)
            .map_or_else(|_| format!("signal {signal}"), |s| s.as_str().to_string());
        return Err(PreflightError::Crashed {
            what,
            phase,
            signal,
        });
    }
    if !status.success() {
        tracing::debug!(
            what,
            message = message.trim(),
            "preflight: TensorFlow Lite refused it"
        );
        return Ok(Verdict::Refused(started.elapsed()));
    }
    Ok(Verdict::Ran(started.elapsed()))
}

/// The child: reads a model from stdin, prepares it and invokes it once on zero inputs,
/// announcing each phase on stdout first. Returns the exit status: 0 when it ran, 2 when
/// TensorFlow Lite refused it (the message on stderr). A crash is the parent's to report.
pub fn child(provider: Provider, kernels: Kernels, depth: Depth) -> u8 {
    let limit = nix::sys::resource::Resource::RLIMIT_AS;
    let _ = nix::sys::resource::setrlimit(limit, MEMORY_LIMIT, MEMORY_LIMIT);
    let mut model = Vec::new();
    let max = crate::fsutil::MAX_MODEL_BYTES;
    if let Err(e) = std::io::stdin().lock().take(max).read_to_end(&mut model) {
        eprintln!("cannot read the model: {e}");
        return 2;
    }
    let announce = |word: &str| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{word}").and_then(|_| out.flush());
    };
    announce(PHASES[0].0);
    let options = EngineOptions {
        threads: 1,
        provider,
        kernels,
        custom_ops: Vec::new(),
    };
    let mut engine = match engine::open(&model, &options) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    if depth == Depth::Prepare {
        return 0;
    }
    announce(PHASES[1].0);
    for i in 0..engine.inputs().len() {
        engine.input_mut(i).fill(0);
    }
    if let Err(e) = engine.invoke() {
        eprintln!("{e}");
        return 2;
    }
    0
}
