//! Fixed-width Montgomery arithmetic over little-endian u64 limbs: the modular exponentiation of
//! all of kmi, not only the prime search. It serves the primality tests (prime search, `key check`),
//! `modular::pow_mod` (the threshold schemes' and the key checks' public-exponent powers) and
//! `modular::pow_mod_secret` (every power with a secret exponent: Shoup partials and proofs,
//! ElGamal/Feldman share values, decryption, reconstruction).
//!
//! Two exponentiations: `pow` is a variable-time sliding window for public exponents; `pow_ct` is
//! constant-time (fixed 4- or 5-bit window over an exponent padded to a public bit bound, every
//! table entry read and masked in for each window, a branch-free final subtraction in every
//! product, so the sequence of operations and memory addresses depends only on the modulus width
//! and the bound). `N` is a const generic so every loop has a known trip count; `dispatch!` picks
//! the smallest supported width for a modulus (zero-padded limbs are fine: R = 2^(64N) only has to
//! exceed the modulus), up to 256 limbs (kmi's 16384-bit limit).
//!
//! Files: this one holds the arithmetic, `pow` and `pow2`, the entry points on limbs and on
//! `BigUint`, and the bench hooks; `mont/primality.rs` the primality-test kernels at one width;
//! `mont/ct.rs` the constant-time exponentiation; `mont/unrolled.rs` the straight-line squaring for
//! 8, 16 and 32 limbs, generated (`cargo run --example gen-unrolled`) by `mont/gen_unrolled.rs`;
//! `mont/tests.rs` the cross-checks against num-bigint and the test that the generated file is
//! fresh.
#![allow(clippy::needless_range_loop)]
// limb arithmetic reads clearest with explicit indices
// Unsafe code here: the product-scanning inner loop (`Acc3::dot`) reads limbs through raw pointers
// walking one operand forwards and the other backwards, without a bounds check per limb (each
// caller states why its range is in bounds), and the x86_64 add-with-carry intrinsic. Every
// block has a SAFETY comment.
#![allow(unsafe_code)]

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::One;

mod ct;
#[cfg(test)]
mod gen_unrolled;
mod primality;
#[cfg(test)]
mod tests;
mod unrolled;

use ct::modpow_ct_n;
use primality::{euler2_n, mr2_n, mr_n, strong_lucas_n};

#[inline(always)]
fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (acc as u128) + (a as u128) * (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub((b as u128) + (borrow as u128));
    (t as u64, ((t >> 64) as u64) & 1)
}

/// A three-word (192-bit) accumulator for product scanning.
#[derive(Default, Clone, Copy)]
struct Acc3 {
    a0: u64,
    a1: u64,
    a2: u64,
}

impl Acc3 {
    /// acc += x * y
    #[inline(always)]
    fn mac(&mut self, x: u64, y: u64) {
        let p = (x as u128) * (y as u128);
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::_addcarry_u64;
            // SAFETY: plain add-with-carry on registers (x86_64 always has it); the intrinsic is a
            // safe fn on newer toolchains.
            #[allow(unused_unsafe)]
            unsafe {
                let c = _addcarry_u64(0, self.a0, p as u64, &mut self.a0);
                let c = _addcarry_u64(c, self.a1, (p >> 64) as u64, &mut self.a1);
                _addcarry_u64(c, self.a2, 0, &mut self.a2);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let (l, c) = adc(self.a0, p as u64, 0);
            self.a0 = l;
            let (h, c) = adc(self.a1, (p >> 64) as u64, c);
            self.a1 = h;
            self.a2 = self.a2.wrapping_add(c);
        }
    }

    /// acc += sum over t < count of x[t] * y[-t].
    ///
    /// # Safety
    /// x[0..count] and y[-(count-1)..=0] must be readable.
    #[inline(always)]
    unsafe fn dot(&mut self, x: *const u64, y: *const u64, count: usize) {
        let mut t = 0usize;
        while t + 4 <= count {
            // SAFETY: t + 3 < count, so x[t..t+4] and y[-(t+3)..=-t] are in the caller's ranges.
            unsafe {
                self.mac(*x.add(t), *y.sub(t));
                self.mac(*x.add(t + 1), *y.sub(t + 1));
                self.mac(*x.add(t + 2), *y.sub(t + 2));
                self.mac(*x.add(t + 3), *y.sub(t + 3));
            }
            t += 4;
        }
        while t < count {
            // SAFETY: t < count, within the caller's ranges.
            unsafe { self.mac(*x.add(t), *y.sub(t)) };
            t += 1;
        }
    }

