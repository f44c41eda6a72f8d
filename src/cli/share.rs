//! `kmi share ...`: threshold shares, partial results, blinding (the clap definitions of the
//! group that `src/cmd/share.rs` runs).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum, ValueHint};

use super::{
    EncryptArgs, IdentityPassphraseArgs, KeyPassphraseArgs, LogArgs, NewPassphraseArgs, OutputArgs,
    OutputFileArgs,
};

#[derive(Debug, Subcommand)]
pub enum ShareCommand {
    /// Split a private key into n shares, any k of which can use or rebuild it
    #[command(
        long_about = "Split a private key into n shares, any k of which can decrypt or sign with it \
(kmi share partial / combine) or rebuild it (kmi share reconstruct), while k - 1 learn nothing.\n\n\
Safe-prime RSA keys are dealt with Shoup's scheme (public verification keys v, v_1..v_n); ElGamal \
keys with Feldman's (commitments C_0..C_t). Writes DIR/set.pem (KMI SHARE SET: the public key, \
scheme, k, n and commitments) and DIR/share-<i>.pem for i = 1..n.\n\n\
Each share is encrypted for its trustee as CMS EnvelopedData (PEM CMS) that openssl cms -decrypt \
opens: --to FILE (a certificate or RSA public key; RSA-OAEP-SHA256 key transport) or \
--share-passphrase-file FILE (PBKDF2-HMAC-SHA256 and the RFC 3211 key wrap), given once per share, in \
order. --plain writes bare KMI SHARE files instead: anyone who reads k of them holds the key.\n\n\
Every set has one purpose, recorded in the set and every share (the set id covers it): \
--purpose decrypt (the default) or --purpose sign. A decrypt set never signs: kmi share partial \
--sign and kmi ccm sign --threshold-set refuse it, and it refuses to decrypt an unblinded block \
that parses as an RSA signature encoding (EMSA-PKCS1-v1_5 with any hash, or EMSA-PSS), because \
the trustees' c^d of such a block is a signature on someone's document: a \"decryption\" \
request would be a signature request in disguise (the chosen-message attack of the Omega paper, \
seed 002 section 3). A sign set never decrypts and never works on blinded inputs. Use one key \
per purpose, as PKI does.\n\n\
The key is checked in full first (the registration checks of kmi key check with its private part, \
safe primes for RSA), and the dealing is checked (set consistency, every share, test messages) \
before any file is written.\n\n\
--seed makes the polynomial a function of the seed: whoever knows the seed rebuilds every share. \
Such a set says so inside the set and every share, every command that reads it warns, envelope \
randomness never comes from the seed (so a byte-reproducible fixture set uses --plain), and \
--seed with --to or --share-passphrase-file is refused unless --insecure-fixture is given. A \
seeded set carries no creation time unless --time or SOURCE_DATE_EPOCH pins one.",
        after_long_help = "Examples:\n  $ kmi share split key.pem -k 3 -n 5 --to t1.pem --to t2.pem --to t3.pem --to t4.pem --to t5.pem -o shares\n  \
$ kmi share split elgamal.pem -k 2 -n 3 --share-passphrase-file p1 --share-passphrase-file p2 --share-passphrase-file p3 -o shares\n  \
$ kmi share split signing-key.pem -k 2 -n 3 --purpose sign --plain -o signing-shares\n  \
$ kmi share split key.pem --threshold 3 --shares 5 --plain -o shares"
    )]
    Split(ShareSplitArgs),

    /// Verify shares against their set's public commitments
    #[command(
        long_about = "Verify shares against their set's public commitments: each share on its own \
(Feldman: g^s_i = prod C_k^(i^k); Shoup: v^s_i = v_i), all shares given together in one batch \
equation (ElGamal), and the set's own consistency. Exit 1 naming every bad share by index and \
file; shares of a different set are named as such.",
        after_long_help = "Examples:\n  $ kmi share verify --set shares/set.pem\n  \
$ kmi share verify --set shares/set.pem shares/share-1.pem shares/share-4.pem\n  \
$ kmi share verify --set shares/set.pem --identity trustee1-key.pem shares/share-1.pem"
    )]
    Verify(ShareVerifyArgs),

    /// Rebuild the whole private key from k shares
    #[command(
        long_about = "Rebuild the whole private key from at least k good shares. ElGamal: x by \
interpolation. RSA: the shares' integer combination gives a multiple of lambda(N), which factors \
N; the complete PKCS#8 key (with CRT values) is written. Bad and extra shares are reported and \
skipped.",
        after_long_help = "Examples:\n  $ kmi share reconstruct --set shares/set.pem shares/share-1.pem shares/share-3.pem shares/share-5.pem -o key.pem\n  \
$ kmi share reconstruct --set shares/set.pem --identity t1.pem --identity t3.pem --identity t5.pem shares/share-1.pem shares/share-3.pem shares/share-5.pem -o key.pem"
    )]
    Reconstruct(ShareReconstructArgs),

    /// Compute one trustee's partial decryption or signature, with a proof of correctness
    #[command(
        long_about = "Compute one trustee's partial result on a ciphertext (--decrypt) or a file to sign \
(--sign) without rebuilding the key: x^(2 Delta s_i) mod N for RSA (Shoup), alpha^(s_i) mod p for \
ElGamal, each with a non-interactive Chaum-Pedersen proof that it was made with the committed \
share. Writes a KMI PARTIAL tied to the set and to the SHA-256 of the input.\n\n\
The set's purpose decides the operation: a decrypt set refuses --sign and refuses a --decrypt \
block that parses as an RSA signature encoding (EMSA-PKCS1-v1_5 or EMSA-PSS); a sign set \
refuses --decrypt and --blinded.\n\n\
With --blinded the input is a KMI BLINDED INPUT from kmi share blind: the trustee computes its \
partial on a value that is uniformly random to it and never learns the plaintext (see kmi share \
blind). Decrypt sets only.",
        after_long_help = "Examples:\n  $ kmi share partial --share shares/share-2.pem --decrypt secret.bin -o p2.pem\n  \
$ kmi share partial --share shares/share-2.pem --sign policy.txt -o p2.pem\n  \
$ kmi share partial --share shares/share-2.pem --blinded request.pem -o p2.pem"
    )]
    Partial(SharePartialArgs),

    /// Check partial results and combine k of them into a plaintext or a standard signature
    #[command(
        long_about = "Check every partial result's proof, name and skip bad ones, and combine k good ones: \
the RSA-OAEP plaintext, the ElGamal payload, or an RSASSA-PKCS1-v1_5 SHA-256 signature over FILE \
that openssl dgst -sha256 -verify accepts with the set's public key.",
        after_long_help = "Examples:\n  $ kmi share combine --set shares/set.pem p1.pem p2.pem p4.pem --decrypt secret.bin -o secret.txt\n  \
$ kmi share combine --set shares/set.pem p1.pem p2.pem p4.pem --sign policy.txt -o policy.sig\n  \
$ kmi share combine --set shares/set.pem p1.pem p2.pem --decrypt secret.bin --factor factor.pem -o secret.txt"
    )]
    Combine(ShareCombineArgs),

    /// Blind a ciphertext or file to sign so the trustees never see it
    #[command(
        long_about = "Blind a ciphertext (--decrypt) for threshold decryption, so the trustees who \
compute partial results never see the plaintext (the escrow protocol's Omega blinding). Writes the blinded input for the trustees (-o, KMI BLINDED INPUT) and \
the blinding factor the client keeps (--factor, KMI BLINDING FACTOR, mode 0600).\n\n\
RSA: x' = x * r^e mod N for a random unit r; the trustees' partials combine to x'^d = x^d * r and \
the client multiplies by r^-1. ElGamal: alpha' = alpha^u for a random u in [1, q); the partials \
combine to (alpha^x)^u and the client raises that to u^-1 mod q. The blinded value is uniformly \
distributed whatever the input, so a trustee learns nothing from it; its proof of correctness \
still binds the partial to its share.\n\n\
The flow:\n  \
1. client:   kmi share blind --set set.pem --decrypt secret.bin -o request.pem --factor factor.pem\n  \
2. trustee:  kmi share partial --share share-i.pem --blinded request.pem -o p-i.pem  (k trustees)\n  \
3. client:   kmi share combine --set set.pem p-*.pem --decrypt secret.bin --factor factor.pem -o secret.txt\n\n\
Step 3 rebuilds the blinded value from the original input and the factor, checks every proof \
against it, combines, removes the factor and then unpads (OAEP), decrypts (ElGamal) or checks \
the signature (RSA) exactly as an unblinded combine does.\n\n\
What blinding gives away: the trustees cannot see what they raise to d, so k trustees who work \
on blinded inputs are an unrestricted x^d oracle on the set's key. On a key that signs that is \
a blind-signature oracle: anyone could obtain the key's signature on any document (the Omega \
paper's chosen-message attack, seed 002 section 3; Omega's remedy, e = e1 e2 with the client \
sending r^e1, binds what the service signs, and kmi gets the same separation from keys with one \
purpose). Blinding is therefore offered only on decrypt sets (kmi share split --purpose \
decrypt), whose key never signs: sign sets refuse kmi share blind and kmi share partial \
--blinded, and a decrypt set refuses blinded signature requests.",
        after_long_help = "Examples:\n  $ kmi share blind --set shares/set.pem --decrypt secret.bin -o request.pem --factor factor.pem"
    )]
    Blind(ShareBlindArgs),

    /// Change a set's trustees and threshold without rebuilding the key (round, deal, accept, finish)
    #[command(
        subcommand,
        long_about = "Change who holds a set's key, and the threshold, without ever rebuilding the key \
(docs/reshare.md): a round fixes the new threshold and trustees (round), any k old trustees \
sub-share their shares to the new trustees (deal), every new trustee checks every deal and takes \
its new share (accept), and the new set is computed from the public parts (finish). The public \
key stays the same; the new set has a new id, and old shares never combine with it. ElGamal sets \
are redistributed with Feldman commitments (Desmedt-Jajodia, Wong-Wang-Wing), Shoup RSA sets over \
the integers (Frankel-Gemmell-MacKenzie-Yung, Rabin).",
        after_long_help = "Examples:\n  $ kmi share reshare round --set shares/set.pem -k 2 --to t1.crt --to t2.crt --to t3.crt -o round.pem"
    )]
    Reshare(super::reshare::ReshareCommand),

    /// Make an ElGamal key no machine ever holds: distributed key generation in file rounds
    #[command(
        subcommand,
        long_about = "Distributed key generation (docs/dkg.md): n parties make an ElGamal share set \
together, in rounds of signed files, and no machine ever holds the private key, not even once \
(share split needs a dealer who does). The protocol is Gennaro-Jarecki-Krawczyk-Rabin (J. \
Cryptology 2007): Pedersen VSS dealing with a second generator h derived by hashing (round, \
deal), complaints and public answers (check, answer), the qualified set QUAL, then Feldman \
commitments of the qualified dealers to extract y (reveal, finish; disclose rebuilds a bad \
reveal). The result is an ordinary ElGamal share set.",
        after_long_help = "Examples:\n  $ kmi share dkg round --group ffdhe2048 -k 2 --to t1.crt --to t2.crt --to t3.crt -o round.pem"
    )]
    Dkg(super::dkg::DkgCommand),

    /// New shares for the same trustees and threshold: a reshare round with the old k and n
    #[command(
        long_about = "New shares for the same trustees, same k and n, same key: writes a reshare round (as kmi share reshare round) with the old set's threshold and the trustees' certificates in share order; then kmi share reshare deal, accept and finish as for any reshare. Shares that leaked before the refresh are useless with the new set.",
        after_long_help = "Examples:
  $ kmi share refresh --set shares/set.pem --to t1.crt --to t2.crt --to t3.crt -o round.pem"
    )]
    Refresh(super::reshare::ShareRefreshArgs),

    /// Re-encrypt one share to a requester (the Omega recovery flow)
    #[command(
        long_about = "Hand one share to a requester who alone will reconstruct (the Omega paper's recovery, seed 002 section 6): the share is opened (--identity or --share-passphrase-file), checked against its set, and enveloped (CMS, RSA-OAEP) to the requester's certificate or public key. The requester checks it with kmi share verify --set SET --identity REQUESTER-KEY before use, and rebuilds the key from k of them with kmi share reconstruct.",
        after_long_help = "Examples:
  $ kmi share transfer --share shares/share-2.pem --to t1.crt -o for-requester-2.pem"
    )]
    Transfer(super::reshare::ShareTransferArgs),

    /// Show what a share set or share file holds, without opening an encrypted share
    #[command(
        long_about = "Show what a share set or a share file holds: scheme, purpose, k and n, the \
set id, the share's index, the public key and its fingerprint, the verification keys (Shoup's v \
and v_i, or Feldman's commitments C_0..C_t), the label and creation time, and whether the set \
was dealt from a --seed (a test fixture). An encrypted share (CMS) is not opened: its content \
cipher and its recipients are shown, and the rest is inside the envelope (kmi share verify \
--identity opens and checks it). --json prints the same as {\"version\":1,\"ok\":true,...}.",
        after_long_help = "Examples:\n  $ kmi share inspect shares/set.pem\n  \
$ kmi share inspect shares/share-2.pem --json"
    )]
    Inspect(ShareInspectArgs),
}

