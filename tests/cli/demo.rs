//! kmi demo: the narrated ceremony runs (with --reshare: a trustee leaves, the key survives),
//! every step checks out, and its artefacts satisfy openssl.

use crate::common::{kmi, openssl, require_peer, Work};

#[test]
fn demo_runs_and_openssl_agrees_with_its_artefacts() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let dir = w.path("ceremony");
    let out = kmi()
        .args(["demo", "--bits", "1024", "--reshare", "--dir"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("Every step checked out"), "{text}");
    assert!(!text.contains("failed"), "{text}");
    // Two keys, one per purpose; the decryption set refuses to sign, even in disguise.
    assert!(
        text.contains("purpose decrypt") && text.contains("purpose sign"),
        "{text}"
    );
    assert!(text.contains("it refuses"), "{text}");
    // --reshare: trustee 5 leaves, the key survives with new shares (issue 16).
    assert!(text.contains("Trustee 5 leaves"), "{text}");
    assert!(
        text.contains("the leaver's old share is useless with the new set"),
        "{text}"
    );
    assert!(
        text.contains("new trustees 1, 2 and 3 rebuild the original key"),
        "{text}"
    );
    openssl()
        .args(["dgst", "-sha256", "-verify"])
        .arg(dir.join("escrowed-public.pem"))
        .arg("-signature")
        .arg(dir.join("statement.sig"))
        .arg(dir.join("statement.txt"))
        .assert()
        .failure();
    // The threshold signature (by the signing key, not the escrowed decryption key) is an
    // ordinary signature for openssl.
    openssl()
        .args(["dgst", "-sha256", "-verify"])
        .arg(dir.join("signing-public.pem"))
        .arg("-signature")
        .arg(dir.join("statement.sig"))
        .arg(dir.join("statement.txt"))
        .assert()
        .success();
    // The rebuilt key is a valid key with the original public key.
    openssl()
        .args(["pkey", "-check", "-noout", "-in"])
        .arg(dir.join("rebuilt-key.pem"))
        .assert()
        .success();
    let pubout = |f: &str| {
        openssl()
            .args(["pkey", "-pubout", "-in"])
            .arg(dir.join(f))
            .output()
            .unwrap()
            .stdout
    };
    let pubin = |f: &str| {
        openssl()
            .args(["pkey", "-pubin", "-pubout", "-in"])
            .arg(dir.join(f))
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(pubout("rebuilt-key.pem"), pubin("escrowed-public.pem"));
    // The dealer forgot both keys: their files are gone once the shares are dealt.
    assert!(!dir.join("escrowed-key.pem").exists());
    assert!(!dir.join("signing-key.pem").exists());
    // A trustee opens their share with openssl alone.
    openssl()
        .args(["cms", "-decrypt", "-inform", "PEM", "-in"])
        .arg(dir.join("share-2.pem"))
        .arg("-inkey")
        .arg(dir.join("trustee-2-key.pem"))
        .assert()
        .success();
    openssl()
        .args(["cms", "-decrypt", "-inform", "PEM", "-in"])
        .arg(dir.join("signing-share-4.pem"))
        .arg("-inkey")
        .arg(dir.join("trustee-4-key.pem"))
        .assert()
        .success();
    // The signing key's certificate, signed by partials, is an ordinary self-signed certificate
    // of the signing key (issue 13).
    let cert = dir.join("signing-cert.pem");
    openssl()
        .args(["verify", "-CAfile"])
        .arg(&cert)
        .arg(&cert)
        .assert()
        .success();
    let cert_key = openssl()
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(&cert)
        .output()
        .unwrap()
        .stdout;
    assert_eq!(cert_key, pubin("signing-public.pem"));
    // The CCM policy JAR, signed 3-of-5 under it, passes jarsigner -verify -strict with the
    // certificate as the only trusted entry.
    if !crate::common::require_peers(&["keytool", "jarsigner"]) {
        return;
    }
    let store = w.path("trust.jks");
    std::process::Command::new(crate::common::peer_program("keytool"))
        .args([
            "-importcert",
            "-noprompt",
            "-alias",
            "signer",
            "-storepass",
            "changeit",
            "-keystore",
        ])
        .arg(&store)
        .arg("-file")
        .arg(&cert)
        .output()
        .map(|o| assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr)))
        .unwrap();
    let out = std::process::Command::new(crate::common::peer_program("jarsigner"))
        .args(["-verify", "-strict", "-storepass", "changeit", "-keystore"])
        .arg(&store)
        .arg(dir.join("policy.jar"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("jar verified."),
        "{text}"
    );
}

