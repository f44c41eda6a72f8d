//! Phase 1 of the DKG (GJKR Fig. 2 step 1, docs/dkg.md section 3): a party deals (Pedersen
//! commitments to two polynomials, each party's pair enveloped to it), checks every deal and its
//! own pair (a signed verdict), answers complaints in public, and everyone decides QUAL.

use super::*;

impl Round {
    /// Phase 1(a): this party's dealing, signed with its identity key.
    pub fn deal(&self, key: &RsaPrivate, rng: &mut dyn CryptoRngCore) -> Result<DealFile> {
        let me = self.party_index(key)?;
        let d = pedersen::deal(&self.group, &self.h, self.k(), rng);
        let digest = octets(&self.digest)?;
        let mut shares = Vec::with_capacity(self.n() as usize);
        for j in 1..=self.n() {
            let s = pedersen::evaluate(&d.a, j, &self.group.q);
            let r = pedersen::evaluate(&d.b, j, &self.group.q);
            let msg = ShareMessage {
                version: 1,
                round_digest: digest.clone(),
                dealer: me,
                recipient: j,
                s: to_uint(s.expose())?,
                blinding: to_uint(r.expose())?,
            };
            let der = Zeroizing::new(msg.to_der().map_err(Error::encoding)?);
            shares.push(octets(&self.seal(j, &der, rng)?)?);
        }
        let poly = PolynomialMessage {
            version: 1,
            round_digest: digest.clone(),
            dealer: me,
            a: d.a
                .iter()
                .map(|x| to_uint(x.expose()))
                .collect::<Result<_>>()?,
            b: d.b
                .iter()
                .map(|x| to_uint(x.expose()))
                .collect::<Result<_>>()?,
        };
        let der = Zeroizing::new(poly.to_der().map_err(Error::encoding)?);
        let own = octets(&self.seal(me, &der, rng)?)?;
        let body = DealBody {
            version: 1,
            round_digest: digest,
            dealer: me,
            commitments: uints(&d.commitments)?,
            shares,
            own,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok(DealFile { body, signature })
    }

    pub(super) fn seal(
        &self,
        party: u32,
        der: &[u8],
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Vec<u8>> {
        let cert = self
            .party_certificate(party)
            .ok_or_else(|| Error::internal("party index out of range"))?;
        crate::cms::envelope(
            der,
            KMI_CT_DKG_SHARE,
            &[crate::cms::Recipient::Certificate(cert.clone())],
            rng,
        )
    }

    pub(super) fn open_envelope(
        &self,
        env: &[u8],
        me: u32,
        key: &RsaPrivate,
    ) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
        let opened = crate::cms::open_with_key(env, key, self.party_certificate(me))
            .map_err(|e| format!("its envelope to party {me} does not open: {}", e.reason()))?;
        if opened.content_type != KMI_CT_DKG_SHARE {
            return Err("its envelope holds something else".into());
        }
        Ok(opened.content)
    }

    /// The public checks of a deal (the same for every party): n envelopes, k commitments in
    /// the order-q subgroup. Returns the commitments.
    pub(super) fn deal_public(&self, d: &DealFile) -> std::result::Result<Vec<BigUint>, String> {
        let b = &d.body;
        if b.shares.len() != self.n() as usize {
            return Err(format!(
                "has {} envelopes for {} parties",
                b.shares.len(),
                self.n()
            ));
        }
        if b.commitments.len() != self.k() as usize {
            return Err(format!(
                "has {} commitments for a threshold of {}",
                b.commitments.len(),
                self.k()
            ));
        }
        let c = files::values(&b.commitments);
        if c.iter().any(|x| x >= &self.group.p) {
            return Err("has a commitment larger than p".into());
        }
        pedersen::check_commitments(&self.group, &c, self.k())?;
        Ok(c)
    }

    /// Party `me`'s pair from a deal: opened, bound to this round, dealer and party, and checked
    /// against the dealer's commitments (GJKR Eq. 4).
    pub(super) fn own_pair(
        &self,
        d: &DealFile,
        commitments: &[BigUint],
        me: u32,
        key: &RsaPrivate,
    ) -> std::result::Result<(SecretUint, SecretUint), String> {
        let env = d
            .body
            .shares
            .get(me as usize - 1)
            .ok_or_else(|| "has no envelope for this party".to_string())?;
        let der = self.open_envelope(env.as_bytes(), me, key)?;
        let msg = ShareMessage::from_der_checked(&der).map_err(|e| e.reason())?;
        if msg.round_digest.as_bytes() != self.digest
            || msg.dealer != d.body.dealer
            || msg.recipient != me
        {
            return Err(format!(
                "sent party {me} a share bound to another round, dealer or party (dealer {}, party {})",
                msg.dealer, msg.recipient
            ));
        }
        let s = SecretUint::new(from_uint(&msg.s));
        let r = SecretUint::new(from_uint(&msg.blinding));
        if !pedersen::verify_pair(
            &self.group,
            &self.h,
            commitments,
            me,
            s.expose(),
            r.expose(),
        ) {
            return Err(format!(
                "sent party {me} a share that does not match its commitments"
            ));
        }
        Ok((s, r))
    }

    /// The dealer's own polynomials, from the envelope it sealed to itself in its deal.
    pub(super) fn own_polynomial(
        &self,
        d: &DealFile,
        me: u32,
        key: &RsaPrivate,
    ) -> Result<pedersen::Dealing> {
        let der = self
            .open_envelope(d.body.own.as_bytes(), me, key)
            .map_err(|e| Error::check(format!("your own deal: {e}")))?;
        let poly = PolynomialMessage::from_der_checked(&der)?;
        if poly.round_digest.as_bytes() != self.digest
            || poly.dealer != me
            || poly.a.len() != self.k() as usize
        {
            return Err(Error::check(
                "your own deal's polynomial is bound to another round or dealer",
            ));
        }
        let a: Vec<SecretUint> = poly
            .a
            .iter()
            .map(|x| SecretUint::new(from_uint(x)))
            .collect();
        let b: Vec<SecretUint> = poly
            .b
            .iter()
            .map(|x| SecretUint::new(from_uint(x)))
            .collect();
        let commitments = files::values(&d.body.commitments);
        let ok = a.iter().zip(&b).zip(&commitments).all(|((a, b), c)| {
            a.expose() < &self.group.q
                && b.expose() < &self.group.q
                && &pedersen::pedersen(&self.group, &self.h, a.expose(), b.expose()) == c
        });
        if !ok {
            return Err(Error::check(
                "your own deal's polynomial does not match its commitments",
            ));
        }
        Ok(pedersen::Dealing { a, b, commitments })
    }

    /// Phase 1(b): check every deal, publicly and this party's own pair. The verdict lists every
    /// deal seen (dealer and digest) and a complaint for each bad own pair. The findings say
    /// what was wrong, publicly bad deals included (every party disqualifies those itself).
    pub fn check(&self, files: &Files, key: &RsaPrivate) -> Result<(VerdictFile, Vec<Finding>)> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let mut seen = Vec::new();
        let mut complaints = Vec::new();
        let mut findings = Vec::new();
        for (&dealer, (name, d)) in &a.deals {
            seen.push(Seen {
                dealer,
                deal_digest: octets(&d.digest()?)?,
            });
            let result = self
                .deal_public(d)
                .and_then(|c| self.own_pair(d, &c, me, key).map(|_| ()));
            if let Some(why) = a.doubled.get(&dealer) {
                findings.push(Finding {
                    party: dealer,
                    file: name.to_string(),
                    text: why.clone(),
                });
            }
            match (result, self.deal_public(d).is_ok()) {
                (Ok(()), _) => {}
                (Err(why), true) => {
                    findings.push(Finding {
                        party: dealer,
                        file: name.to_string(),
                        text: format!("{why}: complaint"),
                    });
                    complaints.push(Complaint {
                        dealer,
                        reason: why,
                    });
                }
                (Err(why), false) => findings.push(Finding {
                    party: dealer,
                    file: name.to_string(),
                    text: format!("{why}: disqualified by everyone"),
                }),
            }
        }
        let body = VerdictBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            party: me,
            seen,
            complaints,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok((VerdictFile { body, signature }, findings))
    }

