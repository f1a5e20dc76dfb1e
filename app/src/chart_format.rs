//! A chart's numbers as its reader wants them. The unit of each axis is read from its name
//! ("round" → round #6,954, "P(X ≥ x)" → 48.5%), and a hovered point's tooltip carries the
//! n behind it (a series' data as `[x, y, n]`). The ECharts tooltips in the browser and the
//! SVG charts of the downloadable report both use it, so they say the same.

use crate::format::fmt_int;
use serde_json::Value;

/// Series colours, in order (the charts' and the SVG drawings').
pub const PALETTE: [&str; 8] = [
    "#4f8cff", "#f59e0b", "#22c55e", "#ef4444", "#a855f7", "#14b8a6", "#eab308", "#ec4899",
];

/// What an axis measures, and so how its values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A round's position: "round #6,954".
    Round,
    /// A crash multiplier or cash-out: "2.31x".
    Multiplier,
    /// A value already in percent: "48.5%".
    Percent,
    /// A probability or share in [0, 1], written as a percentage.
    Probability,
    /// A count: "1,234".
    Count,
    /// Anything else: four significant digits.
    Number,
}

/// The unit of an axis from its name (the names the chart builders use).
pub fn unit_of(axis_name: &str) -> Unit {
    let name = axis_name.trim().to_lowercase();
    if name == "round" {
        Unit::Round
    } else if name.contains('%') {
        Unit::Percent
    } else if ["multiplier", "x", "cash-out c"].contains(&name.as_str()) {
        Unit::Multiplier
    } else if name.starts_with("p(")
        || ["rate", "share", "forecast", "observed"].contains(&name.as_str())
    {
        Unit::Probability
    } else if [
        "rounds",
        "rounds seen",
        "scored prediction",
        "paths",
        "epoch #",
        "run length k",
        "lag",
        "bets",
    ]
    .contains(&name.as_str())
    {
        Unit::Count
    } else {
        Unit::Number
    }
}

/// `v` written in `unit` ("–" when it is missing or not a number).
pub fn format_value(unit: Unit, v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    match unit {
        Unit::Round => format!("#{}", signed_int(v)),
        Unit::Multiplier if v >= 100.0 => format!("{}x", signed_int(v)),
        Unit::Multiplier => format!("{v:.2}x"),
        Unit::Percent => format!("{v:.1}%"),
        Unit::Probability => percent(v * 100.0),
        Unit::Count if (v - v.round()).abs() < 1e-9 => signed_int(v),
        Unit::Count => format!("{v:.1}"),
        Unit::Number => significant(v, 4),
    }
}

/// A percentage with the digits its size needs: 48.5%, 4.85%, 0.485%.
fn percent(p: f64) -> String {
    match p.abs() {
        a if a >= 10.0 => format!("{p:.1}%"),
        a if a >= 1.0 => format!("{p:.2}%"),
        _ => format!("{}%", significant(p, 3)),
    }
}

fn signed_int(v: f64) -> String {
    let n = fmt_int(v.abs().round() as usize);
    if v < -0.5 {
        format!("−{n}")
    } else {
        n
    }
}

/// `v` with `digits` significant digits, without trailing zeros.
pub fn significant(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { "–".into() };
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).clamp(0, 12) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    text.replacen('-', "−", 1)
}

/// One hovered point's line: its series, the value and the n behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct TooltipLine {
    pub series: String,
    pub colour: Option<String>,
    pub value: String,
}

/// A tooltip: what was hovered (the x, or the category) and one line per series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tooltip {
    pub heading: String,
    pub lines: Vec<TooltipLine>,
}

impl Tooltip {
    /// As plain text, one line each (the SVG `<title>`).
    pub fn text(&self) -> String {
        let mut out = self.heading.clone();
        for l in &self.lines {
            out.push_str(&format!("\n{}: {}", l.series, l.value));
        }
        out
    }

    /// As the HTML ECharts shows, every name escaped, a dot of each series' colour.
    pub fn html(&self) -> String {
        let mut out = format!("<strong>{}</strong>", escape(&self.heading));
        for l in &self.lines {
            let dot = l.colour.as_deref().map_or(String::new(), |c| {
                format!(
                    "<span style=\"display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:{}\"></span>",
                    escape(c)
                )
            });
            out.push_str(&format!(
                "<br/>{dot}{}: <strong>{}</strong>",
                escape(&l.series),
                escape(&l.value)
            ));
        }
        out
    }
}