#[test]
fn demo_refuses_a_directory_that_is_not_empty() {
    let w = Work::new();
    w.write("something", "x");
    kmi()
        .args(["demo", "--dir"])
        .arg(w.dir.path())
        .assert()
        .code(2);
}

#[test]
fn demo_refuses_bits_it_cannot_complete_before_step_1() {
    let w = Work::new();
    let dir = w.path("ceremony");
    for bits in ["512", "751", "100000"] {
        let out = kmi()
            .args(["demo", "--bits", bits, "--dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--bits {bits}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("the demo needs 752 to"), "{err}");
        assert!(out.stdout.is_empty(), "nothing narrated before the refusal");
        assert!(
            !dir.exists(),
            "no directory made for a demo that cannot run"
        );
    }
}

/// `kmi demo --json --seed --time`: one summary envelope on stdout, the narration (with the
/// kmi command behind every step) on stderr, a ceremony log that kmi log verify accepts at the
/// summary's head, and the same files again from the same seed (a repeatable class).
#[test]
fn demo_json_log_commands_and_seed() {
    let w = Work::new();
    let run = |name: &str, extra: &[&str]| {
        let out = kmi()
            .args([
                "demo",
                "--bits",
                "768",
                "--seed",
                "0c1a55",
                "--time",
                "@1700000000",
                "--json",
                "--dir",
            ])
            .arg(w.path(name))
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        (v, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (v, narration) = run("a", &[]);
    assert_eq!(v["version"], 1, "{v:#}");
    assert_eq!(v["ok"], true, "{v:#}");
    assert_eq!(v["seeded"], true, "{v:#}");
    let steps = v["steps"].as_array().unwrap();
    assert!(steps.len() >= 10, "{v:#}");
    for step in steps {
        assert!(
            !step["commands"].as_array().unwrap().is_empty(),
            "a step without its kmi command: {step:#}"
        );
        assert_eq!(step["outcome"], "ok");
    }
    assert!(
        narration.contains("$ kmi share split escrowed-key.pem -k 3 -n 5"),
        "{narration}"
    );
    assert!(narration.contains("$ rm escrowed-key.pem"), "{narration}");
    // The ceremony log, by default inside the directory, ends at the summary's head.
    let log = w.path("a").join("ceremony.log");
    assert_eq!(v["log"], log.display().to_string());
    let head = v["head"].as_str().unwrap();
    kmi()
        .args(["log", "verify", "--head", head])
        .arg(&log)
        .assert()
        .success();
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), steps.len());
    assert!(text.contains("2023-11-14T22:13:20Z"), "--time pins the log");
    // The same seed again (with the log elsewhere): the same keys, shares and certificate.
    let elsewhere = w.path("b.log");
    let (v2, _) = run("b", &["--log", elsewhere.to_str().unwrap()]);
    assert_eq!(v2["log"], elsewhere.display().to_string());
    assert!(!w.path("b").join("ceremony.log").exists());
    for f in [
        "escrowed-public.pem",
        "set.pem",
        "share-3.pem",
        "signing-cert.pem",
        "policy.jar",
        "rebuilt-key.pem",
    ] {
        assert_eq!(
            std::fs::read(w.path("a").join(f)).unwrap(),
            std::fs::read(w.path("b").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn demo_plain_narration_names_the_commands_and_the_log() {
    let w = Work::new();
    let dir = w.path("c");
    let out = kmi()
        .args(["demo", "--bits", "768", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("| kmi encrypt --to escrowed-public.pem"),
        "{text}"
    );
    assert!(text.contains("$ kmi share combine --set set.pem"), "{text}");
    assert!(text.contains("kmi log verify"), "{text}");
    assert!(dir.join("ceremony.log").exists());
}
