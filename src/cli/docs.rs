//! Man pages and shell completions, generated from the clap definitions. `cargo run --example
//! gen-docs` writes them to `man/` and `completions/`; a test fails when the checked-in copies
//! are stale.

use clap::{Command, CommandFactory};
use clap_complete::Shell;

use super::Cli;

/// The exit codes every kmi command uses (also in `kmi --help`; a test keeps the two equal).
pub const EXIT_STATUS: &[(u8, &str)] = &[
    (0, "success"),
    (
        1,
        "a check said no (a key check failed, a share or signature is bad)",
    ),
    (2, "bad usage, or input that is unreadable or malformed"),
    (3, "a failure while producing output"),
];

/// Every command in the tree with its full name ("kmi", "kmi-key", "kmi-key-generate-rsa", ...).
/// clap's `help` subcommand is left out: `kmi help X` is `kmi X --help`, not a page of its own.
pub fn all_commands() -> Vec<(String, Command)> {
    // The long version names the git commit: man pages and completions must not change with it.
    let mut root = Cli::command()
        .long_version(None::<&str>)
        .disable_help_subcommand(true);
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
    let commands = all_commands();
    let names: Vec<String> = commands.iter().map(|(n, _)| n.clone()).collect();
    for (name, cmd) in commands {
        let cmd = cmd.name(name.clone()).display_name(name.replace('-', " "));
        files.push((format!("man/{name}.1"), man_page(&name, cmd, &names)?));
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

/// One man page: clap_mangen's title, name, synopsis, description, options and subcommands, then
/// kmi's own EXAMPLES (no-fill, so that they copy and paste: no filling, no hyphenation, every
/// '-' an ASCII hyphen-minus), EXIT STATUS and SEE ALSO.
fn man_page(name: &str, cmd: Command, all: &[String]) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone()).date("");
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    if cmd.get_subcommands().next().is_some() {
        man.render_subcommands_section(&mut buf)?;
    }
    let help = cmd
        .get_after_long_help()
        .map(|h| h.to_string())
        .unwrap_or_default();
    let examples: Vec<&str> = help
        .lines()
        .filter_map(|l| l.trim().strip_prefix("$ "))
        .collect();
    let mut roff = String::new();
    if !examples.is_empty() {
        roff.push_str(".SH EXAMPLES\n.nf\n.nh\n");
        for line in examples {
            roff.push_str(&format!("{}\n", roff_literal(line)));
        }
        roff.push_str(".hy\n.fi\n");
    }
    roff.push_str(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in EXIT_STATUS {
        roff.push_str(&format!(".TP\n.B {code}\n{}\n", roff_literal(meaning)));
    }
    let mut see_also: Vec<&str> = Vec::new();
    // The parent, the children, and kmi(1) itself.
    if let Some((parent, _)) = name.rsplit_once('-') {
        see_also.push(parent);
    }
    see_also.extend(all.iter().map(String::as_str).filter(|other| {
        other
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|rest| !rest.contains('-'))
    }));
    if name != "kmi" && !see_also.contains(&"kmi") {
        see_also.push("kmi");
    }
    if !see_also.is_empty() {
        let refs: Vec<String> = see_also
            .iter()
            .map(|page| format!(".BR {} (1)", roff_literal(page)))
            .collect();
        roff.push_str(".SH \"SEE ALSO\"\n");
        roff.push_str(&refs.join(" ,\n"));
        roff.push('\n');
    }
    buf.extend_from_slice(roff.as_bytes());
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// Text as roff prints it verbatim: '\\' doubled, '-' as '\\-' (ASCII hyphen-minus, never a
/// typographic hyphen), quotes as their glyphs, and a leading '.' or '\'' made inert.
fn roff_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    if text.starts_with('.') || text.starts_with('\'') {
        out.push_str("\\&");
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\'' => out.push_str("\\(aq"),
            '`' => out.push_str("\\(ga"),
            '"' => out.push_str("\\(dq"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exit codes on the man pages are those `kmi --help` prints.
    #[test]
    fn exit_status_matches_the_root_help() {
        let help = Cli::command()
            .get_after_long_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        for (code, meaning) in EXIT_STATUS {
            assert!(
                help.contains(&format!("  {code}  {meaning}")),
                "{code} {meaning}"
            );
        }
    }

    #[test]
    fn pages_have_examples_exit_status_see_also_and_no_help_page() {
        let files = render().unwrap();
        assert!(files.iter().all(|(p, _)| !p.contains("kmi-help")));
        for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("man/")) {
            let page = String::from_utf8_lossy(bytes);
            for section in [
                ".SH EXAMPLES\n.nf",
                ".SH \"EXIT STATUS\"",
                ".SH \"SEE ALSO\"",
            ] {
                assert!(page.contains(section), "{path}: no {section}");
            }
            assert!(!page.contains("kmi\\-help"), "{path} names kmi-help");
        }
    }

    #[test]
    fn roff_literal_keeps_hyphens_ascii() {
        assert_eq!(roff_literal("--to a'b"), "\\-\\-to a\\(aqb");
        assert_eq!(roff_literal(".x"), "\\&.x");
    }
}
