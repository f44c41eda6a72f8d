//! Tests of the Montgomery engine: every operation, `pow`, `pow2` and `pow_ct` at every width
//! against num-bigint, the unrolled squaring against the loops, the constant-time pieces against
//! their branchy twins, and a fixed product count for `pow_ct`.

use super::ct::ct_lookup;
use super::*;
use num_bigint::{BigUint, RandBigInt};
use num_traits::One;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn limbs(x: &BigUint) -> Vec<u64> {
    x.to_u64_digits()
}

fn big(x: &[u64]) -> BigUint {
    let mut v = Vec::with_capacity(2 * x.len());
    for &l in x {
        v.push(l as u32);
        v.push((l >> 32) as u32);
    }
    BigUint::new(v)
}

fn check_width<const N: usize>(rng: &mut ChaCha20Rng, bits: u64) {
    for iter in 0..20 {
        let mut m = rng.gen_biguint(bits);
        m.set_bit(0, true);
        if iter % 5 == 0 {
            m.set_bit(bits - 1, true); // full top limb
        }
        if iter == 1 {
            // all ones: m = 2^bits - 1
            m = (BigUint::one() << bits) - 1u32;
        }
        if m <= BigUint::one() {
            continue;
        }
        let ml = limbs(&m);
        let ctx = Mont::<N>::new(&ml);
        let r = BigUint::one() << (64 * N);
        assert_eq!(big(&ctx.one()), &r % &m, "R mod m");
        assert_eq!(big(&ctx.r2()), (&r * &r) % &m, "R^2 mod m");
        let rinv = crate::math::modular::mod_inverse(&(&r % &m), &m).unwrap();
        let mut specials = vec![BigUint::from(0u32), BigUint::one(), &m - 1u32];
        for _ in 0..6 {
            specials.push(rng.gen_biguint_below(&m));
        }
        for a in &specials {
            for b in &specials {
                let al = pad::<N>(&limbs(a));
                let bl = pad::<N>(&limbs(b));
                assert_eq!(big(&ctx.mul(&al, &bl)), (a * b * &rinv) % &m, "mul");
                assert_eq!(big(&ctx.add(&al, &bl)), (a + b) % &m, "add");
                assert_eq!(big(&ctx.sub(&al, &bl)), (a + &m - b) % &m, "sub");
            }
            let al = pad::<N>(&limbs(a));
            assert_eq!(big(&ctx.sqr(&al)), (a * a * &rinv) % &m, "sqr");
            assert_eq!(ctx.sqr(&al), ctx.sqr_sos(&al), "sqr vs sos");
            assert_eq!(ctx.sqr(&al), ctx.sqr_loops(&al), "sqr vs loops");
            assert_eq!(ctx.mul(&al, &al), ctx.mul_cios(&al, &al), "mul vs cios");
            assert_eq!(big(&ctx.dbl(&al)), (a * 2u32) % &m, "dbl");
            let h = big(&ctx.half(&al));
            assert_eq!((h * 2u32) % &m, a % &m, "half");
            // to/from Montgomery round trip
            let am = ctx.to_mont(&al, &ctx.r2());
            assert_eq!(big(&ctx.out_of_mont(&am)), a.clone(), "round trip");
        }
        // modexp against num-bigint
        let base = rng.gen_biguint_below(&m);
        let exp = rng.gen_biguint(bits);
        let got = modpow_n::<N>(&limbs(&base), &limbs(&exp), &ml);
        assert_eq!(big(&got), base.modpow(&exp, &m), "modpow");
        let e2 = rng.gen_biguint(bits);
        let p2 = ctx.out_of_mont(&ctx.pow2(&limbs(&e2)));
        assert_eq!(big(&p2), BigUint::from(2u32).modpow(&e2, &m), "pow2");
        assert_eq!(
            big(&ctx.out_of_mont(&ctx.pow2(&[0]))),
            BigUint::one() % &m,
            "2^0"
        );
        assert_eq!(
            big(&ctx.out_of_mont(&ctx.pow2(&[5]))),
            BigUint::from(32u32) % &m,
            "2^5"
        );
    }
}

