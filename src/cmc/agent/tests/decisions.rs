//! Issue 12 (agent side): archival by certificateID, recovery of several keys with their
//! certificateIds, the one answer for "no keys" and "not yours", agent setup errors that write
//! no response, and the ceremony-record line of each decision.

use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
use x509_cert::ext::Extension;

use super::*;

/// A certificate for `key` (CN=`cn`, serial `serial`) declaring `usage`; the signature is a
/// dummy, as in [`party`].
fn cert_for(
    key: &RsaPrivate,
    cn: &str,
    serial: u8,
    usage: impl Into<der::flagset::FlagSet<KeyUsages>>,
) -> Certificate {
    let spki = encode_public_spki(&crate::keys::PublicKey::Rsa(key.public.clone())).unwrap();
    let sig_alg = spki::AlgorithmIdentifierOwned {
        oid: SHA_256_WITH_RSA_ENCRYPTION,
        parameters: None,
    };
    let ku = Extension {
        extn_id: const_oid::db::rfc5280::ID_CE_KEY_USAGE,
        critical: true,
        extn_value: der::asn1::OctetString::new(KeyUsage(usage.into()).to_der().unwrap()).unwrap(),
    };
    Certificate {
        tbs_certificate: TbsCertificate {
            version: x509_cert::Version::V3,
            serial_number: SerialNumber::new(&[serial]).unwrap(),
            signature: sig_alg.clone(),
            issuer: Name::from_str("CN=issuing CA").unwrap(),
            validity: Validity::from_now(std::time::Duration::from_secs(3600)).unwrap(),
            subject: Name::from_str(&format!("CN={cn}")).unwrap(),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki).unwrap(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(vec![ku]),
        },
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&[0u8; 8]).unwrap(),
    }
}

fn third_key() -> &'static RsaPrivate {
    static K: OnceLock<RsaPrivate> = OnceLock::new();
    K.get_or_init(|| rsa_key(15))
}

/// An archive request for `key` by certificateID, signed by alice's certificate.
fn archive_by_cert(key: &RsaPrivate, cert: &Certificate, selection: Option<&str>) -> Vec<u8> {
    let key = PrivateKey::Rsa(key.clone());
    build::archive_request(
        &ArchiveRequest {
            key: &key,
            agent: &agent_party().cert,
            subject: Name::default(),
            identity: "alice".into(),
            placement: Placement::Unsigned,
            selection: selection.map(|s| s.as_bytes().to_vec()),
            key_use: KeyUse::Encipherment,
            signer: Some(cert_signer(alice())),
            cipher: crate::cms::ContentCipher::Aes256Gcm,
            certificate: Some(cert.clone()),
        },
        oids(),
        &mut rng(),
    )
    .unwrap()
}

/// The decrypted cmsSequence entry of a response: (content type, content).
fn returned(rsp: &[u8], key: &RsaPrivate) -> (der::asn1::ObjectIdentifier, Vec<u8>) {
    let msg = parse_signed(rsp).unwrap();
    let pr = PkiResponse::from_der(&msg.content().unwrap().unwrap()).unwrap();
    let entry = pr
        .cms_sequence
        .iter()
        .find(|t| t.body_part_id == RSP_KEYS)
        .unwrap();
    let opened =
        crate::cms::open_with_key(&entry.content_info.to_der().unwrap(), key, None).unwrap();
    (opened.content_type, opened.content.to_vec())
}

fn recovery_rsp(rsp: &[u8]) -> KeyRecoveryRsp {
    controls_of(rsp)
        .into_iter()
        .find_map(|c| match c {
            Control::KeyRecoveryRsp(r) => Some(r),
            _ => None,
        })
        .expect("a KeyRecoveryRsp")
}

#[test]
fn archival_by_certificate_id_files_the_certificate_and_recovery_names_it() {
    let cert = cert_for(enc_key(), "alice", 42, KeyUsages::KeyEncipherment);
    let req = archive_by_cert(enc_key(), &cert, None);
    // No certification request travels; the control names the certificate.
    let pd = PkiData::from_der(&parse_signed(&req).unwrap().content().unwrap().unwrap()).unwrap();
    assert!(pd.req_sequence.is_empty());
    let mut store = MemStore::default();
    let (rsp, out) = run(Policy::default(), &req, &mut store);
    assert!(out.ok(), "{:?}", out.failure);
    assert_eq!(status_of(&rsp).cmc_status, CmcStatus::SUCCESS);
    let rid = crate::cms::ktri::rid_for_cert(&cert);
    assert_eq!(
        store.entries[0].0.certificate_id,
        Some(hex::encode(rid.to_der().unwrap()))
    );
    assert_eq!(out.identity.as_deref(), Some("alice"));

    // One key back: EncKeyWithID, and the control's certificateId is the certificate's.
    let rec = recovery_req(shroud_to(alice()), cert_signer(alice()), None);
    let (rsp, out) = run(Policy::default(), &rec, &mut store);
    assert!(out.ok(), "{:?}", out.failure);
    assert_eq!(recovery_rsp(&rsp).certificate_id, Some(rid));
    let (ct, _) = returned(&rsp, &alice().key);
    assert_eq!(ct, oids().ct_enc_key_with_id);
}

