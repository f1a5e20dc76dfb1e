//! The other direction: rules after which a cash-out is reached confirmedly LESS often than
//! the game otherwise pays ("after …, 2x comes less often: avoid"). Never a reason to play;
//! the best evidence that a game is not memoryless.
//!
//! The reference is the game's own rate of X ≥ c over the whole history, not the configured
//! fair rate, so an operator on a lower RTP than configured does not read as a pattern; it
//! is lowered by 3.29 standard errors (Wilson, 99.9%) so the noise in that rate does not
//! either. Confirmation mirrors the favourable side at the same α (each direction has its
//! own family-wise error α): the exact lower-tail binomial p survives Holm across every rule
//! × cash-out, and the anytime-valid mixture e-value against "rate ≥ reference" reaches N/α.

use super::evidence::{bh_adjust, holm_from_ln, ln_binomial_sf, ln_e_upper_bound, ln_e_value};
use super::scan::PatternScanner;
use crate::forecast::threshold_hundredths;
use crate::summary::wilson_interval;
use crate::values::Multiplier;

/// Standard errors the reference rate is lowered by (two-sided 99.9%).
pub const REFERENCE_Z: f64 = 3.290_526_731_491_926;

/// Every rule × cash-out tested for a rate below the game's own.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Below {
    /// The reference rate per cash-out.
    pub reference: Vec<f64>,
    /// ln P(K ≤ k) per test (rule · C + ci).
    pub ln_p: Vec<f64>,
    pub holm: Vec<f64>,
    pub q: Vec<f64>,
    /// ln e-value of "rate < reference" per test where it can reach the threshold, else
    /// its upper bound (see [`Below::ln_e_exact`]).
    pub ln_e: Vec<f64>,
    /// Confirmed tests, most evidence first.
    pub confirmed: Vec<usize>,
}

impl Below {
    /// For a scanner that has seen exactly `rounds`.
    pub fn new(scanner: &PatternScanner, rounds: &[Multiplier]) -> Self {
        let cfg = &scanner.config;
        let c = cfg.cashouts.len();
        let counts = scanner.counts();
        let n_all = rounds.len() as u64;
        let reference: Vec<f64> = cfg
            .cashouts
            .iter()
            .map(|&x| {
                let cut = threshold_hundredths(x);
                let hits = rounds.iter().filter(|m| m.0 >= cut).count() as u64;
                wilson_interval(hits, n_all, REFERENCE_Z).0
            })
            .collect();
        let n_tests = scanner.n_tests();
        let thr = (n_tests as f64 / cfg.alpha).ln();
        let mut ln_p = vec![0.0; n_tests];
        // Exact where it can reach the threshold, else the cheap bound (enough to rule
        // confirmation out; the report recomputes the exact value of what it lists).
        let mut ln_e = vec![0.0; n_tests];
        for (r, &n) in counts.occurrences.iter().enumerate() {
            for (ci, &q0) in reference.iter().enumerate() {
                let idx = r * c + ci;
                // Misses against "miss rate ≤ 1 − q0": the favourable machinery mirrored.
                let misses = n - counts.hits[idx];
                ln_p[idx] = ln_binomial_sf(misses, n, 1.0 - q0);
                let bound = ln_e_upper_bound(n, misses, 1.0 - q0);
                ln_e[idx] = if bound < thr {
                    bound
                } else {
                    ln_e_value(n, misses, 1.0 - q0)
                };
            }
        }
        let holm = holm_from_ln(&ln_p);
        let p: Vec<f64> = ln_p.iter().map(|l| l.exp()).collect();
        let mut confirmed: Vec<usize> = (0..n_tests)
            .filter(|&i| ln_e[i] >= thr && holm[i] <= cfg.alpha)
            .collect();
        confirmed.sort_by(|&a, &b| ln_e[b].total_cmp(&ln_e[a]));
        Self {
            reference,
            q: bh_adjust(&p),
            ln_p,
            holm,
            ln_e,
            confirmed,
        }
    }

    /// The exact ln e-value of "rate < reference" of `hits` in `n` at cash-out `ci`.
    pub fn ln_e_exact(&self, n: u64, hits: u64, ci: usize) -> f64 {
        ln_e_value(n, n - hits, 1.0 - self.reference[ci])
    }

    pub fn is_confirmed(&self, idx: usize) -> bool {
        self.confirmed.contains(&idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;
    use crate::patterns::{PatternConfig, PatternReport};

    /// Fair rounds where, after two rounds below 1.5x in a row, a round that would reach
    /// 2x is turned into 1.3x half of the time: P(X ≥ 2) halves there.
    fn planted_negative(seed: u64, n: usize) -> Vec<Multiplier> {
        let mut v = FairGenerator {
            seed,
            house_edge: 0.03,
        }
        .generate(n);
        let mut flip = false;
        for i in 2..n {
            if v[i - 1].0 < 150 && v[i - 2].0 < 150 && v[i].0 >= 200 {
                flip = !flip;
                if flip {
                    v[i] = Multiplier(130);
                }
            }
        }
        v
    }

    #[test]
    fn a_planted_unfavourable_pattern_is_confirmed_and_never_a_reason_to_play() {
        let mut found = 0;
        for seed in 0..6 {
            let rounds = planted_negative(300 + seed, 7_000);
            let r = PatternReport::build(&rounds, &PatternConfig::default());
            let below: Vec<_> = r
                .rules
                .iter()
                .filter(|x| x.confirmed && x.direction == "unfavourable")
                .collect();
            if below
                .iter()
                .any(|x| x.cashout == 2.0 && x.rate < x.reference)
            {
                found += 1;
            }
            assert_eq!(r.unfavourable, below.len());
            // Never PLAY: nothing it confirms reaches the next-round edges.
            for e in &r.next_round {
                assert!(r.rules.iter().any(|x| x.confirmed
                    && x.direction == "favourable"
                    && x.condition == e.condition));
            }
        }
        assert!(found >= 5, "found in {found} of 6 seeds");
    }

    #[test]
    fn fair_histories_and_a_lower_rtp_confirm_nothing_unfavourable() {
        for (seed, h) in [(1, 0.03), (2, 0.03), (3, 0.06), (4, 0.01)] {
            let rounds = FairGenerator {
                seed,
                house_edge: h,
            }
            .generate(7_000);
            let r = PatternReport::build(&rounds, &PatternConfig::default());
            assert_eq!(r.unfavourable, 0, "seed {seed}, house edge {h}");
        }
    }

    #[test]
    fn the_lower_tail_is_the_upper_tail_of_the_misses() {
        // P(K ≤ 3) for K ~ Bin(10, 0.5) = 176/1024.
        let ln_p = ln_binomial_sf(10 - 3, 10, 0.5);
        assert!((ln_p.exp() - 176.0 / 1024.0).abs() < 1e-12);
    }
}
