//! `kmi cmc ...`: CMC key archival (RFC 5272/6402 with the key archival draft) between a client
//! and kmi's escrow agent.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum, ValueHint};

use super::{KeyPassphraseArgs, OutputFileArgs};

#[derive(Debug, Subcommand)]
pub enum CmcCommand {
    /// Build a signed request that archives an encryption key with an escrow agent
    #[command(
        long_about = "Build a Full PKI Request (SignedData over PKIData) that archives KEY with the escrow \
agent: a certification request for KEY's public key (PKCS#10 for RSA; a CRMF template for ElGamal, \
which cannot sign), a KeyArchival control pointing at it, an id-cmc-identification control, and \
KEY itself encrypted to the agent's certificate, --to (id-ct-encKeyWithID, RSA-OAEP key transport). The envelope is \
AuthEnvelopedData with AES-256-GCM (RFC 5083/5084), which openssl cms 3.0 and Bouncy Castle \
read: a changed envelope fails its authentication tag before anything is decrypted, where \
AES-CBC, which has no integrity, would let whoever changes it probe the agent. --cbc writes the \
draft's EnvelopedData with AES-256-CBC instead, for agents that cannot read AuthEnvelopedData. \
--placement unsigned (the default, which the draft requires every agent to support) puts the key \
in the id-aa-cmc-unsignedData attribute, bound to the signed control (outside the signature, \
which is why the envelope itself must resist changes); --placement body puts it in the signed \
cmsSequence.\n\n\
The request is signed by --sign-key (with --sign-cert, or named by key identifier, which the \
agent can check only with a key it knows from an earlier request). Signing with KEY itself \
(RSA) is possible with --sign-with-archived-key, but not the default: an escrowed key is an \
encryption key, and a key that signs its own requests is a signing key too. Recovering the key \
later needs a request signed by the same key, unless the agent allows any signer.\n\n\
A client without any signing key authenticates the request with the secret it shares with \
the agent instead (--secret-file, the archive draft's section 4.3 step 3): the PKIData \
goes in CMS AuthenticatedData (HMAC-SHA256 under a key that a password recipient derived from \
the secret carries: PBKDF2-HMAC-SHA256 and AES key wrap) with an id-cmc-identityProofV2 \
control (RFC 5272 section 6.2.2) for --owner, and the key in the authenticated body. The \
agent files the key under that identity, and a request that proves the same identity recovers \
it. The secret is at least 16 octets, written in hex on the first line of the file.\n\n\
Signature keys are never escrowed: a key declared --key-usage signature or both is refused \
unless --force-signing-key (and the agent refuses it unless run with --accept-signing-keys). \
KEY passes the registration checks of kmi key check before anything is built.\n\n\
--cert CERT archives the key of an already issued certificate (the draft's archival by \
certificateID): no certification request is sent; the KeyArchival control names CERT by \
issuerAndSerialNumber, CERT travels in the request's certificates, KEY must be its key, CERT's \
keyUsage decides whether the key may be escrowed, and the agent files the key under CERT's \
issuerAndSerialNumber, which recovery returns as the key's certificateId. The identity defaults \
to CERT's subject CN.",
        after_long_help = "Examples:\n  $ kmi cmc archive-request --key enc.pem --to agent.crt --subject CN=alice --sign-key sign.pem --sign-cert sign.crt -o archive.req\n  \
$ kmi cmc archive-request --key enc.pem --to agent.crt --owner alice --placement body --selection laptop-2024 --sign-key sign.pem --sign-cert sign.crt -o archive.req\n  \
$ kmi cmc archive-request --key enc.pem --cert enc.crt --to agent.crt --sign-key sign.pem --sign-cert sign.crt -o archive.req\n  \
$ kmi cmc archive-request --key enc.pem --to agent.crt --owner alice --secret-file alice.hex -o archive.req"
    )]
    ArchiveRequest(ArchiveRequestArgs),

    /// Build a signed request for the archived keys of an identity
    #[command(
        long_about = "Build a Full PKI Request with a KeyRecoveryReq control: the agent returns every key \
archived under --owner (narrowed by --selection) as EnvelopedData for --to (a \
certificate or RSA public key: key transport) or under the secret shared with the agent, named \
by --shroud-secret (password recipient). Signed by --sign-key, which must be the key that signed \
the archive request unless the agent allows any signer.\n\n\
Without a signing key, --secret-file authenticates the request instead (AuthenticatedData \
with identityProofV2, as for archive-request): it recovers the keys archived by a request that \
proved the same --owner. After the loss of every key (the archive draft's section 5.3), \
--new-sign-key KEY adds a PKCS#10 for a new RSA signing key (--subject, default CN=<owner>) \
and signs the request with it, the signer named by an empty issuer and the request's \
bodyPartID; the identity is proved by identityProofV2 under --secret-file. The agent \
returns the keys and, when it has a CA, a certificate for the new key (else its status says \
that none was issued).",
        after_long_help = "Examples:\n  $ kmi cmc recovery-request --owner alice --to new.pub --sign-key sign.pem --sign-cert sign.crt -o recover.req\n  \
$ kmi cmc recovery-request --owner alice --shroud-secret alice-2024 --selection laptop-2024 --sign-key sign.pem -o recover.req\n  \
$ kmi cmc recovery-request --owner alice --to new.pub --secret-file alice.hex -o recover.req\n  \
$ kmi cmc recovery-request --owner alice --to new.pub --new-sign-key new.pem --secret-file alice.hex -o recover.req"
    )]
    RecoveryRequest(RecoveryRequestArgs),

    /// Build a signed request for a key the agent generates (and may archive)
    #[command(
        long_about = "Build a Full PKI Request with a ServerKeyGenRequest control: the agent generates a \
safe-prime RSA key of --bits bits or an ElGamal key (an RFC 7919 group for 2048..8192 bits, \
otherwise a fresh safe-prime group that this command makes), returns it shrouded as asked and, \
with --archive, keeps it in its store. Without a signing key, --secret-file \
authenticates the request with the secret shared with the agent (AuthenticatedData with \
identityProofV2, as for archive-request).",
        after_long_help = "Examples:\n  $ kmi cmc keygen-request --subject CN=alice --to alice.pub --archive --sign-key sign.pem -o keygen.req\n  \
$ kmi cmc keygen-request --subject CN=bob --shroud-secret bob-2024 --algorithm elgamal --bits 2048 --sign-key sign.pem --sign-cert sign.crt -o keygen.req"
    )]
    KeygenRequest(KeygenRequestArgs),

    /// Answer a request as the escrow agent: archive, recover or generate keys
    #[command(
        long_about = "Answer one request as the escrow agent and write the signed PKIResponse. The \
request's signature is verified (and for an archive, the binding of an unsigned-attribute key to \
a signed KeyArchival control, the PKCS#10 self-signature, and that the decrypted private key \
matches the request's public key).\n\n\
Archive: the key is filed in --store STORE, a database store made by `kmi cmc store init` \
(one SQLite file): sealed to the store's storage key (--storage-cert, CMS AuthEnvelopedData \
AES-256-GCM), or with --split K/N and N --to trustees only as threshold shares encrypted for the \
trustees, so the agent never \
holds the whole key. Only encryption keys are archived: the request must declare keyUsage \
keyEncipherment or keyAgreement, and no signing use (--accept-signing-keys overrides); a key \
archived by certificateID (archive-request --cert) must match the certificate the request \
carries, whose keyUsage decides, and its issuerAndSerialNumber is filed as the key's \
certificateId. Recovery: keys are found by identity and selection criteria and returned for the \
shroud the request asks for: one key as EncKeyWithID, several (no selection criteria returns all \
of the identity's keys) as one id-ct-multiplePrivateKeys, each named by its certificateId. An \
unauthorised recovery request and one for an identity with no keys get the same answer \
(noKeysFound, same statusString), so a refusal does not say whether keys exist. \
Key generation: a safe-prime RSA or ElGamal key is made and returned (and filed when the request \
sets fArchiveKey).\n\n\
A request that fails a check gets a PKIResponse with CMCStatusInfoV2 failed and the failInfo or \
archive error code (written to -o like any response), and kmi exits 1 naming the failure. A \
mistake in the agent's own setup (an unreadable store, a whole key to file without \
--storage-cert or to recover without --storage-key, a split key to recover without \
--identity or with trustees' keys that do not open it, an unreadable --secret-file) writes no \
response and exits 2.\n\n\
Each request is one transaction of the store: the keys it files and its line in the store's \
hash-chained decision history (`kmi cmc store export-audit`, `verify`) are committed together \
before the response is written, so a full disk or a kill leaves the store as it was or with the \
whole decision, never half of it; the new head of the history is printed. A second agent on the \
same store waits for the first (up to 30 s, then exits 3 having changed nothing).\n\n\
--log FILE appends one line per request to the hash-chained ceremony record the share commands \
write (kmi log verify checks it): the request's SHA-256, its kind, identity and verified signers \
(SPKI fingerprints), the decision (granted, refused, not answered), the failInfo or archive \
error code, and the fingerprints of the keys archived, returned or generated; never key \
material.\n\n\
The agent holds no trust anchors: a certificate in a request gives the signer's public key, and \
its chain is not validated. Who may recover a key is decided by that key: the signer of the \
archive request (or any validly signed request with --allow-any-signer).\n\n\
Requests without a signing key (AuthenticatedData, or a catastrophic-loss recovery signed by \
its new key) prove their identity with the secret the client shares with the agent: \
--identity-secrets FILE holds NAME=hex lines ('#' comments) and must belong to the user running \
the agent with mode 0600 or stricter (otherwise kmi exits 2 and writes no response). The MAC \
and identityProofV2 are checked with the secret of the identity the request names; every \
failure (an unknown name, a wrong secret, a changed MAC or proof, or no --identity-secrets at \
all) gets the same failInfo badIdentity and statusString. Keys archived that way are recovered \
by a request that proves the same identity.\n\n\
Decryption is no oracle: PKCS#1 v1.5 key transport is refused before anything is decrypted \
(RSA-OAEP only), and once the agent starts decrypting an archived key, every failure (the \
decryption, the padding or tag, the EncKeyWithID, the key's checks, its match with the \
request) gets the same status, failInfo and statusString, \"the archived key could not be \
opened\", and the same exit message.\n\n\
--sign-key and --sign-cert sign responses with a key of their own instead of --agent-key. Keep \
the two apart: --agent-key decrypts whatever requests carry, and RSA decryption and signing are \
the same private operation, so a key that does both turns any weakness of one use into one of \
the other; a separate signing key can also live elsewhere and be rotated without changing the \
certificate clients encrypt to. Clients then check responses with --sign-cert (cmc extract \
--agent-cert).",
        after_long_help = "Examples:\n  $ kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-cert storage.crt archive.req -o archive.rsp\n  \
$ kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --split 2/3 --to t1.crt --to t2.crt --to t3.crt archive.req -o archive.rsp\n  \
$ kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-key storage.pem --secret-file alice.secret --pwri-kek rfc3211 recover.req -o recover.rsp\n  \
$ kmi cmc respond --agent-key agent.pem --agent-cert agent.crt --store escrow.db --storage-key storage.pem --log escrow.log recover.req -o recover.rsp"
    )]
    Respond(Box<RespondArgs>),

    /// Print every layer of a CMC message, checking its signatures
    #[command(
        long_about = "Print every layer of a CMC message: ContentInfo, SignedData (signers, with their \
signature checked against the included certificates or the request's own public key), PKIData \
or PKIResponse (controls, requests, CMS entries), EnvelopedData (recipients), unsigned \
attributes. DER, BER (indefinite lengths) and PEM are read. --json prints the documented, \
versioned report.",
        after_long_help = "Examples:\n  $ kmi cmc parse archive.req\n  $ kmi cmc parse --json recover.rsp"
    )]
    Parse(ParseArgs),

    /// Decrypt the keys an agent's response returns and write them as PKCS#8
    #[command(
        long_about = "Decrypt the private keys of a recovery or key generation response: with --identity (the \
private key of the certificate or public key the request shrouded to) or --secret-file (the \
secret shared with the agent). One key is written to -o as PKCS#8; several go to the directory \
-o as key-<i>.pem. The response's signature is checked first with --agent-cert (without it kmi \
refuses, unless --insecure). With --request (the request it answers) the response must echo the \
request's transactionId, return its senderNonce as recipientNonce and answer its recovery or \
key generation control: a validly signed response to another request, or an old one replayed, \
is refused before anything is decrypted.",
        after_long_help = "Examples:\n  $ kmi cmc extract recover.rsp --request recover.req --identity new.pem --agent-cert agent.crt -o recovered.pem\n  \
$ kmi cmc extract keygen.rsp --request keygen.req --secret-file bob.secret --agent-cert agent.crt -o bob.pem"
    )]
    Extract(ExtractArgs),

    /// The agent's key store: init, list, show, export-audit, verify, migrate
    #[command(
        subcommand,
        long_about = "The escrow agent's key store: one SQLite file that `kmi cmc respond --store` \
files keys in and recovers them from. Whole keys are sealed to a storage key of their own; every \
decision is a line of a hash-chained history. `init` creates a store, `list` and `show` print \
entries (never key material), `export-audit` the history, `verify` checks everything, `migrate` \
imports a kmi 0.1 directory store.",
        after_long_help = "Examples:\n  $ kmi cmc store init escrow.db --storage-cert storage.crt\n  $ kmi cmc store list escrow.db"
    )]
    Store(super::store::StoreCommand),
}

