//! `key check` of large RSA keys (issue 18: 16384-bit keys took over 20 s when every modulus above
//! 4096 bits fell back to num-bigint). One run times, for each size, the checks on the committed
//! openssl fixtures (testdata/keys/rsa<bits>.pem, see testdata/README.md) with the Montgomery
//! engine limited to 64 limbs (the old engine: num-bigint above 4096 bits) and at its full 256
//! limbs, alternating the two so machine noise hits both alike.
//!
//!     cargo bench --bench key_check -- [bits ...]      (default 4096 8192 16384)
//!
//! KMI_BENCH_RUNS sets the rounds (default 3). Reports median, min and max seconds per check.

use std::path::Path;
use std::time::Instant;

use kmi::keys::check::check_key;
use kmi::keys::encoding::decode_key;
use kmi::keys::Key;
use kmi::math::prime::backend::set_width_limit;
use zeroize::Zeroizing;

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn time_check(key: &Key) -> f64 {
    let start = Instant::now();
    let report = check_key(key, false);
    let t = start.elapsed().as_secs_f64();
    assert!(report.passed(), "{:?}", report.first_failure());
    t
}

fn main() {
    let mut sizes: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![4096, 8192, 16384];
    }
    let runs: usize = std::env::var("KMI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let no_pass =
        || -> kmi::Result<Zeroizing<String>> { Err(kmi::Error::invalid("no passphrase")) };
    for bits in sizes {
        let path = format!("{}/testdata/keys/rsa{bits}.pem", env!("CARGO_MANIFEST_DIR"));
        let Ok(bytes) = std::fs::read(&path) else {
            println!("{path}: missing (make it as testdata/README.md says)");
            continue;
        };
        let private = decode_key(&bytes, Path::new(&path), &no_pass).expect("fixture key");
        let public = match &private {
            Key::Private(k) => Key::Public(k.public()),
            Key::Public(_) => panic!("{path} is not a private key"),
        };
        for (what, key) in [("private", &private), ("public", &public)] {
            let (mut old, mut new) = (Vec::new(), Vec::new());
            for _ in 0..runs {
                set_width_limit(64);
                old.push(time_check(key));
                set_width_limit(256);
                new.push(time_check(key));
            }
            let (om, olo, ohi) = stats(old);
            let (nm, nlo, nhi) = stats(new);
            println!(
                "RSA-{bits} key check ({what}, {runs} runs): num-bigint above 4096 bits {om:.2} s [{olo:.2}-{ohi:.2}], Montgomery to 16384 bits {nm:.2} s [{nlo:.2}-{nhi:.2}], {:.1}x faster",
                om / nm
            );
        }
    }
}
