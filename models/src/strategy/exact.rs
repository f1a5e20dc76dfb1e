//! Closed forms and exact computations the simulation is checked against.

/// Mean and variance of flat betting's net result over `bets` bets of `stake` at `cashout`
/// under the fair law with house edge `h` (no ruin): each bet wins s·(c−1) with
/// p = (1−h)/c and loses s otherwise, so its mean is −h·s and its variance s²·c²·p(1−p).
pub fn flat_moments(stake: f64, cashout: f64, house_edge: f64, bets: usize) -> (f64, f64) {
    let p = crate::summary::fair_survival(cashout, house_edge);
    let n = bets as f64;
    (
        n * stake * (p * cashout - 1.0),
        n * stake * stake * cashout * cashout * p * (1.0 - p),
    )
}

/// Exact ruin probability and mean final bankroll of a martingale at 2x over `rounds`
/// rounds, by dynamic programming over (bankroll, losses in a row).
///
/// Base stake 1, bankroll `bankroll` (whole units), stake `multiplier`^k after k losses in
/// a row (back to 1 after a win or after `reset_after` losses; 0 = never), a stake larger
/// than the bankroll cut to the bankroll, ruin at bankroll 0. This is the engine's rule set
/// with a minimum bet of at most 1.
pub fn martingale_ruin(
    bankroll: u32,
    multiplier: u32,
    reset_after: u32,
    house_edge: f64,
    rounds: usize,
) -> (f64, f64) {
    let p = crate::summary::fair_survival(2.0, house_edge);
    // Beyond this many losses the stake exceeds any reachable bankroll: all-in either way.
    let levels = if reset_after > 0 {
        reset_after as usize
    } else {
        64
    };
    let top = bankroll as usize + rounds + 1;
    let stake_at = |k: usize, b: usize| -> usize {
        let mut s: u128 = 1;
        for _ in 0..k {
            s = s.saturating_mul(u128::from(multiplier));
        }
        (s.min(b as u128)) as usize
    };
    let mut dist = vec![0.0f64; top * levels];
    dist[bankroll as usize * levels] = 1.0;
    let mut ruined = 0.0;
    for _ in 0..rounds {
        let mut next = vec![0.0f64; top * levels];
        for b in 1..top {
            for k in 0..levels {
                let q = dist[b * levels + k];
                if q == 0.0 {
                    continue;
                }
                let s = stake_at(k, b);
                next[(b + s) * levels] += q * p;
                let lost = b - s;
                if lost == 0 {
                    ruined += q * (1.0 - p);
                } else {
                    let k2 = match reset_after {
                        0 => (k + 1).min(levels - 1),
                        n if k + 1 >= n as usize => 0,
                        _ => k + 1,
                    };
                    next[lost * levels + k2] += q * (1.0 - p);
                }
            }
        }
        dist = next;
    }
    let mean: f64 = (0..top)
        .map(|b| b as f64 * dist[b * levels..(b + 1) * levels].iter().sum::<f64>())
        .sum();
    (ruined, mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_moments_by_hand() {
        // One bet of 1 at 2x, h = 0.03: p = 0.485, mean −0.03, var 4·0.485·0.515.
        let (m, v) = flat_moments(1.0, 2.0, 0.03, 1);
        assert!((m + 0.03).abs() < 1e-12);
        assert!((v - 4.0 * 0.485 * 0.515).abs() < 1e-12);
    }

    #[test]
    fn martingale_with_bankroll_one_is_ruined_by_its_first_loss() {
        // Bankroll 1: the first bet is all-in, a loss is ruin; one round: P = 1 − p.
        let (r, mean) = martingale_ruin(1, 2, 0, 0.03, 1);
        assert!((r - 0.515).abs() < 1e-12);
        assert!((mean - 2.0 * 0.485).abs() < 1e-12);
        // Bankroll 3, stakes 1, 2: ruin only by losing both: 0.515².
        let (r, _) = martingale_ruin(3, 2, 0, 0.03, 2);
        assert!((r - 0.515 * 0.515).abs() < 1e-12);
    }

    #[test]
    fn the_mean_final_bankroll_loses_the_house_edge_of_the_turnover() {
        // Fair game (h = 0): the bankroll is a martingale, the mean stays put exactly.
        let (_, mean) = martingale_ruin(20, 2, 4, 0.0, 200);
        assert!((mean - 20.0).abs() < 1e-9, "{mean}");
    }
}