    #[inline(always)]
    fn double(&mut self) {
        self.a2 = (self.a2 << 1) | (self.a1 >> 63);
        self.a1 = (self.a1 << 1) | (self.a0 >> 63);
        self.a0 <<= 1;
    }

    #[inline(always)]
    fn add(&mut self, o: &Acc3) {
        let (l, c) = adc(self.a0, o.a0, 0);
        let (h, c) = adc(self.a1, o.a1, c);
        self.a0 = l;
        self.a1 = h;
        self.a2 = self.a2.wrapping_add(o.a2).wrapping_add(c);
    }

    /// Drop the low word: acc >>= 64.
    #[inline(always)]
    fn shift(&mut self) {
        self.a0 = self.a1;
        self.a1 = self.a2;
        self.a2 = 0;
    }
}

fn cmp_limbs(a: &[u64], b: &[u64]) -> Ordering {
    debug_assert_eq!(a.len(), b.len());
    for i in (0..a.len()).rev() {
        match a[i].cmp(&b[i]) {
            Ordering::Equal => continue,
            o => return o,
        }
    }
    Ordering::Equal
}

/// A Montgomery context for an odd modulus m > 1 that fits in N limbs.
#[derive(Clone)]
pub(crate) struct Mont<const N: usize> {
    m: [u64; N],
    /// -m^-1 mod 2^64.
    m0inv: u64,
    /// R mod m (the Montgomery form of 1).
    one: [u64; N],
}

