//! The GPU check: proves that this container can really use GPU 0 through the CUDA
//! driver API (`libcuda.so.1`), not merely see it.
//!
//! It initialises CUDA, takes the device's primary context, writes a 1 MiB pattern to
//! GPU memory, copies it device-to-device, reads the copy back and compares; then has the
//! GPU fill the buffer itself (`cuMemsetD32`) and checks that too. Any fault in the
//! driver, the device nodes, the container's cgroup device rules or the memory shows up
//! as a failed call or a mismatch. No kernel is compiled or launched, so nothing
//! depends on the GPU's architecture. Signatures follow the public `cuda.h`.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

use super::dylib::{self, LoadError, Opened};

type CuResult = c_int;
type CuDevice = c_int;
type CuContext = *mut c_void;
type CuDevicePtr = u64;

const CUDA_SUCCESS: CuResult = 0;
/// 256 Ki four-byte words: big enough to span many pages, small enough to be instant.
const WORDS: usize = 256 * 1024;
const BYTES: usize = WORDS * 4;
/// What the GPU is asked to fill the buffer with in the second half of the check.
const FILL_WORD: u32 = 0xA5C3_5A3C;

/// A passed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CudaCheckOutcome {
    pub library: String,
    /// `cuDriverGetVersion`, e.g. 12040 for CUDA 12.4.
    pub driver_api_version: i32,
    pub device_ordinal: i32,
    pub device_name: String,
    pub bytes_verified: usize,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CudaError {
    #[error("CUDA driver not loaded: {0}")]
    Load(#[from] LoadError),
    #[error("{call} failed with {name} ({code})")]
    Call {
        call: &'static str,
        code: i32,
        name: String,
    },
    #[error("CUDA reports no devices")]
    NoDevice,
    #[error("{stage}: word {index} read back as {found:#010x}, expected {expected:#010x}")]
    Mismatch {
        stage: &'static str,
        index: usize,
        expected: u32,
        found: u32,
    },
}

/// The CUDA driver entry points, next to the library that owns them.
struct Cuda {
    opened: Opened,
    init: unsafe extern "C" fn(c_uint) -> CuResult,
    error_name: unsafe extern "C" fn(CuResult, *mut *const c_char) -> CuResult,
    driver_version: unsafe extern "C" fn(*mut c_int) -> CuResult,
    device_count: unsafe extern "C" fn(*mut c_int) -> CuResult,
    device_get: unsafe extern "C" fn(*mut CuDevice, c_int) -> CuResult,
    device_name: unsafe extern "C" fn(*mut c_char, c_int, CuDevice) -> CuResult,
    primary_ctx_retain: unsafe extern "C" fn(*mut CuContext, CuDevice) -> CuResult,
    primary_ctx_release: unsafe extern "C" fn(CuDevice) -> CuResult,
    ctx_set_current: unsafe extern "C" fn(CuContext) -> CuResult,
    ctx_synchronize: unsafe extern "C" fn() -> CuResult,
    mem_alloc: unsafe extern "C" fn(*mut CuDevicePtr, usize) -> CuResult,
    mem_free: unsafe extern "C" fn(CuDevicePtr) -> CuResult,
    memcpy_htod: unsafe extern "C" fn(CuDevicePtr, *const c_void, usize) -> CuResult,
    memcpy_dtoh: unsafe extern "C" fn(*mut c_void, CuDevicePtr, usize) -> CuResult,
    memcpy_dtod: unsafe extern "C" fn(CuDevicePtr, CuDevicePtr, usize) -> CuResult,
    memset_d32: unsafe extern "C" fn(CuDevicePtr, c_uint, usize) -> CuResult,
}

impl Cuda {
    fn load(candidates: &[PathBuf]) -> Result<Self, LoadError> {
        let opened = dylib::open_first(candidates)?;
        // SAFETY: each type below is the signature cuda.h declares for that symbol (the
        // `_v2` names are what cuda.h's macros resolve the plain names to), and the
        // pointers are stored next to `opened`, which keeps the library mapped.
        unsafe {
            Ok(Self {
                init: dylib::function(&opened, c"cuInit")?,
                error_name: dylib::function(&opened, c"cuGetErrorName")?,
                driver_version: dylib::function(&opened, c"cuDriverGetVersion")?,
                device_count: dylib::function(&opened, c"cuDeviceGetCount")?,
                device_get: dylib::function(&opened, c"cuDeviceGet")?,
                device_name: dylib::function(&opened, c"cuDeviceGetName")?,
                primary_ctx_retain: dylib::function(&opened, c"cuDevicePrimaryCtxRetain")?,
                primary_ctx_release: dylib::function(&opened, c"cuDevicePrimaryCtxRelease_v2")?,
                ctx_set_current: dylib::function(&opened, c"cuCtxSetCurrent")?,
                ctx_synchronize: dylib::function(&opened, c"cuCtxSynchronize")?,
                mem_alloc: dylib::function(&opened, c"cuMemAlloc_v2")?,
                mem_free: dylib::function(&opened, c"cuMemFree_v2")?,
                memcpy_htod: dylib::function(&opened, c"cuMemcpyHtoD_v2")?,
                memcpy_dtoh: dylib::function(&opened, c"cuMemcpyDtoH_v2")?,
                memcpy_dtod: dylib::function(&opened, c"cuMemcpyDtoD_v2")?,
                memset_d32: dylib::function(&opened, c"cuMemsetD32_v2")?,
                opened,
            })
        }
    }

    fn check(&self, call: &'static str, code: CuResult) -> Result<(), CudaError> {
        if code == CUDA_SUCCESS {
            return Ok(());
        }
        let mut name: *const c_char = std::ptr::null();
        // SAFETY: valid out-pointer; on success it points to a static C string.
        let found = unsafe { (self.error_name)(code, &mut name) } == CUDA_SUCCESS;
        let name = if found && !name.is_null() {
            // SAFETY: non-null, NUL-terminated, static per cuda.h.
            unsafe { std::ffi::CStr::from_ptr(name) }
                .to_string_lossy()
                .into_owned()
        } else {
            "CUDA_ERROR_UNKNOWN".to_owned()
        };
        Err(CudaError::Call { call, code, name })
    }
}

/// Keeps device 0's primary context current until dropped.
struct PrimaryContext<'a> {
    cuda: &'a Cuda,
    device: CuDevice,
}

