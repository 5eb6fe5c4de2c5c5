//! What the NVIDIA container runtime or device plugin mounts into a container that was
//! given GPUs: `/dev/nvidiaN` device nodes and `/proc/driver/nvidia/version`. Reading
//! them needs no library, so they tell us a GPU is meant to be visible even when NVML
//! cannot be loaded.

use std::path::Path;

use serde::Serialize;

/// Device nodes and the kernel driver's version line, as found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DriverFiles {
    /// `/dev/nvidia0`, `/dev/nvidia1`, …: one per GPU given to the container, sorted by
    /// index. Control nodes (`nvidiactl`, `nvidia-uvm`) are not GPUs and are left out.
    pub gpu_device_nodes: Vec<String>,
    /// First line of `/proc/driver/nvidia/version`, e.g.
    /// `NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15 ...`.
    pub kernel_driver: Option<String>,
}

/// Scans `dev_dir` (normally `/dev`) and `proc_driver_dir` (normally
/// `/proc/driver/nvidia`). Missing or unreadable directories simply mean "nothing".
pub fn scan(dev_dir: &Path, proc_driver_dir: &Path) -> DriverFiles {
    let mut indexed: Vec<(u32, String)> = std::fs::read_dir(dev_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let index = name.strip_prefix("nvidia")?.parse::<u32>().ok()?;
            Some((index, entry.path().display().to_string()))
        })
        .collect();
    indexed.sort();
    let kernel_driver = std::fs::read_to_string(proc_driver_dir.join("version"))
        .ok()
        .and_then(|text| text.lines().next().map(|line| line.trim().to_owned()))
        .filter(|line| !line.is_empty());
    DriverFiles {
        gpu_device_nodes: indexed.into_iter().map(|(_, path)| path).collect(),
        kernel_driver,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpu_nodes_are_found_in_index_order_and_control_nodes_ignored() {
        let root = tempfile::tempdir().unwrap();
        let dev = root.path().join("dev");
        let proc_driver = root.path().join("proc/driver/nvidia");
        std::fs::create_dir_all(&dev).unwrap();
        std::fs::create_dir_all(&proc_driver).unwrap();
        for name in ["nvidia10", "nvidia2", "nvidiactl", "nvidia-uvm", "null"] {
            std::fs::write(dev.join(name), "").unwrap();
        }
        std::fs::write(
            proc_driver.join("version"),
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15\nGCC version: 12\n",
        )
        .unwrap();

        let found = scan(&dev, &proc_driver);
        let expected_nodes: Vec<String> = ["nvidia2", "nvidia10"]
            .iter()
            .map(|name| dev.join(name).display().to_string())
            .collect();
        assert_eq!(found.gpu_device_nodes, expected_nodes);
        assert_eq!(
            found.kernel_driver.as_deref(),
            Some("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15")
        );
    }

    #[test]
    fn a_machine_without_nvidia_finds_nothing() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(
            scan(&root.path().join("dev"), &root.path().join("proc")),
            DriverFiles::default()
        );
    }
}
