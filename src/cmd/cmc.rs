//! kmi cmc archive-request | recovery-request | keygen-request | respond | parse | extract

use std::cell::RefCell;
use std::path::Path;

use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use kmi::cli::cmc::{
    ArchiveRequestArgs, CmcCommand, ExtractArgs, KeyUsageChoice, KeygenAlgorithmChoice,
    KeygenRequestArgs, MessageOutputArgs, OidProfileArgs, ParseArgs, PlacementChoice,
    PwriKekChoice, RecoveryRequestArgs, RespondArgs, ShroudArgs, SignerArgs,
};
use kmi::cli::{KeyPassphraseArgs, PassphraseArgs};
use kmi::cmc::agent::{self, Agent, Policy, PwriKek, ResponseSigner};
use kmi::cmc::build::{
    self, common_name, parse_subject, ArchiveRequest, KeyUse, KeygenAlgorithm, KeygenRequest,
    Placement, RecoveryRequest, RequestSigner, ShroudChoice,
};
use kmi::cmc::extract::{self, Opener, SignatureCheck};
use kmi::cmc::oids::CmcOids;
use kmi::cmc::print::{self, SignerStatus};
use kmi::cmc::store::{spki_fingerprint, DirStore, SplitConfig};
use kmi::cmc::types::{ShroudWithPublicKey, TaggedRequest};
use kmi::cms::signed::{SignedMessage, SignerProblem};
use kmi::cms::ContentCipher;
use kmi::io::{encode_pem, read_input, write_output, OutputSpec, PassphraseSource};
use kmi::keys::elgamal::{generate_group, GroupSpec, NamedGroup};
use kmi::keys::{encode_private, encode_public_spki, Key, PrivateKey, RsaPrivate};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::{Error, Result};

use super::Context;

