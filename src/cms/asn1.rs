//! The object identifiers and parameter types CMS enveloping needs beyond what the `cms` crate
//! defines (RFC 8017 RSAES-OAEP-params, RFC 8018 PBKDF2-params), with the small helpers that map
//! algorithm identifiers to implementations.

use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Any, DecodeOwned, Encode, Sequence, Tagged};
use spki::AlgorithmIdentifierOwned;

use crate::{Error, Result};

/// id-data (RFC 5652 section 4).
pub use const_oid::db::rfc5911::ID_DATA;
/// id-envelopedData (RFC 5652 section 6).
pub use const_oid::db::rfc5911::ID_ENVELOPED_DATA;

/// id-mgf1.
pub use const_oid::db::rfc5912::ID_MGF_1 as MGF1;
/// id-pSpecified.
pub use const_oid::db::rfc5912::ID_P_SPECIFIED as P_SPECIFIED;
/// id-RSAES-OAEP (RFC 8017 appendix A.2.1, RFC 4055 section 4).
pub use const_oid::db::rfc5912::ID_RSAES_OAEP as RSAES_OAEP;
/// rsaEncryption (PKCS#1 v1.5 key transport is read only) and the digests, from kmi's one table.
pub use const_oid::db::rfc5912::{ID_SHA_1, ID_SHA_256, ID_SHA_384, ID_SHA_512, RSA_ENCRYPTION};

/// id-PBKDF2 (RFC 8018 appendix A.2).
pub use const_oid::db::rfc5911::ID_PBKDF_2 as PBKDF2;
/// hmacWithSHA1 (RFC 8018 appendix B.1.1; not in const-oid's database).
pub const HMAC_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
pub use const_oid::db::rfc6268::ID_HMAC_WITH_SHA_256 as HMAC_SHA256;
pub use const_oid::db::rfc6268::ID_HMAC_WITH_SHA_384 as HMAC_SHA384;
pub use const_oid::db::rfc6268::ID_HMAC_WITH_SHA_512 as HMAC_SHA512;

/// id-alg-PWRI-KEK (RFC 3211 section 2.3; not in const-oid's database).
pub const PWRI_KEK: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.9");

pub use const_oid::db::rfc5911::ID_AES_128_CBC as AES128_CBC;
pub use const_oid::db::rfc5911::ID_AES_128_WRAP as AES128_WRAP;
pub use const_oid::db::rfc5911::ID_AES_192_CBC as AES192_CBC;
pub use const_oid::db::rfc5911::ID_AES_192_WRAP as AES192_WRAP;
pub use const_oid::db::rfc5911::ID_AES_256_CBC as AES256_CBC;
pub use const_oid::db::rfc5911::ID_AES_256_WRAP as AES256_WRAP;

/// ```text
/// RSAES-OAEP-params ::= SEQUENCE {
///   hashAlgorithm      [0] HashAlgorithm     DEFAULT sha1,
///   maskGenAlgorithm   [1] MaskGenAlgorithm  DEFAULT mgf1SHA1,
///   pSourceAlgorithm   [2] PSourceAlgorithm  DEFAULT pSpecifiedEmpty }
/// ```
/// RFC 8017 appendix A.2.1 (the module is EXPLICIT TAGS). A DEFAULT value is written by omission.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RsaesOaepParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub p_source: Option<AlgorithmIdentifierOwned>,
}

/// ```text
/// PBKDF2-params ::= SEQUENCE {
///   salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier {{PBKDF2-SaltSources}} },
///   iterationCount INTEGER (1..MAX),
///   keyLength INTEGER (1..MAX) OPTIONAL,
///   prf AlgorithmIdentifier {{PBKDF2-PRFs}} DEFAULT algid-hmacWithSHA1 }
/// ```
/// RFC 8018 appendix A.2. Only the `specified` salt is supported (no other source is defined).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Pbkdf2Params {
    pub salt: OctetString,
    pub iteration_count: u32,
    #[asn1(optional = "true")]
    pub key_length: Option<u32>,
    #[asn1(optional = "true")]
    pub prf: Option<AlgorithmIdentifierOwned>,
}

/// An AlgorithmIdentifier without parameters (how openssl writes SHA-2 in RSAES-OAEP-params).
pub fn alg(oid: Oid) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// An AlgorithmIdentifier whose parameters are the DER of `params`.
pub fn alg_with<T: der::Tagged + der::EncodeValue>(
    oid: Oid,
    params: &T,
) -> Result<AlgorithmIdentifierOwned> {
    let any = Any::encode_from(params)
        .map_err(|e| Error::internal(format!("DER encoding failed: {e}")))?;
    Ok(AlgorithmIdentifierOwned {
        oid,
        parameters: Some(any),
    })
}

/// Decode an algorithm's parameters as `T` (absent parameters are an error).
pub fn params_as<T: DecodeOwned>(alg: &AlgorithmIdentifierOwned, what: &str) -> Result<T> {
    let any = alg
        .parameters
        .as_ref()
        .ok_or_else(|| Error::format(format!("{what}: parameters are missing")))?;
    let der = any
        .to_der()
        .map_err(|e| Error::format(format!("{what}: malformed parameters: {e}")))?;
    T::from_der(&der).map_err(|e| Error::format(format!("{what}: malformed parameters: {e}")))
}

/// Parameters of a hash AlgorithmIdentifier must be absent or NULL (RFC 5754 section 2).
pub fn hash_params_ok(alg: &AlgorithmIdentifierOwned) -> bool {
    match &alg.parameters {
        None => true,
        Some(any) => any.tag() == der::Tag::Null && any.value().is_empty(),
    }
}
