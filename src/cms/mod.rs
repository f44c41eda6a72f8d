//! CMS EnvelopedData (RFC 5652 section 6) and AuthEnvelopedData (RFC 5083) for encrypted shares
//! and escrowed keys: write and open. SignedData lives in [`signed`].
//!
//! Writing: AES-256-CBC (EnvelopedData, [`envelope`]) or AES-256-GCM (AuthEnvelopedData,
//! [`envelope_with`]) content encryption under a fresh random key, with one RecipientInfo per
//! [`Recipient`]: KeyTransRecipientInfo with RSAES-OAEP-SHA256 (to a certificate, or to a bare
//! public key named by its key identifier) or PasswordRecipientInfo (PBKDF2-HMAC-SHA256 and
//! id-alg-PWRI-KEK with AES-256, RFC 3211; or id-aes256-wrap, RFC 3394, for CMC's shared-secret
//! shrouding). `openssl cms -decrypt` opens all but the last.
//!
//! Reading: DER, BER (indefinite lengths, constructed strings; see [`ber`]) or PEM ("CMS",
//! "PKCS7"); KTRI with RSAES-OAEP only (PKCS#1 v1.5 key transport is refused:
//! [`ktri::key_transport`]); PWRI with id-alg-PWRI-KEK or AES key wrap, within kmi's KDF limits
//! ([`crate::limits`]); AES-128/192/256-CBC or -GCM content.
//!
//! Opening with a key is two steps ([`KeyOpening`]): everything visible without the key is
//! checked first, with precise errors; after that every failure (RSA-OAEP, content key size,
//! padding, tag) is one outcome, [`Unopenable`], and costs the same work, so that a reader who
//! answers for others is no padding or Bleichenbacher oracle.
//!
//! The `cms` crate (0.2.3) supplies the types (AuthEnvelopedData is in [`auth_enveloped`]); its
//! builder is not used because it writes PKCS#1 v1.5 only, no PWRI, and always id-data as the
//! inner content type.
//!
//! CBC has no integrity: a changed ciphertext is detected only when the padding breaks. What kmi
//! envelopes as shares carries its own consistency checks; an escrowed key goes in
//! AuthEnvelopedData by default.

pub mod asn1;
pub mod auth_enveloped;
pub mod authenticated;
pub mod ber;
pub mod ktri;
pub mod pwri;
pub mod signed;

use ::cms::content_info::{CmsVersion, ContentInfo};
use ::cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KeyTransRecipientInfo, RecipientInfo, RecipientInfos,
};
use aes::cipher::block_padding::{NoPadding, Pkcs7};
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
use auth_enveloped::{AuthEnvelopedData, GcmParameters, AES256_GCM, ID_AUTH_ENVELOPED_DATA};

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

/// The content encryption of a new envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentCipher {
    /// EnvelopedData with AES-256-CBC (RFC 5652 section 6, RFC 3565): read by every CMS peer, but
    /// without integrity.
    Aes256Cbc,
    /// AuthEnvelopedData with AES-256-GCM (RFC 5083, RFC 5084): authenticated; `openssl cms`
    /// (3.0) and Bouncy Castle read it.
    Aes256Gcm,
}

/// ContentInfo(EnvelopedData) DER: `plaintext` under AES-256-CBC with a fresh random key, one
/// RecipientInfo per recipient, inner content type `content_type` (e.g. id-kmi-ct-share or id-data).
pub fn envelope(
    plaintext: &[u8],
    content_type: ObjectIdentifier,
    recipients: &[Recipient],
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    envelope_with(
        plaintext,
        content_type,
        recipients,
        ContentCipher::Aes256Cbc,
        rng,
    )
}

