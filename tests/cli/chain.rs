//! Certificate path validation of `kmi ccm verify` (issue 10, item 2) against `openssl verify`.
//!
//! Each case builds a PKI with openssl at test time (root -> intermediate(s) -> signer, with
//! extensions from -extfile), signs the export policy with `kmi ccm sign --cert leaf --chain
//! inter` (or, where kmi ccm sign itself refuses the signer's certificate, with `openssl cms
//! -sign` over the same .SF, which is what an attacker would do), and runs `kmi ccm verify --trust
//! root.pem`. The same chain goes through `openssl verify -purpose any -CAfile root.pem -untrusted
//! chain.pem leaf.pem`. Where openssl checks the same thing the verdicts must agree; where they
//! differ on purpose (extended key usage, key usage of the signer, a CA certificate as signer,
//! basicConstraints missing from a CA), the case says why and asserts the difference.
//!
//! The CA:FALSE intermediate case is the attack of the issue: anyone holding an ordinary end-entity
//! certificate under the trusted root could issue a "policy signer". kmi 0.1 accepted it.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;

use crate::common::*;

fn ossl(w: &Work, args: &[&str]) {
    let out = output_of(openssl().current_dir(w.dir.path()).args(args));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An RSA 2048 key `name`.key (made once).
fn key(w: &Work, name: &str) -> String {
    let file = format!("{name}.key");
    if !w.path(&file).exists() {
        ossl(
            w,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &file,
            ],
        );
    }
    file
}

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";
const SIGNER_EXT: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n";

/// Certificate `name`.pem with subject CN=`cn` for `key`, with exactly the extensions in `ext`,
/// valid for 10 years from now; issued by `issuer` (`(cert, key)`), or self-signed.
fn cert(
    w: &Work,
    name: &str,
    cn: &str,
    key: &str,
    issuer: Option<(&str, &str)>,
    ext: &str,
) -> String {
    let csr = format!("{name}.csr");
    let ext_file = format!("{name}.ext");
    let out = format!("{name}.pem");
    w.write(&ext_file, ext);
    ossl(
        w,
        &[
            "req",
            "-new",
            "-key",
            key,
            "-subj",
            &format!("/CN={cn}"),
            "-out",
            &csr,
        ],
    );
    let mut args = vec![
        "x509", "-req", "-in", &csr, "-extfile", &ext_file, "-days", "3650", "-sha256", "-out",
        &out,
    ];
    match issuer {
        Some((ca, ca_key)) => args.extend(["-CA", ca, "-CAkey", ca_key, "-CAcreateserial"]),
        None => args.extend(["-signkey", key]),
    }
    ossl(w, &args);
    out
}

/// Like [`cert`], issued by `issuer` with the validity period `start`..`end` (YYYYMMDDHHMMSSZ):
/// openssl 3.0's x509 cannot set past dates, `openssl ca` can.
#[allow(clippy::too_many_arguments)]
fn dated_cert(
    w: &Work,
    name: &str,
    cn: &str,
    key: &str,
    issuer: (&str, &str),
    ext: &str,
    start: &str,
    end: &str,
) -> String {
    let csr = format!("{name}.csr");
    let ext_file = format!("{name}.ext");
    let out = format!("{name}.pem");
    w.write(&ext_file, ext);
    ossl(
        w,
        &[
            "req",
            "-new",
            "-key",
            key,
            "-subj",
            &format!("/CN={cn}"),
            "-out",
            &csr,
        ],
    );
    w.write(
        "ca.cnf",
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n\
         default_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n",
    );
    w.write("index.txt", "");
    w.write("serial", "2000\n");
    ossl(
        w,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            issuer.0,
            "-keyfile",
            issuer.1,
            "-in",
            &csr,
            "-out",
            &out,
            "-extfile",
            &ext_file,
            "-notext",
            "-startdate",
            start,
            "-enddate",
            end,
        ],
    );
    out
}

/// A scratch PKI: root.pem (CN=Test Root, a proper CA) and the export policy as policy.txt.
fn pki() -> Work {
    let w = Work::new();
    let root_key = key(&w, "root");
    cert(&w, "root", "Test Root", &root_key, None, CA_EXT);
    kmi()
        .current_dir(w.dir.path())
        .args(["ccm", "template", "--export", "-o", "policy.txt"])
        .assert()
        .success();
    w
}

/// Concatenate PEM files into `name` (for -untrusted).
fn bundle(w: &Work, name: &str, files: &[&str]) -> String {
    let mut all = Vec::new();
    for f in files {
        all.extend(w.read(f));
    }
    w.write(name, all);
    name.to_string()
}

