//! EC2 instance types with NVIDIA GPUs, from the EC2 accelerated computing
//! instance specifications (GPUs, vCPUs per size).
//!
//! Differences from `shared/reference/accelerators.md`:
//! - `p5.4xlarge` (1 H100, 16 vCPUs) is listed: AWS added this single-GPU P5
//!   size after the reference was written, and without it a one-GPU H100 pool on
//!   AWS would be refused.
//! - `gr6.*` (L4 with more host memory) is left out, as in the reference: it is a
//!   graphics family, and `g6` already covers each L4 count.

use super::super::Offering;
use super::super::accelerator::{
    NVIDIA_A10G, NVIDIA_A100_40GB, NVIDIA_A100_80GB, NVIDIA_H100_80GB, NVIDIA_H200, NVIDIA_L4,
    NVIDIA_T4,
};

/// Columns: accelerator, instance type, GPUs per instance, vCPUs.
pub(super) const ROWS: &[Offering] = &[
    // G4dn: NVIDIA T4. All sizes but 12xlarge and metal carry one GPU.
    Offering::aws(&NVIDIA_T4, "g4dn.xlarge", 1, 4),
    Offering::aws(&NVIDIA_T4, "g4dn.2xlarge", 1, 8),
    Offering::aws(&NVIDIA_T4, "g4dn.4xlarge", 1, 16),
    Offering::aws(&NVIDIA_T4, "g4dn.8xlarge", 1, 32),
    Offering::aws(&NVIDIA_T4, "g4dn.16xlarge", 1, 64),
    Offering::aws(&NVIDIA_T4, "g4dn.12xlarge", 4, 48),
    Offering::aws(&NVIDIA_T4, "g4dn.metal", 8, 96),
    // G6: NVIDIA L4.
    Offering::aws(&NVIDIA_L4, "g6.xlarge", 1, 4),
    Offering::aws(&NVIDIA_L4, "g6.2xlarge", 1, 8),
    Offering::aws(&NVIDIA_L4, "g6.4xlarge", 1, 16),
    Offering::aws(&NVIDIA_L4, "g6.8xlarge", 1, 32),
    Offering::aws(&NVIDIA_L4, "g6.16xlarge", 1, 64),
    Offering::aws(&NVIDIA_L4, "g6.12xlarge", 4, 48),
    Offering::aws(&NVIDIA_L4, "g6.24xlarge", 4, 96),
    Offering::aws(&NVIDIA_L4, "g6.48xlarge", 8, 192),
    // G5: NVIDIA A10G (an AWS-only variant of the A10).
    Offering::aws(&NVIDIA_A10G, "g5.xlarge", 1, 4),
    Offering::aws(&NVIDIA_A10G, "g5.2xlarge", 1, 8),
    Offering::aws(&NVIDIA_A10G, "g5.4xlarge", 1, 16),
    Offering::aws(&NVIDIA_A10G, "g5.8xlarge", 1, 32),
    Offering::aws(&NVIDIA_A10G, "g5.16xlarge", 1, 64),
    Offering::aws(&NVIDIA_A10G, "g5.12xlarge", 4, 48),
    Offering::aws(&NVIDIA_A10G, "g5.24xlarge", 4, 96),
    Offering::aws(&NVIDIA_A10G, "g5.48xlarge", 8, 192),
    // P4d / P4de: NVIDIA A100 40 GB / 80 GB.
    Offering::aws(&NVIDIA_A100_40GB, "p4d.24xlarge", 8, 96),
    Offering::aws(&NVIDIA_A100_80GB, "p4de.24xlarge", 8, 96),
    // P5: NVIDIA H100 80 GB.
    Offering::aws(&NVIDIA_H100_80GB, "p5.4xlarge", 1, 16),
    Offering::aws(&NVIDIA_H100_80GB, "p5.48xlarge", 8, 192),
    // P5e / P5en: NVIDIA H200 141 GB (P5en adds Sapphire Rapids and EFAv3).
    Offering::aws(&NVIDIA_H200, "p5e.48xlarge", 8, 192),
    Offering::aws(&NVIDIA_H200, "p5en.48xlarge", 8, 192),
];

#[cfg(test)]
mod tests {
    use super::super::row;
    use crate::Cloud;

    /// (instance type, accelerator, GPUs, GPU memory GB, vCPUs) as AWS publishes them.
    const PUBLISHED: &[(&str, &str, u32, u32, u32)] = &[
        ("g4dn.xlarge", "nvidia-t4", 1, 16, 4),
        ("g4dn.12xlarge", "nvidia-t4", 4, 16, 48),
        ("g4dn.metal", "nvidia-t4", 8, 16, 96),
        ("g6.xlarge", "nvidia-l4", 1, 24, 4),
        ("g6.24xlarge", "nvidia-l4", 4, 24, 96),
        ("g6.48xlarge", "nvidia-l4", 8, 24, 192),
        ("g5.16xlarge", "nvidia-a10g", 1, 24, 64),
        ("g5.12xlarge", "nvidia-a10g", 4, 24, 48),
        ("g5.48xlarge", "nvidia-a10g", 8, 24, 192),
        ("p4d.24xlarge", "nvidia-a100-40gb", 8, 40, 96),
        ("p4de.24xlarge", "nvidia-a100-80gb", 8, 80, 96),
        ("p5.4xlarge", "nvidia-h100-80gb", 1, 80, 16),
        ("p5.48xlarge", "nvidia-h100-80gb", 8, 80, 192),
        ("p5e.48xlarge", "nvidia-h200", 8, 141, 192),
        ("p5en.48xlarge", "nvidia-h200", 8, 141, 192),
    ];

    #[test]
    fn rows_match_published_instance_specifications() {
        for &(machine_type, accelerator, count, memory_gb, vcpus) in PUBLISHED {
            let offering = row(Cloud::Aws, machine_type);
            assert_eq!(offering.accelerator, accelerator, "{machine_type}");
            assert_eq!(offering.accelerators_per_node, count, "{machine_type}");
            assert_eq!(offering.memory_gb, memory_gb, "{machine_type}");
            assert_eq!(offering.vcpus, vcpus, "{machine_type}");
            assert_eq!(offering.gke_accelerator, None, "{machine_type}");
        }
    }

    #[test]
    fn every_single_gpu_g4dn_size_is_listed() {
        for size in ["xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"] {
            let offering = row(Cloud::Aws, &format!("g4dn.{size}"));
            assert_eq!(offering.accelerators_per_node, 1, "g4dn.{size}");
        }
    }
}
