//! Threshold operations against their floors, in one run (`cargo bench --bench threshold`):
//! - one Shoup partial result on a 2048-bit key against `openssl speed rsa2048`'s private-key
//!   operation (CRT). A partial is a full-length exponent without CRT (plus its proof), so about
//!   3-4x a CRT private op is the floor. The proof adds two more exponentiations of |N| + 256
//!   bits; kmi runs the three side by side (rayon), so "with proof" depends on the core count;
//! - batch verification of N = 100 Feldman shares of a 2048-bit ElGamal key against verifying one
//!   share, and against verifying all 100 one by one.

use std::process::Command;
use std::time::Instant;

use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use kmi::keys::elgamal::{generate_key, NamedGroup};
use kmi::keys::rsa::{generate, RsaGenParams};
use kmi::keys::Quiet;
use kmi::math::prime::SearchConfig;
use kmi::threshold::{elgamal as feldman, rsa as shoup};

fn time<T>(runs: u32, mut f: impl FnMut() -> T) -> f64 {
    let _ = f();
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    start.elapsed().as_secs_f64() / runs as f64
}

/// Seconds per RSA-2048 private-key operation from `openssl speed`, or None without openssl.
fn openssl_rsa2048_sign() -> Option<f64> {
    let out = Command::new("openssl")
        .args(["speed", "-seconds", "3", "rsa2048"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "rsa 2048 bits 0.000758s 0.000022s   1319.3  45454.5"
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("rsa 2048 bits"))?;
    line.split_whitespace()
        .nth(3)?
        .trim_end_matches('s')
        .parse()
        .ok()
}

fn main() {
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let params = RsaGenParams {
        bits: 2048,
        safe: true,
        e: BigUint::from(65537u32),
    };
    let key = generate(&params, &mut rng, &SearchConfig::default(), &Quiet).expect("key");
    let dealing = shoup::deal(&key, 3, 5, &mut rng).expect("deal");
    let x = BigUint::from_bytes_be(&[0x5a; 255]);

    let runs = 30;
    let partial = time(runs, || {
        shoup::partial(&dealing.public, &dealing.shares[0], &x, &mut rng).unwrap()
    });
    let (xi, proof) = shoup::partial(&dealing.public, &dealing.shares[0], &x, &mut rng).unwrap();
    let verify = time(runs, || {
        shoup::verify_partial(&dealing.public, 1, &x, &xi, &proof)
    });
    let value_only = time(runs, || {
        let e = factorial_times_two(5) * dealing.shares[0].value.expose();
        kmi::math::modular::pow_mod(&x, &e, &key.public.n)
    });
    println!("RSA-2048 Shoup partial ({runs} runs): {:.2} ms with proof, {:.2} ms value only, verify {:.2} ms", partial * 1e3, value_only * 1e3, verify * 1e3);
    match openssl_rsa2048_sign() {
        Some(op) => {
            println!("openssl speed rsa2048 private op (CRT): {:.3} ms", op * 1e3);
            println!(
                "ratios to the CRT op: partial value {:.2}x, partial with proof {:.2}x (floor about 3-4x; target within 1.3x of it)",
                value_only / op,
                partial / op
            );
        }
        None => println!("openssl not found: no side-by-side ratio (apt-get install -y openssl)"),
    }

    let group = NamedGroup::Ffdhe2048.group();
    let eg = generate_key(group.clone(), &mut rng);
    let n = 100u32;
    let d = feldman::deal(&eg, 3, n, &mut rng).expect("deal");
    let one = time(5, || {
        feldman::verify_share(&group, &d.commitments, &d.shares[0])
    });
    let batch = time(3, || {
        feldman::batch_verify(&group, &d.commitments, &d.shares, &mut rng)
    });
    let each = time(1, || {
        d.shares
            .iter()
            .all(|s| feldman::verify_share(&group, &d.commitments, s))
    });
    println!(
        "ElGamal-2048 (ffdhe2048, threshold 3): verify one share {:.1} ms; batch of {n} {:.1} ms = {:.2}x one (target < 3x); one by one {:.1} ms = {:.1}x one",
        one * 1e3,
        batch * 1e3,
        batch / one,
        each * 1e3,
        each / one
    );

    verify_large_rsa_set(&key, &mut rng);
}

/// Issue 18: verifying a legal 128-of-255 Shoup set on the 2048-bit key, as `kmi share verify`
/// does it (set consistency, every share one by one, the test messages over all 255 shares).
/// Before the batched checks this took minutes of CPU (k (n - k) Lagrange exponentiations for
/// the consistency and k per subset per test message); `share verify` of the same set with
/// kmi 0.1 was stopped after 300 s wall (31.6 s CPU on a loaded machine).
fn verify_large_rsa_set(key: &kmi::keys::rsa::RsaPrivate, rng: &mut ChaCha20Rng) {
    use kmi::threshold::set::{split, OpenedShare, ShareSet, SplitOptions};
    use kmi::threshold::share::Purpose;
    let start = Instant::now();
    let options = SplitOptions::new(128, 255, Purpose::Decrypt);
    let (set, shares) =
        split(&kmi::keys::PrivateKey::Rsa(key.clone()), &options, rng).expect("split 128 of 255");
    let dealt = start.elapsed().as_secs_f64();
    let opened: Vec<OpenedShare> = shares.iter().map(|s| set.open(s).expect("open")).collect();
    let reread = ShareSet::from_der(&der::Encode::to_der(&set.file).expect("der")).expect("set");
    let consistency = time(1, || reread.check_public().is_ok());
    let each = time(1, || opened.iter().all(|s| reread.verify_share(s)));
    let tests = time(1, || {
        reread.test_messages(&opened, rng).expect("test messages")
    });
    println!(
        "RSA-2048 128-of-255 set: split with its checks {dealt:.1} s; verify: consistency {:.2} s, 255 shares one by one {:.2} s, test messages {:.2} s, total {:.2} s",
        consistency,
        each,
        tests,
        consistency + each + tests
    );
}

fn factorial_times_two(n: u32) -> BigUint {
    kmi::math::lagrange::factorial(n) * 2u32
}
