//! kmi encrypt | decrypt

use kmi::cli::{DecryptCmdArgs, EncryptCmdArgs};
use kmi::crypt::elgamal::{self, KmiElGamalMessage};
use kmi::io::{read_input, to_pem, write_output};
use kmi::keys::{Key, PrivateKey, PublicKey};
use kmi::math::{modular::pow_mod_secret, secret::SecretUint};
use kmi::{Error, Result};

use super::Context;

pub fn encrypt(ctx: &Context, a: EncryptCmdArgs) -> Result<()> {
    let spec = a.out.spec(false);
    spec.check_writable()?;
    // A key file, or a share set (whose trustees decrypt with kmi share partial / combine).
    let to = super::key::read_public_or_set(ctx, &a.to, &Default::default())?;
    if matches!(to, PublicKey::Rsa(_)) {
        // An RSA-OAEP block is raw bytes.
        super::refuse_binary_to_terminal(&spec)?;
    }
    // The registration checks of `key check` (public part) on every key kmi encrypts to: an
    // ElGamal key with y = 1, g = 1 or p = 1 would give a "ciphertext" anyone decrypts, and bad
    // groups (p = 0, q in {0, 1}) would panic in the arithmetic (issue 18).
    kmi::threshold::validate::registration_check(&Key::Public(to.clone()), "the recipient key")
        .map_err(|e| match e {
            Error::CheckFailed(m) => Error::check(format!("{}: {m}", a.to.display())),
            other => other,
        })?;
    let input = kmi::io::input::read_input_allow_empty(&a.input)?;
    let mut rng = ctx.secret_fixture_rng(&a.fixture, "the plaintext", false)?;
    let out = match &to {
        PublicKey::Rsa(k) => {
            let key = k.to_rsa_crate()?;
            let max = (k.n.bits() as usize).div_ceil(8).saturating_sub(66);
            if input.bytes.len() > max {
                return Err(Error::invalid(format!(
                    "{}: RSA-OAEP with this key carries at most {max} bytes, the input has {}; encrypt to an ElGamal key for larger files",
                    input.name.display(),
                    input.bytes.len()
                )));
            }
            key.encrypt(&mut rng, rsa::Oaep::new::<sha2::Sha256>(), &input.bytes)
                .map_err(|e| Error::internal(format!("RSA-OAEP encryption failed: {e}")))?
        }
        PublicKey::ElGamal(k) => {
            let msg = elgamal::encrypt(k, &input.bytes, &mut rng)?;
            to_pem(&msg)?.as_bytes().to_vec()
        }
    };
    write_output(&spec, &out)
}

/// An ElGamal message file (PEM or DER).
pub fn read_elgamal_message(bytes: &[u8], name: &std::path::Path) -> Result<KmiElGamalMessage> {
    kmi::io::typed::decode_typed::<KmiElGamalMessage>(bytes).map_err(|e| e.in_file(name))
}

pub fn decrypt(ctx: &Context, a: DecryptCmdArgs) -> Result<()> {
    let spec = a.out.spec(true);
    spec.check_writable()?;
    let key = match ctx.read_key(&a.identity, &a.identity_passphrase.source())? {
        Key::Private(k) => k,
        Key::Public(_) => {
            return Err(Error::invalid(format!(
                "{}: decrypting needs a private key",
                a.identity.display()
            )))
        }
    };
    let input = read_input(&a.input)?;
    let plaintext = match &key {
        PrivateKey::Rsa(k) => {
            let key = k.to_rsa_crate()?;
            zeroize::Zeroizing::new(
                key.decrypt(rsa::Oaep::new::<sha2::Sha256>(), &input.bytes)
                    .map_err(|_| {
                        Error::check(format!(
                    "{}: decryption failed: not an RSA-OAEP (SHA-256) ciphertext for this key",
                    input.name.display()
                ))
                    })?,
            )
        }
        PrivateKey::ElGamal(k) => {
            let msg = read_elgamal_message(&input.bytes, &input.name)?;
            let g = &k.public.group;
            let alpha = msg.alpha();
            kmi::threshold::elgamal::check_element(g, &alpha)
                .map_err(|e| e.in_file(&input.name))?;
            let shared = SecretUint::new(pow_mod_secret(&alpha, k.x.expose(), &g.p, g.q.bits()));
            elgamal::decrypt_with_shared(g, &msg, shared.expose())?
        }
    };
    write_output(&spec, &plaintext)
}
