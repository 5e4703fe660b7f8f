//! The numbers the README quotes, summarised from the standard set's data (computed,
//! never read off a picture), as JSON and as a text table.

use std::fmt;

use serde::Serialize;

use super::breakdown::{Breakdown, BreakdownMap};
use super::kappa::{Sweeps, WITHIN_TOL};
use super::kit::{Family, find};
use super::step_study::{StepPanel, Steps};
use super::surface::Surfaces;
use crate::fdcheck::Stencil;

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
    /// κ·s of the loss's poles (where the soft union crosses 0), ascending.
    pub poles: Vec<f64>,
    /// Figure 3's check of the gradient by central differences, over both operators of
    /// the scenario: the largest `|central − exact|` in units of s·∂loss/∂coordinate.
    pub fd_max_abs_error_s: Option<f64>,
    /// The same, relative, over the components that are not round-off.
    pub fd_max_rel_error: Option<f64>,
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
    /// Per step-study panel.
    pub steps: Vec<StepSummary>,
    /// Per breakdown panel.
    pub breakdown: Vec<BreakdownSummary>,
}

impl Summary {
    /// Summarises the families' data (a family the set lacks adds no rows).
    pub(crate) fn of(families: &[Box<dyn Family>]) -> Self {
        let sweeps = find::<Sweeps>(families).map_or(&[][..], |s| &s.0[..]);
        let (surfaces, fields) = find::<Surfaces>(families)
            .map_or((&[][..], &[][..]), |s| (&s.surfaces[..], &s.fields[..]));
        let steps = find::<Steps>(families).map_or(&[][..], |s| &s.0[..]);
        let no_map = BreakdownMap::default();
        let map = find::<BreakdownMap>(families).unwrap_or(&no_map);
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
                    poles: c.poles.clone(),
                    fd_max_abs_error_s: s.fd_agreement().map(|f| f.max_abs_s),
                    fd_max_rel_error: s.fd_agreement().map(|f| f.max_rel),
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
            steps: steps.iter().map(StepSummary::of).collect(),
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
