//! The `edgepipe` command line: parse, call the library, print, map errors to exit codes.
//!
//! Exit codes: 0 success; 1 a runtime failure (inference failed, segments differ from the
//! model); 2 bad input or usage (a model that cannot be read or cut, a bad flag).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("edgepipe: {err:#}");
            ExitCode::from(cli::exit_code(&err))
        }
    }
}
