//! The strategy lab against closed forms and exact computations, and the one truth it
//! illustrates: under the fair law no staking plan has a positive expected value.

use models::strategy::exact::{flat_moments, martingale_ruin};
use models::strategy::report::SimulationMode;
use models::strategy::{monte_carlo, play_signals, replay, Limits, SimulationConfig, Strategy};
use proptest::prelude::*;
use proptest::strategy::Strategy as _;

const H: f64 = 0.03;

fn config(strategy: Strategy) -> SimulationConfig {
    SimulationConfig {
        strategy,
        house_edge: H,
        ..SimulationConfig::default()
    }
}

#[test]
fn flat_betting_matches_its_closed_form_mean_and_variance() {
    // A bankroll no path can lose: 200 bets of 1, so the net is a plain sum.
    let c = SimulationConfig {
        paths: 20_000,
        rounds: 200,
        cashout: 3.0,
        limits: Limits {
            bankroll: 1_000.0,
            ..Limits::default()
        },
        ..config(Strategy::Flat)
    };
    let r = monte_carlo(&c, 2).unwrap();
    let (mean, var) = flat_moments(1.0, 3.0, H, 200);
    assert_eq!(r.report.mean_turnover, 200.0);
    assert!((r.report.expected_loss_closed_form + mean).abs() < 1e-9);
    let se = (var / 20_000.0).sqrt();
    let net = r.report.mean_final_bankroll.value - 1_000.0;
    assert!((net - mean).abs() < 4.0 * se, "net {net} vs {mean} ± {se}");
    // The sample variance from the interval's half-width: half = 1.96·sd/√n.
    let half = (r.report.mean_final_bankroll.high - r.report.mean_final_bankroll.low) / 2.0;
    let sd = half / 1.959_963_984_540_054 * (20_000f64).sqrt();
    assert!(
        (sd * sd / var - 1.0).abs() < 0.05,
        "variance {} vs {var}",
        sd * sd
    );
    assert_eq!(r.report.p_ruin.value, 0.0);
}

#[test]
fn capped_martingale_ruin_matches_the_exact_computation() {
    for (bankroll, reset_after, rounds) in [(50u32, 6u32, 300usize), (30, 0, 200)] {
        let c = SimulationConfig {
            strategy: Strategy::Martingale {
                multiplier: 2.0,
                reset_after,
            },
            paths: 20_000,
            rounds,
            limits: Limits {
                bankroll: f64::from(bankroll),
                ..Limits::default()
            },
            ..config(Strategy::Flat)
        };
        let r = monte_carlo(&c, 2).unwrap();
        let (ruin, mean) = martingale_ruin(bankroll, 2, reset_after, H, rounds);
        let se = (ruin * (1.0 - ruin) / 20_000.0).sqrt();
        let sim = r.report.p_ruin.value;
        eprintln!("martingale B={bankroll} reset={reset_after} R={rounds}: exact ruin {ruin:.4}, simulated {sim:.4} ± {se:.4}; exact mean {mean:.3}, simulated {:.3}", r.report.mean_final_bankroll.value);
        assert!((sim - ruin).abs() < 4.0 * se, "ruin {sim} vs exact {ruin}");
        let m = r.report.mean_final_bankroll;
        let half = (m.high - m.low) / 2.0;
        assert!(
            (m.value - mean).abs() < 2.1 * half,
            "mean {} vs exact {mean}",
            m.value
        );
        // It wins often and small, and is ruined sometimes: flat betting on the same rounds
        // is ruined far less.
        assert!(r.report.p_ruin.value > r.flat.p_ruin.value);
        assert!(r.verdict[0].starts_with("Probability of ruin"));
    }
}

