//! Threshold RSA after Shoup, "Practical Threshold Signatures" (Eurocrypt 2000), math.md section 3.
//!
//! Needs a safe-prime key (p = 2p'+1, q = 2q'+1) and a prime public exponent e > n. With
//! m = p'q' and Delta = n!, the dealer shares d = e^-1 mod m with a random polynomial mod m;
//! v generates the squares mod N and v_i = v^(s_i) are the public verification keys. A partial
//! result on x is x^(2 Delta s_i) with a Chaum-Pedersen proof; k of them combine to x^d, a
//! standard RSA signature or raw decryption. k shares also rebuild the whole key: their integer
//! combination gives a multiple of lambda(N), which factors N.

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, Zero};
use rand_core::CryptoRngCore;

use super::transcript::challenge;
use super::{Proof, SecretShare};
use crate::keys::rsa::{RsaPrivate, RsaPublic};
use crate::math::lagrange::{coefficients_integer, factorial};
use crate::math::modular::{mod_inverse, pow_mod, pow_mod_secret, pow_mod_signed, random_range};
use crate::math::prime::is_probable_prime;
use crate::math::secret::SecretUint;
use crate::{Error, Result};

/// L1 of Shoup's proof: challenges have this many bits.
const CHALLENGE_BITS: usize = 128;

/// Everything public about a dealt RSA set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaSetPublic {
    pub key: RsaPublic,
    pub threshold: u32,
    pub total: u32,
    /// Generator of the squares mod N.
    pub v: BigUint,
    /// v_i = v^(s_i) mod N for i = 1..=total.
    pub verification_keys: Vec<BigUint>,
    /// The shares interpolate to d + offset rather than d: 0 for a dealt set, a public power of
    /// two for a reshared one, whose integer shares must stay non-negative (docs/reshare.md 3).
    pub offset: BigUint,
    /// Every share value is below 2^share_bits: |N| for a dealt set (shares are reduced mod
    /// p'q' < N), more for a reshared one. Sizes the proofs' randomness and bounds the work.
    pub share_bits: u64,
}

pub struct Dealing {
    pub public: RsaSetPublic,
    pub shares: Vec<SecretShare>,
}

impl RsaSetPublic {
    pub fn delta(&self) -> BigUint {
        factorial(self.total)
    }

    /// Delta * offset: what an interpolation of the shares at 0 carries beyond Delta d.
    fn delta_offset(&self) -> BigInt {
        BigInt::from(self.delta() * &self.offset)
    }

    pub fn verification_key(&self, index: u32) -> Result<&BigUint> {
        index
            .checked_sub(1)
            .and_then(|i| self.verification_keys.get(i as usize))
            .ok_or_else(|| {
                Error::format(format!("share index {index} is outside 1..{}", self.total))
            })
    }
}

/// Why a key cannot be shared with Shoup's scheme, or None when it can.
pub fn unsuitable(key: &RsaPrivate, n: u32) -> Option<String> {
    let half = |x: &BigUint| (x - 1u32) >> 1usize;
    let (p, q) = (key.p.expose(), key.q.expose());
    if !(is_probable_prime(&half(p)) && is_probable_prime(&half(q))) {
        return Some(
            "threshold RSA (Shoup) needs a key whose primes are safe primes; this key's are not \
             (make one with: kmi key generate rsa)"
                .into(),
        );
    }
    let e = &key.public.e;
    if !is_probable_prime(e) || e <= &BigUint::from(n) {
        return Some(format!(
            "threshold RSA (Shoup) needs a prime public exponent larger than the number of shares ({n}); e = {e}"
        ));
    }
    None
}

