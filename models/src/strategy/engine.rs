//! One path of a staking plan: the table's rules (minimum bet, stake limit, the bankroll
//! as the most one can stake), the player's limits (stop-loss, take-profit, most bets) and
//! the settlement of each round.

pub use super::plan::Signal;
use super::plan::{Base, Bet, Bets, Outcome, PlanError, Staker, View};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// The player's money and limits for one session.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub bankroll: f64,
    /// The table's smallest bet: smaller stakes are raised to it, and a bankroll below it is
    /// ruin.
    pub min_bet: f64,
    /// Largest single stake (the table's or the player's); larger stakes are cut to it.
    pub max_stake: Option<f64>,
    /// Stop once the session has lost this much.
    pub stop_loss: Option<f64>,
    /// Stop once the session has won this much (the "target").
    pub take_profit: Option<f64>,
    /// Stop after this many bets.
    pub max_bets: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            bankroll: 100.0,
            min_bet: 0.1,
            max_stake: None,
            stop_loss: None,
            take_profit: None,
            max_bets: None,
        }
    }
}

/// Why a path ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// Every round of the horizon (or of the history) was played.
    Horizon,
    /// The bankroll fell below the minimum bet.
    Ruin,
    StopLoss,
    TakeProfit,
    MaxBets,
    /// The plan ended the session itself (a script's `stop()`).
    Stopped,
}

/// The result of one path.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PathSummary {
    pub final_bankroll: f64,
    pub end: End,
    pub rounds_played: usize,
    pub bets: usize,
    pub wins: usize,
    /// Sum of all stakes.
    pub turnover: f64,
    /// Expected net result of the bets placed under the fair law: −h × turnover.
    pub fair_expected: f64,
    /// Variance of the net result under the fair law given these stakes:
    /// Σ s²·c²·p(1−p) with p = (1−h)/c.
    pub fair_variance: f64,
    /// Largest fall from a running peak of the bankroll.
    pub max_drawdown: f64,
    pub longest_losing_streak: usize,
    pub largest_stake: f64,
}

impl PathSummary {
    /// A path that has not played yet.
    pub const fn untouched(bankroll: f64) -> Self {
        Self {
            final_bankroll: bankroll,
            end: End::Horizon,
            rounds_played: 0,
            bets: 0,
            wins: 0,
            turnover: 0.0,
            fair_expected: 0.0,
            fair_variance: 0.0,
            max_drawdown: 0.0,
            longest_losing_streak: 0,
            largest_stake: 0.0,
        }
    }
}

/// A bet's cash-out as the game takes it (hundredths, within the playable range), with
/// what the settlement needs of it; the last one is kept, since most plans repeat it.
#[derive(Clone, Copy)]
struct Target {
    asked: f64,
    cashout: f64,
    hundredths: u32,
    fair_p: f64,
}

impl Target {
    fn new(asked: f64, house_edge: f64) -> Self {
        let cashout = ((asked * 100.0).round() / 100.0).clamp(1.01, 1_000_000.0);
        Self {
            asked,
            cashout,
            hundredths: (cashout * 100.0).round() as u32,
            fair_p: crate::summary::fair_survival(cashout, house_edge),
        }
    }
}

/// Applies the table's rules to the plan's wishes: stakes that are not positive numbers are
/// no bet, the stake limit and the minimum bet apply, and together the bets never exceed
/// the bankroll (the second is cut first).
#[inline]
fn placeable(
    wish: Bets,
    limits: &Limits,
    bankroll: f64,
    targets: &mut [Target; 2],
    house_edge: f64,
) -> Bets {
    let mut left = bankroll;
    let mut out: Bets = [None, None];
    for k in 0..2 {
        let Some(b) = wish[k] else { continue };
        // `> 0.0` is false for NaN too.
        if b.stake.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !b.cashout.is_finite()
        {
            continue;
        }
        let mut stake = b.stake;
        if let Some(m) = limits.max_stake {
            stake = stake.min(m);
        }
        stake = stake.max(limits.min_bet).min(left);
        if stake < limits.min_bet {
            continue;
        }
        left -= stake;
        if targets[k].asked != b.cashout {
            targets[k] = Target::new(b.cashout, house_edge);
        }
        out[k] = Some(Bet {
            stake,
            cashout: targets[k].cashout,
        });
    }
    out
}

