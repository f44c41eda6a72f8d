//! Issue 12 through the binary (agent side): `cmc respond --log` records every decision in the
//! ceremony record that `kmi log verify` checks; three archived keys (two by certificateID) come
//! back in one id-ct-multiplePrivateKeys that `cmc extract` writes as three files and the
//! independent Appendix A transcription decodes; an unauthorised recovery is answered like one
//! for an identity without keys; setup mistakes of the agent exit 2 and write no response.

use super::*;

/// An openssl certificate (CN=alice) for `key` that declares keyUsage `usage`.
fn cert_with_usage(w: &Work, key: &Path, name: &str, usage: &str) -> PathBuf {
    let crt = w.path(name);
    ossl(
        w,
        &[
            os("req"),
            os("-x509"),
            os("-key"),
            key.as_os_str(),
            os("-subj"),
            os("/CN=alice"),
            os("-days"),
            os("30"),
            os("-addext"),
            os(&format!("keyUsage=critical,{usage}")),
            os("-out"),
            crt.as_os_str(),
        ],
    );
    crt
}

/// `kmi cmc archive-request --der --cert CRT --key KEY`, signed by alice's certificate.
fn archive_by_cert(
    w: &Work,
    p: &Pki,
    key: &Path,
    crt: &Path,
    selection: &str,
    name: &str,
) -> PathBuf {
    let out = w.path(name);
    kmi_ok(&[
        os("cmc"),
        os("archive-request"),
        os("--der"),
        os("--key"),
        key.as_os_str(),
        os("--cert"),
        crt.as_os_str(),
        os("--agent"),
        p.agent_crt.as_os_str(),
        os("--selection"),
        os(selection),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        out.as_os_str(),
    ]);
    out
}

