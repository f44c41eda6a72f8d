//! DER round trips for every type and known answers for the tagging traps.

use super::*;
use crate::cmc::oids::{ArchiveError, CmcOids};
use cms::content_info::ContentInfo;
use der::asn1::{
    Any, BitString, GeneralizedTime, Int, ObjectIdentifier as Oid, OctetString, SetOfVec, UtcTime,
};
use der::{Decode, Encode, EncodeValue, Tagged};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::str::FromStr;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::request::CertReq;
use x509_cert::time::Time;
use x509_cert::Certificate;

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/cmc/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// Encode, decode, compare, and re-encode to the same bytes.
fn round_trip<T>(value: &T) -> Vec<u8>
where
    T: Encode + for<'a> Decode<'a> + PartialEq + std::fmt::Debug,
{
    let der = value.to_der().unwrap();
    let back = T::from_der(&der).unwrap();
    assert_eq!(&back, value);
    assert_eq!(back.to_der().unwrap(), der);
    der
}

fn oid(s: &str) -> Oid {
    Oid::new_unwrap(s)
}

fn any<T: Tagged + EncodeValue>(v: &T) -> Any {
    Any::encode_from(v).unwrap()
}

/// Name "CN=A" with a UTF8String value.
const NAME_A: &str = "300c310a300806035504030c0141";
const NAME_B: &str = "300c310a300806035504030c0142";
/// A test Ed25519 PrivateKeyInfo (`openssl genpkey -algorithm ed25519 -outform DER`).
const ED25519_PKCS8: &str = "302e020100300506032b657004220420a1ca767cb052fc2c7b6fa78668174180c8a979433cb2c177150793c8eea0f995";

pub(crate) fn name(hex: &str) -> Name {
    Name::from_der(&unhex(hex)).unwrap()
}

pub(crate) fn small_spki() -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid("1.3.101.112"),
            parameters: None,
        },
        subject_public_key: BitString::from_bytes(&[1, 2]).unwrap(),
    }
}

pub(crate) fn template() -> CertTemplate {
    CertTemplate {
        serial_number: Some(Int::new(&[5]).unwrap()),
        issuer: Some(name(NAME_A)),
        validity: Some(OptionalValidity {
            not_before: Some(Time::UtcTime(
                UtcTime::from_unix_duration(std::time::Duration::from_secs(1_735_689_600)).unwrap(),
            )),
            not_after: None,
        }),
        subject: Some(name(NAME_B)),
        ..Default::default()
    }
}

pub(crate) fn tcr() -> TaggedRequest {
    TaggedRequest::Tcr(TaggedCertificationRequest {
        body_part_id: 10,
        certification_request: CertReq::from_der(&fixture("req.p10.der")).unwrap(),
    })
}

pub(crate) fn crm() -> TaggedRequest {
    TaggedRequest::Crm(CertReqMsg {
        cert_req: CertRequest {
            cert_req_id: Int::new(&[20]).unwrap(),
            cert_template: CertTemplate {
                public_key: Some(small_spki()),
                ..template()
            },
            controls: Some(vec![AttributeTypeAndValue {
                oid: oid("1.3.6.1.5.5.7.5.1.1"),
                value: any(&der::asn1::Utf8StringRef::new("reg").unwrap()),
            }]),
        },
        // raVerified [0] NULL
        popo: Some(ContextSpecificAny(Any::from_der(&[0x80, 0x00]).unwrap())),
        reg_info: None,
    })
}

pub(crate) fn orm() -> TaggedRequest {
    TaggedRequest::Orm(OtherRequestMsg {
        body_part_id: 1,
        request_message_type: oid("1.2.3.4"),
        request_message_value: Any::from_der(&[0x05, 0x00]).unwrap(),
    })
}

pub(crate) fn private_key() -> PrivateKeyInfoDer {
    PrivateKeyInfoDer::from_der(&unhex(ED25519_PKCS8)).unwrap()
}

