//! CLI tests: every command group through the real binary (assert_cmd), with the real peers
//! (openssl, and later jarsigner and pyasn1) reading what kmi writes and writing what kmi reads.

mod ccm;
mod cmc;
mod cmc_hardening;
mod cms_interop;
mod common;
mod crypt;
mod demo;
mod docs;
mod key_check;
mod key_generate;
mod key_io;
mod log;
mod regress;
mod selftest;
mod share;
mod share_blind;
