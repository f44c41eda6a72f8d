//! kmi key generate | check | inspect | public | fingerprint

use num_bigint::BigUint;
use serde_json::json;

use kmi::cli::{
    CheckArgs, ElGamalGenerateArgs, EncryptArgs, FingerprintArgs, GenerateCommand, GroupChoice,
    InspectArgs, KdfChoice, KeyCommand, OutputArgs, PassphraseArgs, PublicArgs, RsaGenerateArgs,
    SearchArgs,
};
use kmi::io::{write_output, OutputSpec};
use kmi::keys::check::{check_key, CheckOutcome};
use kmi::keys::elgamal::{self, GroupSpec, NamedGroup};
use kmi::keys::encoding::encode_public;
use kmi::keys::rsa::{self, RsaGenParams};
use kmi::keys::{encode_private, fingerprint, Kdf, Key, KeyEncryption, PrivateKey, PublicKey};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::{Error, Result};

use super::progress::SearchBar;
use super::Context;

/// Keys below this size are for tests and teaching only, and kmi says so.
const SMALL_KEY_BITS: usize = 2048;

pub fn run(ctx: &Context, command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::Generate(GenerateCommand::Rsa(a)) => generate_rsa(ctx, a),
        KeyCommand::Generate(GenerateCommand::Elgamal(a)) => generate_elgamal(ctx, a),
        KeyCommand::Check(a) => check(ctx, a),
        KeyCommand::Inspect(a) => inspect(ctx, a),
        KeyCommand::Public(a) => public(ctx, a),
        KeyCommand::Fingerprint(a) => print_fingerprint(ctx, a),
        KeyCommand::Passphrase(a) => change_passphrase(ctx, a),
    }
}

/// Everything a generate command does before the search: output checks, RNG, passphrase.
struct GenerateSetup {
    spec: OutputSpec,
    rng: KmiRng,
    encryption: Option<KeyEncryption>,
    cfg: SearchConfig,
}

fn prepare_generate(
    ctx: &Context,
    out: &OutputArgs,
    search: &SearchArgs,
    enc: &EncryptArgs,
    pass: &PassphraseArgs,
    json: bool,
) -> Result<GenerateSetup> {
    let spec = out.file.spec(true);
    if json && spec.is_stdout() {
        return Err(Error::invalid(
            "--json prints the report on standard output: give -o FILE for the key",
        ));
    }
    // Refuse an existing output before spending seconds on a prime search.
    spec.check_writable()?;
    if out.der {
        super::refuse_binary_to_terminal(&spec)?;
    }
    let rng = KmiRng::new(search.seed.as_deref())?;
    if rng.is_seeded() {
        ctx.warn("--seed makes a predictable key: use it for fixtures and tests only");
    }
    let encryption = encryption_from_args(ctx, enc, pass, &out.file.output)?;
    Ok(GenerateSetup {
        spec,
        rng,
        encryption,
        cfg: SearchConfig {
            threads: ctx.threads(search.threads),
        },
    })
}

/// `--encrypt [--kdf]` with its passphrase (asked twice on a prompt), or None.
pub fn encryption_from_args(
    ctx: &Context,
    enc: &EncryptArgs,
    pass: &PassphraseArgs,
    output: &std::path::Path,
) -> Result<Option<KeyEncryption>> {
    if !enc.encrypt && (pass.passphrase_file.is_some() || pass.passphrase_fd.is_some()) {
        return Err(Error::invalid(format!(
            "{}-file or {}-fd was given but --encrypt was not",
            pass.flags, pass.flags
        )));
    }
    if !enc.encrypt {
        return Ok(None);
    }
    let kdf = match enc.kdf {
        KdfChoice::Pbkdf2 => Kdf::DEFAULT_PBKDF2,
        KdfChoice::Scrypt => Kdf::DEFAULT_SCRYPT,
    };
    let purpose = if output == std::path::Path::new("-") {
        "the new key".to_string()
    } else {
        output.display().to_string()
    };
    let passphrase = ctx.passphrase_source(pass).read(&purpose, true)?;
    Ok(Some(KeyEncryption { kdf, passphrase }))
}