pub fn run(ctx: &Context, command: CmcCommand) -> Result<()> {
    match command {
        CmcCommand::ArchiveRequest(a) => archive_request(ctx, a),
        CmcCommand::RecoveryRequest(a) => recovery_request(ctx, a),
        CmcCommand::KeygenRequest(a) => keygen_request(ctx, a),
        CmcCommand::Respond(a) => respond(ctx, a),
        CmcCommand::Parse(a) => parse(ctx, a),
        CmcCommand::Extract(a) => extract_keys(ctx, a),
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

fn key_pass(a: &KeyPassphraseArgs) -> PassphraseArgs {
    PassphraseArgs {
        passphrase_file: a.key_passphrase_file.clone(),
        passphrase_fd: a.key_passphrase_fd,
    }
}

fn read_private(ctx: &Context, path: &Path, pass: &KeyPassphraseArgs) -> Result<PrivateKey> {
    match ctx.read_key(path, &key_pass(pass))? {
        Key::Private(k) => Ok(k),
        Key::Public(_) => Err(Error::usage(format!(
            "{}: is a public key; a private key is needed here",
            path.display()
        ))),
    }
}

fn read_rsa_private(
    ctx: &Context,
    path: &Path,
    pass: &KeyPassphraseArgs,
    what: &str,
) -> Result<RsaPrivate> {
    match read_private(ctx, path, pass)? {
        PrivateKey::Rsa(k) => Ok(k),
        PrivateKey::ElGamal(_) => Err(Error::usage(format!(
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
    pass: &KeyPassphraseArgs,
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
                return Err(Error::usage(format!(
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
    pass: &KeyPassphraseArgs,
) -> Result<RequestSigner> {
    signer(ctx, args, pass)?.ok_or_else(|| {
        Error::usage("the request must be signed: give --sign-key KEY (and --sign-cert CERT)")
    })
}

fn shroud(args: &ShroudArgs) -> Result<ShroudChoice> {
    match (&args.shroud_key, &args.shroud_secret) {
        (Some(path), None) => {
            let input = read_input(path)?;
            let r =
                kmi::cms::recipient_from_file_bytes(&input.bytes).map_err(|e| e.in_file(path))?;
            Ok(ShroudChoice::PublicKey(match r {
                kmi::cms::Recipient::Certificate(c) => {
                    ShroudWithPublicKey::Certificate(Box::new(c))
                }
                kmi::cms::Recipient::PublicKey(der) => ShroudWithPublicKey::PublicKey(
                    SubjectPublicKeyInfoOwned::from_der(&der)
                        .map_err(|e| Error::internal(e.to_string()))?,
                ),
                _ => return Err(Error::internal("unexpected recipient kind")),
            }))
        }
        (None, Some(id)) => {
            if id.is_empty() {
                return Err(Error::usage("--shroud-secret: the identifier is empty"));
            }
            Ok(ShroudChoice::SharedSecret(id.clone()))
        }
        _ => Err(Error::usage(
            "give exactly one of --shroud-key FILE or --shroud-secret ID",
        )),
    }
}

fn write_message(out: &MessageOutputArgs, der: &[u8]) -> Result<()> {
    let spec = out.file.spec(false);
    if out.pem {
        write_output(&spec, encode_pem("CMS", der)?.as_bytes())
    } else {
        write_output(&spec, der)
    }
}

fn where_to(spec: &OutputSpec) -> String {
    spec.path
        .as_deref()
        .map_or("standard output".into(), |p| p.display().to_string())
}

fn archive_request(ctx: &Context, a: ArchiveRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    a.out.file.spec(false).check_writable()?;
    let key_use = match a.key_usage {
        KeyUsageChoice::Encipherment => KeyUse::Encipherment,
        KeyUsageChoice::Signature => KeyUse::Signature,
        KeyUsageChoice::Both => KeyUse::Both,
    };
    if key_use != KeyUse::Encipherment {
        let flag = match key_use {
            KeyUse::Signature => "--key-usage signature",
            _ => "--key-usage both",
        };
        if !a.force_signing_key {
            return Err(Error::usage(format!(
                "a key declared for signing ({flag}) is never escrowed (whoever holds a copy can sign as its owner); --force-signing-key overrides"
            )));
        }
        ctx.warn(format!("archiving a key declared for signing ({flag}): the agent's operators will be able to sign as its owner, and an agent refuses it unless run with --accept-signing-keys"));
    }
    if a.signer.sign_key.is_none() && !a.sign_with_archived_key {
        return Err(Error::usage(
            "the request must be signed by a separate signing key: give --sign-key KEY (and --sign-cert CERT), or --sign-with-archived-key to sign with the archived key itself",
        ));
    }
    let (subject, identity) = match (&a.subject, &a.identity) {
        (Some(s), id) => {
            let name = parse_subject(s)?;
            let identity = match id {
                Some(i) => i.clone(),
                None => common_name(&name)
                    .ok_or_else(|| Error::usage("--subject has no CN: give --identity TEXT"))?,
            };
            (name, identity)
        }
        (None, Some(id)) => (
            parse_subject(&format!("CN={}", rfc4514_escape(id)))?,
            id.clone(),
        ),
        (None, None) => {
            return Err(Error::usage(
                "say whose key this is: --subject DN and/or --identity TEXT",
            ))
        }
    };
    let key = read_private(ctx, &a.key, &a.key_passphrase)?;
    // The key's registration checks first: a malformed key (p = q, CRT values that do not match)
    // is the user's input problem, named, not a signature failure deep in the request builder.
    if let Some(why) =
        kmi::keys::check::check_key(&Key::Private(key.clone()), false).first_failure()
    {
        return Err(Error::check(format!(
            "{}: the key fails its registration checks (kmi key check): {why}",
            a.key.display()
        )));
    }
    if a.sign_with_archived_key {
        if matches!(key, PrivateKey::ElGamal(_)) {
            return Err(Error::usage(
                "--sign-with-archived-key: an ElGamal key cannot sign; give --sign-key KEY (and --sign-cert CERT)",
            ));
        }
        ctx.warn("--sign-with-archived-key: the archived key signs its own request, so it serves as a signing key too; a separate --sign-key keeps the escrowed key an encryption key only");
    }
    let agent_cert = read_cert(&a.agent)?;
    let signer = signer(ctx, &a.signer, &a.key_passphrase)?;
    let signed_by_unknown_key_id = match &signer {
        Some(s) if s.cert.is_none() => {
            !matches!(&key, PrivateKey::Rsa(k) if k.public == s.key.public)
        }
        _ => false,
    };
    if signed_by_unknown_key_id {
        ctx.warn("without --sign-cert the request is signed by key identifier only: the agent can check it only if it knows --sign-key's public key from an earlier request signed with its certificate");
    }
    let mut rng = KmiRng::new(None)?;
    let req = ArchiveRequest {
        key: &key,
        agent: &agent_cert,
        subject,
        identity: identity.clone(),
        placement: match a.placement {
            PlacementChoice::Body => Placement::Body,
            PlacementChoice::Unsigned => Placement::Unsigned,
        },
        selection: a.selection.as_ref().map(|s| s.as_bytes().to_vec()),
        key_use,
        signer,
        cipher: if a.cbc {
            ContentCipher::Aes256Cbc
        } else {
            ContentCipher::Aes256Gcm
        },
    };
    let signed_by = match &req.signer {
        Some(s) if s.cert.is_some() => "--sign-key with its certificate",
        Some(_) => "--sign-key (by key identifier)",
        None => "the archived key itself",
    };
    let der = build::archive_request(&req, &oids, &mut rng).map_err(|e| e.in_file(&a.key))?;
    write_message(&a.out, &der)?;
    ctx.note(format!(
        "archive request for {} ({} {}-bit key, identity {identity:?}, key in {} {}), signed by {signed_by}: {}",
        a.key.display(),
        key.public().kind(),
        key.public().bits(),
        if a.cbc {
            "EnvelopedData (AES-256-CBC) in"
        } else {
            "AuthEnvelopedData (AES-256-GCM) in"
        },
        match a.placement {
            PlacementChoice::Body => "the signed body",
            PlacementChoice::Unsigned => "an unsigned attribute",
        },
        where_to(&a.out.file.spec(false))
    ));
    Ok(())
}

/// Escape an RFC 4514 attribute value.
fn rfc4514_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        let edge = i == 0 && (c == ' ' || c == '#') || i + 1 == v.chars().count() && c == ' ';
        if edge || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn recovery_request(ctx: &Context, a: RecoveryRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    a.out.file.spec(false).check_writable()?;
    let shroud = shroud(&a.shroud)?;
    let signer = required_signer(ctx, &a.signer, &a.key_passphrase)?;
    let identity = match (&a.identity, &signer.cert) {
        (Some(i), _) => i.clone(),
        (None, Some(c)) => common_name(&c.tbs_certificate.subject).ok_or_else(|| {
            Error::usage("the --sign-cert subject has no CN: give --identity TEXT")
        })?,
        (None, None) => return Err(Error::usage("give --identity TEXT (whose keys to recover)")),
    };
    let mut rng = KmiRng::new(None)?;
    let der = build::recovery_request(
        &RecoveryRequest {
            identity: identity.clone(),
            shroud,
            selection: a.selection.as_ref().map(|s| s.as_bytes().to_vec()),
            signer,
        },
        &oids,
        &mut rng,
    )?;
    write_message(&a.out, &der)?;
    ctx.note(format!(
        "recovery request for identity {identity:?}: {}",
        where_to(&a.out.file.spec(false))
    ));
    Ok(())
}

fn keygen_request(ctx: &Context, a: KeygenRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    a.out.file.spec(false).check_writable()?;
    let subject = parse_subject(&a.subject)?;
    let identity = match &a.identity {
        Some(i) => i.clone(),
        None => common_name(&subject)
            .ok_or_else(|| Error::usage("--subject has no CN: give --identity TEXT"))?,
    };
    let shroud = shroud(&a.shroud)?;
    let signer = required_signer(ctx, &a.signer, &a.key_passphrase)?;
    if signer.cert.is_none() {
        ctx.warn("without --sign-cert the request is signed by key identifier only: the agent can check it only when --sign-key is the key of --shroud-key or a key it knows from an earlier request signed with its certificate");
    }
    let mut rng = KmiRng::new(None)?;
    let algorithm = match a.algorithm {
        KeygenAlgorithmChoice::Rsa => {
            if !agent::KEYGEN_RSA_BITS.contains(&a.bits) {
                return Err(Error::usage(format!(
                    "--bits {}: the agent generates RSA keys of {} to {} bits",
                    a.bits,
                    agent::KEYGEN_RSA_BITS.start(),
                    agent::KEYGEN_RSA_BITS.end()
                )));
            }
            KeygenAlgorithm::Rsa { bits: a.bits }
        }
        KeygenAlgorithmChoice::Elgamal => {
            let group = match NamedGroup::ALL.iter().find(|g| g.bits() == a.bits as usize) {
                Some(g) => g.group(),
                None => {
                    if u64::from(a.bits) < agent::KEYGEN_MIN_ELGAMAL_BITS {
                        return Err(Error::usage(format!(
                            "--bits {}: ElGamal groups of at least {} bits",
                            a.bits,
                            agent::KEYGEN_MIN_ELGAMAL_BITS
                        )));
                    }
                    ctx.note(format!(
                        "making a {}-bit safe-prime group for the request (the group is public; the agent makes the key)",
                        a.bits
                    ));
                    generate_group(
                        GroupSpec::SafePrime {
                            bits: a.bits as usize,
                        },
                        &mut rng,
                        &SearchConfig::default(),
                        &kmi::keys::Quiet,
                    )?
                }
            };
            KeygenAlgorithm::ElGamal { group }
        }
    };
    let der = build::keygen_request(
        &KeygenRequest {
            subject,
            identity: identity.clone(),
            shroud,
            archive: a.archive,
            algorithm,
            selection: a.selection.as_ref().map(|s| s.as_bytes().to_vec()),
            signer,
        },
        &oids,
        &mut rng,
    )?;
    write_message(&a.out, &der)?;
    ctx.note(format!(
        "key generation request for identity {identity:?}{}: {}",
        if a.archive { ", to be archived" } else { "" },
        where_to(&a.out.file.spec(false))
    ));
    Ok(())
}

/// "K/N" for --split.
fn parse_split(text: &str) -> Result<(u32, u32)> {
    let bad = || Error::usage(format!("--split {text}: expected K/N, e.g. 2/3"));
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: u32 = k.trim().parse().map_err(|_| bad())?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    if k < 1 || k > n || n > 255 {
        return Err(Error::usage(format!(
            "--split {text}: need 1 <= K <= N <= 255"
        )));
    }
    Ok((k, n))
}

fn respond(ctx: &Context, a: RespondArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    let spec = a.out.file.spec(false);
    spec.check_writable()?;
    let agent_key = read_rsa_private(ctx, &a.agent_key, &a.key_passphrase, "--agent-key")?;
    let agent_cert = read_cert(&a.agent_cert)?;
    if !cert_belongs_to(&agent_cert, &agent_key)? {
        return Err(Error::usage(format!(
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
                return Err(Error::usage(format!(
                    "{}: is not the certificate of --sign-key {}",
                    c.display(),
                    k.display()
                )));
            }
            if key.public == agent_key.public {
                return Err(Error::usage(
                    "--sign-key is --agent-key: give a key of its own, or leave both --sign-key and --sign-cert out",
                ));
            }
            Some((key, cert))
        }
        (None, None) => None,
        _ => return Err(Error::usage("give --sign-key and --sign-cert together")),
    };
    let request = read_input(&a.request)?;
    let mut store = DirStore::open(&a.store)?;
    if let Some(split) = &a.split {
        let (k, n) = parse_split(split)?;
        if a.to.len() != n as usize {
            return Err(Error::usage(format!(
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
        },
        search: SearchConfig {
            threads: ctx.threads(a.threads),
        },
        now,
    };
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

/// Public keys a message carries for its own verification: those of its certification requests
/// and of a public-key shroud (a request may be signed by the key it enrolls or shrouds to).
fn enclosed_spkis(sd: &cms::signed_data::SignedData, oids: &CmcOids) -> Vec<Vec<u8>> {
    use kmi::cmc::types::{Control, PkiData, Shroud};
    let mut out = Vec::new();
    let Ok(Some(content)) = print::econtent_of(sd) else {
        return out;
    };
    let Ok(pd) = PkiData::from_der(&content) else {
        return out;
    };
    let mut push = |r: &TaggedRequest| match r {
        TaggedRequest::Tcr(t) => out.extend(t.certification_request.info.public_key.to_der().ok()),
        TaggedRequest::Crm(c) => out.extend(
            c.cert_req
                .cert_template
                .public_key
                .as_ref()
                .and_then(|k| k.to_der().ok()),
        ),
        TaggedRequest::Orm(_) => {}
    };
    for r in &pd.req_sequence {
        push(r);
    }
    for ta in &pd.control_sequence {
        let method = match ta.decode_control(oids) {
            Ok(Control::KeyRecoveryReq(k)) => k.shroud_method,
            Ok(Control::ServerKeyGenRequest(s)) => s.shroud_method,
            _ => continue,
        };
        match Shroud::from_method(&method, oids) {
            Ok(Shroud::PublicKey(ShroudWithPublicKey::Certificate(c))) => {
                out.extend(kmi::cms::ktri::cert_spki(&c).ok())
            }
            Ok(Shroud::PublicKey(ShroudWithPublicKey::PublicKey(k))) => out.extend(k.to_der().ok()),
            _ => {}
        }
    }
    out
}

fn parse(_ctx: &Context, a: ParseArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    let input = read_input(&a.message)?;
    let mut certs = Vec::new();
    for p in &a.cert {
        let bytes = read_input(p)?.bytes;
        certs.extend(kmi::keys::cert::read_certificates(&bytes).map_err(|e| e.in_file(p))?);
    }
    let bad: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let verifier = |sd: &cms::signed_data::SignedData| -> Vec<SignerStatus> {
        let msg = SignedMessage {
            signed_data: sd.clone(),
        };
        let spkis = enclosed_spkis(sd, &oids);
        match msg.verify(None, &certs, &spkis) {
            Err(e) => sd
                .signer_infos
                .0
                .iter()
                .map(|_| SignerStatus {
                    verified: false,
                    detail: format!("not checked: {e}"),
                })
                .collect(),
            Ok(checks) => checks
                .into_iter()
                .map(|c| match c.outcome {
                    Ok(()) => SignerStatus {
                        verified: true,
                        detail: match &c.certificate {
                            Some(cert) => format!(
                                "signature verified with the certificate of {} (its chain is not checked)",
                                kmi::keys::cert::subject(cert)
                            ),
                            None => "signature verified with the public key of the enclosed request".into(),
                        },
                    },
                    Err(why) => {
                        // A signer kmi has no key for is reported, not counted as bad.
                        if why != SignerProblem::NoKey {
                            bad.borrow_mut().push(format!("{}: {why}", c.sid));
                        }
                        SignerStatus {
                            verified: false,
                            detail: why.to_string(),
                        }
                    }
                })
                .collect(),
        }
    };
    let report =
        print::parse_message(&input.bytes, &oids, &verifier).map_err(|e| e.in_file(&a.message))?;
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report)
                .map_err(|e| Error::internal(format!("JSON: {e}")))?
        )?;
    } else {
        let text = print::render_text(&report);
        if text.ends_with('\n') {
            out!("{text}")?;
        } else {
            outln!("{text}")?;
        }
    }
    let bad = bad.into_inner();
    if let Some(first) = bad.first() {
        return Err(Error::check(format!(
            "{}: a signature does not verify ({first})",
            a.message.display()
        )));
    }
    Ok(())
}

fn extract_keys(ctx: &Context, a: ExtractArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    let spec = a.out.spec(true);
    spec.check_writable()?;
    if a.agent_cert.is_none() && !a.insecure {
        return Err(Error::usage(
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
    let opener = match (&a.open.key, &a.open.passphrase_file) {
        (Some(p), None) => {
            key = read_rsa_private(ctx, p, &a.key_passphrase, "--key")?;
            Opener::Key(&key)
        }
        (None, Some(p)) => {
            secret = PassphraseSource::File(p.clone()).read(&p.display().to_string(), false)?;
            Opener::Passphrase(&secret)
        }
        _ => {
            return Err(Error::usage(
                "give exactly one of --key KEY or --passphrase-file FILE",
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
    match (got.keys.as_slice(), &spec.path) {
        ([(k, id)], _) => {
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
                ctx.note(format!(
                    "extracted {} to {}",
                    describe(k, id)?,
                    dir.join(name).display()
                ));
            }
        }
    }
    Ok(())
}
