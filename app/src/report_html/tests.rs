use super::*;
use crate::chart_format::escape;
use crate::service::patterns::PatternRequest;
use crate::views::SimulationRequest;
use models::patterns::PatternReport;
use models::values::Multiplier;

fn values(n: usize) -> Vec<Multiplier> {
    models::generator::FairGenerator {
        seed: 7,
        house_edge: 0.03,
    }
    .generate(n)
}

fn parts(values: &[Multiplier], strategy: bool) -> ReportParts {
    let request = PatternRequest::default();
    let config = request.config(0.03).unwrap();
    let strategy = strategy.then(|| {
        let r = SimulationRequest {
            paths: 200,
            rounds: 100,
            ..Default::default()
        };
        let result = models::strategy::monte_carlo(&r.config(0.03).unwrap(), 1).unwrap();
        (r, result)
    });
    ReportParts {
        rounds: values.len(),
        values_sha256: models::provenance::values_sha256(values),
        generated_at: 1_796_169_600,
        analysis: Some(crate::reports::build_analysis(values, 0.03)),
        patterns: Some((
            serde_json::to_value(&request).unwrap(),
            PatternReport::build(values, &config),
        )),
        strategy,
    }
}

#[test]
fn the_report_is_one_file_that_needs_no_script_and_nothing_from_elsewhere() {
    let v = values(3000);
    let html = document(parts(&v, true));
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>"));
    for forbidden in [
        "<script",
        "<link",
        "src=\"http",
        "<iframe",
        "on:click",
        "onclick=",
    ] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    assert!(
        html.contains("<style>") && html.contains("--panel"),
        "the stylesheet is inline"
    );
    // The charts are drawn: the analysis page's six, the patterns chart, the strategy fan and
    // the final-bankroll spread (and the evidence chart when the scan has one).
    let charts = html.matches("<svg ").count();
    assert!(charts >= 9, "{charts} charts");
    assert_eq!(charts, html.matches("</svg>").count());
    assert!(!html.contains("role=\"img\" aria-label=\"Chart: no data yet.\""));
}

#[test]
fn every_part_carries_the_hash_and_settings_it_was_computed_from() {
    let v = values(3000);
    let p = parts(&v, true);
    let fairness = p.analysis.as_ref().unwrap().report.clone().unwrap();
    let scan_hash = p
        .patterns
        .as_ref()
        .unwrap()
        .1
        .provenance
        .clone()
        .unwrap()
        .values_sha256;
    let html = document(p);
    let hash = models::provenance::values_sha256(&v);
    assert!(html.contains(&format!("<code id=\"report-sha256\">{hash}</code>")));
    assert_eq!(fairness.provenance.values_sha256, hash);
    assert_eq!(scan_hash, hash);
    assert!(html.matches(&format!("data-sha256=\"{hash}\"")).count() >= 2);
    // The numbers the pages show, here too.
    assert!(html.contains(&escape(&fairness.verdicts.rtp.text)));
    assert!(html.contains("&quot;seed&quot;: 42") || html.contains("\"seed\": 42"));
    assert!(html.contains("id=\"st-table\""));
}

#[test]
fn a_part_left_out_is_not_in_the_file() {
    let v = values(1500);
    let html = document(parts(&v, false));
    assert!(html.contains("id=\"report-fairness\"") && html.contains("id=\"report-patterns\""));
    assert!(!html.contains("id=\"report-strategy\""));
    assert!(!html.contains("href=\"#report-strategy\""));
}

#[test]
fn the_file_name_carries_the_time_it_was_made() {
    let v = values(10);
    let mut p = parts(&v, false);
    p.generated_at = 1_796_169_600 + 3600 * 14 + 309;
    assert_eq!(p.file_name(), "jetx-report-20261202-1405.html");
}
