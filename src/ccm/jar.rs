//! The signed JAR that carries a policy (formats.md section 5), as Java 17's `jarsigner -verify
//! -strict` accepts it: MANIFEST.MF with a SHA-256 digest of ccm.txt, a signature file (.SF) with
//! digests of the manifest, its main section and each entry section, and a signature block (.RSA,
//! CMS SignedData over the .SF bytes, made by the caller).
//!
//! Writing is byte-for-byte deterministic: CRLF line ends, 72-byte lines, stored entries with a
//! fixed 1980-01-01 time and MS-DOS attributes. Reading accepts what jarsigner and the `jar`
//! tool write (other main attributes, a `META-INF/` directory entry, deflated entries, LF or CR
//! line ends) and caps every size, since a JAR is untrusted input.

use std::io::{Cursor, Read, Write};

use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

pub const POLICY_ENTRY: &str = "ccm.txt";
const MANIFEST_ENTRY: &str = "META-INF/MANIFEST.MF";
/// Most bytes kmi reads from one entry, and most entries in a JAR.
const MAX_ENTRY_BYTES: u64 = 1 << 20;
const MAX_ENTRIES: usize = 64;

/// One `Name: value` header, wrapped as java.util.jar.Manifest does: at most 72 bytes per line,
/// continuation lines start with one space.
fn header(out: &mut Vec<u8>, name: &str, value: &str) {
    let line = format!("{name}: {value}");
    let bytes = line.as_bytes();
    let mut first = true;
    let mut rest = bytes;
    while !rest.is_empty() {
        let room = if first { 72 } else { 71 };
        let take = rest.len().min(room);
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(&rest[..take]);
        out.extend_from_slice(b"\r\n");
        rest = &rest[take..];
        first = false;
    }
}

fn b64_sha256(bytes: &[u8]) -> String {
    Base64::encode_string(&Sha256::digest(bytes))
}

/// The main section of a manifest (with its blank line) and the ccm.txt section.
fn manifest_sections(ccm: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut main = Vec::new();
    header(&mut main, "Manifest-Version", "1.0");
    header(&mut main, "Created-By", "kmi");
    main.extend_from_slice(b"\r\n");
    let mut entry = Vec::new();
    header(&mut entry, "Name", POLICY_ENTRY);
    header(&mut entry, "SHA-256-Digest", &b64_sha256(ccm));
    entry.extend_from_slice(b"\r\n");
    (main, entry)
}

/// META-INF/MANIFEST.MF for a canonical policy.
pub fn manifest(ccm: &[u8]) -> Vec<u8> {
    let (mut main, entry) = manifest_sections(ccm);
    main.extend_from_slice(&entry);
    main
}

/// The signature file (.SF) for a manifest written by [`manifest`]: what gets signed.
pub fn signature_file(manifest: &[u8]) -> Vec<u8> {
    let sections = split_sections(manifest);
    let main = sections.first().map(|s| s.raw).unwrap_or_default();
    let mut sf = Vec::new();
    header(&mut sf, "Signature-Version", "1.0");
    header(
        &mut sf,
        "SHA-256-Digest-Manifest-Main-Attributes",
        &b64_sha256(main),
    );
    header(&mut sf, "SHA-256-Digest-Manifest", &b64_sha256(manifest));
    header(&mut sf, "Created-By", "kmi");
    sf.extend_from_slice(b"\r\n");
    for section in sections.iter().skip(1) {
        if let Some(name) = section.get("Name") {
            header(&mut sf, "Name", &name);
            header(&mut sf, "SHA-256-Digest", &b64_sha256(section.raw));
            sf.extend_from_slice(b"\r\n");
        }
    }
    sf
}

/// The signer name of META-INF/NAME.SF: upper case letters, digits, `_` and `-`, 1 to 8
/// characters (what jarsigner derives from an alias).
pub fn check_signer_name(name: &str) -> Result<()> {
    let ok = (1..=8).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "--signer {name}: use 1 to 8 characters from A-Z, 0-9, _ and -"
        )))
    }
}

