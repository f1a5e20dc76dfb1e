//! The app's charts as static SVG, for the downloadable report: the same option the page
//! gives ECharts (title, legend, value / log / category axes, lines, bars, stacks, scatter,
//! dashed reference lines), drawn without a script. Hovering a point shows its tooltip
//! (an SVG `<title>`, written by [`crate::chart_format`], so it says what the page says).

mod scale;

use crate::chart_format::{axes, escape, first, item, tooltip, PALETTE};
use charming::Chart;
use scale::Scale;
use serde_json::Value;
use std::fmt::Write as _;

/// The drawing's width in user units (it scales to its container).
pub const WIDTH: f64 = 760.0;
/// Most points of one series that get a hover title (evenly spaced).
const MAX_TITLES: usize = 200;
const TEXT: &str = "#cbd5e1";
const MUTED: &str = "#8a94a6";
const GRID: &str = "#2a3342";

/// The plot area and its scales.
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    x: Scale,
    y: Scale,
    horizontal: bool,
}

impl Frame {
    fn px(&self, t: f64) -> f64 {
        self.left + t * self.width
    }
    fn py(&self, t: f64) -> f64 {
        self.top + (1.0 - t) * self.height
    }
    /// A point's screen position from its (position, value) on the chart's axes.
    fn point(&self, position: f64, value: f64) -> Option<(f64, f64)> {
        let (x, y) = if self.horizontal {
            (self.x.at(value)?, self.y.at(position)?)
        } else {
            (self.x.at(position)?, self.y.at(value)?)
        };
        (x.is_finite() && y.is_finite()).then(|| (self.px(x), self.py(y)))
    }
}

/// One series' points: (position on the category or x axis, value, value below it when
/// stacked).
struct Drawn<'a> {
    index: usize,
    option: &'a Value,
    kind: &'a str,
    colour: String,
    points: Vec<(usize, f64, f64, f64)>,
}

/// `chart` as an SVG document `height` units tall.
pub fn svg(chart: &Chart, height: u32) -> String {
    let option = serde_json::to_value(chart).unwrap_or_default();
    render(&option, f64::from(height.max(160)))
}

fn render(option: &Value, height: f64) -> String {
    let title = first(&option["title"])["text"].as_str().unwrap_or("");
    let a = axes(option);
    let series = drawn_series(option, &a);
    let legend = if option["legend"].is_null() {
        Vec::new()
    } else {
        legend_items(&series)
    };
    let legend_rows = legend_layout(&legend)
        .last()
        .map_or(0, |(_, _, row)| row + 1);
    let category_labels = if a.horizontal {
        a.y["data"].as_array().map_or(0, |d| {
            d.iter()
                .map(|v| v.as_str().map_or(4, str::len))
                .max()
                .unwrap_or(4)
        })
    } else {
        0
    };
    let left = if a.horizontal {
        (category_labels as f64 * 6.5 + 16.0).clamp(64.0, 220.0)
    } else {
        64.0
    };
    let top = 34.0 + legend_rows as f64 * 18.0 + 18.0;
    let (positions, values, marks) = extents(&series);
    let (x_values, y_values) = if a.horizontal {
        (values, positions)
    } else {
        (positions, values)
    };
    let bars = series.iter().any(|s| s.kind == "bar");
    let mut y_values = y_values;
    if !a.horizontal {
        y_values.extend(&marks);
    }
    let frame = Frame {
        left,
        top,
        width: WIDTH - left - 28.0,
        height: height - top - 46.0,
        x: Scale::of(a.x, &x_values, bars && a.horizontal),
        y: Scale::of(a.y, &y_values, bars && !a.horizontal),
        horizontal: a.horizontal,
    };
    let summary = crate::chart_table::chart_table_of(option).summary;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" class=\"chart-svg\" role=\"img\" font-family=\"system-ui, sans-serif\"><title>{}</title>",
        escape(&summary)
    );
    let _ = write!(
        out,
        "<text x=\"8\" y=\"20\" fill=\"{TEXT}\" font-size=\"14\" font-weight=\"600\">{}</text>",
        escape(title)
    );
    draw_legend(&mut out, &legend);
    draw_axes(&mut out, &frame, &a);
    for s in &series {
        match s.kind {
            "bar" => draw_bars(&mut out, &frame, s, &series, option),
            _ => draw_line(&mut out, &frame, s, option),
        }
        draw_marks(&mut out, &frame, s);
    }
    out.push_str("</svg>");
    out
}