/// Deal a safe-prime RSA key into n shares with threshold k.
pub fn deal(key: &RsaPrivate, k: u32, n: u32, rng: &mut dyn CryptoRngCore) -> Result<Dealing> {
    if k < 1 || k > n || n > 255 {
        return Err(Error::invalid(format!(
            "threshold {k} of {n} shares: need 1 <= threshold <= shares <= 255"
        )));
    }
    // p, q >= 7 (so p', q' >= 3) before anything is halved, divided or searched (issue 18).
    let seven = BigUint::from(7u32);
    if key.p.expose() < &seven || key.q.expose() < &seven || key.public.n <= seven {
        return Err(Error::check("the key's primes are too small to share"));
    }
    if let Some(why) = unsuitable(key, n) {
        return Err(Error::invalid(why));
    }
    let modulus = &key.public.n;
    let p_half = SecretUint::new((key.p.expose() - 1u32) >> 1usize);
    let q_half = SecretUint::new((key.q.expose() - 1u32) >> 1usize);
    let m = SecretUint::new(p_half.expose() * q_half.expose());
    let d = SecretUint::new(
        mod_inverse(&key.public.e, m.expose())
            .ok_or_else(|| Error::internal("e is not invertible modulo p'q'"))?,
    );
    let mut coefficients = vec![d];
    for _ in 1..k {
        coefficients.push(SecretUint::new(random_range(
            rng,
            &BigUint::zero(),
            m.expose(),
        )));
    }
    let shares: Vec<SecretShare> = (1..=n)
        .map(|i| {
            let x = BigUint::from(i);
            let mut acc = BigUint::zero();
            for c in coefficients.iter().rev() {
                acc = (acc * &x + c.expose()) % m.expose();
            }
            SecretShare {
                index: i,
                value: SecretUint::new(acc),
            }
        })
        .collect();
    // v = r^2 for random r, until v generates the whole group of squares (order p'q'). For a real
    // safe-prime key almost every r does; the bound only stops a degenerate key (N = 3, N = p)
    // from looping forever, should one ever get past the checks before dealing.
    let one = BigUint::one();
    let mut v = None;
    for _ in 0..256 {
        let r = random_range(rng, &BigUint::from(2u32), modulus);
        if !r.gcd(modulus).is_one() {
            continue;
        }
        let candidate = &r * &r % modulus;
        let half_bits = modulus.bits() / 2 + 1;
        if pow_mod_secret(&candidate, p_half.expose(), modulus, half_bits) != one
            && pow_mod_secret(&candidate, q_half.expose(), modulus, half_bits) != one
            && crate::threshold::validate::check_verification_base(&candidate, modulus).is_ok()
        {
            v = Some(candidate);
            break;
        }
    }
    let v = v.ok_or_else(|| {
        Error::check("no verification base generates the squares mod N: the key is degenerate")
    })?;
    let verification_keys = shares
        .iter()
        .map(|s| pow_mod_secret(&v, s.value.expose(), modulus, modulus.bits()))
        .collect();
    Ok(Dealing {
        public: RsaSetPublic {
            key: key.public.clone(),
            threshold: k,
            total: n,
            v,
            verification_keys,
            offset: BigUint::zero(),
            share_bits: modulus.bits(),
        },
        shares,
    })
}

/// A share holder's own check: v^(s_i) = v_i.
pub fn verify_share(set: &RsaSetPublic, share: &SecretShare) -> bool {
    set.verification_key(share.index)
        .map(|vk| {
            share.value.expose().bits() <= set.share_bits
                && pow_mod_secret(&set.v, share.value.expose(), &set.key.n, set.share_bits) == *vk
        })
        .unwrap_or(false)
}

/// x must be a unit mod N below N: anything else is malformed input (or a factor of N).
fn check_input(set: &RsaSetPublic, x: &BigUint) -> Result<()> {
    if x.is_zero() || x >= &set.key.n || !x.gcd(&set.key.n).is_one() {
        return Err(Error::format(
            "input is not an integer in [1, N) coprime to N",
        ));
    }
    Ok(())
}

fn proof_challenge(values: [&BigUint; 6]) -> BigUint {
    challenge("kmi rsa partial v1", &values, CHALLENGE_BITS)
}

