//! Stacking: members → out-of-fold walk-forward predictions inside the training window →
//! a per-threshold combination that cannot be worse than the fair law by more than noise →
//! out-of-sample calibration → monotonicity across thresholds.
//!
//! **The combination.** For threshold t with fair rate p₀ = (1−h)/t:
//! logit q = logit p₀ + s · Σ_m w_m (logit p_m − logit p₀), with w on the simplex and a
//! shrinkage s ∈ [0, 1]; s = 0 is the fair law, one-hot w with s = 1 is a member. The
//! candidates are the fair law, each member and the members' average, each at
//! s ∈ {¼, ½, 1}. On the out-of-fold rows (walk-forward inside the training window) a
//! candidate replaces the fair law only when its log-loss gain over the fair law is
//! `selection_z` standard errors above 0, Bonferroni-corrected across the candidates (a
//! paired one-sided test); among those the largest
//! gain wins. So on a fair history the ensemble falls back to the fair law, and with a
//! real edge it follows the member (or mix) that carries it.
//!
//! Inside a training window of `n` rows, the first `first_fraction·n` rows are only ever
//! training data. The rest is cut into `folds` consecutive folds; for each fold every member
//! is created fresh by its factory, fitted on all rows before the fold and predicts the fold.
//! These out-of-fold (OOF) predictions are causal: no prediction of row `i` comes from a
//! model that saw row `i` or anything after it. The meta-learner is fitted on the first part
//! of the OOF rows, the calibrator on its predictions for the last part
//! (`calibration_fraction`), then the meta-learner is refitted on all OOF rows. Finally
//! every member is refitted on the whole window.

use crate::calibrate::{CalibrationMethod, Calibrator};
use crate::member::{Member, MemberFactory};
use crate::util::sigmoid;
use crate::util::{enforce_monotone, logit};
use models::error::EvalError;
use models::forecast::{threshold_hundredths, Forecaster, TrainView};
use models::summary::fair_survival;
use models::values::Multiplier;
use serde::{Deserialize, Serialize};

/// Settings of the stacked ensemble. Calibration is off by default (see `Default`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StackConfig {
    /// Time-ordered out-of-fold folds.
    pub folds: usize,
    /// Share of the training window before the first fold (training only).
    pub first_fraction: f64,
    pub calibration: CalibrationMethod,
    /// Share of the OOF rows (the most recent) held out to fit the calibrator.
    pub calibration_fraction: f64,
    /// Fewest training rows for a fold's members.
    pub min_fold_train: usize,
    /// House edge of the fair law every combination starts from.
    #[serde(default = "default_house_edge")]
    pub house_edge: f64,
    /// How many standard errors a single candidate's out-of-fold log-loss gain over the fair
    /// law must reach before it replaces the fair law; split across the candidates tried
    /// ([`selection_threshold`]).
    #[serde(default = "default_selection_z")]
    pub selection_z: f64,
}

fn default_house_edge() -> f64 {
    models::generator::DEFAULT_HOUSE_EDGE
}

fn default_selection_z() -> f64 {
    // One-sided 5% across all candidates ([`selection_threshold`]): 2.71 with four members.
    1.645
}

impl Default for StackConfig {
    fn default() -> Self {
        Self {
            folds: 3,
            first_fraction: 0.4,
            // Measured on the planted sequence (tests/ensemble.rs, seed 11): at 2x the BSS
            // was +0.0072 without calibration and −0.0043 with Platt fitted on the 30% held
            // out — a calibrator fitted on a few hundred rows adds level noise that costs
            // more than it corrects when the signal is this weak. Opt in via the config.
            calibration: CalibrationMethod::None,
            calibration_fraction: 0.3,
            min_fold_train: 200,
            house_edge: default_house_edge(),
            selection_z: default_selection_z(),
        }
    }
}

/// The fitted combination and calibrator of one threshold (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaModel {
    pub threshold: f64,
    /// The fair rate p₀ whose logit is the offset.
    pub fair: f64,
    /// Non-negative member weights summing to 1 (all 0 for the fair law).
    pub weights: Vec<f64>,
    /// Shrinkage toward the fair law, in [0, 1].
    pub shrink: f64,
    /// The chosen candidate in words, with its out-of-fold gain.
    pub choice: String,
    pub calibrator: Calibrator,
}

