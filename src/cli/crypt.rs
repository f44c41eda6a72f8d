//! `kmi encrypt` and `kmi decrypt` (the clap definitions of what `src/cmd/crypt.rs` runs).

use std::path::PathBuf;

use clap::{Args, ValueHint};

use super::{IdentityPassphraseArgs, OutputFileArgs};

#[derive(Debug, Args)]
pub struct EncryptCmdArgs {
    /// The recipient's public key (or private key), or a share set (its trustees decrypt)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub to: PathBuf,

    /// Read the plaintext from FILE ('-' for standard input)
    #[arg(short, long, value_name = "FILE", default_value = "-", value_hint = ValueHint::FilePath)]
    pub input: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub fixture: super::SecretFixtureArgs,
}

#[derive(Debug, Args)]
pub struct DecryptCmdArgs {
    /// The recipient's private key
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identity: PathBuf,

    /// Read the ciphertext from FILE ('-' for standard input)
    #[arg(short, long, value_name = "FILE", default_value = "-", value_hint = ValueHint::FilePath)]
    pub input: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,

    #[command(flatten)]
    pub identity_passphrase: IdentityPassphraseArgs,
}
