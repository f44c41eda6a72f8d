//! Resharing a Shoup RSA set over the integers (docs/reshare.md section 3), after
//! Frankel, Gemmell, MacKenzie and Yung, "Optimal-resilience proactive public-key
//! cryptosystems" (FOCS 1997) and Rabin, "A simplified approach to threshold and proactive RSA"
//! (CRYPTO 1998): nobody knows m = p'q', so nothing can be reduced mod m and the sub-sharing is
//! over the integers, hidden statistically by long random coefficients.
//!
//! Old set: shares u_j interpolating to d + o (o = the set's offset, 0 when dealt), n, Delta = n!,
//! lambda_j = Delta L_j(0) (integers), verification keys v_j = v^(u_j). New: k2, n2, Delta' = n2!.
//!
//! * Dealer j: g_j(X) = Delta' u_j + a_1 X + ... + a_{k2-1} X^(k2-1), a_t uniform in
//!   [0, 2^R) with R = |u| + |Delta'| + (k2 - 1)|n2 + 1| + 128. The constant is a multiple of
//!   Delta', so k2 - 1 values g_j(i) leave it statistically hidden (distance below k2 2^-128:
//!   Delta' (c - c') prod_{i in T} (i - X)/i has integer coefficients, so shifting the
//!   coefficients by it maps one constant's polynomials onto the other's). Commitments
//!   E_0 = v_j^(Delta'), E_t = v^(a_t); sub-share sigma_{j,i} = g_j(i) >= 0, checked by trustee i
//!   as v^(sigma) = prod_t E_t^(i^t).
//! * Trustee i, with S the k dealers used: T_i = sum_{j in S} lambda_j sigma_{j,i}. T(0) =
//!   Delta' sum lambda_j u_j = Delta Delta' (d + o) (mod m). With alpha Delta Delta' + beta e = 1
//!   (alpha = (Delta Delta')^-1 mod e, beta = (1 - alpha Delta Delta') / e) and e d = 1 (mod m):
//!   alpha T(0) + beta (1 + e o) - o = d (mod m). The Delta-scaling of integer sharing is thus
//!   undone by e, publicly, and combine and reconstruct end in x^d and d as for a dealt set.
//!   Shares must stay non-negative, so a public offset W = 2^B (B bounding |alpha T_i + c|)
//!   is added: u'_i = alpha T_i + c + W with c = beta (1 + e o) - o. The new set records
//!   offset W and shareBits B + 1; its shares interpolate to d + W.
//! * New verification keys, from public data only: v'_i = (prod_{j in S} X_{j,i}^(lambda_j))^alpha
//!   v^(c + W) with X_{j,i} = prod_t E_{j,t}^(i^t) = v^(sigma_{j,i}), computed as
//!   (prod_t F_t^(i^t))^alpha v^(c + W) with F_t = prod_j E_{j,t}^(lambda_j); the dealers'
//!   commitments are their proof, and the new set passes Shoup's whole-set check
//!   (rsa::verification_keys_consistent).

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{One, Zero};
use rand_core::CryptoRngCore;

use crate::math::lagrange::{coefficients_integer, factorial};
use crate::math::modular::{mod_inverse, pow_mod, pow_mod_secret, pow_mod_signed, random_range};
use crate::math::secret::SecretUint;
use crate::threshold::rsa::RsaSetPublic;
use crate::threshold::validate::MAX_EXTRA_SHARE_BITS;
use crate::threshold::SecretShare;
use crate::{Error, Result};

/// Statistical hiding parameter of the integer sub-sharing (bits).
const HIDING_BITS: u64 = 128;

fn bits_of(x: u64) -> u64 {
    u64::from(u64::BITS - x.leading_zeros())
}

/// The public numbers of one integer reshare, all derived from the old set and (k2, n2).
#[derive(Debug, Clone)]
pub struct Params {
    pub k2: u32,
    pub n2: u32,
    /// Delta' = n2!
    pub delta_new: BigUint,
    /// R: the random coefficients are below 2^R.
    pub coefficient_bits: u64,
    /// Every honest sub-share is below 2^sub_share_bits.
    pub sub_share_bits: u64,
    /// alpha = (Delta Delta')^-1 mod e.
    pub alpha: BigUint,
    /// c + W = beta (1 + e o) - o + W, positive by the choice of W.
    pub shift: BigUint,
    /// W = 2^B: the new set's offset.
    pub offset: BigUint,
    /// B + 1: the new set's share size.
    pub share_bits: u64,
}

