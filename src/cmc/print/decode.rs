//! Decoding a message into its report: input normalisation, the top layer, and the reporter
//! that walks SignedData, EnvelopedData, PKIData and PKIResponse down to each control.

use cms::content_info::ContentInfo;
use cms::enveloped_data::{EnvelopedData, RecipientIdentifier, RecipientInfo, RecipientInfos};
use cms::signed_data::{CertificateSet, SignedData, SignerIdentifier};
use const_oid::db::rfc5912;
use der::asn1::{Any, ObjectIdentifier as Oid};
use der::{Decode, Encode, Tagged};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::model::*;
use crate::cmc::oids::{ArchiveError, CmcOids};
use crate::cmc::types::*;
use crate::cms::asn1::{Pbkdf2Params, RsaesOaepParams, ID_ENVELOPED_DATA};
use crate::cms::auth_enveloped::{AuthEnvelopedData, ID_AUTH_ENVELOPED_DATA};
use crate::cms::authenticated::ID_AUTH_DATA;
use crate::cms::ber;
use crate::{Error, Result};
use cms::authenticated_data::AuthenticatedData;

/// id-signedData (RFC 5652 section 5).
use const_oid::db::rfc5911::ID_SIGNED_DATA;
use const_oid::db::rfc5912::ID_EC_PUBLIC_KEY as EC_PUBLIC_KEY;

/// Nested contents (a cmsSequence entry holding SignedData holding PKIData ...) deeper than this
/// are reported by content type only.
pub(super) const MAX_NESTING: usize = 4;

/// The input with its armor removed and normalised to DER.
#[derive(Clone, Debug)]
pub struct Normalized {
    pub encoding: Encoding,
    pub pem_label: Option<String>,
    pub der: Vec<u8>,
}

/// Remove PEM armor (any label) and normalise BER to DER.
pub fn normalize_input(input: &[u8]) -> Result<Normalized> {
    let armored = crate::io::armor::decode_armor(input)?;
    let der = ber::normalize_cms(&armored.der)?;
    let encoding = match (&armored.label, der == armored.der) {
        (Some(_), _) => Encoding::Pem,
        (None, true) => Encoding::Der,
        (None, false) => Encoding::Ber,
    };
    Ok(Normalized {
        encoding,
        pem_label: armored.label,
        der,
    })
}

/// The top layer of a message.
#[derive(Clone, Debug)]
pub enum Message {
    ContentInfo(ContentInfo),
    /// A PKIData SEQUENCE without a ContentInfo.
    BarePkiData(PkiData),
    /// A PKIResponse SEQUENCE without a ContentInfo.
    BarePkiResponse(PkiResponse),
}

/// Decode the top layer of normalised DER: a ContentInfo, else a bare PKIData or PKIResponse.
pub fn decode_message(der: &[u8]) -> Result<Message> {
    if let Ok(ci) = ContentInfo::from_der(der) {
        return Ok(Message::ContentInfo(ci));
    }
    if let Ok(pd) = PkiData::from_der(der) {
        return Ok(Message::BarePkiData(pd));
    }
    if let Ok(pr) = PkiResponse::from_der(der) {
        return Ok(Message::BarePkiResponse(pr));
    }
    // Report the ContentInfo error: it is what the input most likely meant to be.
    let e = ContentInfo::from_der(der).expect_err("tried above");
    Err(Error::format(format!(
        "not a CMS ContentInfo, PKIData or PKIResponse: {e}"
    )))
}

/// Decode the SignedData of a ContentInfo whose type is id-signedData.
pub fn signed_data_of(ci: &ContentInfo) -> Result<SignedData> {
    ci.content
        .decode_as::<SignedData>()
        .map_err(|e| Error::format(format!("malformed SignedData: {e}")))
}

/// The eContent octets of a SignedData (normalised to DER when they are BER), if present.
pub fn econtent_of(sd: &SignedData) -> Result<Option<Vec<u8>>> {
    let Some(any) = &sd.encap_content_info.econtent else {
        return Ok(None);
    };
    let os = any
        .decode_as::<der::asn1::OctetString>()
        .map_err(|e| Error::format(format!("SignedData eContent is not an OCTET STRING: {e}")))?;
    let bytes = os.as_bytes();
    Ok(Some(
        ber::normalize(bytes).unwrap_or_else(|_| bytes.to_vec()),
    ))
}

