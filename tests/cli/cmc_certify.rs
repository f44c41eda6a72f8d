//! Issue 12, certificate issuance: an agent given `--ca-key/--ca-cert` certifies the encryption
//! key of an archive request (draft 5.3, archival step 4) and the key it generates (4.2, 4.3
//! step 6), returns the certificate and the CA's chain in the response's certificate bag, and
//! names a generated key's certificate in ServerKeyGenResponse.issuerAndSerialNumber. The judge
//! is openssl: it takes the certificates out of the response (`openssl cms -verify -certsout`)
//! and `openssl verify -CAfile` accepts them; `openssl x509 -text` shows keyEncipherment only.
//! A CA that cannot issue is the operator's mistake: exit 2 and no response.

use std::path::Path;

use crate::common::*;

/// Run `sh -c script` in `w` with kmi on PATH; panic with its output on failure.
fn sh(w: &Work, script: &str) -> String {
    let kmi_dir = kmi_path().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        kmi_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg("-ec")
        .arg(script)
        .current_dir(w.dir.path())
        .env("PATH", path)
        .env("OPENSSL", peer_program("openssl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A CA (keyCertSign), the agent and alice's signing credentials, and alice's encryption key,
/// all made by openssl.
fn parties(w: &Work) {
    sh(
        w,
        r#"
        "$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 \
            -subj "/CN=kmi test CA" -addext basicConstraints=critical,CA:TRUE \
            -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
        "$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout agent.key -out agent.crt -days 30 \
            -subj "/CN=agent" 2>/dev/null
        "$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout alice-sign.key -out alice-sign.crt \
            -days 30 -subj "/CN=alice" 2>/dev/null
        "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out alice-enc.pem 2>/dev/null
        "#,
    );
}

/// The certificates of a response, as openssl reads them from its SignedData.
fn response_certs(w: &Work, rsp: &str, out: &str) {
    sh(
        w,
        &format!(
            r#""$OPENSSL" cms -verify -noverify -binary -inform DER -in {rsp} -certsout {out} -out /dev/null 2>/dev/null"#
        ),
    );
}

/// The certificate in `bundle` whose subject is `cn`, written to `out`.
fn cert_named(w: &Work, bundle: &str, cn: &str, out: &str) {
    let text = std::fs::read_to_string(w.path(bundle)).unwrap();
    let mut found = None;
    for block in text.split_inclusive("-----END CERTIFICATE-----\n") {
        let f = w.write("one.pem", block);
        let subject = sh(
            w,
            &format!(
                r#""$OPENSSL" x509 -in {} -noout -subject -nameopt RFC2253"#,
                f.display()
            ),
        );
        if subject.trim() == format!("subject=CN={cn}") {
            found = Some(block.to_string());
        }
    }
    let block = found.unwrap_or_else(|| panic!("no certificate for CN={cn} in\n{text}"));
    w.write(out, block);
}

fn assert_encryption_cert(w: &Work, cert: &str, key_usage: &str) {
    sh(w, &format!(r#""$OPENSSL" verify -CAfile ca.crt {cert}"#));
    let text = sh(w, &format!(r#""$OPENSSL" x509 -in {cert} -noout -text"#));
    assert!(text.contains(key_usage), "{text}");
    assert!(!text.contains("Digital Signature"), "{text}");
    assert!(text.contains("Issuer: CN = kmi test CA"), "{text}");
}

#[test]
fn the_agent_certifies_archived_and_generated_keys_and_openssl_verifies_them() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    parties(&w);
    let respond = format!(
        "kmi cmc respond --der --agent-key agent.key --agent-cert agent.crt {} \
         --ca-key ca.key --ca-cert ca.crt --days 20 --keygen-bits 1024",
        store_words(w.dir.path(), "store")
    );
    // Archival: the PKCS#10 of alice's encryption key is certified.
    sh(
        &w,
        &format!(
            "kmi cmc archive-request --der --key alice-enc.pem --agent agent.crt --subject CN=alice-enc \
             --sign-key alice-sign.key --sign-cert alice-sign.crt -o archive.req
             {respond} archive.req -o archive.rsp"
        ),
    );
    response_certs(&w, "archive.rsp", "archive-certs.pem");
    cert_named(&w, "archive-certs.pem", "alice-enc", "alice-enc.crt");
    cert_named(&w, "archive-certs.pem", "kmi test CA", "chain-ca.crt");
    assert_encryption_cert(&w, "alice-enc.crt", "Key Encipherment");
    // The certificate is of the archived key.
    let cert_key = sh(&w, r#""$OPENSSL" x509 -in alice-enc.crt -noout -pubkey"#);
    let own_key = sh(&w, r#""$OPENSSL" pkey -in alice-enc.pem -pubout"#);
    assert_eq!(cert_key, own_key);

    // Server key generation: the generated key is certified and the response names the
    // certificate by issuer and serial number.
    sh(
        &w,
        &format!(
            "kmi cmc keygen-request --der --subject CN=bob --shroud-key alice-sign.crt \
             --sign-key alice-sign.key --sign-cert alice-sign.crt -o keygen.req
             {respond} keygen.req -o keygen.rsp
             kmi cmc extract keygen.rsp --request keygen.req --key alice-sign.key \
             --agent-cert agent.crt -o bob.pem"
        ),
    );
    response_certs(&w, "keygen.rsp", "keygen-certs.pem");
    cert_named(&w, "keygen-certs.pem", "bob", "bob.crt");
    assert_encryption_cert(&w, "bob.crt", "Key Encipherment");
    let cert_key = sh(&w, r#""$OPENSSL" x509 -in bob.crt -noout -pubkey"#);
    let own_key = sh(&w, r#""$OPENSSL" pkey -in bob.pem -pubout"#);
    assert_eq!(cert_key, own_key, "the certificate is of the generated key");
    let serial = sh(&w, r#""$OPENSSL" x509 -in bob.crt -noout -serial"#);
    let serial = serial
        .trim()
        .strip_prefix("serial=")
        .unwrap()
        .to_lowercase();
    let parsed = sh(&w, "kmi cmc parse --json keygen.rsp");
    let v: serde_json::Value = serde_json::from_str(&parsed).unwrap();
    let text = v.to_string();
    assert!(
        text.contains(&format!("\"serial\":\"{serial}\"")),
        "ServerKeyGenResponse names serial {serial}: {text}"
    );
}

#[test]
fn a_ca_that_cannot_issue_is_a_setup_mistake() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    parties(&w);
    sh(
        &w,
        "kmi cmc archive-request --der --key alice-enc.pem --agent agent.crt --subject CN=alice-enc \
         --sign-key alice-sign.key --sign-cert alice-sign.crt -o archive.req",
    );
    for (key, cert, why) in [
        // A certificate without keyCertSign.
        (
            "alice-sign.key",
            "alice-sign.crt",
            "cannot issue certificates",
        ),
        // A key that is not the certificate's.
        ("agent.key", "ca.crt", "is not the certificate of --ca-key"),
    ] {
        let out = output_of(kmi().current_dir(w.dir.path()).args([
            "cmc",
            "respond",
            "--der",
            "--agent-key",
            "agent.key",
            "--agent-cert",
            "agent.crt",
            "--store",
            "store",
            "--ca-key",
            key,
            "--ca-cert",
            cert,
            "archive.req",
            "-o",
            "r.rsp",
        ]));
        let line = one_line_error(&out, 2);
        assert!(line.contains(why), "{line}");
        assert!(!w.path("r.rsp").exists());
        assert!(!Path::new(&w.path("store")).join("x").exists());
    }
}
