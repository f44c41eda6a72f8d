//! `kmi share blind` + `share partial --blinded` + `share combine --blind` (issue 3, item 4):
//! the trustees work on a blinded value and never see the input, yet the client gets openssl's
//! OAEP plaintext back and the ElGamal payload; a wrong or foreign factor gets exit 1 and writes
//! nothing. Blinded signing is refused (issue 10 item 3: blinding is an x^d oracle).

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

/// `kmi share blind --set SET MODE INPUT -o REQUEST --factor FACTOR`.
fn blind(w: &Work, set: &Path, mode: &str, input: &Path) -> (PathBuf, PathBuf) {
    let (request, factor) = (w.path("request.pem"), w.path("factor.pem"));
    kmi()
        .args(["--quiet", "share", "blind", "--set"])
        .arg(set)
        .arg(mode)
        .arg(input)
        .arg("-o")
        .arg(&request)
        .arg("--factor")
        .arg(&factor)
        .assert()
        .success();
    (request, factor)
}

fn blinded_partials(w: &Work, dir: &Path, request: &Path, indexes: &[u32]) -> Vec<PathBuf> {
    indexes
        .iter()
        .map(|i| {
            let p = w.path(&format!("p{i}.pem"));
            kmi()
                .args(["--quiet", "share", "partial", "--share"])
                .arg(share_file(dir, *i))
                .arg("--blinded")
                .arg(request)
                .arg("-o")
                .arg(&p)
                .assert()
                .success();
            p
        })
        .collect()
}

fn combine_blind(
    set: &Path,
    partials: &[PathBuf],
    mode: &str,
    input: &Path,
    factor: &Path,
    out: &Path,
) -> std::process::Output {
    output_of(
        kmi()
            .args(["--quiet", "share", "combine", "--set"])
            .arg(set)
            .args(partials)
            .arg(mode)
            .arg(input)
            .arg("--factor")
            .arg(factor)
            .arg("-o")
            .arg(out),
    )
}

#[test]
fn blinded_decryption_of_an_openssl_ciphertext() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 768, "b1d1");
    let public = openssl_pubout(&w, &key, "public.pem");
    let dir = split_plain(&w, &key, 2, 3, "shares", &[]);
    let msg = w.write("msg.txt", "the trustees never see this");
    let ct = w.path("ct.bin");
    openssl()
        .args(["pkeyutl", "-encrypt", "-pubin", "-inkey"])
        .arg(&public)
        .args([
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha256",
        ])
        .args(["-pkeyopt", "rsa_mgf1_md:sha256", "-in"])
        .arg(&msg)
        .arg("-out")
        .arg(&ct)
        .assert()
        .success();

    let (request, factor) = blind(&w, &set_file(&dir), "--decrypt", &ct);
    let request_bytes = std::fs::read(&request).unwrap();
    assert_eq!(
        pem_label(&request_bytes).as_deref(),
        Some("KMI BLINDED INPUT")
    );
    assert_eq!(
        pem_label(&std::fs::read(&factor).unwrap()).as_deref(),
        Some("KMI BLINDING FACTOR")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&factor).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the factor is secret");
    // The value the trustees get is not the ciphertext.
    let blinded_value = der_content(&to_der(&request_bytes), &[3]);
    let ct_bytes = std::fs::read(&ct).unwrap();
    assert!(!blinded_value
        .windows(16)
        .any(|w| ct_bytes.windows(16).any(|c| c == w)));

    let partials = blinded_partials(&w, &dir, &request, &[3, 1]);
    let plain = w.path("plain.txt");
    let out = combine_blind(
        &set_file(&dir),
        &partials,
        "--decrypt",
        &ct,
        &factor,
        &plain,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&plain).unwrap(), std::fs::read(&msg).unwrap());

    // Without the factor the same partials are named and skipped: they fit no plain input.
    let out = output_of(
        kmi()
            .args(["share", "combine", "--set"])
            .arg(set_file(&dir))
            .args(&partials)
            .arg("--decrypt")
            .arg(&ct)
            .arg("-o")
            .arg(w.path("nope.txt")),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("inputDigest mismatch"), "{err}");
    assert!(!w.path("nope.txt").exists());
}

