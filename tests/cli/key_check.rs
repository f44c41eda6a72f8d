//! `kmi key check` on good keys, on crafted bad keys (built here as DER, so each defect is exactly
//! the one named), and on inputs that are not keys at all.
//!
//! The primes below were made with OpenSSL 3.0 and are re-confirmed with `openssl prime` by
//! `crafted_numbers_are_what_they_claim`:
//!   P1, P2, P3: `openssl prime -generate -bits 256 -hex` (ordinary primes, not safe)
//!   S1, S2:     `openssl prime -generate -safe -bits 128 -hex`
//!   Q160:       `openssl prime -generate -bits 160 -hex`
//!   DH_P, DH_G, DH_Q: `openssl genpkey -genparam -algorithm DHX -pkeyopt dh_paramgen_prime_len:512
//!               -pkeyopt dh_paramgen_subprime_len:160` (a DSA-style group: |p| = 512, |q| = 160)

use std::path::{Path, PathBuf};

use num_bigint::BigUint;
use num_traits::One;
use serde_json::Value;

use crate::common::*;

const P1: &str = "DCCB43BAD1509E2376B73E58844DA1192B7BD37D01056DAC8A70337EEEDCB009";
const P2: &str = "D33C81CEFD4B36FC094F4BF73F086B3E7A756D13A611BA4CA0BA369119E0FF9D";
const P3: &str = "F413BCC5A90DAEE996B22560C10FE2EDDAA0D1CAF59260CEC8707CB56173EAD7";
const S1: &str = "E161A9F3565AD6E21996E0F7562F6093";
const S2: &str = "E0747BAEF6E0B86A956D6A6652154DB3";
const Q160: &str = "EB9002DC702CCDA6C0A274753D7F26EA54E7E855";
const DH_P: &str = "A0A3B109F60B0873F8FC5F272EFA77A99EE757E9B681A6943A3F72393080D4303C74106C051AC2950F73DF436FD93CB572BB0F420C5056690229F59AA80B6B39";
const DH_G: &str = "7EB979494EC6EDB7C205E26678801CBA3863FA1EEDA4B6FDCEC5D78B44626596517760148C2556D7BF3CFE2A152AEA8BA5A94AEFD45D9FCEAF8F8670E94D457B";
const DH_Q: &str = "DE00243BC91E7D1DAC2EF5A973512CA1F5814657";
/// A valid two-prime key that Fermat's test to base 2 calls a prime power: PQ_P prime and
/// PQ_Q = PQ_P^2 - PQ_P + 1 prime, so the group order PQ_P (PQ_P - 1)^2 divides N (N - 1). Found by
/// a Python search over random 256-bit p (seed 15), both confirmed with `openssl prime`.
const PQ_P: &str = "D88CCDD889B9464B01C6702816D6D3034FC4FF5052B97D627D81885AFE1601BF";
const PQ_Q: &str = "B72DE8CF32C3CCFEE25B610C147D07128CB4CCAA4B8CAE45049433AD623B672B7A14C1874EA94D0E0A6B106AE4CCEC521614F17C2658BD0AD0804F4C52C10AC3";
/// A private value for the DH group above (any 0 < x < q).
const DH_X: &str = "6B7861DC85D19ED0EA047F048DA55B6A35DFCE78";

fn b(h: &str) -> BigUint {
    big_hex(h)
}

fn good_rsa() -> RsaNums {
    RsaNums::from_primes(&b(P1), &b(P2), 65537)
}

struct Dh {
    p: BigUint,
    g: BigUint,
    q: BigUint,
    x: BigUint,
    y: BigUint,
}

fn good_dh() -> Dh {
    let (p, g, q, x) = (b(DH_P), b(DH_G), b(DH_Q), b(DH_X));
    let y = g.modpow(&x, &p);
    Dh { p, g, q, x, y }
}

/// `kmi key check FILE [extra]`: the raw output.
fn check(file: &Path, extra: &[&str]) -> std::process::Output {
    output_of(kmi().args(["key", "check"]).args(extra).arg(file))
}

