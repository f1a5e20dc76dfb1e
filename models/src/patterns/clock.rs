//! The clock family: rules on *when* a round was played, for rounds that carry a real
//! time (recorded one by one as they were played; an import or a paste has no clock).
//!
//! Two questions a player asks: "are some hours of the day better?" (windows of UTC
//! hours: the operator's own time zone is unknown, so no local hour is assumed) and "does
//! the game change the longer I play?" (minutes since the session's first round; a
//! session ends after a break of more than [`SESSION_GAP_MS`]). The windows start at every
//! hour and every session minute of a grid and have several lengths, so an edge that
//! crosses a fixed block's edge is still met whole by one rule (a rule half on it would
//! be confirmed for a whole block, and PLAY would follow it outside the edge). A round's
//! hour and minute are known before it is played, so the rules stay causal; a round's
//! time is that of its recording, seconds after it crashed, which moves no round into
//! another window but on the minute a window turns.

use serde::{Deserialize, Serialize};

/// Hours of one time-of-day block of the first catalogue (6 blocks a day; their rules
/// keep their ids).
pub const HOUR_BLOCK: u8 = 4;
/// Lengths, in hours, of the time-of-day windows: one window of each starts every hour.
pub const HOUR_LENGTHS: [u8; 7] = [1, 2, 3, 4, 6, 8, 12];
/// Minutes since the session's start at which the session buckets of the first catalogue
/// begin; the last one is open-ended.
pub const SESSION_MINUTES: [u16; 6] = [0, 5, 15, 30, 60, 120];
/// The session grid: a session window runs from one of these minutes to a later one or
/// without end. Every 2 minutes at first (where a player's sessions mostly are), wider
/// later: an edge that starts or ends between two of them loses at most that cell.
pub const SESSION_GRID: [u16; 20] = [
    0, 2, 3, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 90, 120, 180, 240,
];
/// A break longer than this starts a new session.
pub const SESSION_GAP_MS: i64 = 30 * 60 * 1000;

/// One clock rule: a window of UTC hours (`from`, `hours` long, across midnight when it
/// must) or of minutes into a session (`to` excluded; `u16::MAX`: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockWindow {
    Hours { from: u8, hours: u8 },
    Minutes { from: u16, to: u16 },
}

impl ClockWindow {
    /// Every clock rule, in catalogue order: the first catalogue's blocks and buckets,
    /// then the other windows of the grids.
    pub fn all() -> Vec<Self> {
        let blocks = (0..24 / HOUR_BLOCK).map(|b| Self::Hours {
            from: b * HOUR_BLOCK,
            hours: HOUR_BLOCK,
        });
        let buckets = SESSION_MINUTES.iter().enumerate().map(|(i, &from)| {
            let to = SESSION_MINUTES.get(i + 1).copied().unwrap_or(u16::MAX);
            Self::Minutes { from, to }
        });
        let mut all: Vec<Self> = blocks.chain(buckets).collect();
        let first = all.clone();
        let hours = HOUR_LENGTHS
            .iter()
            .flat_map(|&hours| (0..24).map(move |from| Self::Hours { from, hours }));
        let ends = SESSION_GRID.iter().copied().chain([u16::MAX]);
        let minutes = SESSION_GRID.iter().flat_map(|&from| {
            ends.clone()
                .filter(move |&to| to > from)
                .map(move |to| Self::Minutes { from, to })
        });
        all.extend(hours.chain(minutes).filter(|w| !first.contains(w)));
        all
    }

    /// Whether a round played at `c` is in the window.
    pub fn holds(&self, c: ClockContext) -> bool {
        match *self {
            Self::Hours { from, hours } => (c.hour + 24 - from) % 24 < hours,
            Self::Minutes { from, to } => {
                c.minutes >= u32::from(from) && (to == u16::MAX || c.minutes < u32::from(to))
            }
        }
    }
}

/// For each hour and each session-grid cell, the clock rules (by position in
/// [`ClockWindow::all`]) a round there meets: every window starts and ends on the grid,
/// so one representative per cell decides.
#[derive(Debug, Clone)]
pub struct ClockIndex {
    by_hour: Vec<Vec<usize>>,
    by_cell: Vec<Vec<usize>>,
}

