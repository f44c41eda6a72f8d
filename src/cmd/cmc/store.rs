//! kmi cmc store init | list | show | export-audit | verify | migrate: the escrow agent's
//! database key store (`kmi::cmc::store::db`).

use serde_json::json;

use kmi::cli::store::{
    ExportAuditArgs, InitArgs, ListArgs, MigrateArgs, ShowArgs, StoreCommand, VerifyArgs,
};
use kmi::cmc::store::{migrate, DbStore, DirStore, StoredMeta};
use kmi::io::write_output;
use kmi::rng::KmiRng;
use kmi::{Error, Result};

use super::{read_cert, read_rsa_private};
use crate::cmd::Context;

pub(super) fn run(ctx: &Context, command: StoreCommand) -> Result<()> {
    match command {
        StoreCommand::Init(a) => init(ctx, a),
        StoreCommand::List(a) => list(a),
        StoreCommand::Show(a) => show(a),
        StoreCommand::ExportAudit(a) => export_audit(a),
        StoreCommand::Verify(a) => verify(ctx, a),
        StoreCommand::Migrate(a) => migrate_dir(ctx, a),
    }
}

fn init(ctx: &Context, a: InitArgs) -> Result<()> {
    let cert = a.storage_cert.as_deref().map(read_cert).transpose()?;
    match DbStore::create(&a.store, cert.as_ref())? {
        Some(fp) => ctx.note(format!(
            "created key store {}: whole keys are sealed to storage key {fp}",
            a.store.display()
        )),
        None => ctx.note(format!(
            "created key store {} without a storage key: it holds split entries only (respond --split K/N --to ...)",
            a.store.display()
        )),
    }
    Ok(())
}

/// An entry as `list` and `show` print it: never key material.
fn entry_json(m: &StoredMeta) -> serde_json::Value {
    json!({
        "fingerprint": m.fingerprint,
        "algorithm": m.algorithm,
        "bits": m.bits,
        "identity": m.identity,
        "selection": m.selection,
        "selection_hex": m.selection_hex,
        "subject": m.subject,
        "archived": m.archived,
        "source": m.source,
        "signer_spki_sha256": if m.signer_spki.is_empty() { None } else { Some(&m.signer_spki_sha256) },
        "proved_identity": m.proved_identity,
        "certificate_id": m.certificate_id,
        "held": match &m.split {
            None => json!("sealed"),
            Some(s) => json!({ "threshold": s.threshold, "total": s.total, "set_id": s.set_id }),
        },
    })
}

fn held(m: &StoredMeta) -> String {
    match &m.split {
        None => "sealed".into(),
        Some(s) => format!("{}-of-{} shares", s.threshold, s.total),
    }
}

fn list(a: ListArgs) -> Result<()> {
    let store = DbStore::open_read_only(&a.store)?;
    let entries = store.list(a.owner.as_deref())?;
    if a.json {
        let list: Vec<_> = entries.iter().map(entry_json).collect();
        crate::cmd::json::print(true, json!({ "entries": list }))?;
        return Ok(());
    }
    for m in &entries {
        let selection = match (&m.selection, &m.selection_hex) {
            (Some(t), _) => format!(" selection {t:?}"),
            (None, Some(h)) => format!(" selection hex:{h}"),
            _ => String::new(),
        };
        outln!(
            "{} {} {}-bit {:?}{} {} {} ({})",
            m.fingerprint,
            m.algorithm,
            m.bits,
            m.identity,
            selection,
            m.archived,
            m.source,
            held(m)
        )?;
    }
    Ok(())
}

