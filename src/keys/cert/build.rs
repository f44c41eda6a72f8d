//! Making X.509 certificates and PKCS#10 requests (issue 13): the to-be-signed structures, their
//! extensions and the checks on the issuer, for a whole RSA key ([`issue`], [`csr`]) and for a key
//! that only exists as threshold shares ([`prepare`] then [`finish`]: the trustees sign the
//! to-be-signed DER with `kmi share partial --sign`, exactly as x509-cert's `Builder::finalize` /
//! `Builder::assemble` split lets an external signer do).
//!
//! The to-be-signed structures are x509-cert's `TbsCertificate` and `CertReqInfo`, and the
//! extensions its `AsExtension` types, filled here rather than through `CertificateBuilder`: the
//! builder's profiles fix the key usages (a `Leaf` always has digitalSignature and
//! nonRepudiation, so an encryption-only certificate cannot be made; a `Root` has no
//! pathLenConstraint and cannot also sign), and the profile-free `Manual` needs x509-cert's
//! `hazmat` feature. What kmi writes:
//! - a random 16-byte positive serial (top bit clear, first octet nonzero) from the caller's RNG;
//! - subjectKeyIdentifier by RFC 5280 section 4.2.1.2 method 1 (SHA-1 of the subjectPublicKey
//!   bits) and authorityKeyIdentifier = the issuer's subjectKeyIdentifier (its method-1 value
//!   when the issuer certificate has none; a self-signed certificate names its own);
//! - basicConstraints (critical): cA TRUE with the optional pathLenConstraint for `ca`, else cA
//!   FALSE; keyUsage (critical) from the usages; extKeyUsage codeSigning for `code-signing`;
//! - sha256WithRSAEncryption (RSASSA-PKCS1-v1_5, SHA-256) signatures.
//!
//! Validity starts now and lasts `days` (1..=36500) days; an issued certificate may not outlive
//! its issuer's certificate (kmi refuses rather than shortens: ask for fewer days).

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use const_oid::db::rfc5912::{
    DHPUBLICNUMBER, ID_EC_PUBLIC_KEY, ID_KP_CODE_SIGNING, RSA_ENCRYPTION,
    SHA_256_WITH_RSA_ENCRYPTION,
};
use der::asn1::{
    AnyRef, BitString, BitStringRef, GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec,
    UtcTime,
};
use der::{Decode, Encode, Sequence};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef, SubjectPublicKeyInfoOwned};
use x509_cert::attr::Attribute;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
use x509_cert::ext::{AsExtension, Extension};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use super::{check_may_sign_certificates, check_validity, extension, subject};
use crate::keys::rsa::SigHash;
use crate::{Error, Result};

/// The longest validity kmi writes, in days (about 100 years).
pub const MAX_DAYS: u32 = 36500;

/// What a certified key may be used for, by the names the commands take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Usage {
    /// digitalSignature + nonRepudiation
    Sign,
    /// keyEncipherment (RSA) or keyAgreement (ElGamal/DH, EC): the key's algorithm decides
    Encrypt,
    /// extKeyUsage id-kp-codeSigning, with digitalSignature
    CodeSigning,
    /// keyCertSign + cRLSign and basicConstraints (critical) cA TRUE
    Ca,
}

impl Usage {
    pub const ALL: [Usage; 4] = [Usage::Sign, Usage::Encrypt, Usage::CodeSigning, Usage::Ca];

    pub fn name(self) -> &'static str {
        match self {
            Usage::Sign => "sign",
            Usage::Encrypt => "encrypt",
            Usage::CodeSigning => "code-signing",
            Usage::Ca => "ca",
        }
    }
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Usage {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Usage::ALL
            .into_iter()
            .find(|u| u.name() == s)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown usage {s:?} (expected sign, encrypt, code-signing or ca)"
                ))
            })
    }
}

