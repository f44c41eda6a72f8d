//! Tests of the policy: the templates and the worked examples of formats.md, query edge cases,
//! parsing, lint and the canonical form.

use super::countries::{check_country, CountryProblem, ISO_3166_ALPHA2};
use super::parse::{canonical_syntax_problem, ByteProblem, LineShape, NotCanonical};
use super::values::{classify, parse_value, KeyProblem, Kind, ValueProblem};
use super::*;

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

const IN_FORCE: &str = "2025-06-01";

fn query(app: App, alg: &str, bits: Option<u32>, country: Option<&str>) -> Query {
    Query {
        app,
        alg: alg.into(),
        bits,
        country: country.map(|c| parse_country(c).unwrap()),
        recovery: false,
        today: date(IN_FORCE),
    }
}

fn export() -> Policy {
    Policy::parse_source(template(Template::Export).as_bytes()).unwrap()
}

fn domestic() -> Policy {
    Policy::parse_source(template(Template::Domestic).as_bytes()).unwrap()
}

fn minimal(extra: &str) -> Policy {
    let src = format!("ccm.version=1\nccm.id=t\n{extra}");
    Policy::parse_source(src.as_bytes()).unwrap()
}

fn first_problem(src: &str) -> String {
    Policy::parse_source(src.as_bytes())
        .unwrap_err()
        .to_string()
}

// Templates and worked examples ------------------------------------------------------------

#[test]
fn templates_lint_clean_and_canonicalise() {
    for kind in [Template::Export, Template::Domestic] {
        let src = template(kind);
        assert_eq!(lint(src.as_bytes()), vec![], "{kind:?}");
        let p = Policy::parse_source(src.as_bytes()).unwrap();
        let canonical = p.canonical_bytes();
        assert_eq!(
            Policy::parse_canonical(&canonical)
                .unwrap()
                .canonical_bytes(),
            canonical
        );
    }
}

#[test]
fn export_rsa_1024_for_smime_in_fr_needs_recovery() {
    let p = export();
    let mut q = query(App::Smime, "RSA", Some(1024), Some("FR"));
    let d = p.decide(&q).unwrap();
    assert!(!d.allowed, "{d:?}");
    assert!(d.deciding_keys.contains(&"smime.RSA.max_bits".to_string()));
    assert!(d
        .deciding_keys
        .contains(&"enforce.recovery_agent_required".to_string()));
    assert!(d.reasons[0].contains("above 512"), "{d:?}");
    assert!(d.reasons[0].contains("recovery agent"), "{d:?}");

    q.recovery = true;
    let d = p.decide(&q).unwrap();
    assert!(d.allowed, "{d:?}");
    assert!(d
        .deciding_keys
        .contains(&"smime.RSA.recovery.max_bits".to_string()));
    assert!(d.deciding_keys.contains(&"countries.allow".to_string()));

    q.bits = Some(4096);
    assert!(!p.decide(&q).unwrap().allowed);
    q.bits = Some(512);
    q.recovery = false;
    assert!(p.decide(&q).unwrap().allowed);
}

#[test]
fn export_denies_rc4_128_suite() {
    let p = export();
    let q = query(
        App::Ssl,
        "TLS_DHE_DSS_WITH_RC4_128_SHA",
        Some(1024),
        Some("FR"),
    );
    let d = p.decide(&q).unwrap();
    assert!(!d.allowed);
    assert_eq!(d.deciding_keys, ["ssl.suite.TLS_DHE_DSS_WITH_RC4_128_SHA"]);

    let q = query(
        App::Ssl,
        "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA",
        Some(1024),
        Some("FR"),
    );
    let d = p.decide(&q).unwrap();
    assert!(d.allowed, "{d:?}");
    assert!(d.deciding_keys.contains(&"ssl.dh.max_bits".to_string()));
    let q = query(
        App::Ssl,
        "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA",
        Some(2048),
        Some("FR"),
    );
    let d = p.decide(&q).unwrap();
    assert!(!d.allowed);
    assert_eq!(d.deciding_keys, ["ssl.rsa.max_bits"]);
    // Absent suites are refused.
    let q = query(App::Ssl, "TLS_AES_128_GCM_SHA256", None, Some("FR"));
    assert!(!p.decide(&q).unwrap().allowed);
}

