//! Certificate path validation (RFC 5280 section 6) for a signer's certificate: the one validator
//! behind every place kmi decides whether a certificate chains to something trusted (today
//! `kmi ccm verify`/`check`/`show --trust`; the CMC agent holds no trust anchors and `cmc extract`
//! pins the agent's certificate, so neither has a chain to check).
//!
//! kmi does not write its own path builder. rustls-webpki builds the path and checks names,
//! signatures, validity at the given time, basicConstraints cA and pathLenConstraint of every
//! intermediate, that the signer is not a CA, unknown critical extensions of the signer and the
//! intermediates, and the extended key usage of every certificate in the path (it must allow
//! codeSigning, or anyExtendedKeyUsage, when present). kmi supplies the RSA PKCS#1 v1.5 signature
//! check (SHA-256/384/512, from the rsa crate: no ring or aws-lc-rs), and checks what webpki leaves
//! to its caller:
//! - keyUsage keyCertSign of every issuer (RFC 5280 4.2.1.3; webpki ignores keyUsage);
//! - the trust anchor's own certificate. webpki uses only its name and key (RFC 5280 6.1.1 (d)
//!   makes the rest optional); kmi holds it, as openssl does, to its validity, basicConstraints cA,
//!   pathLenConstraint, keyCertSign and critical extensions, so a trusted file that is not a CA
//!   certificate cannot issue anything;
//! - the signer's keyUsage digitalSignature ([`super::cert::check_signing_usage`]).
//!
//! The verdict is webpki's and kmi's checks together; the messages name the certificate at fault,
//! found by a plain walk along issuer names that only explains a verdict and never makes one.

use std::cell::RefCell;
use std::time::SystemTime;

use der::{Decode, Encode};
use pki_types::{
    alg_id, AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    TrustAnchor, UnixTime,
};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::RsaPublicKey;
use webpki::{
    EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter, KeyUsage,
    RequiredEkuNotFoundContext, VerifiedPath,
};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::Certificate;

use super::cert::{
    check_code_signing_eku, check_may_sign_certificates, check_signing_usage, check_validity,
    extension, subject,
};
use crate::keys::rsa::SigHash;
use crate::{Error, Result};

/// id-kp-codeSigning (1.3.6.1.5.5.7.3.3), DER contents of the OID.
const EKU_CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];
/// anyExtendedKeyUsage (2.5.29.37.0), DER contents of the OID.
const EKU_ANY: &[u8] = &[0x55, 0x1d, 0x25, 0x00];

/// Certificates a signature block may offer for path building; more is hostile, not a chain.
pub const MAX_CANDIDATES: usize = 32;

/// The critical extensions kmi (with webpki) processes in a trust anchor's certificate: keyUsage,
/// subjectAltName, basicConstraints, nameConstraints, cRLDistributionPoints, extKeyUsage (the
/// set webpki processes in the others).
const KNOWN_CRITICAL: &[&str] = &[
    "2.5.29.15",
    "2.5.29.17",
    "2.5.29.19",
    "2.5.29.30",
    "2.5.29.31",
    "2.5.29.37",
];

/// RSASSA-PKCS1-v1_5 (RFC 8017 8.2) with one hash, verified by the rsa crate.
#[derive(Debug)]
struct RsaPkcs1(SigHash);

impl SignatureVerificationAlgorithm for RsaPkcs1 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> std::result::Result<(), InvalidSignature> {
        // subjectPublicKey of rsaEncryption is RSAPublicKey (RFC 8017 A.1.1); the rsa crate
        // refuses moduli over 4096 bits, which bounds the work an attacker's key can ask for.
        let key = RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| InvalidSignature)?;
        if self.0.verify(&key, message, signature) {
            Ok(())
        } else {
            Err(InvalidSignature)
        }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        match self.0 {
            SigHash::Sha256 => alg_id::RSA_PKCS1_SHA256,
            SigHash::Sha384 => alg_id::RSA_PKCS1_SHA384,
            SigHash::Sha512 => alg_id::RSA_PKCS1_SHA512,
        }
    }
}

static RSA_SHA256: RsaPkcs1 = RsaPkcs1(SigHash::Sha256);
static RSA_SHA384: RsaPkcs1 = RsaPkcs1(SigHash::Sha384);
static RSA_SHA512: RsaPkcs1 = RsaPkcs1(SigHash::Sha512);
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] =
    &[&RSA_SHA256, &RSA_SHA384, &RSA_SHA512];

/// What the signer's certificate must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Signing code and documents (CCM policies in JARs): keyUsage digitalSignature when present,
    /// extendedKeyUsage codeSigning (or anyExtendedKeyUsage) when present, in the signer and
    /// every CA above it.
    CodeSigning,
}

