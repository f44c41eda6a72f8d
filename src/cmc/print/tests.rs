use super::decode::MAX_NESTING;
use super::*;
use crate::cmc::oids::CmcOids;
use crate::cmc::types::*;
use crate::cms::asn1::ID_ENVELOPED_DATA;
use crate::Error;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfos};
use der::asn1::{Any, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Decode, Encode};
use x509_cert::attr::Attribute;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/cmc/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(bytes: &[u8]) -> MessageReport {
    parse_message(bytes, &CmcOids::default(), &no_verification).unwrap()
}

fn oid(s: &str) -> Oid {
    Oid::new_unwrap(s)
}

fn named(oid: &str, name: &'static str) -> OidName {
    OidName {
        oid: oid.into(),
        name: Some(name),
    }
}

fn pki_data(c: &ContentReport) -> &PkiDataReport {
    match c {
        ContentReport::PkiData(p) => p,
        other => panic!("not PKIData: {other:?}"),
    }
}

fn signed(c: &ContentReport) -> &SignedDataReport {
    match c {
        ContentReport::SignedData(s) => s,
        other => panic!("not SignedData: {other:?}"),
    }
}

fn enveloped(c: &ContentReport) -> &EnvelopedReport {
    match c {
        ContentReport::EnvelopedData(e) => e,
        other => panic!("not EnvelopedData: {other:?}"),
    }
}

/// The fields of the pyasn1-made PKIData (scripts/cmc_fixtures.py make_pkidata).
fn check_fixture_pkidata(p: &PkiDataReport) {
    let ids: Vec<u32> = p.controls.iter().map(|c| c.body_part_id).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    assert!(
        matches!(&p.controls[0].value, ControlValue::TransactionId { value } if value == "4242")
    );
    assert!(
        matches!(&p.controls[1].value, ControlValue::SenderNonce { hex } if hex == "0102030405060708090a0b0c0d0e0f10")
    );
    assert_eq!(
        p.controls[2].attr_type,
        named("1.3.6.1.4.1.32473.1.3.6", "id-cmc-keyArchival")
    );
    assert!(matches!(
        &p.controls[2].value,
        ControlValue::KeyArchival { req_body_part_id: Some(10), certificate_id: None, cms_body_part_id: 11, selection_criteria: Some(s), selection_criteria_text: Some(t) } if s == "73656c" && t == "sel"
    ));
    let ControlValue::StatusInfoV2(s) = &p.controls[3].value else {
        panic!()
    };
    assert_eq!((s.status.value, s.status.name), (0, Some("success")));
    assert_eq!(s.body_list, ["10"]);
    assert_eq!(p.requests.len(), 1);
    let RequestReport::Tcr {
        body_part_id,
        subject,
        public_key,
        signature_algorithm,
        ..
    } = &p.requests[0]
    else {
        panic!("{:?}", p.requests[0])
    };
    assert_eq!(
        (*body_part_id, subject.as_str()),
        (10, "O=Example,CN=kmi fixture")
    );
    assert_eq!(
        public_key.algorithm,
        named("1.2.840.113549.1.1.1", "rsaEncryption")
    );
    assert_eq!(public_key.bits, Some(1024));
    assert_eq!(signature_algorithm.name, Some("sha256WithRSAEncryption"));
    assert_eq!(p.cms.len(), 1);
    assert_eq!(p.cms[0].body_part_id, 11);
    let e = enveloped(&p.cms[0].content);
    let RecipientReport::Ktri {
        rid,
        key_encryption_algorithm,
        oaep_hash,
    } = &e.recipients[0]
    else {
        panic!()
    };
    assert!(
        matches!(rid, IdentifierReport::IssuerAndSerialNumber { issuer, .. } if issuer == "CN=kmi archive fixture")
    );
    assert_eq!(key_encryption_algorithm.name, Some("id-RSAES-OAEP"));
    assert_eq!(oaep_hash.as_ref().and_then(|h| h.name), Some("sha1"));
    assert_eq!(e.content_type.name, Some("id-data"));
    assert_eq!(e.content_encryption_algorithm.name, Some("id-aes256-CBC"));
    assert_eq!(e.encrypted_len, Some(16));
    assert_eq!(p.other_msgs.len(), 1);
    assert_eq!(p.other_msgs[0].body_part_id, 12);
    assert_eq!(p.other_msgs[0].other_msg_type.oid, "1.3.6.1.4.1.32473.1.99");
    assert_eq!(p.other_msgs[0].value, "0c0568656c6c6f");
}

