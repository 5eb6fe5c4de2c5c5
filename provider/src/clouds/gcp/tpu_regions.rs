//! Where GKE offers each TPU generation, by region (a zone's region is the zone name
//! without its last `-x` part). From the Cloud TPU "TPU regions and zones" page; a
//! pool whose cluster is elsewhere would be refused by GKE only after the cluster
//! exists, so the plan says it first.

const TPU_V5E: &[&str] = &[
    "us-central1",
    "us-east1",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west4",
    "europe-west4",
    "asia-southeast1",
];
const TPU_V5P: &[&str] = &["us-central1", "us-east5", "europe-west4"];
const TPU_V6E: &[&str] = &[
    "us-central1",
    "us-east1",
    "us-east5",
    "us-south1",
    "europe-west4",
    "asia-northeast1",
];

/// The regions offering `accelerator` (a contract name); `None` for a non-TPU name.
pub fn regions(accelerator: &str) -> Option<&'static [&'static str]> {
    match accelerator {
        "tpu-v5e" => Some(TPU_V5E),
        "tpu-v5p" => Some(TPU_V5P),
        "tpu-v6e" => Some(TPU_V6E),
        _ => None,
    }
}

/// The region of a location that is a region (`us-central1`) or a zone
/// (`us-central1-a`).
pub fn region_of(location: &str) -> &str {
    match location.rsplit_once('-') {
        Some((region, zone)) if zone.len() == 1 && region.contains('-') => region,
        _ => location,
    }
}

/// Whether `accelerator` is offered in `location`; true for anything but a TPU.
pub fn offered_in(accelerator: &str, location: &str) -> bool {
    regions(accelerator).is_none_or(|r| r.contains(&region_of(location)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_belong_to_their_region() {
        assert_eq!(region_of("us-central1-a"), "us-central1");
        assert_eq!(region_of("us-central1"), "us-central1");
        assert_eq!(region_of("europe-west4-b"), "europe-west4");
        assert!(offered_in("tpu-v5p", "us-east5-a"));
        assert!(!offered_in("tpu-v5p", "us-west1"));
        assert!(offered_in("nvidia-l4", "anywhere1"));
    }
}
