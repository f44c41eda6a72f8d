//! `kmi cmc parse`: every layer of a CMC message as a structured report (serde, for `--json`)
//! and as indented human text ([`render_text`]).
//!
//! Input: DER, BER (indefinite lengths, constructed strings: normalised first) or PEM, of a
//! ContentInfo (SignedData around PKIData/PKIResponse, EnvelopedData, or PKIData/PKIResponse
//! under their id-cct content types), or a bare PKIData/PKIResponse SEQUENCE.
//!
//! The structure of the outer layers must parse (else a one-line [`Error::format`]); below that,
//! nothing the report describes is fatal: an unknown control is reported as OID + DER hex, a
//! malformed control or nested content as its error text.
//!
//! Signature status is not decided here: the caller passes a verifier that returns one
//! [`SignerStatus`] per SignerInfo (in SignerInfos order), or [`no_verification`].

use cms::content_info::ContentInfo;
use cms::enveloped_data::{EnvelopedData, RecipientIdentifier, RecipientInfo, RecipientInfos};
use cms::signed_data::{CertificateSet, SignedData, SignerIdentifier};
use der::asn1::{Any, ObjectIdentifier as Oid};
use der::{Decode, Encode, Tagged};
use serde::Serialize;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::oids::{ArchiveError, CmcOids};
use super::types::*;
use crate::cms::asn1::{Pbkdf2Params, RsaesOaepParams, ID_ENVELOPED_DATA};
use crate::cms::auth_enveloped::{AuthEnvelopedData, ID_AUTH_ENVELOPED_DATA};
use crate::cms::ber;
use crate::{Error, Result};

/// The version of the `--json` model; bump it when a field changes meaning or goes away.
pub const REPORT_VERSION: u32 = 1;

/// id-signedData (RFC 5652 section 5).
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");

/// Nested contents (a cmsSequence entry holding SignedData holding PKIData ...) deeper than this
/// are reported by content type only.
const MAX_NESTING: usize = 4;

/// What a caller's verifier says of one SignerInfo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignerStatus {
    pub verified: bool,
    /// One line: what was checked, or why it failed.
    pub detail: String,
}

/// The verifier for callers that do not verify: every signer is reported as not checked.
pub fn no_verification(_: &SignedData) -> Vec<SignerStatus> {
    Vec::new()
}

/// How the input was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Der,
    /// BER, normalised to DER before parsing.
    Ber,
    Pem,
}

/// An object identifier with kmi's name for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OidName {
    pub oid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
}

impl OidName {
    fn new(oid: &Oid, oids: &CmcOids) -> Self {
        OidName {
            oid: oid.to_string(),
            name: oids.name_of(oid),
        }
    }
}

impl std::fmt::Display for OidName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            Some(n) => write!(f, "{n} ({})", self.oid),
            None => f.write_str(&self.oid),
        }
    }
}

/// A number with its ASN.1 name, if it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedNumber {
    pub value: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
}

impl std::fmt::Display for NamedNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            Some(n) => write!(f, "{n} ({})", self.value),
            None => write!(f, "{}", self.value),
        }
    }
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct MessageReport {
    pub report_version: u32,
    pub encoding: Encoding,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem_label: Option<String>,
    /// False for a bare PKIData/PKIResponse (no ContentInfo around it).
    pub content_info: bool,
    pub content_type: OidName,
    pub content: ContentReport,
}

