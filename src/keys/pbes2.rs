//! Reading encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo with PBES2, RFC 8018) as other tools
//! write it. kmi's own reader rather than the pkcs5 crate's: that one refuses a PRF
//! AlgorithmIdentifier without NULL parameters (GnuTLS certtool writes it so; RFC 8018 appendix
//! B.1 allows both) and cannot derive with the default PRF hmacWithSHA1 (older OpenSSL, Java and
//! Bouncy Castle write it), and a key it cannot read must never be called a wrong passphrase.
//!
//! Everything the file chooses is read and checked before the passphrase is asked for: the KDF
//! (PBKDF2 with hmacWithSHA1/224/256/384/512, or scrypt), its work (`crate::limits`) and the
//! cipher (AES-128/192/256-CBC). Only a padding or structure failure after decryption is a wrong
//! passphrase.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Sequence};
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use crate::limits;
use crate::{Error, Result};

const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
const SCRYPT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11591.4.11");
const HMAC_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
const HMAC_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.8");
const HMAC_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
const HMAC_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
const HMAC_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");
const AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
const AES192_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22");
const AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");
/// PKCS#5 v1.5 PBES1 (1.2.840.113549.1.5.x) and PKCS#12 PBE (1.2.840.113549.1.12.1.x) arcs.
const PKCS5_ARC: &str = "1.2.840.113549.1.5.";
const PKCS12_PBE_ARC: &str = "1.2.840.113549.1.12.1.";

const CONVERT: &str = "convert with openssl pkcs8 -topk8 -v2 aes-256-cbc";

/// EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier,
/// encryptedData OCTET STRING } (RFC 5958 section 3).
#[derive(Sequence)]
struct EncryptedPrivateKeyInfo<'a> {
    algorithm: AlgorithmIdentifierRef<'a>,
    data: OctetStringRef<'a>,
}

/// PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme } (RFC 8018 appendix A.4).
#[derive(Sequence)]
struct Pbes2Params<'a> {
    kdf: AlgorithmIdentifierRef<'a>,
    scheme: AlgorithmIdentifierRef<'a>,
}

/// PBKDF2-params (RFC 8018 appendix A.2); the salt's otherSource choice is not read.
#[derive(Sequence)]
struct Pbkdf2Params<'a> {
    salt: OctetStringRef<'a>,
    iterations: UintRef<'a>,
    #[asn1(optional = "true")]
    key_length: Option<UintRef<'a>>,
    #[asn1(optional = "true")]
    prf: Option<AlgorithmIdentifierRef<'a>>,
}

/// scrypt-params (RFC 7914 section 7.1).
#[derive(Sequence)]
struct ScryptParams<'a> {
    salt: OctetStringRef<'a>,
    cost: UintRef<'a>,
    block_size: UintRef<'a>,
    parallelization: UintRef<'a>,
    #[asn1(optional = "true")]
    key_length: Option<UintRef<'a>>,
}

/// The PBKDF2 pseudo-random function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prf {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Prf {
    pub fn name(self) -> &'static str {
        match self {
            Prf::Sha1 => "hmacWithSHA1",
            Prf::Sha224 => "hmacWithSHA224",
            Prf::Sha256 => "hmacWithSHA256",
            Prf::Sha384 => "hmacWithSHA384",
            Prf::Sha512 => "hmacWithSHA512",
        }
    }
}

/// How the key is derived from the passphrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Derivation {
    Pbkdf2 {
        salt: Vec<u8>,
        iterations: u32,
        prf: Prf,
    },
    Scrypt {
        salt: Vec<u8>,
        /// N (a power of two above 1), r, p.
        n: u64,
        r: u32,
        p: u32,
    },
}

/// An encrypted PKCS#8 key whose algorithms kmi reads, before any derivation.
#[derive(Clone, Debug)]
pub struct EncryptedKey {
    pub derivation: Derivation,
    /// AES key bytes: 16, 24 or 32.
    pub key_len: usize,
    iv: [u8; 16],
    ciphertext: Vec<u8>,
}

/// Whether `der` has the shape of an EncryptedPrivateKeyInfo (for telling DER key kinds apart),
/// whatever its algorithms.
pub fn is_encrypted_key_info(der: &[u8]) -> bool {
    EncryptedPrivateKeyInfo::from_der(der).is_ok()
}

fn small_uint(u: UintRef<'_>, what: &str) -> Result<u64> {
    let b = u.as_bytes();
    if b.len() > 8 {
        return Err(Error::format(format!(
            "encrypted key: {what} is out of range"
        )));
    }
    Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}

fn cipher_name(oid: ObjectIdentifier) -> String {
    if oid == DES_EDE3_CBC {
        "des-ede3-cbc".into()
    } else {
        oid.to_string()
    }
}

