//! Archive requests (KeyArchival): the request's public key and its proof of possession, the
//! envelope that carries the key, and filing the opened key in the store.

use cms::content_info::ContentInfo;
use der::asn1::ObjectIdentifier;
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use spki::SubjectPublicKeyInfoRef;
use x509_cert::ext::pkix::KeyUsage;

use super::certify::certify_encryption_key;
use super::open_archived;
use super::{
    bad, fail, identification, internal, key_info, selection_bytes, setup, store_failure,
    stored_signers, verify, Agent, Failure, Outcome, Parsed, Success,
};
use crate::cmc::build::{common_name, escrow_refusal};
use crate::cmc::store::{KeyStore, NewEntry, PutOutcome};
use crate::cmc::types::*;
use crate::keys::cert::build::common_name_only;
use crate::keys::decode_key;
use crate::keys::rsa::SigHash;
use crate::Error;

/// What a certification request says about the key to archive.
struct RequestKey {
    /// The SubjectPublicKeyInfo DER.
    spki: Vec<u8>,
    key_usage: Option<KeyUsage>,
    subject: Option<String>,
}

/// The request's public key: from a PKCS#10 (whose self-signature is checked: the POP) or a
/// CRMF template; with the keyUsage it asks for.
fn request_public_key(
    req: &TaggedRequest,
    body: BodyPartID,
) -> std::result::Result<RequestKey, Failure> {
    let b = bad(body);
    match req {
        TaggedRequest::Tcr(t) => {
            let cr = &t.certification_request;
            let spki = cr
                .info
                .public_key
                .to_der()
                .map_err(|e| b(format!("request public key: {e}")))?;
            verify_pkcs10(cr, &spki)
                .map_err(|p| fail(CmcFailInfo::POP_FAILED, body, p.to_string()))?;
            let mut ku = None;
            for attr in cr.info.attributes.iter() {
                if attr.oid != x509_cert::request::ExtensionReq::OID {
                    continue;
                }
                for v in attr.values.iter() {
                    let exts: Vec<x509_cert::ext::Extension> = v
                        .decode_as()
                        .map_err(|e| b(format!("malformed extensionRequest: {e}")))?;
                    if let Some(k) = key_usage_of(&exts).map_err(|p| b(p.to_string()))? {
                        if ku.replace(k).is_some() {
                            return Err(b(KeyUsageProblem::Repeated.to_string()));
                        }
                    }
                }
            }
            Ok(RequestKey {
                spki,
                key_usage: ku,
                subject: Some(cr.info.subject.to_string()),
            })
        }
        TaggedRequest::Crm(c) => {
            let t = &c.cert_req.cert_template;
            let spki = t
                .public_key
                .as_ref()
                .ok_or_else(|| b("the CRMF template has no public key".into()))?
                .to_der()
                .map_err(|e| b(format!("request public key: {e}")))?;
            let ku = match &t.extensions {
                Some(exts) => key_usage_of(exts).map_err(|p| b(p.to_string()))?,
                None => None,
            };
            Ok(RequestKey {
                spki,
                key_usage: ku,
                subject: t.subject.as_ref().map(|s| s.to_string()),
            })
        }
        TaggedRequest::Orm(_) => Err(b(
            "an other-request-message (orm) carries no public key kmi can archive against".into(),
        )),
    }
}

/// Why the keyUsage a request asks for cannot be read. Display is the failure's statusString.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum KeyUsageProblem {
    #[error("the request asks for keyUsage more than once")]
    Repeated,
    /// The decoder's reason.
    #[error("malformed keyUsage request: {0}")]
    Malformed(String),
}

/// The keyUsage among a request's extensions, if it asks for one.
pub(super) fn key_usage_of(
    exts: &[x509_cert::ext::Extension],
) -> std::result::Result<Option<KeyUsage>, KeyUsageProblem> {
    let mut found = exts.iter().filter(|e| e.extn_id == KeyUsage::OID);
    let first = found.next();
    if found.next().is_some() {
        return Err(KeyUsageProblem::Repeated);
    }
    match first {
        None => Ok(None),
        Some(e) => KeyUsage::from_der(e.extn_value.as_bytes())
            .map(Some)
            .map_err(|err| KeyUsageProblem::Malformed(err.to_string())),
    }
}

