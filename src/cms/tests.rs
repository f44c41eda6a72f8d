//! Round trips, multiple recipients, wrong keys and passphrases, tampering, BER input.

use std::str::FromStr;
use std::sync::OnceLock;

use der::asn1::BitString;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::pkcs8::EncodePublicKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::{Certificate, TbsCertificate};

use super::*;

struct Fixture {
    key: RsaPrivate,
    spki: Vec<u8>,
    cert: Certificate,
}

fn make(seed: u64, cn: &str) -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let k = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let big = |x: &rsa::BigUint| num_bigint::BigUint::from_bytes_be(&x.to_bytes_be());
    let key =
        RsaPrivate::from_primes(big(&k.primes()[0]), big(&k.primes()[1]), big(k.e())).unwrap();
    let spki = k
        .to_public_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec();
    let name = Name::from_str(&format!("CN={cn}")).unwrap();
    let sig_alg = alg(Oid::new_unwrap("1.2.840.113549.1.1.11"));
    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: SerialNumber::new(&[seed as u8 + 1, 2, 3]).unwrap(),
        signature: sig_alg.clone(),
        issuer: name.clone(),
        validity: Validity::from_now(std::time::Duration::from_secs(3600)).unwrap(),
        subject: name,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki).unwrap(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: None,
    };
    // The signature is never checked by CMS; a dummy one keeps the fixture simple.
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&[0u8; 8]).unwrap(),
    };
    Fixture { key, spki, cert }
}

type Oid = der::asn1::ObjectIdentifier;

/// The EnvelopedData of a DER or BER envelope, as the cms crate's type (the module's own `parse`
/// reads either kind of envelope into its internal form).
fn parse(der: &[u8]) -> Result<EnvelopedData> {
    let ci =
        ContentInfo::from_der(&ber::normalize_cms(der)?).map_err(Error::decoding("ContentInfo"))?;
    ci.content
        .decode_as::<EnvelopedData>()
        .map_err(Error::decoding("EnvelopedData"))
}

fn alice() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make(1, "alice"))
}
fn bob() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make(2, "bob"))
}

fn pass(p: &str) -> Recipient {
    Recipient::Passphrase {
        passphrase: Zeroizing::new(p.to_string()),
        iterations: 1000,
    }
}

const SHARE_CT: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.1.1");
const MSG: &[u8] = b"a share of a key, longer than one AES block to exercise CBC";

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(42)
}

