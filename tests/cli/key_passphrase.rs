//! `kmi key passphrase` (issue 15): encrypt a plain key, change a passphrase, remove it; openssl
//! reads every result; in place only with --force, atomically, 0600.

use crate::common::{kmi, openssl, require_peer, Work};

fn ok(w: &Work, args: &[&str]) {
    let out = kmi()
        .arg("-q")
        .args(args)
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kmi {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
fn mode(w: &Work, f: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(w.path(f)).unwrap().permissions().mode() & 0o777
}

/// openssl's SubjectPublicKeyInfo of a key file, opened with `pass` (a file) if given.
fn openssl_pub(w: &Work, f: &str, pass: Option<&str>) -> Vec<u8> {
    let mut cmd = openssl();
    cmd.current_dir(w.dir.path())
        .args(["pkey", "-pubout", "-in", f, "-passin"]);
    cmd.arg(match pass {
        Some(p) => format!("file:{p}"),
        None => "pass:".to_string(),
    });
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "openssl pkey {f}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn encrypt_change_and_remove_a_passphrase_and_openssl_reads_each() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    w.write("one.txt", "first passphrase\n");
    w.write("two.txt", "second passphrase\n");
    ok(
        &w,
        &[
            "key",
            "generate",
            "rsa",
            "--no-safe",
            "--bits",
            "1024",
            "--seed",
            "01",
            "-o",
            "key.pem",
        ],
    );
    let public = openssl_pub(&w, "key.pem", None);

    // Encrypt a plain key to a new file.
    ok(
        &w,
        &[
            "key",
            "passphrase",
            "key.pem",
            "--new-passphrase-file",
            "one.txt",
            "-o",
            "enc.pem",
        ],
    );
    let text = String::from_utf8(w.read("enc.pem")).unwrap();
    assert!(
        text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{text}"
    );
    assert_eq!(openssl_pub(&w, "enc.pem", Some("one.txt")), public);
    #[cfg(unix)]
    assert_eq!(mode(&w, "enc.pem"), 0o600);

    // Change it in place (needs --force), with scrypt.
    let out = kmi()
        .args([
            "key",
            "passphrase",
            "enc.pem",
            "--key-passphrase-file",
            "one.txt",
            "--new-passphrase-file",
            "two.txt",
        ])
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    ok(
        &w,
        &[
            "key",
            "passphrase",
            "enc.pem",
            "--key-passphrase-file",
            "one.txt",
            "--new-passphrase-file",
            "two.txt",
            "--kdf",
            "scrypt",
            "--force",
        ],
    );
    assert_eq!(openssl_pub(&w, "enc.pem", Some("two.txt")), public);
    #[cfg(unix)]
    assert_eq!(mode(&w, "enc.pem"), 0o600);
    // The old passphrase no longer opens it.
    let out = openssl()
        .current_dir(w.dir.path())
        .args([
            "pkey",
            "-noout",
            "-in",
            "enc.pem",
            "-passin",
            "file:one.txt",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());

    // The wrong passphrase to open: nothing written.
    let out = kmi()
        .args([
            "--batch",
            "key",
            "passphrase",
            "enc.pem",
            "--key-passphrase-file",
            "one.txt",
            "--remove",
            "-o",
            "never.pem",
        ])
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!w.path("never.pem").exists());

    // Remove it (DER this time); an existing -o needs --force.
    w.write("plain.der", "old");
    let out = kmi()
        .args([
            "key",
            "passphrase",
            "enc.pem",
            "--key-passphrase-file",
            "two.txt",
            "--remove",
            "--der",
            "-o",
            "plain.der",
        ])
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    // Refused as every command refuses an existing output (before the key is even read).
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists"));
    assert_eq!(w.read("plain.der"), b"old");
    ok(
        &w,
        &[
            "key",
            "passphrase",
            "enc.pem",
            "--key-passphrase-file",
            "two.txt",
            "--remove",
            "--der",
            "-o",
            "plain.der",
            "--force",
        ],
    );
    let out = openssl()
        .current_dir(w.dir.path())
        .args(["pkey", "-inform", "DER", "-pubout", "-in", "plain.der"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, public);
    #[cfg(unix)]
    assert_eq!(mode(&w, "plain.der"), 0o600);

    // A new passphrase from a file descriptor.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let pass = std::fs::File::open(w.path("one.txt")).unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&pass);
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kmi"));
        cmd.current_dir(w.dir.path()).args([
            "-q",
            "key",
            "passphrase",
            "plain.der",
            "--new-passphrase-fd",
            "9",
            "-o",
            "fd.pem",
        ]);
        // SAFETY: dup2 is async-signal-safe; the child only moves a descriptor before exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(fd, 9) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(openssl_pub(&w, "fd.pem", Some("one.txt")), public);
    }
}

#[test]
fn a_public_key_has_no_passphrase() {
    let w = Work::new();
    ok(
        &w,
        &[
            "key",
            "generate",
            "rsa",
            "--no-safe",
            "--bits",
            "1024",
            "--seed",
            "01",
            "-o",
            "key.pem",
        ],
    );
    ok(&w, &["key", "public", "key.pem", "-o", "pub.pem"]);
    w.write("p.txt", "x\n");
    kmi()
        .current_dir(w.dir.path())
        .args([
            "key",
            "passphrase",
            "pub.pem",
            "--new-passphrase-file",
            "p.txt",
            "-o",
            "out.pem",
        ])
        .assert()
        .code(2);
    assert!(!w.path("out.pem").exists());
    // --remove and a new passphrase contradict each other.
    kmi()
        .current_dir(w.dir.path())
        .args([
            "key",
            "passphrase",
            "key.pem",
            "--remove",
            "--new-passphrase-file",
            "p.txt",
            "-o",
            "out.pem",
        ])
        .assert()
        .code(2);
}
