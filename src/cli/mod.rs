//! The command-line definitions (clap derive). One definition feeds `--help`, the man pages in
//! `man/` and the completions in `completions/` (see `docs`). Nothing here runs a command.
//!
//! One file per command group, as in `src/cmd/`; this file holds the top-level `Cli` and
//! `Command` and the argument types that several groups flatten in. The groups' types are
//! re-exported here, so `kmi::cli::ShareSplitArgs` and the like keep working.

pub mod ccm;
pub mod cert;
pub mod cmc;
pub mod compat;
pub mod conventions;
pub mod crypt;
pub mod demo;
pub mod dkg;
pub mod docs;
pub mod key;
pub mod log;
pub mod reshare;
pub mod selftest;
pub mod share;
pub mod store;

pub use crypt::{DecryptCmdArgs, EncryptCmdArgs};
pub use demo::DemoArgs;
pub use key::{
    CheckArgs, ElGamalGenerateArgs, FingerprintArgs, GenerateCommand, GroupChoice, InspectArgs,
    KeyCommand, PublicArgs, RsaGenerateArgs, SearchArgs,
};
pub use log::{LogArgs, LogCommand, LogVerifyArgs};
pub use selftest::SelftestArgs;
pub use share::{
    PartialInputArgs, PurposeChoice, ShareBlindArgs, ShareCombineArgs, ShareCommand, ShareOpenArgs,
    SharePartialArgs, ShareReconstructArgs, ShareSplitArgs, ShareVerifyArgs, ThresholdInputArgs,
};

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
    long_about = "kmi generates and checks safe-prime RSA and ElGamal keys, splits them into \
threshold shares, builds and answers CMC key-archival messages, and signs and checks CCM \
policies. Everything is file-based and offline.\n\nPassphrases and secrets are never taken from the command \
line: kmi prompts on the terminal, or reads a file (--key-passphrase-file FILE; env:VAR reads variable \
VAR) or an inherited descriptor (--key-passphrase-fd N). Each passphrase has its own pair: \
--key-passphrase-* (the command's own key), --identity-passphrase-* (trustee and recipient keys), \
--new-passphrase-* (a key being written), --share-passphrase-* (shares), --secret-* (a secret \
shared with an escrow agent).",
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

    /// Print nothing on stderr except errors (no progress bar, no summary, no warnings)
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
    /// Generate, check and inspect keys; write their public keys and fingerprints
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

    /// Make certificate requests and certificates, also with a key held as shares
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi cert self-sign --key ca.pem --subject CN=Ceremony-CA --days 3650 --ca -o ca.crt\n  $ kmi cert issue --ca-key ca.pem --ca-cert ca.crt alice.csr -o alice.crt\n  $ kmi cert show alice.crt"
    )]
    Cert(cert::CertCommand),

    /// Write, sign, verify and query CCM policies (signed JARs)
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi ccm template --export -o ccm.txt\n  $ kmi ccm sign ccm.txt --key signer.pem --cert signer.crt -o policy.jar\n  $ kmi ccm check policy.jar --trust ca.crt --app smime --alg RSA --bits 1024 --country FR --recovery"
    )]
    Ccm(ccm::CcmCommand),

    /// Archive, recover and generate keys with an escrow agent (CMC, RFC 5272 + key archival draft)
    #[command(
        subcommand,
        after_long_help = "Examples:\n  $ kmi cmc archive-request --key enc.pem --to agent.crt --subject CN=alice --sign-key sign.pem --sign-cert sign.crt -o archive.req\n  $ kmi cmc store init escrow.db --storage-cert storage.crt\n  $ kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-cert storage.crt archive.req -o archive.rsp"
    )]
    Cmc(Box<cmc::CmcCommand>),

    /// Encrypt a small file to an RSA key (OAEP-SHA256) or any file to an ElGamal key
    #[command(
        long_about = "Encrypt to a public key. RSA: RSAES-OAEP with SHA-256 and MGF1-SHA-256, byte-compatible \
with openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt \
rsa_mgf1_md:sha256 (at most k - 66 bytes: 190 for a 2048-bit key). ElGamal: alpha = g^u, an \
AES-256-GCM key from SHA-256 over alpha and y^u, any size (PEM KMI ELGAMAL MESSAGE).\n\n\
--to also takes a share set (set.pem): the message is encrypted to the set's public key, and k \
trustees decrypt it with kmi share partial --decrypt and kmi share combine.\n\n\
--seed HEX --insecure-fixture makes the ciphertext a function of the seed (whoever knows the \
seed reads the message): for byte-reproducible test fixtures only.",
        after_long_help = "Examples:\n  $ kmi encrypt --to public.pem -i secret.txt -o secret.bin\n  $ kmi encrypt --to elgamal-public.pem -i big.tar -o big.tar.kmi\n  $ kmi encrypt --to shares/set.pem -i secret.txt -o secret.bin"
    )]
    Encrypt(EncryptCmdArgs),

    /// Decrypt what kmi encrypt (or openssl pkeyutl with OAEP-SHA256) made
    #[command(
        after_long_help = "Example:\n  $ kmi decrypt --identity key.pem -i secret.bin -o secret.txt"
    )]
    Decrypt(DecryptCmdArgs),

    /// Run a whole key-escrow ceremony in a fresh directory, narrated and self-checking
    #[command(
        long_about = "Run a whole key-escrow ceremony in a fresh directory, narrating each step: generate a \
safe-prime RSA key, split it 3-of-5 to five trustee keys (shares encrypted as CMS), verify the \
shares, encrypt a message, decrypt it with three trustees, sign with three trustees and check the \
signature with the ordinary public key, show that two shares are not enough, rebuild the key and \
compare. Exit 0 only if every step checked out.\n\n\
Each step shows the kmi commands that do the same by hand, and leaves a line in the ceremony \
log (--log FILE, by default DIR/ceremony.log; check it with kmi log verify). Once the key is \
split the dealer forgets it: its key file is removed. --bits is checked before step 1 (at \
least 752: the demo's message must fit RSA-OAEP-SHA256). --seed HEX (with --time) repeats the \
same keys, shares and files in every run, for a class; --json prints a summary \
{\"version\":1,\"ok\":true,...} on stdout and the narration on stderr.",
        after_long_help = "Examples:\n  $ kmi demo\n  $ kmi demo --dir ceremony --bits 3072\n  $ kmi demo --dir class --bits 1024 --seed 01 --time 2026-01-05T09:00:00Z --json"
    )]
    Demo(DemoArgs),

    /// Check a ceremony record
    #[command(
        subcommand,
        after_long_help = "Example:\n  $ kmi log verify ceremony.log --head 0fda3ecc90dc5ea8abd2737febe1e1b65f026c62e834ec6535a4c235c5376869"
    )]
    Log(LogCommand),

    /// Run known-answer tests of every primitive kmi relies on
    #[command(
        long_about = "Run known-answer tests of every primitive kmi relies on: SHA-1, SHA-256, \
SHA-384 and SHA-512; modular exponentiation, Miller-Rabin and the primality test; RSA PKCS#1 v1.5 \
signatures and RSA-OAEP decryption; AES (block, CBC, GCM, key wrap); PBKDF2 and scrypt; the \
ChaCha20 stream behind --seed; Shoup's threshold RSA and Feldman VSS with threshold ElGamal. \
Expected values come from the standards or from independent implementations (openssl, Python). \
Exit 1 if any test fails.",
        after_long_help = "Example:\n  $ kmi selftest\n  $ kmi selftest --json"
    )]
    Selftest(SelftestArgs),
}

