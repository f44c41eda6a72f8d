//! CMS EnvelopedData against openssl 3.0: `openssl cms -decrypt` opens what `kmi::cms::envelope`
//! writes (to a certificate, to a bare public key, to a passphrase), and kmi opens what `openssl
//! cms -encrypt` writes (RSA-OAEP key transport, passwords; DER, PEM and streamed BER; AES-CBC
//! EnvelopedData and AES-GCM AuthEnvelopedData) and refuses its PKCS#1 v1.5 key transport. No kmi
//! command exposes CMS yet, so the tests drive the library directly.

use std::path::Path;

use der::asn1::ObjectIdentifier;
use zeroize::Zeroizing;

use kmi::cms::{self, Recipient};
use kmi::keys::{Key, PrivateKey, RsaPrivate};

use crate::common::*;

const SHARE_CT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1.1.1");
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const MSG: &[u8] = b"kmi share bytes: not really a share, but more than one AES block long\n";
const PASSWORD: &str = "correct horse battery staple";

/// Run openssl in `w` with relative file names; assert success and return stdout.
fn ossl(w: &Work, args: &[&str]) -> Vec<u8> {
    openssl()
        .current_dir(w.dir.path())
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// A trustee: `openssl req -x509 -newkey rsa:2048` key (k.pem) and self-signed certificate (c.pem),
/// with the key loaded through kmi.
struct Trustee {
    w: Work,
    key: RsaPrivate,
    cert: x509_cert::Certificate,
}

fn trustee() -> Trustee {
    let w = Work::new();
    ossl(
        &w,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=trustee",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
        ],
    );
    let key = match kmi::keys::decode_key(&w.read("k.pem"), Path::new("k.pem"), &|| {
        unreachable!("unencrypted key")
    })
    .expect("kmi reads the openssl key")
    {
        Key::Private(PrivateKey::Rsa(k)) => k,
        other => panic!("expected an RSA private key, got {other:?}"),
    };
    let Recipient::Certificate(cert) =
        cms::recipient_from_file_bytes(&w.read("c.pem")).expect("certificate")
    else {
        panic!("c.pem is not read as a certificate")
    };
    Trustee { w, key, cert }
}

fn rng() -> rand_core::OsRng {
    rand_core::OsRng
}

fn passphrase_recipient() -> Recipient {
    Recipient::Passphrase {
        passphrase: Zeroizing::new(PASSWORD.to_string()),
        iterations: 10_000,
    }
}

fn asn1parse(w: &Work, file: &str) -> String {
    String::from_utf8(ossl(w, &["asn1parse", "-inform", "DER", "-in", file])).unwrap()
}

#[test]
fn openssl_decrypts_kmi_envelope_to_certificate() {
    if require_peer("openssl").is_none() {
        return;
    }
    let t = trustee();
    let env = cms::envelope(
        MSG,
        SHARE_CT,
        &[Recipient::Certificate(t.cert.clone())],
        &mut rng(),
    )
    .unwrap();
    t.w.write("e.der", &env);
    let out = ossl(
        &t.w,
        &[
            "cms", "-decrypt", "-inform", "DER", "-in", "e.der", "-recip", "c.pem", "-inkey",
            "k.pem",
        ],
    );
    assert_eq!(out, MSG);
    // Without -recip openssl tries the key on every recipient.
    let out = ossl(
        &t.w,
        &[
            "cms", "-decrypt", "-inform", "DER", "-in", "e.der", "-inkey", "k.pem",
        ],
    );
    assert_eq!(out, MSG);

    // The structure as openssl sees it: OAEP with explicit SHA-256 / MGF1-SHA-256 parameters and
    // our inner content type.
    let text = asn1parse(&t.w, "e.der");
    for want in [
        "pkcs7-envelopedData",
        "rsaesOaep",
        ":sha256",
        ":mgf1",
        "aes-256-cbc",
        ":1.3.6.1.4.1.32473.1.1.1",
    ] {
        assert!(text.contains(want), "asn1parse lacks {want}:\n{text}");
    }
    assert!(
        !text.contains("pkcs7-data"),
        "inner content type should not be id-data:\n{text}"
    );
    // And kmi opens its own envelope with the openssl-made key.
    let o = cms::open_with_key(&env, &t.key, Some(&t.cert)).unwrap();
    assert_eq!((o.content.as_slice(), o.content_type), (MSG, SHARE_CT));
}

