//! The crate's one atomic file writer: files appear complete or not at all. Everything —
//! figures, CSV tables, the explorer page, the command line's `--output` — is written to a
//! temporary file in the destination's directory, flushed to disk (`fsync`) and renamed
//! into place. The rename replaces whatever is at the destination, a symbolic link
//! included: it never writes through a link into another file (a caller that wants to
//! write through a link, as `softiou batch --output` does, resolves it first and passes
//! the link's target).

use std::io::Write;
use std::path::Path;

use tempfile::NamedTempFile;

use crate::figures::error::{Error, Result};

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// A temporary file in `path`'s directory, named `.softiou-<random><suffix>` (plotters
/// picks the image format from the extension). It is deleted unless [`persist`]ed.
///
/// # Errors
/// [`Error::Output`] if the directory is not writable.
pub(crate) fn temp_beside(path: &Path, suffix: &str) -> Result<NamedTempFile> {
    temp_named(path, ".softiou-", suffix)
}

/// As [`temp_beside`], named `<prefix><random><suffix>`.
///
/// # Errors
/// [`Error::Output`] if the directory is not writable.
pub(crate) fn temp_named(path: &Path, prefix: &str, suffix: &str) -> Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(suffix);
    // tempfile creates 0600 files; a file renamed into place should get the permissions
    // of any new file the user writes (0666 minus the umask)
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir).map_err(|e| err(path, e))
}

/// Flushes `tmp` to disk and renames it onto `path`.
///
/// # Errors
/// The operating system's error if the flush or the rename fails (the temporary file is
/// removed then).
pub(crate) fn persist(mut tmp: NamedTempFile, path: &Path) -> std::io::Result<()> {
    tmp.flush()?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
///
/// # Errors
/// [`Error::Output`] if the file cannot be written; nothing is left at `path` then.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(path, ".tmp")?;
    tmp.write_all(bytes).map_err(|e| err(path, e))?;
    persist(tmp, path).map_err(|e| err(path, e))
}
