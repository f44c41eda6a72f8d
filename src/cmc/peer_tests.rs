//! The other direction of the real-peer check: PKIData and PKIResponse written by kmi, read by
//! pyasn1-modules (`scripts/cmc_fixtures.py check`: decodeOpenTypes=True, every control against
//! an independent spec, DER re-encoding equal to kmi's bytes).
//!
//! Needs KMI_PYTHON, a python with pyasn1-modules; `scripts/test` sets it. Unset, the tests skip
//! with a notice, unless KMI_REQUIRE_PEERS=1 (which `scripts/test` also sets): then they fail.

use std::path::PathBuf;
use std::process::Command;

use cms::content_info::ContentInfo;
use der::asn1::{Any, GeneralizedTime, Int, OctetString};
use der::{Decode, Encode};

use super::oids::{ArchiveError, CmcOids};
use super::types::tests::{crm, fixture, orm, small_spki, tcr};
use super::types::*;

/// The python with pyasn1-modules, or None (after a notice) when the peer is missing and
/// KMI_REQUIRE_PEERS is not 1.
fn python() -> Option<String> {
    match std::env::var("KMI_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("KMI_REQUIRE_PEERS").as_deref() == Ok("1") => panic!(
            "KMI_PYTHON is not set: this test checks kmi's CMC DER with pyasn1-modules. \
             Run scripts/test (which makes the venv and sets KMI_PYTHON), or set \
             KMI_PYTHON=.venv/bin/python after `python3 -m venv .venv && \
             .venv/bin/pip install pyasn1 pyasn1-modules`"
        ),
        _ => {
            eprintln!(
                "skipping: KMI_PYTHON (a python with pyasn1-modules) is not set; \
                 set KMI_REQUIRE_PEERS=1 to fail instead"
            );
            None
        }
    }
}

/// Run `scripts/SCRIPT check WHAT FILE` on `der` with KMI_PYTHON; returns its report, or None
/// when the peer is missing (the test then skips). `peer` names the checker in a failure.
fn python_check(script: &str, what: &str, der: &[u8], peer: &str) -> Option<String> {
    let python = python()?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{what}.der"));
    std::fs::write(&path, der).unwrap();
    let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "scripts", script]
        .iter()
        .collect();
    let out = Command::new(&python)
        .arg(&script)
        .args(["check", what])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run KMI_PYTHON={python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{peer} rejected kmi's {what}:\n{stdout}\n{}\nDER: {}",
        String::from_utf8_lossy(&out.stderr),
        hex::encode(der)
    );
    Some(stdout)
}

/// pyasn1-modules (scripts/cmc_fixtures.py) checks `der` as `kind`.
fn pyasn1_check(kind: &str, der: &[u8]) -> Option<String> {
    python_check("cmc_fixtures.py", kind, der, "pyasn1")
}

fn controls(oids: &CmcOids, list: &[Control]) -> Vec<TaggedAttribute> {
    list.iter()
        .enumerate()
        .map(|(i, c)| TaggedAttribute::from_control(i as u32 + 1, c, oids).unwrap())
        .collect()
}

