//! Figures 1–4 and 7: loss, |soft − hard|, exact gradient, ∂loss/∂κ and curvature against
//! κ·s, one κ sweep per box pair ([`data`]), drawn by [`draw`].

pub mod curvature;
pub mod data;
pub mod draw;

use std::any::Any;
use std::path::Path;

pub use data::*;
use draw::{CurvatureFigure, ErrorFigure, GradientFigure, KappaDerivativeFigure, LossFigure};

use crate::figures::error::Result;
use crate::figures::kit::{
    Family, Job, KappaRange, Options, SMOOTH_OPS, data_job, default_range, figure_job, scenario,
};
use crate::smooth::Smoothing;

/// The κ sweeps of the standard set: one per standard scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweeps(pub Vec<KappaSweep>);

/// κ sweeps of a list of scenarios.
///
/// # Errors
/// As [`KappaSweep::compute`].
pub fn sweeps(
    scenarios: &[scenario::Scenario],
    range: &KappaRange,
    ops: &[Smoothing],
) -> Result<Vec<KappaSweep>> {
    scenarios
        .iter()
        .map(|s| KappaSweep::compute(s, range, ops))
        .collect()
}

/// The family of the standard set: the standard scenarios on the default κ·s grid.
///
/// # Errors
/// Only on internal inconsistencies (the inputs are fixed and valid).
pub(crate) fn standard() -> Result<Box<dyn Family>> {
    let sweeps = sweeps(&scenario::standard(), &default_range(), &SMOOTH_OPS)?;
    Ok(Box::new(Sweeps(sweeps)))
}

/// The jobs writing figures 1–4 and 7 with their CSVs for `sweeps` into `dir` (the
/// standard set, or one box pair for `softiou sweep`).
pub(crate) fn jobs<'a>(dir: &'a Path, sweeps: &'a [KappaSweep], opts: Options) -> Vec<Job<'a>> {
    vec![
        figure_job(dir, "fig1_loss_vs_kappa", LossFigure { sweeps }, opts),
        data_job(dir.join("fig1_loss_vs_kappa.csv"), move |p| {
            csv::loss(p, sweeps)
        }),
        figure_job(dir, "fig2_error_vs_kappa", ErrorFigure { sweeps }, opts),
        data_job(dir.join("fig2_error_vs_kappa.csv"), move |p| {
            csv::error(p, sweeps)
        }),
        figure_job(
            dir,
            "fig3_gradient_vs_kappa",
            GradientFigure { sweeps, focus: 0 },
            opts,
        ),
        data_job(dir.join("fig3_gradient_vs_kappa.csv"), move |p| {
            csv::gradient(p, sweeps)
        }),
        data_job(dir.join("fig3_central_differences.csv"), move |p| {
            csv::fd_points(p, sweeps)
        }),
        figure_job(
            dir,
            "fig4_dloss_dkappa",
            KappaDerivativeFigure { sweeps },
            opts,
        ),
        data_job(dir.join("fig4_dloss_dkappa.csv"), move |p| {
            csv::dloss_dkappa(p, sweeps)
        }),
        figure_job(dir, "fig7_curvature", CurvatureFigure { sweeps }, opts),
        data_job(dir.join("fig7_curvature.csv"), move |p| {
            csv::curvature(p, sweeps)
        }),
    ]
}

impl Family for Sweeps {
    fn jobs<'a>(&'a self, dir: &'a Path, opts: Options) -> Vec<Job<'a>> {
        jobs(dir, &self.0, opts)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
