//! PEM armor (RFC 7468) and PEM/DER detection, in one place.

use base64ct::Encoding;

use crate::{Error, Result};

/// Input after armor removal: the DER bytes and, for PEM, its label.
pub struct Armored {
    pub label: Option<String>,
    pub der: Vec<u8>,
}

/// DER when the input starts with a SEQUENCE tag; otherwise the first PEM block in the text.
/// Text before and after the block is ignored, as RFC 7468 section 2 asks (openssl writes such
/// text with `-text`, and people paste keys into notes).
pub fn decode_armor(bytes: &[u8]) -> Result<Armored> {
    if bytes.first() == Some(&0x30) {
        return Ok(Armored {
            label: None,
            der: bytes.to_vec(),
        });
    }
    if bytes.starts_with(b"ssh-") || bytes.starts_with(b"ecdsa-sha2-") {
        return Err(Error::format(
            "OpenSSH public key line: convert with ssh-keygen -e -m PKCS8 -f FILE",
        ));
    }
    let block = pem_block(bytes).ok_or_else(|| {
        Error::format("neither PEM nor DER (no '-----BEGIN' line and not a DER SEQUENCE)")
    })?;
    let (label, der) = decode_block(block)?;
    Ok(Armored {
        label: Some(label),
        der,
    })
}

/// Every PEM block in the text, in order, as (label, DER); text between blocks is ignored.
pub fn decode_pem_blocks(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(block) = pem_block(rest) {
        out.push(decode_block(block)?);
        let consumed = block.as_ptr() as usize - rest.as_ptr() as usize + block.len();
        rest = &rest[consumed..];
    }
    Ok(out)
}

/// One PEM block (as [`pem_block`] cuts it) as (label, DER), read as RFC 7468 section 3 asks of
/// parsers: Base64 lines of any length (OpenSSH writes 70, MIME 76, some tools one long line),
/// CR LF or LF, and whitespace anywhere in the text. The END label must match the BEGIN label.
/// Headers (RFC 1421 `Proc-Type:`) are refused with what to do about them.
fn decode_block(block: &[u8]) -> Result<(String, Vec<u8>)> {
    let malformed = |what: &str| Error::format(format!("malformed PEM: {what}"));
    let text = std::str::from_utf8(block).map_err(|_| malformed("not text"))?;
    let mut lines = text.lines().map(|l| l.trim_end_matches([' ', '\t', '\r']));
    let first = lines.next().unwrap_or_default();
    let label = first
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| malformed("the BEGIN line does not end with -----"))?;
    let mut body = String::new();
    let mut end_label = None;
    for line in lines {
        if let Some(rest) = line.trim_start().strip_prefix("-----END ") {
            end_label = rest.strip_suffix("-----");
            break;
        }
        if line.contains(':') {
            if line.contains("ENCRYPTED") {
                return Err(Error::format(
                    "legacy encrypted PEM (Proc-Type: 4,ENCRYPTED): convert with openssl pkcs8 -topk8 -v2 aes-256-cbc",
                ));
            }
            return Err(malformed("header lines are not read (RFC 7468)"));
        }
        body.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
    }
    match end_label {
        Some(l) if l == label => {}
        Some(l) => {
            return Err(malformed(&format!(
                "the END label '{l}' does not match the BEGIN label '{label}'"
            )))
        }
        None => return Err(malformed("no END line")),
    }
    let der = base64ct::Base64::decode_vec(&body).map_err(|_| malformed("invalid Base64"))?;
    Ok((label.to_string(), der))
}

/// The bytes from the first `-----BEGIN ` line through the end of its `-----END ...-----` line.
fn pem_block(bytes: &[u8]) -> Option<&[u8]> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let begin = find(bytes, b"-----BEGIN ")?;
    // The BEGIN line must start a line.
    if begin > 0 && !matches!(bytes[begin - 1], b'\n' | b'\r') {
        return None;
    }
    let end_marker = begin + find(&bytes[begin..], b"-----END ")?;
    let after_end = end_marker + b"-----END ".len();
    let close = after_end + find(&bytes[after_end..], b"-----")? + b"-----".len();
    let line_end = match bytes[close..].iter().position(|&b| b == b'\n') {
        Some(i) => close + i + 1,
        None => bytes.len(),
    };
    Some(&bytes[begin..line_end])
}

/// PEM-encode DER under `label` with LF line endings.
pub fn encode_pem(label: &str, der: &[u8]) -> Result<String> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map_err(|e| Error::internal(format!("PEM encoding failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_and_detection() {
        let pem = encode_pem("PUBLIC KEY", &[0x30, 0x03, 0x02, 0x01, 0x05]).unwrap();
        let a = decode_armor(format!("\n{pem}").as_bytes()).unwrap();
        assert_eq!(a.label.as_deref(), Some("PUBLIC KEY"));
        assert_eq!(a.der, vec![0x30, 0x03, 0x02, 0x01, 0x05]);
        let d = decode_armor(&[0x30, 0x00]).unwrap();
        assert!(d.label.is_none());
    }

    #[test]
    fn text_around_the_block_is_ignored() {
        let pem = encode_pem("PUBLIC KEY", &[0x30, 0x00]).unwrap();
        let text = format!(
            "notes: my key\r\n{}Public-Key: (512 bit)\n",
            pem.replace('\n', "\r\n")
        );
        let a = decode_armor(text.as_bytes()).unwrap();
        assert_eq!(a.der, vec![0x30, 0x00]);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(decode_armor(b"hello").is_err());
        assert!(
            decode_armor(b"-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n").is_err()
        );
    }
}
