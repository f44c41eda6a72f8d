//! The human text of a report (`kmi cmc parse` without `--json`): indented lines, one layer
//! per level.

use super::model::*;

struct Text {
    out: String,
    indent: usize,
}

impl Text {
    fn line(&mut self, s: impl AsRef<str>) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }
    fn nest(&mut self, f: impl FnOnce(&mut Text)) {
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }
}

/// The report as indented human text (not an interface: scripts use `--json`).
pub fn render_text(report: &MessageReport) -> String {
    let mut t = Text {
        out: String::new(),
        indent: 0,
    };
    let enc = match report.encoding {
        Encoding::Der => "DER".to_string(),
        Encoding::Ber => "BER (normalised to DER)".to_string(),
        Encoding::Pem => format!(
            "PEM \"{}\"",
            report.pem_label.as_deref().unwrap_or_default()
        ),
    };
    t.line(format!("Encoding: {enc}"));
    if report.content_info {
        t.line(format!("ContentInfo: {}", report.content_type));
    } else {
        t.line(format!("Bare {} (no ContentInfo)", report.content_type));
    }
    t.nest(|t| content_text(t, &report.content));
    t.out
}

fn content_text(t: &mut Text, c: &ContentReport) {
    match c {
        ContentReport::SignedData(sd) => signed_text(t, sd),
        ContentReport::EnvelopedData(e) => enveloped_text(t, "EnvelopedData", e),
        ContentReport::AuthEnvelopedData(e) => enveloped_text(t, "AuthEnvelopedData", e),
        ContentReport::AuthenticatedData(a) => authenticated_text(t, a),
        ContentReport::PkiData(p) => {
            t.line(format!(
                "PKIData: {} controls, {} requests, {} cms, {} other",
                p.controls.len(),
                p.requests.len(),
                p.cms.len(),
                p.other_msgs.len()
            ));
            t.nest(|t| {
                controls_text(t, &p.controls);
                for r in &p.requests {
                    request_text(t, r);
                }
                cms_text(t, &p.cms);
                other_text(t, &p.other_msgs);
            });
        }
        ContentReport::PkiResponse(p) => {
            t.line(format!(
                "PKIResponse: {} controls, {} cms, {} other",
                p.controls.len(),
                p.cms.len(),
                p.other_msgs.len()
            ));
            t.nest(|t| {
                controls_text(t, &p.controls);
                cms_text(t, &p.cms);
                other_text(t, &p.other_msgs);
            });
        }
        ContentReport::Other { der_len } => {
            t.line(format!("(content not described, {der_len} bytes)"))
        }
        ContentReport::Absent => t.line("(content absent: detached)"),
        ContentReport::TooDeep => t.line("(nested too deep, not described)"),
        ContentReport::Malformed { error } => t.line(format!("MALFORMED: {error}")),
    }
}

fn id_text(id: &IdentifierReport) -> String {
    match id {
        IdentifierReport::IssuerAndSerialNumber { issuer, serial } => {
            format!("issuer \"{issuer}\" serial {serial}")
        }
        IdentifierReport::SubjectKeyIdentifier { hex } => format!("subjectKeyIdentifier {hex}"),
    }
}

fn signed_text(t: &mut Text, sd: &SignedDataReport) {
    t.line(format!("SignedData v{}", sd.version));
    t.nest(|t| {
        let algs: Vec<String> = sd.digest_algorithms.iter().map(|a| a.to_string()).collect();
        t.line(format!("digest algorithms: {}", algs.join(", ")));
        t.line(format!("certificates: {}", sd.certificates.len()));
        t.nest(|t| {
            for c in &sd.certificates {
                t.line(format!(
                    "subject \"{}\" serial {} issuer \"{}\"",
                    c.subject, c.serial, c.issuer
                ));
            }
        });
        if sd.crls > 0 {
            t.line(format!("CRLs: {}", sd.crls));
        }
        for (i, s) in sd.signers.iter().enumerate() {
            t.line(format!(
                "signer {} (v{}): {}",
                i + 1,
                s.version,
                id_text(&s.sid)
            ));
            t.nest(|t| {
                t.line(format!(
                    "digest {}, signature {}",
                    s.digest_algorithm, s.signature_algorithm
                ));
                let names: Vec<String> =
                    s.signed_attributes.iter().map(|a| a.to_string()).collect();
                t.line(format!(
                    "signed attributes: {}",
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                ));
                for a in &s.unsigned_attributes {
                    t.line(format!(
                        "unsigned attribute {} ({} values)",
                        a.attr_type, a.values
                    ));
                    t.nest(|t| {
                        for u in &a.unsigned_data {
                            let path: Vec<String> =
                                u.body_part_path.iter().map(|x| x.to_string()).collect();
                            t.line(format!(
                                "bodyPartPath {} identifier {}",
                                path.join("/"),
                                u.identifier
                            ));
                            t.nest(|t| content_text(t, &u.content));
                        }
                    });
                }
                match &s.status {
                    Some(st) if st.verified => {
                        t.line(format!("signature: verified ({})", st.detail))
                    }
                    Some(st) => t.line(format!("signature: FAILED ({})", st.detail)),
                    None => t.line("signature: not checked"),
                }
            });
        }
        t.line(format!("eContentType: {}", sd.econtent_type));
        t.nest(|t| content_text(t, &sd.econtent));
    });
}

