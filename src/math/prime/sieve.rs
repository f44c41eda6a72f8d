//! The sieve side of the search: a cached table of small odd primes, fast residues of a big start
//! value modulo all of them, and a windowed sieve whose strike offsets slide from window to window
//! with one addition per prime (no per-window recomputation).
//!
//! A search looks at candidates indexed by j = 0, 1, 2, ... and a few linear "forms"
//! f(j) = A + B*j (for a safe prime: p' = base + 2j and p = 2*base + 1 + 4j). Index j is struck when
//! some table prime r divides some form. The caller keeps every table prime below the smallest
//! value a form can take, so only composites are struck.
#![allow(clippy::needless_range_loop)] // limb arithmetic reads clearest with explicit indices

use std::sync::{Arc, Mutex};

/// Odd primes 3..=bound with per-prime constants for 64-bit Montgomery reduction.
pub(crate) struct PrimeTable {
    pub bound: u32,
    pub primes: Vec<u32>,
    /// -r^-1 mod 2^64.
    ninv: Vec<u64>,
    /// 2^128 mod r (the Montgomery form of 2^64).
    r128: Vec<u32>,
}

static TABLE: Mutex<Option<Arc<PrimeTable>>> = Mutex::new(None);

/// The table of odd primes up to at least `bound` (cached for the life of the process).
pub(crate) fn prime_table(bound: u32) -> Arc<PrimeTable> {
    let mut guard = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = guard.as_ref() {
        if t.bound >= bound {
            return t.clone();
        }
    }
    let t = Arc::new(build_table(bound));
    *guard = Some(t.clone());
    t
}

fn build_table(bound: u32) -> PrimeTable {
    let bound = bound.max(3);
    // Odd-only sieve of Eratosthenes: index i stands for 2i + 1.
    let n = (bound as usize - 1) / 2 + 1;
    let mut composite = vec![false; n];
    let mut i = 1usize;
    while (2 * i + 1) * (2 * i + 1) <= bound as usize {
        if !composite[i] {
            let p = 2 * i + 1;
            let mut k = (p * p - 1) / 2;
            while k < n {
                composite[k] = true;
                k += p;
            }
        }
        i += 1;
    }
    let primes: Vec<u32> = (1..n)
        .filter(|&i| !composite[i])
        .map(|i| (2 * i + 1) as u32)
        .collect();
    let mut ninv = Vec::with_capacity(primes.len());
    let mut r128 = Vec::with_capacity(primes.len());
    for &r in &primes {
        let r64 = r as u64;
        let mut inv = r64;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(r64.wrapping_mul(inv)));
        }
        ninv.push(inv.wrapping_neg());
        let r2_64 = ((u64::MAX % r64) + 1) % r64; // 2^64 mod r
        r128.push(((r2_64 * r2_64) % r64) as u32);
    }
    PrimeTable {
        bound,
        primes,
        ninv,
        r128,
    }
}

impl PrimeTable {
    /// How many table primes are below `limit` (exclusive).
    pub fn count_below(&self, limit: u64) -> usize {
        self.primes.partition_point(|&r| (r as u64) < limit)
    }

    #[inline(always)]
    fn redc(&self, i: usize, t: u128) -> u64 {
        let r = self.primes[i] as u64;
        let m = (t as u64).wrapping_mul(self.ninv[i]);
        let s = ((t + (m as u128) * (r as u128)) >> 64) as u64;
        if s >= r {
            s - r
        } else {
            s
        }
    }

    /// x mod r for table prime i, x as little-endian u64 limbs.
    #[inline(always)]
    fn residue(&self, i: usize, x: &[u64]) -> u32 {
        if x.is_empty() {
            return 0;
        }
        // Horner from the low limb: acc = x * 2^(-64 n) mod r.
        let mut acc = 0u64;
        for &limb in x {
            acc = self.redc(i, acc as u128 + limb as u128);
        }
        // K = 2^(64(n+1)) mod r = Montgomery form of 2^(64 n) = (mont 2^64)^n.
        let n = x.len();
        let base = self.r128[i] as u64;
        let mut k = base;
        let top = 63 - (n as u64).leading_zeros();
        for b in (0..top).rev() {
            k = self.redc(i, (k as u128) * (k as u128));
            if (n >> b) & 1 == 1 {
                k = self.redc(i, (k as u128) * (base as u128));
            }
        }
        self.redc(i, (acc as u128) * (k as u128)) as u32
    }
}

/// How a form's step B acts modulo r.
#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    /// B = 2^k.
    Pow2(u32),
    /// B given as big-integer limbs (any value; r | B means the form never hits 0 mod r).
    General(&'a [u64]),
}

/// Marker for "this form is never divisible by this prime".
pub(crate) const NO_ROOT: u32 = u32::MAX;

