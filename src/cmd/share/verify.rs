//! `kmi share verify` (every share, the batch equation, the set) and `kmi share reconstruct`.

use super::*;

pub(super) fn verify(ctx: &Context, a: ShareVerifyArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.extend(a.shares.iter().cloned());
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    let openers = Openers::load(ctx, &a.open)?;
    let set_ok = set.check_public();
    let verdicts = check_shares(&set, &a.shares, &openers);
    let good: Vec<SecretShare> = verdicts.iter().filter_map(|v| v.opened.clone()).collect();
    rec.shares = verdicts.iter().filter_map(|v| v.index).collect();
    let mut rng = KmiRng::new(None)?;
    let batch = if good.is_empty() {
        None
    } else {
        set.batch_verify(&good, &mut rng)
    };
    let batch_ok = batch != Some(false);
    let bad: Vec<&ShareVerdict> = verdicts.iter().filter(|v| v.problem.is_some()).collect();
    let test_messages = if good.len() >= set.public.threshold() as usize {
        set.test_messages(&good, &mut rng)?
    } else {
        None
    };

    if a.json {
        let all_ok = set_ok.is_ok() && bad.is_empty() && batch_ok && test_messages != Some(false);
        let doc = json!({
            "set": a.set.display().to_string(),
            "set_id": set.id_hex(),
            "scheme": set.public.scheme_name(),
            "threshold": set.public.threshold(),
            "total": set.public.total(),
            "set_consistent": set_ok.is_ok(),
            "batch_verified": batch,
            "test_messages_combine": test_messages,
            "shares": verdicts.iter().map(|v| json!({
                "file": v.file.display().to_string(),
                "index": v.index,
                "ok": v.problem.is_none(),
                "problem": v.problem,
            })).collect::<Vec<_>>(),
        });
        if all_ok {
            crate::cmd::json::print(true, doc)?;
        } else {
            crate::cmd::json::fail_with(doc);
        }
    } else {
        outln!(
            "set {} ({}, {} of {}{})",
            &set.id_hex()[..16],
            set.public.scheme_name(),
            set.public.threshold(),
            set.public.total(),
            set.file
                .label
                .as_deref()
                .map(|l| format!(", label {l:?}"))
                .unwrap_or_default()
        )?;
        outln!(
            "{}  set commitments are consistent",
            if set_ok.is_ok() { "ok  " } else { "BAD " }
        )?;
        for v in &verdicts {
            let what = v
                .index
                .map(|i| format!("share {i}"))
                .unwrap_or_else(|| "share".into());
            match &v.problem {
                None => outln!("ok    {what} ({})", v.file.display())?,
                Some(p) => outln!("BAD   {what} ({}): {p}", v.file.display())?,
            }
        }
        if good.len() > 1 && batch.is_some() {
            outln!(
                "{}  batch verification of {} shares",
                if batch_ok { "ok  " } else { "BAD " },
                good.len()
            )?;
        }
        if let Some(t) = test_messages {
            outln!(
                "{}  {} test messages combine to themselves over every chosen {}-subset",
                if t { "ok  " } else { "BAD " },
                kmi::threshold::rsa::TEST_MESSAGES,
                set.public.threshold()
            )?;
        }
    }
    set_ok.map_err(|e| e.in_file(&a.set))?;
    if !bad.is_empty() {
        let names: Vec<String> = bad
            .iter()
            .map(|v| match v.index {
                Some(i) => format!("share {i} ({})", v.file.display()),
                None => v.file.display().to_string(),
            })
            .collect();
        return Err(Error::check(format!(
            "{} bad: {}",
            if bad.len() == 1 {
                "1 share is"
            } else {
                "shares are"
            },
            names.join(", ")
        )));
    }
    if !batch_ok {
        return Err(Error::check(
            "batch verification failed although every share passed alone",
        ));
    }
    if test_messages == Some(false) {
        return Err(Error::check("the shares pass one by one but test messages do not combine: the dealing is inconsistent"));
    }
    ctx.note(format!(
        "{} share(s) verified against set {}",
        good.len(),
        &set.id_hex()[..16]
    ));
    Ok(())
}

pub(super) fn reconstruct(ctx: &Context, a: ShareReconstructArgs, rec: &mut Record) -> Result<()> {
    rec.inputs.push(a.set.clone());
    rec.inputs.extend(a.shares.iter().cloned());
    let spec = a.output.file.spec(true);
    spec.check_writable()?;
    let set = read_set(&a.set)?;
    rec.set_id = Some(set.id_hex());
    set.check_public().map_err(|e| e.in_file(&a.set))?;
    let openers = Openers::load(ctx, &a.open)?;
    let verdicts = check_shares(&set, &a.shares, &openers);
    for v in verdicts.iter().filter(|v| v.problem.is_some()) {
        ctx.left_out(format!(
            "skipping {}: {}",
            v.file.display(),
            v.problem.as_deref().unwrap_or("")
        ));
    }
    let good: Vec<SecretShare> = verdicts.iter().filter_map(|v| v.opened.clone()).collect();
    rec.shares = good.iter().map(|s| s.index).collect();
    let k = set.public.threshold() as usize;
    if good.len() < k {
        return Err(Error::check(format!(
            "only {} good share(s) of the {k} needed: {} missing",
            good.len(),
            k - good.len()
        )));
    }
    let mut rng = KmiRng::new(None)?;
    let key = set.reconstruct(&good, &mut rng)?;
    if key.public() != set.public.public_key() {
        return Err(Error::check(
            "the rebuilt key does not match the set's public key",
        ));
    }
    let new_pass = a.new_passphrase.source();
    let encryption =
        crate::cmd::key::encryption_from_args(ctx, &a.encrypt, &new_pass, &a.output.file.output)?;
    let bytes = encode_private(&key, a.output.der, encryption.as_ref(), &mut rng)?;
    write_output(&spec, &bytes)?;
    rec.outputs.extend(spec.path.clone());
    let used: Vec<String> = good[..k].iter().map(|s| s.index.to_string()).collect();
    ctx.note(format!(
        "rebuilt the key of set {} from shares {}; fingerprint {}",
        &set.id_hex()[..16],
        used.join(", "),
        fingerprint(&key.public(), 64)?
    ));
    Ok(())
}
