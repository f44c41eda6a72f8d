//! The agent as a pure function: archive, recovery and key generation round trips over an
//! in-memory store, and every refusal as a signed PKIResponse with the right failure code.

use std::str::FromStr;
use std::sync::OnceLock;

use der::asn1::{BitString, SetOfVec};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::pkcs8::EncodePublicKey;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::TbsCertificate;

use super::*;
use crate::cmc::build::{
    self, ArchiveRequest, KeyUse, KeygenAlgorithm, KeygenRequest, Placement, RecoveryRequest,
    RequestSigner, ShroudChoice,
};
use crate::cmc::extract::{extract, Opener};
use crate::cmc::store::{NewEntry, PutOutcome, StoredMeta};
use crate::cms::signed::{parse_signed, sid_for_spki};
use const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION;

mod identity;

// ---------------------------------------------------------------------------------------------
// Fixtures

struct Party {
    key: RsaPrivate,
    cert: Certificate,
}

fn rsa_key(seed: u64) -> RsaPrivate {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let k = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let big = |x: &rsa::BigUint| num_bigint::BigUint::from_bytes_be(&x.to_bytes_be());
    RsaPrivate::from_primes(big(&k.primes()[0]), big(&k.primes()[1]), big(k.e())).unwrap()
}

fn party(seed: u64, cn: &str) -> Party {
    let key = rsa_key(seed);
    let spki = key
        .to_rsa_crate()
        .unwrap()
        .to_public_key()
        .to_public_key_der()
        .unwrap();
    let name = Name::from_str(&format!("CN={cn}")).unwrap();
    let sig_alg = spki::AlgorithmIdentifierOwned {
        oid: SHA_256_WITH_RSA_ENCRYPTION,
        parameters: None,
    };
    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: SerialNumber::new(&[seed as u8 + 1]).unwrap(),
        signature: sig_alg.clone(),
        issuer: name.clone(),
        validity: Validity::from_now(std::time::Duration::from_secs(3600)).unwrap(),
        subject: name,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(spki.as_bytes()).unwrap(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: None,
    };
    // Nothing in CMS checks a certificate's own signature; a dummy keeps the fixture small.
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&[0u8; 8]).unwrap(),
    };
    Party { key, cert }
}

fn agent_party() -> &'static Party {
    static P: OnceLock<Party> = OnceLock::new();
    P.get_or_init(|| party(10, "agent"))
}
fn alice() -> &'static Party {
    static P: OnceLock<Party> = OnceLock::new();
    P.get_or_init(|| party(11, "alice"))
}
fn mallory() -> &'static Party {
    static P: OnceLock<Party> = OnceLock::new();
    P.get_or_init(|| party(12, "mallory"))
}
fn enc_key() -> &'static RsaPrivate {
    static K: OnceLock<RsaPrivate> = OnceLock::new();
    K.get_or_init(|| rsa_key(13))
}
fn other_key() -> &'static RsaPrivate {
    static K: OnceLock<RsaPrivate> = OnceLock::new();
    K.get_or_init(|| rsa_key(14))
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

const SECRET: &str = "correct horse";

fn no_secret(_: &str) -> Result<Option<Zeroizing<String>>> {
    Ok(None)
}

fn the_secret(id: &str) -> Result<Option<Zeroizing<String>>> {
    Ok((id == "alice-secret").then(|| Zeroizing::new(SECRET.to_string())))
}

fn oids() -> &'static CmcOids {
    static O: OnceLock<CmcOids> = OnceLock::new();
    O.get_or_init(CmcOids::default)
}

fn agent(policy: Policy) -> Agent<'static> {
    let a = agent_party();
    Agent {
        key: &a.key,
        cert: &a.cert,
        response_signer: None,
        oids: oids(),
        shared_secret: &the_secret,
        pwri_kek: PwriKek::AesKw,
        pwri_iterations: 100,
        policy,
        search: SearchConfig { threads: 1 },
        now: "2024-01-01T00:00:00Z".into(),
        identity_secrets: None,
        ca: None,
    }
}