/// The EKU rule webpki applies to every certificate of a path: when the extension is present it
/// must name codeSigning or anyExtendedKeyUsage (RFC 5280 4.2.1.12). A CA restricted to, say,
/// serverAuth therefore cannot vouch for a policy signer.
struct CodeSigningEku;

impl ExtendedKeyUsageValidator for CodeSigningEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> std::result::Result<(), webpki::Error> {
        let mut present = Vec::new();
        for id in iter {
            let id = id?;
            if id == KeyPurposeId::new(EKU_CODE_SIGNING) || id == KeyPurposeId::new(EKU_ANY) {
                return Ok(());
            }
            present.push(id.to_decoded_oid());
        }
        if present.is_empty() {
            return Ok(());
        }
        Err(webpki::Error::RequiredEkuNotFoundContext(
            RequiredEkuNotFoundContext {
                required: KeyUsage::required(EKU_CODE_SIGNING),
                present,
            },
        ))
    }
}

/// Validate `leaf` for `purpose` at `at`: a path through `candidates` (the certificates that came
/// with the signature; the leaf itself among them is ignored) to one of `trusted`. Returns the
/// path, leaf first, ending at the trusted certificate (just the leaf when the leaf is itself a
/// trusted self-signed certificate). Err(CheckFailed) names the first certificate at fault;
/// Err(Usage) when a trusted certificate cannot serve as a trust anchor at all.
pub fn validate(
    leaf: &Certificate,
    candidates: &[Certificate],
    trusted: &[Certificate],
    at: SystemTime,
    purpose: Purpose,
) -> Result<Vec<Certificate>> {
    let Purpose::CodeSigning = purpose;
    let leaf_der = leaf
        .to_der()
        .map_err(|e| Error::check(format!("the signer's certificate: {e}")))?;
    let others: Vec<&Certificate> = candidates.iter().filter(|c| *c != leaf).collect();
    if others.len() > MAX_CANDIDATES {
        return Err(Error::check(format!(
            "the signature block carries {} certificates besides the signer's; at most {MAX_CANDIDATES} are considered for a chain",
            others.len()
        )));
    }
    let mut intermediate_ders = Vec::with_capacity(others.len());
    for c in &others {
        intermediate_ders
            .push(CertificateDer::from(c.to_der().map_err(|e| {
                Error::check(format!("certificate \"{}\": {e}", subject(c)))
            })?));
    }
    let mut trusted_ders = Vec::with_capacity(trusted.len());
    for c in trusted {
        trusted_ders.push(CertificateDer::from(c.to_der().map_err(|e| {
            Error::invalid(format!("trusted certificate \"{}\": {e}", subject(c)))
        })?));
    }
    let mut anchors: Vec<TrustAnchor<'_>> = Vec::with_capacity(trusted.len());
    for (c, d) in trusted.iter().zip(&trusted_ders) {
        anchors.push(webpki::anchor_from_trusted_cert(d).map_err(|e| {
            Error::invalid(format!(
                "trusted certificate \"{}\" cannot be a trust anchor: {}",
                subject(c),
                describe(&e)
            ))
        })?);
    }

    let leaf_cert_der = CertificateDer::from(leaf_der.as_slice());
    let ee = EndEntityCert::try_from(&leaf_cert_der)
        .map_err(|e| explain(&e, leaf, &others, trusted, at))?;
    let time = UnixTime::since_unix_epoch(
        at.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default(),
    );

    // kmi's own checks run on each candidate path webpki has verified, so a path that fails them
    // lets webpki try another. The callback can only return a webpki::Error: the sentence is
    // kept beside it.
    let refusal: RefCell<Option<(webpki::Error, String)>> = RefCell::new(None);
    let kmi_checks = |path: &VerifiedPath<'_>| -> std::result::Result<(), webpki::Error> {
        match path_checks(path, &anchors, trusted, &leaf_der, at) {
            Ok(()) => Ok(()),
            Err((code, why)) => {
                *refusal.borrow_mut() = Some((code.clone(), why));
                Err(code)
            }
        }
    };
    let verified = ee.verify_for_usage(
        ALGORITHMS,
        &anchors,
        &intermediate_ders,
        time,
        CodeSigningEku,
        None,
        Some(&kmi_checks),
    );
    let path = match verified {
        Ok(path) => path,
        Err(e) => {
            if let Some((code, why)) = refusal.borrow_mut().take() {
                if code == e {
                    return Err(Error::check(why));
                }
            }
            return Err(explain(&e, leaf, &others, trusted, at));
        }
    };

    let mut chain = vec![leaf.clone()];
    for c in path.intermediate_certificates() {
        chain.push(
            Certificate::from_der(c.der().as_ref())
                .map_err(|e| Error::internal(format!("a verified certificate: {e}")))?,
        );
    }
    if let Some(i) = anchor_index(path.anchor(), &anchors) {
        if trusted_ders.get(i).map(|d| d.as_ref()) != Some(leaf_der.as_slice()) {
            chain.extend(trusted.get(i).cloned());
        }
    }
    check_signing_usage(leaf).map_err(|p| Error::check(p.to_string()))?;
    Ok(chain)
}

