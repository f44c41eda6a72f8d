//! PasswordRecipientInfo (RFC 5652 section 6.2.4, RFC 3211): PBKDF2 derives a key-encryption key
//! from the passphrase, which wraps the content-encryption key.
//!
//! kmi writes PBKDF2-HMAC-ID_SHA_256 with either key-encryption algorithm: id-alg-PWRI-KEK with
//! AES-256-CBC ([`build`]: what `openssl cms -decrypt -pwri_password` reads, used for shares) or
//! id-aes256-wrap, the RFC 3394 key wrap ([`build_aes_kw`]: what the CMC archive draft specifies
//! for shared-secret shrouding; openssl 3.0 cannot open it). It reads both, any AES size and the
//! PBKDF2 PRFs SHA-1/256/384/512.
//!
//! The iteration count is attacker input: reading checks it against
//! [`crate::limits::MAX_PBKDF2_ITERATIONS`] and charges its work to the per-command budget
//! ([`crate::limits::charge_kdf_work`]) before deriving anything ([`PreparedPwri`]).

use ::cms::content_info::CmsVersion;
use ::cms::enveloped_data::{PasswordRecipientInfo, RecipientInfo};
use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::{Aes128, Aes192, Aes256};
use der::asn1::{Null, OctetString};
use rand_core::CryptoRngCore;
use spki::AlgorithmIdentifierOwned;
use zeroize::{Zeroize, Zeroizing};

use super::asn1::*;
use crate::{Error, Result};

const BLOCK: usize = 16;

/// Build a PWRI for `cek` under `passphrase`.
pub fn build(
    passphrase: &str,
    iterations: u32,
    cek: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Result<RecipientInfo> {
    if iterations == 0 {
        return Err(Error::invalid(
            "the PBKDF2 iteration count must be at least 1",
        ));
    }
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let mut iv = [0u8; BLOCK];
    rng.fill_bytes(&mut iv);
    let mut kek = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), &salt, iterations, kek.as_mut());
    let wrapped = rfc3211_wrap(
        &Aes256::new(GenericArray::from_slice(kek.as_ref())),
        &iv,
        cek,
        rng,
    )?;

    let null = der::Any::encode_from(&Null).map_err(Error::encoding)?;
    let kdf = Pbkdf2Params {
        salt: OctetString::new(salt.to_vec()).map_err(Error::encoding)?,
        iteration_count: iterations,
        key_length: None,
        prf: Some(AlgorithmIdentifierOwned {
            oid: HMAC_SHA256,
            parameters: Some(null),
        }),
    };
    let iv_os = OctetString::new(iv.to_vec()).map_err(Error::encoding)?;
    let kek_alg = alg_with(AES256_CBC, &iv_os)?;
    Ok(RecipientInfo::Pwri(PasswordRecipientInfo {
        version: CmsVersion::V0,
        key_derivation_alg: Some(alg_with(PBKDF2, &kdf)?),
        key_enc_alg: alg_with(PWRI_KEK, &kek_alg)?,
        enc_key: OctetString::new(wrapped).map_err(Error::encoding)?,
    }))
}

/// Build a PWRI for `cek` under `passphrase` with PBKDF2-HMAC-ID_SHA_256 (random 16-byte salt) and
/// id-aes256-wrap (RFC 3394 AES key wrap, parameters absent per RFC 3565 section 2.3.2).
pub fn build_aes_kw(
    passphrase: &str,
    iterations: u32,
    cek: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Result<RecipientInfo> {
    build_aes_kw_bytes(passphrase.as_bytes(), iterations, cek, rng)
}

/// [`build_aes_kw`] for a secret that is octets rather than text (CMC's shared secrets,
/// `crate::cmc::identity`).
pub fn build_aes_kw_bytes(
    passphrase: &[u8],
    iterations: u32,
    cek: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Result<RecipientInfo> {
    if iterations == 0 {
        return Err(Error::invalid(
            "the PBKDF2 iteration count must be at least 1",
        ));
    }
    if cek.len() % 8 != 0 || cek.len() < 16 {
        return Err(Error::internal(
            "AES key wrap needs a key of a multiple of 8 bytes, at least 16",
        ));
    }
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let mut kek = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, &salt, iterations, kek.as_mut());
    let wrapped = aes_kw::KekAes256::new(GenericArray::from_slice(kek.as_ref()))
        .wrap_vec(cek)
        .map_err(|e| Error::internal(format!("AES key wrap: {e}")))?;
    let null = der::Any::encode_from(&Null).map_err(Error::encoding)?;
    let kdf = Pbkdf2Params {
        salt: OctetString::new(salt.to_vec()).map_err(Error::encoding)?,
        iteration_count: iterations,
        key_length: None,
        prf: Some(AlgorithmIdentifierOwned {
            oid: HMAC_SHA256,
            parameters: Some(null),
        }),
    };
    Ok(RecipientInfo::Pwri(PasswordRecipientInfo {
        version: CmsVersion::V0,
        key_derivation_alg: Some(alg_with(PBKDF2, &kdf)?),
        key_enc_alg: alg(AES256_WRAP),
        enc_key: OctetString::new(wrapped).map_err(Error::encoding)?,
    }))
}

/// The PBKDF2 pseudo-random function of a PWRI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prf {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Prf {
    /// Output bytes of one PRF block.
    fn output_len(self) -> usize {
        match self {
            Prf::Sha1 => 20,
            Prf::Sha256 => 32,
            Prf::Sha384 => 48,
            Prf::Sha512 => 64,
        }
    }

    /// The cost of one HMAC computation relative to HMAC-ID_SHA_256: SHA-384/512 compress 128-byte
    /// blocks with 80 rounds of 64-bit words, about twice the time of SHA-256 (measured with
    /// `openssl kdf ... PBKDF2`: 2.0 M vs 4.3 M iterations/s on one core); SHA-1 is cheaper,
    /// counted as 1.
    fn weight(self) -> u64 {
        match self {
            Prf::Sha1 | Prf::Sha256 => 1,
            Prf::Sha384 | Prf::Sha512 => 2,
        }
    }
}

