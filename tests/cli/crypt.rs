//! `kmi encrypt` / `kmi decrypt` against openssl 3.0 (issue 3): RSA-OAEP-SHA256 both ways with
//! `openssl pkeyutl` (MGF1-SHA-256), the OAEP size limit, and the ElGamal hybrid to kmi's and
//! openssl's own DHX keys. Failures exit 1 (wrong key, changed ciphertext) or 2 (too long) and
//! write nothing.

use std::path::{Path, PathBuf};

use crate::common::*;

const OAEP: [&str; 6] = [
    "-pkeyopt",
    "rsa_padding_mode:oaep",
    "-pkeyopt",
    "rsa_oaep_md:sha256",
    "-pkeyopt",
    "rsa_mgf1_md:sha256",
];

fn rsa768(w: &Work, name: &str, seed: &str) -> PathBuf {
    kmi_generate(
        w,
        name,
        &["rsa", "--bits", "768", "--threads", "1", "--seed", seed],
    )
}

fn kmi_encrypt(to: &Path, input: &Path, out: &Path) -> std::process::Output {
    output_of(
        kmi()
            .args(["--quiet", "encrypt", "--to"])
            .arg(to)
            .arg("-i")
            .arg(input)
            .arg("-o")
            .arg(out),
    )
}

fn kmi_decrypt(key: &Path, input: &Path, out: &Path) -> std::process::Output {
    output_of(
        kmi()
            .args(["--quiet", "decrypt", "--key"])
            .arg(key)
            .arg("-i")
            .arg(input)
            .arg("-o")
            .arg(out),
    )
}

fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "kmi failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn kmi_rsa_oaep_output_decrypts_with_openssl_pkeyutl() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa768(&w, "key.pem", "c0de01");
    let public = openssl_pubout(&w, &key, "public.pem");
    for (i, msg) in [
        &b"hello"[..],
        &[0xffu8; 30][..],
        b"exactly thirty bytes of text.\n",
    ]
    .iter()
    .enumerate()
    {
        let input = w.write(&format!("m{i}"), msg);
        let ct = w.path(&format!("c{i}"));
        ok(&kmi_encrypt(&public, &input, &ct));
        let bytes = std::fs::read(&ct).unwrap();
        assert_eq!(
            bytes.len(),
            96,
            "an RSA-OAEP ciphertext for a 768-bit key is 96 raw bytes"
        );
        let plain = openssl()
            .args(["pkeyutl", "-decrypt", "-inkey"])
            .arg(&key)
            .args(OAEP)
            .arg("-in")
            .arg(&ct)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(plain, *msg, "message {i}");
    }
    // Randomized padding: the same message twice gives two ciphertexts; --to a private key works.
    let input = w.write("same", "same");
    let (a, b) = (w.path("a"), w.path("b"));
    ok(&kmi_encrypt(&public, &input, &a));
    ok(&kmi_encrypt(&key, &input, &b));
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn kmi_decrypt_opens_openssl_pkeyutl_oaep() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa768(&w, "key.pem", "c0de02");
    let public = openssl_pubout(&w, &key, "public.pem");
    let msg = b"from openssl, 30 bytes at most";
    assert_eq!(msg.len(), 30);
    let input = w.write("msg", msg);
    let ct = w.path("ct.bin");
    openssl()
        .args(["pkeyutl", "-encrypt", "-pubin", "-inkey"])
        .arg(&public)
        .args(OAEP)
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&ct)
        .assert()
        .success();
    let out_file = w.path("plain");
    ok(&kmi_decrypt(&key, &ct, &out_file));
    assert_eq!(std::fs::read(&out_file).unwrap(), msg);

    // The wrong key: exit 1, nothing written.
    let other = rsa768(&w, "other.pem", "c0de03");
    let wrong = w.path("wrong-out");
    let err = failed_with(&kmi_decrypt(&other, &ct, &wrong), 1);
    assert!(error_line(&err).contains("ct.bin"), "{err}");
    assert!(!wrong.exists());
    // A changed byte: exit 1, nothing written.
    let mut bytes = std::fs::read(&ct).unwrap();
    bytes[40] ^= 0x10;
    let changed = w.write("changed.bin", &bytes);
    failed_with(&kmi_decrypt(&key, &changed, &wrong), 1);
    assert!(!wrong.exists());
    // PKCS#1 v1.5 padding is not OAEP.
    let v15 = w.path("v15.bin");
    openssl()
        .args(["pkeyutl", "-encrypt", "-pubin", "-inkey"])
        .arg(&public)
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&v15)
        .assert()
        .success();
    failed_with(&kmi_decrypt(&key, &v15, &wrong), 1);
    assert!(!wrong.exists());
}

