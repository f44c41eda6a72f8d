//! `kmi`: parse the command line, dispatch, map the result to an exit code.

mod cmd;
mod process;

use std::process::ExitCode;

use clap::FromArgMatches;
use kmi::cli::Cli;

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

    // Parsed as kmi::cli::compat::try_parse_from does (new names and the old spellings), keeping
    // the matches to learn whether the command that runs was given --json.
    let mut command = kmi::cli::compat::command();
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|m| {
            Cli::from_arg_matches(&m)
                .map(|cli| (cli, json_asked(&m)))
                .map_err(|e| e.format(&mut command))
        });
    let cli = match parsed {
        Ok((cli, json)) => {
            cmd::json::set_requested(json);
            cli
        }
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
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `kmi` or `kmi key` alone: the usage screen (the commands to choose from), exit 2.
            eprint!("{}", e.render());
            return ExitCode::from(kmi::ExitCode::BadInput as u8);
        }
        Err(e) => {
            let line = one_line_usage_error(&e.render().to_string());
            eprintln!("kmi: {line}");
            let code = kmi::ExitCode::BadInput as u8;
            // The command line did not parse, so no command saw --json: look for it as typed.
            if std::env::args_os()
                .skip(1)
                .take_while(|a| a != "--")
                .any(|a| a == "--json")
            {
                cmd::json::print_error(&line, code);
            }
            return ExitCode::from(code);
        }
    };
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A SIGINT/SIGTERM/SIGHUP while writing: the process ends by that signal, not with
            // the error its vanished temporary caused.
            kmi::io::cleanup::wait_if_interrupted();
            let code = e.exit_code() as u8;
            eprintln!("kmi: {e}");
            if cmd::json::requested() {
                cmd::json::print_error(&e.to_string(), code);
            }
            ExitCode::from(code)
        }
    }
}

/// Whether the subcommand that runs was given `--json` (every command's flag has the id "json").
fn json_asked(m: &clap::ArgMatches) -> bool {
    if let Ok(Some(true)) = m.try_get_one::<bool>("json") {
        return true;
    }
    m.subcommand().is_some_and(|(_, sub)| json_asked(sub))
}

/// clap's usage errors span several lines (message, usage, tip); a script wants one line. A tip
/// naming a similar spelling becomes "did you mean ...?"; other tips are kept, shortened.
fn one_line_usage_error(rendered: &str) -> String {
    let message = rendered.split("\n\nUsage:").next().unwrap_or(rendered);
    let message = message
        .split("For more information, try")
        .next()
        .unwrap_or(message);
    let message = message.strip_prefix("error: ").unwrap_or(message);
    let mut parts = message.split("\n  tip: ");
    let head = parts.next().unwrap_or(message);
    let mut joined = head.split_whitespace().collect::<Vec<_>>().join(" ");
    for tip in parts {
        let tip = tip.split_whitespace().collect::<Vec<_>>().join(" ");
        let similar = [
            "a similar subcommand exists: ",
            "a similar argument exists: ",
            "a similar value exists: ",
        ]
        .iter()
        .find_map(|p| tip.strip_prefix(p));
        match similar {
            Some(name) => joined.push_str(&format!("; did you mean {name}?")),
            // "to pass '--x' as a value, use '-- --x'": noise for a mistyped flag.
            None if tip.starts_with("to pass ") => {}
            None => joined.push_str(&format!("; {tip}")),
        }
    }
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

    #[test]
    fn tips_become_short() {
        let rendered = "error: unrecognized subcommand 'chek'\n\n  tip: a similar subcommand exists: 'check'\n\nUsage: kmi key <COMMAND>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            super::one_line_usage_error(rendered),
            "unrecognized subcommand 'chek'; did you mean 'check'? (see 'kmi help' or '--help')"
        );
    }
}
