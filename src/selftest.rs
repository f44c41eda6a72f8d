//! Known-answer tests of every primitive kmi relies on, run by `kmi selftest` the way a product
//! checks a crypto provider before trusting it. Expected values come from the standards that
//! define the primitives (FIPS 180-4, FIPS 197, SP 800-38A, RFC 7914, RFC 7539) or, for RSA and
//! modular exponentiation, from independent implementations (openssl, Python) at the time the
//! test was written.

use aes::cipher::{BlockEncrypt, BlockEncryptMut, KeyInit, KeyIvInit};
use num_bigint::BigUint;
use rand_core::{RngCore, SeedableRng};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::math::prime::{is_probable_prime, miller_rabin};

#[derive(Debug, Clone, Serialize)]
pub struct SelfTestResult {
    pub name: &'static str,
    pub passed: bool,
}

type Test = (&'static str, fn() -> bool);

const TESTS: &[Test] = &[
    ("SHA-256 (FIPS 180-4 'abc')", sha256_kat),
    ("modular exponentiation (2^521-1 modulus)", modexp_kat),
    (
        "Miller-Rabin round (strong pseudoprime 2047 to base 2)",
        miller_rabin_kat,
    ),
    ("primality: known primes", known_primes),
    (
        "primality: composites and Carmichael numbers",
        known_composites,
    ),
    ("RSA PKCS#1 v1.5 SHA-256 signature (openssl-made)", rsa_kat),
    ("AES-256 block (FIPS 197 C.3)", aes_kat),
    ("AES-256-CBC (SP 800-38A F.2.5)", aes_cbc_kat),
    ("PBKDF2-HMAC-SHA256 (RFC 7914 section 11)", pbkdf2_kat),
    ("scrypt (RFC 7914 section 12)", scrypt_kat),
    (
        "ChaCha20 seeded stream (RFC 7539 2.3.2 keystream)",
        chacha_kat,
    ),
];

/// Run every known-answer test.
pub fn run_all() -> Vec<SelfTestResult> {
    TESTS
        .iter()
        .map(|(name, f)| SelfTestResult { name, passed: f() })
        .collect()
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test vectors are valid hex")
}

fn big(s: &str) -> BigUint {
    BigUint::parse_bytes(s.as_bytes(), 16).expect("test vectors are valid hex")
}

fn sha256_kat() -> bool {
    Sha256::digest(b"abc").as_slice()
        == unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

fn modexp_kat() -> bool {
    let m = (BigUint::from(1u8) << 521usize) - 1u8;
    let r = big("123456789abcdef0fedcba").modpow(&big("fedcba9876543210123456789"), &m);
    r == big("1f4530f15d64fb6364fe2c2fdc8ca3b55a52786505da33bebf8ecc660934f473ca28a7e769411e9e3ccd073918b2142876bd1f862be392706021ccf17657fecb582")
}

fn miller_rabin_kat() -> bool {
    // 2047 = 23 * 89 passes a base-2 round; base 3 exposes it.
    miller_rabin(&2047u32.into(), &2u32.into()) && !miller_rabin(&2047u32.into(), &3u32.into())
}

fn known_primes() -> bool {
    let one = BigUint::from(1u8);
    [
        BigUint::from(2u8),
        BigUint::from(65537u32),
        (&one << 127usize) - &one,
        (&one << 521usize) - &one,
        big("fd6efc35b31475cb8c5f84b7b06f7d62bd9d604448e9109894852b7d10384e19"),
    ]
    .iter()
    .all(is_probable_prime)
}

fn known_composites() -> bool {
    let one = BigUint::from(1u8);
    [
        BigUint::from(1u8),
        BigUint::from(561u32),
        BigUint::from(41041u32),
        BigUint::from(825265u32),
        BigUint::from(3215031751u64),
        BigUint::from(3825123056546413051u64),
        (&one << 128usize) + &one,
        big("fd6efc35b31475cb8c5f84b7b06f7d62bd9d604448e9109894852b7d10384e19")
            * big("c2ea93c0af3eb2dd8d53399acf88fb1fb133e83e87e37dd516f7cb80f1f01c41"),
    ]
    .iter()
    .all(|n| !is_probable_prime(n))
}

/// A 512-bit key and its signature over "abc", both made by `openssl genpkey` / `openssl dgst`.
fn rsa_kat() -> bool {
    let n = big("c0f654d8b658206f45ecdd6d74b2a56146b9db15b3c860d4527e6c40298af319dabde8919f3c53e659032678275f71f331b199dd312219010a49ce5607469059");
    let d = big("5954b0caf2ffb1645236e9fbb63ece194ea8d42823e6ec0cdf73efa1749a0318717f6b15d3090f1f77a43dd2d0c0f751a0a640835a7dbf7da231aaaff10e9801");
    let e = BigUint::from(65537u32);
    let expected = big("99cfba7b48113580c69ed303808ca1b719b60fce26da56bc0f56edd2b4a3b827f2388ffc735925327ffaeba51978118cbd6481c563e7770f342b657d94be7fe9");
    let Ok(em) = crate::crypt::rsa_pad::emsa_pkcs1_v15_sha256(&Sha256::digest(b"abc").into(), 64)
    else {
        return false;
    };
    let m = BigUint::from_bytes_be(&em);
    let sig = m.modpow(&d, &n);
    sig == expected && sig.modpow(&e, &n) == m && rsa_crate_agrees(&n, &e, &d, &expected)
}

/// The rsa crate (used for OAEP and signatures elsewhere) signs the same message identically.
fn rsa_crate_agrees(n: &BigUint, e: &BigUint, d: &BigUint, expected: &BigUint) -> bool {
    use rsa::{BigUint as RsaUint, Pkcs1v15Sign, RsaPrivateKey};
    let conv = |x: &BigUint| RsaUint::from_bytes_be(&x.to_bytes_be());
    let Ok(key) = RsaPrivateKey::from_components(conv(n), conv(e), conv(d), vec![]) else {
        return false;
    };
    let digest = Sha256::digest(b"abc");
    match key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest) {
        Ok(sig) => sig == expected.to_bytes_be(),
        Err(_) => false,
    }
}

fn aes_kat() -> bool {
    let key = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    let cipher = aes::Aes256::new_from_slice(&key).expect("32-byte key");
    let mut block = aes::Block::clone_from_slice(&unhex("00112233445566778899aabbccddeeff"));
    cipher.encrypt_block(&mut block);
    block.as_slice() == unhex("8ea2b7ca516745bfeafc49904b496089")
}

fn aes_cbc_kat() -> bool {
    let key = unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    let iv = unhex("000102030405060708090a0b0c0d0e0f");
    let mut enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv).expect("sizes");
    let mut block = aes::Block::clone_from_slice(&unhex("6bc1bee22e409f96e93d7e117393172a"));
    enc.encrypt_block_mut(&mut block);
    block.as_slice() == unhex("f58c4c04d6e5f1ba779eabfb5f7bfbd6")
}

fn pbkdf2_kat() -> bool {
    let mut out = [0u8; 64];
    pbkdf2::pbkdf2_hmac::<Sha256>(b"passwd", b"salt", 1, &mut out);
    out.as_slice() == unhex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
}

fn scrypt_kat() -> bool {
    let mut out = [0u8; 64];
    let Ok(params) = scrypt::Params::new(4, 1, 1, 64) else {
        return false;
    };
    scrypt::scrypt(b"", b"", &params, &mut out).is_ok()
        && out.as_slice() == unhex("77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
}

fn chacha_kat() -> bool {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([0u8; 32]);
    let mut out = [0u8; 32];
    rng.fill_bytes(&mut out);
    out.as_slice() == unhex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_known_answer_test_passes() {
        for r in super::run_all() {
            assert!(r.passed, "{} failed", r.name);
        }
    }
}