#[test]
fn bare_and_wrapped_pkidata() {
    let r = parse(&fixture("pkidata.der"));
    assert_eq!((r.encoding, r.content_info), (Encoding::Der, false));
    assert_eq!(r.content_type.name, Some("id-cct-PKIData"));
    check_fixture_pkidata(pki_data(&r.content));

    let r = parse(&fixture("pkidata-ci.der"));
    assert!(r.content_info);
    check_fixture_pkidata(pki_data(&r.content));

    // PEM, any label, with text around it.
    let pem = crate::io::armor::encode_pem("CMS", &fixture("pkidata-ci.der")).unwrap();
    let r = parse(format!("note\n{pem}trailer\n").as_bytes());
    assert_eq!(
        (r.encoding, r.pem_label.as_deref()),
        (Encoding::Pem, Some("CMS"))
    );
    check_fixture_pkidata(pki_data(&r.content));
}

#[test]
fn signed_ber_from_openssl() {
    let called = std::cell::Cell::new(0);
    let verify = |sd: &SignedData| {
        called.set(called.get() + 1);
        assert_eq!(sd.signer_infos.0.len(), 1);
        vec![SignerStatus {
            verified: true,
            detail: "test verifier".into(),
        }]
    };
    let r = parse_message(&fixture("signed-pkidata.der"), &CmcOids::default(), &verify).unwrap();
    assert_eq!(called.get(), 1);
    assert_eq!(r.encoding, Encoding::Ber);
    assert_eq!(r.content_type.name, Some("id-signedData"));
    let s = signed(&r.content);
    assert_eq!(s.version, 3);
    assert_eq!(
        s.digest_algorithms,
        [named("2.16.840.1.101.3.4.2.1", "sha256")]
    );
    assert_eq!(s.econtent_type.name, Some("id-cct-PKIData"));
    assert_eq!(s.certificates.len(), 1);
    assert_eq!(s.certificates[0].subject, "CN=kmi signer fixture");
    assert_eq!(s.certificates[0].issuer, "CN=kmi signer fixture");
    let signer = &s.signers[0];
    assert!(
        matches!(&signer.sid, IdentifierReport::IssuerAndSerialNumber { issuer, serial } if issuer == "CN=kmi signer fixture" && *serial == s.certificates[0].serial)
    );
    assert_eq!(signer.digest_algorithm.name, Some("sha256"));
    let attrs: Vec<_> = signer
        .signed_attributes
        .iter()
        .filter_map(|a| a.name)
        .collect();
    assert!(
        attrs.contains(&"id-contentType") && attrs.contains(&"id-messageDigest"),
        "{attrs:?}"
    );
    assert!(signer.unsigned_attributes.is_empty());
    assert_eq!(
        signer.status,
        Some(SignerStatus {
            verified: true,
            detail: "test verifier".into()
        })
    );
    check_fixture_pkidata(pki_data(&s.econtent));

    let text = render_text(&r);
    assert!(text.starts_with("Encoding: BER (normalised to DER)\nContentInfo: id-signedData (1.2.840.113549.1.7.2)\n"), "{text}");
    assert!(
        text.contains("\n      signature: verified (test verifier)\n"),
        "{text}"
    );
    assert!(
        text.contains("control 3: id-cmc-keyArchival (1.3.6.1.4.1.32473.1.3.6)"),
        "{text}"
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["content"]["kind"], "signed_data");
    assert_eq!(
        json["content"]["econtent"]["controls"][2]["value"]["type"],
        "key_archival"
    );

    // Without a verifier: not checked.
    let r = parse(&fixture("signed-pkidata.der"));
    assert_eq!(signed(&r.content).signers[0].status, None);
    assert!(render_text(&r).contains("signature: not checked"));
}

