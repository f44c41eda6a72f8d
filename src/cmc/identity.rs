//! Requests without a signing key (the archive draft, sections 4.1, 4.3 step 3, 5.3 and 8): the
//! secret a client shares with the agent, the CMC identityProofV2 computed with it, and the
//! requests that carry it.
//!
//! **The shared secret** is octets, written as hex: the client's `--secret-file` holds it
//! on its first line (`openssl rand -hex 32`), the agent's `--identity-secrets` file holds
//! `NAME=hex` lines ([`IdentitySecrets`]); at least [`MIN_SECRET_BYTES`] octets. It never appears
//! in Debug output ([`SharedSecret`] prints as redacted) and is zeroized when dropped.
//!
//! **identityProofV2** (RFC 5272 section 6.2.2, id-cmc 34: [`crate::cmc::oids`] spells it out
//! because const-oid's database swaps 33 and 34) is computed as RFC 5272 section 6.2.1 says for
//! identityProof, with the algorithms V2 names: the key is the hash (proofAlgID, id-sha256) of the
//! shared secret, and because every kmi request carries id-cmc-identification, of the shared
//! secret followed by the identification's UTF8 octets without tag and length (section 6.2.3);
//! the witness is the MAC (macAlgId, hmacWithSHA256) under that key of the DER of the PKIData's
//! reqSequence (tag and length included; the agent uses the octets as received, not a
//! re-encoding). When the reqSequence is empty (recovery, server key generation) section 6.2.1
//! has nothing to hash; the draft's section 4.1 (last paragraph) says to hash "the set of server
//! key generation requests encoded in a sequence" instead. kmi extends that rule to recovery:
//! the data is the DER of a SEQUENCE OF the values of the PKIData's ServerKeyGenRequest and
//! KeyRecoveryReq controls, in controlSequence order ([`proof_input`]).
//!
//! **The requests**: a PKIData with identityProofV2 (body part [`BODY_IDENTITY_PROOF`]) either
//! wrapped in AuthenticatedData ([`crate::cms::authenticated`]: HMAC-SHA256 under a key that a
//! PWRI derived from the same secret carries) when the client has no signing key at all, or, for
//! catastrophic-loss recovery (draft section 5.3), signed by a new signing key whose PKCS#10 is in
//! the reqSequence, the signer named by issuerAndSerialNumber with an empty (NULL) issuer Name and
//! the request's bodyPartID as serial number (draft section 5.3 step 3: "the signerInfo field of
//! the signed message will contain a NULL issuer name and a serial number corresponding to the
//! bodyPartID of the certificate request within the PKIData", "following Section 4.2" of the CMC
//! specification the draft cites; that RFC text was not at hand to quote, so the draft's words are
//! the reference here): [`new_key_recovery_request`].

use std::collections::BTreeMap;
use std::path::Path;

use ::cms::cert::IssuerAndSerialNumber;
use ::cms::signed_data::SignerIdentifier;
use der::asn1::{AnyRef, OctetString};
use der::{Any, Decode, Encode, Reader};
use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use zeroize::Zeroizing;

use super::build::{pkcs10, recovery_pki_data, KeyUse, ShroudChoice, BODY_REQUEST};
use super::oids::CmcOids;
use super::types::*;
use crate::cms::asn1::{alg, hash_params_ok, HMAC_SHA256, ID_SHA_256};
use crate::cms::signed::SignedDataSpec;
use crate::keys::{PublicKey, RsaPrivate};
use crate::{Error, Result};

/// The body part ID of the identityProofV2 control in kmi's requests (after those in
/// [`super::build`]).
pub const BODY_IDENTITY_PROOF: BodyPartID = 7;

/// The shortest shared secret kmi accepts: 128 bits.
pub const MIN_SECRET_BYTES: usize = 16;

/// PBKDF2 iterations of the PWRI that carries an AuthenticatedData's MAC key, as kmi's client
/// writes them. The secret is random octets, so the count only slows a guesser of a secret
/// that was not; it stays far below the agent's cap.
pub const CLIENT_PBKDF2_ITERATIONS: u32 = 100_000;

pub use crate::limits::MAX_AGENT_PBKDF2_ITERATIONS;

type HmacSha256 = Hmac<Sha256>;

/// A shared secret: octets, zeroized on drop, never printed.
#[derive(Clone)]
pub struct SharedSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret(<redacted>)")
    }
}

