//! BER to DER normalisation for CMS input.
//!
//! openssl writes indefinite-length BER for streamed CMS (`-stream`, S/MIME and PEM output of
//! `cms -encrypt`), with the encrypted content split into a constructed OCTET STRING. The `der`
//! crate (and so `cms` 0.2.3) accepts DER only. [`normalize`] re-encodes:
//! - every indefinite length as a minimal definite length (X.690 8.1.3.6 to 8.1.3.2);
//! - constructed universal string types (OCTET STRING, BIT STRING, character strings) as one
//!   primitive string (X.690 8.21, 8.6.3, 8.7.3);
//! - SET and SET OF contents in DER order (X.690 11.6).
//!
//! [`normalize_cms`] also flattens the constructed `[0] IMPLICIT OCTET STRING` encryptedContent
//! of an EncryptedContentInfo (RFC 5652 section 6.1), which a generic pass cannot tell apart from an
//! EXPLICIT tag.

use crate::{Error, Result};

/// Nesting deeper than this is refused (CMS envelopes nest about ten levels).
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Node {
    /// Identifier octets (one byte, or more for high tag numbers).
    ident: Vec<u8>,
    body: Body,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Body {
    Prim(Vec<u8>),
    Cons(Vec<Node>),
}

impl Node {
    fn constructed(&self) -> bool {
        self.ident[0] & 0x20 != 0
    }
    /// Universal class (bits 8-7 zero) and a low tag number.
    fn universal_number(&self) -> Option<u8> {
        (self.ident.len() == 1 && self.ident[0] & 0xc0 == 0).then_some(self.ident[0] & 0x1f)
    }
}

/// Re-encode BER (or DER) as DER by structure. Fails on truncated or malformed input.
pub fn normalize(input: &[u8]) -> Result<Vec<u8>> {
    let node = parse_one(input)?;
    let mut out = Vec::with_capacity(input.len());
    encode(&normalize_node(node)?, &mut out);
    Ok(out)
}

/// [`normalize`], then flatten the encryptedContent `[0]` of a ContentInfo holding EnvelopedData
/// (or any content type whose SEQUENCE holds an EncryptedContentInfo-shaped element).
pub fn normalize_cms(input: &[u8]) -> Result<Vec<u8>> {
    let mut node = normalize_node(parse_one(input)?)?;
    // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
    if let Body::Cons(ci) = &mut node.body {
        if let Some(Node {
            ident,
            body: Body::Cons(inner),
        }) = ci.get_mut(1)
        {
            if ident.as_slice() == [0xa0] {
                if let Some(Node {
                    ident,
                    body: Body::Cons(fields),
                }) = inner.get_mut(0)
                {
                    if ident.as_slice() == [0x30] {
                        for f in fields.iter_mut() {
                            flatten_encrypted_content(f)?;
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::with_capacity(input.len());
    encode(&node, &mut out);
    Ok(out)
}

/// EncryptedContentInfo ::= SEQUENCE { contentType OID, contentEncryptionAlgorithm
/// AlgorithmIdentifier, encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }: make a constructed
/// `[0]` primitive.
fn flatten_encrypted_content(node: &mut Node) -> Result<()> {
    let Node {
        ident,
        body: Body::Cons(fields),
    } = node
    else {
        return Ok(());
    };
    if ident.as_slice() != [0x30] || fields.len() != 3 {
        return Ok(());
    }
    let shaped =
        fields[0].ident == [0x06] && fields[1].ident == [0x30] && fields[2].ident == [0xa0];
    if !shaped {
        return Ok(());
    }
    let mut bytes = Vec::new();
    collect_octets(&fields[2], &mut bytes)?;
    fields[2] = Node {
        ident: vec![0x80],
        body: Body::Prim(bytes),
    };
    Ok(())
}

/// The concatenated contents of a (possibly nested) constructed string's primitive segments.
fn collect_octets(node: &Node, out: &mut Vec<u8>) -> Result<()> {
    match &node.body {
        Body::Prim(b) => out.extend_from_slice(b),
        Body::Cons(children) => {
            for c in children {
                if c.ident != [0x04] && c.ident != [0x24] {
                    return Err(Error::format(
                        "a constructed OCTET STRING holds something other than OCTET STRINGs",
                    ));
                }
                collect_octets(c, out)?;
            }
        }
    }
    Ok(())
}

fn parse_one(input: &[u8]) -> Result<Node> {
    let mut pos = 0;
    let node = parse(input, &mut pos, 0)?;
    if pos != input.len() {
        return Err(Error::format(format!(
            "{} bytes of trailing data after the BER/DER structure",
            input.len() - pos
        )));
    }
    Ok(node)
}

fn truncated() -> Error {
    Error::format("truncated BER/DER data")
}

fn parse(input: &[u8], pos: &mut usize, depth: usize) -> Result<Node> {
    if depth > MAX_DEPTH {
        return Err(Error::format("BER/DER nesting is too deep"));
    }
    let start = *pos;
    let first = *input.get(*pos).ok_or_else(truncated)?;
    *pos += 1;
    if first & 0x1f == 0x1f {
        // High tag number: base-128 octets, the last without bit 8.
        loop {
            let b = *input.get(*pos).ok_or_else(truncated)?;
            *pos += 1;
            if *pos - start > 6 {
                return Err(Error::format("BER tag number too large"));
            }
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let ident = input[start..*pos].to_vec();
    let constructed = first & 0x20 != 0;
    let len_byte = *input.get(*pos).ok_or_else(truncated)?;
    *pos += 1;
    let length = match len_byte {
        0x80 => None,
        b if b < 0x80 => Some(b as usize),
        0xff => return Err(Error::format("reserved BER length octet 0xFF")),
        b => {
            let n = (b & 0x7f) as usize;
            if n > 4 {
                return Err(Error::format("BER length too large"));
            }
            let bytes = input.get(*pos..*pos + n).ok_or_else(truncated)?;
            *pos += n;
            Some(bytes.iter().fold(0usize, |acc, &x| (acc << 8) | x as usize))
        }
    };
    match (length, constructed) {
        (None, false) => Err(Error::format(
            "indefinite length on a primitive BER element",
        )),
        (None, true) => {
            let mut children = Vec::new();
            loop {
                if input.get(*pos..*pos + 2).ok_or_else(truncated)? == [0, 0] {
                    *pos += 2;
                    break;
                }
                children.push(parse(input, pos, depth + 1)?);
            }
            Ok(Node {
                ident,
                body: Body::Cons(children),
            })
        }
        (Some(len), _) => {
            let end = pos
                .checked_add(len)
                .filter(|&e| e <= input.len())
                .ok_or_else(truncated)?;
            if !constructed {
                let body = Body::Prim(input[*pos..end].to_vec());
                *pos = end;
                return Ok(Node { ident, body });
            }
            let inner = &input[..end];
            let mut children = Vec::new();
            while *pos < end {
                children.push(parse(inner, pos, depth + 1)?);
            }
            Ok(Node {
                ident,
                body: Body::Cons(children),
            })
        }
    }
}

/// Universal string types that BER may send constructed: BIT STRING (3), OCTET STRING (4),
/// UTF8String (12) and the character strings 18..=30.
fn is_string_type(n: u8) -> bool {
    matches!(n, 3 | 4 | 12 | 18..=30)
}

fn normalize_node(node: Node) -> Result<Node> {
    match node.body {
        Body::Prim(_) => Ok(node),
        Body::Cons(children) => {
            let ident = node.ident;
            let probe = Node {
                ident: ident.clone(),
                body: Body::Cons(Vec::new()),
            };
            if let Some(n) = probe.universal_number() {
                if is_string_type(n) {
                    let bytes = if n == 3 {
                        join_bit_string(&children)?
                    } else {
                        join_strings(n, &children)?
                    };
                    return Ok(Node {
                        ident: vec![n],
                        body: Body::Prim(bytes),
                    });
                }
            }
            let mut out: Vec<Node> = children
                .into_iter()
                .map(normalize_node)
                .collect::<Result<_>>()?;
            if ident == [0x31] {
                // DER: SET and SET OF elements in ascending order of their encodings.
                let mut keyed: Vec<(Vec<u8>, Node)> = out
                    .into_iter()
                    .map(|c| {
                        let mut e = Vec::new();
                        encode(&c, &mut e);
                        (e, c)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                out = keyed.into_iter().map(|(_, c)| c).collect();
            }
            Ok(Node {
                ident,
                body: Body::Cons(out),
            })
        }
    }
}

/// Segments of a constructed string must be of the same universal type (X.690 8.21.5.4).
fn join_strings(n: u8, children: &[Node]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for c in children {
        if c.universal_number() != Some(n) {
            return Err(Error::format(
                "a constructed BER string holds a segment of another type",
            ));
        }
        match &c.body {
            Body::Prim(b) => out.extend_from_slice(b),
            Body::Cons(cc) => out.extend(join_strings(n, cc)?),
        }
    }
    Ok(out)
}

/// Constructed BIT STRING (X.690 8.6.4): each segment starts with its unused-bits count; only the
/// last segment may have unused bits.
fn join_bit_string(children: &[Node]) -> Result<Vec<u8>> {
    let mut flat: Vec<&[u8]> = Vec::new();
    fn gather<'a>(children: &'a [Node], flat: &mut Vec<&'a [u8]>) -> Result<()> {
        for c in children {
            if c.universal_number() != Some(3) {
                return Err(Error::format(
                    "a constructed BIT STRING holds a segment of another type",
                ));
            }
            match &c.body {
                Body::Prim(b) => flat.push(b),
                Body::Cons(cc) => gather(cc, flat)?,
            }
        }
        Ok(())
    }
    gather(children, &mut flat)?;
    let mut out = vec![0u8];
    for (i, seg) in flat.iter().enumerate() {
        let (&unused, bits) = seg
            .split_first()
            .ok_or_else(|| Error::format("empty BIT STRING segment"))?;
        if unused > 7 || (unused != 0 && i + 1 != flat.len()) {
            return Err(Error::format("malformed constructed BIT STRING"));
        }
        out[0] = unused;
        out.extend_from_slice(bits);
    }
    Ok(out)
}

fn encode(node: &Node, out: &mut Vec<u8>) {
    out.extend_from_slice(&node.ident);
    let content = match &node.body {
        Body::Prim(b) => b.clone(),
        Body::Cons(children) => {
            let mut c = Vec::new();
            for ch in children {
                encode(ch, &mut c);
            }
            c
        }
    };
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend(content);
    debug_assert!(node.constructed() == matches!(node.body, Body::Cons(_)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_passes_through_unchanged() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa];
        assert_eq!(normalize(&der).unwrap(), der);
    }

    #[test]
    fn indefinite_lengths_become_definite() {
        // SEQUENCE (indef) { INTEGER 5, SEQUENCE (indef) { NULL } }
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            normalize(&ber).unwrap(),
            [0x30, 0x07, 0x02, 0x01, 0x05, 0x30, 0x02, 0x05, 0x00]
        );
    }

    #[test]
    fn constructed_octet_strings_are_joined() {
        // OCTET STRING (constructed, indef) { "ab", (constructed, definite) { "c" } }
        let ber = [
            0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x24, 0x03, 0x04, 0x01, b'c', 0x00, 0x00,
        ];
        assert_eq!(normalize(&ber).unwrap(), [0x04, 0x03, b'a', b'b', b'c']);
    }

    #[test]
    fn long_form_lengths_are_minimised_and_sets_sorted() {
        let ber = [0x31, 0x81, 0x06, 0x02, 0x01, 0x09, 0x02, 0x01, 0x03];
        assert_eq!(
            normalize(&ber).unwrap(),
            [0x31, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x09]
        );
    }

    #[test]
    fn bit_strings_are_joined() {
        let ber = [
            0x23, 0x80, 0x03, 0x02, 0x00, 0xff, 0x03, 0x02, 0x04, 0xf0, 0x00, 0x00,
        ];
        assert_eq!(normalize(&ber).unwrap(), [0x03, 0x03, 0x04, 0xff, 0xf0]);
    }

    #[test]
    fn encrypted_content_is_flattened_in_cms() {
        // ContentInfo { OID, [0] { SEQUENCE { INTEGER 0, SEQUENCE { OID, SEQUENCE {OID}, [0] cons { 04 "xy", 04 "z" } } } } }
        let ber = [
            0x30, 0x80, 0x06, 0x01, 0x2a, 0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x00, 0x30, 0x80,
            0x06, 0x01, 0x2a, 0x30, 0x03, 0x06, 0x01, 0x2b, 0xa0, 0x80, 0x04, 0x02, b'x', b'y',
            0x04, 0x01, b'z', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        let der = normalize_cms(&ber).unwrap();
        let want = [
            0x30, 0x19, 0x06, 0x01, 0x2a, 0xa0, 0x14, 0x30, 0x12, 0x02, 0x01, 0x00, 0x30, 0x0d,
            0x06, 0x01, 0x2a, 0x30, 0x03, 0x06, 0x01, 0x2b, 0x80, 0x03, b'x', b'y', b'z',
        ];
        assert_eq!(der, want);
    }

    #[test]
    fn malformed_input_is_refused() {
        assert!(normalize(&[0x30, 0x80, 0x02, 0x01, 0x05]).is_err()); // no end-of-contents
        assert!(normalize(&[0x04, 0x80, 0x00, 0x00]).is_err()); // indefinite primitive
        assert!(normalize(&[0x30, 0x05, 0x02, 0x01]).is_err()); // truncated
        assert!(normalize(&[0x30, 0x00, 0x00]).is_err()); // trailing data
        let mut deep = Vec::new();
        for _ in 0..100 {
            deep.extend([0x30, 0x80]);
        }
        assert!(normalize(&deep).is_err());
    }
}