/// Plays `staker` over rounds drawn by `next_round(i)` (the crash of round i and the signal
/// known before it) for at most `rounds` rounds; `trace[k]` receives the bankroll after
/// `checkpoints[k]` rounds (the final bankroll once the path has ended).
#[allow(clippy::too_many_arguments)]
pub fn run_path(
    staker: &mut dyn Staker,
    base: &Base,
    limits: &Limits,
    rounds: usize,
    mut next_round: impl FnMut(usize) -> (Multiplier, Option<Signal>),
    checkpoints: &[usize],
    trace: &mut [f64],
) -> Result<PathSummary, (usize, PlanError)> {
    let start = limits.bankroll;
    let h = base.house_edge;
    let mut bankroll = start;
    let mut peak = start;
    let mut s = PathSummary::untouched(start);
    let mut losing = 0usize;
    let mut targets = [Target::new(base.cashout, h); 2];
    let mut cp = 0usize;
    let mut end = None;
    if bankroll < limits.min_bet {
        end = Some(End::Ruin);
    }
    for i in 0..rounds {
        while cp < checkpoints.len() && checkpoints[cp] <= i {
            trace[cp] = bankroll;
            cp += 1;
        }
        if end.is_some() {
            break;
        }
        let (crash, signal) = next_round(i);
        let view = View {
            round: i,
            bankroll,
            net: bankroll - start,
            signal,
        };
        let wish = staker.bets(&view).map_err(|e| (i, e))?;
        let bets = placeable(wish, limits, bankroll, &mut targets, h);
        let (won, profit) = settle_bets(&bets, &targets, crash, &mut s);
        bankroll += profit;
        s.rounds_played = i + 1;
        if bets.iter().any(Option::is_some) {
            if profit < 0.0 {
                losing += 1;
                s.longest_losing_streak = s.longest_losing_streak.max(losing);
            } else {
                losing = 0;
            }
        }
        peak = peak.max(bankroll);
        s.max_drawdown = s.max_drawdown.max(peak - bankroll);
        staker.settle(&Outcome {
            crash: crash.as_f64(),
            bets,
            won,
            profit,
            bankroll,
        });
        end = session_end(limits, bankroll, bankroll - start, s.bets, &*staker);
    }
    let from = cp.min(trace.len());
    for slot in &mut trace[from..] {
        *slot = bankroll;
    }
    s.final_bankroll = bankroll;
    s.end = end.unwrap_or(End::Horizon);
    Ok(s)
}

/// Settles the placed `bets` against `crash`: which of them won and the round's profit;
/// each bet's stake, fair-law moments and result are added to `s`.
fn settle_bets(
    bets: &Bets,
    targets: &[Target; 2],
    crash: Multiplier,
    s: &mut PathSummary,
) -> ([bool; 2], f64) {
    let mut won = [false; 2];
    let mut profit = 0.0;
    for (k, b) in bets.iter().enumerate() {
        let Some(b) = b else { continue };
        won[k] = crash.0 >= targets[k].hundredths;
        profit += if won[k] {
            b.stake * (b.cashout - 1.0)
        } else {
            -b.stake
        };
        let p = targets[k].fair_p;
        s.turnover += b.stake;
        s.fair_expected += b.stake * (p * b.cashout - 1.0);
        s.fair_variance += b.stake * b.stake * b.cashout * b.cashout * p * (1.0 - p);
        s.largest_stake = s.largest_stake.max(b.stake);
        s.bets += 1;
        s.wins += usize::from(won[k]);
    }
    (won, profit)
}