#[test]
fn cert_template_tagged_choices_are_explicit() {
    // serialNumber [1] IMPLICIT INTEGER; issuer [3] EXPLICIT Name; validity [4] IMPLICIT
    // OptionalValidity whose notBefore is [0] EXPLICIT Time; subject [5] EXPLICIT Name.
    let expected = unhex(
        "3036 810105
         a30e 300c310a300806035504030c0141
         a411 a00f 170d3235303130313030303030305a
         a50e 300c310a300806035504030c0142",
    );
    assert_eq!(round_trip(&template()), expected);
}

#[test]
fn shroud_with_public_key_both_forms() {
    let spki = unhex("300c 3005 06032b6570 0303000102");
    let tagged = unhex("a10c 3005 06032b6570 0303000102");
    let key = ShroudWithPublicKey::PublicKey(small_spki());
    // Written untagged as in the draft's Appendix A; kmi 0.1's [1] form is still read.
    assert_eq!(key.to_der().unwrap(), spki);
    assert_eq!(ShroudWithPublicKey::from_der(&tagged).unwrap(), key);
    assert_eq!(ShroudWithPublicKey::from_der(&spki).unwrap(), key);

    let cert_der = fixture("archive-cert.der");
    let cert = ShroudWithPublicKey::from_der(&cert_der).unwrap();
    assert!(matches!(cert, ShroudWithPublicKey::Certificate(_)));
    assert_eq!(cert.to_der().unwrap(), cert_der);
    let mut tagged_cert = cert_der.clone();
    tagged_cert[0] = 0xa0;
    assert_eq!(ShroudWithPublicKey::from_der(&tagged_cert).unwrap(), cert);
    // Neither a SEQUENCE nor a BIT STRING second: refused.
    assert!(ShroudWithPublicKey::from_der(&unhex("3006 020101 020102")).is_err());
}

#[test]
fn extended_fail_info_read_both_written_tagged() {
    let tagged = unhex("3012 020102 3003020101 a108 06032a0304 020101");
    let untagged = unhex("3012 020102 3003020101 3008 06032a0304 020101");
    let v = CmcStatusInfoV2 {
        cmc_status: CmcStatus::FAILED,
        body_list: vec![BodyPartReference::BodyPartId(1)],
        status_string: None,
        other_info: Some(OtherStatusInfo::ExtendedFailInfo(ExtendedFailInfo {
            fail_info_oid: oid("1.2.3.4"),
            fail_info_value: any(&1u8),
        })),
    };
    assert_eq!(round_trip(&v), tagged);
    let read = CmcStatusInfoV2::from_der(&untagged).unwrap();
    assert_eq!(read, v);
    assert_eq!(read.to_der().unwrap(), tagged);

    // The other arms: an untagged SEQUENCE starting with an OCTET STRING is pendInfo.
    let pend = unhex("301e 020103 3003020101 3014 0401aa 180f32303235303130313030303030305a");
    let p = CmcStatusInfoV2::from_der(&pend).unwrap();
    assert!(
        matches!(p.other_info, Some(OtherStatusInfo::PendInfo(ref i)) if i.pend_token.as_bytes() == [0xaa])
    );
    assert_eq!(p.to_der().unwrap(), pend);
    let fail = unhex("300d 020102 3003020101 0c00 02010b");
    let f = CmcStatusInfoV2::from_der(&fail).unwrap();
    assert_eq!(
        f.other_info,
        Some(OtherStatusInfo::FailInfo(CmcFailInfo::INTERNAL_CA_ERROR))
    );
    assert_eq!(f.status_string.as_deref(), Some(""));
    assert_eq!(f.to_der().unwrap(), fail);
}

#[test]
fn f_archive_key_is_written_only_when_true() {
    // Draft Appendix A: certificateRequest CertTemplate (here empty), shroudMethod,
    // encCapabilities (here empty), fArchiveKey DEFAULT FALSE.
    let mut r = ServerKeyGenRequest {
        certificate_request: CertTemplate::default(),
        shroud_method: AlgorithmIdentifierOwned {
            oid: oid("1.2.4.5"),
            parameters: None,
        },
        enc_capabilities: vec![],
        f_archive_key: false,
        selection_criteria: None,
    };
    assert_eq!(round_trip(&r), unhex("300b 3000 3005 06032a0405 3000"));
    r.f_archive_key = true;
    assert_eq!(
        round_trip(&r),
        unhex("300e 3000 3005 06032a0405 3000 0101ff")
    );
}

