//! Data behind the charts of the analysis page: streak continuation, autocorrelation bars
//! and a moving share of rounds at or above a threshold, each next to what a fair game gives.
//!
//! A round "reaches" a threshold `t` when X ≥ t, compared in exact hundredths
//! (`forecast::threshold_hundredths`), the same rule as the forecasting targets.

use crate::forecast::threshold_hundredths;
use crate::stats::acf;
use crate::summary::{fair_survival, wilson_interval, Z_95};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// One point of a streak-continuation chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinuationPoint {
    /// k: how many previous rounds satisfied the streak condition (at least).
    pub run_length: usize,
    /// Rounds preceded by such a run.
    pub n: u64,
    /// Of those, rounds with X ≥ threshold.
    pub hits: u64,
    /// hits / n; `None` when n = 0.
    pub rate: Option<f64>,
    /// Wilson 95% interval of the rate ((0, 1) when n = 0).
    pub low: f64,
    pub high: f64,
}

/// How often a round reaches the threshold after runs of 1, 2, … rounds on one side of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreakContinuation {
    pub threshold: f64,
    /// `true`: runs of rounds below the threshold; `false`: runs of rounds at or above it.
    pub below: bool,
    /// P(X ≥ threshold) of a fair game: `fair_survival(threshold, house_edge)`.
    pub fair_rate: f64,
    /// Share of all rounds with X ≥ threshold (0 when there are none).
    pub empirical_rate: f64,
    /// One point per k = 1..=max_run.
    pub points: Vec<ContinuationPoint>,
}

/// For k = 1..=max_run: among positions i ≥ k whose k previous rounds (i−k..i) all satisfy
/// the condition (X < threshold when `below`, else X ≥ threshold), how often X_i ≥ threshold.
///
/// Windows overlap: a round preceded by a run of 5 counts for every k = 1..5. One pass
/// counts the rounds by the length of the run before them (capped at `max_run`); a suffix
/// sum then gives every k, so the cost is O(n + max_run).
pub fn streak_continuation(
    values: &[Multiplier],
    threshold: f64,
    below: bool,
    max_run: usize,
    house_edge: f64,
) -> StreakContinuation {
    let t = threshold_hundredths(threshold);
    // by_run[r] for r in 0..=max_run: rounds preceded by a run of exactly r (r = max_run: at
    // least max_run), and how many of them reached the threshold.
    let mut count = vec![0u64; max_run + 1];
    let mut hit = vec![0u64; max_run + 1];
    let mut run = 0usize;
    let mut total_hits = 0u64;
    for v in values {
        let reached = v.0 >= t;
        let r = run.min(max_run);
        count[r] += 1;
        if reached {
            hit[r] += 1;
            total_hits += 1;
        }
        let continues = reached != below;
        run = if continues { run.saturating_add(1) } else { 0 };
    }
    let mut points = Vec::with_capacity(max_run);
    let (mut n, mut hits) = (0u64, 0u64);
    for k in (1..=max_run).rev() {
        n += count[k];
        hits += hit[k];
        let (low, high) = wilson_interval(hits, n, Z_95);
        points.push(ContinuationPoint {
            run_length: k,
            n,
            hits,
            rate: (n > 0).then(|| hits as f64 / n as f64),
            low,
            high,
        });
    }
    points.reverse();
    StreakContinuation {
        threshold,
        below,
        fair_rate: fair_survival(threshold, house_edge),
        empirical_rate: if values.is_empty() {
            0.0
        } else {
            total_hits as f64 / values.len() as f64
        },
        points,
    }
}

/// One bar of an autocorrelation chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcfBar {
    pub lag: usize,
    pub value: f64,
}

/// Sample autocorrelations of one series with the ±band of a white-noise series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Autocorrelation {
    /// What was correlated, e.g. "ln X" or "1{X ≥ 2x}".
    pub series: String,
    pub n: usize,
    /// Z_95/√n (≈ 1.96/√n): the 95% band of the autocorrelation of white noise; 0 when n = 0.
    pub band: f64,
    /// Lags 1..=min(max_lag, n − 1); a constant series gives 0 at every lag.
    pub bars: Vec<AcfBar>,
}

