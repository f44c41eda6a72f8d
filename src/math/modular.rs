//! Modular-arithmetic helpers shared by keys, checks and (later) threshold schemes.

use num_bigint::{BigInt, BigUint, RandBigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Zero};
use rand_core::CryptoRngCore;

/// x^-1 mod m, or None when gcd(x, m) != 1.
pub fn mod_inverse(x: &BigUint, m: &BigUint) -> Option<BigUint> {
    if m.is_zero() {
        return None;
    }
    let m_int = BigInt::from(m.clone());
    let ext = BigInt::from(x % m).extended_gcd(&m_int);
    if !ext.gcd.is_one() {
        return None;
    }
    let inv = ext.x.mod_floor(&m_int);
    inv.to_biguint()
}

/// The Jacobi symbol (a/n) for odd n > 0: 1, -1 or 0.
pub fn jacobi(a: &BigUint, n: &BigUint) -> i8 {
    assert!(n.is_odd(), "Jacobi symbol needs an odd modulus");
    let mut a = a % n;
    let mut n = n.clone();
    let mut result = 1i8;
    while !a.is_zero() {
        let twos = a.trailing_zeros().unwrap_or(0);
        a >>= twos as usize;
        // (2/n) = -1 exactly when n = 3 or 5 (mod 8).
        let n_mod_8 = n.iter_u32_digits().next().unwrap_or(0) & 7;
        if twos % 2 == 1 && (n_mod_8 == 3 || n_mod_8 == 5) {
            result = -result;
        }
        // Quadratic reciprocity: flip when both are 3 mod 4.
        let a_mod_4 = a.iter_u32_digits().next().unwrap_or(0) & 3;
        if a_mod_4 == 3 && n_mod_8 & 3 == 3 {
            result = -result;
        }
        std::mem::swap(&mut a, &mut n);
        a %= &n;
    }
    if n.is_one() {
        result
    } else {
        0
    }
}

/// If n = b^k for some integer b and k >= 2, returns (b, k) with the largest such k found first
/// among primes k. Used to reject RSA moduli that are perfect powers.
pub fn perfect_power(n: &BigUint) -> Option<(BigUint, u32)> {
    perfect_power_no_factor_below(n, 2)
}

/// `perfect_power` for an n known to have no prime factor below `bound` (>= 2): a base b is then
/// at least `bound`, so b^k = n needs k <= log2(n) / floor(log2(bound)) and only those k are
/// tried. After trial division to 2^16 that is |n|/16 exponents instead of |n| (each try is an
/// nth root of n: for 8192- and 16384-bit moduli this loop was most of `key check`'s time).
pub fn perfect_power_no_factor_below(n: &BigUint, bound: u32) -> Option<(BigUint, u32)> {
    if n <= &BigUint::one() {
        return None;
    }
    let log2_bound = 31 - bound.max(2).leading_zeros();
    let max_k = (n.bits() / log2_bound as u64) as u32;
    // Only prime exponents need testing: b^(jk) = (b^j)^k.
    for k in 2..=max_k {
        if !is_small_prime(k) {
            continue;
        }
        let root = n.nth_root(k);
        if root > BigUint::one() && root.pow(k) == *n {
            return Some((root, k));
        }
        if root <= BigUint::one() {
            break;
        }
    }
    None
}

fn is_small_prime(k: u32) -> bool {
    k >= 2 && (2..).take_while(|d| d * d <= k).all(|d| k % d != 0)
}

/// The odd primes below `bound`, by a simple sieve (used for trial division in key checks).
pub fn small_primes(bound: u32) -> Vec<u32> {
    let bound = bound as usize;
    let mut composite = vec![false; bound];
    let mut primes = Vec::new();
    for i in 2..bound {
        if !composite[i] {
            primes.push(i as u32);
            let mut j = i * i;
            while j < bound {
                composite[j] = true;
                j += i;
            }
        }
    }
    primes
}

