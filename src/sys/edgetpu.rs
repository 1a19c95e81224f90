//! libedgetpu's C API (`tflite/public/edgetpu_c.h`), loaded at run time.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::tflite_c::{LoadError, TfLiteDelegate, error_chain};

/// `enum edgetpu_device_type`.
pub const EDGETPU_APEX_PCI: c_int = 0;
/// `enum edgetpu_device_type`.
pub const EDGETPU_APEX_USB: c_int = 1;

#[repr(C)]
struct RawDevice {
    kind: c_int,
    path: *const c_char,
}

#[repr(C)]
struct RawOption {
    name: *const c_char,
    value: *const c_char,
}

type ListDevices = unsafe extern "C" fn(*mut usize) -> *mut RawDevice;
type FreeDevices = unsafe extern "C" fn(*mut RawDevice);
type CreateDelegate =
    unsafe extern "C" fn(c_int, *const c_char, *const RawOption, usize) -> *mut TfLiteDelegate;
type FreeDelegate = unsafe extern "C" fn(*mut TfLiteDelegate);
type Version = unsafe extern "C" fn() -> *const c_char;

/// A loaded libedgetpu.
pub struct EdgeTpuLib {
    list_devices: ListDevices,
    free_devices: FreeDevices,
    create_delegate: CreateDelegate,
    free_delegate: FreeDelegate,
    version: Version,
    /// Where it was loaded from.
    pub path: PathBuf,
    _library: libloading::Library,
}

/// One TPU as libedgetpu lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTpu {
    /// `EDGETPU_APEX_PCI` or `EDGETPU_APEX_USB`.
    pub kind: c_int,
    /// Device path (`/dev/apex_0`, `/sys/bus/usb/devices/3-1`).
    pub path: String,
}

/// A delegate for one TPU, freed with libedgetpu when dropped.
pub struct RawDelegate {
    ptr: *mut TfLiteDelegate,
    lib: Arc<EdgeTpuLib>,
}

// SAFETY: the delegate is only handed to one interpreter and freed once, from whichever thread
// drops it; libedgetpu's delegates are not tied to the creating thread.
unsafe impl Send for RawDelegate {}

impl RawDelegate {
    /// The pointer to add to interpreter options.
    pub fn as_ptr(&self) -> *mut TfLiteDelegate {
        self.ptr
    }
}

impl Drop for RawDelegate {
    fn drop(&mut self) {
        // SAFETY: created by this library's `edgetpu_create_delegate`, freed once, after the
        // interpreter that used it (the owner drops the interpreter first).
        unsafe { (self.lib.free_delegate)(self.ptr) }
    }
}

impl EdgeTpuLib {
    /// Loads libedgetpu from `path` (a file name such as `libedgetpu.so.1` searches the
    /// library path).
    pub fn load(path: &Path) -> Result<Arc<EdgeTpuLib>, LoadError> {
        // SAFETY: libedgetpu's initialisers only set up its driver registry.
        let library = unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Open {
            path: path.to_path_buf(),
            reason: error_chain(&e),
        })?;
        macro_rules! sym {
            ($name:literal, $ty:ty) => {
                // SAFETY: the type is edgetpu_c.h's signature for this symbol.
                unsafe {
                    *library
                        .get::<$ty>(concat!($name, "\0").as_bytes())
                        .map_err(|_| LoadError::Symbol {
                            path: path.to_path_buf(),
                            symbol: $name,
                        })?
                }
            };
        }
        Ok(Arc::new(EdgeTpuLib {
            list_devices: sym!("edgetpu_list_devices", ListDevices),
            free_devices: sym!("edgetpu_free_devices", FreeDevices),
            create_delegate: sym!("edgetpu_create_delegate", CreateDelegate),
            free_delegate: sym!("edgetpu_free_delegate", FreeDelegate),
            version: sym!("edgetpu_version", Version),
            path: path.to_path_buf(),
            _library: library,
        }))
    }

    /// The runtime version string.
    pub fn version(&self) -> String {
        // SAFETY: returns a static NUL-terminated string or null.
        let v = unsafe { (self.version)() };
        if v.is_null() {
            return "unknown".into();
        }
        // SAFETY: non-null and NUL-terminated.
        unsafe { CStr::from_ptr(v) }.to_string_lossy().into_owned()
    }

    /// The TPUs present.
    pub fn list(&self) -> Vec<RawTpu> {
        let mut n = 0usize;
        // SAFETY: writes the count; returns null or an array of `n` devices that we free below.
        let devices = unsafe { (self.list_devices)(&mut n) };
        if devices.is_null() {
            return Vec::new();
        }
        // SAFETY: `devices` points to `n` entries whose paths are NUL-terminated strings, all
        // valid until `edgetpu_free_devices`.
        let list = unsafe {
            std::slice::from_raw_parts(devices, n)
                .iter()
                .map(|d| RawTpu {
                    kind: d.kind,
                    path: if d.path.is_null() {
                        String::new()
                    } else {
                        CStr::from_ptr(d.path).to_string_lossy().into_owned()
                    },
                })
                .collect()
        };
        // SAFETY: returned by `edgetpu_list_devices`, freed once.
        unsafe { (self.free_devices)(devices) };
        list
    }

    /// Opens the TPU of `kind` at `path` with `options` and returns its delegate, or `None`
    /// when libedgetpu cannot open it. The path is always passed: libedgetpu aborts the process
    /// when given options with a null device name.
    pub fn create_delegate(
        self: &Arc<Self>,
        kind: c_int,
        path: &str,
        options: &[(&str, &str)],
    ) -> Option<RawDelegate> {
        let path = CString::new(path).ok()?;
        let strings: Vec<(CString, CString)> = options
            .iter()
            .filter_map(|(k, v)| Some((CString::new(*k).ok()?, CString::new(*v).ok()?)))
            .collect();
        let raw: Vec<RawOption> = strings
            .iter()
            .map(|(k, v)| RawOption {
                name: k.as_ptr(),
                value: v.as_ptr(),
            })
            .collect();
        let opts = if raw.is_empty() {
            std::ptr::null()
        } else {
            raw.as_ptr()
        };
        // SAFETY: all strings outlive the call; `raw` has `raw.len()` valid entries.
        let ptr = unsafe { (self.create_delegate)(kind, path.as_ptr(), opts, raw.len()) };
        (!ptr.is_null()).then(|| RawDelegate {
            ptr,
            lib: Arc::clone(self),
        })
    }
}