fn authenticated_text(t: &mut Text, a: &AuthenticatedReport) {
    t.line(format!(
        "AuthenticatedData v{} (authenticated with a shared secret, not signed; the MAC is not checked here)",
        a.version
    ));
    t.nest(|t| {
        recipients_text(t, &a.recipients);
        t.line(format!(
            "MAC {}{}, {} octets",
            a.mac_algorithm,
            a.digest_algorithm
                .as_ref()
                .map(|d| format!(" over authAttrs (digest {d})"))
                .unwrap_or_default(),
            a.mac_len
        ));
        let names: Vec<String> = a
            .authenticated_attributes
            .iter()
            .map(|n| n.to_string())
            .collect();
        t.line(format!(
            "authenticated attributes: {}",
            if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }
        ));
        if a.unauthenticated_attributes > 0 {
            t.line(format!(
                "unauthenticated attributes: {}",
                a.unauthenticated_attributes
            ));
        }
        t.line(format!("content: {}", a.econtent_type));
        t.nest(|t| content_text(t, &a.econtent));
    });
}

fn recipients_text(t: &mut Text, recipients: &[RecipientReport]) {
    for r in recipients {
        match r {
            RecipientReport::Ktri {
                rid,
                key_encryption_algorithm,
                oaep_hash,
            } => {
                let h = oaep_hash
                    .as_ref()
                    .map(|h| format!(", OAEP hash {h}"))
                    .unwrap_or_default();
                t.line(format!(
                    "ktri: {}, {key_encryption_algorithm}{h}",
                    id_text(rid)
                ));
            }
            RecipientReport::Kari {
                key_encryption_algorithm,
                recipients,
            } => t.line(format!(
                "kari: {key_encryption_algorithm}, {recipients} recipient keys"
            )),
            RecipientReport::Kek {
                kek_id,
                key_encryption_algorithm,
            } => t.line(format!("kekri: kekid {kek_id}, {key_encryption_algorithm}")),
            RecipientReport::Pwri {
                key_derivation_algorithm,
                iterations,
                key_encryption_algorithm,
                kek_cipher,
            } => {
                let kdf = key_derivation_algorithm
                    .as_ref()
                    .map(|k| k.to_string())
                    .unwrap_or_else(|| "none".into());
                let it = iterations
                    .map(|i| format!(" ({i} iterations)"))
                    .unwrap_or_default();
                let kc = kek_cipher
                    .as_ref()
                    .map(|k| format!(" with {k}"))
                    .unwrap_or_default();
                t.line(format!("pwri: {kdf}{it}, {key_encryption_algorithm}{kc}"));
            }
            RecipientReport::Other { ori_type } => t.line(format!("ori: {ori_type}")),
        }
    }
}

fn enveloped_text(t: &mut Text, kind: &str, e: &EnvelopedReport) {
    t.line(format!("{kind} v{}", e.version));
    t.nest(|t| {
        recipients_text(t, &e.recipients);
        let len = e
            .encrypted_len
            .map(|l| format!("{l} bytes"))
            .unwrap_or_else(|| "detached".into());
        let mac = e
            .mac_len
            .map(|m| format!(", {m}-byte tag"))
            .unwrap_or_default();
        t.line(format!(
            "content: {} under {}, {len}{mac}",
            e.content_type, e.content_encryption_algorithm
        ));
    });
}

