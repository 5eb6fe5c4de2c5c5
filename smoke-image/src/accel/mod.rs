//! Which NVIDIA GPUs this container can see, and whether one really works.
//!
//! Nothing NVIDIA is linked or needed at build time: the probe reads the driver files
//! the container runtime mounts ([`driver_files`]), loads NVML at run time to list
//! devices ([`nvml`]), and, when a GPU is visible, runs a memory round trip on it through
//! the CUDA driver API ([`cuda`]). On a machine without a GPU every step finds nothing
//! and the report says plainly "no NVIDIA GPU visible".

pub mod cuda;
pub mod driver_files;
pub mod dylib;
pub mod nvml;
pub mod source;

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

pub use driver_files::DriverFiles;
pub use nvml::GpuDevice;
pub use source::AcceleratorSource;

/// The summary when there is nothing to use.
pub const NO_GPU: &str = "no NVIDIA GPU visible";

/// Where to look. [`AcceleratorProbe::system`] is the real machine; tests point the
/// fields at fakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceleratorProbe {
    pub dev_dir: PathBuf,
    pub proc_driver_dir: PathBuf,
    pub nvml_libraries: Vec<PathBuf>,
    pub cuda_libraries: Vec<PathBuf>,
}

/// Everything found, as served in `GET /v2` and `GET /v2/smoke`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcceleratorReport {
    /// True when NVML lists a GPU or a `/dev/nvidiaN` node exists.
    pub gpu_visible: bool,
    /// One sentence for people: what is visible and whether the check passed.
    pub summary: String,
    pub devices: Vec<GpuDevice>,
    pub driver_version: Option<String>,
    pub driver_files: DriverFiles,
    pub nvml: LibraryStatus,
    pub gpu_check: GpuCheck,
}

/// Whether a runtime library was loaded, from where, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryStatus {
    pub loaded: bool,
    pub library: Option<String>,
    pub error: Option<String>,
}

/// The result of running the check on a GPU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuCheck {
    /// False when there was no GPU to run it on.
    pub ran: bool,
    pub passed: bool,
    /// `cuda:0 (<name>)` when it ran.
    pub device: Option<String>,
    pub detail: String,
    pub duration_ms: f64,
}

impl AcceleratorProbe {
    /// The real locations inside a container.
    pub fn system() -> Self {
        Self {
            dev_dir: PathBuf::from("/dev"),
            proc_driver_dir: PathBuf::from("/proc/driver/nvidia"),
            nvml_libraries: dylib::candidates("libnvidia-ml.so.1"),
            cuda_libraries: dylib::candidates("libcuda.so.1"),
        }
    }

    /// Probes. Blocking (the CUDA check can take seconds on a cold GPU): call it off
    /// the async runtime, as [`AcceleratorSource::spawn`] does.
    pub fn run(&self) -> AcceleratorReport {
        let driver_files = driver_files::scan(&self.dev_dir, &self.proc_driver_dir);
        let inventory = nvml::inventory(&self.nvml_libraries);
        let (devices, nvml_driver, nvml_status) = match inventory {
            Ok(found) => (
                found.devices,
                found.driver_version,
                LibraryStatus {
                    loaded: true,
                    library: Some(found.library),
                    error: None,
                },
            ),
            Err(error) => (
                Vec::new(),
                None,
                LibraryStatus {
                    loaded: false,
                    library: None,
                    error: Some(error.to_string()),
                },
            ),
        };
        let gpu_visible = !devices.is_empty() || !driver_files.gpu_device_nodes.is_empty();
        let gpu_check = if gpu_visible {
            self.check_gpu()
        } else {
            GpuCheck {
                ran: false,
                passed: false,
                device: None,
                detail: format!("{NO_GPU}: the check runs on the CPU only"),
                duration_ms: 0.0,
            }
        };
        let summary = summarise(&devices, &driver_files, &nvml_status, &gpu_check);
        AcceleratorReport {
            gpu_visible,
            summary,
            devices,
            driver_version: nvml_driver,
            driver_files,
            nvml: nvml_status,
            gpu_check,
        }
    }

