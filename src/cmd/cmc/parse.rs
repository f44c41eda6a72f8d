//! kmi cmc parse: describe every layer of a CMC message, as text or `--json`, with each signature
//! checked against the given certificates or the public keys the message itself carries; a
//! signature that does not verify fails the command.

use std::cell::RefCell;

use der::{Decode, Encode};

use kmi::cli::cmc::ParseArgs;
use kmi::cmc::oids::CmcOids;
use kmi::cmc::print::{self, SignerStatus};
use kmi::cmc::types::{ShroudWithPublicKey, TaggedRequest};
use kmi::cms::signed::{SignedMessage, SignerProblem};
use kmi::io::read_input;
use kmi::{Error, Result};

use super::oids;
use crate::cmd::Context;

/// Public keys a message carries for its own verification: those of its certification requests
/// and of a public-key shroud (a request may be signed by the key it enrolls or shrouds to).
fn enclosed_spkis(sd: &cms::signed_data::SignedData, oids: &CmcOids) -> Vec<Vec<u8>> {
    use kmi::cmc::types::{Control, PkiData, Shroud};
    let mut out = Vec::new();
    let Ok(Some(content)) = print::econtent_of(sd) else {
        return out;
    };
    let Ok(pd) = PkiData::from_der(&content) else {
        return out;
    };
    let mut push = |r: &TaggedRequest| match r {
        TaggedRequest::Tcr(t) => out.extend(t.certification_request.info.public_key.to_der().ok()),
        TaggedRequest::Crm(c) => out.extend(
            c.cert_req
                .cert_template
                .public_key
                .as_ref()
                .and_then(|k| k.to_der().ok()),
        ),
        TaggedRequest::Orm(_) => {}
    };
    for r in &pd.req_sequence {
        push(r);
    }
    for ta in &pd.control_sequence {
        let method = match ta.decode_control(oids) {
            Ok(Control::KeyRecoveryReq(k)) => k.shroud_method,
            Ok(Control::ServerKeyGenRequest(s)) => s.shroud_method,
            _ => continue,
        };
        match Shroud::from_method(&method, oids) {
            Ok(Shroud::PublicKey(ShroudWithPublicKey::Certificate(c))) => {
                out.extend(kmi::cms::ktri::cert_spki(&c).ok())
            }
            Ok(Shroud::PublicKey(ShroudWithPublicKey::PublicKey(k))) => out.extend(k.to_der().ok()),
            _ => {}
        }
    }
    out
}

/// The public key of the PKCS#10 a NULL-issuer signer names by its bodyPartID (a request signed
/// by the key it enrolls, the archive draft's section 5.3 step 3).
fn null_dn_spki(
    sd: &cms::signed_data::SignedData,
    sid: &cms::signed_data::SignerIdentifier,
) -> Option<Vec<u8>> {
    let id = kmi::cmc::identity::null_dn_body_part(sid)?;
    let content = print::econtent_of(sd).ok()??;
    let pd = kmi::cmc::types::PkiData::from_der(&content).ok()?;
    pd.req_sequence.iter().find_map(|r| match r {
        TaggedRequest::Tcr(t) if t.body_part_id == id => {
            t.certification_request.info.public_key.to_der().ok()
        }
        _ => None,
    })
}

pub(super) fn parse(_ctx: &Context, a: ParseArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    let input = read_input(&a.message)?;
    let mut certs = Vec::new();
    for p in &a.cert {
        let bytes = read_input(p)?.bytes;
        certs.extend(kmi::keys::cert::read_certificates(&bytes).map_err(|e| e.in_file(p))?);
    }
    let bad: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let verifier = |sd: &cms::signed_data::SignedData| -> Vec<SignerStatus> {
        let msg = SignedMessage {
            signed_data: sd.clone(),
        };
        let spkis = enclosed_spkis(sd, &oids);
        match msg.verify(None, &certs, &spkis) {
            Err(e) => sd
                .signer_infos
                .0
                .iter()
                .map(|_| SignerStatus {
                    verified: false,
                    detail: format!("not checked: {e}"),
                })
                .collect(),
            Ok(checks) => checks
                .into_iter()
                .zip(sd.signer_infos.0.iter())
                .enumerate()
                .map(|(i, (mut c, si))| {
                    if c.outcome == Err(SignerProblem::NoKey) {
                        if let Some(spki) = null_dn_spki(sd, &si.sid) {
                            if let Ok(o) = msg.verify_one(i, &spki) {
                                c.outcome = o;
                            }
                        }
                    }
                    c
                })
                .map(|c| match c.outcome {
                    Ok(()) => SignerStatus {
                        verified: true,
                        detail: match &c.certificate {
                            Some(cert) => format!(
                                "signature verified with the certificate of {} (its chain is not checked)",
                                kmi::keys::cert::subject(cert)
                            ),
                            None => "signature verified with the public key of the enclosed request".into(),
                        },
                    },
                    Err(why) => {
                        // A signer kmi has no key for is reported, not counted as bad.
                        if why != SignerProblem::NoKey {
                            bad.borrow_mut().push(format!("{}: {why}", c.sid));
                        }
                        SignerStatus {
                            verified: false,
                            detail: why.to_string(),
                        }
                    }
                })
                .collect(),
        }
    };
    let report =
        print::parse_message(&input.bytes, &oids, &verifier).map_err(|e| e.in_file(&a.message))?;
    if a.json {
        let doc =
            serde_json::to_value(&report).map_err(|e| Error::internal(format!("JSON: {e}")))?;
        if bad.borrow().is_empty() {
            super::super::json::print(true, doc)?;
        } else {
            super::super::json::fail_with(doc);
        }
    } else {
        let text = print::render_text(&report);
        if text.ends_with('\n') {
            out!("{text}")?;
        } else {
            outln!("{text}")?;
        }
    }
    let bad = bad.into_inner();
    if let Some(first) = bad.first() {
        return Err(Error::check(format!(
            "{}: a signature does not verify ({first})",
            a.message.display()
        )));
    }
    Ok(())
}
