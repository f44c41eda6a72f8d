//! The escrow agent: one request in, one signed PKIResponse out ([`respond`]), as a pure function
//! of the request bytes, the agent's credentials and policy, a [`KeyStore`] and an RNG.
//!
//! What is checked, in order; the first failure becomes a PKIResponse whose CMCStatusInfoV2 is
//! `failed` (bodyList: the body part at fault, or 0 for the whole message) with:
//! - not DER/BER, not ContentInfo(SignedData) or ContentInfo(AuthenticatedData), eContentType
//!   not id-cct-PKIData, PKIData or a known control malformed, no (or more than one) archive
//!   control: failInfo **badRequest**;
//! - an AuthenticatedData request, or one with identityProofV2, whose MAC or proof does not check
//!   with the secret of the identity it names (an unknown name and an agent without
//!   `identity_secrets` included): **badIdentity** with one statusString for every cause, before
//!   the request is acted on (see `identity`);
//! - a signature that does not verify, or a signer without a certificate or known public key:
//!   **badMessageCheck**;
//! - archive: the KeyArchival control names no request or no key, a key in
//!   id-aa-cmc-unsignedData that no signed KeyArchival control (with cmsBodyPartID 0) names, an
//!   envelope that is not EnvelopedData or AuthEnvelopedData, not encrypted for this agent with
//!   RSA-OAEP (PKCS#1 v1.5 key transport is refused before any decryption) or holding neither
//!   id-ct-encKeyWithID nor id-data: **badRequest** saying which; once decryption has started, whatever fails
//!   (decryption, padding or tag, EncKeyWithID, the key's checks, its match with the request's
//!   public key): **badRequest** with the one statusString "the archived key could not be
//!   opened" (no decryption oracle: see `open_archived`); a PKCS#10 whose self-signature fails:
//!   **popFailed**; a key not declared for keyEncipherment or keyAgreement alone (no keyUsage,
//!   or any signing use): **badRequest** (signature keys are never escrowed,
//!   [`escrow_refusal`]), unless the agent runs with `accept_signing_keys`;
//! - any bodyPartID used twice in the PKIData, or more controls, body parts, certificates,
//!   signers, attributes or recipients than [`super::bounds`] allows: **badRequest**, before the
//!   signature is checked;
//! - keygen: a template whose publicKey is not empty, a keyUsage with a signing use:
//!   **badRequest**; a critical extension other than keyUsage: **unsupportedExt**; no
//!   encCapabilities the agent writes: **badAlg**; an ElGamal group above
//!   `Policy::max_keygen_bits` (`--max-bits`, default 4096) or an ElGamal
//!   group that fails the registration checks (or has q under 160 bits): **badAlg**, before any
//!   key is generated;
//! - archive by certificateID (KeyArchival keyIdentification certificateID): the named
//!   certificate must travel in the request's SignedData certificates (the agent keeps none of
//!   its own) or **badRequest**; the key must match its public key (the one statusString above)
//!   and its keyUsage decides escrow as a request's would; the certificate's
//!   issuerAndSerialNumber is filed with the key as its certificateId;
//! - recovery and keygen: a shroud method kmi does not know, or a shared secret the agent does
//!   not hold: extendedFailInfo **unsupportedShroudMethod**; a non-RSA shroud key or an
//!   unsupported algorithm: **badAlg**; nothing this request may recover: **noKeysFound** (see
//!   below); keygen without fArchiveKey when the agent requires archival: **archiveRequired**.
//!
//! Non-disclosure (issue 12): "the answer to an unauthorised recovery request must not reveal
//! whether keys exist for that identity". A recovery request for an identity with no keys (under
//! its selection criteria) and one whose signer is not the key that archived the identity's keys
//! get the same answer: extendedFailInfo **noKeysFound** (the draft's code for "nothing to
//! return"; badIdentity would be a different failInfo in a different arm of OtherStatusInfo, so
//! the shape itself would tell), the same statusString (it depends only on the request's
//! identity and whether it has selection criteria), the same body list, controls and (empty)
//! cmsSequence. The work is the same too: the store's index is read whole either way, and no key
//! is loaded (no share reconstructed) before the signer is known to be authorised. Only the
//! operator's side tells them apart (`Outcome::failure`, the ceremony record, the exit message).
//! A signer the agent cannot verify at all (unknown key identifier, bad signature) is refused
//! with badMessageCheck before the store is consulted for the identity, so that answer does not
//! depend on the identity's keys either.
//!
//! Mistakes of the agent's own setup are not answered (`Failure::setup`): a store that cannot be
//! read, a key the agent cannot open (a split key without the trustees' keys, or with keys that
//! do not reconstruct it, an entry that does not read), a shared-secret source that fails.
//! [`respond`] returns `Error::Invalid` (exit 2) and writes no response, so the client never
//! receives a refusal it did not cause and the operator can answer the same request again.
//! (A store that cannot be *written* while filing a key stays a failure response, internalCAError,
//! and exit 3: see `store_failure`.)
//!
//! Who may recover a key: the request's signature must verify, and the signer's public key must
//! be the one that signed the request that archived the key (recorded in the store as
//! `signer_spki`): a client that archives with `--sign-key`/`--sign-cert` recovers with the same
//! key. When the archived key signed its own request (no certificate yet) and has since been
//! lost, the operator, having checked the requester's identity out of band, runs the agent with
//! `allow_any_signer`; the request must still carry a valid signature. A key archived by a
//! request that proved its identity with a shared secret (AuthenticatedData or identityProofV2,
//! recorded in the store as `proved_identity`) is recovered by a request that proves the same
//! identity, including a catastrophic-loss recovery signed by a new key (draft section 5.3),
//! whose new key the agent certifies when it has a CA. kmi's agent holds no
//! trust anchors, so certificates are not chain-validated: what a certificate adds is the
//! signer's public key.
//!
//! Responses are SignedData(id-cct-PKIResponse) signed by the agent (issuerAndSerialNumber, its
//! certificate included): by its decryption key, or by a separate [`ResponseSigner`]. Controls:
//! 1 statusInfoV2, 2 transactionId and 3 recipientNonce (echoed from the request when it had
//! them), 4 senderNonce, 5 KeyRecoveryRsp or ServerKeyGenResponse,
//! and cmsSequence entry 6 with the shrouded key(s): EnvelopedData(id-ct-encKeyWithID), or
//! id-ct-multiplePrivateKeys for several keys, for the shroud the request asked for: KTRI
//! (RSA-OAEP-SHA256) to the given certificate or public key, or PWRI (PBKDF2-HMAC-SHA256 with
//! AES key wrap per the draft, or RFC 3211 for openssl peers) under the shared secret.
//!
//! With a CA (`--ca-key/--ca-cert`, [`Agent::ca`]) the agent also issues certificates
//! (`certify`): for an archived encryption key (subject and key from its certification request),
//! for a generated key (the template's subject; ServerKeyGenResponse.issuerAndSerialNumber names
//! it) and for the new signing key of a catastrophic-loss recovery (`identity`). Issued
//! certificates and the CA's chain travel in the response's SignedData certificate bag.
//!
//! Recovery returns one key as EncKeyWithID with the KeyRecoveryRsp certificateId naming its
//! certificate; several (a request without selectionCriteria gets all of the identity's keys
//! its signer may recover, draft 5.2) as one id-ct-multiplePrivateKeys whose SinglePrivateKeys
//! each name their own certificate (the control names the first). A certificateId is the filed
//! issuerAndSerialNumber, else the key's subjectKeyIdentifier.
//!
//! The request kinds have their own modules (`archive`, `recover`, `keygen`); `decode` reads
//! and verifies the request, `shroud` says how keys go back; this one dispatches and builds the
//! response. `record` turns an
//! [`Outcome`] into its ceremony-record line (`kmi cmc respond --log`).
//!
//! [`escrow_refusal`]: super::build::escrow_refusal

