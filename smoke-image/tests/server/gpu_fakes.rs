//! The GPU path, exercised against test doubles of NVML and the CUDA driver
//! (`tests/fakes/*.c`, compiled here with the system C compiler), since CI machines
//! have no GPU. The doubles follow the signatures of NVIDIA's public headers, so these
//! tests check our FFI declarations, call order, error handling and clean-up.

use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::process::Command;

use smoke_image::accel::AcceleratorProbe;
use smoke_image::accel::cuda::{self, CudaError};
use smoke_image::accel::dylib::LoadError;
use smoke_image::accel::nvml::{self, NvmlError};
use smoke_image::config::Config;
use smoke_image::routes;
use smoke_image::state::AppState;

use crate::support::get;

const FAKES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fakes");

/// Compiles `tests/fakes/{source}` into `dir/{output}` with the given `-D` defines.
fn build_fake(dir: &Path, source: &str, output: &str, defines: &[&str]) -> PathBuf {
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let library = dir.join(output);
    let status = Command::new(&compiler)
        .args(["-shared", "-fPIC", "-O1", "-Wall", "-o"])
        .arg(&library)
        .arg(Path::new(FAKES).join(source))
        .args(defines.iter().map(|define| format!("-D{define}")))
        .status()
        .unwrap_or_else(|e| {
            panic!("running {compiler} (needed to build the GPU test doubles): {e}")
        });
    assert!(status.success(), "{compiler} failed on {source}");
    library
}

/// A container as the NVIDIA runtime lays it out: two device nodes, the kernel
/// driver's version file, and the driver libraries (here, the doubles).
fn fake_gpu_probe(dir: &Path, cuda_defines: &[&str]) -> AcceleratorProbe {
    let dev = dir.join("dev");
    let proc_driver = dir.join("proc/driver/nvidia");
    std::fs::create_dir_all(&dev).unwrap();
    std::fs::create_dir_all(&proc_driver).unwrap();
    for node in ["nvidia0", "nvidia1", "nvidiactl"] {
        std::fs::write(dev.join(node), "").unwrap();
    }
    std::fs::write(
        proc_driver.join("version"),
        "NVRM version: fake 999.99.01\n",
    )
    .unwrap();
    AcceleratorProbe {
        dev_dir: dev,
        proc_driver_dir: proc_driver,
        nvml_libraries: vec![
            dir.join("not-here/libnvidia-ml.so.1"),
            build_fake(dir, "fake_nvml.c", "libnvidia-ml.so.1", &[]),
        ],
        cuda_libraries: vec![build_fake(dir, "fake_cuda.c", "libcuda.so.1", cuda_defines)],
    }
}

#[test]
fn nvml_inventory_lists_every_device_with_its_memory() {
    let dir = tempfile::tempdir().unwrap();
    let library = build_fake(dir.path(), "fake_nvml.c", "libnvidia-ml.so.1", &[]);
    let inventory = nvml::inventory(std::slice::from_ref(&library)).unwrap();
    assert_eq!(inventory.library, library.display().to_string());
    assert_eq!(inventory.driver_version.as_deref(), Some("999.99.01"));
    assert_eq!(inventory.devices.len(), 2);
    let first = &inventory.devices[0];
    assert_eq!(first.index, 0);
    assert_eq!(first.name, "Fake GPU 80GB");
    assert_eq!(
        first.uuid.as_deref(),
        Some("GPU-00000000-1111-2222-3333-444444444444")
    );
    assert_eq!(first.memory_total_bytes, Some(85_899_345_920));
    assert_eq!(first.memory_used_bytes, Some(1_048_576));
    assert_eq!(inventory.devices[1].name, "Fake GPU 24GB");
}

#[test]
fn nvml_failures_carry_nvidias_own_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let library = build_fake(
        dir.path(),
        "fake_nvml.c",
        "libnvidia-ml.so.1",
        &["FAKE_INIT_FAILS"],
    );
    let error = nvml::inventory(&[library]).unwrap_err();
    assert_eq!(
        error,
        NvmlError::Call {
            call: "nvmlInit_v2",
            code: 9,
            message: "Driver Not Loaded".into()
        }
    );
}

