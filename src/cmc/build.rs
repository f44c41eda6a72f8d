//! The client's Full PKI Requests (RFC 5272 section 3.2 with the archive draft): key archival,
//! key recovery and server-side key generation, each a ContentInfo(SignedData(id-cct-PKIData)).
//!
//! Layout decisions (every request kmi builds, so the agent and the printer know where to look):
//! - body part IDs are fixed per role: 1 transactionId, 2 senderNonce, 3 identification,
//!   4 the archive control (KeyArchival, KeyRecoveryReq or ServerKeyGenRequest), 5 the
//!   certification request, 6 the cmsSequence entry with the archived key (body placement);
//! - every request carries id-cmc-identification (`--identity`, default the subject's CN): the
//!   agent files an archived key under it and looks recovered keys up by it;
//! - a random transactionId (63 bits) and senderNonce (16 bytes), which the agent echoes;
//! - the SignedData signs content-type and message-digest attributes (SHA-256, RSA PKCS#1 v1.5);
//!   the signer is `--sign-key` with `--sign-cert` (issuerAndSerialNumber, certificate
//!   included), `--sign-key` alone (subjectKeyIdentifier), or, for an archive request with
//!   `--sign-with-archived-key` (never by default: an escrowed key is an encryption key), the
//!   RSA key being archived (subjectKeyIdentifier = SHA-1 of its public key: the agent verifies
//!   it with the public key of the enclosed PKCS#10).
//!
//! The key to archive travels as an EncKeyWithID in AuthEnvelopedData (RFC 5083, AES-256-GCM,
//! inner content type id-data: see [`authenticated_key_envelope`]) for the agent's certificate
//! (RSA-OAEP-ID_SHA_256), its EncKeyWithID identifier being the identity; or, with
//! [`ContentCipher::Aes256Cbc`] (`--cbc`), as the draft's EnvelopedData(id-ct-encKeyWithID) with
//! AES-256-CBC for agents that cannot read AuthEnvelopedData. GCM is the default because the envelope may
//! travel in an unsigned attribute: an authenticated envelope cannot be changed without the agent
//! noticing before any plaintext exists, where a changed CBC envelope reaches the padding. With
//! [`Placement::Body`] it is cmsSequence entry 6 and KeyArchival.cmsBodyPartID = 6; with
//! [`Placement::Unsigned`] (the default: the draft requires every system to support it) it is an
//! id-aa-cmc-unsignedData attribute of the signer, CMCUnsignedData { bodyPartPath \[4\],
//! id-cmc-archive-enveloped-data, ContentInfo(EnvelopedData) }, and KeyArchival.cmsBodyPartID = 0.
//!
//! The certification request of an archived key is PKCS#10 when the key is RSA (self-signed by
//! it, with an extensionRequest for keyUsage stating the key's intended use). An ElGamal key
//! cannot sign, so it gets a CRMF CertReqMsg instead (certReqId 5, a template with subject,
//! publicKey and keyUsage keyAgreement) with no POP field: its proof of possession is the archived private
//! key itself, which the agent decrypts and matches to the template's public key.
//!
//! Server key generation names the key in the ServerKeyGenRequest's CertTemplate (draft 4.1):
//! publicKey = the algorithm with an empty key; for ElGamal the algorithm is dhpublicnumber
//! with the group's DomainParameters (an RFC 7919 group for 2048..8192 bits, otherwise a fresh
//! safe-prime group made by the client, since a group is public). An RSA key's size is the
//! agent's choice: the template has no field for it.

use cms::content_info::ContentInfo;
use der::asn1::{Any, BitString, Int, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq};
use x509_cert::Certificate;