/// Which of `anchors` is `anchor` (webpki hands back a reference into the slice it was given).
fn anchor_index(anchor: &TrustAnchor<'_>, anchors: &[TrustAnchor<'_>]) -> Option<usize> {
    anchors.iter().position(|a| std::ptr::eq(a, anchor))
}

/// kmi's checks on a path webpki verified: keyCertSign of every issuer, and the trust anchor's
/// certificate (see the module doc). Err carries the webpki code to hand back and the sentence.
fn path_checks(
    path: &VerifiedPath<'_>,
    anchors: &[TrustAnchor<'_>],
    trusted: &[Certificate],
    leaf_der: &[u8],
    at: SystemTime,
) -> std::result::Result<(), (webpki::Error, String)> {
    let mut intermediates = 0usize;
    for c in path.intermediate_certificates() {
        intermediates += 1;
        let cert = Certificate::from_der(c.der().as_ref()).map_err(|e| {
            (
                webpki::Error::BadDer,
                format!("an intermediate certificate: {e}"),
            )
        })?;
        check_may_sign_certificates(&cert)
            .map_err(|why| (webpki::Error::EndEntityUsedAsCa, why.to_string()))?;
    }
    let Some(anchor_cert) = anchor_index(path.anchor(), anchors).and_then(|i| trusted.get(i))
    else {
        return Err((
            webpki::Error::UnknownIssuer,
            "the trust anchor of the path is not among the trusted certificates".into(),
        ));
    };
    // A trusted self-signed signer vouches only for itself: it is the leaf, already checked as one.
    if anchor_cert.to_der().ok().as_deref() == Some(leaf_der) {
        return Ok(());
    }
    check_validity(anchor_cert, at).map_err(|why| {
        (
            webpki::Error::CertExpired {
                time: UnixTime::since_unix_epoch(
                    at.duration_since(SystemTime::UNIX_EPOCH)
                        .unwrap_or_default(),
                ),
                not_after: UnixTime::since_unix_epoch(std::time::Duration::ZERO),
            },
            format!("trusted {why}"),
        )
    })?;
    let code = webpki::Error::EndEntityUsedAsCa;
    if let Some(oid) = unknown_critical(anchor_cert, KNOWN_CRITICAL) {
        return Err((
            webpki::Error::UnsupportedCriticalExtension,
            format!(
                "trusted certificate \"{}\" has a critical extension kmi does not process ({oid})",
                subject(anchor_cert)
            ),
        ));
    }
    let bc = extension::<BasicConstraints>(anchor_cert)
        .map_err(|why| (code.clone(), why.to_string()))?;
    match bc {
        Some(bc) if bc.ca => {
            if let Some(len) = bc.path_len_constraint {
                if intermediates > usize::from(len) {
                    return Err((
                        webpki::Error::PathLenConstraintViolated,
                        path_len_message(anchor_cert, len, intermediates),
                    ));
                }
            }
        }
        _ => return Err((code, not_a_ca_message(anchor_cert, "trusted certificate"))),
    }
    check_may_sign_certificates(anchor_cert).map_err(|why| (code, why.to_string()))
}

fn not_a_ca_message(cert: &Certificate, what: &str) -> String {
    format!(
        "{what} \"{}\" is not a CA certificate (no basicConstraints with cA), so it cannot issue certificates",
        subject(cert)
    )
}

fn path_len_message(cert: &Certificate, len: u8, below: usize) -> String {
    format!(
        "certificate \"{}\" allows {len} intermediate CA certificate(s) below it (pathLenConstraint) and the chain has {below}",
        subject(cert)
    )
}

/// The OID of a critical extension of `cert` not in `known`, if any.
fn unknown_critical(cert: &Certificate, known: &[&str]) -> Option<String> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .filter(|e| e.critical)
        .map(|e| e.extn_id.to_string())
        .find(|oid| !known.contains(&oid.as_str()))
}

