//! Descriptive statistics of a round history, each next to what a fair game would give.

use crate::tally::Tally;
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// The 97.5% quantile of the standard normal: two-sided 95% intervals.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// P(X ≥ x) of a fair crash game with house edge `h`: (1−h)/x, and 1 at x ≤ 1.
pub fn fair_survival(x: f64, house_edge: f64) -> f64 {
    if x <= 1.0 {
        1.0
    } else {
        ((1.0 - house_edge) / x).min(1.0)
    }
}

/// Wilson score interval for `successes` out of `n` at normal quantile `z`.
/// Returns (0, 1) for n = 0: nothing is known.
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// An observed share with its 95% Wilson interval and the fair-game value beside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proportion {
    pub successes: u64,
    pub n: u64,
    pub share: f64,
    pub low: f64,
    pub high: f64,
    /// What a fair game with the assumed house edge gives.
    pub fair: f64,
}

impl Proportion {
    pub fn at_least(values: &[Multiplier], threshold: Multiplier, house_edge: f64) -> Self {
        let n = values.len() as u64;
        let successes = values.iter().filter(|v| **v >= threshold).count() as u64;
        Self::of_count(successes, n, threshold, house_edge)
    }

    /// The share of rounds at `threshold` or above, from counts.
    pub fn of_count(successes: u64, n: u64, threshold: Multiplier, house_edge: f64) -> Self {
        let (low, high) = wilson_interval(successes, n, Z_95);
        Self {
            successes,
            n,
            share: if n == 0 {
                0.0
            } else {
                successes as f64 / n as f64
            },
            low,
            high,
            fair: fair_survival(threshold.as_f64(), house_edge),
        }
    }
}

/// Which side of a threshold the current streak is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StreakSide {
    Below,
    AtLeast,
}

/// The run of rounds at the end of the history on one side of `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Streak {
    pub threshold: Multiplier,
    pub side: StreakSide,
    pub length: usize,
}

impl Streak {
    pub fn current(values: &[Multiplier], threshold: Multiplier) -> Option<Self> {
        let last = values.last()?;
        let side_of = |v: &Multiplier| {
            if *v >= threshold {
                StreakSide::AtLeast
            } else {
                StreakSide::Below
            }
        };
        let side = side_of(last);
        let length = values
            .iter()
            .rev()
            .take_while(|v| side_of(v) == side)
            .count();
        Some(Self {
            threshold,
            side,
            length,
        })
    }
}

/// Median of the values (mean of the two middle ones for an even count).
pub fn median(values: &[Multiplier]) -> Option<f64> {
    Tally::of(values).median()
}

/// One bin of a histogram: values in [low, high).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub low: f64,
    pub high: f64,
    pub count: u64,
    /// Expected count in a fair game with the same number of rounds.
    pub fair_count: f64,
}

/// Histogram with `bins_per_decade` log-spaced bins from 1.00 up past the largest value.
pub fn log_histogram(values: &[Multiplier], bins_per_decade: u32, house_edge: f64) -> Vec<Bin> {
    log_histogram_of(&Tally::of(values), bins_per_decade, house_edge)
}

/// [`log_histogram`] from a history's counts.
pub fn log_histogram_of(tally: &Tally, bins_per_decade: u32, house_edge: f64) -> Vec<Bin> {
    let Some(max) = tally.max() else {
        return Vec::new();
    };
    let step = 10f64.powf(1.0 / f64::from(bins_per_decade.max(1)));
    let mut edges = vec![1.0f64];
    while *edges.last().unwrap_or(&1.0) <= max.as_f64() {
        let next = edges.last().copied().unwrap_or(1.0) * step;
        // Round edges to hundredths so that a value sits in exactly one bin.
        edges.push((next * 100.0).round() / 100.0);
    }
    let n = tally.len() as f64;
    let mut bins: Vec<Bin> = edges
        .windows(2)
        .map(|w| Bin {
            low: w[0],
            high: w[1],
            count: 0,
            fair_count: n * (fair_survival(w[0], house_edge) - fair_survival(w[1], house_edge)),
        })
        .collect();
    for (h, count) in tally.iter() {
        let x = Multiplier(h).as_f64();
        // Edges are increasing; the first bin whose high exceeds x holds it.
        let idx = bins.partition_point(|b| b.high <= x + 1e-9);
        if let Some(bin) = bins.get_mut(idx) {
            bin.count += count;
        }
    }
    bins
}

/// A share of rounds in a multiplier range, next to the fair-game share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryShare {
    pub label: String,
    pub low: f64,
    /// `None` means no upper bound.
    pub high: Option<f64>,
    pub count: u64,
    pub share: f64,
    pub fair_share: f64,
}

/// Shares of the ranges < 1.5, 1.5–3, 3–10 and ≥ 10.
pub fn category_shares(values: &[Multiplier], house_edge: f64) -> Vec<CategoryShare> {
    category_shares_of(&Tally::of(values), house_edge)
}

