//! `kmi cmc respond`: the escrow agent over hostile requests. A fixed agent (keys and certificates
//! in fuzz/fixtures/, made once with `openssl req -x509 -newkey rsa:1024`) answers over an
//! in-memory store that already holds one archived key, so recovery reaches its deep paths too.
//!
//! Input: byte 0 picks the mode, byte 1 the seed request, then 4-byte operations.
//! - mode 0: the rest of the input is the request, as raw bytes;
//! - mode 1: a valid signed request (archive GCM/CBC, both placements, self-signed; recovery by
//!   certificate or shared secret; RSA and ElGamal key generation) is decoded, changed structurally
//!   (control body part IDs, duplicated/removed/swapped controls, KeyArchival numbers, bytes of a
//!   control, a request or the unsigned envelope, bodyPartPath, the envelope's content type,
//!   transactionId, the signature) and re-encoded: the signature usually breaks;
//! - mode 2: the same, then signed again with the seed's signer key, so the changed content passes
//!   the signature check and reaches the archive, recovery and key generation logic;
//! - mode 3: only the unsigned envelope is changed (outside the signature): the decryption path.
//!
//! Requests without a signing key (AuthenticatedData under a shared secret the agent holds, and
//! a catastrophic-loss recovery signed by its new key) are seeds too: in modes 1-3 their PKIData
//! is changed the same way and wrapped again with the secret, the identity proof kept (mode 1:
//! it usually no longer matches), made again (mode 2: the changed content passes the MAC and
//! proof and reaches the agent's logic) or the MAC changed (mode 3).
//!
//! The agent must answer every input with a signed response (never an `Err`, never a panic).
#![no_main]

use std::sync::OnceLock;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfos};
use der::asn1::{Int, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use libfuzzer_sys::fuzz_target;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use kmi::cmc::agent::{respond, Agent, Policy, PwriKek};
use kmi::cmc::build::{archive_pki_data, recovery_pki_data};
use kmi::cmc::build::{
    archive_request, keygen_request, recovery_request, ArchiveRequest, KeyUse, KeygenAlgorithm,
    KeygenRequest, Placement, RecoveryRequest, RequestSigner, ShroudChoice,
};
use kmi::cmc::identity::{
    authenticated_request, new_key_recovery_request, IdentitySecrets, NewKeyRecovery, SharedSecret,
};
use kmi::cmc::oids::CmcOids;
use kmi::cmc::store::{spki_fingerprint, KeyStore, NewEntry, PutOutcome, StoredMeta};
use kmi::cmc::types::{
    CmcUnsignedData, Control, KeyIdentification, PkiData, RecipientIdentifier, ShroudWithPublicKey,
    TaggedRequest,
};
use kmi::cms::signed::{sid_for_cert, SignedDataSpec};
use kmi::cms::ContentCipher;
use kmi::keys::elgamal::NamedGroup;
use kmi::keys::{decode_key, encode_public_spki, Key, PrivateKey, RsaPrivate};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;

const NOW: &str = "2024-01-01T00:00:00Z";
const SECRET_ID: &str = "alice-secret";
/// The secret alice shares with the agent for requests without a signing key.
const ALICE_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// An in-memory key store.
#[derive(Clone, Default)]
struct MemStore {
    entries: Vec<(StoredMeta, PrivateKey)>,
}

impl KeyStore for MemStore {
    fn put(
        &mut self,
        e: &NewEntry<'_>,
        _: &mut dyn rand_core::CryptoRngCore,
    ) -> kmi::Result<PutOutcome> {
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
            split: None,
            proved_identity: e.proved_identity.clone(),
            certificate_id: e.certificate_id.as_ref().map(hex::encode),
        };
        self.entries.push((meta, e.key.clone()));
        Ok(PutOutcome::Stored { fingerprint: fp })
    }
    fn find(&self, identity: &str, selection: Option<&[u8]>) -> kmi::Result<Vec<StoredMeta>> {
        let want = selection.map(hex::encode);
        Ok(self
            .entries
            .iter()
            .map(|(m, _)| m.clone())
            .filter(|m| m.identity == identity && (want.is_none() || m.selection_hex == want))
            .collect())
    }
    fn load(
        &self,
        meta: &StoredMeta,
        _: &mut dyn rand_core::CryptoRngCore,
    ) -> kmi::Result<PrivateKey> {
        self.entries
            .iter()
            .find(|(m, _)| m.fingerprint == meta.fingerprint)
            .map(|(_, k)| k.clone())
            .ok_or_else(|| kmi::Error::internal("no such key"))
    }
    fn signers_with_key_id(&self, key_id: &[u8]) -> kmi::Result<Vec<Vec<u8>>> {
        Ok(self
            .entries
            .iter()
            .filter_map(|(m, _)| hex::decode(&m.signer_spki).ok())
            .filter(|d| kmi::cmc::store::db::spki_key_id(d).as_deref() == Some(key_id))
            .collect())
    }
    fn commit(&mut self, _: &kmi::log::AgentDecision) -> kmi::Result<Option<String>> {
        Ok(None)
    }
    fn rollback(&mut self) {}
}

