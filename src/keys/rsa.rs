//! RSA keys: generation with safe primes (the default) or ordinary primes, and the numbers that
//! make up a key.

use const_oid::db::rfc5912;
use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::One;
use rand_core::CryptoRngCore;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::KeygenProgress;
use crate::math::modular::mod_inverse;
use crate::math::prime::{random_prime, safe_prime, SearchConfig};
use crate::math::secret::SecretUint;
use crate::{Error, Result};

/// The smallest modulus kmi generates. Anything below 2048 bits is for fixtures and teaching,
/// and the command layer says so.
pub const MIN_GENERATE_BITS: usize = 64;
pub const MAX_GENERATE_BITS: usize = 16384;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublic {
    pub n: BigUint,
    pub e: BigUint,
}

/// A two-prime RSA private key with its CRT values, as PKCS#1 lays them out.
#[derive(Debug, Clone)]
pub struct RsaPrivate {
    pub public: RsaPublic,
    pub d: SecretUint,
    pub p: SecretUint,
    pub q: SecretUint,
    pub dp: SecretUint,
    pub dq: SecretUint,
    pub qinv: SecretUint,
}

/// What `kmi key generate rsa` asks for.
#[derive(Debug, Clone)]
pub struct RsaGenParams {
    pub bits: usize,
    /// p = 2p'+1 and q = 2q'+1 with p', q' prime (needed by threshold RSA).
    pub safe: bool,
    pub e: BigUint,
}

impl RsaPrivate {
    /// Build a complete key from its primes, with d = e^-1 mod lambda(N) (the smaller of the two
    /// valid private exponents). p is made the larger prime, as is conventional. Every secret
    /// here, the intermediates p - 1, q - 1 and lambda(N) included, lives in a `SecretUint`
    /// (wiped on drop; num-bigint's own temporaries inside lcm and the inverse are not reached).
    pub fn from_primes(p: BigUint, q: BigUint, e: BigUint) -> Result<Self> {
        let (p, q) = if p >= q { (p, q) } else { (q, p) };
        let (p, q) = (SecretUint::new(p), SecretUint::new(q));
        if p == q {
            return Err(Error::internal("RSA primes must differ"));
        }
        let one = BigUint::one();
        let p1 = SecretUint::new(p.expose() - &one);
        let q1 = SecretUint::new(q.expose() - &one);
        let lambda = SecretUint::new(p1.expose().lcm(q1.expose()));
        let d = SecretUint::new(mod_inverse(&e, lambda.expose()).ok_or_else(|| {
            Error::invalid("the public exponent is not invertible modulo lambda(N)")
        })?);
        let dp = SecretUint::new(d.expose() % p1.expose());
        let dq = SecretUint::new(d.expose() % q1.expose());
        let qinv = SecretUint::new(
            mod_inverse(q.expose(), p.expose())
                .ok_or_else(|| Error::internal("q is not invertible mod p"))?,
        );
        Ok(RsaPrivate {
            public: RsaPublic {
                n: p.expose() * q.expose(),
                e,
            },
            d,
            p,
            q,
            dp,
            dq,
            qinv,
        })
    }

    /// Whether p and q are both safe primes.
    pub fn has_safe_primes(&self) -> bool {
        use crate::math::prime::is_probable_prime;
        let half = |x: &BigUint| (x - 1u32) >> 1usize;
        [self.p.expose(), self.q.expose()]
            .iter()
            .all(|x| is_probable_prime(x) && is_probable_prime(&half(x)))
    }
}

/// A big integer in the rsa crate's own type (num-bigint-dig), through wiped big-endian bytes.
fn to_rsa_uint(x: &BigUint) -> rsa::BigUint {
    let bytes = zeroize::Zeroizing::new(x.to_bytes_be());
    rsa::BigUint::from_bytes_be(&bytes)
}

impl RsaPublic {
    /// This key as the rsa crate's, for OAEP encryption and signature verification.
    pub fn to_rsa_crate(&self) -> Result<rsa::RsaPublicKey> {
        rsa::RsaPublicKey::new(to_rsa_uint(&self.n), to_rsa_uint(&self.e))
            .map_err(|e| Error::invalid(format!("the RSA public key cannot be used: {e}")))
    }
}

impl RsaPrivate {
    /// This key as the rsa crate's, for OAEP decryption.
    pub fn to_rsa_crate(&self) -> Result<rsa::RsaPrivateKey> {
        rsa::RsaPrivateKey::from_components(
            to_rsa_uint(&self.public.n),
            to_rsa_uint(&self.public.e),
            to_rsa_uint(self.d.expose()),
            vec![to_rsa_uint(self.p.expose()), to_rsa_uint(self.q.expose())],
        )
        .map_err(|e| Error::format(format!("the RSA key cannot be used: {e}")))
    }
}

/// Parse a public exponent given as decimal or 0x-hex.
pub fn parse_exponent(text: &str) -> Result<BigUint> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(h) => BigUint::parse_bytes(h.as_bytes(), 16),
        None => BigUint::parse_bytes(text.as_bytes(), 10),
    };
    let e = parsed.ok_or_else(|| Error::invalid(format!("--e {text}: not a number")))?;
    if e < BigUint::from(3u32) || e.is_even() {
        return Err(Error::invalid(format!(
            "--e {text}: the public exponent must be odd and at least 3"
        )));
    }
    Ok(e)
}

