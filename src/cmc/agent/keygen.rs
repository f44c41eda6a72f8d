//! Key generation requests (ServerKeyGenRequest): what to generate, within the agent's limits,
//! then generate, optionally file, and return the key shrouded.

use der::Decode;
use rand_core::CryptoRngCore;

use super::archive::key_usage_of;
use super::certify::{certify_encryption_key, issuer_and_serial};
use super::{
    bad, content_encryption, fail, fail_archive, identification, internal, key_info,
    selection_bytes, setup, shroud_recipients, shroud_spki, store_failure, stored_signers, verify,
    Agent, Failure, Outcome, Parsed, Success, KEYGEN_MIN_ELGAMAL_BITS, KEYGEN_MIN_ELGAMAL_Q_BITS,
    RSP_KEYS,
};
use crate::cmc::build::{common_name, escrow_refusal, shrouded_keys};
use crate::cmc::oids::ArchiveError;
use crate::cmc::store::{KeyStore, NewEntry, PutOutcome};
use crate::cmc::types::*;
use crate::keys::cert::build::common_name_only;
use crate::keys::check::check_group;
use crate::keys::elgamal::ElGamalGroup;
use crate::keys::encoding::decode_dh_params;
use crate::keys::rsa::RsaGenParams;
use crate::keys::PrivateKey;
use const_oid::db::rfc5912::{DHPUBLICNUMBER, RSA_ENCRYPTION};

/// What the template and its controls ask to be generated.
enum Wanted {
    Rsa(u32),
    ElGamal(ElGamalGroup),
}

/// What the template asks for (draft 4.1): the algorithm of its publicKey, whose
/// subjectPublicKey "MUST be a zero length bit string"; an ElGamal group in the algorithm's
/// parameters (the agent's choice, ffdhe2048, without them); no publicKey at all means RSA ("If
/// the request contains no requested algorithm, servers SHOULD generate an RSA key exchange key
/// pair"). The template has no room for an RSA size: the agent's policy gives it.
fn wanted_algorithm(
    template: &CertTemplate,
    body: BodyPartID,
    policy: &super::Policy,
) -> std::result::Result<Wanted, Failure> {
    let bad_alg = |m: String| fail(CmcFailInfo::BAD_ALG, body, m);
    let b = bad(body);
    let Some(spki) = template.public_key.as_ref() else {
        return Ok(Wanted::Rsa(policy.keygen_rsa_bits));
    };
    if !spki.subject_public_key.raw_bytes().is_empty() {
        return Err(b(
            "the template's publicKey must have an empty key (draft 4.1): the agent makes the key"
                .into(),
        ));
    }
    match spki.algorithm.oid {
        o if o == RSA_ENCRYPTION => Ok(Wanted::Rsa(policy.keygen_rsa_bits)),
        o if o == DHPUBLICNUMBER => match spki.algorithm.parameters.as_ref() {
            None => Ok(Wanted::ElGamal(
                crate::keys::elgamal::NamedGroup::Ffdhe2048.group(),
            )),
            Some(params) => {
                let group = decode_dh_params(Some(params.into())).map_err(|e| b(e.to_string()))?;
                check_keygen_group(group, body, policy.max_keygen_bits).map(Wanted::ElGamal)
            }
        },
        o => Err(bad_alg(format!(
            "algorithm {o} is not generated here (RSA or X9.42 ElGamal)"
        ))),
    }
}

/// The template's extensions, as far as the agent honours them (draft 4.1: servers "MUST NOT
/// alter an extension so as to invalidate the original intent", and deny with unsupportedExt
/// what they cannot handle). kmi certifies a generated key for encryption only (draft 4: servers
/// SHOULD NOT generate signing keys), so a keyUsage with a signing use is refused, and so is any
/// critical extension other than keyUsage; non-critical ones are left out of the certificate.
fn check_template_extensions(
    template: &CertTemplate,
    body: BodyPartID,
) -> std::result::Result<(), Failure> {
    let exts = template.extensions.as_deref().unwrap_or_default();
    let ku = key_usage_of(exts).map_err(|p| bad(body)(p.to_string()))?;
    if let Some(ku) = ku {
        if let Some(why) = escrow_refusal(Some(&ku)) {
            return Err(bad(body)(format!(
                "this agent generates encryption keys only: {why}"
            )));
        }
    }
    if let Some(e) = exts
        .iter()
        .find(|e| e.critical && e.extn_id != const_oid::db::rfc5280::ID_CE_KEY_USAGE)
    {
        return Err(fail(
            CmcFailInfo::UNSUPPORTED_EXT,
            body,
            format!(
                "the template's critical extension {} is not supported",
                e.extn_id
            ),
        ));
    }
    Ok(())
}

