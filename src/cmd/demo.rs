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

struct Demo<'a> {
    ctx: &'a Context,
    dir: PathBuf,
    step: usize,
}

impl Demo<'_> {
    fn say(&mut self, text: &str) -> Result<()> {
        self.step += 1;
        outln!("\n[{}] {text}", self.step)
    }

    fn detail(&self, text: impl AsRef<str>) -> Result<()> {
        outln!("    {}", text.as_ref())
    }

    fn write(&self, name: &str, bytes: &[u8], secret: bool) -> Result<PathBuf> {
        let path = self.dir.join(name);
        write_output(&OutputSpec::new(&path, false, secret), bytes)?;
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

pub fn run(ctx: &Context, a: DemoArgs) -> Result<()> {
    let dir = fresh_dir(a.dir.as_deref())?;
    let mut d = Demo { ctx, dir, step: 0 };
    let mut rng = KmiRng::new(None)?;
    let started = std::time::Instant::now();
    if a.dkg {
        outln!(
            "kmi demo --dkg: five parties make a 3-of-5 ElGamal key that no machine ever holds, in {}",
            d.dir.display()
        )?;
        dkg::run(&mut d, &mut rng)?;
        return outln!(
            "\nDone in {:.1} s: every file is in {}",
            started.elapsed().as_secs_f64(),
            d.dir.display()
        );
    }
    outln!(
        "kmi demo: a 3-of-5 key-escrow ceremony for two keys, one to decrypt and one to sign, in {}",
        d.dir.display()
    )?;
    outln!("No single trustee ever holds the escrowed key; any three of the five can use it or rebuild it.")?;

    let key = generate_escrowed(
        &mut d,
        "Generate the escrowed decryption key",
        a.bits,
        "escrowed",
        &mut rng,
    )?;
    let public = key.public();
    let signing_key = generate_escrowed(
        &mut d,
        "Generate a second key that will only ever sign (one key per purpose, as PKI does)",
        a.bits,
        "signing",
        &mut rng,
    )?;

    d.say("Five trustees make their own RSA keys (their shares will be encrypted to them)")?;
    let mut trustees = Vec::new();
    for i in 1..=5 {
        let tparams = RsaGenParams {
            bits: 2048,
            safe: false,
            e: BigUint::from(65537u32),
        };
        let tk = generate(
            &tparams,
            &mut rng,
            &SearchConfig::default(),
            &kmi::keys::Quiet,
        )?;
        d.write(
            &format!("trustee-{i}-key.pem"),
            &encode_private(&PrivateKey::Rsa(tk.clone()), false, None, &mut rng)?,
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

    let (set, opened) = escrow(&mut d, &key, Purpose::Decrypt, "", &trustees, &mut rng)?;
    let (signing_set, signing_opened) = escrow(
        &mut d,
        &signing_key,
        Purpose::Sign,
        "signing-",
        &trustees,
        &mut rng,
    )?;

    d.say("Someone encrypts a message to the escrowed public key (RSA-OAEP-SHA256)")?;
    let message = b"The combination is 12-34-56.";
    let PrivateKey::Rsa(rk) = &key else {
        return Err(Error::internal("the escrowed key is RSA"));
    };
    let ct = rk
        .public
        .to_rsa_crate()?
        .encrypt(&mut rng, rsa::Oaep::new::<sha2::Sha256>(), message)
        .map_err(|e| Error::internal(e.to_string()))?;
    d.write("message.bin", &ct, false)?;

    d.say("Trustees 1, 3 and 5 decrypt it together without rebuilding the key")?;
    let input = set.prepare(Operation::RsaDecrypt, &ct)?;
    let partials = partials_of(&d, &set, &opened, &[1, 3, 5], &input, "decrypt", &mut rng)?;
    let plain = set.combine(&partials, &input)?;
    d.detail(format!("plaintext: {}", String::from_utf8_lossy(&plain)))?;
    d.ok(
        "the combined plaintext is the message",
        plain.as_slice() == message,
    )?;

    d.say("The decryption set will not sign, not even a signature dressed up as a ciphertext")?;
    let statement = b"Key escrow ceremony completed; no single party holds the key.\n";
    d.write("statement.txt", statement, false)?;
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
            .and_then(|p| set.partial(&opened[0], &p, &mut rng))
            .is_err(),
    )?;
    d.detail(
        "(trustees computing c^d on that block would have signed the statement: Omega, section 3)",
    )?;

    d.say(
        "Trustees 2, 3 and 4 sign the statement with the signing set (RSASSA-PKCS1-v1_5, SHA-256)",
    )?;
    let input = signing_set.prepare(Operation::RsaSign, statement)?;
    let partials = partials_of(
        &d,
        &signing_set,
        &signing_opened,
        &[2, 3, 4],
        &input,
        "sign",
        &mut rng,
    )?;
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
        reshare::run(&mut d, &set, &opened, &trustees, &ct, message, &mut rng)?;
    }

    let cert = certify_signing_key(&mut d, &signing_set, &signing_opened, &mut rng)?;
    sign_policy(&mut d, &signing_set, &signing_opened, &cert, &mut rng)?;

    d.say("Two trustees alone cannot rebuild the key")?;
    let two: Vec<SecretShare> = vec![opened[0].clone(), opened[1].clone()];
    d.ok(
        "2 shares are refused",
        set.reconstruct(&two, &mut rng).is_err(),
    )?;

    d.say(
        "Trustees 2, 4 and 5 rebuild the whole decryption key (the integer combination factors N)",
    )?;
    let three: Vec<SecretShare> = vec![opened[1].clone(), opened[3].clone(), opened[4].clone()];
    let rebuilt = set.reconstruct(&three, &mut rng)?;
    d.write(
        "rebuilt-key.pem",
        &encode_private(&rebuilt, false, None, &mut rng)?,
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

    outln!(
        "\nEvery step checked out in {:.1} s. Files are in {}.",
        started.elapsed().as_secs_f64(),
        d.dir.display()
    )?;
    d.ctx
        .note("the demo keys lie unencrypted in the demo directory: use them for nothing else");
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
    let tbs = prepare(&spec, PublicIssuer::SelfSigned(&public), rng)?;
    d.write("signing-cert.tbs", &tbs, false)?;
    let input = set.prepare(Operation::RsaSign, &tbs)?;
    let partials = partials_of(d, set, opened, &[1, 2, 5], &input, "cert", rng)?;
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
    d.write("policy.txt", source.as_bytes(), false)?;
    let policy = Policy::parse_source(source.as_bytes())?;
    let plan = JarPlan::new(&policy, "KMIDEMO", cert, &[])?;
    let input = set.prepare(Operation::RsaSign, &plan.signature_file)?;
    let partials = partials_of(d, set, opened, &[2, 3, 4], &input, "policy", rng)?;
    let signature = set.combine(&partials, &input)?;
    let jar = plan.sign_with_signature(&signature)?;
    let path = d.write("policy.jar", &jar, false)?;
    d.ok(
        "kmi ccm verify accepts the JAR with the certificate as trust anchor",
        verify(
            &jar,
            std::slice::from_ref(cert),
            std::time::SystemTime::now(),
        )
        .is_ok(),
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
    d.detail(format!(
        "{prefix}set.pem (set {}, purpose {}) and {prefix}share-1..5.pem; the dealer now forgets the key",
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
        let s = set.open(&share)?;
        d.ok(
            &format!("trustee {} opens and verifies their share", i + 1),
            set.verify_share(&s),
        )?;
        opened.push(s);
    }
    Ok((set, opened))
}

fn partials_of(
    d: &Demo<'_>,
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