#[test]
fn montgomery_matches_num_bigint() {
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    check_width::<1>(&mut rng, 64);
    check_width::<1>(&mut rng, 17);
    check_width::<2>(&mut rng, 128);
    check_width::<2>(&mut rng, 100);
    check_width::<3>(&mut rng, 190);
    check_width::<4>(&mut rng, 256);
    check_width::<6>(&mut rng, 300); // padded width
    check_width::<8>(&mut rng, 512);
    check_width::<16>(&mut rng, 1024);
    check_width::<16>(&mut rng, 1000);
    check_width::<32>(&mut rng, 2048);
}

thread_local! {
    /// Montgomery products (mul_ct + sqr_ct) run on this thread, for the fixed-count test.
    pub(super) static CT_PRODUCTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn products<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = CT_PRODUCTS.with(|c| c.get());
    let r = f();
    (r, CT_PRODUCTS.with(|c| c.get()) - before)
}

/// pow_ct against num-bigint at one width: random exponents below and at the bound, 0, 1,
/// all ones, exponents with zero limbs on top, one longer than the bound; and the same number
/// of Montgomery products for every exponent within the bound.
fn check_ct_width<const N: usize>(rng: &mut ChaCha20Rng, mbits: u64, ebits: usize) {
    let mut m = rng.gen_biguint(mbits);
    m.set_bit(0, true);
    m.set_bit(mbits - 1, true);
    let ml = limbs(&m);
    let mut exps = vec![
        BigUint::from(0u32),
        BigUint::one(),
        BigUint::from(2u32),
        (BigUint::one() << ebits) - 1u32,
        BigUint::one() << (ebits - 1),
    ];
    for _ in 0..4 {
        exps.push(rng.gen_biguint(ebits as u64));
    }
    exps.push(rng.gen_biguint((ebits / 3).max(1) as u64));
    let mut counts = Vec::new();
    for e in &exps {
        for base in [
            rng.gen_biguint_below(&m),
            BigUint::one(),
            &m - 1u32,
            BigUint::from(0u32),
        ] {
            let want = base.modpow(e, &m);
            // Exponent limbs as given and with zero limbs on top.
            let mut el = limbs(e);
            let (got, count) = products(|| modpow_ct_n::<N>(&limbs(&base), &el, &ml, ebits));
            assert_eq!(
                big(&got),
                want,
                "pow_ct {mbits}-bit m, {ebits}-bit bound, e = {e}"
            );
            counts.push(count);
            el.extend([0, 0, 0]);
            let got = modpow_ct_n::<N>(&limbs(&base), &el, &ml, ebits);
            assert_eq!(big(&got), want, "zero limbs on top");
            let got = modpow_ct(&limbs(&base), &el, &ml, ebits).unwrap();
            assert_eq!(big(&got), want, "dispatch");
        }
    }
    assert!(
        counts.iter().all(|&c| c == counts[0]),
        "products {counts:?}"
    );
    // Longer than the bound: still right.
    let e = rng.gen_biguint(ebits as u64 + 70) | (BigUint::one() << (ebits + 69));
    let base = rng.gen_biguint_below(&m);
    let got = modpow_ct_n::<N>(&limbs(&base), &limbs(&e), &ml, ebits);
    assert_eq!(big(&got), base.modpow(&e, &m), "exponent past the bound");
}

#[test]
fn constant_time_pow_matches_num_bigint_at_every_width() {
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    check_ct_width::<1>(&mut rng, 61, 5);
    check_ct_width::<1>(&mut rng, 64, 64);
    check_ct_width::<2>(&mut rng, 127, 40);
    check_ct_width::<3>(&mut rng, 190, 190);
    check_ct_width::<4>(&mut rng, 256, 100);
    check_ct_width::<6>(&mut rng, 330, 330);
    check_ct_width::<8>(&mut rng, 512, 160);
    check_ct_width::<12>(&mut rng, 700, 700);
    check_ct_width::<16>(&mut rng, 1024, 1024 + 20);
    check_ct_width::<24>(&mut rng, 1500, 256);
    check_ct_width::<32>(&mut rng, 2048, 2048 + 8);
    check_ct_width::<48>(&mut rng, 3000, 300);
    check_ct_width::<64>(&mut rng, 4096, 256);
    check_ct_width::<80>(&mut rng, 5000, 129);
    check_ct_width::<96>(&mut rng, 6144, 97);
    check_ct_width::<128>(&mut rng, 8192, 64);
    check_ct_width::<160>(&mut rng, 10000, 33);
    check_ct_width::<192>(&mut rng, 12288, 40);
    check_ct_width::<256>(&mut rng, 16384, 96);
}

