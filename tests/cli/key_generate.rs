//! `kmi key generate rsa|elgamal` against openssl: the keys openssl checks, the numbers openssl
//! sees in them (and `openssl prime` confirms), seeding and threads, and how the output is written.
//! Sizes stay small (RSA 256-512 bits, ElGamal 256-512 bits or ffdhe2048) so the suite is fast.

use std::os::unix::fs::PermissionsExt;

use num_bigint::BigUint;
use num_traits::{One, Zero};

use crate::common::*;

/// RSA numbers as openssl reads them from a kmi key.
fn rsa_numbers(key: &std::path::Path, extra: &[&str]) -> (BigUint, BigUint, BigUint, BigUint) {
    let nums = openssl_key_numbers(key, extra);
    let get = |k: &str| {
        nums.get(k)
            .cloned()
            .unwrap_or_else(|| panic!("openssl -text has no {k}: {nums:?}"))
    };
    (
        get("modulus"),
        get("publicExponent"),
        get("prime1"),
        get("prime2"),
    )
}

/// (p, q, g, y, x) of an X9.42 key as openssl reads them.
fn dh_numbers(key: &std::path::Path) -> (BigUint, BigUint, BigUint, BigUint, BigUint) {
    let nums = openssl_key_numbers(key, &[]);
    let get = |k: &str| {
        nums.get(k)
            .cloned()
            .unwrap_or_else(|| panic!("openssl -text has no {k}: {nums:?}"))
    };
    (
        get("P"),
        get("Q"),
        get("G"),
        get("public-key"),
        get("private-key"),
    )
}

fn half(x: &BigUint) -> BigUint {
    (x - 1u32) >> 1usize
}

#[test]
fn rsa_safe_prime_keys_pass_openssl_check_with_exact_size_and_safe_primes() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    for (i, bits) in [256usize, 257, 300, 383, 512].into_iter().enumerate() {
        let seed = format!("5afe{i:02x}");
        let key = kmi_generate(
            &w,
            &format!("rsa{bits}.pem"),
            &[
                "rsa",
                "--bits",
                &bits.to_string(),
                "--seed",
                &seed,
                "--threads",
                "2",
            ],
        );
        assert_openssl_check(&key, &[]);
        let (n, e, p, q) = rsa_numbers(&key, &[]);
        assert_eq!(
            n.bits(),
            bits as u64,
            "N of a --bits {bits} key has {} bits",
            n.bits()
        );
        assert_eq!(&p * &q, n, "p * q = N ({bits} bits)");
        assert_eq!(e, BigUint::from(65537u32), "default e");
        assert_ne!(p, q);
        let (hp, hq) = (half(&p), half(&q));
        assert_eq!(
            openssl_says_prime(&[&p, &q, &hp, &hq]),
            vec![true; 4],
            "openssl prime: p, q, (p-1)/2, (q-1)/2 of the {bits}-bit key must all be prime"
        );
        let j: serde_json::Value = serde_json::from_str(&stdout_of(
            kmi().args(["key", "inspect", "--json"]).arg(&key),
        ))
        .unwrap();
        assert_eq!(j["bits"], bits, "inspect --json bits");
        assert_eq!(
            j["safe_primes"], true,
            "inspect --json says the primes are not safe: {j}"
        );
    }
}

#[test]
fn rsa_no_safe_gives_an_ordinary_valid_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(
        &w,
        "plain.pem",
        &[
            "rsa",
            "--bits",
            "512",
            "--no-safe",
            "--seed",
            "0a5e",
            "--threads",
            "2",
        ],
    );
    assert_openssl_check(&key, &[]);
    let (n, _, p, q) = rsa_numbers(&key, &[]);
    assert_eq!(n.bits(), 512);
    assert_eq!(&p * &q, n);
    let (hp, hq) = (half(&p), half(&q));
    let verdict = openssl_says_prime(&[&p, &q, &hp, &hq]);
    assert_eq!(&verdict[..2], &[true, true], "p and q are prime");
    // Safe primes are not required; with this fixed seed they are not both safe, which shows the
    // ordinary search was used (and key check --require-safe has something to reject).
    assert!(
        !(verdict[2] && verdict[3]),
        "--no-safe key unexpectedly has two safe primes"
    );
    let j: serde_json::Value = serde_json::from_str(&stdout_of(
        kmi().args(["key", "inspect", "--json"]).arg(&key),
    ))
    .unwrap();
    assert_eq!(j["safe_primes"], false, "{j}");
}

#[test]
fn rsa_public_exponent_is_honoured() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(
        &w,
        "e3.pem",
        &[
            "rsa",
            "--bits",
            "256",
            "--e",
            "3",
            "--seed",
            "e3",
            "--threads",
            "1",
        ],
    );
    assert_openssl_check(&key, &[]);
    let (n, e, p, q) = rsa_numbers(&key, &[]);
    assert_eq!(e, BigUint::from(3u32));
    assert_eq!(n.bits(), 256);
    // e = 3 must be invertible: neither p-1 nor q-1 is divisible by 3.
    assert!(!((&p - 1u32) % 3u32).is_zero() && !((&q - 1u32) % 3u32).is_zero());

    let key = kmi_generate(
        &w,
        "ehex.pem",
        &[
            "rsa",
            "--bits",
            "256",
            "--e",
            "0x11",
            "--seed",
            "e3",
            "--threads",
            "1",
        ],
    );
    assert_openssl_check(&key, &[]);
    assert_eq!(rsa_numbers(&key, &[]).1, BigUint::from(17u32));
}

