//! The numbers behind a chart as a table, and a one-sentence summary: every chart's text
//! alternative (for screen readers, and for copying the numbers). Both are read from the
//! chart's own option, so they cannot disagree with what is drawn.

use crate::chart_format::first;
use charming::Chart;
use serde_json::Value;

/// A table stops here (a long chart's table says how many rows it leaves out).
pub const MAX_ROWS: usize = 500;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartTable {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows after the first [`MAX_ROWS`], left out.
    pub omitted: usize,
    /// One sentence: what is drawn, how many points, over which range.
    pub summary: String,
}

/// One drawn series: its name and its points (x as text or number, y, the n behind y).
struct Series {
    name: String,
    points: Vec<(Cell, Option<f64>, Option<f64>)>,
}

impl Series {
    fn has_n(&self) -> bool {
        self.points.iter().any(|p| p.2.is_some())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Number(v) => number(*v),
            Cell::Text(s) => s.clone(),
        }
    }
}

/// The table and summary of `chart`.
pub fn chart_table(chart: &Chart) -> ChartTable {
    chart_table_of(&serde_json::to_value(chart).unwrap_or(Value::Null))
}

/// The table and summary of a chart's option (as ECharts reads it).
pub fn chart_table_of(option: &Value) -> ChartTable {
    let title = first(&option["title"])["text"]
        .as_str()
        .unwrap_or("Chart")
        .to_string();
    let (x_axis, y_axis) = (first(&option["xAxis"]), first(&option["yAxis"]));
    // Horizontal bars put the categories on the y axis and the values on x.
    let (category_axis, value_axis) = if is_category(y_axis) && !is_category(x_axis) {
        (y_axis, x_axis)
    } else {
        (x_axis, y_axis)
    };
    let categories: Option<Vec<Cell>> = is_category(category_axis).then(|| {
        category_axis["data"]
            .as_array()
            .map(|d| d.iter().map(cell).collect())
            .unwrap_or_default()
    });
    let x_name = axis_name(category_axis, "x");
    let y_name = axis_name(value_axis, "value");
    let series = read_series(&option["series"], categories.as_deref());
    let (columns, rows) = layout(&series, &x_name, &y_name);
    let summary = summary(&title, &series, &x_name, categories.is_some());
    let omitted = rows.len().saturating_sub(MAX_ROWS);
    ChartTable {
        title,
        columns,
        rows: rows.into_iter().take(MAX_ROWS).collect(),
        omitted,
        summary,
    }
}

fn is_category(axis: &Value) -> bool {
    axis["type"] == "category"
}

fn axis_name(axis: &Value, fallback: &str) -> String {
    axis["name"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

fn cell(v: &Value) -> Cell {
    match v {
        Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Cell::Text(s.clone()),
        Value::Object(o) => o.get("value").map_or(Cell::Text(String::new()), cell),
        other => Cell::Text(other.to_string()),
    }
}

/// A data item's point: `[x, y, n]`, `{value: …}`, or a bare y at its category's index
/// (an `[index, y, n]` on a category axis names its category too).
fn point(
    item: &Value,
    index: usize,
    categories: Option<&[Cell]>,
) -> (Cell, Option<f64>, Option<f64>) {
    let (position, y, n) = crate::chart_format::item(item, index);
    let x = match (&position, categories) {
        (Value::Number(i), Some(c)) => i
            .as_f64()
            .filter(|i| *i >= 0.0)
            .and_then(|i| c.get(i as usize).cloned())
            .unwrap_or_else(|| cell(&position)),
        _ => cell(&position),
    };
    (x, y, n)
}

fn read_series(series: &Value, categories: Option<&[Cell]>) -> Vec<Series> {
    let list = match series {
        Value::Array(s) => s.as_slice(),
        _ => &[],
    };
    list.iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let data = s["data"].as_array().filter(|d| !d.is_empty())?;
            Some(Series {
                name: s["name"]
                    .as_str()
                    .map_or_else(|| format!("series {}", k + 1), str::to_string),
                points: data
                    .iter()
                    .enumerate()
                    .map(|(i, item)| point(item, i, categories))
                    .collect(),
            })
        })
        .collect()
}

