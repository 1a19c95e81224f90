//! [`RawCompiledModel`]: one model compiled by LiteRT for the CPU, with its input and output
//! buffers bound to memory it owns, and bound on request to the caller's memory
//! ([`RawCompiledModel::run_on`]).
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char, c_int};
use std::sync::Arc;

use super::{
    HW_CPU, Handle, LiteRtApi, RANKED, RawKernels, RawLayout, RawRankedType, Status, status_name,
};
use crate::sys::host::HostBuffer;

/// One input or output as the compiled model lays it out.
#[derive(Debug, Clone)]
pub struct RawTensorInfo {
    /// Name (the routing key).
    pub name: String,
    /// `TfLiteType` value.
    pub element_type: c_int,
    /// Dimensions.
    pub dims: Vec<usize>,
    /// Bytes.
    pub bytes: usize,
}

/// The largest input or output tensor bound (a model claiming more is refused, not allocated).
pub const MAX_TENSOR_BYTES: usize = 1 << 30;

/// How many caller addresses one tensor binds in place ([`RawCompiledModel::run_on`]): a
/// pipeline has one per slot; past this, the tensor is copied through the model's own memory.
pub const BOUND_PER_TENSOR: usize = 64;

/// A model compiled for the CPU, with one host buffer per input and output, allocated once,
/// bound to LiteRT tensor buffers over that memory (no copy between edgepipe and LiteRT).
pub struct RawCompiledModel {
    // Drop order (see `Drop`): buffers, compiled model, options, model, then the bytes.
    api: Arc<LiteRtApi>,
    compiled: Handle,
    options: Handle,
    model: Handle,
    in_buffers: Vec<Handle>,
    out_buffers: Vec<Handle>,
    in_memory: Vec<HostBuffer>,
    out_memory: Vec<HostBuffer>,
    inputs: Vec<RawTensorInfo>,
    outputs: Vec<RawTensorInfo>,
    /// Per tensor (inputs, then outputs): its type, for binding callers' memory.
    ranked: Vec<RawRankedType>,
    /// Per tensor (inputs, then outputs): tensor buffers over callers' memory, by address.
    bound: Vec<Vec<(usize, Handle)>>,
    /// The buffers of one [`RawCompiledModel::run_on`] call (capacity reserved at bind).
    run_in: Vec<Handle>,
    run_out: Vec<Handle>,
    /// Per output: copied back after the run (its caller memory could not be bound).
    copy_back: Vec<bool>,
    _bytes: Box<[u8]>,
}

// SAFETY: a compiled model may be used from any thread, one at a time; `RawCompiledModel` is
// not `Sync` and `run` and `input_mut` take `&mut self`. The buffers point into memory owned
// by this value.
unsafe impl Send for RawCompiledModel {}

fn check(status: Status, what: &str) -> Result<(), String> {
    match status {
        0 => Ok(()),
        s => Err(format!("{what}: {}", status_name(s))),
    }
}

/// The TOML payload of one opaque option (the options take ownership and free it with `free`).
fn opaque(api: &LiteRtApi, options: Handle, id: &CStr, toml: &str) -> Result<(), String> {
    let payload = crate::sys::tflite_c::c_string(toml);
    // SAFETY: `strdup` copies the NUL-terminated payload into malloc'ed memory, which the
    // opaque options own from here and release with `free`.
    let data = unsafe { nix::libc::strdup(payload.as_ptr()) };
    if data.is_null() {
        return Err("out of memory for options".into());
    }
    let mut handle = std::ptr::null_mut();
    // SAFETY: `id` outlives the call (LiteRT copies it); `data` is handed over with its
    // destructor; `handle` receives the new options.
    let status = unsafe {
        (api.create_opaque)(id.as_ptr(), data.cast(), Some(nix::libc::free), &mut handle)
    };
    if status != 0 {
        // SAFETY: not taken by LiteRT on failure.
        unsafe { nix::libc::free(data.cast()) };
        return check(status, "cannot create options");
    }
    // SAFETY: both handles are live; `options` takes ownership of `handle`.
    check(
        unsafe { (api.add_opaque)(options, handle) },
        "cannot add options",
    )
}

