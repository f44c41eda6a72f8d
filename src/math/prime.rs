//! Prime search and primality tests: the safe-prime engine of math.md section 1.
//!
//! CONTRACT (the rest of kmi codes against these signatures; the engine behind them is free to change):
//! - every search draws all its randomness from `rng` first (a 32-byte interval key), then numbers its
//!   intervals; the result is the prime in the lowest-numbered interval that holds one, so with a seeded
//!   `rng` the output depends on the seed alone, never on `cfg.threads`.
//! - `progress` is called from worker threads now and then with running totals.
//!
//! How it works. From the key, a ChaCha20 stream (stream number = epoch, normally 0) gives a random
//! start; candidates are start + step*j for j = 0, 1, 2, ... up to the top of the bit range, cut into
//! numbered intervals of W indices. Since the intervals are consecutive, the answer is simply the first
//! prime (safe prime) at or after the start: independent of thread count, window size and sieve bound.
//! Workers take intervals w, w+T, w+2T, ... and keep one sliding sieve each (`sieve.rs`): the residues
//! of the start modulo every sieve prime are computed once per search, and each window moves every
//! strike offset on with one subtraction. Survivors get the cheapest test first (for a safe prime: a
//! base-2 Euler test on p), then BPSW on the rest. A search that runs off the top of the range starts
//! the next epoch (a fresh start from the next ChaCha20 stream).
//!
//! The arithmetic backend (`math::mont`) is a fixed-width Montgomery implementation over u64 limbs
//! (widths up to 16384 bits, kmi's key size limit; straight-line squaring for 512/1024/2048-bit
//! moduli), variable-time for the search and public exponents, with a constant-time
//! exponentiation for secret exponents (`modular::pow_mod_secret`); it also serves the key checks
//! and the threshold schemes. Chosen by measurement on the 2-core bench machine (full-length
//! modexp, ms, 1024 / 2048 bits): num-bigint 0.79 / 5.7, crypto-bigint BoxedMontyForm 0.84 / 5.2,
//! this backend 0.49 / 3.2; the Euler base-2 test each survivor costs: 0.31 / 2.4.
//! Sieve bound: 2^20 up to 768 bits, 2^22 up to 1536, 2^24 above (benches/safe_prime.rs).
//!
//! Files: this one holds the public API; `prime/primality.rs` the tests on limbs and their
//! num-bigint reference, `prime/search.rs` the search, `prime/sieve.rs` the sliding sieve,
//! `prime/backend.rs` the benchmark hooks, `prime/tests.rs` the tests.

pub mod backend;
mod primality;
mod search;
mod sieve;
#[cfg(test)]
mod tests;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

use primality::{bpsw_limbs, mr_limbs, SMALL_PRIMES};
use search::{check_bits, draw_key, factor_h_range, run_search, Kind, Problem};

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

/// Smallest bit size the searches accept.
pub const MIN_BITS: usize = 16;

/// Search tuning knobs (for benchmarks; the defaults are what the public functions use).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Sieve with odd primes up to this bound (capped below the smallest candidate).
    pub sieve_bound: u32,
    /// Interval width in candidate indices (0 = choose from the bit size).
    pub window: usize,
}

impl Tuning {
    pub fn safe_default(bits: usize) -> Tuning {
        // Measured on the 2-core bench machine (see benches/safe_prime.rs).
        let bound = if bits <= 768 {
            1 << 20
        } else if bits <= 1536 {
            1 << 22
        } else {
            1 << 24
        };
        Tuning {
            sieve_bound: bound,
            window: 0,
        }
    }
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
    safe_prime_tuned(
        bits,
        top_two_bits,
        rng,
        cfg,
        progress,
        Tuning::safe_default(bits),
    )
}

/// `safe_prime` with explicit tuning (benchmarks).
#[doc(hidden)]
pub fn safe_prime_tuned(
    bits: usize,
    top_two_bits: bool,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn SearchProgress,
    tuning: Tuning,
) -> Result<BigUint> {
    check_bits(bits, "safe prime")?;
    let key = draw_key(rng);
    let problem = Problem {
        kind: Kind::Safe,
        bits,
        top_two_bits,
    };
    let found = run_search(&problem, &key, cfg, progress, tuning)?;
    Ok(found)
}

