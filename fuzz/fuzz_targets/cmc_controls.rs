//! Structure-aware fuzzing of CMC controls (issue 18): start from a valid PKIData made by kmi's
//! own builders (every control kmi knows, a CRMF request, an unknown control), and let the input
//! choose edits to the numbers and counts inside it, not to random bytes: bodyPartIDs (shared,
//! zero, huge), the INTEGERs of transactionId / rsaKeyLen / KeyArchival references, how many times
//! a control repeats, and the length octets of chosen DER headers. Then run what reads controls:
//! the bounds walk, the typed decoders, the duplicate-ID check and the printer (text and JSON).
//! None may panic.
#![no_main]

use std::sync::OnceLock;

use der::asn1::{Any, Int, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode};
use kmi::cmc::bounds;
use kmi::cmc::oids::CmcOids;
use kmi::cmc::print::{no_verification, parse_message, render_text};
use kmi::cmc::types::*;
use libfuzzer_sys::fuzz_target;
use x509_cert::attr::AttributeTypeAndValue;

/// id-regCtrl-rsaKeyLen (RFC 9480): a CRMF control holding an INTEGER the input picks.
const ID_REG_CTRL_RSA_KEY_LEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.12");

fn int(bytes: &[u8]) -> Int {
    Int::new(bytes).unwrap_or_else(|_| Int::new(&[1]).unwrap())
}

fn rsa_len(bits: &[u8]) -> AttributeTypeAndValue {
    AttributeTypeAndValue {
        oid: ID_REG_CTRL_RSA_KEY_LEN,
        value: Any::encode_from(&int(bits)).unwrap(),
    }
}

/// The seed: one of each control, with the numbers `n` gives (or kmi's defaults).
fn pki_data(oids: &CmcOids, n: &Numbers) -> Option<PkiData> {
    let ctl = |id: u32, c: &Control| TaggedAttribute::from_control(id, c, oids).ok();
    // A CRMF request in the reqSequence (its controls carry a number the input picks).
    let crm = TaggedRequest::Crm(CertReqMsg {
        cert_req: CertRequest {
            cert_req_id: int(&n.cert_req_id),
            cert_template: CertTemplate {
                subject: "CN=alice".parse().ok(),
                ..Default::default()
            },
            controls: Some(vec![rsa_len(&n.rsa_bits)]),
        },
        popo: None,
        reg_info: None,
    });
    let skg = ServerKeyGenRequest {
        certificate_request: CertTemplate {
            subject: "CN=alice".parse().ok(),
            ..Default::default()
        },
        shroud_method: Shroud::SharedSecret("alice".into()).to_method(oids).ok()?,
        enc_capabilities: kmi::cmc::build::default_enc_capabilities(),
        f_archive_key: n.archive_flag,
        selection_criteria: None,
    };
    let mut controls = vec![
        ctl(n.ids[0], &Control::TransactionId(int(&n.transaction_id)))?,
        ctl(
            n.ids[1],
            &Control::SenderNonce(OctetString::new(vec![7u8; 16]).ok()?),
        )?,
        ctl(n.ids[2], &Control::Identification("alice".into()))?,
        ctl(
            n.ids[3],
            &Control::KeyArchival(KeyArchival {
                key_identification: KeyIdentification::ReqBodyPartId(n.ka_req),
                cms_body_part_id: n.ka_cms,
                selection_criteria: None,
            }),
        )?,
        ctl(
            n.ids[4],
            &Control::KeyRecoveryReq(KeyRecoveryReq {
                shroud_method: Shroud::SharedSecret("alice".into()).to_method(oids).ok()?,
                enc_capabilities: vec![],
                selection_criteria: Some(OctetString::new(b"sel".to_vec()).ok()?),
            }),
        )?,
        ctl(n.ids[5], &Control::ServerKeyGenRequest(Box::new(skg.clone())))?,
        ctl(
            n.ids[6],
            &Control::KeyRecoveryRsp(KeyRecoveryRsp {
                cms_body_part_id: n.ka_cms,
                certificate_id: None,
                selection_criteria: None,
            }),
        )?,
        ctl(
            n.ids[7],
            &Control::StatusInfoV2(CmcStatusInfoV2 {
                cmc_status: CmcStatus(n.status),
                body_list: vec![BodyPartReference::BodyPartId(n.ka_req)],
                status_string: Some("fuzz".into()),
                other_info: Some(OtherStatusInfo::FailInfo(CmcFailInfo(n.status))),
            }),
        )?,
        TaggedAttribute {
            body_part_id: n.ids[8],
            attr_type: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.9.9"),
            attr_values: SetOfVec::try_from(vec![Any::encode_from(&int(&n.transaction_id)).ok()?])
                .ok()?,
        },
    ];
    // Repeat one control (counts around the 256 limit are the interesting ones).
    if let Some(c) = controls.get(n.repeat_which as usize % 9).cloned() {
        for i in 0..n.repeat_count {
            let mut c = c.clone();
            c.body_part_id = c.body_part_id.wrapping_add(u32::from(i) * n.repeat_step);
            controls.push(c);
        }
    }
    Some(PkiData {
        control_sequence: controls,
        req_sequence: vec![crm],
        cms_sequence: Vec::new(),
        other_msg_sequence: vec![OtherMsg {
            body_part_id: n.ids[9],
            other_msg_type: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.9.8"),
            other_msg_value: Any::encode_from(&int(&n.cert_req_id)).ok()?,
        }],
    })
}

