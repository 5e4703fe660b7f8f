//! The standard set: every number behind figures 1–9 and the fitting figures, and the
//! summary numbers the README quotes.

use super::article::{BreakdownMap, breakdown_map};
use super::contour::{Contour, contours};
use super::kappa::KappaSweep;
use super::steps::{StepPanel, step_panels};
pub use super::summary::{StepSummary, Summary};
use super::surface::{
    GradientField, Setting, Surface, centred_target, gradient_field, loss_surface,
};
use super::{KappaRange, SMOOTH_OPS, scenario};
use crate::error::Result;
use crate::fit::FitSet;
use crate::smooth::Smoothing;

/// κ·s of the three smooth panels of figures 5 and 6.
pub const SURFACE_KAPPA_S: [f64; 3] = [0.5, 2.0, 10.0];
/// Half-width of the offset grid of figures 5 and 6, in units of s.
pub const SURFACE_HALF_RANGE: f64 = 2.0;
/// Grid points per axis of the loss surfaces.
pub const SURFACE_POINTS: usize = 101;
/// Grid points per axis of the gradient fields (offsets in steps of s/4).
pub const FIELD_POINTS: usize = 17;
/// Loss levels of the contour lines.
pub const CONTOUR_LEVELS: [f64; 5] = [0.2, 0.4, 0.6, 0.8, 0.95];
/// Tolerance of "the soft loss is within 1% of the hard loss": |soft − hard| ≤ 0.01 (the
/// loss ranges over [0, 1], so this is 1% of its range; a relative tolerance would be
/// meaningless for identical boxes, whose hard loss is 0).
pub const WITHIN_TOL: f64 = 0.01;

/// The default κ·s grid of the standard set: 1e-2 to 1e4, 40 points per decade.
pub fn default_range() -> KappaRange {
    KappaRange {
        min: 1e-2,
        max: 1e4,
        points: 241,
    }
}

/// The smooth-operator settings of figures 5 and 6, after `hard`.
pub fn surface_settings() -> Vec<Setting> {
    let mut v = vec![Setting {
        smoothing: Smoothing::Hard,
        kappa_s: 1.0,
    }];
    v.extend(SURFACE_KAPPA_S.map(|k| Setting {
        smoothing: Smoothing::LogSumExp,
        kappa_s: k,
    }));
    v
}

/// Everything the standard figures show.
///
/// ```
/// let set = softiou::figures::StandardSet::compute()?;
/// assert_eq!(set.sweeps.len(), softiou::figures::standard_scenarios().len());
/// assert_eq!(set.contours.len(), set.surfaces.len());
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StandardSet {
    /// Figures 1–4 and 7: one κ sweep per standard scenario.
    pub sweeps: Vec<KappaSweep>,
    /// Figure 5: loss surfaces (hard, then logsumexp at `SURFACE_KAPPA_S`).
    pub surfaces: Vec<Surface>,
    /// Figure 5: contour lines of each surface at `CONTOUR_LEVELS`.
    pub contours: Vec<Vec<Contour>>,
    /// Figure 6: gradient fields, same settings as the surfaces.
    pub fields: Vec<GradientField>,
    /// Figure 8: finite-difference step studies.
    pub steps: Vec<StepPanel>,
    /// Figure 9: where the article's formula breaks.
    pub breakdown: BreakdownMap,
    /// Numbers quoted in the README.
    pub summary: Summary,
    /// The fitting demo's runs (figures in `fit/`).
    pub fit: FitSet,
}

/// The standard set without the fits, in field order.
type SweepParts = (
    Vec<KappaSweep>,
    Vec<Surface>,
    Vec<Vec<Contour>>,
    Vec<GradientField>,
    Vec<StepPanel>,
    BreakdownMap,
    Summary,
);

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

impl StandardSet {
    /// Computes the standard set (in parallel where it pays).
    ///
    /// # Errors
    /// Only on internal inconsistencies (the inputs are fixed and valid).
    pub fn compute() -> Result<Self> {
        // The fits are independent of the sweeps: run them beside each other.
        let (fit, set) = rayon::join(FitSet::compute, Self::sweeps_only);
        let (sweeps, surfaces, contours, fields, steps, breakdown, summary) = set?;
        Ok(StandardSet {
            sweeps,
            surfaces,
            contours,
            fields,
            steps,
            breakdown,
            summary,
            fit: fit?,
        })
    }

    fn sweeps_only() -> Result<SweepParts> {
        let range = default_range();
        let sweeps = sweeps(&scenario::standard(), &range, &SMOOTH_OPS)?;
        let target = centred_target(scenario::STANDARD_SIDE)?;
        let settings = surface_settings();
        let surfaces = settings
            .iter()
            .map(|&s| loss_surface(&target, s, SURFACE_HALF_RANGE, SURFACE_POINTS))
            .collect::<Result<Vec<_>>>()?;
        let contours = surfaces
            .iter()
            .map(|s| contours(s, &CONTOUR_LEVELS))
            .collect();
        let fields = settings
            .iter()
            .map(|&s| gradient_field(&target, s, SURFACE_HALF_RANGE, FIELD_POINTS))
            .collect::<Result<Vec<_>>>()?;
        let breakdown = breakdown_map(
            scenario::STANDARD_SIDE,
            &KappaRange::new(1e-2, 1e4, 97)?,
            &KappaRange::new(1e-2, 1e4, 97)?,
            &[
                ("overlapping (the article's pair)", (0.1, 0.1)),
                ("disjoint in x (gap 0.3 s)", (1.3, 0.1)),
            ],
        )?;
        let steps = step_panels()?;
        let mut summary = Summary::of(&sweeps, &surfaces, &fields, &breakdown);
        summary.steps = steps.iter().map(StepSummary::of).collect();
        Ok((
            sweeps, surfaces, contours, fields, steps, breakdown, summary,
        ))
    }
}
