//! The prime-search progress bar: drawn with indicatif only when stderr is a terminal.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kmi::keys::KeygenProgress;
use kmi::math::prime::SearchProgress;

pub struct SearchBar {
    bar: Option<ProgressBar>,
    tested: AtomicU64,
    sieved: AtomicU64,
    // Totals of earlier stages, so the counts keep growing across primes.
    base_tested: AtomicU64,
    base_sieved: AtomicU64,
}

impl SearchBar {
    pub fn new(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {prefix}: {msg}")
                    .expect("static template"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        SearchBar {
            bar,
            tested: AtomicU64::new(0),
            sieved: AtomicU64::new(0),
            base_tested: AtomicU64::new(0),
            base_sieved: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    pub fn totals(&self) -> (u64, u64) {
        (
            self.base_sieved.load(Ordering::Relaxed) + self.sieved.load(Ordering::Relaxed),
            self.base_tested.load(Ordering::Relaxed) + self.tested.load(Ordering::Relaxed),
        )
    }

    fn redraw(&self) {
        if let Some(bar) = &self.bar {
            let (sieved, tested) = self.totals();
            bar.set_message(format!("{tested} candidates tested, {sieved} sieved"));
        }
    }
}

impl SearchProgress for SearchBar {
    fn update(&self, candidates_sieved: u64, candidates_tested: u64) {
        self.sieved.store(candidates_sieved, Ordering::Relaxed);
        self.tested.store(candidates_tested, Ordering::Relaxed);
        self.redraw();
    }
}

impl KeygenProgress for SearchBar {
    fn stage(&self, description: &str) {
        // A new search restarts its own counters: fold the finished stage into the base.
        self.base_sieved
            .fetch_add(self.sieved.swap(0, Ordering::Relaxed), Ordering::Relaxed);
        self.base_tested
            .fetch_add(self.tested.swap(0, Ordering::Relaxed), Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_prefix(description.to_string());
        }
        self.redraw();
    }
}
