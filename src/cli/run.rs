//! `edgepipe run` and `edgepipe check-config`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use edgepipe::config::Config;
use edgepipe::service::{self, Notifier, Outcome, RunOptions, Signals};

/// Where systemd's unit points the service.
pub const DEFAULT_CONFIG: &str = "/etc/edgepipe/edgepipe.toml";

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The configuration file.
    #[arg(long, default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// Stop after at least this many classified frames (those in flight are drained too).
    #[arg(long)]
    frames: Option<u64>,
    /// Also write the protocol lines to stdout.
    #[arg(long)]
    stdout: bool,
}

pub fn run(a: RunArgs) -> Result<()> {
    run_file(
        &a.config,
        RunOptions {
            max_frames: a.frames,
            stdout: a.stdout,
        },
    )
}

/// Runs the appliance on a configuration file until it is stopped, reloading on SIGHUP.
pub fn run_file(file: &Path, options: RunOptions) -> Result<()> {
    let mut config = Config::load(file)?;
    let signals = Signals::install()?;
    let notifier = Notifier::from_env();
    loop {
        tracing::info!(config = %config.file.display(), "starting");
        match service::run(&config, &signals, &notifier, &options)? {
            Outcome::Reload(new) => config = *new,
            Outcome::Stopped | Outcome::Finished => {
                tracing::info!("stopped");
                return Ok(());
            }
        }
    }
}

pub fn check(path: &Path) -> Result<()> {
    let c = Config::load(path)?;
    super::emit(&format!(
        "{}: ok ({} segment(s), source {:?})\n",
        path.display(),
        c.segments.len(),
        c.source
    ))
}