#[test]
fn set_of_values_are_der_sorted() {
    let control = Control::Unknown {
        attr_type: oid("1.2.3.4"),
        values: vec![any(&2u8), any(&1u8)],
    };
    let ta = TaggedAttribute::from_control(7, &control, &CmcOids::default()).unwrap();
    assert_eq!(
        round_trip(&ta),
        unhex("3010 020107 06032a0304 3106 020101 020102")
    );
}

#[test]
fn tagged_request_arms_are_implicit() {
    let t = round_trip(&tcr());
    assert_eq!(t[0], 0xa0);
    // The PKCS#10 follows the body part ID, untouched.
    let p10 = fixture("req.p10.der");
    assert!(t.ends_with(&p10));
    assert_eq!(round_trip(&crm())[0], 0xa1);
    assert_eq!(round_trip(&orm()), unhex("a20a 020101 06032a0304 0500"));
    assert_eq!(crm().body_part_id(), Some(20));
    assert_eq!(tcr().body_part_id(), Some(10));
}

#[test]
fn round_trips_rfc5272_types() {
    round_trip(&BodyPartReference::BodyPartId(u32::MAX));
    round_trip(&BodyPartReference::BodyPartPath(vec![1, 2, 3]));
    let tci = TaggedContentInfo {
        body_part_id: 11,
        content_info: ContentInfo::from_der(&fixture("enveloped-ktri.der")).unwrap(),
    };
    round_trip(&tci);
    let om = OtherMsg {
        body_part_id: 12,
        other_msg_type: oid("1.2.3.4"),
        other_msg_value: any(&der::asn1::Utf8StringRef::new("hello").unwrap()),
    };
    round_trip(&om);
    let oids = CmcOids::default();
    let controls = vec![
        TaggedAttribute::from_control(
            1,
            &Control::TransactionId(Int::new(&[0x10, 0x92]).unwrap()),
            &oids,
        )
        .unwrap(),
        TaggedAttribute::from_control(
            2,
            &Control::SenderNonce(OctetString::new(vec![1; 16]).unwrap()),
            &oids,
        )
        .unwrap(),
    ];
    let pd = PkiData {
        control_sequence: controls.clone(),
        req_sequence: vec![tcr(), crm(), orm()],
        cms_sequence: vec![tci.clone()],
        other_msg_sequence: vec![om.clone()],
    };
    round_trip(&pd);
    round_trip(&PkiData::default());
    assert_eq!(
        PkiData::default().to_der().unwrap(),
        unhex("3008 3000 3000 3000 3000")
    );
    let pr = PkiResponse {
        control_sequence: controls,
        cms_sequence: vec![tci],
        other_msg_sequence: vec![om],
    };
    round_trip(&pr);
    round_trip(&PendInfo {
        pend_token: OctetString::new(vec![9]).unwrap(),
        pend_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(0)).unwrap(),
    });
    round_trip(&CmcUnsignedData {
        body_part_path: vec![3],
        identifier: oids.archive_enveloped_data,
        content: Any::from_der(&fixture("enveloped-ktri.der")).unwrap(),
    });
    round_trip(&IdentityProofV2 {
        proof_alg_id: AlgorithmIdentifierOwned {
            oid: oid("1.2.3.4"),
            parameters: None,
        },
        mac_alg_id: AlgorithmIdentifierOwned {
            oid: oid("1.2.4.5"),
            parameters: None,
        },
        witness: OctetString::new(vec![0xee; 32]).unwrap(),
    });
    // Body part IDs outside 0..2^32-1 are refused.
    assert!(BodyPartReference::from_der(&unhex("0205 0100000000")).is_err());
    assert!(BodyPartReference::from_der(&unhex("0201 ff")).is_err());
}

