//! The commented source-form policies `kmi ccm template` writes: a 1999-style export policy and
//! a domestic one.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// A 1999-style export policy: export suites, 512-bit RSA for S/MIME unless a recovery
    /// agent holds the key, an embargo list.
    Export,
    /// A domestic policy: today's suites, no size limits, no country check.
    Domestic,
}

const TEMPLATE_HEADER: &str = "\
# CCM policy, source form. One `key = value` per line; `#` comment lines and blank
# lines are allowed. `kmi ccm fmt` writes the canonical form, which `kmi ccm sign` signs.
# Values: bits = 0 (not allowed) / 1..65535 / unlimited; bool = true / false;
# countries = ISO 3166 alpha-2 codes (upper case, comma-separated) or *.
# An absent bits key is 0, an absent suite is disabled, an absent bool is false
# (except enforce.fail_closed, which is true when absent).
# ccm.version is this policy's revision: raise it for each new policy with the same ccm.id
# (kmi ccm check/verify --state refuses an older one once a newer one was accepted).

ccm.version = 1
";

const EXPORT_BODY: &str = "\
ccm.id = export-1999
# Every query after this day (UTC) is denied. Set the day your policy ends.
ccm.expires = 2099-12-31

# Deny a query that leaves out a fact a check needs (its country, its key size).
enforce.fail_closed = true
# Every query must name a country that is in countries.allow and not in countries.deny.
enforce.country_check = true
# Keys larger than max_bits need a recovery agent (and are then allowed up to
# recovery.max_bits).
enforce.recovery_agent_required = true

countries.allow = *
# The embargoed destinations of 1999: Cuba, Iraq, Iran, North Korea, Libya, Sudan, Syria.
countries.deny = CU,IQ,IR,KP,LY,SD,SY

# SSL/TLS: export suites only (40- and 56-bit ciphers), key exchange keys up to 1024 bits.
ssl.suite.TLS_RSA_EXPORT_WITH_RC4_40_MD5 = true
ssl.suite.TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5 = true
ssl.suite.TLS_RSA_EXPORT_WITH_DES40_CBC_SHA = true
ssl.suite.TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA = true
ssl.suite.TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA = true
ssl.suite.TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA = true
ssl.suite.TLS_RSA_EXPORT1024_WITH_RC4_56_SHA = true
ssl.suite.TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA = true
# Full-strength suites, refused in so many words (an absent suite is refused too).
ssl.suite.TLS_DHE_DSS_WITH_RC4_128_SHA = false
ssl.suite.TLS_RSA_WITH_RC4_128_MD5 = false
ssl.suite.TLS_RSA_WITH_RC4_128_SHA = false
ssl.suite.TLS_RSA_WITH_3DES_EDE_CBC_SHA = false
ssl.rsa.max_bits = 1024
ssl.dh.max_bits = 1024

# S/MIME: 512-bit RSA key transport and 40-bit RC2; with a recovery agent, RSA up to 2048
# bits, RC2 up to 128 and DES.
smime.RSA.max_bits = 512
smime.RSA.recovery.max_bits = 2048
smime.RC2.max_bits = 40
smime.RC2.recovery.max_bits = 128
smime.DES.max_bits = 0
smime.DES.recovery.max_bits = 56
smime.3DES.max_bits = 0

# CryptoAPI: 512-bit key exchange, 56-bit symmetric ciphers.
capi.RSA.max_bits = 512
capi.RSA.recovery.max_bits = 1024
capi.DH.max_bits = 512
capi.DES.max_bits = 56
capi.RC2.max_bits = 56
capi.RC4.max_bits = 56
capi.3DES.max_bits = 0
";

const DOMESTIC_BODY: &str = "\
ccm.id = domestic
# Every query after this day (UTC) is denied. Set the day your policy ends.
ccm.expires = 2099-12-31

enforce.fail_closed = true
# No country check: countries.allow / countries.deny are not consulted.
enforce.country_check = false
enforce.recovery_agent_required = false

# SSL/TLS: TLS 1.3 and forward-secret AEAD suites of TLS 1.2.
ssl.suite.TLS_AES_128_GCM_SHA256 = true
ssl.suite.TLS_AES_256_GCM_SHA384 = true
ssl.suite.TLS_CHACHA20_POLY1305_SHA256 = true
ssl.suite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = true
ssl.suite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = true
ssl.suite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = true
ssl.suite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = true
ssl.suite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = true
ssl.suite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = true
ssl.suite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = true
ssl.suite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = true
# Broken or export-grade suites, refused in so many words.
ssl.suite.TLS_RSA_EXPORT_WITH_RC4_40_MD5 = false
ssl.suite.TLS_RSA_WITH_RC4_128_SHA = false
ssl.suite.TLS_RSA_WITH_DES_CBC_SHA = false
ssl.rsa.max_bits = unlimited
ssl.dh.max_bits = unlimited

# S/MIME and CryptoAPI: no size limits on today's algorithms.
smime.RSA.max_bits = unlimited
smime.EC.max_bits = unlimited
smime.AES.max_bits = 256
smime.3DES.max_bits = 168
capi.RSA.max_bits = unlimited
capi.DH.max_bits = unlimited
capi.EC.max_bits = unlimited
capi.AES.max_bits = 256
";

/// A commented source-form policy to start from (`kmi ccm template`).
pub fn template(kind: Template) -> String {
    let body = match kind {
        Template::Export => EXPORT_BODY,
        Template::Domestic => DOMESTIC_BODY,
    };
    format!("{TEMPLATE_HEADER}{body}")
}
