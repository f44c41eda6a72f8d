//! CMC key archival (RFC 5272/6402 and the archive draft, formats.md section 4).

pub mod agent;
pub mod bounds;
pub mod build;
pub mod extract;
pub mod identity;
pub mod oids;
pub mod print;
pub mod store;
pub mod types;

#[cfg(test)]
mod peer_tests;
