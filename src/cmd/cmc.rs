//! kmi cmc archive-request | recovery-request | keygen-request | respond | parse | extract | store
//!
//! One module per group of subcommands: `request` (the client's archive, recovery and keygen
//! requests), `respond` (the agent), `parse`, `extract` and `store` (the agent's key store); the helpers they share are here.

use std::path::Path;

use der::Decode;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use kmi::cli::cmc::{CmcCommand, MessageOutputArgs, OidProfileArgs, ShroudArgs, SignerArgs};
use kmi::cli::PassphraseArgs;
use kmi::cmc::build::{RequestSigner, ShroudChoice};
use kmi::cmc::oids::CmcOids;
use kmi::cmc::types::ShroudWithPublicKey;
use kmi::io::{encode_pem, read_input, write_output, OutputSpec};
use kmi::keys::{encode_public_spki, Key, PrivateKey, RsaPrivate};
use kmi::{Error, Result};

use super::Context;

mod extract;
mod parse;
mod request;
mod respond;
mod store;

use extract::extract_keys;
use parse::parse;
use request::{archive_request, keygen_request, recovery_request};
use respond::respond;

pub fn run(ctx: &Context, command: CmcCommand) -> Result<()> {
    match command {
        CmcCommand::ArchiveRequest(a) => archive_request(ctx, a),
        CmcCommand::RecoveryRequest(a) => recovery_request(ctx, a),
        CmcCommand::KeygenRequest(a) => keygen_request(ctx, a),
        CmcCommand::Respond(a) => respond(ctx, *a),
        CmcCommand::Parse(a) => parse(ctx, a),
        CmcCommand::Extract(a) => extract_keys(ctx, a),
        CmcCommand::Store(c) => store::run(ctx, c),
    }
}

/// The identifier table: kmi's defaults, overridden by `--oid-profile FILE`.
fn oids(args: &OidProfileArgs) -> Result<CmcOids> {
    match &args.oid_profile {
        None => Ok(CmcOids::default()),
        Some(path) => {
            let input = read_input(path)?;
            let text = std::str::from_utf8(&input.bytes)
                .map_err(|_| Error::malformed(path.clone(), "an OID profile must be UTF-8 text"))?;
            CmcOids::from_profile(text).map_err(|e| e.in_file(path))
        }
    }
}

fn read_private(ctx: &Context, path: &Path, pass: &PassphraseArgs) -> Result<PrivateKey> {
    match ctx.read_key(path, pass)? {
        Key::Private(k) => Ok(k),
        Key::Public(_) => Err(Error::invalid(format!(
            "{}: is a public key; a private key is needed here",
            path.display()
        ))),
    }
}

fn read_rsa_private(
    ctx: &Context,
    path: &Path,
    pass: &PassphraseArgs,
    what: &str,
) -> Result<RsaPrivate> {
    match read_private(ctx, path, pass)? {
        PrivateKey::Rsa(k) => Ok(k),
        PrivateKey::ElGamal(_) => Err(Error::invalid(format!(
            "{}: {what} must be an RSA key",
            path.display()
        ))),
    }
}

fn read_cert(path: &Path) -> Result<Certificate> {
    let input = read_input(path)?;
    kmi::keys::cert::read_certificates(&input.bytes)
        .map_err(|e| e.in_file(path))?
        .into_iter()
        .next()
        .ok_or_else(|| Error::malformed(path.to_path_buf(), "no certificate found"))
}

fn cert_belongs_to(cert: &Certificate, key: &RsaPrivate) -> Result<bool> {
    let own = encode_public_spki(&kmi::keys::PublicKey::Rsa(key.public.clone()))?;
    Ok(kmi::cms::ktri::cert_spki(cert)? == own)
}

fn signer(
    ctx: &Context,
    args: &SignerArgs,
    pass: &PassphraseArgs,
) -> Result<Option<RequestSigner>> {
    let Some(path) = &args.sign_key else {
        return Ok(None);
    };
    let key = read_rsa_private(ctx, path, pass, "--sign-key")?;
    if let Some(why) =
        kmi::keys::check::check_key(&Key::Private(PrivateKey::Rsa(key.clone())), false)
            .first_failure()
    {
        return Err(Error::check(format!(
            "{}: the signing key fails its registration checks (kmi key check): {why}",
            path.display()
        )));
    }
    let cert = match &args.sign_cert {
        None => None,
        Some(p) => {
            let c = read_cert(p)?;
            if !cert_belongs_to(&c, &key)? {
                return Err(Error::invalid(format!(
                    "{}: is not the certificate of --sign-key {}",
                    p.display(),
                    path.display()
                )));
            }
            Some(c)
        }
    };
    Ok(Some(RequestSigner { key, cert }))
}

