//! The CMC and archive-draft ASN.1 types (formats.md section 4), one Rust type per production.
//!
//! Sources: RFC 5272 section 3 and appendix A (module `EnrollmentMessageSyntax`, IMPLICIT TAGS)
//! with the RFC 6402 changes (CMCStatusInfoV2 `extendedFailInfo [1]`, CMCUnsignedData); RFC 4211
//! (CRMF, IMPLICIT TAGS: CertReqMsg, CertTemplate, EncKeyWithID); and the key archival draft
//! (draft-ietf-pkix-cmc-archive, J. Schaad: ShroudMethod, ServerKeyGenRequest/Response,
//! KeyArchival, KeyRecoveryReq/Rsp, MultiplePrivateKeys). The draft's ASN.1 is quoted as kmi
//! implements it; where the draft is ambiguous formats.md decides, and the choice is said on the
//! type. Caveat: only the front pages of draft-ietf-pkix-cmc-archive-00/-01 could be consulted
//! when this was written; the field lists of the draft's productions follow the author's reading
//! of -01 and must be checked against the draft's own module before interop claims are made.
//!
//! Tagging traps handled here, with known-answer tests below:
//! - a tagged CHOICE is always EXPLICIT, even in an IMPLICIT TAGS module (X.680 31.2.7):
//!   CertTemplate `issuer [3] Name`, `subject [5] Name`, OptionalValidity `[0]/[1] Time`;
//! - SET OF is DER-sorted on encoding ([`der::asn1::SetOfVec`]);
//! - `extendedFailInfo` is read both `[1]`-tagged (RFC 6402) and untagged (RFC 5272, as
//!   pyasn1-modules writes it) and always written `[1]`;
//! - ShroudWithPublicKey is written with `[0]/[1] IMPLICIT` arms and read in both forms;
//! - `fArchiveKey BOOLEAN DEFAULT FALSE` is written only when TRUE.
//!
//! The `crmf` crate (0.2.0) was checked and not used: its CertTemplate types `validity` as an
//! X.509 `Validity` (two untagged Times) instead of OptionalValidity, and its EncKeyWithID
//! identifier's `Tagged::tag` recurses forever for the generalName arm.

use cms::content_info::ContentInfo;
use der::asn1::{
    Any, AnyRef, GeneralizedTime, Int, ObjectIdentifier as Oid, OctetString, SetOfVec,
};
use der::{
    Choice, Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence,
    SliceReader, Tag, TagNumber, Tagged, Writer,
};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::request::CertReq;
use x509_cert::time::Time;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::oids::{ArchiveError, CmcOids};
use crate::{Error, Result};

// ---------------------------------------------------------------------------------------------
// RFC 5272 / RFC 6402
// ---------------------------------------------------------------------------------------------

/// ```text
/// BodyPartID ::= INTEGER(0..4294967295)
/// ```
/// RFC 5272 section 3.2.
pub type BodyPartID = u32;

/// ```text
/// BodyPartPath ::= SEQUENCE SIZE (1..MAX) OF BodyPartID
/// ```
/// RFC 5272 section 3.2.2.
pub type BodyPartPath = Vec<BodyPartID>;

/// ```text
/// BodyPartReference ::= CHOICE {
///    bodyPartID           BodyPartID,
///    bodyPartPath         BodyPartPath }
/// ```
/// RFC 5272 section 3.2.2.
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub enum BodyPartReference {
    BodyPartId(BodyPartID),
    BodyPartPath(BodyPartPath),
}

/// ```text
/// TaggedAttribute ::= SEQUENCE {
///     bodyPartID         BodyPartID,
///     attrType           OBJECT IDENTIFIER,
///     attrValues         SET OF AttributeValue }
/// AttributeValue ::= ANY
/// ```
/// RFC 5272 section 3.2.1.2. A control; see [`Control`] for the typed values.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TaggedAttribute {
    pub body_part_id: BodyPartID,
    pub attr_type: Oid,
    pub attr_values: SetOfVec<Any>,
}

/// ```text
/// TaggedCertificationRequest ::= SEQUENCE {
///     bodyPartID            BodyPartID,
///     certificationRequest  CertificationRequest }
/// ```
/// RFC 5272 section 3.2.1.3.1; CertificationRequest is PKCS#10 (RFC 2986).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TaggedCertificationRequest {
    pub body_part_id: BodyPartID,
    pub certification_request: CertReq,
}

/// ```text
/// orm [2] SEQUENCE {
///     bodyPartID            BodyPartID,
///     requestMessageType    OBJECT IDENTIFIER,
///     requestMessageValue   ANY DEFINED BY requestMessageType }
/// ```
/// RFC 5272 section 3.2.1.3.3 (the `orm` arm of TaggedRequest).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OtherRequestMsg {
    pub body_part_id: BodyPartID,
    pub request_message_type: Oid,
    pub request_message_value: Any,
}

/// ```text
/// TaggedRequest ::= CHOICE {
///     tcr               [0] TaggedCertificationRequest,
///     crm               [1] CertReqMsg,
///     orm               [2] SEQUENCE { ... } }
/// ```
/// RFC 5272 section 3.2.1.3 (IMPLICIT TAGS: `A0`, `A1`, `A2` replace the SEQUENCE tag).
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
#[allow(clippy::large_enum_variant)]
pub enum TaggedRequest {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", constructed = "true")]
    Tcr(TaggedCertificationRequest),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Crm(CertReqMsg),
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", constructed = "true")]
    Orm(OtherRequestMsg),
}