#[test]
fn export_denies_every_query_from_a_denied_country() {
    let p = export();
    let queries = [
        query(
            App::Ssl,
            "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA",
            Some(512),
            Some("CU"),
        ),
        query(App::Smime, "RSA", Some(512), Some("IR")),
        query(App::Capi, "DES", Some(56), Some("KP")),
    ];
    for q in queries {
        let d = p.decide(&q).unwrap();
        assert!(!d.allowed, "{q:?}");
        assert_eq!(d.deciding_keys, ["countries.deny"]);
        let mut fr = q.clone();
        fr.country = Some(*b"FR");
        assert!(p.decide(&fr).unwrap().allowed, "{fr:?}");
    }
}

#[test]
fn export_denies_after_expiry_but_not_on_the_day() {
    let p = export();
    let mut q = query(App::Smime, "RSA", Some(512), Some("FR"));
    q.today = date("2099-12-31");
    assert!(p.decide(&q).unwrap().allowed);
    q.today = date("2100-01-01");
    let d = p.decide(&q).unwrap();
    assert!(!d.allowed);
    assert_eq!(d.deciding_keys, ["ccm.expires"]);
    assert!(d.reasons[0].contains("expired on 2099-12-31"));
}

#[test]
fn export_country_check_fails_closed_without_a_country() {
    let d = export()
        .decide(&query(App::Smime, "RSA", Some(512), None))
        .unwrap();
    assert!(!d.allowed);
    assert_eq!(
        d.deciding_keys,
        ["enforce.country_check", "enforce.fail_closed"]
    );
    let p = minimal(
        "enforce.country_check=true\nenforce.fail_closed=false\ncountries.allow=*\n\
         smime.RSA.max_bits=512\n",
    );
    assert!(
        p.decide(&query(App::Smime, "RSA", Some(512), None))
            .unwrap()
            .allowed
    );
}

#[test]
fn domestic_template_decisions() {
    let p = domestic();
    let allowed = [
        query(App::Ssl, "TLS_AES_256_GCM_SHA384", None, None),
        query(
            App::Ssl,
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            Some(4096),
            None,
        ),
        query(
            App::Ssl,
            "tls_ecdhe_rsa_with_aes_128_gcm_sha256",
            Some(256),
            Some("CU"),
        ),
        query(App::Smime, "RSA", Some(16384), Some("IR")),
        query(App::Smime, "aes", Some(256), None),
        query(App::Capi, "EC", Some(521), None),
    ];
    for q in allowed {
        assert!(p.decide(&q).unwrap().allowed, "{q:?}");
    }
    let denied = [
        query(App::Ssl, "TLS_RSA_WITH_RC4_128_SHA", Some(2048), None),
        query(App::Ssl, "TLS_DHE_DSS_WITH_RC4_128_SHA", Some(1024), None),
        query(App::Smime, "RC2", Some(40), None),
        query(App::Smime, "AES", Some(512), None),
    ];
    for q in denied {
        assert!(!p.decide(&q).unwrap().allowed, "{q:?}");
    }
}

// Query edge cases ----------------------------------------------------------------------------

#[test]
fn bits_zero_unlimited_and_missing() {
    let p = minimal(
        "smime.DES.max_bits=0\nsmime.RSA.max_bits=unlimited\nsmime.AES.max_bits=128\n\
         smime.RC2.recovery.max_bits=128\n",
    );
    let dec = |alg: &str, bits: Option<u32>, recovery: bool| {
        let mut q = query(App::Smime, alg, bits, None);
        q.recovery = recovery;
        p.decide(&q).unwrap()
    };
    assert!(!dec("DES", Some(1), false).allowed);
    assert!(!dec("DES", None, false).allowed);
    assert!(dec("RSA", Some(65535), false).allowed);
    assert!(dec("RSA", Some(1_000_000), false).allowed);
    assert!(dec("RSA", None, false).allowed);
    assert!(dec("AES", Some(128), false).allowed);
    assert!(!dec("AES", Some(256), false).allowed);
    // No size given under a finite limit: fail closed (the default).
    let d = dec("AES", None, false);
    assert!(!d.allowed);
    assert!(d.deciding_keys.contains(&"enforce.fail_closed".to_string()));
    // Absent max_bits is 0, even when only a recovery key exists.
    let d = dec("RC4", Some(40), false);
    assert!(!d.allowed);
    assert_eq!(d.deciding_keys, ["smime.RC4.max_bits"]);
    assert!(!dec("RC2", Some(40), false).allowed);
    assert!(dec("RC2", Some(128), true).allowed);
    // capi keys are separate from smime keys.
    let q = query(App::Capi, "RSA", Some(512), None);
    assert!(!p.decide(&q).unwrap().allowed);
}

