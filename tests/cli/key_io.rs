//! Key I/O against openssl: kmi reads what `openssl genpkey`/`pkey`/`rsa`/`pkcs8` write (plain and
//! encrypted, PEM and DER), openssl reads what kmi writes, public keys and fingerprints agree
//! byte for byte, passphrase sources work, and output files are written safely.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use num_bigint::BigUint;
use serde_json::Value;

use crate::common::*;

/// Run openssl in `w` with relative file names; assert success.
fn ossl(w: &Work, args: &[&str]) {
    openssl()
        .current_dir(w.dir.path())
        .args(args)
        .assert()
        .success();
}

/// A 512-bit RSA key from `openssl genpkey` in PKCS#8 PEM and the other forms openssl writes.
struct OpensslRsa {
    pkcs8_pem: PathBuf,
    pkcs8_der: PathBuf,
    pkcs1_pem: PathBuf,
    pkcs1_der: PathBuf,
    spki_pem: PathBuf,
    spki_der: PathBuf,
    pkcs1_pub_pem: PathBuf,
}

fn openssl_rsa(w: &Work) -> OpensslRsa {
    ossl(
        w,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:512",
            "-out",
            "o.pem",
        ],
    );
    ossl(
        w,
        &["pkey", "-in", "o.pem", "-outform", "DER", "-out", "o.der"],
    );
    ossl(
        w,
        &["rsa", "-in", "o.pem", "-traditional", "-out", "o1.pem"],
    );
    ossl(
        w,
        &[
            "rsa",
            "-in",
            "o.pem",
            "-traditional",
            "-outform",
            "DER",
            "-out",
            "o1.der",
        ],
    );
    ossl(w, &["pkey", "-in", "o.pem", "-pubout", "-out", "opub.pem"]);
    ossl(
        w,
        &[
            "pkey", "-in", "o.pem", "-pubout", "-outform", "DER", "-out", "opub.der",
        ],
    );
    ossl(
        w,
        &[
            "rsa",
            "-in",
            "o.pem",
            "-RSAPublicKey_out",
            "-out",
            "opub1.pem",
        ],
    );
    let first = std::fs::read_to_string(w.path("o1.pem")).unwrap();
    assert!(
        first.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
        "openssl rsa -traditional wrote:\n{first}"
    );
    OpensslRsa {
        pkcs8_pem: w.path("o.pem"),
        pkcs8_der: w.path("o.der"),
        pkcs1_pem: w.path("o1.pem"),
        pkcs1_der: w.path("o1.der"),
        spki_pem: w.path("opub.pem"),
        spki_der: w.path("opub.der"),
        pkcs1_pub_pem: w.path("opub1.pem"),
    }
}

/// kmi's SubjectPublicKeyInfo of `key` as DER (`kmi key public --der`).
fn kmi_spki(key: &Path, extra: &[&str]) -> Vec<u8> {
    let out = kmi()
        .args(["key", "public", "--der"])
        .args(extra)
        .arg(key)
        .assert()
        .success();
    out.get_output().stdout.clone()
}

/// kmi's fingerprint line of `key`.
fn kmi_fingerprint(key: &Path, extra: &[&str]) -> String {
    stdout_of(kmi().args(["key", "fingerprint"]).args(extra).arg(key))
        .trim_end()
        .to_string()
}

fn inspect_json(key: &Path, extra: &[&str]) -> Value {
    let text = stdout_of(
        kmi()
            .args(["key", "inspect", "--json"])
            .args(extra)
            .arg(key),
    );
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("inspect --json is not JSON ({e}):\n{text}"))
}

