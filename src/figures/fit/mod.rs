//! The fitting figures (`fit/` of the standard set, and `softiou fit --out`): the runs
//! come from [`crate::fit`] ([`crate::fit::FitSet`]); [`data`] writes their CSV tables and
//! [`draw`] draws them.

pub mod data;
pub mod draw;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::path::{Path, PathBuf};

use draw::{BiasFigure, IouStepFigure, TrajectoryFigure, write_fit_gif};

use crate::bbox::BBox;
use crate::figures::error::Result;
use crate::figures::kit::{Family, Job, Options, data_job, ensure_dir, figure_job, run_jobs};
use crate::fit::{FitSet, Optimizer};

/// Title of the animation of the annealed run.
const ANNEAL_TITLE: &str = "logsumexp, κ·s 1 → 500 (κ 0.1 → 50), Adam";

/// The family of the standard set (written into `fit/`).
///
/// # Errors
/// Only on internal inconsistencies (the inputs are fixed and valid).
pub(crate) fn standard() -> Result<Box<dyn Family>> {
    Ok(Box::new(FitSet::compute()?))
}

impl Family for FitSet {
    fn jobs<'a>(&'a self, dir: &'a Path, opts: Options) -> Vec<Job<'a>> {
        let set = self;
        vec![
            figure_job(dir, "fit_iou_vs_step", IouStepFigure { set }, opts),
            data_job(dir.join("fit_iou_vs_step.csv"), move |p| {
                data::iou_vs_step_csv(p, set)
            }),
            figure_job(dir, "fit_bias", BiasFigure { points: &set.bias }, opts),
            data_job(dir.join("fit_bias.csv"), move |p| {
                data::bias_csv(p, &set.bias)
            }),
            figure_job(
                dir,
                "fit_trajectories",
                TrajectoryFigure {
                    set,
                    optimizer: Optimizer::Adam,
                },
                opts,
            ),
            data_job(dir.join("fit_trajectories.csv"), move |p| {
                data::trajectories_csv(p, set, Optimizer::Adam)
            }),
            data_job(dir.join("fit_anneal.gif"), move |p| {
                let t = BBox::from_xyxy(FitSet::TARGET)?;
                write_fit_gif(p, &set.anneal, &t, ANNEAL_TITLE)
            }),
        ]
    }

    fn subdir(&self) -> Option<&'static str> {
        Some("fit")
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Number of files-producing jobs of [`write_fit`].
///
/// (`write_fit` calls its progress callback this many times; its example checks it.)
pub(crate) const FIT_JOBS: usize = 7;

/// Writes the fitting figures into `dir` (created if missing): hard IoU against step for
/// every method and start, the bias of the converged box against κ·s, the box
/// trajectories, each with its CSV, and `fit_anneal.gif`. Returns the paths written.
///
/// ```
/// use softiou::figures::{Options, write_fit};
/// let dir = tempfile::tempdir().unwrap();
/// let set = softiou::fit::FitSet::compute()?;
/// let jobs = std::sync::atomic::AtomicUsize::new(0);
/// let written = write_fit(&set, dir.path(), Options::default(), &|| {
///     jobs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
/// })?;
/// assert!(written.contains(&dir.path().join("fit_bias.csv")));
/// assert_eq!(jobs.into_inner(), 7); // one call per file-producing job
/// # Ok::<(), softiou::figures::Error>(())
/// ```
///
/// # Errors
/// As [`crate::figures::write_standard`].
pub fn write_fit(
    set: &FitSet,
    dir: &Path,
    opts: Options,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<PathBuf>> {
    ensure_dir(dir)?;
    run_jobs(set.jobs(dir, opts), progress)
}
