//! What a report was computed from, so anyone can recompute it and compare: the SHA-256 of
//! the values it read, the method and its version, and every setting.
//!
//! The hash is over the values as text, one per line with two decimals ("1.51\n8.77\n…"),
//! so an auditor can check it with `sha256sum` on the exported values alone.

use crate::values::Multiplier;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Versions of the methods: raised whenever a report's numbers would change for the same
/// values and settings.
pub const FAIRNESS_VERSION: u32 = 2;
pub const PATTERNS_VERSION: u32 = 2;
pub const BACKTEST_VERSION: u32 = 1;

/// The origin of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provenance {
    /// `fairness`, `patterns` or `backtest`.
    pub method: String,
    pub method_version: u32,
    pub rounds: usize,
    /// SHA-256 (hex) of the values, one per line with two decimals.
    pub values_sha256: String,
    /// Every setting the method used (its configuration, as JSON).
    pub settings: serde_json::Value,
    /// The times a report with clock rules read (rounds typed live), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockProvenance>,
}

/// The times behind a report's clock rules: a file of values does not carry them, so the
/// report can be made again only from the database that holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockProvenance {
    pub timed_rounds: usize,
    /// SHA-256 (hex) of the timed rounds, "index,ms since the epoch" one per line.
    pub times_sha256: String,
    /// When the next round was placed (what the next-round section speaks about).
    pub next_round_ms: Option<i64>,
}

impl ClockProvenance {
    /// From a clock's timed rounds (index, ms since the epoch) and its next round's time.
    pub fn new(times: impl IntoIterator<Item = (usize, i64)>, next_round_ms: Option<i64>) -> Self {
        let mut h = Sha256::new();
        let mut timed_rounds = 0;
        for (i, at) in times {
            h.update(format!("{i},{at}\n").as_bytes());
            timed_rounds += 1;
        }
        Self {
            timed_rounds,
            times_sha256: hex::encode(h.finalize()),
            next_round_ms,
        }
    }
}

impl Provenance {
    pub fn new(
        method: &str,
        method_version: u32,
        values: &[Multiplier],
        settings: &impl Serialize,
    ) -> Self {
        Self {
            method: method.into(),
            method_version,
            rounds: values.len(),
            values_sha256: values_sha256(values),
            settings: serde_json::to_value(settings).unwrap_or(serde_json::Value::Null),
            clock: None,
        }
    }
}

/// SHA-256 (hex) of `values`, one per line with two decimals.
pub fn values_sha256(values: &[Multiplier]) -> String {
    let mut h = Sha256::new();
    let mut line = String::with_capacity(16);
    for m in values {
        line.clear();
        use std::fmt::Write as _;
        let _ = writeln!(line, "{}.{:02}", m.0 / 100, m.0 % 100);
        h.update(line.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where a recomputed report differs from a stored one: JSON paths with both values.
/// Numbers agree within a relative 1e-9 (the same code on another CPU may round the last
/// bit differently); `ignore` names keys left out everywhere (timings).
pub fn differences(
    stored: &serde_json::Value,
    recomputed: &serde_json::Value,
    ignore: &[&str],
) -> Vec<String> {
    let mut out = Vec::new();
    diff_at("", stored, recomputed, ignore, &mut out);
    out
}

fn diff_at(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
    ignore: &[&str],
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                if ignore.contains(&k.as_str()) {
                    continue;
                }
                let p = format!("{path}.{k}");
                match y.get(k) {
                    Some(vb) => diff_at(&p, va, vb, ignore, out),
                    None => out.push(format!("{p}: missing from the recomputed report")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff_at(&format!("{path}[{i}]"), va, vb, ignore, out);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            let close = x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs());
            if !close {
                out.push(format!("{path}: stored {x}, recomputed {y}"));
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: stored {a}, recomputed {b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_hash_is_sha256_of_the_values_as_lines() {
        let v = [Multiplier(151), Multiplier(100), Multiplier(1_093_801)];
        // printf '1.51\n1.00\n10938.01\n' | sha256sum
        let mut h = Sha256::new();
        h.update(b"1.51\n1.00\n10938.01\n");
        assert_eq!(values_sha256(&v), hex::encode(h.finalize()));
        assert_eq!(
            values_sha256(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn differences_name_the_paths_and_tolerate_the_last_bit() {
        let a = serde_json::json!({"x": 1.0, "y": [1, 2], "t": 5.0, "s": "a"});
        let b = serde_json::json!({"x": 1.0 + 1e-13, "y": [1, 3], "t": 9.0, "s": "b"});
        let d = differences(&a, &b, &["t"]);
        assert_eq!(
            d,
            vec![
                ".s: stored \"a\", recomputed \"b\"",
                ".y[1]: stored 2, recomputed 3"
            ]
        );
        assert!(differences(&a, &a, &[]).is_empty());
    }

    proptest! {
        #[test]
        fn one_changed_value_changes_the_hash(v in prop::collection::vec(100u32..1_000_000, 1..50), i in 0usize..50) {
            let v: Vec<Multiplier> = v.into_iter().map(Multiplier).collect();
            let mut w = v.clone();
            let i = i % w.len();
            w[i] = Multiplier(w[i].0 + 1);
            prop_assert_ne!(values_sha256(&v), values_sha256(&w));
            prop_assert_eq!(values_sha256(&v), values_sha256(&v.clone()));
        }
    }
}
