//! Reading inputs: a path, or `-` for standard input.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Inputs larger than this are refused before parsing: nothing kmi reads is anywhere near it.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of one input together with the name to use in messages.
pub struct Input {
    pub name: PathBuf,
    pub bytes: Vec<u8>,
}

impl Input {
    pub fn path(&self) -> &Path {
        &self.name
    }
}

/// Read `path` (or standard input for `-`) entirely; an empty input is an error (no key, share
/// or set file is empty).
pub fn read_input(path: &Path) -> Result<Input> {
    let input = read_input_allow_empty(path)?;
    if input.bytes.is_empty() {
        return Err(Error::malformed(input.name, "input is empty"));
    }
    Ok(input)
}

/// Read `path` (or standard input for `-`) entirely, where empty content is legitimate (a
/// plaintext to encrypt, a file to sign).
pub fn read_input_allow_empty(path: &Path) -> Result<Input> {
    let mut bytes = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| {
            // Room for the whole file up front: read_to_end then never moves the bytes (a key
            // file's contents) to a bigger buffer, leaving the old one unwiped in freed memory.
            let size = f
                .metadata()
                .map(|m| m.len())
                .unwrap_or(0)
                .min(MAX_INPUT_BYTES);
            bytes.reserve_exact(size as usize + 1);
            f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)
        })
    };
    let name = if path == Path::new("-") {
        PathBuf::from("<stdin>")
    } else {
        path.to_path_buf()
    };
    result.map_err(|source| Error::Read {
        path: name.clone(),
        source,
    })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::malformed(name, "input is larger than 64 MiB"));
    }
    Ok(Input { name, bytes })
}