/// Work out the reshare's numbers, refusing when e does not exceed n2 or the shares would grow
/// past what a set may hold.
pub fn params(old: &RsaSetPublic, k2: u32, n2: u32) -> Result<Params> {
    let e = &old.key.e;
    if e <= &BigUint::from(n2) {
        return Err(Error::invalid(format!(
            "the set's public exponent e = {e} must exceed the new number of shares ({n2})"
        )));
    }
    let delta_old = old.delta();
    let delta_new = factorial(n2);
    let sigma = &delta_old * &delta_new;
    let alpha = mod_inverse(&(&sigma % e), e)
        .ok_or_else(|| Error::check("e is not coprime to n! n2! (e must be a prime above both)"))?;
    // beta = (1 - alpha sigma) / e, exact.
    let one = BigInt::one();
    let num = &one - BigInt::from(&alpha * &sigma);
    let e_int = BigInt::from(e.clone());
    if !(&num % &e_int).is_zero() {
        return Err(Error::internal("alpha is not the inverse of n! n2! mod e"));
    }
    let beta = num / &e_int;
    let o = BigInt::from(old.offset.clone());
    let c = &beta * (&one + &e_int * &o) - &o;
    let (n_old, k_old) = (u64::from(old.total), u64::from(old.threshold));
    let (n2b, k2b) = (u64::from(n2), u64::from(k2));
    let coefficient_bits =
        old.share_bits + delta_new.bits() + (k2b - 1) * bits_of(n2b + 1) + HIDING_BITS;
    let sub_share_bits = (delta_new.bits() + old.share_bits)
        .max(coefficient_bits + bits_of(k2b) + (k2b - 1) * bits_of(n2b))
        + 1;
    // |lambda_j| = Delta |L_j(0)| <= Delta n^(k-1).
    let lambda_bits = delta_old.bits() + (k_old - 1) * bits_of(n_old);
    let t_bits = sub_share_bits + lambda_bits + bits_of(k_old);
    let b = (t_bits + e.bits()).max(c.bits()) + 1;
    let offset = BigUint::one() << b;
    let shift = (c + BigInt::from(offset.clone()))
        .to_biguint()
        .ok_or_else(|| Error::internal("the reshare offset does not cover the shift"))?;
    let share_bits = b + 1;
    if share_bits > old.key.n.bits() + MAX_EXTRA_SHARE_BITS {
        return Err(Error::invalid(format!(
            "the new shares would have {share_bits} bits, more than a {}-bit set may hold: \
             this set has been reshared too often for its size (rebuild and split it once)",
            old.key.n.bits()
        )));
    }
    Ok(Params {
        k2,
        n2,
        delta_new,
        coefficient_bits,
        sub_share_bits,
        alpha,
        shift,
        offset,
        share_bits,
    })
}

/// One dealer's integer sub-dealing: k2 commitments, n2 non-negative sub-share values.
pub struct SubDealing {
    pub commitments: Vec<BigUint>,
    pub values: Vec<SecretUint>,
}

/// Old trustee `share` deals Delta' u_j over the integers.
pub fn sub_deal(
    old: &RsaSetPublic,
    p: &Params,
    share: &SecretShare,
    rng: &mut dyn CryptoRngCore,
) -> Result<SubDealing> {
    let n = &old.key.n;
    let bound = BigUint::one() << p.coefficient_bits;
    let mut coefficients = vec![SecretUint::new(&p.delta_new * share.value.expose())];
    for _ in 1..p.k2 {
        coefficients.push(SecretUint::new(random_range(rng, &BigUint::zero(), &bound)));
    }
    let mut commitments = vec![pow_mod(old.verification_key(share.index)?, &p.delta_new, n)];
    commitments.extend(
        coefficients[1..]
            .iter()
            .map(|a| pow_mod_secret(&old.v, a.expose(), n, p.coefficient_bits)),
    );
    let values = (1..=p.n2)
        .map(|i| {
            let x = BigUint::from(i);
            let mut acc = BigUint::zero();
            for c in coefficients.iter().rev() {
                acc = acc * &x + c.expose();
            }
            SecretUint::new(acc)
        })
        .collect();
    Ok(SubDealing {
        commitments,
        values,
    })
}