#[test]
fn elgamal_safe_prime_group_passes_openssl_check() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(
        &w,
        "eg.pem",
        &["elgamal", "--bits", "512", "--seed", "e1", "--threads", "2"],
    );
    assert_openssl_check(&key, &[]);
    let (p, q, g, y, x) = dh_numbers(&key);
    let one = BigUint::one();
    assert_eq!(p.bits(), 512);
    assert_eq!(
        p,
        (&q << 1usize) + 1u32,
        "default group is a safe prime p = 2q + 1"
    );
    assert!(((&p - 1u32) % &q).is_zero(), "q | p - 1");
    assert!(g > one && g < p);
    assert_eq!(g.modpow(&q, &p), one, "g^q = 1 mod p");
    assert_eq!(y.modpow(&q, &p), one, "y^q = 1 mod p");
    assert!(!x.is_zero() && x < q, "0 < x < q");
    assert_eq!(g.modpow(&x, &p), y, "y = g^x");
    assert_eq!(openssl_says_prime(&[&p, &q]), vec![true, true]);
}

#[test]
fn elgamal_dsa_style_group_with_q_bits() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(
        &w,
        "dsa.pem",
        &[
            "elgamal",
            "--bits",
            "512",
            "--q-bits",
            "64",
            "--seed",
            "d5a0",
            "--threads",
            "2",
        ],
    );
    assert_openssl_check(&key, &[]);
    let (p, q, g, y, x) = dh_numbers(&key);
    let one = BigUint::one();
    assert_eq!(p.bits(), 512);
    assert_eq!(q.bits(), 64, "--q-bits 64");
    assert!(((&p - 1u32) % &q).is_zero(), "q | p - 1");
    assert!(g > one && g < p, "g in (1, p)");
    assert_eq!(g.modpow(&q, &p), one, "g^q = 1 mod p");
    assert_eq!(y.modpow(&q, &p), one, "y^q = 1 mod p");
    assert_eq!(g.modpow(&x, &p), y);
    assert_eq!(openssl_says_prime(&[&p, &q]), vec![true, true]);
}

#[test]
fn elgamal_ffdhe2048_is_openssls_group() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(&w, "ff.pem", &["elgamal", "--group", "ffdhe2048"]);
    assert_openssl_check(&key, &[]);
    // openssl's own ffdhe2048 as X9.42 parameters: SEQUENCE { p, g, q }.
    let params = openssl()
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "group:ffdhe2048",
            "-outform",
            "DER",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let theirs = asn1_integers(&to_der(&params));
    assert_eq!(theirs.len(), 3, "openssl ffdhe2048 parameters p, g, q");
    // kmi's key: PrivateKeyInfo { version, { oid, { p, g, q } }, ... }.
    let ours = asn1_integers(&to_der(&w.read("ff.pem")));
    assert_eq!(
        &ours[1..4],
        &theirs[..],
        "kmi's ffdhe2048 (p, g, q) equals openssl's"
    );
    let (p, q) = (&theirs[0], &theirs[2]);
    let y = openssl_key_numbers(&key, &[])["public-key"].clone();
    assert_eq!(p.bits(), 2048);
    assert!(((p - 1u32) % q).is_zero());
    assert_eq!(y.modpow(q, p), BigUint::one(), "y^q = 1 mod p");
    // openssl recognises the group by name.
    let text = stdout_of(openssl().args(["pkey", "-text", "-noout", "-in"]).arg(&key));
    assert!(
        text.contains("GROUP: ffdhe2048"),
        "openssl names the group:\n{text}"
    );
}

#[test]
fn seeded_runs_are_identical_across_thread_counts() {
    let w = Work::new();
    let cases: [(&str, &[&str]); 3] = [
        ("rsa", &["rsa", "--bits", "512", "--seed", "c0ffee"]),
        ("eg", &["elgamal", "--bits", "256", "--seed", "c0ffee"]),
        (
            "dsa",
            &[
                "elgamal", "--bits", "384", "--q-bits", "64", "--seed", "c0ffee",
            ],
        ),
    ];
    for (name, args) in cases {
        let mut outs = Vec::new();
        for threads in ["1", "2", "2"] {
            let out = kmi()
                .arg("--quiet")
                .arg("key")
                .arg("generate")
                .args(args)
                .args(["--threads", threads, "-o", "-"])
                .assert()
                .success();
            outs.push(out.get_output().stdout.clone());
        }
        assert!(
            outs[0].starts_with(b"-----BEGIN PRIVATE KEY-----"),
            "{name}"
        );
        assert_eq!(
            outs[0], outs[1],
            "{name}: --threads 1 and --threads 2 give different keys for one seed"
        );
        assert_eq!(
            outs[1], outs[2],
            "{name}: two --threads 2 runs with one seed differ"
        );
    }
    // A different seed gives a different key.
    let other = stdout_of(kmi().args([
        "--quiet",
        "key",
        "generate",
        "rsa",
        "--bits",
        "512",
        "--seed",
        "c0ffef",
        "--threads",
        "2",
    ]));
    let first = stdout_of(kmi().args([
        "--quiet",
        "key",
        "generate",
        "rsa",
        "--bits",
        "512",
        "--seed",
        "c0ffee",
        "--threads",
        "2",
    ]));
    assert_ne!(other, first);
    let _ = w;
}