/// Where a passphrase comes from, as the command layer uses it: a FILE (or `env:VAR`), an
/// inherited descriptor, or else the terminal. `flags` is the prefix of the command's own flags
/// ("--key-passphrase"), so that a hint names flags the command has. Not a clap type: each
/// meaning has its own flag group below, and `source()` turns it into this.
#[derive(Debug, Clone, Default)]
pub struct PassphraseArgs {
    pub passphrase_file: Option<PathBuf>,
    pub passphrase_fd: Option<i32>,
    pub flags: &'static str,
    /// Set by [`PassphraseArgs::shared`]: the passphrase once read, for the next key.
    pub cache: Option<PassphraseCache>,
}

impl PassphraseArgs {
    /// One passphrase for several keys (every `--identity` of a command): it is read once (a
    /// descriptor can be read only once, a prompt should not repeat) and reused.
    pub fn shared(mut self) -> Self {
        self.cache = Some(PassphraseCache::default());
        self
    }
}

/// A passphrase read once and kept (wiped on drop) for the other keys it opens. Its Debug form
/// never shows the passphrase.
#[derive(Clone, Default)]
pub struct PassphraseCache(std::rc::Rc<std::cell::OnceCell<zeroize::Zeroizing<String>>>);

impl PassphraseCache {
    /// The cached passphrase, or `read()`'s, which is then kept.
    pub fn get_or_read(
        &self,
        read: impl FnOnce() -> crate::Result<zeroize::Zeroizing<String>>,
    ) -> crate::Result<zeroize::Zeroizing<String>> {
        if let Some(value) = self.0.get() {
            return Ok(value.clone());
        }
        let value = read()?;
        // Unset a moment ago on this thread (Rc is !Send): set cannot fail; ignore it if it did.
        let _ = self.0.set(value.clone());
        Ok(value)
    }
}