/// An empty message is a valid OAEP plaintext: openssl pkeyutl encrypts it and kmi decrypt opens
/// openssl's ciphertext, so kmi encrypt must accept it too (and the ElGamal hybrid likewise).
#[test]
fn empty_plaintext_encrypts_like_openssl() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa768(&w, "key.pem", "c0de06");
    let public = openssl_pubout(&w, &key, "public.pem");
    let empty = w.write("empty", b"");
    // openssl -> kmi works.
    let ct = w.path("openssl.bin");
    openssl()
        .args(["pkeyutl", "-encrypt", "-pubin", "-inkey"])
        .arg(&public)
        .args(OAEP)
        .arg("-in")
        .arg(&empty)
        .arg("-out")
        .arg(&ct)
        .assert()
        .success();
    let out_file = w.path("plain");
    ok(&kmi_decrypt(&key, &ct, &out_file));
    assert_eq!(std::fs::read(&out_file).unwrap(), b"");
    // kmi -> openssl.
    let ct = w.path("kmi.bin");
    ok(&kmi_encrypt(&public, &empty, &ct));
    let plain = openssl()
        .args(["pkeyutl", "-decrypt", "-inkey"])
        .arg(&key)
        .args(OAEP)
        .arg("-in")
        .arg(&ct)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(plain.is_empty());
}

#[test]
fn rsa_oaep_refuses_messages_over_the_limit() {
    let w = Work::new();
    let key = rsa768(&w, "key.pem", "c0de04");
    let input = w.write("m31", [7u8; 31]);
    let ct = w.path("ct");
    let err = failed_with(&kmi_encrypt(&key, &input, &ct), 2);
    assert!(
        error_line(&err).contains("30") && error_line(&err).contains("ElGamal"),
        "{err}"
    );
    assert!(!ct.exists());
}

#[test]
fn elgamal_hybrid_round_trip_and_openssl_dhx_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    // kmi's own key (a small seeded group) and an openssl-made X9.42 key on ffdhe2048.
    let kmi_key = kmi_generate(
        &w,
        "eg.pem",
        &[
            "elgamal",
            "--bits",
            "256",
            "--threads",
            "1",
            "--seed",
            "c0de05",
        ],
    );
    let params = w.path("params.pem");
    openssl()
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
        ])
        .arg(&params)
        .assert()
        .success();
    let ossl_key = w.path("dhx.pem");
    openssl()
        .args(["genpkey", "-paramfile"])
        .arg(&params)
        .arg("-out")
        .arg(&ossl_key)
        .assert()
        .success();
    let ossl_public = openssl_pubout(&w, &ossl_key, "dhx-public.pem");
    let kmi_public = w.path("eg-public.pem");
    kmi()
        .args(["--quiet", "key", "public"])
        .arg(&kmi_key)
        .arg("-o")
        .arg(&kmi_public)
        .assert()
        .success();

    let payload: Vec<u8> = (0..200_000u32).map(|i| (i ^ (i >> 8)) as u8).collect();
    let input = w.write("payload", &payload);
    for (name, public, private) in [
        ("kmi", &kmi_public, &kmi_key),
        ("openssl", &ossl_public, &ossl_key),
    ] {
        let ct = w.path(&format!("{name}.kmi"));
        ok(&kmi_encrypt(public, &input, &ct));
        let bytes = std::fs::read(&ct).unwrap();
        assert_eq!(
            pem_label(&bytes).as_deref(),
            Some("KMI ELGAMAL MESSAGE"),
            "{name}"
        );
        let out_file = w.path(&format!("{name}.out"));
        ok(&kmi_decrypt(private, &ct, &out_file));
        assert_eq!(std::fs::read(&out_file).unwrap(), payload, "{name}");

        // One changed byte of the AEAD payload: exit 1, nothing written.
        let mut der = to_der(&bytes);
        let last = der.len() - 20;
        der[last] ^= 0x01;
        let changed = w.write(
            &format!("{name}-changed.kmi"),
            pem("KMI ELGAMAL MESSAGE", &der),
        );
        let bad_out = w.path(&format!("{name}-changed.out"));
        failed_with(&kmi_decrypt(private, &changed, &bad_out), 1);
        assert!(
            !bad_out.exists(),
            "{name}: decrypt of a changed message wrote output"
        );
    }
    // The other key does not open it.
    let ct = w.path("kmi.kmi");
    let bad_out = w.path("cross.out");
    let out = kmi_decrypt(&ossl_key, &ct, &bad_out);
    assert!(
        !out.status.success(),
        "another group's key opened the message"
    );
    assert!(!bad_out.exists());
}
