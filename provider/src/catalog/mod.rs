//! The accelerator catalog: which instance / VM / machine types carry each
//! cloud-neutral accelerator (`nvidia-l4`, `tpu-v5e`, ...) on each cloud.
//!
//! It is static data checked against the clouds' published specifications (see
//! the comments in `table/`, which also record where the catalog departs from
//! `shared/reference/accelerators.md` and why). Node pools resolve
//! `accelerator { type, count }` through [`machine_type`], explain an explicit
//! `machine_type` through [`by_machine_type`], and size TPU slices through
//! [`tpu_slice_nodes`]; the `mlcloud_accelerators` data source lists [`all`].
//!
//! ```
//! use mlcloud_provider::catalog::{self};
//! use mlcloud_provider::Cloud;
//!
//! let node = catalog::machine_type(Cloud::Aws, "nvidia-h100-80gb", 8).unwrap();
//! assert_eq!(node.machine_type, "p5.48xlarge");
//! assert_eq!(catalog::offered_on(Cloud::Azure)[0], "nvidia-t4");
//! ```

mod accelerator;
mod error;
mod offering;
mod table;
mod tpu;

use crate::Cloud;
pub use accelerator::AcceleratorKind;
pub use error::{CatalogError, TopologyProblem};
pub use offering::Offering;
pub use tpu::tpu_slice_nodes;

/// Every row of the catalog, grouped by cloud (AWS, Azure, Google Cloud).
///
/// ```
/// use mlcloud_provider::catalog::{self};
/// use mlcloud_provider::Cloud;
///
/// assert!(catalog::all().iter().any(|o| o.cloud == Cloud::Gcp && o.machine_type == "a3-ultragpu-8g"));
/// ```
pub fn all() -> &'static [Offering] {
    &table::ALL
}

/// The accelerator names of the user-facing contract, in contract order.
///
/// ```
/// use mlcloud_provider::catalog;
///
/// assert_eq!(catalog::accelerator_names().first(), Some(&"nvidia-t4"));
/// assert_eq!(catalog::accelerator_names().len(), 10);
/// ```
pub fn accelerator_names() -> &'static [&'static str] {
    &accelerator::NAMES
}

/// The accelerator names `cloud` offers, in contract order.
///
/// ```
/// use mlcloud_provider::catalog::{self};
/// use mlcloud_provider::Cloud;
///
/// assert!(catalog::offered_on(Cloud::Gcp).contains(&"tpu-v6e"));
/// assert!(!catalog::offered_on(Cloud::Aws).contains(&"tpu-v6e"));
/// ```
pub fn offered_on(cloud: Cloud) -> Vec<&'static str> {
    accelerator::NAMES
        .iter()
        .copied()
        .filter(|&name| rows(cloud, name).next().is_some())
        .collect()
}

/// The machine types on `cloud` that carry `accelerator`, smallest first
/// (fewest vCPUs, then name).
///
/// Fails with [`CatalogError::UnknownAccelerator`] for a name outside the
/// contract, and [`CatalogError::NotOffered`] when `cloud` sells none.
///
/// ```
/// use mlcloud_provider::catalog::{self};
/// use mlcloud_provider::Cloud;
///
/// let t4: Vec<&str> = catalog::offerings(Cloud::Azure, "nvidia-t4")
///     .unwrap()
///     .iter()
///     .map(|o| o.machine_type)
///     .collect();
/// assert_eq!(
///     t4,
///     ["Standard_NC4as_T4_v3", "Standard_NC8as_T4_v3", "Standard_NC16as_T4_v3", "Standard_NC64as_T4_v3"]
/// );
/// ```
pub fn offerings(cloud: Cloud, accelerator: &str) -> Result<Vec<&'static Offering>, CatalogError> {
    let name = contract_name(accelerator)?;
    let mut found: Vec<&'static Offering> = rows(cloud, name).collect();
    if found.is_empty() {
        return Err(CatalogError::NotOffered {
            cloud,
            accelerator: name,
            offered: offered_on(cloud),
        });
    }
    found.sort_by_key(|offering| (offering.vcpus, offering.machine_type));
    Ok(found)
}

