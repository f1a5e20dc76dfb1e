//! Feature throughput (one pass vs naive recomputation) and logistic walk-forward time on
//! the real history (or 7,000 fair rounds when the file is absent).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use models::features;
use models::forecast::Logistic;
use models::generator::FairGenerator;
use models::values::{Multiplier, ValueRules};
use models::walkforward::{self, Refit, WalkForwardConfig};
use std::hint::black_box;
use std::time::Duration;

const REAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/jetx_history.csv"
);

fn rounds() -> (Vec<Multiplier>, &'static str) {
    if let Ok(text) = std::fs::read_to_string(REAL) {
        if let Ok(r) = models::import::read_csv(&text, &ValueRules::default()) {
            return (r.valid_values(), "real");
        }
    }
    (FairGenerator::default().generate(7_000), "fair")
}

fn feature_benches(c: &mut Criterion) {
    let (r, label) = rounds();
    let mut g = c.benchmark_group("features");
    g.throughput(Throughput::Elements(r.len() as u64));
    g.sample_size(30);
    g.bench_with_input(BenchmarkId::new("one_pass", label), &r, |b, r| {
        b.iter(|| features::compute(black_box(r)))
    });
    g.sample_size(10);
    g.bench_with_input(BenchmarkId::new("naive", label), &r, |b, r| {
        b.iter(|| features::compute_naive(black_box(r)))
    });
    g.finish();
}

fn walk_forward_bench(c: &mut Criterion) {
    let (r, label) = rounds();
    let cfg = WalkForwardConfig {
        start: 1000,
        refit: Refit::EveryN(500),
        ..WalkForwardConfig::default()
    };
    let mut g = c.benchmark_group("walk_forward");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(15));
    g.bench_with_input(BenchmarkId::new("logistic_refit500", label), &r, |b, r| {
        b.iter(|| {
            walkforward::run(black_box(r), &mut Logistic::default(), &cfg, |_, _| {})
                .map(|w| w.rows.len())
        })
    });
    g.finish();
}

criterion_group!(benches, feature_benches, walk_forward_bench);
criterion_main!(benches);