impl Drop for PrimaryContext<'_> {
    fn drop(&mut self) {
        // SAFETY: the context was retained by `PrimaryContext::enter`. Failures while
        // tearing down cannot be acted on.
        unsafe {
            let _ = (self.cuda.ctx_set_current)(std::ptr::null_mut());
            let _ = (self.cuda.primary_ctx_release)(self.device);
        }
    }
}

impl<'a> PrimaryContext<'a> {
    fn enter(cuda: &'a Cuda, device: CuDevice) -> Result<Self, CudaError> {
        let mut context: CuContext = std::ptr::null_mut();
        // SAFETY: valid out-pointer and a device handle from cuDeviceGet.
        cuda.check("cuDevicePrimaryCtxRetain", unsafe {
            (cuda.primary_ctx_retain)(&mut context, device)
        })?;
        let guard = Self { cuda, device };
        // SAFETY: `context` was just retained.
        cuda.check("cuCtxSetCurrent", unsafe {
            (cuda.ctx_set_current)(context)
        })?;
        Ok(guard)
    }
}

/// GPU memory, freed when dropped; must be dropped before its context.
struct DeviceBuffer<'a> {
    cuda: &'a Cuda,
    pointer: CuDevicePtr,
}

impl<'a> DeviceBuffer<'a> {
    fn allocate(context: &PrimaryContext<'a>, bytes: usize) -> Result<Self, CudaError> {
        let cuda = context.cuda;
        let mut pointer: CuDevicePtr = 0;
        // SAFETY: valid out-pointer; a context is current.
        cuda.check("cuMemAlloc_v2", unsafe {
            (cuda.mem_alloc)(&mut pointer, bytes)
        })?;
        Ok(Self { cuda, pointer })
    }
}

impl Drop for DeviceBuffer<'_> {
    fn drop(&mut self) {
        // SAFETY: `pointer` came from cuMemAlloc_v2 and is freed once.
        let _ = unsafe { (self.cuda.mem_free)(self.pointer) };
    }
}

