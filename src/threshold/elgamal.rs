//! Threshold ElGamal with Feldman verifiable secret sharing (math.md section 4).
//!
//! Deal: f(X) = x + c_1 X + ... + c_t X^t mod q, share s_i = f(i), commitments C_0 = y,
//! C_k = g^(c_k). A share verifies when g^(s_i) = prod_k C_k^(i^k). Partial decryption of an
//! ElGamal ciphertext (alpha, beta) is r_i = alpha^(s_i) with a Chaum-Pedersen proof that
//! log_g(g^(s_i)) = log_alpha(r_i); k good partials combine to alpha^x by interpolation in the
//! exponent, and k good shares interpolate to x itself.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use rand_core::CryptoRngCore;

use super::transcript::challenge;
use super::{Proof, SecretShare};
use crate::keys::elgamal::{ElGamalGroup, ElGamalPrivate};
use crate::math::lagrange::coefficients_mod;
use crate::math::modular::{pow_mod, pow_mod_secret, random_range};
use crate::math::secret::SecretUint;
use crate::{Error, Result};

/// The most shares a set may have (index fits one byte, as formats.md's share files assume).
pub const MAX_SHARES: u32 = 255;

/// Weights in batch verification have this many bits: a bad share slips through with
/// probability at most 2^-128.
const BATCH_WEIGHT_BITS: u64 = 128;

/// The result of dealing: public commitments C_0..C_t and the n secret shares.
pub struct Dealing {
    pub commitments: Vec<BigUint>,
    pub shares: Vec<SecretShare>,
}

fn check_threshold(k: u32, n: u32) -> Result<()> {
    if k < 1 || n < 1 || k > n || n > MAX_SHARES {
        return Err(Error::invalid(format!(
            "threshold {k} of {n} shares: need 1 <= threshold <= shares <= {MAX_SHARES}"
        )));
    }
    Ok(())
}

/// Split `key` into n shares, any k of which rebuild it.
pub fn deal(key: &ElGamalPrivate, k: u32, n: u32, rng: &mut dyn CryptoRngCore) -> Result<Dealing> {
    check_threshold(k, n)?;
    let group = &key.public.group;
    let q = &group.q;
    let mut coefficients = vec![SecretUint::new(key.x.expose().clone())];
    for _ in 1..k {
        coefficients.push(SecretUint::new(random_range(rng, &BigUint::zero(), q)));
    }
    let commitments: Vec<BigUint> = std::iter::once(key.public.y.clone())
        .chain(
            coefficients[1..]
                .iter()
                .map(|c| pow_mod_secret(&group.g, c.expose(), &group.p, q.bits())),
        )
        .collect();
    let shares = (1..=n)
        .map(|i| {
            // Horner: f(i) = c_0 + i (c_1 + i (c_2 + ...)) mod q
            let x = BigUint::from(i);
            let mut acc = BigUint::zero();
            for c in coefficients.iter().rev() {
                acc = (acc * &x + c.expose()) % q;
            }
            SecretShare {
                index: i,
                value: SecretUint::new(acc),
            }
        })
        .collect();
    Ok(Dealing {
        commitments,
        shares,
    })
}

/// Every commitment lies in the order-q subgroup (checked before any share is trusted).
pub fn commitments_in_subgroup(group: &ElGamalGroup, commitments: &[BigUint]) -> bool {
    let one = BigUint::one();
    commitments.iter().all(|c| {
        c > &BigUint::zero() && c < &group.p && {
            if group.is_safe_prime_group() {
                // For p = 2q + 1 the order-q subgroup is the quadratic residues: a Jacobi symbol.
                crate::math::modular::jacobi(c, &group.p) == 1
            } else {
                pow_mod(c, &group.q, &group.p) == one
            }
        }
    })
}

/// g^(s_i) as the commitments say it must be: prod_k C_k^(i^k) mod p.
pub fn expected_public_share(group: &ElGamalGroup, commitments: &[BigUint], index: u32) -> BigUint {
    let i = BigUint::from(index);
    let mut power = BigUint::one(); // i^k mod q
    let mut acc = BigUint::one();
    for c in commitments {
        acc = acc * pow_mod(c, &power, &group.p) % &group.p;
        power = power * &i % &group.q;
    }
    acc
}

/// Check one share against the commitments.
pub fn verify_share(group: &ElGamalGroup, commitments: &[BigUint], share: &SecretShare) -> bool {
    share.value.expose() < &group.q
        && pow_mod_secret(&group.g, share.value.expose(), &group.p, group.q.bits())
            == expected_public_share(group, commitments, share.index)
}

