//! What the confirmed rules say about the next round.
//!
//! A confirmed rule that applies now is judged on its **situation**: the rounds where it
//! applied *and* none of the confirmed rules at the same cash-out that do not apply now
//! applied — over the whole history (for the EV bound) and over its later part alone (the
//! out-of-sample record, which must still show a positive EV: an edge that has died gives
//! WAIT). So "after a round below 1.30x" (confirmed only
//! because it contains "after 2 rounds below 1.30x") has no edge of its own when only one
//! round was below 1.30x: its situation's rate is the fair one and the answer is WAIT.

use super::evidence::ln_binomial_sf;
use super::scan::{Confirmed, PatternScanner};
use super::trace::Trace;
use crate::summary::wilson_interval;
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// A confirmed rule that applies to the next round, with its situation's later-part record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Set when the rule has no edge of its own: the stronger confirmed rule that
    /// explains it (it is then never a reason to PLAY).
    #[serde(default)]
    pub explained_by: Option<String>,
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

/// Most confirmed rules the next-round reading considers (most significant first): far
/// more than any one edge confirms, and it bounds the work per estimate.
const MAX_CONSIDERED: usize = 256;

/// Most confirmed rules the kept [`Trace`] follows: the considered ones and the next most
/// significant, so that a reshuffle of the considered ones (new rounds change every
/// rule's significance) seldom re-traces the history. It bounds the trace's memory: one
/// bit per rule and round, 64 MB for a year of rounds.
const MAX_TRACED: usize = 512;

/// (rounds, of which reached the cash-out) among the set bits of `col & !not` from bit
/// `from` on; `not` may be shorter than `col` (missing words are 0).
fn count(col: &[u64], not: &[u64], reached: &[u64], from: usize) -> (u64, u64) {
    let (mut n, mut k) = (0u64, 0u64);
    for (w, (&c, &r)) in col.iter().zip(reached).enumerate().skip(from / 64) {
        let mut f = c & !not.get(w).copied().unwrap_or(0);
        if w == from / 64 {
            f &= !0u64 << (from % 64);
        }
        n += u64::from(f.count_ones());
        k += u64::from((f & r).count_ones());
    }
    (n, k)
}

/// Rounds where both columns are set.
fn overlap(a: &[u64], b: &[u64]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u64::from((x & y).count_ones()))
        .sum()
}

/// The union of columns `rules`.
fn union(trace: &Trace, rules: &[usize]) -> Vec<u64> {
    let mut out = vec![0u64; trace.words()];
    for &j in rules {
        for (o, c) in out.iter_mut().zip(trace.col(j)) {
            *o |= c;
        }
    }
    out
}

/// One cash-out's confirmed rules split into those with an edge of their own (`kept`,
/// most significant first) and those `explained` by one kept before them.
///
/// Overlapping rules are confirmed together: "a round ≥ 5x among the last 5" rides on a
/// planted "a round ≥ 5x among the last 10". Forward selection sorts them out: the most
/// significant rule is kept; each next one is kept only if the rounds where it applies
/// and no kept rule does still beat the fair rate at α / (rules at this cash-out), and
/// is otherwise explained by the kept rule it overlaps most — unless it lies inside that
/// rule and explains it better (see [`narrower_explains`]): then it is kept in its place.
struct Selection {
    kept: Vec<usize>,
    explained: Vec<(usize, usize)>,
}

fn select(trace: &Trace, cands: &[usize], ci: usize, fair: f64, alpha: f64) -> Selection {
    let mut kept: Vec<usize> = Vec::new();
    let mut explained = Vec::new();
    let ln_level = (alpha / cands.len().max(1) as f64).ln();
    let beats = |(n, k): (u64, u64)| n > 0 && ln_binomial_sf(k, n, fair) <= ln_level;
    let reached = trace.reached(ci);
    // The rounds where a kept rule applied.
    let mut covered = Vec::new();
    for &j in cands {
        // j's rounds outside every kept rule.
        let outside = count(trace.col(j), &covered, reached, 0);
        if kept.is_empty() || beats(outside) {
            kept.push(j);
            covered = union(trace, &kept);
            continue;
        }
        let col = trace.col(j);
        let overlaps: Vec<u64> = kept.iter().map(|&q| overlap(col, trace.col(q))).collect();
        let at = (0..kept.len()).max_by_key(|&i| overlaps[i]).unwrap_or(0);
        let by = kept[at];
        if narrower_explains(trace, (by, j), ci, fair) {
            kept[at] = j;
            covered = union(trace, &kept);
            explained.push((by, j));
        } else {
            explained.push((j, by));
        }
    }
    Selection { kept, explained }
}

