//! X.509 certificates as a signer's credential: reading, validity at a given time, key usage. The
//! chain to a trusted certificate is [`super::chain`]'s (rustls-webpki). jarsigner skips expiry
//! for trusted signers and openssl's -noverify skips everything, so kmi does not lean on either
//! for these decisions.

pub mod build;

pub use build::{csr, issue, parse_subject, read_csr, CertSpec, Issuer, PublicIssuer, Usage};

use std::time::SystemTime;

use der::Decode;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::Certificate;

use crate::date::Date;
use crate::{Error, Result};

use const_oid::db::rfc5912::ANY_EXTENDED_KEY_USAGE as ANY_EKU;
use const_oid::db::rfc5912::ID_KP_CODE_SIGNING as CODE_SIGNING_EKU;

/// One or more certificates from PEM ("CERTIFICATE", any number of blocks) or DER bytes.
pub fn read_certificates(bytes: &[u8]) -> Result<Vec<Certificate>> {
    let text = std::str::from_utf8(bytes).ok();
    if let Some(text) = text.filter(|t| t.contains("-----BEGIN")) {
        // Only the CERTIFICATE blocks: a file may hold a key and its certificate together.
        let blocks = crate::io::armor::decode_pem_blocks(text.as_bytes())?;
        let mut certs = Vec::new();
        for (label, der) in blocks.iter().filter(|(l, _)| l == "CERTIFICATE") {
            certs.push(
                Certificate::from_der(der).map_err(|e| {
                    Error::format(format!("malformed certificate (PEM {label}): {e}"))
                })?,
            );
        }
        if certs.is_empty() {
            let found: Vec<&str> = blocks.iter().map(|(l, _)| l.as_str()).collect();
            return Err(Error::format(if found.is_empty() {
                "no certificate found (no complete PEM block)".to_string()
            } else {
                format!("not a certificate: the PEM holds {}", found.join(", "))
            }));
        }
        return Ok(certs);
    }
    Certificate::from_der(bytes)
        .map(|c| vec![c])
        .map_err(|e| Error::format(format!("malformed certificate: {e}")))
}

/// The subject in RFC 4514 form, for messages.
pub fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

/// The certificate's validity period as times.
pub fn validity(cert: &Certificate) -> (SystemTime, SystemTime) {
    let v = &cert.tbs_certificate.validity;
    (v.not_before.to_system_time(), v.not_after.to_system_time())
}

/// Why a certificate may not be used as asked. Display is the one-line reason kmi prints; the
/// subject is in RFC 4514 form and days are UTC, as the certificate states them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertProblem {
    #[error("certificate \"{subject}\" is not valid before {day}")]
    NotYetValid { subject: String, day: Date },
    #[error("certificate \"{subject}\" expired on {day}")]
    Expired { subject: String, day: Date },
    #[error("malformed extension {oid}: {detail}")]
    MalformedExtension {
        oid: der::asn1::ObjectIdentifier,
        detail: String,
    },
    #[error(
        "certificate \"{subject}\" does not allow digitalSignature (its key usage is {usage})"
    )]
    NoDigitalSignature { subject: String, usage: String },
    #[error("certificate \"{subject}\" has an extended key usage without codeSigning")]
    NoCodeSigning { subject: String },
    #[error(
        "certificate \"{subject}\" may not sign certificates (its key usage lacks keyCertSign)"
    )]
    NoKeyCertSign { subject: String },
}

/// Is `cert` valid at `at`? Err says which bound it is outside.
pub fn check_validity(cert: &Certificate, at: SystemTime) -> std::result::Result<(), CertProblem> {
    let (not_before, not_after) = validity(cert);
    // The day (YYYY-MM-DD, UTC) of a validity bound, as the certificate states it.
    let day = |t: &x509_cert::time::Time| Date::from(t.to_date_time());
    let v = &cert.tbs_certificate.validity;
    if at < not_before {
        return Err(CertProblem::NotYetValid {
            subject: subject(cert),
            day: day(&v.not_before),
        });
    }
    if at > not_after {
        return Err(CertProblem::Expired {
            subject: subject(cert),
            day: day(&v.not_after),
        });
    }
    Ok(())
}