/// One content, by type.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContentReport {
    SignedData(Box<SignedDataReport>),
    EnvelopedData(EnvelopedReport),
    /// RFC 5083 (AES-GCM): the same report, with the length of the authentication tag.
    AuthEnvelopedData(EnvelopedReport),
    PkiData(PkiDataReport),
    PkiResponse(PkiResponseReport),
    /// A content type kmi does not describe.
    Other {
        der_len: usize,
    },
    /// Detached content (SignedData without eContent).
    Absent,
    /// Nested deeper than the report goes.
    TooDeep,
    /// The content could not be parsed; the outer layers still were.
    Malformed {
        error: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct SignedDataReport {
    pub version: u8,
    pub digest_algorithms: Vec<OidName>,
    pub econtent_type: OidName,
    pub econtent: ContentReport,
    pub certificates: Vec<CertificateReport>,
    pub crls: usize,
    pub signers: Vec<SignerReport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateReport {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IdentifierReport {
    IssuerAndSerialNumber { issuer: String, serial: String },
    SubjectKeyIdentifier { hex: String },
}

#[derive(Clone, Debug, Serialize)]
pub struct SignerReport {
    pub version: u8,
    pub sid: IdentifierReport,
    pub digest_algorithm: OidName,
    pub signature_algorithm: OidName,
    pub signed_attributes: Vec<OidName>,
    pub unsigned_attributes: Vec<AttributeReport>,
    /// `None` when the caller's verifier did not report on this signer.
    pub status: Option<SignerStatus>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AttributeReport {
    pub attr_type: OidName,
    pub values: usize,
    /// For id-aa-cmc-unsignedData: each value decoded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsigned_data: Vec<UnsignedDataReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnsignedDataReport {
    pub body_part_path: Vec<u32>,
    pub identifier: OidName,
    pub content: ContentReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvelopedReport {
    pub version: u8,
    pub recipients: Vec<RecipientReport>,
    /// encryptedContentInfo.contentType: the type of the plaintext.
    pub content_type: OidName,
    pub content_encryption_algorithm: OidName,
    /// Length of the encrypted content, absent when detached.
    pub encrypted_len: Option<usize>,
    /// unprotectedAttrs (EnvelopedData) or unauthAttrs (AuthEnvelopedData).
    pub unprotected_attributes: usize,
    /// AuthEnvelopedData only: authAttrs and the length of the mac (the GCM tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticated_attributes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_len: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecipientReport {
    Ktri {
        rid: IdentifierReport,
        key_encryption_algorithm: OidName,
        #[serde(skip_serializing_if = "Option::is_none")]
        oaep_hash: Option<OidName>,
    },
    Kari {
        key_encryption_algorithm: OidName,
        recipients: usize,
    },
    Kek {
        kek_id: String,
        key_encryption_algorithm: OidName,
    },
    Pwri {
        key_derivation_algorithm: Option<OidName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        iterations: Option<u32>,
        key_encryption_algorithm: OidName,
        /// For id-alg-PWRI-KEK: the inner cipher.
        #[serde(skip_serializing_if = "Option::is_none")]
        kek_cipher: Option<OidName>,
    },
    Other {
        ori_type: OidName,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct PkiDataReport {
    pub controls: Vec<ControlReport>,
    pub requests: Vec<RequestReport>,
    pub cms: Vec<CmsEntryReport>,
    pub other_msgs: Vec<OtherMsgReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PkiResponseReport {
    pub controls: Vec<ControlReport>,
    pub cms: Vec<CmsEntryReport>,
    pub other_msgs: Vec<OtherMsgReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ControlReport {
    pub body_part_id: u32,
    pub attr_type: OidName,
    pub value: ControlValue,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // a report, built once and not moved around
pub enum ControlValue {
    TransactionId {
        value: String,
    },
    SenderNonce {
        hex: String,
    },
    RecipientNonce {
        hex: String,
    },
    Identification {
        text: String,
    },
    IdentityProofV2 {
        proof_algorithm: OidName,
        mac_algorithm: OidName,
        witness: String,
    },
    StatusInfoV2(StatusReport),
    KeyArchival {
        req_body_part_id: u32,
        cms_body_part_id: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
    },
    ServerKeyGenRequest {
        request: RequestReport,
        shroud: ShroudReport,
        archive_key: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
    },
    ServerKeyGenResponse {
        cms_body_part_id: u32,
        request_body_part_id: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
    },
    KeyRecoveryReq {
        shroud: ShroudReport,
        #[serde(skip_serializing_if = "Option::is_none")]
        bulk_encryption_algorithm: Option<OidName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
    },
    KeyRecoveryRsp {
        body_part_id: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
    },
    /// A control kmi does not know: its values' DER in hex.
    Unknown {
        values: Vec<String>,
    },
    /// A known control whose value does not decode.
    Malformed {
        error: String,
        values: Vec<String>,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct StatusReport {
    pub status: NamedNumber,
    pub body_list: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_info: Option<NamedNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pend_info: Option<PendReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_fail_info: Option<ExtendedFailReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PendReport {
    pub token: String,
    pub time: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExtendedFailReport {
    pub fail_info_oid: OidName,
    pub value: String,
    /// The draft's archive error, when the OID is under id-cmc-errs-archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_error: Option<NamedNumber>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShroudReport {
    PublicKeyCertificate {
        subject: String,
        serial: String,
        public_key: KeyReport,
    },
    PublicKey {
        public_key: KeyReport,
    },
    SharedSecret {
        identifier: String,
    },
    Other {
        algorithm: OidName,
    },
    Malformed {
        algorithm: OidName,
        error: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct KeyReport {
    pub algorithm: OidName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    /// For EC keys: the curve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<OidName>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RequestReport {
    Tcr {
        body_part_id: u32,
        subject: String,
        public_key: KeyReport,
        signature_algorithm: OidName,
        attributes: Vec<OidName>,
    },
    Crm {
        cert_req_id: String,
        template: TemplateReport,
        controls: Vec<OidName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        popo: Option<String>,
        reg_info: Vec<OidName>,
    },
    Orm {
        body_part_id: u32,
        request_message_type: OidName,
    },
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct TemplateReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_algorithm: Option<OidName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<KeyReport>,
    pub extensions: Vec<OidName>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CmsEntryReport {
    pub body_part_id: u32,
    pub content_type: OidName,
    pub content: ContentReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct OtherMsgReport {
    pub body_part_id: u32,
    pub other_msg_type: OidName,
    pub value: String,
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

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
    super::bounds::check_message_size(input)?;
    let norm = normalize_input(input)?;
    // Counts an attacker picks, before anything is decoded (a bare PKIData/PKIResponse, or a
    // ContentInfo whose nested PKIData is checked where it is decoded).
    super::bounds::check_content_info(&norm.der)?;
    super::bounds::check_pki_body(&norm.der)?;
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

    fn signed(&self, sd: &SignedData, depth: usize) -> Result<SignedDataReport> {
        let ect = sd.encap_content_info.econtent_type;
        let econtent = match econtent_of(sd)? {
            None => ContentReport::Absent,
            Some(bytes) => {
                if ect == self.oids.cct_pki_data || ect == self.oids.cct_pki_response {
                    super::bounds::check_pki_body(&bytes)?;
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
                    rid: match &k.rid {
                        RecipientIdentifier::IssuerAndSerialNumber(ias) => {
                            IdentifierReport::IssuerAndSerialNumber {
                                issuer: ias.issuer.to_string(),
                                serial: hex_of(ias.serial_number.as_bytes()),
                            }
                        }
                        RecipientIdentifier::SubjectKeyIdentifier(ski) => {
                            IdentifierReport::SubjectKeyIdentifier {
                                hex: hex_of(ski.0.as_bytes()),
                            }
                        }
                    },
                    key_encryption_algorithm: self.name(&k.key_enc_alg.oid),
                    oaep_hash: params::<RsaesOaepParams>(&k.key_enc_alg).map(|p| match p.hash {
                        Some(h) => self.name(&h.oid),
                        None => self.name(&crate::cms::asn1::SHA1),
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
                req_body_part_id: k.req_body_part_id,
                cms_body_part_id: k.cms_body_part_id,
                selection_criteria: sel(&k.selection_criteria),
            },
            Control::ServerKeyGenRequest(r) => ControlValue::ServerKeyGenRequest {
                request: self.request(&r.certificate_request),
                shroud: self.shroud(&r.shroud_method),
                archive_key: r.f_archive_key,
                selection_criteria: sel(&r.selection_criteria),
            },
            Control::ServerKeyGenResponse(r) => ControlValue::ServerKeyGenResponse {
                cms_body_part_id: r.cms_body_part_id,
                request_body_part_id: r.request_body_part_id,
                selection_criteria: sel(&r.selection_criteria),
            },
            Control::KeyRecoveryReq(r) => ControlValue::KeyRecoveryReq {
                shroud: self.shroud(&r.shroud_method),
                bulk_encryption_algorithm: r
                    .bulk_encryption_algorithm
                    .as_ref()
                    .map(|a| self.name(&a.oid)),
                selection_criteria: sel(&r.selection_criteria),
            },
            Control::KeyRecoveryRsp(r) => ControlValue::KeyRecoveryRsp {
                body_part_id: r.body_part_id,
                selection_criteria: sel(&r.selection_criteria),
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
        let bits = if alg.oid == crate::oids::RSA_ENCRYPTION {
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
            TaggedRequest::Crm(c) => {
                let t = &c.cert_req.cert_template;
                RequestReport::Crm {
                    cert_req_id: int_text(&c.cert_req.cert_req_id),
                    template: TemplateReport {
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
                    },
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
                }
            }
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

// ---------------------------------------------------------------------------------------------
// Human text
// ---------------------------------------------------------------------------------------------

struct Text {
    out: String,
    indent: usize,
}

impl Text {
    fn line(&mut self, s: impl AsRef<str>) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }
    fn nest(&mut self, f: impl FnOnce(&mut Text)) {
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }
}

/// The report as indented human text (not an interface: scripts use `--json`).
pub fn render_text(report: &MessageReport) -> String {
    let mut t = Text {
        out: String::new(),
        indent: 0,
    };
    let enc = match report.encoding {
        Encoding::Der => "DER".to_string(),
        Encoding::Ber => "BER (normalised to DER)".to_string(),
        Encoding::Pem => format!(
            "PEM \"{}\"",
            report.pem_label.as_deref().unwrap_or_default()
        ),
    };
    t.line(format!("Encoding: {enc}"));
    if report.content_info {
        t.line(format!("ContentInfo: {}", report.content_type));
    } else {
        t.line(format!("Bare {} (no ContentInfo)", report.content_type));
    }
    t.nest(|t| content_text(t, &report.content));
    t.out
}

fn content_text(t: &mut Text, c: &ContentReport) {
    match c {
        ContentReport::SignedData(sd) => signed_text(t, sd),
        ContentReport::EnvelopedData(e) => enveloped_text(t, "EnvelopedData", e),
        ContentReport::AuthEnvelopedData(e) => enveloped_text(t, "AuthEnvelopedData", e),
        ContentReport::PkiData(p) => {
            t.line(format!(
                "PKIData: {} controls, {} requests, {} cms, {} other",
                p.controls.len(),
                p.requests.len(),
                p.cms.len(),
                p.other_msgs.len()
            ));
            t.nest(|t| {
                controls_text(t, &p.controls);
                for r in &p.requests {
                    request_text(t, r);
                }
                cms_text(t, &p.cms);
                other_text(t, &p.other_msgs);
            });
        }
        ContentReport::PkiResponse(p) => {
            t.line(format!(
                "PKIResponse: {} controls, {} cms, {} other",
                p.controls.len(),
                p.cms.len(),
                p.other_msgs.len()
            ));
            t.nest(|t| {
                controls_text(t, &p.controls);
                cms_text(t, &p.cms);
                other_text(t, &p.other_msgs);
            });
        }
        ContentReport::Other { der_len } => {
            t.line(format!("(content not described, {der_len} bytes)"))
        }
        ContentReport::Absent => t.line("(content absent: detached)"),
        ContentReport::TooDeep => t.line("(nested too deep, not described)"),
        ContentReport::Malformed { error } => t.line(format!("MALFORMED: {error}")),
    }
}

fn id_text(id: &IdentifierReport) -> String {
    match id {
        IdentifierReport::IssuerAndSerialNumber { issuer, serial } => {
            format!("issuer \"{issuer}\" serial {serial}")
        }
        IdentifierReport::SubjectKeyIdentifier { hex } => format!("subjectKeyIdentifier {hex}"),
    }
}

fn signed_text(t: &mut Text, sd: &SignedDataReport) {
    t.line(format!("SignedData v{}", sd.version));
    t.nest(|t| {
        let algs: Vec<String> = sd.digest_algorithms.iter().map(|a| a.to_string()).collect();
        t.line(format!("digest algorithms: {}", algs.join(", ")));
        t.line(format!("certificates: {}", sd.certificates.len()));
        t.nest(|t| {
            for c in &sd.certificates {
                t.line(format!(
                    "subject \"{}\" serial {} issuer \"{}\"",
                    c.subject, c.serial, c.issuer
                ));
            }
        });
        if sd.crls > 0 {
            t.line(format!("CRLs: {}", sd.crls));
        }
        for (i, s) in sd.signers.iter().enumerate() {
            t.line(format!(
                "signer {} (v{}): {}",
                i + 1,
                s.version,
                id_text(&s.sid)
            ));
            t.nest(|t| {
                t.line(format!(
                    "digest {}, signature {}",
                    s.digest_algorithm, s.signature_algorithm
                ));
                let names: Vec<String> =
                    s.signed_attributes.iter().map(|a| a.to_string()).collect();
                t.line(format!(
                    "signed attributes: {}",
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                ));
                for a in &s.unsigned_attributes {
                    t.line(format!(
                        "unsigned attribute {} ({} values)",
                        a.attr_type, a.values
                    ));
                    t.nest(|t| {
                        for u in &a.unsigned_data {
                            let path: Vec<String> =
                                u.body_part_path.iter().map(|x| x.to_string()).collect();
                            t.line(format!(
                                "bodyPartPath {} identifier {}",
                                path.join("/"),
                                u.identifier
                            ));
                            t.nest(|t| content_text(t, &u.content));
                        }
                    });
                }
                match &s.status {
                    Some(st) if st.verified => {
                        t.line(format!("signature: verified ({})", st.detail))
                    }
                    Some(st) => t.line(format!("signature: FAILED ({})", st.detail)),
                    None => t.line("signature: not checked"),
                }
            });
        }
        t.line(format!("eContentType: {}", sd.econtent_type));
        t.nest(|t| content_text(t, &sd.econtent));
    });
}

fn enveloped_text(t: &mut Text, kind: &str, e: &EnvelopedReport) {
    t.line(format!("{kind} v{}", e.version));
    t.nest(|t| {
        for r in &e.recipients {
            match r {
                RecipientReport::Ktri {
                    rid,
                    key_encryption_algorithm,
                    oaep_hash,
                } => {
                    let h = oaep_hash
                        .as_ref()
                        .map(|h| format!(", OAEP hash {h}"))
                        .unwrap_or_default();
                    t.line(format!(
                        "ktri: {}, {key_encryption_algorithm}{h}",
                        id_text(rid)
                    ));
                }
                RecipientReport::Kari {
                    key_encryption_algorithm,
                    recipients,
                } => t.line(format!(
                    "kari: {key_encryption_algorithm}, {recipients} recipient keys"
                )),
                RecipientReport::Kek {
                    kek_id,
                    key_encryption_algorithm,
                } => t.line(format!("kekri: kekid {kek_id}, {key_encryption_algorithm}")),
                RecipientReport::Pwri {
                    key_derivation_algorithm,
                    iterations,
                    key_encryption_algorithm,
                    kek_cipher,
                } => {
                    let kdf = key_derivation_algorithm
                        .as_ref()
                        .map(|k| k.to_string())
                        .unwrap_or_else(|| "none".into());
                    let it = iterations
                        .map(|i| format!(" ({i} iterations)"))
                        .unwrap_or_default();
                    let kc = kek_cipher
                        .as_ref()
                        .map(|k| format!(" with {k}"))
                        .unwrap_or_default();
                    t.line(format!("pwri: {kdf}{it}, {key_encryption_algorithm}{kc}"));
                }
                RecipientReport::Other { ori_type } => t.line(format!("ori: {ori_type}")),
            }
        }
        let len = e
            .encrypted_len
            .map(|l| format!("{l} bytes"))
            .unwrap_or_else(|| "detached".into());
        let mac = e
            .mac_len
            .map(|m| format!(", {m}-byte tag"))
            .unwrap_or_default();
        t.line(format!(
            "content: {} under {}, {len}{mac}",
            e.content_type, e.content_encryption_algorithm
        ));
    });
}

fn controls_text(t: &mut Text, controls: &[ControlReport]) {
    for c in controls {
        t.line(format!("control {}: {}", c.body_part_id, c.attr_type));
        t.nest(|t| match &c.value {
            ControlValue::TransactionId { value } => t.line(format!("transactionId {value}")),
            ControlValue::SenderNonce { hex } | ControlValue::RecipientNonce { hex } => {
                t.line(format!("nonce {hex}"))
            }
            ControlValue::Identification { text } => t.line(format!("identification \"{text}\"")),
            ControlValue::IdentityProofV2 {
                proof_algorithm,
                mac_algorithm,
                witness,
            } => t.line(format!(
                "proof {proof_algorithm}, MAC {mac_algorithm}, witness {witness}"
            )),
            ControlValue::StatusInfoV2(s) => {
                t.line(format!(
                    "status {} for body parts [{}]",
                    s.status,
                    s.body_list.join(", ")
                ));
                if let Some(text) = &s.status_string {
                    t.line(format!("statusString \"{text}\""));
                }
                if let Some(f) = &s.fail_info {
                    t.line(format!("failInfo {f}"));
                }
                if let Some(p) = &s.pend_info {
                    t.line(format!("pendInfo token {} until {}", p.token, p.time));
                }
                if let Some(x) = &s.extended_fail_info {
                    let ae = x
                        .archive_error
                        .as_ref()
                        .map(|a| format!(" = archive error {a}"))
                        .unwrap_or_default();
                    t.line(format!(
                        "extendedFailInfo {} value {}{ae}",
                        x.fail_info_oid, x.value
                    ));
                }
            }
            ControlValue::KeyArchival {
                req_body_part_id,
                cms_body_part_id,
                selection_criteria,
            } => {
                t.line(format!(
                    "request body part {req_body_part_id}, cms body part {cms_body_part_id}{}",
                    sel_text(selection_criteria)
                ));
            }
            ControlValue::ServerKeyGenRequest {
                request,
                shroud,
                archive_key,
                selection_criteria,
            } => {
                t.line(format!(
                    "archive key: {archive_key}{}",
                    sel_text(selection_criteria)
                ));
                shroud_text(t, shroud);
                request_text(t, request);
            }
            ControlValue::ServerKeyGenResponse {
                cms_body_part_id,
                request_body_part_id,
                selection_criteria,
            } => {
                t.line(format!(
                    "cms body part {cms_body_part_id} answers request {request_body_part_id}{}",
                    sel_text(selection_criteria)
                ));
            }
            ControlValue::KeyRecoveryReq {
                shroud,
                bulk_encryption_algorithm,
                selection_criteria,
            } => {
                shroud_text(t, shroud);
                if let Some(b) = bulk_encryption_algorithm {
                    t.line(format!("bulk encryption {b}"));
                }
                if let Some(s) = selection_criteria {
                    t.line(format!("selectionCriteria {s}"));
                }
            }
            ControlValue::KeyRecoveryRsp {
                body_part_id,
                selection_criteria,
            } => {
                t.line(format!(
                    "keys in cms body part {body_part_id}{}",
                    sel_text(selection_criteria)
                ));
            }
            ControlValue::Unknown { values } => {
                for v in values {
                    t.line(format!("value (DER) {v}"));
                }
            }
            ControlValue::Malformed { error, values } => {
                t.line(format!("MALFORMED: {error}"));
                for v in values {
                    t.line(format!("value (DER) {v}"));
                }
            }
        });
    }
}

fn sel_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(", selectionCriteria {s}"))
        .unwrap_or_default()
}

fn key_text(k: &KeyReport) -> String {
    let mut s = k.algorithm.to_string();
    if let Some(b) = k.bits {
        s.push_str(&format!(" {b} bits"));
    }
    if let Some(p) = &k.parameters {
        s.push_str(&format!(" {p}"));
    }
    s
}

fn shroud_text(t: &mut Text, s: &ShroudReport) {
    t.line(match s {
        ShroudReport::PublicKeyCertificate {
            subject,
            serial,
            public_key,
        } => {
            format!(
                "shroud with certificate \"{subject}\" serial {serial}, {}",
                key_text(public_key)
            )
        }
        ShroudReport::PublicKey { public_key } => {
            format!("shroud with public key {}", key_text(public_key))
        }
        ShroudReport::SharedSecret { identifier } => {
            format!("shroud with shared secret \"{identifier}\"")
        }
        ShroudReport::Other { algorithm } => format!("shroud method {algorithm}"),
        ShroudReport::Malformed { algorithm, error } => {
            format!("shroud method {algorithm} MALFORMED: {error}")
        }
    });
}

fn request_text(t: &mut Text, r: &RequestReport) {
    match r {
        RequestReport::Tcr {
            body_part_id,
            subject,
            public_key,
            signature_algorithm,
            attributes,
        } => {
            t.line(format!(
                "request {body_part_id} (tcr, PKCS#10): subject \"{subject}\""
            ));
            t.nest(|t| {
                t.line(format!("public key {}", key_text(public_key)));
                t.line(format!("signature {signature_algorithm}"));
                for a in attributes {
                    t.line(format!("attribute {a}"));
                }
            });
        }
        RequestReport::Crm {
            cert_req_id,
            template,
            controls,
            popo,
            reg_info,
        } => {
            t.line(format!("request {cert_req_id} (crm, CRMF)"));
            t.nest(|t| {
                let tp = template;
                if let Some(v) = tp.version {
                    t.line(format!("version {v}"));
                }
                if let Some(s) = &tp.serial_number {
                    t.line(format!("serialNumber {s}"));
                }
                if let Some(a) = &tp.signing_algorithm {
                    t.line(format!("signingAlg {a}"));
                }
                if let Some(s) = &tp.issuer {
                    t.line(format!("issuer \"{s}\""));
                }
                if let Some(s) = &tp.not_before {
                    t.line(format!("notBefore {s}"));
                }
                if let Some(s) = &tp.not_after {
                    t.line(format!("notAfter {s}"));
                }
                if let Some(s) = &tp.subject {
                    t.line(format!("subject \"{s}\""));
                }
                if let Some(k) = &tp.public_key {
                    t.line(format!("public key {}", key_text(k)));
                }
                for e in &tp.extensions {
                    t.line(format!("extension {e}"));
                }
                for c in controls {
                    t.line(format!("control {c}"));
                }
                if let Some(p) = popo {
                    t.line(format!("proof of possession {p}"));
                }
                for r in reg_info {
                    t.line(format!("regInfo {r}"));
                }
            });
        }
        RequestReport::Orm {
            body_part_id,
            request_message_type,
        } => {
            t.line(format!(
                "request {body_part_id} (orm): {request_message_type}"
            ));
        }
    }
}

fn cms_text(t: &mut Text, entries: &[CmsEntryReport]) {
    for e in entries {
        t.line(format!("cms {}: {}", e.body_part_id, e.content_type));
        t.nest(|t| content_text(t, &e.content));
    }
}

fn other_text(t: &mut Text, msgs: &[OtherMsgReport]) {
    for m in msgs {
        t.line(format!(
            "otherMsg {}: {} value (DER) {}",
            m.body_part_id, m.other_msg_type, m.value
        ));
    }
}

#[cfg(test)]
mod tests;