impl std::fmt::Debug for PassphraseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassphraseCache(..)")
    }
}

macro_rules! passphrase_group {
    ($(#[$doc:meta])* $name:ident, $file:ident, $fd:ident, $flags:literal, $file_help:literal, $fd_help:literal) => {
        $(#[$doc])*
        #[derive(Debug, Args, Clone, Default)]
        pub struct $name {
            #[doc = $file_help]
            #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = stringify!($fd))]
            pub $file: Option<PathBuf>,

            #[doc = $fd_help]
            #[arg(long, value_name = "N")]
            pub $fd: Option<i32>,
        }

        impl $name {
            /// This group as a passphrase source for the command layer.
            pub fn source(&self) -> PassphraseArgs {
                PassphraseArgs {
                    passphrase_file: self.$file.clone(),
                    passphrase_fd: self.$fd,
                    flags: $flags,
                    cache: None,
                }
            }
        }
    };
}

passphrase_group!(
    /// The passphrase of the command's own (encrypted) input key: `--key` or its KEY argument.
    KeyPassphraseArgs, key_passphrase_file, key_passphrase_fd, "--key-passphrase",
    "Read the passphrase of the (encrypted) input key from the first line of FILE (env:VAR: from variable VAR)",
    "Read the passphrase of the (encrypted) input key from file descriptor N"
);

passphrase_group!(
    /// The passphrase of (encrypted) `--identity` keys: trustees' and recipients' private keys.
    IdentityPassphraseArgs, identity_passphrase_file, identity_passphrase_fd, "--identity-passphrase",
    "Read the passphrase of encrypted --identity keys from the first line of FILE (env:VAR: from variable VAR)",
    "Read the passphrase of encrypted --identity keys from file descriptor N"
);

passphrase_group!(
    /// The passphrase a new private key is written under.
    NewPassphraseArgs, new_passphrase_file, new_passphrase_fd, "--new-passphrase",
    "With --encrypt: read the new key's passphrase from the first line of FILE (env:VAR: from variable VAR)",
    "With --encrypt: read the new key's passphrase from file descriptor N"
);

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

/// `--time`: the time written into the output (see `kmi::clock`).
#[derive(Debug, Args, Clone, Default)]
pub struct TimeArgs {
    /// Write TIME as the time into the output (RFC 3339 such as 2026-01-02T03:04:05Z, or
    /// @UNIX_SECONDS); default $SOURCE_DATE_EPOCH, else the clock
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
}

/// `--seed` and `--time` for reproducible fixtures, where the randomness protects no secret
/// (certificate serial numbers, request nonces, the demo's throwaway keys).
#[derive(Debug, Args, Clone, Default)]
pub struct FixtureArgs {
    /// Take every random choice from HEX (ChaCha20): byte-reproducible output for fixtures and
    /// tests only
    #[arg(long, value_name = "HEX")]
    pub seed: Option<String>,

    #[command(flatten)]
    pub time: TimeArgs,
}

/// `--seed` and `--time` where the randomness protects a secret (a content-encryption key, a
/// proof nonce): whoever knows the seed learns the secret, so `--seed` needs `--insecure-fixture`.
#[derive(Debug, Args, Clone, Default)]
pub struct SecretFixtureArgs {
    /// Take every random choice from HEX (ChaCha20); anyone who knows HEX reads the protected
    /// secret, so it needs --insecure-fixture: for test fixtures only
    #[arg(long, value_name = "HEX")]
    pub seed: Option<String>,

    /// Allow --seed here (a test fixture, never a real secret)
    #[arg(long, requires = "seed")]
    pub insecure_fixture: bool,

    #[command(flatten)]
    pub time: TimeArgs,
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
