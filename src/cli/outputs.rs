//! `edgepipe outputs`: drive the UART and GPIO outputs from a replayed sequence of
//! classifications (wiring checks on the board, and the bench's output tests).
//!
//! The replay file has one frame per line: `LABEL SCORE`, or `-` for a frame where nothing
//! passed the threshold. With `--step-on-stdin`, each frame waits for a line on stdin and prints
//! `step N` once applied, so a test can read the lines back between frames.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use serde::Deserialize;

use edgepipe::fsutil;
use edgepipe::output::gpio::{GpioConfig, GpioOutputs};
use edgepipe::output::protocol::{self, Status};
use edgepipe::output::uart::{Uart, UartConfig};

#[derive(Args, Debug)]
pub struct OutputsArgs {
    /// TOML with [uart] and [gpio] sections: the appliance's config file (its other sections
    /// are not used) or one with just those.
    #[arg(long)]
    config: PathBuf,
    /// The frames to replay.
    #[arg(long)]
    replay: PathBuf,
    /// Wait for a line on stdin before each frame; print `step N` after it.
    #[arg(long)]
    step_on_stdin: bool,
    /// Keep answering commands for this long after the replay.
    #[arg(long, default_value_t = 0)]
    serve_ms: u64,
}

/// The `[uart]` and `[gpio]` of a configuration file; other sections are ignored (they are
/// the appliance's), the fields of these two are checked as `run` checks them.
#[derive(Deserialize)]
struct OutputsConfig {
    uart: Option<UartConfig>,
    #[serde(default)]
    gpio: GpioConfig,
}

pub fn run(a: OutputsArgs) -> Result<()> {
    let text = fsutil::read_text(&a.config, fsutil::MAX_TEXT_BYTES)?;
    let config: OutputsConfig =
        toml::from_str(&text).with_context(|| format!("{}", a.config.display()))?;
    if let Some(u) = &config.uart {
        edgepipe::config::check_uart(u, &a.config)?;
    }
    edgepipe::config::check_gpio(&config.gpio, &a.config)?;
    let replay = fsutil::read_text(&a.replay, fsutil::MAX_TEXT_BYTES)?;
    let mut gpio = GpioOutputs::open(&config.gpio)?;
    let uart = config.uart.as_ref().map(Uart::open).transpose()?;
    if let Some(u) = &uart {
        u.send(protocol::header(
            env!("CARGO_PKG_VERSION"),
            &a.replay.display().to_string(),
            0,
        ));
    }
    let mut status = Status {
        camera_ok: true,
        ..Default::default()
    };
    let started = Instant::now();
    let mut stdin = std::io::stdin().lock();
    for (n, frame) in replay
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if a.step_on_stdin {
            let mut line = String::new();
            if stdin.read_line(&mut line)? == 0 {
                break;
            }
        }
        let top1 = match frame.rsplit_once(char::is_whitespace) {
            Some((label, score)) => Some((
                label.trim(),
                score.parse::<f32>().with_context(|| {
                    format!("{}: frame {n}: bad score '{score}'", a.replay.display())
                })?,
            )),
            None => None,
        };
        gpio.update(top1)?;
        status.frames += 1;
        if let Some(u) = &uart {
            while let Some(c) = u.try_command() {
                u.send(protocol::answer(c, &mut status));
            }
            if !status.paused {
                let top = top1.map(|(label, score)| (0usize, score, label));
                u.send(protocol::classification(
                    n as u64,
                    started.elapsed().as_millis() as u64,
                    0.0,
                    top,
                ));
            }
        }
        if a.step_on_stdin {
            println!("step {n}");
        }
    }
    let serve_until = Instant::now() + Duration::from_millis(a.serve_ms);
    while let Some(u) = &uart {
        while let Some(c) = u.try_command() {
            u.send(protocol::answer(c, &mut status));
        }
        if Instant::now() >= serve_until {
            status.uart_dropped = u.stats().dropped.load(std::sync::atomic::Ordering::Relaxed);
            u.send(protocol::status(&status));
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    gpio.safe()?;
    if a.step_on_stdin {
        // Hold the lines in their safe state until told to release them.
        println!("safe");
        let mut line = String::new();
        stdin.read_line(&mut line)?;
    }
    Ok(())
}
