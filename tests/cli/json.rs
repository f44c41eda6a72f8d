//! Machine output and terminal behaviour (issue 15): every `--json` document is one envelope,
//! `{"version":1,"ok":bool,...}`, on success and on failure (then with "error" and "exit", and
//! stderr keeps its one line); the commands a script needs give `--json`, and what they print
//! matches the files they wrote (fingerprints as openssl computes them, set ids as `share verify`
//! reports them); binary output is refused on a terminal (checked under a pty); `-q` silences
//! warnings; bare `kmi` prints the usage screen; clap's tips stay on one short line.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{
    kmi, kmi_path, one_line_error, openssl, output_of, require_peer, sha256_hex, testdata, to_der,
    Work,
};

/// The JSON document on stdout, with the envelope's version and the expected verdict checked.
fn envelope(out: &Output, ok: bool) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{text}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(v["version"], 1, "{v:#}");
    assert_eq!(v["ok"], ok, "{v:#}");
    assert!(
        text.trim_start()
            .starts_with("{\n  \"version\": 1,\n  \"ok\": "),
        "version and ok come first:\n{text}"
    );
    v
}

/// A failure envelope: ok false, the stderr line as "error", the exit code as "exit".
fn failure(out: &Output, code: i32) -> Value {
    let line = one_line_error(out, code);
    let v = envelope(out, false);
    assert_eq!(v["exit"], code, "{v:#}");
    assert_eq!(
        format!("kmi: {}", v["error"].as_str().unwrap_or_default()),
        line,
        "{v:#}"
    );
    v
}

fn run(w: &Work, args: &[&str]) -> Output {
    output_of(kmi().current_dir(w.dir.path()).args(args))
}