use std::collections::BTreeMap;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use serde::Serialize;
use spki::SubjectPublicKeyInfoRef;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::identity::{CaIssuer, IdentitySecrets};
use super::oids::{ArchiveError, CmcOids};
use super::store::{spki_fingerprint, KeyStore};
use super::types::*;
use crate::cms::authenticated::{Authenticated, ID_AUTH_DATA};
use crate::cms::ktri::{cert_spki, key_identifier};
use crate::cms::signed::{
    sid_for_cert, SignedDataSpec, SignedMessage, SignerProblem, ID_SIGNED_DATA,
};
use crate::cms::Recipient;
use crate::keys::{encode_public_spki, PrivateKey, RsaPrivate};
use crate::math::prime::SearchConfig;
use crate::{Error, Result};
use archive::archive;
use keygen::keygen;
use recover::recover;

/// Body part IDs of kmi's responses.
pub const RSP_STATUS: BodyPartID = 1;
pub const RSP_TRANSACTION_ID: BodyPartID = 2;
pub const RSP_RECIPIENT_NONCE: BodyPartID = 3;
pub const RSP_SENDER_NONCE: BodyPartID = 4;
pub const RSP_CONTROL: BodyPartID = 5;
pub const RSP_KEYS: BodyPartID = 6;

/// RSA sizes the agent generates.
pub const KEYGEN_RSA_BITS: std::ops::RangeInclusive<u32> = 1024..=8192;
/// The smallest ElGamal group the agent accepts for key generation.
pub const KEYGEN_MIN_ELGAMAL_BITS: u64 = 512;