fn json_hex(v: &Value, field: &str) -> BigUint {
    big_hex(
        v[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {v}")),
    )
}

#[test]
fn reads_openssl_rsa_keys_in_every_form() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let k = openssl_rsa(&w);
    let spki = openssl_spki(&k.pkcs8_pem, &[]);
    let nums = openssl_key_numbers(&k.pkcs8_pem, &[]);
    let private = [&k.pkcs8_pem, &k.pkcs8_der, &k.pkcs1_pem, &k.pkcs1_der];
    let public = [&k.spki_pem, &k.spki_der, &k.pkcs1_pub_pem];
    for key in private.iter().chain(public.iter()) {
        assert_eq!(
            kmi_spki(key, &[]),
            spki,
            "kmi key public of {} differs from openssl's",
            key.display()
        );
        let j = inspect_json(key, &[]);
        assert_eq!(j["type"], "rsa", "{}", key.display());
        assert_eq!(j["bits"], 512);
        assert_eq!(json_hex(&j, "n"), nums["modulus"], "{}", key.display());
        assert_eq!(j["e"], "65537");
        assert_eq!(j["private"], private.contains(key), "{}", key.display());
    }
    // An openssl-made key is a good key.
    for key in [&k.pkcs8_pem, &k.pkcs1_der, &k.spki_pem] {
        kmi().args(["key", "check"]).arg(key).assert().success();
    }
}

#[test]
fn reads_openssl_x942_dh_keys() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    // Fresh 512-bit parameters with a 160-bit q (a fraction of a second), RFC 5114 group 1
    // (no search) and ffdhe2048 as X9.42 keys.
    ossl(
        &w,
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "dh_paramgen_prime_len:512",
            "-pkeyopt",
            "dh_paramgen_subprime_len:160",
            "-out",
            "params.pem",
        ],
    );
    ossl(
        &w,
        &["genpkey", "-paramfile", "params.pem", "-out", "gen.pem"],
    );
    ossl(
        &w,
        &[
            "genpkey",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "dh_rfc5114:1",
            "-out",
            "rfc5114.pem",
        ],
    );
    ossl(
        &w,
        &[
            "genpkey",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
            "ffdhe.pem",
        ],
    );
    for name in ["gen.pem", "rfc5114.pem", "ffdhe.pem"] {
        let key = w.path(name);
        let spki = openssl_spki(&key, &[]);
        assert_eq!(
            kmi_spki(&key, &[]),
            spki,
            "{name}: kmi key public differs from openssl's"
        );
        let der = w.path(&format!("{name}.der"));
        ossl(
            &w,
            &[
                "pkey",
                "-in",
                name,
                "-outform",
                "DER",
                "-out",
                der.to_str().unwrap(),
            ],
        );
        let pubfile = w.write(&format!("{name}.pub.pem"), pem("PUBLIC KEY", &spki));
        assert_eq!(kmi_spki(&der, &[]), spki, "{name} as DER");
        assert_eq!(kmi_spki(&pubfile, &[]), spki, "{name} public");
        let j = inspect_json(&key, &[]);
        assert_eq!(j["type"], "elgamal", "{name}");
        assert_eq!(j["private"], true);
        let ints = asn1_integers(&spki); // p, g, q of the SPKI's parameters
        assert_eq!(json_hex(&j, "p"), ints[0], "{name} p");
        assert_eq!(json_hex(&j, "g"), ints[1], "{name} g");
        assert_eq!(json_hex(&j, "q"), ints[2], "{name} q");
        let y = openssl_key_numbers(&key, &[])["public-key"].clone();
        assert_eq!(json_hex(&j, "y"), y, "{name} y");
        kmi().args(["key", "check"]).arg(&key).assert().success();
        kmi()
            .args(["key", "check"])
            .arg(&pubfile)
            .assert()
            .success();
    }
    assert_eq!(
        inspect_json(&w.path("ffdhe.pem"), &[])["group"],
        "ffdhe2048"
    );
}

