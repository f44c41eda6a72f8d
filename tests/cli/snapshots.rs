//! Snapshot tests of kmi's words (trycmd): every `--help` text, and the exact error line and exit
//! code of each class of bad input, live in reviewed files under `tests/cmd/`, so a change of
//! wording is a diff in review rather than a silent change.
//!
//! - `tests/cmd/help/NAME.toml` + `NAME.stdout`: `kmi ... --help` for every command in clap's
//!   tree (NAME as for the man pages: `kmi`, `kmi-key`, `kmi-key-generate-rsa`, ...). The list is
//!   generated from the tree: `every_command_has_a_help_snapshot` fails for a command without one
//!   (or a snapshot of a command that is gone).
//! - `tests/cmd/errors/*.toml`: one bad input each, with its exact stdout, stderr and exit code,
//!   run in `testdata/cli/` (relative paths, so the lines name no temporary directory); a case that
//!   could write is run in a sandbox copy of that directory.
//!
//! After a deliberate change of wording: `TRYCMD=overwrite cargo test --test cli snapshots` (it
//! also writes the case file of a new command; run it a second time to fill that case's
//! snapshot), then review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

fn cmd_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd")
}

/// Every command of the tree as (snapshot name, arguments after `kmi`), `help` excluded.
fn command_paths() -> BTreeMap<String, Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut BTreeMap<String, Vec<String>>) {
        let name = std::iter::once("kmi".to_string())
            .chain(path.iter().cloned())
            .collect::<Vec<_>>()
            .join("-");
        out.insert(name, path.clone());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut root = kmi::cli::Cli::command();
    root.build();
    let mut out = BTreeMap::new();
    walk(&root, Vec::new(), &mut out);
    out
}

/// The case file of `kmi ARGS --help`.
fn help_case(args: &[String]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(String::as_str)
        .chain(["--help"])
        .map(|a| format!("{a:?}"))
        .collect();
    format!(
        "bin.name = \"kmi\"\nargs = [{}]\nstderr = \"\"\n",
        quoted.join(", ")
    )
}

/// Problems with the help cases: missing, different or stale case files, missing snapshots.
/// With `TRYCMD=overwrite`, case files are written (and stale ones removed) instead.
fn sync_help_cases(write: bool) -> Vec<String> {
    let dir = cmd_dir().join("help");
    let mut problems = Vec::new();
    let want = command_paths();
    for (name, args) in &want {
        let case = dir.join(format!("{name}.toml"));
        let stdout = dir.join(format!("{name}.stdout"));
        let text = help_case(args);
        if std::fs::read_to_string(&case).ok().as_deref() != Some(text.as_str()) {
            if write {
                std::fs::write(&case, &text).expect("write help case");
            } else {
                problems.push(format!(
                    "{} is missing or not `kmi {} --help`",
                    case.display(),
                    args.join(" ")
                ));
            }
        }
        if std::fs::metadata(&stdout)
            .map(|m| m.len() == 0)
            .unwrap_or(true)
        {
            if write {
                if !stdout.exists() {
                    std::fs::write(&stdout, "").expect("write empty snapshot");
                }
            } else {
                problems.push(format!("{} is missing or empty", stdout.display()));
            }
        }
    }
    for entry in std::fs::read_dir(&dir).expect("tests/cmd/help exists") {
        let path = entry.expect("dir entry").path();
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !want.contains_key(&stem) {
            if write {
                std::fs::remove_file(&path).expect("remove stale snapshot");
            } else {
                problems.push(format!("{} belongs to no command", path.display()));
            }
        }
    }
    problems
}

fn overwriting() -> bool {
    std::env::var("TRYCMD").is_ok_and(|v| v == "overwrite")
}

#[test]
fn every_command_has_a_help_snapshot() {
    let problems = sync_help_cases(overwriting());
    assert!(
        problems.is_empty(),
        "help snapshots out of step with the command tree (run `TRYCMD=overwrite cargo test --test \
         cli snapshots` twice, then review):\n{}",
        problems.join("\n")
    );
}

#[test]
fn help_and_error_snapshots() {
    if overwriting() {
        sync_help_cases(true);
    }
    let dir = cmd_dir();
    trycmd::TestCases::new()
        .register_bin("kmi", Path::new(env!("CARGO_BIN_EXE_kmi")))
        // clap wraps help at the terminal width (capped at 100): fix it, and no colours.
        .env("COLUMNS", "100")
        .env("LINES", "50")
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "0")
        .case(dir.join("help/*.toml"))
        .case(dir.join("errors/*.toml"))
        .run();
}
