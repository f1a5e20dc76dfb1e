//! The rule catalogue of the pattern scan and the causal state that decides which rules
//! apply to a round.
//!
//! A rule is a [`Condition`] on the rounds *before* the round it speaks about, so "when the
//! condition holds, P(X ≥ c) is …" is a forecast made before the round is seen. The
//! [`RoundState`] is updated with each round and then lists the rules that apply to the next
//! one: nothing in it ever reads the round it describes.

use super::clock::{ClockIndex, ClockWindow};
use super::evidence::binomial_sf;
use super::levels::{in_band, mean, median, share_at_least_2};
pub use super::levels::{LevelBins, LEVEL_BANDS, LEVEL_QUANTILES, LEVEL_WINDOWS, SHARE_WINDOWS};
pub use super::state::{category, RoundState, BIG_THRESHOLDS, RUN_MAX_K, RUN_THRESHOLDS};
use super::words::{band_words, category_words, x};
pub use super::words::{CATEGORY_EDGES, N_CATEGORIES};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// "A big one": the windows it is looked for in ([`BIG_THRESHOLDS`]: how big).
/// Spaced by at most ×1.5 (×2 at the shortest), so that a drought or a window of any
/// length is close to a scanned one.
pub const BIG_WINDOWS: [usize; 14] = [1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 40, 50, 70, 100];
/// Periods of the position rules.
pub const MIN_PERIOD: usize = 2;
pub const MAX_PERIOD: usize = 60;
/// Thresholds (hundredths) and windows of the count rules "at least / at most m of the
/// last k rounds below t": a median of the last k below t is "at least k/2 + 1 below t",
/// so these are the level rules on the multiplier scale players think in. Every m is
/// scanned whose condition holds on between [`COUNT_MIN_SHARE`] and 1 − it of fair rounds
/// (rarer ones cannot gather enough rounds, commoner ones are "always").
pub const COUNT_THRESHOLDS: [u32; 5] = [120, 130, 150, 200, 300];
pub const COUNT_WINDOWS: [u16; 5] = [5, 8, 10, 15, 20];
pub const COUNT_MIN_SHARE: f64 = 0.003;
/// The denser grid of the count rules, appended after the first one (whose rule ids saved
/// models hold): cut points and windows between those above, so that a cold or hot spell
/// counted at other numbers is matched rather than approximated (power table in
/// `models/EVALUATION.md`). Count rules with m = k are runs, so this also gives the run
/// rules cut points between [`RUN_THRESHOLDS`].
pub const COUNT_DENSE_THRESHOLDS: [u32; 9] = [120, 130, 140, 150, 180, 200, 250, 300, 400];
pub const COUNT_DENSE_WINDOWS: [u16; 12] = [3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30];

/// The (threshold, window) slots of the count rules: the first grid, then the dense grid's
/// new ones.
fn count_slots() -> Vec<(u32, u16)> {
    let mut slots: Vec<(u32, u16)> = COUNT_THRESHOLDS
        .iter()
        .flat_map(|&t| COUNT_WINDOWS.iter().map(move |&k| (t, k)))
        .collect();
    for &t in &COUNT_DENSE_THRESHOLDS {
        for &k in &COUNT_DENSE_WINDOWS {
            if !slots.contains(&(t, k)) {
                slots.push((t, k));
            }
        }
    }
    slots
}

/// What kind of dependence a rule looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Family {
    /// After k consecutive rounds below / at or above t.
    Runs,
    /// A round ≥ T among (or missing from) the last k.
    BigOne,
    /// Round number modulo p.
    Position,
    /// Previous category (or the previous two) → next round.
    Transition,
    /// Mean / median / share ≥ 2x of the last k rounds, in fair-law quantile bins; the
    /// long share windows are the causal "current regime" condition.
    Level,
    /// Hour of the day / minutes into the session, for rounds with a real time
    /// ([`super::clock`]).
    Clock,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Runs,
        Family::BigOne,
        Family::Position,
        Family::Transition,
        Family::Level,
        Family::Clock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Runs => "runs",
            Family::BigOne => "big_one",
            Family::Position => "position",
            Family::Transition => "transition",
            Family::Level => "level",
            Family::Clock => "clock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Family::Runs => "runs (streaks)",
            Family::BigOne => "after a big one",
            Family::Position => "position (round number mod p)",
            Family::Transition => "transitions (Markov table)",
            Family::Level => "level of the recent past / regime",
            Family::Clock => "time of day / minutes into the session",
        }
    }
}

/// Statistic of the level rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LevelStat {
    Mean,
    Median,
    ShareAtLeast2,
}

