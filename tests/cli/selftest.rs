//! `kmi selftest`: every known-answer test passes and is listed, in text and in JSON.

use serde_json::Value;

use crate::common::*;

/// Primitives the issue requires a known-answer test for (matched case-insensitively against the
/// test names, so names may be reworded).
const REQUIRED: [&str; 15] = [
    "sha-256",
    "sha-1",
    "sha-512",
    "modular exponentiation",
    "miller-rabin",
    "carmichael",
    "rsa",
    "oaep",
    "aes",
    "gcm",
    "key wrap",
    "pbkdf2",
    "prim",
    "shoup",
    "feldman",
];

#[test]
fn selftest_passes_and_lists_every_test() {
    let out = kmi()
        .arg("selftest")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let tests: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("ok") || l.starts_with("FAIL"))
        .collect();
    assert!(
        tests.len() >= REQUIRED.len(),
        "too few tests listed:\n{text}"
    );
    assert!(
        tests.iter().all(|l| l.starts_with("ok")),
        "a test failed:\n{text}"
    );
    for want in REQUIRED {
        assert!(
            tests.iter().any(|l| l.to_lowercase().contains(want)),
            "no known-answer test for {want}:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l == format!("all {} known-answer tests passed", tests.len())),
        "summary line missing or miscounted:\n{text}"
    );
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
}

#[test]
fn selftest_json_parses_and_passes() {
    let text = stdout_of(kmi().args(["selftest", "--json"]));
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("selftest --json is not JSON ({e}):\n{text}"));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["version"], 1, "{v}");
    let tests = v["tests"].as_array().expect("tests array");
    assert!(
        tests
            .iter()
            .all(|t| t["passed"] == true && t["name"].is_string()),
        "{v}"
    );
    // The same tests as the text listing, in the same order.
    let listed = stdout_of(kmi().arg("selftest"));
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.strip_prefix("ok  ").map(str::trim))
        .collect();
    let json_names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, json_names);
}
