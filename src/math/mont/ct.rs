//! The constant-time half of the Montgomery engine: `Mont::pow_ct`, the exponentiation behind
//! `modular::pow_mod_secret` (every power with a secret exponent or base), and the branch-free
//! pieces it is built from (final subtraction, products, masked table lookup). Kept apart from
//! the variable-time code in `mont.rs` so what has to be checked for secret-dependent branches
//! and addresses is in one file.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use super::{bit_len, pad, sbb, Mont};

impl<const N: usize> Mont<N> {
    /// t + carry 2^(64N) - m if that is >= 0, else t (t + carry 2^(64N) < 2m), without a branch or
    /// an address that depends on t: the subtraction always runs and a mask picks the result.
    #[inline(always)]
    pub(super) fn sub_ct(&self, t: [u64; N], carry: u64) -> [u64; N] {
        let mut d = [0u64; N];
        let mut b = 0;
        for i in 0..N {
            (d[i], b) = sbb(t[i], self.m[i], b);
        }
        // Keep t exactly when the subtraction borrowed and there was no carry out of t.
        let keep_t = Choice::from((b & (carry ^ 1)) as u8);
        let mut out = [0u64; N];
        for i in 0..N {
            out[i] = u64::conditional_select(&d[i], &t[i], keep_t);
        }
        out
    }

    /// `mul` with a branch-free final subtraction (for `pow_ct`).
    #[inline(always)]
    fn mul_ct(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        #[cfg(test)]
        super::tests::CT_PRODUCTS.with(|c| c.set(c.get() + 1));
        let (r, carry) = self.mul_raw(a, b);
        self.sub_ct(r, carry)
    }

    /// `sqr` with a branch-free final subtraction (for `pow_ct`).
    #[inline(always)]
    fn sqr_ct(&self, a: &[u64; N]) -> [u64; N] {
        #[cfg(test)]
        super::tests::CT_PRODUCTS.with(|c| c.set(c.get() + 1));
        let (r, carry) = self.sqr_raw(a);
        self.sub_ct(r, carry)
    }

    /// `to_mont` without a data-dependent branch.
    pub fn to_mont_ct(&self, x: &[u64; N], r2: &[u64; N]) -> [u64; N] {
        self.mul_ct(x, r2)
    }

    /// `out_of_mont` without a data-dependent branch.
    pub fn out_of_mont_ct(&self, x: &[u64; N]) -> [u64; N] {
        let mut one = [0u64; N];
        one[0] = 1;
        self.mul_ct(x, &one)
    }

    /// (Montgomery form of) base^exp in constant time for exponents of at most `bits` bits
    /// (`base` in Montgomery form, below m; `exp` little-endian limbs, any length, zero limbs
    /// allowed). The exponent is read as ceil(bits / w) windows of w bits, w fixed by `bits`;
    /// each window costs w squarings, one scan of the whole table (every entry loaded and masked)
    /// and one multiplication, also for a zero window. So for a given width N and bound the work
    /// and the memory addresses are the same for every exponent and base. An exponent longer than
    /// `bits` is still computed correctly, with its own length as the bound (which then shows).
    pub fn pow_ct(&self, base: &[u64; N], exp: &[u64], bits: usize) -> [u64; N] {
        let bits = bits.max(bit_len(exp)).max(1);
        let w = ct_window(bits);
        let windows = bits.div_ceil(w);
        // The exponent padded to whole windows plus one limb, so every window read is in bounds.
        let mut e = vec![0u64; (windows * w).div_ceil(64) + 1];
        // Limbs of `exp` past `e` are zero (bits >= bit_len(exp)).
        let used = exp.len().min(e.len());
        e[..used].copy_from_slice(&exp[..used]);
        let size = 1usize << w;
        let mut table = [[0u64; N]; 32];
        table[0] = self.one;
        table[1] = *base;
        for i in 2..size {
            table[i] = self.mul_ct(&table[i - 1], base);
        }
        let mut acc = self.one;
        let mut selected = [0u64; N];
        for win in (0..windows).rev() {
            if win + 1 < windows {
                for _ in 0..w {
                    acc = self.sqr_ct(&acc);
                }
            }
            // Window value: bits win*w .. win*w + w of the exponent (public positions).
            let pos = win * w;
            let (limb, off) = (pos / 64, pos % 64);
            let mut v = e[limb] >> off;
            if off != 0 {
                v |= e[limb + 1] << (64 - off);
            }
            let idx = v & ((1u64 << w) - 1);
            v.zeroize();
            ct_lookup(&table[..size], idx, &mut selected);
            acc = self.mul_ct(&acc, &selected);
        }
        e.zeroize();
        table.as_flattened_mut().zeroize();
        selected.zeroize();
        acc
    }
}

/// Window width of `pow_ct` for an exponent bound (public): 2^(w-1) table products plus
/// bits/w multiplications, smallest around w = 4 up to a few hundred bits and w = 5 above.
fn ct_window(bits: usize) -> usize {
    match bits {
        0..=32 => 1,
        33..=96 => 3,
        97..=384 => 4,
        _ => 5,
    }
}

/// out = table[idx] by reading every entry and masking: the addresses do not depend on idx.
/// The equality is subtle's (`ct_eq`, behind its optimisation barrier); its 0/1 becomes an
/// all-zeros/all-ones mask ORed in limb by limb, which the compiler vectorises.
#[inline(always)]
pub(super) fn ct_lookup<const N: usize>(table: &[[u64; N]], idx: u64, out: &mut [u64; N]) {
    *out = [0u64; N];
    for (i, entry) in table.iter().enumerate() {
        let mask = 0u64.wrapping_sub(u64::from((i as u64).ct_eq(&idx).unwrap_u8()));
        for j in 0..N {
            out[j] |= entry[j] & mask;
        }
    }
}

/// Constant-time modexp (see `Mont::pow_ct`): base < m (any number of limbs up to m's), exp of at
/// most `bits` bits. The result limbs are the caller's to wipe.
pub(crate) fn modpow_ct_n<const N: usize>(
    base: &[u64],
    exp: &[u64],
    m: &[u64],
    bits: usize,
) -> Vec<u64> {
    let ctx = Mont::<N>::new(m);
    let mut b = pad::<N>(base);
    let mut bm = ctx.to_mont_ct(&b, &ctx.r2());
    let mut r = ctx.pow_ct(&bm, exp, bits);
    let out = ctx.out_of_mont_ct(&r).to_vec();
    b.zeroize();
    bm.zeroize();
    r.zeroize();
    out
}
