//! The stacked ensemble cannot hurt (issue 10 §3): on fair histories it stays within
//! noise of the fair law and of its best member; with a planted sparse edge the rule
//! member carries the edge and the ensemble follows it.

use ensemble::compare::{compare, ComparisonTable};
use ensemble::{MemberFactory, StackConfig, StackedEnsemble};
use models::backtest::BacktestConfig;
use models::forecast::{FairLaw, Forecaster};
use models::generator::FairGenerator;
use models::planted::generate_conditional;
use models::values::Multiplier;
use models::walkforward::{Refit, WalkForwardConfig};

const TH: [f64; 3] = [1.5, 2.0, 3.0];

fn table(rounds: &[Multiplier]) -> ComparisonTable {
    let members = vec![
        MemberFactory::logistic(1.0),
        MemberFactory::empirical(),
        MemberFactory::rules(0.03),
    ];
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
            refit: Refit::EveryN(1000),
            thresholds: TH.to_vec(),
            ..WalkForwardConfig::default()
        },
        ..BacktestConfig::default()
    };
    compare(rounds, entries, &bt, |_, _, _| {}).unwrap()
}

fn bss(t: &ComparisonTable, name: &str, k: usize) -> f64 {
    t.row(name).unwrap().summary.thresholds[k].skill.bss
}

fn members_best(t: &ComparisonTable, k: usize) -> f64 {
    t.rows
        .iter()
        .filter(|r| r.name != "stacked ensemble" && r.name != "fair")
        .map(|r| r.summary.thresholds[k].skill.bss)
        .fold(f64::NEG_INFINITY, f64::max)
}

#[test]
fn on_fair_histories_the_ensemble_is_never_worse_than_fair_or_its_best_member() {
    for seed in [21u64, 22, 23] {
        let rounds = FairGenerator {
            seed,
            house_edge: 0.03,
        }
        .generate(5000);
        let t = table(&rounds);
        for (k, th) in TH.iter().enumerate() {
            let e = bss(&t, "stacked ensemble", k);
            let best = members_best(&t, k);
            eprintln!("seed {seed} {th}x: ensemble BSS {e:+.5}, best member {best:+.5}");
            assert!(e >= -0.002, "seed {seed} {th}x: ensemble BSS {e}");
            assert!(
                e >= best - 0.002,
                "seed {seed} {th}x: ensemble {e} vs best member {best}"
            );
        }
    }
}

#[test]
fn with_a_sparse_planted_edge_the_ensemble_follows_the_rule_member() {
    let cond = |h: &[Multiplier]| h.len() >= 2 && h[h.len() - 2..].iter().all(|m| m.0 < 130);
    let rounds = generate_conditional(31, 0.03, 7000, 2.0, 0.79, cond);
    let t = table(&rounds);
    let rules = bss(&t, "confirmed patterns (rule scan)", 1);
    let e = bss(&t, "stacked ensemble", 1);
    let best = members_best(&t, 1);
    eprintln!("planted 2x: rules BSS {rules:+.5}, ensemble {e:+.5}, best member {best:+.5}");
    // Fair noise is within ±0.002. Measured +0.0161 with the 15,984-test catalogue and
    // +0.0090 with the 26,304-test one, whose e-value threshold is higher.
    assert!(rules > 0.006, "{rules}");
    assert!(
        e >= best - 0.002 && e > 0.01,
        "ensemble {e}, best member {best}"
    );
    for k in [0, 2] {
        let (e, best) = (bss(&t, "stacked ensemble", k), members_best(&t, k));
        assert!(
            e >= -0.002 && e >= best - 0.002,
            "{}x: {e} vs {best}",
            TH[k]
        );
    }
}

#[test]
fn the_selection_threshold_splits_its_level_across_the_candidates() {
    use ensemble::stack::selection_threshold;
    assert!((selection_threshold(1.645, 1) - 1.645).abs() < 1e-3);
    // 5% one-sided across 15 candidates (four members and their average, three
    // shrinkages): Φ⁻¹(1 − 0.05/15) = 2.713.
    assert!((selection_threshold(1.645, 15) - 2.713).abs() < 2e-3);
    let zs: Vec<f64> = (1..40).map(|k| selection_threshold(2.0, k)).collect();
    assert!(zs.windows(2).all(|w| w[1] > w[0]), "{zs:?}");
}
