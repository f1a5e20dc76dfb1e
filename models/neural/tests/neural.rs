//! Behaviour of the neural members (run with `cargo test --release -p neural`).

use models::backtest::{self, BacktestConfig};
use models::features;
use models::forecast::{Forecaster, TrainView};
use models::generator::FairGenerator;
use models::planted::PlantedGenerator;
use models::values::Multiplier;
use models::walkforward::{Refit, WalkForwardConfig};
use neural::rng::Rng;
use neural::*;
use std::path::PathBuf;

use models::forecast::DEFAULT_THRESHOLDS as THRESHOLDS;

fn fair(n: usize, seed: u64) -> Vec<Multiplier> {
    FairGenerator {
        seed,
        house_edge: 0.03,
    }
    .generate(n)
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("neural-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Trains a member on `rounds` and returns it with the feature matrix.
fn trained<A: neural::nets::Arch>(
    arch: A,
    cfg: TrainConfig,
    rounds: &[Multiplier],
) -> (NeuralForecaster<A>, features::FeatureMatrix) {
    let feats = features::compute(rounds);
    let view = TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: rounds,
        thresholds: &THRESHOLDS,
    };
    let mut m = NeuralForecaster::new(arch, cfg);
    m.fit_view(&view).unwrap();
    (m, feats)
}

fn assert_monotone(p: &[f64]) {
    for w in p.windows(2) {
        assert!(w[0] >= w[1], "not monotone: {p:?}");
    }
    assert!(p.iter().all(|v| *v > 0.0 && *v < 1.0), "{p:?}");
}

#[test]
fn outputs_are_monotone_for_random_inputs() {
    let rounds = fair(1500, 1);
    let cfg = TrainConfig {
        max_epochs: 2,
        learning_rate: 0.05, // deliberately large: pushes the weights far from the start
        ..TrainConfig::fast()
    };
    let (m, feats) = trained(MultiOutputNetConfig::default(), cfg.clone(), &rounds);
    let (g, _) = trained(SequenceModelConfig::default(), cfg.clone(), &rounds);
    let (t, _) = trained(AttentiveTabularConfig::default(), cfg, &rounds);
    let mut rng = Rng::new(7);
    for _ in 0..200 {
        let row: Vec<f64> = (0..feats.n_cols).map(|_| rng.symmetric(50.0)).collect();
        let hist: Vec<Multiplier> = (0..40)
            .map(|_| Multiplier(100 + (rng.uniform() * 5000.0) as u32))
            .collect();
        assert_monotone(&m.predict_with_history(&row, &hist, &THRESHOLDS));
        assert_monotone(&m.predict(&row, &THRESHOLDS));
        assert_monotone(&g.predict_with_history(&row, &hist, &THRESHOLDS));
        assert_monotone(&t.predict(&row, &THRESHOLDS));
        let q = m.predict_quantiles(&row, Some(&hist));
        assert!(q[0] <= q[1] && q[1] <= q[2], "{q:?}");
    }
    // Importance: one weight per feature, summing to 1.
    let imp = t.feature_importance();
    assert_eq!(imp.len(), feats.n_cols);
    let s: f64 = imp.iter().map(|(_, w)| w).sum();
    assert!((s - 1.0).abs() < 1e-6, "{s}");
    assert!(imp.windows(2).all(|w| w[0].1 >= w[1].1));
}

#[test]
fn short_training_stays_near_the_fair_law_on_fair_data() {
    let rounds = fair(3000, 2);
    let (m, feats) = trained(
        MultiOutputNetConfig::default(),
        TrainConfig::fast(),
        &rounds,
    );
    let p = m.predict_with_history(feats.row(2999), &rounds[..2999], &THRESHOLDS);
    for (pi, t) in p.iter().zip(THRESHOLDS) {
        let f = 0.97 / t;
        assert!((pi - f).abs() < 0.08, "t {t}: {pi} vs fair {f}");
    }
    // An untrained member predicts the fair law exactly.
    let u = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::fast());
    let p = u.predict(feats.row(10), &THRESHOLDS);
    assert!((p[1] - 0.485).abs() < 1e-12);
}

