//! The fairness report as plain text (`jetx analyze`).

use super::*;

/// The report as plain text.
pub fn render_text(r: &FairnessReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Fairness report: {} rounds, null hypothesis house edge h = {}",
        r.n, r.house_edge
    );
    let f = &r.fitted;
    let _ = writeln!(
        o,
        "Fitted law: RTP {:.4} [{:.4}, {:.4}] from {}x up, house edge {:.4}; claimed RTP {:.4}: likelihood-ratio p = {:.3e}",
        f.rtp, f.rtp_low, f.rtp_high, f.fit_from, f.house_edge, f.claimed_rtp, f.p_claimed
    );
    let _ = writeln!(
        o,
        "Instant crashes: {:.4} at 1.00x, the fitted law gives {:.4} ({}, p = {:.3e}); tail exponent {:.3} [{:.3}, {:.3}] from {}x",
        f.instant_crash_share,
        f.instant_crash_expected,
        f.instant_crash,
        f.p_instant_crash,
        f.tail_exponent,
        f.tail_low,
        f.tail_high,
        f.tail_from
    );
    if let Some(first) = r.rtp.first() {
        let _ = writeln!(
            o,
            "House edge estimate (1 − RTP at {}x): {:.4} [{:.4}, {:.4}]",
            first.x, r.house_edge_estimate, r.house_edge_low, r.house_edge_high
        );
    }
    let _ = writeln!(
        o,
        "Rounds at exactly 1.00x: {:.4} (fair law: {:.4})",
        r.share_at_one, r.fair_share_at_one
    );
    let _ = writeln!(
        o,
        "{:>8} {:>8} {:>20} {:>8}",
        "x", "count", "RTP [95% CI]", "fair"
    );
    for p in &r.rtp {
        let _ = writeln!(
            o,
            "{:>7}x {:>8} {:>6.4} [{:.4}, {:.4}] {:>8.4}",
            p.x, p.count, p.rtp, p.low, p.high, p.fair_rtp
        );
    }
    let _ = writeln!(
        o,
        "{:<7} {:<58} {:>10} {:>5} {:>9} {:>9} {:>9}  verdict",
        "group", "test", "statistic", "df", "p", "Holm p", "min eff."
    );
    for t in &r.tests {
        let _ = writeln!(
            o,
            "{:<7} {:<58} {:>10.4} {:>5} {:>9.4} {:>9.4} {:>9.4}  {}",
            t.group,
            t.name,
            t.statistic,
            t.df.map_or("-".into(), |d| format!("{d}")),
            t.p_value,
            t.p_holm,
            t.min_detectable,
            t.verdict
        );
        if !t.detail.is_empty() {
            let _ = writeln!(o, "    {}", t.detail);
        }
    }
    let _ = writeln!(o, "RTP: {}", r.verdicts.rtp.text);
    let _ = writeln!(o, "Memory: {}", r.verdicts.memory.text);
    let _ = writeln!(o, "{}", r.verdict);
    o
}
