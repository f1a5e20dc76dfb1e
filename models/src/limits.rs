//! Responsible play, after the UK Gambling Commission's remote technical standards 12–14:
//! loss, stake and time limits per 24 hours, 7 days and 30 days that the player sets
//! (lowering one takes effect at once; raising or removing it only 24 hours later, so a
//! limit cannot be undone in the heat of a session), a cool-off the player cannot cut
//! short, and reality checks at an interval the player chooses.
//!
//! A limit the player reaches stops PLAY recommendations; it never stops the player
//! recording what really happened (the ledger must stay true).

use crate::bets::{rfc3339, TimedBet};
use crate::sessions::time_played;
use serde::{Deserialize, Serialize};

/// What a limit caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LimitKind {
    /// Net loss of the recorded bets (losses minus wins).
    Loss,
    /// Total staked.
    Stake,
    /// Minutes played: the sessions of recorded rounds and bets.
    Time,
}

/// The rolling window a limit counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LimitPeriod {
    Day,
    Week,
    Month,
}

impl LimitKind {
    pub const ALL: [LimitKind; 3] = [LimitKind::Loss, LimitKind::Stake, LimitKind::Time];

    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Loss => "loss",
            LimitKind::Stake => "stake",
            LimitKind::Time => "time",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How the player reads it: "loss limit", "time limit (minutes)".
    pub fn label(self) -> &'static str {
        match self {
            LimitKind::Loss => "loss limit",
            LimitKind::Stake => "stake limit",
            LimitKind::Time => "time limit (minutes)",
        }
    }

    /// An amount of this kind as the player reads it (time in whole minutes).
    pub fn format(self, amount: f64) -> String {
        match self {
            LimitKind::Time => format!("{} min", amount.floor()),
            _ => format!("{amount:.2}"),
        }
    }
}

impl LimitPeriod {
    pub const ALL: [LimitPeriod; 3] = [LimitPeriod::Day, LimitPeriod::Week, LimitPeriod::Month];

    pub fn as_str(self) -> &'static str {
        match self {
            LimitPeriod::Day => "day",
            LimitPeriod::Week => "week",
            LimitPeriod::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn seconds(self) -> i64 {
        match self {
            LimitPeriod::Day => 86_400,
            LimitPeriod::Week => 7 * 86_400,
            LimitPeriod::Month => 30 * 86_400,
        }
    }

    /// "24 hours", "7 days", "30 days": the windows roll, they do not start at midnight.
    pub fn label(self) -> &'static str {
        match self {
            LimitPeriod::Day => "24 hours",
            LimitPeriod::Week => "7 days",
            LimitPeriod::Month => "30 days",
        }
    }
}

/// Raising or removing a limit waits this long.
pub const RAISE_DELAY_S: i64 = 86_400;

/// Largest loss or stake limit accepted.
pub const MAX_AMOUNT: f64 = 1e12;

/// A change that waits for its time: a raise, or a removal (`amount: None`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pending {
    pub amount: Option<f64>,
    /// Unix seconds from which it applies.
    pub effective_at: i64,
}

/// One limit as set: its amount now (`None`: no limit) and a change waiting, if any.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limit {
    pub kind: LimitKind,
    pub period: LimitPeriod,
    pub amount: Option<f64>,
    pub pending: Option<Pending>,
}

/// Why a limit or setting was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum LimitError {
    #[error("a {kind} must be a positive amount up to {max} (got {got})")]
    Amount {
        kind: &'static str,
        got: f64,
        max: f64,
    },
    #[error("a reality check interval must be between {min} and {max} seconds (got {got})")]
    Interval { got: i64, min: i64, max: i64 },
    #[error("a cool-off lasts 24, 168 (7 days) or 720 (30 days) hours (got {0})")]
    CoolOff(i64),
}

/// The amount a limit of `kind` may have per `period` (a time limit cannot be longer
/// than its window).
fn max_amount(kind: LimitKind, period: LimitPeriod) -> f64 {
    match kind {
        LimitKind::Time => (period.seconds() / 60) as f64,
        _ => MAX_AMOUNT,
    }
}

/// Checks an amount asked for a limit.
pub fn check_amount(kind: LimitKind, period: LimitPeriod, amount: f64) -> Result<(), LimitError> {
    let max = max_amount(kind, period);
    if amount.is_finite() && amount > 0.0 && amount <= max {
        Ok(())
    } else {
        Err(LimitError::Amount {
            kind: kind.label(),
            got: amount,
            max,
        })
    }
}

