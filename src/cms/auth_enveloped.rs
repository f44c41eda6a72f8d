//! AuthEnvelopedData (RFC 5083) with AES-GCM (RFC 5084): the authenticated form of an envelope.
//! The `cms` crate 0.2.3 has no type for it, so it is written here with der derive, beside the
//! GCM parameters and the GCM seal and open.
//!
//! Why: EnvelopedData with AES-CBC has no integrity, so whoever can change an envelope and watch
//! a reader's answer learns the plaintext block by block (a padding oracle). GCM authenticates
//! the whole ciphertext: a changed envelope fails its tag before any plaintext exists. kmi's CMC
//! client writes the archived key this way by default; `openssl cms -encrypt -aes-256-gcm`
//! writes the same structure and `openssl cms -decrypt` (3.0) opens it.
//!
//! ```text
//! AuthEnvelopedData ::= SEQUENCE {
//!   version CMSVersion,                         -- always 0 (RFC 5083 section 2.1)
//!   originatorInfo [0] IMPLICIT OriginatorInfo OPTIONAL,
//!   recipientInfos RecipientInfos,
//!   authEncryptedContentInfo EncryptedContentInfo,
//!   authAttrs [1] IMPLICIT AuthAttributes OPTIONAL,
//!   mac MessageAuthenticationCode,              -- the GCM tag
//!   unauthAttrs [2] IMPLICIT UnauthAttributes OPTIONAL }
//!
//! GCMParameters ::= SEQUENCE {                  -- RFC 5084 section 3.2
//!   aes-nonce        OCTET STRING,              -- 12 octets recommended
//!   aes-ICVlen       AES-GCM-ICVlen DEFAULT 12 }
//! AES-GCM-ICVlen ::= INTEGER (12 | 13 | 14 | 15 | 16)
//! ```
//!
//! The additional authenticated data is the DER of authAttrs with a SET OF tag in place of the
//! `[1]` (RFC 5083 section 2.2), or empty when there are none. authAttrs must be present, with a
//! content-type attribute, when the inner content type is not id-data (RFC 5083 section 2.1):
//! kmi writes exactly that attribute for its id-ct-encKeyWithID and share contents, and none for
//! id-data (what `openssl cms -encrypt` writes).

use ::cms::content_info::CmsVersion;
use ::cms::enveloped_data::{EncryptedContentInfo, OriginatorInfo, RecipientInfos};
use aes::cipher::generic_array::GenericArray;
use aes_gcm::aead::consts::{U12, U13, U14, U15, U16};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{AesGcm, TagSize};
use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Sequence};
use x509_cert::attr::{Attribute, Attributes};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// id-aes128-GCM, id-aes192-GCM, id-aes256-GCM (RFC 5084 section 3.2).
pub use const_oid::db::rfc5911::ID_AES_128_GCM as AES128_GCM;
pub use const_oid::db::rfc5911::ID_AES_192_GCM as AES192_GCM;
pub use const_oid::db::rfc5911::ID_AES_256_GCM as AES256_GCM;
/// id-ct-authEnvelopedData (RFC 5083 section 1.1).
pub use const_oid::db::rfc5911::ID_CT_AUTH_ENVELOPED_DATA as ID_AUTH_ENVELOPED_DATA;

/// The nonce length kmi writes and reads: the 12 octets RFC 5084 recommends, the only length
/// openssl and Bouncy Castle write.
pub const GCM_NONCE_LEN: usize = 12;
/// The tag length kmi writes (what openssl writes).
pub const GCM_TAG_LEN: u8 = 16;
/// id-contentType (RFC 5652 section 11.1).
pub use const_oid::db::rfc5911::ID_CONTENT_TYPE;

/// RFC 5083 section 2.1.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct AuthEnvelopedData {
    pub version: CmsVersion,
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub originator_info: Option<OriginatorInfo>,
    pub recip_infos: RecipientInfos,
    pub auth_encrypted_content: EncryptedContentInfo,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub auth_attrs: Option<Attributes>,
    pub mac: OctetString,
    #[asn1(
        context_specific = "2",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    pub unauth_attrs: Option<Attributes>,
}

fn default_icv_len() -> u8 {
    12
}

/// RFC 5084 section 3.2.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct GcmParameters {
    pub nonce: OctetString,
    #[asn1(default = "default_icv_len")]
    pub icv_len: u8,
}

/// The AES key length of a GCM content-encryption OID.
pub fn gcm_key_len(oid: &Oid) -> Option<usize> {
    [(AES128_GCM, 16), (AES192_GCM, 24), (AES256_GCM, 32)]
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, l)| *l)
}

/// The authAttrs kmi writes: the content-type attribute alone, which RFC 5083 section 2.1
/// requires whenever the inner content type is not id-data (Bouncy Castle refuses an envelope
/// without it), so the type is covered by the tag.
pub fn content_type_attrs(content_type: Oid) -> Result<Attributes> {
    let enc = |e: der::Error| Error::internal(format!("DER encoding failed: {e}"));
    let mut values = SetOfVec::new();
    values
        .insert(Any::encode_from(&content_type).map_err(enc)?)
        .map_err(enc)?;
    let mut attrs = SetOfVec::new();
    attrs
        .insert(Attribute {
            oid: ID_CONTENT_TYPE,
            values,
        })
        .map_err(enc)?;
    Ok(attrs)
}

