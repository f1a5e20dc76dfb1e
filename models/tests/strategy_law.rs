//! Monte Carlo under the patterns a scan confirmed: the simulated rounds carry the edge
//! at its measured rate where its condition holds and the fair law elsewhere, a plan
//! betting on PLAY gains from a real edge, and no confirmed pattern means the fair law.

use models::generator::FairGenerator;
use models::patterns::rules::{Catalogue, Condition, RoundState};
use models::patterns::{PatternConfig, PatternReport};
use models::planted::PlantedGenerator;
use models::strategy::law::{EdgeRule, RoundLaw};
use models::strategy::{monte_carlo, monte_carlo_under, Limits, SimulationConfig, Strategy};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

const H: f64 = 0.03;

fn config(strategy: Strategy) -> SimulationConfig {
    SimulationConfig {
        strategy,
        house_edge: H,
        paths: 400,
        rounds: 1_000,
        limits: Limits {
            bankroll: 500.0,
            ..Limits::default()
        },
        ..SimulationConfig::default()
    }
}

/// After a round below 1.5x, P(X ≥ 2x) = `rate` (a PLAY at `p_low` when given).
fn after_a_low(rate: f64, play_p_low: Option<f64>) -> RoundLaw {
    RoundLaw::Confirmed {
        rules: vec![EdgeRule {
            rule: Condition::RunBelow { t: 150, k: 1 },
            condition: "after a round below 1.50x".into(),
            cashout: 2.0,
            rate,
            play_p_low,
        }],
        rounds: 7_000,
    }
}

#[test]
fn drawn_rounds_reach_the_cash_out_at_the_rules_rate_only_where_it_holds() {
    let law = after_a_low(0.62, None);
    let prepared = law.prepare(H);
    let mut path = prepared.path();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let catalogue = Catalogue::new(H);
    let rule = Condition::RunBelow { t: 150, k: 1 };
    let mut state = RoundState::default();
    let (mut on, mut off) = ((0u32, 0u32), (0u32, 0u32));
    for _ in 0..200_000 {
        let holds = catalogue.holds(&rule, &state);
        let (m, signal) = path.draw(&mut rng);
        assert!(
            signal.is_none(),
            "an unfavourable or unplayed rule gives no PLAY"
        );
        let slot = if holds { &mut on } else { &mut off };
        slot.0 += u32::from(m.0 >= 200);
        slot.1 += 1;
        state.push(m);
    }
    let within = |(hits, n): (u32, u32), p: f64| {
        let rate = f64::from(hits) / f64::from(n);
        let se = (p * (1.0 - p) / f64::from(n)).sqrt();
        assert!((rate - p).abs() < 4.0 * se, "{rate} vs {p} ± {se} (n {n})");
    };
    within(on, 0.62);
    within(off, (1.0 - H) / 2.0);
}

#[test]
fn no_confirmed_pattern_is_the_fair_law_and_says_so() {
    let c = config(Strategy::default_for("martingale").unwrap());
    let fair = monte_carlo(&c, 2).unwrap();
    let none = RoundLaw::Confirmed {
        rules: vec![],
        rounds: 812,
    };
    let r = monte_carlo_under(&c, &none, 2, &mut |_, _| {}).unwrap();
    assert_eq!(r.report, fair.report);
    assert_eq!(r.flat, fair.flat);
    assert!(
        r.verdict[0].starts_with("No pattern is confirmed on your 812 rounds"),
        "{:?}",
        r.verdict
    );
}

#[test]
fn a_plan_that_bets_on_play_gains_from_a_confirmed_edge_and_never_bets_without_one() {
    let c = config(Strategy::OnlyOnPlay);
    let r = monte_carlo_under(&c, &after_a_low(0.62, Some(0.58)), 2, &mut |_, _| {}).unwrap();
    // It bets on about a third of the rounds (after a round below 1.5x) at EV +24%.
    let gain = r.report.mean_final_bankroll.value - 500.0;
    assert!(r.report.mean_turnover > 250.0, "{}", r.report.mean_turnover);
    assert!(r.report.mean_final_bankroll.low > 500.0, "{gain}");
    assert!(r.report.p_profit.value > 0.95, "{:?}", r.report.p_profit);
    assert!(r.verdict[0].contains("after a round below 1.50x: P(X ≥ 2x) = 62.0% (fair 48.5%)"));
    // The closed form is the fair law's; the simulated loss is the tilted law's, and the
    // verdict says which is which.
    assert!(
        r.verdict
            .iter()
            .any(|v| v.contains("of which the fair law would take")
                && v.contains("a gain only as far as those edges are real")),
        "{:?}",
        r.verdict
    );
    // Flat betting on the same rounds bets every round: about a third of them tilted.
    assert!(r.flat.mean_final_bankroll.value > 500.0 - 0.03 * 1_000.0);
    let fair = monte_carlo(&c, 2).unwrap();
    assert_eq!(fair.report.mean_turnover, 0.0, "no PLAY under the fair law");
    assert!(fair.law.is_none() && r.law.is_some());
}

#[test]
fn the_scan_confirms_a_planted_edge_and_the_law_plays_it_at_its_later_rate() {
    let rounds = PlantedGenerator::after_two_lows(2024).generate(8_000);
    let report = PatternReport::build(&rounds, &PatternConfig::default());
    let law = RoundLaw::confirmed(&report);
    let RoundLaw::Confirmed { rules, rounds: n } = &law else {
        panic!("{law:?}");
    };
    assert_eq!(*n, 8_000);
    let best = rules.first().expect("the planted edge is confirmed");
    assert_eq!(best.cashout, 2.0, "{best:?}");
    // Planted: 0.485 + 0.2 after two rounds below 1.5x.
    assert!((best.rate - 0.685).abs() < 0.08, "{best:?}");
    assert!(best.play_p_low.is_some_and(|p| p * 2.0 > 1.0), "{best:?}");
    let r = monte_carlo_under(&config(Strategy::OnlyOnPlay), &law, 2, &mut |_, _| {}).unwrap();
    assert!(r.report.mean_final_bankroll.low > 500.0, "{:?}", r.verdict);
    // A fair history confirms nothing: its law is the fair law.
    let fair = FairGenerator {
        seed: 3,
        house_edge: H,
    }
    .generate(8_000);
    let none = RoundLaw::confirmed(&PatternReport::build(&fair, &PatternConfig::default()));
    assert_eq!(
        none,
        RoundLaw::Confirmed {
            rules: vec![],
            rounds: 8_000
        }
    );
}
