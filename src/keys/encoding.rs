//! Key encodings: PKCS#8 (plain and PBES2-encrypted), SubjectPublicKeyInfo, PKCS#1 (read only),
//! and X9.42 DH (`dhpublicnumber`) for ElGamal, all as `openssl pkey` reads and writes them.

use const_oid::db::rfc5912;
use std::path::Path;

use der::asn1::{AnyRef, BitStringRef, Null, UintRef};
use der::{Decode, Encode, Sequence};
use num_bigint::BigUint;
use pkcs8::PrivateKeyInfo;
use rand_core::CryptoRngCore;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::elgamal::{ElGamalGroup, ElGamalPrivate, ElGamalPublic};
use super::rsa::{RsaPrivate, RsaPublic};
use super::{be_bytes, Key, PrivateKey, PublicKey};
use crate::io::armor::{decode_armor, encode_pem};
use crate::math::secret::SecretUint;
use crate::oids;
use crate::{Error, Result};

/// X9.42 DomainParameters ::= SEQUENCE { p INTEGER, g INTEGER, q INTEGER, j INTEGER OPTIONAL,
/// validationParms ValidationParms OPTIONAL } (RFC 3279 section 2.3.3).
#[derive(Sequence)]
struct DhDomainParameters<'a> {
    p: UintRef<'a>,
    g: UintRef<'a>,
    q: UintRef<'a>,
    #[asn1(optional = "true")]
    j: Option<UintRef<'a>>,
    #[asn1(optional = "true")]
    validation_parms: Option<AnyRef<'a>>,
}

/// How an encrypted PKCS#8 key derives its AES-256-CBC key from the passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    Pbkdf2 {
        iterations: u32,
    },
    /// scrypt with N = 2^log_n. openssl refuses more than 32 MiB by default, so the default is
    /// its own (N = 2^14, r = 8, p = 1).
    Scrypt {
        log_n: u8,
        r: u32,
        p: u32,
    },
}

impl Kdf {
    pub const DEFAULT_PBKDF2: Kdf = Kdf::Pbkdf2 {
        iterations: 600_000,
    };
    pub const DEFAULT_SCRYPT: Kdf = Kdf::Scrypt {
        log_n: 14,
        r: 8,
        p: 1,
    };
}

/// Encrypt a private key under a passphrase (PBES2, AES-256-CBC).
pub struct KeyEncryption {
    pub kdf: Kdf,
    pub passphrase: Zeroizing<String>,
}

fn uint(n: &BigUint, bytes: &mut Vec<Vec<u8>>) -> usize {
    bytes.push(be_bytes(n));
    bytes.len() - 1
}

/// The largest modulus or group prime kmi reads: bigger numbers only make every check slow.
pub const MAX_KEY_BITS: u64 = 16384;

fn bounded(what: &str, n: &BigUint) -> Result<()> {
    if n.bits() > MAX_KEY_BITS {
        return Err(Error::format(format!(
            "{what} has {} bits; kmi reads keys of at most {MAX_KEY_BITS} bits",
            n.bits()
        )));
    }
    Ok(())
}

fn to_biguint(u: UintRef<'_>) -> BigUint {
    BigUint::from_bytes_be(u.as_bytes())
}

// ---------------------------------------------------------------- encoding

fn rsa_pkcs1_private(k: &RsaPrivate) -> Result<Zeroizing<Vec<u8>>> {
    let parts: Vec<Zeroizing<Vec<u8>>> = [
        &k.public.n,
        &k.public.e,
        k.d.expose(),
        k.p.expose(),
        k.q.expose(),
        k.dp.expose(),
        k.dq.expose(),
        k.qinv.expose(),
    ]
    .iter()
    .map(|n| Zeroizing::new(be_bytes(n)))
    .collect();
    let u = |i: usize| UintRef::new(&parts[i]).map_err(Error::decoding("RSA integer"));
    let key = pkcs1::RsaPrivateKey {
        modulus: u(0)?,
        public_exponent: u(1)?,
        private_exponent: u(2)?,
        prime1: u(3)?,
        prime2: u(4)?,
        exponent1: u(5)?,
        exponent2: u(6)?,
        coefficient: u(7)?,
        other_prime_infos: None,
    };
    Ok(Zeroizing::new(
        key.to_der().map_err(Error::decoding("RSA private key"))?,
    ))
}

