//! Public-key encryption and signature encodings that kmi's threshold operations produce and
//! consume: RSA-OAEP (SHA-256) and PKCS#1 v1.5 signatures in their standard forms, and the
//! ElGamal hybrid message format.

pub mod elgamal;
pub mod emsa;
pub mod rsa_pad;
