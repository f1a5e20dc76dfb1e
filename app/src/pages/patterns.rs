//! The patterns page: every folk pattern tested as a rule "when CONDITION holds,
//! P(X ≥ c) is …", each next to the fair rate, with its corrected p-values, its
//! anytime-valid e-value, the earlier (in-sample) vs later (out-of-sample) rates, the
//! detection limits that give "nothing found" a meaning, and the regime tests.

use crate::api;
use crate::charts::{patterns_chart, EChart};
use crate::pages::{fmt_pct, format_p, ProvenanceLine, ScrollTable};
use crate::DataVersion;
use leptos::prelude::*;
use models::patterns::{Family, PatternReport, RuleReport};

#[component]
pub fn PatternsPage() -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let data = Resource::new(move || version.0.get(), |_| api::get_patterns());
    view! {
        <leptos_meta::Title text="Patterns · JetX Predictor"/>
        <h1 class="page-title">"Patterns"</h1>
        <crate::pages::ReportLink/>
        <Transition fallback=|| view! { <p class="muted">"Scanning every pattern…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <p class="error">"Could not scan the history: " {e.message}</p> }.into_any(),
                Ok(report) => view! { <PatternsBody report/> }.into_any(),
            })}
        </Transition>
    }
}

/// How the table is ordered.
#[derive(Clone, Copy, PartialEq)]
enum SortBy {
    P,
    Ev,
}

fn format_e(e: f64) -> String {
    if !(1e-3..1e4).contains(&e) {
        format!("{e:.1e}")
    } else {
        format!("{e:.2}")
    }
}

fn interval(rate: f64, lo: f64, hi: f64) -> String {
    format!("{} [{}–{}]", fmt_pct(rate), fmt_pct(lo), fmt_pct(hi))
}

fn rule_row(r: RuleReport) -> impl IntoView {
    // Green only where the edge is confirmed: an uncorrected interval above 0 among
    // 26,000 tests is what chance gives.
    let unfavourable = r.direction == "unfavourable";
    let ev_class = if r.confirmed && !unfavourable && r.ev_low > 0.0 {
        "pos"
    } else {
        ""
    };
    let mark = match (r.confirmed, unfavourable) {
        (true, true) => "✖ unfavourable: avoid",
        (true, false) => "✔ confirmed",
        (false, true) => "below (not confirmed)",
        (false, false) => "",
    };
    view! {
        <tr class:confirmed=r.confirmed class:unfavourable=unfavourable data-family=r.family.as_str() data-direction=r.direction.clone()>
            <td>{mark}</td>
            <td>{r.condition.clone()}{r.applies_next.then(|| view! { <span class="tag">" applies next"</span> })}</td>
            <td>{format!("{}x", r.cashout)}</td>
            <td>{r.occurrences}</td>
            <td>{interval(r.rate, r.rate_low, r.rate_high)}</td>
            <td>{fmt_pct(r.reference)}</td>
            <td class=ev_class>{format!("{:+.3} [{:+.3}, {:+.3}]", r.ev, r.ev_low, r.ev_high)}</td>
            <td>{format_p(r.p_value)}</td>
            <td>{format_p(r.p_adjusted)}</td>
            <td>{format_p(r.q_value)}</td>
            <td>{format_e(r.e_value)}</td>
            <td>{interval(r.in_sample.rate, r.in_sample.rate_low, r.in_sample.rate_high)}</td>
            <td>{interval(r.out_of_sample.rate, r.out_of_sample.rate_low, r.out_of_sample.rate_high)}</td>
        </tr>
    }
}

#[component]
pub(crate) fn PatternsBody(report: PatternReport) -> impl IntoView {
    view! {
        <PatternsSummary report=report.clone()/>
        <RulesTable report=report.clone()/>
        {report.evidence_path.clone().map(|path| view! { <EvidencePanel path/> })}
        <DetectionLimits report=report.clone()/>
        {report.regimes.clone().map(|ts| view! { <RegimesPanel tests=ts/> })}
    }
}

