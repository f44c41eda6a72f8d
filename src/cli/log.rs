//! `kmi log ...` and the `--log FILE` option of the share commands and `cmc respond`: the
//! ceremony record.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueHint};

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check that a ceremony record is an unbroken chain (and ends at HEAD)
    #[command(
        long_about = "Check that a ceremony record (written by --log on the share commands and on cmc \
respond, which records every escrow-agent decision) is an unbroken chain: every line carries the SHA-256 of the line before it, so an edited, deleted or \
reordered line is found. With --head, the hash written on paper during the ceremony, a cut or \
rewritten tail is found too. Exit 1 naming the first broken line.",
        after_long_help = "Examples:\n  $ kmi log verify ceremony.log\n  $ kmi log verify ceremony.log --head 0fda3ecc90dc5ea8abd2737febe1e1b65f026c62e834ec6535a4c235c5376869"
    )]
    Verify(LogVerifyArgs),
}

#[derive(Debug, Args)]
pub struct LogVerifyArgs {
    /// The ceremony record ('-' for standard input)
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// The head hash from the paper record: the record must end there
    #[arg(long, value_name = "HEX")]
    pub head: Option<String>,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// The ceremony record option of the share commands and `cmc respond`.
#[derive(Debug, Args, Clone, Default)]
pub struct LogArgs {
    /// Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub log: Option<PathBuf>,
}
