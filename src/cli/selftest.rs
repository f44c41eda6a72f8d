//! `kmi selftest` (the clap definitions of what `src/cmd/selftest.rs` runs).

use clap::Args;

#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
}
