//! `kmi share split | verify | partial | combine | reconstruct` against openssl 3.0 (issue 3):
//! openssl cms opens the encrypted shares (KTRI to a certificate or public key, PWRI to a
//! password) and the plaintext is a share kmi accepts; openssl pkeyutl's OAEP ciphertexts are
//! threshold-decrypted and threshold signatures verify with openssl dgst; every K-subset rebuilds
//! a key that `openssl pkey -check` accepts with the original public key; bad shares and partials
//! are named, exit 1 and write nothing; split refuses what it must.
//!
//! Keys are small and seeded (RSA 512/768 bits, ElGamal 256/512 bits or an openssl ffdhe2048 key)
//! so the whole file runs in seconds.

use std::path::{Path, PathBuf};

use crate::common::*;

// ------------------------------------------------------------------------------------------------
// Fixtures

/// A seeded safe-prime RSA key of `bits` bits.
fn rsa_key(w: &Work, name: &str, bits: u32, seed: &str) -> PathBuf {
    kmi_generate(
        w,
        name,
        &[
            "rsa",
            "--bits",
            &bits.to_string(),
            "--threads",
            "1",
            "--seed",
            seed,
        ],
    )
}

/// A seeded 512-bit safe-prime ElGamal key (the smallest group openssl 3.0 reads).
fn elgamal_key(w: &Work, name: &str, seed: &str) -> PathBuf {
    kmi_generate(
        w,
        name,
        &["elgamal", "--bits", "512", "--threads", "1", "--seed", seed],
    )
}

/// An ElGamal (X9.42 DHX) key made by openssl itself on ffdhe2048.
fn openssl_dhx_key(w: &Work, name: &str) -> PathBuf {
    let params = w.path("dhx-params.pem");
    let key = w.path(name);
    openssl()
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DHX",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
        ])
        .arg(&params)
        .assert()
        .success();
    openssl()
        .args(["genpkey", "-paramfile"])
        .arg(&params)
        .arg("-out")
        .arg(&key)
        .assert()
        .success();
    key
}

/// `kmi share partial --share SHARE (--decrypt|--sign) INPUT -o OUT`, asserting success.
fn partial(share: &Path, mode: &str, input: &Path, out: &Path) {
    kmi()
        .args(["--quiet", "share", "partial", "--share"])
        .arg(share)
        .arg(mode)
        .arg(input)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
}

/// `kmi share combine --set SET PARTIALS... MODE INPUT -o OUT`, raw output.
fn combine(
    set: &Path,
    partials: &[&Path],
    mode: &str,
    input: &Path,
    out: &Path,
) -> std::process::Output {
    output_of(
        kmi()
            .args(["--quiet", "share", "combine", "--set"])
            .arg(set)
            .args(partials)
            .arg(mode)
            .arg(input)
            .arg("-o")
            .arg(out),
    )
}

/// `kmi share reconstruct --set SET SHARES... -o OUT [extra]`, raw output.
fn reconstruct(set: &Path, shares: &[PathBuf], out: &Path, extra: &[&str]) -> std::process::Output {
    output_of(
        kmi()
            .args(["--quiet", "share", "reconstruct", "--set"])
            .arg(set)
            .args(shares)
            .args(extra)
            .arg("-o")
            .arg(out),
    )
}

/// openssl pkeyutl RSA-OAEP (SHA-256, MGF1-SHA-256) encryption of `msg` to `public`.
fn openssl_oaep_encrypt(w: &Work, public: &Path, msg: &[u8], name: &str) -> PathBuf {
    let input = w.write(&format!("{name}.in"), msg);
    let out = w.path(name);
    openssl()
        .args(["pkeyutl", "-encrypt", "-pubin", "-inkey"])
        .arg(public)
        .args([
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha256",
            "-pkeyopt",
            "rsa_mgf1_md:sha256",
        ])
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&out)
        .assert()
        .success();
    out
}

/// The DER of a PEM file.
fn der_of(path: &Path) -> Vec<u8> {
    to_der(&std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())))
}

/// Check the plaintext of a share the way formats.md section 3 lays it out: version 1, setId =
/// SHA-256 of the set's DER, index, value, and the set itself; openssl asn1parse reads it.
fn assert_share_plaintext(der: &[u8], set_der: &[u8], index: u32) {
    let ints = asn1_integers(der); // openssl asn1parse parses it
    assert_eq!(ints[0], 1u32.into(), "share version");
    assert_eq!(ints[1], index.into(), "share index");
    assert_eq!(
        der_content(der, &[1]),
        hex::decode(sha256_hex(set_der)).unwrap(),
        "setId = SHA-256(set DER)"
    );
    assert!(der.ends_with(set_der), "a share carries its set");
}

