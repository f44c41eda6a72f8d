//! CMS EnvelopedData (RFC 5652 section 6) for encrypted shares and escrowed keys: write and open.
//! SignedData lives in [`signed`].
//!
//! Writing: AES-256-CBC content encryption under a fresh random key, with one RecipientInfo per
//! [`Recipient`]: KeyTransRecipientInfo with RSAES-OAEP-SHA256 (to a certificate, or to a bare
//! public key named by its key identifier) or PasswordRecipientInfo (PBKDF2-HMAC-SHA256 and
//! id-alg-PWRI-KEK with AES-256, RFC 3211; or id-aes256-wrap, RFC 3394, for CMC's shared-secret
//! shrouding). `openssl cms -decrypt` opens all but the last.
//!
//! Reading: DER, BER (indefinite lengths, constructed strings; see [`ber`]) or PEM ("CMS",
//! "PKCS7"); KTRI with RSAES-OAEP or PKCS#1 v1.5; PWRI with id-alg-PWRI-KEK or AES key wrap;
//! AES-128/192/256-CBC content.
//!
//! The `cms` crate (0.2.3) supplies the types; its builder is not used because it writes
//! PKCS#1 v1.5 only, no PWRI, and always id-data as the inner content type.
//!
//! CBC has no integrity: a changed ciphertext is detected only when the padding breaks. What kmi
//! envelopes (shares) carries its own consistency checks.

pub mod asn1;
pub mod ber;
pub mod ktri;
pub mod pwri;
pub mod signed;

use ::cms::content_info::{CmsVersion, ContentInfo};
use ::cms::enveloped_data::{EncryptedContentInfo, EnvelopedData, RecipientInfo, RecipientInfos};
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use rand_core::CryptoRngCore;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use zeroize::Zeroizing;

use crate::keys::RsaPrivate;
use crate::{Error, Result};
use asn1::*;

/// Who can open an envelope. (The certificate is held by value, as the interface asks; recipient
/// lists are short, so the large variant costs nothing that matters.)
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Recipient {
    /// KeyTransRecipientInfo, RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 / RFC 4055
    /// parameters), rid = issuerAndSerialNumber.
    Certificate(Certificate),
    /// KTRI to a bare RSA public key (SPKI DER): rid = subjectKeyIdentifier = SHA-1 of the
    /// subjectPublicKey BIT STRING contents (RFC 5280 section 4.2.1.2 method 1).
    PublicKey(Vec<u8>),
    /// PasswordRecipientInfo: PBKDF2-HMAC-SHA256 (random 16-byte salt, `iterations`) deriving a
    /// 32-byte KEK, key encryption id-alg-PWRI-KEK (RFC 3211) with AES-256-CBC.
    Passphrase {
        passphrase: Zeroizing<String>,
        iterations: u32,
    },
    /// PasswordRecipientInfo with PBKDF2-HMAC-SHA256 and id-aes256-wrap (RFC 3394 AES key wrap)
    /// as the key-encryption algorithm: the CMC archive draft's shared-secret shrouding. openssl
    /// 3.0 cannot open it (use [`Recipient::Passphrase`] for openssl peers).
    PassphraseKeyWrap {
        passphrase: Zeroizing<String>,
        iterations: u32,
    },
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recipient::Certificate(c) => write!(f, "Certificate({})", c.tbs_certificate.subject),
            Recipient::PublicKey(k) => write!(f, "PublicKey({} bytes)", k.len()),
            Recipient::Passphrase { iterations, .. } => {
                write!(f, "Passphrase {{ iterations: {iterations} }}")
            }
            Recipient::PassphraseKeyWrap { iterations, .. } => {
                write!(f, "PassphraseKeyWrap {{ iterations: {iterations} }}")
            }
        }
    }
}

/// What an opened envelope held.
pub struct Opened {
    /// encryptedContentInfo.contentType.
    pub content_type: ObjectIdentifier,
    pub content: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Opened {{ content_type: {}, content: {} bytes }}",
            self.content_type,
            self.content.len()
        )
    }
}

fn enc_err(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("CMS encoding failed: {e}"))
}

