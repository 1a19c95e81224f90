//! The classic TensorFlow Lite C API as a runtime: the built-in TensorFlow Lite 1.15.5 and a
//! system `libtensorflowlite_c.so`, the same [`Interpreter`] over either. It also hosts the
//! Edge TPU's delegate (see [`super::edgetpu`]).

use std::sync::{Arc, OnceLock};

use crate::sys::edgetpu::RawDelegate;
use crate::sys::tflite_c::{self, Api, RawInterpreter, RawOptions, TfLiteRegistration};

use super::{Binding, DeviceLock, Engine, EngineError, EngineOptions, Provider, TensorSpec, Tpu};
use super::{CustomOp, Runtime};

/// The C API of a classic provider (the system library is loaded once per path); `Auto` is
/// the built-in one here.
pub fn api(provider: &Provider) -> Result<Arc<Api>, EngineError> {
    static BUILTIN: OnceLock<Arc<Api>> = OnceLock::new();
    match provider {
        Provider::Builtin | Provider::Auto => {
            Ok(Arc::clone(BUILTIN.get_or_init(|| Arc::new(Api::builtin()))))
        }
        Provider::System(path) => Ok(Api::load(path).map(Arc::new)?),
        Provider::Litert(_) => Err(EngineError::Refused {
            runtime: "a classic TensorFlow Lite interpreter".into(),
            reason: "LiteRT is not a TensorFlow Lite C API library: open it with engine::open"
                .into(),
        }),
    }
}

/// A classic TensorFlow Lite on the CPU.
pub struct ClassicRuntime {
    api: Arc<Api>,
    threads: usize,
    custom_ops: Vec<CustomOp>,
}

impl ClassicRuntime {
    /// The runtime of `options.provider` (builtin or system).
    pub fn new(options: &EngineOptions) -> Result<ClassicRuntime, EngineError> {
        Ok(ClassicRuntime {
            api: api(&options.provider)?,
            threads: options.threads,
            custom_ops: options.custom_ops.clone(),
        })
    }

    /// Builds an interpreter, on the TPU of `delegate` when given (holding its `lock`).
    pub fn interpreter(
        &self,
        model: &[u8],
        delegate: Option<(RawDelegate, Tpu)>,
        lock: Option<DeviceLock>,
    ) -> Result<Interpreter, EngineError> {
        Interpreter::build_with(
            Arc::clone(&self.api),
            model,
            self.threads,
            &self.custom_ops,
            delegate,
            lock,
        )
    }
}

impl Runtime for ClassicRuntime {
    fn name(&self) -> String {
        origin(&self.api)
    }

    fn open(&self, model: &[u8]) -> Result<Box<dyn Engine>, EngineError> {
        Ok(Box::new(self.interpreter(model, None, None)?))
    }
}

fn origin(api: &Api) -> String {
    match api.origin.starts_with("built-in") {
        true => api.origin.clone(),
        false => format!(
            "TensorFlow Lite {} ({})",
            tflite_c::version(api),
            api.origin
        ),
    }
}

/// A model on one device: a TensorFlow Lite interpreter, with the Edge TPU delegate and the
/// device lock when it runs on a TPU.
pub struct Interpreter {
    // Field order is drop order: the interpreter goes before the delegate it uses, and the
    // device lock is released last.
    raw: RawInterpreter,
    _delegate: Option<RawDelegate>,
    _lock: Option<DeviceLock>,
    inputs: Vec<TensorSpec>,
    outputs: Vec<TensorSpec>,
    /// Where it runs, for messages.
    pub binding: Binding,
    runtime: String,
}

impl Interpreter {
    /// Builds a CPU interpreter with the built-in TensorFlow Lite and `threads` threads.
    pub fn new(model: Vec<u8>, threads: usize) -> Result<Interpreter, EngineError> {
        Interpreter::with_options(
            &model,
            &EngineOptions {
                threads,
                ..Default::default()
            },
        )
    }

    /// Builds a CPU interpreter with `options`.
    pub fn with_options(model: &[u8], options: &EngineOptions) -> Result<Interpreter, EngineError> {
        Interpreter::build(model, options, None, None)
    }

    /// Builds an interpreter with `options`, on the TPU of `delegate` when given (holding its
    /// `lock` for the interpreter's life).
    pub fn build(
        model: &[u8],
        options: &EngineOptions,
        delegate: Option<(RawDelegate, Tpu)>,
        lock: Option<DeviceLock>,
    ) -> Result<Interpreter, EngineError> {
        let api = api(&options.provider)?;
        Interpreter::build_with(
            api,
            model,
            options.threads,
            &options.custom_ops,
            delegate,
            lock,
        )
    }

    fn build_with(
        api: Arc<Api>,
        model: &[u8],
        threads: usize,
        custom_ops: &[CustomOp],
        delegate: Option<(RawDelegate, Tpu)>,
        lock: Option<DeviceLock>,
    ) -> Result<Interpreter, EngineError> {
        let custom_ops: Vec<(&std::ffi::CStr, &'static TfLiteRegistration)> = custom_ops
            .iter()
            .map(|c| (c.name.as_c_str(), c.registration))
            .collect();
        let delegates: Vec<_> = delegate.iter().map(|(d, _)| d.as_ptr()).collect();
        let raw_options = RawOptions {
            threads: threads.clamp(1, 64) as i32,
            delegates: &delegates,
            custom_ops: &custom_ops,
        };
        let runtime = origin(&api);
        let raw = RawInterpreter::new(api, model, &raw_options).map_err(EngineError::Build)?;
        let quant = super::quantizations(model);
        let spec = |t: &tflite_c::RawTensor| {
            super::tensor_spec(&t.name, t.dtype, &t.dims, t.bytes, &quant)
        };
        let inputs = raw
            .inputs()
            .iter()
            .map(spec)
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = raw
            .outputs()
            .iter()
            .map(spec)
            .collect::<Result<Vec<_>, _>>()?;
        let (delegate, binding) = match delegate {
            Some((d, tpu)) => (Some(d), Binding::Tpu(tpu)),
            None => (None, Binding::Cpu),
        };
        Ok(Interpreter {
            raw,
            _delegate: delegate,
            _lock: lock,
            inputs,
            outputs,
            binding,
            runtime,
        })
    }

    /// The runtime's version.
    pub fn runtime_version(&self) -> String {
        self.raw.runtime_version()
    }
}

impl Engine for Interpreter {
    fn inputs(&self) -> &[TensorSpec] {
        &self.inputs
    }

    fn outputs(&self) -> &[TensorSpec] {
        &self.outputs
    }

    fn input_mut(&mut self, i: usize) -> &mut [u8] {
        self.raw.input_mut(i)
    }

    fn output(&self, i: usize) -> &[u8] {
        self.raw.output(i)
    }

    fn invoke(&mut self) -> Result<(), EngineError> {
        self.raw.invoke().map_err(EngineError::Invoke)
    }

    fn binding(&self) -> Binding {
        self.binding.clone()
    }

    fn runtime(&self) -> &str {
        &self.runtime
    }
}
