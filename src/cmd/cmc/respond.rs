//! kmi cmc respond: run the escrow agent on one request, with its credentials, policy and key
//! store, and write the signed response; with --log, record the decision in the ceremony record.

use kmi::cli::cmc::{PwriKekChoice, RespondArgs};
use kmi::cli::PassphraseArgs;
use kmi::cmc::agent::{self, Agent, Policy, PwriKek, ResponseSigner};
use kmi::cmc::identity::{CaIssuer, IdentitySecrets};
use kmi::cmc::store::{DbStore, Openers, SplitConfig};
use kmi::io::input::read_input_allow_empty;
use kmi::io::{read_input, PassphraseSource};
use kmi::log::{AgentDecision, Record};
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
    pass: &PassphraseArgs,
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
    let probe = CaIssuer {
        cert: &cert,
        chain: &[],
        key: &key,
        days,
    };
    probe
        .issue(
            &cert.tbs_certificate.subject,
            &cert.tbs_certificate.subject_public_key_info,
            kmi::keys::cert::build::Usage::Encrypt,
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
    // The record is opened and locked before the work (as for the share commands): a bad --log
    // fails first, and two agents on one record answer one after the other.
    if a.json && a.out.file.spec(false).is_stdout() {
        return Err(Error::invalid(
            "--json prints the report on standard output: give -o FILE for the response",
        ));
    }
    let log = a.log.log.clone();
    let mut record = ctx.open_record(log.as_deref())?;
    let request_path = a.request.clone();
    let response_path = a.out.file.spec(false).path.clone();
    let mut decision = None;
    let result = answer(ctx, a, &mut decision);
    // Every run leaves a line, whether the request was granted, refused or not answered.
    if let (Some(log), Some(record)) = (log, record.as_mut()) {
        let answered = decision
            .as_ref()
            .is_some_and(|d: &AgentDecision| d.decision != "not answered");
        let rec = Record {
            inputs: vec![request_path],
            outputs: response_path.into_iter().filter(|_| answered).collect(),
            ..Record::default()
        };
        let outcome = match &result {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("failed: {e}"),
        };
        let mut entry = rec.entry("cmc respond", &outcome);
        if let (Some(d), Err(e)) = (decision.as_mut(), &result) {
            if d.decision == "not answered" {
                d.reason = Some(e.to_string());
            }
        }
        entry.agent = decision;
        let head = record.append(entry)?;
        eprintln!("kmi: ceremony record {} head {head}", log.display());
    }
    result
}

/// Answer the request; `decision` is set once the request has been read.
fn answer(ctx: &Context, a: RespondArgs, decision: &mut Option<AgentDecision>) -> Result<()> {
    // --time first: the response time, the certificates the agent issues and the store's
    // records all read the clock.
    kmi::clock::set_time(a.fixture.time.time.as_deref())?;
    let oids = oids(&a.oids)?;
    let spec = a.out.file.spec(false);
    super::check_message_output(&a.out, false)?;
    let agent_key = read_rsa_private(ctx, &a.agent_key, &a.key_passphrase.source(), "--agent-key")?;
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
            let key = read_rsa_private(ctx, k, &a.key_passphrase.source(), "--sign-key")?;
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
        (Some(k), Some(c)) => Some(read_ca(ctx, k, c, &a.key_passphrase.source(), a.days)?),
        _ => None,
    };
    // A missing or unsafe secrets file is the agent's setup mistake: exit 2, no response.
    let identity_secrets = match &a.identity_secrets {
        Some(p) => Some(IdentitySecrets::load(p)?),
        None => None,
    };
    // An empty request is the client's malformed request (answered badRequest), not a
    // mistake of the agent's.
    let request = read_input_allow_empty(&a.request)?;
    // Until the agent has answered, a failure is a request not answered (the reason is filled
    // in from the error).
    *decision = Some(agent::record::not_answered(&request.bytes, ""));
    let mut store = DbStore::open(&a.store)?;
    if let Some(c) = &a.storage_cert {
        let cert = read_cert(c)?;
        if cert.tbs_certificate.subject_public_key_info
            == agent_cert.tbs_certificate.subject_public_key_info
        {
            return Err(Error::invalid(
                "--storage-cert is the agent's transport key (--agent-cert): the store seals keys to a key of its own",
            ));
        }
        store = store.with_storage_cert(cert)?;
    }
    if let Some(k) = &a.storage_key {
        store = store.with_storage_key(read_rsa_private(
            ctx,
            k,
            &a.key_passphrase.source(),
            "--storage-key",
        )?)?;
    }
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
    if !a.identity.is_empty() {
        let mut identities = Vec::new();
        // One passphrase opens every encrypted --identity key (read once: a descriptor can be
        // read only once).
        let pass = a.identity_passphrase.source().shared();
        for p in &a.identity {
            identities.push(read_rsa_private(ctx, p, &pass, "--identity")?);
        }
        store = store.with_openers(Openers {
            identities,
            passphrases: Vec::new(),
        });
    }
    // The store is taken for this decision now: a second agent waits here (or fails cleanly),
    // before either has read anything it could act on.
    store.begin()?;
    let secret_source = match (&a.secret_file, a.secret_fd) {
        (None, None) if ctx.batch => None,
        (file, fd) => Some(PassphraseSource::from_args(
            file.as_deref(),
            fd,
            false,
            "--secret",
        )),
    };
    let shared_secret = move |id: &str| -> Result<Option<zeroize::Zeroizing<String>>> {
        match &secret_source {
            Some(source) => source
                .read(&format!("the secret shared with {id:?}"), false)
                .map(Some),
            None => Ok(None),
        }
    };
    let now = der::DateTime::from_system_time(kmi::clock::now())
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
    let mut rng = ctx.secret_fixture_rng(
        &a.fixture,
        "the keys the agent generates and the envelopes it writes",
        false,
    )?;
    let (response, outcome) = agent::respond(&agent, &request.bytes, &mut store, &mut rng)?;
    *decision = Some(outcome.decision(&request.bytes));
    write_message(&a.out, &response)?;
    if a.json {
        let doc = serde_json::json!({ "response": where_to(&spec), "outcome": outcome });
        if outcome.ok() {
            crate::cmd::json::print(true, doc)?;
        } else {
            crate::cmd::json::fail_with(doc);
        }
    }
    let kind = outcome
        .kind
        .map(|k| format!("{k:?}").to_lowercase())
        .unwrap_or_else(|| "unreadable".into());
    match &outcome.failure {
        None => {
            if let Some(head) = &outcome.store_head {
                ctx.note(format!("key store {} head {head}", a.store.display()));
            }
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
