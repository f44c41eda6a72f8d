//! Fiat-Shamir challenges: SHA-256 over a domain label and length-prefixed big integers, so no
//! two different transcripts hash the same bytes.

use num_bigint::BigUint;
use sha2::{Digest, Sha256};

pub fn challenge(label: &str, values: &[&BigUint], out_bits: usize) -> BigUint {
    let mut out = Vec::new();
    let mut counter = 0u32;
    while out.len() * 8 < out_bits {
        let mut h = Sha256::new();
        h.update((label.len() as u32).to_be_bytes());
        h.update(label.as_bytes());
        h.update(counter.to_be_bytes());
        for v in values {
            let bytes = v.to_bytes_be();
            h.update((bytes.len() as u32).to_be_bytes());
            h.update(&bytes);
        }
        out.extend_from_slice(&h.finalize());
        counter += 1;
    }
    BigUint::from_bytes_be(&out) >> (out.len() * 8 - out_bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_have_the_requested_size_and_separate_inputs() {
        let a = BigUint::from(1u32);
        let b = BigUint::from(256u32);
        let c1 = challenge("x", &[&a, &b], 128);
        assert!(c1.bits() <= 128);
        assert_ne!(c1, challenge("y", &[&a, &b], 128));
        assert_ne!(c1, challenge("x", &[&b, &a], 128));
        assert!(challenge("x", &[&a], 600).bits() <= 600);
    }
}
