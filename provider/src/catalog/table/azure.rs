//! Azure VM sizes with NVIDIA GPUs, from the NCasT4_v3, NC A100 v4, ND A100 v4,
//! NDm A100 v4, ND H100 v5 and ND H200 v5 size-series pages.
//!
//! Differences from `shared/reference/accelerators.md`:
//! - No `nvidia-a10g` rows. The reference offered `Standard_NV36ads_A10_v5` and
//!   `NV72ads_A10_v5` in parentheses, but those carry the NVIDIA A10, a different
//!   part from the AWS-only A10G; mapping them under the A10G name would tell users
//!   they get a GPU they do not. Azure therefore does not offer `nvidia-a10g`.
//! - No NC H100 v5 rows (`Standard_NC40ads_H100_v5`, `NC80adis_H100_v5`): those
//!   carry the H100 NVL with 94 GB, not the 80 GB H100 the contract name promises.

use super::super::Offering;
use super::super::accelerator::{
    NVIDIA_A100_40GB, NVIDIA_A100_80GB, NVIDIA_H100_80GB, NVIDIA_H200, NVIDIA_T4,
};

/// Columns: accelerator, VM size, GPUs per VM, vCPUs.
pub(super) const ROWS: &[Offering] = &[
    // NCasT4_v3: NVIDIA T4.
    Offering::azure(&NVIDIA_T4, "Standard_NC4as_T4_v3", 1, 4),
    Offering::azure(&NVIDIA_T4, "Standard_NC8as_T4_v3", 1, 8),
    Offering::azure(&NVIDIA_T4, "Standard_NC16as_T4_v3", 1, 16),
    Offering::azure(&NVIDIA_T4, "Standard_NC64as_T4_v3", 4, 64),
    // ND A100 v4: NVIDIA A100 40 GB (SXM).
    Offering::azure(&NVIDIA_A100_40GB, "Standard_ND96asr_v4", 8, 96),
    // NC A100 v4 (PCIe) and NDm A100 v4 (SXM): NVIDIA A100 80 GB.
    Offering::azure(&NVIDIA_A100_80GB, "Standard_NC24ads_A100_v4", 1, 24),
    Offering::azure(&NVIDIA_A100_80GB, "Standard_NC48ads_A100_v4", 2, 48),
    Offering::azure(&NVIDIA_A100_80GB, "Standard_NC96ads_A100_v4", 4, 96),
    Offering::azure(&NVIDIA_A100_80GB, "Standard_ND96amsr_A100_v4", 8, 96),
    // ND H100 v5: NVIDIA H100 80 GB.
    Offering::azure(&NVIDIA_H100_80GB, "Standard_ND96isr_H100_v5", 8, 96),
    // ND H200 v5: NVIDIA H200 141 GB.
    Offering::azure(&NVIDIA_H200, "Standard_ND96isr_H200_v5", 8, 96),
];

#[cfg(test)]
mod tests {
    use super::super::row;
    use crate::Cloud;

    /// (VM size, accelerator, GPUs, GPU memory GB, vCPUs) as Azure publishes them.
    const PUBLISHED: &[(&str, &str, u32, u32, u32)] = &[
        ("Standard_NC4as_T4_v3", "nvidia-t4", 1, 16, 4),
        ("Standard_NC16as_T4_v3", "nvidia-t4", 1, 16, 16),
        ("Standard_NC64as_T4_v3", "nvidia-t4", 4, 16, 64),
        ("Standard_ND96asr_v4", "nvidia-a100-40gb", 8, 40, 96),
        ("Standard_NC24ads_A100_v4", "nvidia-a100-80gb", 1, 80, 24),
        ("Standard_NC48ads_A100_v4", "nvidia-a100-80gb", 2, 80, 48),
        ("Standard_NC96ads_A100_v4", "nvidia-a100-80gb", 4, 80, 96),
        ("Standard_ND96amsr_A100_v4", "nvidia-a100-80gb", 8, 80, 96),
        ("Standard_ND96isr_H100_v5", "nvidia-h100-80gb", 8, 80, 96),
        ("Standard_ND96isr_H200_v5", "nvidia-h200", 8, 141, 96),
    ];

    #[test]
    fn rows_match_published_size_series() {
        for &(machine_type, accelerator, count, memory_gb, vcpus) in PUBLISHED {
            let offering = row(Cloud::Azure, machine_type);
            assert_eq!(offering.accelerator, accelerator, "{machine_type}");
            assert_eq!(offering.accelerators_per_node, count, "{machine_type}");
            assert_eq!(offering.memory_gb, memory_gb, "{machine_type}");
            assert_eq!(offering.vcpus, vcpus, "{machine_type}");
            assert_eq!(offering.gke_accelerator, None, "{machine_type}");
        }
    }

    #[test]
    fn a10_and_h100_nvl_sizes_are_not_passed_off_as_contract_accelerators() {
        for size in [
            "Standard_NV36ads_A10_v5",
            "Standard_NV72ads_A10_v5",
            "Standard_NC40ads_H100_v5",
            "Standard_NC80adis_H100_v5",
        ] {
            assert!(
                super::ROWS
                    .iter()
                    .all(|offering| offering.machine_type != size),
                "{size}"
            );
        }
    }
}
