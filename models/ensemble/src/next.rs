//! The feature row of the next, unplayed round, from a short tail of the history (fast
//! enough for one prediction per round), bit-identical to the last row of
//! [`models::features::compute_with_next`] on the whole history.

use models::features;
use models::values::Multiplier;

/// Longest window of the feature list, plus one.
const TAIL: usize = 501;

/// Where the tail must start so that every feature equals the full-history one: at least
/// the last 501 rounds (windows), back to the last round ≥ 100x (so every `since_*` is
/// found inside the tail), and back to the starts of the current streaks. With no round
/// ≥ 100x at all, the whole history (`since_ge_100` counts all past rounds).
pub fn tail_start(rounds: &[Multiplier]) -> usize {
    let n = rounds.len();
    let mut start = n.saturating_sub(TAIL);
    let last_big = rounds.iter().rposition(|m| m.0 >= 10_000);
    match last_big {
        Some(i) => start = start.min(i),
        None => return 0,
    }
    for cut in [150u32, 200] {
        if let Some(last) = rounds.last() {
            let side = last.0 >= cut;
            let streak_start = rounds
                .iter()
                .rposition(|m| (m.0 >= cut) != side)
                .map_or(0, |i| i + 1);
            // One more round before the streak, so the streak is seen as bounded.
            start = start.min(streak_start.saturating_sub(1));
        }
    }
    start
}

/// The feature row for predicting round `rounds.len()`.
pub fn next_row(rounds: &[Multiplier]) -> Vec<f64> {
    let s = tail_start(rounds);
    let m = features::compute_with_next(&rounds[s..]);
    m.row(m.n_rows - 1).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::generator::FairGenerator;

    #[test]
    fn tail_row_equals_full_row() {
        let rounds = FairGenerator {
            seed: 31,
            house_edge: 0.03,
        }
        .generate(4000);
        for n in [0usize, 1, 5, 300, 700, 1500, 2999, 4000] {
            let full = features::compute_with_next(&rounds[..n]);
            let want = full.row(n).to_vec();
            assert_eq!(next_row(&rounds[..n]), want, "n = {n}");
        }
        // A history without any round ≥ 100x uses everything.
        let small: Vec<Multiplier> = rounds.iter().map(|m| Multiplier(m.0.min(9000))).collect();
        assert_eq!(tail_start(&small), 0);
    }
}
