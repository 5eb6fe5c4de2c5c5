//! GPU inventory through NVML (`libnvidia-ml.so.1`), the library `nvidia-smi` uses.
//!
//! Only the calls needed to list devices: init, driver version, device count, and per
//! device its name, UUID and memory. Signatures follow NVML's public `nvml.h`.

use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void};
use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

use super::dylib::{self, LoadError, Opened};

type NvmlReturn = c_int;
type NvmlDevice = *mut c_void;

const NVML_SUCCESS: NvmlReturn = 0;
/// Large enough for every string NVML returns (its own limit for names is 96 bytes).
const STRING_BUFFER: usize = 96;

/// `nvmlMemory_t`.
#[repr(C)]
#[derive(Default)]
struct NvmlMemory {
    total: c_ulonglong,
    free: c_ulonglong,
    used: c_ulonglong,
}

/// One GPU as NVML describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GpuDevice {
    pub index: u32,
    pub name: String,
    pub uuid: Option<String>,
    /// `None` where NVML does not report memory (e.g. some MIG configurations).
    pub memory_total_bytes: Option<u64>,
    pub memory_used_bytes: Option<u64>,
}

/// What NVML reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvmlInventory {
    pub library: String,
    pub driver_version: Option<String>,
    pub devices: Vec<GpuDevice>,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NvmlError {
    #[error("NVML not loaded: {0}")]
    Load(#[from] LoadError),
    #[error("{call} failed with NVML error {code}: {message}")]
    Call {
        call: &'static str,
        code: i32,
        message: String,
    },
}

/// The NVML entry points, next to the library that owns them.
struct Nvml {
    opened: Opened,
    init: unsafe extern "C" fn() -> NvmlReturn,
    shutdown: unsafe extern "C" fn() -> NvmlReturn,
    error_string: unsafe extern "C" fn(NvmlReturn) -> *const c_char,
    driver_version: unsafe extern "C" fn(*mut c_char, c_uint) -> NvmlReturn,
    device_count: unsafe extern "C" fn(*mut c_uint) -> NvmlReturn,
    device_by_index: unsafe extern "C" fn(c_uint, *mut NvmlDevice) -> NvmlReturn,
    device_name: unsafe extern "C" fn(NvmlDevice, *mut c_char, c_uint) -> NvmlReturn,
    device_uuid: unsafe extern "C" fn(NvmlDevice, *mut c_char, c_uint) -> NvmlReturn,
    device_memory: unsafe extern "C" fn(NvmlDevice, *mut NvmlMemory) -> NvmlReturn,
}

impl Nvml {
    fn load(candidates: &[PathBuf]) -> Result<Self, LoadError> {
        let opened = dylib::open_first(candidates)?;
        // SAFETY: each type below is the signature nvml.h declares for that symbol, and
        // the pointers are stored next to `opened`, which keeps the library mapped.
        unsafe {
            Ok(Self {
                init: dylib::function(&opened, c"nvmlInit_v2")?,
                shutdown: dylib::function(&opened, c"nvmlShutdown")?,
                error_string: dylib::function(&opened, c"nvmlErrorString")?,
                driver_version: dylib::function(&opened, c"nvmlSystemGetDriverVersion")?,
                device_count: dylib::function(&opened, c"nvmlDeviceGetCount_v2")?,
                device_by_index: dylib::function(&opened, c"nvmlDeviceGetHandleByIndex_v2")?,
                device_name: dylib::function(&opened, c"nvmlDeviceGetName")?,
                device_uuid: dylib::function(&opened, c"nvmlDeviceGetUUID")?,
                device_memory: dylib::function(&opened, c"nvmlDeviceGetMemoryInfo")?,
                opened,
            })
        }
    }

    fn check(&self, call: &'static str, code: NvmlReturn) -> Result<(), NvmlError> {
        if code == NVML_SUCCESS {
            return Ok(());
        }
        // SAFETY: nvmlErrorString accepts any code and returns a static C string.
        let message = unsafe { (self.error_string)(code) };
        let message = if message.is_null() {
            "unknown error".to_owned()
        } else {
            // SAFETY: non-null, NUL-terminated, static per nvml.h.
            unsafe { std::ffi::CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned()
        };
        Err(NvmlError::Call {
            call,
            code,
            message,
        })
    }

    /// Runs `fill` on a zeroed buffer and returns the C string it wrote.
    fn read_string(
        &self,
        call: &'static str,
        fill: impl FnOnce(*mut c_char, c_uint) -> NvmlReturn,
    ) -> Result<String, NvmlError> {
        let mut buffer = [0u8; STRING_BUFFER];
        self.check(
            call,
            fill(buffer.as_mut_ptr().cast(), STRING_BUFFER as c_uint),
        )?;
        Ok(dylib::string_from_buffer(&buffer))
    }

    fn device(&self, index: u32) -> Result<GpuDevice, NvmlError> {
        let mut handle: NvmlDevice = std::ptr::null_mut();
        // SAFETY: `handle` is a valid out-pointer; NVML is initialised by the caller.
        let code = unsafe { (self.device_by_index)(index, &mut handle) };
        self.check("nvmlDeviceGetHandleByIndex_v2", code)?;
        // SAFETY (three calls below): `handle` came from NVML, buffers are the length passed.
        let name = self.read_string("nvmlDeviceGetName", |buf, len| unsafe {
            (self.device_name)(handle, buf, len)
        })?;
        let uuid = self
            .read_string("nvmlDeviceGetUUID", |buf, len| unsafe {
                (self.device_uuid)(handle, buf, len)
            })
            .ok();
        let mut memory = NvmlMemory::default();
        let memory_known = self
            .check("nvmlDeviceGetMemoryInfo", unsafe {
                (self.device_memory)(handle, &mut memory)
            })
            .is_ok();
        Ok(GpuDevice {
            index,
            name,
            uuid,
            memory_total_bytes: memory_known.then_some(memory.total),
            memory_used_bytes: memory_known.then_some(memory.used),
        })
    }
}

/// Lists the GPUs NVML can see, loading NVML from the first of `candidates` that opens.
pub fn inventory(candidates: &[PathBuf]) -> Result<NvmlInventory, NvmlError> {
    let nvml = Nvml::load(candidates)?;
    // SAFETY: no preconditions; paired with nvmlShutdown below.
    nvml.check("nvmlInit_v2", unsafe { (nvml.init)() })?;
    let listed = list_devices(&nvml);
    // SAFETY: init succeeded above. A failed shutdown changes nothing for us.
    let _ = unsafe { (nvml.shutdown)() };
    listed
}

fn list_devices(nvml: &Nvml) -> Result<NvmlInventory, NvmlError> {
    // SAFETY: buffer and length match.
    let driver_version = nvml
        .read_string("nvmlSystemGetDriverVersion", |buf, len| unsafe {
            (nvml.driver_version)(buf, len)
        })
        .ok();
    let mut count: c_uint = 0;
    // SAFETY: valid out-pointer.
    nvml.check("nvmlDeviceGetCount_v2", unsafe {
        (nvml.device_count)(&mut count)
    })?;
    let devices = (0..count)
        .map(|index| nvml.device(index))
        .collect::<Result<_, _>>()?;
    Ok(NvmlInventory {
        library: nvml.opened.path.clone(),
        driver_version,
        devices,
    })
}