fn finish_generate(
    ctx: &Context,
    mut setup: GenerateSetup,
    key: &PrivateKey,
    der: bool,
    summary: String,
    json: bool,
) -> Result<()> {
    let bytes = encode_private(key, der, setup.encryption.as_ref(), &mut setup.rng)?;
    write_output(&setup.spec, &bytes)?;
    let fp = fingerprint(&key.public(), 64)?;
    let dest = match &setup.spec.path {
        Some(p) => p.display().to_string(),
        None => "standard output".into(),
    };
    ctx.note(format!("wrote {summary} to {dest}"));
    ctx.note(format!("fingerprint {fp}"));
    if json {
        let public = key.public();
        let mut doc = json!({
            "algorithm": match &public {
                PublicKey::Rsa(_) => "rsa",
                PublicKey::ElGamal(_) => "elgamal",
            },
            "bits": public.bits(),
            "fingerprint": super::json::plain_hex(&fp),
            "file": dest,
            "format": if der { "der" } else { "pem" },
            "encrypted": setup.encryption.is_some(),
            "seeded": setup.rng.is_seeded(),
        });
        match (&public, key) {
            (PublicKey::ElGamal(k), _) => {
                doc["q_bits"] = json!(k.group.q.bits());
                doc["group"] = json!(NamedGroup::identify(&k.group).map(|n| n.name()));
            }
            (PublicKey::Rsa(k), PrivateKey::Rsa(p)) => {
                doc["e"] = json!(k.e.to_string());
                doc["safe_primes"] = json!(p.has_safe_primes());
            }
            _ => {}
        }
        super::json::print(true, doc)?;
    }
    Ok(())
}

fn generate_rsa(ctx: &Context, a: RsaGenerateArgs) -> Result<()> {
    let e = rsa::parse_exponent(&a.e)?;
    let mut setup = prepare_generate(
        ctx,
        &a.output,
        &a.search,
        &a.encrypt,
        &a.new_passphrase.source(),
        a.json,
    )?;
    let params = RsaGenParams {
        bits: a.bits,
        safe: !a.no_safe,
        e,
    };
    let bar = SearchBar::new(ctx.quiet);
    let started = std::time::Instant::now();
    let key = rsa::generate(&params, &mut setup.rng, &setup.cfg, &bar);
    bar.finish();
    let key = PrivateKey::Rsa(key?);
    if a.bits < SMALL_KEY_BITS {
        ctx.warn(format!(
            "{}-bit RSA keys are for tests and teaching only",
            a.bits
        ));
    }
    let (_, tested) = bar.totals();
    let kind = if a.no_safe { "primes" } else { "safe primes" };
    let summary = format!(
        "{}-bit RSA key with {kind} ({tested} candidates tested in {:.2} s)",
        a.bits,
        started.elapsed().as_secs_f64()
    );
    finish_generate(ctx, setup, &key, a.output.der, summary, a.json)
}

fn generate_elgamal(ctx: &Context, a: ElGamalGenerateArgs) -> Result<()> {
    let spec = match (a.group, a.q_bits) {
        (Some(g), _) => GroupSpec::Named(named(g)),
        (None, Some(q_bits)) => GroupSpec::DsaStyle {
            bits: a.bits.unwrap_or(2048),
            q_bits,
        },
        (None, None) => GroupSpec::SafePrime {
            bits: a.bits.unwrap_or(2048),
        },
    };
    let mut setup = prepare_generate(
        ctx,
        &a.output,
        &a.search,
        &a.encrypt,
        &a.new_passphrase.source(),
        a.json,
    )?;
    let bar = SearchBar::new(ctx.quiet);
    let started = std::time::Instant::now();
    let group = elgamal::generate_group(spec, &mut setup.rng, &setup.cfg, &bar);
    bar.finish();
    let group = group?;
    let bits = a.bits.unwrap_or(2048);
    if a.group.is_none() && bits < SMALL_KEY_BITS {
        ctx.warn(format!(
            "{bits}-bit ElGamal groups are for tests and teaching only"
        ));
    }
    let describe = match spec {
        GroupSpec::Named(n) => format!("ElGamal key in group {}", n.name()),
        GroupSpec::SafePrime { bits } => format!("{bits}-bit ElGamal key (safe prime p = 2q + 1)"),
        GroupSpec::DsaStyle { bits, q_bits } => format!("{bits}-bit ElGamal key ({q_bits}-bit q)"),
    };
    let key = PrivateKey::ElGamal(elgamal::generate_key(group, &mut setup.rng));
    let summary = format!("{describe} in {:.2} s", started.elapsed().as_secs_f64());
    finish_generate(ctx, setup, &key, a.output.der, summary, a.json)
}

