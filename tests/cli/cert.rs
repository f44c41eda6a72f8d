//! `kmi cert request | self-sign | issue | prepare | finish | show` and `kmi key public SET`
//! (issue 13) against the peers: openssl verify accepts kmi's self-signed and issued certificates
//! and a root -> leaf chain, openssl req -verify accepts kmi's requests, kmi issues from openssl's
//! requests and certifies openssl's keys, openssl x509 -text shows the usages, certtool
//! --verify-chain accepts the chain when it is installed, and a 2-of-3 threshold root signed by
//! partials issues a leaf that verifies. Bad input (a forged request, an issuer without
//! keyCertSign, a CA key that is not the CA certificate's) is one line, exit 1 or 2, and writes
//! nothing. The issue's ceremony runs end to end: a CCM policy signed 2-of-3 under a leaf that a
//! 2-of-3 threshold root issued passes jarsigner -verify -strict with only the root trusted.
//!
//! Keys are small and seeded (RSA 1024 bits; safe-prime keys of 768 and 1024 bits for the sets).

use std::path::{Path, PathBuf};

use crate::common::*;

/// A seeded ordinary RSA key.
fn rsa_key(w: &Work, name: &str, seed: &str) -> PathBuf {
    kmi_generate(
        w,
        name,
        &["rsa", "--no-safe", "--bits", "1024", "--seed", seed],
    )
}

