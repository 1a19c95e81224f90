//! Why the service could not start, could not reload, or had to stop; and whose fault that is.
//!
//! Every variant names the part that failed (the configuration field where there is one) and
//! carries the typed error of that part as its source. [`ServiceError::fault`] is the one place
//! that decides, variant by variant and without a catch-all, whether a failure is the
//! configuration's (systemd must not restart: exit 2) or the environment's (a camera, TPU, UART
//! or GPIO chip absent or failing, a stage failing at run time: restarting may help, exit 1).

use crate::capture::CaptureError;
use crate::capture::camera::CameraError;
use crate::classify::ClassifyError;
use crate::config::ConfigError;
use crate::engine::{EngineError, OpenError, TpuError};
use crate::model::ModelError;
use crate::output::gpio::GpioError;
use crate::output::uart::UartError;
use crate::pipeline::{BuildError, PopError};
use crate::preflight::PreflightError;

/// Whose fault a failure is, which decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The configuration (or a file it names) is wrong: restarting cannot fix it.
    Configuration,
    /// The machine: a device absent or failing, a segment failing while running.
    Environment,
}

impl Fault {
    /// The exit status the unit's `RestartPreventExitStatus=2` expects: 2 or 1.
    pub fn exit_code(self) -> u8 {
        match self {
            Fault::Configuration => 2,
            Fault::Environment => 1,
        }
    }
}