#[test]
fn reads_keys_openssl_encrypted_with_pbkdf2_and_scrypt() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let k = openssl_rsa(&w);
    let pass = passphrase_file(&w);
    let passin = format!("file:{}", pass.display());
    let spki = openssl_spki(&k.pkcs8_pem, &[]);
    let variants: [(&str, &[&str]); 4] = [
        ("pbkdf2.pem", &["-v2", "aes-256-cbc"]),
        ("pbkdf2.der", &["-v2", "aes-256-cbc", "-outform", "DER"]),
        ("scrypt.pem", &["-scrypt"]),
        ("scrypt.der", &["-scrypt", "-outform", "DER"]),
    ];
    for (name, opts) in variants {
        let mut args = vec![
            "pkcs8", "-topk8", "-in", "o.pem", "-passout", &passin, "-out", name,
        ];
        args.extend_from_slice(opts);
        ossl(&w, &args);
        let key = w.path(name);
        let got = kmi_spki(&key, &["--passphrase-file", pass.to_str().unwrap()]);
        assert_eq!(got, spki, "{name}: kmi read a different key");
        let j = inspect_json(&key, &["--passphrase-file", pass.to_str().unwrap()]);
        assert_eq!(j["private"], true);
    }
    // An encrypted ElGamal key too.
    ossl(
        &w,
        &[
            "genpkey",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "dh_rfc5114:1",
            "-out",
            "dh.pem",
        ],
    );
    ossl(
        &w,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "dh.pem",
            "-v2",
            "aes-256-cbc",
            "-passout",
            &passin,
            "-out",
            "dh-enc.pem",
        ],
    );
    assert_eq!(
        kmi_spki(
            &w.path("dh-enc.pem"),
            &["--passphrase-file", pass.to_str().unwrap()]
        ),
        openssl_spki(&w.path("dh.pem"), &[])
    );
}

/// What openssl asn1parse shows of an encrypted key's algorithm identifiers.
fn asn1_dump(der: &[u8]) -> String {
    stdout_of(
        openssl()
            .args(["asn1parse", "-inform", "DER"])
            .write_stdin(der.to_vec()),
    )
}

#[test]
fn openssl_reads_kmi_encrypted_keys() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let pass = passphrase_file(&w);
    let p = pass.to_str().unwrap();
    let passin = format!("file:{p}");
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "rsa-pbkdf2.pem",
            &[
                "rsa",
                "--bits",
                "256",
                "--seed",
                "e1",
                "--threads",
                "1",
                "--kdf",
                "pbkdf2",
            ],
            "PBKDF2",
        ),
        (
            "rsa-scrypt.pem",
            &[
                "rsa",
                "--bits",
                "256",
                "--seed",
                "e1",
                "--threads",
                "1",
                "--kdf",
                "scrypt",
            ],
            "scrypt",
        ),
        (
            "rsa-pbkdf2.der",
            &[
                "rsa",
                "--bits",
                "256",
                "--seed",
                "e1",
                "--threads",
                "1",
                "--der",
            ],
            "PBKDF2",
        ),
        (
            "eg-pbkdf2.pem",
            &["elgamal", "--group", "ffdhe2048"],
            "PBKDF2",
        ),
        (
            "eg-scrypt.pem",
            &[
                "elgamal",
                "--bits",
                "512",
                "--q-bits",
                "64",
                "--seed",
                "e1",
                "--threads",
                "1",
                "--kdf",
                "scrypt",
            ],
            "scrypt",
        ),
    ];
    for (name, args, kdf) in cases {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--encrypt", "--passphrase-file", p]);
        let key = kmi_generate(&w, name, &a);
        let bytes = std::fs::read(&key).unwrap();
        let der_in: &[&str] = if name.ends_with(".der") {
            &["-inform", "DER"]
        } else {
            &[]
        };
        if der_in.is_empty() {
            assert!(
                bytes.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
                "{name}"
            );
        }
        let dump = asn1_dump(&to_der(&bytes));
        for oid in ["PBES2", kdf, "aes-256-cbc"] {
            assert!(dump.contains(oid), "{name}: no {oid} in\n{dump}");
        }
        if kdf == "PBKDF2" {
            assert!(
                dump.contains("hmacWithSHA256"),
                "{name}: PBKDF2 must use HMAC-SHA256:\n{dump}"
            );
        }
        let mut extra = der_in.to_vec();
        extra.extend_from_slice(&["-passin", &passin]);
        assert_openssl_check(&key, &extra);
        // openssl and kmi agree on the public key inside.
        assert_eq!(
            openssl_spki(&key, &extra),
            kmi_spki(&key, &["--passphrase-file", p]),
            "{name}"
        );
    }
}

