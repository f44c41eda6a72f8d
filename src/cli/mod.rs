//! The command-line definitions (clap derive). One definition feeds `--help`, the man pages in
//! `man/` and the completions in `completions/` (see `docs`). Nothing here runs a command.

pub mod ccm;
pub mod cmc;
pub mod docs;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

/// Offline key operations for key ceremonies
#[derive(Debug, Parser)]
#[command(
    name = "kmi",
    version,
    long_version = concat!(
        env!("CARGO_PKG_VERSION"),
        "\ncommit ",
        env!("KMI_GIT_COMMIT"),
        "\nCargo.lock sha256 ",
        env!("KMI_LOCK_SHA256")
    ),
    propagate_version = true,
    max_term_width = 100,
    long_about = "kmi generates and checks safe-prime RSA and ElGamal keys, and (in later releases) \
splits them into threshold shares, builds CMC key-archival messages and signs CCM policies. \
Everything is file-based and offline.\n\nPassphrases are never taken from the command line: kmi \
prompts on the terminal, or reads --passphrase-file FILE or --passphrase-fd N.",
    after_long_help = concat!(
        "Examples:\n  $ kmi key generate rsa -o key.pem\n  $ kmi key check key.pem\n  $ kmi selftest\n\n",
        "Exit status:\n",
        "  0  success\n",
        "  1  a check said no (a key check failed, a share or signature is bad)\n",
        "  2  bad usage, or input that is unreadable or malformed\n",
        "  3  a failure while producing output"
    ),
)]
pub struct Cli {
    /// Never prompt; fail when a passphrase is needed and no file or descriptor is given
    #[arg(long, global = true)]
    pub batch: bool,