/// A random prime of exactly `bits` bits (top two bits set when `top_two_bits`).
pub fn random_prime(
    bits: usize,
    top_two_bits: bool,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn SearchProgress,
) -> Result<BigUint> {
    check_bits(bits, "prime")?;
    let key = draw_key(rng);
    let problem = Problem {
        kind: Kind::Plain,
        bits,
        top_two_bits,
    };
    run_search(
        &problem,
        &key,
        cfg,
        progress,
        Tuning {
            sieve_bound: 1 << 16,
            window: 0,
        },
    )
}

/// A prime p = 2hq + 1 of exactly `bits` bits for the given prime q (DSA-style group).
pub fn prime_with_factor(
    bits: usize,
    q: &BigUint,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn SearchProgress,
) -> Result<BigUint> {
    check_bits(bits, "prime")?;
    if q < &BigUint::from(3u32) || q.is_even() {
        return Err(Error::invalid("the subgroup order q must be an odd prime"));
    }
    let (hmin, hmax) = factor_h_range(bits, q);
    if hmin > hmax {
        return Err(Error::invalid(format!(
            "no {bits}-bit prime p = 2hq + 1 exists for a {}-bit q: q is too large",
            q.bits()
        )));
    }
    let key = draw_key(rng);
    let problem = Problem {
        kind: Kind::Factor(q.clone()),
        bits,
        top_two_bits: false,
    };
    run_search(
        &problem,
        &key,
        cfg,
        progress,
        Tuning {
            sieve_bound: 1 << 16,
            window: 0,
        },
    )
}

/// Probable-prime test with error at most 2^-128 for any input (BPSW, or FIPS 186-5 B.3 rounds).
/// Deterministic for a given n. Used by `key check` on numbers an adversary may have chosen.
///
/// Trial division, then BPSW (strong test to base 2 plus a strong Lucas test; no composite is known
/// to pass, and none exists below 2^64), then 5 more Miller-Rabin rounds with bases derived from
/// SHA-256 of n.
pub fn is_probable_prime(n: &BigUint) -> bool {
    if let Some(small) = n.to_u64() {
        if small < 2 {
            return false;
        }
    }
    for &p in SMALL_PRIMES {
        if n == &BigUint::from(p) {
            return true;
        }
        if (n % p).is_zero() {
            return false;
        }
    }
    // SMALL_PRIMES is a non-empty constant table.
    let last = *SMALL_PRIMES.last().unwrap_or(&2) as u64;
    if let Some(small) = n.to_u64() {
        if small < last * last {
            return true;
        }
    }
    let limbs = n.to_u64_digits();
    if !bpsw_limbs(&limbs) {
        return false;
    }
    // Extra rounds with bases in [2, n - 2] derived from n.
    let nbytes = n.to_bytes_be();
    let span = n - 3u32;
    for round in 0u32..5 {
        let mut wide = Vec::new();
        let mut ctr = 0u32;
        while wide.len() * 8 < n.bits() as usize + 128 {
            let mut h = Sha256::new();
            h.update(b"kmi-mr-base");
            h.update(round.to_be_bytes());
            h.update(ctr.to_be_bytes());
            h.update(&nbytes);
            wide.extend_from_slice(&h.finalize());
            ctr += 1;
        }
        let base = BigUint::from_bytes_be(&wide) % &span + 2u32;
        if !mr_limbs(&limbs, &base) {
            return false;
        }
    }
    true
}

/// One strong-probable-prime (Miller-Rabin) round of n to `base`.
///
/// n < 2 is never prime; 2 and 3 are; other even n are not. A base that is 0, 1 or -1 modulo n
/// gives no information and the round passes.
pub fn miller_rabin(n: &BigUint, base: &BigUint) -> bool {
    if n < &BigUint::from(2u32) {
        return false;
    }
    if n == &BigUint::from(2u32) || n == &BigUint::from(3u32) {
        return true;
    }
    if n.is_even() {
        return false;
    }
    let b = base % n;
    if b.is_zero() || b.is_one() || b == n - 1u32 {
        return true;
    }
    mr_limbs(&n.to_u64_digits(), &b)
}