/// Parse and describe a message. `verify` is called once per SignedData layer.
pub fn parse_message(
    input: &[u8],
    oids: &CmcOids,
    verify: &dyn Fn(&SignedData) -> Vec<SignerStatus>,
) -> Result<MessageReport> {
    crate::cmc::bounds::check_message_size(input)?;
    let norm = normalize_input(input)?;
    // Counts an attacker picks, before anything is decoded (a bare PKIData/PKIResponse, or a
    // ContentInfo whose nested PKIData is checked where it is decoded).
    crate::cmc::bounds::check_content_info(&norm.der)?;
    crate::cmc::bounds::check_pki_body(&norm.der)?;
    let r = Reporter { oids, verify };
    let (content_info, content_type, content) = match decode_message(&norm.der)? {
        Message::ContentInfo(ci) => {
            let content = r.content(&ci.content_type, &ci.content, 0, true)?;
            (true, ci.content_type, content)
        }
        Message::BarePkiData(pd) => (false, oids.cct_pki_data, r.pki_data(&pd, 0)),
        Message::BarePkiResponse(pr) => (false, oids.cct_pki_response, r.pki_response(&pr, 0)),
    };
    Ok(MessageReport {
        report_version: REPORT_VERSION,
        encoding: norm.encoding,
        pem_label: norm.pem_label,
        content_info,
        content_type: OidName::new(&content_type, oids),
        content,
    })
}

struct Reporter<'a> {
    oids: &'a CmcOids,
    verify: &'a dyn Fn(&SignedData) -> Vec<SignerStatus>,
}

