//! One error type for the whole library. Every variant maps to a process exit code and a one-line
//! message; the command layer prints `kmi: <message>` and exits with `exit_code()`.

use std::path::{Path, PathBuf};

/// Process exit codes (documented in `kmi(1)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    Ok = 0,
    /// A verification said "no": a key check failed, a share or signature is bad.
    CheckFailed = 1,
    /// Bad usage, or input that is unreadable or malformed.
    BadInput = 2,
    /// A failure while producing output (I/O, an internal crypto failure).
    OutputFailed = 3,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A check ran and said no. The message names the first failing check.
    #[error("{0}")]
    CheckFailed(String),

    /// The request is invalid input: a value out of range, options that cannot go together, a
    /// key or file of the wrong kind for the operation. (Command-line syntax errors are clap's,
    /// before the library runs.) Exit 2, like malformed input.
    #[error("{0}")]
    Invalid(String),

    /// An input file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    /// An error about the content of one input file: the file's name and what is wrong with it.
    /// Structured so that a caller that reports per file (a share verdict, a CMC report) can take
    /// the bare reason (`reason`) without cutting the path back off a string.
    #[error("{}: {source}", path.display())]
    InFile { path: PathBuf, source: Box<Error> },

    /// Input content is malformed (no file name known at this layer; the command layer adds one).
    #[error("{0}")]
    Format(String),

    /// The passphrase did not open the key.
    #[error("{}: wrong passphrase or corrupted encrypted key", path.display())]
    BadPassphrase { path: PathBuf },

    /// Output could not be written.
    #[error("{}: {what}", path.display())]
    Write { path: PathBuf, what: String },

    /// The output exists and --force was not given.
    #[error("{}: already exists (use --force to overwrite)", path.display())]
    Exists { path: PathBuf },

    /// A failure inside kmi while producing output.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::CheckFailed(_) => ExitCode::CheckFailed,
            Error::Invalid(_)
            | Error::Read { .. }
            | Error::Format(_)
            | Error::BadPassphrase { .. } => ExitCode::BadInput,
            Error::Write { .. } | Error::Exists { .. } | Error::Internal(_) => {
                ExitCode::OutputFailed
            }
            Error::InFile { source, .. } => source.exit_code(),
        }
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }

    pub fn format(msg: impl Into<String>) -> Self {
        Error::Format(msg.into())
    }

    pub fn check(msg: impl Into<String>) -> Self {
        Error::CheckFailed(msg.into())
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        Error::Internal(msg.into())
    }

    /// der could not decode an input structure: `what` names it ("malformed share set").
    /// Use as `.map_err(Error::decoding("malformed X"))`.
    pub fn decoding(what: &str) -> impl Fn(der::Error) -> Error + '_ {
        move |e| Error::Format(format!("{what}: {e}"))
    }

    /// der could not encode a value kmi built itself: an internal failure, never bad input.
    /// Use as `.map_err(Error::encoding)`.
    pub fn encoding(e: der::Error) -> Self {
        Error::Internal(format!("DER encoding failed: {e}"))
    }

    /// The content of `path` is malformed: `what` says how.
    pub fn malformed(path: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        Error::InFile {
            path: path.into(),
            source: Box::new(Error::Format(what.into())),
        }
    }

    /// Attach a file name to a content error so the one-line message says which input is bad.
    /// Errors that already name their file (read, passphrase, output errors) and the others
    /// (invalid requests, checks, internal failures) pass through unchanged.
    pub fn in_file(self, path: &Path) -> Self {
        match self {
            Error::Format(_) => Error::InFile {
                path: path.to_path_buf(),
                source: Box::new(self),
            },
            other => other,
        }
    }

    /// The message without the input file's name: for reports that already list the file in
    /// their own column (share verdicts).
    pub fn reason(&self) -> String {
        match self {
            Error::InFile { source, .. } => source.reason(),
            Error::Read { source, .. } => source.to_string(),
            Error::BadPassphrase { .. } => "wrong passphrase or corrupted encrypted key".into(),
            other => other.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_documented_contract() {
        assert_eq!(Error::check("x").exit_code() as u8, 1);
        assert_eq!(Error::invalid("x").exit_code() as u8, 2);
        assert_eq!(Error::format("x").exit_code() as u8, 2);
        assert_eq!(Error::internal("x").exit_code() as u8, 3);
        assert_eq!(Error::Exists { path: "a".into() }.exit_code() as u8, 3);
    }

    #[test]
    fn in_file_names_the_file() {
        let e = Error::format("truncated DER").in_file(Path::new("k.pem"));
        assert_eq!(e.to_string(), "k.pem: truncated DER");
        assert_eq!(e.reason(), "truncated DER");
        assert_eq!(e.exit_code() as u8, 2);
        assert!(matches!(e, Error::InFile { .. }));
    }

    #[test]
    fn in_file_leaves_errors_that_are_not_about_content() {
        let e = Error::check("bad share").in_file(Path::new("s.pem"));
        assert_eq!(e.to_string(), "bad share");
        let e = Error::BadPassphrase {
            path: "k.pem".into(),
        }
        .in_file(Path::new("other"));
        assert!(e.to_string().starts_with("k.pem: "));
    }
}
