//! kmi share split | verify | reconstruct | partial | combine | blind (reshare, refresh and
//! transfer: `reshare`)

mod dkg;
mod inspect;
mod open;
mod reshare;
mod split;
mod verify;

use inspect::*;
pub(super) use open::read_set;
use open::*;
use split::*;
use verify::*;

use std::path::{Path, PathBuf};

use serde_json::json;

use kmi::cli::{
    KeyPassphraseArgs, PassphraseArgs, PurposeChoice, ShareBlindArgs, ShareCombineArgs,
    ShareCommand, ShareOpenArgs, SharePartialArgs, ShareReconstructArgs, ShareSplitArgs,
    ShareVerifyArgs, ThresholdInputArgs,
};
use kmi::io::armor::decode_armor;
use kmi::io::dir::{write_dir_atomic, DirFile};
use kmi::io::{read_input, read_typed, to_pem, write_output, OutputSpec};
use kmi::keys::{encode_private, fingerprint, Key};
use kmi::log::Record;
use kmi::rng::KmiRng;
use kmi::threshold::blind::{KmiBlindedInput, KmiBlindingFactor};
use kmi::threshold::file::{PartialFile, Purpose, ShareFile, SHARE_PEM_LABEL};
use kmi::threshold::set::{split, Operation, SetPublic, ShareSet, SplitOptions};
use kmi::threshold::SecretShare;
use kmi::{Error, Result};

use super::Context;

pub fn run(ctx: &Context, command: ShareCommand) -> Result<()> {
    let (name, log) = match &command {
        ShareCommand::Split(a) => ("share split", a.log.log.clone()),
        ShareCommand::Verify(a) => ("share verify", a.log.log.clone()),
        ShareCommand::Reconstruct(a) => ("share reconstruct", a.log.log.clone()),
        ShareCommand::Partial(a) => ("share partial", a.log.log.clone()),
        ShareCommand::Combine(a) => ("share combine", a.log.log.clone()),
        ShareCommand::Blind(a) => ("share blind", a.log.log.clone()),
        ShareCommand::Reshare(c) => reshare::name_and_log(c),
        ShareCommand::Dkg(c) => dkg::name_and_log(c),
        ShareCommand::Refresh(a) => ("share refresh", a.log.log.clone()),
        ShareCommand::Transfer(a) => ("share transfer", a.log.log.clone()),
        ShareCommand::Inspect(a) => return inspect(a),
    };
    // The record is opened and locked before the work: a bad --log fails first, and two runs
    // on one record run one after the other.
    let mut record = ctx.open_record(log.as_deref())?;
    let mut rec = Record::default();
    // What a reshare step adds to its record line: round id, dealers used, verdicts.
    let mut detail = String::new();
    let result = match command {
        ShareCommand::Split(a) => split_key(ctx, a, &mut rec),
        ShareCommand::Verify(a) => verify(ctx, a, &mut rec),
        ShareCommand::Reconstruct(a) => reconstruct(ctx, a, &mut rec),
        ShareCommand::Partial(a) => partial(ctx, a, &mut rec),
        ShareCommand::Combine(a) => combine(ctx, a, &mut rec),
        ShareCommand::Blind(a) => blind(ctx, a, &mut rec),
        ShareCommand::Reshare(c) => reshare::run(ctx, c, &mut rec, &mut detail),
        ShareCommand::Dkg(c) => dkg::run(ctx, c, &mut rec, &mut detail),
        ShareCommand::Refresh(a) => reshare::refresh(ctx, a, &mut rec, &mut detail),
        ShareCommand::Transfer(a) => reshare::transfer(ctx, a, &mut rec, &mut detail),
        // Answered above: inspecting reads one file and writes none, so it has no record line.
        ShareCommand::Inspect(_) => Ok(()),
    };
    // Every operation leaves a line, whether it succeeded or not.
    if let (Some(log), Some(record)) = (log, record.as_mut()) {
        let outcome = match (&result, detail.is_empty()) {
            (Ok(()), true) => "ok".to_string(),
            (Ok(()), false) => format!("ok: {detail}"),
            (Err(e), true) => format!("failed: {e}"),
            (Err(e), false) => format!("failed: {e} ({detail})"),
        };
        let head = record.append(rec.entry(name, &outcome))?;
        eprintln!("kmi: ceremony record {} head {head}", log.display());
    }
    result
}

/// The input of a threshold operation, read once: its bytes and, for ElGamal, the parsed message.
struct ThresholdInput {
    name: PathBuf,
    bytes: Vec<u8>,
    sign: bool,
    message: Option<kmi::crypt::elgamal::KmiElGamalMessage>,
}