/// One row per x when every series has the same x values (one column per series), else
/// one row per point (series, x, y).
fn layout(series: &[Series], x_name: &str, y_name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let shared_x = series.windows(2).all(|w| {
        w[0].points.len() == w[1].points.len()
            && w[0]
                .points
                .iter()
                .zip(&w[1].points)
                .all(|(a, b)| a.0 == b.0)
    });
    if shared_x {
        let mut columns = vec![x_name.to_string()];
        for s in series {
            columns.push(s.name.clone());
            if s.has_n() {
                columns.push(format!("{} n", s.name));
            }
        }
        let n = series.first().map_or(0, |s| s.points.len());
        let rows = (0..n)
            .map(|i| {
                let mut row = vec![series[0].points[i].0.text()];
                for s in series {
                    row.push(y_text(s.points[i].1));
                    if s.has_n() {
                        row.push(y_text(s.points[i].2));
                    }
                }
                row
            })
            .collect();
        return (columns, rows);
    }
    let with_n = series.iter().any(Series::has_n);
    let mut columns = vec!["series".to_string(), x_name.to_string(), y_name.to_string()];
    if with_n {
        columns.push("n".into());
    }
    let rows = series
        .iter()
        .flat_map(|s| {
            s.points.iter().map(move |(x, y, n)| {
                let mut row = vec![s.name.clone(), x.text(), y_text(*y)];
                if with_n {
                    row.push(y_text(*n));
                }
                row
            })
        })
        .collect();
    (columns, rows)
}

fn y_text(y: Option<f64>) -> String {
    y.map_or_else(|| "–".to_string(), number)
}

fn summary(title: &str, series: &[Series], x_name: &str, categorical: bool) -> String {
    if series.is_empty() {
        return format!("{title}: no data yet.");
    }
    let names: Vec<String> = series
        .iter()
        .map(|s| format!("{} ({} points)", s.name, s.points.len()))
        .collect();
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| &p.0));
    let range = if categorical {
        let all: Vec<&Cell> = series[0].points.iter().map(|p| &p.0).collect();
        match (all.first(), all.last()) {
            (Some(a), Some(b)) => format!(", {x_name} from {} to {}", a.text(), b.text()),
            _ => String::new(),
        }
    } else {
        let numbers: Vec<f64> = xs
            .filter_map(|c| match c {
                Cell::Number(v) if v.is_finite() => Some(*v),
                _ => None,
            })
            .collect();
        let lo = numbers.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() {
            format!(", {x_name} from {} to {}", number(lo), number(hi))
        } else {
            String::new()
        }
    };
    format!("{title}: {}{range}.", names.join(", "))
}