/// What a certificate says about its subject.
#[derive(Clone, Debug)]
pub struct CertSpec {
    pub subject: Name,
    pub spki: SubjectPublicKeyInfoOwned,
    pub usages: Vec<Usage>,
    pub days: u32,
    /// basicConstraints pathLenConstraint; only with [`Usage::Ca`].
    pub path_len: Option<u8>,
}

/// Who signs a certificate made with a whole private key.
#[derive(Clone, Copy)]
pub enum Issuer<'a> {
    /// The subject's own key (the spec's public key must be this key's).
    SelfSigned(&'a RsaPrivateKey),
    /// A CA: its certificate (which must allow keyCertSign) and the matching private key.
    Ca {
        cert: &'a Certificate,
        key: &'a RsaPrivateKey,
    },
}

/// Who will sign a prepared to-be-signed certificate: only the public side, because the private
/// key exists as threshold shares.
#[derive(Clone, Copy)]
pub enum PublicIssuer<'a> {
    /// The subject's own key, held as shares (the spec's public key must be this key).
    SelfSigned(&'a RsaPublicKey),
    /// A CA whose key is held as shares: its certificate and that key.
    Ca {
        cert: &'a Certificate,
        key: &'a RsaPublicKey,
    },
}

impl<'a> Issuer<'a> {
    fn key(&self) -> &'a RsaPrivateKey {
        match self {
            Issuer::SelfSigned(k) | Issuer::Ca { key: k, .. } => k,
        }
    }
}

/// The name `CN=<text>` (one RDN, a UTF8String), whatever characters the text holds.
pub fn common_name_only(text: &str) -> Result<x509_cert::name::Name> {
    use der::asn1::{SetOfVec, Utf8StringRef};
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
    let value = der::asn1::Any::encode_from(&Utf8StringRef::new(text).map_err(Error::encoding)?)
        .map_err(Error::encoding)?;
    let atv = AttributeTypeAndValue {
        oid: const_oid::db::rfc4519::CN,
        value,
    };
    let rdn =
        RelativeDistinguishedName::from(SetOfVec::try_from(vec![atv]).map_err(Error::encoding)?);
    Ok(RdnSequence(vec![rdn]))
}

/// A DN in RFC 4514 form ("CN=Alice,O=Example", most significant RDN last), not empty.
pub fn parse_subject(dn: &str) -> Result<Name> {
    if dn.trim().is_empty() {
        return Err(Error::invalid("the subject name is empty"));
    }
    let name = Name::from_str(dn.trim()).map_err(|e| {
        Error::invalid(format!(
            "{dn:?} is not an RFC 4514 name like CN=Alice,O=Example ({e})"
        ))
    })?;
    if name.0.is_empty() {
        return Err(Error::invalid("the subject name is empty"));
    }
    Ok(name)
}

/// The SubjectPublicKeyInfo of an RSA public key (rsaEncryption, NULL parameters).
pub fn rsa_spki(key: &RsaPublicKey) -> Result<SubjectPublicKeyInfoOwned> {
    let public = crate::keys::RsaPublic {
        n: num_bigint::BigUint::from_bytes_be(&key.n().to_bytes_be()),
        e: num_bigint::BigUint::from_bytes_be(&key.e().to_bytes_be()),
    };
    let der = crate::keys::encode_public_spki(&crate::keys::PublicKey::Rsa(public))?;
    SubjectPublicKeyInfoOwned::from_der(&der).map_err(Error::encoding)
}

/// Is `spki` the RSA key `key`? (Compared by modulus and exponent, not by encoding.)
fn same_rsa_key(spki: &SubjectPublicKeyInfoOwned, key: &RsaPublicKey) -> bool {
    if spki.algorithm.oid != RSA_ENCRYPTION {
        return false;
    }
    let Ok(der) = spki.to_der() else { return false };
    let Ok(r) = spki::SubjectPublicKeyInfoRef::from_der(&der) else {
        return false;
    };
    RsaPublicKey::try_from(r).is_ok_and(|k| k.n() == key.n() && k.e() == key.e())
}

/// RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    use sha1::Sha1;
    Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// The key bits of an SPKI, classed for key usage.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyClass {
    Rsa,
    /// ElGamal/DH (dhpublicnumber) and EC keys: key agreement, and (DH) no signatures.
    Agreement {
        can_sign: bool,
    },
    Other,
}

fn key_class(spki: &SubjectPublicKeyInfoOwned) -> KeyClass {
    match spki.algorithm.oid {
        RSA_ENCRYPTION => KeyClass::Rsa,
        DHPUBLICNUMBER => KeyClass::Agreement { can_sign: false },
        ID_EC_PUBLIC_KEY => KeyClass::Agreement { can_sign: true },
        _ => KeyClass::Other,
    }
}

/// The extensions the usages ask for on `spki`, after checking they fit its algorithm: keyUsage,
/// extKeyUsage and basicConstraints, in that order of need.
struct UsageExtensions {
    key_usage: Option<KeyUsage>,
    eku: Option<ExtendedKeyUsage>,
    ca: bool,
}

fn usage_extensions(spki: &SubjectPublicKeyInfoOwned, usages: &[Usage]) -> Result<UsageExtensions> {
    let class = key_class(spki);
    let mut bits = der::flagset::FlagSet::<KeyUsages>::default();
    let mut eku = None;
    let mut ca = false;
    for u in usages {
        let signs = matches!(u, Usage::Sign | Usage::CodeSigning | Usage::Ca);
        if signs && matches!(class, KeyClass::Agreement { can_sign: false }) {
            return Err(Error::invalid(format!(
                "usage {u}: an ElGamal/DH key cannot sign (give --usage encrypt)"
            )));
        }
        match u {
            Usage::Sign => bits |= KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            Usage::Encrypt => match class {
                KeyClass::Rsa => bits |= KeyUsages::KeyEncipherment,
                KeyClass::Agreement { .. } => bits |= KeyUsages::KeyAgreement,
                KeyClass::Other => {
                    return Err(Error::invalid(format!(
                        "usage encrypt: kmi does not know how a {} key encrypts",
                        spki.algorithm.oid
                    )))
                }
            },
            Usage::CodeSigning => {
                bits |= KeyUsages::DigitalSignature;
                eku = Some(ExtendedKeyUsage(vec![ID_KP_CODE_SIGNING]));
            }
            Usage::Ca => {
                bits |= KeyUsages::KeyCertSign | KeyUsages::CRLSign;
                ca = true;
            }
        }
    }
    Ok(UsageExtensions {
        key_usage: (!bits.is_empty()).then_some(KeyUsage(bits)),
        eku,
        ca,
    })
}

/// The usages a set of extensions grants, read back (for a request's extensionRequest and for
/// `kmi cert show`): the inverse of the mapping above, as far as it goes.
pub fn usages_of(extensions: &[Extension]) -> Result<Vec<Usage>> {
    let find = |oid: ObjectIdentifier| extensions.iter().find(|e| e.extn_id == oid);
    let mut out = Vec::new();
    let ku = find(<KeyUsage as der::oid::AssociatedOid>::OID)
        .map(|e| KeyUsage::from_der(e.extn_value.as_bytes()))
        .transpose()
        .map_err(Error::decoding("malformed keyUsage"))?;
    let eku = find(<ExtendedKeyUsage as der::oid::AssociatedOid>::OID)
        .map(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()))
        .transpose()
        .map_err(Error::decoding("malformed extKeyUsage"))?;
    let bc = find(<BasicConstraints as der::oid::AssociatedOid>::OID)
        .map(|e| BasicConstraints::from_der(e.extn_value.as_bytes()))
        .transpose()
        .map_err(Error::decoding("malformed basicConstraints"))?;
    if let Some(KeyUsage(bits)) = ku {
        if bits.contains(KeyUsages::NonRepudiation)
            || (bits.contains(KeyUsages::DigitalSignature) && eku.is_none())
        {
            out.push(Usage::Sign);
        }
        if bits.contains(KeyUsages::KeyEncipherment) || bits.contains(KeyUsages::KeyAgreement) {
            out.push(Usage::Encrypt);
        }
    }
    if eku.is_some_and(|e| e.0.contains(&ID_KP_CODE_SIGNING)) {
        out.push(Usage::CodeSigning);
    }
    if bc.is_some_and(|b| b.ca) || ku.is_some_and(|k| k.0.contains(KeyUsages::KeyCertSign)) {
        out.push(Usage::Ca);
    }
    Ok(out)
}