#[test]
fn passphrase_fd_reads_a_pipe() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let pass = passphrase_file(&w);
    let line = format!("{PASSPHRASE}\n");
    let os = |s: &'static str| OsStr::new(s);
    let gen = [
        os("--quiet"),
        os("key"),
        os("generate"),
        os("rsa"),
        os("--bits"),
        os("256"),
        os("--seed"),
        os("fd"),
        os("--threads"),
        os("1"),
        os("--encrypt"),
        os("--passphrase-fd"),
        os("3"),
        os("-o"),
        os("fd.pem"),
    ];
    let out = kmi_with_fd3(&gen, line.as_bytes(), w.dir.path());
    assert!(
        out.status.success(),
        "generate with --passphrase-fd 3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = w.path("fd.pem");
    assert_openssl_check(&key, &["-passin", &format!("file:{}", pass.display())]);

    let public = [
        os("key"),
        os("public"),
        os("--der"),
        os("--passphrase-fd"),
        os("3"),
        os("fd.pem"),
    ];
    let out = kmi_with_fd3(&public, line.as_bytes(), w.dir.path());
    assert!(
        out.status.success(),
        "public with --passphrase-fd 3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout,
        openssl_spki(&key, &["-passin", &format!("file:{}", pass.display())])
    );

    // A wrong passphrase through the descriptor is refused like any other.
    let out = kmi_with_fd3(&public, b"not it\n", w.dir.path());
    let line = one_line_error(&out, 2);
    assert!(
        line.contains("fd.pem") && line.contains("wrong passphrase"),
        "{line}"
    );

    // A descriptor that is not open is a usage error.
    let out = output_of(kmi().current_dir(w.dir.path()).args([
        "key",
        "public",
        "--passphrase-fd",
        "9",
        "fd.pem",
    ]));
    let line = one_line_error(&out, 2);
    assert!(line.contains("descriptor 9"), "{line}");
}

#[test]
fn wrong_passphrase_is_one_line_exit_2() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let pass = passphrase_file(&w);
    let key = kmi_generate(
        &w,
        "enc.pem",
        &[
            "elgamal",
            "--group",
            "ffdhe2048",
            "--encrypt",
            "--kdf",
            "scrypt",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    let wrong = w.write("wrong.txt", "Tr0ub4dor&3\n");
    for cmd in ["public", "inspect", "fingerprint", "check"] {
        let out = output_of(
            kmi()
                .args(["key", cmd, "--passphrase-file"])
                .arg(&wrong)
                .arg(&key),
        );
        let line = one_line_error(&out, 2);
        assert!(
            line.contains(key.to_str().unwrap()),
            "{cmd}: message must name the file: {line}"
        );
        assert!(line.contains("wrong passphrase"), "{cmd}: {line}");
        assert!(out.stdout.is_empty(), "{cmd} printed something");
    }
    // And for a key openssl encrypted.
    ossl(
        &w,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:512",
            "-out",
            "o.pem",
        ],
    );
    ossl(
        &w,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "o.pem",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:other",
            "-out",
            "oenc.pem",
        ],
    );
    let out = output_of(
        kmi()
            .args(["key", "public", "--passphrase-file"])
            .arg(&pass)
            .arg(w.path("oenc.pem")),
    );
    assert!(one_line_error(&out, 2).contains("oenc.pem"));
}