/// An in-memory key store: entries filed since the last commit are dropped by a rollback.
#[derive(Default)]
struct MemStore {
    entries: Vec<(StoredMeta, PrivateKey)>,
    committed: usize,
    decisions: Vec<crate::log::AgentDecision>,
}

impl KeyStore for MemStore {
    fn put(&mut self, e: &NewEntry<'_>, _: &mut dyn CryptoRngCore) -> Result<PutOutcome> {
        let fp = spki_fingerprint(&encode_public_spki(&e.key.public())?);
        if self.entries.iter().any(|(m, _)| m.fingerprint == fp) {
            return Ok(PutOutcome::AlreadyHeld { fingerprint: fp });
        }
        let meta = StoredMeta {
            version: 1,
            fingerprint: fp.clone(),
            algorithm: e.key.public().kind().into(),
            bits: e.key.public().bits(),
            identity: e.identity.clone(),
            selection_hex: e.selection.as_ref().map(hex::encode),
            selection: None,
            subject: e.subject.clone(),
            archived: e.archived.clone(),
            source: e.source.into(),
            signer_spki: hex::encode(&e.signer_spki),
            signer_spki_sha256: spki_fingerprint(&e.signer_spki),
            proved_identity: e.proved_identity.clone(),
            split: None,
            certificate_id: e.certificate_id.as_ref().map(hex::encode),
        };
        self.entries.push((meta, e.key.clone()));
        Ok(PutOutcome::Stored { fingerprint: fp })
    }
    fn find(&self, identity: &str, selection: Option<&[u8]>) -> Result<Vec<StoredMeta>> {
        let want = selection.map(hex::encode);
        Ok(self
            .entries
            .iter()
            .map(|(m, _)| m.clone())
            .filter(|m| m.identity == identity && (want.is_none() || m.selection_hex == want))
            .collect())
    }
    fn load(&self, meta: &StoredMeta, _: &mut dyn CryptoRngCore) -> Result<PrivateKey> {
        Ok(self
            .entries
            .iter()
            .find(|(m, _)| m.fingerprint == meta.fingerprint)
            .unwrap()
            .1
            .clone())
    }
    fn signers_with_key_id(&self, key_id: &[u8]) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .entries
            .iter()
            .map(|(m, _)| hex::decode(&m.signer_spki).unwrap())
            .filter(|d| crate::cmc::store::db::spki_key_id(d).as_deref() == Some(key_id))
            .collect())
    }
    fn commit(&mut self, decision: &crate::log::AgentDecision) -> Result<Option<String>> {
        self.committed = self.entries.len();
        self.decisions.push(decision.clone());
        Ok(None)
    }
    fn rollback(&mut self) {
        self.entries.truncate(self.committed);
    }
}

fn archive_req(placement: Placement, signer: Option<&Party>, selection: Option<&str>) -> Vec<u8> {
    let key = PrivateKey::Rsa(enc_key().clone());
    build::archive_request(
        &ArchiveRequest {
            key: &key,
            agent: &agent_party().cert,
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            placement,
            selection: selection.map(|s| s.as_bytes().to_vec()),
            key_use: KeyUse::Encipherment,
            signer: signer.map(|p| RequestSigner {
                key: p.key.clone(),
                cert: Some(p.cert.clone()),
            }),
            cipher: crate::cms::ContentCipher::Aes256Gcm,
            certificate: None,
        },
        oids(),
        &mut rng(),
    )
    .unwrap()
}

fn recovery_req(shroud: ShroudChoice, signer: RequestSigner, selection: Option<&str>) -> Vec<u8> {
    build::recovery_request(
        &RecoveryRequest {
            identity: "alice".into(),
            shroud,
            selection: selection.map(|s| s.as_bytes().to_vec()),
            signer,
        },
        oids(),
        &mut rng(),
    )
    .unwrap()
}

