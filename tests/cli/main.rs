//! CLI tests: every command group through the real binary (assert_cmd), with the real peers
//! (openssl, jarsigner, Bouncy Castle, pyasn1-modules) reading what kmi writes and writing what kmi
//! reads. A test whose peer is missing is skipped with a notice unless KMI_REQUIRE_PEERS=1
//! (`common::require_peer`).
// The tests set up hostile conditions with libc (pipes, rlimits and signals in pre_exec, flock,
// closed descriptors); every unsafe block says why it is sound.
#![allow(unsafe_code)]

mod ccm;
mod cert;
mod chain;
mod cmc;
mod cmc_certify;
mod cmc_hardening;
mod cmc_identity;
mod cmc_oracle;
mod cmc_store;
mod cms_interop;
mod common;
mod conventions;
mod crypt;
mod demo;
mod dkg;
mod docs;
mod help_examples;
mod io_hardening;
mod jar_layout;
mod json;
mod key_check;
mod key_generate;
mod key_io;
mod key_passphrase;
mod log;
mod network;
mod peer_keys;
mod regress;
mod repro;
mod reshare;
mod selftest;
mod share;
mod share_blind;
mod share_hardening;
mod share_inspect;
mod small_bugs;
mod snapshots;
