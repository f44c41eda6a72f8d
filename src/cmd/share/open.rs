//! Reading sets and shares for every share command: the seeded-set warning, the openers of
//! encrypted shares (trustee keys, passphrases), and the per-file verdicts of `verify`.

use super::*;

/// Read a share set file (PEM "KMI SHARE SET" or DER), warning if it was dealt from a seed.
pub(crate) fn read_set(path: &Path) -> Result<ShareSet> {
    let set: ShareSet = read_typed(path)?;
    warn_if_seeded(path, set.seeded());
    Ok(set)
}

/// Every command that reads a seeded set or share says so (issue 10 item 4): the seed rebuilds
/// every share, so such a set must never hold a real key.
pub(super) fn warn_if_seeded(path: &Path, seeded: bool) {
    if seeded {
        crate::cmd::warn(format!(
            "{}: this share set was dealt from a --seed: anyone who knows the seed holds the key (a test fixture, not a secret)",
            path.display()
        ));
    }
}

/// What opens encrypted shares: trustees' RSA private keys and passphrases, loaded once.
#[derive(Default)]
pub(super) struct Openers {
    pub(super) identities: Vec<(PathBuf, kmi::keys::RsaPrivate)>,
    pub(super) passphrases: Vec<zeroize::Zeroizing<String>>,
}

impl Openers {
    pub(super) fn load(ctx: &Context, args: &ShareOpenArgs) -> Result<Self> {
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
    pub(super) fn open(&self, der: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
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

    pub(super) fn share_content(o: kmi::cms::Opened) -> Result<zeroize::Zeroizing<Vec<u8>>> {
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
pub(super) fn read_share(path: &Path, openers: &Openers) -> Result<ShareFile> {
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
pub(super) struct ShareVerdict {
    pub(super) file: PathBuf,
    pub(super) index: Option<u32>,
    pub(super) problem: Option<String>,
    pub(super) opened: Option<SecretShare>,
}

/// Read, open and check each share file against `set`; unreadable files are verdicts, not errors.
pub(super) fn check_shares(
    set: &ShareSet,
    files: &[PathBuf],
    openers: &Openers,
) -> Vec<ShareVerdict> {
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
