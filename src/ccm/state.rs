//! Rollback protection for `ccm check/verify --state FILE`: a signed old policy stays valid
//! forever, so the state file records the highest `ccm.version` accepted for each `ccm.id`, and a
//! policy older than that is refused (exit 1, naming both versions).
//!
//! The file is text, one `<ccm.id> <version>` line per id, sorted by id, after a `#` comment line;
//! a missing file is an empty state. It is rewritten whole through a temporary file and a rename
//! (`crate::io::write_output` with force), so a crash leaves the old state or the new one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::io::{write_output, OutputSpec};
use crate::{Error, Result};

const HEADER: &str = "# kmi ccm state: the highest ccm.version accepted for each ccm.id";

/// The highest version accepted per policy id, and the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackState {
    path: PathBuf,
    highest: BTreeMap<String, u32>,
}

/// What [`RollbackState::admit`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The first policy with this id the state has seen.
    New,
    /// The same version as the highest accepted.
    Same,
    /// Newer than the highest accepted (the previous highest).
    Newer(u32),
}

impl RollbackState {
    /// Read the state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| Error::format("state file is not text").in_file(path))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(Error::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let mut highest = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                Error::format(format!(
                    "state file line {}: expected '<ccm.id> <version>'",
                    i + 1
                ))
                .in_file(path)
            };
            let (id, version) = line.split_once(' ').ok_or_else(bad)?;
            let version: u32 = version.parse().map_err(|_| bad())?;
            if id.is_empty() || highest.insert(id.to_string(), version).is_some() {
                return Err(bad());
            }
        }
        Ok(RollbackState {
            path: path.to_path_buf(),
            highest,
        })
    }

    /// The highest version accepted for `id`.
    pub fn highest(&self, id: &str) -> Option<u32> {
        self.highest.get(id).copied()
    }

    /// Accept version `version` of policy `id`, or refuse it (a check failure, exit 1) when it is
    /// older than the highest accepted.
    pub fn admit(&mut self, id: &str, version: u32) -> Result<Admission> {
        match self.highest.get(id).copied() {
            Some(h) if version < h => Err(Error::check(format!(
                "policy {id} version {version} is older than version {h}, already accepted (rollback refused; state {})",
                self.path.display()
            ))),
            Some(h) if version == h => Ok(Admission::Same),
            previous => {
                self.highest.insert(id.to_string(), version);
                Ok(previous.map_or(Admission::New, Admission::Newer))
            }
        }
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut s = format!("{HEADER}\n");
        for (id, v) in &self.highest {
            s.push_str(&format!("{id} {v}\n"));
        }
        s
    }

    /// Write the state back, atomically (temporary file, fsync, rename).
    pub fn save(&self) -> Result<()> {
        write_output(
            &OutputSpec::new(&self.path, true, false),
            self.to_text().as_bytes(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_versions_are_refused_and_newer_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        let mut s = RollbackState::load(&path).unwrap();
        assert_eq!(s.admit("export", 2).unwrap(), Admission::New);
        assert_eq!(s.admit("export", 2).unwrap(), Admission::Same);
        s.save().unwrap();
        let mut s = RollbackState::load(&path).unwrap();
        assert_eq!(s.highest("export"), Some(2));
        let e = s.admit("export", 1).unwrap_err();
        assert!(matches!(e, Error::CheckFailed(_)));
        assert!(
            e.to_string()
                .starts_with("policy export version 1 is older than version 2"),
            "{e}"
        );
        assert_eq!(s.admit("export", 5).unwrap(), Admission::Newer(2));
        assert_eq!(s.admit("other", 1).unwrap(), Admission::New);
        s.save().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{HEADER}\nexport 5\nother 1\n")
        );
    }

    #[test]
    fn a_malformed_state_file_is_a_format_error() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["export\n", "export x\n", "a 1\na 2\n", " 1\n"] {
            let path = dir.path().join("state");
            std::fs::write(&path, bad).unwrap();
            let e = RollbackState::load(&path).unwrap_err();
            assert!(
                e.to_string().contains("expected '<ccm.id> <version>'"),
                "{bad}: {e}"
            );
        }
    }
}
