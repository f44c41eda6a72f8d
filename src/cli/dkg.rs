//! `kmi share dkg round|deal|check|answer|reveal|disclose|finish`: the clap definitions of
//! issue 14 (docs/dkg.md), distributed ElGamal key generation in file rounds, run by
//! `src/cmd/share/dkg.rs`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueHint};

use super::key::GroupChoice;
use super::{LogArgs, OutputFileArgs};

#[derive(Debug, Subcommand)]
pub enum DkgCommand {
    /// Fix a DKG round: the group, k, the parties and a random round id
    #[command(
        long_about = "Fix a distributed key generation round before anyone deals: the ElGamal group \
(--group NAME for an RFC 7919 group, or --group-from FILE for the group of an ElGamal (X9.42) \
key, public or private, such as a fresh safe-prime group from kmi key generate elgamal), the \
threshold k, the parties' certificates in order (party i is the i-th --to; n is their number) \
and a fresh random round id. The second generator h is derived from the group by hashing \
(docs/dkg.md section 2: \"kmi dkg h v1\", SHA-256 counter mode over p, q, g and a counter, \
raised to (p - 1)/q); the round records the counter, and every later step derives h again and \
refuses a round whose h differs. Writes a KMI DKG ROUND file; every file of the round is bound \
to its SHA-256 and signed by the party that wrote it.\n\n\
The whole flow (Gennaro-Jarecki-Krawczyk-Rabin, docs/dkg.md):\n  \
1. coordinator: kmi share dkg round --group ffdhe2048 -k 3 --to p1.crt ... --to p5.crt -o round.pem\n  \
2. every party:  kmi share dkg deal --round round.pem --identity p1.key -o deal-1.pem\n  \
3. every party:  kmi share dkg check --round round.pem --identity p1.key deal-*.pem -o verdict-1.pem\n  \
4. every party:  kmi share dkg answer --round round.pem --identity p1.key deal-1.pem verdict-*.pem -o answer-1.pem\n  \
5. every party:  kmi share dkg reveal --round round.pem --identity p1.key deal-*.pem verdict-*.pem answer-*.pem -o reveal-1.pem\n  \
6. anyone:       kmi share dkg finish --round round.pem deal-*.pem verdict-*.pem answer-*.pem reveal-*.pem -o set.pem\n     \
every party:  ... finish --identity p1.key ... -o set.pem --share-out share-1.pem\n\n\
The result is an ordinary ElGamal share set: kmi share verify, partial, combine, reconstruct and \
reshare work on it, and kmi key public set.pem gives its X9.42 public key.",
        after_long_help = "Examples:\n  $ kmi share dkg round --group ffdhe2048 -k 2 --to t1.crt --to t2.crt --to t3.crt -o round.pem\n  \
$ kmi share dkg round --group-from elgamal-public.pem -k 2 --to t1.crt --to t2.crt --to t3.crt -o round.pem"
    )]
    Round(DkgRoundArgs),

    /// A party deals: Pedersen commitments and a share enveloped to every party
    #[command(
        long_about = "A party deals (GJKR step 1(a)): two random polynomials a(X), b(X) of degree \
k - 1 mod q, Pedersen commitments C_t = g^(a_t) h^(b_t), and for every party j the pair \
(a(j), b(j)) enveloped (CMS, RSA-OAEP) to party j's certificate. The dealer's own polynomials are \
enveloped to itself inside the deal, so answer and reveal need no other secret file. The deal \
is signed with --identity (the party's RSA key; its certificate is in the round).",
        after_long_help = "Examples:\n  $ kmi share dkg deal --round round.pem --identity t1.pem -o deal-1.pem"
    )]
    Deal(DkgDealArgs),

    /// A party checks every deal and writes its signed complaints (or none)
    #[command(
        long_about = "A party checks every deal (GJKR step 1(b)): signed by its dealer, bound to this \
round, k commitments in the order-q subgroup, n envelopes, and its own pair against the \
dealer's commitments: g^(s) h^(s') = prod C_t^(j^t). Writes a signed verdict listing every deal \
it saw (by SHA-256) and a complaint against each dealer whose pair to it is bad. A deal that is \
publicly bad is named; every party disqualifies it without a complaint.",
        after_long_help = "Examples:\n  $ kmi share dkg check --round round.pem --identity t1.pem deal-1.pem deal-2.pem deal-3.pem -o verdict-1.pem"
    )]
    Check(DkgCheckArgs),

    /// A dealer opens in public the shares it was complained about
    #[command(
        long_about = "A dealer answers the complaints against it (GJKR step 1(c)): for every party \
that complained, or whose verdict did not see this deal or saw another one, it opens that \
party's pair in public. Give its own deal and every verdict. A dealer with no complaint writes \
an empty answer. A false complaint is then rejected by everyone (the opened pair matches the \
commitments, and the complainer uses it); a dealer that does not answer, or opens a pair that \
does not match, is disqualified.",
        after_long_help = "Examples:\n  $ kmi share dkg answer --round round.pem --identity t1.pem deal-1.pem verdict-1.pem verdict-2.pem verdict-3.pem -o answer-1.pem"
    )]
    Answer(DkgAnswerArgs),

    /// A qualified dealer reveals its Feldman commitments with a proof
    #[command(
        long_about = "Decide QUAL from the deals, verdicts and answers (GJKR step 1(d), the same for \
every party) and, if this party is in it, reveal A_t = g^(a_t) (GJKR step 4(a)) with a \
non-interactive proof that C_t / A_t = h^(b_t) for the b_t it committed to, so a reveal that \
does not match the dealing is refused by everyone. The key is y = prod A_i0 over QUAL.",
        after_long_help = "Examples:\n  $ kmi share dkg reveal --round round.pem --identity t1.pem deal-1.pem deal-2.pem deal-3.pem verdict-1.pem verdict-2.pem verdict-3.pem answer-1.pem answer-2.pem answer-3.pem -o reveal-1.pem"
    )]
    Reveal(DkgRevealArgs),

    /// Publish this party's share of a qualified dealer whose reveal is bad or missing
    #[command(
        long_about = "A qualified dealer whose reveal is missing or refused stays in the key (leaving \
it out after seeing the other reveals would let it bias y: GJKR section 3). Every party publishes \
its pair from that dealer (GJKR step 4(c)); finish checks each against the dealer's Pedersen \
commitments and rebuilds the dealer's polynomial and Feldman commitments from k of them. Only \
that dealer's contribution becomes public; the key stays secret while one qualified dealer is \
honest.",
        after_long_help = "Examples:\n  $ kmi share dkg disclose --round round.pem --identity t1.pem --dealer 3 deal-1.pem deal-2.pem deal-3.pem verdict-1.pem verdict-2.pem verdict-3.pem answer-1.pem answer-2.pem answer-3.pem reveal-1.pem reveal-2.pem -o disclose-1.pem"
    )]
    Disclose(DkgDiscloseArgs),

    /// Compute the share set (and with --identity, this party's share)
    #[command(
        long_about = "Compute the share set from the public files alone: QUAL as reveal decides it, \
every qualified reveal checked, y = prod A_i0 and the Feldman commitments prod A_it of an \
ordinary kmi ElGamal share set (the same set, byte for byte, for every party). Disqualified \
dealers and rejected complaints are named. With --identity, also this party's share \
x_j = sum over QUAL of its s_ij, checked against the set, written to --share-out enveloped to the \
party's own certificate (or bare with --plain). Fewer than k qualified dealers: no set.",
        after_long_help = "Examples:\n  $ kmi share dkg finish --round round.pem deal-1.pem deal-2.pem deal-3.pem verdict-1.pem verdict-2.pem verdict-3.pem answer-1.pem answer-2.pem answer-3.pem reveal-1.pem reveal-2.pem reveal-3.pem -o set.pem\n  \
$ kmi share dkg finish --round round.pem --identity t1.pem deal-1.pem deal-2.pem deal-3.pem verdict-1.pem verdict-2.pem verdict-3.pem answer-1.pem answer-2.pem answer-3.pem reveal-1.pem reveal-2.pem reveal-3.pem -o set.pem --share-out share-1.pem"
    )]
    Finish(DkgFinishArgs),
}