use super::oids::CmcOids;
use super::types::*;
use crate::cms::signed::{sid_for_cert, sid_for_spki, SignedDataSpec};
use crate::cms::{ContentCipher, Recipient};
use crate::keys::elgamal::ElGamalGroup;
use crate::keys::encoding::{dh_params_der, encode_private_pkcs8};
use crate::keys::{encode_public_spki, PrivateKey, PublicKey, RsaPrivate};
use crate::{Error, Result};
use const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION;
use const_oid::db::rfc5912::{DHPUBLICNUMBER, RSA_ENCRYPTION};

/// Body part IDs of kmi's requests (see the module documentation).
pub const BODY_TRANSACTION_ID: BodyPartID = 1;
pub const BODY_SENDER_NONCE: BodyPartID = 2;
pub const BODY_IDENTIFICATION: BodyPartID = 3;
pub const BODY_CONTROL: BodyPartID = 4;
pub const BODY_REQUEST: BodyPartID = 5;
pub const BODY_ARCHIVED_KEY: BodyPartID = 6;

/// id-at-commonName.
use const_oid::db::rfc4519::CN;

/// Where the archived key goes in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// A cmsSequence entry of the signed PKIData.
    Body,
    /// The id-aa-cmc-unsignedData unsigned attribute (outside the signature, bound to the signed
    /// KeyArchival control by its bodyPartPath).
    Unsigned,
}

/// The declared use of a key, written as the keyUsage extension request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    /// keyEncipherment (RSA) or keyAgreement (ElGamal): the only use whose keys are escrowed.
    Encipherment,
    /// digitalSignature + nonRepudiation: never escrowed unless forced.
    Signature,
    Both,
}

impl KeyUse {
    /// The keyUsage bits for a key of this kind.
    pub fn key_usage(self, public: &PublicKey) -> Result<KeyUsage> {
        let enc = match public {
            PublicKey::Rsa(_) => KeyUsages::KeyEncipherment,
            PublicKey::ElGamal(_) => KeyUsages::KeyAgreement,
        };
        let sig = KeyUsages::DigitalSignature | KeyUsages::NonRepudiation;
        if matches!(public, PublicKey::ElGamal(_)) && self != KeyUse::Encipherment {
            return Err(Error::invalid(
                "an ElGamal key cannot sign: its only use is encipherment",
            ));
        }
        Ok(KeyUsage(match self {
            KeyUse::Encipherment => enc.into(),
            KeyUse::Signature => sig,
            KeyUse::Both => sig | enc,
        }))
    }
}

/// Why a key with this requested keyUsage must not be escrowed, or `None` when it may be.
///
/// Escrow is for encryption keys: a copy of a signing key lets whoever holds it sign as the
/// owner (issue 10 item 8). So the request must *say* the key is for keyEncipherment or
/// keyAgreement (dataEncipherment, encipherOnly and decipherOnly may accompany them) and name no
/// signing use (digitalSignature, nonRepudiation, keyCertSign, cRLSign). No keyUsage at all is
/// refused too: a key whose use is not declared may be used to sign.
pub fn escrow_refusal(ku: Option<&KeyUsage>) -> Option<String> {
    const HINT: &str = "(kmi cmc archive-request --key-usage encipherment)";
    let Some(ku) = ku else {
        return Some(format!(
            "the request declares no keyUsage: only keys declared for keyEncipherment or keyAgreement alone are escrowed {HINT}"
        ));
    };
    let signing = [
        (KeyUsages::DigitalSignature, "digitalSignature"),
        (KeyUsages::NonRepudiation, "nonRepudiation"),
        (KeyUsages::KeyCertSign, "keyCertSign"),
        (KeyUsages::CRLSign, "cRLSign"),
    ];
    let named: Vec<&str> = signing
        .iter()
        .filter(|(u, _)| ku.0.contains(*u))
        .map(|(_, n)| *n)
        .collect();
    if !named.is_empty() {
        return Some(format!(
            "the key is declared for signing ({}): signature keys are never escrowed; keyUsage must be keyEncipherment or keyAgreement only {HINT}",
            named.join(", ")
        ));
    }
    let enc = KeyUsages::KeyEncipherment | KeyUsages::KeyAgreement;
    if (ku.0 & enc).is_empty() {
        return Some(format!(
            "the key's keyUsage names neither keyEncipherment nor keyAgreement: only encryption keys are escrowed {HINT}"
        ));
    }
    None
}

