//! `kmi key ...`: generate, check and inspect keys, write their public keys and fingerprints
//! (the clap definitions of the group that `src/cmd/key.rs` runs).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum, ValueHint};

use super::{EncryptArgs, KeyPassphraseArgs, NewPassphraseArgs, OutputArgs};

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
RSA: N is odd, has no prime factor below 2^16, is not a perfect power and not prime \
(BPSW); e is odd with 1 < e < N. With the private key: p * q = N, p and q prime, \
e * d = 1 mod lambda(N), consistent CRT values.\n\n\
ElGamal: p and q prime, q divides p - 1, g and y in the order-q subgroup (g^q = y^q = 1 mod p). \
With the private key: 0 < x < q (checked before y) and g^x = y.\n\n\
Checks run in order and stop at the first failure, which is named on stderr; exit status 1.",
        after_long_help = "Examples:\n  $ kmi key check key.pem\n  $ kmi key check --require-safe --json key.pem"
    )]
    Check(CheckArgs),

    /// Show a key's type, sizes and public numbers
    #[command(
        after_long_help = "Examples:\n  $ kmi key inspect key.pem\n  $ kmi key inspect --json public.pem"
    )]
    Inspect(InspectArgs),

    /// Write the public key (SubjectPublicKeyInfo) of a key or of a share set
    #[command(
        long_about = "Write the public key of a key file, or of a share set (set.pem): the key its \
trustees hold in shares, as a SubjectPublicKeyInfo that kmi encrypt --to, openssl and kmi cert \
issue --public read.",
        after_long_help = "Examples:\n  $ kmi key public key.pem -o public.pem\n  $ kmi key public --der key.pem -o public.der\n  $ kmi key public shares/set.pem -o shared-public.pem"
    )]
    Public(PublicArgs),

    /// Print the SHA-256 fingerprint of a key's SubjectPublicKeyInfo, grouped for reading aloud
    #[command(
        after_long_help = "Examples:\n  $ kmi key fingerprint key.pem\n  $ kmi key fingerprint --digits 16 public.pem"
    )]
    Fingerprint(FingerprintArgs),

    /// Encrypt a plain private key, change its passphrase, or remove it
    #[command(
        long_about = "Encrypt a plain private key, change the passphrase of an encrypted one, or \
remove it (--remove writes the key plain). The key is opened with --key-passphrase-file or \
--key-passphrase-fd (or a prompt) when it is encrypted; the new passphrase comes from \
--new-passphrase-file or --new-passphrase-fd (or a prompt, asked twice). The new file is \
PKCS#8, encrypted as kmi key generate --encrypt does (PBES2, AES-256-CBC, --kdf pbkdf2 or \
scrypt), PEM unless --der, mode 0600, and readable by openssl pkey.\n\n\
With -o FILE the result goes to FILE (an existing FILE only with --force); without -o the key \
file is replaced in place, which needs --force. Either way the file is replaced atomically: \
a reader sees the old key or the new one, never a part.",
        after_long_help = "Examples:\n  $ kmi key passphrase key.pem --new-passphrase-file pass.txt -o key-encrypted.pem\n  \
$ kmi key passphrase key.pem --key-passphrase-file old.txt --new-passphrase-file new.txt --force\n  \
$ kmi key passphrase key.pem --key-passphrase-file old.txt --remove -o key-plain.pem\n  \
$ kmi key passphrase key.pem --new-passphrase-file pass.txt --kdf scrypt --force"
    )]
    Passphrase(KeyPassphraseCmdArgs),
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
$ kmi key generate rsa --bits 3072 --encrypt --new-passphrase-file pass.txt -o key.pem\n  \
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
    pub new_passphrase: NewPassphraseArgs,

    /// Print what was made (algorithm, bits, fingerprint, file) as JSON on standard output; the key goes to -o FILE
    #[arg(long)]
    pub json: bool,
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
    pub new_passphrase: NewPassphraseArgs,

    /// Print what was made (algorithm, bits, fingerprint, file) as JSON on standard output; the key goes to -o FILE
    #[arg(long)]
    pub json: bool,
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
    pub key_passphrase: KeyPassphraseArgs,
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
    pub key_passphrase: KeyPassphraseArgs,
}

#[derive(Debug, Args)]
pub struct PublicArgs {
    /// The key or share set ('-' for standard input)
    #[arg(value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
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
    pub key_passphrase: KeyPassphraseArgs,

    /// Print the fingerprint as JSON (hex digits without spaces)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct KeyPassphraseCmdArgs {
    /// The private key to encrypt, re-encrypt or decrypt
    #[arg(value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    /// Write the result to FILE ('-' for standard output) instead of replacing KEY
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// Replace an existing output file; without -o, allow replacing KEY in place
    #[arg(long)]
    pub force: bool,

    /// Write DER instead of PEM
    #[arg(long)]
    pub der: bool,

    /// Write the key unencrypted (remove its passphrase)
    #[arg(long, conflicts_with_all = ["new_passphrase_file", "new_passphrase_fd"])]
    pub remove: bool,

    /// Key derivation for the new passphrase
    #[arg(long, value_enum, default_value_t = super::KdfChoice::Pbkdf2, conflicts_with = "remove")]
    pub kdf: super::KdfChoice,

    #[command(flatten)]
    pub key_passphrase: super::KeyPassphraseArgs,

    /// Read the new passphrase from the first line of FILE
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "new_passphrase_fd")]
    pub new_passphrase_file: Option<PathBuf>,

    /// Read the new passphrase from the first line of file descriptor N
    #[arg(long, value_name = "N")]
    pub new_passphrase_fd: Option<i32>,
}
