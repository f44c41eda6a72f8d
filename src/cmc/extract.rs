//! The client's side of a response: `kmi cmc extract` checks the agent's signature (when given
//! the agent's certificate), reads the status, and opens the shrouded keys that a
//! KeyRecoveryRsp or ServerKeyGenResponse points at.
//!
//! A failed status is an error quoting the agent's failInfo (or archive error) and status
//! string; a response that returns no keys (the answer to an archive request) is a usage error.
//!
//! Tying the response to its request (issue 10 item 10): given the request ([`RequestBinding`],
//! `--request FILE`), the response must echo its transactionId and return its senderNonce as
//! recipientNonce (RFC 5272 sections 6.6, 6.7), and answer its kind of control (a KeyRecoveryRsp
//! for a KeyRecoveryReq, a ServerKeyGenResponse naming the ServerKeyGenRequest's body part).
//! Without this check a validly signed response to another request, or an old one replayed,
//! would be opened as if it answered this one.

use cms::signed_data::SignedData;
use der::{Decode, Encode};
use x509_cert::Certificate;

use super::oids::{ArchiveError, CmcOids};
use super::types::*;
use crate::cms::ktri::cert_spki;
use crate::cms::signed::parse_signed;
use crate::keys::{decode_key, Key, PrivateKey, RsaPrivate};
use crate::{Error, Result};

/// What opens the shrouded keys.
pub enum Opener<'a> {
    /// The private key of the certificate or public key the request asked the keys to be
    /// shrouded for (KTRI).
    Key(&'a RsaPrivate),
    /// The secret shared with the agent (PWRI).
    Passphrase(&'a str),
}

/// Whether the response's signature was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Verified with the given agent certificate.
    Verified,
    /// No agent certificate was given: the signature was not checked.
    NotChecked,
}

/// The kind of response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    Recovery,
    Keygen,
}

/// The opened keys with their EncKeyWithID identifiers.
pub struct Extracted {
    pub kind: ResponseKind,
    pub keys: Vec<(PrivateKey, Option<String>)>,
    pub signature: SignatureCheck,
}

/// What a request expects of its response.
#[derive(Clone, Debug)]
pub struct RequestBinding {
    pub transaction_id: Option<der::asn1::Int>,
    pub sender_nonce: Option<der::asn1::OctetString>,
    /// The kind of keys-returning control, with its body part ID; `None` for an archive request.
    pub control: Option<(ResponseKind, BodyPartID)>,
}

impl RequestBinding {
    /// Read a request (a signed Full PKI Request, as `kmi cmc ...-request` writes it). Its
    /// signature is not checked here: the client made it.
    pub fn from_request(request: &[u8], oids: &CmcOids) -> Result<Self> {
        let content = match super::identity::authenticated_content(request, oids)? {
            Some(c) => c,
            None => {
                let msg = bounded_signed(request)?;
                if msg.content_type() != oids.cct_pki_data {
                    return Err(Error::format(format!(
                        "the signed content type is {}, not id-cct-PKIData: not a request",
                        msg.content_type()
                    )));
                }
                super::print::econtent_of(&msg.signed_data)?
                    .ok_or_else(|| Error::format("the request has no content"))?
            }
        };
        super::bounds::check_pki_body(&content)?;
        let pd = PkiData::from_der(&content)
            .map_err(|e| Error::format(format!("malformed PKIData: {e}")))?;
        let mut b = RequestBinding {
            transaction_id: None,
            sender_nonce: None,
            control: None,
        };
        for ta in &pd.control_sequence {
            let (slot, value) = match ta.decode_control(oids)? {
                Control::TransactionId(t) => {
                    if b.transaction_id.replace(t).is_some() {
                        return Err(Error::format("the request has two transactionId controls"));
                    }
                    continue;
                }
                Control::SenderNonce(n) => {
                    if b.sender_nonce.replace(n).is_some() {
                        return Err(Error::format("the request has two senderNonce controls"));
                    }
                    continue;
                }
                Control::KeyRecoveryReq(_) => (ResponseKind::Recovery, ta.body_part_id),
                Control::ServerKeyGenRequest(_) => (ResponseKind::Keygen, ta.body_part_id),
                _ => continue,
            };
            if b.control.replace((slot, value)).is_some() {
                return Err(Error::format(
                    "the request has more than one recovery or key generation control",
                ));
            }
        }
        Ok(b)
    }
}

