//! Issue 10 items 3 and 4 through the binary, beyond the regression corpus (testdata/regress/share):
//! a set's purpose is bound in its id, `--seed` never feeds the envelopes, a seeded set says so,
//! and a ciphertext that happens to look like a signature encoding can still be decrypted blinded.

use std::path::{Path, PathBuf};

use crate::common::*;

fn rsa_key(w: &Work, name: &str, bits: u32, seed: &str) -> PathBuf {
    let bits = bits.to_string();
    kmi_generate(
        w,
        name,
        &["rsa", "--bits", &bits, "--threads", "1", "--seed", seed],
    )
}

fn split(w: &Work, key: &Path, dir: &str, extra: &[&str]) -> std::process::Output {
    output_of(
        kmi()
            .args(["share", "split"])
            .arg(key)
            .args(["-k", "2", "-n", "2", "-o"])
            .arg(w.path(dir))
            .args(extra),
    )
}

/// Old code: `--seed` fed the CMS envelopes too (two seeded runs wrote byte-identical encrypted
/// shares, and the seed plus an encrypted share gave the key); there was no --insecure-fixture and
/// no record of the seed in the set.
#[test]
fn seeded_sets_say_so_and_their_envelopes_use_fresh_randomness() {
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "4a01");
    let p1 = w.write("p1", "first passphrase\n");
    let p2 = w.write("p2", "second passphrase\n");
    let recipients = [
        "--passphrase-file",
        p1.to_str().unwrap(),
        "--passphrase-file",
        p2.to_str().unwrap(),
    ];
    // Refused without --insecure-fixture, nothing written.
    let mut args = vec!["--seed", "01"];
    args.extend(recipients);
    let out = split(&w, &key, "refused", &args);
    assert!(one_line_error(&out, 2).contains("--insecure-fixture"));
    assert!(!w.path("refused").join("set.pem").exists());

    args.push("--insecure-fixture");
    for dir in ["a", "b"] {
        let out = split(&w, &key, dir, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The dealing is the seed's (same set), the envelopes are not.
    let (a, b) = (w.path("a"), w.path("b"));
    assert_eq!(
        std::fs::read(a.join("set.pem")).unwrap(),
        std::fs::read(b.join("set.pem")).unwrap()
    );
    assert_ne!(
        std::fs::read(a.join("share-1.pem")).unwrap(),
        std::fs::read(b.join("share-1.pem")).unwrap(),
        "envelope randomness came from the seed"
    );
    // The seeded flag (BOOLEAN, set field 6) is TRUE and every reader warns.
    let set_der = to_der(&std::fs::read(a.join("set.pem")).unwrap());
    assert_eq!(der_content(&set_der, &[5]), vec![0xff]);
    let out = output_of(
        kmi()
            .args(["share", "verify", "--set"])
            .arg(a.join("set.pem"))
            .arg("--passphrase-file")
            .arg(&p1)
            .arg(a.join("share-1.pem")),
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .filter(|l| l.starts_with("kmi: warning:") && l.contains("--seed"))
            .count()
            >= 2,
        "{err}"
    );
    // An unseeded set has the flag FALSE and no warning.
    let out = split(&w, &key, "unseeded", &["--plain"]);
    assert!(out.status.success());
    let set_der = to_der(&std::fs::read(w.path("unseeded").join("set.pem")).unwrap());
    assert_eq!(der_content(&set_der, &[5]), vec![0x00]);
    let out = output_of(
        kmi()
            .args(["share", "verify", "--set"])
            .arg(w.path("unseeded").join("set.pem"))
            .arg(w.path("unseeded").join("share-1.pem")),
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

/// Old code had no purpose: the same shares signed and decrypted. Now changing the purpose in a
/// set (field 5) changes its id, so the shares no longer belong to it.
#[test]
fn the_purpose_is_bound_in_the_set_id() {
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "4a02");
    let out = split(&w, &key, "sign", &["--plain", "--purpose", "sign"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = w.path("sign");
    let set_der = to_der(&std::fs::read(dir.join("set.pem")).unwrap());
    assert_eq!(der_content(&set_der, &[4]), vec![2], "purpose sign");
    let relabelled = der_replace_content(&set_der, &[4], &[1]);
    let forged = w.write("decrypt-set.pem", pem("KMI SHARE SET", &relabelled));
    let out = output_of(
        kmi()
            .args(["share", "verify", "--set"])
            .arg(&forged)
            .arg(dir.join("share-1.pem")),
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("another set"), "{text}");
    // The share's own copy of the set cannot be relabelled either: its setId no longer matches.
    let share_der = to_der(&std::fs::read(dir.join("share-1.pem")).unwrap());
    let inner = der_replace_content(&share_der, &[4, 4], &[1]);
    let bad_share = w.write("relabelled-share.pem", pem("KMI SHARE", &inner));
    let doc = w.write("doc.txt", "x");
    let ct = w.write("ct.bin", [7u8; 64]);
    let out = output_of(
        kmi()
            .args(["share", "partial", "--share"])
            .arg(&bad_share)
            .arg("--decrypt")
            .arg(&ct)
            .arg("-o")
            .arg(w.path("p.pem")),
    );
    assert!(one_line_error(&out, 2).contains("setId"));
    // The honest share signs and refuses to decrypt.
    let out = output_of(
        kmi()
            .args(["share", "partial", "--share"])
            .arg(dir.join("share-1.pem"))
            .arg("--decrypt")
            .arg(&ct)
            .arg("-o")
            .arg(w.path("p.pem")),
    );
    assert!(one_line_error(&out, 1).contains("purpose is sign"));
    kmi()
        .args(["--quiet", "share", "partial", "--share"])
        .arg(dir.join("share-1.pem"))
        .arg("--sign")
        .arg(&doc)
        .arg("-o")
        .arg(w.path("p.pem"))
        .assert()
        .success();
    // An ElGamal key cannot be dealt to sign.
    let eg = kmi_generate(
        &w,
        "eg.pem",
        &[
            "elgamal",
            "--bits",
            "512",
            "--threads",
            "1",
            "--seed",
            "4a03",
        ],
    );
    let out = split(&w, &eg, "eg", &["--plain", "--purpose", "sign"]);
    assert!(one_line_error(&out, 2).contains("ElGamal"));
}

/// A block that parses as EMSA-PKCS1-v1_5 is refused to an unblinded trustee, but the owner of a
/// genuine ciphertext that happens to look so can still have it decrypted blinded; the trustees'
/// blinded partials then combine as usual. (Old code: the unblinded partial was made.)
#[test]
fn a_signature_shaped_block_is_refused_unblinded_but_can_be_blinded() {
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 768, "4a04");
    let out = split(&w, &key, "s", &["--plain"]);
    assert!(out.status.success());
    let dir = w.path("s");
    let mut block = vec![0x00, 0x01];
    block.extend([0xffu8; 40]);
    block.push(0x00);
    block.extend([0x42u8; 96 - 43]);
    let ct = w.write("block.bin", &block);
    let out = output_of(
        kmi()
            .args(["share", "partial", "--share"])
            .arg(dir.join("share-1.pem"))
            .arg("--decrypt")
            .arg(&ct)
            .arg("-o")
            .arg(w.path("p.pem")),
    );
    assert!(one_line_error(&out, 1).contains("EMSA-PKCS1-v1_5"));
    assert!(!w.path("p.pem").exists());
    kmi()
        .args(["--quiet", "share", "blind", "--set"])
        .arg(dir.join("set.pem"))
        .arg("--decrypt")
        .arg(&ct)
        .arg("-o")
        .arg(w.path("req.pem"))
        .arg("--factor")
        .arg(w.path("factor.pem"))
        .assert()
        .success();
    kmi()
        .args(["--quiet", "share", "partial", "--share"])
        .arg(dir.join("share-1.pem"))
        .arg("--blinded")
        .arg(w.path("req.pem"))
        .arg("-o")
        .arg(w.path("p.pem"))
        .assert()
        .success();
}
