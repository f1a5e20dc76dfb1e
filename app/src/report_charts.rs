//! Chart options of the models, backtest, analysis and live-scoring views (plain functions,
//! tested on the server; drawn by [`crate::charts::EChart`]).

use crate::views::{FeatureImportance, LossPoint};
use charming::component::{Axis, DataZoom, DataZoomType, Grid, Title};
use charming::element::{
    AxisType, ItemStyle, LineStyle, LineStyleType, MarkLine, MarkLineData, MarkLineVariant, Symbol,
    Tooltip, Trigger,
};
use charming::series::{Bar, Line};
use charming::Chart;
use models::analysis::{Autocorrelation, MovingShare, StreakContinuation};
use models::scores::Reliability;
use models::walkforward::Fold;

mod strategy;
pub use strategy::{fan_chart, final_bankroll_chart};

pub use crate::chart_format::PALETTE;
const GREY: &str = "#8a94a6";
const ORANGE: &str = "#f59e0b";

fn base(title: &str) -> Chart {
    Chart::new()
        .background_color("transparent")
        .title(Title::new().text(title).left("left"))
        .grid(Grid::new().left(64).right(64).top(56).bottom(60))
}

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

fn horizontal(y: f64, name: &str, color: &str) -> MarkLine {
    MarkLine::new()
        .symbol(vec![Symbol::None, Symbol::None])
        .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(color))
        .data(vec![MarkLineVariant::Simple(
            MarkLineData::new().y_axis(y).name(name),
        )])
}

/// A value x axis from the smallest to the largest of `xs`: it ends at the data, not at
/// the next round number (8,000 for 7,002 rounds).
fn data_x_axis(name: &str, xs: impl Iterator<Item = usize> + Clone) -> Axis {
    let axis = crate::charts::x_axis()
        .type_(AxisType::Value)
        .name(name)
        .scale(true);
    match (xs.clone().min(), xs.max()) {
        (Some(lo), Some(hi)) if hi > lo => axis.min(lo as f64).max(hi as f64),
        _ => axis,
    }
}

/// Lines of (x, y) points, one per named series, with a dashed line at `reference`.
pub fn lines_chart(
    title: &str,
    x_name: &str,
    y_name: &str,
    series: &[(String, Vec<(usize, f64)>)],
    reference: Option<(f64, &str)>,
) -> Chart {
    let x_axis = data_x_axis(
        x_name,
        series.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x)),
    );
    let mut chart = base(title)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(x_axis)
        .y_axis(Axis::new().type_(AxisType::Value).name(y_name).scale(true))
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside));
    for (i, (name, points)) in series.iter().enumerate() {
        let mut line = Line::new()
            .name(name.as_str())
            .symbol(Symbol::None)
            .line_style(LineStyle::new().width(1.5).color(colour(i)))
            .item_style(ItemStyle::new().color(colour(i)))
            .data(
                points
                    .iter()
                    .map(|(x, y)| vec![*x as f64, *y])
                    .collect::<Vec<_>>(),
            );
        if i == 0 {
            if let Some((y, label)) = reference {
                line = line.mark_line(horizontal(y, label, GREY));
            }
        }
        chart = chart.series(line);
    }
    chart
}

