//! kmi share split | verify | reconstruct | partial | combine | blind (reshare, refresh and
//! transfer: `reshare`)

mod dkg;
mod reshare;

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
        // clap: --blinded and the plain inputs are one required group, so one of them is set.
        (None, None) => unreachable!("clap requires one input"),
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

fn key_pass(a: &KeyPassphraseArgs) -> PassphraseArgs {
    a.source()
}

/// PBKDF2 iterations for passphrase-encrypted shares.
const SHARE_PWRI_ITERATIONS: u32 = 600_000;

/// The share passphrases of `share split`, in order: the files, then the descriptors.
fn split_passphrase_sources(a: &ShareSplitArgs) -> Vec<kmi::io::PassphraseSource> {
    let files = a
        .share_passphrase_file
        .iter()
        .map(|p| kmi::io::PassphraseSource::from_file_arg(p));
    let fds = a
        .share_passphrase_fd
        .iter()
        .map(|fd| kmi::io::PassphraseSource::Fd(*fd));
    files.chain(fds).collect()
}

/// One recipient per share, in order, from --to or --share-passphrase-file/-fd; None for --plain.
fn share_recipients(a: &ShareSplitArgs) -> Result<Option<Vec<kmi::cms::Recipient>>> {
    let n = a.shares as usize;
    if a.plain {
        return Ok(None);
    }
    let passphrases = split_passphrase_sources(a);
    if a.to.is_empty() && passphrases.is_empty() {
        return Err(Error::invalid(format!(
            "say how each of the {n} shares is protected: --to FILE or --share-passphrase-file FILE once per share, or --plain"
        )));
    }
    if !a.to.is_empty() && !passphrases.is_empty() {
        return Err(Error::invalid(
            "give either --to or --share-passphrase-file for every share, not a mix",
        ));
    }
    let given = a.to.len().max(passphrases.len());
    if given != n {
        return Err(Error::invalid(format!(
            "{n} shares need {n} recipients; {given} given"
        )));
    }
    let mut out = Vec::with_capacity(n);
    for path in &a.to {
        let input = read_input(path)?;
        out.push(kmi::cms::recipient_from_file_bytes(&input.bytes).map_err(|e| e.in_file(path))?);
    }
    for (i, source) in passphrases.iter().enumerate() {
        let passphrase = source.read(&format!("share {}", i + 1), false)?;
        out.push(kmi::cms::Recipient::Passphrase {
            passphrase,
            iterations: SHARE_PWRI_ITERATIONS,
        });
    }
    Ok(Some(out))
}

