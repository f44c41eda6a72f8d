//! `kmi cmc` against independent peers (issue 4): openssl 3 verifies every signed message kmi
//! builds and opens every envelope it can (`cms -verify`, `cms -decrypt` with a key or
//! `-pwri_password`, `pkey -check`); pyasn1-modules `rfc6402` decodes every PKIData and
//! PKIResponse (scripts/cmc_fixtures.py check) and digs the archived key out of a request
//! (scripts/cmc_peer.py); and a request made by pyasn1 + openssl alone is parsed, archived and
//! recovered by kmi. Round trips archive -> recover -> extract for both placements and both
//! shrouds, server key generation, split storage, and every refusal as a failed PKIResponse.
//!
//! The Python peer needs KMI_PYTHON (a python with pyasn1-modules); a test whose peer is missing
//! is skipped with a notice, or fails under KMI_REQUIRE_PEERS=1 (`scripts/test` sets both).

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::*;

// ------------------------------------------------------------------------------------------------
// Peers

/// KMI_PYTHON, a python with pyasn1-modules (the test has called `require_peer("KMI_PYTHON")`).
fn python() -> String {
    peer_program("KMI_PYTHON")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// Run a peer script with KMI_PYTHON; its stdout, asserting success.
fn py(name: &str, args: &[&OsStr]) -> String {
    let python = python();
    let out = std::process::Command::new(&python)
        .arg(script(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run KMI_PYTHON={python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// `scripts/cmc_peer.py ARGS...`.
fn peer(args: &[&OsStr]) -> String {
    py("cmc_peer.py", args)
}

/// pyasn1-modules `rfc6402.PKIData` / `PKIResponse` with decodeOpenTypes decode `der_file`, every
/// control typed, and re-encode it byte for byte.
fn pyasn1_check(kind: &str, der_file: &Path) -> String {
    let out = py(
        "cmc_fixtures.py",
        &[os("check"), os(kind), der_file.as_os_str()],
    );
    assert!(out.contains(&format!("ok {kind}")), "{out}");
    assert!(
        !out.contains(" open\n"),
        "a control pyasn1 does not type:\n{out}"
    );
    out
}

/// openssl in `w`, asserting success; its stdout.
fn ossl(w: &Work, args: &[&OsStr]) -> Vec<u8> {
    let out = output_of(openssl().current_dir(w.dir.path()).args(args));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `openssl cms -verify -noverify -binary -inform DER` of `msg` (with `-certfile` when the
/// message names its signer by key identifier only): the eContent openssl outputs, in `econtent`.
fn openssl_verify(w: &Work, msg: &Path, certfile: Option<&Path>, econtent: &str) -> PathBuf {
    let out_path = w.path(econtent);
    let mut cmd = openssl();
    cmd.args([
        "cms",
        "-verify",
        "-noverify",
        "-binary",
        "-inform",
        "DER",
        "-in",
    ])
    .arg(msg)
    .arg("-out")
    .arg(&out_path);
    if let Some(c) = certfile {
        cmd.arg("-certfile").arg(c);
    }
    let out = output_of(&mut cmd);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("Verification successful"),
        "openssl cms -verify rejects {}:\n{err}",
        msg.display()
    );
    out_path
}

/// `openssl cms -decrypt` of a DER EnvelopedData with a recipient's certificate and key.
fn openssl_decrypt(w: &Work, envelope: &Path, cert: &Path, key: &Path, out: &Path) {
    ossl(
        w,
        &[
            os("cms"),
            os("-decrypt"),
            os("-binary"),
            os("-inform"),
            os("DER"),
            os("-in"),
            envelope.as_os_str(),
            os("-recip"),
            cert.as_os_str(),
            os("-inkey"),
            key.as_os_str(),
            os("-out"),
            out.as_os_str(),
        ],
    );
}

/// `openssl pkey -outform DER` of a key file (PEM or DER): the form both sides are compared in.
fn pkey_der(key: &Path) -> Vec<u8> {
    let mut cmd = openssl();
    cmd.args(["pkey", "-outform", "DER", "-in"]).arg(key);
    if !std::fs::read(key).unwrap().starts_with(b"-----") {
        cmd.args(["-inform", "DER"]);
    }
    let der = cmd.assert().success().get_output().stdout.clone();
    assert!(!der.is_empty());
    der
}

fn assert_same_key(got: &Path, want: &Path) {
    assert!(
        pkey_der(got) == pkey_der(want),
        "{} is not the key of {}",
        got.display(),
        want.display()
    );
}

fn mode_of(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

// ------------------------------------------------------------------------------------------------
// Parties, made by openssl

/// The agent, a client (alice) with a signing certificate, and alice's encryption key to escrow.
struct Pki {
    agent_crt: PathBuf,
    agent_key: PathBuf,
    alice_crt: PathBuf,
    alice_key: PathBuf,
    enc: PathBuf,
    /// A certificate for `enc` (CN=alice, openssl's subjectKeyIdentifier), only so that openssl
    /// can find the key that signed a request by key identifier.
    enc_crt: PathBuf,
}

fn party(w: &Work, name: &str) -> (PathBuf, PathBuf) {
    let (key, crt) = (
        w.path(&format!("{name}.key")),
        w.path(&format!("{name}.crt")),
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

fn pki(w: &Work) -> Pki {
    let (agent_crt, agent_key) = party(w, "agent");
    let (alice_crt, alice_key) = party(w, "alice");
    let enc = rsa_key(w, "enc.pem");
    let enc_crt = w.path("enc.crt");
    ossl(
        w,
        &[
            os("req"),
            os("-x509"),
            os("-key"),
            enc.as_os_str(),
            os("-subj"),
            os("/CN=alice"),
            os("-days"),
            os("30"),
            os("-out"),
            enc_crt.as_os_str(),
        ],
    );
    Pki {
        agent_crt,
        agent_key,
        alice_crt,
        alice_key,
        enc,
        enc_crt,
    }
}

// ------------------------------------------------------------------------------------------------
// kmi

fn kmi_ok(args: &[&OsStr]) {
    let out = output_of(kmi().arg("--quiet").args(args));
    assert!(
        out.status.success(),
        "kmi {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Who signs an archive request.
#[derive(Clone, Copy, Debug)]
enum Signer {
    /// --sign-key alice.key --sign-cert alice.crt
    Cert,
    /// --sign-key alice.key, named by subjectKeyIdentifier
    KeyId,
    /// No --sign-key: the archived key signs (by key identifier)
    Archived,
}

fn signer_args(p: &Pki, s: Signer) -> Vec<&OsStr> {
    match s {
        Signer::Cert => vec![
            os("--sign-key"),
            p.alice_key.as_os_str(),
            os("--sign-cert"),
            p.alice_crt.as_os_str(),
        ],
        Signer::KeyId => vec![os("--sign-key"), p.alice_key.as_os_str()],
        Signer::Archived => vec![os("--sign-with-archived-key")],
    }
}

/// The certificate openssl needs to verify a message signed as `s`.
fn certfile(p: &Pki, s: Signer) -> Option<&Path> {
    match s {
        Signer::Cert => None,
        Signer::KeyId => Some(&p.alice_crt),
        Signer::Archived => Some(&p.enc_crt),
    }
}

fn archive_request(w: &Work, p: &Pki, placement: &str, s: Signer, name: &str) -> PathBuf {
    let out = w.path(name);
    let mut args = vec![
        os("cmc"),
        os("archive-request"),
        os("--der"),
        os("--key"),
        p.enc.as_os_str(),
        os("--agent"),
        p.agent_crt.as_os_str(),
        os("--identity"),
        os("alice"),
        os("--placement"),
        os(placement),
        os("-o"),
        out.as_os_str(),
    ];
    args.extend(signer_args(p, s));
    kmi_ok(&args);
    out
}

/// `kmi cmc recovery-request --der --identity alice` with a shroud, signed as `s` (Archived: by the
/// escrowed key itself).
fn recovery_request(w: &Work, p: &Pki, shroud: &[&OsStr], s: Signer, name: &str) -> PathBuf {
    let out = w.path(name);
    let mut args = vec![
        os("cmc"),
        os("recovery-request"),
        os("--der"),
        os("--identity"),
        os("alice"),
        os("-o"),
        out.as_os_str(),
    ];
    args.extend_from_slice(shroud);
    match s {
        Signer::Archived => args.extend([os("--sign-key"), p.enc.as_os_str()]),
        _ => args.extend(signer_args(p, s)),
    }
    kmi_ok(&args);
    out
}

/// `kmi --quiet cmc respond --json` as the agent with store `store`; the raw output.
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
            .args(extra)
            .arg(req),
    )
}

/// A successful respond: its `--json` report.
fn respond_ok(w: &Work, p: &Pki, req: &Path, store: &str, rsp: &str, extra: &[&OsStr]) -> Value {
    let out = respond(w, p, req, store, rsp, extra);
    assert!(
        out.status.success(),
        "kmi cmc respond failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("respond --json");
    assert_eq!(v["ok"], Value::Bool(true), "{v:#}");
    v
}

fn parse_json(msg: &Path) -> Value {
    parse_json_with(msg, None)
}

/// `kmi cmc parse --json [--cert CERT] MSG`, asserting success.
fn parse_json_with(msg: &Path, cert: Option<&Path>) -> Value {
    let mut cmd = kmi();
    cmd.args(["cmc", "parse", "--json"]);
    if let Some(c) = cert {
        cmd.arg("--cert").arg(c);
    }
    let out = output_of(cmd.arg(msg));
    assert!(
        out.status.success(),
        "kmi cmc parse {}:\n{}",
        msg.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parse --json")
}

/// The statusInfoV2 of a response as `kmi cmc parse --json` reports it.
fn kmi_status(rsp: &Path) -> Value {
    let v = parse_json(rsp);
    let controls = v["content"]["econtent"]["controls"].as_array().unwrap();
    let s: Vec<&Value> = controls
        .iter()
        .filter(|c| c["value"]["type"] == "status_info_v2")
        .collect();
    assert_eq!(s.len(), 1, "{v:#}");
    assert_eq!(
        v["content"]["signers"][0]["status"]["verified"],
        Value::Bool(true),
        "the agent's signature: {v:#}"
    );
    s[0]["value"].clone()
}

/// `kmi cmc extract RSP OPEN... --agent-cert agent.crt -o NAME`, asserting success.
fn extract(w: &Work, p: &Pki, rsp: &Path, open: &[&OsStr], name: &str) -> PathBuf {
    let out = w.path(name);
    let mut args = vec![os("cmc"), os("extract"), rsp.as_os_str()];
    args.extend_from_slice(open);
    args.extend([
        os("--agent-cert"),
        p.agent_crt.as_os_str(),
        os("-o"),
        out.as_os_str(),
    ]);
    kmi_ok(&args);
    assert_eq!(mode_of(&out), 0o600, "an extracted key is private");
    out
}

fn fingerprint_of(report: &Value) -> String {
    let keys = report["outcome"]["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{report:#}");
    keys[0]["fingerprint"].as_str().unwrap().to_string()
}

/// SHA-256 of openssl's SubjectPublicKeyInfo of a private key: kmi's key fingerprint.
fn openssl_fingerprint(key: &Path, extra: &[&str]) -> String {
    sha256_hex(&openssl_spki(key, extra))
}

const SECRET: &str = "correct horse battery staple";
const FAST_PWRI: [&str; 2] = ["--pwri-iterations", "2000"];

// ------------------------------------------------------------------------------------------------
// 1 + 3: openssl verifies everything kmi signs; pyasn1 decodes the eContent

#[test]
fn openssl_verifies_every_signed_message_and_pyasn1_decodes_its_econtent() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let secret = w.write("secret.txt", format!("{SECRET}\n"));
    let mut requests = Vec::new();
    for (placement, s) in [
        ("body", Signer::Cert),
        ("unsigned", Signer::Cert),
        ("body", Signer::KeyId),
        ("unsigned", Signer::Archived),
        ("body", Signer::Archived),
    ] {
        let name = format!("archive-{placement}-{s:?}.req");
        let req = archive_request(&w, &p, placement, s, &name);
        requests.push((req, s, "archive"));
    }
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), p.alice_crt.as_os_str()],
        Signer::Archived,
        "recover.req",
    );
    requests.push((rec.clone(), Signer::Archived, "recovery"));
    let keygen = w.path("keygen.req");
    kmi_ok(&[
        os("cmc"),
        os("keygen-request"),
        os("--der"),
        os("--subject"),
        os("CN=alice"),
        os("--shroud-secret"),
        os("alice-secret"),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        keygen.as_os_str(),
    ]);
    requests.push((keygen.clone(), Signer::Cert, "keygen"));

    for (i, (req, s, kind)) in requests.iter().enumerate() {
        let econtent = openssl_verify(&w, req, certfile(&p, *s), &format!("req-{i}.pkidata"));
        let report = pyasn1_check("pkidata", &econtent);
        let control = match *kind {
            "archive" => "1.3.6.1.4.1.32473.1.3.6 typed",
            "recovery" => "1.3.6.1.4.1.32473.1.3.7 typed",
            _ => "1.3.6.1.4.1.32473.1.3.4 typed",
        };
        assert!(report.contains(control), "{kind}: {report}");
        assert!(
            report.contains("1.3.6.1.5.5.7.7.2 typed"),
            "identification: {report}"
        );
        // kmi's own parse agrees (given the certificate openssl needed, if any).
        let v = parse_json_with(req, certfile(&p, *s));
        assert_eq!(v["content"]["econtent_type"]["oid"], "1.3.6.1.5.5.7.12.2");
        assert_eq!(
            v["content"]["version"], 3,
            "SignedData v3 for id-cct-PKIData"
        );
        assert_eq!(v["content"]["signers"][0]["status"]["verified"], true);
    }

    // The agent's responses: archive success, recovery success (with a key), keygen success,
    // and a failure.
    let mut responses = Vec::new();
    let r = respond_ok(&w, &p, &requests[3].0, "store", "archive.rsp", &[]);
    assert_eq!(r["outcome"]["kind"], "archive");
    responses.push((w.path("archive.rsp"), 0, false));
    respond_ok(&w, &p, &rec, "store", "recover.rsp", &[]);
    responses.push((w.path("recover.rsp"), 0, true));
    let mut extra = vec![os("--secret-file"), secret.as_os_str()];
    extra.extend(FAST_PWRI.map(os));
    respond_ok(&w, &p, &keygen, "store", "keygen.rsp", &extra);
    responses.push((w.path("keygen.rsp"), 0, true));
    // An agent that holds no shared secrets (--batch, no --secret-file) refuses the request
    // (unsupportedShroudMethod); without --batch it would prompt, and a prompt that cannot be
    // answered is the agent's setup mistake (exit 2, no response).
    let out = output_of(
        kmi()
            .args([
                "--quiet",
                "--batch",
                "cmc",
                "respond",
                "--der",
                "--agent-key",
            ])
            .arg(&p.agent_key)
            .arg("--agent-cert")
            .arg(&p.agent_crt)
            .args(store_args(&w.path("store")))
            .arg("-o")
            .arg(w.path("refused.rsp"))
            .arg(&keygen),
    );
    failed_with(&out, 1);
    responses.push((w.path("refused.rsp"), 2, false));
    let out = respond(&w, &p, &keygen, "store", "unanswered.rsp", &[]);
    let err = failed_with(&out, 2);
    assert!(err.contains("no response was written"), "{err}");
    assert!(!w.path("unanswered.rsp").exists());

    for (i, (rsp, status, has_key)) in responses.iter().enumerate() {
        let econtent = openssl_verify(&w, rsp, None, &format!("rsp-{i}.pkiresponse"));
        let report = pyasn1_check("pkiresponse", &econtent);
        assert!(report.contains("1.3.6.1.5.5.7.7.25 typed"), "{report}");
        assert_eq!(
            report.contains("cms 6 1.2.840.113549.1.7.3"),
            *has_key,
            "{report}"
        );
        let st = peer(&[os("status"), rsp.as_os_str()]);
        assert!(st.starts_with(&format!("status {status}\n")), "{st}");
    }
}

// ------------------------------------------------------------------------------------------------
// 2: openssl opens the archived key

#[test]
fn openssl_decrypts_the_archived_key_in_either_placement() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    for placement in ["body", "unsigned"] {
        let req = archive_request(&w, &p, placement, Signer::Cert, &format!("{placement}.req"));
        let env = w.path(&format!("{placement}.env"));
        let said = peer(&[os("envelope"), req.as_os_str(), env.as_os_str()]);
        assert_eq!(said.trim(), format!("placement {placement}"));
        let plain = w.path(&format!("{placement}.plain"));
        openssl_decrypt(&w, &env, &p.agent_crt, &p.agent_key, &plain);
        let key = w.path(&format!("{placement}.key.der"));
        let said = peer(&[os("enckey"), plain.as_os_str(), key.as_os_str()]);
        assert_eq!(said.trim(), "identifier alice");
        assert_same_key(&key, &p.enc);
        // Someone else's key does not open it.
        let (_, other) = party(&w, "other");
        let out = output_of(
            openssl()
                .args(["cms", "-decrypt", "-binary", "-inform", "DER", "-in"])
                .arg(&env)
                .arg("-inkey")
                .arg(&other),
        );
        assert!(!out.status.success(), "another key opened the envelope");
    }
}

// ------------------------------------------------------------------------------------------------
// 3: a request built by pyasn1 + openssl

#[test]
fn a_request_built_by_pyasn1_and_openssl_is_parsed_archived_and_recovered() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    for placement in ["unsigned", "body"] {
        let req = w.path(&format!("peer-{placement}.req"));
        peer(&[
            os("build-archive"),
            os("--key"),
            p.enc.as_os_str(),
            os("--agent"),
            p.agent_crt.as_os_str(),
            os("--identity"),
            os("bob"),
            os("--sign-key"),
            p.alice_key.as_os_str(),
            os("--sign-cert"),
            p.alice_crt.as_os_str(),
            os("--placement"),
            os(placement),
            os("--selection"),
            os("peer-sel"),
            req.as_os_str(),
        ]);
        // The peer's own message is sound: openssl verifies it (unsigned attribute and all).
        openssl_verify(&w, &req, None, "peer.pkidata");

        let v = parse_json(&req);
        let sd = &v["content"];
        assert_eq!(sd["econtent_type"]["name"], "id-cct-PKIData");
        let pd = &sd["econtent"];
        let types: Vec<&str> = pd["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"]["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "transaction_id",
                "sender_nonce",
                "identification",
                "key_archival"
            ],
            "{pd:#}"
        );
        assert_eq!(pd["controls"][2]["value"]["text"], "bob");
        let ka = &pd["controls"][3]["value"];
        assert_eq!(ka["req_body_part_id"], 5);
        let req5 = &pd["requests"][0];
        assert_eq!(req5["type"], "tcr");
        assert_eq!(req5["body_part_id"], 5);
        assert_eq!(req5["subject"], "CN=bob");
        assert_eq!(req5["public_key"]["bits"], 1024);
        let signer = &sd["signers"][0];
        assert_eq!(signer["status"]["verified"], true, "{signer:#}");
        assert_eq!(signer["sid"]["type"], "issuer_and_serial_number");
        let unsigned = signer["unsigned_attributes"].as_array().unwrap();
        if placement == "unsigned" {
            assert_eq!(ka["cms_body_part_id"], 0);
            assert_eq!(unsigned.len(), 1, "{signer:#}");
            assert_eq!(
                unsigned[0]["attr_type"]["oid"],
                "1.2.840.113549.1.9.16.2.34"
            );
            let ud = &unsigned[0]["unsigned_data"][0];
            assert_eq!(ud["body_part_path"], serde_json::json!([4]));
            assert_eq!(ud["identifier"]["oid"], "1.3.6.1.4.1.32473.1.3.9");
            assert_eq!(ud["content"]["kind"], "enveloped_data");
            assert_eq!(ud["content"]["content_type"]["name"], "id-ct-encKeyWithID");
            assert_eq!(
                ud["content"]["recipients"][0]["oaep_hash"]["name"],
                "sha256"
            );
        } else {
            assert_eq!(ka["cms_body_part_id"], 6);
            assert!(unsigned.is_empty());
            assert_eq!(pd["cms"][0]["body_part_id"], 6, "{pd:#}");
        }

        // kmi's agent accepts it and files the key under the peer's identity and selection.
        let store = format!("store-{placement}");
        let r = respond_ok(&w, &p, &req, &store, "peer.rsp", &[os("--force")]);
        assert_eq!(r["outcome"]["identity"], "bob");
        assert_eq!(r["outcome"]["keys"][0]["action"], "stored");
        assert_eq!(fingerprint_of(&r), openssl_fingerprint(&p.enc, &[]));
        let st = peer(&[os("status"), w.path("peer.rsp").as_os_str()]);
        assert!(st.starts_with("status 0\nbodyList 4 5\n"), "{st}");

        // And gives it back to the same signer.
        let rec = w.path("peer-recover.req");
        kmi_ok(&[
            os("cmc"),
            os("recovery-request"),
            os("--der"),
            os("--identity"),
            os("bob"),
            os("--selection"),
            os("peer-sel"),
            os("--shroud-key"),
            p.alice_crt.as_os_str(),
            os("--sign-key"),
            p.alice_key.as_os_str(),
            os("--sign-cert"),
            p.alice_crt.as_os_str(),
            os("--force"),
            os("-o"),
            rec.as_os_str(),
        ]);
        respond_ok(&w, &p, &rec, &store, "peer-recover.rsp", &[os("--force")]);
        let got = extract(
            &w,
            &p,
            &w.path("peer-recover.rsp"),
            &[os("--key"), p.alice_key.as_os_str(), os("--force")],
            "peer-recovered.pem",
        );
        assert_same_key(&got, &p.enc);
    }
}

/// What else peers write: BER with indefinite lengths (`openssl cms -stream`), RSAES-OAEP with
/// the default SHA-1 parameters, a signer named by key identifier with no certificate (the
/// archived key signing for itself), and a recovery request whose shroud certificate is in the
/// draft's untagged form or kmi 0.1's [0] form. kmi's agent accepts each and the key comes back.
#[test]
fn peer_variants_are_accepted() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    for (i, (placement, flags, self_signed)) in [
        ("body", &["--stream"][..], false),
        ("body", &["--oaep-md", "sha1"][..], false),
        ("unsigned", &["--keyid"][..], true),
        ("body", &["--keyid", "--stream"][..], true),
    ]
    .into_iter()
    .enumerate()
    {
        let (sign_key, sign_cert) = if self_signed {
            (&p.enc, &p.enc_crt)
        } else {
            (&p.alice_key, &p.alice_crt)
        };
        let req = w.path(&format!("variant-{i}.req"));
        let mut args = vec![
            os("build-archive"),
            os("--key"),
            p.enc.as_os_str(),
            os("--agent"),
            p.agent_crt.as_os_str(),
            os("--identity"),
            os("alice"),
            os("--sign-key"),
            sign_key.as_os_str(),
            os("--sign-cert"),
            sign_cert.as_os_str(),
            os("--placement"),
            os(placement),
        ];
        args.extend(flags.iter().map(|f| os(f)));
        args.push(req.as_os_str());
        peer(&args);
        if flags.contains(&"--stream") {
            assert_eq!(
                &std::fs::read(&req).unwrap()[..2],
                [0x30, 0x80],
                "indefinite BER"
            );
        }
        let v = parse_json(&req);
        let signer = &v["content"]["signers"][0];
        assert_eq!(
            signer["status"]["verified"], true,
            "variant {i}: {signer:#}"
        );
        if self_signed {
            assert_eq!(signer["sid"]["type"], "subject_key_identifier");
            assert!(v["content"]["certificates"].as_array().unwrap().is_empty());
        }
        let r = respond_ok(
            &w,
            &p,
            &req,
            &format!("store-{i}"),
            &format!("variant-{i}.rsp"),
            &[],
        );
        assert_eq!(
            fingerprint_of(&r),
            openssl_fingerprint(&p.enc, &[]),
            "variant {i}"
        );
    }

    // Recovery requests built by the peer, from the store alice's certificate filed into.
    for (i, tagged) in [false, true].into_iter().enumerate() {
        let req = w.path(&format!("peer-recover-{i}.req"));
        let mut args = vec![
            os("build-recovery"),
            os("--identity"),
            os("alice"),
            os("--shroud-cert"),
            p.alice_crt.as_os_str(),
            os("--sign-key"),
            p.alice_key.as_os_str(),
            os("--sign-cert"),
            p.alice_crt.as_os_str(),
        ];
        if tagged {
            args.push(os("--tagged"));
        }
        args.push(req.as_os_str());
        peer(&args);
        let v = parse_json(&req);
        let krr = &v["content"]["econtent"]["controls"][3]["value"];
        assert_eq!(krr["type"], "key_recovery_req", "{krr:#}");
        assert_eq!(krr["shroud"]["type"], "public_key_certificate", "{krr:#}");
        assert_eq!(krr["shroud"]["subject"], "CN=alice", "{krr:#}");
        let rsp = format!("peer-recover-{i}.rsp");
        respond_ok(&w, &p, &req, "store-0", &rsp, &[]);
        let got = extract(
            &w,
            &p,
            &w.path(&rsp),
            &[os("--key"), p.alice_key.as_os_str()],
            &format!("peer-recovered-{i}.pem"),
        );
        assert_same_key(&got, &p.enc);
    }
}

// ------------------------------------------------------------------------------------------------
// 4: round trips

#[test]
fn archive_recover_extract_for_both_placements_and_both_shrouds() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let secret = w.write("secret.txt", format!("{SECRET}\n"));
    let wrong = w.write("wrong.txt", "not the secret\n");
    for (placement, signer) in [("body", Signer::Cert), ("unsigned", Signer::Archived)] {
        let store = format!("store-{placement}");
        let req = archive_request(&w, &p, placement, signer, &format!("{placement}.req"));
        let r = respond_ok(&w, &p, &req, &store, &format!("{placement}.rsp"), &[]);
        let fp = fingerprint_of(&r);
        assert_eq!(fp, openssl_fingerprint(&p.enc, &[]));
        assert_eq!(mode_of(&w.path(&store)), 0o600, "the store is private");
        // The key is sealed to the storage key: openssl opens it with that key alone.
        assert_same_key(
            &sealed_key_via_peers(w.dir.path(), &w.path(&store), &fp),
            &p.enc,
        );

        // Shroud to a certificate.
        let rec = recovery_request(
            &w,
            &p,
            &[os("--shroud-key"), p.alice_crt.as_os_str()],
            signer,
            &format!("{placement}-pk.req"),
        );
        let rsp = w.path(&format!("{placement}-pk.rsp"));
        respond_ok(&w, &p, &rec, &store, &format!("{placement}-pk.rsp"), &[]);
        // openssl opens the returned envelope with alice's key, too.
        let plain = w.path(&format!("{placement}-pk.plain"));
        let env = w.path(&format!("{placement}-pk.env"));
        returned_envelope(&w, &rsp, &env);
        openssl_decrypt(&w, &env, &p.alice_crt, &p.alice_key, &plain);
        let k = w.path(&format!("{placement}-pk.openssl.der"));
        peer(&[os("enckey"), plain.as_os_str(), k.as_os_str()]);
        assert_same_key(&k, &p.enc);
        let got = extract(
            &w,
            &p,
            &rsp,
            &[os("--key"), p.alice_key.as_os_str()],
            &format!("{placement}-pk.pem"),
        );
        assert!(std::fs::read(&got)
            .unwrap()
            .starts_with(b"-----BEGIN PRIVATE KEY-----"));
        assert_same_key(&got, &p.enc);

        // Shroud under a shared secret: the draft's AES key wrap, then RFC 3211 for openssl.
        for kek in ["aes-kw", "rfc3211"] {
            let rec = recovery_request(
                &w,
                &p,
                &[os("--shroud-secret"), os("alice-secret")],
                signer,
                &format!("{placement}-{kek}.req"),
            );
            let name = format!("{placement}-{kek}.rsp");
            let mut extra = vec![
                os("--secret-file"),
                secret.as_os_str(),
                os("--pwri-kek"),
                os(kek),
            ];
            extra.extend(FAST_PWRI.map(os));
            respond_ok(&w, &p, &rec, &store, &name, &extra);
            let rsp = w.path(&name);
            let got = extract(
                &w,
                &p,
                &rsp,
                &[os("--passphrase-file"), secret.as_os_str()],
                &format!("{placement}-{kek}.pem"),
            );
            assert_same_key(&got, &p.enc);
            let bad_out = w.path(&format!("{placement}-{kek}-wrong.pem"));
            let out = output_of(
                kmi()
                    .args(["--quiet", "cmc", "extract"])
                    .arg(&rsp)
                    .arg("--passphrase-file")
                    .arg(&wrong)
                    .arg("--agent-cert")
                    .arg(&p.agent_crt)
                    .arg("-o")
                    .arg(&bad_out),
            );
            assert!(!out.status.success(), "the wrong secret opened it");
            one_line_error(&out, out.status.code().unwrap());
            assert!(!bad_out.exists(), "a failed extract leaves no file");
            if kek == "rfc3211" {
                let env = w.path(&format!("{placement}-{kek}.env"));
                returned_envelope(&w, &rsp, &env);
                let plain = w.path(&format!("{placement}-{kek}.plain"));
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
                        os("-pwri_password"),
                        os(SECRET),
                        os("-out"),
                        plain.as_os_str(),
                    ],
                );
                let k = w.path(&format!("{placement}-{kek}.openssl.der"));
                let said = peer(&[os("enckey"), plain.as_os_str(), k.as_os_str()]);
                assert_eq!(said.trim(), "identifier alice");
                assert_same_key(&k, &p.enc);
            }
        }
    }
}

