//! The one passphrase reader: a terminal prompt (rpassword), a file, or a file descriptor.
//! Passphrases never come from the command line.

use std::io::Read;
use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::{Error, Result};

#[derive(Debug, Clone)]
pub enum PassphraseSource {
    /// Ask on the terminal; refused in batch mode.
    Prompt { batch: bool },
    /// The first line of a file.
    File(PathBuf),
    /// The first line read from an inherited file descriptor.
    Fd(i32),
}

impl PassphraseSource {
    /// Read a passphrase. `confirm` asks twice on a prompt (for new secrets); `purpose` names what
    /// the passphrase is for in the prompt.
    pub fn read(&self, purpose: &str, confirm: bool) -> Result<Zeroizing<String>> {
        let pass = match self {
            PassphraseSource::Prompt { batch: true } => {
                return Err(Error::usage(format!(
                    "a passphrase is needed for {purpose}; in --batch mode give --passphrase-file or --passphrase-fd"
                )))
            }
            PassphraseSource::Prompt { batch: false } => {
                let first = prompt(&format!("Passphrase for {purpose}: "))?;
                if confirm {
                    let second = prompt("Repeat the passphrase: ")?;
                    if *first != *second {
                        return Err(Error::usage("the two passphrases differ"));
                    }
                }
                first
            }
            PassphraseSource::File(path) => {
                let bytes = Zeroizing::new(
                    std::fs::read(path).map_err(|source| Error::Read { path: path.clone(), source })?,
                );
                first_line(&bytes).map_err(|e| e.in_file(path))?
            }
            PassphraseSource::Fd(fd) => read_fd(*fd)?,
        };
        if pass.is_empty() {
            return Err(Error::usage(format!("empty passphrase for {purpose}")));
        }
        Ok(pass)
    }
}

fn prompt(text: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| {
            Error::usage(format!(
                "cannot prompt for a passphrase ({e}); give --passphrase-file or --passphrase-fd"
            ))
        })
}

fn first_line(bytes: &[u8]) -> Result<Zeroizing<String>> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::format("passphrase is not UTF-8"))?;
    let line = text.split('\n').next().unwrap_or("");
    Ok(Zeroizing::new(
        line.strip_suffix('\r').unwrap_or(line).to_string(),
    ))
}

#[cfg(unix)]
fn read_fd(fd: i32) -> Result<Zeroizing<String>> {
    use std::os::fd::FromRawFd;
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
        return Err(Error::usage(format!(
            "--passphrase-fd {fd}: not an open file descriptor"
        )));
    }
    // SAFETY: the descriptor is open (checked above) and was handed to us by the caller for this
    // purpose; we take ownership and close it after reading, as gpg and sq do.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    let mut bytes = Zeroizing::new(Vec::new());
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::usage(format!("--passphrase-fd {fd}: {e}")))?;
    first_line(&bytes)
}

#[cfg(not(unix))]
fn read_fd(_fd: i32) -> Result<Zeroizing<String>> {
    Err(Error::usage("--passphrase-fd is only supported on Unix"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_source_takes_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pass");
        std::fs::write(&p, "correct horse\r\nsecond line\n").unwrap();
        let got = PassphraseSource::File(p).read("test", true).unwrap();
        assert_eq!(got.as_str(), "correct horse");
    }

    #[test]
    fn batch_mode_never_prompts() {
        let err = PassphraseSource::Prompt { batch: true }
            .read("k.pem", false)
            .unwrap_err();
        assert!(err.to_string().contains("--passphrase-file"));
    }

    #[test]
    fn empty_passphrase_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pass");
        std::fs::write(&p, "\n").unwrap();
        assert!(PassphraseSource::File(p).read("test", false).is_err());
    }
}
