//! Queries and the decision engine: may an application use an algorithm at a key size, in a
//! country, today, under a policy.

use serde::Serialize;

use super::countries::{country_str, is_assigned_country};
use super::values::{Bits, Value};
use super::{Policy, ALGORITHMS};
use crate::ccm::suites;
use crate::date::Date;
use crate::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum App {
    Ssl,
    Smime,
    Capi,
}

impl App {
    pub fn key_prefix(self) -> &'static str {
        match self {
            App::Ssl => "ssl",
            App::Smime => "smime",
            App::Capi => "capi",
        }
    }
}

impl std::str::FromStr for App {
    type Err = Error;
    fn from_str(s: &str) -> Result<App> {
        match s.to_ascii_lowercase().as_str() {
            "ssl" | "tls" => Ok(App::Ssl),
            "smime" | "s/mime" => Ok(App::Smime),
            "capi" => Ok(App::Capi),
            _ => Err(Error::invalid(format!(
                "{s}: unknown application (ssl, smime, capi)"
            ))),
        }
    }
}

/// "May `app` use `alg` with a `bits`-bit key, in `country`, today?" For ssl, `alg` is a
/// cipher suite name and `bits` the size of the RSA or DH key of its key exchange; for
/// smime/capi, `alg` is one of [`ALGORITHMS`] and `bits` its key size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub app: App,
    pub alg: String,
    pub bits: Option<u32>,
    pub country: Option<[u8; 2]>,
    /// The key is escrowed with a recovery agent.
    pub recovery: bool,
    pub today: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    /// When denied, why; when allowed, what allowed it.
    pub reasons: Vec<String>,
    /// The policy keys behind the reasons (an absent key counts when its absence decided).
    pub deciding_keys: Vec<String>,
}

struct Check {
    passed: bool,
    reason: String,
    keys: Vec<String>,
}

fn pass(reason: String, keys: &[&str]) -> Check {
    Check {
        passed: true,
        reason,
        keys: keys.iter().map(|k| k.to_string()).collect(),
    }
}

fn fail(reason: String, keys: &[&str]) -> Check {
    Check {
        passed: false,
        ..pass(reason, keys)
    }
}

