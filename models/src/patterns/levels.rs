//! The level rules' statistics of the recent rounds (mean, median, share at or above 2x)
//! and their bands, whose edges are quantiles under the fair law, fixed before any data is
//! seen. The rules themselves are in [`super::rules`], which re-exports these items.

use crate::generator::FairGenerator;

/// Windows of the mean and median rules, and of the share-at-or-above-2x rules.
pub const LEVEL_WINDOWS: [usize; 4] = [5, 10, 20, 50];
pub const SHARE_WINDOWS: [usize; 5] = [10, 20, 50, 100, 200];
/// Quantiles (under the fair law, see [`LevelBins`]) that bound the level rules' bands.
pub const LEVEL_QUANTILES: [f64; 8] = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95];
/// The bands of the level rules as (lower, upper) quantile levels: the tails in three
/// widths each (sparse edges live there) and the interior quintiles.
pub const LEVEL_BANDS: [(f64, f64); 9] = [
    (0.0, 0.05),
    (0.0, 0.1),
    (0.0, 0.2),
    (0.2, 0.4),
    (0.4, 0.6),
    (0.6, 0.8),
    (0.8, 1.0),
    (0.9, 1.0),
    (0.95, 1.0),
];

/// Quantile edges of the level statistics under the fair law, so that a level rule's bins
/// are fixed before any data is seen (edges from the history itself would leak the future).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelBins {
    /// `mean[w]`, `median[w]` for [`LEVEL_WINDOWS`], `share[w]` for [`SHARE_WINDOWS`]:
    /// the values at [`LEVEL_QUANTILES`] each.
    pub mean: Vec<Vec<f64>>,
    pub median: Vec<Vec<f64>>,
    pub share: Vec<Vec<f64>>,
}

impl LevelBins {
    /// The [`LEVEL_QUANTILES`] of each statistic on 20,000 seeded fair rounds.
    pub fn fair(house_edge: f64) -> Self {
        let rounds = FairGenerator {
            seed: 0x5eed_0fb1,
            house_edge,
        }
        .generate(20_000);
        let v: Vec<f64> = rounds.iter().map(|m| m.as_f64()).collect();
        let quantiles = |mut s: Vec<f64>| -> Vec<f64> {
            s.sort_by(f64::total_cmp);
            LEVEL_QUANTILES
                .iter()
                .map(|q| s[((s.len() as f64 * q) as usize).min(s.len() - 1)])
                .collect()
        };
        let windows = |k: usize, f: &dyn Fn(&[f64]) -> f64| -> Vec<f64> {
            v.windows(k).step_by(1).map(f).collect()
        };
        Self {
            mean: LEVEL_WINDOWS
                .iter()
                .map(|&k| quantiles(windows(k, &mean)))
                .collect(),
            median: LEVEL_WINDOWS
                .iter()
                .map(|&k| quantiles(windows(k, &median)))
                .collect(),
            share: SHARE_WINDOWS
                .iter()
                .map(|&k| quantiles(windows(k, &share_at_least_2)))
                .collect(),
        }
    }
}

/// Mean of a window (the mean rules' statistic).
pub(super) fn mean(w: &[f64]) -> f64 {
    w.iter().sum::<f64>() / w.len() as f64
}

/// Median of a window (the median rules' statistic).
pub(super) fn median(w: &[f64]) -> f64 {
    let mut s = w.to_vec();
    let mid = s.len() / 2;
    s.select_nth_unstable_by(mid, f64::total_cmp);
    let hi = s[mid];
    if s.len() % 2 == 1 {
        hi
    } else {
        let lo = s[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lo + hi)
    }
}

/// Share of a window at or above 2x (the share rules' statistic).
pub(super) fn share_at_least_2(w: &[f64]) -> f64 {
    w.iter().filter(|&&v| v >= 2.0).count() as f64 / w.len() as f64
}

/// The value of quantile level `q` (0 and 1: unbounded) among `edges`.
fn edge_at(q: f64, edges: &[f64]) -> Option<f64> {
    LEVEL_QUANTILES
        .iter()
        .position(|&x| (x - q).abs() < 1e-12)
        .map(|i| edges[i])
}

/// Whether `value` is in band `(lo, hi)`: at or below the upper quantile for the low
/// tails, at or above the lower one for the high tails, in (lo, hi] inside.
pub(super) fn in_band(value: f64, (lo, hi): (f64, f64), edges: &[f64]) -> bool {
    let above_lo = match edge_at(lo, edges) {
        None => true,
        Some(e) if hi == 1.0 => value >= e,
        Some(e) => value > e,
    };
    let below_hi = edge_at(hi, edges).is_none_or(|e| value <= e);
    above_lo && below_hi
}

/// The count rules' (threshold, window) slots grouped by threshold, windows ascending:
/// (threshold in hundredths, [(window, slot)]).
pub type CountGroups = Vec<(u32, Vec<(usize, usize)>)>;

pub fn count_groups(slots: &[(u32, u16)]) -> CountGroups {
    let mut groups: CountGroups = Vec::new();
    for (slot, &(t, k)) in slots.iter().enumerate() {
        match groups.iter_mut().find(|g| g.0 == t) {
            Some(g) => g.1.push((usize::from(k), slot)),
            None => groups.push((t, vec![(usize::from(k), slot)])),
        }
    }
    for g in &mut groups {
        g.1.sort_unstable();
    }
    groups
}

/// How many of the last k rounds of `recent` were below t, for every slot (None where
/// there were fewer than k): one backward pass per threshold, not one per window.
pub fn counts_below(recent: &[f64], groups: &CountGroups, slots: usize) -> Vec<Option<usize>> {
    let mut below = vec![None; slots];
    for (t, windows) in groups {
        let tv = f64::from(*t) / 100.0;
        let (mut count, mut seen) = (0, 0);
        for &(k, slot) in windows {
            if recent.len() < k {
                break;
            }
            for &v in &recent[recent.len() - k..recent.len() - seen] {
                count += usize::from(v < tv);
            }
            seen = k;
            below[slot] = Some(count);
        }
    }
    below
}
