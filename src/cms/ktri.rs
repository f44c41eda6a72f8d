//! KeyTransRecipientInfo (RFC 5652 section 6.2.1) with RSAES-OAEP (RFC 8017, parameters per
//! RFC 4055 section 4.1). PKCS#1 v1.5 key transport (rsaEncryption) is refused on read (see
//! [`key_transport`]).

use ::cms::cert::IssuerAndSerialNumber;
use ::cms::content_info::CmsVersion;
use ::cms::enveloped_data::{KeyTransRecipientInfo, RecipientIdentifier, RecipientInfo};
use der::asn1::OctetString;
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use rsa::traits::PublicKeyParts;
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::digest::DynDigest;
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::SubjectPublicKeyInfoRef;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::asn1::*;
use crate::{Error, Result};

/// The RSA public key in an SPKI, refusing other algorithms.
pub fn rsa_public_from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<RsaPublicKey> {
    if spki.algorithm.oid != RSA_ENCRYPTION {
        return Err(Error::format(format!(
            "the recipient's key is not RSA (algorithm {}); CMS key transport needs an RSA key",
            spki.algorithm.oid
        )));
    }
    RsaPublicKey::try_from(spki)
        .map_err(|e| Error::format(format!("malformed RSA public key: {e}")))
}

/// RFC 5280 section 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents.
pub fn key_identifier(spki: &SubjectPublicKeyInfoRef<'_>) -> Vec<u8> {
    Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// The certificate's subjectKeyIdentifier extension, if it has one.
pub fn cert_ski(cert: &Certificate) -> Option<Vec<u8>> {
    let exts = cert.tbs_certificate.extensions.as_ref()?;
    let ext = exts
        .iter()
        .find(|e| e.extn_id == <SubjectKeyIdentifier as AssociatedOid>::OID)?;
    SubjectKeyIdentifier::from_der(ext.extn_value.as_bytes())
        .ok()
        .map(|s| s.0.as_bytes().to_vec())
}

/// The SPKI of a certificate as a borrowed structure.
pub fn cert_spki(cert: &Certificate) -> Result<Vec<u8>> {
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| Error::format(format!("certificate public key: {e}")))
}

/// AlgorithmIdentifier { id-RSAES-OAEP, { \[0\] sha256, \[1\] mgf1(sha256) } }, pSourceFunc default:
/// byte for byte what openssl 3.0 writes for `-keyopt rsa_oaep_md:sha256 -keyopt rsa_mgf1_md:sha256`.
pub fn oaep_sha256_alg() -> Result<spki::AlgorithmIdentifierOwned> {
    let params = RsaesOaepParams {
        hash: Some(alg(ID_SHA_256)),
        mask_gen: Some(alg_with(MGF1, &alg(ID_SHA_256))?),
        p_source: None,
    };
    alg_with(RSAES_OAEP, &params)
}

/// Build a KTRI: the CEK encrypted with RSAES-OAEP-ID_SHA_256 to `key`.
pub fn build(
    rid: RecipientIdentifier,
    key: &RsaPublicKey,
    cek: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Result<RecipientInfo> {
    // RSAES-OAEP-ID_SHA_256 fits a message of at most k - 2*32 - 2 bytes (RFC 8017 section 7.1.1).
    if key.size() < cek.len() + 2 * 32 + 2 {
        return Err(Error::invalid(format!(
            "the recipient's {}-bit RSA key is too small for RSA-OAEP-ID_SHA_256 (at least {} bits)",
            key.n().bits(),
            (cek.len() + 2 * 32 + 2) * 8
        )));
    }
    let mut rng = rng;
    let enc = key
        .encrypt(&mut rng, Oaep::new::<Sha256>(), cek)
        .map_err(|e| {
            Error::internal(format!(
                "RSA-OAEP encryption of the content key failed: {e}"
            ))
        })?;
    let version = match rid {
        RecipientIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V0,
        RecipientIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V2,
    };
    Ok(RecipientInfo::Ktri(KeyTransRecipientInfo {
        version,
        rid,
        key_enc_alg: oaep_sha256_alg()?,
        enc_key: OctetString::new(enc).map_err(Error::encoding)?,
    }))
}

pub fn rid_for_cert(cert: &Certificate) -> RecipientIdentifier {
    RecipientIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

pub fn rid_for_key_id(id: Vec<u8>) -> Result<RecipientIdentifier> {
    let os = OctetString::new(id).map_err(Error::encoding)?;
    Ok(RecipientIdentifier::SubjectKeyIdentifier(
        SubjectKeyIdentifier(os),
    ))
}

/// Does this KTRI name `cert` (by issuer and serial, or by key identifier)?
pub fn names_cert(ktri: &KeyTransRecipientInfo, cert: &Certificate) -> bool {
    match &ktri.rid {
        RecipientIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == cert.tbs_certificate.issuer
                && ias.serial_number == cert.tbs_certificate.serial_number
        }
        RecipientIdentifier::SubjectKeyIdentifier(ski) => {
            let id = ski.0.as_bytes();
            if cert_ski(cert).as_deref() == Some(id) {
                return true;
            }
            cert_spki(cert)
                .ok()
                .and_then(|der| {
                    SubjectPublicKeyInfoRef::from_der(&der)
                        .ok()
                        .map(|s| key_identifier(&s) == id)
                })
                .unwrap_or(false)
        }
    }
}

/// The public half, for comparing with a certificate.
pub fn same_public(private: &RsaPrivateKey, public: &RsaPublicKey) -> bool {
    private.n() == public.n() && private.e() == public.e()
}

/// The OAEP parameters of a key transport algorithm, read and checked before any decryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OaepParams {
    hash: der::asn1::ObjectIdentifier,
    mgf_hash: der::asn1::ObjectIdentifier,
}

