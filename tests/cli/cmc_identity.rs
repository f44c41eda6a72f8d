//! `kmi cmc` without a signing key (issue 12, the archive draft's sections 4.3 step 3, 5.3 and 8):
//! `--shared-secret-file` requests in AuthenticatedData with identityProofV2, `cmc respond
//! --identity-secrets`, catastrophic-loss recovery with `recovery-request --new-sign-key`, and the
//! peers: openssl prints kmi's AuthenticatedData, scripts/cmc_peer.py checks its MAC and the
//! identity proof without kmi (hashlib PBKDF2 and HMAC, openssl's AES key unwrap: openssl 3.0
//! cannot verify an AuthenticatedData MAC itself), scripts/cmc_archive_asn1.py decodes the
//! identification and identityProofV2 controls from RFC 5272's definitions.

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::*;

const ALICE: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const WRONG: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

fn ossl(w: &Work, args: &[&str]) -> Vec<u8> {
    let out = output_of(openssl().current_dir(w.dir.path()).args(args));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// A peer script under KMI_PYTHON; its stdout, asserting success.
fn py(name: &str, args: &[&OsStr]) -> String {
    let python = peer_program("KMI_PYTHON");
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

/// The parties: the agent (key and self-signed certificate), alice's shroud certificate and
/// key, her encryption key to archive, her new signing key, the secret files.
struct Setup {
    w: Work,
}

impl Setup {
    fn new() -> Self {
        let w = Work::new();
        for name in ["agent", "alice"] {
            ossl(
                &w,
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:1024",
                    "-nodes",
                    "-days",
                    "30",
                    "-subj",
                    &format!("/CN={name}"),
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.crt"),
                ],
            );
        }
        for name in ["enc.key", "new.key"] {
            ossl(
                &w,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:1024",
                    "-out",
                    name,
                ],
            );
        }
        w.write("alice.secret", format!("{ALICE}\n"));
        w.write("wrong.secret", format!("{WRONG}\n"));
        let secrets = w.write(
            "secrets",
            format!("# the agent's identities\nalice={ALICE}\nbob={WRONG}\n"),
        );
        std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
        Setup { w }
    }

    fn p(&self, name: &str) -> PathBuf {
        self.w.path(name)
    }

    /// `kmi --quiet ARGS` in the work directory.
    fn kmi(&self, args: &[&str]) -> Output {
        output_of(
            kmi()
                .current_dir(self.w.dir.path())
                .arg("--quiet")
                .args(args),
        )
    }

    fn kmi_ok(&self, args: &[&str]) {
        let out = self.kmi(args);
        assert!(
            out.status.success(),
            "kmi {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn respond(&self, req: &str, store: &str, rsp: &str, extra: &[&str]) -> Output {
        let store_args: Vec<String> = store_args(&self.w.path(store))
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let mut args = vec![
            "cmc",
            "respond",
            "--der",
            "--json",
            "--agent-key",
            "agent.key",
            "--agent-cert",
            "agent.crt",
            "-o",
            rsp,
        ];
        args.extend(store_args.iter().map(String::as_str));
        args.extend_from_slice(extra);
        args.push(req);
        self.kmi(&args)
    }

    fn respond_ok(&self, req: &str, store: &str, rsp: &str) -> Value {
        self.respond_ok_with(req, store, rsp, &[])
    }

    fn respond_ok_with(&self, req: &str, store: &str, rsp: &str, extra: &[&str]) -> Value {
        let mut args = vec!["--identity-secrets", "secrets"];
        args.extend_from_slice(extra);
        let out = self.respond(req, store, rsp, &args);
        assert!(
            out.status.success(),
            "kmi cmc respond failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["ok"], Value::Bool(true), "{v:#}");
        v
    }

    fn parse_json(&self, msg: &str) -> Value {
        let out = self.kmi(&["cmc", "parse", "--json", msg]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn archive(&self, out: &str) {
        self.kmi_ok(&[
            "cmc",
            "archive-request",
            "--der",
            "--key",
            "enc.key",
            "--agent",
            "agent.crt",
            "--identity",
            "alice",
            "--shared-secret-file",
            "alice.secret",
            "-o",
            out,
        ]);
    }

    fn same_public(&self, a: &str, b: &str) -> bool {
        let pubout = |k: &str| ossl(&self.w, &["pkey", "-in", k, "-pubout"]);
        pubout(a) == pubout(b)
    }
}

/// The statusInfoV2 value of a response as `cmc parse --json` reports it.
fn status(s: &Setup, rsp: &str) -> Value {
    let v = s.parse_json(rsp);
    v["content"]["econtent"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"]["type"] == "status_info_v2")
        .map(|c| c["value"].clone())
        .expect("a status control")
}

#[test]
fn a_shared_secret_archives_and_recovers_and_peers_read_the_authenticated_data() {
    let s = Setup::new();
    s.archive("a.req");
    // openssl parses the AuthenticatedData (it cannot check its MAC).
    let printed = String::from_utf8(ossl(
        &s.w,
        &["cms", "-cmsout", "-print", "-inform", "DER", "-in", "a.req"],
    ))
    .unwrap();
    assert!(printed.contains("authData"), "{printed}");
    assert!(printed.contains("d.pwri"), "{printed}");
    assert!(printed.contains("hmacWithSHA256"), "{printed}");
    // kmi's own report: an AuthenticatedData layer around the PKIData, with identification.
    let v = s.parse_json("a.req");
    assert_eq!(v["content"]["kind"], "authenticated_data", "{v:#}");
    let text = v.to_string();
    assert!(text.contains("\"alice\""), "{v:#}");
    assert!(text.contains("id-cmc-identityProofV2"), "{v:#}");
    if require_peer("KMI_PYTHON").is_some() {
        let out = py(
            "cmc_peer.py",
            &[
                OsStr::new("identity"),
                OsStr::new("--secret"),
                OsStr::new(ALICE),
                s.p("a.req").as_os_str(),
            ],
        );
        assert!(out.contains("mac ok"), "{out}");
        assert!(out.contains("identityProofV2 ok alice"), "{out}");
        let out = py(
            "cmc_archive_asn1.py",
            &[OsStr::new("controls"), s.p("a.req").as_os_str()],
        );
        assert!(
            out.contains("identification: ok; identification: 'alice'"),
            "{out}"
        );
        assert!(out.contains("identityProofV2: ok"), "{out}");
        assert!(out.contains("0 not Appendix A DER"), "{out}");
    }
    let r = s.respond_ok("a.req", "store", "a.rsp");
    assert_eq!(r["outcome"]["identity"], "alice");
    assert_eq!(r["outcome"]["signers"].as_array().unwrap().len(), 0);
    assert_eq!(r["outcome"]["identity_proved"], Value::Bool(true), "{r:#}");

    s.kmi_ok(&[
        "cmc",
        "recovery-request",
        "--der",
        "--identity",
        "alice",
        "--shroud-key",
        "alice.crt",
        "--shared-secret-file",
        "alice.secret",
        "-o",
        "r.req",
    ]);
    if require_peer("KMI_PYTHON").is_some() {
        let out = py(
            "cmc_peer.py",
            &[
                OsStr::new("identity"),
                OsStr::new("--secret"),
                OsStr::new(ALICE),
                s.p("r.req").as_os_str(),
            ],
        );
        assert!(out.contains("identityProofV2 ok alice"), "{out}");
    }
    s.respond_ok("r.req", "store", "r.rsp");
    s.kmi_ok(&[
        "cmc",
        "extract",
        "r.rsp",
        "--request",
        "r.req",
        "--key",
        "alice.key",
        "--agent-cert",
        "agent.crt",
        "-o",
        "got.pem",
    ]);
    assert!(s.same_public("got.pem", "enc.key"));
}

#[test]
fn a_wrong_secret_an_unknown_name_and_no_secrets_are_the_same_bad_identity() {
    let s = Setup::new();
    s.archive("a.req");
    s.respond_ok("a.req", "store", "a.rsp");
    s.kmi_ok(&[
        "cmc",
        "recovery-request",
        "--der",
        "--identity",
        "alice",
        "--shroud-key",
        "alice.crt",
        "--shared-secret-file",
        "wrong.secret",
        "-o",
        "wrong.req",
    ]);
    s.kmi_ok(&[
        "cmc",
        "recovery-request",
        "--der",
        "--identity",
        "carol",
        "--shroud-key",
        "alice.crt",
        "--shared-secret-file",
        "alice.secret",
        "-o",
        "carol.req",
    ]);
    s.kmi_ok(&[
        "cmc",
        "recovery-request",
        "--der",
        "--identity",
        "alice",
        "--shroud-key",
        "alice.crt",
        "--shared-secret-file",
        "alice.secret",
        "-o",
        "good.req",
    ]);
    let mut seen = Vec::new();
    for (req, rsp, extra) in [
        (
            "wrong.req",
            "wrong.rsp",
            &["--identity-secrets", "secrets"][..],
        ),
        (
            "carol.req",
            "carol.rsp",
            &["--identity-secrets", "secrets"][..],
        ),
        ("good.req", "none.rsp", &[][..]),
    ] {
        let out = s.respond(req, "store", rsp, extra);
        let line = one_line_error(&out, 1);
        assert!(line.contains("badIdentity"), "{line}");
        let st = status(&s, rsp);
        assert!(st.to_string().contains("badIdentity"), "{st:#}");
        // The same words, but for the name of the response file.
        let line = line.replace(rsp, "RSP");
        seen.push((line, st["status_string"].clone(), st["body_list"].clone()));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["outcome"]["keys"].as_array().unwrap().is_empty());
    }
    assert!(seen.windows(2).all(|p| p[0] == p[1]), "{seen:#?}");
}

#[test]
fn the_secrets_file_must_be_private_and_well_formed() {
    let s = Setup::new();
    s.archive("a.req");
    let secrets = s.p("secrets");
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = s.respond(
        "a.req",
        "store",
        "a.rsp",
        &["--identity-secrets", "secrets"],
    );
    let line = one_line_error(&out, 2);
    assert!(line.contains("chmod 600"), "{line}");
    assert!(!s.p("a.rsp").exists(), "a setup mistake writes no response");
    let bad = s.w.write("bad", "alice=not-hex\n");
    std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = s.respond("a.req", "store", "a.rsp", &["--identity-secrets", "bad"]);
    let line = one_line_error(&out, 2);
    assert!(line.contains("line 1"), "{line}");
    assert!(
        !line.contains("not-hex"),
        "the secret is not echoed: {line}"
    );
    let out = s.respond(
        "a.req",
        "store",
        "a.rsp",
        &["--identity-secrets", "missing"],
    );
    one_line_error(&out, 2);
    assert!(!s.p("a.rsp").exists());
}

#[test]
fn catastrophic_loss_recovery_with_a_new_signing_key() {
    let s = Setup::new();
    s.archive("a.req");
    s.respond_ok("a.req", "store", "a.rsp");
    s.kmi_ok(&[
        "cmc",
        "recovery-request",
        "--der",
        "--identity",
        "alice",
        "--shroud-key",
        "alice.crt",
        "--new-sign-key",
        "new.key",
        "--subject",
        "CN=alice,O=Example",
        "--shared-secret-file",
        "alice.secret",
        "-o",
        "c.req",
    ]);
    let v = s.parse_json("c.req");
    assert_eq!(v["content"]["kind"], "signed_data", "{v:#}");
    let signer = &v["content"]["signers"][0];
    assert_eq!(signer["status"]["verified"], Value::Bool(true), "{v:#}");
    assert!(
        signer.to_string().contains("\"05\""),
        "serial = the bodyPartID: {signer:#}"
    );
    if require_peer("KMI_PYTHON").is_some() {
        let out = py(
            "cmc_peer.py",
            &[
                OsStr::new("identity"),
                OsStr::new("--secret"),
                OsStr::new(ALICE),
                s.p("c.req").as_os_str(),
            ],
        );
        assert!(out.contains("signed"), "{out}");
        assert!(out.contains("identityProofV2 ok alice"), "{out}");
    }
    s.respond_ok("c.req", "store", "c.rsp");
    let st = status(&s, "c.rsp");
    assert!(
        st.to_string().contains("no certificate was issued"),
        "{st:#}"
    );
    s.kmi_ok(&[
        "cmc",
        "extract",
        "c.rsp",
        "--request",
        "c.req",
        "--key",
        "alice.key",
        "--agent-cert",
        "agent.crt",
        "-o",
        "got.pem",
    ]);
    assert!(s.same_public("got.pem", "enc.key"));
    // An agent with a CA certifies the new signing key: the certificate comes back in the
    // response's certificate bag, for the new key, and openssl verify accepts it.
    ossl(
        &s.w,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=kmi CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ],
    );
    s.respond_ok_with(
        "c.req",
        "store",
        "ca.rsp",
        &["--ca-key", "ca.key", "--ca-cert", "ca.crt", "--days", "7"],
    );
    let st = status(&s, "ca.rsp");
    assert!(st.to_string().contains("is certified"), "{st:#}");
    let pem = String::from_utf8(ossl(
        &s.w,
        &["pkcs7", "-inform", "DER", "-in", "ca.rsp", "-print_certs"],
    ))
    .unwrap();
    let new_pub = ossl(&s.w, &["pkey", "-in", "new.key", "-pubout"]);
    let mut certified = 0;
    for (i, block) in pem.split("-----BEGIN CERTIFICATE-----").skip(1).enumerate() {
        let name = format!("bag-{i}.crt");
        s.w.write(&name, format!("-----BEGIN CERTIFICATE-----{block}"));
        if ossl(&s.w, &["x509", "-in", &name, "-noout", "-pubkey"]) == new_pub {
            certified += 1;
            let subject =
                String::from_utf8(ossl(&s.w, &["x509", "-in", &name, "-noout", "-subject"]))
                    .unwrap();
            assert!(subject.contains("alice"), "{subject}");
            let out =
                String::from_utf8(ossl(&s.w, &["verify", "-CAfile", "ca.crt", &name])).unwrap();
            assert!(out.contains(": OK"), "{out}");
        }
    }
    assert_eq!(certified, 1, "{pem}");
    // The wrong secret: refused, whoever signed.
    s.kmi_ok(&[
        "cmc",
        "recovery-request",
        "--der",
        "--identity",
        "alice",
        "--shroud-key",
        "alice.crt",
        "--new-sign-key",
        "new.key",
        "--shared-secret-file",
        "wrong.secret",
        "-o",
        "w.req",
    ]);
    let out = s.respond(
        "w.req",
        "store",
        "w.rsp",
        &["--identity-secrets", "secrets"],
    );
    assert!(one_line_error(&out, 1).contains("badIdentity"));
}

#[test]
fn shared_secret_flags_that_do_not_go_together_are_usage_errors() {
    let s = Setup::new();
    for (args, says) in [
        (
            &[
                "cmc",
                "archive-request",
                "--der",
                "--key",
                "enc.key",
                "--agent",
                "agent.crt",
                "--identity",
                "alice",
                "--shared-secret-file",
                "alice.secret",
                "--sign-key",
                "alice.key",
                "-o",
                "x.req",
            ][..],
            "--sign-key",
        ),
        (
            &[
                "cmc",
                "archive-request",
                "--der",
                "--key",
                "enc.key",
                "--agent",
                "agent.crt",
                "--identity",
                "alice",
                "--shared-secret-file",
                "alice.secret",
                "--placement",
                "unsigned",
                "-o",
                "x.req",
            ][..],
            "--placement unsigned",
        ),
        (
            &[
                "cmc",
                "recovery-request",
                "--der",
                "--identity",
                "alice",
                "--shroud-key",
                "alice.crt",
                "--new-sign-key",
                "new.key",
                "-o",
                "x.req",
            ][..],
            "--secret-file",
        ),
        (
            &[
                "cmc",
                "recovery-request",
                "--der",
                "--shroud-key",
                "alice.crt",
                "--shared-secret-file",
                "alice.secret",
                "-o",
                "x.req",
            ][..],
            "--owner",
        ),
        (
            &[
                "cmc",
                "keygen-request",
                "--der",
                "--subject",
                "CN=alice",
                "--shroud-key",
                "alice.crt",
                "--shared-secret-file",
                "wrong.secret",
                "--shared-secret-fd",
                "3",
                "-o",
                "x.req",
            ][..],
            "",
        ),
    ] {
        let out = s.kmi(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}"
        );
        assert!(!s.p("x.req").exists());
    }
    // A short secret is refused without echoing it.
    s.w.write("short.secret", "0011\n");
    let out = s.kmi(&[
        "cmc",
        "recovery-request",
        "--der",
        "--identity",
        "alice",
        "--shroud-key",
        "alice.crt",
        "--shared-secret-file",
        "short.secret",
        "-o",
        "x.req",
    ]);
    let line = one_line_error(&out, 2);
    assert!(line.contains("at least 16 octets"), "{line}");
}

#[test]
fn a_shared_secret_keygen_request_is_answered() {
    let s = Setup::new();
    s.kmi_ok(&[
        "cmc",
        "keygen-request",
        "--der",
        "--subject",
        "CN=alice",
        "--shroud-key",
        "alice.crt",
        "--archive",
        "--shared-secret-file",
        "alice.secret",
        "-o",
        "k.req",
    ]);
    if require_peer("KMI_PYTHON").is_some() {
        let out = py(
            "cmc_peer.py",
            &[
                OsStr::new("identity"),
                OsStr::new("--secret"),
                OsStr::new(ALICE),
                s.p("k.req").as_os_str(),
            ],
        );
        assert!(out.contains("mac ok"), "{out}");
        assert!(out.contains("identityProofV2 ok alice"), "{out}");
    }
    let r = s.respond_ok_with("k.req", "store", "k.rsp", &["--keygen-bits", "1024"]);
    assert_eq!(
        r["outcome"]["keys"][0]["action"], "generated and stored",
        "{r:#}"
    );
}