/// `openssl verify -purpose any` of `leaf` with `chain` untrusted and `trust` as the only CA file:
/// Ok, or Err(openssl's error line).
fn openssl_verify(
    w: &Work,
    leaf: &str,
    chain: &[&str],
    trust: &str,
    extra: &[&str],
) -> Result<(), String> {
    let mut cmd = openssl();
    cmd.current_dir(w.dir.path())
        .args(["verify", "-purpose", "any", "-CAfile", trust])
        .args(extra);
    if !chain.is_empty() {
        let b = bundle(w, "untrusted.pem", chain);
        cmd.args(["-untrusted", &b]);
    }
    let out = output_of(cmd.arg(leaf));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        assert!(text.contains(": OK"), "{text}");
        Ok(())
    } else {
        Err(text
            .lines()
            .find(|l| l.starts_with("error "))
            .unwrap_or(&text)
            .to_string())
    }
}

/// `kmi ccm sign` the policy with `leaf` (key `key`) and `--chain` each of `chain` into `jar`.
fn kmi_sign(w: &Work, leaf: &str, key: &str, chain: &[&str], jar: &str) -> Output {
    let mut cmd = kmi();
    cmd.current_dir(w.dir.path()).args([
        "--quiet",
        "ccm",
        "sign",
        "policy.txt",
        "--key",
        key,
        "--cert",
        leaf,
        "-o",
        jar,
    ]);
    for c in chain {
        cmd.args(["--chain", c]);
    }
    output_of(&mut cmd)
}

/// Every entry of a JAR, in order, with its bytes.
fn jar_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (e.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// What an attacker does when `kmi ccm sign` refuses the certificate: sign the .SF of a policy
/// JAR with `openssl cms -sign` (detached, no signed attributes, as jarsigner-style blocks may
/// be) and put that block in place of kmi's.
fn forge(w: &Work, leaf: &str, key_file: &str, chain: &[&str], jar: &str) {
    // Any signer will do for the JAR's other entries: they do not depend on the certificate.
    let shell = "shell.jar";
    if !w.path(shell).exists() {
        let k = key(w, "shell");
        let c = cert(w, "shell", "Shell", &k, None, SIGNER_EXT);
        assert!(kmi_sign(w, &c, &k, &[], shell).status.success());
    }
    let mut entries = jar_entries(&w.path(shell));
    let sf = entries
        .iter()
        .find(|(n, _)| n == "META-INF/CCM.SF")
        .unwrap()
        .1
        .clone();
    w.write("forge.sf", sf);
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-noattr",
        "-nosmimecap",
        "-md",
        "sha256",
        "-in",
        "forge.sf",
        "-signer",
        leaf,
        "-inkey",
        key_file,
        "-outform",
        "DER",
        "-out",
        "forge.rsa",
    ];
    let b;
    if !chain.is_empty() {
        b = bundle(w, "forge-chain.pem", chain);
        args.extend(["-certfile", &b]);
    }
    ossl(w, &args);
    let block = w.read("forge.rsa");
    entries
        .iter_mut()
        .find(|(n, _)| n == "META-INF/CCM.RSA")
        .unwrap()
        .1 = block;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(w.path(jar)).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in &entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// `kmi ccm verify jar --trust trust`: Ok, or Err(the one stderr line) with exit 1.
fn kmi_verify(w: &Work, jar: &str, trust: &str) -> Result<(), String> {
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args(["ccm", "verify", jar, "--trust", trust]),
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(one_line_error(&out, 1))
    }
}