/// Observed frequency against the mean forecast per bin, with the diagonal of perfect
/// calibration.
pub fn reliability_chart(title: &str, series: &[(String, &Reliability)]) -> Chart {
    let mut lo = 1.0f64;
    let mut hi = 0.0f64;
    for (_, r) in series {
        for b in r.bins.iter().filter(|b| b.count > 0) {
            lo = lo.min(b.mean_forecast).min(b.observed);
            hi = hi.max(b.mean_forecast).max(b.observed);
        }
    }
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(0.01);
    let (lo, hi) = ((lo - pad).max(0.0), (hi + pad).min(1.0));
    let mut chart = base(title)
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(crate::charts::legend())
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Value)
                .name("forecast")
                .min(round3(lo))
                .max(round3(hi)),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("observed")
                .min(round3(lo))
                .max(round3(hi)),
        )
        .series(
            Line::new()
                .name("perfect calibration")
                .symbol(Symbol::None)
                .line_style(LineStyle::new().color(GREY).type_(LineStyleType::Dashed))
                .item_style(ItemStyle::new().color(GREY))
                .data(vec![vec![lo, lo], vec![hi, hi]]),
        );
    for (i, (name, r)) in series.iter().enumerate() {
        chart = chart.series(
            Line::new()
                .name(name.as_str())
                .symbol(Symbol::Circle)
                .symbol_size(7)
                .line_style(LineStyle::new().color(colour(i)))
                .item_style(ItemStyle::new().color(colour(i)))
                .data(
                    r.bins
                        .iter()
                        .filter(|b| b.count > 0)
                        .map(|b| vec![b.mean_forecast, b.observed, b.count as f64])
                        .collect::<Vec<_>>(),
                ),
        );
    }
    chart
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The fits of a walk-forward run: per fold, its training rows and the rounds it forecast.
pub fn folds_chart(folds: &[Fold]) -> Chart {
    let labels: Vec<String> = (1..=folds.len()).map(|i| format!("fit {i}")).collect();
    let offset: Vec<f64> = folds.iter().map(|f| f.train_start as f64).collect();
    let train: Vec<f64> = folds
        .iter()
        .map(|f| (f.train_end - f.train_start) as f64)
        .collect();
    let gap: Vec<f64> = folds
        .iter()
        .map(|f| f.first_forecast.saturating_sub(f.train_end) as f64)
        .collect();
    let test: Vec<f64> = folds
        .iter()
        .map(|f| (f.last_forecast + 1 - f.first_forecast) as f64)
        .collect();
    base("Folds: training rows and forecast rounds")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(crate::charts::x_axis().type_(AxisType::Value).name("round"))
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .inverse(true)
                .data(labels),
        )
        .series(
            Bar::new()
                .name("before the window")
                .stack("fold")
                .item_style(ItemStyle::new().color("transparent"))
                .data(offset),
        )
        .series(
            Bar::new()
                .name("training rows")
                .stack("fold")
                .item_style(ItemStyle::new().color(GREY))
                .data(train),
        )
        .series(
            Bar::new()
                .name("gap")
                .stack("fold")
                .item_style(ItemStyle::new().color("transparent"))
                .data(gap),
        )
        .series(
            Bar::new()
                .name("forecast rounds")
                .stack("fold")
                .item_style(ItemStyle::new().color(PALETTE[0]))
                .data(test),
        )
}

/// Train and validation loss per epoch of each network fit, numbered in order.
pub fn loss_chart(losses: &[LossPoint]) -> Chart {
    let mut members: Vec<String> = Vec::new();
    for p in losses {
        if !members.contains(&p.member) {
            members.push(p.member.clone());
        }
    }
    let mut chart = base("Network losses (BCE per epoch, in order of the fits)")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Value)
                .name("epoch #"),
        )
        .y_axis(Axis::new().type_(AxisType::Value).name("loss").scale(true));
    for (i, member) in members.iter().enumerate() {
        let points: Vec<(usize, &LossPoint)> = losses
            .iter()
            .enumerate()
            .filter(|(_, p)| &p.member == member)
            .collect();
        let short = member.split(" (").next().unwrap_or(member);
        chart = chart
            .series(
                Line::new()
                    .name(format!("{short} train"))
                    .symbol(Symbol::None)
                    .line_style(LineStyle::new().color(colour(i)))
                    .item_style(ItemStyle::new().color(colour(i)))
                    .data(
                        points
                            .iter()
                            .map(|(k, p)| vec![*k as f64, p.train_loss])
                            .collect::<Vec<_>>(),
                    ),
            )
            .series(
                Line::new()
                    .name(format!("{short} validation"))
                    .symbol(Symbol::None)
                    // A colour of its own (and dashed): one colour for both read as one line.
                    .line_style(
                        LineStyle::new()
                            .color(colour(i + members.len()))
                            .type_(LineStyleType::Dashed),
                    )
                    .item_style(ItemStyle::new().color(colour(i + members.len())))
                    .data(
                        points
                            .iter()
                            .filter_map(|(k, p)| p.valid_loss.map(|v| vec![*k as f64, v]))
                            .collect::<Vec<_>>(),
                    ),
            );
    }
    chart
}

