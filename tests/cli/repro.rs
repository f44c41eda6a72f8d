//! Reproducible fixtures (issue 15): a script of every command that writes a file (keys, shares,
//! partials, ciphertexts, certificates, CMC requests, responses and extracted keys, a signed CCM
//! policy, the ceremony log, the demo) run twice in two directories with the same seeds and time
//! gives the same bytes in every file; a third run with other seeds shows the comparison bites.
//! Shares are dealt --plain: a split's envelopes never use the seed (seed plus an encrypted share
//! must not give the key), so encrypted shares are not fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{kmi, testdata, Work};

/// The pinned time: `--time` on the commands that take it, `SOURCE_DATE_EPOCH` for the rest
/// (ceremony-log lines, the key store). Near now, so certificates made at it are still valid
/// for the checks that judge them by the system clock.
fn pinned_time() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    now - now % 86_400
}

/// One command per line, run inside the fixture directory; `{S}` is appended to every seed,
/// `{T}` is the pinned time, `{STORE}` the test storage certificate and key options.
const SCRIPT: &str = "
key generate rsa --bits 768 --seed 01{S} -o key.pem
key generate rsa --no-safe --bits 1024 --seed 02{S} -o t1.pem
key generate rsa --no-safe --bits 1024 --seed 03{S} -o t2.pem
key generate rsa --no-safe --bits 1024 --seed 04{S} -o t3.pem
key generate elgamal --group ffdhe2048 --seed 05{S} -o eg.pem
key public t1.pem -o t1-public.pem
key public t2.pem -o t2-public.pem
key public t3.pem -o t3-public.pem
share split key.pem -k 2 -n 3 --seed 06{S} --plain -o shares --time @{T} --log ceremony.log
share split key.pem -k 2 -n 3 --seed 07{S} --plain --purpose sign -o plain-shares --log ceremony.log
encrypt --to key.pem -i msg.txt -o msg.bin --seed 08{S} --insecure-fixture
encrypt --to eg.pem -i msg.txt -o msg.eg --seed 09{S} --insecure-fixture
share partial --share shares/share-1.pem --decrypt msg.bin -o p1.pem --seed 0a{S} --log ceremony.log
share partial --share shares/share-3.pem --decrypt msg.bin -o p3.pem --seed 0b{S} --log ceremony.log
share combine --set shares/set.pem p1.pem p3.pem --decrypt msg.bin -o msg.out --log ceremony.log
share partial --share plain-shares/share-2.pem --sign msg.txt -o s2.pem --seed 0c{S}
cert self-sign --key t1.pem --subject CN=Fixture-CA --days 3650 --ca -o ca.crt --seed 0d{S} --time @{T}
cert request --key t2.pem --subject CN=agent --usage sign,encrypt -o agent.csr
cert issue --ca-key t1.pem --ca-cert ca.crt agent.csr --days 365 -o agent.crt --seed 0e{S} --time @{T}
cert self-sign --key t2.pem --subject CN=Signer --days 365 --usage sign,code-signing -o signer.crt --seed 0f{S}
cert self-sign --key t3.pem --subject CN=alice --days 365 --usage sign,encrypt -o alice.crt --seed 10{S} --time @{T}
ccm template --export -o ccm.txt
ccm sign ccm.txt --key t2.pem --cert signer.crt -o policy.jar
cmc store init store.db --storage-cert {STORAGE_CERT}
cmc archive-request --key t3.pem --to agent.crt --owner alice --sign-with-archived-key -o archive.req --seed 11{S} --insecure-fixture
cmc respond --agent-key t2.pem --agent-cert agent.crt --store store.db --storage-cert {STORAGE_CERT} --storage-key {STORAGE_KEY} archive.req -o archive.rsp --seed 12{S} --insecure-fixture --time @{T} --log ceremony.log
cmc recovery-request --owner alice --to t1-public.pem --sign-key t3.pem -o recover.req --seed 13{S}
cmc respond --agent-key t2.pem --agent-cert agent.crt --store store.db --storage-cert {STORAGE_CERT} --storage-key {STORAGE_KEY} recover.req -o recover.rsp --seed 14{S} --insecure-fixture --time @{T} --log ceremony.log
cmc extract recover.rsp --identity t1.pem --agent-cert agent.crt -o recovered.pem
cmc keygen-request --subject CN=alice --to t1-public.pem --sign-key t3.pem --sign-cert alice.crt -o keygen.req --seed 15{S}
cmc respond --agent-key t2.pem --agent-cert agent.crt --store store.db --storage-cert {STORAGE_CERT} --storage-key {STORAGE_KEY} --keygen-bits 1024 keygen.req -o keygen.rsp --seed 16{S} --insecure-fixture --time @{T} --log ceremony.log
cmc extract keygen.rsp --identity t1.pem --agent-cert agent.crt -o generated.pem
log verify ceremony.log
demo --bits 768 --dir demo --seed 17{S} --time @{T} --json
";