/// Who signs a request.
pub struct RequestSigner {
    pub key: RsaPrivate,
    /// With a certificate the signer is named by issuer and serial number and the certificate
    /// travels in the SignedData; without, by subjectKeyIdentifier.
    pub cert: Option<Certificate>,
}

impl RequestSigner {
    fn spec(&self, content_type: Oid, content: Vec<u8>) -> Result<SignedDataSpec> {
        let (sid, certificates) = match &self.cert {
            Some(c) => {
                let spki = crate::cms::ktri::cert_spki(c)?;
                let own = encode_public_spki(&PublicKey::Rsa(self.key.public.clone()))?;
                if spki != own {
                    return Err(Error::invalid(
                        "--sign-cert is not the certificate of --sign-key",
                    ));
                }
                (sid_for_cert(c), vec![c.clone()])
            }
            None => (
                sid_for_spki(&encode_public_spki(&PublicKey::Rsa(
                    self.key.public.clone(),
                ))?)?,
                Vec::new(),
            ),
        };
        Ok(SignedDataSpec {
            content_type,
            content,
            detached: false,
            signed_attributes: true,
            certificates,
            sid,
            unsigned_attributes: Vec::new(),
        })
    }
}

/// What an archive request needs.
pub struct ArchiveRequest<'a> {
    pub key: &'a PrivateKey,
    pub agent: &'a Certificate,
    pub subject: Name,
    pub identity: String,
    pub placement: Placement,
    pub selection: Option<Vec<u8>>,
    pub key_use: KeyUse,
    /// None: the key being archived signs its own request (RSA only; `--sign-with-archived-key`,
    /// an explicit choice: the key then serves as a signing key too).
    pub signer: Option<RequestSigner>,
    /// How the key is enveloped for the agent: AES-256-GCM (AuthEnvelopedData, the default of
    /// `cmc archive-request`) or AES-256-CBC (EnvelopedData, `--cbc`, for agents that cannot
    /// read AuthEnvelopedData).
    pub cipher: ContentCipher,
    /// Archival by certificateID (draft 5.1, `--cert`): the already issued certificate of `key`.
    /// No certification request is sent (`subject` and `key_use` are not used); the KeyArchival
    /// control names the certificate by issuerAndSerialNumber and the certificate travels in
    /// the SignedData certificates, for the agent to check the key against.
    pub certificate: Option<Certificate>,
}

/// The keyUsage extension of a certificate, if it has one.
pub fn certificate_key_usage(cert: &Certificate) -> Result<Option<KeyUsage>> {
    use der::oid::AssociatedOid;
    let mut found = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == KeyUsage::OID);
    let first = found.next();
    if found.next().is_some() {
        return Err(Error::format("the certificate has keyUsage more than once"));
    }
    first
        .map(|e| {
            KeyUsage::from_der(e.extn_value.as_bytes())
                .map_err(Error::decoding("malformed keyUsage"))
        })
        .transpose()
}

/// How the client wants keys returned to it.
#[derive(Clone, Debug)]
pub enum ShroudChoice {
    /// KTRI to this certificate or SubjectPublicKeyInfo.
    PublicKey(ShroudWithPublicKey),
    /// PWRI under the secret the client shares with the agent, named by this identifier.
    SharedSecret(String),
}

impl ShroudChoice {
    fn method(&self, oids: &CmcOids) -> Result<ShroudMethod> {
        match self {
            ShroudChoice::PublicKey(p) => Shroud::PublicKey(p.clone()).to_method(oids),
            ShroudChoice::SharedSecret(s) => Shroud::SharedSecret(s.clone()).to_method(oids),
        }
    }
}