/// The partial result x_i = x^(2 Delta s_i) mod N and its proof of correctness.
pub fn partial(
    set: &RsaSetPublic,
    share: &SecretShare,
    x: &BigUint,
    rng: &mut dyn CryptoRngCore,
) -> Result<(BigUint, Proof)> {
    check_input(set, x)?;
    let n = &set.key.n;
    let delta = set.delta();
    let s = share.value.expose();
    let vk = set.verification_key(share.index)?;
    let two_delta_s = SecretUint::new(&delta * 2u32 * s);
    let x_tilde = pow_mod(x, &(&delta * 4u32), n);
    let r_bits = set.share_bits + 2 * CHALLENGE_BITS as u64;
    let r = SecretUint::new(random_range(
        rng,
        &BigUint::zero(),
        &(BigUint::one() << r_bits),
    ));
    // Three independent full-length exponentiations: the proof costs twice the value, so run
    // them side by side on the cores there are.
    let ((x_i, v_prime), x_prime) = rayon::join(
        || {
            rayon::join(
                || {
                    let bits = set.share_bits + delta.bits() + 1;
                    pow_mod_secret(x, two_delta_s.expose(), n, bits)
                },
                || pow_mod_secret(&set.v, r.expose(), n, r_bits),
            )
        },
        || pow_mod_secret(&x_tilde, r.expose(), n, r_bits),
    );
    let x_i_sq = &x_i * &x_i % n;
    let c = proof_challenge([&set.v, &x_tilde, vk, &x_i_sq, &v_prime, &x_prime]);
    let z = s * &c + r.expose();
    Ok((x_i, Proof { c, z }))
}

/// Check a partial result against the verification key of its index.
pub fn verify_partial(
    set: &RsaSetPublic,
    index: u32,
    x: &BigUint,
    x_i: &BigUint,
    proof: &Proof,
) -> bool {
    let n = &set.key.n;
    let Ok(vk) = set.verification_key(index) else {
        return false;
    };
    if check_input(set, x).is_err()
        || check_input(set, x_i).is_err()
        || proof.c.bits() > CHALLENGE_BITS as u64
    {
        return false;
    }
    // z is s_i c + r with |r| = |s_i| + 2 L1: anything much longer is not an honest proof.
    if proof.z.bits() > set.share_bits + 2 * CHALLENGE_BITS as u64 + 2 + 8 * 4 {
        return false;
    }
    let delta = set.delta();
    let x_tilde = pow_mod(x, &(&delta * 4u32), n);
    let x_i_sq = x_i * x_i % n;
    let neg_c = BigInt::from_biguint(Sign::Minus, proof.c.clone());
    let (Some(vk_neg_c), Some(xi_neg_2c)) = (
        pow_mod_signed(vk, &neg_c, n),
        pow_mod_signed(&x_i_sq, &neg_c, n),
    ) else {
        return false;
    };
    let (v_z, x_tilde_z) = rayon::join(
        || pow_mod(&set.v, &proof.z, n),
        || pow_mod(&x_tilde, &proof.z, n),
    );
    let v_prime = v_z * vk_neg_c % n;
    let x_prime = x_tilde_z * xi_neg_2c % n;
    proof_challenge([&set.v, &x_tilde, vk, &x_i_sq, &v_prime, &x_prime]) == proof.c
}

/// y = x^d mod N from k partials (index, x_i) that have been verified.
pub fn combine(set: &RsaSetPublic, x: &BigUint, partials: &[(u32, BigUint)]) -> Result<BigUint> {
    check_input(set, x)?;
    if partials.len() != set.threshold as usize {
        return Err(Error::invalid(format!(
            "combining needs exactly {} partial results, got {}",
            set.threshold,
            partials.len()
        )));
    }
    let n = &set.key.n;
    let indices: Vec<u32> = partials.iter().map(|(i, _)| *i).collect();
    let lambdas = coefficients_integer(&indices, 0, set.total)?;
    let mut w = BigUint::one();
    for ((_, x_i), l) in partials.iter().zip(&lambdas) {
        let term = pow_mod_signed(x_i, &(l * 2), n)
            .ok_or_else(|| Error::format("a partial result is not invertible mod N"))?;
        w = w * term % n;
    }
    // A reshared set's shares interpolate to d + offset: w = x^(4 Delta^2 (d + offset)), so
    // divide out x^(4 Delta^2 offset), which is public (docs/reshare.md 3).
    if !set.offset.is_zero() {
        let delta = set.delta();
        let exp = -(BigInt::from(&delta * &delta * 4u32 * &set.offset));
        let correction =
            pow_mod_signed(x, &exp, n).ok_or_else(|| Error::format("x is not invertible mod N"))?;
        w = w * correction % n;
    }
    // w^e = x^(4 Delta^2); with e' a + e b = 1, y = w^a x^b.
    let delta = BigInt::from(set.delta());
    let e_prime: BigInt = &delta * &delta * 4u32;
    let e = BigInt::from(set.key.e.clone());
    let ext = e_prime.extended_gcd(&e);
    if !ext.gcd.is_one() {
        return Err(Error::internal("e is not coprime to 4 Delta^2"));
    }
    let wa =
        pow_mod_signed(&w, &ext.x, n).ok_or_else(|| Error::format("w is not invertible mod N"))?;
    let xb =
        pow_mod_signed(x, &ext.y, n).ok_or_else(|| Error::format("x is not invertible mod N"))?;
    let y = wa * xb % n;
    if pow_mod(&y, &set.key.e, n) != *x {
        return Err(Error::check(
            "the partial results do not combine to x^d (a partial is bad)",
        ));
    }
    Ok(y)
}

