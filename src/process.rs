//! Process set-up that must happen before anything else, with the libc calls std does not
//! offer: noticing a closed standard output before the Rust runtime hides it, the default
//! SIGPIPE disposition, and no core dumps while secrets are in memory.
// Unsafe code here: libc calls on this process's own state. Every block has a SAFETY comment.
#![allow(unsafe_code)]

/// `kmi ... >&-`: Rust's runtime puts /dev/null on a closed descriptor 1 before `main` runs, so
/// look before it does. Functions in `.init_array` run before the C `main` that starts the Rust
/// runtime; this one only queries the descriptor table and stores a flag.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[link_section = ".init_array"]
static CHECK_STDOUT_AT_START: extern "C" fn() = {
    extern "C" fn check_stdout_at_start() {
        // SAFETY: fcntl(F_GETFD) on a possibly closed descriptor has no effect besides its result.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            kmi::io::output::mark_stdout_closed();
        }
    }
    check_stdout_at_start
};

/// Restore the default SIGPIPE disposition (the Rust runtime ignores it), so `kmi ... | head`
/// ends quietly as C tools do.
pub fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// RLIMIT_CORE 0 (no core file) and, on Linux, PR_SET_DUMPABLE 0 (no core file even through a
/// core_pattern pipe, and no ptrace attach or /proc/PID/mem read by other processes of the same
/// user). Cheap enough to do for every command. A failure is ignored: it leaves things as they were.
pub fn disable_core_dumps() {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass; it affects only this process.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: prctl(PR_SET_DUMPABLE, 0) changes one flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