impl TaggedRequest {
    /// The request's body part ID (for crm, the certReqId, RFC 5272 section 3.2.1.3.2).
    pub fn body_part_id(&self) -> Option<BodyPartID> {
        match self {
            TaggedRequest::Tcr(t) => Some(t.body_part_id),
            TaggedRequest::Crm(c) => int_to_u32(&c.cert_req.cert_req_id),
            TaggedRequest::Orm(o) => Some(o.body_part_id),
        }
    }
}

/// ```text
/// TaggedContentInfo ::= SEQUENCE {
///     bodyPartID              BodyPartID,
///     contentInfo             ContentInfo }
/// ```
/// RFC 5272 section 3.2.1.4.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TaggedContentInfo {
    pub body_part_id: BodyPartID,
    pub content_info: ContentInfo,
}

/// ```text
/// OtherMsg ::= SEQUENCE {
///     bodyPartID        BodyPartID,
///     otherMsgType      OBJECT IDENTIFIER,
///     otherMsgValue     ANY DEFINED BY otherMsgType }
/// ```
/// RFC 5272 section 3.2.1.5.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OtherMsg {
    pub body_part_id: BodyPartID,
    pub other_msg_type: Oid,
    pub other_msg_value: Any,
}

/// ```text
/// PKIData ::= SEQUENCE {
///     controlSequence    SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
///     reqSequence        SEQUENCE SIZE(0..MAX) OF TaggedRequest,
///     cmsSequence        SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
///     otherMsgSequence   SEQUENCE SIZE(0..MAX) OF OtherMsg }
/// ```
/// RFC 5272 section 3.2.1 (content type id-cct-PKIData).
#[derive(Clone, Debug, Default, Eq, PartialEq, Sequence)]
pub struct PkiData {
    pub control_sequence: Vec<TaggedAttribute>,
    pub req_sequence: Vec<TaggedRequest>,
    pub cms_sequence: Vec<TaggedContentInfo>,
    pub other_msg_sequence: Vec<OtherMsg>,
}

impl PkiData {
    /// A bodyPartID used by more than one control, request, cmsSequence or otherMsgSequence
    /// entry, if any: RFC 5272 section 3.2.1 requires them to be unique within a PKIData, and a
    /// reference to a shared one is ambiguous. A crm certReqId that does not fit a BodyPartID
    /// is not counted (it names nothing).
    pub fn duplicate_body_part_id(&self) -> Option<BodyPartID> {
        let ids = self
            .control_sequence
            .iter()
            .map(|c| Some(c.body_part_id))
            .chain(self.req_sequence.iter().map(TaggedRequest::body_part_id))
            .chain(self.cms_sequence.iter().map(|c| Some(c.body_part_id)))
            .chain(self.other_msg_sequence.iter().map(|o| Some(o.body_part_id)))
            .flatten();
        let mut seen = std::collections::BTreeSet::new();
        ids.into_iter().find(|id| !seen.insert(*id))
    }
}

/// ```text
/// PKIResponse ::= SEQUENCE {
///     controlSequence   SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
///     cmsSequence       SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
///     otherMsgSequence  SEQUENCE SIZE(0..MAX) OF OtherMsg }
/// ```
/// RFC 5272 section 3.2.2 (content type id-cct-PKIResponse).
#[derive(Clone, Debug, Default, Eq, PartialEq, Sequence)]
pub struct PkiResponse {
    pub control_sequence: Vec<TaggedAttribute>,
    pub cms_sequence: Vec<TaggedContentInfo>,
    pub other_msg_sequence: Vec<OtherMsg>,
}

/// An INTEGER with named values that must still decode when the value has no name.
macro_rules! named_integer {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $konst:ident = $val:expr, $text:expr;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Eq, PartialEq, Hash)]
        pub struct $name(pub u32);

        impl $name {
            $($(#[$vm])* pub const $konst: $name = $name($val);)*

            /// The ASN.1 name of the value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($val => Some($text),)*
                    _ => None,
                }
            }
        }

        impl FixedTag for $name {
            const TAG: Tag = Tag::Integer;
        }

        impl<'a> DecodeValue<'a> for $name {
            fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
                u32::decode_value(reader, header).map($name)
            }
        }

        impl EncodeValue for $name {
            fn value_len(&self) -> der::Result<Length> {
                self.0.value_len()
            }
            fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
                self.0.encode_value(writer)
            }
        }
    };
}

named_integer! {
    /// ```text
    /// CMCStatus ::= INTEGER {
    ///     success (0), failed (2), pending (3), noSupport (4),
    ///     confirmRequired (5), popRequired (6), partial (7) }
    /// ```
    /// RFC 5272 section 6.1.4 (1 is reserved).
    CmcStatus {
        SUCCESS = 0, "success";
        FAILED = 2, "failed";
        PENDING = 3, "pending";
        NO_SUPPORT = 4, "noSupport";
        CONFIRM_REQUIRED = 5, "confirmRequired";
        POP_REQUIRED = 6, "popRequired";
        PARTIAL = 7, "partial";
    }
}