/// `--identity` with its passphrase options, as every step that signs reads it.
#[derive(Debug, Args)]
pub struct DkgIdentityArgs {
    /// This party's RSA private key (its certificate is in the round)
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub identity: PathBuf,

    #[command(flatten)]
    pub identity_passphrase: super::IdentityPassphraseArgs,
}

#[derive(Debug, Args)]
pub struct DkgRoundArgs {
    /// A named RFC 7919 group
    #[arg(
        long,
        value_enum,
        conflicts_with = "group_from",
        required_unless_present = "group_from"
    )]
    pub group: Option<GroupChoice>,

    /// Use the group (p, q, g) of this ElGamal (X9.42) key, public or private
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub group_from: Option<PathBuf>,

    /// Shares needed to use the key (k)
    #[arg(long, short = 'k', value_name = "K")]
    pub threshold: u32,

    /// A party's certificate (RSA key), in order: party i is the i-th (n in all)
    #[arg(long, value_name = "CERT", required = true, value_hint = ValueHint::FilePath)]
    pub to: Vec<PathBuf>,

    /// A name for the set
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DkgDealArgs {
    /// The round (from kmi share dkg round)
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    #[command(flatten)]
    pub identity: DkgIdentityArgs,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DkgCheckArgs {
    /// The round
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    #[command(flatten)]
    pub identity: DkgIdentityArgs,

    /// The deals of the round
    #[arg(value_name = "FILE", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DkgAnswerArgs {
    /// The round
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    #[command(flatten)]
    pub identity: DkgIdentityArgs,

    /// This party's own deal and every verdict
    #[arg(value_name = "FILE", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DkgRevealArgs {
    /// The round
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    #[command(flatten)]
    pub identity: DkgIdentityArgs,

    /// The deals, verdicts and answers of the round
    #[arg(value_name = "FILE", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DkgDiscloseArgs {
    /// The round
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    #[command(flatten)]
    pub identity: DkgIdentityArgs,

    /// The qualified dealer whose reveal is bad or missing
    #[arg(long, value_name = "I")]
    pub dealer: u32,

    /// The deals, verdicts, answers and reveals of the round
    #[arg(value_name = "FILE", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct DkgFinishArgs {
    /// The round
    #[arg(long, value_name = "ROUND", value_hint = ValueHint::FilePath)]
    pub round: PathBuf,

    /// This party's RSA private key: also compute its share (--share-out)
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath, requires = "share_out")]
    pub identity: Option<PathBuf>,

    #[command(flatten)]
    pub identity_passphrase: super::IdentityPassphraseArgs,

    /// Write this party's share to FILE (with --identity)
    #[arg(long, value_name = "FILE", requires = "identity", value_hint = ValueHint::FilePath)]
    pub share_out: Option<PathBuf>,

    /// Write the share bare instead of enveloped to this party's certificate
    #[arg(long, requires = "share_out")]
    pub plain: bool,

    /// The deals, verdicts, answers, reveals (and any disclosures) of the round
    #[arg(value_name = "FILE", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}
