//! The arithmetic of GJKR's DKG (Gennaro, Jarecki, Krawczyk, Rabin, "Secure Distributed Key
//! Generation for Discrete-Log Based Cryptosystems", J. Cryptology 20(1), 2007, Fig. 2):
//! the second generator h (docs/dkg.md section 2), Pedersen VSS dealing and share checks
//! (Pedersen, CRYPTO '91, "Non-interactive and information-theoretic secure verifiable secret
//! sharing"; docs/dkg.md section 3), the extraction phase's Feldman commitments with a proof
//! that they match the Pedersen ones (section 4), and polynomial interpolation for a dealer
//! whose extraction must be rebuilt from its shares (section 5).

use num_bigint::BigUint;
use num_traits::{One, Zero};
use rand_core::CryptoRngCore;

use crate::keys::elgamal::ElGamalGroup;
use crate::math::lagrange::coefficients_mod;
use crate::math::modular::{mod_inverse, pow_mod, pow_mod_secret, random_range};
use crate::math::secret::SecretUint;
use crate::threshold::elgamal::commitments_in_subgroup;
use crate::threshold::file::{from_uint, to_uint, PedersenCommitments};
use crate::threshold::transcript::challenge;
use crate::{Error, Result};

use super::files::H_DERIVATION;

/// How many counters `derive_h` tries before giving up (each fails with probability about
/// 3/q; reaching this bound means the group is broken).
const H_MAX_TRIES: u32 = 256;

/// Weights of the batch check of a reveal proof: a bad proof passes with probability 2^-128.
const BATCH_WEIGHT_BITS: u64 = 128;

/// h = (SHA-256 counter mode over "kmi dkg h v1", p, q, g, counter, |p| + 128 bits, mod p)
/// ^ ((p - 1) / q) mod p, for the first counter (from 0) that gives h not in {0, 1, g}: an
/// element of the order-q subgroup whose logarithm to base g nobody knows (docs/dkg.md 2).
/// The hash is `transcript::challenge` (each input length-prefixed, the label first).
pub fn derive_h(group: &ElGamalGroup) -> Result<(BigUint, u32)> {
    let (p, q, g) = (&group.p, &group.q, &group.g);
    let cofactor = (p - 1u32) / q;
    let one = BigUint::one();
    for counter in 0..H_MAX_TRIES {
        let c = BigUint::from(counter);
        let t = challenge(H_DERIVATION, &[p, q, g, &c], p.bits() as usize + 128) % p;
        let h = pow_mod(&t, &cofactor, p);
        if !h.is_zero() && h != one && &h != g {
            return Ok((h, counter));
        }
    }
    Err(Error::check(
        "no second generator h found in the group (is q a large prime factor of p - 1?)",
    ))
}

/// A dealer's two secret polynomials: a (its contribution z = a_0 to the key) and b (the
/// Pedersen blinding), each of degree k - 1, with their commitments C_t = g^(a_t) h^(b_t).
pub struct Dealing {
    pub a: Vec<SecretUint>,
    pub b: Vec<SecretUint>,
    pub commitments: Vec<BigUint>,
}

/// Draw both polynomials uniformly mod q and commit to them.
pub fn deal(group: &ElGamalGroup, h: &BigUint, k: u32, rng: &mut dyn CryptoRngCore) -> Dealing {
    let q = &group.q;
    let draw =
        |rng: &mut dyn CryptoRngCore| SecretUint::new(random_range(rng, &BigUint::zero(), q));
    let a: Vec<SecretUint> = (0..k).map(|_| draw(rng)).collect();
    let b: Vec<SecretUint> = (0..k).map(|_| draw(rng)).collect();
    let commitments = a
        .iter()
        .zip(&b)
        .map(|(at, bt)| pedersen(group, h, at.expose(), bt.expose()))
        .collect();
    Dealing { a, b, commitments }
}