fn self_signer(key: &RsaPrivate) -> RequestSigner {
    RequestSigner {
        key: key.clone(),
        cert: None,
    }
}

fn cert_signer(p: &Party) -> RequestSigner {
    RequestSigner {
        key: p.key.clone(),
        cert: Some(p.cert.clone()),
    }
}

fn shroud_to(p: &Party) -> ShroudChoice {
    ShroudChoice::PublicKey(ShroudWithPublicKey::Certificate(Box::new(p.cert.clone())))
}

/// The response's status control.
/// The response's controls (not verified: see [`status_of`]).
fn controls_of(rsp: &[u8]) -> Vec<Control> {
    let msg = parse_signed(rsp).unwrap();
    let pr = PkiResponse::from_der(&msg.content().unwrap().unwrap()).unwrap();
    pr.control_sequence
        .iter()
        .map(|t| t.decode_control(oids()).unwrap())
        .collect()
}

fn status_of(rsp: &[u8]) -> CmcStatusInfoV2 {
    let msg = parse_signed(rsp).unwrap();
    assert_eq!(msg.content_type(), oids().cct_pki_response);
    // Every response verifies with the agent's certificate, which it carries.
    let checks = msg.verify(None, &[], &[]).unwrap();
    assert!(checks.iter().all(|c| c.outcome.is_ok()));
    let pr = PkiResponse::from_der(&msg.content().unwrap().unwrap()).unwrap();
    pr.control_sequence
        .iter()
        .find_map(|t| match t.decode_control(oids()).unwrap() {
            Control::StatusInfoV2(s) => Some(s),
            _ => None,
        })
        .expect("a status control")
}

fn fail_info(rsp: &[u8]) -> CmcFailInfo {
    let s = status_of(rsp);
    assert_eq!(s.cmc_status, CmcStatus::FAILED);
    match s.other_info {
        Some(OtherStatusInfo::FailInfo(f)) => f,
        other => panic!("not a CMCFailInfo: {other:?}"),
    }
}

fn archive_error(rsp: &[u8]) -> ArchiveError {
    let s = status_of(rsp);
    assert_eq!(s.cmc_status, CmcStatus::FAILED);
    ArchiveError::from_code(s.archive_error(oids()).expect("an archive error")).unwrap()
}

fn run(policy: Policy, req: &[u8], store: &mut MemStore) -> (Vec<u8>, Outcome) {
    respond(&agent(policy), req, store, &mut rng()).unwrap()
}

fn archived(store: &mut MemStore, placement: Placement) {
    let (rsp, out) = run(
        Policy::default(),
        &archive_req(placement, None, None),
        store,
    );
    assert!(out.ok(), "{:?}", out.failure);
    assert_eq!(status_of(&rsp).cmc_status, CmcStatus::SUCCESS);
}

fn same_rsa(a: &PrivateKey, b: &RsaPrivate) -> bool {
    matches!(a, PrivateKey::Rsa(k) if k.public == b.public
        && (k.p.expose() == b.p.expose() || k.p.expose() == b.q.expose()))
}

