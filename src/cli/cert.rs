//! `kmi cert ...`: PKCS#10 requests and X.509 certificates, made with a whole RSA key or by the
//! trustees of a share set (the clap definitions of the group that `src/cmd/cert.rs` runs).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum, ValueHint};

use super::{KeyPassphraseArgs, LogArgs, OutputArgs, OutputFileArgs};
use crate::keys::cert::Usage;

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Write a PKCS#10 certificate request signed by the subject's RSA key
    #[command(
        long_about = "Write a PKCS#10 certificate request for KEY's public key and the subject DN, \
self-signed with SHA-256 RSA PKCS#1 v1.5 (its proof of possession), asking for the usages given \
(an extensionRequest; none when no --usage is given). openssl req -verify accepts it; kmi cert \
issue and openssl x509 -req certify it.",
        after_long_help = "Examples:\n  $ kmi cert request --key alice.pem --subject CN=Alice,O=Example --usage sign -o alice.csr\n  \
$ kmi cert request --key signer.pem --subject CN=Policy-signer --usage code-signing --der -o signer.csr"
    )]
    Request(RequestArgs),

    /// Write a self-signed certificate for an RSA key
    #[command(
        long_about = "Write a certificate for KEY signed by KEY itself: a root CA with --ca, or a \
self-signed end-entity certificate (usage sign unless --usage says otherwise).\n\n\
Every certificate kmi makes has a random 16-byte serial, subjectKeyIdentifier (SHA-1 of the key \
bits, RFC 5280 method 1) and authorityKeyIdentifier, basicConstraints and keyUsage (critical), \
and a sha256WithRSAEncryption signature. Usages: sign (digitalSignature, nonRepudiation), \
encrypt (keyEncipherment; keyAgreement for ElGamal/DH keys), code-signing (extKeyUsage \
codeSigning with digitalSignature), ca (keyCertSign, cRLSign, basicConstraints cA TRUE).",
        after_long_help = "Examples:\n  $ kmi cert self-sign --key ca.pem --subject CN=Ceremony-CA,O=Example --days 3650 --ca -o ca.crt\n  \
$ kmi cert self-sign --key signer.pem --subject CN=Signer --days 365 --usage sign,code-signing -o signer.crt"
    )]
    SelfSign(SelfSignArgs),

    /// Issue a certificate with a CA's key: from a request, or for a public key and a subject
    #[command(
        long_about = "Issue a certificate signed by the CA key (--ca-key, which must be the key of \
--ca-cert). The subject and its key come from a PKCS#10 request, whose self-signature is \
checked first, or from --public KEY with --subject DN (an ElGamal key cannot sign a request, \
so it is certified this way). --subject overrides the request's subject.\n\n\
Usages: --usage when given, else the ones the request asks for, else sign for an RSA key and \
encrypt for an ElGamal key. A CA certificate is issued only with --ca (a request that asks for \
ca is not enough).\n\n\
Refused, with nothing written: a request whose self-signature does not verify, a CA certificate \
without keyCertSign or basicConstraints cA, a CA key that is not the CA certificate's, a CA \
certificate that is not valid now or would expire before the new certificate.",
        after_long_help = "Examples:\n  $ kmi cert issue --ca-key ca.pem --ca-cert ca.crt alice.csr --days 365 -o alice.crt\n  \
$ kmi cert issue --ca-key ca.pem --ca-cert ca.crt --public escrow-public.pem --subject CN=Escrow --usage encrypt -o escrow.crt\n  \
$ kmi cert issue --ca-key ca.pem --ca-cert ca.crt sub.csr --ca --path-len 0 -o sub.crt"
    )]
    Issue(IssueArgs),

    /// Write the to-be-signed DER of a request or certificate whose key is held as shares
    #[command(
        subcommand,
        long_about = "Write the bytes k trustees sign when the signing key exists only as shares \
(a sign set from kmi share split --purpose sign): the to-be-signed certificate \
(self-sign, issue) or certification request info (request), as DER. Each trustee signs it with \
kmi share partial --sign TBS.der, which is a SHA-256 RSA PKCS#1 v1.5 signature over exactly \
these bytes, and kmi cert finish turns k partials into the certificate or request.\n\n\
The flow:\n  \
1. kmi cert prepare self-sign --set set.pem --subject CN=Shared-CA --days 3650 --ca -o root.tbs\n  \
2. kmi share partial --share share-i.pem --sign root.tbs -o p-i.pem   (k trustees)\n  \
3. kmi cert finish --set set.pem --tbs root.tbs p-1.pem p-2.pem p-4.pem -o root.crt\n\n\
A trustee can read what it signs with kmi cert show root.tbs.",
        after_long_help = "Examples:\n  $ kmi cert prepare self-sign --set shares/set.pem --subject CN=Shared-CA --days 3650 --ca -o root.tbs\n  \
$ kmi cert prepare issue --set shares/set.pem --ca-cert root.crt alice.csr --days 365 -o alice.tbs\n  \
$ kmi cert prepare request --set shares/set.pem --subject CN=Shared -o shared.tbs"
    )]
    Prepare(PrepareCommand),

    /// Combine k trustees' partial signatures on a prepared TBS into the certificate or request
    #[command(
        long_about = "Check every partial signature's proof against the set and TBS.der (bad ones are \
named and skipped), combine k good ones into the SHA-256 RSA PKCS#1 v1.5 signature, check it \
with the set's public key and write the certificate (or request, when TBS.der came from kmi cert \
prepare request). The result is the certificate the whole key would have signed: openssl verify \
and jarsigner accept it.",
        after_long_help = "Examples:\n  $ kmi cert finish --set shares/set.pem --tbs root.tbs p1.pem p2.pem p4.pem -o root.crt\n  \
$ kmi cert finish --set shares/set.pem --tbs alice.tbs p1.pem p2.pem p4.pem --der -o alice.der"
    )]
    Finish(FinishArgs),

    /// Show a certificate, request or to-be-signed certificate: names, validity, usages, fingerprints
    #[command(
        long_about = "Show what a certificate (PEM or DER), a PKCS#10 request or a to-be-signed \
certificate from kmi cert prepare says: subject, issuer, serial, validity, the key and its \
kmi fingerprint (SHA-256 of the SubjectPublicKeyInfo, as kmi key fingerprint), the usages by \
kmi's names and the extensions behind them, and the SHA-256 and SHA-1 fingerprints of the \
certificate (as openssl x509 -fingerprint). Only the first certificate of a PEM file is shown.",
        after_long_help = "Examples:\n  $ kmi cert show ca.crt\n  $ kmi cert show --json alice.csr\n  $ kmi cert show root.tbs"
    )]
    Show(ShowArgs),
}

