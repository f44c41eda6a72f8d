//! The TLS cipher suites a CCM may name in `ssl.suite.<IANA name>` keys.
//!
//! A closed table rather than "any name": a typo in a signed policy would otherwise silently
//! allow or deny nothing. Code points are from the IANA TLS Cipher Suites registry (RFC 2246,
//! 4346, 5246, 5288, 5289, 8422, 7905, 8446), except 0x0062-0x0066, which come from the 1999
//! draft-ietf-tls-56-bit-ciphersuites and which IANA lists only as "reserved to avoid conflicts
//! with widely deployed implementations"; their names are the draft's.

use serde::Serialize;

/// How a suite agrees on its keys, which decides the policy key that limits the key size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KeyExchange {
    /// RSA key transport (including the RSA_EXPORT suites): limited by `ssl.rsa.max_bits`.
    Rsa,
    /// Ephemeral finite-field Diffie-Hellman: limited by `ssl.dh.max_bits`.
    DheDss,
    DheRsa,
    /// Elliptic-curve suites: the schema has no EC size key, so the suite key alone decides.
    EcdheRsa,
    EcdheEcdsa,
    /// TLS 1.3 suites name no key exchange (any (EC)DHE group): the suite key alone decides.
    Tls13,
}

impl KeyExchange {
    /// The policy key holding the largest key size allowed for this exchange, if the schema has
    /// one.
    pub fn limit_key(self) -> Option<&'static str> {
        match self {
            KeyExchange::Rsa => Some("ssl.rsa.max_bits"),
            KeyExchange::DheDss | KeyExchange::DheRsa => Some("ssl.dh.max_bits"),
            KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa | KeyExchange::Tls13 => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyExchange::Rsa => "RSA",
            KeyExchange::DheDss => "DHE_DSS",
            KeyExchange::DheRsa => "DHE_RSA",
            KeyExchange::EcdheRsa => "ECDHE_RSA",
            KeyExchange::EcdheEcdsa => "ECDHE_ECDSA",
            KeyExchange::Tls13 => "TLS 1.3 (any)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CipherSuite {
    /// The IANA (or, for 0x0062-0x0066, the draft's) name, as written in policy keys.
    pub name: &'static str,
    pub code: u16,
    pub kx: KeyExchange,
    pub cipher: &'static str,
    /// Effective symmetric strength: DES 56 (not 64), 3DES 112 (meet in the middle, not 168),
    /// export ciphers their exported key bits.
    pub bits: u16,
    /// An export-grade suite (RSA_EXPORT, EXPORT1024 or a 40/56-bit cipher for export).
    pub export: bool,
    /// The suite's own key-exchange size limit, whatever the policy says: the largest RSA or DH
    /// public key its key exchange may use. RSA_EXPORT and DHE_*_EXPORT (RFC 2246 appendix C):
    /// 512 bits; RSA_EXPORT1024 and DHE_DSS_EXPORT1024 (the 1999 export draft, section 4): 1024
    /// bits. A server whose RSA certificate key is larger sends a temporary RSA key of at most
    /// this size in its server key exchange (the draft's section 5).
    pub kx_limit: Option<u16>,
}

use KeyExchange::*;

const fn suite(
    name: &'static str,
    code: u16,
    kx: KeyExchange,
    cipher: &'static str,
    bits: u16,
    export: bool,
) -> CipherSuite {
    // The limit follows from the name, as both specifications define it: EXPORT1024 suites 1024
    // bits, the other export key exchanges (RSA_EXPORT, DHE_DSS_EXPORT, DHE_RSA_EXPORT) 512.
    let kx_limit = if contains(name, b"_EXPORT1024_") {
        Some(1024)
    } else if contains(name, b"_EXPORT_") {
        Some(512)
    } else {
        None
    };
    CipherSuite {
        name,
        code,
        kx,
        cipher,
        bits,
        export,
        kx_limit,
    }
}

/// `needle` occurs in `hay` (a const fn: the suite table is a static).
const fn contains(hay: &str, needle: &[u8]) -> bool {
    let h = hay.as_bytes();
    let mut i = 0;
    while i + needle.len() <= h.len() {
        let mut j = 0;
        while j < needle.len() && h[i + j] == needle[j] {
            j += 1;
        }
        if j == needle.len() {
            return true;
        }
        i += 1;
    }
    false
}

/// Sorted by code point.
#[rustfmt::skip]
pub static SUITES: &[CipherSuite] = &[
    suite("TLS_RSA_EXPORT_WITH_RC4_40_MD5", 0x0003, Rsa, "RC4_40", 40, true),
    suite("TLS_RSA_WITH_RC4_128_MD5", 0x0004, Rsa, "RC4_128", 128, false),
    suite("TLS_RSA_WITH_RC4_128_SHA", 0x0005, Rsa, "RC4_128", 128, false),
    suite("TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", 0x0006, Rsa, "RC2_CBC_40", 40, true),
    suite("TLS_RSA_WITH_IDEA_CBC_SHA", 0x0007, Rsa, "IDEA_CBC", 128, false),
    suite("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", 0x0008, Rsa, "DES40_CBC", 40, true),
    suite("TLS_RSA_WITH_DES_CBC_SHA", 0x0009, Rsa, "DES_CBC", 56, false),
    suite("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A, Rsa, "3DES_EDE_CBC", 112, false),
    suite("TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", 0x0011, DheDss, "DES40_CBC", 40, true),
    suite("TLS_DHE_DSS_WITH_DES_CBC_SHA", 0x0012, DheDss, "DES_CBC", 56, false),
    suite("TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", 0x0013, DheDss, "3DES_EDE_CBC", 112, false),
    suite("TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", 0x0014, DheRsa, "DES40_CBC", 40, true),
    suite("TLS_DHE_RSA_WITH_DES_CBC_SHA", 0x0015, DheRsa, "DES_CBC", 56, false),
    suite("TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", 0x0016, DheRsa, "3DES_EDE_CBC", 112, false),
    suite("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F, Rsa, "AES_128_CBC", 128, false),
    suite("TLS_DHE_DSS_WITH_AES_128_CBC_SHA", 0x0032, DheDss, "AES_128_CBC", 128, false),
    suite("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0033, DheRsa, "AES_128_CBC", 128, false),
    suite("TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035, Rsa, "AES_256_CBC", 256, false),
    suite("TLS_DHE_DSS_WITH_AES_256_CBC_SHA", 0x0038, DheDss, "AES_256_CBC", 256, false),
    suite("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0x0039, DheRsa, "AES_256_CBC", 256, false),
    suite("TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003C, Rsa, "AES_128_CBC", 128, false),
    suite("TLS_RSA_WITH_AES_256_CBC_SHA256", 0x003D, Rsa, "AES_256_CBC", 256, false),
    suite("TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", 0x0062, Rsa, "DES_CBC", 56, true),
    suite("TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", 0x0063, DheDss, "DES_CBC", 56, true),
    suite("TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", 0x0064, Rsa, "RC4_56", 56, true),
    suite("TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", 0x0065, DheDss, "RC4_56", 56, true),
    suite("TLS_DHE_DSS_WITH_RC4_128_SHA", 0x0066, DheDss, "RC4_128", 128, false),
    suite("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 0x0067, DheRsa, "AES_128_CBC", 128, false),
    suite("TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 0x006B, DheRsa, "AES_256_CBC", 256, false),
    suite("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C, Rsa, "AES_128_GCM", 128, false),
    suite("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D, Rsa, "AES_256_GCM", 256, false),
    suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009E, DheRsa, "AES_128_GCM", 128, false),
    suite("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x009F, DheRsa, "AES_256_GCM", 256, false),
    suite("TLS_AES_128_GCM_SHA256", 0x1301, Tls13, "AES_128_GCM", 128, false),
    suite("TLS_AES_256_GCM_SHA384", 0x1302, Tls13, "AES_256_GCM", 256, false),
    suite("TLS_CHACHA20_POLY1305_SHA256", 0x1303, Tls13, "CHACHA20_POLY1305", 256, false),
    suite("TLS_AES_128_CCM_SHA256", 0x1304, Tls13, "AES_128_CCM", 128, false),
    suite("TLS_AES_128_CCM_8_SHA256", 0x1305, Tls13, "AES_128_CCM_8", 128, false),
    suite("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", 0xC007, EcdheEcdsa, "RC4_128", 128, false),
    suite("TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", 0xC008, EcdheEcdsa, "3DES_EDE_CBC", 112, false),
    suite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC009, EcdheEcdsa, "AES_128_CBC", 128, false),
    suite("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xC00A, EcdheEcdsa, "AES_256_CBC", 256, false),
    suite("TLS_ECDHE_RSA_WITH_RC4_128_SHA", 0xC011, EcdheRsa, "RC4_128", 128, false),
    suite("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 0xC012, EcdheRsa, "3DES_EDE_CBC", 112, false),
    suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013, EcdheRsa, "AES_128_CBC", 128, false),
    suite("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xC014, EcdheRsa, "AES_256_CBC", 256, false),
    suite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC023, EcdheEcdsa, "AES_128_CBC", 128, false),
    suite("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xC024, EcdheEcdsa, "AES_256_CBC", 256, false),
    suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC027, EcdheRsa, "AES_128_CBC", 128, false),
    suite("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xC028, EcdheRsa, "AES_256_CBC", 256, false),
    suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B, EcdheEcdsa, "AES_128_GCM", 128, false),
    suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C, EcdheEcdsa, "AES_256_GCM", 256, false),
    suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F, EcdheRsa, "AES_128_GCM", 128, false),
    suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030, EcdheRsa, "AES_256_GCM", 256, false),
    suite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8, EcdheRsa, "CHACHA20_POLY1305", 256, false),
    suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9, EcdheEcdsa, "CHACHA20_POLY1305", 256, false),
    suite("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCAA, DheRsa, "CHACHA20_POLY1305", 256, false),
];

/// The suite with exactly this name (policy keys are case-sensitive).
pub fn by_name(name: &str) -> Option<&'static CipherSuite> {
    SUITES.iter().find(|s| s.name == name)
}

/// The suite with this name in any case, for names typed on a command line.
pub fn by_name_ignore_case(name: &str) -> Option<&'static CipherSuite> {
    SUITES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

pub fn by_code(code: u16) -> Option<&'static CipherSuite> {
    SUITES.iter().find(|s| s.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_code_points_are_unique_and_sorted() {
        for pair in SUITES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} / {}",
                pair[0].name,
                pair[1].name
            );
        }
        for (i, a) in SUITES.iter().enumerate() {
            assert!(a.name.starts_with("TLS_"), "{}", a.name);
            assert!(a
                .name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'));
            for b in &SUITES[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn the_1999_export_suites_are_as_the_draft_defines_them() {
        let expect = [
            ("TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", 0x0062, Rsa, 56, true),
            (
                "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA",
                0x0063,
                DheDss,
                56,
                true,
            ),
            ("TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", 0x0064, Rsa, 56, true),
            (
                "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA",
                0x0065,
                DheDss,
                56,
                true,
            ),
            ("TLS_DHE_DSS_WITH_RC4_128_SHA", 0x0066, DheDss, 128, false),
        ];
        for (name, code, kx, bits, export) in expect {
            let s = by_name(name).unwrap();
            assert_eq!(
                (s.code, s.kx, s.bits, s.export),
                (code, kx, bits, export),
                "{name}"
            );
            assert_eq!(by_code(code), Some(s));
        }
    }

    #[test]
    fn export_suites_carry_their_key_exchange_limit() {
        let limits: Vec<(&str, Option<u16>)> = SUITES
            .iter()
            .filter(|s| s.kx_limit.is_some())
            .map(|s| (s.name, s.kx_limit))
            .collect();
        assert_eq!(
            limits,
            [
                ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", Some(512)),
                ("TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", Some(512)),
                ("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", Some(512)),
                ("TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", Some(512)),
                ("TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", Some(512)),
                ("TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", Some(1024)),
                ("TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", Some(1024)),
                ("TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", Some(1024)),
                ("TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", Some(1024)),
            ]
        );
        // Every suite with a limit is an export suite, and every export key exchange has one.
        for s in SUITES {
            assert_eq!(s.kx_limit.is_some(), s.export, "{}", s.name);
        }
    }

    #[test]
    fn classic_and_current_code_points() {
        let expect = [
            ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", 0x0003),
            ("TLS_RSA_WITH_RC4_128_MD5", 0x0004),
            ("TLS_RSA_WITH_RC4_128_SHA", 0x0005),
            ("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", 0x0008),
            ("TLS_RSA_WITH_DES_CBC_SHA", 0x0009),
            ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A),
            ("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F),
            ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0033),
            ("TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035),
            ("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009E),
            ("TLS_AES_128_GCM_SHA256", 0x1301),
            ("TLS_AES_256_GCM_SHA384", 0x1302),
            ("TLS_CHACHA20_POLY1305_SHA256", 0x1303),
            ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F),
            ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C),
            ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8),
            ("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCAA),
        ];
        for (name, code) in expect {
            assert_eq!(by_name(name).map(|s| s.code), Some(code), "{name}");
        }
    }

    #[test]
    fn lookup_is_exact_unless_asked_otherwise() {
        assert!(by_name("tls_rsa_with_rc4_128_sha").is_none());
        assert_eq!(
            by_name_ignore_case("tls_rsa_with_rc4_128_sha").map(|s| s.code),
            Some(0x0005)
        );
        assert!(by_name("TLS_FOO").is_none());
        assert_eq!(
            by_name("TLS_AES_128_GCM_SHA256").unwrap().kx.limit_key(),
            None
        );
        assert_eq!(
            by_name("TLS_RSA_EXPORT1024_WITH_RC4_56_SHA")
                .unwrap()
                .kx
                .limit_key(),
            Some("ssl.rsa.max_bits")
        );
        assert_eq!(
            by_name("TLS_DHE_DSS_WITH_RC4_128_SHA")
                .unwrap()
                .kx
                .limit_key(),
            Some("ssl.dh.max_bits")
        );
    }
}