fn named(g: GroupChoice) -> NamedGroup {
    match g {
        GroupChoice::Ffdhe2048 => NamedGroup::Ffdhe2048,
        GroupChoice::Ffdhe3072 => NamedGroup::Ffdhe3072,
        GroupChoice::Ffdhe4096 => NamedGroup::Ffdhe4096,
        GroupChoice::Ffdhe6144 => NamedGroup::Ffdhe6144,
        GroupChoice::Ffdhe8192 => NamedGroup::Ffdhe8192,
    }
}

fn check(ctx: &Context, a: CheckArgs) -> Result<()> {
    let key = ctx.read_key(&a.key, &a.key_passphrase.source())?;
    let report = check_key(&key, a.require_safe);
    let name = a.key.display().to_string();
    if a.json {
        let doc = json!({ "file": name, "report": report });
        if report.passed() {
            super::json::print(true, doc)?;
        } else {
            super::json::fail_with(doc);
        }
    } else {
        for r in &report.results {
            let mark = match r.outcome {
                CheckOutcome::Passed => "ok  ",
                CheckOutcome::Failed => "FAIL",
                CheckOutcome::Skipped => "skip",
            };
            outln!("{mark}  {}", r.check)?;
        }
    }
    match report.first_failure() {
        Some(failure) => Err(Error::check(format!("{name}: {failure}"))),
        None => {
            ctx.note(format!(
                "{name}: all {} checks passed ({} {} key)",
                report.results.len(),
                if report.private { "private" } else { "public" },
                report.key_type
            ));
            Ok(())
        }
    }
}

fn hex(n: &BigUint) -> String {
    format!("{n:x}")
}

fn inspect(ctx: &Context, a: InspectArgs) -> Result<()> {
    let key = ctx.read_key(&a.key, &a.key_passphrase.source())?;
    let public = key.public();
    let fp = fingerprint(&public, 64)?;
    let mut doc = match &public {
        PublicKey::Rsa(k) => json!({
            "type": "rsa",
            "bits": k.n.bits(),
            "n": hex(&k.n),
            "e": k.e.to_string(),
        }),
        PublicKey::ElGamal(k) => json!({
            "type": "elgamal",
            "bits": k.group.p.bits(),
            "q_bits": k.group.q.bits(),
            "group": NamedGroup::identify(&k.group).map(|n| n.name()),
            "p": hex(&k.group.p),
            "q": hex(&k.group.q),
            "g": hex(&k.group.g),
            "y": hex(&k.y),
            "safe_prime_group": k.group.is_safe_prime_group(),
        }),
    };
    doc["private"] = json!(key.is_private());
    doc["fingerprint"] = json!(super::json::plain_hex(&fp));
    if let Key::Private(PrivateKey::Rsa(k)) = &key {
        doc["safe_primes"] = json!(k.has_safe_primes());
    }
    if a.json {
        return super::json::print(true, doc);
    }
    let kind = if key.is_private() {
        "private"
    } else {
        "public"
    };
    match &public {
        PublicKey::Rsa(k) => {
            outln!("type:        RSA {kind} key")?;
            outln!("bits:        {}", k.n.bits())?;
            if let Some(safe) = doc.get("safe_primes") {
                outln!(
                    "safe primes: {}",
                    if safe == true {
                        "yes (p, q, (p-1)/2, (q-1)/2 all prime)"
                    } else {
                        "no"
                    }
                )?;
            }
            outln!("e:           {}", k.e)?;
            print_wrapped("n", &hex(&k.n))?;
        }
        PublicKey::ElGamal(k) => {
            outln!("type:        ElGamal (X9.42 DH) {kind} key")?;
            outln!(
                "bits:        p {} bits, q {} bits",
                k.group.p.bits(),
                k.group.q.bits()
            )?;
            if let Some(n) = NamedGroup::identify(&k.group) {
                outln!("group:       {} (RFC 7919)", n.name())?;
            }
            outln!(
                "safe prime:  {}",
                if k.group.is_safe_prime_group() {
                    "yes (p = 2q + 1)"
                } else {
                    "no"
                }
            )?;
            print_wrapped("p", &hex(&k.group.p))?;
            print_wrapped("q", &hex(&k.group.q))?;
            print_wrapped("g", &hex(&k.group.g))?;
            print_wrapped("y", &hex(&k.y))?;
        }
    }
    outln!("fingerprint: {fp}")?;
    Ok(())
}

fn print_wrapped(name: &str, hex: &str) -> Result<()> {
    let mut lines = hex
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("hex is ASCII"));
    outln!(
        "{name}:{}{}",
        " ".repeat(12 - name.len()),
        lines.next().unwrap_or("")
    )?;
    for l in lines {
        outln!("             {l}")?;
    }
    Ok(())
}