/// P(next ≥ t) after k rounds in a row below (or at/above) t, with its 95% interval, against
/// the fair and the history's rate.
pub fn continuation_chart(title: &str, c: &StreakContinuation) -> Chart {
    let k: Vec<String> = c.points.iter().map(|p| p.run_length.to_string()).collect();
    let pct = |x: f64| (x * 1000.0).round() / 10.0;
    // [k's index, rate, n]: the n behind each bar goes to its tooltip and data table.
    let rate: Vec<Vec<f64>> = c
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| vec![i as f64, p.rate.map_or(f64::NAN, pct), p.n as f64])
        .collect();
    let low: Vec<f64> = c.points.iter().map(|p| pct(p.low)).collect();
    let high: Vec<f64> = c.points.iter().map(|p| pct(p.high)).collect();
    let band = |name: &str, data: Vec<f64>| {
        Line::new()
            .name(name)
            .symbol(Symbol::None)
            .line_style(LineStyle::new().color(GREY).type_(LineStyleType::Dotted))
            .item_style(ItemStyle::new().color(GREY))
            .data(data)
    };
    base(title)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Category)
                .name("run length k")
                .data(k),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name(format!("% next ≥ {}x", c.threshold))
                .scale(true),
        )
        .series(
            Bar::new()
                .name("observed")
                .item_style(ItemStyle::new().color(PALETTE[0]))
                .data(rate)
                .mark_line(
                    MarkLine::new()
                        .symbol(vec![Symbol::None, Symbol::None])
                        .data(vec![
                            MarkLineVariant::Simple(
                                MarkLineData::new().y_axis(pct(c.fair_rate)).name("fair"),
                            ),
                            MarkLineVariant::Simple(
                                MarkLineData::new()
                                    .y_axis(pct(c.empirical_rate))
                                    .name("history"),
                            ),
                        ])
                        .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(ORANGE)),
                ),
        )
        .series(band("95% low", low))
        .series(band("95% high", high))
}

/// Autocorrelation bars with the ±1.96/√n band of a memoryless sequence.
pub fn acf_chart(title: &str, a: &Autocorrelation) -> Chart {
    let lags: Vec<String> = a.bars.iter().map(|b| b.lag.to_string()).collect();
    let values: Vec<f64> = a
        .bars
        .iter()
        .map(|b| (b.value * 1e4).round() / 1e4)
        .collect();
    let band = (a.band * 1e4).round() / 1e4;
    base(title)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Category)
                .name("lag")
                .data(lags),
        )
        .y_axis(Axis::new().type_(AxisType::Value).name("acf").scale(true))
        .series(
            Bar::new()
                .name(a.series.as_str())
                .item_style(ItemStyle::new().color(PALETTE[0]))
                .data(values)
                .mark_line(
                    MarkLine::new()
                        .symbol(vec![Symbol::None, Symbol::None])
                        .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(ORANGE))
                        .data(vec![
                            MarkLineVariant::Simple(MarkLineData::new().y_axis(band).name("+95%")),
                            MarkLineVariant::Simple(MarkLineData::new().y_axis(-band).name("−95%")),
                        ]),
                ),
        )
}

/// Moving shares of rounds ≥ t, with the fair rate and the band of the widest window.
pub fn moving_chart(moving: &[MovingShare]) -> Chart {
    let threshold = moving.first().map_or(2.0, |m| m.threshold);
    let mut chart = base(&format!("Moving share of rounds ≥ {threshold}x"))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(data_x_axis(
            "round",
            moving.iter().flat_map(|m| m.points.iter().map(|(x, _)| *x)),
        ))
        .y_axis(Axis::new().type_(AxisType::Value).name("share").scale(true))
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside));
    let widest = moving.iter().max_by_key(|m| m.window);
    for (i, m) in moving.iter().enumerate() {
        let mut line = Line::new()
            .name(format!("last {} rounds", m.window))
            .symbol(Symbol::None)
            .line_style(LineStyle::new().width(1).color(colour(i)))
            .item_style(ItemStyle::new().color(colour(i)))
            .data(
                m.points
                    .iter()
                    .map(|(x, y)| vec![*x as f64, *y, m.window as f64])
                    .collect::<Vec<_>>(),
            );
        if widest.is_some_and(|w| std::ptr::eq(w, m)) {
            line = line.mark_line(
                MarkLine::new()
                    .symbol(vec![Symbol::None, Symbol::None])
                    .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(GREY))
                    .data(vec![
                        MarkLineVariant::Simple(MarkLineData::new().y_axis(m.fair).name("fair")),
                        MarkLineVariant::Simple(
                            MarkLineData::new()
                                .y_axis(m.fair + m.band)
                                .name(format!("95% band, {}", m.window)),
                        ),
                        MarkLineVariant::Simple(
                            MarkLineData::new()
                                .y_axis(m.fair - m.band)
                                .name(format!("95% band, {}", m.window)),
                        ),
                    ]),
            );
        }
        chart = chart.series(line);
    }
    chart
}