/// HTML text with `& < > "` escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The axes of a chart's option: the category axis (if any) and the value axis, and which
/// way round they are.
pub struct Axes<'a> {
    pub x: &'a Value,
    pub y: &'a Value,
    /// Categories on the y axis, values on x (horizontal bars).
    pub horizontal: bool,
}

/// ECharts takes one component or a list of them.
pub fn first(v: &Value) -> &Value {
    match v {
        Value::Array(items) => items.first().unwrap_or(&Value::Null),
        other => other,
    }
}

pub fn axes(option: &Value) -> Axes<'_> {
    let (x, y) = (first(&option["xAxis"]), first(&option["yAxis"]));
    let horizontal = y["type"] == "category" && x["type"] != "category";
    Axes { x, y, horizontal }
}

fn axis_name(axis: &Value) -> &str {
    axis["name"].as_str().unwrap_or("")
}

/// A data item's (position, value, n): `[x, y, n]`, `{value: …}` or a bare value at its
/// index (the position is then the index).
pub fn item(data: &Value, index: usize) -> (Value, Option<f64>, Option<f64>) {
    let item = data.get("value").unwrap_or(data);
    match item {
        Value::Array(v) if v.len() >= 2 => (
            v[0].clone(),
            v[1].as_f64(),
            v.get(2).and_then(Value::as_f64),
        ),
        y => (Value::from(index), y.as_f64(), None),
    }
}

/// The category at `position` (an index, or the category's own name).
fn category(axis: &Value, position: &Value) -> String {
    match position {
        Value::Number(n) => {
            let i = n.as_f64().unwrap_or(-1.0);
            axis["data"]
                .get(i.max(0.0) as usize)
                .map_or_else(|| n.to_string(), text_of)
        }
        other => text_of(other),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("value").map_or_else(String::new, text_of),
        other => other.to_string(),
    }
}

/// The tooltip of the hovered points, `(series index, data index)` each, of `option`.
/// Invisible series (transparent spacer bars) are left out.
pub fn tooltip(option: &Value, hovered: &[(usize, usize)]) -> Tooltip {
    let a = axes(option);
    let (position_axis, value_axis) = if a.horizontal { (a.y, a.x) } else { (a.x, a.y) };
    // Values are amounts: on a "round" value axis (the folds' stacked bars) they are
    // lengths in rounds, not positions.
    let value_unit = match unit_of(axis_name(value_axis)) {
        Unit::Round => Unit::Count,
        unit => unit,
    };
    let mut out = Tooltip::default();
    for &(s, i) in hovered {
        let series = &option["series"][s];
        let colour = series["itemStyle"]["color"].as_str().map(str::to_string);
        if colour.as_deref() == Some("transparent") {
            continue;
        }
        let (position, value, n) = item(&series["data"][i], i);
        if out.heading.is_empty() {
            out.heading = heading(position_axis, &position);
        }
        let mut text = value.map_or_else(|| "–".into(), |v| format_value(value_unit, v));
        if let Some(n) = n {
            text.push_str(&format!(" · n = {}", fmt_int(n.max(0.0) as usize)));
        }
        out.lines.push(TooltipLine {
            series: series["name"].as_str().unwrap_or("").to_string(),
            colour,
            value: text,
        });
    }
    out
}

/// What was hovered: "round #6,954", "lag: 3", "cash-out c: 2.00x".
fn heading(axis: &Value, position: &Value) -> String {
    let name = axis_name(axis);
    if axis["type"] == "category" {
        let label = category(axis, position);
        return if name.is_empty() {
            label
        } else {
            format!("{name}: {label}")
        };
    }
    let Some(v) = position.as_f64() else {
        return text_of(position);
    };
    match unit_of(name) {
        Unit::Round => format!("round {}", format_value(Unit::Round, v)),
        unit if name.is_empty() => format_value(unit, v),
        unit => format!("{name}: {}", format_value(unit, v)),
    }
}

#[cfg(test)]
mod tests;