/// How a shared-secret PWRI wraps the content key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PwriKek {
    /// id-aes256-wrap (RFC 3394): what the draft specifies.
    AesKw,
    /// id-alg-PWRI-KEK (RFC 3211): what openssl 3.0 and Bouncy Castle open.
    Rfc3211,
}

/// The agent's own default for [`Policy::max_keygen_bits`] (`--max-bits`).
pub const DEFAULT_MAX_KEYGEN_BITS: u64 = 4096;
/// The default of [`Policy::keygen_rsa_bits`]: the size `kmi key generate rsa` makes.
pub const DEFAULT_KEYGEN_RSA_BITS: u32 = 2048;
/// The smallest subgroup order q the agent generates ElGamal keys in.
pub const KEYGEN_MIN_ELGAMAL_Q_BITS: u64 = 160;

/// The agent's policy switches.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Recover for any validly signed request, not only one signed by the key that archived.
    pub allow_any_signer: bool,
    /// Archive keys whose declared use is signing only.
    pub accept_signing_keys: bool,
    /// Refuse server key generation without fArchiveKey (archiveRequired).
    pub require_archive: bool,
    /// The largest key the agent generates for a request: |N| for RSA, |p| for ElGamal
    /// (`--max-bits`). A request for more is refused with badAlg before any work: the client
    /// chooses the size, the agent pays for it (an 8192-bit safe-prime RSA key takes minutes).
    pub max_keygen_bits: u64,
    /// |N| of the RSA keys the agent generates (`--keygen-bits`): the draft's CertTemplate has no
    /// field for a size, so the agent decides. Within [`KEYGEN_RSA_BITS`] and `max_keygen_bits`
    /// (checked when the policy is made, [`Policy::check`]).
    pub keygen_rsa_bits: u32,
}

impl Policy {
    /// A policy the agent can run with: an operator's mistake, found before any request is read.
    pub fn check(&self) -> Result<()> {
        if !KEYGEN_RSA_BITS.contains(&self.keygen_rsa_bits) {
            return Err(Error::invalid(format!(
                "--keygen-bits {}: RSA keys of {} to {} bits",
                self.keygen_rsa_bits,
                KEYGEN_RSA_BITS.start(),
                KEYGEN_RSA_BITS.end()
            )));
        }
        if u64::from(self.keygen_rsa_bits) > self.max_keygen_bits {
            return Err(Error::invalid(format!(
                "--keygen-bits {} is above --max-bits {}",
                self.keygen_rsa_bits, self.max_keygen_bits
            )));
        }
        Ok(())
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            allow_any_signer: false,
            accept_signing_keys: false,
            require_archive: false,
            max_keygen_bits: DEFAULT_MAX_KEYGEN_BITS,
            keygen_rsa_bits: DEFAULT_KEYGEN_RSA_BITS,
        }
    }
}

/// A key and certificate that sign the agent's responses in place of its decryption key.
///
/// Key separation: the agent's key decrypts whatever a request carries; if the same key also
/// signed, every weakness of the decryption path (a padding or timing oracle) would be one on the
/// signing key too, and the other way round (RSA signing and decryption are the same private
/// operation). A separate signing key can also live elsewhere (a token, another host) and be
/// rotated without re-keying the clients that encrypt to the agent's certificate.
pub struct ResponseSigner<'a> {
    pub key: &'a RsaPrivate,
    pub cert: &'a Certificate,
}