#[test]
fn batch_mode_without_a_passphrase_source_fails_naming_the_options() {
    let w = Work::new();
    let pass = passphrase_file(&w);
    let key = kmi_generate(
        &w,
        "enc.pem",
        &[
            "elgamal",
            "--group",
            "ffdhe2048",
            "--encrypt",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    for cmd in ["public", "inspect", "fingerprint", "check"] {
        let out = output_of(kmi().args(["--batch", "key", cmd]).arg(&key));
        let line = one_line_error(&out, 2);
        assert!(line.contains("--key-passphrase-file"), "{cmd}: {line}");
    }
    // Generating an encrypted key in batch mode without a source fails before any output.
    let out = output_of(
        kmi()
            .args([
                "--batch",
                "key",
                "generate",
                "elgamal",
                "--group",
                "ffdhe2048",
                "--encrypt",
                "-o",
            ])
            .arg(w.path("new.pem")),
    );
    assert!(one_line_error(&out, 2).contains("--new-passphrase-file"));
    assert!(!w.path("new.pem").exists());
    // An unencrypted key needs no passphrase, batch or not.
    let plain = kmi_generate(&w, "plain.pem", &["elgamal", "--group", "ffdhe2048"]);
    kmi()
        .args(["--batch", "key", "public"])
        .arg(&plain)
        .assert()
        .success();
}

#[test]
fn public_key_equals_openssl_pubout_for_kmi_keys() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let keys = [
        kmi_generate(
            &w,
            "rsa.pem",
            &["rsa", "--bits", "512", "--seed", "9b", "--threads", "2"],
        ),
        kmi_generate(
            &w,
            "eg.pem",
            &["elgamal", "--bits", "512", "--seed", "9b", "--threads", "2"],
        ),
        kmi_generate(
            &w,
            "dsa.der",
            &[
                "elgamal",
                "--bits",
                "512",
                "--q-bits",
                "64",
                "--seed",
                "9b",
                "--threads",
                "2",
                "--der",
            ],
        ),
        kmi_generate(&w, "ff.pem", &["elgamal", "--group", "ffdhe2048"]),
    ];
    for key in &keys {
        let inform: &[&str] = if key.extension().unwrap() == "der" {
            &["-inform", "DER"]
        } else {
            &[]
        };
        let theirs = openssl_spki(key, inform);
        assert_eq!(kmi_spki(key, &[]), theirs, "{}: --der", key.display());
        let pem_out = stdout_of(kmi().args(["key", "public"]).arg(key));
        assert!(
            pem_out.starts_with("-----BEGIN PUBLIC KEY-----\n"),
            "{pem_out}"
        );
        assert_eq!(to_der(pem_out.as_bytes()), theirs, "{}: PEM", key.display());
        // openssl reads kmi's public key file and writes it back unchanged.
        let pubfile = w.path("pub.pem");
        kmi()
            .args(["key", "public", "--force", "-o"])
            .arg(&pubfile)
            .arg(key)
            .assert()
            .success();
        assert_eq!(openssl_spki(&pubfile, &["-pubin"]), theirs);
        // The public key of the public key is itself.
        assert_eq!(kmi_spki(&pubfile, &[]), theirs);
    }
}

#[test]
fn fingerprint_is_sha256_of_openssls_spki() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let o = openssl_rsa(&w);
    ossl(
        &w,
        &[
            "genpkey",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "dh_rfc5114:1",
            "-out",
            "dh.pem",
        ],
    );
    let keys = [
        kmi_generate(
            &w,
            "rsa.pem",
            &["rsa", "--bits", "256", "--seed", "f1", "--threads", "1"],
        ),
        kmi_generate(&w, "eg.pem", &["elgamal", "--group", "ffdhe2048"]),
        o.pkcs8_pem.clone(),
        o.spki_der.clone(),
        w.path("dh.pem"),
    ];
    for key in &keys {
        let pubin: &[&str] = if key == &o.spki_der {
            &["-pubin", "-inform", "DER"]
        } else {
            &[]
        };
        let want = sha256_hex(&openssl_spki(key, pubin));
        let full = kmi_fingerprint(key, &[]);
        let groups: Vec<&str> = full.split(' ').collect();
        assert_eq!(groups.len(), 16, "64 hex digits in groups of four: {full}");
        assert!(groups.iter().all(|g| g.len() == 4), "{full}");
        assert_eq!(full.replace(' ', ""), want, "{}", key.display());
        assert_eq!(kmi_fingerprint(key, &["--digits", "64"]), full);
        let d16 = kmi_fingerprint(key, &["--digits", "16"]);
        assert_eq!(
            d16.replace(' ', ""),
            want[..16],
            "--digits 16 of {}",
            key.display()
        );
        assert_eq!(d16.split(' ').count(), 4, "{d16}");
        assert_eq!(
            kmi_fingerprint(key, &["--digits", "32"]).replace(' ', ""),
            want[..32]
        );
    }
    // The summary line of generate shows the same fingerprint.
    let out = kmi()
        .args([
            "key",
            "generate",
            "rsa",
            "--bits",
            "256",
            "--seed",
            "f1",
            "--threads",
            "1",
            "-o",
        ])
        .arg(w.path("again.pem"))
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains(&kmi_fingerprint(&keys[0], &[])), "{err}");
    // Other digit counts are refused.
    let out = output_of(
        kmi()
            .args(["key", "fingerprint", "--digits", "20"])
            .arg(&keys[0]),
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn existing_output_is_kept_without_force_and_replaced_with_it() {
    let w = Work::new();
    let src = kmi_generate(&w, "src.pem", &["elgamal", "--group", "ffdhe2048"]);
    let target = w.write("target.pem", "precious\n");
    let runs: [Vec<&OsStr>; 3] = [
        vec![
            "key".as_ref(),
            "public".as_ref(),
            src.as_os_str(),
            "-o".as_ref(),
            target.as_os_str(),
        ],
        vec![
            "key".as_ref(),
            "generate".as_ref(),
            "elgamal".as_ref(),
            "--group".as_ref(),
            "ffdhe2048".as_ref(),
            "-o".as_ref(),
            target.as_os_str(),
        ],
        vec![
            "key".as_ref(),
            "generate".as_ref(),
            "rsa".as_ref(),
            "--bits".as_ref(),
            "256".as_ref(),
            "--threads".as_ref(),
            "1".as_ref(),
            "-o".as_ref(),
            target.as_os_str(),
        ],
    ];
    for args in &runs {
        let out = output_of(kmi().args(args));
        assert!(!out.status.success(), "{args:?} overwrote an existing file");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_no_panic(&err);
        let last = err.lines().last().unwrap_or("");
        assert!(
            last.starts_with("kmi: ") && last.contains("target.pem") && last.contains("--force"),
            "{err}"
        );
        assert_eq!(
            w.read("target.pem"),
            b"precious\n",
            "{args:?} changed the file"
        );
        assert_eq!(
            w.files(),
            vec!["src.pem".to_string(), "target.pem".to_string()],
            "{args:?} left files"
        );
    }
    for args in &runs {
        let mut a = args.clone();
        a.push("--force".as_ref());
        kmi().arg("--quiet").args(&a).assert().success();
        let now = w.read("target.pem");
        assert_ne!(now, b"precious\n");
        assert!(now.starts_with(b"-----BEGIN "), "{args:?}");
        w.write("target.pem", "precious\n");
    }
    assert_eq!(
        w.files(),
        vec!["src.pem".to_string(), "target.pem".to_string()]
    );
}

#[test]
fn failed_runs_leave_no_output_and_no_temporary_files() {
    let w = Work::new();
    let out_dir = w.path("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("key.pem");
    let t = target.to_str().unwrap();
    let empty_pass = w.write("empty-pass.txt", "\n");
    let e = empty_pass.to_str().unwrap();
    let failing: [&[&str]; 12] = [
        &["generate", "rsa", "--bits", "256", "--e", "4", "-o", t],
        &["generate", "rsa", "--bits", "256", "--e", "1", "-o", t],
        &["generate", "rsa", "--bits", "256", "--e", "banana", "-o", t],
        &["generate", "rsa", "--bits", "32", "-o", t],
        &[
            "generate",
            "rsa",
            "--bits",
            "256",
            "--e",
            "0x100000000000000000000000000000001",
            "-o",
            t,
        ],
        &["generate", "rsa", "--bits", "256", "--seed", "zz", "-o", t],
        &[
            "generate", "elgamal", "--bits", "256", "--q-bits", "8", "-o", t,
        ],
        &["generate", "elgamal", "--bits", "16", "-o", t],
        &[
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "--encrypt",
            "--passphrase-file",
            "/nonexistent/pass",
            "-o",
            t,
        ],
        &[
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "--passphrase-file",
            "/nonexistent/pass",
            "-o",
            t,
        ],
        &[
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "--encrypt",
            "--passphrase-file",
            e,
            "-o",
            t,
        ],
        &[
            "generate",
            "rsa",
            "--bits",
            "256",
            "--encrypt",
            "--passphrase-file",
            e,
            "-o",
            t,
        ],
    ];
    for args in failing {
        let out = output_of(kmi().arg("key").args(args));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: want exit 2, stderr:\n{err}"
        );
        assert_no_panic(&err);
        assert!(
            err.lines().last().unwrap_or("").starts_with("kmi: "),
            "{args:?}: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{args:?} left {left:?} behind");
    }
    // A failure while writing (the target is a directory) cleans up its temporary file.
    let dir_target = out_dir.join("taken");
    std::fs::create_dir(&dir_target).unwrap();
    let out = output_of(
        kmi()
            .args([
                "key",
                "generate",
                "elgamal",
                "--group",
                "ffdhe2048",
                "--force",
                "-o",
            ])
            .arg(&dir_target),
    );
    assert!(!out.status.success(), "writing over a directory succeeded");
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
    let left: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        vec!["taken".to_string()],
        "a temporary file was left behind"
    );
    // A missing output directory is refused before anything is written.
    let out = output_of(
        kmi()
            .args(["key", "generate", "elgamal", "--group", "ffdhe2048", "-o"])
            .arg(w.path("missing/key.pem")),
    );
    assert!(!out.status.success());
    assert!(!w.path("missing").exists());
}

