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

#[cfg(test)]
mod tests {
    use super::{FD_REL_FLOOR, KappaSweep};
    use crate::figures::kit::{KappaRange, SMOOTH_OPS, default_range, scenario};
    use crate::smooth::Smoothing;
    use crate::{BBox, Loss};

    #[test]
    fn the_logsumexp_poles_are_found_and_located() {
        let sweeps = super::sweeps(&scenario::standard(), &default_range(), &SMOOTH_OPS).unwrap();
        for s in &sweeps {
            // boltzmann's soft union stays positive: no pole
            assert!(s.curve(Smoothing::Boltzmann).unwrap().poles.is_empty());
            let c = s.curve(Smoothing::LogSumExp).unwrap();
            assert_eq!(c.poles.len(), 1, "{}: {:?}", s.scenario.name, c.poles);
            let p = c.poles[0];
            eprintln!("{}: logsumexp pole at κ·s = {p}", s.scenario.name);
            // issue 13: the CSV runs off to ±∞ between κ·s ≈ 0.18 and 0.24
            assert!(
                (0.15..0.25).contains(&p),
                "{}: pole at {p}",
                s.scenario.name
            );
            // just below the pole the loss is large and positive, just above large and
            // negative: 1 − loss = I/U changes sign through ∞ (0.1% either side is far
            // outside the bisection's 1e-12 and well inside the grid step of 6%)
            let loss = Loss::soft_iou(Smoothing::LogSumExp);
            let at = |ks: f64| {
                loss.eval(&s.scenario.pred, &s.scenario.target, ks / s.side)
                    .unwrap()
            };
            let (below, above) = (at(p * 0.999), at(p * 1.001));
            assert!(
                below > 50.0 && above < -50.0,
                "{}: {below}, {above}",
                s.scenario.name
            );
        }
    }

    #[test]
    fn a_pair_without_a_pole_has_none() {
        // logsumexp with κ·s only from 1 on: past every pole
        let s = scenario::Scenario::new(
            "far",
            BBox::new(0.0, 0.0, 10.0, 10.0).unwrap(),
            BBox::new(2.0, 1.0, 12.0, 11.0).unwrap(),
        );
        let sw =
            KappaSweep::compute(&s, &KappaRange::new(1.0, 1e3, 50).unwrap(), &SMOOTH_OPS).unwrap();
        assert!(sw.curves.iter().all(|c| c.poles.is_empty()));
    }

    #[test]
    fn central_differences_agree_with_the_exact_gradient() {
        let sweeps = super::sweeps(&scenario::standard(), &default_range(), &SMOOTH_OPS).unwrap();
        let (mut abs, mut rel) = (0f64, 0f64);
        for s in &sweeps {
            let a = s.fd_agreement().unwrap();
            abs = abs.max(a.max_abs_s);
            rel = rel.max(a.max_rel);
        }
        eprintln!(
            "central differences: max |c − e| = {abs:e} (s·∂L), max relative (|e| ≥ {FD_REL_FLOOR}) = {rel:e}"
        );
        // the step 6e-6 balances truncation (∝ h²) and rounding (∝ ε/h): about 1e-10
        // each for O(1) curvature; the measured worst is 9.0e-8 absolute and 1.3e-6
        // relative, at the largest κ·s where the loss bends sharply. A factor 10 above
        // that still catches a wrong step or a wrong exact gradient (errors of 1e-3 and up).
        assert!(abs > 0.0 && abs < 1e-6, "{abs}");
        assert!(rel > 0.0 && rel < 1e-5, "{rel}");
    }
}
