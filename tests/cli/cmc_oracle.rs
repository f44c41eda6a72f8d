//! Issue 10 items 1 and 6 and issue 18 (PWRI work) through the binary.
//!
//! The escrow agent is no decryption oracle: a captured archive request whose unsigned envelope
//! is changed (a bit of the ciphertext, of the GCM tag, of the encrypted key; a dropped block; an
//! envelope of another key; an envelope of something that is not an EncKeyWithID) gets the same
//! status, failInfo, statusString, `--json` report and stderr line, whatever failed. PKCS#1 v1.5
//! key transport is refused before any decryption (the answer does not depend on the ciphertext).
//! kmi's client writes AuthEnvelopedData (AES-GCM) by default and `--cbc` EnvelopedData; openssl
//! opens the first and writes envelopes the agent accepts. `--sign-key/--sign-cert` sign
//! responses with a key of their own. Hostile PWRI envelopes (huge iteration counts, many password
//! recipients, many recipients) are refused before anything is derived, in well under a second.
//!
//! Envelopes are changed here with the `cms`/`der` types, the way an attacker would: the
//! unsigned attribute is outside the signature, so the request still verifies.
//!
//! `generate_regress_corpus` (ignored) writes testdata/regress/cmc-oracle/.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use cms::content_info::ContentInfo;
use cms::enveloped_data::{EncryptedContentInfo, EnvelopedData, RecipientInfo, RecipientInfos};
use cms::signed_data::{SignedData, SignerInfos};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use serde_json::Value;

use kmi::cmc::types::CmcUnsignedData;
use kmi::cms::asn1::{alg_with, params_as, Pbkdf2Params, PBKDF2};
use kmi::cms::auth_enveloped::{AuthEnvelopedData, ID_AUTH_ENVELOPED_DATA};

use crate::common::*;