/// The numbers the input chooses.
struct Numbers {
    ids: [u32; 10],
    transaction_id: Vec<u8>,
    cert_req_id: Vec<u8>,
    rsa_bits: Vec<u8>,
    ka_req: u32,
    ka_cms: u32,
    status: u32,
    archive_flag: bool,
    repeat_which: u8,
    repeat_count: u16,
    repeat_step: u32,
    /// (which DER header, new first length octet) edits after encoding.
    length_edits: Vec<(u16, u8)>,
}

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u32(&mut self) -> u32 {
        // Small values most of the time: shared and zero IDs are what break things.
        match self.byte() % 4 {
            0 => u32::from(self.byte() % 8),
            1 => u32::from_be_bytes([self.byte(), self.byte(), self.byte(), self.byte()]),
            2 => u32::MAX - u32::from(self.byte() % 4),
            _ => u32::from(self.byte()),
        }
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = (self.byte() % 12) as usize + 1;
        (0..n).map(|_| self.byte()).collect()
    }
}

fn numbers(data: &[u8]) -> Numbers {
    let mut i = Input(data);
    let mut ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    for id in ids.iter_mut() {
        if i.byte() & 1 == 1 {
            *id = i.u32();
        }
    }
    let repeat_count = match i.byte() % 4 {
        0 => 0,
        1 => u16::from(i.byte()),
        2 => 240 + u16::from(i.byte() % 32),
        _ => u16::from_be_bytes([i.byte(), i.byte()]) % 2048,
    };
    Numbers {
        ids,
        transaction_id: i.bytes(),
        cert_req_id: i.bytes(),
        rsa_bits: i.bytes(),
        ka_req: i.u32(),
        ka_cms: i.u32(),
        status: i.u32(),
        archive_flag: i.byte() & 1 == 1,
        repeat_which: i.byte(),
        repeat_count,
        repeat_step: i.u32(),
        length_edits: (0..i.byte() % 4)
            .map(|_| (u16::from_be_bytes([i.byte(), i.byte()]), i.byte()))
            .collect(),
    }
}

/// Offsets of the first length octet of every TLV header in `der` (a pre-order walk).
fn length_offsets(der: &[u8], out: &mut Vec<usize>, base: usize, depth: usize) {
    let mut pos = 0;
    while pos + 2 <= der.len() && out.len() < 4096 {
        let tag = der[pos];
        let first = der[pos + 1];
        out.push(base + pos + 1);
        let (len, hdr) = if first < 0x80 {
            (first as usize, 2)
        } else {
            let k = (first & 0x7f) as usize;
            if k == 0 || k > 4 || pos + 2 + k > der.len() {
                return;
            }
            let mut l = 0usize;
            for b in &der[pos + 2..pos + 2 + k] {
                l = (l << 8) | *b as usize;
            }
            (l, 2 + k)
        };
        let start = pos + hdr;
        let Some(end) = start.checked_add(len).filter(|e| *e <= der.len()) else {
            return;
        };
        if tag & 0x20 != 0 && depth < 16 {
            length_offsets(&der[start..end], out, base + start, depth + 1);
        }
        pos = end;
    }
}

fuzz_target!(|data: &[u8]| {
    static OIDS: OnceLock<CmcOids> = OnceLock::new();
    let oids = OIDS.get_or_init(CmcOids::default);
    let n = numbers(data);
    let Some(pd) = pki_data(oids, &n) else {
        return;
    };
    let Ok(mut der) = pd.to_der() else {
        return;
    };
    if !n.length_edits.is_empty() {
        let mut offs = Vec::new();
        length_offsets(&der, &mut offs, 0, 0);
        for (which, value) in &n.length_edits {
            if let Some(&o) = offs.get(*which as usize % offs.len().max(1)) {
                der[o] = *value;
            }
        }
    }
    // What the agent, extract and the printer run on controls.
    let bounded = bounds::check_pki_body(&der).is_ok();
    if let Ok(pd) = PkiData::from_der(&der) {
        let _ = pd.duplicate_body_part_id();
        for c in &pd.control_sequence {
            if let Ok(Control::StatusInfoV2(s)) = c.decode_control(oids) {
                let _ = s.archive_error(oids);
            }
        }
        for r in &pd.req_sequence {
            let _ = r.body_part_id();
        }
        // Within the bounds, the controls re-encode.
        if bounded {
            let _ = pd.to_der();
        }
    }
    let _ = PkiResponse::from_der(&der);
    if let Ok(report) = parse_message(&der, oids, &no_verification) {
        let _ = render_text(&report);
        let _ = serde_json::to_string(&report);
    }
});
