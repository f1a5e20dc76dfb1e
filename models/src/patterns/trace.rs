//! Which of a set of rules applied to each round of a history, kept in step with it: the
//! replay the next-round reading needs (see [`super::next`]). Replaying a year of rounds
//! through the whole catalogue took 15 s per estimate; kept here, one more round costs
//! one step, and an undo or an old correction re-traces only from the changed round on.
//!
//! A rule's rounds are a bit column (bit i: it applied to round i), so that the reading's
//! counts over a year of rounds are word-wide ANDs and popcounts.

use super::rules::{count_rule_holds, RoundState};
use super::scan::{PatternScanner, MAX_CORRECTED};
use super::state::LONGEST_WINDOW;
use crate::forecast::threshold_hundredths;
use crate::values::{corrected_stretch, shared_prefix, Multiplier};

/// Up to this many rules, each is checked on its own ([`super::rules::Catalogue::holds`]);
/// above it, one listing of the whole catalogue per round is cheaper.
const ON_ITS_OWN: usize = 24;

/// Bit i of column j: rule `rules[j]` applied to round i (judged on the rounds before it
/// and round i's time); bit i of `reached[ci]`: round i reached cash-out `ci`.
#[derive(Clone)]
pub(super) struct Trace {
    /// The catalogue index behind each column.
    pub rules: Vec<usize>,
    cols: Vec<Vec<u64>>,
    reached: Vec<Vec<u64>>,
    cuts: Vec<u32>,
    /// Catalogue index → column (`u32::MAX`: not traced).
    slots: Vec<u32>,
    /// The traced count rules as (column, slot, at least?, m) (see
    /// [`super::rules::Catalogue::applicable_but_counts`]): checking these alone spares
    /// the listing of the catalogue's thousands of count rules.
    counted: Vec<(usize, usize, bool, u8)>,
    /// The rounds traced, and the state after them.
    seen: Vec<Multiplier>,
    state: RoundState,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("rules", &self.rules.len())
            .field("rounds", &self.seen.len())
            .finish()
    }
}

/// Bit i of a column.
fn set(col: &mut [u64], i: usize) {
    col[i / 64] |= 1 << (i % 64);
}

/// Keeps the first `n` bits of a column.
fn truncate(col: &mut Vec<u64>, n: usize) {
    col.truncate(n.div_ceil(64));
    if !n.is_multiple_of(64) {
        if let Some(last) = col.last_mut() {
            *last &= (1u64 << (n % 64)) - 1;
        }
    }
}

impl Trace {
    /// An empty trace for `scanner`'s catalogue and cash-outs.
    pub fn new(scanner: &PatternScanner) -> Self {
        let cfg = &scanner.config;
        Self {
            rules: Vec::new(),
            cols: Vec::new(),
            reached: vec![Vec::new(); cfg.cashouts.len()],
            cuts: cfg
                .cashouts
                .iter()
                .map(|&c| threshold_hundredths(c))
                .collect(),
            slots: vec![u32::MAX; scanner.catalogue.len()],
            counted: Vec::new(),
            seen: Vec::new(),
            state: scanner.fresh_state(),
        }
    }

    /// Whether this trace can serve `scanner` (same catalogue size and cash-outs).
    pub fn fits(&self, scanner: &PatternScanner) -> bool {
        let cfg = &scanner.config;
        self.slots.len() == scanner.catalogue.len()
            && self.cuts.len() == cfg.cashouts.len()
            && self
                .cuts
                .iter()
                .zip(&cfg.cashouts)
                .all(|(&a, &c)| a == threshold_hundredths(c))
    }

    /// Whether every one of `rules` has a column.
    pub fn covers(&self, rules: &[usize]) -> bool {
        rules.iter().all(|&r| self.slot(r).is_some())
    }

    /// The column of catalogue rule `rule`, if traced.
    pub fn slot(&self, rule: usize) -> Option<usize> {
        self.slots
            .get(rule)
            .filter(|&&s| s != u32::MAX)
            .map(|&s| s as usize)
    }

    /// Words per column: the rounds traced, 64 a word.
    pub fn words(&self) -> usize {
        self.seen.len().div_ceil(64)
    }

    /// Column `j`.
    pub fn col(&self, j: usize) -> &[u64] {
        &self.cols[j]
    }

    /// The rounds that reached cash-out `ci`.
    pub fn reached(&self, ci: usize) -> &[u64] {
        &self.reached[ci]
    }