/// What a recovery request needs.
pub struct RecoveryRequest {
    pub identity: String,
    pub shroud: ShroudChoice,
    pub selection: Option<Vec<u8>>,
    pub signer: RequestSigner,
}

/// The algorithm of a server-generated key.
#[derive(Clone, Debug)]
pub enum KeygenAlgorithm {
    /// A safe-prime RSA key, of the size the agent chooses.
    Rsa,
    /// An ElGamal key in this group.
    ElGamal { group: ElGamalGroup },
}

/// What a server key generation request needs.
pub struct KeygenRequest {
    pub subject: Name,
    pub identity: String,
    pub shroud: ShroudChoice,
    pub archive: bool,
    pub algorithm: KeygenAlgorithm,
    pub selection: Option<Vec<u8>>,
    /// None for a request authenticated with a shared secret instead (`super::identity`).
    pub signer: Option<RequestSigner>,
}

/// A subject DN from its RFC 4514 text (`CN=alice,O=Example`).
pub fn parse_subject(text: &str) -> Result<Name> {
    crate::keys::cert::build::parse_subject(text)
        .map_err(|e| Error::invalid(format!("--subject: {}", e.reason())))
}

/// The first commonName of a name, when it has one in a string type kmi reads.
pub fn common_name(name: &Name) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == CN)
        .and_then(|atv| directory_string(&atv.value))
}

fn directory_string(any: &Any) -> Option<String> {
    use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    if let Ok(s) = any.decode_as::<Utf8StringRef>() {
        return Some(s.as_str().to_string());
    }
    if let Ok(s) = any.decode_as::<PrintableStringRef>() {
        return Some(s.as_str().to_string());
    }
    if let Ok(s) = any.decode_as::<Ia5StringRef>() {
        return Some(s.as_str().to_string());
    }
    any.decode_as::<TeletexStringRef>()
        .ok()
        .map(|s| s.as_str().to_string())
}

fn random_transaction_id(rng: &mut dyn CryptoRngCore) -> Result<Int> {
    let mut b = [0u8; 8];
    rng.fill_bytes(&mut b);
    b[0] &= 0x7f;
    b[0] |= 0x01; // never zero, never negative, always 8 bytes
    Int::new(&b).map_err(Error::encoding)
}

fn random_nonce(rng: &mut dyn CryptoRngCore) -> Result<OctetString> {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    OctetString::new(b.to_vec()).map_err(Error::encoding)
}

/// The three controls every request starts with.
fn common_controls(
    identity: &str,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<TaggedAttribute>> {
    Ok(vec![
        TaggedAttribute::from_control(
            BODY_TRANSACTION_ID,
            &Control::TransactionId(random_transaction_id(rng)?),
            oids,
        )?,
        TaggedAttribute::from_control(
            BODY_SENDER_NONCE,
            &Control::SenderNonce(random_nonce(rng)?),
            oids,
        )?,
        TaggedAttribute::from_control(
            BODY_IDENTIFICATION,
            &Control::Identification(identity.to_string()),
            oids,
        )?,
    ])
}

fn selection_octets(s: &Option<Vec<u8>>) -> Result<Option<OctetString>> {
    s.as_ref()
        .map(|b| OctetString::new(b.clone()).map_err(Error::encoding))
        .transpose()
}

fn key_usage_extension(ku: &KeyUsage) -> Result<Extension> {
    Ok(Extension {
        extn_id: const_oid::db::rfc5280::ID_CE_KEY_USAGE,
        critical: true,
        extn_value: OctetString::new(ku.to_der().map_err(Error::encoding)?)
            .map_err(Error::encoding)?,
    })
}

/// A PKCS#10 request for `key`'s public key, self-signed (sha256WithRSAEncryption), with an
/// extensionRequest for `ku`.
pub fn pkcs10(key: &RsaPrivate, subject: Name, ku: &KeyUsage) -> Result<CertReq> {
    let spki_der = encode_public_spki(&PublicKey::Rsa(key.public.clone()))?;
    let public_key = SubjectPublicKeyInfoOwned::from_der(&spki_der).map_err(Error::encoding)?;
    let mut attributes = SetOfVec::new();
    attributes
        .insert(
            Attribute::try_from(ExtensionReq(vec![key_usage_extension(ku)?]))
                .map_err(Error::encoding)?,
        )
        .map_err(Error::encoding)?;
    let info = CertReqInfo {
        version: x509_cert::request::Version::V1,
        subject,
        public_key,
        attributes,
    };
    let tbs = info.to_der().map_err(Error::encoding)?;
    let signature = key
        .to_rsa_crate()?
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs))
        .map_err(|e| Error::internal(format!("RSA signature: {e}")))?;
    Ok(CertReq {
        info,
        algorithm: AlgorithmIdentifierOwned {
            oid: SHA_256_WITH_RSA_ENCRYPTION,
            parameters: Some(Any::encode_from(&der::asn1::Null).map_err(Error::encoding)?),
        },
        signature: BitString::from_bytes(&signature).map_err(Error::encoding)?,
    })
}

