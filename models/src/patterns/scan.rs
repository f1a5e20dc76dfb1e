//! The pattern scan: counts of every rule × cash-out, kept one round at a time, and the
//! confirmation rule.
//!
//! A rule at cash-out c is **confirmed** when both hold:
//! 1. its exact one-sided binomial p-value against the fair rate (1−h)/c survives Holm's
//!    correction across the whole scan (every rule × every cash-out) at α, and
//! 2. its anytime-valid e-value against break-even (P(X ≥ c) ≤ 1/c, i.e. EV ≤ 0) reaches
//!    N/α, N the number of tests (Bonferroni for e-values, valid under continuous
//!    monitoring by Ville's inequality; see [`super::evidence`]).
//!
//! The second condition alone bounds the chance that a fair history *ever* shows a
//! confirmed rule, however often it is looked at, by α.

use super::clock::Clock;
use super::evidence::{ln_binomial_sf, ln_e_upper_bound, ln_e_value};
use super::rules::{Catalogue, RoundState};
use super::state::LONGEST_WINDOW;
use crate::forecast::threshold_hundredths;
use crate::summary::fair_survival;
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Cash-outs scanned by default.
pub const DEFAULT_CASHOUTS: [f64; 6] = [1.2, 1.5, 2.0, 3.0, 5.0, 10.0];

/// Settings of a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternConfig {
    pub cashouts: Vec<f64>,
    pub house_edge: f64,
    /// Family-wise error rate of the whole scan.
    pub alpha: f64,
    /// Share of the history the report calls "earlier" (in-sample); the rest is the
    /// out-of-sample part a PLAY decision is checked on.
    pub split: f64,
    /// Rules listed per family besides the confirmed ones (most significant first);
    /// `usize::MAX` lists every rule.
    pub listed_per_family: usize,
    /// Fewest later-part occurrences before a rule's situation can give PLAY.
    pub min_later_occurrences: u64,
}

impl Default for PatternConfig {
    fn default() -> Self {
        Self {
            cashouts: DEFAULT_CASHOUTS.to_vec(),
            house_edge: crate::generator::DEFAULT_HOUSE_EDGE,
            alpha: 0.05,
            split: 0.5,
            listed_per_family: 25,
            min_later_occurrences: 30,
        }
    }
}

impl PatternConfig {
    /// Checks the settings a user can give.
    pub fn validate(&self) -> Result<(), crate::error::EvalError> {
        use crate::error::EvalError::InvalidConfig;
        if self.cashouts.is_empty() || self.cashouts.len() > 32 {
            return Err(InvalidConfig("give between 1 and 32 cash-outs".into()));
        }
        for &c in &self.cashouts {
            crate::bet::check_cashout(c).map_err(|e| InvalidConfig(e.to_string()))?;
        }
        if !(self.house_edge >= 0.0 && self.house_edge < 0.5) {
            return Err(InvalidConfig("house edge must be in [0, 0.5)".into()));
        }
        if !(self.alpha > 0.0 && self.alpha < 0.5) {
            return Err(InvalidConfig("alpha must be in (0, 0.5)".into()));
        }
        if !(self.split > 0.05 && self.split < 0.95) {
            return Err(InvalidConfig("split must be in (0.05, 0.95)".into()));
        }
        Ok(())
    }

    pub fn fair(&self, ci: usize) -> f64 {
        fair_survival(self.cashouts[ci], self.house_edge)
    }

    /// Break-even rate 1/c: a bet at c has positive EV exactly above it.
    pub fn breakeven(&self, ci: usize) -> f64 {
        1.0 / self.cashouts[ci]
    }
}

/// Occurrences of every rule and hits of every rule × cash-out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counts {
    pub occurrences: Vec<u64>,
    /// `hits[rule · C + ci]`.
    pub hits: Vec<u64>,
    pub rounds: u64,
}

impl Counts {
    pub fn new(rules: usize, cashouts: usize) -> Self {
        Self {
            occurrences: vec![0; rules],
            hits: vec![0; rules * cashouts],
            rounds: 0,
        }
    }

