//! Chart options built with `charming` (plain functions, testable on the server) and the
//! component that draws them with ECharts in the browser.

use crate::chart_table::{chart_table, ChartTable};
use crate::types::ChartPoint;
use charming::component::{Axis, DataZoom, DataZoomType, Grid, Legend, LegendType, Title};
use charming::element::{
    AxisType, ItemStyle, Label, LabelPosition, LineStyle, LineStyleType, MarkLine, MarkLineData,
    MarkLineVariant, NameLocation, Symbol, Tooltip, Trigger,
};
use charming::series::{Bar, Line};
use charming::Chart;
use leptos::prelude::*;
use models::summary::{Bin, CategoryShare, SurvivalPoint};

const BLUE: &str = "#4f8cff";
const GREY: &str = "#8a94a6";
const ORANGE: &str = "#f59e0b";
const RED: &str = "#ef4444";

/// An x axis whose name sits centred under the tick labels: at the default end position
/// it ran past the plot and was cut off ("multiplie", "run lengt").
pub fn x_axis() -> Axis {
    Axis::new().name_location(NameLocation::Middle).name_gap(26)
}

/// The legend: one line at the top right that pages when its entries do not fit, starting
/// right of the y axis's name (a legend that wrapped onto a second line covered it).
pub fn legend() -> Legend {
    Legend::new()
        .type_(LegendType::Scroll)
        .top(24)
        .left(LEGEND_LEFT)
        .right(8)
}

/// Left edge of the legend, in pixels: clear of the y axis name above a 64 px grid margin.
pub const LEGEND_LEFT: i32 = 140;

fn base(title: &str) -> Chart {
    Chart::new()
        .background_color("transparent")
        .title(Title::new().text(title).left("left"))
        .grid(Grid::new().left(56).right(56).top(48).bottom(56))
}

/// The last rounds on a log axis, with reference lines at 1.5x, 2x and 10x.
pub fn last_rounds_chart(points: &[ChartPoint]) -> Chart {
    let reference =
        |y: f64| MarkLineVariant::Simple(MarkLineData::new().y_axis(y).name(format!("{y}x")));
    let data: Vec<Vec<f64>> = points
        .iter()
        .map(|p| vec![p.position as f64, p.value])
        .collect();
    let (first, last) = (
        points.first().map_or(1.0, |p| p.position as f64),
        points.last().map_or(1.0, |p| p.position as f64),
    );
    let span =
        points.last().map_or(0, |p| p.position) - points.first().map_or(1, |p| p.position) + 1;
    let title = if (points.len() as i64) < span {
        format!("Last {span} rounds (lowest and highest of each stretch)")
    } else {
        format!("Last {} rounds", points.len())
    };
    base(&title)
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Value)
                .name("round")
                .min(first)
                .max(last)
                .min_interval(1),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Log)
                .name("multiplier")
                .min(1)
                .log_base(10),
        )
        .data_zoom(
            DataZoom::new()
                .type_(DataZoomType::Inside)
                .start(0)
                .end(100),
        )
        .data_zoom(
            DataZoom::new()
                .type_(DataZoomType::Slider)
                .bottom(8)
                .start(0)
                .end(100),
        )
        .series(
            Line::new()
                .name("multiplier")
                .symbol(Symbol::Circle)
                .symbol_size(4)
                // A dot per round is drawn on hover only: 200 dots cost a third of the
                // redraw after every typed round (measured in Chromium).
                .show_symbol(false)
                .line_style(LineStyle::new().width(1).color(BLUE))
                .item_style(ItemStyle::new().color(BLUE))
                .data(data)
                .mark_line(
                    MarkLine::new()
                        .symbol(vec![Symbol::None, Symbol::None])
                        .label(
                            Label::new()
                                .position(LabelPosition::InsideEndTop)
                                .formatter("{b}"),
                        )
                        .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(ORANGE))
                        .data(vec![reference(1.5), reference(2.0), reference(10.0)]),
                ),
        )
}

