//! kmi cert request | self-sign | issue | prepare (request|self-sign|issue) | finish | show

use std::path::Path;

use der::{Decode, Encode};
use serde_json::json;
use sha2::{Digest, Sha256};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo};
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use kmi::cli::cert::{
    CertCommand, FinishArgs, IssueArgs, PrepareCommand, PrepareIssueArgs, PrepareRequestArgs,
    PrepareSelfSignArgs, ProfileArgs, RequestArgs, SelfSignArgs, ShowArgs, SubjectSourceArgs,
};
use kmi::cli::{KeyPassphraseArgs, OutputArgs, PassphraseArgs};
use kmi::io::armor::{decode_armor, encode_pem};
use kmi::io::{read_input, write_output, OutputSpec};
use kmi::keys::cert::build::{
    finish, finish_request, prepare, prepare_request, request_extensions, requested_usages,
    rsa_spki, usages_of,
};
use kmi::keys::cert::{
    csr, issue, parse_subject, read_certificates, read_csr, CertSpec, Issuer, PublicIssuer, Usage,
};
use kmi::keys::{encode_public_spki, Key, PrivateKey, PublicKey};
use kmi::log::Record;
use kmi::threshold::set::{Operation, ShareSet};
use kmi::{Error, Result};

use super::Context;

pub fn run(ctx: &Context, command: CertCommand) -> Result<()> {
    let (name, log) = match &command {
        CertCommand::Show(_) => ("cert show", None),
        CertCommand::Request(a) => ("cert request", a.log.log.clone()),
        CertCommand::SelfSign(a) => ("cert self-sign", a.log.log.clone()),
        CertCommand::Issue(a) => ("cert issue", a.log.log.clone()),
        CertCommand::Prepare(PrepareCommand::Request(a)) => {
            ("cert prepare request", a.log.log.clone())
        }
        CertCommand::Prepare(PrepareCommand::SelfSign(a)) => {
            ("cert prepare self-sign", a.log.log.clone())
        }
        CertCommand::Prepare(PrepareCommand::Issue(a)) => ("cert prepare issue", a.log.log.clone()),
        CertCommand::Finish(a) => ("cert finish", a.log.log.clone()),
    };
    // As in kmi share: the record is opened and locked before the work, and every operation
    // leaves a line whether it succeeded or not.
    let mut record = ctx.open_record(log.as_deref())?;
    let mut rec = Record::default();
    let result = match command {
        CertCommand::Request(a) => request(ctx, a, &mut rec),
        CertCommand::SelfSign(a) => self_sign(ctx, a, &mut rec),
        CertCommand::Issue(a) => issue_cmd(ctx, a, &mut rec),
        CertCommand::Prepare(PrepareCommand::Request(a)) => prepare_request_cmd(ctx, a, &mut rec),
        CertCommand::Prepare(PrepareCommand::SelfSign(a)) => prepare_self_sign(ctx, a, &mut rec),
        CertCommand::Prepare(PrepareCommand::Issue(a)) => prepare_issue(ctx, a, &mut rec),
        CertCommand::Finish(a) => finish_cmd(ctx, a, &mut rec),
        CertCommand::Show(a) => show(a),
    };
    if let (Some(log), Some(record)) = (log, record.as_mut()) {
        let outcome = match &result {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("failed: {e}"),
        };
        let head = record.append(rec.entry(name, &outcome))?;
        eprintln!("kmi: ceremony record {} head {head}", log.display());
    }
    result
}

/// An error about `path`'s content names the file; a verdict (exit 1) or a refusal (exit 2)
/// about it says the file first.
fn about(path: &Path) -> impl Fn(Error) -> Error + '_ {
    move |e| match e {
        Error::CheckFailed(m) => Error::check(format!("{}: {m}", path.display())),
        Error::Invalid(m) => Error::invalid(format!("{}: {m}", path.display())),
        other => other.in_file(path),
    }
}

/// An RSA private key, for signing.
fn read_rsa_key(
    ctx: &Context,
    path: &Path,
    pass: &KeyPassphraseArgs,
) -> Result<rsa::RsaPrivateKey> {
    match ctx.read_key(path, &pass.source())? {
        Key::Private(PrivateKey::Rsa(k)) => k.to_rsa_crate().map_err(about(path)),
        Key::Private(_) => Err(Error::invalid(format!(
            "{}: an ElGamal key cannot sign; certificates and requests are signed with RSA keys",
            path.display()
        ))),
        Key::Public(_) => Err(Error::invalid(format!(
            "{}: this is a public key; signing needs the private key",
            path.display()
        ))),
    }
}

