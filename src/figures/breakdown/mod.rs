//! Figure 9: where the article's literal formula breaks ([`data`]), drawn by [`draw`].

pub mod data;
pub mod draw;

use std::any::Any;
use std::path::Path;

pub use data::*;
use draw::BreakdownFigure;

use crate::figures::error::Result;
use crate::figures::kit::{Family, Job, KappaRange, Options, data_job, figure_job, scenario};

/// The family of the standard set: the article's pair and a pair disjoint in x.
///
/// # Errors
/// Only on internal inconsistencies (the inputs are fixed and valid).
pub(crate) fn standard() -> Result<Box<dyn Family>> {
    let map = breakdown_map(
        scenario::STANDARD_SIDE,
        &KappaRange::new(1e-2, 1e4, 97)?,
        &KappaRange::new(1e-2, 1e4, 97)?,
        &[
            ("overlapping (the article's pair)", (0.1, 0.1)),
            ("disjoint in x (gap 0.3 s)", (1.3, 0.1)),
        ],
    )?;
    Ok(Box::new(map))
}

impl Family for BreakdownMap {
    fn jobs<'a>(&'a self, dir: &'a Path, opts: Options) -> Vec<Job<'a>> {
        vec![
            figure_job(
                dir,
                "fig9_article_breakdown",
                BreakdownFigure { map: self },
                opts,
            ),
            data_job(dir.join("fig9_article_breakdown.csv"), move |p| {
                csv::breakdown(p, self)
            }),
        ]
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