impl<const N: usize> Mont<N> {
    /// `m` must be odd, > 1 and have at most N limbs (extra high zero limbs are allowed).
    pub fn new(m_limbs: &[u64]) -> Self {
        let mut m = [0u64; N];
        let used = m_limbs.len().min(N);
        m[..used].copy_from_slice(&m_limbs[..used]);
        debug_assert!(m_limbs[used..].iter().all(|&x| x == 0));
        debug_assert!(m[0] & 1 == 1);
        // Newton iteration for m0^-1 mod 2^64.
        let m0 = m[0];
        let mut inv: u64 = m0; // correct to 3 bits for odd m0
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
        }
        let m0inv = inv.wrapping_neg();
        let mut ctx = Mont {
            m,
            m0inv,
            one: [0u64; N],
        };
        // R mod m: start from the top bit of m (2^(bits-1) < m) and double up to 2^(64N).
        let bits = ctx.bits();
        let mut x = [0u64; N];
        x[(bits - 1) / 64] = 1u64 << ((bits - 1) % 64);
        if cmp_limbs(&x, &ctx.m) == Ordering::Equal {
            // m is a power of two: impossible for odd m > 1, which every entry point checks
            // (`odd_above_one`) before it makes a Mont.
            unreachable!("modulus must be odd and > 1");
        }
        for _ in 0..(64 * N - (bits - 1)) {
            x = ctx.dbl(&x);
        }
        ctx.one = x;
        ctx
    }

    fn bits(&self) -> usize {
        for i in (0..N).rev() {
            if self.m[i] != 0 {
                return 64 * i + 64 - self.m[i].leading_zeros() as usize;
            }
        }
        0
    }

    #[inline(always)]
    pub fn one(&self) -> [u64; N] {
        self.one
    }

    /// R^2 mod m (for converting into Montgomery form); costs 64N modular doublings.
    pub fn r2(&self) -> [u64; N] {
        let mut x = self.one;
        for _ in 0..64 * N {
            x = self.dbl(&x);
        }
        x
    }

    #[inline(always)]
    fn sub_if_needed(&self, mut t: [u64; N], carry: u64) -> [u64; N] {
        if carry != 0 || cmp_limbs(&t, &self.m) != Ordering::Less {
            let mut b = 0;
            for i in 0..N {
                (t[i], b) = sbb(t[i], self.m[i], b);
            }
        }
        t
    }

    /// a + b mod m (a, b < m).
    #[inline(always)]
    pub fn add(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut c = 0;
        for i in 0..N {
            (t[i], c) = adc(a[i], b[i], c);
        }
        self.sub_if_needed(t, c)
    }

    /// a - b mod m (a, b < m).
    #[inline(always)]
    pub fn sub(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut br = 0;
        for i in 0..N {
            (t[i], br) = sbb(a[i], b[i], br);
        }
        if br != 0 {
            let mut c = 0;
            for i in 0..N {
                (t[i], c) = adc(t[i], self.m[i], c);
            }
        }
        t
    }

    /// 2a mod m (a < m).
    #[inline(always)]
    pub fn dbl(&self, a: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut top = 0;
        for i in 0..N {
            t[i] = (a[i] << 1) | top;
            top = a[i] >> 63;
        }
        self.sub_if_needed(t, top)
    }

    /// a / 2 mod m (a < m).
    #[inline(always)]
    pub fn half(&self, a: &[u64; N]) -> [u64; N] {
        let mut t = *a;
        let mut top = 0;
        if t[0] & 1 == 1 {
            let mut c = 0;
            for i in 0..N {
                (t[i], c) = adc(t[i], self.m[i], c);
            }
            top = c;
        }
        for i in 0..N {
            let next = if i + 1 < N { t[i + 1] } else { top };
            t[i] = (t[i] >> 1) | (next << 63);
        }
        t
    }

    /// Montgomery product a*b/R mod m (CIOS; kept as the cross-check for `mul`).
    #[allow(dead_code)]
    pub fn mul_cios(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut tn = 0u64;
        for i in 0..N {
            let bi = b[i];
            let mut c = 0;
            for j in 0..N {
                (t[j], c) = mac(t[j], a[j], bi, c);
            }
            let (s, tn1) = adc(tn, c, 0);
            tn = s;
            let u = t[0].wrapping_mul(self.m0inv);
            let (_, mut c) = mac(t[0], u, self.m[0], 0);
            for j in 1..N {
                (t[j - 1], c) = mac(t[j], u, self.m[j], c);
            }
            let (s, c3) = adc(tn, c, 0);
            t[N - 1] = s;
            tn = tn1 + c3;
        }
        self.sub_if_needed(t, tn)
    }

    /// Montgomery square a^2/R mod m (separated operand scanning; cross-check for `sqr`).
    #[allow(dead_code)]
    pub fn sqr_sos(&self, a: &[u64; N]) -> [u64; N] {
        let mut tt = [[0u64; N]; 2];
        let t = tt.as_flattened_mut();
        // Off-diagonal products.
        for i in 0..N {
            let ai = a[i];
            let mut c = 0;
            for j in (i + 1)..N {
                (t[i + j], c) = mac(t[i + j], ai, a[j], c);
            }
            t[i + N] = c;
        }
        // Double them.
        let mut top = 0;
        for x in t.iter_mut() {
            let v = *x;
            *x = (v << 1) | top;
            top = v >> 63;
        }
        // Add the squares on the diagonal.
        let mut c = 0;
        for i in 0..N {
            let p = (a[i] as u128) * (a[i] as u128);
            (t[2 * i], c) = adc(t[2 * i], p as u64, c);
            (t[2 * i + 1], c) = adc(t[2 * i + 1], (p >> 64) as u64, c);
        }
        // Montgomery reduction of the 2N-limb value.
        let mut hi_carry = 0u64;
        for i in 0..N {
            let u = t[i].wrapping_mul(self.m0inv);
            let mut c = 0;
            for j in 0..N {
                (t[i + j], c) = mac(t[i + j], u, self.m[j], c);
            }
            (t[i + N], hi_carry) = adc(t[i + N], c, hi_carry);
        }
        let mut r = [0u64; N];
        r.copy_from_slice(&t[N..]);
        self.sub_if_needed(r, hi_carry)
    }

    /// Montgomery product a*b/R mod m, product scanning with the reduction interleaved (FIPS):
    /// one three-word accumulator, no intermediate array.
    #[inline(always)]
    pub fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let (r, carry) = self.mul_raw(a, b);
        self.sub_if_needed(r, carry)
    }

    /// The Montgomery product before its final subtraction: (r, carry) with
    /// r + carry 2^(64N) = a b / R mod m, below 2m. No branch and no address depends on a or b.
    #[inline(always)]
    fn mul_raw(&self, a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
        let m = &self.m;
        let mut u = [0u64; N];
        let mut r = [0u64; N];
        let mut acc = Acc3::default();
        for k in 0..2 * N - 1 {
            let lo = if k >= N { k + 1 - N } else { 0 };
            let hi = if k < N { k } else { N - 1 };
            // SAFETY: i runs over lo..=hi inside [0, N) and k - i over [k - hi, k - lo] inside [0, N).
            unsafe {
                acc.dot(a.as_ptr().add(lo), b.as_ptr().add(k - lo), hi + 1 - lo);
                // reduction terms u_i m_(k-i) for the u_i already known (i < k)
                let rhi = if k < N { k } else { N };
                if rhi > lo {
                    acc.dot(u.as_ptr().add(lo), m.as_ptr().add(k - lo), rhi - lo);
                }
            }
            if k < N {
                let uk = acc.a0.wrapping_mul(self.m0inv);
                u[k] = uk;
                acc.mac(uk, m[0]);
                debug_assert_eq!(acc.a0, 0);
            } else {
                r[k - N] = acc.a0;
            }
            acc.shift();
        }
        r[N - 1] = acc.a0;
        (r, acc.a1)
    }

    /// Montgomery square a^2/R mod m: the unrolled code for 8, 16 and 32 limbs, else the loops.
    #[inline(always)]
    pub fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        let (r, carry) = self.sqr_raw(a);
        self.sub_if_needed(r, carry)
    }

    /// The Montgomery square before its final subtraction (as `mul_raw`). The width test is on
    /// the constant N, so it is decided at compile time.
    #[inline(always)]
    fn sqr_raw(&self, a: &[u64; N]) -> ([u64; N], u64) {
        macro_rules! fixed {
            ($w:literal, $f:ident) => {
                if N == $w {
                    let mut aa = [0u64; $w];
                    aa.copy_from_slice(&a[..]);
                    let mut mm = [0u64; $w];
                    mm.copy_from_slice(&self.m[..]);
                    let (r, carry) = unrolled::$f(&aa, &mm, self.m0inv);
                    let mut out = [0u64; N];
                    out.copy_from_slice(&r);
                    return (out, carry);
                }
            };
        }
        fixed!(8, sqr_8);
        fixed!(16, sqr_16);
        fixed!(32, sqr_32);
        self.sqr_loops_raw(a)
    }

    /// Montgomery square a^2/R mod m with the loops (the cross-check for the unrolled code, and
    /// what benches/mont.rs times it against).
    #[inline(always)]
    pub fn sqr_loops(&self, a: &[u64; N]) -> [u64; N] {
        let (r, carry) = self.sqr_loops_raw(a);
        self.sub_if_needed(r, carry)
    }

    /// Montgomery square before the final subtraction (FIPS, off-diagonal products computed once
    /// and doubled).
    #[inline(always)]
    fn sqr_loops_raw(&self, a: &[u64; N]) -> ([u64; N], u64) {
        let m = &self.m;
        let mut u = [0u64; N];
        let mut r = [0u64; N];
        let mut acc = Acc3::default();
        for k in 0..2 * N - 1 {
            let lo = if k >= N { k + 1 - N } else { 0 };
            // off-diagonal products a_i a_(k-i), i < k - i
            let count = k.div_ceil(2) - lo.min(k.div_ceil(2));
            let mut s = Acc3::default();
            if count > 0 {
                // SAFETY: i in lo..lo+count keeps i < N and k - i < N.
                unsafe { s.dot(a.as_ptr().add(lo), a.as_ptr().add(k - lo), count) };
            }
            s.double();
            if k % 2 == 0 {
                s.mac(a[k / 2], a[k / 2]);
            }
            acc.add(&s);
            let rhi = if k < N { k } else { N };
            if rhi > lo {
                // SAFETY: as in `mul`.
                unsafe { acc.dot(u.as_ptr().add(lo), m.as_ptr().add(k - lo), rhi - lo) };
            }
            if k < N {
                let uk = acc.a0.wrapping_mul(self.m0inv);
                u[k] = uk;
                acc.mac(uk, m[0]);
            } else {
                r[k - N] = acc.a0;
            }
            acc.shift();
        }
        r[N - 1] = acc.a0;
        (r, acc.a1)
    }

    /// Plain value (x < m, N limbs) into Montgomery form.
    pub fn to_mont(&self, x: &[u64; N], r2: &[u64; N]) -> [u64; N] {
        self.mul(x, r2)
    }

    /// Montgomery form back to a plain value.
    pub fn out_of_mont(&self, x: &[u64; N]) -> [u64; N] {
        let mut one = [0u64; N];
        one[0] = 1;
        self.mul(x, &one)
    }

    /// (Montgomery form of) base^exp with a sliding window over odd powers; `exp` little-endian
    /// limbs. Variable-time: for public exponents (`pow_ct` takes the secret ones).
    pub fn pow(&self, base: &[u64; N], exp: &[u64]) -> [u64; N] {
        self.pow_by::<true>(base, exp)
    }

    /// `pow` with the straight-line squaring where `sqr` has it (`UNROLLED`, what `pow` runs) or
    /// with the loops (benches/mont.rs times the two). `UNROLLED` is a constant, so the choice is
    /// made at compile time, as `sqr_raw`'s width test is.
    #[inline(always)]
    fn pow_by<const UNROLLED: bool>(&self, base: &[u64; N], exp: &[u64]) -> [u64; N] {
        let ebits = bit_len(exp);
        if ebits == 0 {
            return self.one;
        }
        // Window sizes that minimise squarings + multiplications + table cost for the length.
        let w = match ebits {
            0..=24 => 1,
            25..=80 => 3,
            81..=240 => 4,
            241..=670 => 5,
            _ => 6,
        };
        let mut table = [[0u64; N]; 32];
        table[0] = *base;
        if w > 1 {
            let base_sq = self.sqr_by::<UNROLLED>(base);
            for i in 1..(1usize << (w - 1)) {
                table[i] = self.mul(&table[i - 1], &base_sq);
            }
        }
        let mut acc = self.one;
        let mut started = false;
        let mut i = ebits as isize - 1;
        while i >= 0 {
            if !bit(exp, i as usize) {
                if started {
                    acc = self.sqr_by::<UNROLLED>(&acc);
                }
                i -= 1;
                continue;
            }
            // The longest window of at most w bits ending in a set bit.
            let mut len = (w as isize).min(i + 1);
            while !bit(exp, (i - len + 1) as usize) {
                len -= 1;
            }
            let mut value = 0usize;
            for j in (i - len + 1..=i).rev() {
                value = (value << 1) | bit(exp, j as usize) as usize;
            }
            if started {
                for _ in 0..len {
                    acc = self.sqr_by::<UNROLLED>(&acc);
                }
                acc = self.mul(&acc, &table[value >> 1]);
            } else {
                acc = table[value >> 1];
                started = true;
            }
            i -= len;
        }
        acc
    }

    /// `sqr` (`UNROLLED`) or `sqr_loops`, chosen at compile time (for `pow_by`).
    #[inline(always)]
    fn sqr_by<const UNROLLED: bool>(&self, a: &[u64; N]) -> [u64; N] {
        if UNROLLED {
            self.sqr(a)
        } else {
            self.sqr_loops(a)
        }
    }

    /// (Montgomery form of) 2^exp: squarings and modular doublings only.
    pub fn pow2(&self, exp: &[u64]) -> [u64; N] {
        let ebits = bit_len(exp);
        let mut acc = self.one;
        if ebits == 0 {
            return acc;
        }
        // The top 6 bits at once: 2^k for k < 64 by doublings from 1.
        let lead = ebits.min(6);
        let mut k = 0usize;
        for b in (ebits - lead..ebits).rev() {
            k = 2 * k + bit(exp, b) as usize;
        }
        for _ in 0..k {
            acc = self.dbl(&acc);
        }
        for b in (0..ebits - lead).rev() {
            acc = self.sqr(&acc);
            if bit(exp, b) {
                acc = self.dbl(&acc);
            }
        }
        acc
    }

    pub fn is_one(&self, x: &[u64; N]) -> bool {
        *x == self.one
    }

    pub fn is_minus_one(&self, x: &[u64; N]) -> bool {
        // m - R mod m
        let mut t = [0u64; N];
        let mut b = 0;
        for i in 0..N {
            (t[i], b) = sbb(self.m[i], self.one[i], b);
        }
        *x == t
    }
}

