//! Prime search and primality tests: the safe-prime engine of math.md section 1.
//!
//! CONTRACT (the rest of kmi codes against these signatures; the engine behind them is free to change):
//! - every search draws all its randomness from `rng` first (a 32-byte interval key), then numbers its
//!   intervals; the result is the prime in the lowest-numbered interval that holds one, so with a seeded
//!   `rng` the output depends on the seed alone, never on `cfg.threads`.
//! - `progress` is called from worker threads now and then with running totals.

use num_bigint::BigUint;
use rand_core::CryptoRngCore;

use crate::Result;

/// How a search runs. `threads == 0` means one worker per core.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchConfig {
    pub threads: usize,
}

/// Receives running totals while a search is under way. Called from worker threads.
pub trait SearchProgress: Sync {
    fn update(&self, candidates_sieved: u64, candidates_tested: u64);
}

/// A progress sink that ignores everything.
pub struct NoProgress;
impl SearchProgress for NoProgress {
    fn update(&self, _: u64, _: u64) {}
}

/// A safe prime p = 2p' + 1 of exactly `bits` bits (p' prime). With `top_two_bits` the two most
/// significant bits of p are set, so the product of two such primes has exactly 2*bits bits.
pub fn safe_prime(
    bits: usize,
    top_two_bits: bool,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn SearchProgress,
) -> Result<BigUint> {
    let _ = (bits, top_two_bits, rng, cfg, progress);
    todo!("safe-prime engine")
}

/// A random prime of exactly `bits` bits (top two bits set when `top_two_bits`).
pub fn random_prime(
    bits: usize,
    top_two_bits: bool,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn SearchProgress,
) -> Result<BigUint> {
    let _ = (bits, top_two_bits, rng, cfg, progress);
    todo!("prime engine")
}

/// A prime p = 2hq + 1 of exactly `bits` bits for the given prime q (DSA-style group).
pub fn prime_with_factor(
    bits: usize,
    q: &BigUint,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn SearchProgress,
) -> Result<BigUint> {
    let _ = (bits, q, rng, cfg, progress);
    todo!("prime engine")
}

/// Probable-prime test with error at most 2^-128 for any input (BPSW, or FIPS 186-5 B.3 rounds).
/// Deterministic for a given n. Used by `key check` on numbers an adversary may have chosen.
pub fn is_probable_prime(n: &BigUint) -> bool {
    let _ = n;
    todo!("primality test")
}

/// One strong-probable-prime (Miller-Rabin) round of n to `base`.
pub fn miller_rabin(n: &BigUint, base: &BigUint) -> bool {
    let _ = (n, base);
    todo!("Miller-Rabin")
}
