//! Edge TPUs: finding them (libedgetpu), choosing one per segment, owning it (one process per
//! TPU, enforced with a lock file), and the Edge TPU as a [`Runtime`].
//!
//! Lock files: `<lock dir>/<device path with / as _>.lock`, held with `flock(LOCK_EX)` for as
//! long as the interpreter lives and holding the owner's pid. The kernel releases a flock when
//! its process exits, however it exits, so a dead owner never blocks a new one.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::fcntl::{Flock, FlockArg};
use serde::Serialize;

use super::classic::ClassicRuntime;
use super::{Engine, EngineError, Runtime};
use crate::sys::edgetpu::{EDGETPU_APEX_PCI, EDGETPU_APEX_USB, EdgeTpuLib};
use crate::sys::tflite_c::LoadError;

/// Default libedgetpu (the soname every package installs).
pub const DEFAULT_LIBRARY: &str = "libedgetpu.so.1";
/// Default directory of the device lock files.
pub const DEFAULT_LOCK_DIR: &str = "/run/lock/edgepipe";

/// How a TPU is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TpuKind {
    /// On PCIe (the Dev Board's own, M.2 and mPCIe cards): `/dev/apex_N`.
    Pci,
    /// A USB Accelerator.
    Usb,
}

impl std::fmt::Display for TpuKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TpuKind::Pci => "pci",
            TpuKind::Usb => "usb",
        })
    }
}

/// One Edge TPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tpu {
    /// How it is attached.
    pub kind: TpuKind,
    /// Its path as libedgetpu names it.
    pub path: String,
}

impl std::fmt::Display for Tpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind, self.path)
    }
}

/// Where a segment runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    /// The CPU.
    Cpu,
    /// An Edge TPU.
    Tpu(Tpu),
}

impl std::fmt::Display for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Binding::Cpu => f.write_str("cpu"),
            Binding::Tpu(t) => t.fmt(f),
        }
    }
}

/// A device as the user names it: `cpu`, `pci`, `usb`, `:N`, `pci:N`, `usb:N` (the N-th TPU,
/// of that kind), `pci:/dev/apex_0`, `usb:/sys/bus/usb/devices/3-1` (by path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// The CPU.
    Cpu,
    /// The next free TPU (of a kind).
    Any(Option<TpuKind>),
    /// The N-th TPU (of a kind), PCIe first.
    Index(Option<TpuKind>, usize),
    /// The TPU at a path.
    Path(TpuKind, String),
}

impl std::str::FromStr for DeviceSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<DeviceSpec, String> {
        let bad = || {
            format!("device '{s}': expected cpu, pci, usb, :N, pci:N, usb:N, pci:PATH or usb:PATH")
        };
        let kind = |k: &str| match k {
            "pci" => Ok(Some(TpuKind::Pci)),
            "usb" => Ok(Some(TpuKind::Usb)),
            "" => Ok(None),
            _ => Err(bad()),
        };
        match s.trim() {
            "cpu" => Ok(DeviceSpec::Cpu),
            "pci" | "usb" => Ok(DeviceSpec::Any(kind(s.trim())?)),
            other => {
                let (k, rest) = other.split_once(':').ok_or_else(bad)?;
                let k = kind(k)?;
                if let Ok(n) = rest.parse::<usize>() {
                    return Ok(DeviceSpec::Index(k, n));
                }
                match k {
                    Some(k) if rest.starts_with('/') => Ok(DeviceSpec::Path(k, rest.to_string())),
                    _ => Err(bad()),
                }
            }
        }
    }
}

/// Why segments cannot be given devices.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TpuError {
    /// libedgetpu is missing or unusable, and a segment needs it.
    #[error("segment {segment} needs an Edge TPU, but libedgetpu cannot be used: {cause}")]
    Library {
        /// The segment.
        segment: usize,
        /// The loader's error.
        cause: LoadError,
    },
    /// Fewer TPUs than segments needing one.
    #[error("{needed} segment(s) need an Edge TPU ({segments}), but {found} TPU(s) were found")]
    NotEnough {
        /// TPUs needed.
        needed: usize,
        /// TPUs found.
        found: usize,
        /// Which segments need one.
        segments: String,
    },
    /// A compiled segment was assigned to the CPU.
    #[error("segment {0} contains edgetpu-custom-op and cannot run on the CPU: give it a TPU")]
    NeedsTpu(usize),
    /// The device list does not match the segments.
    #[error("--devices names {given} device(s) for {segments} segment(s)")]
    Count {
        /// Devices given.
        given: usize,
        /// Segments.
        segments: usize,
    },
    /// A named device does not exist.
    #[error("segment {segment}: no Edge TPU {spec} (found: {found})")]
    NoSuchDevice {
        /// The segment.
        segment: usize,
        /// The spec as given.
        spec: String,
        /// What was found.
        found: String,
    },
    /// One TPU given to two segments.
    #[error("segments {0} and {1} are both assigned {2}; a TPU runs one segment")]
    Shared(usize, usize, String),
    /// Another process holds the TPU.
    #[error("Edge TPU {device} is in use by pid {pid} (lock {lock})")]
    InUse {
        /// The TPU.
        device: String,
        /// The holder.
        pid: String,
        /// The lock file.
        lock: PathBuf,
    },
    /// The lock file cannot be made.
    #[error("cannot lock Edge TPU {device} with {lock}: {reason}")]
    Lock {
        /// The TPU.
        device: String,
        /// The lock file.
        lock: PathBuf,
        /// Why.
        reason: String,
    },
    /// libedgetpu would not open the TPU.
    #[error("libedgetpu cannot open Edge TPU {0}")]
    Open(String),
}

