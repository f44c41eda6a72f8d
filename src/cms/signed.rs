//! CMS SignedData (RFC 5652 section 5) with one RSA PKCS#1 v1.5 signer: write and verify.
//!
//! Shared by CMC (a Full PKI Request is SignedData over PKIData, with id-aa-cmc-unsignedData
//! as an unsigned attribute) and CCM (a JAR's signature block is detached SignedData over the
//! .SF file). Writing is split in two, [`SignedDataSpec::signed_bytes`] and
//! [`SignedDataSpec::assemble`], so a signature can come from somewhere other than a whole key:
//! k trustees' partial signatures combined by `kmi share combine --sign`.
//!
//! Without signed attributes the signature is over the content itself (what openssl's -noattr and
//! a threshold signature over a file produce); with them, over the DER of the SET OF attributes
//! (content-type and message-digest; no signing time, so the same inputs give the same bytes).

use ::cms::cert::IssuerAndSerialNumber;
use ::cms::content_info::{CmsVersion, ContentInfo};
use ::cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoRef;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::Certificate;

use super::asn1::*;
use super::ktri::{cert_ski, cert_spki, key_identifier, rsa_public_from_spki};
use crate::keys::rsa::SigHash;
use crate::keys::RsaPrivate;
use crate::{Error, Result};

/// id-contentType and id-messageDigest signed attributes (RFC 5652 section 11).
pub use const_oid::db::rfc5911::ID_CONTENT_TYPE;
pub use const_oid::db::rfc5911::ID_MESSAGE_DIGEST;
/// id-signedData (RFC 5652 section 5.1).
pub use const_oid::db::rfc5911::ID_SIGNED_DATA;

/// Everything a SignedData needs except the signature.
#[derive(Clone)]
pub struct SignedDataSpec {
    pub content_type: Oid,
    pub content: Vec<u8>,
    /// Leave the content out (eContent absent), as a JAR signature block does.
    pub detached: bool,
    /// Sign content-type and message-digest attributes instead of the content itself.
    pub signed_attributes: bool,
    /// Certificates to include (the signer's first).
    pub certificates: Vec<Certificate>,
    pub sid: SignerIdentifier,
    pub unsigned_attributes: Vec<Attribute>,
}

