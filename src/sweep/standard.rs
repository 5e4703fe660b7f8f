//! The standard set: every number behind figures 1–9 and the fitting figures, and the
//! summary numbers the README quotes.

use std::fmt;

use serde::Serialize;

use super::article::{Breakdown, BreakdownMap, breakdown_map};
use super::contour::{Contour, contours};
use super::kappa::KappaSweep;
use super::steps::{StepPanel, step_panels};
use super::surface::{
    GradientField, Setting, Surface, centred_target, gradient_field, loss_surface,
};
use super::{KappaRange, SMOOTH_OPS, scenario};
use crate::error::Result;
use crate::fdcheck::Stencil;
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
///
/// ```
/// assert_eq!(softiou::sweep::standard::default_range().points(), 241);
/// ```
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
#[derive(Debug, Clone, PartialEq)]
pub struct StandardSet {
    /// Figures 1–4 and 7: one κ sweep per standard scenario.
    pub sweeps: Vec<KappaSweep>,
    /// Figure 5: loss surfaces (hard, then logsumexp at [`SURFACE_KAPPA_S`]).
    pub surfaces: Vec<Surface>,
    /// Figure 5: contour lines of each surface at [`CONTOUR_LEVELS`].
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

/// Per scenario and operator: where the soft loss meets the hard one, and how fast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioSummary {
    /// Scenario name.
    pub scenario: String,
    /// Operator name.
    pub smoothing: String,
    /// Hard loss.
    pub hard_loss: f64,
    /// Smallest grid κ·s from which |soft − hard| ≤ [`WITHIN_TOL`] (None: never on the grid).
    pub kappa_s_within_1pct: Option<f64>,
    /// Log–log slope of |soft − hard| against κ over κ·s in [100, 10000].
    pub error_slope: Option<f64>,
    /// Largest Hessian eigenvalue times s² at the grid κ·s closest to 10.
    pub lambda_max_s2_at_10: Option<f64>,
    /// Smallest grid κ·s from which s·|∇loss| stays below 1e-6 (None: never).
    pub kappa_s_grad_below_1e_6: Option<f64>,
}

/// Range of one loss surface of figure 5.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurfaceSummary {
    /// Panel label.
    pub setting: String,
    /// Smallest loss on the grid.
    pub min: f64,
    /// Largest loss on the grid.
    pub max: f64,
    /// Offset `(dx/s, dy/s)` of the smallest loss.
    pub argmin: (f64, f64),
}

/// Per gradient-field panel: how much of the grid has no gradient to follow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldSummary {
    /// Panel label.
    pub setting: String,
    /// Grid points with a gradient of exactly 0.
    pub exact_zeros: usize,
    /// Grid points with |∇| < 1e-3 (loss per side length).
    pub below_1e_3: usize,
    /// Grid points in total.
    pub points: usize,
    /// |∇| at offset (1.5 s, 0): a gap of s/2 in x.
    pub grad_at_gap_half_s: f64,
}

/// Cell counts of one panel of figure 9.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownSummary {
    /// Panel name.
    pub panel: String,
    /// `(class name, cells)`.
    pub counts: Vec<(String, usize)>,
    /// Smallest κ·s at which the naive formula is NaN at the smallest magnitude.
    pub first_nan_kappa_s: Option<f64>,
    /// Smallest κ·s at which the Boltzmann IoU leaves [0, 1] at the smallest magnitude.
    pub first_outside_kappa_s: Option<f64>,
    /// Most negative stable Boltzmann IoU on the map.
    pub min_boltzmann_iou: f64,
}

/// Per step-study panel: the best step of each stencil and the dual-number error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepSummary {
    /// Panel name.
    pub point: String,
    /// Relative error of the dual-number derivative against the reference.
    pub dual_rel_error: f64,
    /// `(stencil, best relative step, relative error there)`.
    pub best: Vec<(String, f64, f64)>,
}

impl StepSummary {
    fn of(p: &StepPanel) -> Self {
        let truth = p.study.truth.abs();
        StepSummary {
            point: p.point.name.to_owned(),
            dual_rel_error: p.study.dual_error / truth,
            best: Stencil::ALL
                .iter()
                .filter_map(|&st| {
                    p.study
                        .optimum(st)
                        .map(|(h, e)| (st.name().to_owned(), h, e / truth))
                })
                .collect(),
        }
    }
}

/// The numbers the README quotes, computed (never read off a picture).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Per scenario and operator.
    pub scenarios: Vec<ScenarioSummary>,
    /// Per loss-surface panel.
    pub surfaces: Vec<SurfaceSummary>,
    /// Per gradient-field panel.
    pub fields: Vec<FieldSummary>,
    /// Per step-study panel (filled by [`StandardSet::compute`]).
    pub steps: Vec<StepSummary>,
    /// Per breakdown panel.
    pub breakdown: Vec<BreakdownSummary>,
}

