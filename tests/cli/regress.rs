//! The regression corpus (testdata/regress/): hostile inputs that once crashed, hung or were
//! accepted, each run through the binary. A case is `testdata/regress/<area>/<name>.case`, a few
//! `key: value` lines:
//!
//! ```text
//! # what the input is and what went wrong before (one line, shown on failure)
//! args: share verify --set set.pem share-1.pem
//! exit: 2
//! stderr-contains: modulus
//! stdin: input.bin          (optional: a file of the case directory fed to stdin)
//! stdout: full              (optional: null (default) | full (/dev/full) | closed | capture)
//! stdout-contains: ...      (optional, with stdout: capture)
//! absent: out.pem           (optional, repeatable: a file the command must not leave behind)
//! ```
//!
//! The command runs with its working directory set to a fresh copy of `<area>/<name>/` (when that
//! directory exists), so `args` name the input files relatively and outputs land in the copy.
//! `args` are split on whitespace (no quoting). Every case must end within [`DEADLINE`] (a hang
//! guard, not a speed claim), print exactly one stderr line starting `kmi: ` (plus any `kmi:
//! warning:` lines), never `internal error`, and exit with the code the case names.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

/// Generous: a case that needs more than this is hanging (the limits it tests refuse in well under
/// a second).
const DEADLINE: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
struct Case {
    name: String,
    about: String,
    args: Vec<String>,
    exit: i32,
    stderr_contains: Vec<String>,
    stdin: Option<String>,
    stdout: String,
    stdout_contains: Vec<String>,
    absent: Vec<String>,
}

fn parse_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).expect("read case");
    let mut case = Case {
        name: path.display().to_string(),
        stdout: "null".into(),
        exit: -1,
        ..Case::default()
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            if case.about.is_empty() {
                case.about = c.trim().to_string();
            }
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{}: line without 'key:': {line}", case.name));
        let value = value.trim().to_string();
        match key.trim() {
            "args" => case.args = value.split_whitespace().map(String::from).collect(),
            "exit" => case.exit = value.parse().expect("exit code"),
            "stderr-contains" => case.stderr_contains.push(value),
            "stdin" => case.stdin = Some(value),
            "stdout" => case.stdout = value,
            "stdout-contains" => case.stdout_contains.push(value),
            "absent" => case.absent.push(value),
            other => panic!("{}: unknown key {other}", case.name),
        }
    }
    assert!(!case.args.is_empty(), "{}: no args", case.name);
    assert!(case.exit >= 0, "{}: no exit", case.name);
    case
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read case dir") {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/regress");
    let mut out = Vec::new();
    let Ok(areas) = std::fs::read_dir(&root) else {
        return out;
    };
    for area in areas {
        let area = area.unwrap().path();
        if !area.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&area).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "case") {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

/// Run one case; `Err` says what went wrong.
fn run_case(path: &Path) -> Result<(), String> {
    let case = parse_case(path);
    let work = tempfile::tempdir().unwrap();
    let inputs = path.with_extension("");
    if inputs.is_dir() {
        copy_dir(&inputs, work.path());
    }
    let mut cmd = Command::new(cargo_bin("kmi"));
    cmd.args(&case.args).current_dir(work.path());
    cmd.env("KMI_REGRESS", "1");
    match &case.stdin {
        Some(f) => {
            cmd.stdin(std::fs::File::open(work.path().join(f)).expect("stdin file"));
        }
        None => {
            cmd.stdin(Stdio::null());
        }
    }
    let stdout_path = work.path().join(".stdout");
    match case.stdout.as_str() {
        "null" => {
            cmd.stdout(Stdio::null());
        }
        "full" => {
            cmd.stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            );
        }
        "capture" => {
            cmd.stdout(std::fs::File::create(&stdout_path).unwrap());
        }
        "closed" => {
            use std::os::unix::process::CommandExt;
            // SAFETY: close(1) in the child between fork and exec touches no Rust state.
            unsafe {
                cmd.pre_exec(|| {
                    libc::close(1);
                    Ok(())
                });
            }
        }
        other => return Err(format!("unknown stdout mode {other}")),
    }
    cmd.stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("spawn: {e}"))?;
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{} ({}): still running after {DEADLINE:?} (a hang)",
                case.name, case.about
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("kmi: warning:"))
        .collect();
    let code = status.code().unwrap_or(-1);
    let mut problems = Vec::new();
    if code != case.exit {
        problems.push(format!("exit {code} (status {status}), want {}", case.exit));
    }
    if code != 0 && (lines.len() != 1 || !lines[0].starts_with("kmi: ")) {
        problems.push(format!("want one 'kmi: ' stderr line, got {}", lines.len()));
    }
    if stderr.contains("internal error") {
        problems.push("stderr reports an internal error".into());
    }
    for want in &case.stderr_contains {
        if !stderr.contains(want.as_str()) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    if !case.stdout_contains.is_empty() {
        let out = std::fs::read_to_string(&stdout_path).unwrap_or_default();
        for want in &case.stdout_contains {
            if !out.contains(want.as_str()) {
                problems.push(format!("stdout lacks {want:?}"));
            }
        }
    }
    for f in &case.absent {
        if work.path().join(f).exists() {
            problems.push(format!("{f} was left behind"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} ({})\n    args: {}\n    {}\n    stderr: {}",
            case.name,
            case.about,
            case.args.join(" "),
            problems.join("; "),
            stderr.trim_end().replace('\n', "\n            ")
        ))
    }
}

#[test]
fn every_regression_case_fails_cleanly() {
    let cases = cases();
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} regression cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_case_parser_reads_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.case");
    std::fs::write(
        &p,
        "# about\nargs: key check k.pem\nexit: 2\nstderr-contains: a\nstdin: s\nstdout: full\nstdout-contains: b\nabsent: o.pem\n",
    )
    .unwrap();
    let c = parse_case(&p);
    assert_eq!(c.about, "about");
    assert_eq!(c.args, ["key", "check", "k.pem"]);
    assert_eq!(c.exit, 2);
    assert_eq!(c.stdin.as_deref(), Some("s"));
    assert_eq!(c.stdout, "full");
    assert_eq!(c.absent, ["o.pem"]);
}