impl MetaModel {
    /// The combined P(X ≥ t) from the members' P(X ≥ t) (before calibration).
    pub fn combine(&self, member_probs: &[f64]) -> f64 {
        combine(self.fair, &self.weights, self.shrink, member_probs)
    }
}

fn combine(fair: f64, weights: &[f64], shrink: f64, probs: &[f64]) -> f64 {
    if shrink == 0.0 || weights.iter().all(|w| *w == 0.0) {
        // Exactly the fair law (not its logit round trip), so comparisons see a tie.
        return fair;
    }
    let base = logit(fair);
    let dev: f64 = weights
        .iter()
        .zip(probs)
        .map(|(w, p)| w * (logit(*p) - base))
        .sum();
    sigmoid(base + shrink * dev)
}

/// Where the OOF rows came from (for reports and tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OofLayout {
    pub n_rows: usize,
    /// `(start, end)` of each fold, row indices inside the training window.
    pub folds: Vec<(usize, usize)>,
    /// Start of the calibration rows (meta fitted on `[folds[0].0, calibration_start)`).
    pub calibration_start: usize,
}

/// A stacked ensemble of members.
pub struct StackedEnsemble {
    pub config: StackConfig,
    factories: Vec<MemberFactory>,
    members: Vec<Box<dyn Member>>,
    meta: Vec<MetaModel>,
    thresholds: Vec<f64>,
    layout: Option<OofLayout>,
}

impl StackedEnsemble {
    pub fn new(factories: Vec<MemberFactory>, config: StackConfig) -> Self {
        Self {
            config,
            factories,
            members: Vec::new(),
            meta: Vec::new(),
            thresholds: Vec::new(),
            layout: None,
        }
    }

    /// Reassembles a fitted ensemble (the registry uses this). Without factories it predicts
    /// but cannot be refitted.
    pub fn from_parts(
        config: StackConfig,
        factories: Vec<MemberFactory>,
        members: Vec<Box<dyn Member>>,
        meta: Vec<MetaModel>,
        thresholds: Vec<f64>,
    ) -> Result<Self, EvalError> {
        if members.is_empty() || meta.len() != thresholds.len() {
            return Err(EvalError::InvalidConfig(
                "stacked ensemble parts do not fit together".into(),
            ));
        }
        for m in &meta {
            if m.weights.len() != members.len()
                || m.weights.iter().any(|w| !w.is_finite() || *w < 0.0)
                || !(0.0..=1.0).contains(&m.shrink)
                || !(m.fair > 0.0 && m.fair < 1.0)
            {
                return Err(EvalError::InvalidConfig(
                    "combination weights do not match the members".into(),
                ));
            }
        }
        Ok(Self {
            config,
            factories,
            members,
            meta,
            thresholds,
            layout: None,
        })
    }

    pub fn factories(&self) -> &[MemberFactory] {
        &self.factories
    }

    pub fn members(&self) -> &[Box<dyn Member>] {
        &self.members
    }

    pub fn meta(&self) -> &[MetaModel] {
        &self.meta
    }

    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    pub fn layout(&self) -> Option<&OofLayout> {
        self.layout.as_ref()
    }

    pub fn is_fitted(&self) -> bool {
        !self.members.is_empty() && !self.meta.is_empty()
    }

    /// Each member's P(X ≥ t), by member name (for the UI).
    pub fn predict_members(&self, row: &[f64], thresholds: &[f64]) -> Vec<(String, Vec<f64>)> {
        self.members
            .iter()
            .map(|m| (m.name(), m.predict(row, thresholds)))
            .collect()
    }

    /// As [`Self::predict_members`], for members that read the raw history.
    pub fn predict_members_with_history(
        &self,
        row: &[f64],
        history: &[Multiplier],
        thresholds: &[f64],
    ) -> Vec<(String, Vec<f64>)> {
        self.members
            .iter()
            .map(|m| (m.name(), m.predict_with_history(row, history, thresholds)))
            .collect()
    }

    /// Combines member predictions (`member_probs[m][k]`) into the ensemble's.
    pub fn combine(&self, member_probs: &[Vec<f64>], thresholds: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = (0..thresholds.len())
            .map(|k| {
                let Some(meta) = self.meta.get(k) else {
                    return 0.5;
                };
                let p: Vec<f64> = member_probs
                    .iter()
                    .map(|p| p.get(k).copied().unwrap_or(meta.fair))
                    .collect();
                meta.calibrator.apply(meta.combine(&p))
            })
            .collect();
        enforce_monotone(&mut out, thresholds);
        out
    }

