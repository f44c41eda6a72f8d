//! Requests without a signing key (`super::super::identity`): AuthenticatedData archive and
//! recovery under a shared secret, every identity failure as the same badIdentity answer, and
//! catastrophic-loss recovery with and without a CA.

use super::*;
use crate::cmc::identity::{
    self, add_identity_proof, authenticated_request, CaIssuer, IdentitySecrets, NewKeyRecovery,
    SharedSecret,
};
use crate::keys::cert::build::{issue, CertSpec, Issuer, Usage};

const ALICE_HEX: &str = "00112233445566778899aabbccddeeff";

fn alice_secret() -> SharedSecret {
    SharedSecret::from_hex(ALICE_HEX).unwrap()
}

fn secrets() -> &'static IdentitySecrets {
    static S: OnceLock<IdentitySecrets> = OnceLock::new();
    S.get_or_init(|| {
        IdentitySecrets::parse(&format!(
            "# test\nalice={ALICE_HEX}\nbob=ffeeddccbbaa99887766554433221100\n"
        ))
        .unwrap()
    })
}

fn ca() -> &'static (RsaPrivate, Certificate) {
    static C: OnceLock<(RsaPrivate, Certificate)> = OnceLock::new();
    C.get_or_init(|| {
        let key = rsa_key(20);
        let spki = SubjectPublicKeyInfoOwned::from_der(
            &encode_public_spki(&crate::keys::PublicKey::Rsa(key.public.clone())).unwrap(),
        )
        .unwrap();
        let cert = issue(
            &CertSpec {
                subject: Name::from_str("CN=kmi test CA").unwrap(),
                spki,
                usages: vec![Usage::Ca],
                days: 30,
                path_len: None,
            },
            Issuer::SelfSigned(&key.to_rsa_crate().unwrap()),
            &mut rng(),
        )
        .unwrap();
        (key, cert)
    })
}

fn id_agent(with_ca: bool) -> Agent<'static> {
    Agent {
        identity_secrets: Some(secrets()),
        ca: with_ca.then(|| CaIssuer {
            key: &ca().0,
            cert: &ca().1,
            chain: &[],
            days: 7,
        }),
        ..agent(Policy {
            keygen_rsa_bits: 1024,
            ..Policy::default()
        })
    }
}

fn run_id(req: &[u8], store: &mut MemStore, with_ca: bool) -> (Vec<u8>, Outcome) {
    respond(&id_agent(with_ca), req, store, &mut rng()).unwrap()
}

fn archive_pd() -> PkiData {
    let key = PrivateKey::Rsa(enc_key().clone());
    build::archive_pki_data(
        &ArchiveRequest {
            key: &key,
            agent: &agent_party().cert,
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            placement: Placement::Body,
            selection: None,
            key_use: KeyUse::Encipherment,
            signer: None,
            cipher: crate::cms::ContentCipher::Aes256Gcm,
            certificate: None,
        },
        oids(),
        &mut rng(),
    )
    .unwrap()
    .0
}

fn recovery_pd(identity: &str) -> PkiData {
    build::recovery_pki_data(identity, &shroud_to(alice()), &None, oids(), &mut rng()).unwrap()
}

fn secret_archive(store: &mut MemStore) {
    let req =
        authenticated_request(archive_pd(), "alice", &alice_secret(), oids(), &mut rng()).unwrap();
    let (rsp, out) = run_id(&req, store, false);
    assert!(out.ok(), "{:?}", out.failure);
    assert_eq!(status_of(&rsp).cmc_status, CmcStatus::SUCCESS);
    assert_eq!(out.signers.len(), 0);
    assert!(out.identity_proved);
    assert_eq!(store.entries.len(), 1);
    assert_eq!(store.entries[0].0.proved_identity.as_deref(), Some("alice"));
    assert_eq!(store.entries[0].0.signer_spki, "");
}

fn recovered(rsp: &[u8]) -> Vec<PrivateKey> {
    extract(
        rsp,
        &Opener::Key(&alice().key),
        Some(&agent_party().cert),
        None,
        oids(),
    )
    .unwrap()
    .keys
    .into_iter()
    .map(|(k, _)| k)
    .collect()
}