/// g^s h^r mod p, both exponents secret.
pub fn pedersen(group: &ElGamalGroup, h: &BigUint, s: &BigUint, r: &BigUint) -> BigUint {
    let bits = group.q.bits();
    pow_mod_secret(&group.g, s, &group.p, bits) * pow_mod_secret(h, r, &group.p, bits) % &group.p
}

/// f(j) mod q by Horner's rule.
pub fn evaluate(coefficients: &[SecretUint], j: u32, q: &BigUint) -> SecretUint {
    let x = BigUint::from(j);
    let mut acc = BigUint::zero();
    for c in coefficients.iter().rev() {
        acc = (acc * &x + c.expose()) % q;
    }
    SecretUint::new(acc)
}

/// prod_t C_t^(j^t) mod p: what g^(s_ij) h^(s'_ij) (or g^(s_ij), for Feldman commitments)
/// must equal.
pub fn expected(group: &ElGamalGroup, commitments: &[BigUint], j: u32) -> BigUint {
    crate::threshold::elgamal::expected_public_share(group, commitments, j)
}

/// Party j's check of its pair from a dealer (GJKR Fig. 2 step 1(b), Eq. 4).
pub fn verify_pair(
    group: &ElGamalGroup,
    h: &BigUint,
    commitments: &[BigUint],
    j: u32,
    s: &BigUint,
    r: &BigUint,
) -> bool {
    s < &group.q && r < &group.q && pedersen(group, h, s, r) == expected(group, commitments, j)
}

/// The public checks of a list of commitments: k of them, every one in the order-q subgroup.
pub fn check_commitments(
    group: &ElGamalGroup,
    commitments: &[BigUint],
    k: u32,
) -> std::result::Result<(), String> {
    if commitments.len() != k as usize {
        return Err(format!(
            "has {} commitments for a threshold of {k}",
            commitments.len()
        ));
    }
    if !commitments_in_subgroup(group, commitments) {
        return Err("has a commitment outside the order-q subgroup".into());
    }
    Ok(())
}

/// The extraction phase's commitments A_t = g^(a_t), with a proof that C_t / A_t = h^(b_t):
/// for every t, Schnorr commitments u_t = g^(w_t), v_t = h^(w'_t) and responses
/// z_t = w_t + c a_t, z'_t = w'_t + c b_t mod q under one challenge c over the round, the
/// dealer, C, A, u and v (docs/dkg.md section 4).
pub struct Reveal {
    pub commitments: Vec<BigUint>,
    pub u: Vec<BigUint>,
    pub v: Vec<BigUint>,
    pub z: Vec<BigUint>,
    pub z_blind: Vec<BigUint>,
}

fn reveal_challenge(
    group: &ElGamalGroup,
    context: &[u8],
    pedersen: &[BigUint],
    feldman: &[BigUint],
    u: &[BigUint],
    v: &[BigUint],
) -> BigUint {
    let ctx = BigUint::from_bytes_be(context);
    let mut values: Vec<&BigUint> = vec![&group.p, &group.q, &group.g, &ctx];
    values.extend(pedersen);
    values.extend(feldman);
    values.extend(u);
    values.extend(v);
    let bits = (group.q.bits() as usize).min(256);
    challenge("kmi dkg reveal v1", &values, bits) % &group.q
}