/// A seed request and who signed it (for mode 2).
struct Seed {
    der: Vec<u8>,
    /// Sign again after changes (None: signed by key identifier, left as it is).
    signer: Option<(RsaPrivate, Certificate)>,
    /// Key generation: never run unchanged (a fresh safe-prime key per input is too slow).
    keygen: bool,
}

struct Fixture {
    agent_key: RsaPrivate,
    agent_cert: Certificate,
    oids: CmcOids,
    seeds: Vec<Seed>,
    /// PKIData of AuthenticatedData requests (wrapped again for each input).
    auth_seeds: Vec<PkiData>,
    secrets: IdentitySecrets,
    store: MemStore,
}

fn rsa(pem: &[u8]) -> RsaPrivate {
    match decode_key(pem, std::path::Path::new("fixture"), &|| {
        Err(kmi::Error::invalid("no passphrase"))
    }) {
        Ok(Key::Private(PrivateKey::Rsa(k))) => k,
        _ => panic!("fixture key"),
    }
}

fn cert(pem: &[u8]) -> Certificate {
    kmi::keys::cert::read_certificates(pem)
        .expect("fixture certificate")
        .remove(0)
}

fn secret(id: &str) -> kmi::Result<Option<Zeroizing<String>>> {
    Ok((id == SECRET_ID).then(|| Zeroizing::new("correct horse".to_string())))
}

