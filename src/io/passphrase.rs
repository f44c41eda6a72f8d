//! The one passphrase reader: a terminal prompt (rpassword), a file, or a file descriptor.
//! Passphrases never come from the command line.
// Unsafe code here: --passphrase-fd reads a descriptor the caller handed over (fcntl, from_raw_fd). Every block has a SAFETY comment.
#![allow(unsafe_code)]

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
                return Err(Error::invalid(format!(
                    "a passphrase is needed for {purpose}; in --batch mode give --passphrase-file or --passphrase-fd"
                )))
            }
            PassphraseSource::Prompt { batch: false } => {
                let first = prompt(&format!("Passphrase for {purpose}: "))?;
                if confirm {
                    let second = prompt("Repeat the passphrase: ")?;
                    if *first != *second {
                        return Err(Error::invalid("the two passphrases differ"));
                    }
                }
                first
            }
            PassphraseSource::File(path) => {
                let bytes = read_passphrase_file(path)?;
                first_line(&bytes).map_err(|e| e.in_file(path))?
            }
            PassphraseSource::Fd(fd) => read_fd(*fd)?,
        };
        if pass.is_empty() {
            return Err(Error::invalid(format!("empty passphrase for {purpose}")));
        }
        Ok(pass)
    }
}

fn prompt(text: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| {
            Error::invalid(format!(
                "cannot prompt for a passphrase ({e}); give --passphrase-file or --passphrase-fd"
            ))
        })
}

/// Passphrase files larger than this are refused: a passphrase is a line, and `/dev/zero` or a
/// wrong file must not be read into memory.
pub const MAX_PASSPHRASE_FILE_BYTES: u64 = 4096;

fn too_long() -> String {
    format!("a passphrase file holds at most {MAX_PASSPHRASE_FILE_BYTES} bytes")
}

/// The whole file, refused (exit 2) beyond [`MAX_PASSPHRASE_FILE_BYTES`]; reading stops there.
fn read_passphrase_file(path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_PASSPHRASE_FILE_BYTES as usize + 1));
    file.take(MAX_PASSPHRASE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_PASSPHRASE_FILE_BYTES {
        return Err(Error::malformed(path.to_path_buf(), too_long()));
    }
    Ok(bytes)
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
    // SAFETY: fcntl(F_GETFD) only queries the descriptor table, whatever `fd` is.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
        return Err(Error::invalid(format!(
            "--passphrase-fd {fd}: not an open file descriptor"
        )));
    }
    // SAFETY: the descriptor is open (checked above) and was handed to us by the caller for this
    // purpose. ManuallyDrop: it stays open, so whatever follows the first line is still there for
    // the caller (gpg --passphrase-fd reads the same way).
    let mut file = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
    // One byte at a time up to the first newline: a larger read would consume what follows, and
    // reading to the end hangs on a pipe whose writer keeps it open.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_PASSPHRASE_FILE_BYTES as usize));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        match file.read(&mut byte[..]) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => {
                if bytes.len() as u64 >= MAX_PASSPHRASE_FILE_BYTES {
                    return Err(Error::invalid(format!(
                        "--passphrase-fd {fd}: no newline in the first {MAX_PASSPHRASE_FILE_BYTES} bytes"
                    )));
                }
                bytes.push(byte[0]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::invalid(format!("--passphrase-fd {fd}: {e}"))),
        }
    }
    first_line(&bytes)
}

#[cfg(not(unix))]
fn read_fd(_fd: i32) -> Result<Zeroizing<String>> {
    Err(Error::invalid("--passphrase-fd is only supported on Unix"))
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
    fn passphrase_files_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pass");
        std::fs::write(&p, vec![b'a'; MAX_PASSPHRASE_FILE_BYTES as usize + 1]).unwrap();
        let err = PassphraseSource::File(p.clone())
            .read("t", false)
            .unwrap_err();
        assert_eq!(err.exit_code() as u8, 2);
        std::fs::write(&p, vec![b'a'; MAX_PASSPHRASE_FILE_BYTES as usize]).unwrap();
        assert!(PassphraseSource::File(p).read("t", false).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn fd_source_reads_one_line_and_leaves_the_rest() {
        let mut fds = [0i32; 2];
        // SAFETY: pipe(2) fills the two-element array.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let [fd, writer] = fds;
        // The writer stays open: reading to the end would hang.
        let text = b"first\nsecond\n";
        // SAFETY: writing from a live buffer to the pipe we just made.
        let written = unsafe { libc::write(writer, text.as_ptr().cast(), text.len()) };
        assert_eq!(written, 13);
        let source = PassphraseSource::Fd(fd);
        assert_eq!(source.read("t", false).unwrap().as_str(), "first");
        assert_eq!(source.read("t", false).unwrap().as_str(), "second");
        // SAFETY: both descriptors came from pipe(2) above and are closed once.
        unsafe {
            libc::close(fd);
            libc::close(writer);
        }
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