/// The smallest prime factor of `n` below `bound`, if any (n itself excluded).
pub fn small_factor(n: &BigUint, bound: u32) -> Option<u32> {
    small_primes(bound)
        .into_iter()
        .find(|&r| (n % r).is_zero() && n != &BigUint::from(r))
}

/// A uniform integer in [low, high).
pub fn random_range(rng: &mut dyn CryptoRngCore, low: &BigUint, high: &BigUint) -> BigUint {
    let mut adapter = RngAdapter(rng);
    adapter.gen_biguint_range(low, high)
}

/// Lets num-bigint's `RandBigInt` draw from a `dyn CryptoRngCore`.
struct RngAdapter<'a>(&'a mut dyn CryptoRngCore);

impl rand::RngCore for RngAdapter<'_> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.0.try_fill_bytes(dest)
    }
}

/// Least common multiple.
pub fn lcm(a: &BigUint, b: &BigUint) -> BigUint {
    a.lcm(b)
}

/// Convert a signed value into [0, m). m = 0 gives 0 (as `pow_mod` does; num-bigint would
/// divide by zero).
pub fn reduce_signed(x: &BigInt, m: &BigUint) -> BigUint {
    if m.is_zero() {
        return BigUint::zero();
    }
    let m_int = BigInt::from_biguint(Sign::Plus, m.clone());
    // mod_floor by a positive modulus lies in [0, m): its magnitude is the value.
    x.mod_floor(&m_int).magnitude().clone()
}

/// base^exp mod m for a PUBLIC exponent (verification, checks, public keys): variable time, so
/// the exponent's bit pattern shows in the timing. For a secret exponent use `pow_mod_secret`.
/// m = 0 gives 0 (num-bigint would panic; key checks reject such moduli with a message).
pub fn pow_mod(base: &BigUint, exp: &BigUint, m: &BigUint) -> BigUint {
    // The Montgomery backend is about 1.7x faster than num-bigint at 1024-2048 bits (see
    // benches/safe_prime.rs) and serves every odd modulus up to 16384 bits; num-bigint covers
    // even moduli.
    if m.is_zero() {
        return BigUint::zero();
    }
    crate::math::mont::modpow_odd(base, exp, m).unwrap_or_else(|| base.modpow(exp, m))
}

/// base^exp mod m for a SECRET exponent (Shoup partials x^(2 Delta s_i), their proofs' r, share
/// values, private keys x and d, blinding factors) or a secret base: constant time in exp and
/// base for a given modulus width and `exp_bits` (issue 10 item 11). `exp_bits` is a public upper
/// bound on the exponent's length (|q| for an ElGamal exponent, |N| + |2 Delta| for a Shoup
/// partial): the exponent is padded to it, so every exponent below the bound costs the same
/// fixed-window sequence of Montgomery products and table scans (`math::mont::Mont::pow_ct`).
/// An exponent longer than the bound is still computed correctly, at its own length.
///
/// Limits: the modulus must be odd (RSA N, an ElGamal p) and at most 16384 bits; an even or
/// out-of-range modulus (only in a key that fails `key check`) falls back to num-bigint, variable
/// time. Converting between num-bigint and limbs and reducing a base >= m go through num-bigint,
/// which is variable time in the numbers' lengths only for the conversions (and fully for the
/// reduction: pass a reduced base when the base is secret).
pub fn pow_mod_secret(base: &BigUint, exp: &BigUint, m: &BigUint, exp_bits: u64) -> BigUint {
    if m.is_zero() {
        return BigUint::zero();
    }
    if base >= m {
        let reduced = crate::math::secret::SecretUint::new(base % m);
        return pow_mod_secret(reduced.expose(), exp, m, exp_bits);
    }
    crate::math::mont::modpow_odd_ct(base, exp, m, exp_bits).unwrap_or_else(|| base.modpow(exp, m))
}