/// openssl pkeyutl RSA-OAEP (SHA-256) of `msg` to `public`, written to NAME.
fn oaep(w: &Work, public: &Path, msg: &str, name: &str) -> PathBuf {
    let input = w.write(&format!("{name}.in"), msg);
    let ct = w.path(name);
    openssl()
        .args(["pkeyutl", "-encrypt", "-pubin", "-inkey"])
        .arg(public)
        .args([
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha256",
        ])
        .args(["-pkeyopt", "rsa_mgf1_md:sha256", "-in"])
        .arg(&input)
        .arg("-out")
        .arg(&ct)
        .assert()
        .success();
    ct
}

/// Issue 10 item 3: blinded work is an unrestricted x^d oracle, so it is never offered on a key
/// that signs. A decrypt set refuses to blind a file to sign and refuses a blinded request that
/// says it is a signature; a sign set refuses blinding and blinded partials altogether. Today's
/// code signed blind on any set.
#[test]
fn blinded_signing_is_refused_on_every_set() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 768, "b1d2");
    let public = openssl_pubout(&w, &key, "public.pem");
    let doc = w.write("policy.txt", "signed blind by two of three\n");
    let decrypt = split_plain(&w, &key, 2, 3, "decrypt", &[]);
    let sign = split_plain(&w, &key, 2, 3, "sign", &["--purpose", "sign"]);
    for dir in [&decrypt, &sign] {
        let out = output_of(
            kmi()
                .args(["share", "blind", "--set"])
                .arg(set_file(dir))
                .arg("--sign")
                .arg(&doc)
                .arg("-o")
                .arg(w.path("request.pem"))
                .arg("--factor")
                .arg(w.path("factor.pem")),
        );
        let err = one_line_error(&out, 1);
        assert!(err.contains("purpose"), "{err}");
        assert!(!w.path("request.pem").exists() && !w.path("factor.pem").exists());
    }
    // A sign set refuses to blind a ciphertext, and its trustees refuse blinded requests.
    let ct = oaep(&w, &public, "secret", "ct.bin");
    let out = output_of(
        kmi()
            .args(["share", "blind", "--set"])
            .arg(set_file(&sign))
            .arg("--decrypt")
            .arg(&ct)
            .arg("-o")
            .arg(w.path("request.pem"))
            .arg("--factor")
            .arg(w.path("factor.pem")),
    );
    assert!(one_line_error(&out, 1).contains("purpose is sign"));
    // A blinded request made for the decrypt set, with its setId and operation rewritten to the
    // sign set and "rsaSign": refused by the sign set's trustee and by the decrypt set's.
    let (request, _) = blind(&w, &set_file(&decrypt), "--decrypt", &ct);
    let req = to_der(&std::fs::read(&request).unwrap());
    let sign_set_id = {
        let set_der = to_der(&std::fs::read(set_file(&sign)).unwrap());
        let digest = sha256_hex(&set_der);
        (0..32)
            .map(|i| u8::from_str_radix(&digest[2 * i..2 * i + 2], 16).unwrap())
            .collect::<Vec<u8>>()
    };
    let to_sign_set = der_replace_content(&req, &[1], &sign_set_id);
    let as_signature = der_replace_content(&req, &[2], &[2]);
    for (name, bytes, dir) in [
        ("forged-sign-set.pem", to_sign_set, &sign),
        ("forged-rsa-sign.pem", as_signature, &decrypt),
    ] {
        let f = w.write(name, pem("KMI BLINDED INPUT", &bytes));
        let out = output_of(
            kmi()
                .args(["share", "partial", "--share"])
                .arg(share_file(dir, 1))
                .arg("--blinded")
                .arg(&f)
                .arg("-o")
                .arg(w.path("p.pem")),
        );
        let err = one_line_error(&out, 1);
        assert!(err.contains("sign"), "{name}: {err}");
        assert!(!w.path("p.pem").exists());
    }
}

