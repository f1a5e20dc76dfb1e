//! End-to-end checks of the evaluation core: the real history, a planted edge, and the
//! false-positive rate on fair seeds. Run with `--nocapture` to see the reports.

use models::backtest::{self, BacktestConfig, ModelKind};
use models::fairness::{self, ReportConfig};
use models::forecast::LogisticConfig;
use models::generator::FairGenerator;
use models::import::read_csv;
use models::planted::PlantedGenerator;
use models::values::{Multiplier, ValueRules};
use models::walkforward::{Refit, WalkForwardConfig};

const REAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/jetx_history.csv"
);

fn real_rounds() -> Option<Vec<Multiplier>> {
    let text = std::fs::read_to_string(REAL).ok()?;
    let report = read_csv(&text, &ValueRules::default()).ok()?;
    Some(report.valid_values())
}

fn logistic_config(start: usize, every: usize, thresholds: Vec<f64>) -> BacktestConfig {
    BacktestConfig {
        walk: WalkForwardConfig {
            start,
            stride: 1,
            gap: 0,
            refit: Refit::EveryN(every),
            min_train: 200,
            thresholds,
        },
        logistic: LogisticConfig::default(),
        ..BacktestConfig::default()
    }
}

#[test]
fn real_history_report_and_backtest() {
    let Some(rounds) = real_rounds() else {
        eprintln!("skipped: {REAL} not found");
        return;
    };
    assert!(rounds.len() > 6_000);
    let report = fairness::report(&rounds, &ReportConfig::default()).unwrap();
    println!("{}", fairness::render_text(&report));
    // The real game: RTP 97% inside the fitted interval, no memory.
    let f = &report.fitted;
    assert!(f.rtp_low < 0.97 && 0.97 < f.rtp_high, "{f:?}");
    assert!(!report.verdicts.rtp.departure, "{}", report.verdict);
    assert!(!report.memory.departure, "{}", report.verdict);
    assert!(f.tail_low < 1.0 && 1.0 < f.tail_high, "{f:?}");
    let cfg = logistic_config(1000, 500, models::forecast::DEFAULT_THRESHOLDS.to_vec());
    let s = backtest::evaluate(&rounds, ModelKind::Logistic, &cfg).unwrap();
    println!("{}", backtest::render_text(&s));
    let e = backtest::evaluate(&rounds, ModelKind::Empirical, &cfg).unwrap();
    println!("{}", backtest::render_text(&e));
    assert_eq!(s.n_forecasts, rounds.len() - 1000);
}

#[test]
fn planted_edge_is_found_by_the_logistic_model() {
    let rounds = PlantedGenerator::after_two_lows(2024).generate(10_000);
    let cfg = logistic_config(2000, 1000, vec![1.5, 2.0, 3.0]);
    let s = backtest::evaluate(&rounds, ModelKind::Logistic, &cfg).unwrap();
    println!("{}", backtest::render_text(&s));
    let at2 = s.thresholds.iter().find(|t| t.threshold == 2.0).unwrap();
    assert!(at2.skill.bss > 0.0, "BSS {}", at2.skill.bss);
    assert!(at2.skill.low > 0.0, "BSS interval {:?}", at2.skill);
    assert!(at2.dm.p_a_better < 0.01, "DM p {}", at2.dm.p_a_better);
    assert!(at2.edge_found);
    let report = fairness::report(&rounds, &ReportConfig::default()).unwrap();
    println!("{}", fairness::render_text(&report));
    assert!(report.rejections > 0);
}

#[test]
fn fair_seeds_rarely_show_a_false_edge() {
    let mut dm_false = 0;
    let mut report_false = 0;
    let mut per_test_false = 0;
    let mut per_test_total = 0;
    for seed in 0..20u64 {
        let rounds = FairGenerator {
            seed: 1000 + seed,
            house_edge: 0.03,
        }
        .generate(4_000);
        let cfg = logistic_config(1000, 1000, vec![2.0]);
        let s = backtest::evaluate(&rounds, ModelKind::Logistic, &cfg).unwrap();
        let t = &s.thresholds[0];
        if t.dm.p_a_better < 0.05 {
            dm_false += 1;
        }
        let r = fairness::report(&rounds, &ReportConfig::default()).unwrap();
        if r.rejections > 0 {
            report_false += 1;
        }
        per_test_total += r.tests.len();
        per_test_false += r.tests.iter().filter(|l| l.p_value < 0.05).count();
        println!(
            "seed {seed}: DM p(better) {:.3}, BSS {:+.5}; report rejections {}, raw p<0.05: {}/{}",
            t.dm.p_a_better,
            t.skill.bss,
            r.rejections,
            r.tests.iter().filter(|l| l.p_value < 0.05).count(),
            r.tests.len()
        );
    }
    println!("DM false edges: {dm_false}/20; reports with a Holm rejection: {report_false}/20; raw test rejections: {per_test_false}/{per_test_total}");
    assert!(dm_false <= 4, "{dm_false}");
    assert!(report_false <= 4, "{report_false}");
    let rate = per_test_false as f64 / per_test_total as f64;
    assert!(rate < 0.10, "{rate}");
}

#[test]
fn provably_fair_chain_passes_the_report() {
    let g = models::hashchain::HashChainGenerator {
        server_seed: "jetx-predictor evaluation".into(),
        salt: "public salt".into(),
        house_edge: 0.03,
    };
    let games = g.games(10_000);
    let hashes: Vec<_> = games.iter().map(|g| g.0).collect();
    let term = models::hashchain::terminating_hash(&hashes).unwrap();
    assert_eq!(models::hashchain::verify_chain(&hashes, &term), Ok(()));
    let rounds: Vec<Multiplier> = games.iter().map(|g| g.1).collect();
    let r = fairness::report(&rounds, &ReportConfig::default()).unwrap();
    println!("{}", fairness::render_text(&r));
    assert_eq!(r.rejections, 0);
}