fn autocorrelation(series: String, x: &[f64], max_lag: usize) -> Autocorrelation {
    let n = x.len();
    let lags = max_lag.min(n.saturating_sub(1));
    // A constant series has no autocorrelation. Checked directly: for ln X the mean of equal
    // values can differ from them by a rounding error, leaving a tiny spurious variance.
    let constant = x.windows(2).all(|w| w[0] == w[1]);
    let r = if constant {
        vec![0.0; lags]
    } else {
        acf(x, lags)
    };
    let bars = r
        .into_iter()
        .enumerate()
        .map(|(i, value)| AcfBar {
            lag: i + 1,
            value: if value.is_finite() { value } else { 0.0 },
        })
        .collect();
    Autocorrelation {
        series,
        n,
        band: if n == 0 {
            0.0
        } else {
            Z_95 / (n as f64).sqrt()
        },
        bars,
    }
}

/// Autocorrelation of ln X at lags 1..=max_lag.
pub fn autocorrelation_ln(values: &[Multiplier], max_lag: usize) -> Autocorrelation {
    let x: Vec<f64> = values.iter().map(|v| v.as_f64().ln()).collect();
    autocorrelation("ln X".into(), &x, max_lag)
}

/// Autocorrelation of the indicator 1{X ≥ threshold} at lags 1..=max_lag.
pub fn autocorrelation_indicator(
    values: &[Multiplier],
    threshold: f64,
    max_lag: usize,
) -> Autocorrelation {
    let t = threshold_hundredths(threshold);
    let x: Vec<f64> = values
        .iter()
        .map(|v| if v.0 >= t { 1.0 } else { 0.0 })
        .collect();
    autocorrelation(format!("1{{X ≥ {threshold}x}}"), &x, max_lag)
}

/// Moving share of rounds ≥ threshold over a trailing window, with the fair rate and its
/// ±Z_95·√(p(1−p)/w) band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovingShare {
    pub window: usize,
    pub threshold: f64,
    /// P(X ≥ threshold) of a fair game.
    pub fair: f64,
    /// Half-width of the 95% band of a window's share around `fair` (0 when window = 0).
    pub band: f64,
    /// (1-based index of the window's last round, share of the window ≥ threshold).
    pub points: Vec<(usize, f64)>,
}

