//! Keys: the RSA and ElGamal types, their generation and registration checks, and their encodings
//! (PKCS#8, encrypted PKCS#8, SubjectPublicKeyInfo, PKCS#1, X9.42 DH).

pub mod cert;
pub mod chain;
pub mod check;
pub mod elgamal;
pub mod encoding;
pub mod pbes2;
pub mod rsa;

use num_bigint::BigUint;
use sha2::{Digest, Sha256};

pub use check::{CheckOutcome, CheckReport};
pub use elgamal::{ElGamalGroup, ElGamalPrivate, ElGamalPublic};
pub use encoding::{decode_key, encode_private, encode_public_spki, Kdf, KeyEncryption};
pub use rsa::{RsaPrivate, RsaPublic};

use crate::math::prime::SearchProgress;

/// A public key of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum PublicKey {
    Rsa(RsaPublic),
    ElGamal(ElGamalPublic),
}

/// A private key of either kind. Secret parts are wiped on drop and never printed by Debug.
#[derive(Debug, Clone)]
pub enum PrivateKey {
    Rsa(RsaPrivate),
    ElGamal(ElGamalPrivate),
}

/// Whatever a key file held.
#[derive(Debug, Clone)]
pub enum Key {
    Private(PrivateKey),
    Public(PublicKey),
}

impl PrivateKey {
    pub fn public(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.public.clone()),
            PrivateKey::ElGamal(k) => PublicKey::ElGamal(k.public.clone()),
        }
    }
}

impl Key {
    pub fn public(&self) -> PublicKey {
        match self {
            Key::Private(k) => k.public(),
            Key::Public(p) => p.clone(),
        }
    }

    pub fn is_private(&self) -> bool {
        matches!(self, Key::Private(_))
    }

    pub fn kind(&self) -> &'static str {
        self.public().kind()
    }
}

impl PublicKey {
    pub fn kind(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "rsa",
            PublicKey::ElGamal(_) => "elgamal",
        }
    }

    /// The size that names the key: |N| for RSA, |p| for ElGamal.
    pub fn bits(&self) -> u64 {
        match self {
            PublicKey::Rsa(k) => k.n.bits(),
            PublicKey::ElGamal(k) => k.group.p.bits(),
        }
    }
}

/// Reports the stages of a key generation (which prime is being searched) on top of the
/// search's own running totals.
pub trait KeygenProgress: SearchProgress {
    fn stage(&self, description: &str);
}

/// A progress sink that ignores everything.
pub struct Quiet;
impl SearchProgress for Quiet {
    fn update(&self, _: u64, _: u64) {}
}
impl KeygenProgress for Quiet {
    fn stage(&self, _: &str) {}
}

/// SHA-256 over the SubjectPublicKeyInfo DER, as lower-case hex cut to `digits` hex digits and
/// grouped by four for reading aloud.
pub fn fingerprint(public: &PublicKey, digits: usize) -> crate::Result<String> {
    let spki = encode_public_spki(public)?;
    Ok(group_hex(
        &hex::encode(Sha256::digest(&spki))[..digits.min(64)],
    ))
}

fn group_hex(h: &str) -> String {
    h.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("hex is ASCII"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Big-endian bytes of a big integer with no leading zeros (at least one byte).
pub(crate) fn be_bytes(n: &BigUint) -> Vec<u8> {
    n.to_bytes_be()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_grouped_by_four() {
        assert_eq!(group_hex("0123456789abcdef"), "0123 4567 89ab cdef");
        assert_eq!(group_hex("012345"), "0123 45");
    }
}
