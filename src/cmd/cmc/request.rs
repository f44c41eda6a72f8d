//! kmi cmc archive-request | recovery-request | keygen-request: the client's requests, signed
//! and written as CMC messages for an escrow agent.

use kmi::cli::cmc::{
    ArchiveRequestArgs, KeyUsageChoice, KeygenAlgorithmChoice, KeygenRequestArgs, PlacementChoice,
    RecoveryRequestArgs, SharedSecretArgs, SignerArgs,
};
use kmi::cmc::agent;
use kmi::cmc::build::{
    self, common_name, parse_subject, ArchiveRequest, KeyUse, KeygenAlgorithm, KeygenRequest,
    Placement, RecoveryRequest,
};
use kmi::cmc::identity::{self, NewKeyRecovery, SharedSecret};
use kmi::cms::ContentCipher;
use kmi::io::PassphraseSource;
use kmi::keys::cert::build::common_name_only;
use kmi::keys::elgamal::{generate_group, GroupSpec, NamedGroup};
use kmi::keys::{Key, PrivateKey};
use kmi::math::prime::SearchConfig;
use kmi::{Error, Result};

use super::{
    oids, read_cert, read_private, read_rsa_private, required_signer, shroud, signer, where_to,
    write_message,
};
use crate::cmd::Context;

/// The secret of --secret-file / --secret-fd, if given; refused together with a
/// signing key (the secret authenticates the request instead of a signature).
/// A signed request's randomness (nonces, transaction ids) protects nothing: its --seed needs
/// no --insecure-fixture.
fn plain_fixture(f: &kmi::cli::SecretFixtureArgs) -> kmi::cli::FixtureArgs {
    kmi::cli::FixtureArgs {
        seed: f.seed.clone(),
        time: f.time.clone(),
    }
}

fn shared_secret(a: &SharedSecretArgs, signer: &SignerArgs) -> Result<Option<SharedSecret>> {
    let source = match (&a.secret_file, a.secret_fd) {
        (Some(p), _) => PassphraseSource::from_file_arg(p),
        (None, Some(fd)) => PassphraseSource::Fd(fd),
        (None, None) => return Ok(None),
    };
    if signer.sign_key.is_some() {
        return Err(Error::invalid(
            "--secret-file authenticates the request in place of a signature: leave out --sign-key",
        ));
    }
    let text = source.read("the secret shared with the agent", false)?;
    SharedSecret::from_hex(&text)
        .map(Some)
        .map_err(|e| Error::invalid(format!("--secret-file: {e}")))
}

