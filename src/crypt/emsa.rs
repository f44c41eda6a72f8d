//! Does a block that someone wants "decrypted" look like a signature encoding? (issue 10 item 3)
//!
//! Threshold RSA decryption computes c^d mod N. When c is EMSA-PKCS1-v1_5(H(doc)) or an EMSA-PSS
//! encoding, c^d is a valid signature on doc: a decryption request is then a signature request in
//! disguise. This is the chosen-message attack of the Omega paper (seed 002, section 3: a client
//! choosing rho so that the service "will unexpectedly create h(Y')^d"); Omega's remedy there
//! (e = e1 e2, the client sends r^e1 and the servers raise it to e2) binds what may be signed, and
//! kmi gets the same separation from keys with one purpose (decrypt sets never sign) plus this
//! filter on unblinded decryption requests.
//!
//! The checks are structural, for any hash, so they need no knowledge of the document:
//! - PKCS#1 v1.5 (RFC 8017 section 9.2): `00 01 FF..FF 00 T` with at least 8 FF octets, whatever T
//!   is (any DigestInfo, or the bare MD5||SHA-1 of old TLS). A random block matches with
//!   probability below 2^-80.
//! - PSS (RFC 8017 section 9.1.2 verification steps 4-10): ends in 0xbc, the bits above emBits are
//!   zero, and maskedDB XOR MGF1(H) is zeros, 0x01, salt for some salt length, for each of SHA-1,
//!   SHA-224, SHA-256, SHA-384 and SHA-512 with MGF1 over the same hash (RFC 4055 section 3.1
//!   says they SHOULD match; every common signer does so). Any salt length is accepted because
//!   verifiers with "auto" salt length accept any. A random block matches with probability about
//!   5 / (256 * 128), about 1.5e-4: such an honest ciphertext can still be decrypted blinded.

use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

/// The signature encoding a block parses as, or None.
pub fn signature_encoding(block: &[u8], modulus_bits: usize) -> Option<&'static str> {
    if is_pkcs1_v15(block) {
        return Some("EMSA-PKCS1-v1_5");
    }
    pss_hash(block, modulus_bits).map(|h| match h {
        "SHA-1" => "EMSA-PSS with SHA-1",
        "SHA-224" => "EMSA-PSS with SHA-224",
        "SHA-256" => "EMSA-PSS with SHA-256",
        "SHA-384" => "EMSA-PSS with SHA-384",
        _ => "EMSA-PSS with SHA-512",
    })
}

/// `00 01 FF{8,} 00 ...` after any leading zero octets are accounted for (the block is k octets).
fn is_pkcs1_v15(block: &[u8]) -> bool {
    let Some(rest) = block.strip_prefix(&[0x00, 0x01]) else {
        return false;
    };
    let ff = rest.iter().take_while(|&&b| b == 0xff).count();
    ff >= 8 && rest.get(ff) == Some(&0x00)
}

