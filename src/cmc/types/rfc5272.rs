//! The CMC productions of RFC 5272 section 3 and appendix A with the RFC 6402 changes: body
//! parts, PKIData and PKIResponse, and the status and control values they carry.

use cms::content_info::ContentInfo;
use der::asn1::{Any, GeneralizedTime, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{
    Choice, Decode, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence,
    SliceReader, Tag, TagNumber, Tagged, Writer,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::request::CertReq;

use super::*;
use crate::cmc::oids::{ArchiveError, CmcOids};
use crate::Result;

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

pub(super) const TAG_CTX1_CONS: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber::N1,
};
pub(super) const TAG_CTX0_CONS: Tag = Tag::ContextSpecific {
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
                fail_info_value: Any::encode_from(&err.code()).map_err(Error::encoding)?,
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
