//! Atomic output: write to a temporary file in the target directory, then rename over the target.
//! A failed run never leaves a half-written file; an existing file is kept unless `force`.
// Unsafe code here: O_TMPFILE open and linkat(2) to name a complete file, which std does not offer. Every block has a SAFETY comment.
#![allow(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::cleanup;
use crate::{Error, Result};

/// Where one output goes and how it is to be written.
#[derive(Debug, Clone)]
pub struct OutputSpec {
    /// `None` (or `-`) means standard output.
    pub path: Option<PathBuf>,
    pub force: bool,
    /// Secret material: the file is created with mode 0600.
    pub secret: bool,
}

impl OutputSpec {
    pub fn new(path: &Path, force: bool, secret: bool) -> Self {
        let path = if path == Path::new("-") {
            None
        } else {
            Some(path.to_path_buf())
        };
        OutputSpec {
            path,
            force,
            secret,
        }
    }

    pub fn is_stdout(&self) -> bool {
        self.path.is_none()
    }

    /// Fail early (before expensive work) when the target exists and `--force` was not given.
    pub fn check_writable(&self) -> Result<()> {
        match &self.path {
            Some(p) if is_device(p) => Ok(()),
            Some(p) if !self.force && p.exists() => Err(Error::Exists { path: p.clone() }),
            Some(p) => {
                let dir = parent_dir(p);
                if !dir.is_dir() {
                    return Err(Error::Write {
                        path: p.clone(),
                        what: "directory does not exist".into(),
                    });
                }
                Ok(())
            }
            None if stdout_closed() => Err(Error::Write {
                path: "<stdout>".into(),
                what: "standard output is closed".into(),
            }),
            None => Ok(()),
        }
    }
}

/// A character device or a FIFO (`-o /dev/null`, `-o /dev/stderr` on a terminal, `-o >(cmd)`):
/// it "exists" but holds no file to overwrite, and cannot be replaced by a rename, so output is
/// written to it directly.
fn is_device(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(p).is_ok_and(|m| {
            let t = m.file_type();
            t.is_char_device() || t.is_fifo()
        })
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        false
    }
}

/// Write `bytes` straight to a device or FIFO ([`is_device`]).
fn write_device(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        what: e.to_string(),
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(fail)?;
    match f.write_all(bytes).and_then(|_| f.flush()) {
        Ok(()) => Ok(()),
        // As on standard output: a reader that went away is its choice.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(fail(e)),
    }
}

fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Set when standard output was closed when the process started (`kmi ... >&-`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Record that descriptor 1 was closed at start. Rust's runtime replaces a closed stdin, stdout or
/// stderr with /dev/null before `main` (so no file kmi opens can take descriptor 1), which also
/// hides the closed stdout: writes then vanish with exit 0 and a key sent to `-` is lost. The
/// binary looks before the runtime does (an ELF constructor in main.rs) and calls this.
pub fn mark_stdout_closed() {
    STDOUT_CLOSED.store(true, Ordering::Relaxed);
}

/// Whether standard output can take output at all (it was open when kmi started, and still is).
fn stdout_closed() -> bool {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return true;
    }
    // SAFETY: fcntl(F_GETFD) only queries the descriptor table.
    #[cfg(unix)]
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        return true;
    }
    false
}

/// Write `bytes` to standard output and flush. A write error (a full disk, `> /dev/full`) or a
/// closed stdout is an [`Error::Write`] (exit 3); a closed pipe (`kmi ... | head`) is the reader's
/// choice, not a failure.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let fail = |what: String| Error::Write {
        path: "<stdout>".into(),
        what,
    };
    if stdout_closed() {
        return Err(fail("standard output is closed".into()));
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(fail(e.to_string())),
    }
}

/// Write `bytes` to the output described by `spec`.
pub fn write_output(spec: &OutputSpec, bytes: &[u8]) -> Result<()> {
    let Some(path) = &spec.path else {
        return write_stdout(bytes);
    };
    let fail = |what: String| Error::Write {
        path: path.clone(),
        what,
    };
    if is_device(path) {
        return write_device(path, bytes);
    }
    if !spec.force && path.exists() {
        return Err(Error::Exists { path: path.clone() });
    }
    let dir = parent_dir(path);
    cleanup::remove_stale_temporaries(&dir);
    let _watch = cleanup::watch_dir(&dir);
    #[cfg(target_os = "linux")]
    if let Some(result) = anonymous::write(&dir, path, bytes, spec.secret, spec.force) {
        return result;
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&cleanup::temp_prefix())
        .suffix(".tmp")
        .permissions(permissions(spec.secret))
        .tempfile_in(&dir)
        .map_err(|e| {
            fail(format!(
                "cannot create a temporary file in {}: {e}",
                dir.display()
            ))
        })?;
    let tmp_path = tmp.path().to_path_buf();
    cleanup::register(&tmp_path);
    let result = (|| {
        // The creation mode is masked by the umask; set it exactly.
        tmp.as_file()
            .set_permissions(permissions(spec.secret))
            .map_err(|e| fail(e.to_string()))?;
        tmp.write_all(bytes).map_err(|e| fail(e.to_string()))?;
        tmp.as_file().sync_all().map_err(|e| fail(e.to_string()))?;
        if spec.force {
            tmp.persist(path).map_err(|e| fail(e.error.to_string()))?;
        } else {
            // persist_noclobber closes the race between the exists() check and the rename.
            tmp.persist_noclobber(path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::Exists { path: path.clone() }
                } else {
                    fail(e.error.to_string())
                }
            })?;
        }
        Ok(())
    })();
    cleanup::deregister(&tmp_path);
    result
}

