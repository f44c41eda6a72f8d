//! Counts an attacker picks inside a CMC message, bounded before anything is decoded (issue 18).
//!
//! The typed decoders (`der`, `cms`) build a `Vec` for every SEQUENCE OF they read, so a 56 MiB
//! request holding 2.5 million controls cost 2.4 GB before the agent looked at any of them. This
//! module walks the DER headers only (no allocation beyond a bounded list of slices) and refuses a
//! message whose size or counts exceed limits no honest message reaches:
//!
//! | what | limit |
//! |---|---|
//! | a CMC message (request or response file), before PEM/BER decoding | [`MAX_MESSAGE_BYTES`] |
//! | controls of one PKIData or PKIResponse | [`MAX_CONTROLS`] |
//! | entries of reqSequence, cmsSequence, otherMsgSequence (each) | [`MAX_BODY_PARTS`] |
//! | values of one control or CMS attribute | [`MAX_ATTRIBUTE_VALUES`] |
//! | certificates / CRLs / digest algorithms / signers of one SignedData | [`MAX_CERTIFICATES`] / [`MAX_CRLS`] / [`MAX_DIGEST_ALGORITHMS`] / [`MAX_SIGNERS`] |
//! | signed or unsigned attributes of one signer | [`MAX_ATTRIBUTES`] |
//! | recipients of an EnvelopedData or AuthEnvelopedData inside a CMC message | [`MAX_RECIPIENTS`] |
//!
//! kmi's own requests carry 4 controls, 1 request, at most 1 cmsSequence entry, 1 signer with 2
//! signed and 1 unsigned attribute, at most 1 certificate and 1 recipient. The walk is tolerant:
//! structure it does not recognise is left to the real decoder, which reports it; only a count
//! over its limit is an error here.

use der::{Decode, Header, Reader, SliceReader, Tag, TagNumber};

use crate::{Error, Result};

/// The largest CMC message read (respond, extract, parse). kmi's largest request, a 16384-bit
/// key with a signing certificate, is under 32 KiB; a response returning 50 such keys under
/// 1 MiB.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// Controls per PKIData or PKIResponse (RFC 5272 section 3.2.1.2).
pub const MAX_CONTROLS: usize = 256;
/// Entries of each of reqSequence, cmsSequence and otherMsgSequence.
pub const MAX_BODY_PARTS: usize = 256;
/// Values of one control (TaggedAttribute) or one CMS attribute.
pub const MAX_ATTRIBUTE_VALUES: usize = 16;
/// Certificates in one SignedData.
pub const MAX_CERTIFICATES: usize = 64;
/// CRLs in one SignedData.
pub const MAX_CRLS: usize = 16;
/// digestAlgorithms of one SignedData.
pub const MAX_DIGEST_ALGORITHMS: usize = 16;
/// SignerInfos of one SignedData.
pub const MAX_SIGNERS: usize = 16;
/// Signed or unsigned attributes of one SignerInfo.
pub const MAX_ATTRIBUTES: usize = 64;
/// RecipientInfos of one EnvelopedData/AuthEnvelopedData carried in a CMC message.
pub const MAX_RECIPIENTS: usize = 16;

const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ID_ENVELOPED_DATA: &str = "1.2.840.113549.1.7.3";
const ID_AUTH_ENVELOPED_DATA: &str = "1.2.840.113549.1.9.16.1.23";

/// One TLV: its header and value.
type Tlv<'a> = (Header, &'a [u8]);

/// The TLVs of `value` (the contents of a constructed element), at most `max` of them: more is
/// an error naming `what`. `None` when the contents are not a sequence of DER TLVs (left to the
/// real decoder).
fn children<'a>(value: &'a [u8], max: usize, what: &str) -> Result<Option<Vec<Tlv<'a>>>> {
    let Ok(mut r) = SliceReader::new(value) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    while !r.is_finished() {
        let Ok(h) = Header::decode(&mut r) else {
            return Ok(None);
        };
        let Ok(v) = r.read_slice(h.length) else {
            return Ok(None);
        };
        if out.len() == max {
            return Err(Error::format(format!(
                "too many {what}: kmi reads at most {max}"
            )));
        }
        out.push((h, v));
    }
    Ok(Some(out))
}

/// The fields of a SEQUENCE of a known shape (at most `max`): `None` when it has more or is not
/// DER (not the structure looked for; the real decoder decides).
fn shape(value: &[u8], max: usize) -> Option<Vec<Tlv<'_>>> {
    children(value, max, "fields").ok().flatten()
}

