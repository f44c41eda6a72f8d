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
    /// Ask on the terminal; refused in batch mode. `flags` is the prefix of the command's own
    /// flags for this passphrase ("--key-passphrase"), so that the hint names flags that exist.
    Prompt { batch: bool, flags: &'static str },
    /// The first line of a file.
    File(PathBuf),
    /// The first line read from an inherited file descriptor.
    Fd(i32),
    /// The value of an environment variable (`env:VAR` given as the file, as openssl's -passin).
    Env(String),
}

impl PassphraseSource {
    /// The source a `--*-passphrase-file` / `--secret-file` value names: `env:VAR` reads the
    /// environment variable VAR (a file literally named so is `./env:VAR`), anything else a file.
    pub fn from_file_arg(path: &std::path::Path) -> Self {
        match path.to_str().and_then(|s| s.strip_prefix("env:")) {
            Some(var) => PassphraseSource::Env(var.to_string()),
            None => PassphraseSource::File(path.to_path_buf()),
        }
    }

    /// A file argument or a descriptor, else a prompt whose hint names `flags`-file / -fd.
    pub fn from_args(
        file: Option<&std::path::Path>,
        fd: Option<i32>,
        batch: bool,
        flags: &'static str,
    ) -> Self {
        match (file, fd) {
            (Some(f), _) => Self::from_file_arg(f),
            (None, Some(fd)) => PassphraseSource::Fd(fd),
            (None, None) => PassphraseSource::Prompt { batch, flags },
        }
    }

    /// Read a passphrase. `confirm` asks twice on a prompt (for new secrets); `purpose` names what
    /// the passphrase is for in the prompt.
    pub fn read(&self, purpose: &str, confirm: bool) -> Result<Zeroizing<String>> {
        let pass = match self {
            PassphraseSource::Prompt { batch: true, flags } => {
                return Err(Error::invalid(format!(
                    "a passphrase is needed for {purpose}; in --batch mode {}",
                    give(flags)
                )))
            }
            PassphraseSource::Prompt {
                batch: false,
                flags,
            } => {
                let first = prompt(&format!("Passphrase for {purpose}: "), flags)?;
                if confirm {
                    let second = prompt("Repeat the passphrase: ", flags)?;
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
            PassphraseSource::Env(var) => {
                let value = std::env::var_os(var).ok_or_else(|| {
                    Error::invalid(format!("environment variable {var} is not set"))
                })?;
                let value = Zeroizing::new(value.into_encoded_bytes());
                first_line(&value)?
            }
        };
        if pass.is_empty() {
            return Err(Error::invalid(format!("empty passphrase for {purpose}")));
        }
        Ok(pass)
    }
}

fn prompt(text: &str, flags: &str) -> Result<Zeroizing<String>> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| {
            Error::invalid(format!(
                "cannot prompt for a passphrase ({e}); {}",
                give(flags)
            ))
        })
}

/// The hint naming the command's own flags for a passphrase, or none when the command takes no
/// passphrase for this file (a file it expects unencrypted, such as a public key).
fn give(flags: &str) -> String {
    if flags.is_empty() {
        "this command reads this file only unencrypted".to_string()
    } else {
        format!("give {flags}-file or {flags}-fd")
    }
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
            "passphrase descriptor {fd}: not an open file descriptor"
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
                        "passphrase descriptor {fd}: no newline in the first {MAX_PASSPHRASE_FILE_BYTES} bytes"
                    )));
                }
                bytes.push(byte[0]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::invalid(format!("passphrase descriptor {fd}: {e}"))),
        }
    }
    first_line(&bytes)
}

#[cfg(not(unix))]
fn read_fd(_fd: i32) -> Result<Zeroizing<String>> {
    Err(Error::invalid(
        "passphrase descriptors are only supported on Unix",
    ))
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
        let err = PassphraseSource::Prompt {
            batch: true,
            flags: "--key-passphrase",
        }
        .read("k.pem", false)
        .unwrap_err();
        assert!(err.to_string().contains("--key-passphrase-file"));
    }

    #[test]
    fn env_source_reads_the_variable_and_file_names_stay_files() {
        std::env::set_var("KMI_TEST_PASSPHRASE_ENV", "from env\nignored");
        let source =
            PassphraseSource::from_file_arg(std::path::Path::new("env:KMI_TEST_PASSPHRASE_ENV"));
        assert_eq!(source.read("t", false).unwrap().as_str(), "from env");
        let missing =
            PassphraseSource::from_file_arg(std::path::Path::new("env:KMI_TEST_UNSET_VAR_X"));
        assert!(missing
            .read("t", false)
            .unwrap_err()
            .to_string()
            .contains("not set"));
        assert!(matches!(
            PassphraseSource::from_file_arg(std::path::Path::new("./env:X")),
            PassphraseSource::File(_)
        ));
    }

    #[test]
    fn empty_passphrase_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pass");
        std::fs::write(&p, "\n").unwrap();
        assert!(PassphraseSource::File(p).read("test", false).is_err());
    }
}
