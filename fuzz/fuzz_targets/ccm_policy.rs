//! The CCM policy parsers (source form, lint, canonical form) and queries: untrusted text must
//! never panic, and whatever parses must survive the trip through the canonical form.
#![no_main]

use kmi::ccm::policy::{lint, App, Date, Policy, Query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let problems = lint(data);
    let parsed = Policy::parse_source(data);
    assert_eq!(problems.is_empty(), parsed.is_ok());
    if let Ok(policy) = parsed {
        let canonical = policy.canonical_bytes();
        let again = Policy::parse_canonical(&canonical).expect("canonical bytes parse");
        assert_eq!(again.canonical_bytes(), canonical);
        for (app, alg) in [
            (App::Ssl, "TLS_DHE_DSS_WITH_RC4_128_SHA"),
            (App::Ssl, "TLS_AES_128_GCM_SHA256"),
            (App::Smime, "RSA"),
            (App::Capi, "3DES"),
        ] {
            for (bits, country, recovery) in [
                (Some(1024), Some(*b"FR"), false),
                (None, None, true),
                (Some(0), Some(*b"ZZ"), true),
            ] {
                let q = Query {
                    app,
                    alg: alg.into(),
                    bits,
                    country,
                    recovery,
                    today: Date::from_days_since_epoch(20_000),
                };
                let _ = policy.decide(&q).expect("known algorithms");
            }
        }
    }
    if let Ok(policy) = Policy::parse_canonical(data) {
        assert_eq!(policy.canonical_bytes(), data);
    }
});