/// The signer named by its certificate's issuer and serial number.
pub fn sid_for_cert(cert: &Certificate) -> SignerIdentifier {
    SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// The signer named by a key identifier (RFC 5280 method 1 over its SPKI), for a key that has no
/// certificate yet (a CMC request signed by the key being enrolled).
pub fn sid_for_spki(spki_der: &[u8]) -> Result<SignerIdentifier> {
    let spki =
        SubjectPublicKeyInfoRef::from_der(spki_der).map_err(Error::decoding("public key"))?;
    let os = OctetString::new(key_identifier(&spki)).map_err(Error::encoding)?;
    Ok(SignerIdentifier::SubjectKeyIdentifier(
        SubjectKeyIdentifier(os),
    ))
}

fn internal(e: der::Error) -> Error {
    Error::internal(format!("SignedData encoding: {e}"))
}

impl SignedDataSpec {
    fn signed_attrs(&self) -> Result<Option<SetOfVec<Attribute>>> {
        if !self.signed_attributes {
            return Ok(None);
        }
        let one = |oid: Oid, value: AttributeValue| -> Result<Attribute> {
            let mut values = SetOfVec::new();
            values.insert(value).map_err(internal)?;
            Ok(Attribute { oid, values })
        };
        let digest = OctetString::new(Sha256::digest(&self.content).to_vec()).map_err(internal)?;
        let mut attrs = SetOfVec::new();
        attrs
            .insert(one(
                ID_CONTENT_TYPE,
                Any::encode_from(&self.content_type).map_err(internal)?,
            )?)
            .map_err(internal)?;
        attrs
            .insert(one(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&digest).map_err(internal)?,
            )?)
            .map_err(internal)?;
        Ok(Some(attrs))
    }

    /// The bytes the signer's RSASSA-PKCS1-v1_5 SHA-256 signature is computed over.
    pub fn signed_bytes(&self) -> Result<Vec<u8>> {
        match self.signed_attrs()? {
            Some(attrs) => attrs.to_der().map_err(internal),
            None => Ok(self.content.clone()),
        }
    }

    /// The ContentInfo(SignedData) DER around `signature`.
    pub fn assemble(&self, signature: &[u8]) -> Result<Vec<u8>> {
        let ski_signer = matches!(self.sid, SignerIdentifier::SubjectKeyIdentifier(_));
        let signer = SignerInfo {
            version: if ski_signer {
                CmsVersion::V3
            } else {
                CmsVersion::V1
            },
            sid: self.sid.clone(),
            digest_alg: alg(ID_SHA_256),
            signed_attrs: self.signed_attrs()?,
            signature_algorithm: alg_with(RSA_ENCRYPTION, &der::asn1::Null)?,
            signature: OctetString::new(signature.to_vec()).map_err(internal)?,
            unsigned_attrs: if self.unsigned_attributes.is_empty() {
                None
            } else {
                let mut set = SetOfVec::new();
                for a in &self.unsigned_attributes {
                    set.insert(a.clone()).map_err(internal)?;
                }
                Some(set)
            },
        };
        let mut digest_algorithms = SetOfVec::new();
        digest_algorithms
            .insert(alg(ID_SHA_256))
            .map_err(internal)?;
        let certificates = if self.certificates.is_empty() {
            None
        } else {
            let mut set = SetOfVec::new();
            for c in &self.certificates {
                set.insert(::cms::cert::CertificateChoices::Certificate(c.clone()))
                    .map_err(internal)?;
            }
            Some(CertificateSet(set))
        };
        let mut signer_infos = SetOfVec::new();
        signer_infos.insert(signer).map_err(internal)?;
        // RFC 5652 5.1: version 3 when eContentType is not id-data or a signer is named by key id.
        let version = if self.content_type != ID_DATA || ski_signer {
            CmsVersion::V3
        } else {
            CmsVersion::V1
        };
        let sd = SignedData {
            version,
            digest_algorithms,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: self.content_type,
                econtent: if self.detached {
                    None
                } else {
                    Some(
                        Any::encode_from(
                            &OctetString::new(self.content.clone()).map_err(internal)?,
                        )
                        .map_err(internal)?,
                    )
                },
            },
            certificates,
            crls: None,
            signer_infos: SignerInfos(signer_infos),
        };
        ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&sd).map_err(internal)?,
        }
        .to_der()
        .map_err(internal)
    }

    /// Sign with a whole RSA key.
    pub fn sign(&self, key: &RsaPrivate) -> Result<Vec<u8>> {
        let hash = SigHash::Sha256;
        let signature = key
            .to_rsa_crate()?
            .sign(hash.padding(), &hash.digest(&self.signed_bytes()?))
            .map_err(|e| Error::internal(format!("RSA signature: {e}")))?;
        self.assemble(&signature)
    }
}

/// A parsed SignedData message.
#[derive(Clone, Debug)]
pub struct SignedMessage {
    pub signed_data: SignedData,
}

/// How one signer's signature checked out.
#[derive(Clone, Debug)]
pub struct SignerCheck {
    /// The signer identifier in words: issuer and serial, or the key identifier in hex.
    pub sid: String,
    /// The certificate the signer was matched to, when one was found.
    pub certificate: Option<Certificate>,
    /// Ok, or why the signature does not verify.
    pub outcome: std::result::Result<(), SignerProblem>,
}

/// Why one signer's signature does not verify (RFC 5652 section 5.6). Display gives the
/// one-line reason kmi prints.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignerProblem {
    #[error("no certificate or public key for this signer")]
    NoKey,
    #[error("digest algorithm {0} has parameters")]
    DigestParameters(Oid),
    #[error("digest algorithm {0} is not supported (SHA-256, SHA-384, SHA-512)")]
    UnsupportedDigest(Oid),
    #[error("signature algorithm {0} is not RSA PKCS#1 v1.5 with the signer's digest")]
    SignatureAlgorithm(Oid),
    #[error("signed attribute {0} is missing or repeated")]
    AttributeCount(Oid),
    /// A signed attribute (named) that does not decode, with der's reason.
    #[error("{0}: {1}")]
    AttributeMalformed(&'static str, String),
    #[error("the content does not match the signed message digest")]
    DigestMismatch,
    #[error("the signed content-type attribute disagrees with eContentType")]
    ContentTypeMismatch,
    /// The signer's public key is not a usable RSA key.
    #[error("{0}")]
    BadKey(String),
    #[error("the signature does not verify")]
    BadSignature,
}

