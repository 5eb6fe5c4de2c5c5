//! One row of the catalog: a machine type and the accelerators it carries.

use serde::Serialize;

use super::accelerator::{AcceleratorKind, AcceleratorSpec};
use crate::Cloud;

/// A machine type (EC2 instance type, Azure VM size, Compute Engine machine type)
/// carrying a fixed number of accelerators of one kind per node.
///
/// ```
/// use mlcloud_provider::catalog::{self, AcceleratorKind};
/// use mlcloud_provider::Cloud;
///
/// let l4 = catalog::machine_type(Cloud::Gcp, "nvidia-l4", 1).unwrap();
/// assert_eq!(l4.machine_type, "g2-standard-4");
/// assert_eq!(l4.accelerators_per_node, 1);
/// assert_eq!(l4.memory_gb, 24);
/// assert_eq!(l4.vcpus, 4);
/// assert_eq!(l4.gke_accelerator, Some("nvidia-l4"));
/// assert_eq!(l4.kind, AcceleratorKind::Gpu);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Offering {
    /// The cloud that sells this machine type.
    pub cloud: Cloud,
    /// The contract name of the accelerator, e.g. `"nvidia-l4"`.
    pub accelerator: &'static str,
    /// The cloud's own name for the machine type, e.g. `"g6.xlarge"`,
    /// `"Standard_NC4as_T4_v3"`, `"g2-standard-4"`, `"ct5lp-hightpu-4t"`.
    pub machine_type: &'static str,
    /// GPUs, or TPU chips, on one node.
    pub accelerators_per_node: u32,
    /// Memory of one accelerator in GB: GPU HBM/GDDR, or TPU HBM per chip.
    pub memory_gb: u32,
    /// vCPUs of one node; "smallest" in this catalog means fewest vCPUs.
    pub vcpus: u32,
    /// The GKE accelerator type (`cloud.google.com/gke-accelerator` or
    /// `cloud.google.com/gke-tpu-accelerator` label value), e.g.
    /// `"nvidia-tesla-t4"` or `"tpu-v5-lite-podslice"`. Set exactly for Google Cloud.
    pub gke_accelerator: Option<&'static str>,
    /// GPU or TPU.
    pub kind: AcceleratorKind,
}

impl Offering {
    /// An EC2 instance type.
    pub(crate) const fn aws(
        spec: &AcceleratorSpec,
        machine_type: &'static str,
        accelerators_per_node: u32,
        vcpus: u32,
    ) -> Self {
        Self::new(
            Cloud::Aws,
            spec,
            machine_type,
            accelerators_per_node,
            vcpus,
            None,
        )
    }

    /// An Azure VM size.
    pub(crate) const fn azure(
        spec: &AcceleratorSpec,
        machine_type: &'static str,
        accelerators_per_node: u32,
        vcpus: u32,
    ) -> Self {
        Self::new(
            Cloud::Azure,
            spec,
            machine_type,
            accelerators_per_node,
            vcpus,
            None,
        )
    }

    /// A Compute Engine machine type with the GKE accelerator type that selects it.
    pub(crate) const fn gcp(
        spec: &AcceleratorSpec,
        machine_type: &'static str,
        accelerators_per_node: u32,
        vcpus: u32,
        gke_accelerator: &'static str,
    ) -> Self {
        Self::new(
            Cloud::Gcp,
            spec,
            machine_type,
            accelerators_per_node,
            vcpus,
            Some(gke_accelerator),
        )
    }

    const fn new(
        cloud: Cloud,
        spec: &AcceleratorSpec,
        machine_type: &'static str,
        accelerators_per_node: u32,
        vcpus: u32,
        gke_accelerator: Option<&'static str>,
    ) -> Self {
        Self {
            cloud,
            accelerator: spec.name,
            machine_type,
            accelerators_per_node,
            memory_gb: spec.memory_gb,
            vcpus,
            gke_accelerator,
            kind: spec.kind,
        }
    }