/// Make the reveal of a dealing. `context` binds the proof (the round digest and the dealer).
pub fn reveal(
    group: &ElGamalGroup,
    h: &BigUint,
    dealing: &Dealing,
    context: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Reveal {
    let (p, q) = (&group.p, &group.q);
    let bits = q.bits();
    let commitments: Vec<BigUint> = dealing
        .a
        .iter()
        .map(|a| pow_mod_secret(&group.g, a.expose(), p, bits))
        .collect();
    let draw =
        |rng: &mut dyn CryptoRngCore| SecretUint::new(random_range(rng, &BigUint::zero(), q));
    let w: Vec<SecretUint> = dealing.a.iter().map(|_| draw(rng)).collect();
    let w2: Vec<SecretUint> = dealing.a.iter().map(|_| draw(rng)).collect();
    let u: Vec<BigUint> = w
        .iter()
        .map(|x| pow_mod_secret(&group.g, x.expose(), p, bits))
        .collect();
    let v: Vec<BigUint> = w2
        .iter()
        .map(|x| pow_mod_secret(h, x.expose(), p, bits))
        .collect();
    let c = reveal_challenge(group, context, &dealing.commitments, &commitments, &u, &v);
    let z = w
        .iter()
        .zip(&dealing.a)
        .map(|(w, a)| (w.expose() + &c * a.expose()) % q)
        .collect();
    let z_blind = w2
        .iter()
        .zip(&dealing.b)
        .map(|(w, b)| (w.expose() + &c * b.expose()) % q)
        .collect();
    Reveal {
        commitments,
        u,
        v,
        z,
        z_blind,
    }
}

/// Check a reveal against the dealer's Pedersen commitments: sizes, subgroup membership, and
/// the proof, in one batch with random 128-bit weights r_t:
///   g^(sum r_t z_t) = prod u_t^(r_t) A_t^(c r_t)
///   h^(sum r_t z'_t) prod A_t^(c r_t) = prod v_t^(r_t) C_t^(c r_t)
/// (the second is h^(z'_t) = v_t (C_t / A_t)^c without an inverse).
pub fn verify_reveal(
    group: &ElGamalGroup,
    h: &BigUint,
    pedersen: &[BigUint],
    r: &Reveal,
    context: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> std::result::Result<(), String> {
    let (p, q) = (&group.p, &group.q);
    let k = pedersen.len();
    if r.commitments.len() != k
        || r.u.len() != k
        || r.v.len() != k
        || r.z.len() != k
        || r.z_blind.len() != k
    {
        return Err(format!(
            "reveals {} commitments for a threshold of {k}",
            r.commitments.len()
        ));
    }
    if !commitments_in_subgroup(group, &r.commitments)
        || !commitments_in_subgroup(group, &r.u)
        || !commitments_in_subgroup(group, &r.v)
    {
        return Err("reveals a value outside the order-q subgroup".into());
    }
    if r.z.iter().chain(&r.z_blind).any(|z| z >= q) {
        return Err("reveals a proof response out of range".into());
    }
    let c = reveal_challenge(group, context, pedersen, &r.commitments, &r.u, &r.v);
    let bound = BigUint::one() << BATCH_WEIGHT_BITS;
    let mut ez = BigUint::zero();
    let mut ez2 = BigUint::zero();
    let mut lhs1 = BigUint::one();
    let mut lhs2 = BigUint::one();
    let mut rhs2 = BigUint::one();
    for (t, c_t) in pedersen.iter().enumerate() {
        let w = random_range(rng, &BigUint::one(), &bound);
        let cw = &c * &w % q;
        ez = (ez + &w * &r.z[t]) % q;
        ez2 = (ez2 + &w * &r.z_blind[t]) % q;
        let a_cw = pow_mod(&r.commitments[t], &cw, p);
        lhs1 = lhs1 * pow_mod(&r.u[t], &w, p) % p * &a_cw % p;
        lhs2 = lhs2 * &a_cw % p;
        rhs2 = rhs2 * pow_mod(&r.v[t], &w, p) % p * pow_mod(c_t, &cw, p) % p;
    }
    if pow_mod(&group.g, &ez, p) != lhs1 || pow_mod(h, &ez2, p) * lhs2 % p != rhs2 {
        return Err(
            "reveals Feldman commitments its proof does not tie to its Pedersen commitments".into(),
        );
    }
    Ok(())
}

/// `share split --vss pedersen` (docs/dkg.md section 8): a blinding polynomial b(X) of the
/// dealing's degree, C_t = A_t h^(b_t) over its Feldman commitments A_t (A_0 = y), and the
/// blinding values r_i = b(i) for i = 1..n.
pub fn blind_dealing(
    group: &ElGamalGroup,
    feldman: &[BigUint],
    n: u32,
    rng: &mut dyn CryptoRngCore,
) -> Result<(PedersenCommitments, Vec<SecretUint>)> {
    let (h, counter) = derive_h(group)?;
    let (p, q) = (&group.p, &group.q);
    let b: Vec<SecretUint> = feldman
        .iter()
        .map(|_| SecretUint::new(random_range(rng, &BigUint::zero(), q)))
        .collect();
    let commitments = feldman
        .iter()
        .zip(&b)
        .map(|(a, bt)| to_uint(&(a * pow_mod_secret(&h, bt.expose(), p, q.bits()) % p)))
        .collect::<Result<_>>()?;
    let r = (1..=n).map(|i| evaluate(&b, i, q)).collect();
    Ok((
        PedersenCommitments {
            h_derivation: H_DERIVATION.to_string(),
            h_counter: counter,
            h: to_uint(&h)?,
            commitments,
        },
        r,
    ))
}

/// A Pedersen-dealt set's public checks (on every read): the derivation is kmi's, h is the one
/// derived from the group, and the k commitments lie in the order-q subgroup.
pub fn check_set(group: &ElGamalGroup, k: u32, pd: &PedersenCommitments) -> Result<()> {
    if pd.h_derivation != H_DERIVATION {
        return Err(Error::check(format!(
            "the set's h derivation is \"{}\"; this kmi knows \"{H_DERIVATION}\"",
            pd.h_derivation
        )));
    }
    let (h, counter) = derive_h(group)?;
    if h != from_uint(&pd.h) || counter != pd.h_counter {
        return Err(Error::check(
            "the set's h is not the one derived from its group: its Pedersen commitments bind nothing",
        ));
    }
    let c: Vec<BigUint> = pd.commitments.iter().map(from_uint).collect();
    if c.iter().any(|x| x >= &group.p) {
        return Err(Error::check(
            "a Pedersen commitment of the set is not below p",
        ));
    }
    check_commitments(group, &c, k)
        .map_err(|why| Error::check(format!("the set's Pedersen commitments: {why}")))
}

/// A share of a Pedersen-dealt set: g^(s_i) h^(r_i) = prod C_t^(i^t).
pub fn verify_set_pair(
    group: &ElGamalGroup,
    pd: &PedersenCommitments,
    index: u32,
    s: &BigUint,
    r: &BigUint,
) -> bool {
    let c: Vec<BigUint> = pd.commitments.iter().map(from_uint).collect();
    verify_pair(group, &from_uint(&pd.h), &c, index, s, r)
}

/// The coefficients of the polynomial of degree < k through the points (x_j, y_j) mod q
/// (Lagrange basis polynomials multiplied out): a dealer's polynomial a(X) from k disclosed
/// shares (docs/dkg.md section 5).
pub fn interpolate(points: &[(u32, BigUint)], q: &BigUint) -> Result<Vec<BigUint>> {
    let xs: Vec<u32> = points.iter().map(|(x, _)| *x).collect();
    // Checks the indices (non-zero, distinct) and that q is usable.
    coefficients_mod(&xs, 0, q)?;
    let k = points.len();
    let mut out = vec![BigUint::zero(); k];
    for (j, (xj, yj)) in points.iter().enumerate() {
        // basis(X) = prod_{m != j} (X - x_m) / (x_j - x_m)
        let mut basis = vec![BigUint::one()];
        let mut den = BigUint::one();
        for (m, (xm, _)) in points.iter().enumerate() {
            if m == j {
                continue;
            }
            let neg = (q - (BigUint::from(*xm) % q)) % q;
            let mut next = vec![BigUint::zero(); basis.len() + 1];
            for (d, coef) in basis.iter().enumerate() {
                next[d + 1] = (&next[d + 1] + coef) % q;
                next[d] = (&next[d] + coef * &neg) % q;
            }
            basis = next;
            let diff = (BigUint::from(*xj) + q - (BigUint::from(*xm) % q)) % q;
            den = den * diff % q;
        }
        let inv = mod_inverse(&den, q)
            .ok_or_else(|| Error::internal("interpolation denominator is not invertible"))?;
        let scale = yj * inv % q;
        for (o, b) in out.iter_mut().zip(&basis) {
            *o = (&*o + b * &scale) % q;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn small_group() -> ElGamalGroup {
        let q = BigUint::from(9_223_372_036_854_777_359u64);
        let p = (&q << 1usize) + 1u32;
        ElGamalGroup {
            p,
            q,
            g: BigUint::from(4u32),
        }
    }

    #[test]
    fn h_is_in_the_subgroup_deterministic_and_not_g() {
        for group in [
            small_group(),
            crate::keys::elgamal::NamedGroup::Ffdhe2048.group(),
        ] {
            let (h, counter) = derive_h(&group).unwrap();
            assert_eq!(derive_h(&group).unwrap(), (h.clone(), counter));
            assert_eq!(pow_mod(&h, &group.q, &group.p), BigUint::one());
            assert!(h != group.g && h > BigUint::one());
        }
        // Another g gives another h (the hash covers g).
        let mut other = small_group();
        other.g = BigUint::from(9u32);
        assert_ne!(
            derive_h(&other).unwrap().0,
            derive_h(&small_group()).unwrap().0
        );
    }

    #[test]
    fn pedersen_pairs_verify_and_reveals_prove() {
        let group = small_group();
        let (h, _) = derive_h(&group).unwrap();
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let d = deal(&group, &h, 3, &mut rng);
        for j in 1..=5 {
            let s = evaluate(&d.a, j, &group.q);
            let r = evaluate(&d.b, j, &group.q);
            assert!(verify_pair(
                &group,
                &h,
                &d.commitments,
                j,
                s.expose(),
                r.expose()
            ));
            let s1 = (s.expose() + 1u32) % &group.q;
            assert!(!verify_pair(&group, &h, &d.commitments, j, &s1, r.expose()));
        }
        let rv = reveal(&group, &h, &d, b"ctx", &mut rng);
        verify_reveal(&group, &h, &d.commitments, &rv, b"ctx", &mut rng).unwrap();
        assert!(verify_reveal(&group, &h, &d.commitments, &rv, b"other", &mut rng).is_err());
        // A_0 replaced by g^(a_0 + 1): refused.
        let mut bad = reveal(&group, &h, &d, b"ctx", &mut rng);
        bad.commitments[0] = bad.commitments[0].clone() * &group.g % &group.p;
        assert!(verify_reveal(&group, &h, &d.commitments, &bad, b"ctx", &mut rng).is_err());
        // Feldman check of the shares against A.
        for j in 1..=5 {
            let s = evaluate(&d.a, j, &group.q);
            assert_eq!(
                pow_mod(&group.g, s.expose(), &group.p),
                expected(&group, &rv.commitments, j)
            );
        }
    }

    #[test]
    fn interpolation_recovers_the_coefficients() {
        let group = small_group();
        let mut rng = ChaCha20Rng::from_seed([8; 32]);
        let (h, _) = derive_h(&group).unwrap();
        let d = deal(&group, &h, 4, &mut rng);
        let points: Vec<(u32, BigUint)> = [2u32, 5, 7, 3]
            .iter()
            .map(|&j| (j, evaluate(&d.a, j, &group.q).expose().clone()))
            .collect();
        let coef = interpolate(&points, &group.q).unwrap();
        let want: Vec<BigUint> = d.a.iter().map(|a| a.expose().clone()).collect();
        assert_eq!(coef, want);
        assert!(interpolate(&[(1, BigUint::one()), (1, BigUint::one())], &group.q).is_err());
    }
}
