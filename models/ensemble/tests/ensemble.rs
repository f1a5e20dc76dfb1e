//! Behaviour of the ensemble crate: GBT, out-of-fold stacking, nested search, planted vs fair
//! data, registry round trip and failure modes.

use ensemble::calibrate::CalibrationMethod;
use ensemble::member::MemberFactory;
use ensemble::registry::{self, RegistryError, SaveOptions};
use ensemble::search::{search, SearchConfig};
use ensemble::{GbtConfig, GbtForecaster, MemberLoaders, StackConfig, StackedEnsemble};
use models::backtest::BacktestConfig;
use models::error::EvalError;
use models::features;
use models::forecast::{Forecaster, TrainView};
use models::generator::FairGenerator;
use models::planted::PlantedGenerator;
use models::values::Multiplier;
use models::walkforward::{Refit, WalkForwardConfig};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn small_gbt() -> GbtConfig {
    GbtConfig {
        iterations: 60,
        learning_rate: 0.1,
        max_depth: 2,
        min_leaf_weight: 30.0,
        ..GbtConfig::default()
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let d = std::env::temp_dir().join(format!(
        "ensemble-test-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn planted(seed: u64, n: usize) -> Vec<Multiplier> {
    PlantedGenerator::after_two_lows(seed).generate(n)
}

#[test]
fn gbt_is_monotone_deterministic_and_ranks_the_planted_feature() {
    let rounds = planted(7, 6000);
    let feats = features::compute(&rounds);
    let th = [1.5, 2.0, 3.0, 10.0];
    let view = TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: &rounds,
        thresholds: &th,
    };
    let mut a = GbtForecaster::new(small_gbt());
    let mut b = GbtForecaster::new(small_gbt());
    a.fit(&view).unwrap();
    b.fit(&view).unwrap();
    for t in [10usize, 500, 3000, 5999] {
        let pa = a.predict(feats.row(t), &th);
        assert_eq!(pa, b.predict(feats.row(t), &th));
        assert!(pa.windows(2).all(|w| w[0] >= w[1]), "{pa:?}");
        assert!(pa.iter().all(|p| (0.0..=1.0).contains(p)));
    }
    let imp = a.feature_importance();
    assert_eq!(imp.len(), feats.n_cols);
    let top: Vec<&str> = imp.iter().take(3).map(|(n, _)| n.as_str()).collect();
    assert!(
        top.iter()
            .any(|n| n.contains("streak_below_1_5") || n.contains("last")),
        "{top:?}"
    );
    // Too little data is an error, not a panic.
    let tiny = TrainView {
        features: &feats.data[..5 * feats.n_cols],
        n_cols: feats.n_cols,
        outcomes: &rounds[..5],
        thresholds: &th,
    };
    assert!(GbtForecaster::new(small_gbt()).fit(&tiny).is_err());
}

/// A member that checks it only ever predicts rows after everything it was fitted on.
/// Feature column 0 holds the row's index in the history.
#[derive(Default)]
struct Spy {
    max_fit: Option<usize>,
    log: Arc<Mutex<Vec<String>>>,
    fits: Arc<Mutex<Vec<(usize, usize)>>>,
}

impl Forecaster for Spy {
    fn name(&self) -> String {
        "spy".into()
    }
    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        let first = train.row(0)[0] as usize;
        let last = train.row(train.n_rows() - 1)[0] as usize;
        self.max_fit = Some(last);
        self.fits.lock().unwrap().push((first, last));
        Ok(())
    }
    fn predict(&self, row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        let i = row[0] as usize;
        match self.max_fit {
            Some(m) if m < i => {}
            other => self
                .log
                .lock()
                .unwrap()
                .push(format!("predicted row {i} after fitting up to {other:?}")),
        }
        // Depends on the row so the meta-learner has something to fit.
        vec![0.3 + 0.2 * ((i % 7) as f64 / 7.0); thresholds.len()]
    }
}

#[test]
fn out_of_fold_predictions_never_use_the_future() {
    let rounds = FairGenerator {
        seed: 3,
        house_edge: 0.03,
    }
    .generate(3000);
    let feats: Vec<f64> = (0..rounds.len()).map(|i| i as f64).collect();
    let log = Arc::new(Mutex::new(Vec::new()));
    let fits = Arc::new(Mutex::new(Vec::new()));
    let (l2, f2) = (log.clone(), fits.clone());
    let spy = MemberFactory::from_forecaster("spy", "spy", serde_json::Value::Null, move || {
        Box::new(Spy {
            max_fit: None,
            log: l2.clone(),
            fits: f2.clone(),
        })
    });
    let mut e = StackedEnsemble::new(
        vec![spy, MemberFactory::empirical()],
        StackConfig {
            folds: 4,
            calibration: CalibrationMethod::Isotonic,
            ..StackConfig::default()
        },
    );
    let th = [2.0];
    // Fit on rows 0..2000 only; the walk-forward shape: then predict 2000..3000.
    let view = TrainView {
        features: &feats[..2000],
        n_cols: 1,
        outcomes: &rounds[..2000],
        thresholds: &th,
    };
    e.fit(&view).unwrap();
    let layout = e.layout().unwrap().clone();
    assert_eq!(layout.folds.len(), 4);
    assert_eq!(layout.folds[0].0, 800);
    assert_eq!(layout.folds[3].1, 2000);
    // Fold fits end right before each fold; the final fit uses all 2000 rows.
    let f = fits.lock().unwrap().clone();
    assert_eq!(
        f,
        vec![(0, 799), (0, 1099), (0, 1399), (0, 1699), (0, 1999)]
    );
    for i in 2000..3000 {
        let p = e.predict(&[i as f64], &th);
        assert!(p[0] > 0.0 && p[0] < 1.0);
    }
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
    // The spy itself catches a violation.
    let bad = Spy::default();
    let _ = bad.predict(&[1.0], &th);
    assert_eq!(bad.log.lock().unwrap().len(), 1);
}

/// Records every outcome value it is shown; the evaluation period is marked by a sentinel.
struct OutcomeSpy {
    seen_sentinel: Arc<Mutex<usize>>,
    max_len: Arc<Mutex<usize>>,
}

const SENTINEL: Multiplier = Multiplier(123_456);

impl Forecaster for OutcomeSpy {
    fn name(&self) -> String {
        "outcome spy".into()
    }
    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        *self.seen_sentinel.lock().unwrap() +=
            train.outcomes.iter().filter(|m| **m == SENTINEL).count();
        let mut m = self.max_len.lock().unwrap();
        *m = (*m).max(train.n_rows());
        Ok(())
    }
    fn predict(&self, _row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        vec![0.4; thresholds.len()]
    }
    fn predict_with_history(
        &self,
        row: &[f64],
        history: &[Multiplier],
        thresholds: &[f64],
    ) -> Vec<f64> {
        *self.seen_sentinel.lock().unwrap() += history.iter().filter(|m| **m == SENTINEL).count();
        self.predict(row, thresholds)
    }
}