/// The one TLV of `der` (a whole element), or `None`.
fn one(der: &[u8]) -> Option<Tlv<'_>> {
    let mut r = SliceReader::new(der).ok()?;
    let h = Header::decode(&mut r).ok()?;
    let v = r.read_slice(h.length).ok()?;
    r.is_finished().then_some((h, v))
}

fn oid_is(tlv: &Tlv<'_>, dotted: &str) -> bool {
    tlv.0.tag == Tag::ObjectIdentifier
        && der::asn1::ObjectIdentifier::from_bytes(tlv.1).is_ok_and(|o| o.to_string() == dotted)
}

fn ctx(tag: Tag, n: u8) -> bool {
    matches!(tag, Tag::ContextSpecific { number, .. } if number == TagNumber::new(n))
}

/// Check the size of a message before it is decoded (PEM armor and BER included).
pub fn check_message_size(bytes: &[u8]) -> Result<()> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(Error::format(format!(
            "the message has {} bytes; kmi reads CMC messages of at most {} bytes",
            bytes.len(),
            MAX_MESSAGE_BYTES
        )));
    }
    Ok(())
}

/// Check the counts of a ContentInfo (DER) holding SignedData, EnvelopedData or
/// AuthEnvelopedData; any other content is left alone.
pub fn check_content_info(der: &[u8]) -> Result<()> {
    let Some((h, v)) = one(der) else {
        return Ok(());
    };
    if h.tag != Tag::Sequence {
        return Ok(());
    }
    let Some(ci) = shape(v, 2) else {
        return Ok(());
    };
    let [ct, content] = ci.as_slice() else {
        return Ok(());
    };
    if !ctx(content.0.tag, 0) {
        return Ok(());
    }
    let Some((inner_h, inner)) = one(content.1) else {
        return Ok(());
    };
    if inner_h.tag != Tag::Sequence {
        return Ok(());
    }
    if oid_is(ct, ID_SIGNED_DATA) {
        check_signed_data(inner)
    } else if oid_is(ct, ID_ENVELOPED_DATA) || oid_is(ct, ID_AUTH_ENVELOPED_DATA) {
        check_enveloped(inner)
    } else {
        Ok(())
    }
}

/// SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
/// certificates [0] OPTIONAL, crls [1] OPTIONAL, signerInfos SET } (RFC 5652 section 5.1).
fn check_signed_data(v: &[u8]) -> Result<()> {
    let Some(fields) = shape(v, 6) else {
        return Ok(());
    };
    for (i, (h, value)) in fields.iter().enumerate() {
        if h.tag == Tag::Set && i == 1 {
            children(value, MAX_DIGEST_ALGORITHMS, "SignedData digest algorithms")?;
        } else if ctx(h.tag, 0) {
            children(value, MAX_CERTIFICATES, "certificates in a SignedData")?;
        } else if ctx(h.tag, 1) {
            children(value, MAX_CRLS, "CRLs in a SignedData")?;
        }
    }
    if let Some((h, value)) = fields.last() {
        if h.tag == Tag::Set {
            let signers = children(value, MAX_SIGNERS, "signers of a SignedData")?;
            for (sh, si) in signers.into_iter().flatten() {
                if sh.tag == Tag::Sequence {
                    check_signer_info(si)?;
                }
            }
        }
    }
    Ok(())
}