// ------------------------------------------------------------------------------------------------
// Parties and peers

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn ossl(w: &Work, args: &[&OsStr]) -> Vec<u8> {
    let out = output_of(openssl().current_dir(w.dir.path()).args(args));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A self-signed RSA 1024 party made by openssl: (certificate, key).
fn party(w: &Work, name: &str) -> (PathBuf, PathBuf) {
    let (crt, key) = (
        w.path(&format!("{name}.crt")),
        w.path(&format!("{name}.key")),
    );
    ossl(
        w,
        &[
            os("req"),
            os("-x509"),
            os("-newkey"),
            os("rsa:1024"),
            os("-nodes"),
            os("-days"),
            os("30"),
            os("-subj"),
            os(&format!("/CN={name}")),
            os("-keyout"),
            key.as_os_str(),
            os("-out"),
            crt.as_os_str(),
        ],
    );
    (crt, key)
}

fn rsa_key(w: &Work, name: &str) -> PathBuf {
    let p = w.path(name);
    ossl(
        w,
        &[
            os("genpkey"),
            os("-algorithm"),
            os("RSA"),
            os("-pkeyopt"),
            os("rsa_keygen_bits:1024"),
            os("-out"),
            p.as_os_str(),
        ],
    );
    p
}

struct Pki {
    agent_crt: PathBuf,
    agent_key: PathBuf,
    alice_crt: PathBuf,
    alice_key: PathBuf,
    /// The key alice escrows.
    enc: PathBuf,
    /// Another key, whose envelope does not match alice's request.
    other: PathBuf,
}

fn pki(w: &Work) -> Pki {
    let (agent_crt, agent_key) = party(w, "agent");
    let (alice_crt, alice_key) = party(w, "alice");
    Pki {
        agent_crt,
        agent_key,
        alice_crt,
        alice_key,
        enc: rsa_key(w, "enc.pem"),
        other: rsa_key(w, "other.pem"),
    }
}

/// KMI_PYTHON, a python with pyasn1-modules (the test has called `require_peer("KMI_PYTHON")`).
fn python() -> String {
    peer_program("KMI_PYTHON")
}

/// `scripts/cmc_peer.py ARGS...` (pyasn1-modules + openssl, no kmi): its stdout.
fn peer(args: &[&OsStr]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/cmc_peer.py");
    let out = std::process::Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("run KMI_PYTHON");
    assert!(
        out.status.success(),
        "cmc_peer.py {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn kmi_ok(args: &[&OsStr]) -> Output {
    let out = output_of(kmi().arg("--quiet").args(args));
    assert!(
        out.status.success(),
        "kmi {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `kmi cmc archive-request` of `key` for the agent, signed by alice's certificate, with the key
/// in the unsigned attribute (the placement an attacker can edit).
fn archive_request(w: &Work, p: &Pki, key: &Path, extra: &[&str], name: &str) -> PathBuf {
    let out = w.path(name);
    let mut args = vec![
        os("cmc"),
        os("archive-request"),
        os("--der"),
        os("--key"),
        key.as_os_str(),
        os("--agent"),
        p.agent_crt.as_os_str(),
        os("--identity"),
        os("alice"),
        os("--key-usage"),
        os("encipherment"),
        os("--placement"),
        os("unsigned"),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| os(a)));
    kmi_ok(&args);
    out
}

/// A peer request (pyasn1 + openssl) whose unsigned archived key is the ContentInfo `env`.
fn peer_request(w: &Work, p: &Pki, env: &Path, placement: &str, name: &str) -> PathBuf {
    let out = w.path(name);
    peer(&[
        os("build-archive"),
        os("--key"),
        p.enc.as_os_str(),
        os("--agent"),
        p.agent_crt.as_os_str(),
        os("--identity"),
        os("alice"),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("--placement"),
        os(placement),
        os("--envelope-file"),
        env.as_os_str(),
        out.as_os_str(),
    ]);
    out
}

/// `openssl cms -encrypt` of `key`'s EncKeyWithID (or of `plain`) to the agent, through the peer.
fn openssl_envelope(
    w: &Work,
    p: &Pki,
    key: &Path,
    cipher: &str,
    padding: &str,
    plain: Option<&Path>,
    name: &str,
) -> PathBuf {
    let out = w.path(name);
    let mut args = vec![
        os("openssl-envelope"),
        os("--key"),
        key.as_os_str(),
        os("--agent"),
        p.agent_crt.as_os_str(),
        os("--identity"),
        os("alice"),
        os("--cipher"),
        os(cipher),
        os("--padding"),
        os(padding),
    ];
    if let Some(f) = plain {
        args.extend([os("--plain"), f.as_os_str()]);
    }
    args.push(out.as_os_str());
    peer(&args);
    out
}

/// `kmi --quiet cmc respond --json ... -o rsp --force` with store `store`.
fn respond(w: &Work, p: &Pki, req: &Path, store: &str, rsp: &str, extra: &[&OsStr]) -> Output {
    output_of(
        kmi()
            .args([
                "--quiet",
                "cmc",
                "respond",
                "--der",
                "--json",
                "--agent-key",
            ])
            .arg(&p.agent_key)
            .arg("--agent-cert")
            .arg(&p.agent_crt)
            .args(store_args(&w.path(store)))
            .arg("-o")
            .arg(w.path(rsp))
            .arg("--force")
            .args(extra)
            .arg(req),
    )
}

/// `kmi cmc parse --json MSG`.
fn parse_json(msg: &Path, extra: &[&OsStr]) -> Value {
    let out = output_of(kmi().args(["cmc", "parse", "--json"]).args(extra).arg(msg));
    assert!(
        out.status.success(),
        "kmi cmc parse {}:\n{}",
        msg.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parse --json")
}

/// The CMCStatusInfoV2 of a response, as `kmi cmc parse --json` reports it.
fn status_of(rsp: &Path) -> Value {
    let v = parse_json(rsp, &[]);
    let controls = v["content"]["econtent"]["controls"].as_array().unwrap();
    let s: Vec<&Value> = controls
        .iter()
        .filter(|c| c["value"]["type"] == "status_info_v2")
        .collect();
    assert_eq!(s.len(), 1, "{v:#}");
    s[0]["value"].clone()
}

/// The archived key's envelope (a ContentInfo) in a request's unsigned attribute, through the
/// independent peer.
fn peer_envelope(w: &Work, req: &Path, name: &str) -> PathBuf {
    let out = w.path(name);
    peer(&[os("envelope"), req.as_os_str(), out.as_os_str()]);
    out
}

fn assert_same_key(got: &Path, want: &Path) {
    let der = |k: &Path| {
        let mut cmd = openssl();
        cmd.args(["pkey", "-outform", "DER", "-in"]).arg(k);
        if !std::fs::read(k).unwrap().starts_with(b"-----") {
            cmd.args(["-inform", "DER"]);
        }
        cmd.assert().success().get_output().stdout.clone()
    };
    assert!(
        der(got) == der(want),
        "{} is not {}",
        got.display(),
        want.display()
    );
}

// ------------------------------------------------------------------------------------------------
// Surgery on a request's unsigned envelope (what an attacker with a captured request can do)

const ID_AA_CMC_UNSIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.34");
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");

/// The request with the ContentInfo of its unsigned archived key replaced by `f(old)`. The
/// signature covers the signed attributes only, so the request still verifies.
fn with_envelope(req: &[u8], f: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let ci = ContentInfo::from_der(req).expect("a DER request");
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    let mut sis = sd.signer_infos.0.into_vec();
    let mut attrs = sis[0]
        .unsigned_attrs
        .take()
        .expect("unsigned attributes")
        .into_vec();
    let attr = attrs
        .iter_mut()
        .find(|a| a.oid == ID_AA_CMC_UNSIGNED_DATA)
        .expect("id-aa-cmc-unsignedData");
    let mut values = attr.values.clone().into_vec();
    let mut ud: CmcUnsignedData = values[0].decode_as().unwrap();
    ud.content = Any::from_der(&f(ud.content.to_der().unwrap())).unwrap();
    values[0] = Any::encode_from(&ud).unwrap();
    attr.values = SetOfVec::try_from(values).unwrap();
    sis[0].unsigned_attrs = Some(SetOfVec::try_from(attrs).unwrap());
    sd.signer_infos = SignerInfos(SetOfVec::try_from(sis).unwrap());
    ContentInfo {
        content_type: ci.content_type,
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// An envelope of either kind, to change.
enum Env {
    Cbc(EnvelopedData),
    Gcm(AuthEnvelopedData),
}

impl Env {
    fn decode(der: &[u8]) -> Self {
        let ci = ContentInfo::from_der(der).unwrap();
        if ci.content_type == ID_AUTH_ENVELOPED_DATA {
            Env::Gcm(ci.content.decode_as().unwrap())
        } else {
            assert_eq!(ci.content_type, ID_ENVELOPED_DATA);
            Env::Cbc(ci.content.decode_as().unwrap())
        }
    }
    fn encode(&self) -> Vec<u8> {
        let (ct, content) = match self {
            Env::Cbc(e) => (ID_ENVELOPED_DATA, Any::encode_from(e).unwrap()),
            Env::Gcm(e) => (ID_AUTH_ENVELOPED_DATA, Any::encode_from(e).unwrap()),
        };
        ContentInfo {
            content_type: ct,
            content,
        }
        .to_der()
        .unwrap()
    }
    fn eci(&mut self) -> &mut EncryptedContentInfo {
        match self {
            Env::Cbc(e) => &mut e.encrypted_content,
            Env::Gcm(e) => &mut e.auth_encrypted_content,
        }
    }
    fn infos(&mut self) -> &mut RecipientInfos {
        match self {
            Env::Cbc(e) => &mut e.recip_infos,
            Env::Gcm(e) => &mut e.recip_infos,
        }
    }
    /// Change the encrypted content.
    fn content(mut self, f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let eci = self.eci();
        let mut ct = eci.encrypted_content.as_ref().unwrap().as_bytes().to_vec();
        f(&mut ct);
        eci.encrypted_content = Some(OctetString::new(ct).unwrap());
        self.encode()
    }
    /// Change the (first) KTRI's encrypted key.
    fn encrypted_key(mut self, f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut infos = self.infos().0.clone().into_vec();
        let RecipientInfo::Ktri(k) = &mut infos[0] else {
            panic!("not a KTRI")
        };
        let mut b = k.enc_key.as_bytes().to_vec();
        f(&mut b);
        k.enc_key = OctetString::new(b).unwrap();
        *self.infos() = RecipientInfos::try_from(infos).unwrap();
        self.encode()
    }
    /// Change the GCM tag.
    fn mac(self, f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let Env::Gcm(mut e) = self else {
            panic!("not AuthEnvelopedData")
        };
        let mut m = e.mac.as_bytes().to_vec();
        f(&mut m);
        e.mac = OctetString::new(m).unwrap();
        Env::Gcm(e).encode()
    }
}

/// What the agent answers, all of it.
#[derive(Debug, PartialEq)]
struct Answer {
    code: Option<i32>,
    stderr: String,
    report: Value,
    status: Value,
}

/// Run the agent on `req` (as file `name`), writing every response to the same path with the
/// same store, so that only the request differs.
fn answer(w: &Work, p: &Pki, req: &[u8], name: &str) -> Answer {
    let path = w.write(name, req);
    let out = respond(w, p, &path, "store", "answer.rsp", &[]);
    failed_with(&out, 1);
    let mut report: Value = serde_json::from_slice(&out.stdout).expect("respond --json");
    // The head of the store's history after recording the refusal: each refusal is a new line
    // (the operator's record; the client never sees it), so it differs by construction.
    let head = report["outcome"]
        .as_object_mut()
        .and_then(|o| o.remove("store_head"));
    assert!(head.is_some(), "the refusal is recorded in the store");
    Answer {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report,
        status: status_of(&w.path("answer.rsp")),
    }
}

const UNOPENABLE: &str = "the archived key could not be opened";

// ------------------------------------------------------------------------------------------------
// Item 1: one answer for every failure once the agent starts decrypting

#[test]
fn every_failure_after_decryption_starts_gets_the_same_answer() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let gcm = std::fs::read(archive_request(&w, &p, &p.enc, &[], "gcm.req")).unwrap();
    let cbc = std::fs::read(archive_request(&w, &p, &p.enc, &["--cbc"], "cbc.req")).unwrap();
    // Envelopes that decrypt but hold the wrong thing: another key (kmi's own GCM envelope), and
    // bytes that are no EncKeyWithID (openssl's, both ciphers).
    let other_req = archive_request(&w, &p, &p.other, &[], "other.req");
    let other_env = std::fs::read(peer_envelope(&w, &other_req, "other.env")).unwrap();
    let junk = w.write("junk.bin", [0x5au8; 700]);
    let junk_gcm = std::fs::read(openssl_envelope(
        &w,
        &p,
        &p.enc,
        "aes-256-gcm",
        "oaep",
        Some(&junk),
        "junk-gcm.env",
    ))
    .unwrap();
    let junk_cbc = std::fs::read(openssl_envelope(
        &w,
        &p,
        &p.enc,
        "aes-256-cbc",
        "oaep",
        Some(&junk),
        "junk-cbc.env",
    ))
    .unwrap();
    // A valid RSA-OAEP-SHA256 encryption (by openssl) of a 16-byte key: decrypts, wrong size.
    let k16 = w.write("k16.bin", [7u8; 16]);
    let ek16 = w.path("k16.enc");
    ossl(
        &w,
        &[
            os("pkeyutl"),
            os("-encrypt"),
            os("-certin"),
            os("-inkey"),
            p.agent_crt.as_os_str(),
            os("-pkeyopt"),
            os("rsa_padding_mode:oaep"),
            os("-pkeyopt"),
            os("rsa_oaep_md:sha256"),
            os("-pkeyopt"),
            os("rsa_mgf1_md:sha256"),
            os("-in"),
            k16.as_os_str(),
            os("-out"),
            ek16.as_os_str(),
        ],
    );
    let ek16 = std::fs::read(&ek16).unwrap();

    let variants: Vec<(&str, Vec<u8>)> = vec![
        (
            "gcm: a bit of the ciphertext",
            with_envelope(&gcm, |e| Env::decode(&e).content(|c| c[0] ^= 1)),
        ),
        (
            "gcm: a bit of the tag",
            with_envelope(&gcm, |e| Env::decode(&e).mac(|m| m[15] ^= 0x80)),
        ),
        (
            "gcm: a bit of the encrypted key",
            with_envelope(&gcm, |e| Env::decode(&e).encrypted_key(|k| k[40] ^= 1)),
        ),
        (
            "gcm: the encrypted key is a 16-byte key",
            with_envelope(&gcm, |e| {
                Env::decode(&e).encrypted_key(|k| *k = ek16.clone())
            }),
        ),
        (
            "gcm: the envelope of another key",
            with_envelope(&gcm, |_| other_env.clone()),
        ),
        (
            "gcm: openssl's envelope of bytes that are no EncKeyWithID",
            with_envelope(&gcm, |_| junk_gcm.clone()),
        ),
        (
            "cbc: the padding broken",
            with_envelope(&cbc, |e| {
                Env::decode(&e).content(|c| {
                    let n = c.len();
                    c[n - 17] ^= 0x80
                })
            }),
        ),
        (
            "cbc: the padding intact, the first block garbled",
            with_envelope(&cbc, |e| Env::decode(&e).content(|c| c[0] ^= 1)),
        ),
        (
            "cbc: the last block dropped",
            with_envelope(&cbc, |e| {
                Env::decode(&e).content(|c| c.truncate(c.len() - 16))
            }),
        ),
        (
            "cbc: a bit of the encrypted key",
            with_envelope(&cbc, |e| Env::decode(&e).encrypted_key(|k| k[40] ^= 1)),
        ),
        (
            "cbc: the encrypted key is a 16-byte key",
            with_envelope(&cbc, |e| {
                Env::decode(&e).encrypted_key(|k| *k = ek16.clone())
            }),
        ),
        (
            "cbc: openssl's envelope of bytes that are no EncKeyWithID",
            with_envelope(&cbc, |_| junk_cbc.clone()),
        ),
    ];
    let mut answers = Vec::new();
    for (what, req) in &variants {
        let a = answer(&w, &p, req, "changed.req");
        assert_eq!(
            a.status["status_string"], UNOPENABLE,
            "{what}: {:#}",
            a.status
        );
        assert_eq!(a.status["fail_info"]["name"], "badRequest", "{what}");
        answers.push((what, a));
    }
    let (first_what, first) = &answers[0];
    for (what, a) in &answers[1..] {
        assert_eq!(
            a, first,
            "{what} is answered differently from {first_what}: the agent would be an oracle"
        );
    }
    assert!(
        error_line(&first.stderr).contains(UNOPENABLE),
        "{}",
        first.stderr
    );
    assert_eq!(store_entry_count(&w.path("store")), 0, "nothing was filed");

    // The unchanged requests are archived: the answers above are the changes' doing.
    for (i, req) in [gcm, cbc].iter().enumerate() {
        let path = w.write(&format!("good-{i}.req"), req);
        let out = respond(&w, &p, &path, &format!("good-{i}"), "good.rsp", &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ------------------------------------------------------------------------------------------------
// Item 1: PKCS#1 v1.5 key transport is refused before any decryption

#[test]
fn pkcs1_v15_key_transport_is_refused_before_decrypting() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let mut answers = Vec::new();
    for cipher in ["aes-256-gcm", "aes-256-cbc"] {
        // openssl's default key transport is PKCS#1 v1.5 (rsaEncryption).
        let env = openssl_envelope(&w, &p, &p.enc, cipher, "pkcs1", None, "v15.env");
        let v = parse_json(&peer_request(&w, &p, &env, "unsigned", "v15.req"), &[]);
        let ud = &v["content"]["signers"][0]["unsigned_attributes"][0]["unsigned_data"][0];
        assert_eq!(
            ud["content"]["recipients"][0]["key_encryption_algorithm"]["oid"],
            "1.2.840.113549.1.1.1",
            "{ud:#}"
        );
        let req = std::fs::read(w.path("v15.req")).unwrap();
        // A v1.5 envelope that would decrypt, and one whose encrypted key is garbage: the same
        // answer, so nothing was decrypted.
        let garbage = with_envelope(&req, |e| {
            Env::decode(&e).encrypted_key(|k| k.iter_mut().for_each(|b| *b = 0x42))
        });
        let a = answer(&w, &p, &req, "v15-good.req");
        let b = answer(&w, &p, &garbage, "v15-good.req");
        assert_eq!(a, b, "{cipher}: the answer depends on the v1.5 ciphertext");
        let s = a.status["status_string"].as_str().unwrap();
        assert!(
            s.contains("PKCS#1 v1.5") && s.contains("RSAES-OAEP"),
            "{cipher}: {s}"
        );
        assert_eq!(a.status["fail_info"]["name"], "badRequest");
        assert!(
            error_line(&a.stderr).contains("PKCS#1 v1.5"),
            "{}",
            a.stderr
        );
        answers.push(a);
    }
    // The same envelope with RSA-OAEP is archived (the refusal is about v1.5, nothing else).
    let env = openssl_envelope(&w, &p, &p.enc, "aes-256-gcm", "oaep", None, "oaep.env");
    let req = peer_request(&w, &p, &env, "unsigned", "oaep.req");
    let out = respond(&w, &p, &req, "oaep-store", "oaep.rsp", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ------------------------------------------------------------------------------------------------
// Item 1: AuthEnvelopedData both ways with openssl; --cbc

#[test]
fn archive_requests_use_auth_enveloped_data_and_openssl_reads_and_writes_it() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    for (flag, kind, alg, inner) in [
        // AuthEnvelopedData carries id-data (no authAttrs): the form openssl 3.0 reads.
        (
            None,
            "auth_enveloped_data",
            "2.16.840.1.101.3.4.1.46",
            "id-data",
        ),
        (
            Some("--cbc"),
            "enveloped_data",
            "2.16.840.1.101.3.4.1.42",
            "id-ct-encKeyWithID",
        ),
    ] {
        let name = if flag.is_some() { "cbc" } else { "gcm" };
        let req = archive_request(&w, &p, &p.enc, flag.as_slice(), &format!("{name}.req"));
        let v = parse_json(&req, &[]);
        let content =
            &v["content"]["signers"][0]["unsigned_attributes"][0]["unsigned_data"][0]["content"];
        assert_eq!(content["kind"], kind, "{content:#}");
        assert_eq!(content["content_encryption_algorithm"]["oid"], alg);
        assert_eq!(content["content_type"]["name"], inner, "{content:#}");
        if flag.is_none() {
            assert_eq!(content["mac_len"], 16);
            assert_eq!(content["authenticated_attributes"], 0);
        }
        // openssl opens it with the agent's key.
        let env = peer_envelope(&w, &req, &format!("{name}.env"));
        let plain = w.path(&format!("{name}.plain"));
        ossl(
            &w,
            &[
                os("cms"),
                os("-decrypt"),
                os("-binary"),
                os("-inform"),
                os("DER"),
                os("-in"),
                env.as_os_str(),
                os("-recip"),
                p.agent_crt.as_os_str(),
                os("-inkey"),
                p.agent_key.as_os_str(),
                os("-out"),
                plain.as_os_str(),
            ],
        );
        let key = w.path(&format!("{name}.key.der"));
        let said = peer(&[os("enckey"), plain.as_os_str(), key.as_os_str()]);
        assert_eq!(said.trim(), "identifier alice");
        assert_same_key(&key, &p.enc);
        // The agent archives it.
        let out = respond(&w, &p, &req, &format!("store-{name}"), "a.rsp", &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // openssl writes the envelope (-aes-256-gcm, RSA-OAEP with its default SHA-1 parameters), in
    // either placement: the agent archives the key.
    let env = openssl_envelope(&w, &p, &p.enc, "aes-256-gcm", "oaep", None, "ossl.env");
    assert_eq!(
        ContentInfo::from_der(&std::fs::read(&env).unwrap())
            .unwrap()
            .content_type,
        ID_AUTH_ENVELOPED_DATA
    );
    let fp = sha256_hex(&openssl_spki(&p.enc, &[]));
    for placement in ["unsigned", "body"] {
        let req = peer_request(&w, &p, &env, placement, &format!("ossl-{placement}.req"));
        let out = respond(&w, &p, &req, &format!("ossl-{placement}"), "o.rsp", &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["outcome"]["keys"][0]["fingerprint"], fp.as_str());
        assert_eq!(r["outcome"]["keys"][0]["action"], "stored");
    }
}

// ------------------------------------------------------------------------------------------------
// Item 1: a response signing key apart from the decryption key

#[test]
fn responses_can_be_signed_by_a_key_of_their_own() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let (sign_crt, sign_key) = party(&w, "agent-signer");
    let sign = [
        os("--sign-key"),
        sign_key.as_os_str(),
        os("--sign-cert"),
        sign_crt.as_os_str(),
    ];
    let req = archive_request(&w, &p, &p.enc, &[], "a.req");
    let out = respond(&w, &p, &req, "store", "a.rsp", &sign);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // openssl verifies the response and names the signer: the signing certificate.
    let signer = w.path("signer.pem");
    ossl(
        &w,
        &[
            os("cms"),
            os("-verify"),
            os("-noverify"),
            os("-binary"),
            os("-inform"),
            os("DER"),
            os("-in"),
            w.path("a.rsp").as_os_str(),
            os("-signer"),
            signer.as_os_str(),
            os("-out"),
            w.path("a.econtent").as_os_str(),
        ],
    );
    let fingerprint = |c: &Path| {
        String::from_utf8(ossl(
            &w,
            &[
                os("x509"),
                os("-noout"),
                os("-fingerprint"),
                os("-sha256"),
                os("-in"),
                c.as_os_str(),
            ],
        ))
        .unwrap()
    };
    assert_eq!(fingerprint(&signer), fingerprint(&sign_crt));
    let v = parse_json(&w.path("a.rsp"), &[]);
    let s = &v["content"]["signers"][0];
    assert_eq!(s["sid"]["issuer"], "CN=agent-signer", "{s:#}");
    assert_eq!(s["status"]["verified"], true, "{s:#}");

    // Recovery: the client checks the response with the signing certificate; the decryption
    // certificate does not sign.
    let rec = w.path("r.req");
    kmi_ok(&[
        os("cmc"),
        os("recovery-request"),
        os("--der"),
        os("--identity"),
        os("alice"),
        os("--shroud-key"),
        p.alice_crt.as_os_str(),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        rec.as_os_str(),
    ]);
    let out = respond(&w, &p, &rec, "store", "r.rsp", &sign);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = w.path("recovered.pem");
    kmi_ok(&[
        os("cmc"),
        os("extract"),
        w.path("r.rsp").as_os_str(),
        os("--key"),
        p.alice_key.as_os_str(),
        os("--agent-cert"),
        sign_crt.as_os_str(),
        os("-o"),
        got.as_os_str(),
    ]);
    assert_same_key(&got, &p.enc);
    let out = output_of(
        kmi()
            .args(["cmc", "extract"])
            .arg(w.path("r.rsp"))
            .arg("--key")
            .arg(&p.alice_key)
            .arg("--agent-cert")
            .arg(&p.agent_crt)
            .arg("-o")
            .arg(w.path("no.pem")),
    );
    let err = failed_with(&out, 1);
    assert!(
        error_line(&err).contains("not by the agent certificate"),
        "{err}"
    );

    // Misuse is a usage error: the decryption key again, a certificate of another key, half of
    // the pair.
    let reuse = [
        os("--sign-key"),
        p.agent_key.as_os_str(),
        os("--sign-cert"),
        p.agent_crt.as_os_str(),
    ];
    let mismatch = [
        os("--sign-key"),
        sign_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
    ];
    let half = [os("--sign-key"), sign_key.as_os_str()];
    store_args(&w.path("store-x"));
    let empty = std::fs::read(w.path("store-x")).unwrap();
    for (what, extra) in [
        ("the agent key", &reuse[..]),
        ("another key's certificate", &mismatch[..]),
        ("--sign-key alone", &half[..]),
    ] {
        let out = respond(&w, &p, &req, "store-x", "x.rsp", extra);
        let err = failed_with(&out, 2);
        assert_eq!(
            std::fs::read(w.path("store-x")).unwrap(),
            empty,
            "{what}: no work before the check"
        );
        assert!(!err.is_empty(), "{what}");
    }
}

// ------------------------------------------------------------------------------------------------
// Item 6 / issue 18: hostile PWRI envelopes are refused before anything is derived

/// The envelope `der` (DER, EnvelopedData) with every PWRI's iteration count set to `n` and the
/// PWRI repeated `copies` times.
fn hostile_pwri(der: &[u8], n: u32, copies: usize) -> Vec<u8> {
    let Env::Cbc(mut ed) = Env::decode(der) else {
        panic!("share envelopes are EnvelopedData")
    };
    let RecipientInfo::Pwri(mut pwri) = ed.recip_infos.0.iter().next().unwrap().clone() else {
        panic!("not a PWRI")
    };
    let kda = pwri.key_derivation_alg.as_mut().unwrap();
    let mut kdf: Pbkdf2Params = params_as(kda, "PBKDF2").unwrap();
    kdf.iteration_count = n;
    *kda = alg_with(PBKDF2, &kdf).unwrap();
    let infos: Vec<RecipientInfo> = (0..copies)
        .map(|i| {
            let mut p = pwri.clone();
            let mut k = p.enc_key.as_bytes().to_vec();
            k[0] ^= i as u8; // distinct SET OF members
            p.enc_key = OctetString::new(k).unwrap();
            RecipientInfo::Pwri(p)
        })
        .collect();
    ed.recip_infos = RecipientInfos::try_from(infos).unwrap();
    Env::Cbc(ed).encode()
}

/// A 2-of-3 share set of a small key, each share under a passphrase (kmi's own PWRI).
fn passphrase_shares(w: &Work) -> PathBuf {
    let key = kmi_generate(
        w,
        "k.pem",
        &["rsa", "--bits", "512", "--threads", "1", "--seed", "0a"],
    );
    let pw = w.write("pw.txt", "correct horse\n");
    let dir = w.path("set");
    let mut args = vec![
        os("share"),
        os("split"),
        key.as_os_str(),
        os("-k"),
        os("2"),
        os("-n"),
        os("3"),
        os("-o"),
        dir.as_os_str(),
    ];
    for _ in 0..3 {
        args.extend([os("--passphrase-file"), pw.as_os_str()]);
    }
    kmi_ok(&args);
    dir
}

fn pem_der(path: &Path) -> Vec<u8> {
    pem_rfc7468::decode_vec(&std::fs::read(path).unwrap())
        .unwrap()
        .1
}

#[test]
fn hostile_pwri_envelopes_are_refused_at_once() {
    let w = Work::new();
    let dir = passphrase_shares(&w);
    let share = pem_der(&dir.join("share-1.pem"));
    let ct = w.write("ct.bin", [1u8; 64]);
    for (what, env, needle) in [
        (
            "10^8 iterations (kmi's old read cap)",
            hostile_pwri(&share, 100_000_000, 1),
            "iteration count 100000000",
        ),
        (
            "u32::MAX iterations",
            hostile_pwri(&share, u32::MAX, 1),
            "iteration count 4294967295",
        ),
        (
            "five password recipients",
            hostile_pwri(&share, 1000, 5),
            "password recipients",
        ),
    ] {
        let f = w.write("hostile.pem", pem("CMS", &env));
        let t = Instant::now();
        let out = output_of(
            kmi()
                .args(["share", "partial", "--share"])
                .arg(&f)
                .arg("--passphrase-file")
                .arg(w.path("pw.txt"))
                .arg("--decrypt")
                .arg(&ct)
                .arg("-o")
                .arg(w.path("p.pem")),
        );
        let took = t.elapsed();
        let err = failed_with(&out, 2);
        assert!(error_line(&err).contains(needle), "{what}: {err}");
        assert!(
            took < Duration::from_secs(2),
            "{what}: refused after {took:?}, not before deriving"
        );
        // share verify reports the file as bad, just as fast.
        let t = Instant::now();
        let out = output_of(
            kmi()
                .args(["share", "verify", "--set"])
                .arg(dir.join("set.pem"))
                .arg("--passphrase-file")
                .arg(w.path("pw.txt"))
                .arg(&f),
        );
        let took = t.elapsed();
        failed_with(&out, 1);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(needle),
            "{what}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            took < Duration::from_secs(2),
            "{what}: share verify took {took:?}"
        );
    }
    // The honest share still opens.
    kmi_ok(&[
        os("share"),
        os("verify"),
        os("--set"),
        dir.join("set.pem").as_os_str(),
        os("--passphrase-file"),
        w.path("pw.txt").as_os_str(),
        dir.join("share-1.pem").as_os_str(),
    ]);
}

#[test]
fn an_agent_response_with_a_hostile_pwri_is_refused_by_extract() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let secret = w.write("secret.txt", "correct horse battery staple\n");
    // Archive, then recover under the shared secret with openssl's PWRI form.
    let req = archive_request(&w, &p, &p.enc, &[], "a.req");
    assert!(respond(&w, &p, &req, "store", "a.rsp", &[])
        .status
        .success());
    let rec = w.path("r.req");
    kmi_ok(&[
        os("cmc"),
        os("recovery-request"),
        os("--der"),
        os("--identity"),
        os("alice"),
        os("--shroud-secret"),
        os("alice-secret"),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        rec.as_os_str(),
    ]);
    let out = respond(
        &w,
        &p,
        &rec,
        "store",
        "r.rsp",
        &[
            os("--secret-file"),
            secret.as_os_str(),
            os("--pwri-kek"),
            os("rfc3211"),
            os("--pwri-iterations"),
            os("2000"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The agent's signed response re-signed by the agent key with 10^8 iterations in the PWRI:
    // a response that verifies, from an agent gone rogue (or a stolen agent key).
    let rsp = std::fs::read(w.path("r.rsp")).unwrap();
    let hostile = resign_response_with_iterations(&rsp, &p.agent_key, 100_000_000);
    let f = w.write("hostile.rsp", &hostile);
    let t = Instant::now();
    let out = output_of(
        kmi()
            .args(["cmc", "extract"])
            .arg(&f)
            .arg("--passphrase-file")
            .arg(&secret)
            .arg("--agent-cert")
            .arg(&p.agent_crt)
            .arg("-o")
            .arg(w.path("k.pem")),
    );
    let took = t.elapsed();
    let err = failed_with(&out, 2);
    assert!(error_line(&err).contains("iteration count"), "{err}");
    assert!(took < Duration::from_secs(2), "refused after {took:?}");
    assert!(!w.path("k.pem").exists());
}

/// A response whose returned envelope's PWRI asks for `n` iterations, signed again with the
/// agent's key (the cmc types and kmi's SignedData writer; the signature is real).
fn resign_response_with_iterations(rsp: &[u8], agent_key: &Path, n: u32) -> Vec<u8> {
    use kmi::cmc::oids::CmcOids;
    use kmi::cmc::types::PkiResponse;
    use kmi::cms::signed::SignedDataSpec;
    let oids = CmcOids::default();
    let ci = ContentInfo::from_der(rsp).unwrap();
    let sd: SignedData = ci.content.decode_as().unwrap();
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .unwrap()
        .decode_as::<OctetString>()
        .unwrap();
    let mut pr = PkiResponse::from_der(econtent.as_bytes()).unwrap();
    let env = pr.cms_sequence[0].content_info.to_der().unwrap();
    let changed = hostile_pwri(&env, n, 1);
    pr.cms_sequence[0].content_info = ContentInfo::from_der(&changed).unwrap();
    let cert = match sd.certificates.as_ref().unwrap().0.iter().next().unwrap() {
        cms::cert::CertificateChoices::Certificate(c) => c.clone(),
        _ => panic!("the agent's certificate"),
    };
    let key = match kmi::keys::decode_key(&std::fs::read(agent_key).unwrap(), agent_key, &|| {
        Err(kmi::Error::invalid("no passphrase"))
    })
    .unwrap()
    {
        kmi::keys::Key::Private(kmi::keys::PrivateKey::Rsa(k)) => k,
        _ => panic!("an RSA private key"),
    };
    SignedDataSpec {
        content_type: oids.cct_pki_response,
        content: pr.to_der().unwrap(),
        detached: false,
        signed_attributes: true,
        certificates: vec![cert.clone()],
        sid: kmi::cms::signed::sid_for_cert(&cert),
        unsigned_attributes: Vec::new(),
    }
    .sign(&key)
    .unwrap()
}

#[test]
fn an_envelope_with_too_many_recipients_is_refused() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let req = std::fs::read(archive_request(&w, &p, &p.enc, &[], "a.req")).unwrap();
    let many = with_envelope(&req, |e| {
        let mut env = Env::decode(&e);
        let RecipientInfo::Ktri(k) = env.infos().0.iter().next().unwrap().clone() else {
            panic!()
        };
        let infos: Vec<RecipientInfo> = (0..65u8)
            .map(|i| {
                let mut k = k.clone();
                let mut b = k.enc_key.as_bytes().to_vec();
                b[1] = i;
                k.enc_key = OctetString::new(b).unwrap();
                RecipientInfo::Ktri(k)
            })
            .collect();
        *env.infos() = RecipientInfos::try_from(infos).unwrap();
        env.encode()
    });
    let a = answer(&w, &p, &many, "many.req");
    let s = a.status["status_string"].as_str().unwrap();
    // Inside a CMC message the agent's structural bound (16 recipients, cmc::bounds) refuses it
    // before the envelope reader's own cap (64) is reached; either way before any decryption.
    assert!(
        s.contains("recipients") && (s.contains("at most 16") || s.contains("at most 64")),
        "{s}"
    );
}

// ------------------------------------------------------------------------------------------------
// The regression corpus (testdata/regress/cmc-oracle/), made by this ignored test:
//   KMI_PYTHON=.venv/bin/python cargo test --test cli cmc_oracle::generate_regress_corpus -- --ignored

#[test]
#[ignore = "writes testdata/regress/cmc-oracle/; run by hand to regenerate the corpus"]
fn generate_regress_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/regress/cmc-oracle");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let w = Work::new();
    let p = pki(&w);
    let case = |name: &str,
                about: &str,
                args: &str,
                exit: i32,
                needle: &str,
                files: &[(&str, Vec<u8>)]| {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (f, bytes) in files {
            std::fs::write(dir.join(f), bytes).unwrap();
        }
        std::fs::write(
            root.join(format!("{name}.case")),
            format!(
                "# {about}\nargs: {args}\nexit: {exit}\nstderr-contains: {needle}\n{}",
                if args.contains("-o p.pem") {
                    "absent: p.pem\n"
                } else {
                    ""
                }
            ),
        )
        .unwrap();
    };
    let agent_files = |extra: Vec<(&'static str, Vec<u8>)>| {
        let mut v = vec![
            ("agent.key", std::fs::read(&p.agent_key).unwrap()),
            ("agent.crt", std::fs::read(&p.agent_crt).unwrap()),
            ("store", empty_store()),
        ];
        v.extend(extra);
        v
    };
    let respond_args =
        "cmc respond --der --agent-key agent.key --agent-cert agent.crt --store store req.der -o rsp.der";

    let gcm = std::fs::read(archive_request(&w, &p, &p.enc, &[], "gcm.req")).unwrap();
    let cbc = std::fs::read(archive_request(&w, &p, &p.enc, &["--cbc"], "cbc.req")).unwrap();
    case(
        "archive-gcm-tag-changed",
        "a captured archive request with one bit of its GCM tag changed: one generic answer (issue 10 item 1)",
        respond_args,
        1,
        UNOPENABLE,
        &agent_files(vec![(
            "req.der",
            with_envelope(&gcm, |e| Env::decode(&e).mac(|m| m[0] ^= 1)),
        )]),
    );
    case(
        "archive-cbc-padding-broken",
        "a captured CBC archive request with its padding broken: the same answer as any other failure, no padding oracle (issue 10 item 1)",
        respond_args,
        1,
        UNOPENABLE,
        &agent_files(vec![(
            "req.der",
            with_envelope(&cbc, |e| {
                Env::decode(&e).content(|c| {
                    let n = c.len();
                    c[n - 17] ^= 0x80
                })
            }),
        )]),
    );
    case(
        "archive-cbc-key-mismatch",
        "a captured CBC archive request carrying the envelope of another key: the same answer (issue 10 item 1)",
        respond_args,
        1,
        UNOPENABLE,
        &agent_files(vec![(
            "req.der",
            with_envelope(&cbc, |_| {
                let other = archive_request(&w, &p, &p.other, &["--cbc"], "o.req");
                std::fs::read(peer_envelope(&w, &other, "o.env")).unwrap()
            }),
        )]),
    );
    let v15 = openssl_envelope(&w, &p, &p.enc, "aes-256-cbc", "pkcs1", None, "v15.env");
    case(
        "archive-pkcs1-v15",
        "an archive request whose envelope uses PKCS#1 v1.5 key transport (openssl cms -encrypt's default): refused before decrypting (issue 10 item 1)",
        respond_args,
        1,
        "PKCS#1 v1.5",
        &agent_files(vec![(
            "req.der",
            std::fs::read(peer_request(&w, &p, &v15, "unsigned", "v15.req")).unwrap(),
        )]),
    );

    let dir = passphrase_shares(&w);
    let share = pem_der(&dir.join("share-1.pem"));
    let partial =
        "share partial --share share.pem --passphrase-file pw.txt --decrypt ct.bin -o p.pem";
    for (name, about, env, needle) in [
        (
            "pwri-1e8-iterations",
            "an encrypted share whose PWRI asks for 10^8 PBKDF2 iterations (kmi's old read cap; minutes of work): refused before deriving (issue 10 item 6, issue 18)",
            hostile_pwri(&share, 100_000_000, 1),
            "iteration count 100000000",
        ),
        (
            "pwri-five-recipients",
            "an encrypted share with five password recipients: refused before deriving (issue 10 item 6)",
            hostile_pwri(&share, 1000, 5),
            "password recipients",
        ),
    ] {
        case(
            name,
            about,
            partial,
            2,
            needle,
            &[
                ("share.pem", pem("CMS", &env).into_bytes()),
                ("pw.txt", b"correct horse\n".to_vec()),
                ("ct.bin", vec![1u8; 64]),
            ],
        );
    }
}