/// The EnvelopedData of a response's cmsSequence entry 6, via `kmi cmc parse`-independent means:
/// openssl verifies the response and outputs the PKIResponse, pyasn1 has said entry 6 is
/// EnvelopedData, and `openssl asn1parse -strparse` cuts it out.
fn returned_envelope(w: &Work, rsp: &Path, out: &Path) {
    let st = peer(&[os("status"), rsp.as_os_str()]);
    assert!(st.contains("cms 6 1.2.840.113549.1.7.3"), "{st}");
    let econtent = openssl_verify(w, rsp, None, "returned.pkiresponse");
    // PKIResponse ::= SEQUENCE { controlSequence, cmsSequence SEQUENCE OF TaggedContentInfo, ..}
    // TaggedContentInfo ::= SEQUENCE { bodyPartID, contentInfo }
    let der = std::fs::read(&econtent).unwrap();
    let (_, start, len) = der_locate(&der, &[1, 0, 1]);
    let hl = if len < 0x80 {
        2
    } else if len < 0x100 {
        3
    } else if len < 0x10000 {
        4
    } else {
        5
    };
    std::fs::write(out, &der[start - hl..start + len]).unwrap();
}

#[test]
fn keygen_rsa_and_elgamal_give_keys_openssl_accepts() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let secret = w.write("secret.txt", format!("{SECRET}\n"));

    // RSA, shrouded to alice's certificate, archived.
    let req = w.path("rsa.req");
    kmi_ok(&[
        os("cmc"),
        os("keygen-request"),
        os("--der"),
        os("--subject"),
        os("CN=alice"),
        os("--shroud-key"),
        p.alice_crt.as_os_str(),
        os("--archive"),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        req.as_os_str(),
    ]);
    let r = respond_ok(
        &w,
        &p,
        &req,
        "store",
        "rsa.rsp",
        &[os("--threads"), os("2"), os("--keygen-bits"), os("1024")],
    );
    let fp = fingerprint_of(&r);
    assert_eq!(r["outcome"]["keys"][0]["action"], "generated and stored");
    let got = extract(
        &w,
        &p,
        &w.path("rsa.rsp"),
        &[os("--key"), p.alice_key.as_os_str()],
        "rsa.pem",
    );
    assert_openssl_check(&got, &[]);
    assert_eq!(
        openssl_fingerprint(&got, &[]),
        fp,
        "the key the agent reported"
    );
    let n = openssl_key_numbers(&got, &[]);
    assert_eq!(n["modulus"].bits(), 1024);
    assert_same_key(
        &sealed_key_via_peers(w.dir.path(), &w.path("store"), &fp),
        &got,
    );
    let st = peer(&[os("status"), w.path("rsa.rsp").as_os_str()]);
    assert!(
        st.starts_with("status 0\n") && st.contains("cms 6 "),
        "{st}"
    );
    let v = parse_json(&w.path("rsa.rsp"));
    let ctl = &v["content"]["econtent"]["controls"];
    assert!(
        ctl.as_array()
            .unwrap()
            .iter()
            .any(|c| c["value"]["type"] == "server_key_gen_response"),
        "{ctl:#}"
    );

    // ElGamal on a fresh 512-bit group, under the shared secret (RFC 3211: openssl opens it).
    let req = w.path("eg.req");
    kmi_ok(&[
        os("cmc"),
        os("keygen-request"),
        os("--der"),
        os("--subject"),
        os("CN=alice"),
        os("--algorithm"),
        os("elgamal"),
        os("--bits"),
        os("512"),
        os("--shroud-secret"),
        os("alice-secret"),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        req.as_os_str(),
    ]);
    let mut extra = vec![
        os("--secret-file"),
        secret.as_os_str(),
        os("--pwri-kek"),
        os("rfc3211"),
    ];
    extra.extend(FAST_PWRI.map(os));
    let r = respond_ok(&w, &p, &req, "store", "eg.rsp", &extra);
    assert_eq!(
        r["outcome"]["keys"][0]["action"], "generated",
        "not archived"
    );
    let fp = fingerprint_of(&r);
    let rsp = w.path("eg.rsp");
    let env = w.path("eg.env");
    returned_envelope(&w, &rsp, &env);
    let plain = w.path("eg.plain");
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
            os("-pwri_password"),
            os(SECRET),
            os("-out"),
            plain.as_os_str(),
        ],
    );
    let by_openssl = w.path("eg.openssl.der");
    peer(&[os("enckey"), plain.as_os_str(), by_openssl.as_os_str()]);
    assert_openssl_check(&by_openssl, &["-inform", "DER"]);
    let got = extract(
        &w,
        &p,
        &rsp,
        &[os("--passphrase-file"), secret.as_os_str()],
        "eg.pem",
    );
    assert_same_key(&got, &by_openssl);
    assert_openssl_check(&got, &[]);
    assert_eq!(openssl_fingerprint(&got, &[]), fp);
    // The group is the one the request asked for.
    let asked = peer(&[os("keygen-group"), req.as_os_str()]);
    let n = openssl_key_numbers(&got, &[]);
    for (name, ossl_name) in [("p", "P"), ("g", "G"), ("q", "Q")] {
        let line = asked
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {asked}"));
        assert_eq!(n[ossl_name], big_hex(line), "{name}");
    }
    assert_eq!(n["P"].bits(), 512);
}