/// Whether rule `narrow`, whose rounds all lie inside rule `wide`'s, explains `wide`
/// better than `wide` explains itself: "its own rate inside, the fair rate on the rest
/// of `wide`" against "one rate on all of `wide`", by likelihood (one free rate each).
/// "Minutes 6–20 of a session", confirmed first by chance over a planted "minutes 8–20",
/// would otherwise carry PLAY to minutes 6–8; a planted "at most 13 of the last 20 below
/// 3x" keeps its place over "at most 12", as its rest beats the fair rate like the whole.
fn narrower_explains(trace: &Trace, (wide, narrow): (usize, usize), ci: usize, fair: f64) -> bool {
    let (w, nw) = (trace.col(wide), trace.col(narrow));
    if nw.iter().zip(w).any(|(n, w)| n & !w != 0) {
        return false;
    }
    let reached = trace.reached(ci);
    // (rounds, hits) on the rest of `wide`, and inside `narrow`.
    let rest = count(w, nw, reached, 0);
    let inside = count(nw, &[], reached, 0);
    let ll = |(n, k): (u64, u64), p: f64| {
        let p = p.clamp(1e-12, 1.0 - 1e-12);
        k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()
    };
    let rate = |(n, k): (u64, u64)| if n == 0 { fair } else { k as f64 / n as f64 };
    let whole = (inside.0 + rest.0, inside.1 + rest.1);
    rest.0 > 0 && ll(inside, rate(inside)) + ll(rest, fair) > ll(whole, rate(whole))
}

/// The confirmed rules applying to the round after `rounds` (which `scanner` has seen),
/// best lower EV bound at `z` first; a rule explained by a stronger one (see
/// [`Selection`]) comes with `explained_by` set and its whole-history record. A one-off
/// reading: [`NextReader`] keeps the replay for the next round.
pub fn next_round_edges(
    scanner: &PatternScanner,
    rounds: &[Multiplier],
    confirmed: &[Confirmed],
    z: f64,
) -> Vec<NextEdge> {
    let now = scanner.applicable_next();
    if !confirmed.iter().any(|x| now.contains(&x.rule)) {
        return Vec::new();
    }
    NextReader::default().edges(scanner, rounds, confirmed, z)
}

/// [`next_round_edges`] round after round: the replay of which confirmed rules applied to
/// each round is kept in step with the history (see [`Trace::sync`]) while any rule is
/// confirmed, and a newly considered rule is traced on its own (see [`Trace::follow`]).
#[derive(Debug, Clone, Default)]
pub struct NextReader {
    trace: Option<Trace>,
}

impl NextReader {
    /// As [`next_round_edges`].
    pub fn edges(
        &mut self,
        scanner: &PatternScanner,
        rounds: &[Multiplier],
        confirmed: &[Confirmed],
        z: f64,
    ) -> Vec<NextEdge> {
        if confirmed.is_empty() {
            return Vec::new();
        }
        let ordered = by_significance(scanner, confirmed);
        let traced = distinct_rules(&ordered, MAX_TRACED);
        let considered = &traced[..traced.len().min(MAX_CONSIDERED)];
        let trace = match self.trace.take() {
            Some(t) if t.fits(scanner) => self.trace.insert(t),
            _ => self.trace.insert(Trace::new(scanner)),
        };
        trace.sync(scanner, rounds);
        if !trace.covers(considered) {
            trace.follow(scanner, &traced);
        }
        let now = scanner.applicable_next();
        if !confirmed.iter().any(|x| now.contains(&x.rule)) {
            return Vec::new();
        }
        let reading = Reading {
            scanner,
            confirmed,
            now: &now,
            considered,
            trace,
            split: ((rounds.len() as f64) * scanner.config.split) as usize,
        };
        let mut out = Vec::new();
        for ci in 0..scanner.config.cashouts.len() {
            reading.edges_at(ci, &ordered, &mut out);
        }
        out.sort_by(|a, b| {
            (a.explained_by.is_some(), -a.ev_bound(z))
                .partial_cmp(&(b.explained_by.is_some(), -b.ev_bound(z)))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        out
    }
}

/// The confirmed rules, most significant (smallest whole-history binomial tail) first.
fn by_significance<'a>(scanner: &PatternScanner, confirmed: &'a [Confirmed]) -> Vec<&'a Confirmed> {
    let cfg = &scanner.config;
    let c = cfg.cashouts.len();
    let total = scanner.counts();
    let ln_p = |x: &Confirmed| {
        let n = total.occurrences[x.rule];
        ln_binomial_sf(total.hits[x.rule * c + x.ci], n, cfg.fair(x.ci))
    };
    let mut ordered: Vec<&Confirmed> = confirmed.iter().collect();
    ordered.sort_by(|a, b| ln_p(a).total_cmp(&ln_p(b)));
    ordered
}