#[test]
fn pkiresponse_with_archive_error() {
    let r = parse(&fixture("pkiresponse.der"));
    let ContentReport::PkiResponse(p) = &r.content else {
        panic!()
    };
    let ControlValue::StatusInfoV2(s) = &p.controls[0].value else {
        panic!()
    };
    assert_eq!((s.status.value, s.status.name), (2, Some("failed")));
    assert_eq!(s.status_string.as_deref(), Some("archive required"));
    let x = s.extended_fail_info.as_ref().unwrap();
    assert_eq!(
        x.fail_info_oid,
        named("1.3.6.1.4.1.32473.1.3.10.3", "id-cmc-err-archiveRequired")
    );
    assert_eq!(x.value, "020103");
    let ae = x.archive_error.as_ref().unwrap();
    assert_eq!((ae.value, ae.name), (3, Some("archiveRequired")));
    assert!(
        matches!(&p.controls[2].value, ControlValue::RecipientNonce { hex } if hex == "2122232425262728292a2b2c2d2e2f30")
    );
    assert!(render_text(&r).contains("= archive error archiveRequired (3)"));
}

#[test]
fn enveloped_pwri_ber_and_ktri() {
    let r = parse(&fixture("enveloped-pwri.der"));
    assert_eq!(r.encoding, Encoding::Ber);
    let e = enveloped(&r.content);
    assert_eq!(e.version, 3);
    let RecipientReport::Pwri {
        key_derivation_algorithm,
        iterations,
        key_encryption_algorithm,
        kek_cipher,
    } = &e.recipients[0]
    else {
        panic!()
    };
    assert_eq!(
        key_derivation_algorithm.as_ref().unwrap().name,
        Some("id-PBKDF2")
    );
    assert_eq!(*iterations, Some(2048));
    assert_eq!(key_encryption_algorithm.name, Some("id-alg-PWRI-KEK"));
    assert_eq!(kek_cipher.as_ref().unwrap().name, Some("id-aes256-CBC"));
    let r = parse(&fixture("enveloped-ktri.der"));
    assert_eq!(enveloped(&r.content).recipients.len(), 1);
}

#[test]
fn unknown_and_malformed_controls_are_reported_not_errors() {
    let oids = CmcOids::default();
    let mut pd = PkiData::from_der(&fixture("pkidata.der")).unwrap();
    pd.control_sequence.push(TaggedAttribute {
        body_part_id: 20,
        attr_type: oid("1.3.6.1.5.5.7.7.99"),
        attr_values: SetOfVec::try_from(vec![Any::encode_from(&7u8).unwrap()]).unwrap(),
    });
    pd.control_sequence.push(TaggedAttribute {
        body_part_id: 21,
        attr_type: oids.key_archival,
        attr_values: SetOfVec::try_from(vec![Any::encode_from(&7u8).unwrap()]).unwrap(),
    });
    // A cmsSequence entry that claims EnvelopedData but is not.
    pd.cms_sequence.push(TaggedContentInfo {
        body_part_id: 22,
        content_info: ContentInfo {
            content_type: ID_ENVELOPED_DATA,
            content: Any::encode_from(&1u8).unwrap(),
        },
    });
    let r = parse(&pd.to_der().unwrap());
    let p = pki_data(&r.content);
    assert!(
        matches!(&p.controls[4].value, ControlValue::Unknown { values } if values == &["020107"])
    );
    assert_eq!(
        p.controls[4].attr_type,
        OidName {
            oid: "1.3.6.1.5.5.7.7.99".into(),
            name: None
        }
    );
    let ControlValue::Malformed { error, values } = &p.controls[5].value else {
        panic!()
    };
    assert!(
        error.starts_with("malformed id-cmc-keyArchival control (body part 21)"),
        "{error}"
    );
    assert_eq!(values, &["020107"]);
    assert!(
        matches!(&p.cms[1].content, ContentReport::Malformed { error } if error.starts_with("malformed EnvelopedData"))
    );
    let text = render_text(&r);
    assert!(
        text.contains("control 20: 1.3.6.1.5.5.7.7.99\n      value (DER) 020107\n"),
        "{text}"
    );
    assert!(
        text.contains("MALFORMED: malformed id-cmc-keyArchival control"),
        "{text}"
    );
}

