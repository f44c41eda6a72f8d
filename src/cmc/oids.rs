//! The CMC object identifiers (formats.md section 1), overridable with `--oid-profile FILE`.
//!
//! The archive draft leaves its identifiers unassigned (`{id-cmc XX0}` ...); kmi places them under
//! the RFC 5612 documentation arc 1.3.6.1.4.1.32473.1.3 and never invents numbers under id-cmc.
//! A peer that uses other numbers is matched with a profile file of `NAME=DOTTED-OID` lines.
//!
//! The defaults are written as dotted strings, like the profile files that override them, rather
//! than taken from `const_oid::db`: that database (0.9.6, generated from RFC 5912) swaps
//! id-cmc-identityProofV2 and id-cmc-popLinkWitnessV2 (34 and 33 in RFC 5272 section 6.2.1 and
//! in pyasn1-modules); a test below pins kmi's values against it.

use der::asn1::ObjectIdentifier as Oid;

use crate::{Error, Result};

/// id-cmc (RFC 5272 section 3.1): 1.3.6.1.5.5.7.7.
pub const ID_CMC: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.7");

/// The assigned id-cmc controls of RFC 5272 and RFC 6402 (name, arc under id-cmc), for names in
/// reports. 12-14, 20 and 38 on are unassigned.
const ID_CMC_NAMES: &[(&str, u32)] = &[
    ("id-cmc-statusInfo", 1),
    ("id-cmc-identification", 2),
    ("id-cmc-identityProof", 3),
    ("id-cmc-dataReturn", 4),
    ("id-cmc-transactionId", 5),
    ("id-cmc-senderNonce", 6),
    ("id-cmc-recipientNonce", 7),
    ("id-cmc-addExtensions", 8),
    ("id-cmc-encryptedPOP", 9),
    ("id-cmc-decryptedPOP", 10),
    ("id-cmc-lraPOPWitness", 11),
    ("id-cmc-getCert", 15),
    ("id-cmc-getCRL", 16),
    ("id-cmc-revokeRequest", 17),
    ("id-cmc-regInfo", 18),
    ("id-cmc-responseInfo", 19),
    ("id-cmc-queryPending", 21),
    ("id-cmc-popLinkRandom", 22),
    ("id-cmc-popLinkWitness", 23),
    ("id-cmc-confirmCertAcceptance", 24),
    ("id-cmc-statusInfoV2", 25),
    ("id-cmc-trustedAnchors", 26),
    ("id-cmc-authData", 27),
    ("id-cmc-batchRequests", 28),
    ("id-cmc-batchResponses", 29),
    ("id-cmc-publishCert", 30),
    ("id-cmc-modCertTemplate", 31),
    ("id-cmc-controlProcessed", 32),
    ("id-cmc-popLinkWitnessV2", 33),
    ("id-cmc-identityProofV2", 34),
    ("id-cmc-raIdentityWitness", 35),
    ("id-cmc-changeSubjectName", 36),
    ("id-cmc-responseBody", 37),
];