/// SignerInfo: signedAttrs [0] and unsignedAttrs [1], each a SET OF Attribute.
fn check_signer_info(v: &[u8]) -> Result<()> {
    let Some(fields) = shape(v, 7) else {
        return Ok(());
    };
    for (h, value) in fields {
        let unsigned = ctx(h.tag, 1);
        if !(ctx(h.tag, 0) || unsigned) {
            continue;
        }
        let what = if unsigned {
            "unsigned attributes of a signer"
        } else {
            "signed attributes of a signer"
        };
        for (ah, attr) in children(value, MAX_ATTRIBUTES, what)?.into_iter().flatten() {
            if ah.tag != Tag::Sequence {
                continue;
            }
            let Some(parts) = shape(attr, 2) else {
                continue;
            };
            if let [_, (vh, values)] = parts.as_slice() {
                if vh.tag == Tag::Set {
                    let vals = children(values, MAX_ATTRIBUTE_VALUES, "values of an attribute")?;
                    if unsigned {
                        // CMCUnsignedData { bodyPartPath, identifier, content }: the content
                        // may be a ContentInfo(EnvelopedData).
                        for (_, ud) in vals.into_iter().flatten() {
                            if let Some(ud) = shape(ud, 3) {
                                if let Some((ch, content)) = ud.get(2) {
                                    if ch.tag == Tag::Sequence {
                                        check_nested_content_info(content)?;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// A ContentInfo given by its value bytes (`value` is the inside of its SEQUENCE).
fn check_nested_content_info(value: &[u8]) -> Result<()> {
    let Some(ci) = shape(value, 2) else {
        return Ok(());
    };
    let [ct, content] = ci.as_slice() else {
        return Ok(());
    };
    if !ctx(content.0.tag, 0)
        || !(oid_is(ct, ID_ENVELOPED_DATA) || oid_is(ct, ID_AUTH_ENVELOPED_DATA))
    {
        return Ok(());
    }
    if let Some((h, inner)) = one(content.1) {
        if h.tag == Tag::Sequence {
            return check_enveloped(inner);
        }
    }
    Ok(())
}

/// EnvelopedData / AuthEnvelopedData ::= SEQUENCE { version, originatorInfo [0] OPTIONAL,
/// recipientInfos SET, ... } (RFC 5652 section 6.1, RFC 5083 section 2.1).
fn check_enveloped(v: &[u8]) -> Result<()> {
    let Some(fields) = shape(v, 6) else {
        return Ok(());
    };
    if let Some((_, ris)) = fields.iter().find(|(h, _)| h.tag == Tag::Set) {
        children(ris, MAX_RECIPIENTS, "recipients of an EnvelopedData")?;
    }
    Ok(())
}

/// Check the counts of a PKIData (four sequences) or PKIResponse (three) given as DER.
pub fn check_pki_body(der: &[u8]) -> Result<()> {
    let Some((h, v)) = one(der) else {
        return Ok(());
    };
    if h.tag != Tag::Sequence {
        return Ok(());
    }
    let Some(seqs) = shape(v, 4) else {
        return Ok(());
    };
    let response = seqs.len() == 3;
    for (i, (sh, body)) in seqs.iter().enumerate() {
        if sh.tag != Tag::Sequence {
            continue;
        }
        // PKIData: controls, requests, cms, other; PKIResponse: controls, cms, other.
        let role = match (response, i) {
            (_, 0) => "controls",
            (false, 1) => "reqSequence entries",
            (false, 2) | (true, 1) => "cmsSequence entries",
            _ => "otherMsgSequence entries",
        };
        let max = if i == 0 { MAX_CONTROLS } else { MAX_BODY_PARTS };
        let Some(items) = children(body, max, role)? else {
            continue;
        };
        for (ih, item) in items {
            if ih.tag != Tag::Sequence {
                continue;
            }
            if i == 0 {
                // TaggedAttribute { bodyPartID, attrType, attrValues SET }
                if let Some(parts) = shape(item, 3) {
                    if let Some((vh, values)) = parts.get(2) {
                        if vh.tag == Tag::Set {
                            children(values, MAX_ATTRIBUTE_VALUES, "values of a control")?;
                        }
                    }
                }
            } else if role == "cmsSequence entries" {
                // TaggedContentInfo { bodyPartID, contentInfo }
                if let Some(parts) = shape(item, 2) {
                    if let Some((ch, ci)) = parts.get(1) {
                        if ch.tag == Tag::Sequence {
                            check_nested_content_info(ci)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmc::oids::CmcOids;
    use crate::cmc::types::{Control, PkiData, TaggedAttribute};
    use der::Encode;

    fn pki_with_controls(n: u32) -> Vec<u8> {
        let oids = CmcOids::default();
        let mut pd = PkiData::default();
        for i in 0..n {
            pd.control_sequence.push(
                TaggedAttribute::from_control(
                    i + 1,
                    &Control::Identification(format!("id{i}")),
                    &oids,
                )
                .unwrap(),
            );
        }
        pd.to_der().unwrap()
    }

    #[test]
    fn controls_up_to_the_limit_pass_and_one_more_is_refused() {
        check_pki_body(&pki_with_controls(MAX_CONTROLS as u32)).unwrap();
        let e = check_pki_body(&pki_with_controls(MAX_CONTROLS as u32 + 1)).unwrap_err();
        assert!(e.to_string().contains("too many controls"), "{e}");
    }

    #[test]
    fn malformed_input_is_left_to_the_decoder() {
        for bad in [&b""[..], b"\x30", b"\x30\x05\x30\x00", b"\x04\x00"] {
            check_pki_body(bad).unwrap();
            check_content_info(bad).unwrap();
        }
    }

    #[test]
    fn message_size_is_capped() {
        check_message_size(&vec![0; MAX_MESSAGE_BYTES]).unwrap();
        assert!(check_message_size(&vec![0; MAX_MESSAGE_BYTES + 1]).is_err());
    }
}
