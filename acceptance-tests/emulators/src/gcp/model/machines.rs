//! Which accelerators a GKE machine type carries (`/work/shared/reference/accelerators.md`
//! facts): GPUs per machine family, and TPU chips per VM with the slice topologies
//! they take. A multi-host TPU slice is `chips in topology / chips per VM` nodes.

use crate::gcp::errors::{ApiError, ApiResult};

/// What a machine type can attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accelerators {
    /// No accelerators (e2, n2, ...).
    None,
    /// GPUs of these types, in one of these counts per VM.
    Gpu {
        types: &'static [&'static str],
        counts: Vec<i64>,
    },
    /// TPU chips per VM, topology dimensions, whether it may form multi-host slices.
    Tpu {
        chips: u64,
        dimensions: usize,
        multi_host: bool,
        topologies: Option<&'static [&'static str]>,
    },
}

/// TPU v5e and v6e slice shapes.
const TWO_D_TOPOLOGIES: &[&str] = &["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"];

const N1_GPUS: &[&str] = &[
    "nvidia-tesla-t4",
    "nvidia-tesla-p4",
    "nvidia-tesla-v100",
    "nvidia-tesla-p100",
];

pub fn accelerators(machine_type: &str) -> Accelerators {
    let fixed = |kind: &'static [&'static str], count: i64| Accelerators::Gpu {
        types: kind,
        counts: vec![count],
    };
    let gpus_in_name = |rest: &str| rest.strip_suffix('g').and_then(|n| n.parse::<i64>().ok());
    if machine_type.starts_with("n1-") {
        return Accelerators::Gpu {
            types: N1_GPUS,
            counts: vec![1, 2, 4, 8],
        };
    }
    if let Some(size) = machine_type.strip_prefix("g2-standard-") {
        let count = match size {
            "4" | "8" | "12" | "16" | "32" => 1,
            "24" => 2,
            "48" => 4,
            "96" => 8,
            _ => return Accelerators::None,
        };
        return fixed(&["nvidia-l4"], count);
    }
    if let Some(count) = machine_type
        .strip_prefix("a2-highgpu-")
        .and_then(gpus_in_name)
    {
        return fixed(&["nvidia-tesla-a100"], count);
    }
    if machine_type == "a2-megagpu-16g" {
        return fixed(&["nvidia-tesla-a100"], 16);
    }
    if let Some(count) = machine_type
        .strip_prefix("a2-ultragpu-")
        .and_then(gpus_in_name)
    {
        return fixed(&["nvidia-a100-80gb"], count);
    }
    if let Some(count) = machine_type
        .strip_prefix("a3-highgpu-")
        .and_then(gpus_in_name)
    {
        return fixed(&["nvidia-h100-80gb"], count);
    }
    match machine_type {
        "a3-megagpu-8g" => fixed(&["nvidia-h100-mega-80gb"], 8),
        "a3-ultragpu-8g" => fixed(&["nvidia-h200-141gb"], 8),
        "ct5lp-hightpu-1t" => tpu(1, 2, false),
        "ct5lp-hightpu-4t" => tpu(4, 2, true),
        "ct5lp-hightpu-8t" => tpu(8, 2, false),
        "ct5p-hightpu-4t" => Accelerators::Tpu {
            chips: 4,
            dimensions: 3,
            multi_host: true,
            topologies: None,
        },
        "ct6e-standard-1t" => tpu(1, 2, false),
        "ct6e-standard-4t" => tpu(4, 2, true),
        "ct6e-standard-8t" => tpu(8, 2, false),
        _ => Accelerators::None,
    }
}

fn tpu(chips: u64, dimensions: usize, multi_host: bool) -> Accelerators {
    Accelerators::Tpu {
        chips,
        dimensions,
        multi_host,
        topologies: Some(TWO_D_TOPOLOGIES),
    }
}

/// Checks the GPUs asked for (`(type, count)` pairs) against the machine type.
pub fn check_gpus(machine_type: &str, asked: &[(String, i64)]) -> ApiResult<()> {
    let Some((kind, count)) = asked.first() else {
        return Ok(());
    };
    match accelerators(machine_type) {
        Accelerators::Gpu { types, counts } => {
            if !types.contains(&kind.as_str()) {
                return Err(ApiError::invalid_argument(format!(
                    "Accelerator type \"{kind}\" is not supported on machine type \"{machine_type}\"; it takes {}.",
                    types.join(", ")
                )));
            }
            if !counts.contains(count) {
                return Err(ApiError::invalid_argument(format!(
                    "Machine type \"{machine_type}\" takes {} \"{kind}\" accelerators per node, not {count}.",
                    counts
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(" or ")
                )));
            }
            Ok(())
        }
        _ => Err(ApiError::invalid_argument(format!(
            "Accelerator type \"{kind}\" is not supported on machine type \"{machine_type}\"."
        ))),
    }
}

