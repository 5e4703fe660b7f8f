//! "κ has units of 1/length" (figure 10): one box pair at three scales ([`data`]), drawn
//! by [`draw`].

pub mod data;
pub mod draw;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;

pub use data::*;
use draw::{STEM, UnitsFigure};

use crate::figures::error::Result;
#[cfg(test)]
use crate::figures::kit::run_jobs;
use crate::figures::kit::{Family, Job, Options, data_job, figure_job};

/// The family of the standard set.
///
/// # Errors
/// Only on internal inconsistencies (the inputs are fixed and valid).
pub(crate) fn standard() -> Result<Box<dyn Family>> {
    Ok(Box::new(UnitsData::compute()?))
}

impl Family for UnitsData {
    fn jobs<'a>(&'a self, dir: &'a Path, opts: Options) -> Vec<Job<'a>> {
        vec![
            figure_job(dir, STEM, UnitsFigure { data: self }, opts),
            data_job(dir.join(format!("{STEM}.csv")), move |p| csv::rows(p, self)),
        ]
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Writes `dir/fig10_units.png` (and `.svg` with `opts.svg`) and `dir/fig10_units.csv`
/// (columns `side, kappa, kappa_s, loss`); returns the paths.
///
/// # Errors
/// [`crate::figures::Error::Output`] if a file cannot be written.
#[cfg(test)]
pub fn write(data: &UnitsData, dir: &Path, opts: Options) -> Result<Vec<PathBuf>> {
    run_jobs(data.jobs(dir, opts), &|| {})
}
