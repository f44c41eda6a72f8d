//! The CRMF productions of RFC 4211 (IMPLICIT TAGS) that CMC requests carry: CertReqMsg,
//! CertTemplate with its OptionalValidity, and EncKeyWithID.

use der::asn1::{Any, AnyRef, Int};
use der::{
    Choice, Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence,
    Tag, Tagged, Writer,
};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::time::Time;
use zeroize::Zeroizing;

use crate::{Error, Result};

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
        let any = AnyRef::new(Tag::Sequence, &self.value).map_err(Error::encoding)?;
        Ok(Zeroizing::new(any.to_der().map_err(Error::encoding)?))
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
