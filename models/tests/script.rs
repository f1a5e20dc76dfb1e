//! User strategy scripts: a script plays exactly like the built-in plan it re-implements,
//! and the sandbox turns every kind of runaway script (endless loop, huge allocation,
//! deep recursion, syntax error) into a clear error with its line instead of a hang.
#![cfg(feature = "script")]

use models::strategy::engine::End;
use models::strategy::plan::{Base, View};
use models::strategy::{monte_carlo, replay, Limits, SimulationConfig, Strategy, StrategyError};
use models::values::Multiplier;
use std::collections::BTreeMap;

use models::strategy::bench::MARTINGALE_SCRIPT as MARTINGALE;

fn script(source: &str) -> Strategy {
    Strategy::Script {
        source: source.to_string(),
        inputs: BTreeMap::new(),
    }
}

fn config(strategy: Strategy, paths: usize, rounds: usize) -> SimulationConfig {
    SimulationConfig {
        strategy,
        paths,
        rounds,
        house_edge: 0.03,
        limits: Limits {
            bankroll: 100.0,
            ..Limits::default()
        },
        ..SimulationConfig::default()
    }
}

fn error_of(source: &str) -> String {
    match monte_carlo(&config(script(source), 2, 50), 1) {
        Err(e) => {
            eprintln!("{e}");
            e.to_string()
        }
        Ok(_) => panic!("the script ran without error:\n{source}"),
    }
}

fn rounds(values: &[f64]) -> Vec<Multiplier> {
    values
        .iter()
        .map(|v| Multiplier((v * 100.0_f64).round() as u32))
        .collect()
}

#[test]
fn a_martingale_script_plays_exactly_like_the_built_in_martingale() {
    let built_in = Strategy::Martingale {
        multiplier: 2.0,
        reset_after: 0,
    };
    let a = monte_carlo(&config(built_in, 500, 300), 2).unwrap().report;
    let b = monte_carlo(&config(script(MARTINGALE), 500, 300), 2)
        .unwrap()
        .report;
    assert_eq!(a.mean_final_bankroll, b.mean_final_bankroll);
    assert_eq!(a.p_ruin, b.p_ruin);
    assert_eq!(a.mean_turnover, b.mean_turnover);
    assert_eq!(a.largest_stake, b.largest_stake);
    assert_eq!(a.longest_losing_streak, b.longest_losing_streak);
    assert_eq!(a.fan, b.fan);
}

#[test]
fn inputs_override_the_config_block_and_unknown_ones_are_named() {
    let mut inputs = BTreeMap::new();
    inputs.insert("multiplier".to_string(), "3".to_string());
    let tripled = Strategy::script(MARTINGALE.to_string(), inputs.clone()).unwrap();
    let built_in = Strategy::Martingale {
        multiplier: 3.0,
        reset_after: 0,
    };
    let a = monte_carlo(&config(built_in, 200, 200), 1).unwrap().report;
    let b = monte_carlo(&config(tripled, 200, 200), 1).unwrap().report;
    assert_eq!(a.mean_final_bankroll, b.mean_final_bankroll);

    inputs.insert("multiplyer".into(), "3".into());
    let e = Strategy::script(MARTINGALE.to_string(), inputs)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no input \"multiplyer\"") && e.contains("base, multiplier"),
        "{e}"
    );
    let mut bad = BTreeMap::new();
    bad.insert("base".to_string(), "lots".to_string());
    let e = Strategy::script(MARTINGALE.to_string(), bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("input base") && e.contains("not a number"),
        "{e}"
    );
}

#[test]
fn a_replay_sees_the_history_and_two_bets() {
    // Bets only after a round below 1.5x, on both panels: 1 at 1.5x and 0.5 at 3x.
    let source = r#"
fn on_round(game) {
    if game.last == () || game.last >= 1.5 { return (); }
    [bet(1, 1.5), bet(0.5, 3.0)]
}
"#;
    let r = rounds(&[1.2, 4.0, 1.1, 1.6, 2.0, 1.3, 1.0]);
    let result = replay(&config(script(source), 1, 1), &r, &[])
        .unwrap()
        .report;
    // Bets on round 2 (4.0: both win), 4 (1.6: the 1.5x one wins) and 7 (1.0: both lose).
    let expected = 100.0 + (0.5 + 1.0) + (0.5 - 0.5) - 1.5;
    assert!(
        (result.mean_final_bankroll.value - expected).abs() < 1e-9,
        "{result:?}"
    );
    assert_eq!(result.mean_bets, 6.0);
    assert!((result.mean_turnover - 4.5).abs() < 1e-9);
    assert_eq!(result.largest_stake.max, 1.0);
}