/// Rebuild the whole private key from k good shares: D = sum lambda_j s_j = Delta d (mod m), so
/// M = e D - Delta is a multiple of m and 2M of lambda(N); a multiple of lambda(N) factors N.
pub fn reconstruct(
    set: &RsaSetPublic,
    shares: &[SecretShare],
    rng: &mut dyn CryptoRngCore,
) -> Result<RsaPrivate> {
    if shares.len() < set.threshold as usize {
        return Err(Error::check(format!(
            "{} of {} needed shares: {} missing",
            shares.len(),
            set.threshold,
            set.threshold as usize - shares.len()
        )));
    }
    let shares = &shares[..set.threshold as usize];
    let indices: Vec<u32> = shares.iter().map(|s| s.index).collect();
    let lambdas = coefficients_integer(&indices, 0, set.total)?;
    let mut big_d = BigInt::zero();
    for (s, l) in shares.iter().zip(&lambdas) {
        big_d += l * BigInt::from(s.value.expose().clone());
    }
    // A reshared set's shares interpolate to d + offset: D - Delta offset = Delta d (mod m).
    big_d -= set.delta_offset();
    // |e D - Delta| * 2: the magnitude, whatever the sign.
    let multiple: BigInt =
        (BigInt::from(set.key.e.clone()) * big_d - BigInt::from(set.delta())) * 2u32;
    if multiple.is_zero() {
        return Err(Error::check("the shares do not rebuild the key"));
    }
    let multiple = SecretUint::new(multiple.magnitude().clone());
    let p = factor_with_lambda_multiple(&set.key.n, multiple.expose(), rng)
        .ok_or_else(|| Error::check("the shares do not rebuild the key (N did not factor)"))?;
    let q = &set.key.n / &p;
    let key = RsaPrivate::from_primes(p, q, set.key.e.clone())?;
    if key.public != set.key {
        return Err(Error::check(
            "the rebuilt key does not match the set's public key",
        ));
    }
    Ok(key)
}

/// Factor N given a multiple of lambda(N) (the classic Miller reduction).
pub fn factor_with_lambda_multiple(
    n: &BigUint,
    multiple: &BigUint,
    rng: &mut dyn CryptoRngCore,
) -> Option<BigUint> {
    let one = BigUint::one();
    let n_minus_1 = n - &one;
    let s = multiple.trailing_zeros()?;
    let r = multiple >> s;
    for _ in 0..128 {
        let a = random_range(rng, &BigUint::from(2u32), &n_minus_1);
        let g = a.gcd(n);
        if !g.is_one() {
            return Some(g);
        }
        let mut b = pow_mod_secret(&a, &r, n, multiple.bits());
        if b == one || b == n_minus_1 {
            continue;
        }
        for _ in 0..s {
            let b2 = &b * &b % n;
            if b2 == one {
                // b is a square root of 1 other than +-1.
                let f = (&b - &one).gcd(n);
                if !f.is_one() && &f != n {
                    return Some(f);
                }
                break;
            }
            if b2 == n_minus_1 {
                break;
            }
            b = b2;
        }
    }
    None
}

