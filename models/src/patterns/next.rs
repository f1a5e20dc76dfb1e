//! What the confirmed rules say about the next round.
//!
//! A confirmed rule that applies now is judged on its **situation**: the rounds where it
//! applied *and* none of the confirmed rules at the same cash-out that do not apply now
//! applied — over the whole history (for the EV bound) and over its later part alone (the
//! out-of-sample record, which must still show a positive EV: an edge that has died gives
//! WAIT). So "after a round below 1.30x" (confirmed only
//! because it contains "after 2 rounds below 1.30x") has no edge of its own when only one
//! round was below 1.30x: its situation's rate is the fair one and the answer is WAIT.

use super::rules::RoundState;
use super::scan::{Confirmed, PatternScanner};
use crate::forecast::threshold_hundredths;
use crate::summary::wilson_interval;
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// A confirmed rule that applies to the next round, with its situation's later-part record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextEdge {
    /// Test id (rule · cash-outs + cash-out index), as in the report.
    pub id: usize,
    pub condition: String,
    pub cashout: f64,
    /// Over the whole history.
    pub occurrences: u64,
    pub rate: f64,
    pub ln_e_value: f64,
    pub p_adjusted: f64,
    /// The situation over the whole history.
    pub situation_occurrences: u64,
    pub situation_hits: u64,
    /// The situation in the later part (rounds from `split_at` on).
    pub later_occurrences: u64,
    pub later_hits: u64,
    pub split_at: usize,
}

impl NextEdge {
    pub fn later_rate(&self) -> f64 {
        if self.later_occurrences == 0 {
            0.0
        } else {
            self.later_hits as f64 / self.later_occurrences as f64
        }
    }

    pub fn situation_rate(&self) -> f64 {
        if self.situation_occurrences == 0 {
            0.0
        } else {
            self.situation_hits as f64 / self.situation_occurrences as f64
        }
    }

    /// One-sided lower bound of the situation's rate at normal quantile `z` (Wilson).
    pub fn rate_bound(&self, z: f64) -> f64 {
        wilson_interval(self.situation_hits, self.situation_occurrences, z).0
    }

    /// Lower bound of the EV per 1-unit bet at the cash-out.
    pub fn ev_bound(&self, z: f64) -> f64 {
        self.rate_bound(z) * self.cashout - 1.0
    }

    pub fn later_ev(&self) -> f64 {
        self.later_rate() * self.cashout - 1.0
    }
}

/// The confirmed rules applying to the round after `rounds` (which `scanner` has seen),
/// best lower EV bound at `z` first.
pub fn next_round_edges(
    scanner: &PatternScanner,
    rounds: &[Multiplier],
    confirmed: &[Confirmed],
    z: f64,
) -> Vec<NextEdge> {
    if confirmed.is_empty() {
        return Vec::new();
    }
    let cfg = &scanner.config;
    let cat = &scanner.catalogue;
    let now = scanner.applicable_next();
    let split = ((rounds.len() as f64) * cfg.split) as usize;
    // For each cash-out: confirmed rules applying now (A) and not applying now (B).
    let groups: Vec<(usize, Vec<usize>, Vec<usize>)> = (0..cfg.cashouts.len())
        .filter_map(|ci| {
            let s: Vec<usize> = confirmed
                .iter()
                .filter(|x| x.ci == ci)
                .map(|x| x.rule)
                .collect();
            let (a, b): (Vec<usize>, Vec<usize>) = s.into_iter().partition(|r| now.contains(r));
            (!a.is_empty()).then_some((ci, a, b))
        })
        .collect();
    if groups.is_empty() {
        return Vec::new();
    }
    // (later rounds, later hits, all rounds, all hits) per rule that applies now.
    let mut counts: Vec<Vec<(u64, u64, u64, u64)>> = groups
        .iter()
        .map(|g| vec![(0, 0, 0, 0); g.1.len()])
        .collect();
    let mut applies = vec![false; cat.len()];
    let mut state = RoundState::default();
    let mut scratch = Vec::new();
    for (i, m) in rounds.iter().enumerate() {
        cat.applicable(&state, &mut scratch);
        for &r in &scratch {
            applies[r] = true;
        }
        for (g, (ci, a, b)) in groups.iter().enumerate() {
            if b.iter().any(|&r| applies[r]) {
                continue;
            }
            let hit = u64::from(m.0 >= threshold_hundredths(cfg.cashouts[*ci]));
            for (j, &r) in a.iter().enumerate() {
                if applies[r] {
                    let c = &mut counts[g][j];
                    c.2 += 1;
                    c.3 += hit;
                    if i >= split {
                        c.0 += 1;
                        c.1 += hit;
                    }
                }
            }
        }
        for &r in &scratch {
            applies[r] = false;
        }
        state.push(*m);
    }
    let c = cfg.cashouts.len();
    let total = scanner.counts();
    let mut out = Vec::new();
    for (g, (ci, a, _)) in groups.iter().enumerate() {
        for (j, &r) in a.iter().enumerate() {
            let conf = confirmed.iter().find(|x| x.rule == r && x.ci == *ci);
            let n = total.occurrences[r];
            out.push(NextEdge {
                id: r * c + ci,
                condition: cat.conditions[r].describe(),
                cashout: cfg.cashouts[*ci],
                occurrences: n,
                rate: if n == 0 {
                    0.0
                } else {
                    total.hits[r * c + ci] as f64 / n as f64
                },
                ln_e_value: conf.map_or(0.0, |x| x.ln_e),
                p_adjusted: conf.map_or(1.0, |x| x.p_adjusted),
                situation_occurrences: counts[g][j].2,
                situation_hits: counts[g][j].3,
                later_occurrences: counts[g][j].0,
                later_hits: counts[g][j].1,
                split_at: split,
            });
        }
    }
    out.sort_by(|a, b| b.ev_bound(z).total_cmp(&a.ev_bound(z)));
    out
}