/// Numbers of a key as openssl sees them, without the private exponent (RSA keys have two valid
/// d: math.md 3 says compare n, e, p, q).
fn key_numbers_without_d(key: &Path) -> Vec<(String, num_bigint::BigUint)> {
    let nums = openssl_key_numbers(key, &[]);
    let mut v: Vec<(String, num_bigint::BigUint)> = nums
        .into_iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "privateExponent" | "exponent1" | "exponent2" | "coefficient"
            )
        })
        .collect();
    // p and q may come in either order.
    let primes: Vec<_> = v
        .iter()
        .filter(|(k, _)| k == "prime1" || k == "prime2")
        .map(|(_, n)| n.clone())
        .collect();
    if primes.len() == 2 {
        v.retain(|(k, _)| k != "prime1" && k != "prime2");
        let (a, b) = (
            primes[0].clone().min(primes[1].clone()),
            primes[0].clone().max(primes[1].clone()),
        );
        v.push(("prime-small".into(), a));
        v.push(("prime-large".into(), b));
    }
    v.sort();
    v
}

// ------------------------------------------------------------------------------------------------
// 1. openssl cms opens the encrypted shares

#[test]
fn ktri_shares_open_with_openssl_cms_and_verify_as_shares() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5ea1");
    let trustees: Vec<(PathBuf, PathBuf)> =
        (1..=3).map(|i| kmi_trustee(&w, &format!("t{i}"))).collect();
    // The third trustee is given by a bare public key rather than a certificate.
    let t3_public = openssl_pubout(&w, &trustees[2].1, "t3-public.pem");
    let dir = w.path("shares");
    kmi()
        .args(["--quiet", "share", "split"])
        .arg(&key)
        .args(["-k", "2", "-n", "3", "--label", "ktri test"])
        .arg("--to")
        .arg(&trustees[0].0)
        .arg("--to")
        .arg(&trustees[1].0)
        .arg("--to")
        .arg(&t3_public)
        .arg("-o")
        .arg(&dir)
        .assert()
        .success();
    let set_der = der_of(&set_file(&dir));
    assert_eq!(
        pem_label(&std::fs::read(set_file(&dir)).unwrap()).as_deref(),
        Some("KMI SHARE SET")
    );

    let mut plain_shares = Vec::new();
    for i in 1..=3u32 {
        let share = share_file(&dir, i);
        assert_eq!(
            pem_label(&std::fs::read(&share).unwrap()).as_deref(),
            Some("CMS"),
            "share {i} is encrypted"
        );
        let structure = stdout_of(
            openssl()
                .args(["asn1parse", "-inform", "PEM", "-in"])
                .arg(&share),
        );
        for want in ["pkcs7-envelopedData", "rsaesOaep", ":sha256"] {
            assert!(
                structure.contains(want),
                "share {i}: asn1parse lacks {want}:\n{structure}"
            );
        }
        let (crt, tkey) = &trustees[i as usize - 1];
        let out = w.path(&format!("plain-{i}.der"));
        let mut cmd = openssl();
        cmd.args(["cms", "-decrypt", "-inform", "PEM", "-in"])
            .arg(&share);
        if i < 3 {
            cmd.arg("-recip").arg(crt);
        }
        cmd.arg("-inkey")
            .arg(tkey)
            .arg("-out")
            .arg(&out)
            .assert()
            .success();
        let der = std::fs::read(&out).unwrap();
        assert_share_plaintext(&der, &set_der, i);
        plain_shares.push(w.write(&format!("plain-{i}.pem"), pem("KMI SHARE", &der)));
    }
    // Another trustee's key does not open a share.
    let out = output_of(
        openssl()
            .args(["cms", "-decrypt", "-inform", "PEM", "-in"])
            .arg(share_file(&dir, 1))
            .arg("-recip")
            .arg(&trustees[1].0)
            .arg("-inkey")
            .arg(&trustees[1].1),
    );
    assert!(!out.status.success(), "trustee 2 opened share 1");

    // The plaintexts, re-armored as KMI SHARE, are shares of the set.
    let text = stdout_of(
        kmi()
            .args(["share", "verify", "--set"])
            .arg(set_file(&dir))
            .args(&plain_shares),
    );
    for i in 1..=3 {
        assert!(
            text.contains(&format!("ok    share {i} (")),
            "share {i} not verified:\n{text}"
        );
    }
    assert!(text.contains("label \"ktri test\""), "{text}");
    // And kmi opens the envelopes itself with the trustees' openssl-made keys.
    let mut cmd = kmi();
    cmd.args(["share", "verify", "--set"]).arg(set_file(&dir));
    for (_, k) in &trustees {
        cmd.arg("--identity").arg(k);
    }
    let text = stdout_of(cmd.args((1..=3).map(|i| share_file(&dir, i))));
    assert_eq!(text.matches("ok    share ").count(), 3, "{text}");
}