fn ok_json(w: &Work, args: &[&str]) -> Value {
    let out = run(w, args);
    assert!(
        out.status.success(),
        "kmi {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    envelope(&out, true)
}

fn cp(w: &Work, name: &str) {
    std::fs::copy(testdata(&format!("cli/{name}")), w.path(name)).expect("copy testdata");
}

/// SHA-256 of a key's SubjectPublicKeyInfo, as openssl writes it (kmi's when openssl is absent).
fn spki_sha256(w: &Work, key: &str) -> String {
    let der = if require_peer("openssl").is_some() {
        let out = output_of(
            openssl()
                .current_dir(w.dir.path())
                .args(["pkey", "-pubout", "-outform", "DER", "-in", key]),
        );
        assert!(out.status.success());
        out.stdout
    } else {
        let out = run(w, &["key", "public", "--der", key, "-o", "-"]);
        assert!(out.status.success());
        out.stdout
    };
    sha256_hex(&der)
}

#[test]
fn key_generate_and_fingerprint_report_the_file_they_wrote() {
    let w = Work::new();
    let v = ok_json(
        &w,
        &[
            "-q", "key", "generate", "rsa", "--bits", "512", "--seed", "01", "-o", "k.pem",
            "--json",
        ],
    );
    assert_eq!(v["algorithm"], "rsa");
    assert_eq!(v["bits"], 512);
    assert_eq!(v["file"], "k.pem");
    assert_eq!(v["seeded"], true);
    let fp = spki_sha256(&w, "k.pem");
    assert_eq!(v["fingerprint"], fp.as_str(), "{v:#}");
    let f = ok_json(&w, &["key", "fingerprint", "--json", "k.pem"]);
    assert_eq!(f["fingerprint"], fp.as_str());
    let f = ok_json(
        &w,
        &["key", "fingerprint", "--json", "--digits", "16", "k.pem"],
    );
    assert_eq!(f["fingerprint"], &fp[..16]);
    // The text form stays grouped for reading aloud; JSON hex has no spaces.
    let i = ok_json(&w, &["key", "inspect", "--json", "k.pem"]);
    assert_eq!(i["fingerprint"], fp.as_str());

    let v = ok_json(
        &w,
        &[
            "-q",
            "key",
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "-o",
            "e.pem",
            "--json",
        ],
    );
    assert_eq!(v["algorithm"], "elgamal");
    assert_eq!(v["group"], "ffdhe2048");
    assert_eq!(v["fingerprint"], spki_sha256(&w, "e.pem").as_str());

    // The key and the report cannot share standard output.
    let out = run(&w, &["key", "generate", "rsa", "--bits", "512", "--json"]);
    let v = failure(&out, 2);
    assert!(v["error"].as_str().unwrap().contains("-o FILE"), "{v:#}");
}

#[test]
fn share_split_partial_combine_report_set_and_files() {
    let w = Work::new();
    cp(&w, "key.pem");
    let split = ok_json(
        &w,
        &[
            "-q",
            "share",
            "split",
            "key.pem",
            "-k",
            "2",
            "-n",
            "3",
            "--plain",
            "--purpose",
            "sign",
            "-o",
            "sh",
            "--json",
        ],
    );
    assert_eq!(split["threshold"], 2);
    assert_eq!(split["total"], 3);
    assert_eq!(split["encryption"], "none");
    let shares = split["shares"].as_array().unwrap();
    assert_eq!(shares.len(), 3);
    for (i, s) in shares.iter().enumerate() {
        assert_eq!(s["index"], i + 1);
        assert!(w.path(s["file"].as_str().unwrap()).is_file(), "{s}");
    }
    assert!(w.path(split["set"].as_str().unwrap()).is_file());
    let verify = ok_json(
        &w,
        &[
            "share",
            "verify",
            "--json",
            "--set",
            "sh/set.pem",
            "sh/share-1.pem",
        ],
    );
    assert_eq!(verify["set_id"], split["set_id"]);

    w.write("m.txt", "pay bob\n");
    for i in [1, 3] {
        let share = format!("sh/share-{i}.pem");
        let part = format!("p{i}.pem");
        let p = ok_json(
            &w,
            &[
                "-q", "share", "partial", "--share", &share, "--sign", "m.txt", "-o", &part,
                "--json",
            ],
        );
        assert_eq!(p["index"], i);
        assert_eq!(p["set_id"], split["set_id"]);
        assert_eq!(p["operation"], "signature");
        assert_eq!(p["file"], part.as_str());
        assert!(w.path(&part).is_file());
    }
    let c = ok_json(
        &w,
        &[
            "-q",
            "share",
            "combine",
            "--set",
            "sh/set.pem",
            "--sign",
            "m.txt",
            "p1.pem",
            "p3.pem",
            "-o",
            "m.sig",
            "--json",
        ],
    );
    assert_eq!(c["set_id"], split["set_id"]);
    assert_eq!(c["partials_used"], serde_json::json!([1, 3]));
    assert_eq!(c["bytes"], w.read("m.sig").len());
    if require_peer("openssl").is_some() {
        run(&w, &["key", "public", "key.pem", "-o", "pub.pem"]);
        let out = output_of(openssl().current_dir(w.dir.path()).args([
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "m.sig",
            "m.txt",
        ]));
        assert!(
            out.status.success(),
            "openssl does not verify the signature"
        );
    }
}

#[test]
fn cmc_requests_and_extract_report_ids_and_keys() {
    let w = Work::new();
    for f in [
        "agent.pem",
        "agent.crt",
        "sign.pem",
        "sign.crt",
        "enc.pem",
        "storage.crt",
        "storage.pem",
        "new.pem",
        "new.pub",
    ] {
        cp(&w, f);
    }
    let a = ok_json(
        &w,
        &[
            "cmc",
            "archive-request",
            "--key",
            "enc.pem",
            "--to",
            "agent.crt",
            "--owner",
            "alice",
            "--selection",
            "laptop-2024",
            "--sign-key",
            "sign.pem",
            "--sign-cert",
            "sign.crt",
            "-o",
            "archive.req",
            "--json",
        ],
    );
    assert_eq!(a["request"], "archive");
    assert_eq!(a["owner"], "alice");
    assert_eq!(a["file"], "archive.req");
    assert_eq!(a["sha256"], sha256_hex(&w.read("archive.req")).as_str());
    // The ids are those `cmc parse` finds in the file.
    let parsed = ok_json(&w, &["cmc", "parse", "--json", "archive.req"]);
    let text = parsed.to_string();
    let tid = a["transaction_id"].as_str().expect("transaction id");
    let nonce = a["sender_nonce"].as_str().expect("sender nonce");
    assert!(text.contains(&format!("\"value\":\"{tid}\"")), "{text}");
    assert!(text.contains(&format!("\"hex\":\"{nonce}\"")), "{text}");
    assert!(!nonce.contains([' ', ':']), "{nonce}");

    let store_init = run(
        &w,
        &[
            "-q",
            "cmc",
            "store",
            "init",
            "escrow.db",
            "--storage-cert",
            "storage.crt",
        ],
    );
    assert!(store_init.status.success());
    let respond = [
        "-q",
        "cmc",
        "respond",
        "--agent-key",
        "agent.pem",
        "--agent-cert",
        "agent.crt",
        "--store",
        "escrow.db",
        "--storage-cert",
        "storage.crt",
        "--storage-key",
        "storage.pem",
        "--json",
    ];
    // With --json the response needs a file of its own.
    let out = run(&w, &[&respond[..], &["archive.req"]].concat());
    let v = failure(&out, 2);
    assert!(v["error"].as_str().unwrap().contains("-o FILE"), "{v:#}");
    let out = run(&w, &[&respond[..], &["archive.req", "-o", "-"]].concat());
    failure(&out, 2);
    let r = ok_json(
        &w,
        &[&respond[..], &["archive.req", "-o", "archive.rsp"]].concat(),
    );
    assert_eq!(r["response"], "archive.rsp");
    assert_eq!(r["outcome"]["kind"], "archive");

    let q = ok_json(
        &w,
        &[
            "cmc",
            "recovery-request",
            "--owner",
            "alice",
            "--to",
            "new.pub",
            "--selection",
            "laptop-2024",
            "--sign-key",
            "sign.pem",
            "--sign-cert",
            "sign.crt",
            "-o",
            "recover.req",
            "--json",
        ],
    );
    assert_eq!(q["request"], "recovery");
    assert!(q["transaction_id"].is_string(), "{q:#}");
    ok_json(
        &w,
        &[&respond[..], &["recover.req", "-o", "recover.rsp"]].concat(),
    );
    let x = ok_json(
        &w,
        &[
            "-q",
            "cmc",
            "extract",
            "recover.rsp",
            "--request",
            "recover.req",
            "--identity",
            "new.pem",
            "--agent-cert",
            "agent.crt",
            "-o",
            "recovered.pem",
            "--json",
        ],
    );
    assert_eq!(x["signature_checked"], true);
    assert_eq!(x["bound_to_request"], true);
    let keys = x["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["file"], "recovered.pem");
    assert_eq!(
        keys[0]["fingerprint"],
        spki_sha256(&w, "recovered.pem").as_str()
    );
    assert_eq!(keys[0]["fingerprint"], spki_sha256(&w, "enc.pem").as_str());

    let g = ok_json(
        &w,
        &[
            "cmc",
            "keygen-request",
            "--subject",
            "CN=bob",
            "--shroud-secret",
            "bob-2024",
            "--sign-key",
            "sign.pem",
            "-o",
            "keygen.req",
            "--json",
        ],
    );
    assert_eq!(g["request"], "keygen");
    assert_eq!(g["owner"], "bob");
    assert!(g["transaction_id"].is_string(), "{g:#}");
}

#[test]
fn ccm_prepare_sign_and_check_use_the_envelope() {
    let w = Work::new();
    for f in ["signer.pem", "signer.crt", "ca.crt"] {
        cp(&w, f);
    }
    assert!(run(&w, &["ccm", "template", "--export", "-o", "ccm.txt"])
        .status
        .success());
    let p = ok_json(
        &w,
        &["-q", "ccm", "prepare", "ccm.txt", "-o", "ccm.sf", "--json"],
    );
    assert_eq!(p["file"], "ccm.sf");
    assert_eq!(p["sha256"], sha256_hex(&w.read("ccm.sf")).as_str());
    assert!(p["id"].is_string(), "{p:#}");
    let s = ok_json(
        &w,
        &[
            "-q",
            "ccm",
            "sign",
            "ccm.txt",
            "--key",
            "signer.pem",
            "--cert",
            "signer.crt",
            "-o",
            "policy.jar",
            "--json",
        ],
    );
    assert_eq!(s["file"], "policy.jar");
    assert_eq!(s["sha256"], sha256_hex(&w.read("policy.jar")).as_str());
    assert_eq!(s["id"], p["id"]);
    assert_eq!(s["version"], 1, "the envelope's version, not the policy's");
    let out = run(
        &w,
        &[
            "ccm",
            "sign",
            "ccm.txt",
            "--key",
            "signer.pem",
            "--cert",
            "signer.crt",
            "--json",
        ],
    );
    failure(&out, 2);

    let check = |bits: &str| {
        run(
            &w,
            &[
                "ccm",
                "check",
                "policy.jar",
                "--trust",
                "ca.crt",
                "--app",
                "smime",
                "--alg",
                "RSA",
                "--bits",
                bits,
                "--country",
                "FR",
                "--json",
            ],
        )
    };
    let allowed = check("512");
    let denied = check("16384");
    let (yes, no) = if allowed.status.success() {
        (allowed, denied)
    } else {
        (denied, allowed)
    };
    let v = envelope(&yes, true);
    assert!(v.get("allowed").is_none(), "ok is the verdict: {v:#}");
    let v = failure(&no, 1);
    assert!(
        v["reasons"].as_array().is_some_and(|r| !r.is_empty()),
        "{v:#}"
    );
}

#[test]
fn failures_print_the_error_envelope() {
    let w = Work::new();
    // A file that is not there: exit 2.
    failure(&run(&w, &["log", "verify", "--json", "missing.log"]), 2);
    // A record that does not verify: exit 1, and JSON nonetheless.
    std::fs::copy(
        testdata("cli/ceremony-tampered.log"),
        w.path("tampered.log"),
    )
    .unwrap();
    failure(&run(&w, &["log", "verify", "--json", "tampered.log"]), 1);
    std::fs::copy(testdata("cli/ceremony.log"), w.path("good.log")).unwrap();
    let v = ok_json(&w, &["log", "verify", "--json", "good.log"]);
    assert!(v["head"].is_string());
    // A key check that fails: its report and the error.
    w.write(
        "even.der",
        std::fs::read(testdata("cli/even-n.der")).unwrap(),
    );
    let v = failure(&run(&w, &["key", "check", "--json", "even.der"]), 1);
    assert!(v["report"]["results"].is_array(), "{v:#}");
    // A usage error with --json.
    let v = failure(&run(&w, &["key", "check", "--json", "--bogus", "k.pem"]), 2);
    assert!(!v["error"].as_str().unwrap().contains("to pass"), "{v:#}");
    // Without --json, stdout stays empty.
    let out = run(&w, &["log", "verify", "missing.log"]);
    one_line_error(&out, 2);
    assert!(out.stdout.is_empty());
}

#[test]
fn cert_show_hex_has_no_colons_or_spaces() {
    let w = Work::new();
    cp(&w, "ca.crt");
    let v = ok_json(&w, &["cert", "show", "--json", "ca.crt"]);
    let der = to_der(&w.read("ca.crt"));
    assert_eq!(v["sha256_fingerprint"], sha256_hex(&der).as_str());
    for f in ["sha1_fingerprint", "key_fingerprint", "serial"] {
        let h = v[f].as_str().unwrap();
        assert!(
            h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{f}: {h}"
        );
    }
}

/// Run kmi with its standard output on a pseudo-terminal (python3's pty module); the output
/// and what the terminal received.
fn on_a_terminal(dir: &Path, args: &[&str]) -> Option<(Output, Vec<u8>)> {
    let py = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sys")
        .output()
        .ok()?;
    if !py.status.success() {
        eprintln!("skipping: python3 not found");
        return None;
    }
    const SCRIPT: &str = r#"
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.run(sys.argv[1:], stdout=s, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
os.close(s)
got = b""
while True:
    try:
        d = os.read(m, 65536)
    except OSError:
        break
    if not d:
        break
    got += d
sys.stdout.buffer.write(got)
sys.stderr.buffer.write(p.stderr)
sys.exit(p.returncode)
"#;
    let out = std::process::Command::new("python3")
        .current_dir(dir)
        .arg("-c")
        .arg(SCRIPT)
        .arg(kmi_path())
        .args(args)
        .output()
        .expect("python3 runs");
    let tty = out.stdout.clone();
    Some((out, tty))
}

#[test]
fn binary_output_is_refused_on_a_terminal() {
    let w = Work::new();
    for f in [
        "key.pem",
        "agent.crt",
        "sign.pem",
        "sign.crt",
        "enc.pem",
        "signer.pem",
        "signer.crt",
    ] {
        cp(&w, f);
    }
    assert!(run(&w, &["ccm", "template", "--export", "-o", "ccm.txt"])
        .status
        .success());
    let cases: &[&[&str]] = &[
        &["key", "public", "--der", "key.pem"],
        &[
            "cmc",
            "archive-request",
            "--key",
            "enc.pem",
            "--to",
            "agent.crt",
            "--owner",
            "alice",
            "--sign-key",
            "sign.pem",
            "--sign-cert",
            "sign.crt",
            "--der",
        ],
        &[
            "ccm",
            "sign",
            "ccm.txt",
            "--key",
            "signer.pem",
            "--cert",
            "signer.crt",
        ],
        &[
            "key", "generate", "rsa", "--bits", "512", "--der", "-o", "-",
        ],
    ];
    for args in cases {
        let Some((out, tty)) = on_a_terminal(w.dir.path(), args) else {
            return;
        };
        let line = one_line_error(&out, 2);
        assert_eq!(
            line, "kmi: refusing to write binary output to a terminal: give -o FILE or redirect",
            "{args:?}"
        );
        assert!(tty.is_empty(), "{args:?} wrote to the terminal: {tty:?}");
        // Redirected, the same command writes its bytes.
        let out = run(&w, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty());
    }
    // PEM to a terminal is text, and allowed.
    let (out, tty) = on_a_terminal(w.dir.path(), &["key", "public", "key.pem"]).unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&tty).contains("BEGIN PUBLIC KEY"));
}

#[test]
fn quiet_silences_warnings() {
    let w = Work::new();
    let args = [
        "key", "generate", "rsa", "--bits", "512", "--seed", "02", "-o", "k.pem",
    ];
    let loud = run(&w, &args);
    assert!(String::from_utf8_lossy(&loud.stderr).contains("warning:"));
    let out = run(&w, &[&["-q"][..], &args[..], &["--force"]].concat());
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A seeded share set's warning too.
    assert!(run(
        &w,
        &[
            "-q", "share", "split", "k.pem", "-k", "2", "-n", "2", "--plain", "--seed", "03", "-o",
            "s"
        ],
    )
    .status
    .success());
    let out = run(
        &w,
        &[
            "-q",
            "share",
            "verify",
            "--set",
            "s/set.pem",
            "s/share-1.pem",
        ],
    );
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &w,
        &["share", "verify", "--set", "s/set.pem", "s/share-1.pem"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning:"));
}

#[test]
fn bare_kmi_prints_the_usage_screen() {
    for args in [&[][..], &["key"][..], &["cmc", "store"][..]] {
        let out = output_of(kmi().args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("Usage: kmi"), "{args:?}: {err}");
        assert!(err.contains("Commands:"), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn clap_tips_stay_on_one_short_line() {
    let out = output_of(kmi().args(["key", "chek"]));
    let line = one_line_error(&out, 2);
    assert_eq!(
        line,
        "kmi: unrecognized subcommand 'chek'; did you mean 'check'? (see 'kmi help' or '--help')"
    );
    let out = output_of(kmi().args(["key", "check", "--jsn", "k.pem"]));
    let line = one_line_error(&out, 2);
    assert!(line.contains("did you mean '--json'?"), "{line}");
    assert!(!line.contains("tip:"), "{line}");
}