/// O(n) running count; the first point is at index `window`. When there are more than
/// `max_points` points, every k-th is kept (k = ⌈count/max_points⌉, starting with the first)
/// and always the last one, so at most `max_points + 1` remain (`max_points` = 0 counts as
/// 1). No points when `values.len() < window` or `window == 0`.
pub fn moving_share(
    values: &[Multiplier],
    threshold: f64,
    window: usize,
    house_edge: f64,
    max_points: usize,
) -> MovingShare {
    let fair = fair_survival(threshold, house_edge);
    let band = if window == 0 {
        0.0
    } else {
        Z_95 * (fair * (1.0 - fair) / window as f64).sqrt()
    };
    let mut points = Vec::new();
    if window > 0 && values.len() >= window {
        let t = threshold_hundredths(threshold);
        let reached: Vec<u64> = values.iter().map(|v| u64::from(v.0 >= t)).collect();
        let count = values.len() - window + 1;
        let max_points = max_points.max(1);
        let step = count.div_ceil(max_points);
        points.reserve(count.div_ceil(step) + 1);
        let w = window as f64;
        let mut sum: u64 = reached[..window].iter().sum();
        for j in 0..count {
            // Window of point j: rounds j..j + window (0-based), last round j + window (1-based).
            if j > 0 {
                sum = sum + reached[j + window - 1] - reached[j - 1];
            }
            if j % step == 0 || j + 1 == count {
                points.push((j + window, sum as f64 / w));
            }
        }
    }
    MovingShare {
        window,
        threshold,
        fair,
        band,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;
    use crate::planted::{Planted, PlantedGenerator};
    use proptest::prelude::*;

    fn xs(v: &[f64]) -> Vec<Multiplier> {
        v.iter()
            .map(|x| Multiplier((x * 100.0).round() as u32))
            .collect()
    }

    /// O(n·max_run) reference straight from the definition.
    fn naive_continuation(
        values: &[Multiplier],
        threshold: f64,
        below: bool,
        max_run: usize,
    ) -> Vec<(u64, u64)> {
        let t = threshold_hundredths(threshold);
        let cond = |v: &Multiplier| (v.0 < t) == below;
        (1..=max_run)
            .map(|k| {
                let (mut n, mut hits) = (0, 0);
                for i in k..values.len() {
                    if values[i - k..i].iter().all(cond) {
                        n += 1;
                        hits += u64::from(values[i].0 >= t);
                    }
                }
                (n, hits)
            })
            .collect()
    }

    #[test]
    fn continuation_hand_example_below() {
        // Threshold 2, runs below 2. Run length before each round:
        // i: 0   1   2   3   4   5   6
        // X: 1.2 1.3 2.5 1.1 1.0 1.4 3.0
        // r: 0   1   2   0   1   2   3
        // k=1: i = 1,2,4,5,6 → n 5, hits 2 (i2, i6); k=2: i = 2,5,6 → n 3, hits 2;
        // k=3: i = 6 → n 1, hits 1; k=4: nothing.
        let v = xs(&[1.2, 1.3, 2.5, 1.1, 1.0, 1.4, 3.0]);
        let s = streak_continuation(&v, 2.0, true, 4, 0.03);
        let got: Vec<(usize, u64, u64)> = s
            .points
            .iter()
            .map(|p| (p.run_length, p.n, p.hits))
            .collect();
        assert_eq!(got, vec![(1, 5, 2), (2, 3, 2), (3, 1, 1), (4, 0, 0)]);
        assert_eq!(s.points[0].rate, Some(0.4));
        assert_eq!(s.points[2].rate, Some(1.0));
        assert_eq!(s.points[3].rate, None);
        assert_eq!((s.points[3].low, s.points[3].high), (0.0, 1.0));
        assert_eq!(
            (s.points[1].low, s.points[1].high),
            wilson_interval(2, 3, Z_95)
        );
        assert!((s.empirical_rate - 2.0 / 7.0).abs() < 1e-15);
        assert!((s.fair_rate - 0.485).abs() < 1e-15);
        assert!(s.below && s.threshold == 2.0);
    }

    #[test]
    fn continuation_hand_example_at_or_above() {
        // Runs at or above 2 (2.00 counts as reaching 2):
        // X: 2.0 3.0 1.5 2.2 2.4 2.6 1.0
        // r: 0   1   2   0   1   2   3
        // k=1: i = 1,2,4,5,6 → n 5, hits 3 (i1, i4, i5); k=2: i = 2,5,6 → n 3, hits 1 (i5);
        // k=3: i = 6 → n 1, hits 0.
        let v = xs(&[2.0, 3.0, 1.5, 2.2, 2.4, 2.6, 1.0]);
        let s = streak_continuation(&v, 2.0, false, 3, 0.0);
        let got: Vec<(u64, u64)> = s.points.iter().map(|p| (p.n, p.hits)).collect();
        assert_eq!(got, vec![(5, 3), (3, 1), (1, 0)]);
        assert!((s.empirical_rate - 5.0 / 7.0).abs() < 1e-15);
        assert_eq!(s.fair_rate, 0.5);
    }

    #[test]
    fn continuation_edge_cases() {
        let s = streak_continuation(&[], 2.0, true, 3, 0.03);
        assert_eq!(s.empirical_rate, 0.0);
        assert_eq!(s.points.len(), 3);
        assert!(s.points.iter().all(|p| p.n == 0 && p.rate.is_none()));
        let s = streak_continuation(&xs(&[1.5, 2.5]), 2.0, true, 0, 0.03);
        assert!(s.points.is_empty());
        assert_eq!(s.empirical_rate, 0.5);
    }

    #[test]
    fn fair_rounds_continue_at_the_fair_rate() {
        let h = 0.03;
        let v = FairGenerator {
            seed: 11,
            house_edge: h,
        }
        .generate(200_000);
        for (threshold, below) in [(2.0, true), (2.0, false), (1.5, true), (3.0, true)] {
            let s = streak_continuation(&v, threshold, below, 10, h);
            let mut misses = 0;
            let mut checked = 0;
            for p in s.points.iter().filter(|p| p.n >= 200) {
                checked += 1;
                if !(p.low <= s.fair_rate && s.fair_rate <= p.high) {
                    misses += 1;
                }
                // Far outside a 95% interval would be a bug, not chance.
                let rate = p.rate.unwrap();
                let se = (s.fair_rate * (1.0 - s.fair_rate) / p.n as f64).sqrt();
                assert!(
                    (rate - s.fair_rate).abs() < 4.0 * se,
                    "t={threshold} below={below} k={}: {rate} vs {}",
                    p.run_length,
                    s.fair_rate
                );
            }
            assert!(checked >= 5, "t={threshold} below={below}: {checked}");
            assert!(misses <= 1, "t={threshold} below={below}: {misses} misses");
            assert!((s.empirical_rate - s.fair_rate).abs() < 0.006);
        }
    }

    #[test]
    fn planted_after_low_run_is_found() {
        // After 2+ rounds below 2x, P(X ≥ 2) = 0.485 + 0.2.
        let v = PlantedGenerator {
            seed: 5,
            house_edge: 0.03,
            planted: Planted::AfterLowRun {
                k: 2,
                low: 2.0,
                target: 2.0,
                shift: 0.2,
            },
        }
        .generate(40_000);
        let s = streak_continuation(&v, 2.0, true, 4, 0.03);
        let k2 = &s.points[1];
        assert_eq!(k2.run_length, 2);
        assert!(k2.low > s.fair_rate + 0.1, "{k2:?}");
        assert!((k2.rate.unwrap() - 0.685).abs() < 0.03, "{k2:?}");
        // k = 1 mixes runs of exactly 1 (fair) with longer ones (shifted): in between.
        let k1 = s.points[0].rate.unwrap();
        assert!(k1 > s.fair_rate + 0.03 && k1 < 0.685 - 0.03, "{k1}");
    }

    #[test]
    fn acf_of_alternating_series_and_band() {
        let v = xs(&[1.0, 4.0].repeat(50));
        let a = autocorrelation_ln(&v, 5);
        assert_eq!(a.series, "ln X");
        assert_eq!(a.n, 100);
        assert!((a.band - 0.196).abs() < 1e-4 && (a.band - Z_95 / 10.0).abs() < 1e-15);
        assert_eq!(a.bars.len(), 5);
        assert_eq!(
            a.bars.iter().map(|b| b.lag).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        // statsmodels convention: r_k = (n − k)/n · (±1).
        assert!((a.bars[0].value + 0.99).abs() < 1e-12, "{:?}", a.bars);
        assert!((a.bars[1].value - 0.98).abs() < 1e-12, "{:?}", a.bars);
        let i = autocorrelation_indicator(&v, 2.0, 2);
        assert_eq!(i.series, "1{X ≥ 2x}");
        assert!((i.bars[0].value + 0.99).abs() < 1e-12);
        assert_eq!(autocorrelation_indicator(&v, 1.5, 1).series, "1{X ≥ 1.5x}");
    }

    #[test]
    fn acf_edge_cases() {
        let empty = autocorrelation_ln(&[], 10);
        assert_eq!((empty.n, empty.band, empty.bars.len()), (0, 0.0, 0));
        let one = autocorrelation_ln(&xs(&[2.0]), 10);
        assert!(one.bars.is_empty());
        // max_lag ≥ n: only lags 1..n−1.
        let short = autocorrelation_ln(&xs(&[1.0, 2.0, 3.0, 1.5]), 10);
        assert_eq!(short.bars.len(), 3);
        assert!((short.band - Z_95 / 2.0).abs() < 1e-15);
        // Constant series: zero variance gives 0, never NaN.
        let flat = autocorrelation_indicator(&xs(&[1.5; 30]), 2.0, 4);
        assert_eq!(flat.bars.len(), 4);
        assert!(flat.bars.iter().all(|b| b.value == 0.0));
        let flat = autocorrelation_ln(&xs(&[3.0; 30]), 4);
        assert!(flat.bars.iter().all(|b| b.value == 0.0));
    }

    #[test]
    fn acf_of_fair_rounds_stays_mostly_in_the_band() {
        let v = FairGenerator {
            seed: 3,
            house_edge: 0.03,
        }
        .generate(20_000);
        for a in [
            autocorrelation_ln(&v, 20),
            autocorrelation_indicator(&v, 2.0, 20),
        ] {
            let outside = a.bars.iter().filter(|b| b.value.abs() > a.band).count();
            assert!(outside <= 3, "{}: {outside} of 20 outside", a.series);
            assert!(a.bars.iter().all(|b| b.value.abs() < 2.0 * a.band));
        }
    }

    #[test]
    fn moving_share_by_hand() {
        // ≥ 2: 0 1 1 0 1 → windows of 3 end at 3, 4, 5: 2/3, 2/3, 2/3.
        let v = xs(&[1.5, 2.0, 7.0, 1.0, 2.5]);
        let m = moving_share(&v, 2.0, 3, 0.0, 100);
        assert_eq!(
            m.points,
            vec![(3, 2.0 / 3.0), (4, 2.0 / 3.0), (5, 2.0 / 3.0)]
        );
        assert_eq!(m.fair, 0.5);
        assert!((m.band - Z_95 * (0.25f64 / 3.0).sqrt()).abs() < 1e-15);
        let m = moving_share(&v, 2.0, 2, 0.0, 100);
        assert_eq!(m.points, vec![(2, 0.5), (3, 1.0), (4, 0.5), (5, 0.5)]);
        let m = moving_share(&v, 2.0, 5, 0.0, 100);
        assert_eq!(m.points, vec![(5, 0.6)]);
    }

    #[test]
    fn moving_share_edge_cases() {
        let v = xs(&[1.5, 2.0, 7.0]);
        assert!(moving_share(&v, 2.0, 4, 0.03, 10).points.is_empty());
        let zero = moving_share(&v, 2.0, 0, 0.03, 10);
        assert!(zero.points.is_empty());
        assert_eq!(zero.band, 0.0);
        assert!(moving_share(&[], 2.0, 1, 0.03, 10).points.is_empty());
        // max_points = 0 behaves as 1: only the first and the last point.
        let m = moving_share(&v, 2.0, 1, 0.03, 0);
        assert_eq!(m.points, vec![(1, 0.0), (3, 1.0)]);
    }

    #[test]
    fn moving_share_downsamples() {
        let v = FairGenerator::default().generate(1_000);
        let full = moving_share(&v, 2.0, 100, 0.03, usize::MAX);
        assert_eq!(full.points.len(), 901);
        let d = moving_share(&v, 2.0, 100, 0.03, 50);
        // k = ⌈901/50⌉ = 19: points 0, 19, …, 893 (48 of them) and the last, 900.
        assert_eq!(d.points.len(), 49);
        assert_eq!(d.points.last(), full.points.last());
        assert_eq!(d.points[0], full.points[0]);
        assert_eq!(d.points[1], full.points[19]);
        assert!(d.points.windows(2).all(|w| w[0].0 < w[1].0));
    }

    proptest! {
        #[test]
        fn continuation_matches_the_definition(
            v in proptest::collection::vec(100u32..500, 0..120),
            below in any::<bool>(),
            max_run in 0usize..8,
        ) {
            let values: Vec<Multiplier> = v.iter().map(|h| Multiplier(*h)).collect();
            let s = streak_continuation(&values, 2.0, below, max_run, 0.03);
            let fast: Vec<(u64, u64)> = s.points.iter().map(|p| (p.n, p.hits)).collect();
            prop_assert_eq!(fast, naive_continuation(&values, 2.0, below, max_run));
            for (k, p) in s.points.iter().enumerate() {
                prop_assert_eq!(p.run_length, k + 1);
                prop_assert!(p.low <= p.high);
            }
        }

        #[test]
        fn moving_share_matches_naive_windows(
            v in proptest::collection::vec(100u32..400, 0..300),
            window in 0usize..40,
            max_points in 0usize..60,
        ) {
            let values: Vec<Multiplier> = v.iter().map(|h| Multiplier(*h)).collect();
            let m = moving_share(&values, 2.0, window, 0.03, max_points);
            if window == 0 || values.len() < window {
                prop_assert!(m.points.is_empty());
                return Ok(());
            }
            let count = values.len() - window + 1;
            prop_assert!(m.points.len() <= max_points.max(1) + 1);
            prop_assert_eq!(m.points.last().map(|p| p.0), Some(values.len()));
            if count <= max_points {
                prop_assert_eq!(m.points.len(), count);
            }
            for &(end, share) in &m.points {
                let naive = values[end - window..end].iter().filter(|x| x.0 >= 200).count()
                    as f64 / window as f64;
                prop_assert_eq!(share, naive);
            }
            prop_assert!(m.points.windows(2).all(|w| w[0].0 < w[1].0));
        }

        #[test]
        fn acf_bars_are_finite_and_bounded(
            v in proptest::collection::vec(100u32..1_000, 0..80),
            max_lag in 0usize..100,
        ) {
            let values: Vec<Multiplier> = v.iter().map(|h| Multiplier(*h)).collect();
            for a in [autocorrelation_ln(&values, max_lag), autocorrelation_indicator(&values, 2.0, max_lag)] {
                prop_assert_eq!(a.bars.len(), max_lag.min(values.len().saturating_sub(1)));
                prop_assert!(a.bars.iter().all(|b| b.value.is_finite() && b.value.abs() <= 1.0 + 1e-12));
                prop_assert!(a.band.is_finite());
            }
        }
    }
}
