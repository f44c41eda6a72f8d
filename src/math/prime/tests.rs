//! Tests of the prime module: primality against trial division, known pseudoprimes and the
//! num-bigint reference; search results (shape, determinism across threads, first prime after the
//! start, progress).

use super::primality::{mr2_limbs, mr_limbs, reference, selfridge};
use super::search::{draw_key, Kind, Problem};
use super::*;
use crate::math::mont;
use num_bigint::RandBigInt;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

fn n(s: &str) -> BigUint {
    BigUint::from_str(s).unwrap()
}

fn seeded(b: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([b; 32])
}

fn naive_is_prime(x: u64) -> bool {
    if x < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= x {
        if x % d == 0 {
            return false;
        }
        d += 1;
    }
    true
}

#[test]
fn small_numbers() {
    for x in 0u64..3000 {
        assert_eq!(
            is_probable_prime(&BigUint::from(x)),
            naive_is_prime(x),
            "{x}"
        );
    }
    // across the trial-division boundary (251^2 = 63001) and beyond 2^16
    for x in (62_000u64..70_000).chain(1_000_000..1_002_000) {
        assert_eq!(
            is_probable_prime(&BigUint::from(x)),
            naive_is_prime(x),
            "{x}"
        );
    }
}

#[test]
fn known_composites_and_primes() {
    let composites = [
        "561",
        "41041",
        "825265",
        "2047",
        "1373653",
        "25326001",
        "3215031751",
        "3825123056546413051",
        // 18446744073709551557 * 18446744073709551533 (two 64-bit primes)
        "340282366920938461286658806734041124681",
        // 2^128 + 1 (composite Fermat number)
        "340282366920938463463374607431768211457",
        // strong Lucas pseudoprimes
        "5459",
        "5777",
        "10877",
        "16109",
        "18971",
        // Arnault's strong pseudoprime to all prime bases below 307 (397 digits)
    ];
    for c in composites {
        assert!(!is_probable_prime(&n(c)), "{c} is composite");
    }
    let primes = [
        "2",
        "3",
        "65537",
        "18446744073709551557",
        "18446744073709551533",
        "170141183460469231731687303715884105727", // 2^127 - 1
    ];
    for p in primes {
        assert!(is_probable_prime(&n(p)), "{p} is prime");
    }
    let m521 = (BigUint::one() << 521u32) - 1u32;
    assert!(is_probable_prime(&m521));
    let m523 = (BigUint::one() << 523u32) - 1u32;
    assert!(!is_probable_prime(&m523));
    // product of the two 64-bit primes, computed
    let prod = n("18446744073709551557") * n("18446744073709551533");
    assert!(!is_probable_prime(&prod));
    // Carmichael number with large factors: (6k+1)(12k+1)(18k+1), k = 2^100 + 89 search-free check
    let k = BigUint::from(1u32);
    let c = (&k * 6u32 + 1u32) * (&k * 12u32 + 1u32) * (&k * 18u32 + 1u32); // 7*13*19 = 1729
    assert!(!is_probable_prime(&c));
}

#[test]
fn strong_pseudoprimes_fool_base_2_only() {
    // (n, the prime bases it is a strong pseudoprime to, the next prime base that catches it)
    let cases: [(&str, &[u32], u32); 5] = [
        ("2047", &[2], 3),
        ("1373653", &[2, 3], 5),
        ("25326001", &[2, 3, 5], 7),
        ("3215031751", &[2, 3, 5, 7], 11),
        (
            "3825123056546413051",
            &[2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31],
            37,
        ),
    ];
    for (c, liars, witness) in cases {
        let c = n(c);
        for &b in liars {
            assert!(miller_rabin(&c, &BigUint::from(b)), "{c} base {b}");
            assert!(reference::miller_rabin(&c, &BigUint::from(b)));
        }
        assert!(
            !miller_rabin(&c, &BigUint::from(witness)),
            "{c} base {witness}"
        );
        assert!(!is_probable_prime(&c));
    }
    assert!(!miller_rabin(&n("561"), &BigUint::from(2u32)));
    assert!(miller_rabin(&n("3"), &BigUint::from(2u32)));
    assert!(miller_rabin(&n("2"), &BigUint::from(5u32)));
    assert!(!miller_rabin(&n("1"), &BigUint::from(2u32)));
    assert!(!miller_rabin(&n("0"), &BigUint::from(2u32)));
    assert!(!miller_rabin(&n("100"), &BigUint::from(3u32)));
    // bases 0, 1, -1 mod n carry no information
    assert!(miller_rabin(&n("561"), &n("562")));
    assert!(miller_rabin(&n("561"), &n("560")));
    let m127 = (BigUint::one() << 127u32) - 1u32;
    assert!(miller_rabin(&m127, &n("123456789123456789")));
}

