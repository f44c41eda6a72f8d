//! Issue 15, "one scheme across every command", through the binary: hints name only flags of
//! the command that prints them; encrypted trustee and recipient keys open without a terminal
//! (file, descriptor, env:VAR); CMC messages are PEM unless --der, and openssl reads both; kmi
//! 0.1's spellings still parse (hidden aliases for one release).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;

/// The visible long flags of the command `args` runs (after the global flags), with the global
/// ones; None if `args` names no command.
fn flags_of(args: &[String]) -> Option<BTreeSet<String>> {
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut best: Option<(usize, clap::Command)> = None;
    for (name, cmd) in kmi::cli::docs::all_commands() {
        let path: Vec<&str> = name.split('-').skip(1).collect();
        // "kmi-cmc-archive-request": its words are cmc, archive-request.
        let path = rejoin(&path, &cmd);
        if words.len() >= path.len()
            && words[..path.len()] == path[..]
            && best.as_ref().is_none_or(|(n, _)| path.len() > *n)
        {
            best = Some((path.len(), cmd));
        }
    }
    let (_, cmd) = best?;
    let mut flags: BTreeSet<String> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    flags.extend(["--batch", "--quiet", "--allow-slow-kdf", "--help"].map(String::from));
    Some(flags)
}

/// Command names contain '-' (archive-request): rebuild the words from the known name.
fn rejoin(parts: &[&str], cmd: &clap::Command) -> Vec<String> {
    let last = cmd.get_name().to_string();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        // Greedy: the longest run of parts that is the last word, at the end.
        let rest = parts[i..].join("-");
        if rest == last || last.ends_with(&format!("-{rest}")) {
            words.push(rest);
            break;
        }
        words.push(parts[i].to_string());
        i += 1;
    }
    words
}