    /// Print nothing on stderr except errors (no progress bar, no summary)
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Read encrypted keys whose KDF is slower than kmi's limits (PBKDF2 over 10,000,000
    /// iterations, scrypt over 32 MiB); only for key files you trust
    #[arg(long, global = true)]
    pub allow_slow_kdf: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate, check, inspect and convert keys
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi key generate rsa -o key.pem\n  $ kmi key check --require-safe key.pem"
    )]
    Key(KeyCommand),

    /// Split a key into threshold shares, verify them, use them, rebuild the key
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi share split key.pem --threshold 3 --shares 5 --plain -o shares\n  $ kmi share verify --set shares/set.pem shares/share-1.pem shares/share-2.pem"
    )]
    Share(ShareCommand),

    /// Write, sign, verify and query CCM policies (signed JARs)
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi ccm template --export -o ccm.txt\n  $ kmi ccm sign ccm.txt --key signer.pem --cert signer.crt -o policy.jar\n  $ kmi ccm check policy.jar --trust ca.crt --app smime --alg RSA --bits 1024 --country FR"
    )]
    Ccm(ccm::CcmCommand),

    /// Archive, recover and generate keys with an escrow agent (CMC, RFC 5272 + key archival draft)
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi cmc archive-request --key enc.pem --agent agent.crt --subject CN=alice -o archive.req\n  $ kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow archive.req -o archive.rsp"
    )]
    Cmc(cmc::CmcCommand),

    /// Encrypt a small file to an RSA key (OAEP-SHA256) or any file to an ElGamal key
    #[command(
        long_about = "Encrypt to a public key. RSA: RSAES-OAEP with SHA-256 and MGF1-SHA-256, byte-compatible \
with openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt \
rsa_mgf1_md:sha256 (at most k - 66 bytes: 190 for a 2048-bit key). ElGamal: alpha = g^u, an \
AES-256-GCM key from SHA-256 over alpha and y^u, any size (PEM KMI ELGAMAL MESSAGE).",
        after_long_help = "Examples:\n  $ kmi encrypt --to public.pem -i secret.txt -o secret.bin\n  $ kmi encrypt --to elgamal-public.pem -i big.tar -o big.tar.kmi"
    )]
    Encrypt(EncryptCmdArgs),

    /// Decrypt what kmi encrypt (or openssl pkeyutl with OAEP-SHA256) made
    #[command(
        after_long_help = "Example:\n  $ kmi decrypt --key key.pem -i secret.bin -o secret.txt"
    )]
    Decrypt(DecryptCmdArgs),

    /// Run a whole key-escrow ceremony in a fresh directory, narrated and self-checking
    #[command(
        long_about = "Run a whole key-escrow ceremony in a fresh directory, narrating each step: generate a \
safe-prime RSA key, split it 3-of-5 to five trustee keys (shares encrypted as CMS), verify the \
shares, encrypt a message, decrypt it with three trustees, sign with three trustees and check the \
signature with the ordinary public key, show that two shares are not enough, rebuild the key and \
compare. Exit 0 only if every step checked out.",
        after_long_help = "Examples:\n  $ kmi demo\n  $ kmi demo --dir ceremony --bits 3072"
    )]
    Demo(DemoArgs),

    /// Check a ceremony record
    #[command(
        subcommand,
        after_long_help = "Example:\n  $ kmi log verify ceremony.log --head 3f1a..."
    )]
    Log(LogCommand),

    /// Run known-answer tests of every primitive kmi relies on
    #[command(after_long_help = "Example:\n  $ kmi selftest\n  $ kmi selftest --json")]
    Selftest(SelftestArgs),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a new private key
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi key generate rsa --bits 3072 -o key.pem\n  $ kmi key generate elgamal --group ffdhe2048 -o elgamal.pem"
    )]
    Generate(GenerateCommand),

    /// Check a key the way a key registry would before accepting it
    #[command(
        long_about = "Check a key the way a key registry would before accepting it.\n\n\
RSA: N is odd, has no prime factor below 2^16, is not a perfect power and not a prime power \
(2^(N(N-1)) != 1 mod N); e is odd with 1 < e < N. With the private key: p * q = N, p and q prime, \
e * d = 1 mod lambda(N), consistent CRT values.\n\n\
ElGamal: p and q prime, q divides p - 1, g and y in the order-q subgroup (g^q = y^q = 1 mod p). \
With the private key: 0 < x < q and g^x = y.\n\n\
Checks run in order and stop at the first failure, which is named on stderr; exit status 1.",
        after_long_help = "Examples:\n  $ kmi key check key.pem\n  $ kmi key check --require-safe --json key.pem"
    )]
    Check(CheckArgs),

    /// Show a key's type, sizes and public numbers
    #[command(
        after_long_help = "Examples:\n  $ kmi key inspect key.pem\n  $ kmi key inspect --json public.pem"
    )]
    Inspect(InspectArgs),

    /// Write the public key (SubjectPublicKeyInfo) of a key
    #[command(
        after_long_help = "Examples:\n  $ kmi key public key.pem -o public.pem\n  $ kmi key public --der key.pem -o public.der"
    )]
    Public(PublicArgs),

    /// Print the SHA-256 fingerprint of a key's SubjectPublicKeyInfo, grouped for reading aloud
    #[command(
        after_long_help = "Examples:\n  $ kmi key fingerprint key.pem\n  $ kmi key fingerprint --digits 16 public.pem"
    )]
    Fingerprint(FingerprintArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run in DIR (must be new or empty; default: a new directory under the system temp dir)
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,

    /// Size of the escrowed RSA key
    #[arg(long, default_value_t = 2048, value_name = "BITS")]
    pub bits: usize,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check that a ceremony record is an unbroken chain (and ends at HEAD)
    #[command(
        long_about = "Check that a ceremony record (written by --log on the share commands) is an \
unbroken chain: every line carries the SHA-256 of the line before it, so an edited, deleted or \
reordered line is found. With --head, the hash written on paper during the ceremony, a cut or \
rewritten tail is found too. Exit 1 naming the first broken line.",
        after_long_help = "Examples:\n  $ kmi log verify ceremony.log\n  $ kmi log verify ceremony.log --head 5d41402abc4b2a76b9719d911017c592ae1f6e8cbd0f2a7e1d3c7c14c46b8a90"
    )]
    Verify(LogVerifyArgs),
}

#[derive(Debug, Args)]
pub struct LogVerifyArgs {
    /// The ceremony record
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// The head hash from the paper record: the record must end there
    #[arg(long, value_name = "HEX")]
    pub head: Option<String>,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// The ceremony record option of the share commands.
#[derive(Debug, Args, Clone, Default)]
pub struct LogArgs {
    /// Append a line about this operation (inputs, outputs, outcome) to the ceremony record FILE
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub log: Option<PathBuf>,
}

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
--passphrase-file FILE (PBKDF2-HMAC-SHA256 and the RFC 3211 key wrap), given once per share, in \
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
randomness never comes from the seed, and --seed with --to or --passphrase-file is refused \
unless --insecure-fixture is given.",
        after_long_help = "Examples:\n  $ kmi share split key.pem -k 3 -n 5 --to t1.pem --to t2.pem --to t3.pem --to t4.pem --to t5.pem -o shares\n  \
$ kmi share split elgamal.pem -k 2 -n 3 --passphrase-file p1 --passphrase-file p2 --passphrase-file p3 -o shares\n  \
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
$ kmi share reconstruct --set shares/set.pem --identity t1.pem --identity t3.pem --passphrase-file p5 shares/share-1.pem shares/share-3.pem shares/share-5.pem -o key.pem"
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
$ kmi share combine --set shares/set.pem p1.pem p2.pem --decrypt secret.bin --blind factor.pem -o secret.txt"
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
3. client:   kmi share combine --set set.pem p-*.pem --decrypt secret.bin --blind factor.pem -o secret.txt\n\n\
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

#[derive(Debug, Args)]
pub struct EncryptCmdArgs {
    /// The recipient's public (or private) key
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub to: PathBuf,