/// How the key-encryption key wraps the content-encryption key.
#[derive(Clone, Debug)]
enum KekKind {
    /// id-alg-PWRI-KEK (RFC 3211) with AES-CBC and this IV.
    Pwri { iv: [u8; BLOCK] },
    /// AES key wrap (RFC 3394).
    Wrap,
}

/// One PasswordRecipientInfo whose parameters were read and checked, before any key derivation:
/// what it costs ([`PreparedPwri::work`]) is known before anything is derived.
#[derive(Clone, Debug)]
pub struct PreparedPwri {
    prf: Prf,
    salt: Vec<u8>,
    iterations: u32,
    key_len: usize,
    kek: KekKind,
    wrapped: Vec<u8>,
}

impl PreparedPwri {
    /// Read a PWRI's algorithms and parameters; an error (a format error) when it uses something
    /// kmi does not read. The cost is checked separately ([`PreparedPwri::check_limits`]).
    pub fn new(pwri: &PasswordRecipientInfo) -> Result<Self> {
        let kdf_alg = pwri.key_derivation_alg.as_ref().ok_or_else(|| {
            Error::format("PasswordRecipientInfo without a key derivation algorithm")
        })?;
        if kdf_alg.oid != PBKDF2 {
            return Err(Error::format(format!(
                "unsupported password key derivation {}",
                kdf_alg.oid
            )));
        }
        let kdf: Pbkdf2Params = params_as(kdf_alg, "PBKDF2")?;
        if kdf.iteration_count == 0 {
            return Err(Error::format("PBKDF2 iteration count 0 is out of range"));
        }
        let prf = match kdf.prf.as_ref().map(|p| p.oid).unwrap_or(HMAC_SHA1) {
            o if o == HMAC_SHA1 => Prf::Sha1,
            o if o == HMAC_SHA256 => Prf::Sha256,
            o if o == HMAC_SHA384 => Prf::Sha384,
            o if o == HMAC_SHA512 => Prf::Sha512,
            o => return Err(Error::format(format!("unsupported PBKDF2 PRF {o}"))),
        };

        // The key-encryption algorithm fixes the KEK size.
        let kea = &pwri.key_enc_alg;
        let (key_len, kek) = if kea.oid == PWRI_KEK {
            let inner: AlgorithmIdentifierOwned = params_as(kea, "id-alg-PWRI-KEK")?;
            let key_len = aes_cbc_key_len(&inner.oid).ok_or_else(|| {
                Error::format(format!("id-alg-PWRI-KEK: unsupported cipher {}", inner.oid))
            })?;
            let iv: OctetString = params_as(&inner, "id-alg-PWRI-KEK cipher")?;
            let iv: [u8; BLOCK] = iv
                .as_bytes()
                .try_into()
                .map_err(|_| Error::format("id-alg-PWRI-KEK: the IV must be 16 bytes"))?;
            (key_len, KekKind::Pwri { iv })
        } else if let Some(key_len) = aes_wrap_key_len(&kea.oid) {
            (key_len, KekKind::Wrap)
        } else {
            return Err(Error::format(format!(
                "unsupported password key encryption algorithm {}",
                kea.oid
            )));
        };
        if let Some(kl) = kdf.key_length {
            if kl as usize != key_len {
                return Err(Error::format(
                    "PBKDF2 keyLength does not match the key-encryption algorithm",
                ));
            }
        }
        Ok(PreparedPwri {
            prf,
            salt: kdf.salt.as_bytes().to_vec(),
            iterations: kdf.iteration_count,
            key_len,
            kek,
            wrapped: pwri.enc_key.as_bytes().to_vec(),
        })
    }