fn hex_of(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn der_hex<T: Encode>(value: &T) -> String {
    value.to_der().map(hex::encode).unwrap_or_default()
}

impl Reporter<'_> {
    fn name(&self, oid: &Oid) -> OidName {
        OidName::new(oid, self.oids)
    }

    /// Describe one content. `strict` (the outermost layer and the signed eContent): a layer
    /// that does not parse is an error; nested: it is reported as malformed.
    fn content(
        &self,
        ct: &Oid,
        content: &Any,
        depth: usize,
        strict: bool,
    ) -> Result<ContentReport> {
        if depth > MAX_NESTING {
            return Ok(ContentReport::TooDeep);
        }
        let result = self.content_inner(ct, content, depth);
        match result {
            Ok(r) => Ok(r),
            Err(e) if strict => Err(e),
            Err(e) => Ok(ContentReport::Malformed {
                error: e.to_string(),
            }),
        }
    }

    fn content_inner(&self, ct: &Oid, content: &Any, depth: usize) -> Result<ContentReport> {
        if *ct == ID_SIGNED_DATA {
            let sd = content
                .decode_as::<SignedData>()
                .map_err(|e| Error::format(format!("malformed SignedData: {e}")))?;
            return Ok(ContentReport::SignedData(Box::new(
                self.signed(&sd, depth)?,
            )));
        }
        if *ct == ID_ENVELOPED_DATA {
            // A nested EnvelopedData may still hold a constructed encryptedContent (BER).
            let ci = ContentInfo {
                content_type: *ct,
                content: content.clone(),
            };
            let der = ci
                .to_der()
                .map_err(|e| Error::format(format!("malformed EnvelopedData: {e}")))?;
            let der = ber::normalize_cms(&der)?;
            let ci = ContentInfo::from_der(&der)
                .map_err(|e| Error::format(format!("malformed EnvelopedData: {e}")))?;
            let ed = ci
                .content
                .decode_as::<EnvelopedData>()
                .map_err(|e| Error::format(format!("malformed EnvelopedData: {e}")))?;
            return Ok(ContentReport::EnvelopedData(self.enveloped(&ed)));
        }
        if *ct == ID_AUTH_ENVELOPED_DATA {
            let bad = |e: der::Error| Error::format(format!("malformed AuthEnvelopedData: {e}"));
            let ci = ContentInfo {
                content_type: *ct,
                content: content.clone(),
            };
            let der = ber::normalize_cms(&ci.to_der().map_err(bad)?)?;
            let ci = ContentInfo::from_der(&der).map_err(bad)?;
            let aed = ci.content.decode_as::<AuthEnvelopedData>().map_err(bad)?;
            return Ok(ContentReport::AuthEnvelopedData(self.auth_enveloped(&aed)));
        }
        if *ct == ID_AUTH_DATA {
            let ad = content
                .decode_as::<AuthenticatedData>()
                .map_err(|e| Error::format(format!("malformed AuthenticatedData: {e}")))?;
            return Ok(ContentReport::AuthenticatedData(Box::new(
                self.authenticated(&ad, depth)?,
            )));
        }
        if *ct == self.oids.cct_pki_data {
            let pd = content
                .decode_as::<PkiData>()
                .map_err(|e| Error::format(format!("malformed PKIData: {e}")))?;
            return Ok(self.pki_data(&pd, depth));
        }
        if *ct == self.oids.cct_pki_response {
            let pr = content
                .decode_as::<PkiResponse>()
                .map_err(|e| Error::format(format!("malformed PKIResponse: {e}")))?;
            return Ok(self.pki_response(&pr, depth));
        }
        Ok(ContentReport::Other {
            der_len: content.to_der().map(|d| d.len()).unwrap_or(0),
        })
    }

    fn authenticated(&self, ad: &AuthenticatedData, depth: usize) -> Result<AuthenticatedReport> {
        let ect = ad.encap_content_info.econtent_type;
        let econtent = match &ad.encap_content_info.econtent {
            None => ContentReport::Absent,
            Some(any) => {
                let bytes = any
                    .decode_as::<der::asn1::OctetString>()
                    .map_err(|e| Error::format(format!("eContent is not an OCTET STRING: {e}")))?;
                let bytes = bytes.as_bytes();
                if ect == self.oids.cct_pki_data {
                    crate::cmc::bounds::check_pki_body(bytes)?;
                }
                match Any::from_der(bytes) {
                    Ok(any) => {
                        self.content(&ect, &any, depth + 1, ect == self.oids.cct_pki_data)?
                    }
                    Err(_) => ContentReport::Other {
                        der_len: bytes.len(),
                    },
                }
            }
        };
        Ok(AuthenticatedReport {
            version: ad.version as u8,
            recipients: self.recipients(&ad.recip_infos),
            mac_algorithm: self.name(&ad.mac_alg.oid),
            digest_algorithm: ad.digest_alg.as_ref().map(|a| self.name(&a.oid)),
            econtent_type: self.name(&ect),
            econtent,
            authenticated_attributes: ad
                .auth_attrs
                .iter()
                .flat_map(|s| s.iter())
                .map(|a| self.name(&a.oid))
                .collect(),
            mac_len: ad.mac.as_bytes().len(),
            unauthenticated_attributes: ad.unauth_attrs.as_ref().map(|a| a.len()).unwrap_or(0),
        })
    }

    fn signed(&self, sd: &SignedData, depth: usize) -> Result<SignedDataReport> {
        let ect = sd.encap_content_info.econtent_type;
        let econtent = match econtent_of(sd)? {
            None => ContentReport::Absent,
            Some(bytes) => {
                if ect == self.oids.cct_pki_data || ect == self.oids.cct_pki_response {
                    crate::cmc::bounds::check_pki_body(&bytes)?;
                    let any = Any::from_der(&bytes).map_err(|e| {
                        Error::format(format!(
                            "malformed signed content ({}): {e}",
                            self.name(&ect)
                        ))
                    })?;
                    self.content(&ect, &any, depth + 1, true)?
                } else {
                    match Any::from_der(&bytes) {
                        Ok(any) => self.content(&ect, &any, depth + 1, false)?,
                        Err(_) => ContentReport::Other {
                            der_len: bytes.len(),
                        },
                    }
                }
            }
        };
        let statuses = (self.verify)(sd);
        let signers = sd
            .signer_infos
            .0
            .iter()
            .enumerate()
            .map(|(i, si)| SignerReport {
                version: si.version as u8,
                sid: match &si.sid {
                    SignerIdentifier::IssuerAndSerialNumber(ias) => {
                        IdentifierReport::IssuerAndSerialNumber {
                            issuer: ias.issuer.to_string(),
                            serial: hex_of(ias.serial_number.as_bytes()),
                        }
                    }
                    SignerIdentifier::SubjectKeyIdentifier(ski) => {
                        IdentifierReport::SubjectKeyIdentifier {
                            hex: hex_of(ski.0.as_bytes()),
                        }
                    }
                },
                digest_algorithm: self.name(&si.digest_alg.oid),
                signature_algorithm: self.name(&si.signature_algorithm.oid),
                signed_attributes: si
                    .signed_attrs
                    .iter()
                    .flat_map(|a| a.iter())
                    .map(|a| self.name(&a.oid))
                    .collect(),
                unsigned_attributes: si
                    .unsigned_attrs
                    .iter()
                    .flat_map(|a| a.iter())
                    .map(|a| self.attribute(&a.oid, a.values.as_slice(), depth))
                    .collect(),
                status: statuses.get(i).cloned(),
            })
            .collect();
        Ok(SignedDataReport {
            version: sd.version as u8,
            digest_algorithms: sd
                .digest_algorithms
                .iter()
                .map(|a| self.name(&a.oid))
                .collect(),
            econtent_type: self.name(&ect),
            econtent,
            certificates: certificates(sd.certificates.as_ref()),
            crls: sd.crls.as_ref().map(|c| c.0.len()).unwrap_or(0),
            signers,
        })
    }

    fn attribute(&self, oid: &Oid, values: &[Any], depth: usize) -> AttributeReport {
        let mut unsigned_data = Vec::new();
        if *oid == self.oids.aa_cmc_unsigned_data {
            for v in values {
                match v.decode_as::<CmcUnsignedData>() {
                    Ok(ud) => unsigned_data.push(UnsignedDataReport {
                        body_part_path: ud.body_part_path.clone(),
                        identifier: self.name(&ud.identifier),
                        content: self.unsigned_content(&ud.content, depth),
                    }),
                    Err(e) => unsigned_data.push(UnsignedDataReport {
                        body_part_path: Vec::new(),
                        identifier: self.name(oid),
                        content: ContentReport::Malformed {
                            error: format!("malformed CMCUnsignedData: {e}"),
                        },
                    }),
                }
            }
        }
        AttributeReport {
            attr_type: self.name(oid),
            values: values.len(),
            unsigned_data,
        }
    }

    /// CMCUnsignedData content: a ContentInfo (as kmi writes it), or a bare EnvelopedData.
    fn unsigned_content(&self, content: &Any, depth: usize) -> ContentReport {
        if let Ok(ci) = content.decode_as::<ContentInfo>() {
            return self
                .content(&ci.content_type, &ci.content, depth + 1, false)
                .unwrap_or_else(|e| ContentReport::Malformed {
                    error: e.to_string(),
                });
        }
        if let Ok(ed) = content.decode_as::<EnvelopedData>() {
            return ContentReport::EnvelopedData(self.enveloped(&ed));
        }
        ContentReport::Other {
            der_len: content.to_der().map(|d| d.len()).unwrap_or(0),
        }
    }

    fn enveloped(&self, ed: &EnvelopedData) -> EnvelopedReport {
        EnvelopedReport {
            version: ed.version as u8,
            recipients: self.recipients(&ed.recip_infos),
            content_type: self.name(&ed.encrypted_content.content_type),
            content_encryption_algorithm: self.name(&ed.encrypted_content.content_enc_alg.oid),
            encrypted_len: ed
                .encrypted_content
                .encrypted_content
                .as_ref()
                .map(|c| c.as_bytes().len()),
            unprotected_attributes: ed.unprotected_attrs.as_ref().map(|a| a.len()).unwrap_or(0),
            authenticated_attributes: None,
            mac_len: None,
        }
    }

    fn auth_enveloped(&self, aed: &AuthEnvelopedData) -> EnvelopedReport {
        let eci = &aed.auth_encrypted_content;
        EnvelopedReport {
            version: aed.version as u8,
            recipients: self.recipients(&aed.recip_infos),
            content_type: self.name(&eci.content_type),
            content_encryption_algorithm: self.name(&eci.content_enc_alg.oid),
            encrypted_len: eci.encrypted_content.as_ref().map(|c| c.as_bytes().len()),
            unprotected_attributes: aed.unauth_attrs.as_ref().map(|a| a.len()).unwrap_or(0),
            authenticated_attributes: Some(aed.auth_attrs.as_ref().map(|a| a.len()).unwrap_or(0)),
            mac_len: Some(aed.mac.as_bytes().len()),
        }
    }

    fn recipients(&self, infos: &RecipientInfos) -> Vec<RecipientReport> {
        infos
            .0
            .iter()
            .map(|ri| match ri {
                RecipientInfo::Ktri(k) => RecipientReport::Ktri {
                    rid: rid_report(&k.rid),
                    key_encryption_algorithm: self.name(&k.key_enc_alg.oid),
                    oaep_hash: params::<RsaesOaepParams>(&k.key_enc_alg).map(|p| match p.hash {
                        Some(h) => self.name(&h.oid),
                        None => self.name(&rfc5912::ID_SHA_1),
                    }),
                },
                RecipientInfo::Kari(k) => RecipientReport::Kari {
                    key_encryption_algorithm: self.name(&k.key_enc_alg.oid),
                    recipients: k.recipient_enc_keys.len(),
                },
                RecipientInfo::Kekri(k) => RecipientReport::Kek {
                    kek_id: hex_of(k.kek_id.kek_identifier.as_bytes()),
                    key_encryption_algorithm: self.name(&k.key_enc_alg.oid),
                },
                RecipientInfo::Pwri(p) => RecipientReport::Pwri {
                    key_derivation_algorithm: p
                        .key_derivation_alg
                        .as_ref()
                        .map(|a| self.name(&a.oid)),
                    iterations: p
                        .key_derivation_alg
                        .as_ref()
                        .and_then(params::<Pbkdf2Params>)
                        .map(|p| p.iteration_count),
                    key_encryption_algorithm: self.name(&p.key_enc_alg.oid),
                    kek_cipher: params::<AlgorithmIdentifierOwned>(&p.key_enc_alg)
                        .map(|a| self.name(&a.oid)),
                },
                RecipientInfo::Ori(o) => RecipientReport::Other {
                    ori_type: self.name(&o.ori_type),
                },
            })
            .collect()
    }

    fn pki_data(&self, pd: &PkiData, depth: usize) -> ContentReport {
        ContentReport::PkiData(PkiDataReport {
            controls: self.controls(&pd.control_sequence),
            requests: pd.req_sequence.iter().map(|r| self.request(r)).collect(),
            cms: self.cms_entries(&pd.cms_sequence, depth),
            other_msgs: self.other_msgs(&pd.other_msg_sequence),
        })
    }

    fn pki_response(&self, pr: &PkiResponse, depth: usize) -> ContentReport {
        ContentReport::PkiResponse(PkiResponseReport {
            controls: self.controls(&pr.control_sequence),
            cms: self.cms_entries(&pr.cms_sequence, depth),
            other_msgs: self.other_msgs(&pr.other_msg_sequence),
        })
    }

    fn cms_entries(&self, entries: &[TaggedContentInfo], depth: usize) -> Vec<CmsEntryReport> {
        entries
            .iter()
            .map(|t| CmsEntryReport {
                body_part_id: t.body_part_id,
                content_type: self.name(&t.content_info.content_type),
                content: self
                    .content(
                        &t.content_info.content_type,
                        &t.content_info.content,
                        depth + 1,
                        false,
                    )
                    .unwrap_or_else(|e| ContentReport::Malformed {
                        error: e.to_string(),
                    }),
            })
            .collect()
    }

    fn other_msgs(&self, msgs: &[OtherMsg]) -> Vec<OtherMsgReport> {
        msgs.iter()
            .map(|m| OtherMsgReport {
                body_part_id: m.body_part_id,
                other_msg_type: self.name(&m.other_msg_type),
                value: der_hex(&m.other_msg_value),
            })
            .collect()
    }

    fn controls(&self, controls: &[TaggedAttribute]) -> Vec<ControlReport> {
        controls
            .iter()
            .map(|c| ControlReport {
                body_part_id: c.body_part_id,
                attr_type: self.name(&c.attr_type),
                value: self.control_value(c),
            })
            .collect()
    }

    fn control_value(&self, c: &TaggedAttribute) -> ControlValue {
        let values = || c.attr_values.iter().map(der_hex).collect::<Vec<_>>();
        let control = match c.decode_control(self.oids) {
            Ok(control) => control,
            Err(e) => {
                return ControlValue::Malformed {
                    error: e.to_string(),
                    values: values(),
                }
            }
        };
        let sel = |s: &Option<der::asn1::OctetString>| s.as_ref().map(|s| hex_of(s.as_bytes()));
        let sel_text = |s: &Option<der::asn1::OctetString>| {
            s.as_ref().and_then(|s| printable_text(s.as_bytes()))
        };
        match control {
            Control::TransactionId(i) => ControlValue::TransactionId {
                value: int_text(&i),
            },
            Control::SenderNonce(n) => ControlValue::SenderNonce {
                hex: hex_of(n.as_bytes()),
            },
            Control::RecipientNonce(n) => ControlValue::RecipientNonce {
                hex: hex_of(n.as_bytes()),
            },
            Control::Identification(text) => ControlValue::Identification { text },
            Control::IdentityProofV2(p) => ControlValue::IdentityProofV2 {
                proof_algorithm: self.name(&p.proof_alg_id.oid),
                mac_algorithm: self.name(&p.mac_alg_id.oid),
                witness: hex_of(p.witness.as_bytes()),
            },
            Control::StatusInfoV2(s) => ControlValue::StatusInfoV2(self.status(&s)),
            Control::KeyArchival(k) => ControlValue::KeyArchival {
                req_body_part_id: k.req_body_part_id(),
                certificate_id: match &k.key_identification {
                    KeyIdentification::CertificateId(rid) => Some(rid_report(rid)),
                    KeyIdentification::ReqBodyPartId(_) => None,
                },
                cms_body_part_id: k.cms_body_part_id,
                selection_criteria: sel(&k.selection_criteria),
                selection_criteria_text: sel_text(&k.selection_criteria),
            },
            Control::ServerKeyGenRequest(r) => ControlValue::ServerKeyGenRequest {
                template: self.template(&r.certificate_request),
                shroud: self.shroud(&r.shroud_method),
                enc_capabilities: r
                    .enc_capabilities
                    .iter()
                    .map(|c| self.name(&c.capability_id))
                    .collect(),
                archive_key: r.f_archive_key,
                selection_criteria: sel(&r.selection_criteria),
                selection_criteria_text: sel_text(&r.selection_criteria),
            },
            Control::ServerKeyGenResponse(r) => ControlValue::ServerKeyGenResponse {
                cms_body_part_id: r.cms_body_part_id,
                request_body_part_id: r.request_body_part_id,
                certificate: r.issuer_and_serial_number.as_ref().map(|ias| {
                    IdentifierReport::IssuerAndSerialNumber {
                        issuer: ias.issuer.to_string(),
                        serial: hex_of(ias.serial_number.as_bytes()),
                    }
                }),
            },
            Control::KeyRecoveryReq(r) => ControlValue::KeyRecoveryReq {
                shroud: self.shroud(&r.shroud_method),
                enc_capabilities: r
                    .enc_capabilities
                    .iter()
                    .map(|c| self.name(&c.capability_id))
                    .collect(),
                selection_criteria: sel(&r.selection_criteria),
                selection_criteria_text: sel_text(&r.selection_criteria),
            },
            Control::KeyRecoveryRsp(r) => ControlValue::KeyRecoveryRsp {
                cms_body_part_id: r.cms_body_part_id,
                certificate_id: r.certificate_id.as_ref().map(rid_report),
                selection_criteria: sel(&r.selection_criteria),
                selection_criteria_text: sel_text(&r.selection_criteria),
            },
            Control::Unknown { .. } => ControlValue::Unknown { values: values() },
        }
    }

    fn status(&self, s: &CmcStatusInfoV2) -> StatusReport {
        let mut r = StatusReport {
            status: NamedNumber {
                value: s.cmc_status.0,
                name: s.cmc_status.name(),
            },
            body_list: s
                .body_list
                .iter()
                .map(|b| match b {
                    BodyPartReference::BodyPartId(id) => id.to_string(),
                    BodyPartReference::BodyPartPath(p) => p
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("/"),
                })
                .collect(),
            status_string: s.status_string.clone(),
            fail_info: None,
            pend_info: None,
            extended_fail_info: None,
        };
        match &s.other_info {
            None => {}
            Some(OtherStatusInfo::FailInfo(f)) => {
                r.fail_info = Some(NamedNumber {
                    value: f.0,
                    name: f.name(),
                })
            }
            Some(OtherStatusInfo::PendInfo(p)) => {
                r.pend_info = Some(PendReport {
                    token: hex_of(p.pend_token.as_bytes()),
                    time: p.pend_time.to_date_time().to_string(),
                })
            }
            Some(OtherStatusInfo::ExtendedFailInfo(e)) => {
                r.extended_fail_info = Some(ExtendedFailReport {
                    fail_info_oid: self.name(&e.fail_info_oid),
                    value: der_hex(&e.fail_info_value),
                    archive_error: s.archive_error(self.oids).map(|code| NamedNumber {
                        value: code,
                        name: ArchiveError::from_code(code).map(ArchiveError::name),
                    }),
                })
            }
        }
        r
    }

    fn shroud(&self, method: &ShroudMethod) -> ShroudReport {
        match Shroud::from_method(method, self.oids) {
            Ok(Shroud::PublicKey(ShroudWithPublicKey::Certificate(c))) => {
                ShroudReport::PublicKeyCertificate {
                    subject: c.tbs_certificate.subject.to_string(),
                    serial: hex_of(c.tbs_certificate.serial_number.as_bytes()),
                    public_key: self.key(&c.tbs_certificate.subject_public_key_info),
                }
            }
            Ok(Shroud::PublicKey(ShroudWithPublicKey::PublicKey(k))) => ShroudReport::PublicKey {
                public_key: self.key(&k),
            },
            Ok(Shroud::SharedSecret(identifier)) => ShroudReport::SharedSecret { identifier },
            Ok(Shroud::Other(a)) => ShroudReport::Other {
                algorithm: self.name(&a.oid),
            },
            Err(e) => ShroudReport::Malformed {
                algorithm: self.name(&method.oid),
                error: e.to_string(),
            },
        }
    }

    fn key(&self, spki: &SubjectPublicKeyInfoOwned) -> KeyReport {
        let alg = &spki.algorithm;
        let bits = if alg.oid == rfc5912::RSA_ENCRYPTION {
            spki.subject_public_key
                .as_bytes()
                .and_then(|b| pkcs1::RsaPublicKey::from_der(b).ok())
                .map(|k| uint_bits(k.modulus.as_bytes()))
        } else {
            None
        };
        let parameters = if alg.oid == EC_PUBLIC_KEY {
            alg.parameters
                .as_ref()
                .and_then(|p| p.decode_as::<Oid>().ok())
                .map(|c| self.name(&c))
        } else {
            None
        };
        KeyReport {
            algorithm: self.name(&alg.oid),
            bits,
            parameters,
        }
    }

    fn template(&self, t: &CertTemplate) -> TemplateReport {
        TemplateReport {
            version: t.version,
            serial_number: t.serial_number.as_ref().map(int_text),
            signing_algorithm: t.signing_alg.as_ref().map(|a| self.name(&a.oid)),
            issuer: t.issuer.as_ref().map(|n| n.to_string()),
            not_before: t
                .validity
                .as_ref()
                .and_then(|v| v.not_before)
                .map(|x| x.to_string()),
            not_after: t
                .validity
                .as_ref()
                .and_then(|v| v.not_after)
                .map(|x| x.to_string()),
            subject: t.subject.as_ref().map(|n| n.to_string()),
            public_key: t.public_key.as_ref().map(|k| self.key(k)),
            extensions: t
                .extensions
                .iter()
                .flatten()
                .map(|e| self.name(&e.extn_id))
                .collect(),
        }
    }

    fn request(&self, r: &TaggedRequest) -> RequestReport {
        match r {
            TaggedRequest::Tcr(t) => {
                let info = &t.certification_request.info;
                RequestReport::Tcr {
                    body_part_id: t.body_part_id,
                    subject: info.subject.to_string(),
                    public_key: self.key(&info.public_key),
                    signature_algorithm: self.name(&t.certification_request.algorithm.oid),
                    attributes: info.attributes.iter().map(|a| self.name(&a.oid)).collect(),
                }
            }
            TaggedRequest::Crm(c) => RequestReport::Crm {
                cert_req_id: int_text(&c.cert_req.cert_req_id),
                template: self.template(&c.cert_req.cert_template),
                controls: c
                    .cert_req
                    .controls
                    .iter()
                    .flatten()
                    .map(|a| self.name(&a.oid))
                    .collect(),
                popo: c.popo.as_ref().map(|p| popo_kind(&p.0)),
                reg_info: c
                    .reg_info
                    .iter()
                    .flatten()
                    .map(|a| self.name(&a.oid))
                    .collect(),
            },
            TaggedRequest::Orm(o) => RequestReport::Orm {
                body_part_id: o.body_part_id,
                request_message_type: self.name(&o.request_message_type),
            },
        }
    }
}

