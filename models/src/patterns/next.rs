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
/// more than any one edge confirms, and it bounds the replay's memory (one bit per rule
/// and round).
const MAX_CONSIDERED: usize = 256;

/// Which of the considered rules applied to each round of a history: `words` bits a round.
struct Trace {
    words: usize,
    bits: Vec<u64>,
}

impl Trace {
    fn record(scanner: &PatternScanner, rounds: &[Multiplier], rules: &[usize]) -> Self {
        let cat = &scanner.catalogue;
        let words = rules.len().div_ceil(64).max(1);
        let mut slot = vec![usize::MAX; cat.len()];
        for (i, &r) in rules.iter().enumerate() {
            slot[r] = i;
        }
        let mut bits = vec![0u64; rounds.len() * words];
        let mut state = scanner.fresh_state();
        let mut scratch = Vec::new();
        for (i, m) in rounds.iter().enumerate() {
            cat.applicable(&state, &mut scratch);
            for &r in &scratch {
                let j = slot[r];
                if j != usize::MAX {
                    bits[i * words + j / 64] |= 1 << (j % 64);
                }
            }
            state.push(*m);
        }
        Self { words, bits }
    }

    fn round(&self, i: usize) -> &[u64] {
        &self.bits[i * self.words..(i + 1) * self.words]
    }
}

fn has(bits: &[u64], j: usize) -> bool {
    bits[j / 64] >> (j % 64) & 1 == 1
}

fn any_of(bits: &[u64], mask: &[u64]) -> bool {
    bits.iter().zip(mask).any(|(a, b)| a & b != 0)
}