#[test]
fn a_shared_secret_archives_and_recovers() {
    let mut store = MemStore::default();
    secret_archive(&mut store);
    let req = authenticated_request(
        recovery_pd("alice"),
        "alice",
        &alice_secret(),
        oids(),
        &mut rng(),
    )
    .unwrap();
    let (rsp, out) = run_id(&req, &mut store, false);
    assert!(out.ok(), "{:?}", out.failure);
    let keys = recovered(&rsp);
    assert_eq!(keys.len(), 1);
    assert!(same_rsa(&keys[0], enc_key()));
    // A signature does not recover a key filed under a proved identity: the signer is not the
    // (absent) archiving signer, and the request proves nothing.
    let signed = recovery_req(shroud_to(alice()), cert_signer(alice()), None);
    let (rsp, out) = run_id(&signed, &mut store, false);
    assert!(!out.ok());
    assert_ne!(status_of(&rsp).cmc_status, CmcStatus::SUCCESS);
}

#[test]
fn a_shared_secret_keygen_files_the_proved_identity() {
    let mut store = MemStore::default();
    let pd = build::keygen_pki_data(
        &KeygenRequest {
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            shroud: shroud_to(alice()),
            archive: true,
            algorithm: KeygenAlgorithm::Rsa,
            selection: None,
            signer: None,
        },
        oids(),
        &mut rng(),
    )
    .unwrap();
    let req = authenticated_request(pd, "alice", &alice_secret(), oids(), &mut rng()).unwrap();
    let (_, out) = run_id(&req, &mut store, false);
    assert!(out.ok(), "{:?}", out.failure);
    assert_eq!(store.entries[0].0.proved_identity.as_deref(), Some("alice"));
}

/// Change an AuthenticatedData request's MAC.
fn tamper_mac(req: &[u8]) -> Vec<u8> {
    let ci = ContentInfo::from_der(req).unwrap();
    let mut ad: cms::authenticated_data::AuthenticatedData = ci.content.decode_as().unwrap();
    let mut mac = ad.mac.as_bytes().to_vec();
    mac[0] ^= 1;
    ad.mac = OctetString::new(mac).unwrap();
    ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&ad).unwrap(),
    }
    .to_der()
    .unwrap()
}

#[test]
fn every_identity_failure_is_the_same_bad_identity() {
    let mut store = MemStore::default();
    secret_archive(&mut store);
    let wrong = SharedSecret::from_hex("00112233445566778899aabbccddeefe").unwrap();
    let good = authenticated_request(
        recovery_pd("alice"),
        "alice",
        &alice_secret(),
        oids(),
        &mut rng(),
    )
    .unwrap();
    // A proof made with the wrong secret, in a message whose MAC is right.
    let mut pd = recovery_pd("alice");
    add_identity_proof(&mut pd, &wrong, "alice", oids()).unwrap();
    let bad_proof = crate::cms::authenticated::authenticate(
        oids().cct_pki_data,
        &pd.to_der().unwrap(),
        alice_secret().as_bytes(),
        100,
        &mut rng(),
    )
    .unwrap();
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        (
            "wrong secret",
            authenticated_request(recovery_pd("alice"), "alice", &wrong, oids(), &mut rng())
                .unwrap(),
            true,
        ),
        (
            "unknown name",
            authenticated_request(
                recovery_pd("carol"),
                "carol",
                &alice_secret(),
                oids(),
                &mut rng(),
            )
            .unwrap(),
            true,
        ),
        ("tampered MAC", tamper_mac(&good), true),
        ("tampered proof", bad_proof, true),
        ("agent without secrets", good.clone(), false),
    ];
    let mut seen = Vec::new();
    for (what, req, with_secrets) in cases {
        let (rsp, out) = if with_secrets {
            run_id(&req, &mut store, false)
        } else {
            run(Policy::default(), &req, &mut store)
        };
        assert!(!out.ok(), "{what}");
        assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_IDENTITY, "{what}");
        let s = status_of(&rsp);
        seen.push((
            s.body_list.clone(),
            s.status_string.clone(),
            out.failure.clone(),
        ));
        assert!(out.keys.is_empty(), "{what}");
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    assert_eq!(
        seen[0].1.as_deref(),
        Some(super::super::identity::IDENTITY_NOT_PROVED)
    );
}

#[test]
fn a_proof_for_another_name_does_not_recover() {
    let mut store = MemStore::default();
    secret_archive(&mut store);
    // bob proves bob, and asks for bob's keys: none are filed under bob's proof.
    let bob = SharedSecret::from_hex("ffeeddccbbaa99887766554433221100").unwrap();
    let req = authenticated_request(recovery_pd("bob"), "bob", &bob, oids(), &mut rng()).unwrap();
    let (_, out) = run_id(&req, &mut store, false);
    assert!(!out.ok());
    assert!(out.keys.is_empty());
}

