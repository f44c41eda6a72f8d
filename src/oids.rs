//! Every object identifier kmi uses, in one table (formats.md section 1).

use der::asn1::ObjectIdentifier as Oid;

/// dhpublicnumber (ANSI X9.42): DH/ElGamal keys with domain parameters (p, g, q).
pub use const_oid::db::rfc5912::DHPUBLICNUMBER as DH_PUBLIC_NUMBER;
/// id-sha1 (RFC 3279).
pub use const_oid::db::rfc5912::ID_SHA_1 as SHA1;
/// id-sha256, id-sha384, id-sha512 (RFC 5754).
pub use const_oid::db::rfc5912::ID_SHA_256 as SHA256;
pub use const_oid::db::rfc5912::ID_SHA_384 as SHA384;
pub use const_oid::db::rfc5912::ID_SHA_512 as SHA512;
/// rsaEncryption (PKCS#1).
pub use const_oid::db::rfc5912::RSA_ENCRYPTION;
/// sha256WithRSAEncryption (RFC 8017 appendix A.2.4).
pub use const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION as SHA256_WITH_RSA;
/// sha384WithRSAEncryption.
pub use const_oid::db::rfc5912::SHA_384_WITH_RSA_ENCRYPTION as SHA384_WITH_RSA;
/// sha512WithRSAEncryption.
pub use const_oid::db::rfc5912::SHA_512_WITH_RSA_ENCRYPTION as SHA512_WITH_RSA;
/// dhKeyAgreement (PKCS#3): DH parameters without q, which kmi cannot use for ElGamal.
pub const DH_KEY_AGREEMENT: Oid = Oid::new_unwrap("1.2.840.113549.1.3.1");

/// kmi's arc under the RFC 5612 documentation enterprise number.
pub const KMI_ARC: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1");
/// id-kmi-ct-share: content type of an encrypted KmiShare.
pub const KMI_CT_SHARE: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.1.1");
/// id-kmi-ct-shareSet
pub const KMI_CT_SHARE_SET: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.1.2");
/// id-kmi-ct-partial
pub const KMI_CT_PARTIAL: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.1.3");
/// id-kmi-scheme-rsaShoup
pub const KMI_SCHEME_RSA_SHOUP: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.2.1");
/// id-kmi-scheme-elgamalFeldman
pub const KMI_SCHEME_ELGAMAL_FELDMAN: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.2.2");