/// ContentInfo(EnvelopedData or AuthEnvelopedData) DER: `plaintext` under `cipher` with a fresh
/// random key, one RecipientInfo per recipient, inner content type `content_type`.
///
/// AuthEnvelopedData with a content type other than id-data carries authAttrs with the
/// content-type attribute (RFC 5083 section 2.1; Bouncy Castle insists). openssl 3.0 cannot parse
/// authAttrs in AuthEnvelopedData, so an envelope meant for openssl too uses id-data.
pub fn envelope_with(
    plaintext: &[u8],
    content_type: ObjectIdentifier,
    recipients: &[Recipient],
    cipher: ContentCipher,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    if recipients.is_empty() {
        return Err(Error::invalid("an envelope needs at least one recipient"));
    }
    let mut cek = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(cek.as_mut());

    let mut infos = Vec::with_capacity(recipients.len());
    for r in recipients {
        infos.push(match r {
            Recipient::Certificate(cert) => {
                let spki_der = ktri::cert_spki(cert)?;
                let spki = SubjectPublicKeyInfoRef::from_der(&spki_der)
                    .map_err(Error::decoding("certificate public key"))?;
                let key = ktri::rsa_public_from_spki(spki)?;
                ktri::build(ktri::rid_for_cert(cert), &key, cek.as_ref(), rng)?
            }
            Recipient::PublicKey(der) => {
                let spki = SubjectPublicKeyInfoRef::from_der(der)
                    .map_err(Error::decoding("recipient public key"))?;
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

    let (outer_type, content) = match cipher {
        ContentCipher::Aes256Cbc => {
            let mut iv = [0u8; 16];
            rng.fill_bytes(&mut iv);
            let ciphertext = cbc::Encryptor::<aes::Aes256>::new(cek.as_ref().into(), &iv.into())
                .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
            let iv_os = OctetString::new(iv.to_vec()).map_err(Error::encoding)?;
            // RFC 5652 section 6.1: version 3 with any pwri; 0 when every RecipientInfo is
            // version 0 (and no originatorInfo or unprotectedAttrs, which kmi never writes);
            // else 2.
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
                recip_infos: RecipientInfos::try_from(infos).map_err(Error::encoding)?,
                encrypted_content: EncryptedContentInfo {
                    content_type,
                    content_enc_alg: alg_with(AES256_CBC, &iv_os)?,
                    encrypted_content: Some(OctetString::new(ciphertext).map_err(Error::encoding)?),
                },
                unprotected_attrs: None,
            };
            (
                ID_ENVELOPED_DATA,
                Any::encode_from(&ed).map_err(Error::encoding)?,
            )
        }
        ContentCipher::Aes256Gcm => {
            let mut nonce = [0u8; auth_enveloped::GCM_NONCE_LEN];
            rng.fill_bytes(&mut nonce);
            // RFC 5083 section 2.1: authAttrs with the content type unless it is id-data.
            let auth_attrs = if content_type == ID_DATA {
                None
            } else {
                Some(auth_enveloped::content_type_attrs(content_type)?)
            };
            let aad = match &auth_attrs {
                Some(a) => a.to_der().map_err(Error::encoding)?,
                None => Vec::new(),
            };
            let (ciphertext, tag) =
                auth_enveloped::seal_aes256(cek.as_ref(), &nonce, &aad, plaintext)?;
            let params = GcmParameters {
                nonce: OctetString::new(nonce.to_vec()).map_err(Error::encoding)?,
                icv_len: auth_enveloped::GCM_TAG_LEN,
            };
            let aed = AuthEnvelopedData {
                // RFC 5083 section 2.1: always 0.
                version: CmsVersion::V0,
                originator_info: None,
                recip_infos: RecipientInfos::try_from(infos).map_err(Error::encoding)?,
                auth_encrypted_content: EncryptedContentInfo {
                    content_type,
                    content_enc_alg: alg_with(AES256_GCM, &params)?,
                    encrypted_content: Some(OctetString::new(ciphertext).map_err(Error::encoding)?),
                },
                auth_attrs,
                mac: OctetString::new(tag).map_err(Error::encoding)?,
                unauth_attrs: None,
            };
            (
                ID_AUTH_ENVELOPED_DATA,
                Any::encode_from(&aed).map_err(Error::encoding)?,
            )
        }
    };
    let ci = ContentInfo {
        content_type: outer_type,
        content,
    };
    ci.to_der().map_err(Error::encoding)
}

/// The encrypted content of an envelope with its cipher and parameters, read and checked before
/// any key is tried.
enum Sealed {
    /// AES-CBC with PKCS#7 padding (EnvelopedData).
    Cbc {
        key_len: usize,
        iv: [u8; 16],
        ciphertext: Vec<u8>,
    },
    /// AES-GCM (AuthEnvelopedData).
    Gcm {
        key_len: usize,
        nonce: [u8; auth_enveloped::GCM_NONCE_LEN],
        ciphertext: Vec<u8>,
        tag: Vec<u8>,
        aad: Vec<u8>,
    },
}

fn encrypted_bytes(eci: &EncryptedContentInfo) -> Result<Vec<u8>> {
    Ok(eci
        .encrypted_content
        .as_ref()
        .ok_or_else(|| {
            Error::format(
                "the envelope has no encrypted content (detached content is not supported)",
            )
        })?
        .as_bytes()
        .to_vec())
}

impl Sealed {
    /// EnvelopedData's content: AES-128/192/256-CBC, a 16-byte IV, whole blocks.
    fn cbc(eci: &EncryptedContentInfo) -> Result<Self> {
        let alg: &AlgorithmIdentifierOwned = &eci.content_enc_alg;
        let key_len = match alg.oid {
            o if o == AES256_CBC => 32,
            o if o == AES192_CBC => 24,
            o if o == AES128_CBC => 16,
            o if auth_enveloped::gcm_key_len(&o).is_some() => {
                return Err(Error::format(
                    "AES-GCM content belongs in AuthEnvelopedData (RFC 5084 section 3), not EnvelopedData",
                ))
            }
            o => {
                return Err(Error::format(format!(
                    "unsupported content encryption algorithm {o}"
                )))
            }
        };
        let iv: OctetString = params_as(alg, "content encryption algorithm")?;
        let iv: [u8; 16] = iv
            .as_bytes()
            .try_into()
            .map_err(|_| Error::format("content encryption: the IV must be 16 bytes"))?;
        let ciphertext = encrypted_bytes(eci)?;
        if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
            return Err(Error::format(
                "content encryption: the AES-CBC ciphertext is not a whole number of blocks",
            ));
        }
        Ok(Sealed::Cbc {
            key_len,
            iv,
            ciphertext,
        })
    }

    /// AuthEnvelopedData's content: AES-128/192/256-GCM with a 12-byte nonce and a 12..16-byte
    /// tag in `mac`, authenticating authAttrs (RFC 5083 section 2.2).
    fn gcm(aed: &AuthEnvelopedData) -> Result<Self> {
        let eci = &aed.auth_encrypted_content;
        let alg: &AlgorithmIdentifierOwned = &eci.content_enc_alg;
        let key_len = auth_enveloped::gcm_key_len(&alg.oid).ok_or_else(|| {
            Error::format(format!(
                "unsupported content encryption algorithm {} in AuthEnvelopedData (kmi reads AES-GCM)",
                alg.oid
            ))
        })?;
        let params: GcmParameters = params_as(alg, "AES-GCM")?;
        let nonce: [u8; auth_enveloped::GCM_NONCE_LEN] =
            params.nonce.as_bytes().try_into().map_err(|_| {
                Error::format(format!(
                    "AES-GCM: the nonce must be {} bytes",
                    auth_enveloped::GCM_NONCE_LEN
                ))
            })?;
        if !(12..=16).contains(&params.icv_len) {
            return Err(Error::format(format!(
                "AES-GCM: tag length {} is not 12 to 16 (RFC 5084 section 3.2)",
                params.icv_len
            )));
        }
        let tag = aed.mac.as_bytes().to_vec();
        if tag.len() != usize::from(params.icv_len) {
            return Err(Error::format(format!(
                "AES-GCM: the mac is {} bytes, the parameters say {}",
                tag.len(),
                params.icv_len
            )));
        }
        // RFC 5083 section 2.2: the AAD is the DER of authAttrs under a SET OF tag. A
        // content-type attribute there must name the content type (it is what the tag covers).
        let aad = match &aed.auth_attrs {
            Some(attrs) => {
                if let Some(ct) = auth_enveloped::attrs_content_type(attrs)? {
                    if ct != eci.content_type {
                        return Err(Error::format(format!(
                            "AuthEnvelopedData: authAttrs name content type {ct}, the content is {}",
                            eci.content_type
                        )));
                    }
                }
                attrs.to_der().map_err(Error::decoding("authAttrs"))?
            }
            None => Vec::new(),
        };
        Ok(Sealed::Gcm {
            key_len,
            nonce,
            ciphertext: encrypted_bytes(eci)?,
            tag,
            aad,
        })
    }

    fn key_len(&self) -> usize {
        match self {
            Sealed::Cbc { key_len, .. } | Sealed::Gcm { key_len, .. } => *key_len,
        }
    }

    /// Decrypt with a content-encryption key of [`Sealed::key_len`] bytes: the plaintext, or
    /// `None` (bad padding, bad tag) with no reason. CBC decrypts every block and checks the
    /// padding without branching on it ([`ct_unpad`]).
    fn open(&self, cek: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            Sealed::Cbc {
                key_len,
                iv,
                ciphertext,
            } => {
                if cek.len() != *key_len {
                    return None;
                }
                let mut buf = Zeroizing::new(ciphertext.clone());
                macro_rules! dec {
                    ($aes:ty) => {
                        cbc::Decryptor::<$aes>::new_from_slices(cek, iv)
                            .ok()?
                            .decrypt_padded_mut::<NoPadding>(buf.as_mut())
                            .ok()?
                    };
                }
                let _ = match key_len {
                    16 => dec!(aes::Aes128),
                    24 => dec!(aes::Aes192),
                    _ => dec!(aes::Aes256),
                };
                let (len, ok) = ct_unpad(&buf);
                if bool::from(ok) {
                    buf.truncate(len);
                    Some(buf)
                } else {
                    None
                }
            }
            Sealed::Gcm {
                nonce,
                ciphertext,
                tag,
                aad,
                ..
            } => auth_enveloped::open(cek, nonce, aad, ciphertext, tag),
        }
    }
}

/// PKCS#7 unpadding of whole AES blocks without a data-dependent branch: the unpadded length and
/// whether the padding was valid (1..=16 bytes, each equal to the count).
fn ct_unpad(buf: &[u8]) -> (usize, subtle::Choice) {
    use subtle::{ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater, ConstantTimeLess};
    let n = buf.len();
    if n < 16 {
        return (0, subtle::Choice::from(0));
    }
    let last = &buf[n - 16..];
    let pad = last[15];
    let mut ok = !pad.ct_eq(&0) & !pad.ct_gt(&16);
    for (i, b) in last.iter().enumerate() {
        // Byte i of the last block is padding when i >= 16 - pad.
        let in_pad = !(i as u8).ct_lt(&16u8.wrapping_sub(pad));
        ok &= !in_pad | b.ct_eq(&pad);
    }
    let len = n - usize::from(u8::conditional_select(&0, &pad, ok));
    (len, ok)
}

/// A parsed envelope of either kind.
struct Envelope {
    recipients: Vec<RecipientInfo>,
    content_type: ObjectIdentifier,
    sealed: Sealed,
}

/// Parse an envelope from DER, BER or PEM ("CMS" / "PKCS7"): EnvelopedData or AuthEnvelopedData,
/// with no more than [`crate::limits::MAX_ENVELOPE_RECIPIENTS`] recipients.
fn parse(input: &[u8]) -> Result<Envelope> {
    let armored = crate::io::armor::decode_armor(input)?;
    if let Some(label) = armored.label.as_deref() {
        if label != "CMS" && label != "PKCS7" {
            return Err(Error::format(format!(
                "expected a CMS envelope, found PEM label \"{label}\""
            )));
        }
    }
    let der = ber::normalize_cms(&armored.der)?;
    let ci = ContentInfo::from_der(&der).map_err(Error::decoding("malformed CMS ContentInfo"))?;
    let (recip_infos, content_type, sealed) = if ci.content_type == ID_ENVELOPED_DATA {
        let ed = ci
            .content
            .decode_as::<EnvelopedData>()
            .map_err(Error::decoding("malformed CMS EnvelopedData"))?;
        let sealed = Sealed::cbc(&ed.encrypted_content)?;
        (ed.recip_infos, ed.encrypted_content.content_type, sealed)
    } else if ci.content_type == ID_AUTH_ENVELOPED_DATA {
        let aed = ci
            .content
            .decode_as::<AuthEnvelopedData>()
            .map_err(Error::decoding("malformed CMS AuthEnvelopedData"))?;
        let sealed = Sealed::gcm(&aed)?;
        (
            aed.recip_infos,
            aed.auth_encrypted_content.content_type,
            sealed,
        )
    } else {
        return Err(Error::format(format!(
            "not CMS EnvelopedData or AuthEnvelopedData (content type {})",
            ci.content_type
        )));
    };
    let recipients = recip_infos.0.into_vec();
    if recipients.len() > crate::limits::MAX_ENVELOPE_RECIPIENTS {
        return Err(Error::format(format!(
            "the envelope has {} recipients; kmi reads at most {}",
            recipients.len(),
            crate::limits::MAX_ENVELOPE_RECIPIENTS
        )));
    }
    Ok(Envelope {
        recipients,
        content_type,
        sealed,
    })
}

/// What an envelope shows without being opened (`kmi share inspect`): the type of what it
/// holds, its content cipher and who can open it.
#[derive(Debug, Clone)]
pub struct EnvelopeSummary {
    pub content_type: ObjectIdentifier,
    /// "AES-256-CBC (EnvelopedData)" or "AES-256-GCM (AuthEnvelopedData)" (other key sizes named).
    pub cipher: String,
    /// One line per RecipientInfo: a certificate's issuer and serial number, a key identifier,
    /// or a passphrase.
    pub recipients: Vec<String>,
}

/// Read an envelope's outside (see [`EnvelopeSummary`]); nothing is decrypted.
pub fn summary(input: &[u8]) -> Result<EnvelopeSummary> {
    use cms::enveloped_data::RecipientIdentifier;
    let env = parse(input)?;
    let cipher = match &env.sealed {
        Sealed::Cbc { key_len, .. } => format!("AES-{}-CBC (EnvelopedData)", key_len * 8),
        Sealed::Gcm { key_len, .. } => format!("AES-{}-GCM (AuthEnvelopedData)", key_len * 8),
    };
    let recipients = env
        .recipients
        .iter()
        .map(|ri| match ri {
            RecipientInfo::Ktri(k) => match &k.rid {
                RecipientIdentifier::IssuerAndSerialNumber(ias) => format!(
                    "key transport to the certificate of \"{}\" serial {}",
                    ias.issuer,
                    hex::encode(ias.serial_number.as_bytes())
                ),
                RecipientIdentifier::SubjectKeyIdentifier(ski) => format!(
                    "key transport to the key with identifier {}",
                    hex::encode(ski.0.as_bytes())
                ),
            },
            RecipientInfo::Pwri(_) => "passphrase (PasswordRecipientInfo)".to_string(),
            RecipientInfo::Kari(_) => "key agreement (not read by kmi)".to_string(),
            RecipientInfo::Kekri(_) => "previously distributed key (not read by kmi)".to_string(),
            RecipientInfo::Ori(_) => "other recipient type (not read by kmi)".to_string(),
        })
        .collect();
    Ok(EnvelopeSummary {
        content_type: env.content_type,
        cipher,
        recipients,
    })
}

/// What [`KeyOpening::open`] says when the envelope does not open: nothing more. Whether the
/// RSA-OAEP decryption, the key length, the padding or the tag failed is not told, so that a
/// reader that answers for others (the escrow agent) is no oracle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unopenable;

impl std::fmt::Display for Unopenable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(UNOPENABLE)
    }
}

