//! The three Burn networks and their shared monotone output head.
//!
//! Style of the Burn examples: a serialisable config, `init(&device)` (here
//! [`Arch::init`], seeded) and `forward`.

use crate::rng::Rng;
use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid, softmax, softplus, tanh};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A network or training setting out of its range (the message names it and the range).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadSetting(pub &'static str);

/// What a network produces for a batch.
#[derive(Debug, Clone)]
pub struct NetOut {
    /// `[batch, K]` logits of P(X ≥ t_k), thresholds ascending, non-increasing in k.
    pub logits: Tensor<2>,
    /// `[batch, 3]` quantiles of ln X at [`QUANTILE_LEVELS`], non-decreasing.
    pub quantiles: Tensor<2>,
}

/// The quantile levels of ln X the head predicts.
pub const QUANTILE_LEVELS: [f64; 3] = [0.1, 0.5, 0.9];

/// A network of the ensemble: engineered features `[batch, d]` and raw sequence
/// `[batch, N]` in, [`NetOut`] out.
pub trait Net: Module + core::fmt::Debug {
    fn forward(&self, x: Tensor<2>, seq: Tensor<2>) -> NetOut;
}

/// A member's architecture settings: everything needed to rebuild the module.
pub trait Arch:
    Clone + core::fmt::Debug + PartialEq + Serialize + DeserializeOwned + Send + 'static
{
    type Net: Net;
    /// Short identifier written into saved models.
    const KIND: &'static str;
    /// Length of the raw ln X sequence the network reads (0: none).
    fn seq_len(&self) -> usize;
    fn describe(&self) -> String;
    fn validate(&self) -> Result<(), BadSetting>;
    fn init(&self, n_features: usize, head: &HeadInit, device: &Device, seed: u64) -> Self::Net;
}

/// Where the output head starts: the fair law.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadInit {
    /// logit((1 − h)/t_k) for the ascending thresholds.
    pub fair_logits: Vec<f64>,
    /// Quantiles of ln X under the fair law at [`QUANTILE_LEVELS`].
    pub fair_quantiles: [f64; 3],
}

impl HeadInit {
    pub fn fair(thresholds_ascending: &[f64], house_edge: f64) -> Self {
        let fair_logits = thresholds_ascending
            .iter()
            .map(|&t| {
                let p = ((1.0 - house_edge) / t).clamp(1e-4, 1.0 - 1e-4);
                (p / (1.0 - p)).ln()
            })
            .collect();
        // P(X ≤ x) = 1 − (1 − h)/x for x ≥ 1: the τ-quantile is (1 − h)/(1 − τ), at least 1.
        let q = QUANTILE_LEVELS.map(|tau| ((1.0 - house_edge) / (1.0 - tau)).max(1.0).ln());
        Self {
            fair_logits,
            fair_quantiles: q,
        }
    }
}

fn inv_softplus(y: f64) -> f64 {
    let y = y.max(1e-4);
    y + (-(-y).exp_m1()).ln()
}

fn tensor1(v: Vec<f32>, device: &Device) -> Tensor<1> {
    let n = v.len();
    Tensor::from_data(TensorData::new(v, [n]), device)
}

/// A dense layer with uniform weights of standard deviation `gain/√d_in` and the given bias.
pub(crate) fn dense(
    rng: &mut Rng,
    d_in: usize,
    d_out: usize,
    gain: f64,
    bias: Option<Vec<f32>>,
    device: &Device,
) -> Linear {
    let a = gain * (3.0 / d_in.max(1) as f64).sqrt();
    let w: Vec<f32> = (0..d_in * d_out).map(|_| rng.symmetric(a) as f32).collect();
    let b = bias.unwrap_or_else(|| vec![0.0; d_out]);
    Linear {
        weight: Param::from_tensor(Tensor::from_data(TensorData::new(w, [d_in, d_out]), device)),
        bias: Some(Param::from_tensor(tensor1(b, device))),
    }
}

/// Ordinal output head: logits_k = a − Σ_{j≤k} softplus(δ_j), so P(X ≥ t_k) is
/// non-increasing in k for any input; quantiles q₁ ≤ q₂ ≤ q₃ the same way. Starts at the
/// fair law (small weights, biases at the fair logits and quantiles).
#[derive(Module, Debug)]
pub struct MonotoneHead {
    pub proj: Linear,
    pub quant: Linear,
}