/// X9.42 DomainParameters DER (p, g, q): the parameters of a dhpublicnumber AlgorithmIdentifier.
pub fn dh_params_der(g: &ElGamalGroup) -> Result<Vec<u8>> {
    let mut b = Vec::new();
    let (p, gi, q) = (uint(&g.p, &mut b), uint(&g.g, &mut b), uint(&g.q, &mut b));
    let params = DhDomainParameters {
        p: UintRef::new(&b[p]).map_err(Error::decoding("p"))?,
        g: UintRef::new(&b[gi]).map_err(Error::decoding("g"))?,
        q: UintRef::new(&b[q]).map_err(Error::decoding("q"))?,
        j: None,
        validation_parms: None,
    };
    params.to_der().map_err(Error::decoding("DH parameters"))
}

fn integer_der(n: &BigUint) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = Zeroizing::new(be_bytes(n));
    Ok(Zeroizing::new(
        UintRef::new(&bytes)
            .and_then(|u| u.to_der())
            .map_err(Error::decoding("INTEGER"))?,
    ))
}

/// SubjectPublicKeyInfo DER.
pub fn encode_public_spki(key: &PublicKey) -> Result<Vec<u8>> {
    let null_der = Null.to_der().map_err(Error::decoding("NULL"))?;
    let (oid, params_der, key_der) = match key {
        PublicKey::Rsa(k) => {
            let (n, e) = (be_bytes(&k.n), be_bytes(&k.e));
            let pk = pkcs1::RsaPublicKey {
                modulus: UintRef::new(&n).map_err(Error::decoding("n"))?,
                public_exponent: UintRef::new(&e).map_err(Error::decoding("e"))?,
            };
            (
                rfc5912::RSA_ENCRYPTION,
                null_der,
                pk.to_der().map_err(Error::decoding("RSA public key"))?,
            )
        }
        PublicKey::ElGamal(k) => (
            rfc5912::DHPUBLICNUMBER,
            dh_params_der(&k.group)?,
            integer_der(&k.y)?.to_vec(),
        ),
    };
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid,
            parameters: Some(AnyRef::from_der(&params_der).map_err(Error::decoding("parameters"))?),
        },
        subject_public_key: BitStringRef::from_bytes(&key_der)
            .map_err(Error::decoding("key bits"))?,
    };
    spki.to_der()
        .map_err(Error::decoding("SubjectPublicKeyInfo"))
}

/// Unencrypted PKCS#8 PrivateKeyInfo DER.
pub fn encode_private_pkcs8(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
    let null_der = Null.to_der().map_err(Error::decoding("NULL"))?;
    let (oid, params_der, inner) = match key {
        PrivateKey::Rsa(k) => (rfc5912::RSA_ENCRYPTION, null_der, rsa_pkcs1_private(k)?),
        PrivateKey::ElGamal(k) => (
            rfc5912::DHPUBLICNUMBER,
            dh_params_der(&k.public.group)?,
            integer_der(k.x.expose())?,
        ),
    };
    let info = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef {
            oid,
            parameters: Some(AnyRef::from_der(&params_der).map_err(Error::decoding("parameters"))?),
        },
        private_key: &inner,
        public_key: None,
    };
    Ok(Zeroizing::new(
        info.to_der().map_err(Error::decoding("PrivateKeyInfo"))?,
    ))
}

