//! Server key generation: RSA and ElGamal keys made, shrouded and filed, and the ServerKeyGenRequest's
//! CertTemplate (draft 4.1) checked before any key is made.

use super::*;

#[test]
fn keygen_rsa_and_elgamal() {
    let mut store = MemStore::default();
    let a = alice();
    let req = build::keygen_request(
        &KeygenRequest {
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            shroud: shroud_to(a),
            archive: true,
            algorithm: KeygenAlgorithm::Rsa,
            selection: None,
            signer: Some(cert_signer(a)),
        },
        oids(),
        &mut rng(),
    )
    .unwrap();
    // The template cannot say how big: the agent's policy does.
    let (rsp, out) = run(
        Policy {
            keygen_rsa_bits: 1024,
            ..Default::default()
        },
        &req,
        &mut store,
    );
    assert!(out.ok(), "{:?}", out.failure);
    let got = extract(
        &rsp,
        &Opener::Key(&a.key),
        Some(&agent_party().cert),
        None,
        oids(),
    )
    .unwrap();
    let PrivateKey::Rsa(k) = &got.keys[0].0 else {
        panic!("not RSA")
    };
    assert_eq!(k.public.n.bits(), 1024);
    assert!(k.has_safe_primes());
    let fp = spki_fingerprint(&encode_public_spki(&got.keys[0].0.public()).unwrap());
    assert_eq!(out.keys[0].fingerprint, fp);
    assert_eq!(store.entries.len(), 1, "fArchiveKey: filed");
    assert_eq!(store.entries[0].0.fingerprint, fp);

    let group = crate::keys::elgamal::NamedGroup::Ffdhe2048.group();
    let req = build::keygen_request(
        &KeygenRequest {
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            shroud: ShroudChoice::SharedSecret("alice-secret".into()),
            archive: false,
            algorithm: KeygenAlgorithm::ElGamal {
                group: group.clone(),
            },
            selection: None,
            signer: Some(cert_signer(a)),
        },
        oids(),
        &mut rng(),
    )
    .unwrap();
    let (rsp, out) = run(Policy::default(), &req, &mut store);
    assert!(out.ok(), "{:?}", out.failure);
    let got = extract(&rsp, &Opener::Passphrase(SECRET), None, None, oids()).unwrap();
    let PrivateKey::ElGamal(k) = &got.keys[0].0 else {
        panic!("not ElGamal")
    };
    assert_eq!(k.public.group, group);
    assert_eq!(store.entries.len(), 1, "no fArchiveKey: not filed");

    // An agent that requires archival refuses the second request.
    let (rsp, out) = run(
        Policy {
            require_archive: true,
            ..Default::default()
        },
        &req,
        &mut store,
    );
    assert!(!out.ok());
    assert_eq!(archive_error(&rsp), ArchiveError::ArchiveRequired);
}

/// The ServerKeyGenRequest's CertTemplate (draft 4.1) is checked before any key is made: a
/// publicKey with a key in it, a signing keyUsage, a critical extension the agent does not
/// handle, an algorithm it does not generate, or encCapabilities it cannot meet.
#[test]
fn keygen_template_refusals() {
    let a = alice();
    let req = build::keygen_request(
        &KeygenRequest {
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            shroud: shroud_to(a),
            archive: false,
            algorithm: KeygenAlgorithm::Rsa,
            selection: None,
            signer: Some(cert_signer(a)),
        },
        oids(),
        &mut rng(),
    )
    .unwrap();
    let edit = |f: &dyn Fn(&mut ServerKeyGenRequest)| {
        resign(&req, &a.key, |pd, _| {
            for t in pd.control_sequence.iter_mut() {
                if let Ok(Control::ServerKeyGenRequest(mut skg)) = t.decode_control(oids()) {
                    f(&mut skg);
                    *t = TaggedAttribute::from_control(
                        t.body_part_id,
                        &Control::ServerKeyGenRequest(skg),
                        oids(),
                    )
                    .unwrap();
                }
            }
        })
    };
    let ext = |oid: &str, critical: bool, value: Vec<u8>| x509_cert::ext::Extension {
        extn_id: oid.parse().unwrap(),
        critical,
        extn_value: OctetString::new(value).unwrap(),
    };
    let signing_ku = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment)
        .to_der()
        .unwrap();
    type Edit = Box<dyn Fn(&mut ServerKeyGenRequest)>;
    let cases: Vec<(&str, Edit, CmcFailInfo, &str)> = vec![
        (
            "a key in the template",
            Box::new(|s| {
                let k = s.certificate_request.public_key.as_mut().unwrap();
                k.subject_public_key = der::asn1::BitString::from_bytes(&[1, 2, 3]).unwrap();
            }),
            CmcFailInfo::BAD_REQUEST,
            "empty key",
        ),
        (
            "a signing key usage",
            Box::new(move |s| {
                s.certificate_request.extensions =
                    Some(vec![ext("2.5.29.15", true, signing_ku.clone())]);
            }),
            CmcFailInfo::BAD_REQUEST,
            "digitalSignature",
        ),
        (
            "a critical extension",
            Box::new(move |s| {
                s.certificate_request
                    .extensions
                    .get_or_insert_with(Vec::new)
                    .push(ext("1.3.6.1.4.1.32473.7", true, vec![5, 0]));
            }),
            CmcFailInfo::UNSUPPORTED_EXT,
            "1.3.6.1.4.1.32473.7",
        ),
        (
            "an algorithm not generated",
            Box::new(|s| {
                let k = s.certificate_request.public_key.as_mut().unwrap();
                k.algorithm.oid = "1.2.840.10045.2.1".parse().unwrap();
            }),
            CmcFailInfo::BAD_ALG,
            "1.2.840.10045.2.1",
        ),
        (
            "no encCapability the agent writes",
            Box::new(|s| s.enc_capabilities.truncate(1)),
            CmcFailInfo::BAD_ALG,
            "id-aes256-CBC",
        ),
    ];
    for (what, f, info, why) in cases {
        let mut store = MemStore::default();
        let (rsp, out) = run(Policy::default(), &edit(f.as_ref()), &mut store);
        assert_eq!(fail_info(&rsp), info, "{what}");
        let failure = out.failure.unwrap();
        assert!(failure.contains(why), "{what}: {failure}");
        assert!(out.keys.is_empty() && store.entries.is_empty(), "{what}");
    }
}