/// The content type an authAttrs names, if it has a content-type attribute with one value.
pub fn attrs_content_type(attrs: &Attributes) -> Result<Option<Oid>> {
    let Some(a) = attrs.iter().find(|a| a.oid == ID_CONTENT_TYPE) else {
        return Ok(None);
    };
    match a.values.as_slice() {
        [v] => v
            .decode_as::<Oid>()
            .map(Some)
            .map_err(|e| Error::format(format!("authAttrs: malformed content-type: {e}"))),
        _ => Err(Error::format(
            "authAttrs: the content-type attribute must have one value",
        )),
    }
}

/// AES-256-GCM encryption of `plaintext` with additional data `aad`: (ciphertext, tag).
pub fn seal_aes256(
    key: &[u8],
    nonce: &[u8; GCM_NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let cipher = AesGcm::<aes::Aes256, U12, U16>::new_from_slice(key)
        .map_err(|_| Error::internal("AES-256-GCM needs a 32-byte key"))?;
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(GenericArray::from_slice(nonce), aad, &mut buf)
        .map_err(|_| Error::internal("AES-GCM encryption failed"))?;
    Ok((buf, tag.to_vec()))
}

fn open_with<A, T>(
    key: &[u8],
    nonce: &[u8; GCM_NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>>
where
    T: TagSize,
    AesGcm<A, U12, T>: KeyInit + AeadInPlace,
{
    let cipher = AesGcm::<A, U12, T>::new_from_slice(key).ok()?;
    if tag.len() != T::USIZE {
        return None;
    }
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            buf.as_mut(),
            GenericArray::from_slice(tag),
        )
        .ok()?;
    Some(buf)
}

/// AES-GCM decryption: the plaintext, or `None` when the key has the wrong size or the tag does
/// not verify (the aead crate compares the tag in constant time and releases no plaintext).
pub fn open(
    key: &[u8],
    nonce: &[u8; GCM_NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    macro_rules! by_tag {
        ($aes:ty) => {
            match tag.len() {
                12 => open_with::<$aes, U12>(key, nonce, aad, ciphertext, tag),
                13 => open_with::<$aes, U13>(key, nonce, aad, ciphertext, tag),
                14 => open_with::<$aes, U14>(key, nonce, aad, ciphertext, tag),
                15 => open_with::<$aes, U15>(key, nonce, aad, ciphertext, tag),
                16 => open_with::<$aes, U16>(key, nonce, aad, ciphertext, tag),
                _ => None,
            }
        };
    }
    match key.len() {
        16 => by_tag!(aes::Aes128),
        24 => by_tag!(aes::Aes192),
        32 => by_tag!(aes::Aes256),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn gcm_round_trip_and_tamper() {
        let key = [7u8; 32];
        let nonce = [9u8; 12];
        let (ct, tag) = seal_aes256(&key, &nonce, b"", b"attack at dawn").unwrap();
        assert_eq!(tag.len(), 16);
        assert_eq!(
            open(&key, &nonce, b"", &ct, &tag).unwrap().as_slice(),
            b"attack at dawn"
        );
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(open(&key, &nonce, b"", &bad, &tag).is_none());
        assert!(open(&key, &nonce, b"x", &ct, &tag).is_none());
        assert!(open(&key[..16], &nonce, b"", &ct, &tag).is_none());
        // A shorter tag is GCM's truncation of the same tag (SP 800-38D section 5.2.1.2): it
        // verifies as itself, never with a changed byte.
        assert!(open(&key, &nonce, b"", &ct, &tag[..12]).is_some());
        let mut t12 = tag[..12].to_vec();
        t12[11] ^= 1;
        assert!(open(&key, &nonce, b"", &ct, &t12).is_none());
        assert!(open(&key, &nonce, b"", &ct, &tag[..11]).is_none());
    }

    /// NIST SP 800-38D test case 16 (AES-256, 12-byte IV, 20 bytes of AAD): the decryption and
    /// the truncated-tag path agree with the published vector.
    #[test]
    fn gcm_matches_a_published_vector() {
        let h = |s: &str| hex::decode(s).unwrap();
        let key = h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        let nonce: [u8; 12] = h("cafebabefacedbaddecaf888").try_into().unwrap();
        let pt = h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        let aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let ct = h("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
        let tag = h("76fc6ece0f4e1768cddf8853bb2d551b");
        assert_eq!(open(&key, &nonce, &aad, &ct, &tag).unwrap().as_slice(), pt);
    }

    #[test]
    fn gcm_parameters_default_icv_len() {
        let p = GcmParameters {
            nonce: OctetString::new(vec![1u8; 12]).unwrap(),
            icv_len: 12,
        };
        let der = p.to_der().unwrap();
        // DEFAULT 12 is written by omission.
        assert_eq!(der.len(), 2 + 14);
        assert_eq!(GcmParameters::from_der(&der).unwrap().icv_len, 12);
        let p16 = GcmParameters { icv_len: 16, ..p };
        assert_eq!(
            GcmParameters::from_der(&p16.to_der().unwrap())
                .unwrap()
                .icv_len,
            16
        );
    }
}