#[test]
fn dash_reads_standard_input() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let o = openssl_rsa(&w);
    let spki = openssl_spki(&o.pkcs8_pem, &[]);
    for file in [&o.pkcs8_pem, &o.pkcs8_der, &o.spki_pem] {
        let bytes = std::fs::read(file).unwrap();
        let out = kmi()
            .args(["key", "public", "--der", "-"])
            .write_stdin(bytes.clone())
            .assert()
            .success();
        assert_eq!(out.get_output().stdout, spki, "{} on stdin", file.display());
        let fp = stdout_of(
            kmi()
                .args(["key", "fingerprint", "-"])
                .write_stdin(bytes.clone()),
        );
        assert_eq!(fp.trim().replace(' ', ""), sha256_hex(&spki));
        kmi()
            .args(["key", "check", "-"])
            .write_stdin(bytes)
            .assert()
            .success();
    }
    // An encrypted key on stdin with the passphrase from a file.
    let pass = passphrase_file(&w);
    ossl(
        &w,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "o.pem",
            "-v2",
            "aes-256-cbc",
            "-passout",
            &format!("file:{}", pass.display()),
            "-out",
            "enc.pem",
        ],
    );
    let out = kmi()
        .args(["key", "public", "--der", "--passphrase-file"])
        .arg(&pass)
        .arg("-")
        .write_stdin(w.read("enc.pem"))
        .assert()
        .success();
    assert_eq!(out.get_output().stdout, spki);
}