/// MGF1 (RFC 8017 B.2.1) over hash D.
fn mgf1<D: Digest>(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut counter = 0u32;
    while out.len() < len {
        let mut h = D::new();
        h.update(seed);
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

fn pss_with<D: Digest>(em: &[u8], em_bits: usize) -> bool {
    let h_len = <D as Digest>::output_size();
    let em_len = em.len();
    if em_len < h_len + 2 || em.last() != Some(&0xbc) {
        return false;
    }
    let db_len = em_len - h_len - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let h = &rest[..h_len];
    let unused = 8 * em_len - em_bits;
    // The top 8 emLen - emBits bits of maskedDB are zero (step 6); unused is 0..=7 here.
    if unused > 7 || (unused > 0 && masked_db.first().is_some_and(|b| b >> (8 - unused) != 0)) {
        return false;
    }
    let mask = mgf1::<D>(h, db_len);
    let mut db: Vec<u8> = masked_db.iter().zip(&mask).map(|(a, b)| a ^ b).collect();
    if let Some(first) = db.first_mut() {
        *first &= 0xffu8 >> unused;
    }
    // zeros, then 0x01 (the salt follows; any length).
    let zeros = db.iter().take_while(|&&b| b == 0).count();
    db.get(zeros) == Some(&0x01)
}

/// The hash of a PSS encoding the block parses as, if any. emBits = modBits - 1 and
/// emLen = ceil(emBits / 8): when modBits is 1 mod 8 the block's first octet must be zero.
fn pss_hash(block: &[u8], modulus_bits: usize) -> Option<&'static str> {
    if modulus_bits < 2 {
        return None;
    }
    let em_bits = modulus_bits - 1;
    let em_len = em_bits.div_ceil(8);
    if block.len() < em_len {
        return None;
    }
    let (lead, em) = block.split_at(block.len() - em_len);
    if lead.iter().any(|&b| b != 0) {
        return None;
    }
    if pss_with::<Sha1>(em, em_bits) {
        Some("SHA-1")
    } else if pss_with::<Sha224>(em, em_bits) {
        Some("SHA-224")
    } else if pss_with::<Sha256>(em, em_bits) {
        Some("SHA-256")
    } else if pss_with::<Sha384>(em, em_bits) {
        Some("SHA-384")
    } else if pss_with::<Sha512>(em, em_bits) {
        Some("SHA-512")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore, SeedableRng};
    use rsa::traits::PublicKeyParts;

    /// The encoded message a signer raised to d: s^e mod N, as a k-octet block.
    fn encoded(public: &rsa::RsaPublicKey, sig: &[u8]) -> Vec<u8> {
        let s = rsa::BigUint::from_bytes_be(sig);
        let m = s.modpow(public.e(), public.n());
        let mut out = m.to_bytes_be();
        let k = public.size();
        let mut padded = vec![0u8; k - out.len()];
        padded.append(&mut out);
        padded
    }

    #[test]
    fn signature_encodings_are_recognised_and_random_blocks_are_not() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        // 1025 bits: emLen = k - 1, the PSS block starts with a zero octet.
        for bits in [1024usize, 1025] {
            let key = rsa::RsaPrivateKey::new(&mut rng, bits).unwrap();
            let public = key.to_public_key();
            let digest = Sha256::digest(b"doc");
            let v15 = key
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
                .unwrap();
            assert_eq!(
                signature_encoding(&encoded(&public, &v15), bits),
                Some("EMSA-PKCS1-v1_5")
            );
            let sha384 = Sha384::digest(b"doc");
            let v15 = key
                .sign(rsa::Pkcs1v15Sign::new::<Sha384>(), &sha384)
                .unwrap();
            assert_eq!(
                signature_encoding(&encoded(&public, &v15), bits),
                Some("EMSA-PKCS1-v1_5")
            );
            for salt in [0usize, 20, 32, 64] {
                let pss = key
                    .sign_with_rng(&mut rng, rsa::Pss::new_with_salt::<Sha256>(salt), &digest)
                    .unwrap();
                assert_eq!(
                    signature_encoding(&encoded(&public, &pss), bits),
                    Some("EMSA-PSS with SHA-256"),
                    "salt {salt}"
                );
            }
            let d512 = Sha512::digest(b"doc");
            let pss = key
                .sign_with_rng(&mut rng, rsa::Pss::new_with_salt::<Sha512>(20), &d512)
                .unwrap();
            assert_eq!(
                signature_encoding(&encoded(&public, &pss), bits),
                Some("EMSA-PSS with SHA-512")
            );
            // OAEP ciphertexts (uniform blocks) almost never match.
            let mut hits = 0;
            for _ in 0..2000 {
                let mut block = vec![0u8; public.size()];
                rng.fill_bytes(&mut block[1..]);
                if signature_encoding(&block, bits).is_some() {
                    hits += 1;
                }
            }
            assert!(hits <= 2, "{hits} random blocks matched");
        }
    }
}