    /// Who complains about `dealer`: an explicit complaint, or a verdict that did not see its
    /// deal, or saw a different one (GJKR's broadcast channel, checked after the fact).
    pub(super) fn complainers(
        &self,
        a: &Admitted<'_>,
        dealer: u32,
        deal: &DealFile,
    ) -> Result<Vec<(u32, String)>> {
        let digest = deal.digest()?;
        let mut out = Vec::new();
        for (&j, (_, v)) in &a.verdicts {
            let b = &v.body;
            if let Some(c) = b.complaints.iter().find(|c| c.dealer == dealer) {
                out.push((j, c.reason.clone()));
            } else {
                match b.seen.iter().find(|s| s.dealer == dealer) {
                    None => out.push((j, "did not receive its deal".into())),
                    Some(s) if s.deal_digest.as_bytes() != digest => {
                        out.push((j, "received a different deal".into()))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(out)
    }

    /// Phase 1(c): a dealer opens, in public, the pairs of every party that complained about it.
    pub fn answer(
        &self,
        files: &Files,
        key: &RsaPrivate,
    ) -> Result<(AnswerFile, Vec<(u32, String)>)> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let (_, deal) = a.deals.get(&me).ok_or_else(|| {
            Error::invalid(format!("give your own deal (party {me}) with the verdicts"))
        })?;
        let dealing = self.own_polynomial(deal, me, key)?;
        let complaints = self.complainers(&a, me, deal)?;
        let mut opened = Vec::new();
        for (j, _) in &complaints {
            let s = pedersen::evaluate(&dealing.a, *j, &self.group.q);
            let r = pedersen::evaluate(&dealing.b, *j, &self.group.q);
            opened.push(OpenedShare {
                recipient: *j,
                s: to_uint(s.expose())?,
                blinding: to_uint(r.expose())?,
            });
        }
        let body = AnswerBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            dealer: me,
            opened,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok((AnswerFile { body, signature }, complaints))
    }

    pub(super) fn qualify_admitted(&self, a: &Admitted<'_>) -> Result<Qualified> {
        let t = self.k() - 1;
        let mut q = Qualified {
            qual: Vec::new(),
            disqualified: Vec::new(),
            notes: Vec::new(),
            pedersen: BTreeMap::new(),
            opened: BTreeMap::new(),
        };
        for i in 1..=self.n() {
            let Some((name, deal)) = a.deals.get(&i) else {
                q.notes.push(Finding {
                    party: i,
                    file: String::new(),
                    text: "never dealt: left out".into(),
                });
                continue;
            };
            let dq = |text: String| Finding {
                party: i,
                file: name.to_string(),
                text,
            };
            if let Some(why) = a.doubled.get(&i) {
                q.disqualified.push(dq(why.clone()));
                continue;
            }
            let c = match self.deal_public(deal) {
                Ok(c) => c,
                Err(why) => {
                    q.disqualified.push(dq(format!("its deal {why}")));
                    continue;
                }
            };
            let complaints = self.complainers(a, i, deal)?;
            if complaints.len() as u32 > t {
                let who: Vec<String> = complaints.iter().map(|(j, _)| j.to_string()).collect();
                q.disqualified.push(dq(format!(
                    "complaints from {} parties ({}), more than k - 1 = {t}",
                    complaints.len(),
                    who.join(", ")
                )));
                continue;
            }
            let answer = a.answers.get(&i);
            let mut bad = None;
            let mut opened = Vec::new();
            for (j, reason) in &complaints {
                let pair =
                    answer.and_then(|(_, ans)| ans.body.opened.iter().find(|o| o.recipient == *j));
                match pair {
                    None => {
                        bad = Some(format!("did not answer party {j}'s complaint ({reason})"));
                        break;
                    }
                    Some(o) => {
                        let (s, r) = (from_uint(&o.s), from_uint(&o.blinding));
                        if !pedersen::verify_pair(&self.group, &self.h, &c, *j, &s, &r) {
                            bad = Some(format!(
                                "answered party {j}'s complaint with a share that does not match its commitments"
                            ));
                            break;
                        }
                        opened.push((*j, reason.clone(), s, r));
                    }
                }
            }
            if let Some(why) = bad {
                q.disqualified.push(dq(why));
                continue;
            }
            for (j, reason, s, r) in opened {
                q.notes.push(Finding {
                    party: j,
                    file: a.verdicts.get(&j).map(|(n, _)| n.to_string()).unwrap_or_default(),
                    text: format!(
                        "complaint against dealer {i} rejected: the dealer opened a share that matches its commitments (\"{reason}\"); party {j} uses the opened share"
                    ),
                });
                q.opened.insert((i, j), (s, r));
            }
            q.pedersen.insert(i, c);
            q.qual.push(i);
        }
        if (q.qual.len() as u32) < self.k() {
            let why: Vec<String> = q
                .disqualified
                .iter()
                .chain(&q.notes)
                .map(|f| f.to_string())
                .collect();
            return Err(Error::check(format!(
                "only {} qualified dealer(s) of the {} needed{}; no key was made",
                q.qual.len(),
                self.k(),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {}", why.join("; "))
                }
            )));
        }
        Ok(q)
    }

    /// Phase 1(d), public: QUAL from the deals, verdicts and answers.
    pub fn qualify(&self, files: &Files) -> Result<Qualified> {
        let a = self.admit(files)?;
        self.qualify_admitted(&a)
    }
}