#[test]
fn round_trips_rfc4211_types() {
    round_trip(&OptionalValidity {
        not_before: None,
        not_after: None,
    });
    round_trip(&CertTemplate::default());
    let full = CertTemplate {
        version: Some(2),
        signing_alg: Some(AlgorithmIdentifierOwned {
            oid: oid("1.2.840.113549.1.1.11"),
            parameters: None,
        }),
        public_key: Some(small_spki()),
        issuer_uid: Some(BitString::from_bytes(&[7]).unwrap()),
        subject_uid: Some(BitString::from_bytes(&[8]).unwrap()),
        extensions: Some(vec![x509_cert::ext::Extension {
            extn_id: oid("2.5.29.15"),
            critical: true,
            extn_value: OctetString::new(vec![0x03, 0x02, 0x05, 0xa0]).unwrap(),
        }]),
        ..template()
    };
    let der = round_trip(&full);
    // publicKey [6] IMPLICIT SubjectPublicKeyInfo stays constructed.
    assert!(der.windows(2).any(|w| w == [0xa6, 0x0c]));
    round_trip(&crm());
    let TaggedRequest::Crm(mut msg) = crm() else {
        unreachable!()
    };
    msg.popo = None;
    msg.reg_info = Some(vec![AttributeTypeAndValue {
        oid: oid("1.2.3.4"),
        value: any(&1u8),
    }]);
    round_trip(&msg);

    let key = private_key();
    assert_eq!(key.to_der().unwrap().as_slice(), unhex(ED25519_PKCS8));
    assert_eq!(key.algorithm().unwrap().oid, oid("1.3.101.112"));
    assert_eq!(format!("{key:?}"), "PrivateKeyInfoDer(46 bytes)");
    assert!(PrivateKeyInfoDer::from_der(&unhex("3003 020100")).is_err());
    for identifier in [
        None,
        Some(EncKeyIdentifier::String("alice key 1".into())),
        Some(EncKeyIdentifier::GeneralName(GeneralName::Rfc822Name(
            der::asn1::Ia5String::new("alice@example.com").unwrap(),
        ))),
    ] {
        let e = EncKeyWithId {
            private_key: key.clone(),
            identifier,
        };
        round_trip(&e);
    }
    let e = EncKeyWithId {
        private_key: key.clone(),
        identifier: Some(EncKeyIdentifier::String("k".into())),
    };
    assert_eq!(
        e.to_der().unwrap(),
        [
            &[0x30, 0x33][..],
            &unhex(ED25519_PKCS8),
            &[0x0c, 0x01, b'k']
        ]
        .concat()
    );
    let single = SinglePrivateKey {
        private_key: e.private_key.clone(),
        certificate_id: crate::cms::ktri::rid_for_key_id(vec![0xab, 0xcd]).unwrap(),
    };
    let multi: MultiplePrivateKeys = vec![single.clone(), single];
    assert_eq!(
        round_trip(&multi),
        [
            &[0x30, 0x6c, 0x30, 0x34][..],
            &unhex(ED25519_PKCS8),
            &unhex("8002abcd 3034"),
            &unhex(ED25519_PKCS8),
            &unhex("8002abcd"),
        ]
        .concat()
    );
}