/// The smallest machine type (fewest vCPUs, then name) with exactly `count`
/// accelerators per node.
///
/// Fails like [`offerings`], or with [`CatalogError::NoMachineWithCount`]
/// listing the counts `cloud` does offer.
///
/// ```
/// use mlcloud_provider::catalog::{self};
/// use mlcloud_provider::Cloud;
///
/// assert_eq!(catalog::machine_type(Cloud::Aws, "nvidia-t4", 1).unwrap().machine_type, "g4dn.xlarge");
/// assert_eq!(catalog::machine_type(Cloud::Gcp, "nvidia-l4", 1).unwrap().machine_type, "g2-standard-4");
/// assert_eq!(
///     catalog::machine_type(Cloud::Azure, "nvidia-a100-80gb", 8).unwrap().machine_type,
///     "Standard_ND96amsr_A100_v4"
/// );
/// ```
pub fn machine_type(
    cloud: Cloud,
    accelerator: &str,
    count: u32,
) -> Result<&'static Offering, CatalogError> {
    let candidates = offerings(cloud, accelerator)?;
    if let Some(smallest) = candidates.iter().find(|o| o.accelerators_per_node == count) {
        return Ok(smallest);
    }
    let mut available: Vec<u32> = candidates.iter().map(|o| o.accelerators_per_node).collect();
    available.sort_unstable();
    available.dedup();
    Err(CatalogError::NoMachineWithCount {
        cloud,
        accelerator: candidates[0].accelerator,
        count,
        available,
    })
}

/// For a machine type the user gave explicitly: the accelerator it carries and
/// how many per node, or `None` for a plain CPU type.
///
/// Azure VM sizes match without regard to case, as Azure Resource Manager treats
/// them; EC2 and Compute Engine names match exactly. Google Cloud N1 types are
/// `None`: they carry GPUs only when a node pool attaches them (see
/// [`Offering::accelerators_are_built_in`]).
///
/// ```
/// use mlcloud_provider::catalog::{self};
/// use mlcloud_provider::Cloud;
///
/// let g5 = catalog::by_machine_type(Cloud::Aws, "g5.12xlarge").unwrap();
/// assert_eq!((g5.accelerator, g5.accelerators_per_node), ("nvidia-a10g", 4));
/// assert!(catalog::by_machine_type(Cloud::Aws, "m5.large").is_none());
/// assert!(catalog::by_machine_type(Cloud::Azure, "standard_nc4as_t4_v3").is_some());
/// assert!(catalog::by_machine_type(Cloud::Gcp, "n1-standard-4").is_none());
/// ```
pub fn by_machine_type(cloud: Cloud, machine_type: &str) -> Option<&'static Offering> {
    table::ALL.iter().find(|offering| {
        offering.cloud == cloud
            && same_machine_type(cloud, offering.machine_type, machine_type)
            && offering.accelerators_are_built_in()
    })
}

fn same_machine_type(cloud: Cloud, catalog_name: &str, given: &str) -> bool {
    match cloud {
        Cloud::Azure => catalog_name.eq_ignore_ascii_case(given),
        Cloud::Aws | Cloud::Gcp => catalog_name == given,
    }
}

fn rows(cloud: Cloud, accelerator: &str) -> impl Iterator<Item = &'static Offering> {
    table::ALL
        .iter()
        .filter(move |offering| offering.cloud == cloud && offering.accelerator == accelerator)
}