impl SharedSecret {
    /// From its hex text (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self> {
        let t = text.trim();
        let bytes = Zeroizing::new(
            hex::decode(t).map_err(|_| Error::invalid("a shared secret is written in hex"))?,
        );
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(Error::invalid(format!(
                "a shared secret must have at least {MIN_SECRET_BYTES} octets ({} hex digits); this one has {}",
                2 * MIN_SECRET_BYTES,
                bytes.len()
            )));
        }
        Ok(SharedSecret(bytes))
    }

    /// From raw octets (tests, and secrets that did not come from text).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        SharedSecret(Zeroizing::new(bytes.to_vec()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The agent's secrets: one per identity name.
#[derive(Default)]
pub struct IdentitySecrets {
    secrets: BTreeMap<String, SharedSecret>,
}

impl std::fmt::Debug for IdentitySecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentitySecrets")
            .field("names", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl IdentitySecrets {
    /// Parse `NAME=hex` lines; blank lines and lines starting with `#` are skipped. A name is
    /// used as written (no trimming inside it), and may appear only once.
    pub fn parse(text: &str) -> Result<Self> {
        let mut secrets = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let n = i + 1;
            let (name, hex) = l.split_once('=').ok_or_else(|| {
                Error::invalid(format!("line {n}: expected NAME=hex (the secret in hex)"))
            })?;
            let name = name.trim();
            if name.is_empty() {
                return Err(Error::invalid(format!("line {n}: the name is empty")));
            }
            let secret = SharedSecret::from_hex(hex)
                .map_err(|e| Error::invalid(format!("line {n} ({name}): {e}")))?;
            if secrets.insert(name.to_string(), secret).is_some() {
                return Err(Error::invalid(format!(
                    "line {n}: {name:?} is given more than once"
                )));
            }
        }
        Ok(IdentitySecrets { secrets })
    }

    /// Read the file, which must belong to this user and be readable by no one else (mode 0600
    /// or stricter): a usage error otherwise, before anything is read.
    pub fn load(path: &Path) -> Result<Self> {
        let shown = path.display();
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::invalid(format!("--identity-secrets {shown}: {e}")))?;
        if !meta.is_file() {
            return Err(Error::invalid(format!(
                "--identity-secrets {shown}: not a regular file"
            )));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let mode = meta.mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::invalid(format!(
                    "--identity-secrets {shown}: mode {mode:03o} lets others read the secrets; chmod 600 it"
                )));
            }
            let me = effective_uid()?;
            if meta.uid() != me {
                return Err(Error::invalid(format!(
                    "--identity-secrets {shown}: owned by uid {}, not by this user ({me})",
                    meta.uid()
                )));
            }
        }
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| Error::invalid(format!("--identity-secrets {shown}: {e}")))?,
        );
        Self::parse(&text).map_err(|e| Error::invalid(format!("--identity-secrets {shown}: {e}")))
    }

    pub fn get(&self, name: &str) -> Option<&SharedSecret> {
        self.secrets.get(name)
    }

    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

/// This process's effective user id, without unsafe code: the owner of a file it creates.
#[cfg(unix)]
fn effective_uid() -> Result<u32> {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::tempfile()
        .map_err(|e| Error::internal(format!("cannot learn this user's id: {e}")))?;
    let meta = probe
        .metadata()
        .map_err(|e| Error::internal(format!("cannot learn this user's id: {e}")))?;
    Ok(meta.uid())
}

/// The identity proof key: SHA-256 of the secret followed by the identification's UTF8 octets
/// (RFC 5272 sections 6.2.1 and 6.2.3).
fn proof_key(secret: &[u8], identity: &str) -> Zeroizing<Vec<u8>> {
    let mut h = Sha256::new();
    h.update(secret);
    h.update(identity.as_bytes());
    Zeroizing::new(h.finalize().to_vec())
}

