//! kmi demo: the whole ceremony in a fresh directory, narrated, every step checked (with
//! --reshare, also a trustee leaving: `reshare`; --dkg, a key made by five parties instead: `dkg`).

mod dkg;
mod reshare;

use std::path::{Path, PathBuf};

use num_bigint::BigUint;

use kmi::cli::DemoArgs;
use kmi::io::{to_pem, write_output, OutputSpec};
use kmi::keys::check::check_key;
use kmi::keys::encoding::encode_public;
use kmi::keys::rsa::{generate, RsaGenParams};
use kmi::keys::{encode_private, fingerprint, Key, PrivateKey, PublicKey};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::threshold::file::Purpose;
use kmi::threshold::set::{split, Operation, Prepared, ShareSet, SplitOptions};
use kmi::threshold::SecretShare;
use kmi::{Error, Result};

use super::progress::SearchBar;
use super::Context;

/// One narrated step: its title, the kmi commands that do the same, and the files it wrote (for
/// its ceremony-log line and the --json summary).
#[derive(Default)]
struct Step {
    title: String,
    commands: Vec<String>,
    outputs: Vec<PathBuf>,
}

struct Demo<'a> {
    ctx: &'a Context,
    dir: PathBuf,
    step: usize,
    /// --json: the narration goes to stderr (unless -q), stdout carries one JSON summary.
    json: bool,
    /// The ceremony log (--log, default DIR/ceremony.log), one line per step.
    record: kmi::log::RecordFile,
    log_path: PathBuf,
    head: Option<String>,
    current: Option<Step>,
    done: Vec<serde_json::Value>,
}

impl Demo<'_> {
    /// A line of narration: stdout, or stderr with --json (nothing with --json -q).
    fn line(&self, text: impl AsRef<str>) -> Result<()> {
        if !self.json {
            return outln!("{}", text.as_ref());
        }
        if !self.ctx.quiet {
            eprintln!("{}", text.as_ref());
        }
        Ok(())
    }

    fn say(&mut self, text: &str) -> Result<()> {
        self.end_step("ok")?;
        self.step += 1;
        self.current = Some(Step {
            title: text.to_string(),
            ..Step::default()
        });
        self.line(format!("\n[{}] {text}", self.step))
    }

    /// The kmi command behind (part of) this step, run inside the demo directory.
    fn cmd(&mut self, command: impl AsRef<str>) -> Result<()> {
        let command = command.as_ref();
        if let Some(step) = self.current.as_mut() {
            step.commands.push(command.to_string());
        }
        self.line(format!("    $ {command}"))
    }

    /// Close the current step: its ceremony-log line (files by SHA-256) and its JSON entry.
    fn end_step(&mut self, outcome: &str) -> Result<()> {
        let Some(step) = self.current.take() else {
            return Ok(());
        };
        let record = kmi::log::Record {
            outputs: step.outputs.clone(),
            ..Default::default()
        };
        let command = format!("demo step {}: {}", self.step, step.title);
        self.head = Some(self.record.append(record.entry(&command, outcome))?);
        self.done.push(serde_json::json!({
            "step": self.step,
            "title": step.title,
            "commands": step.commands,
            "files": step.outputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "outcome": outcome,
        }));
        Ok(())
    }

    fn detail(&self, text: impl AsRef<str>) -> Result<()> {
        self.line(format!("    {}", text.as_ref()))
    }

    fn write(&mut self, name: &str, bytes: &[u8], secret: bool) -> Result<PathBuf> {
        let path = self.dir.join(name);
        write_output(&OutputSpec::new(&path, false, secret), bytes)?;
        if let Some(step) = self.current.as_mut() {
            step.outputs.push(path.clone());
        }
        Ok(path)
    }

    fn ok(&self, what: &str, good: bool) -> Result<()> {
        if good {
            self.detail(format!("ok: {what}"))?;
            Ok(())
        } else {
            Err(Error::check(format!(
                "demo step {} failed: {what}",
                self.step
            )))
        }
    }
}

