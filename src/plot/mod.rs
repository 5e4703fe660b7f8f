//! Drawing of [`crate::sweep`] results with plotters, and CSV files of exactly the data
//! drawn. Nothing here computes a number about a loss: every figure is a pure function
//! of sweep data.
//!
//! Every figure implements [`Figure`], whose `draw` is generic over plotters'
//! `DrawingBackend`, so one chart renders to PNG ([`save_png`]) and SVG ([`save_svg`]).
//! Text uses DejaVu Sans, compiled in from the `dejavu` crate and registered by
//! [`register_fonts`]: no system fonts are needed.

pub mod article;
pub mod csv;
pub mod fit;
pub mod kappa;
pub mod output;
pub mod panel;
pub mod standard;
pub mod steps;
pub mod style;
pub mod surface;

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{Error, Result};

/// What a figure's `draw` returns: plotters' errors, boxed.
pub type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// A figure: a size and a drawing function generic over the backend.
pub trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);

    /// Draws the whole figure onto `root` (already sized, not yet filled).
    ///
    /// # Errors
    /// Whatever the backend reports.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Registers DejaVu Sans as plotters' `sans-serif` font (once per process).
///
/// # Errors
/// [`Error::Output`] if the embedded font cannot be parsed (it always can).
pub fn register_fonts() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Output {
            path: "(font)".into(),
            reason: "the embedded DejaVu Sans font could not be registered".into(),
        })
    }
}

fn output_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Renders `fig` as a PNG at `path`, through a temporary file beside it that is renamed
/// into place only when complete.
///
/// # Errors
/// [`Error::Output`] if drawing or writing fails; no file is left at `path` then.
pub fn save_png<F: Figure>(fig: &F, path: &Path) -> Result<()> {
    register_fonts()?;
    let tmp = output::temp_beside(path, ".png")?;
    {
        let root = BitMapBackend::new(tmp.path(), fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| output_error(path, e))?;
        fig.draw(&root).map_err(|e| output_error(path, e))?;
        root.present().map_err(|e| output_error(path, e))?;
    }
    tmp.persist(path).map_err(|e| output_error(path, e))?;
    Ok(())
}

/// Renders `fig` as SVG at `path` (written to a temporary file, then renamed).
///
/// # Errors
/// [`Error::Output`] if drawing or writing fails; no file is left at `path` then.
pub fn save_svg<F: Figure>(fig: &F, path: &Path) -> Result<()> {
    register_fonts()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| output_error(path, e))?;
        fig.draw(&root).map_err(|e| output_error(path, e))?;
        root.present().map_err(|e| output_error(path, e))?;
    }
    output::write_atomic(path, svg.as_bytes())
}
