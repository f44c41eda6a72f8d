//! The search itself (see the module doc of `prime`): epochs and their random start, numbered
//! intervals handed to worker threads, a sliding sieve per worker, and the tests each survivor
//! gets; the lowest-numbered interval that holds a prime wins.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use num_bigint::{BigUint, RandBigInt};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, SeedableRng};

use super::primality::{bpsw_limbs, euler2_limbs, to_big};
use super::sieve::{self, Step};
use super::{SearchConfig, SearchProgress, Tuning, MIN_BITS};
use crate::{Error, Result};

pub(super) fn check_bits(bits: usize, what: &str) -> Result<()> {
    if bits < MIN_BITS {
        return Err(Error::invalid(format!(
            "a {what} needs at least {MIN_BITS} bits (asked for {bits})"
        )));
    }
    if bits > 65536 {
        return Err(Error::invalid(format!(
            "a {what} of {bits} bits is beyond what kmi searches for"
        )));
    }
    Ok(())
}

pub(super) fn draw_key(rng: &mut dyn CryptoRngCore) -> [u8; 32] {
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    key
}

pub(super) enum Kind {
    /// p = 2p' + 1; the index walks p' = start + 2j.
    Safe,
    /// n = start + 2j.
    Plain,
    /// p = 2hq + 1; the index walks h = start + j.
    Factor(BigUint),
}

pub(super) struct Problem {
    pub(super) kind: Kind,
    pub(super) bits: usize,
    pub(super) top_two_bits: bool,
}

pub(super) fn factor_h_range(bits: usize, q: &BigUint) -> (BigUint, BigUint) {
    let two_q = q * 2u32;
    let lo = (BigUint::one() << (bits - 1)) - 1u32; // need 2qh >= 2^(bits-1) - 1
    let hmin = lo.div_ceil(&two_q);
    let hi = (BigUint::one() << bits) - 2u32; // need 2qh <= 2^bits - 2
    let hmax = hi / &two_q;
    (hmin, hmax)
}

/// One epoch's candidate set: value(j) = start + step*j for j < count.
pub(super) struct Epoch {
    pub(super) start: BigUint,
    count: u64,
    /// Smallest value any sieved form can take (table primes must stay below it).
    min_value: BigUint,
}

impl Problem {
    pub(super) fn epoch(&self, key: &[u8; 32], e: u64) -> Epoch {
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

pub(super) fn run_search(
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
                    if r.as_ref().is_none_or(|(bi, _)| i < *bi) {
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
