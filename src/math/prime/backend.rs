//! Backend micro-benchmark hooks (used by benches/safe_prime.rs and benches/key_check.rs; not a
//! stable API): the Montgomery engine and the per-candidate tests on `BigUint`s.

use num_bigint::BigUint;

use super::primality::{bpsw_limbs, euler2_limbs, to_big};
use crate::math::mont;

/// base^exp mod m with the fixed-width Montgomery backend (m odd, <= 16384 bits).
pub fn modpow_mont(base: &BigUint, exp: &BigUint, m: &BigUint) -> BigUint {
    let r = mont::modpow(
        &base.to_u64_digits(),
        &exp.to_u64_digits(),
        &m.to_u64_digits(),
    )
    .expect("modulus too wide for the fixed-width backend");
    to_big(&r)
}

/// Limit the variable-time Montgomery engine to moduli of at most `limbs` 64-bit limbs
/// (wider ones go to num-bigint, as every modulus above 64 limbs did before the engine grew to 256). For
/// benchmarks only: the default, 256, covers kmi's 16384-bit limit.
pub fn set_width_limit(limbs: usize) {
    mont::set_width_limit(limbs)
}

/// The Euler base-2 test on p (what each safe-prime survivor costs).
pub fn euler2(p: &BigUint) -> bool {
    euler2_limbs(&p.to_u64_digits())
}

/// BPSW on n (odd, > 2^16).
pub fn bpsw(n: &BigUint) -> bool {
    bpsw_limbs(&n.to_u64_digits())
}
