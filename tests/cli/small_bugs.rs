//! Small gaps from issue 15: `log verify -` reads standard input, `-o /dev/null` is an output
//! (not a file that "already exists"), `cmc parse` shows selectionCriteria as the text the user
//! typed, and `kmi --help` / `kmi key --help` promise nothing that is not there.

use crate::common::*;

#[test]
fn log_verify_reads_standard_input() {
    let record = std::fs::read(testdata("cli/ceremony.log")).unwrap();
    let from_file = stdout_of(
        kmi()
            .args(["log", "verify"])
            .arg(testdata("cli/ceremony.log")),
    );
    let from_stdin = stdout_of(kmi().args(["log", "verify", "-"]).write_stdin(record));
    assert_eq!(from_stdin, from_file);
    assert!(
        from_stdin.contains("entries, unbroken; head"),
        "{from_stdin}"
    );
    // A broken record on stdin is named as <stdin>.
    let tampered = std::fs::read(testdata("cli/ceremony-tampered.log")).unwrap();
    let out = output_of(kmi().args(["log", "verify", "-"]).write_stdin(tampered));
    let line = one_line_error(&out, 1);
    assert!(line.starts_with("kmi: <stdin>: line "), "{line}");
}

#[test]
fn dev_null_is_accepted_as_an_output() {
    let out = output_of(
        kmi()
            .args(["key", "public", "-o", "/dev/null"])
            .arg(testdata("cli/key.pem")),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let out = output_of(kmi().args([
        "key",
        "generate",
        "rsa",
        "--bits",
        "512",
        "--no-safe",
        "--seed",
        "01",
        "-o",
        "/dev/null",
    ]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An ordinary file that exists is still refused.
    let w = Work::new();
    let existing = w.write("pub.pem", "x");
    let out = output_of(
        kmi()
            .args(["key", "public", "-o"])
            .arg(&existing)
            .arg(testdata("cli/key.pem")),
    );
    assert!(one_line_error(&out, 3).contains("already exists"));
}

#[test]
fn cmc_parse_shows_selection_criteria_as_typed() {
    let w = Work::new();
    let req = w.path("archive.req");
    let out = output_of(
        kmi()
            .current_dir(testdata("cli"))
            .args([
                "cmc",
                "archive-request",
                "--der",
                "--key",
                "enc.pem",
                "--agent",
                "agent.crt",
                "--identity",
                "alice",
                "--placement",
                "body",
                "--selection",
                "laptop-2024",
                "--sign-key",
                "sign.pem",
                "--sign-cert",
                "sign.crt",
                "-o",
            ])
            .arg(&req)
            .write_stdin(Vec::<u8>::new()),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout_of(
        kmi()
            .args(["cmc", "parse", "--cert"])
            .arg(testdata("cli/sign.crt"))
            .arg(&req),
    );
    assert!(text.contains("selectionCriteria \"laptop-2024\""), "{text}");
    // The JSON model keeps the octets in hex, and gives the text beside them.
    let json = stdout_of(
        kmi()
            .args(["cmc", "parse", "--json", "--cert"])
            .arg(testdata("cli/sign.crt"))
            .arg(&req),
    );
    assert!(json.contains(&hex::encode("laptop-2024")), "{json}");
    assert!(
        json.contains("\"selection_criteria_text\": \"laptop-2024\""),
        "{json}"
    );
}

#[test]
fn top_level_and_key_help_promise_only_what_exists() {
    let top = stdout_of(kmi().arg("--help"));
    assert!(!top.contains("in later releases"), "{top}");
    let key = stdout_of(kmi().args(["key", "--help"]));
    assert!(!key.to_lowercase().contains("convert"), "{key}");
    let man = std::fs::read_to_string(testdata("../man/kmi.1")).unwrap();
    assert!(!man.contains("in later releases"));
    let man = std::fs::read_to_string(testdata("../man/kmi-key.1")).unwrap();
    assert!(!man.contains("convert"));
}