pub(super) fn archive_request(ctx: &Context, a: ArchiveRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    super::check_message_output(&a.out, a.json)?;
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
    let secret = shared_secret(&a.shared_secret, &a.signer)?;
    if secret.is_some() {
        if a.sign_with_archived_key {
            return Err(Error::invalid(
                "--secret-file authenticates the request in place of a signature: leave out --sign-with-archived-key",
            ));
        }
        if a.placement == Some(PlacementChoice::Unsigned) {
            return Err(Error::invalid(
                "--placement unsigned needs a signer to carry the attribute; with --secret-file the key goes in the authenticated body",
            ));
        }
    }
    let placement = match (a.placement, &secret) {
        (Some(p), _) => p,
        (None, Some(_)) => PlacementChoice::Body,
        (None, None) => PlacementChoice::Unsigned,
    };
    if secret.is_none() && a.signer.sign_key.is_none() && !a.sign_with_archived_key {
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
    let (subject, identity) = match (&a.subject, &a.owner) {
        _ if certificate.is_some() => {
            let name = certificate
                .as_ref()
                .map(|c| c.tbs_certificate.subject.clone())
                .unwrap_or_default();
            let identity = match &a.owner {
                Some(i) => i.clone(),
                None => common_name(&name).ok_or_else(|| {
                    Error::invalid("--cert: the certificate's subject has no CN: give --owner NAME")
                })?,
            };
            (name, identity)
        }
        (Some(s), id) => {
            let name = parse_subject(s)?;
            let identity = match id {
                Some(i) => i.clone(),
                None => common_name(&name)
                    .ok_or_else(|| Error::invalid("--subject has no CN: give --owner NAME"))?,
            };
            (name, identity)
        }
        (None, Some(id)) => (common_name_only(id)?, id.clone()),
        (None, None) => {
            return Err(Error::invalid(
                "say whose key this is: --subject DN and/or --owner NAME",
            ))
        }
    };
    let key = read_private(ctx, &a.key, &a.key_passphrase.source())?;
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
    let agent_cert = read_cert(&a.to)?;
    let signer = signer(ctx, &a.signer, &a.key_passphrase.source())?;
    let signed_by_unknown_key_id = match &signer {
        Some(s) if s.cert.is_none() => {
            !matches!(&key, PrivateKey::Rsa(k) if k.public == s.key.public)
        }
        _ => false,
    };
    if signed_by_unknown_key_id {
        ctx.warn("without --sign-cert the request is signed by key identifier only: the agent can check it only if it knows --sign-key's public key from an earlier request signed with its certificate");
    }
    let mut rng = ctx.secret_fixture_rng(
        &a.fixture,
        "the archived private key (through its content-encryption key)",
        false,
    )?;
    let req = ArchiveRequest {
        key: &key,
        agent: &agent_cert,
        subject,
        identity: identity.clone(),
        placement: match placement {
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
    let signed_by = match (&req.signer, &secret) {
        (_, Some(_)) => "none: authenticated with the shared secret (AuthenticatedData)",
        (Some(s), _) if s.cert.is_some() => "--sign-key with its certificate",
        (Some(_), _) => "--sign-key (by key identifier)",
        (None, None) => "the archived key itself",
    };
    let der = match &secret {
        Some(secret) => {
            let (pd, _) =
                build::archive_pki_data(&req, &oids, &mut rng).map_err(|e| e.in_file(&a.key))?;
            identity::authenticated_request(pd, &identity, secret, &oids, &mut rng)?
        }
        None => build::archive_request(&req, &oids, &mut rng).map_err(|e| match (&e, &a.cert) {
            (Error::Invalid(_), Some(c)) => e.in_file(c),
            _ => e.in_file(&a.key),
        })?,
    };
    write_message(&a.out, &der)?;
    if a.json {
        crate::cmd::json::print(
            true,
            super::request_json("archive", &identity, &a.out, &der, &oids)?,
        )?;
    }
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
        match placement {
            PlacementChoice::Body => "the body",
            PlacementChoice::Unsigned => "an unsigned attribute",
        },
        where_to(&a.out.file.spec(false))
    ));
    Ok(())
}

pub(super) fn recovery_request(ctx: &Context, a: RecoveryRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    super::check_message_output(&a.out, a.json)?;
    let shroud = shroud(&a.shroud)?;
    let selection = a.selection.as_ref().map(|s| s.as_bytes().to_vec());
    if let Some(secret) = shared_secret(&a.shared_secret, &a.signer)? {
        let identity = a.owner.clone().ok_or_else(|| {
            Error::invalid(
                "--secret-file: give --owner NAME (the name the agent knows the secret by)",
            )
        })?;
        let mut rng = ctx.secret_fixture_rng(
            &a.fixture,
            "the request's MAC key (a forged request would pass)",
            false,
        )?;
        let (der, how) = match &a.new_sign_key {
            Some(p) => {
                let new_key =
                    read_rsa_private(ctx, p, &a.key_passphrase.source(), "--new-sign-key")?;
                let subject = match &a.subject {
                    Some(s) => parse_subject(s)?,
                    None => common_name_only(&identity)?,
                };
                let der = identity::new_key_recovery_request(
                    &NewKeyRecovery {
                        identity: identity.clone(),
                        shroud,
                        selection,
                        new_key: &new_key,
                        subject,
                        secret: &secret,
                    },
                    &oids,
                    &mut rng,
                )?;
                (
                    der,
                    "with a certification request for --new-sign-key, signed by it",
                )
            }
            None => {
                let pd = build::recovery_pki_data(&identity, &shroud, &selection, &oids, &mut rng)?;
                (
                    identity::authenticated_request(pd, &identity, &secret, &oids, &mut rng)?,
                    "authenticated with the shared secret (AuthenticatedData)",
                )
            }
        };
        write_message(&a.out, &der)?;
        if a.json {
            crate::cmd::json::print(
                true,
                super::request_json("recovery", &identity, &a.out, &der, &oids)?,
            )?;
        }
        ctx.note(format!(
            "recovery request for identity {identity:?}, {how}, with identityProofV2: {}",
            where_to(&a.out.file.spec(false))
        ));
        return Ok(());
    }
    if a.new_sign_key.is_some() {
        return Err(Error::invalid(
            "--new-sign-key: a catastrophic-loss recovery proves its identity with --secret-file (or --secret-fd)",
        ));
    }
    let signer = required_signer(ctx, &a.signer, &a.key_passphrase.source())?;
    let identity = match (&a.owner, &signer.cert) {
        (Some(i), _) => i.clone(),
        (None, Some(c)) => common_name(&c.tbs_certificate.subject).ok_or_else(|| {
            Error::invalid("the --sign-cert subject has no CN: give --owner NAME")
        })?,
        (None, None) => return Err(Error::invalid("give --owner NAME (whose keys to recover)")),
    };
    let mut rng = ctx.fixture_rng(&plain_fixture(&a.fixture), "the request's nonces")?;
    let der = build::recovery_request(
        &RecoveryRequest {
            identity: identity.clone(),
            shroud,
            selection,
            signer,
        },
        &oids,
        &mut rng,
    )?;
    write_message(&a.out, &der)?;
    if a.json {
        crate::cmd::json::print(
            true,
            super::request_json("recovery", &identity, &a.out, &der, &oids)?,
        )?;
    }
    ctx.note(format!(
        "recovery request for identity {identity:?}: {}",
        where_to(&a.out.file.spec(false))
    ));
    Ok(())
}

pub(super) fn keygen_request(ctx: &Context, a: KeygenRequestArgs) -> Result<()> {
    let oids = oids(&a.oids)?;
    super::check_message_output(&a.out, a.json)?;
    let subject = parse_subject(&a.subject)?;
    let identity = match &a.owner {
        Some(i) => i.clone(),
        None => common_name(&subject)
            .ok_or_else(|| Error::invalid("--subject has no CN: give --owner NAME"))?,
    };
    let shroud = shroud(&a.shroud)?;
    let secret = shared_secret(&a.shared_secret, &a.signer)?;
    let signer = match &secret {
        Some(_) => None,
        None => Some(required_signer(ctx, &a.signer, &a.key_passphrase.source())?),
    };
    if signer.as_ref().is_some_and(|s| s.cert.is_none()) {
        ctx.warn("without --sign-cert the request is signed by key identifier only: the agent can check it only when --sign-key is the key of --to or a key it knows from an earlier request signed with its certificate");
    }
    let mut rng = match &secret {
        Some(_) => ctx.secret_fixture_rng(
            &a.fixture,
            "the request's MAC key (a forged request would pass)",
            false,
        )?,
        None => ctx.fixture_rng(&plain_fixture(&a.fixture), "the request's nonces")?,
    };
    let algorithm = match a.algorithm {
        KeygenAlgorithmChoice::Rsa => {
            if a.bits.is_some() {
                return Err(Error::invalid(
                    "--bits is for ElGamal groups: the draft's ServerKeyGenRequest has no field for an RSA size, the agent chooses it (cmc respond --keygen-bits)",
                ));
            }
            KeygenAlgorithm::Rsa
        }
        KeygenAlgorithmChoice::Elgamal => {
            let bits = a.bits.unwrap_or(2048);
            let group = match NamedGroup::ALL.iter().find(|g| g.bits() == bits as usize) {
                Some(g) => g.group(),
                None => {
                    if u64::from(bits) < agent::KEYGEN_MIN_ELGAMAL_BITS {
                        return Err(Error::invalid(format!(
                            "--bits {}: ElGamal groups of at least {} bits",
                            bits,
                            agent::KEYGEN_MIN_ELGAMAL_BITS
                        )));
                    }
                    ctx.note(format!(
                        "making a {}-bit safe-prime group for the request (the group is public; the agent makes the key)",
                        bits
                    ));
                    generate_group(
                        GroupSpec::SafePrime {
                            bits: bits as usize,
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
    let req = KeygenRequest {
        subject,
        identity: identity.clone(),
        shroud,
        archive: a.archive,
        algorithm,
        selection: a.selection.as_ref().map(|s| s.as_bytes().to_vec()),
        signer,
    };
    let der = match &secret {
        Some(secret) => {
            let pd = build::keygen_pki_data(&req, &oids, &mut rng)?;
            identity::authenticated_request(pd, &identity, secret, &oids, &mut rng)?
        }
        None => build::keygen_request(&req, &oids, &mut rng)?,
    };
    write_message(&a.out, &der)?;
    if a.json {
        crate::cmd::json::print(
            true,
            super::request_json("keygen", &identity, &a.out, &der, &oids)?,
        )?;
    }
    ctx.note(format!(
        "key generation request for identity {identity:?}{}{}: {}",
        if a.archive { ", to be archived" } else { "" },
        if secret.is_some() {
            ", authenticated with the shared secret (AuthenticatedData)"
        } else {
            ""
        },
        where_to(&a.out.file.spec(false))
    ));
    Ok(())
}
