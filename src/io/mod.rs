//! Everything that touches files: reading inputs (`-` is stdin), telling PEM from DER, atomic
//! output (`-` is stdout), and passphrase sources. Each concern is implemented once, here.

pub mod armor;
pub mod cleanup;
pub mod dir;
pub mod input;
pub mod lock;
pub mod output;
pub mod passphrase;
pub mod typed;

pub use armor::{decode_armor, encode_pem, Armored};
pub use input::{read_input, Input};
pub use output::{write_output, OutputSpec};
pub use passphrase::PassphraseSource;
pub use typed::{read_typed, to_pem, TypedFile};
