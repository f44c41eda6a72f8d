//! Ambiguous zip layouts of a signed policy JAR (issue 10, item 5). kmi 0.1 verified a JAR with
//! an unsigned `ccm.txt` before the signed one (the zip crate's index keeps one entry per name)
//! while `unzip -p` and Java's JarInputStream, which a consumer may use, read the unsigned one.
//! Each JAR is made from a kmi-signed one by scripts/evil_jars.py (Python's zipfile writes
//! duplicate names); the peers show what a reader would take, and kmi must refuse with exit 1.

use crate::common::*;

fn ossl(w: &Work, args: &[&str]) {
    let out = output_of(openssl().current_dir(w.dir.path()).args(args));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed code-signing certificate (trusted directly) and policy.jar signed with it.
fn signed_jar() -> Work {
    let w = Work::new();
    ossl(
        &w,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.pem",
            "-subj",
            "/CN=jar layout signer",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "keyUsage=critical,digitalSignature",
            "-addext",
            "extendedKeyUsage=codeSigning",
        ],
    );
    kmi()
        .current_dir(w.dir.path())
        .args(["ccm", "template", "--export", "-o", "policy.txt"])
        .assert()
        .success();
    kmi()
        .current_dir(w.dir.path())
        .args([
            "--quiet",
            "ccm",
            "sign",
            "policy.txt",
            "--key",
            "signer.key",
            "--cert",
            "signer.pem",
            "-o",
            "policy.jar",
        ])
        .assert()
        .success();
    w.write("unsigned.txt", b"# UNSIGNED policy slipped in\n");
    w
}

fn evil(w: &Work, kind: &str) -> String {
    let out_name = format!("{kind}.jar");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/evil_jars.py");
    let out = output_of(
        assert_cmd::Command::new(peer_program("python3"))
            .current_dir(w.dir.path())
            .arg(script)
            .args([kind, "policy.jar", &out_name, "unsigned.txt"]),
    );
    assert!(
        out.status.success(),
        "evil_jars.py {kind}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out_name
}

fn kmi_verify(w: &Work, jar: &str) -> std::process::Output {
    output_of(
        kmi()
            .current_dir(w.dir.path())
            .args(["ccm", "verify", jar, "--trust", "signer.pem"]),
    )
}

/// What `java.util.jar.JarInputStream` (a streaming reader) reads as ccm.txt.
fn jar_input_stream(w: &Work, jar: &str) -> Vec<u8> {
    w.write(
        "Peek.java",
        "import java.util.jar.*; import java.io.*;\n\
         public class Peek { public static void main(String[] a) throws Exception {\n\
           try (JarInputStream in = new JarInputStream(new FileInputStream(a[0]))) {\n\
             JarEntry e; while ((e = in.getNextJarEntry()) != null) {\n\
               if (e.getName().equals(\"ccm.txt\")) { System.out.write(in.readAllBytes()); System.out.flush(); return; } } }\n\
           System.exit(3); } }\n",
    );
    let out = output_of(
        assert_cmd::Command::new(peer_program("java"))
            .current_dir(w.dir.path())
            .args(["Peek.java", jar]),
    );
    assert!(
        out.status.success(),
        "java Peek {jar}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What `unzip -p JAR ccm.txt` prints.
fn unzip_p(w: &Work, jar: &str) -> Vec<u8> {
    output_of(
        assert_cmd::Command::new(peer_program("unzip"))
            .current_dir(w.dir.path())
            .args(["-p", jar, "ccm.txt"]),
    )
    .stdout
}

#[test]
fn duplicate_and_hidden_entries_are_refused() {
    if !require_peers(&["openssl", "python3", "java", "unzip"]) {
        return;
    }
    let w = signed_jar();
    let unsigned = w.read("unsigned.txt");
    let out = kmi_verify(&w, "policy.jar");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(jar_input_stream(&w, "policy.jar"), out.stdout);

    // The unsigned ccm.txt first: unzip -p prints it first, JarInputStream reads it.
    let jar = evil(&w, "dup-first");
    let shown = unzip_p(&w, &jar);
    assert!(shown.starts_with(&unsigned), "unzip -p: {shown:?}");
    assert_eq!(jar_input_stream(&w, &jar), unsigned);
    let err = one_line_error(&kmi_verify(&w, &jar), 1);
    assert!(err.contains("ccm.txt appears twice"), "{err}");

    // The unsigned ccm.txt last: a reader that keeps the last copy takes it.
    let jar = evil(&w, "dup-last");
    assert!(unzip_p(&w, &jar).ends_with(&unsigned));
    let err = one_line_error(&kmi_verify(&w, &jar), 1);
    assert!(err.contains("ccm.txt appears twice"), "{err}");

    // A local entry the central directory does not list: JarInputStream reads it, unzip (by the
    // central directory) does not.
    let jar = evil(&w, "hidden");
    assert_eq!(jar_input_stream(&w, &jar), unsigned);
    assert!(!unzip_p(&w, &jar).starts_with(&unsigned));
    let err = one_line_error(&kmi_verify(&w, &jar), 1);
    assert!(err.contains("before the first entry"), "{err}");

    // `kmi ccm show` reads the same way and refuses too.
    let out = output_of(kmi().current_dir(w.dir.path()).args(["ccm", "show", &jar]));
    let err = one_line_error(&out, 1);
    assert!(err.contains("ambiguous"), "{err}");
}

#[test]
fn renamed_local_headers_and_outside_bytes_are_refused() {
    if !require_peers(&["openssl", "python3", "java", "unzip"]) {
        return;
    }
    let w = signed_jar();
    // Central directory says ccm.txt, the local header says xcm.txt: a streaming reader finds
    // no ccm.txt at all (exit 3 from the peer), the central directory reader finds the signed one.
    let jar = evil(&w, "rename");
    assert!(!jar_input_stream(&w, "policy.jar").is_empty()); // writes Peek.java
    let out = output_of(
        assert_cmd::Command::new(peer_program("java"))
            .current_dir(w.dir.path())
            .args(["Peek.java", &jar]),
    );
    assert_eq!(out.status.code(), Some(3), "JarInputStream found a ccm.txt");
    let err = one_line_error(&kmi_verify(&w, &jar), 1);
    assert!(err.contains("local header names xcm.txt"), "{err}");

    for (kind, why) in [
        ("append", "after the central directory"),
        ("prepend", "before the first entry"),
    ] {
        let jar = evil(&w, kind);
        // unzip still extracts the signed policy from both (it tolerates the junk).
        assert!(!unzip_p(&w, &jar).is_empty(), "{kind}: unzip read nothing");
        let err = one_line_error(&kmi_verify(&w, &jar), 1);
        assert!(err.contains(why), "{kind}: {err}");
    }
}