#[test]
fn pwri_shares_open_with_openssl_cms_pwri_password() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = kmi_generate(
        &w,
        "eg.pem",
        &[
            "elgamal",
            "--bits",
            "256",
            "--threads",
            "1",
            "--seed",
            "5ea2",
        ],
    );
    let passwords = ["alpha bravo charlie", "delta-echo-42"];
    let files: Vec<PathBuf> = passwords
        .iter()
        .enumerate()
        .map(|(i, p)| w.write(&format!("p{}", i + 1), format!("{p}\n")))
        .collect();
    let dir = w.path("shares");
    kmi()
        .args(["--quiet", "share", "split"])
        .arg(&key)
        .args(["-k", "2", "-n", "2", "--passphrase-file"])
        .arg(&files[0])
        .arg("--passphrase-file")
        .arg(&files[1])
        .arg("-o")
        .arg(&dir)
        .assert()
        .success();
    let set_der = der_of(&set_file(&dir));
    let mut plain_shares = Vec::new();
    for (i, pass) in (1..=2u32).zip(passwords) {
        let share = share_file(&dir, i);
        assert_eq!(
            pem_label(&std::fs::read(&share).unwrap()).as_deref(),
            Some("CMS")
        );
        let out = w.path(&format!("plain-{i}.der"));
        openssl()
            .args(["cms", "-decrypt", "-inform", "PEM", "-in"])
            .arg(&share)
            .args(["-pwri_password", pass, "-out"])
            .arg(&out)
            .assert()
            .success();
        let der = std::fs::read(&out).unwrap();
        assert_share_plaintext(&der, &set_der, i);
        plain_shares.push(w.write(&format!("plain-{i}.pem"), pem("KMI SHARE", &der)));
    }
    let wrong = output_of(
        openssl()
            .args(["cms", "-decrypt", "-inform", "PEM", "-in"])
            .arg(share_file(&dir, 1))
            .args(["-pwri_password", passwords[1]]),
    );
    assert!(!wrong.status.success(), "the wrong password opened share 1");

    let text = stdout_of(
        kmi()
            .args(["share", "verify", "--set"])
            .arg(set_file(&dir))
            .args(&plain_shares),
    );
    assert_eq!(text.matches("ok    share ").count(), 2, "{text}");
    // The re-armored plaintexts rebuild the key.
    let rebuilt = w.path("rebuilt.pem");
    let out = reconstruct(&set_file(&dir), &plain_shares, &rebuilt, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fp = |k: &Path| stdout_of(kmi().args(["key", "fingerprint"]).arg(k));
    assert_eq!(fp(&rebuilt), fp(&key));
}

// ------------------------------------------------------------------------------------------------
// 2. Use without rebuilding: partial x K + combine against openssl

#[test]
fn openssl_oaep_ciphertext_is_threshold_decrypted() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 768, "5ea3");
    let public = openssl_pubout(&w, &key, "public.pem");
    let dir = split_plain(&w, &key, 3, 5, "shares", &[]);
    let msg = b"30 bytes: the OAEP limit here"; // 768-bit key: 96 - 66 = 30 bytes at most
    let msg = &[&msg[..], b"!"].concat();
    assert_eq!(msg.len(), 30);
    let ct = openssl_oaep_encrypt(&w, &public, msg, "ct.bin");
    let set_der = der_of(&set_file(&dir));

    let mut partials = Vec::new();
    for i in [5u32, 2, 4, 1, 3] {
        let p = w.path(&format!("p{i}.pem"));
        partial(&share_file(&dir, i), "--decrypt", &ct, &p);
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(pem_label(&bytes).as_deref(), Some("KMI PARTIAL"));
        let der = to_der(&bytes);
        assert_eq!(
            der_content(&der, &[1]),
            hex::decode(sha256_hex(&set_der)).unwrap(),
            "partial setId"
        );
        assert_eq!(der_content(&der, &[2]), vec![i as u8], "partial index");
        assert_eq!(
            der_content(&der, &[3]),
            hex::decode(sha256_hex(&std::fs::read(&ct).unwrap())).unwrap(),
            "inputDigest"
        );
        partials.push(p);
    }
    // Any three, in any order.
    let refs: Vec<&Path> = partials.iter().map(|p| p.as_path()).collect();
    let out_file = w.path("plain.txt");
    let out = combine(&set_file(&dir), &refs[..3], "--decrypt", &ct, &out_file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&out_file).unwrap(), *msg);
    // All five (extras are fine).
    let out_file = w.path("plain-all.txt");
    let out = combine(&set_file(&dir), &refs, "--decrypt", &ct, &out_file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&out_file).unwrap(), *msg);
}

#[test]
fn threshold_signature_verifies_with_openssl_dgst() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5ea4");
    let public = openssl_pubout(&w, &key, "public.pem");
    let dir = split_plain(&w, &key, 2, 3, "shares", &["--purpose", "sign"]);
    let doc = w.write(
        "policy.txt",
        "signed by two of three trustees\n".repeat(100),
    );
    let (p3, p1) = (w.path("p3.pem"), w.path("p1.pem"));
    partial(&share_file(&dir, 3), "--sign", &doc, &p3);
    partial(&share_file(&dir, 1), "--sign", &doc, &p1);
    let sig = w.path("policy.sig");
    let out = combine(&set_file(&dir), &[&p3, &p1], "--sign", &doc, &sig);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&sig).unwrap().len(),
        64,
        "a 512-bit signature has 64 bytes"
    );

    let verified = stdout_of(
        openssl()
            .args(["dgst", "-sha256", "-verify"])
            .arg(&public)
            .arg("-signature")
            .arg(&sig)
            .arg(&doc),
    );
    assert!(verified.contains("Verified OK"), "{verified}");
    // PKCS#1 v1.5 is deterministic: the same bytes openssl signs with the whole key.
    let direct = openssl()
        .args(["dgst", "-sha256", "-sign"])
        .arg(&key)
        .arg(&doc)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(std::fs::read(&sig).unwrap(), direct);
    // Not a signature over another file.
    let other = w.write("other.txt", "something else\n");
    let out = output_of(
        openssl()
            .args(["dgst", "-sha256", "-verify"])
            .arg(&public)
            .arg("-signature")
            .arg(&sig)
            .arg(&other),
    );
    assert!(
        !out.status.success(),
        "the signature verified over another file"
    );
}

