//! TPU slice topologies on GKE: which shapes a TPU machine type accepts, and how
//! many nodes (TPU VMs) a slice of that shape needs.
//!
//! Rules, from the Cloud TPU v5e, v5p and v6e pages and GKE "Plan TPUs":
//! - v5e and v6e are 2D tori of at most 256 chips. GKE offers a fixed list of
//!   shapes per machine type: `1x1` on the 1-chip VMs, `2x4` on the 8-chip VMs,
//!   and `2x2` up to `16x16` on the 4-chip VMs (`2x2` on one VM, the rest
//!   multi-host).
//! - v5p is a 3D torus of up to 8960 chips on 4-chip VMs. Its shapes are
//!   `AxBxC` with every dimension 4 or less (`2x2x1`, `2x2x2`, `2x4x4`...) or every
//!   dimension a multiple of 4 (`4x4x4`, `4x4x8`, `8x16x16`...); the published
//!   tables list common shapes, not all, so this is checked as a rule.
//! - In every case the chips must fill whole VMs: the node count is the chips in
//!   the topology divided by the chips per VM.

use super::Offering;
use super::accelerator::{self, SliceGeometry};
use super::error::{CatalogError, TopologyProblem};

/// 2D shapes GKE offers on 4-chip v5e and v6e VMs, smallest first.
const FOUR_CHIP_2D_SHAPES: &[&str] = &["2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"];
const ONE_CHIP_2D_SHAPES: &[&str] = &["1x1"];
const EIGHT_CHIP_2D_SHAPES: &[&str] = &["2x4"];

/// Examples in the v5p remedy, from the published v5p slice table.
const V5P_EXAMPLES: &str = "2x2x1, 2x2x2, 2x2x4, 2x4x4, 4x4x4, 4x4x8, 4x8x8, 8x8x8";

/// The number of nodes a TPU slice of `topology` needs on `offering`'s machine
/// type: the chips in the topology divided by the chips per node.
///
/// Fails with [`CatalogError::InvalidTopology`] when GKE would reject the
/// topology for this machine type, saying what is wrong and which shapes fit.
///
/// ```
/// use mlcloud_provider::catalog::{self};
/// use mlcloud_provider::Cloud;
///
/// let v5e = catalog::machine_type(Cloud::Gcp, "tpu-v5e", 4).unwrap(); // ct5lp-hightpu-4t
/// assert_eq!(catalog::tpu_slice_nodes(v5e, "2x4"), Ok(2));
/// assert_eq!(catalog::tpu_slice_nodes(v5e, "16x16"), Ok(64));
///
/// let error = catalog::tpu_slice_nodes(v5e, "3x3").unwrap_err();
/// assert!(error.to_string().contains("9 chips do not fill whole nodes of 4 chips each"));
///
/// let v5p = catalog::machine_type(Cloud::Gcp, "tpu-v5p", 4).unwrap(); // ct5p-hightpu-4t
/// assert_eq!(catalog::tpu_slice_nodes(v5p, "2x2x2"), Ok(2));
/// ```
pub fn tpu_slice_nodes(offering: &Offering, topology: &str) -> Result<u32, CatalogError> {
    let invalid = |problem: TopologyProblem, remedy: String| CatalogError::InvalidTopology {
        accelerator: offering.accelerator,
        machine_type: offering.machine_type,
        topology: topology.to_owned(),
        problem,
        remedy,
    };
    let Some(geometry) = accelerator::spec(offering.accelerator).and_then(|spec| spec.slice) else {
        return Err(invalid(
            TopologyProblem::NotATpu,
            "leave the topology unset for GPU node pools".to_owned(),
        ));
    };
    let rule = SliceRule::for_machine(geometry, offering.accelerators_per_node);
    let remedy = || rule.remedy(offering.accelerators_per_node);

    let dimensions =
        parse(topology).ok_or_else(|| invalid(TopologyProblem::Malformed, remedy()))?;
    if dimensions.len() != geometry.dimensions {
        let problem = TopologyProblem::WrongDimensions {
            expected: geometry.dimensions,
            found: dimensions.len(),
        };
        return Err(invalid(problem, remedy()));
    }
    // Saturating: an absurd product only has to compare larger than the pod.
    let chips = dimensions.iter().fold(1u64, |product, &side| {
        product.saturating_mul(u64::from(side))
    });
    if chips > geometry.pod_chips {
        let problem = TopologyProblem::LargerThanPod {
            chips,
            pod_chips: geometry.pod_chips,
        };
        return Err(invalid(problem, remedy()));
    }
    let chips_per_node = offering.accelerators_per_node;
    if chips % u64::from(chips_per_node) != 0 {
        let problem = TopologyProblem::NotWholeNodes {
            chips,
            chips_per_node,
        };
        return Err(invalid(problem, remedy()));
    }
    if let Some(problem) = rule.shape_problem(topology, &dimensions) {
        return Err(invalid(problem, remedy()));
    }
    // chips <= pod_chips (at most 8960), so the node count fits a u32.
    Ok(u32::try_from(chips / u64::from(chips_per_node)).unwrap_or(u32::MAX))
}

