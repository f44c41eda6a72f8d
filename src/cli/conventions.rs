//! The command-line conventions (README, "Conventions"), checked over the whole clap tree: a new
//! command that gives an existing name a second meaning, or a passphrase file without its
//! descriptor twin, fails the build's tests rather than reaching a user.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, ValueHint};

use super::docs::all_commands;

/// Long names kmi 0.1 used for something that now has another name; they live on only as the
/// hidden aliases of `compat.rs`.
const RETIRED: &[&str] = &[
    "passphrase-file",
    "passphrase-fd",
    "shared-secret-file",
    "shared-secret-fd",
    "share-key",
    "shroud-key",
    "agent",
    "blind",
    "pem",
    "partials",
];

/// What a visible argument is, for comparing one long name across commands: a switch, a path
/// (a file or directory, whatever its value name says about it), or a value of a named kind
/// (N, NAME, HEX, ...).
fn shape(arg: &Arg) -> String {
    match arg.get_action() {
        ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count => "switch".into(),
        _ if matches!(
            arg.get_value_hint(),
            ValueHint::FilePath | ValueHint::DirPath | ValueHint::AnyPath
        ) =>
        {
            "a path".into()
        }
        _ => arg
            .get_value_names()
            .map(|v| {
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| arg.get_id().to_string().to_uppercase()),
    }
}

fn visible_longs(cmd: &clap::Command) -> impl Iterator<Item = (&str, &Arg)> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long().map(|l| (l, a)))
}

/// One long name, one meaning: every command that has `--NAME` gives it the same shape.
pub fn inconsistencies() -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (name, cmd) in all_commands() {
        let longs: Vec<&str> = visible_longs(&cmd).map(|(l, _)| l).collect();
        for (long, arg) in visible_longs(&cmd) {
            if RETIRED.contains(&long) {
                problems.push(format!(
                    "{name}: --{long} is a retired spelling (see compat.rs)"
                ));
            }
            let this = shape(arg);
            match seen.get(long) {
                Some((first, shape)) if *shape != this => problems.push(format!(
                    "--{long} is {this} in {name} but {shape} in {first}: one name, one meaning"
                )),
                Some(_) => {}
                None => {
                    seen.insert(long.to_string(), (name.clone(), this));
                }
            }
            // Every way to hand kmi a passphrase or secret as a file has its descriptor twin.
            if let Some(stem) = long.strip_suffix("-file") {
                if (stem.ends_with("passphrase") || stem == "secret")
                    && !longs.contains(&format!("{stem}-fd").as_str())
                {
                    problems.push(format!("{name}: --{long} without --{stem}-fd"));
                }
            }
            // A passphrase for --identity keys only where there are --identity keys.
            if long == "identity-passphrase-file" && !longs.contains(&"identity") {
                problems.push(format!("{name}: --{long} without --identity"));
            }
        }
        // PEM is every output's default; DER is asked for with --der, never the reverse.
        if longs.contains(&"pem") {
            problems.push(format!("{name}: --pem (PEM is the default; offer --der)"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_speaks_one_language() {
        let problems = super::inconsistencies();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// The check itself can fail: a command that reused --identity for a name would be caught.
    #[test]
    fn a_second_meaning_is_caught() {
        use clap::{Arg, Command};
        let a = Command::new("a").arg(
            Arg::new("identity")
                .long("identity")
                .value_hint(clap::ValueHint::FilePath),
        );
        let b = Command::new("b").arg(Arg::new("identity").long("identity").value_name("NAME"));
        let shape = |c: &Command| super::shape(c.get_arguments().next().unwrap());
        assert_ne!(shape(&a), shape(&b));
    }
}
