//! One typed-file layer for kmi's own file types: each type names its PEM label (der's
//! `PemLabel`, so x509-cert and spki types fit the same mould) and how to decode and check
//! itself; `read_typed::<T>(path)` reads it as PEM or DER with the label checked, and
//! `to_pem(&t)` writes it. Before this, every command had its own PEM-or-DER reader and its own
//! `encode_pem(LABEL, &x.to_der().map_err(..)?)`.
//!
//! Reading follows `armor::decode_armor`: DER when the bytes start with a SEQUENCE tag,
//! otherwise the first PEM block, whose label must be `T::PEM_LABEL`.

use std::path::Path;

use der::pem::PemLabel;
use zeroize::Zeroizing;

use super::armor::{decode_armor, encode_pem};
use super::input::read_input;
use crate::{Error, Result};

/// A kmi file type.
pub trait TypedFile: PemLabel + Sized {
    /// What the file is, in words, for error messages: "a share set".
    const WHAT: &'static str;

    /// Decode DER and run the checks that make the value safe to hand to the library (versions,
    /// sizes, ranges): every file is hostile.
    fn from_der_checked(der: &[u8]) -> Result<Self>;

    /// The DER encoding, for writing. Failing here is kmi's fault, not the input's.
    fn to_der_checked(&self) -> Result<Vec<u8>>;
}

/// Decode `bytes` (PEM with `T`'s label, or DER) as a `T`.
pub fn decode_typed<T: TypedFile>(bytes: &[u8]) -> Result<T> {
    let armored = decode_armor(bytes)?;
    match armored.label.as_deref() {
        None => {}
        Some(label) if label == T::PEM_LABEL => {}
        Some(other) => {
            return Err(Error::format(format!(
                "PEM label '{other}' is not {} (expected {})",
                T::WHAT,
                T::PEM_LABEL
            )))
        }
    }
    // The DER of a secret type (a share) is secret too: wipe it once decoded.
    let der = Zeroizing::new(armored.der);
    T::from_der_checked(&der)
}

/// Read the file at `path` (`-` is standard input) as a `T`; errors name the file.
pub fn read_typed<T: TypedFile>(path: &Path) -> Result<T> {
    let bytes = Zeroizing::new(read_input(path)?.bytes);
    decode_typed(&bytes).map_err(|e| e.in_file(path))
}

/// The PEM form of `value` under its label, LF line endings. Wiped when dropped, since some kmi
/// types (shares, blinding factors) are secrets.
pub fn to_pem<T: TypedFile>(value: &T) -> Result<Zeroizing<String>> {
    let der = Zeroizing::new(value.to_der_checked()?);
    encode_pem(T::PEM_LABEL, &der).map(Zeroizing::new)
}

/// `TypedFile` for a DER `Sequence` type with an inherent `from_der_checked`.
#[macro_export]
#[doc(hidden)]
macro_rules! impl_typed_file {
    ($ty:ty, $label:expr, $what:expr) => {
        impl der::pem::PemLabel for $ty {
            const PEM_LABEL: &'static str = $label;
        }
        impl $crate::io::typed::TypedFile for $ty {
            const WHAT: &'static str = $what;
            fn from_der_checked(der: &[u8]) -> $crate::Result<Self> {
                <$ty>::from_der_checked(der)
            }
            fn to_der_checked(&self) -> $crate::Result<Vec<u8>> {
                der::Encode::to_der(self).map_err($crate::Error::encoding)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::Uint;
    use der::{Decode, Sequence};

    /// A toy file type for the layer's own tests (the real ones are tested with their modules).
    #[derive(Debug, PartialEq, Eq, Sequence)]
    struct Pair {
        version: u8,
        value: Uint,
    }

    impl Pair {
        fn from_der_checked(der: &[u8]) -> Result<Self> {
            let p =
                Pair::from_der(der).map_err(|e| Error::format(format!("malformed pair: {e}")))?;
            if p.version != 1 {
                return Err(Error::format("unsupported pair version"));
            }
            Ok(p)
        }
    }

    crate::impl_typed_file!(Pair, "KMI TEST PAIR", "a test pair");

    fn pair() -> Pair {
        Pair {
            version: 1,
            value: Uint::new(&[5]).unwrap(),
        }
    }

    #[test]
    fn pem_round_trip_and_der() {
        let pem = to_pem(&pair()).unwrap();
        assert!(pem.starts_with("-----BEGIN KMI TEST PAIR-----\n"));
        assert_eq!(decode_typed::<Pair>(pem.as_bytes()).unwrap(), pair());
        let der = pair().to_der_checked().unwrap();
        assert_eq!(decode_typed::<Pair>(&der).unwrap(), pair());
    }

    #[test]
    fn wrong_label_checks_and_file_names() {
        let other = encode_pem("KMI SHARE", &pair().to_der_checked().unwrap()).unwrap();
        let e = decode_typed::<Pair>(other.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "PEM label 'KMI SHARE' is not a test pair (expected KMI TEST PAIR)"
        );
        let v2 = Pair {
            version: 2,
            ..pair()
        };
        let e = decode_typed::<Pair>(&der::Encode::to_der(&v2).unwrap()).unwrap_err();
        assert_eq!(e.to_string(), "unsupported pair version");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pem");
        std::fs::write(&path, other).unwrap();
        let e = read_typed::<Pair>(&path).unwrap_err();
        assert_eq!(
            e.reason(),
            "PEM label 'KMI SHARE' is not a test pair (expected KMI TEST PAIR)"
        );
        assert!(e.to_string().starts_with(&path.display().to_string()));
        assert_eq!(e.exit_code() as u8, 2);
    }
}