/// Every `--flag` in `text` is a flag of the command `args` runs.
fn assert_hint_flags_exist(args: &[String], text: &str) {
    let Some(flags) = flags_of(args) else {
        return;
    };
    let named: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches('-').to_string())
        .collect();
    for flag in named {
        assert!(
            flags.contains(&flag),
            "kmi {}: the message names {flag}, which this command does not have:\n{text}",
            args.join(" ")
        );
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// An RSA key encrypted under "correct horse" by openssl (PBES2, AES-256-CBC), and its
/// certificate: a trustee whose key is protected as a ceremony keeps it.
fn encrypted_trustee(w: &Work, name: &str) -> (PathBuf, PathBuf) {
    let (crt, plain) = kmi_trustee(w, name);
    let enc = w.path(&format!("{name}-enc.key"));
    let out = output_of(
        openssl()
            .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in"])
            .arg(&plain)
            .arg("-out")
            .arg(&enc)
            .args(["-passout", "pass:correct horse"]),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (enc, crt)
}

fn run(w: &Work, args: &[String]) -> std::process::Output {
    output_of(kmi().current_dir(w.dir.path()).args(args))
}

#[test]
fn every_hint_names_a_flag_of_the_command_that_prints_it() {
    let w = Work::new();
    let (enc, crt) = encrypted_trustee(&w, "t1");
    let (crt2, _) = kmi_trustee(&w, "t2");
    let enc = enc.to_str().unwrap().to_string();
    let crt = crt.to_str().unwrap().to_string();
    let crt2 = crt2.to_str().unwrap().to_string();
    // A 2-of-2 set to the trustees, and a message for decrypt.
    std::fs::write(w.path("m.txt"), "a message").unwrap();
    let key = kmi_generate(&w, "el.pem", &["elgamal", "--group", "ffdhe2048"]);
    let key = key.to_str().unwrap().to_string();
    assert!(run(
        &w,
        &strings(&[
            "share", "split", &key, "-k", "2", "-n", "2", "--to", &crt, "--to", &crt2, "-o", "set"
        ])
    )
    .status
    .success());
    assert!(
        run(&w, &strings(&["key", "public", "t1.key", "-o", "t1.pub"]))
            .status
            .success()
    );
    assert!(run(
        &w,
        &strings(&["encrypt", "--to", "t1.pub", "-i", "m.txt", "-o", "msg.bin"])
    )
    .status
    .success());

    let cases: Vec<Vec<String>> = vec![
        strings(&["--batch", "key", "public", &enc]),
        strings(&["--batch", "key", "check", &enc]),
        strings(&["--batch", "key", "fingerprint", &enc]),
        strings(&[
            "--batch",
            "decrypt",
            "--identity",
            &enc,
            "-i",
            "msg.bin",
            "-o",
            "out.bin",
        ]),
        strings(&[
            "--batch", "share", "split", &enc, "-k", "2", "-n", "2", "--plain", "-o", "s2",
        ]),
        strings(&[
            "--batch", "share", "split", &key, "-k", "2", "-n", "2", "-o", "s3",
        ]),
        strings(&[
            "--batch",
            "share",
            "verify",
            "--set",
            "set/set.pem",
            "--identity",
            &enc,
            "set/share-1.pem",
        ]),
        strings(&[
            "--batch",
            "share",
            "verify",
            "--set",
            "set/set.pem",
            "set/share-1.pem",
        ]),
        strings(&[
            "--batch",
            "share",
            "partial",
            "--share",
            "set/share-1.pem",
            "--identity",
            &enc,
            "--decrypt",
            "msg.bin",
            "-o",
            "p.pem",
        ]),
        strings(&[
            "--batch",
            "share",
            "reconstruct",
            "--set",
            "set/set.pem",
            "--identity",
            &enc,
            "set/share-1.pem",
            "set/share-2.pem",
            "-o",
            "k.pem",
        ]),
        strings(&[
            "--batch",
            "key",
            "generate",
            "rsa",
            "--bits",
            "512",
            "--no-safe",
            "--encrypt",
            "-o",
            "new.pem",
        ]),
        strings(&[
            "--batch",
            "cert",
            "self-sign",
            "--key",
            &enc,
            "--subject",
            "CN=x",
            "-o",
            "x.crt",
        ]),
        strings(&[
            "--batch",
            "cmc",
            "archive-request",
            "--key",
            &enc,
            "--to",
            &crt,
            "--sign-key",
            &enc,
            "-o",
            "a.req",
        ]),
        strings(&[
            "--batch",
            "cmc",
            "extract",
            "missing.rsp",
            "--identity",
            &enc,
            "--insecure",
            "-o",
            "x.pem",
        ]),
        strings(&[
            "--batch",
            "ccm",
            "sign",
            "missing.txt",
            "--key",
            &enc,
            "--cert",
            &crt,
            "-o",
            "x.jar",
        ]),
        // The agent's trustee keys (split recoveries) are opened before any request is read.
        [
            strings(&[
                "--batch",
                "cmc",
                "respond",
                "--agent-key",
                "t1.key",
                "--agent-cert",
                &crt,
            ]),
            store_args(&w.path("store"))
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            strings(&["--identity", &enc, "m.txt", "-o", "x.rsp"]),
        ]
        .concat(),
    ];
    let mut with_hint = 0;
    for args in &cases {
        let out = run(&w, args);
        assert!(!out.status.success(), "kmi {} succeeded", args.join(" "));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_no_panic(&stderr);
        assert_hint_flags_exist(args, &stderr);
        with_hint += usize::from(stderr.contains("--"));
    }
    // The check is not vacuous: most of these errors name flags.
    assert!(with_hint >= 8, "only {with_hint} hints");
    // And it can fail: a hint naming another command's flag is caught.
    let caught = std::panic::catch_unwind(|| {
        assert_hint_flags_exist(
            &strings(&["key", "public", "k.pem"]),
            "give --share-passphrase-file",
        )
    });
    assert!(caught.is_err());
}

/// The error snapshots (tests/cmd/errors) obey the same rule.
#[test]
fn error_snapshots_name_only_their_commands_flags() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd/errors");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        // `args = [...]` is a TOML array of basic strings, which JSON reads the same way.
        let Some(line) = text.lines().find_map(|l| l.strip_prefix("args = ")) else {
            continue;
        };
        let args: Vec<String> = serde_json::from_str(line).unwrap();
        let stderr = text
            .split_once("stderr = \"\"\"")
            .and_then(|(_, rest)| rest.split_once("\"\"\""))
            .map_or("", |(body, _)| body);
        // A usage error quotes the unknown flag the user typed: that one is not a hint.
        if !stderr.contains("unexpected argument") {
            assert_hint_flags_exist(&args, stderr);
        }
        checked += 1;
    }
    assert!(checked >= 10);
}

