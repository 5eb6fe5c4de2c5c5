//! The plugin's memory as the kernel accounts it.

use super::error::BenchError;

/// Resident set sizes in KiB, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmHWM`: the most the process has ever had resident.
    pub peak_rss_kib: u64,
    /// `VmRSS`: what it has resident now.
    pub rss_kib: u64,
}

pub fn read_memory(pid: u32) -> Result<Memory, BenchError> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|source| BenchError::ProcStatus {
        path: path.clone(),
        source,
    })?;
    let field = |name: &'static str| {
        kib_field(&status, name).ok_or_else(|| BenchError::ProcField {
            path: path.clone(),
            field: name,
        })
    };
    Ok(Memory {
        peak_rss_kib: field("VmHWM")?,
        rss_kib: field("VmRSS")?,
    })
}

/// The number in a line such as `VmHWM:   12345 kB` (the gap is a tab and spaces).
fn kib_field(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}