named_integer! {
    /// ```text
    /// CMCFailInfo ::= INTEGER {
    ///     badAlg (0), badMessageCheck (1), badRequest (2), badTime (3), badCertId (4),
    ///     unsupportedExt (5), mustArchiveKeys (6), badIdentity (7), popRequired (8),
    ///     popFailed (9), noKeyReuse (10), internalCAError (11), tryLater (12),
    ///     authDataFail (13) }
    /// ```
    /// RFC 5272 section 6.1.4.
    CmcFailInfo {
        BAD_ALG = 0, "badAlg";
        BAD_MESSAGE_CHECK = 1, "badMessageCheck";
        BAD_REQUEST = 2, "badRequest";
        BAD_TIME = 3, "badTime";
        BAD_CERT_ID = 4, "badCertId";
        UNSUPPORTED_EXT = 5, "unsupportedExt";
        MUST_ARCHIVE_KEYS = 6, "mustArchiveKeys";
        BAD_IDENTITY = 7, "badIdentity";
        POP_REQUIRED = 8, "popRequired";
        POP_FAILED = 9, "popFailed";
        NO_KEY_REUSE = 10, "noKeyReuse";
        INTERNAL_CA_ERROR = 11, "internalCAError";
        TRY_LATER = 12, "tryLater";
        AUTH_DATA_FAIL = 13, "authDataFail";
    }
}

/// ```text
/// PendInfo ::= SEQUENCE {
///     pendToken        OCTET STRING,
///     pendTime         GeneralizedTime }
/// ```
/// RFC 5272 section 6.1.1.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PendInfo {
    pub pend_token: OctetString,
    pub pend_time: GeneralizedTime,
}

/// ```text
/// ExtendedFailInfo ::= SEQUENCE {
///     failInfoOID            OBJECT IDENTIFIER,
///     failInfoValue          AttributeValue }
/// ```
/// RFC 6402's update of CMCStatusInfoV2 (the `extendedFailInfo` arm of OtherStatusInfo).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ExtendedFailInfo {
    pub fail_info_oid: Oid,
    pub fail_info_value: Any,
}

/// ```text
/// OtherStatusInfo ::= CHOICE {
///     failInfo              CMCFailInfo,
///     pendInfo              PendInfo,
///     extendedFailInfo      [1] ExtendedFailInfo }
/// ```
/// RFC 6402 (which added the `[1]`: in RFC 5272 pendInfo and extendedFailInfo were both untagged
/// SEQUENCEs). Read: INTEGER, SEQUENCE (pendInfo when its first element is an OCTET STRING, an
/// untagged extendedFailInfo when it is an OBJECT IDENTIFIER) or `[1]`. Written: always `[1]`
/// for extendedFailInfo.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum OtherStatusInfo {
    FailInfo(CmcFailInfo),
    PendInfo(PendInfo),
    ExtendedFailInfo(ExtendedFailInfo),
}

const TAG_CTX1_CONS: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber::N1,
};
const TAG_CTX0_CONS: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber::N0,
};

impl<'a> Choice<'a> for OtherStatusInfo {
    fn can_decode(tag: Tag) -> bool {
        matches!(tag, Tag::Integer | Tag::Sequence) || tag == TAG_CTX1_CONS
    }
}

impl<'a> Decode<'a> for OtherStatusInfo {
    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let header = Header::decode(reader)?;
        match header.tag {
            Tag::Integer => CmcFailInfo::decode_value(reader, header).map(Self::FailInfo),
            t if t == TAG_CTX1_CONS => {
                ExtendedFailInfo::decode_value(reader, header).map(Self::ExtendedFailInfo)
            }
            Tag::Sequence => {
                let value = reader.read_slice(header.length)?;
                let first = SliceReader::new(value)?.peek_tag()?;
                let mut inner = SliceReader::new(value)?;
                let out = if first == Tag::ObjectIdentifier {
                    Self::ExtendedFailInfo(ExtendedFailInfo::decode_value(&mut inner, header)?)
                } else {
                    Self::PendInfo(PendInfo::decode_value(&mut inner, header)?)
                };
                inner.finish(out)
            }
            t => Err(t.unexpected_error(None)),
        }
    }
}

impl EncodeValue for OtherStatusInfo {
    fn value_len(&self) -> der::Result<Length> {
        match self {
            Self::FailInfo(f) => f.value_len(),
            Self::PendInfo(p) => p.value_len(),
            Self::ExtendedFailInfo(e) => e.value_len(),
        }
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match self {
            Self::FailInfo(f) => f.encode_value(writer),
            Self::PendInfo(p) => p.encode_value(writer),
            Self::ExtendedFailInfo(e) => e.encode_value(writer),
        }
    }
}

impl Tagged for OtherStatusInfo {
    fn tag(&self) -> Tag {
        match self {
            Self::FailInfo(_) => Tag::Integer,
            Self::PendInfo(_) => Tag::Sequence,
            Self::ExtendedFailInfo(_) => TAG_CTX1_CONS,
        }
    }
}

