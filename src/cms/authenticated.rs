//! AuthenticatedData (RFC 5652 section 9) with HMAC-SHA256 under a key that a
//! PasswordRecipientInfo carries: what kmi's CMC client wraps a PKIData in when it has no signing
//! key (the archive draft, sections 4.3 step 3 and 8), and what the agent checks.
//!
//! Written: version 0 (no originatorInfo, RFC 5652 section 9.1), one PWRI (PBKDF2-HMAC-SHA256,
//! random 16-byte salt, id-aes256-wrap: the draft's shared-secret shrouding) wrapping a fresh
//! 32-byte MAC key, macAlgorithm hmacWithSHA256 (RFC 4231; parameters NULL as RFC 8018 appendix
//! B.1.2 writes them), digestAlgorithm id-sha256, and authAttrs with the content-type and
//! message-digest attributes, which RFC 5652 section 9.2 requires whenever the content is not
//! id-data. The MAC is computed over the DER of authAttrs with the SET OF tag (section 9.2), so
//! the content is covered by its digest.
//!
//! Read ([`Authenticated::parse`]): exactly one RecipientInfo, a PWRI kmi reads (within the KDF
//! limits, checked before anything is derived: [`crate::cms::pwri::PreparedPwri`]), HMAC-SHA256
//! only, authAttrs present with one content-type attribute equal to eContentType and one
//! message-digest. [`Authenticated::check`] derives, unwraps and compares the MAC in constant time;
//! it answers only yes or no, so a caller cannot tell a wrong secret from a changed message.

use ::cms::authenticated_data::AuthenticatedData;
use ::cms::content_info::{CmsVersion, ContentInfo};
use ::cms::enveloped_data::{RecipientInfo, RecipientInfos};
use ::cms::signed_data::EncapsulatedContentInfo;
use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Encode};
use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, Attributes};
use zeroize::Zeroizing;

use super::asn1::{alg, hash_params_ok, HMAC_SHA256, ID_SHA_256};
use super::pwri::PreparedPwri;
use crate::{Error, Result};

/// id-ct-authData (RFC 5652 section 9.1).
pub use const_oid::db::rfc5911::ID_CT_AUTH_DATA as ID_AUTH_DATA;
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_MESSAGE_DIGEST};

type HmacSha256 = Hmac<Sha256>;

fn hmac_alg() -> Result<AlgorithmIdentifierOwned> {
    Ok(AlgorithmIdentifierOwned {
        oid: HMAC_SHA256,
        parameters: Some(Any::encode_from(&der::asn1::Null).map_err(Error::encoding)?),
    })
}

fn attribute(oid: Oid, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(Error::encoding)?;
    Ok(Attribute { oid, values })
}

/// ContentInfo(AuthenticatedData) DER over `content` (of type `content_type`), its MAC key
/// carried for `secret` by a PWRI with `iterations` PBKDF2 iterations.
pub fn authenticate(
    content_type: Oid,
    content: &[u8],
    secret: &[u8],
    iterations: u32,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    let mut mac_key = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(mac_key.as_mut());
    let pwri = super::pwri::build_aes_kw_bytes(secret, iterations, mac_key.as_ref(), rng)?;
    let mut attrs: Attributes = SetOfVec::new();
    attrs
        .insert(attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&content_type).map_err(Error::encoding)?,
        )?)
        .map_err(Error::encoding)?;
    let digest = OctetString::new(Sha256::digest(content).to_vec()).map_err(Error::encoding)?;
    attrs
        .insert(attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&digest).map_err(Error::encoding)?,
        )?)
        .map_err(Error::encoding)?;
    let mut mac = HmacSha256::new_from_slice(mac_key.as_ref())
        .map_err(|e| Error::internal(format!("HMAC key: {e}")))?;
    mac.update(&attrs.to_der().map_err(Error::encoding)?);
    let tag = mac.finalize().into_bytes();
    let infos = RecipientInfos::try_from(vec![pwri]).map_err(Error::encoding)?;
    let ad = AuthenticatedData {
        version: CmsVersion::V0,
        originator_info: None,
        recip_infos: infos,
        mac_alg: hmac_alg()?,
        digest_alg: Some(alg(ID_SHA_256)),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: content_type,
            econtent: Some(
                Any::encode_from(&OctetString::new(content.to_vec()).map_err(Error::encoding)?)
                    .map_err(Error::encoding)?,
            ),
        },
        auth_attrs: Some(attrs),
        mac: OctetString::new(tag.to_vec()).map_err(Error::encoding)?,
        unauth_attrs: None,
    };
    ContentInfo {
        content_type: ID_AUTH_DATA,
        content: Any::encode_from(&ad).map_err(Error::encoding)?,
    }
    .to_der()
    .map_err(Error::encoding)
}

