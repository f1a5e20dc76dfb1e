//! Sessions of play: runs of activity (rounds recorded live and bets) with no gap over
//! half an hour. The bets' session position, the time limits and the reality checks all
//! count time this one way.

/// A new session starts after this long without activity.
pub const SESSION_GAP_S: i64 = 30 * 60;

/// The runs of activity (recorded rounds and bets) with no gap over [`SESSION_GAP_S`], as
/// (first, last) times; the last run is still open at `now` when it ended under the gap
/// before it, and then runs to `now`.
pub fn sessions(times: &[i64], now: i64) -> Vec<(i64, i64)> {
    let mut sorted: Vec<i64> = times.iter().copied().filter(|t| *t <= now).collect();
    sorted.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for t in sorted {
        match out.last_mut() {
            Some((_, end)) if t - *end <= SESSION_GAP_S => *end = t,
            _ => out.push((t, t)),
        }
    }
    if let Some((_, end)) = out.last_mut() {
        if now - *end <= SESSION_GAP_S {
            *end = now;
        }
    }
    out
}

/// The session open at `now`: (its start, its last activity).
pub fn current_session(times: &[i64], now: i64) -> Option<(i64, i64)> {
    let last = times.iter().copied().filter(|t| *t <= now).max()?;
    if now - last > SESSION_GAP_S {
        return None;
    }
    sessions(times, now).last().map(|&(start, _)| (start, last))
}

/// Seconds played in the window `(since, now]`: the sessions clipped to it.
pub fn time_played(times: &[i64], since: i64, now: i64) -> i64 {
    sessions(times, now)
        .into_iter()
        .map(|(start, end)| (end.min(now) - start.max(since)).max(0))
        .sum()
}