#[test]
fn lucas_pseudoprimes_pass_lucas_but_fail_mr() {
    // strong Lucas pseudoprimes (Selfridge parameters), all composite
    for c in [
        5459u64, 5777, 10877, 16109, 18971, 22499, 24569, 25199, 40309, 58519, 75077, 97439,
    ] {
        let l = [c];
        let (d_abs, d_neg) = selfridge(&l).unwrap();
        let (q_abs, q_neg) = if d_neg {
            ((1 + d_abs) / 4, false)
        } else {
            ((d_abs - 1) / 4, true)
        };
        assert!(
            mont::strong_lucas(&l, d_abs, d_neg, q_abs, q_neg).unwrap(),
            "{c}"
        );
        assert!(
            reference::strong_lucas(&BigUint::from(c), d_abs, d_neg, q_abs, q_neg),
            "{c}"
        );
        assert!(!is_probable_prime(&BigUint::from(c)));
    }
}

#[test]
fn backend_tests_match_reference() {
    let mut rng = seeded(11);
    for bits in [70u64, 128, 255, 512, 1024] {
        for _ in 0..40 {
            let mut x = rng.gen_biguint(bits);
            x.set_bit(0, true);
            x.set_bit(bits - 1, true);
            let l = x.to_u64_digits();
            let b = rng.gen_biguint_below(&(&x - 3u32)) + 2u32;
            assert_eq!(mr_limbs(&l, &b), reference::miller_rabin(&x, &b));
            assert_eq!(
                mr2_limbs(&l),
                reference::miller_rabin(&x, &BigUint::from(2u32))
            );
            if let Ok((d_abs, d_neg)) = selfridge(&l) {
                let (q_abs, q_neg) = if d_neg {
                    ((1 + d_abs) / 4, false)
                } else {
                    ((d_abs - 1) / 4, true)
                };
                assert_eq!(
                    mont::strong_lucas(&l, d_abs, d_neg, q_abs, q_neg).unwrap(),
                    reference::strong_lucas(&x, d_abs, d_neg, q_abs, q_neg)
                );
            }
        }
    }
    // on primes everything passes
    let p = (BigUint::one() << 521u32) - 1u32;
    let (d_abs, d_neg) = selfridge(&p.to_u64_digits()).unwrap();
    let (q_abs, q_neg) = if d_neg {
        ((1 + d_abs) / 4, false)
    } else {
        ((d_abs - 1) / 4, true)
    };
    assert!(reference::strong_lucas(&p, d_abs, d_neg, q_abs, q_neg));
    assert!(mont::strong_lucas(&p.to_u64_digits(), d_abs, d_neg, q_abs, q_neg).unwrap());
}

fn is_safe(p: &BigUint) -> bool {
    is_probable_prime(p) && is_probable_prime(&(p >> 1))
}

#[test]
fn safe_primes_have_the_right_shape() {
    let cfg = SearchConfig { threads: 2 };
    let mut rng = seeded(1);
    for bits in [16usize, 17, 20, 24, 32, 64, 65, 128, 256] {
        for top in [false, true] {
            let p = safe_prime(bits, top, &mut rng, &cfg, &NoProgress).unwrap();
            assert_eq!(p.bits() as usize, bits, "{bits} bits");
            assert!(is_safe(&p), "{p} is a safe prime");
            if top {
                assert!(p.bit(bits as u64 - 2));
            }
        }
    }
    assert!(safe_prime(15, false, &mut rng, &cfg, &NoProgress).is_err());
}

