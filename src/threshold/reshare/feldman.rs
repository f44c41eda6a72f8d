//! Verifiable secret redistribution for Feldman-shared ElGamal keys (docs/reshare.md section 2):
//! Desmedt and Jajodia, "Redistributing secret shares to new access structures and its
//! applications" (GMU tech. report ISSE-TR-97-01, 1997), made verifiable by Wong, Wang and Wing,
//! "Verifiable secret redistribution for archive systems" (IEEE SISW 2002).
//!
//! Old trustee j (share s_j = f(j) mod q) deals g_j(X) = s_j + a_{j,1} X + ... + a_{j,k2-1}
//! X^(k2-1) mod q with public commitments E_{j,t} = g^(a_{j,t}) and E_{j,0} = g^(s_j), which anyone
//! checks against the old set: E_{j,0} = prod_t C_t^(j^t). New trustee i receives
//! sigma_{j,i} = g_j(i) and checks g^(sigma_{j,i}) = prod_t E_{j,t}^(i^t). With S the k dealers
//! used and L_j their Lagrange coefficients at 0 (mod q), the new share is
//! s'_i = sum_{j in S} L_j sigma_{j,i} mod q: the values of F(X) = sum_j L_j g_j(X), whose
//! constant is sum_j L_j s_j = f(0) = x. The new commitments are C'_t = prod_j E_{j,t}^(L_j),
//! computed from public data alone, and C'_0 = y: the key is unchanged, the polynomial is new.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use rand_core::CryptoRngCore;

use crate::keys::elgamal::ElGamalGroup;
use crate::math::lagrange::coefficients_mod;
use crate::math::modular::{pow_mod, pow_mod_secret, random_range};
use crate::math::secret::SecretUint;
use crate::threshold::elgamal::{commitments_in_subgroup, expected_public_share};
use crate::threshold::SecretShare;
use crate::{Error, Result};

/// One dealer's sub-dealing: k2 commitments and the n2 sub-share values (trustee i at i - 1).
pub struct SubDealing {
    pub commitments: Vec<BigUint>,
    pub values: Vec<SecretUint>,
}

/// Old trustee `share` deals its share to n2 new trustees with threshold k2.
pub fn sub_deal(
    group: &ElGamalGroup,
    share: &SecretShare,
    k2: u32,
    n2: u32,
    rng: &mut dyn CryptoRngCore,
) -> SubDealing {
    let q = &group.q;
    let mut coefficients = vec![SecretUint::new(share.value.expose() % q)];
    for _ in 1..k2 {
        coefficients.push(SecretUint::new(random_range(rng, &BigUint::zero(), q)));
    }
    let commitments = coefficients
        .iter()
        .map(|c| pow_mod_secret(&group.g, c.expose(), &group.p, q.bits()))
        .collect();
    let values = (1..=n2)
        .map(|i| {
            let x = BigUint::from(i);
            let mut acc = BigUint::zero();
            for c in coefficients.iter().rev() {
                acc = (acc * &x + c.expose()) % q;
            }
            SecretUint::new(acc)
        })
        .collect();
    SubDealing {
        commitments,
        values,
    }
}

/// The public checks of one dealer's commitments: k2 of them, in the order-q subgroup, and the
/// constant one equal to g^(s_j) as the old set's commitments say. The reason when not.
pub fn check_commitments(
    group: &ElGamalGroup,
    old_commitments: &[BigUint],
    dealer: u32,
    commitments: &[BigUint],
    k2: u32,
) -> std::result::Result<(), String> {
    if commitments.len() != k2 as usize {
        return Err(format!(
            "has {} commitments for a new threshold of {k2}",
            commitments.len()
        ));
    }
    if !commitments_in_subgroup(group, commitments) {
        return Err("has a commitment outside the order-q subgroup".into());
    }
    if commitments[0] != expected_public_share(group, old_commitments, dealer) {
        return Err(format!(
            "commits to a value that is not old share {dealer} (E_0 != g^(s_{dealer}) of the old set)"
        ));
    }
    Ok(())
}

/// A new trustee's check of its sub-share: g^sigma = prod_t E_t^(i^t).
pub fn verify_sub_share(
    group: &ElGamalGroup,
    commitments: &[BigUint],
    index: u32,
    value: &BigUint,
) -> bool {
    value < &group.q
        && pow_mod_secret(&group.g, value, &group.p, group.q.bits())
            == expected_public_share(group, commitments, index)
}

/// s'_i = sum_j L_j sigma_{j,i} mod q over the dealers used.
pub fn combine_share(
    group: &ElGamalGroup,
    dealers: &[u32],
    values: &[SecretUint],
) -> Result<SecretUint> {
    let lambdas = coefficients_mod(dealers, 0, &group.q)?;
    let mut acc = BigUint::zero();
    for (l, v) in lambdas.iter().zip(values) {
        acc = (acc + l * v.expose()) % &group.q;
    }
    Ok(SecretUint::new(acc))
}

/// C'_t = prod_j E_{j,t}^(L_j): the new set's commitments; C'_0 must be y.
pub fn combine_commitments(
    group: &ElGamalGroup,
    y: &BigUint,
    dealers: &[u32],
    commitments: &[Vec<BigUint>],
) -> Result<Vec<BigUint>> {
    let lambdas = coefficients_mod(dealers, 0, &group.q)?;
    let k2 = commitments.first().map_or(0, Vec::len);
    let mut out = vec![BigUint::one(); k2];
    for (l, c) in lambdas.iter().zip(commitments) {
        if c.len() != k2 {
            return Err(Error::internal(
                "dealers' commitment lists differ in length",
            ));
        }
        for (acc, e) in out.iter_mut().zip(c) {
            *acc = &*acc * pow_mod(e, l, &group.p) % &group.p;
        }
    }
    if out.first() != Some(y) {
        return Err(Error::check(
            "the dealers' commitments do not interpolate to the public key y",
        ));
    }
    Ok(out)
}
