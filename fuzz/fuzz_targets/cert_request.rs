//! The certificate-request reader of `kmi cert issue` (PEM or DER PKCS#10, its self-signature
//! checked over the bytes as they came) and the usages read back from its extensionRequest, then
//! the same on the re-encoding of what it accepted. Must never panic.
#![no_main]

use der::Encode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = kmi::keys::cert::read_csr(data) {
        let _ = kmi::keys::cert::build::requested_usages(&req);
        if let Ok(der) = req.to_der() {
            let _ = kmi::keys::cert::read_csr(&der);
        }
    }
});
