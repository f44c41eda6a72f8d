//! Build facts for `kmi --version`: the git commit the binary was built from and the SHA-256 of the
//! Cargo.lock it used, so a ceremony can tie a binary to a source state (scripts/reproduce rebuilds
//! it and compares digests). Nothing here depends on the build time or the build path.

use std::path::Path;
use std::process::Command;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&dir);

    // An explicit KMI_GIT_COMMIT wins (a source tarball has no .git); else ask git; else "unknown".
    println!("cargo:rerun-if-env-changed=KMI_GIT_COMMIT");
    let commit = std::env::var("KMI_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(dir, &["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    let dirty = git(dir, &["status", "--porcelain", "--untracked-files=no"])
        .map(|s| !s.is_empty())
        .unwrap_or(false);
    let commit = if dirty && commit != "unknown" {
        format!("{commit}-modified")
    } else {
        commit
    };
    println!("cargo:rustc-env=KMI_GIT_COMMIT={commit}");
    if let Some(git_dir) = git(dir, &["rev-parse", "--git-dir"]) {
        let git_dir = dir.join(git_dir);
        println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
        println!("cargo:rerun-if-changed={}", git_dir.join("index").display());
        if let Some(head_ref) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
            println!(
                "cargo:rerun-if-changed={}",
                git_dir.join(head_ref).display()
            );
        }
    }

    let lock = dir.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let lock_sha256 = std::fs::read(&lock)
        .map(|b| sha256_hex(&b))
        .unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=KMI_LOCK_SHA256={lock_sha256}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
