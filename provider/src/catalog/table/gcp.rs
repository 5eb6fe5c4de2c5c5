//! Compute Engine machine types with GPUs or TPUs and their GKE accelerator
//! types, from the Compute Engine "GPU machine types" page, the Cloud TPU v5e,
//! v5p and v6e pages, and GKE "Plan TPUs".
//!
//! Differences from `shared/reference/accelerators.md`:
//! - T4 on N1: Compute Engine attaches T4s to an N1 VM; the machine type alone
//!   carries none, and any of 1, 2 or 4 T4s fits most N1 sizes (up to 48 vCPUs
//!   with 1 or 2 T4s, up to 96 with 4). A catalog row needs one count per machine
//!   type, so the rows below pick a pairing of about 4 to 8 vCPUs per T4; the
//!   node pool attaches `count` T4s through GKE `accelerators`.
//!   `Offering::accelerators_are_built_in` is false for them, so an explicit
//!   `n1-*` machine type stays a plain CPU pool.
//! - `a3-highgpu-1g/2g/4g` (1/2/4 H100) are listed besides `a3-highgpu-8g`.
//!   Google Cloud offers those sizes only as Spot or flex-start (DWS) capacity,
//!   so an on-demand pool of them is refused by GKE, with GKE's message.
//! - vCPU counts for TPU VMs are the documented ones: ct5lp 24/112/224,
//!   ct5p 208, ct6e 44/180/180.

use super::super::Offering;
use super::super::accelerator::{
    NVIDIA_A100_40GB, NVIDIA_A100_80GB, NVIDIA_H100_80GB, NVIDIA_H200, NVIDIA_L4, NVIDIA_T4,
    TPU_V5E, TPU_V5P, TPU_V6E,
};

const T4: &str = "nvidia-tesla-t4";
const L4: &str = "nvidia-l4";
const A100_40GB: &str = "nvidia-tesla-a100";
const A100_80GB: &str = "nvidia-a100-80gb";
const H100_80GB: &str = "nvidia-h100-80gb";
const H100_MEGA_80GB: &str = "nvidia-h100-mega-80gb";
const H200_141GB: &str = "nvidia-h200-141gb";
const V5E_SLICE: &str = "tpu-v5-lite-podslice";
const V5P_SLICE: &str = "tpu-v5p-slice";
const V6E_SLICE: &str = "tpu-v6e-slice";