/// True when `a` limits at least as tightly as `b` (`None` is no limit).
fn at_most(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(a), Some(b)) => a <= b,
    }
}

impl Limit {
    pub fn none(kind: LimitKind, period: LimitPeriod) -> Self {
        Self {
            kind,
            period,
            amount: None,
            pending: None,
        }
    }

    /// The limit at `now`: a pending change whose time has come replaces the amount.
    pub fn at(self, now: i64) -> Self {
        match self.pending {
            Some(p) if p.effective_at <= now => Self {
                amount: p.amount,
                pending: None,
                ..self
            },
            _ => self,
        }
    }

    /// The limit after the player asks for `amount` (`None` removes it) at `now`: a
    /// tighter limit (or the same one) applies at once and cancels a waiting raise; a
    /// looser one waits [`RAISE_DELAY_S`].
    pub fn request(self, amount: Option<f64>, now: i64) -> Result<Self, LimitError> {
        if let Some(a) = amount {
            check_amount(self.kind, self.period, a)?;
        }
        let current = self.at(now);
        Ok(if at_most(amount, current.amount) {
            Self {
                amount,
                pending: None,
                ..current
            }
        } else {
            Self {
                pending: Some(Pending {
                    amount,
                    effective_at: now + RAISE_DELAY_S,
                }),
                ..current
            }
        })
    }
}

/// How much of a limit of `kind` the last `period` used: net loss (never below 0), total
/// staked, or minutes played.
pub fn used(
    kind: LimitKind,
    period: LimitPeriod,
    bets: &[TimedBet],
    activity: &[i64],
    now: i64,
) -> f64 {
    let since = now - period.seconds();
    let in_window = bets.iter().filter(|b| b.at > since && b.at <= now);
    match kind {
        LimitKind::Loss => (-in_window.map(|b| b.bet.profit).sum::<f64>()).max(0.0),
        LimitKind::Stake => in_window.map(|b| b.bet.stake).sum(),
        LimitKind::Time => time_played(activity, since, now) as f64 / 60.0,
    }
}

/// A limit next to what the player has used of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitStatus {
    pub limit: Limit,
    pub used: f64,
    pub reached: bool,
}

impl LimitStatus {
    /// "loss limit per 24 hours: 52.30 used of 50.00".
    pub fn describe(&self) -> String {
        let k = self.limit.kind;
        let amount = self.limit.amount.map_or("none".into(), |a| k.format(a));
        format!(
            "{} per {}: {} used of {}",
            k.label(),
            self.limit.period.label(),
            k.format(self.used),
            amount
        )
    }
}

/// Every limit set (at `now`) with its use; limits never set are left out unless a change
/// is waiting for them.
pub fn statuses(
    limits: &[Limit],
    bets: &[TimedBet],
    activity: &[i64],
    now: i64,
) -> Vec<LimitStatus> {
    let mut out: Vec<LimitStatus> = limits
        .iter()
        .map(|l| l.at(now))
        .filter(|l| l.amount.is_some() || l.pending.is_some())
        .map(|limit| {
            let used = used(limit.kind, limit.period, bets, activity, now);
            LimitStatus {
                limit,
                used,
                reached: limit.amount.is_some_and(|a| used >= a),
            }
        })
        .collect();
    out.sort_by_key(|s| (s.limit.kind, s.limit.period));
    out
}

/// Whether PLAY may be recommended now, and if not, why, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlayGate {
    pub open: bool,
    pub reasons: Vec<String>,
    /// Unix seconds; the cool-off in force, if any.
    pub cool_off_until: Option<i64>,
}

impl PlayGate {
    /// The reasons in one sentence, for the PLAY/WAIT line.
    pub fn reason(&self) -> Option<String> {
        (!self.open).then(|| format!("PLAY is withheld: {}.", self.reasons.join("; ")))
    }
}

pub fn gate(statuses: &[LimitStatus], cool_off_until: Option<i64>, now: i64) -> PlayGate {
    let cool_off_until = cool_off_until.filter(|t| *t > now);
    let mut reasons: Vec<String> = cool_off_until
        .map(|t| format!("you are on a cool-off until {} UTC", rfc3339(t)))
        .into_iter()
        .collect();
    reasons.extend(statuses.iter().filter(|s| s.reached).map(|s| {
        let k = s.limit.kind;
        format!(
            "your {} per {} is reached ({} used of {})",
            k.label(),
            s.limit.period.label(),
            k.format(s.used),
            s.limit.amount.map_or("none".into(), |a| k.format(a)),
        )
    }));
    PlayGate {
        open: reasons.is_empty(),
        reasons,
        cool_off_until,
    }
}