impl EncryptedKey {
    /// Read an EncryptedPrivateKeyInfo; a format error names what kmi does not read.
    pub fn parse(der: &[u8]) -> Result<Self> {
        let epki =
            EncryptedPrivateKeyInfo::from_der(der).map_err(Error::decoding("encrypted PKCS#8"))?;
        let alg = &epki.algorithm;
        if alg.oid != PBES2 {
            let s = alg.oid.to_string();
            let kind = if s.starts_with(PKCS5_ARC) {
                "PKCS#5 v1.5 (PBES1) encryption"
            } else if s.starts_with(PKCS12_PBE_ARC) {
                "PKCS#12 password-based encryption"
            } else {
                "encryption scheme"
            };
            return Err(Error::format(format!(
                "encrypted key: unsupported {kind} {s} (kmi reads PBES2; {CONVERT})"
            )));
        }
        let params: Pbes2Params = alg
            .parameters
            .ok_or_else(|| Error::format("encrypted key: PBES2 without parameters"))?
            .decode_as()
            .map_err(Error::decoding("PBES2 parameters"))?;

        let (key_len, iv) = Self::scheme(&params.scheme)?;
        let derivation = Self::derivation(&params.kdf, key_len)?;
        Ok(EncryptedKey {
            derivation,
            key_len,
            iv,
            ciphertext: epki.data.as_bytes().to_vec(),
        })
    }

    fn scheme(scheme: &AlgorithmIdentifierRef<'_>) -> Result<(usize, [u8; 16])> {
        let key_len = match scheme.oid {
            o if o == AES128_CBC => 16,
            o if o == AES192_CBC => 24,
            o if o == AES256_CBC => 32,
            o => {
                return Err(Error::format(format!(
                "encrypted key: unsupported cipher {} (kmi reads AES-128/192/256-CBC; {CONVERT})",
                cipher_name(o)
            )))
            }
        };
        let iv = scheme
            .parameters
            .ok_or_else(|| Error::format("encrypted key: AES-CBC without an IV"))?
            .decode_as::<OctetStringRef<'_>>()
            .map_err(Error::decoding("AES-CBC IV"))?;
        let iv: [u8; 16] = iv
            .as_bytes()
            .try_into()
            .map_err(|_| Error::format("encrypted key: the AES-CBC IV must be 16 bytes"))?;
        Ok((key_len, iv))
    }