fn bin_label(b: &Bin) -> String {
    format!("{:.2}–{:.2}", b.low, b.high)
}

/// Counts per log-spaced bin next to what a fair game would give.
pub fn histogram_chart(bins: &[Bin]) -> Chart {
    base("Distribution (log-spaced bins)")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Category)
                .name("multiplier")
                .data(bins.iter().map(bin_label).collect()),
        )
        .y_axis(Axis::new().type_(AxisType::Value).name("rounds"))
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside))
        .series(
            Bar::new()
                .name("observed")
                .item_style(ItemStyle::new().color(BLUE))
                .data(bins.iter().map(|b| b.count as f64).collect()),
        )
        .series(
            Line::new()
                .name("fair game")
                .symbol(Symbol::None)
                .item_style(ItemStyle::new().color(GREY))
                .line_style(LineStyle::new().color(GREY).type_(LineStyleType::Dashed))
                .data(
                    bins.iter()
                        .map(|b| (b.fair_count * 10.0).round() / 10.0)
                        .collect(),
                ),
        )
}

/// Shares of the four ranges next to the fair-game shares.
pub fn categories_chart(categories: &[CategoryShare]) -> Chart {
    let pct = |x: f64| (x * 1000.0).round() / 10.0;
    base("Category shares (%)")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Category)
                .name("multiplier")
                .data(categories.iter().map(|c| c.label.clone()).collect()),
        )
        .y_axis(Axis::new().type_(AxisType::Value).name("%"))
        .series(
            Bar::new()
                .name("observed")
                .item_style(ItemStyle::new().color(BLUE))
                .data(categories.iter().map(|c| pct(c.share)).collect()),
        )
        .series(
            Bar::new()
                .name("fair game")
                .item_style(ItemStyle::new().color(GREY))
                .data(categories.iter().map(|c| pct(c.fair_share)).collect()),
        )
}

/// Empirical P(X ≥ x) against the fair (1−h)/x on log–log axes.
pub fn survival_chart(points: &[SurvivalPoint], house_edge: f64) -> Chart {
    // The third value is the n behind the point (its tooltip and data table show it).
    let empirical: Vec<Vec<f64>> = points
        .iter()
        .map(|p| vec![p.x, p.empirical, p.count as f64])
        .collect();
    let fair: Vec<Vec<f64>> = points.iter().map(|p| vec![p.x, p.fair]).collect();
    base("Survival P(X ≥ x)")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(crate::charts::legend())
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Log)
                .name("x")
                .min(1),
        )
        .y_axis(Axis::new().type_(AxisType::Log).name("P(X ≥ x)").max(1))
        .series(
            Line::new()
                .name("observed")
                .symbol(Symbol::Circle)
                .symbol_size(5)
                .item_style(ItemStyle::new().color(BLUE))
                .line_style(LineStyle::new().color(BLUE))
                .data(empirical),
        )
        .series(
            Line::new()
                .name(format!("fair {:.2}/x", 1.0 - house_edge))
                .symbol(Symbol::None)
                .item_style(ItemStyle::new().color(GREY))
                .line_style(LineStyle::new().color(GREY).type_(LineStyleType::Dashed))
                .data(fair),
        )
}