fn extension_of<E: AsExtension>(e: &E, subject: &Name, sofar: &[Extension]) -> Result<Extension> {
    e.to_extension(subject, sofar).map_err(Error::encoding)
}

/// A random positive 16-byte serial number: the first octet has its top bit clear (positive)
/// and is nonzero (so the DER INTEGER has all 16 octets).
fn random_serial(rng: &mut (impl rand_core::CryptoRngCore + ?Sized)) -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f).max(1);
    SerialNumber::new(&bytes).map_err(Error::encoding)
}

/// A certificate time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
fn cert_time(t: SystemTime) -> Result<Time> {
    match UtcTime::from_system_time(t) {
        Ok(u) => Ok(Time::UtcTime(u)),
        Err(_) => GeneralizedTime::from_system_time(t)
            .map(Time::GeneralTime)
            .map_err(|e| Error::invalid(format!("the validity cannot be written: {e}"))),
    }
}

/// sha256WithRSAEncryption with NULL parameters (RFC 4055 section 5).
fn sha256_with_rsa() -> Result<AlgorithmIdentifierOwned> {
    Ok(AlgorithmIdentifierOwned {
        oid: SHA_256_WITH_RSA_ENCRYPTION,
        parameters: Some(der::Any::encode_from(&der::asn1::Null).map_err(Error::encoding)?),
    })
}

/// The issuer as the TBS needs it, after its checks.
struct Signer {
    name: Name,
    key_id: Vec<u8>,
}

fn check_days(days: u32) -> Result<()> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Error::invalid(format!(
            "--days {days}: a certificate lasts 1 to {MAX_DAYS} days"
        )));
    }
    Ok(())
}

/// Check the issuer against the spec and say what the TBS takes from it. `not_after` is when the
/// new certificate would end.
fn signer(spec: &CertSpec, issuer: PublicIssuer<'_>, not_after: SystemTime) -> Result<Signer> {
    match issuer {
        PublicIssuer::SelfSigned(key) => {
            if !same_rsa_key(&spec.spki, key) {
                return Err(Error::invalid(
                    "a self-signed certificate is signed by its subject's key, and the signing key is not the subject's public key",
                ));
            }
            Ok(Signer {
                name: spec.subject.clone(),
                key_id: key_id(&spec.spki),
            })
        }
        PublicIssuer::Ca { cert, key } => {
            let ca = subject(cert);
            check_may_sign_certificates(cert).map_err(|e| Error::check(e.to_string()))?;
            let bc =
                extension::<BasicConstraints>(cert).map_err(|e| Error::check(e.to_string()))?;
            let Some(bc) = bc.filter(|b| b.ca) else {
                return Err(Error::check(format!(
                    "certificate \"{ca}\" is not a CA certificate (basicConstraints cA is not TRUE)"
                )));
            };
            if !same_rsa_key(&cert.tbs_certificate.subject_public_key_info, key) {
                return Err(Error::invalid(format!(
                    "the CA key does not match the public key of certificate \"{ca}\""
                )));
            }
            check_validity(cert, crate::clock::now()).map_err(|e| Error::check(e.to_string()))?;
            let (_, ca_end) = super::validity(cert);
            if not_after > ca_end {
                let left = ca_end
                    .duration_since(crate::clock::now())
                    .map_or(0, |d| d.as_secs() / 86400);
                return Err(Error::invalid(format!(
                    "--days {}: the certificate would outlive its issuer \"{ca}\" (which expires on {}); ask for at most {left} days",
                    spec.days,
                    crate::date::Date::from(cert.tbs_certificate.validity.not_after.to_date_time()),
                )));
            }
            if spec.usages.contains(&Usage::Ca) && bc.path_len_constraint == Some(0) {
                return Err(Error::check(format!(
                    "certificate \"{ca}\" has pathLenConstraint 0: it may not issue CA certificates"
                )));
            }
            let key_id = crate::cms::ktri::cert_ski(cert)
                .unwrap_or_else(|| key_id(&cert.tbs_certificate.subject_public_key_info));
            Ok(Signer {
                name: cert.tbs_certificate.subject.clone(),
                key_id,
            })
        }
    }
}