/// A usage name (what the certified key may do).
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum UsageChoice {
    /// digitalSignature, nonRepudiation
    Sign,
    /// keyEncipherment (RSA) or keyAgreement (ElGamal/DH)
    Encrypt,
    /// extKeyUsage codeSigning (with digitalSignature)
    CodeSigning,
    /// keyCertSign, cRLSign, basicConstraints cA TRUE
    Ca,
}

impl From<UsageChoice> for Usage {
    fn from(u: UsageChoice) -> Usage {
        match u {
            UsageChoice::Sign => Usage::Sign,
            UsageChoice::Encrypt => Usage::Encrypt,
            UsageChoice::CodeSigning => Usage::CodeSigning,
            UsageChoice::Ca => Usage::Ca,
        }
    }
}

/// The subject's DN and usages of a request.
#[derive(Debug, Args)]
pub struct RequestNameArgs {
    /// The subject, an RFC 4514 DN (e.g. CN=Alice,O=Example)
    #[arg(long, value_name = "DN")]
    pub subject: String,

    /// What the key may be used for (repeat, or separate with commas)
    #[arg(long, value_name = "USAGE", value_enum, value_delimiter = ',')]
    pub usage: Vec<UsageChoice>,
}

/// Validity and usages of a certificate.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Days the certificate is valid from now (1 to 36500)
    #[arg(long, value_name = "N", default_value_t = 365)]
    pub days: u32,

    /// Make a CA certificate (usage ca: keyCertSign, cRLSign, basicConstraints cA TRUE)
    #[arg(long)]
    pub ca: bool,

    /// The CA's pathLenConstraint: how many CA certificates may follow it in a chain
    #[arg(long, value_name = "N")]
    pub path_len: Option<u8>,

    /// What the key may be used for (repeat, or separate with commas)
    #[arg(long, value_name = "USAGE", value_enum, value_delimiter = ',')]
    pub usage: Vec<UsageChoice>,
}

