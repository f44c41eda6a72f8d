//! Man pages and shell completions, generated from the clap definitions. `cargo run --example
//! gen-docs` writes them to `man/` and `completions/`; a test fails when the checked-in copies
//! are stale.

use clap::{Command, CommandFactory};
use clap_complete::Shell;

use super::Cli;

/// Every command in the tree with its full name ("kmi", "kmi-key", "kmi-key-generate-rsa", ...).
pub fn all_commands() -> Vec<(String, Command)> {
    // The long version names the git commit: man pages and completions must not change with it.
    let mut root = Cli::command().long_version(None::<&str>);
    root.build();
    let mut out = Vec::new();
    walk(&root, "kmi".to_string(), &mut out);
    out
}

fn walk(cmd: &Command, name: String, out: &mut Vec<(String, Command)>) {
    out.push((name.clone(), cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        walk(sub, format!("{name}-{}", sub.get_name()), out);
    }
}

/// The generated files as (relative path, contents).
pub fn render() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for (name, cmd) in all_commands() {
        let cmd = cmd.name(name.clone()).display_name(name.replace('-', " "));
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd).date("").render(&mut buf)?;
        files.push((format!("man/{name}.1"), buf));
    }
    for (shell, file) in [
        (Shell::Bash, "kmi.bash"),
        (Shell::Zsh, "_kmi"),
        (Shell::Fish, "kmi.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "kmi", &mut buf);
        files.push((format!("completions/{file}"), buf));
    }
    Ok(files)
}
