//! Phase 2 of the DKG (GJKR Fig. 2 step 4, docs/dkg.md sections 4 and 5): qualified dealers
//! reveal their Feldman commitments with a proof tying them to the Pedersen ones, a bad or
//! missing reveal is rebuilt from disclosed pairs, and `finish` extracts y, the set and a share.

use super::*;

impl Round {
    pub(super) fn reveal_context(&self, dealer: u32) -> Vec<u8> {
        let mut c = self.digest.to_vec();
        c.extend_from_slice(&dealer.to_be_bytes());
        c
    }

    /// Phase 2 (GJKR step 4(a)): a qualified dealer reveals A_t = g^(a_t) with its proof.
    pub fn reveal(
        &self,
        files: &Files,
        key: &RsaPrivate,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<(RevealFile, Qualified)> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let q = self.qualify_admitted(&a)?;
        if !q.qual.contains(&me) {
            let why = q
                .disqualified
                .iter()
                .chain(&q.notes)
                .find(|f| f.party == me)
                .map(|f| f.text.clone())
                .unwrap_or_else(|| "not qualified".into());
            return Err(Error::check(format!(
                "party {me} is not a qualified dealer ({why}): it has nothing to reveal"
            )));
        }
        let (_, deal) = a
            .deals
            .get(&me)
            .ok_or_else(|| Error::internal("qualified dealer without a deal"))?;
        let dealing = self.own_polynomial(deal, me, key)?;
        let r = pedersen::reveal(
            &self.group,
            &self.h,
            &dealing,
            &self.reveal_context(me),
            rng,
        );
        let body = RevealBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            dealer: me,
            commitments: uints(&r.commitments)?,
            proof: RevealProof {
                u: uints(&r.u)?,
                v: uints(&r.v)?,
                z: uints(&r.z)?,
                z_blind: uints(&r.z_blind)?,
            },
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok((RevealFile { body, signature }, q))
    }

    /// A reveal checked against the dealer's Pedersen commitments (publicly).
    pub(super) fn check_reveal(
        &self,
        dealer: u32,
        pedersen_c: &[BigUint],
        r: &RevealFile,
        rng: &mut dyn CryptoRngCore,
    ) -> std::result::Result<Vec<BigUint>, String> {
        let b = &r.body;
        let too_big = |l: &[Uint]| files::values(l).iter().any(|x| x >= &self.group.p);
        if too_big(&b.commitments) || too_big(&b.proof.u) || too_big(&b.proof.v) {
            return Err("reveals a value larger than p".into());
        }
        let rv = pedersen::Reveal {
            commitments: files::values(&b.commitments),
            u: files::values(&b.proof.u),
            v: files::values(&b.proof.v),
            z: files::values(&b.proof.z),
            z_blind: files::values(&b.proof.z_blind),
        };
        pedersen::verify_reveal(
            &self.group,
            &self.h,
            pedersen_c,
            &rv,
            &self.reveal_context(dealer),
            rng,
        )?;
        Ok(rv.commitments)
    }

    /// This party's pair from a qualified dealer: the pair the dealer opened in public after
    /// a complaint, or else the one in its envelope (which must verify: a party that did not
    /// complain about a bad pair cannot get its share).
    pub(super) fn pair_from(
        &self,
        a: &Admitted<'_>,
        q: &Qualified,
        dealer: u32,
        me: u32,
        key: &RsaPrivate,
    ) -> Result<(SecretUint, SecretUint)> {
        if let Some((s, r)) = q.opened.get(&(dealer, me)) {
            return Ok((SecretUint::new(s.clone()), SecretUint::new(r.clone())));
        }
        let (name, deal) = a
            .deals
            .get(&dealer)
            .ok_or_else(|| Error::internal("qualified dealer without a deal"))?;
        let c = q
            .pedersen
            .get(&dealer)
            .ok_or_else(|| Error::internal("qualified dealer without commitments"))?;
        self.own_pair(deal, c, me, key).map_err(|why| {
            Error::check(format!(
                "dealer {dealer} ({name}) {why}, and party {me}'s verdict did not complain: party {me} cannot compute its share"
            ))
        })
    }

    /// GJKR step 4(c): party `me` discloses its pair from `dealer`, a qualified dealer whose
    /// reveal is missing or does not verify, so that everyone can rebuild its commitments.
    pub fn disclose(
        &self,
        files: &Files,
        key: &RsaPrivate,
        dealer: u32,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<DisclosureFile> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let q = self.qualify_admitted(&a)?;
        let Some(c) = q.pedersen.get(&dealer) else {
            return Err(Error::check(format!(
                "dealer {dealer} is not qualified: nothing to disclose"
            )));
        };
        if let Some((name, r)) = a.reveals.get(&dealer) {
            if self.check_reveal(dealer, c, r, rng).is_ok() {
                return Err(Error::check(format!(
                    "dealer {dealer}'s reveal ({name}) verifies: its shares stay secret"
                )));
            }
        }
        let (s, r) = self.pair_from(&a, &q, dealer, me, key)?;
        let body = DisclosureBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            party: me,
            dealer,
            s: to_uint(s.expose())?,
            blinding: to_uint(r.expose())?,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok(DisclosureFile { body, signature })
    }