fn certificates(set: Option<&CertificateSet>) -> Vec<CertificateReport> {
    set.map(|s| {
        s.0.iter()
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => Some(CertificateReport {
                    subject: c.tbs_certificate.subject.to_string(),
                    issuer: c.tbs_certificate.issuer.to_string(),
                    serial: hex_of(c.tbs_certificate.serial_number.as_bytes()),
                }),
                cms::cert::CertificateChoices::Other(_) => None,
            })
            .collect()
    })
    .unwrap_or_default()
}

fn params<T: der::DecodeOwned>(alg: &AlgorithmIdentifierOwned) -> Option<T> {
    let der = alg.parameters.as_ref()?.to_der().ok()?;
    T::from_der(&der).ok()
}

/// ProofOfPossession arms (RFC 4211 section 4).
fn popo_kind(any: &Any) -> String {
    let n = match any.tag() {
        der::Tag::ContextSpecific { number, .. } => number.value(),
        _ => 255,
    };
    match n {
        0 => "raVerified [0]".into(),
        1 => "signature [1]".into(),
        2 => "keyEncipherment [2]".into(),
        3 => "keyAgreement [3]".into(),
        n => format!("[{n}]"),
    }
}

/// Bits of a big-endian unsigned integer.
fn uint_bits(bytes: &[u8]) -> u32 {
    let bytes = match bytes.iter().position(|&b| b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    (bytes.len() as u32 - 1) * 8 + (8 - bytes[0].leading_zeros())
}

/// An INTEGER as decimal when it fits 64 bits, else as hex.
fn int_text(i: &der::asn1::Int) -> String {
    if let Ok(v) = Any::encode_from(i).and_then(|a| a.decode_as::<i64>()) {
        return v.to_string();
    }
    format!("0x{}", hex_of(i.as_bytes()))
}

/// A RecipientIdentifier (a recipient, or the draft's certificateId) as reported.
pub(super) fn rid_report(rid: &RecipientIdentifier) -> IdentifierReport {
    match rid {
        RecipientIdentifier::IssuerAndSerialNumber(ias) => {
            IdentifierReport::IssuerAndSerialNumber {
                issuer: ias.issuer.to_string(),
                serial: hex_of(ias.serial_number.as_bytes()),
            }
        }
        RecipientIdentifier::SubjectKeyIdentifier(ski) => IdentifierReport::SubjectKeyIdentifier {
            hex: hex_of(ski.0.as_bytes()),
        },
    }
}

/// An OCTET STRING that carries text (selectionCriteria, which `--selection` sets) as that text,
/// when it is non-empty UTF-8 without control characters; None otherwise (the hex stands).
pub fn printable_text(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    (!text.is_empty() && !text.chars().any(char::is_control)).then(|| text.to_string())
}
