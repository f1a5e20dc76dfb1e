//! Timings of the pattern scan (the `bench --patterns` command), each next to a baseline
//! measured in the same run. The caller passes the clock (none on wasm32).

use super::report::PatternReport;
use super::scan::{PatternConfig, PatternScanner};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternBench {
    pub rounds: usize,
    pub tests: usize,
    /// Counting every rule over the whole history (one pass).
    pub scan_s: f64,
    /// The same scan with every round typed live (sessions of 300 rounds 10 s apart, an
    /// hour between them): the clock rules count too (`scan_s` is its baseline).
    #[serde(default)]
    pub timed_scan_s: f64,
    /// The whole report: counts, both halves, p/e-values, Holm/BH, detection limits,
    /// regime simulations, next-round situations.
    pub report_s: f64,
    /// Mean cost of one more round with the incremental scanner (push + confirmation check).
    pub incremental_us: f64,
    /// Baseline: one more round by rescanning the whole history from the start.
    pub rescan_s: f64,
    /// rescan / incremental.
    pub speedup: f64,
    /// Baseline: the clock of the history, every round typed live (one every 10 s), built
    /// from its times, as every prediction did before the snapshot kept it.
    pub clock_build_ms: f64,
    /// A prediction's clock now: the kept one with the next round placed at "now".
    pub clock_next_us: f64,
    /// What the confirmed rules say about the next round, on a history of the same length
    /// with one planted edge (after a round below 1.10x, 2x comes 60% of the time): mean
    /// ms per round with the kept replay, over rounds where a confirmed rule applies.
    #[serde(default)]
    pub next_round_ms: f64,
    /// The first reading, which traces the whole history once.
    #[serde(default)]
    pub next_round_first_ms: f64,
    /// Baseline: the same reading replaying the whole history (as every estimate did).
    #[serde(default)]
    pub next_round_replay_ms: f64,
    /// Rules confirmed on that history.
    #[serde(default)]
    pub next_round_rules: usize,
}

/// Scans `rounds`, builds the report, then times `extra` further rounds (taken from the
/// start of `rounds` again) added one at a time against one full rescan.
pub fn measure(rounds: &[Multiplier], extra: usize, mut now: impl FnMut() -> f64) -> PatternBench {
    let cfg = PatternConfig::default();
    let t0 = now();
    let scanner = PatternScanner::scan(cfg.clone(), rounds);
    let scan_s = now() - t0;
    let tests = scanner.n_tests();
    let t0 = now();
    let mut timed = PatternScanner::new(cfg.clone());
    timed.set_clock(Some(std::sync::Arc::new(super::clock::Clock::new(
        (0..rounds.len()).map(|i| (i, typed_at(i))),
    ))));
    timed.extend(rounds);
    let timed_scan_s = now() - t0;
    std::hint::black_box(timed.confirmed());
    let t0 = now();
    let report = PatternReport::from_scanner(&scanner, rounds);
    let report_s = now() - t0;
    std::hint::black_box(&report);
    let mut live = scanner;
    let extra = extra.clamp(1, rounds.len().max(1));
    let t0 = now();
    let mut crossed = false;
    for m in &rounds[..extra] {
        crossed |= live.push_and_check(*m);
    }
    let incremental_s = (now() - t0) / extra as f64;
    std::hint::black_box(crossed);
    let t0 = now();
    let again = PatternScanner::scan(cfg, rounds);
    let rescan_s = now() - t0;
    std::hint::black_box(again.confirmed());
    let (clock_build_ms, clock_next_us) = clock_costs(rounds.len(), &mut now);
    let next = next_round_costs(rounds.len(), &mut now);
    PatternBench {
        rounds: rounds.len(),
        tests,
        scan_s,
        timed_scan_s,
        report_s,
        incremental_us: incremental_s * 1e6,
        rescan_s,
        speedup: rescan_s / incremental_s.max(1e-12),
        clock_build_ms,
        clock_next_us,
        next_round_ms: next.kept_ms,
        next_round_first_ms: next.first_ms,
        next_round_replay_ms: next.replay_ms,
        next_round_rules: next.rules,
    }
}

struct NextRoundCosts {
    kept_ms: f64,
    first_ms: f64,
    replay_ms: f64,
    rules: usize,
}

/// The next-round reading on `n` rounds with one planted edge: its first reading, the
/// next 10 a confirmed rule applies to (kept replay), and the baseline's full replay.
fn next_round_costs(n: usize, now: &mut impl FnMut() -> f64) -> NextRoundCosts {
    use super::next::{next_round_edges, NextReader};
    use crate::planted::{Planted, PlantedGenerator};
    let z = crate::bet::Mode::Normal.z();
    let rounds = PlantedGenerator {
        seed: 1,
        house_edge: 0.03,
        planted: Planted::AfterLowRun {
            k: 1,
            low: 1.1,
            target: 2.0,
            shift: 0.115,
        },
    }
    .generate(n.max(1) + 2_000);
    let mut scanner = PatternScanner::scan(PatternConfig::default(), &rounds[..n]);
    let mut reader = NextReader::default();
    // The first reading traces the history; the baseline replays it at the same round.
    let (mut first, mut replay, mut rules) = (None, 0.0, 0);
    let (mut spent, mut timed) = (0.0, 0u32);
    for end in n..rounds.len() {
        if end > n {
            scanner.push(rounds[end - 1]);
        }
        let confirmed = scanner.confirmed();
        let t0 = now();
        let edges = reader.edges(&scanner, &rounds[..end], &confirmed, z);
        let took = now() - t0;
        if edges.is_empty() {
            continue;
        }
        if first.is_none() {
            first = Some(took);
            let t0 = now();
            let again = next_round_edges(&scanner, &rounds[..end], &confirmed, z);
            replay = now() - t0;
            assert_eq!(again, edges, "the kept reading is the replay's");
            rules = confirmed.len();
            continue;
        }
        spent += took;
        timed += 1;
        if timed == 10 {
            break;
        }
    }
    NextRoundCosts {
        kept_ms: spent * 1e3 / f64::from(timed.max(1)),
        first_ms: first.unwrap_or(0.0) * 1e3,
        replay_ms: replay * 1e3,
        rules,
    }
}

/// When round `i` was typed: sessions of 300 rounds 10 s apart, an hour between them.
fn typed_at(i: usize) -> i64 {
    let (session, k) = ((i / 300) as i64, (i % 300) as i64);
    1_700_000_000_000 + session * (300 * 10_000 + 3_600_000) + k * 10_000
}

/// (build ms, next-round µs) of the clock of `n` rounds all typed live.
fn clock_costs(n: usize, now: &mut impl FnMut() -> f64) -> (f64, f64) {
    use super::clock::Clock;
    let times = (0..n).map(|i| (i, 1_700_000_000_000 + 10_000 * i as i64));
    let t0 = now();
    let kept = Clock::new(times);
    let build_s = now() - t0;
    let reps = 1000u32;
    let t0 = now();
    for k in 0..reps {
        let next = kept.clone().with_next(n, 1_800_000_000_000 + i64::from(k));
        std::hint::black_box(next.next_slot());
    }
    let next_s = (now() - t0) / f64::from(reps);
    (build_s * 1e3, next_s * 1e6)
}