impl MonotoneHead {
    pub fn new(rng: &mut Rng, d_in: usize, init: &HeadInit, device: &Device) -> Self {
        let l = &init.fair_logits;
        let mut bias = Vec::with_capacity(l.len() + 1);
        let first_step = 1.0;
        bias.push((l.first().copied().unwrap_or(0.0) + first_step) as f32);
        bias.push(inv_softplus(first_step) as f32);
        for k in 1..l.len() {
            bias.push(inv_softplus(l[k - 1] - l[k]) as f32);
        }
        let q = init.fair_quantiles;
        let qb = vec![
            q[0] as f32,
            inv_softplus(q[1] - q[0]) as f32,
            inv_softplus(q[2] - q[1]) as f32,
        ];
        Self {
            proj: dense(rng, d_in, l.len() + 1, 0.01, Some(bias), device),
            quant: dense(rng, d_in, 3, 0.01, Some(qb), device),
        }
    }

    pub fn forward(&self, h: Tensor<2>) -> NetOut {
        let o = self.proj.forward(h.clone());
        let k = o.dims()[1] - 1;
        let a = o.clone().narrow(1, 0, 1);
        let steps = softplus(o.narrow(1, 1, k), 1.0).cumsum(1);
        let logits = a - steps;
        let q = self.quant.forward(h);
        let q0 = q.clone().narrow(1, 0, 1);
        let inc = softplus(q.narrow(1, 1, 2), 1.0).cumsum(1);
        let quantiles = Tensor::cat(vec![q0.clone(), q0 + inc], 1);
        NetOut { logits, quantiles }
    }
}

// ------------------------------------------------------------------------------------------
// MultiOutputNet

/// A two-layer MLP on [standardised features, raw ln X sequence].
#[derive(Config, Debug, PartialEq)]
pub struct MultiOutputNetConfig {
    #[config(default = 16)]
    pub hidden: usize,
    #[config(default = 8)]
    pub hidden2: usize,
    #[config(default = 32)]
    pub seq_len: usize,
}

impl Default for MultiOutputNetConfig {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Module, Debug)]
pub struct MlpNet {
    pub l1: Linear,
    pub l2: Linear,
    pub head: MonotoneHead,
}

impl Net for MlpNet {
    fn forward(&self, x: Tensor<2>, seq: Tensor<2>) -> NetOut {
        let input = if seq.dims()[1] > 0 {
            Tensor::cat(vec![x, seq], 1)
        } else {
            x
        };
        let h = relu(self.l1.forward(input));
        let h = relu(self.l2.forward(h));
        self.head.forward(h)
    }
}

impl Arch for MultiOutputNetConfig {
    type Net = MlpNet;
    const KIND: &'static str = "multi-output-net";
    fn seq_len(&self) -> usize {
        self.seq_len
    }
    fn describe(&self) -> String {
        format!(
            "multi-output net (MLP {}-{}, seq {})",
            self.hidden, self.hidden2, self.seq_len
        )
    }
    fn validate(&self) -> Result<(), BadSetting> {
        if self.hidden == 0 || self.hidden2 == 0 || self.hidden > 4096 || self.hidden2 > 4096 {
            return Err(BadSetting("hidden sizes must be in 1..=4096"));
        }
        if self.seq_len > 1024 {
            return Err(BadSetting("seq_len must be at most 1024"));
        }
        Ok(())
    }
    fn init(&self, n_features: usize, head: &HeadInit, device: &Device, seed: u64) -> MlpNet {
        let mut rng = Rng::new(seed);
        MlpNet {
            l1: dense(
                &mut rng,
                n_features + self.seq_len,
                self.hidden,
                1.0,
                None,
                device,
            ),
            l2: dense(&mut rng, self.hidden, self.hidden2, 1.0, None, device),
            head: MonotoneHead::new(&mut rng, self.hidden2, head, device),
        }
    }
}

// ------------------------------------------------------------------------------------------
// SequenceModel

/// A GRU over the last `seq_len` ln X values (the cell is written out with Burn tensor ops,
/// so that its initialisation follows the member's seed; `burn::nn::Gru` is the same cell).
#[derive(Config, Debug, PartialEq)]
pub struct SequenceModelConfig {
    #[config(default = 16)]
    pub hidden: usize,
    #[config(default = 24)]
    pub seq_len: usize,
}

impl Default for SequenceModelConfig {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Module, Debug)]
pub struct GruNet {
    /// x_t → the three gate inputs (update, reset, new).
    pub input: Linear,
    /// h_{t−1} → the three gate inputs.
    pub recur: Linear,
    pub head: MonotoneHead,
}