/// Cool-offs the player may choose, in hours.
pub const COOL_OFF_HOURS: [i64; 3] = [24, 168, 720];

/// The end of a cool-off of `hours` asked for at `now`; a cool-off in force is never
/// shortened.
pub fn cool_off_end(existing: Option<i64>, hours: i64, now: i64) -> Result<i64, LimitError> {
    if !COOL_OFF_HOURS.contains(&hours) {
        return Err(LimitError::CoolOff(hours));
    }
    Ok(existing.unwrap_or(now).max(now + hours * 3600))
}

/// "Stop for today": no PLAY until the next midnight on the player's clock (`offset_s`
/// east of UTC), never shortening a cool-off in force.
pub fn stop_for_today(existing: Option<i64>, now: i64, offset_s: i64) -> i64 {
    let next_midnight = ((now + offset_s).div_euclid(86_400) + 1) * 86_400 - offset_s;
    existing.unwrap_or(now).max(next_midnight)
}

/// Reality-check intervals accepted: from the server's minimum (five minutes unless the
/// server is configured for tests) to a day.
pub const DEFAULT_MIN_REALITY_CHECK_S: i64 = 300;
pub const MAX_REALITY_CHECK_S: i64 = 86_400;

pub fn check_interval(interval_s: i64, min_s: i64) -> Result<(), LimitError> {
    if (min_s..=MAX_REALITY_CHECK_S).contains(&interval_s) {
        Ok(())
    } else {
        Err(LimitError::Interval {
            got: interval_s,
            min: min_s,
            max: MAX_REALITY_CHECK_S,
        })
    }
}