/// Why a PKCS#10 request's self-signature (its proof of possession) does not stand. Display is
/// the failure's statusString.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum PopProblem {
    /// The signature algorithm, when it is not sha256, sha384 or sha512 with RSA.
    #[error("the PKCS#10 signature algorithm {0} is not sha{{256,384,512}}WithRSAEncryption")]
    UnsupportedAlgorithm(ObjectIdentifier),
    /// The request's public key is not an RSA key kmi can verify with (the reason).
    #[error("{0}")]
    PublicKey(String),
    /// The CertificationRequestInfo could not be re-encoded (the reason).
    #[error("{0}")]
    Encoding(String),
    #[error("the PKCS#10 signature has unused bits")]
    UnusedBits,
    #[error("the PKCS#10 self-signature does not verify (no proof of possession)")]
    BadSignature,
}

/// Check a PKCS#10 request's self-signature with `spki_der`, its public key.
pub(super) fn verify_pkcs10(
    cr: &x509_cert::request::CertReq,
    spki_der: &[u8],
) -> std::result::Result<(), PopProblem> {
    let hash = SigHash::from_signature_oid(&cr.algorithm.oid)
        .ok_or(PopProblem::UnsupportedAlgorithm(cr.algorithm.oid))?;
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| PopProblem::PublicKey(e.to_string()))?;
    let public = crate::cms::ktri::rsa_public_from_spki(spki)
        .map_err(|e| PopProblem::PublicKey(e.to_string()))?;
    let tbs = cr
        .info
        .to_der()
        .map_err(|e| PopProblem::Encoding(e.to_string()))?;
    let sig = cr.signature.as_bytes().ok_or(PopProblem::UnusedBits)?;
    if hash.verify(&public, &tbs, sig) {
        Ok(())
    } else {
        Err(PopProblem::BadSignature)
    }
}

/// The public key an archived key must match, and what is filed with it.
struct Target {
    spki: Vec<u8>,
    key_usage: Option<KeyUsage>,
    subject: Option<String>,
    /// The subject's CN: the identity when the request names none.
    cn: Option<String>,
    /// The body part a refusal of the key names (the request, or the control).
    at: BodyPartID,
    /// The certificateId (RecipientIdentifier DER) filed with the key.
    certificate_id: Option<Vec<u8>>,
    /// The subject to certify the key for, when the agent has a CA and the key has no
    /// certificate yet (archival by certification request; empty: CN=<identity>).
    issue_subject: Option<x509_cert::name::Name>,
    status_body: Vec<BodyPartID>,
}

/// Archival by certificateID (draft 5.1: "the key is being archived at a different point in
/// time than a certificate is being requested for the key"): the certificate must travel in the
/// request's SignedData certificates (kmi's agent keeps no certificates of its own); its public
/// key is what the archived key must match, its keyUsage decides escrow, its
/// issuerAndSerialNumber is filed as the key's certificateId.
fn by_certificate(
    parsed: &Parsed,
    body: BodyPartID,
    rid: &RecipientIdentifier,
) -> std::result::Result<Target, Failure> {
    let b = bad(body);
    // An AuthenticatedData request (shared secret) carries no certificates kmi reads.
    let certs: Vec<&x509_cert::Certificate> = parsed
        .signed
        .iter()
        .flat_map(|s| s.certificates.iter())
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    let cert = certs
        .into_iter()
        .find(|c| names_certificate(rid, c))
        .ok_or_else(|| {
            b("the KeyArchival control names a certificate (certificateID) that the request does not carry in its SignedData certificates".into())
        })?;
    let spki = crate::cms::ktri::cert_spki(cert).map_err(|e| b(format!("certificate: {e}")))?;
    let key_usage = match &cert.tbs_certificate.extensions {
        Some(exts) => key_usage_of(exts).map_err(|p| b(format!("certificate: {p}")))?,
        None => None,
    };
    let certificate_id = crate::cms::ktri::rid_for_cert(cert)
        .to_der()
        .map_err(|e| internal(Error::encoding(e)))?;
    Ok(Target {
        spki,
        key_usage,
        subject: Some(cert.tbs_certificate.subject.to_string()),
        cn: common_name(&cert.tbs_certificate.subject),
        at: body,
        certificate_id: Some(certificate_id),
        issue_subject: None,
        status_body: vec![body],
    })
}