/// base^exp mod m for a signed exponent (a negative one goes through the inverse of base).
pub fn pow_mod_signed(base: &BigUint, exp: &BigInt, m: &BigUint) -> Option<BigUint> {
    match exp.sign() {
        Sign::Minus => {
            let inv = mod_inverse(base, m)?;
            Some(pow_mod(&inv, exp.magnitude(), m))
        }
        _ => Some(pow_mod(base, exp.magnitude(), m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: u64) -> BigUint {
        BigUint::from(v)
    }

    #[test]
    fn inverse() {
        assert_eq!(mod_inverse(&n(3), &n(11)), Some(n(4)));
        assert_eq!(mod_inverse(&n(6), &n(9)), None);
        assert_eq!(mod_inverse(&n(14), &n(11)), Some(n(4)));
    }

    #[test]
    fn jacobi_matches_euler_criterion_for_primes() {
        for p in [3u64, 5, 7, 11, 13, 101, 65537] {
            for a in 0..60u64 {
                let expected = if a % p == 0 {
                    0
                } else if n(a).modpow(&n((p - 1) / 2), &n(p)) == n(1) {
                    1
                } else {
                    -1
                };
                assert_eq!(jacobi(&n(a), &n(p)), expected, "({a}/{p})");
            }
        }
        // Composite modulus: (2/15) = (2/3)(2/5) = (-1)(-1) = 1.
        assert_eq!(jacobi(&n(2), &n(15)), 1);
    }

    #[test]
    fn perfect_powers() {
        assert_eq!(perfect_power(&n(1 << 20)), Some((n(1024), 2)));
        assert_eq!(perfect_power(&n(3u64.pow(7))), Some((n(3), 7)));
        assert_eq!(perfect_power(&n(101 * 103)), None);
        let big = BigUint::from(0xffff_ffff_ffff_ffc5u64).pow(3);
        assert_eq!(perfect_power(&big), Some((n(0xffff_ffff_ffff_ffc5), 3)));
        assert_eq!(perfect_power(&n(1)), None);
        // With a factor bound: the same answers while the base is above the bound.
        let b = BigUint::from(65_537u32);
        for k in [2u32, 3, 5, 7, 11, 13] {
            assert_eq!(
                perfect_power_no_factor_below(&b.pow(k), 1 << 16),
                Some((b.clone(), k))
            );
        }
        assert_eq!(
            perfect_power_no_factor_below(&big, 1 << 16),
            Some((n(0xffff_ffff_ffff_ffc5), 3))
        );
        assert_eq!(
            perfect_power_no_factor_below(&n(65_537 * 65_539), 1 << 16),
            None
        );
    }

    #[test]
    fn pow_mod_matches_num_bigint_on_edge_cases() {
        use rand_chacha::ChaCha20Rng;
        use rand_core::SeedableRng;
        let mut rng = ChaCha20Rng::from_seed([6; 32]);
        for bits in [64u64, 65, 127, 512, 1000, 2048, 3072] {
            let m = {
                let mut m = random_range(
                    &mut rng,
                    &(BigUint::one() << (bits - 1)),
                    &(BigUint::one() << bits),
                );
                m |= BigUint::one();
                m
            };
            for (base, exp) in [
                (BigUint::zero(), BigUint::from(5u32)),
                (BigUint::from(7u32), BigUint::zero()),
                (&m + 3u32, BigUint::from(65537u32)),
                (&m - 1u32, &m - 1u32),
                (
                    random_range(&mut rng, &BigUint::zero(), &m),
                    random_range(&mut rng, &BigUint::zero(), &(BigUint::one() << (2 * bits))),
                ),
            ] {
                assert_eq!(
                    pow_mod(&base, &exp, &m),
                    base.modpow(&exp, &m),
                    "bits {bits}"
                );
            }
        }
        assert_eq!(pow_mod(&n(3), &n(4), &n(10)), n(1));
        assert_eq!(pow_mod(&n(3), &n(4), &n(1)), n(0));
    }

    #[test]
    fn small_factors() {
        assert_eq!(small_factor(&n(3 * 1_000_003), 1000), Some(3));
        assert_eq!(small_factor(&n(1_000_003), 1000), None);
        assert_eq!(small_factor(&n(7), 1000), None);
        assert_eq!(small_primes(20), vec![2, 3, 5, 7, 11, 13, 17, 19]);
    }
}