fn spki_of(public: &PublicKey) -> Result<SubjectPublicKeyInfoOwned> {
    SubjectPublicKeyInfoOwned::from_der(&encode_public_spki(public)?).map_err(Error::encoding)
}

/// The usages asked for on the command line (--usage and --ca), in order, without repeats.
fn asked_usages(profile: &ProfileArgs) -> Vec<Usage> {
    let mut out: Vec<Usage> = Vec::new();
    let ca = profile.ca.then_some(Usage::Ca);
    for u in profile.usage.iter().map(|&u| Usage::from(u)).chain(ca) {
        if !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

fn spec(
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    usages: Vec<Usage>,
    p: &ProfileArgs,
) -> CertSpec {
    CertSpec {
        subject,
        spki,
        usages,
        days: p.days,
        path_len: p.path_len,
    }
}

/// The subject, its key and the usages of a certificate to issue, from a request or from
/// --public and --subject. Without --usage: what the request asks for (ca only with --ca),
/// else sign for an RSA key and encrypt for others.
fn subject_of(ctx: &Context, src: &SubjectSourceArgs, profile: &ProfileArgs) -> Result<CertSpec> {
    let (name, spki, requested) = match (&src.request, &src.public) {
        (Some(path), None) => {
            let input = read_input(path)?;
            let req = read_csr(&input.bytes).map_err(about(&input.name))?;
            let requested = requested_usages(&req).map_err(about(&input.name))?;
            (req.info.subject, req.info.public_key, requested)
        }
        (None, Some(path)) => {
            let key = ctx.read_key(path, &PassphraseArgs::default())?;
            (Name::default(), spki_of(&key.public())?, Vec::new())
        }
        _ => {
            return Err(Error::invalid(
                "give a REQUEST, or --public KEY with --subject DN",
            ))
        }
    };
    let name = match &src.subject {
        Some(dn) => parse_subject(dn)?,
        None => name,
    };
    if name.0.is_empty() {
        return Err(Error::invalid(
            "the certificate needs a subject: give --subject DN",
        ));
    }
    let mut usages = asked_usages(profile);
    if profile.usage.is_empty() {
        if requested.contains(&Usage::Ca) && !profile.ca {
            ctx.warn("the request asks for usage ca; a CA certificate is issued only with --ca");
        }
        let from_request: Vec<Usage> = requested.into_iter().filter(|u| *u != Usage::Ca).collect();
        let default = if spki.algorithm.oid == const_oid::db::rfc5912::RSA_ENCRYPTION {
            Usage::Sign
        } else {
            Usage::Encrypt
        };
        let base = if !from_request.is_empty() {
            from_request
        } else if profile.ca {
            Vec::new()
        } else {
            vec![default]
        };
        usages = base.into_iter().chain(usages).collect();
    }
    Ok(spec(name, spki, usages, profile))
}

/// Self-sign: --ca alone is a pure CA certificate; no usage at all means sign.
fn self_usages(profile: &ProfileArgs) -> Vec<Usage> {
    let usages = asked_usages(profile);
    if usages.is_empty() {
        vec![Usage::Sign]
    } else {
        usages
    }
}

fn first_cert(path: &Path) -> Result<Certificate> {
    let input = read_input(path)?;
    let mut certs = read_certificates(&input.bytes).map_err(|e| e.in_file(&input.name))?;
    Ok(certs.remove(0))
}

fn write_cert(spec: &OutputSpec, cert: &Certificate, der_out: bool) -> Result<()> {
    let der = cert.to_der().map_err(Error::encoding)?;
    if der_out {
        write_output(spec, &der)
    } else {
        write_output(spec, encode_pem("CERTIFICATE", &der)?.as_bytes())
    }
}

fn write_request(spec: &OutputSpec, req: &CertReq, der_out: bool) -> Result<()> {
    let der = req.to_der().map_err(Error::encoding)?;
    if der_out {
        write_output(spec, &der)
    } else {
        write_output(spec, encode_pem("CERTIFICATE REQUEST", &der)?.as_bytes())
    }
}

fn out_spec(out: &OutputArgs) -> Result<OutputSpec> {
    let spec = out.file.spec(false);
    spec.check_writable()?;
    if out.der {
        super::refuse_binary_to_terminal(&spec)?;
    }
    Ok(spec)
}

fn request(ctx: &Context, a: RequestArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.key.clone());
    let spec = out_spec(&a.out)?;
    let subject = parse_subject(&a.name.subject)?;
    let key = read_rsa_key(ctx, &a.key, &a.key_pass)?;
    let usages: Vec<Usage> = a.name.usage.iter().map(|&u| u.into()).collect();
    let req = csr(&key, &subject, &usages).map_err(about(&a.key))?;
    write_request(&spec, &req, a.out.der)?;
    rec.outputs.extend(spec.path.clone());
    ctx.note(format!("wrote a request for \"{subject}\""));
    Ok(())
}

fn self_sign(ctx: &Context, a: SelfSignArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.key.clone());
    let spec_out = out_spec(&a.out)?;
    let subject = parse_subject(&a.subject)?;
    let key = read_rsa_key(ctx, &a.key, &a.key_pass)?;
    let spki = rsa_spki(&key.to_public_key())?;
    let spec = spec(subject, spki, self_usages(&a.profile), &a.profile);
    let mut rng = ctx.fixture_rng(&a.fixture, "the certificate's serial number")?;
    let cert = issue(&spec, Issuer::SelfSigned(&key), &mut rng)?;
    write_cert(&spec_out, &cert, a.out.der)?;
    rec.outputs.extend(spec_out.path.clone());
    note_cert(ctx, "self-signed", &cert, &spec.usages);
    Ok(())
}