/// For every table prime i < nprimes and every form (A_f, B_f): the least j >= 0 with
/// A_f + B_f j = 0 (mod r), or NO_ROOT. Output layout: roots[i * forms + f]. Runs on `threads`.
pub(crate) fn roots(
    table: &PrimeTable,
    nprimes: usize,
    forms: &[(&[u64], Step<'_>)],
    threads: usize,
) -> Vec<u32> {
    let k = forms.len();
    let mut out = vec![0u32; nprimes * k];
    let threads = threads.max(1).min(nprimes.div_ceil(4096).max(1));
    let chunk = nprimes.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (ci, part) in out.chunks_mut(chunk * k).enumerate() {
            let start = ci * chunk;
            s.spawn(move || {
                for (off, slot) in part.chunks_mut(k).enumerate() {
                    let i = start + off;
                    let r = table.primes[i] as u64;
                    for (f, (a, step)) in forms.iter().enumerate() {
                        let a_mod = table.residue(i, a) as u64;
                        // want j with B j = -A (mod r)
                        let neg_a = if a_mod == 0 { 0 } else { r - a_mod };
                        slot[f] = match step {
                            Step::Pow2(kk) => {
                                let mut v = neg_a;
                                for _ in 0..*kk {
                                    if v & 1 == 1 {
                                        v += r;
                                    }
                                    v >>= 1;
                                }
                                v as u32
                            }
                            Step::General(b) => {
                                let b_mod = table.residue(i, b) as u64;
                                match inv_mod(b_mod, r) {
                                    None => NO_ROOT,
                                    Some(inv) => ((neg_a * inv) % r) as u32,
                                }
                            }
                        };
                    }
                }
            });
        }
    });
    out
}

/// Roots for the two safe-prime forms p' = base + 2j and p = 2 base + 1 + 4j, from one residue of
/// `base` per prime (the second form's residue is 2a + 1). Same layout as `roots` with two forms.
pub(crate) fn roots_safe(
    table: &PrimeTable,
    nprimes: usize,
    base: &[u64],
    threads: usize,
) -> Vec<u32> {
    let mut out = vec![0u32; nprimes * 2];
    let threads = threads.max(1).min(nprimes.div_ceil(4096).max(1));
    let chunk = nprimes.div_ceil(threads).max(1);
    let halve = |v: u64, r: u64| if v & 1 == 1 { (v + r) >> 1 } else { v >> 1 };
    std::thread::scope(|s| {
        for (ci, part) in out.chunks_mut(chunk * 2).enumerate() {
            let start = ci * chunk;
            s.spawn(move || {
                for (off, slot) in part.chunks_mut(2).enumerate() {
                    let i = start + off;
                    let r = table.primes[i] as u64;
                    let a = table.residue(i, base) as u64;
                    let neg_a = if a == 0 { 0 } else { r - a };
                    slot[0] = halve(neg_a, r) as u32;
                    let b = (2 * a + 1) % r;
                    let neg_b = if b == 0 { 0 } else { r - b };
                    slot[1] = halve(halve(neg_b, r), r) as u32;
                }
            });
        }
    });
    out
}

fn inv_mod(a: u64, m: u64) -> Option<u64> {
    if a == 0 {
        return None;
    }
    let (mut old_r, mut r) = (a as i64, m as i64);
    let (mut old_s, mut s) = (1i64, 0i64);
    while r != 0 {
        let q = old_r / r;
        (old_r, r) = (r, old_r - q * r);
        (old_s, s) = (s, old_s - q * s);
    }
    if old_r != 1 {
        return None;
    }
    Some(old_s.rem_euclid(m as i64) as u64)
}

/// One worker's sliding sieve: windows of `w` indices starting at `first`, `first + stride`, ...
pub(crate) struct Sieve {
    table: Arc<PrimeTable>,
    nprimes: usize,
    /// Index of the first table prime >= w (those strike at most once per window and form).
    split: usize,
    /// Index of the first table prime > stride (advance by plain subtraction).
    split_stride: usize,
    forms: usize,
    /// Strike offsets relative to the current window start, layout [i * forms + f].
    offs: Vec<u32>,
    /// stride mod r for the primes <= stride.
    adv_small: Vec<u32>,
    stride: u64,
    w: usize,
    /// 0 = survivor, 1 = struck.
    pub buf: Vec<u8>,
}

impl Sieve {
    pub fn new(
        table: Arc<PrimeTable>,
        nprimes: usize,
        roots: &[u32],
        forms: usize,
        w: usize,
        first: u64,
        stride: u64,
    ) -> Sieve {
        let primes = &table.primes[..nprimes];
        let mut offs = Vec::with_capacity(nprimes * forms);
        for (i, &r) in primes.iter().enumerate() {
            let r = r as u64;
            let s = if first < r { first } else { first % r };
            for f in 0..forms {
                let root = roots[i * forms + f];
                offs.push(if root == NO_ROOT {
                    NO_ROOT
                } else {
                    let root = root as u64;
                    (if root >= s { root - s } else { root + r - s }) as u32
                });
            }
        }
        let split = primes.partition_point(|&r| (r as usize) < w);
        let split_stride = primes.partition_point(|&r| (r as u64) <= stride);
        let adv_small = primes[..split_stride]
            .iter()
            .map(|&r| (stride % r as u64) as u32)
            .collect();
        Sieve {
            nprimes,
            split,
            split_stride,
            forms,
            offs,
            adv_small,
            stride,
            w,
            buf: vec![0u8; w],
            table,
        }
    }

