//! The agent's side of requests without a signing key ([`crate::cmc::identity`]): checking an
//! AuthenticatedData request's MAC and every request's identityProofV2 against the secret of
//! the identity it names, the NULL-issuer signer of a catastrophic-loss recovery request, and the
//! certificate for that request's new signing key.
//!
//! Every failure of the identity check (a name the agent holds no secret for, a wrong secret, a
//! changed MAC or content, a wrong proof) is one answer: failInfo **badIdentity** with the one
//! statusString [`IDENTITY_NOT_PROVED`], and it costs the same work (an unknown name is checked
//! against a fixed dummy secret, the MAC and the proof are both computed and compared in constant
//! time whatever else failed), so the answer says nothing about which step failed or which names
//! the agent knows. What is visible without any secret (a malformed AuthenticatedData, a PBKDF2
//! count above [`MAX_AGENT_PBKDF2_ITERATIONS`], a missing identification control) is a
//! badRequest saying so. An agent run without `--identity-secrets` answers badIdentity too:
//! the request is well formed, the agent just knows no one by that name.
//!
//! What a proof binds: in AuthenticatedData the MAC covers the whole PKIData; in a
//! catastrophic-loss request the proof covers the PKCS#10 of the new key and that key's signature
//! covers the rest. A SignedData request whose proof covers no certification request (the
//! recovery fallback of `crate::cmc::identity::proof_input`) binds only its KeyRecoveryReq values:
//! whoever replays the proof under another signature still has the keys shrouded as the original
//! request asked.

use cms::content_info::ContentInfo;
use cms::signed_data::SignerIdentifier;
use rand_core::CryptoRngCore;
use x509_cert::request::CertReq;

use super::archive::verify_pkcs10;
use super::{bad, fail, identification, Agent, Failure, Outcome, Parsed, Success};
use crate::cmc::identity::{
    certify_new_signing_key, check_identity_proof, null_dn_body_part, proof_input,
    MAX_AGENT_PBKDF2_ITERATIONS,
};
use crate::cmc::types::*;
use crate::cms::authenticated::Authenticated;

/// The statusString of every failed identity check.
pub const IDENTITY_NOT_PROVED: &str =
    "the request's identity could not be verified (identification, shared secret, MAC and identityProofV2)";

/// What an unknown name is checked against, so that it costs what a known one does.
const DUMMY_SECRET: [u8; 32] = [0x5a; 32];

/// Read ContentInfo(AuthenticatedData): its form only; nothing is derived yet.
pub(super) fn authenticated(ci: &ContentInfo) -> std::result::Result<Authenticated, Failure> {
    Authenticated::from_content_info(ci).map_err(|e| bad(0)(e.to_string()))
}

fn identity_failure() -> Failure {
    fail(CmcFailInfo::BAD_IDENTITY, 0, IDENTITY_NOT_PROVED)
}

