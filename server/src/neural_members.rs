//! Plugs the Burn members (crate `neural`) into the ensemble (crate `ensemble`): a
//! `Member` wrapper for saving, factories for the search, loaders for the registry.

use ensemble::member::{Member, MemberFactory, MemberLoaders};
use ensemble::registry::RegistryError;
use neural::nets::Arch;
use neural::{
    AttentiveTabular, AttentiveTabularConfig, DeviceChoice, MemberKind, MultiOutputNet,
    MultiOutputNetConfig, NeuralForecaster, SequenceModel, SequenceModelConfig,
};
use std::path::Path;

/// A trained (or fresh) Burn network as an ensemble member.
pub struct NeuralMember<A: Arch>(pub NeuralForecaster<A>);

models::delegate_forecaster!(impl[A: Arch] NeuralMember<A> => 0);

impl<A: Arch> Member for NeuralMember<A> {
    fn kind(&self) -> String {
        A::KIND.to_string()
    }
    fn save(&self, dir: &Path) -> Result<(), RegistryError> {
        self.0.save(dir).map_err(|e| RegistryError::Corrupt {
            path: dir.display().to_string(),
            reason: format!("cannot save {}: {e}", A::KIND),
        })
    }
    /// The attention masks' importance (TabNet-style member only; empty for the others).
    fn feature_importance(&self) -> Vec<(String, f64)> {
        let Some(state) = self.0.state() else {
            return Vec::new();
        };
        let names = models::features::feature_names();
        let mut v: Vec<(String, f64)> = state
            .importance
            .iter()
            .enumerate()
            .map(|(j, w)| {
                let name = names
                    .get(j)
                    .cloned()
                    .unwrap_or_else(|| format!("feature {j}"));
                (name, *w)
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v
    }
}

fn load<A: Arch>(dir: &Path) -> Result<Box<dyn Member>, RegistryError> {
    NeuralForecaster::<A>::load(dir)
        .map(|m| Box::new(NeuralMember(m)) as Box<dyn Member>)
        .map_err(|e| RegistryError::Corrupt {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })
}

/// Adds the loaders of the three networks to `loaders`.
pub fn register_loaders(mut loaders: MemberLoaders) -> MemberLoaders {
    loaders.register(MultiOutputNetConfig::KIND, load::<MultiOutputNetConfig>);
    loaders.register(SequenceModelConfig::KIND, load::<SequenceModelConfig>);
    loaders.register(AttentiveTabularConfig::KIND, load::<AttentiveTabularConfig>);
    loaders
}

/// Called after every epoch of every network fit (training progress for a UI).
pub type EpochHook = std::sync::Arc<dyn Fn(&neural::TrainProgress) + Send + Sync>;

/// One factory per network, on `device` (checked here, so a refused device fails early).
pub fn factories(
    device: DeviceChoice,
    seed: u64,
) -> Result<Vec<MemberFactory>, neural::NeuralError> {
    factories_with_hook(device, seed, None)
}

/// As [`factories`], reporting every epoch to `hook`.
pub fn factories_with_hook(
    device: DeviceChoice,
    seed: u64,
    hook: Option<EpochHook>,
) -> Result<Vec<MemberFactory>, neural::NeuralError> {
    let device = device.resolve(false)?;
    let mut out = Vec::new();
    for kind in MemberKind::ALL {
        let hook = hook.clone();
        let mut train = kind.default_train();
        train.seed = seed;
        let params = serde_json::to_value(&train).unwrap_or_default();
        let label = format!("{} ({device})", kind.as_str());
        let factory = match kind {
            MemberKind::MultiOutputNet => {
                MemberFactory::new(kind.as_str(), label, params, move || {
                    Box::new(NeuralMember(with_hook(
                        fresh::<MultiOutputNetConfig>(
                            MultiOutputNet::new(MultiOutputNetConfig::default(), train.clone()),
                            device,
                        ),
                        &hook,
                    )))
                })
            }
            MemberKind::SequenceModel => {
                MemberFactory::new(kind.as_str(), label, params, move || {
                    Box::new(NeuralMember(with_hook(
                        fresh::<SequenceModelConfig>(
                            SequenceModel::new(SequenceModelConfig::default(), train.clone()),
                            device,
                        ),
                        &hook,
                    )))
                })
            }
            MemberKind::AttentiveTabular => {
                MemberFactory::new(kind.as_str(), label, params, move || {
                    Box::new(NeuralMember(with_hook(
                        fresh::<AttentiveTabularConfig>(
                            AttentiveTabular::new(AttentiveTabularConfig::default(), train.clone()),
                            device,
                        ),
                        &hook,
                    )))
                })
            }
        };
        out.push(factory);
    }
    Ok(out)
}

fn with_hook<A: Arch>(
    mut net: NeuralForecaster<A>,
    hook: &Option<EpochHook>,
) -> NeuralForecaster<A> {
    if let Some(h) = hook.clone() {
        net.set_progress(move |p| h(p));
    }
    net
}

/// Moves a fresh network to `device`; the device was resolved already, so a failure here
/// can only be CPU-side and the network stays on the CPU.
fn fresh<A: Arch>(net: NeuralForecaster<A>, device: DeviceChoice) -> NeuralForecaster<A> {
    match device {
        DeviceChoice::Cpu => net,
        other => {
            let cpu_copy = NeuralForecaster::<A>::new(net.arch.clone(), net.train.clone());
            net.with_device(other, true).unwrap_or(cpu_copy)
        }
    }
}