#[test]
fn the_cuda_check_round_trips_memory_and_releases_everything() {
    let dir = tempfile::tempdir().unwrap();
    let library = build_fake(dir.path(), "fake_cuda.c", "libcuda.so.1", &[]);
    // Holding our own handle keeps the double's state alive after the check unloads it.
    // SAFETY: the double has no initialisers; the hook has the declared signature.
    let handle = unsafe { libloading::Library::new(&library) }.unwrap();
    let leaks =
        unsafe { handle.get::<unsafe extern "C" fn() -> c_int>(c"fake_cuda_leaks") }.unwrap();

    let outcome = cuda::round_trip_check(&[library]).unwrap();
    assert_eq!(outcome.device_name, "Fake CUDA Device");
    assert_eq!(outcome.device_ordinal, 0);
    assert_eq!(outcome.driver_api_version, 12040);
    assert_eq!(outcome.bytes_verified, 2 * 1024 * 1024);
    // SAFETY: plain call into the double.
    assert_eq!(unsafe { leaks() }, 0, "buffers freed, context released");
}

#[test]
fn the_cuda_check_catches_corrupted_memory() {
    let dir = tempfile::tempdir().unwrap();
    let library = build_fake(
        dir.path(),
        "fake_cuda.c",
        "libcuda.so.1",
        &["FAKE_CORRUPT_COPY"],
    );
    let error = cuda::round_trip_check(&[library]).unwrap_err();
    let CudaError::Mismatch { stage, index, .. } = error else {
        panic!("expected a mismatch, got {error:?}");
    };
    assert_eq!(stage, "host -> GPU -> GPU -> host copy");
    assert_eq!(
        index,
        512 * 1024 / 4,
        "the corrupted word, half-way through 1 MiB"
    );
}

#[test]
fn a_library_that_is_not_the_cuda_driver_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let not_cuda = build_fake(dir.path(), "fake_nvml.c", "libcuda.so.1", &[]);
    let error = cuda::round_trip_check(&[not_cuda]).unwrap_err();
    let CudaError::Load(LoadError::MissingSymbol { symbol, .. }) = &error else {
        panic!("expected a missing symbol, got {error:?}");
    };
    assert_eq!(symbol, "cuInit");
}

#[tokio::test]
async fn with_a_gpu_visible_the_server_reports_it_and_checks_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(Config::default(), fake_gpu_probe(dir.path(), &[])).unwrap();
    let app = routes::router(state);

    let metadata = get(&app, "/v2").await.json();
    let accelerators = &metadata["accelerators"];
    assert_eq!(accelerators["gpu_visible"], true);
    assert_eq!(
        accelerators["summary"],
        "2 NVIDIA GPU(s) visible: Fake GPU 80GB, Fake GPU 24GB; GPU check passed"
    );
    assert_eq!(accelerators["driver_version"], "999.99.01");
    assert_eq!(accelerators["nvml"]["loaded"], true);
    assert_eq!(
        accelerators["driver_files"]["kernel_driver"],
        "NVRM version: fake 999.99.01"
    );
    assert_eq!(
        accelerators["driver_files"]["gpu_device_nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let smoke = get(&app, "/v2/smoke").await;
    assert_eq!(smoke.status, 200, "{}", smoke.text());
    let smoke = smoke.json();
    assert_eq!(smoke["passed"], true);
    assert_eq!(smoke["device"], "cuda:0 (Fake CUDA Device)");
    assert_eq!(smoke["accelerators"]["gpu_check"]["ran"], true);
}

#[tokio::test]
async fn a_visible_gpu_that_fails_its_check_fails_the_smoke_test() {
    let dir = tempfile::tempdir().unwrap();
    let probe = fake_gpu_probe(dir.path(), &["FAKE_CORRUPT_COPY"]);
    let state = AppState::new(Config::default(), probe).unwrap();
    let app = routes::router(state);

    let smoke = get(&app, "/v2/smoke").await;
    assert_eq!(smoke.status, 503);
    let smoke = smoke.json();
    assert_eq!(smoke["passed"], false);
    assert_eq!(smoke["device"], "cpu");
    let detail = smoke["accelerators"]["gpu_check"]["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("read back as"), "{detail}");
    assert!(
        smoke["summary"]
            .as_str()
            .unwrap()
            .ends_with("GPU check FAILED"),
        "{smoke}"
    );
}
