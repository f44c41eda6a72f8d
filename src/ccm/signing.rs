//! Signing a policy into a JAR and verifying one: the JAR container of [`super::jar`], the CMS
//! SignedData of [`crate::cms::signed`], and the certificate checks of [`crate::keys::cert`].

use std::time::SystemTime;

use x509_cert::Certificate;

use super::jar;
use super::policy::Policy;
use crate::cms::signed::{parse_signed, sid_for_cert, SignedDataSpec};
use crate::keys::cert::{check_signing_usage, subject};
use crate::keys::chain::{self, Purpose};
use crate::keys::RsaPrivate;
use crate::{Error, Result};

/// id-data: the JAR signature block signs the .SF bytes as plain data.
use const_oid::db::rfc5911::ID_DATA;

/// Everything that goes into a policy JAR except the signature.
pub struct JarPlan {
    pub canonical: Vec<u8>,
    pub signature_file: Vec<u8>,
    spec: SignedDataSpec,
    signer: String,
}

impl JarPlan {
    /// Canonical policy, manifest and .SF for `policy`, to be signed by `cert` (`chain` is
    /// included in the block after it).
    pub fn new(
        policy: &Policy,
        signer: &str,
        cert: &Certificate,
        chain: &[Certificate],
    ) -> Result<Self> {
        check_signing_usage(cert).map_err(|p| Error::invalid(p.to_string()))?;
        let canonical = policy.canonical_bytes();
        let manifest = jar::manifest(&canonical);
        let signature_file = jar::signature_file(&manifest);
        let spec = SignedDataSpec {
            content_type: ID_DATA,
            content: signature_file.clone(),
            detached: true,
            // The signature is over the .SF bytes themselves, so trustees can make partial
            // signatures over the file kmi ccm prepare writes.
            signed_attributes: false,
            certificates: std::iter::once(cert.clone())
                .chain(chain.iter().cloned())
                .collect(),
            sid: sid_for_cert(cert),
            unsigned_attributes: vec![],
        };
        Ok(JarPlan {
            canonical,
            signature_file,
            spec,
            signer: signer.to_string(),
        })
    }

    /// Sign with a whole key that must match the certificate.
    pub fn sign_with_key(&self, key: &RsaPrivate) -> Result<Vec<u8>> {
        self.require_cert_key(&crate::keys::PublicKey::Rsa(key.public.clone()))?;
        let block = self.spec.sign(key)?;
        jar::write_jar(&self.canonical, &self.signer, &block)
    }

    /// Wrap a signature made elsewhere (k trustees' combined partials), after checking that it
    /// verifies with the certificate's key over the .SF: a bad signature is never written.
    pub fn sign_with_signature(&self, signature: &[u8]) -> Result<Vec<u8>> {
        let block = self.spec.assemble(signature)?;
        let checks = parse_signed(&block)?.verify(Some(&self.signature_file), &[], &[])?;
        match checks.first().map(|c| &c.outcome) {
            Some(Ok(())) => jar::write_jar(&self.canonical, &self.signer, &block),
            Some(Err(why)) => Err(Error::check(format!(
                "the combined signature does not verify with the certificate's key: {why}"
            ))),
            None => Err(Error::internal("no signer in the signature block")),
        }
    }

    /// Refuse a certificate that is not for `public`.
    pub fn require_cert_key(&self, public: &crate::keys::PublicKey) -> Result<()> {
        let cert = &self.spec.certificates[0];
        let cert_spki = der::Encode::to_der(&cert.tbs_certificate.subject_public_key_info)
            .map_err(Error::encoding)?;
        if cert_spki != crate::keys::encode_public_spki(public)? {
            return Err(Error::invalid(format!(
                "the certificate \"{}\" is not for this key",
                subject(cert)
            )));
        }
        Ok(())
    }
}

/// A JAR whose signature, chain, certificates and content all checked out.
pub struct VerifiedPolicy {
    pub policy: Policy,
    pub canonical: Vec<u8>,
    /// Leaf first, ending at the trusted certificate.
    pub chain: Vec<Certificate>,
    pub signer_name: String,
}

/// What `kmi ccm show` prints: the content and the claimed signer, not verified.
pub struct UnverifiedPolicy {
    pub content: Vec<u8>,
    pub signer_name: String,
    pub signer_subjects: Vec<String>,
}

/// Read a JAR without trusting it.
pub fn show(bytes: &[u8]) -> Result<UnverifiedPolicy> {
    let j = jar::read_jar(bytes)?;
    let signer_subjects = parse_signed(&j.block)
        .map(|m| m.certificates().iter().map(subject).collect())
        .unwrap_or_default();
    Ok(UnverifiedPolicy {
        content: j.ccm.clone(),
        signer_name: j.signer.clone(),
        signer_subjects,
    })
}

/// Verify a policy JAR: structure and digests, the CMS signature over the .SF, the signer's
/// chain to `trusted` and every certificate's validity at `at`, the signer's key usage, and
/// canonical content. Err(CheckFailed) says why it is not to be obeyed.
pub fn verify(bytes: &[u8], trusted: &[Certificate], at: SystemTime) -> Result<VerifiedPolicy> {
    let j = jar::read_jar(bytes)?;
    j.check_structure()?;
    let msg = parse_signed(&j.block)
        .map_err(|e| Error::check(format!("the signature block is unreadable: {e}")))?;
    let checks = msg.verify(Some(&j.sf), &[], &[])?;
    let [check] = checks.as_slice() else {
        return Err(Error::check(format!(
            "the signature block has {} signers; a policy has exactly one",
            checks.len()
        )));
    };
    if let Err(why) = &check.outcome {
        return Err(Error::check(format!("signature over the .SF: {why}")));
    }
    let leaf = check
        .certificate
        .clone()
        .ok_or_else(|| Error::check("the signer's certificate is not in the signature block"))?;
    // The path, validity, CA and usage checks (keyUsage digitalSignature, EKU codeSigning).
    let chain = chain::validate(
        &leaf,
        &msg.certificates(),
        trusted,
        at,
        Purpose::CodeSigning,
    )?;
    let policy =
        Policy::parse_canonical(&j.ccm).map_err(|e| Error::check(format!("ccm.txt: {e}")))?;
    Ok(VerifiedPolicy {
        policy,
        canonical: j.ccm.clone(),
        chain,
        signer_name: j.signer.clone(),
    })
}