    /// Read the plaintext from FILE ('-' for standard input)
    #[arg(short, long, value_name = "FILE", default_value = "-", value_hint = ValueHint::FilePath)]
    pub input: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,
}

#[derive(Debug, Args)]
pub struct DecryptCmdArgs {
    /// The private key
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    /// Read the ciphertext from FILE ('-' for standard input)
    #[arg(short, long, value_name = "FILE", default_value = "-", value_hint = ValueHint::FilePath)]
    pub input: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,
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
    #[arg(long, value_name = "FACTOR", value_hint = ValueHint::FilePath)]
    pub blind: Option<PathBuf>,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
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
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with_all = ["plain", "passphrase_file"])]
    pub to: Vec<PathBuf>,

    /// Encrypt share i under the passphrase in the i-th FILE (give it n times)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "plain")]
    pub passphrase_file: Vec<PathBuf>,

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

    /// Allow --seed together with --to or --passphrase-file (a test fixture, never a real key)
    #[arg(long, requires = "seed")]
    pub insecure_fixture: bool,

    /// Replace existing set and share files in DIR
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// What a share set may do (`share split --purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PurposeChoice {
    /// Threshold decryption (and blinded decryption); the set never signs
    Decrypt,
    /// Threshold signatures (share partial --sign, ccm sign --threshold-set); never decrypts
    Sign,
}

/// How encrypted shares are opened: trustees' private keys and passphrase files.
#[derive(Debug, Args, Clone, Default)]
pub struct ShareOpenArgs {
    /// A trustee's RSA private key that opens encrypted shares (repeatable)
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub identity: Vec<PathBuf>,

    /// A file whose first line is a passphrase that opens encrypted shares (repeatable)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub passphrase_file: Vec<PathBuf>,
}

/// Where the passphrase of an encrypted input key comes from.
#[derive(Debug, Args, Clone)]
pub struct KeyPassphraseArgs {
    /// Read the passphrase of the (encrypted) input key from the first line of FILE
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "key_passphrase_fd")]
    pub key_passphrase_file: Option<PathBuf>,

    /// Read the passphrase of the (encrypted) input key from file descriptor N
    #[arg(long, value_name = "N")]
    pub key_passphrase_fd: Option<i32>,
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

    /// With --encrypt: read the new key's passphrase from the first line of FILE
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, requires = "encrypt")]
    pub new_passphrase_file: Option<PathBuf>,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Generate an RSA key whose primes are safe primes (p = 2p'+1, q = 2q'+1)
    #[command(
        long_about = "Generate an RSA key whose primes are safe primes: p = 2p'+1 and q = 2q'+1 with \
p, q, p' and q' all prime, and N of exactly --bits bits. Threshold RSA (kmi share split) needs \
such a key. --no-safe makes an ordinary RSA key instead.\n\n\
The private key is written as PKCS#8 (PEM unless --der), encrypted with --encrypt. A progress \
bar shows candidates tested while stderr is a terminal.",
        after_long_help = "Examples:\n  $ kmi key generate rsa -o key.pem\n  \
$ kmi key generate rsa --bits 3072 --encrypt --passphrase-file pass.txt -o key.pem\n  \
$ kmi key generate rsa --bits 512 --seed 01 -o fixture.pem"
    )]
    Rsa(RsaGenerateArgs),

    /// Generate an ElGamal key (X9.42 DH key with p, q, g; g of prime order q)
    #[command(
        long_about = "Generate an ElGamal key: a group (p, q, g) with g of prime order q, a private x in \
[1, q) and y = g^x mod p, written as an X9.42 DH key (dhpublicnumber) that openssl reads.\n\n\
By default p is a fresh safe prime (p = 2q + 1, g = 4). --q-bits N makes a DSA-style group \
(q of N bits, p = 2hq + 1). --group uses a named RFC 7919 group with no search.",
        after_long_help = "Examples:\n  $ kmi key generate elgamal -o elgamal.pem\n  \
$ kmi key generate elgamal --group ffdhe3072 -o elgamal.pem\n  \
$ kmi key generate elgamal --bits 2048 --q-bits 256 -o dsa-style.pem"
    )]
    Elgamal(ElGamalGenerateArgs),
}

/// Where output goes: one file ('-' for standard output), replaced only with --force.
#[derive(Debug, Args)]
pub struct OutputFileArgs {
    /// Write to FILE ('-' for standard output)
    #[arg(short, long, value_name = "FILE", default_value = "-", value_hint = ValueHint::FilePath)]
    pub output: PathBuf,

