//! The ceremony record through the binary: every share command appends a line (failures too),
//! prints the head, and `kmi log verify` finds edits and, given the head, a cut tail.

use crate::common::{kmi, Work};

fn head_from(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| l.contains(" head "))
        .expect("a head line on stderr");
    line.rsplit(' ').next().unwrap().to_string()
}

#[test]
fn share_commands_append_a_chain_that_log_verify_checks() {
    let w = Work::new();
    let key = w.path("key.pem");
    let log = w.path("ceremony.log");
    kmi()
        .args([
            "-q",
            "key",
            "generate",
            "elgamal",
            "--group",
            "ffdhe2048",
            "-o",
        ])
        .arg(&key)
        .assert()
        .success();
    kmi()
        .args(["share", "split", "-k", "2", "-n", "3", "--plain", "-o"])
        .arg(w.path("s"))
        .arg(&key)
        .arg("--log")
        .arg(&log)
        .assert()
        .success();
    kmi()
        .args(["share", "verify", "--set"])
        .arg(w.path("s/set.pem"))
        .arg(w.path("s/share-1.pem"))
        .arg("--log")
        .arg(&log)
        .assert()
        .success();
    // A failed recovery leaves a record too.
    let failed = kmi()
        .args(["share", "reconstruct", "--set"])
        .arg(w.path("s/set.pem"))
        .arg(w.path("s/share-1.pem"))
        .arg("-o")
        .arg(w.path("rebuilt.pem"))
        .arg("--log")
        .arg(&log)
        .assert()
        .code(1);
    let head = head_from(&failed.get_output().stderr);

    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("\"outcome\":\"failed:"),
        "{text}"
    );
    kmi()
        .args(["log", "verify"])
        .arg(&log)
        .arg("--head")
        .arg(&head)
        .assert()
        .success();

    // Edit a line: the chain breaks.
    std::fs::write(&log, text.replacen("share verify", "share VERIFY", 1)).unwrap();
    kmi().args(["log", "verify"]).arg(&log).assert().code(1);
    // Cut the tail: the chain holds, the head does not.
    let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&log, cut).unwrap();
    kmi().args(["log", "verify"]).arg(&log).assert().success();
    kmi()
        .args(["log", "verify"])
        .arg(&log)
        .arg("--head")
        .arg(&head)
        .assert()
        .code(1);
}