/// The identifier table in force.
#[derive(Debug, Args, Clone, Default)]
pub struct OidProfileArgs {
    /// Read NAME=DOTTED-OID lines overriding kmi's CMC identifiers (for peers that number the draft's identifiers differently)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub oid_profile: Option<PathBuf>,
}

/// Where a CMC message goes: PEM (label CMS) by default, as every kmi output.
#[derive(Debug, Args)]
pub struct MessageOutputArgs {
    #[command(flatten)]
    pub file: OutputFileArgs,

    /// Write DER instead of PEM (label CMS)
    #[arg(long)]
    pub der: bool,

    /// PEM, the default (kmi 0.1 wrote DER unless --pem; kept for one release)
    #[arg(long, hide = true, conflicts_with = "der")]
    pub pem: bool,
}

/// Who signs a request.
#[derive(Debug, Args)]
pub struct SignerArgs {
    /// Sign the request with this RSA private key
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub sign_key: Option<PathBuf>,

    /// The certificate of --sign-key, included in the request (without it the signer is named by key identifier, and the agent must already know the key)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath, requires = "sign_key")]
    pub sign_cert: Option<PathBuf>,
}

/// A secret shared with the agent, which authenticates a request in place of a signature.
#[derive(Debug, Args)]
pub struct SharedSecretArgs {
    /// Authenticate the request with the secret shared with the agent (hex, the first line of FILE; env:VAR reads variable VAR) instead of a signature: CMS AuthenticatedData with identityProofV2 for --owner
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "secret_fd")]
    pub secret_file: Option<PathBuf>,

    /// As --secret-file, reading the first line from file descriptor N
    #[arg(long, value_name = "N")]
    pub secret_fd: Option<i32>,
}

