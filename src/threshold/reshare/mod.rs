//! Reshare, refresh and transfer (issue 16, docs/reshare.md): change who holds a set's key, its
//! threshold and its shares without ever rebuilding the key, as file rounds an air-gapped
//! ceremony can carry.
//!
//! 1. `new_round` fixes everything first: the old set id, k2, n2, the new trustees'
//!    certificates in order and a fresh random round id (`files::RoundFile`).
//! 2. Any k old trustees `deal`: each sub-shares its own share to the n2 new trustees, encrypted
//!    per trustee (CMS), with public commitments (`files::DealFile`), all bound to the round's
//!    digest, which covers the round id, the old set and the trustee list.
//! 3. Each new trustee `accept`s: every deal is checked publicly (round, old set, dealer, the
//!    commitments against the old set's verification data) and its own sub-share privately
//!    (against the dealer's commitments); a cheating dealer is named. The first k good dealers
//!    (by index) are used, so every party picks the same ones.
//! 4. `finish` computes the new set from the public parts alone. The public key is unchanged;
//!    the set (and its id) is new, so old shares never combine with it.
//!
//! The math is per scheme: `feldman` (ElGamal, Desmedt-Jajodia / Wong-Wang-Wing) and `integer`
//! (Shoup RSA over the integers, Frankel-Gemmell-MacKenzie-Yung / Rabin).

pub mod feldman;
pub mod files;
pub mod integer;
#[cfg(test)]
mod tests;

use der::asn1::OctetString;
use der::Encode;
use num_bigint::BigUint;
use rand_core::CryptoRngCore;
use x509_cert::Certificate;
use zeroize::Zeroizing;

pub use files::{DealFile, RoundFile, SubShareFile};

use super::file::{
    from_uint, to_uint, Commitments, Lineage, RsaIntegerShares, RsaVerificationKeys, ShareFile,
    ShareSetFile,
};
use super::set::{SetPublic, ShareSet};
use super::SecretShare;
use crate::keys::RsaPrivate;
use crate::math::secret::SecretUint;
use crate::oids::KMI_CT_RESHARE_SUB_SHARE;
use crate::{Error, Result};

/// Make a round: the old set, the new threshold and the new trustees (certificates whose RSA
/// keys will receive the sub-shares, trustee i at position i).
pub fn new_round(
    old: &ShareSet,
    threshold: u32,
    trustees: Vec<Certificate>,
    label: Option<String>,
    rng: &mut dyn CryptoRngCore,
) -> Result<RoundFile> {
    let total = u32::try_from(trustees.len()).unwrap_or(u32::MAX);
    files::check_threshold(threshold, total)?;
    let mut id = [0u8; 32];
    rng.fill_bytes(&mut id);
    let file = RoundFile {
        version: 1,
        round_id: OctetString::new(id.to_vec()).map_err(Error::encoding)?,
        previous_set_id: OctetString::new(old.id.to_vec()).map_err(Error::encoding)?,
        threshold,
        total,
        trustees,
        label,
    };
    // Everything a party checks later is checked now, so a round that cannot finish is not made.
    Round::open(old, file.clone())?;
    Ok(file)
}

/// The scheme-specific public numbers of a round.
enum Scheme {
    ElGamal,
    Rsa(integer::Params),
}

/// A round file checked against the set it reshares.
pub struct Round {
    pub file: RoundFile,
    pub digest: [u8; 32],
    recipients: Vec<crate::cms::Recipient>,
    scheme: Scheme,
}

/// What one party concluded about one deal file.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub name: String,
    pub dealer: u32,
    /// None: the deal is good (and used if among the first k).
    pub problem: Option<String>,
    pub used: bool,
}

/// A new trustee's result: its share of the new set, and the verdicts.
pub struct Accepted {
    pub set: ShareSet,
    pub share: ShareFile,
    pub index: u32,
    pub verdicts: Vec<Verdict>,
}

/// `finish`'s result: the new set (public only), and the verdicts.
pub struct Finished {
    pub set: ShareSet,
    pub verdicts: Vec<Verdict>,
}