/// The most important features of one member.
pub fn importance_chart(fi: &FeatureImportance) -> Chart {
    let mut rows = fi.features.clone();
    rows.reverse(); // ECharts draws the first category at the bottom.
    let short = fi.member.split(" (").next().unwrap_or(&fi.member);
    Chart::new()
        .background_color("transparent")
        .title(Title::new().text(format!("Feature importance: {short}")))
        .grid(Grid::new().left(180).right(24).top(40).bottom(32))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(crate::charts::x_axis().type_(AxisType::Value).name("share"))
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(rows.iter().map(|(n, _)| n.clone()).collect()),
        )
        .series(
            Bar::new()
                .name("importance")
                .item_style(ItemStyle::new().color(PALETTE[2]))
                .data(
                    rows.iter()
                        .map(|(_, v)| (v * 1e4).round() / 1e4)
                        .collect::<Vec<_>>(),
                ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn json(c: &Chart) -> Value {
        serde_json::to_value(c).unwrap()
    }

    #[test]
    fn folds_stack_to_the_forecast_rounds() {
        let folds = vec![
            Fold {
                train_start: 0,
                train_end: 500,
                first_forecast: 500,
                last_forecast: 999,
            },
            Fold {
                train_start: 200,
                train_end: 995,
                first_forecast: 1000,
                last_forecast: 1499,
            },
        ];
        let j = json(&folds_chart(&folds));
        let series = j["series"].as_array().unwrap();
        assert_eq!(series.len(), 4);
        // offset + train + gap = first forecast round of each fold.
        for (k, f) in folds.iter().enumerate() {
            let sum: f64 = (0..3).map(|s| series[s]["data"][k].as_f64().unwrap()).sum();
            assert_eq!(sum as usize, f.first_forecast);
            assert_eq!(
                series[3]["data"][k].as_f64().unwrap() as usize,
                f.last_forecast - f.first_forecast + 1
            );
        }
    }

    #[test]
    fn acf_chart_draws_the_band_both_sides() {
        let a = Autocorrelation {
            series: "ln X".into(),
            n: 400,
            band: 0.098,
            bars: vec![models::analysis::AcfBar {
                lag: 1,
                value: 0.01,
            }],
        };
        let j = json(&acf_chart("acf", &a));
        let lines = j["series"][0]["markLine"]["data"].as_array().unwrap();
        assert_eq!(lines[0]["yAxis"], 0.098);
        assert_eq!(lines[1]["yAxis"], -0.098);
    }

    #[test]
    fn loss_chart_has_train_and_validation_per_member() {
        let p = |m: &str, e: usize, v: Option<f64>| LossPoint {
            member: m.into(),
            epoch: e,
            train_loss: 0.6,
            valid_loss: v,
        };
        let losses = vec![
            p("mlp (16)", 1, Some(0.7)),
            p("mlp (16)", 2, None),
            p("gru (8)", 1, Some(0.5)),
        ];
        let j = json(&loss_chart(&losses));
        let series = j["series"].as_array().unwrap();
        assert_eq!(series.len(), 4);
        assert_eq!(series[0]["name"], "mlp train");
        assert_eq!(series[0]["data"].as_array().unwrap().len(), 2);
        assert_eq!(series[1]["data"].as_array().unwrap().len(), 1);
        // Every line has a colour of its own: train and validation are told apart.
        let colours: std::collections::HashSet<String> = series
            .iter()
            .map(|s| s["lineStyle"]["color"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(colours.len(), 4);
    }

    #[test]
    fn every_legend_is_one_line_right_of_the_y_axis_name() {
        let losses = vec![LossPoint {
            member: "mlp (16)".into(),
            epoch: 1,
            train_loss: 0.6,
            valid_loss: Some(0.7),
        }];
        let j = json(&loss_chart(&losses));
        assert_eq!(j["legend"]["type"], "scroll");
        assert_eq!(j["legend"]["left"], crate::charts::LEGEND_LEFT);
        // The y axis name sits above the axis, at the grid's left margin.
        assert!(
            j["grid"][0]["left"].as_f64().unwrap() + 40.0 < f64::from(crate::charts::LEGEND_LEFT)
        );
    }

    #[test]
    fn reliability_chart_has_the_diagonal_and_skips_empty_bins() {
        let r = models::scores::reliability(
            &[0.1, 0.2, 0.8, 0.9],
            &[false, false, true, true],
            models::scores::Binning::Uniform(10),
        )
        .unwrap();
        let j = json(&reliability_chart("r", &[("m".into(), &r)]));
        assert_eq!(j["series"][0]["name"], "perfect calibration");
        assert_eq!(j["series"][1]["data"].as_array().unwrap().len(), 4);
    }
}