/// Four significant digits, whole numbers in full.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 8) as usize;
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use charming::component::Axis;
    use charming::element::AxisType;
    use charming::series::{Bar, Line};

    #[test]
    fn a_category_chart_has_one_row_per_category_and_a_column_per_series() {
        let chart = Chart::new()
            .title(charming::component::Title::new().text("Shares"))
            .x_axis(
                Axis::new()
                    .type_(AxisType::Category)
                    .name("range")
                    .data(vec!["< 1.5", "1.5 – 3"]),
            )
            .series(Bar::new().name("observed").data(vec![35.5, 33.0]))
            .series(Bar::new().name("fair").data(vec![35.3, 32.3]));
        let t = chart_table(&chart);
        assert_eq!(t.title, "Shares");
        assert_eq!(t.columns, ["range", "observed", "fair"]);
        assert_eq!(
            t.rows,
            [["< 1.5", "35.50", "35.30"], ["1.5 – 3", "33", "32.30"]]
        );
        assert_eq!(
            t.summary,
            "Shares: observed (2 points), fair (2 points), range from < 1.5 to 1.5 – 3."
        );
    }

    #[test]
    fn series_on_other_x_values_are_listed_point_by_point() {
        let chart = Chart::new()
            .x_axis(Axis::new().type_(AxisType::Value).name("x"))
            .y_axis(Axis::new().type_(AxisType::Value).name("rate"))
            .series(
                Line::new()
                    .name("a")
                    .data(vec![vec![1.0, 0.5], vec![2.0, 0.25]]),
            )
            .series(Line::new().name("b").data(vec![vec![1.5, 0.4]]));
        let t = chart_table(&chart);
        assert_eq!(t.columns, ["series", "x", "rate"]);
        assert_eq!(
            t.rows,
            [
                ["a", "1", "0.5000"],
                ["a", "2", "0.2500"],
                ["b", "1.500", "0.4000"]
            ]
        );
        assert!(t.summary.ends_with("x from 1 to 2."), "{}", t.summary);
    }

    #[test]
    fn every_drawn_point_of_the_app_charts_is_in_the_table() {
        let points: Vec<models::summary::SurvivalPoint> = (1..=700)
            .map(|i| {
                let x = 1.0 + f64::from(i) / 10.0;
                models::summary::SurvivalPoint {
                    x,
                    empirical: 0.96 / x,
                    fair: 0.97 / x,
                    count: 1000,
                }
            })
            .collect();
        let t = chart_table(&crate::charts::survival_chart(&points, 0.03));
        // Both series share x: one row per point, capped, the rest counted.
        assert_eq!(t.columns, ["x", "observed", "observed n", "fair 0.97/x"]);
        assert_eq!((t.rows.len(), t.omitted), (MAX_ROWS, 700 - MAX_ROWS));
        for (row, p) in t.rows.iter().zip(&points) {
            assert_eq!(row[0], number(p.x));
            assert_eq!(row[1], number(p.empirical));
            assert_eq!(row[2], p.count.to_string());
            assert_eq!(row[3], number(p.fair));
        }
    }

    #[test]
    fn the_dashboards_category_chart_reads_as_its_shares() {
        let values: Vec<models::values::Multiplier> = (0..1000u32)
            .map(|i| models::values::Multiplier(100 + (i * 7919) % 2000))
            .collect();
        let shares = models::summary::category_shares(&values, 0.03);
        let t = chart_table(&crate::charts::categories_chart(&shares));
        assert_eq!(t.columns, ["multiplier", "observed", "fair game"]);
        assert_eq!(t.rows.len(), 4);
        for (row, c) in t.rows.iter().zip(&shares) {
            assert_eq!(row[0], c.label);
            assert_eq!(row[1], number((c.share * 1000.0).round() / 10.0));
        }
        assert!(
            t.summary
                .starts_with("Category shares (%): observed (4 points)"),
            "{}",
            t.summary
        );
    }

    #[test]
    fn a_continuation_chart_names_its_run_lengths_and_the_n_behind_each_bar() {
        let point = |k: usize, n: u64, hits: u64| models::analysis::ContinuationPoint {
            run_length: k,
            n,
            hits,
            rate: Some(hits as f64 / n as f64),
            low: 0.4,
            high: 0.6,
        };
        let c = models::analysis::StreakContinuation {
            threshold: 2.0,
            below: true,
            fair_rate: 0.485,
            empirical_rate: 0.49,
            points: vec![point(1, 3500, 1700), point(2, 1800, 880)],
        };
        let t = chart_table(&crate::report_charts::continuation_chart("after", &c));
        assert_eq!(
            t.columns,
            [
                "run length k",
                "observed",
                "observed n",
                "95% low",
                "95% high"
            ]
        );
        assert_eq!(t.rows[1][0], "2");
        assert_eq!(t.rows[1][2], "1800");
        assert_eq!(
            t.rows[1][1],
            number((880.0f64 / 1800.0 * 1000.0).round() / 10.0)
        );
    }

    #[test]
    fn an_empty_chart_says_so() {
        let t = chart_table(&Chart::new().title(charming::component::Title::new().text("Loss")));
        assert!(t.rows.is_empty());
        assert_eq!(t.summary, "Loss: no data yet.");
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(1234.0), "1234");
        assert_eq!(number(0.001234), "0.001234");
        assert_eq!(number(12.3456), "12.35");
        assert_eq!(number(-0.5), "-0.5000");
        assert_eq!(number(f64::NAN), "–");
    }
}