fn controls_text(t: &mut Text, controls: &[ControlReport]) {
    for c in controls {
        t.line(format!("control {}: {}", c.body_part_id, c.attr_type));
        t.nest(|t| match &c.value {
            ControlValue::TransactionId { value } => t.line(format!("transactionId {value}")),
            ControlValue::SenderNonce { hex } | ControlValue::RecipientNonce { hex } => {
                t.line(format!("nonce {hex}"))
            }
            ControlValue::Identification { text } => t.line(format!("identification \"{text}\"")),
            ControlValue::IdentityProofV2 {
                proof_algorithm,
                mac_algorithm,
                witness,
            } => t.line(format!(
                "proof {proof_algorithm}, MAC {mac_algorithm}, witness {witness}"
            )),
            ControlValue::StatusInfoV2(s) => {
                t.line(format!(
                    "status {} for body parts [{}]",
                    s.status,
                    s.body_list.join(", ")
                ));
                if let Some(text) = &s.status_string {
                    t.line(format!("statusString \"{text}\""));
                }
                if let Some(f) = &s.fail_info {
                    t.line(format!("failInfo {f}"));
                }
                if let Some(p) = &s.pend_info {
                    t.line(format!("pendInfo token {} until {}", p.token, p.time));
                }
                if let Some(x) = &s.extended_fail_info {
                    let ae = x
                        .archive_error
                        .as_ref()
                        .map(|a| format!(" = archive error {a}"))
                        .unwrap_or_default();
                    t.line(format!(
                        "extendedFailInfo {} value {}{ae}",
                        x.fail_info_oid, x.value
                    ));
                }
            }
            ControlValue::KeyArchival {
                req_body_part_id,
                certificate_id,
                cms_body_part_id,
                selection_criteria,
                selection_criteria_text,
            } => {
                let selection_criteria = &shown(selection_criteria, selection_criteria_text);
                let key = match (req_body_part_id, certificate_id) {
                    (Some(id), _) => format!("request body part {id}"),
                    (None, Some(rid)) => format!("certificate {}", id_text(rid)),
                    (None, None) => "no key identification".into(),
                };
                t.line(format!(
                    "{key}, cms body part {cms_body_part_id}{}",
                    sel_text(selection_criteria)
                ));
            }
            ControlValue::ServerKeyGenRequest {
                template,
                shroud,
                enc_capabilities,
                archive_key,
                selection_criteria,
                selection_criteria_text,
            } => {
                let selection_criteria = &shown(selection_criteria, selection_criteria_text);
                t.line(format!(
                    "archive key: {archive_key}{}",
                    sel_text(selection_criteria)
                ));
                shroud_text(t, shroud);
                let caps: Vec<String> = enc_capabilities.iter().map(|c| c.to_string()).collect();
                t.line(format!("encCapabilities {}", caps.join(", ")));
                t.line("certificate template");
                t.nest(|t| template_text(t, template));
            }
            ControlValue::ServerKeyGenResponse {
                cms_body_part_id,
                request_body_part_id,
                certificate,
            } => {
                t.line(format!(
                    "cms body part {cms_body_part_id} answers request {request_body_part_id}{}",
                    certificate
                        .as_ref()
                        .map(|c| format!(", certificate {}", id_text(c)))
                        .unwrap_or_default()
                ));
            }
            ControlValue::KeyRecoveryReq {
                shroud,
                enc_capabilities,
                selection_criteria,
                selection_criteria_text,
            } => {
                let selection_criteria = &shown(selection_criteria, selection_criteria_text);
                shroud_text(t, shroud);
                let caps: Vec<String> = enc_capabilities.iter().map(|c| c.to_string()).collect();
                t.line(format!("encCapabilities {}", caps.join(", ")));
                if let Some(s) = selection_criteria {
                    t.line(format!("selectionCriteria {s}"));
                }
            }
            ControlValue::KeyRecoveryRsp {
                cms_body_part_id,
                certificate_id,
                selection_criteria,
                selection_criteria_text,
            } => {
                let selection_criteria = &shown(selection_criteria, selection_criteria_text);
                t.line(format!(
                    "keys in cms body part {cms_body_part_id}{}{}",
                    certificate_id
                        .as_ref()
                        .map(|c| format!(", certificate {}", id_text(c)))
                        .unwrap_or_default(),
                    sel_text(selection_criteria)
                ));
            }
            ControlValue::Unknown { values } => {
                for v in values {
                    t.line(format!("value (DER) {v}"));
                }
            }
            ControlValue::Malformed { error, values } => {
                t.line(format!("MALFORMED: {error}"));
                for v in values {
                    t.line(format!("value (DER) {v}"));
                }
            }
        });
    }
}