/// The shape rule of one TPU machine type.
enum SliceRule {
    /// The 2D generations: a published list of shapes per machine type.
    Listed(&'static [&'static str]),
    /// The 3D generation: dimensions all at most 4, or all multiples of 4.
    Cubic,
}

impl SliceRule {
    fn for_machine(geometry: SliceGeometry, chips_per_node: u32) -> Self {
        if geometry.dimensions == 3 {
            return SliceRule::Cubic;
        }
        SliceRule::Listed(match chips_per_node {
            1 => ONE_CHIP_2D_SHAPES,
            4 => FOUR_CHIP_2D_SHAPES,
            8 => EIGHT_CHIP_2D_SHAPES,
            // No other 2D TPU VM exists; an empty list rejects every shape
            // rather than guessing (the table tests keep this unreachable).
            _ => &[],
        })
    }

    /// Why a parsed shape of the right size is still not accepted, if it is not.
    fn shape_problem(&self, topology: &str, dimensions: &[u32]) -> Option<TopologyProblem> {
        match self {
            SliceRule::Listed(shapes) => {
                (!shapes.contains(&topology)).then_some(TopologyProblem::UnsupportedShape)
            }
            SliceRule::Cubic => {
                let small = dimensions.iter().all(|&side| side <= 4);
                let whole_cubes = dimensions.iter().all(|&side| side % 4 == 0);
                (!small && !whole_cubes).then_some(TopologyProblem::MixedScale)
            }
        }
    }

    /// What the user could write instead.
    fn remedy(&self, chips_per_node: u32) -> String {
        match self {
            SliceRule::Listed(shapes) => format!("use one of: {}", shapes.join(", ")),
            SliceRule::Cubic => format!(
                "use a 3D shape AxBxC whose dimensions are all 4 or less, or all multiples \
                 of 4, with a chip count that is a multiple of {chips_per_node} \
                 (e.g. {V5P_EXAMPLES})"
            ),
        }
    }
}

