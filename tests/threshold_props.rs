//! Property tests of the threshold schemes (issue 3, math.md 3-4) over random K <= N <= 10 and
//! random subsets, on small seeded keys built once per run:
//! - any K shares rebuild the key (through `threshold::set::split` and `ShareSet::reconstruct`,
//!   with the share files DER round-tripped); any K - 1 do not (the count check refuses them, and
//!   interpolating them as if K - 1 were the threshold gives no key: RSA does not factor, ElGamal
//!   gives another exponent);
//! - any K partial results, each with a verifying proof, combine to the direct private-key
//!   operation (RSA x^d mod N, ElGamal alpha^x mod p), K - 1 do not, and the ElGamal hybrid
//!   payload comes back through `ShareSet::partial` / `check_partial` / `combine`.
//!
//! Cases are few (keys are small but each case deals afresh); set PROPTEST_CASES to run more.

use std::sync::OnceLock;

use der::Encode;
use num_bigint::{BigUint, RandBigInt};
use num_integer::Integer;
use num_traits::One;
use proptest::prelude::*;
use proptest::sample::subsequence;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use kmi::keys::elgamal::{generate_group, generate_key, ElGamalPrivate, GroupSpec};
use kmi::keys::rsa::{generate, RsaGenParams, RsaPrivate};
use kmi::keys::{PrivateKey, Quiet};
use kmi::math::prime::SearchConfig;
use kmi::threshold::elgamal as feldman;
use kmi::threshold::file::Purpose;
use kmi::threshold::file::ShareFile;
use kmi::threshold::rsa as shoup;
use kmi::threshold::set::{split, Operation, SetPublic, ShareSet, SplitOptions};
use kmi::threshold::SecretShare;

const CFG: SearchConfig = SearchConfig { threads: 1 };

/// Two safe-prime RSA keys (256 and 384 bits, e = 65537), made once.
fn rsa_keys() -> &'static [RsaPrivate] {
    static KEYS: OnceLock<Vec<RsaPrivate>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [(256usize, 0x51u8), (384, 0x52)]
            .iter()
            .map(|&(bits, seed)| {
                let mut rng = ChaCha20Rng::from_seed([seed; 32]);
                let params = RsaGenParams {
                    bits,
                    safe: true,
                    e: BigUint::from(65537u32),
                };
                let key = generate(&params, &mut rng, &CFG, &Quiet).expect("safe-prime RSA key");
                assert!(key.has_safe_primes());
                key
            })
            .collect()
    })
}

/// Two ElGamal keys on small safe-prime groups (128 and 160 bits), made once.
fn elgamal_keys() -> &'static [ElGamalPrivate] {
    static KEYS: OnceLock<Vec<ElGamalPrivate>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [(128usize, 0x61u8), (160, 0x62)]
            .iter()
            .map(|&(bits, seed)| {
                let mut rng = ChaCha20Rng::from_seed([seed; 32]);
                let group = generate_group(GroupSpec::SafePrime { bits }, &mut rng, &CFG, &Quiet)
                    .expect("group");
                generate_key(group, &mut rng)
            })
            .collect()
    })
}

/// (n, k, a shuffled k-subset of 1..=n, a seed for the dealing).
fn dealing() -> impl Strategy<Value = (u32, u32, Vec<u32>, u64)> {
    (1u32..=10)
        .prop_flat_map(|n| (Just(n), 1u32..=n))
        .prop_flat_map(|(n, k)| {
            let subset = subsequence((1..=n).collect::<Vec<u32>>(), k as usize).prop_shuffle();
            (Just(n), Just(k), subset, any::<u64>())
        })
}