/// The `'static` contract name equal to `name`, or the error listing them all.
fn contract_name(name: &str) -> Result<&'static str, CatalogError> {
    accelerator::spec(name)
        .map(|spec| spec.name)
        .ok_or_else(|| CatalogError::UnknownAccelerator {
            name: name.to_owned(),
            known: accelerator::NAMES.to_vec(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_machine_types_are_the_published_entry_sizes() {
        let cases = [
            (Cloud::Aws, "nvidia-h100-80gb", 8, "p5.48xlarge"),
            (Cloud::Aws, "nvidia-h100-80gb", 1, "p5.4xlarge"),
            (Cloud::Aws, "nvidia-t4", 1, "g4dn.xlarge"),
            (Cloud::Aws, "nvidia-t4", 4, "g4dn.12xlarge"),
            (Cloud::Aws, "nvidia-l4", 4, "g6.12xlarge"),
            (Cloud::Aws, "nvidia-a10g", 8, "g5.48xlarge"),
            (Cloud::Aws, "nvidia-a100-40gb", 8, "p4d.24xlarge"),
            (Cloud::Aws, "nvidia-a100-80gb", 8, "p4de.24xlarge"),
            // p5e and p5en tie on vCPUs; the name breaks the tie.
            (Cloud::Aws, "nvidia-h200", 8, "p5e.48xlarge"),
            (Cloud::Azure, "nvidia-t4", 1, "Standard_NC4as_T4_v3"),
            (Cloud::Azure, "nvidia-a100-40gb", 8, "Standard_ND96asr_v4"),
            (
                Cloud::Azure,
                "nvidia-a100-80gb",
                1,
                "Standard_NC24ads_A100_v4",
            ),
            (
                Cloud::Azure,
                "nvidia-a100-80gb",
                8,
                "Standard_ND96amsr_A100_v4",
            ),
            (
                Cloud::Azure,
                "nvidia-h100-80gb",
                8,
                "Standard_ND96isr_H100_v5",
            ),
            (Cloud::Azure, "nvidia-h200", 8, "Standard_ND96isr_H200_v5"),
            (Cloud::Gcp, "nvidia-t4", 1, "n1-standard-4"),
            (Cloud::Gcp, "nvidia-l4", 1, "g2-standard-4"),
            (Cloud::Gcp, "nvidia-l4", 2, "g2-standard-24"),
            (Cloud::Gcp, "nvidia-a100-40gb", 16, "a2-megagpu-16g"),
            (Cloud::Gcp, "nvidia-a100-80gb", 4, "a2-ultragpu-4g"),
            // a3-highgpu-8g and a3-megagpu-8g tie on vCPUs; the name breaks the tie.
            (Cloud::Gcp, "nvidia-h100-80gb", 8, "a3-highgpu-8g"),
            (Cloud::Gcp, "nvidia-h200", 8, "a3-ultragpu-8g"),
            (Cloud::Gcp, "tpu-v5e", 4, "ct5lp-hightpu-4t"),
            (Cloud::Gcp, "tpu-v5p", 4, "ct5p-hightpu-4t"),
            (Cloud::Gcp, "tpu-v6e", 8, "ct6e-standard-8t"),
        ];
        for (cloud, accelerator, count, expected) in cases {
            let found = machine_type(cloud, accelerator, count).unwrap();
            assert_eq!(
                found.machine_type, expected,
                "{cloud} {accelerator} x{count}"
            );
            assert_eq!(found.accelerators_per_node, count);
        }
    }

    #[test]
    fn representative_rows_carry_memory_and_gke_type() {
        let l4 = machine_type(Cloud::Gcp, "nvidia-l4", 1).unwrap();
        assert_eq!((l4.memory_gb, l4.gke_accelerator), (24, Some("nvidia-l4")));
        let t4 = machine_type(Cloud::Gcp, "nvidia-t4", 4).unwrap();
        assert_eq!(
            (t4.memory_gb, t4.gke_accelerator),
            (16, Some("nvidia-tesla-t4"))
        );
        let h200 = machine_type(Cloud::Gcp, "nvidia-h200", 8).unwrap();
        assert_eq!(
            (h200.memory_gb, h200.gke_accelerator),
            (141, Some("nvidia-h200-141gb"))
        );
        let v5e = machine_type(Cloud::Gcp, "tpu-v5e", 1).unwrap();
        assert_eq!(
            (v5e.machine_type, v5e.memory_gb, v5e.gke_accelerator),
            ("ct5lp-hightpu-1t", 16, Some("tpu-v5-lite-podslice"))
        );
        let h100 = machine_type(Cloud::Azure, "nvidia-h100-80gb", 8).unwrap();
        assert_eq!((h100.memory_gb, h100.gke_accelerator), (80, None));
    }

    #[test]
    fn offerings_are_sorted_by_vcpus_then_name() {
        for cloud in Cloud::ALL {
            for name in offered_on(cloud) {
                let found = offerings(cloud, name).unwrap();
                let keys: Vec<(u32, &str)> =
                    found.iter().map(|o| (o.vcpus, o.machine_type)).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                assert_eq!(keys, sorted, "{cloud} {name}");
                assert!(
                    found
                        .iter()
                        .all(|o| o.cloud == cloud && o.accelerator == name)
                );
            }
        }
        let l4: Vec<&str> = offerings(Cloud::Aws, "nvidia-l4")
            .unwrap()
            .iter()
            .map(|o| o.machine_type)
            .collect();
        assert_eq!(
            l4,
            [
                "g6.xlarge",
                "g6.2xlarge",
                "g6.4xlarge",
                "g6.8xlarge",
                "g6.12xlarge",
                "g6.16xlarge",
                "g6.24xlarge",
                "g6.48xlarge"
            ]
        );
    }

    #[test]
    fn a_tpu_on_aws_lists_what_aws_offers() {
        let error = machine_type(Cloud::Aws, "tpu-v5e", 4).unwrap_err();
        assert_eq!(
            error,
            CatalogError::NotOffered {
                cloud: Cloud::Aws,
                accelerator: "tpu-v5e",
                offered: vec![
                    "nvidia-t4",
                    "nvidia-l4",
                    "nvidia-a10g",
                    "nvidia-a100-40gb",
                    "nvidia-a100-80gb",
                    "nvidia-h100-80gb",
                    "nvidia-h200"
                ],
            }
        );
        assert_eq!(
            error.to_string(),
            r#""tpu-v5e" is not offered on aws; aws offers: nvidia-t4, nvidia-l4, nvidia-a10g, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h200"#
        );
    }

    #[test]
    fn an_a10g_on_azure_lists_what_azure_offers() {
        let error = offerings(Cloud::Azure, "nvidia-a10g").unwrap_err();
        assert_eq!(
            error.to_string(),
            r#""nvidia-a10g" is not offered on azure; azure offers: nvidia-t4, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h200"#
        );
    }

    #[test]
    fn an_unknown_name_lists_the_known_names() {
        let error = offerings(Cloud::Gcp, "nvidia-v100").unwrap_err();
        assert_eq!(
            error,
            CatalogError::UnknownAccelerator {
                name: "nvidia-v100".to_owned(),
                known: accelerator_names().to_vec(),
            }
        );
        assert_eq!(
            error.to_string(),
            r#"unknown accelerator "nvidia-v100"; known accelerators: nvidia-t4, nvidia-l4, nvidia-a10g, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h200, tpu-v5e, tpu-v5p, tpu-v6e"#
        );
        // Unknown wins over not-offered: the name itself is what needs fixing.
        assert!(matches!(
            machine_type(Cloud::Aws, "tpu-v4", 4),
            Err(CatalogError::UnknownAccelerator { .. })
        ));
    }

    #[test]
    fn an_unavailable_count_lists_the_available_counts() {
        let error = machine_type(Cloud::Aws, "nvidia-h100-80gb", 3).unwrap_err();
        assert_eq!(
            error,
            CatalogError::NoMachineWithCount {
                cloud: Cloud::Aws,
                accelerator: "nvidia-h100-80gb",
                count: 3,
                available: vec![1, 8],
            }
        );
        assert_eq!(
            error.to_string(),
            "aws has no machine type with 3 nvidia-h100-80gb per node; available counts: 1, 8"
        );
        let error = machine_type(Cloud::Azure, "nvidia-h100-80gb", 3).unwrap_err();
        assert_eq!(
            error.to_string(),
            "azure has no machine type with 3 nvidia-h100-80gb per node; available counts: 8"
        );
        let error = machine_type(Cloud::Gcp, "nvidia-l4", 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "gcp has no machine type with 0 nvidia-l4 per node; available counts: 1, 2, 4, 8"
        );
    }

    #[test]
    fn offered_on_follows_contract_order() {
        assert_eq!(
            offered_on(Cloud::Gcp),
            [
                "nvidia-t4",
                "nvidia-l4",
                "nvidia-a100-40gb",
                "nvidia-a100-80gb",
                "nvidia-h100-80gb",
                "nvidia-h200",
                "tpu-v5e",
                "tpu-v5p",
                "tpu-v6e"
            ]
        );
        for cloud in Cloud::ALL {
            assert!(!offered_on(cloud).is_empty(), "{cloud}");
        }
    }

    #[test]
    fn by_machine_type_explains_explicit_machine_types() {
        let metal = by_machine_type(Cloud::Aws, "g4dn.metal").unwrap();
        assert_eq!(
            (metal.accelerator, metal.accelerators_per_node),
            ("nvidia-t4", 8)
        );
        let v6e = by_machine_type(Cloud::Gcp, "ct6e-standard-4t").unwrap();
        assert_eq!((v6e.accelerator, v6e.accelerators_per_node), ("tpu-v6e", 4));
        let nd = by_machine_type(Cloud::Azure, "STANDARD_ND96ISR_H100_V5").unwrap();
        assert_eq!(nd.machine_type, "Standard_ND96isr_H100_v5");
    }

    #[test]
    fn by_machine_type_is_none_for_cpu_types_and_other_clouds() {
        assert_eq!(by_machine_type(Cloud::Aws, "m6i.xlarge"), None);
        assert_eq!(by_machine_type(Cloud::Azure, "Standard_D4s_v5"), None);
        assert_eq!(by_machine_type(Cloud::Gcp, "e2-standard-4"), None);
        // A machine type belongs to its cloud only.
        assert_eq!(by_machine_type(Cloud::Gcp, "g4dn.xlarge"), None);
        // EC2 instance type names are case-sensitive.
        assert_eq!(by_machine_type(Cloud::Aws, "G4DN.XLARGE"), None);
    }

    #[test]
    fn by_machine_type_leaves_n1_as_a_cpu_type() {
        for n1 in [
            "n1-standard-4",
            "n1-standard-8",
            "n1-standard-16",
            "n1-standard-32",
        ] {
            assert_eq!(by_machine_type(Cloud::Gcp, n1), None, "{n1}");
        }
    }

    #[test]
    fn every_built_in_row_is_found_by_its_machine_type() {
        for offering in all().iter().filter(|o| o.accelerators_are_built_in()) {
            assert_eq!(
                by_machine_type(offering.cloud, offering.machine_type),
                Some(offering)
            );
        }
    }
}