    /// Sieve the current window (indices 0..limit of it, limit <= w) into `buf`, then move every
    /// offset on to the next window of this worker.
    pub fn run(&mut self, limit: usize) {
        debug_assert!(limit <= self.w);
        let buf = &mut self.buf[..limit];
        buf.fill(0);
        let k = self.forms;
        let primes = &self.table.primes[..self.nprimes];
        // Primes below the window width: many strikes each.
        for i in 0..self.split {
            let r = primes[i];
            for f in 0..k {
                let o = self.offs[i * k + f];
                if o == NO_ROOT {
                    continue;
                }
                let mut p = o as usize;
                while p < limit {
                    buf[p] = 1;
                    p += r as usize;
                }
            }
        }
        // Larger primes: at most one strike per form.
        for i in self.split..self.nprimes {
            for f in 0..k {
                let o = self.offs[i * k + f];
                if (o as usize) < limit {
                    buf[o as usize] = 1;
                }
            }
        }
        // Slide to the next window: o <- (o - stride) mod r.
        for i in 0..self.split_stride {
            let r = primes[i];
            let adv = self.adv_small[i];
            for f in 0..k {
                let o = &mut self.offs[i * k + f];
                if *o == NO_ROOT {
                    continue;
                }
                *o = if *o >= adv { *o - adv } else { *o + r - adv };
            }
        }
        let stride = self.stride as u32; // every prime here is > stride, so stride < 2^32
        for i in self.split_stride..self.nprimes {
            let r = primes[i];
            for f in 0..k {
                let o = &mut self.offs[i * k + f];
                if *o == NO_ROOT {
                    continue;
                }
                *o = if *o >= stride {
                    *o - stride
                } else {
                    *o + r - stride
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::{BigUint, RandBigInt};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn table_is_right() {
        let t = build_table(1000);
        assert_eq!(t.primes[..6], [3, 5, 7, 11, 13, 17]);
        assert_eq!(t.primes.len(), 167); // pi(1000) - 1
        assert_eq!(*t.primes.last().unwrap(), 997);
        assert_eq!(t.count_below(11), 3);
    }

    #[test]
    fn residues_match_num_bigint() {
        let t = build_table(1 << 20);
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        for bits in [1u64, 63, 64, 65, 200, 1024, 2048] {
            let x = rng.gen_biguint(bits);
            let limbs = x.to_u64_digits();
            for i in (0..t.primes.len())
                .step_by(997)
                .chain([0, 1, t.primes.len() - 1])
            {
                let r = t.primes[i];
                assert_eq!(
                    BigUint::from(t.residue(i, &limbs)),
                    &x % r,
                    "bits {bits} r {r}"
                );
            }
        }
    }

    /// The sliding sieve strikes exactly the indices where a form has a table-prime factor.
    #[test]
    fn sliding_sieve_matches_direct_check() {
        let table = Arc::new(build_table(3000));
        let mut rng = ChaCha20Rng::from_seed([5; 32]);
        let base = rng.gen_biguint(200) | BigUint::from(1u32);
        let a2 = &base * 2u32 + 1u32;
        let q = BigUint::from(1009u32 * 2); // general step with a root-less prime (1009 | q)
        let (bl, a2l, ql) = (base.to_u64_digits(), a2.to_u64_digits(), q.to_u64_digits());
        let forms = [
            (&bl[..], Step::Pow2(1)),
            (&a2l[..], Step::Pow2(2)),
            (&bl[..], Step::General(&ql)),
        ];
        let n = table.primes.len();
        let rts = roots(&table, n, &forms, 2);
        let safe = roots_safe(&table, n, &bl, 2);
        for i in 0..n {
            assert_eq!(safe[2 * i..2 * i + 2], rts[3 * i..3 * i + 2]);
        }
        let (w, threads) = (256usize, 3u64);
        for worker in 0..threads {
            let mut s = Sieve::new(
                table.clone(),
                n,
                &rts,
                3,
                w,
                worker * w as u64,
                threads * w as u64,
            );
            for round in 0..5u64 {
                let start = (worker + round * threads) * w as u64;
                let limit = if round == 4 { 100 } else { w };
                s.run(limit);
                for j in 0..limit {
                    let jj = start + j as u64;
                    let f1 = &base + 2u64 * jj;
                    let f2 = &a2 + 4u64 * jj;
                    let f3 = &base + &q * jj;
                    let struck = table.primes.iter().any(|&r| {
                        (&f1 % r) == BigUint::from(0u32)
                            || (&f2 % r) == BigUint::from(0u32)
                            || (&f3 % r) == BigUint::from(0u32)
                    });
                    assert_eq!(s.buf[j] == 1, struck, "worker {worker} index {jj}");
                }
            }
        }
    }
}