/// Parse ContentInfo(SignedData) from DER, BER or PEM ("CMS", "PKCS7").
pub fn parse_signed(bytes: &[u8]) -> Result<SignedMessage> {
    let armored = crate::io::armor::decode_armor(bytes)?;
    if let Some(label) = armored.label.as_deref() {
        if label != "CMS" && label != "PKCS7" {
            return Err(Error::format(format!(
                "expected a CMS message, found PEM label \"{label}\""
            )));
        }
    }
    let der = super::ber::normalize(&armored.der)?;
    let ci = ContentInfo::from_der(&der).map_err(Error::decoding("malformed CMS ContentInfo"))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(Error::format(format!(
            "the CMS content type is {}, not SignedData",
            ci.content_type
        )));
    }
    let signed_data = ci
        .content
        .decode_as::<SignedData>()
        .map_err(Error::decoding("malformed SignedData"))?;
    Ok(SignedMessage { signed_data })
}

/// The signer identifier in words.
pub fn describe_sid(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => format!(
            "issuer \"{}\" serial {}",
            ias.issuer,
            hex::encode(ias.serial_number.as_bytes())
        ),
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            format!("key id {}", hex::encode(ski.0.as_bytes()))
        }
    }
}

fn cert_matches(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == cert.tbs_certificate.issuer
                && ias.serial_number == cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert_ski(cert).as_deref() == Some(ski.0.as_bytes())
                || cert_spki(cert)
                    .ok()
                    .and_then(|d| {
                        SubjectPublicKeyInfoRef::from_der(&d)
                            .ok()
                            .map(|s| key_identifier(&s) == ski.0.as_bytes())
                    })
                    .unwrap_or(false)
        }
    }
}

/// The signer's digest algorithm: SHA-256/384/512 with absent or NULL parameters.
fn digest_of(alg: &spki::AlgorithmIdentifierOwned) -> std::result::Result<SigHash, SignerProblem> {
    if !hash_params_ok(alg) {
        return Err(SignerProblem::DigestParameters(alg.oid));
    }
    SigHash::from_digest_oid(&alg.oid).ok_or(SignerProblem::UnsupportedDigest(alg.oid))
}

impl SignedMessage {
    /// The encapsulated content type.
    pub fn content_type(&self) -> Oid {
        self.signed_data.encap_content_info.econtent_type
    }

    /// The encapsulated content's octets, or None when the signature is detached.
    pub fn content(&self) -> Result<Option<Vec<u8>>> {
        match &self.signed_data.encap_content_info.econtent {
            None => Ok(None),
            Some(any) => any
                .decode_as::<OctetString>()
                .map(|o| Some(o.as_bytes().to_vec()))
                .map_err(Error::decoding("eContent is not an OCTET STRING")),
        }
    }