/// The whole JAR: manifest, .SF, signature block, ccm.txt, in that order.
pub fn write_jar(ccm: &[u8], signer: &str, block: &[u8]) -> Result<Vec<u8>> {
    check_signer_name(signer)?;
    let manifest = manifest(ccm);
    let sf = signature_file(&manifest);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::DEFAULT)
        .system(zip::System::Dos);
    let zerr = |e: zip::result::ZipError| Error::internal(format!("JAR writing: {e}"));
    for (name, bytes) in [
        (MANIFEST_ENTRY.to_string(), &manifest[..]),
        (format!("META-INF/{signer}.SF"), &sf[..]),
        (format!("META-INF/{signer}.RSA"), block),
        (POLICY_ENTRY.to_string(), ccm),
    ] {
        zip.start_file(name, options).map_err(zerr)?;
        zip.write_all(bytes)
            .map_err(|e| Error::internal(format!("JAR writing: {e}")))?;
    }
    Ok(zip.finish().map_err(zerr)?.into_inner())
}

/// A manifest or signature-file section: its raw bytes (with the blank line that ends it) and
/// its headers, continuation lines joined.
struct Section<'a> {
    raw: &'a [u8],
    headers: Vec<(String, String)>,
}

impl Section<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// Split at blank lines; any of CRLF, LF, CR ends a line.
fn split_sections(bytes: &[u8]) -> Vec<Section<'_>> {
    let mut sections = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    let mut lines: Vec<&[u8]> = Vec::new();
    while pos < bytes.len() {
        let line_start = pos;
        while pos < bytes.len() && bytes[pos] != b'\n' && bytes[pos] != b'\r' {
            pos += 1;
        }
        let line = &bytes[line_start..pos];
        if pos < bytes.len() {
            if bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n') {
                pos += 2;
            } else {
                pos += 1;
            }
        }
        if line.is_empty() {
            if !lines.is_empty() {
                sections.push(section(&bytes[start..pos], &lines));
                lines.clear();
            }
            start = pos;
        } else {
            lines.push(line);
        }
    }
    if !lines.is_empty() {
        sections.push(section(&bytes[start..], &lines));
    }
    sections
}

fn section<'a>(raw: &'a [u8], lines: &[&[u8]]) -> Section<'a> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut current = String::new();
    for line in lines {
        let text = String::from_utf8_lossy(line);
        if let Some(cont) = text.strip_prefix(' ') {
            current.push_str(cont);
        } else {
            if !current.is_empty() {
                headers.push(split_header(&current));
            }
            current = text.into_owned();
        }
    }
    if !current.is_empty() {
        headers.push(split_header(&current));
    }
    Section { raw, headers }
}

fn split_header(line: &str) -> (String, String) {
    match line.split_once(": ") {
        Some((n, v)) => (n.to_string(), v.to_string()),
        None => (line.to_string(), String::new()),
    }
}

/// A JAR as read: the parts a policy JAR has, not yet checked.
pub struct SignedJar {
    /// Entry names in order.
    pub entries: Vec<String>,
    pub manifest: Option<Vec<u8>>,
    /// The signer name (NAME of META-INF/NAME.SF), when there is exactly one .SF.
    pub signer: String,
    pub sf: Vec<u8>,
    pub block: Vec<u8>,
    pub ccm: Vec<u8>,
    sf_count: usize,
    block_names: Vec<String>,
    ccm_count: usize,
}

/// Read a JAR's entries (bounded in number and size). Does not judge them: see
/// [`SignedJar::check_structure`].
pub fn read_jar(bytes: &[u8]) -> Result<SignedJar> {
    // The raw layout first: one entry per name, local headers agreeing with the central
    // directory, no bytes outside the entries. Only then is it unambiguous which bytes the zip
    // crate (central directory) and a streaming reader (local headers) would both read.
    let layout = super::zipcheck::check(bytes, MAX_ENTRIES)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Error::format(format!("not a readable JAR (zip): {e}")))?;
    if zip.len() != layout.len() {
        return Err(Error::check(format!(
            "the JAR's zip layout is ambiguous: {} entries listed, {} read",
            layout.len(),
            zip.len()
        )));
    }
    let mut jar = SignedJar {
        entries: Vec::new(),
        manifest: None,
        signer: String::new(),
        sf: Vec::new(),
        block: Vec::new(),
        ccm: Vec::new(),
        sf_count: 0,
        block_names: Vec::new(),
        ccm_count: 0,
    };
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| Error::format(format!("JAR entry {i}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| Error::format(format!("JAR entry {i}: bad name: {e}")))?
            .to_string();
        let mut data = Vec::new();
        entry
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::format(format!("JAR entry {name}: {e}")))?;
        if data.len() as u64 > MAX_ENTRY_BYTES {
            return Err(Error::format(format!(
                "JAR entry {name} is larger than {MAX_ENTRY_BYTES} bytes"
            )));
        }
        let upper = name.to_ascii_uppercase();
        if upper == MANIFEST_ENTRY {
            jar.manifest = Some(data);
        } else if let Some(stem) = upper
            .strip_prefix("META-INF/")
            .and_then(|n| n.strip_suffix(".SF"))
            .filter(|s| !s.contains('/'))
        {
            jar.sf_count += 1;
            jar.signer = stem.to_string();
            jar.sf = data;
        } else if upper.starts_with("META-INF/")
            && [".RSA", ".DSA", ".EC"].iter().any(|s| upper.ends_with(s))
            && !upper["META-INF/".len()..].contains('/')
        {
            jar.block_names.push(name.clone());
            jar.block = data;
        } else if name == POLICY_ENTRY {
            jar.ccm_count += 1;
            jar.ccm = data;
        }
        jar.entries.push(name);
    }
    Ok(jar)
}