fn fresh_dir(requested: Option<&Path>) -> Result<PathBuf> {
    let dir = match requested {
        Some(d) => d.to_path_buf(),
        None => std::env::temp_dir().join(format!("kmi-demo-{}", std::process::id())),
    };
    if dir.exists()
        && std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Error::invalid(format!(
            "{}: not an empty directory; the demo needs a fresh one",
            dir.display()
        )));
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::Write {
            path: parent.to_path_buf(),
            what: e.to_string(),
        })?;
    }
    // The ceremony leaves keys and shares here: 0700 whatever the umask.
    kmi::io::dir::create_private_dir(&dir)?;
    Ok(dir)
}

/// The message the demo encrypts; RSA-OAEP-SHA256 carries k - 66 bytes, which bounds --bits.
const MESSAGE: &[u8] = b"The combination is 12-34-56.";

/// The --bits the demo can complete: the escrowed key must carry MESSAGE in RSA-OAEP-SHA256
/// (k - 66 bytes) and be a size `kmi key generate rsa` makes.
fn demo_bits(bits: usize) -> Result<()> {
    use kmi::keys::rsa::{MAX_GENERATE_BITS, MIN_GENERATE_BITS};
    let min = (8 * (MESSAGE.len() + 66)).max(MIN_GENERATE_BITS);
    if !(min..=MAX_GENERATE_BITS).contains(&bits) {
        return Err(Error::invalid(format!(
            "--bits {bits}: the demo needs {min} to {MAX_GENERATE_BITS} bits (its {}-byte message must fit RSA-OAEP-SHA256, k - 66 bytes)",
            MESSAGE.len()
        )));
    }
    Ok(())
}

pub fn run(ctx: &Context, a: DemoArgs) -> Result<()> {
    // Every check that can fail on the arguments comes before step 1.
    demo_bits(a.bits)?;
    let mut rng = ctx.fixture_rng(&a.fixture, "every key, share and envelope of the demo")?;
    // An explicit --log outside the directory is opened (and locked) before anything is made.
    let explicit_record = ctx.open_record(a.log.as_deref())?;
    let dir = fresh_dir(a.dir.as_deref())?;
    let (record, log_path) = match (explicit_record, &a.log) {
        (Some(r), Some(p)) => (r, p.clone()),
        _ => {
            let p = dir.join("ceremony.log");
            (
                ctx.open_record(Some(&p))?
                    .ok_or_else(|| Error::internal("a ceremony log was asked for"))?,
                p,
            )
        }
    };
    let mut d = Demo {
        ctx,
        dir,
        step: 0,
        json: a.json,
        record,
        log_path,
        head: None,
        current: None,
        done: Vec::new(),
    };
    let started = std::time::Instant::now();
    let result = ceremony(&mut d, &a, &mut rng);
    let outcome = match &result {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("failed: {e}"),
    };
    let ended = d.end_step(&outcome);
    if a.json {
        let mut summary = serde_json::json!({
            "version": 1,
            "ok": result.is_ok() && ended.is_ok(),
            "dir": d.dir.display().to_string(),
            "bits": a.bits,
            "seeded": a.fixture.seed.is_some(),
            "log": d.log_path.display().to_string(),
            "head": d.head,
            "steps": d.done,
        });
        if let Err(e) = &result {
            summary["error"] = serde_json::Value::String(e.to_string());
        }
        outln!("{summary:#}")?;
    }
    result?;
    ended?;
    d.line(format!(
        "\nEvery step checked out in {:.1} s. Files are in {}.",
        started.elapsed().as_secs_f64(),
        d.dir.display()
    ))?;
    if let Some(head) = &d.head {
        d.line(format!(
            "Ceremony log {} head {head}: check it with kmi log verify {} --head {head}",
            d.log_path.display(),
            d.log_path.display()
        ))?;
    }
    d.ctx
        .note("the demo keys lie unencrypted in the demo directory: use them for nothing else");
    Ok(())
}