#[test]
fn split_storage_keeps_only_shares_and_recovers_with_share_keys() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let trustees: Vec<(PathBuf, PathBuf)> =
        (1..=3).map(|i| party(&w, &format!("trustee{i}"))).collect();
    // Threshold RSA needs safe primes: a kmi key (seeded) replaces openssl's.
    let p = Pki {
        enc: kmi_generate(
            &w,
            "safe.pem",
            &["rsa", "--bits", "1024", "--threads", "1", "--seed", "c3c5"],
        ),
        ..p
    };
    let req = archive_request(&w, &p, "unsigned", Signer::Cert, "archive.req");
    let mut extra = vec![os("--split"), os("2/3")];
    for (crt, _) in &trustees {
        extra.extend([os("--to"), crt.as_os_str()]);
    }
    let r = respond_ok(&w, &p, &req, "store", "archive.rsp", &extra);
    let fp = fingerprint_of(&r);

    // Nothing in the store holds the whole key: no PKCS#8, and neither prime nor d appears in
    // any file in any of the usual spellings.
    let n = openssl_key_numbers(&p.enc, &[]);
    let secrets: Vec<Vec<u8>> = ["prime1", "prime2", "privateExponent"]
        .iter()
        .flat_map(|k| {
            let b = n[*k].to_bytes_be();
            [
                b.clone(),
                hex::encode(&b).into_bytes(),
                hex::encode_upper(&b).into_bytes(),
            ]
        })
        .collect();
    // The store file (and its journal, if one is left), and each share as the store holds it,
    // read back by Python's sqlite3.
    let mut files = vec![w.path("store")];
    if w.path("store-wal").exists() {
        files.push(w.path("store-wal"));
    }
    let shares = sqlite_rows(
        &w.path("store"),
        "SELECT sealed FROM shares WHERE fingerprint = ? ORDER BY idx",
        &[&fp],
    );
    assert_eq!(shares.len(), 3, "3 shares");
    for (i, share) in shares.iter().enumerate() {
        files.push(w.write(&format!("share-{}.pem", i + 1), share));
    }
    assert!(
        sqlite_rows(
            &w.path("store"),
            "SELECT sealed_key FROM keys WHERE fingerprint = ?",
            &[&fp]
        ) == vec![Vec::<u8>::new()],
        "no sealed whole key"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("PRIVATE KEY"), "{}", f.display());
        for s in &secrets {
            assert!(
                !bytes.windows(s.len()).any(|x| x == s.as_slice()),
                "{} holds a secret number of the key",
                f.display()
            );
        }
        let name = f.file_name().unwrap().to_string_lossy();
        if name == "store" {
            assert_eq!(mode_of(f), 0o600, "{}", f.display());
        }
        if name.starts_with("share-") {
            // Each share is CMS for its trustee: openssl opens share i with trustee i's key.
            let i: usize = name["share-".len()..name.len() - 4].parse().unwrap();
            let (crt, key) = &trustees[i - 1];
            let out = output_of(
                openssl()
                    .args(["cms", "-decrypt", "-binary", "-inform", "PEM", "-in"])
                    .arg(f)
                    .arg("-recip")
                    .arg(crt)
                    .arg("-inkey")
                    .arg(key),
            );
            assert!(
                out.status.success(),
                "openssl cannot open {}: {}",
                f.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), p.alice_crt.as_os_str()],
        Signer::Cert,
        "recover.req",
    );
    // One share key of the two needed is not enough: the agent's setup, not the client's
    // fault, so no response and exit 2 (issue 12); no share key at all, likewise.
    for extra in [
        vec![os("--share-key"), trustees[0].1.as_os_str()],
        Vec::new(),
    ] {
        let out = respond(&w, &p, &rec, "store", "one.rsp", &extra);
        let err = failed_with(&out, 2);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("no response was written"), "{err}");
        assert!(!w.path("one.rsp").exists());
    }
    respond_ok(
        &w,
        &p,
        &rec,
        "store",
        "recover.rsp",
        &[
            os("--share-key"),
            trustees[0].1.as_os_str(),
            os("--share-key"),
            trustees[2].1.as_os_str(),
        ],
    );
    let got = extract(
        &w,
        &p,
        &w.path("recover.rsp"),
        &[os("--key"), p.alice_key.as_os_str()],
        "recovered.pem",
    );
    assert_same_key(&got, &p.enc);
}

