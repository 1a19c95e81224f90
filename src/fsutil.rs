//! The files edgepipe reads and writes, handled as a hostile or careless user may give them.
//!
//! - **Reads are bounded.** Text inputs (labels, replay files, configuration) are read up to a
//!   limit ([`MAX_TEXT_BYTES`]); a larger file is an error naming it, never an unbounded
//!   allocation. The size on disk is not trusted (files in /proc say 0): the read stops one
//!   byte past the limit.
//! - **Only regular files are read.** A FIFO, directory, device or socket where a file is
//!   expected is refused at once: the file is opened with `O_NONBLOCK` (so opening a FIFO
//!   never waits for a writer) and checked with `fstat` on the open descriptor (no race
//!   between the check and the use). `/dev/zero` as labels is a character device: refused.
//! - **Writes are atomic.** [`write_files`] writes each file to a temporary file in the target
//!   directory, `fsync`s it, and only when every file of the batch is complete renames them
//!   into place (then `fsync`s the directory). A full disk, a file-size limit or any error
//!   leaves the previous files as they were and no partial file behind. The rename replaces
//!   the directory entry: a symlink or hard link planted at the target is replaced, never
//!   written through.
//! - **Nothing is overwritten by surprise.** A target that is the input (same device and
//!   inode, through a symlink or hard link or not) is refused; an existing file is replaced
//!   only when the caller recognises it as its own previous output, or with `force`.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The most edgepipe reads of a text input: labels, replay files, configuration (16 MiB; the
/// 1000 ImageNet labels are 10 KiB).
pub const MAX_TEXT_BYTES: u64 = 16 << 20;

/// The largest model file read into memory: 2 GiB, the most a flatbuffer can address.
pub const MAX_MODEL_BYTES: u64 = 1 << 31;

/// Why a file cannot be read or written. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The file cannot be opened (missing, permissions).
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// Not a regular file: a FIFO, a directory, a device or a socket.
    #[error("{} is {kind}, not a regular file", path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is instead ("a FIFO", "a directory", ...).
        kind: &'static str,
    },
    /// Larger than the limit for its kind.
    #[error("{} is larger than {limit} bytes, the most edgepipe reads of such a file", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// A text input that is not UTF-8.
    #[error("{} is not UTF-8 text (at byte {at})", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
        /// Offset of the first invalid byte.
        at: usize,
    },
    /// Reading failed after the open.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// Writing failed (full disk, file-size limit, permissions); nothing was replaced.
    #[error("cannot write {}: {source}; nothing was replaced", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// The target is one of the inputs (the same file, perhaps through a link).
    #[error("refusing to write {}: it is the input {}", path.display(), input.display())]
    IsInput {
        /// The target.
        path: PathBuf,
        /// The input it is.
        input: PathBuf,
    },
    /// The target exists and the caller does not recognise it as its own earlier output.
    #[error(
        "refusing to replace {}: it exists and is not {what}; remove it or pass --force",
        path.display()
    )]
    Exists {
        /// The target.
        path: PathBuf,
        /// What a replaceable file would be ("a previous segment of model.tflite").
        what: String,
    },
    /// A target without a file name or directory.
    #[error("cannot write {}: not a file path", path.display())]
    BadTarget {
        /// The target.
        path: PathBuf,
    },
}

impl FsError {
    /// True for what the user can fix by giving another file or flag (exit status 2);
    /// false for a failing system (a full disk, an I/O error: exit status 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, FsError::Read { .. } | FsError::Write { .. })
    }
}

