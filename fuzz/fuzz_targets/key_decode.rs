//! Every key format kmi reads (PEM armor, PKCS#8, encrypted PKCS#8, SPKI, PKCS#1, X9.42 DH),
//! then the registration checks on whatever parsed. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // No passphrase: an attacker-chosen KDF cost must not stall the fuzzer; the encrypted path is
    // still parsed up to the point where the passphrase is needed.
    let no_pass = || Err(kmi::Error::invalid("no passphrase in fuzzing"));
    if let Ok(key) = kmi::keys::decode_key(data, std::path::Path::new("fuzz"), &no_pass) {
        // Bound the work: checks on huge numbers are slow but not wrong.
        if key.public().bits() <= 1024 {
            let _ = kmi::keys::check::check_key(&key, true);
        }
        let _ = kmi::keys::fingerprint(&key.public(), 64);
    }
});