/// A check that must fail (exit 1) with exactly `failure` named on one stderr line.
fn assert_check_fails(w: &Work, name: &str, der: &[u8], failure: &str) {
    for (file, bytes) in [
        (format!("{name}.der"), der.to_vec()),
        (format!("{name}.pem"), armor_for(der).into_bytes()),
    ] {
        let path = w.write(&file, bytes);
        let out = check(&path, &[]);
        let line = one_line_error(&out, 1);
        assert_eq!(
            line,
            format!("kmi: {}: {failure}", path.display()),
            "{file}"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.lines().any(|l| l.starts_with("FAIL")),
            "{file}: no FAIL line in\n{stdout}"
        );
    }
}

/// PEM label for crafted DER: private (version INTEGER first) or public.
fn armor_for(der: &[u8]) -> String {
    // PrivateKeyInfo starts SEQUENCE { INTEGER 0, ...; SubjectPublicKeyInfo with SEQUENCE { SEQUENCE.
    let hdr = if der[1] & 0x80 != 0 {
        2 + (der[1] & 0x7f) as usize
    } else {
        2
    };
    let label = if der[hdr] == 0x02 {
        "PRIVATE KEY"
    } else {
        "PUBLIC KEY"
    };
    pem(label, der)
}

fn check_json(file: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let out = check(file, &[&["--json"][..], extra].concat());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("--json output is not JSON ({e}):\n{text}"));
    (out.status.code(), v)
}

/// The failing entry of a JSON report, asserting the report's shape.
fn json_failure(v: &Value) -> (String, String) {
    assert_eq!(v["version"], 1, "{v}");
    assert_eq!(v["ok"], false, "{v}");
    let results = v["report"]["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no report.results: {v}"));
    let failed: Vec<&Value> = results
        .iter()
        .filter(|r| r["outcome"] == "failed")
        .collect();
    assert_eq!(
        failed.len(),
        1,
        "exactly one failed check (then skipped): {v}"
    );
    let pos = results
        .iter()
        .position(|r| r["outcome"] == "failed")
        .unwrap();
    assert!(
        results[..pos].iter().all(|r| r["outcome"] == "passed"),
        "{v}"
    );
    assert!(
        results[pos + 1..].iter().all(|r| r["outcome"] == "skipped"),
        "{v}"
    );
    (
        failed[0]["check"].as_str().unwrap().to_string(),
        failed[0]["failure"].as_str().unwrap().to_string(),
    )
}

#[test]
fn crafted_numbers_are_what_they_claim() {
    if require_peer("openssl").is_none() {
        return;
    }
    let half = |h: &str| (b(h) - 1u32) >> 1usize;
    let (p1, p2, p3, s1, s2, q160) = (b(P1), b(P2), b(P3), b(S1), b(S2), b(Q160));
    let (hp1, hp2, hs1, hs2) = (half(P1), half(P2), half(S1), half(S2));
    let dh = good_dh();
    assert_eq!(
        openssl_says_prime(&[&p1, &p2, &p3, &s1, &s2, &q160, &dh.p, &dh.q, &hs1, &hs2, &hp1, &hp2]),
        [vec![true; 10], vec![false; 2]].concat()
    );
    assert!(((&dh.p - 1u32) % &dh.q).bits() == 0 && dh.g.modpow(&dh.q, &dh.p).is_one());
    let (pq_p, pq_q) = (b(PQ_P), b(PQ_Q));
    assert_eq!(openssl_says_prime(&[&pq_p, &pq_q]), [true, true]);
    assert_eq!(pq_q, &pq_p * &pq_p - &pq_p + 1u32);
    // openssl itself accepts the crafted good keys.
    let w = Work::new();
    let rsa = w.write("rsa.der", good_rsa().pkcs8_der());
    assert_openssl_check(&rsa, &["-inform", "DER"]);
    let dhk = w.write("dh.der", dhx_pkcs8_der(&dh.p, &dh.g, &dh.q, &dh.x));
    assert_openssl_check(&dhk, &["-inform", "DER"]);
}