/// Checks a TPU slice: the topology fits the machine type's chips, and a
/// multi-host slice has exactly `chips in topology / chips per VM` nodes. Returns
/// the nodes a slice takes (1 for single-host).
pub fn check_tpu(
    machine_type: &str,
    topology: Option<&str>,
    placement_type: Option<&str>,
    node_count: i64,
) -> ApiResult<u64> {
    let Accelerators::Tpu {
        chips,
        dimensions,
        multi_host,
        topologies,
    } = accelerators(machine_type)
    else {
        return match topology {
            Some(topology) => Err(ApiError::invalid_argument(format!(
                "TPU topology {topology} is set, but machine type \"{machine_type}\" is not a TPU machine type."
            ))),
            None => Ok(1),
        };
    };
    let Some(topology) = topology else {
        return Ok(1);
    };
    if placement_type != Some("COMPACT") {
        return Err(ApiError::invalid_argument(
            "placement_policy.tpu_topology requires placement_policy.type COMPACT.",
        ));
    }
    let dims: Option<Vec<u64>> = topology.split('x').map(|d| d.parse().ok()).collect();
    let dims = dims.filter(|dims| dims.len() == dimensions && dims.iter().all(|d| *d > 0));
    let in_list = topologies.is_none_or(|list| list.contains(&topology));
    let Some(dims) = dims.filter(|_| in_list) else {
        return Err(ApiError::invalid_argument(format!(
            "Invalid TPU topology \"{topology}\" for machine type \"{machine_type}\": expected a {dimensions}D topology{}.",
            topologies
                .map(|list| format!(" ({})", list.join(", ")))
                .unwrap_or_default()
        )));
    };
    let total: u64 = dims.iter().product();
    if total < chips || !total.is_multiple_of(chips) {
        return Err(ApiError::invalid_argument(format!(
            "TPU topology \"{topology}\" ({total} chips) does not fit machine type \"{machine_type}\" ({chips} chips per node)."
        )));
    }
    let nodes = total / chips;
    if nodes > 1 {
        if !multi_host {
            return Err(ApiError::invalid_argument(format!(
                "Machine type \"{machine_type}\" supports only single-host TPU slices ({chips} chips); topology \"{topology}\" has {total}."
            )));
        }
        if node_count != nodes as i64 {
            return Err(ApiError::invalid_argument(format!(
                "A multi-host TPU slice with topology \"{topology}\" on \"{machine_type}\" needs exactly {nodes} nodes; node count is {node_count}."
            )));
        }
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpus_follow_the_machine_family() {
        assert!(check_gpus("n1-standard-8", &[("nvidia-tesla-t4".into(), 2)]).is_ok());
        assert!(check_gpus("g2-standard-24", &[("nvidia-l4".into(), 2)]).is_ok());
        assert!(check_gpus("g2-standard-24", &[("nvidia-l4".into(), 1)]).is_err());
        assert!(check_gpus("n1-standard-8", &[("nvidia-l4".into(), 1)]).is_err());
        assert!(check_gpus("e2-standard-4", &[("nvidia-tesla-t4".into(), 1)]).is_err());
        assert!(check_gpus("a3-highgpu-8g", &[("nvidia-h100-80gb".into(), 8)]).is_ok());
    }

    #[test]
    fn tpu_slices_fit_the_chips_per_node() {
        let compact = Some("COMPACT");
        assert_eq!(
            check_tpu("ct5lp-hightpu-4t", Some("2x2"), compact, 3).unwrap(),
            1
        );
        assert_eq!(
            check_tpu("ct5lp-hightpu-4t", Some("4x4"), compact, 4).unwrap(),
            4
        );
        assert!(
            check_tpu("ct5lp-hightpu-4t", Some("4x4"), compact, 2).is_err(),
            "node count"
        );
        assert!(
            check_tpu("ct5lp-hightpu-4t", Some("1x1"), compact, 1).is_err(),
            "too few chips"
        );
        assert!(
            check_tpu("ct5lp-hightpu-8t", Some("4x4"), compact, 2).is_err(),
            "single-host only"
        );
        assert!(
            check_tpu("ct5lp-hightpu-4t", Some("3x3"), compact, 1).is_err(),
            "not a slice shape"
        );
        assert!(
            check_tpu("ct5lp-hightpu-4t", Some("2x2"), None, 1).is_err(),
            "COMPACT"
        );
        assert_eq!(
            check_tpu("ct5p-hightpu-4t", Some("2x2x4"), compact, 4).unwrap(),
            4
        );
        assert!(
            check_tpu("ct5p-hightpu-4t", Some("2x4"), compact, 2).is_err(),
            "3D"
        );
        assert!(check_tpu("n1-standard-4", Some("2x2"), compact, 1).is_err());
    }
}
