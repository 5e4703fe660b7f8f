//! Files appear complete or not at all: everything is written to a temporary file in the
//! target's directory and renamed into place.

use std::io::Write;
use std::path::Path;

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// A temporary file in `path`'s directory whose name ends in `suffix` (plotters picks the
/// image format from the extension). It is deleted unless persisted.
///
/// # Errors
/// [`Error::Output`] if the directory is not writable.
pub fn temp_beside(path: &Path, suffix: &str) -> Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".softiou-").suffix(suffix);
    // tempfile creates 0600 files; a figure renamed into place should be readable like
    // any other file the user writes
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir).map_err(|e| err(path, e))
}

/// Writes `bytes` to `path` atomically (temporary file, then rename).
///
/// # Errors
/// [`Error::Output`] if the file cannot be written; nothing is left at `path` then.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(path, ".tmp")?;
    tmp.write_all(bytes).map_err(|e| err(path, e))?;
    tmp.flush().map_err(|e| err(path, e))?;
    tmp.persist(path).map_err(|e| err(path, e))?;
    Ok(())
}
