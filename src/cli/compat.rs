//! kmi 0.1's flag spellings, kept as hidden aliases for one release (issue 15).
//!
//! kmi 0.2 gave every meaning one name (README, "Conventions"): `--key-passphrase-*` for the
//! command's own key, `--identity` (+ `--identity-passphrase-*`) for a trustee's or recipient's
//! private key, `--new-passphrase-*`, `--share-passphrase-*`, `--secret-*`, `--to` for every
//! recipient, `--owner` for the name keys are filed under, `--factor` for the blinding factor.
//! Scripts written for 0.1 keep working: the old long names are added here, at one place, as
//! hidden aliases of the new arguments, so that the next release deletes this table and nothing
//! else. They appear in no help, man page or completion.

use clap::{ArgMatches, Command, CommandFactory, FromArgMatches};

use super::Cli;

/// (command path under `kmi`, argument id, old long name).
pub const OLD_SPELLINGS: &[(&[&str], &str, &str)] = &[
    (
        &["key", "generate", "rsa"],
        "new_passphrase_file",
        "passphrase-file",
    ),
    (
        &["key", "generate", "rsa"],
        "new_passphrase_fd",
        "passphrase-fd",
    ),
    (
        &["key", "generate", "elgamal"],
        "new_passphrase_file",
        "passphrase-file",
    ),
    (
        &["key", "generate", "elgamal"],
        "new_passphrase_fd",
        "passphrase-fd",
    ),
    (&["key", "check"], "key_passphrase_file", "passphrase-file"),
    (&["key", "check"], "key_passphrase_fd", "passphrase-fd"),
    (
        &["key", "inspect"],
        "key_passphrase_file",
        "passphrase-file",
    ),
    (&["key", "inspect"], "key_passphrase_fd", "passphrase-fd"),
    (&["key", "public"], "key_passphrase_file", "passphrase-file"),
    (&["key", "public"], "key_passphrase_fd", "passphrase-fd"),
    (
        &["key", "fingerprint"],
        "key_passphrase_file",
        "passphrase-file",
    ),
    (
        &["key", "fingerprint"],
        "key_passphrase_fd",
        "passphrase-fd",
    ),
    (&["decrypt"], "identity", "key"),
    (&["decrypt"], "identity_passphrase_file", "passphrase-file"),
    (&["decrypt"], "identity_passphrase_fd", "passphrase-fd"),
    (
        &["share", "split"],
        "share_passphrase_file",
        "passphrase-file",
    ),
    (
        &["share", "verify"],
        "share_passphrase_file",
        "passphrase-file",
    ),
    (
        &["share", "reconstruct"],
        "share_passphrase_file",
        "passphrase-file",
    ),
    (
        &["share", "partial"],
        "share_passphrase_file",
        "passphrase-file",
    ),
    (
        &["share", "transfer"],
        "share_passphrase_file",
        "passphrase-file",
    ),
    (
        &["share", "reshare", "deal"],
        "share_passphrase_file",
        "passphrase-file",
    ),
    (&["share", "combine"], "factor", "blind"),
    (&["cmc", "archive-request"], "to", "agent"),
    (&["cmc", "archive-request"], "owner", "identity"),
    (
        &["cmc", "archive-request"],
        "secret_file",
        "shared-secret-file",
    ),
    (&["cmc", "archive-request"], "secret_fd", "shared-secret-fd"),
    (&["cmc", "recovery-request"], "to", "shroud-key"),
    (&["cmc", "recovery-request"], "owner", "identity"),
    (
        &["cmc", "recovery-request"],
        "secret_file",
        "shared-secret-file",
    ),
    (
        &["cmc", "recovery-request"],
        "secret_fd",
        "shared-secret-fd",
    ),
    (&["cmc", "keygen-request"], "to", "shroud-key"),
    (&["cmc", "keygen-request"], "owner", "identity"),
    (
        &["cmc", "keygen-request"],
        "secret_file",
        "shared-secret-file",
    ),
    (&["cmc", "keygen-request"], "secret_fd", "shared-secret-fd"),
    (&["cmc", "respond"], "identity", "share-key"),
    (&["cmc", "extract"], "identity", "key"),
    (
        &["cmc", "extract"],
        "identity_passphrase_file",
        "key-passphrase-file",
    ),
    (
        &["cmc", "extract"],
        "identity_passphrase_fd",
        "key-passphrase-fd",
    ),
    (&["cmc", "extract"], "secret_file", "passphrase-file"),
    (&["cmc", "store", "list"], "owner", "identity"),
];

/// kmi's command tree with the old spellings as hidden aliases: what `kmi` parses with.
pub fn command() -> Command {
    let mut root = Cli::command();
    for (path, id, old) in OLD_SPELLINGS {
        root = add_alias(root, path, id, old);
    }
    root
}

fn add_alias(cmd: Command, path: &[&str], id: &'static str, old: &'static str) -> Command {
    match path.split_first() {
        None => cmd.mut_arg(id, |arg| arg.alias(old)),
        Some((first, rest)) => cmd.mut_subcommand(*first, |sub| add_alias(sub, rest, id, old)),
    }
}

/// Parse a command line as `kmi` does (new names, and the old ones of [`OLD_SPELLINGS`]).
pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = command();
    let matches: ArgMatches = cmd.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry names an argument that exists at that path (mut_arg would panic otherwise,
    /// but only when the table is applied): the table is checked whole here.
    #[test]
    fn every_old_spelling_reaches_its_argument() {
        let mut root = command();
        root.build();
        for (path, id, old) in OLD_SPELLINGS {
            let mut cmd = &root;
            for name in *path {
                cmd = cmd
                    .find_subcommand(name)
                    .unwrap_or_else(|| panic!("no command {path:?}"));
            }
            let arg = cmd
                .get_arguments()
                .find(|a| a.get_id() == *id)
                .unwrap_or_else(|| panic!("{path:?} has no argument {id}"));
            assert!(
                arg.get_all_aliases().unwrap_or_default().contains(old),
                "{path:?} {id}: alias {old} missing"
            );
            assert!(
                cmd.get_arguments().all(|a| a.get_long() != Some(old)),
                "{path:?}: --{old} is still a visible name of another argument"
            );
        }
    }

    #[test]
    fn old_spellings_parse_as_the_new_arguments() {
        let cli = try_parse_from([
            "kmi",
            "cmc",
            "recovery-request",
            "--identity",
            "alice",
            "--shroud-key",
            "new.pub",
            "--shared-secret-file",
            "alice.hex",
            "-o",
            "r.req",
        ])
        .unwrap();
        let super::super::Command::Cmc(cmc) = cli.command else {
            panic!("not cmc")
        };
        let super::super::cmc::CmcCommand::RecoveryRequest(a) = *cmc else {
            panic!("not recovery-request")
        };
        assert_eq!(a.owner.as_deref(), Some("alice"));
        assert_eq!(
            a.shroud.to.as_deref(),
            Some(std::path::Path::new("new.pub"))
        );
        assert!(a.shared_secret.secret_file.is_some());
    }
}
