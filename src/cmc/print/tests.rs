use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/cmc/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(name: &str) -> MessageReport {
    parse_message(&fixture(name), &CmcOids::default(), &no_verification).unwrap()
}

#[test]
fn dump_for_eyes() {
    for f in [
        "pkidata.der",
        "pkiresponse.der",
        "signed-pkidata.der",
        "enveloped-pwri.der",
        "pkidata-ci.der",
    ] {
        let r = parse(f);
        println!("== {f}\n{}", render_text(&r));
        println!("{}", serde_json::to_string(&r).unwrap());
    }
}
