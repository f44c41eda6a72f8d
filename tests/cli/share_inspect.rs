//! `kmi share inspect` (issue 15): what a set, a plain share and an encrypted share show without
//! being opened; and `kmi encrypt --to SET` / `kmi key public SET`, whose trustees decrypt.

use crate::common::{kmi, Work};

fn ok(w: &Work, args: &[&str]) -> Vec<u8> {
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
    out.stdout
}

fn json(w: &Work, file: &str) -> serde_json::Value {
    serde_json::from_slice(&ok(w, &["share", "inspect", file, "--json"])).unwrap()
}

#[test]
fn inspect_shows_set_plain_share_and_encrypted_share() {
    let w = Work::new();
    ok(
        &w,
        &[
            "key", "generate", "rsa", "--bits", "768", "--seed", "01", "-o", "key.pem",
        ],
    );
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
            "02",
            "-o",
            "t1.pem",
        ],
    );
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
            "03",
            "-o",
            "t2.pem",
        ],
    );
    ok(
        &w,
        &[
            "share", "split", "key.pem", "-k", "2", "-n", "3", "--plain", "--label", "lab", "-o",
            "plain",
        ],
    );
    ok(&w, &["key", "public", "t1.pem", "-o", "t1-public.pem"]);
    ok(&w, &["key", "public", "t2.pem", "-o", "t2-public.pem"]);
    ok(
        &w,
        &[
            "share",
            "split",
            "key.pem",
            "-k",
            "2",
            "-n",
            "2",
            "--to",
            "t1-public.pem",
            "--to",
            "t2-public.pem",
            "-o",
            "enc",
        ],
    );

    let set = json(&w, "plain/set.pem");
    assert_eq!(set["version"], 1);
    assert_eq!(set["ok"], true);
    assert_eq!(set["kind"], "set");
    assert_eq!(set["scheme"], "rsa-shoup");
    assert_eq!(set["purpose"], "decrypt");
    assert_eq!(set["threshold"], 2);
    assert_eq!(set["shares"], 3);
    assert_eq!(set["seeded"], false);
    assert_eq!(set["encrypted"], false);
    assert_eq!(set["label"], "lab");
    assert!(set["index"].is_null());
    // v and v_1..v_n.
    assert_eq!(set["verification_keys"].as_array().unwrap().len(), 4);
    let fp = set["public_key"]["fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 64, "hex without spaces: {fp}");
    let fingerprint =
        String::from_utf8(ok(&w, &["key", "fingerprint", "--digits", "64", "key.pem"])).unwrap();
    assert_eq!(fingerprint.split_whitespace().collect::<String>(), fp);

    let share = json(&w, "plain/share-3.pem");
    assert_eq!(share["kind"], "share");
    assert_eq!(share["index"], 3);
    assert_eq!(share["set_id"], set["set_id"]);
    assert_eq!(share["encrypted"], false);

    // An encrypted share is not opened: no identity is given, and none is needed.
    let sealed = json(&w, "enc/share-1.pem");
    assert_eq!(sealed["encrypted"], true, "{sealed:#}");
    assert_eq!(sealed["kind"], "share");
    assert_eq!(sealed["recipients"].as_array().unwrap().len(), 1);
    assert!(sealed.get("set_id").is_none());
    let text = String::from_utf8(ok(&w, &["share", "inspect", "enc/share-1.pem"])).unwrap();
    assert!(text.contains("encrypted share"), "{text}");
    assert!(text.contains("not opened"), "{text}");

    // Text form of a set names k of n and the seed state.
    let text = String::from_utf8(ok(&w, &["share", "inspect", "plain/set.pem"])).unwrap();
    assert!(text.contains("2 of 3"), "{text}");
    assert!(text.contains("seeded:      no"), "{text}");

    // Not a share: exit 2.
    kmi()
        .args(["share", "inspect"])
        .arg(w.path("t1.pem"))
        .assert()
        .code(2);
}

#[test]
fn inspect_reports_a_seeded_elgamal_set_with_its_commitments() {
    let w = Work::new();
    ok(
        &w,
        &[
            "key",
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "--seed",
            "05",
            "-o",
            "eg.pem",
        ],
    );
    ok(
        &w,
        &[
            "share", "split", "eg.pem", "-k", "2", "-n", "3", "--plain", "--seed", "06", "-o", "s",
        ],
    );
    let v = json(&w, "s/share-2.pem");
    assert_eq!(v["scheme"], "elgamal-feldman");
    assert_eq!(v["seeded"], true);
    assert_eq!(v["index"], 2);
    assert_eq!(v["commitments"].as_array().unwrap().len(), 2, "C_0 and C_1");
    let text = String::from_utf8(ok(&w, &["share", "inspect", "s/set.pem"])).unwrap();
    assert!(text.contains("seeded:      yes"), "{text}");
}

#[test]
fn encrypt_to_a_share_set_is_decrypted_by_its_trustees() {
    let w = Work::new();
    w.write("m.txt", "to the trustees\n");
    ok(
        &w,
        &[
            "key", "generate", "rsa", "--bits", "768", "--seed", "01", "-o", "key.pem",
        ],
    );
    ok(
        &w,
        &[
            "share", "split", "key.pem", "-k", "2", "-n", "3", "--plain", "-o", "s",
        ],
    );
    ok(
        &w,
        &["encrypt", "--to", "s/set.pem", "-i", "m.txt", "-o", "m.bin"],
    );
    ok(
        &w,
        &[
            "share",
            "partial",
            "--share",
            "s/share-1.pem",
            "--decrypt",
            "m.bin",
            "-o",
            "p1.pem",
        ],
    );
    ok(
        &w,
        &[
            "share",
            "partial",
            "--share",
            "s/share-3.pem",
            "--decrypt",
            "m.bin",
            "-o",
            "p3.pem",
        ],
    );
    ok(
        &w,
        &[
            "share",
            "combine",
            "--set",
            "s/set.pem",
            "p1.pem",
            "p3.pem",
            "--decrypt",
            "m.bin",
            "-o",
            "m.out",
        ],
    );
    assert_eq!(w.read("m.out"), b"to the trustees\n");
    // key public reads the set too, and encrypting to that public key is the same recipient.
    ok(&w, &["key", "public", "s/set.pem", "-o", "set-public.pem"]);
    ok(&w, &["key", "public", "key.pem", "-o", "key-public.pem"]);
    assert_eq!(w.read("set-public.pem"), w.read("key-public.pem"));
    // ElGamal sets too.
    ok(
        &w,
        &[
            "key",
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "-o",
            "eg.pem",
        ],
    );
    ok(
        &w,
        &[
            "share", "split", "eg.pem", "-k", "2", "-n", "2", "--plain", "-o", "e",
        ],
    );
    ok(
        &w,
        &["encrypt", "--to", "e/set.pem", "-i", "m.txt", "-o", "m.eg"],
    );
    ok(
        &w,
        &[
            "share",
            "partial",
            "--share",
            "e/share-1.pem",
            "--decrypt",
            "m.eg",
            "-o",
            "q1.pem",
        ],
    );
    ok(
        &w,
        &[
            "share",
            "partial",
            "--share",
            "e/share-2.pem",
            "--decrypt",
            "m.eg",
            "-o",
            "q2.pem",
        ],
    );
    ok(
        &w,
        &[
            "share",
            "combine",
            "--set",
            "e/set.pem",
            "q1.pem",
            "q2.pem",
            "--decrypt",
            "m.eg",
            "-o",
            "m2.out",
        ],
    );
    assert_eq!(w.read("m2.out"), b"to the trustees\n");
}
