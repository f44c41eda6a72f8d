//! Hostile CMC requests and responses through the binary (issues 10 items 7, 8, 10 and 18): each
//! test runs an attack that crashed, hung, cost gigabytes, was accepted or exited with the wrong
//! code before, and checks exit code, the one `kmi: ` line and the failed PKIResponse.
//!
//! Requests are crafted as PKIData with kmi's ASN.1 types and signed by openssl (`openssl cms
//! -sign`), so the agent sees a validly signed request from an independent signer. The inputs of
//! the regression corpus in testdata/regress/cmc/ come from the same builders
//! (`write_regression_corpus`, an ignored test: see testdata/README.md).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use der::asn1::{Any, Int, OctetString, SetOfVec};
use der::{Decode, Encode};
use num_bigint::BigUint;
use serde_json::Value;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use kmi::cmc::oids::CmcOids;
use kmi::cmc::types::*;
use kmi::keys::elgamal::{ElGamalGroup, NamedGroup};

use crate::common::*;

const DH_PUBLIC_NUMBER: &str = "1.2.840.10046.2.1";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// openssl in `dir`, asserting success; its stdout.
fn ossl(dir: &Path, args: &[&OsStr]) -> Vec<u8> {
    let out = output_of(openssl().current_dir(dir).args(args));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A self-signed RSA 1024 party: (certificate, key) as `name.crt`, `name.key` in `dir`.
fn party(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (crt, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    ossl(
        dir,
        &[
            os("req"),
            os("-x509"),
            os("-newkey"),
            os("rsa:1024"),
            os("-nodes"),
            os("-days"),
            os("3650"),
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

fn cert(path: &Path) -> Certificate {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let (_, der) = pem_rfc7468::decode_vec(text.as_bytes()).unwrap();
    Certificate::from_der(&der).unwrap()
}

fn oids() -> CmcOids {
    CmcOids::default()
}

fn control(id: BodyPartID, c: &Control) -> TaggedAttribute {
    TaggedAttribute::from_control(id, c, &oids()).unwrap()
}

/// transactionId 1, senderNonce 2, identification 3 (kmi's layout).
fn common_controls() -> Vec<TaggedAttribute> {
    vec![
        control(1, &Control::TransactionId(Int::new(&[0x42]).unwrap())),
        control(
            2,
            &Control::SenderNonce(OctetString::new(vec![7u8; 16]).unwrap()),
        ),
        control(3, &Control::Identification("alice".into())),
    ]
}

/// `openssl cms -sign` of the PKIData as id-cct-PKIData by `signer` (certificate included).
fn sign_pki_data(dir: &Path, pd: &PkiData, signer: (&Path, &Path), out: &Path) {
    let content = dir.join("pkidata.tmp");
    std::fs::write(&content, pd.to_der().unwrap()).unwrap();
    ossl(
        dir,
        &[
            os("cms"),
            os("-sign"),
            os("-binary"),
            os("-nodetach"),
            os("-econtent_type"),
            os("1.3.6.1.5.5.7.12.2"),
            os("-md"),
            os("sha256"),
            os("-outform"),
            os("DER"),
            os("-signer"),
            signer.0.as_os_str(),
            os("-inkey"),
            signer.1.as_os_str(),
            os("-in"),
            content.as_os_str(),
            os("-out"),
            out.as_os_str(),
        ],
    );
    std::fs::remove_file(content).unwrap();
}

/// A ShroudWithPublicKey to `crt`.
fn shroud_to(crt: &Path) -> ShroudMethod {
    Shroud::PublicKey(ShroudWithPublicKey::Certificate(Box::new(cert(crt))))
        .to_method(&oids())
        .unwrap()
}

/// A ServerKeyGenRequest (body part 4) whose CertTemplate names `alg` with an empty key and
/// `params` as the algorithm's parameters (an ElGamal group, draft 4.1).
fn keygen_pki_data(shroud: &Path, alg: &str, params: Option<Any>) -> PkiData {
    let template = CertTemplate {
        subject: Some("CN=alice".parse().unwrap()),
        public_key: Some(SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: alg.parse().unwrap(),
                parameters: params,
            },
            subject_public_key: der::asn1::BitString::from_bytes(&[]).unwrap(),
        }),
        ..Default::default()
    };
    let skg = ServerKeyGenRequest {
        certificate_request: template,
        shroud_method: shroud_to(shroud),
        enc_capabilities: kmi::cmc::build::default_enc_capabilities(),
        f_archive_key: false,
        selection_criteria: None,
    };
    let mut controls = common_controls();
    controls.push(control(4, &Control::ServerKeyGenRequest(Box::new(skg))));
    PkiData {
        control_sequence: controls,
        ..Default::default()
    }
}

/// X9.42 DomainParameters (p, g, q), as the parameters of dhpublicnumber.
fn elgamal_params(p: &BigUint, g: &BigUint, q: &BigUint) -> Option<Any> {
    let params = kmi::keys::encoding::dh_params_der(&ElGamalGroup {
        p: p.clone(),
        q: q.clone(),
        g: g.clone(),
    })
    .unwrap();
    Some(Any::from_der(&params).unwrap())
}

/// A KeyRecoveryReq (body part 4) shrouded to `crt`, after `extra` controls.
fn recovery_pki_data(crt: &Path, extra: Vec<TaggedAttribute>) -> PkiData {
    let mut controls = common_controls();
    controls.extend(extra);
    controls.push(control(
        4,
        &Control::KeyRecoveryReq(KeyRecoveryReq {
            shroud_method: shroud_to(crt),
            enc_capabilities: kmi::cmc::build::default_enc_capabilities(),
            selection_criteria: None,
        }),
    ));
    PkiData {
        control_sequence: controls,
        ..Default::default()
    }
}

/// An archive request for `enc_key` whose PKCS#10 (made by openssl, without `-addext`) asks for
/// no keyUsage; the key in cmsSequence 6 for the agent.
fn archive_without_key_usage(dir: &Path, enc_key: &Path, agent_crt: &Path) -> PkiData {
    let csr = ossl(
        dir,
        &[
            os("req"),
            os("-new"),
            os("-key"),
            enc_key.as_os_str(),
            os("-subj"),
            os("/CN=alice"),
            os("-outform"),
            os("DER"),
        ],
    );
    let key = match kmi::keys::decode_key(&std::fs::read(enc_key).unwrap(), enc_key, &|| {
        panic!("not encrypted")
    })
    .unwrap()
    {
        kmi::keys::Key::Private(k) => k,
        _ => panic!("a private key"),
    };
    let mut rng = kmi::rng::KmiRng::new(None).unwrap();
    let env = kmi::cmc::build::shrouded_keys(
        &[(key, Some("alice".into()))],
        &[kmi::cms::Recipient::Certificate(cert(agent_crt))],
        &oids(),
        &mut rng,
    )
    .unwrap();
    let mut controls = common_controls();
    controls.push(control(
        4,
        &Control::KeyArchival(KeyArchival {
            key_identification: KeyIdentification::ReqBodyPartId(5),
            cms_body_part_id: 6,
            selection_criteria: None,
        }),
    ));
    PkiData {
        control_sequence: controls,
        req_sequence: vec![TaggedRequest::Tcr(TaggedCertificationRequest {
            body_part_id: 5,
            certification_request: x509_cert::request::CertReq::from_der(&csr).unwrap(),
        })],
        cms_sequence: vec![TaggedContentInfo {
            body_part_id: 6,
            content_info: cms::content_info::ContentInfo::from_der(&env).unwrap(),
        }],
        other_msg_sequence: Vec::new(),
    }
}

/// Identification and KeyArchival sharing bodyPartID 1 (identification first): the agent looked
/// the archive control up by ID, found the identification and hit `unreachable!`.
fn duplicate_ids_pki_data() -> PkiData {
    PkiData {
        control_sequence: vec![
            control(1, &Control::Identification("alice".into())),
            control(
                1,
                &Control::KeyArchival(KeyArchival {
                    key_identification: KeyIdentification::ReqBodyPartId(5),
                    cms_body_part_id: 0,
                    selection_criteria: None,
                }),
            ),
        ],
        ..Default::default()
    }
}

/// `count` unknown controls (a private OID, one INTEGER each), IDs from 100.
fn filler_controls(count: u32) -> Vec<TaggedAttribute> {
    let oid: der::asn1::ObjectIdentifier = "1.3.6.1.4.1.32473.9.9".parse().unwrap();
    (0..count)
        .map(|i| TaggedAttribute {
            body_part_id: 100 + i,
            attr_type: oid,
            attr_values: SetOfVec::try_from(vec![Any::encode_from(&0u8).unwrap()]).unwrap(),
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Running the agent

struct Agent {
    dir: PathBuf,
    crt: PathBuf,
    key: PathBuf,
}

fn agent(w: &Work) -> Agent {
    let (crt, key) = party(w.dir.path(), "agent");
    Agent {
        dir: w.dir.path().to_path_buf(),
        crt,
        key,
    }
}

fn respond_cmd(
    a: &Agent,
    req: &Path,
    store: &str,
    rsp: &str,
    extra: &[&str],
) -> assert_cmd::Command {
    let mut cmd = kmi();
    cmd.current_dir(&a.dir)
        .args(["cmc", "respond", "--der", "--agent-key"])
        .arg(&a.key)
        .arg("--agent-cert")
        .arg(&a.crt)
        .args(store_args(&a.dir.join(store)))
        .arg("-o")
        .arg(rsp)
        .args(extra)
        .arg(req)
        .timeout(Duration::from_secs(60));
    cmd
}

/// A refused request: exit 1, one line naming `why`, a failed response signed by the agent
/// (openssl verifies it) whose failInfo is `fail_info`; nothing filed. The elapsed time.
fn assert_refused(a: &Agent, req: &Path, name: &str, fail_info: &str, why: &str) -> Duration {
    let rsp = format!("{name}.rsp");
    let store = format!("store-{name}");
    let start = Instant::now();
    let out = output_of(&mut respond_cmd(a, req, &store, &rsp, &[]));
    let took = start.elapsed();
    let line = one_line_error(&out, 1);
    assert!(line.contains(why), "{name}: {line:?} does not say {why:?}");
    assert!(
        line.contains(fail_info),
        "{name}: {line:?} does not say {fail_info}"
    );
    // The response: verified by openssl, status failed with the failInfo.
    ossl(
        &a.dir,
        &[
            os("cms"),
            os("-verify"),
            os("-noverify"),
            os("-binary"),
            os("-inform"),
            os("DER"),
            os("-in"),
            os(&rsp),
            os("-out"),
            os(&format!("{name}.pkiresponse")),
        ],
    );
    let v: Value = serde_json::from_str(&stdout_of(
        kmi()
            .current_dir(&a.dir)
            .args(["cmc", "parse", "--json", &rsp]),
    ))
    .unwrap();
    let controls = v["content"]["econtent"]["controls"].as_array().unwrap();
    let status = controls
        .iter()
        .find(|c| c["value"]["type"] == "status_info_v2")
        .unwrap_or_else(|| panic!("{name}: no status: {v:#}"));
    assert_eq!(status["value"]["status"]["name"], "failed", "{v:#}");
    assert_eq!(status["value"]["fail_info"]["name"], fail_info, "{v:#}");
    assert_eq!(
        store_entry_count(&a.dir.join(&store)),
        0,
        "{name}: a refused request filed something"
    );
    took
}

fn alice(w: &Work) -> (PathBuf, PathBuf) {
    party(w.dir.path(), "alice")
}

// ------------------------------------------------------------------------------------------------
// Issue 10 item 7 / issue 18: shared bodyPartIDs

#[test]
fn controls_sharing_a_body_part_id_are_a_bad_request_not_a_crash() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let al = alice(&w);
    let req = w.path("dup.req");
    sign_pki_data(
        w.dir.path(),
        &duplicate_ids_pki_data(),
        (&al.0, &al.1),
        &req,
    );
    assert_refused(
        &a,
        &req,
        "dup",
        "badRequest",
        "bodyPartID 1 is used more than once",
    );

    // A control sharing its ID with a request and a cmsSequence entry (kmi's archive layout with
    // the transactionId renumbered to 5, the PKCS#10's ID).
    let (enc_crt, enc_key) = party(w.dir.path(), "enc");
    let _ = enc_crt;
    let mut pd = archive_without_key_usage(w.dir.path(), &enc_key, &a.crt);
    pd.control_sequence[0].body_part_id = 5;
    let req = w.path("dup-req.req");
    sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
    assert_refused(
        &a,
        &req,
        "dup-req",
        "badRequest",
        "bodyPartID 5 is used more than once",
    );
}

// ------------------------------------------------------------------------------------------------
// Issue 18: server key generation in a group the client chose, and sizes

#[test]
fn keygen_in_a_degenerate_elgamal_group_is_refused_before_any_key_is_made() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let al = alice(&w);
    let g2048 = NamedGroup::Ffdhe2048.group();
    let (p, q, g) = (g2048.p.clone(), g2048.q.clone(), g2048.g.clone());
    let n = BigUint::from;
    let cases: Vec<(&str, BigUint, BigUint, BigUint, &str)> = vec![
        ("q0", p.clone(), g.clone(), n(0u32), "q has 0 bits"),
        ("q1", p.clone(), g.clone(), n(1u32), "q has 1 bits"),
        ("q2", p.clone(), g.clone(), n(2u32), "q has 2 bits"),
        ("p0", n(0u32), g.clone(), q.clone(), "too small"),
        ("p1", n(1u32), g.clone(), q.clone(), "too small"),
        ("p2", n(2u32), g.clone(), q.clone(), "too small"),
        ("g0", p.clone(), n(0u32), q.clone(), "g is not in (1, p)"),
        ("g1", p.clone(), n(1u32), q.clone(), "g is not in (1, p)"),
        // A composite q of the right size (q + 2 is even): the registration checks catch it.
        ("qeven", p.clone(), g.clone(), &q + 1u32, "q is not prime"),
    ];
    for (name, p, g, q, why) in cases {
        let pd = keygen_pki_data(&al.0, DH_PUBLIC_NUMBER, elgamal_params(&p, &g, &q));
        let req = w.path(&format!("{name}.req"));
        sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
        assert_refused(&a, &req, name, "badAlg", why);
    }
}

#[test]
fn keygen_sizes_above_max_bits_are_refused_at_once() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let al = alice(&w);
    // An 8192-bit safe-prime RSA key took minutes of agent time. The draft's template has no
    // size field, so a client can no longer ask for one: the operator's --keygen-bits decides,
    // and a size above --max-bits is the operator's mistake (exit 2, no response).
    let pd = keygen_pki_data(&al.0, RSA_ENCRYPTION, None);
    let req = w.path("rsa.req");
    sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
    let out = output_of(&mut respond_cmd(
        &a,
        &req,
        "s",
        "r8192.rsp",
        &["--keygen-bits", "8192"],
    ));
    let line = one_line_error(&out, 2);
    assert!(
        line.contains("--keygen-bits 8192 is above --max-bits 4096"),
        "{line}"
    );
    assert!(!w.path("r8192.rsp").exists());
    // An RFC 7919 6144-bit group (valid, just too big for this agent).
    let g = NamedGroup::Ffdhe6144.group();
    let pd = keygen_pki_data(&al.0, DH_PUBLIC_NUMBER, elgamal_params(&g.p, &g.g, &g.q));
    let req = w.path("dh6144.req");
    sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
    assert_refused(&a, &req, "dh6144", "badAlg", "6144 bits");
    // The operator's own lower limit, for a group the client chose.
    let g = NamedGroup::Ffdhe2048.group();
    let pd = keygen_pki_data(&al.0, DH_PUBLIC_NUMBER, elgamal_params(&g.p, &g.g, &g.q));
    let req = w.path("dh2048.req");
    sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
    let out = output_of(&mut respond_cmd(
        &a,
        &req,
        "s",
        "r.rsp",
        &["--max-bits", "1024", "--keygen-bits", "1024"],
    ));
    let line = one_line_error(&out, 1);
    assert!(
        line.contains("--max-bits 1024") && line.contains("badAlg"),
        "{line}"
    );
}

// ------------------------------------------------------------------------------------------------
// Issue 18: counts and sizes an attacker picks

#[test]
fn too_many_controls_are_refused_before_the_signature_is_checked() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let al = alice(&w);
    // 253 filler + 3 common + the recovery control = 257 controls.
    let pd = recovery_pki_data(&al.0, filler_controls(253));
    let req = w.path("257.req");
    sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
    assert_refused(
        &a,
        &req,
        "c257",
        "badRequest",
        "too many controls: kmi reads at most 256",
    );
    // The printer reads the same bound.
    let out = output_of(kmi().args(["cmc", "parse"]).arg(&req));
    let line = one_line_error(&out, 2);
    assert!(line.contains("too many controls"), "{line}");
    // 256 controls are fine (the request is then answered: no keys for alice).
    let pd = recovery_pki_data(&al.0, filler_controls(252));
    let req = w.path("256.req");
    sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
    let out = output_of(&mut respond_cmd(&a, &req, "s256", "256.rsp", &[]));
    let line = one_line_error(&out, 1);
    assert!(line.contains("noKeysFound"), "{line}");
}

/// The 56 MiB request with 2.5 million controls cost 2.4 GB: under a 512 MiB
/// address-space limit it is refused at once, on its size.
#[test]
fn a_huge_request_is_refused_on_its_size_in_bounded_memory() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    // ContentInfo(SignedData) shaped bytes around a PKIData of 2.5M controls; the signature is
    // never reached.
    let one = TaggedAttribute {
        body_part_id: 1,
        attr_type: "1.3.6.1.4.1.32473.9.9".parse().unwrap(),
        attr_values: SetOfVec::try_from(vec![Any::encode_from(&0u8).unwrap()]).unwrap(),
    }
    .to_der()
    .unwrap();
    let n = 2_500_000usize;
    let mut body = Vec::with_capacity(one.len() * n);
    for _ in 0..n {
        body.extend_from_slice(&one);
    }
    let controls = tlv(0x30, &body);
    let pki = tlv(
        0x30,
        &[controls, tlv(0x30, &[]), tlv(0x30, &[]), tlv(0x30, &[])].concat(),
    );
    let econtent = tlv(
        0x30,
        &[oid_der("1.3.6.1.5.5.7.12.2"), tlv(0xa0, &tlv(0x04, &pki))].concat(),
    );
    let sd = tlv(
        0x30,
        &[tlv(0x02, &[1]), tlv(0x31, &[]), econtent, tlv(0x31, &[])].concat(),
    );
    let ci = tlv(
        0x30,
        &[oid_der("1.2.840.113549.1.7.2"), tlv(0xa0, &sd)].concat(),
    );
    assert!(ci.len() > 50 << 20, "{} bytes", ci.len());
    let req = w.write("huge.req", &ci);
    let mut cmd = std::process::Command::new(kmi_path());
    cmd.current_dir(&a.dir)
        .args(["cmc", "respond", "--der", "--agent-key"])
        .arg(&a.key)
        .arg("--agent-cert")
        .arg(&a.crt)
        .args(store_args(&a.dir.join("s")))
        .args(["-o", "huge.rsp"])
        .arg(&req);
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit in the child between fork and exec touches no Rust state.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 512 << 20,
                rlim_max: 512 << 20,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let took = start.elapsed();
    let line = one_line_error(&out, 1);
    assert!(line.contains("at most 1048576 bytes"), "{line}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn oid_der(dotted: &str) -> Vec<u8> {
    let oid: der::asn1::ObjectIdentifier = dotted.parse().unwrap();
    oid.to_der().unwrap()
}

// ------------------------------------------------------------------------------------------------
// Issue 10 item 8: only encryption keys are escrowed; the client signs with a separate key

#[test]
fn archival_needs_a_declared_encryption_only_key_usage() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let al = alice(&w);
    let (_, enc) = party(w.dir.path(), "enc");
    // No keyUsage in the PKCS#10 (openssl req without -addext): refused, naming the flag.
    let pd = archive_without_key_usage(w.dir.path(), &enc, &a.crt);
    let req = w.path("noku.req");
    sign_pki_data(w.dir.path(), &pd, (&al.0, &al.1), &req);
    assert_refused(&a, &req, "noku", "badRequest", "declares no keyUsage");
    let out = output_of(&mut respond_cmd(&a, &req, "s", "x.rsp", &[]));
    let line = one_line_error(&out, 1);
    assert!(line.contains("--key-usage encipherment"), "{line}");
    // ... archived only when the operator says so.
    let out = output_of(&mut respond_cmd(
        &a,
        &req,
        "ok",
        "ok.rsp",
        &["--accept-signing-keys"],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // --key-usage both: the client refuses without --force-signing-key, the agent refuses it.
    let base = |out: &str| {
        vec![
            "cmc".to_string(),
            "archive-request".into(),
            "--der".into(),
            "--key".into(),
            enc.display().to_string(),
            "--agent".into(),
            a.crt.display().to_string(),
            "--identity".into(),
            "alice".into(),
            "--sign-key".into(),
            al.1.display().to_string(),
            "--sign-cert".into(),
            al.0.display().to_string(),
            "-o".into(),
            out.into(),
        ]
    };
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args(base("both.req"))
            .args(["--key-usage", "both"]),
    );
    let line = one_line_error(&out, 2);
    assert!(line.contains("--force-signing-key"), "{line}");
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args(base("both.req"))
            .args(["--key-usage", "both", "--force-signing-key"]),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_refused(
        &a,
        &w.path("both.req"),
        "both",
        "badRequest",
        "declared for signing (digitalSignature, nonRepudiation)",
    );
}

#[test]
fn the_client_signs_with_a_separate_key_unless_told_otherwise() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let (_, enc) = party(w.dir.path(), "enc");
    let args = |extra: &[&str]| {
        let mut v = vec![
            "cmc".to_string(),
            "archive-request".into(),
            "--der".into(),
            "--key".into(),
            enc.display().to_string(),
            "--agent".into(),
            a.crt.display().to_string(),
            "--identity".into(),
            "alice".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    // No signer: refused, naming the flags that exist.
    let out = output_of(kmi().current_dir(w.dir.path()).args(args(&["-o", "a.req"])));
    let line = one_line_error(&out, 2);
    assert!(
        line.contains("--sign-key") && line.contains("--sign-with-archived-key"),
        "{line}"
    );
    assert!(!w.path("a.req").exists());
    // Both flags helps are real flags of the command.
    let help = stdout_of(kmi().args(["cmc", "archive-request", "--der", "--help"]));
    assert!(help.contains("--sign-with-archived-key") && help.contains("--sign-key"));
    // The opt-in works, with a warning, and the agent archives it.
    let out = output_of(kmi().current_dir(w.dir.path()).args(args(&[
        "--sign-with-archived-key",
        "-o",
        "a.req",
    ])));
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning") && err.contains("signing key"),
        "{err}"
    );
    let out = output_of(&mut respond_cmd(&a, &w.path("a.req"), "s", "a.rsp", &[]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The two are exclusive.
    let out = output_of(kmi().current_dir(w.dir.path()).args(args(&[
        "--sign-with-archived-key",
        "--sign-key",
        &enc.display().to_string(),
        "-o",
        "b.req",
    ])));
    one_line_error(&out, 2);
}

// ------------------------------------------------------------------------------------------------
// Issue 18: exit codes

/// An RSA key with p = q (N = p^2): archive-request said "RSA signature: internal error", exit 3;
/// now the registration checks run first and name the failure, exit 1.
#[test]
fn archiving_a_p_equals_q_key_names_the_check() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let al = alice(&w);
    let p_hex = String::from_utf8(ossl(
        w.dir.path(),
        &[
            os("prime"),
            os("-generate"),
            os("-bits"),
            os("512"),
            os("-hex"),
        ],
    ))
    .unwrap();
    let p = big_hex(p_hex.trim());
    let e = BigUint::from(65537u32);
    let d = e.modinv(&(&p - 1u32)).unwrap();
    let nums = RsaNums {
        n: &p * &p,
        dp: &d % (&p - 1u32),
        dq: &d % (&p - 1u32),
        qinv: BigUint::from(1u32),
        e,
        d,
        p: p.clone(),
        q: p,
    };
    let key = w.write("pq.pem", pem("PRIVATE KEY", &nums.pkcs8_der()));
    for signer in [
        vec!["--sign-key".to_string(), al.1.display().to_string()],
        vec!["--sign-with-archived-key".to_string()],
    ] {
        let out = output_of(
            kmi()
                .current_dir(w.dir.path())
                .args([
                    "cmc",
                    "archive-request",
                    "--der",
                    "--identity",
                    "alice",
                    "--key",
                ])
                .arg(&key)
                .arg("--agent")
                .arg(&a.crt)
                .args(&signer)
                .args(["-o", "pq.req"]),
        );
        let line = one_line_error(&out, 1);
        // N = p^2: the first registration check that fails.
        assert!(line.contains("N is a perfect power"), "{line}");
        assert!(!w.path("pq.req").exists());
    }
    // The same key as --sign-key of a recovery request.
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args([
                "cmc",
                "recovery-request",
                "--der",
                "--identity",
                "alice",
                "--shroud-key",
            ])
            .arg(&al.0)
            .arg("--sign-key")
            .arg(&key)
            .args(["-o", "r.req"]),
    );
    let line = one_line_error(&out, 1);
    assert!(line.contains("N is a perfect power"), "{line}");
}

/// Run `kmi cmc respond --der ... -o -` with RLIMIT_FSIZE `limit` (SIGXFSZ ignored, so a write over
/// the limit fails with EFBIG like a full disk); the response goes to the captured stdout.
fn respond_with_fsize(
    a: &Agent,
    req: &Path,
    store: &str,
    limit: u64,
    extra: &[std::ffi::OsString],
) -> Output {
    let mut cmd = std::process::Command::new(kmi_path());
    cmd.current_dir(&a.dir)
        .args(["cmc", "respond", "--der", "--agent-key"])
        .arg(&a.key)
        .arg("--agent-cert")
        .arg(&a.crt)
        .args(store_args(&a.dir.join(store)))
        .args(["-o", "-"])
        .args(extra)
        .arg(req);
    use std::os::unix::process::CommandExt;
    // SAFETY: signal and setrlimit in the child between fork and exec touch no Rust state.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    cmd.output().unwrap()
}

/// A store write that fails (a full disk: the file-size limit stops the WAL append): exit 3,
/// nothing filed, the store still verifies, and the same request archives the key when retried;
/// recovery then returns it.
#[test]
fn a_store_write_failure_exits_3_and_the_archive_can_be_retried() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let (sig_crt, sig_key) = (w.path("big.crt"), w.path("big.key"));
    ossl(
        w.dir.path(),
        &[
            os("req"),
            os("-x509"),
            os("-newkey"),
            os("rsa:4096"),
            os("-nodes"),
            os("-days"),
            os("30"),
            os("-subj"),
            os("/CN=alice"),
            os("-keyout"),
            sig_key.as_os_str(),
            os("-out"),
            sig_crt.as_os_str(),
        ],
    );
    // An ElGamal key: threshold shares need ElGamal or safe-prime RSA.
    let enc = w.path("enc.pem");
    stdout_of(
        kmi()
            .args([
                "-q",
                "key",
                "generate",
                "elgamal",
                "--group",
                "ffdhe2048",
                "-o",
            ])
            .arg(&enc),
    );
    let req = w.path("a.req");
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args([
                "cmc",
                "archive-request",
                "--der",
                "--identity",
                "alice",
                "--key",
            ])
            .arg(&enc)
            .arg("--agent")
            .arg(&a.crt)
            .arg("--sign-key")
            .arg(&sig_key)
            .arg("--sign-cert")
            .arg(&sig_crt)
            .arg("-o")
            .arg(&req),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The key is held as 40-of-80 shares, so the decision writes well over 64 KiB to the store's
    // journal (its WAL); a 48 KiB file-size limit leaves room for SQLite's 32 KiB shared-memory
    // index but not for the decision.
    let (trustee_crt, trustee_key) = party(w.dir.path(), "trustee");
    let mut split: Vec<std::ffi::OsString> = vec!["--split".into(), "40/80".into()];
    for _ in 0..80 {
        split.push("--to".into());
        split.push(trustee_crt.clone().into());
    }
    let out = respond_with_fsize(&a, &req, "store", 48 << 10, &split);
    let line = one_line_error(&out, 3);
    assert!(line.contains("key store could not be written"), "{line}");
    assert!(
        !out.stdout.is_empty(),
        "the failure response is still written"
    );
    let list = stdout_of(
        kmi()
            .current_dir(&a.dir)
            .args(["cmc", "store", "list", "store"]),
    );
    assert!(list.is_empty(), "nothing filed: {list}");
    stdout_of(
        kmi()
            .current_dir(&a.dir)
            .args(["cmc", "store", "verify", "store"]),
    );
    // Retried without the limit: archived.
    let out = respond_with_fsize(&a, &req, "store", u64::MAX, &split);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Recovered.
    let (new_crt, new_key) = party(w.dir.path(), "new");
    let rec = w.path("r.req");
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args([
                "cmc",
                "recovery-request",
                "--der",
                "--identity",
                "alice",
                "--shroud-key",
            ])
            .arg(&new_crt)
            .arg("--sign-key")
            .arg(&sig_key)
            .arg("--sign-cert")
            .arg(&sig_crt)
            .arg("-o")
            .arg(&rec),
    );
    assert!(out.status.success());
    let share_key = trustee_key.to_string_lossy().into_owned();
    let out = output_of(&mut respond_cmd(
        &a,
        &rec,
        "store",
        "r.rsp",
        &["--share-key", &share_key],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = w.path("got.pem");
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args(["cmc", "extract", "r.rsp", "--request"])
            .arg(&rec)
            .arg("--key")
            .arg(&new_key)
            .arg("--agent-cert")
            .arg(&a.crt)
            .arg("-o")
            .arg(&got),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(openssl_spki(&got, &[]), openssl_spki(&enc, &[]));
}

// ------------------------------------------------------------------------------------------------
// Issue 10 item 10: extract ties the response to its request

#[test]
fn extract_checks_the_signature_and_the_request_it_answers() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let al = alice(&w);
    let (_, enc) = party(w.dir.path(), "enc");
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args([
                "cmc",
                "archive-request",
                "--der",
                "--identity",
                "alice",
                "--key",
            ])
            .arg(&enc)
            .arg("--agent")
            .arg(&a.crt)
            .arg("--sign-key")
            .arg(&al.1)
            .arg("--sign-cert")
            .arg(&al.0)
            .args(["-o", "a.req"]),
    );
    assert!(out.status.success());
    assert!(output_of(&mut respond_cmd(
        &a,
        &w.path("a.req"),
        "store",
        "a.rsp",
        &[]
    ))
    .status
    .success());
    let (new_crt, new_key) = party(w.dir.path(), "new");
    for r in ["r1", "r2"] {
        let out = output_of(
            kmi()
                .current_dir(w.dir.path())
                .args([
                    "cmc",
                    "recovery-request",
                    "--der",
                    "--identity",
                    "alice",
                    "--shroud-key",
                ])
                .arg(&new_crt)
                .arg("--sign-key")
                .arg(&al.1)
                .arg("--sign-cert")
                .arg(&al.0)
                .args(["-o", &format!("{r}.req")]),
        );
        assert!(out.status.success());
        let out = output_of(&mut respond_cmd(
            &a,
            &w.path(&format!("{r}.req")),
            "store",
            &format!("{r}.rsp"),
            &[],
        ));
        assert!(out.status.success());
    }
    let extract = |rsp: &str, extra: &[&str], out: &str| {
        output_of(
            kmi()
                .current_dir(w.dir.path())
                .args(["cmc", "extract", rsp, "--key"])
                .arg(&new_key)
                .args(extra)
                .args(["-o", out]),
        )
    };
    let agent_cert = a.crt.display().to_string();
    // Without --agent-cert: refused (it was a warning), unless --insecure.
    let out = extract("r1.rsp", &[], "k0.pem");
    let line = one_line_error(&out, 2);
    assert!(
        line.contains("--agent-cert") && line.contains("--insecure"),
        "{line}"
    );
    assert!(!w.path("k0.pem").exists());
    let out = extract("r1.rsp", &["--insecure"], "k1.pem");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not checked"));
    // The response to r1 does not answer r2 (another transactionId and nonce).
    let out = extract(
        "r1.rsp",
        &["--agent-cert", &agent_cert, "--request", "r2.req"],
        "k2.pem",
    );
    let line = one_line_error(&out, 1);
    assert!(line.contains("does not answer the request"), "{line}");
    assert!(!w.path("k2.pem").exists());
    // The archive response answers no recovery request; the archive request expects no keys.
    let out = extract(
        "a.rsp",
        &["--agent-cert", &agent_cert, "--request", "r1.req"],
        "k3.pem",
    );
    let line = one_line_error(&out, 1);
    assert!(line.contains("does not answer the request"), "{line}");
    let out = extract(
        "r1.rsp",
        &["--agent-cert", &agent_cert, "--request", "a.req"],
        "k4.pem",
    );
    one_line_error(&out, 1);
    // The right pair opens.
    let out = extract(
        "r1.rsp",
        &["--agent-cert", &agent_cert, "--request", "r1.req"],
        "k5.pem",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        openssl_spki(&w.path("k5.pem"), &[]),
        openssl_spki(&enc, &[])
    );
}