/// `kmi --quiet cert ARGS`, asserting success.
fn cert(args: &[&str]) {
    kmi()
        .arg("--quiet")
        .arg("cert")
        .args(args)
        .assert()
        .success();
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// `openssl verify -x509_strict -CAfile ROOT [-untrusted CHAIN] CERT`, asserting "CERT: OK".
fn openssl_verifies(root: &Path, untrusted: Option<&Path>, leaf: &Path) {
    let mut cmd = openssl();
    cmd.args(["verify", "-x509_strict", "-CAfile"]).arg(root);
    if let Some(u) = untrusted {
        cmd.arg("-untrusted").arg(u);
    }
    let out = stdout_of(cmd.arg(leaf));
    assert!(out.trim_end().ends_with(": OK"), "{out}");
}

fn x509_text(cert: &Path) -> String {
    stdout_of(openssl().args(["x509", "-noout", "-text", "-in"]).arg(cert))
}

/// A kmi root CA (pathLen 1) and its key.
fn kmi_root(w: &Work) -> (PathBuf, PathBuf) {
    let key = rsa_key(w, "ca.pem", "c1");
    let crt = w.path("ca.crt");
    cert(&[
        "self-sign",
        "--key",
        s(&key),
        "--subject",
        "CN=Root CA,O=Example",
        "--days",
        "3650",
        "--ca",
        "--path-len",
        "1",
        "-o",
        s(&crt),
    ]);
    (key, crt)
}

#[test]
fn kmi_certificates_and_requests_are_accepted_by_openssl() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let (ca_key, ca) = kmi_root(&w);
    openssl_verifies(&ca, None, &ca);
    let text = x509_text(&ca);
    assert!(text.contains("CA:TRUE, pathlen:1"), "{text}");
    assert!(text.contains("Certificate Sign, CRL Sign"), "{text}");

    // A request, checked by openssl, issued by the root.
    let alice = rsa_key(&w, "alice.pem", "a1");
    let csr = w.path("alice.csr");
    cert(&[
        "request",
        "--key",
        s(&alice),
        "--subject",
        "CN=Alice,O=Example",
        "--usage",
        "sign,code-signing",
        "-o",
        s(&csr),
    ]);
    let out = output_of(
        openssl()
            .args(["req", "-verify", "-noout", "-in"])
            .arg(&csr),
    );
    assert!(out.status.success(), "{out:?}");
    let leaf = w.path("alice.crt");
    cert(&[
        "issue",
        "--ca-key",
        s(&ca_key),
        "--ca-cert",
        s(&ca),
        s(&csr),
        "--days",
        "365",
        "-o",
        s(&leaf),
    ]);
    openssl_verifies(&ca, None, &leaf);
    let text = x509_text(&leaf);
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    assert!(text.contains("Code Signing"), "{text}");
    assert!(text.contains("CA:FALSE"), "{text}");
    // RFC 4514 lists the most significant RDN last; openssl prints DER order.
    assert!(text.contains("Issuer: O = Example, CN = Root CA"), "{text}");

    // root -> intermediate (pathLen 0) -> leaf, in DER.
    let sub_key = rsa_key(&w, "sub.pem", "b1");
    let sub_csr = w.path("sub.csr");
    cert(&[
        "request",
        "--key",
        s(&sub_key),
        "--subject",
        "CN=Sub CA",
        "-o",
        s(&sub_csr),
    ]);
    let sub = w.path("sub.crt");
    cert(&[
        "issue",
        "--ca-key",
        s(&ca_key),
        "--ca-cert",
        s(&ca),
        s(&sub_csr),
        "--ca",
        "--path-len",
        "0",
        "--days",
        "1000",
        "-o",
        s(&sub),
    ]);
    let enc_key = rsa_key(&w, "enc.pem", "e1");
    let enc = w.path("enc.der");
    cert(&[
        "issue",
        "--ca-key",
        s(&sub_key),
        "--ca-cert",
        s(&sub),
        "--public",
        s(&enc_key),
        "--subject",
        "CN=Encryption",
        "--usage",
        "encrypt",
        "--days",
        "30",
        "--der",
        "-o",
        s(&enc),
    ]);
    let enc_pem = w.path("enc.crt");
    openssl()
        .args(["x509", "-inform", "DER", "-in"])
        .arg(&enc)
        .arg("-out")
        .arg(&enc_pem)
        .assert()
        .success();
    openssl_verifies(&ca, Some(&sub), &enc_pem);
    let text = x509_text(&enc_pem);
    assert!(text.contains("Key Encipherment"), "{text}");
    assert!(!text.contains("Digital Signature"), "{text}");

    // A second CA below the pathLen-0 intermediate is refused.
    let out = output_of(kmi().args([
        "cert",
        "issue",
        "--ca-key",
        s(&sub_key),
        "--ca-cert",
        s(&sub),
        s(&sub_csr),
        "--ca",
        "-o",
        s(&w.path("no.crt")),
    ]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!w.path("no.crt").exists());

    // kmi cert show names the usages and the fingerprint openssl computes.
    let shown = stdout_of(kmi().args(["cert", "show", s(&leaf)]));
    assert!(
        shown.contains("usages:          sign, code-signing"),
        "{shown}"
    );
    let fp = stdout_of(
        openssl()
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(&leaf),
    );
    let fp = fp.trim().rsplit('=').next().unwrap_or_default().to_string();
    assert!(shown.contains(&fp), "{shown}\n{fp}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(kmi().args(["cert", "show", "--json", s(&ca)]))).unwrap();
    assert_eq!(json["ca"], true);
    assert_eq!(json["path_len"], 1);
    assert_eq!(json["self_signed"], true);
    assert_eq!(json["serial"].as_str().map(str::len), Some(32));
}

#[test]
fn kmi_issues_from_openssl_requests_and_certifies_openssl_keys() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let (ca_key, ca) = kmi_root(&w);
    let key = w.path("o.key");
    let csr = w.path("o.csr");
    openssl()
        .args([
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=Bob/O=Example",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&csr)
        .assert()
        .success();
    let bob = w.path("bob.crt");
    cert(&[
        "issue",
        "--ca-key",
        s(&ca_key),
        "--ca-cert",
        s(&ca),
        s(&csr),
        "-o",
        s(&bob),
    ]);
    openssl_verifies(&ca, None, &bob);
    // The openssl key, self-signed by kmi and certified by the kmi CA from the bare key.
    let carol = w.path("carol.crt");
    cert(&[
        "self-sign",
        "--key",
        s(&key),
        "--subject",
        "CN=Carol",
        "--usage",
        "sign,encrypt",
        "-o",
        s(&carol),
    ]);
    openssl_verifies(&carol, None, &carol);
    let carol2 = w.path("carol2.crt");
    cert(&[
        "issue",
        "--ca-key",
        s(&ca_key),
        "--ca-cert",
        s(&ca),
        "--public",
        s(&key),
        "--subject",
        "CN=Carol",
        "-o",
        s(&carol2),
    ]);
    openssl_verifies(&ca, None, &carol2);
    // A kmi request from the openssl key.
    let csr2 = w.path("k.csr");
    cert(&[
        "request",
        "--key",
        s(&key),
        "--subject",
        "CN=Carol",
        "-o",
        s(&csr2),
    ]);
    assert!(output_of(
        openssl()
            .args(["req", "-verify", "-noout", "-in"])
            .arg(&csr2)
    )
    .status
    .success());
    // An ElGamal key is certified for key agreement.
    let eg = kmi_generate(
        &w,
        "eg.pem",
        &["elgamal", "--group", "ffdhe2048", "--seed", "e9"],
    );
    let eg_crt = w.path("eg.crt");
    cert(&[
        "issue",
        "--ca-key",
        s(&ca_key),
        "--ca-cert",
        s(&ca),
        "--public",
        s(&eg),
        "--subject",
        "CN=Escrow",
        "-o",
        s(&eg_crt),
    ]);
    openssl_verifies(&ca, None, &eg_crt);
    let text = x509_text(&eg_crt);
    assert!(text.contains("Key Agreement"), "{text}");
}

#[test]
fn certtool_verifies_a_kmi_chain() {
    if !require_peers(&["certtool", "openssl"]) {
        return;
    }
    let w = Work::new();
    let (ca_key, ca) = kmi_root(&w);
    let leaf_key = rsa_key(&w, "leaf.pem", "11");
    let leaf = w.path("leaf.crt");
    cert(&[
        "issue",
        "--ca-key",
        s(&ca_key),
        "--ca-cert",
        s(&ca),
        "--public",
        s(&leaf_key),
        "--subject",
        "CN=Leaf",
        "-o",
        s(&leaf),
    ]);
    let chain = [std::fs::read(&leaf).unwrap(), std::fs::read(&ca).unwrap()].concat();
    let chain = w.write("chain.pem", chain);
    let out = output_of(
        assert_cmd::Command::new(peer_program("certtool"))
            .args(["--verify-chain", "--infile"])
            .arg(&chain),
    );
    // certtool prints "Chain verification output: Verified." or "... Not verified." and exits 0
    // in both cases in some versions, so the words are checked too.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        text.contains("Verified") && !text.contains("Not verified"),
        "{text}"
    );
}

#[test]
fn a_threshold_root_signs_itself_and_a_leaf() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(
        &w,
        "shared.pem",
        &["rsa", "--bits", "768", "--threads", "1", "--seed", "5e"],
    );
    let dir = w.path("shares");
    kmi()
        .args(["--quiet", "share", "split"])
        .arg(&key)
        .args(["-k", "2", "-n", "3", "--purpose", "sign", "--plain", "-o"])
        .arg(&dir)
        .assert()
        .success();
    let set = dir.join("set.pem");
    let share = |i: u32| dir.join(format!("share-{i}.pem"));
    let partial = |i: u32, tbs: &Path, out: &Path| {
        kmi()
            .args(["--quiet", "share", "partial", "--share"])
            .arg(share(i))
            .arg("--sign")
            .arg(tbs)
            .arg("-o")
            .arg(out)
            .assert()
            .success();
    };

    // The set's public key is the shared key's.
    let public = w.path("public.pem");
    kmi()
        .args(["key", "public", s(&set), "-o", s(&public)])
        .assert()
        .success();
    let direct = stdout_of(kmi().args(["key", "public", s(&key)]));
    assert_eq!(std::fs::read_to_string(&public).unwrap(), direct);

    let root_tbs = w.path("root.tbs");
    let log = w.path("ceremony.log");
    cert(&[
        "prepare",
        "self-sign",
        "--set",
        s(&set),
        "--subject",
        "CN=Shared CA",
        "--days",
        "3650",
        "--ca",
        "--log",
        s(&log),
        "-o",
        s(&root_tbs),
    ]);
    let shown = stdout_of(kmi().args(["cert", "show", s(&root_tbs)]));
    assert!(shown.starts_with("to-be-signed certificate"), "{shown}");
    let (p1, p3) = (w.path("p1.pem"), w.path("p3.pem"));
    partial(1, &root_tbs, &p1);
    partial(3, &root_tbs, &p3);
    let root = w.path("root.crt");
    cert(&[
        "finish",
        "--set",
        s(&set),
        "--tbs",
        s(&root_tbs),
        s(&p1),
        s(&p3),
        "--log",
        s(&log),
        "-o",
        s(&root),
    ]);
    let verified = stdout_of(kmi().args(["log", "verify", s(&log)]));
    assert!(verified.starts_with("2 entries, unbroken"), "{verified}");
    let lines = std::fs::read_to_string(&log).unwrap();
    assert!(
        lines.contains("\"cert finish\"") && lines.contains("\"shares\":[1,3]"),
        "{lines}"
    );
    openssl_verifies(&root, None, &root);

    // The threshold CA issues a leaf from a request.
    let alice = rsa_key(&w, "alice.pem", "a2");
    let csr = w.path("alice.csr");
    cert(&[
        "request",
        "--key",
        s(&alice),
        "--subject",
        "CN=Alice",
        "--usage",
        "code-signing",
        "-o",
        s(&csr),
    ]);
    let leaf_tbs = w.path("leaf.tbs");
    cert(&[
        "prepare",
        "issue",
        "--set",
        s(&set),
        "--ca-cert",
        s(&root),
        s(&csr),
        "--days",
        "365",
        "-o",
        s(&leaf_tbs),
    ]);
    let (q2, q3) = (w.path("q2.pem"), w.path("q3.pem"));
    partial(2, &leaf_tbs, &q2);
    partial(3, &leaf_tbs, &q3);
    // A partial on another TBS is named and skipped; with only one good partial nothing is written.
    let leaf = w.path("leaf.crt");
    let out = output_of(kmi().args([
        "cert",
        "finish",
        "--set",
        s(&set),
        "--tbs",
        s(&leaf_tbs),
        s(&q2),
        s(&p1),
        "-o",
        s(&leaf),
    ]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("inputDigest mismatch"),
        "{out:?}"
    );
    assert!(!leaf.exists());
    cert(&[
        "finish",
        "--set",
        s(&set),
        "--tbs",
        s(&leaf_tbs),
        s(&q2),
        s(&q3),
        "-o",
        s(&leaf),
    ]);
    openssl_verifies(&root, None, &leaf);

    // A request signed by the trustees.
    let req_tbs = w.path("req.tbs");
    cert(&[
        "prepare",
        "request",
        "--set",
        s(&set),
        "--subject",
        "CN=Shared",
        "-o",
        s(&req_tbs),
    ]);
    let (r1, r2) = (w.path("r1.pem"), w.path("r2.pem"));
    partial(1, &req_tbs, &r1);
    partial(2, &req_tbs, &r2);
    let req = w.path("shared.csr");
    cert(&[
        "finish",
        "--set",
        s(&set),
        "--tbs",
        s(&req_tbs),
        s(&r1),
        s(&r2),
        "-o",
        s(&req),
    ]);
    assert!(output_of(
        openssl()
            .args(["req", "-verify", "-noout", "-in"])
            .arg(&req)
    )
    .status
    .success());
}

/// One line on stderr, the exit status, and no output file.
fn refused(args: &[&str], out: &Path, code: i32, words: &str) {
    let o = output_of(kmi().arg("cert").args(args).arg("-o").arg(out));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(words), "{err}");
    assert!(!out.exists(), "{} was written", out.display());
}

#[test]
fn bad_requests_issuers_and_keys_are_refused_with_nothing_written() {
    let w = Work::new();
    let (ca_key, ca) = kmi_root(&w);
    let alice = rsa_key(&w, "alice.pem", "a3");
    let csr = w.path("alice.csr");
    cert(&[
        "request",
        "--key",
        s(&alice),
        "--subject",
        "CN=Alice",
        "--der",
        "-o",
        s(&csr),
    ]);
    let mut der = std::fs::read(&csr).unwrap();
    let last = der.len() - 1;
    der[last] ^= 1;
    let forged = w.write("forged.csr", der);
    let out = w.path("out.crt");
    refused(
        &[
            "issue",
            "--ca-key",
            s(&ca_key),
            "--ca-cert",
            s(&ca),
            s(&forged),
        ],
        &out,
        1,
        "self-signature does not verify",
    );
    // A leaf certificate (no keyCertSign) as the issuer.
    let leaf = w.path("leaf.crt");
    cert(&[
        "issue",
        "--ca-key",
        s(&ca_key),
        "--ca-cert",
        s(&ca),
        s(&csr),
        "-o",
        s(&leaf),
    ]);
    refused(
        &[
            "issue",
            "--ca-key",
            s(&alice),
            "--ca-cert",
            s(&leaf),
            s(&csr),
        ],
        &out,
        1,
        "lacks keyCertSign",
    );
    // A CA key that is not the CA certificate's.
    refused(
        &["issue", "--ca-key", s(&alice), "--ca-cert", s(&ca), s(&csr)],
        &out,
        2,
        "the CA key does not match",
    );
    refused(
        &[
            "issue",
            "--ca-key",
            s(&ca_key),
            "--ca-cert",
            s(&ca),
            s(&csr),
            "--days",
            "4000",
        ],
        &out,
        2,
        "would outlive its issuer",
    );
    refused(
        &["self-sign", "--key", s(&alice), "--subject", "Alice"],
        &out,
        2,
        "RFC 4514",
    );
    let eg = kmi_generate(
        &w,
        "eg.pem",
        &["elgamal", "--group", "ffdhe2048", "--seed", "e8"],
    );
    refused(
        &[
            "issue",
            "--ca-key",
            s(&ca_key),
            "--ca-cert",
            s(&ca),
            "--public",
            s(&eg),
            "--subject",
            "CN=E",
            "--usage",
            "sign",
        ],
        &out,
        2,
        "cannot sign",
    );
}

/// A 2-of-3 sign set of a new seeded safe-prime key; the whole key is deleted.
fn sign_set(w: &Work, name: &str, bits: &str, seed: &str) -> PathBuf {
    let key = kmi_generate(
        w,
        &format!("{name}.pem"),
        &["rsa", "--bits", bits, "--threads", "1", "--seed", seed],
    );
    let dir = w.path(name);
    kmi()
        .args(["--quiet", "share", "split"])
        .arg(&key)
        .args(["-k", "2", "-n", "3", "--purpose", "sign", "--plain", "-o"])
        .arg(&dir)
        .assert()
        .success();
    std::fs::remove_file(&key).unwrap();
    dir
}

/// Partials of shares `who` of the set in `dir` on `input`.
fn partials(w: &Work, dir: &Path, who: &[u32], input: &Path, tag: &str) -> Vec<PathBuf> {
    who.iter()
        .map(|i| {
            let p = w.path(&format!("{tag}-{i}.pem"));
            kmi()
                .args(["--quiet", "share", "partial", "--share"])
                .arg(dir.join(format!("share-{i}.pem")))
                .arg("--sign")
                .arg(input)
                .arg("-o")
                .arg(&p)
                .assert()
                .success();
            p
        })
        .collect()
}

/// The issue's ceremony: a 2-of-3 threshold root CA signs itself and a policy signer's
/// certificate (the policy key is another 2-of-3 set), and a CCM policy signed 2-of-3 with that
/// leaf passes jarsigner -verify -strict with only the root in the keystore; openssl and certtool
/// accept the threshold-signed chain. (The root key has 1024 bits: Java refuses a chain through a
/// smaller RSA key.)
#[test]
fn a_policy_signed_under_a_threshold_root_passes_jarsigner() {
    if !require_peers(&["openssl", "keytool", "jarsigner"]) {
        return;
    }
    let w = Work::new();
    let root_set = sign_set(&w, "root", "1024", "7a");
    let policy_set = sign_set(&w, "policy", "1024", "7b");
    let (root_set_file, policy_set_file) = (root_set.join("set.pem"), policy_set.join("set.pem"));

    let root_tbs = w.path("root.tbs");
    cert(&[
        "prepare",
        "self-sign",
        "--set",
        s(&root_set_file),
        "--subject",
        "CN=Threshold Root",
        "--days",
        "3650",
        "--ca",
        "-o",
        s(&root_tbs),
    ]);
    let root = w.path("root.crt");
    let ps = partials(&w, &root_set, &[2, 3], &root_tbs, "r");
    cert(&[
        "finish",
        "--set",
        s(&root_set_file),
        "--tbs",
        s(&root_tbs),
        s(&ps[0]),
        s(&ps[1]),
        "-o",
        s(&root),
    ]);

    let public = w.path("policy-public.pem");
    kmi()
        .args(["key", "public", s(&policy_set_file), "-o", s(&public)])
        .assert()
        .success();
    let leaf_tbs = w.path("leaf.tbs");
    cert(&[
        "prepare",
        "issue",
        "--set",
        s(&root_set_file),
        "--ca-cert",
        s(&root),
        "--public",
        s(&public),
        "--subject",
        "CN=Policy signer",
        "--usage",
        "sign,code-signing",
        "--days",
        "365",
        "-o",
        s(&leaf_tbs),
    ]);
    let leaf = w.path("leaf.crt");
    let ps = partials(&w, &root_set, &[1, 3], &leaf_tbs, "l");
    cert(&[
        "finish",
        "--set",
        s(&root_set_file),
        "--tbs",
        s(&leaf_tbs),
        s(&ps[0]),
        s(&ps[1]),
        "-o",
        s(&leaf),
    ]);
    openssl_verifies(&root, None, &leaf);
    // GnuTLS agrees: the chain the trustees signed verifies like any other.
    if require_peer("certtool").is_some() {
        let chain = [std::fs::read(&leaf).unwrap(), std::fs::read(&root).unwrap()].concat();
        let chain = w.write("chain.pem", chain);
        let out = output_of(
            assert_cmd::Command::new(peer_program("certtool"))
                .args(["--verify-chain", "--infile"])
                .arg(&chain),
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("Verified") && !text.contains("Not verified"),
            "{text}"
        );
    }

    let policy = w.path("ccm.txt");
    kmi()
        .args(["ccm", "template", "--export", "-o", s(&policy)])
        .assert()
        .success();
    let sf = w.path("ccm.sf");
    kmi()
        .args(["--quiet", "ccm", "prepare", s(&policy), "-o", s(&sf)])
        .assert()
        .success();
    let ps = partials(&w, &policy_set, &[1, 2], &sf, "c");
    let jar = w.path("policy.jar");
    kmi()
        .args([
            "--quiet",
            "ccm",
            "sign",
            s(&policy),
            "--threshold-set",
            s(&policy_set_file),
            "--partials",
            s(&ps[0]),
            s(&ps[1]),
            "--cert",
            s(&leaf),
            "--chain",
            s(&root),
            "-o",
            s(&jar),
        ])
        .assert()
        .success();
    let store = w.path("trust.p12");
    let out = output_of(assert_cmd::Command::new(peer_program("keytool")).args([
        "-importcert",
        "-noprompt",
        "-alias",
        "root",
        "-file",
        s(&root),
        "-keystore",
        s(&store),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit",
    ]));
    assert!(out.status.success(), "{out:?}");
    let out = output_of(assert_cmd::Command::new(peer_program("jarsigner")).args([
        "-verify",
        "-strict",
        "-keystore",
        s(&store),
        "-storepass",
        "changeit",
        s(&jar),
    ]));
    assert!(out.status.success(), "{out:?}");
    kmi()
        .args(["ccm", "verify", s(&jar), "--trust", s(&root)])
        .assert()
        .success();
}
