//! Structure-aware fuzzing of the numbers inside well-formed threshold files (issue 18): valid
//! keys, sets, shares and partials are decoded, one INTEGER inside them (at any depth, including
//! inside the key's BIT/OCTET STRING) is replaced by 0, 1, 2, 3, N - 1, N, N + 1, bytes from the
//! input or a huge value, the DER is re-encoded, and every reader runs on the result. The base
//! objects come from seeded small keys (a 256-bit safe-prime RSA key, a 128-bit safe-prime ElGamal
//! group), made once per process. Nothing may panic or run unbounded.
#![no_main]

use std::sync::OnceLock;

use der::Encode;
use libfuzzer_sys::fuzz_target;

use kmi::keys::{decode_key, encode_private, Key, PrivateKey};
use kmi::rng::KmiRng;
use kmi::threshold::set::{split, Operation, ShareSet, SplitOptions};
use kmi::threshold::file::{PartialFile, ShareFile, Purpose};

struct Base {
    /// (DER, modulus bytes) of each object to mutate.
    objects: Vec<(Vec<u8>, Vec<u8>)>,
    ciphertext: Vec<u8>,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut rng = KmiRng::new(Some("5eed")).expect("seed");
        let cfg = kmi::math::prime::SearchConfig { threads: 1 };
        let params = kmi::keys::rsa::RsaGenParams {
            bits: 256,
            safe: true,
            e: 65537u32.into(),
        };
        let rsa =
            kmi::keys::rsa::generate(&params, &mut rng, &cfg, &kmi::keys::Quiet).expect("rsa");
        let group = kmi::keys::elgamal::generate_group(
            kmi::keys::elgamal::GroupSpec::SafePrime { bits: 128 },
            &mut rng,
            &cfg,
            &kmi::keys::Quiet,
        )
        .expect("group");
        let eg = kmi::keys::elgamal::generate_key(group, &mut rng);
        let n_bytes = rsa.public.n.to_bytes_be();
        let p_bytes = eg.public.group.p.to_bytes_be();
        let mut objects = Vec::new();
        let ciphertext = {
            let mut c = vec![0u8; n_bytes.len()];
            c[n_bytes.len() - 1] = 7;
            c
        };
        for (key, modulus) in [
            (PrivateKey::Rsa(rsa), n_bytes.clone()),
            (PrivateKey::ElGamal(eg), p_bytes),
        ] {
            let pem = encode_private(&key, true, None, &mut rng).expect("key der");
            objects.push((pem.to_vec(), modulus.clone()));
            for purpose in [Purpose::Decrypt, Purpose::Sign] {
                if matches!(key, PrivateKey::ElGamal(_)) && purpose == Purpose::Sign {
                    continue;
                }
                let options = SplitOptions::new(2, 3, purpose);
                let (set, shares) = split(&key, &options, &mut rng).expect("split");
                objects.push((set.file.to_der().expect("set der"), modulus.clone()));
                objects.push((shares[0].to_der().expect("share der"), modulus.clone()));
                if purpose == Purpose::Decrypt && matches!(key, PrivateKey::Rsa(_)) {
                    let opened = set.open(&shares[1]).expect("open");
                    let prepared = set
                        .prepare(Operation::RsaDecrypt, &ciphertext)
                        .expect("prepare");
                    let partial = set.partial(&opened, &prepared, &mut rng).expect("partial");
                    objects.push((partial.to_der().expect("partial der"), modulus.clone()));
                }
            }
        }
        Base {
            objects,
            ciphertext,
        }
    })
}

/// A DER node: a primitive TLV or a constructed one with children. BIT STRING (with a zero
/// unused-bits octet) and OCTET STRING contents that parse as DER are descended into.
enum Node {
    Leaf(u8, Vec<u8>),
    Tree(u8, Vec<Node>, bool),
}

fn parse(mut bytes: &[u8], depth: u32) -> Option<Vec<Node>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let tag = *bytes.first()?;
        let first = *bytes.get(1)? as usize;
        let (len, hdr) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            if n == 0 || n > 4 {
                return None;
            }
            let mut len = 0usize;
            for i in 0..n {
                len = (len << 8) | *bytes.get(2 + i)? as usize;
            }
            (len, 2 + n)
        };
        let content = bytes.get(hdr..hdr.checked_add(len)?)?;
        let node = if tag & 0x20 != 0 && depth < 12 {
            Node::Tree(tag, parse(content, depth + 1)?, false)
        } else if tag == 0x03 && content.first() == Some(&0) && depth < 12 {
            match parse(&content[1..], depth + 1) {
                Some(kids) if !kids.is_empty() => Node::Tree(tag, kids, true),
                _ => Node::Leaf(tag, content.to_vec()),
            }
        } else if tag == 0x04 && depth < 12 {
            match parse(content, depth + 1) {
                Some(kids) if !kids.is_empty() => Node::Tree(tag, kids, false),
                _ => Node::Leaf(tag, content.to_vec()),
            }
        } else {
            Node::Leaf(tag, content.to_vec())
        };
        out.push(node);
        bytes = &bytes[hdr + len..];
    }
    Some(out)
}