/// Decode a signed request, change its PKIData and unsigned attributes, sign again.
fn resign(
    req: &[u8],
    signer: &RsaPrivate,
    edit: impl FnOnce(&mut PkiData, &mut Vec<Attribute>),
) -> Vec<u8> {
    let msg = parse_signed(req).unwrap();
    let mut pd = PkiData::from_der(&msg.content().unwrap().unwrap()).unwrap();
    let si = msg.signed_data.signer_infos.0.iter().next().unwrap();
    let mut unsigned: Vec<Attribute> = si
        .unsigned_attrs
        .iter()
        .flat_map(|s| s.iter().cloned())
        .collect();
    edit(&mut pd, &mut unsigned);
    let spki = encode_public_spki(&crate::keys::PublicKey::Rsa(signer.public.clone())).unwrap();
    SignedDataSpec {
        content_type: oids().cct_pki_data,
        content: pd.to_der().unwrap(),
        detached: false,
        signed_attributes: true,
        certificates: Vec::new(),
        sid: sid_for_spki(&spki).unwrap(),
        unsigned_attributes: unsigned,
    }
    .sign(signer)
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn archive_then_recover_both_placements_both_shrouds() {
    for placement in [Placement::Unsigned, Placement::Body] {
        let mut store = MemStore::default();
        archived(&mut store, placement);
        assert_eq!(store.entries.len(), 1);
        assert_eq!(store.entries[0].0.identity, "alice");
        assert_eq!(store.entries[0].0.subject.as_deref(), Some("CN=alice"));

        // Public-key shroud; signed by the archived key, which signed the archive request.
        let req = recovery_req(shroud_to(alice()), self_signer(enc_key()), None);
        let (rsp, out) = run(Policy::default(), &req, &mut store);
        assert!(out.ok(), "{:?}", out.failure);
        let got = extract(
            &rsp,
            &Opener::Key(&alice().key),
            Some(&agent_party().cert),
            None,
            oids(),
        )
        .unwrap();
        assert_eq!(got.keys.len(), 1);
        assert!(same_rsa(&got.keys[0].0, enc_key()));
        assert_eq!(got.keys[0].1.as_deref(), Some("alice"));
        // Appendix A's certificateId: no certificate is known, so the key's identifier.
        let rsp_control = controls_of(&rsp)
            .into_iter()
            .find_map(|c| match c {
                Control::KeyRecoveryRsp(r) => Some(r),
                _ => None,
            })
            .expect("a KeyRecoveryRsp");
        assert_eq!(
            rsp_control.certificate_id,
            Some(build::key_certificate_id(&PrivateKey::Rsa(enc_key().clone())).unwrap())
        );

        // Shared-secret shroud, both key-encryption kinds.
        for kek in [PwriKek::AesKw, PwriKek::Rfc3211] {
            let req = recovery_req(
                ShroudChoice::SharedSecret("alice-secret".into()),
                self_signer(enc_key()),
                None,
            );
            let mut a = agent(Policy::default());
            a.pwri_kek = kek;
            let (rsp, out) = respond(&a, &req, &mut store, &mut rng()).unwrap();
            assert!(out.ok(), "{:?}", out.failure);
            let got = extract(&rsp, &Opener::Passphrase(SECRET), None, None, oids()).unwrap();
            assert!(same_rsa(&got.keys[0].0, enc_key()));
            assert!(extract(&rsp, &Opener::Passphrase("wrong"), None, None, oids()).is_err());
        }
    }
}

#[test]
fn archiving_twice_is_already_held() {
    let mut store = MemStore::default();
    archived(&mut store, Placement::Body);
    let (_, out) = run(
        Policy::default(),
        &archive_req(Placement::Body, None, None),
        &mut store,
    );
    assert!(out.ok());
    assert_eq!(out.keys[0].action, "already held");
    assert_eq!(store.entries.len(), 1);
}

#[test]
fn recovery_uses_selection_and_returns_several_keys() {
    let mut store = MemStore::default();
    let a = alice();
    // The same identity with two keys, each archived by alice's signing certificate.
    let (_, out) = run(
        Policy::default(),
        &archive_req(Placement::Unsigned, Some(a), Some("laptop")),
        &mut store,
    );
    assert!(out.ok(), "{:?}", out.failure);
    let key2 = PrivateKey::Rsa(other_key().clone());
    let req2 = build::archive_request(
        &ArchiveRequest {
            key: &key2,
            agent: &agent_party().cert,
            subject: Name::from_str("CN=alice").unwrap(),
            identity: "alice".into(),
            placement: Placement::Body,
            selection: Some(b"desktop".to_vec()),
            key_use: KeyUse::Encipherment,
            signer: Some(cert_signer(a)),
            cipher: crate::cms::ContentCipher::Aes256Cbc,
            certificate: None,
        },
        oids(),
        &mut rng(),
    )
    .unwrap();
    assert!(run(Policy::default(), &req2, &mut store).1.ok());

    let req = recovery_req(shroud_to(a), cert_signer(a), Some("desktop"));
    let (rsp, out) = run(Policy::default(), &req, &mut store);
    assert!(out.ok(), "{:?}", out.failure);
    let got = extract(&rsp, &Opener::Key(&a.key), None, None, oids()).unwrap();
    assert_eq!(got.keys.len(), 1);
    assert!(same_rsa(&got.keys[0].0, other_key()));

    let req = recovery_req(shroud_to(a), cert_signer(a), None);
    let (rsp, _) = run(Policy::default(), &req, &mut store);
    let got = extract(&rsp, &Opener::Key(&a.key), None, None, oids()).unwrap();
    assert_eq!(got.keys.len(), 2, "id-ct-multiplePrivateKeys");

    let req = recovery_req(shroud_to(a), cert_signer(a), Some("phone"));
    let (rsp, out) = run(Policy::default(), &req, &mut store);
    assert!(!out.ok());
    assert_eq!(archive_error(&rsp), ArchiveError::NoKeysFound);
}

// ---------------------------------------------------------------------------------------------
// Refusals

#[test]
fn garbage_truncated_and_wrong_content_type_are_bad_requests() {
    let good = archive_req(Placement::Body, None, None);
    let enveloped = crate::cms::envelope(
        b"x",
        crate::cms::asn1::ID_DATA,
        &[Recipient::Certificate(agent_party().cert.clone())],
        &mut rng(),
    )
    .unwrap();
    for (req, what) in [
        (b"not a request".to_vec(), "unreadable"),
        (good[..good.len() / 2].to_vec(), "not DER"),
        (Vec::new(), "unreadable"),
        (enveloped, "not SignedData"),
    ] {
        let mut store = MemStore::default();
        let (rsp, out) = run(Policy::default(), &req, &mut store);
        assert!(!out.ok());
        assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
        assert!(
            out.failure.as_ref().unwrap().contains(what),
            "{what}: {:?}",
            out.failure
        );
    }
}

#[test]
fn a_bad_signature_is_bad_message_check() {
    let mut req = archive_req(Placement::Body, None, None);
    // The signature is the last element of the SignerInfo at the end of the message.
    let n = req.len();
    req[n - 5] ^= 0x01;
    let mut store = MemStore::default();
    let (rsp, out) = run(Policy::default(), &req, &mut store);
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_MESSAGE_CHECK);
    assert!(out.failure.unwrap().contains("signature"));
    assert!(store.entries.is_empty());
}

