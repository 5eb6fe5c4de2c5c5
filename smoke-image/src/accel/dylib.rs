//! Opening an NVIDIA user-space library at run time.
//!
//! The driver's libraries are not in the image: the NVIDIA container runtime (or the
//! GKE / AKS device plugin) mounts the host's copies when the container is given a GPU.
//! Where they land differs by platform, so each library is looked for by soname first
//! (honouring `LD_LIBRARY_PATH` and `/etc/ld.so.cache`) and then at the known mount
//! points.

use std::ffi::CStr;
use std::path::PathBuf;

use libloading::Library;
use thiserror::Error;

/// Directories where GPU platforms mount the driver's user-space libraries.
pub const DRIVER_LIBRARY_DIRS: [&str; 4] = [
    "/usr/lib/x86_64-linux-gnu", // nvidia-container-toolkit on Debian-style root filesystems
    "/usr/lib64",                // nvidia-container-toolkit on RPM-style root filesystems
    "/usr/local/nvidia/lib64",   // GKE and AKS driver installers
    "/usr/lib/wsl/lib",          // Docker Desktop / WSL2
];

/// The soname, then the soname in each of [`DRIVER_LIBRARY_DIRS`].
pub fn candidates(soname: &str) -> Vec<PathBuf> {
    std::iter::once(PathBuf::from(soname))
        .chain(
            DRIVER_LIBRARY_DIRS
                .iter()
                .map(|dir| PathBuf::from(dir).join(soname)),
        )
        .collect()
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    #[error("no library could be loaded (tried {}); last error: {last_error}", .tried.join(", "))]
    NotFound {
        tried: Vec<String>,
        last_error: String,
    },
    #[error("{library} lacks {symbol}: {reason}")]
    MissingSymbol {
        library: String,
        symbol: String,
        reason: String,
    },
}

/// An opened library and the candidate it was opened from.
#[derive(Debug)]
pub struct Opened {
    pub library: Library,
    pub path: String,
}

/// Opens the first candidate that loads.
pub fn open_first(candidates: &[PathBuf]) -> Result<Opened, LoadError> {
    let mut last_error = "no candidates".to_owned();
    for candidate in candidates {
        // SAFETY: loading runs the library's initialisers. The candidates are NVIDIA's
        // driver libraries (or test doubles), whose initialisers have no preconditions.
        match unsafe { Library::new(candidate) } {
            Ok(library) => {
                return Ok(Opened {
                    library,
                    path: candidate.display().to_string(),
                });
            }
            Err(error) => last_error = with_causes(&error),
        }
    }
    Err(LoadError::NotFound {
        tried: candidates.iter().map(|c| c.display().to_string()).collect(),
        last_error,
    })
}

/// Looks up `symbol` and copies out the function pointer.
///
/// # Safety
/// `T` must be the exact C signature of `symbol`, and the caller must keep `opened`
/// alive for as long as the returned pointer is used (both API structs in this module
/// own the library next to their pointers for that reason).
pub unsafe fn function<T: Copy>(opened: &Opened, symbol: &CStr) -> Result<T, LoadError> {
    // SAFETY: forwarded to the caller, see above.
    unsafe { opened.library.get::<T>(symbol) }
        .map(|found| *found)
        .map_err(|error| LoadError::MissingSymbol {
            library: opened.path.clone(),
            symbol: symbol.to_string_lossy().into_owned(),
            reason: with_causes(&error),
        })
}

/// libloading's own message is just "dlopen failed"; `dlerror()`'s explanation (which
/// file, which missing dependency) is in the error's source.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    message
}

/// Turns a NUL-terminated buffer filled in by C into a `String`.
pub fn string_from_buffer(buffer: &[u8]) -> String {
    let end = buffer.iter().position(|b| *b == 0).unwrap_or(buffer.len());
    String::from_utf8_lossy(&buffer[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soname_is_tried_before_the_mount_points() {
        let list = candidates("libnvidia-ml.so.1");
        assert_eq!(list[0], PathBuf::from("libnvidia-ml.so.1"));
        assert_eq!(
            list[3],
            PathBuf::from("/usr/local/nvidia/lib64/libnvidia-ml.so.1")
        );
        assert_eq!(list.len(), 1 + DRIVER_LIBRARY_DIRS.len());
    }

    #[test]
    fn a_missing_library_lists_every_place_tried() {
        let tried = [
            PathBuf::from("libsmoke-test-absent.so.1"),
            PathBuf::from("/nonexistent/libsmoke-test-absent.so.1"),
        ];
        let error = open_first(&tried).unwrap_err();
        let LoadError::NotFound { tried, last_error } = &error else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(tried.len(), 2);
        assert!(
            last_error.contains("libsmoke-test-absent.so.1"),
            "{last_error}"
        );
    }

    #[test]
    fn c_strings_stop_at_the_first_nul() {
        assert_eq!(string_from_buffer(b"NVIDIA L4\0garbage"), "NVIDIA L4");
        assert_eq!(string_from_buffer(b"no nul"), "no nul");
    }
}