/// What identityProofV2 covers, from the PKIData DER (see the module documentation): the
/// reqSequence TLV as it stands in `pki_der` when it has requests, else a SEQUENCE OF the
/// ServerKeyGenRequest and KeyRecoveryReq control values.
pub fn proof_input(pki_der: &[u8], oids: &CmcOids) -> Result<Vec<u8>> {
    let bad = |e: der::Error| Error::format(format!("malformed PKIData: {e}"));
    let mut reader = der::SliceReader::new(pki_der).map_err(bad)?;
    let req_sequence = reader
        .sequence(|r| {
            let _controls = AnyRef::decode(r)?;
            let reqs = AnyRef::decode(r)?;
            let _cms = AnyRef::decode(r)?;
            let _other = AnyRef::decode(r)?;
            reqs.to_der()
        })
        .map_err(bad)?;
    let reqs = AnyRef::from_der(&req_sequence).map_err(bad)?;
    if !reqs.value().is_empty() {
        return Ok(req_sequence);
    }
    let pki = PkiData::from_der(pki_der).map_err(bad)?;
    let mut values: Vec<Any> = Vec::new();
    for ta in &pki.control_sequence {
        if ta.attr_type == oids.server_key_gen_request || ta.attr_type == oids.key_recovery_req {
            values.extend(ta.attr_values.iter().cloned());
        }
    }
    if values.is_empty() {
        return Err(Error::format(
            "the PKIData has no certification request, ServerKeyGenRequest or KeyRecoveryReq for identityProofV2 to cover",
        ));
    }
    values.to_der().map_err(Error::encoding)
}

fn witness(secret: &[u8], identity: &str, data: &[u8]) -> Result<HmacSha256> {
    let key = proof_key(secret, identity);
    let mut mac =
        HmacSha256::new_from_slice(&key).map_err(|e| Error::internal(format!("HMAC key: {e}")))?;
    mac.update(data);
    Ok(mac)
}

/// The identityProofV2 of a PKIData (its DER) for `identity` under `secret`.
pub fn identity_proof(
    secret: &SharedSecret,
    identity: &str,
    pki_der: &[u8],
    oids: &CmcOids,
) -> Result<IdentityProofV2> {
    let data = proof_input(pki_der, oids)?;
    let tag = witness(secret.as_bytes(), identity, &data)?
        .finalize()
        .into_bytes();
    Ok(IdentityProofV2 {
        proof_alg_id: alg(ID_SHA_256),
        mac_alg_id: alg(HMAC_SHA256),
        witness: OctetString::new(tag.to_vec()).map_err(Error::encoding)?,
    })
}

/// Whether `proof` is the identityProofV2 of `data` (from [`proof_input`]) for `identity` under
/// `secret`: id-sha256 and hmacWithSHA256 only; the witness compared in constant time. The MAC
/// is computed whatever the algorithms say, so a refusal costs the same.
pub fn check_identity_proof(
    secret: &[u8],
    identity: &str,
    proof: &IdentityProofV2,
    data: &[u8],
) -> bool {
    let algs_ok = proof.proof_alg_id.oid == ID_SHA_256
        && hash_params_ok(&proof.proof_alg_id)
        && proof.mac_alg_id.oid == HMAC_SHA256
        && hash_params_ok(&proof.mac_alg_id);
    let Ok(mac) = witness(secret, identity, data) else {
        return false;
    };
    mac.verify_slice(proof.witness.as_bytes()).is_ok() & algs_ok
}

/// Add the identityProofV2 control for `identity` (which the PKIData's identification control
/// names) to `pd`.
pub fn add_identity_proof(
    pd: &mut PkiData,
    secret: &SharedSecret,
    identity: &str,
    oids: &CmcOids,
) -> Result<()> {
    let der = pd.to_der().map_err(Error::encoding)?;
    let proof = identity_proof(secret, identity, &der, oids)?;
    pd.control_sequence.push(TaggedAttribute::from_control(
        BODY_IDENTITY_PROOF,
        &Control::IdentityProofV2(proof),
        oids,
    )?);
    Ok(())
}

/// `pd` with identityProofV2, wrapped in ContentInfo(AuthenticatedData(id-cct-PKIData)) under
/// `secret`.
pub fn authenticated_request(
    mut pd: PkiData,
    identity: &str,
    secret: &SharedSecret,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    add_identity_proof(&mut pd, secret, identity, oids)?;
    let content = pd.to_der().map_err(Error::encoding)?;
    crate::cms::authenticated::authenticate(
        oids.cct_pki_data,
        &content,
        secret.as_bytes(),
        CLIENT_PBKDF2_ITERATIONS,
        rng,
    )
}