/// Describe a failed status for the user.
pub fn describe_failure(s: &CmcStatusInfoV2, oids: &CmcOids) -> String {
    let why = match (&s.other_info, s.archive_error(oids)) {
        (_, Some(code)) => ArchiveError::from_code(code)
            .map(|a| a.name().to_string())
            .unwrap_or_else(|| format!("archive error {code}")),
        (Some(OtherStatusInfo::FailInfo(f)), _) => f
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("failInfo {}", f.0)),
        (Some(OtherStatusInfo::ExtendedFailInfo(e)), _) => {
            format!("extendedFailInfo {}", e.fail_info_oid)
        }
        _ => s
            .cmc_status
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("status {}", s.cmc_status.0)),
    };
    match &s.status_string {
        Some(t) => format!("{why}: {t}"),
        None => why,
    }
}

fn verify_agent(sd: &SignedData, cert: &Certificate) -> Result<()> {
    let msg = crate::cms::signed::SignedMessage {
        signed_data: sd.clone(),
    };
    let checks = msg.verify(None, std::slice::from_ref(cert), &[])?;
    if checks.is_empty() {
        return Err(Error::check("the response is not signed"));
    }
    let want = cert_spki(cert)?;
    for c in checks {
        if let Err(why) = c.outcome {
            return Err(Error::check(format!(
                "the response's signature ({}) does not verify: {why}",
                c.sid
            )));
        }
        let signer = c.certificate.as_ref().map(cert_spki).transpose()?;
        if signer.as_deref() != Some(want.as_slice()) {
            return Err(Error::check(format!(
                "the response is signed by {}, not by the agent certificate given",
                c.sid
            )));
        }
    }
    Ok(())
}

/// A signed CMC message, its size and counts checked before it is decoded.
fn bounded_signed(bytes: &[u8]) -> Result<crate::cms::signed::SignedMessage> {
    super::bounds::check_message_size(bytes)?;
    let armored = crate::io::armor::decode_armor(bytes)?;
    let der = crate::cms::ber::normalize(&armored.der)?;
    super::bounds::check_content_info(&der)?;
    parse_signed(bytes)
}

/// The most keys one response may return (id-ct-multiplePrivateKeys).
pub const MAX_RETURNED_KEYS: usize = 256;

/// Check that the response's controls answer `req`: `Err` names the first mismatch.
fn check_binding(pr: &PkiResponse, req: &RequestBinding, oids: &CmcOids) -> Result<()> {
    let mut tid = None;
    let mut rnonce = None;
    let mut answers = None;
    for ta in &pr.control_sequence {
        match ta.decode_control(oids)? {
            Control::TransactionId(t) => tid = Some(t),
            Control::RecipientNonce(n) => rnonce = Some(n),
            Control::KeyRecoveryRsp(_) => answers = Some((ResponseKind::Recovery, None)),
            Control::ServerKeyGenResponse(r) => {
                answers = Some((ResponseKind::Keygen, Some(r.request_body_part_id)))
            }
            _ => {}
        }
    }
    let no = |what: &str| {
        Err(Error::check(format!(
            "the response does not answer the request: {what}"
        )))
    };
    if let Some(want) = &req.sender_nonce {
        match &rnonce {
            None => {
                return no("it has no recipientNonce (the request's senderNonce is not echoed)")
            }
            Some(n) if n != want => {
                return no("its recipientNonce is not the request's senderNonce")
            }
            _ => {}
        }
    }
    if let Some(want) = &req.transaction_id {
        match &tid {
            None => return no("it has no transactionId"),
            Some(t) if t != want => return no("its transactionId is not the request's"),
            _ => {}
        }
    }
    match (&req.control, answers) {
        (None, _) => Err(Error::invalid(
            "the request is an archive request: its response returns no keys",
        )),
        (Some((want, body)), Some((got, refers))) => {
            if *want != got {
                return no(&format!(
                    "the request asks for {}, the response is for {}",
                    kind_name(*want),
                    kind_name(got)
                ));
            }
            if let Some(r) = refers {
                if r != *body {
                    return no(&format!(
                        "its ServerKeyGenResponse answers body part {r}, the request's control is {body}"
                    ));
                }
            }
            Ok(())
        }
        // A failed response returns no keys; the status says why.
        (Some(_), None) => Ok(()),
    }
}

fn kind_name(k: ResponseKind) -> &'static str {
    match k {
        ResponseKind::Recovery => "key recovery",
        ResponseKind::Keygen => "key generation",
    }
}