#[test]
fn ecdhe_and_tls13_are_decided_by_the_suite_key() {
    let p = minimal("ssl.suite.TLS_AES_128_GCM_SHA256=true\nssl.suite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256=true\n");
    for name in [
        "TLS_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ] {
        let d = p.decide(&query(App::Ssl, name, Some(384), None)).unwrap();
        assert!(d.allowed, "{d:?}");
        assert_eq!(d.deciding_keys, [format!("ssl.suite.{name}")]);
    }
    // RSA key exchange with no ssl.rsa.max_bits: 0, denied.
    let p = minimal("ssl.suite.TLS_RSA_WITH_AES_128_CBC_SHA=true\n");
    let d = p.decide(&query(
        App::Ssl,
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        Some(2048),
        None,
    ));
    assert_eq!(d.unwrap().deciding_keys, ["ssl.rsa.max_bits"]);
}

#[test]
fn unknown_country_and_allow_lists() {
    let p = minimal("enforce.country_check=true\ncountries.allow=DE,FR\n");
    let d = |c: [u8; 2]| {
        let mut q = query(App::Smime, "RSA", Some(512), None);
        q.country = Some(c);
        p.decide(&q).unwrap()
    };
    let zz = d(*b"ZZ");
    assert!(!zz.allowed);
    assert!(
        zz.reasons
            .iter()
            .any(|r| r.contains("ZZ is not an assigned")),
        "{zz:?}"
    );
    let us = d(*b"US");
    assert!(us
        .reasons
        .iter()
        .any(|r| r.contains("US is not in countries.allow")));
    assert!(us.deciding_keys.contains(&"countries.allow".to_string()));
    // The country passes; smime.RSA is absent, so the size check alone denies.
    assert_eq!(d(*b"FR").deciding_keys, ["smime.RSA.max_bits"]);
    // Without country_check, the country is not looked at.
    let p = minimal("countries.deny=*\nsmime.RSA.max_bits=512\n");
    let mut q = query(App::Smime, "RSA", Some(512), Some("CU"));
    assert!(p.decide(&q).unwrap().allowed);
    q.country = Some(*b"ZZ");
    assert!(p.decide(&q).unwrap().allowed);
    assert!(parse_country("ZZ").is_err());
    assert!(parse_country("fr").is_err());
    assert_eq!(parse_country("FR").unwrap(), *b"FR");
}

#[test]
fn unknown_suite_or_algorithm_in_a_query_is_invalid() {
    let p = export();
    let e = p
        .decide(&query(App::Ssl, "TLS_FOO", None, Some("FR")))
        .unwrap_err();
    assert_eq!(e.exit_code() as u8, 2);
    assert!(e.to_string().contains("unknown cipher suite"));
    let e = p
        .decide(&query(App::Smime, "ROT13", None, Some("FR")))
        .unwrap_err();
    assert!(e.to_string().contains("unknown algorithm"));
    assert_eq!("S/MIME".parse::<App>().unwrap(), App::Smime);
    assert!("ipsec".parse::<App>().is_err());
}

// Parsing, lint, canonical form ---------------------------------------------------------------

#[test]
fn source_form_is_forgiving_in_layout_only() {
    let src = "# comment\r\n\r\n  ccm.version = 1  \r\nccm.id=\tx-1\r\n   # indented comment\r\n\
               countries.deny = SY, CU ,IR\r\nx-acme.colour = blue green\r\nx-acme.empty=\r\n\
               smime.RSA.max_bits= 2048";
    let p = Policy::parse_source(src.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(p.canonical_bytes()).unwrap(),
        "ccm.id=x-1\nccm.version=1\ncountries.deny=CU,IR,SY\nsmime.RSA.max_bits=2048\n\
         x-acme.colour=blue green\nx-acme.empty=\n"
    );
    assert_eq!(p.line_of("countries.deny"), Some(6));
    assert_eq!(p.line_of("smime.RSA.max_bits"), Some(9));
    assert_eq!(p.id(), "x-1");
}

