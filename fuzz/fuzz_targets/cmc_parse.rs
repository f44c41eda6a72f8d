//! `kmi cmc parse`: the CMC printer over untrusted bytes (PEM/DER/BER ContentInfo, SignedData,
//! EnvelopedData, bare PKIData/PKIResponse) must never panic; the typed CMC decoders likewise.
#![no_main]

use der::Decode;
use kmi::cmc::oids::CmcOids;
use kmi::cmc::print::{no_verification, parse_message, render_text};
use kmi::cmc::types::{
    CertTemplate, CmcStatusInfoV2, CmcUnsignedData, EncKeyWithId, KeyRecoveryReq, PkiData,
    PkiResponse, ServerKeyGenRequest, ShroudWithPublicKey,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let oids = CmcOids::default();
    if let Ok(report) = parse_message(data, &oids, &no_verification) {
        let _ = render_text(&report);
        let _ = serde_json::to_string(&report);
    }
    // The typed decoders directly, and re-encoding of whatever decoded.
    macro_rules! round {
        ($t:ty) => {
            if let Ok(v) = <$t>::from_der(data) {
                let _ = der::Encode::to_der(&v);
            }
        };
    }
    round!(PkiData);
    round!(PkiResponse);
    round!(CmcStatusInfoV2);
    round!(CmcUnsignedData);
    round!(CertTemplate);
    round!(EncKeyWithId);
    round!(ServerKeyGenRequest);
    round!(KeyRecoveryReq);
    round!(ShroudWithPublicKey);
    if let Ok(pd) = PkiData::from_der(data) {
        for c in &pd.control_sequence {
            let _ = c.decode_control(&oids);
        }
    }
});