impl Policy {
    /// Decide a query on a policy whose signature and certificate were already checked.
    /// Every check runs, so a denial lists all its reasons. Errors only for a query that names
    /// an unknown suite or algorithm.
    pub fn decide(&self, q: &Query) -> Result<Decision> {
        let mut checks = Vec::new();
        if let Some(expires) = self.expires() {
            checks.push(if q.today > expires {
                fail(
                    format!("the policy expired on {expires} (today is {})", q.today),
                    &["ccm.expires"],
                )
            } else {
                pass(
                    format!("the policy is in force until {expires}"),
                    &["ccm.expires"],
                )
            });
        }
        if let Some(check) = self.country_check(q) {
            checks.push(check);
        }
        match q.app {
            App::Ssl => self.ssl_checks(q, &mut checks)?,
            App::Smime | App::Capi => self.algorithm_checks(q, &mut checks)?,
        }

        let allowed = checks.iter().all(|c| c.passed);
        let mut reasons = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for c in checks.into_iter().filter(|c| c.passed == allowed) {
            reasons.push(c.reason);
            for k in c.keys {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        Ok(Decision {
            allowed,
            reasons,
            deciding_keys: keys,
        })
    }

    fn country_check(&self, q: &Query) -> Option<Check> {
        const CHECK: &str = "enforce.country_check";
        if !self.flag(CHECK) {
            return None;
        }
        let Some(code) = q.country else {
            return Some(if self.fail_closed() {
                fail(
                    "no country given and enforce.country_check is on (fail closed)".into(),
                    &[CHECK, "enforce.fail_closed"],
                )
            } else {
                pass(
                    "no country given: country check skipped (enforce.fail_closed=false)".into(),
                    &[CHECK, "enforce.fail_closed"],
                )
            });
        };
        let c = country_str(code);
        if !is_assigned_country(code) {
            let msg = format!("{c} is not an assigned ISO 3166-1 alpha-2 code");
            return Some(fail(msg, &[CHECK]));
        }
        if self
            .countries("countries.deny")
            .is_some_and(|d| d.contains(code))
        {
            return Some(fail(
                format!("{c} is in countries.deny"),
                &["countries.deny"],
            ));
        }
        if !self
            .countries("countries.allow")
            .is_some_and(|a| a.contains(code))
        {
            return Some(fail(
                format!("{c} is not in countries.allow"),
                &["countries.allow"],
            ));
        }
        Some(pass(
            format!("{c} is in countries.allow and not in countries.deny"),
            &["countries.allow"],
        ))
    }

    /// Whether `bits` fits `limit`, read from `key` (or from the larger of two keys).
    fn size_check(&self, limit: Bits, bits: Option<u32>, what: &str, keys: &[&str]) -> Check {
        self.size_check_from(limit, bits, what, &keys.join(", "), keys)
    }

    /// [`Policy::size_check`] with the limit's source spelled out by the caller (`named`).
    fn size_check_from(
        &self,
        limit: Bits,
        bits: Option<u32>,
        what: &str,
        named: &str,
        keys: &[&str],
    ) -> Check {
        match (limit, bits) {
            (Bits::Limited(0), _) => fail(
                format!("{what} is not allowed at any size ({named}: 0)"),
                keys,
            ),
            (Bits::Unlimited, Some(b)) => {
                pass(format!("{what} {b} bits: no size limit ({named})"), keys)
            }
            (Bits::Unlimited, None) => pass(format!("{what}: no size limit ({named})"), keys),
            (Bits::Limited(max), Some(b)) if b <= u32::from(max) => {
                pass(format!("{what} {b} bits is within {max} ({named})"), keys)
            }
            (Bits::Limited(max), Some(b)) => {
                fail(format!("{what} {b} bits is above {max} ({named})"), keys)
            }
            (Bits::Limited(max), None) => {
                let mut keys = keys.to_vec();
                keys.push("enforce.fail_closed");
                if self.fail_closed() {
                    let msg = format!("{what}: no key size given and {named} limits it to {max} bits (fail closed)");
                    fail(msg, &keys)
                } else {
                    let msg = format!("{what}: no key size given; allowed up to {max} bits (enforce.fail_closed=false)");
                    pass(msg, &keys)
                }
            }
        }
    }

    fn ssl_checks(&self, q: &Query, checks: &mut Vec<Check>) -> Result<()> {
        let suite = suites::by_name_ignore_case(&q.alg)
            .ok_or_else(|| Error::invalid(format!("{}: unknown cipher suite", q.alg)))?;
        let key = format!("ssl.suite.{}", suite.name);
        checks.push(match self.get(&key) {
            Some(Value::Bool(true)) => pass(format!("{key} is true"), &[key.as_str()]),
            Some(_) => fail(format!("{key} is false"), &[key.as_str()]),
            None => fail(
                format!("{} is not enabled ({key} is absent)", suite.name),
                &[key.as_str()],
            ),
        });
        let what = format!("{} key exchange", suite.kx.name());
        checks.push(match suite.kx.limit_key() {
            Some(limit_key) => self.suite_size_check(suite, limit_key, q.bits, &what),
            None => pass(
                format!("{what}: the schema has no size key for it; the suite key decides"),
                &[],
            ),
        });
        Ok(())
    }

    /// The key-exchange size check of an ssl query: the smaller of the policy's limit and the
    /// suite's own (export suites: 512 or 1024 bits). When an RSA export suite's limit refuses a
    /// larger key, the answer says the server can still use the suite with a temporary RSA key
    /// (the 1999 export draft, section 5).
    fn suite_size_check(
        &self,
        suite: &suites::CipherSuite,
        limit_key: &str,
        bits: Option<u32>,
        what: &str,
    ) -> Check {
        let policy = self.bits(limit_key);
        let Some(own) = suite.kx_limit.map(Bits::Limited) else {
            return self.size_check(policy, bits, what, &[limit_key]);
        };
        let (limit, mut check) = if policy <= own {
            (policy, self.size_check(policy, bits, what, &[limit_key]))
        } else {
            let named = format!(
                "{}'s export limit, the smaller of it and {limit_key} = {policy}",
                suite.name
            );
            (
                own,
                self.size_check_from(own, bits, what, &named, &[limit_key]),
            )
        };
        if let (false, Some(b), suites::KeyExchange::Rsa, Bits::Limited(max @ 1..)) =
            (check.passed, bits, suite.kx, limit)
        {
            check.reason.push_str(&format!(
                "; a {b}-bit certificate key needs a temporary RSA key of at most {max} bits, signed by it and sent in the server key exchange (ask again with --bits {max})"
            ));
        }
        check
    }

    fn algorithm_checks(&self, q: &Query, checks: &mut Vec<Check>) -> Result<()> {
        let alg = ALGORITHMS
            .iter()
            .find(|a| a.eq_ignore_ascii_case(&q.alg))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{}: unknown algorithm (known: {})",
                    q.alg,
                    ALGORITHMS.join(", ")
                ))
            })?;
        let app = q.app.key_prefix();
        let base_key = format!("{app}.{alg}.max_bits");
        let rec_key = format!("{app}.{alg}.recovery.max_bits");
        let base = self.bits(&base_key);
        let raised = base.max(self.bits(&rec_key));
        let required = self.flag("enforce.recovery_agent_required");
        let what = format!("{app} {alg}");

        let check = if q.recovery {
            let mut check = self.size_check(
                raised,
                q.bits,
                &what,
                &[base_key.as_str(), rec_key.as_str()],
            );
            check.reason.push_str(" with a recovery agent");
            if required && !q.bits.is_some_and(|b| base.allows(b)) && raised > base {
                check.keys.push("enforce.recovery_agent_required".into());
            }
            check
        } else {
            let mut check = self.size_check(base, q.bits, &what, &[base_key.as_str()]);
            let would_pass_with_recovery = raised > base && q.bits.is_none_or(|b| raised.allows(b));
            if !check.passed && would_pass_with_recovery {
                check.reason.push_str(&format!(
                    "; with a recovery agent it would be allowed up to {raised} bits ({rec_key})"
                ));
                if required {
                    check.keys.push("enforce.recovery_agent_required".into());
                }
            }
            check
        };
        checks.push(check);
        Ok(())
    }
}