    fn derivation(kdf: &AlgorithmIdentifierRef<'_>, key_len: usize) -> Result<Derivation> {
        let params = kdf
            .parameters
            .ok_or_else(|| Error::format("encrypted key: key derivation without parameters"))?;
        let check_len = |kl: Option<UintRef<'_>>| -> Result<()> {
            if let Some(kl) = kl {
                if small_uint(kl, "keyLength")? != key_len as u64 {
                    return Err(Error::format(
                        "encrypted key: the KDF keyLength does not match the cipher's key size",
                    ));
                }
            }
            Ok(())
        };
        if kdf.oid == PBKDF2 {
            let p: Pbkdf2Params = params
                .decode_as()
                .map_err(Error::decoding("PBKDF2 parameters"))?;
            check_len(p.key_length)?;
            let iterations = small_uint(p.iterations, "the PBKDF2 iteration count")?;
            if iterations == 0 {
                return Err(Error::format(
                    "encrypted key: PBKDF2 iteration count 0 is out of range",
                ));
            }
            let iterations = u32::try_from(iterations).map_err(|_| {
                Error::format(format!(
                    "encrypted key: PBKDF2 with {iterations} iterations is more than kmi's limit of {}",
                    limits::MAX_PBKDF2_ITERATIONS
                ))
            })?;
            let prf = match p.prf {
                None => Prf::Sha1,
                Some(alg) => Self::prf(&alg)?,
            };
            Ok(Derivation::Pbkdf2 {
                salt: p.salt.as_bytes().to_vec(),
                iterations,
                prf,
            })
        } else if kdf.oid == SCRYPT {
            let s: ScryptParams = params
                .decode_as()
                .map_err(Error::decoding("scrypt parameters"))?;
            check_len(s.key_length)?;
            let n = small_uint(s.cost, "the scrypt cost N")?;
            let r = small_uint(s.block_size, "the scrypt block size r")?;
            let p = small_uint(s.parallelization, "the scrypt parallelization p")?;
            if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
                return Err(Error::format(format!(
                    "encrypted key: scrypt N = {n}, r = {r}, p = {p} is not valid (N a power of two above 1, r and p at least 1)"
                )));
            }
            let (r, p) = (
                u32::try_from(r)
                    .map_err(|_| Error::format("encrypted key: scrypt r is out of range"))?,
                u32::try_from(p)
                    .map_err(|_| Error::format("encrypted key: scrypt p is out of range"))?,
            );
            Ok(Derivation::Scrypt {
                salt: s.salt.as_bytes().to_vec(),
                n,
                r,
                p,
            })
        } else {
            Err(Error::format(format!(
                "encrypted key: unsupported key derivation {} (kmi reads PBKDF2 and scrypt; {CONVERT})",
                kdf.oid
            )))
        }
    }

    /// The PRF AlgorithmIdentifier: parameters NULL or absent (RFC 8018 appendix B.1.1 lists
    /// NULL, and GnuTLS leaves them out).
    fn prf(alg: &AlgorithmIdentifierRef<'_>) -> Result<Prf> {
        if let Some(params) = alg.parameters {
            if params != AnyRef::NULL {
                return Err(Error::format(format!(
                    "encrypted key: PBKDF2 PRF {} with parameters other than NULL",
                    alg.oid
                )));
            }
        }
        Ok(match alg.oid {
            o if o == HMAC_SHA1 => Prf::Sha1,
            o if o == HMAC_SHA224 => Prf::Sha224,
            o if o == HMAC_SHA256 => Prf::Sha256,
            o if o == HMAC_SHA384 => Prf::Sha384,
            o if o == HMAC_SHA512 => Prf::Sha512,
            o => {
                return Err(Error::format(format!(
                    "encrypted key: unsupported PBKDF2 PRF {o} (kmi reads hmacWithSHA1, -SHA224, -SHA256, -SHA384 and -SHA512; {CONVERT})"
                )))
            }
        })
    }

    /// Refuse work no honest key needs before the passphrase is asked for (RFC 8018 section 5.2
    /// PBKDF2, RFC 7914 scrypt; limits in `crate::limits`, lifted by `--allow-slow-kdf` except the
    /// scrypt memory ceiling).
    pub fn check_work(&self) -> Result<()> {
        let slow_ok = limits::slow_kdf_allowed();
        let lift = "give --allow-slow-kdf if you trust this key file";
        match &self.derivation {
            Derivation::Pbkdf2 { iterations, .. }
                if *iterations > limits::MAX_PBKDF2_ITERATIONS && !slow_ok =>
            {
                Err(Error::format(format!(
                    "encrypted key: PBKDF2 with {iterations} iterations is more than kmi's limit of {} ({lift})",
                    limits::MAX_PBKDF2_ITERATIONS
                )))
            }
            Derivation::Pbkdf2 { .. } => Ok(()),
            Derivation::Scrypt { n, r, p, .. } => {
                let (n, r, p) = (*n, u64::from(*r), u64::from(*p));
                let memory = limits::scrypt_memory_bytes(n, r, p);
                let mib = |b: u128| b.div_ceil(1024 * 1024);
                if memory > u128::from(limits::SCRYPT_MEMORY_CEILING_BYTES) {
                    return Err(Error::format(format!(
                        "encrypted key: scrypt N = {n}, r = {r}, p = {p} needs {} MiB, more than any machine kmi runs on should give it ({} MiB, even with --allow-slow-kdf)",
                        mib(memory),
                        mib(u128::from(limits::SCRYPT_MEMORY_CEILING_BYTES))
                    )));
                }
                if slow_ok {
                    return Ok(());
                }
                if memory > u128::from(limits::MAX_SCRYPT_MEMORY_BYTES) {
                    return Err(Error::format(format!(
                        "encrypted key: scrypt N = {n}, r = {r}, p = {p} needs {} MiB, more than kmi's limit of {} MiB ({lift})",
                        mib(memory),
                        mib(u128::from(limits::MAX_SCRYPT_MEMORY_BYTES))
                    )));
                }
                let work = u128::from(n) * u128::from(r) * u128::from(p);
                if work > u128::from(limits::MAX_SCRYPT_WORK) {
                    return Err(Error::format(format!(
                        "encrypted key: scrypt N * r * p = {work} is more than kmi's limit of {} ({lift})",
                        limits::MAX_SCRYPT_WORK
                    )));
                }
                Ok(())
            }
        }
    }

    /// The PrivateKeyInfo DER under `passphrase`, or `None` when the padding shows the passphrase
    /// (or the ciphertext) is wrong. Errors only for parameters [`EncryptedKey::parse`] accepted
    /// but the KDF refuses.
    pub fn decrypt(&self, passphrase: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let mut key = Zeroizing::new(vec![0u8; self.key_len]);
        match &self.derivation {
            Derivation::Pbkdf2 {
                salt,
                iterations,
                prf,
            } => {
                let (pw, s, n, k) = (passphrase, salt.as_slice(), *iterations, key.as_mut_slice());
                match prf {
                    Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pw, s, n, k),
                    Prf::Sha224 => pbkdf2::pbkdf2_hmac::<sha2::Sha224>(pw, s, n, k),
                    Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pw, s, n, k),
                    Prf::Sha384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(pw, s, n, k),
                    Prf::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(pw, s, n, k),
                }
            }
            Derivation::Scrypt { salt, n, r, p } => {
                // n is a power of two above 1 (checked in parse), so log2 fits in a u8.
                let log_n = n.trailing_zeros() as u8;
                let params = scrypt::Params::new(log_n, *r, *p, self.key_len)
                    .map_err(|e| Error::format(format!("encrypted key: scrypt parameters: {e}")))?;
                scrypt::scrypt(passphrase, salt, &params, &mut key)
                    .map_err(|e| Error::format(format!("encrypted key: scrypt: {e}")))?;
            }
        }
        if self.ciphertext.is_empty() || self.ciphertext.len() % 16 != 0 {
            return Ok(None);
        }
        let ct = self.ciphertext.as_slice();
        let iv = &self.iv;
        let plain = match self.key_len {
            16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, iv)
                .ok()
                .and_then(|d| d.decrypt_padded_vec_mut::<Pkcs7>(ct).ok()),
            24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, iv)
                .ok()
                .and_then(|d| d.decrypt_padded_vec_mut::<Pkcs7>(ct).ok()),
            _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, iv)
                .ok()
                .and_then(|d| d.decrypt_padded_vec_mut::<Pkcs7>(ct).ok()),
        };
        Ok(plain.map(Zeroizing::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    /// An EncryptedPrivateKeyInfo with PBKDF2 (the given PRF encoding) and AES-128-CBC over
    /// `plain`, built by hand.
    fn build(prf: Option<&[u8]>, plain: &[u8], pass: &[u8], prf_kind: Prf) -> Vec<u8> {
        let salt = [7u8; 8];
        let iv = [9u8; 16];
        let mut key = [0u8; 16];
        match prf_kind {
            Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pass, &salt, 1000, &mut key),
            _ => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pass, &salt, 1000, &mut key),
        }
        use aes::cipher::BlockEncryptMut;
        let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(plain);
        let tlv = |tag: u8, body: &[u8]| {
            let mut v = vec![tag];
            v.extend(der::Length::try_from(body.len()).unwrap().to_der().unwrap());
            v.extend_from_slice(body);
            v
        };
        let mut kdfp = tlv(0x04, &salt);
        kdfp.extend(tlv(0x02, &[0x03, 0xe8]));
        if let Some(p) = prf {
            kdfp.extend_from_slice(p);
        }
        let mut kdf = PBKDF2.to_der().unwrap();
        kdf.extend(tlv(0x30, &kdfp));
        let mut enc = AES128_CBC.to_der().unwrap();
        enc.extend(tlv(0x04, &iv));
        let mut p2 = tlv(0x30, &kdf);
        p2.extend(tlv(0x30, &enc));
        let mut alg = PBES2.to_der().unwrap();
        alg.extend(tlv(0x30, &p2));
        let mut body = tlv(0x30, &alg);
        body.extend(tlv(0x04, &ct));
        tlv(0x30, &body)
    }

    #[test]
    fn prf_with_absent_null_or_default_parameters_is_read() {
        let plain = b"0\x03\x02\x01\x00";
        let sha256_no_null = [&[0x30u8, 0x0a][..], &HMAC_SHA256.to_der().unwrap()[..]].concat();
        let sha256_null = [
            &[0x30u8, 0x0c][..],
            &HMAC_SHA256.to_der().unwrap()[..],
            &[0x05, 0x00][..],
        ]
        .concat();
        for (prf, kind) in [
            (Some(sha256_no_null.as_slice()), Prf::Sha256),
            (Some(sha256_null.as_slice()), Prf::Sha256),
            (None, Prf::Sha1),
        ] {
            let der = build(prf, plain, b"pw", kind);
            let k = EncryptedKey::parse(&der).unwrap();
            assert!(matches!(k.derivation, Derivation::Pbkdf2 { prf, .. } if prf == kind));
            assert_eq!(k.decrypt(b"pw").unwrap().unwrap().as_slice(), plain);
            // A wrong passphrase fails the padding (or, 1 in 256, yields bytes that are not it).
            assert_ne!(
                k.decrypt(b"wrong").unwrap().map(|v| v.to_vec()),
                Some(plain.to_vec())
            );
        }
    }

    #[test]
    fn unknown_prf_is_named_not_a_wrong_passphrase() {
        let md5 = ObjectIdentifier::new_unwrap("1.2.840.113549.2.5");
        let prf = [&[0x30u8, 0x0a][..], &md5.to_der().unwrap()[..]].concat();
        let der = build(Some(&prf), b"x", b"pw", Prf::Sha256);
        let e = EncryptedKey::parse(&der).unwrap_err().to_string();
        assert!(
            e.contains("unsupported PBKDF2 PRF 1.2.840.113549.2.5"),
            "{e}"
        );
    }
}