/// selectionCriteria as the user typed it, quoted, when it is text; its hex otherwise.
fn shown(hex: &Option<String>, text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| format!("{t:?}"))
        .or_else(|| hex.clone())
}

fn sel_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(", selectionCriteria {s}"))
        .unwrap_or_default()
}

fn key_text(k: &KeyReport) -> String {
    let mut s = k.algorithm.to_string();
    if let Some(b) = k.bits {
        s.push_str(&format!(" {b} bits"));
    }
    if let Some(p) = &k.parameters {
        s.push_str(&format!(" {p}"));
    }
    s
}

fn shroud_text(t: &mut Text, s: &ShroudReport) {
    t.line(match s {
        ShroudReport::PublicKeyCertificate {
            subject,
            serial,
            public_key,
        } => {
            format!(
                "shroud with certificate \"{subject}\" serial {serial}, {}",
                key_text(public_key)
            )
        }
        ShroudReport::PublicKey { public_key } => {
            format!("shroud with public key {}", key_text(public_key))
        }
        ShroudReport::SharedSecret { identifier } => {
            format!("shroud with shared secret \"{identifier}\"")
        }
        ShroudReport::Other { algorithm } => format!("shroud method {algorithm}"),
        ShroudReport::Malformed { algorithm, error } => {
            format!("shroud method {algorithm} MALFORMED: {error}")
        }
    });
}

fn request_text(t: &mut Text, r: &RequestReport) {
    match r {
        RequestReport::Tcr {
            body_part_id,
            subject,
            public_key,
            signature_algorithm,
            attributes,
        } => {
            t.line(format!(
                "request {body_part_id} (tcr, PKCS#10): subject \"{subject}\""
            ));
            t.nest(|t| {
                t.line(format!("public key {}", key_text(public_key)));
                t.line(format!("signature {signature_algorithm}"));
                for a in attributes {
                    t.line(format!("attribute {a}"));
                }
            });
        }
        RequestReport::Crm {
            cert_req_id,
            template,
            controls,
            popo,
            reg_info,
        } => {
            t.line(format!("request {cert_req_id} (crm, CRMF)"));
            t.nest(|t| {
                template_text(t, template);
                for c in controls {
                    t.line(format!("control {c}"));
                }
                if let Some(p) = popo {
                    t.line(format!("proof of possession {p}"));
                }
                for r in reg_info {
                    t.line(format!("regInfo {r}"));
                }
            });
        }
        RequestReport::Orm {
            body_part_id,
            request_message_type,
        } => {
            t.line(format!(
                "request {body_part_id} (orm): {request_message_type}"
            ));
        }
    }
}

fn template_text(t: &mut Text, tp: &TemplateReport) {
    if let Some(v) = tp.version {
        t.line(format!("version {v}"));
    }
    if let Some(s) = &tp.serial_number {
        t.line(format!("serialNumber {s}"));
    }
    if let Some(a) = &tp.signing_algorithm {
        t.line(format!("signingAlg {a}"));
    }
    if let Some(s) = &tp.issuer {
        t.line(format!("issuer \"{s}\""));
    }
    if let Some(s) = &tp.not_before {
        t.line(format!("notBefore {s}"));
    }
    if let Some(s) = &tp.not_after {
        t.line(format!("notAfter {s}"));
    }
    if let Some(s) = &tp.subject {
        t.line(format!("subject \"{s}\""));
    }
    if let Some(k) = &tp.public_key {
        t.line(format!("public key {}", key_text(k)));
    }
    for e in &tp.extensions {
        t.line(format!("extension {e}"));
    }
}

fn cms_text(t: &mut Text, entries: &[CmsEntryReport]) {
    for e in entries {
        t.line(format!("cms {}: {}", e.body_part_id, e.content_type));
        t.nest(|t| content_text(t, &e.content));
    }
}

fn other_text(t: &mut Text, msgs: &[OtherMsgReport]) {
    for m in msgs {
        t.line(format!(
            "otherMsg {}: {} value (DER) {}",
            m.body_part_id, m.other_msg_type, m.value
        ));
    }
}
