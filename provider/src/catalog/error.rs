//! Catalog errors. Their messages become Terraform diagnostics, so each one says
//! what is wrong and what would be right.

use std::fmt;

use crate::Cloud;

/// Why a catalog lookup failed.
///
/// ```
/// use mlcloud_provider::catalog::{self, CatalogError};
/// use mlcloud_provider::Cloud;
///
/// let error = catalog::machine_type(Cloud::Aws, "tpu-v5e", 4).unwrap_err();
/// assert!(matches!(error, CatalogError::NotOffered { .. }));
/// assert!(error.to_string().starts_with(r#""tpu-v5e" is not offered on aws; aws offers: nvidia-t4"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The accelerator name is not in the contract.
    #[error("unknown accelerator {name:?}; known accelerators: {}", known.join(", "))]
    UnknownAccelerator {
        /// What the user wrote.
        name: String,
        /// Every contract name, in contract order.
        known: Vec<&'static str>,
    },

    /// The accelerator exists, but this cloud sells no machine type with it.
    #[error("{accelerator:?} is not offered on {cloud}; {cloud} offers: {}", offered.join(", "))]
    NotOffered {
        /// The cloud asked for.
        cloud: Cloud,
        /// The accelerator asked for.
        accelerator: &'static str,
        /// What the cloud does offer, in contract order.
        offered: Vec<&'static str>,
    },

    /// The cloud offers the accelerator, but not with this many per node.
    #[error(
        "{cloud} has no machine type with {count} {accelerator} per node; available counts: {}",
        join_counts(available)
    )]
    NoMachineWithCount {
        /// The cloud asked for.
        cloud: Cloud,
        /// The accelerator asked for.
        accelerator: &'static str,
        /// The per-node count asked for.
        count: u32,
        /// The per-node counts the cloud does offer, ascending.
        available: Vec<u32>,
    },

    /// A TPU slice topology that GKE would reject for this machine type.
    #[error(
        "invalid TPU topology {topology:?} for {accelerator} on {machine_type}: {problem}; {remedy}"
    )]
    InvalidTopology {
        /// The accelerator of the node pool's machine type.
        accelerator: &'static str,
        /// The node pool's machine type.
        machine_type: &'static str,
        /// What the user wrote.
        topology: String,
        /// What is wrong with it.
        problem: TopologyProblem,
        /// What would be right, phrased for the user (the allowed shapes).
        remedy: String,
    },
}

/// What is wrong with a TPU topology, for [`CatalogError::InvalidTopology`].
///
/// ```
/// use mlcloud_provider::catalog::TopologyProblem;
///
/// let problem = TopologyProblem::NotWholeNodes { chips: 9, chips_per_node: 4 };
/// assert_eq!(problem.to_string(), "9 chips do not fill whole nodes of 4 chips each");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopologyProblem {
    /// The machine type carries GPUs; only TPU node pools take a topology.
    NotATpu,
    /// Not whole numbers above zero joined by `x`.
    Malformed,
    /// Wrong number of dimensions for the TPU generation (v5e/v6e are 2D, v5p 3D).
    WrongDimensions {
        /// Dimensions the generation's slices have.
        expected: usize,
        /// Dimensions written.
        found: usize,
    },
    /// More chips than a whole pod of this generation holds.
    LargerThanPod {
        /// Chips in the topology.
        chips: u64,
        /// Chips in a pod.
        pod_chips: u64,
    },
    /// The chip count is not a whole multiple of the chips on one node.
    NotWholeNodes {
        /// Chips in the topology.
        chips: u64,
        /// Chips on one node of the machine type.
        chips_per_node: u32,
    },
    /// A 2D shape GKE does not offer for this machine type.
    UnsupportedShape,
    /// A 3D shape whose dimensions mix sizes below 4 with multiples of 4.
    MixedScale,
}

impl fmt::Display for TopologyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotATpu => {
                f.write_str("it carries GPUs, and only TPU node pools take a topology")
            }
            Self::Malformed => {
                f.write_str("a topology is whole numbers above zero joined by \"x\"")
            }
            Self::WrongDimensions { expected, found } => {
                write!(
                    f,
                    "its slices are {expected}D, but this has {found} dimensions"
                )
            }
            Self::LargerThanPod { chips, pod_chips } => {
                write!(
                    f,
                    "{chips} chips is more than a whole pod of {pod_chips} chips"
                )
            }
            Self::NotWholeNodes {
                chips,
                chips_per_node,
            } => write!(
                f,
                "{chips} chips do not fill whole nodes of {chips_per_node} chips each"
            ),
            Self::UnsupportedShape => {
                f.write_str("GKE offers no slice of this shape on this machine type")
            }
            Self::MixedScale => {
                f.write_str("its dimensions must all be 4 or less, or all be multiples of 4")
            }
        }
    }
}

fn join_counts(counts: &[u32]) -> String {
    counts
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_machine_with_count_lists_counts_in_order() {
        let error = CatalogError::NoMachineWithCount {
            cloud: Cloud::Aws,
            accelerator: "nvidia-t4",
            count: 2,
            available: vec![1, 4, 8],
        };
        assert_eq!(
            error.to_string(),
            "aws has no machine type with 2 nvidia-t4 per node; available counts: 1, 4, 8"
        );
    }

    #[test]
    fn invalid_topology_says_what_is_wrong_and_what_is_right() {
        let error = CatalogError::InvalidTopology {
            accelerator: "tpu-v5e",
            machine_type: "ct5lp-hightpu-4t",
            topology: "2x2x1".to_owned(),
            problem: TopologyProblem::WrongDimensions {
                expected: 2,
                found: 3,
            },
            remedy: "use one of: 2x2, 2x4".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            r#"invalid TPU topology "2x2x1" for tpu-v5e on ct5lp-hightpu-4t: its slices are 2D, but this has 3 dimensions; use one of: 2x2, 2x4"#
        );
    }

    #[test]
    fn unknown_accelerator_quotes_the_input() {
        let error = CatalogError::UnknownAccelerator {
            name: "a100".to_owned(),
            known: vec!["nvidia-a100-40gb", "nvidia-a100-80gb"],
        };
        assert_eq!(
            error.to_string(),
            r#"unknown accelerator "a100"; known accelerators: nvidia-a100-40gb, nvidia-a100-80gb"#
        );
    }
}