#[derive(Debug, Args)]
pub struct ShareBlindArgs {
    /// The share set (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    #[command(flatten)]
    pub input: ThresholdInputArgs,

    /// Write the secret blinding factor to FILE (kept by the client, mode 0600)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub factor: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// What a threshold operation works on.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ThresholdInputArgs {
    /// Decrypt CIPHERTEXT (RSA-OAEP-SHA256 block, or KMI ELGAMAL MESSAGE)
    #[arg(long, value_name = "CIPHERTEXT", value_hint = ValueHint::FilePath)]
    pub decrypt: Option<PathBuf>,

    /// Sign FILE (RSASSA-PKCS1-v1_5 with SHA-256; RSA sets only)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub sign: Option<PathBuf>,
}

/// What a trustee's partial works on: the input itself, or a client's blinded value.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct PartialInputArgs {
    /// Decrypt CIPHERTEXT (RSA-OAEP-SHA256 block, or KMI ELGAMAL MESSAGE)
    #[arg(long, value_name = "CIPHERTEXT", value_hint = ValueHint::FilePath)]
    pub decrypt: Option<PathBuf>,

    /// Sign FILE (RSASSA-PKCS1-v1_5 with SHA-256; RSA sets only)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub sign: Option<PathBuf>,

    /// Work on a client's KMI BLINDED INPUT (from kmi share blind) without seeing what it hides
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub blinded: Option<PathBuf>,
}

