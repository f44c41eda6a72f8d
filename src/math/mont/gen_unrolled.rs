//! The generator of `unrolled.rs`: `render()` returns that file's exact text. Shared by
//! `examples/gen-unrolled.rs` (which writes the file: `cargo run --example gen-unrolled`) and by
//! the staleness test in `tests.rs` (which compares it with the checked-in file), so both run the
//! same code; plain std, no crate items, so the example can include it with `#[path]`.
//!
//! Each function is `Mont::sqr_loops_raw` with N fixed and every loop unrolled: the FIPS
//! (product-scanning) Montgomery square, one column k of the 2N-1 columns at a time. Column k
//! sums the off-diagonal products a_i a_(k-i), i < k - i, once and doubles them, adds the square
//! a_(k/2)^2 for even k, then the reduction terms u_i m_(k-i) for the u_i already known; for
//! k < N it fixes u_k so the low word cancels, for k >= N the low word is r_(k-N).

/// The widths that get straight-line code (`Mont::sqr_raw` picks them by the constant N).
pub const WIDTHS: [usize; 3] = [8, 16, 32];

/// The file header: what the file is and how it is made.
const HEADER: &str = "\
//! Straight-line FIPS Montgomery squaring for 8, 16 and 32 limbs. `Mont::sqr` and the constant-time
//! `Mont::sqr_ct` run it for every modulus of 385-512, 769-1024 and 1537-2048 bits (`dispatch!`
//! rounds those up to 8, 16 and 32 limbs), whoever asks: the safe-prime search (the primes of
//! 1024-, 2048- and 4096-bit RSA keys), `key check`, ElGamal encryption and the threshold schemes
//! (through `modular::pow_mod` and `pow_mod_secret`). Other widths run the loops of
//! `Mont::sqr_loops_raw`, which compute the same thing column by column. Unrolled, the loops'
//! per-column bookkeeping is gone: about 2.2x, 1.7x and 1.5x faster per squaring at 8, 16 and 32
//! limbs, 1.7x, 1.55x and 1.3x per full-length modexp (benches/mont.rs, which times both in one
//! run, on the 2-core bench machine).
//!
//! GENERATED FILE, do not edit: `cargo run --example gen-unrolled` writes it from
//! src/math/mont/gen_unrolled.rs, and the test `unrolled_rs_is_what_the_generator_writes` fails
//! when the two differ. The tests compare these functions with the loops and with num-bigint.

use super::Acc3;
";

/// The complete text of `unrolled.rs`.
pub fn render() -> String {
    let mut out = String::from(HEADER);
    for n in WIDTHS {
        out.push('\n');
        sqr_fn(n, &mut out);
    }
    out
}

fn line(out: &mut String, text: &str) {
    out.push_str("    ");
    out.push_str(text);
    out.push('\n');
}

/// One `sqr_<n>` function.
fn sqr_fn(n: usize, out: &mut String) {
    out.push_str(&format!(
        "/// Unrolled FIPS Montgomery squaring for {n} limbs (generated; see `sqr`).\n\
         #[inline(always)]\n\
         pub(super) fn sqr_{n}(a: &[u64; {n}], m: &[u64; {n}], m0inv: u64) -> ([u64; {n}], u64) {{\n"
    ));
    line(out, &format!("let mut u = [0u64; {n}];"));
    line(out, &format!("let mut r = [0u64; {n}];"));
    line(out, "let mut acc = Acc3::default();");
    for k in 0..2 * n - 1 {
        line(out, &format!("// column {k}"));
        let lo = if k >= n { k + 1 - n } else { 0 };
        // Off-diagonal products a_i a_(k-i) with i < k - i (both indices below n).
        let pairs: Vec<(usize, usize)> = (lo..n)
            .filter(|&i| 2 * i < k && k - i < n)
            .map(|i| (i, k - i))
            .collect();
        if !pairs.is_empty() {
            line(out, "let mut s = Acc3::default();");
            for (i, j) in pairs {
                line(out, &format!("s.mac(a[{i}], a[{j}]);"));
            }
            line(out, "s.double();");
            if k % 2 == 0 {
                line(out, &format!("s.mac(a[{h}], a[{h}]);", h = k / 2));
            }
            line(out, "acc.add(&s);");
        } else if k % 2 == 0 {
            line(out, &format!("acc.mac(a[{h}], a[{h}]);", h = k / 2));
        }
        // Reduction terms u_i m_(k-i) for the u_i already known (i < k, i < n).
        for i in lo..k.min(n) {
            line(out, &format!("acc.mac(u[{i}], m[{}]);", k - i));
        }
        if k < n {
            line(out, &format!("u[{k}] = acc.a0.wrapping_mul(m0inv);"));
            line(out, &format!("acc.mac(u[{k}], m[0]);"));
        } else {
            line(out, &format!("r[{}] = acc.a0;", k - n));
        }
        line(out, "acc.shift();");
    }
    line(out, &format!("r[{}] = acc.a0;", n - 1));
    line(out, "(r, acc.a1)");
    out.push_str("}\n");
}