fn agent(fx: &Fixture) -> Agent<'_> {
    Agent {
        key: &fx.agent_key,
        cert: &fx.agent_cert,
        response_signer: None,
        oids: &fx.oids,
        shared_secret: &secret,
        pwri_kek: PwriKek::Rfc3211,
        pwri_iterations: 1,
        // Small RSA keys: the fuzzer runs the keygen path many times.
        policy: Policy {
            keygen_rsa_bits: 1024,
            ..Policy::default()
        },
        search: SearchConfig { threads: 1 },
        now: NOW.into(),
        identity_secrets: Some(&fx.secrets),
        ca: None,
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let agent_key = rsa(include_bytes!("../fixtures/agent.key"));
        let agent_cert = cert(include_bytes!("../fixtures/agent.crt"));
        let alice_key = rsa(include_bytes!("../fixtures/alice.key"));
        let alice_cert = cert(include_bytes!("../fixtures/alice.crt"));
        let enc = PrivateKey::Rsa(rsa(include_bytes!("../fixtures/enc.key")));
        let oids = CmcOids::default();
        let mut rng = KmiRng::new(Some("f0")).expect("seeded rng");
        let alice = || RequestSigner {
            key: alice_key.clone(),
            cert: Some(alice_cert.clone()),
        };
        let signed_by_alice = Some((alice_key.clone(), alice_cert.clone()));
        let archive = |placement, cipher, signer: Option<RequestSigner>, rng: &mut KmiRng| {
            archive_request(
                &ArchiveRequest {
                    key: &enc,
                    agent: &agent_cert,
                    subject: "CN=alice".parse().expect("name"),
                    identity: "alice".into(),
                    placement,
                    selection: Some(b"laptop".to_vec()),
                    key_use: KeyUse::Encipherment,
                    signer,
                    cipher,
                    certificate: None,
                },
                &oids,
                rng,
            )
            .expect("archive request")
        };
        let mut seeds = vec![
            Seed {
                der: archive(
                    Placement::Unsigned,
                    ContentCipher::Aes256Gcm,
                    Some(alice()),
                    &mut rng,
                ),
                signer: signed_by_alice.clone(),
                keygen: false,
            },
            Seed {
                der: archive(
                    Placement::Body,
                    ContentCipher::Aes256Cbc,
                    Some(alice()),
                    &mut rng,
                ),
                signer: signed_by_alice.clone(),
                keygen: false,
            },
            Seed {
                der: archive(
                    Placement::Unsigned,
                    ContentCipher::Aes256Cbc,
                    None,
                    &mut rng,
                ),
                signer: None,
                keygen: false,
            },
        ];
        for shroud in [
            ShroudChoice::PublicKey(ShroudWithPublicKey::Certificate(Box::new(
                alice_cert.clone(),
            ))),
            ShroudChoice::SharedSecret(SECRET_ID.into()),
        ] {
            seeds.push(Seed {
                der: recovery_request(
                    &RecoveryRequest {
                        identity: "alice".into(),
                        shroud,
                        selection: None,
                        signer: alice(),
                    },
                    &oids,
                    &mut rng,
                )
                .expect("recovery request"),
                signer: signed_by_alice.clone(),
                keygen: false,
            });
        }
        for algorithm in [
            KeygenAlgorithm::Rsa,
            KeygenAlgorithm::ElGamal {
                group: NamedGroup::Ffdhe2048.group(),
            },
        ] {
            seeds.push(Seed {
                der: keygen_request(
                    &KeygenRequest {
                        subject: "CN=alice".parse().expect("name"),
                        identity: "alice".into(),
                        shroud: ShroudChoice::SharedSecret(SECRET_ID.into()),
                        archive: true,
                        algorithm,
                        selection: None,
                        signer: Some(alice()),
                    },
                    &oids,
                    &mut rng,
                )
                .expect("keygen request"),
                signer: signed_by_alice.clone(),
                keygen: true,
            });
        }
        // Without a signing key: an archive (the key in the body) and a recovery under the
        // shared secret, and a catastrophic-loss recovery signed by a new key.
        let secret = SharedSecret::from_hex(ALICE_HEX).expect("secret");
        let auth_seeds = vec![
            archive_pki_data(
                &ArchiveRequest {
                    key: &enc,
                    agent: &agent_cert,
                    subject: "CN=alice".parse().expect("name"),
                    identity: "alice".into(),
                    placement: Placement::Body,
                    selection: None,
                    key_use: KeyUse::Encipherment,
                    signer: None,
                    cipher: ContentCipher::Aes256Gcm,
                    certificate: None,
                },
                &oids,
                &mut rng,
            )
            .expect("archive PKIData")
            .0,
            recovery_pki_data(
                "alice",
                &ShroudChoice::PublicKey(ShroudWithPublicKey::Certificate(Box::new(
                    alice_cert.clone(),
                ))),
                &None,
                &oids,
                &mut rng,
            )
            .expect("recovery PKIData"),
        ];
        seeds.push(Seed {
            der: new_key_recovery_request(
                &NewKeyRecovery {
                    identity: "alice".into(),
                    shroud: ShroudChoice::SharedSecret(SECRET_ID.into()),
                    selection: None,
                    new_key: &alice_key,
                    subject: "CN=alice".parse().expect("name"),
                    secret: &secret,
                },
                &oids,
                &mut rng,
            )
            .expect("new-key recovery request"),
            signer: None,
            keygen: false,
        });
        let mut fx = Fixture {
            agent_key,
            agent_cert,
            oids,
            seeds,
            auth_seeds,
            secrets: IdentitySecrets::parse(&format!("alice={ALICE_HEX}")).expect("secrets"),
            store: MemStore::default(),
        };
        // File the key once, so that recovery finds it.
        let mut store = MemStore::default();
        let (_, outcome) =
            respond(&agent(&fx), &fx.seeds[0].der, &mut store, &mut rng).expect("archive");
        assert!(
            outcome.ok(),
            "the seed archive request: {:?}",
            outcome.failure
        );
        // And once under the shared secret, so that a proved recovery finds it.
        let req = authenticated_request(
            fx.auth_seeds[0].clone(),
            "alice",
            &secret,
            &fx.oids,
            &mut rng,
        )
        .expect("authenticated archive");
        let (_, outcome) = respond(&agent(&fx), &req, &mut store, &mut rng).expect("archive");
        assert!(
            outcome.ok(),
            "the shared-secret archive: {:?}",
            outcome.failure
        );
        fx.store = store;
        fx
    })
}