impl ClockIndex {
    pub fn new(windows: &[ClockWindow]) -> Self {
        let meet = |c: ClockContext, hours: bool| -> Vec<usize> {
            let kind = |w: &ClockWindow| matches!(w, ClockWindow::Hours { .. }) == hours;
            (0..windows.len())
                .filter(|&i| kind(&windows[i]) && windows[i].holds(c))
                .collect()
        };
        Self {
            by_hour: (0..24)
                .map(|hour| meet(ClockContext { hour, minutes: 0 }, true))
                .collect(),
            by_cell: SESSION_GRID
                .iter()
                .map(|&m| {
                    meet(
                        ClockContext {
                            hour: 0,
                            minutes: u32::from(m),
                        },
                        false,
                    )
                })
                .collect(),
        }
    }

    /// The clock rules a round played at `c` meets.
    pub fn meets(&self, c: ClockContext) -> impl Iterator<Item = usize> + '_ {
        let by_hour = &self.by_hour[usize::from(c.hour % 24)];
        by_hour
            .iter()
            .chain(&self.by_cell[c.session_cell()])
            .copied()
    }
}

/// When a round was played, as the clock rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockContext {
    /// Hour of the day, UTC (0–23).
    pub hour: u8,
    /// Whole minutes since the first round of its session.
    pub minutes: u32,
}

impl ClockContext {
    fn new(at_ms: i64, session_start_ms: i64) -> Self {
        let hour = at_ms.div_euclid(3_600_000).rem_euclid(24) as u8;
        let minutes = u32::try_from((at_ms - session_start_ms) / 60_000).unwrap_or(u32::MAX);
        Self { hour, minutes }
    }

    /// Index of the [`SESSION_GRID`] cell the round falls in.
    pub fn session_cell(&self) -> usize {
        SESSION_GRID
            .iter()
            .rposition(|&m| self.minutes >= u32::from(m))
            .unwrap_or(0)
    }
}

/// The clock of a history: the context of every round with a real time, by index, and
/// optionally of the round about to be played. Kept up to date round by round
/// ([`Self::push`], [`Self::truncate`]); a clone (each prediction's clock) shares the
/// stored rounds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Clock {
    rounds: Chunks,
    next: Option<(usize, ClockContext)>,
    /// The time [`Self::with_next`] was given (a report records it, to be made again).
    next_ms: Option<i64>,
}

/// A timed round: its index, time and the start of its session.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Timed {
    i: usize,
    at: i64,
    start: i64,
}

/// Rounds per shared chunk.
const CHUNK: usize = 4096;

/// Timed rounds in shared chunks, every one full but the last: a clone costs one pointer
/// per 4,096 rounds, and a round appended while a clone is alive copies at most one chunk
/// (a year of rounds typed live is a million).
#[derive(Debug, Clone, Default, PartialEq)]
struct Chunks(Vec<std::sync::Arc<Vec<Timed>>>);

impl Chunks {
    fn push(&mut self, t: Timed) {
        match self.0.last_mut() {
            Some(c) if c.len() < CHUNK => std::sync::Arc::make_mut(c).push(t),
            _ => self.0.push(std::sync::Arc::new(vec![t])),
        }
    }

    fn last(&self) -> Option<&Timed> {
        self.0.last().and_then(|c| c.last())
    }

    fn len(&self) -> usize {
        self.0
            .last()
            .map_or(0, |c| (self.0.len() - 1) * CHUNK + c.len())
    }

    fn find(&self, i: usize) -> Option<&Timed> {
        let k = self
            .0
            .partition_point(|c| c.last().is_some_and(|t| t.i < i));
        let c = self.0.get(k)?;
        c.get(c.partition_point(|t| t.i < i)).filter(|t| t.i == i)
    }