impl SignedJar {
    /// Everything but the CMS signature: exactly the entries a policy JAR has, each signed, and
    /// every digest matching. Err(CheckFailed) says what is wrong.
    pub fn check_structure(&self) -> Result<()> {
        let bad = |m: String| Err(Error::check(m));
        let Some(manifest) = &self.manifest else {
            return bad("the JAR has no META-INF/MANIFEST.MF: it is unsigned".into());
        };
        if self.sf_count == 0 || self.block_names.is_empty() {
            return bad("the JAR is unsigned (no META-INF/*.SF and signature block)".into());
        }
        if self.sf_count > 1 || self.block_names.len() > 1 {
            return bad("the JAR has more than one signer; a policy has exactly one".into());
        }
        let expected_block = format!("META-INF/{}.RSA", self.signer);
        if !self.block_names[0].eq_ignore_ascii_case(&expected_block) {
            return bad(format!(
                "the signature block {} is not {expected_block} (RSA)",
                self.block_names[0]
            ));
        }
        match self.ccm_count {
            0 => return bad(format!("the JAR has no {POLICY_ENTRY}")),
            1 => {}
            _ => return bad(format!("the JAR has {POLICY_ENTRY} more than once")),
        }
        for name in &self.entries {
            let upper = name.to_ascii_uppercase();
            let known = name == POLICY_ENTRY
                || upper == MANIFEST_ENTRY
                || upper == "META-INF/"
                || upper == format!("META-INF/{}.SF", self.signer)
                || name.eq_ignore_ascii_case(&self.block_names[0]);
            if !known {
                return bad(format!(
                    "the JAR has an entry that is not part of a signed policy: {name}"
                ));
            }
        }

        // The manifest's section for ccm.txt, and its digest of ccm.txt.
        let sections = split_sections(manifest);
        let entry_sections: Vec<&Section> = sections
            .iter()
            .skip(1)
            .filter(|s| s.get("Name").as_deref() == Some(POLICY_ENTRY))
            .collect();
        let [entry] = entry_sections.as_slice() else {
            return bad(format!(
                "MANIFEST.MF has no single section for {POLICY_ENTRY}: it is unsigned"
            ));
        };
        for s in sections.iter().skip(1) {
            if let Some(n) = s.get("Name") {
                if n != POLICY_ENTRY {
                    return bad(format!(
                        "MANIFEST.MF names an entry kmi does not expect: {n}"
                    ));
                }
            }
        }
        let digest = entry.get("SHA-256-Digest").ok_or_else(|| {
            Error::check(format!(
                "MANIFEST.MF has no SHA-256-Digest for {POLICY_ENTRY} (other digests: {})",
                digest_names(entry)
            ))
        })?;
        if digest != b64_sha256(&self.ccm) {
            return bad(format!(
                "{POLICY_ENTRY} does not match its digest in MANIFEST.MF (changed after signing)"
            ));
        }

        // The .SF's digests of the manifest.
        let sf_sections = split_sections(&self.sf);
        let Some(sf_main) = sf_sections.first() else {
            return bad(format!("META-INF/{}.SF is empty", self.signer));
        };
        let whole_ok = sf_main
            .get("SHA-256-Digest-Manifest")
            .is_some_and(|d| d == b64_sha256(manifest));
        let sf_entries: Vec<&Section> = sf_sections
            .iter()
            .skip(1)
            .filter(|s| s.get("Name").as_deref() == Some(POLICY_ENTRY))
            .collect();
        let [sf_entry] = sf_entries.as_slice() else {
            return bad(format!(
                "the .SF has no section for {POLICY_ENTRY}: the entry counts as unsigned"
            ));
        };
        let section_ok = sf_entry
            .get("SHA-256-Digest")
            .is_some_and(|d| d == b64_sha256(entry.raw));
        // jarsigner accepts either a matching whole-manifest digest or matching section digests;
        // kmi asks for the section digest always, as it is what binds ccm.txt.
        if !section_ok {
            return bad(format!(
                "MANIFEST.MF does not match the .SF (the {POLICY_ENTRY} section was changed after signing)"
            ));
        }
        if !whole_ok && sf_main.get("SHA-256-Digest-Manifest").is_some() {
            if let Some(main_digest) = sf_main.get("SHA-256-Digest-Manifest-Main-Attributes") {
                let main_raw = sections.first().map(|s| s.raw).unwrap_or_default();
                if main_digest != b64_sha256(main_raw) {
                    return bad(
                        "MANIFEST.MF's main attributes do not match the .SF (changed after signing)"
                            .into(),
                    );
                }
            }
        }
        Ok(())
    }
}