/// The certification request of a key to archive: PKCS#10 for RSA, a CRMF CertReqMsg without a
/// POP field for ElGamal (see the module documentation).
fn certification_request(key: &PrivateKey, subject: Name, ku: &KeyUsage) -> Result<TaggedRequest> {
    match key {
        PrivateKey::Rsa(k) => Ok(TaggedRequest::Tcr(TaggedCertificationRequest {
            body_part_id: BODY_REQUEST,
            certification_request: pkcs10(k, subject, ku)?,
        })),
        PrivateKey::ElGamal(_) => {
            let spki_der = encode_public_spki(&key.public())?;
            let template = CertTemplate {
                subject: Some(subject),
                public_key: Some(
                    SubjectPublicKeyInfoOwned::from_der(&spki_der).map_err(Error::encoding)?,
                ),
                extensions: Some(vec![key_usage_extension(ku)?]),
                ..Default::default()
            };
            Ok(TaggedRequest::Crm(CertReqMsg {
                cert_req: CertRequest {
                    cert_req_id: Int::new(&[BODY_REQUEST as u8]).map_err(Error::encoding)?,
                    cert_template: template,
                    controls: None,
                },
                popo: None,
                reg_info: None,
            }))
        }
    }
}

/// ContentInfo(EnvelopedData(id-ct-encKeyWithID)) holding `keys` for `recipients` under
/// AES-256-CBC (the draft's bulk encryption); several keys go as id-ct-multiplePrivateKeys (the
/// draft's SEQUENCE OF SinglePrivateKey, each key named by [`key_certificate_id`]; the
/// identity strings are then not carried).
pub fn shrouded_keys(
    keys: &[(PrivateKey, Option<String>)],
    recipients: &[Recipient],
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    let (content_type, plain) = match keys {
        [(key, id)] => (
            oids.ct_enc_key_with_id,
            zeroize::Zeroizing::new(
                enc_key_with_id(key, id.clone())?
                    .to_der()
                    .map_err(Error::encoding)?,
            ),
        ),
        _ => {
            let items: Vec<&PrivateKey> = keys.iter().map(|(k, _)| k).collect();
            (
                oids.ct_multiple_private_keys,
                zeroize::Zeroizing::new(
                    multiple_private_keys(&items)?
                        .to_der()
                        .map_err(Error::encoding)?,
                ),
            )
        }
    };
    crate::cms::envelope(&plain, content_type, recipients, rng)
}