    /// These counts less `earlier` (counts of a prefix of the same rounds).
    pub fn minus(&self, earlier: &Counts) -> Counts {
        let sub = |a: &[u64], b: &[u64]| a.iter().zip(b).map(|(x, y)| x - y).collect();
        Counts {
            occurrences: sub(&self.occurrences, &earlier.occurrences),
            hits: sub(&self.hits, &earlier.hits),
            rounds: self.rounds - earlier.rounds,
        }
    }

    pub fn add(&mut self, other: &Counts) {
        for (a, b) in self.occurrences.iter_mut().zip(&other.occurrences) {
            *a += b;
        }
        for (a, b) in self.hits.iter_mut().zip(&other.hits) {
            *a += b;
        }
        self.rounds += other.rounds;
    }
}

/// Keeps the counts of every rule up to date, one round at a time (O(rules that apply)
/// per round).
#[derive(Debug, Clone)]
pub struct PatternScanner {
    pub config: PatternConfig,
    pub catalogue: Arc<Catalogue>,
    cuts: Vec<u32>,
    state: RoundState,
    /// Every rule's counts; those of the count rules as of the last [`Self::settle`].
    counts: Counts,
    scratch: Vec<usize>,
    /// Per cash-out, 1 when the round being counted reached it.
    reached: Vec<u64>,
    slots: SlotCounts,
}

/// The count rules' rounds per (t, k) slot and number below t: "at least / at most m of
/// the last k below t" is a range of that number, so a round costs one update per slot
/// instead of one per count rule that applies (most of those that apply to a round).
#[derive(Debug, Clone, PartialEq)]
struct SlotCounts {
    /// Offset of each slot's values 0..=k.
    base: Vec<usize>,
    /// Each slot's window k.
    windows: Vec<usize>,
    /// `rounds[base[slot] + b]`: rounds with b of the slot's last k below t.
    rounds: Vec<u64>,
    /// `hits[(base[slot] + b) · C + ci]`.
    hits: Vec<u64>,
    /// Per slot, the number below for the last round (for [`PatternScanner::push_and_check`]).
    last: Vec<Option<usize>>,
    /// Whether `counts` lacks rounds counted here.
    unsettled: bool,
}

impl SlotCounts {
    fn new(catalogue: &Catalogue, c: usize) -> Self {
        let windows = catalogue.count_windows();
        let mut base = Vec::with_capacity(windows.len());
        let mut len = 0;
        for &k in &windows {
            base.push(len);
            len += k + 1;
        }
        Self {
            base,
            windows,
            rounds: vec![0; len],
            hits: vec![0; len * c],
            last: Vec::new(),
            unsettled: false,
        }
    }
}

impl SlotCounts {
    /// Takes `gone`'s rounds away and adds `came`'s (both counted on the same slots).
    fn replace(&mut self, gone: &SlotCounts, came: &SlotCounts) {
        for (a, (g, c)) in self
            .rounds
            .iter_mut()
            .zip(gone.rounds.iter().zip(&came.rounds))
        {
            *a = *a - g + c;
        }
        for (a, (g, c)) in self.hits.iter_mut().zip(gone.hits.iter().zip(&came.hits)) {
            *a = *a - g + c;
        }
    }
}

/// Most rounds a correction may change at once and still be recounted (the scan, see
/// [`PatternScanner::replace_span`], and the next-round trace) rather than rescanned.
pub const MAX_CORRECTED: usize = 10_000;

/// One confirmed rule × cash-out.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Confirmed {
    pub rule: usize,
    pub ci: usize,
    pub ln_e: f64,
    pub p_adjusted: f64,
}

impl PatternScanner {
    pub fn new(config: PatternConfig) -> Self {
        let catalogue = Arc::new(Catalogue::new(config.house_edge));
        Self::with_catalogue(config, catalogue)
    }

    /// Reuses a catalogue (its level bins are made for `config.house_edge`).
    pub fn with_catalogue(config: PatternConfig, catalogue: Arc<Catalogue>) -> Self {
        let cuts = config
            .cashouts
            .iter()
            .map(|&c| threshold_hundredths(c))
            .collect();
        let c = config.cashouts.len();
        let counts = Counts::new(catalogue.len(), c);
        let slots = SlotCounts::new(&catalogue, c);
        Self {
            config,
            catalogue,
            cuts,
            state: RoundState::default(),
            counts,
            slots,
            reached: vec![0; c],
            scratch: Vec::with_capacity(256),
        }
    }

