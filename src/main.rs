//! `kmi`: parse the command line, dispatch, map the result to an exit code.

mod cmd;
mod process;

use std::process::ExitCode;

fn main() -> ExitCode {
    // `kmi ... | head` closes the pipe early; end quietly as C tools do instead of failing a write.
    process::default_sigpipe();

    // Before any thread starts: SIGINT/SIGTERM/SIGHUP remove kmi's temporaries, then end kmi.
    kmi::io::cleanup::install_signal_cleanup();

    // Secrets are held in memory from here on: no core file may carry them out (issue 10 item 11).
    process::disable_core_dumps();

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

    let cli = match kmi::cli::compat::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: written like any other output (exit 3 if stdout fails).
            let text = e.render().to_string();
            return match kmi::io::output::write_stdout(text.as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kmi: {e}");
                    ExitCode::from(e.exit_code() as u8)
                }
            };
        }
        Err(e) => {
            eprintln!("kmi: {}", one_line_usage_error(&e.render().to_string()));
            return ExitCode::from(kmi::ExitCode::BadInput as u8);
        }
    };
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A SIGINT/SIGTERM/SIGHUP while writing: the process ends by that signal, not with
            // the error its vanished temporary caused.
            kmi::io::cleanup::wait_if_interrupted();
            eprintln!("kmi: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// clap's usage errors span several lines (message, usage, tip); a script wants one line.
fn one_line_usage_error(rendered: &str) -> String {
    let message = rendered.split("\n\nUsage:").next().unwrap_or(rendered);
    let message = message
        .split("For more information, try")
        .next()
        .unwrap_or(message);
    let message = message.strip_prefix("error: ").unwrap_or(message);
    let joined = message.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{joined} (see 'kmi help' or '--help')")
}

#[cfg(test)]
mod tests {
    #[test]
    fn usage_errors_become_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  <KEY>\n\nUsage: kmi key check <KEY>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            super::one_line_usage_error(rendered),
            "the following required arguments were not provided: <KEY> (see 'kmi help' or '--help')"
        );
    }
}
