//! The checked-in man pages and completions must match what the clap definitions generate.

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn man_pages_and_completions_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = kmi::cli::docs::render().expect("render docs");
    let mut expected_names = BTreeSet::new();
    for (path, bytes) in &generated {
        expected_names.insert(path.clone());
        let on_disk = std::fs::read(root.join(path)).unwrap_or_default();
        assert!(
            on_disk == *bytes,
            "{path} is stale or missing: run `cargo run --example gen-docs` and commit the result"
        );
    }
    for dir in ["man", "completions"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("generated directory exists") {
            let name = format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(
                expected_names.contains(&name),
                "{name} is no longer generated: run `cargo run --example gen-docs`"
            );
        }
    }
}

#[test]
fn every_command_has_a_man_page_with_exit_codes_on_the_top_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "kmi",
        "kmi-key-generate-rsa",
        "kmi-key-generate-elgamal",
        "kmi-key-check",
        "kmi-selftest",
    ] {
        assert!(
            root.join(format!("man/{name}.1")).exists(),
            "man/{name}.1 missing"
        );
    }
    let top = std::fs::read_to_string(root.join("man/kmi.1")).unwrap();
    assert!(
        top.contains("EXIT STATUS"),
        "kmi(1) documents the exit codes"
    );
}