    /// Keeps the rounds with an index below `len`.
    fn truncate(&mut self, len: usize) {
        let k = self
            .0
            .partition_point(|c| c.first().is_some_and(|t| t.i < len));
        self.0.truncate(k);
        if let Some(c) = self.0.last_mut() {
            let keep = c.partition_point(|t| t.i < len);
            if keep < c.len() {
                std::sync::Arc::make_mut(c).truncate(keep);
            }
        }
    }
}

impl Clock {
    /// From `(round index, ms since the Unix epoch)` pairs in index order (see
    /// [`Self::push`]).
    pub fn new(times: impl IntoIterator<Item = (usize, i64)>) -> Self {
        let mut clock = Self::default();
        for (i, at) in times {
            clock.push(i, at);
        }
        clock
    }

    /// Round `i`, played at `at`, after every round pushed so far. A time not after the
    /// previous timed round's is left out (rounds stored in one batch share a time that is
    /// not when they were played; a clock set back is not trusted either), and so is an
    /// index not after the previous one.
    pub fn push(&mut self, i: usize, at: i64) {
        if self.rounds.last().is_some_and(|t| i <= t.i || at <= t.at) {
            return;
        }
        let start = self.session_start(i, at);
        self.rounds.push(Timed { i, at, start });
    }

    /// Keeps the rounds before index `len` (after an edit or a deletion) and forgets the
    /// next round.
    pub fn truncate(&mut self, len: usize) {
        self.rounds.truncate(len);
        self.next = None;
        self.next_ms = None;
    }

    /// The timed rounds kept: (index, ms since the epoch), in order.
    pub fn times(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.rounds
            .0
            .iter()
            .flat_map(|c| c.iter().map(|t| (t.i, t.at)))
    }

    /// The time the next round was placed at, if any.
    pub fn next_ms(&self) -> Option<i64> {
        self.next_ms
    }

    /// The start of the session round `i` played at `at` belongs to: the previous round's
    /// session when that round was timed and no longer ago than the gap, else `at`.
    fn session_start(&self, i: usize, at: i64) -> i64 {
        match self.rounds.last() {
            Some(t) if t.i + 1 == i && at > t.at && at - t.at <= SESSION_GAP_MS => t.start,
            _ => at,
        }
    }

    /// The same clock with the round after `len` rounds played at `now_ms` (what a
    /// prediction made now speaks about). A `now` before the last timed round is ignored.
    pub fn with_next(mut self, len: usize, now_ms: i64) -> Self {
        let backwards = self.rounds.last().is_some_and(|t| now_ms < t.at);
        self.next_ms = Some(now_ms);
        self.next = (!backwards).then(|| {
            (
                len,
                ClockContext::new(now_ms, self.session_start(len, now_ms)),
            )
        });
        self
    }

    /// The next round's hour and session-grid cell: all the clock rules read of it (a
    /// cache of what they say about it stays valid while these stay the same).
    pub fn next_slot(&self) -> Option<(usize, usize)> {
        self.next
            .map(|(_, c)| (usize::from(c.hour), c.session_cell()))
    }

    /// Rounds with a real time.
    pub fn timed(&self) -> usize {
        self.rounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rounds.len() == 0 && self.next.is_none()
    }

    /// The time kept for round `i` (ms since the epoch), if any.
    pub fn at(&self, i: usize) -> Option<i64> {
        self.rounds.find(i).map(|t| t.at)
    }

    /// When round `i` (0-based) was played, if it carries a real time.
    pub fn context(&self, i: usize) -> Option<ClockContext> {
        if let Some((ni, ctx)) = self.next {
            if ni == i {
                return Some(ctx);
            }
        }
        self.rounds
            .find(i)
            .map(|t| ClockContext::new(t.at, t.start))
    }
}