    /// Scans `rounds` from the start.
    pub fn scan(config: PatternConfig, rounds: &[Multiplier]) -> Self {
        let mut s = Self::new(config);
        s.extend(rounds);
        s
    }

    pub fn extend(&mut self, rounds: &[Multiplier]) {
        for m in rounds {
            self.count(*m);
        }
        self.settle();
    }

    /// Reads round times from `clock` (the clock rules; set it before the first round).
    pub fn set_clock(&mut self, clock: Option<Arc<Clock>>) {
        self.state = std::mem::take(&mut self.state).with_clock(clock);
    }

    /// The clock the scan reads round times from.
    pub fn clock(&self) -> Option<Arc<Clock>> {
        self.state.clock.clone()
    }

    /// A state before any round, reading the same clock (for replays of the history).
    pub fn fresh_state(&self) -> RoundState {
        RoundState::default().with_clock(self.clock())
    }

    /// Takes round `m` into account: the rules that applied before it count it.
    pub fn push(&mut self, m: Multiplier) {
        let settled = !self.slots.unsettled;
        self.count(m);
        if !settled {
            return self.settle();
        }
        // One round: adding it to the count rules it met is cheaper than settling all.
        let mut met = Vec::new();
        self.catalogue.push_count_rules(&self.slots.last, &mut met);
        let c = self.cuts.len();
        for r in met {
            self.counts.occurrences[r] += 1;
            for (ci, &cut) in self.cuts.iter().enumerate() {
                self.counts.hits[r * c + ci] += u64::from(m.0 >= cut);
            }
        }
        self.slots.unsettled = false;
    }

    /// Counts round `m`: the count rules' part per slot only (see [`SlotCounts`]).
    fn count(&mut self, m: Multiplier) {
        let below = self
            .catalogue
            .applicable_but_counts(&self.state, &mut self.scratch);
        let c = self.cuts.len();
        // 1 for each cash-out `m` reached (a buffer kept, not a vector per round).
        for (r, &cut) in self.reached.iter_mut().zip(&self.cuts) {
            *r = u64::from(m.0 >= cut);
        }
        let reached = &self.reached;
        for &r in &self.scratch {
            self.counts.occurrences[r] += 1;
            add(&mut self.counts.hits[r * c..(r + 1) * c], reached);
        }
        let slots = &mut self.slots;
        for (slot, b) in below.iter().enumerate() {
            if let Some(b) = b {
                let at = slots.base[slot] + b;
                slots.rounds[at] += 1;
                add(&mut slots.hits[at * c..(at + 1) * c], reached);
            }
        }
        slots.last = below;
        slots.unsettled = true;
        self.counts.rounds += 1;
        self.state.push(m);
    }

    /// Brings the count rules' counts up to date from the slots.
    fn settle(&mut self) {
        if !self.slots.unsettled {
            return;
        }
        let c = self.cuts.len();
        let rules = self.catalogue.count_rules();
        let slots = &self.slots;
        for &(rule, slot, at_least, m) in rules {
            let values = (0..=slots.windows[slot])
                .filter(|&b| super::rules::count_rule_holds(b, at_least, m));
            let (mut n, mut k) = (0, vec![0; c]);
            for b in values {
                let at = slots.base[slot] + b;
                n += slots.rounds[at];
                for (ci, k) in k.iter_mut().enumerate() {
                    *k += slots.hits[at * c + ci];
                }
            }
            self.counts.occurrences[rule] = n;
            self.counts.hits[rule * c..(rule + 1) * c].copy_from_slice(&k);
        }
        self.slots.unsettled = false;
    }

