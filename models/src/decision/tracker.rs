//! Keeps a scan in step with a growing history, so that each new round costs only its own
//! update (the live app asks after every round).

use super::{decide, Decision, Mode};
use crate::patterns::clock::Clock;
use crate::patterns::next::NextReader;
use crate::patterns::scan::{PatternConfig, PatternScanner, MAX_CORRECTED};
use crate::values::{corrected_stretch, shared_prefix, Multiplier};
use std::sync::Arc;

/// How far back an undo or a correction can reach without a rescan: the tracker keeps a
/// second scan between `REWIND` and `2 × REWIND` rounds behind the first.
pub const REWIND: usize = 64;

/// A scanner, the rounds it has seen, and a checkpoint a little behind it.
#[derive(Debug, Clone)]
pub struct PatternTracker {
    seen: Vec<Multiplier>,
    scanner: PatternScanner,
    /// The scan of `seen[..behind_len]`: an undo or a change of a recent round restarts
    /// from here (a rescan of a year of rounds takes seconds).
    behind: PatternScanner,
    behind_len: usize,
    /// The next-round reading's replay of the confirmed rules, kept in step too.
    reader: NextReader,
}

impl PatternTracker {
    pub fn new(config: PatternConfig) -> Self {
        let scanner = PatternScanner::new(config);
        Self {
            seen: Vec::new(),
            behind: scanner.clone(),
            scanner,
            behind_len: 0,
            reader: NextReader::default(),
        }
    }

    /// Brings the scan up to `rounds`: appended rounds are added one by one; a change
    /// among the newest rounds (an undo, a correction) restarts from the checkpoint; any
    /// other change (an old edit, another history) rescans from the start. The scan of
    /// a history depends on nothing else, so each path gives the same scan.
    pub fn sync(&mut self, rounds: &[Multiplier]) {
        self.sync_with_clock(rounds, None);
    }

    /// As [`Self::sync`], reading round times from `clock` (the clock rules). A clock is
    /// causal — the times of later rounds change nothing about earlier ones — so the
    /// clock of a longer history serves the rounds already scanned too.
    pub fn sync_with_clock(&mut self, rounds: &[Multiplier], clock: Option<Arc<Clock>>) {
        self.scanner.set_clock(clock.clone());
        self.behind.set_clock(clock);
        let n = self.seen.len();
        let common = shared_prefix(&self.seen, rounds);
        if common < n {
            if common >= self.behind_len {
                self.scanner = self.behind.clone();
                self.scanner.extend(&rounds[self.behind_len..common]);
            } else if let Some(to) = corrected_stretch(&self.seen, rounds, common, MAX_CORRECTED) {
                self.correct(rounds, (common, to));
                return;
            } else {
                self.rebuild(&rounds[..common]);
            }
            self.seen.truncate(common);
        }
        self.scanner.extend(&rounds[common..]);
        self.seen.extend_from_slice(&rounds[common..]);
        let target = self.seen.len().saturating_sub(REWIND);
        if target >= self.behind_len + REWIND {
            self.behind.extend(&self.seen[self.behind_len..target]);
            self.behind_len = target;
        }
    }

    /// Brings the scan and the checkpoint to `rounds`, the history seen with rounds
    /// `from..to` changed, by recounting only the rounds that read them.
    fn correct(&mut self, rounds: &[Multiplier], (from, to): (usize, usize)) {
        let b = self.behind_len;
        self.scanner.replace_span(&self.seen, rounds, (from, to));
        if from < b {
            self.behind
                .replace_span(&self.seen[..b], &rounds[..b], (from, to.min(b)));
        }
        self.seen[from..to].copy_from_slice(&rounds[from..to]);
    }

    /// The scan of `rounds` from the start, with the checkpoint `REWIND` rounds behind.
    fn rebuild(&mut self, rounds: &[Multiplier]) {
        let mut scanner = PatternScanner::with_catalogue(
            self.scanner.config.clone(),
            self.scanner.catalogue.clone(),
        );
        scanner.set_clock(self.scanner.clock());
        let mark = rounds.len().saturating_sub(REWIND);
        scanner.extend(&rounds[..mark]);
        self.behind = scanner.clone();
        self.behind_len = mark;
        scanner.extend(&rounds[mark..]);
        self.scanner = scanner;
    }

    pub fn scanner(&self) -> &PatternScanner {
        &self.scanner
    }

    /// PLAY / WAIT for the round after `rounds` at `cashout` (see [`crate::decision`]).
    pub fn decide(&mut self, rounds: &[Multiplier], cashout: f64, mode: Mode) -> Decision {
        self.decide_with_clock(rounds, None, cashout, mode)
    }

