//! Atomic multi-file output: a whole directory of files (a share dealing, several extracted keys)
//! appears complete or not at all, and a failed run leaves an older directory untouched.
//!
//! The files are written into a temporary directory beside the target (same filesystem), each
//! fsync'ed, then the directory and its parent are fsync'ed and the new directory takes the
//! target's name in one rename: renameat2(RENAME_NOREPLACE) for a new target, RENAME_EXCHANGE to
//! swap with an existing one (whose old content is then removed). Where renameat2 is missing, the
//! old directory is renamed aside first and put back if the second rename fails. The parent
//! directory is flock'ed for the whole operation, so two runs into one target take turns (the
//! second waits) instead of interleaving.
// Unsafe code here: renameat2(2) with RENAME_EXCHANGE, which std does not offer. Every block has a SAFETY comment.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::cleanup;
use super::lock::Flock;
use crate::{Error, Result};

/// One file of a directory output.
pub struct DirFile<'a> {
    /// A plain file name (no `/`).
    pub name: &'a str,
    pub bytes: &'a [u8],
    /// Secret material: mode 0600 (otherwise 0644). The directory itself is always 0700.
    pub secret: bool,
}

enum Existing {
    Absent,
    /// An empty directory, or (with `force`) one holding only replaceable files.
    Replace,
}

fn write_err(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        what: what.to_string(),
    }
}

fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Decide what to do with `target` as it is now. Without `force` an existing directory must be
/// empty (a file of the new set that is already there is [`Error::Exists`]); with `force` it may
/// hold files of the new set and files `replaceable` accepts (an older dealing, which is replaced
/// as a whole), and nothing else: kmi never deletes files it did not write.
fn existing(
    target: &Path,
    names: &[&str],
    force: bool,
    replaceable: &dyn Fn(&str) -> bool,
) -> Result<Existing> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(write_err(target, e)),
    };
    if !meta.is_dir() {
        return Err(write_err(
            target,
            "exists and is not a directory (a symbolic link is not followed)",
        ));
    }
    let mut present = Vec::new();
    for entry in std::fs::read_dir(target).map_err(|e| write_err(target, e))? {
        let entry = entry.map_err(|e| write_err(target, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".kmi-") && name.ends_with(".tmp") {
            continue; // a temporary of ours: not worth keeping
        }
        present.push(name);
    }
    present.sort();
    if !force {
        if let Some(clash) = present.iter().find(|n| names.contains(&n.as_str())) {
            return Err(Error::Exists {
                path: target.join(clash),
            });
        }
        if let Some(other) = present.first() {
            return Err(Error::invalid(format!(
                "{}: holds other files ({other}); write into a new or empty directory",
                target.display()
            )));
        }
    } else if let Some(other) = present
        .iter()
        .find(|n| !names.contains(&n.as_str()) && !replaceable(n))
    {
        return Err(Error::invalid(format!(
            "{}: --force would replace this directory, but it holds {other}, which kmi did not write; move it away first",
            target.display()
        )));
    }
    Ok(Existing::Replace)
}

/// The checks [`write_dir_atomic`] makes on the target, for a command to run before its work.
pub fn check_dir_writable(
    target: &Path,
    names: &[&str],
    force: bool,
    replaceable: &dyn Fn(&str) -> bool,
) -> Result<()> {
    existing(target, names, force, replaceable).map(|_| ())
}

/// fsync a directory (the names created and renamed in it).
pub fn fsync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| write_err(dir, e))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Create `dir` (not its parents) as 0700 whatever the umask, or make an existing one 0700.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
        Err(e) => return Err(write_err(dir, e)),
    }
    // mkdir's mode is masked by the umask; set it exactly.
    set_mode(dir, 0o700).map_err(|e| write_err(dir, e))
}

fn write_file(dir: &Path, f: &DirFile<'_>) -> Result<()> {
    let path = dir.join(f.name);
    let mode = if f.secret { 0o600 } else { 0o644 };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let mut file = options.open(&path).map_err(|e| write_err(&path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| write_err(&path, e))?;
    }
    file.write_all(f.bytes).map_err(|e| write_err(&path, e))?;
    file.sync_all().map_err(|e| write_err(&path, e))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: two NUL-terminated paths that live for the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            flags,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn renameat2(_from: &Path, _to: &Path, _flags: u32) -> std::io::Result<()> {
    Err(std::io::Error::from_raw_os_error(libc::ENOSYS))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
const NOREPLACE: libc::c_uint = libc::RENAME_NOREPLACE;
#[cfg(any(target_os = "linux", target_os = "android"))]
const EXCHANGE: libc::c_uint = libc::RENAME_EXCHANGE;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const NOREPLACE: u32 = 1;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const EXCHANGE: u32 = 2;

/// renameat2 is not supported here (old kernel, some filesystems): use the fallback.
fn unsupported(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS))
}

