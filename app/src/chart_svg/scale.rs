//! Axis scales of the SVG charts: linear, log and category bands, each mapping values to
//! [0, 1] and giving its tick marks.

use crate::chart_format::{format_value, Unit};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Scale {
    Linear {
        lo: f64,
        hi: f64,
        unit: Unit,
    },
    Log {
        lo: f64,
        hi: f64,
        unit: Unit,
    },
    /// `n` categories, each a band of width 1/n; `inverse` puts the first at the far end.
    Band {
        labels: Vec<String>,
        inverse: bool,
    },
}

impl Scale {
    /// An axis option's scale over the values drawn on it (`values`).
    pub fn of(axis: &Value, values: &[f64], starts_at_zero: bool) -> Scale {
        let unit = crate::chart_format::unit_of(axis["name"].as_str().unwrap_or(""));
        if axis["type"] == "category" {
            let labels = axis["data"]
                .as_array()
                .map(|d| d.iter().map(label_of).collect())
                .unwrap_or_default();
            return Scale::Band {
                labels,
                inverse: axis["inverse"] == true,
            };
        }
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let log = axis["type"] == "log";
        let finite: Vec<f64> = if log {
            finite.filter(|v| *v > 0.0).collect()
        } else {
            finite.collect()
        };
        let data_lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let data_hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut lo, mut hi) = if data_lo.is_finite() {
            (data_lo, data_hi)
        } else if log {
            (1.0, 10.0)
        } else {
            (0.0, 1.0)
        };
        if log {
            lo = axis["min"].as_f64().filter(|m| *m > 0.0).unwrap_or(lo);
            hi = axis["max"].as_f64().filter(|m| *m > lo).unwrap_or(hi);
            let (lo, hi) = (
                10f64.powf(lo.log10().floor()),
                10f64.powf(hi.log10().ceil().max(lo.log10().floor() + 1.0)),
            );
            return Scale::Log { lo, hi, unit };
        }
        // ECharts' value axes include zero unless told to fit the data (`scale`).
        if starts_at_zero || axis["scale"] != true {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        lo = axis["min"].as_f64().unwrap_or(lo);
        hi = axis["max"].as_f64().unwrap_or(hi);
        if hi - lo < 1e-12 {
            hi = lo + 1.0;
        }
        let step = nice_step((hi - lo) / 5.0);
        let (lo, hi) = if axis["min"].is_number() && axis["max"].is_number() {
            (lo, hi)
        } else {
            ((lo / step).floor() * step, (hi / step).ceil() * step)
        };
        Scale::Linear { lo, hi, unit }
    }

    /// Where `v` falls, 0 at the start of the axis and 1 at its end (`None` off a log axis).
    pub fn at(&self, v: f64) -> Option<f64> {
        match self {
            Scale::Linear { lo, hi, .. } => Some((v - lo) / (hi - lo)),
            Scale::Log { lo, hi, .. } => (v > 0.0).then(|| (v / lo).ln() / (hi / lo).ln()),
            Scale::Band { labels, inverse } => {
                let n = labels.len().max(1) as f64;
                let t = (v + 0.5) / n;
                Some(if *inverse { 1.0 - t } else { t })
            }
        }
    }

    /// The width of one category band (the whole axis otherwise).
    pub fn band(&self) -> f64 {
        match self {
            Scale::Band { labels, .. } => 1.0 / labels.len().max(1) as f64,
            _ => 1.0,
        }
    }

    /// The position of a data item's coordinate: a number, or a category's name.
    pub fn position(&self, v: &Value) -> Option<f64> {
        match (self, v) {
            (Scale::Band { labels, .. }, Value::String(s)) => {
                labels.iter().position(|l| l == s).map(|i| i as f64)
            }
            (_, v) => v.as_f64(),
        }
    }

    /// Tick marks: (position in [0, 1], label).
    pub fn ticks(&self) -> Vec<(f64, String)> {
        match self {
            Scale::Linear { lo, hi, unit } => {
                let step = nice_step((hi - lo) / 5.0);
                let first = (lo / step).ceil() as i64;
                let last = (hi / step).floor() as i64;
                (first..=last)
                    .map(|k| {
                        let v = k as f64 * step;
                        (self.at(v).unwrap_or(0.0), tick_label(*unit, v))
                    })
                    .collect()
            }
            Scale::Log { lo, hi, unit } => {
                let decades = (hi / lo).log10().round() as i32;
                let steps: &[f64] = if decades <= 2 {
                    &[1.0, 2.0, 5.0]
                } else {
                    &[1.0]
                };
                let mut out = Vec::new();
                for d in 0..=decades {
                    for m in steps {
                        let v = lo * 10f64.powi(d) * m;
                        if v <= *hi * (1.0 + 1e-9) {
                            out.push((self.at(v).unwrap_or(0.0), tick_label(*unit, v)));
                        }
                    }
                }
                out
            }
            Scale::Band { labels, .. } => {
                // At most about 12 labels: every k-th category.
                let every = labels.len().div_ceil(12).max(1);
                labels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % every == 0)
                    .map(|(i, l)| (self.at(i as f64).unwrap_or(0.0), l.clone()))
                    .collect()
            }
        }
    }
}

fn label_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Tick labels are short: "#6,954" is "6,954", "48.5%" stays.
fn tick_label(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Round => format_value(Unit::Count, v),
        Unit::Multiplier if v < 100.0 => format!("{}x", crate::chart_format::significant(v, 3)),
        Unit::Probability => format!("{}%", crate::chart_format::significant(v * 100.0, 3)),
        unit => format_value(unit, v).replace(".0%", "%"),
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let m = raw / power;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}
