//! kmi ccm template | fmt | lint | prepare | sign | verify | check | show

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::json;
use x509_cert::Certificate;

use kmi::ccm::policy::{self, App, Date, Policy, Query, Template};
use kmi::ccm::signing::{self, JarPlan, VerifiedPolicy};
use kmi::ccm::state::{Admission, RollbackState};
use kmi::cli::ccm::{
    CcmApp, CcmCheckArgs, CcmCommand, CcmFmtArgs, CcmLintArgs, CcmPrepareArgs, CcmShowArgs,
    CcmSignArgs, CcmStateArgs, CcmTemplateArgs, CcmTrustArgs, CcmVerifyArgs,
};
use kmi::cli::PassphraseArgs;
use kmi::io::{read_input, write_output};
use kmi::keys::cert::{read_certificates, subject};
use kmi::keys::{Key, PrivateKey, PublicKey};
use kmi::threshold::set::Operation;
use kmi::{Error, Result};

use super::Context;

pub fn run(ctx: &Context, command: CcmCommand) -> Result<()> {
    match command {
        CcmCommand::Template(a) => template(a),
        CcmCommand::Fmt(a) => fmt(a),
        CcmCommand::Lint(a) => lint(a),
        CcmCommand::Prepare(a) => prepare(ctx, a),
        CcmCommand::Sign(a) => sign(ctx, a),
        CcmCommand::Verify(a) => verify(ctx, a),
        CcmCommand::Check(a) => check(ctx, a),
        CcmCommand::Show(a) => show(a),
    }
}

fn template(a: CcmTemplateArgs) -> Result<()> {
    let kind = if a.domestic {
        Template::Domestic
    } else {
        Template::Export
    };
    write_output(&a.out.spec(false), policy::template(kind).as_bytes())
}

/// A policy in source form, parsed; errors name the file, line and key.
fn read_policy(path: &Path) -> Result<Policy> {
    let input = kmi::io::input::read_input_allow_empty(path)?;
    Policy::parse_source(&input.bytes).map_err(|e| e.in_file(&input.name))
}

fn fmt(a: CcmFmtArgs) -> Result<()> {
    let policy = read_policy(&a.file)?;
    write_output(&a.out.spec(false), &policy.canonical_bytes())
}

fn lint(a: CcmLintArgs) -> Result<()> {
    let input = kmi::io::input::read_input_allow_empty(&a.file)?;
    let problems = policy::lint(&input.bytes);
    let name = input.name.display().to_string();
    if a.json {
        let doc = json!({ "file": name, "problems": problems });
        if problems.is_empty() {
            super::json::print(true, doc)?;
        } else {
            super::json::fail_with(doc);
        }
    } else {
        for p in &problems {
            match p.line {
                Some(line) => outln!(
                    "{name}:{line}: {}",
                    p.to_string().trim_start_matches(&format!("line {line}: "))
                )?,
                None => outln!("{name}: {p}")?,
            }
        }
    }
    match problems.len() {
        0 => Ok(()),
        n => Err(Error::check(format!(
            "{name}: {n} problem{}",
            if n == 1 { "" } else { "s" }
        ))),
    }
}

fn prepare(ctx: &Context, a: CcmPrepareArgs) -> Result<()> {
    let spec = a.out.spec(false);
    json_needs_file(a.json, &spec, "the .SF")?;
    let policy = read_policy(&a.file)?;
    let manifest = kmi::ccm::jar::manifest(&policy.canonical_bytes());
    let sf = kmi::ccm::jar::signature_file(&manifest);
    write_output(&spec, &sf)?;
    ctx.note(
        "wrote the .SF: each trustee signs it with kmi share partial --sign; combine with kmi ccm sign --threshold-set",
    );
    if a.json {
        super::json::print(
            true,
            json!({
                "id": policy.id(),
                "version": policy.version(),
                "file": a.out.output.display().to_string(),
                "bytes": sf.len(),
                "sha256": sha256_hex(&sf),
            }),
        )?;
    }
    Ok(())
}