#[test]
fn vendor_keys_are_kept_but_never_decide() {
    let p = minimal("x-acme.smime.RSA.max_bits=unlimited\nx-b.c=#not a comment\n");
    assert_eq!(
        p.get("x-b.c"),
        Some(&Value::Vendor("#not a comment".into()))
    );
    let d = p
        .decide(&query(App::Smime, "RSA", Some(512), None))
        .unwrap();
    assert!(!d.allowed);
    // A vendor value may itself hold `=` with spaces: its canonical form reads back.
    let eq = minimal("x-acme.rule=a = b\n");
    assert_eq!(eq.get("x-acme.rule"), Some(&Value::Vendor("a = b".into())));
    let canonical = eq.canonical_bytes();
    let again = Policy::parse_canonical(&canonical).unwrap();
    assert_eq!(again.canonical_bytes(), canonical);
    // A bare `x-` or a one-segment vendor key is not a vendor key.
    assert!(
        first_problem("ccm.version=1\nccm.id=t\nx-.a=1\n").contains("line 3: x-.a: unknown key")
    );
    assert!(
        first_problem("ccm.version=1\nccm.id=t\nx-acme=1\n").contains("line 3: x-acme: not a key")
    );
}

#[test]
fn problems_name_line_and_key() {
    let cases: &[(&str, &str)] = &[
        (
            "ssl.suite.TLS_FOO=true",
            "line 3: ssl.suite.TLS_FOO: unknown cipher suite",
        ),
        (
            "ssl.suite.tls_rsa_with_rc4_128_sha=true",
            "did you mean TLS_RSA_WITH_RC4_128_SHA?",
        ),
        (
            "enforce.strict=true",
            "line 3: enforce.strict: unknown enforce key",
        ),
        (
            "enforce.fail_closed=yes",
            "line 3: enforce.fail_closed: expected true or false",
        ),
        ("enforce.fail_closed=TRUE", "expected true or false"),
        (
            "smime.RSA.max_bits=65536",
            "line 3: smime.RSA.max_bits: 65536 is above 65535",
        ),
        ("smime.RSA.max_bits=0128", "without leading zeros"),
        ("smime.RSA.max_bits=-1", "without leading zeros"),
        ("smime.RSA.max_bits=", "missing value"),
        ("smime.RSA.max_bits=Unlimited", "without leading zeros"),
        (
            "smime.rsa.max_bits=512",
            "algorithm names are upper case (RSA)",
        ),
        ("smime.IDEA.max_bits=128", "unknown algorithm IDEA"),
        ("smime.RSA.min_bits=128", "unknown smime key"),
        ("capi.RSA.recovery.min_bits=128", "unknown capi key"),
        ("ssl.ecdh.max_bits=256", "unknown ssl key"),
        (
            "ccm.expires=2023-02-29",
            "line 3: ccm.expires: 2023-02-29 is not a calendar date",
        ),
        ("ccm.expires=tomorrow", "expected a date YYYY-MM-DD"),
        ("ccm.owner=me", "unknown ccm key"),
        (
            "countries.allow=fr",
            "fr: country codes are upper case (FR)",
        ),
        (
            "countries.allow=UK",
            "UK: not an assigned ISO 3166-1 alpha-2 code",
        ),
        ("countries.allow=FRA", "not a two-letter"),
        ("countries.allow=FR,*", "* stands alone"),
        ("countries.allow=FR,,DE", "empty entry"),
        ("countries.allow=FR,DE,FR", "FR is listed twice"),
        ("countries.maybe=FR", "unknown key (countries.allow"),
        ("colour.x=blue", "line 3: colour.x: unknown key"),
        (
            "just words",
            "line 3: expected key = value, not `just words`",
        ),
        ("=1", "line 3: missing key before `=`"),
        ("a..b=1", "line 3: a..b: not a key"),
        ("a.b c=1", "not a key"),
        ("ssl=1", "line 3: ssl: not a key"),
        ("caf\u{e9}.x=1", "line 3: non-ASCII byte 0xC3 at column 4"),
        ("x-a.b=\u{1}", "line 3: control character 0x01 at column 7"),
        ("x-a.b=1\rx-a.c=2", "control character 0x0D"),
        (
            "ccm.id=has space",
            "line 3: ccm.id: duplicate key (first on line 2)",
        ),
    ];
    for (extra, want) in cases {
        let src = format!("ccm.version=1\nccm.id=t\n{extra}\n");
        let got = first_problem(&src);
        assert!(got.contains(want), "{extra}: got {got}, want {want}");
    }
    assert_eq!(
        first_problem("ccm.version=1\nccm.id=t\nccm.id=u\n"),
        "line 3: ccm.id: duplicate key (first on line 2)"
    );
    assert!(first_problem("ccm.version=x\nccm.id=t\n").contains("x is not a version"));
    assert!(first_problem("ccm.version=1\nccm.id=a b\n").contains("expected 1 to 64"));
    let long = "x".repeat(65);
    assert!(first_problem(&format!("ccm.version=1\nccm.id={long}\n")).contains("1 to 64"));
}