/// The lines of a ceremony record, parsed.
fn record_lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn respond_log_records_every_decision_and_three_keys_come_back_together() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let log = w.path("escrow.log");
    let logged = [os("--log"), log.as_os_str()];

    // Three keys for alice: one with a certification request, two by certificateID.
    let req1 = archive_request(&w, &p, "unsigned", Signer::Cert, "a1.req");
    let k2 = rsa_key(&w, "k2.pem");
    let k3 = rsa_key(&w, "k3.pem");
    let c2 = cert_with_usage(&w, &k2, "k2.crt", "keyEncipherment");
    let c3 = cert_with_usage(&w, &k3, "k3.crt", "keyAgreement,keyEncipherment");
    let req2 = archive_by_cert(&w, &p, &k2, &c2, "desktop", "a2.req");
    let req3 = archive_by_cert(&w, &p, &k3, &c3, "phone", "a3.req");
    // The certificateID form is Appendix A's KeyArchival, and carries no certification request.
    appendix_a_controls(&req2, "KeyArchival: ok;");
    let parsed = parse_json(&req2);
    assert_eq!(
        parsed["content"]["econtent"]["requests"]
            .as_array()
            .map_or(0, |r| r.len()),
        0,
        "{parsed:#}"
    );
    let mut fps = Vec::new();
    for (i, req) in [&req1, &req2, &req3].into_iter().enumerate() {
        let r = respond_ok(&w, &p, req, "store", &format!("a{}.rsp", i + 1), &logged);
        fps.push(fingerprint_of(&r));
    }
    assert_eq!(fps[1], openssl_fingerprint(&k2, &[]));
    // The store files the certificate's issuerAndSerialNumber with the key.
    let shown: Value = serde_json::from_str(&stdout_of(
        kmi()
            .args(["cmc", "store", "show", "--json"])
            .arg(w.path("store"))
            .arg(&fps[1]),
    ))
    .unwrap();
    assert!(
        shown["entry"]["certificate_id"].as_str().is_some(),
        "{shown:#}"
    );

    // Mallory asks for alice's keys: refused (exit 1, a failure response), and recorded.
    let (mallory_crt, mallory_key) = party(&w, "mallory");
    let steal = w.path("steal.req");
    kmi_ok(&[
        os("cmc"),
        os("recovery-request"),
        os("--der"),
        os("--identity"),
        os("alice"),
        os("--shroud-key"),
        mallory_crt.as_os_str(),
        os("--sign-key"),
        mallory_key.as_os_str(),
        os("--sign-cert"),
        mallory_crt.as_os_str(),
        os("-o"),
        steal.as_os_str(),
    ]);
    let out = respond(&w, &p, &steal, "store", "steal.rsp", &logged);
    failed_with(&out, 1);
    // ... and answered exactly as for a store without any key for alice.
    let out = respond(&w, &p, &steal, "empty-store", "steal-empty.rsp", &[]);
    failed_with(&out, 1);
    let theirs = kmi_status(&w.path("steal.rsp"));
    let none = kmi_status(&w.path("steal-empty.rsp"));
    assert_eq!(
        theirs, none,
        "an unauthorised refusal says whether keys exist"
    );
    assert_eq!(
        theirs["extended_fail_info"]["archive_error"]["name"],
        "noKeysFound"
    );

    // Alice recovers without selection criteria: all three, in one MultiplePrivateKeys.
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-key"), p.alice_crt.as_os_str()],
        Signer::Cert,
        "recover.req",
    );
    let r = respond_ok(&w, &p, &rec, "store", "recover.rsp", &logged);
    assert_eq!(r["outcome"]["keys"].as_array().unwrap().len(), 3, "{r:#}");
    let rsp = w.path("recover.rsp");
    appendix_a_controls(&rsp, "KeyRecoveryRsp: ok;");
    let env = w.path("recover.env");
    returned_envelope(&w, &rsp, &env);
    let plain = w.path("recover.plain");
    openssl_decrypt(&w, &env, &p.alice_crt, &p.alice_key, &plain);
    let said = py(
        "cmc_archive_asn1.py",
        &[os("check"), os("MultiplePrivateKeys"), plain.as_os_str()],
    );
    assert_eq!(said.matches("issuerAndSerialNumber").count(), 2, "{said}");
    assert_eq!(said.matches("subjectKeyIdentifier").count(), 1, "{said}");

    // extract writes every key, one file each, into a new directory.
    let dir = w.path("recovered");
    kmi_ok(&[
        os("cmc"),
        os("extract"),
        rsp.as_os_str(),
        os("--key"),
        p.alice_key.as_os_str(),
        os("--agent-cert"),
        p.agent_crt.as_os_str(),
        os("--request"),
        rec.as_os_str(),
        os("-o"),
        dir.as_os_str(),
    ]);
    let mut got: Vec<String> = (1..=3)
        .map(|i| {
            let f = dir.join(format!("key-{i}.pem"));
            assert_eq!(mode_of(&f), 0o600);
            openssl_fingerprint(&f, &[])
        })
        .collect();
    assert!(!dir.join("key-4.pem").exists());
    got.sort();
    let mut want = fps.clone();
    want.sort();
    assert_eq!(got, want);

    // Selection picks one key: EncKeyWithID, and the control's certificateId is the
    // certificate's issuerAndSerialNumber (Appendix A's KeyRecoveryRsp, strictly).
    let one = w.path("recover-phone.req");
    kmi_ok(&[
        os("cmc"),
        os("recovery-request"),
        os("--der"),
        os("--identity"),
        os("alice"),
        os("--selection"),
        os("phone"),
        os("--shroud-key"),
        p.alice_crt.as_os_str(),
        os("--sign-key"),
        p.alice_key.as_os_str(),
        os("--sign-cert"),
        p.alice_crt.as_os_str(),
        os("-o"),
        one.as_os_str(),
    ]);
    respond_ok(&w, &p, &one, "store", "recover-phone.rsp", &[]);
    let rsp1 = w.path("recover-phone.rsp");
    appendix_a_controls(&rsp1, "KeyRecoveryRsp: ok;");
    let said = py("cmc_archive_asn1.py", &[os("controls"), rsp1.as_os_str()]);
    assert!(
        said.contains("certificateId: issuerAndSerialNumber"),
        "{said}"
    );
    let got = extract(
        &w,
        &p,
        &rsp1,
        &[os("--key"), p.alice_key.as_os_str()],
        "phone.pem",
    );
    assert_same_key(&got, &k3);

    // The record: five decisions, an unbroken chain.
    let out = output_of(kmi().args(["log", "verify", "--json"]).arg(&log));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entries"], 5, "{v:#}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("PRIVATE"), "key material in the record");
    let lines = record_lines(&log);
    let decisions: Vec<&str> = lines
        .iter()
        .map(|l| l["agent"]["decision"].as_str().unwrap())
        .collect();
    assert_eq!(
        decisions,
        ["granted", "granted", "granted", "refused", "granted"]
    );
    for l in &lines {
        assert_eq!(l["command"], "cmc respond");
    }
    let refused = &lines[3]["agent"];
    assert_eq!(refused["kind"], "recovery");
    assert_eq!(refused["identity"], "alice");
    assert_eq!(refused["fail_info"], "noKeysFound");
    assert_eq!(
        refused["request_sha256"],
        sha256_hex(&std::fs::read(&steal).unwrap())
    );
    assert_eq!(
        refused["signers"][0],
        sha256_hex(&openssl_spki(&mallory_key, &[]))
    );
    assert!(refused["keys"].as_array().unwrap().is_empty());
    // The operator's record says what the client was not told.
    assert!(
        refused["reason"]
            .as_str()
            .unwrap()
            .contains("not signed by the key that archived"),
        "{refused:#}"
    );
    let returned: Vec<&str> = lines[4]["agent"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert_eq!(k["action"], "returned");
            k["fingerprint"].as_str().unwrap()
        })
        .collect();
    let mut returned: Vec<String> = returned.into_iter().map(String::from).collect();
    returned.sort();
    assert_eq!(returned, want);
    assert_eq!(lines[1]["agent"]["keys"][0]["fingerprint"], fps[1].as_str());
    assert_eq!(lines[1]["agent"]["keys"][0]["action"], "stored");

    // Tamper with one decision: verify fails, naming the line after it.
    std::fs::write(
        &log,
        text.replacen("\"decision\":\"refused\"", "\"decision\":\"granted\"", 1),
    )
    .unwrap();
    let out = output_of(kmi().args(["log", "verify"]).arg(&log));
    let err = failed_with(&out, 1);
    assert!(err.contains("line 5 does not follow"), "{err}");
}

