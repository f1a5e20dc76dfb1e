//! `gpu-check [--device cpu|cuda|auto] [--rounds N] [--compare]`: what this build and this
//! machine can train on, then each network member trained on the chosen device over a
//! seeded fair history, as one JSON object on standard output; `--compare` trains each on
//! the CPU too (same seed) and reports both times and how far apart their probabilities on
//! the last fifth of the rounds are. A device that is not there exits 2 with
//! why ("no CUDA device"), never a panic. CI links the CUDA build of it; on a GPU machine
//! `scripts/gpu-check.sh` runs it next to the CPU.

use models::forecast::{Forecaster, TrainView, DEFAULT_THRESHOLDS};
use neural::nets::Arch;
use neural::{
    AttentiveTabularConfig, DeviceChoice, MultiOutputNetConfig, NeuralForecaster,
    SequenceModelConfig, TrainConfig,
};
use std::process::ExitCode;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// One member trained on `device`: its seconds, epochs, best validation loss, and its
/// probabilities on the `tail` rows (for comparing devices).
fn train<A: Arch>(
    arch: A,
    device: DeviceChoice,
    view: &TrainView<'_>,
    tail: usize,
) -> (serde_json::Value, Vec<f64>) {
    let member = NeuralForecaster::new(arch, TrainConfig::fast()).with_device(device, false);
    let started = std::time::Instant::now();
    let fitted = member.and_then(|mut m| m.fit_view(view).cloned().map(|r| (m, r)));
    match fitted {
        Ok((m, r)) => {
            let seconds = started.elapsed().as_secs_f64();
            let rows = view.outcomes.len();
            let probs: Vec<f64> = (rows.saturating_sub(tail)..rows)
                .flat_map(|i| {
                    let row = &view.features[i * view.n_cols..(i + 1) * view.n_cols];
                    m.predict_with_history(row, &view.outcomes[..i], view.thresholds)
                })
                .collect();
            let summary = serde_json::json!({
                "seconds": seconds,
                "epochs": r.epochs_run,
                "best_valid_loss": r.best_valid_loss,
            });
            (summary, probs)
        }
        Err(e) => (serde_json::json!({ "error": e.to_string() }), Vec::new()),
    }
}

/// Trains a member on `used` (and on the CPU with `compare`), as one JSON entry.
fn member<A: Arch>(
    arch: A,
    used: DeviceChoice,
    compare: bool,
    view: &TrainView<'_>,
) -> serde_json::Value {
    let tail = view.outcomes.len() / 5;
    let (on_device, p_device) = train(arch.clone(), used, view, tail);
    if !compare || used == DeviceChoice::Cpu {
        return on_device;
    }
    let (on_cpu, p_cpu) = train(arch, DeviceChoice::Cpu, view, tail);
    let gap = p_device
        .iter()
        .zip(&p_cpu)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f64, f64::max);
    serde_json::json!({ "device": on_device, "cpu": on_cpu, "max_probability_gap": gap })
}

fn main() -> ExitCode {
    let requested = arg("--device").unwrap_or_else(|| "auto".into());
    let choice: DeviceChoice = match requested.parse() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gpu-check: {e}");
            return ExitCode::from(2);
        }
    };
    let used = match choice.resolve(false) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("gpu-check: {e}");
            return ExitCode::from(2);
        }
    };
    if choice == DeviceChoice::Auto && used == DeviceChoice::Cpu {
        eprintln!("gpu-check: note: no CUDA device here, --device auto uses the CPU");
    }
    let rounds: usize = arg("--rounds")
        .and_then(|r| r.parse().ok())
        .unwrap_or(3_000);
    let compare = std::env::args().any(|a| a == "--compare");
    let history = models::generator::FairGenerator::default().generate(rounds);
    let feats = models::features::compute(&history);
    let view = TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: &history,
        thresholds: &DEFAULT_THRESHOLDS,
    };
    let report = serde_json::json!({
        "cuda_compiled": neural::device::cuda_compiled(),
        "cuda_devices": neural::cuda_devices(),
        "requested": requested,
        "used": used.to_string(),
        "rounds": rounds,
        "members": {
            "multi-output-net": member(MultiOutputNetConfig::default(), used, compare, &view),
            "sequence-gru": member(SequenceModelConfig::default(), used, compare, &view),
            "attentive-tabular": member(AttentiveTabularConfig::default(), used, compare, &view),
        },
    });
    println!("{report}");
    ExitCode::SUCCESS
}
