//! Key generation requests (ServerKeyGenRequest): what to generate, within the agent's limits,
//! then generate, optionally file, and return the key shrouded.

use rand_core::CryptoRngCore;

use super::{
    bad, fail, fail_archive, identification, internal, key_info, selection_bytes, setup,
    shroud_recipients, shroud_spki, store_failure, verify, Agent, Failure, Outcome, Parsed,
    Success, KEYGEN_MIN_ELGAMAL_BITS, KEYGEN_MIN_ELGAMAL_Q_BITS, KEYGEN_RSA_BITS, RSP_KEYS,
};
use crate::cmc::build::{common_name, shrouded_keys, ID_REG_CTRL_ALG_ID, ID_REG_CTRL_RSA_KEY_LEN};
use crate::cmc::oids::ArchiveError;
use crate::cmc::store::{KeyStore, NewEntry, PutOutcome};
use crate::cmc::types::*;
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

fn wanted_algorithm(
    msg: &CertReqMsg,
    body: BodyPartID,
    max_bits: u64,
) -> std::result::Result<Wanted, Failure> {
    let bad_alg = |m: String| fail(CmcFailInfo::BAD_ALG, body, m);
    let too_big = |what: &str, bits: u64| {
        fail(
            CmcFailInfo::BAD_ALG,
            body,
            format!(
                "{what} of {bits} bits is larger than this agent generates (--max-bits {max_bits})"
            ),
        )
    };
    let b = bad(body);
    for atv in msg.cert_req.controls.iter().flatten() {
        if atv.oid == ID_REG_CTRL_RSA_KEY_LEN {
            let bits: u32 = atv
                .value
                .decode_as()
                .map_err(|e| b(format!("malformed id-regCtrl-rsaKeyLen: {e}")))?;
            if u64::from(bits) > max_bits {
                return Err(too_big("an RSA key", bits.into()));
            }
            if !KEYGEN_RSA_BITS.contains(&bits) {
                return Err(bad_alg(format!(
                    "RSA keys of {bits} bits are not generated here ({}..{})",
                    KEYGEN_RSA_BITS.start(),
                    KEYGEN_RSA_BITS.end()
                )));
            }
            return Ok(Wanted::Rsa(bits));
        }
        if atv.oid == ID_REG_CTRL_ALG_ID {
            let alg: spki::AlgorithmIdentifierOwned = atv
                .value
                .decode_as()
                .map_err(|e| b(format!("malformed id-regCtrl-algId: {e}")))?;
            if alg.oid != DHPUBLICNUMBER {
                return Err(bad_alg(format!(
                    "algorithm {} is not generated here (RSA or X9.42 ElGamal)",
                    alg.oid
                )));
            }
            let group = decode_dh_params(alg.parameters.as_ref().map(Into::into))
                .map_err(|e| b(e.to_string()))?;
            return check_keygen_group(group, body, max_bits).map(Wanted::ElGamal);
        }
    }
    match msg.cert_req.cert_template.public_key.as_ref().map(|k| k.algorithm.oid) {
        Some(o) if o == RSA_ENCRYPTION && max_bits < 2048 => Err(too_big("an RSA key", 2048)),
        Some(o) if o == RSA_ENCRYPTION => Ok(Wanted::Rsa(2048)),
        Some(o) if o == DHPUBLICNUMBER => Ok(Wanted::ElGamal(
            crate::keys::elgamal::NamedGroup::Ffdhe2048.group(),
        )),
        Some(o) => Err(bad_alg(format!("algorithm {o} is not generated here"))),
        None => Err(b(
            "the request does not say what key to generate (template publicKey or id-regCtrl-rsaKeyLen / id-regCtrl-algId)".into(),
        )),
    }
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
    extras.extend(store.signer_spkis().map_err(setup)?);
    let signers = verify(parsed, &extras, outcome)?;
    if agent.policy.require_archive && !skg.f_archive_key {
        return Err(fail_archive(
            ArchiveError::ArchiveRequired,
            body,
            "this agent generates keys only when it may archive them (fArchiveKey TRUE)",
        ));
    }
    let TaggedRequest::Crm(msg) = &skg.certificate_request else {
        return Err(bad(body)(
            "the ServerKeyGenRequest's certificateRequest must be a CRMF template (crm)".into(),
        ));
    };
    let wanted = wanted_algorithm(msg, body, agent.policy.max_keygen_bits)?;
    let recipients = shroud_recipients(agent, &skg.shroud_method, body)?;
    let subject = msg.cert_req.cert_template.subject.clone();
    let identity = identification(parsed)
        .or_else(|| subject.as_ref().and_then(common_name))
        .ok_or_else(|| bad(0)("the request names no identity (id-cmc-identification)".into()))?;
    outcome.identity = Some(identity.clone());
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
                    certificate_id: None,
                },
                rng,
            )
            .map_err(|e| store_failure(outcome, body, e))?;
        if matches!(put, PutOutcome::Stored { .. }) {
            info.action = "generated and stored".into();
        }
    }
    outcome.keys.push(info);
    let env = shrouded_keys(&[(key, Some(identity))], &recipients, oids, rng).map_err(internal)?;
    Ok(Success {
        status_body: vec![body],
        control: Some(Control::ServerKeyGenResponse(ServerKeyGenResponse {
            cms_body_part_id: RSP_KEYS,
            request_body_part_id: body,
            // No certificate is issued for the generated key yet (issue 12, issuance flow).
            issuer_and_serial_number: None,
        })),
        cms: Some(env),
    })
}
