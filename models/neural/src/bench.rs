//! Training time of each member.

use crate::member::{AttentiveTabular, MultiOutputNet, SequenceModel};
use crate::nets::{AttentiveTabularConfig, MultiOutputNetConfig, SequenceModelConfig};
use crate::train::TrainConfig;
use crate::NeuralError;
use models::features;
use models::forecast::{TrainView, DEFAULT_THRESHOLDS};
use models::values::Multiplier;
use serde::{Deserialize, Serialize};

/// One member's training time on a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchRow {
    pub member: String,
    pub rounds: usize,
    pub seconds: f64,
    pub epochs: usize,
}

/// Trains each member once (default architecture and training settings, see
/// [`MemberKind::default_train`](crate::MemberKind::default_train)) on all of `rounds` with the
/// default thresholds and times it (feature computation excluded).
pub fn bench_training(rounds: &[Multiplier]) -> Result<Vec<BenchRow>, NeuralError> {
    let feats = features::compute(rounds);
    let view = TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: rounds,
        thresholds: &DEFAULT_THRESHOLDS,
    };
    let mut out = Vec::new();
    let mut time =
        |name: &str, r: Result<crate::TrainReport, NeuralError>| -> Result<(), NeuralError> {
            let r = r?;
            out.push(BenchRow {
                member: name.to_string(),
                rounds: rounds.len(),
                seconds: r.seconds,
                epochs: r.epochs_run,
            });
            Ok(())
        };
    let mut m = MultiOutputNet::new(MultiOutputNetConfig::default(), TrainConfig::default());
    time("multi-output-net", m.fit_view(&view).cloned())?;
    let mut s = SequenceModel::new(SequenceModelConfig::default(), TrainConfig::sequence());
    time("sequence-gru", s.fit_view(&view).cloned())?;
    let mut a = AttentiveTabular::new(AttentiveTabularConfig::default(), TrainConfig::default());
    time("attentive-tabular", a.fit_view(&view).cloned())?;
    Ok(out)
}