#[test]
fn archival_by_certificate_id_needs_the_certificate_and_an_encryption_key_usage() {
    // A certificate that allows signing: refused, unless the agent accepts signing keys.
    let signing = cert_for(
        enc_key(),
        "alice",
        43,
        KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
    );
    let req = archive_by_cert(enc_key(), &signing, None);
    let mut store = MemStore::default();
    let (rsp, out) = run(Policy::default(), &req, &mut store);
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
    assert!(out.failure.unwrap().contains("--accept-signing-keys"));
    assert!(store.entries.is_empty());
    let (_, out) = run(
        Policy {
            accept_signing_keys: true,
            ..Default::default()
        },
        &req,
        &mut store,
    );
    assert!(out.ok(), "{:?}", out.failure);

    // The client refuses a certificate of another key.
    let other = cert_for(other_key(), "alice", 44, KeyUsages::KeyEncipherment);
    let key = PrivateKey::Rsa(enc_key().clone());
    let err = build::archive_request(
        &ArchiveRequest {
            key: &key,
            agent: &agent_party().cert,
            subject: Name::default(),
            identity: "alice".into(),
            placement: Placement::Body,
            selection: None,
            key_use: KeyUse::Encipherment,
            signer: Some(cert_signer(alice())),
            cipher: crate::cms::ContentCipher::Aes256Gcm,
            certificate: Some(other),
        },
        oids(),
        &mut rng(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not the certificate of the key"));
}

/// A KeyArchival control naming a certificate the request does not carry: badRequest, nothing
/// filed (the agent keeps no certificates of its own).
#[test]
fn archival_by_an_absent_certificate_is_refused() {
    let req = archive_req(Placement::Body, None, None);
    let by_cert = resign(&req, enc_key(), |pd, _| {
        for t in pd.control_sequence.iter_mut() {
            if t.attr_type != oids().key_archival {
                continue;
            }
            let Ok(Control::KeyArchival(mut ka)) = t.decode_control(oids()) else {
                panic!("KeyArchival does not decode");
            };
            ka.key_identification =
                KeyIdentification::CertificateId(crate::cms::ktri::rid_for_cert(&alice().cert));
            *t = TaggedAttribute::from_control(t.body_part_id, &Control::KeyArchival(ka), oids())
                .unwrap();
        }
    });
    let mut store = MemStore::default();
    let (rsp, out) = run(Policy::default(), &by_cert, &mut store);
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
    assert!(out.failure.unwrap().contains("does not carry"));
    assert!(store.entries.is_empty());
}

/// Three keys under one identity: no selectionCriteria returns all three in one
/// id-ct-multiplePrivateKeys, each SinglePrivateKey naming its own certificate (the filed
/// issuerAndSerialNumber, else the key's subjectKeyIdentifier); selection picks one.
#[test]
fn recovery_without_selection_returns_all_keys_with_their_certificate_ids() {
    let a = alice();
    let mut store = MemStore::default();
    let (_, out) = run(
        Policy::default(),
        &archive_req(Placement::Unsigned, Some(a), Some("laptop")),
        &mut store,
    );
    assert!(out.ok(), "{:?}", out.failure);
    let c2 = cert_for(other_key(), "alice", 50, KeyUsages::KeyEncipherment);
    let c3 = cert_for(third_key(), "alice", 51, KeyUsages::KeyAgreement);
    for (k, c, sel) in [(other_key(), &c2, "desktop"), (third_key(), &c3, "phone")] {
        let (_, out) = run(
            Policy::default(),
            &archive_by_cert(k, c, Some(sel)),
            &mut store,
        );
        assert!(out.ok(), "{:?}", out.failure);
    }
    assert_eq!(store.entries.len(), 3);

    let rec = recovery_req(shroud_to(a), cert_signer(a), None);
    let (rsp, out) = run(Policy::default(), &rec, &mut store);
    assert!(out.ok(), "{:?}", out.failure);
    assert_eq!(out.keys.len(), 3);
    let (ct, content) = returned(&rsp, &a.key);
    assert_eq!(ct, oids().ct_multiple_private_keys);
    let many = MultiplePrivateKeys::from_der(&content).unwrap();
    assert_eq!(many.len(), 3);
    let want_ids = [
        build::key_certificate_id(&PrivateKey::Rsa(enc_key().clone())).unwrap(),
        crate::cms::ktri::rid_for_cert(&c2),
        crate::cms::ktri::rid_for_cert(&c3),
    ];
    let keys = [enc_key(), other_key(), third_key()];
    for (want_key, want_id) in keys.iter().zip(&want_ids) {
        let item = many
            .iter()
            .find(|s| s.certificate_id == *want_id)
            .expect("a SinglePrivateKey named by its certificateId");
        let k = crate::keys::decode_key(
            &item.private_key.to_der().unwrap(),
            std::path::Path::new("item"),
            &|| unreachable!(),
        )
        .unwrap();
        let crate::keys::Key::Private(k) = k else {
            panic!("not a private key")
        };
        assert!(same_rsa(&k, want_key));
    }
    // The control names the first key's certificate (Appendix A makes it mandatory).
    assert!(want_ids.contains(&recovery_rsp(&rsp).certificate_id.unwrap()));
    let got = extract(&rsp, &Opener::Key(&a.key), None, None, oids()).unwrap();
    assert_eq!(got.keys.len(), 3);

    // Selection picks one: EncKeyWithID plus its certificateId.
    let rec = recovery_req(shroud_to(a), cert_signer(a), Some("phone"));
    let (rsp, out) = run(Policy::default(), &rec, &mut store);
    assert!(out.ok(), "{:?}", out.failure);
    assert_eq!(returned(&rsp, &a.key).0, oids().ct_enc_key_with_id);
    assert_eq!(
        recovery_rsp(&rsp).certificate_id,
        Some(crate::cms::ktri::rid_for_cert(&c3))
    );
}

/// What a refusal shows the client: status, body list, failInfo or archive error,
/// statusString, the controls present (by type) and the cmsSequence.
fn client_view(rsp: &[u8]) -> String {
    let msg = parse_signed(rsp).unwrap();
    let pr = PkiResponse::from_der(&msg.content().unwrap().unwrap()).unwrap();
    let types: Vec<String> = pr
        .control_sequence
        .iter()
        .map(|t| format!("{}:{}", t.body_part_id, t.attr_type))
        .collect();
    let s = status_of(rsp);
    format!(
        "{:?} {:?} {:?} {:?} | {types:?} | cms {}",
        s.cmc_status,
        s.body_list,
        s.status_string,
        s.other_info,
        pr.cms_sequence.len()
    )
}

/// Issue 12: "The answer to an unauthorised recovery request must not reveal whether keys exist
/// for that identity." Mallory asks for alice's keys: the same answer whether alice has keys or
/// not (only the operator's record tells them apart).
#[test]
fn an_unauthorised_recovery_is_answered_like_one_for_no_keys() {
    let req = recovery_req(shroud_to(mallory()), cert_signer(mallory()), None);
    let mut empty = MemStore::default();
    let (none_rsp, none_out) = run(Policy::default(), &req, &mut empty);
    let mut full = MemStore::default();
    archived(&mut full, Placement::Unsigned);
    let (theirs_rsp, theirs_out) = run(Policy::default(), &req, &mut full);
    assert_eq!(archive_error(&none_rsp), ArchiveError::NoKeysFound);
    assert_eq!(client_view(&none_rsp), client_view(&theirs_rsp));
    assert_eq!(none_rsp.len(), theirs_rsp.len(), "same response size");
    assert_eq!(none_out.fail_info, theirs_out.fail_info);
    // The operator sees which it was.
    assert!(theirs_out
        .failure
        .as_deref()
        .unwrap()
        .contains("not signed by the key that archived"));
    assert!(!none_out
        .failure
        .as_deref()
        .unwrap()
        .contains("not signed by"));
    // With selection criteria too.
    let sel = recovery_req(shroud_to(mallory()), cert_signer(mallory()), Some("x"));
    let (a, _) = run(Policy::default(), &sel, &mut MemStore::default());
    let (b, _) = run(Policy::default(), &sel, &mut full);
    assert_eq!(client_view(&a), client_view(&b));
}

/// A store that cannot be read, or holds a key it cannot give back.
struct BrokenStore {
    inner: MemStore,
    find_fails: bool,
}

impl KeyStore for BrokenStore {
    fn put(&mut self, e: &NewEntry<'_>, rng: &mut dyn CryptoRngCore) -> Result<PutOutcome> {
        self.inner.put(e, rng)
    }
    fn find(&self, identity: &str, selection: Option<&[u8]>) -> Result<Vec<StoredMeta>> {
        if self.find_fails {
            return Err(Error::Read {
                path: "store".into(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            });
        }
        self.inner.find(identity, selection)
    }
    fn load(&self, meta: &StoredMeta, _: &mut dyn CryptoRngCore) -> Result<PrivateKey> {
        Err(Error::invalid(format!(
            "key {} is held as 2-of-3 shares: give the trustees' keys (--identity) to recover it",
            meta.fingerprint
        )))
    }
    fn signers_with_key_id(&self, key_id: &[u8]) -> Result<Vec<Vec<u8>>> {
        self.inner.signers_with_key_id(key_id)
    }
    fn commit(&mut self, decision: &crate::log::AgentDecision) -> Result<Option<String>> {
        self.inner.commit(decision)
    }
    fn rollback(&mut self) {
        self.inner.rollback()
    }
}

/// Mistakes of the agent's setup are not the client's: `respond` writes no response and says
/// why (exit 2 in the command); an unauthorised request still gets its refusal without any key
/// being loaded.
#[test]
fn agent_setup_errors_write_no_response() {
    let mut inner = MemStore::default();
    archived(&mut inner, Placement::Unsigned);
    let mut store = BrokenStore {
        inner,
        find_fails: false,
    };
    let req = recovery_req(shroud_to(alice()), self_signer(enc_key()), None);
    let err = respond(&agent(Policy::default()), &req, &mut store, &mut rng()).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("--identity"), "{err}");
    assert!(err.to_string().contains("no response was written"), "{err}");

    let mallory_req = recovery_req(shroud_to(mallory()), cert_signer(mallory()), None);
    let (rsp, _) = respond(
        &agent(Policy::default()),
        &mallory_req,
        &mut store,
        &mut rng(),
    )
    .unwrap();
    assert_eq!(archive_error(&rsp), ArchiveError::NoKeysFound);

    store.find_fails = true;
    let err = respond(&agent(Policy::default()), &req, &mut store, &mut rng()).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");

    // A shared-secret source that fails (an unreadable --secret-file) is the agent's, too.
    fn broken_secret(_: &str) -> Result<Option<Zeroizing<String>>> {
        Err(Error::Read {
            path: "secret.txt".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        })
    }
    let mut a = agent(Policy::default());
    a.shared_secret = &broken_secret;
    let req = recovery_req(
        ShroudChoice::SharedSecret("alice-secret".into()),
        self_signer(enc_key()),
        None,
    );
    let mut store = MemStore::default();
    archived(&mut store, Placement::Unsigned);
    let err = respond(&a, &req, &mut store, &mut rng()).unwrap_err();
    assert!(err.to_string().contains("secret.txt"), "{err}");
}

/// The ceremony-record line of each decision: digests and fingerprints, never key material.
#[test]
fn decisions_are_recorded_without_key_material() {
    let mut store = MemStore::default();
    let req = archive_req(Placement::Unsigned, Some(alice()), None);
    let (_, out) = run(Policy::default(), &req, &mut store);
    let d = out.decision(&req);
    assert_eq!(d.decision, "granted");
    assert_eq!(d.kind.as_deref(), Some("archive"));
    assert_eq!(d.identity.as_deref(), Some("alice"));
    assert_eq!(
        d.request_sha256,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&req))
    );
    let alice_spki = crate::cms::ktri::cert_spki(&alice().cert).unwrap();
    assert_eq!(d.signers, vec![spki_fingerprint(&alice_spki)]);
    let enc_fp = spki_fingerprint(
        &encode_public_spki(&crate::keys::PublicKey::Rsa(enc_key().public.clone())).unwrap(),
    );
    assert_eq!(d.keys[0].fingerprint, enc_fp);
    assert_eq!(d.keys[0].action, "stored");

    let rec = recovery_req(shroud_to(mallory()), cert_signer(mallory()), None);
    let (_, out) = run(Policy::default(), &rec, &mut store);
    let d = out.decision(&rec);
    assert_eq!(d.decision, "refused");
    assert_eq!(d.fail_info.as_deref(), Some("noKeysFound"));
    assert!(d.keys.is_empty());
    let line = serde_json::to_string(&d).unwrap();
    assert!(!line.contains("PRIVATE"), "{line}");
}