/// A condition on the rounds before a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Condition {
    /// The last `k` rounds were all below `t` (hundredths).
    RunBelow { t: u32, k: u8 },
    /// The last `k` rounds were all at or above `t`.
    RunAtLeast { t: u32, k: u8 },
    /// At least one of the last `k` rounds was ≥ `big`.
    BigAmongLast { big: u32, k: u16 },
    /// None of the last `k` rounds was ≥ `big` (and there were `k`).
    NoBigInLast { big: u32, k: u16 },
    /// The round's number (1-based) is `residue` + 1 modulo `period`, i.e. its index
    /// (0-based) is `residue` mod `period`.
    Position { period: u16, residue: u16 },
    /// The previous round was in category `cat`.
    After { cat: u8 },
    /// The two previous rounds were in categories `first` (older) and `second`.
    AfterPair { first: u8, second: u8 },
    /// The statistic of the last `k` rounds fell in band `bin` of [`LEVEL_BANDS`].
    Level { stat: LevelStat, k: u16, bin: u8 },
    /// At least `m` of the last `k` rounds were below `t` (a cold spell).
    AtLeastBelow { t: u32, k: u16, m: u8 },
    /// At most `m` of the last `k` rounds were below `t` (a hot spell; there were `k`).
    AtMostBelow { t: u32, k: u16, m: u8 },
    /// The round before last was at or above (or below) `a`, the last at or above (or
    /// below) `b` ([`super::pairs`]).
    TwoRounds {
        a: u32,
        older_at_least: bool,
        b: u32,
        last_at_least: bool,
    },
    /// The round was played in the `hours` UTC hours from `from` o'clock on (across
    /// midnight when they reach it; reports before the hour grid hold 4-hour blocks).
    HourOfDay {
        from: u8,
        #[serde(default = "four_hours")]
        hours: u8,
    },
    /// The round was played `from` to `to` minutes (`to` excluded; `u16::MAX`: open)
    /// after its session's first round.
    SessionMinutes { from: u16, to: u16 },
}

impl Condition {
    pub fn family(&self) -> Family {
        match self {
            Condition::RunBelow { .. } | Condition::RunAtLeast { .. } => Family::Runs,
            Condition::BigAmongLast { .. } | Condition::NoBigInLast { .. } => Family::BigOne,
            Condition::Position { .. } => Family::Position,
            Condition::After { .. } | Condition::AfterPair { .. } | Condition::TwoRounds { .. } => {
                Family::Transition
            }
            Condition::Level { .. }
            | Condition::AtLeastBelow { .. }
            | Condition::AtMostBelow { .. } => Family::Level,
            Condition::HourOfDay { .. } | Condition::SessionMinutes { .. } => Family::Clock,
        }
    }

    /// The condition in plain words.
    pub fn describe(&self) -> String {
        match *self {
            Condition::RunBelow { t, k: 1 } => format!("after a round below {}", x(t)),
            Condition::RunBelow { t, k } => format!("after {k} rounds in a row below {}", x(t)),
            Condition::RunAtLeast { t, k: 1 } => format!("after a round at or above {}", x(t)),
            Condition::RunAtLeast { t, k } => {
                format!("after {k} rounds in a row at or above {}", x(t))
            }
            Condition::BigAmongLast { big, k: 1 } => format!("right after a round ≥ {}", x(big)),
            Condition::BigAmongLast { big, k } => {
                format!("a round ≥ {} among the last {k}", x(big))
            }
            Condition::NoBigInLast { big, k: 1 } => format!("after a round below {}", x(big)),
            Condition::NoBigInLast { big, k } => format!("no round ≥ {} in the last {k}", x(big)),
            Condition::Position { period, residue } => format!(
                "round number ≡ {} (mod {period}) — every {period}th round",
                u32::from(residue) + 1
            ),
            Condition::After { cat } => {
                format!("after a round {}", category_words(cat))
            }
            Condition::AfterPair { first, second } => format!(
                "after a round {} then a round {}",
                category_words(first),
                category_words(second)
            ),
            Condition::Level { stat, k, bin } => {
                let what = match stat {
                    LevelStat::Mean => format!("mean of the last {k} rounds"),
                    LevelStat::Median => format!("median of the last {k} rounds"),
                    LevelStat::ShareAtLeast2 => format!("share ≥ 2x of the last {k} rounds"),
                };
                format!("{what} {} (fair-law quantiles)", band_words(bin))
            }
            Condition::AtLeastBelow { t, k, m } if u16::from(m) == k => {
                format!("all of the last {k} rounds below {}", x(t))
            }
            Condition::AtLeastBelow { t, k, m } => {
                format!("at least {m} of the last {k} rounds below {}", x(t))
            }
            Condition::AtMostBelow { t, k, m: 0 } => {
                format!("none of the last {k} rounds below {}", x(t))
            }
            Condition::AtMostBelow { t, k, m } => {
                format!("at most {m} of the last {k} rounds below {}", x(t))
            }
            Condition::TwoRounds {
                a,
                older_at_least,
                b,
                last_at_least,
            } => super::pairs::describe(a, older_at_least, b, last_at_least),
            Condition::HourOfDay { from, hours } => format!(
                "played between {from:02}:00 and {:02}:00 UTC",
                (from + hours) % 24
            ),
            Condition::SessionMinutes { from, to: u16::MAX } => {
                format!("{from} minutes or more into a session")
            }
            Condition::SessionMinutes { from, to } => {
                format!("{from} to {to} minutes into a session")
            }
        }
    }
}

