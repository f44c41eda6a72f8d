//! The escrow agent's SQLite key store through the binary (issue 17, "What must be shown", the CLI
//! items): a thousand archives by real `kmi cmc respond` processes and the recovery of one
//! identity's keys; two agents on one store at once (and one kept waiting past the busy wait,
//! which fails cleanly); a full disk (RLIMIT_FSIZE) and SIGKILL in the middle of an archive, after
//! which `kmi cmc store verify` accepts the store and the entry is whole or absent (and the same
//! for `store init` on a full disk and a migration killed half way); a kmi 0.1 directory store (testdata/dirstore-0.1/, made by the last kmi
//! that wrote one: scripts/make_dirstore_fixture.sh) migrating with every key recovering under
//! its fingerprint; no byte of the store file (nor of `sqlite3 .dump`) holding a prime or private
//! exponent of an archived key; and the decision history that a Python peer re-chains from
//! `export-audit` and that `store verify` finds edited when a row is changed behind its back.
//!
//! Parties are openssl's (`req -x509`, `genpkey`); archived keys are mostly RSA 512 so that a
//! thousand archives stay about a minute in a debug build.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// openssl in `dir`, asserting success; its stdout.
fn ossl(dir: &Path, args: &[&OsStr]) -> Vec<u8> {
    let out = output_of(openssl().current_dir(dir).args(args));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A self-signed RSA 1024 certificate and its key.
#[derive(Clone, Debug)]
struct Party {
    crt: PathBuf,
    key: PathBuf,
}

fn party(dir: &Path, name: &str) -> Party {
    let (crt, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    ossl(
        dir,
        &[
            os("req"),
            os("-x509"),
            os("-newkey"),
            os("rsa:1024"),
            os("-nodes"),
            os("-days"),
            os("30"),
            os("-subj"),
            os(&format!("/CN={name}")),
            os("-keyout"),
            key.as_os_str(),
            os("-out"),
            crt.as_os_str(),
        ],
    );
    Party { crt, key }
}

/// `openssl genpkey` RSA of `bits` into `dir/name`.
fn rsa_key(dir: &Path, name: &str, bits: u32) -> PathBuf {
    let p = dir.join(name);
    ossl(
        dir,
        &[
            os("genpkey"),
            os("-algorithm"),
            os("RSA"),
            os("-pkeyopt"),
            os(&format!("rsa_keygen_bits:{bits}")),
            os("-out"),
            p.as_os_str(),
        ],
    );
    p
}

/// `kmi key generate elgamal --group ffdhe2048` into `dir/name`.
fn elgamal_key(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    kmi_ok(&[
        os("key"),
        os("generate"),
        os("elgamal"),
        os("--group"),
        os("ffdhe2048"),
        os("-o"),
        p.as_os_str(),
    ]);
    p
}

/// SHA-256 of openssl's SubjectPublicKeyInfo of a private key: kmi's key fingerprint.
fn fingerprint(key: &Path) -> String {
    sha256_hex(&openssl_spki(key, &[]))
}

/// `kmi --quiet ARGS`, asserting success; the output.
fn kmi_ok(args: &[&OsStr]) -> Output {
    let out = output_of(kmi().arg("--quiet").args(args));
    assert!(
        out.status.success(),
        "kmi {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The agent: its transport key, the store's storage key, and the store (created).
struct Agent {
    dir: PathBuf,
    agent: Party,
    storage: Party,
    store: PathBuf,
}

fn agent(w: &Work) -> Agent {
    let dir = w.dir.path().to_path_buf();
    let agent = party(&dir, "agent");
    let storage = party(&dir, "storage");
    let store = dir.join("escrow.db");
    kmi_ok(&[
        os("cmc"),
        os("store"),
        os("init"),
        store.as_os_str(),
        os("--storage-cert"),
        storage.crt.as_os_str(),
    ]);
    Agent {
        dir,
        agent,
        storage,
        store,
    }
}

/// `kmi cmc archive-request` for `key` under `identity`, signed by `signer`, into `out`.
fn archive_request(
    a: &Agent,
    key: &Path,
    identity: &str,
    signer: &Party,
    selection: Option<&str>,
    out: &Path,
) {
    let mut args = vec![
        os("cmc"),
        os("archive-request"),
        os("--der"),
        os("--key"),
        key.as_os_str(),
        os("--agent"),
        a.agent.crt.as_os_str(),
        os("--identity"),
        os(identity),
        os("--sign-key"),
        signer.key.as_os_str(),
        os("--sign-cert"),
        signer.crt.as_os_str(),
        os("-o"),
        out.as_os_str(),
    ];
    if let Some(s) = selection {
        args.extend([os("--selection"), os(s)]);
    }
    kmi_ok(&args);
}

/// `kmi cmc recovery-request` for `identity`, shrouded to `shroud`, signed by `signer`.
fn recovery_request(
    identity: &str,
    signer: &Party,
    shroud: &Party,
    selection: Option<&str>,
    out: &Path,
) {
    let mut args = vec![
        os("cmc"),
        os("recovery-request"),
        os("--der"),
        os("--identity"),
        os(identity),
        os("--shroud-key"),
        shroud.crt.as_os_str(),
        os("--sign-key"),
        signer.key.as_os_str(),
        os("--sign-cert"),
        signer.crt.as_os_str(),
        os("-o"),
        out.as_os_str(),
    ];
    if let Some(s) = selection {
        args.extend([os("--selection"), os(s)]);
    }
    kmi_ok(&args);
}

/// `kmi cmc respond --der --json` as the agent on its store (--storage-cert, and --storage-key for a
/// recovery), not quiet (the head is on stderr): a command to run or spawn.
fn respond_cmd(a: &Agent, req: &Path, rsp: &Path, extra: &[&OsStr]) -> StdCommand {
    let mut cmd = StdCommand::new(kmi_path());
    cmd.current_dir(&a.dir)
        .args(["cmc", "respond", "--der", "--json", "--agent-key"])
        .arg(&a.agent.key)
        .arg("--agent-cert")
        .arg(&a.agent.crt)
        .arg("--store")
        .arg(&a.store)
        .arg("--storage-cert")
        .arg(&a.storage.crt)
        .arg("-o")
        .arg(rsp)
        .args(extra)
        .arg(req)
        .stdin(Stdio::null());
    cmd
}

/// A successful respond: its `--json` report and the store head it printed.
fn respond_ok(a: &Agent, req: &Path, rsp: &Path, extra: &[&OsStr]) -> (Value, String) {
    let out = respond_cmd(a, req, rsp, extra).output().expect("kmi runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "kmi cmc respond {} failed:\n{err}",
        req.display()
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("respond --json");
    assert_eq!(v["ok"], Value::Bool(true), "{v:#}");
    (v, head_of(&a.store, &err))
}

/// The head `respond` printed: "kmi: key store STORE head <64 hex>".
fn head_of(store: &Path, stderr: &str) -> String {
    let prefix = format!("kmi: key store {} head ", store.display());
    let heads: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .collect();
    assert_eq!(heads.len(), 1, "one head line on stderr:\n{stderr}");
    let h = heads[0].trim();
    assert!(
        h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()),
        "{h}"
    );
    h.to_string()
}

/// The fingerprints of the keys a respond report names, with the action for each.
fn reported_keys(v: &Value) -> Vec<(String, String)> {
    v["outcome"]["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("no keys in {v:#}"))
        .iter()
        .map(|k| {
            (
                k["fingerprint"].as_str().unwrap().to_string(),
                k["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `kmi cmc store list STORE --json`: the entries by fingerprint.
fn list(store: &Path) -> BTreeMap<String, Value> {
    let out = kmi_ok(&[
        os("cmc"),
        os("store"),
        os("list"),
        store.as_os_str(),
        os("--json"),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("list --json");
    assert_eq!(v["ok"], Value::Bool(true));
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["fingerprint"].as_str().unwrap().to_string(), e.clone()))
        .collect()
}

/// `kmi cmc store verify STORE --json [extra]`: the raw output.
fn verify(store: &Path, extra: &[&OsStr]) -> Output {
    output_of(
        kmi()
            .args(["cmc", "store", "verify", "--json"])
            .arg(store)
            .args(extra),
    )
}

/// A passing `store verify --json`: its report.
fn verify_ok(store: &Path, extra: &[&OsStr]) -> Value {
    let out = verify(store, extra);
    assert!(
        out.status.success(),
        "store verify {} {extra:?} fails:\n{}",
        store.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("verify --json");
    assert_eq!(v["ok"], Value::Bool(true), "{v:#}");
    v
}

/// `verify_ok` with the storage key: every sealed key opened and checked (each entry whole).
fn verify_whole(a: &Agent) -> Value {
    verify_ok(&a.store, &[os("--storage-key"), a.storage.key.as_os_str()])
}

/// `kmi cmc extract RSP --request REQ --key SHROUD -o OUT`: the key files written (one file, or
/// the files of the directory OUT when several keys came back).
fn extract(a: &Agent, rsp: &Path, req: &Path, shroud: &Party, out: &Path) -> Vec<PathBuf> {
    kmi_ok(&[
        os("cmc"),
        os("extract"),
        rsp.as_os_str(),
        os("--request"),
        req.as_os_str(),
        os("--key"),
        shroud.key.as_os_str(),
        os("--agent-cert"),
        a.agent.crt.as_os_str(),
        os("-o"),
        out.as_os_str(),
    ]);
    if out.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    } else {
        vec![out.to_path_buf()]
    }
}

/// Recover `identity`'s keys (signed by `signer`, opened with the storage key and `extra`) and
/// extract them: their fingerprints (by openssl).
fn recover(
    a: &Agent,
    identity: &str,
    signer: &Party,
    selection: Option<&str>,
    extra: &[&OsStr],
    name: &str,
) -> BTreeSet<String> {
    let shroud = party(&a.dir, &format!("{name}-shroud"));
    let req = a.dir.join(format!("{name}.req"));
    let rsp = a.dir.join(format!("{name}.rsp"));
    recovery_request(identity, signer, &shroud, selection, &req);
    let mut args = vec![os("--storage-key"), a.storage.key.as_os_str()];
    args.extend_from_slice(extra);
    let (v, _) = respond_ok(a, &req, &rsp, &args);
    let files = extract(a, &rsp, &req, &shroud, &a.dir.join(format!("{name}.out")));
    let got: BTreeSet<String> = files.iter().map(|f| fingerprint(f)).collect();
    assert_eq!(got.len(), files.len(), "distinct keys came back");
    let reported: BTreeSet<String> = reported_keys(&v).into_iter().map(|(fp, _)| fp).collect();
    assert_eq!(
        got, reported,
        "extracted keys are the keys the agent says it returned"
    );
    got
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// `STORE-wal`, `STORE-shm`.
fn sidecar(store: &Path, suffix: &str) -> PathBuf {
    let mut s = store.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

// ------------------------------------------------------------------------------------------------
// 1. A thousand archives, then one identity's recovery

#[test]
fn a_thousand_archives_then_one_identity_recovers_exactly_its_keys() {
    if require_peer("openssl").is_none() {
        return;
    }
    const N: usize = 1000;
    const SIGNERS: usize = 4;
    let w = Work::new();
    let a = agent(&w);
    let signers: Vec<Party> = (0..SIGNERS)
        .map(|i| party(&a.dir, &format!("signer{i}")))
        .collect();
    // user-0 .. user-984 hold one key each; the last 15 archives give user-0 .. user-4 three
    // more each (four keys apiece).
    let id_of = |i: usize| if i < 985 { i } else { i % 5 };
    let signer_of = |id: usize| &signers[id % SIGNERS];

    // Keys and requests, two at a time (they are not what is measured).
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..2 {
            let (a, id_of, signer_of) = (&a, &id_of, &signer_of);
            s.spawn(move || {
                for i in (t..N).step_by(2) {
                    let key = rsa_key(&a.dir, &format!("k{i}.pem"), 512);
                    let id = id_of(i);
                    archive_request(
                        a,
                        &key,
                        &format!("user-{id}"),
                        signer_of(id),
                        None,
                        &a.dir.join(format!("k{i}.req")),
                    );
                }
            });
        }
    });
    let prepared = start.elapsed();

    // A thousand agents, one after the other.
    let start = Instant::now();
    let mut fps = Vec::with_capacity(N);
    let mut head = String::new();
    for i in 0..N {
        let (v, h) = respond_ok(
            &a,
            &a.dir.join(format!("k{i}.req")),
            &a.dir.join(format!("k{i}.rsp")),
            &[],
        );
        let keys = reported_keys(&v);
        assert_eq!(keys.len(), 1, "{v:#}");
        assert_eq!(keys[0].1, "stored", "{v:#}");
        fps.push(keys[0].0.clone());
        head = h;
    }
    let archived = start.elapsed();
    eprintln!(
        "{N} keys and requests made in {:.1} s; {N} archives by respond in {:.1} s ({:.1} ms each)",
        prepared.as_secs_f64(),
        archived.as_secs_f64(),
        archived.as_secs_f64() * 1000.0 / N as f64
    );
    let distinct: BTreeSet<&String> = fps.iter().collect();
    assert_eq!(distinct.len(), N, "a thousand distinct keys filed");

    // The history ends with the head the last agent printed.
    let start = Instant::now();
    let v = verify_ok(&a.store, &[os("--head"), os(&head)]);
    eprintln!(
        "store verify --head: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(v["entries"], N as u64, "{v:#}");
    assert_eq!(
        v["decisions"],
        N as u64 + 1,
        "creation + one per archive: {v:#}"
    );
    assert_eq!(v["head"], head.as_str());

    // The list: a thousand entries, each under its identity, and nothing secret.
    let out = kmi_ok(&[
        os("cmc"),
        os("store"),
        os("list"),
        a.store.as_os_str(),
        os("--json"),
    ]);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let entries = list(&a.store);
    assert_eq!(entries.len(), N);
    let allowed: BTreeSet<&str> = [
        "fingerprint",
        "algorithm",
        "bits",
        "identity",
        "selection",
        "selection_hex",
        "subject",
        "archived",
        "source",
        "signer_spki_sha256",
        "proved_identity",
        "certificate_id",
        "held",
    ]
    .into();
    for (i, fp) in fps.iter().enumerate() {
        let e = &entries[fp];
        assert_eq!(
            e["identity"],
            format!("user-{}", id_of(i)).as_str(),
            "{e:#}"
        );
        assert_eq!(e["held"], "sealed", "{e:#}");
        for k in e.as_object().unwrap().keys() {
            assert!(allowed.contains(k.as_str()), "list shows {k}: {e:#}");
        }
    }
    assert!(!text.contains("PRIVATE") && !text.contains("-----BEGIN"));
    // No number of a sample of the keys in the listing, in hex either case or decimal.
    for i in (0..N).step_by(50) {
        let nums = openssl_key_numbers(&a.dir.join(format!("k{i}.pem")), &[]);
        for name in ["prime1", "prime2", "privateExponent"] {
            let n = &nums[name];
            for s in [
                n.to_str_radix(16),
                n.to_str_radix(16).to_uppercase(),
                n.to_string(),
            ] {
                assert!(!text.contains(&s), "store list shows {name} of k{i}");
            }
        }
    }

    // user-3 holds four keys (archives 3, 988, 993, 998): recovery returns exactly those.
    let start = Instant::now();
    let want: BTreeSet<String> = [3usize, 988, 993, 998]
        .iter()
        .map(|&i| {
            assert_eq!(fingerprint(&a.dir.join(format!("k{i}.pem"))), fps[i]);
            fps[i].clone()
        })
        .collect();
    let got = recover(&a, "user-3", signer_of(3), None, &[], "rec3");
    assert_eq!(got, want, "user-3's keys and no other");
    // user-500 holds one.
    let got = recover(&a, "user-500", signer_of(500), None, &[], "rec500");
    assert_eq!(got, BTreeSet::from([fps[500].clone()]));
    assert_eq!(fingerprint(&a.dir.join("k500.pem")), fps[500]);
    eprintln!("two recoveries: {:.2} s", start.elapsed().as_secs_f64());

    // Every sealed key opens with the storage key to its fingerprint.
    let start = Instant::now();
    let v = verify_whole(&a);
    eprintln!(
        "store verify --storage-key: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(v["keys_opened"], N as u64, "{v:#}");
    assert_eq!(
        v["decisions"],
        N as u64 + 3,
        "two recoveries recorded: {v:#}"
    );
}

// ------------------------------------------------------------------------------------------------
// 2. Two agents on one store at once

#[test]
fn two_agents_on_one_store_at_once_lose_nothing() {
    if require_peer("openssl").is_none() {
        return;
    }
    const ROUNDS: usize = 8;
    const AT_ONCE: usize = 2;
    let w = Work::new();
    let a = agent(&w);
    let alice = party(&a.dir, "alice");
    let reqs: Vec<(PathBuf, String)> = (0..ROUNDS * AT_ONCE + 4)
        .map(|i| {
            let key = rsa_key(&a.dir, &format!("k{i}.pem"), 512);
            let req = a.dir.join(format!("k{i}.req"));
            archive_request(&a, &key, "alice", &alice, None, &req);
            (req, fingerprint(&key))
        })
        .collect();

    let mut stored = BTreeSet::new();
    let mut failed = Vec::new();
    let mut retried = 0;
    // ROUNDS pairs, then four agents at once; a reader (`store verify`) runs alongside each.
    let mut batches: Vec<Vec<usize>> = (0..ROUNDS)
        .map(|r| (r * AT_ONCE..(r + 1) * AT_ONCE).collect())
        .collect();
    batches.push((ROUNDS * AT_ONCE..ROUNDS * AT_ONCE + 4).collect());
    for batch in batches {
        let children: Vec<_> = batch
            .iter()
            .map(|&i| {
                let rsp = a.dir.join(format!("k{i}.rsp"));
                let child = respond_cmd(&a, &reqs[i].0, &rsp, &[])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn respond");
                (i, rsp, child)
            })
            .collect();
        let reader = StdCommand::new(kmi_path())
            .args(["cmc", "store", "verify", "--json"])
            .arg(&a.store)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn verify");
        for (i, rsp, child) in children {
            let out = child.wait_with_output().unwrap();
            if out.status.success() {
                let v: Value = serde_json::from_slice(&out.stdout).expect("respond --json");
                let keys = reported_keys(&v);
                assert_eq!(keys, vec![(reqs[i].1.clone(), "stored".to_string())]);
                assert!(rsp.exists(), "a successful agent wrote its response");
                stored.insert(reqs[i].1.clone());
            } else {
                // Failed cleanly: one line, no response, nothing filed (checked below).
                let code = out.status.code().expect("exited, not killed");
                let line = one_line_error(&out, code);
                eprintln!("agent {i} failed (exit {code}): {line}");
                assert!(!rsp.exists(), "a failed agent wrote no response: {line}");
                failed.push(i);
            }
        }
        let out = reader.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a reader while agents write: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed: BTreeSet<String> = list(&a.store).into_keys().collect();
        assert_eq!(
            listed, stored,
            "exactly the successful agents' keys are filed"
        );
    }
    // What failed goes through when retried alone.
    for i in failed {
        let (v, _) = respond_ok(&a, &reqs[i].0, &a.dir.join(format!("k{i}.retry.rsp")), &[]);
        assert_eq!(reported_keys(&v)[0].1, "stored");
        stored.insert(reqs[i].1.clone());
        retried += 1;
    }
    eprintln!("{retried} agents failed while another held the store and were retried");
    let v = verify_whole(&a);
    assert_eq!(v["entries"], stored.len() as u64);
    assert_eq!(v["keys_opened"], stored.len() as u64);
    assert_eq!(stored.len(), reqs.len(), "every key filed");
    let got = recover(&a, "alice", &alice, None, &[], "rec");
    assert_eq!(got, stored, "every filed key recovers");
}

// ------------------------------------------------------------------------------------------------
// 3. A full disk in the middle of an archive

/// `kmi cmc respond --der ... -o -` with RLIMIT_FSIZE `limit` (SIGXFSZ ignored, so a write over the
/// limit fails with EFBIG like a full disk); the response goes to the captured stdout, a pipe,
/// which the limit does not touch.
fn respond_with_fsize(a: &Agent, req: &Path, limit: u64, extra: &[&OsStr]) -> Output {
    let mut cmd = StdCommand::new(kmi_path());
    cmd.current_dir(&a.dir)
        .args(["cmc", "respond", "--der", "--agent-key"])
        .arg(&a.agent.key)
        .arg("--agent-cert")
        .arg(&a.agent.crt)
        .arg("--store")
        .arg(&a.store)
        .arg("--storage-cert")
        .arg(&a.storage.crt)
        .args(["-o", "-"])
        .args(extra)
        .arg(req)
        .stdin(Stdio::null());
    use std::os::unix::process::CommandExt;
    // SAFETY: signal and setrlimit in the child between fork and exec touch no Rust state.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    cmd.output().unwrap()
}

#[test]
fn a_full_disk_mid_archive_leaves_the_entry_whole_or_absent() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let alice = party(&a.dir, "alice");
    // One key filed before, so the store is not empty.
    let key = rsa_key(&a.dir, "first.pem", 512);
    archive_request(&a, &key, "alice", &alice, None, &a.dir.join("first.req"));
    respond_ok(&a, &a.dir.join("first.req"), &a.dir.join("first.rsp"), &[]);

    let mut next = 0;
    let request = |n: usize| {
        let key = rsa_key(&a.dir, &format!("k{n}.pem"), 512);
        let req = a.dir.join(format!("k{n}.req"));
        archive_request(&a, &key, "alice", &alice, None, &req);
        (req, fingerprint(&key))
    };
    let mut current = request(next);
    let (mut failures, mut successes) = (0, 0);
    let mut reasons = BTreeMap::<String, usize>::new();
    // From nothing to well above what the store's files hold now (the database, and a WAL an
    // earlier agent may have left), so the limit cuts every stage of an archive.
    let top = file_size(&a.store) + file_size(&sidecar(&a.store, "-wal")) + 64 * 1024;
    const STEP: u64 = 1531;
    for limit in (0..=top).step_by(STEP as usize) {
        let before = list(&a.store);
        let out = respond_with_fsize(&a, &current.0, limit, &[]);
        let after = list(&a.store);
        let present = after.contains_key(&current.1);
        if out.status.success() {
            assert!(
                present,
                "limit {limit}: respond succeeded, the key must be filed"
            );
            successes += 1;
        } else {
            let code = out.status.code().expect("exited, not killed");
            let line = one_line_error(&out, code);
            assert!(
                !present,
                "limit {limit}: respond failed ({line}) yet the key is filed"
            );
            assert_eq!(
                after.keys().collect::<Vec<_>>(),
                before.keys().collect::<Vec<_>>(),
                "limit {limit}: a failed archive changes nothing"
            );
            // The line without the store's path, to count the stages it failed in.
            let stage = line.replace(&a.store.display().to_string(), "STORE");
            *reasons.entry(stage).or_default() += 1;
            failures += 1;
        }
        let v = verify_whole(&a);
        assert_eq!(
            v["entries"],
            after.len() as u64,
            "limit {limit}: every entry opens whole"
        );
        if present {
            next += 1;
            current = request(next);
        }
    }
    eprintln!(
        "RLIMIT_FSIZE 0..{top} step {STEP}: {failures} archives failed, {successes} succeeded; \
         failures: {reasons:#?}"
    );
    assert!(failures > 0, "some limit must make the archive fail");
    assert!(
        successes > 0,
        "a limit above what an archive writes must let it through"
    );
    // The last request, without a limit: filed; and every filed key recovers.
    let (v, head) = respond_ok(&a, &current.0, &a.dir.join("last.rsp"), &[]);
    assert_eq!(
        reported_keys(&v),
        vec![(current.1.clone(), "stored".into())]
    );
    verify_ok(&a.store, &[os("--head"), os(&head)]);
    let listed: BTreeSet<String> = list(&a.store).into_keys().collect();
    assert_eq!(listed.len(), successes + 2);
    let got = recover(&a, "alice", &alice, None, &[], "rec");
    assert_eq!(got, listed);

    // A recovery on a full disk: when its decision cannot be recorded the response returns no
    // key and nothing is recorded; when it can, the keys come back and the decision is recorded.
    let shroud = party(&a.dir, "sweep-shroud");
    let rec = a.dir.join("sweep.req");
    recovery_request("alice", &alice, &shroud, None, &rec);
    let decisions = || verify_ok(&a.store, &[])["decisions"].as_u64().unwrap();
    let top = file_size(&a.store) + file_size(&sidecar(&a.store, "-wal")) + 64 * 1024;
    let (mut refused, mut returned) = (0, 0);
    for limit in (0..=top).step_by(2 * STEP as usize) {
        let before = decisions();
        let out = respond_with_fsize(
            &a,
            &rec,
            limit,
            &[os("--storage-key"), a.storage.key.as_os_str()],
        );
        let after = decisions();
        let rsp = a.dir.join(format!("sweep-{limit}.rsp"));
        std::fs::write(&rsp, &out.stdout).unwrap();
        let got = a.dir.join(format!("sweep-{limit}.out"));
        let ext = output_of(
            kmi()
                .args(["--quiet", "cmc", "extract"])
                .arg(&rsp)
                .arg("--request")
                .arg(&rec)
                .arg("--key")
                .arg(&shroud.key)
                .arg("--agent-cert")
                .arg(&a.agent.crt)
                .arg("-o")
                .arg(&got),
        );
        if out.status.success() {
            assert_eq!(
                after,
                before + 1,
                "limit {limit}: an answered recovery is recorded"
            );
            assert!(
                ext.status.success(),
                "limit {limit}: {}",
                String::from_utf8_lossy(&ext.stderr)
            );
            returned += 1;
        } else {
            one_line_error(&out, out.status.code().expect("exited"));
            assert_eq!(
                after, before,
                "limit {limit}: a failed recovery records nothing"
            );
            assert!(
                !ext.status.success() && !got.exists(),
                "limit {limit}: a recovery that was not recorded returned keys"
            );
            refused += 1;
        }
    }
    eprintln!("recoveries under RLIMIT_FSIZE 0..{top}: {refused} returned no key, {returned} did");
    assert!(refused > 0 && returned > 0);
    verify_whole(&a);
}

// ------------------------------------------------------------------------------------------------
// 4. SIGKILL in the middle of an archive

#[test]
fn sigkill_mid_archive_leaves_the_entry_whole_or_absent() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let alice = party(&a.dir, "alice");
    let request = |n: usize| {
        let key = rsa_key(&a.dir, &format!("k{n}.pem"), 512);
        let req = a.dir.join(format!("k{n}.req"));
        archive_request(&a, &key, "alice", &alice, None, &req);
        (req, fingerprint(&key))
    };
    // How long one archive takes here, to spread the kills over it.
    let probe = request(1000);
    let start = Instant::now();
    respond_ok(&a, &probe.0, &a.dir.join("probe.rsp"), &[]);
    let one = start.elapsed();
    let span = (one.as_micros() as u64 * 3 / 2).max(20_000);
    const KILLS: u64 = 60;
    let mut next = 0;
    let mut current = request(next);
    let (mut killed, mut killed_absent, mut killed_present, mut finished) = (0, 0, 0, 0);
    for round in 0..KILLS {
        let delay = Duration::from_micros(span * round / KILLS);
        let rsp = a.dir.join(format!("kill{round}.rsp"));
        let mut child = respond_cmd(&a, &current.0, &rsp, &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn respond");
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let was_killed = status.signal() == Some(libc::SIGKILL);
        // After each kill the store verifies and every entry opens whole.
        let v = verify_whole(&a);
        let listed = list(&a.store);
        assert_eq!(v["entries"], listed.len() as u64);
        let present = listed.contains_key(&current.1);
        if was_killed {
            killed += 1;
            if present {
                killed_present += 1;
            } else {
                killed_absent += 1;
            }
        } else {
            assert!(status.success(), "round {round}: {status:?}");
            assert!(
                present,
                "round {round}: respond finished, the key must be filed"
            );
            finished += 1;
        }
        if present {
            next += 1;
            current = request(next);
        }
    }
    eprintln!(
        "one archive takes {:.1} ms; kills over {:.1} ms: {killed} landed while respond ran \
         ({killed_absent} left no entry, {killed_present} after the commit), {finished} too late",
        one.as_secs_f64() * 1000.0,
        span as f64 / 1000.0
    );
    assert!(killed > 0, "no kill landed while respond was running");
    // The request of the last round goes through; every filed key recovers.
    let (_, head) = respond_ok(&a, &current.0, &a.dir.join("last.rsp"), &[]);
    verify_ok(&a.store, &[os("--head"), os(&head)]);
    let listed: BTreeSet<String> = list(&a.store).into_keys().collect();
    let got = recover(&a, "alice", &alice, None, &[], "rec");
    assert_eq!(got, listed);
}

// ------------------------------------------------------------------------------------------------
// 5. A kmi 0.1 directory store migrates

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

#[test]
fn a_kmi_0_1_directory_store_migrates_and_every_key_recovers() {
    if require_peer("openssl").is_none() {
        return;
    }
    let fixture = testdata("dirstore-0.1");
    let w = Work::new();
    let dir = w.dir.path().to_path_buf();
    copy_dir(&fixture, &dir);
    let fx = |n: &str| dir.join(n);
    let p = |n: &str| Party {
        crt: fx(&format!("{n}.crt")),
        key: fx(&format!("{n}.key")),
    };
    let storage = party(&dir, "storage");
    let store = dir.join("migrated.db");
    let a = Agent {
        dir: dir.clone(),
        agent: p("agent"),
        storage,
        store: store.clone(),
    };

    // Whole keys and no --storage-cert: refused, and no store file left behind.
    let out = output_of(
        kmi()
            .args(["cmc", "store", "migrate"])
            .arg(fx("store"))
            .arg("--store")
            .arg(&store),
    );
    let line = one_line_error(&out, out.status.code().unwrap_or(-1));
    assert!(out.status.code() != Some(0));
    assert!(line.contains("storage"), "{line}");
    for s in ["", "-wal", "-shm"] {
        assert!(!sidecar(&store, s).exists(), "migrate left {s:?} behind");
    }
    let leftovers: Vec<String> = w
        .files()
        .into_iter()
        .filter(|f| f.contains("migrated"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let out = kmi_ok(&[
        os("cmc"),
        os("store"),
        os("migrate"),
        fx("store").as_os_str(),
        os("--store"),
        store.as_os_str(),
        os("--storage-cert"),
        a.storage.crt.as_os_str(),
        os("--json"),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("migrate --json");
    assert_eq!(v["migrated"]["sealed"], 3, "{v:#}");
    assert_eq!(v["migrated"]["split"], 1, "{v:#}");
    assert_eq!(v["migrated"]["already_held"], 0, "{v:#}");
    let head = v["migrated"]["head"].as_str().unwrap().to_string();
    let r = verify_ok(
        &store,
        &[
            os("--head"),
            os(&head),
            os("--storage-key"),
            a.storage.key.as_os_str(),
        ],
    );
    assert_eq!(r["entries"], 4, "{r:#}");
    assert_eq!(r["keys_opened"], 3, "{r:#}");

    // The entries keep identity, selection and how they are held.
    let fp = |n: &str| fingerprint(&fx(&format!("{n}.pem")));
    let entries = list(&store);
    let expect = [
        ("alice-rsa", "alice", None, "sealed"),
        ("alice-eg", "alice", Some("laptop"), "sealed"),
        ("bob-rsa", "bob", None, "sealed"),
        ("carol-eg", "carol", None, "split"),
    ];
    assert_eq!(entries.len(), expect.len());
    for (key, id, sel, held) in expect {
        let e = entries
            .get(&fp(key))
            .unwrap_or_else(|| panic!("{key} not migrated: {entries:#?}"));
        assert_eq!(e["identity"], id, "{e:#}");
        assert_eq!(e["selection"].as_str(), sel, "{e:#}");
        if held == "sealed" {
            assert_eq!(e["held"], "sealed", "{e:#}");
        } else {
            assert_eq!(e["held"]["threshold"], 2, "{e:#}");
            assert_eq!(e["held"]["total"], 3, "{e:#}");
        }
    }

    // Every key recovers with its fingerprint.
    let alice = recover(&a, "alice", &p("alice"), None, &[], "alice");
    assert_eq!(alice, BTreeSet::from([fp("alice-rsa"), fp("alice-eg")]));
    let laptop = recover(&a, "alice", &p("alice"), Some("laptop"), &[], "laptop");
    assert_eq!(laptop, BTreeSet::from([fp("alice-eg")]));
    let bob = recover(&a, "bob", &p("bob"), None, &[], "bob");
    assert_eq!(bob, BTreeSet::from([fp("bob-rsa")]));
    let t1 = fx("trustee1.key");
    let t3 = fx("trustee3.key");
    let carol = recover(
        &a,
        "carol",
        &p("carol"),
        None,
        &[
            os("--share-key"),
            t1.as_os_str(),
            os("--share-key"),
            t3.as_os_str(),
        ],
        "carol",
    );
    assert_eq!(carol, BTreeSet::from([fp("carol-eg")]));
    // One trustee is not enough.
    let shroud = party(&dir, "one-shroud");
    let req = dir.join("one.req");
    recovery_request("carol", &p("carol"), &shroud, None, &req);
    let out = respond_cmd(
        &a,
        &req,
        &dir.join("one.rsp"),
        &[
            os("--storage-key"),
            a.storage.key.as_os_str(),
            os("--share-key"),
            t1.as_os_str(),
        ],
    )
    .output()
    .unwrap();
    assert!(
        !out.status.success(),
        "one trustee of two recovered the split key"
    );

    // A second migration finds everything held, and the store still verifies.
    let out = kmi_ok(&[
        os("cmc"),
        os("store"),
        os("migrate"),
        fx("store").as_os_str(),
        os("--store"),
        store.as_os_str(),
        os("--storage-cert"),
        a.storage.crt.as_os_str(),
        os("--json"),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("migrate --json");
    assert_eq!(v["migrated"]["already_held"], 4, "{v:#}");
    let r = verify_whole(&a);
    assert_eq!(r["keys_opened"], 3, "{r:#}");
}

// ------------------------------------------------------------------------------------------------
// 6. No key material in the file

/// The ways a secret number could be spelled in a file or a dump: big-endian bytes, hex in
/// either case, decimal, and base64 of the bytes at each of the three alignments.
fn spellings(n: &num_bigint::BigUint) -> Vec<Vec<u8>> {
    let b = n.to_bytes_be();
    let mut out = vec![
        b.clone(),
        hex::encode(&b).into_bytes(),
        hex::encode_upper(&b).into_bytes(),
        n.to_string().into_bytes(),
    ];
    for skip in 0..3 {
        let tail = &b[skip..];
        let whole = tail.len() / 3 * 3;
        out.push(base64(&tail[..whole]).into_bytes());
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let v = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(v >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_prime_or_private_exponent_of_an_archived_key_is_in_the_store_file() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let alice = party(&a.dir, "alice");
    let keys = [
        rsa_key(&a.dir, "rsa1024.pem", 1024),
        rsa_key(&a.dir, "rsa512.pem", 512),
        rsa_key(&a.dir, "rsa2048.pem", 2048),
        elgamal_key(&a.dir, "elgamal.pem"),
    ];
    let mut secrets: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let req = a.dir.join(format!("k{i}.req"));
        archive_request(&a, key, "alice", &alice, None, &req);
        respond_ok(&a, &req, &a.dir.join(format!("k{i}.rsp")), &[]);
        let nums = openssl_key_numbers(key, &[]);
        let names: &[&str] = if nums.contains_key("private-key") {
            &["private-key"]
        } else {
            &[
                "prime1",
                "prime2",
                "privateExponent",
                "exponent1",
                "exponent2",
                "coefficient",
            ]
        };
        for name in names {
            let n = nums
                .get(*name)
                .unwrap_or_else(|| panic!("openssl shows no {name} for {}", key.display()));
            secrets.push((format!("{name} of {}", key.display()), spellings(n)));
        }
        // The PKCS#8 itself, as DER and as the Base64 body of its PEM.
        let der = ossl(
            &a.dir,
            &[
                os("pkey"),
                os("-in"),
                key.as_os_str(),
                os("-outform"),
                os("DER"),
            ],
        );
        secrets.push((
            format!("PKCS#8 of {}", key.display()),
            vec![der[..64].to_vec(), base64(&der[..63]).into_bytes()],
        ));
    }
    let v = verify_whole(&a);
    assert_eq!(v["keys_opened"], keys.len() as u64);

    let mut files = vec![a.store.clone()];
    for s in ["-wal", "-shm"] {
        if sidecar(&a.store, s).exists() {
            files.push(sidecar(&a.store, s));
        }
    }
    let mut dumps: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read(f).unwrap()))
        .collect();
    // The store as SQL text: the sqlite3 shell when it is here, else Python's iterdump.
    let sqlite3 = StdCommand::new("sqlite3")
        .arg(&a.store)
        .arg(".dump")
        .output();
    match sqlite3 {
        Ok(out) if out.status.success() => {
            assert!(out.stdout.len() > 1000, "a dump of the store");
            dumps.push(("sqlite3 .dump".into(), out.stdout));
        }
        _ => eprintln!("sqlite3 shell not found: the dump is python's iterdump only"),
    }
    if has_peer("python3") {
        let out = StdCommand::new("python3")
            .args([
                "-c",
                "import sqlite3, sys\nfor l in sqlite3.connect(sys.argv[1]).iterdump(): print(l)",
            ])
            .arg(&a.store)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dumps.push(("python iterdump".into(), out.stdout));
    }
    assert!(
        dumps.len() >= 2,
        "the file and at least one dump are searched"
    );
    for (what, bytes) in &dumps {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("PRIVATE KEY"),
            "{what} holds a PEM private key"
        );
        for (name, forms) in &secrets {
            for f in forms {
                assert!(!contains(bytes, f), "{what} holds {name}");
            }
        }
    }
    eprintln!(
        "searched {} for {} numbers in {} spellings each",
        dumps
            .iter()
            .map(|d| d.0.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        secrets.len(),
        secrets[0].1.len()
    );
}

// ------------------------------------------------------------------------------------------------
// 7. The decision history: re-chained by a peer, and edits found

/// Python 3 (hashlib, json) re-chains `export-audit`'s lines: each line's "prev" is the SHA-256
/// of the line before (64 zeros for the first) and "seq" counts from 1; prints the last line's
/// SHA-256 and the number of lines.
const RECHAIN: &str = r#"
import hashlib, json, sys
prev = "0" * 64
n = 0
for raw in open(sys.argv[1], "rb").read().split(b"\n"):
    if not raw:
        continue
    n += 1
    line = json.loads(raw)
    assert line["prev"] == prev, (n, line["prev"], prev)
    assert line["seq"] == n, (n, line["seq"])
    prev = hashlib.sha256(raw).hexdigest()
print(prev, n)
"#;

/// Run python3 on `script` with `args`; stdout, asserting success.
fn python3(script: &str, args: &[&OsStr]) -> String {
    let out = StdCommand::new(peer_program("python3"))
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Edit a copy of the store with Python's sqlite3 module (`sql` run as a script).
fn tampered(a: &Agent, name: &str, sql: &str) -> PathBuf {
    let copy = a.dir.join(format!("{name}.db"));
    std::fs::copy(&a.store, &copy).unwrap();
    python3(
        "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()\nc.close()",
        &[copy.as_os_str(), os(sql)],
    );
    copy
}

/// `store verify` of a tampered store: exit 1 and one line containing each of `words`.
fn verify_finds(store: &Path, extra: &[&OsStr], words: &[&str]) -> String {
    let out = output_of(
        kmi()
            .args(["cmc", "store", "verify"])
            .arg(store)
            .args(extra),
    );
    let line = one_line_error(&out, 1);
    for w in words {
        assert!(line.contains(w), "{line} (want {w:?})");
    }
    line
}

#[test]
fn export_audit_rechains_in_python_and_verify_finds_every_edit() {
    if !require_peers(&["openssl", "python3"]) {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let alice = party(&a.dir, "alice");
    let mut fps = Vec::new();
    for i in 0..3 {
        let key = rsa_key(&a.dir, &format!("k{i}.pem"), 512);
        let req = a.dir.join(format!("k{i}.req"));
        archive_request(&a, &key, "alice", &alice, Some(&format!("s{i}")), &req);
        respond_ok(&a, &req, &a.dir.join(format!("k{i}.rsp")), &[]);
        fps.push(fingerprint(&key));
    }
    // A recovery, so the history ends with a decision that filed nothing.
    recover(&a, "alice", &alice, Some("s1"), &[], "rec");
    let audit = a.dir.join("audit.jsonl");
    kmi_ok(&[
        os("cmc"),
        os("store"),
        os("export-audit"),
        a.store.as_os_str(),
        os("-o"),
        audit.as_os_str(),
    ]);
    let said = python3(RECHAIN, &[audit.as_os_str()]);
    let (py_head, lines) = said.trim().split_once(' ').unwrap();
    assert_eq!(lines, "5", "created, three archives, one recovery");
    let v = verify_ok(&a.store, &[]);
    assert_eq!(
        v["head"], py_head,
        "python's chain ends where store verify's does"
    );
    assert_eq!(v["decisions"], 5);
    // export-audit to stdout is the same bytes.
    let out = kmi_ok(&[
        os("cmc"),
        os("store"),
        os("export-audit"),
        a.store.as_os_str(),
    ]);
    assert_eq!(out.stdout, std::fs::read(&audit).unwrap());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("PRIVATE"));

    let short = |fp: &str| fp[..16].to_string();
    // An entry's identity changed.
    let db = tampered(
        &a,
        "identity",
        &format!(
            "DROP TRIGGER keys_are_not_edited; UPDATE keys SET identity = 'mallory' WHERE fingerprint = '{}';",
            fps[1]
        ),
    );
    verify_finds(&db, &[], &[&short(&fps[1]), "edited"]);
    // A sealed key swapped for another entry's.
    let db = tampered(
        &a,
        "swap",
        &format!(
            "DROP TRIGGER keys_are_not_edited; UPDATE keys SET sealed_key = (SELECT sealed_key FROM keys WHERE fingerprint = '{}') WHERE fingerprint = '{}';",
            fps[0], fps[2]
        ),
    );
    verify_finds(&db, &[], &[&short(&fps[2]), "edited"]);
    // An entry removed.
    let db = tampered(
        &a,
        "removed",
        &format!(
            "DROP TRIGGER keys_are_kept; DELETE FROM keys WHERE fingerprint = '{}';",
            fps[0]
        ),
    );
    verify_finds(&db, &[], &[&short(&fps[0]), "removed"]);
    // An entry added (a copy of one under a made-up fingerprint).
    let fake = "ab".repeat(32);
    let db = tampered(
        &a,
        "added",
        &format!(
            "INSERT INTO keys SELECT '{fake}', algorithm, bits, 'mallory', selection, subject, archived, source, \
             signer_spki, signer_fingerprint, proved_identity, certificate_id, sealed_key, \
             split_threshold, split_total, set_id, set_pem, decision_seq FROM keys WHERE fingerprint = '{}';",
            fps[0]
        ),
    );
    verify_finds(&db, &[], &[&short(&fake), "added"]);
    // A decision deleted from the middle.
    let db = tampered(
        &a,
        "decision",
        "DROP TRIGGER decisions_are_kept; DELETE FROM decisions WHERE seq = 3;",
    );
    verify_finds(&db, &[], &["decision 3", "deleted"]);
    // A decision's line edited (its recorded hash left as it was).
    let db = tampered(
        &a,
        "line",
        "DROP TRIGGER decisions_are_append_only; UPDATE decisions SET line = replace(line, '\"respond\"', '\"respond \"') WHERE seq = 2;",
    );
    verify_finds(&db, &[], &["decision", "edited"]);
    // The last decision (the recovery, which filed nothing) cut off: only the head finds it.
    let db = tampered(
        &a,
        "cut",
        "DROP TRIGGER decisions_are_kept; DELETE FROM decisions WHERE seq = 5;",
    );
    let v = verify_ok(&db, &[]);
    assert_eq!(v["decisions"], 4);
    verify_finds(&db, &[os("--head"), os(py_head)], &["cut"]);
    // The untouched store passes with its head.
    verify_ok(&a.store, &[os("--head"), os(py_head)]);
}

// ------------------------------------------------------------------------------------------------
// 2b. An agent kept waiting past the busy wait fails cleanly

/// Python's sqlite3 module holding the store's write lock (`BEGIN IMMEDIATE`) until its stdin
/// closes.
const HOLD_LOCK: &str = r#"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
c.execute("ROLLBACK")
"#;

#[test]
fn an_agent_kept_waiting_past_the_busy_wait_fails_cleanly_and_changes_nothing() {
    if !require_peers(&["openssl", "python3"]) {
        return;
    }
    use std::io::BufRead;
    let w = Work::new();
    let a = agent(&w);
    let alice = party(&a.dir, "alice");
    let key = rsa_key(&a.dir, "k.pem", 512);
    let req = a.dir.join("k.req");
    archive_request(&a, &key, "alice", &alice, None, &req);
    let before = verify_ok(&a.store, &[]);

    let mut holder = StdCommand::new(peer_program("python3"))
        .arg("-c")
        .arg(HOLD_LOCK)
        .arg(&a.store)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut said = String::new();
    std::io::BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut said)
        .unwrap();
    assert_eq!(said.trim(), "locked");

    // Readers are not blocked by a writer.
    let during = verify_ok(&a.store, &[]);
    assert_eq!(during["head"], before["head"]);

    let rsp = a.dir.join("k.rsp");
    let start = Instant::now();
    let out = respond_cmd(&a, &req, &rsp, &[]).output().unwrap();
    let waited = start.elapsed();
    drop(holder.stdin.take());
    assert!(holder.wait().unwrap().success());
    assert!(!out.status.success(), "the agent got a store another held");
    let line = one_line_error(&out, out.status.code().unwrap());
    eprintln!("after {:.1} s: {line}", waited.as_secs_f64());
    assert!(line.contains("in use"), "{line}");
    assert!(
        waited >= Duration::from_secs(25),
        "it waited first: {waited:?}"
    );
    assert!(
        !rsp.exists(),
        "no response from an agent that did not answer"
    );
    let after = verify_ok(&a.store, &[]);
    assert_eq!(after["head"], before["head"], "nothing was recorded");
    assert_eq!(after["entries"], 0);

    // Once the lock is gone, the same request is answered.
    let (v, head) = respond_ok(&a, &req, &rsp, &[]);
    assert_eq!(
        reported_keys(&v),
        vec![(fingerprint(&key), "stored".into())]
    );
    verify_ok(&a.store, &[os("--head"), os(&head)]);
}

// ------------------------------------------------------------------------------------------------
// 3b. `store init` on a full disk

/// `kmi ARGS` in `dir` with RLIMIT_FSIZE `limit` (SIGXFSZ ignored).
fn kmi_with_fsize(dir: &Path, args: &[&OsStr], limit: u64) -> Output {
    let mut cmd = StdCommand::new(kmi_path());
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    use std::os::unix::process::CommandExt;
    // SAFETY: signal and setrlimit in the child between fork and exec touch no Rust state.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    cmd.output().unwrap()
}

#[test]
fn store_init_on_a_full_disk_leaves_no_file() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let storage = party(w.dir.path(), "storage");
    let (mut failed, mut made) = (0, 0);
    for (i, limit) in (0..=64 * 1024u64).step_by(2039).enumerate() {
        let sub = w.path(&format!("d{i}"));
        std::fs::create_dir(&sub).unwrap();
        let out = kmi_with_fsize(
            &sub,
            &[
                os("cmc"),
                os("store"),
                os("init"),
                os("escrow.db"),
                os("--storage-cert"),
                storage.crt.as_os_str(),
            ],
            limit,
        );
        let left: Vec<String> = std::fs::read_dir(&sub)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        if out.status.success() {
            made += 1;
            assert!(left.contains(&"escrow.db".to_string()), "{left:?}");
            assert!(
                left.iter().all(|f| f.starts_with("escrow.db")),
                "limit {limit}: a temporary file left: {left:?}"
            );
            let v = verify_ok(&sub.join("escrow.db"), &[]);
            assert_eq!(v["decisions"], 1);
        } else {
            failed += 1;
            let line = one_line_error(&out, out.status.code().unwrap());
            assert!(
                left.is_empty(),
                "limit {limit}: init failed ({line}) and left {left:?}"
            );
        }
    }
    eprintln!("store init under RLIMIT_FSIZE: {failed} failed cleanly, {made} made the store");
    assert!(failed > 0 && made > 0);
}

// ------------------------------------------------------------------------------------------------
// 5b. SIGKILL in the middle of a migration

#[test]
fn sigkill_mid_migration_leaves_all_entries_or_none() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let dir = w.dir.path().to_path_buf();
    copy_dir(&testdata("dirstore-0.1"), &dir);
    let storage = party(&dir, "storage");
    let migrate = |store: &Path| {
        let mut cmd = StdCommand::new(kmi_path());
        cmd.args(["cmc", "store", "migrate"])
            .arg(dir.join("store"))
            .arg("--store")
            .arg(store)
            .arg("--storage-cert")
            .arg(&storage.crt)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    };
    let start = Instant::now();
    assert!(migrate(&dir.join("probe.db")).status().unwrap().success());
    let one = start.elapsed();
    let span = (one.as_micros() as u64 * 3 / 2).max(20_000);
    const KILLS: u64 = 40;
    let (mut killed, mut whole, mut empty, mut none) = (0, 0, 0, 0);
    let mut temporaries = 0;
    for round in 0..KILLS {
        let sub = dir.join(format!("r{round}"));
        std::fs::create_dir(&sub).unwrap();
        let store = sub.join("m.db");
        let mut child = migrate(&store).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(span * round / KILLS));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(libc::SIGKILL) {
            killed += 1;
        } else {
            assert!(status.success(), "round {round}: {status:?}");
        }
        temporaries += std::fs::read_dir(&sub)
            .unwrap()
            .filter(|e| {
                let e = e.as_ref().unwrap().file_name();
                e.to_string_lossy().ends_with(".tmp")
            })
            .count();
        if !store.exists() {
            none += 1;
        } else {
            let v = verify_ok(&store, &[]);
            match v["entries"].as_u64() {
                Some(4) => whole += 1,
                Some(0) => empty += 1,
                n => panic!("round {round}: a migration killed half way left {n:?} entries"),
            }
        }
        // A retry finishes the job.
        assert!(
            migrate(&store).status().unwrap().success(),
            "round {round}: retry"
        );
        let v = verify_ok(&store, &[]);
        assert_eq!(v["entries"], 4, "round {round}");
    }
    eprintln!(
        "migration takes {:.1} ms; {killed} kills landed: afterwards {none} without a store, \
         {empty} with an empty one, {whole} whole; {temporaries} temporary files left",
        one.as_secs_f64() * 1000.0
    );
    assert!(killed > 0);
}

// ------------------------------------------------------------------------------------------------
// 5c. A migration on a full disk

#[test]
fn a_migration_on_a_full_disk_imports_all_entries_or_none() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let dir = w.dir.path().to_path_buf();
    copy_dir(&testdata("dirstore-0.1"), &dir);
    let storage = party(&dir, "storage");
    let migrate_args = |store: &Path| -> Vec<std::ffi::OsString> {
        vec![
            "cmc".into(),
            "store".into(),
            "migrate".into(),
            dir.join("store").into_os_string(),
            "--store".into(),
            store.as_os_str().to_os_string(),
            "--storage-cert".into(),
            storage.crt.as_os_str().to_os_string(),
        ]
    };
    let (mut failed, mut made) = (0, 0);
    for (i, limit) in (0..=96 * 1024u64).step_by(3067).enumerate() {
        // Into a new store (which a failed run removes again) and into an existing, empty one
        // (which a failed run leaves as it was).
        for existing in [false, true] {
            let sub = dir.join(format!("d{i}-{existing}"));
            std::fs::create_dir(&sub).unwrap();
            let store = sub.join("m.db");
            if existing {
                kmi_ok(&[
                    os("cmc"),
                    os("store"),
                    os("init"),
                    store.as_os_str(),
                    os("--storage-cert"),
                    storage.crt.as_os_str(),
                ]);
            }
            let args = migrate_args(&store);
            let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            let out = kmi_with_fsize(&sub, &args, limit);
            if out.status.success() {
                made += 1;
                let v = verify_ok(&store, &[]);
                assert_eq!(v["entries"], 4, "limit {limit}: {v:#}");
            } else {
                failed += 1;
                let line = one_line_error(&out, out.status.code().expect("exited"));
                if existing {
                    let v = verify_ok(&store, &[]);
                    assert_eq!(v["entries"], 0, "limit {limit}: {line}: {v:#}");
                    assert_eq!(v["decisions"], 1, "limit {limit}: {line}: {v:#}");
                } else {
                    let left: Vec<String> = std::fs::read_dir(&sub)
                        .unwrap()
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect();
                    assert!(
                        left.is_empty(),
                        "limit {limit}: migrate failed ({line}) and left {left:?}"
                    );
                }
            }
        }
    }
    eprintln!(
        "migrate under RLIMIT_FSIZE: {failed} failed and changed nothing, {made} imported all"
    );
    assert!(failed > 0 && made > 0);
}

// ------------------------------------------------------------------------------------------------
// The agent's setup: a whole key to file without --storage-cert, or to recover without
// --storage-key, is the agent's mistake (`cmc respond --help`: "writes no response and exits 2")

#[test]
fn a_whole_key_without_the_storage_key_is_the_agents_mistake_exit_2_and_no_response() {
    if require_peer("openssl").is_none() {
        return;
    }
    let w = Work::new();
    let a = agent(&w);
    let alice = party(&a.dir, "alice");
    let key = rsa_key(&a.dir, "k.pem", 512);
    let req = a.dir.join("k.req");
    archive_request(&a, &key, "alice", &alice, None, &req);
    let fp = fingerprint(&key);

    // Recovery without --storage-key: exit 2, no response.
    let (_, _) = respond_ok(&a, &req, &a.dir.join("k.rsp"), &[]);
    let shroud = party(&a.dir, "shroud");
    let rec = a.dir.join("r.req");
    recovery_request("alice", &alice, &shroud, None, &rec);
    let rsp = a.dir.join("r.rsp");
    let out = output_of(
        kmi()
            .args(["cmc", "respond", "--der", "--agent-key"])
            .arg(&a.agent.key)
            .arg("--agent-cert")
            .arg(&a.agent.crt)
            .arg("--store")
            .arg(&a.store)
            .arg("-o")
            .arg(&rsp)
            .arg(&rec),
    );
    let line = one_line_error(&out, 2);
    assert!(line.contains("--storage-key"), "{line}");
    assert!(!rsp.exists(), "{line}");

    // Archive without --storage-cert, into a store with a storage key and into a split-only
    // store: the same contract.
    let split_only = a.dir.join("split-only.db");
    kmi_ok(&[os("cmc"), os("store"), os("init"), split_only.as_os_str()]);
    let key2 = rsa_key(&a.dir, "k2.pem", 512);
    let req2 = a.dir.join("k2.req");
    archive_request(&a, &key2, "alice", &alice, None, &req2);
    let fp2 = fingerprint(&key2);
    let mut wrong = Vec::new();
    for store in [&a.store, &split_only] {
        let before = verify_ok(store, &[]);
        let rsp = a.dir.join("k2.rsp");
        let out = output_of(
            kmi()
                .args(["cmc", "respond", "--der", "--agent-key"])
                .arg(&a.agent.key)
                .arg("--agent-cert")
                .arg(&a.agent.crt)
                .arg("--store")
                .arg(store)
                .arg("-o")
                .arg(&rsp)
                .arg(&req2),
        );
        let listed = list(store);
        assert!(!listed.contains_key(&fp2), "filed without a storage key");
        assert!(listed.len() <= 1 && listed.keys().all(|k| *k == fp));
        let after = verify_ok(store, &[]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.code() != Some(2) || rsp.exists() {
            wrong.push(format!(
                "{}: exit {:?}, response written: {}, decisions {} -> {}: {}",
                store.file_name().unwrap().to_string_lossy(),
                out.status.code(),
                rsp.exists(),
                before["decisions"],
                after["decisions"],
                err.trim()
            ));
        }
        let _ = std::fs::remove_file(&rsp);
    }
    assert!(
        wrong.is_empty(),
        "a whole key to file without --storage-cert must exit 2 with no response \
         (cmc respond --help), but:\n{}",
        wrong.join("\n")
    );
}