#[test]
fn nested_search_never_reads_the_evaluation_period() {
    let mut rounds = FairGenerator {
        seed: 4,
        house_edge: 0.03,
    }
    .generate(4000);
    let train_end = 2500;
    for r in &mut rounds[train_end..] {
        *r = SENTINEL;
    }
    let seen = Arc::new(Mutex::new(0usize));
    let max_len = Arc::new(Mutex::new(0usize));
    let (s2, m2) = (seen.clone(), max_len.clone());
    let spy =
        MemberFactory::from_forecaster("spy", "outcome spy", serde_json::Value::Null, move || {
            Box::new(OutcomeSpy {
                seen_sentinel: s2.clone(),
                max_len: m2.clone(),
            })
        });
    let candidates = vec![
        spy,
        MemberFactory::fair(0.03),
        MemberFactory::logistic(1.0),
        GbtForecaster::factory(GbtConfig {
            iterations: 20,
            ..small_gbt()
        }),
    ];
    let mut calls = 0;
    let res = search(
        &rounds,
        train_end,
        candidates,
        Duration::from_secs(60),
        &SearchConfig {
            thresholds: vec![1.5, 2.0],
            keep_min: 4,
            ..SearchConfig::default()
        },
        |_| calls += 1,
    )
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), 0);
    assert!(*max_len.lock().unwrap() < train_end);
    assert!(*max_len.lock().unwrap() >= 1250);
    assert_eq!(res.report.train_end, train_end);
    assert_eq!(res.report.inner_start, 1250);
    assert_eq!(calls, 8); // 4 at rung 0, 4 at rung 1
    assert_eq!(res.report.ranking.len(), 4);
    assert!(res.report.candidates.iter().all(|c| c.rung == Some(1)));
    let text = ensemble::search::render_search(&res.report);
    assert!(text.contains("outcome spy"));
    // A zero budget scores nothing.
    assert!(search(
        &rounds,
        train_end,
        vec![MemberFactory::empirical()],
        Duration::ZERO,
        &SearchConfig::default(),
        |_| {}
    )
    .is_err());
}

