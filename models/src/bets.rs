//! The bet ledger: real bets the player records as they play, settled against the
//! recorded round, and their sum per session, day, week and month next to what the fair
//! law expects for the same stakes (−h × turnover, with its 95% range).
//!
//! A bet either names its cash-out target before the round (won when the crash reaches
//! it) or records where the player cashed out by hand ("cashed out at y", which must not be
//! above the crash). Under the fair law both lose h of the stake on average: for any
//! cash-out rule, P(X ≥ y) · y = 1 − h.

use crate::summary::{fair_survival, Z_95};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// How the player meant to leave the round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "at")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Exit {
    /// An automatic cash-out target set before the round.
    Target(f64),
    /// A manual cash-out at this multiplier (it did not crash before).
    CashedOut(f64),
    /// A manual bet that crashed before the player cashed out: the stake is lost.
    Lost,
}

/// Why a bet cannot be recorded as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum BetError {
    #[error("stake must be a positive amount (got {0})")]
    Stake(f64),
    #[error("cash-out {0} is outside 1.01x–1,000,000x")]
    Cashout(f64),
    #[error("cashed out at {cashed:.2}x, but the round crashed at {crash}: a manual cash-out cannot be above the crash")]
    AboveCrash { cashed: f64, crash: Multiplier },
}

/// A bet as settled against its round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settled {
    pub stake: f64,
    pub exit: Exit,
    pub crash: Multiplier,
    pub won: bool,
    /// Net result: stake × (cash-out − 1) when won, −stake when lost.
    pub profit: f64,
    /// What the fair law expects of this bet: −h × stake.
    pub expected: f64,
    /// Its variance under the fair law (as a fixed-target bet at the cash-out reached or
    /// aimed for).
    pub variance: f64,
}

/// Checks a bet's stake and exit before it is stored.
pub fn check_bet(stake: f64, exit: Exit) -> Result<(), BetError> {
    if !(stake.is_finite() && stake > 0.0 && stake <= 1e12) {
        return Err(BetError::Stake(stake));
    }
    match exit {
        Exit::Target(c) | Exit::CashedOut(c) if crate::bet::check_cashout(c).is_err() => {
            Err(BetError::Cashout(c))
        }
        _ => Ok(()),
    }
}

/// Settles a bet of `stake` with `exit` on a round that crashed at `crash`.
pub fn settle(
    stake: f64,
    exit: Exit,
    crash: Multiplier,
    house_edge: f64,
) -> Result<Settled, BetError> {
    check_bet(stake, exit)?;
    // The game pays in hundredths, like the strategy engine.
    let hundredths = |c: f64| (c * 100.0).round() as u32;
    let (won, cashout) = match exit {
        Exit::Target(c) => (crash.0 >= hundredths(c), c),
        Exit::CashedOut(c) => {
            if hundredths(c) > crash.0 {
                return Err(BetError::AboveCrash { cashed: c, crash });
            }
            (true, c)
        }
        // A manual bet the round crashed under: its mean under the fair law is still
        // −h × stake (whatever the player's exit rule was); its variance is taken as a
        // 2x bet's, since the intended exit is unknown.
        Exit::Lost => (false, 2.0),
    };
    let cashout = (cashout * 100.0).round() / 100.0;
    let p = fair_survival(cashout, house_edge);
    Ok(Settled {
        stake,
        exit,
        crash,
        won,
        profit: if won { stake * (cashout - 1.0) } else { -stake },
        expected: stake * (p * cashout - 1.0),
        variance: stake * stake * cashout * cashout * p * (1.0 - p),
    })
}

/// A bet with the time it was placed (seconds since the Unix epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimedBet {
    pub at: i64,
    pub bet: Settled,
}

/// The sum of some bets next to the fair law's expectation for them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Position {
    pub bets: usize,
    pub wins: usize,
    pub turnover: f64,
    pub net: f64,
    /// −h × turnover (per bet, at its own cash-out).
    pub expected: f64,
    /// The 95% range of the net result under the fair law: expected ± 1.96 sd.
    pub expected_low: f64,
    pub expected_high: f64,
}

impl Position {
    pub fn of<'a>(bets: impl IntoIterator<Item = &'a Settled>) -> Self {
        let mut p = Position::default();
        let mut var = 0.0;
        for b in bets {
            p.bets += 1;
            p.wins += usize::from(b.won);
            p.turnover += b.stake;
            p.net += b.profit;
            p.expected += b.expected;
            var += b.variance;
        }
        let half = Z_95 * var.sqrt();
        p.expected_low = p.expected - half;
        p.expected_high = p.expected + half;
        p
    }

    /// True when the net result lies outside the fair law's 95% range (luck, a mistake in
    /// the records, or a game that is not fair).
    pub fn outside_fair_range(&self) -> bool {
        self.bets > 0 && (self.net < self.expected_low || self.net > self.expected_high)
    }
}