    /// The scan of `new` for a scanner that has seen `old`: the two histories have the same
    /// length and differ only in rounds `from..to` (a correction of an old round). A
    /// round's rules read at most [`LONGEST_WINDOW`] rounds back, so only the rounds up to
    /// that far after the change count differently: their old counts are taken away and
    /// their new ones added, instead of a rescan of the whole history (3.9 s at 1,000,000
    /// rounds).
    pub fn replace_span(
        &mut self,
        old: &[Multiplier],
        new: &[Multiplier],
        (from, to): (usize, usize),
    ) {
        let n = new.len();
        debug_assert!(old.len() == n && self.counts.rounds as usize == n && to <= n);
        let end = (to + LONGEST_WINDOW + 1).min(n);
        let mut before = self.fresh_state();
        for m in &old[..from] {
            before.push(*m);
        }
        let part = |rounds: &[Multiplier]| {
            let mut p = Self::with_catalogue(self.config.clone(), self.catalogue.clone());
            p.state = before.clone();
            p.extend(&rounds[from..end]);
            p
        };
        let (gone, came) = (part(old), part(new));
        self.counts = self.counts.minus(&gone.counts);
        self.counts.add(&came.counts);
        self.slots.replace(&gone.slots, &came.slots);
        if end == n {
            self.slots.last = came.slots.last;
            self.scratch = came.scratch;
            self.state = came.state;
        } else {
            // Later rounds read the same windows, but the state's exact gap since a big
            // round may have changed: replayed (no rule is checked on the way).
            let mut state = self.fresh_state();
            for m in new {
                state.push(*m);
            }
            self.state = state;
        }
    }

    /// As [`Self::push`]; also tells whether a rule this round updated now has an e-value
    /// at or above the threshold (only those can have changed: a cheap way to watch a
    /// history round by round).
    pub fn push_and_check(&mut self, m: Multiplier) -> bool {
        self.push(m);
        let thr = self.ln_e_threshold();
        let c = self.cuts.len();
        // `scratch` still holds the rules but the count rules that applied to `m`.
        let mut updated = self.scratch.clone();
        self.catalogue
            .push_count_rules(&self.slots.last, &mut updated);
        updated.iter().any(|&r| {
            let n = self.counts.occurrences[r];
            (0..c).any(|ci| {
                let k = self.counts.hits[r * c + ci];
                let p0 = self.config.breakeven(ci);
                ln_e_upper_bound(n, k, p0) >= thr && ln_e_value(n, k, p0) >= thr
            })
        })
    }

    pub fn rounds(&self) -> u64 {
        self.counts.rounds
    }

    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    pub fn state(&self) -> &RoundState {
        &self.state
    }

    /// Rules × cash-outs tested: the multiplicity of the whole scan.
    pub fn n_tests(&self) -> usize {
        self.catalogue.len() * self.cuts.len()
    }

    /// ln(N/α): the e-value a rule needs.
    pub fn ln_e_threshold(&self) -> f64 {
        (self.n_tests() as f64 / self.config.alpha).ln()
    }

    /// The rules that apply to the next round.
    pub fn applicable_next(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.catalogue.applicable(&self.state, &mut out);
        out
    }

    /// Every confirmed rule × cash-out (see the module documentation).
    pub fn confirmed(&self) -> Vec<Confirmed> {
        confirm(&self.counts, &self.config, self.n_tests())
    }

    /// Whether any rule × cash-out has reached the e-value threshold (cheap: used to watch
    /// a history round by round).
    pub fn any_e_crossing(&self) -> bool {
        let thr = self.ln_e_threshold();
        let c = self.cuts.len();
        self.counts.occurrences.iter().enumerate().any(|(r, &n)| {
            (0..c).any(|ci| {
                let k = self.counts.hits[r * c + ci];
                let p0 = self.config.breakeven(ci);
                ln_e_upper_bound(n, k, p0) >= thr && ln_e_value(n, k, p0) >= thr
            })
        })
    }
}

/// Holm-adjusted p-values of the tests whose p can be small, by (rule, ci); the rest are
/// left out (their adjusted value is 1 for practical purposes: z < 1 against the fair rate
/// means p > 0.1, above any α this scan allows, and a larger p never changes the Holm
/// adjustment of a smaller one).
fn holm_of_small(counts: &Counts, config: &PatternConfig, n_tests: usize) -> Vec<(usize, f64)> {
    let c = config.cashouts.len();
    let mut small: Vec<(usize, f64)> = Vec::new();
    for (r, &n) in counts.occurrences.iter().enumerate() {
        if n == 0 {
            continue;
        }
        for ci in 0..c {
            let k = counts.hits[r * c + ci];
            let p0 = config.fair(ci);
            let z = (k as f64 - n as f64 * p0) / (n as f64 * p0 * (1.0 - p0)).sqrt();
            if z >= 1.0 {
                small.push((r * c + ci, ln_binomial_sf(k, n, p0)));
            }
        }
    }
    small.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut running = f64::NEG_INFINITY;
    for (rank, item) in small.iter_mut().enumerate() {
        let ln_adj = ((n_tests - rank) as f64).ln() + item.1;
        running = running.max(ln_adj.min(0.0));
        item.1 = running;
    }
    small
}