// ------------------------------------------------------------------------------------------------
// The regression corpus (testdata/regress/cmc/), written by this helper

/// Writes testdata/regress/cmc/<case>/ inputs and <case>.case files. Run on purpose:
/// `cargo test --test cli cmc_hardening::write_regression_corpus -- --ignored`.
#[test]
#[ignore = "writes testdata/regress/cmc/; run by hand (see testdata/README.md)"]
fn write_regression_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/regress/cmc");
    std::fs::create_dir_all(&root).unwrap();
    let w = Work::new();
    let dir = w.dir.path();
    let (agent_crt, agent_key) = party(dir, "agent");
    let (alice_crt, alice_key) = party(dir, "alice");
    let (_, enc) = party(dir, "enc");
    let g2048 = NamedGroup::Ffdhe2048.group();
    let respond =
        "cmc respond --der --agent-key agent.key --agent-cert agent.crt --store store -o rsp.der req.der";
    let cases: Vec<(&str, &str, PkiData, &str)> = vec![
        (
            "duplicate-body-part-id",
            "identification and KeyArchival share bodyPartID 1: unreachable! panic before the signature check (issue 10 item 7)",
            duplicate_ids_pki_data(),
            "bodyPartID 1 is used more than once",
        ),
        (
            "keygen-elgamal-q0",
            "signed ElGamal keygen request with q = 0: the key was generated before the group was checked, panic (issue 18)",
            keygen_pki_data(
                &alice_crt,
                DH_PUBLIC_NUMBER,
                elgamal_params(&g2048.p, &g2048.g, &BigUint::from(0u32)),
            ),
            "q has 0 bits",
        ),
        (
            "keygen-elgamal-q1",
            "signed ElGamal keygen request with q = 1: empty range for the private value, panic (issue 18)",
            keygen_pki_data(
                &alice_crt,
                DH_PUBLIC_NUMBER,
                elgamal_params(&g2048.p, &g2048.g, &BigUint::from(1u32)),
            ),
            "q has 1 bits",
        ),
        (
            "controls-257",
            "257 controls in one PKIData: counts an attacker picks are bounded (issue 18)",
            recovery_pki_data(&alice_crt, filler_controls(253)),
            "too many controls",
        ),
        (
            "archive-no-key-usage",
            "archive request whose PKCS#10 declares no keyUsage: was escrowed (issue 10 item 8)",
            archive_without_key_usage(dir, &enc, &agent_crt),
            "declares no keyUsage",
        ),
    ];
    for (name, about, pd, why) in cases {
        let case_dir = root.join(name);
        std::fs::create_dir_all(&case_dir).unwrap();
        std::fs::copy(&agent_crt, case_dir.join("agent.crt")).unwrap();
        std::fs::copy(&agent_key, case_dir.join("agent.key")).unwrap();
        std::fs::write(case_dir.join("store"), empty_store()).unwrap();
        sign_pki_data(
            dir,
            &pd,
            (&alice_crt, &alice_key),
            &case_dir.join("req.der"),
        );
        std::fs::write(
            root.join(format!("{name}.case")),
            format!("# {about}\nargs: {respond}\nexit: 1\nstderr-contains: {why}\n"),
        )
        .unwrap();
    }
}
