//! kmi selftest

use kmi::cli::SelftestArgs;
use kmi::{Error, Result};

use super::Context;

pub fn run(_ctx: &Context, args: SelftestArgs) -> Result<()> {
    let results = kmi::selftest::run_all();
    if args.json {
        let all = results.iter().all(|r| r.passed);
        let doc = serde_json::json!({ "tests": results });
        if all {
            super::json::print(true, doc)?;
        } else {
            super::json::fail_with(doc);
        }
    } else {
        for r in &results {
            outln!("{}  {}", if r.passed { "ok  " } else { "FAIL" }, r.name)?;
        }
    }
    match results.iter().find(|r| !r.passed) {
        Some(r) => Err(Error::check(format!("selftest failed: {}", r.name))),
        None => {
            if !args.json {
                outln!("all {} known-answer tests passed", results.len())?;
            }
            Ok(())
        }
    }
}