fn issue_cmd(ctx: &Context, a: IssueArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.ca_key.clone());
    rec.inputs.push(a.ca_cert.clone());
    rec.inputs
        .extend(a.subject.request.iter().chain(&a.subject.public).cloned());
    let spec_out = out_spec(&a.out)?;
    let ca_cert = first_cert(&a.ca_cert)?;
    let spec = subject_of(ctx, &a.subject, &a.profile)?;
    let key = read_rsa_key(ctx, &a.ca_key, &a.key_pass)?;
    let mut rng = ctx.fixture_rng(&a.fixture, "the certificate's serial number")?;
    let issuer = Issuer::Ca {
        cert: &ca_cert,
        key: &key,
    };
    let cert = issue(&spec, issuer, &mut rng)?;
    write_cert(&spec_out, &cert, a.out.der)?;
    rec.outputs.extend(spec_out.path.clone());
    note_cert(ctx, "issued", &cert, &spec.usages);
    Ok(())
}

fn note_cert(ctx: &Context, what: &str, cert: &Certificate, usages: &[Usage]) {
    let names: Vec<&str> = usages.iter().map(|u| u.name()).collect();
    ctx.note(format!(
        "{what} \"{}\" (issuer \"{}\", usages {}, until {})",
        cert.tbs_certificate.subject,
        cert.tbs_certificate.issuer,
        names.join(","),
        cert.tbs_certificate.validity.not_after,
    ));
}

/// A sign set's RSA public key: the set must be able to sign (purpose sign, RSA).
fn set_key(path: &Path) -> Result<(ShareSet, rsa::RsaPublicKey)> {
    let set = super::share::read_set(path)?;
    set.check_public().map_err(|e| e.in_file(path))?;
    // The purpose check of the trustees' side, made before anything is written.
    set.prepare(Operation::RsaSign, b"").map_err(about(path))?;
    let PublicKey::Rsa(k) = set.public.public_key() else {
        return Err(Error::invalid(format!(
            "{}: threshold signing needs an RSA share set",
            path.display()
        )));
    };
    Ok((set, k.to_rsa_crate()?))
}

fn note_prepared(ctx: &Context, spec: &OutputSpec, set: &ShareSet) {
    let to = spec
        .path
        .as_deref()
        .map_or("the output".into(), |p| p.display().to_string());
    ctx.note(format!(
        "{} of the {} trustees of set {}: kmi share partial --share SHARE --sign {to}; then kmi cert finish --set SET --tbs {to} PARTIALS",
        set.public.threshold(),
        set.public.total(),
        &set.id_hex()[..16],
    ));
}

