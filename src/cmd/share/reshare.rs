//! kmi share reshare round | deal | accept | finish, kmi share refresh, kmi share transfer
//! (issue 16, docs/reshare.md): the command side of `kmi::threshold::reshare`. Each step reads
//! its files (every one hostile: checked before use), writes whole or nothing, and leaves the
//! round id, the dealers used and every verdict in its ceremony record line.

use std::path::{Path, PathBuf};

use kmi::cli::reshare::{
    ReshareAcceptArgs, ReshareCommand, ReshareDealArgs, ReshareFinishArgs, ReshareRoundArgs,
    ShareRefreshArgs, ShareTransferArgs,
};
use kmi::cli::PassphraseArgs;
use kmi::io::{read_input, read_typed, to_pem, write_output, OutputSpec};
use kmi::keys::{Key, PrivateKey, RsaPrivate};
use kmi::log::Record;
use kmi::rng::KmiRng;
use kmi::threshold::reshare::{new_round, DealFile, Round, RoundFile, Verdict};
use kmi::threshold::set::ShareSet;
use kmi::{Error, Result};

use super::{read_set, read_share, Openers};
use crate::cmd::Context;

/// The command's name and --log for its record line.
pub(super) fn name_and_log(c: &ReshareCommand) -> (&'static str, Option<PathBuf>) {
    match c {
        ReshareCommand::Round(a) => ("share reshare round", a.log.log.clone()),
        ReshareCommand::Deal(a) => ("share reshare deal", a.log.log.clone()),
        ReshareCommand::Accept(a) => ("share reshare accept", a.log.log.clone()),
        ReshareCommand::Finish(a) => ("share reshare finish", a.log.log.clone()),
    }
}

/// Run one reshare step; `detail` is what the record line says beyond ok/failed.
pub(super) fn run(
    ctx: &Context,
    c: ReshareCommand,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    match c {
        ReshareCommand::Round(a) => round(ctx, a, rec, detail),
        ReshareCommand::Deal(a) => deal(ctx, a, rec, detail),
        ReshareCommand::Accept(a) => accept(ctx, a, rec, detail),
        ReshareCommand::Finish(a) => finish(ctx, a, rec, detail),
    }
}

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(16)]
}

/// Read the new trustees' certificates, one per file.
fn read_trustee_certs(paths: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>> {
    paths
        .iter()
        .map(|p| {
            let input = read_input(p)?;
            let mut certs =
                kmi::keys::cert::read_certificates(&input.bytes).map_err(|e| e.in_file(p))?;
            if certs.len() != 1 {
                return Err(Error::malformed(
                    p,
                    format!("holds {} certificates; give one per trustee", certs.len()),
                ));
            }
            Ok(certs.remove(0))
        })
        .collect()
}

/// What a round fixes besides the set: the new threshold, trustees and label.
struct RoundRequest<'a> {
    threshold: u32,
    to: &'a [PathBuf],
    label: Option<String>,
}

fn write_round(
    ctx: &Context,
    set: &ShareSet,
    RoundRequest {
        threshold,
        to,
        label,
    }: RoundRequest<'_>,
    spec: &OutputSpec,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    let certs = read_trustee_certs(to)?;
    let mut rng = KmiRng::new(None)?;
    let round = new_round(set, threshold, certs, label, &mut rng)?;
    write_output(spec, to_pem(&round)?.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    *detail = format!(
        "round {}: set {} ({} of {}) to {} of {}",
        round.id_hex(),
        set.id_hex(),
        set.public.threshold(),
        set.public.total(),
        round.threshold,
        round.total
    );
    ctx.note(format!(
        "reshare round {} for set {}: {} of {} new trustees will be needed; next: k = {} old trustees run kmi share reshare deal",
        short(&round.id_hex()),
        short(&set.id_hex()),
        round.threshold,
        round.total,
        set.public.threshold()
    ));
    Ok(())
}

fn round(ctx: &Context, a: ReshareRoundArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.extend(a.to.iter().cloned());
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(&a.set))?;
    let request = RoundRequest {
        threshold: a.threshold,
        to: &a.to,
        label: a.label,
    };
    write_round(ctx, &set, request, &spec, rec, detail)
}