/// The pieces of a signed request.
struct Msg {
    sd: SignedData,
    pd: PkiData,
}

fn decode(der: &[u8]) -> Option<Msg> {
    let ci = ContentInfo::from_der(der).ok()?;
    let sd: SignedData = ci.content.decode_as().ok()?;
    let econtent = sd.encap_content_info.econtent.as_ref()?;
    let octets: OctetString = econtent.decode_as().ok()?;
    let pd = PkiData::from_der(octets.as_bytes()).ok()?;
    Some(Msg { sd, pd })
}

/// Flip bits of `der` at `at` and keep it if it still parses as `T`.
fn flip<T: for<'a> Decode<'a> + Encode>(value: &mut T, at: usize, mask: u8) {
    let Ok(mut der) = value.to_der() else { return };
    if der.is_empty() {
        return;
    }
    let i = at % der.len();
    der[i] ^= mask | 1;
    if let Ok(v) = T::from_der(&der) {
        *value = v;
    }
}

/// The unsigned archived key's CMCUnsignedData of signer 0, changed by `f`.
fn with_unsigned(sd: &mut SignedData, f: impl FnOnce(&mut CmcUnsignedData) -> bool) {
    let mut sis = sd.signer_infos.0.clone().into_vec();
    let Some(si) = sis.first_mut() else { return };
    let Some(attrs) = si.unsigned_attrs.take() else {
        return;
    };
    let mut attrs = attrs.into_vec();
    let mut changed = false;
    if let Some(a) = attrs.first_mut() {
        let mut values = a.values.clone().into_vec();
        if let Some(v) = values.first_mut() {
            if let Ok(mut ud) = v.decode_as::<CmcUnsignedData>() {
                if f(&mut ud) {
                    if let Ok(any) = Any::encode_from(&ud) {
                        *v = any;
                        changed = true;
                    }
                }
            }
        }
        if changed {
            match SetOfVec::try_from(values) {
                Ok(v) => a.values = v,
                Err(_) => changed = false,
            }
        }
    }
    if !changed {
        return;
    }
    si.unsigned_attrs = SetOfVec::try_from(attrs).ok();
    if let Ok(s) = SetOfVec::try_from(sis) {
        sd.signer_infos = SignerInfos(s);
    }
}

fn u32_of(b: &[u8]) -> u32 {
    b.iter().fold(0u32, |acc, x| (acc << 8) | u32::from(*x))
}