/// Why the session ends after a round with `bankroll` (`net` won so far) and `bets` placed,
/// if it does: ruin first, then the player's limits, then the plan's own stop.
fn session_end(
    limits: &Limits,
    bankroll: f64,
    net: f64,
    bets: usize,
    staker: &dyn Staker,
) -> Option<End> {
    if bankroll < limits.min_bet {
        Some(End::Ruin)
    } else if limits.take_profit.is_some_and(|t| net >= t) {
        Some(End::TakeProfit)
    } else if limits.stop_loss.is_some_and(|l| net <= -l) {
        Some(End::StopLoss)
    } else if limits.max_bets.is_some_and(|m| bets >= m) {
        Some(End::MaxBets)
    } else if staker.stopped() {
        Some(End::Stopped)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Strategy;

    fn base() -> Base {
        Base {
            stake: 1.0,
            cashout: 2.0,
            house_edge: 0.03,
        }
    }

    fn play(s: &Strategy, limits: Limits, crashes: &[u32]) -> (PathSummary, Vec<f64>) {
        let mut st = s.start(base(), limits.bankroll);
        let cps: Vec<usize> = (0..=crashes.len()).collect();
        let mut trace = vec![f64::NAN; cps.len()];
        let r = run_path(
            st.as_mut(),
            &base(),
            &limits,
            crashes.len(),
            |i| (Multiplier(crashes[i]), None),
            &cps,
            &mut trace,
        )
        .unwrap();
        (r, trace)
    }

    #[test]
    fn flat_settles_each_round_and_traces_the_bankroll() {
        let (r, trace) = play(&Strategy::Flat, Limits::default(), &[250, 100, 200, 199]);
        // +1, −1, +1 (2.00 reaches 2x), −1.
        assert_eq!(trace, [100.0, 101.0, 100.0, 101.0, 100.0]);
        assert_eq!((r.bets, r.wins, r.end), (4, 2, End::Horizon));
        assert_eq!(r.turnover, 4.0);
        assert!((r.fair_expected + 0.12).abs() < 1e-12);
        assert_eq!(r.max_drawdown, 1.0);
        assert_eq!(r.longest_losing_streak, 1);
    }

    #[test]
    fn martingale_goes_all_in_and_is_ruined() {
        let limits = Limits {
            bankroll: 10.0,
            ..Limits::default()
        };
        let m = Strategy::default_for("martingale").unwrap();
        // Stakes 1, 2, 4 lose (bankroll 3), then the 8 is cut to the 3 left: ruin.
        let (r, trace) = play(&m, limits, &[100, 100, 100, 100, 500]);
        assert_eq!(r.end, End::Ruin);
        assert_eq!(r.final_bankroll, 0.0);
        assert_eq!(r.rounds_played, 4);
        assert_eq!(r.largest_stake, 4.0);
        assert_eq!(trace, [10.0, 9.0, 7.0, 3.0, 0.0, 0.0]);
        assert_eq!(r.longest_losing_streak, 4);
    }

    #[test]
    fn limits_stop_the_session() {
        let tp = Limits {
            take_profit: Some(2.0),
            ..Limits::default()
        };
        let (r, _) = play(&Strategy::Flat, tp, &[300, 300, 300, 300]);
        assert_eq!(
            (r.end, r.bets, r.final_bankroll),
            (End::TakeProfit, 2, 102.0)
        );
        let sl = Limits {
            stop_loss: Some(2.0),
            ..Limits::default()
        };
        let (r, _) = play(&Strategy::Flat, sl, &[100, 100, 100, 100]);
        assert_eq!((r.end, r.bets), (End::StopLoss, 2));
        let mb = Limits {
            max_bets: Some(3),
            max_stake: Some(1.5),
            ..Limits::default()
        };
        let m = Strategy::default_for("martingale").unwrap();
        let (r, _) = play(&m, mb, &[100, 100, 100, 100]);
        assert_eq!((r.end, r.bets, r.largest_stake), (End::MaxBets, 3, 1.5));
    }

    #[test]
    fn bets_never_exceed_the_bankroll_and_bad_stakes_are_no_bet() {
        let l = Limits {
            bankroll: 5.0,
            ..Limits::default()
        };
        let wish = [
            Some(Bet {
                stake: 4.0,
                cashout: 2.0,
            }),
            Some(Bet {
                stake: 4.0,
                cashout: 3.333,
            }),
        ];
        let mut t = [Target::new(2.0, 0.03); 2];
        let b = placeable(wish, &l, 5.0, &mut t, 0.03);
        assert_eq!(b[0].unwrap().stake, 4.0);
        assert_eq!(b[1].unwrap().stake, 1.0);
        assert_eq!(b[1].unwrap().cashout, 3.33);
        let nan = [
            Some(Bet {
                stake: f64::NAN,
                cashout: 2.0,
            }),
            Some(Bet {
                stake: -1.0,
                cashout: 2.0,
            }),
        ];
        assert_eq!(placeable(nan, &l, 5.0, &mut t, 0.03), [None, None]);
        let tiny = [
            Some(Bet {
                stake: 0.01,
                cashout: 2.0,
            }),
            None,
        ];
        assert_eq!(
            placeable(tiny, &l, 5.0, &mut t, 0.03)[0].unwrap().stake,
            0.1
        );
    }
}