    /// The certificates the message carries.
    pub fn certificates(&self) -> Vec<Certificate> {
        self.signed_data
            .certificates
            .as_ref()
            .map(|set| {
                set.0
                    .iter()
                    .filter_map(|c| match c {
                        ::cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Check every signer's signature over `detached` (when the content is not encapsulated).
    /// Signers are matched to the message's certificates, then to `extra_certs`, then (by key
    /// identifier) to `extra_spkis`: the public key of a request signed by the key it enrolls.
    pub fn verify(
        &self,
        detached: Option<&[u8]>,
        extra_certs: &[Certificate],
        extra_spkis: &[Vec<u8>],
    ) -> Result<Vec<SignerCheck>> {
        let content = match (self.content()?, detached) {
            (Some(c), None) => c,
            (None, Some(d)) => d.to_vec(),
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "the message carries its content; no detached content is needed",
                ))
            }
            (None, None) => {
                return Err(Error::invalid(
                    "the signature is detached: the signed content is needed to verify it",
                ))
            }
        };
        let certs: Vec<Certificate> = self
            .certificates()
            .into_iter()
            .chain(extra_certs.iter().cloned())
            .collect();
        Ok(self
            .signed_data
            .signer_infos
            .0
            .iter()
            .map(|si| {
                let certificate = certs.iter().find(|c| cert_matches(&si.sid, c)).cloned();
                let spki = match &certificate {
                    Some(c) => cert_spki(c).ok(),
                    None => match &si.sid {
                        SignerIdentifier::SubjectKeyIdentifier(ski) => extra_spkis
                            .iter()
                            .find(|d| {
                                SubjectPublicKeyInfoRef::from_der(d)
                                    .map(|s| key_identifier(&s) == ski.0.as_bytes())
                                    .unwrap_or(false)
                            })
                            .cloned(),
                        _ => None,
                    },
                };
                let outcome = match spki {
                    None => Err(SignerProblem::NoKey),
                    Some(spki) => verify_signer(si, &self.content_type(), &content, &spki),
                };
                SignerCheck {
                    sid: describe_sid(&si.sid),
                    certificate,
                    outcome,
                }
            })
            .collect())
    }
}

impl SignedMessage {
    /// Check signer `index`'s signature with `spki_der`, a key the caller found for it (a signer
    /// that [`SignedMessage::verify`] could not match: CMC's NULL-issuer signer of a request
    /// signed by the key it enrolls). `Err` when there is no such signer or no content.
    pub fn verify_one(
        &self,
        index: usize,
        spki_der: &[u8],
    ) -> Result<std::result::Result<(), SignerProblem>> {
        let content = self
            .content()?
            .ok_or_else(|| Error::invalid("the signature is detached"))?;
        let si = self
            .signed_data
            .signer_infos
            .0
            .get(index)
            .ok_or_else(|| Error::invalid(format!("there is no signer {index}")))?;
        Ok(verify_signer(si, &self.content_type(), &content, spki_der))
    }
}

/// One SignerInfo's signature (RFC 5652 section 5.6).
fn verify_signer(
    si: &SignerInfo,
    content_type: &Oid,
    content: &[u8],
    spki_der: &[u8],
) -> std::result::Result<(), SignerProblem> {
    let hash = digest_of(&si.digest_alg)?;
    let sig_oid = si.signature_algorithm.oid;
    if sig_oid != RSA_ENCRYPTION && sig_oid != hash.signature_oid() {
        return Err(SignerProblem::SignatureAlgorithm(sig_oid));
    }
    let signed_bytes = match &si.signed_attrs {
        None => content.to_vec(),
        Some(attrs) => {
            let value_of = |oid: Oid| -> std::result::Result<&Any, SignerProblem> {
                let found: Vec<&Attribute> = attrs.iter().filter(|a| a.oid == oid).collect();
                match found.as_slice() {
                    [a] if a.values.len() == 1 => {
                        a.values.get(0).ok_or(SignerProblem::AttributeCount(oid))
                    }
                    _ => Err(SignerProblem::AttributeCount(oid)),
                }
            };
            let malformed = |what: &'static str| {
                move |e: der::Error| SignerProblem::AttributeMalformed(what, e.to_string())
            };
            let md = value_of(ID_MESSAGE_DIGEST)?
                .decode_as::<OctetString>()
                .map_err(malformed("message-digest attribute"))?;
            if md.as_bytes() != hash.digest(content) {
                return Err(SignerProblem::DigestMismatch);
            }
            let ct = value_of(ID_CONTENT_TYPE)?
                .decode_as::<Oid>()
                .map_err(malformed("content-type attribute"))?;
            if &ct != content_type {
                return Err(SignerProblem::ContentTypeMismatch);
            }
            attrs.to_der().map_err(malformed("signed attributes"))?
        }
    };
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| SignerProblem::BadKey(e.to_string()))?;
    let public: RsaPublicKey =
        rsa_public_from_spki(spki).map_err(|e| SignerProblem::BadKey(e.to_string()))?;
    if hash.verify(&public, &signed_bytes, si.signature.as_bytes()) {
        Ok(())
    } else {
        Err(SignerProblem::BadSignature)
    }
}