/// Apply one 4-byte operation.
fn mutate(msg: &mut Msg, op: &[u8], oids: &CmcOids, envelope_only: bool) {
    let [code, a, b, c] = [op[0], op[1], op[2], op[3]];
    let pd = &mut msg.pd;
    let n = pd.control_sequence.len();
    let code = if envelope_only {
        9 + code % 4
    } else {
        code % 16
    };
    match code {
        0 if n > 0 => pd.control_sequence[a as usize % n].body_part_id = u32_of(&[b, c]),
        1 if n > 0 => {
            let t = pd.control_sequence[a as usize % n].clone();
            pd.control_sequence.push(t);
        }
        2 if n > 0 => {
            pd.control_sequence.remove(a as usize % n);
        }
        3 if n > 1 => pd.control_sequence.swap(a as usize % n, b as usize % n),
        4 if n > 0 => {
            let t = &mut pd.control_sequence[a as usize % n];
            let mut values = t.attr_values.clone().into_vec();
            if let Some(v) = values.first_mut() {
                flip(v, usize::from(b) * 7 + usize::from(c), c);
            }
            if let Ok(v) = SetOfVec::try_from(values) {
                t.attr_values = v;
            }
        }
        5 if n > 0 => {
            let i = a as usize % n;
            let id = pd.control_sequence[i].body_part_id;
            let new = match pd.control_sequence[i].decode_control(oids) {
                Ok(Control::KeyArchival(mut ka)) => {
                    let ski = OctetString::new(vec![b; 20]).ok();
                    if let (true, Some(ski)) = (c & 4 != 0, ski) {
                        // The certificateID arm, which the agent answers with a refusal.
                        ka.key_identification = KeyIdentification::CertificateId(
                            RecipientIdentifier::SubjectKeyIdentifier(
                                x509_cert::ext::pkix::SubjectKeyIdentifier(ski),
                            ),
                        );
                    } else if c & 1 == 0 {
                        ka.key_identification = KeyIdentification::ReqBodyPartId(u32::from(b));
                    } else {
                        ka.cms_body_part_id = u32::from(b);
                    }
                    if c & 2 != 0 {
                        ka.selection_criteria = None;
                    }
                    Some(Control::KeyArchival(ka))
                }
                Ok(Control::KeyRecoveryReq(mut k)) => {
                    k.selection_criteria = OctetString::new(vec![b; usize::from(c % 8)]).ok();
                    if c & 8 != 0 {
                        // encCapabilities the agent may not support (badAlg).
                        k.enc_capabilities.truncate(usize::from(b % 3));
                    }
                    Some(Control::KeyRecoveryReq(k))
                }
                Ok(Control::ServerKeyGenRequest(mut s)) => {
                    s.f_archive_key = b & 1 == 1;
                    if c & 8 != 0 {
                        // encCapabilities the agent may not support (badAlg).
                        s.enc_capabilities.truncate(usize::from(b % 3));
                    }
                    Some(Control::ServerKeyGenRequest(s))
                }
                Ok(Control::Identification(_)) => Some(Control::Identification(
                    String::from_utf8_lossy(&[b, c]).into(),
                )),
                _ => None,
            };
            if let Some(ctl) = new {
                if let Ok(t) = kmi::cmc::types::TaggedAttribute::from_control(id, &ctl, oids) {
                    pd.control_sequence[i] = t;
                }
            }
        }
        6 if !pd.req_sequence.is_empty() => {
            let i = a as usize % pd.req_sequence.len();
            flip::<TaggedRequest>(
                &mut pd.req_sequence[i],
                usize::from(b) << 8 | usize::from(c),
                c,
            );
        }
        7 if !pd.req_sequence.is_empty() => {
            if b & 1 == 0 {
                pd.req_sequence.clear();
            } else {
                let r = pd.req_sequence[0].clone();
                pd.req_sequence.push(r);
            }
        }
        8 => {
            if pd.cms_sequence.is_empty() {
                return;
            }
            let i = a as usize % pd.cms_sequence.len();
            if c & 1 == 0 {
                pd.cms_sequence[i].body_part_id = u32::from(b);
            } else {
                flip(
                    &mut pd.cms_sequence[i].content_info,
                    usize::from(b) << 8 | usize::from(a),
                    c,
                );
            }
        }
        9 => with_unsigned(&mut msg.sd, |ud| {
            let Ok(mut env) = ud.content.to_der() else {
                return false;
            };
            if env.is_empty() {
                return false;
            }
            let i = (usize::from(a) << 8 | usize::from(b)) % env.len();
            env[i] ^= c | 1;
            match Any::from_der(&env) {
                Ok(v) => {
                    ud.content = v;
                    true
                }
                Err(_) => false,
            }
        }),
        10 => with_unsigned(&mut msg.sd, |ud| {
            ud.body_part_path = match c % 3 {
                0 => vec![],
                1 => vec![u32::from(a)],
                _ => vec![u32::from(a), u32::from(b)],
            };
            true
        }),
        11 => with_unsigned(&mut msg.sd, |ud| {
            // Swap EnvelopedData and AuthEnvelopedData, or name another content type.
            let Ok(mut ci) = ud.content.decode_as::<ContentInfo>() else {
                return false;
            };
            ci.content_type = match a % 3 {
                0 => kmi::cms::asn1::ID_ENVELOPED_DATA,
                1 => kmi::cms::auth_enveloped::ID_AUTH_ENVELOPED_DATA,
                _ => kmi::cms::asn1::ID_DATA,
            };
            match Any::encode_from(&ci) {
                Ok(v) => {
                    ud.content = v;
                    true
                }
                Err(_) => false,
            }
        }),
        12 => with_unsigned(&mut msg.sd, |ud| {
            // Cut the envelope short, or graft bytes on.
            let Ok(env) = ud.content.decode_as::<ContentInfo>() else {
                return false;
            };
            let Ok(inner) = env.content.to_der() else {
                return false;
            };
            let keep = inner.len().saturating_sub(usize::from(b) + 1).max(2);
            let mut cut = inner[..keep.min(inner.len())].to_vec();
            cut.extend(std::iter::repeat_n(c, usize::from(a % 16)));
            match Any::from_der(&cut) {
                Ok(v) => {
                    let ci = ContentInfo {
                        content_type: env.content_type,
                        content: v,
                    };
                    match Any::encode_from(&ci) {
                        Ok(v) => {
                            ud.content = v;
                            true
                        }
                        Err(_) => false,
                    }
                }
                Err(_) => false,
            }
        }),
        13 if n > 0 => {
            // A transactionId of any size and sign.
            let bytes: Vec<u8> = std::iter::repeat_n(b, usize::from(a % 40) + 1).collect();
            if let Ok(t) = Int::new(&bytes) {
                let id = pd.control_sequence[c as usize % n].body_part_id;
                if let Ok(ta) = kmi::cmc::types::TaggedAttribute::from_control(
                    id,
                    &Control::TransactionId(t),
                    oids,
                ) {
                    pd.control_sequence[c as usize % n] = ta;
                }
            }
        }
        14 => {
            let mut sis = msg.sd.signer_infos.0.clone().into_vec();
            if let Some(si) = sis.first_mut() {
                let mut sig = si.signature.as_bytes().to_vec();
                if !sig.is_empty() {
                    let i = usize::from(a) % sig.len();
                    sig[i] ^= b | 1;
                }
                if let Ok(s) = OctetString::new(sig) {
                    si.signature = s;
                }
            }
            if let Ok(s) = SetOfVec::try_from(sis) {
                msg.sd.signer_infos = SignerInfos(s);
            }
        }
        _ => {
            // Drop every unsigned attribute.
            let mut sis = msg.sd.signer_infos.0.clone().into_vec();
            if let Some(si) = sis.first_mut() {
                si.unsigned_attrs = None;
            }
            if let Ok(s) = SetOfVec::try_from(sis) {
                msg.sd.signer_infos = SignerInfos(s);
            }
        }
    }
}