/// The archived key in the id-aa-cmc-unsignedData unsigned attribute (formats.md section 4).
#[test]
fn unsigned_data_attribute_is_described() {
    let oids = CmcOids::default();
    let norm = normalize_input(&fixture("signed-pkidata.der")).unwrap();
    let mut ci = ContentInfo::from_der(&norm.der).unwrap();
    let mut sd = signed_data_of(&ci).unwrap();
    let ud = CmcUnsignedData {
        body_part_path: vec![3],
        identifier: oids.archive_enveloped_data,
        content: Any::from_der(&fixture("enveloped-ktri.der")).unwrap(),
    };
    let mut signers = sd.signer_infos.0.into_vec();
    signers[0].unsigned_attrs = Some(
        SetOfVec::try_from(vec![Attribute {
            oid: oids.aa_cmc_unsigned_data,
            values: SetOfVec::try_from(vec![Any::encode_from(&ud).unwrap()]).unwrap(),
        }])
        .unwrap(),
    );
    sd.signer_infos = SignerInfos(SetOfVec::try_from(signers).unwrap());
    ci.content = Any::encode_from(&sd).unwrap();
    let r = parse(&ci.to_der().unwrap());
    let s = signed(&r.content);
    let a = &s.signers[0].unsigned_attributes[0];
    assert_eq!(
        a.attr_type,
        named("1.2.840.113549.1.9.16.2.34", "id-aa-cmc-unsignedData")
    );
    assert_eq!(a.unsigned_data[0].body_part_path, [3]);
    assert_eq!(
        a.unsigned_data[0].identifier.name,
        Some("id-cmc-archive-enveloped-data")
    );
    let e = enveloped(&a.unsigned_data[0].content);
    assert!(matches!(&e.recipients[0], RecipientReport::Ktri { .. }));
    assert!(render_text(&r).contains("bodyPartPath 3 identifier id-cmc-archive-enveloped-data"));
    assert_eq!(econtent_of(&sd).unwrap().unwrap(), fixture("pkidata.der"));
}

#[test]
fn draft_controls_are_described() {
    let oids = CmcOids::default();
    let cert = x509_cert::Certificate::from_der(&fixture("archive-cert.der")).unwrap();
    let method = Shroud::PublicKey(ShroudWithPublicKey::Certificate(Box::new(cert)))
        .to_method(&oids)
        .unwrap();
    let controls = [
        Control::ServerKeyGenRequest(Box::new(ServerKeyGenRequest {
            certificate_request: CertTemplate {
                subject: Some("CN=bob".parse().unwrap()),
                ..Default::default()
            },
            shroud_method: method,
            enc_capabilities: crate::cmc::build::default_enc_capabilities(),
            f_archive_key: true,
            selection_criteria: None,
        })),
        Control::KeyRecoveryReq(KeyRecoveryReq {
            shroud_method: Shroud::SharedSecret("trustee-7".into())
                .to_method(&oids)
                .unwrap(),
            enc_capabilities: vec![],
            selection_criteria: Some(OctetString::new(vec![0xab]).unwrap()),
        }),
        Control::KeyRecoveryRsp(KeyRecoveryRsp {
            cms_body_part_id: 4,
            certificate_id: None,
            selection_criteria: None,
        }),
        Control::ServerKeyGenResponse(ServerKeyGenResponse {
            cms_body_part_id: 3,
            request_body_part_id: 1,
            issuer_and_serial_number: None,
        }),
    ];
    let pr = PkiResponse {
        control_sequence: controls
            .iter()
            .enumerate()
            .map(|(i, c)| TaggedAttribute::from_control(i as u32 + 1, c, &oids).unwrap())
            .collect(),
        ..Default::default()
    };
    let r = parse(&pr.to_der().unwrap());
    let ContentReport::PkiResponse(p) = &r.content else {
        panic!()
    };
    let ControlValue::ServerKeyGenRequest {
        template,
        shroud,
        enc_capabilities,
        archive_key,
        ..
    } = &p.controls[0].value
    else {
        panic!()
    };
    assert!(*archive_key);
    assert_eq!(template.subject.as_deref(), Some("CN=bob"));
    assert_eq!(enc_capabilities.len(), 3);
    assert!(
        matches!(shroud, ShroudReport::PublicKeyCertificate { subject, public_key, .. } if subject == "CN=kmi archive fixture" && public_key.bits == Some(1024))
    );
    assert!(
        matches!(&p.controls[1].value, ControlValue::KeyRecoveryReq { shroud: ShroudReport::SharedSecret { identifier }, selection_criteria: Some(s), .. } if identifier == "trustee-7" && s == "ab")
    );
    assert!(matches!(
        &p.controls[2].value,
        ControlValue::KeyRecoveryRsp {
            cms_body_part_id: 4,
            ..
        }
    ));
    assert!(matches!(
        &p.controls[3].value,
        ControlValue::ServerKeyGenResponse {
            cms_body_part_id: 3,
            request_body_part_id: 1,
            ..
        }
    ));
    let text = render_text(&r);
    assert!(
        text.contains("shroud with certificate \"CN=kmi archive fixture\""),
        "{text}"
    );
    assert!(
        text.contains("shroud with shared secret \"trustee-7\""),
        "{text}"
    );
}