fn config() -> ProptestConfig {
    // No regression files written into the source tree; a failure prints its minimal input.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

/// Split through the file layer: the set and every share DER round-tripped, then opened.
fn split_files(
    key: &PrivateKey,
    k: u32,
    n: u32,
    rng: &mut ChaCha20Rng,
) -> (ShareSet, Vec<SecretShare>) {
    let options = SplitOptions {
        label: Some("props".into()),
        ..SplitOptions::new(k, n, Purpose::Decrypt)
    };
    let (set, shares) = split(key, &options, rng).expect("split");
    let set2 = ShareSet::from_der(&set.file.to_der().unwrap()).expect("set DER round trip");
    assert_eq!(set2.id, set.id);
    set2.check_public()
        .expect("the set's commitments are consistent");
    let opened: Vec<SecretShare> = shares
        .iter()
        .map(|s| ShareFile::from_der_checked(&s.to_der().unwrap()).expect("share DER round trip"))
        .map(|s| set2.open(&s).expect("share of this set"))
        .collect();
    assert_eq!(opened.len(), n as usize);
    for (i, s) in opened.iter().enumerate() {
        assert_eq!(s.index, i as u32 + 1);
        assert!(
            set2.verify_share(s),
            "share {} fails its own check",
            s.index
        );
    }
    (set2, opened)
}

fn pick<T: Clone>(all: &[T], subset: &[u32]) -> Vec<T> {
    subset
        .iter()
        .map(|&i| all[i as usize - 1].clone())
        .collect()
}

/// A random unit of Z_N other than 1.
fn random_unit(n: &BigUint, rng: &mut ChaCha20Rng) -> BigUint {
    loop {
        let x = rng.gen_biguint_below(n);
        if x > BigUint::one() && x.gcd(n).is_one() {
            return x;
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rsa_any_k_shares_rebuild_and_k_minus_1_do_not(key_i in 0usize..2, (n, k, subset, seed) in dealing()) {
        let key = &rsa_keys()[key_i];
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (set, opened) = split_files(&PrivateKey::Rsa(key.clone()), k, n, &mut rng);
        let chosen = pick(&opened, &subset);
        prop_assert!(chosen.iter().all(|s| set.verify_share(s)));
        prop_assert_eq!(set.test_messages(&chosen, &mut rng).expect("test messages"), Some(true));

        let rebuilt = match set.reconstruct(&chosen, &mut rng) {
            Ok(PrivateKey::Rsa(r)) => r,
            Ok(_) => panic!("an RSA set rebuilt a non-RSA key"),
            Err(e) => panic!("{k} of {n} shares {subset:?} did not rebuild: {e}"),
        };
        prop_assert_eq!(&rebuilt.public, &key.public);
        let mut got = [rebuilt.p.expose().clone(), rebuilt.q.expose().clone()];
        let mut want = [key.p.expose().clone(), key.q.expose().clone()];
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
        prop_assert_eq!(BigUint::from(2u32).modpow(&(rebuilt.d.expose() * &key.public.e), &key.public.n), BigUint::from(2u32));

        if k >= 2 {
            let fewer = &chosen[..k as usize - 1];
            let err = set.reconstruct(fewer, &mut rng).expect_err("K - 1 shares must not rebuild");
            prop_assert!(err.to_string().contains("1 missing"), "{}", err);
            // Interpolated as if K - 1 were the threshold, they give no multiple of lambda(N).
            let SetPublic::Rsa(public) = &set.public else { panic!("not an RSA set") };
            let mut lowered = public.clone();
            lowered.threshold = k - 1;
            prop_assert!(shoup::reconstruct(&lowered, fewer, &mut rng).is_err(), "K - 1 = {} shares factored N", k - 1);
        }
    }

    #[test]
    fn rsa_any_k_partials_combine_to_x_to_the_d(key_i in 0usize..2, (n, k, subset, seed) in dealing()) {
        let key = &rsa_keys()[key_i];
        let modulus = &key.public.n;
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let dealt = shoup::deal(key, k, n, &mut rng).expect("deal");
        prop_assert!(shoup::verification_keys_consistent(&dealt.public));
        let x = random_unit(modulus, &mut rng);

        let mut partials = Vec::new();
        for &i in &subset {
            let share = &dealt.shares[i as usize - 1];
            let (xi, proof) = shoup::partial(&dealt.public, share, &x, &mut rng).expect("partial");
            prop_assert!(shoup::verify_partial(&dealt.public, i, &x, &xi, &proof), "partial {} fails its proof", i);
            // For K = 1 every share is the secret itself, so only K >= 2 ties a proof to its index.
            if k >= 2 {
                let other = i % n + 1;
                prop_assert!(!shoup::verify_partial(&dealt.public, other, &x, &xi, &proof), "partial {} verifies as {}", i, other);
            }
            partials.push((i, xi));
        }
        let y = shoup::combine(&dealt.public, &x, &partials).expect("combine");
        prop_assert_eq!(&y, &x.modpow(key.d.expose(), modulus));
        prop_assert_eq!(y.modpow(&key.public.e, modulus), x.clone());

        if k >= 2 {
            let fewer = &partials[..k as usize - 1];
            prop_assert!(shoup::combine(&dealt.public, &x, fewer).is_err());
            let mut lowered = dealt.public.clone();
            lowered.threshold = k - 1;
            prop_assert!(shoup::combine(&lowered, &x, fewer).is_err(), "K - 1 partials combined to x^d");
        }
    }

    #[test]
    fn elgamal_any_k_shares_rebuild_and_k_minus_1_do_not(key_i in 0usize..2, (n, k, subset, seed) in dealing()) {
        let key = &elgamal_keys()[key_i];
        let group = &key.public.group;
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (set, opened) = split_files(&PrivateKey::ElGamal(key.clone()), k, n, &mut rng);
        let chosen = pick(&opened, &subset);
        prop_assert_eq!(set.batch_verify(&chosen, &mut rng), Some(true));

        match set.reconstruct(&chosen, &mut rng) {
            Ok(PrivateKey::ElGamal(r)) => {
                prop_assert_eq!(r.x.expose(), key.x.expose());
                prop_assert_eq!(&r.public, &key.public);
            }
            Ok(_) => panic!("an ElGamal set rebuilt a non-ElGamal key"),
            Err(e) => panic!("{k} of {n} shares {subset:?} did not rebuild: {e}"),
        }

        if k >= 2 {
            let fewer = &chosen[..k as usize - 1];
            prop_assert!(set.reconstruct(fewer, &mut rng).is_err(), "K - 1 shares rebuilt the key");
            prop_assert!(feldman::reconstruct(group, &key.public.y, fewer).is_err());
            // The interpolation of K - 1 shares at 0 is another exponent.
            let indices: Vec<u32> = fewer.iter().map(|s| s.index).collect();
            let lambdas = kmi::math::lagrange::coefficients_mod(&indices, 0, &group.q).unwrap();
            let guess = fewer
                .iter()
                .zip(&lambdas)
                .fold(BigUint::from(0u32), |acc, (s, l)| (acc + l * s.value.expose()) % &group.q);
            prop_assert_ne!(&guess, key.x.expose());
        }
    }

    #[test]
    fn elgamal_any_k_partials_combine_to_alpha_to_the_x(key_i in 0usize..2, (n, k, subset, seed) in dealing()) {
        let key = &elgamal_keys()[key_i];
        let group = &key.public.group;
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let dealt = feldman::deal(key, k, n, &mut rng).expect("deal");
        prop_assert!(feldman::commitments_in_subgroup(group, &dealt.commitments));
        let u = rng.gen_biguint_range(&BigUint::one(), &group.q);
        let alpha = group.g.modpow(&u, &group.p);

        let mut partials = Vec::new();
        for &i in &subset {
            let share = &dealt.shares[i as usize - 1];
            let (ri, proof) = feldman::partial_decrypt(group, share, &alpha, &mut rng).expect("partial");
            prop_assert!(feldman::verify_partial(group, &dealt.commitments, i, &alpha, &ri, &proof), "partial {} fails its proof", i);
            // For K = 1 every share is the secret itself, so only K >= 2 ties a proof to its index.
            if k >= 2 {
                let other = i % n + 1;
                prop_assert!(!feldman::verify_partial(group, &dealt.commitments, other, &alpha, &ri, &proof));
            }
            partials.push((i, ri));
        }
        let direct = alpha.modpow(key.x.expose(), &group.p);
        prop_assert_eq!(feldman::combine(group, &partials).expect("combine"), direct.clone());
        if k >= 2 {
            let fewer = feldman::combine(group, &partials[..k as usize - 1]).expect("combine");
            prop_assert_ne!(fewer, direct);
        }
    }

    #[test]
    fn elgamal_payload_comes_back_through_the_share_set(
        key_i in 0usize..2,
        (n, k, subset, seed) in dealing(),
        payload in proptest::collection::vec(any::<u8>(), 1..300),
    ) {
        let key = &elgamal_keys()[key_i];
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (set, opened) = split_files(&PrivateKey::ElGamal(key.clone()), k, n, &mut rng);
        let msg = kmi::crypt::elgamal::encrypt(&key.public, &payload, &mut rng).expect("encrypt");
        let input = kmi::io::TypedFile::to_der_checked(&msg).expect("message DER");
        let prepared = set.prepare(Operation::ElGamalDecrypt(&msg), &input).expect("prepare");
        let partials: Vec<_> = pick(&opened, &subset)
            .iter()
            .map(|s| set.partial(s, &prepared, &mut rng).expect("partial"))
            .collect();
        // Tied to its input: another input's digest is refused.
        let other = [&input[..], b"x"].concat();
        let other = set.prepare(Operation::ElGamalDecrypt(&msg), &other).expect("prepare");
        for p in &partials {
            prop_assert_eq!(set.check_partial(p, &prepared).expect("check"), None);
            prop_assert!(set.check_partial(p, &other).expect("check").is_some());
        }
        let out = set.combine(&partials, &prepared).expect("combine");
        prop_assert_eq!(&out[..], &payload[..]);
        if k >= 2 {
            prop_assert!(set.combine(&partials[..k as usize - 1], &prepared).is_err());
        }
    }
}
