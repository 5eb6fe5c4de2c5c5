//! What a kubelet on an EC2 instance type reports: vCPUs, memory, the pods the VPC
//! CNI allows (EKS's `eni-max-pods`: ENIs × (IPv4 addresses per ENI − 1) + 2), the
//! NVIDIA GPUs and the architecture. A table of the types the stories use (the
//! provider's catalog has them all, but the provider's tests depend on this crate, not
//! the other way round); a type not listed is an error naming it, never a guess.

/// One instance type's hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceShape {
    pub vcpus: u64,
    pub memory_gib: u64,
    pub max_pods: u64,
    pub gpus: u64,
    /// `kubernetes.io/arch`.
    pub arch: &'static str,
}

const fn shape(vcpus: u64, memory_gib: u64, max_pods: u64, gpus: u64) -> InstanceShape {
    InstanceShape {
        vcpus,
        memory_gib,
        max_pods,
        gpus,
        arch: "amd64",
    }
}

const SHAPES: &[(&str, InstanceShape)] = &[
    ("t3.medium", shape(2, 4, 17, 0)),
    ("t3.large", shape(2, 8, 35, 0)),
    ("m5.large", shape(2, 8, 29, 0)),
    ("m6i.large", shape(2, 8, 29, 0)),
    ("m6i.xlarge", shape(4, 16, 58, 0)),
    ("m7i.large", shape(2, 8, 29, 0)),
    ("m7i.xlarge", shape(4, 16, 58, 0)),
    (
        "m7g.large",
        InstanceShape {
            arch: "arm64",
            ..shape(2, 8, 29, 0)
        },
    ),
    ("c6i.large", shape(2, 4, 29, 0)),
    ("g4dn.xlarge", shape(4, 16, 29, 1)),
    ("g5.xlarge", shape(4, 16, 58, 1)),
    ("g5.2xlarge", shape(8, 32, 58, 1)),
    ("g5.12xlarge", shape(48, 192, 234, 4)),
    ("g6.xlarge", shape(4, 16, 58, 1)),
    ("g6.2xlarge", shape(8, 32, 58, 1)),
    ("g6.12xlarge", shape(48, 192, 234, 4)),
    ("p4d.24xlarge", shape(96, 1152, 737, 8)),
];

/// The hardware of `instance_type`, if the table has it.
pub fn instance_shape(instance_type: &str) -> Option<InstanceShape> {
    SHAPES
        .iter()
        .find(|(name, _)| *name == instance_type)
        .map(|(_, shape)| *shape)
}

/// The types the table knows, for the error that names a missing one.
pub fn known_types() -> Vec<&'static str> {
    SHAPES.iter().map(|(name, _)| *name).collect()
}

impl InstanceShape {
    /// CPU the EKS AMI keeps for the kubelet and the system (kube-reserved): 6% of
    /// the first core, 1% of the second, 0.5% of the next two, 0.25% of the rest.
    pub fn reserved_millicores(&self) -> u64 {
        let cores = self.vcpus;
        let mut reserved_tenths = 600; // in tenths of a millicore
        if cores >= 2 {
            reserved_tenths += 100;
        }
        reserved_tenths += 50 * cores.saturating_sub(2).min(2);
        reserved_tenths += 25 * cores.saturating_sub(4);
        reserved_tenths / 10
    }

    /// Memory the EKS AMI keeps back, in MiB: kube-reserved (11 MiB per pod + 255 MiB)
    /// and the hard eviction threshold (100 MiB).
    pub fn reserved_memory_mib(&self) -> u64 {
        11 * self.max_pods + 255 + 100
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_follow_the_eks_ami() {
        let small = instance_shape("m6i.large").unwrap();
        assert_eq!(small.reserved_millicores(), 70);
        assert_eq!(small.reserved_memory_mib(), 11 * 29 + 355);
        let gpu = instance_shape("g6.xlarge").unwrap();
        assert_eq!((gpu.vcpus, gpu.gpus, gpu.max_pods), (4, 1, 58));
        assert_eq!(gpu.reserved_millicores(), 80);
        let big = instance_shape("p4d.24xlarge").unwrap();
        assert_eq!(big.reserved_millicores(), 80 + 92 * 25 / 10);
        assert_eq!(instance_shape("m7g.large").unwrap().arch, "arm64");
        assert_eq!(instance_shape("x9.huge"), None);
    }
}