#[test]
fn ct_lookup_reads_the_right_entry() {
    let table: Vec<[u64; 3]> = (0..32u64).map(|i| [i, i * 7, !i]).collect();
    for idx in 0..32u64 {
        let mut out = [9u64; 3];
        ct_lookup(&table, idx, &mut out);
        assert_eq!(out, table[idx as usize]);
    }
}

#[test]
fn branch_free_subtraction_matches_the_branchy_one() {
    let mut rng = ChaCha20Rng::from_seed([10; 32]);
    for _ in 0..200 {
        let mut m = rng.gen_biguint(256);
        m.set_bit(0, true);
        m.set_bit(255, true);
        let ctx = Mont::<4>::new(&limbs(&m));
        // t + carry 2^256 < 2m: take t < 2m and split off the carry.
        let t = rng.gen_biguint_below(&(&m * 2u32));
        let carry = (&t >> 256u32 != BigUint::from(0u32)) as u64;
        let low = pad::<4>(&limbs(&(&t & ((BigUint::one() << 256) - 1u32))));
        assert_eq!(ctx.sub_ct(low, carry), ctx.sub_if_needed(low, carry));
        assert_eq!(big(&ctx.sub_ct(low, carry)), &t % &m);
    }
}

#[test]
fn wide_moduli_take_the_montgomery_path() {
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    for bits in [4097u64, 5120, 6144, 8192, 12288, 16384] {
        let mut m = rng.gen_biguint(bits);
        m.set_bit(0, true);
        m.set_bit(bits - 1, true);
        let b = rng.gen_biguint_below(&m);
        let e = rng.gen_biguint(128);
        let got = modpow(&limbs(&b), &limbs(&e), &limbs(&m)).expect("Montgomery width");
        assert_eq!(big(&got), b.modpow(&e, &m), "{bits} bits");
    }
    assert!(modpow(&[3], &[5], &[1; 257]).is_none(), "past 16384 bits");
}

#[test]
fn dispatch_and_padding() {
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    for bits in [65u64, 200, 320, 700, 1500, 3000] {
        let mut m = rng.gen_biguint(bits);
        m.set_bit(0, true);
        m.set_bit(bits - 1, true);
        let b = rng.gen_biguint_below(&m);
        let e = rng.gen_biguint(bits);
        let got = modpow(&limbs(&b), &limbs(&e), &limbs(&m)).unwrap();
        assert_eq!(big(&got), b.modpow(&e, &m));
    }
}

/// The checked-in `unrolled.rs` is exactly what its generator writes (as tests/cli/docs.rs does for
/// the man pages): edits go to `gen_unrolled.rs`, then `cargo run --example gen-unrolled`.
#[test]
fn unrolled_rs_is_what_the_generator_writes() {
    let generated = super::gen_unrolled::render();
    assert!(
        include_str!("unrolled.rs") == generated,
        "src/math/mont/unrolled.rs is stale or edited by hand: run `cargo run --example gen-unrolled` and commit the result"
    );
}

/// A modulus the engine cannot take (empty, 1, even: a power of two would hit the `unreachable!`
/// in `Mont::new`) is answered None by every entry point, never a panic.
#[test]
fn unusable_moduli_are_none() {
    for m in [
        &[][..],
        &[1u64][..],
        &[4u64][..],
        &[0u64, 1][..],
        &[1u64 << 63][..],
    ] {
        assert!(modpow(&[3], &[5], m).is_none(), "{m:?}");
        assert!(sqr_chain(&[3], m, 2, true).is_none(), "{m:?}");
        assert!(modpow_sqr(&[3], &[5], m, false).is_none(), "{m:?}");
        assert!(modpow_ct(&[3], &[5], m, 8).is_none(), "{m:?}");
        assert!(
            euler2(m).is_none() && mr2(m).is_none() && mr(m, &[2]).is_none(),
            "{m:?}"
        );
        assert!(strong_lucas(m, 5, false, 1, true).is_none(), "{m:?}");
    }
    assert_eq!(modpow(&[3], &[5], &[7]), Some(vec![5])); // 3^5 = 243 = 34*7 + 5
}