fn any_strategy() -> impl proptest::strategy::Strategy<Value = models::strategy::Strategy> {
    let names = models::strategy::Strategy::NAMES;
    (0..names.len()).prop_map(move |i| models::strategy::Strategy::default_for(names[i]).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Under the fair law no built-in plan has a positive mean, whatever the cash-out,
    /// bankroll and limits; and its loss is the house edge of its turnover (Wald's
    /// identity), checked path by path where a stake limit keeps the tails light enough
    /// for a normal interval (without one, loss-chasing plans' means are carried by rare
    /// huge paths and converge slowly).
    #[test]
    fn no_builtin_plan_turns_the_fair_law_positive(
        strategy in any_strategy(),
        cashout_hundredths in 110u32..1_000,
        bankroll in 20.0f64..500.0,
        take_profit in proptest::option::of(5.0f64..100.0),
        max_stake in proptest::option::of(2.0f64..20.0),
        seed in 0u64..1_000,
    ) {
        let c = SimulationConfig {
            strategy,
            cashout: f64::from(cashout_hundredths) / 100.0,
            paths: 2_000,
            rounds: 300,
            seed,
            limits: Limits { bankroll, take_profit, max_stake, ..Limits::default() },
            ..config(Strategy::Flat)
        };
        let r = monte_carlo(&c, 1).unwrap();
        let se = |i: models::strategy::report::Interval| (i.high - i.low) / (2.0 * 1.959_963_984_540_054);
        let m = r.report.mean_final_bankroll;
        let net = m.value - bankroll;
        prop_assert!(net < 4.0 * se(m) + 1e-9, "{}: mean net {net} > 0 by {} se", r.report.label, net / se(m));
        if max_stake.is_some() {
            let gap = r.report.loss_minus_closed_form;
            prop_assert!(gap.value.abs() <= 4.5 * se(gap) + 1e-9, "{}: loss {} vs closed form {}", r.report.label, r.report.simulated_loss.value, r.report.expected_loss_closed_form);
        }
        prop_assert!(r.report.mean_turnover >= 0.0);
        prop_assert!(r.report.fan.p5.iter().zip(&r.report.fan.p95).all(|(a, b)| a <= b));
        prop_assert!(r.report.largest_stake.max <= max_stake.unwrap_or(f64::INFINITY) + 1e-9);
    }
}

#[test]
fn replay_bets_on_play_only_once_the_edge_is_confirmed() {
    // The planted edge: after two rounds below 1.30x the next reaches 2x 79% of the time.
    let rounds = models::planted::PlantedGenerator {
        seed: 7,
        house_edge: H,
        planted: models::planted::Planted::AfterLowRun {
            k: 2,
            low: 1.3,
            target: 2.0,
            shift: 0.79 - 0.485,
        },
    }
    .generate(4_000);
    let signals = play_signals(
        &rounds,
        2.0,
        models::bet::Mode::Normal,
        models::patterns::scan::PatternConfig {
            house_edge: H,
            ..Default::default()
        },
    );
    let first = signals
        .iter()
        .position(Option::is_some)
        .expect("PLAY at some point");
    let plays = signals.iter().filter(|s| s.is_some()).count();
    let c = config(Strategy::OnlyOnPlay);
    let r = replay(&c, &rounds, &signals).unwrap();
    assert_eq!(r.mode, SimulationMode::Replay);
    assert_eq!(r.report.mean_bets as usize, plays);
    let fair = r.report.fair_final_bankroll.unwrap();
    eprintln!("planted: first PLAY before round {first}, {plays} PLAY rounds, final {:.2} vs fair {:.2} ({:.2}–{:.2}); flat final {:.2}", r.report.mean_final_bankroll.value, fair.value, fair.low, fair.high, r.flat.mean_final_bankroll.value);
    assert!(
        r.report.mean_final_bankroll.value > fair.high,
        "the edge paid"
    );
    assert!(r.flat.mean_final_bankroll.value < r.report.mean_final_bankroll.value);
    // On a fair history of the same length the signal never fires.
    let fair_rounds = models::generator::FairGenerator {
        seed: 7,
        house_edge: H,
    }
    .generate(4_000);
    let none = play_signals(
        &fair_rounds,
        2.0,
        models::bet::Mode::Normal,
        Default::default(),
    );
    assert!(none.iter().all(Option::is_none));
}
