//! The CMC and archive-draft ASN.1 types (formats.md section 4), one Rust type per production.
//!
//! Sources: RFC 5272 section 3 and appendix A (module `EnrollmentMessageSyntax`, IMPLICIT TAGS)
//! with the RFC 6402 changes (CMCStatusInfoV2 `extendedFailInfo [1]`, CMCUnsignedData); RFC 4211
//! (CRMF, IMPLICIT TAGS: CertReqMsg, CertTemplate, EncKeyWithID); and the key archival draft
//! (draft-ietf-pkix-cmc-archive, J. Schaad: ShroudMethod, ServerKeyGenRequest/Response,
//! KeyArchival, KeyRecoveryReq/Rsp, MultiplePrivateKeys). The draft's productions follow its
//! Appendix A module (draft-ietf-pkix-cmc-archive-01, February 2005), checked both ways by an
//! independent pyasn1 transcription of that module (`scripts/cmc_archive_asn1.py`); where the
//! draft is ambiguous formats.md section 4 decides, and the choice is said on the type.
//!
//! Tagging traps handled here, with known-answer tests below:
//! - a tagged CHOICE is always EXPLICIT, even in an IMPLICIT TAGS module (X.680 31.2.7):
//!   CertTemplate `issuer [3] Name`, `subject [5] Name`, OptionalValidity `[0]/[1] Time`;
//! - SET OF is DER-sorted on encoding ([`der::asn1::SetOfVec`]);
//! - `extendedFailInfo` is read both `[1]`-tagged (RFC 6402) and untagged (RFC 5272, as
//!   pyasn1-modules writes it) and always written `[1]`;
//! - ShroudWithPublicKey is written untagged (Appendix A) and read in that form and kmi 0.1's
//!   `[0]/[1] IMPLICIT` one;
//! - `fArchiveKey BOOLEAN DEFAULT FALSE` is written only when TRUE.
//!
//! The `crmf` crate (0.2.0) was checked and not used: its CertTemplate types `validity` as an
//! X.509 `Validity` (two untagged Times) instead of OptionalValidity, and its EncKeyWithID
//! identifier's `Tagged::tag` recurses forever for the generalName arm.
//!
//! The productions are grouped by source: `rfc5272` (RFC 5272 / RFC 6402), `crmf` (RFC 4211),
//! `archive` (the key archival draft) and `controls` (a control value typed by its OID).

use crate::Error;

mod archive;
mod controls;
mod crmf;
mod rfc5272;

pub use archive::*;
pub use controls::*;
pub use crmf::*;
pub use rfc5272::*;

#[cfg(test)]
pub(crate) mod tests;