/// A private key as file bytes: PKCS#8 PEM (or DER), encrypted when `encryption` is given.
pub fn encode_private(
    key: &PrivateKey,
    der_output: bool,
    encryption: Option<&KeyEncryption>,
    rng: &mut dyn CryptoRngCore,
) -> Result<Zeroizing<Vec<u8>>> {
    let plain = encode_private_pkcs8(key)?;
    let (label, der) = match encryption {
        None => ("PRIVATE KEY", plain),
        Some(enc) => {
            let mut salt = [0u8; 16];
            let mut iv = [0u8; 16];
            rng.fill_bytes(&mut salt);
            rng.fill_bytes(&mut iv);
            let params = match enc.kdf {
                Kdf::Pbkdf2 { iterations } => {
                    pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(iterations, &salt, &iv)
                }
                Kdf::Scrypt { log_n, r, p } => {
                    let sp = pkcs8::pkcs5::scrypt::Params::new(log_n, r, p, 32)
                        .map_err(|e| Error::invalid(format!("scrypt parameters: {e}")))?;
                    pkcs8::pkcs5::pbes2::Parameters::scrypt_aes256cbc(sp, &salt, &iv)
                }
            }
            .map_err(|e| Error::internal(format!("PBES2 parameters: {e}")))?;
            let info = PrivateKeyInfo::try_from(plain.as_slice())
                .map_err(|e| Error::internal(format!("PrivateKeyInfo: {e}")))?;
            let doc = info
                .encrypt_with_params(params, enc.passphrase.as_bytes())
                .map_err(|e| Error::internal(format!("encrypting the key failed: {e}")))?;
            (
                "ENCRYPTED PRIVATE KEY",
                Zeroizing::new(doc.as_bytes().to_vec()),
            )
        }
    };
    if der_output {
        Ok(der)
    } else {
        Ok(Zeroizing::new(encode_pem(label, &der)?.into_bytes()))
    }
}

/// A public key as file bytes: SubjectPublicKeyInfo PEM (or DER).
pub fn encode_public(key: &PublicKey, der_output: bool) -> Result<Vec<u8>> {
    let der = encode_public_spki(key)?;
    if der_output {
        Ok(der)
    } else {
        Ok(encode_pem("PUBLIC KEY", &der)?.into_bytes())
    }
}

// ---------------------------------------------------------------- decoding

/// Read any key kmi understands: PKCS#8 (plain or encrypted), SubjectPublicKeyInfo, PKCS#1 RSA
/// private or public, as PEM or DER. `passphrase` is asked only if the key is encrypted.
pub fn decode_key(
    bytes: &[u8],
    name: &Path,
    passphrase: &dyn Fn() -> Result<Zeroizing<String>>,
) -> Result<Key> {
    let armored = decode_armor(bytes).map_err(|e| e.in_file(name))?;
    let der = Zeroizing::new(armored.der);
    let result = match armored.label.as_deref() {
        Some("PRIVATE KEY") => decode_pkcs8(&der).map(Key::Private),
        Some("ENCRYPTED PRIVATE KEY") => decode_encrypted(&der, name, passphrase).map(Key::Private),
        Some("RSA PRIVATE KEY") => decode_pkcs1_private(&der).map(|k| Key::Private(PrivateKey::Rsa(k))),
        Some("PUBLIC KEY") => decode_spki(&der).map(Key::Public),
        Some("RSA PUBLIC KEY") => decode_pkcs1_public(&der).map(|k| Key::Public(PublicKey::Rsa(k))),
        Some("OPENSSH PRIVATE KEY") => Err(Error::format(
            "OpenSSH format: convert with ssh-keygen -p -m PKCS8 -f FILE (it rewrites FILE in place)",
        )),
        Some(other) => Err(Error::format(format!(
            "PEM label '{other}' is not a key (expected PRIVATE KEY, ENCRYPTED PRIVATE KEY, PUBLIC KEY, RSA PRIVATE KEY or RSA PUBLIC KEY)"
        ))),
        None => decode_der_any(&der, name, passphrase),
    };
    result.map_err(|e| e.in_file(name))
}

fn decode_der_any(
    der: &[u8],
    name: &Path,
    passphrase: &dyn Fn() -> Result<Zeroizing<String>>,
) -> Result<Key> {
    if PrivateKeyInfo::from_der(der).is_ok() {
        return decode_pkcs8(der).map(Key::Private);
    }
    if super::pbes2::is_encrypted_key_info(der) {
        return decode_encrypted(der, name, passphrase).map(Key::Private);
    }
    if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return decode_spki(der).map(Key::Public);
    }
    if pkcs1::RsaPrivateKey::from_der(der).is_ok() {
        return decode_pkcs1_private(der).map(|k| Key::Private(PrivateKey::Rsa(k)));
    }
    if pkcs1::RsaPublicKey::from_der(der).is_ok() {
        return decode_pkcs1_public(der).map(|k| Key::Public(PublicKey::Rsa(k)));
    }
    Err(Error::format(
        "DER is not a key (not PKCS#8, encrypted PKCS#8, SubjectPublicKeyInfo or PKCS#1)",
    ))
}