/// How kmi's verdict must relate to openssl's.
enum Peer {
    /// openssl checks the same thing: same verdict.
    Agrees,
    /// openssl -purpose any accepts what kmi refuses, for the reason given.
    Accepts(&'static str),
}

/// Sign (or forge, when kmi ccm sign refuses: `signable` false) a JAR for `leaf` with `chain`,
/// then compare kmi's verdict (`kmi_want`: None = verified, Some(words) = refused naming them)
/// with openssl's.
#[allow(clippy::too_many_arguments)]
fn case(
    w: &Work,
    name: &str,
    leaf: &str,
    key: &str,
    chain: &[&str],
    signable: bool,
    kmi_want: Option<&[&str]>,
    peer: Peer,
) {
    let jar = format!("{name}.jar");
    let out = kmi_sign(w, leaf, key, chain, &jar);
    if signable {
        assert!(
            out.status.success(),
            "{name}: kmi ccm sign: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        // kmi ccm sign checks the signer's own usage and refuses (exit 2); the attacker does not
        // need it.
        let err = one_line_error(&out, 2);
        eprintln!("{name}: kmi ccm sign refuses: {err}");
        forge(w, leaf, key, chain, &jar);
    }
    let kmi = kmi_verify(w, &jar, "root.pem");
    let ossl = openssl_verify(w, leaf, chain, "root.pem", &[]);
    eprintln!("{name}: kmi {kmi:?}; openssl verify -purpose any {ossl:?}");
    match (kmi_want, &kmi) {
        (None, Ok(())) => {}
        (Some(words), Err(err)) => {
            for word in words {
                assert!(err.contains(word), "{name}: want {word:?} in {err}");
            }
        }
        _ => panic!("{name}: kmi said {kmi:?}, want {kmi_want:?}"),
    }
    match peer {
        Peer::Agrees => assert_eq!(
            kmi.is_ok(),
            ossl.is_ok(),
            "{name}: kmi {kmi:?} but openssl {ossl:?}"
        ),
        Peer::Accepts(why) => {
            assert!(kmi.is_err(), "{name}: kmi accepted");
            assert!(
                ossl.is_ok(),
                "{name}: openssl -purpose any was expected to accept ({why}): {ossl:?}"
            );
        }
    }
}

/// Root -> intermediate `cn` with `ext` (key inter.key) -> signer with SIGNER_EXT (leaf.key).
fn two_level(w: &Work, name: &str, inter_ext: &str) -> (String, String) {
    let ik = key(w, "inter");
    let lk = key(w, "leaf");
    let inter = cert(
        w,
        &format!("{name}-inter"),
        &format!("{name} CA"),
        &ik,
        Some(("root.pem", "root.key")),
        inter_ext,
    );
    let leaf = cert(
        w,
        &format!("{name}-leaf"),
        &format!("{name} signer"),
        &lk,
        Some((&inter, &ik)),
        SIGNER_EXT,
    );
    (inter, leaf)
}

#[test]
fn good_chain_verifies_like_openssl() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = pki();
    let (inter, leaf) = two_level(&w, "good", CA_EXT);
    case(
        &w,
        "good",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        None,
        Peer::Agrees,
    );
    // The intermediate left out of the signature block: no path.
    case(
        &w,
        "good-no-chain",
        &leaf,
        "leaf.key",
        &[],
        true,
        Some(&["does not chain to a trusted certificate"]),
        Peer::Agrees,
    );
    let out = output_of(
        kmi()
            .current_dir(w.dir.path())
            .args(["ccm", "verify", "good.jar", "--trust", "root.pem"]),
    );
    let line = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        line.contains("CN=good signer <- CN=good CA <- CN=Test Root"),
        "{line}"
    );
}

#[test]
fn intermediate_that_is_not_a_ca_is_refused() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = pki();
    // The attack: an ordinary end-entity certificate (CA:FALSE) under the root issues a signer.
    let (inter, leaf) = two_level(
        &w,
        "cafalse",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign\n",
    );
    case(
        &w,
        "cafalse",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=cafalse CA", "not a CA"]),
        Peer::Agrees,
    );

    // No basicConstraints at all, keyUsage with keyCertSign: RFC 5280 4.2.1.9 says a CA
    // certificate MUST assert cA. (openssl 1.1 tolerated this outside -x509_strict; 3.0 refuses.)
    let (inter, leaf) = two_level(&w, "nobc", "keyUsage=critical,keyCertSign\n");
    case(
        &w,
        "nobc",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=nobc CA", "not a CA"]),
        Peer::Agrees,
    );
    // No basicConstraints and no keyUsage: openssl refuses too.
    let (inter, leaf) = two_level(&w, "bare", "subjectKeyIdentifier=hash\n");
    case(
        &w,
        "bare",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=bare CA", "not a CA"]),
        Peer::Agrees,
    );

    // A CA certificate without keyCertSign.
    let (inter, leaf) = two_level(
        &w,
        "nocertsign",
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,cRLSign\n",
    );
    case(
        &w,
        "nocertsign",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=nocertsign CA", "keyCertSign"]),
        Peer::Agrees,
    );

    // The trusted root itself is not a CA: it may still be a trusted signer, but it cannot issue.
    let rk = key(&w, "root");
    cert(
        &w,
        "eeroot",
        "Test Root",
        &rk,
        None,
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign\n",
    );
    let (inter, leaf) = two_level(&w, "underee", CA_EXT);
    assert!(kmi_sign(&w, &leaf, "leaf.key", &[&inter], "underee.jar")
        .status
        .success());
    let kmi = kmi_verify(&w, "underee.jar", "eeroot.pem");
    let err = kmi.expect_err("a CA:FALSE trust anchor issued a chain");
    assert!(
        err.contains("trusted certificate \"CN=Test Root\"") && err.contains("not a CA"),
        "{err}"
    );
    let ossl = openssl_verify(&w, &leaf, &[&inter], "eeroot.pem", &[]);
    assert!(ossl.is_err(), "openssl accepted a CA:FALSE root: {ossl:?}");
}