pub(crate) fn bit_len(x: &[u64]) -> usize {
    for i in (0..x.len()).rev() {
        if x[i] != 0 {
            return 64 * i + 64 - x[i].leading_zeros() as usize;
        }
    }
    0
}

#[inline(always)]
fn bit(x: &[u64], i: usize) -> bool {
    (x[i / 64] >> (i % 64)) & 1 == 1
}

fn pad<const N: usize>(x: &[u64]) -> [u64; N] {
    let mut t = [0u64; N];
    let used = x.len().min(N);
    t[..used].copy_from_slice(&x[..used]);
    t
}

/// Calls `$f::<N>(args)` with the smallest supported width N holding `$len` limbs, or evaluates
/// `$fallback` when the number is wider than the largest width.
macro_rules! dispatch {
    ($len:expr, $f:ident ( $($arg:expr),* ), $fallback:expr) => {
        match $len {
            0..=1 => $f::<1>($($arg),*),
            2 => $f::<2>($($arg),*),
            3 => $f::<3>($($arg),*),
            4 => $f::<4>($($arg),*),
            5..=6 => $f::<6>($($arg),*),
            7..=8 => $f::<8>($($arg),*),
            9..=12 => $f::<12>($($arg),*),
            13..=16 => $f::<16>($($arg),*),
            17..=24 => $f::<24>($($arg),*),
            25..=32 => $f::<32>($($arg),*),
            33..=48 => $f::<48>($($arg),*),
            49..=64 => $f::<64>($($arg),*),
            65..=80 => $f::<80>($($arg),*),
            81..=96 => $f::<96>($($arg),*),
            97..=128 => $f::<128>($($arg),*),
            129..=160 => $f::<160>($($arg),*),
            161..=192 => $f::<192>($($arg),*),
            193..=256 => $f::<256>($($arg),*),
            _ => $fallback,
        }
    };
}

