//! Registration checks (math.md section 2): what a key registry verifies before it accepts a key.
//! Checks run in order and stop at the first failure; the report names it.

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, Zero};
use serde::Serialize;

use super::elgamal::{ElGamalGroup, NamedGroup};
use super::{Key, PrivateKey, PublicKey};
use crate::math::modular::{
    mod_inverse, perfect_power_no_factor_below, pow_mod, pow_mod_secret, small_factor,
};
use crate::math::prime::is_probable_prime;

/// Trial division bound for "N has a small factor".
const SMALL_FACTOR_BOUND: u32 = 1 << 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckOutcome {
    Passed,
    Failed,
    /// Not run because an earlier check failed.
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The property checked, e.g. "N is not a prime power".
    pub check: String,
    pub outcome: CheckOutcome,
    /// On failure: what is wrong, e.g. "N is a prime power".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub key_type: &'static str,
    pub private: bool,
    pub results: Vec<CheckResult>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.outcome == CheckOutcome::Passed)
    }

    pub fn first_failure(&self) -> Option<&str> {
        self.results.iter().find_map(|r| r.failure.as_deref())
    }
}

/// Collects checks; once one fails the rest are recorded as skipped.
struct Checker {
    results: Vec<CheckResult>,
    failed: bool,
}

impl Checker {
    fn new() -> Self {
        Checker {
            results: Vec::new(),
            failed: false,
        }
    }

    /// Run `test` unless an earlier check failed. `test` returns None on success or the failure.
    fn check(&mut self, name: &str, test: impl FnOnce() -> Option<String>) {
        if self.failed {
            self.results.push(CheckResult {
                check: name.into(),
                outcome: CheckOutcome::Skipped,
                failure: None,
            });
            return;
        }
        let failure = test();
        self.failed = failure.is_some();
        self.results.push(CheckResult {
            check: name.into(),
            outcome: if failure.is_some() {
                CheckOutcome::Failed
            } else {
                CheckOutcome::Passed
            },
            failure,
        });
    }

    fn require(&mut self, name: &str, ok: impl FnOnce() -> bool, failure: &str) {
        self.check(name, || {
            if ok() {
                None
            } else {
                Some(failure.to_string())
            }
        });
    }
}

/// Run every registration check that applies to `key`.
pub fn check_key(key: &Key, require_safe: bool) -> CheckReport {
    let mut c = Checker::new();
    match key {
        Key::Public(PublicKey::Rsa(k)) => {
            check_rsa_public(&mut c, &k.n, &k.e);
            if require_safe {
                c.check("p and q are safe primes", || {
                    Some("safe-prime structure cannot be known from a public key (give the private key)".into())
                });
            }
        }
        Key::Private(PrivateKey::Rsa(k)) => {
            let (n, e) = (&k.public.n, &k.public.e);
            check_rsa_public(&mut c, n, e);
            let (p, q, d) = (k.p.expose(), k.q.expose(), k.d.expose());
            c.require(
                "p * q = N",
                || &(p * q) == n,
                "the private key does not match: p * q != N",
            );
            c.require("p is prime", || is_probable_prime(p), "p is not prime");
            c.require("q is prime", || is_probable_prime(q), "q is not prime");
            c.require("p != q", || p != q, "p = q");
            // p and q are known to be prime (>= 2) before these closures run, so p - 1 is safe.
            let one = BigUint::one();
            c.require(
                "e * d = 1 (mod lambda(N))",
                || (e * d) % (p - &one).lcm(&(q - &one)) == one,
                "the private key does not match: e * d != 1 (mod lambda(N))",
            );
            c.require(
                "CRT values are consistent",
                || {
                    k.dp.expose() == &(d % (p - &one))
                        && k.dq.expose() == &(d % (q - &one))
                        && mod_inverse(q, p).as_ref() == Some(k.qinv.expose())
                },
                "CRT values (dP, dQ, qInv) are inconsistent with p, q and d",
            );
            if require_safe {
                let half = |x: &BigUint| (x - 1u32) >> 1usize;
                c.require(
                    "(p-1)/2 is prime",
                    || is_probable_prime(&half(p)),
                    "p is not a safe prime: (p-1)/2 is not prime",
                );
                c.require(
                    "(q-1)/2 is prime",
                    || is_probable_prime(&half(q)),
                    "q is not a safe prime: (q-1)/2 is not prime",
                );
            }
        }
        Key::Public(PublicKey::ElGamal(k)) => {
            check_elgamal_public(&mut c, &k.group, &k.y, require_safe);
        }
        Key::Private(PrivateKey::ElGamal(k)) => {
            let g = &k.public.group;
            // x before y: y is computed from x when the key is read, so x = 0 or x = q would
            // otherwise be reported as y = 1 ("y is not in (1, p)").
            let x = k.x.expose();
            check_group_into(&mut c, g);
            c.require(
                "0 < x < q",
                || !x.is_zero() && x < &g.q,
                "private value x is not in (0, q)",
            );
            check_elgamal_y(&mut c, g, &k.public.y, require_safe);
            c.require(
                "g^x = y",
                || pow_mod_secret(&g.g, x, &g.p, g.q.bits()) == k.public.y,
                "the private key does not match: g^x != y",
            );
        }
    }
    let key_type = key.kind();
    CheckReport {
        key_type,
        private: key.is_private(),
        results: c.results,
    }
}

