//! Work limits: the numbers inside a well-formed file are attacker input, so every cost a file can
//! choose (KDF work, element counts, sizes) is bounded here, in one place, and checked before the
//! work starts. No honest file reaches these limits; each is listed in the README's limits table.
//!
//! Key-derivation work is counted per process (one kmi command): a file may hold many envelopes, and
//! the sum is what an attacker buys. `--allow-slow-kdf` lifts the KDF caps for a user who knows the
//! file is theirs.

use std::sync::atomic::{AtomicBool, Ordering};

/// PBKDF2 iterations accepted on read (per derivation) unless slow KDFs are allowed. kmi itself
/// writes 600,000 or fewer; about 3 s of PBKDF2-HMAC-SHA256 on a laptop core.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// scrypt memory accepted on read unless slow KDFs are allowed: openssl's own default `maxmem`
/// (32 MiB), so kmi reads every scrypt key openssl writes by default.
pub const MAX_SCRYPT_MEMORY_BYTES: u64 = 32 * 1024 * 1024;

static ALLOW_SLOW_KDF: AtomicBool = AtomicBool::new(false);

/// Lift the KDF caps for this process (the command layer calls this for `--allow-slow-kdf`).
pub fn set_allow_slow_kdf(allow: bool) {
    ALLOW_SLOW_KDF.store(allow, Ordering::Relaxed);
}

/// Whether `--allow-slow-kdf` was given.
pub fn slow_kdf_allowed() -> bool {
    ALLOW_SLOW_KDF.load(Ordering::Relaxed)
}