/// The draft's MultiplePrivateKeys for `keys`: each a v1 PrivateKeyInfo named by
/// [`key_certificate_id`].
pub fn multiple_private_keys(keys: &[&PrivateKey]) -> Result<MultiplePrivateKeys> {
    let mut items: MultiplePrivateKeys = Vec::with_capacity(keys.len());
    for key in keys {
        items.push(SinglePrivateKey {
            private_key: PrivateKeyInfoDer::from_der(&encode_private_pkcs8(key)?)?,
            certificate_id: key_certificate_id(key)?,
        });
    }
    Ok(items)
}

/// The draft's certificateId for `key` when kmi knows no certificate for it: the
/// subjectKeyIdentifier of the key (RFC 5280 section 4.2.1.2 method 1). With a certificate, use
/// [`crate::cms::ktri::rid_for_cert`] (issuerAndSerialNumber).
pub fn key_certificate_id(key: &PrivateKey) -> Result<RecipientIdentifier> {
    let spki = encode_public_spki(&key.public())?;
    let spki = spki::SubjectPublicKeyInfoRef::from_der(&spki).map_err(Error::encoding)?;
    crate::cms::ktri::rid_for_key_id(crate::cms::ktri::key_identifier(&spki))
}

fn enc_key_with_id(key: &PrivateKey, id: Option<String>) -> Result<EncKeyWithId> {
    let pkcs8 = encode_private_pkcs8(key)?;
    Ok(EncKeyWithId {
        private_key: PrivateKeyInfoDer::from_der(&pkcs8)?,
        identifier: id.map(EncKeyIdentifier::String),
    })
}

/// ContentInfo(AuthEnvelopedData) (RFC 5083, AES-256-GCM) holding one key's EncKeyWithID for
/// `recipients`, with inner content type **id-data**: RFC 5083 section 2.1 requires authAttrs
/// (with a content-type attribute) for any other content type, and Bouncy Castle enforces it,
/// while openssl 3.0 cannot parse authAttrs in AuthEnvelopedData at all (its ASN.1 template tags
/// them wrongly); id-data without authAttrs is the one form both read, and the form
/// `openssl cms -encrypt -aes-256-gcm` writes. The agent knows from the KeyArchival control that
/// the content is an EncKeyWithID.
pub fn authenticated_key_envelope(
    key: &PrivateKey,
    id: Option<String>,
    recipients: &[Recipient],
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    let plain = zeroize::Zeroizing::new(
        enc_key_with_id(key, id)?
            .to_der()
            .map_err(Error::encoding)?,
    );
    crate::cms::envelope_with(
        &plain,
        crate::cms::asn1::ID_DATA,
        recipients,
        ContentCipher::Aes256Gcm,
        rng,
    )
}

/// The signed request: PKIData DER inside SignedData(id-cct-PKIData).
fn sign_pki_data(
    pki_data: &PkiData,
    signer: &RequestSigner,
    unsigned: Vec<Attribute>,
    oids: &CmcOids,
) -> Result<Vec<u8>> {
    let content = pki_data.to_der().map_err(Error::encoding)?;
    let mut spec = signer.spec(oids.cct_pki_data, content)?;
    spec.unsigned_attributes = unsigned;
    spec.sign(&signer.key)
}

/// `kmi cmc archive-request`.
pub fn archive_request(
    req: &ArchiveRequest<'_>,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    let public = req.key.public();
    if let Some(c) = &req.certificate {
        if crate::cms::ktri::cert_spki(c)? != encode_public_spki(&public)? {
            return Err(Error::invalid(
                "the certificate (--cert) is not the certificate of the key to archive",
            ));
        }
    }
    let own_signer;
    let signer = match (&req.signer, req.key) {
        (Some(s), _) => s,
        (None, PrivateKey::Rsa(k)) => {
            own_signer = RequestSigner {
                key: k.clone(),
                cert: None,
            };
            &own_signer
        }
        (None, PrivateKey::ElGamal(_)) => return Err(Error::invalid(
            "an ElGamal key cannot sign its own archive request: give --sign-key (and --sign-cert)",
        )),
    };
    let (pd, unsigned) = archive_pki_data(req, oids, rng)?;
    match &req.certificate {
        None => sign_pki_data(&pd, signer, unsigned, oids),
        Some(c) => {
            // sign_pki_data, with the archived key's certificate in the certificate bag.
            let content = pd.to_der().map_err(Error::encoding)?;
            let mut spec = signer.spec(oids.cct_pki_data, content)?;
            spec.unsigned_attributes = unsigned;
            if !spec.certificates.contains(c) {
                spec.certificates.push(c.clone());
            }
            spec.sign(&signer.key)
        }
    }
}