/// Where the bets of one period start (Unix seconds), for the player's clock `offset_s`
/// east of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodStarts {
    pub session: i64,
    pub day: i64,
    pub week: i64,
    pub month: i64,
}

/// Days since 1970-01-01 to a civil date (proleptic Gregorian), after Howard Hinnant's
/// `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The inverse: a civil date to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The starts of the current session (the run of activity — rounds recorded and bets —
/// with no gap over [`crate::sessions::SESSION_GAP_S`] that is still open at `now`, or now when there is
/// none), day, week (Monday) and month at `now`, on the player's clock.
pub fn period_starts(now: i64, offset_s: i64, activity: &[i64]) -> PeriodStarts {
    let local = now + offset_s;
    let day = local.div_euclid(86_400);
    // 1970-01-01 was a Thursday: Monday is 3 days before.
    let weekday = (day + 3).rem_euclid(7);
    let (y, m, _) = civil_from_days(day);
    let to_utc = |local_day: i64| local_day * 86_400 - offset_s;
    PeriodStarts {
        session: crate::sessions::current_session(activity, now).map_or(now, |(start, _)| start),
        day: to_utc(day),
        week: to_utc(day - weekday),
        month: to_utc(days_from_civil(y, m, 1)),
    }
}

/// The net position of the session, day, week and month at `now`, and of every bet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BetsSummary {
    pub starts: PeriodStarts,
    pub session: Position,
    pub day: Position,
    pub week: Position,
    pub month: Position,
    pub all: Position,
}

/// The positions at `now`; `activity` holds the times of the rounds recorded live (the
/// bets' own times are added here), which open and extend sessions.
pub fn summarize(bets: &[TimedBet], activity: &[i64], now: i64, offset_s: i64) -> BetsSummary {
    let times = activity_with_bets(bets, activity);
    let starts = period_starts(now, offset_s, &times);
    let since = |t: i64| {
        Position::of(
            bets.iter()
                .filter(|b| b.at >= t && b.at <= now)
                .map(|b| &b.bet),
        )
    };
    BetsSummary {
        starts,
        session: since(starts.session),
        day: since(starts.day),
        week: since(starts.week),
        month: since(starts.month),
        all: Position::of(bets.iter().map(|b| &b.bet)),
    }
}

/// The times of `activity` and of the bets, together.
pub fn activity_with_bets(bets: &[TimedBet], activity: &[i64]) -> Vec<i64> {
    let mut times: Vec<i64> = activity
        .iter()
        .copied()
        .chain(bets.iter().map(|b| b.at))
        .collect();
    times.sort_unstable();
    times
}

/// The ledger as CSV: one line per bet, times in UTC (RFC 3339).
pub fn to_csv(bets: &[TimedBet]) -> String {
    let mut out = String::from("placed_at_utc,stake,exit,cashout,crash,won,profit,fair_expected\n");
    for b in bets {
        let (kind, at) = match b.bet.exit {
            Exit::Target(c) => ("target", format!("{c:.2}")),
            Exit::CashedOut(c) => ("cashed_out", format!("{c:.2}")),
            Exit::Lost => ("lost", String::new()),
        };
        out.push_str(&format!(
            "{},{},{kind},{at},{},{},{:.2},{:.4}\n",
            rfc3339(b.at),
            b.bet.stake,
            b.bet.crash,
            b.bet.won,
            b.bet.profit,
            b.bet.expected
        ));
    }
    out
}

