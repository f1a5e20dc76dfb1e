//! The shareable report: the fairness report, the pattern scan and a strategy lab result as
//! one self-contained HTML file (the app's stylesheet inline, charts as SVG, no script).
//! Each part is the page's own component drawn once, with the SHA-256 of the values it read
//! and every setting, so whoever receives it can recompute it and compare.

use crate::charts::StaticCharts;
use crate::format::{fmt_int, fmt_unix};
use crate::pages::analysis::AnalysisBody;
use crate::pages::patterns::PatternsBody;
use crate::pages::strategies::StrategyResult;
use crate::views::ReportParts;
use leptos::prelude::*;

const STYLE: &str = include_str!("../../style/main.css");

/// The report's own rules: no controls that need a script, charts at the page's width.
const REPORT_STYLE: &str = "
.report .form-row, .report button { display: none; }
.report .chart-static svg { width: 100%; height: auto; display: block; }
.report figure { margin: 0; }
.report pre.settings { white-space: pre-wrap; word-break: break-all; font-size: 0.8rem; }
.report h1 { font-size: 1.4rem; margin: 0; }
.report code { word-break: break-all; }
.report .grid-2 { grid-template-columns: 1fr; }
.report nav.parts a { margin-right: 1rem; }
";

/// The whole file.
pub fn document(parts: ReportParts) -> String {
    let title = format!("JetX Predictor report, {}", fmt_unix(parts.generated_at));
    let body = render(parts);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"JetX Predictor\"><title>{}</title>\
         <style>{STYLE}{REPORT_STYLE}</style></head><body><main class=\"report\">{body}</main></body></html>",
        crate::chart_format::escape(&title)
    )
}

/// The parts drawn by the pages' components, charts as SVG.
fn render(parts: ReportParts) -> String {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(StaticCharts);
        let ReportParts {
            rounds,
            values_sha256,
            generated_at,
            analysis,
            patterns,
            strategy,
        } = parts;
        let has = (analysis.is_some(), patterns.is_some(), strategy.is_some());
        view! {
            <header class="panel" id="report-header">
                <h1>"JetX Predictor report"</h1>
                <p>{format!("Made {} from {} stored rounds.", fmt_unix(generated_at), fmt_int(rounds))}</p>
                <p>"SHA-256 of the values (one per line, two decimals; check with sha256sum on the exported values): "
                    <code id="report-sha256">{values_sha256}</code></p>
                <nav class="parts">
                    {has.0.then(|| view! { <a href="#report-fairness">"Fairness"</a> })}
                    {has.1.then(|| view! { <a href="#report-patterns">"Pattern scan"</a> })}
                    {has.2.then(|| view! { <a href="#report-strategy">"Strategy lab"</a> })}
                </nav>
            </header>
            {analysis.map(|a| view! { <section id="report-fairness"><AnalysisBody a/></section> })}
            {patterns.map(|(request, report)| view! {
                <section id="report-patterns">
                    <h2>"Pattern scan"</h2>
                    <details class="muted"><summary>"settings"</summary>
                        <pre class="settings">{settings(&request)}</pre></details>
                    <PatternsBody report/>
                </section>
            })}
            {strategy.map(|(request, result)| view! {
                <section id="report-strategy">
                    <h2>"Strategy lab"</h2>
                    <details class="muted"><summary>"settings"</summary>
                        <pre class="settings">{settings(&request)}</pre></details>
                    <StrategyResult r=result/>
                </section>
            })}
        }
        .to_html()
    })
}

fn settings(request: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(request).unwrap_or_default()
}

#[cfg(test)]
mod tests;