/// Outputs that have no name until they are complete (Linux O_TMPFILE): the file is created
/// unnamed in the target directory, written, fsynced, and only then linked under its name, so a
/// kill or a full disk at any point leaves nothing named behind (no `.kmi-*.tmp` holding a whole
/// private key). Filesystems without O_TMPFILE (or without /proc for `linkat`) fall back to the
/// named temporary file.
#[cfg(target_os = "linux")]
mod anonymous {
    use std::ffi::CString;
    use std::fs::File;
    use std::io::Write;
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use super::{cleanup, permissions};
    use crate::{Error, Result};

    fn cstring(p: &Path) -> Option<CString> {
        CString::new(p.as_os_str().as_bytes()).ok()
    }

    /// Link the unnamed file `fd` at `target`; fails with EEXIST when `target` exists.
    fn link(fd: &File, target: &Path) -> std::io::Result<()> {
        let proc_path = CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd()))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        let target = cstring(target)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        // SAFETY: both paths are valid NUL-terminated strings that outlive the call; linkat
        // only reads them.
        let rc = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                proc_path.as_ptr(),
                libc::AT_FDCWD,
                target.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }

    /// `None`: this filesystem cannot do it; use the named temporary file instead.
    pub(super) fn write(
        dir: &Path,
        path: &Path,
        bytes: &[u8],
        secret: bool,
        force: bool,
    ) -> Option<Result<()>> {
        let fail = |what: String| Error::Write {
            path: path.to_path_buf(),
            what,
        };
        let dir_c = cstring(dir)?;
        // SAFETY: dir_c is a valid NUL-terminated path; the returned descriptor is owned by the
        // File built from it below and closed exactly once.
        let fd = unsafe {
            libc::open(
                dir_c.as_ptr(),
                libc::O_TMPFILE | libc::O_WRONLY | libc::O_CLOEXEC,
                0o600 as libc::c_uint,
            )
        };
        if fd < 0 {
            return None;
        }
        // SAFETY: fd was just returned by open and nothing else owns it.
        let mut file = unsafe { File::from_raw_fd(fd) };
        let written = (|| -> std::io::Result<()> {
            file.set_permissions(permissions(secret))?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        if let Err(e) = written {
            // The unnamed file disappears with its descriptor: nothing to clean up.
            return Some(Err(fail(e.to_string())));
        }
        if !force {
            return match link(&file, path) {
                Ok(()) => Some(sync_dir(dir).map_err(|e| fail(e.to_string()))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    Some(Err(Error::Exists {
                        path: path.to_path_buf(),
                    }))
                }
                Err(_) => None,
            };
        }
        // --force: name the complete file beside the target, then rename it over the target, so
        // the old file stays until the new one is whole.
        let mut tag = [0u8; 8];
        if getrandom_tag(&mut tag).is_err() {
            return None;
        }
        let named = dir.join(format!(
            "{}{}.tmp",
            cleanup::temp_prefix(),
            hex::encode(tag)
        ));
        cleanup::register(&named);
        let result = match link(&file, &named) {
            Ok(()) => Some(
                std::fs::rename(&named, path)
                    .and_then(|()| sync_dir(dir))
                    .map_err(|e| fail(e.to_string())),
            ),
            Err(_) => None,
        };
        if !matches!(result, Some(Ok(()))) {
            let _ = std::fs::remove_file(&named);
        }
        cleanup::deregister(&named);
        result
    }

    fn getrandom_tag(tag: &mut [u8]) -> std::result::Result<(), rand_core::Error> {
        use rand_core::RngCore;
        rand_core::OsRng.try_fill_bytes(tag)
    }

    fn sync_dir(dir: &Path) -> std::io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

#[cfg(unix)]
fn permissions(secret: bool) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(if secret { 0o600 } else { 0o644 })
}

#[cfg(not(unix))]
fn permissions(_secret: bool) -> std::fs::Permissions {
    std::fs::metadata(".")
        .map(|m| m.permissions())
        .expect("current directory is readable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn outputs_are_never_named_before_they_are_complete() {
        // The O_TMPFILE path leaves no temporary name behind, with or without --force, and keeps
        // the mode exact.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pem");
        write_output(&OutputSpec::new(&p, false, true), b"one").unwrap();
        write_output(&OutputSpec::new(&p, true, true), b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["k.pem"]);
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pem");
        write_output(&OutputSpec::new(&p, false, true), b"one").unwrap();
        let err = write_output(&OutputSpec::new(&p, false, true), b"two").unwrap_err();
        assert!(matches!(err, Error::Exists { .. }));
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_output(&OutputSpec::new(&p, true, true), b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
    }

    #[cfg(unix)]
    #[test]
    fn secrets_are_0600_and_public_files_0644() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("secret");
        let p = dir.path().join("public");
        write_output(&OutputSpec::new(&s, false, true), b"x").unwrap();
        write_output(&OutputSpec::new(&p, false, false), b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&s).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn no_temporary_files_are_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        write_output(&OutputSpec::new(&p, false, false), b"x").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("k")]);
    }

    #[test]
    #[cfg(unix)]
    fn dev_null_is_an_output_not_an_existing_file() {
        let spec = OutputSpec::new(Path::new("/dev/null"), false, true);
        spec.check_writable().unwrap();
        write_output(&spec, b"secret").unwrap();
        assert!(is_device(Path::new("/dev/null")));
        assert!(!is_device(Path::new("/")));
    }
}