    /// Follows exactly `rules` from now on: drops the other columns, and traces the
    /// rounds already seen for the new ones (one by one when they are few).
    pub fn follow(&mut self, scanner: &PatternScanner, rules: &[usize]) {
        let missing: Vec<usize> = rules
            .iter()
            .copied()
            .filter(|&r| self.slot(r).is_none())
            .collect();
        if missing.is_empty() && rules.len() == self.rules.len() {
            return;
        }
        let keep: Vec<(usize, Vec<u64>)> = std::mem::take(&mut self.rules)
            .into_iter()
            .zip(std::mem::take(&mut self.cols))
            .filter(|(r, _)| rules.contains(r))
            .collect();
        self.slots.fill(u32::MAX);
        for (r, col) in keep {
            self.push_column(r, col);
        }
        let first = self.rules.len();
        for &r in &missing {
            self.push_column(r, vec![0; self.words()]);
        }
        let counts = scanner.catalogue.count_rules();
        self.counted = counts
            .iter()
            .filter_map(|&(r, slot, at_least, m)| Some((self.slot(r)?, slot, at_least, m)))
            .collect();
        let mut state = scanner.fresh_state();
        let rounds = std::mem::take(&mut self.seen);
        for (i, m) in rounds.iter().enumerate() {
            self.mark(scanner, &state, i, first);
            state.push(*m);
        }
        self.seen = rounds;
    }

    fn push_column(&mut self, rule: usize, col: Vec<u64>) {
        self.slots[rule] = self.rules.len() as u32;
        self.rules.push(rule);
        self.cols.push(col);
    }

    /// Sets bit `i` of every column from `first` on whose rule applies after `state`.
    fn mark(&mut self, scanner: &PatternScanner, state: &RoundState, i: usize, first: usize) {
        let cat = &scanner.catalogue;
        if self.rules.len() - first <= ON_ITS_OWN {
            for j in first..self.rules.len() {
                if cat.holds(&cat.conditions[self.rules[j]], state) {
                    set(&mut self.cols[j], i);
                }
            }
            return;
        }
        let mut listed = Vec::new();
        let below = cat.applicable_but_counts(state, &mut listed);
        for r in listed {
            match self.slot(r) {
                Some(j) if j >= first => set(&mut self.cols[j], i),
                _ => {}
            }
        }
        for &(j, slot, at_least, m) in &self.counted {
            if j >= first && below[slot].is_some_and(|b| count_rule_holds(b, at_least, m)) {
                set(&mut self.cols[j], i);
            }
        }
    }

    /// Brings the trace to `rounds` (with `scanner`'s clock): the rounds it shares with
    /// the traced ones keep their bits (a rule reads only earlier rounds), the rest is
    /// traced anew.
    pub fn sync(&mut self, scanner: &PatternScanner, rounds: &[Multiplier]) {
        let n = self.seen.len();
        let common = shared_prefix(&self.seen, rounds);
        if common < n {
            if let Some(to) = corrected_stretch(&self.seen, rounds, common, MAX_CORRECTED) {
                return self.correct(scanner, rounds, (common, to));
            }
        }
        if common < n {
            self.seen.truncate(common);
            for col in self.cols.iter_mut().chain(&mut self.reached) {
                truncate(col, common);
            }
            // The state is cheap to rebuild: no rule is checked on the way.
            let mut state = scanner.fresh_state();
            for m in &self.seen {
                state.push(*m);
            }
            self.state = state;
        }
        self.state = std::mem::take(&mut self.state).with_clock(scanner.clock());
        for m in &rounds[common..] {
            self.push(scanner, *m);
        }
    }

    /// Takes in `rounds`, the traced history with rounds `from..to` changed (an old round
    /// corrected), by re-marking only the rounds that read them.
    fn correct(
        &mut self,
        scanner: &PatternScanner,
        rounds: &[Multiplier],
        (from, to): (usize, usize),
    ) {
        let n = self.seen.len();
        self.seen[from..to].copy_from_slice(&rounds[from..to]);
        let end = (to + LONGEST_WINDOW + 1).min(n);
        let mut state = scanner.fresh_state();
        for m in &self.seen[..from] {
            state.push(*m);
        }
        for i in from..end {
            for col in self.cols.iter_mut().chain(&mut self.reached) {
                col[i / 64] &= !(1u64 << (i % 64));
            }
            self.mark(scanner, &state, i, 0);
            let m = self.seen[i];
            for (col, &cut) in self.reached.iter_mut().zip(&self.cuts) {
                if m.0 >= cut {
                    set(col, i);
                }
            }
            state.push(m);
        }
        for m in &self.seen[end..] {
            state.push(*m);
        }
        self.state = state;
    }