impl RawCompiledModel {
    /// Loads `model` (copied and kept), compiles it for the CPU with `threads` threads and
    /// `kernels`, and binds its inputs and outputs to memory allocated now.
    pub fn new(
        api: Arc<LiteRtApi>,
        model: &[u8],
        threads: usize,
        kernels: RawKernels,
    ) -> Result<RawCompiledModel, String> {
        let bytes: Box<[u8]> = model.into();
        let mut raw = RawCompiledModel {
            api,
            compiled: std::ptr::null_mut(),
            options: std::ptr::null_mut(),
            model: std::ptr::null_mut(),
            in_buffers: Vec::new(),
            out_buffers: Vec::new(),
            in_memory: Vec::new(),
            out_memory: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            ranked: Vec::new(),
            bound: Vec::new(),
            run_in: Vec::new(),
            run_out: Vec::new(),
            copy_back: Vec::new(),
            _bytes: bytes,
        };
        let api = Arc::clone(&raw.api);
        // SAFETY: the bytes live in `raw` (boxed, never moved or changed) until after the model
        // is destroyed; `model` receives a new handle.
        check(
            unsafe {
                (api.create_model)(
                    api.env,
                    raw._bytes.as_ptr().cast(),
                    raw._bytes.len(),
                    &mut raw.model,
                )
            },
            "LiteRT cannot load the model",
        )?;
        // SAFETY: plain constructor.
        check(
            unsafe { (api.create_options)(&mut raw.options) },
            "cannot create options",
        )?;
        // SAFETY: `options` is live.
        check(
            unsafe { (api.set_accelerators)(raw.options, HW_CPU) },
            "cannot choose the CPU",
        )?;
        let mode = match kernels {
            RawKernels::Xnnpack => "delegate",
            RawKernels::Builtin => "builtin",
        };
        let cpu = format!(
            "num_threads = {}\nkernel_mode = \"{mode}\"\n",
            threads.max(1)
        );
        opaque(&api, raw.options, c"xnnpack", &cpu)?;
        opaque(&api, raw.options, c"cpu_delegate", &cpu)?;
        opaque(
            &api,
            raw.options,
            c"runtime_options_string",
            "error_reporter_mode = 2\n",
        )?;
        // SAFETY: environment, model and options are live and outlive the compiled model.
        check(
            unsafe { (api.create_compiled)(api.env, raw.model, raw.options, &mut raw.compiled) },
            "LiteRT cannot compile the model",
        )?;
        raw.describe_and_bind()?;
        Ok(raw)
    }

    fn describe_and_bind(&mut self) -> Result<(), String> {
        let api = Arc::clone(&self.api);
        let mut sig = std::ptr::null_mut();
        let (mut n_in, mut n_out) = (0usize, 0usize);
        // SAFETY: the model is live; the signature belongs to it.
        unsafe {
            check(
                (api.model_signature)(self.model, 0, &mut sig),
                "no signature",
            )?;
            check((api.signature_inputs)(sig, &mut n_in), "inputs")?;
            check((api.signature_outputs)(sig, &mut n_out), "outputs")?;
        }
        let mut out_layouts = vec![RawLayout::default(); n_out];
        // SAFETY: `out_layouts` has room for `n_out` layouts.
        check(
            unsafe {
                (api.output_layouts)(self.compiled, 0, n_out, out_layouts.as_mut_ptr(), false)
            },
            "output layouts",
        )?;
        for i in 0..n_in + n_out {
            let is_input = i < n_in;
            let mut tensor = std::ptr::null_mut();
            let mut name: *const c_char = std::ptr::null();
            let mut type_id = 0;
            let mut ranked = RawRankedType::default();
            // SAFETY: indices are within the counts LiteRT reported; the tensor and its name
            // belong to the live model.
            unsafe {
                if is_input {
                    check((api.signature_input)(sig, i, &mut tensor), "input")?;
                } else {
                    check((api.signature_output)(sig, i - n_in, &mut tensor), "output")?;
                }
                check((api.tensor_name)(tensor, &mut name), "tensor name")?;
                check((api.tensor_type_id)(tensor, &mut type_id), "tensor type")?;
            }
            let name = if name.is_null() {
                String::new()
            } else {
                // SAFETY: non-null, NUL-terminated, owned by the model.
                unsafe { CStr::from_ptr(name) }
                    .to_string_lossy()
                    .into_owned()
            };
            if type_id != RANKED {
                return Err(format!("tensor '{name}' has no fixed rank"));
            }
            // SAFETY: the tensor is live and ranked; `ranked` is a valid destination.
            check(
                unsafe { (api.ranked_type)(tensor, &mut ranked) },
                "tensor type",
            )?;
            let layout = if is_input {
                let mut l = RawLayout::default();
                // SAFETY: `i` is a valid input index; `l` is a valid destination.
                check(
                    unsafe { (api.input_layout)(self.compiled, 0, i, &mut l) },
                    "input layout",
                )?;
                l
            } else {
                out_layouts[i - n_in]
            };
            ranked.layout = layout;
            self.bind(name, ranked, is_input)?;
        }
        // Allocated now so that binding and running on callers' memory never allocates.
        self.bound = (0..n_in + n_out)
            .map(|_| Vec::with_capacity(BOUND_PER_TENSOR))
            .collect();
        self.run_in = Vec::with_capacity(n_in);
        self.run_out = Vec::with_capacity(n_out);
        self.copy_back = vec![false; n_out];
        Ok(())
    }