/// A client-chosen ElGamal group, checked before any key is made in it: its size first (cheap,
/// bounds the primality tests that follow), then the registration checks of `key check`
/// (p, q prime, q | p - 1, g of order q). A key drawn from (1, q) with q = 0 or 1 panicked, and
/// a tiny q gives a key anyone can brute-force.
fn check_keygen_group(
    group: ElGamalGroup,
    body: BodyPartID,
    max_bits: u64,
) -> std::result::Result<ElGamalGroup, Failure> {
    let bad_alg = |m: String| fail(CmcFailInfo::BAD_ALG, body, m);
    let bits = group.p.bits();
    if bits > max_bits {
        return Err(bad_alg(format!(
            "an ElGamal group of {bits} bits is larger than this agent generates (--max-bits {max_bits})"
        )));
    }
    if bits < KEYGEN_MIN_ELGAMAL_BITS {
        return Err(bad_alg(format!(
            "a {bits}-bit ElGamal group is too small (at least {KEYGEN_MIN_ELGAMAL_BITS})"
        )));
    }
    if group.q.bits() < KEYGEN_MIN_ELGAMAL_Q_BITS {
        return Err(bad_alg(format!(
            "the ElGamal group's q has {} bits (at least {KEYGEN_MIN_ELGAMAL_Q_BITS})",
            group.q.bits()
        )));
    }
    if let Some(why) = check_group(&group).first_failure() {
        return Err(bad_alg(format!(
            "the requested ElGamal group is unusable: {why}"
        )));
    }
    Ok(group)
}

pub(super) fn keygen(
    agent: &Agent<'_>,
    parsed: &Parsed,
    body: BodyPartID,
    skg: &ServerKeyGenRequest,
    store: &mut dyn KeyStore,
    rng: &mut dyn CryptoRngCore,
    outcome: &mut Outcome,
) -> std::result::Result<Success, Failure> {
    let oids = agent.oids;
    let mut extras: Vec<Vec<u8>> = shroud_spki(&skg.shroud_method, oids).into_iter().collect();
    extras.extend(stored_signers(parsed, &*store)?);
    let signers = verify(parsed, &extras, outcome)?;
    if agent.policy.require_archive && !skg.f_archive_key {
        return Err(fail_archive(
            ArchiveError::ArchiveRequired,
            body,
            "this agent generates keys only when it may archive them (fArchiveKey TRUE)",
        ));
    }
    let template = &skg.certificate_request;
    let wanted = wanted_algorithm(template, body, &agent.policy)?;
    check_template_extensions(template, body)?;
    content_encryption(&skg.enc_capabilities, body)?;
    let recipients = shroud_recipients(agent, &skg.shroud_method, body)?;
    let subject = template.subject.clone();
    let identity = identification(parsed)
        .or_else(|| subject.as_ref().and_then(common_name))
        .ok_or_else(|| bad(0)("the request names no identity (id-cmc-identification)".into()))?;
    outcome.identity = Some(identity.clone());
    // A key to file that the store cannot take is the agent's setup: found before the work.
    if skg.f_archive_key {
        store.ready_to_file().map_err(setup)?;
    }
    let key = match wanted {
        Wanted::Rsa(bits) => PrivateKey::Rsa(
            crate::keys::rsa::generate(
                &RsaGenParams {
                    bits: bits as usize,
                    safe: true,
                    e: num_bigint::BigUint::from(65537u32),
                },
                rng,
                &agent.search,
                &crate::keys::Quiet,
            )
            .map_err(internal)?,
        ),
        // The group passed check_keygen_group in wanted_algorithm (or is a named group).
        Wanted::ElGamal(group) => {
            PrivateKey::ElGamal(crate::keys::elgamal::generate_key(group, rng))
        }
    };
    // The generated key's certificate (draft 4.2, 4.3 step 6), when the agent has a CA: the
    // template's subject, or CN=<identity> when it names none.
    let cert_subject = match &subject {
        Some(s) if !s.0.is_empty() => s.clone(),
        _ => common_name_only(&identity).map_err(|e| bad(body)(e.to_string()))?,
    };
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(
        &crate::keys::encode_public_spki(&key.public()).map_err(internal)?,
    )
    .map_err(|e| internal(crate::Error::encoding(e)))?;
    let issued = certify_encryption_key(agent, &cert_subject, &spki, rng)?;
    let issuer_and_serial_number = issued.as_ref().map(issuer_and_serial);
    let mut info = key_info(&key, "generated")?;
    if skg.f_archive_key {
        let put = store
            .put(
                &NewEntry {
                    key: &key,
                    identity: identity.clone(),
                    selection: selection_bytes(&skg.selection_criteria),
                    subject: subject.as_ref().map(|s| s.to_string()),
                    source: "keygen",
                    signer_spki: signers.first().cloned().unwrap_or_default(),
                    archived: agent.now.clone(),
                    proved_identity: parsed.proved.clone(),
                    certificate_id: issued
                        .as_ref()
                        .map(|c| der::Encode::to_der(&crate::cms::ktri::rid_for_cert(c)))
                        .transpose()
                        .map_err(|e| internal(crate::Error::encoding(e)))?,
                },
                rng,
            )
            .map_err(|e| store_failure(outcome, body, e))?;
        if matches!(put, PutOutcome::Stored { .. }) {
            info.action = "generated and stored".into();
        }
    }
    outcome.keys.push(info);
    outcome.issued.extend(issued);
    let env = shrouded_keys(&[(key, Some(identity))], &recipients, oids, rng).map_err(internal)?;
    Ok(Success {
        status_body: vec![body],
        control: Some(Control::ServerKeyGenResponse(ServerKeyGenResponse {
            cms_body_part_id: RSP_KEYS,
            request_body_part_id: body,
            issuer_and_serial_number,
        })),
        cms: Some(env),
    })
}