/// How returned keys are to be protected.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ShroudArgs {
    /// Have keys returned encrypted to this certificate or RSA public key
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub to: Option<PathBuf>,

    /// Have keys returned under the secret shared with the agent that ID names
    #[arg(long, value_name = "ID")]
    pub shroud_secret: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PlacementChoice {
    /// In the signed cmsSequence
    Body,
    /// In the id-aa-cmc-unsignedData unsigned attribute
    Unsigned,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KeyUsageChoice {
    /// Encryption or key agreement (escrowed)
    Encipherment,
    /// Signing only (never escrowed unless forced)
    Signature,
    /// Both
    Both,
}

#[derive(Debug, Args)]
pub struct ArchiveRequestArgs {
    /// The private key to archive (RSA or ElGamal)
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub key: PathBuf,

    /// The escrow agent's certificate (the key is encrypted to it)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub to: PathBuf,

    /// The subject of the certification request, RFC 4514 (default `CN=<owner>`)
    #[arg(long, value_name = "DN")]
    pub subject: Option<String>,

    /// Archive the key of this already issued certificate: no certification request is sent, the certificate is named by issuerAndSerialNumber and its keyUsage decides (it travels in the signed request, so not with a shared secret)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath, conflicts_with_all = ["subject", "key_usage", "secret_file", "secret_fd"])]
    pub cert: Option<PathBuf>,

    /// The identity (owner name) the key is filed under (default: the subject's CN)
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,

    /// Where the encrypted key goes (default: unsigned; body with --secret-file, which has no signer to carry an unsigned attribute)
    #[arg(long, value_enum)]
    pub placement: Option<PlacementChoice>,

    /// Selection criteria stored with the key, to pick it out at recovery
    #[arg(long, value_name = "TEXT")]
    pub selection: Option<String>,

    /// The key's intended use, requested as its keyUsage
    #[arg(long, value_enum, default_value_t = KeyUsageChoice::Encipherment)]
    pub key_usage: KeyUsageChoice,

    /// Archive a key declared for signing (--key-usage signature or both; signature keys should never be escrowed)
    #[arg(long)]
    pub force_signing_key: bool,

    /// Envelope the key as EnvelopedData with AES-256-CBC (the draft's form) instead of AuthEnvelopedData with AES-256-GCM, for agents that cannot read AuthEnvelopedData
    #[arg(long)]
    pub cbc: bool,

    /// Sign the request with the archived key itself (RSA) instead of --sign-key: the key then signs, so it is no longer an encryption key only
    #[arg(long, conflicts_with = "sign_key")]
    pub sign_with_archived_key: bool,

    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub shared_secret: SharedSecretArgs,
    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
    #[command(flatten)]
    pub oids: OidProfileArgs,
    #[command(flatten)]
    pub out: MessageOutputArgs,
    #[command(flatten)]
    pub fixture: super::SecretFixtureArgs,

    /// Print what was written (transaction id, sender nonce, file) as JSON on standard output; the request goes to -o FILE
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RecoveryRequestArgs {
    /// The identity (owner name) whose keys are wanted (default: the CN of --sign-cert)
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,

    #[command(flatten)]
    pub shroud: ShroudArgs,

    /// Only keys archived with these selection criteria
    #[arg(long, value_name = "TEXT")]
    pub selection: Option<String>,

    /// Catastrophic-loss recovery: a new RSA signing key, whose PKCS#10 the request carries and which signs it (needs --secret-file for the proof of identity)
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath, conflicts_with = "sign_key")]
    pub new_sign_key: Option<PathBuf>,

    /// With --new-sign-key: the subject of its certification request, RFC 4514 (default `CN=<owner>`)
    #[arg(long, value_name = "DN", requires = "new_sign_key")]
    pub subject: Option<String>,

    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub shared_secret: SharedSecretArgs,
    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
    #[command(flatten)]
    pub oids: OidProfileArgs,
    #[command(flatten)]
    pub out: MessageOutputArgs,
    #[command(flatten)]
    pub fixture: super::SecretFixtureArgs,

    /// Print what was written (transaction id, sender nonce, file) as JSON on standard output; the request goes to -o FILE
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KeygenAlgorithmChoice {
    /// A safe-prime RSA key
    Rsa,
    /// An ElGamal key (X9.42 DH)
    Elgamal,
}

#[derive(Debug, Args)]
pub struct KeygenRequestArgs {
    /// The subject of the key's certification request, RFC 4514
    #[arg(long, value_name = "DN")]
    pub subject: String,

    /// The identity (owner name) the key is filed under with --archive (default: the subject's CN)
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,

    #[command(flatten)]
    pub shroud: ShroudArgs,

    /// Ask the agent to archive the key it generates
    #[arg(long)]
    pub archive: bool,

    /// The kind of key
    #[arg(long, value_enum, default_value_t = KeygenAlgorithmChoice::Rsa)]
    pub algorithm: KeygenAlgorithmChoice,

    /// ElGamal group size |p| (default 2048, the RFC 7919 group ffdhe2048); RSA keys are of the size the agent chooses (cmc respond --keygen-bits)
    #[arg(long, value_name = "BITS")]
    pub bits: Option<u32>,

    /// Selection criteria stored with an archived key
    #[arg(long, value_name = "TEXT")]
    pub selection: Option<String>,

    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub shared_secret: SharedSecretArgs,
    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
    #[command(flatten)]
    pub oids: OidProfileArgs,
    #[command(flatten)]
    pub out: MessageOutputArgs,
    #[command(flatten)]
    pub fixture: super::SecretFixtureArgs,

    /// Print what was written (transaction id, sender nonce, file) as JSON on standard output; the request goes to -o FILE
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PwriKekChoice {
    /// AES key wrap (RFC 3394), as the draft specifies
    AesKw,
    /// id-alg-PWRI-KEK (RFC 3211), which openssl cms -decrypt -pwri_password opens
    Rfc3211,
}

#[derive(Debug, Args)]
pub struct RespondArgs {
    /// The request
    #[arg(value_name = "REQ", value_hint = ValueHint::FilePath)]
    pub request: PathBuf,

    /// The agent's RSA private key
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub agent_key: PathBuf,

    /// The agent's certificate
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub agent_cert: PathBuf,

    /// Sign responses with this RSA key instead of --agent-key (key separation: the agent key only decrypts)
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath, requires = "sign_cert")]
    pub sign_key: Option<PathBuf>,

    /// The certificate of --sign-key, included in every response (clients check responses with it)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath, requires = "sign_key")]
    pub sign_cert: Option<PathBuf>,

    /// Issue certificates with this CA key: for archived and generated encryption keys, and for the new signing key of a catastrophic-loss recovery (needs --ca-cert)
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath, requires = "ca_cert")]
    pub ca_key: Option<PathBuf>,

    /// The certificate of --ca-key (it must allow keyCertSign); further certificates in the file are its chain, returned with every certificate issued
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath, requires = "ca_key")]
    pub ca_cert: Option<PathBuf>,

    /// Validity of the certificates the agent issues, in days
    #[arg(long, value_name = "N", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    /// The key store (a file made by `kmi cmc store init`)
    #[arg(long, value_name = "STORE", value_hint = ValueHint::FilePath)]
    pub store: PathBuf,

    /// Seal archived and generated keys to this certificate: the store's storage key (not --agent-key)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub storage_cert: Option<PathBuf>,

    /// The storage private key that opens sealed keys for recovery
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub storage_key: Option<PathBuf>,

    /// Keep archived keys only as K-of-N threshold shares (needs N --to trustees)
    #[arg(long, value_name = "K/N", requires = "to")]
    pub split: Option<String>,

    /// With --split: encrypt share i to the i-th trustee's certificate or RSA public key
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, requires = "split")]
    pub to: Vec<PathBuf>,

    /// A trustee's RSA private key that opens shares of split keys for recovery (repeatable)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identity: Vec<PathBuf>,

    #[command(flatten)]
    pub identity_passphrase: super::IdentityPassphraseArgs,

    /// Read the secret shared with the client from the first line of FILE (env:VAR reads variable VAR; else prompt)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "secret_fd")]
    pub secret_file: Option<PathBuf>,

    /// As --secret-file, reading the first line from file descriptor N
    #[arg(long, value_name = "N")]
    pub secret_fd: Option<i32>,

    /// How a shared-secret shroud wraps the content key
    #[arg(long, value_enum, default_value_t = PwriKekChoice::AesKw)]
    pub pwri_kek: PwriKekChoice,

    /// Accept requests without a signing key from the identities in FILE: NAME=hex lines (the secret each shares with the agent), '#' comments; the file must be yours and mode 0600 or stricter
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identity_secrets: Option<PathBuf>,

    /// PBKDF2 iterations for a shared-secret shroud
    #[arg(long, value_name = "N", default_value_t = 600_000)]
    pub pwri_iterations: u32,

    /// Return keys for any validly signed recovery request, not only one signed by the key that archived them
    #[arg(long)]
    pub allow_any_signer: bool,

    /// Archive keys not declared for encryption alone (no keyUsage, or a signing use such as digitalSignature)
    #[arg(long)]
    pub accept_signing_keys: bool,

    /// Refuse key generation unless the request lets the agent archive the key
    #[arg(long)]
    pub require_archive: bool,

    /// The largest key generated for a request, in bits (|N| for RSA, |p| for ElGamal); larger requests are refused (badAlg) before any work
    #[arg(long, value_name = "BITS", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(512..=16384))]
    pub max_bits: u64,

    /// The size of the RSA keys generated for key generation requests (the request cannot say: the draft's certificate template has no size field)
    #[arg(long, value_name = "BITS", default_value_t = 2048)]
    pub keygen_bits: u32,

    /// Search for primes with N threads (default: one per core)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Print what was done as JSON on standard output
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub log: super::LogArgs,
    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
    #[command(flatten)]
    pub oids: OidProfileArgs,
    #[command(flatten)]
    pub out: MessageOutputArgs,
    #[command(flatten)]
    pub fixture: super::SecretFixtureArgs,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The message ('-' for standard input)
    #[arg(value_name = "MSG", value_hint = ValueHint::FilePath)]
    pub message: PathBuf,

    /// Also check signers against these certificates (repeatable)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub cert: Vec<PathBuf>,

    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub oids: OidProfileArgs,
}

