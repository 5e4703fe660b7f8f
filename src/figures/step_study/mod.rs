//! Figure 8: the finite-difference step study against the dual-number derivative
//! ([`data`]), drawn by [`draw`].

pub mod data;
pub mod draw;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::path::Path;

pub use data::*;
use draw::StepFigure;

use crate::figures::error::Result;
use crate::figures::kit::{Family, Job, Options, data_job, figure_job};

/// The step-study panels of the standard set.
#[derive(Debug, Clone, PartialEq)]
pub struct Steps(pub Vec<StepPanel>);

/// The family of the standard set.
///
/// # Errors
/// Only on internal inconsistencies (the inputs are fixed and valid).
pub(crate) fn standard() -> Result<Box<dyn Family>> {
    Ok(Box::new(Steps(step_panels()?)))
}

impl Family for Steps {
    fn jobs<'a>(&'a self, dir: &'a Path, opts: Options) -> Vec<Job<'a>> {
        let panels = &self.0;
        vec![
            figure_job(dir, "fig8_fd_step_study", StepFigure { panels }, opts),
            data_job(dir.join("fig8_fd_step_study.csv"), move |p| {
                csv::steps(p, panels)
            }),
        ]
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
