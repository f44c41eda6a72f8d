//! Work limits: the numbers inside a well-formed file are attacker input, so every cost a file can
//! choose (KDF work, element counts, sizes) is bounded here, in one place, and checked before the
//! work starts. No honest file reaches these limits; each is listed in the README's limits table.
//!
//! Key-derivation work is counted per process (one kmi command): a file may hold many envelopes, and
//! the sum is what an attacker buys. `--allow-slow-kdf` lifts the KDF caps for a user who knows the
//! file is theirs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::{Error, Result};

/// PBKDF2 iterations accepted on read (per derivation) unless slow KDFs are allowed. kmi itself
/// writes 600,000 or fewer; about 3 s of PBKDF2-HMAC-SHA256 on a laptop core.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// PBKDF2 iterations the CMC agent spends on one request's AuthenticatedData (the MAC key of a
/// request without a signing key, `cmc::identity`): any client can send one, so the cap is lower
/// than [`MAX_PBKDF2_ITERATIONS`] and `--allow-slow-kdf` does not lift it. kmi's client writes
/// 100,000.
pub const MAX_AGENT_PBKDF2_ITERATIONS: u32 = 1_000_000;

/// scrypt memory accepted on read unless slow KDFs are allowed: openssl's own default `maxmem`
/// (32 MiB), so kmi reads every scrypt key openssl writes by default.
pub const MAX_SCRYPT_MEMORY_BYTES: u64 = 32 * 1024 * 1024;

/// RecipientInfos of any kind accepted in one CMS envelope (EnvelopedData or AuthEnvelopedData).
/// kmi writes one; `openssl cms -encrypt` writes one per `-recip`.
pub const MAX_ENVELOPE_RECIPIENTS: usize = 64;

/// PasswordRecipientInfos accepted in one envelope: each is one PBKDF2 derivation per passphrase
/// tried. kmi writes one; `openssl cms -encrypt -pwri_password` writes one.
pub const MAX_PWRI_RECIPIENTS: usize = 4;

/// Key-derivation work one command may spend unless slow KDFs are allowed, in PBKDF2-HMAC-SHA256
/// iterations (a derivation costs iterations x PRF output blocks x the PRF's cost relative to
/// HMAC-SHA256: kmi's own 600,000-iteration AES-256 envelopes cost 600,000 each). 10^8 is about
/// 25 s of PBKDF2 on one core (4.3 M HMAC-SHA256 iterations/s measured with `openssl kdf`):
/// 166 of kmi's own envelopes, or ten at the per-derivation cap. The declared work of an envelope
/// is summed and charged before anything is derived, so a file over the budget is refused at once.
pub const MAX_KDF_WORK_PER_COMMAND: u64 = 100_000_000;

/// scrypt work (N * r * p) accepted on read unless slow KDFs are allowed: 32 times openssl's default
/// (N = 2^14, r = 8, p = 1). The memory cap alone leaves p free: N = 2^17, r = 1, p = 2^17 fits in
/// 32 MiB and costs minutes.
pub const MAX_SCRYPT_WORK: u64 = 1 << 22;

/// scrypt memory refused even with `--allow-slow-kdf`: beyond this the allocation itself fails and
/// the process aborts (N = 2^30, r = 8 asks for 1 TiB), so no honest key can use it.
pub const SCRYPT_MEMORY_CEILING_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// The memory scrypt needs for (N, r, p), as openssl computes it for its `maxmem` check:
/// 128 r (N + 2) for V plus 128 r p for B.
pub fn scrypt_memory_bytes(n: u64, r: u64, p: u64) -> u128 {
    128 * r as u128 * (n as u128 + 2) + 128 * r as u128 * p as u128
}

/// Worker threads accepted by `--threads`: four per available core. More only adds scheduling
/// overhead (100,000 threads turned a 0.05 s search into minutes); the result never depends on it.
pub fn max_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .saturating_mul(4)
}

static ALLOW_SLOW_KDF: AtomicBool = AtomicBool::new(false);
static KDF_WORK_SPENT: AtomicU64 = AtomicU64::new(0);

/// Lift the KDF caps for this process (the command layer calls this for `--allow-slow-kdf`).
pub fn set_allow_slow_kdf(allow: bool) {
    ALLOW_SLOW_KDF.store(allow, Ordering::Relaxed);
}

/// Whether `--allow-slow-kdf` was given.
pub fn slow_kdf_allowed() -> bool {
    ALLOW_SLOW_KDF.load(Ordering::Relaxed)
}

/// Charge `units` of key-derivation work (see [`MAX_KDF_WORK_PER_COMMAND`]) to this process
/// before doing it. Refused (a format error: the input asks for too much) when the total would
/// pass the budget, unless slow KDFs are allowed; a refused charge is not counted.
pub fn charge_kdf_work(units: u64, what: &str) -> Result<()> {
    if slow_kdf_allowed() {
        return Ok(());
    }
    let mut spent = KDF_WORK_SPENT.load(Ordering::Relaxed);
    loop {
        let total = spent.saturating_add(units);
        if total > MAX_KDF_WORK_PER_COMMAND {
            return Err(Error::format(format!(
                "{what} asks for {units} PBKDF2 iterations of key derivation, which with the {spent} already spent passes kmi's limit of {MAX_KDF_WORK_PER_COMMAND} per command (--allow-slow-kdf lifts it)"
            )));
        }
        match KDF_WORK_SPENT.compare_exchange_weak(
            spent,
            total,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return Ok(()),
            Err(now) => spent = now,
        }
    }
}