/// ```text
/// CMCStatusInfoV2 ::= SEQUENCE {
///    cMCStatus             CMCStatus,
///    bodyList              SEQUENCE SIZE (1..MAX) OF BodyPartReference,
///    statusString          UTF8String OPTIONAL,
///    otherInfo             OtherStatusInfo OPTIONAL }
/// ```
/// RFC 5272 section 6.1.1 with the RFC 6402 OtherStatusInfo (control id-cmc-statusInfoV2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CmcStatusInfoV2 {
    pub cmc_status: CmcStatus,
    pub body_list: Vec<BodyPartReference>,
    #[asn1(optional = "true")]
    pub status_string: Option<String>,
    #[asn1(optional = "true")]
    pub other_info: Option<OtherStatusInfo>,
}

impl CmcStatusInfoV2 {
    /// A failed status with the draft's archive error as extendedFailInfo: failInfoOID
    /// `id-cmc-errs-archive.N`, failInfoValue INTEGER N (see [`CmcStatusInfoV2::archive_error`]).
    pub fn archive_failure(
        body_list: Vec<BodyPartReference>,
        err: ArchiveError,
        status_string: Option<String>,
        oids: &CmcOids,
    ) -> Result<Self> {
        Ok(CmcStatusInfoV2 {
            cmc_status: CmcStatus::FAILED,
            body_list,
            status_string,
            other_info: Some(OtherStatusInfo::ExtendedFailInfo(ExtendedFailInfo {
                fail_info_oid: oids.archive_error_oid(err),
                fail_info_value: Any::encode_from(&err.code()).map_err(enc_err)?,
            })),
        })
    }

    /// The draft's archive error code in an extendedFailInfo: failInfoOID `id-cmc-errs-archive.N`
    /// (any value), or failInfoOID `id-cmc-errs-archive` with an INTEGER N value. `None` for any
    /// other otherInfo; the number is returned even when kmi has no name for it.
    pub fn archive_error(&self, oids: &CmcOids) -> Option<u32> {
        let Some(OtherStatusInfo::ExtendedFailInfo(e)) = &self.other_info else {
            return None;
        };
        if let Some(code) = oids.archive_error_code(&e.fail_info_oid) {
            return Some(code);
        }
        (e.fail_info_oid == oids.errs_archive)
            .then(|| e.fail_info_value.decode_as::<u32>().ok())
            .flatten()
    }
}

/// ```text
/// CMCUnsignedData ::= SEQUENCE {
///     bodyPartPath        BodyPartPath,
///     identifier          OBJECT IDENTIFIER,
///     content             ANY DEFINED BY identifier }
/// ```
/// RFC 5272 section 3.2.3 (attribute id-aa-cmc-unsignedData). For an archived key, identifier is
/// id-cmc-archive-enveloped-data and content a ContentInfo holding EnvelopedData (formats.md).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CmcUnsignedData {
    pub body_part_path: BodyPartPath,
    pub identifier: Oid,
    pub content: Any,
}

/// ```text
/// IdentifyProofV2 ::= SEQUENCE {
///     proofAlgID       AlgorithmIdentifier,
///     macAlgId         AlgorithmIdentifier,
///     witness          OCTET STRING }
/// ```
/// RFC 5272 section 6.2.1 (control id-cmc-identityProofV2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IdentityProofV2 {
    pub proof_alg_id: AlgorithmIdentifierOwned,
    pub mac_alg_id: AlgorithmIdentifierOwned,
    pub witness: OctetString,
}

// ---------------------------------------------------------------------------------------------
// RFC 4211 (CRMF)
// ---------------------------------------------------------------------------------------------

/// ```text
/// OptionalValidity ::= SEQUENCE {
///     notBefore  [0] Time OPTIONAL,
///     notAfter   [1] Time OPTIONAL } -- at least one MUST be present
/// ```
/// RFC 4211 section 5. Time is a CHOICE, so the tags are EXPLICIT (`A0 17 ..`, `A1 18 ..`).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OptionalValidity {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub not_before: Option<Time>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub not_after: Option<Time>,
}

/// ```text
/// CertTemplate ::= SEQUENCE {
///     version      [0] Version               OPTIONAL,
///     serialNumber [1] INTEGER               OPTIONAL,
///     signingAlg   [2] AlgorithmIdentifier   OPTIONAL,
///     issuer       [3] Name                  OPTIONAL,
///     validity     [4] OptionalValidity      OPTIONAL,
///     subject      [5] Name                  OPTIONAL,
///     publicKey    [6] SubjectPublicKeyInfo  OPTIONAL,
///     issuerUID    [7] UniqueIdentifier      OPTIONAL,
///     subjectUID   [8] UniqueIdentifier      OPTIONAL,
///     extensions   [9] Extensions            OPTIONAL }
/// ```
/// RFC 4211 section 5 (IMPLICIT TAGS; Name is a CHOICE, so issuer and subject are EXPLICIT).
#[derive(Clone, Debug, Default, Eq, PartialEq, Sequence)]
pub struct CertTemplate {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub version: Option<u8>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub serial_number: Option<Int>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub signing_alg: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub issuer: Option<Name>,
    #[asn1(context_specific = "4", tag_mode = "IMPLICIT", optional = "true")]
    pub validity: Option<OptionalValidity>,
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    pub subject: Option<Name>,
    #[asn1(context_specific = "6", tag_mode = "IMPLICIT", optional = "true")]
    pub public_key: Option<SubjectPublicKeyInfoOwned>,
    #[asn1(context_specific = "7", tag_mode = "IMPLICIT", optional = "true")]
    pub issuer_uid: Option<der::asn1::BitString>,
    #[asn1(context_specific = "8", tag_mode = "IMPLICIT", optional = "true")]
    pub subject_uid: Option<der::asn1::BitString>,
    #[asn1(context_specific = "9", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// ```text
/// CertRequest ::= SEQUENCE {
///     certReqId     INTEGER,
///     certTemplate  CertTemplate,
///     controls      Controls OPTIONAL }
/// Controls ::= SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue
/// ```
/// RFC 4211 section 5.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertRequest {
    pub cert_req_id: Int,
    pub cert_template: CertTemplate,
    #[asn1(optional = "true")]
    pub controls: Option<Vec<AttributeTypeAndValue>>,
}