#[test]
fn an_unsigned_key_needs_a_signed_control() {
    let req = archive_req(Placement::Unsigned, None, None);
    let stripped = resign(&req, enc_key(), |pd, _| {
        pd.control_sequence
            .retain(|t| t.attr_type != oids().key_archival);
    });
    let mut store = MemStore::default();
    let (rsp, out) = run(Policy::default(), &stripped, &mut store);
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
    assert!(out.failure.unwrap().contains("no signed KeyArchival"));

    // A path naming another body part is not a binding either.
    let rebound = resign(&req, enc_key(), |_, unsigned| {
        let a = &mut unsigned[0];
        let ud: CmcUnsignedData = a.values.get(0).unwrap().decode_as().unwrap();
        let ud = CmcUnsignedData {
            body_part_path: vec![3],
            ..ud
        };
        let mut values = SetOfVec::new();
        values.insert(der::Any::encode_from(&ud).unwrap()).unwrap();
        a.values = values;
    });
    let (rsp, out) = run(Policy::default(), &rebound, &mut store);
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
    assert!(out.failure.unwrap().contains("not bound"));
    assert!(store.entries.is_empty());
}

#[test]
fn a_key_that_does_not_match_the_request_is_refused() {
    // Alice's request for enc_key, with other_key in the envelope.
    let req = archive_req(Placement::Body, None, None);
    let other = PrivateKey::Rsa(other_key().clone());
    let env = build::shrouded_keys(
        &[(other, Some("alice".into()))],
        &[Recipient::Certificate(agent_party().cert.clone())],
        oids(),
        &mut rng(),
    )
    .unwrap();
    let swapped = resign(&req, enc_key(), |pd, _| {
        pd.cms_sequence[0].content_info = ContentInfo::from_der(&env).unwrap();
    });
    let mut store = MemStore::default();
    let (rsp, out) = run(Policy::default(), &swapped, &mut store);
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
    // Decryption had started: the one answer, like any other failure from there on.
    assert_eq!(out.failure.unwrap(), "the archived key could not be opened");
    assert!(store.entries.is_empty());
}

