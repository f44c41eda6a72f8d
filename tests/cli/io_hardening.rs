//! Input/output faults through the binary (issue 18): a stdout that cannot be written or is closed,
//! passphrase sources that never end, work factors a file chooses, umask 000, a full disk or a
//! signal in the middle of a multi-file write, and concurrent writers.

use std::path::Path;
use std::process::{Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{kmi, kmi_path, one_line_error, openssl, output_of, testdata, Work};

/// `kmi args...` run in `dir` with stdout on /dev/full (a write fails with ENOSPC).
fn to_dev_full(dir: &Path, args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    StdCommand::new(kmi_path())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(full)
        .output()
        .expect("kmi runs")
}

/// `kmi args...` run in `dir` with descriptor 1 closed (`>&-`).
fn with_stdout_closed(dir: &Path, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = StdCommand::new(kmi_path());
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    // SAFETY: close(2) between fork and exec touches no Rust state.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(1);
            Ok(())
        });
    }
    cmd.output().expect("kmi runs")
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ossl(dir: &Path, args: &[&str]) {
    let out = output_of(openssl().current_dir(dir).args(args));
    ok(&out, &format!("openssl {args:?}"));
}

/// Inputs for every printing command: a key, a share set with a ceremony log, and a signed CCM
/// policy (an openssl CA and a code-signing leaf).
fn fixtures() -> Work {
    let w = Work::new();
    let d = w.dir.path();
    let run = |args: &[&str]| ok(&output_of(kmi().current_dir(d).args(args)), &args.join(" "));
    run(&[
        "-q",
        "key",
        "generate",
        "elgamal",
        "--group",
        "ffdhe2048",
        "-o",
        "key.pem",
    ]);
    run(&[
        "-q",
        "share",
        "split",
        "-k",
        "2",
        "-n",
        "3",
        "--plain",
        "-o",
        "s",
        "key.pem",
        "--log",
        "ceremony.log",
    ]);
    run(&["-q", "ccm", "template", "--export", "-o", "policy.txt"]);
    let mut bad = std::fs::read(w.path("policy.txt")).unwrap();
    bad.extend_from_slice(b"bogus = 1\n");
    w.write("bad-policy.txt", bad);
    ossl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=io test CA",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    ossl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.csr",
            "-subj",
            "/CN=io test signer",
        ],
    );
    w.write(
        "signer.ext",
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nbasicConstraints=CA:FALSE\n",
    );
    ossl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "signer.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "signer.ext",
            "-out",
            "signer.pem",
        ],
    );
    run(&[
        "-q",
        "ccm",
        "sign",
        "policy.txt",
        "--key",
        "signer.key",
        "--cert",
        "signer.pem",
        "-o",
        "policy.jar",
    ]);
    w
}

/// Every command that prints a report: with stdout on /dev/full each must say so on one line and
/// exit 3 (they panicked in `println!` before: exit 101).
#[test]
fn every_printing_command_fails_cleanly_on_a_full_stdout() {
    let w = fixtures();
    let pkidata = testdata("cmc/pkidata.der");
    let pkidata = pkidata.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["key", "check", "key.pem"],
        vec!["key", "check", "--json", "key.pem"],
        vec!["key", "inspect", "key.pem"],
        vec!["key", "inspect", "--json", "key.pem"],
        vec!["key", "fingerprint", "key.pem"],
        vec![
            "share",
            "verify",
            "--set",
            "s/set.pem",
            "s/share-1.pem",
            "s/share-2.pem",
        ],
        vec![
            "share",
            "verify",
            "--json",
            "--set",
            "s/set.pem",
            "s/share-1.pem",
        ],
        vec!["cmc", "parse", pkidata],
        vec!["cmc", "parse", "--json", pkidata],
        vec!["ccm", "lint", "bad-policy.txt"],
        vec!["ccm", "show", "policy.jar"],
        vec!["ccm", "verify", "policy.jar", "--trust", "ca.pem"],
        vec![
            "ccm",
            "check",
            "policy.jar",
            "--trust",
            "ca.pem",
            "--app",
            "smime",
            "--alg",
            "RSA",
            "--bits",
            "2048",
            "--country",
            "FR",
        ],
        vec!["log", "verify", "ceremony.log"],
        vec!["log", "verify", "--json", "ceremony.log"],
        vec!["selftest"],
        vec!["selftest", "--json"],
        vec!["--help"],
        vec!["key", "public", "key.pem", "-o", "-"],
    ];
    for args in &commands {
        // The command works with a normal stdout...
        let good = output_of(kmi().current_dir(w.dir.path()).args(args));
        let code = good.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "{args:?} itself fails: {}",
            String::from_utf8_lossy(&good.stderr)
        );
        // ... and reports a full one.
        let out = to_dev_full(w.dir.path(), args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        let line = err
            .lines()
            .find(|l| l.contains("<stdout>"))
            .unwrap_or_else(|| panic!("{args:?}: no <stdout> line: {err}"));
        assert!(line.contains("No space left on device"), "{args:?}: {line}");
        assert!(
            !err.contains("panicked") && !err.contains("internal error"),
            "{args:?}: {err}"
        );
    }
}

/// `kmi key generate -o - >&-` threw the new key away and exited 0: a closed stdout is exit 3,
/// found before the key is made.
#[test]
fn closed_stdout_is_a_failure_not_a_lost_key() {
    let w = Work::new();
    let start = Instant::now();
    let out = with_stdout_closed(
        w.dir.path(),
        &["key", "generate", "rsa", "--bits", "2048", "-o", "-"],
    );
    let line = one_line_error(&out, 3);
    assert!(line.contains("standard output is closed"), "{line}");
    // Refused before a 2048-bit safe-prime search (which takes many seconds in a debug build).
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // Nothing was written anywhere else (descriptor 1 was not handed to an output file).
    assert!(w.files().is_empty(), "{:?}", w.files());
    let out = with_stdout_closed(w.dir.path(), &["selftest"]);
    let line = one_line_error(&out, 3);
    assert!(line.contains("standard output is closed"), "{line}");
}