/// An ElGamal key cannot sign its own PKCS#10: kmi requests it with a CRMF template, signed by
/// --sign-key. The key here is openssl's (X9.42 DHX on ffdhe2048).
#[test]
fn an_openssl_elgamal_key_is_archived_with_a_crmf_template_and_recovered() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let params = w.path("dhx-params.pem");
    let dhx = w.path("dhx.pem");
    ossl(
        &w,
        &[
            os("genpkey"),
            os("-genparam"),
            os("-algorithm"),
            os("DHX"),
            os("-pkeyopt"),
            os("group:ffdhe2048"),
            os("-out"),
            params.as_os_str(),
        ],
    );
    ossl(
        &w,
        &[
            os("genpkey"),
            os("-paramfile"),
            params.as_os_str(),
            os("-out"),
            dhx.as_os_str(),
        ],
    );
    let p = Pki { enc: dhx, ..p };
    let req = archive_request(&w, &p, "body", Signer::Cert, "eg.req");
    let econtent = openssl_verify(&w, &req, None, "eg.pkidata");
    let report = pyasn1_check("pkidata", &econtent);
    assert!(report.contains("request crm\n"), "{report}");
    let v = parse_json(&req);
    let r0 = &v["content"]["econtent"]["requests"][0];
    assert_eq!(r0["type"], "crm", "{r0:#}");

    // openssl opens the archived key.
    let env = w.path("eg.env");
    peer(&[os("envelope"), req.as_os_str(), env.as_os_str()]);
    let plain = w.path("eg.plain");
    openssl_decrypt(&w, &env, &p.agent_crt, &p.agent_key, &plain);
    let k = w.path("eg.openssl.der");
    peer(&[os("enckey"), plain.as_os_str(), k.as_os_str()]);
    assert_same_key(&k, &p.enc);

    let r = respond_ok(&w, &p, &req, "store", "eg.rsp", &[]);
    assert_eq!(r["outcome"]["keys"][0]["algorithm"], "elgamal");
    assert_eq!(fingerprint_of(&r), openssl_fingerprint(&p.enc, &[]));
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), p.alice_crt.as_os_str()],
        Signer::Cert,
        "rec.req",
    );
    respond_ok(&w, &p, &rec, "store", "rec.rsp", &[]);
    let got = extract(
        &w,
        &p,
        &w.path("rec.rsp"),
        &[os("--key"), p.alice_key.as_os_str()],
        "eg-recovered.pem",
    );
    assert_openssl_check(&got, &[]);
    assert_same_key(&got, &p.enc);
}