/// The strongest rule's e-value after every round, on a log scale, against the threshold.
#[component]
fn EvidencePanel(path: models::patterns::report::EvidencePath) -> impl IntoView {
    let log10 = std::f64::consts::LN_10;
    let points: Vec<(usize, f64)> = path
        .points
        .iter()
        .map(|&(i, ln_e)| (i, ln_e / log10))
        .collect();
    let last = points.last().map_or(0.0, |p| p.1);
    let threshold = path.ln_threshold / log10;
    let n = points.last().map_or(1, |p| p.0);
    let summary = format!(
        "The anytime-valid e-value of \"{}\" at {}x after each round, as log10: it ends at {:.1} (e-value {}); a confirmation needs {:.1} (e-value {:.0}). \
         Because it is valid however often it is looked at, a line that never reaches the threshold is what a fair game shows.",
        path.condition,
        path.cashout,
        last,
        if last > 300.0 {
            "above 1e300".to_string()
        } else if last >= 1.0 {
            format!("{:.0}", 10f64.powf(last))
        } else {
            format!("{:.3}", 10f64.powf(last))
        },
        threshold,
        10f64.powf(threshold)
    );
    let chart = Signal::derive(move || {
        // The threshold as a series, so the axis always reaches it.
        Some(crate::report_charts::lines_chart(
            "log10 e-value after each round",
            "rounds seen",
            // The title names the axis: a name above it collides with the legend on phones.
            "",
            &[
                ("e-value (log10)".to_string(), points.clone()),
                (
                    "confirmation threshold".to_string(),
                    vec![(0, threshold), (n, threshold)],
                ),
            ],
            Some((0.0, "1 (no evidence)")),
        ))
    });
    view! {
        <section class="panel" id="evidence-panel">
            <h2>"Evidence over time"</h2>
            <p class="muted" id="evidence-summary">{summary}</p>
            <EChart id="chart-evidence" chart height=300/>
        </section>
    }
}

/// The verdict, how a rule is confirmed, and the confirmed rules that apply next.
#[component]
fn PatternsSummary(report: PatternReport) -> impl IntoView {
    let verdict = if report.confirmed == 0 {
        format!(
            "No rule is confirmed on these {} rounds: {} rules × cash-outs tested, smallest Holm-adjusted p {}. \
             What a fair game looks like — read the detection limits below for how large an edge could have hidden.",
            report.rounds, report.tests, format_p(report.any_edge_p)
        )
    } else {
        format!(
            "{} rule(s) confirmed on these {} rounds ({} rules × cash-outs tested).",
            report.confirmed, report.rounds, report.tests
        )
    };
    let none_below = (report.unfavourable == 0).then_some(
        "Nothing is confirmed below the game's own rate either: every rule × cash-out is also tested for an unfavourable rate, at the same α.",
    );
    let avoid = (report.unfavourable > 0).then(|| {
        let applying: Vec<String> = report
            .rules
            .iter()
            .filter(|r| r.confirmed && r.direction == "unfavourable" && r.applies_next)
            .map(|r| format!("\"{}\" at {}x", r.condition, r.cashout))
            .collect();
        let now = if applying.is_empty() {
            String::new()
        } else {
            format!(" Applies to the next round: {}.", applying.join(", "))
        };
        format!(
            "{} unfavourable rule(s) confirmed: after them a cash-out comes less often than this game's own rate. \
             Avoid those situations; they are never a reason to play, and they are evidence the rounds have memory.{now}",
            report.unfavourable
        )
    });
    let next = report
        .next_round
        .iter()
        .map(|e| {
            let text = match &e.explained_by {
                Some(by) => format!(
                    "\"{}\" at {}x applies to the next round, but it has no edge of its own: it beats the fair rate only where \"{}\" holds.",
                    e.condition, e.cashout, by
                ),
                None => format!(
                    "\"{}\" at {}x applies to the next round — its situation out of sample: {} of {} rounds ({}).",
                    e.condition, e.cashout, e.later_hits, e.later_occurrences, fmt_pct(e.later_rate())
                ),
            };
            view! { <li>{text}</li> }
        })
        .collect_view();
    view! {
        <section class="panel">
            <p id="patterns-verdict"><strong>{verdict}</strong></p>
            {avoid.map(|a| view! { <p id="patterns-avoid" class="warn">{a}</p> })}
            {none_below.map(|a| view! { <p class="muted" id="patterns-none-below">{a}</p> })}
            <p class="muted">{format!(
                "A rule is confirmed when its exact binomial p against the fair rate survives Holm's correction across all {} tests \
                 and its anytime-valid e-value of \"EV > 0\" reaches {:.0} (= tests/α, α = {}). The e-value is a running bet made \
                 before each round it counts, so it is walk-forward by construction and stays valid however often you look. \
                 In-sample = rounds 1–{}, out-of-sample = rounds {}–{}.",
                report.tests, report.e_threshold, report.alpha, report.split_at, report.split_at + 1, report.rounds
            )}</p>
            {(!report.next_round.is_empty()).then(|| view! { <ul id="patterns-next">{next}</ul> })}
            {report.provenance.clone().map(|p| view! { <ProvenanceLine p/> })}
        </section>
    }
}

