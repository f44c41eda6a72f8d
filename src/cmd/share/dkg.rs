//! kmi share dkg round | deal | check | answer | reveal | disclose | finish (issue 14,
//! docs/dkg.md): the command side of `kmi::threshold::dkg`. Each step reads its files (every one
//! hostile: a file is sorted by its PEM label, then checked against the round: its binding, its
//! signer's signature, one per party), writes whole or nothing, and leaves the round id and
//! every finding in its ceremony record line.

use std::path::{Path, PathBuf};

use kmi::cli::dkg::{
    DkgAnswerArgs, DkgCheckArgs, DkgCommand, DkgDealArgs, DkgDiscloseArgs, DkgFinishArgs,
    DkgIdentityArgs, DkgRevealArgs, DkgRoundArgs,
};
use kmi::cli::key::GroupChoice;
use kmi::cli::{IdentityPassphraseArgs, PassphraseArgs};
use kmi::io::typed::decode_typed;
use kmi::io::{read_input, read_typed, to_pem, write_output, OutputSpec};
use kmi::keys::elgamal::NamedGroup;
use kmi::keys::{Key, PrivateKey, PublicKey, RsaPrivate};
use kmi::log::Record;
use kmi::rng::KmiRng;
use kmi::threshold::dkg::files::{
    ANSWER_PEM_LABEL, DEAL_PEM_LABEL, DISCLOSURE_PEM_LABEL, REVEAL_PEM_LABEL, VERDICT_PEM_LABEL,
};
use kmi::threshold::dkg::{new_round, Files, Finding, Round, RoundFile};
use kmi::{Error, Result};

use crate::cmd::Context;

/// The command's name and --log for its record line.
pub(super) fn name_and_log(c: &DkgCommand) -> (&'static str, Option<PathBuf>) {
    match c {
        DkgCommand::Round(a) => ("share dkg round", a.log.log.clone()),
        DkgCommand::Deal(a) => ("share dkg deal", a.log.log.clone()),
        DkgCommand::Check(a) => ("share dkg check", a.log.log.clone()),
        DkgCommand::Answer(a) => ("share dkg answer", a.log.log.clone()),
        DkgCommand::Reveal(a) => ("share dkg reveal", a.log.log.clone()),
        DkgCommand::Disclose(a) => ("share dkg disclose", a.log.log.clone()),
        DkgCommand::Finish(a) => ("share dkg finish", a.log.log.clone()),
    }
}

/// Run one DKG step; `detail` is what the record line says beyond ok/failed.
pub(super) fn run(
    ctx: &Context,
    c: DkgCommand,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    match c {
        DkgCommand::Round(a) => round(ctx, a, rec, detail),
        DkgCommand::Deal(a) => deal(ctx, a, rec, detail),
        DkgCommand::Check(a) => check(ctx, a, rec, detail),
        DkgCommand::Answer(a) => answer(ctx, a, rec, detail),
        DkgCommand::Reveal(a) => reveal(ctx, a, rec, detail),
        DkgCommand::Disclose(a) => disclose(ctx, a, rec, detail),
        DkgCommand::Finish(a) => finish(ctx, a, rec, detail),
    }
}

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(16)]
}

fn named(g: GroupChoice) -> NamedGroup {
    match g {
        GroupChoice::Ffdhe2048 => NamedGroup::Ffdhe2048,
        GroupChoice::Ffdhe3072 => NamedGroup::Ffdhe3072,
        GroupChoice::Ffdhe4096 => NamedGroup::Ffdhe4096,
        GroupChoice::Ffdhe6144 => NamedGroup::Ffdhe6144,
        GroupChoice::Ffdhe8192 => NamedGroup::Ffdhe8192,
    }
}