fn digest_names(section: &Section) -> String {
    let names: Vec<&str> = section
        .headers
        .iter()
        .filter(|(n, _)| n.to_ascii_uppercase().ends_with("-DIGEST"))
        .map(|(n, _)| n.as_str())
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CCM: &[u8] = b"ccm.id=test\nccm.version=1\n";

    #[test]
    fn long_headers_wrap_at_72_bytes() {
        let sf = signature_file(&manifest(CCM));
        let text = String::from_utf8(sf.clone()).unwrap();
        for line in text.split("\r\n") {
            assert!(line.len() <= 72, "{line:?}");
        }
        assert!(text.contains("SHA-256-Digest-Manifest-Main-Attributes: "));
        // The wrapped header reads back whole.
        let sections = split_sections(&sf);
        let d = sections[0]
            .get("SHA-256-Digest-Manifest-Main-Attributes")
            .unwrap();
        assert_eq!(d.len(), 44);
        let mut out = Vec::new();
        header(&mut out, "X", &"a".repeat(200));
        let lines: Vec<&[u8]> = out.split(|b| *b == b'\n').collect();
        assert_eq!(lines[0].len(), 73); // 72 + CR
        assert_eq!(lines[1].len(), 73); // space + 71 + CR
    }

    #[test]
    fn writes_the_same_bytes_and_reads_them_back() {
        let a = write_jar(CCM, "CCM", b"block").unwrap();
        let b = write_jar(CCM, "CCM", b"block").unwrap();
        assert_eq!(a, b);
        let jar = read_jar(&a).unwrap();
        assert_eq!(
            jar.entries,
            [
                "META-INF/MANIFEST.MF",
                "META-INF/CCM.SF",
                "META-INF/CCM.RSA",
                "ccm.txt"
            ]
        );
        assert_eq!(jar.ccm, CCM);
        assert_eq!(jar.sf, signature_file(&manifest(CCM)));
        jar.check_structure().unwrap();
    }

    #[test]
    fn structural_tampering_is_named() {
        let good = read_jar(&write_jar(CCM, "CCM", b"block").unwrap()).unwrap();
        let check = |f: &dyn Fn(&mut SignedJar)| {
            let mut j = read_jar(&write_jar(CCM, "CCM", b"block").unwrap()).unwrap();
            f(&mut j);
            j.check_structure().unwrap_err().to_string()
        };
        assert!(check(&|j| j.ccm.push(b'x')).contains("does not match its digest"));
        assert!(check(&|j| {
            let m = j.manifest.as_mut().unwrap();
            let n = m.len();
            m[n - 5] ^= 1;
        })
        .contains("ccm.txt"));
        assert!(check(&|j| j.manifest = None).contains("unsigned"));
        assert!(check(&|j| j.entries.push("extra.txt".into())).contains("extra.txt"));
        assert!(check(&|j| j.ccm_count = 2).contains("more than once"));
        assert!(check(&|j| j.sf = b"Signature-Version: 1.0\r\n\r\n".to_vec()).contains("unsigned"));
        good.check_structure().unwrap();
        assert!(check_signer_name("TOOLONGNAME").is_err());
        assert!(check_signer_name("lower").is_err());
        assert!(write_jar(CCM, "bad name", b"").is_err());
    }

    #[test]
    fn garbage_is_a_format_error() {
        assert!(read_jar(b"").is_err());
        assert!(read_jar(b"PK\x03\x04 truncated").is_err());
    }
}