/// The widest modulus (in limbs) the variable-time entry points below take before they answer
/// None (the num-bigint fallback). 256 in kmi; `prime::backend::set_width_limit` lowers it so
/// benches/key_check.rs can time the old 64-limb engine against this one in the same run. The
/// constant-time `modpow_ct` ignores it.
static WIDTH_LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(256);

pub(crate) fn set_width_limit(limbs: usize) {
    WIDTH_LIMIT.store(limbs.min(256), std::sync::atomic::Ordering::Relaxed);
}

fn too_wide(len: usize) -> bool {
    len > WIDTH_LIMIT.load(std::sync::atomic::Ordering::Relaxed)
}

/// What `Mont::new` needs of a modulus: odd and greater than 1 (so R mod m is not a power of
/// two and m0^-1 mod 2^64 exists). Every entry point below checks it and answers None
/// otherwise, so no caller can hand the engine a modulus it cannot take.
fn odd_above_one(m: &[u64]) -> bool {
    match m {
        [] => false,
        [1] => false,
        [low, ..] => low & 1 == 1,
    }
}

fn trim(x: &[u64]) -> &[u64] {
    let mut l = x.len();
    while l > 1 && x[l - 1] == 0 {
        l -= 1;
    }
    &x[..l]
}

pub(crate) fn euler2(p: &[u64]) -> Option<bool> {
    let p = trim(p);
    if !odd_above_one(p) {
        return None;
    }
    if too_wide(p.len()) {
        return None;
    }
    Some(dispatch!(p.len(), euler2_n(p), return None))
}

