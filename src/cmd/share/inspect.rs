//! `kmi share inspect`: a set or a share described; an encrypted share from its envelope only.

use super::*;

/// `kmi share inspect`: a set or a share described, an encrypted share from its envelope only.
pub(super) fn inspect(a: &kmi::cli::share::ShareInspectArgs) -> Result<()> {
    use kmi::threshold::file::{Commitments, SET_PEM_LABEL};
    use serde_json::{json, Value};
    let input = read_input(&a.file)?;
    let bytes = zeroize::Zeroizing::new(input.bytes);
    let armored = decode_armor(&bytes).map_err(|e| e.in_file(&a.file))?;
    let der = zeroize::Zeroizing::new(armored.der);
    let file = a.file.display().to_string();
    // (the set, the share's index, a set id the share names that differs from its set's own)
    let described: Option<(ShareSet, Option<u32>)> = match armored.label.as_deref() {
        Some(SET_PEM_LABEL) => Some((
            ShareSet::from_der(&der).map_err(|e| e.in_file(&a.file))?,
            None,
        )),
        Some(SHARE_PEM_LABEL) => {
            let share = ShareFile::from_der_checked(&der).map_err(|e| e.in_file(&a.file))?;
            let set = ShareSet::from_file(share.set.clone()).map_err(|e| e.in_file(&a.file))?;
            if share.set_id.as_bytes() != set.id {
                return Err(Error::check(format!(
                    "{}: share {} names set {} but carries set {}",
                    a.file.display(),
                    share.index,
                    hex::encode(share.set_id.as_bytes()),
                    set.id_hex()
                )));
            }
            Some((set, Some(share.index)))
        }
        Some("CMS") | Some("PKCS7") => None,
        None => {
            if let Ok(set) = ShareSet::from_der(&der) {
                Some((set, None))
            } else if let Ok(share) = ShareFile::from_der_checked(&der) {
                let set = ShareSet::from_file(share.set.clone()).map_err(|e| e.in_file(&a.file))?;
                Some((set, Some(share.index)))
            } else {
                None
            }
        }
        Some(other) => {
            return Err(Error::malformed(
                &a.file,
                format!("PEM label '{other}' is not a share set or a share"),
            ))
        }
    };
    let report: Value = match described {
        Some((set, index)) => {
            let public = set.public.public_key();
            let fp = kmi::keys::fingerprint(&public, 64)?.replace(' ', "");
            let (keys_name, keys): (&str, Vec<String>) = match &set.file.commitments {
                Commitments::Rsa(r) => (
                    "verification_keys",
                    std::iter::once(&r.v)
                        .chain(&r.verification_keys)
                        .map(|u| hex::encode(kmi::threshold::file::from_uint(u).to_bytes_be()))
                        .collect(),
                ),
                Commitments::ElGamal(c) => (
                    "commitments",
                    c.iter()
                        .map(|u| hex::encode(kmi::threshold::file::from_uint(u).to_bytes_be()))
                        .collect(),
                ),
            };
            json!({
                "version": 1,
                "ok": true,
                "file": file,
                "kind": if index.is_some() { "share" } else { "set" },
                "encrypted": false,
                "scheme": set.public.scheme_name(),
                "purpose": set.purpose().name(),
                "threshold": set.public.threshold(),
                "shares": set.public.total(),
                "set_id": set.id_hex(),
                "index": index,
                "public_key": {
                    "type": public.kind(),
                    "bits": public.bits(),
                    "fingerprint": fp,
                },
                "seeded": set.seeded(),
                "label": set.file.label,
                "created": set.file.created.map(|t| t.to_date_time().to_string()),
                "generation": set.file.lineage.as_ref().map(|l| l.generation),
                keys_name: keys,
            })
        }
        None => {
            let env = kmi::cms::summary(&der).map_err(|e| e.in_file(&a.file))?;
            if env.content_type != kmi::oids::KMI_CT_SHARE {
                return Err(Error::malformed(
                    &a.file,
                    format!(
                        "this envelope holds {} rather than a kmi share",
                        env.content_type
                    ),
                ));
            }
            json!({
                "version": 1,
                "ok": true,
                "file": file,
                "kind": "share",
                "encrypted": true,
                "cipher": env.cipher,
                "recipients": env.recipients,
            })
        }
    };
    if a.json {
        return outln!("{report:#}");
    }
    let field = |k: &str| report.get(k).filter(|v| !v.is_null());
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    outln!("file:        {file}")?;
    if report["encrypted"] == true {
        outln!("kind:        encrypted share (CMS; not opened)")?;
        outln!("cipher:      {}", text(&report["cipher"]))?;
        for r in report["recipients"].as_array().into_iter().flatten() {
            outln!("recipient:   {}", text(r))?;
        }
        outln!("(scheme, k, n, set id and index are inside the envelope: kmi share verify --set SET --identity KEY opens and checks it)")?;
        return Ok(());
    }
    let kind = match field("index") {
        Some(i) => format!(
            "share {} (plain: whoever reads this file holds the share)",
            text(i)
        ),
        None => "share set (public)".to_string(),
    };
    outln!("kind:        {kind}")?;
    outln!("scheme:      {}", text(&report["scheme"]))?;
    outln!("purpose:     {}", text(&report["purpose"]))?;
    outln!(
        "threshold:   {} of {}",
        text(&report["threshold"]),
        text(&report["shares"])
    )?;
    outln!("set id:      {}", text(&report["set_id"]))?;
    outln!(
        "public key:  {} {} bits, fingerprint {}",
        text(&report["public_key"]["type"]),
        text(&report["public_key"]["bits"]),
        text(&report["public_key"]["fingerprint"])
    )?;
    outln!(
        "seeded:      {}",
        if report["seeded"] == true {
            "yes: dealt from a --seed, a test fixture (the seed rebuilds every share)"
        } else {
            "no"
        }
    )?;
    for (k, name) in [
        ("label", "label:"),
        ("created", "created:"),
        ("generation", "generation:"),
    ] {
        if let Some(v) = field(k) {
            outln!("{name:<12} {}", text(v))?;
        }
    }
    if let Some(keys) = report.get("verification_keys").and_then(Value::as_array) {
        for (i, k) in keys.iter().enumerate() {
            let name = if i == 0 {
                "v".to_string()
            } else {
                format!("v_{i}")
            };
            outln!("{name:<12} {}", text(k))?;
        }
    }
    if let Some(keys) = report.get("commitments").and_then(Value::as_array) {
        for (i, k) in keys.iter().enumerate() {
            outln!("{:<12} {}", format!("C_{i}"), text(k))?;
        }
    }
    Ok(())
}
