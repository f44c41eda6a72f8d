//! `kmi demo` (the clap definitions of what `src/cmd/demo.rs` runs).

use std::path::PathBuf;

use clap::{Args, ValueHint};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run in DIR (must be new or empty; default: a new directory under the system temp dir)
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,

    /// Size of the escrowed RSA key
    #[arg(long, default_value_t = 2048, value_name = "BITS")]
    pub bits: usize,

    /// Also show a trustee leaving: reshare the decryption set to new trustees, key unchanged
    #[arg(long)]
    pub reshare: bool,

    /// Instead: a key no machine ever held, made by five parties (distributed key generation)
    #[arg(long, conflicts_with = "reshare")]
    pub dkg: bool,

    #[command(flatten)]
    pub fixture: super::FixtureArgs,

    /// Write the ceremony log (one line per step) to FILE [default: DIR/ceremony.log]
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub log: Option<PathBuf>,

    /// Print a JSON summary on stdout (the narration goes to stderr)
    #[arg(long)]
    pub json: bool,
}