/// The agent: credentials, policy and where shared secrets come from.
pub struct Agent<'a> {
    /// The key transport (decryption) key: archived keys are encrypted to it.
    pub key: &'a RsaPrivate,
    /// Its certificate, which clients encrypt to.
    pub cert: &'a Certificate,
    /// Who signs responses: `None` for the decryption key and its certificate.
    pub response_signer: Option<ResponseSigner<'a>>,
    pub oids: &'a CmcOids,
    /// The secret shared with the client that names it: `Ok(None)` when the agent has none.
    pub shared_secret: &'a dyn Fn(&str) -> Result<Option<Zeroizing<String>>>,
    pub pwri_kek: PwriKek,
    pub pwri_iterations: u32,
    pub policy: Policy,
    pub search: SearchConfig,
    /// The time recorded for newly filed keys (RFC 3339).
    pub now: String,
    /// The secrets of the identities that may send requests without a signing key
    /// (`--identity-secrets`; see `identity`).
    pub identity_secrets: Option<&'a IdentitySecrets>,
    /// The CA that certifies the new signing key of a catastrophic-loss recovery.
    pub ca: Option<CaIssuer<'a>>,
}

/// The kind of request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    Archive,
    Recovery,
    Keygen,
}

impl RequestKind {
    /// The lower-case name (as serialized).
    pub fn name(self) -> &'static str {
        match self {
            RequestKind::Archive => "archive",
            RequestKind::Recovery => "recovery",
            RequestKind::Keygen => "keygen",
        }
    }
}

/// Why a request failed, as the response says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailInfo {
    Cmc(CmcFailInfo),
    Archive(ArchiveError),
}

impl FailInfo {
    pub fn name(&self) -> String {
        match self {
            FailInfo::Cmc(c) => c.name().unwrap_or("CMCFailInfo").to_string(),
            FailInfo::Archive(a) => a.name().to_string(),
        }
    }
}

/// A failed request.
#[derive(Clone, Debug)]
pub struct Failure {
    pub info: FailInfo,
    pub body: Vec<BodyPartID>,
    /// The statusString the client reads.
    pub message: String,
    /// What the operator reads instead (`Outcome::failure`, the ceremony record) when the client
    /// is told less: an unauthorised recovery request (see the module doc).
    pub detail: Option<String>,
    /// Set when the fault is the agent's own setup, not the request's: [`respond`] then writes
    /// no response and returns `Error::Invalid` with this text (exit 2).
    pub setup: Option<String>,
}

fn fail(info: CmcFailInfo, body: BodyPartID, message: impl Into<String>) -> Failure {
    Failure {
        info: FailInfo::Cmc(info),
        body: vec![body],
        message: message.into(),
        detail: None,
        setup: None,
    }
}

fn fail_archive(err: ArchiveError, body: BodyPartID, message: impl Into<String>) -> Failure {
    Failure {
        info: FailInfo::Archive(err),
        body: vec![body],
        message: message.into(),
        detail: None,
        setup: None,
    }
}

/// A mistake in the agent's own setup (its key store cannot be read, a split key needs trustees'
/// keys it was not given, its shared-secret file cannot be read): no response is written and
/// the command exits 2, so that the operator fixes the setup and answers the request again,
/// instead of the client receiving a refusal it did not cause.
fn setup(what: impl std::fmt::Display) -> Failure {
    let message = what.to_string();
    Failure {
        setup: Some(message.clone()),
        ..fail(CmcFailInfo::INTERNAL_CA_ERROR, 0, message)
    }
}

/// One key the agent handled.
#[derive(Clone, Debug, Serialize)]
pub struct KeyInfo {
    /// SHA-256 of the SubjectPublicKeyInfo DER (hex).
    pub fingerprint: String,
    pub algorithm: &'static str,
    pub bits: u64,
    /// "stored", "already held", "returned", "generated".
    pub action: String,
}

/// What [`respond`] did.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub kind: Option<RequestKind>,
    pub identity: Option<String>,
    pub keys: Vec<KeyInfo>,
    /// None on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_info: Option<String>,
    /// The request's signers, in words.
    pub signers: Vec<String>,
    /// SHA-256 of the SubjectPublicKeyInfo DER of every signer whose signature verified.
    pub signer_fingerprints: Vec<String>,
    /// Set when the key store could not be written: a failure of the agent, not of the request
    /// (the command exits 3). The detail stays local: the response says only that the key could
    /// not be filed.
    #[serde(skip)]
    pub store_error: Option<String>,
    /// Certificates the agent issued for the request (they go in the response's certificate bag).
    #[serde(skip)]
    pub issued: Vec<Certificate>,
    /// The statusString of a successful response, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    /// The request proved `identity` with the secret it shares with the agent (AuthenticatedData
    /// or identityProofV2; see `identity`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub identity_proved: bool,
    /// The head of the store's decision history after this decision was recorded (a store
    /// that keeps one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_head: Option<String>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

