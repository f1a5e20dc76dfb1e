use super::*;
use crate::types::ChartPoint;
use proptest::prelude::*;
use serde_json::json;

#[test]
fn units_follow_the_axis_names_the_charts_use() {
    for (name, unit) in [
        ("round", Unit::Round),
        ("multiplier", Unit::Multiplier),
        ("x", Unit::Multiplier),
        ("cash-out c", Unit::Multiplier),
        ("%", Unit::Percent),
        ("% next ≥ 2x", Unit::Percent),
        ("P(X ≥ x)", Unit::Probability),
        ("share", Unit::Probability),
        ("rate", Unit::Probability),
        ("rounds", Unit::Count),
        ("epoch #", Unit::Count),
        ("loss", Unit::Number),
        ("", Unit::Number),
    ] {
        assert_eq!(unit_of(name), unit, "{name}");
    }
}

#[test]
fn values_are_written_in_their_unit() {
    assert_eq!(format_value(Unit::Round, 6954.0), "#6,954");
    assert_eq!(format_value(Unit::Multiplier, 2.3123), "2.31x");
    assert_eq!(format_value(Unit::Multiplier, 1234.5), "1,235x");
    assert_eq!(format_value(Unit::Percent, 48.46), "48.5%");
    assert_eq!(format_value(Unit::Probability, 0.4846), "48.5%");
    assert_eq!(format_value(Unit::Probability, 0.04846), "4.85%");
    assert_eq!(format_value(Unit::Probability, 0.004846), "0.485%");
    assert_eq!(format_value(Unit::Count, 12345.0), "12,345");
    assert_eq!(format_value(Unit::Count, 12.34), "12.3");
    assert_eq!(format_value(Unit::Number, 0.0123456), "0.01235");
    assert_eq!(format_value(Unit::Number, -3.0), "−3");
    assert_eq!(format_value(Unit::Number, f64::NAN), "–");
}

#[test]
fn a_last_rounds_tooltip_names_the_round_and_the_multiplier() {
    let points = vec![
        ChartPoint {
            position: 6953,
            value: 1.2,
        },
        ChartPoint {
            position: 6954,
            value: 2.31,
        },
    ];
    let option = serde_json::to_value(crate::charts::last_rounds_chart(&points)).unwrap();
    let t = tooltip(&option, &[(0, 1)]);
    assert_eq!(t.heading, "round #6,954");
    assert_eq!(t.lines[0].series, "multiplier");
    assert_eq!(t.lines[0].value, "2.31x");
    assert_eq!(t.text(), "round #6,954\nmultiplier: 2.31x");
}

#[test]
fn a_survival_tooltip_carries_the_n_behind_the_point() {
    let points = vec![models::summary::SurvivalPoint {
        x: 2.0,
        empirical: 0.4871,
        fair: 0.485,
        count: 3410,
    }];
    let option = serde_json::to_value(crate::charts::survival_chart(&points, 0.03)).unwrap();
    let t = tooltip(&option, &[(0, 0), (1, 0)]);
    assert_eq!(t.heading, "x: 2.00x");
    assert_eq!(t.lines[0].value, "48.7% · n = 3,410");
    assert_eq!(t.lines[1].value, "48.5%");
}

#[test]
fn category_tooltips_name_the_category_and_skip_spacer_bars() {
    let folds = vec![models::walkforward::Fold {
        train_start: 100,
        train_end: 600,
        first_forecast: 600,
        last_forecast: 699,
    }];
    let option = serde_json::to_value(crate::report_charts::folds_chart(&folds)).unwrap();
    let t = tooltip(&option, &[(0, 0), (1, 0), (2, 0), (3, 0)]);
    assert_eq!(t.heading, "fit 1");
    let names: Vec<&str> = t.lines.iter().map(|l| l.series.as_str()).collect();
    assert_eq!(names, ["training rows", "forecast rounds"]);
    assert_eq!(t.lines[0].value, "500");
    assert_eq!(t.lines[1].value, "100");
}

#[test]
fn the_html_escapes_every_name() {
    let option = json!({
        "xAxis": {"type": "category", "name": "k", "data": ["<b>"]},
        "yAxis": {"type": "value", "name": "%"},
        "series": [{"name": "a & <i>", "data": [12.0], "itemStyle": {"color": "#fff"}}]
    });
    let html = tooltip(&option, &[(0, 0)]).html();
    assert!(html.contains("k: &lt;b&gt;"), "{html}");
    assert!(
        html.contains("a &amp; &lt;i&gt;: <strong>12.0%</strong>"),
        "{html}"
    );
    assert!(!html.contains("<i>") && !html.contains("<b>"));
}

#[test]
fn missing_points_and_series_give_dashes_not_panics() {
    let option = json!({"series": [{"name": "s", "data": [null]}]});
    let t = tooltip(&option, &[(0, 0), (3, 9)]);
    assert_eq!(t.lines[0].value, "–");
    assert_eq!(t.lines.len(), 2);
}

proptest! {
    /// Four significant digits read back within half a unit of the fourth digit.
    #[test]
    fn significant_digits_round_trip(v in -1e9f64..1e9) {
        prop_assume!(v.abs() > 1e-9);
        let text = significant(v, 4).replace('−', "-");
        let back: f64 = text.parse().unwrap();
        let unit = 10f64.powi(v.abs().log10().floor() as i32 - 3);
        prop_assert!((back - v).abs() <= unit * 0.5 + 1e-9 * v.abs(), "{v} → {text}");
    }

    /// Percentages keep three significant digits of the probability at any size.
    #[test]
    fn probabilities_keep_three_digits(p in 1e-6f64..1.0) {
        let text = format_value(Unit::Probability, p);
        let back: f64 = text.trim_end_matches('%').parse::<f64>().unwrap() / 100.0;
        prop_assert!((back - p).abs() <= p * 0.01, "{p} → {text}");
    }
}