#[test]
fn unseeded_runs_differ_and_do_not_warn() {
    let cases: [&[&str]; 3] = [
        &["rsa", "--bits", "256", "--threads", "2"],
        &["elgamal", "--bits", "256", "--threads", "2"],
        &["elgamal", "--group", "ffdhe2048"],
    ];
    for args in cases {
        let a = kmi()
            .args(["key", "generate"])
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone();
        let b = kmi()
            .args(["key", "generate"])
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone();
        assert_ne!(
            a.stdout, b.stdout,
            "{args:?}: two unseeded runs gave the same key"
        );
        let err = String::from_utf8_lossy(&a.stderr);
        assert!(
            !err.contains("fixtures"),
            "unseeded run warns about seeding:\n{err}"
        );
    }
}

#[test]
fn seed_warns_that_the_key_is_for_fixtures_only() {
    for args in [
        &["rsa", "--bits", "256"][..],
        &["elgamal", "--group", "ffdhe2048"][..],
    ] {
        for quiet in [false, true] {
            let mut cmd = kmi();
            if quiet {
                cmd.arg("--quiet");
            }
            let out = cmd
                .args(["key", "generate"])
                .args(args)
                .args(["--seed", "01", "--threads", "1"])
                .assert()
                .success();
            let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
            // --quiet silences warnings too (issue 15): only errors remain.
            assert_eq!(
                err.lines().any(|l| l.starts_with("kmi: warning:")
                    && l.contains("--seed")
                    && l.contains("fixtures")),
                !quiet,
                "{args:?} quiet={quiet}: the fixtures-only warning:\n{err}"
            );
        }
    }
}

#[test]
fn private_key_files_are_mode_0600() {
    let w = Work::new();
    let pass = passphrase_file(&w);
    let files = [
        kmi_generate(
            &w,
            "rsa.pem",
            &["rsa", "--bits", "256", "--seed", "06", "--threads", "1"],
        ),
        kmi_generate(
            &w,
            "rsa.der",
            &[
                "rsa",
                "--bits",
                "256",
                "--seed",
                "06",
                "--threads",
                "1",
                "--der",
            ],
        ),
        kmi_generate(&w, "eg.pem", &["elgamal", "--group", "ffdhe2048"]),
        kmi_generate(
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
        ),
    ];
    for f in files {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} has mode {mode:o}", f.display());
    }
    // --force over an existing world-readable file still leaves a 0600 key.
    let old = w.write("old.pem", "old");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    kmi()
        .args([
            "--quiet",
            "key",
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "--force",
            "-o",
        ])
        .arg(&old)
        .assert()
        .success();
    assert_eq!(
        std::fs::metadata(&old).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn dash_o_dash_writes_pem_to_stdout_and_no_file() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let out = kmi()
        .current_dir(w.dir.path())
        .args([
            "--quiet",
            "key",
            "generate",
            "rsa",
            "--bits",
            "256",
            "--seed",
            "0d",
            "--threads",
            "1",
            "-o",
            "-",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{text}");
    assert!(text.trim_end().ends_with("-----END PRIVATE KEY-----"));
    assert!(w.files().is_empty(), "-o - created files: {:?}", w.files());
    let key = w.write("from-stdout.pem", &text);
    assert_openssl_check(&key, &[]);
}

#[test]
fn der_output_is_read_by_openssl() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let rsa = kmi_generate(
        &w,
        "rsa.der",
        &[
            "rsa",
            "--bits",
            "256",
            "--seed",
            "de",
            "--threads",
            "1",
            "--der",
        ],
    );
    let eg = kmi_generate(
        &w,
        "eg.der",
        &[
            "elgamal",
            "--bits",
            "512",
            "--q-bits",
            "64",
            "--seed",
            "de",
            "--threads",
            "1",
            "--der",
        ],
    );
    for key in [&rsa, &eg] {
        let bytes = std::fs::read(key).unwrap();
        assert_eq!(bytes[0], 0x30, "{} is DER", key.display());
        assert_openssl_check(key, &["-inform", "DER"]);
    }
    // The DER is the PEM's content.
    let pem = stdout_of(kmi().args([
        "--quiet",
        "key",
        "generate",
        "rsa",
        "--bits",
        "256",
        "--seed",
        "de",
        "--threads",
        "1",
    ]));
    assert_eq!(to_der(pem.as_bytes()), std::fs::read(&rsa).unwrap());
}
