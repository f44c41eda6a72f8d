//! How the agent returns keys: the content encryption it may use (the client's
//! encCapabilities) and the recipients a request's shroud method names.

use super::*;

/// The content encryption of the shrouded keys: the first of the client's encCapabilities
/// (draft 5.2: "The server MUST use algorithms that are identified by this list") that this
/// agent writes, or badAlg. Only AES-256-CBC: the returned EnvelopedData carries
/// id-ct-encKeyWithID, which AuthEnvelopedData could only carry with authAttrs that openssl 3.0
/// cannot read.
pub(super) fn content_encryption(
    caps: &SmimeCapabilities,
    body: BodyPartID,
) -> std::result::Result<(), Failure> {
    if caps
        .iter()
        .any(|c| c.capability_id == crate::cms::asn1::AES256_CBC)
    {
        return Ok(());
    }
    let offered: Vec<String> = caps.iter().map(|c| c.capability_id.to_string()).collect();
    Err(fail(
        CmcFailInfo::BAD_ALG,
        body,
        format!(
            "none of the content-encryption algorithms the request accepts ({}) is supported (kmi uses id-aes256-CBC)",
            if offered.is_empty() { "none".to_string() } else { offered.join(", ") }
        ),
    ))
}

/// The recipients for a shroud method.
pub(super) fn shroud_recipients(
    agent: &Agent<'_>,
    method: &ShroudMethod,
    body: BodyPartID,
) -> std::result::Result<Vec<Recipient>, Failure> {
    let shroud = Shroud::from_method(method, agent.oids).map_err(|e| bad(body)(e.to_string()))?;
    let rsa_only = |spki_der: &[u8]| -> std::result::Result<(), Failure> {
        let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
            .map_err(|e| bad(body)(format!("shroud public key: {e}")))?;
        crate::cms::ktri::rsa_public_from_spki(spki)
            .map(|_| ())
            .map_err(|e| fail(CmcFailInfo::BAD_ALG, body, format!("shroud key: {e}")))
    };
    match shroud {
        Shroud::PublicKey(ShroudWithPublicKey::Certificate(c)) => {
            rsa_only(&cert_spki(&c).map_err(|e| bad(body)(e.to_string()))?)?;
            Ok(vec![Recipient::Certificate(*c)])
        }
        Shroud::PublicKey(ShroudWithPublicKey::PublicKey(k)) => {
            let der = k.to_der().map_err(|e| bad(body)(e.to_string()))?;
            rsa_only(&der)?;
            Ok(vec![Recipient::PublicKey(der)])
        }
        Shroud::SharedSecret(id) => match (agent.shared_secret)(&id) {
            Ok(Some(passphrase)) => Ok(vec![match agent.pwri_kek {
                PwriKek::AesKw => Recipient::PassphraseKeyWrap {
                    passphrase,
                    iterations: agent.pwri_iterations,
                },
                PwriKek::Rfc3211 => Recipient::Passphrase {
                    passphrase,
                    iterations: agent.pwri_iterations,
                },
            }]),
            Ok(None) => Err(fail_archive(
                ArchiveError::UnsupportedShroudMethod,
                body,
                format!("this agent holds no secret shared with {id:?}"),
            )),
            Err(e) => Err(setup(e)),
        },
        Shroud::Other(a) => Err(fail_archive(
            ArchiveError::UnsupportedShroudMethod,
            body,
            format!(
                "unsupported shroud method {} (kmi knows id-cmc-shroudWithPublicKey and id-cmc-shroudWithSharedSecret)",
                a.oid
            ),
        )),
    }
}

/// The public key named by a public-key shroud, to verify a request signed by it.
pub(super) fn shroud_spki(method: &ShroudMethod, oids: &CmcOids) -> Option<Vec<u8>> {
    match Shroud::from_method(method, oids).ok()? {
        Shroud::PublicKey(ShroudWithPublicKey::Certificate(c)) => cert_spki(&c).ok(),
        Shroud::PublicKey(ShroudWithPublicKey::PublicKey(k)) => k.to_der().ok(),
        _ => None,
    }
}