fn new_key_request(secret: &SharedSecret, identity: &str) -> Vec<u8> {
    identity::new_key_recovery_request(
        &NewKeyRecovery {
            identity: identity.into(),
            shroud: shroud_to(alice()),
            selection: None,
            new_key: other_key(),
            subject: Name::from_str("CN=alice").unwrap(),
            secret,
        },
        oids(),
        &mut rng(),
    )
    .unwrap()
}

#[test]
fn catastrophic_loss_recovery_certifies_the_new_key_when_there_is_a_ca() {
    let mut store = MemStore::default();
    secret_archive(&mut store);
    let req = new_key_request(&alice_secret(), "alice");
    // Without a CA: the keys come back, and the response says no certificate was issued.
    let (rsp, out) = run_id(&req, &mut store, false);
    assert!(out.ok(), "{:?}", out.failure);
    assert!(same_rsa(&recovered(&rsp)[0], enc_key()));
    let s = status_of(&rsp);
    assert!(s
        .status_string
        .unwrap()
        .contains("no certificate was issued"));
    assert_eq!(parse_signed(&rsp).unwrap().certificates().len(), 1);
    // With a CA: a certificate for the new key, issued by the CA, in the certificate bag.
    let (rsp, out) = run_id(&req, &mut store, true);
    assert!(out.ok(), "{:?}", out.failure);
    let certs = parse_signed(&rsp).unwrap().certificates();
    // The agent's own, the new key's, and the CA's (the chain of what was issued).
    assert_eq!(certs.len(), 3);
    assert_eq!(certs[2], ca().1);
    let new_spki =
        encode_public_spki(&crate::keys::PublicKey::Rsa(other_key().public.clone())).unwrap();
    assert_eq!(
        crate::cms::ktri::cert_spki(&certs[1]).unwrap(),
        new_spki,
        "the certificate is for the new signing key"
    );
    assert_eq!(
        certs[1].tbs_certificate.issuer,
        ca().1.tbs_certificate.subject
    );
    let s = status_of(&rsp);
    assert!(s
        .body_list
        .contains(&BodyPartReference::BodyPartId(build::BODY_REQUEST)));
    // The wrong secret: badIdentity, no certificate.
    let wrong = SharedSecret::from_hex("00112233445566778899aabbccddeefe").unwrap();
    let (rsp, out) = run_id(&new_key_request(&wrong, "alice"), &mut store, true);
    assert!(!out.ok());
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_IDENTITY);
    assert_eq!(parse_signed(&rsp).unwrap().certificates().len(), 1);
}

#[test]
fn a_new_key_request_whose_signature_is_not_the_new_key_fails() {
    let mut store = MemStore::default();
    secret_archive(&mut store);
    let req = new_key_request(&alice_secret(), "alice");
    // Re-sign the same PKIData with another key under the same NULL-issuer signer identifier.
    let msg = parse_signed(&req).unwrap();
    let spec = SignedDataSpec {
        content_type: oids().cct_pki_data,
        content: msg.content().unwrap().unwrap(),
        detached: false,
        signed_attributes: true,
        certificates: Vec::new(),
        sid: identity::null_dn_sid(build::BODY_REQUEST).unwrap(),
        unsigned_attributes: Vec::new(),
    };
    let forged = spec.sign(&mallory().key).unwrap();
    let (rsp, out) = run_id(&forged, &mut store, false);
    assert!(!out.ok());
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_MESSAGE_CHECK);
}

#[test]
fn an_iteration_count_above_the_agents_cap_is_a_bad_request_before_any_derivation() {
    let mut store = MemStore::default();
    let mut pd = recovery_pd("alice");
    add_identity_proof(&mut pd, &alice_secret(), "alice", oids()).unwrap();
    let req = crate::cms::authenticated::authenticate(
        oids().cct_pki_data,
        &pd.to_der().unwrap(),
        alice_secret().as_bytes(),
        crate::limits::MAX_AGENT_PBKDF2_ITERATIONS + 1,
        &mut rng(),
    )
    .unwrap();
    let (rsp, out) = run_id(&req, &mut store, false);
    assert!(!out.ok());
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
    assert!(out.failure.unwrap().contains("iteration count"));
}
