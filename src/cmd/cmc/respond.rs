//! kmi cmc respond: run the escrow agent on one request, with its credentials, policy and key
//! store, and write the signed response.

use kmi::cli::cmc::{PwriKekChoice, RespondArgs};
use kmi::cli::KeyPassphraseArgs;
use kmi::cmc::agent::{self, Agent, Policy, PwriKek, ResponseSigner};
use kmi::cmc::identity::{CaIssuer, IdentitySecrets};
use kmi::cmc::store::{DirStore, SplitConfig};
use kmi::io::{read_input, PassphraseSource};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::{Error, Result};

use super::{cert_belongs_to, oids, read_cert, read_rsa_private, where_to, write_message};
use crate::cmd::Context;

/// "K/N" for --split.
fn parse_split(text: &str) -> Result<(u32, u32)> {
    let bad = || Error::invalid(format!("--split {text}: expected K/N, e.g. 2/3"));
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: u32 = k.trim().parse().map_err(|_| bad())?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    if k < 1 || k > n || n > 255 {
        return Err(Error::invalid(format!(
            "--split {text}: need 1 <= K <= N <= 255"
        )));
    }
    Ok((k, n))
}

/// The agent's CA: its key, its certificate and the chain after it in the same file. Checked
/// now, by issuing a throw-away certificate for the CA's own key, so that a CA that cannot
/// issue (no keyCertSign, key and certificate not a pair, expired) is the operator's mistake
/// (exit 2, no response) and not a failed response to a client.
fn read_ca(
    ctx: &Context,
    key_path: &std::path::Path,
    cert_path: &std::path::Path,
    pass: &KeyPassphraseArgs,
    days: u32,
) -> Result<(
    kmi::keys::RsaPrivate,
    x509_cert::Certificate,
    Vec<x509_cert::Certificate>,
)> {
    let key = read_rsa_private(ctx, key_path, pass, "--ca-key")?;
    let input = read_input(cert_path)?;
    let mut certs = kmi::keys::cert::read_certificates(&input.bytes)
        .map_err(|e| e.in_file(cert_path))?
        .into_iter();
    let Some(cert) = certs.next() else {
        return Err(Error::malformed(
            cert_path.to_path_buf(),
            "no certificate found",
        ));
    };
    if !cert_belongs_to(&cert, &key)? {
        return Err(Error::invalid(format!(
            "{}: is not the certificate of --ca-key {}",
            cert_path.display(),
            key_path.display()
        )));
    }
    use kmi::keys::cert::build::{issue, CertSpec, Issuer, Usage};
    let probe = CertSpec {
        subject: cert.tbs_certificate.subject.clone(),
        spki: cert.tbs_certificate.subject_public_key_info.clone(),
        usages: vec![Usage::Encrypt],
        days,
        path_len: None,
    };
    let rsa = key.to_rsa_crate()?;
    issue(
        &probe,
        Issuer::Ca {
            cert: &cert,
            key: &rsa,
        },
        &mut KmiRng::new(None)?,
    )
    .map_err(|e| {
        Error::invalid(format!(
            "--ca-cert {}: cannot issue certificates: {}",
            cert_path.display(),
            e.reason()
        ))
    })?;
    Ok((key, cert, certs.collect()))
}