/// [`category_shares`] from a history's counts.
pub fn category_shares_of(tally: &Tally, house_edge: f64) -> Vec<CategoryShare> {
    let ranges: [(&str, f64, Option<f64>); 4] = [
        ("< 1.5x", 1.0, Some(1.5)),
        ("1.5x – 3x", 1.5, Some(3.0)),
        ("3x – 10x", 3.0, Some(10.0)),
        ("≥ 10x", 10.0, None),
    ];
    let n = tally.len();
    ranges
        .iter()
        .map(|&(label, low, high)| {
            let (lo_h, hi_h) = (
                (low * 100.0).round() as u32,
                high.map(|h| (h * 100.0).round() as u32),
            );
            let count = tally.between(lo_h, hi_h);
            let fair_share =
                fair_survival(low, house_edge) - high.map_or(0.0, |h| fair_survival(h, house_edge));
            CategoryShare {
                label: label.to_string(),
                low,
                high,
                count,
                share: if n == 0 { 0.0 } else { count as f64 / n as f64 },
                fair_share,
            }
        })
        .collect()
}

/// The empirical survival P(X ≥ x) at one x, next to the fair (1−h)/x.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SurvivalPoint {
    pub x: f64,
    pub empirical: f64,
    pub fair: f64,
    pub count: u64,
}

/// Empirical survival at `points` log-spaced x from 1.01 to the largest x that at least
/// `min_count` rounds reach (further out the curve is noise).
pub fn survival_curve(
    values: &[Multiplier],
    points: usize,
    min_count: usize,
    house_edge: f64,
) -> Vec<SurvivalPoint> {
    survival_curve_of(&Tally::of(values), points, min_count, house_edge)
}

/// [`survival_curve`] from a history's counts.
pub fn survival_curve_of(
    tally: &Tally,
    points: usize,
    min_count: usize,
    house_edge: f64,
) -> Vec<SurvivalPoint> {
    let n = tally.len();
    if n == 0 || points < 2 {
        return Vec::new();
    }
    let reach = (min_count as u64).clamp(1, n);
    let Some(top) = tally.nth(n - reach) else {
        return Vec::new();
    };
    let x_max = f64::from(top) / 100.0;
    let x_min = 1.01f64;
    if x_max <= x_min {
        return Vec::new();
    }
    let ratio = (x_max / x_min).ln() / (points - 1) as f64;
    let mut out: Vec<SurvivalPoint> = Vec::with_capacity(points);
    for i in 0..points {
        let x = ((x_min * (ratio * i as f64).exp()) * 100.0).round() / 100.0;
        if out.last().is_some_and(|p| p.x >= x) {
            continue;
        }
        let count = tally.at_least(Multiplier((x * 100.0).round() as u32));
        out.push(SurvivalPoint {
            x,
            empirical: count as f64 / n as f64,
            fair: fair_survival(x, house_edge),
            count,
        });
    }
    out
}

/// The headline numbers of a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub count: usize,
    pub at_least_1_5: Proportion,
    pub at_least_2: Proportion,
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub max: Option<Multiplier>,
    pub streak: Option<Streak>,
    pub house_edge: f64,
}

impl Summary {
    pub fn compute(values: &[Multiplier], house_edge: f64) -> Self {
        Self::of_tally(&Tally::of(values), values, house_edge)
    }

    /// The summary from a history's counts; `values` (or only its newest rounds, as
    /// many as the current streak needs) give the streak.
    pub fn of_tally(tally: &Tally, values: &[Multiplier], house_edge: f64) -> Self {
        let n = tally.len();
        let share = |t: u32| {
            Proportion::of_count(tally.at_least(Multiplier(t)), n, Multiplier(t), house_edge)
        };
        Self {
            count: n as usize,
            at_least_1_5: share(150),
            at_least_2: share(200),
            median: tally.median(),
            mean: tally.mean(),
            max: tally.max(),
            streak: Streak::current(values, Multiplier(150)),
            house_edge,
        }
    }
}