/// A count rule: (rule id, index of its (t, k) slot, at least?, m).
pub type CountRule = (usize, usize, bool, u8);

/// The rule catalogue: every condition, in a fixed order (a rule's index is its id).
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub conditions: Vec<Condition>,
    base_run_below: usize,
    base_run_at_least: usize,
    base_big: usize,
    base_no_big: usize,
    base_position: usize,
    base_after: usize,
    base_pair: usize,
    base_level: usize,
    /// Rule id of each two-round condition in [`super::pairs::all`]'s order; `None` for
    /// one that is a run or a category pair already.
    two_round_ids: Vec<Option<usize>>,
    counts: Vec<CountRule>,
    count_slots: Vec<(u32, u16)>,
    count_groups: super::levels::CountGroups,
    base_clock: usize,
    clock_index: ClockIndex,
    pub bins: LevelBins,
}

/// Appends one run rule per [`RUN_THRESHOLDS`] entry and run length 1..=[`RUN_MAX_K`]
/// (threshold-major, the order [`Catalogue::applicable`] indexes them in).
fn push_runs(c: &mut Vec<Condition>, rule: impl Fn(u32, u8) -> Condition) {
    for &t in &RUN_THRESHOLDS {
        for k in 1..=RUN_MAX_K as u8 {
            c.push(rule(t, k));
        }
    }
}

/// Appends one big-one rule per [`BIG_THRESHOLDS`] entry and [`BIG_WINDOWS`] entry
/// (threshold-major, the order [`Catalogue::applicable`] indexes them in).
fn push_big(c: &mut Vec<Condition>, rule: impl Fn(u32, u16) -> Condition) {
    for &big in &BIG_THRESHOLDS {
        for &k in &BIG_WINDOWS {
            c.push(rule(big, k as u16));
        }
    }
}

/// Appends the level rules: per statistic and window, one rule per [`LEVEL_BANDS`] band.
fn push_levels(c: &mut Vec<Condition>) {
    for (stat, windows) in [
        (LevelStat::Mean, &LEVEL_WINDOWS[..]),
        (LevelStat::Median, &LEVEL_WINDOWS[..]),
        (LevelStat::ShareAtLeast2, &SHARE_WINDOWS[..]),
    ] {
        for &k in windows {
            for bin in 0..LEVEL_BANDS.len() as u8 {
                c.push(Condition::Level {
                    stat,
                    k: k as u16,
                    bin,
                });
            }
        }
    }
}

/// Appends the count rules of `slots[range]` whose condition is neither too rare nor too
/// common under the fair law (see [`COUNT_MIN_SHARE`]) and returns them as (rule id, slot,
/// at least?, m).
fn push_counts(
    c: &mut Vec<Condition>,
    house_edge: f64,
    slots: &[(u32, u16)],
    range: std::ops::Range<usize>,
) -> Vec<CountRule> {
    let mut counts = Vec::new();
    let kept = |share: f64| (COUNT_MIN_SHARE..=1.0 - COUNT_MIN_SHARE).contains(&share);
    for slot in range {
        let (t, k) = slots[slot];
        let below = 1.0 - crate::summary::fair_survival(f64::from(t) / 100.0, house_edge);
        for m in 1..=k as u8 {
            if kept(binomial_sf(u64::from(m), u64::from(k), below)) {
                counts.push((c.len(), slot, true, m));
                c.push(Condition::AtLeastBelow { t, k, m });
            }
        }
        for m in 0..k as u8 {
            if kept(1.0 - binomial_sf(u64::from(m) + 1, u64::from(k), below)) {
                counts.push((c.len(), slot, false, m));
                c.push(Condition::AtMostBelow { t, k, m });
            }
        }
    }
    counts
}