fn show(a: ShowArgs) -> Result<()> {
    let store = DbStore::open_read_only(&a.store)?;
    let m = store.entry(&a.fingerprint)?;
    let decisions = store.decisions_about(&m.fingerprint)?;
    if a.json {
        crate::cmd::json::print(
            true,
            json!({ "entry": entry_json(&m), "decisions": decisions }),
        )?;
        return Ok(());
    }
    outln!("fingerprint: {}", m.fingerprint)?;
    outln!(
        "key:         {} {} bits ({})",
        m.algorithm,
        m.bits,
        held(&m)
    )?;
    outln!("identity:    {}", m.identity)?;
    if let Some(s) = &m.selection {
        outln!("selection:   {s}")?;
    } else if let Some(h) = &m.selection_hex {
        outln!("selection:   hex:{h}")?;
    }
    if let Some(s) = &m.subject {
        outln!("subject:     {s}")?;
    }
    outln!("filed:       {} ({})", m.archived, m.source)?;
    if !m.signer_spki.is_empty() {
        outln!(
            "signer:      {} (SHA-256 of its SPKI)",
            m.signer_spki_sha256
        )?;
    }
    if let Some(p) = &m.proved_identity {
        outln!("proved:      {p}")?;
    }
    if let Some(c) = &m.certificate_id {
        outln!("certificate: {c}")?;
    }
    if let Some(s) = &m.split {
        outln!("share set:   {}", s.set_id)?;
    }
    for d in &decisions {
        let what = match &d.agent {
            Some(ag) => format!(
                "{} {}{}",
                ag.kind.as_deref().unwrap_or("request"),
                ag.decision,
                ag.keys
                    .iter()
                    .find(|k| k.fingerprint == m.fingerprint)
                    .map(|k| format!(": {}", k.action))
                    .unwrap_or_default()
            ),
            None => d.event.clone(),
        };
        outln!("decision {}: {} {what}", d.seq, d.time)?;
    }
    Ok(())
}

fn export_audit(a: ExportAuditArgs) -> Result<()> {
    let store = DbStore::open_read_only(&a.store)?;
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let mut text = String::new();
    store.export_audit(&mut |line| {
        text.push_str(line);
        text.push('\n');
        Ok(())
    })?;
    write_output(&spec, text.as_bytes())
}

fn verify(ctx: &Context, a: VerifyArgs) -> Result<()> {
    let mut store = DbStore::open_read_only(&a.store)?;
    if let Some(k) = &a.storage_key {
        store = store.with_storage_key(read_rsa_private(
            ctx,
            k,
            &a.key_passphrase.source(),
            "--storage-key",
        )?)?;
    }
    let report = store.verify(a.head.as_deref())?;
    if a.json {
        crate::cmd::json::print(
            true,
            json!({ "entries": report.entries, "decisions": report.decisions,
                    "keys_opened": report.keys_opened, "head": report.head }),
        )?;
    } else {
        outln!(
            "{} entries, {} decisions, unbroken{}; head {}",
            report.entries,
            report.decisions,
            if a.storage_key.is_some() {
                format!(
                    ", {} sealed keys open to their fingerprints",
                    report.keys_opened
                )
            } else {
                String::new()
            },
            report.head
        )?;
    }
    if a.head.is_none() {
        ctx.note("give --head HEX (as respond printed it, or from the ceremony record) to detect a cut or rewritten tail");
    }
    Ok(())
}

fn migrate_dir(ctx: &Context, a: MigrateArgs) -> Result<()> {
    if !a.dir.is_dir() {
        return Err(Error::invalid(format!(
            "{}: not a kmi 0.1 key store directory",
            a.dir.display()
        )));
    }
    let dir = DirStore::open(&a.dir)?;
    let cert = a.storage_cert.as_deref().map(read_cert).transpose()?;
    let created = !a.store.exists();
    if created {
        DbStore::create(&a.store, cert.as_ref())?;
    }
    let result = (|| {
        let mut store = DbStore::open(&a.store)?;
        if let Some(c) = cert {
            store = store.with_storage_cert(c)?;
        }
        migrate::migrate(&dir, &mut store, &mut KmiRng::new(None)?)
    })();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            if created {
                // The store this run made holds nothing yet: it goes, so a retry starts clean.
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = a.store.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(std::path::PathBuf::from(p));
                }
            }
            return Err(e);
        }
    };
    if a.json {
        crate::cmd::json::print(true, json!({ "migrated": report }))?;
    }
    ctx.note(format!(
        "imported {} sealed and {} split entries from {} into {} ({} already held); head {}",
        report.sealed,
        report.split,
        a.dir.display(),
        a.store.display(),
        report.already_held,
        report.head
    ));
    if report.sealed > 0 {
        ctx.note(format!(
            "{} holds those keys as plain PKCS#8: remove it once `kmi cmc store verify {}` passes",
            a.dir.display(),
            a.store.display()
        ));
    }
    Ok(())
}