/// Run the script in a new directory; every file it leaves, by relative path.
fn run_script(seed_suffix: &str, time: u64) -> (Work, BTreeMap<String, Vec<u8>>) {
    let w = Work::new();
    w.write("msg.txt", "fixture message\n");
    let storage_cert = testdata("store/storage.crt");
    let storage_key = testdata("store/storage.key");
    for line in SCRIPT.lines().filter(|l| !l.trim().is_empty()) {
        let line = line
            .replace("{S}", seed_suffix)
            .replace("{T}", &time.to_string())
            .replace("{STORAGE_CERT}", &storage_cert.display().to_string())
            .replace("{STORAGE_KEY}", &storage_key.display().to_string());
        let args: Vec<&str> = line.split_whitespace().collect();
        let out = kmi()
            .arg("--quiet")
            .args(&args)
            .current_dir(w.dir.path())
            .env("SOURCE_DATE_EPOCH", (time + 3600).to_string())
            .output()
            .expect("kmi runs");
        assert!(
            out.status.success(),
            "kmi {line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // What a command prints on stdout is an output too (log verify, demo --json).
        let name = format!("stdout-{}.txt", args[..2].join("-"));
        let mut all = std::fs::read(w.path(&name)).unwrap_or_default();
        all.extend_from_slice(&out.stdout);
        w.write(&name, all);
    }
    let files = tree(w.dir.path());
    (w, files)
}

fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p: PathBuf = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn every_output_file_is_byte_reproducible_with_the_same_seeds_and_time() {
    let t = pinned_time();
    let (_a, first) = run_script("", t);
    let (_b, second) = run_script("", t);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>(),
        "the two runs wrote different files"
    );
    let differ: Vec<&String> = first
        .iter()
        .filter(|(name, bytes)| second.get(*name) != Some(bytes))
        .map(|(name, _)| name)
        .collect();
    assert!(differ.is_empty(), "differ between two runs: {differ:?}");
    // The script reached every kind of output.
    for f in [
        "shares/share-1.pem",
        "plain-shares/set.pem",
        "p1.pem",
        "msg.bin",
        "msg.eg",
        "ca.crt",
        "agent.crt",
        "policy.jar",
        "archive.rsp",
        "recovered.pem",
        "generated.pem",
        "ceremony.log",
        "demo/ceremony.log",
        "demo/policy.jar",
        "store.db",
    ] {
        assert!(first.contains_key(f), "{f} missing: {:?}", first.keys());
    }
    assert_eq!(first["msg.out"], b"fixture message\n");

    // Other seeds: the seeded outputs change, so the comparison above can fail.
    let (_c, other) = run_script("ff", t);
    for f in [
        "key.pem",
        "shares/share-1.pem",
        "msg.bin",
        "p1.pem",
        "ca.crt",
        "archive.req",
        "recover.rsp",
        "demo/set.pem",
    ] {
        assert_ne!(first[f], other[f], "{f} did not change with the seed");
    }
}