fn four_hours() -> u8 {
    super::clock::HOUR_BLOCK
}

/// Appends the clock rules, in [`ClockWindow::all`]'s order (the order
/// [`Catalogue::applicable`] indexes them in).
fn push_clock(c: &mut Vec<Condition>) -> ClockIndex {
    let windows = ClockWindow::all();
    c.extend(windows.iter().map(|w| match *w {
        ClockWindow::Hours { from, hours } => Condition::HourOfDay { from, hours },
        ClockWindow::Minutes { from, to } => Condition::SessionMinutes { from, to },
    }));
    ClockIndex::new(&windows)
}

/// Index of residue `r` of period `p` inside the position block.
fn position_offset(p: usize) -> usize {
    // Σ_{q = MIN_PERIOD}^{p − 1} q
    (MIN_PERIOD..p).sum()
}

impl Catalogue {
    pub fn new(house_edge: f64) -> Self {
        let mut c = Vec::new();
        let base_run_below = c.len();
        push_runs(&mut c, |t, k| Condition::RunBelow { t, k });
        let base_run_at_least = c.len();
        push_runs(&mut c, |t, k| Condition::RunAtLeast { t, k });
        let base_big = c.len();
        push_big(&mut c, |big, k| Condition::BigAmongLast { big, k });
        let base_no_big = c.len();
        push_big(&mut c, |big, k| Condition::NoBigInLast { big, k });
        let base_position = c.len();
        for p in MIN_PERIOD..=MAX_PERIOD {
            for r in 0..p {
                c.push(Condition::Position {
                    period: p as u16,
                    residue: r as u16,
                });
            }
        }
        let base_after = c.len();
        for cat in 0..N_CATEGORIES as u8 {
            c.push(Condition::After { cat });
        }
        let base_pair = c.len();
        for first in 0..N_CATEGORIES as u8 {
            for second in 0..N_CATEGORIES as u8 {
                c.push(Condition::AfterPair { first, second });
            }
        }
        let base_level = c.len();
        push_levels(&mut c);
        let count_slots = count_slots();
        let first_grid = COUNT_THRESHOLDS.len() * COUNT_WINDOWS.len();
        let mut counts = push_counts(&mut c, house_edge, &count_slots, 0..first_grid);
        // Appended after the first catalogue: the ids of the rules before stay those
        // saved models hold.
        let mut two_round_ids = Vec::new();
        for (a, older_at_least, b, last_at_least) in super::pairs::all() {
            // Runs of two at a run threshold, and pairs of the extreme categories, are
            // rules already.
            let run = a == b && older_at_least == last_at_least && RUN_THRESHOLDS.contains(&a);
            let extreme = |t: u32, at_least: bool| {
                (t == CATEGORY_EDGES[0] && !at_least)
                    || (t == CATEGORY_EDGES[CATEGORY_EDGES.len() - 1] && at_least)
            };
            let known = run || (extreme(a, older_at_least) && extreme(b, last_at_least));
            two_round_ids.push((!known).then_some(c.len()));
            if !known {
                c.push(Condition::TwoRounds {
                    a,
                    older_at_least,
                    b,
                    last_at_least,
                });
            }
        }
        let dense = first_grid..count_slots.len();
        counts.extend(push_counts(&mut c, house_edge, &count_slots, dense));
        let base_clock = c.len();
        let clock_index = push_clock(&mut c);
        Self {
            conditions: c,
            base_run_below,
            base_run_at_least,
            base_big,
            base_no_big,
            base_position,
            base_after,
            base_pair,
            base_level,
            two_round_ids,
            counts,
            count_groups: super::levels::count_groups(&count_slots),
            count_slots,
            base_clock,
            clock_index,
            bins: LevelBins::fair(house_edge),
        }
    }

