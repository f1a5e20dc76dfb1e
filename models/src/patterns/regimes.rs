//! Regimes: is the house edge the same over the whole history, or does it drift or switch?
//!
//! For each cash-out the history is cut into consecutive blocks. Two statistics of the
//! block hit counts, each with a p-value calibrated by simulation under the fair law (so
//! discreteness and small blocks need no asymptotics):
//! - **homogeneity**: Σ (k_b − B·p̂)² / (B·p̂(1 − p̂)) around the pooled rate p̂ (blocks
//!   that differ from each other: switching regimes);
//! - **change point (CUSUM)**: max_j |S_j − j·B·p̂| / √(n·p̂(1 − p̂)) over block
//!   boundaries (a level that moves once or drifts).
//!
//! A regime is never a PLAY signal by itself: the causal "current regime" condition is the
//! level family's long share windows, which go through the same confirmation as every rule.

use crate::forecast::threshold_hundredths;
use crate::generator::uniform_open_closed;
use crate::stats::holm_adjust;
use crate::summary::fair_survival;
use crate::values::Multiplier;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

/// Simulations per p-value.
pub const SIMULATIONS: usize = 999;

/// The regime tests at one cash-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegimeTest {
    pub cashout: f64,
    pub block_size: usize,
    /// Share of rounds ≥ c in each block, oldest first.
    pub block_rates: Vec<f64>,
    pub fair: f64,
    pub homogeneity: f64,
    pub homogeneity_p: f64,
    pub cusum: f64,
    pub cusum_p: f64,
    /// Holm-adjusted over every cash-out and both statistics.
    pub homogeneity_p_adjusted: f64,
    pub cusum_p_adjusted: f64,
}

fn statistics(counts: &[u64], block: usize) -> (f64, f64) {
    let total: u64 = counts.iter().sum();
    let n = (counts.len() * block) as f64;
    let p = total as f64 / n;
    let var = p * (1.0 - p);
    if var <= 0.0 {
        return (0.0, 0.0);
    }
    let b = block as f64;
    let homo = counts
        .iter()
        .map(|&k| (k as f64 - b * p).powi(2) / (b * var))
        .sum();
    let mut s = 0.0f64;
    let mut best = 0.0f64;
    for (j, &k) in counts.iter().enumerate() {
        s += k as f64;
        best = best.max((s - (j + 1) as f64 * b * p).abs());
    }
    (homo, best / (n * var).sqrt())
}

/// A Binomial(n, p) draw: exact (n Bernoulli draws) for small blocks, the rounded normal
/// law (Box–Muller) once n·p·(1 − p) > 200, where its error is far below the Monte Carlo
/// error of 999 simulations (and a million-round history stays fast).
fn binomial_draw(rng: &mut ChaCha8Rng, n: usize, p: f64) -> u64 {
    let var = n as f64 * p * (1.0 - p);
    if var <= 200.0 {
        return (0..n).filter(|_| uniform_open_closed(rng) <= p).count() as u64;
    }
    let (u, v) = (uniform_open_closed(rng), uniform_open_closed(rng));
    let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
    (n as f64 * p + z * var.sqrt()).round().clamp(0.0, n as f64) as u64
}

/// Regime tests at each cash-out; `None` with fewer than 10 blocks of 50 rounds.
pub fn regime_tests(
    rounds: &[Multiplier],
    cashouts: &[f64],
    house_edge: f64,
) -> Option<Vec<RegimeTest>> {
    let n = rounds.len();
    let blocks = (n / 50).clamp(10, 40);
    let block = n / blocks;
    if block < 50 {
        return None;
    }
    let used = &rounds[n - blocks * block..];
    let mut out: Vec<RegimeTest> = cashouts
        .iter()
        .enumerate()
        .map(|(ci, &c)| {
            let cut = threshold_hundredths(c);
            let counts: Vec<u64> = used
                .chunks(block)
                .map(|ch| ch.iter().filter(|m| m.0 >= cut).count() as u64)
                .collect();
            let (homo, cusum) = statistics(&counts, block);
            let fair = fair_survival(c, house_edge);
            let mut rng = ChaCha8Rng::seed_from_u64(0xC0FFEE + ci as u64);
            let (mut ge_h, mut ge_c) = (0usize, 0usize);
            let mut sim = vec![0u64; blocks];
            for _ in 0..SIMULATIONS {
                for s in sim.iter_mut() {
                    *s = binomial_draw(&mut rng, block, fair);
                }
                let (h, cu) = statistics(&sim, block);
                ge_h += usize::from(h >= homo);
                ge_c += usize::from(cu >= cusum);
            }
            let p = |ge: usize| (ge + 1) as f64 / (SIMULATIONS + 1) as f64;
            RegimeTest {
                cashout: c,
                block_size: block,
                block_rates: counts.iter().map(|&k| k as f64 / block as f64).collect(),
                fair,
                homogeneity: homo,
                homogeneity_p: p(ge_h),
                cusum,
                cusum_p: p(ge_c),
                homogeneity_p_adjusted: 1.0,
                cusum_p_adjusted: 1.0,
            }
        })
        .collect();
    let raw: Vec<f64> = out
        .iter()
        .flat_map(|t| [t.homogeneity_p, t.cusum_p])
        .collect();
    let adj = holm_adjust(&raw);
    for (i, t) in out.iter_mut().enumerate() {
        t.homogeneity_p_adjusted = adj[2 * i];
        t.cusum_p_adjusted = adj[2 * i + 1];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;
    use crate::planted::{Planted, PlantedGenerator};

    #[test]
    fn switching_edges_are_found_and_fair_histories_are_not_flagged() {
        let switching = PlantedGenerator {
            seed: 5,
            house_edge: 0.03,
            planted: Planted::Regimes {
                edges: [0.25, -0.25],
                switch_prob: 0.002,
            },
        }
        .generate(7000);
        let t = regime_tests(&switching, &[2.0], 0.03).unwrap();
        assert!(t[0].homogeneity_p < 0.01, "{:?}", t[0]);
        let mut flagged = 0;
        for seed in 0..40 {
            let fair = FairGenerator {
                seed,
                house_edge: 0.03,
            }
            .generate(3000);
            let t = regime_tests(&fair, &[1.5, 2.0, 5.0], 0.03).unwrap();
            flagged += usize::from(
                t.iter()
                    .any(|x| x.homogeneity_p_adjusted <= 0.05 || x.cusum_p_adjusted <= 0.05),
            );
        }
        assert!(flagged <= 5, "{flagged} of 40 fair histories flagged");
        assert!(regime_tests(&switching[..100], &[2.0], 0.03).is_none());
    }
}