/// Exclusive ownership of one TPU by this process, released when dropped or at exit.
#[derive(Debug)]
pub struct DeviceLock {
    _file: Flock<File>,
    /// The lock file.
    pub path: PathBuf,
}

fn lock_path(dir: &Path, device: &Tpu) -> PathBuf {
    let name: String = device
        .path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{}{}.lock", device.kind, name))
}

fn open_lock_file(dir: &Path, device: &Tpu) -> Result<(File, PathBuf), TpuError> {
    let path = lock_path(dir, device);
    let fail = |e: std::io::Error| TpuError::Lock {
        device: device.to_string(),
        lock: path.clone(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(fail)?;
    Ok((file, path))
}

fn read_pid(mut file: &File) -> String {
    let mut pid = String::new();
    let _ = file.rewind().and_then(|_| file.read_to_string(&mut pid));
    match pid.trim() {
        "" => "unknown".into(),
        p => p.into(),
    }
}

impl DeviceLock {
    /// Takes the TPU's lock without waiting; fails naming the holder's pid when it is held.
    pub fn acquire(dir: &Path, device: &Tpu) -> Result<DeviceLock, TpuError> {
        let (file, path) = open_lock_file(dir, device)?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(mut locked) => {
                let _ = locked
                    .set_len(0)
                    .and_then(|_| writeln!(&mut *locked, "{}", std::process::id()));
                Ok(DeviceLock {
                    _file: locked,
                    path,
                })
            }
            Err((file, errno)) if errno == nix::errno::Errno::EWOULDBLOCK => Err(TpuError::InUse {
                device: device.to_string(),
                pid: read_pid(&file),
                lock: path,
            }),
            Err((_, errno)) => Err(TpuError::Lock {
                device: device.to_string(),
                lock: path,
                reason: errno.to_string(),
            }),
        }
    }

    /// The pid holding the TPU's lock, or `None` when it is free.
    pub fn holder(dir: &Path, device: &Tpu) -> Option<String> {
        match DeviceLock::acquire(dir, device) {
            Ok(_) => None,
            Err(TpuError::InUse { pid, .. }) => Some(pid),
            Err(_) => None,
        }
    }
}

/// A loaded libedgetpu and the TPUs it sees.
pub struct EdgeTpu {
    lib: Arc<EdgeTpuLib>,
}

impl EdgeTpu {
    /// Loads libedgetpu (default [`DEFAULT_LIBRARY`]).
    pub fn load(path: Option<&Path>) -> Result<EdgeTpu, LoadError> {
        Ok(EdgeTpu {
            lib: EdgeTpuLib::load(path.unwrap_or(Path::new(DEFAULT_LIBRARY)))?,
        })
    }

    /// libedgetpu's version string.
    pub fn version(&self) -> String {
        self.lib.version()
    }

    /// Where the library was loaded from.
    pub fn library_path(&self) -> &Path {
        &self.lib.path
    }

    /// The TPUs, PCIe first (as Coral's examples order them), each kind in libedgetpu's order.
    pub fn devices(&self) -> Vec<Tpu> {
        let mut tpus: Vec<Tpu> = self
            .lib
            .list()
            .into_iter()
            .filter_map(|d| {
                let kind = match d.kind {
                    EDGETPU_APEX_PCI => TpuKind::Pci,
                    EDGETPU_APEX_USB => TpuKind::Usb,
                    _ => return None,
                };
                Some(Tpu { kind, path: d.path })
            })
            .collect();
        tpus.sort_by_key(|t| t.kind != TpuKind::Pci);
        tpus
    }
}

/// Chooses a device for each segment. Without `explicit`, segments holding the Edge TPU op
/// take the TPUs in order and the others run on the CPU.
pub fn assign(
    needs_tpu: &[bool],
    tpus: &[Tpu],
    explicit: Option<&[DeviceSpec]>,
) -> Result<Vec<Binding>, TpuError> {
    let bindings = match explicit {
        None => {
            let wanting: Vec<usize> = (0..needs_tpu.len()).filter(|&s| needs_tpu[s]).collect();
            if wanting.len() > tpus.len() {
                return Err(TpuError::NotEnough {
                    needed: wanting.len(),
                    found: tpus.len(),
                    segments: wanting
                        .iter()
                        .map(|s| format!("segment {s}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            // Enough TPUs were checked above, so every TPU segment gets one.
            let mut next = tpus.iter();
            needs_tpu
                .iter()
                .map(|&t| match t {
                    true => next.next().cloned().map_or(Binding::Cpu, Binding::Tpu),
                    false => Binding::Cpu,
                })
                .collect()
        }
        Some(specs) => {
            if specs.len() != needs_tpu.len() {
                return Err(TpuError::Count {
                    given: specs.len(),
                    segments: needs_tpu.len(),
                });
            }
            let mut taken: Vec<(usize, &Tpu)> = Vec::new();
            let mut out = Vec::with_capacity(specs.len());
            for (s, spec) in specs.iter().enumerate() {
                let of_kind =
                    |k: Option<TpuKind>| tpus.iter().filter(move |t| k.is_none_or(|k| t.kind == k));
                let chosen = match spec {
                    DeviceSpec::Cpu => None,
                    DeviceSpec::Any(k) => of_kind(*k).find(|t| !taken.iter().any(|(_, u)| u == t)),
                    DeviceSpec::Index(k, n) => of_kind(*k).nth(*n),
                    DeviceSpec::Path(k, p) => tpus.iter().find(|t| t.kind == *k && t.path == *p),
                };
                match (spec, chosen) {
                    (DeviceSpec::Cpu, _) if needs_tpu[s] => return Err(TpuError::NeedsTpu(s)),
                    (DeviceSpec::Cpu, _) => out.push(Binding::Cpu),
                    (_, None) => {
                        return Err(TpuError::NoSuchDevice {
                            segment: s,
                            spec: format!("{spec:?}"),
                            found: if tpus.is_empty() {
                                "none".into()
                            } else {
                                tpus.iter()
                                    .map(Tpu::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            },
                        });
                    }
                    (_, Some(t)) => {
                        if let Some((other, _)) = taken.iter().find(|(_, u)| *u == t) {
                            return Err(TpuError::Shared(*other, s, t.to_string()));
                        }
                        taken.push((s, t));
                        out.push(Binding::Tpu(t.clone()));
                    }
                }
            }
            out
        }
    };
    Ok(bindings)
}

/// Where segments get their devices.
#[derive(Clone, Default)]
pub struct DeviceConfig {
    /// libedgetpu to load (default [`DEFAULT_LIBRARY`]).
    pub library: Option<PathBuf>,
    /// Explicit device per segment.
    pub devices: Option<Vec<DeviceSpec>>,
    /// Lock directory (default [`DEFAULT_LOCK_DIR`]).
    pub lock_dir: Option<PathBuf>,
    /// Options for every TPU delegate, e.g. `("Performance", "Max")`.
    pub tpu_options: Vec<(String, String)>,
}

/// An Edge TPU as a runtime: a classic interpreter (`host`) with libedgetpu's delegate for
/// this TPU, holding the TPU's lock for the engine's life.
pub struct EdgeTpuRuntime {
    host: ClassicRuntime,
    lib: Arc<EdgeTpuLib>,
    tpu: Tpu,
    lock_dir: PathBuf,
    options: Vec<(String, String)>,
}

impl EdgeTpu {
    /// The runtime of `tpu`, its delegate hosted by `host`, its lock in `config`'s directory.
    pub fn runtime(&self, host: ClassicRuntime, tpu: Tpu, config: &DeviceConfig) -> EdgeTpuRuntime {
        EdgeTpuRuntime {
            host,
            lib: Arc::clone(&self.lib),
            tpu,
            lock_dir: config
                .lock_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_LOCK_DIR)),
            options: config.tpu_options.clone(),
        }
    }
}

impl Runtime for EdgeTpuRuntime {
    fn name(&self) -> String {
        format!(
            "Edge TPU {} (libedgetpu {}), hosted by {}",
            self.tpu,
            self.lib.version(),
            self.host.name()
        )
    }

    fn open(&self, model: &[u8]) -> Result<Box<dyn Engine>, EngineError> {
        let lock = DeviceLock::acquire(&self.lock_dir, &self.tpu)?;
        let kind = match self.tpu.kind {
            TpuKind::Pci => EDGETPU_APEX_PCI,
            TpuKind::Usb => EDGETPU_APEX_USB,
        };
        let options: Vec<(&str, &str)> = self
            .options
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let delegate = self
            .lib
            .create_delegate(kind, &self.tpu.path, &options)
            .ok_or_else(|| TpuError::Open(self.tpu.to_string()))?;
        let interpreter =
            self.host
                .interpreter(model, Some((delegate, self.tpu.clone())), Some(lock))?;
        Ok(Box::new(interpreter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tpu(kind: TpuKind, path: &str) -> Tpu {
        Tpu {
            kind,
            path: path.into(),
        }
    }

    #[test]
    fn device_specs_parse() {
        let p = |s: &str| s.parse::<DeviceSpec>();
        assert_eq!(p("cpu"), Ok(DeviceSpec::Cpu));
        assert_eq!(p("usb"), Ok(DeviceSpec::Any(Some(TpuKind::Usb))));
        assert_eq!(p(":1"), Ok(DeviceSpec::Index(None, 1)));
        assert_eq!(p("pci:0"), Ok(DeviceSpec::Index(Some(TpuKind::Pci), 0)));
        assert_eq!(
            p("pci:/dev/apex_0"),
            Ok(DeviceSpec::Path(TpuKind::Pci, "/dev/apex_0".into()))
        );
        assert!(p("gpu:0").unwrap_err().contains("'gpu:0'"));
        assert!(p("pci:apex").is_err());
    }

    #[test]
    fn default_assignment_gives_tpu_segments_tpus_in_order() {
        let tpus = [tpu(TpuKind::Pci, "/dev/apex_0"), tpu(TpuKind::Usb, "/u/1")];
        let b = assign(&[false, true, true], &tpus, None).unwrap();
        assert_eq!(
            b,
            vec![
                Binding::Cpu,
                Binding::Tpu(tpus[0].clone()),
                Binding::Tpu(tpus[1].clone())
            ]
        );
        let err = assign(&[true, true, true], &tpus, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "3 segment(s) need an Edge TPU (segment 0, segment 1, segment 2), but 2 TPU(s) were found"
        );
    }

    #[test]
    fn explicit_assignment_checks_every_choice() {
        let tpus = [tpu(TpuKind::Pci, "/dev/apex_0"), tpu(TpuKind::Usb, "/u/1")];
        let specs: Vec<DeviceSpec> = ["usb", "cpu", "pci:/dev/apex_0"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let b = assign(&[true, false, true], &tpus, Some(&specs)).unwrap();
        assert_eq!(
            b,
            vec![
                Binding::Tpu(tpus[1].clone()),
                Binding::Cpu,
                Binding::Tpu(tpus[0].clone())
            ]
        );
        let specs: Vec<DeviceSpec> = ["cpu", "usb"].iter().map(|s| s.parse().unwrap()).collect();
        assert_eq!(
            assign(&[true, false], &tpus, Some(&specs)),
            Err(TpuError::NeedsTpu(0))
        );
        let specs: Vec<DeviceSpec> = [":0", "pci:0"].iter().map(|s| s.parse().unwrap()).collect();
        assert!(matches!(
            assign(&[true, true], &tpus, Some(&specs)),
            Err(TpuError::Shared(0, 1, _))
        ));
        let specs: Vec<DeviceSpec> = ["pci:/dev/apex_9"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let e = assign(&[true], &tpus, Some(&specs))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no Edge TPU") && e.contains("/dev/apex_0"),
            "{e}"
        );
        assert_eq!(
            assign(&[true], &tpus, Some(&[])),
            Err(TpuError::Count {
                given: 0,
                segments: 1
            })
        );
    }

    #[test]
    fn a_held_lock_names_its_pid_and_frees_on_drop() {
        let dir = std::env::temp_dir().join(format!("edgepipe-lock-unit-{}", std::process::id()));
        let t = tpu(TpuKind::Pci, "/dev/apex_0");
        let held = DeviceLock::acquire(&dir, &t).unwrap();
        // flock locks belong to the open file description: a second open in this process
        // conflicts just as another process would.
        match DeviceLock::acquire(&dir, &t) {
            Err(TpuError::InUse { pid, .. }) => assert_eq!(pid, std::process::id().to_string()),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            DeviceLock::holder(&dir, &t),
            Some(std::process::id().to_string())
        );
        drop(held);
        assert_eq!(DeviceLock::holder(&dir, &t), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