#[test]
fn elgamal_message_to_an_openssl_key_is_threshold_decrypted() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = openssl_dhx_key(&w, "dhx.pem");
    let public = openssl_pubout(&w, &key, "dhx-public.pem");
    let dir = split_plain(&w, &key, 2, 3, "shares", &[]);
    let payload: Vec<u8> = (0..70_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let plain = w.write("payload.bin", &payload);
    let ct = w.path("payload.kmi");
    kmi()
        .args(["--quiet", "encrypt", "--to"])
        .arg(&public)
        .arg("-i")
        .arg(&plain)
        .arg("-o")
        .arg(&ct)
        .assert()
        .success();
    assert_eq!(
        pem_label(&std::fs::read(&ct).unwrap()).as_deref(),
        Some("KMI ELGAMAL MESSAGE")
    );

    let (p3, p1) = (w.path("p3.pem"), w.path("p1.pem"));
    partial(&share_file(&dir, 3), "--decrypt", &ct, &p3);
    partial(&share_file(&dir, 1), "--decrypt", &ct, &p1);
    let out_file = w.path("payload.out");
    let out = combine(&set_file(&dir), &[&p3, &p1], "--decrypt", &ct, &out_file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&out_file).unwrap(), payload);
    // The whole (openssl-made) key opens it too.
    let direct = w.path("direct.out");
    kmi()
        .args(["--quiet", "decrypt", "--key"])
        .arg(&key)
        .arg("-i")
        .arg(&ct)
        .arg("-o")
        .arg(&direct)
        .assert()
        .success();
    assert_eq!(std::fs::read(&direct).unwrap(), payload);
}

// ------------------------------------------------------------------------------------------------
// 3. Reconstruct from every K-subset

fn reconstruct_every_subset(key: &Path, w: &Work, k: u32, n: u32) {
    let dir = split_plain(w, key, k, n, &format!("shares-{k}-of-{n}"), &[]);
    let want_spki = openssl_spki(key, &[]);
    let want_numbers = key_numbers_without_d(key);
    let mut subsets = k_subsets(n, k);
    subsets.push((1..=n).collect()); // extra shares are tolerated
    for subset in subsets {
        let shares: Vec<PathBuf> = subset.iter().rev().map(|&i| share_file(&dir, i)).collect();
        let name = format!(
            "rebuilt-{k}-of-{n}-{}.pem",
            subset
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join("")
        );
        let out_file = w.path(&name);
        let out = reconstruct(&set_file(&dir), &shares, &out_file, &[]);
        assert!(
            out.status.success(),
            "subset {subset:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_openssl_check(&out_file, &[]);
        assert_eq!(
            openssl_spki(&out_file, &[]),
            want_spki,
            "subset {subset:?}: public key differs"
        );
        assert_eq!(
            key_numbers_without_d(&out_file),
            want_numbers,
            "subset {subset:?}: key numbers differ"
        );
    }
}

#[test]
fn rsa_2_of_3_every_subset_rebuilds_the_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5ea5");
    reconstruct_every_subset(&key, &w, 2, 3);
}

#[test]
fn rsa_3_of_5_every_subset_rebuilds_the_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5ea6");
    reconstruct_every_subset(&key, &w, 3, 5);
}

#[test]
fn elgamal_2_of_3_every_subset_rebuilds_the_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = elgamal_key(&w, "key.pem", "5ea7");
    reconstruct_every_subset(&key, &w, 2, 3);
}

#[test]
fn elgamal_3_of_5_every_subset_rebuilds_the_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = elgamal_key(&w, "key.pem", "5ea8");
    reconstruct_every_subset(&key, &w, 3, 5);
}

#[test]
fn openssl_elgamal_key_2_of_3_every_subset_rebuilds_the_key() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = openssl_dhx_key(&w, "dhx.pem");
    reconstruct_every_subset(&key, &w, 2, 3);
}

// ------------------------------------------------------------------------------------------------
// 4. Failures: named, exit 1, nothing written

/// A copy of share `i` with one changed digit inside its `value` INTEGER (formats.md 3: the 4th
/// field); the setId still matches, since it covers only the set.
fn tampered_share(w: &Work, dir: &Path, i: u32) -> PathBuf {
    let der = der_of(&share_file(dir, i));
    let bad = der_flip_last_byte(&der, &[3], 0x01);
    assert_eq!(
        der_content(&bad, &[1]),
        der_content(&der, &[1]),
        "setId unchanged"
    );
    assert_ne!(bad, der);
    w.write(&format!("bad-share-{i}.pem"), pem("KMI SHARE", &bad))
}

