//! The productions of the key archival draft (draft-ietf-pkix-cmc-archive): shroud methods,
//! ServerKeyGenRequest/Response, KeyArchival, KeyRecoveryReq/Rsp and MultiplePrivateKeys.

pub use cms::cert::IssuerAndSerialNumber;
pub use cms::enveloped_data::RecipientIdentifier;
use der::asn1::{Any, AnyRef, OctetString};
use der::{
    Choice, Decode, DecodeValue, Encode, EncodeValue, Header, Length, Reader, Sequence,
    SliceReader, Tag, Tagged, Writer,
};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use super::rfc5272::{TAG_CTX0_CONS, TAG_CTX1_CONS};
use super::*;
use crate::cmc::oids::CmcOids;
use crate::{Error, Result};

/// ```text
/// ShroudWithPublicKey ::= CHOICE {
///     certificate   Certificate,
///     publicKey     SubjectPublicKeyInfo }
/// ```
/// The draft (parameters of id-cmc-shroudWithPublicKey, Appendix A). Both arms are untagged
/// SEQUENCEs, which is not a valid X.680 CHOICE; kmi writes them untagged, as Appendix A does
/// (formats.md section 4), and tells them apart on read by the second element: a SEQUENCE in a
/// Certificate, a BIT STRING in an SPKI. The `[0] IMPLICIT Certificate` /
/// `[1] IMPLICIT SubjectPublicKeyInfo` form kmi 0.1 wrote is still read.
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
        Tag::Sequence
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
                parameters: Some(Any::encode_from(p).map_err(Error::encoding)?),
            },
            Shroud::SharedSecret(s) => AlgorithmIdentifierOwned {
                oid: oids.shroud_with_shared_secret,
                parameters: Some(
                    Any::encode_from(&der::asn1::Utf8StringRef::new(s).map_err(Error::encoding)?)
                        .map_err(Error::encoding)?,
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
            let der = params()?.to_der().map_err(Error::encoding)?;
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
///     certificateRequest   CertTemplate,
///     shroudMethod         ShroudMethod,
///     encCapabilities      SMimeCapabilities,
///     fArchiveKey          BOOLEAN DEFAULT FALSE,
///     selectionCriteria    OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-serverKeyGenRequest, section 4.1 and Appendix A). The template's
/// publicKey names the algorithm with an empty key (for ElGamal, the group in its parameters);
/// encCapabilities are the content-encryption algorithms the client reads, as in
/// [`KeyRecoveryReq`]. `fArchiveKey` is omitted when FALSE (DER X.690 11.5) and read as FALSE
/// when absent. kmi 0.1 wrote `certificateRequest TaggedRequest` and no encCapabilities; that
/// form is not read (a request is answered once, so nothing of it is kept).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ServerKeyGenRequest {
    pub certificate_request: CertTemplate,
    pub shroud_method: ShroudMethod,
    pub enc_capabilities: SmimeCapabilities,
    #[asn1(default = "default_false")]
    pub f_archive_key: bool,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// ServerKeyGenResponse ::= SEQUENCE {
///     cmsBodyPartId          BodyPartID,     -- the cmsSequence entry with the shrouded key
///     requestBodyPartId      BodyPartID,     -- the ServerKeyGenRequest it answers
///     issuerAndSerialNumber  IssuerAndSerialNumber OPTIONAL }  -- the certificate issued
/// ```
/// The draft (control id-cmc-serverKeyGenResponse, section 4.2 and Appendix A).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ServerKeyGenResponse {
    pub cms_body_part_id: BodyPartID,
    pub request_body_part_id: BodyPartID,
    #[asn1(optional = "true")]
    pub issuer_and_serial_number: Option<IssuerAndSerialNumber>,
}

/// ```text
/// keyIdentification        CHOICE {
///    reqBodyPartID            BodyPartID,
///    certificateID            RecipientIdentifier }
/// ```
/// The inline CHOICE of [`KeyArchival`] (draft Appendix A): the certification request of the
/// key, or the already issued certificate it belongs to. Untagged; the arms are an INTEGER, a
/// SEQUENCE (issuerAndSerialNumber) and `[0]` IMPLICIT (subjectKeyIdentifier, RFC 5652), so it is
/// decodable by tag.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum KeyIdentification {
    ReqBodyPartId(BodyPartID),
    CertificateId(RecipientIdentifier),
}

impl<'a> Choice<'a> for KeyIdentification {
    fn can_decode(tag: Tag) -> bool {
        tag == Tag::Integer || <RecipientIdentifier as Choice<'a>>::can_decode(tag)
    }
}