/// Any context-specific element, kept as it is (a CHOICE of tagged arms that kmi does not
/// interpret, such as ProofOfPossession).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ContextSpecificAny(pub Any);

impl<'a> Choice<'a> for ContextSpecificAny {
    fn can_decode(tag: Tag) -> bool {
        tag.is_context_specific()
    }
}

impl<'a> Decode<'a> for ContextSpecificAny {
    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let any = Any::decode(reader)?;
        if !any.tag().is_context_specific() {
            return Err(any.tag().unexpected_error(None));
        }
        Ok(ContextSpecificAny(any))
    }
}

impl EncodeValue for ContextSpecificAny {
    fn value_len(&self) -> der::Result<Length> {
        self.0.value_len()
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.0.encode_value(writer)
    }
}

impl Tagged for ContextSpecificAny {
    fn tag(&self) -> Tag {
        self.0.tag()
    }
}

/// ```text
/// CertReqMsg ::= SEQUENCE {
///     certReq   CertRequest,
///     popo      ProofOfPossession  OPTIONAL,
///     regInfo   SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue OPTIONAL }
/// ```
/// RFC 4211 section 3. ProofOfPossession (a CHOICE of `[0]`..`[3]`) is kept undecoded.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertReqMsg {
    pub cert_req: CertRequest,
    #[asn1(optional = "true")]
    pub popo: Option<ContextSpecificAny>,
    #[asn1(optional = "true")]
    pub reg_info: Option<Vec<AttributeTypeAndValue>>,
}

/// A PrivateKeyInfo / OneAsymmetricKey (RFC 5958) held as its DER in a zeroizing buffer. Decoding
/// checks that it parses as PKCS#8; Debug shows only the length.
#[derive(Clone, Eq, PartialEq)]
pub struct PrivateKeyInfoDer {
    /// The SEQUENCE's contents (without tag and length).
    value: Zeroizing<Vec<u8>>,
}

impl PrivateKeyInfoDer {
    /// From the DER of a PrivateKeyInfo (as `openssl pkcs8 -topk8 -nocrypt -outform DER` writes).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| Error::format(format!("malformed PrivateKeyInfo: {e}")))?;
        <Self as Decode>::from_der(der)
            .map_err(|e| Error::format(format!("malformed PrivateKeyInfo: {e}")))
    }

    /// The DER of the PrivateKeyInfo.
    pub fn to_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let any = AnyRef::new(Tag::Sequence, &self.value).map_err(enc_err)?;
        Ok(Zeroizing::new(any.to_der().map_err(enc_err)?))
    }

    /// The private key algorithm.
    pub fn algorithm(&self) -> Result<AlgorithmIdentifierOwned> {
        let der = self.to_der()?;
        let pki = pkcs8::PrivateKeyInfo::try_from(der.as_slice())
            .map_err(|e| Error::format(format!("malformed PrivateKeyInfo: {e}")))?;
        Ok(AlgorithmIdentifierOwned {
            oid: pki.algorithm.oid,
            parameters: pki.algorithm.parameters.map(Any::from),
        })
    }
}

impl std::fmt::Debug for PrivateKeyInfoDer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKeyInfoDer({} bytes)", self.value.len())
    }
}

impl FixedTag for PrivateKeyInfoDer {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for PrivateKeyInfoDer {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let value = Zeroizing::new(reader.read_vec(header.length)?);
        let full = Zeroizing::new(AnyRef::new(Tag::Sequence, &value)?.to_der()?);
        pkcs8::PrivateKeyInfo::try_from(full.as_slice())
            .map_err(|_| Tag::Sequence.value_error())?;
        Ok(PrivateKeyInfoDer { value })
    }
}

impl EncodeValue for PrivateKeyInfoDer {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.value.len())
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.value)
    }
}

/// ```text
/// identifier CHOICE {
///     string             UTF8String,
///     generalName        GeneralName }
/// ```
/// The `identifier` of EncKeyWithID (RFC 4211 section 4.2.1); GeneralName is itself a CHOICE of
/// `[0]`..`[8]`, so the arms are told apart by tag.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum EncKeyIdentifier {
    String(String),
    GeneralName(GeneralName),
}

impl<'a> Choice<'a> for EncKeyIdentifier {
    fn can_decode(tag: Tag) -> bool {
        tag == Tag::Utf8String || <GeneralName as Choice>::can_decode(tag)
    }
}

impl<'a> Decode<'a> for EncKeyIdentifier {
    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        if reader.peek_tag()? == Tag::Utf8String {
            String::decode(reader).map(Self::String)
        } else {
            GeneralName::decode(reader).map(Self::GeneralName)
        }
    }
}

