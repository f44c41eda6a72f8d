//! File-system steps the stores share: private files and directories (0600 / 0700 whatever the
//! umask), fsync of a directory, and write errors naming the path.

use std::path::Path;

use crate::{Error, Result};

pub(super) use crate::io::dir::{create_private_dir, fsync_dir as sync_dir};

pub(super) fn write_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        what: e.to_string(),
    }
}

#[cfg(unix)]
pub(super) fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| write_err(path, e))?;
    // The mode is also set explicitly: create(2) applies the umask, which may leave less.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| write_err(path, e))
}

#[cfg(not(unix))]
pub(super) fn create_private_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(drop)
        .map_err(|e| write_err(path, e))
}
