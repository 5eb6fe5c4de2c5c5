//! Facts about a machine type that the resource resolves (through the catalog and the
//! cloud's rules) and hands down, so that no backend needs the catalog.

/// What kind of accelerator a machine carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceleratorFamily {
    Gpu,
    Tpu,
}

/// The accelerator a machine type carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineAccelerator {
    /// Contract name, e.g. `nvidia-l4`.
    pub name: String,
    pub per_node: u32,
    pub family: AcceleratorFamily,
}

/// The CPU architecture of a machine type (it picks the node image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    #[default]
    X86_64,
    Arm64,
}

/// A resolved machine: its type and what it carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Machine {
    /// The instance / VM / machine type.
    pub machine_type: String,
    pub accelerator: Option<MachineAccelerator>,
    pub architecture: Architecture,
}

impl Machine {
    pub fn has_gpu(&self) -> bool {
        self.accelerator
            .as_ref()
            .is_some_and(|a| a.family == AcceleratorFamily::Gpu)
    }
}