fn rsa_key_of(cert: &Certificate) -> Result<(BigUint, BigUint)> {
    use der::referenced::OwnedToRef;
    let spki = cert.tbs_certificate.subject_public_key_info.owned_to_ref();
    let key = crate::cms::ktri::rsa_public_from_spki(spki)?;
    use rsa::traits::PublicKeyParts;
    Ok((
        BigUint::from_bytes_be(&key.n().to_bytes_be()),
        BigUint::from_bytes_be(&key.e().to_bytes_be()),
    ))
}

impl Round {
    /// Check a round against the old set: it names this set, its threshold fits, every trustee
    /// certificate holds an RSA key (the sub-shares are RSA-OAEP enveloped to it), no trustee
    /// appears twice, and for RSA sets the new shares' size is acceptable.
    pub fn open(old: &ShareSet, file: RoundFile) -> Result<Round> {
        if file.previous_set_id.as_bytes() != old.id {
            return Err(Error::check(format!(
                "the round reshares set {}, not this set ({})",
                short(file.previous_set_id.as_bytes()),
                short(&old.id)
            )));
        }
        files::check_threshold(file.threshold, file.total)?;
        let mut keys = Vec::with_capacity(file.trustees.len());
        for (i, cert) in file.trustees.iter().enumerate() {
            let key = rsa_key_of(cert).map_err(|e| {
                Error::check(format!(
                    "new trustee {}'s certificate: {}",
                    i + 1,
                    e.reason()
                ))
            })?;
            if let Some(j) = keys.iter().position(|k| k == &key) {
                return Err(Error::check(format!(
                    "new trustees {} and {} have the same key",
                    j + 1,
                    i + 1
                )));
            }
            keys.push(key);
        }
        let scheme = match &old.public {
            SetPublic::ElGamal { .. } => Scheme::ElGamal,
            SetPublic::Rsa(r) => Scheme::Rsa(integer::params(r, file.threshold, file.total)?),
        };
        let recipients = file
            .trustees
            .iter()
            .cloned()
            .map(crate::cms::Recipient::Certificate)
            .collect();
        Ok(Round {
            digest: file.digest()?,
            file,
            recipients,
            scheme,
        })
    }

    pub fn id_hex(&self) -> String {
        self.file.id_hex()
    }

    /// Which new trustee holds `key` (1-based), by the RSA key in its certificate.
    pub fn trustee_index(&self, key: &RsaPrivate) -> Result<u32> {
        for (i, cert) in self.file.trustees.iter().enumerate() {
            let (n, e) = rsa_key_of(cert)?;
            if n == key.public.n && e == key.public.e {
                return Ok(i as u32 + 1);
            }
        }
        Err(Error::check(
            "this identity is none of the round's new trustees",
        ))
    }