#[test]
fn openssl_decrypts_kmi_envelope_to_public_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let t = trustee();
    ossl(
        &t.w,
        &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"],
    );
    let r = cms::recipient_from_file_bytes(&t.w.read("pub.pem")).unwrap();
    assert!(matches!(r, Recipient::PublicKey(_)));
    let env = cms::envelope(MSG, ID_DATA, &[r], &mut rng()).unwrap();
    t.w.write("e.der", &env);
    // rid = subjectKeyIdentifier: openssl matches it with the key alone ...
    let out = ossl(
        &t.w,
        &[
            "cms", "-decrypt", "-inform", "DER", "-in", "e.der", "-inkey", "k.pem",
        ],
    );
    assert_eq!(out, MSG);
    // ... and with the certificate, whose subjectKeyIdentifier (RFC 5280 method 1) is the same.
    let out = ossl(
        &t.w,
        &[
            "cms", "-decrypt", "-inform", "DER", "-in", "e.der", "-recip", "c.pem", "-inkey",
            "k.pem",
        ],
    );
    assert_eq!(out, MSG);
    let text = asn1parse(&t.w, "e.der");
    assert!(
        text.contains("pkcs7-data"),
        "inner content type id-data:\n{text}"
    );
}

#[test]
fn openssl_decrypts_kmi_password_envelope() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let env = cms::envelope(MSG, SHARE_CT, &[passphrase_recipient()], &mut rng()).unwrap();
    w.write("e.der", &env);
    // `-pwri_password` takes the password itself: no `pass:` prefix as with -passin.
    let pass = PASSWORD;
    let out = ossl(
        &w,
        &[
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "e.der",
            "-pwri_password",
            pass,
        ],
    );
    assert_eq!(out, MSG);
    let bad = openssl()
        .current_dir(w.dir.path())
        .args([
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "e.der",
            "-pwri_password",
            "wrong",
        ])
        .output()
        .unwrap();
    assert!(
        !bad.status.success() || bad.stdout != MSG,
        "openssl must not open it with a wrong password"
    );
    let text = asn1parse(&w, "e.der");
    for want in [
        "PBKDF2",
        "hmacWithSHA256",
        "id-alg-PWRI-KEK",
        "aes-256-cbc",
        ":1.3.6.1.4.1.32473.1.1.1",
    ] {
        assert!(text.contains(want), "asn1parse lacks {want}:\n{text}");
    }
}