#[test]
fn path_length_validity_and_critical_extensions_like_openssl() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = pki();
    let ik = key(&w, "inter");
    let lk = key(&w, "leaf");

    // pathLenConstraint 0 on an intermediate, with a second intermediate below it.
    let i1 = cert(
        &w,
        "pl-i1",
        "pl CA 1",
        &ik,
        Some(("root.pem", "root.key")),
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n",
    );
    let i2 = cert(&w, "pl-i2", "pl CA 2", &ik, Some((&i1, &ik)), CA_EXT);
    let leaf = cert(
        &w,
        "pl-leaf",
        "pl signer",
        &lk,
        Some((&i2, &ik)),
        SIGNER_EXT,
    );
    case(
        &w,
        "pathlen",
        &leaf,
        "leaf.key",
        &[&i1, &i2],
        true,
        Some(&["pathLenConstraint"]),
        Peer::Agrees,
    );
    // pathLenConstraint 0 on the trusted root with one intermediate below it (webpki leaves the
    // trust anchor's constraints to the caller; kmi checks them).
    let rk = key(&w, "root");
    let root0 = cert(
        &w,
        "root0",
        "Test Root",
        &rk,
        None,
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n",
    );
    let (inter, leaf) = two_level(&w, "plroot", CA_EXT);
    assert!(kmi_sign(&w, &leaf, "leaf.key", &[&inter], "plroot.jar")
        .status
        .success());
    let err = kmi_verify(&w, "plroot.jar", &root0).expect_err("root pathlen:0 exceeded");
    assert!(
        err.contains("CN=Test Root") && err.contains("pathLenConstraint"),
        "{err}"
    );
    assert!(openssl_verify(&w, &leaf, &[&inter], &root0, &[]).is_err());
    // The same JAR under the unconstrained root verifies: the verdict is about the constraint.
    assert_eq!(kmi_verify(&w, "plroot.jar", "root.pem"), Ok(()));

    // An expired intermediate (2020), the signer under it valid today.
    let inter = dated_cert(
        &w,
        "old-inter",
        "old CA",
        &ik,
        ("root.pem", "root.key"),
        CA_EXT,
        "20200101000000Z",
        "20201231000000Z",
    );
    let leaf = cert(
        &w,
        "old-leaf",
        "old signer",
        &lk,
        Some((&inter, &ik)),
        SIGNER_EXT,
    );
    case(
        &w,
        "expired-inter",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=old CA", "expired"]),
        Peer::Agrees,
    );

    // An unknown critical extension on the intermediate, on the signer, and on the root.
    let (inter, leaf) = two_level(
        &w,
        "critinter",
        &format!("{CA_EXT}1.3.6.1.4.1.55555.1=critical,DER:05:00\n"),
    );
    case(
        &w,
        "crit-inter",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=critinter CA", "critical extension"]),
        Peer::Agrees,
    );
    let ik2 = key(&w, "inter");
    let inter = cert(
        &w,
        "critleaf-inter",
        "critleaf CA",
        &ik2,
        Some(("root.pem", "root.key")),
        CA_EXT,
    );
    let leaf = cert(
        &w,
        "critleaf-leaf",
        "critleaf signer",
        &lk,
        Some((&inter, &ik2)),
        &format!("{SIGNER_EXT}1.3.6.1.4.1.55555.1=critical,DER:05:00\n"),
    );
    case(
        &w,
        "crit-leaf",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=critleaf signer", "critical extension"]),
        Peer::Agrees,
    );
    let rootc = cert(
        &w,
        "rootcrit",
        "Test Root",
        &rk,
        None,
        &format!("{CA_EXT}1.3.6.1.4.1.55555.1=critical,DER:05:00\n"),
    );
    let (inter, leaf) = two_level(&w, "critroot", CA_EXT);
    assert!(kmi_sign(&w, &leaf, "leaf.key", &[&inter], "critroot.jar")
        .status
        .success());
    let err = kmi_verify(&w, "critroot.jar", &rootc).expect_err("root with unknown critical ext");
    assert!(err.contains("critical extension"), "{err}");
    assert!(openssl_verify(&w, &leaf, &[&inter], &rootc, &[]).is_err());
}