/// An AuthenticatedData whose form was checked, before any key is derived.
#[derive(Clone, Debug)]
pub struct Authenticated {
    /// eContentType.
    pub content_type: Oid,
    /// The eContent octets (not yet authenticated).
    pub content: Vec<u8>,
    pwri: PreparedPwri,
    /// DER of authAttrs with the SET OF tag: what the MAC covers.
    mac_input: Vec<u8>,
    mac: Vec<u8>,
    /// Whether the message-digest attribute matches the content.
    digest_ok: bool,
}

impl Authenticated {
    /// Read the content of a ContentInfo(AuthenticatedData) (the `content` field).
    pub fn parse(ad: &AuthenticatedData) -> Result<Self> {
        let infos: Vec<&RecipientInfo> = ad.recip_infos.0.iter().collect();
        let pwri = match infos.as_slice() {
            [RecipientInfo::Pwri(p)] => PreparedPwri::new(p)?,
            [_] => {
                return Err(Error::format(
                    "the AuthenticatedData's recipient is not a PasswordRecipientInfo (kmi shares a secret)",
                ))
            }
            _ => {
                return Err(Error::format(format!(
                    "the AuthenticatedData has {} recipients; kmi reads one PasswordRecipientInfo",
                    infos.len()
                )))
            }
        };
        if ad.mac_alg.oid != HMAC_SHA256 || !hash_params_ok(&ad.mac_alg) {
            return Err(Error::format(format!(
                "MAC algorithm {} is not hmacWithSHA256",
                ad.mac_alg.oid
            )));
        }
        let content_type = ad.encap_content_info.econtent_type;
        let content = ad
            .encap_content_info
            .econtent
            .as_ref()
            .ok_or_else(|| Error::format("the AuthenticatedData has no content (detached)"))?
            .decode_as::<OctetString>()
            .map_err(Error::decoding("eContent is not an OCTET STRING"))?
            .as_bytes()
            .to_vec();
        let attrs = ad.auth_attrs.as_ref().ok_or_else(|| {
            Error::format("the AuthenticatedData has no authAttrs (RFC 5652 section 9.1 requires them for content other than id-data)")
        })?;
        let digest_alg = ad.digest_alg.as_ref().ok_or_else(|| {
            Error::format("the AuthenticatedData has authAttrs but no digestAlgorithm")
        })?;
        if digest_alg.oid != ID_SHA_256 || !hash_params_ok(digest_alg) {
            return Err(Error::format(format!(
                "digest algorithm {} is not id-sha256",
                digest_alg.oid
            )));
        }
        let one = |oid: Oid, what: &str| -> Result<Any> {
            let found: Vec<&Attribute> = attrs.iter().filter(|a| a.oid == oid).collect();
            match found.as_slice() {
                [a] if a.values.len() == 1 => a
                    .values
                    .get(0)
                    .cloned()
                    .ok_or_else(|| Error::format(format!("the {what} attribute has no value"))),
                _ => Err(Error::format(format!(
                    "authAttrs must hold one {what} attribute with one value"
                ))),
            }
        };
        let ct: Oid = one(ID_CONTENT_TYPE, "content-type")?
            .decode_as()
            .map_err(Error::decoding("content-type attribute"))?;
        if ct != content_type {
            return Err(Error::format(
                "the content-type attribute disagrees with eContentType",
            ));
        }
        let md: OctetString = one(ID_MESSAGE_DIGEST, "message-digest")?
            .decode_as()
            .map_err(Error::decoding("message-digest attribute"))?;
        let digest_ok = md.as_bytes() == Sha256::digest(&content).as_slice();
        Ok(Authenticated {
            content_type,
            content,
            mac_input: attrs.to_der().map_err(Error::encoding)?,
            mac: ad.mac.as_bytes().to_vec(),
            pwri,
            digest_ok,
        })
    }