    /// Computes the layout of the OOF folds for a window of `n` rows.
    pub fn oof_layout(&self, n: usize) -> Result<OofLayout, EvalError> {
        let c = &self.config;
        let folds = c.folds.max(1);
        let first =
            ((n as f64 * c.first_fraction.clamp(0.05, 0.9)) as usize).max(c.min_fold_train.max(2));
        let oof = n.saturating_sub(first);
        if oof < folds * 20 {
            return Err(EvalError::TooFew {
                what: "stacked ensemble training rows".into(),
                needed: first + folds * 20,
                got: n,
            });
        }
        let mut bounds = Vec::with_capacity(folds);
        for f in 0..folds {
            let a = first + oof * f / folds;
            let b = first + oof * (f + 1) / folds;
            bounds.push((a, b));
        }
        let cal = match c.calibration {
            CalibrationMethod::None => n,
            _ => {
                let held = ((oof as f64) * c.calibration_fraction.clamp(0.05, 0.8)) as usize;
                n - held.max(10).min(oof / 2)
            }
        };
        Ok(OofLayout {
            n_rows: n,
            folds: bounds,
            calibration_start: cal,
        })
    }
}

fn sub_view<'a>(train: &TrainView<'a>, start: usize, end: usize) -> TrainView<'a> {
    TrainView {
        features: &train.features[start * train.n_cols..end * train.n_cols],
        n_cols: train.n_cols,
        outcomes: &train.outcomes[start..end],
        thresholds: train.thresholds,
    }
}

/// The out-of-fold predictions: `probs[member][i − offset][k]` for training row i.
struct OofRows<'a> {
    probs: &'a [Vec<Vec<f64>>],
    offset: usize,
    outcomes: &'a [Multiplier],
}

/// Shrinkages every candidate is tried at.
const SHRINKAGES: [f64; 3] = [0.25, 0.5, 1.0];

/// The z a candidate's gain must reach when `tried` candidates are tried: the one-sided
/// level of `z_one` split across them (Bonferroni). Every candidate is a new chance for
/// noise to look like a gain: with four members the single-candidate z of 2 let a network's
/// noise through on the real history (−0.002 BSS at 2x).
pub fn selection_threshold(z_one: f64, tried: usize) -> f64 {
    let level = 1.0 - models::stats::normal_cdf(z_one);
    models::stats::normal_quantile(1.0 - level / tried.max(1) as f64)
}

/// Chooses the combination of threshold `k` (at `t`) on OOF rows `rows` (see the module
/// documentation): (weights, shrinkage, description).
fn select(
    oof: &OofRows<'_>,
    rows: std::ops::Range<usize>,
    k: usize,
    t: f64,
    config: &StackConfig,
    names: &[String],
) -> (Vec<f64>, f64, String) {
    let (outcomes, offset) = (oof.outcomes, oof.offset);
    let oof = oof.probs;
    let m = oof.len();
    let fair = fair_survival(t, config.house_edge).clamp(1e-6, 1.0 - 1e-6);
    let h = threshold_hundredths(t);
    let loss = |q: f64, y: bool| {
        let q = q.clamp(1e-12, 1.0 - 1e-12);
        if y {
            -q.ln()
        } else {
            -(1.0 - q).ln()
        }
    };
    let mut candidates: Vec<(Vec<f64>, String)> = (0..m)
        .map(|j| {
            let mut w = vec![0.0; m];
            w[j] = 1.0;
            (w, names[j].clone())
        })
        .collect();
    if m > 1 {
        candidates.push((vec![1.0 / m as f64; m], "average of the members".into()));
    }
    let n = rows.len().max(1) as f64;
    let z = selection_threshold(config.selection_z, candidates.len() * SHRINKAGES.len());
    let mut best: (Vec<f64>, f64, String, f64) = (vec![0.0; m], 0.0, "fair law".into(), 0.0);
    for (w, name) in &candidates {
        for s in SHRINKAGES {
            let (mut sum, mut sq) = (0.0, 0.0);
            for i in rows.clone() {
                let y = outcomes[i].0 >= h;
                let p: Vec<f64> = oof.iter().map(|mm| mm[i - offset][k]).collect();
                let d = loss(fair, y) - loss(combine(fair, w, s, &p), y);
                sum += d;
                sq += d * d;
            }
            let mean = sum / n;
            let se = ((sq / n - mean * mean).max(0.0) / n).sqrt();
            if mean > best.3 && mean > z * se {
                best = (w.clone(), s, format!("{name}, shrink {s}"), mean);
            }
        }
    }
    let choice = if best.1 == 0.0 {
        "fair law (no candidate beat it out of fold)".to_string()
    } else {
        format!(
            "{} (out-of-fold log-loss gain {:.5} per round)",
            best.2, best.3
        )
    };
    (best.0, best.1, choice)
}