/// A chart drawn by ECharts in the browser. The server renders the empty box with its
/// size; the hydrated app draws into it and redraws when `chart` changes.
#[component]
pub fn EChart(
    /// DOM id of the chart box (ECharts is initialised on it).
    id: &'static str,
    /// The option to draw; `None` draws nothing.
    #[prop(into)]
    chart: Signal<Option<Chart>>,
    /// Height in pixels; the width follows the container.
    #[prop(default = 320)]
    height: u32,
    /// Drawn on the next frame (the chart a player watches after every round); the others
    /// are drawn when the page is idle.
    #[prop(optional)]
    urgent: bool,
) -> impl IntoView {
    // What the summary and the table describe: in the browser, the option ECharts shows
    // (a chart redrawn a moment after its data changed is not described by the new data).
    #[cfg(feature = "hydrate")]
    let shown = RwSignal::new(None::<Chart>);
    #[cfg(feature = "hydrate")]
    let described: Signal<Option<Chart>> = shown.into();
    #[cfg(not(feature = "hydrate"))]
    let described = chart;
    // The text alternative: a summary for screen readers, the numbers on request (built
    // only when opened: a long chart's table is hundreds of rows).
    let table = Memo::new(move |_| described.with(|c| c.as_ref().map(chart_table)));
    // A role="img" needs a name even before there is anything to draw.
    let summary = move || {
        table.with(|t| {
            t.as_ref()
                .map_or_else(|| "Chart: no data yet.".to_string(), |t| t.summary.clone())
        })
    };
    if use_context::<StaticCharts>().is_some() {
        return static_chart(chart, height).into_any();
    }
    #[cfg(feature = "hydrate")]
    crate::chart_draw::draw_in_browser(id, chart, shown, summary, urgent);
    #[cfg(not(feature = "hydrate"))]
    let _ = urgent;
    let open = RwSignal::new(false);
    view! {
        <div class="chart-box">
            <div id=id class="chart" role="img" aria-label=summary style=format!("height:{height}px")></div>
            <details class="chart-data" on:toggle=move |_| open.update(|o| *o = !*o)>
                <summary>"Data"</summary>
                {move || open.get().then(|| table.get().map(|t| view! { <ChartData t/> }))}
            </details>
        </div>
    }
    .into_any()
}

/// Provided where charts are drawn once as SVG (the downloadable report): no script runs
/// there, so each chart's numbers are in the page already, under its "Data" toggle.
#[derive(Debug, Clone, Copy)]
pub struct StaticCharts;

fn static_chart(chart: Signal<Option<Chart>>, height: u32) -> impl IntoView {
    chart.get_untracked().map(|c| {
        let svg = crate::chart_svg::svg(&c, height);
        let t = chart_table(&c);
        view! {
            <figure class="chart-box">
                <div class="chart-static" inner_html=svg></div>
                <details class="chart-data">
                    <summary>"Data"</summary>
                    <ChartData t/>
                </details>
            </figure>
        }
    })
}

