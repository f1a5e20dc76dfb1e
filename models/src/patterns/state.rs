//! What the rules need to know about the rounds so far: the causal state the catalogue
//! reads, updated one round at a time, and the clock of the round it speaks about.

use super::clock::{Clock, ClockContext};
use super::words::CATEGORY_EDGES;
use crate::values::Multiplier;
use std::collections::VecDeque;
use std::sync::Arc;

/// Thresholds of the run rules, in hundredths (1.1x … 10x).
pub const RUN_THRESHOLDS: [u32; 8] = [110, 120, 130, 150, 200, 300, 500, 1000];
/// Longest run the run rules ask about.
pub const RUN_MAX_K: usize = 8;
/// "A big one": thresholds in hundredths (2x … 100x).
pub const BIG_THRESHOLDS: [u32; 6] = [200, 500, 1000, 2000, 5000, 10_000];

/// The longest window any rule reads.
pub(super) const LONGEST_WINDOW: usize = 200;

/// What the rules need to know about the rounds so far. Updated one round at a time.
#[derive(Debug, Clone)]
pub struct RoundState {
    /// Rounds seen.
    pub n: usize,
    /// Current run of rounds below / at or above each [`RUN_THRESHOLDS`] entry (capped).
    pub(super) run_below: [usize; RUN_THRESHOLDS.len()],
    pub(super) run_at_least: [usize; RUN_THRESHOLDS.len()],
    /// Rounds between the last round ≥ each [`BIG_THRESHOLDS`] entry and the last round
    /// (0: the last round itself was big), `None` if none yet.
    pub(super) since_big: [Option<usize>; BIG_THRESHOLDS.len()],
    /// Categories of the second-to-last and last rounds.
    pub(super) prev_cat: [Option<u8>; 2],
    /// The last [`LONGEST_WINDOW`] rounds as multipliers, oldest first.
    pub(super) recent: VecDeque<f64>,
    /// When the rounds were played, if they carry a real time (the clock rules).
    pub(super) clock: Option<Arc<Clock>>,
}

impl Default for RoundState {
    fn default() -> Self {
        Self {
            n: 0,
            run_below: [0; RUN_THRESHOLDS.len()],
            run_at_least: [0; RUN_THRESHOLDS.len()],
            since_big: [None; BIG_THRESHOLDS.len()],
            prev_cat: [None; 2],
            recent: VecDeque::with_capacity(LONGEST_WINDOW + 1),
            clock: None,
        }
    }
}

/// Category of a round for the transition rules.
pub fn category(m: Multiplier) -> u8 {
    CATEGORY_EDGES.iter().filter(|&&e| m.0 >= e).count() as u8
}

impl RoundState {
    /// Takes one more round into account.
    pub fn push(&mut self, m: Multiplier) {
        let v = m.0;
        for (i, &t) in RUN_THRESHOLDS.iter().enumerate() {
            if v < t {
                self.run_below[i] = (self.run_below[i] + 1).min(RUN_MAX_K);
                self.run_at_least[i] = 0;
            } else {
                self.run_at_least[i] = (self.run_at_least[i] + 1).min(RUN_MAX_K);
                self.run_below[i] = 0;
            }
        }
        for (i, &big) in BIG_THRESHOLDS.iter().enumerate() {
            self.since_big[i] = if v >= big {
                Some(0)
            } else {
                self.since_big[i].map(|g| (g + 1).min(usize::MAX / 2))
            };
        }
        self.prev_cat = [self.prev_cat[1], Some(category(m))];
        if self.recent.len() == LONGEST_WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(m.as_f64());
        self.n += 1;
    }

    /// The state after `history`, from its last rounds only (the longest window any rule
    /// reads) and its length: the same rules apply as after replaying all of it.
    pub fn from_tail(history: &[Multiplier]) -> Self {
        let start = history.len().saturating_sub(LONGEST_WINDOW);
        let mut s = Self::default();
        for m in &history[start..] {
            s.push(*m);
        }
        s.n = history.len();
        s
    }

    /// The same state reading round times from `clock`.
    pub fn with_clock(mut self, clock: Option<Arc<Clock>>) -> Self {
        self.clock = clock;
        self
    }

    /// When the round this state speaks about (the next one) is played, if known.
    pub fn clock_now(&self) -> Option<ClockContext> {
        self.clock.as_ref().and_then(|c| c.context(self.n))
    }

    /// The last two rounds (older, last) in hundredths, when there were two.
    pub(super) fn last_two(&self) -> Option<(u32, u32)> {
        let (n, h) = (self.recent.len(), |v: f64| (v * 100.0).round() as u32);
        (n >= 2).then(|| (h(self.recent[n - 2]), h(self.recent[n - 1])))
    }

    pub(super) fn recent_slice(&self) -> Vec<f64> {
        let (a, b) = self.recent.as_slices();
        let mut v = Vec::with_capacity(a.len() + b.len());
        v.extend_from_slice(a);
        v.extend_from_slice(b);
        v
    }
}