// ------------------------------------------------------------------------------------------------
// 5: bad input

/// A refused request: exit 1 with one `kmi: ` line naming `why`, a failed PKIResponse in `rsp`
/// that both kmi and pyasn1 read (the failInfo `fail_info` or the archive error `archive`), and
/// nothing filed.
fn assert_refused(
    w: &Work,
    p: &Pki,
    req: &Path,
    name: &str,
    want: Refusal,
    why: &str,
    extra: &[&OsStr],
) {
    let store = format!("store-{name}");
    let rsp = format!("{name}.rsp");
    let out = respond(w, p, req, &store, &rsp, extra);
    let line = one_line_error(&out, 1);
    assert!(line.contains(why), "{name}: {line:?} does not say {why:?}");
    assert!(line.contains(&rsp), "{name}: {line:?} names the response");
    let report: Value = serde_json::from_slice(&out.stdout).expect("respond --json");
    assert_eq!(report["ok"], false);

    let rsp = w.path(&rsp);
    let s = kmi_status(&rsp);
    assert_eq!(s["status"]["name"], "failed", "{name}: {s:#}");
    assert!(
        s["status_string"].as_str().unwrap().contains(why),
        "{name}: {s:#}"
    );
    let st = peer(&[os("status"), rsp.as_os_str()]);
    assert!(st.starts_with("status 2\n"), "{name}: {st}");
    match want {
        Refusal::Fail(code, fname) => {
            assert_eq!(s["fail_info"]["value"], code, "{name}: {s:#}");
            assert_eq!(s["fail_info"]["name"], fname, "{name}: {s:#}");
            assert!(st.contains(&format!("\nfailInfo {code}\n")), "{name}: {st}");
        }
        Refusal::Archive(code, aname) => {
            let x = &s["extended_fail_info"];
            assert_eq!(x["archive_error"]["value"], code, "{name}: {s:#}");
            assert_eq!(x["archive_error"]["name"], aname, "{name}: {s:#}");
            assert!(
                st.contains("\nextendedFailInfo 1.3.6.1.4.1.32473.1.3.10"),
                "{name}: {st}"
            );
        }
    }
    let econtent = openssl_verify(w, &rsp, None, &format!("{name}.pkiresponse"));
    pyasn1_check("pkiresponse", &econtent);
    // Nothing filed.
    assert_eq!(
        store_entry_count(&w.path(&store)),
        0,
        "{name}: a refused request filed something"
    );
}