    fn bind(&mut self, name: String, ranked: RawRankedType, input: bool) -> Result<(), String> {
        let dims: Vec<usize> = ranked
            .layout
            .dims()
            .iter()
            .map(|&d| usize::try_from(d))
            .collect::<Result<_, _>>()
            .map_err(|_| format!("tensor '{name}' has a dynamic shape"))?;
        let size = element_size(ranked.element_type)
            .ok_or_else(|| format!("tensor '{name}' has element type {}", ranked.element_type))?;
        let bytes = dims
            .iter()
            .try_fold(size, |b, &d| b.checked_mul(d))
            .filter(|&b| b <= MAX_TENSOR_BYTES)
            .ok_or_else(|| format!("tensor '{name}' is larger than {MAX_TENSOR_BYTES} bytes"))?;
        let mut memory = HostBuffer::zeroed(bytes)
            .ok_or_else(|| format!("cannot allocate {bytes} bytes for tensor '{name}'"))?;
        let mut buffer = std::ptr::null_mut();
        // SAFETY: `memory` is `bytes` long, 64-byte aligned, owned by `self` and freed only
        // after the buffer is destroyed (see `Drop`); no deallocator is given, so LiteRT never
        // frees it.
        check(
            unsafe {
                (self.api.buffer_from_host)(
                    &ranked,
                    memory.as_mut_ptr().cast(),
                    bytes,
                    None,
                    &mut buffer,
                )
            },
            &format!("cannot bind tensor '{name}'"),
        )?;
        self.ranked.push(ranked);
        let info = RawTensorInfo {
            name,
            element_type: ranked.element_type,
            dims,
            bytes,
        };
        if input {
            self.in_buffers.push(buffer);
            self.in_memory.push(memory);
            self.inputs.push(info);
        } else {
            self.out_buffers.push(buffer);
            self.out_memory.push(memory);
            self.outputs.push(info);
        }
        Ok(())
    }

    /// Inputs, in the signature's order.
    pub fn inputs(&self) -> &[RawTensorInfo] {
        &self.inputs
    }

    /// Outputs, in the signature's order.
    pub fn outputs(&self) -> &[RawTensorInfo] {
        &self.outputs
    }

    /// The bytes of input `i`.
    pub fn input_mut(&mut self, i: usize) -> &mut [u8] {
        // LiteRT reads it only inside `run`, which also takes `&mut self`.
        &mut self.in_memory[i]
    }

    /// The bytes of output `i`.
    pub fn output(&self, i: usize) -> &[u8] {
        &self.out_memory[i]
    }

    /// Runs the model on the bound buffers. On failure, returns what LiteRT reported.
    pub fn run(&mut self) -> Result<(), String> {
        // SAFETY: the compiled model and every buffer are live; the arrays hold exactly the
        // signature's inputs and outputs.
        let status = unsafe {
            (self.api.run)(
                self.compiled,
                0,
                self.in_buffers.len(),
                self.in_buffers.as_mut_ptr(),
                self.out_buffers.len(),
                self.out_buffers.as_mut_ptr(),
            )
        };
        self.outcome(status)
    }

    /// Runs the model on the caller's memory: input `i` is `tensors[ins[i]]`, output `o` is
    /// `tensors[outs[o]]`, read and written in place through a tensor buffer made once per
    /// address and kept; a wrong count or length is an error. A tensor whose memory cannot be
    /// bound (LiteRT refusing it, [`BOUND_PER_TENSOR`] addresses already bound) goes through this model's
    /// own memory instead, copied. Allocates nothing once every address has been seen.
    pub fn run_on(
        &mut self,
        tensors: &mut [HostBuffer],
        ins: &[usize],
        outs: &[usize],
    ) -> Result<(), String> {
        let (n_in, n_out) = (self.inputs.len(), self.outputs.len());
        if ins.len() != n_in || outs.len() != n_out {
            return Err(format!(
                "{} inputs and {} outputs given, the model has {n_in} and {n_out}",
                ins.len(),
                outs.len()
            ));
        }
        let wanted = self.inputs.iter().chain(&self.outputs).map(|t| t.bytes);
        for ((k, &t), bytes) in ins.iter().chain(outs).enumerate().zip(wanted) {
            match tensors.get(t).map(|m| m.len()) {
                Some(len) if len == bytes => {}
                got => {
                    return Err(format!(
                        "tensor #{k} is given {got:?} bytes, the model wants {bytes}"
                    ));
                }
            }
        }
        self.run_in.clear();
        self.run_out.clear();
        for (i, &t) in ins.iter().enumerate() {
            let handle = match self.bound_handle(i, &mut tensors[t]) {
                Some(h) => h,
                None => {
                    self.in_memory[i].copy_from_slice(&tensors[t]);
                    self.in_buffers[i]
                }
            };
            self.run_in.push(handle);
        }
        for (o, &t) in outs.iter().enumerate() {
            let bound = self.bound_handle(n_in + o, &mut tensors[t]);
            self.copy_back[o] = bound.is_none();
            self.run_out.push(bound.unwrap_or(self.out_buffers[o]));
        }
        // SAFETY: the compiled model and every buffer are live; each bound buffer wraps memory
        // of `tensors`, borrowed mutably for this whole call; the arrays hold exactly the
        // signature's inputs and outputs.
        let status = unsafe {
            (self.api.run)(
                self.compiled,
                0,
                n_in,
                self.run_in.as_mut_ptr(),
                n_out,
                self.run_out.as_mut_ptr(),
            )
        };
        self.outcome(status)?;
        for (o, &t) in outs.iter().enumerate() {
            if self.copy_back[o] {
                tensors[t].copy_from_slice(&self.out_memory[o]);
            }
        }
        Ok(())
    }