/// The steps, in order; the caller writes the summary and the last log line.
fn ceremony(d: &mut Demo<'_>, a: &DemoArgs, rng: &mut KmiRng) -> Result<()> {
    if a.dkg {
        d.line(format!(
            "kmi demo --dkg: five parties make a 3-of-5 ElGamal key that no machine ever holds, in {}",
            d.dir.display()
        ))?;
        return dkg::run(d, rng);
    }
    let bits = a.bits;
    d.line(format!(
        "kmi demo: a 3-of-5 key-escrow ceremony for two keys, one to decrypt and one to sign, in {}",
        d.dir.display()
    ))?;
    d.line("No single trustee ever holds the escrowed key; any three of the five can use it or rebuild it.")?;
    d.line(format!(
        "Each step shows the kmi commands that do the same, run inside {}.",
        d.dir.display()
    ))?;
    if a.fixture.seed.is_some() {
        d.line("(--seed: every key and share below comes from one seeded stream; the commands shown use the OS RNG)")?;
    }

    let key = generate_escrowed(
        d,
        "Generate the escrowed decryption key",
        bits,
        "escrowed",
        rng,
    )?;
    let public = key.public();
    let signing_key = generate_escrowed(
        d,
        "Generate a second key that will only ever sign (one key per purpose, as PKI does)",
        bits,
        "signing",
        rng,
    )?;

    d.say("Five trustees make their own RSA keys (their shares will be encrypted to them)")?;
    let mut trustees = Vec::new();
    for i in 1..=5 {
        d.cmd(format!(
            "kmi key generate rsa --no-safe -o trustee-{i}-key.pem"
        ))?;
        d.cmd(format!(
            "kmi key public trustee-{i}-key.pem -o trustee-{i}-public.pem"
        ))?;
        let tparams = RsaGenParams {
            bits: 2048,
            safe: false,
            e: BigUint::from(65537u32),
        };
        let tk = generate(&tparams, rng, &SearchConfig::default(), &kmi::keys::Quiet)?;
        d.write(
            &format!("trustee-{i}-key.pem"),
            &encode_private(&PrivateKey::Rsa(tk.clone()), false, None, rng)?,
            true,
        )?;
        let pubfile = d.write(
            &format!("trustee-{i}-public.pem"),
            &encode_public(&kmi::keys::PublicKey::Rsa(tk.public.clone()), false)?,
            false,
        )?;
        trustees.push((tk, pubfile));
    }
    d.detail("trustee-1..5-key.pem (each trustee keeps their own)")?;

    let (set, opened) = escrow(d, &key, Purpose::Decrypt, "", &trustees, rng)?;
    let (signing_set, signing_opened) =
        escrow(d, &signing_key, Purpose::Sign, "signing-", &trustees, rng)?;

    d.say("Someone encrypts a message to the escrowed public key (RSA-OAEP-SHA256)")?;
    let message = MESSAGE;
    d.cmd(format!(
        "printf '{}' | kmi encrypt --to escrowed-public.pem -o message.bin",
        String::from_utf8_lossy(message)
    ))?;
    let PrivateKey::Rsa(rk) = &key else {
        return Err(Error::internal("the escrowed key is RSA"));
    };
    let ct = rk
        .public
        .to_rsa_crate()?
        .encrypt(rng, rsa::Oaep::new::<sha2::Sha256>(), message)
        .map_err(|e| Error::internal(e.to_string()))?;
    d.write("message.bin", &ct, false)?;

    d.say("Trustees 1, 3 and 5 decrypt it together without rebuilding the key")?;
    let input = set.prepare(Operation::RsaDecrypt, &ct)?;
    partial_cmds(d, "", &[1, 3, 5], "--decrypt message.bin", "decrypt")?;
    let partials = partials_of(d, &set, &opened, &[1, 3, 5], &input, "decrypt", rng)?;
    d.cmd("kmi share combine --set set.pem decrypt-partial-1.pem decrypt-partial-3.pem decrypt-partial-5.pem --decrypt message.bin")?;
    let plain = set.combine(&partials, &input)?;
    d.detail(format!("plaintext: {}", String::from_utf8_lossy(&plain)))?;
    d.ok(
        "the combined plaintext is the message",
        plain.as_slice() == message,
    )?;

    d.say("The decryption set will not sign, not even a signature dressed up as a ciphertext")?;
    let statement = b"Key escrow ceremony completed; no single party holds the key.\n";
    d.write("statement.txt", statement, false)?;
    d.cmd("kmi share partial --share share-1.pem --identity trustee-1-key.pem --sign statement.txt -o refused.pem")?;
    d.ok(
        "asked to sign, the decryption set refuses (its purpose is decrypt)",
        set.prepare(Operation::RsaSign, statement).is_err(),
    )?;
    // The disguise: EMSA-PKCS1-v1_5(SHA-256(statement)) handed in as a "ciphertext"; its
    // "decryption" c^d would be the escrowed key's signature on the statement.
    let disguised = {
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(statement).into();
        let k = (rk.public.n.bits() as usize).div_ceil(8);
        kmi::crypt::rsa_pad::emsa_pkcs1_v15_sha256(&digest, k)?
    };
    d.ok(
        "asked to \"decrypt\" EMSA-PKCS1-v1_5(SHA-256(statement)), it refuses",
        set.prepare(Operation::RsaDecrypt, &disguised)
            .and_then(|p| set.partial(&opened[0], &p, rng))
            .is_err(),
    )?;
    d.detail(
        "(trustees computing c^d on that block would have signed the statement: Omega, section 3)",
    )?;

    d.say(
        "Trustees 2, 3 and 4 sign the statement with the signing set (RSASSA-PKCS1-v1_5, SHA-256)",
    )?;
    let input = signing_set.prepare(Operation::RsaSign, statement)?;
    partial_cmds(d, "signing-", &[2, 3, 4], "--sign statement.txt", "sign")?;
    let partials = partials_of(
        d,
        &signing_set,
        &signing_opened,
        &[2, 3, 4],
        &input,
        "sign",
        rng,
    )?;
    d.cmd("kmi share combine --set signing-set.pem sign-partial-2.pem sign-partial-3.pem sign-partial-4.pem --sign statement.txt -o statement.sig")?;
    let sig = signing_set.combine(&partials, &input)?;
    d.write("statement.sig", &sig, false)?;
    let verified = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(statement);
        let PublicKey::Rsa(sk) = signing_key.public() else {
            return Err(Error::internal("the signing key is RSA"));
        };
        sk.to_rsa_crate()?
            .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest, &sig)
            .is_ok()
    };
    d.ok(
        "the signature verifies with the signing key's ordinary public key",
        verified,
    )?;
    d.ok(
        "the signing set refuses to decrypt",
        signing_set.prepare(Operation::RsaDecrypt, &ct).is_err(),
    )?;
    d.detail(format!(
        "check it yourself: openssl dgst -sha256 -verify {0}/signing-public.pem -signature {0}/statement.sig {0}/statement.txt",
        d.dir.display()
    ))?;

    if a.reshare {
        reshare::run(d, &set, &opened, &trustees, &ct, message, rng)?;
    }

    let cert = certify_signing_key(d, &signing_set, &signing_opened, rng)?;
    sign_policy(d, &signing_set, &signing_opened, &cert, rng)?;

    d.say("Two trustees alone cannot rebuild the key")?;
    d.cmd("kmi share reconstruct --set set.pem --identity trustee-1-key.pem --identity trustee-2-key.pem share-1.pem share-2.pem -o refused-key.pem")?;
    let two: Vec<SecretShare> = vec![opened[0].clone(), opened[1].clone()];
    d.ok("2 shares are refused", set.reconstruct(&two, rng).is_err())?;

    d.say(
        "Trustees 2, 4 and 5 rebuild the whole decryption key (the integer combination factors N)",
    )?;
    let three: Vec<SecretShare> = vec![opened[1].clone(), opened[3].clone(), opened[4].clone()];
    d.cmd("kmi share reconstruct --set set.pem --identity trustee-2-key.pem --identity trustee-4-key.pem --identity trustee-5-key.pem share-2.pem share-4.pem share-5.pem -o rebuilt-key.pem")?;
    let rebuilt = set.reconstruct(&three, rng)?;
    d.write(
        "rebuilt-key.pem",
        &encode_private(&rebuilt, false, None, rng)?,
        true,
    )?;
    d.ok(
        "the rebuilt key has the original public key",
        rebuilt.public() == public,
    )?;
    d.ok(
        "the rebuilt key passes the registry checks",
        check_key(&Key::Private(rebuilt), true).passed(),
    )?;

    Ok(())
}

