//! Bustabit autobet scripts (JavaScript) in the lab: the example scripts that re-implement
//! built-in plans play exactly like them in the Monte Carlo (same paths, same stakes, same
//! report), a replay gives the script's own account in bits, and runaway scripts end with
//! a clear error.
#![cfg(feature = "script")]

use models::strategy::examples;
use models::strategy::{monte_carlo, replay, Limits, SimulationConfig, Strategy};
use models::values::Multiplier;
use std::collections::BTreeMap;

fn autobet(name: &str, inputs: &[(&str, &str)]) -> Strategy {
    let e = examples::by_name(name).unwrap();
    Strategy::autobet(
        e.source.to_string(),
        inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    )
    .unwrap()
}

fn config(strategy: Strategy, bankroll: f64) -> SimulationConfig {
    SimulationConfig {
        strategy,
        paths: 120,
        rounds: 400,
        house_edge: 0.01,
        stake: 1.0,
        cashout: 2.0,
        limits: Limits {
            bankroll,
            min_bet: 1.0,
            ..Limits::default()
        },
        ..SimulationConfig::default()
    }
}

#[test]
fn example_scripts_play_exactly_like_the_built_in_plans() {
    // A bankroll no streak exhausts: the script's refusal (BET_TOO_BIG) and the engine's
    // stake cut never come into play, so the two must place the same bets.
    let bankroll = 1e9;
    let pairs = [
        (
            autobet("martingale", &[("maxLosses", "6")]),
            Strategy::Martingale {
                multiplier: 2.0,
                reset_after: 6,
            },
        ),
        (autobet("fibonacci", &[]), Strategy::Fibonacci),
        (autobet("dalembert", &[]), Strategy::DAlembert { unit: 1.0 }),
        (autobet("flat", &[]), Strategy::Flat),
    ];
    for (script, built_in) in pairs {
        let s = monte_carlo(&config(script, bankroll), 2).unwrap();
        let b = monte_carlo(&config(built_in.clone(), bankroll), 2).unwrap();
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(1.0);
        let what = built_in.name();
        assert!(
            close(
                s.report.mean_final_bankroll.value,
                b.report.mean_final_bankroll.value
            ),
            "{what}"
        );
        assert!(
            close(s.report.mean_turnover, b.report.mean_turnover),
            "{what}"
        );
        assert_eq!(s.report.mean_bets, b.report.mean_bets, "{what}");
        assert!(
            close(s.report.max_drawdown.p50, b.report.max_drawdown.p50),
            "{what}"
        );
        assert!(
            close(s.report.largest_stake.max, b.report.largest_stake.max),
            "{what}"
        );
        assert!(s.report.mean_bets > 100.0, "{what} placed too few bets");
    }
}

#[test]
fn a_replay_reports_the_scripts_own_balance_bets_and_stop_in_bits() {
    let rounds: Vec<Multiplier> = [250u32, 120, 200, 700, 101, 130]
        .iter()
        .map(|&h| Multiplier(h))
        .collect();
    // Flat 1 bit at 2x: won, lost, won, won, lost, lost = +1 +(-1) +1 +1 -1 -1 = 0.
    let r = replay(&config(autobet("flat", &[]), 10.0), &rounds, &[]).unwrap();
    let a = r.autobet.as_ref().unwrap();
    assert_eq!(
        (a.final_balance, a.bets, a.wagered, a.games),
        (10.0, 6, 6.0, 6)
    );
    assert_eq!(a.stopped, None);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["final_balance"], 10.0);
    assert_eq!(json["bets"], 6);
    assert_eq!(json["wagered"], 6.0);
    assert!(json["stopped"].is_null() && json["log"].is_array());
    // The engine's own account of the same replay agrees.
    assert_eq!(r.report.mean_final_bankroll.value, 10.0);
    // A wager above the balance stops the run, named.
    let big = replay(
        &config(autobet("flat", &[("wager", "11")]), 10.0),
        &rounds,
        &[],
    )
    .unwrap();
    let a = big.autobet.unwrap();
    assert_eq!(a.bets, 0);
    assert!(a.stopped.unwrap().starts_with("BET_TOO_BIG"));
    // stop(reason) ends the run after that game.
    let target = autobet("after-reds", &[("reds", "0"), ("stopAt", "1")]);
    let a = replay(&config(target, 10.0), &rounds, &[])
        .unwrap()
        .autobet
        .unwrap();
    assert_eq!(a.stopped.as_deref(), Some("profit target reached"));
    assert_eq!(a.games, 1);
}

#[test]
fn bad_scripts_and_inputs_are_refused_with_the_reason() {
    let err = |source: &str, inputs: &[(&str, &str)]| {
        Strategy::autobet(
            source.to_string(),
            inputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
        .unwrap_err()
        .to_string()
    };
    let e = err(
        "engine.on('GAME_STARTING', () => {\n  engine.bet(100, 2;\n});",
        &[],
    );
    assert!(e.contains("line 2"), "{e}");
    let e = err("engine.on('GAME_STARTED', () => engine.cashOut());", &[]);
    assert!(e.contains("engine.cashOut()"), "{e}");
    let e = err(examples::by_name("flat").unwrap().source, &[("nope", "1")]);
    assert!(
        e.contains("no input \"nope\"") && e.contains("wager"),
        "{e}"
    );
    let mut c = config(autobet("flat", &[]), 100.0);
    c.limits.max_stake = Some(5.0);
    let e = monte_carlo(&c, 1).unwrap_err().to_string();
    assert!(e.contains("max stake"), "{e}");
}
