//! `kmi cmc parse`: every layer of a CMC message as a structured report (serde, for `--json`)
//! and as indented human text ([`render_text`]).
//!
//! Input: DER, BER (indefinite lengths, constructed strings: normalised first) or PEM, of a
//! ContentInfo (SignedData around PKIData/PKIResponse, EnvelopedData, or PKIData/PKIResponse
//! under their id-cct content types), or a bare PKIData/PKIResponse SEQUENCE.
//!
//! The structure of the outer layers must parse (else a one-line [`Error::format`]); below that,
//! nothing the report describes is fatal: an unknown control is reported as OID + DER hex, a
//! malformed control or nested content as its error text.
//!
//! Signature status is not decided here: the caller passes a verifier that returns one
//! [`SignerStatus`] per SignerInfo (in SignerInfos order), or [`no_verification`].
//!
//! The pieces: `model` (the report types, which are the `--json` model), `decode` (input to
//! report) and `render` (report to text).
//!
//! [`Error::format`]: crate::Error::format

mod decode;
mod model;
mod render;

pub use decode::{
    decode_message, econtent_of, normalize_input, parse_message, signed_data_of, Message,
    Normalized,
};
pub use model::*;
pub use render::render_text;

#[cfg(test)]
mod tests;
