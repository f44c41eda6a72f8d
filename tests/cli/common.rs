//! Shared test harness: the kmi binary, the peers, and a scratch directory per test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

/// The kmi binary under test.
pub fn kmi() -> Command {
    Command::cargo_bin("kmi").expect("the kmi binary is built")
}

/// The openssl command-line tool. Tests that need it fail (never skip) when it is missing.
pub fn openssl() -> Command {
    require_tool("openssl", "version", "apt-get install -y openssl");
    Command::new("openssl")
}

/// Fail with an install hint when a peer tool is missing.
pub fn require_tool(tool: &str, probe_arg: &str, install: &str) {
    let ok = StdCommand::new(tool).arg(probe_arg).output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "this test needs `{tool}`, which is not installed: run `{install}` (scripts/test does this)");
}

/// A scratch directory that is removed when the test ends.
pub struct Work {
    pub dir: tempfile::TempDir,
}

impl Work {
    pub fn new() -> Self {
        Work { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("read test file")
    }

    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// The repository's testdata directory.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(name)
}

/// stdout of a successful command as a String.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("UTF-8 output")
}