fn encode(nodes: &[Node], out: &mut Vec<u8>) {
    for node in nodes {
        let (tag, content) = match node {
            Node::Leaf(tag, c) => (*tag, c.clone()),
            Node::Tree(tag, kids, bitstring) => {
                let mut c = Vec::new();
                if *bitstring {
                    c.push(0);
                }
                encode(kids, &mut c);
                (*tag, c)
            }
        };
        out.push(tag);
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let b = (len as u32).to_be_bytes();
            let skip = b.iter().take_while(|&&x| x == 0).count();
            out.push(0x80 | (4 - skip) as u8);
            out.extend_from_slice(&b[skip..]);
        }
        out.extend_from_slice(&content);
    }
}

/// The `target`-th INTEGER in document order; `count` counts them.
fn integer_at<'a>(
    nodes: &'a mut [Node],
    target: usize,
    count: &mut usize,
) -> Option<&'a mut Vec<u8>> {
    for node in nodes.iter_mut() {
        match node {
            Node::Leaf(0x02, c) => {
                if *count == target {
                    return Some(c);
                }
                *count += 1;
            }
            Node::Tree(_, kids, _) => {
                if let Some(c) = integer_at(kids, target, count) {
                    return Some(c);
                }
            }
            Node::Leaf(..) => {}
        }
    }
    None
}

/// Big-endian unsigned bytes plus or minus one.
fn add_one(v: &[u8], up: bool) -> Vec<u8> {
    let mut out = v.to_vec();
    for b in out.iter_mut().rev() {
        if up {
            let (r, carry) = b.overflowing_add(1);
            *b = r;
            if !carry {
                return out;
            }
        } else {
            let (r, borrow) = b.overflowing_sub(1);
            *b = r;
            if !borrow {
                return out;
            }
        }
    }
    if up {
        out.insert(0, 1);
    }
    out
}

/// A DER INTEGER's content for a non-negative big-endian value.
fn der_unsigned(v: &[u8]) -> Vec<u8> {
    let skip = v.iter().take_while(|&&b| b == 0).count();
    let mut out: Vec<u8> = v[skip..].to_vec();
    if out.first().map_or(true, |&b| b & 0x80 != 0) {
        out.insert(0, 0);
    }
    out
}

fn readers(der: &[u8], base: &Base) {
    let mut rng = KmiRng::new(Some("f022")).expect("seed");
    let no_pass = || Err(kmi::Error::invalid("no passphrase in fuzzing"));
    if let Ok(key) = decode_key(der, std::path::Path::new("fuzz"), &no_pass) {
        if key.public().bits() <= 1024 {
            let _ = kmi::keys::check::check_key(&key, true);
            let _ =
                kmi::threshold::validate::registration_check(&Key::Public(key.public()), "fuzz");
            if let Key::Private(k) = &key {
                let _ = split(k, &SplitOptions::new(2, 3, Purpose::Decrypt), &mut rng);
            }
        }
    }
    let mut sets = Vec::new();
    if let Ok(set) = ShareSet::from_der(der) {
        sets.push(set);
    }
    let share = ShareFile::from_der_checked(der).ok();
    if let Some(s) = &share {
        if let Ok(set) = ShareSet::from_file(s.set.clone()) {
            sets.push(set);
        }
    }
    let partial = PartialFile::from_der_checked(der).ok();
    for set in &sets {
        if set.public.public_key().bits() > 1024 {
            continue;
        }
        let _ = set.check_public();
        if let Some(s) = &share {
            if let Ok(opened) = set.open(s) {
                let _ = set.verify_share(&opened);
                let _ = set.batch_verify(std::slice::from_ref(&opened), &mut rng);
                let _ = set.test_messages(std::slice::from_ref(&opened), &mut rng);
                let _ = set.reconstruct(std::slice::from_ref(&opened), &mut rng);
                if let Ok(prepared) = set.prepare(Operation::RsaDecrypt, &base.ciphertext) {
                    let _ = set.partial(&opened, &prepared, &mut rng);
                }
            }
        }
    }
    // A partial is checked against the unmutated RSA decrypt set.
    if let Some(p) = partial {
        if let Some((set_der, _)) = base.objects.get(1) {
            if let Ok(set) = ShareSet::from_der(set_der) {
                if let Ok(prepared) = set.prepare(Operation::RsaDecrypt, &base.ciphertext) {
                    let _ = set.check_partial(&p, &prepared);
                    let _ = set.combine(&[p.clone(), p], &prepared);
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let base = base();
    let [which, target, kind, rest @ ..] = data else {
        return;
    };
    let Some((der, modulus)) = base.objects.get(*which as usize % base.objects.len()) else {
        return;
    };
    let Some(mut nodes) = parse(der, 0) else {
        return;
    };
    let mut count = 0;
    // Count the INTEGERs first so `target` picks one of them.
    while integer_at(&mut nodes, count, &mut 0).is_some() {
        count += 1;
    }
    if count == 0 {
        return;
    }
    let value: Vec<u8> = match kind % 10 {
        0 => vec![0],
        1 => vec![1],
        2 => vec![2],
        3 => vec![3],
        4 => add_one(modulus, false),
        5 => modulus.clone(),
        6 => add_one(modulus, true),
        7 => rest.to_vec(),
        8 => {
            let mut huge = vec![0xffu8; 2100 + rest.len() % 64];
            huge[0] = 0x7f;
            huge
        }
        _ => {
            let mut v = modulus.clone();
            for (b, r) in v.iter_mut().zip(rest) {
                *b ^= r;
            }
            v
        }
    };
    if let Some(slot) = integer_at(&mut nodes, *target as usize % count, &mut 0) {
        *slot = der_unsigned(&value);
    }
    let mut out = Vec::new();
    encode(&nodes, &mut out);
    readers(&out, base);
});
