//! CCM policy: source and canonical forms, schema, queries (formats.md section 5).
//!
//! The canonical form is what gets signed, so there is exactly one byte string per policy:
//! `Policy::canonical_bytes` produces it and `Policy::parse_canonical` accepts nothing else.
//! The source form is for people: comments, blank lines, spaces around `=`, CRLF, and country
//! lists in any order.
//!
//! Decisions made here where formats.md is silent:
//! - `ccm.id` is a token of 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
//! - `ccm.version` is the policy's revision under its `ccm.id` (1 to 2^32 - 1): a new policy
//!   takes a higher number, and `ccm check/verify --state FILE` refuses one older than the
//!   highest accepted (a signed old policy otherwise stays valid forever).
//! - `smime.<ALG>` and `capi.<ALG>` know the algorithms in [`ALGORITHMS`], written upper case
//!   as in the spec's `smime.RSA.max_bits`; a lower-case name is an error, not an alias, so
//!   that one policy has one spelling.
//! - Bits are a key size as the application states it (3DES is 168, not its effective 112).
//! - A country must be an assigned ISO 3166-1 alpha-2 code; lists may not repeat a code or mix
//!   `*` with codes.
//! - `enforce.country_check=true` without `countries.allow` is an error (write `*` to allow
//!   every country not denied), so "absent" never has to mean "nobody" or "everybody".
//! - An absent bool is false, except `enforce.fail_closed`, which is true when absent: when a
//!   query leaves out a fact a check needs (a country under `country_check`, a key size where
//!   a finite limit applies) the query is denied, unless the policy says `fail_closed=false`,
//!   in which case that check is skipped and the reason says so.
//! - ssl: an absent suite key is false and an absent `ssl.rsa`/`ssl.dh.max_bits` is 0. An export
//!   suite also carries its own key-exchange limit (`suites::CipherSuite::kx_limit`: RSA_EXPORT
//!   and DHE_*_EXPORT 512 bits, *_EXPORT1024 1024 bits); the smaller of the two applies.
//!   ECDHE and TLS 1.3 suites have no size key in the schema, so the suite key alone decides
//!   them (their curves are not export-controlled by key size in this model).
//! - smime/capi follow the spec's formula literally: limit = max_bits (absent = 0), and with
//!   recovery, max(max_bits, recovery.max_bits). `enforce.recovery_agent_required` states that
//!   rule; it does not change the arithmetic, but it is named in the reasons and deciding keys
//!   when a size above max_bits was allowed or refused because of recovery.
//! - A query naming an unknown suite or algorithm is a usage error, not a denial: the question
//!   itself is wrong.
//!
//! The pieces: `countries` (ISO 3166 codes), `values` (the typed values and the schema of
//! keys), `parse` (problems, the source and canonical forms, [`Policy`]), `queries` (the
//! decision engine) and `templates`. The calendar [`Date`] is the crate's [`crate::date::Date`].

mod countries;
mod parse;
mod queries;
mod templates;
mod values;

#[cfg(test)]
mod tests;

pub use crate::date::Date;
pub use countries::{is_assigned_country, parse_country};
pub use parse::{lint, Entry, Policy, Problem};
pub use queries::{App, Decision, Query};
pub use templates::{template, Template};
pub use values::{Bits, Countries, Value};

/// The algorithm names `smime.<ALG>.*` and `capi.<ALG>.*` keys may use.
pub const ALGORITHMS: &[&str] = &[
    "RSA", "DH", "ELGAMAL", "DSA", "EC", "AES", "DES", "3DES", "RC2", "RC4",
];