impl ThresholdInput {
    fn read(args: &ThresholdInputArgs, set: &ShareSet) -> Result<Self> {
        let (path, sign) = match (&args.decrypt, &args.sign) {
            (Some(p), None) => (p, false),
            (None, Some(p)) => (p, true),
            _ => {
                return Err(Error::invalid(
                    "give exactly one of --decrypt CIPHERTEXT or --sign FILE",
                ))
            }
        };
        // A file to sign may be empty; a ciphertext may not.
        let input = if sign {
            kmi::io::input::read_input_allow_empty(path)?
        } else {
            read_input(path)?
        };
        let message = match (&set.public, sign) {
            (SetPublic::ElGamal { .. }, false) => Some(super::crypt::read_elgamal_message(
                &input.bytes,
                &input.name,
            )?),
            _ => None,
        };
        Ok(ThresholdInput {
            name: input.name,
            bytes: input.bytes,
            sign,
            message,
        })
    }

    fn operation(&self) -> Operation<'_> {
        match (&self.message, self.sign) {
            (Some(m), _) => Operation::ElGamalDecrypt(m),
            (None, true) => Operation::RsaSign,
            (None, false) => Operation::RsaDecrypt,
        }
    }
}

fn partial(ctx: &Context, a: SharePartialArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.share.clone());
    rec.inputs.extend(
        a.input
            .decrypt
            .iter()
            .chain(&a.input.sign)
            .chain(&a.input.blinded)
            .cloned(),
    );
    let spec = a.out.spec(false);
    if a.json && spec.is_stdout() {
        return Err(Error::invalid(
            "--json prints the report on standard output: give -o FILE for the partial",
        ));
    }
    spec.check_writable()?;
    let openers = Openers::load(ctx, &a.open)?;
    let share = read_share(&a.share, &openers)?;
    let set = ShareSet::from_file(share.set.clone()).map_err(|e| e.in_file(&a.share))?;
    let opened = set.open(&share).map_err(|e| e.in_file(&a.share))?;
    rec.set_id = Some(set.id_hex());
    rec.shares = vec![opened.index];
    // The proof's nonce r and its answer z = r + c s_i give the share away to whoever knows r: a
    // seed is for shares that are fixtures already (a seeded set) or with --insecure-fixture.
    let mut rng = ctx.secret_fixture_rng(
        &a.fixture,
        "this trustee's share (through the proof's nonce)",
        share.set.seeded,
    )?;
    let in_share = |e: Error| match e {
        Error::CheckFailed(m) => Error::check(format!("{}: {m}", a.share.display())),
        other => other,
    };
    let (p, input_name, what) = match (&a.input.blinded, a.input.plain()) {
        (Some(path), _) => {
            let blinded: KmiBlindedInput = read_typed(path)?;
            let prepared = set.prepare_blinded(&blinded).map_err(|e| e.in_file(path))?;
            let p = set
                .partial(&opened, &prepared, &mut rng)
                .map_err(in_share)?;
            (p, path.clone(), blinded.operation_name())
        }
        (None, Some(plain)) => {
            let input = ThresholdInput::read(&plain, &set)?;
            let p = set
                .prepare(input.operation(), &input.bytes)
                .map_err(|e| e.in_file(&input.name))
                .and_then(|prepared| set.partial(&opened, &prepared, &mut rng).map_err(in_share))?;
            let what = if input.sign {
                "signature"
            } else {
                "decryption"
            };
            (p, input.name, what)
        }
        // clap makes --blinded and the plain inputs one required group; should that change, a
        // usage error rather than a panic.
        (None, None) => {
            return Err(Error::invalid(
                "give what to work on: --decrypt FILE, --sign FILE or --blinded FILE",
            ))
        }
    };
    write_output(&spec, to_pem(&p)?.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    ctx.note(format!(
        "partial {} of set {} on {} ({what})",
        opened.index,
        &set.id_hex()[..16],
        input_name.display(),
    ));
    if a.json {
        super::json::print(
            true,
            json!({
                "set_id": set.id_hex(),
                "index": opened.index,
                "operation": what,
                "blinded": a.input.blinded.is_some(),
                "input": input_name.display().to_string(),
                "file": a.out.output.display().to_string(),
            }),
        )?;
    }
    Ok(())
}