/// What a file is, for [`FsError::NotRegular`].
fn kind_of(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Opens a regular file for reading, refusing anything else at once (a FIFO never blocks).
pub fn open_regular(path: &Path) -> Result<File, FsError> {
    let file = OpenOptions::new()
        .read(true)
        // A FIFO opened without O_NONBLOCK waits for a writer; with it, the open returns and
        // the fstat below refuses it. On a regular file O_NONBLOCK changes nothing.
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(|source| FsError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let meta = file.metadata().map_err(|source| FsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.file_type().is_file() {
        return Err(FsError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(meta.file_type()),
        });
    }
    Ok(file)
}

/// Reads a whole regular file of at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
    let file = open_regular(path)?;
    let hint = file.metadata().map(|m| m.len()).unwrap_or(0).min(limit);
    let mut bytes = Vec::with_capacity(hint as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| FsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(FsError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, FsError> {
    String::from_utf8(read_bounded(path, limit)?).map_err(|e| FsError::NotText {
        path: path.to_path_buf(),
        at: e.utf8_error().valid_up_to(),
    })
}

/// A file's identity: device and inode, the same through every link to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity of an open file.
    pub fn of(file: &File) -> io::Result<FileId> {
        let m = file.metadata()?;
        Ok(FileId {
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    /// The identity of the file at `path`, following symlinks; `None` when there is none.
    pub fn at(path: &Path) -> Option<FileId> {
        let m = std::fs::metadata(path).ok()?;
        Some(FileId {
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    /// The identity of the directory entry itself (a symlink's own inode).
    fn entry(path: &Path) -> Option<FileId> {
        let m = std::fs::symlink_metadata(path).ok()?;
        Some(FileId {
            dev: m.dev(),
            ino: m.ino(),
        })
    }
}

/// Decides whether an existing file at a target may be replaced (it is the caller's own
/// earlier output); gets the target and the bytes it holds now.
pub type Replaceable<'a> = &'a dyn Fn(&Path, &[u8]) -> bool;

/// How [`write_files`] treats what is already there.
pub struct WritePolicy<'a> {
    /// Files that must never be written over (the inputs), with the names to report.
    pub inputs: Vec<(FileId, PathBuf)>,
    /// Replace any existing file (`--force`); inputs stay protected.
    pub force: bool,
    /// Which existing files are the caller's own earlier output, and what such a file is
    /// (for the error); `None` refuses every existing file (unless `force`).
    pub replaceable: Option<(Replaceable<'a>, String)>,
}

impl WritePolicy<'_> {
    /// Protects `inputs`, replaces nothing that exists.
    pub fn new(inputs: &[&Path]) -> WritePolicy<'static> {
        WritePolicy {
            inputs: inputs
                .iter()
                .filter_map(|p| Some((FileId::at(p)?, p.to_path_buf())))
                .collect(),
            force: false,
            replaceable: None,
        }
    }
}

/// The largest existing file read to decide whether it may be replaced.
const MAX_INSPECT_BYTES: u64 = 1 << 31;

/// Checks one target against the policy before anything is written.
fn check_target(path: &Path, policy: &WritePolicy) -> Result<(), FsError> {
    for (id, input) in &policy.inputs {
        if FileId::at(path) == Some(*id) || FileId::entry(path) == Some(*id) {
            return Err(FsError::IsInput {
                path: path.to_path_buf(),
                input: input.clone(),
            });
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(()); // Nothing there.
    };
    if meta.is_dir() {
        return Err(FsError::NotRegular {
            path: path.to_path_buf(),
            kind: "a directory",
        });
    }
    if policy.force {
        return Ok(());
    }
    let what = match &policy.replaceable {
        Some((ok, what)) => {
            // A symlink is never our output: we write regular files.
            if meta.is_file() {
                let current = read_bounded(path, MAX_INSPECT_BYTES).unwrap_or_default();
                if ok(path, &current) {
                    return Ok(());
                }
            }
            what.clone()
        }
        None => "a file edgepipe may replace".to_string(),
    };
    Err(FsError::Exists {
        path: path.to_path_buf(),
        what,
    })
}

/// Splits a target into its directory and file name.
fn split(path: &Path) -> Result<(PathBuf, OsString), FsError> {
    let name = path.file_name().ok_or_else(|| FsError::BadTarget {
        path: path.to_path_buf(),
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name.to_os_string()))
}

/// A temporary file beside its target, removed on drop unless renamed into place.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to a new temporary file in the target's directory and syncs it.
fn stage(target: &Path, bytes: &[u8]) -> Result<Staged, FsError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let (dir, name) = split(target)?;
    let write_err = |source| FsError::Write {
        path: target.to_path_buf(),
        source,
    };
    let mut temp_name = OsString::from(".");
    temp_name.push(&name);
    temp_name.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = dir.join(temp_name);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true) // O_EXCL: never an existing file or a planted symlink.
        .mode(0o644)
        .open(&temp)
        .map_err(write_err)?;
    let staged = Staged {
        temp,
        target: target.to_path_buf(),
        done: false,
    };
    file.write_all(bytes).map_err(write_err)?;
    file.sync_all().map_err(write_err)?;
    Ok(staged)
}

/// Writes every `(target, bytes)` atomically as one batch: all targets are checked against
/// `policy`, all are written to temporary files beside them, and only when every one is
/// complete are they renamed into place. On error nothing was replaced and no temporary file
/// is left (a rename failing midway, after every byte is safely written, is the one case
/// that leaves earlier targets of the batch already replaced).
pub fn write_files(files: &[(PathBuf, &[u8])], policy: &WritePolicy) -> Result<(), FsError> {
    write_files_verified(files, policy, |_, _| Ok::<(), FsError>(()))
}

/// [`write_files`], with each temporary file read back from disk once every one is written
/// and given to `verify` (its index in `files` and the bytes on disk) before anything is
/// renamed: a refusal leaves the previous files as they were and no temporary file behind.
pub fn write_files_verified<E: From<FsError>>(
    files: &[(PathBuf, &[u8])],
    policy: &WritePolicy,
    verify: impl Fn(usize, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    for (path, _) in files {
        check_target(path, policy)?;
    }
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        staged.push(stage(path, bytes)?);
    }
    for (i, s) in staged.iter().enumerate() {
        let written = read_bounded(&s.temp, MAX_INSPECT_BYTES)?;
        verify(i, &written)?;
    }
    let mut dirs = Vec::new();
    for s in &mut staged {
        std::fs::rename(&s.temp, &s.target).map_err(|source| FsError::Write {
            path: s.target.clone(),
            source,
        })?;
        s.done = true;
        let (dir, _) = split(&s.target)?;
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for dir in dirs {
        // The renames are durable once the directory is synced.
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| FsError::Write {
                path: dir.clone(),
                source,
            })?;
    }
    Ok(())
}

/// Writes one file atomically (see [`write_files`]).
pub fn write_file(path: &Path, bytes: &[u8], policy: &WritePolicy) -> Result<(), FsError> {
    write_files(&[(path.to_path_buf(), bytes)], policy)
}

/// Writes a file the user named for a report (a trace, a chart): atomically, replacing what is
/// there (the user asked for that path), never over one of `inputs`.
pub fn write_report(path: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), FsError> {
    let policy = WritePolicy {
        force: true,
        ..WritePolicy::new(inputs)
    };
    write_file(path, bytes, &policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("edgepipe-fsutil-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn devices_directories_and_fifos_are_refused_at_once() {
        let dir = temp_dir("kinds");
        let fifo = dir.join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (dir.as_path(), "a directory"),
            (fifo.as_path(), "a FIFO"),
        ] {
            match read_bounded(path, MAX_TEXT_BYTES) {
                Err(FsError::NotRegular { kind: k, .. }) => assert_eq!(k, kind),
                other => panic!("{}: {other:?}", path.display()),
            }
        }
    }

    #[test]
    fn reads_stop_one_byte_past_the_limit() {
        let dir = temp_dir("limit");
        let file = dir.join("labels.txt");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_bounded(&file, 10).unwrap().len(), 10);
        let e = read_bounded(&file, 9).unwrap_err();
        assert!(matches!(e, FsError::TooLarge { limit: 9, .. }), "{e:?}");
        assert!(e.to_string().contains("labels.txt"), "{e}");
        std::fs::write(&file, b"ok\xff").unwrap();
        assert!(matches!(
            read_text(&file, 10),
            Err(FsError::NotText { at: 2, .. })
        ));
    }

    #[test]
    fn a_link_to_the_input_is_refused_and_left_alone() {
        let dir = temp_dir("input");
        let input = dir.join("model.tflite");
        std::fs::write(&input, b"model").unwrap();
        let sym = dir.join("sym.tflite");
        let hard = dir.join("hard.tflite");
        std::os::unix::fs::symlink(&input, &sym).unwrap();
        std::fs::hard_link(&input, &hard).unwrap();
        let mut policy = WritePolicy::new(&[&input]);
        policy.force = true;
        for target in [&input, &sym, &hard] {
            let e = write_file(target, b"segment", &policy).unwrap_err();
            assert!(matches!(e, FsError::IsInput { .. }), "{e:?}");
        }
        assert_eq!(std::fs::read(&input).unwrap(), b"model");
    }

    #[test]
    fn existing_files_are_replaced_only_when_recognised_or_forced() {
        let dir = temp_dir("exists");
        let target = dir.join("out.bin");
        std::fs::write(&target, b"someone else's").unwrap();
        let mut policy = WritePolicy::new(&[]);
        let ours = |_: &Path, bytes: &[u8]| bytes.starts_with(b"ours");
        policy.replaceable = Some((&ours, "ours".into()));
        let e = write_file(&target, b"ours 1", &policy).unwrap_err();
        assert!(matches!(e, FsError::Exists { .. }), "{e:?}");
        assert_eq!(std::fs::read(&target).unwrap(), b"someone else's");
        policy.force = true;
        write_file(&target, b"ours 1", &policy).unwrap();
        policy.force = false;
        write_file(&target, b"ours 2", &policy).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"ours 2");
        // A planted symlink is replaced by the file, never written through.
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        policy.force = true;
        write_file(&link, b"ours", &policy).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_refused_batch_leaves_the_previous_files_and_no_temporary_file() {
        let dir = temp_dir("verified");
        let (a, b) = (dir.join("a.bin"), dir.join("b.bin"));
        std::fs::write(&a, b"old a").unwrap();
        let policy = WritePolicy {
            force: true,
            ..WritePolicy::new(&[])
        };
        let batch = [(a.clone(), &b"new a"[..]), (b.clone(), &b"new b"[..])];
        let seen = std::cell::RefCell::new(Vec::new());
        let e = write_files_verified(&batch, &policy, |i, on_disk| {
            seen.borrow_mut().push((i, on_disk.to_vec()));
            match i {
                1 => Err(FsError::BadTarget { path: b.clone() }),
                _ => Ok(()),
            }
        })
        .unwrap_err();
        assert!(matches!(e, FsError::BadTarget { .. }), "{e:?}");
        assert_eq!(
            seen.into_inner(),
            [(0, b"new a".to_vec()), (1, b"new b".to_vec())]
        );
        assert_eq!(std::fs::read(&a).unwrap(), b"old a");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(names.len(), 1, "only the old file: {names:?}");
    }

    #[test]
    fn a_report_replaces_what_is_there_but_never_an_input() {
        let dir = temp_dir("report");
        let (model, chart) = (dir.join("m.tflite"), dir.join("chart.svg"));
        std::fs::write(&model, b"model").unwrap();
        std::fs::write(&chart, b"old chart").unwrap();
        write_report(&chart, b"new chart", &[&model]).unwrap();
        assert_eq!(std::fs::read(&chart).unwrap(), b"new chart");
        let link = dir.join("link.svg");
        std::os::unix::fs::symlink(&model, &link).unwrap();
        for target in [&model, &link] {
            let err = write_report(target, b"chart", &[&model]).unwrap_err();
            assert!(matches!(err, FsError::IsInput { .. }), "{err}");
        }
        assert_eq!(std::fs::read(&model).unwrap(), b"model");
    }
}
