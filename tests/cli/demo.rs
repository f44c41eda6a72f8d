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
    assert_eq!(pubout("rebuilt-key.pem"), pubout("escrowed-key.pem"));
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
    assert_eq!(cert_key, pubout("signing-key.pem"));
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
