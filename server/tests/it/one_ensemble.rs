//! One ensemble (issue 31): `backtest --model ensemble` replays the members a default
//! training keeps — the rule member included — so an edge the pattern scan confirms shows
//! in the ensemble's walk-forward skill, and the stack of those members (networks and GBT
//! included) is never worse than its best member on a fair history.

use crate::cli::jetx_command;
use ensemble::compare::{compare, ComparisonTable};
use ensemble::{StackConfig, StackedEnsemble};
use models::backtest::BacktestConfig;
use models::forecast::{FairLaw, Forecaster};
use models::values::Multiplier;
use models::walkforward::{Refit, WalkForwardConfig};
use serde_json::Value;

/// Every 11th round (index ≡ 4 mod 11) reaches 2x with probability 0.85 (fair 0.485): a
/// position rule no feature of the other members describes.
fn planted_position(n: usize) -> Vec<Multiplier> {
    models::planted::generate_conditional(77, 0.03, n, 2.0, 0.85, |h| h.len() % 11 == 4)
}

fn threshold(summary: &Value, t: f64) -> &Value {
    summary["thresholds"]
        .as_array()
        .and_then(|ts| ts.iter().find(|s| s["threshold"].as_f64() == Some(t)))
        .unwrap_or_else(|| panic!("no {t}x in {summary}"))
}

#[test]
fn the_backtested_ensemble_carries_a_confirmed_position_rule() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("planted.csv");
    let text: String = planted_position(7_000)
        .iter()
        .map(|m| format!("{m}\n"))
        .collect();
    std::fs::write(&file, text).unwrap();
    let out = jetx_command(
        &dir.path().join("db.sqlite"),
        &[
            "backtest",
            file.to_str().unwrap(),
            "--model",
            "ensemble",
            "--start",
            "3500",
            "--refit-every",
            "1000",
            "--thresholds",
            "1.5,2,3",
            "--json",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let at2 = threshold(&summary, 2.0);
    eprintln!(
        "ensemble at 2x: BSS {} AUC {} DM p {}",
        at2["skill"]["bss"], at2["auc"], at2["dm"]["p_a_better"]
    );
    assert!(at2["skill"]["bss"].as_f64().unwrap() > 0.03, "{at2}");
    // A perfect two-valued forecast of this plant has AUC 0.56.
    assert!(at2["auc"].as_f64().unwrap() > 0.55, "{at2}");
    assert_eq!(at2["edge_found"], true, "{at2}");
    // Where nothing was planted the ensemble stays with the fair law.
    for t in [1.5, 3.0] {
        let s = threshold(&summary, t);
        assert!(s["skill"]["bss"].as_f64().unwrap() > -0.005, "{t}x: {s}");
    }
}

fn table(rounds: &[Multiplier], thresholds: &[f64]) -> ComparisonTable {
    let members = server::trainer::default_ensemble_members(0.03).unwrap();
    let mut entries: Vec<(String, Box<dyn Forecaster>)> =
        vec![("fair".into(), Box::new(FairLaw::fixed(0.03)))];
    for f in &members {
        entries.push((f.label.clone(), f.make() as Box<dyn Forecaster>));
    }
    entries.push((
        "stacked ensemble".into(),
        Box::new(StackedEnsemble::new(members, StackConfig::default())),
    ));
    let bt = BacktestConfig {
        walk: WalkForwardConfig {
            start: rounds.len() / 2,
            refit: Refit::EveryN(1500),
            thresholds: thresholds.to_vec(),
            ..WalkForwardConfig::default()
        },
        ..BacktestConfig::default()
    };
    compare(rounds, entries, &bt, |_, _, _| {}).unwrap()
}

/// The stack of the default members is never worse than its best member − 0.002 BSS, nor
/// than the fair law − 0.002, at any threshold; returns the stack's BSS per threshold.
fn never_worse_than_its_best_member(label: &str, rounds: &[Multiplier]) -> Vec<f64> {
    let thresholds = [1.5, 2.0, 3.0];
    let t = table(rounds, &thresholds);
    let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), 6, "fair, four members, the stack: {names:?}");
    assert!(names.iter().any(|n| n.starts_with("gbt")), "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("multi-output-net")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.contains("rule")), "{names:?}");
    let mut out = Vec::new();
    for (k, th) in thresholds.iter().enumerate() {
        let bss = |r: &ensemble::compare::ComparisonRow| r.summary.thresholds[k].skill.bss;
        let stack = bss(t.row("stacked ensemble").unwrap());
        let best = t
            .rows
            .iter()
            .filter(|r| r.name != "stacked ensemble" && r.name != "fair")
            .map(bss)
            .fold(f64::NEG_INFINITY, f64::max);
        eprintln!("{label} {th}x: stack BSS {stack:+.5}, best member {best:+.5}");
        assert!(
            stack >= best - 0.002,
            "{label} {th}x: stack {stack} vs best {best}"
        );
        assert!(stack >= -0.002, "{label} {th}x: stack {stack}");
        out.push(stack);
    }
    out
}

#[test]
fn the_default_stack_with_networks_is_never_worse_than_its_best_member() {
    for seed in [41, 42] {
        let fair = models::generator::FairGenerator {
            seed,
            house_edge: 0.03,
        }
        .generate(5_000);
        never_worse_than_its_best_member(&format!("fair seed {seed}"), &fair);
    }
    let planted = never_worse_than_its_best_member("planted", &planted_position(7_000));
    assert!(planted[1] > 0.02, "the planted 2x edge: {planted:?}");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/jetx_history.csv"
    );
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let rules = models::values::ValueRules::default();
            let real = models::import::read_csv(&text, &rules)
                .unwrap()
                .valid_values();
            never_worse_than_its_best_member("real", &real);
        }
        Err(_) => eprintln!("SKIPPED the real history: {path} not found"),
    }
}
