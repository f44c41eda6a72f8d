//! Recovery requests (KeyRecoveryReq): find the keys filed under the identity, check that the
//! requester signed with the key that archived them, and return them shrouded.

use rand_core::CryptoRngCore;

use super::{
    bad, fail, fail_archive, identification, internal, key_info, selection_bytes,
    shroud_recipients, shroud_spki, verify, Agent, Failure, Outcome, Parsed, Success, RSP_KEYS,
};
use crate::cmc::build::{key_certificate_id, shrouded_keys};
use crate::cmc::oids::ArchiveError;
use crate::cmc::store::{spki_fingerprint, KeyStore};
use crate::cmc::types::*;
use crate::cms::asn1::AES256_CBC;

pub(super) fn recover(
    agent: &Agent<'_>,
    parsed: &Parsed,
    body: BodyPartID,
    krr: &KeyRecoveryReq,
    store: &mut dyn KeyStore,
    rng: &mut dyn CryptoRngCore,
    outcome: &mut Outcome,
) -> std::result::Result<Success, Failure> {
    let oids = agent.oids;
    let mut extras: Vec<Vec<u8>> = shroud_spki(&krr.shroud_method, oids).into_iter().collect();
    extras.extend(store.signer_spkis().map_err(internal)?);
    let signers = verify(parsed, &extras, outcome)?;
    let identity = identification(parsed).ok_or_else(|| {
        bad(0)("a recovery request must name its identity (id-cmc-identification)".into())
    })?;
    outcome.identity = Some(identity.clone());
    // The first of the client's encCapabilities this agent encrypts with (only AES-256-CBC:
    // the returned EnvelopedData carries id-ct-encKeyWithID, which AuthEnvelopedData could only
    // carry with authAttrs that openssl 3.0 cannot read).
    if !krr
        .enc_capabilities
        .iter()
        .any(|c| c.capability_id == AES256_CBC)
    {
        let offered: Vec<String> = krr
            .enc_capabilities
            .iter()
            .map(|c| c.capability_id.to_string())
            .collect();
        return Err(fail(
            CmcFailInfo::BAD_ALG,
            body,
            format!(
                "none of the content-encryption algorithms the request accepts ({}) is supported (kmi uses id-aes256-CBC)",
                if offered.is_empty() { "none".to_string() } else { offered.join(", ") }
            ),
        ));
    }
    let recipients = shroud_recipients(agent, &krr.shroud_method, body)?;
    let selection = selection_bytes(&krr.selection_criteria);
    let found = store
        .find(&identity, selection.as_deref())
        .map_err(internal)?;
    if found.is_empty() {
        return Err(fail_archive(
            ArchiveError::NoKeysFound,
            body,
            format!(
                "no archived key for identity {identity:?}{}",
                if selection.is_some() {
                    " with these selection criteria"
                } else {
                    ""
                }
            ),
        ));
    }
    let signer_fps: Vec<String> = signers.iter().map(|s| spki_fingerprint(s)).collect();
    let allowed: Vec<_> = found
        .iter()
        .filter(|m| {
            agent.policy.allow_any_signer
                || signer_fps.contains(&m.signer_spki_sha256)
                // Archived by a request that proved this identity, recovered by one that does.
                || (parsed.proved.is_some() && m.proved_identity == parsed.proved)
        })
        .collect();
    if allowed.is_empty() {
        return Err(fail(
            CmcFailInfo::BAD_IDENTITY,
            body,
            format!(
                "{} key(s) are filed under {identity:?}, but the request is not signed by the key that archived them",
                found.len()
            ),
        ));
    }
    let mut keys = Vec::new();
    for m in allowed {
        let k = store.load(m, rng).map_err(|e| {
            fail(
                CmcFailInfo::INTERNAL_CA_ERROR,
                body,
                format!(
                    "cannot load key {}: {e}",
                    crate::cmc::store::short_fp(&m.fingerprint)
                ),
            )
        })?;
        outcome.keys.push(key_info(&k, "returned")?);
        keys.push((k, Some(identity.clone())));
    }
    // Appendix A's certificateId: kmi's store keeps no certificates, so the key names itself by
    // its subjectKeyIdentifier (with several keys, the first; each also carries its own).
    let certificate_id = match keys.first() {
        Some((k, _)) => Some(key_certificate_id(k).map_err(internal)?),
        None => None,
    };
    let env = shrouded_keys(&keys, &recipients, oids, rng).map_err(internal)?;
    Ok(Success {
        status_body: vec![body],
        control: Some(Control::KeyRecoveryRsp(KeyRecoveryRsp {
            cms_body_part_id: RSP_KEYS,
            certificate_id,
            selection_criteria: krr.selection_criteria.clone(),
        })),
        cms: Some(env),
    })
}
