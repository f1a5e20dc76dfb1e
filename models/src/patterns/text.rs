//! The pattern report as text (the CLI's default output).

use super::report::PatternReport;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Confirmed rules first, then the most significant of each family, the detection limits
/// and the regime tests.
pub fn render(r: &PatternReport) -> String {
    let mut out = format!(
        "pattern scan of {} rounds: {} rules × cash-outs tested (house edge {}, α = {})\n\
         confirmed = Holm-adjusted p ≤ α across all {} tests AND anytime-valid e-value of \"EV > 0\" ≥ {:.0}\n\
         in-sample = rounds 1–{}, out-of-sample = rounds {}–{}\n\n",
        r.rounds,
        r.tests,
        r.house_edge,
        r.alpha,
        r.tests,
        r.e_threshold,
        r.split_at,
        r.split_at + 1,
        r.rounds
    );
    push_rules(&mut out, r);
    push_detection(&mut out, r);
    push_regimes(&mut out, r);
    push_next_round(&mut out, r);
    out
}

/// The rules table, confirmed rules first, under a line saying how many are confirmed.
fn push_rules(out: &mut String, r: &PatternReport) {
    if r.confirmed == 0 {
        out.push_str(&format!(
            "No rule is confirmed. Smallest Holm-adjusted p of any rule: {:.3}.\n\n",
            r.any_edge_p
        ));
    } else {
        out.push_str(&format!("{} confirmed rule(s):\n", r.confirmed));
    }
    if r.unfavourable > 0 {
        out.push_str(&format!(
            "{} unfavourable rule(s) confirmed: a cash-out comes less often than this game's own rate after them (AVOID; never a reason to play, and evidence the rounds have memory).\n",
            r.unfavourable
        ));
    }
    out.push_str(
        "  conf   cash-out  rule                                                     n    rate (95% CI)          vs      EV      p adj     e-value   in → out of sample\n",
    );
    for rule in &r.rules {
        out.push_str(&format!(
            "  {:<5}  {:>7}x  {:<55} {:>5}  {:>6} ({}–{})  {:>6}  {:>+6.3}  {:>8.2e}  {:>8.2e}  {} → {}{}\n",
            match (rule.confirmed, rule.direction.as_str()) {
                (true, "unfavourable") => "AVOID",
                (true, _) => "YES",
                (false, "unfavourable") => "low",
                _ => "",
            },
            rule.cashout,
            rule.condition,
            rule.occurrences,
            pct(rule.rate),
            pct(rule.rate_low),
            pct(rule.rate_high),
            pct(rule.reference),
            rule.ev,
            rule.p_adjusted,
            rule.e_value,
            pct(rule.in_sample.rate),
            pct(rule.out_of_sample.rate),
            if rule.applies_next { "  ← applies to the next round" } else { "" }
        ));
    }
}

/// The smallest edge each family could have confirmed (its detection limits).
fn push_detection(out: &mut String, r: &PatternReport) {
    out.push_str("\nSmallest edge each family could confirm with 80% power (its median rule):\n");
    for f in &r.families {
        if f.family == super::Family::Clock && r.timed_rounds == 0 {
            out.push_str(&format!(
                "  {}: no round carries a real time (rounds typed one by one on the dashboard do)\n",
                f.label
            ));
            continue;
        }
        out.push_str(&format!("  {} ({} rules):", f.label, f.rules));
        for d in &f.detection {
            match d.rate {
                Some(rate) => out.push_str(&format!(
                    "  {}x: {} vs fair {} (n {})",
                    d.cashout,
                    pct(rate),
                    pct(d.fair),
                    d.occurrences
                )),
                None => out.push_str(&format!("  {}x: none possible", d.cashout)),
            }
        }
        out.push('\n');
    }
}

/// The regime tests over blocks of rounds, when the report has them.
fn push_regimes(out: &mut String, r: &PatternReport) {
    if let Some(regimes) = &r.regimes {
        out.push_str(
            "\nRegimes (blocks of rounds, p by simulation under the fair law, Holm-adjusted):\n",
        );
        for t in regimes {
            out.push_str(&format!(
                "  {}x: {} blocks of {}, homogeneity p {:.3}, change point p {:.3}\n",
                t.cashout,
                t.block_rates.len(),
                t.block_size,
                t.homogeneity_p_adjusted,
                t.cusum_p_adjusted
            ));
        }
        out.push_str("  (a regime change alone never gives PLAY)\n");
    }
}

/// What the confirmed rules that apply to the next round did out of sample.
fn push_next_round(out: &mut String, r: &PatternReport) {
    for e in &r.next_round {
        out.push_str(&format!(
            "\nNext round: \"{}\" at {}x applies; its situation out of sample: {} of {} ({}).\n",
            e.condition,
            e.cashout,
            e.later_hits,
            e.later_occurrences,
            pct(e.later_rate())
        ));
    }
}