/// The extension `T` of `cert`, decoded, when present.
pub(crate) fn extension<T: for<'a> Decode<'a> + der::oid::AssociatedOid>(
    cert: &Certificate,
) -> std::result::Result<Option<T>, CertProblem> {
    let Some(exts) = cert.tbs_certificate.extensions.as_ref() else {
        return Ok(None);
    };
    match exts.iter().find(|e| e.extn_id == T::OID) {
        None => Ok(None),
        Some(e) => T::from_der(e.extn_value.as_bytes())
            .map(Some)
            .map_err(|err| CertProblem::MalformedExtension {
                oid: T::OID,
                detail: err.to_string(),
            }),
    }
}

/// May this certificate's key sign code and documents? keyUsage, when present, must have
/// digitalSignature; extendedKeyUsage, when present, must allow code signing (as jarsigner asks).
pub fn check_signing_usage(cert: &Certificate) -> std::result::Result<(), CertProblem> {
    if let Some(ku) = extension::<KeyUsage>(cert)? {
        if !ku.0.contains(KeyUsages::DigitalSignature) {
            return Err(CertProblem::NoDigitalSignature {
                subject: subject(cert),
                usage: format!("{:?}", ku.0),
            });
        }
    }
    check_code_signing_eku(cert)
}

/// extendedKeyUsage, when present, must name codeSigning or anyExtendedKeyUsage.
pub fn check_code_signing_eku(cert: &Certificate) -> std::result::Result<(), CertProblem> {
    if let Some(eku) = extension::<ExtendedKeyUsage>(cert)? {
        if !eku
            .0
            .iter()
            .any(|o| *o == CODE_SIGNING_EKU || *o == ANY_EKU)
        {
            return Err(CertProblem::NoCodeSigning {
                subject: subject(cert),
            });
        }
    }
    Ok(())
}

/// keyUsage, when present, must have keyCertSign for a certificate that issues others (RFC 5280
/// section 4.2.1.3; openssl checks it too).
pub fn check_may_sign_certificates(cert: &Certificate) -> std::result::Result<(), CertProblem> {
    match extension::<KeyUsage>(cert)? {
        Some(ku) if !ku.0.contains(KeyUsages::KeyCertSign) => Err(CertProblem::NoKeyCertSign {
            subject: subject(cert),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_messages_name_the_day() {
        let der = include_bytes!("../../../testdata/cmc/signer-cert.der");
        let cert = Certificate::from_der(der).unwrap();
        let (not_before, not_after) = validity(&cert);
        let early = check_validity(&cert, SystemTime::UNIX_EPOCH).unwrap_err();
        assert!(matches!(early, CertProblem::NotYetValid { .. }));
        let early = early.to_string();
        assert!(early.ends_with("is not valid before 2026-11-24"), "{early}");
        let late = check_validity(&cert, not_after + std::time::Duration::from_secs(1));
        let late = late.unwrap_err().to_string();
        assert!(late.ends_with("expired on 2036-11-21"), "{late}");
        assert!(check_validity(&cert, not_before).is_ok());
    }

    #[test]
    fn certificates_are_picked_out_of_mixed_pem() {
        let der = include_bytes!("../../../testdata/cmc/signer-cert.der");
        let cert_pem = crate::io::armor::encode_pem("CERTIFICATE", der).unwrap();
        let key_pem = crate::io::armor::encode_pem("PRIVATE KEY", &[0x30, 0x00]).unwrap();
        let mixed = format!("{key_pem}notes\n{cert_pem}{cert_pem}");
        assert_eq!(read_certificates(mixed.as_bytes()).unwrap().len(), 2);
        assert_eq!(read_certificates(der).unwrap().len(), 1);
        let err = read_certificates(key_pem.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not a certificate: the PEM holds PRIVATE KEY"),
            "{err}"
        );
        let cut = &cert_pem[..cert_pem.len() / 2];
        assert!(read_certificates(cut.as_bytes()).is_err());
    }
}