impl EncodeValue for EncKeyIdentifier {
    fn value_len(&self) -> der::Result<Length> {
        match self {
            Self::String(s) => s.value_len(),
            Self::GeneralName(g) => g.value_len(),
        }
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match self {
            Self::String(s) => s.encode_value(writer),
            Self::GeneralName(g) => g.encode_value(writer),
        }
    }
}

impl Tagged for EncKeyIdentifier {
    fn tag(&self) -> Tag {
        match self {
            Self::String(_) => Tag::Utf8String,
            Self::GeneralName(g) => g.tag(),
        }
    }
}

/// ```text
/// EncKeyWithID ::= SEQUENCE {
///     privateKey           PrivateKeyInfo,
///     identifier CHOICE {
///         string             UTF8String,
///         generalName        GeneralName
///     } OPTIONAL }
/// ```
/// RFC 4211 section 4.2.1 (content type id-ct-encKeyWithID): the plaintext of an archived key.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EncKeyWithId {
    pub private_key: PrivateKeyInfoDer,
    #[asn1(optional = "true")]
    pub identifier: Option<EncKeyIdentifier>,
}

// ---------------------------------------------------------------------------------------------
// The key archival draft (draft-ietf-pkix-cmc-archive)
// ---------------------------------------------------------------------------------------------

/// ```text
/// ShroudWithPublicKey ::= CHOICE {
///     certificate   Certificate,
///     publicKey     SubjectPublicKeyInfo }
/// ```
/// The draft (parameters of id-cmc-shroudWithPublicKey). Both arms are SEQUENCEs, which is not
/// valid ASN.1, so (formats.md section 4) kmi writes `[0] IMPLICIT Certificate` /
/// `[1] IMPLICIT SubjectPublicKeyInfo` and reads both that and the untagged form, told apart by
/// the second element: a SEQUENCE in a Certificate, a BIT STRING in an SPKI.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum ShroudWithPublicKey {
    Certificate(Box<Certificate>),
    PublicKey(SubjectPublicKeyInfoOwned),
}

impl<'a> Choice<'a> for ShroudWithPublicKey {
    fn can_decode(tag: Tag) -> bool {
        tag == Tag::Sequence || tag == TAG_CTX0_CONS || tag == TAG_CTX1_CONS
    }
}

impl<'a> Decode<'a> for ShroudWithPublicKey {
    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let header = Header::decode(reader)?;
        match header.tag {
            t if t == TAG_CTX0_CONS => {
                Certificate::decode_value(reader, header).map(|c| Self::Certificate(Box::new(c)))
            }
            t if t == TAG_CTX1_CONS => {
                SubjectPublicKeyInfoOwned::decode_value(reader, header).map(Self::PublicKey)
            }
            Tag::Sequence => {
                let value = reader.read_slice(header.length)?;
                let mut probe = SliceReader::new(value)?;
                AnyRef::decode(&mut probe)?;
                let second = probe.peek_tag()?;
                let mut inner = SliceReader::new(value)?;
                let out = match second {
                    Tag::Sequence => {
                        Self::Certificate(Box::new(Certificate::decode_value(&mut inner, header)?))
                    }
                    Tag::BitString => Self::PublicKey(SubjectPublicKeyInfoOwned::decode_value(
                        &mut inner, header,
                    )?),
                    t => return Err(t.unexpected_error(None)),
                };
                inner.finish(out)
            }
            t => Err(t.unexpected_error(None)),
        }
    }
}

impl EncodeValue for ShroudWithPublicKey {
    fn value_len(&self) -> der::Result<Length> {
        match self {
            Self::Certificate(c) => c.value_len(),
            Self::PublicKey(k) => k.value_len(),
        }
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match self {
            Self::Certificate(c) => c.encode_value(writer),
            Self::PublicKey(k) => k.encode_value(writer),
        }
    }
}

impl Tagged for ShroudWithPublicKey {
    fn tag(&self) -> Tag {
        match self {
            Self::Certificate(_) => TAG_CTX0_CONS,
            Self::PublicKey(_) => TAG_CTX1_CONS,
        }
    }
}

/// ```text
/// ShroudWithSharedSecret ::= UTF8String   -- names the secret shared with the server
/// ```
/// The draft (parameters of id-cmc-shroudWithSharedSecret). The key is then shrouded with a
/// PasswordRecipientInfo (formats.md section 4).
pub type ShroudWithSharedSecret = String;

/// ```text
/// ShroudMethod ::= AlgorithmIdentifier
///     -- id-cmc-shroudWithPublicKey with ShroudWithPublicKey, or
///     -- id-cmc-shroudWithSharedSecret with ShroudWithSharedSecret
/// ```
/// The draft. On the wire it is an AlgorithmIdentifier (see [`Shroud`] for the typed view).
pub type ShroudMethod = AlgorithmIdentifierOwned;

/// A [`ShroudMethod`] interpreted with the [`CmcOids`] in force.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Shroud {
    PublicKey(ShroudWithPublicKey),
    SharedSecret(ShroudWithSharedSecret),
    /// Another method, kept as it is.
    Other(AlgorithmIdentifierOwned),
}