#[test]
fn time_pins_validity_and_time_wins_over_source_date_epoch() {
    let w = Work::new();
    let key = w.path("k.pem");
    kmi()
        .args([
            "-q",
            "key",
            "generate",
            "rsa",
            "--no-safe",
            "--bits",
            "1024",
            "--seed",
            "01",
            "-o",
        ])
        .arg(&key)
        .assert()
        .success();
    let show = |name: &str, extra: &[&str], env: Option<&str>| {
        let mut cmd = kmi();
        cmd.args([
            "-q",
            "cert",
            "self-sign",
            "--subject",
            "CN=t",
            "--days",
            "2",
            "--key",
        ])
        .arg(&key)
        .arg("-o")
        .arg(w.path(name))
        .args(extra);
        match env {
            Some(v) => cmd.env("SOURCE_DATE_EPOCH", v),
            None => cmd.env_remove("SOURCE_DATE_EPOCH"),
        };
        cmd.assert().success();
        let out = kmi()
            .args(["cert", "show"])
            .arg(w.path(name))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // 1700000000 = 2023-11-14T22:13:20Z; 1800000000 = 2027-01-15T08:00:00Z.
    let by_env = show("env.crt", &[], Some("1800000000"));
    assert!(by_env.contains("2027-01-15"), "{by_env}");
    let by_flag = show("flag.crt", &["--time", "@1700000000"], Some("1800000000"));
    assert!(by_flag.contains("2023-11-14"), "{by_flag}");
    let rfc = show("rfc.crt", &["--time", "2023-11-14T23:13:20+01:00"], None);
    assert!(rfc.contains("2023-11-14"), "{rfc}");
    assert_eq!(
        std::fs::read(w.path("flag.crt")).ok().map(|b| b.len()),
        std::fs::read(w.path("rfc.crt")).ok().map(|b| b.len())
    );
    // A malformed time is bad usage, and so is a malformed SOURCE_DATE_EPOCH.
    kmi()
        .args([
            "cert",
            "self-sign",
            "--subject",
            "CN=t",
            "--time",
            "yesterday",
            "--key",
        ])
        .arg(&key)
        .arg("-o")
        .arg(w.path("bad.crt"))
        .assert()
        .code(2);
    kmi()
        .args(["key", "public"])
        .arg(&key)
        .env("SOURCE_DATE_EPOCH", "soon")
        .assert()
        .code(2);
}

#[test]
fn seed_is_refused_where_it_would_give_a_real_secret_away() {
    let w = Work::new();
    let key = w.path("k.pem");
    kmi()
        .args([
            "-q",
            "key",
            "generate",
            "rsa",
            "--no-safe",
            "--bits",
            "1024",
            "--seed",
            "01",
            "-o",
        ])
        .arg(&key)
        .assert()
        .success();
    let msg = w.write("m.txt", "secret");
    let out = kmi()
        .args(["encrypt", "--seed", "01", "--to"])
        .arg(&key)
        .arg("-i")
        .arg(&msg)
        .arg("-o")
        .arg(w.path("m.bin"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--insecure-fixture"), "{err}");
    assert!(!w.path("m.bin").exists());
    // A partial on a share of an unseeded set: the proof nonce would give the share away.
    kmi()
        .args(["-q", "key", "generate", "rsa", "--bits", "512", "-o"])
        .arg(w.path("safe.pem"))
        .assert()
        .success();
    kmi()
        .args([
            "-q", "share", "split", "-k", "2", "-n", "2", "--plain", "-o",
        ])
        .arg(w.path("s"))
        .arg(w.path("safe.pem"))
        .assert()
        .success();
    let out = kmi()
        .args(["share", "partial", "--seed", "01", "--sign"])
        .arg(&msg)
        .arg("--share")
        .arg(w.path("s/share-1.pem"))
        .arg("-o")
        .arg(w.path("p.pem"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this trustee's share"));
    // The seeded output is labelled by a warning (which -q silences, as every warning).
    let out = kmi()
        .args(["encrypt", "--seed", "01", "--insecure-fixture", "--to"])
        .arg(&key)
        .arg("-i")
        .arg(&msg)
        .arg("-o")
        .arg(w.path("m.bin"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fixtures and tests only"));
}
