//! ElGamal hybrid encryption for files (math.md section 4): alpha = g^u, a 256-bit key from
//! SHA-256 over alpha and the shared value y^u, and AES-256-GCM over the payload.
//!
//! ```text
//! KmiElGamalMessage ::= SEQUENCE {      -- PEM "KMI ELGAMAL MESSAGE"
//!   version     INTEGER (1),
//!   alpha       INTEGER,                -- g^u mod p
//!   nonce       OCTET STRING (SIZE(12)),
//!   ciphertext  OCTET STRING }          -- AES-256-GCM, tag appended; AAD = I2OSP(alpha, |p|)
//! key = SHA-256("kmi elgamal hybrid v1" || I2OSP(alpha, |p|) || I2OSP(y^u, |p|))
//! ```

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use der::asn1::{OctetString, Uint};
use der::{Decode, Sequence};
use num_bigint::BigUint;
use num_traits::One;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::rsa_pad::i2osp;
use crate::keys::elgamal::{ElGamalGroup, ElGamalPublic};
use crate::math::modular::{pow_mod_secret, random_range};
use crate::math::secret::SecretUint;
use crate::{Error, Result};

pub const PEM_LABEL: &str = "KMI ELGAMAL MESSAGE";

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KmiElGamalMessage {
    pub version: u8,
    pub alpha: Uint,
    pub nonce: OctetString,
    pub ciphertext: OctetString,
}

impl KmiElGamalMessage {
    pub fn alpha(&self) -> BigUint {
        BigUint::from_bytes_be(self.alpha.as_bytes())
    }

    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let m = KmiElGamalMessage::from_der(der)
            .map_err(|e| Error::format(format!("malformed ElGamal message: {e}")))?;
        if m.version != 1 || m.nonce.as_bytes().len() != 12 {
            return Err(Error::format(
                "unsupported ElGamal message version or nonce size",
            ));
        }
        Ok(m)
    }
}

fn message_key(
    group: &ElGamalGroup,
    alpha: &BigUint,
    shared: &BigUint,
) -> Result<Zeroizing<[u8; 32]>> {
    let len = (group.p.bits() as usize).div_ceil(8);
    let mut h = Sha256::new();
    h.update(b"kmi elgamal hybrid v1");
    h.update(i2osp(alpha, len)?);
    h.update(Zeroizing::new(i2osp(shared, len)?).as_slice());
    Ok(Zeroizing::new(h.finalize().into()))
}

/// Encrypt `plaintext` to an ElGamal public key.
pub fn encrypt(
    to: &ElGamalPublic,
    plaintext: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Result<KmiElGamalMessage> {
    let g = &to.group;
    let u = SecretUint::new(random_range(rng, &BigUint::one(), &g.q));
    let alpha = pow_mod_secret(&g.g, u.expose(), &g.p, g.q.bits());
    let shared = SecretUint::new(pow_mod_secret(&to.y, u.expose(), &g.p, g.q.bits()));
    let key = message_key(g, &alpha, shared.expose())?;
    let mut nonce = [0u8; 12];
    rng.fill_bytes(&mut nonce);
    let aad = i2osp(&alpha, (g.p.bits() as usize).div_ceil(8))?;
    let cipher =
        Aes256Gcm::new_from_slice(key.as_slice()).map_err(|e| Error::internal(e.to_string()))?;
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| Error::internal("AES-GCM encryption failed"))?;
    let octets = |b: Vec<u8>| OctetString::new(b).map_err(Error::encoding);
    Ok(KmiElGamalMessage {
        version: 1,
        alpha: Uint::new(&alpha.to_bytes_be()).map_err(Error::encoding)?,
        nonce: octets(nonce.to_vec())?,
        ciphertext: octets(ciphertext)?,
    })
}

/// Decrypt with the shared value alpha^x (from the private key, or combined from partials).
pub fn decrypt_with_shared(
    group: &ElGamalGroup,
    msg: &KmiElGamalMessage,
    shared: &BigUint,
) -> Result<Zeroizing<Vec<u8>>> {
    let alpha = msg.alpha();
    let key = message_key(group, &alpha, shared)?;
    let aad = i2osp(&alpha, (group.p.bits() as usize).div_ceil(8))?;
    let cipher =
        Aes256Gcm::new_from_slice(key.as_slice()).map_err(|e| Error::internal(e.to_string()))?;
    cipher
        .decrypt(
            Nonce::from_slice(msg.nonce.as_bytes()),
            Payload {
                msg: msg.ciphertext.as_bytes(),
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| {
            Error::check(
                "decryption failed: the message was not encrypted to this key or was changed",
            )
        })
}

crate::impl_typed_file!(KmiElGamalMessage, PEM_LABEL, "an ElGamal message");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::elgamal::{generate_key, NamedGroup};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn round_trip_and_tamper() {
        let mut rng = ChaCha20Rng::from_seed([8; 32]);
        let key = generate_key(NamedGroup::Ffdhe2048.group(), &mut rng);
        let msg = encrypt(&key.public, b"the escrowed secret", &mut rng).unwrap();
        let der = der::Encode::to_der(&msg).unwrap();
        let back = KmiElGamalMessage::from_der_checked(&der).unwrap();
        let g = &key.public.group;
        let shared = back.alpha().modpow(key.x.expose(), &g.p);
        assert_eq!(
            decrypt_with_shared(g, &back, &shared).unwrap().as_slice(),
            b"the escrowed secret"
        );
        let wrong = &shared * 4u32 % &g.p;
        assert!(decrypt_with_shared(g, &back, &wrong).is_err());
    }
}
