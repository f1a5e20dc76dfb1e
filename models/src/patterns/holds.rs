//! One condition checked on its own against a [`RoundState`]: what the strategy lab needs
//! for the few confirmed rules on every round of every simulated path, where
//! [`Catalogue::applicable`] would list the whole catalogue. The tests hold it to
//! `applicable`, condition by condition, on random histories.

use super::clock::ClockWindow;
use super::levels::{in_band, mean, median, share_at_least_2, LEVEL_BANDS};
use super::levels::{LEVEL_WINDOWS, SHARE_WINDOWS};
use super::rules::{Catalogue, Condition, LevelStat, RoundState};
use super::rules::{BIG_THRESHOLDS, RUN_THRESHOLDS};

/// The current run for run threshold `t` (0 for a threshold the catalogue has not).
fn run(runs: &[usize], t: u32) -> usize {
    RUN_THRESHOLDS
        .iter()
        .position(|&x| x == t)
        .map_or(0, |i| runs[i])
}

/// Whether a round ≥ `big` was among the last `k`.
fn big_within(s: &RoundState, big: u32, k: u16) -> bool {
    BIG_THRESHOLDS
        .iter()
        .position(|&x| x == big)
        .and_then(|i| s.since_big[i])
        .is_some_and(|gap| gap < usize::from(k))
}

/// The last `k` rounds, when there were `k`.
fn tail(s: &RoundState, k: usize) -> Option<Vec<f64>> {
    let n = s.recent.len();
    (n >= k).then(|| s.recent.iter().skip(n - k).copied().collect())
}

/// How many of the last `k` rounds were below `t` (hundredths), when there were `k`.
fn below(s: &RoundState, t: u32, k: u16) -> Option<usize> {
    let limit = f64::from(t) / 100.0;
    tail(s, usize::from(k)).map(|w| w.iter().filter(|&&v| v < limit).count())
}

/// A level rule's statistic of a window of rounds.
type Statistic = fn(&[f64]) -> f64;

impl Catalogue {
    /// Whether `condition` applies to the round after `s`'s rounds.
    pub fn holds(&self, condition: &Condition, s: &RoundState) -> bool {
        match *condition {
            Condition::RunBelow { t, k } => run(&s.run_below, t) >= usize::from(k),
            Condition::RunAtLeast { t, k } => run(&s.run_at_least, t) >= usize::from(k),
            Condition::BigAmongLast { big, k } => big_within(s, big, k),
            Condition::NoBigInLast { big, k } => !big_within(s, big, k) && s.n >= usize::from(k),
            Condition::Position { period, residue } => {
                s.n % usize::from(period) == usize::from(residue)
            }
            Condition::After { cat } => s.prev_cat[1] == Some(cat),
            Condition::AfterPair { first, second } => s.prev_cat == [Some(first), Some(second)],
            Condition::Level { stat, k, bin } => self.level_holds(stat, usize::from(k), bin, s),
            Condition::AtLeastBelow { t, k, m } => {
                below(s, t, k).is_some_and(|b| b >= usize::from(m))
            }
            Condition::AtMostBelow { t, k, m } => {
                below(s, t, k).is_some_and(|b| b <= usize::from(m))
            }
            Condition::TwoRounds {
                a,
                older_at_least,
                b,
                last_at_least,
            } => s
                .last_two()
                .is_some_and(|two| super::pairs::holds(two, a, older_at_least, b, last_at_least)),
            Condition::HourOfDay { from, hours } => s
                .clock_now()
                .is_some_and(|c| ClockWindow::Hours { from, hours }.holds(c)),
            Condition::SessionMinutes { from, to } => s
                .clock_now()
                .is_some_and(|c| ClockWindow::Minutes { from, to }.holds(c)),
        }
    }

    fn level_holds(&self, stat: LevelStat, k: usize, bin: u8, s: &RoundState) -> bool {
        let (windows, edges, f): (&[usize], _, Statistic) = match stat {
            LevelStat::Mean => (&LEVEL_WINDOWS, &self.bins.mean, mean),
            LevelStat::Median => (&LEVEL_WINDOWS, &self.bins.median, median),
            LevelStat::ShareAtLeast2 => (&SHARE_WINDOWS, &self.bins.share, share_at_least_2),
        };
        let (Some(wi), Some(band)) = (
            windows.iter().position(|&w| w == k),
            LEVEL_BANDS.get(usize::from(bin)),
        ) else {
            return false;
        };
        tail(s, k).is_some_and(|w| in_band(f(&w), *band, &edges[wi]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;
    use crate::values::Multiplier;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Every condition of the catalogue, after every prefix of a random history
        /// (fair rounds with long low runs and big rounds mixed in): `holds` says what
        /// `applicable` lists.
        #[test]
        fn holds_agrees_with_the_catalogue_on_every_condition(
            seed in 0u64..1_000_000,
            n in 0usize..260,
            lows in proptest::collection::vec(0usize..260, 0..4),
        ) {
            let catalogue = Catalogue::new(0.03);
            let mut rounds = FairGenerator { seed, house_edge: 0.03 }.generate(n);
            for at in lows {
                // A spell of instant crashes: long runs and cold counts.
                for i in at..(at + 9).min(rounds.len()) {
                    rounds[i] = Multiplier(100);
                }
            }
            // Rounds 40 s to 5 min apart with a break of up to 3 h now and then: every
            // hour, session cell and break is met.
            let mut at = 1_767_225_600_000i64 + (seed as i64 % 86_400) * 1000;
            let times = (0..=rounds.len()).map(|i| {
                let h = (seed as i64).wrapping_mul(7919) + i as i64 * 104_729;
                at += if h % 23 == 0 { 1_900_000 + h % 9_000_000 } else { 40_000 + h % 260_000 };
                (i, at)
            });
            let clock = std::sync::Arc::new(super::super::clock::Clock::new(times.collect::<Vec<_>>()));
            let mut state = RoundState::default().with_clock(Some(clock));
            let mut listed = Vec::new();
            for i in 0..=rounds.len() {
                if i % 7 == 0 || i + 3 > rounds.len() {
                    catalogue.applicable(&state, &mut listed);
                    for (id, c) in catalogue.conditions.iter().enumerate() {
                        prop_assert_eq!(
                            catalogue.holds(c, &state),
                            listed.contains(&id),
                            "{} after {} rounds", c.describe(), i
                        );
                    }
                }
                if let Some(m) = rounds.get(i) {
                    state.push(*m);
                }
            }
        }
    }
}