impl PartialInputArgs {
    /// The unblinded input, when that is what was given.
    pub fn plain(&self) -> Option<ThresholdInputArgs> {
        self.blinded.is_none().then(|| ThresholdInputArgs {
            decrypt: self.decrypt.clone(),
            sign: self.sign.clone(),
        })
    }
}

#[derive(Debug, Args)]
pub struct SharePartialArgs {
    /// This trustee's share
    #[arg(long, value_name = "SHARE", value_hint = ValueHint::FilePath)]
    pub share: PathBuf,

    #[command(flatten)]
    pub open: ShareOpenArgs,

    #[command(flatten)]
    pub input: PartialInputArgs,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub fixture: super::SecretFixtureArgs,

    /// Print what was made (set id, share index, operation, file) as JSON on standard output; the partial goes to -o FILE
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShareCombineArgs {
    /// The share set (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// Partial results (at least k good ones)
    #[arg(value_name = "PARTIAL", required = true, value_hint = ValueHint::FilePath)]
    pub partials: Vec<PathBuf>,

    #[command(flatten)]
    pub input: ThresholdInputArgs,

    /// The partials were made on a blinded input: remove this blinding factor (from kmi share blind)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub factor: Option<PathBuf>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,

    /// Print what was made (set id, partials used, file) as JSON on standard output; the result goes to -o FILE
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShareSplitArgs {
    /// The private key to split
    #[arg(value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    /// Number of shares needed to use or rebuild the key (k)
    #[arg(long, short = 'k', value_name = "K")]
    pub threshold: u32,

    /// Number of shares to make (n, at most 255)
    #[arg(long, short = 'n', value_name = "N")]
    pub shares: u32,

    /// Write `set.pem` and `share-<i>.pem` into DIR (created if missing)
    #[arg(short, long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub output: PathBuf,

    /// Encrypt share i to the i-th trustee's certificate or RSA public key (give it n times)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with_all = ["plain", "share_passphrase_file", "share_passphrase_fd"])]
    pub to: Vec<PathBuf>,

    /// Encrypt share i under the passphrase in the i-th FILE (give n in all, with --share-passphrase-fd; env:VAR reads variable VAR)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "plain")]
    pub share_passphrase_file: Vec<PathBuf>,

    /// Encrypt a share under the passphrase read from file descriptor N (after the --share-passphrase-file ones)
    #[arg(long, value_name = "N", conflicts_with = "plain")]
    pub share_passphrase_fd: Vec<i32>,

    /// Write bare, unencrypted shares
    #[arg(long)]
    pub plain: bool,

    /// A name for the set, stored in set.pem and every share
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    /// What the set may do: decrypt, or sign; never both (default decrypt)
    #[arg(long, value_enum, default_value_t = PurposeChoice::Decrypt, value_name = "PURPOSE")]
    pub purpose: PurposeChoice,

    /// Derive the polynomial from HEX: for fixtures and tests only (the seed rebuilds every share)
    #[arg(long, value_name = "HEX")]
    pub seed: Option<String>,

    /// Allow --seed together with --to or --share-passphrase-file (a test fixture, never a real key)
    #[arg(long, requires = "seed")]
    pub insecure_fixture: bool,

    /// ElGamal: Feldman commitments, or also Pedersen commitments g^a h^b and a blinding value in every share (docs/dkg.md 8)
    #[arg(long, value_enum, default_value_t = VssChoice::Feldman, value_name = "VSS")]
    pub vss: VssChoice,

    /// Replace existing set and share files in DIR
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub time: super::TimeArgs,

    /// Print the dealing (set id, k, n, files) as JSON on standard output
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShareInspectArgs {
    /// A share set (set.pem) or a share file, plain or encrypted
    #[arg(value_name = "SHARE-OR-SET", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// How an ElGamal dealing is committed to (`share split --vss`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VssChoice {
    /// Feldman: commitments g^(a_t)
    Feldman,
    /// Pedersen: also g^(a_t) h^(b_t), every share checked against both
    Pedersen,
}

/// What a share set may do (`share split --purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PurposeChoice {
    /// Threshold decryption (and blinded decryption); the set never signs
    Decrypt,
    /// Threshold signatures (share partial --sign, ccm sign --threshold-set); never decrypts
    Sign,
}

/// How encrypted shares are opened: trustees' private keys and share passphrases.
#[derive(Debug, Args, Clone, Default)]
pub struct ShareOpenArgs {
    /// A trustee's RSA private key that opens encrypted shares (repeatable)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identity: Vec<PathBuf>,

    #[command(flatten)]
    pub identity_passphrase: IdentityPassphraseArgs,

    /// A file whose first line is a passphrase that opens encrypted shares (repeatable; env:VAR reads variable VAR)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub share_passphrase_file: Vec<PathBuf>,

    /// Read a passphrase that opens encrypted shares from file descriptor N (repeatable)
    #[arg(long, value_name = "N")]
    pub share_passphrase_fd: Vec<i32>,
}

#[derive(Debug, Args)]
pub struct ShareVerifyArgs {
    /// The share set (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// Shares to verify
    #[arg(value_name = "SHARE", value_hint = ValueHint::FilePath)]
    pub shares: Vec<PathBuf>,

    #[command(flatten)]
    pub open: ShareOpenArgs,

    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ShareReconstructArgs {
    /// The share set (set.pem)
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// Shares (at least k)
    #[arg(value_name = "SHARE", required = true, value_hint = ValueHint::FilePath)]
    pub shares: Vec<PathBuf>,

    #[command(flatten)]
    pub open: ShareOpenArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub encrypt: EncryptArgs,

    #[command(flatten)]
    pub new_passphrase: NewPassphraseArgs,
    #[command(flatten)]
    pub log: LogArgs,
}