    /// Overwrite FILE if it exists
    #[arg(long)]
    pub force: bool,
}

impl OutputFileArgs {
    /// The output as the I/O layer writes it; `secret` outputs are created 0600.
    pub fn spec(&self, secret: bool) -> crate::io::OutputSpec {
        crate::io::OutputSpec::new(&self.output, self.force, secret)
    }
}

/// Where a key or certificate goes, and in which encoding.
#[derive(Debug, Args)]
pub struct OutputArgs {
    #[command(flatten)]
    pub file: OutputFileArgs,

    /// Write DER instead of PEM
    #[arg(long)]
    pub der: bool,
}

/// Where a passphrase comes from when a key is encrypted (never from the command line).
#[derive(Debug, Args, Clone, Default)]
pub struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "passphrase_fd")]
    pub passphrase_file: Option<PathBuf>,

    /// Read the passphrase from the first line of file descriptor N
    #[arg(long, value_name = "N")]
    pub passphrase_fd: Option<i32>,
}

/// Options of the prime search.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Derive every random value from HEX: a predictable key for fixtures and tests only
    #[arg(long, value_name = "HEX")]
    pub seed: Option<String>,

    /// Search with N threads (default: one per core); the result does not depend on N
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

/// Options for writing an encrypted private key.
#[derive(Debug, Args)]
pub struct EncryptArgs {
    /// Encrypt the private key (PKCS#8 PBES2, AES-256-CBC) under a passphrase
    #[arg(long)]
    pub encrypt: bool,

    /// Key derivation for --encrypt
    #[arg(long, value_enum, default_value_t = KdfChoice::Pbkdf2, requires = "encrypt")]
    pub kdf: KdfChoice,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KdfChoice {
    /// PBKDF2-HMAC-SHA256, 600000 iterations
    Pbkdf2,
    /// scrypt N=2^14 r=8 p=1 (openssl's own default)
    Scrypt,
}

#[derive(Debug, Args)]
pub struct RsaGenerateArgs {
    /// Size of the modulus N in bits
    #[arg(long, default_value_t = 2048, value_name = "BITS")]
    pub bits: usize,

    /// Make an ordinary RSA key (primes that are not safe primes)
    #[arg(long)]
    pub no_safe: bool,

    /// Public exponent (decimal or 0x-hex; odd, at least 3)
    #[arg(long = "e", default_value = "65537", value_name = "E")]
    pub e: String,

    #[command(flatten)]
    pub search: SearchArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub encrypt: EncryptArgs,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GroupChoice {
    Ffdhe2048,
    Ffdhe3072,
    Ffdhe4096,
    Ffdhe6144,
    Ffdhe8192,
}

#[derive(Debug, Args)]
pub struct ElGamalGenerateArgs {
    /// Size of p in bits [default: 2048]
    #[arg(long, value_name = "BITS", conflicts_with = "group")]
    pub bits: Option<usize>,

    /// Use a named RFC 7919 group instead of searching for one
    #[arg(long, value_enum)]
    pub group: Option<GroupChoice>,

    /// Make a DSA-style group: q of N bits and p = 2hq + 1
    #[arg(long, value_name = "N", conflicts_with = "group")]
    pub q_bits: Option<usize>,

    #[command(flatten)]
    pub search: SearchArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub encrypt: EncryptArgs,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The key to check (public or private; '-' for standard input)
    #[arg(value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    /// Also require safe-prime structure (RSA: p, q, (p-1)/2, (q-1)/2 prime; ElGamal: p = 2q + 1)
    #[arg(long)]
    pub require_safe: bool,

    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The key to inspect (public or private; '-' for standard input)
    #[arg(value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct PublicArgs {
    /// The key ('-' for standard input)
    #[arg(value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// The key ('-' for standard input)
    #[arg(value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    /// How many hex digits of the SHA-256 to print
    #[arg(long, default_value = "64", value_parser = ["16", "32", "64"])]
    pub digits: String,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// Every "$ kmi ..." example in every long help parses as a valid command line.
    #[test]
    fn help_examples_parse() {
        let mut count = 0;
        for (_, cmd) in docs::all_commands() {
            let help = cmd
                .get_after_long_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            for line in help.lines().filter_map(|l| l.trim().strip_prefix("$ ")) {
                let args: Vec<&str> = line.split_whitespace().collect();
                Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("example '{line}': {e}"));
                count += 1;
            }
        }
        assert!(count >= 10, "only {count} examples found");
    }

    #[test]
    fn every_command_has_an_example() {
        for (name, cmd) in docs::all_commands() {
            let help = cmd
                .get_after_long_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains("$ kmi"),
                "{name} has no example in its long help"
            );
        }
    }
}