/// Interpolation from a base index set S0 to other points, arranged for batching (issue 18:
/// per-point Lagrange made a 128-of-255 check take tens of seconds).
///
/// With Delta-scaled integer coefficients, lambda_{i,j} = Delta * Q_{i,j} / den_j where
/// P_i = prod_{j' in S0} (i - j'), Q_{i,j} = P_i / (i - j) (exact) and den_j =
/// prod_{j' in S0, j' != j} (j - j'), which divides Delta (coefficients_integer relies on the same
/// fact). So sum_i r_i lambda_{i,j} = C_j * sum_i r_i Q_{i,j} with C_j = Delta / den_j: one small
/// division per (i, j) instead of a k-term product.
struct Interpolation {
    /// C_j = Delta / den_j for each j in S0.
    scale: Vec<BigInt>,
}

impl Interpolation {
    fn new(s0: &[u32], total: u32) -> Result<Self> {
        // coefficients_integer checks the indexes (distinct, 1..=total) and that Delta clears
        // every denominator; its values at 0 are not needed here, only its checks.
        coefficients_integer(s0, 0, total)?;
        let delta = BigInt::from(factorial(total));
        let scale = s0
            .iter()
            .map(|&j| {
                let den = s0
                    .iter()
                    .filter(|&&jp| jp != j)
                    .fold(BigInt::one(), |acc, &jp| {
                        acc * (i64::from(j) - i64::from(jp))
                    });
                &delta / den
            })
            .collect();
        Ok(Interpolation { scale })
    }

    /// E_j = sum_i r_i lambda_{i,j} for the points `others` (not in S0) with weights r_i.
    fn weighted(&self, s0: &[u32], others: &[u32], weights: &[BigUint]) -> Vec<BigInt> {
        let mut sums = vec![BigInt::zero(); s0.len()];
        for (&i, r) in others.iter().zip(weights) {
            let p_i = s0.iter().fold(BigInt::one(), |acc, &jp| {
                acc * (i64::from(i) - i64::from(jp))
            });
            let r = BigInt::from(r.clone());
            for (sum, &j) in sums.iter_mut().zip(s0) {
                let q_ij = &p_i / (i64::from(i) - i64::from(j));
                *sum += &r * q_ij;
            }
        }
        sums.iter()
            .zip(&self.scale)
            .map(|(sum, c)| sum * c)
            .collect()
    }
}

/// Weights for a batch check, 128 bits each, from a hash of everything checked (Fiat-Shamir):
/// whoever wrote the values cannot pick them.
fn batch_weights(label: &str, transcript: &[&BigUint], count: usize) -> Vec<BigUint> {
    let seed = challenge(label, transcript, 256);
    (0..count)
        .map(|i| challenge(label, &[&seed, &BigUint::from(i)], CHALLENGE_BITS))
        .collect()
}