/// `openssl genpkey -text` writes the PEM followed by a text dump of the key into the same file,
/// and RFC 7468 section 2 says data around the encapsulation boundaries is permitted and parsers
/// must not malfunction on it. openssl reads all of these; so must kmi.
#[test]
fn reads_pem_with_surrounding_text_and_crlf() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    ossl(
        &w,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:512",
            "-text",
            "-out",
            "text.pem",
        ],
    );
    let with_dump = w.path("text.pem");
    let spki = openssl_spki(&with_dump, &[]);
    let pem_only = String::from_utf8(w.read("text.pem")).unwrap();
    let end =
        pem_only.find("-----END PRIVATE KEY-----\n").unwrap() + "-----END PRIVATE KEY-----\n".len();
    assert!(
        pem_only.len() > end,
        "openssl genpkey -text wrote no text dump after the PEM"
    );
    let pem_only = &pem_only[..end];
    let crlf = w.write("crlf.pem", pem_only.replace('\n', "\r\n"));
    let before = w.write(
        "before.pem",
        format!("Key for the test ceremony\nSubject: kmi\n{pem_only}"),
    );
    // CRLF line ends are read.
    assert_eq!(kmi_spki(&crlf, &[]), spki, "CRLF PEM");
    for key in [&with_dump, &before] {
        assert_eq!(
            openssl_spki(key, &[]),
            spki,
            "openssl reads {}",
            key.display()
        );
        let out = output_of(kmi().args(["key", "public", "--der"]).arg(key));
        assert!(
            out.status.success(),
            "kmi cannot read {} (openssl can): {}",
            key.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, spki, "{}", key.display());
    }
}