/// The signing key certifies itself with no machine holding it: trustees 1, 2 and 5 sign the
/// to-be-signed certificate with partials (the Omega service signs with its threshold key,
/// Omega section 4). Writes signing-cert.tbs and signing-cert.pem.
fn certify_signing_key(
    d: &mut Demo<'_>,
    set: &ShareSet,
    opened: &[SecretShare],
    rng: &mut KmiRng,
) -> Result<x509_cert::Certificate> {
    use kmi::keys::cert::build::{
        finish, parse_subject, prepare, rsa_spki, CertSpec, PublicIssuer, Usage,
    };
    d.say("Trustees 1, 2 and 5 certify the signing key: a self-signed code-signing certificate, signed with partials")?;
    let PublicKey::Rsa(public) = set.public.public_key() else {
        return Err(Error::internal("the signing set is RSA"));
    };
    let public = public.to_rsa_crate()?;
    let spec = CertSpec {
        subject: parse_subject("CN=kmi demo policy signer,O=kmi demo")?,
        spki: rsa_spki(&public)?,
        usages: vec![Usage::Sign, Usage::CodeSigning],
        days: 30,
        path_len: None,
    };
    d.cmd("kmi cert prepare self-sign --set signing-set.pem --subject 'CN=kmi demo policy signer,O=kmi demo' --usage sign,code-signing --days 30 -o signing-cert.tbs")?;
    let tbs = prepare(&spec, PublicIssuer::SelfSigned(&public), rng)?;
    d.write("signing-cert.tbs", &tbs, false)?;
    let input = set.prepare(Operation::RsaSign, &tbs)?;
    partial_cmds(d, "signing-", &[1, 2, 5], "--sign signing-cert.tbs", "cert")?;
    let partials = partials_of(d, set, opened, &[1, 2, 5], &input, "cert", rng)?;
    d.cmd("kmi cert finish --set signing-set.pem --tbs signing-cert.tbs cert-partial-1.pem cert-partial-2.pem cert-partial-5.pem -o signing-cert.pem")?;
    let signature = set.combine(&partials, &input)?;
    // finish checks the combined signature over the TBS with the set's public key.
    let cert = finish(&tbs, &signature, &public)?;
    let pem = der::EncodePem::to_pem(&cert, der::pem::LineEnding::LF).map_err(Error::encoding)?;
    let path = d.write("signing-cert.pem", pem.as_bytes(), false)?;
    d.ok(
        "the certificate's signature verifies with the key it certifies",
        true,
    )?;
    d.detail(format!(
        "check it yourself: openssl verify -CAfile {0} {0}",
        path.display()
    ))?;
    Ok(cert)
}