#[test]
fn round_trips_draft_types() {
    let oids = CmcOids::default();
    let cert = Certificate::from_der(&fixture("archive-cert.der")).unwrap();
    for shroud in [
        Shroud::PublicKey(ShroudWithPublicKey::Certificate(Box::new(cert.clone()))),
        Shroud::PublicKey(ShroudWithPublicKey::PublicKey(small_spki())),
        Shroud::SharedSecret("trustee-7".into()),
        Shroud::Other(AlgorithmIdentifierOwned {
            oid: oid("1.2.3.4"),
            parameters: None,
        }),
    ] {
        let m = shroud.to_method(&oids).unwrap();
        round_trip(&m);
        assert_eq!(Shroud::from_method(&m, &oids).unwrap(), shroud);
    }
    let bad = AlgorithmIdentifierOwned {
        oid: oids.shroud_with_shared_secret,
        parameters: None,
    };
    assert!(Shroud::from_method(&bad, &oids).is_err());

    let method = Shroud::SharedSecret("s".into()).to_method(&oids).unwrap();
    round_trip(&ServerKeyGenRequest {
        certificate_request: CertTemplate {
            subject: Some("CN=alice".parse().unwrap()),
            ..Default::default()
        },
        shroud_method: method.clone(),
        enc_capabilities: crate::cmc::build::default_enc_capabilities(),
        f_archive_key: true,
        selection_criteria: Some(OctetString::new(b"sel".to_vec()).unwrap()),
    });
    round_trip(&ServerKeyGenResponse {
        cms_body_part_id: 3,
        request_body_part_id: 2,
        issuer_and_serial_number: None,
    });
    round_trip(&KeyArchival {
        key_identification: KeyIdentification::ReqBodyPartId(2),
        cms_body_part_id: 0,
        selection_criteria: None,
    });
    assert_eq!(
        KeyArchival {
            key_identification: KeyIdentification::ReqBodyPartId(2),
            cms_body_part_id: 3,
            selection_criteria: Some(OctetString::new(vec![0xab]).unwrap())
        }
        .to_der()
        .unwrap(),
        unhex("3009 020102 020103 0401ab")
    );
    // The certificateID arm: subjectKeyIdentifier [0] IMPLICIT, untagged in the CHOICE.
    let by_ski = KeyArchival {
        key_identification: KeyIdentification::CertificateId(
            RecipientIdentifier::SubjectKeyIdentifier(x509_cert::ext::pkix::SubjectKeyIdentifier(
                OctetString::new(vec![0xab, 0xcd]).unwrap(),
            )),
        ),
        cms_body_part_id: 3,
        selection_criteria: None,
    };
    assert_eq!(round_trip(&by_ski), unhex("3007 8002abcd 020103"));
    assert_eq!(by_ski.req_body_part_id(), None);
    // Neither an INTEGER nor a RecipientIdentifier: refused.
    assert!(KeyArchival::from_der(&unhex("3005 0400 020103")).is_err());
    round_trip(&KeyRecoveryReq {
        shroud_method: method.clone(),
        enc_capabilities: crate::cmc::build::default_enc_capabilities(),
        selection_criteria: Some(OctetString::new(vec![1]).unwrap()),
    });
    round_trip(&KeyRecoveryReq {
        shroud_method: method,
        enc_capabilities: vec![],
        selection_criteria: None,
    });
    round_trip(&KeyRecoveryRsp {
        cms_body_part_id: 4,
        certificate_id: None,
        selection_criteria: None,
    });
}