fn hash_oid(hash: &spki::AlgorithmIdentifierOwned) -> Result<der::asn1::ObjectIdentifier> {
    if !hash_params_ok(hash) {
        return Err(Error::format(
            "RSAES-OAEP: hash parameters must be absent or NULL",
        ));
    }
    match hash.oid {
        o if o == ID_SHA_1 || o == ID_SHA_256 || o == ID_SHA_384 || o == ID_SHA_512 => Ok(o),
        o => Err(Error::format(format!("RSAES-OAEP: unsupported hash {o}"))),
    }
}

fn digest_for(oid: der::asn1::ObjectIdentifier) -> Box<dyn DynDigest + Send + Sync> {
    match oid {
        o if o == ID_SHA_256 => Box::new(Sha256::new()),
        o if o == ID_SHA_384 => Box::new(Sha384::new()),
        o if o == ID_SHA_512 => Box::new(Sha512::new()),
        // hash_oid admits nothing else.
        _ => Box::new(Sha1::new()),
    }
}

/// The key transport a KTRI uses, checked before anything is decrypted. kmi reads RSAES-OAEP
/// only (RFC 8017 section 7.1, parameters per RFC 4055 section 4.1; absent parameters are the
/// SHA-1 defaults). PKCS#1 v1.5 key transport (rsaEncryption, RFC 8017 section 7.2) is refused
/// everywhere kmi opens an envelope: every envelope kmi writes uses OAEP, and a reader that tells
/// a v1.5 padding failure from other failures, by message or by timing, is Bleichenbacher's
/// oracle on its private key (the escrow agent decrypts whatever a request carries).
pub fn key_transport(key_alg: &spki::AlgorithmIdentifierOwned) -> Result<OaepParams> {
    if key_alg.oid == RSA_ENCRYPTION {
        return Err(Error::format(
            "PKCS#1 v1.5 key transport (rsaEncryption) is refused: it invites Bleichenbacher's attack; kmi reads RSAES-OAEP only",
        ));
    }
    if key_alg.oid != RSAES_OAEP {
        return Err(Error::format(format!(
            "unsupported key transport algorithm {} (kmi reads RSAES-OAEP)",
            key_alg.oid
        )));
    }
    let params = match &key_alg.parameters {
        None => RsaesOaepParams {
            hash: None,
            mask_gen: None,
            p_source: None,
        },
        Some(_) => params_as::<RsaesOaepParams>(key_alg, "RSAES-OAEP")?,
    };
    let hash = match &params.hash {
        Some(h) => hash_oid(h)?,
        None => ID_SHA_1,
    };
    let mgf_hash = match params.mask_gen {
        None => ID_SHA_1,
        Some(mg) => {
            if mg.oid != MGF1 {
                return Err(Error::format(format!(
                    "RSAES-OAEP: unsupported mask generation function {}",
                    mg.oid
                )));
            }
            hash_oid(&params_as::<spki::AlgorithmIdentifierOwned>(&mg, "MGF1")?)?
        }
    };
    if let Some(ps) = params.p_source {
        let empty = ps.oid == P_SPECIFIED
            && params_as::<OctetString>(&ps, "pSourceAlgorithm")
                .map(|o| o.as_bytes().is_empty())
                .unwrap_or(false);
        if !empty {
            return Err(Error::format(
                "RSAES-OAEP: a non-empty label (pSourceAlgorithm) is not supported",
            ));
        }
    }
    Ok(OaepParams { hash, mgf_hash })
}

/// RSAES-OAEP-decrypt the content-encryption key of one KTRI whose algorithm
/// [`key_transport`] accepted. `None` for every failure alike: the rsa crate decodes OAEP
/// without branching on the padding (RFC 8017 section 7.1.2 note: an opponent must not learn
/// which check failed), and kmi keeps no reason either. RSA blinding uses `rng`.
pub fn decrypt_cek(
    ktri: &KeyTransRecipientInfo,
    params: OaepParams,
    key: &RsaPrivateKey,
    rng: &mut dyn CryptoRngCore,
) -> Option<Zeroizing<Vec<u8>>> {
    let mut rng = rng;
    let padding = Oaep {
        digest: digest_for(params.hash),
        mgf_digest: digest_for(params.mgf_hash),
        label: None,
    };
    key.decrypt_blinded(&mut rng, padding, ktri.enc_key.as_bytes())
        .ok()
        .map(Zeroizing::new)
}
