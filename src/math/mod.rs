//! Number theory: prime search and tests (`prime`), modular helpers (`modular`), and wiped
//! secret integers (`secret`).

pub mod lagrange;
pub mod modular;
pub mod prime;
pub mod secret;