    /// Refuse an iteration count above [`crate::limits::MAX_PBKDF2_ITERATIONS`] unless slow KDFs
    /// are allowed (a format error: the file asks for more than kmi spends).
    pub fn check_limits(&self) -> Result<()> {
        if self.iterations > crate::limits::MAX_PBKDF2_ITERATIONS
            && !crate::limits::slow_kdf_allowed()
        {
            return Err(Error::format(format!(
                "PBKDF2 iteration count {} is above kmi's limit of {} (--allow-slow-kdf lifts it)",
                self.iterations,
                crate::limits::MAX_PBKDF2_ITERATIONS
            )));
        }
        Ok(())
    }

    /// The PBKDF2 iteration count the recipient asks for.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The PBKDF2 work one passphrase costs, in PBKDF2-HMAC-ID_SHA_256 iterations (the unit of
    /// [`crate::limits::MAX_KDF_WORK_PER_COMMAND`]): iterations x PRF output blocks (RFC 8018
    /// section 5.2) x the PRF's relative cost.
    pub fn work(&self) -> u64 {
        u64::from(self.iterations)
            * self.key_len.div_ceil(self.prf.output_len()) as u64
            * self.prf.weight()
    }

    /// Derive the KEK from `passphrase` and unwrap the content-encryption key: `None` when the
    /// passphrase does not open it. The caller has charged [`PreparedPwri::work`].
    pub fn unwrap(&self, passphrase: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.unwrap_bytes(passphrase.as_bytes())
    }

    /// [`PreparedPwri::unwrap`] for a secret that is octets rather than text.
    pub fn unwrap_bytes(&self, passphrase: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let mut kek = Zeroizing::new(vec![0u8; self.key_len]);
        let (pw, salt, n) = (passphrase, self.salt.as_slice(), self.iterations);
        match self.prf {
            Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(pw, salt, n, &mut kek),
            Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pw, salt, n, &mut kek),
            Prf::Sha384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(pw, salt, n, &mut kek),
            Prf::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(pw, salt, n, &mut kek),
        }
        let wrapped = self.wrapped.as_slice();
        match &self.kek {
            KekKind::Pwri { iv } => match self.key_len {
                16 => rfc3211_unwrap(&Aes128::new(GenericArray::from_slice(&kek)), iv, wrapped),
                24 => rfc3211_unwrap(&Aes192::new(GenericArray::from_slice(&kek)), iv, wrapped),
                _ => rfc3211_unwrap(&Aes256::new(GenericArray::from_slice(&kek)), iv, wrapped),
            },
            KekKind::Wrap => {
                let unwrapped = match self.key_len {
                    16 => {
                        aes_kw::KekAes128::new(GenericArray::from_slice(&kek)).unwrap_vec(wrapped)
                    }
                    24 => {
                        aes_kw::KekAes192::new(GenericArray::from_slice(&kek)).unwrap_vec(wrapped)
                    }
                    _ => aes_kw::KekAes256::new(GenericArray::from_slice(&kek)).unwrap_vec(wrapped),
                };
                unwrapped.ok().map(Zeroizing::new)
            }
        }
    }
}

/// The content-encryption key of one PWRI: `Ok(None)` when the passphrase does not open it,
/// an error when the recipient info uses something kmi does not read or its work passes kmi's
/// limits (charged to this process before deriving).
pub fn unwrap_cek(
    pwri: &PasswordRecipientInfo,
    passphrase: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let prepared = PreparedPwri::new(pwri)?;
    prepared.check_limits()?;
    crate::limits::charge_kdf_work(prepared.work(), "the password recipient")?;
    Ok(prepared.unwrap(passphrase))
}

fn aes_cbc_key_len(oid: &der::asn1::ObjectIdentifier) -> Option<usize> {
    [(AES128_CBC, 16), (AES192_CBC, 24), (AES256_CBC, 32)]
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, l)| *l)
}

fn aes_wrap_key_len(oid: &der::asn1::ObjectIdentifier) -> Option<usize> {
    [(AES128_WRAP, 16), (AES192_WRAP, 24), (AES256_WRAP, 32)]
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, l)| *l)
}

fn xor(a: &mut [u8], b: &[u8]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x ^= y);
}