#[test]
fn same_seed_same_model_and_save_load_roundtrip() {
    let rounds = fair(2000, 3);
    let cfg = TrainConfig {
        max_epochs: 3,
        ..TrainConfig::fast()
    };
    let (a, feats) = trained(MultiOutputNetConfig::default(), cfg.clone(), &rounds);
    let (b, _) = trained(MultiOutputNetConfig::default(), cfg.clone(), &rounds);
    let (c, _) = trained(
        MultiOutputNetConfig::default(),
        TrainConfig {
            seed: 99,
            ..cfg.clone()
        },
        &rounds,
    );
    let row = feats.row(1999);
    let h = &rounds[..1999];
    let pa = a.predict_with_history(row, h, &THRESHOLDS);
    assert_eq!(pa, b.predict_with_history(row, h, &THRESHOLDS));
    assert_ne!(pa, c.predict_with_history(row, h, &THRESHOLDS));

    // Save → load gives identical predictions, for each architecture.
    let dir = tmp_dir("mlp");
    a.save(&dir).unwrap();
    let l = MultiOutputNet::load(&dir).unwrap();
    assert_eq!(pa, l.predict_with_history(row, h, &THRESHOLDS));
    assert_eq!(a.predict(row, &THRESHOLDS), l.predict(row, &THRESHOLDS));
    // Wrong kind → typed error.
    assert!(matches!(
        SequenceModel::load(&dir),
        Err(NeuralError::Mismatch(_))
    ));
    let (t, _) = trained(AttentiveTabularConfig::default(), cfg.clone(), &rounds);
    let tdir = tmp_dir("tab");
    t.save(&tdir).unwrap();
    let tl = AttentiveTabular::load(&tdir).unwrap();
    assert_eq!(t.predict(row, &THRESHOLDS), tl.predict(row, &THRESHOLDS));
    for (x, y) in t.feature_importance().iter().zip(tl.feature_importance()) {
        assert_eq!(x.0, y.0);
        assert!((x.1 - y.1).abs() < 1e-12);
    }
    let (g, _) = trained(SequenceModelConfig::default(), cfg, &rounds);
    let gdir = tmp_dir("gru");
    g.save(&gdir).unwrap();
    let gl = SequenceModel::load(&gdir).unwrap();
    assert_eq!(
        g.predict_with_history(row, h, &THRESHOLDS),
        gl.predict_with_history(row, h, &THRESHOLDS)
    );

    // Corrupt weights → typed error, no panic.
    let w = dir.join("weights.bpk");
    let bytes = std::fs::read(&w).unwrap();
    std::fs::write(&w, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        MultiOutputNet::load(&dir),
        Err(NeuralError::Weights { .. })
    ));
    std::fs::write(&w, b"not a burnpack file at all").unwrap();
    assert!(matches!(
        MultiOutputNet::load(&dir),
        Err(NeuralError::Weights { .. })
    ));
    // Weights of another architecture → typed error.
    std::fs::copy(tdir.join("weights.bpk"), &w).unwrap();
    assert!(matches!(
        MultiOutputNet::load(&dir),
        Err(NeuralError::Weights { .. })
    ));
    // Corrupt or missing description → typed error.
    std::fs::write(dir.join("model.json"), "{ not json").unwrap();
    assert!(matches!(
        MultiOutputNet::load(&dir),
        Err(NeuralError::Metadata { .. })
    ));
    assert!(matches!(
        MultiOutputNet::load(&tmp_dir("missing")),
        Err(NeuralError::Io { .. })
    ));
    // Untrained → cannot save.
    let u = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::fast());
    assert!(matches!(u.save(&dir), Err(NeuralError::NotTrained)));
    for d in [dir, tdir, gdir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn progress_is_reported_and_cuda_is_refused_without_the_feature() {
    let rounds = fair(800, 4);
    let feats = features::compute(&rounds);
    let view = TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: &rounds,
        thresholds: &THRESHOLDS,
    };
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let mut m = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::fast());
    m.set_progress(move |p| {
        if let Ok(mut v) = s2.lock() {
            v.push(p.clone());
        }
    });
    let r = m.fit_view(&view).unwrap().clone();
    let v = seen.lock().unwrap();
    assert_eq!(v.len(), r.epochs_run);
    assert!(v
        .iter()
        .all(|p| p.train_loss.is_finite() && p.valid_loss.is_finite()));
    assert!(r.valid_rows > 0 && r.best_epoch >= 1);
    if !cfg!(feature = "cuda") {
        let e = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::fast())
            .with_device(DeviceChoice::Cuda, false)
            .unwrap_err();
        assert!(matches!(e, NeuralError::CudaUnavailable));
        let ok = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::fast())
            .with_device(DeviceChoice::Cuda, true)
            .unwrap();
        assert_eq!(ok.device_choice(), DeviceChoice::Cpu);
    }
    // Too little data → typed error.
    let small = TrainView {
        features: &feats.data[..20 * feats.n_cols],
        n_cols: feats.n_cols,
        outcomes: &rounds[..20],
        thresholds: &THRESHOLDS,
    };
    assert!(m.fit(&small).is_err());
}