pub(crate) fn mr2(n: &[u64]) -> Option<bool> {
    let n = trim(n);
    if !odd_above_one(n) {
        return None;
    }
    if too_wide(n.len()) {
        return None;
    }
    Some(dispatch!(n.len(), mr2_n(n), return None))
}

pub(crate) fn mr(n: &[u64], base: &[u64]) -> Option<bool> {
    let n = trim(n);
    if !odd_above_one(n) {
        return None;
    }
    if too_wide(n.len()) {
        return None;
    }
    Some(dispatch!(n.len(), mr_n(n, base), return None))
}

pub(crate) fn strong_lucas(
    n: &[u64],
    d_abs: u64,
    d_neg: bool,
    q_abs: u64,
    q_neg: bool,
) -> Option<bool> {
    let n = trim(n);
    if !odd_above_one(n) {
        return None;
    }
    if too_wide(n.len()) {
        return None;
    }
    Some(dispatch!(
        n.len(),
        strong_lucas_n(n, d_abs, d_neg, q_abs, q_neg),
        return None
    ))
}

/// Montgomery modexp of a full-width base (for the backend micro-benchmark): base^exp mod m.
pub(crate) fn modpow_n<const N: usize>(base: &[u64], exp: &[u64], m: &[u64]) -> Vec<u64> {
    let ctx = Mont::<N>::new(m);
    let b = ctx.to_mont(&pad::<N>(base), &ctx.r2());
    ctx.out_of_mont(&ctx.pow(&b, exp)).to_vec()
}

