//! kmi cmc extract: check an agent's response (recovery or keygen), open the keys it returns with
//! the requester's key or shared secret, and write them as private key files.

use kmi::cli::cmc::ExtractArgs;
use kmi::cmc::extract::{self, Opener, SignatureCheck};
use kmi::cmc::store::spki_fingerprint;
use kmi::io::{read_input, write_output, PassphraseSource};
use kmi::keys::{encode_private, encode_public_spki, PrivateKey};
use kmi::rng::KmiRng;
use kmi::{Error, Result};

use super::{oids, read_cert, read_rsa_private, where_to};
use crate::cmd::Context;

pub(super) fn extract_keys(ctx: &Context, a: ExtractArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    let spec = a.out.spec(true);
    if a.json && spec.is_stdout() {
        return Err(Error::invalid(
            "--json prints the report on standard output: give -o FILE (or -o DIR) for the keys",
        ));
    }
    spec.check_writable()?;
    if a.der {
        crate::cmd::refuse_binary_to_terminal(&spec)?;
    }
    if a.agent_cert.is_none() && !a.insecure {
        return Err(Error::invalid(
            "give --agent-cert CERT: the response's signature must be checked before its keys are used (--insecure opens an unchecked response)",
        ));
    }
    let response = read_input(&a.response)?;
    let agent_cert = a.agent_cert.as_deref().map(read_cert).transpose()?;
    let binding = match &a.request {
        Some(p) => {
            let bytes = read_input(p)?;
            Some(
                extract::RequestBinding::from_request(&bytes.bytes, &oids)
                    .map_err(|e| e.in_file(p))?,
            )
        }
        None => None,
    };
    let key;
    let secret;
    let opener = match (&a.open.identity, &a.open.secret_file, a.open.secret_fd) {
        (Some(p), None, None) => {
            key = read_rsa_private(ctx, p, &a.identity_passphrase.source(), "--identity")?;
            Opener::Key(&key)
        }
        (None, file, fd) if file.is_some() || fd.is_some() => {
            let source = PassphraseSource::from_args(file.as_deref(), fd, ctx.batch, "--secret");
            secret = source.read("the secret shared with the agent", false)?;
            Opener::Passphrase(&secret)
        }
        _ => {
            return Err(Error::invalid(
                "give exactly one of --identity FILE or --secret-file FILE",
            ))
        }
    };
    let got = extract::extract(
        &response.bytes,
        &opener,
        agent_cert.as_ref(),
        binding.as_ref(),
        &oids,
    )
    .map_err(|e| match e {
        Error::CheckFailed(m) => Error::check(format!("{}: {m}", a.response.display())),
        e => e.in_file(&a.response),
    })?;
    if got.signature == SignatureCheck::NotChecked {
        ctx.warn("--insecure: the response's signature was not checked; anyone could have made it");
    }
    if binding.is_none() {
        ctx.warn("the response was not tied to its request: give --request REQ to check that it answers it");
    }
    let mut rng = KmiRng::new(None)?;
    let describe = |k: &PrivateKey, id: &Option<String>| -> Result<String> {
        let fp = spki_fingerprint(&encode_public_spki(&k.public())?);
        Ok(format!(
            "{} {}-bit key {fp}{}",
            k.public().kind(),
            k.public().bits(),
            id.as_ref()
                .map(|i| format!(" (identity {i:?})"))
                .unwrap_or_default()
        ))
    };
    let mut written: Vec<serde_json::Value> = Vec::new();
    let key_json =
        |k: &PrivateKey, id: &Option<String>, file: String| -> Result<serde_json::Value> {
            Ok(serde_json::json!({
                "algorithm": k.public().kind(),
                "bits": k.public().bits(),
                "fingerprint": spki_fingerprint(&encode_public_spki(&k.public())?),
                "owner": id,
                "file": file,
            }))
        };
    match (got.keys.as_slice(), &spec.path) {
        ([(k, id)], _) => {
            written.push(key_json(k, id, where_to(&spec))?);
            let bytes = encode_private(k, a.der, None, &mut rng)?;
            write_output(&spec, &bytes)?;
            ctx.note(format!(
                "extracted {} to {}",
                describe(k, id)?,
                where_to(&spec)
            ));
        }
        (many, None) => {
            let mut all = zeroize::Zeroizing::new(Vec::new());
            for (k, id) in many {
                all.extend_from_slice(&encode_private(k, false, None, &mut rng)?);
                ctx.note(format!("extracted {}", describe(k, id)?));
            }
            write_output(&spec, &all)?;
        }
        (many, Some(dir)) => {
            // All keys appear at once in a 0700 directory, or none do.
            let ext = if a.der { "der" } else { "pem" };
            let mut names = Vec::with_capacity(many.len());
            let mut encoded = Vec::with_capacity(many.len());
            for (i, (k, _)) in many.iter().enumerate() {
                names.push(format!("key-{}.{ext}", i + 1));
                encoded.push(zeroize::Zeroizing::new(encode_private(
                    k, a.der, None, &mut rng,
                )?));
            }
            let files: Vec<kmi::io::dir::DirFile<'_>> = names
                .iter()
                .zip(&encoded)
                .map(|(name, bytes)| kmi::io::dir::DirFile {
                    name,
                    bytes,
                    secret: true,
                })
                .collect();
            let is_key_file = |n: &str| {
                n.strip_prefix("key-")
                    .and_then(|r| r.strip_suffix(".pem").or_else(|| r.strip_suffix(".der")))
                    .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
            };
            kmi::io::dir::write_dir_atomic(dir, &files, a.out.force, &is_key_file)?;
            for ((k, id), name) in many.iter().zip(&names) {
                written.push(key_json(k, id, dir.join(name).display().to_string())?);
                ctx.note(format!(
                    "extracted {} to {}",
                    describe(k, id)?,
                    dir.join(name).display()
                ));
            }
        }
    }
    if a.json {
        crate::cmd::json::print(
            true,
            serde_json::json!({
                "response": a.response.display().to_string(),
                "signature_checked": got.signature != SignatureCheck::NotChecked,
                "bound_to_request": binding.is_some(),
                "format": if a.der { "der" } else { "pem" },
                "keys": written,
            }),
        )?;
    }
    Ok(())
}
