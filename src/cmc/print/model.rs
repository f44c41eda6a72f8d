//! The report model of `kmi cmc parse`: what every layer of a message says, as serde types
//! (the `--json` output) that the text renderer also reads.

use cms::signed_data::SignedData;
use der::asn1::ObjectIdentifier as Oid;
use serde::Serialize;

use crate::cmc::oids::CmcOids;

/// The version of the `--json` model; bump it when a field changes meaning or goes away.
pub const REPORT_VERSION: u32 = 1;

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
    pub(super) fn new(oid: &Oid, oids: &CmcOids) -> Self {
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
    /// `version` in the JSON, the envelope's version (kmi's one `--json` envelope).
    #[serde(rename = "version")]
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
    /// RFC 5652 section 9: a request authenticated with a shared secret instead of signed.
    AuthenticatedData(Box<AuthenticatedReport>),
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

/// AuthenticatedData (RFC 5652 section 9). The MAC is not checked: that takes the secret.
#[derive(Clone, Debug, Serialize)]
pub struct AuthenticatedReport {
    pub version: u8,
    pub recipients: Vec<RecipientReport>,
    pub mac_algorithm: OidName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<OidName>,
    pub econtent_type: OidName,
    pub econtent: ContentReport,
    /// The authAttrs' types.
    pub authenticated_attributes: Vec<OidName>,
    pub mac_len: usize,
    pub unauthenticated_attributes: usize,
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
        /// keyIdentification's reqBodyPartID arm.
        #[serde(skip_serializing_if = "Option::is_none")]
        req_body_part_id: Option<u32>,
        /// keyIdentification's certificateID arm.
        #[serde(skip_serializing_if = "Option::is_none")]
        certificate_id: Option<IdentifierReport>,
        cms_body_part_id: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
        /// selectionCriteria as the text `--selection` typed, when it is printable UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria_text: Option<String>,
    },
    ServerKeyGenRequest {
        /// The certificateRequest: a CertTemplate (draft 4.1).
        template: TemplateReport,
        shroud: ShroudReport,
        enc_capabilities: Vec<OidName>,
        archive_key: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
        /// selectionCriteria as the text `--selection` typed, when it is printable UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria_text: Option<String>,
    },
    ServerKeyGenResponse {
        cms_body_part_id: u32,
        request_body_part_id: u32,
        /// The certificate issued for the generated key (an `issuer_and_serial_number`).
        #[serde(skip_serializing_if = "Option::is_none")]
        certificate: Option<IdentifierReport>,
    },
    KeyRecoveryReq {
        shroud: ShroudReport,
        /// encCapabilities: the content-encryption algorithms accepted, in order.
        enc_capabilities: Vec<OidName>,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
        /// selectionCriteria as the text `--selection` typed, when it is printable UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria_text: Option<String>,
    },
    KeyRecoveryRsp {
        cms_body_part_id: u32,
        /// The certificate (or key) the returned key belongs to; absent in section 5.2.1's form.
        #[serde(skip_serializing_if = "Option::is_none")]
        certificate_id: Option<IdentifierReport>,
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria: Option<String>,
        /// selectionCriteria as the text `--selection` typed, when it is printable UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        selection_criteria_text: Option<String>,
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
