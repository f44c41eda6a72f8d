//! `kmi cmc store ...`: the escrow agent's database key store (create, list, show, audit,
//! verify, import a kmi 0.1 directory store).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueHint};

use super::{KeyPassphraseArgs, OutputFileArgs};

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create an empty key store (one SQLite file)
    #[command(
        long_about = "Create an empty key store for `kmi cmc respond --store`: one SQLite file (WAL \
journal), mode 0600, written under a temporary name and linked into place, so it appears whole \
or not at all and an existing file is never replaced.\n\n\
--storage-cert fixes the storage key: every whole key the agent files is sealed to it as CMS \
AuthEnvelopedData (AES-256-GCM, RSA-OAEP key transport), and only its private key \
(`respond --storage-key`) opens them, so a copy of the file holds no readable key. Use a key \
of its own, not the agent's transport key (--agent-key, which every client encrypts to). A \
store created without --storage-cert holds no whole keys: the agent must run with --split K/N \
and keep only trustee-encrypted shares.",
        after_long_help = "Examples:\n  $ kmi cmc store init escrow.db --storage-cert storage.crt\n  $ kmi cmc store init shares-only.db"
    )]
    Init(InitArgs),

    /// List the store's entries (never key material)
    #[command(
        long_about = "List the entries of a key store, oldest first: fingerprint (SHA-256 of the \
key's SubjectPublicKeyInfo), algorithm and size, identity, selection criteria, subject, when and \
how it was filed, the SPKI fingerprint of the request signer that may recover it, and whether \
the key is sealed whole or held as K-of-N shares. No key material is ever printed.",
        after_long_help = "Examples:\n  $ kmi cmc store list escrow.db\n  $ kmi cmc store list escrow.db --owner alice --json"
    )]
    List(ListArgs),

    /// Show one entry and every decision about it
    #[command(
        long_about = "Show one entry (named by at least 8 hex digits of its fingerprint) and every \
decision of its history that handled it: when it was filed, each recovery that returned it.",
        after_long_help = "Examples:\n  $ kmi cmc store show escrow.db f776c2ac\n  $ kmi cmc store show escrow.db f776c2ac --json"
    )]
    Show(ShowArgs),

    /// Print the decision history as hash-chained JSON lines
    #[command(
        long_about = "Print every decision of the store's history (its creation, each archive, \
recovery and key generation the agent answered, granted or refused, each imported entry), one \
JSON line each, exactly as stored. Line n's \"prev\" is the SHA-256 (hex) of line n-1's bytes \
(64 zeros for the first), so anyone can check the chain with a SHA-256 tool; `kmi log verify` \
style checking is `kmi cmc store verify`. Lines hold digests, fingerprints, identities and \
failure codes, never key material.",
        after_long_help = "Examples:\n  $ kmi cmc store export-audit escrow.db -o audit.jsonl\n  $ kmi cmc store export-audit escrow.db"
    )]
    ExportAudit(ExportAuditArgs),

    /// Check the store's integrity: its database, decision chain and every entry
    #[command(
        long_about = "Check a key store: SQLite's structure check, the decision chain (every line \
follows the one before, no gap), and every entry against the decision that filed it (each line \
records the SHA-256 of the rows it filed), so an entry or decision that was edited, added, \
removed or reordered is found. --head compares the last line's hash with one recorded \
elsewhere (respond prints it, and its --log record keeps it), which also finds a history cut \
or rewritten at its end. With --storage-key every sealed key is also opened and checked \
against its fingerprint. Exit 0 when everything checks, 1 naming the first problem.",
        after_long_help = "Examples:\n  $ kmi cmc store verify escrow.db\n  $ kmi cmc store verify escrow.db --storage-key storage.pem --json"
    )]
    Verify(VerifyArgs),

    /// Import a kmi 0.1 directory store into a database store
    #[command(
        long_about = "Import every entry of a kmi 0.1 directory store (DIR/<fingerprint>/meta.json \
with key.pem, or shares/) into the database store --store, creating it when it does not exist. \
Whole keys are checked against their fingerprints and sealed to the storage key \
(--storage-cert: needed when DIR holds whole keys); split entries' share sets and encrypted \
shares are copied as they are, after checking that each set is the entry's key. Every entry \
keeps its identity, selection criteria, signer, time and certificateId, so it recovers as \
before, and each becomes a \"migrate\" line of the decision history. The import is one \
transaction: all entries or none (a store this run created is removed again on failure). \
Entries the store already holds are left as they are. DIR is not changed: remove it (it holds \
plain keys) once the new store is verified.",
        after_long_help = "Examples:\n  $ kmi cmc store migrate escrow/ --store escrow.db --storage-cert storage.crt\n  $ kmi cmc store verify escrow.db"
    )]
    Migrate(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The store file to create
    #[arg(value_name = "STORE", value_hint = ValueHint::FilePath)]
    pub store: PathBuf,

    /// Seal whole keys to this RSA certificate's key (without it the store holds split entries only)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub storage_cert: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The store file
    #[arg(value_name = "STORE", value_hint = ValueHint::FilePath)]
    pub store: PathBuf,

    /// Only the entries filed under this identity (owner name)
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,

    /// Print the list as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The store file
    #[arg(value_name = "STORE", value_hint = ValueHint::FilePath)]
    pub store: PathBuf,

    /// The key's fingerprint (at least its first 8 hex digits)
    #[arg(value_name = "FINGERPRINT")]
    pub fingerprint: String,

    /// Print the entry and its decisions as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportAuditArgs {
    /// The store file
    #[arg(value_name = "STORE", value_hint = ValueHint::FilePath)]
    pub store: PathBuf,

    #[command(flatten)]
    pub out: OutputFileArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The store file
    #[arg(value_name = "STORE", value_hint = ValueHint::FilePath)]
    pub store: PathBuf,

    /// The head (64 hex digits) the history must end with
    #[arg(long, value_name = "HEX")]
    pub head: Option<String>,

    /// Also open every sealed key with this storage private key and check it
    #[arg(long, value_name = "KEY", value_hint = ValueHint::FilePath)]
    pub storage_key: Option<PathBuf>,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub key_passphrase: KeyPassphraseArgs,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The kmi 0.1 store directory to import
    #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: PathBuf,

    /// The database store to import into (created when missing)
    #[arg(long, value_name = "STORE", value_hint = ValueHint::FilePath)]
    pub store: PathBuf,

    /// The storage certificate whole keys are sealed to (for a new store: the one it is created with)
    #[arg(long, value_name = "CERT", value_hint = ValueHint::FilePath)]
    pub storage_cert: Option<PathBuf>,

    /// Print what was imported as JSON
    #[arg(long)]
    pub json: bool,
}
