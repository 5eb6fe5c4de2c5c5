//! The cloud-neutral accelerator names of the user-facing contract, and the facts
//! that hold for an accelerator whichever cloud sells it (kind, memory, slice shape).

use serde::Serialize;

/// Whether an accelerator is an NVIDIA GPU or a Google TPU.
///
/// GPU node pools are tainted `nvidia.com/gpu`; TPU node pools `google.com/tpu`
/// and take a slice topology.
///
/// ```
/// use mlcloud_provider::catalog::{self, AcceleratorKind};
/// use mlcloud_provider::Cloud;
///
/// let tpu = catalog::machine_type(Cloud::Gcp, "tpu-v6e", 4).unwrap();
/// assert_eq!(tpu.kind, AcceleratorKind::Tpu);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceleratorKind {
    /// A GPU, scheduled through the `nvidia.com/gpu` extended resource.
    Gpu,
    /// A TPU chip, scheduled through the `google.com/tpu` extended resource.
    Tpu,
}

/// How the chips of one TPU generation are wired into a slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SliceGeometry {
    /// 2 for the 2D torus generations (v5e, v6e), 3 for the 3D ones (v5p).
    pub dimensions: usize,
    /// The chips in a whole pod: no slice can be larger.
    pub pod_chips: u64,
}

/// What is true of an accelerator on every cloud that offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AcceleratorSpec {
    /// The contract name users write, e.g. `nvidia-l4`.
    pub name: &'static str,
    pub kind: AcceleratorKind,
    /// GPU memory (HBM or GDDR) per GPU, or HBM per TPU chip, in GB.
    pub memory_gb: u32,
    /// Present exactly for TPUs.
    pub slice: Option<SliceGeometry>,
}

const fn gpu(name: &'static str, memory_gb: u32) -> AcceleratorSpec {
    AcceleratorSpec {
        name,
        kind: AcceleratorKind::Gpu,
        memory_gb,
        slice: None,
    }
}

const fn tpu(
    name: &'static str,
    memory_gb: u32,
    dimensions: usize,
    pod_chips: u64,
) -> AcceleratorSpec {
    AcceleratorSpec {
        name,
        kind: AcceleratorKind::Tpu,
        memory_gb,
        slice: Some(SliceGeometry {
            dimensions,
            pod_chips,
        }),
    }
}

pub(crate) const NVIDIA_T4: AcceleratorSpec = gpu("nvidia-t4", 16);
pub(crate) const NVIDIA_L4: AcceleratorSpec = gpu("nvidia-l4", 24);
pub(crate) const NVIDIA_A10G: AcceleratorSpec = gpu("nvidia-a10g", 24);
pub(crate) const NVIDIA_A100_40GB: AcceleratorSpec = gpu("nvidia-a100-40gb", 40);
pub(crate) const NVIDIA_A100_80GB: AcceleratorSpec = gpu("nvidia-a100-80gb", 80);
pub(crate) const NVIDIA_H100_80GB: AcceleratorSpec = gpu("nvidia-h100-80gb", 80);
pub(crate) const NVIDIA_H200: AcceleratorSpec = gpu("nvidia-h200", 141);
// TPU HBM per chip and pod sizes from the Cloud TPU v5e, v5p and v6e pages:
// v5e 16 GB in a 256-chip 2D torus, v5p 95 GB (96 physical, 1 reserved) in an
// 8960-chip 3D torus, v6e 32 GB in a 256-chip 2D torus.
pub(crate) const TPU_V5E: AcceleratorSpec = tpu("tpu-v5e", 16, 2, 256);
pub(crate) const TPU_V5P: AcceleratorSpec = tpu("tpu-v5p", 95, 3, 8960);
pub(crate) const TPU_V6E: AcceleratorSpec = tpu("tpu-v6e", 32, 2, 256);

/// Every accelerator, in contract order: the order of `accelerator_names()`,
/// of `offered_on()` and of every list in an error message.
pub(crate) static SPECS: [AcceleratorSpec; 10] = [
    NVIDIA_T4,
    NVIDIA_L4,
    NVIDIA_A10G,
    NVIDIA_A100_40GB,
    NVIDIA_A100_80GB,
    NVIDIA_H100_80GB,
    NVIDIA_H200,
    TPU_V5E,
    TPU_V5P,
    TPU_V6E,
];

/// The contract names alone, kept beside `SPECS` so callers get a `'static` slice.
pub(crate) static NAMES: [&str; 10] = [
    NVIDIA_T4.name,
    NVIDIA_L4.name,
    NVIDIA_A10G.name,
    NVIDIA_A100_40GB.name,
    NVIDIA_A100_80GB.name,
    NVIDIA_H100_80GB.name,
    NVIDIA_H200.name,
    TPU_V5E.name,
    TPU_V5P.name,
    TPU_V6E.name,
];

/// The spec for a contract name; `None` for anything else.
pub(crate) fn spec(name: &str) -> Option<&'static AcceleratorSpec> {
    SPECS.iter().find(|spec| spec.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_user_facing_contract_in_order() {
        assert_eq!(
            NAMES,
            [
                "nvidia-t4",
                "nvidia-l4",
                "nvidia-a10g",
                "nvidia-a100-40gb",
                "nvidia-a100-80gb",
                "nvidia-h100-80gb",
                "nvidia-h200",
                "tpu-v5e",
                "tpu-v5p",
                "tpu-v6e",
            ]
        );
    }

    #[test]
    fn names_follow_specs() {
        let from_specs: Vec<&str> = SPECS.iter().map(|spec| spec.name).collect();
        assert_eq!(from_specs, NAMES);
    }

    #[test]
    fn exactly_the_tpus_have_a_slice_geometry() {
        for spec in &SPECS {
            assert_eq!(
                spec.slice.is_some(),
                spec.kind == AcceleratorKind::Tpu,
                "{}",
                spec.name
            );
        }
    }

    #[test]
    fn v5p_slices_are_3d_and_the_lite_generations_2d() {
        assert_eq!(
            spec("tpu-v5p").and_then(|s| s.slice).map(|g| g.dimensions),
            Some(3)
        );
        assert_eq!(
            spec("tpu-v5e").and_then(|s| s.slice).map(|g| g.dimensions),
            Some(2)
        );
        assert_eq!(
            spec("tpu-v6e").and_then(|s| s.slice).map(|g| g.dimensions),
            Some(2)
        );
    }

    #[test]
    fn spec_lookup_is_exact() {
        assert_eq!(spec("nvidia-h200").map(|s| s.memory_gb), Some(141));
        assert_eq!(spec("NVIDIA-H200"), None);
        assert_eq!(spec("nvidia-a10"), None);
    }
}
