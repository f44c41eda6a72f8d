//! Number theory: prime search and tests (`prime`), the Montgomery engine every modular
//! exponentiation runs on (`mont`), modular helpers (`modular`), Lagrange coefficients
//! (`lagrange`) and wiped secret integers (`secret`).

pub mod lagrange;
pub mod modular;
pub(crate) mod mont;
pub mod prime;
pub mod secret;