/// ContentInfo(EnvelopedData) DER: `plaintext` under AES-256-CBC with a fresh random key, one
/// RecipientInfo per recipient, inner content type `content_type` (e.g. id-kmi-ct-share or id-data).
pub fn envelope(
    plaintext: &[u8],
    content_type: ObjectIdentifier,
    recipients: &[Recipient],
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    if recipients.is_empty() {
        return Err(Error::usage("an envelope needs at least one recipient"));
    }
    let mut cek = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(cek.as_mut());
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut iv);

    let mut infos = Vec::with_capacity(recipients.len());
    for r in recipients {
        infos.push(match r {
            Recipient::Certificate(cert) => {
                let spki_der = ktri::cert_spki(cert)?;
                let spki = SubjectPublicKeyInfoRef::from_der(&spki_der)
                    .map_err(der_err("certificate public key"))?;
                let key = ktri::rsa_public_from_spki(spki)?;
                ktri::build(ktri::rid_for_cert(cert), &key, cek.as_ref(), rng)?
            }
            Recipient::PublicKey(der) => {
                let spki = SubjectPublicKeyInfoRef::from_der(der)
                    .map_err(der_err("recipient public key"))?;
                let id = ktri::key_identifier(&spki);
                let key = ktri::rsa_public_from_spki(spki)?;
                ktri::build(ktri::rid_for_key_id(id)?, &key, cek.as_ref(), rng)?
            }
            Recipient::Passphrase {
                passphrase,
                iterations,
            } => pwri::build(passphrase, *iterations, cek.as_ref(), rng)?,
            Recipient::PassphraseKeyWrap {
                passphrase,
                iterations,
            } => pwri::build_aes_kw(passphrase, *iterations, cek.as_ref(), rng)?,
        });
    }

    let ciphertext = cbc::Encryptor::<aes::Aes256>::new(cek.as_ref().into(), &iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let iv_os = OctetString::new(iv.to_vec()).map_err(enc_err)?;

    // RFC 5652 section 6.1: version 3 with any pwri; 0 when every RecipientInfo is version 0
    // (and no originatorInfo or unprotectedAttrs, which kmi never writes); else 2.
    let version = if infos.iter().any(|i| matches!(i, RecipientInfo::Pwri(_))) {
        CmsVersion::V3
    } else if infos
        .iter()
        .all(|i| matches!(i, RecipientInfo::Ktri(k) if k.version == CmsVersion::V0))
    {
        CmsVersion::V0
    } else {
        CmsVersion::V2
    };
    let ed = EnvelopedData {
        version,
        originator_info: None,
        recip_infos: RecipientInfos::try_from(infos).map_err(enc_err)?,
        encrypted_content: EncryptedContentInfo {
            content_type,
            content_enc_alg: alg_with(AES256_CBC, &iv_os)?,
            encrypted_content: Some(OctetString::new(ciphertext).map_err(enc_err)?),
        },
        unprotected_attrs: None,
    };
    let ci = ContentInfo {
        content_type: ID_ENVELOPED_DATA,
        content: Any::encode_from(&ed).map_err(enc_err)?,
    };
    ci.to_der().map_err(enc_err)
}

/// Parse an envelope from DER, BER or PEM ("CMS" / "PKCS7").
fn parse(input: &[u8]) -> Result<EnvelopedData> {
    let armored = crate::io::armor::decode_armor(input)?;
    if let Some(label) = armored.label.as_deref() {
        if label != "CMS" && label != "PKCS7" {
            return Err(Error::format(format!(
                "expected a CMS envelope, found PEM label \"{label}\""
            )));
        }
    }
    let der = ber::normalize_cms(&armored.der)?;
    let ci = ContentInfo::from_der(&der).map_err(der_err("malformed CMS ContentInfo"))?;
    if ci.content_type != ID_ENVELOPED_DATA {
        return Err(Error::format(format!(
            "not CMS EnvelopedData (content type {})",
            ci.content_type
        )));
    }
    ci.content
        .decode_as::<EnvelopedData>()
        .map_err(der_err("malformed CMS EnvelopedData"))
}

/// Decrypt the content with a candidate content-encryption key.
fn decrypt_content(eci: &EncryptedContentInfo, cek: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let alg: &AlgorithmIdentifierOwned = &eci.content_enc_alg;
    let iv: OctetString = params_as(alg, "content encryption algorithm")?;
    let iv = iv.as_bytes();
    let ct = eci
        .encrypted_content
        .as_ref()
        .ok_or_else(|| {
            Error::format(
                "the envelope has no encrypted content (detached content is not supported)",
            )
        })?
        .as_bytes();
    let bad_size = || Error::check("the content key has the wrong size for the content cipher");
    if iv.len() != 16 {
        return Err(Error::format("content encryption: the IV must be 16 bytes"));
    }
    macro_rules! dec {
        ($aes:ty) => {
            cbc::Decryptor::<$aes>::new_from_slices(cek, iv)
                .map_err(|_| bad_size())?
                .decrypt_padded_vec_mut::<Pkcs7>(ct)
        };
    }
    let out = match alg.oid {
        o if o == AES256_CBC => dec!(aes::Aes256),
        o if o == AES192_CBC => dec!(aes::Aes192),
        o if o == AES128_CBC => dec!(aes::Aes128),
        o => {
            return Err(Error::format(format!(
                "unsupported content encryption algorithm {o}"
            )))
        }
    };
    out.map(Zeroizing::new).map_err(|_| {
        Error::check("content decryption failed (wrong key, or the envelope was changed)")
    })
}