#[test]
fn controls_through_tagged_attributes() {
    let oids = CmcOids::default();
    let method = Shroud::PublicKey(ShroudWithPublicKey::PublicKey(small_spki()))
        .to_method(&oids)
        .unwrap();
    let controls = vec![
        Control::TransactionId(Int::new(&[1]).unwrap()),
        Control::SenderNonce(OctetString::new(vec![1, 2]).unwrap()),
        Control::RecipientNonce(OctetString::new(vec![3]).unwrap()),
        Control::Identification("alice".into()),
        Control::IdentityProofV2(IdentityProofV2 {
            proof_alg_id: AlgorithmIdentifierOwned {
                oid: oid("1.2.3.4"),
                parameters: None,
            },
            mac_alg_id: AlgorithmIdentifierOwned {
                oid: oid("1.2.4.5"),
                parameters: None,
            },
            witness: OctetString::new(vec![0]).unwrap(),
        }),
        Control::StatusInfoV2(
            CmcStatusInfoV2::archive_failure(
                vec![BodyPartReference::BodyPartPath(vec![1, 2])],
                ArchiveError::NoKeysFound,
                None,
                &oids,
            )
            .unwrap(),
        ),
        Control::KeyArchival(KeyArchival {
            key_identification: KeyIdentification::ReqBodyPartId(2),
            cms_body_part_id: 3,
            selection_criteria: None,
        }),
        Control::ServerKeyGenRequest(Box::new(ServerKeyGenRequest {
            certificate_request: CertTemplate::default(),
            shroud_method: method.clone(),
            enc_capabilities: vec![],
            f_archive_key: false,
            selection_criteria: None,
        })),
        Control::ServerKeyGenResponse(ServerKeyGenResponse {
            cms_body_part_id: 3,
            request_body_part_id: 2,
            issuer_and_serial_number: None,
        }),
        Control::KeyRecoveryReq(KeyRecoveryReq {
            shroud_method: method,
            enc_capabilities: vec![],
            selection_criteria: None,
        }),
        Control::KeyRecoveryRsp(KeyRecoveryRsp {
            cms_body_part_id: 4,
            certificate_id: None,
            selection_criteria: None,
        }),
        Control::Unknown {
            attr_type: oid("1.2.3.7"),
            values: vec![any(&5u8)],
        },
    ];
    for (i, c) in controls.iter().enumerate() {
        let ta = TaggedAttribute::from_control(i as u32 + 1, c, &oids).unwrap();
        let ta = TaggedAttribute::from_der(&round_trip(&ta)).unwrap();
        assert_eq!(&ta.decode_control(&oids).unwrap(), c);
    }
    // The archive error, in both of the forms kmi reads.
    let Control::StatusInfoV2(s) = &controls[5] else {
        unreachable!()
    };
    assert_eq!(s.archive_error(&oids), Some(2));
    let mut arc_form = s.clone();
    arc_form.other_info = Some(OtherStatusInfo::ExtendedFailInfo(ExtendedFailInfo {
        fail_info_oid: oids.errs_archive,
        fail_info_value: any(&3u8),
    }));
    assert_eq!(arc_form.archive_error(&oids), Some(3));

    // A known control with a malformed value or two values is a format error naming it; an
    // unknown control never is.
    let bad = TaggedAttribute {
        body_part_id: 9,
        attr_type: oids.key_archival,
        attr_values: SetOfVec::try_from(vec![any(&1u8)]).unwrap(),
    };
    let e = bad.decode_control(&oids).unwrap_err().to_string();
    assert!(
        e.starts_with("malformed id-cmc-keyArchival control (body part 9)"),
        "{e}"
    );
    let two = TaggedAttribute {
        body_part_id: 9,
        attr_type: oids.transaction_id,
        attr_values: SetOfVec::try_from(vec![any(&1u8), any(&2u8)]).unwrap(),
    };
    assert!(two
        .decode_control(&oids)
        .unwrap_err()
        .to_string()
        .contains("has 2 values"));
    let empty = TaggedAttribute {
        body_part_id: 1,
        attr_type: oid("1.2.9.9"),
        attr_values: SetOfVec::new(),
    };
    assert!(
        matches!(empty.decode_control(&oids).unwrap(), Control::Unknown { values, .. } if values.is_empty())
    );
    // A profile moves a control to another number.
    let moved = CmcOids::from_profile("id-cmc-keyArchival=1.2.3.99").unwrap();
    let ka = Control::KeyArchival(KeyArchival {
        key_identification: KeyIdentification::ReqBodyPartId(1),
        cms_body_part_id: 0,
        selection_criteria: None,
    });
    let ta = TaggedAttribute::from_control(1, &ka, &moved).unwrap();
    assert_eq!(ta.attr_type, oid("1.2.3.99"));
    assert_eq!(ta.decode_control(&moved).unwrap(), ka);
    assert!(matches!(
        ta.decode_control(&oids).unwrap(),
        Control::Unknown { .. }
    ));
}

