//! The catalog's rows, one file per cloud, joined at compile time into a single
//! `'static` table so lookups never allocate or initialise anything.

mod aws;
mod azure;
mod gcp;

use super::Offering;

const LEN: usize = aws::ROWS.len() + azure::ROWS.len() + gcp::ROWS.len();

/// Every row of every cloud: AWS first, then Azure, then Google Cloud.
pub(crate) static ALL: [Offering; LEN] = join();

const fn join() -> [Offering; LEN] {
    // Any row serves as filler: every slot is overwritten below.
    let mut out = [aws::ROWS[0]; LEN];
    let next = copy_into(&mut out, 0, aws::ROWS);
    let next = copy_into(&mut out, next, azure::ROWS);
    let next = copy_into(&mut out, next, gcp::ROWS);
    assert!(next == LEN);
    out
}

const fn copy_into(out: &mut [Offering; LEN], start: usize, rows: &[Offering]) -> usize {
    let mut i = 0;
    while i < rows.len() {
        out[start + i] = rows[i];
        i += 1;
    }
    start + rows.len()
}

/// The row for a machine type, for tests that check it against published facts.
#[cfg(test)]
pub(super) fn row(cloud: crate::Cloud, machine_type: &str) -> &'static Offering {
    ALL.iter()
        .find(|offering| offering.cloud == cloud && offering.machine_type == machine_type)
        .unwrap_or_else(|| panic!("no {cloud} row for {machine_type}"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::accelerator::{self, AcceleratorKind, NAMES};
    use super::*;
    use crate::Cloud;

    #[test]
    fn joins_every_cloud_file_in_order() {
        let clouds: Vec<Cloud> = ALL.iter().map(|offering| offering.cloud).collect();
        let mut sorted = clouds.clone();
        sorted.sort();
        assert_eq!(clouds, sorted, "rows are grouped by cloud");
        assert_eq!(
            ALL.len(),
            aws::ROWS.len() + azure::ROWS.len() + gcp::ROWS.len()
        );
        assert_eq!(&ALL[..aws::ROWS.len()], aws::ROWS);
        assert_eq!(&ALL[LEN - gcp::ROWS.len()..], gcp::ROWS);
    }

    #[test]
    fn no_machine_type_appears_twice_on_a_cloud() {
        let mut seen = HashSet::new();
        for offering in &ALL {
            // Azure VM sizes are case-insensitive, so compare them folded.
            let key = (offering.cloud, offering.machine_type.to_ascii_lowercase());
            assert!(seen.insert(key), "duplicate {offering:?}");
        }
    }

    #[test]
    fn every_accelerator_is_a_contract_name() {
        for offering in &ALL {
            assert!(NAMES.contains(&offering.accelerator), "{offering:?}");
        }
    }

    #[test]
    fn every_cloud_offers_something() {
        for cloud in Cloud::ALL {
            assert!(
                ALL.iter().any(|offering| offering.cloud == cloud),
                "{cloud}"
            );
        }
    }

    #[test]
    fn every_contract_accelerator_is_offered_somewhere() {
        for name in NAMES {
            assert!(
                ALL.iter().any(|offering| offering.accelerator == name),
                "{name}"
            );
        }
    }

    #[test]
    fn counts_memory_and_vcpus_are_positive() {
        for offering in &ALL {
            assert!(offering.accelerators_per_node > 0, "{offering:?}");
            assert!(offering.memory_gb > 0, "{offering:?}");
            assert!(offering.vcpus > 0, "{offering:?}");
        }
    }

    #[test]
    fn gke_accelerator_is_present_exactly_on_gcp_rows() {
        for offering in &ALL {
            assert_eq!(
                offering.gke_accelerator.is_some(),
                offering.cloud == Cloud::Gcp,
                "{offering:?}"
            );
        }
    }

    #[test]
    fn kind_and_memory_agree_with_the_accelerator() {
        for offering in &ALL {
            let spec = accelerator::spec(offering.accelerator).expect("contract name");
            assert_eq!(offering.kind, spec.kind, "{offering:?}");
            assert_eq!(offering.memory_gb, spec.memory_gb, "{offering:?}");
        }
    }

    #[test]
    fn tpus_are_sold_only_by_google_cloud() {
        for offering in ALL.iter().filter(|o| o.kind == AcceleratorKind::Tpu) {
            assert_eq!(offering.cloud, Cloud::Gcp, "{offering:?}");
        }
    }

    #[test]
    fn each_gke_accelerator_type_names_one_accelerator() {
        // GKE schedules on the accelerator type; two contract names behind one
        // type would make node selectors ambiguous.
        let mut owner = std::collections::HashMap::new();
        for offering in &ALL {
            if let Some(gke) = offering.gke_accelerator {
                let previous = owner.insert(gke, offering.accelerator);
                assert!(
                    previous.is_none_or(|name| name == offering.accelerator),
                    "{gke} names both {previous:?} and {}",
                    offering.accelerator
                );
            }
        }
    }
}