#[test]
fn deep_nesting_is_cut_off() {
    let oids = CmcOids::default();
    let mut pd = PkiData::default();
    for i in 0..10 {
        pd = PkiData {
            cms_sequence: vec![TaggedContentInfo {
                body_part_id: i,
                content_info: ContentInfo {
                    content_type: oids.cct_pki_data,
                    content: Any::encode_from(&pd).unwrap(),
                },
            }],
            ..Default::default()
        };
    }
    let r = parse(&pd.to_der().unwrap());
    let mut c = &r.content;
    let mut depth = 0;
    while let ContentReport::PkiData(p) = c {
        c = &p.cms[0].content;
        depth += 1;
    }
    assert!(matches!(c, ContentReport::TooDeep));
    assert_eq!(depth, MAX_NESTING + 1);
}

#[test]
fn garbage_and_truncation_are_one_line_format_errors() {
    let signed = fixture("signed-pkidata.der");
    let der = normalize_input(&signed).unwrap().der;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("text", b"hello world".to_vec()),
        ("truncated BER", signed[..200].to_vec()),
        ("truncated DER", der[..der.len() - 1].to_vec()),
        ("trailing bytes", [der.as_slice(), &[0]].concat()),
        ("lone SEQUENCE", vec![0x30, 0x00]),
        (
            "PEM without body",
            b"-----BEGIN CMS-----\n-----END CMS-----\n".to_vec(),
        ),
    ];
    for (what, input) in cases {
        let e = parse_message(&input, &CmcOids::default(), &no_verification).unwrap_err();
        assert!(matches!(e, Error::Format(_)), "{what}: {e:?}");
        let msg = e.to_string();
        assert!(!msg.is_empty() && !msg.contains('\n'), "{what}: {msg}");
    }
    // A signed message whose eContent claims PKIData but is not: an error, not a report.
    let norm = normalize_input(&signed).unwrap();
    let mut ci = ContentInfo::from_der(&norm.der).unwrap();
    let mut sd = signed_data_of(&ci).unwrap();
    sd.encap_content_info.econtent =
        Some(Any::encode_from(&OctetString::new(vec![0x02, 0x01, 0x01]).unwrap()).unwrap());
    ci.content = Any::encode_from(&sd).unwrap();
    let e =
        parse_message(&ci.to_der().unwrap(), &CmcOids::default(), &no_verification).unwrap_err();
    assert!(e.to_string().starts_with("malformed PKIData"), "{e}");
}