    /// Decode ContentInfo(AuthenticatedData) DER.
    pub fn from_content_info(ci: &ContentInfo) -> Result<Self> {
        let ad: AuthenticatedData = ci
            .content
            .decode_as()
            .map_err(Error::decoding("malformed AuthenticatedData"))?;
        Self::parse(&ad)
    }

    /// The PBKDF2 iterations the recipient asks for (checked by the caller against its policy).
    pub fn iterations(&self) -> u32 {
        self.pwri.iterations()
    }

    /// Charge the key derivation one check costs to this process's KDF budget and refuse an
    /// iteration count above kmi's limit: call once before [`Authenticated::check`].
    pub fn charge(&self) -> Result<()> {
        self.pwri.check_limits()?;
        crate::limits::charge_kdf_work(self.pwri.work(), "the AuthenticatedData's recipient")
    }

    /// Whether `secret` opens the MAC key and the MAC (and the content's digest) stand: the MAC is
    /// computed and compared in constant time even when the digest attribute is wrong or the key
    /// does not unwrap (with a zero key), so every failure costs the same.
    pub fn check(&self, secret: &[u8]) -> bool {
        let key = self.pwri.unwrap_bytes(secret);
        let unwrapped = key.is_some();
        let key = key.unwrap_or_else(|| Zeroizing::new(vec![0u8; 32]));
        let Ok(mut mac) = HmacSha256::new_from_slice(&key) else {
            return false;
        };
        mac.update(&self.mac_input);
        let mac_ok = mac.verify_slice(&self.mac).is_ok();
        mac_ok & unwrapped & self.digest_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn parse(der: &[u8]) -> Authenticated {
        let ci = ContentInfo::from_der(der).unwrap();
        assert_eq!(ci.content_type, ID_AUTH_DATA);
        Authenticated::from_content_info(&ci).unwrap()
    }

    #[test]
    fn the_right_secret_opens_the_mac_and_nothing_else_does() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let ct = Oid::new_unwrap("1.3.6.1.5.5.7.12.2");
        let der = authenticate(ct, b"pki data", b"0123456789abcdef", 10, &mut rng).unwrap();
        let a = parse(&der);
        assert_eq!(a.content_type, ct);
        assert_eq!(a.content, b"pki data");
        assert_eq!(a.iterations(), 10);
        assert!(a.check(b"0123456789abcdef"));
        assert!(!a.check(b"0123456789abcdeF"));
    }

    #[test]
    fn a_changed_content_or_mac_fails() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let ct = Oid::new_unwrap("1.3.6.1.5.5.7.12.2");
        let der = authenticate(ct, b"pki data", b"secret-secret-16", 10, &mut rng).unwrap();
        // The content: its digest no longer matches.
        let i = der.windows(8).position(|w| w == b"pki data").unwrap();
        let mut changed = der.clone();
        changed[i] ^= 1;
        assert!(!parse(&changed).check(b"secret-secret-16"));
        // The MAC (the last 32 octets).
        let mut changed = der.clone();
        let n = changed.len();
        changed[n - 1] ^= 1;
        assert!(!parse(&changed).check(b"secret-secret-16"));
    }
}
