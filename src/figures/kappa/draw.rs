//! Figures 1–4 and 7: quantities against κ·s, one panel per smooth operator.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::KappaSweep;
use super::data::OperatorCurve;
use crate::figures::kit::panel::{Corner, Line, Mark, Panel, YAxis, draw_panel};
use crate::figures::kit::style::{FONT, TITLE, series};
use crate::figures::kit::{DrawResult, Figure};
use crate::smooth::Smoothing;

const PANEL_W: u32 = 760;
const PANEL_H: u32 = 560;
const TITLE_H: u32 = 64;
const X_DESC: &str = "κ·s  (s = target's shorter side; dimensionless)";

fn ops(sweeps: &[KappaSweep]) -> Vec<Smoothing> {
    sweeps
        .first()
        .map(|s| s.curves.iter().map(|c| c.smoothing).collect())
        .unwrap_or_default()
}

fn x_range(sweeps: &[KappaSweep]) -> (f64, f64) {
    let xs = sweeps.iter().flat_map(|s| {
        s.curves
            .iter()
            .flat_map(|c| c.rows.iter().map(|r| r.kappa_s))
    });
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if lo < hi { (lo, hi) } else { (0.1, 10.0) }
}

/// Title of a κ figure, naming the physical κ through s.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    what: &str,
    sweeps: &[KappaSweep],
) -> std::result::Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let side = sweeps.first().map_or(1.0, |s| s.side);
    let text =
        format!("{what}   —   s = {side}, so the physical κ = (κ·s)/{side} per coordinate unit");
    Ok(root.titled(&text, (FONT, TITLE))?)
}

fn curve_line(
    i: usize,
    s: &KappaSweep,
    c: &OperatorCurve,
    f: impl Fn(&super::data::KappaRow) -> Option<f64>,
) -> Line {
    Line {
        label: Some(s.scenario.name.clone()),
        color: series(i),
        mark: Mark::Solid,
        points: c
            .rows
            .iter()
            .filter_map(|r| f(r).map(|y| (r.kappa_s, y)))
            .collect(),
    }
}

/// One line per scenario for operator `op`, in the scenario's colour.
fn scenario_lines(
    sweeps: &[KappaSweep],
    op: Smoothing,
    f: impl Fn(&super::data::KappaRow) -> Option<f64> + Copy,
) -> Vec<Line> {
    sweeps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.curve(op).map(|c| curve_line(i, s, c, f)))
        .collect()
}

/// The titled figure split into one panel per operator, with the operators and the
/// common κ·s range.
type OperatorPanels<DB> = (Vec<Smoothing>, (f64, f64), Vec<DrawingArea<DB, Shift>>);

fn operator_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    what: &str,
    sweeps: &[KappaSweep],
) -> std::result::Result<OperatorPanels<DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let area = titled(root, what, sweeps)?;
    let ops = ops(sweeps);
    let panels = area.split_evenly((1, ops.len()));
    Ok((ops, x_range(sweeps), panels))
}

fn hline(color: RGBColor, x: (f64, f64), y: f64, label: Option<String>) -> Line {
    Line {
        label,
        color,
        mark: Mark::Dashed,
        points: vec![(x.0, y), (x.1, y)],
    }
}

fn size_for(cols: usize, rows: usize) -> (u32, u32) {
    (
        PANEL_W * cols.max(1) as u32,
        PANEL_H * rows.max(1) as u32 + TITLE_H,
    )
}

/// Figure 1: the soft IoU loss against κ·s for every scenario, one panel per operator,
/// with the hard loss dashed.
#[derive(Debug, Clone, Copy)]
pub struct LossFigure<'a> {
    /// The sweeps, one per scenario, all with the same operators.
    pub sweeps: &'a [KappaSweep],
}

impl Figure for LossFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ops, x, panels) = operator_panels(
            root,
            "Soft IoU loss against κ (dashed: hard IoU loss)",
            self.sweeps,
        )?;
        for (k, (op, panel)) in ops.iter().zip(panels).enumerate() {
            let mut lines = scenario_lines(self.sweeps, *op, |r| Some(r.loss));
            let y = match YAxis::linear_robust(&lines) {
                YAxis::Linear(lo, hi) => YAxis::Linear(lo.clamp(-0.5, -0.05), hi.clamp(1.05, 2.0)),
                other => other,
            };
            for (i, s) in self.sweeps.iter().enumerate() {
                lines.push(hline(series(i), x, s.hard.loss, None));
            }
            lines.push(hline(
                BLACK,
                (x.0, x.0),
                f64::NAN,
                Some("hard loss (dashed)".into()),
            ));
            draw_panel(
                &panel,
                &Panel {
                    caption: match op {
                        Smoothing::LogSumExp => {
                            format!("{op}  (leaves the panel where the soft union nears 0)")
                        }
                        _ => format!("{op}"),
                    },
                    x,
                    x_desc: X_DESC.into(),
                    y,
                    y_desc: "soft IoU loss  1 − I/U  (dimensionless)".into(),
                    lines,
                    legend: (k == 0).then_some(Corner::UpperRight),
                },
            )?;
        }
        Ok(())
    }
}

