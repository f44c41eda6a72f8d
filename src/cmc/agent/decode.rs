//! Decoding and checking a request before it is dispatched: the ContentInfo (SignedData or
//! AuthenticatedData), the PKIData and its controls, the bounds and duplicate body part IDs, the
//! signatures (`verify`), the identity it names, and the archived keys in unsigned attributes.

use super::*;

pub(super) fn parse(request: &[u8], oids: &CmcOids) -> std::result::Result<Parsed, Failure> {
    let b = bad(0);
    crate::cmc::bounds::check_message_size(request).map_err(|e| b(e.to_string()))?;
    let armored = crate::io::armor::decode_armor(request)
        .map_err(|e| b(format!("unreadable request: {e}")))?;
    let der = crate::cms::ber::normalize_cms(&armored.der)
        .map_err(|e| b(format!("the request is not DER or BER: {e}")))?;
    crate::cmc::bounds::check_content_info(&der).map_err(|e| b(format!("the request: {e}")))?;
    let ci = ContentInfo::from_der(&der)
        .map_err(|e| b(format!("the request is not a CMS ContentInfo: {e}")))?;
    if ci.content_type == ID_AUTH_DATA {
        let a = identity::authenticated(&ci)?;
        if a.content_type != oids.cct_pki_data {
            return Err(b(format!(
                "the authenticated content type is {}, not id-cct-PKIData",
                a.content_type
            )));
        }
        let content = a.content.clone();
        return parsed_pki(None, Some(a), content, oids);
    }
    if ci.content_type != ID_SIGNED_DATA {
        let name = oids
            .name_of(&ci.content_type)
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        return Err(b(format!(
            "the request's content type is {}{name}, not SignedData or AuthenticatedData: a Full PKI Request is signed or authenticated",
            ci.content_type
        )));
    }
    let signed: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| b(format!("malformed SignedData: {e}")))?;
    let ect = signed.encap_content_info.econtent_type;
    if ect != oids.cct_pki_data {
        return Err(b(format!(
            "the signed content type is {ect}, not id-cct-PKIData"
        )));
    }
    let content = crate::cmc::print::econtent_of(&signed)
        .map_err(|e| b(e.to_string()))?
        .ok_or_else(|| b("the SignedData has no content (detached PKIData)".into()))?;
    parsed_pki(Some(signed), None, content, oids)
}

/// The PKIData of a signed or authenticated request, decoded with its controls.
pub(super) fn parsed_pki(
    signed: Option<SignedData>,
    authenticated: Option<Authenticated>,
    content: Vec<u8>,
    oids: &CmcOids,
) -> std::result::Result<Parsed, Failure> {
    let b = bad(0);
    crate::cmc::bounds::check_pki_body(&content).map_err(|e| b(format!("the PKIData: {e}")))?;
    let pki = PkiData::from_der(&content).map_err(|e| b(format!("malformed PKIData: {e}")))?;
    if let Some(id) = pki.duplicate_body_part_id() {
        return Err(b(format!(
            "bodyPartID {id} is used more than once in the PKIData (RFC 5272 section 3.2.1: body part IDs are unique)"
        )));
    }
    let mut controls = Vec::new();
    for ta in &pki.control_sequence {
        let c = ta
            .decode_control(oids)
            .map_err(|e| fail(CmcFailInfo::BAD_REQUEST, ta.body_part_id, e.to_string()))?;
        controls.push((ta.body_part_id, c));
    }
    Ok(Parsed {
        signed,
        authenticated,
        pki,
        pki_der: content,
        controls,
        proved: None,
    })
}

/// The signer's SPKI: the matched certificate's, or the key-identifier match among `extras`.
pub(super) fn signer_spki(
    sid: &SignerIdentifier,
    cert: Option<&Certificate>,
    extras: &[Vec<u8>],
) -> Option<Vec<u8>> {
    if let Some(c) = cert {
        return cert_spki(c).ok();
    }
    let SignerIdentifier::SubjectKeyIdentifier(ski) = sid else {
        return None;
    };
    extras
        .iter()
        .find(|d| {
            SubjectPublicKeyInfoRef::from_der(d)
                .map(|s| key_identifier(&s) == ski.0.as_bytes())
                .unwrap_or(false)
        })
        .cloned()
}

