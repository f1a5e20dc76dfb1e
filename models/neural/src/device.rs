//! Device selection: the CPU (`flex` backend) by default, CUDA only in builds with the `cuda`
//! feature.

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
    /// CUDA device 0. Needs a build with `--features cuda`.
    Cuda,
}

impl FromStr for DeviceChoice {
    type Err = NeuralError;
    fn from_str(s: &str) -> Result<Self, NeuralError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            other => Err(NeuralError::UnknownDevice(other.to_string())),
        }
    }
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        })
    }
}

/// Whether this build can use CUDA.
pub const fn cuda_compiled() -> bool {
    cfg!(feature = "cuda")
}

impl DeviceChoice {
    /// The choice actually usable in this build: `Cuda` without the `cuda` feature is an
    /// error, or `Cpu` when `fallback_to_cpu` is set.
    pub fn resolve(self, fallback_to_cpu: bool) -> Result<DeviceChoice, NeuralError> {
        match self {
            Self::Cpu => Ok(Self::Cpu),
            Self::Cuda if cuda_compiled() => Ok(Self::Cuda),
            Self::Cuda if fallback_to_cpu => Ok(Self::Cpu),
            Self::Cuda => Err(NeuralError::CudaUnavailable),
        }
    }

    /// The Burn device (without autodiff) of a resolved choice.
    pub fn device(self) -> Result<Device, NeuralError> {
        match self {
            Self::Cpu => Ok(Device::flex()),
            #[cfg(feature = "cuda")]
            Self::Cuda => Ok(Device::cuda(0)),
            #[cfg(not(feature = "cuda"))]
            Self::Cuda => Err(NeuralError::CudaUnavailable),
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
        if !cuda_compiled() {
            let e = DeviceChoice::Cuda.resolve(false).unwrap_err();
            assert!(
                e.to_string().contains("rebuild with --features cuda"),
                "{e}"
            );
            assert_eq!(DeviceChoice::Cuda.resolve(true).unwrap(), DeviceChoice::Cpu);
        }
        assert!(DeviceChoice::Cpu.device().is_ok());
    }
}