/// The distinct rules of `ordered`, in order, at most `max` of them.
fn distinct_rules(ordered: &[&Confirmed], max: usize) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    ordered
        .iter()
        .map(|x| x.rule)
        .filter(|&r| seen.insert(r))
        .take(max)
        .collect()
}

/// What the reading of every cash-out shares: the scanner, the history, the rules that
/// apply now, the considered rules (catalogue indices) and the trace (which names rules
/// by their bit: "rule j" below is bit j).
struct Reading<'a> {
    scanner: &'a PatternScanner,
    confirmed: &'a [Confirmed],
    now: &'a [usize],
    considered: &'a [usize],
    trace: &'a Trace,
    split: usize,
}

impl Reading<'_> {
    /// Appends to `out` the edges at cash-out `ci` of the confirmed rules applying now.
    fn edges_at(&self, ci: usize, ordered: &[&Confirmed], out: &mut Vec<NextEdge>) {
        let cfg = &self.scanner.config;
        let (rules, now) = (&self.trace.rules, self.now);
        let cands: Vec<usize> = ordered
            .iter()
            .filter(|x| x.ci == ci && self.considered.contains(&x.rule))
            .filter_map(|x| self.trace.slot(x.rule))
            .collect();
        if !cands.iter().any(|&j| now.contains(&rules[j])) {
            return;
        }
        let sel = select(self.trace, &cands, ci, cfg.fair(ci), cfg.alpha);
        // The situation of a kept rule that applies now: the rounds where it applied and
        // no kept rule that does not apply now did.
        let (a, b): (Vec<usize>, Vec<usize>) =
            sel.kept.iter().partition(|&&j| now.contains(&rules[j]));
        let counts = self.situation_counts(&a, &b, ci);
        for (&j, &s) in a.iter().zip(&counts) {
            out.push(self.edge(ci, j, s, None));
        }
        let total = self.scanner.counts();
        let c = cfg.cashouts.len();
        for &(j, by) in &sel.explained {
            if now.contains(&rules[j]) {
                let r = rules[j];
                let n = total.occurrences[r];
                let hits = total.hits[r * c + ci];
                out.push(self.edge(ci, j, (0, 0, n, hits), Some(by)));
            }
        }
    }

    /// (later rounds, later hits, all rounds, all hits) per kept rule in `now` (trace
    /// columns), over the rounds where none of the kept rules in `not_now` applied.
    fn situation_counts(
        &self,
        now: &[usize],
        not_now: &[usize],
        ci: usize,
    ) -> Vec<(u64, u64, u64, u64)> {
        let (trace, reached) = (self.trace, self.trace.reached(ci));
        let not = union(trace, not_now);
        now.iter()
            .map(|&j| {
                let later = count(trace.col(j), &not, reached, self.split);
                let all = count(trace.col(j), &not, reached, 0);
                (later.0, later.1, all.0, all.1)
            })
            .collect()
    }

    /// The edge of considered rule `j` at cash-out `ci`, given its situation counts `s`
    /// (as from [`Self::situation_counts`]) and the kept rule `by` that explains it.
    fn edge(&self, ci: usize, j: usize, s: (u64, u64, u64, u64), by: Option<usize>) -> NextEdge {
        let cfg = &self.scanner.config;
        let cat = &self.scanner.catalogue;
        let total = self.scanner.counts();
        let c = cfg.cashouts.len();
        let r = self.trace.rules[j];
        let conf = self.confirmed.iter().find(|x| x.rule == r && x.ci == ci);
        let n = total.occurrences[r];
        NextEdge {
            id: r * c + ci,
            condition: cat.conditions[r].describe(),
            cashout: cfg.cashouts[ci],
            occurrences: n,
            rate: if n == 0 {
                0.0
            } else {
                total.hits[r * c + ci] as f64 / n as f64
            },
            ln_e_value: conf.map_or(0.0, |x| x.ln_e),
            p_adjusted: conf.map_or(1.0, |x| x.p_adjusted),
            situation_occurrences: s.2,
            situation_hits: s.3,
            later_occurrences: s.0,
            later_hits: s.1,
            split_at: self.split,
            explained_by: by.map(|q| cat.conditions[self.trace.rules[q]].describe()),
        }
    }
}