#[test]
fn good_keys_pass() {
    let w = Work::new();
    let rsa = good_rsa();
    let safe = RsaNums::from_primes(&b(S1), &b(S2), 65537);
    let dh = good_dh();
    let files: Vec<(PathBuf, &[&str])> = vec![
        (
            w.write("rsa.pem", pem("PRIVATE KEY", &rsa.pkcs8_der())),
            &[],
        ),
        (
            w.write("rsa1.pem", pem("RSA PRIVATE KEY", &rsa.pkcs1_der())),
            &[],
        ),
        (w.write("rsapub.der", rsa.spki_der()), &[]),
        (w.write("safe.der", safe.pkcs8_der()), &["--require-safe"]),
        (
            w.write(
                "dh.pem",
                pem("PRIVATE KEY", &dhx_pkcs8_der(&dh.p, &dh.g, &dh.q, &dh.x)),
            ),
            &[],
        ),
        (
            w.write("dhpub.der", dhx_spki_der(&dh.p, &dh.g, &dh.q, &dh.y)),
            &[],
        ),
        (
            kmi_generate(
                &w,
                "kmi-rsa.pem",
                &["rsa", "--bits", "512", "--seed", "600d", "--threads", "2"],
            ),
            &["--require-safe"],
        ),
        (
            kmi_generate(
                &w,
                "kmi-eg.pem",
                &[
                    "elgamal",
                    "--bits",
                    "256",
                    "--seed",
                    "600d",
                    "--threads",
                    "2",
                ],
            ),
            &["--require-safe"],
        ),
        (
            kmi_generate(
                &w,
                "kmi-dsa.pem",
                &[
                    "elgamal",
                    "--bits",
                    "512",
                    "--q-bits",
                    "64",
                    "--seed",
                    "600d",
                    "--threads",
                    "2",
                ],
            ),
            &[],
        ),
        (
            kmi_generate(&w, "kmi-ff.pem", &["elgamal", "--group", "ffdhe2048"]),
            &["--require-safe"],
        ),
    ];
    for (file, extra) in &files {
        let out = check(file, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{} {extra:?} failed:\n{err}\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.lines().count() >= 5 && stdout.lines().all(|l| l.starts_with("ok")),
            "{stdout}"
        );
        assert!(err.contains("checks passed"), "{err}");
        let (code, v) = check_json(file, extra);
        assert_eq!(code, Some(0));
        assert_eq!(v["ok"], true, "{v}");
        assert!(
            v["report"]["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["outcome"] == "passed"),
            "{v}"
        );
    }
    // --quiet keeps stdout and drops the summary.
    let out = output_of(kmi().args(["--quiet", "key", "check"]).arg(&files[0].0));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rsa_prime_power_moduli_are_rejected() {
    let w = Work::new();
    let e = BigUint::from(65537u32);
    let p1 = b(P1);
    assert_check_fails(
        &w,
        "square",
        &rsa_spki_der(&(&p1 * &p1), &e),
        "N is a perfect power (256-bit base to the power 2)",
    );
    assert_check_fails(
        &w,
        "cube",
        &rsa_spki_der(&p1.pow(3), &e),
        "N is a perfect power (256-bit base to the power 3)",
    );
    assert_check_fails(&w, "prime", &rsa_spki_der(&p1, &e), "N is prime");
    // The same as a private key whose "two" primes are one prime.
    let mut k = RsaNums::from_primes(&b(P1), &b(P2), 65537);
    k.n = &p1 * &p1;
    k.q = p1.clone();
    assert_check_fails(
        &w,
        "square-private",
        &k.pkcs8_der(),
        "N is a perfect power (256-bit base to the power 2)",
    );
}

/// N = p q with q = p^2 - p + 1 is a valid key (openssl agrees): 2^(N(N-1)) = 1 mod N holds for it,
/// so a Fermat "prime power" test would refuse it; the BPSW test of N does not.
#[test]
fn two_prime_key_with_q_p_squared_minus_p_plus_1_passes() {
    let (p, q) = (b(PQ_P), b(PQ_Q));
    let n = &p * &q;
    assert!(BigUint::from(2u32).modpow(&(&n * (&n - 1u32)), &n).is_one());
    let w = Work::new();
    let k = RsaNums::from_primes(&p, &q, 65537);
    for (name, der) in [("pq.der", k.pkcs8_der()), ("pq-public.der", k.spki_der())] {
        let path = w.write(name, der);
        let out = check(&path, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if require_peer("openssl").is_some() {
        assert_openssl_check(&w.path("pq.der"), &["-inform", "DER"]);
    }
}

#[test]
fn rsa_modulus_with_a_small_factor_is_rejected() {
    let w = Work::new();
    let e = BigUint::from(65537u32);
    let p1 = b(P1);
    assert_check_fails(
        &w,
        "three",
        &rsa_spki_der(&(&p1 * 3u32), &e),
        "N has a small factor 3",
    );
    assert_check_fails(
        &w,
        "big-small",
        &rsa_spki_der(&(&p1 * 65521u32), &e),
        "N has a small factor 65521",
    );
    assert_check_fails(&w, "even", &rsa_spki_der(&(&p1 * 2u32), &e), "N is even");
    // Private key form: q = 3.
    let k = RsaNums::from_primes(&p1, &BigUint::from(3u32), 65537);
    assert_check_fails(
        &w,
        "three-private",
        &k.pkcs8_der(),
        "N has a small factor 3",
    );
}

#[test]
fn rsa_bad_public_exponent_is_rejected() {
    let w = Work::new();
    let n = good_rsa().n;
    for (name, e) in [
        ("even", BigUint::from(65536u32)),
        ("one", BigUint::one()),
        ("big", &n + 2u32),
    ] {
        assert_check_fails(
            &w,
            name,
            &rsa_spki_der(&n, &e),
            "e is not odd with 1 < e < N",
        );
    }
}

#[test]
fn mismatched_private_keys_are_rejected() {
    let w = Work::new();
    let good = good_rsa();
    let other = RsaNums::from_primes(&b(P1), &b(P3), 65537);

    let mut k = good.clone();
    k.n = other.n.clone();
    assert_check_fails(
        &w,
        "wrong-n",
        &k.pkcs8_der(),
        "the private key does not match: p * q != N",
    );

    let mut k = good.clone();
    k.d = other.d.clone();
    assert_check_fails(
        &w,
        "swapped-d",
        &k.pkcs8_der(),
        "the private key does not match: e * d != 1 (mod lambda(N))",
    );

    let mut k = good.clone();
    k.q = b(P3);
    assert_check_fails(
        &w,
        "wrong-q",
        &k.pkcs8_der(),
        "the private key does not match: p * q != N",
    );

    let mut k = good.clone();
    k.dp += 2u32;
    assert_check_fails(
        &w,
        "bad-crt",
        &k.pkcs8_der(),
        "CRT values (dP, dQ, qInv) are inconsistent with p, q and d",
    );

    // p * q = N but p is not prime.
    let mut k = good.clone();
    k.p = b(P1) * 3u32;
    k.q = b(P2);
    k.n = &k.p * &k.q;
    assert_check_fails(&w, "composite-p", &k.pkcs8_der(), "N has a small factor 3");
    let p13 = b(P1) * b(P3);
    let mut k = good.clone();
    k.p = p13.clone();
    k.n = &p13 * &b(P2);
    assert_check_fails(&w, "composite-p2", &k.pkcs8_der(), "p is not prime");
}

#[test]
fn elgamal_bad_parameters_are_rejected() {
    let w = Work::new();
    let dh = good_dh();
    let one = BigUint::one();
    let two = BigUint::from(2u32);
    assert!(
        two.modpow(&dh.q, &dh.p) != one,
        "2 must lie outside the order-q subgroup for this test"
    );

    // g outside the order-q subgroup (public and private forms).
    assert_check_fails(
        &w,
        "g2",
        &dhx_spki_der(&dh.p, &two, &dh.q, &dh.y),
        "g lies outside the order-q subgroup (g^q != 1 mod p)",
    );
    assert_check_fails(
        &w,
        "g2-private",
        &dhx_pkcs8_der(&dh.p, &two, &dh.q, &dh.x),
        "g lies outside the order-q subgroup (g^q != 1 mod p)",
    );
    let minus_one = &dh.p - 1u32;
    assert_check_fails(
        &w,
        "g-minus-1",
        &dhx_spki_der(&dh.p, &minus_one, &dh.q, &dh.y),
        "g lies outside the order-q subgroup (g^q != 1 mod p)",
    );
    assert_check_fails(
        &w,
        "g-one",
        &dhx_spki_der(&dh.p, &one, &dh.q, &dh.y),
        "g is not in (1, p)",
    );
    // y outside the subgroup: p - 1 (order 2) and 2y.
    assert_check_fails(
        &w,
        "y-minus-1",
        &dhx_spki_der(&dh.p, &dh.g, &dh.q, &minus_one),
        "y lies outside the order-q subgroup (y^q != 1 mod p)",
    );
    let y2 = (&dh.y * 2u32) % &dh.p;
    assert_check_fails(
        &w,
        "y-times-2",
        &dhx_spki_der(&dh.p, &dh.g, &dh.q, &y2),
        "y lies outside the order-q subgroup (y^q != 1 mod p)",
    );
    assert_check_fails(
        &w,
        "y-p",
        &dhx_spki_der(&dh.p, &dh.g, &dh.q, &dh.p),
        "y is not in (1, p)",
    );
    // q prime but not dividing p - 1.
    assert_check_fails(
        &w,
        "q-wrong",
        &dhx_spki_der(&dh.p, &dh.g, &b(Q160), &dh.y),
        "q does not divide p - 1",
    );
    // q or p not prime.
    assert_check_fails(
        &w,
        "q-composite",
        &dhx_spki_der(&dh.p, &dh.g, &(&dh.q * 3u32), &dh.y),
        "q is not prime",
    );
    assert_check_fails(
        &w,
        "p-composite",
        &dhx_spki_der(&(&dh.p + 2u32), &dh.g, &dh.q, &dh.y),
        "p is not prime",
    );
    // Private value out of range, named as such: x is checked before y (x = q + 1 gives y = g, a
    // valid public value; x = 0 or q gives y = 1).
    assert_check_fails(
        &w,
        "x-q-plus-1",
        &dhx_pkcs8_der(&dh.p, &dh.g, &dh.q, &(&dh.q + 1u32)),
        "private value x is not in (0, q)",
    );
    assert_check_fails(
        &w,
        "x-is-q",
        &dhx_pkcs8_der(&dh.p, &dh.g, &dh.q, &dh.q),
        "private value x is not in (0, q)",
    );
    assert_check_fails(
        &w,
        "x-zero",
        &dhx_pkcs8_der(&dh.p, &dh.g, &dh.q, &BigUint::from(0u32)),
        "private value x is not in (0, q)",
    );
}

/// ffdhe2048's p, taken from a key kmi made.
fn ffdhe2048_p(w: &Work) -> BigUint {
    let ff = to_der(
        &std::fs::read(kmi_generate(
            w,
            "ff.pem",
            &["elgamal", "--group", "ffdhe2048"],
        ))
        .unwrap(),
    );
    let p = asn1_integers(&ff)[1].clone();
    assert_eq!(p.bits(), 2048);
    p
}

/// The named-group shortcut must not let a key borrow ffdhe2048's p while bringing its own q.
#[test]
fn named_group_p_with_a_composite_q_is_rejected() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let p = ffdhe2048_p(&w);
    let p_minus_1 = &p - 1u32;
    // q = p - 1 is composite and divides p - 1; g = 2 and y = 3 satisfy g^q = y^q = 1 (Fermat).
    assert_check_fails(
        &w,
        "ff-q-composite",
        &dhx_spki_der(&p, &BigUint::from(2u32), &p_minus_1, &BigUint::from(3u32)),
        "q is not prime",
    );
}

/// q = 0 next to a named group's p must not crash the checker.
#[test]
fn named_group_p_with_q_zero_is_rejected() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let p = ffdhe2048_p(&w);
    assert_check_fails(
        &w,
        "ff-q-zero",
        &dhx_spki_der(
            &p,
            &BigUint::from(2u32),
            &BigUint::from(0u32),
            &BigUint::from(3u32),
        ),
        "q is not prime",
    );
}

#[test]
fn degenerate_numbers_fail_cleanly() {
    let w = Work::new();
    let zero = BigUint::from(0u32);
    let one = BigUint::one();
    let e = BigUint::from(65537u32);
    assert_check_fails(&w, "n-zero", &rsa_spki_der(&zero, &e), "N is even");
    assert_check_fails(
        &w,
        "n-one",
        &rsa_spki_der(&one, &e),
        "e is not odd with 1 < e < N",
    );
    assert_check_fails(
        &w,
        "p-zero",
        &dhx_spki_der(&zero, &zero, &zero, &zero),
        "p is not prime",
    );
    assert_check_fails(
        &w,
        "p-one",
        &dhx_spki_der(&one, &one, &one, &one),
        "p is not prime",
    );
}

/// A private X9.42 key with p = 0: public value g^x mod 0 does not exist. Bad input, not a crash.
#[test]
fn dh_private_key_with_zero_modulus_is_bad_input() {
    let w = Work::new();
    let dh = good_dh();
    let key = w.write(
        "p0.der",
        dhx_pkcs8_der(&BigUint::from(0u32), &dh.g, &dh.q, &dh.x),
    );
    for cmd in ["check", "inspect", "public", "fingerprint"] {
        let out = output_of(kmi().args(["key", cmd]).arg(&key));
        let line = one_line_error(&out, 2);
        assert!(line.contains("p0.der"), "{cmd}: {line}");
    }
}

#[test]
fn require_safe_names_the_safe_prime_check() {
    let w = Work::new();
    // kmi's own --no-safe key.
    let plain = kmi_generate(
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
    check(&plain, &[])
        .status
        .success()
        .then_some(())
        .expect("a --no-safe key passes the ordinary checks");
    let line = one_line_error(&check(&plain, &["--require-safe"]), 1);
    assert!(
        line.contains("plain.pem") && line.contains("is not a safe prime"),
        "{line}"
    );
    let (code, v) = check_json(&plain, &["--require-safe"]);
    assert_eq!(code, Some(1));
    let (name, failure) = json_failure(&v);
    assert!(
        name == "(p-1)/2 is prime" || name == "(q-1)/2 is prime",
        "{name}"
    );
    assert!(failure.contains("is not a safe prime"), "{failure}");

    // A crafted key whose p = P1 is prime but (P1-1)/2 is not.
    let crafted = w.write("crafted.der", good_rsa().pkcs8_der());
    let line = one_line_error(&check(&crafted, &["--require-safe"]), 1);
    assert!(
        line.ends_with("p is not a safe prime: (p-1)/2 is not prime"),
        "{line}"
    );

    // Public key: cannot be known.
    let public = w.write("pub.der", good_rsa().spki_der());
    check(&public, &[])
        .status
        .success()
        .then_some(())
        .expect("the public key passes the ordinary checks");
    let line = one_line_error(&check(&public, &["--require-safe"]), 1);
    assert!(line.contains("cannot be known"), "{line}");
    let (_, v) = check_json(&public, &["--require-safe"]);
    let (name, failure) = json_failure(&v);
    assert_eq!(name, "p and q are safe primes");
    assert!(failure.contains("cannot be known"), "{failure}");

    // ElGamal: a DSA-style group is not a safe-prime group.
    let dh = good_dh();
    let dsa = w.write("dsa.der", dhx_spki_der(&dh.p, &dh.g, &dh.q, &dh.y));
    let line = one_line_error(&check(&dsa, &["--require-safe"]), 1);
    assert!(
        line.ends_with("p is not a safe prime: p != 2q + 1"),
        "{line}"
    );
    let (_, v) = check_json(&dsa, &["--require-safe"]);
    assert_eq!(json_failure(&v).0, "p = 2q + 1");
}

#[test]
fn json_report_of_a_failing_key() {
    let w = Work::new();
    let key = w.write(
        "pp.pem",
        pem(
            "PUBLIC KEY",
            &rsa_spki_der(&b(P1), &BigUint::from(65537u32)),
        ),
    );
    let out = check(&key, &["--json"]);
    // Still one line on stderr, and stdout is only the JSON document.
    one_line_error(&out, 1);
    let (code, v) = check_json(&key, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(v["file"], key.to_str().unwrap());
    assert_eq!(v["report"]["key_type"], "rsa");
    assert_eq!(v["report"]["private"], false);
    assert_eq!(
        json_failure(&v),
        ("N is not prime".to_string(), "N is prime".to_string())
    );

    let dh = good_dh();
    let key = w.write(
        "g2.der",
        dhx_spki_der(&dh.p, &BigUint::from(2u32), &dh.q, &dh.y),
    );
    let (code, v) = check_json(&key, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(v["report"]["key_type"], "elgamal");
    assert_eq!(
        json_failure(&v),
        (
            "g has order q".to_string(),
            "g lies outside the order-q subgroup (g^q != 1 mod p)".to_string()
        )
    );
}

/// Inputs that are not readable keys: exit 2, one line naming the file, never a panic.
#[test]
fn unreadable_inputs_are_one_line_exit_2() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let good_pem = pem("PRIVATE KEY", &good_rsa().pkcs8_der());
    let good_der = good_rsa().pkcs8_der();
    let lines: Vec<&str> = good_pem.lines().collect();
    let truncated_pem = lines[..lines.len() / 2].join("\n") + "\n";
    let no_end = lines[..lines.len() - 1].join("\n") + "\n";
    let mut trailing = good_der.clone();
    trailing.extend_from_slice(b"\x00\x01junk");
    // A well-formed PrivateKeyInfo (rsaEncryption) whose OCTET STRING holds no RSAPrivateKey.
    let bad_inner = {
        use der_w::*;
        seq(&[
            int(&BigUint::from(0u32)),
            seq(&[oid_rsa(), null()]),
            octets(b"\x30\x03\x02\x01"),
        ])
    };

    // A real certificate and other non-key PEM objects openssl makes.
    openssl()
        .current_dir(w.dir.path())
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:512",
            "-nodes",
            "-keyout",
            "cert-key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=kmi test",
            "-days",
            "1",
        ])
        .assert()
        .success();
    openssl()
        .current_dir(w.dir.path())
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ec.pem",
        ])
        .assert()
        .success();
    openssl()
        .current_dir(w.dir.path())
        .args([
            "genpkey",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
            "pkcs3.pem",
        ])
        .assert()
        .success();
    openssl()
        .current_dir(w.dir.path())
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
            "params.pem",
        ])
        .assert()
        .success();

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.pem", vec![]),
        ("blank.pem", b"  \n\n".to_vec()),
        (
            "garbage.bin",
            b"\x89PNG\r\n\x1a\n not a key at all".to_vec(),
        ),
        ("garbage.der", vec![0x30, 0x82, 0xff, 0xff, 0x01, 0x02]),
        ("text.txt", b"hello world\n".to_vec()),
        ("truncated.pem", truncated_pem.into_bytes()),
        ("no-end.pem", no_end.into_bytes()),
        ("truncated.der", good_der[..good_der.len() / 2].to_vec()),
        ("trailing.der", trailing),
        ("bad-inner.der", bad_inner),
        (
            "bad-base64.pem",
            b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n".to_vec(),
        ),
        (
            "label.pem",
            good_pem.replace("PRIVATE KEY", "CERTIFICATE").into_bytes(),
        ),
        ("cert.pem", w.read("cert.pem")),
        ("params.pem", w.read("params.pem")),
        ("ec.pem", w.read("ec.pem")),
        ("pkcs3.pem", w.read("pkcs3.pem")),
    ];
    let mut paths: Vec<PathBuf> = cases
        .iter()
        .map(|(name, bytes)| w.write(name, bytes))
        .collect();
    paths.push(w.path("does-not-exist.pem"));
    paths.push(w.dir.path().to_path_buf()); // a directory
    for path in &paths {
        for cmd in ["check", "inspect", "public", "fingerprint"] {
            let out = output_of(kmi().args(["key", cmd]).arg(path));
            let line = one_line_error(&out, 2);
            let name = path.to_str().unwrap();
            assert!(
                line.contains(name),
                "{cmd} {name}: the message must name the file: {line}"
            );
            assert!(
                out.stdout.is_empty(),
                "{cmd} {name}: printed {:?}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
    // The messages say what is wrong.
    let msg = |name: &str| one_line_error(&check(&w.path(name), &[]), 2);
    assert!(msg("empty.pem").contains("empty"), "{}", msg("empty.pem"));
    assert!(
        msg("cert.pem").contains("CERTIFICATE"),
        "{}",
        msg("cert.pem")
    );
    assert!(msg("pkcs3.pem").contains("X9.42"), "{}", msg("pkcs3.pem"));
    assert!(
        msg("does-not-exist.pem")
            .to_lowercase()
            .contains("no such file"),
        "{}",
        msg("does-not-exist.pem")
    );

    // Standard input is named as such.
    let out = output_of(
        kmi()
            .args(["key", "check", "-"])
            .write_stdin(b"garbage".to_vec()),
    );
    assert!(one_line_error(&out, 2).contains("<stdin>"));
    let out = output_of(kmi().args(["key", "check", "-"]).write_stdin(Vec::new()));
    assert!(one_line_error(&out, 2).contains("<stdin>"));
}
