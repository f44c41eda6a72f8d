//! `kmi share reshare round|deal|accept|finish`, `kmi share refresh` and `kmi share transfer`:
//! the clap definitions of issue 16 (docs/reshare.md), run by `src/cmd/share/reshare.rs`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueHint};

use super::share::ShareOpenArgs;
use super::{LogArgs, OutputFileArgs};

#[derive(Debug, Subcommand)]
pub enum ReshareCommand {
    /// Fix a reshare round: the set, the new threshold and the new trustees, with a random id
    #[command(
        long_about = "Fix a reshare round before anyone deals: the old set's id, the new threshold \
k2, the new trustees' certificates in order (trustee i is the i-th --to; n2 is their number) and a \
fresh random round id. Writes a KMI RESHARE ROUND file that every later step reads; every deal \
and sub-share is bound to its SHA-256, so a deal for another round, another set or a swapped \
trustee list is refused.\n\n\
The whole flow (docs/reshare.md):\n  \
1. coordinator: kmi share reshare round --set set.pem -k 2 --to new1.crt --to new2.crt --to new3.crt -o round.pem\n  \
2. any k old trustees: kmi share reshare deal --set set.pem --round round.pem --share share-j.pem --identity old-j.key -o deals\n  \
3. every new trustee: kmi share reshare accept --set set.pem --round round.pem --identity new-i.key deals/from-*.pem -o new-share-i.pem\n  \
4. anyone: kmi share reshare finish --set set.pem --round round.pem deals/from-*.pem -o new-set.pem\n\n\
The public key stays the same; the new set has a new id and old shares never combine with it.",
        after_long_help = "Examples:\n  $ kmi share reshare round --set shares/set.pem -k 2 --to t1.crt --to t2.crt --to t3.crt -o round.pem"
    )]
    Round(ReshareRoundArgs),

    /// An old trustee sub-shares its share to the round's new trustees
    #[command(
        long_about = "An old trustee deals: its share (opened with --identity or --share-passphrase-file, \
and checked against the old set) is shared again with the round's threshold among the round's new \
trustees. ElGamal: a Feldman polynomial mod q whose constant is the share; RSA: an integer \
polynomial whose constant is n2! times the share, with long random coefficients (statistically \
hiding). Each sub-share is enveloped (CMS, RSA-OAEP) for its trustee's certificate; the public \
commitments let each new trustee check its sub-share and everyone check the dealer used its real \
share. Writes DIR/from-<j>.pem (KMI RESHARE DEAL) for old share j.",
        after_long_help = "Examples:\n  $ kmi share reshare deal --set shares/set.pem --round round.pem --share shares/share-2.pem -o deals"
    )]
    Deal(ReshareDealArgs),

    /// A new trustee checks every deal and computes its share of the new set
    #[command(
        long_about = "A new trustee (--identity: its RSA private key, matching one certificate of the \
round) checks every deal: bound to this round and this set, from a share of the old set, \
commitments consistent with the old set's verification data, and its own sub-share (opened from \
the deal) against the dealer's commitments. Bad deals are named by dealer. The first k good \
deals by dealer index are used, as finish does; if one of those sent this trustee a bad \
sub-share, accept names the dealer and stops: leave that dealer out for every party with \
--exclude J and accept and finish again.\n\n\
Writes the new share enveloped (CMS) to the trustee's own certificate from the round, or bare \
with --plain, and checks it against the new set first.",
        after_long_help = "Examples:\n  $ kmi share reshare accept --set shares/set.pem --round round.pem --identity t1.pem deals/from-1.pem deals/from-2.pem deals/from-4.pem -o new-share-1.pem"
    )]
    Accept(ReshareAcceptArgs),

    /// Compute the new set from the deals' public parts
    #[command(
        long_about = "Compute the new set (public only: no secret is read) from the first k good deals \
by dealer index, naming bad ones, exactly as every new trustee's accept does. ElGamal: new \
commitments C'_t = prod_j E_(j,t)^(L_j), C'_0 = y. RSA: new verification keys v'_i from the \
dealers' commitments; the set records the offset and share size of its integer shares, so combine \
and reconstruct end in an ordinary RSA result. The new set is checked in full before it is \
written.",
        after_long_help = "Examples:\n  $ kmi share reshare finish --set shares/set.pem --round round.pem deals/from-1.pem deals/from-2.pem deals/from-4.pem -o new-set.pem"
    )]
    Finish(ReshareFinishArgs),
}

#[derive(Debug, Args)]
pub struct ReshareRoundArgs {
    /// The set to reshare (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// Shares the new set needs (k2)
    #[arg(long, short = 'k', value_name = "K")]
    pub threshold: u32,

    /// A new trustee's certificate (RSA key), in order: trustee i is the i-th (n2 in all)
    #[arg(long, value_name = "CERT", required = true, value_hint = ValueHint::FilePath)]
    pub to: Vec<PathBuf>,

    /// A name for the new set
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ShareRefreshArgs {
    /// The set to refresh (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// The trustees' certificates, in share order (n of them: the same trustees)
    #[arg(long, value_name = "CERT", required = true, value_hint = ValueHint::FilePath)]
    pub to: Vec<PathBuf>,

    /// A name for the new set
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ReshareDealArgs {
    /// The set being reshared (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// The round (from kmi share reshare round or kmi share refresh)
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    /// This old trustee's share
    #[arg(long, value_name = "SHARE", value_hint = ValueHint::FilePath)]
    pub share: PathBuf,

    #[command(flatten)]
    pub open: ShareOpenArgs,

    // The help text names the file as the user sees it: `<j>` (the dealer's index) is not HTML.
    #[allow(rustdoc::invalid_html_tags)]
    /// Write DIR/from-<j>.pem (DIR is created if missing)
    #[arg(short, long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub output: PathBuf,

    #[allow(rustdoc::invalid_html_tags)]
    /// Replace an existing DIR/from-<j>.pem
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ReshareAcceptArgs {
    /// The set being reshared (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// The round
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    /// This new trustee's RSA private key (its certificate is in the round)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identity: PathBuf,

    #[command(flatten)]
    pub identity_passphrase: super::IdentityPassphraseArgs,

    /// The old trustees' deals (at least k good ones)
    #[arg(value_name = "DEAL", required = true, value_hint = ValueHint::FilePath)]
    pub deals: Vec<PathBuf>,

    /// Leave out dealer J (a dealer a new trustee named as cheating; repeatable)
    #[arg(long, value_name = "J")]
    pub exclude: Vec<u32>,

    /// Write the new share bare instead of enveloped to this trustee's certificate
    #[arg(long)]
    pub plain: bool,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ReshareFinishArgs {
    /// The set being reshared (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// The round
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    /// The old trustees' deals (at least k good ones)
    #[arg(value_name = "DEAL", required = true, value_hint = ValueHint::FilePath)]
    pub deals: Vec<PathBuf>,

    /// Leave out dealer J (a dealer a new trustee named as cheating; repeatable)
    #[arg(long, value_name = "J")]
    pub exclude: Vec<u32>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ShareTransferArgs {
    /// The share to hand over
    #[arg(long, value_name = "SHARE", value_hint = ValueHint::FilePath)]
    pub share: PathBuf,

    #[command(flatten)]
    pub open: ShareOpenArgs,

    /// The requester's certificate or RSA public key: the share is enveloped to it
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub to: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}