    /// An old trustee's deal: its share (checked against the old set first) sub-shared to the
    /// new trustees, each sub-share enveloped for its trustee and bound to this round.
    pub fn deal(
        &self,
        old: &ShareSet,
        share: &SecretShare,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<DealFile> {
        if !old.verify_share(share) {
            return Err(Error::check(format!(
                "share {} does not match the old set's commitments: it cannot deal",
                share.index
            )));
        }
        let (commitments, values) = match (&old.public, &self.scheme) {
            (SetPublic::ElGamal { public, .. }, Scheme::ElGamal) => {
                let d = feldman::sub_deal(
                    &public.group,
                    share,
                    self.file.threshold,
                    self.file.total,
                    rng,
                );
                (d.commitments, d.values)
            }
            (SetPublic::Rsa(r), Scheme::Rsa(p)) => {
                let d = integer::sub_deal(r, p, share, rng)?;
                (d.commitments, d.values)
            }
            _ => return Err(Error::internal("round and set schemes differ")),
        };
        let digest = OctetString::new(self.digest.to_vec()).map_err(Error::encoding)?;
        let mut sub_shares = Vec::with_capacity(values.len());
        for (i, (value, recipient)) in values.iter().zip(&self.recipients).enumerate() {
            let sub = SubShareFile {
                version: 1,
                round_digest: digest.clone(),
                dealer: share.index,
                recipient: i as u32 + 1,
                value: to_uint(value.expose())?,
            };
            let der = Zeroizing::new(sub.to_der().map_err(Error::encoding)?);
            let env = crate::cms::envelope(
                &der,
                KMI_CT_RESHARE_SUB_SHARE,
                std::slice::from_ref(recipient),
                rng,
            )?;
            sub_shares.push(OctetString::new(env).map_err(Error::encoding)?);
        }
        Ok(DealFile {
            version: 1,
            round_digest: digest,
            round_id: self.file.round_id.clone(),
            previous_set_id: self.file.previous_set_id.clone(),
            dealer: share.index,
            commitments: commitments.iter().map(to_uint).collect::<Result<_>>()?,
            sub_shares,
        })
    }

    /// The public checks of one deal (the same for every party): this round, this set, a
    /// dealer of the old set, the right counts, commitments consistent with the old set.
    pub fn check_deal(&self, old: &ShareSet, deal: &DealFile) -> std::result::Result<(), String> {
        if deal.round_id != self.file.round_id {
            return Err(format!(
                "was dealt for another round ({}, not {})",
                short(deal.round_id.as_bytes()),
                short(self.file.round_id.as_bytes())
            ));
        }
        if deal.round_digest.as_bytes() != self.digest {
            return Err(
                "was dealt for a different round file with this round id (another trustee list, threshold or set)"
                    .into(),
            );
        }
        if deal.previous_set_id.as_bytes() != old.id {
            return Err("reshares another set".into());
        }
        if deal.dealer < 1 || deal.dealer > old.public.total() {
            return Err(format!(
                "names dealer {}, outside the old set's 1..{}",
                deal.dealer,
                old.public.total()
            ));
        }
        if deal.sub_shares.len() != self.file.total as usize {
            return Err(format!(
                "has {} sub-shares for {} new trustees",
                deal.sub_shares.len(),
                self.file.total
            ));
        }
        let commitments = deal.commitment_values();
        match (&old.public, &self.scheme) {
            (
                SetPublic::ElGamal {
                    public,
                    commitments: old_c,
                    ..
                },
                Scheme::ElGamal,
            ) => feldman::check_commitments(
                &public.group,
                old_c,
                deal.dealer,
                &commitments,
                self.file.threshold,
            ),
            (SetPublic::Rsa(r), Scheme::Rsa(p)) => {
                integer::check_commitments(r, p, deal.dealer, &commitments)
            }
            _ => Err("does not fit the set's scheme".into()),
        }
    }

    /// Open and check one sub-share for trustee `me`: its envelope, its binding (this round,
    /// this dealer, this trustee) and its value against the dealer's commitments.
    fn open_sub_share(
        &self,
        old: &ShareSet,
        deal: &DealFile,
        me: u32,
        key: &RsaPrivate,
    ) -> std::result::Result<SecretUint, String> {
        let env = deal
            .sub_shares
            .get(me as usize - 1)
            .ok_or_else(|| "has no sub-share for this trustee".to_string())?;
        let cert = self.file.trustees.get(me as usize - 1);
        let opened = crate::cms::open_with_key(env.as_bytes(), key, cert)
            .map_err(|e| format!("sub-share for trustee {me} does not open: {}", e.reason()))?;
        if opened.content_type != KMI_CT_RESHARE_SUB_SHARE {
            return Err("sub-share envelope holds something else".into());
        }
        let sub = SubShareFile::from_der_checked(&opened.content).map_err(|e| e.reason())?;
        if sub.round_digest.as_bytes() != self.digest
            || sub.dealer != deal.dealer
            || sub.recipient != me
        {
            return Err(format!(
                "sub-share is bound to another round, dealer or trustee (dealer {}, trustee {})",
                sub.dealer, sub.recipient
            ));
        }
        let value = SecretUint::new(from_uint(&sub.value));
        let commitments = deal.commitment_values();
        let ok = match (&old.public, &self.scheme) {
            (SetPublic::ElGamal { public, .. }, Scheme::ElGamal) => {
                feldman::verify_sub_share(&public.group, &commitments, me, value.expose())
            }
            (SetPublic::Rsa(r), Scheme::Rsa(p)) => {
                integer::verify_sub_share(r, p, &commitments, me, value.expose())
            }
            _ => false,
        };
        if !ok {
            return Err(format!(
                "sent trustee {me} a sub-share that does not match its commitments"
            ));
        }
        Ok(value)
    }

    /// The public selection every party makes: deals in dealer order, excluded and publicly bad
    /// ones named, the first k good ones used.
    fn select<'a>(
        &self,
        old: &ShareSet,
        deals: &'a [(String, DealFile)],
        exclude: &[u32],
    ) -> (Vec<Verdict>, Vec<&'a DealFile>) {
        let mut order: Vec<&(String, DealFile)> = deals.iter().collect();
        order.sort_by_key(|(_, d)| d.dealer);
        let k = old.public.threshold() as usize;
        let mut verdicts = Vec::new();
        let mut used: Vec<&DealFile> = Vec::new();
        let mut seen: Vec<u32> = Vec::new();
        for (name, deal) in order {
            let problem = if exclude.contains(&deal.dealer) {
                Some("excluded (--exclude)".to_string())
            } else if seen.contains(&deal.dealer) {
                Some(format!(
                    "dealer {} dealt twice: only the first is read",
                    deal.dealer
                ))
            } else {
                self.check_deal(old, deal).err()
            };
            seen.push(deal.dealer);
            let use_it = problem.is_none() && used.len() < k;
            if use_it {
                used.push(deal);
            }
            verdicts.push(Verdict {
                name: name.clone(),
                dealer: deal.dealer,
                problem,
                used: use_it,
            });
        }
        (verdicts, used)
    }

