//! The command layer: turns parsed arguments into library calls and files, and decides how
//! results are shown. The only code besides `kmi::io` that touches the terminal.

#[macro_use]
mod out;

mod ccm;
mod cert;
mod cmc;
mod crypt;
mod demo;
pub mod json;
mod key;
mod progress;
mod selftest;
mod share;

use std::path::Path;

use kmi::cli::{Cli, Command, PassphraseArgs};
use kmi::io::{read_input, PassphraseSource};
use kmi::keys::{decode_key, Key};
use kmi::rng::KmiRng;
use kmi::Result;

/// What every command may need to know about the invocation.
pub struct Context {
    pub batch: bool,
    pub quiet: bool,
}

impl Context {
    /// The ceremony record `--log FILE`, opened and locked before the work: a bad --log fails
    /// first, and two runs on one record run one after the other (the wait is said).
    pub fn open_record(&self, log: Option<&Path>) -> Result<Option<kmi::log::RecordFile>> {
        log.map(|path| {
            kmi::log::RecordFile::open(path, &|| {
                self.note(format!(
                    "waiting for another kmi writing {}",
                    path.display()
                ))
            })
        })
        .transpose()
    }

    /// A note for the user on stderr (suppressed by --quiet).
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("kmi: {}", msg.as_ref());
        }
    }

    /// A warning on stderr (suppressed by --quiet, like every other line but errors).
    pub fn warn(&self, msg: impl AsRef<str>) {
        warn(msg);
    }

    /// An input left out of the result (a bad share, partial or deal), named on stderr even with
    /// --quiet: it is part of the result, and may be a trustee's cheating, not advice.
    pub fn left_out(&self, msg: impl AsRef<str>) {
        eprintln!("kmi: warning: {}", msg.as_ref());
    }

    /// `--threads N` (0: one per core), clamped to `limits::max_threads` with a warning: the
    /// result never depends on N, so a script written for a bigger machine still runs here.
    pub fn threads(&self, requested: usize) -> usize {
        let max = kmi::limits::max_threads();
        if requested > max {
            self.warn(format!(
                "--threads {requested} is more than 4 per core here; using {max}"
            ));
            return max;
        }
        requested
    }

    /// The RNG of a command with `--seed`/`--time` (FixtureArgs): pins the clock to `--time` and
    /// warns when the output is seeded. `what` says what the seed makes predictable.
    pub fn fixture_rng(&self, f: &kmi::cli::FixtureArgs, what: &str) -> Result<KmiRng> {
        kmi::clock::set_time(f.time.time.as_deref())?;
        let rng = KmiRng::new(f.seed.as_deref())?;
        if rng.is_seeded() {
            self.warn(format!(
                "--seed makes {what} predictable: use it for fixtures and tests only"
            ));
        }
        Ok(rng)
    }

    /// The RNG of a command whose randomness protects a secret (SecretFixtureArgs): as
    /// [`Context::fixture_rng`], but `--seed` is refused unless `--insecure-fixture` is given or
    /// the input is already a seeded fixture (`fixture_input`), as `share split` refuses
    /// `--seed` with encrypted shares. `secret` names what the seed would give away.
    pub fn secret_fixture_rng(
        &self,
        f: &kmi::cli::SecretFixtureArgs,
        secret: &str,
        fixture_input: bool,
    ) -> Result<KmiRng> {
        kmi::clock::set_time(f.time.time.as_deref())?;
        if f.seed.is_some() && !f.insecure_fixture && !fixture_input {
            return Err(kmi::Error::invalid(format!(
                "--seed would give {secret} to anyone who knows the seed: add --insecure-fixture for a test fixture"
            )));
        }
        let rng = KmiRng::new(f.seed.as_deref())?;
        if rng.is_seeded() {
            self.warn(format!(
                "--seed makes {secret} predictable: use it for fixtures and tests only"
            ));
        }
        Ok(rng)
    }

    pub fn passphrase_source(&self, args: &PassphraseArgs) -> PassphraseSource {
        PassphraseSource::from_args(
            args.passphrase_file.as_deref(),
            args.passphrase_fd,
            self.batch,
            args.flags,
        )
    }

    /// Read any key file, asking for a passphrase only if it is encrypted.
    pub fn read_key(&self, path: &Path, pass: &PassphraseArgs) -> Result<Key> {
        let input = read_input(path)?;
        // A plain private key file: wipe its bytes once parsed (issue 10 item 11).
        let bytes = zeroize::Zeroizing::new(input.bytes);
        let source = self.passphrase_source(pass);
        let name = input.name.display().to_string();
        decode_key(&bytes, &input.name, &|| match &pass.cache {
            Some(cache) => cache.get_or_read(|| source.read(&name, false)),
            None => source.read(&name, false),
        })
    }
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A warning on stderr, for code without a `Context`; nothing with --quiet.
pub fn warn(msg: impl AsRef<str>) {
    if !QUIET.load(std::sync::atomic::Ordering::SeqCst) {
        eprintln!("kmi: warning: {}", msg.as_ref());
    }
}

/// Refuse binary output (DER, a JAR) bound for a terminal, as age does: it would garble the
/// screen and help nobody. `spec` is where the bytes go.
pub fn refuse_binary_to_terminal(spec: &kmi::io::OutputSpec) -> Result<()> {
    use std::io::IsTerminal;
    if spec.is_stdout() && std::io::stdout().is_terminal() {
        return Err(kmi::Error::invalid(
            "refusing to write binary output to a terminal: give -o FILE or redirect",
        ));
    }
    Ok(())
}

pub fn run(cli: Cli) -> Result<()> {
    kmi::limits::set_allow_slow_kdf(cli.allow_slow_kdf);
    kmi::clock::check_env()?;
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::SeqCst);
    let ctx = Context {
        batch: cli.batch,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Key(c) => key::run(&ctx, c),
        Command::Share(c) => share::run(&ctx, c),
        Command::Cert(c) => cert::run(&ctx, c),
        Command::Ccm(c) => ccm::run(&ctx, c),
        Command::Cmc(c) => cmc::run(&ctx, *c),
        Command::Encrypt(a) => crypt::encrypt(&ctx, a),
        Command::Decrypt(a) => crypt::decrypt(&ctx, a),
        Command::Log(kmi::cli::LogCommand::Verify(a)) => log_verify(&ctx, a),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Selftest(a) => selftest::run(&ctx, a),
    }
}

fn log_verify(ctx: &Context, a: kmi::cli::LogVerifyArgs) -> Result<()> {
    let summary = kmi::log::verify(&a.file, a.head.as_deref())?;
    if a.json {
        json::print(
            true,
            serde_json::json!({ "file": a.file.display().to_string(), "entries": summary.entries, "head": summary.head }),
        )?;
    } else {
        outln!(
            "{} entries, unbroken; head {}",
            summary.entries,
            summary.head
        )?;
    }
    if a.head.is_none() {
        ctx.note("give --head HEX (from the paper record) to detect a cut or rewritten tail");
    }
    Ok(())
}