/// The pyasn1-made fixtures (scripts/cmc_fixtures.py), field by field.
#[test]
fn pyasn1_pkidata_fixture() {
    let oids = CmcOids::default();
    let der = fixture("pkidata.der");
    let pd = PkiData::from_der(&der).unwrap();
    assert_eq!(
        pd.to_der().unwrap(),
        der,
        "kmi re-encodes pyasn1's DER identically"
    );
    let c: Vec<Control> = pd
        .control_sequence
        .iter()
        .map(|c| c.decode_control(&oids).unwrap())
        .collect();
    let ids: Vec<u32> = pd.control_sequence.iter().map(|c| c.body_part_id).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    assert_eq!(
        c[0],
        Control::TransactionId(Int::new(&[0x10, 0x92]).unwrap())
    );
    assert_eq!(
        c[1],
        Control::SenderNonce(OctetString::new((1..=16).collect::<Vec<u8>>()).unwrap())
    );
    assert_eq!(
        c[2],
        Control::KeyArchival(KeyArchival {
            key_identification: KeyIdentification::ReqBodyPartId(10),
            cms_body_part_id: 11,
            selection_criteria: Some(OctetString::new(b"sel".to_vec()).unwrap()),
        })
    );
    assert_eq!(
        c[3],
        Control::StatusInfoV2(CmcStatusInfoV2 {
            cmc_status: CmcStatus::SUCCESS,
            body_list: vec![BodyPartReference::BodyPartId(10)],
            status_string: None,
            other_info: None,
        })
    );
    assert_eq!(pd.req_sequence.len(), 1);
    let TaggedRequest::Tcr(t) = &pd.req_sequence[0] else {
        panic!("not tcr")
    };
    assert_eq!(t.body_part_id, 10);
    assert_eq!(
        t.certification_request.to_der().unwrap(),
        fixture("req.p10.der")
    );
    assert_eq!(
        t.certification_request.info.subject.to_string(),
        "O=Example,CN=kmi fixture"
    );
    assert_eq!(pd.cms_sequence.len(), 1);
    assert_eq!(pd.cms_sequence[0].body_part_id, 11);
    assert_eq!(
        pd.cms_sequence[0].content_info.content_type,
        crate::cms::asn1::ID_ENVELOPED_DATA
    );
    assert_eq!(
        pd.cms_sequence[0].content_info.to_der().unwrap(),
        fixture("enveloped-ktri.der")
    );
    assert_eq!(pd.other_msg_sequence.len(), 1);
    let om = &pd.other_msg_sequence[0];
    assert_eq!(
        (om.body_part_id, om.other_msg_type),
        (12, oid("1.3.6.1.4.1.32473.1.99"))
    );
    assert_eq!(om.other_msg_value.decode_as::<String>().unwrap(), "hello");

    let ci = ContentInfo::from_der(&fixture("pkidata-ci.der")).unwrap();
    assert_eq!(ci.content_type, oids.cct_pki_data);
    assert_eq!(ci.content.decode_as::<PkiData>().unwrap(), pd);
}

