//! `kmi`: parse the command line, dispatch, map the result to an exit code.

mod cmd;

use std::process::ExitCode;

use clap::Parser;
use kmi::cli::Cli;

fn main() -> ExitCode {
    // `kmi ... | head` closes the pipe early; end quietly as C tools do instead of failing a write.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }

    // A panic is a bug; report it on one line rather than with a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        eprintln!("kmi: internal error (a bug, please report it): {msg}");
    }));

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kmi: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
