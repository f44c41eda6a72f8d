//! Backend micro-benchmark hooks (used by benches/safe_prime.rs, benches/key_check.rs and
//! benches/mont.rs; not a stable API): the Montgomery engine and the per-candidate tests on
//! `BigUint`s. The hooks answer None for a modulus the engine does not take (even, 1, or wider
//! than its width limit).

use num_bigint::BigUint;

use super::primality::{bpsw_limbs, euler2_limbs, to_big};
use crate::math::mont;

/// base^exp mod m with the fixed-width Montgomery backend (m odd, > 1, <= 16384 bits), or None.
pub fn modpow_mont(base: &BigUint, exp: &BigUint, m: &BigUint) -> Option<BigUint> {
    mont::modpow(
        &base.to_u64_digits(),
        &exp.to_u64_digits(),
        &m.to_u64_digits(),
    )
    .map(|r| to_big(&r))
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

/// The Montgomery squaring a hook below runs: the straight-line code `Mont::sqr` uses at 8, 16 and
/// 32 limbs (src/math/mont/unrolled.rs), or the generic loops it unrolls. At other widths both
/// are the loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Squaring {
    Unrolled,
    Loops,
}

/// `count` Montgomery squarings x <- x^2 / R mod m in a row from x = base (below m), at the width
/// of m (odd, > 1, at most 16384 bits); returns the final x, or None for another m. Both
/// `Squaring`s give the same x.
pub fn sqr_chain(base: &BigUint, m: &BigUint, count: usize, how: Squaring) -> Option<BigUint> {
    mont::sqr_chain(
        &base.to_u64_digits(),
        &m.to_u64_digits(),
        count,
        how == Squaring::Unrolled,
    )
    .map(|r| to_big(&r))
}

/// base^exp mod m (base below m, m odd, > 1, at most 16384 bits) by the variable-time sliding
/// window of `modpow_mont`, its squarings done `how`; None for another m.
pub fn modpow_squaring(
    base: &BigUint,
    exp: &BigUint,
    m: &BigUint,
    how: Squaring,
) -> Option<BigUint> {
    mont::modpow_sqr(
        &base.to_u64_digits(),
        &exp.to_u64_digits(),
        &m.to_u64_digits(),
        how == Squaring::Unrolled,
    )
    .map(|r| to_big(&r))
}