#[test]
fn pyasn1_pkiresponse_fixture() {
    let oids = CmcOids::default();
    let der = fixture("pkiresponse.der");
    let pr = PkiResponse::from_der(&der).unwrap();
    assert!(pr.cms_sequence.is_empty() && pr.other_msg_sequence.is_empty());
    let c: Vec<Control> = pr
        .control_sequence
        .iter()
        .map(|c| c.decode_control(&oids).unwrap())
        .collect();
    let Control::StatusInfoV2(s) = &c[0] else {
        panic!("{:?}", c[0])
    };
    assert_eq!(s.cmc_status, CmcStatus::FAILED);
    assert_eq!(s.body_list, [BodyPartReference::BodyPartId(10)]);
    assert_eq!(s.status_string.as_deref(), Some("archive required"));
    let Some(OtherStatusInfo::ExtendedFailInfo(e)) = &s.other_info else {
        panic!("{s:?}")
    };
    assert_eq!(
        e.fail_info_oid,
        oids.archive_error_oid(ArchiveError::ArchiveRequired)
    );
    assert_eq!(e.fail_info_value.decode_as::<u32>().unwrap(), 3);
    assert_eq!(
        s.archive_error(&oids),
        Some(ArchiveError::ArchiveRequired.code())
    );
    assert_eq!(
        c[1],
        Control::TransactionId(Int::new(&[0x10, 0x92]).unwrap())
    );
    assert_eq!(
        c[2],
        Control::RecipientNonce(OctetString::new((0x21..=0x30).collect::<Vec<u8>>()).unwrap())
    );
    // pyasn1 wrote extendedFailInfo untagged (RFC 5272); kmi re-encodes the control with [1]
    // (RFC 6402), the rest unchanged.
    let value = pr.control_sequence[0]
        .attr_values
        .get(0)
        .unwrap()
        .to_der()
        .unwrap();
    let again = TaggedAttribute::from_control(1, &c[0], &oids).unwrap();
    let again = again.attr_values.get(0).unwrap().to_der().unwrap();
    let pos = value
        .windows(2)
        .position(|w| w == [0x30, 0x11])
        .expect("untagged extendedFailInfo");
    assert_eq!(again[pos], 0xa1);
    assert_eq!(again[..pos], value[..pos]);
    assert_eq!(again[pos + 1..], value[pos + 1..]);
    // The PKIResponse itself re-encodes byte for byte (control values are kept as they came).
    assert_eq!(pr.to_der().unwrap(), der);
}

#[test]
fn name_from_str_is_not_needed_but_agrees() {
    // The KAT names are DER; x509-cert's string form reads the same.
    assert_eq!(Name::from_str("CN=A").unwrap(), name(NAME_A));
}

/// The draft's own samples (scripts/cmc_archive_asn1.py `samples`, testdata/cmc/draft/): kmi
/// decodes each production and re-encodes it byte for byte.
#[test]
fn draft_samples_decode_and_reencode() {
    fn sample(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/testdata/cmc/draft/{name}.der",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
    fn same<T: for<'a> Decode<'a> + Encode>(name: &str) {
        let der = sample(name);
        let value = T::from_der(&der).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(value.to_der().unwrap(), der, "{name} re-encoded");
    }
    same::<ShroudWithPublicKey>("ShroudWithPublicKey");
    same::<ShroudWithPublicKey>("ShroudWithPublicKey-publicKey");
    same::<ShroudMethod>("ShroudMethod");
    same::<ShroudMethod>("ShroudMethod-shroudWithPublicKey");
    same::<KeyArchival>("KeyArchival");
    same::<KeyArchival>("KeyArchival-issuerAndSerialNumber");
    same::<KeyArchival>("KeyArchival-subjectKeyIdentifier");
    same::<ServerKeyGenRequest>("ServerKeyGenRequest");
    same::<ServerKeyGenRequest>("ServerKeyGenRequest-archive");
    same::<ServerKeyGenResponse>("ServerKeyGenResponse");
    same::<KeyRecoveryRsp>("KeyRecoveryRsp");
    same::<KeyRecoveryRsp>("KeyRecoveryRsp-subjectKeyIdentifier");
    // Section 5.2.1's form without certificateId is read too.
    same::<KeyRecoveryRsp>("KeyRecoveryRspLenient");
    same::<SinglePrivateKey>("SinglePrivateKey");
    same::<KeyRecoveryReq>("KeyRecoveryReq");
    same::<KeyRecoveryReq>("KeyRecoveryReq-shroudWithPublicKey");
    same::<MultiplePrivateKeys>("MultiplePrivateKeys");
    assert!(
        ServerKeyGenResponse::from_der(&sample("ServerKeyGenResponse"))
            .unwrap()
            .issuer_and_serial_number
            .is_some()
    );
    let oids = CmcOids::default();
    for name in ["ShroudMethod", "ShroudMethod-shroudWithPublicKey"] {
        let m = ShroudMethod::from_der(&sample(name)).unwrap();
        assert!(!matches!(
            Shroud::from_method(&m, &oids).unwrap(),
            Shroud::Other(_)
        ));
    }
}
