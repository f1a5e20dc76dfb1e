//! [`NeuralForecaster`]: a network, its standardisation and thresholds, as a
//! [`Forecaster`]; persistence to a directory (`model.json` + `weights.bpk`).

use crate::data::{sequence_for_predict, Prepared, Standardizer};
use crate::device::DeviceChoice;
use crate::error::NeuralError;
use crate::nets::{
    Arch, AttentiveTabularConfig, HeadInit, MultiOutputNetConfig, Net, SequenceModelConfig, TabNet,
};
use crate::train::{self, ProgressFn, TrainConfig, TrainReport};
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::activation::sigmoid;
use models::error::EvalError;
use models::features::{feature_names, FEATURE_LIST_VERSION};
use models::forecast::{Forecaster, TrainView};
use models::summary::fair_survival;
use models::values::Multiplier;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the saved-model layout.
pub const SAVE_FORMAT: u32 = 1;
const META_FILE: &str = "model.json";
const WEIGHTS_FILE: &str = "weights.bpk";

/// The three members, for the CLI and the ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberKind {
    MultiOutputNet,
    SequenceModel,
    AttentiveTabular,
}

impl MemberKind {
    pub const ALL: [MemberKind; 3] = [
        MemberKind::MultiOutputNet,
        MemberKind::SequenceModel,
        MemberKind::AttentiveTabular,
    ];

    /// Parses `mlp`/`multi-output-net`, `gru`/`sequence`, `tabnet`/`attentive-tabular`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mlp" | "multi-output-net" | "multioutputnet" | "net" => Some(Self::MultiOutputNet),
            "gru" | "sequence" | "sequence-gru" | "sequencemodel" => Some(Self::SequenceModel),
            "tabnet" | "attentive-tabular" | "attentivetabular" | "tabular" => {
                Some(Self::AttentiveTabular)
            }
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MultiOutputNet => MultiOutputNetConfig::KIND,
            Self::SequenceModel => SequenceModelConfig::KIND,
            Self::AttentiveTabular => AttentiveTabularConfig::KIND,
        }
    }

    /// The default training settings of the member.
    pub fn default_train(self) -> TrainConfig {
        match self {
            Self::SequenceModel => TrainConfig::sequence(),
            _ => TrainConfig::default(),
        }
    }

    /// A fresh (untrained) member with the default architecture, boxed.
    pub fn build(
        self,
        train: TrainConfig,
        device: DeviceChoice,
        fallback_to_cpu: bool,
    ) -> Result<Box<dyn Forecaster + Send>, NeuralError> {
        Ok(match self {
            Self::MultiOutputNet => Box::new(
                MultiOutputNet::new(MultiOutputNetConfig::default(), train)
                    .with_device(device, fallback_to_cpu)?,
            ),
            Self::SequenceModel => Box::new(
                SequenceModel::new(SequenceModelConfig::default(), train)
                    .with_device(device, fallback_to_cpu)?,
            ),
            Self::AttentiveTabular => Box::new(
                AttentiveTabular::new(AttentiveTabularConfig::default(), train)
                    .with_device(device, fallback_to_cpu)?,
            ),
        })
    }
}

/// MLP on features + raw sequence.
pub type MultiOutputNet = NeuralForecaster<MultiOutputNetConfig>;
/// GRU on the raw sequence.
pub type SequenceModel = NeuralForecaster<SequenceModelConfig>;
/// TabNet-style model on the features.
pub type AttentiveTabular = NeuralForecaster<AttentiveTabularConfig>;

/// What a fit leaves besides the weights (saved as JSON next to them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedState {
    pub n_features: usize,
    pub feature_list_version: u32,
    /// Ascending, distinct thresholds the head was trained on.
    pub thresholds: Vec<f64>,
    pub standardizer: Standardizer,
    pub report: TrainReport,
    /// Per-feature importance (AttentiveTabular only; empty otherwise), sums to 1.
    pub importance: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
struct SavedMeta<A> {
    format: u32,
    kind: String,
    arch: A,
    train: TrainConfig,
    state: TrainedState,
}

/// A neural member of the ensemble. Untrained, it predicts the fair law (1 − h)/t.
pub struct NeuralForecaster<A: Arch> {
    pub arch: A,
    pub train: TrainConfig,
    device_choice: DeviceChoice,
    device: Device,
    net: Option<A::Net>,
    state: Option<TrainedState>,
    progress: Option<ProgressFn>,
}

impl<A: Arch> std::fmt::Debug for NeuralForecaster<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeuralForecaster")
            .field("arch", &self.arch)
            .field("train", &self.train)
            .field("device", &self.device_choice)
            .field("state", &self.state)
            .finish()
    }
}

