//! Machine facts a resource resolves and hands to a backend: the catalog says what
//! accelerator a machine type carries, the cloud's rules its CPU architecture. Backends
//! get the result and never look anything up themselves.

use crate::Cloud;
use crate::catalog::{self, AcceleratorKind, Offering};
use crate::clouds::CloudRules;
use crate::clouds::model::{AcceleratorFamily, Machine, MachineAccelerator};

/// The facts of an offering from the catalog.
pub fn from_offering(offering: &Offering, rules: &dyn CloudRules) -> Machine {
    Machine {
        machine_type: offering.machine_type.to_string(),
        accelerator: Some(MachineAccelerator {
            name: offering.accelerator.to_string(),
            per_node: offering.accelerators_per_node,
            family: match offering.kind {
                AcceleratorKind::Gpu => AcceleratorFamily::Gpu,
                AcceleratorKind::Tpu => AcceleratorFamily::Tpu,
            },
        }),
        architecture: rules.architecture(offering.machine_type),
    }
}

/// The facts of a machine type named directly: the catalog's when it knows the type
/// (an explicit GPU type still gets the GPU image), else a plain machine.
pub fn from_machine_type(cloud: Cloud, machine_type: &str, rules: &dyn CloudRules) -> Machine {
    match catalog::by_machine_type(cloud, machine_type) {
        Some(offering) => from_offering(offering, rules),
        None => Machine {
            machine_type: machine_type.to_string(),
            accelerator: None,
            architecture: rules.architecture(machine_type),
        },
    }
}
