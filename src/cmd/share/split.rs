//! `kmi share split`: the recipients of each share (certificates or passphrases), the
//! dealing, its checks, and the atomic directory of set and shares.

use super::*;

pub(super) fn key_pass(a: &KeyPassphraseArgs) -> PassphraseArgs {
    a.source()
}

/// PBKDF2 iterations for passphrase-encrypted shares.
pub(super) const SHARE_PWRI_ITERATIONS: u32 = 600_000;

/// The share passphrases of `share split`, in order: the files, then the descriptors.
pub(super) fn split_passphrase_sources(a: &ShareSplitArgs) -> Vec<kmi::io::PassphraseSource> {
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
pub(super) fn share_recipients(a: &ShareSplitArgs) -> Result<Option<Vec<kmi::cms::Recipient>>> {
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

pub(super) fn split_key(ctx: &Context, a: ShareSplitArgs, rec: &mut Record) -> Result<()> {
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
        crate::cmd::json::print(
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
pub(super) fn is_dealing_file(name: &str) -> bool {
    name == "set.pem"
        || name
            .strip_prefix("share-")
            .and_then(|n| n.strip_suffix(".pem"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}