fn prepare_request_cmd(ctx: &Context, a: PrepareRequestArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    let spec = a.out.spec(false);
    spec.check_writable()?;
    super::refuse_binary_to_terminal(&spec)?;
    let subject = parse_subject(&a.name.subject)?;
    let (set, key) = set_key(&a.set)?;
    let usages: Vec<Usage> = a.name.usage.iter().map(|&u| u.into()).collect();
    rec.set_id = Some(set.id_hex());
    let tbs = prepare_request(&subject, &rsa_spki(&key)?, &usages)?;
    write_output(&spec, &tbs)?;
    rec.outputs.extend(spec.path.clone());
    note_prepared(ctx, &spec, &set);
    Ok(())
}

fn prepare_self_sign(ctx: &Context, a: PrepareSelfSignArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    let spec_out = a.out.spec(false);
    spec_out.check_writable()?;
    super::refuse_binary_to_terminal(&spec_out)?;
    let subject = parse_subject(&a.subject)?;
    let (set, key) = set_key(&a.set)?;
    let spec = spec(
        subject,
        rsa_spki(&key)?,
        self_usages(&a.profile),
        &a.profile,
    );
    let mut rng = ctx.fixture_rng(&a.fixture, "the certificate's serial number")?;
    rec.set_id = Some(set.id_hex());
    let tbs = prepare(&spec, PublicIssuer::SelfSigned(&key), &mut rng)?;
    write_output(&spec_out, &tbs)?;
    rec.outputs.extend(spec_out.path.clone());
    note_prepared(ctx, &spec_out, &set);
    Ok(())
}

fn prepare_issue(ctx: &Context, a: PrepareIssueArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.push(a.ca_cert.clone());
    rec.inputs
        .extend(a.subject.request.iter().chain(&a.subject.public).cloned());
    let spec_out = a.out.spec(false);
    spec_out.check_writable()?;
    super::refuse_binary_to_terminal(&spec_out)?;
    let ca_cert = first_cert(&a.ca_cert)?;
    let spec = subject_of(ctx, &a.subject, &a.profile)?;
    let (set, key) = set_key(&a.set)?;
    let mut rng = ctx.fixture_rng(&a.fixture, "the certificate's serial number")?;
    let issuer = PublicIssuer::Ca {
        cert: &ca_cert,
        key: &key,
    };
    rec.set_id = Some(set.id_hex());
    let tbs = prepare(&spec, issuer, &mut rng)?;
    write_output(&spec_out, &tbs)?;
    rec.outputs.extend(spec_out.path.clone());
    note_prepared(ctx, &spec_out, &set);
    Ok(())
}