    fn push(&mut self, scanner: &PatternScanner, m: Multiplier) {
        let i = self.seen.len();
        if i.is_multiple_of(64) {
            for col in self.cols.iter_mut().chain(&mut self.reached) {
                col.push(0);
            }
        }
        let state = std::mem::take(&mut self.state);
        self.mark(scanner, &state, i, 0);
        self.state = state;
        for (col, &cut) in self.reached.iter_mut().zip(&self.cuts) {
            if m.0 >= cut {
                set(col, i);
            }
        }
        self.state.push(m);
        self.seen.push(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::scan::PatternConfig;
    use crate::planted::{Planted, PlantedGenerator};
    use proptest::prelude::*;

    /// Bit j of round i as the whole catalogue lists it, replayed from the start.
    fn listed(
        scanner: &PatternScanner,
        rounds: &[Multiplier],
        rules: &[usize],
    ) -> Vec<(Vec<bool>, Vec<bool>)> {
        let cuts: Vec<u32> = scanner
            .config
            .cashouts
            .iter()
            .map(|&c| threshold_hundredths(c))
            .collect();
        let mut state = scanner.fresh_state();
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        for m in rounds {
            scanner.catalogue.applicable(&state, &mut scratch);
            let applied = rules.iter().map(|r| scratch.contains(r)).collect();
            out.push((applied, cuts.iter().map(|&c| m.0 >= c).collect()));
            state.push(*m);
        }
        out
    }

    /// The trace as rounds × `rules` (in the order asked), with the cash-outs reached.
    fn bits(trace: &Trace, rules: &[usize]) -> Vec<(Vec<bool>, Vec<bool>)> {
        let bit = |col: &[u64], i: usize| col[i / 64] >> (i % 64) & 1 == 1;
        (0..trace.seen.len())
            .map(|i| {
                let applied = rules
                    .iter()
                    .map(|&r| trace.slot(r).is_some_and(|j| bit(trace.col(j), i)))
                    .collect();
                let reached = (0..trace.cuts.len())
                    .map(|ci| bit(trace.reached(ci), i))
                    .collect();
                (applied, reached)
            })
            .collect()
    }

    /// `n` rules spread over the catalogue, from offset `at`.
    fn some_rules(scanner: &PatternScanner, n: usize, at: usize) -> Vec<usize> {
        let len = scanner.catalogue.len();
        let mut rules: Vec<usize> = (0..n).map(|k| (k * (len / n) + at) % len).collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        /// After appends, undos, corrections anywhere and changes of the rules followed
        /// (a few, checked one by one, or many, listed), the kept trace equals the
        /// catalogue's listing of the final history.
        #[test]
        fn a_kept_trace_equals_a_replay_of_the_history(
            seed in 0u64..10_000,
            steps in proptest::collection::vec((0usize..4, 0usize..400), 1..14),
        ) {
            let scanner = PatternScanner::new(PatternConfig::default());
            let pool = PlantedGenerator {
                seed,
                house_edge: 0.03,
                planted: Planted::AfterLowRun { k: 1, low: 1.1, target: 2.0, shift: 0.1 },
            }
            .generate(1_500);
            let mut trace = Trace::new(&scanner);
            let mut rules = some_rules(&scanner, 12, seed as usize);
            trace.follow(&scanner, &rules);
            let mut rounds: Vec<Multiplier> = Vec::new();
            let mut next = 0usize;
            for (op, r) in steps {
                match op {
                    0 => {
                        rounds.extend(pool.iter().cycle().skip(next).take(r));
                        next += r;
                    }
                    1 => rounds.truncate(rounds.len().saturating_sub(r % 50)),
                    2 if !rounds.is_empty() => {
                        let at = r % rounds.len();
                        rounds[at] = Multiplier(rounds[at].0 % 700 + 100);
                        if let Some(m) = rounds.get_mut(at + r % 250).filter(|_| r.is_multiple_of(3)) {
                            *m = Multiplier(m.0 % 900 + 100);
                        }
                    }
                    3 => {
                        // Some rules kept, some dropped, a few or many new.
                        let more = some_rules(&scanner, if r % 2 == 0 { 5 } else { 90 }, r);
                        rules = rules.iter().step_by(2).copied().chain(more).collect();
                        rules.sort_unstable();
                        rules.dedup();
                        trace.follow(&scanner, &rules);
                    }
                    _ => {}
                }
                trace.sync(&scanner, &rounds);
                prop_assert_eq!(bits(&trace, &rules), listed(&scanner, &rounds, &rules));
                prop_assert_eq!(trace.rules.len(), rules.len());
            }
        }
    }
}