/// Who a certificate is for: a request, or a public key and a subject.
#[derive(Debug, Args)]
pub struct SubjectSourceArgs {
    /// The PKCS#10 request (PEM or DER; its self-signature is checked)
    #[arg(value_name = "REQUEST", value_hint = ValueHint::FilePath, required_unless_present = "public", conflicts_with = "public")]
    pub request: Option<PathBuf>,

    /// Certify this public key (any key file kmi reads: SPKI, PKCS#8, ElGamal) instead of a request
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath, requires = "subject")]
    pub public: Option<PathBuf>,

    /// The subject DN (RFC 4514); with a request, replaces the request's subject
    #[arg(long, value_name = "DN")]
    pub subject: Option<String>,
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The subject's RSA private key
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,
    #[command(flatten)]
    pub key_pass: KeyPassphraseArgs,
    #[command(flatten)]
    pub name: RequestNameArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct SelfSignArgs {
    /// The RSA private key that is certified and signs
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,
    #[command(flatten)]
    pub key_pass: KeyPassphraseArgs,

    /// The subject (and issuer), an RFC 4514 DN (e.g. CN=Root,O=Example)
    #[arg(long, value_name = "DN")]
    pub subject: String,

    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub fixture: super::FixtureArgs,
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The CA's RSA private key
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub ca_key: PathBuf,
    #[command(flatten)]
    pub key_pass: KeyPassphraseArgs,

    /// The CA's certificate (it must allow keyCertSign and be a CA)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub ca_cert: PathBuf,

    #[command(flatten)]
    pub subject: SubjectSourceArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub fixture: super::FixtureArgs,
}

#[derive(Debug, Subcommand)]
pub enum PrepareCommand {
    /// The request info a set's key signs: a PKCS#10 request for the set's public key
    #[command(
        after_long_help = "Example:\n  $ kmi cert prepare request --set shares/set.pem --subject CN=Shared --usage sign -o shared.tbs"
    )]
    Request(PrepareRequestArgs),

    /// The to-be-signed certificate of a set's public key, self-signed by the set
    #[command(
        after_long_help = "Example:\n  $ kmi cert prepare self-sign --set shares/set.pem --subject CN=Shared-CA --days 3650 --ca -o root.tbs"
    )]
    SelfSign(PrepareSelfSignArgs),

    /// The to-be-signed certificate a set's key issues as a CA (its certificate is --ca-cert)
    #[command(
        after_long_help = "Examples:\n  $ kmi cert prepare issue --set shares/set.pem --ca-cert root.crt alice.csr -o alice.tbs\n  \
$ kmi cert prepare issue --set shares/set.pem --ca-cert root.crt --public escrow.pem --subject CN=Escrow --usage encrypt -o escrow.tbs"
    )]
    Issue(PrepareIssueArgs),
}

#[derive(Debug, Args)]
pub struct PrepareRequestArgs {
    /// The share set (set.pem) whose public key is requested and whose trustees sign
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,
    #[command(flatten)]
    pub name: RequestNameArgs,
    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct PrepareSelfSignArgs {
    /// The share set (set.pem) whose public key is certified and whose trustees sign
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// The subject (and issuer), an RFC 4514 DN
    #[arg(long, value_name = "DN")]
    pub subject: String,

    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub fixture: super::FixtureArgs,
}

#[derive(Debug, Args)]
pub struct PrepareIssueArgs {
    /// The share set (set.pem) holding the CA's key
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// The CA's certificate, for the set's public key
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub ca_cert: PathBuf,

    #[command(flatten)]
    pub subject: SubjectSourceArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub fixture: super::FixtureArgs,
}

#[derive(Debug, Args)]
pub struct FinishArgs {
    /// The share set (set.pem) whose trustees signed
    #[arg(long, value_name = "SET", value_hint = ValueHint::FilePath)]
    pub set: PathBuf,

    /// The to-be-signed DER from kmi cert prepare
    #[arg(long, value_name = "TBS", value_hint = ValueHint::FilePath)]
    pub tbs: PathBuf,

    /// Partial signatures on TBS (kmi share partial --sign TBS; at least k good ones)
    #[arg(value_name = "PARTIAL", required = true, value_hint = ValueHint::FilePath)]
    pub partials: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The certificate, request or TBS ('-' for standard input)
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,

    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}