fn changed_share_value_is_caught(key: &Path, w: &Work, rsa: bool) {
    let purpose: &[&str] = if rsa { &["--purpose", "sign"] } else { &[] };
    let dir = split_plain(w, key, 2, 3, "shares", purpose);
    let bad = tampered_share(w, &dir, 2);
    let set = set_file(&dir);

    // verify: exit 1, share 2 and its file named, the good ones not.
    let out = output_of(
        kmi()
            .args(["share", "verify", "--set"])
            .arg(&set)
            .arg(share_file(&dir, 1))
            .arg(&bad)
            .arg(share_file(&dir, 3)),
    );
    let err = failed_with(&out, 1);
    let line = error_line(&err);
    assert!(
        line.contains("share 2") && line.contains("bad-share-2.pem"),
        "{err}"
    );
    assert!(
        !line.contains("share-1.pem") && !line.contains("share-3.pem"),
        "good shares named bad: {err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("BAD   share 2") && stdout.contains("commitments"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok    share 1") && stdout.contains("ok    share 3"),
        "{stdout}"
    );

    // reconstruct with only one good share left: exit 1, one missing, nothing written.
    let rebuilt = w.path("rebuilt.pem");
    let out = reconstruct(&set, &[share_file(&dir, 1), bad.clone()], &rebuilt, &[]);
    let err = failed_with(&out, 1);
    assert!(
        err.contains("bad-share-2.pem"),
        "the bad share is not named: {err}"
    );
    assert!(error_line(&err).contains("1 missing"), "{err}");
    assert!(!rebuilt.exists(), "reconstruct wrote {}", rebuilt.display());

    // partial with the bad share: exit 1, nothing written.
    let doc = w.write("doc.txt", "x");
    let p = w.path("p.pem");
    let mode = if rsa { "--sign" } else { "--decrypt" };
    let input = if rsa {
        doc
    } else {
        let ct = w.path("doc.kmi");
        kmi()
            .args(["--quiet", "encrypt", "--to"])
            .arg(key)
            .arg("-i")
            .arg(&doc)
            .arg("-o")
            .arg(&ct)
            .assert()
            .success();
        ct
    };
    let out = output_of(
        kmi()
            .args(["share", "partial", "--share"])
            .arg(&bad)
            .arg(mode)
            .arg(&input)
            .arg("-o")
            .arg(&p),
    );
    let err = failed_with(&out, 1);
    assert!(error_line(&err).contains("share 2"), "{err}");
    assert!(!p.exists(), "partial wrote {}", p.display());

    // With K good ones besides, the bad share is reported and skipped.
    let out = reconstruct(
        &set,
        &[share_file(&dir, 1), bad.clone(), share_file(&dir, 3)],
        &rebuilt,
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad-share-2.pem"),
        "the skipped share is not reported"
    );
    assert_eq!(openssl_spki(&rebuilt, &[]), openssl_spki(key, &[]));
}

#[test]
fn rsa_share_with_a_changed_digit_is_named() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5ea9");
    changed_share_value_is_caught(&key, &w, true);
}

#[test]
fn elgamal_share_with_a_changed_digit_is_named() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = elgamal_key(&w, "key.pem", "5eaa");
    changed_share_value_is_caught(&key, &w, false);
}

#[test]
fn share_from_another_set_is_named() {
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5eab");
    let a = split_plain(&w, &key, 2, 3, "a", &["--seed", "0a"]);
    let b = split_plain(&w, &key, 2, 3, "b", &["--seed", "0b"]);
    assert_ne!(der_of(&set_file(&a)), der_of(&set_file(&b)));

    let out = output_of(
        kmi()
            .args(["share", "verify", "--set"])
            .arg(set_file(&a))
            .arg(share_file(&a, 1))
            .arg(share_file(&b, 2)),
    );
    let err = failed_with(&out, 1);
    let b2 = share_file(&b, 2).display().to_string();
    assert!(
        error_line(&err).contains(&b2) && error_line(&err).contains("share 2"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("another set") && stdout.contains("setId"),
        "not named as another set: {stdout}"
    );
    // The JSON report says the same.
    let out = output_of(
        kmi()
            .args(["share", "verify", "--json", "--set"])
            .arg(set_file(&a))
            .arg(share_file(&b, 2)),
    );
    failed_with(&out, 1);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let problem = doc["shares"][0]["problem"].as_str().unwrap_or("");
    assert!(problem.contains("another set"), "{doc:#}");
    assert_eq!(doc["shares"][0]["ok"], serde_json::Value::Bool(false));

    let rebuilt = w.path("rebuilt.pem");
    let out = reconstruct(
        &set_file(&a),
        &[share_file(&a, 1), share_file(&b, 2)],
        &rebuilt,
        &[],
    );
    let err = failed_with(&out, 1);
    assert!(err.contains("another set") && err.contains(&b2), "{err}");
    assert!(error_line(&err).contains("1 missing"), "{err}");
    assert!(!rebuilt.exists());
}

#[test]
fn fewer_than_k_good_shares_say_how_many_are_missing() {
    let w = Work::new();
    let key = elgamal_key(&w, "key.pem", "5eac");
    let dir = split_plain(&w, &key, 3, 5, "shares", &[]);
    let rebuilt = w.path("rebuilt.pem");
    let out = reconstruct(&set_file(&dir), &[share_file(&dir, 4)], &rebuilt, &[]);
    let err = failed_with(&out, 1);
    assert!(error_line(&err).contains("2 missing"), "{err}");
    assert!(!rebuilt.exists());
    // The same share twice counts once.
    let out = reconstruct(
        &set_file(&dir),
        &[
            share_file(&dir, 4),
            share_file(&dir, 4),
            share_file(&dir, 2),
        ],
        &rebuilt,
        &[],
    );
    let err = failed_with(&out, 1);
    assert!(err.contains("twice"), "{err}");
    assert!(error_line(&err).contains("1 missing"), "{err}");
    assert!(!rebuilt.exists());
}

/// Bad partials: each one given with K - 1 good ones is named, exit 1, one missing, nothing
/// written; given with K good ones it is named and skipped.
fn bad_partials_are_named(
    w: &Work,
    set: &Path,
    mode: &str,
    input: &Path,
    good: &[PathBuf],
    bads: &[(PathBuf, &str)],
) {
    let k = good.len();
    for (bad, why) in bads {
        let name = bad.file_name().unwrap().to_string_lossy().into_owned();
        let out_file = w.path(&format!("out-{name}"));
        let mut list: Vec<&Path> = vec![bad.as_path()];
        list.extend(good[..k - 1].iter().map(|p| p.as_path()));
        let out = combine(set, &list, mode, input, &out_file);
        let err = failed_with(&out, 1);
        assert!(err.contains(&name), "{name} is not named: {err}");
        assert!(err.contains(why), "{name}: want '{why}' in: {err}");
        assert!(error_line(&err).contains("1 missing"), "{name}: {err}");
        assert!(
            !out_file.exists(),
            "{name}: combine wrote {}",
            out_file.display()
        );

        list.push(good[k - 1].as_path());
        let out = combine(set, &list, mode, input, &out_file);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name} with K good partials: {err}");
        assert!(
            err.contains(&name),
            "the skipped partial {name} is not reported: {err}"
        );
        std::fs::remove_file(&out_file).unwrap();
    }
}