fn split_key(ctx: &Context, a: ShareSplitArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.key.clone());
    rec.inputs.extend(a.to.iter().cloned());
    // The seed fixes the polynomial: seed plus any one share (encrypted or not) gives the key.
    // Encrypting such shares to real trustees protects nothing (issue 10 item 4).
    if a.seed.is_some()
        && (!a.to.is_empty()
            || !a.share_passphrase_file.is_empty()
            || !a.share_passphrase_fd.is_empty())
        && !a.insecure_fixture
    {
        return Err(Error::invalid(
            "--seed makes every share predictable from the seed, so encrypting them to trustees protects nothing: use --plain for a fixture, or add --insecure-fixture",
        ));
    }
    let recipients = share_recipients(&a)?;
    let key = match ctx.read_key(&a.key, &key_pass(&a.key_passphrase))? {
        Key::Private(k) => k,
        Key::Public(_) => {
            return Err(Error::invalid(format!(
                "{}: is a public key; splitting needs the private key",
                a.key.display()
            )))
        }
    };
    let dir = &a.output;
    let set_path = dir.join("set.pem");
    let share_paths: Vec<PathBuf> = (1..=a.shares)
        .map(|i| dir.join(format!("share-{i}.pem")))
        .collect();
    if !a.force {
        for p in std::iter::once(&set_path).chain(&share_paths) {
            if p.exists() {
                return Err(Error::Exists { path: p.clone() });
            }
        }
    }
    kmi::clock::set_time(a.time.time.as_deref())?;
    let mut rng = KmiRng::new(a.seed.as_deref())?;
    // Envelope randomness (content keys, IVs, OAEP seeds, PWRI salts) never comes from the seed,
    // not even with --insecure-fixture: the seed plus an encrypted share must not give the key
    // (issue 10). A byte-reproducible fixture set uses --plain shares.
    let mut envelope_rng = KmiRng::new(None)?;
    if rng.is_seeded() {
        ctx.warn("--seed makes predictable shares: use it for fixtures and tests only");
    }
    // A seeded fixture must be byte-reproducible, so it carries no creation time unless the
    // time is pinned (--time or SOURCE_DATE_EPOCH).
    let created = if rng.is_seeded() && !kmi::clock::is_pinned() {
        None
    } else {
        der::asn1::GeneralizedTime::from_system_time(kmi::clock::now()).ok()
    };
    let options = SplitOptions {
        threshold: a.threshold,
        total: a.shares,
        label: a.label.clone(),
        created,
        purpose: match a.purpose {
            PurposeChoice::Decrypt => Purpose::Decrypt,
            PurposeChoice::Sign => Purpose::Sign,
        },
        seeded: rng.is_seeded(),
        vss: match a.vss {
            kmi::cli::share::VssChoice::Feldman => kmi::threshold::set::Vss::Feldman,
            kmi::cli::share::VssChoice::Pedersen => kmi::threshold::set::Vss::Pedersen,
        },
    };
    let (set, shares) = split(&key, &options, &mut rng)?;
    rec.set_id = Some(set.id_hex());
    rec.shares = (1..=a.shares).collect();

    // Encrypt everything before writing anything, so a bad recipient leaves no files behind.
    let mut files = Vec::with_capacity(shares.len());
    for (i, share) in shares.iter().enumerate() {
        let pem = match &recipients {
            None => to_pem(share)?,
            Some(r) => share.seal_for(&r[i], &mut envelope_rng)?,
        };
        files.push(pem);
    }
    if recipients.is_none() {
        ctx.warn(format!(
            "writing unencrypted shares: anyone who reads {} of them holds the key",
            a.threshold
        ));
    }
    let set_pem = to_pem(&set)?;
    // The whole dealing appears at once, or not at all: a full disk or a kill leaves no partial
    // set, and with --force an older dealing stays whole until the new one is complete.
    let names: Vec<String> = (1..=a.shares).map(|i| format!("share-{i}.pem")).collect();
    let mut out: Vec<DirFile<'_>> = files
        .iter()
        .zip(&names)
        .map(|(pem, name)| DirFile {
            name,
            bytes: pem.as_bytes(),
            secret: true,
        })
        .collect();
    out.push(DirFile {
        name: "set.pem",
        bytes: set_pem.as_bytes(),
        secret: false,
    });
    write_dir_atomic(dir, &out, a.force, &is_dealing_file)?;
    rec.outputs.push(set_path.clone());
    rec.outputs.extend(share_paths.iter().cloned());
    ctx.note(format!(
        "split {} into {} shares, {} needed ({}, purpose {}), set {} in {}",
        a.key.display(),
        a.shares,
        a.threshold,
        set.public.scheme_name(),
        set.purpose().name(),
        &set.id_hex()[..16],
        dir.display()
    ));
    if a.json {
        let encryption = match (&recipients, a.to.is_empty()) {
            (None, _) => "none",
            (Some(_), false) => "recipient",
            (Some(_), true) => "passphrase",
        };
        super::json::print(
            true,
            json!({
                "set_id": set.id_hex(),
                "scheme": set.public.scheme_name(),
                "purpose": set.purpose().name(),
                "threshold": a.threshold,
                "total": a.shares,
                "label": a.label,
                "seeded": options.seeded,
                "encryption": encryption,
                "dir": dir.display().to_string(),
                "set": set_path.display().to_string(),
                "shares": share_paths.iter().enumerate().map(|(i, p)| json!({
                    "index": i + 1,
                    "file": p.display().to_string(),
                })).collect::<Vec<_>>(),
            }),
        )?;
    }
    Ok(())
}

