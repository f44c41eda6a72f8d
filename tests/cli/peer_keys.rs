//! Private keys as other tools write them (testdata/peers/, made by scripts/peer_keys.sh with
//! GnuTLS certtool, OpenSSL, Python cryptography and ssh-keygen): every file that holds the key of
//! `plain.pem` in a form kmi reads gives its public key; what kmi does not read is named, with how
//! to convert it, before any passphrase is asked; a right passphrase is never called wrong.

use std::path::PathBuf;

use crate::common::*;

fn peer(name: &str) -> PathBuf {
    testdata(&format!("peers/{name}"))
}

/// `kmi key public FILE` with the fixtures' passphrase file: the public key PEM.
fn public_of(name: &str) -> String {
    stdout_of(
        kmi()
            .args(["key", "public", "--passphrase-file"])
            .arg(peer("pass.txt"))
            .arg(peer(name)),
    )
}

#[test]
fn keys_other_tools_encrypt_are_read() {
    let want = public_of("plain.pem");
    for name in [
        // GnuTLS: PBKDF2 PRF hmacWithSHA256 without NULL parameters.
        "certtool-aes128.pem",
        "certtool-aes256.pem",
        // OpenSSL: the default PRF hmacWithSHA1 (no PRF AlgorithmIdentifier), and SHA-512/AES-192.
        "openssl-sha1.pem",
        "openssl-sha512-aes192.pem",
        // Python cryptography: hmacWithSHA256 with NULL parameters.
        "python-best.pem",
    ] {
        assert_eq!(public_of(name), want, "{name}");
    }
}

#[test]
fn pem_with_other_line_lengths_and_crlf_is_read() {
    let want = public_of("plain.pem");
    for name in [
        "pem-72.pem",
        "pem-76.pem",
        "pem-one-line.pem",
        "pem-crlf.pem",
    ] {
        assert_eq!(public_of(name), want, "{name}");
    }
    // kmi's public key agrees with openssl's on the reference file.
    if require_peer("openssl").is_some() {
        let theirs = stdout_of(
            openssl()
                .args(["pkey", "-pubout", "-in"])
                .arg(peer("plain.pem")),
        );
        assert_eq!(theirs, want);
    }
}

#[test]
fn a_wrong_passphrase_is_wrong_for_every_prf() {
    let w = Work::new();
    let wrong = w.write("wrong.txt", "not the passphrase\n");
    for name in ["certtool-aes128.pem", "openssl-sha1.pem", "python-best.pem"] {
        let out = output_of(
            kmi()
                .args(["key", "public", "--passphrase-file"])
                .arg(&wrong)
                .arg(peer(name)),
        );
        let line = one_line_error(&out, 2);
        assert!(line.contains("wrong passphrase"), "{name}: {line}");
    }
}

/// What kmi does not read: one line, exit 2, naming it and the conversion, and no passphrase
/// asked (stdin is not a terminal and no passphrase source is given).
#[test]
fn unsupported_formats_are_named_with_their_conversion() {
    let cases = [
        (
            "openssl-3des.pem",
            "encrypted key: unsupported cipher des-ede3-cbc (kmi reads AES-128/192/256-CBC; convert with openssl pkcs8 -topk8 -v2 aes-256-cbc)",
        ),
        (
            "openssl-pbe-sha1-3des.pem",
            "encrypted key: unsupported PKCS#12 password-based encryption 1.2.840.113549.1.12.1.3 (kmi reads PBES2; convert with openssl pkcs8 -topk8 -v2 aes-256-cbc)",
        ),
        (
            "openssl-legacy.pem",
            "legacy encrypted PEM (Proc-Type: 4,ENCRYPTED): convert with openssl pkcs8 -topk8 -v2 aes-256-cbc",
        ),
        (
            "openssh-rsa",
            "OpenSSH format: convert with ssh-keygen -p -m PKCS8 -f FILE (it rewrites FILE in place)",
        ),
        (
            "openssh-rsa.pub.txt",
            "OpenSSH public key line: convert with ssh-keygen -e -m PKCS8 -f FILE",
        ),
    ];
    for (name, msg) in cases {
        for cmd in [&["key", "public"][..], &["key", "check"][..]] {
            let out = output_of(
                kmi()
                    .args(cmd)
                    .arg(peer(name))
                    .write_stdin(Vec::<u8>::new()),
            );
            let line = one_line_error(&out, 2);
            assert_eq!(
                line,
                format!("kmi: {}: {msg}", peer(name).display()),
                "{cmd:?} {name}"
            );
        }
    }
}

#[test]
fn malformed_pem_blocks_are_one_line() {
    let w = Work::new();
    let plain = String::from_utf8(std::fs::read(peer("plain.pem")).unwrap()).unwrap();
    let cases = [
        (
            "end-label.pem",
            plain.replace("END PRIVATE KEY", "END PUBLIC KEY"),
            "malformed PEM: the END label 'PUBLIC KEY' does not match the BEGIN label 'PRIVATE KEY'",
        ),
        (
            "no-end.pem",
            plain.replace("-----END PRIVATE KEY-----", ""),
            "neither PEM nor DER (no '-----BEGIN' line and not a DER SEQUENCE)",
        ),
        (
            "bad-base64.pem",
            plain.replacen("MII", "M!I", 1),
            "malformed PEM: invalid Base64",
        ),
        (
            "header.pem",
            plain.replacen("\n", "\nComment: hello\n", 1),
            "malformed PEM: header lines are not read (RFC 7468)",
        ),
    ];
    for (name, text, msg) in cases {
        let path = w.write(name, text);
        let out = output_of(kmi().args(["key", "public"]).arg(&path));
        assert_eq!(
            one_line_error(&out, 2),
            format!("kmi: {}: {msg}", path.display()),
            "{name}"
        );
    }
}

/// The fixtures are what testdata/README.md says: certtool leaves the PRF's parameters out, and
/// openssl's SHA-1 file has no PRF at all.
#[test]
fn fixtures_have_the_encodings_they_claim() {
    if require_peer("openssl").is_none() {
        return;
    }
    let parse = |name: &str| stdout_of(openssl().args(["asn1parse", "-in"]).arg(peer(name)));
    let certtool = parse("certtool-aes128.pem");
    let prf_line = certtool
        .lines()
        .position(|l| l.contains(":hmacWithSHA256"))
        .expect("certtool's PRF is hmacWithSHA256");
    let next = certtool.lines().nth(prf_line + 1).unwrap_or_default();
    assert!(
        !next.contains("NULL"),
        "certtool wrote NULL parameters:\n{certtool}"
    );
    let sha1 = parse("openssl-sha1.pem");
    assert!(
        sha1.contains(":PBKDF2") && !sha1.contains("hmacWith"),
        "{sha1}"
    );
    let python = parse("python-best.pem");
    assert!(
        python.contains(":hmacWithSHA256") && python.contains("NULL"),
        "{python}"
    );
}