/// The PKIData of an archive request and the unsigned attributes its signer carries (before it
/// is signed or authenticated; `req.signer` is not used).
pub fn archive_pki_data(
    req: &ArchiveRequest<'_>,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<(PkiData, Vec<Attribute>)> {
    let public = req.key.public();
    let to_agent = [Recipient::Certificate(req.agent.clone())];
    let envelope = match req.cipher {
        ContentCipher::Aes256Gcm => {
            authenticated_key_envelope(req.key, Some(req.identity.clone()), &to_agent, rng)?
        }
        ContentCipher::Aes256Cbc => shrouded_keys(
            &[(req.key.clone(), Some(req.identity.clone()))],
            &to_agent,
            oids,
            rng,
        )?,
    };
    let envelope_ci = ContentInfo::from_der(&envelope).map_err(Error::encoding)?;

    let mut pd = PkiData {
        control_sequence: common_controls(&req.identity, oids, rng)?,
        ..Default::default()
    };
    let cms_body = match req.placement {
        Placement::Body => BODY_ARCHIVED_KEY,
        Placement::Unsigned => 0,
    };
    pd.control_sequence.push(TaggedAttribute::from_control(
        BODY_CONTROL,
        &Control::KeyArchival(KeyArchival {
            key_identification: match &req.certificate {
                Some(c) => KeyIdentification::CertificateId(crate::cms::ktri::rid_for_cert(c)),
                None => KeyIdentification::ReqBodyPartId(BODY_REQUEST),
            },
            cms_body_part_id: cms_body,
            selection_criteria: selection_octets(&req.selection)?,
        }),
        oids,
    )?);
    if req.certificate.is_none() {
        let ku = req.key_use.key_usage(&public)?;
        pd.req_sequence
            .push(certification_request(req.key, req.subject.clone(), &ku)?);
    }
    let mut unsigned = Vec::new();
    match req.placement {
        Placement::Body => pd.cms_sequence.push(TaggedContentInfo {
            body_part_id: BODY_ARCHIVED_KEY,
            content_info: envelope_ci,
        }),
        Placement::Unsigned => {
            let ud = CmcUnsignedData {
                body_part_path: vec![BODY_CONTROL],
                identifier: oids.archive_enveloped_data,
                content: Any::encode_from(&envelope_ci).map_err(Error::encoding)?,
            };
            let mut values = SetOfVec::new();
            values
                .insert(Any::encode_from(&ud).map_err(Error::encoding)?)
                .map_err(Error::encoding)?;
            unsigned.push(Attribute {
                oid: oids.aa_cmc_unsigned_data,
                values,
            });
        }
    }
    Ok((pd, unsigned))
}

/// `kmi cmc recovery-request`.
pub fn recovery_request(
    req: &RecoveryRequest,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    let pd = recovery_pki_data(&req.identity, &req.shroud, &req.selection, oids, rng)?;
    sign_pki_data(&pd, &req.signer, Vec::new(), oids)
}