/// Trustees 2, 3 and 4 sign an export cryptography policy (CCM) as a signed JAR under the
/// threshold-signed certificate. Writes policy.txt and policy.jar.
fn sign_policy(
    d: &mut Demo<'_>,
    set: &ShareSet,
    opened: &[SecretShare],
    cert: &x509_cert::Certificate,
    rng: &mut KmiRng,
) -> Result<()> {
    use kmi::ccm::policy::{template, Policy, Template};
    use kmi::ccm::signing::{verify, JarPlan};
    d.say("Trustees 2, 3 and 4 sign an export cryptography policy (CCM) as a JAR that jarsigner accepts")?;
    let source = template(Template::Export);
    d.cmd("kmi ccm template --export -o policy.txt")?;
    d.write("policy.txt", source.as_bytes(), false)?;
    let policy = Policy::parse_source(source.as_bytes())?;
    let plan = JarPlan::new(&policy, "KMIDEMO", cert, &[])?;
    let input = set.prepare(Operation::RsaSign, &plan.signature_file)?;
    d.cmd("kmi ccm prepare policy.txt -o policy.sf")?;
    partial_cmds(d, "signing-", &[2, 3, 4], "--sign policy.sf", "policy")?;
    let partials = partials_of(d, set, opened, &[2, 3, 4], &input, "policy", rng)?;
    d.cmd("kmi ccm sign policy.txt --signer KMIDEMO --threshold-set signing-set.pem policy-partial-2.pem policy-partial-3.pem policy-partial-4.pem --cert signing-cert.pem -o policy.jar")?;
    let signature = set.combine(&partials, &input)?;
    let jar = plan.sign_with_signature(&signature)?;
    let path = d.write("policy.jar", &jar, false)?;
    d.ok(
        "kmi ccm verify accepts the JAR with the certificate as trust anchor",
        verify(&jar, std::slice::from_ref(cert), kmi::clock::now()).is_ok(),
    )?;
    d.detail(format!(
        "check it yourself: keytool -importcert -noprompt -alias signer -file {1} -keystore {0}/trust.jks -storepass changeit; jarsigner -verify -strict -keystore {0}/trust.jks -storepass changeit {2}",
        d.dir.display(),
        d.dir.join("signing-cert.pem").display(),
        path.display()
    ))?;
    Ok(())
}

