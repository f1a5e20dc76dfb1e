//! Numbers and times as the pages show them (plain functions: views, pages and the CLI
//! share them).

/// Unix seconds as `2026-12-02 14:05 UTC`.
pub fn fmt_unix(t: i64) -> String {
    let iso = ::models::bets::rfc3339(t);
    format!("{} {} UTC", &iso[..10], &iso[11..16])
}

/// 6954 → "6,954".
pub fn fmt_int(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds as "12 s", "3 min 5 s" or "1 h 2 min".
pub fn fmt_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_times_and_durations() {
        assert_eq!(
            fmt_unix(1_796_169_600 + 3600 * 14 + 309),
            "2026-12-02 14:05 UTC"
        );
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (6954, "6,954"),
            (1_000_000, "1,000,000"),
        ] {
            assert_eq!(fmt_int(n), text);
        }
        assert_eq!(fmt_duration(12.4), "12 s");
        assert_eq!(fmt_duration(185.0), "3 min 5 s");
        assert_eq!(fmt_duration(3720.0), "1 h 2 min");
        assert_eq!(fmt_duration(-1.0), "0 s");
    }
}