fn blind(ctx: &Context, a: ShareBlindArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs
        .extend(a.input.decrypt.iter().chain(&a.input.sign).cloned());
    let spec = a.out.spec(false);
    let factor_spec = OutputSpec::new(&a.factor, a.out.force, true);
    if factor_spec.path.is_none() && spec.path.is_none() {
        return Err(Error::invalid(
            "the blinded input and the factor cannot both go to standard output",
        ));
    }
    spec.check_writable()?;
    factor_spec.check_writable()?;
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(&a.set))?;
    let input = ThresholdInput::read(&a.input, &set)?;
    let prepared = set
        .prepare(input.operation(), &input.bytes)
        .map_err(|e| e.in_file(&input.name))?;
    let mut rng = KmiRng::new(None)?;
    let (blinded, factor) = set.blind(&prepared, &mut rng)?;
    write_output(&factor_spec, to_pem(&factor)?.as_bytes())?;
    write_output(&spec, to_pem(&blinded)?.as_bytes())?;
    rec.outputs.extend(spec.path.clone());
    rec.outputs.extend(factor_spec.path.clone());
    ctx.note(format!(
        "blinded {} for set {}: give {} to the trustees, keep {} secret for kmi share combine --factor",
        input.name.display(),
        &set.id_hex()[..16],
        spec.path.as_deref().map_or("standard output".into(), |p| p.display().to_string()),
        a.factor.display(),
    ));
    Ok(())
}

/// Read and check every partial for `prepared`, warn about and skip bad ones, and fail unless
/// at least k are good (saying how many are missing).
pub(super) fn good_partials(
    ctx: &Context,
    set: &ShareSet,
    prepared: &kmi::threshold::set::Prepared<'_>,
    paths: &[PathBuf],
) -> Result<Vec<PartialFile>> {
    let mut good: Vec<PartialFile> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for path in paths {
        let verdict = match read_typed::<PartialFile>(path) {
            Err(e) => Some(e.reason()),
            Ok(p) if good.iter().any(|g| g.index == p.index) => {
                Some(format!("partial {} given twice", p.index))
            }
            Ok(p) => match set.check_partial(&p, prepared)? {
                None => {
                    good.push(p);
                    None
                }
                Some(why) => Some(format!("partial {}: {why}", p.index)),
            },
        };
        if let Some(why) = verdict {
            ctx.left_out(format!("skipping {}: {why}", path.display()));
            bad.push(path.display().to_string());
        }
    }
    let k = set.public.threshold() as usize;
    if good.len() < k {
        return Err(Error::check(format!(
            "only {} good partial result(s) of the {k} needed: {} missing{}",
            good.len(),
            k - good.len(),
            if bad.is_empty() {
                String::new()
            } else {
                format!(" (bad: {})", bad.join(", "))
            }
        )));
    }
    Ok(good)
}

fn combine(ctx: &Context, a: ShareCombineArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.extend(a.partials.iter().cloned());
    rec.inputs
        .extend(a.input.decrypt.iter().chain(&a.input.sign).cloned());
    rec.inputs.extend(a.factor.iter().cloned());
    let spec = a.out.spec(a.input.decrypt.is_some());
    if a.json && spec.is_stdout() {
        return Err(Error::invalid(
            "--json prints the report on standard output: give -o FILE for the result",
        ));
    }
    spec.check_writable()?;
    if a.input.sign.is_some() {
        super::refuse_binary_to_terminal(&spec)?;
    }
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(&a.set))?;
    let input = ThresholdInput::read(&a.input, &set)?;
    let mut prepared = set.prepare(input.operation(), &input.bytes)?;
    if let Some(path) = &a.factor {
        let factor: KmiBlindingFactor = read_typed(path)?;
        prepared = set
            .blinded_view(prepared, &factor)
            .map_err(|e| e.in_file(path))?;
    }
    let good = good_partials(ctx, &set, &prepared, &a.partials)?;
    rec.shares = good.iter().map(|p| p.index).collect();
    let out = set.combine(&good, &prepared)?;
    write_output(&spec, &out)?;
    rec.outputs.extend(spec.path.clone());
    let used: Vec<String> = good[..set.public.threshold() as usize]
        .iter()
        .map(|p| p.index.to_string())
        .collect();
    ctx.note(format!(
        "combined partials {} of set {} into a {}",
        used.join(", "),
        &set.id_hex()[..16],
        if input.sign { "signature" } else { "plaintext" }
    ));
    if a.json {
        let indices: Vec<u32> = good[..set.public.threshold() as usize]
            .iter()
            .map(|p| p.index)
            .collect();
        super::json::print(
            true,
            json!({
                "set_id": set.id_hex(),
                "operation": if input.sign { "signature" } else { "decryption" },
                "blinded": a.factor.is_some(),
                "partials_used": indices,
                "input": input.name.display().to_string(),
                "file": a.out.output.display().to_string(),
                "bytes": out.len(),
            }),
        )?;
    }
    Ok(())
}