/// The public checks of one dealer's commitments: k2 units mod N with Jacobi symbol 1, and E_0
/// = v_j^(Delta') for the old verification key of the dealer. The reason when not.
pub fn check_commitments(
    old: &RsaSetPublic,
    p: &Params,
    dealer: u32,
    commitments: &[BigUint],
) -> std::result::Result<(), String> {
    let n = &old.key.n;
    if commitments.len() != p.k2 as usize {
        return Err(format!(
            "has {} commitments for a new threshold of {}",
            commitments.len(),
            p.k2
        ));
    }
    if commitments
        .iter()
        .any(|c| c.is_zero() || c >= n || crate::math::modular::jacobi(c, n) != 1)
    {
        return Err("has a commitment that is not a square unit mod N".into());
    }
    let Ok(vk) = old.verification_key(dealer) else {
        return Err(format!("dealer {dealer} is not a share of the old set"));
    };
    if commitments[0] != pow_mod(vk, &p.delta_new, n) {
        return Err(format!(
            "commits to a value that is not old share {dealer} (E_0 != v_{dealer}^(n2!) of the old set)"
        ));
    }
    Ok(())
}

/// X_i = prod_t E_t^(i^t) mod N: v to the committed polynomial at i.
fn committed_value(n: &BigUint, commitments: &[BigUint], index: u32) -> BigUint {
    let i = BigUint::from(index);
    let mut power = BigUint::one();
    let mut acc = BigUint::one();
    for c in commitments {
        acc = acc * pow_mod(c, &power, n) % n;
        power *= &i;
    }
    acc
}

/// A new trustee's check of its sub-share: in range, and v^sigma = prod_t E_t^(i^t).
pub fn verify_sub_share(
    old: &RsaSetPublic,
    p: &Params,
    commitments: &[BigUint],
    index: u32,
    value: &BigUint,
) -> bool {
    value.bits() <= p.sub_share_bits
        && pow_mod_secret(&old.v, value, &old.key.n, p.sub_share_bits)
            == committed_value(&old.key.n, commitments, index)
}

/// u'_i = alpha sum_j lambda_j sigma_{j,i} + c + W over the dealers used.
pub fn combine_share(
    old: &RsaSetPublic,
    p: &Params,
    dealers: &[u32],
    values: &[SecretUint],
) -> Result<SecretUint> {
    let lambdas = coefficients_integer(dealers, 0, old.total)?;
    let mut t = BigInt::zero();
    for (l, v) in lambdas.iter().zip(values) {
        t += l * BigInt::from(v.expose().clone());
    }
    let u = BigInt::from(p.alpha.clone()) * t + BigInt::from(p.shift.clone());
    // The signed intermediate moves into a SecretUint (wiped on drop, also when refused). By
    // the choice of the offset it is never negative for sub-shares within their bound.
    let (sign, magnitude) = u.into_parts();
    let magnitude = SecretUint::new(magnitude);
    if sign == Sign::Minus || magnitude.expose().bits() > p.share_bits {
        return Err(Error::check(
            "the combined share is out of its range (a sub-share was too large)",
        ));
    }
    Ok(magnitude)
}

/// The new set's public part: the same key and v, new verification keys, offset and size.
pub fn new_public(
    old: &RsaSetPublic,
    p: &Params,
    dealers: &[u32],
    commitments: &[Vec<BigUint>],
) -> Result<RsaSetPublic> {
    let n = &old.key.n;
    let lambdas = coefficients_integer(dealers, 0, old.total)?;
    let v_shift = pow_mod(&old.v, &p.shift, n);
    // F_t = prod_j E_{j,t}^(lambda_j) first (k k2 short exponentiations), then
    // v'_i = (prod_t F_t^(i^t))^alpha v^(c + W) (n2 k2): not k k2 n2.
    let k2 = p.k2 as usize;
    let mut combined = vec![BigUint::one(); k2];
    for (l, c) in lambdas.iter().zip(commitments) {
        if c.len() != k2 {
            return Err(Error::internal(
                "a dealer's commitment list has the wrong length",
            ));
        }
        for (acc, e) in combined.iter_mut().zip(c) {
            let t = pow_mod_signed(e, l, n)
                .ok_or_else(|| Error::check("a dealer's commitment is not invertible mod N"))?;
            *acc = &*acc * t % n;
        }
    }
    let verification_keys = (1..=p.n2)
        .map(|i| pow_mod(&committed_value(n, &combined, i), &p.alpha, n) * &v_shift % n)
        .collect();
    Ok(RsaSetPublic {
        key: old.key.clone(),
        threshold: p.k2,
        total: p.n2,
        v: old.v.clone(),
        verification_keys,
        offset: p.offset.clone(),
        share_bits: p.share_bits,
    })
}