/// A chart's numbers as a table (see [`chart_table`]).
#[component]
fn ChartData(t: ChartTable) -> impl IntoView {
    let label = format!("{} data", t.title);
    let omitted = (t.omitted > 0).then(|| {
        format!(
            "The first {} rows of {}.",
            t.rows.len(),
            t.rows.len() + t.omitted
        )
    });
    view! {
        <p class="muted chart-summary">{t.summary.clone()}</p>
        <div class="table-wrap chart-table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="rounds chart-table">
                <caption class="sr-only">{t.title.clone()}</caption>
                <thead><tr>{t.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>{t.rows.into_iter().map(|row| view! {
                    <tr>{row.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}</tr>
                }).collect_view()}</tbody>
            </table>
        </div>
        {omitted.map(|o| view! { <p class="muted">{o}</p> })}
    }
}

/// The listed rules' conditional rates P(X ≥ c | condition) against the fair line
/// (1 − h)/c and the break-even line 1/c (EV > 0 above it); confirmed rules stand out.
pub fn patterns_chart(rules: &[models::patterns::RuleReport], house_edge: f64) -> Chart {
    use charming::series::Scatter;
    let point = |r: &models::patterns::RuleReport| vec![r.cashout, r.rate, r.occurrences as f64];
    let plain: Vec<Vec<f64>> = rules.iter().filter(|r| !r.confirmed).map(point).collect();
    let confirmed: Vec<Vec<f64>> = rules
        .iter()
        .filter(|r| r.confirmed && r.direction != "unfavourable")
        .map(point)
        .collect();
    let avoid: Vec<Vec<f64>> = rules
        .iter()
        .filter(|r| r.confirmed && r.direction == "unfavourable")
        .map(point)
        .collect();
    let (lo, hi) = rules.iter().fold((1.1f64, 10.0f64), |(a, b), r| {
        (a.min(r.cashout), b.max(r.cashout))
    });
    let grid: Vec<f64> = (0..=40)
        .map(|i| lo * (hi / lo).powf(f64::from(i) / 40.0))
        .collect();
    let fair: Vec<Vec<f64>> = grid
        .iter()
        .map(|&c| vec![c, models::summary::fair_survival(c, house_edge)])
        .collect();
    let even: Vec<Vec<f64>> = grid.iter().map(|&c| vec![c, 1.0 / c]).collect();
    base("Conditional rate P(X ≥ c | rule) vs the fair law")
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(crate::charts::legend())
        .x_axis(
            crate::charts::x_axis()
                .type_(AxisType::Log)
                .name("cash-out c")
                .min(lo * 0.95)
                .max(hi * 1.05),
        )
        .y_axis(Axis::new().type_(AxisType::Log).name("rate"))
        .series(
            Scatter::new()
                .name("rule (not confirmed)")
                .symbol_size(6)
                .item_style(ItemStyle::new().color(BLUE))
                .data(plain),
        )
        .series(
            Scatter::new()
                .name("confirmed rule")
                .symbol_size(11)
                .item_style(ItemStyle::new().color(ORANGE))
                .data(confirmed),
        )
        .series(
            Scatter::new()
                .name("unfavourable (avoid)")
                .symbol_size(11)
                .item_style(ItemStyle::new().color(RED))
                .data(avoid),
        )
        .series(
            Line::new()
                .name(format!("fair {:.2}/c", 1.0 - house_edge))
                .symbol(Symbol::None)
                .item_style(ItemStyle::new().color(GREY))
                .line_style(LineStyle::new().color(GREY).type_(LineStyleType::Dashed))
                .data(fair),
        )
        .series(
            Line::new()
                .name("break-even 1/c")
                .symbol(Symbol::None)
                .item_style(ItemStyle::new().color("#e5e7eb"))
                .line_style(
                    LineStyle::new()
                        .color("#e5e7eb")
                        .type_(LineStyleType::Dotted),
                )
                .data(even),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// charming writes a single axis as an object and several as an array.
    fn first(v: &Value) -> &Value {
        if v.is_array() {
            &v[0]
        } else {
            v
        }
    }

    #[test]
    fn last_rounds_chart_has_log_axis_and_reference_lines() {
        let points: Vec<ChartPoint> = (1..=3)
            .map(|i| ChartPoint {
                position: i,
                value: i as f64 * 1.5,
            })
            .collect();
        let json = serde_json::to_value(last_rounds_chart(&points)).unwrap();
        assert_eq!(first(&json["yAxis"])["type"], "log");
        assert_eq!(
            json["series"][0]["data"].as_array().map(|a| a.len()),
            Some(3)
        );
        let lines: Vec<f64> = json["series"][0]["markLine"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["yAxis"].as_f64().unwrap())
            .collect();
        assert_eq!(lines, [1.5, 2.0, 10.0]);
        assert!(json["dataZoom"].as_array().is_some_and(|z| z.len() == 2));
    }

    #[test]
    fn survival_chart_is_log_log_with_the_fair_line() {
        let points = vec![SurvivalPoint {
            x: 2.0,
            empirical: 0.5,
            fair: 0.485,
            count: 1,
        }];
        let json = serde_json::to_value(survival_chart(&points, 0.03)).unwrap();
        assert_eq!(first(&json["xAxis"])["type"], "log");
        assert_eq!(first(&json["yAxis"])["type"], "log");
        assert_eq!(json["series"][1]["name"], "fair 0.97/x");
        assert_eq!(json["series"][1]["data"][0][1], 0.485);
    }
}