    pub fn len(&self) -> usize {
        self.conditions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Appends to `out` the index of every rule that applies to the round after `state`'s
    /// rounds (cleared first).
    pub fn applicable(&self, state: &RoundState, out: &mut Vec<usize>) {
        let below = self.applicable_but_counts(state, out);
        self.push_count_rules(&below, out);
    }

    /// As [`Self::applicable`] without the count rules; returns instead how many of the
    /// last k rounds were below t for each (t, k) slot of theirs (`None`: fewer than k
    /// rounds), which decides every one of them. The scan counts per slot and value and
    /// sums at the end: most of the rules that apply to a round are count rules.
    pub fn applicable_but_counts(
        &self,
        state: &RoundState,
        out: &mut Vec<usize>,
    ) -> Vec<Option<usize>> {
        out.clear();
        for (ti, &run) in state.run_below.iter().enumerate() {
            for k in 0..run.min(RUN_MAX_K) {
                out.push(self.base_run_below + ti * RUN_MAX_K + k);
            }
        }
        for (ti, &run) in state.run_at_least.iter().enumerate() {
            for k in 0..run.min(RUN_MAX_K) {
                out.push(self.base_run_at_least + ti * RUN_MAX_K + k);
            }
        }
        let nw = BIG_WINDOWS.len();
        for (bi, gap) in state.since_big.iter().enumerate() {
            for (wi, &k) in BIG_WINDOWS.iter().enumerate() {
                match gap {
                    // The last big round was `gap` rounds before the last round.
                    Some(g) if *g < k => out.push(self.base_big + bi * nw + wi),
                    _ if state.n >= k => out.push(self.base_no_big + bi * nw + wi),
                    _ => {}
                }
            }
        }
        for p in MIN_PERIOD..=MAX_PERIOD {
            out.push(self.base_position + position_offset(p) + state.n % p);
        }
        if let Some(c1) = state.prev_cat[1] {
            out.push(self.base_after + c1 as usize);
            if let Some(c0) = state.prev_cat[0] {
                out.push(self.base_pair + c0 as usize * N_CATEGORIES + c1 as usize);
            }
        }
        let mut slot = 0usize;
        let mut push_level = |out: &mut Vec<usize>, value: Option<f64>, edges: &[f64]| {
            if let Some(v) = value {
                for (b, band) in LEVEL_BANDS.iter().enumerate() {
                    if in_band(v, *band, edges) {
                        out.push(self.base_level + slot * LEVEL_BANDS.len() + b);
                    }
                }
            }
            slot += 1;
        };
        let recent = state.recent_slice();
        for (wi, &k) in LEVEL_WINDOWS.iter().enumerate() {
            let v = (recent.len() >= k).then(|| mean(&recent[recent.len() - k..]));
            push_level(out, v, &self.bins.mean[wi]);
        }
        for (wi, &k) in LEVEL_WINDOWS.iter().enumerate() {
            let v = (recent.len() >= k).then(|| median(&recent[recent.len() - k..]));
            push_level(out, v, &self.bins.median[wi]);
        }
        for (wi, &k) in SHARE_WINDOWS.iter().enumerate() {
            let v = (recent.len() >= k).then(|| share_at_least_2(&recent[recent.len() - k..]));
            push_level(out, v, &self.bins.share[wi]);
        }
        if let Some((older, last)) = state.last_two() {
            let ids = super::pairs::applicable(older, last).filter_map(|i| self.two_round_ids[i]);
            out.extend(ids);
        }
        if let Some(now) = state.clock_now() {
            out.extend(self.clock_index.meets(now).map(|i| self.base_clock + i));
        }
        super::levels::counts_below(&recent, &self.count_groups, self.count_slots.len())
    }

    /// Appends the count rules that `below` (per slot, see
    /// [`Self::applicable_but_counts`]) makes apply.
    pub fn push_count_rules(&self, below: &[Option<usize>], out: &mut Vec<usize>) {
        for &(rule, slot, at_least, m) in &self.counts {
            if below[slot].is_some_and(|b| count_rule_holds(b, at_least, m)) {
                out.push(rule);
            }
        }
    }

    /// The count rules as (rule id, slot, at least?, m).
    pub fn count_rules(&self) -> &[CountRule] {
        &self.counts
    }

    /// The window k of each count-rule slot, in slot order.
    pub fn count_windows(&self) -> Vec<usize> {
        self.count_slots
            .iter()
            .map(|&(_, k)| usize::from(k))
            .collect()
    }
}

/// Whether "at least m" (`at_least`) or "at most m" of a window below t holds with `b`
/// below.
pub fn count_rule_holds(b: usize, at_least: bool, m: u8) -> bool {
    let m = usize::from(m);
    if at_least {
        b >= m
    } else {
        b <= m
    }
}

impl Catalogue {
    /// Whether rule `rule` applies to the round after `history` (slow, for tests and
    /// single checks: it replays the whole history).
    pub fn applies_after(&self, rule: usize, history: &[Multiplier]) -> bool {
        let mut s = RoundState::default();
        for m in history {
            s.push(*m);
        }
        let mut out = Vec::new();
        self.applicable(&s, &mut out);
        out.contains(&rule)
    }
}
