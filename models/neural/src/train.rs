//! The training loop shared by the members: Adam, seeded mini-batches, early stopping on
//! the time-ordered validation tail of the training window.

use crate::data::Prepared;
use crate::nets::{BadSetting, Net, NetOut, QUANTILE_LEVELS};
use crate::rng::Rng;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::{log_sigmoid, relu, sigmoid};
use serde::{Deserialize, Serialize};

/// The classification loss over the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum LossKind {
    /// Binary cross-entropy (the calibrated choice; the default).
    #[default]
    Bce,
    /// BCE with each threshold's classes weighted to equal total weight (w₁ = 0.5/π,
    /// w₀ = 0.5/(1 − π), π the training base rate). Distorts probabilities.
    WeightedBce,
    /// Focal loss with focusing parameter γ. Distorts probabilities.
    Focal { gamma: f64 },
}

/// Training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub seed: u64,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub max_epochs: usize,
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
    /// Share of the training window (its last rows, in time order) held out for early
    /// stopping.
    pub valid_fraction: f64,
    pub loss: LossKind,
    /// Weight of the ln X pinball loss next to the classification loss.
    pub quantile_weight: f64,
    pub weight_decay: f64,
    /// House edge of the fair-law starting point of the head.
    pub house_edge: f64,
    /// Fewest training rows accepted.
    pub min_rows: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            learning_rate: 2e-3,
            batch_size: 256,
            max_epochs: 60,
            patience: 8,
            valid_fraction: 0.15,
            loss: LossKind::Bce,
            quantile_weight: 0.1,
            weight_decay: 1e-2,
            house_edge: models::generator::DEFAULT_HOUSE_EDGE,
            min_rows: 100,
        }
    }
}

impl TrainConfig {
    /// The GRU's defaults: larger batches and fewer epochs (its time steps are sequential).
    pub fn sequence() -> Self {
        Self {
            learning_rate: 5e-3,
            batch_size: 512,
            max_epochs: 20,
            patience: 4,
            ..Self::default()
        }
    }

    /// Few epochs, large batches: for tests.
    pub fn fast() -> Self {
        Self {
            batch_size: 512,
            max_epochs: 6,
            patience: 2,
            ..Self::default()
        }
    }

    pub fn validate(&self) -> Result<(), BadSetting> {
        if !(self.learning_rate > 0.0 && self.learning_rate < 10.0) {
            return Err(BadSetting("learning_rate must be in (0, 10)"));
        }
        if self.batch_size == 0 || self.max_epochs == 0 {
            return Err(BadSetting("batch_size and max_epochs must be at least 1"));
        }
        if !(0.0..0.9).contains(&self.valid_fraction) {
            return Err(BadSetting("valid_fraction must be in [0, 0.9)"));
        }
        if !(0.0..0.5).contains(&self.house_edge) {
            return Err(BadSetting("house_edge must be in [0, 0.5)"));
        }
        if !(self.quantile_weight >= 0.0 && self.weight_decay >= 0.0) {
            return Err(BadSetting(
                "quantile_weight and weight_decay must be non-negative",
            ));
        }
        if let LossKind::Focal { gamma } = self.loss {
            if !(0.0..=10.0).contains(&gamma) {
                return Err(BadSetting("focal gamma must be in [0, 10]"));
            }
        }
        Ok(())
    }
}

/// One epoch's progress, for a UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainProgress {
    /// Which member (its name).
    pub stage: String,
    pub epoch: usize,
    pub epochs: usize,
    pub train_loss: f64,
    /// Mean BCE on the validation tail (NaN without one).
    pub valid_loss: f64,
}

/// A progress callback.
pub type ProgressFn = Box<dyn FnMut(&TrainProgress) + Send>;

/// How a fit went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    pub train_rows: usize,
    pub valid_rows: usize,
    pub epochs_run: usize,
    pub best_epoch: usize,
    pub best_valid_loss: f64,
    pub last_train_loss: f64,
    pub seconds: f64,
}

pub(crate) struct Batch {
    pub x: Tensor<2>,
    pub seq: Tensor<2>,
    pub y: Tensor<2>,
    pub lnx: Tensor<2>,
}

pub(crate) fn batch(data: &Prepared, idx: &[usize], device: &Device) -> Batch {
    let (x, q, y, l) = data.gather(idx);
    let b = idx.len();
    Batch {
        x: Tensor::from_data(TensorData::new(x, [b, data.n_features]), device),
        seq: Tensor::from_data(TensorData::new(q, [b, data.seq_len]), device),
        y: Tensor::from_data(TensorData::new(y, [b, data.n_thresholds]), device),
        lnx: Tensor::from_data(TensorData::new(l, [b, 1]), device),
    }
}