/// `"2x4"` -> `[2, 4]`. Each side is plain digits without a leading zero, so
/// the shape GKE receives is exactly the shape that was validated.
fn parse(topology: &str) -> Option<Vec<u32>> {
    topology
        .split('x')
        .map(|side| {
            let digits_only = !side.is_empty() && side.bytes().all(|b| b.is_ascii_digit());
            if !digits_only || side.starts_with('0') {
                return None;
            }
            side.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cloud;
    use crate::catalog::{self};

    fn gcp(machine_type: &str) -> &'static Offering {
        catalog::by_machine_type(Cloud::Gcp, machine_type).expect("catalog row")
    }

    fn problem(offering: &Offering, topology: &str) -> TopologyProblem {
        match tpu_slice_nodes(offering, topology) {
            Err(CatalogError::InvalidTopology { problem, .. }) => problem,
            other => panic!("expected InvalidTopology for {topology}, got {other:?}"),
        }
    }

    #[test]
    fn v5e_2x4_on_four_chip_vms_needs_two_nodes() {
        assert_eq!(tpu_slice_nodes(gcp("ct5lp-hightpu-4t"), "2x4"), Ok(2));
    }

    #[test]
    fn v5e_2x4_fits_one_eight_chip_vm() {
        assert_eq!(tpu_slice_nodes(gcp("ct5lp-hightpu-8t"), "2x4"), Ok(1));
    }

    #[test]
    fn v5e_node_counts_follow_the_published_table() {
        let v5e = gcp("ct5lp-hightpu-4t");
        for (topology, nodes) in [
            ("2x2", 1),
            ("4x4", 4),
            ("4x8", 8),
            ("8x8", 16),
            ("8x16", 32),
            ("16x16", 64),
        ] {
            assert_eq!(tpu_slice_nodes(v5e, topology), Ok(nodes), "{topology}");
        }
        assert_eq!(tpu_slice_nodes(gcp("ct5lp-hightpu-1t"), "1x1"), Ok(1));
    }

    #[test]
    fn v6e_node_counts_follow_the_published_table() {
        let v6e = gcp("ct6e-standard-4t");
        assert_eq!(tpu_slice_nodes(v6e, "2x4"), Ok(2));
        assert_eq!(tpu_slice_nodes(v6e, "16x16"), Ok(64));
        assert_eq!(tpu_slice_nodes(gcp("ct6e-standard-8t"), "2x4"), Ok(1));
        assert_eq!(tpu_slice_nodes(gcp("ct6e-standard-1t"), "1x1"), Ok(1));
    }

    #[test]
    fn v5e_rejects_a_3d_topology() {
        let error = tpu_slice_nodes(gcp("ct5lp-hightpu-4t"), "2x2x1").unwrap_err();
        assert_eq!(
            error,
            CatalogError::InvalidTopology {
                accelerator: "tpu-v5e",
                machine_type: "ct5lp-hightpu-4t",
                topology: "2x2x1".to_owned(),
                problem: TopologyProblem::WrongDimensions {
                    expected: 2,
                    found: 3
                },
                remedy: "use one of: 2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16".to_owned(),
            }
        );
    }

    #[test]
    fn v5p_2x2x2_on_four_chip_vms_needs_two_nodes() {
        let v5p = gcp("ct5p-hightpu-4t");
        assert_eq!(tpu_slice_nodes(v5p, "2x2x2"), Ok(2));
        assert_eq!(tpu_slice_nodes(v5p, "2x2x1"), Ok(1));
        assert_eq!(tpu_slice_nodes(v5p, "4x4x4"), Ok(16));
        assert_eq!(tpu_slice_nodes(v5p, "16x16x24"), Ok(1536));
    }

    #[test]
    fn v5p_rejects_a_2d_topology() {
        assert_eq!(
            problem(gcp("ct5p-hightpu-4t"), "2x4"),
            TopologyProblem::WrongDimensions {
                expected: 3,
                found: 2
            }
        );
    }

    #[test]
    fn v5p_rejects_dimensions_mixing_small_sides_and_cubes() {
        assert_eq!(
            problem(gcp("ct5p-hightpu-4t"), "2x2x8"),
            TopologyProblem::MixedScale
        );
    }

    #[test]
    fn v5p_rejects_slices_larger_than_a_pod() {
        assert_eq!(
            problem(gcp("ct5p-hightpu-4t"), "32x32x32"),
            TopologyProblem::LargerThanPod {
                chips: 32768,
                pod_chips: 8960
            }
        );
    }

    #[test]
    fn three_by_three_does_not_fill_four_chip_nodes() {
        let error = tpu_slice_nodes(gcp("ct5lp-hightpu-4t"), "3x3").unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"invalid TPU topology "3x3" for tpu-v5e on ct5lp-hightpu-4t: 9 chips do not fill whole nodes of 4 chips each; use one of: 2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16"#
        );
        assert_eq!(
            problem(gcp("ct6e-standard-4t"), "3x3"),
            TopologyProblem::NotWholeNodes {
                chips: 9,
                chips_per_node: 4
            }
        );
    }

    #[test]
    fn whole_but_unlisted_2d_shapes_are_rejected() {
        // 4x2 has 8 chips like 2x4, but GKE names the shape 2x4 only.
        assert_eq!(
            problem(gcp("ct5lp-hightpu-4t"), "4x2"),
            TopologyProblem::UnsupportedShape
        );
        // A 2x2 slice does not use an 8-chip VM whole.
        assert_eq!(
            problem(gcp("ct6e-standard-8t"), "2x2"),
            TopologyProblem::NotWholeNodes {
                chips: 4,
                chips_per_node: 8
            }
        );
    }

    #[test]
    fn malformed_topologies_are_rejected() {
        let v5e = gcp("ct5lp-hightpu-4t");
        for topology in [
            "", "2x", "x4", "2 x 4", "2X4", "+2x4", "02x4", "0x4", "2x-4", "two",
        ] {
            assert_eq!(
                problem(v5e, topology),
                TopologyProblem::Malformed,
                "{topology:?}"
            );
        }
    }

    #[test]
    fn gpu_machine_types_take_no_topology() {
        let error = tpu_slice_nodes(gcp("g2-standard-4"), "2x4").unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"invalid TPU topology "2x4" for nvidia-l4 on g2-standard-4: it carries GPUs, and only TPU node pools take a topology; leave the topology unset for GPU node pools"#
        );
    }

    #[test]
    fn every_tpu_row_accepts_its_smallest_whole_node_shape() {
        for offering in catalog::all()
            .iter()
            .filter(|o| o.kind == catalog::AcceleratorKind::Tpu)
        {
            let smallest = match (offering.accelerator, offering.accelerators_per_node) {
                ("tpu-v5p", _) => "2x2x1",
                (_, 1) => "1x1",
                (_, 4) => "2x2",
                (_, 8) => "2x4",
                other => panic!("no topology rule covers {other:?}"),
            };
            assert_eq!(
                tpu_slice_nodes(offering, smallest),
                Ok(1),
                "{}",
                offering.machine_type
            );
        }
    }
}