/// Files of an older dealing that `split --force` replaces with the directory.
fn is_dealing_file(name: &str) -> bool {
    name == "set.pem"
        || name
            .strip_prefix("share-")
            .and_then(|n| n.strip_suffix(".pem"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Read a share set file (PEM "KMI SHARE SET" or DER), warning if it was dealt from a seed.
pub(super) fn read_set(path: &Path) -> Result<ShareSet> {
    let set: ShareSet = read_typed(path)?;
    warn_if_seeded(path, set.seeded());
    Ok(set)
}

/// Every command that reads a seeded set or share says so (issue 10 item 4): the seed rebuilds
/// every share, so such a set must never hold a real key.
fn warn_if_seeded(path: &Path, seeded: bool) {
    if seeded {
        super::warn(format!(
            "{}: this share set was dealt from a --seed: anyone who knows the seed holds the key (a test fixture, not a secret)",
            path.display()
        ));
    }
}

/// What opens encrypted shares: trustees' RSA private keys and passphrases, loaded once.
#[derive(Default)]
struct Openers {
    identities: Vec<(PathBuf, kmi::keys::RsaPrivate)>,
    passphrases: Vec<zeroize::Zeroizing<String>>,
}

impl Openers {
    fn load(ctx: &Context, args: &ShareOpenArgs) -> Result<Self> {
        let mut o = Openers::default();
        // One passphrase opens every encrypted --identity key (read once).
        let pass = args.identity_passphrase.source().shared();
        for path in &args.identity {
            match ctx.read_key(path, &pass)? {
                Key::Private(kmi::keys::PrivateKey::Rsa(k)) => o.identities.push((path.clone(), k)),
                _ => {
                    return Err(Error::invalid(format!(
                        "{}: --identity needs a trustee's RSA private key",
                        path.display()
                    )))
                }
            }
        }
        for path in &args.share_passphrase_file {
            o.passphrases.push(
                kmi::io::PassphraseSource::from_file_arg(path)
                    .read(&path.display().to_string(), false)?,
            );
        }
        for fd in &args.share_passphrase_fd {
            o.passphrases
                .push(kmi::io::PassphraseSource::Fd(*fd).read("a share", false)?);
        }
        Ok(o)
    }

    /// Open a CMS envelope holding a share with whichever identity or passphrase fits.
    fn open(&self, der: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        if self.identities.is_empty() && self.passphrases.is_empty() {
            return Err(Error::invalid(
                "encrypted share: give --identity FILE or --share-passphrase-file FILE to open it",
            ));
        }
        // A malformed envelope is reported as such; any other failure only means "not this
        // opener", and which one failed last says nothing useful (nor should it: no oracle).
        for (_, key) in &self.identities {
            match kmi::cms::open_with_key(der, key, None) {
                Ok(o) => return Self::share_content(o),
                Err(e @ Error::Format(_)) => return Err(e),
                Err(_) => {}
            }
        }
        for pass in &self.passphrases {
            match kmi::cms::open_with_passphrase(der, pass) {
                Ok(o) => return Self::share_content(o),
                Err(e @ Error::Format(_)) => return Err(e),
                Err(_) => {}
            }
        }
        Err(Error::check("cannot open this encrypted share: none of the given identities or passphrases is its recipient"))
    }

    fn share_content(o: kmi::cms::Opened) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        if o.content_type != kmi::oids::KMI_CT_SHARE {
            return Err(Error::format(format!(
                "envelope holds {} rather than a kmi share",
                o.content_type
            )));
        }
        Ok(o.content)
    }
}

/// Read one share file: PEM "KMI SHARE", PEM "CMS" (encrypted), or either as DER.
fn read_share(path: &Path, openers: &Openers) -> Result<ShareFile> {
    // A plain share file is secret as it stands: wipe the bytes read, not only the decoded DER.
    let bytes = zeroize::Zeroizing::new(read_input(path)?.bytes);
    let armored = decode_armor(&bytes).map_err(|e| e.in_file(path))?;
    let der = zeroize::Zeroizing::new(armored.der);
    let plain = match armored.label.as_deref() {
        Some(SHARE_PEM_LABEL) => der,
        None if ShareFile::from_der_checked(&der).is_ok() => der,
        None | Some("CMS") | Some("PKCS7") => openers.open(&der).map_err(|e| e.in_file(path))?,
        Some(other) => {
            return Err(Error::malformed(
                path,
                format!("PEM label '{other}' is not a share (expected {SHARE_PEM_LABEL} or CMS)"),
            ))
        }
    };
    let share = ShareFile::from_der_checked(&plain).map_err(|e| e.in_file(path))?;
    warn_if_seeded(path, share.set.seeded);
    Ok(share)
}

/// The verdict on one share file.
struct ShareVerdict {
    file: PathBuf,
    index: Option<u32>,
    problem: Option<String>,
    opened: Option<SecretShare>,
}

/// Read, open and check each share file against `set`; unreadable files are verdicts, not errors.
fn check_shares(set: &ShareSet, files: &[PathBuf], openers: &Openers) -> Vec<ShareVerdict> {
    let mut seen = Vec::new();
    files
        .iter()
        .map(|file| {
            let share = match read_share(file, openers) {
                Ok(s) => s,
                Err(e) => {
                    return ShareVerdict {
                        file: file.clone(),
                        index: None,
                        problem: Some(e.reason()),
                        opened: None,
                    }
                }
            };
            let index = Some(share.index);
            let opened = match set.open(&share) {
                Ok(o) => o,
                Err(e) => {
                    return ShareVerdict {
                        file: file.clone(),
                        index,
                        problem: Some(e.to_string()),
                        opened: None,
                    }
                }
            };
            let problem = if seen.contains(&share.index) {
                Some(format!("share {} given twice", share.index))
            } else if !set.verify_share(&opened) {
                Some(format!(
                    "share {} does not match the set's public commitments",
                    share.index
                ))
            } else {
                None
            };
            seen.push(share.index);
            let opened = problem.is_none().then_some(opened);
            ShareVerdict {
                file: file.clone(),
                index,
                problem,
                opened,
            }
        })
        .collect()
}

fn verify(ctx: &Context, a: ShareVerifyArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.extend(a.shares.iter().cloned());
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    let openers = Openers::load(ctx, &a.open)?;
    let set_ok = set.check_public();
    let verdicts = check_shares(&set, &a.shares, &openers);
    let good: Vec<SecretShare> = verdicts.iter().filter_map(|v| v.opened.clone()).collect();
    rec.shares = verdicts.iter().filter_map(|v| v.index).collect();
    let mut rng = KmiRng::new(None)?;
    let batch = if good.is_empty() {
        None
    } else {
        set.batch_verify(&good, &mut rng)
    };
    let batch_ok = batch != Some(false);
    let bad: Vec<&ShareVerdict> = verdicts.iter().filter(|v| v.problem.is_some()).collect();
    let test_messages = if good.len() >= set.public.threshold() as usize {
        set.test_messages(&good, &mut rng)?
    } else {
        None
    };

    if a.json {
        let all_ok = set_ok.is_ok() && bad.is_empty() && batch_ok && test_messages != Some(false);
        let doc = json!({
            "set": a.set.display().to_string(),
            "set_id": set.id_hex(),
            "scheme": set.public.scheme_name(),
            "threshold": set.public.threshold(),
            "total": set.public.total(),
            "set_consistent": set_ok.is_ok(),
            "batch_verified": batch,
            "test_messages_combine": test_messages,
            "shares": verdicts.iter().map(|v| json!({
                "file": v.file.display().to_string(),
                "index": v.index,
                "ok": v.problem.is_none(),
                "problem": v.problem,
            })).collect::<Vec<_>>(),
        });
        if all_ok {
            super::json::print(true, doc)?;
        } else {
            super::json::fail_with(doc);
        }
    } else {
        outln!(
            "set {} ({}, {} of {}{})",
            &set.id_hex()[..16],
            set.public.scheme_name(),
            set.public.threshold(),
            set.public.total(),
            set.file
                .label
                .as_deref()
                .map(|l| format!(", label {l:?}"))
                .unwrap_or_default()
        )?;
        outln!(
            "{}  set commitments are consistent",
            if set_ok.is_ok() { "ok  " } else { "BAD " }
        )?;
        for v in &verdicts {
            let what = v
                .index
                .map(|i| format!("share {i}"))
                .unwrap_or_else(|| "share".into());
            match &v.problem {
                None => outln!("ok    {what} ({})", v.file.display())?,
                Some(p) => outln!("BAD   {what} ({}): {p}", v.file.display())?,
            }
        }
        if good.len() > 1 && batch.is_some() {
            outln!(
                "{}  batch verification of {} shares",
                if batch_ok { "ok  " } else { "BAD " },
                good.len()
            )?;
        }
        if let Some(t) = test_messages {
            outln!(
                "{}  {} test messages combine to themselves over every chosen {}-subset",
                if t { "ok  " } else { "BAD " },
                kmi::threshold::rsa::TEST_MESSAGES,
                set.public.threshold()
            )?;
        }
    }
    set_ok.map_err(|e| e.in_file(&a.set))?;
    if !bad.is_empty() {
        let names: Vec<String> = bad
            .iter()
            .map(|v| match v.index {
                Some(i) => format!("share {i} ({})", v.file.display()),
                None => v.file.display().to_string(),
            })
            .collect();
        return Err(Error::check(format!(
            "{} bad: {}",
            if bad.len() == 1 {
                "1 share is"
            } else {
                "shares are"
            },
            names.join(", ")
        )));
    }
    if !batch_ok {
        return Err(Error::check(
            "batch verification failed although every share passed alone",
        ));
    }
    if test_messages == Some(false) {
        return Err(Error::check("the shares pass one by one but test messages do not combine: the dealing is inconsistent"));
    }
    ctx.note(format!(
        "{} share(s) verified against set {}",
        good.len(),
        &set.id_hex()[..16]
    ));
    Ok(())
}

fn reconstruct(ctx: &Context, a: ShareReconstructArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.extend(a.shares.iter().cloned());
    let spec = a.output.file.spec(true);
    spec.check_writable()?;
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(&a.set))?;
    let openers = Openers::load(ctx, &a.open)?;
    let verdicts = check_shares(&set, &a.shares, &openers);
    for v in verdicts.iter().filter(|v| v.problem.is_some()) {
        ctx.left_out(format!(
            "skipping {}: {}",
            v.file.display(),
            v.problem.as_deref().unwrap_or("")
        ));
    }
    let good: Vec<SecretShare> = verdicts.iter().filter_map(|v| v.opened.clone()).collect();
    rec.shares = good.iter().map(|s| s.index).collect();
    let k = set.public.threshold() as usize;
    if good.len() < k {
        return Err(Error::check(format!(
            "only {} good share(s) of the {k} needed: {} missing",
            good.len(),
            k - good.len()
        )));
    }
    let mut rng = KmiRng::new(None)?;
    let key = set.reconstruct(&good, &mut rng)?;
    if key.public() != set.public.public_key() {
        return Err(Error::check(
            "the rebuilt key does not match the set's public key",
        ));
    }
    let new_pass = a.new_passphrase.source();
    let encryption =
        super::key::encryption_from_args(ctx, &a.encrypt, &new_pass, &a.output.file.output)?;
    let bytes = encode_private(&key, a.output.der, encryption.as_ref(), &mut rng)?;
    write_output(&spec, &bytes)?;
    rec.outputs.extend(spec.path.clone());
    let used: Vec<String> = good[..k].iter().map(|s| s.index.to_string()).collect();
    ctx.note(format!(
        "rebuilt the key of set {} from shares {}; fingerprint {}",
        &set.id_hex()[..16],
        used.join(", "),
        fingerprint(&key.public(), 64)?
    ));
    Ok(())
}

/// `kmi share inspect`: a set or a share described, an encrypted share from its envelope only.
fn inspect(a: &kmi::cli::share::ShareInspectArgs) -> Result<()> {
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