/// Figure 2: |soft − hard| against κ·s on log–log axes, with the operator's bound of
/// docs/design.md (in units of s) dashed.
#[derive(Debug, Clone, Copy)]
pub struct ErrorFigure<'a> {
    /// The sweeps.
    pub sweeps: &'a [KappaSweep],
}

impl Figure for ErrorFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ops, x, panels) = operator_panels(
            root,
            "Approximation error |soft − hard| against κ",
            self.sweeps,
        )?;
        for (k, (op, panel)) in ops.iter().zip(panels).enumerate() {
            let mut lines = scenario_lines(self.sweeps, *op, |r| Some(r.abs_error));
            if let Some(c) = self.sweeps.first().and_then(|s| s.curve(*op)) {
                lines.push(Line {
                    label: Some("bound of one smooth max / s".into()),
                    color: BLACK,
                    mark: Mark::Dashed,
                    points: c.rows.iter().map(|r| (r.kappa_s, r.bound_s)).collect(),
                });
            }
            draw_panel(
                &panel,
                &Panel {
                    caption: match op {
                        Smoothing::Boltzmann => format!("{op}  (dashed: 0.2785/(κ·s))"),
                        _ => format!("{op}  (dashed: ln 2/(κ·s))"),
                    },
                    x,
                    x_desc: X_DESC.into(),
                    y: YAxis::Log(1e-10, 10.0),
                    y_desc: "|soft loss − hard loss|  (below 1e-10 not drawn)".into(),
                    lines,
                    legend: (k == 0).then_some(Corner::LowerLeft),
                },
            )?;
        }
        Ok(())
    }
}

const COMPONENTS: [&str; 4] = ["x_min", "y_min", "x_max", "y_max"];

/// Figure 3: the exact gradient components and norm (dual numbers) against κ·s for one
/// scenario, central-difference check points overlaid, hard gradient dashed; with more
/// than one scenario a last panel shows the gradient norm of every scenario.
#[derive(Debug, Clone, Copy)]
pub struct GradientFigure<'a> {
    /// The sweeps.
    pub sweeps: &'a [KappaSweep],
    /// Index of the scenario whose components are shown.
    pub focus: usize,
}

impl Figure for GradientFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let extra = usize::from(self.sweeps.len() > 1);
        size_for(ops(self.sweeps).len() + extra, 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let Some(s) = self.sweeps.get(self.focus) else {
            return Ok(());
        };
        let area = titled(
            root,
            &format!(
                "Exact gradient (dual numbers) against κ — {}",
                s.scenario.name
            ),
            self.sweeps,
        )?;
        let ops = ops(self.sweeps);
        let x = x_range(self.sweeps);
        let extra = usize::from(self.sweeps.len() > 1);
        let panels = area.split_evenly((1, ops.len() + extra));
        for (k, op) in ops.iter().enumerate() {
            let Some(c) = s.curve(*op) else { continue };
            let mut lines = Vec::new();
            for (j, name) in COMPONENTS.iter().enumerate() {
                lines.push(Line {
                    label: Some(format!("s·∂L/∂{name}")),
                    color: series(j),
                    mark: Mark::Solid,
                    points: c.rows.iter().map(|r| (r.kappa_s, r.grad_s[j])).collect(),
                });
            }
            lines.push(Line {
                label: Some("s·|∇L|".into()),
                color: BLACK,
                mark: Mark::Solid,
                points: c.rows.iter().map(|r| (r.kappa_s, r.grad_norm_s)).collect(),
            });
            let y = YAxis::linear_robust(&lines);
            for j in 0..4 {
                lines.push(hline(series(j), x, s.hard.grad_s[j], None));
            }
            lines.push(hline(
                BLACK,
                x,
                s.hard.grad_norm_s,
                Some("hard (dashed)".into()),
            ));
            for j in 0..4 {
                lines.push(Line {
                    label: (j == 0).then(|| "central difference, h = 6e-6·max(1,|x|)".into()),
                    color: series(j),
                    mark: Mark::Circles,
                    points: s
                        .fd_points
                        .iter()
                        .filter(|f| f.smoothing == *op)
                        .map(|f| (f.kappa_s, f.central_s[j]))
                        .collect(),
                });
            }
            draw_panel(
                &panels[k],
                &Panel {
                    caption: format!("{op}: components and norm"),
                    x,
                    x_desc: X_DESC.into(),
                    y,
                    y_desc: "s · ∂loss/∂coordinate  (loss per side length)".into(),
                    lines,
                    legend: (k == 0).then_some(Corner::UpperLeft),
                },
            )?;
        }
        if extra == 1 {
            let op = ops.last().copied().unwrap_or_default();
            let lines = scenario_lines(self.sweeps, op, |r| Some(r.grad_norm_s));
            draw_panel(
                &panels[ops.len()],
                &Panel {
                    caption: format!("{op}: gradient norm, every scenario"),
                    x,
                    x_desc: X_DESC.into(),
                    y: YAxis::log_auto(&lines, 1e-12, 1e3),
                    y_desc: "s·|∇loss|  (log scale)".into(),
                    lines,
                    legend: Some(Corner::LowerLeft),
                },
            )?;
        }
        Ok(())
    }
}