#[test]
fn stop_ends_the_session_and_init_sets_the_memory() {
    let source = r#"
fn init(game) { #{ bets: 0 } }
fn on_round(game) {
    if this.bets >= 3 { stop("three bets are enough"); }
    this.bets += 1;
    bet(1, 2)
}
"#;
    let base = Base {
        stake: 1.0,
        cashout: 2.0,
        house_edge: 0.03,
    };
    let mut staker = script(source).prepare().unwrap().start(base, 100.0);
    let view = View {
        round: 0,
        bankroll: 100.0,
        net: 0.0,
        signal: None,
    };
    for _ in 0..3 {
        assert!(staker.bets(&view).unwrap()[0].is_some());
    }
    assert_eq!(staker.bets(&view).unwrap(), [None, None]);
    assert!(staker.stopped());
    let r = monte_carlo(&config(script(source), 10, 100), 1)
        .unwrap()
        .report;
    assert_eq!(r.mean_bets, 3.0);
    let _ = End::Stopped;
}

#[test]
fn an_endless_loop_stops_with_a_clear_error() {
    let e = error_of("fn on_round(game) {\n    loop { }\n}\n");
    assert!(
        e.contains("operations") && e.contains("endless loop"),
        "{e}"
    );
    let e = error_of("let config = #{};\nwhile true { }\nfn on_round(game) { () }\n");
    assert!(
        e.contains("while setting up") && e.contains("operations"),
        "{e}"
    );
}

#[test]
fn huge_allocations_hit_the_sandbox_limits() {
    let e = error_of("fn on_round(game) {\n    let s = \"x\";\n    loop { s += s; }\n}\n");
    assert!(e.contains("beyond the sandbox's limit"), "{e}");
    let e = error_of("fn on_round(game) {\n    let a = [];\n    loop { a.push(1); }\n}\n");
    assert!(e.contains("beyond the sandbox's limit"), "{e}");
    // Memory kept between rounds is bounded too.
    let e = error_of("fn on_round(game) {\n    if this.a == () { this.a = []; }\n    for i in 0..1000 { this.a.push(i); }\n    ()\n}\n");
    assert!(e.contains("beyond the sandbox's limit"), "{e}");
    let e = error_of("fn deep(n) { deep(n + 1) }\nfn on_round(game) { deep(0) }\n");
    assert!(e.contains("nested deeper"), "{e}");
}

#[test]
fn syntax_and_runtime_errors_name_their_line() {
    let e = error_of("fn on_round(game) {\n    let x = ;\n}\n");
    assert!(e.contains("syntax error") && e.contains("line 2"), "{e}");
    let e = error_of("fn on_round(game) {\n    let x = 1;\n    x.nope()\n}\n");
    assert!(e.contains("line 3") && e.contains("round 1"), "{e}");
    let e = error_of("fn on_round(game) { 5 }");
    assert!(
        e.contains("on_round must return bet(stake, cashout)"),
        "{e}"
    );
    let e = error_of("fn on_round(game) { [bet(1, 2), bet(1, 2), bet(1, 2)] }");
    assert!(e.contains("at most 2"), "{e}");
    let e = error_of("fn on_round(game) { bet(\"one\", 2) }");
    assert!(e.contains("stake must be a number"), "{e}");
    let e = error_of("let config = 3;\nfn on_round(game) { () }");
    assert!(e.contains("config must be a map"), "{e}");
    let e = error_of("fn on_result(game, r) { }");
    assert!(e.contains("must define fn on_round(game)"), "{e}");
    let e = error_of(
        "fn on_round(game) { bet(1, 2) }\nfn on_result(game, r) {\n    throw \"boom\";\n}\n",
    );
    assert!(e.contains("boom") && e.contains("round 2"), "{e}");
}

#[test]
fn scripts_cannot_load_files_or_modules() {
    let e = error_of("import \"/etc/passwd\" as p;\nfn on_round(game) { () }\n");
    assert!(e.contains("syntax error"), "{e}");
}

#[test]
fn script_runs_are_capped_in_size() {
    let c = config(script(MARTINGALE), 10_000, 1_000);
    match c.validate() {
        Err(StrategyError::BadSetting(m)) => assert!(m.contains("a script may run"), "{m}"),
        other => panic!("{other:?}"),
    }
}