#[test]
fn key_and_value_problems_are_named_by_variant() {
    assert_eq!(classify("ccm.owner"), Err(KeyProblem::UnknownCcmKey));
    assert_eq!(
        classify("ssl.suite.TLS_FOO"),
        Err(KeyProblem::UnknownSuite { suggestion: None })
    );
    let suite = classify("ssl.suite.tls_rsa_with_rc4_128_sha").unwrap_err();
    assert_eq!(
        suite,
        KeyProblem::UnknownSuite {
            suggestion: Some("TLS_RSA_WITH_RC4_128_SHA".into())
        }
    );
    assert_eq!(
        suite.to_string(),
        "unknown cipher suite (did you mean TLS_RSA_WITH_RC4_128_SHA?)"
    );
    assert_eq!(
        classify("capi.rsa.max_bits"),
        Err(KeyProblem::AlgorithmCase {
            upper: "RSA".into()
        })
    );
    assert_eq!(
        classify("smime.RSA.min_bits"),
        Err(KeyProblem::UnknownAppKey {
            app: "smime".into()
        })
    );
    let idea = classify("smime.IDEA.max_bits").unwrap_err();
    assert_eq!(
        idea.to_string(),
        format!("unknown algorithm IDEA (known: {})", ALGORITHMS.join(", "))
    );
    assert_eq!(classify("colour.x"), Err(KeyProblem::UnknownKey));
    assert_eq!(classify("smime.RSA.max_bits"), Ok(Kind::Bits));

    assert_eq!(parse_value(Kind::Bits, ""), Err(ValueProblem::MissingValue));
    assert_eq!(
        parse_value(Kind::Version, "02"),
        Err(ValueProblem::UnsupportedVersion("02".into()))
    );
    assert_eq!(parse_value(Kind::Version, "7"), Ok(Value::Version(7)));
    assert_eq!(
        parse_value(Kind::Version, "0"),
        Err(ValueProblem::UnsupportedVersion("0".into()))
    );
    assert_eq!(
        parse_value(Kind::Date, "2023-02-29"),
        Err(ValueProblem::NotACalendarDate("2023-02-29".into()))
    );
    assert_eq!(
        parse_value(Kind::Date, "tomorrow"),
        Err(ValueProblem::NotADate)
    );
    assert_eq!(
        parse_value(Kind::Bits, "65536"),
        Err(ValueProblem::BitsAboveMax("65536".into()))
    );
    assert_eq!(parse_value(Kind::Bits, "0128"), Err(ValueProblem::NotBits));
    assert_eq!(
        parse_value(Kind::Countries, "FR,DE,FR"),
        Err(ValueProblem::CountryListedTwice("FR".into()))
    );
    assert_eq!(
        parse_value(Kind::Countries, "FR,*"),
        Err(ValueProblem::StarNotAlone)
    );
    let lower = parse_value(Kind::Countries, "DE,fr").unwrap_err();
    assert_eq!(
        lower,
        ValueProblem::Country(CountryProblem::NotUpperCase("fr".into()))
    );
    assert_eq!(lower.to_string(), "fr: country codes are upper case (FR)");
    assert_eq!(
        check_country("UK"),
        Err(CountryProblem::Unassigned("UK".into()))
    );
    assert_eq!(
        check_country("FRA"),
        Err(CountryProblem::NotTwoLetters("FRA".into()))
    );
    assert_eq!(
        parse_country("fr").unwrap_err().to_string(),
        "fr: country codes are upper case (FR)"
    );
}