/// Other well-known identifiers a CMC report names (CMS content types, attributes, algorithms).
const OTHER_NAMES: &[(&str, &str)] = &[
    ("id-data", "1.2.840.113549.1.7.1"),
    ("id-signedData", "1.2.840.113549.1.7.2"),
    ("id-envelopedData", "1.2.840.113549.1.7.3"),
    ("id-ct-authEnvelopedData", "1.2.840.113549.1.9.16.1.23"),
    ("id-digestedData", "1.2.840.113549.1.7.5"),
    ("id-encryptedData", "1.2.840.113549.1.7.6"),
    ("id-ct-authData", "1.2.840.113549.1.9.16.1.2"),
    ("id-contentType", "1.2.840.113549.1.9.3"),
    ("id-messageDigest", "1.2.840.113549.1.9.4"),
    ("id-signingTime", "1.2.840.113549.1.9.5"),
    ("id-aa-signingCertificateV2", "1.2.840.113549.1.9.16.2.47"),
    ("id-aa-CMSAlgorithmProtection", "1.2.840.113549.1.9.52"),
    ("smimeCapabilities", "1.2.840.113549.1.9.15"),
    ("extensionRequest", "1.2.840.113549.1.9.14"),
    ("challengePassword", "1.2.840.113549.1.9.7"),
    ("sha1", "1.3.14.3.2.26"),
    ("sha256", "2.16.840.1.101.3.4.2.1"),
    ("sha384", "2.16.840.1.101.3.4.2.2"),
    ("sha512", "2.16.840.1.101.3.4.2.3"),
    ("rsaEncryption", "1.2.840.113549.1.1.1"),
    ("id-RSAES-OAEP", "1.2.840.113549.1.1.7"),
    ("id-RSASSA-PSS", "1.2.840.113549.1.1.10"),
    ("sha256WithRSAEncryption", "1.2.840.113549.1.1.11"),
    ("sha384WithRSAEncryption", "1.2.840.113549.1.1.12"),
    ("sha512WithRSAEncryption", "1.2.840.113549.1.1.13"),
    ("id-ecPublicKey", "1.2.840.10045.2.1"),
    ("ecdsa-with-SHA256", "1.2.840.10045.4.3.2"),
    ("ecdsa-with-SHA384", "1.2.840.10045.4.3.3"),
    ("id-Ed25519", "1.3.101.112"),
    ("dhpublicnumber", "1.2.840.10046.2.1"),
    ("id-PBKDF2", "1.2.840.113549.1.5.12"),
    ("hmacWithSHA256", "1.2.840.113549.2.9"),
    ("id-alg-PWRI-KEK", "1.2.840.113549.1.9.16.3.9"),
    ("id-aes128-CBC", "2.16.840.1.101.3.4.1.2"),
    ("id-aes192-CBC", "2.16.840.1.101.3.4.1.22"),
    ("id-aes256-CBC", "2.16.840.1.101.3.4.1.42"),
    ("id-aes128-GCM", "2.16.840.1.101.3.4.1.6"),
    ("id-aes192-GCM", "2.16.840.1.101.3.4.1.26"),
    ("id-aes256-GCM", "2.16.840.1.101.3.4.1.46"),
    ("id-aes128-wrap", "2.16.840.1.101.3.4.1.5"),
    ("id-aes192-wrap", "2.16.840.1.101.3.4.1.25"),
    ("id-aes256-wrap", "2.16.840.1.101.3.4.1.45"),
    ("id-kmi-ct-share", "1.3.6.1.4.1.32473.1.1.1"),
];

/// Every CMC identifier kmi writes or interprets, with the defaults of formats.md section 1.
/// [`CmcOids::from_profile`] overrides any of them by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmcOids {
    // Draft identifiers, unassigned there: kmi's placeholders under 1.3.6.1.4.1.32473.1.3.
    /// `id-cmc-shroudWithPublicKey` (draft `{id-cmc XX0}`).
    pub shroud_with_public_key: Oid,
    /// `id-cmc-shroudWithSharedSecret` (draft `{id-cmc XX1}`).
    pub shroud_with_shared_secret: Oid,
    /// `id-ct-multiplePrivateKeys` (draft `{id-ct XX}`).
    pub ct_multiple_private_keys: Oid,
    /// `id-cmc-serverKeyGenRequest` (draft `{id-cmc XX4}`).
    pub server_key_gen_request: Oid,
    /// `id-cmc-serverKeyGenResponse` (draft `{id-cmc XX5}`).
    pub server_key_gen_response: Oid,
    /// `id-cmc-keyArchival` (draft `{id-cmc XX6}`).
    pub key_archival: Oid,
    /// `id-cmc-keyRecoveryReq` (draft `{id-cmc XX7}`).
    pub key_recovery_req: Oid,
    /// `id-cmc-keyRecoveryRsp` (draft `{id-cmc XX8}`).
    pub key_recovery_rsp: Oid,
    /// `id-cmc-archive-enveloped-data`: the CMCUnsignedData identifier of an archived key.
    pub archive_enveloped_data: Oid,
    /// `id-cmc-errs-archive`: the extendedFailInfo arc of the draft's error codes (.1, .2, .3).
    pub errs_archive: Oid,

    // Assigned identifiers (RFC 5272, RFC 6402, RFC 4211, RFC 5652).
    /// `id-cmc-statusInfoV2` (id-cmc 25).
    pub status_info_v2: Oid,
    /// `id-cmc-identification` (id-cmc 2).
    pub identification: Oid,
    /// `id-cmc-identityProofV2` (id-cmc 34).
    pub identity_proof_v2: Oid,
    /// `id-cmc-transactionId` (id-cmc 5).
    pub transaction_id: Oid,
    /// `id-cmc-senderNonce` (id-cmc 6).
    pub sender_nonce: Oid,
    /// `id-cmc-recipientNonce` (id-cmc 7).
    pub recipient_nonce: Oid,
    /// `id-cct-PKIData` 1.3.6.1.5.5.7.12.2.
    pub cct_pki_data: Oid,
    /// `id-cct-PKIResponse` 1.3.6.1.5.5.7.12.3.
    pub cct_pki_response: Oid,
    /// `id-aa-cmc-unsignedData` 1.2.840.113549.1.9.16.2.34.
    pub aa_cmc_unsigned_data: Oid,
    /// `id-ct-encKeyWithID` 1.2.840.113549.1.9.16.1.21 (RFC 4211 section 4.2.1).
    pub ct_enc_key_with_id: Oid,
    /// `id-kp-cmcArchive` 1.3.6.1.5.5.7.3.29 (RFC 6402 section 2.10).
    pub kp_cmc_archive: Oid,
}