/// Check the identity a request proves, if it carries identityProofV2 or is AuthenticatedData;
/// sets `parsed.proved` to the identification it proved.
pub(super) fn prove(agent: &Agent<'_>, parsed: &mut Parsed) -> std::result::Result<(), Failure> {
    let proofs: Vec<&IdentityProofV2> = parsed
        .controls
        .iter()
        .filter_map(|(_, c)| match c {
            Control::IdentityProofV2(p) => Some(p),
            _ => None,
        })
        .collect();
    if parsed.authenticated.is_none() && proofs.is_empty() {
        return Ok(());
    }
    let what = if parsed.authenticated.is_some() {
        "an AuthenticatedData request"
    } else {
        "a request with identityProofV2"
    };
    let proof = match proofs.as_slice() {
        [p] => (*p).clone(),
        [] => {
            return Err(bad(0)(format!(
                "{what} must carry identityProofV2 (RFC 5272 section 6.2.2)"
            )))
        }
        _ => return Err(bad(0)("more than one identityProofV2 control".into())),
    };
    let names = parsed
        .controls
        .iter()
        .filter(|(_, c)| matches!(c, Control::Identification(_)))
        .count();
    let name = match (names, identification(parsed)) {
        (1, Some(n)) => n,
        _ => {
            return Err(bad(0)(format!(
                "{what} must name its identity in exactly one id-cmc-identification control"
            )))
        }
    };
    let data = proof_input(&parsed.pki_der, agent.oids).map_err(|e| bad(0)(e.to_string()))?;
    if let Some(a) = &parsed.authenticated {
        if a.iterations() > MAX_AGENT_PBKDF2_ITERATIONS {
            return Err(bad(0)(format!(
                "the AuthenticatedData's PBKDF2 iteration count {} is above this agent's limit of {MAX_AGENT_PBKDF2_ITERATIONS}",
                a.iterations()
            )));
        }
        a.charge().map_err(|e| bad(0)(e.to_string()))?;
    }
    let secret = agent.identity_secrets.and_then(|s| s.get(&name));
    let known = secret.is_some();
    let secret: &[u8] = secret.map(|s| s.as_bytes()).unwrap_or(&DUMMY_SECRET);
    let mac_ok = parsed
        .authenticated
        .as_ref()
        .map(|a| a.check(secret))
        .unwrap_or(true);
    let proof_ok = check_identity_proof(secret, &name, &proof, &data);
    if !(known & mac_ok & proof_ok) {
        return Err(identity_failure());
    }
    parsed.proved = Some(name);
    Ok(())
}

/// The PKCS#10 a NULL-issuer signer identifier names (draft section 5.3 step 3), with its
/// self-signature checked: the new signing key of a catastrophic-loss recovery request.
pub(super) fn null_dn_request<'p>(
    parsed: &'p Parsed,
    sid: &SignerIdentifier,
) -> Option<&'p CertReq> {
    let id = null_dn_body_part(sid)?;
    parsed.pki.req_sequence.iter().find_map(|r| match r {
        TaggedRequest::Tcr(t) if t.body_part_id == id => {
            let spki = der::Encode::to_der(&t.certification_request.info.public_key).ok()?;
            verify_pkcs10(&t.certification_request, &spki)
                .ok()
                .map(|_| &t.certification_request)
        }
        _ => None,
    })
}

/// The new signing key's request of a catastrophic-loss recovery request: a signer named by a
/// NULL issuer whose PKCS#10 is in the reqSequence, on a request whose identity was proved.
fn new_signing_key(parsed: &Parsed) -> Option<(BodyPartID, &CertReq)> {
    parsed.proved.as_ref()?;
    let signed = parsed.signed.as_ref()?;
    signed.signer_infos.0.iter().find_map(|si| {
        let id = null_dn_body_part(&si.sid)?;
        null_dn_request(parsed, &si.sid).map(|r| (id, r))
    })
}

/// After a successful recovery: a catastrophic-loss request's new signing key is certified by the
/// agent's CA (the certificate goes in the response's certificate bag and the request's
/// bodyPartID in the status bodyList), or the response says that no certificate was issued.
pub(super) fn after_recovery(
    agent: &Agent<'_>,
    parsed: &Parsed,
    mut success: Success,
    rng: &mut dyn CryptoRngCore,
    outcome: &mut Outcome,
) -> std::result::Result<Success, Failure> {
    let Some((id, req)) = new_signing_key(parsed) else {
        return Ok(success);
    };
    match certify_new_signing_key(agent.ca.as_ref(), req, rng) {
        Ok(Some(cert)) => {
            success.status_body.push(id);
            outcome.issued.push(cert);
            outcome.status_note = Some(format!(
                "keys recovered; the new signing key (request {id}) is certified"
            ));
        }
        Ok(None) => {
            outcome.status_note = Some(format!(
                "keys recovered; no certificate was issued for the new signing key (request {id}): this agent has no CA"
            ));
        }
        Err(e) => {
            outcome.status_note = Some(format!(
                "keys recovered; no certificate was issued for the new signing key (request {id}): {e}"
            ));
        }
    }
    Ok(success)
}