fn decode_encrypted(
    der: &[u8],
    name: &Path,
    passphrase: &dyn Fn() -> Result<Zeroizing<String>>,
) -> Result<PrivateKey> {
    // Everything the file chooses is read and its work checked before the passphrase is asked.
    let enc = super::pbes2::EncryptedKey::parse(der)?;
    enc.check_work()?;
    let pass = passphrase()?;
    let bad = || Error::BadPassphrase {
        path: name.to_path_buf(),
    };
    let plain = enc.decrypt(pass.as_bytes())?.ok_or_else(bad)?;
    // A wrong passphrase passes the padding check about once in 256 tries: what it yields is not
    // a PrivateKeyInfo, and that too is a wrong passphrase.
    if PrivateKeyInfo::from_der(&plain).is_err() {
        return Err(bad());
    }
    decode_pkcs8(&plain)
}

pub fn decode_pkcs8(der: &[u8]) -> Result<PrivateKey> {
    let info = PrivateKeyInfo::from_der(der).map_err(Error::decoding("PKCS#8 private key"))?;
    let oid = info.algorithm.oid;
    if oid == rfc5912::RSA_ENCRYPTION {
        decode_pkcs1_private(info.private_key).map(PrivateKey::Rsa)
    } else if oid == rfc5912::DHPUBLICNUMBER {
        let group = decode_dh_params(info.algorithm.parameters)?;
        let x = Zeroizing::new(
            UintRef::from_der(info.private_key)
                .map_err(Error::decoding("DH private value"))?
                .as_bytes()
                .to_vec(),
        );
        let x = SecretUint::new(BigUint::from_bytes_be(&x));
        if x.expose().bits() > group.p.bits() {
            return Err(Error::format("DH private value is larger than p"));
        }
        if group.p.bits() < 2 {
            return Err(Error::format("DH prime p is too small"));
        }
        let y =
            crate::math::modular::pow_mod_secret(&group.g, x.expose(), &group.p, group.q.bits());
        Ok(PrivateKey::ElGamal(ElGamalPrivate {
            public: ElGamalPublic { group, y },
            x,
        }))
    } else {
        Err(unsupported_algorithm(oid))
    }
}

fn unsupported_algorithm(oid: der::asn1::ObjectIdentifier) -> Error {
    if oid == oids::DH_KEY_AGREEMENT {
        Error::format("PKCS#3 DH key has no subgroup order q; use an X9.42 key (openssl genpkey -algorithm DHX)")
    } else {
        Error::format(format!(
            "unsupported key algorithm {oid} (kmi handles RSA and X9.42 DH/ElGamal)"
        ))
    }
}

/// The group in X9.42 DomainParameters (bounded sizes; not checked for primality here).
pub fn decode_dh_params(params: Option<AnyRef<'_>>) -> Result<ElGamalGroup> {
    let any = params.ok_or_else(|| Error::format("X9.42 key without domain parameters"))?;
    let dp: DhDomainParameters = any
        .decode_as()
        .map_err(Error::decoding("X9.42 domain parameters"))?;
    let group = ElGamalGroup {
        p: to_biguint(dp.p),
        q: to_biguint(dp.q),
        g: to_biguint(dp.g),
    };
    bounded("p", &group.p)?;
    bounded("q", &group.q)?;
    bounded("g", &group.g)?;
    Ok(group)
}

fn decode_pkcs1_private(der: &[u8]) -> Result<RsaPrivate> {
    let k = pkcs1::RsaPrivateKey::from_der(der).map_err(Error::decoding("RSA private key"))?;
    if k.other_prime_infos.is_some() {
        return Err(Error::format("multi-prime RSA keys are not supported"));
    }
    let secret = |u: UintRef<'_>| SecretUint::new(to_biguint(u));
    bounded("N", &to_biguint(k.modulus))?;
    bounded("e", &to_biguint(k.public_exponent))?;
    Ok(RsaPrivate {
        public: RsaPublic {
            n: to_biguint(k.modulus),
            e: to_biguint(k.public_exponent),
        },
        d: secret(k.private_exponent),
        p: secret(k.prime1),
        q: secret(k.prime2),
        dp: secret(k.exponent1),
        dq: secret(k.exponent2),
        qinv: secret(k.coefficient),
    })
}