/// Milliseconds since the Unix epoch of a UTC time written `YYYY-MM-DDTHH:MM:SS[.fff]Z`
/// (the form the database stores `created_at` in); `None` for anything else.
pub fn parse_utc_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, to: usize| -> Option<i64> {
        let s = text.get(from..to)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 20 || b.last() != Some(&b'Z') || seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let ms = match &text[19..text.len() - 1] {
        "" => 0,
        f if f.len() >= 2 && f.starts_with('.') && f.len() <= 10 => {
            let digits = &f[1..];
            let v: i64 = num(20, 20 + digits.len())?;
            v * 10i64.pow(3) / 10i64.pow(digits.len() as u32)
        }
        _ => return None,
    };
    let days_in = [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let ok = (1..=12).contains(&mo) && d >= 1 && d <= days_in[(mo - 1) as usize];
    if !ok || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms)
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_stored_form_against_known_epochs() {
        assert_eq!(parse_utc_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc_ms("1970-01-01T00:00:00.001Z"), Some(1));
        // `date -u -d 2026-12-07T08:01:02.345Z +%s%3N`
        assert_eq!(
            parse_utc_ms("2026-12-07T08:01:02.345Z"),
            Some(1_796_630_462_345)
        );
        assert_eq!(
            parse_utc_ms("2000-02-29T23:59:59.5Z"),
            Some(951_868_799_500)
        );
        assert_eq!(parse_utc_ms("1969-12-31T23:59:59Z"), Some(-1000));
        for bad in [
            "",
            "2026-12-07 08:01:02Z",
            "2026-12-07T08:01:02",
            "2026-13-07T08:01:02Z",
            "2026-02-29T08:01:02Z",
            "2026-12-07T24:00:00Z",
            "2026-12-07T08:01:02.Z",
            "2026-12-07T08:01:02.3a5Z",
            "２026-12-07T08:01:02Z",
        ] {
            assert_eq!(parse_utc_ms(bad), None, "{bad:?}");
        }
    }

    proptest! {
        /// Writing any instant in the stored form and reading it back gives it again.
        #[test]
        fn parse_inverts_the_stored_form(ms in -62_135_596_800_000i64..253_402_300_799_999) {
            let days = ms.div_euclid(86_400_000);
            let rest = ms.rem_euclid(86_400_000);
            // Civil date from days (the inverse algorithm, written independently).
            let z = days + 719_468;
            let era = z.div_euclid(146_097);
            let doe = z - era * 146_097;
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let d = doy - (153 * mp + 2) / 5 + 1;
            let m = if mp < 10 { mp + 3 } else { mp - 9 };
            let y = yoe + era * 400 + i64::from(m <= 2);
            let text = format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
                rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000
            );
            prop_assert_eq!(parse_utc_ms(&text), Some(ms), "{}", text);
        }

        /// Sessions: a round's minutes count from the first round after the last break,
        /// and never from a round after it (causal).
        #[test]
        fn session_minutes_count_from_the_last_break(
            gaps in proptest::collection::vec(1i64..3_000_000, 1..80),
        ) {
            let mut at = 1_700_000_000_000i64;
            let times: Vec<(usize, i64)> = gaps.iter().enumerate().map(|(i, g)| { at += g; (i, at) }).collect();
            let clock = Clock::new(times.clone());
            let mut start = times[0].1;
            for (i, &(_, t)) in times.iter().enumerate() {
                if i > 0 && t - times[i - 1].1 > SESSION_GAP_MS {
                    start = t;
                }
                let ctx = clock.context(i).unwrap();
                prop_assert_eq!(i64::from(ctx.minutes), (t - start) / 60_000);
                prop_assert_eq!(i64::from(ctx.hour), t / 3_600_000 % 24);
                // The prefix's clock says the same: nothing later moved it.
                prop_assert_eq!(Clock::new(times[..=i].to_vec()).context(i), Some(ctx));
            }
        }
    }

    #[test]
    fn untrusted_times_and_the_next_round() {
        let t0 = 1_700_000_000_000i64;
        // Rounds 2 and 3 were stored in one batch (same time), round 5 has no time.
        let clock = Clock::new([
            (0, t0),
            (1, t0 + 20_000),
            (2, t0 + 40_000),
            (3, t0 + 40_000),
            (4, t0 + 60_000),
            (6, t0 + 90_000),
        ]);
        assert_eq!(clock.timed(), 5);
        assert_eq!(
            clock.context(3),
            None,
            "a time shared with the round before"
        );
        assert_eq!(clock.context(5), None);
        // Round 4 follows an untimed round: a new session.
        assert_eq!(clock.context(4).unwrap().minutes, 0);
        assert_eq!(clock.context(1).unwrap().minutes, 0);
        let later = clock.clone().with_next(7, t0 + 90_000 + 6 * 60_000);
        assert_eq!(later.context(7).unwrap().minutes, 6);
        assert_eq!(later.context(7).unwrap().session_cell(), 4);
        let after_break = clock.clone().with_next(7, t0 + 90_000 + SESSION_GAP_MS + 1);
        assert_eq!(after_break.context(7).unwrap().minutes, 0);
        assert_eq!(
            clock.clone().with_next(7, t0).context(7),
            None,
            "a clock set back"
        );
        assert_eq!(clock.context(7), None);
    }

    proptest! {
        /// A clock kept round by round, truncated and pushed again (an edit), reads the
        /// same as one built at once from what is left, across chunk boundaries, and a
        /// clone taken before is not changed by it.
        #[test]
        fn pushed_and_truncated_equals_built_at_once(
            gaps in proptest::collection::vec(0i64..2_000_000, 1..10_000),
            cut in 0usize..10_000,
        ) {
            let mut at = 1_700_000_000_000i64;
            let times: Vec<(usize, i64)> = gaps.iter().enumerate().map(|(i, g)| { at += g; (i, at) }).collect();
            let mut kept = Clock::new(times.clone());
            let before = kept.clone();
            let cut = cut.min(times.len());
            kept.truncate(cut);
            prop_assert_eq!(&kept, &Clock::new(times[..cut].to_vec()));
            for &(i, t) in &times[cut..] {
                kept.push(i, t);
            }
            prop_assert_eq!(&kept, &before);
            prop_assert_eq!(kept.timed(), Clock::new(times.clone()).timed());
            for i in [0, cut.saturating_sub(1), cut, times.len() - 1] {
                prop_assert_eq!(kept.context(i), before.context(i));
            }
        }
    }

    #[test]
    fn windows_cross_midnight_and_cells_follow_the_grid() {
        let at = |hour: u8, minutes: u32| ClockContext { hour, minutes };
        let night = ClockWindow::Hours { from: 22, hours: 4 };
        assert!(night.holds(at(22, 0)) && night.holds(at(1, 0)));
        assert!(!night.holds(at(2, 0)) && !night.holds(at(21, 0)));
        assert_eq!(at(4, 0).session_cell(), 0);
        assert_eq!(at(4, 1).session_cell(), 0);
        assert_eq!(at(4, 2).session_cell(), 1);
        assert_eq!(at(4, 4).session_cell(), 2);
        assert_eq!(at(4, 119).session_cell(), 16);
        assert_eq!(at(4, 5000).session_cell(), SESSION_GRID.len() - 1);
        let all = ClockWindow::all();
        // The first catalogue's 12 rules first, then no window twice.
        assert_eq!(all[0], ClockWindow::Hours { from: 0, hours: 4 });
        assert_eq!(all[6], ClockWindow::Minutes { from: 0, to: 5 });
        assert_eq!(
            all[11],
            ClockWindow::Minutes {
                from: 120,
                to: u16::MAX
            }
        );
        let n = SESSION_GRID.len();
        assert_eq!(all.len(), 24 * HOUR_LENGTHS.len() + n * (n + 1) / 2);
        for (i, w) in all.iter().enumerate() {
            assert!(!all[..i].contains(w), "{w:?} twice");
        }
    }

    proptest! {
        /// The index lists exactly the windows a round's hour and minutes meet.
        #[test]
        fn the_index_lists_what_each_window_holds(hour in 0u8..24, minutes in 0u32..600) {
            let all = ClockWindow::all();
            let index = ClockIndex::new(&all);
            let c = ClockContext { hour, minutes };
            let mut listed: Vec<usize> = index.meets(c).collect();
            listed.sort_unstable();
            let want: Vec<usize> = (0..all.len()).filter(|&i| all[i].holds(c)).collect();
            prop_assert_eq!(listed, want);
        }
    }
}