/// Why the service could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The configuration file, or a value in it.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A segment file cannot be read or is not a usable model.
    #[error("model.segments[{index}]")]
    Segment {
        /// The segment's position in `model.segments`.
        index: usize,
        /// What the model reader said.
        #[source]
        source: ModelError,
    },
    /// A segment crashed or hung TensorFlow Lite in the preflight child: it is malformed.
    #[error("model.segments[{index}]")]
    Preflight {
        /// The segment's position in `model.segments`.
        index: usize,
        /// What the child showed.
        #[source]
        source: crate::preflight::PreflightError,
    },
    /// The segments do not form a chain (out of order, mismatched tensors).
    #[error("model.segments")]
    Chain(#[source] BuildError),
    /// The first segment's input is not an image.
    #[error("model.segments[0]: input")]
    Input(#[source] crate::capture::ImageError),
    /// The last segment's output is not a score vector.
    #[error("model.segments: output")]
    Output(#[source] ClassifyError),
    /// The labels file does not fit the model, or has blank or duplicate lines.
    #[error("model.labels")]
    Labels(#[source] ClassifyError),
    /// The frame source: a camera that is absent or not a camera, an image that does not
    /// decode, a video file of the wrong size.
    #[error("source")]
    Source(#[source] CaptureError),
    /// The segments' devices: TPUs, their locks, the interpreters.
    #[error("engine")]
    Devices(#[source] OpenError),
    /// The pipeline would not start (its threads).
    #[error("pipeline")]
    Pipeline(#[source] BuildError),
    /// The UART output.
    #[error("uart")]
    Uart(#[source] UartError),
    /// The GPIO outputs.
    #[error("gpio")]
    Gpio(#[source] GpioError),
    /// Signal handlers could not be installed.
    #[error("signal handlers")]
    Signals(#[source] std::io::Error),
    /// A segment failed while running.
    #[error(transparent)]
    Stage(#[from] PopError),
}

impl ServiceError {
    /// Whose fault this is; the exit status follows from it.
    pub fn fault(&self) -> Fault {
        use Fault::{Configuration, Environment};
        match self {
            ServiceError::Config(_)
            | ServiceError::Segment { .. }
            | ServiceError::Input(_)
            | ServiceError::Output(_)
            | ServiceError::Labels(_) => Configuration,
            ServiceError::Preflight { source, .. } => match source {
                PreflightError::Crashed { .. } | PreflightError::Hung { .. } => Configuration,
                PreflightError::Spawn { .. } => Environment,
            },
            ServiceError::Chain(e) | ServiceError::Pipeline(e) => build_fault(e),
            ServiceError::Source(e) => capture_fault(e),
            ServiceError::Devices(OpenError::Tpu(e)) => tpu_fault(e),
            ServiceError::Devices(OpenError::Engine { cause, .. }) => engine_fault(cause),
            ServiceError::Uart(e) => match e {
                UartError::NotATty { .. } | UartError::Baud(_) => Configuration,
                UartError::Open { .. } | UartError::Configure { .. } => Environment,
            },
            ServiceError::Gpio(e) => match e {
                GpioError::Incomplete(_) | GpioError::Pin(_) => Configuration,
                GpioError::NoChip(_)
                | GpioError::NoLine { .. }
                | GpioError::Request { .. }
                | GpioError::Set { .. } => Environment,
            },
            ServiceError::Signals(_) | ServiceError::Stage(_) => Environment,
        }
    }
}

fn build_fault(e: &BuildError) -> Fault {
    match e {
        BuildError::NoSegments
        | BuildError::Capacity(_)
        | BuildError::OutOfOrder { .. }
        | BuildError::WrittenTwice { .. }
        | BuildError::Mismatch { .. }
        | BuildError::NoReplicas(_)
        | BuildError::ReplicaMismatch { .. }
        | BuildError::TensorTooLarge { .. } => Fault::Configuration,
        BuildError::Spawn { .. } => Fault::Environment,
    }
}

fn capture_fault(e: &CaptureError) -> Fault {
    match e {
        CaptureError::Decode { .. }
        | CaptureError::Io { .. }
        | CaptureError::Empty(_)
        | CaptureError::FrameSize { .. } => Fault::Configuration,
        CaptureError::End => Fault::Environment,
        CaptureError::Camera(c) => camera_fault(c),
    }
}

/// A camera that is there but is not one, or cannot give the format asked for, is the
/// configuration's fault; one absent or failing is the machine's (it may come back).
fn camera_fault(e: &CameraError) -> Fault {
    match e {
        CameraError::NotCapture { .. } | CameraError::NoFormat { .. } => Fault::Configuration,
        CameraError::Open { .. }
        | CameraError::Setup { .. }
        | CameraError::Lost { .. }
        | CameraError::Timeout { .. } => Fault::Environment,
    }
}

fn tpu_fault(e: &TpuError) -> Fault {
    match e {
        TpuError::NeedsTpu(_) | TpuError::Count { .. } | TpuError::Shared(..) => {
            Fault::Configuration
        }
        TpuError::Library { .. }
        | TpuError::NotEnough { .. }
        | TpuError::NoSuchDevice { .. }
        | TpuError::InUse { .. }
        | TpuError::Lock { .. }
        | TpuError::Open(_) => Fault::Environment,
    }
}

/// A model the runtime refuses is the configuration's fault (another file is needed); a
/// runtime library that is missing, or an invoke that fails, is the machine's.
fn engine_fault(e: &EngineError) -> Fault {
    match e {
        EngineError::Device(e) => tpu_fault(e),
        e if e.is_model_refusal() => Fault::Configuration,
        _ => Fault::Environment,
    }
}

/// The error and its sources on one line, `outer: inner: innermost`, for logs.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        let s_text = s.to_string();
        if !text.ends_with(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        next = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_decide_the_exit_code() {
        let bad = ServiceError::Uart(UartError::NotATty {
            device: "/dev/null".into(),
        });
        assert_eq!(bad.fault().exit_code(), 2);
        let gone = ServiceError::Uart(UartError::Open {
            device: "/dev/ttyUSB0".into(),
            reason: "No such file or directory".into(),
        });
        assert_eq!(gone.fault().exit_code(), 1);
        let camera = ServiceError::Source(CaptureError::Camera(CameraError::NotCapture {
            device: "/tmp/file".into(),
            reason: "a regular file".into(),
        }));
        assert_eq!(camera.fault(), Fault::Configuration);
        assert_eq!(
            chain(&gone),
            "uart: /dev/ttyUSB0: cannot open: No such file or directory"
        );
    }
}