#[test]
fn archive_verdicts_are_named_by_variant() {
    use super::archive::{key_usage_of, verify_pkcs10, KeyUsageProblem, PopProblem};
    use super::open_archived::{prepare, EnvelopeProblem};
    use crate::cms::asn1::ID_DATA;
    use der::oid::AssociatedOid;
    use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
    use x509_cert::ext::Extension;

    // The PKCS#10 proof of possession.
    let req = archive_req(Placement::Body, None, None);
    let msg = parse_signed(&req).unwrap();
    let pd = PkiData::from_der(&msg.content().unwrap().unwrap()).unwrap();
    let cr = match &pd.req_sequence[0] {
        TaggedRequest::Tcr(t) => t.certification_request.clone(),
        _ => panic!("an RSA key is archived with a PKCS#10 request"),
    };
    let spki = cr.info.public_key.to_der().unwrap();
    assert_eq!(verify_pkcs10(&cr, &spki), Ok(()));
    let mut forged = cr.clone();
    let mut sig = forged.signature.raw_bytes().to_vec();
    sig[0] ^= 1;
    forged.signature = BitString::from_bytes(&sig).unwrap();
    assert_eq!(verify_pkcs10(&forged, &spki), Err(PopProblem::BadSignature));
    let mut odd = cr.clone();
    odd.algorithm.oid = ID_DATA;
    let why = verify_pkcs10(&odd, &spki).unwrap_err();
    assert_eq!(why, PopProblem::UnsupportedAlgorithm(ID_DATA));
    assert_eq!(
        why.to_string(),
        "the PKCS#10 signature algorithm 1.2.840.113549.1.7.1 is not \
         sha{256,384,512}WithRSAEncryption"
    );
    // The agent answers a forged self-signature with popFailed and the same words.
    let resigned = resign(&req, enc_key(), |pd, _| {
        if let TaggedRequest::Tcr(t) = &mut pd.req_sequence[0] {
            t.certification_request.signature = forged.signature.clone();
        }
    });
    let (rsp, out) = run(Policy::default(), &resigned, &mut MemStore::default());
    assert_eq!(fail_info(&rsp), CmcFailInfo::POP_FAILED);
    assert_eq!(out.failure.unwrap(), PopProblem::BadSignature.to_string());

    // The keyUsage a request asks for.
    let ku = Extension {
        extn_id: KeyUsage::OID,
        critical: true,
        extn_value: OctetString::new(
            KeyUsage(KeyUsages::KeyEncipherment.into())
                .to_der()
                .unwrap(),
        )
        .unwrap(),
    };
    assert!(matches!(
        key_usage_of(std::slice::from_ref(&ku)),
        Ok(Some(_))
    ));
    assert_eq!(
        key_usage_of(&[ku.clone(), ku.clone()]).err(),
        Some(KeyUsageProblem::Repeated)
    );
    let mut garbled = ku;
    garbled.extn_value = OctetString::new(vec![0x05, 0x00]).unwrap();
    assert!(matches!(
        key_usage_of(&[garbled]),
        Err(KeyUsageProblem::Malformed(_))
    ));

    // The envelope, before anything is decrypted.
    let not_enveloped = ContentInfo {
        content_type: ID_DATA,
        content: der::Any::encode_from(&OctetString::new(vec![1]).unwrap()).unwrap(),
    };
    let why = prepare(&agent(Policy::default()), &not_enveloped, oids()).err();
    assert_eq!(why, Some(EnvelopeProblem::NotEnveloped(ID_DATA)));
    assert_eq!(
        why.unwrap().to_string(),
        "the archived key is in 1.2.840.113549.1.7.1, not EnvelopedData or AuthEnvelopedData"
    );
}

