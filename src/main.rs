//! The `edgepipe` command line: parse, call the library, print, map errors to exit codes.
//!
//! Exit codes: 0 success; 1 a runtime failure (inference failed, segments differ from the
//! model); 2 bad input or usage (a model that cannot be read or cut, a bad flag).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Logs go to stderr (journald keeps them under systemd); EDGEPIPE_LOG=debug for more.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EDGEPIPE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    // Models are tried in a child (this binary, re-executed) before TensorFlow Lite runs them
    // here; /proc/self/exe is this very program even if its file was replaced since.
    edgepipe::preflight::enable("/proc/self/exe".into());
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("edgepipe: {err:#}");
            ExitCode::from(cli::exit_code(&err))
        }
    }
}