impl Net for GruNet {
    fn forward(&self, _x: Tensor<2>, seq: Tensor<2>) -> NetOut {
        let [b, n] = seq.dims();
        let h3 = self.recur.weight.val().dims()[1];
        let hd = h3 / 3;
        let device = seq.device();
        let gi_all = self
            .input
            .forward(seq.reshape([b * n, 1]))
            .reshape([b, n, h3]);
        let mut h: Tensor<2> = Tensor::zeros([b, hd], &device);
        for t in 0..n {
            let gi: Tensor<2> = gi_all.clone().narrow(1, t, 1).reshape([b, h3]);
            let gh = self.recur.forward(h.clone());
            let z = sigmoid(gi.clone().narrow(1, 0, hd) + gh.clone().narrow(1, 0, hd));
            let r = sigmoid(gi.clone().narrow(1, hd, hd) + gh.clone().narrow(1, hd, hd));
            let cand = tanh(gi.narrow(1, 2 * hd, hd) + r * gh.narrow(1, 2 * hd, hd));
            h = cand.clone() + z * (h - cand);
        }
        self.head.forward(h)
    }
}

impl Arch for SequenceModelConfig {
    type Net = GruNet;
    const KIND: &'static str = "sequence-gru";
    fn seq_len(&self) -> usize {
        self.seq_len
    }
    fn describe(&self) -> String {
        format!("sequence model (GRU {}, seq {})", self.hidden, self.seq_len)
    }
    fn validate(&self) -> Result<(), BadSetting> {
        if self.hidden == 0 || self.hidden > 1024 {
            return Err(BadSetting("hidden must be in 1..=1024"));
        }
        if self.seq_len == 0 || self.seq_len > 1024 {
            return Err(BadSetting("seq_len must be in 1..=1024"));
        }
        Ok(())
    }
    fn init(&self, _n_features: usize, head: &HeadInit, device: &Device, seed: u64) -> GruNet {
        let mut rng = Rng::new(seed);
        let h = self.hidden;
        // Update-gate bias +1: starts by carrying the state along.
        let mut b = vec![0.0f32; 3 * h];
        b[..h].iter_mut().for_each(|v| *v = 1.0);
        GruNet {
            input: dense(&mut rng, 1, 3 * h, 1.0, Some(b), device),
            recur: dense(&mut rng, h, 3 * h, 1.0, None, device),
            head: MonotoneHead::new(&mut rng, h, head, device),
        }
    }
}

// ------------------------------------------------------------------------------------------
// AttentiveTabular

/// TabNet-style decision steps over the engineered features.
#[derive(Config, Debug, PartialEq)]
pub struct AttentiveTabularConfig {
    #[config(default = 3)]
    pub n_steps: usize,
    /// Width of each step's decision output.
    #[config(default = 8)]
    pub n_d: usize,
    /// Width of the attention state passed to the next step.
    #[config(default = 8)]
    pub n_a: usize,
}

impl Default for AttentiveTabularConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// Relaxation of the prior: a feature used with mask m keeps weight (γ − m) for later steps.
pub const TABNET_GAMMA: f64 = 1.5;

#[derive(Module, Debug)]
pub struct TabNet {
    /// Features → first attention state.
    pub init: Linear,
    /// Attentive transformers: attention state → mask logits over the features.
    pub att: Vec<Linear>,
    /// Feature transformers: masked features → GLU → [decision, attention].
    pub ft: Vec<Linear>,
    pub head: MonotoneHead,
}

/// A forward pass with its masks: per step `[batch, d]` masks and `[batch, 1]` step weights.
pub struct TabOut {
    pub out: NetOut,
    pub masks: Vec<Tensor<2>>,
    pub etas: Vec<Tensor<2>>,
}