#[derive(Clone, Copy)]
enum Refusal {
    /// CMCFailInfo number and name.
    Fail(u64, &'static str),
    /// The draft's archive error code and name.
    Archive(u64, &'static str),
}

const BAD_MESSAGE_CHECK: Refusal = Refusal::Fail(1, "badMessageCheck");
const BAD_REQUEST: Refusal = Refusal::Fail(2, "badRequest");

#[test]
fn respond_refuses_bad_requests_with_a_failed_response() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let good = archive_request(&w, &p, "unsigned", Signer::Cert, "good.req");
    let good_der = std::fs::read(&good).unwrap();

    let truncated = w.write("truncated.req", &good_der[..good_der.len() / 2]);
    assert_refused(&w, &p, &truncated, "truncated", BAD_REQUEST, "not DER", &[]);

    // A CMS EnvelopedData made by openssl.
    let plain = w.write("plain.txt", "hello\n");
    let env = w.path("enveloped.req");
    ossl(
        &w,
        &[
            os("cms"),
            os("-encrypt"),
            os("-binary"),
            os("-aes256"),
            os("-outform"),
            os("DER"),
            os("-in"),
            plain.as_os_str(),
            os("-out"),
            env.as_os_str(),
            p.agent_crt.as_os_str(),
        ],
    );
    assert_refused(
        &w,
        &p,
        &env,
        "enveloped",
        BAD_REQUEST,
        "not SignedData",
        &[],
    );

    // A PKIResponse (the agent's own answer) given as a request.
    respond_ok(&w, &p, &good, "store-ok", "good.rsp", &[]);
    assert_refused(
        &w,
        &p,
        &w.path("good.rsp"),
        "response",
        BAD_REQUEST,
        "not id-cct-PKIData",
        &[],
    );

    // One bit of the signature flipped (openssl agrees it is bad).
    // ContentInfo [0] SignedData: { version, digestAlgorithms, encapContentInfo, certificates,
    // signerInfos { SignerInfo { version, sid, digestAlg, signedAttrs, sigAlg, signature, .. } } }
    let bad_sig = der_flip_last_byte(&good_der, &[1, 0, 4, 0, 5], 0x01);
    let bad_sig = w.write("badsig.req", bad_sig);
    let out = output_of(
        openssl()
            .args([
                "cms",
                "-verify",
                "-noverify",
                "-binary",
                "-inform",
                "DER",
                "-in",
            ])
            .arg(&bad_sig),
    );
    assert!(
        !out.status.success(),
        "openssl accepts the flipped signature"
    );
    assert_refused(
        &w,
        &p,
        &bad_sig,
        "badsig",
        BAD_MESSAGE_CHECK,
        "signature",
        &[],
    );

    // Peer-built: a key in the unsigned attribute that no signed KeyArchival control names, a
    // key that is not the one the request's PKCS#10 is for, a PKCS#10 whose self-signature fails.
    let other = rsa_key(&w, "other.pem");
    for (name, flag, why, want) in [
        (
            "unbound",
            vec![os("--omit-control")],
            "no signed KeyArchival",
            BAD_REQUEST,
        ),
        (
            "mismatch",
            vec![os("--envelope-key"), other.as_os_str()],
            // Found after decryption: the agent's one answer from there on (cmc_oracle.rs).
            "the archived key could not be opened",
            BAD_REQUEST,
        ),
        (
            "badpop",
            vec![os("--bad-pop")],
            "self-signature",
            Refusal::Fail(9, "popFailed"),
        ),
    ] {
        for placement in ["unsigned", "body"] {
            if name == "unbound" && placement == "body" {
                continue;
            }
            let req = w.path(&format!("{name}-{placement}.req"));
            let mut args = vec![
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
            ];
            args.extend(flag.iter().copied());
            args.push(req.as_os_str());
            peer(&args);
            assert_refused(&w, &p, &req, &format!("{name}-{placement}"), want, why, &[]);
        }
    }

    // An unknown shroud method: the client numbers id-cmc-shroudWithSharedSecret differently.
    let profile = w.write(
        "odd.oids",
        "id-cmc-shroudWithSharedSecret=1.3.6.1.4.1.32473.1.99\n",
    );
    let odd = w.path("odd-shroud.req");
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
        os("--oid-profile"),
        profile.as_os_str(),
        os("-o"),
        odd.as_os_str(),
    ]);
    assert_refused(
        &w,
        &p,
        &odd,
        "odd-shroud",
        Refusal::Archive(1, "unsupportedShroudMethod"),
        "1.3.6.1.4.1.32473.1.99",
        &[],
    );
    // No keys for the identity.
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), p.alice_crt.as_os_str()],
        Signer::Cert,
        "nokeys.req",
    );
    assert_refused(
        &w,
        &p,
        &rec,
        "nokeys",
        Refusal::Archive(2, "noKeysFound"),
        "no archived key",
        &[],
    );
}