/// Write a partial whose DER is `f(der of src)`.
fn doctor(w: &Work, src: &Path, name: &str, f: impl Fn(&[u8]) -> Vec<u8>) -> PathBuf {
    w.write(name, pem("KMI PARTIAL", &f(&der_of(src))))
}

#[test]
fn bad_rsa_partials_are_named_and_skipped() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 768, "5ead");
    let public = openssl_pubout(&w, &key, "public.pem");
    let dir = split_plain(&w, &key, 3, 4, "shares", &[]);
    let other = split_plain(&w, &key, 3, 4, "other", &[]);
    let msg = b"attack at dawn";
    let ct = openssl_oaep_encrypt(&w, &public, msg, "ct.bin");
    let ct2 = openssl_oaep_encrypt(&w, &public, b"attack at dusk", "ct2.bin");

    let good: Vec<PathBuf> = (2..=4)
        .map(|i| {
            let p = w.path(&format!("p{i}.pem"));
            partial(&share_file(&dir, i), "--decrypt", &ct, &p);
            p
        })
        .collect();
    let p1 = w.path("p1.pem");
    partial(&share_file(&dir, 1), "--decrypt", &ct, &p1);
    let q1 = w.path("q1-other-input.pem");
    partial(&share_file(&dir, 1), "--decrypt", &ct2, &q1);
    let r1 = w.path("r1-other-set.pem");
    partial(&share_file(&other, 1), "--decrypt", &ct, &r1);
    let ct_digest = hex::decode(sha256_hex(&std::fs::read(&ct).unwrap())).unwrap();

    let proof_fails = "proof";
    let bads = vec![
        (
            doctor(&w, &p1, "wrong-value.pem", |d| {
                der_flip_last_byte(d, &[4], 0x01)
            }),
            proof_fails,
        ),
        (
            doctor(&w, &p1, "forged-c.pem", |d| {
                der_flip_last_byte(d, &[5, 0], 0x01)
            }),
            proof_fails,
        ),
        (
            doctor(&w, &p1, "forged-z.pem", |d| {
                der_flip_last_byte(d, &[5, 1], 0x01)
            }),
            proof_fails,
        ),
        (q1.clone(), "another input"),
        // The other input's partial relabelled with this input's digest: its proof still fails.
        (
            doctor(&w, &q1, "relabelled.pem", |d| {
                der_replace_content(d, &[3], &ct_digest)
            }),
            proof_fails,
        ),
        (r1, "another set"),
    ];
    bad_partials_are_named(&w, &set_file(&dir), "--decrypt", &ct, &good, &bads);

    // Fewer than K: how many are missing.
    let out_file = w.path("few.txt");
    let out = combine(&set_file(&dir), &[&good[0]], "--decrypt", &ct, &out_file);
    let err = failed_with(&out, 1);
    assert!(error_line(&err).contains("2 missing"), "{err}");
    assert!(!out_file.exists());
    // The same partial twice counts once.
    let out = combine(
        &set_file(&dir),
        &[&good[0], &good[0], &good[1]],
        "--decrypt",
        &ct,
        &out_file,
    );
    let err = failed_with(&out, 1);
    assert!(
        err.contains("twice") && error_line(&err).contains("1 missing"),
        "{err}"
    );
    assert!(!out_file.exists());
    // And the good ones still decrypt.
    let out = combine(
        &set_file(&dir),
        &[&good[0], &good[1], &good[2]],
        "--decrypt",
        &ct,
        &out_file,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&out_file).unwrap(), msg);
}

