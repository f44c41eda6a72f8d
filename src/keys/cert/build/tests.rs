//! Unit tests of the certificate builder: usages, serials, SKI/AKI, issuing rules, prepare/finish.

use super::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn key(seed: u8) -> RsaPrivateKey {
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    RsaPrivateKey::new(&mut rng, 1024).unwrap()
}

fn spec(dn: &str, key: &RsaPublicKey, usages: &[Usage]) -> CertSpec {
    CertSpec {
        subject: parse_subject(dn).unwrap(),
        spki: rsa_spki(key).unwrap(),
        usages: usages.to_vec(),
        days: 30,
        path_len: None,
    }
}

fn ku(cert: &Certificate) -> der::flagset::FlagSet<KeyUsages> {
    extension::<KeyUsage>(cert).unwrap().unwrap().0
}

#[test]
fn usages_parse_by_name() {
    for u in Usage::ALL {
        assert_eq!(u.name().parse::<Usage>().unwrap(), u);
    }
    assert!("signing".parse::<Usage>().is_err());
}

#[test]
fn subjects_follow_rfc4514() {
    let n = parse_subject("CN=Alice,O=Example").unwrap();
    assert_eq!(n.to_string(), "CN=Alice,O=Example");
    // RFC 4514 lists the most significant RDN last: O is the first RDN in the DER.
    assert_eq!(n.0[0].to_string(), "O=Example");
    assert!(parse_subject("").is_err());
    assert!(parse_subject("Alice").is_err());
}

#[test]
fn self_signed_ca_issues_a_leaf() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let ca_key = key(2);
    let mut ca_spec = spec("CN=Root,O=Example", &ca_key.to_public_key(), &[Usage::Ca]);
    ca_spec.path_len = Some(1);
    let root = issue(&ca_spec, Issuer::SelfSigned(&ca_key), &mut rng).unwrap();
    assert_eq!(root.tbs_certificate.issuer, root.tbs_certificate.subject);
    assert!(ku(&root).contains(KeyUsages::KeyCertSign));
    let bc = extension::<BasicConstraints>(&root).unwrap().unwrap();
    assert!(bc.ca && bc.path_len_constraint == Some(1));
    let serial = root.tbs_certificate.serial_number.as_bytes();
    assert_eq!(serial.len(), 16);
    assert!(serial[0] & 0x80 == 0 && serial[0] != 0);

    let leaf_key = key(3);
    let leaf_spec = spec(
        "CN=Alice",
        &leaf_key.to_public_key(),
        &[Usage::Sign, Usage::Encrypt, Usage::CodeSigning],
    );
    let issuer = Issuer::Ca {
        cert: &root,
        key: &ca_key,
    };
    let leaf = issue(&leaf_spec, issuer, &mut rng).unwrap();
    assert_eq!(leaf.tbs_certificate.issuer, root.tbs_certificate.subject);
    let bits = ku(&leaf);
    assert!(bits.contains(KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment));
    assert!(!bits.contains(KeyUsages::KeyCertSign));
    let exts = leaf.tbs_certificate.extensions.clone().unwrap();
    assert_eq!(
        usages_of(&exts).unwrap(),
        vec![Usage::Sign, Usage::Encrypt, Usage::CodeSigning]
    );
    // AKI of the leaf is the root's SKI.
    let aki = extension::<AuthorityKeyIdentifier>(&leaf).unwrap().unwrap();
    assert_eq!(
        aki.key_identifier.unwrap().as_bytes(),
        crate::cms::ktri::cert_ski(&root).unwrap()
    );
    // The chain verifies the way the chain module checks signatures.
    let tbs = leaf.tbs_certificate.to_der().unwrap();
    let sig = leaf.signature.as_bytes().unwrap();
    assert!(SigHash::Sha256.verify(&ca_key.to_public_key(), &tbs, sig));

    // The leaf cannot issue: no keyCertSign.
    let other = spec("CN=Bob", &key(4).to_public_key(), &[Usage::Sign]);
    let e = issue(
        &other,
        Issuer::Ca {
            cert: &leaf,
            key: &leaf_key,
        },
        &mut rng,
    )
    .unwrap_err();
    assert!(e.to_string().contains("keyCertSign"), "{e}");
    // A CA key that is not the CA certificate's.
    let e = issue(
        &other,
        Issuer::Ca {
            cert: &root,
            key: &leaf_key,
        },
        &mut rng,
    )
    .unwrap_err();
    assert!(e.to_string().contains("does not match"), "{e}");
    // Longer than the root.
    let mut long = other.clone();
    long.days = 31;
    let e = issue(&long, issuer, &mut rng).unwrap_err();
    assert!(e.to_string().contains("outlive"), "{e}");
}