/// What opens the returned keys.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ExtractOpenArgs {
    /// The private key the keys were shrouded to
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub identity: Option<PathBuf>,

    /// Read the secret shared with the agent from the first line of FILE (env:VAR reads variable VAR)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub secret_file: Option<PathBuf>,

    /// As --secret-file, reading the first line from file descriptor N
    #[arg(long, value_name = "N")]
    pub secret_fd: Option<i32>,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The agent's response
    #[arg(value_name = "RESP", value_hint = ValueHint::FilePath)]
    pub response: PathBuf,

    #[command(flatten)]
    pub open: ExtractOpenArgs,

    /// Check the response's signature with the agent's certificate (required unless --insecure)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub agent_cert: Option<PathBuf>,

    /// The request this response answers: its transactionId and senderNonce must come back, and the response must answer its control
    #[arg(long, value_name = "REQ", value_hint = ValueHint::FilePath)]
    pub request: Option<PathBuf>,

    /// Open the keys without checking the agent's signature (no --agent-cert)
    #[arg(long)]
    pub insecure: bool,

    /// Write DER instead of PEM
    #[arg(long)]
    pub der: bool,

    #[command(flatten)]
    pub out: OutputFileArgs,
    #[command(flatten)]
    pub identity_passphrase: super::IdentityPassphraseArgs,
    #[command(flatten)]
    pub oids: OidProfileArgs,

    /// Print what was extracted (algorithm, bits, fingerprint, file of each key) as JSON on standard output; the keys go to -o FILE
    #[arg(long)]
    pub json: bool,
}
