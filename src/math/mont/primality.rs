//! The primality-test kernels at one Montgomery width N (Euler base 2, strong tests, the strong
//! Lucas test): what `prime`'s tests on limbs run through the dispatching entry points in
//! `mont.rs` (`euler2`, `mr2`, `mr`, `strong_lucas`), which pick N for the number.

use super::{bit, bit_len, pad, Mont};

/// Euler test to base 2 for a candidate safe prime p (p odd, > 3): 2^((p-1)/2) = +-1 mod p.
/// Implies 2^(p-1) = 1 (mod p), the Fermat condition Pocklington needs.
pub(crate) fn euler2_n<const N: usize>(p: &[u64]) -> bool {
    let ctx = Mont::<N>::new(p);
    let e = shr(p, 1); // (p-1)/2 for odd p
    let x = ctx.pow2(&e);
    ctx.is_one(&x) || ctx.is_minus_one(&x)
}

/// The squaring part of a strong test: x0 = b^d (Montgomery form), n - 1 = d 2^s.
fn mr_core<const N: usize>(ctx: &Mont<N>, x0: [u64; N], s: usize) -> bool {
    let mut x = x0;
    if ctx.is_one(&x) || ctx.is_minus_one(&x) {
        return true;
    }
    for _ in 1..s {
        x = ctx.sqr(&x);
        if ctx.is_minus_one(&x) {
            return true;
        }
        if ctx.is_one(&x) {
            return false;
        }
    }
    false
}

/// Strong probable prime test to base 2, n odd > 2.
pub(crate) fn mr2_n<const N: usize>(n: &[u64]) -> bool {
    let ctx = Mont::<N>::new(n);
    let nm1 = minus_one(n);
    let s = trailing_zeros(&nm1);
    let d = shr(&nm1, s);
    let x = ctx.pow2(&d);
    mr_core(&ctx, x, s)
}

/// Strong probable prime test to `base` (reduced, 1 < base < n - 1), n odd > 3.
pub(crate) fn mr_n<const N: usize>(n: &[u64], base: &[u64]) -> bool {
    let ctx = Mont::<N>::new(n);
    let nm1 = minus_one(n);
    let s = trailing_zeros(&nm1);
    let d = shr(&nm1, s);
    let b = ctx.to_mont(&pad::<N>(base), &ctx.r2());
    let x = ctx.pow(&b, &d);
    mr_core(&ctx, x, s)
}

/// Strong Lucas probable prime test with P = 1, Q = (1 - D)/4 (Selfridge's method A picks D).
/// n odd, > 2, gcd(n, 2QD) = 1 and Jacobi(D/n) = -1 are the caller's job.
/// `d_abs`/`d_neg` give D; `q_abs`/`q_neg` give Q.
pub(crate) fn strong_lucas_n<const N: usize>(
    n: &[u64],
    d_abs: u64,
    d_neg: bool,
    q_abs: u64,
    q_neg: bool,
) -> bool {
    let ctx = Mont::<N>::new(n);
    let r2 = ctx.r2();
    let small = |v: u64, neg: bool| {
        let mut t = [0u64; N];
        t[0] = v;
        // v < n is guaranteed by the caller (n is larger than the small constants, or reduced).
        let m = ctx.to_mont(&t, &r2);
        if neg {
            ctx.sub(&[0u64; N], &m)
        } else {
            m
        }
    };
    let dm = small(d_abs, d_neg);
    let qm = small(q_abs, q_neg);
    // n + 1 = d * 2^s
    let mut np1 = n.to_vec();
    np1.push(0);
    for limb in np1.iter_mut() {
        let (r, c) = limb.overflowing_add(1);
        *limb = r;
        if !c {
            break;
        }
    }
    let s = trailing_zeros(&np1);
    let d = shr(&np1, s);
    let dbits = bit_len(&d);
    // U_1 = 1, V_1 = P = 1, Q^1.
    let mut u = ctx.one();
    let mut v = ctx.one();
    let mut qk = qm;
    for b in (0..dbits - 1).rev() {
        // Double: U_2k = U_k V_k, V_2k = V_k^2 - 2 Q^k, Q^2k.
        u = ctx.mul(&u, &v);
        v = ctx.sub(&ctx.sqr(&v), &ctx.dbl(&qk));
        qk = ctx.sqr(&qk);
        if bit(&d, b) {
            // Add one: U_{k+1} = (P U + V)/2, V_{k+1} = (D U + P V)/2 with P = 1.
            let nu = ctx.half(&ctx.add(&u, &v));
            let nv = ctx.half(&ctx.add(&ctx.mul(&dm, &u), &v));
            u = nu;
            v = nv;
            qk = ctx.mul(&qk, &qm);
        }
    }
    let zero = [0u64; N];
    if u == zero || v == zero {
        return true;
    }
    for _ in 1..s {
        v = ctx.sub(&ctx.sqr(&v), &ctx.dbl(&qk));
        if v == zero {
            return true;
        }
        qk = ctx.sqr(&qk);
    }
    false
}

/// x - 1 for x >= 1.
fn minus_one(x: &[u64]) -> Vec<u64> {
    let mut v = x.to_vec();
    for limb in v.iter_mut() {
        let (r, borrow) = limb.overflowing_sub(1);
        *limb = r;
        if !borrow {
            break;
        }
    }
    v
}

fn shr(x: &[u64], s: usize) -> Vec<u64> {
    let (ls, bs) = (s / 64, s % 64);
    let mut out = vec![0u64; x.len()];
    for i in 0..x.len().saturating_sub(ls) {
        let lo = x[i + ls] >> bs;
        let hi = if bs > 0 && i + ls + 1 < x.len() {
            x[i + ls + 1] << (64 - bs)
        } else {
            0
        };
        out[i] = lo | hi;
    }
    out
}

fn trailing_zeros(x: &[u64]) -> usize {
    let mut tz = 0;
    for &l in x {
        if l == 0 {
            tz += 64;
        } else {
            return tz + l.trailing_zeros() as usize;
        }
    }
    tz
}
