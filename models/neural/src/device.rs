//! Device selection: the CPU (`flex` backend) by default, CUDA in builds with the `cuda`
//! feature on a machine that has a CUDA device, `auto` for the GPU when there is one. A
//! device is looked for before one is made: making a CUDA device without a driver panics
//! inside cudarc.

use crate::error::NeuralError;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a member trains and predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DeviceChoice {
    /// Pure-Rust CPU backend (`flex`). The default.
    #[default]
    Cpu,
    /// CUDA device 0. Needs a build with `--features cuda` and a CUDA device.
    Cuda,
    /// CUDA where this build and this machine have it, else the CPU.
    Auto,
}

impl FromStr for DeviceChoice {
    type Err = NeuralError;
    fn from_str(s: &str) -> Result<Self, NeuralError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            "auto" => Ok(Self::Auto),
            other => Err(NeuralError::UnknownDevice(other.to_string())),
        }
    }
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::Auto => "auto",
        })
    }
}

/// Whether this build can use CUDA.
pub const fn cuda_compiled() -> bool {
    cfg!(feature = "cuda")
}

/// How many CUDA devices this machine has (0 without the `cuda` feature, a driver or a GPU;
/// looking never panics).
pub fn cuda_devices() -> usize {
    #[cfg(feature = "cuda")]
    {
        Device::enumerate(burn::tensor::DeviceType::Cuda)
            .into_iter()
            .count()
    }
    #[cfg(not(feature = "cuda"))]
    {
        0
    }
}

/// The devices training may use: those of this build, and those this machine has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Devices {
    /// `cpu`, and `cuda` in a CUDA build.
    pub build: Vec<String>,
    /// `cpu`, and `cuda` when a CUDA device is found.
    pub machine: Vec<String>,
}

pub fn devices() -> Devices {
    let mut build = vec!["cpu".to_string()];
    let mut machine = build.clone();
    if cuda_compiled() {
        build.push("cuda".into());
        if cuda_devices() > 0 {
            machine.push("cuda".into());
        }
    }
    Devices { build, machine }
}

impl DeviceChoice {
    /// The device to use: `Cuda` without the `cuda` feature or without a CUDA device is an
    /// error, or `Cpu` when `fallback_to_cpu` is set; `Auto` is CUDA where there is one.
    pub fn resolve(self, fallback_to_cpu: bool) -> Result<DeviceChoice, NeuralError> {
        let found = || cuda_compiled() && cuda_devices() > 0;
        match self {
            Self::Cpu => Ok(Self::Cpu),
            Self::Auto if found() => Ok(Self::Cuda),
            Self::Auto => Ok(Self::Cpu),
            Self::Cuda if found() => Ok(Self::Cuda),
            Self::Cuda if fallback_to_cpu => Ok(Self::Cpu),
            Self::Cuda if cuda_compiled() => Err(NeuralError::NoCudaDevice),
            Self::Cuda => Err(NeuralError::CudaUnavailable),
        }
    }

    /// The Burn device (without autodiff) of a resolved choice.
    pub fn device(self) -> Result<Device, NeuralError> {
        match self.resolve(false)? {
            #[cfg(feature = "cuda")]
            Self::Cuda => Ok(Device::cuda(0)),
            _ => Ok(Device::flex()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_resolve() {
        assert_eq!("CPU".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cpu);
        assert_eq!(
            " cuda ".parse::<DeviceChoice>().unwrap(),
            DeviceChoice::Cuda
        );
        assert!(matches!(
            "tpu".parse::<DeviceChoice>(),
            Err(NeuralError::UnknownDevice(_))
        ));
        assert_eq!("auto".parse::<DeviceChoice>().unwrap(), DeviceChoice::Auto);
        if cuda_devices() == 0 {
            // No GPU here: cuda is refused with why (never a panic), auto is the CPU.
            let e = DeviceChoice::Cuda.resolve(false).unwrap_err();
            let why = if cuda_compiled() {
                "no CUDA device"
            } else {
                "rebuild with --features cuda"
            };
            assert!(e.to_string().contains(why), "{e}");
            assert!(DeviceChoice::Cuda.device().is_err());
            assert_eq!(DeviceChoice::Cuda.resolve(true).unwrap(), DeviceChoice::Cpu);
            assert_eq!(
                DeviceChoice::Auto.resolve(false).unwrap(),
                DeviceChoice::Cpu
            );
            assert_eq!(devices().machine, ["cpu"]);
        }
        assert_eq!(devices().build.len(), 1 + usize::from(cuda_compiled()));
        assert!(DeviceChoice::Cpu.device().is_ok());
        assert!(DeviceChoice::Auto.device().is_ok());
    }
}
