//! RSA paddings (RFC 8017). Encryption goes through the rsa crate; the decoders here turn the raw
//! x^d that threshold combination yields into the standard result.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Error, Result};

const SHA256_LEN: usize = 32;

/// DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// EMSA-PKCS1-v1_5 encoding of SHA-256(message) for a modulus of `k` bytes.
pub fn emsa_pkcs1_v15_sha256(message_digest: &[u8; 32], k: usize) -> Result<Vec<u8>> {
    let t_len = SHA256_DIGEST_INFO.len() + SHA256_LEN;
    if k < t_len + 11 {
        return Err(Error::invalid(
            "the RSA modulus is too small for a PKCS#1 v1.5 SHA-256 signature",
        ));
    }
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(k - t_len - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&SHA256_DIGEST_INFO);
    em.extend_from_slice(message_digest);
    Ok(em)
}

fn mgf1_sha256(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + SHA256_LEN);
    let mut counter = 0u32;
    while out.len() < len {
        let mut h = Sha256::new();
        h.update(seed);
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter += 1;
    }
    out.truncate(len);
    out
}

/// EME-OAEP decoding with SHA-256, MGF1-SHA-256 and an empty label (RFC 8017 section 7.1.2,
/// step 3). `em` is the k-byte big-endian value of c^d mod N. One error for every failure, so the
/// message does not tell which check failed.
pub fn eme_oaep_sha256_decode(em: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let k = em.len();
    let h_len = SHA256_LEN;
    let fail =
        || Error::check("decryption failed: not an RSA-OAEP (SHA-256) ciphertext for this key");
    if k < 2 * h_len + 2 {
        return Err(fail());
    }
    let l_hash = Sha256::digest(b"");
    let (y, rest) = em.split_at(1);
    let (masked_seed, masked_db) = rest.split_at(h_len);
    let seed: Vec<u8> = masked_seed
        .iter()
        .zip(mgf1_sha256(masked_db, h_len))
        .map(|(a, b)| a ^ b)
        .collect();
    let db = zeroize::Zeroizing::new(
        masked_db
            .iter()
            .zip(mgf1_sha256(&seed, k - h_len - 1))
            .map(|(a, b)| a ^ b)
            .collect::<Vec<u8>>(),
    );
    let (l_hash_2, ps_m) = db.split_at(h_len);
    let mut good = y[0].ct_eq(&0) & l_hash_2.ct_eq(&l_hash);
    // PS is zeros, then a single 0x01, then M.
    let mut found = subtle::Choice::from(0);
    let mut index = 0usize;
    for (i, &b) in ps_m.iter().enumerate() {
        let is_one = b.ct_eq(&1);
        let is_zero = b.ct_eq(&0);
        let first_one = is_one & !found;
        index = if bool::from(first_one) { i } else { index };
        good &= found | is_zero | is_one;
        found |= is_one;
    }
    good &= found;
    if !bool::from(good) {
        return Err(fail());
    }
    Ok(zeroize::Zeroizing::new(ps_m[index + 1..].to_vec()))
}

/// I2OSP: big-endian bytes of `n` left-padded to `len`.
pub fn i2osp(n: &num_bigint::BigUint, len: usize) -> Result<Vec<u8>> {
    let b = n.to_bytes_be();
    if b.len() > len {
        return Err(Error::internal("integer too large for its octet string"));
    }
    let mut out = vec![0u8; len - b.len()];
    out.extend_from_slice(&b);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn oaep_decoder_inverts_the_rsa_crate() {
        let mut rng = ChaCha20Rng::from_seed([4; 32]);
        let key = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
        let public = rsa::RsaPublicKey::from(&key);
        let ct = public
            .encrypt(&mut rng, rsa::Oaep::new::<Sha256>(), b"attack at dawn")
            .unwrap();
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};
        let c = rsa::BigUint::from_bytes_be(&ct);
        let m = c.modpow(key.d(), key.n());
        let em = i2osp(&BigUint::from_bytes_be(&m.to_bytes_be()), 128).unwrap();
        assert_eq!(
            eme_oaep_sha256_decode(&em).unwrap().as_slice(),
            b"attack at dawn"
        );
        let mut bad = em.clone();
        bad[40] ^= 1;
        assert!(eme_oaep_sha256_decode(&bad).is_err());
    }

    #[test]
    fn pkcs1_encoding_shape() {
        let em = emsa_pkcs1_v15_sha256(&[7u8; 32], 64).unwrap();
        assert_eq!(em.len(), 64);
        assert_eq!(&em[..3], &[0, 1, 0xff]);
        assert!(emsa_pkcs1_v15_sha256(&[7u8; 32], 40).is_err());
    }
}
