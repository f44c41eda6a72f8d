//! Threshold schemes: no single party holds the whole key, yet k of n trustees can use it
//! (math.md sections 3-5). `elgamal` is Feldman verifiable secret sharing with threshold
//! decryption; the proofs here are non-interactive Chaum-Pedersen proofs of equal logarithms.

pub mod blind;
pub mod elgamal;
pub mod rsa;
pub mod set;
pub mod share;
mod transcript;
pub mod validate;