fn stacked(members: Vec<MemberFactory>) -> Box<dyn Forecaster> {
    Box::new(StackedEnsemble::new(members, StackConfig::default()))
}

fn planted_members() -> Vec<MemberFactory> {
    vec![
        MemberFactory::fair(0.03),
        MemberFactory::logistic(1.0),
        GbtForecaster::factory(small_gbt()),
    ]
}

fn backtest_config() -> BacktestConfig {
    BacktestConfig {
        walk: WalkForwardConfig {
            start: 4000,
            refit: Refit::EveryN(3000),
            min_train: 1000,
            thresholds: vec![1.5, 2.0, 3.0],
            ..WalkForwardConfig::default()
        },
        ..BacktestConfig::default()
    }
}

#[test]
fn stacked_ensemble_finds_a_planted_edge_and_none_in_fair_data() {
    let cfg = backtest_config();
    let rounds = planted(11, 10_000);
    let table = ensemble::compare(
        &rounds,
        vec![("ensemble".into(), stacked(planted_members()))],
        &cfg,
        |_, _, _| {},
    )
    .unwrap();
    let s = &table.rows[0].summary.thresholds[1];
    assert_eq!(s.threshold, 2.0);
    println!("{}", ensemble::compare::render_text(&table));
    assert!(s.skill.bss > 0.0, "BSS {}", s.skill.bss);
    assert!(s.dm.p_a_better < 0.01, "DM p {}", s.dm.p_a_better);

    let fair = FairGenerator {
        seed: 12,
        house_edge: 0.03,
    }
    .generate(10_000);
    let table = ensemble::compare(
        &fair,
        vec![("ensemble".into(), stacked(planted_members()))],
        &cfg,
        |_, _, _| {},
    )
    .unwrap();
    println!("{}", ensemble::compare::render_text(&table));
    for s in &table.rows[0].summary.thresholds {
        assert!(!s.edge_found, "false edge at {}", s.threshold);
        assert!(
            s.dm.p_a_better > 0.01,
            "{} {}",
            s.threshold,
            s.dm.p_a_better
        );
    }
}

fn fitted_ensemble(rounds: &[Multiplier]) -> (StackedEnsemble, features::FeatureMatrix) {
    let feats = features::compute(rounds);
    let th = [1.5, 2.0, 3.0, 10.0];
    let mut e = StackedEnsemble::new(
        vec![
            MemberFactory::fair(0.03),
            MemberFactory::empirical(),
            MemberFactory::logistic(1.0),
            GbtForecaster::factory(GbtConfig {
                iterations: 30,
                ..small_gbt()
            }),
        ],
        StackConfig {
            calibration: CalibrationMethod::Isotonic,
            ..StackConfig::default()
        },
    );
    e.fit(&TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: rounds,
        thresholds: &th,
    })
    .unwrap();
    (e, feats)
}