/// Encode the changed request: the PKIData as the new eContent (the old signature), or signed
/// again by `signer` with the current unsigned attributes.
/// An AuthenticatedData request from auth seed `i`, its PKIData changed by `ops` (see the module
/// documentation for what each mode does to the MAC and the proof).
fn authenticated_input(fx: &Fixture, i: usize, mode: u8, ops: &[u8]) -> Option<Vec<u8>> {
    let secret = SharedSecret::from_hex(ALICE_HEX).ok()?;
    let mut rng = KmiRng::new(Some("a1")).ok()?;
    // A SignedData to carry the mutations that touch one (they are ignored here).
    let mut msg = Msg {
        sd: decode(&fx.seeds[0].der)?.sd,
        pd: fx.auth_seeds.get(i)?.clone(),
    };
    for op in ops.chunks_exact(4).take(16) {
        mutate(&mut msg, op, &fx.oids, false);
    }
    match mode {
        2 => authenticated_request(msg.pd, "alice", &secret, &fx.oids, &mut rng).ok(),
        _ => {
            let mut pd = msg.pd;
            if mode == 3 {
                // A proof of the changed content: only the MAC is wrong.
                kmi::cmc::identity::add_identity_proof(&mut pd, &secret, "alice", &fx.oids).ok()?;
            } else {
                // The proof of the unchanged seed, on the changed content.
                let mut original = fx.auth_seeds.get(i)?.clone();
                kmi::cmc::identity::add_identity_proof(&mut original, &secret, "alice", &fx.oids)
                    .ok()?;
                pd.control_sequence
                    .extend(original.control_sequence.last().cloned());
            }
            let mut der = kmi::cms::authenticated::authenticate(
                fx.oids.cct_pki_data,
                &pd.to_der().ok()?,
                secret.as_bytes(),
                1000,
                &mut rng,
            )
            .ok()?;
            if mode == 3 {
                // The MAC is the last OCTET STRING: change its last octet.
                let n = der.len();
                der[n - 1] ^= ops.first().copied().unwrap_or(1) | 1;
            }
            Some(der)
        }
    }
}