impl<'a> Decode<'a> for KeyIdentification {
    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        if reader.peek_tag()? == Tag::Integer {
            BodyPartID::decode(reader).map(Self::ReqBodyPartId)
        } else {
            RecipientIdentifier::decode(reader).map(Self::CertificateId)
        }
    }
}

impl EncodeValue for KeyIdentification {
    fn value_len(&self) -> der::Result<Length> {
        match self {
            Self::ReqBodyPartId(id) => id.value_len(),
            Self::CertificateId(rid) => rid.value_len(),
        }
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match self {
            Self::ReqBodyPartId(id) => id.encode_value(writer),
            Self::CertificateId(rid) => rid.encode_value(writer),
        }
    }
}

impl Tagged for KeyIdentification {
    fn tag(&self) -> Tag {
        match self {
            Self::ReqBodyPartId(_) => Tag::Integer,
            Self::CertificateId(rid) => rid.tag(),
        }
    }
}

/// ```text
/// KeyArchival ::= SEQUENCE {
///     keyIdentification    CHOICE {
///        reqBodyPartID        BodyPartID,           -- the certification request of the key
///        certificateID        RecipientIdentifier } -- or the certificate it belongs to
///     cmsBodyPartID        BodyPartID,     -- the cmsSequence entry with the EnvelopedData,
///                                          -- 0 when it is in id-aa-cmc-unsignedData
///     selectionCriteria    OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-keyArchival, section 5.1 and Appendix A).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KeyArchival {
    pub key_identification: KeyIdentification,
    pub cms_body_part_id: BodyPartID,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

impl KeyArchival {
    /// The certification request the control names, if it names one (not a certificate).
    pub fn req_body_part_id(&self) -> Option<BodyPartID> {
        match self.key_identification {
            KeyIdentification::ReqBodyPartId(id) => Some(id),
            KeyIdentification::CertificateId(_) => None,
        }
    }
}

/// ```text
/// SMIMECapability ::= SEQUENCE {
///     capabilityID  OBJECT IDENTIFIER,
///     parameters    ANY DEFINED BY capabilityID OPTIONAL }
/// SMIMECapabilities ::= SEQUENCE OF SMIMECapability
/// ```
/// RFC 5751 section 2.5.2 (the draft's SMimeCapabilities): in encCapabilities, the
/// content-encryption algorithms the client accepts for the response, in its order of preference.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SmimeCapability {
    pub capability_id: der::asn1::ObjectIdentifier,
    #[asn1(optional = "true")]
    pub parameters: Option<Any>,
}

/// See [`SmimeCapability`].
pub type SmimeCapabilities = Vec<SmimeCapability>;

/// ```text
/// KeyRecoveryReq ::= SEQUENCE {
///     shroudMethod              ShroudMethod,
///     encCapabilities           SMimeCapabilities,
///     selectionCriteria         OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-keyRecoveryReq, section 5.2; Appendix A spells it KeyRecoverReq).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KeyRecoveryReq {
    pub shroud_method: ShroudMethod,
    pub enc_capabilities: SmimeCapabilities,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// KeyRecoveryRsp ::= SEQUENCE {
///     cmsBodyPartID        BodyPartID,            -- the cmsSequence entry with the shrouded keys
///     certificateId        RecipientIdentifier,   -- the certificate of the (first) key
///     selectionCriteria    OCTET STRING OPTIONAL }
/// ```
/// The draft (control id-cmc-keyRecoveryRsp). Appendix A makes certificateId mandatory, section
/// 5.2.1 OPTIONAL: kmi always writes it (Appendix A) and reads it absent too.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KeyRecoveryRsp {
    pub cms_body_part_id: BodyPartID,
    #[asn1(optional = "true")]
    pub certificate_id: Option<RecipientIdentifier>,
    #[asn1(optional = "true")]
    pub selection_criteria: Option<OctetString>,
}

/// ```text
/// SinglePrivateKey ::= SEQUENCE {
///     privateKey     PrivateKeyInfo,
///     certificateId  RecipientIdentifier }
/// ```
/// The draft (section 3.2 as ExtendedPrivateKey, Appendix A): one key of a
/// [`MultiplePrivateKeys`] with the certificate it belongs to (kmi writes a v1 PrivateKeyInfo and,
/// with no certificate known, the key's subjectKeyIdentifier).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SinglePrivateKey {
    pub private_key: PrivateKeyInfoDer,
    pub certificate_id: RecipientIdentifier,
}

/// ```text
/// MultiplePrivateKeys ::= SEQUENCE OF SinglePrivateKey
/// ```
/// The draft (content type id-ct-multiplePrivateKeys, Appendix A): several recovered or
/// generated keys in one shrouded content, each named by its certificateId.
pub type MultiplePrivateKeys = Vec<SinglePrivateKey>;
