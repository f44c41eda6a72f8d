//! PEM armor (RFC 7468) and PEM/DER detection, in one place.

use crate::{Error, Result};

/// Input after armor removal: the DER bytes and, for PEM, its label.
pub struct Armored {
    pub label: Option<String>,
    pub der: Vec<u8>,
}

/// PEM when the text starts (after whitespace) with `-----BEGIN `, otherwise DER as it is.
pub fn decode_armor(bytes: &[u8]) -> Result<Armored> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let trimmed = &bytes[start..];
    if trimmed.starts_with(b"-----BEGIN ") {
        let (label, der) = pem_rfc7468::decode_vec(trimmed)
            .map_err(|e| Error::format(format!("malformed PEM: {e}")))?;
        Ok(Armored { label: Some(label.to_string()), der })
    } else if trimmed.first() == Some(&0x30) {
        Ok(Armored { label: None, der: bytes.to_vec() })
    } else {
        Err(Error::format("neither PEM nor DER (expected '-----BEGIN' or a DER SEQUENCE)"))
    }
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
    fn garbage_is_rejected() {
        assert!(decode_armor(b"hello").is_err());
        assert!(decode_armor(b"-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n").is_err());
    }
}