/// The rules, filtered and sorted, with the chart of their rates against the fair line.
#[component]
fn RulesTable(report: PatternReport) -> impl IntoView {
    let family = RwSignal::new(String::from("all"));
    let sort = RwSignal::new(SortBy::P);
    let only_confirmed = RwSignal::new(false);
    let rules = StoredValue::new(report.rules.clone());
    let shown = Memo::new(move |_| {
        let fam = family.get();
        let mut list: Vec<RuleReport> = rules.with_value(|rs| {
            rs.iter()
                .filter(|r| fam == "all" || r.family.as_str() == fam)
                .filter(|r| !only_confirmed.get() || r.confirmed)
                .cloned()
                .collect()
        });
        match sort.get() {
            SortBy::P => list.sort_by(|a, b| a.p_value.total_cmp(&b.p_value)),
            SortBy::Ev => list.sort_by(|a, b| b.ev.total_cmp(&a.ev)),
        }
        list
    });
    let house_edge = report.house_edge;
    let chart = Signal::derive(move || Some(patterns_chart(&shown.get(), house_edge)));
    view! {
        <section class="panel">
            <div class="form-row">
                <label>"Family "
                    <select id="pt-family" on:change=move |ev| family.set(event_target_value(&ev))>
                        <option value="all" selected=true>"all"</option>
                        {Family::ALL.iter().map(|f| view! { <option value=f.as_str()>{f.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Sort by "
                    <select id="pt-sort" on:change=move |ev| sort.set(if event_target_value(&ev) == "ev" { SortBy::Ev } else { SortBy::P })>
                        <option value="p" selected=true>"p (most significant first)"</option>
                        <option value="ev">"EV (highest first)"</option>
                    </select>
                </label>
                <label class="check"><input type="checkbox" id="pt-confirmed" on:change=move |ev| only_confirmed.set(event_target_checked(&ev))/>" confirmed only"</label>
            </div>
            <EChart id="chart-patterns" chart=chart height=340/>
            <ScrollTable label="rules">
                <table class="rounds" id="patterns-table">
                    <thead><tr>
                        <th>"status"</th><th>"rule"</th><th>"cash-out"</th><th>"n"</th><th>"rate [95%]"</th><th title="favourable: the fair rate; unfavourable: the game's own rate">"compared with"</th>
                        <th>"EV per unit [95%]"</th><th>"p"</th><th>"p (Holm)"</th><th>"q (BH)"</th><th>"e-value"</th>
                        <th>"in-sample rate"</th><th>"out-of-sample rate"</th>
                    </tr></thead>
                    <tbody>{move || shown.get().into_iter().map(rule_row).collect_view()}</tbody>
                </table>
            </ScrollTable>
            <p class="muted">{format!(
                "Listed: every confirmed rule and the {} most significant of each family, of {} tests. The command jetx patterns --all --json lists them all.",
                25, report.listed_of
            )}</p>
        </section>
    }
}

/// The smallest edge each family could have confirmed.
#[component]
fn DetectionLimits(report: PatternReport) -> impl IntoView {
    let cashouts = report.cashouts.clone();
    let clock = match report.timed_rounds {
        0 => "Time of day / minutes into the session: no round carries a real time. Rounds typed one by one on the dashboard do; imported, pasted, API and demo rounds do not.".to_string(),
        n => format!("Time of day / minutes into the session: {n} rounds carry a real time (hours in UTC; a session ends after a break of more than 30 minutes)."),
    };
    let limits = report
        .families
        .iter()
        .map(|f| {
            let cells = f
                .detection
                .iter()
                .map(|d| match d.rate {
                    Some(rate) => view! { <td>{format!("{} vs {} (n {})", fmt_pct(rate), fmt_pct(d.fair), d.occurrences)}</td> }.into_any(),
                    None => view! { <td>"–"</td> }.into_any(),
                })
                .collect_view();
            view! { <tr><td>{f.label.clone()}</td><td>{f.rules}</td><td>{f.confirmed}</td><td>{format_p(f.smallest_p_adjusted)}</td>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>"Detection limits: the smallest edge each family could have confirmed (80% power)"</h2>
            <ScrollTable label="detection limits">
                <table class="rounds" id="limits-table">
                    <thead><tr><th>"family"</th><th>"rules"</th><th>"confirmed"</th><th>"smallest p (Holm)"</th>
                        {cashouts.iter().map(|c| view! { <th>{format!("{c}x")}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>{limits}</tbody>
                </table>
            </ScrollTable>
            <p class="muted">"For the family's typical rule (median occurrences): the true rate in its situation that this scan confirms 80% of the time, next to the fair rate. "
            "An edge smaller than that can hide in a history this long; a longer history lowers the limit."</p>
            <p class="muted" id="clock-note">{clock}</p>
        </section>
    }
}

/// Homogeneity and change-point tests of the rates over blocks of rounds.
#[component]
fn RegimesPanel(tests: Vec<models::patterns::regimes::RegimeTest>) -> impl IntoView {
    let ts = tests;

    let rows = ts
        .iter()
        .map(|t| {
            view! {
                <tr>
                    <td>{format!("{}x", t.cashout)}</td>
                    <td>{format!("{} × {}", t.block_rates.len(), t.block_size)}</td>
                    <td>{format!("{} – {}",
                        fmt_pct(t.block_rates.iter().copied().fold(f64::INFINITY, f64::min)),
                        fmt_pct(t.block_rates.iter().copied().fold(0.0, f64::max)))}</td>
                    <td>{fmt_pct(t.fair)}</td>
                    <td>{format_p(t.homogeneity_p_adjusted)}</td>
                    <td>{format_p(t.cusum_p_adjusted)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>"Regimes: does the edge stay the same over the history?"</h2>
            <ScrollTable label="regime tests">
                <table class="rounds" id="regimes-table">
                    <thead><tr><th>"cash-out"</th><th>"blocks × rounds"</th><th>"block rates (min – max)"</th><th>"fair"</th><th>"homogeneity p (Holm)"</th><th>"change point p (Holm)"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
            <p class="muted">"p-values by 999 simulations under the fair law. A regime change is reported, never a PLAY signal by itself: "
            "the causal \"current regime\" rules (share ≥ 2x of the last 50–200 rounds) go through the same confirmation as every rule."</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_values_in_plain_digits_where_they_read_well() {
        assert_eq!(format_e(0.0005), "5.0e-4");
        assert_eq!(format_e(0.001), "0.00");
        assert_eq!(format_e(12.345), "12.35");
        assert_eq!(format_e(9999.0), "9999.00");
        assert_eq!(format_e(10_000.0), "1.0e4");
        assert_eq!(format_e(319_680.0), "3.2e5");
        assert_eq!(interval(0.351, 0.218, 0.512), "35.1% [21.8%–51.2%]");
    }
}