/// Generate one safe-prime RSA key, write NAME-key.pem and NAME-public.pem, check it.
fn generate_escrowed(
    d: &mut Demo<'_>,
    what: &str,
    bits: usize,
    name: &str,
    rng: &mut KmiRng,
) -> Result<PrivateKey> {
    d.say(&format!(
        "{what}: {bits}-bit RSA with safe primes p = 2p'+1, q = 2q'+1"
    ))?;
    d.cmd(format!(
        "kmi key generate rsa --bits {bits} -o {name}-key.pem"
    ))?;
    d.cmd(format!(
        "kmi key public {name}-key.pem -o {name}-public.pem"
    ))?;
    let bar = SearchBar::new(d.ctx.quiet);
    let params = RsaGenParams {
        bits,
        safe: true,
        e: BigUint::from(65537u32),
    };
    let key = generate(&params, rng, &SearchConfig::default(), &bar);
    bar.finish();
    let key = PrivateKey::Rsa(key?);
    let public = key.public();
    d.write(
        &format!("{name}-key.pem"),
        &encode_private(&key, false, None, rng)?,
        true,
    )?;
    d.write(
        &format!("{name}-public.pem"),
        &encode_public(&public, false)?,
        false,
    )?;
    d.detail(format!(
        "{name}-key.pem, fingerprint {}",
        fingerprint(&public, 32)?
    ))?;
    d.ok(
        "registry checks pass with --require-safe",
        check_key(&Key::Private(key.clone()), true).passed(),
    )?;
    Ok(key)
}

