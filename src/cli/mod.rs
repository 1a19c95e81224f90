//! Subcommands of the `edgepipe` binary. Each turns its flags into library calls and prints
//! the result as text or JSON; context is added here, at the binary's edge.

/// `writeln!` into a `String` (writing to a `String` cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

mod balance;
mod bench;
mod bench_plan;
mod capture;
mod chart;
mod demo;
mod device_args;
mod devices;
mod inspect;
mod outputs;
mod plan;
mod run;
mod segment;
mod verify;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Segment a TensorFlow Lite model and run it across Coral Edge TPUs.
#[derive(Parser, Debug)]
#[command(name = "edgepipe", version, about)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the appliance on its embedded default: the repository's ImageNet model cut into
    /// CPU segments, its photos as the camera, protocol lines on stdout, GPIO in the log (no
    /// camera, TPU, pins or serial port needed).
    Demo {
        /// Number of segments.
        #[arg(long, short = 'n', default_value_t = 2)]
        num_segments: usize,
        /// Stop after this many classified frames (0: run until Ctrl-C).
        #[arg(long, default_value_t = 60)]
        frames: u64,
        /// Where to write the model, its segments, the photos and the configuration (default:
        /// a new private directory under $TMPDIR, made with mkdtemp).
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Replace files in --out-dir that an earlier demo did not write.
        #[arg(long)]
        force: bool,
    },
    /// Show a model's operators, tensors, parameters and Edge TPU cache estimate.
    Inspect {
        /// The .tflite model.
        model: PathBuf,
        /// Estimate the cache use for this many parameter-balanced segments.
        #[arg(long)]
        num_segments: Option<usize>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Cut a model into segments `<stem>_segment_<i>_of_<n>.tflite`.
    Segment(segment::SegmentArgs),
    /// Check that segments chained together equal the whole model, bit for bit.
    Verify(verify::VerifyArgs),
    /// Stream from a V4L2 camera and report format, frames, drops, rate and conversion.
    Capture(capture::CaptureArgs),
    /// Replay classifications through the UART and GPIO outputs (wiring checks).
    Outputs(outputs::OutputsArgs),
    /// Run the appliance: capture -> segmented model pipeline -> classify -> UART and GPIO.
    Run(run::RunArgs),
    /// Check a configuration file without running it.
    CheckConfig {
        /// The configuration file.
        #[arg(default_value = run::DEFAULT_CONFIG)]
        config: PathBuf,
    },
    /// Measure the whole model on one interpreter and its segments pipelined, side by side.
    Bench(bench::BenchArgs),
    /// Plan the devices: segments, cuts, replicas and which device runs which, from
    /// measurements; compared with libcoral's plan and data parallelism, with a what-if.
    Plan(plan::PlanArgs),
    /// List the Edge TPUs, libedgetpu's version, and which TPUs are free.
    Devices {
        /// libedgetpu to load.
        #[arg(long, env = "EDGEPIPE_EDGETPU_LIB")]
        edgetpu_lib: Option<PathBuf>,
        /// Directory of the per-TPU lock files.
        #[arg(long, env = "EDGEPIPE_LOCK_DIR")]
        lock_dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The preflight child (edgepipe runs it on itself): prepare and invoke the model on
    /// stdin once.
    #[command(name = "__preflight", hide = true)]
    Preflight {
        /// The TensorFlow Lite runtime.
        #[arg(long)]
        engine: edgepipe::engine::Provider,
        /// LiteRT's kernels.
        #[arg(long, default_value = "xnnpack")]
        kernels: edgepipe::engine::Kernels,
        /// Stop after preparing (no invoke).
        #[arg(long)]
        prepare_only: bool,
    },
}

/// Runs the parsed command.
pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Demo {
            num_segments,
            frames,
            out_dir,
            force,
        } => demo::run(num_segments, frames, out_dir, force),
        Command::Inspect {
            model,
            num_segments,
            json,
        } => inspect::run(&model, num_segments, json),
        Command::Segment(a) => segment::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Capture(a) => capture::run(a),
        Command::Outputs(a) => outputs::run(a),
        Command::Run(a) => run::run(a),
        Command::CheckConfig { config } => run::check(&config),
        Command::Bench(a) => bench::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Devices {
            edgetpu_lib,
            lock_dir,
            json,
        } => devices::run(edgetpu_lib.as_deref(), lock_dir.as_deref(), json),
        Command::Preflight {
            engine,
            kernels,
            prepare_only,
        } => {
            use edgepipe::preflight::{Depth, child};
            let depth = if prepare_only {
                Depth::Prepare
            } else {
                Depth::Invoke
            };
            std::process::exit(child(engine, kernels, depth).into())
        }
    }
}

/// A user's mistake, to be reported with exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit status of a failed command: 2 for bad input (a configuration, model or flag the
/// user can fix, a model the runtime refuses), 1 for everything else (a device absent or
/// failing, a run-time failure).
/// The service's errors decide through [`ServiceError::fault`], which knows every variant.
///
/// [`ServiceError::fault`]: edgepipe::service::ServiceError::fault
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(e) = err
        .chain()
        .find_map(|e| e.downcast_ref::<edgepipe::service::ServiceError>())
    {
        return e.fault().exit_code();
    }
    let bad_input = err.chain().any(|e| {
        e.is::<edgepipe::model::ModelError>()
            || e.is::<edgepipe::partition::PartitionError>()
            || e.downcast_ref::<edgepipe::model::segment::SegmentError>()
                .is_some_and(|e| e.is_bad_input())
            || e.is::<edgepipe::capture::ImageError>()
            || e.is::<edgepipe::capture::CaptureError>()
            || e.is::<edgepipe::classify::ClassifyError>()
            || matches!(
                e.downcast_ref::<edgepipe::capture::camera::CameraError>(),
                Some(
                    edgepipe::capture::camera::CameraError::NotCapture { .. }
                        | edgepipe::capture::camera::CameraError::NoFormat { .. }
                )
            )
            || e.is::<UsageError>()
            || e.downcast_ref::<edgepipe::engine::EngineError>()
                .is_some_and(edgepipe::engine::EngineError::is_model_refusal)
            || matches!(
                e.downcast_ref::<edgepipe::engine::OpenError>(),
                Some(edgepipe::engine::OpenError::Engine { cause, .. }) if cause.is_model_refusal()
            )
            || e.downcast_ref::<edgepipe::plan::file::PlanFileError>()
                .is_some_and(edgepipe::plan::file::PlanFileError::is_bad_input)
            || matches!(
                e.downcast_ref::<edgepipe::preflight::PreflightError>(),
                Some(p) if !matches!(p, edgepipe::preflight::PreflightError::Spawn { .. })
            )
            || e.downcast_ref::<edgepipe::fsutil::FsError>()
                .is_some_and(edgepipe::fsutil::FsError::is_bad_input)
            || e.is::<edgepipe::config::ConfigError>()
            || e.is::<edgepipe::output::gpio::GpioError>()
            || e.is::<edgepipe::output::uart::UartError>()
            || e.is::<toml::de::Error>()
            || matches!(
                e.downcast_ref::<edgepipe::engine::edgetpu::TpuError>(),
                Some(
                    edgepipe::engine::edgetpu::TpuError::Count { .. }
                        | edgepipe::engine::edgetpu::TpuError::Shared(..)
                        | edgepipe::engine::edgetpu::TpuError::NeedsTpu(_)
                )
            )
    });
    if bad_input { 2 } else { 1 }
}

/// Writes a command's whole output to stdout; a reader that went away (`| head`) is not an
/// error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Bytes as a short human figure.
pub fn human_bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 20 => format!("{:.2} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