impl<A: Arch> NeuralForecaster<A> {
    /// On the CPU.
    pub fn new(arch: A, train: TrainConfig) -> Self {
        Self {
            arch,
            train,
            device_choice: DeviceChoice::Cpu,
            device: Device::flex(),
            net: None,
            state: None,
            progress: None,
        }
    }

    /// On another device; CUDA in a build without it is an error unless `fallback_to_cpu`.
    pub fn with_device(
        mut self,
        choice: DeviceChoice,
        fallback_to_cpu: bool,
    ) -> Result<Self, NeuralError> {
        let c = choice.resolve(fallback_to_cpu)?;
        self.device = c.device()?;
        self.device_choice = c;
        if let Some(net) = self.net.take() {
            self.net = Some(net.to_device(&self.device));
        }
        Ok(self)
    }

    pub fn device_choice(&self) -> DeviceChoice {
        self.device_choice
    }

    /// Called after every epoch of every fit.
    pub fn set_progress(&mut self, f: impl FnMut(&crate::train::TrainProgress) + Send + 'static) {
        self.progress = Some(Box::new(f));
    }

    pub fn clear_progress(&mut self) {
        self.progress = None;
    }

    pub fn is_trained(&self) -> bool {
        self.net.is_some() && self.state.is_some()
    }

    pub fn state(&self) -> Option<&TrainedState> {
        self.state.as_ref()
    }

    /// The last fit's report.
    pub fn report(&self) -> Option<&TrainReport> {
        self.state.as_ref().map(|s| &s.report)
    }

    /// Fits like [`Forecaster::fit`], with a typed error.
    pub fn fit_view(&mut self, view: &TrainView<'_>) -> Result<&TrainReport, NeuralError> {
        self.arch
            .validate()
            .map_err(|e| NeuralError::InvalidConfig(e.to_string()))?;
        self.train
            .validate()
            .map_err(|e| NeuralError::InvalidConfig(e.to_string()))?;
        let n = view.n_rows();
        if view.n_cols == 0 || view.features.len() != n * view.n_cols {
            return Err(EvalError::LengthMismatch(format!(
                "{} feature values for {} rows of {} columns",
                view.features.len(),
                n,
                view.n_cols
            ))
            .into());
        }
        let mut thresholds: Vec<f64> = view
            .thresholds
            .iter()
            .copied()
            .filter(|t| t.is_finite() && *t > 1.0)
            .collect();
        thresholds.sort_by(|a, b| a.total_cmp(b));
        thresholds.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        if thresholds.is_empty() {
            return Err(NeuralError::InvalidConfig(
                "no threshold above 1.0 to train on".into(),
            ));
        }
        let std = Standardizer::fit(view.features, view.n_cols, view.outcomes);
        let sorted_view = TrainView {
            thresholds: &thresholds,
            ..*view
        };
        let data = Prepared::from_view(&sorted_view, &std, self.arch.seq_len());
        let need = self.train.min_rows.max(10);
        if data.n < need {
            return Err(EvalError::TooFew {
                what: format!("{} training rows", A::KIND),
                needed: need,
                got: data.n,
            }
            .into());
        }
        let head = HeadInit::fair(&thresholds, self.train.house_edge);
        self.device.seed(self.train.seed);
        let ad = self.device.clone().autodiff();
        let net = self.arch.init(view.n_cols, &head, &ad, self.train.seed);
        let stage = self.name();
        let (best, report) = train::fit(
            net,
            &data,
            &self.train,
            &self.device,
            &stage,
            &mut self.progress,
        );
        let importance = tab_importance::<A>(&best, &data, &self.device);
        self.net = Some(best);
        self.state = Some(TrainedState {
            n_features: view.n_cols,
            feature_list_version: FEATURE_LIST_VERSION,
            thresholds,
            standardizer: std,
            report,
            importance,
        });
        Ok(&self.state.as_ref().ok_or(NeuralError::NotTrained)?.report)
    }