fn required_signer(
    ctx: &Context,
    args: &SignerArgs,
    pass: &PassphraseArgs,
) -> Result<RequestSigner> {
    signer(ctx, args, pass)?.ok_or_else(|| {
        Error::invalid("the request must be signed: give --sign-key KEY (and --sign-cert CERT)")
    })
}

fn shroud(args: &ShroudArgs) -> Result<ShroudChoice> {
    match (&args.to, &args.shroud_secret) {
        (Some(path), None) => {
            let input = read_input(path)?;
            let r =
                kmi::cms::recipient_from_file_bytes(&input.bytes).map_err(|e| e.in_file(path))?;
            Ok(ShroudChoice::PublicKey(match r {
                kmi::cms::Recipient::Certificate(c) => {
                    ShroudWithPublicKey::Certificate(Box::new(c))
                }
                kmi::cms::Recipient::PublicKey(der) => ShroudWithPublicKey::PublicKey(
                    SubjectPublicKeyInfoOwned::from_der(&der).map_err(Error::encoding)?,
                ),
                _ => return Err(Error::internal("unexpected recipient kind")),
            }))
        }
        (None, Some(id)) => {
            if id.is_empty() {
                return Err(Error::invalid("--shroud-secret: the identifier is empty"));
            }
            Ok(ShroudChoice::SharedSecret(id.clone()))
        }
        _ => Err(Error::invalid(
            "give exactly one of --to FILE or --shroud-secret ID",
        )),
    }
}

fn write_message(out: &MessageOutputArgs, der: &[u8]) -> Result<()> {
    let spec = out.file.spec(false);
    // PEM unless --der (the hidden --pem of kmi 0.1 asks for the default).
    if out.der {
        write_output(&spec, der)
    } else {
        write_output(&spec, encode_pem("CMS", der)?.as_bytes())
    }
}

/// Check a message's output before the work: writable, not DER bound for a terminal, and not
/// standard output when `--json` takes it.
fn check_message_output(out: &MessageOutputArgs, json: bool) -> Result<()> {
    let spec = out.file.spec(false);
    if json && spec.is_stdout() {
        return Err(Error::invalid(
            "--json prints the report on standard output: give -o FILE for the message",
        ));
    }
    spec.check_writable()?;
    if out.der {
        super::refuse_binary_to_terminal(&spec)?;
    }
    Ok(())
}

/// The `--json` report of a request just written: what a script needs to match the agent's
/// response to it (transactionId, senderNonce), read back from the message itself.
fn request_json(
    kind: &str,
    identity: &str,
    out: &MessageOutputArgs,
    der: &[u8],
    oids: &CmcOids,
) -> Result<serde_json::Value> {
    use sha2::Digest;
    let report = kmi::cmc::print::parse_message(der, oids, &|sd| {
        sd.signer_infos
            .0
            .iter()
            .map(|_| kmi::cmc::print::SignerStatus {
                verified: false,
                detail: "not checked".into(),
            })
            .collect()
    })?;
    let value = serde_json::to_value(&report).map_err(|e| Error::internal(e.to_string()))?;
    let mut transaction_id = None;
    let mut sender_nonce = None;
    find_controls(&value, &mut transaction_id, &mut sender_nonce);
    // The file's digest, as written (PEM unless --der).
    let written = if out.der {
        der.to_vec()
    } else {
        encode_pem("CMS", der)?.into_bytes()
    };
    let authenticated = matches!(
        report.content,
        kmi::cmc::print::ContentReport::AuthenticatedData(_)
    );
    Ok(serde_json::json!({
        "request": kind,
        "owner": identity,
        "file": out.file.output.display().to_string(),
        "format": if out.der { "der" } else { "pem" },
        "transaction_id": transaction_id,
        "sender_nonce": sender_nonce,
        "authenticated_data": authenticated,
        "sha256": hex::encode(sha2::Sha256::digest(&written)),
    }))
}

/// The first transactionId and senderNonce controls anywhere in a `cmc parse` report.
fn find_controls(
    v: &serde_json::Value,
    tid: &mut Option<serde_json::Value>,
    nonce: &mut Option<serde_json::Value>,
) {
    match v {
        serde_json::Value::Object(m) => {
            match m.get("type").and_then(|t| t.as_str()) {
                Some("transaction_id") if tid.is_none() => *tid = m.get("value").cloned(),
                Some("sender_nonce") if nonce.is_none() => *nonce = m.get("hex").cloned(),
                _ => {}
            }
            m.values().for_each(|x| find_controls(x, tid, nonce));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| find_controls(x, tid, nonce)),
        _ => {}
    }
}

fn where_to(spec: &OutputSpec) -> String {
    spec.path
        .as_deref()
        .map_or("standard output".into(), |p| p.display().to_string())
}