/// Columns: accelerator, machine type, accelerators per VM, vCPUs, GKE accelerator type.
pub(super) const ROWS: &[Offering] = &[
    // N1 with attached T4s (see the module comment for the pairing).
    Offering::gcp(&NVIDIA_T4, "n1-standard-4", 1, 4, T4),
    Offering::gcp(&NVIDIA_T4, "n1-standard-8", 1, 8, T4),
    Offering::gcp(&NVIDIA_T4, "n1-standard-16", 2, 16, T4),
    Offering::gcp(&NVIDIA_T4, "n1-standard-32", 4, 32, T4),
    // G2: NVIDIA L4.
    Offering::gcp(&NVIDIA_L4, "g2-standard-4", 1, 4, L4),
    Offering::gcp(&NVIDIA_L4, "g2-standard-8", 1, 8, L4),
    Offering::gcp(&NVIDIA_L4, "g2-standard-12", 1, 12, L4),
    Offering::gcp(&NVIDIA_L4, "g2-standard-16", 1, 16, L4),
    Offering::gcp(&NVIDIA_L4, "g2-standard-32", 1, 32, L4),
    Offering::gcp(&NVIDIA_L4, "g2-standard-24", 2, 24, L4),
    Offering::gcp(&NVIDIA_L4, "g2-standard-48", 4, 48, L4),
    Offering::gcp(&NVIDIA_L4, "g2-standard-96", 8, 96, L4),
    // A2 Standard: NVIDIA A100 40 GB.
    Offering::gcp(&NVIDIA_A100_40GB, "a2-highgpu-1g", 1, 12, A100_40GB),
    Offering::gcp(&NVIDIA_A100_40GB, "a2-highgpu-2g", 2, 24, A100_40GB),
    Offering::gcp(&NVIDIA_A100_40GB, "a2-highgpu-4g", 4, 48, A100_40GB),
    Offering::gcp(&NVIDIA_A100_40GB, "a2-highgpu-8g", 8, 96, A100_40GB),
    Offering::gcp(&NVIDIA_A100_40GB, "a2-megagpu-16g", 16, 96, A100_40GB),
    // A2 Ultra: NVIDIA A100 80 GB.
    Offering::gcp(&NVIDIA_A100_80GB, "a2-ultragpu-1g", 1, 12, A100_80GB),
    Offering::gcp(&NVIDIA_A100_80GB, "a2-ultragpu-2g", 2, 24, A100_80GB),
    Offering::gcp(&NVIDIA_A100_80GB, "a2-ultragpu-4g", 4, 48, A100_80GB),
    Offering::gcp(&NVIDIA_A100_80GB, "a2-ultragpu-8g", 8, 96, A100_80GB),
    // A3 High and A3 Mega: NVIDIA H100 80 GB (Mega has its own GKE type).
    Offering::gcp(&NVIDIA_H100_80GB, "a3-highgpu-1g", 1, 26, H100_80GB),
    Offering::gcp(&NVIDIA_H100_80GB, "a3-highgpu-2g", 2, 52, H100_80GB),
    Offering::gcp(&NVIDIA_H100_80GB, "a3-highgpu-4g", 4, 104, H100_80GB),
    Offering::gcp(&NVIDIA_H100_80GB, "a3-highgpu-8g", 8, 208, H100_80GB),
    Offering::gcp(&NVIDIA_H100_80GB, "a3-megagpu-8g", 8, 208, H100_MEGA_80GB),
    // A3 Ultra: NVIDIA H200 141 GB.
    Offering::gcp(&NVIDIA_H200, "a3-ultragpu-8g", 8, 224, H200_141GB),
    // TPU v5e (v5 lite): 1, 4 or 8 chips per VM.
    Offering::gcp(&TPU_V5E, "ct5lp-hightpu-1t", 1, 24, V5E_SLICE),
    Offering::gcp(&TPU_V5E, "ct5lp-hightpu-4t", 4, 112, V5E_SLICE),
    Offering::gcp(&TPU_V5E, "ct5lp-hightpu-8t", 8, 224, V5E_SLICE),
    // TPU v5p: 4 chips per VM.
    Offering::gcp(&TPU_V5P, "ct5p-hightpu-4t", 4, 208, V5P_SLICE),
    // TPU v6e (Trillium): 1, 4 or 8 chips per VM.
    Offering::gcp(&TPU_V6E, "ct6e-standard-1t", 1, 44, V6E_SLICE),
    Offering::gcp(&TPU_V6E, "ct6e-standard-4t", 4, 180, V6E_SLICE),
    Offering::gcp(&TPU_V6E, "ct6e-standard-8t", 8, 180, V6E_SLICE),
];

#[cfg(test)]
mod tests {
    use super::super::row;
    use crate::Cloud;
    use crate::catalog::AcceleratorKind;

