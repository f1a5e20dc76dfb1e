//! Chart options of the strategy lab: the bankroll fan and the final bankrolls.

use super::{base, colour, lines_chart};
use charming::component::Axis;
use charming::element::{AxisType, ItemStyle, Tooltip, Trigger};
use charming::series::Bar;
use charming::Chart;

/// The strategy lab's fan chart: the plan's bankroll percentiles over rounds, with flat
/// betting's median on the same rounds and the starting bankroll dashed.
pub fn fan_chart(r: &models::strategy::SimulationResult) -> Chart {
    let fan = &r.report.fan;
    let line = |ys: &[f64]| -> Vec<(usize, f64)> {
        fan.rounds.iter().copied().zip(ys.iter().copied()).collect()
    };
    let mut series = vec![
        (format!("{} median", r.report.label), line(&fan.p50)),
        ("25%".to_string(), line(&fan.p25)),
        ("75%".to_string(), line(&fan.p75)),
        ("5%".to_string(), line(&fan.p5)),
        ("95%".to_string(), line(&fan.p95)),
        ("flat betting median".to_string(), line(&r.flat.fan.p50)),
    ];
    let title = if r.report.paths > 1 {
        format!(
            "Bankroll over rounds: percentiles of {} paths",
            r.report.paths
        )
    } else {
        "Bankroll over the replayed rounds".to_string()
    };
    if r.report.paths == 1 {
        series = vec![
            (r.report.label.clone(), line(&fan.p50)),
            ("flat betting".to_string(), line(&r.flat.fan.p50)),
        ];
    }
    lines_chart(
        &title,
        "round",
        "bankroll",
        &series,
        Some((r.bankroll, "start")),
    )
}

/// How the final bankrolls of the paths are spread (counts per bin).
pub fn final_bankroll_chart(r: &models::strategy::SimulationResult) -> Chart {
    let h = &r.report.final_histogram;
    let labels: Vec<String> = h
        .edges
        .windows(2)
        .map(|w| format!("{:.0}–{:.0}", w[0], w[1]))
        .collect();
    base("Final bankroll of the paths")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Category)
                .name("final bankroll")
                .data(labels),
        )
        .y_axis(Axis::new().type_(AxisType::Value).name("paths"))
        .series(
            Bar::new()
                .name("paths")
                .item_style(ItemStyle::new().color(colour(0)))
                .data(h.counts.iter().map(|&c| c as f64).collect::<Vec<_>>()),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_chart_draws_percentiles_and_flat_on_the_same_rounds() {
        let config = models::strategy::SimulationConfig {
            paths: 50,
            rounds: 300,
            ..Default::default()
        };
        let r = models::strategy::monte_carlo(&config, 1).unwrap();
        let json = serde_json::to_value(fan_chart(&r)).unwrap();
        let series = json["series"].as_array().unwrap();
        assert_eq!(series.len(), 6);
        assert!(series
            .iter()
            .all(|s| s["data"].as_array().unwrap().len() == 101));
        let finals = serde_json::to_value(final_bankroll_chart(&r)).unwrap();
        let counts: f64 = finals["series"][0]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert_eq!(counts, 50.0);
    }
}
