//! kmi cmc archive-request | recovery-request | keygen-request: the client's requests, signed
//! and written as CMC messages for an escrow agent.

use kmi::cli::cmc::{
    ArchiveRequestArgs, KeyUsageChoice, KeygenAlgorithmChoice, KeygenRequestArgs, PlacementChoice,
    RecoveryRequestArgs,
};
use kmi::cmc::agent;
use kmi::cmc::build::{
    self, common_name, parse_subject, ArchiveRequest, KeyUse, KeygenAlgorithm, KeygenRequest,
    Placement, RecoveryRequest,
};
use kmi::cms::ContentCipher;
use kmi::keys::elgamal::{generate_group, GroupSpec, NamedGroup};
use kmi::keys::{Key, PrivateKey};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::{Error, Result};

use super::{
    oids, read_cert, read_private, required_signer, shroud, signer, where_to, write_message,
};
use crate::cmd::Context;

pub(super) fn archive_request(ctx: &Context, a: ArchiveRequestArgs) -> Result<()> {
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
            return Err(Error::invalid(format!(
                "a key declared for signing ({flag}) is never escrowed (whoever holds a copy can sign as its owner); --force-signing-key overrides"
            )));
        }
        ctx.warn(format!("archiving a key declared for signing ({flag}): the agent's operators will be able to sign as its owner, and an agent refuses it unless run with --accept-signing-keys"));
    }
    if a.signer.sign_key.is_none() && !a.sign_with_archived_key {
        return Err(Error::invalid(
            "the request must be signed by a separate signing key: give --sign-key KEY (and --sign-cert CERT), or --sign-with-archived-key to sign with the archived key itself",
        ));
    }
    // Archival by certificateID: the certificate names the key and its use.
    let certificate = a.cert.as_deref().map(read_cert).transpose()?;
    if let (Some(c), Some(p)) = (&certificate, &a.cert) {
        if let Some(why) = build::escrow_refusal(
            build::certificate_key_usage(c)
                .map_err(|e| e.in_file(p))?
                .as_ref(),
        ) {
            if !a.force_signing_key {
                return Err(Error::invalid(format!(
                    "{}: {why}; --force-signing-key overrides",
                    p.display()
                )));
            }
            ctx.warn(format!("archiving the key of a certificate that allows signing ({}): the agent's operators will be able to sign as its owner, and an agent refuses it unless run with --accept-signing-keys", p.display()));
        }
    }
    let (subject, identity) = match (&a.subject, &a.identity) {
        _ if certificate.is_some() => {
            let name = certificate
                .as_ref()
                .map(|c| c.tbs_certificate.subject.clone())
                .unwrap_or_default();
            let identity = match &a.identity {
                Some(i) => i.clone(),
                None => common_name(&name).ok_or_else(|| {
                    Error::invalid(
                        "--cert: the certificate's subject has no CN: give --identity TEXT",
                    )
                })?,
            };
            (name, identity)
        }
        (Some(s), id) => {
            let name = parse_subject(s)?;
            let identity = match id {
                Some(i) => i.clone(),
                None => common_name(&name)
                    .ok_or_else(|| Error::invalid("--subject has no CN: give --identity TEXT"))?,
            };
            (name, identity)
        }
        (None, Some(id)) => (
            parse_subject(&format!("CN={}", rfc4514_escape(id)))?,
            id.clone(),
        ),
        (None, None) => {
            return Err(Error::invalid(
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
            return Err(Error::invalid(
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
        certificate,
    };
    let signed_by = match &req.signer {
        Some(s) if s.cert.is_some() => "--sign-key with its certificate",
        Some(_) => "--sign-key (by key identifier)",
        None => "the archived key itself",
    };
    let der = build::archive_request(&req, &oids, &mut rng).map_err(|e| match (&e, &a.cert) {
        (Error::Invalid(_), Some(c)) => e.in_file(c),
        _ => e.in_file(&a.key),
    })?;
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

pub(super) fn recovery_request(ctx: &Context, a: RecoveryRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    a.out.file.spec(false).check_writable()?;
    let shroud = shroud(&a.shroud)?;
    let signer = required_signer(ctx, &a.signer, &a.key_passphrase)?;
    let identity = match (&a.identity, &signer.cert) {
        (Some(i), _) => i.clone(),
        (None, Some(c)) => common_name(&c.tbs_certificate.subject).ok_or_else(|| {
            Error::invalid("the --sign-cert subject has no CN: give --identity TEXT")
        })?,
        (None, None) => {
            return Err(Error::invalid(
                "give --identity TEXT (whose keys to recover)",
            ))
        }
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

pub(super) fn keygen_request(ctx: &Context, a: KeygenRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    a.out.file.spec(false).check_writable()?;
    let subject = parse_subject(&a.subject)?;
    let identity = match &a.identity {
        Some(i) => i.clone(),
        None => common_name(&subject)
            .ok_or_else(|| Error::invalid("--subject has no CN: give --identity TEXT"))?,
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
                return Err(Error::invalid(format!(
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
                        return Err(Error::invalid(format!(
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