/// Whole-set consistency of the verification keys (math.md 3): every v_i outside S0 = {1..k} is
/// the interpolation of S0's (checked as v_i^Delta = prod_j v_j^lambda_{i,j}), and S0 interpolates
/// to v^(Delta d) at 0.
///
/// The n - k interpolation checks are batched (small-exponent test): with 128-bit weights r_i,
/// prod_i (v_i^Delta)^r_i = prod_j v_j^(sum_i r_i lambda_{i,j}). A deviation survives only if its
/// order's prime factors are all small: for a safe-prime N the squares have order p'q', so that
/// is 2^-128; deviations of order dividing 2 Delta were already invisible to the one-by-one check
/// (it compares Delta-th powers). Cost: about k + 1 full exponentiations instead of k (n - k).
pub fn verification_keys_consistent(set: &RsaSetPublic) -> bool {
    let n = &set.key.n;
    let k = set.threshold;
    let s0: Vec<u32> = (1..=k).collect();
    let others: Vec<u32> = ((k + 1)..=set.total).collect();
    let delta = set.delta();
    if set.verification_keys.len() != set.total as usize {
        return false;
    }
    let Ok(interp) = Interpolation::new(&s0, set.total) else {
        return false;
    };
    let vk = |i: u32| set.verification_key(i).ok();
    if !others.is_empty() {
        let mut transcript: Vec<&BigUint> = vec![n, &set.v];
        transcript.extend(set.verification_keys.iter());
        let weights = batch_weights("kmi shoup vk batch v1", &transcript, others.len());
        let mut lhs = BigUint::one();
        for (&i, r) in others.iter().zip(&weights) {
            let Some(vi) = vk(i) else { return false };
            lhs = lhs * pow_mod(vi, r, n) % n;
        }
        let lhs = pow_mod(&lhs, &delta, n);
        let exps = interp.weighted(&s0, &others, &weights);
        let mut rhs = BigUint::one();
        for (&j, e) in s0.iter().zip(&exps) {
            let Some(vj) = vk(j) else { return false };
            match pow_mod_signed(vj, e, n) {
                Some(t) => rhs = rhs * t % n,
                None => return false,
            }
        }
        if lhs != rhs {
            return false;
        }
    }
    // (v^(Delta d))^e = v^Delta since e d = 1 mod m and v has order m.
    let Ok(lambdas) = coefficients_integer(&s0, 0, set.total) else {
        return false;
    };
    let mut v0 = BigUint::one();
    for (&j, l) in s0.iter().zip(&lambdas) {
        let Some(vj) = vk(j) else { return false };
        match pow_mod_signed(vj, l, n) {
            Some(t) => v0 = v0 * t % n,
            None => return false,
        }
    }
    // v0 = v^(Delta (d + offset)) for a reshared set: divide out v^(Delta offset).
    if !set.offset.is_zero() {
        match pow_mod_signed(&set.v, &-set.delta_offset(), n) {
            Some(t) => v0 = v0 * t % n,
            None => return false,
        }
    }
    pow_mod(&v0, &set.key.e, n) == pow_mod(&set.v, &delta, n)
}

/// Number of test messages: a dealer who handed out bad shares passes one with probability at
/// most 1/4 (Omega, seed 002 section 5.1), so all of them with at most 4^-L.
pub const TEST_MESSAGES: u32 = 5;