#[test]
fn a_foreign_blinding_factor_is_refused() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 768, "b1d4");
    let public = openssl_pubout(&w, &key, "public.pem");
    let dir = split_plain(&w, &key, 2, 3, "shares", &[]);
    let ct = oaep(&w, &public, "decrypted blind by 2 of 3", "ct.bin");
    let (request, factor) = blind(&w, &set_file(&dir), "--decrypt", &ct);
    let partials = blinded_partials(&w, &dir, &request, &[2, 3]);

    // The factor of another blinding of the same ciphertext: exit 1, nothing written.
    let other_factor = w.path("factor2.pem");
    kmi()
        .args(["--quiet", "share", "blind", "--set"])
        .arg(set_file(&dir))
        .arg("--decrypt")
        .arg(&ct)
        .arg("-o")
        .arg(w.path("request2.pem"))
        .arg("--factor")
        .arg(&other_factor)
        .assert()
        .success();
    let out2 = w.path("plain2.txt");
    let out = combine_blind(
        &set_file(&dir),
        &partials,
        "--decrypt",
        &ct,
        &other_factor,
        &out2,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("inputDigest mismatch") && err.contains("2 missing"),
        "{err}"
    );
    assert!(!out2.exists());

    // A factor made for another ciphertext is refused before any partial is looked at.
    let other_ct = oaep(&w, &public, "another message", "ct2.bin");
    let out = combine_blind(
        &set_file(&dir),
        &partials,
        "--decrypt",
        &other_ct,
        &factor,
        &out2,
    );
    let err = one_line_error(&out, 1);
    assert!(err.contains("another input"), "{err}");
    let out = combine_blind(&set_file(&dir), &partials, "--decrypt", &ct, &factor, &out2);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&out2).unwrap(), b"decrypted blind by 2 of 3");
}

#[test]
fn blinded_elgamal_decryption() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(
        &w,
        "eg.pem",
        &[
            "elgamal",
            "--bits",
            "512",
            "--threads",
            "1",
            "--seed",
            "b1d3",
        ],
    );
    let public = openssl_pubout(&w, &key, "eg-public.pem");
    let dir = split_plain(&w, &key, 2, 3, "shares", &[]);
    let plain = w.write("payload.bin", "a payload of any size ".repeat(500));
    let ct = w.path("payload.kmi");
    kmi()
        .args(["--quiet", "encrypt", "--to"])
        .arg(&public)
        .arg("-i")
        .arg(&plain)
        .arg("-o")
        .arg(&ct)
        .assert()
        .success();
    let (request, factor) = blind(&w, &set_file(&dir), "--decrypt", &ct);
    let partials = blinded_partials(&w, &dir, &request, &[1, 2]);
    let out_file = w.path("payload.out");
    let out = combine_blind(
        &set_file(&dir),
        &partials,
        "--decrypt",
        &ct,
        &factor,
        &out_file,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&out_file).unwrap(),
        std::fs::read(&plain).unwrap()
    );

    // A trustee of another set refuses the request.
    let key2 = kmi_generate(
        &w,
        "eg2.pem",
        &[
            "elgamal",
            "--bits",
            "512",
            "--threads",
            "1",
            "--seed",
            "b1d4",
        ],
    );
    let dir2 = split_plain(&w, &key2, 2, 3, "shares2", &[]);
    let out = output_of(
        kmi()
            .args(["share", "partial", "--share"])
            .arg(share_file(&dir2, 1))
            .arg("--blinded")
            .arg(&request)
            .arg("-o")
            .arg(w.path("px.pem")),
    );
    let err = one_line_error(&out, 1);
    assert!(err.contains("another share set"), "{err}");
}