/// Open the keys a response returns. With `request`, the response must answer it (see the
/// module documentation) before anything is opened.
pub fn extract(
    response: &[u8],
    opener: &Opener<'_>,
    agent_cert: Option<&Certificate>,
    request: Option<&RequestBinding>,
    oids: &CmcOids,
) -> Result<Extracted> {
    let msg = bounded_signed(response)?;
    if msg.content_type() != oids.cct_pki_response {
        return Err(Error::format(format!(
            "the signed content type is {}, not id-cct-PKIResponse",
            msg.content_type()
        )));
    }
    let signature = match agent_cert {
        Some(c) => {
            verify_agent(&msg.signed_data, c)?;
            SignatureCheck::Verified
        }
        None => SignatureCheck::NotChecked,
    };
    let content = super::print::econtent_of(&msg.signed_data)?
        .ok_or_else(|| Error::format("the response has no content"))?;
    super::bounds::check_pki_body(&content)?;
    let pr = PkiResponse::from_der(&content)
        .map_err(|e| Error::format(format!("malformed PKIResponse: {e}")))?;
    if let Some(req) = request {
        check_binding(&pr, req, oids)?;
    }
    let mut keys_body = None;
    let mut kind = None;
    for ta in &pr.control_sequence {
        match ta.decode_control(oids)? {
            Control::StatusInfoV2(s) if s.cmc_status != CmcStatus::SUCCESS => {
                return Err(Error::check(format!(
                    "the agent refused the request: {}",
                    describe_failure(&s, oids)
                )))
            }
            Control::KeyRecoveryRsp(r) => {
                keys_body = Some(r.cms_body_part_id);
                kind = Some(ResponseKind::Recovery);
            }
            Control::ServerKeyGenResponse(r) => {
                keys_body = Some(r.cms_body_part_id);
                kind = Some(ResponseKind::Keygen);
            }
            _ => {}
        }
    }
    let (Some(body), Some(kind)) = (keys_body, kind) else {
        return Err(Error::invalid(
            "the response returns no keys (no KeyRecoveryRsp or ServerKeyGenResponse): it answers an archive request",
        ));
    };
    let entry = pr
        .cms_sequence
        .iter()
        .find(|t| t.body_part_id == body)
        .ok_or_else(|| {
            Error::format(format!(
                "the response names cmsSequence entry {body}, which is not there"
            ))
        })?;
    let env = entry.content_info.to_der().map_err(Error::encoding)?;
    let opened = match opener {
        Opener::Key(k) => crate::cms::open_with_key(&env, k, None)?,
        Opener::Passphrase(p) => crate::cms::open_with_passphrase(&env, p)?,
    };
    // (the key, its EncKeyWithID identifier); a SinglePrivateKey of MultiplePrivateKeys has no
    // identifier (its certificateId names a certificate, not the identity).
    let items: Vec<(PrivateKeyInfoDer, Option<EncKeyIdentifier>)> =
        if opened.content_type == oids.ct_enc_key_with_id {
            let one = EncKeyWithId::from_der(&opened.content)
                .map_err(|e| Error::format(format!("malformed EncKeyWithID: {e}")))?;
            vec![(one.private_key, one.identifier)]
        } else if opened.content_type == oids.ct_multiple_private_keys {
            MultiplePrivateKeys::from_der(&opened.content)
                .map_err(|e| Error::format(format!("malformed MultiplePrivateKeys: {e}")))?
                .into_iter()
                .map(|k| (k.private_key, None))
                .collect()
        } else {
            return Err(Error::format(format!(
                "the shrouded content is {}, not id-ct-encKeyWithID or id-ct-multiplePrivateKeys",
                opened.content_type
            )));
        };
    if items.is_empty() {
        return Err(Error::format("the response returns an empty list of keys"));
    }
    if items.len() > MAX_RETURNED_KEYS {
        return Err(Error::format(format!(
            "the response returns {} keys; kmi reads at most {MAX_RETURNED_KEYS}",
            items.len()
        )));
    }
    let mut keys = Vec::with_capacity(items.len());
    for (private_key, identifier) in items {
        let der = zeroize::Zeroizing::new(private_key.to_der()?);
        let key = match decode_key(&der, std::path::Path::new("returned key"), &|| {
            Err(Error::format("a returned key is encrypted"))
        })? {
            Key::Private(k) => k,
            Key::Public(_) => return Err(Error::format("a returned key is not a private key")),
        };
        let id = match identifier {
            Some(EncKeyIdentifier::String(s)) => Some(s),
            Some(EncKeyIdentifier::GeneralName(g)) => Some(format!("{g:?}")),
            None => None,
        };
        keys.push((key, id));
    }
    Ok(Extracted {
        kind,
        keys,
        signature,
    })
}
