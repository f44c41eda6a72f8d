//! Cryptography Configuration Modules (formats.md section 5): the policy model and the signed JAR
//! that carries it.

pub mod jar;
pub mod policy;
pub mod signing;
pub mod state;
pub mod suites;
pub mod zipcheck;