/// True when a reality check is due at `now`: a session is open and `interval_s` has
/// passed since it started or since the player last answered one, whichever is later.
pub fn reality_check_due(
    interval_s: Option<i64>,
    session_start: Option<i64>,
    answered_at: Option<i64>,
    now: i64,
) -> bool {
    let (Some(interval), Some(start)) = (interval_s, session_start) else {
        return false;
    };
    let from = answered_at.map_or(start, |a| a.max(start));
    now - from >= interval
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bets::{settle, Exit};
    use crate::sessions::current_session;
    use crate::values::Multiplier;

    const NOW: i64 = 1_796_223_909;

    fn bet(at: i64, stake: f64, crash: u32) -> TimedBet {
        TimedBet {
            at,
            bet: settle(stake, Exit::Target(2.0), Multiplier(crash), 0.03).unwrap(),
        }
    }

    #[test]
    fn lowering_applies_at_once_raising_and_removing_wait_a_day() {
        let l = Limit::none(LimitKind::Loss, LimitPeriod::Day);
        let l = l.request(Some(50.0), NOW).unwrap();
        assert_eq!((l.amount, l.pending), (Some(50.0), None));
        let lower = l.request(Some(20.0), NOW + 10).unwrap();
        assert_eq!(lower.amount, Some(20.0));
        let raised = lower.request(Some(100.0), NOW + 20).unwrap();
        assert_eq!(raised.amount, Some(20.0));
        assert_eq!(
            raised.pending,
            Some(Pending {
                amount: Some(100.0),
                effective_at: NOW + 20 + RAISE_DELAY_S
            })
        );
        assert_eq!(raised.at(NOW + 20 + RAISE_DELAY_S - 1).amount, Some(20.0));
        assert_eq!(raised.at(NOW + 20 + RAISE_DELAY_S).amount, Some(100.0));
        // Asking again for the current amount cancels the waiting raise.
        let kept = raised.request(Some(20.0), NOW + 30).unwrap();
        assert_eq!((kept.amount, kept.pending), (Some(20.0), None));
        let removed = kept.request(None, NOW + 40).unwrap();
        assert_eq!(removed.amount, Some(20.0));
        assert_eq!(removed.at(NOW + 40 + RAISE_DELAY_S).amount, None);
        assert!(l.request(Some(0.0), NOW).is_err());
        assert!(l.request(Some(f64::NAN), NOW).is_err());
        let t = Limit::none(LimitKind::Time, LimitPeriod::Day);
        assert!(t.request(Some(1441.0), NOW).is_err());
        assert!(t.request(Some(1440.0), NOW).is_ok());
    }

    #[test]
    fn time_played_adds_the_sessions_clipped_to_the_window() {
        // A 10-minute session two days ago, and one that started 20 minutes ago with its
        // last round 5 minutes ago: still open, so it runs to now.
        let times = [
            NOW - 2 * 86_400,
            NOW - 2 * 86_400 + 600,
            NOW - 1200,
            NOW - 900,
            NOW - 300,
        ];
        assert_eq!(time_played(&times, NOW - 86_400, NOW), 1200);
        assert_eq!(time_played(&times, NOW - 7 * 86_400, NOW), 1800);
        assert_eq!(current_session(&times, NOW), Some((NOW - 1200, NOW - 300)));
        // An hour later the session is closed at its last activity.
        assert_eq!(current_session(&times, NOW + 3600), None);
        assert_eq!(time_played(&times, NOW - 86_400, NOW + 3600), 900);
    }

    #[test]
    fn limits_count_net_loss_stakes_and_minutes_over_rolling_windows() {
        let bets = [
            bet(NOW - 2 * 86_400, 30.0, 100), // lost 30, two days ago
            bet(NOW - 600, 10.0, 100),        // lost 10
            bet(NOW - 300, 10.0, 300),        // won 10
            bet(NOW - 60, 25.0, 100),         // lost 25
        ];
        let activity: Vec<i64> = bets.iter().map(|b| b.at).collect();
        let day = |k| used(k, LimitPeriod::Day, &bets, &activity, NOW);
        assert!((day(LimitKind::Loss) - 25.0).abs() < 1e-9);
        assert!((day(LimitKind::Stake) - 45.0).abs() < 1e-9);
        assert!((day(LimitKind::Time) - 10.0).abs() < 1e-9);
        let week_loss = used(LimitKind::Loss, LimitPeriod::Week, &bets, &activity, NOW);
        assert!((week_loss - 55.0).abs() < 1e-9);
        let limits = [
            Limit::none(LimitKind::Loss, LimitPeriod::Day)
                .request(Some(25.0), NOW - 5000)
                .unwrap(),
            Limit::none(LimitKind::Time, LimitPeriod::Day)
                .request(Some(60.0), NOW - 5000)
                .unwrap(),
            Limit::none(LimitKind::Stake, LimitPeriod::Month),
        ];
        let s = statuses(&limits, &bets, &activity, NOW);
        assert_eq!(s.len(), 2, "a limit never set is not listed");
        assert!(s[0].reached && !s[1].reached);
        let g = gate(&s, None, NOW);
        assert!(!g.open);
        assert!(
            g.reason().unwrap().contains("loss limit per 24 hours"),
            "{g:?}"
        );
        assert!(gate(&s[1..], None, NOW).open);
        assert!(gate(&s[1..], Some(NOW - 1), NOW).open, "a past cool-off");
        assert!(!gate(&s[1..], Some(NOW + 1), NOW).open);
    }

    #[test]
    fn cool_offs_and_stop_for_today_are_never_shortened() {
        assert_eq!(cool_off_end(None, 24, NOW).unwrap(), NOW + 86_400);
        assert_eq!(
            cool_off_end(Some(NOW + 30 * 86_400), 24, NOW).unwrap(),
            NOW + 30 * 86_400
        );
        assert!(cool_off_end(None, 1, NOW).is_err());
        // NOW is 15:05:09 UTC; midnight at UTC+2 is 22:00 UTC.
        let midnight_utc = (NOW.div_euclid(86_400) + 1) * 86_400;
        assert_eq!(stop_for_today(None, NOW, 0), midnight_utc);
        assert_eq!(stop_for_today(None, NOW, 7200), midnight_utc - 7200);
        assert_eq!(
            stop_for_today(Some(NOW + 9e5 as i64), NOW, 0),
            NOW + 900_000
        );
    }

    #[test]
    fn a_reality_check_comes_each_interval_after_the_session_start_or_the_last_answer() {
        let start = Some(NOW - 1000);
        assert!(!reality_check_due(None, start, None, NOW));
        assert!(!reality_check_due(Some(600), None, None, NOW));
        assert!(reality_check_due(Some(600), start, None, NOW));
        assert!(!reality_check_due(Some(600), start, Some(NOW - 100), NOW));
        assert!(reality_check_due(Some(600), start, Some(NOW - 600), NOW));
        // An answer from an earlier session does not count for this one.
        assert!(reality_check_due(Some(600), start, Some(NOW - 5000), NOW));
        assert!(check_interval(299, DEFAULT_MIN_REALITY_CHECK_S).is_err());
        assert!(check_interval(1800, DEFAULT_MIN_REALITY_CHECK_S).is_ok());
        assert!(check_interval(86_401, 1).is_err());
    }
}