#[test]
fn parse_of_garbage_is_a_one_line_error() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let good = archive_request(&w, &p, "body", Signer::Cert, "good.req");
    let der = std::fs::read(&good).unwrap();
    let mut junk = der.clone();
    junk[0] = 0x31;
    for (name, bytes) in [
        ("empty", Vec::new()),
        ("text", b"this is not a CMC message\n".to_vec()),
        ("truncated", der[..der.len() - 7].to_vec()),
        ("header", der[..6].to_vec()),
        ("set", junk),
        (
            "pem",
            b"-----BEGIN CMS-----\n!!!!\n-----END CMS-----\n".to_vec(),
        ),
        ("zeros", vec![0u8; 300]),
        (
            "long-length",
            vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02],
        ),
    ] {
        let f = w.write(&format!("{name}.bin"), bytes);
        for json in [false, true] {
            let mut cmd = kmi();
            cmd.args(["cmc", "parse"]);
            if json {
                cmd.arg("--json");
            }
            let out = output_of(cmd.arg(&f));
            assert!(!out.status.success(), "{name}: parse accepted garbage");
            assert_no_panic(&String::from_utf8_lossy(&out.stderr));
            let line = one_line_error(&out, 2);
            assert!(line.contains(&format!("{name}.bin")), "{name}: {line}");
        }
    }
}

#[test]
fn outputs_are_never_half_written_or_overwritten() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let req = archive_request(&w, &p, "body", Signer::Cert, "a.req");
    // An existing output is refused (before anything is filed), and left as it was.
    let existing = w.write("taken.rsp", "keep me");
    let out = respond(&w, &p, &req, "store", "taken.rsp", &[]);
    assert!(!out.status.success());
    one_line_error(&out, out.status.code().unwrap());
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
    assert_eq!(
        store_entry_count(&w.path("store")),
        0,
        "refused before filing"
    );
    let out = output_of(
        kmi()
            .args([
                "--quiet",
                "cmc",
                "archive-request",
                "--der",
                "--identity",
                "alice",
                "--key",
            ])
            .arg(&p.enc)
            .arg("--agent")
            .arg(&p.agent_crt)
            .arg("-o")
            .arg(&existing),
    );
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");

    // A response that cannot be opened leaves no key file behind.
    respond_ok(&w, &p, &req, "store", "a.rsp", &[]);
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), p.alice_crt.as_os_str()],
        Signer::Cert,
        "r.req",
    );
    respond_ok(&w, &p, &rec, "store", "r.rsp", &[]);
    let (_, stranger) = party(&w, "stranger");
    let out = output_of(
        kmi()
            .args(["--quiet", "cmc", "extract"])
            .arg(w.path("r.rsp"))
            .arg("--key")
            .arg(&stranger)
            .arg("--agent-cert")
            .arg(&p.agent_crt)
            .arg("-o")
            .arg(w.path("k.pem")),
    );
    assert!(!out.status.success());
    one_line_error(&out, out.status.code().unwrap());
    assert!(!w.path("k.pem").exists());
    // A tampered response is refused when its signature is checked.
    let mut rsp = std::fs::read(w.path("r.rsp")).unwrap();
    let n = rsp.len();
    rsp[n - 3] ^= 0x40;
    let tampered = w.write("tampered.rsp", rsp);
    let out = output_of(
        kmi()
            .args(["--quiet", "cmc", "extract"])
            .arg(&tampered)
            .arg("--key")
            .arg(&p.alice_key)
            .arg("--agent-cert")
            .arg(&p.agent_crt)
            .arg("-o")
            .arg(w.path("t.pem")),
    );
    one_line_error(&out, 1);
    assert!(!w.path("t.pem").exists());
    let files: Vec<String> = w.files();
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with('.') || f.contains(".tmp")),
        "temporary files left: {files:?}"
    );
}

/// A request signed by key identifier alone is checked with a key the agent already knows: the
/// first one is refused (badMessageCheck, and the client warned), and once the same signer has
/// archived with its certificate, its key-identifier requests are accepted.
#[test]
fn a_key_identifier_signer_is_accepted_once_the_agent_knows_its_key() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let by_key_id = w.path("keyid.req");
    let out = output_of(
        kmi()
            .args([
                "cmc",
                "archive-request",
                "--der",
                "--identity",
                "alice",
                "--key",
            ])
            .arg(&p.enc)
            .arg("--agent")
            .arg(&p.agent_crt)
            .arg("--sign-key")
            .arg(&p.alice_key)
            .arg("-o")
            .arg(&by_key_id),
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning") && stderr.contains("--sign-cert"),
        "{stderr}"
    );
    assert_refused(
        &w,
        &p,
        &by_key_id,
        "unknown-key-id",
        BAD_MESSAGE_CHECK,
        "no certificate or public key for this signer",
        &[],
    );

    let with_cert = archive_request(&w, &p, "unsigned", Signer::Cert, "cert.req");
    respond_ok(&w, &p, &with_cert, "store", "cert.rsp", &[]);
    let second = rsa_key(&w, "enc2.pem");
    let second_req = w.path("second.req");
    kmi_ok(&[
        os("cmc"),
        os("archive-request"),
        os("--der"),
        os("--identity"),
        os("alice"),
        os("--key"),
        second.as_os_str(),
        os("--agent"),
        p.agent_crt.as_os_str(),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("-o"),
        second_req.as_os_str(),
    ]);
    let report = respond_ok(&w, &p, &second_req, "store", "second.rsp", &[]);
    assert_eq!(fingerprint_of(&report), openssl_fingerprint(&second, &[]));

    // Both keys come back to alice's certificate-signed recovery request.
    let (new_crt, new_key) = party(&w, "alice-new");
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), new_crt.as_os_str()],
        Signer::Cert,
        "rec.req",
    );
    respond_ok(&w, &p, &rec, "store", "rec.rsp", &[]);
    let dir = w.path("keys");
    kmi_ok(&[
        os("cmc"),
        os("extract"),
        w.path("rec.rsp").as_os_str(),
        os("--key"),
        new_key.as_os_str(),
        os("--agent-cert"),
        p.agent_crt.as_os_str(),
        os("-o"),
        dir.as_os_str(),
    ]);
    let mut got: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| pkey_der(&e.unwrap().path()))
        .collect();
    got.sort();
    let mut want = vec![pkey_der(&p.enc), pkey_der(&second)];
    want.sort();
    assert_eq!(got, want);
}

// ------------------------------------------------------------------------------------------------
// Bouncy Castle

