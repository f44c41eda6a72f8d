//! The zip layout of a policy JAR, checked over the raw bytes before any entry is read
//! (PKWARE APPNOTE 6.3.x sections 4.3.6 to 4.3.16).
//!
//! Zip readers disagree on which copy of an entry they read. The central directory lists the
//! entries (unzip, the zip crate, java.util.zip.ZipFile and so jarsigner's JarFile read it);
//! streaming readers (java.util.jar.JarInputStream, what a JVM's class loaders and many
//! policy consumers use) walk the local headers from the start of the file. A JAR with an unsigned
//! `ccm.txt` before the signed one, listed twice or only in the local headers, or a central
//! entry whose local header names another file, shows a verifier one policy and a consumer
//! another. So kmi accepts only an unambiguous layout:
//! - every name once (also ignoring ASCII case: extraction to a case-insensitive file system
//!   would merge them);
//! - every central directory entry's local header agrees with it: name, method, encryption and
//!   data-descriptor flags, and (when the local header carries them) CRC and sizes;
//! - the local entries (header, data, data descriptor) tile the bytes before the central
//!   directory exactly: nothing prepended, no gap, no overlap, no entry the central directory
//!   does not list; the central directory is followed by the end record and nothing else (no
//!   archive comment);
//! - no ZIP64, no encryption, no multi-disk archive (a policy JAR needs none of them).
//!
//! Every read is bounds-checked; no input panics. Failures are "this JAR is not acceptable"
//! (exit 1) except bytes that are not a zip at all (exit 2).

use crate::{Error, Result};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const END_LEN: usize = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;
/// General purpose flags: bit 0 encrypted, bit 3 sizes in a data descriptor, bit 6 strong
/// encryption, bit 13 central directory encrypted.
const FLAG_ENCRYPTED: u16 = 1 | (1 << 6) | (1 << 13);
const FLAG_DESCRIPTOR: u16 = 1 << 3;

/// One entry as the central directory lists it, with where its local copy lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: Vec<u8>,
    /// Offset of the local header.
    pub start: usize,
    /// One past the last byte of its data (and data descriptor).
    pub end: usize,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn malformed(what: impl Into<String>) -> Error {
    Error::format(format!("not a readable JAR (zip): {}", what.into()))
}

fn refused(what: impl Into<String>) -> Error {
    Error::check(format!(
        "the JAR's zip layout is ambiguous: {}",
        what.into()
    ))
}