/// Mistakes of the agent's own setup exit 2 with one line on stderr and write no response: a
/// store that cannot be read, an unreadable --secret-file; a key the agent cannot open (a split
/// store without --share-key) is covered in split_storage_keeps_only_shares_and_recovers_with_share_keys.
#[test]
fn agent_setup_mistakes_exit_2_and_write_no_response() {
    if !require_peers(&["openssl", "KMI_PYTHON"]) {
        return;
    }
    let w = Work::new();
    let p = pki(&w);
    let req = archive_request(&w, &p, "unsigned", Signer::Cert, "a.req");
    respond_ok(&w, &p, &req, "store", "a.rsp", &[]);
    let rec = recovery_request(
        &w,
        &p,
        &[os("--shroud-secret"), os("alice-secret")],
        Signer::Cert,
        "r.req",
    );
    let log = w.path("escrow.log");

    // An unreadable --secret-file.
    let out = respond(
        &w,
        &p,
        &rec,
        "store",
        "r.rsp",
        &[
            os("--secret-file"),
            w.path("no-such-secret").as_os_str(),
            os("--log"),
            log.as_os_str(),
        ],
    );
    let err = failed_with(&out, 2);
    assert_eq!(
        err.lines()
            .filter(|l| !l.contains("ceremony record"))
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("no-such-secret"), "{err}");
    assert!(!w.path("r.rsp").exists(), "no response for a setup mistake");
    // The record says the request was not answered.
    let lines = record_lines(&log);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["agent"]["decision"], "not answered");
    assert!(lines[0]["outputs"].as_array().unwrap().is_empty());

    // The other way round: an empty request is the client's mistake, answered (badRequest).
    let empty = w.write("empty.req", b"");
    let out = respond(&w, &p, &empty, "store", "empty.rsp", &[]);
    failed_with(&out, 1);
    assert_eq!(
        kmi_status(&w.path("empty.rsp"))["fail_info"]["name"],
        "badRequest"
    );

    // A store that cannot be read (a file that is not a store).
    w.write(
        "broken-store",
        "not a database, but long enough to be read as one ....",
    );
    for req in [&req, &rec] {
        let out = respond(&w, &p, req, "broken-store", "b.rsp", &[]);
        let err = failed_with(&out, 2);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!w.path("b.rsp").exists());
    }
}