/// The certificates from `leaf` towards a trusted one, following issuer names through
/// `candidates` (first match, no loops, at most 8): only to name the certificate a webpki verdict
/// is about.
fn name_walk<'a>(
    leaf: &'a Certificate,
    candidates: &[&'a Certificate],
    trusted: &'a [Certificate],
) -> Vec<&'a Certificate> {
    let mut walk = vec![leaf];
    while walk.len() < 8 {
        let Some(current) = walk.last() else { break };
        let issuer = &current.tbs_certificate.issuer;
        if &current.tbs_certificate.subject == issuer {
            break; // self-issued: the end of any path
        }
        let next = candidates
            .iter()
            .copied()
            .chain(trusted.iter())
            .find(|c| &c.tbs_certificate.subject == issuer && !walk.contains(c));
        match next {
            Some(c) => {
                walk.push(c);
                if trusted.contains(c) {
                    break;
                }
            }
            None => break,
        }
    }
    walk
}

/// A webpki error as a sentence naming the certificate it is about.
fn explain(
    e: &webpki::Error,
    leaf: &Certificate,
    candidates: &[&Certificate],
    trusted: &[Certificate],
    at: SystemTime,
) -> Error {
    use webpki::Error as W;
    let walk = name_walk(leaf, candidates, trusted);
    let issuers = walk.get(1..).unwrap_or_default();
    let found = match e {
        W::CertExpired { .. } | W::CertNotValidYet { .. } | W::InvalidCertValidity => walk
            .iter()
            .find_map(|c| check_validity(c, at).err().map(|p| p.to_string())),
        W::EndEntityUsedAsCa => issuers.iter().find_map(|c| {
            match extension::<BasicConstraints>(c) {
                Ok(Some(bc)) if bc.ca => None,
                _ => Some(not_a_ca_message(c, "certificate")),
            }
        }),
        W::CaUsedAsEndEntity => Some(format!(
            "the signer's certificate \"{}\" is a CA certificate (basicConstraints cA): a signer must be an end-entity certificate",
            subject(leaf)
        )),
        W::PathLenConstraintViolated => issuers.iter().enumerate().find_map(|(i, c)| {
            match extension::<BasicConstraints>(c) {
                Ok(Some(BasicConstraints {
                    path_len_constraint: Some(len),
                    ..
                })) if i > usize::from(len) => Some(path_len_message(c, len, i)),
                _ => None,
            }
        }),
        W::UnsupportedCriticalExtension => std::iter::once(leaf)
            .chain(candidates.iter().copied())
            .find_map(|c| {
                unknown_critical(c, KNOWN_CRITICAL).map(|oid| {
                    format!(
                        "certificate \"{}\" has a critical extension kmi does not process ({oid})",
                        subject(c)
                    )
                })
            }),
        W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => {
            walk.iter()
                .find_map(|c| check_code_signing_eku(c).err().map(|p| p.to_string()))
        }
        W::UnknownIssuer => walk.last().map(|c| {
            if c.tbs_certificate.subject == c.tbs_certificate.issuer {
                return format!(
                    "certificate \"{}\" is self-signed and not a trusted certificate",
                    subject(c)
                );
            }
            format!(
                "certificate \"{}\" does not chain to a trusted certificate (no trusted or enclosed certificate named \"{}\" issued it)",
                subject(c),
                c.tbs_certificate.issuer
            )
        }),
        W::InvalidSignatureForPublicKey => Some(format!(
            "a signature in the chain of \"{}\" does not verify with its issuer's key",
            subject(leaf)
        )),
        _ => None,
    };
    Error::check(found.unwrap_or_else(|| {
        format!(
            "the certificate chain of \"{}\" is not valid: {}",
            subject(leaf),
            describe(e)
        )
    }))
}

/// webpki's verdicts in words, for the cases [`explain`] does not pin on one certificate.
fn describe(e: &webpki::Error) -> String {
    use webpki::Error as W;
    match e {
        W::CertExpired { .. } | W::CertNotValidYet { .. } => {
            "a certificate is outside its validity period".into()
        }
        W::EndEntityUsedAsCa => "a certificate that is not a CA issued another".into(),
        W::PathLenConstraintViolated => "a pathLenConstraint is exceeded".into(),
        W::UnsupportedCriticalExtension => {
            "a certificate has a critical extension kmi does not process".into()
        }
        W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => {
            "a certificate's extended key usage does not allow codeSigning".into()
        }
        W::UnknownIssuer => "it does not chain to a trusted certificate".into(),
        W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "a certificate is signed with an algorithm kmi does not verify (it verifies sha256/384/512WithRSAEncryption)".into()
        }
        W::MaximumPathDepthExceeded
        | W::MaximumSignatureChecksExceeded
        | W::MaximumPathBuildCallsExceeded => {
            "the chain is too long or offers too many candidate paths".into()
        }
        W::UnsupportedCertVersion => "a certificate is not X.509 version 3".into(),
        other => format!("{other:?}"),
    }
}
