//! Safe-prime benchmark (plain harness).
//!
//!     cargo bench --bench safe_prime -- [bits] [runs]
//!
//! Reports mean/median/min/max over `runs` for: kmi safe_prime on 1 thread and on all threads, the
//! RSA pair case (two `bits`-bit safe primes with the top two bits set, i.e. a 2*bits RSA modulus),
//! and crypto-primes' multicore safe-prime generation on 2 threads. Also a backend micro-benchmark
//! (full-length modexp with num-bigint, crypto-bigint BoxedMontyForm and kmi's Montgomery backend).
//!
//! Environment: KMI_BENCH_ONLY=backend,kmi1,kmi,pair,cp selects cases; KMI_BENCH_BOUND and
//! KMI_BENCH_WINDOW override the sieve bound and interval width (tuning); KMI_BENCH_THREADS sets
//! "all threads" (default: all cores). Each run i uses a ChaCha20 seed derived from i, so kmi's
//! 1-thread and n-thread runs look for the same primes. Lines starting with `RESULT` are for
//! scripts/bench-vs-openssl.sh.

use std::time::{Duration, Instant};

use kmi::math::prime::{self, NoProgress, SearchConfig, Tuning};
use num_bigint::{BigUint, RandBigInt};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// rand_core 0.10 adapter around rand_chacha 0.3 (crypto-primes 0.7 wants rand_core 0.10).
struct Rng10(ChaCha20Rng);

impl rand_core_010::TryRng for Rng10 {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(rand_core::RngCore::next_u32(&mut self.0))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand_core::RngCore::next_u64(&mut self.0))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand_core::RngCore::fill_bytes(&mut self.0, dst);
        Ok(())
    }
}
impl rand_core_010::TryCryptoRng for Rng10 {}
impl rand_core_010::SeedableRng for Rng10 {
    type Seed = [u8; 32];
    fn from_seed(seed: [u8; 32]) -> Self {
        Rng10(ChaCha20Rng::from_seed(seed))
    }
}

fn seed(run: usize, tag: u8) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&(run as u64).to_le_bytes());
    s[8] = tag;
    s[9..16].copy_from_slice(b"kmibnch");
    s
}

struct Stats {
    mean: f64,
    median: f64,
    min: f64,
    max: f64,
    runs: usize,
}

fn stats(mut xs: Vec<f64>) -> Stats {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let median = if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    };
    Stats {
        mean,
        median,
        min: xs[0],
        max: xs[n - 1],
        runs: n,
    }
}

fn report(name: &str, s: &Stats) {
    println!(
        "{:<34} mean {:>8.3} s  median {:>8.3} s  min {:>8.3} s  max {:>8.3} s  runs {}",
        name, s.mean, s.median, s.min, s.max, s.runs
    );
    println!(
        "RESULT {} {:.4} {:.4} {:.4} {:.4} {}",
        name.replace(' ', "_"),
        s.mean,
        s.median,
        s.min,
        s.max,
        s.runs
    );
}

fn time_runs(runs: usize, mut f: impl FnMut(usize)) -> Stats {
    let mut xs = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        f(i);
        xs.push(t.elapsed().as_secs_f64());
    }
    stats(xs)
}

fn per_op(min_time: Duration, mut f: impl FnMut()) -> f64 {
    f(); // warm up
    let t = Instant::now();
    let mut n = 0u32;
    while t.elapsed() < min_time || n < 3 {
        f();
        n += 1;
    }
    t.elapsed().as_secs_f64() / n as f64
}