impl Shroud {
    pub fn to_method(&self, oids: &CmcOids) -> Result<ShroudMethod> {
        Ok(match self {
            Shroud::PublicKey(p) => AlgorithmIdentifierOwned {
                oid: oids.shroud_with_public_key,
                parameters: Some(Any::encode_from(p).map_err(enc_err)?),
            },
            Shroud::SharedSecret(s) => AlgorithmIdentifierOwned {
                oid: oids.shroud_with_shared_secret,
                parameters: Some(
                    Any::encode_from(&der::asn1::Utf8StringRef::new(s).map_err(enc_err)?)
                        .map_err(enc_err)?,
                ),
            },
            Shroud::Other(a) => a.clone(),
        })
    }

    pub fn from_method(method: &ShroudMethod, oids: &CmcOids) -> Result<Self> {
        let params = || {
            method.parameters.as_ref().ok_or_else(|| {
                Error::format(format!(
                    "shroud method {}: parameters are missing",
                    method.oid
                ))
            })
        };
        if method.oid == oids.shroud_with_public_key {
            let der = params()?.to_der().map_err(enc_err)?;
            ShroudWithPublicKey::from_der(&der)
                .map(Shroud::PublicKey)
                .map_err(|e| Error::format(format!("malformed ShroudWithPublicKey: {e}")))
        } else if method.oid == oids.shroud_with_shared_secret {
            params()?
                .decode_as::<String>()
                .map(Shroud::SharedSecret)
                .map_err(|e| Error::format(format!("malformed ShroudWithSharedSecret: {e}")))
        } else {
            Ok(Shroud::Other(method.clone()))
        }
    }
}

fn default_false() -> bool {
    false
}

/// ```text
/// ServerKeyGenRequest ::= SEQUENCE {
///     certificateRequest   TaggedRequest,
///     shroudMethod         ShroudMethod,
///     fArchiveKey          BOOLEAN DEFAULT FALSE,
///     selectionCriteria    OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-serverKeyGenRequest). `fArchiveKey` is omitted when FALSE (DER
/// X.690 11.5) and read as FALSE when absent.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ServerKeyGenRequest {
    pub certificate_request: TaggedRequest,
    pub shroud_method: ShroudMethod,
    #[asn1(default = "default_false")]
    pub f_archive_key: bool,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// ServerKeyGenResponse ::= SEQUENCE {
///     cmsBodyPartID        BodyPartID,     -- the cmsSequence entry with the shrouded key
///     requestBodyPartID    BodyPartID,     -- the ServerKeyGenRequest it answers
///     selectionCriteria    OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-serverKeyGenResponse).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ServerKeyGenResponse {
    pub cms_body_part_id: BodyPartID,
    pub request_body_part_id: BodyPartID,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// KeyArchival ::= SEQUENCE {
///     reqBodyPartID        BodyPartID,     -- the certification request of the key
///     cmsBodyPartID        BodyPartID,     -- the cmsSequence entry with the EnvelopedData,
///                                          -- 0 when it is in id-aa-cmc-unsignedData
///     selectionCriteria    OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-keyArchival).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KeyArchival {
    pub req_body_part_id: BodyPartID,
    pub cms_body_part_id: BodyPartID,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// KeyRecoveryReq ::= SEQUENCE {
///     shroudMethod              ShroudMethod,
///     bulkEncryptionAlgorithm   AlgorithmIdentifier OPTIONAL,
///     selectionCriteria         OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-keyRecoveryReq).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KeyRecoveryReq {
    pub shroud_method: ShroudMethod,
    #[asn1(optional = "true")]
    pub bulk_encryption_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// KeyRecoveryRsp ::= SEQUENCE {
///     bodyPartID           BodyPartID,     -- the cmsSequence entry with the shrouded keys
///     selectionCriteria    OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-keyRecoveryRsp).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KeyRecoveryRsp {
    pub body_part_id: BodyPartID,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// MultiplePrivateKeys ::= SEQUENCE OF EncKeyWithID
/// ```
/// The draft (content type id-ct-multiplePrivateKeys): several recovered or generated keys in
/// one shrouded content, each with its identifier.
pub type MultiplePrivateKeys = Vec<EncKeyWithId>;

// ---------------------------------------------------------------------------------------------
// Typed controls
// ---------------------------------------------------------------------------------------------

/// A control value, typed when kmi knows its OID (under the [`CmcOids`] in force).
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Control {
    /// id-cmc-transactionId: `TransactionId ::= INTEGER`.
    TransactionId(Int),
    /// id-cmc-senderNonce: `SenderNonce ::= OCTET STRING`.
    SenderNonce(OctetString),
    /// id-cmc-recipientNonce: `RecipientNonce ::= OCTET STRING`.
    RecipientNonce(OctetString),
    /// id-cmc-identification: `UTF8String`.
    Identification(String),
    IdentityProofV2(IdentityProofV2),
    StatusInfoV2(CmcStatusInfoV2),
    KeyArchival(KeyArchival),
    ServerKeyGenRequest(Box<ServerKeyGenRequest>),
    ServerKeyGenResponse(ServerKeyGenResponse),
    KeyRecoveryReq(KeyRecoveryReq),
    KeyRecoveryRsp(KeyRecoveryRsp),
    /// Any other control: its type and values as they are.
    Unknown {
        attr_type: Oid,
        values: Vec<Any>,
    },
}