fn finish_cmd(ctx: &Context, a: FinishArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.push(a.tbs.clone());
    rec.inputs.extend(a.partials.iter().cloned());
    let spec = out_spec(&a.out)?;
    let (set, key) = set_key(&a.set)?;
    rec.set_id = Some(set.id_hex());
    let input = kmi::io::input::read_input(&a.tbs)?;
    let tbs = &input.bytes;
    let is_cert = TbsCertificate::from_der(tbs).is_ok();
    if !is_cert && CertReqInfo::from_der(tbs).is_err() {
        return Err(Error::malformed(
            &input.name,
            "neither a to-be-signed certificate nor a request info (from kmi cert prepare)",
        ));
    }
    let prepared = set.prepare(Operation::RsaSign, tbs)?;
    let good = super::share::good_partials(ctx, &set, &prepared, &a.partials)?;
    rec.shares = good.iter().map(|p| p.index).collect();
    let signature = set.combine(&good, &prepared)?;
    if is_cert {
        let cert = finish(tbs, &signature, &key).map_err(about(&input.name))?;
        write_cert(&spec, &cert, a.out.der)?;
        rec.outputs.extend(spec.path.clone());
        let usages = match &cert.tbs_certificate.extensions {
            Some(exts) => usages_of(exts)?,
            None => Vec::new(),
        };
        note_cert(ctx, "signed by the trustees:", &cert, &usages);
    } else {
        let req = finish_request(tbs, &signature, &key).map_err(about(&input.name))?;
        write_request(&spec, &req, a.out.der)?;
        rec.outputs.extend(spec.path.clone());
        ctx.note(format!(
            "signed by the trustees: a request for \"{}\"",
            req.info.subject
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ show

/// What `kmi cert show` read.
enum Shown {
    Certificate(Box<Certificate>, Vec<u8>),
    Request(Box<CertReq>, Vec<u8>),
    Tbs(Box<TbsCertificate>),
    RequestInfo(Box<CertReqInfo>),
}

fn read_shown(bytes: &[u8], name: &Path) -> Result<Shown> {
    let armored = decode_armor(bytes).map_err(|e| e.in_file(name))?;
    let der = armored.der;
    let wrong = |what: &str| Error::malformed(name, what.to_string());
    match armored.label.as_deref() {
        Some("CERTIFICATE") => Certificate::from_der(&der)
            .map(|c| Shown::Certificate(Box::new(c), der.clone()))
            .map_err(|e| wrong(&format!("malformed certificate: {e}"))),
        Some("CERTIFICATE REQUEST") | Some("NEW CERTIFICATE REQUEST") => CertReq::from_der(&der)
            .map(|r| Shown::Request(Box::new(r), der.clone()))
            .map_err(|e| wrong(&format!("malformed request: {e}"))),
        Some(other) => Err(wrong(&format!(
            "a PEM {other}: not a certificate or a request"
        ))),
        None => {
            if let Ok(c) = Certificate::from_der(&der) {
                Ok(Shown::Certificate(Box::new(c), der))
            } else if let Ok(r) = CertReq::from_der(&der) {
                Ok(Shown::Request(Box::new(r), der))
            } else if let Ok(t) = TbsCertificate::from_der(&der) {
                Ok(Shown::Tbs(Box::new(t)))
            } else if let Ok(i) = CertReqInfo::from_der(&der) {
                Ok(Shown::RequestInfo(Box::new(i)))
            } else {
                Err(wrong(
                    "not a certificate, a request or a to-be-signed certificate",
                ))
            }
        }
    }
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn grouped(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

const KEY_USAGE_NAMES: [(KeyUsages, &str); 9] = [
    (KeyUsages::DigitalSignature, "digitalSignature"),
    (KeyUsages::NonRepudiation, "nonRepudiation"),
    (KeyUsages::KeyEncipherment, "keyEncipherment"),
    (KeyUsages::DataEncipherment, "dataEncipherment"),
    (KeyUsages::KeyAgreement, "keyAgreement"),
    (KeyUsages::KeyCertSign, "keyCertSign"),
    (KeyUsages::CRLSign, "cRLSign"),
    (KeyUsages::EncipherOnly, "encipherOnly"),
    (KeyUsages::DecipherOnly, "decipherOnly"),
];

/// The parts of a certificate, request or TBS that `show` prints; None where the kind has none.
struct View<'a> {
    kind: &'static str,
    subject: &'a Name,
    spki: &'a SubjectPublicKeyInfoOwned,
    exts: Vec<Extension>,
    issuer: Option<&'a Name>,
    serial: Option<String>,
    validity: Option<(String, String)>,
    /// The signed object's DER, for its fingerprints.
    der: Option<&'a [u8]>,
}

fn tbs_view<'a>(kind: &'static str, t: &'a TbsCertificate, der: Option<&'a [u8]>) -> View<'a> {
    View {
        kind,
        subject: &t.subject,
        spki: &t.subject_public_key_info,
        exts: t.extensions.clone().unwrap_or_default(),
        issuer: Some(&t.issuer),
        serial: Some(hex::encode(t.serial_number.as_bytes())),
        validity: Some((
            t.validity.not_before.to_string(),
            t.validity.not_after.to_string(),
        )),
        der,
    }
}

fn info_view<'a>(
    kind: &'static str,
    i: &'a CertReqInfo,
    der: Option<&'a [u8]>,
) -> Result<View<'a>> {
    Ok(View {
        kind,
        subject: &i.subject,
        spki: &i.public_key,
        exts: request_extensions(i)?,
        issuer: None,
        serial: None,
        validity: None,
        der,
    })
}

fn view(shown: &Shown) -> Result<View<'_>> {
    match shown {
        Shown::Certificate(c, der) => Ok(tbs_view("certificate", &c.tbs_certificate, Some(der))),
        Shown::Tbs(t) => Ok(tbs_view("to-be-signed certificate", t, None)),
        Shown::Request(r, der) => info_view("certificate request", &r.info, Some(der)),
        Shown::RequestInfo(i) => info_view("request info (to be signed)", i, None),
    }
}

