//! Every object identifier kmi uses, in one table (formats.md section 1).

use der::asn1::ObjectIdentifier as Oid;

/// rsaEncryption (PKCS#1).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// sha256WithRSAEncryption (RFC 8017 appendix A.2.4).
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption.
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption.
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// id-sha1 (RFC 3279).
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// id-sha256, id-sha384, id-sha512 (RFC 5754).
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
/// dhpublicnumber (ANSI X9.42): DH/ElGamal keys with domain parameters (p, g, q).
pub const DH_PUBLIC_NUMBER: Oid = Oid::new_unwrap("1.2.840.10046.2.1");
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