/// At most `max_points` of `values` for a chart, as (index, value): all of them when they
/// fit, else the lowest and the highest of each equal stretch in their order, so every
/// spike and every 1.00x stays visible (a long history drawn point by point would send a
/// million points to the browser).
pub fn min_max_points(values: &[Multiplier], max_points: usize) -> Vec<(usize, Multiplier)> {
    if values.len() <= max_points.max(2) {
        return values.iter().copied().enumerate().collect();
    }
    let stretch = values.len().div_ceil(max_points.max(2) / 2);
    let mut out = Vec::with_capacity(max_points);
    for (k, chunk) in values.chunks(stretch).enumerate() {
        let at = |(i, v): (usize, &Multiplier)| (k * stretch + i, *v);
        let lowest = chunk.iter().enumerate().min_by_key(|(_, v)| **v).map(at);
        let highest = chunk.iter().enumerate().max_by_key(|(_, v)| **v).map(at);
        if let (Some(lo), Some(hi)) = (lowest, highest) {
            match lo.0.cmp(&hi.0) {
                std::cmp::Ordering::Less => out.extend([lo, hi]),
                std::cmp::Ordering::Greater => out.extend([hi, lo]),
                std::cmp::Ordering::Equal => out.push(lo),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(v: &[u32]) -> Vec<Multiplier> {
        v.iter().map(|&h| Multiplier(h)).collect()
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17, table I: 81/263 → 0.2553 to 0.3662.
        let (lo, hi) = wilson_interval(81, 263, Z_95);
        assert!((lo - 0.2553).abs() < 5e-5, "{lo}");
        assert!((hi - 0.3662).abs() < 5e-5, "{hi}");
        // 15/148 → 0.0624 to 0.1605 (same table).
        let (lo, hi) = wilson_interval(15, 148, Z_95);
        assert!((lo - 0.0624).abs() < 5e-5, "{lo}");
        assert!((hi - 0.1605).abs() < 5e-5, "{hi}");
        // 0/20 → 0 to 0.1611.
        let (lo, hi) = wilson_interval(0, 20, Z_95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.1611).abs() < 5e-5, "{hi}");
        assert_eq!(wilson_interval(0, 0, Z_95), (0.0, 1.0));
    }

    #[test]
    fn summary_of_a_small_history() {
        let v = ms(&[100, 250, 149, 150, 1200, 130, 120]);
        let s = Summary::compute(&v, 0.03);
        assert_eq!(s.count, 7);
        assert_eq!(s.at_least_1_5.successes, 3);
        assert!((s.at_least_1_5.fair - 0.97 / 1.5).abs() < 1e-12);
        assert_eq!(s.median, Some(1.49));
        assert_eq!(s.max, Some(Multiplier(1200)));
        assert_eq!(
            s.streak,
            Some(Streak {
                threshold: Multiplier(150),
                side: StreakSide::Below,
                length: 2
            })
        );
        assert_eq!(median(&ms(&[100, 300])), Some(2.0));
        assert_eq!(Summary::compute(&[], 0.03).median, None);
    }

    #[test]
    fn categories_partition_the_rounds() {
        let v = ms(&[100, 149, 150, 299, 300, 999, 1000, 5000]);
        let cats = category_shares(&v, 0.03);
        let counts: Vec<u64> = cats.iter().map(|c| c.count).collect();
        assert_eq!(counts, [2, 2, 2, 2]);
        let fair_total: f64 = cats.iter().map(|c| c.fair_share).sum();
        assert!((fair_total - 1.0).abs() < 1e-12);
        assert!((cats[3].fair_share - 0.097).abs() < 1e-12);
    }

    #[test]
    fn survival_curve_counts_at_least() {
        let v = ms(&[100, 150, 200, 300, 1000]);
        let curve = survival_curve(&v, 5, 1, 0.03);
        assert_eq!(curve.first().map(|p| p.x), Some(1.01));
        for p in &curve {
            let expected = v.iter().filter(|m| m.as_f64() >= p.x - 1e-9).count() as f64 / 5.0;
            assert!((p.empirical - expected).abs() < 1e-12, "{p:?}");
        }
        assert_eq!(curve.last().map(|p| p.x), Some(10.0));
    }

    proptest! {
        #[test]
        fn histogram_holds_every_value_once(v in proptest::collection::vec(100u32..2_000_000, 1..300), per in 1u32..12) {
            let values = ms(&v);
            let bins = log_histogram(&values, per, 0.03);
            prop_assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), values.len() as u64);
            for w in bins.windows(2) {
                prop_assert!(w[0].high == w[1].low && w[0].low < w[0].high);
            }
            for value in &values {
                let x = value.as_f64();
                let holding = bins.iter().filter(|b| b.low <= x + 1e-9 && x + 1e-9 < b.high).count();
                prop_assert_eq!(holding, 1);
            }
        }

        /// The drawn points are real rounds in order, never more than asked, and keep the
        /// extremes of every stretch (so of the whole history).
        #[test]
        fn min_max_points_keep_every_extreme(v in proptest::collection::vec(100u32..100_000, 0..3_000), max in 2usize..400) {
            let values = ms(&v);
            let points = min_max_points(&values, max);
            prop_assert!(points.len() <= max);
            prop_assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
            for &(i, m) in &points {
                prop_assert_eq!(values[i], m);
            }
            if let (Some(hi), Some(lo)) = (values.iter().max(), values.iter().min()) {
                prop_assert!(points.iter().any(|p| p.1 == *hi) && points.iter().any(|p| p.1 == *lo));
            }
            if values.len() <= max {
                prop_assert_eq!(points.len(), values.len());
            }
        }

        #[test]
        fn wilson_interval_contains_the_share(k in 0u64..500, extra in 0u64..500) {
            let n = k + extra;
            let (lo, hi) = wilson_interval(k, n, Z_95);
            prop_assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi) && lo <= hi);
            if n > 0 {
                let p = k as f64 / n as f64;
                prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12);
            }
        }
    }
}