impl Summary {
    /// Summarises computed data.
    pub fn of(
        sweeps: &[KappaSweep],
        surfaces: &[Surface],
        fields: &[GradientField],
        map: &BreakdownMap,
    ) -> Self {
        let mut scenarios = Vec::new();
        for s in sweeps {
            for c in &s.curves {
                let near10 = c.rows.iter().min_by(|a, b| {
                    (a.kappa_s.ln() - 10f64.ln())
                        .abs()
                        .total_cmp(&(b.kappa_s.ln() - 10f64.ln()).abs())
                });
                scenarios.push(ScenarioSummary {
                    scenario: s.scenario.name.clone(),
                    smoothing: c.smoothing.to_string(),
                    hard_loss: s.hard.loss,
                    kappa_s_within_1pct: s.kappa_s_within(c.smoothing, WITHIN_TOL),
                    error_slope: s.error_slope(c.smoothing, 100.0, 1e4),
                    lambda_max_s2_at_10: near10.map(|r| r.lambda_max_s2),
                    kappa_s_grad_below_1e_6: c
                        .rows
                        .iter()
                        .rev()
                        .take_while(|r| r.grad_norm_s < 1e-6)
                        .last()
                        .map(|r| r.kappa_s),
                });
            }
        }
        let fields = fields
            .iter()
            .map(|f| {
                let n = f.offsets.len();
                let mags = f.magnitudes();
                let ix = f.offsets.iter().position(|&o| o == 1.5);
                let iy = f.offsets.iter().position(|&o| o == 0.0);
                let at = match (ix, iy) {
                    (Some(ix), Some(iy)) => mags[iy * n + ix],
                    _ => f64::NAN,
                };
                FieldSummary {
                    setting: f.setting.label(),
                    exact_zeros: f.exact_zeros(),
                    below_1e_3: mags.iter().filter(|&&m| m < 1e-3).count(),
                    points: mags.len(),
                    grad_at_gap_half_s: at,
                }
            })
            .collect();
        let breakdown = map
            .panels
            .iter()
            .map(|p| BreakdownSummary {
                panel: p.name.clone(),
                counts: Breakdown::ALL
                    .iter()
                    .map(|&c| (c.name().to_owned(), p.count(c)))
                    .collect(),
                first_nan_kappa_s: (0..map.kappa_s.len())
                    .find(|&ik| p.class[ik] == Breakdown::NaiveNan)
                    .map(|ik| map.kappa_s[ik]),
                first_outside_kappa_s: (0..map.kappa_s.len())
                    .find(|&ik| !(0.0..=1.0).contains(&p.stable[ik]))
                    .map(|ik| map.kappa_s[ik]),
                min_boltzmann_iou: p
                    .stable
                    .iter()
                    .copied()
                    .filter(|v| !v.is_nan())
                    .fold(f64::INFINITY, f64::min),
            })
            .collect();
        let surfaces = surfaces
            .iter()
            .map(|s| {
                let n = s.offsets.len();
                let (mut min, mut max, mut at) = (f64::INFINITY, f64::NEG_INFINITY, 0);
                for (i, &v) in s.loss.iter().enumerate() {
                    if v < min {
                        (min, at) = (v, i);
                    }
                    max = max.max(v);
                }
                SurfaceSummary {
                    setting: s.setting.label(),
                    min,
                    max,
                    argmin: (s.offsets[at % n], s.offsets[at / n]),
                }
            })
            .collect();
        Summary {
            scenarios,
            surfaces,
            fields,
            steps: Vec::new(),
            breakdown,
        }
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<22} {:<10} {:>9} {:>14} {:>12} {:>16} {:>16}",
            "scenario",
            "operator",
            "hard loss",
            "κ·s within 1%",
            "error slope",
            "λmax·s² @ κs=10",
            "s|∇| < 1e-6 from"
        )?;
        for s in &self.scenarios {
            writeln!(
                f,
                "{:<22} {:<10} {:>9.4} {:>14} {:>12} {:>16} {:>16}",
                s.scenario,
                s.smoothing,
                s.hard_loss,
                opt(s.kappa_s_within_1pct),
                opt(s.error_slope),
                opt(s.lambda_max_s2_at_10),
                opt(s.kappa_s_grad_below_1e_6)
            )?;
        }
        for s in &self.surfaces {
            writeln!(
                f,
                "loss surface {:<26} min {:.4} at ({}, {}) s, max {:.4}",
                s.setting, s.min, s.argmin.0, s.argmin.1, s.max
            )?;
        }
        for g in &self.fields {
            writeln!(
                f,
                "gradient field {:<24} exact zeros {:>3}/{}, |∇| < 1e-3 at {:>3}/{}, |∇| at gap s/2: {:.3e}",
                g.setting, g.exact_zeros, g.points, g.below_1e_3, g.points, g.grad_at_gap_half_s
            )?;
        }
        for st in &self.steps {
            let best: Vec<String> = st
                .best
                .iter()
                .map(|(n, h, e)| format!("{n} {e:.1e} at h = {h:.1e}"))
                .collect();
            writeln!(
                f,
                "step study {}: dual numbers {:.1e} relative; best {}",
                st.point,
                st.dual_rel_error,
                best.join(", ")
            )?;
        }
        for b in &self.breakdown {
            let counts: Vec<String> = b.counts.iter().map(|(n, c)| format!("{n} {c}")).collect();
            writeln!(
                f,
                "article formula, {}: {}; NaN from κ·s = {}; IoU outside [0,1] from κ·s = {}; min Boltzmann IoU {:.4}",
                b.panel,
                counts.join(", "),
                opt(b.first_nan_kappa_s),
                opt(b.first_outside_kappa_s),
                b.min_boltzmann_iou
            )?;
        }
        Ok(())
    }
}