/// `kmi share refresh`: a round with the old k and n (the same trustees, in share order).
pub(super) fn refresh(
    ctx: &Context,
    a: ShareRefreshArgs,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.extend(a.to.iter().cloned());
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(&a.set))?;
    let n = set.public.total() as usize;
    if a.to.len() != n {
        return Err(Error::invalid(format!(
            "a refresh keeps the set's {n} trustees: give --to {n} times, in share order ({} given)",
            a.to.len()
        )));
    }
    let request = RoundRequest {
        threshold: set.public.threshold(),
        to: &a.to,
        label: a.label,
    };
    write_round(ctx, &set, request, &spec, rec, detail)
}

/// Read the set and the round and check one against the other.
fn open_round(set_path: &Path, round_path: &Path, rec: &mut Record) -> Result<(ShareSet, Round)> {
    rec.inputs.push(set_path.to_path_buf());
    rec.inputs.push(round_path.to_path_buf());
    let set = read_set(set_path)?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(set_path))?;
    let file: RoundFile = read_typed(round_path)?;
    let round = Round::open(&set, file).map_err(|e| match e {
        Error::CheckFailed(m) => Error::check(format!("{}: {m}", round_path.display())),
        other => other.in_file(round_path),
    })?;
    Ok((set, round))
}

fn deal(ctx: &Context, a: ReshareDealArgs, rec: &mut Record, detail: &mut String) -> Result<()> {
    let (set, round) = open_round(&a.set, &a.round, rec)?;
    rec.inputs.push(a.share.clone());
    let openers = Openers::load(ctx, &a.open)?;
    let share = read_share(&a.share, &openers)?;
    let opened = set.open(&share).map_err(|e| match e {
        Error::CheckFailed(m) => Error::check(format!("{}: {m}", a.share.display())),
        other => other.in_file(&a.share),
    })?;
    rec.shares = vec![opened.index];
    let path = a.output.join(format!("from-{}.pem", opened.index));
    let spec = OutputSpec::new(&path, a.force, false);
    std::fs::create_dir_all(&a.output).map_err(|e| Error::Write {
        path: a.output.clone(),
        what: format!("cannot create the directory: {e}"),
    })?;
    spec.check_writable()?;
    let mut rng = KmiRng::new(None)?;
    let dealt = round.deal(&set, &opened, &mut rng)?;
    write_output(&spec, to_pem(&dealt)?.as_bytes())?;
    rec.outputs.push(path.clone());
    *detail = format!("round {}: dealer {}", round.id_hex(), opened.index);
    ctx.note(format!(
        "share {} dealt to {} new trustees in round {}: {}",
        opened.index,
        round.file.total,
        short(&round.id_hex()),
        path.display()
    ));
    Ok(())
}

/// Read every deal file; one that cannot be read is named and left out (it may be hostile).
fn read_deals(ctx: &Context, paths: &[PathBuf], rec: &mut Record) -> Vec<(String, DealFile)> {
    rec.inputs.extend(paths.iter().cloned());
    let mut out = Vec::new();
    for p in paths {
        match read_typed::<DealFile>(p) {
            Ok(d) => out.push((p.display().to_string(), d)),
            Err(e) => ctx.left_out(format!("skipping {}: {}", p.display(), e.reason())),
        }
    }
    out
}

/// Name every bad deal on stderr, and say it all in the record line.
fn report(ctx: &Context, verdicts: &[Verdict]) -> String {
    let mut used = Vec::new();
    let mut refused = Vec::new();
    for v in verdicts {
        match &v.problem {
            Some(p) => {
                ctx.left_out(format!("dealer {} ({}) {p}: not used", v.dealer, v.name));
                refused.push(format!("dealer {} {p}", v.dealer));
            }
            None if v.used => used.push(v.dealer.to_string()),
            None => {}
        }
    }
    let mut s = format!("dealers used {}", used.join(","));
    if !refused.is_empty() {
        s.push_str(&format!("; refused: {}", refused.join("; ")));
    }
    s
}