fn decode_pkcs1_public(der: &[u8]) -> Result<RsaPublic> {
    let k = pkcs1::RsaPublicKey::from_der(der).map_err(Error::decoding("RSA public key"))?;
    bounded("N", &to_biguint(k.modulus))?;
    bounded("e", &to_biguint(k.public_exponent))?;
    Ok(RsaPublic {
        n: to_biguint(k.modulus),
        e: to_biguint(k.public_exponent),
    })
}

fn decode_spki(der: &[u8]) -> Result<PublicKey> {
    let spki =
        SubjectPublicKeyInfoRef::from_der(der).map_err(Error::decoding("SubjectPublicKeyInfo"))?;
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::format("public key BIT STRING has unused bits"))?;
    let oid = spki.algorithm.oid;
    if oid == rfc5912::RSA_ENCRYPTION {
        decode_pkcs1_public(bits).map(PublicKey::Rsa)
    } else if oid == rfc5912::DHPUBLICNUMBER {
        let group = decode_dh_params(spki.algorithm.parameters)?;
        let y = to_biguint(UintRef::from_der(bits).map_err(Error::decoding("DH public value"))?);
        bounded("y", &y)?;
        Ok(PublicKey::ElGamal(ElGamalPublic { group, y }))
    } else {
        Err(unsupported_algorithm(oid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::elgamal::NamedGroup;

    fn no_pass() -> Result<Zeroizing<String>> {
        panic!("no passphrase expected")
    }

    #[test]
    fn rsa_round_trips_through_pkcs8_and_spki() {
        let k = RsaPrivate::from_primes(1019u32.into(), 1187u32.into(), 3u32.into()).unwrap();
        let pk = PrivateKey::Rsa(k.clone());
        let mut rng = rand_core::OsRng;
        let pem = encode_private(&pk, false, None, &mut rng).unwrap();
        let back = decode_key(&pem, Path::new("k"), &no_pass).unwrap();
        match back {
            Key::Private(PrivateKey::Rsa(b)) => {
                assert_eq!(b.public, k.public);
                assert_eq!(b.d, k.d);
            }
            _ => panic!("wrong type"),
        }
        let spki = encode_public(&pk.public(), true).unwrap();
        let back = decode_key(&spki, Path::new("k"), &no_pass).unwrap();
        assert_eq!(back.public(), pk.public());
    }

    #[test]
    fn elgamal_round_trips() {
        let mut rng = rand_core::OsRng;
        let k = crate::keys::elgamal::generate_key(NamedGroup::Ffdhe2048.group(), &mut rng);
        let pk = PrivateKey::ElGamal(k);
        let der = encode_private(&pk, true, None, &mut rng).unwrap();
        let back = decode_key(&der, Path::new("k"), &no_pass).unwrap();
        assert_eq!(back.public(), pk.public());
    }

    #[test]
    fn encrypted_round_trip_and_wrong_passphrase() {
        let mut rng = rand_core::OsRng;
        let k = PrivateKey::Rsa(
            RsaPrivate::from_primes(1019u32.into(), 1187u32.into(), 3u32.into()).unwrap(),
        );
        let enc = KeyEncryption {
            kdf: Kdf::Pbkdf2 { iterations: 1000 },
            passphrase: Zeroizing::new("pw".into()),
        };
        let pem = encode_private(&k, false, Some(&enc), &mut rng).unwrap();
        assert!(std::str::from_utf8(&pem)
            .unwrap()
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        let good = || Ok(Zeroizing::new("pw".to_string()));
        let bad = || Ok(Zeroizing::new("nope".to_string()));
        assert_eq!(
            decode_key(&pem, Path::new("k"), &good).unwrap().public(),
            k.public()
        );
        assert!(matches!(
            decode_key(&pem, Path::new("k"), &bad),
            Err(Error::BadPassphrase { .. })
        ));
    }

    #[test]
    fn wrong_label_and_garbage_are_format_errors() {
        let pem = encode_pem("CERTIFICATE", &[0x30, 0x00]).unwrap();
        let e = decode_key(pem.as_bytes(), Path::new("c.pem"), &no_pass).unwrap_err();
        assert!(
            e.to_string().starts_with("c.pem: PEM label 'CERTIFICATE'"),
            "{e}"
        );
        assert!(decode_key(&[0x30, 0x03, 0x02, 0x01], Path::new("t"), &no_pass).is_err());
    }
}