/// Read the parties' certificates, one per file.
fn read_certs(paths: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>> {
    paths
        .iter()
        .map(|p| {
            let input = read_input(p)?;
            let mut certs =
                kmi::keys::cert::read_certificates(&input.bytes).map_err(|e| e.in_file(p))?;
            if certs.len() != 1 {
                return Err(Error::malformed(
                    p,
                    format!("holds {} certificates; give one per party", certs.len()),
                ));
            }
            Ok(certs.remove(0))
        })
        .collect()
}

fn round(ctx: &Context, a: DkgRoundArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    rec.inputs.extend(a.group_from.iter().cloned());
    rec.inputs.extend(a.to.iter().cloned());
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let group = match (&a.group, &a.group_from) {
        (Some(g), None) => named(*g).group(),
        (None, Some(path)) => match ctx.read_key(path, &PassphraseArgs::default())? {
            Key::Public(PublicKey::ElGamal(k)) => k.group,
            Key::Private(PrivateKey::ElGamal(k)) => k.public.group.clone(),
            _ => {
                return Err(Error::invalid(format!(
                    "{}: --group-from needs an ElGamal (X9.42) key",
                    path.display()
                )))
            }
        },
        _ => {
            return Err(Error::invalid(
                "give one of --group NAME or --group-from FILE",
            ))
        }
    };
    let certs = read_certs(&a.to)?;
    let mut rng = KmiRng::new(None)?;
    let file = new_round(&group, a.threshold, certs, a.label, &mut rng)?;
    write_output(&spec, to_pem(&file)?.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    *detail = format!(
        "round {}: {} of {} parties, {}-bit group, h counter {}",
        file.id_hex(),
        file.threshold,
        file.total,
        group.p.bits(),
        file.h_counter
    );
    ctx.note(format!(
        "DKG round {}: {} of {} parties over a {}-bit group (h derived with \"{}\", counter {}); next: every party runs kmi share dkg deal",
        short(&file.id_hex()),
        file.threshold,
        file.total,
        group.p.bits(),
        file.h_derivation,
        file.h_counter
    ));
    Ok(())
}

/// Read and check the round file.
fn open_round(path: &Path, rec: &mut Record, detail: &mut String) -> Result<Round> {
    rec.inputs.push(path.to_path_buf());
    let file: RoundFile = read_typed(path)?;
    let round = Round::open(file).map_err(|e| match e {
        Error::CheckFailed(m) => Error::check(format!("{}: {m}", path.display())),
        other => other.in_file(path),
    })?;
    *detail = format!("round {}", round.id_hex());
    Ok(round)
}

fn identity_key(ctx: &Context, path: &Path, pass: &IdentityPassphraseArgs) -> Result<RsaPrivate> {
    match ctx.read_key(path, &pass.source())? {
        Key::Private(PrivateKey::Rsa(k)) => Ok(k),
        _ => Err(Error::invalid(format!(
            "{}: --identity needs the party's RSA private key",
            path.display()
        ))),
    }
}

fn identity(ctx: &Context, a: &DkgIdentityArgs) -> Result<RsaPrivate> {
    identity_key(ctx, &a.identity, &a.identity_passphrase)
}

/// Read every file and sort it by its PEM label; anything else is refused by name.
fn read_files(paths: &[PathBuf], rec: &mut Record) -> Result<Files> {
    rec.inputs.extend(paths.iter().cloned());
    let mut f = Files::default();
    for p in paths {
        let bytes = read_input(p)?.bytes;
        let name = p.display().to_string();
        let has = |label: &str| {
            let begin = format!("-----BEGIN {label}-----");
            bytes.windows(begin.len()).any(|w| w == begin.as_bytes())
        };
        let bad = |e: Error| e.in_file(p);
        if has(DEAL_PEM_LABEL) {
            f.deals.push((name, decode_typed(&bytes).map_err(bad)?));
        } else if has(VERDICT_PEM_LABEL) {
            f.verdicts.push((name, decode_typed(&bytes).map_err(bad)?));
        } else if has(ANSWER_PEM_LABEL) {
            f.answers.push((name, decode_typed(&bytes).map_err(bad)?));
        } else if has(REVEAL_PEM_LABEL) {
            f.reveals.push((name, decode_typed(&bytes).map_err(bad)?));
        } else if has(DISCLOSURE_PEM_LABEL) {
            f.disclosures
                .push((name, decode_typed(&bytes).map_err(bad)?));
        } else {
            return Err(Error::malformed(
                p,
                "is not a DKG deal, verdict, answer, reveal or disclosure (PEM KMI DKG ...)",
            ));
        }
    }
    Ok(f)
}

fn write(spec: &OutputSpec, pem: &str, rec: &mut Record) -> Result<()> {
    write_output(spec, pem.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    Ok(())
}

fn report(ctx: &Context, findings: &[Finding]) -> String {
    for f in findings {
        ctx.warn(f.to_string());
    }
    findings
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn deal(ctx: &Context, a: DkgDealArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let round = open_round(&a.round, rec, detail)?;
    let key = identity(ctx, &a.identity)?;
    let mut rng = KmiRng::new(None)?;
    let d = round.deal(&key, &mut rng)?;
    write(&spec, &to_pem(&d)?, rec)?;
    rec.shares = vec![d.body.dealer];
    *detail = format!("round {}: party {} dealt", round.id_hex(), d.body.dealer);
    ctx.note(format!(
        "party {} dealt to {} parties in round {}; next: every party runs kmi share dkg check on all deals",
        d.body.dealer,
        round.file.total,
        short(&round.id_hex())
    ));
    Ok(())
}

fn check(ctx: &Context, a: DkgCheckArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let round = open_round(&a.round, rec, detail)?;
    let key = identity(ctx, &a.identity)?;
    let files = read_files(&a.files, rec)?;
    let (v, findings) = round.check(&files, &key)?;
    let said = report(ctx, &findings);
    write(&spec, &to_pem(&v)?, rec)?;
    rec.shares = vec![v.body.party];
    let against: Vec<String> = v
        .body
        .complaints
        .iter()
        .map(|c| c.dealer.to_string())
        .collect();
    *detail = format!(
        "round {}: party {} saw {} deal(s), complaints against [{}]{}",
        round.id_hex(),
        v.body.party,
        v.body.seen.len(),
        against.join(","),
        if said.is_empty() {
            String::new()
        } else {
            format!("; {said}")
        }
    );
    ctx.note(format!(
        "party {} checked {} deal(s): {}",
        v.body.party,
        v.body.seen.len(),
        if against.is_empty() {
            "no complaint".to_string()
        } else {
            format!("complaints against dealer(s) {}", against.join(", "))
        }
    ));
    Ok(())
}

fn answer(ctx: &Context, a: DkgAnswerArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let round = open_round(&a.round, rec, detail)?;
    let key = identity(ctx, &a.identity)?;
    let files = read_files(&a.files, rec)?;
    let (ans, complaints) = round.answer(&files, &key)?;
    write(&spec, &to_pem(&ans)?, rec)?;
    rec.shares = vec![ans.body.dealer];
    let who: Vec<String> = complaints
        .iter()
        .map(|(j, why)| format!("party {j} ({why})"))
        .collect();
    *detail = format!(
        "round {}: dealer {} opened [{}]",
        round.id_hex(),
        ans.body.dealer,
        who.join("; ")
    );
    ctx.note(if who.is_empty() {
        format!(
            "no complaint against dealer {}: empty answer",
            ans.body.dealer
        )
    } else {
        format!(
            "dealer {} opened in public the shares of: {}",
            ans.body.dealer,
            who.join("; ")
        )
    });
    Ok(())
}

fn reveal(ctx: &Context, a: DkgRevealArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let round = open_round(&a.round, rec, detail)?;
    let key = identity(ctx, &a.identity)?;
    let files = read_files(&a.files, rec)?;
    let mut rng = KmiRng::new(None)?;
    let (r, q) = round.reveal(&files, &key, &mut rng)?;
    let said = report(ctx, &q.disqualified);
    report(ctx, &q.notes);
    write(&spec, &to_pem(&r)?, rec)?;
    rec.shares = vec![r.body.dealer];
    let qual: Vec<String> = q.qual.iter().map(u32::to_string).collect();
    *detail = format!(
        "round {}: dealer {} revealed; QUAL [{}]{}",
        round.id_hex(),
        r.body.dealer,
        qual.join(","),
        if said.is_empty() {
            String::new()
        } else {
            format!("; disqualified: {said}")
        }
    );
    ctx.note(format!(
        "dealer {} revealed its Feldman commitments; QUAL = {{{}}}",
        r.body.dealer,
        qual.join(", ")
    ));
    Ok(())
}

fn disclose(
    ctx: &Context,
    a: DkgDiscloseArgs,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let round = open_round(&a.round, rec, detail)?;
    let key = identity(ctx, &a.identity)?;
    let files = read_files(&a.files, rec)?;
    let mut rng = KmiRng::new(None)?;
    let d = round.disclose(&files, &key, a.dealer, &mut rng)?;
    write(&spec, &to_pem(&d)?, rec)?;
    rec.shares = vec![d.body.party];
    *detail = format!(
        "round {}: party {} disclosed its share of dealer {}",
        round.id_hex(),
        d.body.party,
        a.dealer
    );
    ctx.note(format!(
        "party {} disclosed its share of dealer {} (only that dealer's contribution becomes public)",
        d.body.party, a.dealer
    ));
    Ok(())
}

fn finish(ctx: &Context, a: DkgFinishArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let share_spec = a
        .share_out
        .as_ref()
        .map(|p| OutputSpec::new(p, a.out.force, true));
    if let Some(s) = &share_spec {
        s.check_writable()?;
    }
    let round = open_round(&a.round, rec, detail)?;
    let key = match &a.identity {
        Some(p) => Some(identity_key(ctx, p, &a.identity_passphrase)?),
        None => None,
    };
    let files = read_files(&a.files, rec)?;
    let mut rng = KmiRng::new(None)?;
    let done = round.finish(&files, key.as_ref(), &mut rng)?;
    let said = report(ctx, &done.qualified.disqualified);
    report(ctx, &done.qualified.notes);
    let rebuilt = report(ctx, &done.rebuilt);
    rec.set_id = Some(done.set.id_hex());
    write(&spec, &to_pem(&done.set)?, rec)?;
    if let (Some((index, share)), Some(s)) = (&done.share, &share_spec) {
        rec.shares = vec![*index];
        let pem = if a.plain {
            ctx.warn("writing the share unencrypted (--plain)");
            to_pem(share)?
        } else {
            let cert = round
                .party_certificate(*index)
                .ok_or_else(|| Error::internal("the party's certificate is missing"))?;
            share.seal_for(&kmi::cms::Recipient::Certificate(cert.clone()), &mut rng)?
        };
        write(s, &pem, rec)?;
    }
    let qual: Vec<String> = done.qualified.qual.iter().map(u32::to_string).collect();
    *detail = format!(
        "round {}: set {} from QUAL [{}]{}{}",
        round.id_hex(),
        done.set.id_hex(),
        qual.join(","),
        if said.is_empty() {
            String::new()
        } else {
            format!("; disqualified: {said}")
        },
        if rebuilt.is_empty() {
            String::new()
        } else {
            format!("; rebuilt: {rebuilt}")
        }
    );
    ctx.note(format!(
        "set {} ({} of {}) from the qualified dealers {{{}}}{}",
        short(&done.set.id_hex()),
        done.set.public.threshold(),
        done.set.public.total(),
        qual.join(", "),
        match &done.share {
            Some((i, _)) => format!("; party {i}'s share written"),
            None => String::new(),
        }
    ));
    Ok(())
}