/// Generate an RSA key of exactly `params.bits` bits.
pub fn generate(
    params: &RsaGenParams,
    rng: &mut dyn CryptoRngCore,
    cfg: &SearchConfig,
    progress: &dyn KeygenProgress,
) -> Result<RsaPrivate> {
    if !(MIN_GENERATE_BITS..=MAX_GENERATE_BITS).contains(&params.bits) {
        return Err(Error::invalid(format!(
            "--bits {}: RSA keys must have {MIN_GENERATE_BITS} to {MAX_GENERATE_BITS} bits",
            params.bits
        )));
    }
    if params.e.bits() as usize >= params.bits / 2 {
        return Err(Error::invalid(
            "the public exponent is too large for this modulus size",
        ));
    }
    let p_bits = params.bits.div_ceil(2);
    let q_bits = params.bits / 2;
    let kind = if params.safe { "safe prime" } else { "prime" };
    let one = BigUint::one();

    let mut draw = |bits: usize, label: &str| -> Result<BigUint> {
        loop {
            progress.stage(&format!("{label}: {bits}-bit {kind}"));
            let candidate = if params.safe {
                safe_prime(bits, true, rng, cfg, progress)?
            } else {
                random_prime(bits, true, rng, cfg, progress)?
            };
            // e must be invertible mod p-1; for e prime this fails only when e | p-1.
            if (&candidate - &one).gcd(&params.e).is_one() {
                return Ok(candidate);
            }
        }
    };
    let p = draw(p_bits, "p")?;
    let q = loop {
        let q = draw(q_bits, "q")?;
        if q != p {
            break q;
        }
    };
    let key = RsaPrivate::from_primes(p, q, params.e.clone())?;
    if key.public.n.bits() as usize != params.bits {
        return Err(Error::internal("generated modulus has the wrong size"));
    }
    Ok(key)
}

/// The hashes kmi signs and verifies RSASSA-PKCS1-v1_5 with, named by digest OID (CMS) or by
/// signature OID (certificates, PKCS#10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigHash {
    Sha256,
    Sha384,
    Sha512,
}

impl SigHash {
    pub fn from_digest_oid(oid: &der::asn1::ObjectIdentifier) -> Option<Self> {
        match *oid {
            rfc5912::ID_SHA_256 => Some(SigHash::Sha256),
            rfc5912::ID_SHA_384 => Some(SigHash::Sha384),
            rfc5912::ID_SHA_512 => Some(SigHash::Sha512),
            _ => None,
        }
    }

    /// From sha{256,384,512}WithRSAEncryption.
    pub fn from_signature_oid(oid: &der::asn1::ObjectIdentifier) -> Option<Self> {
        match *oid {
            rfc5912::SHA_256_WITH_RSA_ENCRYPTION => Some(SigHash::Sha256),
            rfc5912::SHA_384_WITH_RSA_ENCRYPTION => Some(SigHash::Sha384),
            rfc5912::SHA_512_WITH_RSA_ENCRYPTION => Some(SigHash::Sha512),
            _ => None,
        }
    }

    pub fn signature_oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            SigHash::Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            SigHash::Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
            SigHash::Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
        }
    }

    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            SigHash::Sha256 => Sha256::digest(bytes).to_vec(),
            SigHash::Sha384 => Sha384::digest(bytes).to_vec(),
            SigHash::Sha512 => Sha512::digest(bytes).to_vec(),
        }
    }

    pub fn padding(self) -> Pkcs1v15Sign {
        match self {
            SigHash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
            SigHash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
            SigHash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
        }
    }

    /// Does `signature` sign `message` (hashed here) under `key`?
    pub fn verify(self, key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
        key.verify(self.padding(), &self.digest(message), signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn from_primes_builds_consistent_crt_values() {
        let p = BigUint::from(1019u32); // safe: 509 prime
        let q = BigUint::from(1187u32); // safe: 593 prime
        let k = RsaPrivate::from_primes(q.clone(), p.clone(), BigUint::from(3u32)).unwrap();
        assert_eq!(k.p.expose(), &q, "p is the larger prime");
        assert_eq!(k.public.n, &p * &q);
        let m = BigUint::from(123456u32);
        let c = m.modpow(&k.public.e, &k.public.n);
        assert_eq!(c.modpow(k.d.expose(), &k.public.n), m);
        assert_eq!(
            (k.qinv.expose() * k.q.expose()) % k.p.expose(),
            BigUint::one()
        );
    }

    #[test]
    fn exponent_parsing() {
        assert_eq!(parse_exponent("65537").unwrap(), BigUint::from(65537u32));
        assert_eq!(parse_exponent("0x10001").unwrap(), BigUint::from(65537u32));
        assert!(parse_exponent("4").is_err());
        assert!(parse_exponent("1").is_err());
        assert!(parse_exponent("x").is_err());
    }

    #[test]
    fn small_safe_key_has_exact_size_and_safe_primes() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let params = RsaGenParams {
            bits: 128,
            safe: true,
            e: BigUint::from(65537u32),
        };
        let k = generate(
            &params,
            &mut rng,
            &SearchConfig { threads: 1 },
            &super::super::Quiet,
        )
        .unwrap();
        assert_eq!(k.public.n.bits(), 128);
        assert!(k.has_safe_primes());
    }

    #[test]
    fn bit_limits_are_enforced() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let params = RsaGenParams {
            bits: 32,
            safe: true,
            e: BigUint::from(3u32),
        };
        assert!(generate(
            &params,
            &mut rng,
            &SearchConfig::default(),
            &super::super::Quiet
        )
        .is_err());
    }
}