/// With a CA the agent certifies the key it generates (draft 4.2): the certificate is in the
/// response's bag with the CA's, ServerKeyGenResponse names it, and a template without a
/// subject gets CN=<identity>.
#[test]
fn keygen_with_a_ca_certifies_the_generated_key() {
    use crate::keys::cert::build::{issue, CertSpec, Issuer, Usage};
    let ca_key = rsa_key(20);
    let ca_rsa = ca_key.to_rsa_crate().unwrap();
    let ca_cert = issue(
        &CertSpec {
            subject: Name::from_str("CN=agent CA").unwrap(),
            spki: crate::keys::cert::build::rsa_spki(&ca_rsa.to_public_key()).unwrap(),
            usages: vec![Usage::Ca],
            days: 30,
            path_len: None,
        },
        Issuer::SelfSigned(&ca_rsa),
        &mut rng(),
    )
    .unwrap();
    let a = alice();
    let req = build::keygen_request(
        &KeygenRequest {
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            shroud: shroud_to(a),
            archive: true,
            algorithm: KeygenAlgorithm::ElGamal {
                group: crate::keys::elgamal::NamedGroup::Ffdhe2048.group(),
            },
            selection: None,
            signer: Some(cert_signer(a)),
        },
        oids(),
        &mut rng(),
    )
    .unwrap();
    // No subject in the template.
    let req = resign(&req, &a.key, |pd, _| {
        for t in pd.control_sequence.iter_mut() {
            if let Ok(Control::ServerKeyGenRequest(mut skg)) = t.decode_control(oids()) {
                skg.certificate_request.subject = None;
                *t = TaggedAttribute::from_control(
                    t.body_part_id,
                    &Control::ServerKeyGenRequest(skg),
                    oids(),
                )
                .unwrap();
            }
        }
    });
    let mut agent = agent(Policy::default());
    agent.ca = Some(crate::cmc::identity::CaIssuer {
        cert: &ca_cert,
        chain: &[],
        key: &ca_key,
        days: 10,
    });
    let mut store = MemStore::default();
    let (rsp, out) = respond(&agent, &req, &mut store, &mut rng()).unwrap();
    assert!(out.ok(), "{:?}", out.failure);
    let msg = parse_signed(&rsp).unwrap();
    let certs: Vec<Certificate> = msg
        .signed_data
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert!(
        certs.contains(&ca_cert),
        "the CA's certificate completes the chain"
    );
    let named = controls_of(&rsp)
        .into_iter()
        .find_map(|c| match c {
            Control::ServerKeyGenResponse(r) => r.issuer_and_serial_number,
            _ => None,
        })
        .expect("ServerKeyGenResponse names the certificate");
    let issued = certs
        .iter()
        .find(|c| c.tbs_certificate.serial_number == named.serial_number)
        .expect("the named certificate is in the bag");
    assert_eq!(
        issued.tbs_certificate.issuer,
        ca_cert.tbs_certificate.subject
    );
    assert_eq!(issued.tbs_certificate.subject.to_string(), "CN=alice");
    // The certificate is of the generated (and filed) key, and is filed as its certificateId.
    let filed = &store.entries[0].0;
    assert_eq!(
        spki_fingerprint(
            &issued
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .unwrap()
        ),
        filed.fingerprint
    );
    assert!(filed.certificate_id.is_some());
}
