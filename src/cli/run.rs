//! `edgepipe run` and `edgepipe check-config`: both go through [`service::prepare`], so every
//! check made before the hardware is opened is made by both.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use edgepipe::config::Config;
use edgepipe::service::error::chain;
use edgepipe::service::{
    self, Notifier, Outcome, Prepared, RunOptions, ServiceError, Signals, prepare,
};

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
    )?;
    Ok(())
}

fn load(file: &Path) -> Result<Prepared, ServiceError> {
    prepare(Config::load(file)?)
}

/// Runs the appliance on a configuration file until it is stopped, reloading on SIGHUP. A
/// new configuration that fails when its hardware is opened (a model the runtime refuses, a
/// TPU missing) is logged and the previous one is started again.
pub fn run_file(file: &Path, options: RunOptions) -> Result<(), ServiceError> {
    let mut prepared = load(file)?;
    let signals = Signals::install()?;
    let notifier = Notifier::from_env();
    let mut previous: Option<Config> = None;
    loop {
        let config = prepared.config.clone();
        tracing::info!(config = %config.file.display(), "starting");
        let started = match (service::start(prepared), previous.take()) {
            (Ok(s), _) => s,
            (Err(e), Some(old)) => {
                tracing::error!(
                    error = %chain(&e),
                    "new configuration failed at start; the previous one goes on"
                );
                prepared = prepare(old)?;
                continue;
            }
            (Err(e), None) => return Err(e),
        };
        match started.serve(&signals, &notifier, &options)? {
            Outcome::Reload(new) => {
                prepared = *new;
                previous = Some(config);
            }
            Outcome::Stopped | Outcome::Finished => {
                tracing::info!("stopped");
                return Ok(());
            }
        }
    }
}

/// `check-config`: the checks `run` makes at start, short of opening hardware.
pub fn check(path: &Path) -> Result<()> {
    let p = load(path)?;
    let mut out = format!(
        "{}: ok ({} segment(s), {} labels, source {})\n",
        path.display(),
        p.segments.len(),
        p.labels.len(),
        source_kind(&p.config)
    );
    if !p.unchecked().is_empty() {
        out.push_str("not checked without the hardware:\n");
        for line in p.unchecked() {
            out.push_str(&format!("  - {line}\n"));
        }
    }
    super::emit(&out)
}

fn source_kind(c: &Config) -> &'static str {
    match c.source {
        edgepipe::config::Source::Camera { .. } => "camera",
        edgepipe::config::Source::Images { .. } => "images",
        edgepipe::config::Source::Video { .. } => "video",
        edgepipe::config::Source::Pattern { .. } => "pattern",
    }
}