#[test]
fn bad_rsa_signature_partials_are_named() {
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5eae");
    let dir = split_plain(&w, &key, 2, 3, "shares", &["--purpose", "sign"]);
    let doc = w.write("doc.txt", "to be signed\n");
    let doc2 = w.write("doc2.txt", "not this one\n");
    let good: Vec<PathBuf> = (2..=3)
        .map(|i| {
            let p = w.path(&format!("p{i}.pem"));
            partial(&share_file(&dir, i), "--sign", &doc, &p);
            p
        })
        .collect();
    let p1 = w.path("p1.pem");
    partial(&share_file(&dir, 1), "--sign", &doc, &p1);
    let q1 = w.path("q1-other-doc.pem");
    partial(&share_file(&dir, 1), "--sign", &doc2, &q1);
    let bads = vec![
        (
            doctor(&w, &p1, "wrong-value.pem", |d| {
                der_flip_last_byte(d, &[4], 0x02)
            }),
            "proof",
        ),
        (
            doctor(&w, &p1, "forged-c.pem", |d| {
                der_flip_last_byte(d, &[5, 0], 0x80)
            }),
            "proof",
        ),
        (
            doctor(&w, &p1, "forged-z.pem", |d| {
                der_flip_last_byte(d, &[5, 1], 0x80)
            }),
            "proof",
        ),
        (q1, "another input"),
    ];
    bad_partials_are_named(&w, &set_file(&dir), "--sign", &doc, &good, &bads);
}

#[test]
fn bad_elgamal_partials_are_named_and_skipped() {
    let w = Work::new();
    let key = elgamal_key(&w, "key.pem", "5eaf");
    let dir = split_plain(&w, &key, 2, 3, "shares", &[]);
    let msg = w.write("msg.txt", "the ElGamal payload\n");
    let (ct, ct2) = (w.path("msg.kmi"), w.path("msg2.kmi"));
    for c in [&ct, &ct2] {
        kmi()
            .args(["--quiet", "encrypt", "--to"])
            .arg(&key)
            .arg("-i")
            .arg(&msg)
            .arg("-o")
            .arg(c)
            .assert()
            .success();
    }
    let good: Vec<PathBuf> = (2..=3)
        .map(|i| {
            let p = w.path(&format!("p{i}.pem"));
            partial(&share_file(&dir, i), "--decrypt", &ct, &p);
            p
        })
        .collect();
    let p1 = w.path("p1.pem");
    partial(&share_file(&dir, 1), "--decrypt", &ct, &p1);
    let q1 = w.path("q1-other-input.pem");
    partial(&share_file(&dir, 1), "--decrypt", &ct2, &q1);
    let bads = vec![
        (
            doctor(&w, &p1, "wrong-value.pem", |d| {
                der_flip_last_byte(d, &[4], 0x01)
            }),
            "proof",
        ),
        (
            doctor(&w, &p1, "forged-c.pem", |d| {
                der_flip_last_byte(d, &[5, 0], 0x01)
            }),
            "proof",
        ),
        (
            doctor(&w, &p1, "forged-z.pem", |d| {
                der_flip_last_byte(d, &[5, 1], 0x01)
            }),
            "proof",
        ),
        (q1, "another input"),
    ];
    bad_partials_are_named(&w, &set_file(&dir), "--decrypt", &ct, &good, &bads);
    let out_file = w.path("few.txt");
    let out = combine(&set_file(&dir), &[&good[1]], "--decrypt", &ct, &out_file);
    let err = failed_with(&out, 1);
    assert!(error_line(&err).contains("1 missing"), "{err}");
    assert!(!out_file.exists());
}

// ------------------------------------------------------------------------------------------------
// Refusals at split