impl Default for CmcOids {
    fn default() -> Self {
        CmcOids {
            shroud_with_public_key: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.0"),
            shroud_with_shared_secret: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.1"),
            ct_multiple_private_keys: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.2"),
            server_key_gen_request: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.4"),
            server_key_gen_response: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.5"),
            key_archival: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.6"),
            key_recovery_req: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.7"),
            key_recovery_rsp: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.8"),
            archive_enveloped_data: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.9"),
            errs_archive: Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.10"),
            status_info_v2: Oid::new_unwrap("1.3.6.1.5.5.7.7.25"),
            identification: Oid::new_unwrap("1.3.6.1.5.5.7.7.2"),
            identity_proof_v2: Oid::new_unwrap("1.3.6.1.5.5.7.7.34"),
            transaction_id: Oid::new_unwrap("1.3.6.1.5.5.7.7.5"),
            sender_nonce: Oid::new_unwrap("1.3.6.1.5.5.7.7.6"),
            recipient_nonce: Oid::new_unwrap("1.3.6.1.5.5.7.7.7"),
            cct_pki_data: Oid::new_unwrap("1.3.6.1.5.5.7.12.2"),
            cct_pki_response: Oid::new_unwrap("1.3.6.1.5.5.7.12.3"),
            aa_cmc_unsigned_data: Oid::new_unwrap("1.2.840.113549.1.9.16.2.34"),
            ct_enc_key_with_id: Oid::new_unwrap("1.2.840.113549.1.9.16.1.21"),
            kp_cmc_archive: Oid::new_unwrap("1.3.6.1.5.5.7.3.29"),
        }
    }
}

/// The draft's archive error codes (extendedFailInfo under `id-cmc-errs-archive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ArchiveError {
    /// .1: the server does not support the requested shroud method.
    UnsupportedShroudMethod = 1,
    /// .2: no archived key matches the recovery request.
    NoKeysFound = 2,
    /// .3: the server's policy requires key archival with this request.
    ArchiveRequired = 3,
}

impl ArchiveError {
    pub fn code(self) -> u32 {
        self as u32
    }

    pub fn from_code(code: u32) -> Option<Self> {
        match code {
            1 => Some(ArchiveError::UnsupportedShroudMethod),
            2 => Some(ArchiveError::NoKeysFound),
            3 => Some(ArchiveError::ArchiveRequired),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ArchiveError::UnsupportedShroudMethod => "unsupportedShroudMethod",
            ArchiveError::NoKeysFound => "noKeysFound",
            ArchiveError::ArchiveRequired => "archiveRequired",
        }
    }
}