/// The PKIData of a recovery request (before it is signed or authenticated).
pub fn recovery_pki_data(
    identity: &str,
    shroud: &ShroudChoice,
    selection: &Option<Vec<u8>>,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<PkiData> {
    let mut pd = PkiData {
        control_sequence: common_controls(identity, oids, rng)?,
        ..Default::default()
    };
    pd.control_sequence.push(TaggedAttribute::from_control(
        BODY_CONTROL,
        &Control::KeyRecoveryReq(KeyRecoveryReq {
            shroud_method: shroud.method(oids)?,
            enc_capabilities: default_enc_capabilities(),
            selection_criteria: selection_octets(selection)?,
        }),
        oids,
    )?);
    Ok(pd)
}

/// The encCapabilities kmi's client sends: AES-256-GCM, AES-256-CBC, AES-128-CBC (RFC 3565 /
/// RFC 5084 identifiers, no parameters), in that order of preference.
pub fn default_enc_capabilities() -> SmimeCapabilities {
    [
        crate::cms::auth_enveloped::AES256_GCM,
        crate::cms::asn1::AES256_CBC,
        crate::cms::asn1::AES128_CBC,
    ]
    .into_iter()
    .map(|capability_id| SmimeCapability {
        capability_id,
        parameters: None,
    })
    .collect()
}

/// The CertTemplate publicKey of a key to be generated: the algorithm with an empty key.
fn empty_spki(algorithm: AlgorithmIdentifierOwned) -> Result<SubjectPublicKeyInfoOwned> {
    Ok(SubjectPublicKeyInfoOwned {
        algorithm,
        subject_public_key: BitString::from_bytes(&[]).map_err(Error::encoding)?,
    })
}

/// `kmi cmc keygen-request`: a ServerKeyGenRequest (draft 4.1) whose CertTemplate carries the
/// subject, the algorithm as a publicKey with an empty key ("the subjectPublicKey MUST be a zero
/// length bit string"), and the keyUsage the certificate should have. The draft's template has
/// no room for an RSA size, so the agent chooses it; an ElGamal group travels in the
/// algorithm's parameters (4.1: "the server MUST generate a key of that algorithm (with the
/// parameters if defined)").
pub fn keygen_request(
    req: &KeygenRequest,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>> {
    let signer = req.signer.as_ref().ok_or_else(|| {
        Error::invalid("a key generation request is signed or authenticated with a shared secret")
    })?;
    let pd = keygen_pki_data(req, oids, rng)?;
    sign_pki_data(&pd, signer, Vec::new(), oids)
}

/// The PKIData of a key generation request (before it is signed or authenticated; `req.signer`
/// is not used).
pub fn keygen_pki_data(
    req: &KeygenRequest,
    oids: &CmcOids,
    rng: &mut dyn CryptoRngCore,
) -> Result<PkiData> {
    let (spki_alg, ku) = match &req.algorithm {
        KeygenAlgorithm::Rsa => (
            AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: None,
            },
            KeyUsage(KeyUsages::KeyEncipherment.into()),
        ),
        KeygenAlgorithm::ElGamal { group } => (
            AlgorithmIdentifierOwned {
                oid: DHPUBLICNUMBER,
                parameters: Some(Any::from_der(&dh_params_der(group)?).map_err(Error::encoding)?),
            },
            KeyUsage(KeyUsages::KeyAgreement.into()),
        ),
    };
    let template = CertTemplate {
        subject: Some(req.subject.clone()),
        public_key: Some(empty_spki(spki_alg)?),
        extensions: Some(vec![key_usage_extension(&ku)?]),
        ..Default::default()
    };
    let skg = ServerKeyGenRequest {
        certificate_request: template,
        shroud_method: req.shroud.method(oids)?,
        enc_capabilities: default_enc_capabilities(),
        f_archive_key: req.archive,
        selection_criteria: selection_octets(&req.selection)?,
    };
    let mut pd = PkiData {
        control_sequence: common_controls(&req.identity, oids, rng)?,
        ..Default::default()
    };
    pd.control_sequence.push(TaggedAttribute::from_control(
        BODY_CONTROL,
        &Control::ServerKeyGenRequest(Box::new(skg)),
        oids,
    )?);
    Ok(pd)
}