pub(crate) fn modpow(base: &[u64], exp: &[u64], m: &[u64]) -> Option<Vec<u64>> {
    let m = trim(m);
    if !odd_above_one(m) {
        return None;
    }
    if too_wide(m.len()) {
        return None;
    }
    Some(dispatch!(m.len(), modpow_n(base, exp, m), return None))
}

/// For benches/mont.rs (through `prime::backend`): `count` Montgomery squarings in a row from
/// x = base (below m, taken as a Montgomery form as it is), with the straight-line code where
/// `Mont::sqr` has it (`unrolled`) or with the loops; the final x.
fn sqr_chain_n<const N: usize>(base: &[u64], m: &[u64], count: usize, unrolled: bool) -> Vec<u64> {
    let ctx = Mont::<N>::new(m);
    let mut x = pad::<N>(base);
    if unrolled {
        for _ in 0..count {
            x = ctx.sqr(&x);
        }
    } else {
        for _ in 0..count {
            x = ctx.sqr_loops(&x);
        }
    }
    x.to_vec()
}

/// `sqr_chain_n` at the width of m (odd, > 1), or None when m is wider than 256 limbs.
pub(crate) fn sqr_chain(base: &[u64], m: &[u64], count: usize, unrolled: bool) -> Option<Vec<u64>> {
    let m = trim(m);
    if !odd_above_one(m) {
        return None;
    }
    Some(dispatch!(
        m.len(),
        sqr_chain_n(base, m, count, unrolled),
        return None
    ))
}

/// For benches/mont.rs: `modpow_n` with its squarings done by the straight-line code where
/// `Mont::sqr` has it (`unrolled`, what `pow` does) or by the loops.
fn modpow_sqr_n<const N: usize>(base: &[u64], exp: &[u64], m: &[u64], unrolled: bool) -> Vec<u64> {
    let ctx = Mont::<N>::new(m);
    let b = ctx.to_mont(&pad::<N>(base), &ctx.r2());
    let r = if unrolled {
        ctx.pow_by::<true>(&b, exp)
    } else {
        ctx.pow_by::<false>(&b, exp)
    };
    ctx.out_of_mont(&r).to_vec()
}

/// `modpow_sqr_n` at the width of m (odd, > 1), or None when m is wider than 256 limbs.
pub(crate) fn modpow_sqr(base: &[u64], exp: &[u64], m: &[u64], unrolled: bool) -> Option<Vec<u64>> {
    let m = trim(m);
    if !odd_above_one(m) {
        return None;
    }
    Some(dispatch!(
        m.len(),
        modpow_sqr_n(base, exp, m, unrolled),
        return None
    ))
}

/// `modpow_ct_n` at the width of m (odd, > 1, at most 256 limbs), or None when m is wider.
pub(crate) fn modpow_ct(base: &[u64], exp: &[u64], m: &[u64], bits: usize) -> Option<Vec<u64>> {
    let m = trim(m);
    if !odd_above_one(m) {
        return None;
    }
    Some(dispatch!(
        m.len(),
        modpow_ct_n(base, exp, m, bits),
        return None
    ))
}

// ---- BigUint entry points (modular::pow_mod and modular::pow_mod_secret). ----

/// Little-endian u64 limbs to a BigUint.
pub(crate) fn to_big(x: &[u64]) -> BigUint {
    let mut v = Vec::with_capacity(2 * x.len());
    for &l in x {
        v.push(l as u32);
        v.push((l >> 32) as u32);
    }
    BigUint::new(v)
}

/// base^exp mod m on the fixed-width Montgomery backend, or None when m is even, 1, or wider
/// than the backend handles. base may be any size. Variable-time, like num-bigint.
pub(crate) fn modpow_odd(base: &BigUint, exp: &BigUint, m: &BigUint) -> Option<BigUint> {
    if m.is_even() || m <= &BigUint::one() {
        return None;
    }
    let b = base % m;
    modpow(&b.to_u64_digits(), &exp.to_u64_digits(), &m.to_u64_digits()).map(|r| to_big(&r))
}

/// base^exp mod m in constant time for exponents of at most `exp_bits` bits (see
/// `Mont::pow_ct`), or None when m is even, 1, or wider than 256 limbs. The exponent goes
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
    let r = zeroize::Zeroizing::new(modpow_ct(&b, &e, &m_limbs, exp_bits as usize)?);
    Some(to_big(&r))
}