/// The to-be-signed certificate for `spec` signed by `issuer`.
fn tbs_certificate(
    spec: &CertSpec,
    issuer: PublicIssuer<'_>,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<TbsCertificate> {
    check_days(spec.days)?;
    if spec.path_len.is_some() && !spec.usages.contains(&Usage::Ca) {
        return Err(Error::invalid("a path length is only for a CA certificate"));
    }
    let usage = usage_extensions(&spec.spki, &spec.usages)?;
    // Whole seconds: the times are written to the second.
    let now = crate::clock::now();
    let not_after = now + Duration::from_secs(u64::from(spec.days) * 86400);
    let signer = signer(spec, issuer, not_after)?;

    let subject = &spec.subject;
    let mut exts: Vec<Extension> = Vec::new();
    let ski = SubjectKeyIdentifier(OctetString::new(key_id(&spec.spki)).map_err(Error::encoding)?);
    exts.push(extension_of(&ski, subject, &exts)?);
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(signer.key_id).map_err(Error::encoding)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    exts.push(extension_of(&aki, subject, &exts)?);
    let bc = BasicConstraints {
        ca: usage.ca,
        path_len_constraint: if usage.ca { spec.path_len } else { None },
    };
    exts.push(extension_of(&bc, subject, &exts)?);
    if let Some(ku) = &usage.key_usage {
        exts.push(extension_of(ku, subject, &exts)?);
    }
    if let Some(eku) = &usage.eku {
        // Not critical (x509-cert marks it critical): RFC 5280 4.2.1.12 leaves it to the
        // issuer, and a relying party that does not know extKeyUsage may still use the key.
        let mut ext = extension_of(eku, subject, &exts)?;
        ext.critical = false;
        exts.push(ext);
    }
    Ok(TbsCertificate {
        version: Version::V3,
        serial_number: random_serial(rng)?,
        signature: sha256_with_rsa()?,
        issuer: signer.name,
        validity: Validity {
            not_before: cert_time(now)?,
            not_after: cert_time(not_after)?,
        },
        subject: spec.subject.clone(),
        subject_public_key_info: spec.spki.clone(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    })
}

/// RSASSA-PKCS1-v1_5 with SHA-256 over `tbs`, blinded with `rng`.
fn sign_sha256(
    key: &RsaPrivateKey,
    tbs: &[u8],
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<Vec<u8>> {
    // `&mut R` is a sized RNG whatever R is (the rsa crate wants a sized one).
    let mut rng = rng;
    key.sign_with_rng(
        &mut rng,
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(tbs),
    )
    .map_err(|e| Error::internal(format!("RSA signature: {e}")))
}

/// A certificate for `spec`, signed by `issuer` (SHA-256 RSA PKCS#1 v1.5). Refused: a CA
/// certificate without keyCertSign or cA, a CA key that is not the CA certificate's, a CA
/// certificate not valid now or ending before the new one, usages the key cannot have.
pub fn issue(
    spec: &CertSpec,
    issuer: Issuer<'_>,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<Certificate> {
    let key = issuer.key();
    let public = key.to_public_key();
    let public_issuer = match issuer {
        Issuer::SelfSigned(_) => PublicIssuer::SelfSigned(&public),
        Issuer::Ca { cert, .. } => PublicIssuer::Ca { cert, key: &public },
    };
    let tbs = prepare(spec, public_issuer, rng)?;
    let signature = sign_sha256(key, &tbs, rng)?;
    finish(&tbs, &signature, &public)
}

/// The DER of the to-be-signed certificate for `spec` and `issuer`: the bytes k trustees sign
/// (`kmi share partial --sign TBS.der`, a PKCS#1 v1.5 SHA-256 signature over exactly these
/// bytes), turned into the certificate by [`finish`].
pub fn prepare(
    spec: &CertSpec,
    issuer: PublicIssuer<'_>,
    rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
) -> Result<Vec<u8>> {
    tbs_certificate(spec, issuer, rng)?
        .to_der()
        .map_err(Error::encoding)
}

/// The certificate from a to-be-signed certificate and its signature by `signer`, checked: the
/// TBS must name sha256WithRSAEncryption and the signature must verify with `signer` over
/// exactly `tbs`. A self-signed TBS (issuer = subject) must also carry `signer` as its key.
pub fn finish(tbs: &[u8], signature: &[u8], signer: &RsaPublicKey) -> Result<Certificate> {
    let parsed =
        TbsCertificate::from_der(tbs).map_err(Error::decoding("not a to-be-signed certificate"))?;
    if parsed.signature.oid != SHA_256_WITH_RSA_ENCRYPTION {
        return Err(Error::invalid(format!(
            "the to-be-signed certificate names signature algorithm {}; kmi signs sha256WithRSAEncryption",
            parsed.signature.oid
        )));
    }
    if parsed.issuer == parsed.subject && !same_rsa_key(&parsed.subject_public_key_info, signer) {
        return Err(Error::check(
            "this self-signed certificate's public key is not the signing key",
        ));
    }
    if !SigHash::Sha256.verify(signer, tbs, signature) {
        return Err(Error::check(
            "the signature does not verify over the to-be-signed certificate with the signing key",
        ));
    }
    Ok(Certificate {
        signature_algorithm: parsed.signature.clone(),
        tbs_certificate: parsed,
        signature: BitString::from_bytes(signature).map_err(Error::encoding)?,
    })
}

/// The CertificationRequestInfo DER for `subject`'s key `spki`, with an extensionRequest for
/// `usages` (none when there are no usages): the bytes a request's key signs.
pub fn prepare_request(
    subject: &Name,
    spki: &SubjectPublicKeyInfoOwned,
    usages: &[Usage],
) -> Result<Vec<u8>> {
    let usage = usage_extensions(spki, usages)?;
    let mut exts: Vec<Extension> = Vec::new();
    if usage.ca {
        let bc = BasicConstraints {
            ca: true,
            path_len_constraint: None,
        };
        exts.push(extension_of(&bc, subject, &exts)?);
    }
    if let Some(ku) = &usage.key_usage {
        exts.push(extension_of(ku, subject, &exts)?);
    }
    if let Some(eku) = &usage.eku {
        exts.push(extension_of(eku, subject, &exts)?);
    }
    let mut attributes = SetOfVec::new();
    if !exts.is_empty() {
        attributes
            .insert(Attribute::try_from(ExtensionReq(exts)).map_err(Error::encoding)?)
            .map_err(Error::encoding)?;
    }
    CertReqInfo {
        version: x509_cert::request::Version::V1,
        subject: subject.clone(),
        public_key: spki.clone(),
        attributes,
    }
    .to_der()
    .map_err(Error::encoding)
}

/// The request from its CertificationRequestInfo and the signature of its own key, checked.
pub fn finish_request(info: &[u8], signature: &[u8], signer: &RsaPublicKey) -> Result<CertReq> {
    let parsed =
        CertReqInfo::from_der(info).map_err(Error::decoding("not a certification request info"))?;
    if !same_rsa_key(&parsed.public_key, signer) {
        return Err(Error::check(
            "the request's public key is not the signing key",
        ));
    }
    if !SigHash::Sha256.verify(signer, info, signature) {
        return Err(Error::check(
            "the signature does not verify over the request with the signing key",
        ));
    }
    Ok(CertReq {
        info: parsed,
        algorithm: sha256_with_rsa()?,
        signature: BitString::from_bytes(signature).map_err(Error::encoding)?,
    })
}

/// A PKCS#10 request for `key`'s public key and `subject`, asking for `usages`, self-signed
/// with SHA-256 RSA PKCS#1 v1.5.
pub fn csr(key: &RsaPrivateKey, subject: &Name, usages: &[Usage]) -> Result<CertReq> {
    let public = key.to_public_key();
    let info = prepare_request(subject, &rsa_spki(&public)?, usages)?;
    // PKCS#1 v1.5 signing is deterministic; the rsa crate's unblinded path, as cmc::build's.
    let signature = key
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&info))
        .map_err(|e| Error::internal(format!("RSA signature: {e}")))?;
    finish_request(&info, &signature, &public)
}