fn backtest_config(start: usize, every: usize, thresholds: Vec<f64>) -> BacktestConfig {
    BacktestConfig {
        walk: WalkForwardConfig {
            start,
            refit: Refit::EveryN(every),
            thresholds,
            ..WalkForwardConfig::default()
        },
        ..BacktestConfig::default()
    }
}

#[test]
fn planted_edge_is_found_by_the_multi_output_net() {
    let rounds = PlantedGenerator::after_two_lows(2024).generate(10_000);
    let cfg = backtest_config(3000, 3500, vec![1.5, 2.0, 3.0]);
    let mut m = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::default());
    let t0 = std::time::Instant::now();
    m.set_progress(|p| {
        println!(
            "  epoch {}/{}: train {:.5}, valid {:.5}",
            p.epoch, p.epochs, p.train_loss, p.valid_loss
        )
    });
    let s = backtest::evaluate_forecaster(&rounds, &mut m, &cfg, |_, _| {}).unwrap();
    println!("{}", backtest::render_text(&s));
    println!("{:?}", m.report());
    println!("planted backtest took {:.1} s", t0.elapsed().as_secs_f64());
    let at2 = s.thresholds.iter().find(|t| t.threshold == 2.0).unwrap();
    println!(
        "PLANTED t=2: BSS {:+.5} [{:+.5}, {:+.5}], DM p {:.2e}",
        at2.skill.bss, at2.skill.low, at2.skill.high, at2.dm.p_a_better
    );
    assert!(at2.skill.bss > 0.0, "BSS {}", at2.skill.bss);
    assert!(at2.dm.p_a_better < 0.01, "DM p {}", at2.dm.p_a_better);
}

#[test]
fn fair_data_shows_no_edge() {
    let rounds = fair(6000, 77);
    let cfg = backtest_config(3000, 3000, vec![1.5, 2.0, 3.0]);
    let mut m = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::default());
    let s = backtest::evaluate_forecaster(&rounds, &mut m, &cfg, |_, _| {}).unwrap();
    println!("{}", backtest::render_text(&s));
    for t in &s.thresholds {
        println!(
            "FAIR t={}: BSS {:+.5}, DM p {:.3}",
            t.threshold, t.skill.bss, t.dm.p_a_better
        );
        assert!(!t.edge_found, "false edge at {}", t.threshold);
    }
}

const REAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/jetx_history.csv"
);

fn real_rounds() -> Option<Vec<Multiplier>> {
    let text = std::fs::read_to_string(REAL).ok()?;
    let rep = models::import::read_csv(&text, &models::values::ValueRules::default()).ok()?;
    Some(rep.valid_values())
}

#[test]
fn real_history_backtest_and_training_time() {
    let Some(rounds) = real_rounds() else {
        eprintln!("SKIPPED real_history_backtest_and_training_time: {REAL} not found");
        return;
    };
    println!("real history: {} rounds", rounds.len());
    let bench = bench_training(&rounds).unwrap();
    for b in &bench {
        println!(
            "BENCH {}: {:.2} s for {} rounds ({} epochs)",
            b.member, b.seconds, b.rounds, b.epochs
        );
        // Every network trains (at least one epoch), in a time a player can wait for.
        assert!(b.epochs >= 1, "{}", b.member);
        assert!(
            b.seconds > 0.0 && b.seconds < 120.0,
            "{}: {:.1} s",
            b.member,
            b.seconds
        );
    }
    let cfg = backtest_config(2000, 2500, THRESHOLDS.to_vec());
    let mut m = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::default());
    let s = backtest::evaluate_forecaster(&rounds, &mut m, &cfg, |_, _| {}).unwrap();
    println!("{}", backtest::render_text(&s));
    for t in &s.thresholds {
        println!(
            "REAL t={}: BSS {:+.5} [{:+.5}, {:+.5}], DM p {:.3}, edge {}",
            t.threshold, t.skill.bss, t.skill.low, t.skill.high, t.dm.p_a_better, t.edge_found
        );
        // A fair game: no edge, and probabilities that stay close to the fair law's.
        assert!(!t.edge_found, "false edge at {}", t.threshold);
        assert!(
            t.skill.bss > -0.02,
            "BSS {:+.5} at {}",
            t.skill.bss,
            t.threshold
        );
    }
}