impl CmcOids {
    /// The profile names, as written in a profile file, with accessors to the field they set.
    fn fields_mut(&mut self) -> [(&'static str, &mut Oid); 21] {
        [
            (
                "id-cmc-shroudWithPublicKey",
                &mut self.shroud_with_public_key,
            ),
            (
                "id-cmc-shroudWithSharedSecret",
                &mut self.shroud_with_shared_secret,
            ),
            (
                "id-ct-multiplePrivateKeys",
                &mut self.ct_multiple_private_keys,
            ),
            (
                "id-cmc-serverKeyGenRequest",
                &mut self.server_key_gen_request,
            ),
            (
                "id-cmc-serverKeyGenResponse",
                &mut self.server_key_gen_response,
            ),
            ("id-cmc-keyArchival", &mut self.key_archival),
            ("id-cmc-keyRecoveryReq", &mut self.key_recovery_req),
            ("id-cmc-keyRecoveryRsp", &mut self.key_recovery_rsp),
            (
                "id-cmc-archive-enveloped-data",
                &mut self.archive_enveloped_data,
            ),
            ("id-cmc-errs-archive", &mut self.errs_archive),
            ("id-cmc-statusInfoV2", &mut self.status_info_v2),
            ("id-cmc-identification", &mut self.identification),
            ("id-cmc-identityProofV2", &mut self.identity_proof_v2),
            ("id-cmc-transactionId", &mut self.transaction_id),
            ("id-cmc-senderNonce", &mut self.sender_nonce),
            ("id-cmc-recipientNonce", &mut self.recipient_nonce),
            ("id-cct-PKIData", &mut self.cct_pki_data),
            ("id-cct-PKIResponse", &mut self.cct_pki_response),
            ("id-aa-cmc-unsignedData", &mut self.aa_cmc_unsigned_data),
            ("id-ct-encKeyWithID", &mut self.ct_enc_key_with_id),
            ("id-kp-cmcArchive", &mut self.kp_cmc_archive),
        ]
    }

    /// The profile names and their current values, in profile-file order.
    pub fn entries(&self) -> Vec<(&'static str, Oid)> {
        let mut copy = self.clone();
        copy.fields_mut()
            .into_iter()
            .map(|(name, oid)| (name, *oid))
            .collect()
    }

    /// The defaults with the overrides of a profile file: `NAME=DOTTED-OID` lines, `#` comments
    /// (whole-line or trailing), blank lines, spaces around `=` allowed. An unknown name, a
    /// malformed OID or a name given twice is an error naming the line.
    pub fn from_profile(text: &str) -> Result<Self> {
        let mut oids = CmcOids::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let lineno = i + 1;
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let (name, value) = line.split_once('=').ok_or_else(|| {
                Error::format(format!(
                    "OID profile line {lineno}: expected NAME=DOTTED-OID, found \"{line}\""
                ))
            })?;
            let (name, value) = (name.trim(), value.trim());
            let oid = Oid::new(value).map_err(|_| {
                Error::format(format!(
                    "OID profile line {lineno}: \"{value}\" is not a dotted object identifier"
                ))
            })?;
            // const-oid (under der 0.7) cannot decode an OID of fewer than 3 content octets, so
            // such an identifier could be written but never read back.
            if oid.as_bytes().len() < 3 {
                return Err(Error::format(format!(
                    "OID profile line {lineno}: \"{value}\" is too short (kmi reads OIDs of 3 or more content octets)"
                )));
            }
            let mut fields = oids.fields_mut();
            let Some((known, slot)) = fields.iter_mut().find(|(n, _)| *n == name) else {
                return Err(Error::format(format!(
                    "OID profile line {lineno}: unknown name \"{name}\" (known: {})",
                    CmcOids::default()
                        .entries()
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            if seen.contains(known) {
                return Err(Error::format(format!(
                    "OID profile line {lineno}: \"{name}\" is given twice"
                )));
            }
            seen.push(known);
            **slot = oid;
        }
        // The archive error codes are child arcs of errs_archive (all one octet): a profile OID
        // already at const-oid's length limit could not carry them, so refuse it here, where the
        // line can be named, rather than fail when a response is written.
        if Oid::new(&format!(
            "{}.{}",
            oids.errs_archive,
            ArchiveError::ArchiveRequired.code()
        ))
        .is_err()
        {
            return Err(Error::format(
                "OID profile: errs_archive is too long to carry its error codes as child arcs",
            ));
        }
        Ok(oids)
    }

    /// The name of a CMC control, content type, attribute or common algorithm identifier: the
    /// profile's names first (so an override is named), then the assigned id-cmc arcs, then the
    /// well-known CMS and algorithm identifiers.
    pub fn name_of(&self, oid: &Oid) -> Option<&'static str> {
        if let Some((name, _)) = self.entries().into_iter().find(|(_, o)| o == oid) {
            return Some(name);
        }
        if let Some(code) = self.archive_error_code(oid) {
            return Some(match ArchiveError::from_code(code) {
                Some(e) => match e {
                    ArchiveError::UnsupportedShroudMethod => "id-cmc-err-unsupportedShroudMethod",
                    ArchiveError::NoKeysFound => "id-cmc-err-noKeysFound",
                    ArchiveError::ArchiveRequired => "id-cmc-err-archiveRequired",
                },
                None => "id-cmc-errs-archive (unknown code)",
            });
        }
        if let Some(arc) = child_arc(&ID_CMC, oid) {
            if let Some((name, _)) = ID_CMC_NAMES.iter().find(|(_, a)| *a == arc) {
                return Some(name);
            }
        }
        let dotted = oid.to_string();
        OTHER_NAMES
            .iter()
            .find(|(_, o)| *o == dotted)
            .map(|(name, _)| *name)
    }

    /// The error-code OID `id-cmc-errs-archive.N`.
    pub fn archive_error_oid(&self, err: ArchiveError) -> Oid {
        let dotted = format!("{}.{}", self.errs_archive, err.code());
        // from_profile refused an errs_archive without room for a one-octet child arc, and the
        // default has room; every code is one octet (1..=3).
        Oid::new(&dotted).expect("errs_archive has room for its child arcs (checked on load)")
    }

    /// N when `oid` is `id-cmc-errs-archive.N`.
    pub fn archive_error_code(&self, oid: &Oid) -> Option<u32> {
        child_arc(&self.errs_archive, oid)
    }
}

/// `Some(n)` when `oid` is `parent.n`.
fn child_arc(parent: &Oid, oid: &Oid) -> Option<u32> {
    let p: Vec<u32> = parent.arcs().collect();
    let c: Vec<u32> = oid.arcs().collect();
    (c.len() == p.len() + 1 && c.starts_with(&p)).then(|| c[p.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_errs_archive_without_room_for_child_arcs_is_refused() {
        // Grow an OID one arc at a time until one more arc no longer fits const-oid's limit.
        let mut base = String::from("1.3.6.1.4.1");
        while Oid::new(&format!("{base}.3.3")).is_ok() {
            base.push_str(".3");
        }
        base.push_str(".3");
        assert!(Oid::new(&base).is_ok() && Oid::new(&format!("{base}.3")).is_err());
        let e = CmcOids::from_profile(&format!("id-cmc-errs-archive={base}\n")).unwrap_err();
        assert!(
            e.to_string().contains("too long to carry its error codes"),
            "{e}"
        );
    }

    #[test]
    fn identity_proof_v2_is_id_cmc_34_not_const_oids_value() {
        use const_oid::db::rfc5912;
        let o = CmcOids::default();
        assert_eq!(o.identity_proof_v2.to_string(), "1.3.6.1.5.5.7.7.34");
        // RFC 5912's module as const-oid 0.9.6 carries it: the two V2 identifiers are swapped.
        assert_eq!(
            rfc5912::ID_CMC_IDENTITY_PROOF_V_2.to_string(),
            "1.3.6.1.5.5.7.7.33"
        );
        assert_eq!(
            rfc5912::ID_CMC_POP_LINK_WITNESS_V_2.to_string(),
            "1.3.6.1.5.5.7.7.34"
        );
        // The others agree with the database.
        assert_eq!(o.status_info_v2, rfc5912::ID_CMC_STATUS_INFO_V_2);
        assert_eq!(o.transaction_id, rfc5912::ID_CMC_TRANSACTION_ID);
        assert_eq!(o.cct_pki_data, rfc5912::ID_CCT_PKI_DATA);
        assert_eq!(o.ct_enc_key_with_id, rfc5912::ID_CT_ENC_KEY_WITH_ID);
    }

    #[test]
    fn defaults_follow_formats_md() {
        let o = CmcOids::default();
        assert_eq!(o.key_archival.to_string(), "1.3.6.1.4.1.32473.1.3.6");
        assert_eq!(o.kp_cmc_archive.to_string(), "1.3.6.1.5.5.7.3.29");
        assert_eq!(o.status_info_v2.to_string(), "1.3.6.1.5.5.7.7.25");
        assert_eq!(o.entries().len(), 21);
        // Every default is distinct, so a name lookup is unambiguous.
        let mut all: Vec<String> = o.entries().iter().map(|(_, x)| x.to_string()).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 21);
    }

    #[test]
    fn profile_overrides_by_name() {
        let text = "# peer profile\n\n id-cmc-keyArchival = 1.2.3.4 # trailing\r\nid-cmc-errs-archive=1.2.3.5\n";
        let o = CmcOids::from_profile(text).unwrap();
        assert_eq!(o.key_archival.to_string(), "1.2.3.4");
        assert_eq!(o.errs_archive.to_string(), "1.2.3.5");
        assert_eq!(o.sender_nonce, CmcOids::default().sender_nonce);
        assert_eq!(
            o.name_of(&Oid::new_unwrap("1.2.3.4")),
            Some("id-cmc-keyArchival")
        );
        // The default number is no longer the key archival control.
        assert_eq!(o.name_of(&CmcOids::default().key_archival), None);
    }

    #[test]
    fn profile_errors_name_the_line() {
        let e = CmcOids::from_profile("\nid-cmc-keyArchivl=1.2.3.4\n").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("OID profile line 2: unknown name \"id-cmc-keyArchivl\""));
        let e = CmcOids::from_profile("id-cmc-keyArchival=1.2.x\n").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        let e = CmcOids::from_profile("# c\nid-cmc-keyArchival\n").unwrap_err();
        assert!(
            e.to_string().contains("line 2: expected NAME=DOTTED-OID"),
            "{e}"
        );
        let e = CmcOids::from_profile("id-cmc-keyArchival=1.2.3\n").unwrap_err();
        assert!(e.to_string().contains("too short"), "{e}");
        let e = CmcOids::from_profile("id-cmc-keyArchival=1.2.3.4\nid-cmc-keyArchival=1.2.3.5\n")
            .unwrap_err();
        assert!(
            e.to_string().contains("line 2") && e.to_string().contains("twice"),
            "{e}"
        );
    }

    #[test]
    fn names_of_assigned_and_archive_errors() {
        let o = CmcOids::default();
        let n = |s: &str| o.name_of(&Oid::new_unwrap(s));
        assert_eq!(n("1.3.6.1.5.5.7.7.5"), Some("id-cmc-transactionId"));
        assert_eq!(n("1.3.6.1.5.5.7.7.1"), Some("id-cmc-statusInfo"));
        assert_eq!(n("1.3.6.1.5.5.7.7.12"), None);
        assert_eq!(n("1.2.840.113549.1.7.3"), Some("id-envelopedData"));
        assert_eq!(
            n("1.3.6.1.4.1.32473.1.3.10.2"),
            Some("id-cmc-err-noKeysFound")
        );
        assert_eq!(
            o.archive_error_oid(ArchiveError::ArchiveRequired)
                .to_string(),
            "1.3.6.1.4.1.32473.1.3.10.3"
        );
        assert_eq!(
            o.archive_error_code(&Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.10.1")),
            Some(1)
        );
        assert_eq!(
            o.archive_error_code(&Oid::new_unwrap("1.3.6.1.4.1.32473.1.3.10")),
            None
        );
    }
}