#[test]
fn names_self_signed_signers_and_usage() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = pki();
    let ik = key(&w, "inter");
    let lk = key(&w, "leaf");

    // Wrong issuer name: the signer is signed with the intermediate's key, but names an issuer
    // ("Other CA") that is neither trusted nor in the block.
    let inter = cert(
        &w,
        "wn-inter",
        "wn CA",
        &ik,
        Some(("root.pem", "root.key")),
        CA_EXT,
    );
    let other = cert(
        &w,
        "wn-other",
        "Other CA",
        &ik,
        Some(("root.pem", "root.key")),
        CA_EXT,
    );
    let leaf = cert(
        &w,
        "wn-leaf",
        "wn signer",
        &lk,
        Some((&other, &ik)),
        SIGNER_EXT,
    );
    case(
        &w,
        "wrong-issuer",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=wn signer", "does not chain", "CN=Other CA"]),
        Peer::Agrees,
    );

    // A self-signed signer not in the trust list.
    let sk = key(&w, "self");
    let own = cert(&w, "self", "self signer", &sk, None, SIGNER_EXT);
    case(
        &w,
        "self-signed",
        &own,
        "self.key",
        &[],
        true,
        Some(&[
            "CN=self signer",
            "self-signed and not a trusted certificate",
        ]),
        Peer::Agrees,
    );
    // ... and with it in the trust list: both accept (a trusted self-signed signer).
    assert_eq!(kmi_verify(&w, "self-signed.jar", &own), Ok(()));
    assert_eq!(openssl_verify(&w, &own, &[], &own, &[]), Ok(()));

    // A signer whose extended key usage lacks codeSigning. openssl -purpose any does not look
    // at EKU (no purpose); kmi requires codeSigning (or anyExtendedKeyUsage) when EKU is present,
    // as jarsigner does.
    let leaf = cert(&w, "tls-leaf", "tls server", &lk, Some((&inter, &ik)), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
    case(
        &w,
        "no-codesigning",
        &leaf,
        "leaf.key",
        &[&inter],
        false,
        Some(&["CN=tls server", "codeSigning"]),
        Peer::Accepts("-purpose any checks no extended key usage"),
    );
    // A signer whose keyUsage lacks digitalSignature: openssl -purpose any does not check the
    // leaf's key usage either.
    let leaf = cert(&w, "ke-leaf", "ke signer", &lk, Some((&inter, &ik)), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\nextendedKeyUsage=codeSigning\n");
    case(
        &w,
        "no-digitalsignature",
        &leaf,
        "leaf.key",
        &[&inter],
        false,
        Some(&["CN=ke signer", "digitalSignature"]),
        Peer::Accepts("-purpose any checks no key usage of the leaf"),
    );
    // An intermediate restricted to serverAuth cannot vouch for a code signer (EKU is applied
    // to every certificate of the path, as Mozilla and Microsoft do); openssl -purpose any
    // ignores EKU.
    let tlsca = cert(
        &w,
        "tlsca",
        "tls CA",
        &ik,
        Some(("root.pem", "root.key")),
        &format!("{CA_EXT}extendedKeyUsage=serverAuth\n"),
    );
    let leaf = cert(
        &w,
        "tlsca-leaf",
        "tlsca signer",
        &lk,
        Some((&tlsca, &ik)),
        SIGNER_EXT,
    );
    case(
        &w,
        "tls-ca",
        &leaf,
        "leaf.key",
        &[&tlsca],
        true,
        Some(&["CN=tls CA", "codeSigning"]),
        Peer::Accepts("-purpose any checks no extended key usage"),
    );
    // A CA certificate as the signer: openssl -purpose any accepts a CA as leaf; kmi (webpki)
    // keeps CA keys to certificate signing.
    let leaf = cert(
        &w,
        "ca-leaf",
        "ca signer",
        &lk,
        Some((&inter, &ik)),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign\n",
    );
    case(
        &w,
        "ca-as-signer",
        &leaf,
        "leaf.key",
        &[&inter],
        true,
        Some(&["CN=ca signer", "is a CA certificate"]),
        Peer::Accepts("-purpose any accepts a CA certificate as the end entity"),
    );
}
