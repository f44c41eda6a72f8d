//! The ceremony-record line of one agent decision (`kmi cmc respond --log`): an [`Outcome`]
//! reduced to digests, fingerprints and codes, so the record shows every archive, recovery and
//! key generation the agent answered (granted or refused) and never any key material.

use sha2::{Digest, Sha256};

use super::Outcome;
use crate::log::{AgentDecision, KeyRecord};

impl Outcome {
    /// The record of this decision on `request` (the bytes as read).
    pub fn decision(&self, request: &[u8]) -> AgentDecision {
        AgentDecision {
            request_sha256: hex::encode(Sha256::digest(request)),
            kind: self.kind.map(|k| k.name().to_string()),
            identity: self.identity.clone(),
            signers: self.signer_fingerprints.clone(),
            decision: if self.ok() { "granted" } else { "refused" }.into(),
            fail_info: self.fail_info.clone(),
            reason: self.failure.clone(),
            keys: self
                .keys
                .iter()
                .map(|k| KeyRecord {
                    fingerprint: k.fingerprint.clone(),
                    action: k.action.clone(),
                })
                .collect(),
            store_head: self.store_head.clone(),
        }
    }
}

/// The record of a request the agent did not answer (a mistake in its setup: no response was
/// written); `why` is the error the command exits with.
pub fn not_answered(request: &[u8], why: &str) -> AgentDecision {
    AgentDecision {
        request_sha256: hex::encode(Sha256::digest(request)),
        kind: None,
        identity: None,
        signers: Vec::new(),
        decision: "not answered".into(),
        fail_info: None,
        reason: Some(why.to_string()),
        keys: Vec::new(),
        store_head: None,
    }
}