#[test]
fn registry_round_trip_and_failures() {
    let rounds = planted(21, 2500);
    let (e, feats) = fitted_ensemble(&rounds);
    let th = e.thresholds().to_vec();
    let dir = temp_dir("registry");
    assert!(matches!(
        registry::latest(&dir),
        Err(RegistryError::NoModels(_))
    ));
    let v1 = registry::save(
        &dir,
        &e,
        SaveOptions {
            activate: true,
            device: Some("cpu".into()),
            ..SaveOptions::default()
        },
    )
    .unwrap();
    assert!(v1.starts_with("v0001-"), "{v1}");
    let loaders = MemberLoaders::builtin();
    let loaded = registry::load(&dir, &v1, &loaders).unwrap();
    for t in [0usize, 100, 1500, 2499] {
        assert_eq!(
            loaded.ensemble.predict(feats.row(t), &th),
            e.predict(feats.row(t), &th),
            "row {t}"
        );
        assert_eq!(
            loaded.ensemble.predict_members(feats.row(t), &th),
            e.predict_members(feats.row(t), &th)
        );
    }
    assert_eq!(loaded.meta.members.len(), 4);
    // A loaded model cannot be refitted (no factories) — an error, not a panic.
    let mut le = loaded.ensemble;
    assert!(le
        .fit(&TrainView {
            features: &feats.data,
            n_cols: feats.n_cols,
            outcomes: &rounds,
            thresholds: &th,
        })
        .is_err());

    let v2 = registry::save(&dir, &e, SaveOptions::default()).unwrap();
    assert!(v2.starts_with("v0002-"));
    let list = registry::list(&dir).unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[0].active && !list[1].active);
    assert_eq!(registry::latest(&dir).unwrap(), v2);
    assert_eq!(registry::active(&dir).unwrap(), Some(v1.clone()));
    assert!(registry::load_active(&dir, &loaders).is_ok());

    let model_json = dir.join(&v2).join("model.json");
    let original = std::fs::read_to_string(&model_json).unwrap();
    // Corrupt JSON.
    std::fs::write(&model_json, "{ not json").unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::Corrupt { .. })
    ));
    assert_eq!(registry::latest(&dir).unwrap(), v1);
    // Other format version.
    let mut j: serde_json::Value = serde_json::from_str(&original).unwrap();
    j["format_version"] = 99.into();
    std::fs::write(&model_json, j.to_string()).unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::FormatVersion { found: 99, .. })
    ));
    // Other feature list.
    let mut j: serde_json::Value = serde_json::from_str(&original).unwrap();
    j["feature_list_version"] = 0.into();
    std::fs::write(&model_json, j.to_string()).unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::FeatureVersion { .. })
    ));
    // Thresholds that do not match stack.json.
    let mut j: serde_json::Value = serde_json::from_str(&original).unwrap();
    j["thresholds"] = serde_json::json!([1.5, 2.0, 3.0, 20.0]);
    std::fs::write(&model_json, j.to_string()).unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::Mismatch(_))
    ));
    // Unknown member kind.
    let mut j: serde_json::Value = serde_json::from_str(&original).unwrap();
    j["members"][0]["kind"] = "burn-lstm".into();
    std::fs::write(&model_json, j.to_string()).unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::UnknownMemberKind(_))
    ));
    // Missing model.json / member file / version; bad names.
    std::fs::write(&model_json, &original).unwrap();
    assert!(registry::load(&dir, &v2, &loaders).is_ok());
    let gbt_file = dir.join(&v2).join("members/03-gbt/gbt.json");
    std::fs::write(&gbt_file, "[]").unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::Corrupt { .. })
    ));
    std::fs::remove_file(&gbt_file).unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::Missing(_))
    ));
    std::fs::remove_file(&model_json).unwrap();
    assert!(matches!(
        registry::load(&dir, &v2, &loaders),
        Err(RegistryError::Missing(_))
    ));
    assert!(matches!(
        registry::load(&dir, "v0009-x", &loaders),
        Err(RegistryError::Missing(_))
    ));
    assert!(matches!(
        registry::load(&dir, "../etc", &loaders),
        Err(RegistryError::BadVersion(_))
    ));
    // Saving a non-persistable member is a typed error.
    let mut np = StackedEnsemble::new(
        vec![
            MemberFactory::from_forecaster("plain", "plain", serde_json::Value::Null, || {
                Box::new(models::forecast::Empirical::default())
            }),
            MemberFactory::fair(0.03),
        ],
        StackConfig::default(),
    );
    np.fit(&TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: &rounds,
        thresholds: &th,
    })
    .unwrap();
    assert!(matches!(
        registry::save(&dir, &np, SaveOptions::default()),
        Err(RegistryError::NotPersistable(_))
    ));
    assert_eq!(registry::list(&dir).unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn comparison_table_renders_and_serialises() {
    let rounds = FairGenerator {
        seed: 8,
        house_edge: 0.03,
    }
    .generate(2500);
    let cfg = BacktestConfig {
        walk: WalkForwardConfig {
            start: 1500,
            refit: Refit::EveryN(1000),
            min_train: 500,
            thresholds: vec![2.0, 10.0],
            ..WalkForwardConfig::default()
        },
        ..BacktestConfig::default()
    };
    let t = ensemble::compare(
        &rounds,
        vec![
            (
                "fair".into(),
                Box::new(models::forecast::FairLaw::fixed(0.03)),
            ),
            ("gbt".into(), Box::new(GbtForecaster::new(small_gbt()))),
        ],
        &cfg,
        |_, _, _| {},
    )
    .unwrap();
    let text = ensemble::compare::render_text(&t);
    assert!(
        text.contains("gbt") && text.contains("P(X ≥ 10x)"),
        "{text}"
    );
    let json = serde_json::to_string(&t).unwrap();
    let back: ensemble::ComparisonTable = serde_json::from_str(&json).unwrap();
    assert_eq!(back.rows.len(), 2);
    assert!(t.row("fair").unwrap().summary.thresholds[0].skill.bss.abs() < 1e-12);
}

#[test]
fn train_pipeline_end_to_end() {
    let rounds = planted(5, 3000);
    let cfg = ensemble::train::TrainConfig {
        budget: Duration::from_secs(20),
        thresholds: vec![1.5, 2.0],
        refit_every: 750,
        candidates: ensemble::train::filter_kinds(
            ensemble::search::default_candidates(2, 3),
            &["fair", "logistic", "gbt"],
        ),
        ..ensemble::train::TrainConfig::default()
    };
    let mut stages = 0;
    let out = ensemble::train::train(&rounds, &cfg, |_| stages += 1).unwrap();
    assert!(stages > 3);
    assert_eq!(out.scores.rows.len(), 2 + out.ensemble.members().len());
    assert_eq!(out.search.train_end, 1500);
    let dir = temp_dir("train");
    let v = ensemble::train::save(&dir, &out, true).unwrap();
    let loaded = registry::load_active(&dir, &MemberLoaders::builtin()).unwrap();
    assert_eq!(loaded.meta.version, v);
    assert!(loaded.meta.scores.is_some() && loaded.meta.search.is_some());
    let row = ensemble::next::next_row(&rounds);
    assert_eq!(
        loaded.ensemble.predict(&row, &[1.5, 2.0]),
        out.ensemble.predict(&row, &[1.5, 2.0])
    );
    let _ = std::fs::remove_dir_all(&dir);
}