/// Every series with its points, stacked bars on top of the ones before them.
fn drawn_series<'a>(option: &'a Value, a: &crate::chart_format::Axes<'_>) -> Vec<Drawn<'a>> {
    let category = if a.horizontal { a.y } else { a.x };
    let scale = Scale::of(category, &[], false);
    let mut stacks: std::collections::HashMap<String, Vec<f64>> = Default::default();
    let list = option["series"].as_array().map_or(&[][..], Vec::as_slice);
    list.iter()
        .enumerate()
        .map(|(k, s)| {
            let colour = s["lineStyle"]["color"]
                .as_str()
                .or(s["itemStyle"]["color"].as_str())
                .unwrap_or(PALETTE[k % PALETTE.len()])
                .to_string();
            let stack = s["stack"].as_str().map(str::to_string);
            let data = s["data"].as_array().map_or(&[][..], Vec::as_slice);
            let points = data
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    let (position, value, _) = item(d, i);
                    let position = scale.position(&position)?;
                    let value = value?;
                    let base = match &stack {
                        Some(name) => {
                            let sums = stacks.entry(name.clone()).or_default();
                            if sums.len() <= i {
                                sums.resize(i + 1, 0.0);
                            }
                            let base = sums[i];
                            sums[i] += value;
                            base
                        }
                        None => 0.0,
                    };
                    Some((i, position, base + value, base))
                })
                .collect();
            Drawn {
                index: k,
                option: s,
                kind: s["type"].as_str().unwrap_or("line"),
                colour,
                points,
            }
        })
        .collect()
}

/// The positions and values drawn, and the reference lines' values.
fn extents(series: &[Drawn<'_>]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut positions = Vec::new();
    let mut values = Vec::new();
    let mut marks = Vec::new();
    for s in series {
        for &(_, p, v, base) in &s.points {
            positions.push(p);
            values.push(v);
            // A bar reaches down to its base; a line is only its points.
            if s.kind == "bar" {
                values.push(base);
            }
        }
        marks.extend(mark_values(s.option).into_iter().map(|(v, _)| v));
    }
    (positions, values, marks)
}

fn mark_values(series: &Value) -> Vec<(f64, String)> {
    series["markLine"]["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|m| {
                    let v = m["yAxis"].as_f64()?;
                    Some((v, m["name"].as_str().unwrap_or("").to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn is_dashed(series: &Value) -> Option<&'static str> {
    match series["lineStyle"]["type"].as_str() {
        Some("dashed") => Some("6 4"),
        Some("dotted") => Some("2 3"),
        _ => None,
    }
}

/// Named, visible series: (name, colour, dash).
fn legend_items(series: &[Drawn<'_>]) -> Vec<(String, String, Option<&'static str>)> {
    series
        .iter()
        .filter(|s| s.colour != "transparent")
        .filter_map(|s| {
            let name = s.option["name"].as_str()?;
            Some((name.to_string(), s.colour.clone(), is_dashed(s.option)))
        })
        .collect()
}

/// Each legend entry's (x, width, row): entries wrap onto new rows, never over the plot.
fn legend_layout(items: &[(String, String, Option<&'static str>)]) -> Vec<(f64, f64, usize)> {
    let mut out = Vec::new();
    let (mut x, mut row) = (8.0, 0usize);
    for (name, _, _) in items {
        let w = 26.0 + name.chars().count() as f64 * 6.6 + 14.0;
        if x + w > WIDTH - 8.0 && x > 8.0 {
            (x, row) = (8.0, row + 1);
        }
        out.push((x, w, row));
        x += w;
    }
    out
}

fn draw_legend(out: &mut String, items: &[(String, String, Option<&'static str>)]) {
    for ((name, colour, dash), (x, _, row)) in items.iter().zip(legend_layout(items)) {
        let y = 40.0 + row as f64 * 18.0;
        let dash = dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""));
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"3\"{dash}/><text x=\"{}\" y=\"{}\" fill=\"{TEXT}\" font-size=\"12\">{}</text>",
            x + 20.0,
            escape(colour),
            x + 26.0,
            y + 4.0,
            escape(name)
        );
    }
}

fn draw_axes(out: &mut String, f: &Frame, a: &crate::chart_format::Axes<'_>) {
    let (bottom, right) = (f.top + f.height, f.left + f.width);
    for (t, label) in f.y.ticks() {
        let y = f.py(t);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/><text x=\"{}\" y=\"{:.1}\" fill=\"{MUTED}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            f.left,
            f.left - 6.0,
            y + 4.0,
            escape(&label)
        );
    }
    for (t, label) in f.x.ticks() {
        let x = f.px(t);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{bottom}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"{MUTED}\"/><text x=\"{x:.1}\" y=\"{}\" fill=\"{MUTED}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            bottom + 4.0,
            bottom + 16.0,
            escape(&label)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"{MUTED}\"/>",
        f.left
    );
    if let Some(name) = a.y["name"].as_str().filter(|n| !n.is_empty()) {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"{MUTED}\" font-size=\"11\">{}</text>",
            f.left - 40.0_f64.min(f.left - 4.0),
            f.top - 14.0,
            escape(name)
        );
    }
    if let Some(name) = a.x["name"].as_str().filter(|n| !n.is_empty()) {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" fill=\"{MUTED}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            f.left + f.width / 2.0,
            bottom + 34.0,
            escape(name)
        );
    }
}

/// The hover text of point `i` of series `s`: on a category chart every series at that
/// category, else the point alone.
fn title_of(option: &Value, f: &Frame, s: usize, i: usize) -> String {
    let category = matches!(if f.horizontal { &f.y } else { &f.x }, Scale::Band { .. });
    let hovered: Vec<(usize, usize)> = if category {
        let n = option["series"].as_array().map_or(0, Vec::len);
        (0..n).map(|k| (k, i)).collect()
    } else {
        vec![(s, i)]
    };
    escape(&tooltip(option, &hovered).text())
}

fn draw_line(out: &mut String, f: &Frame, s: &Drawn<'_>, option: &Value) {
    let mut path = String::new();
    let mut pen_up = true;
    for &(_, p, v, _) in &s.points {
        match f.point(p, v) {
            Some((x, y)) => {
                let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_up { "M" } else { "L" });
                pen_up = false;
            }
            None => pen_up = true,
        }
    }
    let scatter = s.kind == "scatter";
    let colour = escape(&s.colour);
    if !scatter && !path.is_empty() {
        let dash =
            is_dashed(s.option).map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""));
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash}/>",
            path.trim_end()
        );
    }
    let visible = scatter || s.option["symbol"].as_str().is_some_and(|m| m != "none");
    let radius = if scatter {
        s.option["symbolSize"].as_f64().unwrap_or(6.0) / 2.0
    } else {
        2.5
    };
    let every = s.points.len().div_ceil(MAX_TITLES).max(1);
    for (k, &(i, p, v, _)) in s.points.iter().enumerate() {
        if !visible && k % every != 0 {
            continue;
        }
        let Some((x, y)) = f.point(p, v) else {
            continue;
        };
        let fill = if visible {
            colour.as_str()
        } else {
            "transparent"
        };
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{radius}\" fill=\"{fill}\"><title>{}</title></circle>",
            title_of(option, f, s.index, i)
        );
    }
}