fn encode(
    msg: &Msg,
    signer: Option<&(RsaPrivate, Certificate)>,
    oids: &CmcOids,
) -> Option<Vec<u8>> {
    let content = msg.pd.to_der().ok()?;
    match signer {
        Some((key, cert)) => {
            let unsigned = msg
                .sd
                .signer_infos
                .0
                .iter()
                .next()
                .and_then(|si| si.unsigned_attrs.clone())
                .map(|a| a.into_vec())
                .unwrap_or_default();
            SignedDataSpec {
                content_type: oids.cct_pki_data,
                content,
                detached: false,
                signed_attributes: true,
                certificates: vec![cert.clone()],
                sid: sid_for_cert(cert),
                unsigned_attributes: unsigned,
            }
            .sign(key)
            .ok()
        }
        None => {
            let mut sd = msg.sd.clone();
            sd.encap_content_info.econtent =
                Some(Any::encode_from(&OctetString::new(content).ok()?).ok()?);
            ContentInfo {
                content_type: kmi::cms::signed::ID_SIGNED_DATA,
                content: Any::encode_from(&sd).ok()?,
            }
            .to_der()
            .ok()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let (Some(&mode), Some(&pick)) = (data.first(), data.get(1)) else {
        return;
    };
    let request = match mode % 4 {
        0 => data[1..].to_vec(),
        mode if usize::from(pick) % (fx.seeds.len() + fx.auth_seeds.len()) >= fx.seeds.len() => {
            let i = usize::from(pick) % (fx.seeds.len() + fx.auth_seeds.len()) - fx.seeds.len();
            let Some(r) = authenticated_input(fx, i, mode, &data[2..]) else {
                return;
            };
            r
        }
        mode => {
            let seed = &fx.seeds[usize::from(pick) % fx.seeds.len()];
            let Some(mut msg) = decode(&seed.der) else {
                return;
            };
            let ops: Vec<&[u8]> = data[2..].chunks_exact(4).take(16).collect();
            if ops.is_empty() && seed.keygen {
                return;
            }
            for op in &ops {
                mutate(&mut msg, op, &fx.oids, mode == 3);
            }
            let resign = if mode == 2 && !seed.keygen {
                seed.signer.as_ref()
            } else {
                None
            };
            match encode(&msg, resign, &fx.oids) {
                // An unchanged key generation request would make a safe-prime key per input.
                Some(r) if seed.keygen && r == seed.der => return,
                Some(r) => r,
                None => return,
            }
        }
    };
    let mut store = fx.store.clone();
    let mut rng = KmiRng::new(Some("ab")).expect("seeded rng");
    match respond(&agent(fx), &request, &mut store, &mut rng) {
        Ok((response, outcome)) => {
            assert!(!response.is_empty());
            if let Some(why) = &outcome.failure {
                // No failure message may quote a decryption step (the oracle of issue 10).
                for leak in [
                    "padding",
                    "content decryption failed",
                    "malformed EncKeyWithID",
                    "does not decrypt",
                    "fails its checks",
                    "does not match the public key",
                ] {
                    assert!(
                        !why.contains(leak),
                        "a failure names a decryption step: {why}"
                    );
                }
            }
        }
        Err(e) => panic!("the agent gave no response: {e}"),
    }
});