/// Write `files` as the directory `target`, all or nothing (see the module documentation).
/// `replaceable` names the files of an older set that `force` may replace along with the
/// directory (for example `share-7.pem` of a dealing with more shares).
pub fn write_dir_atomic(
    target: &Path,
    files: &[DirFile<'_>],
    force: bool,
    replaceable: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    if let Some(bad) = names
        .iter()
        .find(|n| n.is_empty() || n.contains('/') || n.starts_with('.'))
    {
        return Err(Error::internal(format!("bad output file name {bad:?}")));
    }
    let parent = parent_dir(target);
    std::fs::create_dir_all(&parent).map_err(|e| write_err(&parent, e))?;
    // Held until the new directory is in place and the old one is gone.
    let parent_handle = File::open(&parent).map_err(|e| write_err(&parent, e))?;
    let _lock = Flock::exclusive(&parent_handle).map_err(|e| write_err(&parent, e))?;
    cleanup::remove_stale_temporaries(&parent);
    let plan = existing(target, &names, force, replaceable)?;

    let _watch = cleanup::watch_dir(&parent);
    let tmp = tempfile::Builder::new()
        .prefix(&cleanup::temp_prefix())
        .suffix(".tmp")
        .tempdir_in(&parent)
        .map_err(|e| write_err(&parent, format!("cannot create a temporary directory: {e}")))?;
    let tmp_path = tmp.path().to_path_buf();
    cleanup::register(&tmp_path);
    let result = (|| {
        set_mode(&tmp_path, 0o700).map_err(|e| write_err(&tmp_path, e))?;
        for f in files {
            if cleanup::interrupted() {
                return Err(write_err(target, "interrupted"));
            }
            write_file(&tmp_path, f)?;
        }
        fsync_dir(&tmp_path)?;
        match plan {
            Existing::Absent => match renameat2(&tmp_path, target, NOREPLACE) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::Exists {
                    path: target.to_path_buf(),
                }),
                Err(e) if unsupported(&e) => {
                    // Under the parent lock no other kmi creates the target meanwhile.
                    if std::fs::symlink_metadata(target).is_ok() {
                        return Err(Error::Exists {
                            path: target.to_path_buf(),
                        });
                    }
                    std::fs::rename(&tmp_path, target).map_err(|e| write_err(target, e))
                }
                Err(e) => Err(write_err(target, e)),
            },
            // After the exchange the temporary name holds the old directory, removed below.
            Existing::Replace => match renameat2(&tmp_path, target, EXCHANGE) {
                Ok(()) => Ok(()),
                Err(e) if unsupported(&e) => {
                    let aside = parent.join(format!(
                        "{}old-{}.tmp",
                        cleanup::temp_prefix(),
                        tmp_path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                            .trim_start_matches('.')
                    ));
                    std::fs::rename(target, &aside).map_err(|e| write_err(target, e))?;
                    if let Err(e) = std::fs::rename(&tmp_path, target) {
                        // Put the old directory back: the failed run changes nothing.
                        let _ = std::fs::rename(&aside, target);
                        return Err(write_err(target, e));
                    }
                    let _ = std::fs::remove_dir_all(&aside);
                    Ok(())
                }
                Err(e) => Err(write_err(target, e)),
            },
        }
    })();
    if result.is_ok() {
        fsync_dir(&parent)?;
    }
    // Removes the temporary directory: the unfinished new set on failure, the replaced old set
    // after an exchange, nothing after a plain rename.
    drop(tmp);
    cleanup::deregister(&tmp_path);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn set<'a>(content: &'a [u8]) -> Vec<DirFile<'a>> {
        vec![
            DirFile {
                name: "a",
                bytes: content,
                secret: true,
            },
            DirFile {
                name: "b",
                bytes: content,
                secret: false,
            },
        ]
    }

    #[test]
    fn writes_new_and_replaces_only_with_force() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("out");
        let any = |_: &str| false;
        write_dir_atomic(&t, &set(b"one"), false, &any).unwrap();
        assert_eq!(names(&t), ["a", "b"]);
        assert!(matches!(
            write_dir_atomic(&t, &set(b"two"), false, &any),
            Err(Error::Exists { .. })
        ));
        write_dir_atomic(&t, &set(b"two"), true, &any).unwrap();
        assert_eq!(std::fs::read(t.join("a")).unwrap(), b"two");
        // Nothing but the target is left in the parent.
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn foreign_files_are_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("out");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("notes.txt"), b"mine").unwrap();
        let any = |_: &str| false;
        assert!(write_dir_atomic(&t, &set(b"x"), true, &any).is_err());
        assert!(write_dir_atomic(&t, &set(b"x"), false, &any).is_err());
        assert_eq!(names(&t), ["notes.txt"]);
        let notes_ok = |n: &str| n == "notes.txt";
        write_dir_atomic(&t, &set(b"x"), true, &notes_ok).unwrap();
        assert_eq!(names(&t), ["a", "b"]);
    }

    #[cfg(unix)]
    #[test]
    fn modes_are_exact() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("out");
        write_dir_atomic(&t, &set(b"x"), false, &|_| false).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&t), 0o700);
        assert_eq!(mode(&t.join("a")), 0o600);
        assert_eq!(mode(&t.join("b")), 0o644);
    }
}