/// The signer keys the store knows for the request's signers named by key identifier alone
/// (a signer that archived with its own key, before it had a certificate): looked up by key
/// identifier in the store's index, so the work does not grow with the store.
pub(super) fn stored_signers(
    parsed: &Parsed,
    store: &dyn crate::cmc::store::KeyStore,
) -> std::result::Result<Vec<Vec<u8>>, Failure> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let Some(signed) = &parsed.signed else {
        return Ok(out);
    };
    for si in signed.signer_infos.0.iter() {
        if let SignerIdentifier::SubjectKeyIdentifier(ski) = &si.sid {
            for spki in store
                .signers_with_key_id(ski.0.as_bytes())
                .map_err(super::setup)?
            {
                if !out.contains(&spki) {
                    out.push(spki);
                }
            }
        }
    }
    Ok(out)
}

/// Verify every signer; the verified signers' SPKIs.
pub(super) fn verify(
    parsed: &Parsed,
    extras: &[Vec<u8>],
    outcome: &mut Outcome,
) -> std::result::Result<Vec<Vec<u8>>, Failure> {
    // An AuthenticatedData request has no signer: its MAC was checked with the identity's
    // secret before the request was dispatched (`identity::prove`).
    let Some(signed) = &parsed.signed else {
        return Ok(Vec::new());
    };
    let msg = SignedMessage {
        signed_data: signed.clone(),
    };
    let checks = msg
        .verify(None, &[], extras)
        .map_err(|e| fail(CmcFailInfo::BAD_MESSAGE_CHECK, 0, e.to_string()))?;
    if checks.is_empty() {
        return Err(fail(
            CmcFailInfo::BAD_MESSAGE_CHECK,
            0,
            "the request has no signer",
        ));
    }
    let mut spkis = Vec::new();
    for (i, (check, si)) in checks.iter().zip(signed.signer_infos.0.iter()).enumerate() {
        outcome.signers.push(check.sid.clone());
        // A signer named by a NULL issuer and a bodyPartID (draft section 5.3 step 3): the key of
        // that self-signed PKCS#10.
        if matches!(check.outcome, Err(SignerProblem::NoKey)) {
            if let Some(req) = identity::null_dn_request(parsed, &si.sid) {
                let spki = req
                    .info
                    .public_key
                    .to_der()
                    .map_err(|e| internal(Error::encoding(e)))?;
                if let Err(why) = msg
                    .verify_one(i, &spki)
                    .map_err(|e| bad(0)(e.to_string()))?
                {
                    return Err(fail(
                        CmcFailInfo::BAD_MESSAGE_CHECK,
                        0,
                        format!("the request's signature ({}) is bad: {why}", check.sid),
                    ));
                }
                spkis.push(spki);
                continue;
            }
        }
        if let Err(why) = &check.outcome {
            return Err(fail(
                CmcFailInfo::BAD_MESSAGE_CHECK,
                0,
                format!("the request's signature ({}) is bad: {why}", check.sid),
            ));
        }
        if let Some(s) = signer_spki(&si.sid, check.certificate.as_ref(), extras) {
            outcome.signer_fingerprints.push(spki_fingerprint(&s));
            spkis.push(s);
        }
    }
    Ok(spkis)
}

pub(super) fn identification(parsed: &Parsed) -> Option<String> {
    parsed.controls.iter().find_map(|(_, c)| match c {
        Control::Identification(s) => Some(s.clone()),
        _ => None,
    })
}

/// The id-aa-cmc-unsignedData values of every signer with the archive identifier.
pub(super) fn unsigned_archived_keys(
    parsed: &Parsed,
    oids: &CmcOids,
) -> std::result::Result<Vec<CmcUnsignedData>, Failure> {
    let mut out = Vec::new();
    let Some(signed) = &parsed.signed else {
        return Ok(out);
    };
    for si in signed.signer_infos.0.iter() {
        let Some(attrs) = &si.unsigned_attrs else {
            continue;
        };
        for a in attrs.iter().filter(|a| a.oid == oids.aa_cmc_unsigned_data) {
            for v in a.values.iter() {
                let ud: CmcUnsignedData = v.decode_as().map_err(|e| {
                    fail(
                        CmcFailInfo::BAD_REQUEST,
                        0,
                        format!("malformed CMCUnsignedData: {e}"),
                    )
                })?;
                if ud.identifier == oids.archive_enveloped_data {
                    out.push(ud);
                }
            }
        }
    }
    Ok(out)
}