impl TabNet {
    pub fn forward_masks(&self, x: Tensor<2>) -> TabOut {
        let [b, d] = x.dims();
        let n_a = self.init.weight.val().dims()[1];
        let total = self
            .ft
            .first()
            .map_or(2 * n_a, |l| l.weight.val().dims()[1])
            / 2;
        let n_d = total.saturating_sub(n_a);
        let device = x.device();
        let mut prior: Tensor<2> = Tensor::ones([b, d], &device);
        let mut a = relu(self.init.forward(x.clone()));
        let mut agg: Tensor<2> = Tensor::zeros([b, n_d], &device);
        let mut masks = Vec::with_capacity(self.att.len());
        let mut etas = Vec::with_capacity(self.att.len());
        for (att, ft) in self.att.iter().zip(&self.ft) {
            let logits = att.forward(a) + prior.clone().add_scalar(1e-6).log();
            let mask = softmax(logits, 1);
            prior = prior * mask.clone().neg().add_scalar(TABNET_GAMMA);
            let masked = (x.clone() * mask.clone()).mul_scalar(d as f64);
            let h = ft.forward(masked);
            let glu = h.clone().narrow(1, 0, total) * sigmoid(h.narrow(1, total, total));
            let dd = relu(glu.clone().narrow(1, 0, n_d));
            a = glu.narrow(1, n_d, n_a);
            etas.push(dd.clone().sum_dim(1));
            agg = agg + dd;
            masks.push(mask);
        }
        TabOut {
            out: self.head.forward(agg),
            masks,
            etas,
        }
    }
}

impl Net for TabNet {
    fn forward(&self, x: Tensor<2>, _seq: Tensor<2>) -> NetOut {
        self.forward_masks(x).out
    }
}

impl Arch for AttentiveTabularConfig {
    type Net = TabNet;
    const KIND: &'static str = "attentive-tabular";
    fn seq_len(&self) -> usize {
        0
    }
    fn describe(&self) -> String {
        format!(
            "attentive tabular ({} steps, n_d {}, n_a {})",
            self.n_steps, self.n_d, self.n_a
        )
    }
    fn validate(&self) -> Result<(), BadSetting> {
        if self.n_steps == 0 || self.n_steps > 16 {
            return Err(BadSetting("n_steps must be in 1..=16"));
        }
        if self.n_d == 0 || self.n_a == 0 || self.n_d > 512 || self.n_a > 512 {
            return Err(BadSetting("n_d and n_a must be in 1..=512"));
        }
        Ok(())
    }
    fn init(&self, n_features: usize, head: &HeadInit, device: &Device, seed: u64) -> TabNet {
        let mut rng = Rng::new(seed);
        let total = self.n_d + self.n_a;
        let init = dense(&mut rng, n_features, self.n_a, 1.0, None, device);
        let mut att = Vec::with_capacity(self.n_steps);
        let mut ft = Vec::with_capacity(self.n_steps);
        for _ in 0..self.n_steps {
            att.push(dense(&mut rng, self.n_a, n_features, 0.1, None, device));
            ft.push(dense(&mut rng, n_features, 2 * total, 1.0, None, device));
        }
        TabNet {
            init,
            att,
            ft,
            head: MonotoneHead::new(&mut rng, self.n_d, head, device),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each freshly initialised network predicts ≈ (1 − h)/t for any standardised input.
    #[test]
    fn untrained_networks_start_at_the_fair_law() {
        let device = Device::flex();
        let ts = models::forecast::DEFAULT_THRESHOLDS;
        let head = HeadInit::fair(&ts, 0.03);
        let d = 90;
        let b = 64;
        let mut rng = Rng::new(3);
        let x: Vec<f32> = (0..b * d).map(|_| rng.symmetric(1.7) as f32).collect();
        let s: Vec<f32> = (0..b * 32).map(|_| rng.symmetric(1.7) as f32).collect();
        let x: Tensor<2> = Tensor::from_data(TensorData::new(x, [b, d]), &device);
        let s: Tensor<2> = Tensor::from_data(TensorData::new(s, [b, 32]), &device);
        let check = |out: NetOut| {
            let p = sigmoid(out.logits).try_into_vec_as::<f32>().unwrap();
            for (i, v) in p.iter().enumerate() {
                let f = 0.97 / ts[i % 5];
                assert!((*v as f64 - f).abs() < 0.02, "{v} vs {f}");
            }
            let q = out.quantiles.try_into_vec_as::<f32>().unwrap();
            assert!((q[1] as f64 - 1.94f64.ln()).abs() < 0.1, "{}", q[1]);
        };
        for seed in 0..3 {
            check(
                MultiOutputNetConfig::default()
                    .init(d, &head, &device, seed)
                    .forward(x.clone(), s.clone()),
            );
            check(
                SequenceModelConfig::default()
                    .init(d, &head, &device, seed)
                    .forward(x.clone(), s.clone()),
            );
            check(
                AttentiveTabularConfig::default()
                    .init(d, &head, &device, seed)
                    .forward(x.clone(), s.clone()),
            );
        }
    }
}