#[test]
fn safe_prime_512() {
    let mut rng = seeded(2);
    let p = safe_prime(
        512,
        true,
        &mut rng,
        &SearchConfig { threads: 0 },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(p.bits(), 512);
    assert!(is_safe(&p));
}

#[test]
fn seeded_search_is_deterministic_across_threads() {
    for bits in [64usize, 128, 256] {
        let a = safe_prime(
            bits,
            true,
            &mut seeded(7),
            &SearchConfig { threads: 1 },
            &NoProgress,
        )
        .unwrap();
        let b = safe_prime(
            bits,
            true,
            &mut seeded(7),
            &SearchConfig { threads: 2 },
            &NoProgress,
        )
        .unwrap();
        let c = safe_prime(
            bits,
            true,
            &mut seeded(7),
            &SearchConfig { threads: 3 },
            &NoProgress,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        let d = safe_prime(
            bits,
            true,
            &mut seeded(8),
            &SearchConfig { threads: 2 },
            &NoProgress,
        )
        .unwrap();
        assert_ne!(a, d);
    }
    // also with a small window (many intervals) and a different sieve bound
    let t1 = Tuning {
        sieve_bound: 1 << 12,
        window: 64,
    };
    let t2 = Tuning {
        sieve_bound: 1 << 18,
        window: 1024,
    };
    let a = safe_prime_tuned(
        256,
        false,
        &mut seeded(7),
        &SearchConfig { threads: 1 },
        &NoProgress,
        t1,
    )
    .unwrap();
    let b = safe_prime_tuned(
        256,
        false,
        &mut seeded(7),
        &SearchConfig { threads: 2 },
        &NoProgress,
        t2,
    )
    .unwrap();
    assert_eq!(a, b);
    for bits in [64usize, 256] {
        let a = random_prime(
            bits,
            false,
            &mut seeded(7),
            &SearchConfig { threads: 1 },
            &NoProgress,
        )
        .unwrap();
        let b = random_prime(
            bits,
            false,
            &mut seeded(7),
            &SearchConfig { threads: 2 },
            &NoProgress,
        )
        .unwrap();
        assert_eq!(a, b);
    }
}

/// The result is the first safe prime at or after the epoch-0 start: check against a brute walk.
#[test]
fn result_is_first_safe_prime_after_start() {
    for seed in 0u8..4 {
        let bits = 40usize;
        let problem = Problem {
            kind: Kind::Safe,
            bits,
            top_two_bits: false,
        };
        let mut rng = seeded(seed);
        let key = draw_key(&mut rng);
        let ep = problem.epoch(&key, 0);
        let mut pp = ep.start.clone();
        let expected = loop {
            let p = &pp * 2u32 + 1u32;
            if p.bits() as usize > bits {
                break None;
            }
            if is_safe(&p) {
                break Some(p);
            }
            pp += 2u32;
        };
        let got = safe_prime(
            bits,
            false,
            &mut seeded(seed),
            &SearchConfig { threads: 2 },
            &NoProgress,
        )
        .unwrap();
        if let Some(e) = expected {
            assert_eq!(got, e);
        }
    }
}

#[test]
fn random_primes() {
    let mut rng = seeded(3);
    let cfg = SearchConfig { threads: 2 };
    for bits in [16usize, 31, 64, 100, 256, 512] {
        for top in [false, true] {
            let p = random_prime(bits, top, &mut rng, &cfg, &NoProgress).unwrap();
            assert_eq!(p.bits() as usize, bits);
            assert!(is_probable_prime(&p));
            if top {
                assert!(p.bit(bits as u64 - 2));
            }
        }
    }
    assert!(random_prime(8, false, &mut rng, &cfg, &NoProgress).is_err());
}

#[test]
fn primes_with_factor() {
    let mut rng = seeded(4);
    let cfg = SearchConfig { threads: 2 };
    for (pbits, qbits) in [
        (64usize, 20usize),
        (256, 160),
        (512, 256),
        (140, 127),
        (44, 37),
    ] {
        let q = random_prime(qbits, false, &mut rng, &cfg, &NoProgress).unwrap();
        let p = prime_with_factor(pbits, &q, &mut rng, &cfg, &NoProgress).unwrap();
        assert_eq!(p.bits() as usize, pbits);
        assert!(is_probable_prime(&p));
        assert!(((&p - 1u32) % (&q * 2u32)).is_zero());
    }
    // determinism
    let q = random_prime(160, false, &mut seeded(5), &cfg, &NoProgress).unwrap();
    let a = prime_with_factor(
        512,
        &q,
        &mut seeded(6),
        &SearchConfig { threads: 1 },
        &NoProgress,
    )
    .unwrap();
    let b = prime_with_factor(
        512,
        &q,
        &mut seeded(6),
        &SearchConfig { threads: 2 },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(a, b);
    // q too large for the size
    let big_q = random_prime(100, false, &mut rng, &cfg, &NoProgress).unwrap();
    assert!(prime_with_factor(64, &big_q, &mut rng, &cfg, &NoProgress).is_err());
    assert!(prime_with_factor(64, &BigUint::from(4u32), &mut rng, &cfg, &NoProgress).is_err());
}

#[test]
fn progress_is_reported() {
    struct P(AtomicU64, AtomicU64);
    impl SearchProgress for P {
        fn update(&self, s: u64, t: u64) {
            self.0.fetch_max(s, Ordering::Relaxed);
            self.1.fetch_max(t, Ordering::Relaxed);
        }
    }
    let p = P(AtomicU64::new(0), AtomicU64::new(0));
    safe_prime(128, false, &mut seeded(9), &SearchConfig { threads: 2 }, &p).unwrap();
    assert!(p.0.load(Ordering::Relaxed) > 0);
    assert!(p.1.load(Ordering::Relaxed) > 0);
}
