//! Opening an archived key: the one place the agent decrypts what a request carries.
//!
//! The envelope of an archived key may sit in an unsigned attribute (the draft requires agents to
//! accept that placement), so anyone holding a captured request can change it without breaking the
//! signature and submit it again. An agent that said *why* opening failed would be an oracle: with
//! AES-CBC a padding oracle that recovers the escrowed key block by block, with PKCS#1 v1.5 key
//! transport Bleichenbacher's oracle on the agent's own key. So the work is split in two:
//!
//! - [`prepare`]: everything an attacker can read anyway (the envelope's type and structure, its
//!   algorithms, that the key transport is RSA-OAEP and names this agent, the inner content type:
//!   id-ct-encKeyWithID, or id-data as openssl and kmi's AuthEnvelopedData carry it) is checked
//!   with a precise message;
//! - [`open`]: from the first decryption on, RSA-OAEP, the content key size, the CBC padding or
//!   GCM tag, the EncKeyWithID and PKCS#8 decoding, the key's own checks and its match with the
//!   request's public key all end in one answer, [`UNOPENABLE`], with one failInfo (badRequest) on
//!   one body part (the KeyArchival control).
//!
//! Timing: [`crate::cms::KeyOpening::open`] does the same work whether the RSA step succeeds or
//! not and checks CBC padding without branching on it. The decoding after a successful decryption
//! takes microseconds longer when the padding happens to be valid; against the milliseconds of
//! jitter of one agent run this would need billions of runs, and with AuthEnvelopedData (kmi's
//! default) a changed envelope never decrypts at all.

use cms::content_info::ContentInfo;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};

use super::Agent;
use crate::cmc::oids::CmcOids;
use crate::cmc::types::{EncKeyIdentifier, EncKeyWithId};
use crate::cms::asn1::{ID_DATA, ID_ENVELOPED_DATA};
use crate::cms::auth_enveloped::ID_AUTH_ENVELOPED_DATA;
use crate::cms::KeyOpening;
use crate::keys::check::check_key;
use crate::keys::{decode_key, Key, PrivateKey, PublicKey};
use crate::Error;

/// The statusString (and the stderr line) of every failure once decryption has started.
pub const UNOPENABLE: &str = "the archived key could not be opened";

/// An archived key that opened and matched the request.
pub struct Archived {
    pub key: PrivateKey,
    /// EncKeyWithID's string identifier, if it has one.
    pub identifier: Option<String>,
}

/// Why an envelope was refused before anything was decrypted. Only what anyone holding the
/// request can read is judged here, so each case may say precisely what it found (see the
/// module documentation); Display is the failure's statusString.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeProblem {
    /// The content type, when it is neither EnvelopedData nor AuthEnvelopedData.
    #[error("the archived key is in {0}, not EnvelopedData or AuthEnvelopedData")]
    NotEnveloped(ObjectIdentifier),
    /// The envelope's structure, algorithms or recipients ([`KeyOpening::prepare`]'s reason).
    #[error("the archived key's envelope: {0}")]
    Envelope(String),
    /// The inner content type, when it is neither id-ct-encKeyWithID nor id-data.
    #[error("the archived envelope holds {0}, not id-ct-encKeyWithID (or id-data)")]
    NotEncKeyWithId(ObjectIdentifier),
}

/// Check the archived key's envelope before decrypting anything: `Err` with the reason.
pub fn prepare(
    agent: &Agent<'_>,
    envelope: &ContentInfo,
    oids: &CmcOids,
) -> std::result::Result<KeyOpening, EnvelopeProblem> {
    if envelope.content_type != ID_ENVELOPED_DATA && envelope.content_type != ID_AUTH_ENVELOPED_DATA
    {
        return Err(EnvelopeProblem::NotEnveloped(envelope.content_type));
    }
    let der = envelope
        .to_der()
        .map_err(|e| EnvelopeProblem::Envelope(e.to_string()))?;
    let opening = KeyOpening::prepare(&der, agent.key, Some(agent.cert))
        .map_err(|e| EnvelopeProblem::Envelope(e.to_string()))?;
    // id-ct-encKeyWithID as the draft says, or id-data: what `openssl cms -encrypt` writes (it
    // sets no other type when encrypting) and what kmi's client writes in AuthEnvelopedData
    // (see build::authenticated_key_envelope). Either way the content must decode as one
    // EncKeyWithID.
    if opening.content_type() != oids.ct_enc_key_with_id && opening.content_type() != ID_DATA {
        return Err(EnvelopeProblem::NotEncKeyWithId(opening.content_type()));
    }
    Ok(opening)
}

/// Decrypt, decode and check the archived key against `requested` (the request's public key).
/// `None` for every failure alike: see the module documentation.
pub fn open(opening: &KeyOpening, requested: &PublicKey) -> Option<Archived> {
    let opened = opening.open().ok()?;
    let ekwi = EncKeyWithId::from_der(&opened.content).ok()?;
    let pkcs8 = zeroize::Zeroizing::new(ekwi.private_key.to_der().ok()?);
    let key = match decode_key(&pkcs8, std::path::Path::new("archived key"), &|| {
        Err(Error::format("encrypted"))
    }) {
        Ok(Key::Private(k)) => k,
        _ => return None,
    };
    if check_key(&Key::Private(key.clone()), false)
        .first_failure()
        .is_some()
    {
        return None;
    }
    if &key.public() != requested {
        return None;
    }
    Some(Archived {
        identifier: match ekwi.identifier {
            Some(EncKeyIdentifier::String(s)) => Some(s),
            _ => None,
        },
        key,
    })
}