/// The escrow protocol's whole-set check (Omega, seed 002 section 5.1): L test messages beta
/// derived from the set; the partial results x_i = x^(2 Delta s_i) on x = beta^e of every chosen
/// k-subset of `shares` must combine to beta. Needs at least k shares (which the caller has
/// already checked one by one).
///
/// Omega checks n - 2t "carefully chosen" subsets instead of all (t+1)-subsets; the same idea here:
/// the base subset S0 (the first k shares) must combine to beta, and every other share must lie on
/// S0's polynomial, which is what the subset S0 minus one plus that share combining to the same
/// value means. Both are computed in the exponent, since the verifier holds the share values:
/// x_i = b^(s_i) with b = x^(2 Delta), S0 combines to w = b^(2 D) with D = sum lambda_j s_j, and
/// share i lies on the polynomial when b^(Delta s_i - sum_j lambda_{i,j} s_j) = 1. Those n - k
/// conditions are batched with random 128-bit weights. About five exponentiations per message
/// instead of one per share plus k per subset (a 128-of-255 set: tens of seconds before).
pub fn test_messages_combine(
    set: &RsaSetPublic,
    set_id: &[u8],
    shares: &[SecretShare],
    rng: &mut dyn CryptoRngCore,
) -> Result<bool> {
    let k = set.threshold as usize;
    if shares.len() < k {
        return Err(Error::invalid(format!(
            "the test-message check needs {k} shares, {} given",
            shares.len()
        )));
    }
    let n = &set.key.n;
    let delta = set.delta();
    let (base, rest) = shares.split_at(k);
    let s0: Vec<u32> = base.iter().map(|s| s.index).collect();
    let others: Vec<u32> = rest.iter().map(|s| s.index).collect();
    let lambdas0 = coefficients_integer(&s0, 0, set.total)?;
    let interp = Interpolation::new(&s0, set.total)?;
    let mut seen = [false; 256];
    for s in shares {
        match seen.get_mut(s.index as usize) {
            Some(slot) if !*slot && s.index >= 1 && s.index <= set.total => *slot = true,
            _ => return Err(Error::invalid("share indexes must be distinct and in 1..n")),
        }
    }
    // D = sum_j lambda_{0,j} s_j: S0's combination in the exponent.
    let big_d: BigInt = base
        .iter()
        .zip(&lambdas0)
        .map(|(s, l)| l * BigInt::from(s.value.expose().clone()))
        .sum::<BigInt>()
        - set.delta_offset();
    // delta_total = sum_i r_i (Delta s_i - sum_j lambda_{i,j} s_j): 0 mod the order of b when
    // every share lies on S0's polynomial.
    let bound = BigUint::one() << CHALLENGE_BITS;
    let weights: Vec<BigUint> = others
        .iter()
        .map(|_| random_range(rng, &BigUint::one(), &bound))
        .collect();
    let exps = interp.weighted(&s0, &others, &weights);
    let delta_int = BigInt::from(delta.clone());
    let mut deviation: BigInt = rest
        .iter()
        .zip(&weights)
        .map(|(s, r)| BigInt::from(r * s.value.expose()) * &delta_int)
        .sum();
    for (s, e) in base.iter().zip(&exps) {
        deviation -= e * BigInt::from(s.value.expose().clone());
    }
    let deviation = SecretUint::new(deviation.magnitude().clone());
    // y = w^a x^b with e' a + e b = 1, e' = 4 Delta^2 (as in combine).
    let e_prime: BigInt = &delta_int * &delta_int * 4u32;
    let ext = e_prime.extended_gcd(&BigInt::from(set.key.e.clone()));
    if !ext.gcd.is_one() {
        return Ok(false);
    }
    let two_d_a = SecretUint::new((&big_d * 2u32 * &ext.x).magnitude().clone());
    let negative = (big_d.sign() == Sign::Minus) != (ext.x.sign() == Sign::Minus);
    let id = BigUint::from_bytes_be(set_id);
    for l in 0..TEST_MESSAGES {
        let beta = challenge(
            "kmi rsa test message v1",
            &[&id, &BigUint::from(l)],
            n.bits() as usize + 64,
        ) % n;
        if beta <= BigUint::one() || !beta.gcd(n).is_one() {
            continue;
        }
        let x = pow_mod(&beta, &set.key.e, n);
        let b = pow_mod(&x, &(&delta * 2u32), n);
        if !others.is_empty()
            && !pow_mod_secret(&b, deviation.expose(), n, deviation.expose().bits()).is_one()
        {
            return Ok(false);
        }
        // w^a = b^(2 D a); a negative exponent goes through the inverse.
        let wa = pow_mod_secret(&b, two_d_a.expose(), n, two_d_a.expose().bits());
        let wa = if negative {
            match crate::math::modular::mod_inverse(&wa, n) {
                Some(inv) => inv,
                None => return Ok(false),
            }
        } else {
            wa
        };
        let Some(xb) = pow_mod_signed(&x, &ext.y, n) else {
            return Ok(false);
        };
        if wa * xb % n != beta {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::rsa::{generate, RsaGenParams};
    use crate::keys::Quiet;
    use crate::math::prime::SearchConfig;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn key(seed: u8, bits: usize) -> (RsaPrivate, ChaCha20Rng) {
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        let params = RsaGenParams {
            bits,
            safe: true,
            e: BigUint::from(65537u32),
        };
        let k = generate(&params, &mut rng, &SearchConfig { threads: 1 }, &Quiet).unwrap();
        (k, rng)
    }

    #[test]
    fn deal_partial_combine_reconstruct() {
        let (key, mut rng) = key(9, 256);
        let d = deal(&key, 3, 5, &mut rng).unwrap();
        assert!(verification_keys_consistent(&d.public));
        for s in &d.shares {
            assert!(verify_share(&d.public, s));
        }
        let x = BigUint::from(0x1234_5678_9abc_def0u64);
        let mut partials = Vec::new();
        for s in [&d.shares[4], &d.shares[1], &d.shares[2]] {
            let (xi, proof) = partial(&d.public, s, &x, &mut rng).unwrap();
            assert!(verify_partial(&d.public, s.index, &x, &xi, &proof));
            assert!(!verify_partial(&d.public, s.index % 5 + 1, &x, &xi, &proof));
            let wrong = &xi * 4u32 % &key.public.n;
            assert!(!verify_partial(&d.public, s.index, &x, &wrong, &proof));
            partials.push((s.index, xi));
        }
        let y = combine(&d.public, &x, &partials).unwrap();
        assert_eq!(y, x.modpow(key.d.expose(), &key.public.n));
        let rebuilt = reconstruct(&d.public, &d.shares[1..4], &mut rng).unwrap();
        assert_eq!(rebuilt.public, key.public);
        assert!(rebuilt.p.expose() == key.p.expose() || rebuilt.p.expose() == key.q.expose());
        assert!(reconstruct(&d.public, &d.shares[..2], &mut rng).is_err());
    }

    #[test]
    fn test_messages_pass_for_honest_shares_and_fail_for_a_bad_dealer() {
        let (key, mut rng) = key(13, 256);
        let d = deal(&key, 2, 4, &mut rng).unwrap();
        assert!(test_messages_combine(&d.public, &[1; 32], &d.shares, &mut rng).unwrap());
        // A dealer who gives one share a value off by one: caught in the base subset or outside.
        for wrong in 0..4 {
            let mut bad = d.shares.clone();
            bad[wrong].value = SecretUint::new(bad[wrong].value.expose() + 1u32);
            assert!(!test_messages_combine(&d.public, &[1; 32], &bad, &mut rng).unwrap());
            // Any order of the shares gives the same verdicts.
            bad.rotate_left(1);
            assert!(!test_messages_combine(&d.public, &[1; 32], &bad, &mut rng).unwrap());
        }
        let mut shuffled = d.shares.clone();
        shuffled.reverse();
        assert!(test_messages_combine(&d.public, &[1; 32], &shuffled, &mut rng).unwrap());
    }

    #[test]
    fn tampered_verification_keys_are_caught() {
        let (key, mut rng) = key(10, 256);
        let mut d = deal(&key, 2, 4, &mut rng).unwrap();
        let honest = d.public.clone();
        d.public.verification_keys[3] = &d.public.verification_keys[3] * 4u32 % &key.public.n;
        assert!(!verification_keys_consistent(&d.public));
        // In the base subset too, and for larger sets.
        let mut base = honest.clone();
        base.verification_keys[0] = &base.verification_keys[0] * 4u32 % &key.public.n;
        assert!(!verification_keys_consistent(&base));
        let d = deal(&key, 5, 12, &mut rng).unwrap();
        assert!(verification_keys_consistent(&d.public));
        for i in 0..12 {
            let mut bad = d.public.clone();
            bad.verification_keys[i] = &bad.verification_keys[i] * 9u32 % &key.public.n;
            assert!(!verification_keys_consistent(&bad), "v_{} changed", i + 1);
        }
    }

    #[test]
    fn non_safe_keys_and_small_exponents_are_refused() {
        let mut rng = ChaCha20Rng::from_seed([11; 32]);
        let params = RsaGenParams {
            bits: 256,
            safe: false,
            e: BigUint::from(65537u32),
        };
        let plain = generate(&params, &mut rng, &SearchConfig { threads: 1 }, &Quiet).unwrap();
        let err = deal(&plain, 2, 3, &mut rng).err().unwrap().to_string();
        assert!(err.contains("safe primes"), "{err}");
        let (k3, mut rng) = {
            let mut rng = ChaCha20Rng::from_seed([12; 32]);
            let params = RsaGenParams {
                bits: 256,
                safe: true,
                e: BigUint::from(3u32),
            };
            (
                generate(&params, &mut rng, &SearchConfig { threads: 1 }, &Quiet).unwrap(),
                rng,
            )
        };
        let err = deal(&k3, 2, 5, &mut rng).err().unwrap().to_string();
        assert!(err.contains("larger than the number of shares"), "{err}");
    }
}