/// Figure 4: the sensitivity |κ·∂loss/∂κ| = |∂loss/∂ln κ| (exact) against κ·s on log–log
/// axes, solid where it is positive and dashed where negative.
#[derive(Debug, Clone, Copy)]
pub struct KappaDerivativeFigure<'a> {
    /// The sweeps.
    pub sweeps: &'a [KappaSweep],
}

impl Figure for KappaDerivativeFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ops, x, panels) = operator_panels(
            root,
            "Sensitivity of the loss to κ (exact, dual numbers)",
            self.sweeps,
        )?;
        for (k, (op, panel)) in ops.iter().zip(panels).enumerate() {
            let mut lines = Vec::new();
            for (i, s) in self.sweeps.iter().enumerate() {
                if let Some(c) = s.curve(*op) {
                    // one line per sign, so that a log axis can show both
                    let pos = curve_line(i, s, c, |r| Some(r.kappa_dloss_dkappa));
                    let mut neg = pos.clone();
                    neg.label = None;
                    neg.mark = Mark::Dashed;
                    neg.points = c
                        .rows
                        .iter()
                        .map(|r| (r.kappa_s, -r.kappa_dloss_dkappa))
                        .collect();
                    lines.push(pos);
                    lines.push(neg);
                }
            }
            lines.push(hline(
                BLACK,
                (x.0, x.0),
                f64::NAN,
                Some("dashed: negative (loss falls as κ grows)".into()),
            ));
            draw_panel(
                &panel,
                &Panel {
                    caption: format!("{op}"),
                    x,
                    x_desc: X_DESC.into(),
                    y: YAxis::Log(1e-10, 1e2),
                    y_desc: "|κ·∂loss/∂κ| = |∂loss/∂ln κ|  (log scale)".into(),
                    lines,
                    legend: (k == 0).then_some(Corner::LowerLeft),
                },
            )?;
        }
        Ok(())
    }
}

/// Figure 7: the largest Hessian eigenvalue λmax·s² (top) and the stable gradient-descent
/// step 2/λmax in units of s² (bottom) against κ·s; hard values dashed.
#[derive(Debug, Clone, Copy)]
pub struct CurvatureFigure<'a> {
    /// The sweeps.
    pub sweeps: &'a [KappaSweep],
}

impl Figure for CurvatureFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 2)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let area = titled(
            root,
            "Curvature: largest Hessian eigenvalue and the stable step",
            self.sweeps,
        )?;
        let ops = ops(self.sweeps);
        let x = x_range(self.sweeps);
        let panels = area.split_evenly((2, ops.len()));
        for (k, op) in ops.iter().enumerate() {
            let mut lam = Vec::new();
            let mut step = Vec::new();
            for (i, s) in self.sweeps.iter().enumerate() {
                if let Some(c) = s.curve(*op) {
                    lam.push(curve_line(i, s, c, |r| {
                        (r.lambda_max_s2 > 0.0).then_some(r.lambda_max_s2)
                    }));
                    step.push(curve_line(i, s, c, |r| r.stable_step_s2));
                }
            }
            let (ylam, ystep) = (
                YAxis::log_auto(&lam, 1e-12, 1e12),
                YAxis::log_auto(&step, 1e-12, 1e12),
            );
            for (i, s) in self.sweeps.iter().enumerate() {
                if s.hard.lambda_max_s2 > 0.0 {
                    lam.push(hline(series(i), x, s.hard.lambda_max_s2, None));
                    step.push(hline(series(i), x, 2.0 / s.hard.lambda_max_s2, None));
                }
            }
            lam.push(hline(
                BLACK,
                (x.0, x.0),
                f64::NAN,
                Some("hard (dashed)".into()),
            ));
            draw_panel(
                &panels[k],
                &Panel {
                    caption: format!("{op}: largest Hessian eigenvalue (where > 0)"),
                    x,
                    x_desc: X_DESC.into(),
                    y: ylam,
                    y_desc: "λmax · s²  (log scale)".into(),
                    lines: lam,
                    legend: (k == 0).then_some(Corner::LowerRight),
                },
            )?;
            draw_panel(
                &panels[ops.len() + k],
                &Panel {
                    caption: format!("{op}: stable gradient-descent step 2/λmax"),
                    x,
                    x_desc: X_DESC.into(),
                    y: ystep,
                    y_desc: "(2/λmax) / s²  (log scale)".into(),
                    lines: step,
                    legend: None,
                },
            )?;
        }
        Ok(())
    }
}