/// What the request gave to echo.
#[derive(Default)]
struct Echo {
    transaction_id: Option<Int>,
    sender_nonce: Option<OctetString>,
}

/// The decoded request.
struct Parsed {
    /// The SignedData, or None for an AuthenticatedData request (see `identity`).
    signed: Option<SignedData>,
    /// The AuthenticatedData, its MAC not yet checked.
    authenticated: Option<Authenticated>,
    pki: PkiData,
    /// The PKIData as received (DER): what identityProofV2 covers.
    pki_der: Vec<u8>,
    controls: Vec<(BodyPartID, Control)>,
    /// The identification the request proved with a shared secret (`identity::prove`).
    proved: Option<String>,
}

struct Success {
    status_body: Vec<BodyPartID>,
    control: Option<Control>,
    cms: Option<Vec<u8>>,
}

/// Answer one request. `Err` only for failures of the agent itself (it cannot sign, its
/// configuration is unusable); everything wrong with the request is a failed PKIResponse with
/// `Outcome::failure` set.
pub fn respond(
    agent: &Agent<'_>,
    request: &[u8],
    store: &mut dyn KeyStore,
    rng: &mut dyn CryptoRngCore,
) -> Result<(Vec<u8>, Outcome)> {
    let mut outcome = Outcome {
        kind: None,
        identity: None,
        keys: Vec::new(),
        failure: None,
        fail_info: None,
        signers: Vec::new(),
        signer_fingerprints: Vec::new(),
        store_error: None,
        issued: Vec::new(),
        identity_proved: false,
        status_note: None,
        store_head: None,
    };
    let mut echo = Echo::default();
    let mut result = handle(agent, request, store, rng, &mut echo, &mut outcome);
    if let Err(f) = &result {
        // A refused request files nothing (a key filed before a later step failed included).
        store.rollback();
        if let Some(why) = &f.setup {
            return Err(Error::invalid(format!(
                "the agent cannot answer this request: {why} (no response was written)"
            )));
        }
        note_failure(&mut outcome, f);
    }
    // The decision and the keys it filed become durable together, in one transaction, before
    // the response exists: a response never reports a key the store does not hold, and the
    // store's history never lacks a decision that was answered.
    match store.commit(&outcome.decision(request)) {
        Ok(head) => outcome.store_head = head,
        Err(e) => {
            store.rollback();
            if result.is_ok() {
                let f = store_failure(&mut outcome, 0, e);
                note_failure(&mut outcome, &f);
                result = Err(f);
            } else {
                outcome.store_error = Some(e.to_string());
            }
        }
    }
    let oids = agent.oids;
    let (status, extra, cms) = match result {
        Ok(s) => (
            CmcStatusInfoV2 {
                cmc_status: CmcStatus::SUCCESS,
                body_list: refs(&s.status_body),
                status_string: outcome.status_note.clone(),
                other_info: None,
            },
            s.control,
            s.cms,
        ),
        Err(f) => {
            let status = match f.info {
                FailInfo::Cmc(c) => CmcStatusInfoV2 {
                    cmc_status: CmcStatus::FAILED,
                    body_list: refs(&f.body),
                    status_string: Some(f.message.clone()),
                    other_info: Some(OtherStatusInfo::FailInfo(c)),
                },
                FailInfo::Archive(a) => CmcStatusInfoV2::archive_failure(
                    refs(&f.body),
                    a,
                    Some(f.message.clone()),
                    oids,
                )?,
            };
            (status, None, None)
        }
    };
    let mut pr = PkiResponse::default();
    pr.control_sequence.push(TaggedAttribute::from_control(
        RSP_STATUS,
        &Control::StatusInfoV2(status),
        oids,
    )?);
    if let Some(t) = echo.transaction_id {
        pr.control_sequence.push(TaggedAttribute::from_control(
            RSP_TRANSACTION_ID,
            &Control::TransactionId(t),
            oids,
        )?);
    }
    if let Some(n) = echo.sender_nonce {
        pr.control_sequence.push(TaggedAttribute::from_control(
            RSP_RECIPIENT_NONCE,
            &Control::RecipientNonce(n),
            oids,
        )?);
    }
    let mut nonce = [0u8; 16];
    rng.fill_bytes(&mut nonce);
    pr.control_sequence.push(TaggedAttribute::from_control(
        RSP_SENDER_NONCE,
        &Control::SenderNonce(OctetString::new(nonce.to_vec()).map_err(Error::encoding)?),
        oids,
    )?);
    if let Some(c) = extra {
        pr.control_sequence
            .push(TaggedAttribute::from_control(RSP_CONTROL, &c, oids)?);
    }
    if let Some(env) = cms {
        pr.cms_sequence.push(TaggedContentInfo {
            body_part_id: RSP_KEYS,
            content_info: ContentInfo::from_der(&env).map_err(Error::encoding)?,
        });
    }
    let (sign_key, sign_cert) = match &agent.response_signer {
        Some(s) => (s.key, s.cert),
        None => (agent.key, agent.cert),
    };
    let spec = SignedDataSpec {
        content_type: oids.cct_pki_response,
        content: pr.to_der().map_err(Error::encoding)?,
        detached: false,
        signed_attributes: true,
        certificates: response_certificates(agent, sign_cert, &outcome.issued),
        sid: sid_for_cert(sign_cert),
        unsigned_attributes: Vec::new(),
    };
    Ok((spec.sign(sign_key)?, outcome))
}

