//! Recovery requests (KeyRecoveryReq): find the keys filed under the identity, check that the
//! requester signed with the key that archived them, and return them shrouded: one key as
//! EncKeyWithID, several as id-ct-multiplePrivateKeys (draft 3.1, 3.2, 5.2, 5.2.1).

use rand_core::CryptoRngCore;

use der::{Decode, Encode};

use super::{
    bad, fail, fail_archive, identification, internal, key_info, selection_bytes, setup,
    shroud_recipients, shroud_spki, stored_signers, verify, Agent, Failure, Outcome, Parsed,
    Success, RSP_KEYS,
};
use crate::cmc::build::{key_certificate_id, multiple_private_keys, shrouded_keys};
use crate::cmc::oids::ArchiveError;
use crate::cmc::store::{short_fp, spki_fingerprint, KeyStore};
use crate::cmc::types::*;
use crate::cms::asn1::AES256_CBC;
use crate::keys::PrivateKey;

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
    extras.extend(stored_signers(parsed, &*store)?);
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
    // Non-disclosure: "no key filed" and "keys filed, but not for this signer" are one answer
    // (same failInfo, statusString and response shape), reached by the same work (the store is
    // read whole either way, and no key is loaded before the signer is authorised). Only the
    // operator's record says which it was.
    let found = store.find(&identity, selection.as_deref()).map_err(setup)?;
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
        let mut refusal = not_recoverable(body, &identity, selection.is_some());
        if !found.is_empty() {
            refusal.detail = Some(format!(
                "{} key(s) are filed under {identity:?}, but the request is not signed by the key that archived them (answered as noKeysFound: a refusal does not say whether keys exist)",
                found.len()
            ));
        }
        return Err(refusal);
    }
    let mut keys = Vec::new();
    for m in allowed {
        // A key the agent cannot open (a split key without --identity, a store entry that does
        // not read) is the agent's setup, not the client's fault: no response.
        let k = store
            .load(m, rng)
            .map_err(|e| setup(format!("key {}: {e}", short_fp(&m.fingerprint))))?;
        outcome.keys.push(key_info(&k, "returned")?);
        let certificate_id = match &m.certificate_id {
            Some(h) => hex::decode(h)
                .ok()
                .and_then(|d| RecipientIdentifier::from_der(&d).ok())
                .ok_or_else(|| {
                    setup(format!(
                        "store entry {}: its certificate_id is not a RecipientIdentifier",
                        short_fp(&m.fingerprint)
                    ))
                })?,
            None => key_certificate_id(&k).map_err(internal)?,
        };
        keys.push((k, certificate_id));
    }
    let (certificate_id, env) = shroud(&keys, &identity, &recipients, oids, rng)?;
    Ok(Success {
        status_body: vec![body],
        control: Some(Control::KeyRecoveryRsp(KeyRecoveryRsp {
            cms_body_part_id: RSP_KEYS,
            certificate_id: Some(certificate_id),
            selection_criteria: krr.selection_criteria.clone(),
        })),
        cms: Some(env),
    })
}

/// The one refusal for "nothing this request may recover" (draft 5.2: noKeysFound), whether no
/// key is filed under the identity or the keys filed there are not the signer's: its text
/// depends only on the request.
pub(super) fn not_recoverable(body: BodyPartID, identity: &str, selected: bool) -> Failure {
    fail_archive(
        ArchiveError::NoKeysFound,
        body,
        format!(
            "no archived key for identity {identity:?}{} that this request may recover",
            if selected {
                " with these selection criteria"
            } else {
                ""
            }
        ),
    )
}

/// The recovered keys shrouded for `recipients`, and the KeyRecoveryRsp certificateId. One key:
/// EncKeyWithID (identifier: the identity) named by the control's certificateId (draft 3.1,
/// 5.2.1). Several (draft 3.2, 5.2: no selectionCriteria returns all the identity's keys):
/// id-ct-multiplePrivateKeys, each SinglePrivateKey naming its own certificate; Appendix A makes
/// the control's certificateId mandatory, so it names the first.
fn shroud(
    keys: &[(PrivateKey, RecipientIdentifier)],
    identity: &str,
    recipients: &[crate::cms::Recipient],
    oids: &crate::cmc::oids::CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> std::result::Result<(RecipientIdentifier, Vec<u8>), Failure> {
    let first = keys
        .first()
        .map(|(_, id)| id.clone())
        .ok_or_else(|| internal(crate::Error::internal("no key to return")))?;
    let env = match keys {
        [(k, _)] => shrouded_keys(
            &[(k.clone(), Some(identity.to_string()))],
            recipients,
            oids,
            rng,
        )
        .map_err(internal)?,
        _ => {
            let refs: Vec<&PrivateKey> = keys.iter().map(|(k, _)| k).collect();
            let mut items = multiple_private_keys(&refs).map_err(internal)?;
            for (item, (_, id)) in items.iter_mut().zip(keys) {
                item.certificate_id = id.clone();
            }
            let plain = zeroize::Zeroizing::new(
                items
                    .to_der()
                    .map_err(|e| internal(crate::Error::encoding(e)))?,
            );
            crate::cms::envelope(&plain, oids.ct_multiple_private_keys, recipients, rng)
                .map_err(internal)?
        }
    };
    Ok((first, env))
}