/// An encrypted --identity opens from a file, a descriptor and env:VAR, in share verify, share
/// partial, decrypt and cmc extract.
#[test]
fn encrypted_identities_open_without_a_terminal() {
    let w = Work::new();
    let (enc, crt) = encrypted_trustee(&w, "t1");
    let (crt2, _) = kmi_trustee(&w, "t2");
    std::fs::write(w.path("pass.txt"), "correct horse\n").unwrap();
    let key = kmi_generate(&w, "el.pem", &["elgamal", "--group", "ffdhe2048"]);
    kmi()
        .current_dir(w.dir.path())
        .args(["share", "split"])
        .arg(&key)
        .args(["-k", "2", "-n", "2", "--to"])
        .arg(&crt)
        .arg("--to")
        .arg(&crt2)
        .args(["-o", "set"])
        .assert()
        .success();
    // File.
    kmi()
        .current_dir(w.dir.path())
        .args([
            "--batch",
            "share",
            "verify",
            "--set",
            "set/set.pem",
            "--identity",
        ])
        .arg(&enc)
        .args(["--identity-passphrase-file", "pass.txt", "set/share-1.pem"])
        .assert()
        .success();
    // env:VAR.
    kmi()
        .current_dir(w.dir.path())
        .env("KMI_TRUSTEE_PASS", "correct horse")
        .args([
            "--batch",
            "share",
            "verify",
            "--set",
            "set/set.pem",
            "--identity",
        ])
        .arg(&enc)
        .args([
            "--identity-passphrase-file",
            "env:KMI_TRUSTEE_PASS",
            "set/share-1.pem",
        ])
        .assert()
        .success();
    // A wrong one is refused as such.
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .env("KMI_TRUSTEE_PASS", "wrong")
            .args([
                "--batch",
                "share",
                "verify",
                "--set",
                "set/set.pem",
                "--identity",
            ])
            .arg(&enc)
            .args([
                "--identity-passphrase-file",
                "env:KMI_TRUSTEE_PASS",
                "set/share-1.pem",
            ]),
    );
    assert!(!out.status.success());
    // Descriptor, in share partial: a ciphertext to the set's key, decrypted by trustee 1.
    kmi()
        .current_dir(w.dir.path())
        .args(["key", "public", "set/set.pem", "-o", "set.pub"])
        .assert()
        .success();
    kmi()
        .current_dir(w.dir.path())
        .args([
            "encrypt", "--to", "set.pub", "-i", "pass.txt", "-o", "msg.bin",
        ])
        .assert()
        .success();
    let args: Vec<std::ffi::OsString> = vec![
        "--batch".into(),
        "share".into(),
        "partial".into(),
        "--share".into(),
        "set/share-1.pem".into(),
        "--identity".into(),
        enc.clone().into(),
        "--identity-passphrase-fd".into(),
        "3".into(),
        "--decrypt".into(),
        "msg.bin".into(),
        "-o".into(),
        "p1.pem".into(),
    ];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let out = kmi_with_fd3(&args, b"correct horse\n", w.dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(w.path("p1.pem").exists());
    // decrypt with the trustee's encrypted key itself (RSA-OAEP to its certificate).
    kmi()
        .current_dir(w.dir.path())
        .args(["key", "public", "t1.key", "-o", "t1.pub"])
        .assert()
        .success();
    kmi()
        .current_dir(w.dir.path())
        .args([
            "encrypt", "--to", "t1.pub", "-i", "pass.txt", "-o", "rsa.bin",
        ])
        .assert()
        .success();
    kmi()
        .current_dir(w.dir.path())
        .env("P", "correct horse")
        .args(["--batch", "decrypt", "--identity"])
        .arg(&enc)
        .args([
            "--identity-passphrase-file",
            "env:P",
            "-i",
            "rsa.bin",
            "-o",
            "back.txt",
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(w.path("back.txt")).unwrap(),
        b"correct horse\n"
    );
}

/// CMC messages are PEM (label CMS) by default, DER with --der; openssl reads both, and kmi
/// reads both back.
#[test]
fn cmc_messages_are_pem_unless_der_and_openssl_reads_both() {
    let w = Work::new();
    let (agent_crt, agent_key) = kmi_trustee(&w, "agent");
    let (sign_crt, sign_key) = kmi_trustee(&w, "alice");
    // A trustee whose encrypted key the agent holds for split recoveries: it opens with
    // env:VAR, without a terminal.
    let (trustee_key, _) = encrypted_trustee(&w, "t1");
    let key = kmi_generate(&w, "enc.pem", &["elgamal", "--group", "ffdhe2048"]);
    for (der, name) in [(false, "a.req"), (true, "a.der")] {
        let mut cmd = kmi();
        cmd.current_dir(w.dir.path())
            .args(["cmc", "archive-request", "--subject", "CN=alice", "--key"])
            .arg(&key)
            .arg("--to")
            .arg(&agent_crt)
            .arg("--sign-key")
            .arg(&sign_key)
            .arg("--sign-cert")
            .arg(&sign_crt)
            .args(["-o", name]);
        if der {
            cmd.arg("--der");
        }
        cmd.assert().success();
        let bytes = std::fs::read(w.path(name)).unwrap();
        assert_eq!(pem_label(&bytes).is_some(), !der, "{name}");
        let inform = if der { "DER" } else { "PEM" };
        let out = output_of(openssl().current_dir(w.dir.path()).args([
            "cms",
            "-verify",
            "-noverify",
            "-binary",
            "-inform",
            inform,
            "-in",
            name,
            "-out",
            "/dev/null",
        ]));
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The agent takes either, and answers in PEM unless told otherwise.
        let rsp = format!("{name}.rsp");
        let mut respond = kmi();
        respond
            .current_dir(w.dir.path())
            .args(["cmc", "respond", "--agent-key"])
            .arg(&agent_key)
            .arg("--agent-cert")
            .arg(&agent_crt)
            .args(store_args(&w.path(&format!("store-{name}"))))
            .arg("--identity")
            .arg(&trustee_key)
            .args(["--identity-passphrase-file", "env:KMI_T1"])
            .env("KMI_T1", "correct horse")
            .arg("--batch")
            .arg(name)
            .args(["-o", &rsp]);
        let out = output_of(&mut respond);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            pem_label(&std::fs::read(w.path(&rsp)).unwrap()).as_deref(),
            Some("CMS")
        );
    }
}

/// kmi 0.1's spellings still parse, as hidden aliases, and mean what the new names mean.
#[test]
fn old_spellings_still_work_for_one_release() {
    let w = Work::new();
    std::fs::write(w.path("p1"), "one\n").unwrap();
    std::fs::write(w.path("p2"), "two\n").unwrap();
    let key = kmi_generate(&w, "el.pem", &["elgamal", "--group", "ffdhe2048"]);
    kmi()
        .current_dir(w.dir.path())
        .args(["share", "split"])
        .arg(&key)
        .args([
            "-k",
            "2",
            "-n",
            "2",
            "--passphrase-file",
            "p1",
            "--passphrase-file",
            "p2",
            "-o",
            "set",
        ])
        .assert()
        .success();
    kmi()
        .current_dir(w.dir.path())
        .args([
            "share",
            "verify",
            "--set",
            "set/set.pem",
            "--passphrase-file",
            "p1",
            "--passphrase-file",
            "p2",
            "set/share-1.pem",
            "set/share-2.pem",
        ])
        .assert()
        .success();
    // ...and none of them shows in the help.
    let help = stdout_of(kmi().args(["share", "verify", "--help"]));
    assert!(help.contains("--share-passphrase-file") && !help.contains(" --passphrase-file"));
}