    /// P(X ≥ t) for each threshold, plus ln X quantiles at 0.1/0.5/0.9, for a batch of rows
    /// (row-major `rows`, `n_cols` each) with optional histories (one per row).
    pub fn predict_batch(
        &self,
        rows: &[f64],
        n_cols: usize,
        histories: Option<&[&[Multiplier]]>,
        thresholds: &[f64],
    ) -> Vec<(Vec<f64>, [f64; 3])> {
        let n = rows.len().checked_div(n_cols).unwrap_or(0);
        let fallback = || {
            (
                thresholds
                    .iter()
                    .map(|&t| fair_survival(t, self.train.house_edge))
                    .collect::<Vec<f64>>(),
                [f64::NAN; 3],
            )
        };
        let (Some(net), Some(st)) = (&self.net, &self.state) else {
            return (0..n).map(|_| fallback()).collect();
        };
        if n_cols != st.n_features || n == 0 {
            return (0..n).map(|_| fallback()).collect();
        }
        let seq_len = self.arch.seq_len();
        let mut x = Vec::with_capacity(n * n_cols);
        let mut seq = Vec::with_capacity(n * seq_len);
        for i in 0..n {
            let row = &rows[i * n_cols..(i + 1) * n_cols];
            st.standardizer.features(row, &mut x);
            let h = histories.and_then(|hs| hs.get(i).copied());
            sequence_for_predict(&st.standardizer, row, h, seq_len, &mut seq);
        }
        let xt = Tensor::<2>::from_data(TensorData::new(x, [n, n_cols]), &self.device);
        let st_t = Tensor::<2>::from_data(TensorData::new(seq, [n, seq_len]), &self.device);
        let out = net.forward(xt, st_t);
        let k = st.thresholds.len();
        let probs = sigmoid(out.logits).try_into_vec_as::<f32>().ok();
        let qs = out.quantiles.try_into_vec_as::<f32>().ok();
        let (Some(probs), Some(qs)) = (probs, qs) else {
            return (0..n).map(|_| fallback()).collect();
        };
        (0..n)
            .map(|i| {
                let p = thresholds
                    .iter()
                    .map(
                        |&t| match st.thresholds.iter().position(|s| (s - t).abs() < 1e-9) {
                            Some(j) => (probs[i * k + j] as f64).clamp(1e-6, 1.0 - 1e-6),
                            None => fair_survival(t, self.train.house_edge),
                        },
                    )
                    .collect();
                let q = [qs[i * 3] as f64, qs[i * 3 + 1] as f64, qs[i * 3 + 2] as f64];
                (p, q)
            })
            .collect()
    }

    /// ln X quantiles at 0.1, 0.5, 0.9 for one row (NaN when untrained).
    pub fn predict_quantiles(&self, row: &[f64], history: Option<&[Multiplier]>) -> [f64; 3] {
        let hs = history.map(|h| [h]);
        self.predict_batch(row, row.len(), hs.as_ref().map(|h| &h[..]), &[2.0])
            .pop()
            .map_or([f64::NAN; 3], |(_, q)| q)
    }

    /// Writes `model.json` (architecture, training settings, standardisation, thresholds,
    /// feature-list version) and `weights.bpk` (the Burn record) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), NeuralError> {
        let (Some(net), Some(state)) = (&self.net, &self.state) else {
            return Err(NeuralError::NotTrained);
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let meta = SavedMeta {
            format: SAVE_FORMAT,
            kind: A::KIND.to_string(),
            arch: self.arch.clone(),
            train: self.train.clone(),
            state: state.clone(),
        };
        let json = serde_json::to_string_pretty(&meta).map_err(|e| NeuralError::Metadata {
            path: dir.join(META_FILE).display().to_string(),
            message: e.to_string(),
        })?;
        let mp = dir.join(META_FILE);
        std::fs::write(&mp, json).map_err(|e| io(&mp, e))?;
        let wp = dir.join(WEIGHTS_FILE);
        net.clone()
            .into_record()
            .save(&wp)
            .map_err(|e| NeuralError::Weights {
                path: wp.display().to_string(),
                message: e.to_string(),
            })
    }