#[test]
fn certificate_recipient_round_trip() {
    let a = alice();
    let env = envelope(
        MSG,
        SHARE_CT,
        &[Recipient::Certificate(a.cert.clone())],
        &mut rng(),
    )
    .unwrap();
    let o = open_with_key(&env, &a.key, Some(&a.cert)).unwrap();
    assert_eq!(o.content.as_slice(), MSG);
    assert_eq!(o.content_type, SHARE_CT);
    // Without the certificate, every KTRI is tried.
    assert_eq!(
        open_with_key(&env, &a.key, None)
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    // Version 0: only version-0 KTRIs.
    let ed = parse(&env).unwrap();
    assert_eq!(ed.version, CmsVersion::V0);
    let RecipientInfo::Ktri(k) = ed.recip_infos.0.iter().next().unwrap() else {
        panic!()
    };
    assert_eq!(k.key_enc_alg.oid, RSAES_OAEP);
    assert_eq!(k.key_enc_alg, ktri::oaep_sha256_alg().unwrap());
}

#[test]
fn oaep_parameters_match_openssl_bytes() {
    // What openssl 3.0 writes for -keyopt rsa_oaep_md:sha256 -keyopt rsa_mgf1_md:sha256.
    let want = hex::decode(
        "303806092a864886f70d010107302ba00d300b0609608648016503040201a11a301806092a864886f70d010108300b0609608648016503040201",
    )
    .unwrap();
    assert_eq!(ktri::oaep_sha256_alg().unwrap().to_der().unwrap(), want);
}

#[test]
fn public_key_recipient_round_trip() {
    let a = alice();
    let env = envelope(
        MSG,
        ID_DATA,
        &[Recipient::PublicKey(a.spki.clone())],
        &mut rng(),
    )
    .unwrap();
    let ed = parse(&env).unwrap();
    assert_eq!(ed.version, CmsVersion::V2);
    let RecipientInfo::Ktri(k) = ed.recip_infos.0.iter().next().unwrap() else {
        panic!()
    };
    assert_eq!(k.version, CmsVersion::V2);
    let o = open_with_key(&env, &a.key, None).unwrap();
    assert_eq!((o.content.as_slice(), o.content_type), (MSG, ID_DATA));
    // The key identifier rid also matches the certificate of the same key.
    assert_eq!(
        open_with_key(&env, &a.key, Some(&a.cert))
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
}

#[test]
fn passphrase_recipient_round_trip() {
    let env = envelope(MSG, SHARE_CT, &[pass("hunter2")], &mut rng()).unwrap();
    let ed = parse(&env).unwrap();
    assert_eq!(ed.version, CmsVersion::V3);
    let o = open_with_passphrase(&env, "hunter2").unwrap();
    assert_eq!((o.content.as_slice(), o.content_type), (MSG, SHARE_CT));
    let e = open_with_passphrase(&env, "hunter3").unwrap_err();
    assert_eq!(e.to_string(), "wrong passphrase or not a recipient");
    assert_eq!(e.exit_code() as u8, 1);
}

#[test]
fn several_recipients_each_open() {
    let (a, b) = (alice(), bob());
    let recips = [
        Recipient::Certificate(a.cert.clone()),
        Recipient::PublicKey(b.spki.clone()),
        pass("one"),
        pass("two"),
    ];
    let env = envelope(MSG, SHARE_CT, &recips, &mut rng()).unwrap();
    assert_eq!(parse(&env).unwrap().recip_infos.0.len(), 4);
    assert_eq!(
        open_with_key(&env, &a.key, Some(&a.cert))
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert_eq!(
        open_with_key(&env, &b.key, None)
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert_eq!(
        open_with_key(&env, &b.key, Some(&b.cert))
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert_eq!(
        open_with_passphrase(&env, "one")
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert_eq!(
        open_with_passphrase(&env, "two")
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert!(open_with_passphrase(&env, "three").is_err());
}

#[test]
fn wrong_key_fails_cleanly() {
    let (a, b) = (alice(), bob());
    let env = envelope(
        MSG,
        SHARE_CT,
        &[Recipient::Certificate(a.cert.clone())],
        &mut rng(),
    )
    .unwrap();
    let e = open_with_key(&env, &b.key, None).unwrap_err();
    assert_eq!(e.to_string(), UNOPENABLE);
    assert_eq!(e.exit_code() as u8, 1);
    let e = open_with_key(&env, &b.key, Some(&b.cert)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no recipient of this envelope names the certificate"
    );
    let e = open_with_key(&env, &b.key, Some(&a.cert)).unwrap_err();
    assert_eq!(e.to_string(), "the certificate does not belong to this key");
    // A passphrase-only envelope has nothing for a key, and the other way round.
    let env = envelope(MSG, SHARE_CT, &[pass("p")], &mut rng()).unwrap();
    assert!(open_with_key(&env, &a.key, None).is_err());
    let env = envelope(
        MSG,
        SHARE_CT,
        &[Recipient::PublicKey(a.spki.clone())],
        &mut rng(),
    )
    .unwrap();
    assert_eq!(
        open_with_passphrase(&env, "p").unwrap_err().to_string(),
        "the envelope has no passphrase recipient"
    );
}

/// Replace the encrypted content (or the encrypted key) of a parsed envelope and re-encode it.
fn reencode(ed: &EnvelopedData) -> Vec<u8> {
    ContentInfo {
        content_type: ID_ENVELOPED_DATA,
        content: Any::encode_from(ed).unwrap(),
    }
    .to_der()
    .unwrap()
}

#[test]
fn tampering_fails_cleanly() {
    let a = alice();
    let recips = [Recipient::Certificate(a.cert.clone()), pass("pw")];
    let env = envelope(MSG, SHARE_CT, &recips, &mut rng()).unwrap();

    // Flip the top bit of the last byte of the second-to-last ciphertext block: the padding byte
    // of the last plaintext block becomes >= 0x80, which PKCS#7 always rejects.
    let mut ed = parse(&env).unwrap();
    let mut ct = ed
        .encrypted_content
        .encrypted_content
        .as_ref()
        .unwrap()
        .as_bytes()
        .to_vec();
    let n = ct.len();
    ct[n - 17] ^= 0x80;
    ed.encrypted_content.encrypted_content = Some(OctetString::new(ct).unwrap());
    let bad = reencode(&ed);
    assert!(matches!(
        open_with_key(&bad, &a.key, Some(&a.cert)),
        Err(Error::CheckFailed(_))
    ));
    assert!(matches!(
        open_with_passphrase(&bad, "pw"),
        Err(Error::CheckFailed(_))
    ));

    // A changed encrypted key: OAEP decoding fails.
    let mut ed = parse(&env).unwrap();
    let infos: Vec<RecipientInfo> = ed
        .recip_infos
        .0
        .iter()
        .cloned()
        .map(|ri| match ri {
            RecipientInfo::Ktri(mut k) => {
                let mut b = k.enc_key.as_bytes().to_vec();
                b[10] ^= 1;
                k.enc_key = OctetString::new(b).unwrap();
                RecipientInfo::Ktri(k)
            }
            RecipientInfo::Pwri(mut p) => {
                let mut b = p.enc_key.as_bytes().to_vec();
                b[0] ^= 1;
                p.enc_key = OctetString::new(b).unwrap();
                RecipientInfo::Pwri(p)
            }
            other => other,
        })
        .collect();
    ed.recip_infos = RecipientInfos::try_from(infos).unwrap();
    let bad = reencode(&ed);
    assert!(matches!(
        open_with_key(&bad, &a.key, Some(&a.cert)),
        Err(Error::CheckFailed(_))
    ));
    assert!(matches!(
        open_with_passphrase(&bad, "pw"),
        Err(Error::CheckFailed(_))
    ));

    // Truncated and garbage input are format errors.
    assert!(matches!(
        open_with_passphrase(&env[..env.len() - 3], "pw"),
        Err(Error::Format(_))
    ));
    assert!(matches!(
        open_with_passphrase(b"hello", "pw"),
        Err(Error::Format(_))
    ));
}

/// DER to BER the way openssl streams: the outer three levels indefinite, the encrypted content
/// as a constructed [0] of OCTET STRING chunks.
fn to_streamed_ber(der_env: &[u8]) -> Vec<u8> {
    let ed = parse(der_env).unwrap();
    let mut v = Vec::new();
    v.extend([0x30, 0x80]);
    v.extend(ID_ENVELOPED_DATA.to_der().unwrap());
    v.extend([0xa0, 0x80, 0x30, 0x80]);
    v.extend(ed.version.to_der().unwrap());
    v.extend(ed.recip_infos.to_der().unwrap());
    let eci = &ed.encrypted_content;
    v.extend([0x30, 0x80]);
    v.extend(eci.content_type.to_der().unwrap());
    v.extend(eci.content_enc_alg.to_der().unwrap());
    v.extend([0xa0, 0x80]);
    for chunk in eci
        .encrypted_content
        .as_ref()
        .unwrap()
        .as_bytes()
        .chunks(20)
    {
        v.extend(OctetString::new(chunk.to_vec()).unwrap().to_der().unwrap());
    }
    v.extend([0u8; 10]); // five end-of-contents
    v
}

#[test]
fn ber_and_pem_input_open() {
    let env = envelope(MSG, SHARE_CT, &[pass("pw")], &mut rng()).unwrap();
    let ber = to_streamed_ber(&env);
    assert_ne!(ber, env);
    assert_eq!(ber::normalize_cms(&ber).unwrap(), env);
    assert_eq!(
        open_with_passphrase(&ber, "pw").unwrap().content.as_slice(),
        MSG
    );
    let pem = crate::io::armor::encode_pem("CMS", &ber).unwrap();
    assert_eq!(
        open_with_passphrase(pem.as_bytes(), "pw")
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    let pem = crate::io::armor::encode_pem("PKCS7", &env).unwrap();
    assert_eq!(
        open_with_passphrase(pem.as_bytes(), "pw")
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    let pem = crate::io::armor::encode_pem("CERTIFICATE", &env).unwrap();
    assert!(matches!(
        open_with_passphrase(pem.as_bytes(), "pw"),
        Err(Error::Format(_))
    ));
}

#[test]
fn aes_key_wrap_pwri_is_read() {
    // Build a PWRI with id-aes256-wrap (RFC 3394) by hand, as the CMC archive draft shrouds keys.
    let env = envelope(MSG, SHARE_CT, &[pass("pw")], &mut rng()).unwrap();
    let mut ed = parse(&env).unwrap();
    let RecipientInfo::Pwri(p) = ed.recip_infos.0.iter().next().unwrap().clone() else {
        panic!()
    };
    let cek = pwri::unwrap_cek(&p, "pw").unwrap().unwrap();
    let kdf: Pbkdf2Params = params_as(p.key_derivation_alg.as_ref().unwrap(), "kdf").unwrap();
    let mut kek = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"pw", kdf.salt.as_bytes(), kdf.iteration_count, &mut kek);
    let wrapped = aes_kw::KekAes256::from(kek).wrap_vec(&cek).unwrap();
    let mut p2 = p.clone();
    p2.key_enc_alg = alg(AES256_WRAP);
    p2.enc_key = OctetString::new(wrapped).unwrap();
    ed.recip_infos = RecipientInfos::try_from(vec![RecipientInfo::Pwri(p2)]).unwrap();
    let env2 = reencode(&ed);
    assert_eq!(
        open_with_passphrase(&env2, "pw")
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert!(open_with_passphrase(&env2, "px").is_err());
}

#[test]
fn recipients_from_files() {
    let a = alice();
    let cert_der = a.cert.to_der().unwrap();
    assert!(matches!(
        recipient_from_file_bytes(&cert_der).unwrap(),
        Recipient::Certificate(_)
    ));
    let pem = crate::io::armor::encode_pem("CERTIFICATE", &cert_der).unwrap();
    assert!(matches!(
        recipient_from_file_bytes(pem.as_bytes()).unwrap(),
        Recipient::Certificate(_)
    ));
    let Recipient::PublicKey(k) = recipient_from_file_bytes(&a.spki).unwrap() else {
        panic!()
    };
    assert_eq!(k, a.spki);
    let pem = crate::io::armor::encode_pem("PUBLIC KEY", &a.spki).unwrap();
    assert!(matches!(
        recipient_from_file_bytes(pem.as_bytes()).unwrap(),
        Recipient::PublicKey(_)
    ));
    assert!(recipient_from_file_bytes(b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n").is_err());
    assert!(recipient_from_file_bytes(&[0x30, 0x00]).is_err());
}

#[test]
fn no_recipients_is_invalid() {
    assert!(matches!(
        envelope(MSG, ID_DATA, &[], &mut rng()),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn too_small_a_key_is_invalid() {
    let mut r = ChaCha20Rng::seed_from_u64(9);
    let k = rsa::RsaPrivateKey::new(&mut r, 512).unwrap();
    let spki = k
        .to_public_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec();
    let e = envelope(MSG, ID_DATA, &[Recipient::PublicKey(spki)], &mut rng()).unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e}");
    assert!(e.to_string().contains("512-bit"), "{e}");
}

#[test]
fn aes_key_wrap_passphrase_round_trip() {
    let r = Recipient::PassphraseKeyWrap {
        passphrase: Zeroizing::new("shared secret".to_string()),
        iterations: 1000,
    };
    let env = envelope(MSG, ID_DATA, &[r], &mut rng()).unwrap();
    let ed = parse(&env).unwrap();
    assert_eq!(ed.version, CmsVersion::V3);
    let RecipientInfo::Pwri(p) = ed.recip_infos.0.iter().next().unwrap() else {
        panic!()
    };
    // id-aes256-wrap with absent parameters (RFC 3565 section 2.3.2), CEK wrapped to 40 bytes.
    assert_eq!(p.key_enc_alg, alg(AES256_WRAP));
    assert_eq!(p.enc_key.as_bytes().len(), 40);
    let o = open_with_passphrase(&env, "shared secret").unwrap();
    assert_eq!(o.content.as_slice(), MSG);
    assert!(matches!(
        open_with_passphrase(&env, "wrong"),
        Err(Error::CheckFailed(_))
    ));
}

/// Re-encode an AuthEnvelopedData.
fn reencode_auth(aed: &AuthEnvelopedData) -> Vec<u8> {
    ContentInfo {
        content_type: ID_AUTH_ENVELOPED_DATA,
        content: Any::encode_from(aed).unwrap(),
    }
    .to_der()
    .unwrap()
}

fn parse_auth(der: &[u8]) -> AuthEnvelopedData {
    ContentInfo::from_der(der)
        .unwrap()
        .content
        .decode_as::<AuthEnvelopedData>()
        .unwrap()
}

#[test]
fn gcm_envelopes_round_trip_for_keys_and_passphrases() {
    let a = alice();
    let recips = [Recipient::Certificate(a.cert.clone()), pass("pw")];
    let env = envelope_with(MSG, SHARE_CT, &recips, ContentCipher::Aes256Gcm, &mut rng()).unwrap();
    let aed = parse_auth(&env);
    assert_eq!(aed.version, CmsVersion::V0);
    assert_eq!(aed.mac.as_bytes().len(), 16);
    // Not id-data: authAttrs name the content type (RFC 5083 section 2.1) and are authenticated.
    assert_eq!(
        auth_enveloped::attrs_content_type(aed.auth_attrs.as_ref().unwrap()).unwrap(),
        Some(SHARE_CT)
    );
    let mut stripped = aed.clone();
    stripped.auth_attrs = None;
    assert_eq!(
        open_with_key(&reencode_auth(&stripped), &a.key, None)
            .unwrap_err()
            .to_string(),
        UNOPENABLE
    );
    let mut relabelled = aed.clone();
    relabelled.auth_encrypted_content.content_type = ID_DATA;
    assert!(matches!(
        open_with_key(&reencode_auth(&relabelled), &a.key, None),
        Err(Error::Format(_))
    ));
    // id-data: no authAttrs, the form openssl 3.0 reads.
    let plain = envelope_with(MSG, ID_DATA, &recips, ContentCipher::Aes256Gcm, &mut rng()).unwrap();
    assert!(parse_auth(&plain).auth_attrs.is_none());
    assert_eq!(
        open_with_key(&plain, &a.key, None)
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert_eq!(aed.auth_encrypted_content.content_enc_alg.oid, AES256_GCM);
    // GCM does not pad: the ciphertext is as long as the plaintext.
    assert_eq!(
        aed.auth_encrypted_content
            .encrypted_content
            .as_ref()
            .unwrap()
            .as_bytes()
            .len(),
        MSG.len()
    );
    let o = open_with_key(&env, &a.key, Some(&a.cert)).unwrap();
    assert_eq!((o.content.as_slice(), o.content_type), (MSG, SHARE_CT));
    assert_eq!(
        open_with_passphrase(&env, "pw").unwrap().content.as_slice(),
        MSG
    );
    // Any change to the ciphertext or the tag fails the tag, with the one message.
    for what in ["content", "mac"] {
        let mut aed = parse_auth(&env);
        match what {
            "content" => {
                let mut ct = aed
                    .auth_encrypted_content
                    .encrypted_content
                    .as_ref()
                    .unwrap()
                    .as_bytes()
                    .to_vec();
                ct[0] ^= 1;
                aed.auth_encrypted_content.encrypted_content = Some(OctetString::new(ct).unwrap());
            }
            _ => {
                let mut mac = aed.mac.as_bytes().to_vec();
                mac[15] ^= 1;
                aed.mac = OctetString::new(mac).unwrap();
            }
        }
        let bad = reencode_auth(&aed);
        let e = open_with_key(&bad, &a.key, Some(&a.cert)).unwrap_err();
        assert_eq!(e.to_string(), UNOPENABLE, "{what}");
        assert!(open_with_passphrase(&bad, "pw").is_err(), "{what}");
    }
}

#[test]
fn every_failure_after_decryption_starts_is_one_outcome() {
    let a = alice();
    let env = envelope(
        MSG,
        SHARE_CT,
        &[Recipient::Certificate(a.cert.clone())],
        &mut rng(),
    )
    .unwrap();
    let with_ktri = |f: &dyn Fn(&mut KeyTransRecipientInfo)| {
        let mut ed = parse(&env).unwrap();
        let infos: Vec<RecipientInfo> = ed
            .recip_infos
            .0
            .iter()
            .cloned()
            .map(|ri| match ri {
                RecipientInfo::Ktri(mut k) => {
                    f(&mut k);
                    RecipientInfo::Ktri(k)
                }
                other => other,
            })
            .collect();
        ed.recip_infos = RecipientInfos::try_from(infos).unwrap();
        reencode(&ed)
    };
    let with_content = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut ed = parse(&env).unwrap();
        let mut ct = ed
            .encrypted_content
            .encrypted_content
            .as_ref()
            .unwrap()
            .as_bytes()
            .to_vec();
        f(&mut ct);
        ed.encrypted_content.encrypted_content = Some(OctetString::new(ct).unwrap());
        reencode(&ed)
    };
    let n = MSG.len().div_ceil(16) * 16;
    let variants = [
        // OAEP decoding fails.
        with_ktri(&|k| {
            let mut b = k.enc_key.as_bytes().to_vec();
            b[10] ^= 1;
            k.enc_key = OctetString::new(b).unwrap();
        }),
        // The ciphertext is not below the modulus.
        with_ktri(&|k| k.enc_key = OctetString::new(vec![0xff; 128]).unwrap()),
        // A valid OAEP encryption of a 16-byte key (wrong size for AES-256).
        with_ktri(&|k| {
            let public = a.key.to_rsa_crate().unwrap().to_public_key();
            let mut r = rng();
            let c = public
                .encrypt(&mut r, rsa::Oaep::new::<sha2::Sha256>(), &[7u8; 16])
                .unwrap();
            k.enc_key = OctetString::new(c).unwrap();
        }),
        // Bad padding, in two ways.
        with_content(&|ct| ct[n - 17] ^= 0x80),
        with_content(&|ct| ct[n - 17] ^= 0x01),
        // A block dropped: garbage everywhere.
        with_content(&|ct| ct.truncate(n - 16)),
    ];
    for (i, bad) in variants.iter().enumerate() {
        let e = open_with_key(bad, &a.key, Some(&a.cert)).unwrap_err();
        assert_eq!(e.to_string(), UNOPENABLE, "variant {i}");
        assert!(matches!(e, Error::CheckFailed(_)), "variant {i}");
    }
}

#[test]
fn pkcs1_v15_key_transport_is_refused_before_decrypting() {
    let a = alice();
    // A v1.5 KTRI that would decrypt: the CEK of a good envelope, re-encrypted with v1.5.
    let env = envelope(
        MSG,
        SHARE_CT,
        &[Recipient::Certificate(a.cert.clone())],
        &mut rng(),
    )
    .unwrap();
    let mut ed = parse(&env).unwrap();
    let RecipientInfo::Ktri(mut k) = ed.recip_infos.0.iter().next().unwrap().clone() else {
        panic!()
    };
    let private = a.key.to_rsa_crate().unwrap();
    let cek = private
        .decrypt(rsa::Oaep::new::<sha2::Sha256>(), k.enc_key.as_bytes())
        .unwrap();
    let mut r = rng();
    let v15 = private
        .to_public_key()
        .encrypt(&mut r, rsa::Pkcs1v15Encrypt, &cek)
        .unwrap();
    k.key_enc_alg = alg_with(RSA_ENCRYPTION, &der::asn1::Null).unwrap();
    k.enc_key = OctetString::new(v15).unwrap();
    ed.recip_infos = RecipientInfos::try_from(vec![RecipientInfo::Ktri(k)]).unwrap();
    let bad = reencode(&ed);
    for cert in [Some(&a.cert), None] {
        let e = open_with_key(&bad, &a.key, cert).unwrap_err();
        assert!(matches!(e, Error::Format(_)), "{e}");
        assert!(e.to_string().contains("PKCS#1 v1.5"), "{e}");
    }
}

fn pwri_with_iterations(iterations: u32) -> Vec<u8> {
    let env = envelope(MSG, SHARE_CT, &[pass("pw")], &mut rng()).unwrap();
    let mut ed = parse(&env).unwrap();
    let RecipientInfo::Pwri(mut p) = ed.recip_infos.0.iter().next().unwrap().clone() else {
        panic!()
    };
    let kda = p.key_derivation_alg.as_mut().unwrap();
    let mut kdf: Pbkdf2Params = params_as(kda, "kdf").unwrap();
    kdf.iteration_count = iterations;
    *kda = alg_with(PBKDF2, &kdf).unwrap();
    ed.recip_infos = RecipientInfos::try_from(vec![RecipientInfo::Pwri(p)]).unwrap();
    reencode(&ed)
}

#[test]
fn pwri_work_is_bounded_before_deriving() {
    // Over the per-derivation cap: refused at once.
    let env = pwri_with_iterations(crate::limits::MAX_PBKDF2_ITERATIONS + 1);
    let t = std::time::Instant::now();
    let e = open_with_passphrase(&env, "pw").unwrap_err();
    assert!(t.elapsed() < std::time::Duration::from_millis(500));
    assert!(matches!(e, Error::Format(_)), "{e}");
    assert!(e.to_string().contains("iteration count"), "{e}");
    // Too many password recipients.
    let mut ed = parse(&env).unwrap();
    let p = ed.recip_infos.0.iter().next().unwrap().clone();
    let mut many = Vec::new();
    for i in 0..=crate::limits::MAX_PWRI_RECIPIENTS {
        let RecipientInfo::Pwri(mut q) = p.clone() else {
            panic!()
        };
        // Distinct values (a SET OF holds no duplicates in DER).
        q.enc_key = OctetString::new(vec![i as u8; 32]).unwrap();
        many.push(RecipientInfo::Pwri(q));
    }
    ed.recip_infos = RecipientInfos::try_from(many).unwrap();
    let e = open_with_passphrase(&reencode(&ed), "pw").unwrap_err();
    assert!(e.to_string().contains("password recipients"), "{e}");
    // Work is iterations x PRF blocks: PBKDF2-HMAC-SHA1 needs two blocks for an AES-256 key.
    let env = pwri_with_iterations(1000);
    let ed = parse(&env).unwrap();
    let RecipientInfo::Pwri(p) = ed.recip_infos.0.iter().next().unwrap() else {
        panic!()
    };
    assert_eq!(pwri::PreparedPwri::new(p).unwrap().work(), 1000);
    let mut p1 = p.clone();
    let kda = p1.key_derivation_alg.as_mut().unwrap();
    let mut kdf: Pbkdf2Params = params_as(kda, "kdf").unwrap();
    kdf.prf = None;
    *kda = alg_with(PBKDF2, &kdf).unwrap();
    assert_eq!(pwri::PreparedPwri::new(&p1).unwrap().work(), 2000);
    // HMAC-SHA512 counts twice per block (one block covers an AES-256 key).
    let kda = p1.key_derivation_alg.as_mut().unwrap();
    kdf.prf = Some(alg_with(HMAC_SHA512, &der::asn1::Null).unwrap());
    *kda = alg_with(PBKDF2, &kdf).unwrap();
    assert_eq!(pwri::PreparedPwri::new(&p1).unwrap().work(), 2000);
    // The budget refuses what would pass it.
    assert!(
        crate::limits::charge_kdf_work(crate::limits::MAX_KDF_WORK_PER_COMMAND + 1, "x").is_err()
    );
}

#[test]
fn too_many_recipients_are_refused() {
    let a = alice();
    let env = envelope(
        MSG,
        SHARE_CT,
        &[Recipient::Certificate(a.cert.clone())],
        &mut rng(),
    )
    .unwrap();
    let mut ed = parse(&env).unwrap();
    let RecipientInfo::Ktri(k) = ed.recip_infos.0.iter().next().unwrap().clone() else {
        panic!()
    };
    let mut many = Vec::new();
    for i in 0..=crate::limits::MAX_ENVELOPE_RECIPIENTS {
        let mut k = k.clone();
        k.enc_key = OctetString::new(vec![i as u8; 128]).unwrap();
        many.push(RecipientInfo::Ktri(k));
    }
    ed.recip_infos = RecipientInfos::try_from(many).unwrap();
    let e = open_with_key(&reencode(&ed), &a.key, None).unwrap_err();
    assert!(matches!(e, Error::Format(_)), "{e}");
    assert!(e.to_string().contains("recipients"), "{e}");
}

#[test]
fn constant_time_unpadding_agrees_with_pkcs7() {
    // The obvious PKCS#7 check (RFC 5652 section 6.3), branches and all.
    let reference = |b: &[u8]| -> Option<usize> {
        let n = *b.last()? as usize;
        ((1..=16).contains(&n) && b[b.len() - n..].iter().all(|&x| x as usize == n))
            .then(|| b.len() - n)
    };
    let mut block = [0u8; 32];
    for pad in 0u8..=20 {
        for filler in [0u8, 1, 3, 16, 0xff] {
            block.fill(filler);
            let p = pad as usize;
            for b in block[32 - p..].iter_mut() {
                *b = pad;
            }
            for flip in [None, Some(30usize), Some(20)] {
                let mut v = block;
                if let Some(i) = flip {
                    v[i] ^= 0x40;
                }
                let (len, ok) = ct_unpad(&v);
                assert_eq!(
                    bool::from(ok).then_some(len),
                    reference(&v),
                    "pad {pad} filler {filler} flip {flip:?}"
                );
            }
        }
    }
}