/// `java scripts/BcCmcCheck.java ARGS...` with Debian's Bouncy Castle jars; its stdout,
/// asserting success.
fn bouncy_castle(args: &[&OsStr]) -> String {
    let out = std::process::Command::new(peer_program("java"))
        .arg("-cp")
        .arg(peer_program("bouncycastle"))
        .arg(script("BcCmcCheck.java"))
        .args(args)
        .output()
        .expect("run java");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && stdout.ends_with("ok\n"),
        "Bouncy Castle {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A private key as unencrypted PKCS#8 DER, the form Java's KeyFactory reads.
fn pkcs8_der(w: &Work, key: &Path, name: &str) -> PathBuf {
    let out = w.path(name);
    ossl(
        w,
        &[
            os("pkcs8"),
            os("-topk8"),
            os("-nocrypt"),
            os("-outform"),
            os("DER"),
            os("-in"),
            key.as_os_str(),
            os("-out"),
            out.as_os_str(),
        ],
    );
    out
}

/// Bouncy Castle 1.72 (its CMS classes and its own org.bouncycastle.asn1.cmc types) verifies and
/// decodes kmi's requests and responses and opens the archived and the returned keys. Its one
/// disagreement is recorded: it reads extendedFailInfo only untagged (RFC 5272), while kmi writes
/// RFC 6402's [1] (formats.md section 4), so it cannot decode a failure that carries one.
#[test]
fn bouncy_castle_reads_kmi_requests_and_responses() {
    if !require_peers(&["openssl", "java", "bouncycastle"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let agent_p8 = pkcs8_der(&w, &p.agent_key, "agent.p8");
    // A line that starts and ends so (the middle is a body part number).
    let has = |out: &str, start: &str, end: &str| {
        assert!(
            out.lines()
                .any(|l| l.starts_with(start) && l.ends_with(end)),
            "no line {start}...{end} in:\n{out}"
        );
    };
    for placement in ["unsigned", "body"] {
        let req = archive_request(&w, &p, placement, Signer::Cert, &format!("{placement}.req"));
        let dir = w.path(&format!("{placement}-bc"));
        std::fs::create_dir(&dir).unwrap();
        let out = bouncy_castle(&[os("signed"), req.as_os_str(), dir.as_os_str()]);
        has(&out, "signer verified 2.16.840.1.101.3.4.2.1", "");
        has(&out, "eContentType 1.3.6.1.5.5.7.12.2", "");
        has(&out, "control ", " 1.3.6.1.5.5.7.7.5"); // transactionId
        has(&out, "control ", " 1.3.6.1.4.1.32473.1.3.6"); // KeyArchival
        has(&out, "request tcr", "");
        // kmi's archive requests carry AuthEnvelopedData (RFC 5083, AES-GCM) by default.
        let envelope = if placement == "unsigned" {
            has(
                &out,
                "unsignedData path [",
                "] identifier 1.3.6.1.4.1.32473.1.3.9 content 1.2.840.113549.1.9.16.1.23",
            );
            dir.join("unsigned-1.der")
        } else {
            has(&out, "cms ", " 1.2.840.113549.1.9.16.1.23");
            std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("cms-"))
                .expect("BC wrote the cmsSequence envelope")
        };
        let key_out = w.path(&format!("{placement}-bc-key.der"));
        let out = bouncy_castle(&[
            os("open"),
            envelope.as_os_str(),
            agent_p8.as_os_str(),
            key_out.as_os_str(),
        ]);
        // id-data inside AuthEnvelopedData (the form openssl 3.0 also reads), AES-256-GCM.
        has(&out, "inner content 1.2.840.113549.1.7.1", "");
        has(&out, "recipient ", " 2.16.840.1.101.3.4.1.46 authenticated");
        has(&out, "EncKeyWithID identifier alice", "");
        assert_eq!(pkey_der(&key_out), pkey_der(&p.enc), "{placement}");

        let rsp = format!("{placement}.rsp");
        respond_ok(&w, &p, &req, &format!("store-{placement}"), &rsp, &[]);
        let out = bouncy_castle(&[os("signed"), w.path(&rsp).as_os_str()]);
        has(&out, "eContentType 1.3.6.1.5.5.7.12.3", "");
        has(&out, "status 0", "");
    }

    // Recovery: BC opens the returned envelope with the new key.
    let (new_crt, new_key) = party(&w, "alice-new");
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), new_crt.as_os_str()],
        Signer::Cert,
        "rec.req",
    );
    let out = bouncy_castle(&[os("signed"), rec.as_os_str()]);
    has(&out, "control ", " 1.3.6.1.4.1.32473.1.3.7"); // KeyRecoveryReq
    respond_ok(&w, &p, &rec, "store-unsigned", "rec.rsp", &[]);
    let dir = w.path("rec-bc");
    std::fs::create_dir(&dir).unwrap();
    let out = bouncy_castle(&[os("signed"), w.path("rec.rsp").as_os_str(), dir.as_os_str()]);
    has(&out, "status 0", "");
    has(&out, "control ", " 1.3.6.1.4.1.32473.1.3.8"); // KeyRecoveryRsp
    let envelope = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let new_p8 = pkcs8_der(&w, &new_key, "alice-new.p8");
    let key_out = w.path("rec-bc-key.der");
    bouncy_castle(&[
        os("open"),
        envelope.as_os_str(),
        new_p8.as_os_str(),
        key_out.as_os_str(),
    ]);
    assert_eq!(pkey_der(&key_out), pkey_der(&p.enc));

    // A failure with a failInfo: BC reads it.
    let truncated = w.write("truncated.req", &std::fs::read(&rec).unwrap()[..100]);
    assert!(
        !respond(&w, &p, &truncated, "store-x", "truncated.rsp", &[])
            .status
            .success()
    );
    let out = bouncy_castle(&[os("signed"), w.path("truncated.rsp").as_os_str()]);
    has(&out, "status 2", "");
    has(&out, "failInfo 2", ""); // badRequest

    // A failure with an extendedFailInfo (noKeysFound): BC 1.72 cannot read the [1] form.
    let nobody = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), new_crt.as_os_str()],
        Signer::Cert,
        "nobody.req",
    );
    assert!(!respond(&w, &p, &nobody, "store-empty", "nobody.rsp", &[])
        .status
        .success());
    let out = bouncy_castle(&[os("signed"), w.path("nobody.rsp").as_os_str()]);
    has(&out, "status unreadable by Bouncy Castle: ", "TaggedObject");
    let s = kmi_status(&w.path("nobody.rsp"));
    assert_eq!(
        s["extended_fail_info"]["archive_error"]["name"],
        "noKeysFound"
    );
}

/// `scripts/cmc_archive_asn1.py controls FILE`: every draft control of a PKIData / PKIResponse
/// kmi wrote decodes as Appendix A's production and re-encodes byte for byte.
fn appendix_a_controls(file: &Path, expect: &str) {
    let out = py("cmc_archive_asn1.py", &[os("controls"), file.as_os_str()]);
    assert!(out.contains(expect), "{expect:?} not in:\n{out}");
    assert!(out.contains(", 0 not Appendix A DER"), "{out}");
}

/// The independent transcription of the draft's Appendix A reads the draft controls of what kmi
/// writes end to end: KeyArchival in both placements, KeyRecoveryReq (with encCapabilities),
/// KeyRecoveryRsp (with certificateId), ServerKeyGenRequest (a CertTemplate) and
/// ServerKeyGenResponse.
#[test]
fn the_appendix_a_transcription_reads_kmi_draft_controls() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    for (placement, signer) in [("body", Signer::Cert), ("unsigned", Signer::Archived)] {
        let store = format!("store-{placement}");
        let req = archive_request(&w, &p, placement, signer, &format!("a-{placement}.req"));
        appendix_a_controls(&req, "KeyArchival: ok;");
        respond_ok(&w, &p, &req, &store, &format!("a-{placement}.rsp"), &[]);
        let rec = recovery_request(
            &w,
            &p,
            &[os("--shroud-key"), p.alice_crt.as_os_str()],
            signer,
            &format!("r-{placement}.req"),
        );
        respond_ok(&w, &p, &rec, &store, &format!("r-{placement}.rsp"), &[]);
        appendix_a_controls(
            &w.path(&format!("r-{placement}.rsp")),
            "KeyRecoveryRsp: ok;",
        );
    }
    let req = w.path("keygen.req");
    kmi_ok(&[
        os("cmc"),
        os("keygen-request"),
        os("--der"),
        os("--subject"),
        os("CN=alice"),
        os("--shroud-key"),
        p.alice_crt.as_os_str(),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        req.as_os_str(),
    ]);
    appendix_a_controls(&req, "ServerKeyGenRequest: ok;");
    respond_ok(
        &w,
        &p,
        &req,
        "store-keygen",
        "keygen.rsp",
        &[os("--keygen-bits"), os("1024")],
    );
    appendix_a_controls(&w.path("keygen.rsp"), "ServerKeyGenResponse: ok;");
}

mod agent;