fn identity_key(ctx: &Context, path: &Path, pass: &PassphraseArgs) -> Result<RsaPrivate> {
    match ctx.read_key(path, pass)? {
        Key::Private(PrivateKey::Rsa(k)) => Ok(k),
        _ => Err(Error::invalid(format!(
            "{}: --identity needs the new trustee's RSA private key",
            path.display()
        ))),
    }
}

fn accept(
    ctx: &Context,
    a: ReshareAcceptArgs,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    let spec = a.out.spec(true);
    spec.check_writable()?;
    let (set, round) = open_round(&a.set, &a.round, rec)?;
    *detail = format!("round {}", round.id_hex());
    let key = identity_key(ctx, &a.identity, &a.identity_passphrase.source())?;
    let deals = read_deals(ctx, &a.deals, rec);
    let accepted = round.accept(&set, &deals, &key, &a.exclude)?;
    let verdicts = report(ctx, &accepted.verdicts);
    rec.shares = vec![accepted.index];
    let mut rng = KmiRng::new(None)?;
    let pem = if a.plain {
        ctx.warn("writing the new share unencrypted (--plain)");
        to_pem(&accepted.share)?
    } else {
        let cert = round
            .trustee_certificate(accepted.index)
            .ok_or_else(|| Error::internal("the trustee's certificate is missing"))?;
        accepted
            .share
            .seal_for(&kmi::cms::Recipient::Certificate(cert.clone()), &mut rng)?
    };
    write_output(&spec, pem.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    *detail = format!(
        "round {}: trustee {} accepted, new set {}; {verdicts}",
        round.id_hex(),
        accepted.index,
        accepted.set.id_hex()
    );
    ctx.note(format!(
        "trustee {} holds share {} of the new set {} ({} of {}, same public key)",
        accepted.index,
        accepted.index,
        short(&accepted.set.id_hex()),
        accepted.set.public.threshold(),
        accepted.set.public.total()
    ));
    Ok(())
}

fn finish(
    ctx: &Context,
    a: ReshareFinishArgs,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    let (set, round) = open_round(&a.set, &a.round, rec)?;
    *detail = format!("round {}", round.id_hex());
    let deals = read_deals(ctx, &a.deals, rec);
    let finished = round.finish(&set, &deals, &a.exclude)?;
    let verdicts = report(ctx, &finished.verdicts);
    write_output(&spec, to_pem(&finished.set)?.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    *detail = format!(
        "round {}: new set {}; {verdicts}",
        round.id_hex(),
        finished.set.id_hex()
    );
    ctx.note(format!(
        "new set {} ({} of {}, same public key) from set {}",
        short(&finished.set.id_hex()),
        finished.set.public.threshold(),
        finished.set.public.total(),
        short(&set.id_hex())
    ));
    Ok(())
}

/// `kmi share transfer`: one share, checked against its set, enveloped to a requester.
pub(super) fn transfer(
    ctx: &Context,
    a: ShareTransferArgs,
    rec: &mut Record,
    detail: &mut String,
) -> Result<()> {
    rec.inputs.push(a.share.clone());
    rec.inputs.push(a.to.clone());
    let spec = a.out.spec(true);
    spec.check_writable()?;
    let openers = Openers::load(ctx, &a.open)?;
    let share = read_share(&a.share, &openers)?;
    let set = ShareSet::from_file(share.set.clone()).map_err(|e| e.in_file(&a.share))?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(&a.share))?;
    let opened = set.open(&share).map_err(|e| e.in_file(&a.share))?;
    rec.shares = vec![opened.index];
    if !set.verify_share(&opened) {
        return Err(Error::check(format!(
            "{}: share {} does not match its set's commitments; not transferred",
            a.share.display(),
            opened.index
        )));
    }
    let input = read_input(&a.to)?;
    let recipient =
        kmi::cms::recipient_from_file_bytes(&input.bytes).map_err(|e| e.in_file(&a.to))?;
    let mut rng = KmiRng::new(None)?;
    let pem = share.seal_for(&recipient, &mut rng)?;
    write_output(&spec, pem.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    *detail = format!("share {} to {}", opened.index, a.to.display());
    ctx.note(format!(
        "share {} of set {} enveloped to {}: the requester checks it with kmi share verify --set SET --identity KEY",
        opened.index,
        short(&set.id_hex()),
        a.to.display()
    ));
    Ok(())
}