#[test]
fn lint_reports_every_problem_in_line_order() {
    let src = "ccm.version=1\nenforce.strict=true\nssl.suite.TLS_FOO=true\n\
               enforce.country_check=true\nenforce.strict=false\nsmime.RSA.max_bits=big\n";
    let problems = lint(src.as_bytes());
    let text: Vec<String> = problems.iter().map(Problem::to_string).collect();
    assert_eq!(
        text,
        [
            "line 2: enforce.strict: unknown enforce key (enforce.fail_closed, \
             enforce.country_check, enforce.recovery_agent_required)",
            "line 3: ssl.suite.TLS_FOO: unknown cipher suite",
            "line 4: enforce.country_check: country_check needs countries.allow (write * \
             to allow every country not denied)",
            "line 5: enforce.strict: duplicate key (first on line 2)",
            "line 6: smime.RSA.max_bits: expected 0, a number 1 to 65535 without leading \
             zeros, or unlimited",
            "ccm.id: required key missing",
        ]
    );
    assert_eq!(problems[0].line, Some(2));
    assert_eq!(problems[5].line, None);
    let e = Policy::parse_source(src.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), text[0]);
    assert_eq!(e.exit_code() as u8, 2);
    assert_eq!(lint(b"").len(), 2);
    assert_eq!(lint(b"\n\n# nothing\n").len(), 2);
}

#[test]
fn canonical_round_trip() {
    let src = "ccm.version = 1\r\nccm.id = t\r\ncountries.allow = FR,DE\r\n\
               ssl.suite.TLS_AES_128_GCM_SHA256 = true\r\nccm.expires = 2030-01-01\r\n";
    let p = Policy::parse_source(src.as_bytes()).unwrap();
    let c = p.canonical_bytes();
    assert_eq!(
        c,
        b"ccm.expires=2030-01-01\nccm.id=t\nccm.version=1\ncountries.allow=DE,FR\n\
          ssl.suite.TLS_AES_128_GCM_SHA256=true\n"
    );
    let again = Policy::parse_canonical(&c).unwrap();
    assert_eq!(again.canonical_bytes(), c);
    assert_eq!(again.get("countries.allow"), p.get("countries.allow"));
    // Canonical bytes are also valid source.
    assert_eq!(Policy::parse_source(&c).unwrap().canonical_bytes(), c);
}

#[test]
fn vendor_values_with_equals_and_inner_blanks_round_trip() {
    // The round trip the ccm_policy fuzz target asserts: only the first `=` separates key
    // and value, so `= x` is a value, not padding.
    let src = "ccm.version=1\nccm.id=t\nx-a.b = = x\nx-a.c=p\tq = r\n";
    let p = Policy::parse_source(src.as_bytes()).unwrap();
    let c = p.canonical_bytes();
    assert_eq!(c, b"ccm.id=t\nccm.version=1\nx-a.b== x\nx-a.c=p\tq = r\n");
    assert_eq!(Policy::parse_canonical(&c).unwrap().canonical_bytes(), c);
}

