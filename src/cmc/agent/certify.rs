//! Certificates the agent issues for encryption keys: for an archived key (draft section 5.3,
//! archival step 4: "Server receives the request, archives the key material, and issues
//! certificates as appropriate") and for a key it generated (sections 4.2 and 4.3 step 6), when
//! it runs with a CA (`cmc respond --ca-key/--ca-cert`). The certificate goes in the response's
//! SignedData certificate bag (with the CA's certificate, so that the chain is complete, 4.2) and,
//! for key generation, is named by ServerKeyGenResponse.issuerAndSerialNumber.
//!
//! Only encryption usages are certified here (keyEncipherment for RSA, keyAgreement for
//! ElGamal/DH: [`Usage::Encrypt`] decides by the key's algorithm): the agent archives and
//! generates encryption keys only (draft section 4: servers SHOULD NOT generate signing keys).
//! The subject is the request's; everything else (serial, validity, extensions) is the agent's.

use rand_core::CryptoRngCore;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::{internal, Agent, Failure};
use crate::cmc::types::IssuerAndSerialNumber;
use crate::keys::cert::build::Usage;

/// The certificate for an encryption key `spki` of `subject`, signed by the agent's CA; `None`
/// when the agent has no CA. The CA was checked when the agent started (it may sign
/// certificates, its key matches), so a failure here is the agent's: internalCAError.
pub(super) fn certify_encryption_key(
    agent: &Agent<'_>,
    subject: &Name,
    spki: &SubjectPublicKeyInfoOwned,
    rng: &mut dyn CryptoRngCore,
) -> std::result::Result<Option<Certificate>, Failure> {
    agent
        .ca
        .as_ref()
        .map(|ca| ca.issue(subject, spki, Usage::Encrypt, rng))
        .transpose()
        .map_err(internal)
}

/// The issuerAndSerialNumber that names `cert` (ServerKeyGenResponse, draft 4.2).
pub(super) fn issuer_and_serial(cert: &Certificate) -> IssuerAndSerialNumber {
    IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    }
}