impl Forecaster for StackedEnsemble {
    fn name(&self) -> String {
        let cal = match self.config.calibration {
            CalibrationMethod::None => "",
            CalibrationMethod::Platt => ", Platt",
            CalibrationMethod::Isotonic => ", isotonic",
        };
        format!(
            "stacked ensemble ({} members{cal})",
            self.factories.len().max(self.members.len())
        )
    }

    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        if self.factories.is_empty() {
            return Err(EvalError::InvalidConfig(
                "the stacked ensemble has no member factories (a loaded model cannot be refitted)"
                    .into(),
            ));
        }
        if train.thresholds.is_empty() {
            return Err(EvalError::InvalidConfig("no thresholds".into()));
        }
        let n = train.n_rows();
        let layout = self.oof_layout(n)?;
        let off = layout.folds[0].0;
        let th = train.thresholds;
        // oof[m][i - off][k]
        let mut oof: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(n - off); self.factories.len()];
        for &(a, b) in &layout.folds {
            let past = sub_view(train, 0, a);
            for (mi, f) in self.factories.iter().enumerate() {
                let mut member = f.make();
                member.fit(&past)?;
                for i in a..b {
                    let p = member.predict_with_history(train.row(i), &train.outcomes[..i], th);
                    oof[mi].push(p);
                }
            }
        }
        let names: Vec<String> = self.factories.iter().map(|f| f.label.clone()).collect();
        let rows = OofRows {
            probs: &oof,
            offset: off,
            outcomes: train.outcomes,
        };
        let mut meta = Vec::with_capacity(th.len());
        for (k, &t) in th.iter().enumerate() {
            let fair = fair_survival(t, self.config.house_edge).clamp(1e-6, 1.0 - 1e-6);
            let calibrator = if layout.calibration_start < n {
                let (w, s, _) = select(
                    &rows,
                    off..layout.calibration_start,
                    k,
                    t,
                    &self.config,
                    &names,
                );
                let h = threshold_hundredths(t);
                let mut p = Vec::new();
                let mut y = Vec::new();
                for i in layout.calibration_start..n {
                    let probs: Vec<f64> = oof.iter().map(|mm| mm[i - off][k]).collect();
                    p.push(combine(fair, &w, s, &probs));
                    y.push(train.outcomes[i].0 >= h);
                }
                Calibrator::fit(self.config.calibration, &p, &y)
            } else {
                Calibrator::Identity
            };
            let (weights, shrink, choice) = select(&rows, off..n, k, t, &self.config, &names);
            meta.push(MetaModel {
                threshold: t,
                fair,
                weights,
                shrink,
                choice,
                calibrator,
            });
        }
        let mut members = Vec::with_capacity(self.factories.len());
        for f in &self.factories {
            let mut m = f.make();
            m.fit(train)?;
            members.push(m);
        }
        self.members = members;
        self.meta = meta;
        self.thresholds = th.to_vec();
        self.layout = Some(layout);
        Ok(())
    }

    fn predict(&self, row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        let probs: Vec<Vec<f64>> = self
            .members
            .iter()
            .map(|m| m.predict(row, thresholds))
            .collect();
        self.combine(&probs, thresholds)
    }

    fn predict_with_history(
        &self,
        row: &[f64],
        history: &[Multiplier],
        thresholds: &[f64],
    ) -> Vec<f64> {
        let probs: Vec<Vec<f64>> = self
            .members
            .iter()
            .map(|m| m.predict_with_history(row, history, thresholds))
            .collect();
        self.combine(&probs, thresholds)
    }
}
