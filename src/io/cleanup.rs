//! Temporaries that must not outlive a run: every named temporary kmi creates is registered here
//! while it exists, SIGINT/SIGTERM/SIGHUP remove the registered ones before the process ends, and
//! every command that writes into a directory first removes stale kmi temporaries left there by a
//! run that was killed (SIGKILL, a power cut).
//!
//! Signals are taken synchronously: `install_signal_cleanup` blocks them in the main thread before
//! any other thread starts (so every thread inherits the mask) and one thread waits for them with
//! sigwait(3). The cleanup therefore runs as ordinary code, not in a signal handler, and needs no
//! async-signal-safe tricks and no extra crate.
// Unsafe code here: signal handlers (sigaction) and async-signal-safe unlink(2) from them. Every block has a SAFETY comment.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Paths of temporaries that exist right now (files or directories).
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A kmi temporary left behind is removed by a later run after this long, or at once when the
/// process named in it is gone. kmi keeps a temporary for milliseconds (write, fsync, rename).
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// The prefix of every temporary name: `.kmi-<pid>-`, then random characters and `.tmp`.
pub fn temp_prefix() -> String {
    format!(".kmi-{}-", std::process::id())
}

fn registry() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Directories in which temporaries are being created right now: a signal between the creation
/// of a temporary and its registration must not leave it behind, so these are also swept for our
/// own prefix.
static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// While this lives, a signal also removes every `.kmi-<our pid>-*.tmp` in its directory.
pub struct DirWatch(PathBuf);

/// Watch `dir` (see [`DirWatch`]); call before creating a temporary there.
pub fn watch_dir(dir: &Path) -> DirWatch {
    DIRS.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(dir.to_path_buf());
    DirWatch(dir.to_path_buf())
}

impl Drop for DirWatch {
    fn drop(&mut self) {
        let mut dirs = DIRS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = dirs.iter().position(|d| *d == self.0) {
            dirs.remove(i);
        }
    }
}

/// Remember `path` as a temporary to remove if the process is interrupted.
pub fn register(path: &Path) {
    registry().push(path.to_path_buf());
}

/// `path` was renamed into place or removed: forget it.
pub fn deregister(path: &Path) {
    registry().retain(|p| p != path);
}

/// Set once a signal has arrived: writers stop adding files to their temporaries.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether SIGINT/SIGTERM/SIGHUP has arrived (the process is about to end).
pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// When a signal has arrived, wait for the signal thread to end the process by that signal:
/// the command's own failure (its temporary vanished under it) must not be reported instead,
/// nor its exit code win the race. Returns at once when no signal has arrived.
pub fn wait_if_interrupted() {
    if interrupted() {
        loop {
            std::thread::park();
        }
    }
}

/// Remove every registered temporary (files, or directories with their content). The registry
/// stays locked meanwhile, so no new temporary is registered (or renamed into place) halfway.
pub fn remove_registered() {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut paths = registry();
    let prefix = temp_prefix();
    for dir in DIRS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(&prefix) && name.ends_with(".tmp") {
                    paths.push(e.path());
                }
            }
        }
    }
    for p in paths.drain(..) {
        // The writing thread may still add a file to a temporary directory while it is being
        // removed; try again until it is gone.
        for _ in 0..100 {
            remove_path(&p);
            if std::fs::symlink_metadata(&p).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

fn remove_path(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// Block SIGINT, SIGTERM and SIGHUP in the calling thread (call it first in `main`, before any
/// thread exists) and start the thread that, on one of them, removes the registered temporaries
/// and then ends the process by that signal (so the exit status still says "killed by SIGINT").
#[cfg(unix)]
pub fn install_signal_cleanup() {
    // SAFETY: sigset_t is plain data initialised by sigemptyset; pthread_sigmask only reads it.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        set
    };
    let spawned = std::thread::Builder::new()
        .name("kmi-signals".into())
        .spawn(move || {
            let mut sig: libc::c_int = 0;
            // SAFETY: sigwait reads `set` and writes `sig`, both live for the call.
            while unsafe { libc::sigwait(&set, &mut sig) } != 0 {}
            remove_registered();
            // SAFETY: restore the default action for `sig`, unblock it in this thread only and
            // raise it: the process ends as the sender asked. _exit is the fallback.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
                let mut one: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut one);
                libc::sigaddset(&mut one, sig);
                libc::pthread_sigmask(libc::SIG_UNBLOCK, &one, std::ptr::null_mut());
                libc::raise(sig);
                libc::_exit(128 + sig);
            }
        });
    if spawned.is_err() {
        // No waiter: take the signals back rather than ignore them.
        // SAFETY: as above.
        unsafe {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}

#[cfg(not(unix))]
pub fn install_signal_cleanup() {}

/// Whether the process `pid` is gone (kill(pid, 0) says ESRCH).
#[cfg(unix)]
fn process_gone(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let gone = unsafe { libc::kill(pid, 0) } == -1;
    gone && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_gone(_pid: u32) -> bool {
    false
}

/// Remove kmi temporaries (`.kmi-<pid>-*.tmp`, files or directories, and the `-wal`, `-shm`,
/// `-journal` files of a temporary SQLite database) in `dir` whose process is
/// gone or that are older than [`STALE_AFTER`]; our own are left alone. Errors are ignored: this
/// is housekeeping, and the command's own writes report real problems.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix(".kmi-") else {
            continue;
        };
        // A temporary SQLite database (a key store being created) also leaves its journals.
        if ![".tmp", ".tmp-wal", ".tmp-shm", ".tmp-journal"]
            .iter()
            .any(|end| name.ends_with(end))
        {
            continue;
        }
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid == Some(me) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old || pid.is_some_and(process_gone) {
            remove_path(&entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temporaries_of_dead_processes_go_and_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        // A pid that cannot exist (above pid_max), one that is alive (ours is skipped; use 1).
        let dead = dir.path().join(".kmi-4194305-abc.tmp");
        let alive = dir.path().join(".kmi-1-abc.tmp");
        let mine = dir.path().join(format!("{}abc.tmp", temp_prefix()));
        let other = dir.path().join("share-1.pem");
        for p in [&dead, &alive, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join(".kmi-4194306-dir.tmp")).unwrap();
        remove_stale_temporaries(dir.path());
        assert!(!dead.exists());
        assert!(!dir.path().join(".kmi-4194306-dir.tmp").exists());
        assert!(alive.exists() && mine.exists() && other.exists());
    }
}
