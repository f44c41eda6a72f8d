//! Lagrange coefficients at 0 over an index set, the one routine shared by threshold RSA (exact
//! integers scaled by Delta = n!) and ElGamal (modulo the prime group order q).

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{One, Zero};

use crate::math::modular::{mod_inverse, reduce_signed};
use crate::{Error, Result};

fn check_indices(indices: &[u32]) -> Result<()> {
    if indices.is_empty() {
        return Err(Error::invalid("no share indexes"));
    }
    for (a, i) in indices.iter().enumerate() {
        if *i == 0 {
            return Err(Error::format(
                "share index 0 is not allowed (the secret lives at 0)",
            ));
        }
        if indices[..a].contains(i) {
            return Err(Error::format(format!("share index {i} appears twice")));
        }
    }
    Ok(())
}

/// n! as a big integer (Delta in Shoup's scheme).
pub fn factorial(n: u32) -> BigUint {
    (1..=n).fold(BigUint::one(), |acc, k| acc * k)
}

/// lambda_{x,j} = prod_{j' in S, j' != j} (x - j') / (j - j') mod q, for each j in S, with q prime.
pub fn coefficients_mod(indices: &[u32], x: u32, q: &BigUint) -> Result<Vec<BigUint>> {
    check_indices(indices)?;
    // A group order of 0 or 1 (a hostile set that slipped past validation) has no inverses.
    if q.bits() < 2 {
        return Err(Error::format("the group order q must be greater than 1"));
    }
    indices
        .iter()
        .map(|&j| {
            let mut num = BigInt::one();
            let mut den = BigInt::one();
            for &jp in indices.iter().filter(|&&jp| jp != j) {
                num *= BigInt::from(x) - BigInt::from(jp);
                den *= BigInt::from(j) - BigInt::from(jp);
            }
            let den = reduce_signed(&den, q);
            let inv = mod_inverse(&den, q)
                .ok_or_else(|| Error::internal("Lagrange denominator is not invertible mod q"))?;
            Ok((reduce_signed(&num, q) * inv) % q)
        })
        .collect()
}

/// Delta * prod_{j' in S, j' != j} (x - j') / (j - j') for each j in S: exact integers, because
/// Delta = n! is divisible by every denominator when all indexes are in 1..=n.
pub fn coefficients_integer(indices: &[u32], x: u32, n: u32) -> Result<Vec<BigInt>> {
    check_indices(indices)?;
    if indices.iter().any(|&i| i > n) || x > n {
        return Err(Error::format(format!("share index above the set size {n}")));
    }
    let delta = BigInt::from(factorial(n));
    indices
        .iter()
        .map(|&j| {
            let mut num = delta.clone();
            let mut den = BigInt::one();
            for &jp in indices.iter().filter(|&&jp| jp != j) {
                num *= BigInt::from(x) - BigInt::from(jp);
                den *= BigInt::from(j) - BigInt::from(jp);
            }
            let (quot, rem) = num.div_rem(&den);
            if !rem.is_zero() {
                return Err(Error::internal(
                    "Delta does not clear a Lagrange denominator",
                ));
            }
            Ok(quot)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hostile group order (0 or 1) is an error, not a division by zero.
    #[test]
    fn degenerate_group_orders_are_refused() {
        for q in [0u32, 1] {
            assert!(
                coefficients_mod(&[1, 2], 0, &BigUint::from(q)).is_err(),
                "q = {q}"
            );
        }
        assert_eq!(
            reduce_signed(&BigInt::from(-7), &BigUint::zero()),
            BigUint::zero()
        );
        assert_eq!(
            reduce_signed(&BigInt::from(-7), &BigUint::from(5u32)),
            BigUint::from(3u32)
        );
    }

    /// f(X) = 7 + 3X + 5X^2 over the integers: Delta * f(0) = sum lambda_j f(j).
    #[test]
    fn integer_coefficients_interpolate_scaled_by_delta() {
        let f = |x: i64| BigInt::from(7 + 3 * x + 5 * x * x);
        for set in [[1u32, 2, 3], [2, 4, 5], [5, 1, 3]] {
            let l = coefficients_integer(&set, 0, 5).unwrap();
            let sum: BigInt = set.iter().zip(&l).map(|(&j, lj)| lj * f(j as i64)).sum();
            assert_eq!(sum, BigInt::from(factorial(5)) * 7);
        }
    }

    #[test]
    fn modular_coefficients_interpolate() {
        let q = BigUint::from(1_000_003u32);
        let f = |x: u64| BigUint::from((11 + 22 * x + 33 * x * x + 44 * x * x * x) % 1_000_003);
        let set = [2u32, 3, 7, 9];
        let l = coefficients_mod(&set, 0, &q).unwrap();
        let sum: BigUint = set
            .iter()
            .zip(&l)
            .map(|(&j, lj)| lj * f(j as u64))
            .sum::<BigUint>()
            % &q;
        assert_eq!(sum, BigUint::from(11u32));
        // Interpolating at another index gives that share.
        let l = coefficients_mod(&set, 4, &q).unwrap();
        let sum: BigUint = set
            .iter()
            .zip(&l)
            .map(|(&j, lj)| lj * f(j as u64))
            .sum::<BigUint>()
            % &q;
        assert_eq!(sum, f(4));
    }

    #[test]
    fn bad_index_sets_are_refused() {
        assert!(coefficients_integer(&[1, 1], 0, 3).is_err());
        assert!(coefficients_integer(&[0, 1], 0, 3).is_err());
        assert!(coefficients_integer(&[1, 4], 0, 3).is_err());
        assert!(coefficients_mod(&[], 0, &BigUint::from(7u32)).is_err());
    }
}