    /// Reads a member saved by [`save`](Self::save), on the CPU. A missing, corrupt or
    /// mismatched file is an error, never a panic.
    pub fn load(dir: &Path) -> Result<Self, NeuralError> {
        let mp = dir.join(META_FILE);
        let text = std::fs::read_to_string(&mp).map_err(|e| io(&mp, e))?;
        let meta: SavedMeta<A> =
            serde_json::from_str(&text).map_err(|e| NeuralError::Metadata {
                path: mp.display().to_string(),
                message: e.to_string(),
            })?;
        if meta.format != SAVE_FORMAT {
            return Err(NeuralError::Mismatch(format!(
                "save format {} (this build reads {SAVE_FORMAT})",
                meta.format
            )));
        }
        if meta.kind != A::KIND {
            return Err(NeuralError::Mismatch(format!(
                "the directory holds a {} model, not a {}",
                meta.kind,
                A::KIND
            )));
        }
        let st = &meta.state;
        if st.feature_list_version != FEATURE_LIST_VERSION {
            return Err(NeuralError::Mismatch(format!(
                "trained on feature list version {}, this build computes version {FEATURE_LIST_VERSION}",
                st.feature_list_version
            )));
        }
        meta.arch
            .validate()
            .map_err(|e| NeuralError::Mismatch(e.to_string()))?;
        meta.train
            .validate()
            .map_err(|e| NeuralError::Mismatch(e.to_string()))?;
        let k = st.thresholds.len();
        let consistent = st.n_features > 0
            && st.n_features <= 100_000
            && k > 0
            && st.thresholds.windows(2).all(|w| w[0] < w[1])
            && st.standardizer.mean.len() == st.n_features
            && st.standardizer.scale.len() == st.n_features
            && (st.importance.is_empty() || st.importance.len() == st.n_features);
        if !consistent {
            return Err(NeuralError::Mismatch(
                "inconsistent sizes in the model description".into(),
            ));
        }
        let wp = dir.join(WEIGHTS_FILE);
        let werr = |message: String| NeuralError::Weights {
            path: wp.display().to_string(),
            message,
        };
        let device = Device::flex();
        let head = HeadInit::fair(&st.thresholds, meta.train.house_edge);
        let skeleton = meta.arch.init(st.n_features, &head, &device, 0);
        // Burn reports bad records as errors; the unwind guard is a second line of defence.
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ModuleRecord::load(&wp)
                .map_err(|e| e.to_string())
                .and_then(|r| skeleton.try_load_record(r).map_err(|e| e.to_string()))
        }))
        .map_err(|_| werr("the weights file could not be decoded".into()))?
        .map_err(werr)?;
        Ok(Self {
            arch: meta.arch,
            train: meta.train,
            device_choice: DeviceChoice::Cpu,
            device,
            net: Some(loaded),
            state: Some(meta.state),
            progress: None,
        })
    }
}

fn io(path: &Path, source: std::io::Error) -> NeuralError {
    NeuralError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// TabNet importance: Σ over steps and training rows of η·mask, normalised; empty for the
/// other architectures.
fn tab_importance<A: Arch>(net: &A::Net, data: &Prepared, device: &Device) -> Vec<f64> {
    let any: &dyn std::any::Any = net;
    let Some(tab) = any.downcast_ref::<TabNet>() else {
        return Vec::new();
    };
    let d = data.n_features;
    let mut acc = vec![0.0f64; d];
    let idx: Vec<usize> = (0..data.n).collect();
    for chunk in idx.chunks(2048) {
        let b = train::batch(data, chunk, device);
        let out = tab.forward_masks(b.x);
        for (m, e) in out.masks.into_iter().zip(out.etas) {
            let w = (m * e).sum_dim(0);
            if let Ok(v) = w.try_into_vec_as::<f32>() {
                for (a, x) in acc.iter_mut().zip(v) {
                    *a += x as f64;
                }
            }
        }
    }
    let total: f64 = acc.iter().sum();
    if total > 0.0 && total.is_finite() {
        acc.iter_mut().for_each(|a| *a /= total);
    }
    acc
}

impl AttentiveTabular {
    /// Per-feature importance (averaged attention masks weighted by each step's decision
    /// output, on the training window), largest first. Empty before training.
    pub fn feature_importance(&self) -> Vec<(String, f64)> {
        let Some(st) = &self.state else {
            return Vec::new();
        };
        let names = feature_names();
        let mut v: Vec<(String, f64)> = st
            .importance
            .iter()
            .enumerate()
            .map(|(j, w)| {
                (
                    names
                        .get(j)
                        .cloned()
                        .unwrap_or_else(|| format!("feature_{j}")),
                    *w,
                )
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v
    }
}

impl<A: Arch> Forecaster for NeuralForecaster<A> {
    fn name(&self) -> String {
        self.arch.describe()
    }

    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        match self.fit_view(train) {
            Ok(_) => Ok(()),
            Err(NeuralError::Eval(e)) => Err(e),
            Err(e) => Err(EvalError::InvalidConfig(e.to_string())),
        }
    }

    fn predict(&self, row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        self.predict_batch(row, row.len(), None, thresholds)
            .pop()
            .map(|(p, _)| p)
            .unwrap_or_else(|| {
                thresholds
                    .iter()
                    .map(|&t| fair_survival(t, self.train.house_edge))
                    .collect()
            })
    }

    fn predict_with_history(
        &self,
        row: &[f64],
        history: &[Multiplier],
        thresholds: &[f64],
    ) -> Vec<f64> {
        self.predict_batch(row, row.len(), Some(&[history]), thresholds)
            .pop()
            .map(|(p, _)| p)
            .unwrap_or_else(|| self.predict(row, thresholds))
    }
}
