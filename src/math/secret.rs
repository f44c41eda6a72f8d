//! A big integer that is wiped when dropped.
//!
//! num-bigint has no zeroize support; `assign_from_slice` clears and refills the digit vector in
//! place, so overwriting with zeros of the full length reaches the live allocation before it is
//! freed. Temporaries inside num-bigint's arithmetic are not covered (it is variable-time anyway):
//! this protects the long-lived copies, which is what ends up in core dumps and swap.

use num_bigint::BigUint;
use zeroize::Zeroize;

pub struct SecretUint(BigUint);

impl SecretUint {
    pub fn new(value: BigUint) -> Self {
        SecretUint(value)
    }

    pub fn expose(&self) -> &BigUint {
        &self.0
    }
}

/// Overwrite the digits of `n` with zeros in place.
pub fn wipe(n: &mut BigUint) {
    let digits = n.iter_u32_digits().len();
    if digits > 0 {
        let zeros = vec![0u32; digits];
        n.assign_from_slice(&zeros);
    }
}

impl Zeroize for SecretUint {
    fn zeroize(&mut self) {
        wipe(&mut self.0);
    }
}

impl Drop for SecretUint {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl Clone for SecretUint {
    fn clone(&self) -> Self {
        SecretUint(self.0.clone())
    }
}

impl PartialEq for SecretUint {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl std::fmt::Debug for SecretUint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretUint(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipe_zeroes_the_value() {
        let mut n = BigUint::from(0xdead_beef_1234_5678u64) << 200;
        wipe(&mut n);
        assert_eq!(n, BigUint::from(0u8));
    }

    #[test]
    fn debug_does_not_show_the_value() {
        let s = SecretUint::new(BigUint::from(12345u32));
        assert_eq!(format!("{s:?}"), "SecretUint(..)");
    }
}
