//! kmi's own object identifiers (formats.md section 1), under its arc, and the one standard
//! identifier const-oid's database lacks. Standard identifiers are used by name from
//! `const_oid::db` (rfc5911 for CMS, rfc5912 for PKIX and PKCS#1), so a typo in a dotted string
//! cannot slip in; the CMC identifiers whose values differ between the archive draft and the
//! RFCs live in `cmc::oids`.

use der::asn1::ObjectIdentifier as Oid;

/// dhKeyAgreement (PKCS#3): DH parameters without q, which kmi cannot use for ElGamal (not in
/// const-oid's database).
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
/// id-kmi-ct-reshareSubShare: content type of an encrypted reshare sub-share (docs/reshare.md).
pub const KMI_CT_RESHARE_SUB_SHARE: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.1.20");