    fn enough(&self, old: &ShareSet, verdicts: &[Verdict], used: usize) -> Result<()> {
        let k = old.public.threshold() as usize;
        if used < k {
            let bad: Vec<String> = verdicts
                .iter()
                .filter_map(|v| {
                    v.problem
                        .as_ref()
                        .map(|p| format!("dealer {} ({}) {p}", v.dealer, v.name))
                })
                .collect();
            return Err(Error::check(format!(
                "only {used} good deal(s) of the {k} needed{}",
                if bad.is_empty() {
                    String::new()
                } else {
                    format!(": {}", bad.join("; "))
                }
            )));
        }
        Ok(())
    }

    /// The new set from the used dealers' commitments (public data only).
    fn new_set(&self, old: &ShareSet, used: &[&DealFile]) -> Result<ShareSet> {
        let dealers: Vec<u32> = used.iter().map(|d| d.dealer).collect();
        let lists: Vec<Vec<BigUint>> = used.iter().map(|d| d.commitment_values()).collect();
        let (commitments, rsa) = match (&old.public, &self.scheme) {
            (SetPublic::ElGamal { public, .. }, Scheme::ElGamal) => {
                let c = feldman::combine_commitments(&public.group, &public.y, &dealers, &lists)?;
                (
                    Commitments::ElGamal(c.iter().map(to_uint).collect::<Result<_>>()?),
                    None,
                )
            }
            (SetPublic::Rsa(r), Scheme::Rsa(p)) => {
                let new = integer::new_public(r, p, &dealers, &lists)?;
                (
                    Commitments::Rsa(RsaVerificationKeys {
                        v: to_uint(&new.v)?,
                        verification_keys: new
                            .verification_keys
                            .iter()
                            .map(to_uint)
                            .collect::<Result<_>>()?,
                    }),
                    Some(RsaIntegerShares {
                        offset: to_uint(&new.offset)?,
                        share_bits: u32::try_from(new.share_bits)
                            .map_err(|_| Error::internal("share size"))?,
                    }),
                )
            }
            _ => return Err(Error::internal("round and set schemes differ")),
        };
        let generation = old
            .file
            .lineage
            .as_ref()
            .map_or(0, |l| l.generation)
            .saturating_add(1);
        // Deterministic: accept and finish must write the very same set (no creation time).
        let file = ShareSetFile {
            version: old.file.version,
            scheme: old.file.scheme,
            threshold: self.file.threshold,
            total: self.file.total,
            purpose: old.file.purpose,
            seeded: old.file.seeded,
            public_key: old.file.public_key.clone(),
            commitments,
            label: self.file.label.clone().or_else(|| old.file.label.clone()),
            created: None,
            lineage: Some(Lineage {
                previous_set_id: self.file.previous_set_id.clone(),
                round_id: self.file.round_id.clone(),
                generation,
                rsa,
            }),
            // A reshared set is Feldman-only (docs/dkg.md 8): the old blinding is not carried.
            pedersen: None,
        };
        let set = ShareSet::from_file(file)?;
        set.check_public()
            .map_err(|e| Error::check(format!("the new set does not verify: {}", e.reason())))?;
        Ok(set)
    }