/// The PKIData of a request in ContentInfo(AuthenticatedData) (DER, BER or PEM), its MAC not
/// checked (the client made it); `None` when the message is something else.
pub fn authenticated_content(bytes: &[u8], oids: &CmcOids) -> Result<Option<Vec<u8>>> {
    super::bounds::check_message_size(bytes)?;
    let armored = crate::io::armor::decode_armor(bytes)?;
    let der = crate::cms::ber::normalize(&armored.der)?;
    super::bounds::check_content_info(&der)?;
    let ci = ::cms::content_info::ContentInfo::from_der(&der)
        .map_err(Error::decoding("malformed CMS ContentInfo"))?;
    if ci.content_type != crate::cms::authenticated::ID_AUTH_DATA {
        return Ok(None);
    }
    let a = crate::cms::authenticated::Authenticated::from_content_info(&ci)?;
    if a.content_type != oids.cct_pki_data {
        return Err(Error::format(format!(
            "the authenticated content type is {}, not id-cct-PKIData: not a request",
            a.content_type
        )));
    }
    Ok(Some(a.content))
}

/// The signer identifier of a request signed by the key its own certification request enrolls
/// (draft section 5.3 step 3): issuerAndSerialNumber with an empty issuer Name and the request's
/// bodyPartID as serial number.
pub fn null_dn_sid(body_part_id: BodyPartID) -> Result<SignerIdentifier> {
    let serial = body_part_id.to_be_bytes();
    let start = serial
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(serial.len() - 1);
    // A positive INTEGER: a leading 0x00 when the high bit is set.
    let mut bytes = Vec::with_capacity(5);
    if serial[start] & 0x80 != 0 {
        bytes.push(0);
    }
    bytes.extend_from_slice(&serial[start..]);
    Ok(SignerIdentifier::IssuerAndSerialNumber(
        IssuerAndSerialNumber {
            issuer: Name::default(),
            serial_number: SerialNumber::new(&bytes).map_err(Error::encoding)?,
        },
    ))
}

/// The bodyPartID a NULL-issuer signer identifier names (see [`null_dn_sid`]), if it is one.
pub fn null_dn_body_part(sid: &SignerIdentifier) -> Option<BodyPartID> {
    let SignerIdentifier::IssuerAndSerialNumber(ias) = sid else {
        return None;
    };
    if !ias.issuer.0.is_empty() {
        return None;
    }
    let b = ias.serial_number.as_bytes();
    let b = match b {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => b,
    };
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    Some(b.iter().fold(0u32, |acc, x| (acc << 8) | u32::from(*x)))
}

/// What a catastrophic-loss recovery request needs (draft section 5.3): the client lost every
/// key, makes a new signing key, and proves who it is with the secret it shares with the agent.
pub struct NewKeyRecovery<'a> {
    pub identity: String,
    pub shroud: ShroudChoice,
    pub selection: Option<Vec<u8>>,
    /// The new signing key: certified by the agent's CA (if it has one) and the request's signer.
    pub new_key: &'a RsaPrivate,
    pub subject: Name,
    pub secret: &'a SharedSecret,
}

/// `kmi cmc recovery-request --new-sign-key`: KeyRecoveryReq plus a PKCS#10 for the new key
/// (bodyPartID [`BODY_REQUEST`], keyUsage digitalSignature + nonRepudiation) plus
/// identityProofV2 over it, in SignedData signed by the new key ([`null_dn_sid`]).
pub fn new_key_recovery_request(
    req: &NewKeyRecovery<'_>,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    let mut pd = recovery_pki_data(&req.identity, &req.shroud, &req.selection, oids, rng)?;
    let ku = KeyUse::Signature.key_usage(&PublicKey::Rsa(req.new_key.public.clone()))?;
    pd.req_sequence
        .push(TaggedRequest::Tcr(TaggedCertificationRequest {
            body_part_id: BODY_REQUEST,
            certification_request: pkcs10(req.new_key, req.subject.clone(), &ku)?,
        }));
    add_identity_proof(&mut pd, req.secret, &req.identity, oids)?;
    let spec = SignedDataSpec {
        content_type: oids.cct_pki_data,
        content: pd.to_der().map_err(Error::encoding)?,
        detached: false,
        signed_attributes: true,
        certificates: Vec::new(),
        sid: null_dn_sid(BODY_REQUEST)?,
        unsigned_attributes: Vec::new(),
    };
    spec.sign(req.new_key)
}

