//! The numbers of a share set are attacker input (issue 18): a set is only hashed, so anyone can
//! write one with N = 0, p = 0, q = 1 or a verification base v = 1. Every reader validates them
//! here, once, before any arithmetic: sizes, ranges, the registration checks of `key check` on the
//! public key, and the group structure the schemes rely on. Later code may then divide, invert and
//! exponentiate without panicking or looping.

use num_bigint::BigUint;
use num_traits::{One, Zero};

use super::rsa::RsaSetPublic;
use crate::keys::check::check_key;
use crate::keys::elgamal::ElGamalPublic;
use crate::keys::{Key, PublicKey};
use crate::math::modular::jacobi;
use crate::math::prime::is_probable_prime;
use crate::{Error, Result};

/// The largest modulus a set may use: kmi's key size limit (keys::encoding::MAX_KEY_BITS).
const MAX_SET_BITS: u64 = crate::keys::encoding::MAX_KEY_BITS;

/// How much longer than N a reshared Shoup set's integer shares may grow (each reshare adds a
/// few hundred bits for small sets: docs/reshare.md 3); beyond this the set is refused.
pub const MAX_EXTRA_SHARE_BITS: u64 = 32_768;

fn too_large(what: &str, bits: u64) -> Error {
    Error::format(format!(
        "share set {what} has {bits} bits; kmi reads sets of at most {MAX_SET_BITS} bits"
    ))
}

/// The registration checks of `kmi key check` (public part), run on a set's public key (or a key
/// kmi is asked to encrypt to or split); the error names the first check that failed.
pub fn registration_check(key: &Key, what: &str) -> Result<()> {
    let report = check_key(key, false);
    match report.first_failure() {
        None => Ok(()),
        Some(failure) => {
            let check = report
                .results
                .iter()
                .find(|r| r.failure.is_some())
                .map(|r| r.check.clone())
                .unwrap_or_default();
            Err(Error::check(format!(
                "{what} fails the registration check \"{check}\": {failure}"
            )))
        }
    }
}

/// A Shoup set: the public key passes `key check`, e is a prime above n (Shoup's requirement,
/// so 4 Delta^2 and e are coprime), and v and every v_i are units with Jacobi symbol 1, v not +-1.
pub fn rsa_set(r: &RsaSetPublic) -> Result<()> {
    let n = &r.key.n;
    if n.bits() > MAX_SET_BITS {
        return Err(too_large("modulus", n.bits()));
    }
    if r.key.e.bits() > n.bits() {
        return Err(Error::format("share set public exponent is larger than N"));
    }
    registration_check(
        &Key::Public(PublicKey::Rsa(r.key.clone())),
        "the set's RSA key",
    )?;
    if !is_probable_prime(&r.key.e) || r.key.e <= BigUint::from(r.total) {
        return Err(Error::check(format!(
            "the set's RSA exponent e = {} is not a prime above the number of shares ({})",
            r.key.e, r.total
        )));
    }
    check_verification_base(&r.v, n)?;
    // A reshared set's integer shares (docs/reshare.md 3): longer than N, but bounded.
    if r.share_bits < n.bits() || r.share_bits > n.bits() + MAX_EXTRA_SHARE_BITS {
        return Err(Error::format(format!(
            "the set's share size of {} bits is outside {}..={} for its {}-bit modulus",
            r.share_bits,
            n.bits(),
            n.bits() + MAX_EXTRA_SHARE_BITS,
            n.bits()
        )));
    }
    if r.offset.bits() > r.share_bits {
        return Err(Error::format(
            "the set's share offset is larger than its shares may be",
        ));
    }
    for (i, vk) in r.verification_keys.iter().enumerate() {
        if vk.is_zero() || vk >= n || jacobi(vk, n) != 1 {
            return Err(Error::check(format!(
                "the set's verification key v_{} is not a square unit mod N",
                i + 1
            )));
        }
    }
    Ok(())
}

/// Issue 10 item 9: Shoup's v must generate the squares mod N. v = 1 or v = N - 1 (order 1 or 2)
/// makes every v_i the same and every share and proof "verify"; v outside (1, N - 1) is not an
/// element at all. Squares have Jacobi symbol 1: a cheap necessary check (N odd, checked before).
pub fn check_verification_base(v: &BigUint, n: &BigUint) -> Result<()> {
    let one = BigUint::one();
    if n <= &BigUint::from(3u32) {
        return Err(Error::check("the set's modulus is too small"));
    }
    let n_minus_1 = n - &one;
    if v <= &one || v >= &n_minus_1 {
        return Err(Error::check(
            "the set's verification base v is degenerate (v must lie in (1, N - 1))",
        ));
    }
    if jacobi(v, n) != 1 {
        return Err(Error::check(
            "the set's verification base v is not a square mod N (Jacobi symbol is not 1)",
        ));
    }
    Ok(())
}

/// A Feldman set: the public key passes `key check` (p, q prime, q | p - 1, g and y of order q),
/// q is larger than any index, and there are k commitments in (0, p) with C_0 = y. Subgroup
/// membership of C_1.. is `ShareSet::check_public` (k exponentiations).
pub fn elgamal_set(public: &ElGamalPublic, total: u32, commitments: &[BigUint]) -> Result<()> {
    let g = &public.group;
    if g.p.bits() > MAX_SET_BITS {
        return Err(too_large("group prime p", g.p.bits()));
    }
    if g.q.bits() > g.p.bits() || g.g.bits() > g.p.bits() || public.y.bits() > g.p.bits() {
        return Err(Error::format(
            "share set group values are larger than its prime p",
        ));
    }
    registration_check(
        &Key::Public(PublicKey::ElGamal(public.clone())),
        "the set's ElGamal key",
    )?;
    if g.q <= BigUint::from(total) {
        return Err(Error::check(format!(
            "the set's group order q is not larger than the number of shares ({total})"
        )));
    }
    if commitments.first() != Some(&public.y) {
        return Err(Error::check(
            "the set's first commitment is not the public key y",
        ));
    }
    if commitments.iter().any(|c| c.is_zero() || c >= &g.p) {
        return Err(Error::check("a commitment of the set is not in (0, p)"));
    }
    Ok(())
}
