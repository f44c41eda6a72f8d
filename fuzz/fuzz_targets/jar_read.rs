//! The CCM JAR reader, its structural checks and the whole verifier over untrusted bytes: a
//! hostile JAR (bad zip, bomb, odd manifest, garbage signature block) must never panic.
#![no_main]

use std::time::SystemTime;

use kmi::ccm::jar::{manifest, read_jar, signature_file, write_jar};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(jar) = read_jar(data) {
        let _ = jar.check_structure();
    }
    let _ = kmi::ccm::signing::show(data);
    let _ = kmi::ccm::signing::verify(data, &[], SystemTime::UNIX_EPOCH);
    // zip CRCs keep the fuzzer from reaching the entries through a raw JAR, so also wrap the
    // input as a well-formed JAR (ccm.txt and signature block from the input, split at 0xFF)
    // and run the structural checks and the verifier on that.
    let mut parts = data.splitn(2, |&b| b == 0xFF);
    let (ccm, block) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let _ = signature_file(&manifest(ccm));
    if let Ok(bytes) = write_jar(ccm, "CCM", block) {
        let jar = read_jar(&bytes).expect("kmi reads the JARs it writes");
        let _ = jar.check_structure();
        let _ = kmi::ccm::signing::verify(&bytes, &[], SystemTime::UNIX_EPOCH);
    }
});