/// Per-threshold class weights (w₀, w₁) of the weighted BCE.
fn class_weights(data: &Prepared, rows: usize) -> (Vec<f32>, Vec<f32>) {
    let k = data.n_thresholds;
    let mut pos = vec![0.0f64; k];
    for i in 0..rows {
        for (j, p) in pos.iter_mut().enumerate() {
            *p += data.y[i * k + j] as f64;
        }
    }
    let n = rows.max(1) as f64;
    let mut w0 = Vec::with_capacity(k);
    let mut w1 = Vec::with_capacity(k);
    for p in pos {
        let pi = ((p + 0.5) / (n + 1.0)).clamp(1e-3, 1.0 - 1e-3);
        w1.push((0.5 / pi) as f32);
        w0.push((0.5 / (1.0 - pi)) as f32);
    }
    (w0, w1)
}

/// Mean classification loss (per element) plus the weighted pinball loss.
fn loss(
    out: NetOut,
    b: &Batch,
    kind: LossKind,
    weights: Option<&(Tensor<2>, Tensor<2>)>,
    quantile_weight: f64,
) -> Tensor<1> {
    let z = out.logits;
    let y = b.y.clone();
    let ny = y.clone().neg().add_scalar(1.0);
    let lp = log_sigmoid(z.clone());
    let ln = log_sigmoid(z.clone().neg());
    let (pos, neg) = match kind {
        LossKind::Bce => (y * lp, ny * ln),
        LossKind::WeightedBce => match weights {
            Some((w0, w1)) => (y * lp * w1.clone(), ny * ln * w0.clone()),
            None => (y * lp, ny * ln),
        },
        LossKind::Focal { gamma } => {
            let p = sigmoid(z);
            let q = p.clone().neg().add_scalar(1.0);
            (
                y * lp * q.powf_scalar(gamma),
                ny * ln * p.powf_scalar(gamma),
            )
        }
    };
    let cls = (pos + neg).neg().mean();
    if quantile_weight <= 0.0 {
        return cls;
    }
    let [bs, _] = out.quantiles.dims();
    let taus: Tensor<2> = Tensor::from_data(
        TensorData::new(QUANTILE_LEVELS.map(|t| t as f32).to_vec(), [1, 3]),
        &out.quantiles.device(),
    );
    let e = b.lnx.clone().expand([bs, 3]) - out.quantiles;
    let pin = relu(e.clone()) * taus.clone() + relu(e.neg()) * taus.neg().add_scalar(1.0);
    cls + pin.mean().mul_scalar(quantile_weight)
}

/// Plain mean BCE of `model` on rows `idx` (no gradient), batched.
pub(crate) fn eval_bce<N: Net>(model: &N, data: &Prepared, idx: &[usize], device: &Device) -> f64 {
    if idx.is_empty() {
        return f64::NAN;
    }
    let mut total = 0.0;
    for chunk in idx.chunks(2048) {
        let b = batch(data, chunk, device);
        let out = model.forward(b.x.clone(), b.seq.clone());
        let l = loss(out, &b, LossKind::Bce, None, 0.0);
        let v = l
            .try_into_vec_as::<f32>()
            .ok()
            .and_then(|v| v.first().copied());
        total += v.unwrap_or(f32::NAN) as f64 * chunk.len() as f64;
    }
    total / idx.len() as f64
}

/// Rows of the time-ordered validation tail: none below 200 rows, at most half.
fn validation_rows(n: usize, cfg: &TrainConfig) -> usize {
    if n >= 200 {
        ((n as f64 * cfg.valid_fraction).round() as usize).min(n / 2)
    } else {
        0
    }
}

/// The class weights (w₀, w₁) per threshold of the weighted loss, on the autodiff device.
fn loss_weights(
    data: &Prepared,
    n_train: usize,
    cfg: &TrainConfig,
    ad: &Device,
) -> Option<(Tensor<2>, Tensor<2>)> {
    if !matches!(cfg.loss, LossKind::WeightedBce) {
        return None;
    }
    let (w0, w1) = class_weights(data, n_train);
    let k = data.n_thresholds;
    Some((
        Tensor::<2>::from_data(TensorData::new(w0, [1, k]), ad),
        Tensor::<2>::from_data(TensorData::new(w1, [1, k]), ad),
    ))
}

/// The first element of a tensor as f64 (NaN when it cannot be read).
fn first_value<const D: usize>(t: &Tensor<D>) -> f64 {
    t.clone()
        .try_into_vec_as::<f32>()
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(f32::NAN) as f64
}