    /// Whether the machine type itself carries the accelerators.
    ///
    /// False only for Google Cloud N1 types: an `n1-standard-8` is a plain CPU
    /// machine until a node pool attaches T4s to it (`guest_accelerators` /
    /// GKE `accelerators`), so the count in this row is the catalog's choice of
    /// pairing, not a property of the machine type. Every other family here
    /// (g4dn, g5, g6, p4d, p5, NC, ND, G2, A2, A3, ct5lp, ct5p, ct6e) has its
    /// accelerators built in.
    ///
    /// ```
    /// use mlcloud_provider::catalog::{self};
    /// use mlcloud_provider::Cloud;
    ///
    /// let n1 = catalog::machine_type(Cloud::Gcp, "nvidia-t4", 1).unwrap();
    /// assert!(!n1.accelerators_are_built_in());
    /// let g2 = catalog::machine_type(Cloud::Gcp, "nvidia-l4", 1).unwrap();
    /// assert!(g2.accelerators_are_built_in());
    /// ```
    pub fn accelerators_are_built_in(&self) -> bool {
        !(self.cloud == Cloud::Gcp && self.machine_type.starts_with("n1-"))
    }

    /// Accelerator memory of one whole node in GB (per-accelerator memory times
    /// accelerators per node).
    ///
    /// ```
    /// use mlcloud_provider::catalog::{self};
    /// use mlcloud_provider::Cloud;
    ///
    /// let p5 = catalog::machine_type(Cloud::Aws, "nvidia-h100-80gb", 8).unwrap();
    /// assert_eq!(p5.node_memory_gb(), 640);
    /// ```
    pub fn node_memory_gb(&self) -> u32 {
        self.memory_gb * self.accelerators_per_node
    }
}

#[cfg(test)]
mod tests {
    use super::super::accelerator::{NVIDIA_L4, NVIDIA_T4, TPU_V5E};
    use super::*;

    #[test]
    fn constructors_take_kind_and_memory_from_the_accelerator() {
        let row = Offering::gcp(&TPU_V5E, "ct5lp-hightpu-4t", 4, 112, "tpu-v5-lite-podslice");
        assert_eq!(row.accelerator, "tpu-v5e");
        assert_eq!(row.kind, AcceleratorKind::Tpu);
        assert_eq!(row.memory_gb, 16);
        assert_eq!(row.node_memory_gb(), 64);
        assert_eq!(row.gke_accelerator, Some("tpu-v5-lite-podslice"));
    }

    #[test]
    fn only_gcp_rows_carry_a_gke_accelerator() {
        assert_eq!(
            Offering::aws(&NVIDIA_L4, "g6.xlarge", 1, 4).gke_accelerator,
            None
        );
        assert_eq!(
            Offering::azure(&NVIDIA_T4, "Standard_NC4as_T4_v3", 1, 4).gke_accelerator,
            None
        );
    }

    #[test]
    fn only_n1_types_have_attached_rather_than_built_in_gpus() {
        let n1 = Offering::gcp(&NVIDIA_T4, "n1-standard-4", 1, 4, "nvidia-tesla-t4");
        let g2 = Offering::gcp(&NVIDIA_L4, "g2-standard-4", 1, 4, "nvidia-l4");
        let g4dn = Offering::aws(&NVIDIA_T4, "g4dn.xlarge", 1, 4);
        assert!(!n1.accelerators_are_built_in());
        assert!(g2.accelerators_are_built_in());
        assert!(g4dn.accelerators_are_built_in());
    }

    #[test]
    fn serializes_with_contract_field_names() {
        let row = Offering::aws(&NVIDIA_L4, "g6.xlarge", 1, 4);
        let json = serde_json::to_value(row).unwrap();
        assert_eq!(json["cloud"], "aws");
        assert_eq!(json["accelerator"], "nvidia-l4");
        assert_eq!(json["machine_type"], "g6.xlarge");
        assert_eq!(json["accelerators_per_node"], 1);
        assert_eq!(json["memory_gb"], 24);
        assert_eq!(json["kind"], "gpu");
        assert!(json["gke_accelerator"].is_null());
    }
}