/// Try every KTRI with this RSA private key. With `cert`, only the KTRIs that name it (by issuer
/// and serial number or key identifier) are tried; without, all of them.
pub fn open_with_key(der: &[u8], key: &RsaPrivate, cert: Option<&Certificate>) -> Result<Opened> {
    let ed = parse(der)?;
    let private = key.to_rsa_crate()?;
    if let Some(cert) = cert {
        let spki_der = ktri::cert_spki(cert)?;
        let spki = SubjectPublicKeyInfoRef::from_der(&spki_der)
            .map_err(der_err("certificate public key"))?;
        if !ktri::same_public(&private, &ktri::rsa_public_from_spki(spki)?) {
            return Err(Error::check("the certificate does not belong to this key"));
        }
    }
    // Blinding for the RSA decryption; the OS RNG, as no caller-chosen stream is needed here.
    let mut rng = rand_core::OsRng;
    let mut candidates = 0;
    let mut last_err = None;
    for ri in ed.recip_infos.0.iter() {
        let RecipientInfo::Ktri(k) = ri else { continue };
        if let Some(cert) = cert {
            if !ktri::names_cert(k, cert) {
                continue;
            }
        }
        candidates += 1;
        let cek = match ktri::decrypt_cek(k, &private, &mut rng) {
            Ok(cek) => cek,
            Err(e) => {
                last_err = Some(e);
                continue;
            }
        };
        match decrypt_content(&ed.encrypted_content, &cek) {
            Ok(content) => {
                return Ok(Opened {
                    content_type: ed.encrypted_content.content_type,
                    content,
                })
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(match (candidates, last_err) {
        (0, _) if cert.is_some() => {
            Error::check("no recipient of this envelope names the certificate")
        }
        (0, _) => Error::check("the envelope has no key transport recipient"),
        (_, Some(e @ Error::Format(_))) => e,
        (1, Some(e)) if cert.is_some() => e,
        _ => Error::check("no recipient matches this key"),
    })
}

/// Try every PWRI with this passphrase; id-alg-PWRI-KEK (RFC 3211) and AES key wrap (RFC 3394)
/// are both read.
pub fn open_with_passphrase(der: &[u8], passphrase: &str) -> Result<Opened> {
    let ed = parse(der)?;
    let mut candidates = 0;
    let mut unsupported = None;
    for ri in ed.recip_infos.0.iter() {
        let RecipientInfo::Pwri(p) = ri else { continue };
        candidates += 1;
        let cek = match pwri::unwrap_cek(p, passphrase) {
            Ok(Some(cek)) => cek,
            Ok(None) => continue,
            Err(e) => {
                unsupported = Some(e);
                continue;
            }
        };
        if let Ok(content) = decrypt_content(&ed.encrypted_content, &cek) {
            return Ok(Opened {
                content_type: ed.encrypted_content.content_type,
                content,
            });
        }
    }
    Err(match (candidates, unsupported) {
        (0, _) => Error::check("the envelope has no passphrase recipient"),
        (1, Some(e)) => e,
        _ => Error::check("wrong passphrase or not a recipient"),
    })
}

/// A recipient from a file: a certificate, an SPKI public key ("PUBLIC KEY") or a PKCS#1 RSA
/// public key ("RSA PUBLIC KEY"), PEM or DER. The key must be RSA.
pub fn recipient_from_file_bytes(bytes: &[u8]) -> Result<Recipient> {
    let armored = crate::io::armor::decode_armor(bytes)?;
    let from_cert = |der: &[u8]| -> Result<Recipient> {
        let cert = Certificate::from_der(der).map_err(der_err("malformed certificate"))?;
        let spki_der = ktri::cert_spki(&cert)?;
        ktri::rsa_public_from_spki(
            SubjectPublicKeyInfoRef::from_der(&spki_der)
                .map_err(der_err("certificate public key"))?,
        )?;
        Ok(Recipient::Certificate(cert))
    };
    let from_spki = |der: &[u8]| -> Result<Recipient> {
        let spki =
            SubjectPublicKeyInfoRef::from_der(der).map_err(der_err("malformed public key"))?;
        ktri::rsa_public_from_spki(spki)?;
        Ok(Recipient::PublicKey(der.to_vec()))
    };
    match armored.label.as_deref() {
        Some("CERTIFICATE") | Some("X509 CERTIFICATE") => from_cert(&armored.der),
        Some("PUBLIC KEY") => from_spki(&armored.der),
        Some("RSA PUBLIC KEY") => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::pkcs8::EncodePublicKey;
            let key = rsa::RsaPublicKey::from_pkcs1_der(&armored.der)
                .map_err(|e| Error::format(format!("malformed RSA public key: {e}")))?;
            let spki = key
                .to_public_key_der()
                .map_err(|e| Error::internal(e.to_string()))?;
            Ok(Recipient::PublicKey(spki.as_bytes().to_vec()))
        }
        Some(other) => Err(Error::format(format!(
            "expected a certificate or a public key, found PEM label \"{other}\""
        ))),
        // DER: a Certificate's second element is a SEQUENCE, an SPKI's a BIT STRING.
        None => from_cert(&armored.der).or_else(|cert_err| {
            from_spki(&armored.der).map_err(|_| match cert_err {
                Error::Format(m) if m.contains("not RSA") => Error::Format(m),
                _ => Error::format("neither a certificate nor a public key"),
            })
        }),
    }
}

#[cfg(test)]
mod tests;