/// The CA an agent certifies keys with (`cmc respond --ca-key/--ca-cert`): archived and
/// generated encryption keys (draft 4.2, 5.3) and the new signing key of a catastrophic-loss
/// recovery (5.3 step 6). Its certificate, the matching key, and how long issued certificates
/// last.
pub struct CaIssuer<'a> {
    pub cert: &'a x509_cert::Certificate,
    /// The certificates above `cert`, up to a root: returned with every certificate issued.
    pub chain: &'a [x509_cert::Certificate],
    pub key: &'a RsaPrivate,
    pub days: u32,
}

impl CaIssuer<'_> {
    /// A certificate for `spki` of `subject` with `usage`, for `days`, signed by this CA.
    pub fn issue(
        &self,
        subject: &x509_cert::name::Name,
        spki: &spki::SubjectPublicKeyInfoOwned,
        usage: crate::keys::cert::build::Usage,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<x509_cert::Certificate> {
        use crate::keys::cert::build::{issue, CertSpec, Issuer};
        let spec = CertSpec {
            subject: subject.clone(),
            spki: spki.clone(),
            usages: vec![usage],
            days: self.days,
            path_len: None,
        };
        let key = self.key.to_rsa_crate()?;
        issue(
            &spec,
            Issuer::Ca {
                cert: self.cert,
                key: &key,
            },
            rng,
        )
    }
}

/// The certificate for the new signing key of a catastrophic-loss recovery request (usage
/// sign: digitalSignature + nonRepudiation; subject and public key from the PKCS#10, whose
/// self-signature the caller has checked), or `None` when the agent has no CA.
pub fn certify_new_signing_key(
    ca: Option<&CaIssuer<'_>>,
    request: &x509_cert::request::CertReq,
    rng: &mut dyn CryptoRngCore,
) -> Result<Option<x509_cert::Certificate>> {
    ca.map(|ca| {
        ca.issue(
            &request.info.subject,
            &request.info.public_key,
            crate::keys::cert::build::Usage::Sign,
            rng,
        )
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_file_lines() {
        let s = IdentitySecrets::parse(
            "# comment\n\nalice=000102030405060708090a0b0c0d0e0f\n bob = 00112233445566778899aabbccddeeff00 \n",
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("alice").unwrap().as_bytes()[15], 0x0f);
        assert!(s.get("carol").is_none());
        assert!(!format!("{s:?}").contains("0001"));
        assert!(!format!("{:?}", s.get("alice").unwrap()).contains('0'));
        for bad in [
            "alice",
            "=00112233445566778899aabbccddeeff",
            "alice=0011",
            "alice=zz112233445566778899aabbccddeeff",
            "a=00112233445566778899aabbccddeeff\na=00112233445566778899aabbccddeeff",
        ] {
            assert!(IdentitySecrets::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn null_dn_sid_round_trips() {
        for id in [1u32, 5, 127, 128, 255, 256, 0x7fff_ffff, u32::MAX] {
            assert_eq!(
                null_dn_body_part(&null_dn_sid(id).unwrap()),
                Some(id),
                "{id}"
            );
        }
    }

    #[test]
    fn the_proof_key_includes_the_identity() {
        // RFC 5272 6.2.3: hash(secret || identification) when identification is present.
        let data = b"\x30\x00";
        let s = SharedSecret::from_bytes(&[7u8; 16]);
        let tag = witness(s.as_bytes(), "alice", data)
            .unwrap()
            .finalize()
            .into_bytes();
        let mut h = Sha256::new();
        h.update([7u8; 16]);
        h.update(b"alice");
        let key = h.finalize();
        let mut m = HmacSha256::new_from_slice(&key).unwrap();
        m.update(data);
        assert_eq!(tag, m.finalize().into_bytes());
        let proof = IdentityProofV2 {
            proof_alg_id: alg(ID_SHA_256),
            mac_alg_id: alg(HMAC_SHA256),
            witness: OctetString::new(tag.to_vec()).unwrap(),
        };
        assert!(check_identity_proof(s.as_bytes(), "alice", &proof, data));
        assert!(!check_identity_proof(s.as_bytes(), "alicf", &proof, data));
        assert!(!check_identity_proof(&[8u8; 16], "alice", &proof, data));
        assert!(!check_identity_proof(
            s.as_bytes(),
            "alice",
            &proof,
            b"\x30\x01\x00"
        ));
    }
}