/// Split `key` 3-of-5 for `purpose`, encrypt each share to its trustee, and have each trustee
/// open and verify theirs. Files: PREFIXset.pem and PREFIXshare-<i>.pem.
fn escrow(
    d: &mut Demo<'_>,
    key: &PrivateKey,
    purpose: Purpose,
    prefix: &str,
    trustees: &[(kmi::keys::RsaPrivate, PathBuf)],
    rng: &mut KmiRng,
) -> Result<(ShareSet, Vec<SecretShare>)> {
    d.say(&format!(
        "Split the {} key 3-of-5 (Shoup, purpose {}) and encrypt each share to its trustee (CMS, RSA-OAEP)",
        if purpose == Purpose::Sign { "signing" } else { "decryption" },
        purpose.name()
    ))?;
    let options = SplitOptions {
        label: Some(format!("kmi demo {}", purpose.name())),
        ..SplitOptions::new(3, 5, purpose)
    };
    let name = if purpose == Purpose::Sign {
        "signing"
    } else {
        "escrowed"
    };
    let tos: String = (1..=5)
        .map(|i| format!(" --to trustee-{i}-public.pem"))
        .collect();
    d.cmd(format!(
        "kmi share split {name}-key.pem -k 3 -n 5 --purpose {} --label 'kmi demo {}'{tos} -o {}",
        purpose.name(),
        purpose.name(),
        if prefix.is_empty() {
            "."
        } else {
            "signing-shares"
        }
    ))?;
    let (set, shares) = split(key, &options, rng)?;
    d.write(&format!("{prefix}set.pem"), to_pem(&set)?.as_bytes(), false)?;
    let mut envelopes = Vec::new();
    for (share, (_, pubfile)) in shares.iter().zip(trustees) {
        let recipient =
            kmi::cms::recipient_from_file_bytes(&std::fs::read(pubfile).map_err(|e| {
                Error::Read {
                    path: pubfile.clone(),
                    source: e,
                }
            })?)?;
        let sealed = share.seal_for(&recipient, rng)?;
        d.write(
            &format!("{prefix}share-{}.pem", share.index),
            sealed.as_bytes(),
            true,
        )?;
        envelopes.push(sealed);
    }
    if !prefix.is_empty() {
        d.detail(format!(
            "(the demo names the files of signing-shares/ {prefix}set.pem and {prefix}share-<i>.pem)"
        ))?;
    }
    // The dealer forgets the key: its file goes (the in-memory copy is only used for its public
    // half from here on).
    let key_file = d.dir.join(format!("{name}-key.pem"));
    d.cmd(format!("rm {name}-key.pem"))?;
    std::fs::remove_file(&key_file).map_err(|e| Error::Write {
        path: key_file.clone(),
        what: format!("cannot remove the dealer's key: {e}"),
    })?;
    d.detail(format!(
        "{prefix}set.pem (set {}, purpose {}) and {prefix}share-1..5.pem; the dealer now forgets the key ({name}-key.pem removed)",
        &set.id_hex()[..16],
        purpose.name()
    ))?;
    d.ok(
        "the set's verification keys are consistent",
        set.check_public().is_ok(),
    )?;
    let mut opened = Vec::new();
    for (i, (env, (tk, _))) in envelopes.iter().zip(trustees).enumerate() {
        let o = kmi::cms::open_with_key(&kmi::io::decode_armor(env.as_bytes())?.der, tk, None)?;
        let share = kmi::threshold::file::ShareFile::from_der_checked(&o.content)?;
        d.cmd(format!(
            "kmi share verify --set {prefix}set.pem --identity trustee-{}-key.pem {prefix}share-{}.pem",
            i + 1,
            i + 1
        ))?;
        let s = set.open(&share)?;
        d.ok(
            &format!("trustee {} opens and verifies their share", i + 1),
            set.verify_share(&s),
        )?;
        opened.push(s);
    }
    Ok((set, opened))
}

/// The `kmi share partial` commands of trustees `who` on the set whose files start with `prefix`.
fn partial_cmds(d: &mut Demo<'_>, prefix: &str, who: &[u32], input: &str, tag: &str) -> Result<()> {
    for &i in who {
        d.cmd(format!(
            "kmi share partial --share {prefix}share-{i}.pem --identity trustee-{i}-key.pem {input} -o {tag}-partial-{i}.pem"
        ))?;
    }
    Ok(())
}

fn partials_of(
    d: &mut Demo<'_>,
    set: &ShareSet,
    opened: &[SecretShare],
    who: &[u32],
    input: &Prepared<'_>,
    tag: &str,
    rng: &mut KmiRng,
) -> Result<Vec<kmi::threshold::file::PartialFile>> {
    let mut out = Vec::new();
    for &i in who {
        let p = set.partial(&opened[i as usize - 1], input, rng)?;
        d.write(
            &format!("{tag}-partial-{i}.pem"),
            to_pem(&p)?.as_bytes(),
            false,
        )?;
        d.ok(
            &format!("trustee {i}'s partial result carries a valid proof"),
            set.check_partial(&p, input)?.is_none(),
        )?;
        out.push(p);
    }
    Ok(out)
}