/// A signed structure with its to-be-signed part kept as it was encoded, so a signature is
/// checked over the bytes that were signed (not over a re-encoding).
#[derive(Sequence)]
struct RawSigned<'a> {
    tbs: AnyRef<'a>,
    algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

/// A PKCS#10 request from PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER, its
/// self-signature verified (sha256/384/512 with RSA) over the bytes as they came.
pub fn read_csr(bytes: &[u8]) -> Result<CertReq> {
    let der = if bytes.first() == Some(&0x30) {
        bytes.to_vec()
    } else {
        let blocks = crate::io::armor::decode_pem_blocks(bytes)?;
        let found: Vec<String> = blocks.iter().map(|(l, _)| l.clone()).collect();
        blocks
            .into_iter()
            .find(|(l, _)| l == "CERTIFICATE REQUEST" || l == "NEW CERTIFICATE REQUEST")
            .map(|(_, d)| d)
            .ok_or_else(|| {
                Error::format(if found.is_empty() {
                    "not a certificate request (no PEM block, not DER)".to_string()
                } else {
                    format!(
                        "not a certificate request: the PEM holds {}",
                        found.join(", ")
                    )
                })
            })?
    };
    let req = CertReq::from_der(&der).map_err(Error::decoding("malformed certificate request"))?;
    let raw =
        RawSigned::from_der(&der).map_err(Error::decoding("malformed certificate request"))?;
    let info = raw.tbs.to_der().map_err(Error::encoding)?;
    let hash = SigHash::from_signature_oid(&req.algorithm.oid).ok_or_else(|| {
        Error::invalid(format!(
            "the request is signed with {}; kmi reads sha256/384/512WithRSAEncryption requests",
            req.algorithm.oid
        ))
    })?;
    let spki_der = req.info.public_key.to_der().map_err(Error::encoding)?;
    let public = crate::cms::ktri::rsa_public_from_spki(
        spki::SubjectPublicKeyInfoRef::from_der(&spki_der).map_err(Error::encoding)?,
    )
    .map_err(|_| Error::invalid("the request's key is not an RSA key"))?;
    let sig = raw
        .signature
        .as_bytes()
        .ok_or_else(|| Error::format("the request's signature has unused bits"))?;
    if !hash.verify(&public, &info, sig) {
        return Err(Error::check(
            "the request's self-signature does not verify (no proof of possession of its key)",
        ));
    }
    Ok(req)
}

/// The extensions a request asks for (its extensionRequest attributes, RFC 2985 5.4.2).
pub fn request_extensions(info: &CertReqInfo) -> Result<Vec<Extension>> {
    let mut exts = Vec::new();
    for attr in info.attributes.iter() {
        if attr.oid == const_oid::db::rfc5912::ID_EXTENSION_REQ {
            for value in attr.values.iter() {
                let er = value
                    .decode_as::<ExtensionReq>()
                    .map_err(Error::decoding("malformed extensionRequest"))?;
                exts.extend(er.0);
            }
        }
    }
    Ok(exts)
}

/// The usages a request asks for in its extensionRequest (empty when it asks for none).
pub fn requested_usages(req: &CertReq) -> Result<Vec<Usage>> {
    usages_of(&request_extensions(&req.info)?)
}

#[cfg(test)]
mod tests;