#[test]
fn bad_specs_are_refused() {
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let k = key(6);
    let mut s = spec("CN=X", &k.to_public_key(), &[Usage::Sign]);
    s.days = 0;
    assert!(issue(&s, Issuer::SelfSigned(&k), &mut rng).is_err());
    s.days = MAX_DAYS + 1;
    assert!(issue(&s, Issuer::SelfSigned(&k), &mut rng).is_err());
    s.days = MAX_DAYS;
    let c = issue(&s, Issuer::SelfSigned(&k), &mut rng).unwrap();
    assert!(matches!(
        c.tbs_certificate.validity.not_after,
        Time::GeneralTime(_)
    ));
    assert!(matches!(
        c.tbs_certificate.validity.not_before,
        Time::UtcTime(_)
    ));
    s.path_len = Some(0);
    assert!(issue(&s, Issuer::SelfSigned(&k), &mut rng).is_err());
    // Self-signing with another key.
    let s = spec("CN=X", &k.to_public_key(), &[Usage::Sign]);
    assert!(issue(&s, Issuer::SelfSigned(&key(7)), &mut rng).is_err());
}

#[test]
fn elgamal_keys_are_certified_for_key_agreement_only() {
    use crate::keys::elgamal::{generate_key, NamedGroup};
    let mut rng = ChaCha20Rng::from_seed([8; 32]);
    let eg = generate_key(NamedGroup::Ffdhe2048.group(), &mut rng);
    let der = crate::keys::encode_public_spki(&crate::keys::PublicKey::ElGamal(eg.public)).unwrap();
    let ca_key = key(9);
    let root = issue(
        &spec("CN=Root", &ca_key.to_public_key(), &[Usage::Ca]),
        Issuer::SelfSigned(&ca_key),
        &mut rng,
    )
    .unwrap();
    let mut s = CertSpec {
        subject: parse_subject("CN=Escrow").unwrap(),
        spki: SubjectPublicKeyInfoOwned::from_der(&der).unwrap(),
        usages: vec![Usage::Encrypt],
        days: 10,
        path_len: None,
    };
    let issuer = Issuer::Ca {
        cert: &root,
        key: &ca_key,
    };
    let c = issue(&s, issuer, &mut rng).unwrap();
    assert_eq!(ku(&c), der::flagset::FlagSet::from(KeyUsages::KeyAgreement));
    s.usages = vec![Usage::Sign];
    let e = issue(&s, issuer, &mut rng).unwrap_err();
    assert!(e.to_string().contains("cannot sign"), "{e}");
}

#[test]
fn requests_round_trip_and_forgeries_are_refused() {
    let k = key(10);
    let subject = parse_subject("CN=Alice,O=Example").unwrap();
    let req = csr(&k, &subject, &[Usage::Sign, Usage::CodeSigning]).unwrap();
    let der = req.to_der().unwrap();
    let back = read_csr(&der).unwrap();
    assert_eq!(back.info.subject, subject);
    assert_eq!(
        requested_usages(&back).unwrap(),
        vec![Usage::Sign, Usage::CodeSigning]
    );
    let pem = crate::io::armor::encode_pem("CERTIFICATE REQUEST", &der).unwrap();
    assert!(read_csr(pem.as_bytes()).is_ok());
    let plain = csr(&k, &subject, &[]).unwrap();
    assert!(plain.info.attributes.is_empty());
    assert!(requested_usages(&plain).unwrap().is_empty());
    // One flipped bit of the signature.
    let mut bad = der.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let e = read_csr(&bad).unwrap_err();
    assert!(matches!(e, Error::CheckFailed(_)), "{e}");
}

#[test]
fn prepared_certificates_finish_with_an_outside_signature() {
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    let k = key(12);
    let public = k.to_public_key();
    let s = spec("CN=Shared", &public, &[Usage::Ca, Usage::Sign]);
    let tbs = prepare(&s, PublicIssuer::SelfSigned(&public), &mut rng).unwrap();
    let sig = sign_sha256(&k, &tbs, &mut rng).unwrap();
    let cert = finish(&tbs, &sig, &public).unwrap();
    assert_eq!(cert.tbs_certificate.to_der().unwrap(), tbs);
    let mut wrong = sig.clone();
    wrong[0] ^= 1;
    assert!(matches!(
        finish(&tbs, &wrong, &public),
        Err(Error::CheckFailed(_))
    ));
    let other = key(13).to_public_key();
    assert!(finish(&tbs, &sig, &other).is_err());
    // A request the same way.
    let info = prepare_request(&s.subject, &s.spki, &s.usages).unwrap();
    let sig = sign_sha256(&k, &info, &mut rng).unwrap();
    let req = finish_request(&info, &sig, &public).unwrap();
    assert!(read_csr(&req.to_der().unwrap()).is_ok());
}