/// CBC-encrypt `buf` (a multiple of the block size) in place.
fn cbc_encrypt<C: BlockEncrypt>(cipher: &C, iv: &[u8], buf: &mut [u8]) {
    let mut prev = [0u8; BLOCK];
    prev.copy_from_slice(iv);
    for chunk in buf.chunks_exact_mut(BLOCK) {
        xor(chunk, &prev);
        cipher.encrypt_block(GenericArray::from_mut_slice(chunk));
        prev.copy_from_slice(chunk);
    }
}

/// RFC 3211 section 2.3.1: LEN || check (complement of CEK[0..3]) || CEK || random padding to at
/// least two blocks, CBC-encrypted with the KEK and `iv`, then CBC-encrypted again with the last
/// ciphertext block as IV.
pub fn rfc3211_wrap<C: BlockEncrypt>(
    cipher: &C,
    iv: &[u8; BLOCK],
    cek: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    if cek.len() < 3 || cek.len() > 255 {
        return Err(Error::internal(
            "RFC 3211 key wrap needs a 3 to 255 byte key",
        ));
    }
    let len = ((cek.len() + 4).div_ceil(BLOCK) * BLOCK).max(2 * BLOCK);
    let mut buf = Vec::with_capacity(len);
    buf.push(cek.len() as u8);
    buf.extend(cek[..3].iter().map(|b| !b));
    buf.extend_from_slice(cek);
    let mut pad = vec![0u8; len - buf.len()];
    rng.fill_bytes(&mut pad);
    buf.extend(pad);
    cbc_encrypt(cipher, iv, &mut buf);
    let mut iv2 = [0u8; BLOCK];
    iv2.copy_from_slice(&buf[len - BLOCK..]);
    cbc_encrypt(cipher, &iv2, &mut buf);
    Ok(buf)
}

/// RFC 3211 section 2.3.2. `None` when the check bytes or the length are wrong (wrong KEK).
pub fn rfc3211_unwrap<C: BlockDecrypt>(
    cipher: &C,
    iv: &[u8],
    wrapped: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let len = wrapped.len();
    if len < 2 * BLOCK || len % BLOCK != 0 || iv.len() != BLOCK {
        return None;
    }
    let dec = |block: &[u8]| {
        let mut b = GenericArray::clone_from_slice(block);
        cipher.decrypt_block(&mut b);
        b
    };
    let c = |i: usize| &wrapped[i * BLOCK..(i + 1) * BLOCK];
    let n = len / BLOCK;
    // Undo the outer layer: its IV was the last inner block X_n = D(C_n) xor C_{n-1}.
    let mut inner = Zeroizing::new(vec![0u8; len]);
    let mut xn = dec(c(n - 1));
    xor(&mut xn, c(n - 2));
    for i in 0..n {
        let mut x = dec(c(i));
        xor(&mut x, if i == 0 { &xn } else { c(i - 1) });
        inner[i * BLOCK..(i + 1) * BLOCK].copy_from_slice(&x);
        x.zeroize();
    }
    // Undo the inner layer with the given IV.
    let mut plain = Zeroizing::new(vec![0u8; len]);
    for i in 0..n {
        let mut p = dec(&inner[i * BLOCK..(i + 1) * BLOCK]);
        xor(
            &mut p,
            if i == 0 {
                iv
            } else {
                &inner[(i - 1) * BLOCK..i * BLOCK]
            },
        );
        plain[i * BLOCK..(i + 1) * BLOCK].copy_from_slice(&p);
        p.zeroize();
    }
    let key_len = plain[0] as usize;
    let check = (plain[1] ^ plain[4]) & (plain[2] ^ plain[5]) & (plain[3] ^ plain[6]);
    if key_len < 3 || key_len > len - 4 || check != 0xff {
        return None;
    }
    Some(Zeroizing::new(plain[4..4 + key_len].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn rfc3211_wrap_round_trip_and_wrong_kek() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let k1 = Aes256::new(GenericArray::from_slice(&[7u8; 32]));
        let k2 = Aes256::new(GenericArray::from_slice(&[8u8; 32]));
        let iv = [3u8; 16];
        for cek_len in [16usize, 24, 32] {
            let cek: Vec<u8> = (0..cek_len as u8).collect();
            let w = rfc3211_wrap(&k1, &iv, &cek, &mut rng).unwrap();
            assert_eq!(w.len(), if cek_len <= 28 { 32 } else { 48 });
            assert_eq!(
                rfc3211_unwrap(&k1, &iv, &w).unwrap().as_slice(),
                cek.as_slice()
            );
            assert!(rfc3211_unwrap(&k2, &iv, &w).is_none());
        }
        assert!(rfc3211_unwrap(&k1, &iv, &[0u8; 17]).is_none());
    }
}