/// Does `rid` name `cert`: its issuer and serial number, or its key's identifier (the
/// subjectKeyIdentifier extension, else the SHA-1 of the public key as kmi computes it)?
fn names_certificate(rid: &RecipientIdentifier, cert: &x509_cert::Certificate) -> bool {
    match rid {
        RecipientIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == cert.tbs_certificate.issuer
                && ias.serial_number == cert.tbs_certificate.serial_number
        }
        RecipientIdentifier::SubjectKeyIdentifier(ski) => {
            let from_ext = cert
                .tbs_certificate
                .extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == x509_cert::ext::pkix::SubjectKeyIdentifier::OID)
                .and_then(|e| {
                    x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
                        .ok()
                });
            match from_ext {
                Some(k) => k.0 == ski.0,
                None => crate::cms::ktri::cert_spki(cert)
                    .ok()
                    .and_then(|d| {
                        SubjectPublicKeyInfoRef::from_der(&d)
                            .ok()
                            .map(|s| crate::cms::ktri::key_identifier(&s))
                    })
                    .is_some_and(|id| id == ski.0.as_bytes()),
            }
        }
    }
}

/// The subject a certification request asks for.
fn request_subject(req: &TaggedRequest) -> Option<&x509_cert::name::Name> {
    match req {
        TaggedRequest::Tcr(t) => Some(&t.certification_request.info.subject),
        TaggedRequest::Crm(c) => c.cert_req.cert_template.subject.as_ref(),
        TaggedRequest::Orm(_) => None,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn archive(
    agent: &Agent<'_>,
    parsed: &Parsed,
    body: BodyPartID,
    ka: &KeyArchival,
    unsigned: &[CmcUnsignedData],
    store: &mut dyn KeyStore,
    rng: &mut dyn CryptoRngCore,
    outcome: &mut Outcome,
) -> std::result::Result<Success, Failure> {
    let oids = agent.oids;
    let b = bad(body);
    // What the key must match: the request's certification request (reqBodyPartID), or an
    // already issued certificate the request carries (certificateID, draft 5.1).
    let target = match &ka.key_identification {
        KeyIdentification::ReqBodyPartId(id) => {
            let id = *id;
            let req = parsed
                .pki
                .req_sequence
                .iter()
                .find(|r| r.body_part_id() == Some(id))
                .ok_or_else(|| {
                    b(format!(
                        "the KeyArchival control names request {id}, which is not in the request"
                    ))
                })?;
            let RequestKey {
                spki,
                key_usage,
                subject,
            } = request_public_key(req, id)?;
            let cn = match req {
                TaggedRequest::Tcr(t) => common_name(&t.certification_request.info.subject),
                TaggedRequest::Crm(c) => c
                    .cert_req
                    .cert_template
                    .subject
                    .as_ref()
                    .and_then(common_name),
                TaggedRequest::Orm(_) => None,
            };
            Target {
                spki,
                key_usage,
                subject,
                cn,
                at: id,
                certificate_id: None,
                issue_subject: Some(request_subject(req).cloned().unwrap_or_default()),
                status_body: vec![body, id],
            }
        }
        KeyIdentification::CertificateId(rid) => by_certificate(parsed, body, rid)?,
    };
    let Target {
        spki,
        key_usage: ku,
        subject,
        cn,
        at: req_body_part_id,
        certificate_id,
        issue_subject,
        status_body,
    } = target;
    // A signer named only by key identifier is checked with the archived key itself or with a
    // key the agent already knows from an earlier verified request (as for recovery).
    let mut known = vec![spki.clone()];
    known.extend(stored_signers(parsed, &*store)?);
    let signers = verify(parsed, &known, outcome)?;
    if let Some(why) = escrow_refusal(ku.as_ref()) {
        if !agent.policy.accept_signing_keys {
            return Err(fail(
                CmcFailInfo::BAD_REQUEST,
                req_body_part_id,
                format!("{why}; an agent run with --accept-signing-keys archives it anyway"),
            ));
        }
    }

    // The envelope: a cmsSequence entry, or the unsigned attribute bound to this control.
    let envelope: ContentInfo = if ka.cms_body_part_id == 0 {
        let bound: Vec<&CmcUnsignedData> = unsigned
            .iter()
            .filter(|u| u.body_part_path.as_slice() == [body])
            .collect();
        let stray = unsigned.len() - bound.len();
        if stray > 0 {
            return Err(b(format!(
                "{stray} key(s) in id-aa-cmc-unsignedData are not bound to a signed KeyArchival control (bodyPartPath must be [{body}])"
            )));
        }
        match bound.as_slice() {
            [one] => one
                .content
                .decode_as()
                .map_err(|e| b(format!("the unsigned archived key is not a ContentInfo: {e}")))?,
            [] => {
                return Err(b(
                    "KeyArchival says the key is in id-aa-cmc-unsignedData (cmsBodyPartID 0), but no unsigned attribute carries it".into(),
                ))
            }
            _ => return Err(b("more than one unsigned archived key names this control".into())),
        }
    } else {
        if !unsigned.is_empty() {
            return Err(b(
                "a key in id-aa-cmc-unsignedData is not bound to a KeyArchival control with cmsBodyPartID 0".into(),
            ));
        }
        parsed
            .pki
            .cms_sequence
            .iter()
            .find(|t| t.body_part_id == ka.cms_body_part_id)
            .map(|t| t.content_info.clone())
            .ok_or_else(|| {
                b(format!(
                    "the KeyArchival control names cmsSequence entry {}, which is not in the request",
                    ka.cms_body_part_id
                ))
            })?
    };
    // The request's public key, before anything is decrypted.
    let requested = match decode_key(&spki, std::path::Path::new("request"), &|| {
        Err(Error::format("encrypted"))
    }) {
        Ok(k) => k.public(),
        Err(e) => return Err(bad(req_body_part_id)(format!("request public key: {e}"))),
    };
    // What can be checked without the agent's key has its own message; from the first
    // decryption on, every failure is one answer (see open_archived).
    let opening = open_archived::prepare(agent, &envelope, oids).map_err(|p| b(p.to_string()))?;
    let open_archived::Archived {
        key,
        identifier: ekwi_identifier,
    } = open_archived::open(&opening, &requested)
        .ok_or_else(|| b(open_archived::UNOPENABLE.into()))?;
    let identity = identification(parsed)
        .or_else(|| ekwi_identifier.clone())
        .or(cn)
        .ok_or_else(|| bad(0)("the request names no identity (id-cmc-identification)".into()))?;
    outcome.identity = Some(identity.clone());
    let signer = signers.first().cloned().unwrap_or_default();
    // The archived key's certificate (draft 5.3, archival step 4), when the agent has a CA; it
    // is filed as the key's certificateId.
    let mut certificate_id = certificate_id;
    if let Some(subject) = &issue_subject {
        // A request without a subject is certified for CN=<identity>, as for key generation.
        let subject = if subject.0.is_empty() {
            common_name_only(&identity).map_err(|e| b(e.to_string()))?
        } else {
            subject.clone()
        };
        let spki = spki::SubjectPublicKeyInfoOwned::from_der(&spki)
            .map_err(|e| internal(Error::encoding(e)))?;
        if let Some(cert) = certify_encryption_key(agent, &subject, &spki, rng)? {
            certificate_id = Some(
                crate::cms::ktri::rid_for_cert(&cert)
                    .to_der()
                    .map_err(|e| internal(Error::encoding(e)))?,
            );
            outcome.issued.push(cert);
        }
    }
    // A store that cannot take the key is the agent's setup mistake (no response, exit 2).
    store.ready_to_file().map_err(setup)?;
    let put = store
        .put(
            &NewEntry {
                key: &key,
                identity,
                selection: selection_bytes(&ka.selection_criteria),
                subject,
                source: "archive",
                signer_spki: signer,
                archived: agent.now.clone(),
                proved_identity: parsed.proved.clone(),
                certificate_id,
            },
            rng,
        )
        .map_err(|e| store_failure(outcome, body, e))?;
    outcome.keys.push(key_info(
        &key,
        match put {
            PutOutcome::Stored { .. } => "stored",
            PutOutcome::AlreadyHeld { .. } => "already held",
        },
    )?);
    Ok(Success {
        status_body,
        control: None,
        cms: None,
    })
}