fn set(mask: &mut [u64], j: usize) {
    mask[j / 64] |= 1 << (j % 64);
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

fn select(
    trace: &Trace,
    rounds: &[Multiplier],
    cands: &[usize],
    cut: u32,
    fair: f64,
    alpha: f64,
) -> Selection {
    let mut kept: Vec<usize> = Vec::new();
    let mut explained = Vec::new();
    let ln_level = (alpha / cands.len().max(1) as f64).ln();
    let beats = |(k, n): (u64, u64)| n > 0 && ln_binomial_sf(k, n, fair) <= ln_level;
    for &j in cands {
        let mask = mask_of(trace.words, &kept);
        // One pass: j's rounds outside every kept rule, and its overlap with each.
        let (mut k, mut n) = (0u64, 0u64);
        let mut overlap = vec![0u64; kept.len()];
        for (i, m) in rounds.iter().enumerate() {
            let bits = trace.round(i);
            if !has(bits, j) {
                continue;
            }
            if any_of(bits, &mask) {
                for (o, &q) in overlap.iter_mut().zip(&kept) {
                    *o += u64::from(has(bits, q));
                }
            } else {
                n += 1;
                k += u64::from(m.0 >= cut);
            }
        }
        if kept.is_empty() || beats((k, n)) {
            kept.push(j);
            continue;
        }
        let at = (0..kept.len()).max_by_key(|&i| overlap[i]).unwrap_or(0);
        let by = kept[at];
        if narrower_explains(trace, rounds, (by, j), cut, fair) {
            kept[at] = j;
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
fn narrower_explains(
    trace: &Trace,
    rounds: &[Multiplier],
    (wide, narrow): (usize, usize),
    cut: u32,
    fair: f64,
) -> bool {
    // (hits, rounds) inside `narrow`, and on the rest of `wide`.
    let (mut inside, mut rest) = ((0u64, 0u64), (0u64, 0u64));
    for (i, m) in rounds.iter().enumerate() {
        let bits = trace.round(i);
        let hit = u64::from(m.0 >= cut);
        match (has(bits, wide), has(bits, narrow)) {
            (false, true) => return false,
            (true, true) => inside = (inside.0 + hit, inside.1 + 1),
            (true, false) => rest = (rest.0 + hit, rest.1 + 1),
            (false, false) => {}
        }
    }
    let ll = |(k, n): (u64, u64), p: f64| {
        let p = p.clamp(1e-12, 1.0 - 1e-12);
        k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()
    };
    let rate = |(k, n): (u64, u64)| if n == 0 { fair } else { k as f64 / n as f64 };
    let whole = (inside.0 + rest.0, inside.1 + rest.1);
    rest.1 > 0 && ll(inside, rate(inside)) + ll(rest, fair) > ll(whole, rate(whole))
}

fn mask_of(words: usize, rules: &[usize]) -> Vec<u64> {
    let mut mask = vec![0u64; words];
    for &j in rules {
        set(&mut mask, j);
    }
    mask
}

/// The confirmed rules applying to the round after `rounds` (which `scanner` has seen),
/// best lower EV bound at `z` first; a rule explained by a stronger one (see
/// [`Selection`]) comes with `explained_by` set and its whole-history record.
pub fn next_round_edges(
    scanner: &PatternScanner,
    rounds: &[Multiplier],
    confirmed: &[Confirmed],
    z: f64,
) -> Vec<NextEdge> {
    let now = scanner.applicable_next();
    if confirmed.is_empty() || !confirmed.iter().any(|x| now.contains(&x.rule)) {
        return Vec::new();
    }
    let ordered = by_significance(scanner, confirmed);
    let rules = considered_rules(&ordered);
    let trace = Trace::record(scanner, rounds, &rules);
    let split = ((rounds.len() as f64) * scanner.config.split) as usize;
    let reading = Reading {
        scanner,
        rounds,
        confirmed,
        now: &now,
        rules: &rules,
        trace: &trace,
        split,
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

/// The distinct rules of `ordered`, in order, at most [`MAX_CONSIDERED`] of them: the
/// rules the replay traces (a rule's index here is its bit in the [`Trace`]).
fn considered_rules(ordered: &[&Confirmed]) -> Vec<usize> {
    let mut rules: Vec<usize> = Vec::new();
    for x in ordered {
        if !rules.contains(&x.rule) && rules.len() < MAX_CONSIDERED {
            rules.push(x.rule);
        }
    }
    rules
}

/// What the reading of every cash-out shares: the scanner, the history, the rules that
/// apply now and the replayed trace of the considered rules.
struct Reading<'a> {
    scanner: &'a PatternScanner,
    rounds: &'a [Multiplier],
    confirmed: &'a [Confirmed],
    now: &'a [usize],
    rules: &'a [usize],
    trace: &'a Trace,
    split: usize,
}

impl Reading<'_> {
    /// Appends to `out` the edges at cash-out `ci` of the confirmed rules applying now.
    fn edges_at(&self, ci: usize, ordered: &[&Confirmed], out: &mut Vec<NextEdge>) {
        let cfg = &self.scanner.config;
        let (rules, now) = (self.rules, self.now);
        let slot = |r: usize| rules.iter().position(|&x| x == r);
        let cands: Vec<usize> = ordered
            .iter()
            .filter(|x| x.ci == ci)
            .filter_map(|x| slot(x.rule))
            .collect();
        if !cands.iter().any(|&j| now.contains(&rules[j])) {
            return;
        }
        let cut = threshold_hundredths(cfg.cashouts[ci]);
        let sel = select(
            self.trace,
            self.rounds,
            &cands,
            cut,
            cfg.fair(ci),
            cfg.alpha,
        );
        // The situation of a kept rule that applies now: the rounds where it applied and
        // no kept rule that does not apply now did.
        let (a, b): (Vec<usize>, Vec<usize>) =
            sel.kept.iter().partition(|&&j| now.contains(&rules[j]));
        let counts = self.situation_counts(&a, &b, cut);
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
    /// bits), over the rounds where none of the kept rules in `not_now` applied.
    fn situation_counts(
        &self,
        now: &[usize],
        not_now: &[usize],
        cut: u32,
    ) -> Vec<(u64, u64, u64, u64)> {
        let trace = self.trace;
        let mut mask = vec![0u64; trace.words];
        for &j in not_now {
            set(&mut mask, j);
        }
        let mut counts = vec![(0u64, 0u64, 0u64, 0u64); now.len()];
        for (i, m) in self.rounds.iter().enumerate() {
            let bits = trace.round(i);
            if any_of(bits, &mask) {
                continue;
            }
            let hit = u64::from(m.0 >= cut);
            for (cnt, &j) in counts.iter_mut().zip(now) {
                if has(bits, j) {
                    cnt.2 += 1;
                    cnt.3 += hit;
                    if i >= self.split {
                        cnt.0 += 1;
                        cnt.1 += hit;
                    }
                }
            }
        }
        counts
    }

    /// The edge of considered rule `j` at cash-out `ci`, given its situation counts `s`
    /// (as from [`Self::situation_counts`]) and the kept rule `by` that explains it.
    fn edge(&self, ci: usize, j: usize, s: (u64, u64, u64, u64), by: Option<usize>) -> NextEdge {
        let cfg = &self.scanner.config;
        let cat = &self.scanner.catalogue;
        let total = self.scanner.counts();
        let c = cfg.cashouts.len();
        let r = self.rules[j];
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
            explained_by: by.map(|q| cat.conditions[self.rules[q]].describe()),
        }
    }
}