    /// (machine type, accelerator, per VM, memory GB, vCPUs, GKE accelerator type)
    /// as Google Cloud publishes them.
    const PUBLISHED: &[(&str, &str, u32, u32, u32, &str)] = &[
        ("n1-standard-4", "nvidia-t4", 1, 16, 4, "nvidia-tesla-t4"),
        ("g2-standard-4", "nvidia-l4", 1, 24, 4, "nvidia-l4"),
        ("g2-standard-24", "nvidia-l4", 2, 24, 24, "nvidia-l4"),
        ("g2-standard-48", "nvidia-l4", 4, 24, 48, "nvidia-l4"),
        ("g2-standard-96", "nvidia-l4", 8, 24, 96, "nvidia-l4"),
        (
            "a2-highgpu-1g",
            "nvidia-a100-40gb",
            1,
            40,
            12,
            "nvidia-tesla-a100",
        ),
        (
            "a2-highgpu-8g",
            "nvidia-a100-40gb",
            8,
            40,
            96,
            "nvidia-tesla-a100",
        ),
        (
            "a2-megagpu-16g",
            "nvidia-a100-40gb",
            16,
            40,
            96,
            "nvidia-tesla-a100",
        ),
        (
            "a2-ultragpu-1g",
            "nvidia-a100-80gb",
            1,
            80,
            12,
            "nvidia-a100-80gb",
        ),
        (
            "a2-ultragpu-8g",
            "nvidia-a100-80gb",
            8,
            80,
            96,
            "nvidia-a100-80gb",
        ),
        (
            "a3-highgpu-8g",
            "nvidia-h100-80gb",
            8,
            80,
            208,
            "nvidia-h100-80gb",
        ),
        (
            "a3-megagpu-8g",
            "nvidia-h100-80gb",
            8,
            80,
            208,
            "nvidia-h100-mega-80gb",
        ),
        (
            "a3-ultragpu-8g",
            "nvidia-h200",
            8,
            141,
            224,
            "nvidia-h200-141gb",
        ),
        (
            "ct5lp-hightpu-1t",
            "tpu-v5e",
            1,
            16,
            24,
            "tpu-v5-lite-podslice",
        ),
        (
            "ct5lp-hightpu-4t",
            "tpu-v5e",
            4,
            16,
            112,
            "tpu-v5-lite-podslice",
        ),
        (
            "ct5lp-hightpu-8t",
            "tpu-v5e",
            8,
            16,
            224,
            "tpu-v5-lite-podslice",
        ),
        ("ct5p-hightpu-4t", "tpu-v5p", 4, 95, 208, "tpu-v5p-slice"),
        ("ct6e-standard-1t", "tpu-v6e", 1, 32, 44, "tpu-v6e-slice"),
        ("ct6e-standard-4t", "tpu-v6e", 4, 32, 180, "tpu-v6e-slice"),
        ("ct6e-standard-8t", "tpu-v6e", 8, 32, 180, "tpu-v6e-slice"),
    ];

    #[test]
    fn rows_match_published_machine_types() {
        for &(machine_type, accelerator, count, memory_gb, vcpus, gke) in PUBLISHED {
            let offering = row(Cloud::Gcp, machine_type);
            assert_eq!(offering.accelerator, accelerator, "{machine_type}");
            assert_eq!(offering.accelerators_per_node, count, "{machine_type}");
            assert_eq!(offering.memory_gb, memory_gb, "{machine_type}");
            assert_eq!(offering.vcpus, vcpus, "{machine_type}");
            assert_eq!(offering.gke_accelerator, Some(gke), "{machine_type}");
        }
    }

    #[test]
    fn tpu_rows_are_tpus_and_gpu_rows_gpus() {
        for offering in super::ROWS {
            let expected = if offering.machine_type.starts_with("ct") {
                AcceleratorKind::Tpu
            } else {
                AcceleratorKind::Gpu
            };
            assert_eq!(offering.kind, expected, "{}", offering.machine_type);
        }
    }

    #[test]
    fn n1_pairings_stay_within_the_published_t4_limits() {
        // One or two T4s fit N1 VMs of up to 48 vCPUs; four fit up to 96.
        for offering in super::ROWS
            .iter()
            .filter(|o| o.machine_type.starts_with("n1-"))
        {
            let max_vcpus = if offering.accelerators_per_node == 4 {
                96
            } else {
                48
            };
            assert!(
                [1, 2, 4].contains(&offering.accelerators_per_node),
                "{}",
                offering.machine_type
            );
            assert!(offering.vcpus <= max_vcpus, "{}", offering.machine_type);
        }
    }
}