/// The response's certificate bag: the signer's certificate, then what the agent issued and the
/// chain above them (the CA's certificate and its issuers, draft 4.2: "Servers SHOULD include all
/// intermediate certificates needed to form complete chains"), each once.
fn response_certificates(
    agent: &Agent<'_>,
    sign_cert: &Certificate,
    issued: &[Certificate],
) -> Vec<Certificate> {
    let mut bag = vec![sign_cert.clone()];
    let chain = match (&agent.ca, issued.is_empty()) {
        (Some(ca), false) => std::iter::once(ca.cert).chain(ca.chain.iter()).collect(),
        _ => Vec::new(),
    };
    for c in issued.iter().chain(chain) {
        if !bag.contains(c) {
            bag.push(c.clone());
        }
    }
    bag
}

fn refs(ids: &[BodyPartID]) -> Vec<BodyPartReference> {
    ids.iter()
        .map(|i| BodyPartReference::BodyPartId(*i))
        .collect()
}

fn bad(body: BodyPartID) -> impl Fn(String) -> Failure {
    move |m| fail(CmcFailInfo::BAD_REQUEST, body, m)
}

fn handle(
    agent: &Agent<'_>,
    request: &[u8],
    store: &mut dyn KeyStore,
    rng: &mut dyn CryptoRngCore,
    echo: &mut Echo,
    outcome: &mut Outcome,
) -> std::result::Result<Success, Failure> {
    let oids = agent.oids;
    let mut parsed = parse(request, oids)?;
    for (_, c) in &parsed.controls {
        match c {
            Control::TransactionId(t) => echo.transaction_id = Some(t.clone()),
            Control::SenderNonce(n) => echo.sender_nonce = Some(n.clone()),
            _ => {}
        }
    }
    let mut kinds: BTreeMap<&'static str, Vec<BodyPartID>> = BTreeMap::new();
    for (id, c) in &parsed.controls {
        let k = match c {
            Control::KeyArchival(_) => "KeyArchival",
            Control::KeyRecoveryReq(_) => "KeyRecoveryReq",
            Control::ServerKeyGenRequest(_) => "ServerKeyGenRequest",
            _ => continue,
        };
        kinds.entry(k).or_default().push(*id);
    }
    let unsigned = unsigned_archived_keys(&parsed, oids)?;
    let (kind, body) = match kinds.iter().collect::<Vec<_>>().as_slice() {
        [] if !unsigned.is_empty() => {
            return Err(fail(
                CmcFailInfo::BAD_REQUEST,
                0,
                "the request carries a key in id-aa-cmc-unsignedData but no signed KeyArchival control: an unsigned key is only trusted when a signed control names it",
            ))
        }
        [] => {
            return Err(fail(
                CmcFailInfo::BAD_REQUEST,
                0,
                "the request has no KeyArchival, KeyRecoveryReq or ServerKeyGenRequest control",
            ))
        }
        [(k, ids)] if ids.len() == 1 => match ids.first() {
            Some(id) => (**k, *id),
            None => return Err(bad(0)("no archive control".into())),
        },
        _ => {
            let names: Vec<String> = kinds
                .iter()
                .map(|(k, ids)| format!("{} x{k}", ids.len()))
                .collect();
            return Err(fail(
                CmcFailInfo::BAD_REQUEST,
                0,
                format!(
                    "kmi's agent answers one archive control per request; this one has {}",
                    names.join(", ")
                ),
            ));
        }
    };
    // Body part IDs are unique (checked in `parse`), so this finds the archive control itself;
    // a miss is answered, not assumed away.
    let control = parsed
        .controls
        .iter()
        .find(|(id, c)| {
            *id == body
                && matches!(
                    c,
                    Control::KeyArchival(_)
                        | Control::KeyRecoveryReq(_)
                        | Control::ServerKeyGenRequest(_)
                )
        })
        .map(|(_, c)| c.clone());
    outcome.kind = match &control {
        Some(Control::KeyArchival(_)) => Some(RequestKind::Archive),
        Some(Control::KeyRecoveryReq(_)) => Some(RequestKind::Recovery),
        Some(Control::ServerKeyGenRequest(_)) => Some(RequestKind::Keygen),
        _ => None,
    };
    identity::prove(agent, &mut parsed)?;
    outcome.identity_proved = parsed.proved.is_some();
    match control {
        Some(Control::KeyArchival(ka)) => {
            outcome.kind = Some(RequestKind::Archive);
            archive(agent, &parsed, body, &ka, &unsigned, store, rng, outcome)
        }
        Some(Control::KeyRecoveryReq(krr)) => {
            outcome.kind = Some(RequestKind::Recovery);
            let done = recover(agent, &parsed, body, &krr, store, rng, outcome)?;
            identity::after_recovery(agent, &parsed, done, rng, outcome)
        }
        Some(Control::ServerKeyGenRequest(skg)) => {
            outcome.kind = Some(RequestKind::Keygen);
            keygen(agent, &parsed, body, &skg, store, rng, outcome)
        }
        _ => Err(fail(
            CmcFailInfo::BAD_REQUEST,
            body,
            format!("the {kind} control (body part {body}) could not be selected"),
        )),
    }
}