#[test]
fn signing_keys_are_not_escrowed() {
    let key = PrivateKey::Rsa(enc_key().clone());
    for (key_use, named) in [
        (KeyUse::Signature, "digitalSignature, nonRepudiation"),
        (KeyUse::Both, "digitalSignature, nonRepudiation"),
    ] {
        let req = build::archive_request(
            &ArchiveRequest {
                key: &key,
                agent: &agent_party().cert,
                subject: Name::from_str("CN=alice").unwrap(),
                identity: "alice".into(),
                placement: Placement::Body,
                selection: None,
                key_use,
                signer: None,
                cipher: crate::cms::ContentCipher::Aes256Gcm,
                certificate: None,
            },
            oids(),
            &mut rng(),
        )
        .unwrap();
        let mut store = MemStore::default();
        let (rsp, out) = run(Policy::default(), &req, &mut store);
        assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_REQUEST);
        let why = out.failure.unwrap();
        assert!(why.contains("signature keys are never escrowed"), "{why}");
        assert!(why.contains(named), "{why}");
        assert!(why.contains("--key-usage encipherment"), "{why}");
        assert!(store.entries.is_empty());
        let (_, out) = run(
            Policy {
                accept_signing_keys: true,
                ..Default::default()
            },
            &req,
            &mut store,
        );
        assert!(out.ok());
    }
}

#[test]
fn recovery_refusals() {
    let mut store = MemStore::default();
    // Nothing archived yet.
    let req = recovery_req(shroud_to(alice()), cert_signer(alice()), None);
    let (rsp, _) = run(Policy::default(), &req, &mut store);
    assert_eq!(archive_error(&rsp), ArchiveError::NoKeysFound);

    archived(&mut store, Placement::Unsigned);
    // Mallory signs validly but is not the key that archived alice's key.
    let req = recovery_req(shroud_to(mallory()), cert_signer(mallory()), None);
    let (rsp, out) = run(Policy::default(), &req, &mut store);
    // noKeysFound, as for no keys at all: a refusal does not say whether keys exist.
    assert_eq!(archive_error(&rsp), ArchiveError::NoKeysFound);
    assert!(out
        .failure
        .unwrap()
        .contains("not signed by the key that archived"));
    // ... unless the operator allows any signer.
    let (_, out) = run(
        Policy {
            allow_any_signer: true,
            ..Default::default()
        },
        &req,
        &mut store,
    );
    assert!(out.ok());

    // A shared secret the agent does not hold, and an unknown shroud method.
    let req = recovery_req(
        ShroudChoice::SharedSecret("bob-secret".into()),
        self_signer(enc_key()),
        None,
    );
    let (rsp, _) = run(Policy::default(), &req, &mut store);
    assert_eq!(archive_error(&rsp), ArchiveError::UnsupportedShroudMethod);
    let mut a = agent(Policy::default());
    a.shared_secret = &no_secret;
    let (rsp, _) = respond(&a, &req, &mut store, &mut rng()).unwrap();
    assert_eq!(archive_error(&rsp), ArchiveError::UnsupportedShroudMethod);

    let client_oids = CmcOids {
        shroud_with_shared_secret: der::asn1::ObjectIdentifier::new_unwrap(
            "1.3.6.1.4.1.32473.1.99",
        ),
        ..CmcOids::default()
    };
    let odd = build::recovery_request(
        &RecoveryRequest {
            identity: "alice".into(),
            shroud: ShroudChoice::SharedSecret("alice-secret".into()),
            selection: None,
            signer: self_signer(enc_key()),
        },
        &client_oids,
        &mut rng(),
    )
    .unwrap();
    let (rsp, out) = run(Policy::default(), &odd, &mut store);
    assert_eq!(archive_error(&rsp), ArchiveError::UnsupportedShroudMethod);
    assert!(out.failure.unwrap().contains("1.3.6.1.4.1.32473.1.99"));

    // A shroud key that is not RSA.
    let eg = crate::keys::elgamal::generate_key(
        crate::keys::elgamal::NamedGroup::Ffdhe2048.group(),
        &mut rng(),
    );
    let eg_spki = encode_public_spki(&crate::keys::PublicKey::ElGamal(eg.public)).unwrap();
    let req = recovery_req(
        ShroudChoice::PublicKey(ShroudWithPublicKey::PublicKey(
            SubjectPublicKeyInfoOwned::from_der(&eg_spki).unwrap(),
        )),
        self_signer(enc_key()),
        None,
    );
    let (rsp, _) = run(Policy::default(), &req, &mut store);
    assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_ALG);
}

