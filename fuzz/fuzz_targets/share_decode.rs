//! The share formats (KMI SHARE, KMI SHARE SET, KMI PARTIAL, KMI BLINDED INPUT, KMI BLINDING
//! FACTOR, KMI RESHARE ROUND and DEAL, reshare sub-shares), the ElGamal message format, CMS
//! envelopes and SignedData: parsing untrusted bytes must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let der = kmi::io::decode_armor(data)
        .map(|a| a.der)
        .unwrap_or_else(|_| data.to_vec());
    let _ = kmi::threshold::file::ShareFile::from_der_checked(&der);
    if let Ok(set) = kmi::threshold::set::ShareSet::from_der(&der) {
        if set.public.public_key().bits() <= 1024 {
            let _ = set.check_public();
        }
    }
    let _ = kmi::threshold::file::PartialFile::from_der_checked(&der);
    // Reshare rounds, deals and sub-shares (issue 16).
    let _ = kmi::threshold::reshare::RoundFile::from_der_checked(&der);
    if let Ok(deal) = kmi::threshold::reshare::DealFile::from_der_checked(&der) {
        let _ = deal.commitment_values();
    }
    let _ = kmi::threshold::reshare::SubShareFile::from_der_checked(&der);
    let _ = kmi::crypt::elgamal::KmiElGamalMessage::from_der_checked(&der);
    let _ = kmi::threshold::blind::KmiBlindedInput::from_der_checked(&der);
    let _ = kmi::threshold::blind::KmiBlindingFactor::from_der_checked(&der);
    if let Ok(msg) = kmi::cms::signed::parse_signed(data) {
        let _ = msg.content();
        let _ = msg.verify(Some(b"detached"), &[], &[]);
        let _ = msg.verify(None, &[], &[]);
    }
    // The BER normaliser sees every envelope first; opening is bounded by the KDF cost, not fuzzed.
    let _ = kmi::cms::ber::normalize_cms(data);
});
