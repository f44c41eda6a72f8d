//! Primality tests on little-endian u64 limbs (strong tests, Euler base 2, Selfridge's strong
//! Lucas test, BPSW): the Montgomery engine (`math::mont`) first, num-bigint (`reference`) for
//! numbers wider than the engine takes and as the tests' cross-check. Used by the search and by
//! `is_probable_prime` / `miller_rabin`.

use num_bigint::BigUint;
use num_traits::One;

use crate::math::mont;
pub(super) use crate::math::mont::to_big;

/// Strong test of odd n > 3 to base b (1 < b < n - 1).
pub(super) fn mr_limbs(n: &[u64], b: &BigUint) -> bool {
    match mont::mr(n, &b.to_u64_digits()) {
        Some(r) => r,
        None => reference::miller_rabin(&to_big(n), b),
    }
}

pub(super) fn mr2_limbs(n: &[u64]) -> bool {
    match mont::mr2(n) {
        Some(r) => r,
        None => reference::miller_rabin(&to_big(n), &BigUint::from(2u32)),
    }
}

pub(super) fn euler2_limbs(p: &[u64]) -> bool {
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
pub(super) fn selfridge(n: &[u64]) -> std::result::Result<(u64, bool), bool> {
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
    // `0..` only ends by overflow: every pass returns once a D with (D/n) = -1 is found, which
    // happens for every non-square n, and squares are returned at try 20.
    unreachable!("the Selfridge search returns from inside the loop")
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
pub(super) fn bpsw_limbs(n: &[u64]) -> bool {
    mr2_limbs(n) && strong_lucas_limbs(n)
}

/// Plain num-bigint versions: the fallback for very wide numbers and the cross-check in tests.
pub(super) mod reference {
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
pub(super) const SMALL_PRIMES: &[u32] = &[
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
    197, 199, 211, 223, 227, 229, 233, 239, 241, 251,
];
