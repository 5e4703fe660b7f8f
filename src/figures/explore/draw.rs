//! The explorer page: one self-contained HTML file (inline CSS and JavaScript, the
//! numbers of [`super::data::compute`] embedded as JSON; no network access).

use std::path::{Path, PathBuf};

use crate::figures::error::{Error, Result};
use crate::figures::kit::write::write_atomic;

use super::data::ExplorerData;

/// The page's template; `/*SOFTIOU_DATA*/` is replaced by the JSON.
const TEMPLATE: &str = include_str!("page.html");

/// The placeholder in [`TEMPLATE`].
const PLACEHOLDER: &str = "/*SOFTIOU_DATA*/";

/// The file name [`write_page`] writes.
pub const FILE_NAME: &str = "explorer.html";

/// The page as a string: the template with `data` as JSON inside a
/// `<script type="application/json" id="data">` element (`</` written as `<\/`, a
/// valid JSON escape, so the data cannot close the element).
///
/// # Errors
/// [`Error::Output`] if the data cannot be serialised (never for finite grids).
pub fn render(data: &ExplorerData) -> Result<String> {
    let json = serde_json::to_string(data).map_err(|e| Error::Output {
        path: FILE_NAME.to_owned(),
        reason: format!("cannot serialise the explorer's data: {e}"),
    })?;
    let json = json.replace("</", "<\\/");
    Ok(TEMPLATE.replacen(PLACEHOLDER, &json, 1))
}

/// Writes [`render`]`(data)` to `dir/explorer.html` through a temporary file renamed
/// into place, so that no partial file is ever left; returns the path.
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
pub fn write_page(data: &ExplorerData, dir: &Path) -> Result<PathBuf> {
    let page = render(data)?;
    let path = dir.join(FILE_NAME);
    write_atomic(&path, page.as_bytes())?;
    Ok(path)
}