    /// A new trustee's acceptance: check every deal, name cheaters, and compute this trustee's
    /// share of the new set from the first k good deals. A used dealer whose sub-share to this
    /// trustee is bad stops the acceptance (the other parties cannot see it): the ceremony
    /// leaves that dealer out everywhere (`exclude`) and runs accept and finish again.
    pub fn accept(
        &self,
        old: &ShareSet,
        deals: &[(String, DealFile)],
        key: &RsaPrivate,
        exclude: &[u32],
    ) -> Result<Accepted> {
        let me = self.trustee_index(key)?;
        let (mut verdicts, used) = self.select(old, deals, exclude);
        // Every publicly good sub-share is opened and checked, used or not.
        let mut values: Vec<(u32, SecretUint)> = Vec::new();
        let mut private_bad: Vec<String> = Vec::new();
        let mut cheaters: Vec<String> = Vec::new();
        for v in verdicts.iter_mut().filter(|v| v.problem.is_none()) {
            let Some((_, deal)) = deals
                .iter()
                .find(|(n, d)| n == &v.name && d.dealer == v.dealer)
            else {
                continue;
            };
            match self.open_sub_share(old, deal, me, key) {
                Ok(value) => {
                    if v.used {
                        values.push((v.dealer, value));
                    }
                }
                Err(why) => {
                    if v.used {
                        private_bad.push(format!("dealer {} ({}) {why}", v.dealer, v.name));
                        cheaters.push(v.dealer.to_string());
                    }
                    v.problem = Some(why);
                    v.used = false;
                }
            }
        }
        if !private_bad.is_empty() {
            return Err(Error::check(format!(
                "cheating dealer: {}; leave it out of this round for every party (--exclude {}) and accept and finish again",
                private_bad.join("; "),
                cheaters.join(" --exclude ")
            )));
        }
        self.enough(old, &verdicts, used.len())?;
        let set = self.new_set(old, &used)?;
        let dealers: Vec<u32> = values.iter().map(|(d, _)| *d).collect();
        let vals: Vec<SecretUint> = values.into_iter().map(|(_, v)| v).collect();
        let value = match (&old.public, &self.scheme) {
            (SetPublic::ElGamal { public, .. }, Scheme::ElGamal) => {
                feldman::combine_share(&public.group, &dealers, &vals)?
            }
            (SetPublic::Rsa(r), Scheme::Rsa(p)) => integer::combine_share(r, p, &dealers, &vals)?,
            _ => return Err(Error::internal("round and set schemes differ")),
        };
        let share = SecretShare { index: me, value };
        if !set.verify_share(&share) {
            return Err(Error::check(format!(
                "trustee {me}'s new share does not match the new set (a dealer's commitments and sub-shares disagree)"
            )));
        }
        let file = ShareFile {
            version: 1,
            set_id: OctetString::new(set.id.to_vec()).map_err(Error::encoding)?,
            index: me,
            value: to_uint(share.value.expose())?,
            set: set.file.clone(),
            blinding: None,
        };
        Ok(Accepted {
            set,
            share: file,
            index: me,
            verdicts,
        })
    }

    /// The new set from the deals' public parts: no secret is read.
    pub fn finish(
        &self,
        old: &ShareSet,
        deals: &[(String, DealFile)],
        exclude: &[u32],
    ) -> Result<Finished> {
        let (verdicts, used) = self.select(old, deals, exclude);
        self.enough(old, &verdicts, used.len())?;
        let set = self.new_set(old, &used)?;
        Ok(Finished { set, verdicts })
    }

    /// The new trustee's certificate, to seal its accepted share to itself.
    pub fn trustee_certificate(&self, index: u32) -> Option<&Certificate> {
        self.file.trustees.get((index as usize).checked_sub(1)?)
    }
}

fn short(b: &[u8]) -> String {
    hex::encode(&b[..b.len().min(8)])
}