/// With --json the report takes standard output: the file itself must go to -o FILE.
fn json_needs_file(json: bool, spec: &kmi::io::OutputSpec, what: &str) -> Result<()> {
    if json && spec.is_stdout() {
        return Err(Error::invalid(format!(
            "--json prints the report on standard output: give -o FILE for {what}"
        )));
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn read_cert_file(path: &Path) -> Result<Vec<Certificate>> {
    let input = read_input(path)?;
    read_certificates(&input.bytes).map_err(|e| e.in_file(&input.name))
}

fn sign(ctx: &Context, a: CcmSignArgs) -> Result<()> {
    let spec = a.out.spec(false);
    json_needs_file(a.json, &spec, "the JAR")?;
    spec.check_writable()?;
    super::refuse_binary_to_terminal(&spec)?;
    let policy = read_policy(&a.file)?;
    let cert = read_cert_file(&a.cert)?.remove(0);
    let mut chain = Vec::new();
    for path in &a.chain {
        chain.extend(read_cert_file(path)?);
    }
    let plan = JarPlan::new(&policy, &a.signer, &cert, &chain).map_err(|e| e.in_file(&a.cert))?;
    let jar = match (&a.key, &a.threshold_set) {
        (Some(key_path), None) => {
            let key = match ctx.read_key(key_path, &a.key_pass.source())? {
                Key::Private(PrivateKey::Rsa(k)) => k,
                Key::Private(_) => {
                    return Err(Error::invalid(format!(
                        "{}: a policy is signed with an RSA key",
                        key_path.display()
                    )))
                }
                Key::Public(_) => {
                    return Err(Error::invalid(format!(
                        "{}: this is a public key; signing needs the private key",
                        key_path.display()
                    )))
                }
            };
            plan.sign_with_key(&key).map_err(|e| e.in_file(&a.cert))?
        }
        (None, Some(set_path)) => {
            let set = super::share::read_set(set_path)?;
            set.check_public().map_err(|e| e.in_file(set_path))?;
            let PublicKey::Rsa(_) = set.public.public_key() else {
                return Err(Error::invalid(format!(
                    "{}: threshold signing needs an RSA share set",
                    set_path.display()
                )));
            };
            plan.require_cert_key(&set.public.public_key())
                .map_err(|e| e.in_file(&a.cert))?;
            let prepared = set.prepare(Operation::RsaSign, &plan.signature_file)?;
            let partials: Vec<_> = a
                .partials
                .iter()
                .chain(&a.partials_option)
                .cloned()
                .collect();
            if partials.is_empty() {
                return Err(Error::invalid(
                    "--threshold-set needs the trustees' partial signatures (PARTIAL files after the policy)",
                ));
            }
            let good = super::share::good_partials(ctx, &set, &prepared, &partials)?;
            let signature = set.combine(&good, &prepared)?;
            plan.sign_with_signature(&signature)?
        }
        _ => {
            return Err(Error::invalid(
                "give --key KEY, or --threshold-set SET with the partial signatures",
            ))
        }
    };
    write_output(&spec, &jar)?;
    ctx.note(format!(
        "signed {} as \"{}\" ({} bytes)",
        policy.id(),
        subject(&cert),
        jar.len()
    ));
    if a.json {
        super::json::print(
            true,
            json!({
                "id": policy.id(),
                "version": policy.version(),
                "signer": a.signer,
                "certificate": subject(&cert),
                "threshold": a.threshold_set.is_some(),
                "file": a.out.output.display().to_string(),
                "bytes": jar.len(),
                "sha256": sha256_hex(&jar),
            }),
        )?;
    }
    Ok(())
}

/// The moment certificates and expiry are judged at: --at DATE (00:00 UTC) or now.
fn moment(trust: &CcmTrustArgs) -> Result<(SystemTime, Date)> {
    match &trust.at {
        None => Ok((SystemTime::now(), Date::today_utc())),
        Some(text) => {
            let date = Date::parse(text.trim()).ok_or_else(|| {
                Error::invalid(format!("--at {text}: expected a date YYYY-MM-DD"))
            })?;
            let secs = u64::try_from(date.days_since_epoch() * 86_400)
                .map_err(|_| Error::invalid(format!("--at {text}: before 1970")))?;
            Ok((SystemTime::UNIX_EPOCH + Duration::from_secs(secs), date))
        }
    }
}

/// With `--state FILE`: refuse a policy older than the highest version the file accepted for its
/// id (a check failure naming both versions), else record its version (the file rewritten
/// atomically). Runs after the signature and chain verified, so only authentic policies count.
fn rollback_check(state: &CcmStateArgs, policy: &Policy) -> Result<()> {
    let Some(path) = &state.state else {
        return Ok(());
    };
    let mut s = RollbackState::load(path)?;
    match s.admit(policy.id(), policy.version())? {
        Admission::Same => Ok(()),
        Admission::New | Admission::Newer(_) => s.save(),
    }
}

fn verified(jar: &Path, trust: &CcmTrustArgs) -> Result<(VerifiedPolicy, Date)> {
    let mut trusted = Vec::new();
    for path in &trust.trust {
        trusted.extend(read_cert_file(path)?);
    }
    let (at, today) = moment(trust)?;
    let input = read_input(jar)?;
    let v = signing::verify(&input.bytes, &trusted, at).map_err(|e| match e {
        Error::CheckFailed(m) => Error::check(format!("{}: {m}", input.name.display())),
        other => other.in_file(&input.name),
    })?;
    Ok((v, today))
}

fn policy_json(p: &Policy) -> serde_json::Value {
    serde_json::Value::Object(
        p.entries()
            .map(|(k, e)| (k.to_string(), json!(e.value.to_string())))
            .collect(),
    )
}

fn verify(ctx: &Context, a: CcmVerifyArgs) -> Result<()> {
    let checked = verified(&a.jar, &a.trust)
        .and_then(|(v, d)| rollback_check(&a.state, &v.policy).map(|()| (v, d)));
    // A failure is reported by main (with --json: the error envelope).
    let (v, _) = checked?;
    let chain: Vec<String> = v.chain.iter().map(subject).collect();
    if a.json {
        super::json::print(
            true,
            json!({
                "file": a.jar.display().to_string(),
                "signer": v.signer_name,
                "chain": chain,
                "policy": policy_json(&v.policy),
            }),
        )?;
    } else {
        ctx.note(format!(
            "{}: verified; signed by \"{}\" (chain: {})",
            a.jar.display(),
            chain[0],
            chain.join(" <- ")
        ));
        out!("{}", String::from_utf8_lossy(&v.canonical))?;
    }
    Ok(())
}

fn check(ctx: &Context, a: CcmCheckArgs) -> Result<()> {
    let app = match a.app {
        CcmApp::Ssl => App::Ssl,
        CcmApp::Smime => App::Smime,
        CcmApp::Capi => App::Capi,
    };
    let (bits, key_alg) = match &a.key {
        None => (a.bits, None),
        Some(path) => {
            let key = ctx.read_key(path, &PassphraseArgs::default())?;
            let (bits, alg) = match &key {
                Key::Private(k) => (k.public().bits(), k.public()),
                Key::Public(p) => (p.bits(), p.clone()),
            };
            let name = match alg {
                PublicKey::Rsa(_) => "RSA",
                PublicKey::ElGamal(_) => "ELGAMAL",
            };
            (Some(bits as u32), Some(name.to_string()))
        }
    };
    let alg = a
        .alg
        .clone()
        .or(key_alg)
        .ok_or_else(|| Error::invalid("give --alg NAME (or --key KEYFILE)"))?;
    let country = a
        .country
        .as_deref()
        .map(policy::parse_country)
        .transpose()?;
    let denied = |reasons: Vec<String>, keys: Vec<String>| -> Result<()> {
        if a.json {
            super::json::fail_with(json!({ "reasons": reasons, "deciding_keys": keys }));
        } else {
            outln!("denied")?;
            for r in &reasons {
                outln!("  {r}")?;
            }
        }
        Err(Error::check(format!("denied: {}", reasons.join("; "))))
    };
    let (v, today) = match verified(&a.jar, &a.trust) {
        Ok(v) => v,
        Err(Error::CheckFailed(why)) => {
            return denied(vec![format!("the policy does not verify: {why}")], vec![])
        }
        Err(e) => return Err(e),
    };
    match rollback_check(&a.state, &v.policy) {
        Ok(()) => {}
        Err(Error::CheckFailed(why)) => return denied(vec![why], vec!["ccm.version".into()]),
        Err(e) => return Err(e),
    }
    let query = Query {
        app,
        alg,
        bits,
        country,
        recovery: a.recovery,
        today,
    };
    let decision = v.policy.decide(&query)?;
    if !decision.allowed {
        return denied(decision.reasons, decision.deciding_keys);
    }
    if a.json {
        super::json::print(
            true,
            json!({ "reasons": decision.reasons, "deciding_keys": decision.deciding_keys }),
        )?;
    } else {
        outln!("allowed")?;
        for r in &decision.reasons {
            outln!("  {r}")?;
        }
    }
    Ok(())
}

fn show(a: CcmShowArgs) -> Result<()> {
    let input = read_input(&a.jar)?;
    let u = signing::show(&input.bytes).map_err(|e| e.in_file(&input.name))?;
    let text = String::from_utf8_lossy(&u.content);
    if a.json {
        super::json::print(
            true,
            json!({
                "verified": false,
                "signer": u.signer_name,
                "certificates": u.signer_subjects,
                "content": text,
            }),
        )?;
    } else {
        outln!("# NOT VERIFIED: shown without checking any signature or certificate")?;
        outln!("# signer entry: META-INF/{}.SF", u.signer_name)?;
        for s in &u.signer_subjects {
            outln!("# certificate in the block: {s}")?;
        }
        out!("{text}")?;
    }
    Ok(())
}