/// Check many shares at once with random 128-bit weights r_i:
/// g^(sum r_i s_i) = prod_k C_k^(sum_i r_i i^k), t + 2 exponentiations instead of n (t + 1).
/// A false result means at least one share is bad (find which with `verify_share`).
pub fn batch_verify(
    group: &ElGamalGroup,
    commitments: &[BigUint],
    shares: &[SecretShare],
    rng: &mut dyn CryptoRngCore,
) -> bool {
    if shares.iter().any(|s| s.value.expose() >= &group.q) {
        return false;
    }
    let q = &group.q;
    let bound = BigUint::one() << BATCH_WEIGHT_BITS;
    let mut lhs_exp = BigUint::zero();
    let mut rhs_exps = vec![BigUint::zero(); commitments.len()];
    for s in shares {
        let r = random_range(rng, &BigUint::one(), &bound);
        lhs_exp = (lhs_exp + &r * s.value.expose()) % q;
        let i = BigUint::from(s.index);
        let mut weight = r % q; // r_i i^k mod q
        for e in rhs_exps.iter_mut() {
            *e = (&*e + &weight) % q;
            weight = weight * &i % q;
        }
    }
    let rhs = commitments
        .iter()
        .zip(&rhs_exps)
        .fold(BigUint::one(), |acc, (c, e)| {
            acc * pow_mod(c, e, &group.p) % &group.p
        });
    pow_mod_secret(&group.g, &lhs_exp, &group.p, q.bits()) == rhs
}

/// alpha must lie in the order-q subgroup, or raising it to a share would leak the share's
/// residue modulo the small factors of p - 1.
pub fn check_element(group: &ElGamalGroup, alpha: &BigUint) -> Result<()> {
    if alpha <= &BigUint::one()
        || alpha >= &group.p
        || pow_mod(alpha, &group.q, &group.p) != BigUint::one()
    {
        return Err(Error::format(
            "ciphertext element is not in the order-q subgroup",
        ));
    }
    Ok(())
}

fn proof_challenge(group: &ElGamalGroup, values: [&BigUint; 6]) -> BigUint {
    challenge("kmi elgamal partial v1", &values, group.q.bits() as usize) % &group.q
}

/// Partial decryption r_i = alpha^(s_i) with a proof that it used the committed share.
pub fn partial_decrypt(
    group: &ElGamalGroup,
    share: &SecretShare,
    alpha: &BigUint,
    rng: &mut dyn CryptoRngCore,
) -> Result<(BigUint, Proof)> {
    check_element(group, alpha)?;
    let (p, q) = (&group.p, &group.q);
    let s = share.value.expose();
    let public_share = pow_mod_secret(&group.g, s, p, q.bits());
    let r_i = pow_mod_secret(alpha, s, p, q.bits());
    let w = SecretUint::new(random_range(rng, &BigUint::zero(), q));
    let a = pow_mod_secret(&group.g, w.expose(), p, q.bits());
    let b = pow_mod_secret(alpha, w.expose(), p, q.bits());
    let c = proof_challenge(group, [&group.g, alpha, &public_share, &r_i, &a, &b]);
    let z = (w.expose() + &c * s) % q;
    Ok((r_i, Proof { c, z }))
}

/// Check a partial decryption against the commitments.
pub fn verify_partial(
    group: &ElGamalGroup,
    commitments: &[BigUint],
    index: u32,
    alpha: &BigUint,
    r_i: &BigUint,
    proof: &Proof,
) -> bool {
    let (p, q) = (&group.p, &group.q);
    if check_element(group, alpha).is_err()
        || check_element(group, r_i).is_err()
        || proof.c >= *q
        || proof.z >= *q
    {
        return false;
    }
    let public_share = expected_public_share(group, commitments, index);
    let neg_c = (q - &proof.c) % q; // x^(-c) = x^(q - c) for x of order q
    let a = pow_mod(&group.g, &proof.z, p) * pow_mod(&public_share, &neg_c, p) % p;
    let b = pow_mod(alpha, &proof.z, p) * pow_mod(r_i, &neg_c, p) % p;
    proof_challenge(group, [&group.g, alpha, &public_share, r_i, &a, &b]) == proof.c
}

/// alpha^x from k partials (index, r_i): prod r_i^(lambda_i) mod p.
pub fn combine(group: &ElGamalGroup, partials: &[(u32, BigUint)]) -> Result<BigUint> {
    let indices: Vec<u32> = partials.iter().map(|(i, _)| *i).collect();
    let lambdas = coefficients_mod(&indices, 0, &group.q)?;
    Ok(partials
        .iter()
        .zip(&lambdas)
        .fold(BigUint::one(), |acc, ((_, r), l)| {
            acc * pow_mod(r, l, &group.p) % &group.p
        }))
}