#[test]
fn pyasn1_reads_kmi_pkidata() {
    let oids = CmcOids::default();
    let cert = x509_cert::Certificate::from_der(&fixture("archive-cert.der")).unwrap();
    let by_cert = Shroud::PublicKey(ShroudWithPublicKey::Certificate(Box::new(cert)))
        .to_method(&oids)
        .unwrap();
    let by_key = Shroud::PublicKey(ShroudWithPublicKey::PublicKey(small_spki()))
        .to_method(&oids)
        .unwrap();
    let pd = PkiData {
        control_sequence: controls(
            &oids,
            &[
                Control::TransactionId(Int::new(&[0x10, 0x92]).unwrap()),
                Control::SenderNonce(OctetString::new(vec![7; 16]).unwrap()),
                Control::Identification("alice".into()),
                Control::KeyArchival(KeyArchival {
                    key_identification: KeyIdentification::ReqBodyPartId(10),
                    cms_body_part_id: 11,
                    selection_criteria: None,
                }),
                Control::ServerKeyGenRequest(Box::new(ServerKeyGenRequest {
                    certificate_request: CertTemplate {
                        subject: Some("CN=alice".parse().unwrap()),
                        public_key: Some(small_spki()),
                        ..Default::default()
                    },
                    shroud_method: by_cert,
                    enc_capabilities: crate::cmc::build::default_enc_capabilities(),
                    f_archive_key: false,
                    selection_criteria: Some(OctetString::new(b"sel".to_vec()).unwrap()),
                })),
                Control::ServerKeyGenRequest(Box::new(ServerKeyGenRequest {
                    certificate_request: CertTemplate::default(),
                    shroud_method: by_key.clone(),
                    enc_capabilities: vec![],
                    f_archive_key: true,
                    selection_criteria: None,
                })),
                Control::KeyRecoveryReq(KeyRecoveryReq {
                    shroud_method: by_key,
                    enc_capabilities: crate::cmc::build::default_enc_capabilities(),
                    selection_criteria: None,
                }),
                Control::Unknown {
                    attr_type: der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1.98"),
                    values: vec![
                        Any::encode_from(&1u8).unwrap(),
                        Any::encode_from(&2u8).unwrap(),
                    ],
                },
            ],
        ),
        req_sequence: vec![tcr(), crm(), orm()],
        cms_sequence: vec![TaggedContentInfo {
            body_part_id: 11,
            content_info: ContentInfo::from_der(&fixture("enveloped-ktri.der")).unwrap(),
        }],
        other_msg_sequence: vec![OtherMsg {
            body_part_id: 12,
            other_msg_type: der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1.99"),
            other_msg_value: Any::encode_from(&der::asn1::Utf8StringRef::new("hi").unwrap())
                .unwrap(),
        }],
    };
    let Some(out) = pyasn1_check("pkidata", &pd.to_der().unwrap()) else {
        return;
    };
    for needle in [
        "control 1 1.3.6.1.5.5.7.7.5 typed",
        "control 3 1.3.6.1.5.5.7.7.2 typed",
        "control 4 1.3.6.1.4.1.32473.1.3.6 typed",
        "control 5 1.3.6.1.4.1.32473.1.3.4 typed",
        "control 6 1.3.6.1.4.1.32473.1.3.4 typed",
        "control 7 1.3.6.1.4.1.32473.1.3.7 typed",
        "control 8 1.3.6.1.4.1.32473.1.98 open",
        "request tcr\nrequest crm\nrequest orm\n",
        "cms 11 1.2.840.113549.1.7.3",
        "ok pkidata",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
}

#[test]
fn pyasn1_reads_kmi_pkiresponse() {
    let oids = CmcOids::default();
    let body = vec![BodyPartReference::BodyPartId(10)];
    let status = |other_info| {
        Control::StatusInfoV2(CmcStatusInfoV2 {
            cmc_status: CmcStatus::FAILED,
            body_list: vec![
                BodyPartReference::BodyPartId(10),
                BodyPartReference::BodyPartPath(vec![1, 10]),
            ],
            status_string: Some("no".into()),
            other_info,
        })
    };
    let pr = PkiResponse {
        control_sequence: controls(
            &oids,
            &[
                Control::StatusInfoV2(
                    CmcStatusInfoV2::archive_failure(
                        body,
                        ArchiveError::ArchiveRequired,
                        Some("archive required".into()),
                        &oids,
                    )
                    .unwrap(),
                ),
                status(Some(OtherStatusInfo::FailInfo(
                    CmcFailInfo::MUST_ARCHIVE_KEYS,
                ))),
                status(Some(OtherStatusInfo::PendInfo(PendInfo {
                    pend_token: OctetString::new(vec![1, 2]).unwrap(),
                    pend_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(
                        1_735_689_600,
                    ))
                    .unwrap(),
                }))),
                status(None),
                Control::RecipientNonce(OctetString::new(vec![7; 16]).unwrap()),
                Control::ServerKeyGenResponse(ServerKeyGenResponse {
                    cms_body_part_id: 11,
                    request_body_part_id: 5,
                    issuer_and_serial_number: None,
                }),
                Control::KeyRecoveryRsp(KeyRecoveryRsp {
                    cms_body_part_id: 11,
                    certificate_id: None,
                    selection_criteria: Some(OctetString::new(vec![1]).unwrap()),
                }),
            ],
        ),
        cms_sequence: vec![TaggedContentInfo {
            body_part_id: 11,
            content_info: ContentInfo::from_der(&fixture("enveloped-ktri.der")).unwrap(),
        }],
        other_msg_sequence: vec![],
    };
    let Some(out) = pyasn1_check("pkiresponse", &pr.to_der().unwrap()) else {
        return;
    };
    for needle in [
        "control 1 1.3.6.1.5.5.7.7.25 typed",
        "control 4 1.3.6.1.5.5.7.7.25 typed",
        "control 6 1.3.6.1.4.1.32473.1.3.5 typed",
        "control 7 1.3.6.1.4.1.32473.1.3.8 typed",
        "ok pkiresponse",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
}

/// `scripts/cmc_archive_asn1.py check PRODUCTION FILE`: the independent transcription of the
/// draft's Appendix A decodes `der` strictly and re-encodes it byte for byte. None: no peer.
fn appendix_a_check(production: &str, der: &[u8]) -> Option<String> {
    python_check(
        "cmc_archive_asn1.py",
        production,
        der,
        "the Appendix A transcription",
    )
}

/// Every draft production kmi writes in Appendix A's form (issue 12), checked by the
/// transcription: both ShroudWithPublicKey arms (untagged), both ShroudMethods, KeyArchival with
/// each keyIdentification arm, ServerKeyGenRequest (RSA and ElGamal templates),
/// ServerKeyGenResponse with and without
/// issuerAndSerialNumber, KeyRecoveryRsp with each certificateId arm, and the
/// MultiplePrivateKeys / SinglePrivateKey kmi returns several keys in.
#[test]
fn the_appendix_a_transcription_reads_kmi_productions() {
    let oids = CmcOids::default();
    let cert = x509_cert::Certificate::from_der(&fixture("archive-cert.der")).unwrap();
    let by_cert = ShroudWithPublicKey::Certificate(Box::new(cert.clone()));
    let by_key = ShroudWithPublicKey::PublicKey(small_spki());
    let ias = crate::cms::ktri::rid_for_cert(&cert);
    let ski = crate::cms::ktri::rid_for_key_id(vec![0x5a; 20]).unwrap();
    let RecipientIdentifier::IssuerAndSerialNumber(plain_ias) = ias.clone() else {
        unreachable!("rid_for_cert names issuer and serial")
    };
    let mut values: Vec<(&str, Vec<u8>)> = vec![
        ("ShroudWithPublicKey", by_cert.to_der().unwrap()),
        ("ShroudWithPublicKey", by_key.to_der().unwrap()),
    ];
    for shroud in [
        Shroud::PublicKey(by_cert),
        Shroud::PublicKey(by_key),
        Shroud::SharedSecret("trustee-7".into()),
    ] {
        values.push((
            "ShroudMethod",
            shroud.to_method(&oids).unwrap().to_der().unwrap(),
        ));
    }
    for key_identification in [
        KeyIdentification::ReqBodyPartId(5),
        KeyIdentification::CertificateId(ias.clone()),
        KeyIdentification::CertificateId(ski.clone()),
    ] {
        let ka = KeyArchival {
            key_identification,
            cms_body_part_id: 0,
            selection_criteria: Some(OctetString::new(b"sel".to_vec()).unwrap()),
        };
        values.push(("KeyArchival", ka.to_der().unwrap()));
    }
    for selection_criteria in [None, Some(OctetString::new(b"sel".to_vec()).unwrap())] {
        let r = KeyRecoveryReq {
            shroud_method: Shroud::SharedSecret("alice".into())
                .to_method(&oids)
                .unwrap(),
            enc_capabilities: crate::cmc::build::default_enc_capabilities(),
            selection_criteria,
        };
        values.push(("KeyRecoveryReq", r.to_der().unwrap()));
    }
    // ServerKeyGenRequest as kmi's client writes it: an RSA template, and an ElGamal one whose
    // group travels in the algorithm's parameters.
    let group = crate::keys::elgamal::NamedGroup::Ffdhe2048.group();
    let dh_params = Any::from_der(&crate::keys::encoding::dh_params_der(&group).unwrap()).unwrap();
    for (oid, parameters, f_archive_key) in [
        (const_oid::db::rfc5912::RSA_ENCRYPTION, None, true),
        (
            const_oid::db::rfc5912::DHPUBLICNUMBER,
            Some(dh_params),
            false,
        ),
    ] {
        let r = ServerKeyGenRequest {
            certificate_request: CertTemplate {
                subject: Some("CN=alice".parse().unwrap()),
                public_key: Some(spki::SubjectPublicKeyInfoOwned {
                    algorithm: spki::AlgorithmIdentifierOwned { oid, parameters },
                    subject_public_key: der::asn1::BitString::from_bytes(&[]).unwrap(),
                }),
                ..Default::default()
            },
            shroud_method: Shroud::SharedSecret("alice".into())
                .to_method(&oids)
                .unwrap(),
            enc_capabilities: crate::cmc::build::default_enc_capabilities(),
            f_archive_key,
            selection_criteria: f_archive_key.then(|| OctetString::new(b"sel".to_vec()).unwrap()),
        };
        values.push(("ServerKeyGenRequest", r.to_der().unwrap()));
    }
    for issuer_and_serial_number in [None, Some(plain_ias)] {
        let r = ServerKeyGenResponse {
            cms_body_part_id: 6,
            request_body_part_id: 4,
            issuer_and_serial_number,
        };
        values.push(("ServerKeyGenResponse", r.to_der().unwrap()));
    }
    for certificate_id in [ias, ski] {
        let r = KeyRecoveryRsp {
            cms_body_part_id: 6,
            certificate_id: Some(certificate_id),
            selection_criteria: None,
        };
        values.push(("KeyRecoveryRsp", r.to_der().unwrap()));
    }
    // MultiplePrivateKeys as the agent returns several keys (trustees 1 and 2, RSA).
    let key = |name: &str| match crate::keys::decode_key(
        &fixture_key(name),
        std::path::Path::new(name),
        &|| unreachable!("the trustee keys are not encrypted"),
    )
    .unwrap()
    {
        crate::keys::Key::Private(k) => k,
        crate::keys::Key::Public(_) => unreachable!("{name} is a private key"),
    };
    let (t1, t2) = (key("t1.pem"), key("t2.pem"));
    let many = crate::cmc::build::multiple_private_keys(&[&t1, &t2]).unwrap();
    values.push(("MultiplePrivateKeys", many.to_der().unwrap()));
    values.push(("SinglePrivateKey", many[0].to_der().unwrap()));
    for (production, der) in values {
        if appendix_a_check(production, &der).is_none() {
            return;
        }
    }
}

fn fixture_key(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/cli/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
