//! The emulated clouds, in the order they take ports and appear in the ready line.
//! Each lives in its own module (`aws/`, `azure/`, `gcp/`, `kubernetes/`) with its
//! state apart from HTTP (`model` / `http`), as moto does.

use crate::gcp::GcpFactory;
use crate::part::PartFactory;

/// Every part this build knows.
pub fn all() -> Vec<Box<dyn PartFactory>> {
    vec![
        Box::new(crate::aws::AwsFactory),
        Box::new(crate::azure::AzureFactory),
        Box::new(GcpFactory),
        Box::new(crate::kubernetes::KubernetesFactory),
    ]
}