/// `2026-12-02T14:05:09Z` for Unix seconds.
pub fn rfc3339(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: f64 = 0.03;

    #[test]
    fn targets_win_at_or_above_and_manual_cash_outs_cannot_exceed_the_crash() {
        let s = settle(10.0, Exit::Target(2.0), Multiplier(200), H).unwrap();
        assert!(s.won && (s.profit - 10.0).abs() < 1e-12);
        let s = settle(10.0, Exit::Target(2.0), Multiplier(199), H).unwrap();
        assert!(!s.won && s.profit == -10.0);
        let s = settle(4.0, Exit::CashedOut(1.5), Multiplier(300), H).unwrap();
        assert!(s.won && (s.profit - 2.0).abs() < 1e-12);
        assert!(matches!(
            settle(4.0, Exit::CashedOut(3.5), Multiplier(300), H),
            Err(BetError::AboveCrash { .. })
        ));
        assert_eq!(
            settle(4.0, Exit::Lost, Multiplier(5000), H).unwrap().profit,
            -4.0
        );
        assert!(settle(0.0, Exit::Target(2.0), Multiplier(300), H).is_err());
        assert!(settle(f64::NAN, Exit::Target(2.0), Multiplier(300), H).is_err());
        assert!(settle(1.0, Exit::Target(1.0), Multiplier(300), H).is_err());
    }

    #[test]
    fn every_bet_expects_to_lose_the_house_edge_of_its_stake() {
        for c in [1.01, 1.5, 2.0, 10.0, 1000.0] {
            let s = settle(5.0, Exit::Target(c), Multiplier(100), H).unwrap();
            assert!((s.expected + H * 5.0).abs() < 1e-9, "{c}: {}", s.expected);
            // Variance of a stake-5 bet at c: 25 c² p (1 − p), p = 0.97 / c.
            let p = 0.97 / c;
            assert!((s.variance - 25.0 * c * c * p * (1.0 - p)).abs() < 1e-9);
        }
    }

    #[test]
    fn calendar_arithmetic_matches_known_dates() {
        // 2026-12-02 is a Wednesday; 1,796,169,600 s is 2026-12-02T00:00:00Z.
        assert_eq!(days_from_civil(2026, 12, 2), 1_796_169_600 / 86_400);
        assert_eq!(civil_from_days(1_796_169_600 / 86_400), (2026, 12, 2));
        assert_eq!(rfc3339(1_796_223_909), "2026-12-02T15:05:09Z");
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        let now = 1_796_223_909;
        let p = period_starts(now, 0, &[]);
        assert_eq!(p.day, 1_796_169_600);
        assert_eq!(p.week, 1_796_169_600 - 2 * 86_400); // Monday 2026-11-30
        assert_eq!(rfc3339(p.month), "2026-12-01T00:00:00Z");
        assert_eq!(p.session, now);
        // Two hours east of UTC, 23:30 UTC is already the next day.
        let late = 1_796_169_600 + 23 * 3600 + 1800;
        assert_eq!(
            period_starts(late, 7200, &[]).day,
            1_796_169_600 + 86_400 - 7200
        );
    }

    #[test]
    fn a_session_is_the_run_of_bets_without_a_long_gap() {
        let now = 10_000_000;
        let times = [now - 9_000, now - 3_000, now - 2_000, now - 1_000];
        // 9,000 → 3,000 is a 100-minute gap: the session starts at now − 3,000.
        assert_eq!(period_starts(now, 0, &times).session, now - 3_000);
        // An hour after the last bet a new session starts now.
        assert_eq!(period_starts(now + 3_600, 0, &times).session, now + 3_600);
    }

    #[test]
    fn the_summary_adds_up_and_flags_results_outside_the_fair_range() {
        let now = 1_796_223_909;
        let bet = |at: i64, crash: u32| TimedBet {
            at,
            bet: settle(1.0, Exit::Target(2.0), Multiplier(crash), H).unwrap(),
        };
        let bets = vec![
            bet(now - 40 * 86_400, 100), // October
            bet(now - 3 * 86_400, 300),  // Sunday 29 November: last week
            bet(now - 86_400, 300),      // Tuesday 1 December: this week, not today
            bet(now - 600, 100),
            bet(now - 300, 250),
            bet(now - 60, 120),
        ];
        let s = summarize(&bets, &[], now, 0);
        assert_eq!(
            (
                s.all.bets,
                s.month.bets,
                s.week.bets,
                s.day.bets,
                s.session.bets
            ),
            (6, 4, 4, 3, 3)
        );
        assert!((s.session.net - -1.0).abs() < 1e-12);
        assert!((s.session.expected + 0.09).abs() < 1e-12);
        assert!(!s.session.outside_fair_range());
        let forty_losses: Vec<TimedBet> = (0..40).map(|i| bet(now - 40 + i, 100)).collect();
        assert!(summarize(&forty_losses, &[], now, 0)
            .session
            .outside_fair_range());
        let csv = to_csv(&bets[..1]);
        assert_eq!(csv.lines().count(), 2);
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .ends_with(",target,2.00,1.00,false,-1.00,-0.0300"),
            "{csv}"
        );
    }
}