#[test]
fn split_refuses_bad_thresholds_keys_and_recipients() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let key = rsa_key(&w, "key.pem", 512, "5eb0");
    let eg = kmi_generate(
        &w,
        "eg.pem",
        &[
            "elgamal",
            "--bits",
            "256",
            "--threads",
            "1",
            "--seed",
            "5eb0",
        ],
    );
    let not_safe = kmi_generate(
        &w,
        "not-safe.pem",
        &[
            "rsa",
            "--no-safe",
            "--bits",
            "512",
            "--threads",
            "1",
            "--seed",
            "5eb0",
        ],
    );
    let e3 = kmi_generate(
        &w,
        "e3.pem",
        &[
            "rsa",
            "--e",
            "3",
            "--bits",
            "512",
            "--threads",
            "1",
            "--seed",
            "5eb0",
        ],
    );
    let e9 = kmi_generate(
        &w,
        "e9.pem",
        &[
            "rsa",
            "--e",
            "9",
            "--bits",
            "512",
            "--threads",
            "1",
            "--seed",
            "5eb0",
        ],
    );
    let public = openssl_pubout(&w, &key, "public.pem");
    let (t1, _) = kmi_trustee(&w, "t1");
    let pass = w.write("pass.txt", "pw\n");
    let dir = w.path("out");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let dir_s = s(&dir);

    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        (
            vec![
                s(&key),
                "-k".into(),
                "4".into(),
                "-n".into(),
                "3".into(),
                "--plain".into(),
            ],
            vec!["threshold"],
        ),
        (
            vec![
                s(&eg),
                "-k".into(),
                "4".into(),
                "-n".into(),
                "3".into(),
                "--plain".into(),
            ],
            vec!["threshold"],
        ),
        (
            vec![
                s(&key),
                "-k".into(),
                "0".into(),
                "-n".into(),
                "3".into(),
                "--plain".into(),
            ],
            vec!["threshold"],
        ),
        (
            vec![
                s(&eg),
                "-k".into(),
                "0".into(),
                "-n".into(),
                "3".into(),
                "--plain".into(),
            ],
            vec!["threshold"],
        ),
        (
            vec![
                s(&eg),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "256".into(),
                "--plain".into(),
            ],
            vec!["255"],
        ),
        (
            vec![
                s(&key),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "256".into(),
                "--plain".into(),
            ],
            vec!["255"],
        ),
        (
            vec![
                s(&not_safe),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "3".into(),
                "--plain".into(),
            ],
            vec!["safe prime", "kmi key generate rsa"],
        ),
        (
            vec![
                s(&e3),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "5".into(),
                "--plain".into(),
            ],
            vec!["prime", "larger", "e = 3"],
        ),
        (
            vec![
                s(&e9),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "3".into(),
                "--plain".into(),
            ],
            vec!["prime", "e = 9"],
        ),
        (
            vec![
                s(&key),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "3".into(),
                "--to".into(),
                s(&t1),
                "--to".into(),
                s(&t1),
            ],
            vec!["3"],
        ),
        (
            vec![
                s(&key),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "3".into(),
                "--to".into(),
                s(&t1),
                "--to".into(),
                s(&t1),
                "--to".into(),
                s(&t1),
                "--to".into(),
                s(&t1),
            ],
            vec!["3"],
        ),
        (
            vec![
                s(&key),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "2".into(),
                "--passphrase-file".into(),
                s(&pass),
            ],
            vec!["2"],
        ),
        (
            vec![s(&key), "-k".into(), "2".into(), "-n".into(), "3".into()],
            vec!["--plain"],
        ),
        (
            vec![
                s(&public),
                "-k".into(),
                "2".into(),
                "-n".into(),
                "3".into(),
                "--plain".into(),
            ],
            vec!["public key"],
        ),
    ];
    for (args, wants) in &cases {
        let out = output_of(
            kmi()
                .args(["share", "split"])
                .args(args)
                .arg("-o")
                .arg(&dir_s),
        );
        let err = failed_with(&out, 2);
        let line = error_line(&err);
        for want in wants {
            assert!(line.contains(want), "{args:?}: want '{want}' in: {err}");
        }
        assert!(!dir.exists(), "{args:?} created {}", dir.display());
    }
    // The boundary cases that are fine: e = 3 with 2 shares (e > n), K = N, K = 1.
    split_plain(&w, &e3, 2, 2, "e3-ok", &[]);
    split_plain(&w, &eg, 3, 3, "k-eq-n", &[]);
    split_plain(&w, &key, 1, 2, "k-1", &[]);
}

#[test]
fn split_keeps_existing_files_without_force() {
    let w = Work::new();
    let key = elgamal_key(&w, "key.pem", "5eb1");
    let dir = split_plain(&w, &key, 2, 3, "shares", &["--seed", "01"]);
    let snapshot = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = snapshot(&dir);
    let split_again = |d: &Path, force: bool| {
        let mut cmd = kmi();
        cmd.args(["share", "split"])
            .arg(&key)
            .args(["-k", "2", "-n", "3", "--plain", "--seed", "02", "-o"])
            .arg(d);
        if force {
            cmd.arg("--force");
        }
        output_of(&mut cmd)
    };
    let out = split_again(&dir, false);
    let err = failed_with(&out, 3);
    assert!(
        error_line(&err).contains("--force") && error_line(&err).contains("exists"),
        "{err}"
    );
    assert_eq!(snapshot(&dir), before, "existing shares changed");

    // One stray file is enough to refuse, and nothing else is written beside it.
    let lone = w.path("lone");
    std::fs::create_dir(&lone).unwrap();
    std::fs::write(lone.join("share-2.pem"), "precious\n").unwrap();
    let out = split_again(&lone, false);
    let err = failed_with(&out, 3);
    assert!(error_line(&err).contains("share-2.pem"), "{err}");
    assert_eq!(
        snapshot(&lone),
        vec![("share-2.pem".to_string(), b"precious\n".to_vec())]
    );

    // --force replaces them with a new, consistent set.
    let out = split_again(&dir, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(snapshot(&dir), before);
    kmi()
        .args(["--quiet", "share", "verify", "--set"])
        .arg(set_file(&dir))
        .args((1..=3).map(|i| share_file(&dir, i)))
        .assert()
        .success();
}
