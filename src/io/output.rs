//! Atomic output: write to a temporary file in the target directory, then rename over the target.
//! A failed run never leaves a half-written file; an existing file is kept unless `force`.

use std::io::Write;
use std::path::{Path, PathBuf};

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
            None => Ok(()),
        }
    }
}

fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Write `bytes` to the output described by `spec`.
pub fn write_output(spec: &OutputSpec, bytes: &[u8]) -> Result<()> {
    let Some(path) = &spec.path else {
        let mut out = std::io::stdout().lock();
        return match out.write_all(bytes).and_then(|_| out.flush()) {
            Ok(()) => Ok(()),
            // A closed pipe (`kmi ... | head`) is the reader's choice, not a failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Error::Write {
                path: "<stdout>".into(),
                what: e.to_string(),
            }),
        };
    };
    let fail = |what: String| Error::Write {
        path: path.clone(),
        what,
    };
    if !spec.force && path.exists() {
        return Err(Error::Exists { path: path.clone() });
    }
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".kmi-")
        .suffix(".tmp")
        .permissions(permissions(spec.secret))
        .tempfile_in(&dir)
        .map_err(|e| {
            fail(format!(
                "cannot create a temporary file in {}: {e}",
                dir.display()
            ))
        })?;
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
}
