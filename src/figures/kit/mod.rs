//! Drawing of [`crate::figures::kit`] results with plotters, and CSV files of exactly the data
//! drawn. Nothing here computes a number about a loss: every figure is a pure function
//! of sweep data.
//!
//! Every figure implements [`Figure`], whose `draw` is generic over plotters'
//! `DrawingBackend`, so one chart renders to PNG ([`save_png`]) and SVG ([`save_svg`]).
//! Text uses DejaVu Sans, compiled in from the `dejavu` crate and registered by
//! [`register_fonts`]: no system fonts are needed. Raster output (every PNG, the GIF)
//! draws its text through [`text::GlyphText`], which places glyphs exactly where
//! plotters' own raster text path misplaces them ([`png_backend`], [`gif_backend`]).

pub mod grid;
pub mod panel;
pub mod scenario;
pub mod style;
pub mod table;
pub mod text;
pub mod write;

pub(crate) use grid::symmetric_grid;
pub use grid::{KappaRange, SMOOTH_OPS, default_range};
pub use scenario::Scenario;
pub use text::{gif_backend, png_backend};

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use rayon::prelude::*;

use crate::figures::error::{Error, Result};

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
    let tmp = write::temp_beside(path, ".png")?;
    {
        let root = png_backend(tmp.path(), fig.size())?.into_drawing_area();
        root.fill(&WHITE).map_err(|e| output_error(path, e))?;
        fig.draw(&root).map_err(|e| output_error(path, e))?;
        root.present().map_err(|e| output_error(path, e))?;
    }
    write::persist(tmp, path).map_err(|e| output_error(path, e))?;
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
    write::write_atomic(path, svg.as_bytes())
}

/// Output options.
///
/// ```
/// assert!(!softiou::figures::Options::default().svg); // PNG only unless asked
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Also write an SVG beside every PNG.
    pub svg: bool,
}

/// One unit of writing: renders or writes one file (a figure with its SVG counts as one)
/// and returns the paths written.
pub(crate) type Job<'a> = Box<dyn Fn() -> Result<Vec<PathBuf>> + Send + Sync + 'a>;

/// A figure family's data, computed once: it knows which files it writes.
///
/// A family implements this in its `mod.rs`; the standard set (`super::set`) lists the
/// function that computes each family, and knows nothing else about it.
pub(crate) trait Family: Send + Sync + std::fmt::Debug + Any {
    /// The jobs that write the family's figures and CSV tables into `dir`.
    fn jobs<'a>(&'a self, dir: &'a Path, opts: Options) -> Vec<Job<'a>>;

    /// The subdirectory of the set's directory the family writes into (`None`: the
    /// directory itself).
    fn subdir(&self) -> Option<&'static str> {
        None
    }

    /// The data itself, for the summary of the set (by downcasting).
    fn as_any(&self) -> &dyn Any;
}

/// The first family of type `T` among `families`.
pub(crate) fn find<T: 'static>(families: &[Box<dyn Family>]) -> Option<&T> {
    families.iter().find_map(|f| f.as_any().downcast_ref::<T>())
}

/// The job that renders `fig` as `dir/stem.png` (and `.svg` if asked).
pub(crate) fn figure_job<'a, F: Figure + Send + Sync + 'a>(
    dir: &'a Path,
    stem: &'a str,
    fig: F,
    opts: Options,
) -> Job<'a> {
    Box::new(move || {
        let png = dir.join(format!("{stem}.png"));
        save_png(&fig, &png)?;
        let mut out = vec![png];
        if opts.svg {
            let svg = dir.join(format!("{stem}.svg"));
            save_svg(&fig, &svg)?;
            out.push(svg);
        }
        Ok(out)
    })
}

/// The job that writes one data file at `path` with `write`.
pub(crate) fn data_job<'a>(
    path: PathBuf,
    write: impl Fn(&Path) -> Result<()> + Send + Sync + 'a,
) -> Job<'a> {
    Box::new(move || write(&path).map(|()| vec![path.clone()]))
}

/// Runs the jobs in parallel, calling `progress` after each; returns the files written.
///
/// # Errors
/// The first error of any job (the files of the others are complete or absent).
pub(crate) fn run_jobs(jobs: Vec<Job<'_>>, progress: &(dyn Fn() + Sync)) -> Result<Vec<PathBuf>> {
    let done: Vec<Result<Vec<PathBuf>>> = jobs
        .par_iter()
        .map(|j| {
            let r = j();
            progress();
            r
        })
        .collect();
    let mut files = Vec::new();
    for d in done {
        files.extend(d?);
    }
    Ok(files)
}

/// Creates `dir` and its parents.
///
/// # Errors
/// [`Error::Output`] naming the directory.
pub(crate) fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| output_error(dir, e))
}