    /// The set from the qualified dealers' Feldman commitments (public data only), and with an
    /// identity this party's share of it.
    pub fn finish(
        &self,
        files: &Files,
        key: Option<&RsaPrivate>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Finished> {
        let me = key.map(|k| self.party_index(k)).transpose()?;
        let a = self.admit(files)?;
        let q = self.qualify_admitted(&a)?;
        let mut feldman: Vec<Vec<BigUint>> = Vec::new();
        let mut rebuilt = Vec::new();
        for &i in &q.qual {
            let c = &q.pedersen[&i];
            let problem = match a.reveals.get(&i) {
                None => "did not reveal".to_string(),
                Some((name, r)) => match self.check_reveal(i, c, r, rng) {
                    Ok(v) => {
                        feldman.push(v);
                        continue;
                    }
                    Err(why) => format!("{why} ({name})"),
                },
            };
            // GJKR 4(c): rebuild a_i(X) from k disclosed pairs that match C_i.
            let mut points: Vec<(u32, BigUint)> = Vec::new();
            for (_, d) in a.disclosures.iter().filter(|(_, d)| d.body.dealer == i) {
                let (s, r) = (from_uint(&d.body.s), from_uint(&d.body.blinding));
                if points.iter().all(|(j, _)| *j != d.body.party)
                    && pedersen::verify_pair(&self.group, &self.h, c, d.body.party, &s, &r)
                {
                    points.push((d.body.party, s));
                }
            }
            if points.len() < self.k() as usize {
                return Err(Error::check(format!(
                    "qualified dealer {i} {problem}: it stays in the key, so its commitments are rebuilt from its shares: every party runs kmi share dkg disclose --dealer {i} and finish runs again with the disclosures ({} good of the {} needed so far)",
                    points.len(),
                    self.k()
                )));
            }
            points.truncate(self.k() as usize);
            let coef = pedersen::interpolate(&points, &self.group.q)?;
            feldman.push(
                coef.iter()
                    .map(|x| pow_mod(&self.group.g, x, &self.group.p))
                    .collect(),
            );
            rebuilt.push(Finding {
                party: i,
                file: String::new(),
                text: format!(
                    "{problem}: its commitments were rebuilt from {} disclosed shares",
                    points.len()
                ),
            });
        }
        let p = &self.group.p;
        let mut combined = vec![BigUint::one(); self.k() as usize];
        for list in &feldman {
            for (acc, x) in combined.iter_mut().zip(list) {
                *acc = &*acc * x % p;
            }
        }
        let y = combined[0].clone();
        if y <= BigUint::one() {
            return Err(Error::check(
                "the qualified dealers' contributions sum to 0: no key",
            ));
        }
        let public = ElGamalPublic {
            group: self.group.clone(),
            y,
        };
        let spki =
            SubjectPublicKeyInfoOwned::from_der(&encode_public_spki(&PublicKey::ElGamal(public))?)
                .map_err(|e| Error::internal(format!("SubjectPublicKeyInfo: {e}")))?;
        // Deterministic: every party's finish writes the very same set.
        let file = ShareSetFile {
            version: SET_VERSION,
            scheme: crate::oids::KMI_SCHEME_ELGAMAL_FELDMAN,
            threshold: self.k(),
            total: self.n(),
            purpose: Purpose::Decrypt.code(),
            seeded: false,
            public_key: spki,
            commitments: Commitments::ElGamal(uints(&combined)?),
            label: self.file.label.clone(),
            created: None,
            lineage: None,
            pedersen: None,
        };
        let set = ShareSet::from_file(file)?;
        set.check_public()
            .map_err(|e| Error::check(format!("the new set does not verify: {}", e.reason())))?;
        let share = match (me, key) {
            (Some(me), Some(key)) => {
                let mut x = BigUint::default();
                for &i in &q.qual {
                    let (s, _) = self.pair_from(&a, &q, i, me, key)?;
                    x = (x + s.expose()) % &self.group.q;
                }
                let x = SecretUint::new(x);
                let opened = crate::threshold::SecretShare {
                    index: me,
                    value: x,
                };
                if !set.verify_share(&opened) {
                    return Err(Error::check(format!(
                        "party {me}'s share does not match the set's commitments (a qualified dealer's reveal and shares disagree)"
                    )));
                }
                Some((
                    me,
                    ShareFile {
                        version: 1,
                        set_id: octets(&set.id)?,
                        index: me,
                        value: to_uint(opened.value.expose())?,
                        set: set.file.clone(),
                        blinding: None,
                    },
                ))
            }
            _ => None,
        };
        Ok(Finished {
            set,
            qualified: q,
            rebuilt,
            share,
        })
    }
}