#[test]
fn responses_echo_transaction_and_nonce() {
    let req = archive_req(Placement::Body, None, None);
    let pd = PkiData::from_der(&parse_signed(&req).unwrap().content().unwrap().unwrap()).unwrap();
    let mut store = MemStore::default();
    let (rsp, _) = run(Policy::default(), &req, &mut store);
    let msg = parse_signed(&rsp).unwrap();
    let pr = PkiResponse::from_der(&msg.content().unwrap().unwrap()).unwrap();
    let find = |seq: &[TaggedAttribute], oid| {
        seq.iter()
            .find(|t| t.attr_type == oid)
            .map(|t| t.attr_values.get(0).unwrap().clone())
    };
    assert_eq!(
        find(&pd.control_sequence, oids().transaction_id),
        find(&pr.control_sequence, oids().transaction_id)
    );
    assert_eq!(
        find(&pd.control_sequence, oids().sender_nonce),
        find(&pr.control_sequence, oids().recipient_nonce)
    );
}

/// encCapabilities: the agent uses the first content-encryption algorithm it supports
/// (AES-256-CBC) and answers badAlg when the request accepts none of them.
#[test]
fn recovery_needs_an_enc_capability_the_agent_supports() {
    let mut store = MemStore::default();
    archived(&mut store, Placement::Body);
    let req = recovery_req(shroud_to(alice()), self_signer(enc_key()), None);
    for (caps, ok) in [
        (build::default_enc_capabilities(), true),
        (build::default_enc_capabilities()[..1].to_vec(), false),
        (Vec::new(), false),
    ] {
        let edited = resign(&req, enc_key(), |pd, _| {
            for t in pd.control_sequence.iter_mut() {
                if let Ok(Control::KeyRecoveryReq(mut krr)) = t.decode_control(oids()) {
                    krr.enc_capabilities = caps.clone();
                    *t = TaggedAttribute::from_control(
                        t.body_part_id,
                        &Control::KeyRecoveryReq(krr),
                        oids(),
                    )
                    .unwrap();
                }
            }
        });
        let (rsp, out) = run(Policy::default(), &edited, &mut store);
        if ok {
            assert!(out.ok(), "{:?}", out.failure);
        } else {
            assert_eq!(fail_info(&rsp), CmcFailInfo::BAD_ALG);
        }
    }
}

mod decisions;
mod keygen;