    /// As [`Self::decide`], with the rounds' times and the next round's (see
    /// [`crate::patterns::clock::Clock::with_next`]).
    pub fn decide_with_clock(
        &mut self,
        rounds: &[Multiplier],
        clock: Option<Arc<Clock>>,
        cashout: f64,
        mode: Mode,
    ) -> Decision {
        self.sync_with_clock(rounds, clock);
        let confirmed = self.scanner.confirmed();
        let cfg = &self.scanner.config;
        let here = confirmed
            .iter()
            .filter(|c| (cfg.cashouts[c.ci] - cashout).abs() < 1e-9)
            .count();
        let edges = self
            .reader
            .edges(&self.scanner, rounds, &confirmed, mode.z());
        decide(
            &edges,
            here,
            self.scanner.ln_e_threshold().exp(),
            cashout,
            cfg.house_edge,
            mode,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;

    /// What the scan of a history is: counts, round state, confirmed rules and the rules
    /// that apply to the next round.
    fn fingerprint(
        s: &PatternScanner,
    ) -> (crate::patterns::scan::Counts, String, Vec<usize>, usize) {
        (
            s.counts().clone(),
            format!("{:?}", s.state()),
            s.applicable_next(),
            s.confirmed().len(),
        )
    }

    /// After appends, undos of up to 2 × REWIND rounds, corrections of recent and of old
    /// rounds, the tracker's scan equals a scan of the final history from scratch.
    #[test]
    fn every_path_to_a_history_gives_the_scan_of_that_history() {
        let config = PatternConfig::default();
        let pool = FairGenerator {
            seed: 11,
            house_edge: 0.03,
        }
        .generate(4_000);
        let mut tracker = PatternTracker::new(config.clone());
        let mut rounds: Vec<Multiplier> = Vec::new();
        let mut next = 0usize;
        let mut seed = 3u64;
        for step in 0..60 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let r = (seed >> 33) as usize;
            match r % 4 {
                0 | 1 => {
                    let k = 1 + r % 150;
                    rounds.extend(pool.iter().cycle().skip(next).take(k));
                    next += k;
                }
                2 => {
                    let k = (r / 4) % (2 * REWIND + 2);
                    rounds.truncate(rounds.len().saturating_sub(k));
                }
                _ if !rounds.is_empty() => {
                    // A correction: recent most of the time, sometimes far back.
                    let back = if r.is_multiple_of(3) {
                        r % rounds.len()
                    } else {
                        r % REWIND.min(rounds.len())
                    };
                    let at = rounds.len() - 1 - back;
                    rounds[at] = Multiplier(rounds[at].0 % 500 + 101);
                    // Now and then a second round a little later: a stretch corrected.
                    if let Some(m) = rounds.get_mut(at + r % 300).filter(|_| r.is_multiple_of(5)) {
                        *m = Multiplier(m.0 % 900 + 100);
                    }
                }
                _ => {}
            }
            tracker.sync(&rounds);
            let fresh = PatternScanner::scan(config.clone(), &rounds);
            assert_eq!(
                fingerprint(tracker.scanner()),
                fingerprint(&fresh),
                "step {step}"
            );
        }
    }

    /// The kept next-round reading equals a fresh one (a replay of the final history) on
    /// a history with a planted edge, after appends, undos and corrections old and new.
    #[test]
    fn the_kept_next_round_reading_equals_a_fresh_one() {
        use crate::patterns::next::next_round_edges;
        use crate::planted::{Planted, PlantedGenerator};
        let config = PatternConfig::default();
        let pool = PlantedGenerator {
            seed: 5,
            house_edge: 0.03,
            planted: Planted::AfterLowRun {
                k: 1,
                low: 1.5,
                target: 2.0,
                shift: 0.2,
            },
        }
        .generate(8_000);
        let mut tracker = PatternTracker::new(config.clone());
        let mut rounds: Vec<Multiplier> = pool[..2_500].to_vec();
        let (mut next, mut read) = (2_500usize, 0usize);
        for step in 0..40u64 {
            let r = (step.wrapping_mul(2_654_435_761) >> 7) as usize;
            match step % 5 {
                0..=2 => {
                    let k = 1 + r % 120;
                    rounds.extend_from_slice(&pool[next..next + k]);
                    next += k;
                }
                3 => rounds.truncate(rounds.len() - r % (REWIND + 9)),
                _ => {
                    let at = if step % 2 == 0 {
                        r % rounds.len()
                    } else {
                        rounds.len() - 1
                    };
                    rounds[at] = Multiplier(rounds[at].0 % 300 + 100);
                }
            }
            tracker.sync(&rounds);
            let confirmed = tracker.scanner.confirmed();
            let kept = tracker
                .reader
                .edges(&tracker.scanner, &rounds, &confirmed, 1.645);
            let fresh = PatternScanner::scan(config.clone(), &rounds);
            assert_eq!(
                kept,
                next_round_edges(&fresh, &rounds, &confirmed, 1.645),
                "step {step}"
            );
            read += usize::from(!kept.is_empty());
        }
        assert!(read >= 5, "only {read} steps had a confirmed rule applying");
    }
}