fn public(ctx: &Context, a: PublicArgs) -> Result<()> {
    let spec = a.output.file.spec(false);
    spec.check_writable()?;
    if a.output.der {
        super::refuse_binary_to_terminal(&spec)?;
    }
    let public = read_public_or_set(ctx, &a.key, &a.key_passphrase.source())?;
    write_output(&spec, &encode_public(&public, a.output.der)?)
}

/// The public key of a key file, or of a share set (PEM KMI SHARE SET, or DER that is not a
/// key): the key its trustees hold in shares.
pub(super) fn read_public_or_set(
    ctx: &Context,
    path: &std::path::Path,
    pass: &PassphraseArgs,
) -> Result<PublicKey> {
    use kmi::threshold::file::SET_PEM_LABEL;
    use kmi::threshold::set::ShareSet;
    let input = kmi::io::read_input(path)?;
    let bytes = zeroize::Zeroizing::new(input.bytes);
    let armored = kmi::io::armor::decode_armor(&bytes).map_err(|e| e.in_file(&input.name))?;
    let from_set = |der: &[u8]| {
        ShareSet::from_der(der)
            .map(|set| set.public.public_key())
            .map_err(|e| e.in_file(&input.name))
    };
    if armored.label.as_deref() == Some(SET_PEM_LABEL) {
        return from_set(&armored.der);
    }
    let source = ctx.passphrase_source(pass);
    let name = input.name.display().to_string();
    match kmi::keys::decode_key(&bytes, &input.name, &|| source.read(&name, false)) {
        Ok(key) => Ok(key.public()),
        Err(e) if armored.label.is_none() => from_set(&armored.der).map_err(|_| e),
        Err(e) => Err(e),
    }
}

fn print_fingerprint(ctx: &Context, a: FingerprintArgs) -> Result<()> {
    let key = ctx.read_key(&a.key, &a.key_passphrase.source())?;
    let digits: usize = a
        .digits
        .parse()
        .map_err(|_| Error::invalid("--digits must be 16, 32 or 64"))?;
    let fp = fingerprint(&key.public(), digits)?;
    if a.json {
        return super::json::print(
            true,
            json!({
                "file": a.key.display().to_string(),
                "digits": digits,
                "fingerprint": super::json::plain_hex(&fp),
            }),
        );
    }
    outln!("{fp}")?;
    Ok(())
}

/// `kmi key passphrase`: open KEY (with its passphrase if it has one) and write it again under a
/// new passphrase, or plain with --remove; atomically, 0600, in place only with --force.
fn change_passphrase(ctx: &Context, a: kmi::cli::key::KeyPassphraseCmdArgs) -> Result<()> {
    let (target, force) = match &a.output {
        Some(o) => (o.clone(), a.force),
        None if a.key == std::path::Path::new("-") => (std::path::PathBuf::from("-"), false),
        None if a.force => (a.key.clone(), true),
        None => {
            return Err(Error::invalid(format!(
                "{}: give -o FILE for the result, or --force to replace the key file in place",
                a.key.display()
            )))
        }
    };
    let spec = OutputSpec::new(&target, force, true);
    spec.check_writable()?;
    let open = a.key_passphrase.source();
    let key = match ctx.read_key(&a.key, &open)? {
        Key::Private(k) => k,
        Key::Public(_) => {
            return Err(Error::invalid(format!(
                "{}: a public key has no passphrase",
                a.key.display()
            )))
        }
    };
    let new = PassphraseArgs {
        passphrase_file: a.new_passphrase_file.clone(),
        passphrase_fd: a.new_passphrase_fd,
        flags: "--new-passphrase",
        cache: None,
    };
    let enc = EncryptArgs {
        encrypt: !a.remove,
        kdf: a.kdf,
    };
    let encryption = encryption_from_args(ctx, &enc, &new, &target)?;
    let mut rng = KmiRng::new(None)?;
    let bytes = encode_private(&key, a.der, encryption.as_ref(), &mut rng)?;
    write_output(&spec, &bytes)?;
    let dest = match &spec.path {
        Some(p) => p.display().to_string(),
        None => "standard output".into(),
    };
    ctx.note(if a.remove {
        format!("wrote the key without a passphrase to {dest}: anyone who reads it holds the key")
    } else {
        format!("wrote the key under the new passphrase to {dest}")
    });
    Ok(())
}