/// Display a raw entry name (names in a hostile JAR need not be UTF-8).
fn show(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// The end of central directory record: it must end the file exactly (no comment, nothing
/// appended). Returns (entry count, central directory size, central directory offset, its own
/// offset).
fn end_record(bytes: &[u8]) -> Result<(usize, usize, usize, usize)> {
    let Some(at) = bytes.len().checked_sub(END_LEN) else {
        return Err(malformed("too short to be a zip file"));
    };
    if u32_at(bytes, at) != Some(END_SIG) {
        // Not at the very end: a comment or appended bytes, or no zip at all.
        let window = bytes
            .len()
            .saturating_sub(END_LEN + usize::from(u16::MAX) + 4096);
        let found = (window..at)
            .rev()
            .any(|i| u32_at(bytes, i) == Some(END_SIG));
        return Err(if found {
            refused("bytes after the central directory's end record (an archive comment or appended data)")
        } else {
            malformed("no end of central directory record")
        });
    }
    let field =
        |off: usize| u16_at(bytes, at + off).ok_or_else(|| malformed("truncated end record"));
    let (disk, cd_disk, here, total) = (field(4)?, field(6)?, field(8)?, field(10)?);
    let cd_size = u32_at(bytes, at + 12).ok_or_else(|| malformed("truncated end record"))?;
    let cd_offset = u32_at(bytes, at + 16).ok_or_else(|| malformed("truncated end record"))?;
    if total == 0xFFFF || cd_size == u32::MAX || cd_offset == u32::MAX {
        return Err(refused("ZIP64 archive (a policy JAR is small)"));
    }
    if at >= 20 && u32_at(bytes, at - 20) == Some(ZIP64_LOCATOR_SIG) {
        return Err(refused("ZIP64 archive (a policy JAR is small)"));
    }
    if disk != 0 || cd_disk != 0 || here != total {
        return Err(refused("a multi-disk archive"));
    }
    let (cd_size, cd_offset) = (cd_size as usize, cd_offset as usize);
    if cd_offset.checked_add(cd_size) != Some(at) {
        return Err(refused(
            "the central directory does not end where the end record starts (bytes between them, or wrong offsets)",
        ));
    }
    Ok((usize::from(total), cd_size, cd_offset, at))
}

/// Check the layout (see the module doc) and return the entries in central directory order.
/// `max_entries` bounds the work before anything else is read.
pub fn check(bytes: &[u8], max_entries: usize) -> Result<Vec<Entry>> {
    let (count, cd_size, cd_offset, _end) = end_record(bytes)?;
    if count > max_entries {
        return Err(Error::format(format!(
            "the JAR has {count} entries; a policy JAR has 4"
        )));
    }
    let cd = bytes
        .get(cd_offset..cd_offset + cd_size)
        .ok_or_else(|| malformed("central directory outside the file"))?;
    let mut entries: Vec<Entry> = Vec::with_capacity(count);
    let mut pos = 0usize;
    for i in 0..count {
        let bad = |what: &str| malformed(format!("central directory entry {i}: {what}"));
        if u32_at(cd, pos) != Some(CENTRAL_SIG) {
            return Err(bad("bad signature or truncated"));
        }
        let h = |off: usize| u16_at(cd, pos + off).ok_or_else(|| bad("truncated"));
        let w = |off: usize| u32_at(cd, pos + off).ok_or_else(|| bad("truncated"));
        let (flags, method) = (h(8)?, h(10)?);
        let (crc, csize, usize_) = (w(16)?, w(20)?, w(24)?);
        let (name_len, extra_len, comment_len) = (
            usize::from(h(28)?),
            usize::from(h(30)?),
            usize::from(h(32)?),
        );
        let disk_start = h(34)?;
        let local = w(42)? as usize;
        let name_at = pos + CENTRAL_LEN;
        let name = cd
            .get(name_at..name_at + name_len)
            .ok_or_else(|| bad("name runs past the central directory"))?
            .to_vec();
        let next = name_at + name_len + extra_len + comment_len;
        if next > cd.len() {
            return Err(bad("runs past the central directory"));
        }
        let shown = show(&name);
        if csize == u32::MAX || usize_ == u32::MAX || local == u32::MAX as usize {
            return Err(refused(format!("{shown}: ZIP64 sizes")));
        }
        if disk_start != 0 {
            return Err(refused(format!("{shown}: on another disk")));
        }
        if flags & FLAG_ENCRYPTED != 0 {
            return Err(refused(format!("{shown}: encrypted")));
        }
        if let Some(dup) = entries.iter().find(|e| e.name.eq_ignore_ascii_case(&name)) {
            return Err(refused(if dup.name == name {
                format!(
                    "the entry {shown} appears twice (zip readers disagree on which one they read)"
                )
            } else {
                format!(
                    "the entries {} and {shown} differ only in case",
                    show(&dup.name)
                )
            }));
        }
        let end = local_entry(
            bytes,
            local,
            &name,
            flags,
            method,
            crc,
            csize as usize,
            usize_,
        )?;
        if end > cd_offset {
            return Err(refused(format!(
                "{shown}: its data runs into the central directory"
            )));
        }
        entries.push(Entry {
            name,
            start: local,
            end,
        });
        pos = next;
    }
    if pos != cd.len() {
        return Err(refused(
            "the central directory holds bytes beyond its listed entries",
        ));
    }
    // The local entries must tile [0, cd_offset): sorted by offset, each starts where the
    // previous ended.
    let mut spans: Vec<(usize, usize, &[u8])> = entries
        .iter()
        .map(|e| (e.start, e.end, &e.name[..]))
        .collect();
    spans.sort_unstable();
    let mut at = 0usize;
    for (start, end, name) in spans {
        match start.cmp(&at) {
            std::cmp::Ordering::Greater if at == 0 => {
                return Err(refused(format!(
                    "{start} bytes before the first entry (prepended data, or an entry the central directory does not list)"
                )))
            }
            std::cmp::Ordering::Greater => {
                return Err(refused(format!(
                    "{} bytes before the entry {} that no listed entry covers (a hidden entry or a gap)",
                    start - at,
                    show(name)
                )))
            }
            std::cmp::Ordering::Less => {
                return Err(refused(format!(
                    "the entry {} overlaps the entry before it",
                    show(name)
                )))
            }
            std::cmp::Ordering::Equal => at = end,
        }
    }
    if at != cd_offset {
        return Err(refused(format!(
            "{} bytes between the last entry and the central directory (a hidden entry or a gap)",
            cd_offset.saturating_sub(at)
        )));
    }
    Ok(entries)
}

/// The local header at `at` must agree with the central entry; returns the end of its data and
/// data descriptor.
#[allow(clippy::too_many_arguments)]
fn local_entry(
    bytes: &[u8],
    at: usize,
    name: &[u8],
    flags: u16,
    method: u16,
    crc: u32,
    csize: usize,
    usize_: u32,
) -> Result<usize> {
    let shown = show(name);
    let bad = |what: &str| malformed(format!("local header of {shown}: {what}"));
    // Offsets below stay within the file plus small constants: no overflow on any target.
    if at >= bytes.len() || u32_at(bytes, at) != Some(LOCAL_SIG) {
        return Err(refused(format!(
            "{shown}: the central directory points at no local header"
        )));
    }
    let h = |off: usize| u16_at(bytes, at + off).ok_or_else(|| bad("truncated"));
    let w = |off: usize| u32_at(bytes, at + off).ok_or_else(|| bad("truncated"));
    let (l_flags, l_method) = (h(6)?, h(8)?);
    let (l_crc, l_csize, l_usize) = (w(14)?, w(18)?, w(22)?);
    let (name_len, extra_len) = (usize::from(h(26)?), usize::from(h(28)?));
    let name_at = at + LOCAL_LEN;
    let l_name = bytes
        .get(name_at..name_at + name_len)
        .ok_or_else(|| bad("name runs past the file"))?;
    if l_name != name {
        return Err(refused(format!(
            "the central directory lists {shown} but its local header names {} (streaming readers see the local name)",
            show(l_name)
        )));
    }
    if l_method != method
        || (l_flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR))
            != (flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR))
    {
        return Err(refused(format!(
            "{shown}: the local header and the central directory disagree on method or flags"
        )));
    }
    let data = name_at + name_len + extra_len;
    let data_end = data
        .checked_add(csize)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| bad("data runs past the file"))?;
    if flags & FLAG_DESCRIPTOR == 0 {
        if (l_crc, l_csize as usize, l_usize) != (crc, csize, usize_) {
            return Err(refused(format!(
                "{shown}: the local header and the central directory disagree on CRC or sizes"
            )));
        }
        return Ok(data_end);
    }
    // Sizes follow the data: crc, compressed, uncompressed (4 bytes each), optionally after a
    // signature. Both must match the central directory, so there is no guessing which it is.
    let fields_at = |p: usize| -> Option<(u32, u32, u32)> {
        Some((
            u32_at(bytes, p)?,
            u32_at(bytes, p + 4)?,
            u32_at(bytes, p + 8)?,
        ))
    };
    let want = (crc, csize as u32, usize_);
    if u32_at(bytes, data_end) == Some(DESCRIPTOR_SIG) && fields_at(data_end + 4) == Some(want) {
        return Ok(data_end + 16);
    }
    if fields_at(data_end) == Some(want) {
        return Ok(data_end + 12);
    }
    Err(refused(format!(
        "{shown}: its data descriptor does not match the central directory"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored zip by hand: (local name, central name, data) per entry; `prefix` before it.
    fn build(entries: &[(&str, &str, &[u8])], prefix: &[u8], suffix: &[u8]) -> Vec<u8> {
        let mut out = prefix.to_vec();
        let mut cd = Vec::new();
        for (lname, cname, data) in entries {
            let off = out.len() as u32;
            let crc = 0x1234_5678u32; // not checked here (the zip crate checks CRCs)
            out.extend(LOCAL_SIG.to_le_bytes());
            out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend(crc.to_le_bytes());
            out.extend((data.len() as u32).to_le_bytes());
            out.extend((data.len() as u32).to_le_bytes());
            out.extend((lname.len() as u16).to_le_bytes());
            out.extend([0, 0]);
            out.extend(lname.as_bytes());
            out.extend(*data);
            cd.extend(CENTRAL_SIG.to_le_bytes());
            cd.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            cd.extend(crc.to_le_bytes());
            cd.extend((data.len() as u32).to_le_bytes());
            cd.extend((data.len() as u32).to_le_bytes());
            cd.extend((cname.len() as u16).to_le_bytes());
            cd.extend([0; 12]);
            cd.extend(off.to_le_bytes());
            cd.extend(cname.as_bytes());
        }
        let cd_off = out.len() as u32;
        out.extend(&cd);
        out.extend(END_SIG.to_le_bytes());
        out.extend([0, 0, 0, 0]);
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((cd.len() as u32).to_le_bytes());
        out.extend(cd_off.to_le_bytes());
        out.extend([0, 0]);
        out.extend(suffix);
        out
    }

    #[test]
    fn a_plain_layout_passes_and_kmi_jars_pass() {
        let z = build(&[("a", "a", b"x"), ("b", "b", b"yz")], b"", b"");
        let e = check(&z, 64).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, b"a");
        let jar = super::super::jar::write_jar(b"ccm.id=x\n", "CCM", b"block").unwrap();
        assert_eq!(check(&jar, 64).unwrap().len(), 4);
    }

    #[test]
    fn ambiguous_layouts_are_refused_with_their_reason() {
        let err = |z: Vec<u8>| check(&z, 64).unwrap_err();
        let e = err(build(
            &[("ccm.txt", "ccm.txt", b"u"), ("ccm.txt", "ccm.txt", b"s")],
            b"",
            b"",
        ));
        assert!(e.to_string().contains("ccm.txt appears twice"), "{e}");
        assert_eq!(e.exit_code(), crate::error::ExitCode::CheckFailed);
        let e = err(build(
            &[("CCM.TXT", "CCM.TXT", b"u"), ("ccm.txt", "ccm.txt", b"s")],
            b"",
            b"",
        ));
        assert!(e.to_string().contains("differ only in case"), "{e}");
        let e = err(build(&[("evil.txt", "ccm.txt", b"u")], b"", b""));
        assert!(e.to_string().contains("local header names evil.txt"), "{e}");
        let e = err(build(&[("a", "a", b"x")], b"junk", b""));
        assert!(e.to_string().contains("before the first entry"), "{e}");
        let e = err(build(&[("a", "a", b"x")], b"", b"junk"));
        assert!(e.to_string().contains("after the central directory"), "{e}");
        // A local entry the central directory does not list: drop the first central entry.
        let mut z = build(&[("ccm.txt", "ccm.txt", b"u"), ("b", "b", b"s")], b"", b"");
        let cd_off = u32_at(&z, z.len() - 6).unwrap() as usize;
        let first_len = CENTRAL_LEN + 7;
        z.drain(cd_off..cd_off + first_len);
        let n = z.len();
        z[n - 12..n - 10].copy_from_slice(&1u16.to_le_bytes());
        z[n - 14..n - 12].copy_from_slice(&1u16.to_le_bytes());
        let cd_size = u32_at(&z, n - 10).unwrap() - first_len as u32;
        z[n - 10..n - 6].copy_from_slice(&cd_size.to_le_bytes());
        let e = err(z);
        assert!(e.to_string().contains("before the first entry"), "{e}");
    }

    #[test]
    fn overlapping_entries_are_refused() {
        // "a" carries, as its data, a complete local entry "b"; a central record for "b" then
        // points inside "a" (two readers, two different views of the same bytes).
        let inner = build(&[("b", "b", b"z")], b"", b"");
        let inner_local = &inner[..LOCAL_LEN + 2];
        let outer = build(&[("a", "a", inner_local)], b"", b"");
        let cd_off = u32_at(&outer, outer.len() - 6).unwrap() as usize;
        let mut z = outer[..outer.len() - END_LEN].to_vec();
        // Copy a's central record, renamed b and pointed at a's data.
        let mut rec = outer[cd_off..cd_off + CENTRAL_LEN + 1].to_vec();
        rec[20..24].copy_from_slice(&1u32.to_le_bytes());
        rec[24..28].copy_from_slice(&1u32.to_le_bytes());
        rec[42..46].copy_from_slice(&((LOCAL_LEN + 1) as u32).to_le_bytes());
        rec[CENTRAL_LEN] = b'b';
        z.extend(&rec);
        let mut end = outer[outer.len() - END_LEN..].to_vec();
        end[8..10].copy_from_slice(&2u16.to_le_bytes());
        end[10..12].copy_from_slice(&2u16.to_le_bytes());
        let size = u32_at(&end, 12).unwrap() + rec.len() as u32;
        end[12..16].copy_from_slice(&size.to_le_bytes());
        z.extend(end);
        let e = check(&z, 64).unwrap_err().to_string();
        assert!(e.contains("overlaps"), "{e}");
    }

    #[test]
    fn truncations_never_panic() {
        let z = build(&[("a", "a", b"x"), ("b", "b", b"yz")], b"", b"");
        for n in 0..z.len() {
            let _ = check(&z[..n], 64);
            let mut flipped = z.clone();
            flipped[n] ^= 0xFF;
            let _ = check(&flipped, 64);
        }
        assert!(check(b"", 64).is_err());
    }
}