pub(super) fn respond(ctx: &Context, a: RespondArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    let spec = a.out.file.spec(false);
    spec.check_writable()?;
    let agent_key = read_rsa_private(ctx, &a.agent_key, &a.key_passphrase, "--agent-key")?;
    let agent_cert = read_cert(&a.agent_cert)?;
    if !cert_belongs_to(&agent_cert, &agent_key)? {
        return Err(Error::invalid(format!(
            "{}: is not the certificate of --agent-key {}",
            a.agent_cert.display(),
            a.agent_key.display()
        )));
    }
    let response_signer = match (&a.sign_key, &a.sign_cert) {
        (Some(k), Some(c)) => {
            let key = read_rsa_private(ctx, k, &a.key_passphrase, "--sign-key")?;
            let cert = read_cert(c)?;
            if !cert_belongs_to(&cert, &key)? {
                return Err(Error::invalid(format!(
                    "{}: is not the certificate of --sign-key {}",
                    c.display(),
                    k.display()
                )));
            }
            if key.public == agent_key.public {
                return Err(Error::invalid(
                    "--sign-key is --agent-key: give a key of its own, or leave both --sign-key and --sign-cert out",
                ));
            }
            Some((key, cert))
        }
        (None, None) => None,
        _ => return Err(Error::invalid("give --sign-key and --sign-cert together")),
    };
    let ca = match (&a.ca_key, &a.ca_cert) {
        (Some(k), Some(c)) => Some(read_ca(ctx, k, c, &a.key_passphrase, a.days)?),
        _ => None,
    };
    // A missing or unsafe secrets file is the agent's setup mistake: exit 2, no response.
    let identity_secrets = match &a.identity_secrets {
        Some(p) => Some(IdentitySecrets::load(p)?),
        None => None,
    };
    let request = read_input(&a.request)?;
    let mut store = DirStore::open(&a.store)?;
    if let Some(split) = &a.split {
        let (k, n) = parse_split(split)?;
        if a.to.len() != n as usize {
            return Err(Error::invalid(format!(
                "--split {split}: {n} shares need {n} --to trustees; {} given",
                a.to.len()
            )));
        }
        let mut recipients = Vec::with_capacity(a.to.len());
        for p in &a.to {
            let input = read_input(p)?;
            recipients
                .push(kmi::cms::recipient_from_file_bytes(&input.bytes).map_err(|e| e.in_file(p))?);
        }
        store = store.with_split(SplitConfig {
            threshold: k,
            total: n,
            recipients,
        })?;
    }
    if !a.share_key.is_empty() {
        let mut ids = Vec::new();
        for p in &a.share_key {
            ids.push(read_rsa_private(
                ctx,
                p,
                &KeyPassphraseArgs {
                    key_passphrase_file: None,
                    key_passphrase_fd: None,
                },
                "--share-key",
            )?);
        }
        store = store.with_openers(ids, Vec::new());
    }
    let secret_file = a.secret_file.clone();
    let batch = ctx.batch;
    let shared_secret = move |id: &str| -> Result<Option<zeroize::Zeroizing<String>>> {
        match &secret_file {
            Some(p) => PassphraseSource::File(p.clone())
                .read(&p.display().to_string(), false)
                .map(Some),
            None if batch => Ok(None),
            None => PassphraseSource::Prompt { batch: false }
                .read(&format!("the secret shared with {id:?}"), false)
                .map(Some),
        }
    };
    let now = der::DateTime::from_system_time(std::time::SystemTime::now())
        .map(|t| t.to_string())
        .unwrap_or_default();
    let agent = Agent {
        key: &agent_key,
        cert: &agent_cert,
        response_signer: response_signer
            .as_ref()
            .map(|(key, cert)| ResponseSigner { key, cert }),
        oids: &oids,
        shared_secret: &shared_secret,
        pwri_kek: match a.pwri_kek {
            PwriKekChoice::AesKw => PwriKek::AesKw,
            PwriKekChoice::Rfc3211 => PwriKek::Rfc3211,
        },
        pwri_iterations: a.pwri_iterations.max(1),
        policy: Policy {
            allow_any_signer: a.allow_any_signer,
            accept_signing_keys: a.accept_signing_keys,
            require_archive: a.require_archive,
            max_keygen_bits: a.max_bits,
            keygen_rsa_bits: a.keygen_bits,
        },
        search: SearchConfig {
            threads: ctx.threads(a.threads),
        },
        now,
        identity_secrets: identity_secrets.as_ref(),
        // `cmc respond` has no CA options yet: a catastrophic-loss recovery is answered without
        // a certificate for the new signing key, and the response says so.
        ca: ca.as_ref().map(|(key, cert, chain)| CaIssuer {
            cert,
            chain,
            key,
            days: a.days,
        }),
    };
    agent.policy.check()?;
    let mut rng = KmiRng::new(None)?;
    let (response, outcome) = agent::respond(&agent, &request.bytes, &mut store, &mut rng)?;
    write_message(&a.out, &response)?;
    if a.json {
        outln!(
            "{:#}",
            serde_json::json!({ "version": 1, "ok": outcome.ok(), "outcome": outcome })
        )?;
    }
    let kind = outcome
        .kind
        .map(|k| format!("{k:?}").to_lowercase())
        .unwrap_or_else(|| "unreadable".into());
    match &outcome.failure {
        None => {
            for k in &outcome.keys {
                ctx.note(format!(
                    "{} {}-bit {} key {} ({})",
                    k.action, k.bits, k.algorithm, k.fingerprint, kind
                ));
            }
            ctx.note(format!(
                "{kind} request{} answered: {}",
                outcome
                    .identity
                    .as_ref()
                    .map(|i| format!(" of {i:?}"))
                    .unwrap_or_default(),
                where_to(&spec)
            ));
            Ok(())
        }
        Some(_) if outcome.store_error.is_some() => Err(Error::Write {
            path: a.store.clone(),
            what: format!(
                "the key store could not be written ({}); the failure response is in {}",
                outcome.store_error.as_deref().unwrap_or_default(),
                where_to(&spec)
            ),
        }),
        Some(why) => Err(Error::check(format!(
            "{kind} request refused ({}): {why}; the failure response is in {}",
            outcome.fail_info.as_deref().unwrap_or("failed"),
            where_to(&spec)
        ))),
    }
}