fn key_info(key: &PrivateKey, action: &str) -> std::result::Result<KeyInfo, Failure> {
    let public = key.public();
    let spki = encode_public_spki(&public).map_err(internal)?;
    Ok(KeyInfo {
        fingerprint: spki_fingerprint(&spki),
        algorithm: public.kind(),
        bits: public.bits(),
        action: action.into(),
    })
}

/// What the operator's side of a refusal records: the reason, the code, and no keys.
fn note_failure(outcome: &mut Outcome, f: &Failure) {
    outcome.failure = Some(f.detail.clone().unwrap_or_else(|| f.message.clone()));
    outcome.fail_info = Some(f.info.name());
    outcome.keys.clear();
    outcome.issued.clear();
}

/// The store refused a key: the agent's failure (internalCAError, exit 3), reported in full
/// locally and in general terms to the client. A usage error of the store (a key that cannot be
/// split) is the request's problem and says why.
fn store_failure(outcome: &mut Outcome, body: BodyPartID, e: Error) -> Failure {
    if let Error::Invalid(m) = &e {
        return fail(CmcFailInfo::BAD_REQUEST, body, m.clone());
    }
    outcome.store_error = Some(e.to_string());
    fail(
        CmcFailInfo::INTERNAL_CA_ERROR,
        body,
        "the agent could not file the key (its key store failed); try again later",
    )
}

fn internal(e: Error) -> Failure {
    fail(CmcFailInfo::INTERNAL_CA_ERROR, 0, e.to_string())
}

fn selection_bytes(s: &Option<OctetString>) -> Option<Vec<u8>> {
    s.as_ref().map(|o| o.as_bytes().to_vec())
}

mod decode;
mod shroud;
use decode::{identification, parse, stored_signers, unsigned_archived_keys, verify};
use shroud::{content_encryption, shroud_recipients, shroud_spki};

mod archive;
mod certify;
mod identity;
mod keygen;
mod open_archived;
pub mod record;
mod recover;
#[cfg(test)]
mod tests;