    /// The tensor buffer over `memory` for tensor `k` (inputs, then outputs), made now if
    /// this address is new; `None` when it cannot be bound.
    fn bound_handle(&mut self, k: usize, memory: &mut HostBuffer) -> Option<Handle> {
        let bytes = memory.len();
        let address = memory.as_ptr() as usize;
        if let Some(&(_, handle)) = self.bound[k].iter().find(|(a, _)| *a == address) {
            return Some(handle);
        }
        if self.bound[k].len() == BOUND_PER_TENSOR {
            return None;
        }
        let mut handle = std::ptr::null_mut();
        // SAFETY: `memory` is `bytes` long and 64-byte aligned; no deallocator is given, so
        // LiteRT never frees it. The handle is used only by `run_on` while the caller lends
        // this same address again, so LiteRT touches the memory only while it is borrowed.
        let status = unsafe {
            (self.api.buffer_from_host)(
                &self.ranked[k],
                memory.as_mut_ptr().cast(),
                bytes,
                None,
                &mut handle,
            )
        };
        if status != 0 || handle.is_null() {
            return None;
        }
        self.bound[k].push((address, handle));
        Some(handle)
    }

    /// `Ok` for a successful run, else LiteRT's status and messages.
    fn outcome(&mut self, status: Status) -> Result<(), String> {
        if status == 0 {
            return Ok(());
        }
        Err(match self.take_errors() {
            Some(text) => format!("{}: {text}", status_name(status)),
            None => status_name(status),
        })
    }

    /// The messages LiteRT buffered since the last call (they are cleared).
    fn take_errors(&mut self) -> Option<String> {
        let mut text: *mut c_char = std::ptr::null_mut();
        // SAFETY: the compiled model is live; LiteRT returns a malloc'ed string or null.
        let status = unsafe { (self.api.error_messages)(self.compiled, &mut text) };
        if status != 0 || text.is_null() {
            return None;
        }
        // SAFETY: non-null, NUL-terminated, ours to free with `free`.
        let owned = unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .trim()
            .to_string();
        // SAFETY: as above; freed once.
        unsafe {
            nix::libc::free(text.cast());
            (self.api.clear_errors)(self.compiled);
        }
        (!owned.is_empty()).then(|| owned.replace('\n', "; "))
    }
}

impl Drop for RawCompiledModel {
    fn drop(&mut self) {
        // SAFETY: each handle was created by this library and is destroyed once, users before
        // what they use: buffers, the compiled model, its options, the model. The memory and
        // the model bytes are freed after, by their own drops.
        unsafe {
            let bound = self.bound.iter().flatten().map(|(_, b)| b);
            for &b in self.in_buffers.iter().chain(&self.out_buffers).chain(bound) {
                (self.api.destroy_buffer)(b);
            }
            if !self.compiled.is_null() {
                (self.api.destroy_compiled)(self.compiled);
            }
            if !self.options.is_null() {
                (self.api.destroy_options)(self.options);
            }
            if !self.model.is_null() {
                (self.api.destroy_model)(self.model);
            }
        }
    }
}

/// Bytes per element of a `LiteRtElementType` (the `TfLiteType` values).
fn element_size(t: c_int) -> Option<usize> {
    Some(match t {
        3 | 9 | 6 => 1,
        7 | 10 | 17 | 19 => 2,
        1 | 2 | 16 => 4,
        4 | 8 | 11 | 13 => 8,
        12 => 16,
        _ => return None,
    })
}