#[test]
fn parse_canonical_names_what_is_not_canonical() {
    let good = "ccm.id=t\nccm.version=1\ncountries.allow=DE,FR\nsmime.RSA.max_bits=512\n";
    assert!(Policy::parse_canonical(good.as_bytes()).is_ok());
    let cases: &[(&str, &str)] = &[
        ("", "not canonical: empty"),
        (
            "ccm.id=t\r\nccm.version=1\n",
            "line 1: not canonical: CR before LF",
        ),
        (
            "ccm.id=t\n\nccm.version=1\n",
            "line 2: not canonical: blank line",
        ),
        (
            "# c\nccm.id=t\nccm.version=1\n",
            "line 1: not canonical: comment line",
        ),
        (
            "ccm.id = t\nccm.version=1\n",
            "line 1: not canonical: spaces around",
        ),
        (
            "ccm.id=t\nccm.version=1 \n",
            "line 2: not canonical: spaces around",
        ),
        (
            " ccm.id=t\nccm.version=1\n",
            "line 1: not canonical: spaces around",
        ),
        (
            "ccm.version=1\nccm.id=t\n",
            "line 2: not canonical: ccm.id sorts before the previous key ccm.version",
        ),
        (
            "ccm.id=t\nccm.id=t\nccm.version=1\n",
            "line 2: ccm.id: duplicate key",
        ),
        (
            "ccm.id=t\nccm.version=1",
            "line 2: not canonical: the last line has no LF",
        ),
        (
            "ccm.id=t\nccm.version=1\ncountries.allow=FR,DE\n",
            "line 3: countries.allow: not canonical: the value is written `countries.allow=DE,FR`",
        ),
        (
            "ccm.id=t\nccm.version=1\ncountries.allow=DE, FR\n",
            "line 3: countries.allow: not canonical",
        ),
        (
            "ccm.id=t\nccm.version=1\nx\n",
            "line 3: not canonical: expected key=value",
        ),
        (
            "ccm.id=t\nccm.version=1\nx-a.b=\u{e9}\n",
            "line 3: not canonical: non-ASCII byte 0xC3",
        ),
        (
            "ccm.id=t\nccm.version=1\nssl.suite.TLS_FOO=true\n",
            "line 3: ssl.suite.TLS_FOO: unknown cipher suite",
        ),
        ("ccm.id=t\n", "ccm.version: required key missing"),
    ];
    for (input, want) in cases {
        let e = Policy::parse_canonical(input.as_bytes()).unwrap_err();
        assert!(
            e.to_string().contains(want),
            "{input:?}: got {e}, want {want}"
        );
        assert_eq!(e.exit_code() as u8, 2);
    }
}

#[test]
fn canonical_problems_are_named_by_variant() {
    let problem = |s: &str| canonical_syntax_problem(s.as_bytes());
    assert_eq!(problem(""), Some(NotCanonical::Empty));
    assert_eq!(
        problem("ccm.id=t\r\nccm.version=1\n"),
        Some(NotCanonical::Line {
            line: 1,
            shape: LineShape::CrBeforeLf
        })
    );
    assert_eq!(
        problem("ccm.id=t\nx-a.b=\u{1}\n"),
        Some(NotCanonical::Line {
            line: 2,
            shape: LineShape::Bytes(ByteProblem::ControlCharacter { byte: 1, column: 7 })
        })
    );
    let order = problem("ccm.version=1\nccm.id=t\n").unwrap();
    assert_eq!(
        order,
        NotCanonical::OutOfOrder {
            line: 2,
            key: "ccm.id".into(),
            previous: "ccm.version".into()
        }
    );
    assert_eq!(
        order.to_string(),
        "line 2: not canonical: ccm.id sorts before the previous key ccm.version \
         (canonical lines are sorted bytewise by key)"
    );
    assert_eq!(
        problem("ccm.id=t\nccm.version=1"),
        Some(NotCanonical::NoFinalLf { line: 2 })
    );
    assert_eq!(problem("ccm.id=t\nccm.version=1\n"), None);
}

#[test]
fn bits_order_and_allows() {
    assert!(Bits::Unlimited > Bits::Limited(65535));
    assert_eq!(
        Bits::Limited(512).max(Bits::Limited(2048)),
        Bits::Limited(2048)
    );
    assert!(!Bits::Limited(0).allows(0));
    assert!(Bits::Limited(1).allows(1));
    assert!(!Bits::Limited(1).allows(2));
    assert!(Bits::Unlimited.allows(u32::MAX));
}

#[test]
fn country_table_is_the_249_assigned_codes() {
    let codes: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
    assert_eq!(codes.len(), 249);
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    assert!(codes.iter().all(|c| c.len() == 2));
    assert!(is_assigned_country(*b"ZW") && is_assigned_country(*b"AD"));
    assert!(!is_assigned_country(*b"UK") && !is_assigned_country(*b"XK"));
}