    fn check_gpu(&self) -> GpuCheck {
        let started = Instant::now();
        let outcome = cuda::round_trip_check(&self.cuda_libraries);
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok(done) => GpuCheck {
                ran: true,
                passed: true,
                device: Some(format!(
                    "cuda:{} ({})",
                    done.device_ordinal, done.device_name
                )),
                detail: format!(
                    "wrote, copied and read back {} bytes on the GPU through {} (CUDA driver API {})",
                    done.bytes_verified, done.library, done.driver_api_version
                ),
                duration_ms,
            },
            Err(error) => GpuCheck {
                ran: true,
                passed: false,
                device: None,
                detail: format!("GPU check failed: {error}"),
                duration_ms,
            },
        }
    }
}

fn summarise(
    devices: &[GpuDevice],
    files: &DriverFiles,
    nvml: &LibraryStatus,
    check: &GpuCheck,
) -> String {
    let outcome = if check.passed {
        "GPU check passed"
    } else {
        "GPU check FAILED"
    };
    match (devices.len(), files.gpu_device_nodes.len()) {
        (0, 0) => NO_GPU.to_owned(),
        (0, nodes) => format!(
            "{nodes} NVIDIA device node(s) present but NVML lists no GPU ({}); {outcome}",
            nvml.error.as_deref().unwrap_or("NVML reports 0 devices")
        ),
        (count, _) => {
            let names: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
            format!(
                "{count} NVIDIA GPU(s) visible: {}; {outcome}",
                names.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A probe that looks only at an empty directory: this machine, or any without GPUs.
    fn probe_without_gpu(root: &std::path::Path) -> AcceleratorProbe {
        AcceleratorProbe {
            dev_dir: root.join("dev"),
            proc_driver_dir: root.join("proc/driver/nvidia"),
            nvml_libraries: vec![root.join("libnvidia-ml.so.1")],
            cuda_libraries: vec![root.join("libcuda.so.1")],
        }
    }

    #[test]
    fn without_a_gpu_the_report_says_so_plainly() {
        let root = tempfile::tempdir().unwrap();
        let report = probe_without_gpu(root.path()).run();
        assert!(!report.gpu_visible);
        assert_eq!(report.summary, "no NVIDIA GPU visible");
        assert!(report.devices.is_empty());
        assert!(!report.nvml.loaded);
        assert!(
            report
                .nvml
                .error
                .as_deref()
                .unwrap()
                .contains("libnvidia-ml.so.1"),
            "{:?}",
            report.nvml
        );
        assert!(!report.gpu_check.ran);
        assert!(report.gpu_check.detail.starts_with("no NVIDIA GPU visible"));
    }

    #[test]
    fn a_device_node_without_nvml_still_triggers_the_gpu_check_and_reports_its_failure() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("dev")).unwrap();
        std::fs::write(root.path().join("dev/nvidia0"), "").unwrap();
        let report = probe_without_gpu(root.path()).run();
        assert!(report.gpu_visible);
        assert!(report.gpu_check.ran);
        assert!(!report.gpu_check.passed);
        assert!(report.gpu_check.detail.contains("CUDA driver not loaded"));
        assert!(
            report
                .summary
                .starts_with("1 NVIDIA device node(s) present but NVML lists no GPU"),
            "{}",
            report.summary
        );
        assert!(report.summary.ends_with("GPU check FAILED"));
    }

    #[test]
    fn the_system_probe_looks_in_the_container_locations() {
        let probe = AcceleratorProbe::system();
        assert_eq!(probe.dev_dir, PathBuf::from("/dev"));
        assert_eq!(probe.nvml_libraries[0], PathBuf::from("libnvidia-ml.so.1"));
        assert_eq!(probe.cuda_libraries[0], PathBuf::from("libcuda.so.1"));
    }
}
