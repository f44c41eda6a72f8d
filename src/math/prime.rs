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

mod sieve;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use num_bigint::{BigUint, RandBigInt};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, SeedableRng};
use sha2::{Digest, Sha256};

use crate::math::mont;
use crate::{Error, Result};

use sieve::Step;

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
        return Err(Error::usage("the subgroup order q must be an odd prime"));
    }
    let (hmin, hmax) = factor_h_range(bits, q);
    if hmin > hmax {
        return Err(Error::usage(format!(
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
    let last = *SMALL_PRIMES.last().unwrap() as u64;
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

// ------------------------------------------------------------------------------------------------
// Tests on limbs: fast backend first, num-bigint for numbers wider than the backend takes.

fn to_big(x: &[u64]) -> BigUint {
    let mut v = Vec::with_capacity(2 * x.len());
    for &l in x {
        v.push(l as u32);
        v.push((l >> 32) as u32);
    }
    BigUint::new(v)
}

/// Strong test of odd n > 3 to base b (1 < b < n - 1).
fn mr_limbs(n: &[u64], b: &BigUint) -> bool {
    match mont::mr(n, &b.to_u64_digits()) {
        Some(r) => r,
        None => reference::miller_rabin(&to_big(n), b),
    }
}

fn mr2_limbs(n: &[u64]) -> bool {
    match mont::mr2(n) {
        Some(r) => r,
        None => reference::miller_rabin(&to_big(n), &BigUint::from(2u32)),
    }
}

fn euler2_limbs(p: &[u64]) -> bool {
    match mont::euler2(p) {
        Some(r) => r,
        None => {
            let pb = to_big(p);
            let x = BigUint::from(2u32).modpow(&(&pb >> 1), &pb);
            x.is_one() || x == &pb - 1u32
        }
    }
}

fn mod_small(n: &[u64], d: u64) -> u64 {
    let mut r: u128 = 0;
    for &l in n.iter().rev() {
        r = ((r << 64) | l as u128) % d as u128;
    }
    r as u64
}

/// Jacobi symbol (a/n) for odd n > 0, a and n as u64.
fn jacobi_u64(mut a: u64, mut n: u64) -> i32 {
    debug_assert!(n & 1 == 1);
    a %= n;
    let mut t = 1;
    while a != 0 {
        while a & 1 == 0 {
            a >>= 1;
            if n & 7 == 3 || n & 7 == 5 {
                t = -t;
            }
        }
        std::mem::swap(&mut a, &mut n);
        if a & 3 == 3 && n & 3 == 3 {
            t = -t;
        }
        a %= n;
    }
    if n == 1 {
        t
    } else {
        0
    }
}

/// Selfridge's method A: the first D in 5, -7, 9, -11, ... with (D/n) = -1.
/// Returns Err(false) when n is certainly composite (a square, or a small factor found).
/// n odd and > 2^16 (the callers trial-divide smaller numbers).
fn selfridge(n: &[u64]) -> std::result::Result<(u64, bool), bool> {
    let mut d_abs = 5u64;
    let mut neg = false;
    for tries in 0.. {
        // (D/n) = (sign/n) (|D|/n); (|D|/n) = (n mod |D| / |D|) * (-1)^((|D|-1)/2 (n-1)/2).
        let nm = mod_small(n, d_abs);
        let mut j = jacobi_u64(nm, d_abs);
        if j == 0 && (n.len() > 1 || n[0] > d_abs) {
            // gcd(|D|, n) > 1 and n > |D|: composite
            return Err(false);
        }
        let n_mod4 = n[0] & 3;
        if (d_abs & 3 == 3) && n_mod4 == 3 {
            j = -j;
        }
        if neg && n_mod4 == 3 {
            j = -j;
        }
        if j == -1 {
            return Ok((d_abs, neg));
        }
        if tries == 20 {
            let nb = to_big(n);
            let s = nb.sqrt();
            if &s * &s == nb {
                return Err(false);
            }
        }
        d_abs += 2;
        neg = !neg;
    }
    unreachable!()
}

/// Strong Lucas test (P = 1, Selfridge D) of odd n > 2^16 that is not a perfect square.
fn strong_lucas_limbs(n: &[u64]) -> bool {
    let (d_abs, d_neg) = match selfridge(n) {
        Ok(d) => d,
        Err(r) => return r,
    };
    // Q = (1 - D)/4
    let (q_abs, q_neg) = if d_neg {
        ((1 + d_abs) / 4, false)
    } else {
        ((d_abs - 1) / 4, true)
    };
    if q_abs > 1 && mod_small(n, q_abs) == 0 {
        return false;
    }
    match mont::strong_lucas(n, d_abs, d_neg, q_abs, q_neg) {
        Some(r) => r,
        None => reference::strong_lucas(&to_big(n), d_abs, d_neg, q_abs, q_neg),
    }
}

/// BPSW for odd n > 2^16 with no factor below 2^8 (the callers make sure).
fn bpsw_limbs(n: &[u64]) -> bool {
    mr2_limbs(n) && strong_lucas_limbs(n)
}

/// Plain num-bigint versions: the fallback for very wide numbers and the cross-check in tests.
mod reference {
    use num_bigint::BigUint;
    use num_integer::Integer;
    use num_traits::{One, Zero};

    pub fn miller_rabin(n: &BigUint, b: &BigUint) -> bool {
        let nm1 = n - 1u32;
        let s = nm1.trailing_zeros().unwrap_or(0);
        let d = &nm1 >> s;
        let mut x = b.modpow(&d, n);
        if x.is_one() || x == nm1 {
            return true;
        }
        for _ in 1..s {
            x = (&x * &x) % n;
            if x == nm1 {
                return true;
            }
            if x.is_one() {
                return false;
            }
        }
        false
    }

    pub fn strong_lucas(n: &BigUint, d_abs: u64, d_neg: bool, q_abs: u64, q_neg: bool) -> bool {
        let signed = |v: u64, neg: bool| {
            let v = BigUint::from(v) % n;
            if neg && !v.is_zero() {
                n - v
            } else {
                v
            }
        };
        let d = signed(d_abs, d_neg);
        let q = signed(q_abs, q_neg);
        let half = |x: BigUint| if x.is_odd() { (x + n) >> 1 } else { x >> 1 };
        let np1 = n + 1u32;
        let s = np1.trailing_zeros().unwrap_or(0);
        let e = &np1 >> s;
        let mut u = BigUint::one();
        let mut v = BigUint::one();
        let mut qk = q.clone();
        for i in (0..e.bits() - 1).rev() {
            u = (&u * &v) % n;
            v = (&v * &v + n * 2u32 - (&qk * 2u32) % n) % n;
            qk = (&qk * &qk) % n;
            if e.bit(i) {
                let nu = half((&u + &v) % n);
                let nv = half((&d * &u + &v) % n);
                u = nu;
                v = nv;
                qk = (&qk * &q) % n;
            }
        }
        if u.is_zero() || v.is_zero() {
            return true;
        }
        for _ in 1..s {
            v = (&v * &v + n * 2u32 - (&qk * 2u32) % n) % n;
            if v.is_zero() {
                return true;
            }
            qk = (&qk * &qk) % n;
        }
        false
    }
}

/// Odd primes below 256 (trial division in `is_probable_prime`; 2 handled there too).
const SMALL_PRIMES: &[u32] = &[
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
    197, 199, 211, 223, 227, 229, 233, 239, 241, 251,
];

// ------------------------------------------------------------------------------------------------
// The search.

fn check_bits(bits: usize, what: &str) -> Result<()> {
    if bits < MIN_BITS {
        return Err(Error::usage(format!(
            "a {what} needs at least {MIN_BITS} bits (asked for {bits})"
        )));
    }
    if bits > 65536 {
        return Err(Error::usage(format!(
            "a {what} of {bits} bits is beyond what kmi searches for"
        )));
    }
    Ok(())
}

fn draw_key(rng: &mut dyn CryptoRngCore) -> [u8; 32] {
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    key
}

enum Kind {
    /// p = 2p' + 1; the index walks p' = start + 2j.
    Safe,
    /// n = start + 2j.
    Plain,
    /// p = 2hq + 1; the index walks h = start + j.
    Factor(BigUint),
}

struct Problem {
    kind: Kind,
    bits: usize,
    top_two_bits: bool,
}

fn factor_h_range(bits: usize, q: &BigUint) -> (BigUint, BigUint) {
    let two_q = q * 2u32;
    let lo = (BigUint::one() << (bits - 1)) - 1u32; // need 2qh >= 2^(bits-1) - 1
    let hmin = lo.div_ceil(&two_q);
    let hi = (BigUint::one() << bits) - 2u32; // need 2qh <= 2^bits - 2
    let hmax = hi / &two_q;
    (hmin, hmax)
}

/// One epoch's candidate set: value(j) = start + step*j for j < count.
struct Epoch {
    start: BigUint,
    count: u64,
    /// Smallest value any sieved form can take (table primes must stay below it).
    min_value: BigUint,
}

impl Problem {
    fn epoch(&self, key: &[u8; 32], e: u64) -> Epoch {
        let mut rng = ChaCha20Rng::from_seed(*key);
        rng.set_stream(e);
        let bits = self.bits as u64;
        let one = BigUint::one();
        match &self.kind {
            Kind::Safe => {
                // p' has bits-1 bits: top bit (and the next one for top_two_bits) set, odd.
                let mut s = rng.gen_biguint(bits - 1);
                s.set_bit(bits - 2, true);
                if self.top_two_bits {
                    s.set_bit(bits - 3, true);
                }
                s.set_bit(0, true);
                let hi = (&one << (bits - 1)) - 1u32;
                let count = span_count(&s, &hi, 2);
                let mut min_value = &one << (bits - 2);
                if self.top_two_bits {
                    min_value.set_bit(bits - 3, true);
                }
                Epoch {
                    start: s,
                    count,
                    min_value,
                }
            }
            Kind::Plain => {
                let mut s = rng.gen_biguint(bits);
                s.set_bit(bits - 1, true);
                if self.top_two_bits {
                    s.set_bit(bits - 2, true);
                }
                s.set_bit(0, true);
                let hi = (&one << bits) - 1u32;
                let count = span_count(&s, &hi, 2);
                let mut min_value = &one << (bits - 1);
                if self.top_two_bits {
                    min_value.set_bit(bits - 2, true);
                }
                Epoch {
                    start: s,
                    count,
                    min_value,
                }
            }
            Kind::Factor(q) => {
                let (hmin, hmax) = factor_h_range(self.bits, q);
                let width = &hmax - &hmin + 1u32;
                let h0 = &hmin + rng.gen_biguint_below(&width);
                let count = span_count(&h0, &hmax, 1);
                let min_value = &one << (bits - 1);
                Epoch {
                    start: h0,
                    count,
                    min_value,
                }
            }
        }
    }

    fn default_window(&self) -> usize {
        let b = self.bits as f64;
        match self.kind {
            // Expected search length for a safe prime ~ 0.18 b^2 indices; aim at ~8 windows.
            Kind::Safe => ((0.18 * b * b / 8.0) as usize)
                .next_power_of_two()
                .clamp(256, 1 << 16),
            // Expected gap for a prime ~ 0.35 b indices; aim at about one prime per window.
            Kind::Plain | Kind::Factor(_) => {
                ((b / 4.0) as usize).next_power_of_two().clamp(64, 4096)
            }
        }
    }
}

/// Number of values start + step*j <= hi (at least 0), capped at 2^62.
fn span_count(start: &BigUint, hi: &BigUint, step: u32) -> u64 {
    if start > hi {
        return 0;
    }
    let n = (hi - start) / step + 1u32;
    n.to_u64().unwrap_or(1 << 62).min(1 << 62)
}

const MAX_EPOCHS: u64 = 4096;

fn resolve_threads(cfg: &SearchConfig) -> usize {
    if cfg.threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        // A caller's count is bounded too: thousands of threads only add scheduling overhead.
        cfg.threads.min(crate::limits::max_threads())
    }
}

fn run_search(
    problem: &Problem,
    key: &[u8; 32],
    cfg: &SearchConfig,
    progress: &dyn SearchProgress,
    tuning: Tuning,
) -> Result<BigUint> {
    let threads = resolve_threads(cfg).max(1);
    let counters = Counters::default();
    for e in 0..MAX_EPOCHS {
        let epoch = problem.epoch(key, e);
        if epoch.count == 0 {
            continue;
        }
        if let Some(p) = search_epoch(problem, &epoch, threads, progress, &counters, tuning) {
            progress.update(
                counters.sieved.load(Ordering::Relaxed),
                counters.tested.load(Ordering::Relaxed),
            );
            return Ok(p);
        }
    }
    Err(Error::internal(format!(
        "no {}-bit prime of the requested form found",
        problem.bits
    )))
}

#[derive(Default)]
struct Counters {
    sieved: AtomicU64,
    tested: AtomicU64,
}

/// What a candidate index turns into and how it is tested.
struct Tester<'a> {
    kind: &'a Kind,
    start: Vec<u64>,
    /// For Factor: p at j = 0 and the step 2q, as BigUint.
    p0: BigUint,
    two_q: BigUint,
}

impl Tester<'_> {
    /// Some(prime) when candidate j is what we look for.
    fn test(&self, j: u64, scratch: &mut Vec<u64>) -> Option<BigUint> {
        match self.kind {
            Kind::Safe => {
                // p' = start + 2j; p = 2p' + 1
                add_small(&self.start, 2 * j as u128, scratch);
                let pp = scratch.clone();
                let mut p = Vec::with_capacity(pp.len() + 1);
                let mut carry = 1u64;
                for &l in &pp {
                    p.push((l << 1) | carry);
                    carry = l >> 63;
                }
                if carry != 0 {
                    p.push(carry);
                }
                // Euler base 2 on p: 2^((p-1)/2) = +-1 (so 2^(p-1) = 1).
                if !euler2_limbs(&p) {
                    return None;
                }
                // p' prime (BPSW); then Pocklington with the factor p' > sqrt(p) proves p prime
                // (gcd(2^2 - 1, p) = 1 as 3 is a sieve prime below p').
                if !bpsw_limbs(&pp) {
                    return None;
                }
                Some(to_big(&p))
            }
            Kind::Plain => {
                add_small(&self.start, 2 * j as u128, scratch);
                if !bpsw_limbs(scratch) {
                    return None;
                }
                Some(to_big(scratch))
            }
            Kind::Factor(_) => {
                let p = &self.p0 + &self.two_q * j;
                let limbs = p.to_u64_digits();
                if !bpsw_limbs(&limbs) {
                    return None;
                }
                Some(p)
            }
        }
    }
}

fn tester_start(x: &BigUint) -> Vec<u64> {
    x.to_u64_digits()
}

/// out = x + y (limbs).
fn add_small(x: &[u64], y: u128, out: &mut Vec<u64>) {
    out.clear();
    let mut carry = y;
    for &l in x {
        let t = l as u128 + (carry & u64::MAX as u128);
        out.push(t as u64);
        carry = (carry >> 64) + (t >> 64);
    }
    while carry != 0 {
        out.push(carry as u64);
        carry >>= 64;
    }
}

fn search_epoch(
    problem: &Problem,
    epoch: &Epoch,
    threads: usize,
    progress: &dyn SearchProgress,
    counters: &Counters,
    tuning: Tuning,
) -> Option<BigUint> {
    let w = if tuning.window == 0 {
        problem.default_window()
    } else {
        tuning.window
    };
    let w = w.max(16);
    // Sieve primes must stay below every value a form takes (else a prime could strike itself).
    let min_small = epoch.min_value.to_u64().unwrap_or(u64::MAX);
    let bound = (tuning.sieve_bound as u64)
        .min(min_small.saturating_sub(1))
        .max(3) as u32;
    let table = sieve::prime_table(bound);
    let nprimes = table
        .count_below(bound as u64 + 1)
        .min(table.count_below(min_small));

    let start_limbs = epoch.start.to_u64_digits();
    // (A limbs, general step B limbs or None for B = 2^k, k)
    type FormSpec = (Vec<u64>, Option<Vec<u64>>, u32);
    let (p0, two_q, forms_store): (BigUint, BigUint, Vec<FormSpec>) = match &problem.kind {
        Kind::Safe => {
            let a2 = &epoch.start * 2u32 + 1u32;
            (
                BigUint::zero(),
                BigUint::zero(),
                vec![
                    (start_limbs.clone(), None, 1),
                    (a2.to_u64_digits(), None, 2),
                ],
            )
        }
        Kind::Plain => (
            BigUint::zero(),
            BigUint::zero(),
            vec![(start_limbs.clone(), None, 1)],
        ),
        Kind::Factor(q) => {
            let two_q = q * 2u32;
            let p0 = &two_q * &epoch.start + 1u32;
            let f = (p0.to_u64_digits(), Some(two_q.to_u64_digits()), 0);
            (p0, two_q, vec![f])
        }
    };
    let forms: Vec<(&[u64], Step<'_>)> = forms_store
        .iter()
        .map(|(a, b, k)| {
            let step = match b {
                Some(b) => Step::General(&b[..]),
                None => Step::Pow2(*k),
            };
            (&a[..], step)
        })
        .collect();
    let k = forms.len();
    let roots = match problem.kind {
        Kind::Safe => sieve::roots_safe(&table, nprimes, &tester_start(&epoch.start), threads),
        _ => sieve::roots(&table, nprimes, &forms, threads),
    };

    let tester = Tester {
        kind: &problem.kind,
        start: start_limbs,
        p0,
        two_q,
    };
    let n_intervals = epoch.count.div_ceil(w as u64);
    let best = AtomicU64::new(u64::MAX);
    let result: Mutex<Option<(u64, BigUint)>> = Mutex::new(None);

    let worker = |wid: usize| {
        let mut sv = sieve::Sieve::new(
            table.clone(),
            nprimes,
            &roots,
            k,
            w,
            (wid * w) as u64,
            (threads * w) as u64,
        );
        let mut scratch = Vec::new();
        let mut last_report = Instant::now();
        let mut i = wid as u64;
        'intervals: while i < n_intervals {
            if i > best.load(Ordering::Acquire) {
                break;
            }
            let first = i * w as u64;
            let limit = (epoch.count - first).min(w as u64) as usize;
            sv.run(limit);
            counters.sieved.fetch_add(limit as u64, Ordering::Relaxed);
            let mut tested = 0u64;
            for j in 0..limit {
                if sv.buf[j] != 0 {
                    continue;
                }
                tested += 1;
                if tested % 8 == 0 {
                    counters.tested.fetch_add(8, Ordering::Relaxed);
                    if i > best.load(Ordering::Acquire) {
                        break 'intervals;
                    }
                    if last_report.elapsed() > Duration::from_millis(100) {
                        last_report = Instant::now();
                        progress.update(
                            counters.sieved.load(Ordering::Relaxed),
                            counters.tested.load(Ordering::Relaxed),
                        );
                    }
                }
                if let Some(p) = tester.test(first + j as u64, &mut scratch) {
                    counters.tested.fetch_add(tested % 8, Ordering::Relaxed);
                    best.fetch_min(i, Ordering::AcqRel);
                    let mut r = result.lock().unwrap_or_else(|e| e.into_inner());
                    if r.as_ref().map_or(true, |(bi, _)| i < *bi) {
                        *r = Some((i, p));
                    }
                    break 'intervals;
                }
            }
            counters.tested.fetch_add(tested % 8, Ordering::Relaxed);
            if last_report.elapsed() > Duration::from_millis(100) {
                last_report = Instant::now();
                progress.update(
                    counters.sieved.load(Ordering::Relaxed),
                    counters.tested.load(Ordering::Relaxed),
                );
            }
            i += threads as u64;
        }
    };
    if threads == 1 {
        worker(0);
    } else {
        std::thread::scope(|s| {
            for wid in 0..threads {
                let worker = &worker;
                s.spawn(move || worker(wid));
            }
        });
    }
    let r = result.into_inner().unwrap_or_else(|e| e.into_inner());
    r.map(|(_, p)| p)
}

// ------------------------------------------------------------------------------------------------
// Backend micro-benchmark hooks (used by benches/safe_prime.rs; not a stable API).

#[doc(hidden)]
/// base^exp mod m on the fixed-width Montgomery backend, or None when m is even, 1, or wider
/// than the backend handles. base may be any size. Variable-time, like num-bigint.
pub(crate) fn modpow_odd(base: &BigUint, exp: &BigUint, m: &BigUint) -> Option<BigUint> {
    if m.is_even() || m <= &BigUint::one() {
        return None;
    }
    let b = base % m;
    mont::modpow(&b.to_u64_digits(), &exp.to_u64_digits(), &m.to_u64_digits()).map(|r| to_big(&r))
}

/// base^exp mod m in constant time for exponents of at most `exp_bits` bits (see
/// `mont::Mont::pow_ct`), or None when m is even, 1, or wider than 256 limbs. The exponent goes
/// to the backend through a wiped limb copy of fixed length; base must be below m.
pub(crate) fn modpow_odd_ct(
    base: &BigUint,
    exp: &BigUint,
    m: &BigUint,
    exp_bits: u64,
) -> Option<BigUint> {
    if m.is_even() || m <= &BigUint::one() || base >= m {
        return None;
    }
    let limbs = |x: &BigUint, len: usize| {
        let mut v = zeroize::Zeroizing::new(vec![0u64; len.max(x.iter_u64_digits().len())]);
        for (slot, d) in v.iter_mut().zip(x.iter_u64_digits()) {
            *slot = d;
        }
        v
    };
    let m_limbs = m.to_u64_digits();
    let b = limbs(base, m_limbs.len());
    let e = limbs(exp, (exp_bits as usize).div_ceil(64));
    let r = zeroize::Zeroizing::new(mont::modpow_ct(&b, &e, &m_limbs, exp_bits as usize)?);
    Some(to_big(&r))
}

pub mod backend {
    use super::*;

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn n(s: &str) -> BigUint {
        BigUint::from_str(s).unwrap()
    }

    fn seeded(b: u8) -> ChaCha20Rng {
        ChaCha20Rng::from_seed([b; 32])
    }

    fn naive_is_prime(x: u64) -> bool {
        if x < 2 {
            return false;
        }
        let mut d = 2;
        while d * d <= x {
            if x % d == 0 {
                return false;
            }
            d += 1;
        }
        true
    }

    #[test]
    fn small_numbers() {
        for x in 0u64..3000 {
            assert_eq!(
                is_probable_prime(&BigUint::from(x)),
                naive_is_prime(x),
                "{x}"
            );
        }
        // across the trial-division boundary (251^2 = 63001) and beyond 2^16
        for x in (62_000u64..70_000).chain(1_000_000..1_002_000) {
            assert_eq!(
                is_probable_prime(&BigUint::from(x)),
                naive_is_prime(x),
                "{x}"
            );
        }
    }

    #[test]
    fn known_composites_and_primes() {
        let composites = [
            "561",
            "41041",
            "825265",
            "2047",
            "1373653",
            "25326001",
            "3215031751",
            "3825123056546413051",
            // 18446744073709551557 * 18446744073709551533 (two 64-bit primes)
            "340282366920938461286658806734041124681",
            // 2^128 + 1 (composite Fermat number)
            "340282366920938463463374607431768211457",
            // strong Lucas pseudoprimes
            "5459",
            "5777",
            "10877",
            "16109",
            "18971",
            // Arnault's strong pseudoprime to all prime bases below 307 (397 digits)
        ];
        for c in composites {
            assert!(!is_probable_prime(&n(c)), "{c} is composite");
        }
        let primes = [
            "2",
            "3",
            "65537",
            "18446744073709551557",
            "18446744073709551533",
            "170141183460469231731687303715884105727", // 2^127 - 1
        ];
        for p in primes {
            assert!(is_probable_prime(&n(p)), "{p} is prime");
        }
        let m521 = (BigUint::one() << 521u32) - 1u32;
        assert!(is_probable_prime(&m521));
        let m523 = (BigUint::one() << 523u32) - 1u32;
        assert!(!is_probable_prime(&m523));
        // product of the two 64-bit primes, computed
        let prod = n("18446744073709551557") * n("18446744073709551533");
        assert!(!is_probable_prime(&prod));
        // Carmichael number with large factors: (6k+1)(12k+1)(18k+1), k = 2^100 + 89 search-free check
        let k = BigUint::from(1u32);
        let c = (&k * 6u32 + 1u32) * (&k * 12u32 + 1u32) * (&k * 18u32 + 1u32); // 7*13*19 = 1729
        assert!(!is_probable_prime(&c));
    }

    #[test]
    fn strong_pseudoprimes_fool_base_2_only() {
        // (n, the prime bases it is a strong pseudoprime to, the next prime base that catches it)
        let cases: [(&str, &[u32], u32); 5] = [
            ("2047", &[2], 3),
            ("1373653", &[2, 3], 5),
            ("25326001", &[2, 3, 5], 7),
            ("3215031751", &[2, 3, 5, 7], 11),
            (
                "3825123056546413051",
                &[2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31],
                37,
            ),
        ];
        for (c, liars, witness) in cases {
            let c = n(c);
            for &b in liars {
                assert!(miller_rabin(&c, &BigUint::from(b)), "{c} base {b}");
                assert!(reference::miller_rabin(&c, &BigUint::from(b)));
            }
            assert!(
                !miller_rabin(&c, &BigUint::from(witness)),
                "{c} base {witness}"
            );
            assert!(!is_probable_prime(&c));
        }
        assert!(!miller_rabin(&n("561"), &BigUint::from(2u32)));
        assert!(miller_rabin(&n("3"), &BigUint::from(2u32)));
        assert!(miller_rabin(&n("2"), &BigUint::from(5u32)));
        assert!(!miller_rabin(&n("1"), &BigUint::from(2u32)));
        assert!(!miller_rabin(&n("0"), &BigUint::from(2u32)));
        assert!(!miller_rabin(&n("100"), &BigUint::from(3u32)));
        // bases 0, 1, -1 mod n carry no information
        assert!(miller_rabin(&n("561"), &n("562")));
        assert!(miller_rabin(&n("561"), &n("560")));
        let m127 = (BigUint::one() << 127u32) - 1u32;
        assert!(miller_rabin(&m127, &n("123456789123456789")));
    }

    #[test]
    fn lucas_pseudoprimes_pass_lucas_but_fail_mr() {
        // strong Lucas pseudoprimes (Selfridge parameters), all composite
        for c in [
            5459u64, 5777, 10877, 16109, 18971, 22499, 24569, 25199, 40309, 58519, 75077, 97439,
        ] {
            let l = [c];
            let (d_abs, d_neg) = selfridge(&l).unwrap();
            let (q_abs, q_neg) = if d_neg {
                ((1 + d_abs) / 4, false)
            } else {
                ((d_abs - 1) / 4, true)
            };
            assert!(
                mont::strong_lucas(&l, d_abs, d_neg, q_abs, q_neg).unwrap(),
                "{c}"
            );
            assert!(
                reference::strong_lucas(&BigUint::from(c), d_abs, d_neg, q_abs, q_neg),
                "{c}"
            );
            assert!(!is_probable_prime(&BigUint::from(c)));
        }
    }

    #[test]
    fn backend_tests_match_reference() {
        let mut rng = seeded(11);
        for bits in [70u64, 128, 255, 512, 1024] {
            for _ in 0..40 {
                let mut x = rng.gen_biguint(bits);
                x.set_bit(0, true);
                x.set_bit(bits - 1, true);
                let l = x.to_u64_digits();
                let b = rng.gen_biguint_below(&(&x - 3u32)) + 2u32;
                assert_eq!(mr_limbs(&l, &b), reference::miller_rabin(&x, &b));
                assert_eq!(
                    mr2_limbs(&l),
                    reference::miller_rabin(&x, &BigUint::from(2u32))
                );
                if let Ok((d_abs, d_neg)) = selfridge(&l) {
                    let (q_abs, q_neg) = if d_neg {
                        ((1 + d_abs) / 4, false)
                    } else {
                        ((d_abs - 1) / 4, true)
                    };
                    assert_eq!(
                        mont::strong_lucas(&l, d_abs, d_neg, q_abs, q_neg).unwrap(),
                        reference::strong_lucas(&x, d_abs, d_neg, q_abs, q_neg)
                    );
                }
            }
        }
        // on primes everything passes
        let p = (BigUint::one() << 521u32) - 1u32;
        let (d_abs, d_neg) = selfridge(&p.to_u64_digits()).unwrap();
        let (q_abs, q_neg) = if d_neg {
            ((1 + d_abs) / 4, false)
        } else {
            ((d_abs - 1) / 4, true)
        };
        assert!(reference::strong_lucas(&p, d_abs, d_neg, q_abs, q_neg));
        assert!(mont::strong_lucas(&p.to_u64_digits(), d_abs, d_neg, q_abs, q_neg).unwrap());
    }

    fn is_safe(p: &BigUint) -> bool {
        is_probable_prime(p) && is_probable_prime(&(p >> 1))
    }

    #[test]
    fn safe_primes_have_the_right_shape() {
        let cfg = SearchConfig { threads: 2 };
        let mut rng = seeded(1);
        for bits in [16usize, 17, 20, 24, 32, 64, 65, 128, 256] {
            for top in [false, true] {
                let p = safe_prime(bits, top, &mut rng, &cfg, &NoProgress).unwrap();
                assert_eq!(p.bits() as usize, bits, "{bits} bits");
                assert!(is_safe(&p), "{p} is a safe prime");
                if top {
                    assert!(p.bit(bits as u64 - 2));
                }
            }
        }
        assert!(safe_prime(15, false, &mut rng, &cfg, &NoProgress).is_err());
    }

    #[test]
    fn safe_prime_512() {
        let mut rng = seeded(2);
        let p = safe_prime(
            512,
            true,
            &mut rng,
            &SearchConfig { threads: 0 },
            &NoProgress,
        )
        .unwrap();
        assert_eq!(p.bits(), 512);
        assert!(is_safe(&p));
    }

    #[test]
    fn seeded_search_is_deterministic_across_threads() {
        for bits in [64usize, 128, 256] {
            let a = safe_prime(
                bits,
                true,
                &mut seeded(7),
                &SearchConfig { threads: 1 },
                &NoProgress,
            )
            .unwrap();
            let b = safe_prime(
                bits,
                true,
                &mut seeded(7),
                &SearchConfig { threads: 2 },
                &NoProgress,
            )
            .unwrap();
            let c = safe_prime(
                bits,
                true,
                &mut seeded(7),
                &SearchConfig { threads: 3 },
                &NoProgress,
            )
            .unwrap();
            assert_eq!(a, b);
            assert_eq!(a, c);
            let d = safe_prime(
                bits,
                true,
                &mut seeded(8),
                &SearchConfig { threads: 2 },
                &NoProgress,
            )
            .unwrap();
            assert_ne!(a, d);
        }
        // also with a small window (many intervals) and a different sieve bound
        let t1 = Tuning {
            sieve_bound: 1 << 12,
            window: 64,
        };
        let t2 = Tuning {
            sieve_bound: 1 << 18,
            window: 1024,
        };
        let a = safe_prime_tuned(
            256,
            false,
            &mut seeded(7),
            &SearchConfig { threads: 1 },
            &NoProgress,
            t1,
        )
        .unwrap();
        let b = safe_prime_tuned(
            256,
            false,
            &mut seeded(7),
            &SearchConfig { threads: 2 },
            &NoProgress,
            t2,
        )
        .unwrap();
        assert_eq!(a, b);
        for bits in [64usize, 256] {
            let a = random_prime(
                bits,
                false,
                &mut seeded(7),
                &SearchConfig { threads: 1 },
                &NoProgress,
            )
            .unwrap();
            let b = random_prime(
                bits,
                false,
                &mut seeded(7),
                &SearchConfig { threads: 2 },
                &NoProgress,
            )
            .unwrap();
            assert_eq!(a, b);
        }
    }

    /// The result is the first safe prime at or after the epoch-0 start: check against a brute walk.
    #[test]
    fn result_is_first_safe_prime_after_start() {
        for seed in 0u8..4 {
            let bits = 40usize;
            let problem = Problem {
                kind: Kind::Safe,
                bits,
                top_two_bits: false,
            };
            let mut rng = seeded(seed);
            let key = draw_key(&mut rng);
            let ep = problem.epoch(&key, 0);
            let mut pp = ep.start.clone();
            let expected = loop {
                let p = &pp * 2u32 + 1u32;
                if p.bits() as usize > bits {
                    break None;
                }
                if is_safe(&p) {
                    break Some(p);
                }
                pp += 2u32;
            };
            let got = safe_prime(
                bits,
                false,
                &mut seeded(seed),
                &SearchConfig { threads: 2 },
                &NoProgress,
            )
            .unwrap();
            if let Some(e) = expected {
                assert_eq!(got, e);
            }
        }
    }

    #[test]
    fn random_primes() {
        let mut rng = seeded(3);
        let cfg = SearchConfig { threads: 2 };
        for bits in [16usize, 31, 64, 100, 256, 512] {
            for top in [false, true] {
                let p = random_prime(bits, top, &mut rng, &cfg, &NoProgress).unwrap();
                assert_eq!(p.bits() as usize, bits);
                assert!(is_probable_prime(&p));
                if top {
                    assert!(p.bit(bits as u64 - 2));
                }
            }
        }
        assert!(random_prime(8, false, &mut rng, &cfg, &NoProgress).is_err());
    }

    #[test]
    fn primes_with_factor() {
        let mut rng = seeded(4);
        let cfg = SearchConfig { threads: 2 };
        for (pbits, qbits) in [
            (64usize, 20usize),
            (256, 160),
            (512, 256),
            (140, 127),
            (44, 37),
        ] {
            let q = random_prime(qbits, false, &mut rng, &cfg, &NoProgress).unwrap();
            let p = prime_with_factor(pbits, &q, &mut rng, &cfg, &NoProgress).unwrap();
            assert_eq!(p.bits() as usize, pbits);
            assert!(is_probable_prime(&p));
            assert!(((&p - 1u32) % (&q * 2u32)).is_zero());
        }
        // determinism
        let q = random_prime(160, false, &mut seeded(5), &cfg, &NoProgress).unwrap();
        let a = prime_with_factor(
            512,
            &q,
            &mut seeded(6),
            &SearchConfig { threads: 1 },
            &NoProgress,
        )
        .unwrap();
        let b = prime_with_factor(
            512,
            &q,
            &mut seeded(6),
            &SearchConfig { threads: 2 },
            &NoProgress,
        )
        .unwrap();
        assert_eq!(a, b);
        // q too large for the size
        let big_q = random_prime(100, false, &mut rng, &cfg, &NoProgress).unwrap();
        assert!(prime_with_factor(64, &big_q, &mut rng, &cfg, &NoProgress).is_err());
        assert!(prime_with_factor(64, &BigUint::from(4u32), &mut rng, &cfg, &NoProgress).is_err());
    }

    #[test]
    fn progress_is_reported() {
        struct P(AtomicU64, AtomicU64);
        impl SearchProgress for P {
            fn update(&self, s: u64, t: u64) {
                self.0.fetch_max(s, Ordering::Relaxed);
                self.1.fetch_max(t, Ordering::Relaxed);
            }
        }
        let p = P(AtomicU64::new(0), AtomicU64::new(0));
        safe_prime(128, false, &mut seeded(9), &SearchConfig { threads: 2 }, &p).unwrap();
        assert!(p.0.load(Ordering::Relaxed) > 0);
        assert!(p.1.load(Ordering::Relaxed) > 0);
    }
}