fn confirm(counts: &Counts, config: &PatternConfig, n_tests: usize) -> Vec<Confirmed> {
    let c = config.cashouts.len();
    let thr = (n_tests as f64 / config.alpha).ln();
    let mut by_e = Vec::new();
    for (r, &n) in counts.occurrences.iter().enumerate() {
        for ci in 0..c {
            let k = counts.hits[r * c + ci];
            let p0 = config.breakeven(ci);
            if ln_e_upper_bound(n, k, p0) < thr {
                continue;
            }
            let ln_e = ln_e_value(n, k, p0);
            if ln_e >= thr {
                by_e.push((r * c + ci, ln_e));
            }
        }
    }
    if by_e.is_empty() {
        return Vec::new();
    }
    let holm = holm_of_small(counts, config, n_tests);
    let ln_alpha = config.alpha.ln();
    by_e.into_iter()
        .filter_map(|(idx, ln_e)| {
            let adj = holm.iter().find(|(i, _)| *i == idx)?.1;
            (adj <= ln_alpha).then_some(Confirmed {
                rule: idx / c,
                ci: idx % c,
                ln_e,
                p_adjusted: adj.exp(),
            })
        })
        .collect()
}

/// Adds `reached` (0 or 1 per cash-out) to one rule's or slot's hits.
fn add(hits: &mut [u64], reached: &[u64]) {
    for (h, &r) in hits.iter_mut().zip(reached) {
        *h += r;
    }
}

/// Counts of the rounds before `split` only (the report's in-sample part), for a scanner
/// that has seen more.
pub fn first_counts(template: &PatternScanner, rounds: &[Multiplier], split: usize) -> Counts {
    let mut a = PatternScanner::with_catalogue(template.config.clone(), template.catalogue.clone());
    a.set_clock(template.clock());
    a.extend(&rounds[..split.min(rounds.len())]);
    a.counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        /// The counts kept per slot for the count rules, settled once after many rounds
        /// or after every round, equal counting every rule that `applicable` lists.
        #[test]
        fn slot_counts_equal_counting_every_applicable_rule(
            seed in 0u64..1_000_000,
            n in 0usize..700,
            split in 0usize..700,
        ) {
            let mut rounds = FairGenerator { seed, house_edge: 0.03 }.generate(n);
            for i in (0..n).filter(|i| (i / 40) % 3 == 1) {
                rounds[i] = Multiplier(100 + (i as u32 * 7) % 60);
            }
            let config = PatternConfig::default();
            let catalogue = Arc::new(Catalogue::new(0.03));
            let c = config.cashouts.len();
            let mut want = Counts::new(catalogue.len(), c);
            let mut state = RoundState::default();
            let mut listed = Vec::new();
            for m in &rounds {
                catalogue.applicable(&state, &mut listed);
                for &r in &listed {
                    want.occurrences[r] += 1;
                    for (ci, &x) in config.cashouts.iter().enumerate() {
                        want.hits[r * c + ci] += u64::from(m.0 >= threshold_hundredths(x));
                    }
                }
                want.rounds += 1;
                state.push(*m);
            }
            let mut bulk = PatternScanner::with_catalogue(config.clone(), catalogue.clone());
            let split = split.min(n);
            bulk.extend(&rounds[..split]);
            bulk.extend(&rounds[split..]);
            prop_assert!(bulk.counts() == &want);
            let mut one = PatternScanner::with_catalogue(config, catalogue);
            for m in &rounds {
                one.push(*m);
            }
            prop_assert!(one.counts() == &want);
        }
    }
}