fn draw_bars(out: &mut String, f: &Frame, s: &Drawn<'_>, all: &[Drawn<'_>], option: &Value) {
    // Bars side by side: one slot per unstacked series, one per stack.
    let mut slots: Vec<String> = Vec::new();
    for b in all.iter().filter(|b| b.kind == "bar") {
        let key = b.option["stack"]
            .as_str()
            .map_or_else(|| format!("#{}", b.index), str::to_string);
        if !slots.contains(&key) {
            slots.push(key);
        }
    }
    let key = s.option["stack"]
        .as_str()
        .map_or_else(|| format!("#{}", s.index), str::to_string);
    let slot = slots.iter().position(|k| *k == key).unwrap_or(0) as f64;
    let band = if f.horizontal { f.y.band() } else { f.x.band() };
    let width = band * 0.7 / slots.len().max(1) as f64;
    let offset = -band * 0.35 + width * slot;
    for &(i, p, v, base) in &s.points {
        let (Some(a), Some(b)) = (f.point(p, base), f.point(p, v)) else {
            continue;
        };
        let (x, y, w, h) = if f.horizontal {
            let t = f.y.at(p).unwrap_or(0.0);
            let y0 = f.py(t) - (offset + width) * f.height;
            (a.0.min(b.0), y0, (b.0 - a.0).abs(), width * f.height)
        } else {
            let t = f.x.at(p).unwrap_or(0.0);
            (
                f.px(t + offset),
                a.1.min(b.1),
                width * f.width,
                (b.1 - a.1).abs(),
            )
        };
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}</title></rect>",
            escape(&s.colour),
            title_of(option, f, s.index, i)
        );
    }
}

/// A series' dashed reference lines across the plot, named at their right end.
fn draw_marks(out: &mut String, f: &Frame, s: &Drawn<'_>) {
    let colour = s.option["markLine"]["lineStyle"]["color"]
        .as_str()
        .unwrap_or(MUTED);
    for (v, name) in mark_values(s.option) {
        let Some(t) = f.y.at(v).filter(|t| (0.0..=1.0).contains(t)) else {
            continue;
        };
        let y = f.py(t);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\" fill=\"{MUTED}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
            f.left,
            f.left + f.width,
            escape(colour),
            f.left + f.width,
            y - 3.0,
            escape(&name)
        );
    }
}

#[cfg(test)]
mod tests;
