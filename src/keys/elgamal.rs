//! ElGamal keys over a prime-order subgroup: group (p, q, g) with g of order q, private x in
//! [1, q), public y = g^x mod p. Groups come from a fresh safe prime (the default), a DSA-style
//! search (p = 2hq + 1 with q of a chosen size), or RFC 7919's named groups.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use rand_core::CryptoRngCore;

use super::KeygenProgress;
use crate::math::modular::{pow_mod_secret, random_range};
use crate::math::prime::{prime_with_factor, random_prime, safe_prime, SearchConfig};
use crate::math::secret::SecretUint;
use crate::{Error, Result};

pub const MIN_GENERATE_BITS: usize = 64;
pub const MAX_GENERATE_BITS: usize = 16384;

/// The public group: p prime, q prime dividing p - 1, g of order q.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElGamalGroup {
    pub p: BigUint,
    pub q: BigUint,
    pub g: BigUint,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElGamalPublic {
    pub group: ElGamalGroup,
    pub y: BigUint,
}

#[derive(Debug, Clone)]
pub struct ElGamalPrivate {
    pub public: ElGamalPublic,
    pub x: SecretUint,
}

/// The RFC 7919 finite-field groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedGroup {
    Ffdhe2048,
    Ffdhe3072,
    Ffdhe4096,
    Ffdhe6144,
    Ffdhe8192,
}

impl NamedGroup {
    pub const ALL: [NamedGroup; 5] = [
        NamedGroup::Ffdhe2048,
        NamedGroup::Ffdhe3072,
        NamedGroup::Ffdhe4096,
        NamedGroup::Ffdhe6144,
        NamedGroup::Ffdhe8192,
    ];

    pub fn bits(self) -> usize {
        match self {
            NamedGroup::Ffdhe2048 => 2048,
            NamedGroup::Ffdhe3072 => 3072,
            NamedGroup::Ffdhe4096 => 4096,
            NamedGroup::Ffdhe6144 => 6144,
            NamedGroup::Ffdhe8192 => 8192,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            NamedGroup::Ffdhe2048 => "ffdhe2048",
            NamedGroup::Ffdhe3072 => "ffdhe3072",
            NamedGroup::Ffdhe4096 => "ffdhe4096",
            NamedGroup::Ffdhe6144 => "ffdhe6144",
            NamedGroup::Ffdhe8192 => "ffdhe8192",
        }
    }

    /// The constant X of RFC 7919 appendix A for this group.
    fn offset(self) -> u64 {
        match self {
            NamedGroup::Ffdhe2048 => 560316,
            NamedGroup::Ffdhe3072 => 2625351,
            NamedGroup::Ffdhe4096 => 5736041,
            NamedGroup::Ffdhe6144 => 15705020,
            NamedGroup::Ffdhe8192 => 10965728,
        }
    }

    /// p = 2^b - 2^(b-64) + (floor(2^(b-130) e) + X) * 2^64 - 1, q = (p-1)/2, g = 2
    /// (RFC 7919 appendix A). Computed rather than pasted, and checked against openssl in tests.
    pub fn group(self) -> ElGamalGroup {
        let b = self.bits();
        let one = BigUint::one();
        let e_scaled = e_fixed_point(b - 130);
        let p = (&one << b) - (&one << (b - 64)) + ((e_scaled + self.offset()) << 64usize) - &one;
        let q = (&p - &one) >> 1usize;
        ElGamalGroup {
            p,
            q,
            g: BigUint::from(2u32),
        }
    }

    /// The named group with exactly this p and q (g may differ; it is checked on its own).
    pub fn identify(group: &ElGamalGroup) -> Option<NamedGroup> {
        NamedGroup::ALL.into_iter().find(|n| {
            n.bits() as u64 == group.p.bits() && {
                let named = n.group();
                named.p == group.p && named.q == group.q
            }
        })
    }
}

/// floor(e * 2^frac_bits), from the series sum 1/k! carried with 64 guard bits.
fn e_fixed_point(frac_bits: usize) -> BigUint {
    const GUARD: usize = 64;
    let mut term = BigUint::one() << (frac_bits + GUARD);
    let mut sum = term.clone();
    let mut k = 1u32;
    while !term.is_zero() {
        term /= k;
        sum += &term;
        k += 1;
    }
    sum >> GUARD
}

