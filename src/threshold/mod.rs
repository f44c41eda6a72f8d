//! Threshold schemes: no single party holds the whole key, yet k of n trustees can use it
//! (math.md sections 3-5). `elgamal` is Feldman verifiable secret sharing with threshold
//! decryption; the proofs here are non-interactive Chaum-Pedersen proofs of equal logarithms.

pub mod blind;
pub mod dkg;
pub mod elgamal;
pub mod file;
pub mod reshare;
pub mod rsa;
pub mod set;
mod transcript;
pub mod validate;

use num_bigint::BigUint;

use crate::math::secret::SecretUint;

/// One trustee's secret share s_i, in both schemes (Shoup's s_i = f(i) mod m, Feldman's
/// s_i = f(i) mod q), as held in memory once its file is opened and checked against its set.
/// Debug prints the value as "\[secret\]" (`SecretUint`'s Debug) and it is wiped on drop.
#[derive(Debug, Clone)]
pub struct SecretShare {
    pub index: u32,
    pub value: SecretUint,
}

/// A non-interactive Chaum-Pedersen proof of equal discrete logarithms (c, z): Shoup's proof of
/// a correct partial signature (math.md section 3) and the ElGamal partial decryption proof
/// (section 4) have the same shape. Its file form is `file::ProofFile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub c: BigUint,
    pub z: BigUint,
}
