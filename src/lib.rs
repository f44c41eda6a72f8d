//! kmi: offline key operations for key ceremonies.
//!
//! The library returns values and errors and never prints; `src/cmd/` (in the binary) decides how
//! to show them. Randomness enters through one `rand_core::CryptoRngCore` argument.

pub mod ccm;
pub mod cli;
pub mod clock;
pub mod cmc;
pub mod cms;
pub mod crypt;
pub mod date;
pub mod error;
pub mod io;
pub mod keys;
pub mod limits;
pub mod log;
pub mod math;
pub mod oids;
pub mod rng;
pub mod selftest;
pub mod threshold;

pub use error::{Error, ExitCode, Result};