/// The one message for an envelope that a key does not open.
pub const UNOPENABLE: &str =
    "the envelope does not open with this key (not a recipient, or the envelope was changed)";

/// An envelope read and checked for opening with an RSA private key, in two steps. [`prepare`]
/// checks everything an attacker can see anyway (the structure, the algorithms, that the key
/// transport is RSA-OAEP, which recipients name the key) and says exactly what is wrong;
/// [`KeyOpening::open`] then decrypts with one outcome for every failure ([`Unopenable`]).
///
/// [`prepare`]: KeyOpening::prepare
pub struct KeyOpening {
    content_type: ObjectIdentifier,
    candidates: Vec<(KeyTransRecipientInfo, ktri::OaepParams)>,
    sealed: Sealed,
    private: rsa::RsaPrivateKey,
}

impl KeyOpening {
    /// Read `der` for `key`. With `cert`, only the KTRIs that name it (by issuer and serial
    /// number or key identifier) are candidates; without, every KTRI is. A candidate whose key
    /// transport is not RSA-OAEP (PKCS#1 v1.5 included: [`ktri::key_transport`]) is never
    /// decrypted; when no candidate is left the envelope is refused with the reason.
    pub fn prepare(der: &[u8], key: &RsaPrivate, cert: Option<&Certificate>) -> Result<Self> {
        let env = parse(der)?;
        let private = key.to_rsa_crate()?;
        if let Some(cert) = cert {
            let spki_der = ktri::cert_spki(cert)?;
            let spki = SubjectPublicKeyInfoRef::from_der(&spki_der)
                .map_err(Error::decoding("certificate public key"))?;
            if !ktri::same_public(&private, &ktri::rsa_public_from_spki(spki)?) {
                return Err(Error::check("the certificate does not belong to this key"));
            }
        }
        let mut named = 0;
        let mut refused = None;
        let mut candidates = Vec::new();
        for ri in env.recipients {
            let RecipientInfo::Ktri(k) = ri else { continue };
            if let Some(cert) = cert {
                if !ktri::names_cert(&k, cert) {
                    continue;
                }
            }
            named += 1;
            match ktri::key_transport(&k.key_enc_alg) {
                Ok(params) => candidates.push((k, params)),
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
        }
        if candidates.is_empty() {
            return Err(match (named, refused) {
                (_, Some(e)) => e,
                _ if cert.is_some() => {
                    Error::check("no recipient of this envelope names the certificate")
                }
                _ => Error::check("the envelope has no key transport recipient"),
            });
        }
        Ok(KeyOpening {
            content_type: env.content_type,
            candidates,
            sealed: env.sealed,
            private,
        })
    }

    /// encryptedContentInfo.contentType: the type of the plaintext, readable before opening.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// Decrypt. Every candidate costs the same work whether its RSA-OAEP decryption succeeds or
    /// not: a failed decryption (or a content key of the wrong size) is replaced by a random key
    /// and the content decryption still runs, and the outcome is decided at the end; so neither
    /// the answer nor the time taken says which step failed.
    pub fn open(&self) -> std::result::Result<Opened, Unopenable> {
        // Blinding for the RSA decryption and the stand-in keys; the OS RNG, as no caller-chosen
        // stream is needed here.
        use rand_core::RngCore;
        let mut rng = rand_core::OsRng;
        for (k, params) in &self.candidates {
            let cek = ktri::decrypt_cek(k, *params, &self.private, &mut rng);
            let rsa_ok = cek
                .as_ref()
                .is_some_and(|c| c.len() == self.sealed.key_len());
            let cek = match cek {
                Some(c) if rsa_ok => c,
                _ => {
                    let mut stand_in = Zeroizing::new(vec![0u8; self.sealed.key_len()]);
                    rng.fill_bytes(stand_in.as_mut());
                    stand_in
                }
            };
            let content = self.sealed.open(&cek);
            if let (true, Some(content)) = (rsa_ok, content) {
                return Ok(Opened {
                    content_type: self.content_type,
                    content,
                });
            }
        }
        Err(Unopenable)
    }
}

/// Try every KTRI with this RSA private key. With `cert`, only the KTRIs that name it (by issuer
/// and serial number or key identifier) are tried; without, all of them. Whatever fails once
/// decryption has started is one error ([`UNOPENABLE`]).
pub fn open_with_key(der: &[u8], key: &RsaPrivate, cert: Option<&Certificate>) -> Result<Opened> {
    KeyOpening::prepare(der, key, cert)?
        .open()
        .map_err(|_| Error::check(UNOPENABLE))
}

/// Try every PWRI with this passphrase; id-alg-PWRI-KEK (RFC 3211) and AES key wrap (RFC 3394)
/// are both read. The envelope's key-derivation work is bounded before anything is derived: at
/// most [`crate::limits::MAX_PWRI_RECIPIENTS`] password recipients, each within
/// [`crate::limits::MAX_PBKDF2_ITERATIONS`], their summed work charged to the command's budget
/// ([`crate::limits::charge_kdf_work`]); `--allow-slow-kdf` lifts the last two.
pub fn open_with_passphrase(der: &[u8], passphrase: &str) -> Result<Opened> {
    let env = parse(der)?;
    let pwris: Vec<&::cms::enveloped_data::PasswordRecipientInfo> = env
        .recipients
        .iter()
        .filter_map(|ri| match ri {
            RecipientInfo::Pwri(p) => Some(p),
            _ => None,
        })
        .collect();
    if pwris.is_empty() {
        return Err(Error::check("the envelope has no passphrase recipient"));
    }
    if pwris.len() > crate::limits::MAX_PWRI_RECIPIENTS {
        return Err(Error::format(format!(
            "the envelope has {} password recipients; kmi reads at most {}",
            pwris.len(),
            crate::limits::MAX_PWRI_RECIPIENTS
        )));
    }
    // Read every PWRI's parameters first: one kmi cannot read is skipped when another can be
    // tried, and one over the iteration limit refuses the envelope.
    let mut prepared = Vec::with_capacity(pwris.len());
    let mut unreadable = None;
    for p in pwris {
        match pwri::PreparedPwri::new(p) {
            Ok(pp) => prepared.push(pp),
            Err(e) => {
                unreadable.get_or_insert(e);
            }
        }
    }
    if prepared.is_empty() {
        return Err(
            unreadable.unwrap_or_else(|| Error::check("wrong passphrase or not a recipient"))
        );
    }
    for pp in &prepared {
        pp.check_limits()?;
    }
    let work = prepared.iter().map(|p| p.work()).sum();
    crate::limits::charge_kdf_work(work, "the envelope")?;
    for pp in &prepared {
        let Some(cek) = pp.unwrap(passphrase) else {
            continue;
        };
        if let Some(content) = env.sealed.open(&cek) {
            return Ok(Opened {
                content_type: env.content_type,
                content,
            });
        }
    }
    Err(Error::check("wrong passphrase or not a recipient"))
}

/// A recipient from a file: a certificate, an SPKI public key ("PUBLIC KEY") or a PKCS#1 RSA
/// public key ("RSA PUBLIC KEY"), PEM or DER. The key must be RSA.
pub fn recipient_from_file_bytes(bytes: &[u8]) -> Result<Recipient> {
    let armored = crate::io::armor::decode_armor(bytes)?;
    let from_cert = |der: &[u8]| -> Result<Recipient> {
        let cert = Certificate::from_der(der).map_err(Error::decoding("malformed certificate"))?;
        let spki_der = ktri::cert_spki(&cert)?;
        ktri::rsa_public_from_spki(
            SubjectPublicKeyInfoRef::from_der(&spki_der)
                .map_err(Error::decoding("certificate public key"))?,
        )?;
        Ok(Recipient::Certificate(cert))
    };
    let from_spki = |der: &[u8]| -> Result<Recipient> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(Error::decoding("malformed public key"))?;
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