/// x = sum lambda_i s_i mod q from k shares; checked against y.
pub fn reconstruct(
    group: &ElGamalGroup,
    y: &BigUint,
    shares: &[SecretShare],
) -> Result<SecretUint> {
    let indices: Vec<u32> = shares.iter().map(|s| s.index).collect();
    let lambdas = coefficients_mod(&indices, 0, &group.q)?;
    let mut x = BigUint::zero();
    for (s, l) in shares.iter().zip(&lambdas) {
        x = (x + l * s.value.expose()) % &group.q;
    }
    let x = SecretUint::new(x);
    if pow_mod_secret(&group.g, x.expose(), &group.p, group.q.bits()) != *y {
        return Err(Error::check("the shares do not rebuild the key: g^x != y"));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::elgamal::{generate_key, NamedGroup};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// A small safe-prime group (p = 2q + 1, 64-bit) keeps the tests fast.
    fn small_group() -> ElGamalGroup {
        let q = BigUint::from(9_223_372_036_854_777_359u64); // q and 2q + 1 prime
        let p = (&q << 1usize) + 1u32;
        ElGamalGroup {
            p,
            q,
            g: BigUint::from(4u32),
        }
    }

    fn setup(k: u32, n: u32) -> (ElGamalPrivate, Dealing, ChaCha20Rng) {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let key = generate_key(small_group(), &mut rng);
        let d = deal(&key, k, n, &mut rng).unwrap();
        (key, d, rng)
    }

    #[test]
    fn small_group_is_a_safe_prime_group() {
        use crate::math::prime::is_probable_prime;
        let g = small_group();
        assert!(is_probable_prime(&g.q) && is_probable_prime(&g.p));
    }

    #[test]
    fn every_share_verifies_and_a_changed_one_does_not() {
        let (key, d, mut rng) = setup(3, 5);
        let g = &key.public.group;
        assert!(commitments_in_subgroup(g, &d.commitments));
        for s in &d.shares {
            assert!(verify_share(g, &d.commitments, s));
        }
        assert!(batch_verify(g, &d.commitments, &d.shares, &mut rng));
        let mut bad = d.shares.clone();
        bad[2].value = SecretUint::new((bad[2].value.expose() + 1u32) % &g.q);
        assert!(!verify_share(g, &d.commitments, &bad[2]));
        assert!(!batch_verify(g, &d.commitments, &bad, &mut rng));
    }

    #[test]
    fn any_k_shares_rebuild_and_k_minus_1_do_not() {
        let (key, d, _) = setup(3, 5);
        let g = &key.public.group;
        for set in [[0usize, 1, 2], [0, 2, 4], [4, 3, 1]] {
            let shares: Vec<SecretShare> = set.iter().map(|&i| d.shares[i].clone()).collect();
            let x = reconstruct(g, &key.public.y, &shares).unwrap();
            assert_eq!(x.expose(), key.x.expose());
        }
        let two: Vec<SecretShare> = d.shares[..2].to_vec();
        assert!(reconstruct(g, &key.public.y, &two).is_err());
    }

    #[test]
    fn partials_combine_to_alpha_to_the_x_and_forgeries_fail() {
        let (key, d, mut rng) = setup(2, 3);
        let g = &key.public.group;
        let u = random_range(&mut rng, &BigUint::one(), &g.q);
        let alpha = g.g.modpow(&u, &g.p);
        let mut partials = Vec::new();
        for s in &d.shares[1..] {
            let (r, proof) = partial_decrypt(g, s, &alpha, &mut rng).unwrap();
            assert!(verify_partial(
                g,
                &d.commitments,
                s.index,
                &alpha,
                &r,
                &proof
            ));
            // The same value under another index, or a changed value, fails.
            assert!(!verify_partial(
                g,
                &d.commitments,
                s.index % 3 + 1,
                &alpha,
                &r,
                &proof
            ));
            let wrong = &r * &g.g % &g.p;
            assert!(!verify_partial(
                g,
                &d.commitments,
                s.index,
                &alpha,
                &wrong,
                &proof
            ));
            partials.push((s.index, r));
        }
        assert_eq!(
            combine(g, &partials).unwrap(),
            alpha.modpow(key.x.expose(), &g.p)
        );
    }

    #[test]
    fn elements_outside_the_subgroup_are_refused() {
        let (key, d, mut rng) = setup(2, 3);
        let g = &key.public.group;
        // p - 1 has order 2.
        let minus_one = &g.p - 1u32;
        assert!(partial_decrypt(g, &d.shares[0], &minus_one, &mut rng).is_err());
        assert!(!commitments_in_subgroup(g, &[minus_one]));
    }

    #[test]
    fn threshold_limits() {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let key = generate_key(NamedGroup::Ffdhe2048.group(), &mut rng);
        assert!(deal(&key, 0, 3, &mut rng).is_err());
        assert!(deal(&key, 4, 3, &mut rng).is_err());
        assert!(deal(&key, 2, 256, &mut rng).is_err());
    }
}
