//! Advisory locks (flock(2)) held for as long as a value lives: two kmi runs writing the same
//! ceremony record or the same output directory wait for each other instead of interleaving.
// Unsafe code here: flock(2) on descriptors std opened, which std (before 1.89) does not offer. Every block has a SAFETY comment.
#![allow(unsafe_code)]

use std::fs::File;
#[cfg(unix)]
use std::os::fd::{AsRawFd, RawFd};

/// An exclusive flock on an open file, released on drop (and by the kernel if kmi dies).
pub struct Flock {
    #[cfg(unix)]
    fd: RawFd,
}

#[cfg(not(unix))]
impl Flock {
    /// No advisory locks here: concurrent runs are not serialized.
    pub fn exclusive(_file: &File) -> std::io::Result<Flock> {
        Ok(Flock {})
    }

    pub fn try_exclusive(_file: &File) -> std::io::Result<Option<Flock>> {
        Ok(Some(Flock {}))
    }
}

#[cfg(unix)]
impl Flock {
    /// Take an exclusive lock on `file` if no other process holds one; `None` if one does.
    pub fn try_exclusive(file: &File) -> std::io::Result<Option<Flock>> {
        let fd = file.as_raw_fd();
        loop {
            // SAFETY: flock on a descriptor we own; no memory is passed.
            if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return Ok(Some(Flock { fd }));
            }
            let e = std::io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EWOULDBLOCK) => return Ok(None),
                Some(libc::EINTR) => continue,
                _ => return Err(e),
            }
        }
    }

    /// Take an exclusive lock on `file`, waiting while another process holds it. `file` must
    /// outlive the returned guard.
    pub fn exclusive(file: &File) -> std::io::Result<Flock> {
        let fd = file.as_raw_fd();
        loop {
            // SAFETY: flock on a descriptor we own; no memory is passed.
            if unsafe { libc::flock(fd, libc::LOCK_EX) } == 0 {
                return Ok(Flock { fd });
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

#[cfg(unix)]
impl Drop for Flock {
    fn drop(&mut self) {
        // SAFETY: unlocking the descriptor locked in `exclusive`.
        unsafe {
            libc::flock(self.fd, libc::LOCK_UN);
        }
    }
}