/// Runs the check on device 0, loading the driver from the first of `candidates`.
pub fn round_trip_check(candidates: &[PathBuf]) -> Result<CudaCheckOutcome, CudaError> {
    let cuda = Cuda::load(candidates)?;
    // SAFETY (all calls below): out-pointers are valid locals, host buffers are at least
    // the byte counts passed, device pointers come from cuMemAlloc_v2 of BYTES bytes,
    // and a context is current from `PrimaryContext::enter` until `_context` drops.
    cuda.check("cuInit", unsafe { (cuda.init)(0) })?;
    let mut driver_api_version = 0;
    cuda.check("cuDriverGetVersion", unsafe {
        (cuda.driver_version)(&mut driver_api_version)
    })?;
    let mut count = 0;
    cuda.check("cuDeviceGetCount", unsafe {
        (cuda.device_count)(&mut count)
    })?;
    if count < 1 {
        return Err(CudaError::NoDevice);
    }
    let mut device: CuDevice = 0;
    cuda.check("cuDeviceGet", unsafe { (cuda.device_get)(&mut device, 0) })?;
    let mut name = [0u8; 256];
    cuda.check("cuDeviceGetName", unsafe {
        (cuda.device_name)(name.as_mut_ptr().cast(), name.len() as c_int, device)
    })?;

    let context = PrimaryContext::enter(&cuda, device)?;
    let source = DeviceBuffer::allocate(&context, BYTES)?;
    let copy = DeviceBuffer::allocate(&context, BYTES)?;

    let pattern = test_pattern();
    let mut read_back = vec![0u32; WORDS];
    cuda.check("cuMemcpyHtoD_v2", unsafe {
        (cuda.memcpy_htod)(source.pointer, pattern.as_ptr().cast(), BYTES)
    })?;
    cuda.check("cuMemcpyDtoD_v2", unsafe {
        (cuda.memcpy_dtod)(copy.pointer, source.pointer, BYTES)
    })?;
    cuda.check("cuMemcpyDtoH_v2", unsafe {
        (cuda.memcpy_dtoh)(read_back.as_mut_ptr().cast(), copy.pointer, BYTES)
    })?;
    compare("host -> GPU -> GPU -> host copy", &pattern, &read_back)?;

    cuda.check("cuMemsetD32_v2", unsafe {
        (cuda.memset_d32)(source.pointer, FILL_WORD, WORDS)
    })?;
    cuda.check("cuCtxSynchronize", unsafe { (cuda.ctx_synchronize)() })?;
    cuda.check("cuMemcpyDtoH_v2", unsafe {
        (cuda.memcpy_dtoh)(read_back.as_mut_ptr().cast(), source.pointer, BYTES)
    })?;
    compare("GPU fill", &vec![FILL_WORD; WORDS], &read_back)?;

    drop((copy, source, context));
    Ok(CudaCheckOutcome {
        library: cuda.opened.path.clone(),
        driver_api_version,
        device_ordinal: 0,
        device_name: dylib::string_from_buffer(&name),
        bytes_verified: 2 * BYTES,
    })
}

/// Distinct, non-repeating words (multiplicative hashing of the index), so a copy that
/// is shifted, truncated, zeroed or stale cannot match by accident.
fn test_pattern() -> Vec<u32> {
    (0..WORDS as u32)
        .map(|i| i.wrapping_mul(0x9E37_79B9) ^ 0x5bd1_e995)
        .collect()
}

fn compare(stage: &'static str, expected: &[u32], found: &[u32]) -> Result<(), CudaError> {
    match expected.iter().zip(found).position(|(e, f)| e != f) {
        None => Ok(()),
        Some(index) => Err(CudaError::Mismatch {
            stage,
            index,
            expected: expected[index],
            found: found[index],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_has_no_repeats() {
        let mut pattern = test_pattern();
        pattern.sort_unstable();
        pattern.dedup();
        assert_eq!(pattern.len(), WORDS);
    }

    #[test]
    fn compare_names_the_first_bad_word() {
        assert_eq!(compare("x", &[1, 2, 3], &[1, 2, 3]), Ok(()));
        assert_eq!(
            compare("x", &[1, 2, 3], &[1, 9, 8]),
            Err(CudaError::Mismatch {
                stage: "x",
                index: 1,
                expected: 2,
                found: 9
            })
        );
    }
}
