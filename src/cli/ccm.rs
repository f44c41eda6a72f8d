//! `kmi ccm ...`: Cryptography Configuration Modules, signed policies in JARs.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum, ValueHint};

use super::{KeyPassphraseArgs, OutputFileArgs};

#[derive(Debug, Subcommand)]
pub enum CcmCommand {
    /// Print a commented starting policy
    #[command(
        long_about = "Print a commented starting policy in source form: --export (the 1999 export \
rules: 56-bit suites, 512-bit RSA key exchange, larger S/MIME keys only with key recovery) or \
--domestic (today's suites, no recovery requirement). Edit it, then kmi ccm lint and kmi ccm sign.",
        after_long_help = "Examples:\n  $ kmi ccm template --export -o ccm.txt\n  $ kmi ccm template --domestic -o ccm.txt"
    )]
    Template(CcmTemplateArgs),

    /// Write a policy in canonical form (the exact bytes that get signed)
    #[command(
        long_about = "Write a policy in canonical form: ASCII, LF line ends, no comments or blank \
lines, one key=value per line, sorted bytewise by key. kmi ccm sign canonicalises the same way, \
and kmi ccm verify rejects signed content that is not canonical. Exit 2 naming the line and key \
of the first problem.",
        after_long_help = "Examples:\n  $ kmi ccm fmt ccm-source.txt -o ccm.txt\n  $ kmi ccm fmt ccm.txt"
    )]
    Fmt(CcmFmtArgs),

    /// Report every problem in a policy (exit 1 if there is any)
    #[command(
        after_long_help = "Examples:\n  $ kmi ccm lint ccm.txt\n  $ kmi ccm lint --json ccm.txt"
    )]
    Lint(CcmLintArgs),

    /// Emit the .SF signature file a threshold signature is made over
    #[command(
        long_about = "Canonicalise the policy and write the JAR signature file (.SF) that its \
signature covers. For a threshold-signed policy, each trustee runs kmi share partial --sign on \
this file, and kmi ccm sign --threshold-set combines the partials into the JAR's one standard \
signature.",
        after_long_help = "Examples:\n  $ kmi ccm prepare ccm.txt -o ccm.sf\n  $ kmi share partial --share share-1.pem --sign ccm.sf -o p1.pem"
    )]
    Prepare(CcmPrepareArgs),

    /// Sign a policy into a JAR that jarsigner -verify -strict accepts
    #[command(
        long_about = "Canonicalise the policy and write a signed JAR: META-INF/MANIFEST.MF, \
META-INF/<SIGNER>.SF, META-INF/<SIGNER>.RSA (CMS SignedData, RSA PKCS#1 v1.5 with SHA-256, over \
the .SF, with the signer certificate) and ccm.txt. Entries carry a fixed 1980-01-01 time, so the \
same inputs give the same bytes.\n\n\
The signature comes either from one key (--key with its --cert), or from k trustees who each \
made a partial signature over the .SF from kmi ccm prepare (--threshold-set SET P...; \
--cert is then a certificate for the set's public key). No one holds the whole signing key, and \
jarsigner cannot tell the result from an ordinary signature. The certificate must allow \
digitalSignature.",
        after_long_help = "Examples:\n  $ kmi ccm sign ccm.txt --key signer.pem --cert signer.crt -o policy.jar\n  \
$ kmi ccm sign ccm.txt --threshold-set shares/set.pem p1.pem p2.pem p4.pem --cert set.crt -o policy.jar"
    )]
    Sign(CcmSignArgs),

    /// Verify a signed policy JAR against trusted certificates
    #[command(
        long_about = "Verify a policy JAR: its zip layout (one entry per name, local headers agreeing \
with the central directory, no bytes outside the entries), every digest, the signature, the signer's chain \
to a --trust certificate, each certificate's validity at --at (default: now), the signer's key \
usage, no unsigned or extra entries, canonical content. Exit 0 and print the policy, or exit 1 \
saying why.\n\n\
The chain is validated as RFC 5280 section 6 asks (path building by rustls-webpki, RSA \
signatures checked by kmi): every issuer, the trusted one included, must be a CA \
(basicConstraints cA) whose keyUsage, when present, has keyCertSign, within its \
pathLenConstraint; no certificate may carry a critical extension kmi does not process. The \
signer must be an end-entity certificate with keyUsage digitalSignature (when present); \
extendedKeyUsage, when present in the signer or any CA above it, must name codeSigning or \
anyExtendedKeyUsage. Intermediates come from the signature block (kmi ccm sign --chain). A \
self-signed signer verifies when it is itself a --trust certificate.\n\n\
--state FILE adds rollback protection: FILE records the highest ccm.version accepted for each \
ccm.id, and an older policy is refused (exit 1, naming both versions).",
        after_long_help = "Examples:\n  $ kmi ccm verify policy.jar --trust ca.crt\n  $ kmi ccm verify policy.jar --trust ca.crt --at 2027-01-01 --json"
    )]
    Verify(CcmVerifyArgs),

    /// Verify a policy JAR, then ask whether it allows an algorithm and key size
    #[command(
        long_about = "Verify the JAR as kmi ccm verify does, then answer allowed (exit 0) or \
denied (exit 1) for one use, naming the policy keys that decided it. --app ssl takes an IANA \
cipher suite name as --alg and the key-exchange key size as --bits; --app smime|capi takes an \
algorithm name (RSA, DH, ELGAMAL, ...). --key reads the size (and the algorithm, if --alg is not \
given) from a key file. A JAR that does not verify is always denied.\n\n\
An export suite limits its own key exchange whatever the policy says (RSA_EXPORT and DHE_*_EXPORT \
512 bits, *_EXPORT1024 1024 bits): the smaller limit applies, and for an RSA suite the answer \
says when a larger certificate key needs a temporary RSA key. --state FILE refuses a policy older \
than the highest ccm.version FILE accepted for its ccm.id (rollback), as kmi ccm verify does.",
        after_long_help = "Examples:\n  $ kmi ccm check policy.jar --trust ca.crt --app smime --alg RSA --bits 1024 --country FR --recovery\n  \
$ kmi ccm check policy.jar --trust ca.crt --app ssl --alg TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA --bits 1024 --country FR\n  \
$ kmi ccm check policy.jar --trust ca.crt --app capi --key key.pem --country FR --recovery"
    )]
    Check(CcmCheckArgs),

    /// Print a policy JAR's content and signer WITHOUT verifying it
    #[command(
        after_long_help = "Examples:\n  $ kmi ccm show policy.jar\n  $ kmi ccm show --json policy.jar"
    )]
    Show(CcmShowArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CcmApp {
    /// SSL/TLS cipher suites
    Ssl,
    /// S/MIME mail
    Smime,
    /// Cryptographic APIs
    Capi,
}

#[derive(Debug, Args)]
pub struct CcmTemplateArgs {
    /// The 1999 export policy (the default)
    #[arg(long, conflicts_with = "domestic")]
    pub export: bool,

    /// A domestic policy: today's suites and sizes
    #[arg(long)]
    pub domestic: bool,

    #[command(flatten)]
    pub out: OutputFileArgs,
}

#[derive(Debug, Args)]
pub struct CcmFmtArgs {
    /// The policy in source form ('-' for standard input)
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,
}

#[derive(Debug, Args)]
pub struct CcmLintArgs {
    /// The policy in source form ('-' for standard input)
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// Print the problems as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CcmPrepareArgs {
    /// The policy in source form
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,

    /// Print what was written (policy id and version, file, SHA-256) as JSON on standard output; the .SF goes to -o FILE
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CcmSignArgs {
    /// The policy in source form
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// The signer's RSA private key
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath, required_unless_present = "threshold_set")]
    pub key: Option<PathBuf>,

    #[command(flatten)]
    pub key_pass: KeyPassphraseArgs,

    /// The signer's certificate (PEM or DER; for --threshold-set, a certificate for the set's key)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub cert: PathBuf,

    /// Intermediate certificates to include in the signature block
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub chain: Vec<PathBuf>,

    /// Sign with k trustees' partial signatures over the .SF (from kmi ccm prepare) instead
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath, conflicts_with = "key")]
    pub threshold_set: Option<PathBuf>,

    /// With --threshold-set: the trustees' partial signatures (kmi share partial --sign SF)
    #[arg(value_name = "PARTIAL", value_hint = ValueHint::FilePath, requires = "threshold_set")]
    pub partials: Vec<PathBuf>,

    /// The partials as an option (kmi 0.1's spelling; kept for one release)
    #[arg(long = "partials", value_name = "PARTIAL", num_args = 1.., hide = true, requires = "threshold_set")]
    pub partials_option: Vec<PathBuf>,

    /// The signer name of the META-INF/NAME.SF and .RSA entries (A-Z, 0-9, _ and -; at most 8)
    #[arg(long, value_name = "NAME", default_value = "CCM")]
    pub signer: String,

    #[command(flatten)]
    pub out: OutputFileArgs,

    /// Print what was signed (policy id and version, signer, file, SHA-256) as JSON on standard output; the JAR goes to -o FILE
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CcmTrustArgs {
    /// A trusted certificate (repeatable; PEM files may hold several)
    #[arg(long, value_name = "CERT", required = true, value_hint = ValueHint::FilePath)]
    pub trust: Vec<PathBuf>,

    /// Check certificates and expiry as of DATE (YYYY-MM-DD, UTC) instead of now
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct CcmVerifyArgs {
    /// The policy JAR
    #[arg(value_name = "JAR", value_hint = ValueHint::FilePath)]
    pub jar: PathBuf,

    #[command(flatten)]
    pub trust: CcmTrustArgs,

    #[command(flatten)]
    pub state: CcmStateArgs,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CcmStateArgs {
    /// Rollback protection: refuse a policy whose ccm.version is older than the highest FILE
    /// recorded for its ccm.id; record the version of each policy that verifies (FILE is created
    /// if missing and rewritten atomically)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CcmCheckArgs {
    /// The policy JAR
    #[arg(value_name = "JAR", value_hint = ValueHint::FilePath)]
    pub jar: PathBuf,

    #[command(flatten)]
    pub trust: CcmTrustArgs,

    #[command(flatten)]
    pub state: CcmStateArgs,

    /// The application asking
    #[arg(long, value_enum)]
    pub app: CcmApp,

    /// Cipher suite (ssl) or algorithm (smime, capi); with --key, defaults to the key's type
    #[arg(long, value_name = "NAME", required_unless_present = "key")]
    pub alg: Option<String>,

    /// Key size in bits
    #[arg(long, value_name = "BITS", conflicts_with = "key")]
    pub bits: Option<u32>,

    /// Take the key size (and type) from a key file
    #[arg(long, value_name = "KEYFILE", value_hint = ValueHint::FilePath)]
    pub key: Option<PathBuf>,

    /// Country of use (ISO 3166 alpha-2)
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,

    /// Key recovery is in place for this use
    #[arg(long)]
    pub recovery: bool,

    /// Print the decision as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CcmShowArgs {
    /// The policy JAR
    #[arg(value_name = "JAR", value_hint = ValueHint::FilePath)]
    pub jar: PathBuf,

    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}