#[test]
fn openssl_decrypts_each_recipient_of_a_shared_envelope() {
    if require_peer("openssl").is_none() {
        return;
    }
    let t = trustee();
    let other = trustee();
    let recips = [
        Recipient::Certificate(other.cert.clone()),
        Recipient::Certificate(t.cert.clone()),
        passphrase_recipient(),
    ];
    let env = cms::envelope(MSG, SHARE_CT, &recips, &mut rng()).unwrap();
    t.w.write("e.der", &env);
    let out = ossl(
        &t.w,
        &[
            "cms", "-decrypt", "-inform", "DER", "-in", "e.der", "-recip", "c.pem", "-inkey",
            "k.pem",
        ],
    );
    assert_eq!(out, MSG);
    // `-pwri_password` takes the password itself: no `pass:` prefix as with -passin.
    let pass = PASSWORD;
    let out = ossl(
        &t.w,
        &[
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "e.der",
            "-pwri_password",
            pass,
        ],
    );
    assert_eq!(out, MSG);
    assert_eq!(
        cms::open_with_key(&env, &other.key, None)
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
}

const OAEP_OPTS: [&str; 6] = [
    "-keyopt",
    "rsa_padding_mode:oaep",
    "-keyopt",
    "rsa_oaep_md:sha256",
    "-keyopt",
    "rsa_mgf1_md:sha256",
];

/// `openssl cms -encrypt -aes256 -in m.txt [args] -out out`.
fn openssl_encrypt(w: &Work, out: &str, args: &[&str]) -> Vec<u8> {
    w.write("m.txt", MSG);
    let mut all = vec![
        "cms", "-encrypt", "-aes256", "-binary", "-in", "m.txt", "-out", out,
    ];
    all.extend_from_slice(args);
    ossl(w, &all);
    w.read(out)
}

#[test]
fn kmi_opens_openssl_oaep_envelopes() {
    if require_peer("openssl").is_none() {
        return;
    }
    let t = trustee();
    let mut recip = vec!["-recip", "c.pem"];
    recip.extend(OAEP_OPTS);
    let der = openssl_encrypt(&t.w, "o.der", &[&recip[..], &["-outform", "DER"]].concat());
    let pem = openssl_encrypt(&t.w, "o.pem", &[&recip[..], &["-outform", "PEM"]].concat());
    let ber = openssl_encrypt(
        &t.w,
        "s.pem",
        &[&recip[..], &["-outform", "PEM", "-stream"]].concat(),
    );
    let ber_der = openssl_encrypt(
        &t.w,
        "s.ber",
        &[&recip[..], &["-outform", "DER", "-stream"]].concat(),
    );
    assert!(pem.starts_with(b"-----BEGIN CMS-----"));
    // -stream writes indefinite-length BER, which a DER decoder alone refuses.
    assert_eq!(
        &ber_der[..2],
        [0x30, 0x80],
        "openssl -stream output should be indefinite-length BER"
    );
    let text =
        String::from_utf8(ossl(&t.w, &["asn1parse", "-inform", "DER", "-in", "o.der"])).unwrap();
    assert!(
        text.contains("rsaesOaep") && text.contains(":sha256"),
        "openssl wrote:\n{text}"
    );
    for (name, input) in [
        ("DER", &der),
        ("PEM", &pem),
        ("PEM BER", &ber),
        ("DER BER", &ber_der),
    ] {
        for cert in [None, Some(&t.cert)] {
            let o =
                cms::open_with_key(input, &t.key, cert).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(o.content.as_slice(), MSG, "{name}");
            assert_eq!(o.content_type, ID_DATA, "{name}");
        }
    }
}

/// openssl's default key transport is PKCS#1 v1.5: kmi refuses it before decrypting anything
/// (issue 10: a reader that tells v1.5 padding failures apart is Bleichenbacher's oracle), with
/// or without the certificate, and opens the same envelope written with RSA-OAEP.
#[test]
fn kmi_refuses_openssl_pkcs1_envelopes_and_opens_keyid_ones() {
    if require_peer("openssl").is_none() {
        return;
    }
    let t = trustee();
    let v15 = openssl_encrypt(&t.w, "v15.der", &["-recip", "c.pem", "-outform", "DER"]);
    let text = String::from_utf8(ossl(
        &t.w,
        &["asn1parse", "-inform", "DER", "-in", "v15.der"],
    ))
    .unwrap();
    assert!(
        text.contains("rsaEncryption"),
        "expected PKCS#1 v1.5 key transport:\n{text}"
    );
    for cert in [Some(&t.cert), None] {
        let e = cms::open_with_key(&v15, &t.key, cert).unwrap_err();
        assert!(matches!(e, kmi::Error::Format(_)), "{e}");
        assert!(e.to_string().contains("PKCS#1 v1.5"), "{e}");
    }
    let mut args = vec!["-recip", "c.pem", "-keyid", "-outform", "DER"];
    args.extend(OAEP_OPTS);
    let keyid = openssl_encrypt(&t.w, "kid.der", &args);
    assert_eq!(
        cms::open_with_key(&keyid, &t.key, Some(&t.cert))
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    assert_eq!(
        cms::open_with_key(&keyid, &t.key, None)
            .unwrap()
            .content
            .as_slice(),
        MSG
    );
    // A key that is not a recipient: the one answer for every failure once decryption starts.
    let other = trustee();
    let e = cms::open_with_key(&keyid, &other.key, None).unwrap_err();
    assert_eq!(e.to_string(), cms::UNOPENABLE);
}

#[test]
fn kmi_opens_openssl_password_envelopes() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    // `-pwri_password` takes the password itself: no `pass:` prefix as with -passin.
    let pass = PASSWORD;
    let der = openssl_encrypt(&w, "p.der", &["-pwri_password", pass, "-outform", "DER"]);
    let ber = openssl_encrypt(
        &w,
        "p.pem",
        &["-pwri_password", pass, "-outform", "PEM", "-stream"],
    );
    for (name, input) in [("DER", &der), ("PEM BER", &ber)] {
        let o =
            cms::open_with_passphrase(input, PASSWORD).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(o.content.as_slice(), MSG, "{name}");
        let e = cms::open_with_passphrase(input, "wrong").unwrap_err();
        assert_eq!(
            e.to_string(),
            "wrong passphrase or not a recipient",
            "{name}"
        );
    }
}

/// AuthEnvelopedData (RFC 5083, AES-GCM) both ways: kmi opens what `openssl cms -encrypt
/// -aes-256-gcm` writes (RSA-OAEP; DER, PEM and streamed BER), openssl
/// opens what kmi writes with id-data inside (the form openssl 3.0 parses), and a changed byte
/// of openssl's envelope fails its tag with kmi's one message.
#[test]
fn auth_enveloped_data_both_ways_with_openssl() {
    if require_peer("openssl").is_none() {
        return;
    }
    let t = trustee();
    t.w.write("m.txt", MSG);
    let enc = |out: &str, extra: &[&str]| -> Vec<u8> {
        let mut all = vec![
            "cms",
            "-encrypt",
            "-aes-256-gcm",
            "-binary",
            "-in",
            "m.txt",
            "-out",
            out,
        ];
        all.extend_from_slice(extra);
        ossl(&t.w, &all);
        t.w.read(out)
    };
    let mut recip = vec!["-recip", "c.pem"];
    recip.extend(OAEP_OPTS);
    let der = enc("g.der", &[&recip[..], &["-outform", "DER"]].concat());
    let pem = enc("g.pem", &[&recip[..], &["-outform", "PEM"]].concat());
    let ber = enc(
        "g.ber",
        &[&recip[..], &["-outform", "DER", "-stream"]].concat(),
    );
    assert!(asn1parse(&t.w, "g.der").contains("id-smime-ct-authEnvelopedData"));
    for (name, input) in [("DER", &der), ("PEM", &pem), ("streamed BER", &ber)] {
        for cert in [None, Some(&t.cert)] {
            let o =
                cms::open_with_key(input, &t.key, cert).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(o.content.as_slice(), MSG, "{name}");
            assert_eq!(o.content_type, ID_DATA, "{name}");
        }
    }
    let mut bad = der.clone();
    let n = bad.len();
    bad[n - 1] ^= 1; // the last byte of the mac
    assert_eq!(
        cms::open_with_key(&bad, &t.key, None)
            .unwrap_err()
            .to_string(),
        cms::UNOPENABLE
    );
    // (openssl 3.0 cannot write a password recipient with a GCM content cipher: it derives the
    // PWRI-KEK cipher from the content cipher.)

    // kmi's AuthEnvelopedData, to the certificate and to a passphrase: openssl opens both.
    let env = cms::envelope_with(
        MSG,
        ID_DATA,
        &[
            Recipient::Certificate(t.cert.clone()),
            passphrase_recipient(),
        ],
        cms::ContentCipher::Aes256Gcm,
        &mut rng(),
    )
    .unwrap();
    t.w.write("k.der", &env);
    let text = asn1parse(&t.w, "k.der");
    assert!(
        text.contains("id-smime-ct-authEnvelopedData") && text.contains("aes-256-gcm"),
        "{text}"
    );
    let by_key = ossl(
        &t.w,
        &[
            "cms", "-decrypt", "-binary", "-inform", "DER", "-in", "k.der", "-recip", "c.pem",
            "-inkey", "k.pem",
        ],
    );
    assert_eq!(by_key, MSG);
    let by_password = ossl(
        &t.w,
        &[
            "cms",
            "-decrypt",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "k.der",
            "-pwri_password",
            PASSWORD,
        ],
    );
    assert_eq!(by_password, MSG);
}

// ------------------------------------------------------------------------------------------------
// SignedData: openssl cms -verify reads what kmi signs; kmi verifies what openssl cms -sign writes.

mod signed {
    use super::*;
    use kmi::cms::signed::{parse_signed, sid_for_cert, sid_for_spki, SignedDataSpec};

    const PKI_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.12.2");

    fn spec(
        t: &Trustee,
        content_type: ObjectIdentifier,
        detached: bool,
        attrs: bool,
    ) -> SignedDataSpec {
        SignedDataSpec {
            content_type,
            content: MSG.to_vec(),
            detached,
            signed_attributes: attrs,
            certificates: vec![t.cert.clone()],
            sid: sid_for_cert(&t.cert),
            unsigned_attributes: vec![],
        }
    }

    fn openssl_verify(w: &Work, file: &str, detached: bool) -> std::process::Output {
        let mut cmd = openssl();
        cmd.current_dir(w.dir.path()).args([
            "cms",
            "-verify",
            "-noverify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            file,
            "-out",
            "out.bin",
        ]);
        if detached {
            cmd.args(["-content", "msg.bin"]);
        }
        output_of(&mut cmd)
    }

    #[test]
    fn openssl_verifies_what_kmi_signs() {
        if require_peer("openssl").is_none() {
            return;
        }
        let t = trustee();
        t.w.write("msg.bin", MSG);
        for (name, ct, detached, attrs) in [
            ("data-attrs.der", ID_DATA, false, true),
            ("data-noattrs.der", ID_DATA, false, false),
            ("pkidata-attrs.der", PKI_DATA, false, true),
            ("detached-noattrs.der", ID_DATA, true, false),
            ("detached-attrs.der", ID_DATA, true, true),
        ] {
            let der = spec(&t, ct, detached, attrs).sign(&t.key).unwrap();
            t.w.write(name, &der);
            let out = openssl_verify(&t.w, name, detached);
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if !detached {
                assert_eq!(t.w.read("out.bin"), MSG, "{name}");
            }
            let text = asn1parse(&t.w, name);
            // RFC 5652 5.1: version 3 for a non-data eContentType.
            if ct == PKI_DATA {
                assert!(
                    text.contains("id-cct-PKIData") || text.contains("1.3.6.1.5.5.7.12.2"),
                    "{text}"
                );
                let version = text.lines().nth(4).unwrap_or_default();
                assert!(
                    version.contains("INTEGER") && version.ends_with(":03"),
                    "{text}"
                );
            }
            // And kmi verifies it too.
            let msg = parse_signed(&der).unwrap();
            let checks = msg.verify(detached.then_some(MSG), &[], &[]).unwrap();
            assert_eq!(checks.len(), 1);
            assert!(checks[0].outcome.is_ok(), "{name}: {:?}", checks[0].outcome);
        }
        // Same inputs, same bytes (no signing time; PKCS#1 v1.5 is deterministic).
        let a = spec(&t, ID_DATA, true, false).sign(&t.key).unwrap();
        let b = spec(&t, ID_DATA, true, false).sign(&t.key).unwrap();
        assert_eq!(a, b);
        // A changed signature byte: openssl and kmi both say no.
        let mut bad = spec(&t, PKI_DATA, false, true).sign(&t.key).unwrap();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        t.w.write("bad.der", &bad);
        assert!(!openssl_verify(&t.w, "bad.der", false).status.success());
        let checks = parse_signed(&bad).unwrap().verify(None, &[], &[]).unwrap();
        assert!(checks[0].outcome.is_err());
    }

    #[test]
    fn key_identifier_signer_without_certificate() {
        if require_peer("openssl").is_none() {
            return;
        }
        let t = trustee();
        let spki = kmi::keys::encode_public_spki(&kmi::keys::PublicKey::Rsa(t.key.public.clone()))
            .unwrap();
        let mut s = spec(&t, PKI_DATA, false, true);
        s.certificates.clear();
        s.sid = sid_for_spki(&spki).unwrap();
        let der = s.sign(&t.key).unwrap();
        t.w.write("ski.der", &der);
        // openssl needs the certificate to find the key: give it with -certfile.
        let out = output_of(openssl().current_dir(t.w.dir.path()).args([
            "cms",
            "-verify",
            "-noverify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "ski.der",
            "-certfile",
            "c.pem",
            "-out",
            "out.bin",
        ]));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let msg = parse_signed(&der).unwrap();
        let unmatched = msg.verify(None, &[], &[]).unwrap();
        assert!(unmatched[0].outcome.is_err(), "no key given: cannot verify");
        let checks = msg.verify(None, &[], &[spki]).unwrap();
        assert!(checks[0].outcome.is_ok(), "{:?}", checks[0].outcome);
    }

    #[test]
    fn kmi_verifies_what_openssl_signs() {
        if require_peer("openssl").is_none() {
            return;
        }
        let t = trustee();
        t.w.write("msg.bin", MSG);
        let base = [
            "cms", "-sign", "-binary", "-md", "sha256", "-in", "msg.bin", "-signer", "c.pem",
            "-inkey", "k.pem",
        ];
        for (name, extra, detached) in [
            ("attached.der", vec!["-nodetach", "-outform", "DER"], false),
            (
                "detached-noattr.der",
                vec!["-noattr", "-outform", "DER"],
                true,
            ),
            (
                "streamed.ber",
                vec!["-nodetach", "-stream", "-outform", "DER"],
                false,
            ),
            ("attached.pem", vec!["-nodetach", "-outform", "PEM"], false),
            (
                "sha384.der",
                vec!["-nodetach", "-outform", "DER", "-md", "sha384"],
                false,
            ),
        ] {
            let args: Vec<&str> = base
                .iter()
                .copied()
                .chain(extra)
                .chain(["-out", name])
                .collect();
            ossl(&t.w, &args);
            let msg = parse_signed(&t.w.read(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            if !detached {
                assert_eq!(msg.content().unwrap().unwrap(), MSG, "{name}");
            }
            let checks = msg.verify(detached.then_some(MSG), &[], &[]).unwrap();
            assert_eq!(checks.len(), 1);
            assert!(checks[0].outcome.is_ok(), "{name}: {:?}", checks[0].outcome);
            assert!(
                checks[0].certificate.is_some(),
                "{name}: signer certificate found"
            );
            if detached {
                let other = msg.verify(Some(b"other content"), &[], &[]).unwrap();
                assert!(other[0].outcome.is_err(), "{name}: wrong content accepted");
            }
        }
        // Not SignedData: a clear error, no panic.
        let err = parse_signed(b"\x30\x03\x02\x01\x01")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ContentInfo") || err.contains("SignedData"),
            "{err}"
        );
    }
}