fn backend(bits_list: &[u64]) {
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{BoxedUint, Odd};
    println!(
        "backend: full-length modexp base^e mod m (random odd m, e of the same length), ms per op"
    );
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    for &bits in bits_list {
        let mut m = rng.gen_biguint(bits);
        m.set_bit(bits - 1, true);
        m.set_bit(0, true);
        let b = rng.gen_biguint_below(&m);
        let e = rng.gen_biguint(bits);
        let expect = b.modpow(&e, &m);
        assert_eq!(
            prime::backend::modpow_mont(&b, &e, &m),
            Some(expect.clone())
        );
        let budget = Duration::from_millis(700);
        let t_num = per_op(budget, || {
            std::hint::black_box(b.modpow(&e, &m));
        });
        let t_mont = per_op(budget, || {
            std::hint::black_box(prime::backend::modpow_mont(&b, &e, &m));
        });
        let mb = BoxedUint::from_be_slice_vartime(&m.to_bytes_be());
        let params = BoxedMontyParams::new_vartime(Odd::new(mb).unwrap());
        let bb = BoxedUint::from_be_slice(&b.to_bytes_be(), bits as u32).unwrap();
        let eb = BoxedUint::from_be_slice(&e.to_bytes_be(), bits as u32).unwrap();
        let bm = BoxedMontyForm::new(bb, &params);
        let got = BigUint::from_bytes_be(&bm.pow(&eb).retrieve().to_be_bytes());
        assert_eq!(got, expect);
        let t_cb = per_op(budget, || {
            std::hint::black_box(bm.pow(&eb));
        });
        // what one safe-prime survivor costs: the Euler base-2 test (squarings and doublings)
        let t_e2 = per_op(budget, || {
            std::hint::black_box(prime::backend::euler2(&m));
        });
        println!(
            "  {bits:>5} bits: num-bigint {:>7.3}  crypto-bigint BoxedMontyForm {:>7.3}  kmi mont {:>7.3}  kmi euler-2 test {:>7.3}",
            t_num * 1e3,
            t_cb * 1e3,
            t_mont * 1e3,
            t_e2 * 1e3
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let bits: usize = args
        .first()
        .map(|s| s.parse().expect("bits"))
        .unwrap_or(1024);
    let runs: usize = args.get(1).map(|s| s.parse().expect("runs")).unwrap_or(10);
    let only =
        std::env::var("KMI_BENCH_ONLY").unwrap_or_else(|_| "backend,kmi1,kmi,pair,cp".into());
    let want = |c: &str| only.split(',').any(|x| x.trim() == c);
    let all_threads: usize = std::env::var("KMI_BENCH_THREADS")
        .ok()
        .map(|s| s.parse().unwrap())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
    let mut tuning = Tuning::safe_default(bits);
    if let Ok(b) = std::env::var("KMI_BENCH_BOUND") {
        tuning.sieve_bound = b.parse().unwrap();
    }
    if let Ok(w) = std::env::var("KMI_BENCH_WINDOW") {
        tuning.window = w.parse().unwrap();
    }
    println!(
        "safe primes of {bits} bits, {runs} runs; sieve bound {} window {} (0 = auto); all threads = {all_threads}",
        tuning.sieve_bound, tuning.window
    );
    if want("backend") {
        backend(&[1024, 2048]);
    }
    let safe = |threads: usize, i: usize, tag: u8, top: bool| {
        let mut rng = ChaCha20Rng::from_seed(seed(i, tag));
        let p = prime::safe_prime_tuned(
            bits,
            top,
            &mut rng,
            &SearchConfig { threads },
            &NoProgress,
            tuning,
        )
        .unwrap();
        assert_eq!(p.bits() as usize, bits);
        p
    };
    // Fill the sieve-prime table once outside the timings' first run? No: the first run pays for it,
    // as a fresh `kmi key generate` process would. Report it separately too.
    let t = Instant::now();
    let _ = prime::safe_prime_tuned(
        64,
        false,
        &mut ChaCha20Rng::from_seed([0; 32]),
        &SearchConfig { threads: 1 },
        &NoProgress,
        Tuning {
            sieve_bound: tuning.sieve_bound,
            window: 0,
        },
    );
    println!(
        "one-time sieve-prime table (bound {}): {:.3} s",
        tuning.sieve_bound,
        t.elapsed().as_secs_f64()
    );
    if want("kmi1") {
        struct Count(std::sync::atomic::AtomicU64, std::sync::atomic::AtomicU64);
        impl prime::SearchProgress for Count {
            fn update(&self, s: u64, t: u64) {
                self.0.fetch_max(s, std::sync::atomic::Ordering::Relaxed);
                self.1.fetch_max(t, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let (mut sieved, mut tested) = (0u64, 0u64);
        let s = time_runs(runs, |i| {
            let c = Count(0.into(), 0.into());
            let mut rng = ChaCha20Rng::from_seed(seed(i, 0));
            prime::safe_prime_tuned(
                bits,
                false,
                &mut rng,
                &SearchConfig { threads: 1 },
                &c,
                tuning,
            )
            .unwrap();
            sieved += c.0.into_inner();
            tested += c.1.into_inner();
        });
        report("kmi safe_prime 1 thread", &s);
        println!(
            "  per run: {:.0} candidates sieved, {:.0} tested ({:.3} ms per tested candidate, all costs included)",
            sieved as f64 / runs as f64,
            tested as f64 / runs as f64,
            s.mean * runs as f64 * 1e3 / tested as f64
        );
    }
    if want("kmi") {
        let s = time_runs(runs, |i| {
            safe(all_threads, i, 0, false);
        });
        report(&format!("kmi safe_prime {all_threads} threads"), &s);
    }
    if want("pair") {
        let s = time_runs(runs, |i| {
            let p = safe(all_threads, i, 1, true);
            let q = safe(all_threads, i, 2, true);
            assert_ne!(p, q);
            assert_eq!((p * q).bits() as usize, 2 * bits);
        });
        report(
            &format!("kmi RSA-{} pair {all_threads} threads", 2 * bits),
            &s,
        );
    }
    if want("cp") {
        use crypto_bigint::BoxedUint;
        use crypto_primes::{multicore, Flavor};
        let s = time_runs(runs, |i| {
            let mut rng = <Rng10 as rand_core_010::SeedableRng>::from_seed(seed(i, 3));
            let p: BoxedUint = multicore::random_prime(&mut rng, Flavor::Safe, bits as u32, 2);
            std::hint::black_box(p);
        });
        report("crypto-primes safe 2 threads", &s);
    }
}
