//! Keeps a scan in step with a growing history, so that each new round costs only its own
//! update (the live app asks after every round).

use super::{decide, Decision, Mode};
use crate::patterns::next::next_round_edges;
use crate::patterns::scan::{PatternConfig, PatternScanner};
use crate::values::Multiplier;

/// A scanner and the rounds it has seen.
#[derive(Debug, Clone)]
pub struct PatternTracker {
    seen: Vec<Multiplier>,
    scanner: PatternScanner,
}

impl PatternTracker {
    pub fn new(config: PatternConfig) -> Self {
        Self {
            seen: Vec::new(),
            scanner: PatternScanner::new(config),
        }
    }

    /// Brings the scan up to `rounds`: appended rounds are added one by one; any other
    /// change (an edit, a deletion, another history) rescans from the start.
    pub fn sync(&mut self, rounds: &[Multiplier]) {
        let n = self.seen.len();
        if rounds.len() < n || rounds[..n] != self.seen[..] {
            self.scanner = PatternScanner::with_catalogue(
                self.scanner.config.clone(),
                self.scanner.catalogue.clone(),
            );
            self.seen.clear();
        }
        let n = self.seen.len();
        self.scanner.extend(&rounds[n..]);
        self.seen.extend_from_slice(&rounds[n..]);
    }

    pub fn scanner(&self) -> &PatternScanner {
        &self.scanner
    }

    /// PLAY / WAIT for the round after `rounds` at `cashout` (see [`crate::decision`]).
    pub fn decide(&mut self, rounds: &[Multiplier], cashout: f64, mode: Mode) -> Decision {
        self.sync(rounds);
        let confirmed = self.scanner.confirmed();
        let cfg = &self.scanner.config;
        let here = confirmed
            .iter()
            .filter(|c| (cfg.cashouts[c.ci] - cashout).abs() < 1e-9)
            .count();
        let edges = next_round_edges(&self.scanner, rounds, &confirmed, mode.z());
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