/// How to obtain the group for a new key.
#[derive(Debug, Clone, Copy)]
pub enum GroupSpec {
    /// A fresh safe prime p = 2q + 1 of `bits` bits, g = 4 (a square, so of order q).
    SafePrime {
        bits: usize,
    },
    /// q of `q_bits` bits, p = 2hq + 1 of `bits` bits, g = h^((p-1)/q) for the first h giving g != 1.
    DsaStyle {
        bits: usize,
        q_bits: usize,
    },
    Named(NamedGroup),
}

pub fn generate_group(
    spec: GroupSpec,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn KeygenProgress,
) -> Result<ElGamalGroup> {
    let check_bits = |bits: usize| {
        if (MIN_GENERATE_BITS..=MAX_GENERATE_BITS).contains(&bits) {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "--bits {bits}: ElGamal groups must have {MIN_GENERATE_BITS} to {MAX_GENERATE_BITS} bits"
            )))
        }
    };
    match spec {
        GroupSpec::Named(n) => Ok(n.group()),
        GroupSpec::SafePrime { bits } => {
            check_bits(bits)?;
            progress.stage(&format!("p: {bits}-bit safe prime"));
            let p = safe_prime(bits, false, rng, cfg, progress)?;
            let q = (&p - 1u32) >> 1usize;
            Ok(ElGamalGroup {
                p,
                q,
                g: BigUint::from(4u32),
            })
        }
        GroupSpec::DsaStyle { bits, q_bits } => {
            check_bits(bits)?;
            if q_bits < 32 || q_bits + 16 > bits {
                return Err(Error::invalid(format!(
                    "--q-bits {q_bits}: must be at least 32 and at least 16 bits below --bits {bits}"
                )));
            }
            progress.stage(&format!("q: {q_bits}-bit prime"));
            let q = random_prime(q_bits, false, rng, cfg, progress)?;
            progress.stage(&format!("p: {bits}-bit prime with q | p - 1"));
            let p = prime_with_factor(bits, &q, rng, cfg, progress)?;
            let cofactor = (&p - 1u32) / &q;
            let one = BigUint::one();
            let mut h = BigUint::from(2u32);
            loop {
                let g = h.modpow(&cofactor, &p);
                if g != one {
                    return Ok(ElGamalGroup { p, q, g });
                }
                h += 1u32;
            }
        }
    }
}

/// A key pair in `group`: x uniform in [1, q), y = g^x mod p.
pub fn generate_key(group: ElGamalGroup, rng: &mut dyn CryptoRngCore) -> ElGamalPrivate {
    let x = SecretUint::new(random_range(rng, &BigUint::one(), &group.q));
    let y = pow_mod_secret(&group.g, x.expose(), &group.p, group.q.bits());
    ElGamalPrivate {
        public: ElGamalPublic { group, y },
        x,
    }
}

impl ElGamalGroup {
    /// p = 2q + 1 (the structure the threshold scheme's cheap subgroup test relies on).
    pub fn is_safe_prime_group(&self) -> bool {
        self.p == (&self.q << 1usize) + 1u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_digits_are_right() {
        // e = 2.718281828459045... ; floor(e * 10^15) from the binary fixed point.
        let e = e_fixed_point(128);
        let scaled = (e * BigUint::from(10u64.pow(15))) >> 128usize;
        assert_eq!(scaled, BigUint::from(2_718_281_828_459_045u64));
    }

    #[test]
    fn ffdhe2048_has_the_published_shape() {
        let g = NamedGroup::Ffdhe2048.group();
        assert_eq!(g.p.bits(), 2048);
        // RFC 7919: the prime starts with 64 one bits and ends with 64 one bits.
        let hex = format!("{:x}", g.p);
        assert!(hex.starts_with("ffffffffffffffffadf85458a2bb4a9a"), "{hex}");
        assert!(hex.ends_with("886b423861285c97ffffffffffffffff"), "{hex}");
        assert!(g.is_safe_prime_group());
    }

    #[test]
    fn named_groups_are_identified_by_p_and_q() {
        let g = NamedGroup::Ffdhe3072.group();
        assert_eq!(NamedGroup::identify(&g), Some(NamedGroup::Ffdhe3072));
        let mut other_q = g.clone();
        other_q.q = &g.p - 1u32;
        assert_eq!(NamedGroup::identify(&other_q), None);
    }
}