impl Control {
    /// The control's attrType.
    pub fn attr_type(&self, oids: &CmcOids) -> Oid {
        match self {
            Control::TransactionId(_) => oids.transaction_id,
            Control::SenderNonce(_) => oids.sender_nonce,
            Control::RecipientNonce(_) => oids.recipient_nonce,
            Control::Identification(_) => oids.identification,
            Control::IdentityProofV2(_) => oids.identity_proof_v2,
            Control::StatusInfoV2(_) => oids.status_info_v2,
            Control::KeyArchival(_) => oids.key_archival,
            Control::ServerKeyGenRequest(_) => oids.server_key_gen_request,
            Control::ServerKeyGenResponse(_) => oids.server_key_gen_response,
            Control::KeyRecoveryReq(_) => oids.key_recovery_req,
            Control::KeyRecoveryRsp(_) => oids.key_recovery_rsp,
            Control::Unknown { attr_type, .. } => *attr_type,
        }
    }

    fn values(&self) -> der::Result<Vec<Any>> {
        Ok(vec![match self {
            Control::TransactionId(v) => Any::encode_from(v)?,
            Control::SenderNonce(v) | Control::RecipientNonce(v) => Any::encode_from(v)?,
            Control::Identification(v) => Any::encode_from(&der::asn1::Utf8StringRef::new(v)?)?,
            Control::IdentityProofV2(v) => Any::encode_from(v)?,
            Control::StatusInfoV2(v) => Any::encode_from(v)?,
            Control::KeyArchival(v) => Any::encode_from(v)?,
            Control::ServerKeyGenRequest(v) => Any::encode_from(v.as_ref())?,
            Control::ServerKeyGenResponse(v) => Any::encode_from(v)?,
            Control::KeyRecoveryReq(v) => Any::encode_from(v)?,
            Control::KeyRecoveryRsp(v) => Any::encode_from(v)?,
            Control::Unknown { values, .. } => return Ok(values.clone()),
        }])
    }
}

impl TaggedAttribute {
    /// The TaggedAttribute carrying `control` (one value; an unknown control keeps its values,
    /// DER-sorted).
    pub fn from_control(
        body_part_id: BodyPartID,
        control: &Control,
        oids: &CmcOids,
    ) -> Result<Self> {
        let values = control.values().map_err(enc_err)?;
        Ok(TaggedAttribute {
            body_part_id,
            attr_type: control.attr_type(oids),
            attr_values: SetOfVec::try_from(values).map_err(enc_err)?,
        })
    }

    /// The control's value typed when its attrType is known under `oids`. A known control must
    /// carry exactly one value that decodes as its type (else a format error naming the control);
    /// an unknown control is never an error.
    pub fn decode_control(&self, oids: &CmcOids) -> Result<Control> {
        let t = self.attr_type;
        let known = [
            oids.transaction_id,
            oids.sender_nonce,
            oids.recipient_nonce,
            oids.identification,
            oids.identity_proof_v2,
            oids.status_info_v2,
            oids.key_archival,
            oids.server_key_gen_request,
            oids.server_key_gen_response,
            oids.key_recovery_req,
            oids.key_recovery_rsp,
        ];
        if !known.contains(&t) {
            return Ok(Control::Unknown {
                attr_type: t,
                values: self.attr_values.iter().cloned().collect(),
            });
        }
        let name = oids.name_of(&t).unwrap_or("control");
        let bad = |e: der::Error| {
            Error::format(format!(
                "malformed {name} control (body part {}): {e}",
                self.body_part_id
            ))
        };
        let [value] = self.attr_values.as_slice() else {
            return Err(Error::format(format!(
                "{name} control (body part {}) has {} values, expected 1",
                self.body_part_id,
                self.attr_values.len()
            )));
        };
        Ok(if t == oids.transaction_id {
            Control::TransactionId(value.decode_as().map_err(bad)?)
        } else if t == oids.sender_nonce {
            Control::SenderNonce(value.decode_as().map_err(bad)?)
        } else if t == oids.recipient_nonce {
            Control::RecipientNonce(value.decode_as().map_err(bad)?)
        } else if t == oids.identification {
            Control::Identification(value.decode_as().map_err(bad)?)
        } else if t == oids.identity_proof_v2 {
            Control::IdentityProofV2(value.decode_as().map_err(bad)?)
        } else if t == oids.status_info_v2 {
            Control::StatusInfoV2(value.decode_as().map_err(bad)?)
        } else if t == oids.key_archival {
            Control::KeyArchival(value.decode_as().map_err(bad)?)
        } else if t == oids.server_key_gen_request {
            Control::ServerKeyGenRequest(Box::new(value.decode_as().map_err(bad)?))
        } else if t == oids.server_key_gen_response {
            Control::ServerKeyGenResponse(value.decode_as().map_err(bad)?)
        } else if t == oids.key_recovery_req {
            Control::KeyRecoveryReq(value.decode_as().map_err(bad)?)
        } else {
            Control::KeyRecoveryRsp(value.decode_as().map_err(bad)?)
        })
    }
}

/// An INTEGER as u32, when it fits.
pub fn int_to_u32(i: &Int) -> Option<u32> {
    Any::encode_from(i).ok()?.decode_as::<u32>().ok()
}

fn enc_err(e: der::Error) -> Error {
    Error::internal(format!("DER encoding failed: {e}"))
}

#[cfg(test)]
pub(crate) mod tests;