fn check_rsa_public(c: &mut Checker, n: &BigUint, e: &BigUint) {
    c.require("N is odd", || n.is_odd(), "N is even");
    c.check("N has no small prime factor", || {
        small_factor(n, SMALL_FACTOR_BOUND).map(|r| format!("N has a small factor {r}"))
    });
    c.check("N is not a perfect power", || {
        perfect_power_no_factor_below(n, SMALL_FACTOR_BOUND).map(|(b, k)| {
            format!(
                "N is a perfect power ({}-bit base to the power {k})",
                b.bits()
            )
        })
    });
    // N is not a perfect power (checked above), so the only prime power left is N prime. A
    // primality test, not Fermat's 2^(N(N-1)) = 1: that also holds for valid two-prime keys such as
    // N = p q with q = p^2 - p + 1, whose group order p (p - 1)^2 divides N (N - 1).
    c.require("N is not prime", || !is_probable_prime(n), "N is prime");
    c.require(
        "e is odd and 1 < e < N",
        || e.is_odd() && e > &BigUint::one() && e < n,
        "e is not odd with 1 < e < N",
    );
}

/// The registration checks of an ElGamal group alone (p, q prime, q | p - 1, g of order q): what
/// must hold before a key is generated in a group someone else chose.
pub fn check_group(group: &ElGamalGroup) -> CheckReport {
    let mut c = Checker::new();
    check_group_into(&mut c, group);
    CheckReport {
        key_type: "elgamal",
        private: false,
        results: c.results,
    }
}

fn check_group_into(c: &mut Checker, g: &ElGamalGroup) {
    let one = BigUint::one();
    // A named RFC 7919 (p, q) is known to be prime; skip the expensive primality tests for it but
    // still run the structural checks (g and y are the key's own).
    let named = NamedGroup::identify(g).is_some();
    c.require(
        "p is prime",
        || named || is_probable_prime(&g.p),
        "p is not prime",
    );
    c.require(
        "q is prime",
        || named || is_probable_prime(&g.q),
        "q is not prime",
    );
    c.require(
        "q divides p - 1",
        || ((&g.p - &one) % &g.q).is_zero(),
        "q does not divide p - 1",
    );
    c.require("1 < g < p", || g.g > one && g.g < g.p, "g is not in (1, p)");
    c.require(
        "g has order q",
        || pow_mod(&g.g, &g.q, &g.p) == one,
        "g lies outside the order-q subgroup (g^q != 1 mod p)",
    );
}

fn check_elgamal_public(c: &mut Checker, g: &ElGamalGroup, y: &BigUint, require_safe: bool) {
    check_group_into(c, g);
    check_elgamal_y(c, g, y, require_safe);
}

/// The checks of y (and of the group's shape `--require-safe` asks for), after the group's.
fn check_elgamal_y(c: &mut Checker, g: &ElGamalGroup, y: &BigUint, require_safe: bool) {
    let one = BigUint::one();
    c.require("1 < y < p", || y > &one && y < &g.p, "y is not in (1, p)");
    c.require(
        "y lies in the order-q subgroup",
        || pow_mod(y, &g.q, &g.p) == one,
        "y lies outside the order-q subgroup (y^q != 1 mod p)",
    );
    if require_safe {
        c.require(
            "p = 2q + 1",
            || g.is_safe_prime_group(),
            "p is not a safe prime: p != 2q + 1",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::rsa::{RsaPrivate, RsaPublic};

    fn public(n: BigUint) -> Key {
        Key::Public(PublicKey::Rsa(RsaPublic {
            n,
            e: 65537u32.into(),
        }))
    }

    #[test]
    fn prime_power_modulus_is_named() {
        // 1000003^3: no factor below 2^16, but a perfect power; 1000003 alone: a prime (power 1).
        let p = BigUint::from(1_000_003u32);
        let r = check_key(&public(p.pow(3)), false);
        assert_eq!(
            r.first_failure().unwrap(),
            "N is a perfect power (20-bit base to the power 3)"
        );
        let big = BigUint::from(0xffff_ffff_ffff_ffc5u64);
        let r = check_key(&public(big), false);
        assert_eq!(r.first_failure(), Some("N is prime"));
    }

    #[test]
    fn small_factor_is_named() {
        let n = BigUint::from(3u32) * BigUint::from(0xffff_ffff_ffff_ffc5u64);
        assert_eq!(
            check_key(&public(n), false).first_failure(),
            Some("N has a small factor 3")
        );
    }

    #[test]
    fn good_small_key_passes_and_safe_is_checked() {
        let k = RsaPrivate::from_primes(1019u32.into(), 1187u32.into(), 3u32.into()).unwrap();
        let r = check_key(&Key::Private(PrivateKey::Rsa(k)), true);
        // 1019 = 2*509+1 and 1187 = 2*593+1 are safe primes, but N has factors below 2^16.
        assert_eq!(r.first_failure(), Some("N has a small factor 1019"));
    }
}