fn show(a: ShowArgs) -> Result<()> {
    let input = read_input(&a.file)?;
    let name = input.name.clone();
    let shown = read_shown(&input.bytes, &name)?;
    let View {
        kind,
        subject,
        spki,
        exts,
        issuer,
        serial,
        validity,
        der,
    } = view(&shown)?;
    let spki_der = spki.to_der().map_err(Error::encoding)?;
    let key = match kmi::keys::decode_key(&spki_der, &name, &|| {
        Err(Error::invalid("a public key has no passphrase"))
    }) {
        Ok(k) => format!("{} {} bits", k.kind(), k.public().bits()),
        Err(_) => spki.algorithm.oid.to_string(),
    };
    let key_fp = grouped(&hex::encode(Sha256::digest(&spki_der)));
    let usages: Vec<&str> = usages_of(&exts)
        .map_err(|e| e.in_file(&name))?
        .iter()
        .map(|u| u.name())
        .collect();
    let find = |oid| exts.iter().find(|e| e.extn_id == oid);
    let key_usage: Vec<&str> = find(<KeyUsage as der::oid::AssociatedOid>::OID)
        .and_then(|e| KeyUsage::from_der(e.extn_value.as_bytes()).ok())
        .map(|ku| {
            KEY_USAGE_NAMES
                .iter()
                .filter(|(f, _)| ku.0.contains(*f))
                .map(|(_, n)| *n)
                .collect()
        })
        .unwrap_or_default();
    let eku: Vec<String> = find(<ExtendedKeyUsage as der::oid::AssociatedOid>::OID)
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
        .map(|e| {
            e.0.iter()
                .map(|o| {
                    const_oid::db::DB
                        .by_oid(o)
                        .map_or(o.to_string(), |n| n.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    let bc = find(<BasicConstraints as der::oid::AssociatedOid>::OID)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok());
    let fps = der.map(|d| {
        (
            colon_hex(&Sha256::digest(d)),
            colon_hex(&<sha1::Sha1 as Digest>::digest(d)),
        )
    });
    let self_signed = issuer.map(|i| i == subject);
    if a.json {
        let plain = |h: &String| super::json::plain_hex(h);
        let value = json!({
            "kind": kind,
            "subject": subject.to_string(),
            "issuer": issuer.map(|i| i.to_string()),
            "self_signed": self_signed,
            "serial": serial.as_ref().map(plain),
            "not_before": validity.as_ref().map(|v| v.0.clone()),
            "not_after": validity.as_ref().map(|v| v.1.clone()),
            "key": key,
            "key_fingerprint": plain(&key_fp),
            "usages": usages,
            "key_usage": key_usage,
            "extended_key_usage": eku,
            "ca": bc.as_ref().map(|b| b.ca),
            "path_len": bc.as_ref().and_then(|b| b.path_len_constraint),
            "sha256_fingerprint": fps.as_ref().map(|f| plain(&f.0)),
            "sha1_fingerprint": fps.as_ref().map(|f| plain(&f.1)),
        });
        return super::json::print(true, value);
    }
    outln!("{kind}")?;
    outln!("  subject:         {subject}")?;
    if let Some(i) = issuer {
        let own = if self_signed == Some(true) {
            " (self-signed)"
        } else {
            ""
        };
        outln!("  issuer:          {i}{own}")?;
    }
    if let Some(s) = &serial {
        outln!("  serial:          {s}")?;
    }
    if let Some((from, to)) = &validity {
        outln!("  valid:           {from} to {to}")?;
    }
    outln!("  key:             {key}")?;
    outln!("  key fingerprint: {key_fp}")?;
    let or_none = |v: Vec<String>| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(", ")
        }
    };
    outln!(
        "  usages:          {}",
        or_none(usages.iter().map(|s| s.to_string()).collect())
    )?;
    outln!(
        "  key usage:       {}",
        or_none(key_usage.iter().map(|s| s.to_string()).collect())
    )?;
    if !eku.is_empty() {
        outln!("  ext key usage:   {}", eku.join(", "))?;
    }
    if let Some(b) = bc {
        match (b.ca, b.path_len_constraint) {
            (true, Some(n)) => outln!("  basic:           CA, path length {n}")?,
            (true, None) => outln!("  basic:           CA")?,
            (false, _) => outln!("  basic:           not a CA")?,
        }
    }
    if let Some((sha256, sha1)) = &fps {
        outln!("  SHA-256:         {sha256}")?;
        outln!("  SHA-1:           {sha1}")?;
    }
    Ok(())
}
