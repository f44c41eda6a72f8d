//! The CMC and archive-draft ASN.1 types.