/// Trains `model` (built on the autodiff device) on `data`; returns the best validation
/// snapshot (on the plain device) and the report.
pub(crate) fn fit<N: Net>(
    mut model: N,
    data: &Prepared,
    cfg: &TrainConfig,
    device: &Device,
    stage: &str,
    progress: &mut Option<ProgressFn>,
) -> (N, TrainReport) {
    let started = std::time::Instant::now();
    let ad = device.clone().autodiff();
    let n = data.n;
    let n_valid = validation_rows(n, cfg);
    let n_train = n - n_valid;
    let valid_idx: Vec<usize> = (n_train..n).collect();
    let mut optim = adam_config(cfg).init();
    let weights = loss_weights(data, n_train, cfg, &ad);
    let mut rng = Rng::new(cfg.seed.wrapping_add(0x5151));
    let mut order: Vec<usize> = (0..n_train).collect();
    let best = model.valid();
    let best_loss = if n_valid > 0 {
        eval_bce(&best, data, &valid_idx, device)
    } else {
        f64::INFINITY
    };
    let mut report = TrainReport {
        train_rows: n_train,
        valid_rows: n_valid,
        best_valid_loss: best_loss,
        ..TrainReport::default()
    };
    let mut stopping = EarlyStopping {
        best,
        best_loss,
        since_best: 0,
    };
    for epoch in 1..=cfg.max_epochs {
        rng.shuffle(&mut order);
        let (trained, train_loss) =
            train_epoch(model, &mut optim, data, &order, cfg, weights.as_ref(), &ad);
        model = trained;
        let snapshot = model.valid();
        let valid_loss = if n_valid > 0 {
            eval_bce(&snapshot, data, &valid_idx, device)
        } else {
            f64::NAN
        };
        report.epochs_run = epoch;
        report.last_train_loss = train_loss;
        stopping.observe(epoch, snapshot, valid_loss, n_valid > 0, &mut report);
        if let Some(cb) = progress.as_mut() {
            cb(&TrainProgress {
                stage: stage.to_string(),
                epoch,
                epochs: cfg.max_epochs,
                train_loss,
                valid_loss,
            });
        }
        if n_valid > 0 && stopping.since_best >= cfg.patience.max(1) {
            break;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    (stopping.best, report)
}

/// One epoch of mini-batch training over the rows `order` (batches of fewer than 2 rows
/// and batches whose loss is not finite are skipped). Returns the updated model and the
/// mean training loss (NaN when no batch counted).
fn train_epoch<N: Net>(
    mut model: N,
    optim: &mut ModuleOptimizer,
    data: &Prepared,
    order: &[usize],
    cfg: &TrainConfig,
    weights: Option<&(Tensor<2>, Tensor<2>)>,
    ad: &Device,
) -> (N, f64) {
    let mut sum = 0.0;
    let mut count = 0usize;
    for chunk in order.chunks(cfg.batch_size.max(1)) {
        if chunk.len() < 2 {
            continue;
        }
        let b = batch(data, chunk, ad);
        let out = model.forward(b.x.clone(), b.seq.clone());
        let l = loss(out, &b, cfg.loss, weights, cfg.quantile_weight);
        let lv = first_value(&l);
        if !lv.is_finite() {
            continue;
        }
        sum += lv * chunk.len() as f64;
        count += chunk.len();
        let grads = GradientsParams::from_grads(l.backward(), &model);
        model = optim.step(cfg.learning_rate, model, grads);
    }
    let train_loss = if count > 0 {
        sum / count as f64
    } else {
        f64::NAN
    };
    (model, train_loss)
}

/// Adam, with weight decay when the settings ask for it.
fn adam_config(cfg: &TrainConfig) -> AdamConfig {
    let mut c = AdamConfig::new();
    if cfg.weight_decay > 0.0 {
        c = c.with_weight_decay(Some(burn::optim::decay::WeightDecayConfig::new(
            cfg.weight_decay as f32,
        )));
    }
    c
}

/// Early stopping: the best validation snapshot so far, its loss, and the epochs since the
/// validation loss last improved.
struct EarlyStopping<M> {
    best: M,
    best_loss: f64,
    since_best: usize,
}

impl<M> EarlyStopping<M> {
    /// Takes one epoch's `snapshot` and validation loss into account: it becomes the best
    /// when it improves on it by more than 1e-7 (always, without a validation tail), and
    /// `report` records the best epoch.
    fn observe(
        &mut self,
        epoch: usize,
        snapshot: M,
        valid_loss: f64,
        validating: bool,
        report: &mut TrainReport,
    ) {
        if !validating {
            self.best = snapshot;
            report.best_epoch = epoch;
        } else if valid_loss.is_finite() && valid_loss < self.best_loss - 1e-7 {
            self.best_loss = valid_loss;
            self.best = snapshot;
            report.best_epoch = epoch;
            report.best_valid_loss = valid_loss;
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
    }
}
