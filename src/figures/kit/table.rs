//! CSV tables: every family writes exactly the data its figure shows through
//! [`write_rows`], atomically, with numbers in the crate's one number format (`crate::number::num`).

use std::path::Path;

use super::write::write_atomic;
use crate::figures::error::{Error, Result};

/// An optional number in a CSV cell: empty when absent.
pub(crate) fn opt(v: Option<f64>) -> String {
    v.map(crate::number::num).unwrap_or_default()
}

/// Writes `header` and `rows` as CSV to `path` (temporary file, then rename).
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
pub fn write_rows(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let fail = |e: csv::Error| Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(r).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    write_atomic(path, &bytes)
}
