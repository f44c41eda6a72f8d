//! Encryption at rest: whole keys sealed to the store's storage key as AuthEnvelopedData
//! (AES-256-GCM, RSA-OAEP key transport; formats.md section 6), and opened only with it.

use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use spki::SubjectPublicKeyInfoRef;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::DbStore;
use crate::cmc::store::{check_fingerprint, spki_fingerprint};
use crate::cms::{ContentCipher, Recipient};
use crate::keys::PrivateKey;
use crate::{Error, Result};

impl DbStore {
    /// Seal a whole key to the storage key.
    pub(super) fn seal(&self, key: &PrivateKey, rng: &mut dyn CryptoRngCore) -> Result<Vec<u8>> {
        let Some(cert) = &self.storage_cert else {
            return Err(Error::invalid(match &self.storage_fp {
                Some(_) => "whole keys are sealed to the store's storage key: give --storage-cert (or hold keys as shares with --split K/N --to ...)".to_string(),
                None => format!(
                    "{} has no storage key and holds no whole keys: run the agent with --split K/N --to ... (or create a store with --storage-cert)",
                    self.path.display()
                ),
            }));
        };
        let pkcs8 = crate::keys::encoding::encode_private_pkcs8(key)?;
        crate::cms::envelope_with(
            &pkcs8,
            const_oid::db::rfc5911::ID_DATA,
            &[Recipient::Certificate(cert.clone())],
            ContentCipher::Aes256Gcm,
            rng,
        )
    }

    /// Open a sealed key with the storage key.
    pub(super) fn unseal(&self, fp: &str, sealed: &[u8]) -> Result<PrivateKey> {
        let Some(key) = &self.storage_key else {
            return Err(Error::invalid(
                "it is sealed to the store's storage key: give --storage-key to recover it",
            ));
        };
        let opened = crate::cms::open_with_key(sealed, key, self.storage_cert.as_ref())
            .map_err(|_| Error::check("its sealed copy does not open with the storage key"))?;
        let der = Zeroizing::new(opened.content.to_vec());
        let key = crate::keys::encoding::decode_pkcs8(&der)
            .map_err(|e| Error::check(format!("its sealed copy is not a key: {e}")))?;
        check_fingerprint(fp, &key)?;
        Ok(key)
    }
}

/// SHA-256 of a storage certificate's SPKI.
pub(super) fn storage_fingerprint(cert: &Certificate) -> Result<String> {
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(Error::encoding)?;
    if crate::cms::ktri::rsa_public_from_spki(
        SubjectPublicKeyInfoRef::from_der(&spki).map_err(Error::encoding)?,
    )
    .is_err()
    {
        return Err(Error::invalid(
            "the storage key must be an RSA key (keys are sealed to it with RSA-OAEP)",
        ));
    }
    Ok(spki_fingerprint(&spki))
}
