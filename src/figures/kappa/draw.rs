//! Figures 1–4 and 7: quantities against κ·s, one panel per smooth operator.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::KappaSweep;
use super::data::{FD_STEP, OperatorCurve};
use crate::figures::kit::panel::{
    LegendEntry, Line, Mark, Panel, TextSizes, YAxis, draw_panel_sized, legend_height, legend_strip,
};
use crate::figures::kit::style::{FONT, SHARED, series, sig};
use crate::figures::kit::{DrawResult, Figure};
use crate::smooth::Smoothing;

const PANEL_W: u32 = 760;
const PANEL_H: u32 = 540;
/// Title and subtitle.
const TITLE_H: u32 = 78;
/// Title size.
const TITLE: u32 = 26;
/// Subtitle size.
const SUBTITLE: u32 = 19;
/// The κ figures are meant to be printed two columns wide.
const SIZES: TextSizes = TextSizes::PRINT;
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

/// Draws `text` centred at `(x, y)` (its top) at the largest size up to `size` that fits
/// in `width` pixels, so that no title is cut at the edges.
fn fitted<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: u32,
    (x, y): (i32, i32),
    width: u32,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let mut size = size;
    while size > 10 {
        let (w, _) = area.estimate_text_size(text, &(FONT, size).into_text_style(area))?;
        if w + 24 <= width {
            break;
        }
        size -= 1;
    }
    let style = (FONT, size)
        .into_text_style(area)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
    area.draw(&Text::new(text.to_owned(), (x, y), style))?;
    Ok(())
}

/// Title of a κ figure, with a subtitle naming the physical κ through s (4 significant
/// figures), and the legend strip below it; returns the area left for the panels.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    what: &str,
    sweeps: &[KappaSweep],
    legend: &[LegendEntry],
) -> std::result::Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let side = sweeps.first().map_or(1.0, |s| s.side);
    let s = sig(side, 4);
    let sub = format!("s = {s}, so the physical κ = (κ·s)/{s} per coordinate unit");
    let (w, _) = root.dim_in_pixel();
    let (head, body) = root.split_vertically(TITLE_H);
    fitted(&head, what, TITLE, (w as i32 / 2, 8), w)?;
    fitted(
        &head,
        &sub,
        SUBTITLE,
        (w as i32 / 2, 8 + TITLE as i32 + 12),
        w,
    )?;
    legend_strip(&body, legend, SIZES)
}

/// The legend of one line per scenario, plus extra entries.
fn scenario_legend(sweeps: &[KappaSweep], extra: &[LegendEntry]) -> Vec<LegendEntry> {
    sweeps
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry::new(s.scenario.name.clone(), series(i), Mark::Solid))
        .chain(extra.iter().cloned())
        .collect()
}

/// Thin dashed horizontal reference lines at `values[i]` in colour `color_of(i)`; values that
/// several series share (to 1e-9 relative) are drawn once, in grey, so that dashes of
/// different phase and colour never pile up into a thick double dash. Returns the lines
/// and whether a shared (grey) one was drawn.
fn references(
    x: (f64, f64),
    values: &[Option<f64>],
    color_of: impl Fn(usize) -> RGBColor,
) -> (Vec<Line>, bool) {
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300);
    let mut lines = Vec::new();
    let mut shared = false;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = *v else { continue };
        let others = values
            .iter()
            .enumerate()
            .filter(|(j, w)| *j != i && w.is_some_and(|w| same(v, w)))
            .map(|(j, _)| j)
            .collect::<Vec<_>>();
        if others.iter().any(|&j| j < i) {
            continue; // drawn with the first series that has it
        }
        let color = if others.is_empty() {
            color_of(i)
        } else {
            shared = true;
            SHARED
        };
        lines.push(Line {
            label: None,
            color,
            mark: Mark::Reference,
            points: vec![(x.0, v), (x.1, v)],
        });
    }
    (lines, shared)
}

/// The legend entries of [`references`]: "hard (dashed)", and the grey one if used.
fn reference_legend(shared: bool) -> Vec<LegendEntry> {
    let mut out = vec![LegendEntry::new(
        "hard value (thin dashes, scenario's colour)",
        BLACK,
        Mark::Reference,
    )];
    if shared {
        out.push(LegendEntry::new(
            "hard value shared by several scenarios",
            SHARED,
            Mark::Reference,
        ));
    }
    out
}

/// Dotted vertical lines at the poles of `op` (the scenario's colour) from `lo` to `hi`.
fn pole_lines(sweeps: &[KappaSweep], op: Smoothing, (lo, hi): (f64, f64)) -> Vec<Line> {
    sweeps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.curve(op).map(|c| (i, c)))
        .flat_map(|(i, c)| {
            c.poles.iter().map(move |&p| Line {
                label: None,
                color: series(i),
                mark: Mark::Dotted,
                points: vec![(p, lo), (p, hi)],
            })
        })
        .collect()
}

/// "poles (soft union = 0) at κ·s = a … b" for `op`, or `None` without poles.
fn pole_note(sweeps: &[KappaSweep], op: Smoothing) -> Option<String> {
    let poles: Vec<f64> = sweeps
        .iter()
        .filter_map(|s| s.curve(op))
        .flat_map(|c| c.poles.iter().copied())
        .collect();
    let lo = poles.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = poles.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match poles.len() {
        0 => None,
        _ if sig(lo, 3) == sig(hi, 3) => Some(format!("pole at κ·s = {}", sig(lo, 3))),
        _ => Some(format!("poles at κ·s = {} … {}", sig(lo, 3), sig(hi, 3))),
    }
}

/// Whether κ·s `x` is within a factor 1.5 of one of `op`'s poles.
fn near_pole(sweeps: &[KappaSweep], op: Smoothing, x: f64) -> bool {
    sweeps
        .iter()
        .filter_map(|s| s.curve(op))
        .flat_map(|c| c.poles.iter())
        .any(|&p| x > p / 1.5 && x < p * 1.5)
}

/// A linear y axis for `lines` of operator `op` that a pole cannot flatten: the range of
/// the points away from the poles (clamped to `[floor, ceil]`), widened by a quarter on
/// each side where there are poles, so that the curves are seen running off towards ±∞.
fn pole_axis(
    sweeps: &[KappaSweep],
    op: Smoothing,
    lines: &[Line],
    floor: f64,
    ceil: f64,
) -> (YAxis, (f64, f64)) {
    let calm: Vec<Line> = lines
        .iter()
        .map(|l| Line {
            points: l
                .points
                .iter()
                .copied()
                .filter(|p| !near_pole(sweeps, op, p.0))
                .collect(),
            ..l.clone()
        })
        .collect();
    let (lo, hi) = match YAxis::linear_auto(&calm, floor, ceil) {
        YAxis::Linear(a, b) | YAxis::Log(a, b) => (a, b),
    };
    let has_poles = sweeps
        .iter()
        .filter_map(|s| s.curve(op))
        .any(|c| !c.poles.is_empty());
    let (lo, hi) = if has_poles {
        let m = 0.25 * (hi - lo);
        (lo - m, hi + m)
    } else {
        (lo, hi)
    };
    (YAxis::Linear(lo, hi), (lo, hi))
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

/// The titled figure with its legend, split into `rows` rows of one panel per operator,
/// with the operators and the common κ·s range.
type OperatorPanels<DB> = (Vec<Smoothing>, (f64, f64), Vec<DrawingArea<DB, Shift>>);

fn operator_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    what: &str,
    sweeps: &[KappaSweep],
    legend: &[LegendEntry],
    rows: usize,
) -> std::result::Result<OperatorPanels<DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let area = titled(root, what, sweeps, legend)?;
    let ops = ops(sweeps);
    let panels = area.split_evenly((rows.max(1), ops.len().max(1)));
    Ok((ops, x_range(sweeps), panels))
}

/// Draws a panel of a κ figure (print-size text).
fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> DrawResult
where
    DB::ErrorType: 'static,
{
    draw_panel_sized(area, p, SIZES)
}

/// The size of a figure of `rows` × `cols` panels under a title and `legend`.
fn size_for(cols: usize, rows: usize, legend: &[LegendEntry]) -> (u32, u32) {
    let w = PANEL_W * cols.max(1) as u32;
    (
        w,
        PANEL_H * rows.max(1) as u32 + TITLE_H + legend_height(legend, w, SIZES),
    )
}

fn panel(caption: String, x: (f64, f64), y: YAxis, y_desc: &str, lines: Vec<Line>) -> Panel {
    Panel {
        caption,
        x,
        x_desc: X_DESC.into(),
        y,
        y_desc: y_desc.into(),
        lines,
        legend: None,
    }
}

/// Figure 1: the soft IoU loss against κ·s for every scenario, one panel per operator,
/// with the hard loss dashed and the poles (where the soft union crosses 0) dotted.
#[derive(Debug, Clone, Copy)]
pub struct LossFigure<'a> {
    /// The sweeps, one per scenario, all with the same operators.
    pub sweeps: &'a [KappaSweep],
}

/// The scenario legend with the hard references drawn from `hard` and, if some operator
/// has a pole, a dotted entry labelled `pole`.
fn reference_and_pole_legend(
    sweeps: &[KappaSweep],
    hard: &[Option<f64>],
    pole: &'static str,
) -> Vec<LegendEntry> {
    let (_, shared) = references((1.0, 2.0), hard, series);
    let mut extra = reference_legend(shared);
    if ops(sweeps)
        .iter()
        .any(|op| pole_note(sweeps, *op).is_some())
    {
        extra.push(LegendEntry::new(pole, BLACK, Mark::Dotted));
    }
    scenario_legend(sweeps, &extra)
}

impl LossFigure<'_> {
    fn hard(&self) -> Vec<Option<f64>> {
        self.sweeps.iter().map(|s| Some(s.hard.loss)).collect()
    }

    fn legend(&self) -> Vec<LegendEntry> {
        reference_and_pole_legend(
            self.sweeps,
            &self.hard(),
            "pole: soft union = 0, loss → ±∞ (dotted)",
        )
    }
}

impl Figure for LossFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 1, &self.legend())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ops, x, panels) = operator_panels(
            root,
            "Soft IoU loss against κ",
            self.sweeps,
            &self.legend(),
            1,
        )?;
        for (op, area) in ops.iter().zip(panels) {
            let mut lines = scenario_lines(self.sweeps, *op, |r| Some(r.loss));
            let (y, (ylo, yhi)) = pole_axis(self.sweeps, *op, &lines, -3.0, 3.0);
            let (y, (ylo, yhi)) = match y {
                // the hard losses 0 and 1 always inside
                YAxis::Linear(lo, hi) => {
                    let (lo, hi) = (lo.min(-0.05), hi.max(1.05));
                    (YAxis::Linear(lo, hi), (lo, hi))
                }
                other => (other, (ylo, yhi)),
            };
            lines.extend(references(x, &self.hard(), series).0);
            lines.extend(pole_lines(self.sweeps, *op, (ylo, yhi)));
            let caption = match pole_note(self.sweeps, *op) {
                Some(note) => format!("{op}: {note}"),
                None => format!("{op}"),
            };
            draw_panel(
                &area,
                &panel(caption, x, y, "soft IoU loss  1 − I/U", lines),
            )?;
        }
        Ok(())
    }
}

/// Figure 2: |soft − hard| against κ·s on log–log axes, with the shift of ONE smooth max
/// at a tie (in units of s) dashed: a pair with several tied edges (identical boxes tie
/// at all four) can lie above it, up to one such shift per tied edge.
#[derive(Debug, Clone, Copy)]
pub struct ErrorFigure<'a> {
    /// The sweeps.
    pub sweeps: &'a [KappaSweep],
}

impl ErrorFigure<'_> {
    fn legend(&self) -> Vec<LegendEntry> {
        let extra = [LegendEntry::new(
            "shift of one smooth max at a tie, per tied edge (dashed)",
            BLACK,
            Mark::Dashed,
        )];
        scenario_legend(self.sweeps, &extra)
    }
}

impl Figure for ErrorFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 1, &self.legend())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ops, x, panels) = operator_panels(
            root,
            "Approximation error |soft − hard| against κ",
            self.sweeps,
            &self.legend(),
            1,
        )?;
        for (op, area) in ops.iter().zip(panels) {
            let mut lines = scenario_lines(self.sweeps, *op, |r| Some(r.abs_error));
            if let Some(c) = self.sweeps.first().and_then(|s| s.curve(*op)) {
                lines.push(Line {
                    label: None,
                    color: BLACK,
                    mark: Mark::Dashed,
                    points: c.rows.iter().map(|r| (r.kappa_s, r.bound_s)).collect(),
                });
            }
            let caption = match op {
                Smoothing::Boltzmann => format!("{op}  (dashed: 0.2785/(κ·s))"),
                _ => format!("{op}  (dashed: ln 2/(κ·s))"),
            };
            draw_panel(
                &area,
                &panel(
                    caption,
                    x,
                    YAxis::Log(1e-10, 10.0),
                    "|soft loss − hard loss|  (below 10⁻¹⁰ not drawn)",
                    lines,
                ),
            )?;
        }
        Ok(())
    }
}

const COMPONENTS: [&str; 4] = ["x_min", "y_min", "x_max", "y_max"];

/// Figure 3: the exact gradient components and norm (dual numbers) against κ·s for one
/// scenario, central-difference check points overlaid, hard gradient dashed (top row);
/// with more than one scenario a second row shows the gradient norm of every scenario.
#[derive(Debug, Clone, Copy)]
pub struct GradientFigure<'a> {
    /// The sweeps.
    pub sweeps: &'a [KappaSweep],
    /// Index of the scenario whose components are shown.
    pub focus: usize,
}

impl GradientFigure<'_> {
    fn rows(&self) -> usize {
        1 + usize::from(self.sweeps.len() > 1)
    }

    fn legend(&self) -> Vec<LegendEntry> {
        let mut legend: Vec<LegendEntry> = COMPONENTS
            .iter()
            .enumerate()
            .map(|(j, name)| LegendEntry::new(format!("s·∂L/∂{name}"), series(j), Mark::Solid))
            .collect();
        legend.push(LegendEntry::new("s·|∇L|", BLACK, Mark::Solid));
        legend.push(LegendEntry::new(
            "hard (thin dashes; grey where components share it)",
            BLACK,
            Mark::Reference,
        ));
        legend.push(LegendEntry::new(
            format!("central difference, h = {}·max(1, |x|)", sig(FD_STEP, 2)),
            BLACK,
            Mark::Circles,
        ));
        let poles = self.sweeps.get(self.focus).is_some_and(|s| {
            ops(self.sweeps)
                .iter()
                .any(|op| pole_note(std::slice::from_ref(s), *op).is_some())
        });
        if poles {
            legend.push(LegendEntry::new("pole (dotted)", BLACK, Mark::Dotted));
        }
        legend
    }
}

impl Figure for GradientFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let (w, h) = size_for(ops(self.sweeps).len(), self.rows(), &self.legend());
        match self.rows() {
            2 => (
                w,
                h + legend_height(&scenario_legend(self.sweeps, &[]), w, SIZES),
            ),
            _ => (w, h),
        }
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
            &self.legend(),
        )?;
        let ops = ops(self.sweeps);
        let x = x_range(self.sweeps);
        let n = ops.len().max(1);
        // top row: the components; bottom row (several scenarios): every scenario's norm,
        // under its own legend strip, since the colours mean scenarios there
        let (w, h) = area.dim_in_pixel();
        let (top, bottom) = if self.rows() == 2 {
            let strip = legend_height(&scenario_legend(self.sweeps, &[]), w, SIZES);
            let (a, b) = area.split_vertically(h.saturating_sub(strip) / 2);
            (a, Some(b))
        } else {
            (area.clone(), None)
        };
        let panels = top.split_evenly((1, n));
        let focus = std::slice::from_ref(s);
        for (k, op) in ops.iter().enumerate() {
            let Some(c) = s.curve(*op) else { continue };
            let mut lines = Vec::new();
            for (j, _) in COMPONENTS.iter().enumerate() {
                lines.push(Line {
                    label: None,
                    color: series(j),
                    mark: Mark::Solid,
                    points: c.rows.iter().map(|r| (r.kappa_s, r.grad_s[j])).collect(),
                });
            }
            lines.push(Line {
                label: None,
                color: BLACK,
                mark: Mark::Solid,
                points: c.rows.iter().map(|r| (r.kappa_s, r.grad_norm_s)).collect(),
            });
            // the range away from the poles (whose spikes would squash the rest)
            let (y, (ylo, yhi)) = pole_axis(focus, *op, &lines, -1e3, 1e3);
            let mut hard: Vec<Option<f64>> = s.hard.grad_s.iter().map(|g| Some(*g)).collect();
            hard.push(Some(s.hard.grad_norm_s));
            // the norm's reference in black, like its curve
            let colour = |j: usize| if j < 4 { series(j) } else { BLACK };
            lines.extend(references(x, &hard, colour).0);
            for j in 0..4 {
                lines.push(Line {
                    label: None,
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
            lines.extend(pole_lines(focus, *op, (ylo, yhi)));
            let caption = match pole_note(focus, *op) {
                Some(note) => format!("{op}: components and norm; {note}"),
                None => format!("{op}: components and norm"),
            };
            draw_panel(
                &panels[k],
                &panel(caption, x, y, "s · ∂loss/∂coordinate", lines),
            )?;
        }
        if let Some(bottom) = bottom {
            let rest = legend_strip(&bottom, &scenario_legend(self.sweeps, &[]), SIZES)?;
            let panels = rest.split_evenly((1, n));
            for (k, op) in ops.iter().enumerate() {
                let mut lines = scenario_lines(self.sweeps, *op, |r| Some(r.grad_norm_s));
                for l in &mut lines {
                    l.label = None;
                }
                let y = YAxis::log_auto(&lines, 1e-12, 1e3);
                draw_panel(
                    &panels[k],
                    &panel(
                        format!("{op}: gradient norm, every scenario"),
                        x,
                        y,
                        "s·|∇loss|  (log scale)",
                        lines,
                    ),
                )?;
            }
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

impl KappaDerivativeFigure<'_> {
    fn legend(&self) -> Vec<LegendEntry> {
        let extra = [
            LegendEntry::new("solid: positive", BLACK, Mark::Solid),
            LegendEntry::new(
                "dashed: negative (loss falls as κ grows)",
                BLACK,
                Mark::Dashed,
            ),
        ];
        scenario_legend(self.sweeps, &extra)
    }
}

impl Figure for KappaDerivativeFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 1, &self.legend())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ops, x, panels) = operator_panels(
            root,
            "Sensitivity of the loss to κ (exact, dual numbers)",
            self.sweeps,
            &self.legend(),
            1,
        )?;
        for (op, area) in ops.iter().zip(panels) {
            let mut lines = Vec::new();
            for (i, s) in self.sweeps.iter().enumerate() {
                if let Some(c) = s.curve(*op) {
                    // one line per sign, so that a log axis can show both
                    let pos = curve_line(i, s, c, |r| Some(r.kappa_dloss_dkappa));
                    let mut neg = pos.clone();
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
            draw_panel(
                &area,
                &panel(
                    format!("{op}"),
                    x,
                    YAxis::Log(1e-10, 1e2),
                    "|κ·∂loss/∂κ| = |∂loss/∂ln κ|  (log scale)",
                    lines,
                ),
            )?;
        }
        Ok(())
    }
}

/// Figure 7: the largest Hessian eigenvalue λmax·s² (top) and the stable gradient-descent
/// step 2/λmax in units of s² (bottom) against κ·s; hard values dashed (once, in grey,
/// where several scenarios share one).
#[derive(Debug, Clone, Copy)]
pub struct CurvatureFigure<'a> {
    /// The sweeps.
    pub sweeps: &'a [KappaSweep],
}

impl CurvatureFigure<'_> {
    fn hard_lambda(&self) -> Vec<Option<f64>> {
        self.sweeps
            .iter()
            // below 1e-12 the hard λmax is round-off of 0 (disjoint boxes): no reference
            .map(|s| (s.hard.lambda_max_s2 > 1e-12).then_some(s.hard.lambda_max_s2))
            .collect()
    }

    fn legend(&self) -> Vec<LegendEntry> {
        reference_and_pole_legend(
            self.sweeps,
            &self.hard_lambda(),
            "pole of the loss (dotted)",
        )
    }
}

impl Figure for CurvatureFigure<'_> {
    fn size(&self) -> (u32, u32) {
        size_for(ops(self.sweeps).len(), 2, &self.legend())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (ops, x, panels) = operator_panels(
            root,
            "Curvature: largest Hessian eigenvalue and the stable step",
            self.sweeps,
            &self.legend(),
            2,
        )?;
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
            let hard_lam = self.hard_lambda();
            let hard_step: Vec<Option<f64>> = hard_lam.iter().map(|v| v.map(|l| 2.0 / l)).collect();
            lam.extend(references(x, &hard_lam, series).0);
            step.extend(references(x, &hard_step, series).0);
            for (lines, axis) in [(&mut lam, ylam), (&mut step, ystep)] {
                let (YAxis::Linear(lo, hi) | YAxis::Log(lo, hi)) = axis;
                lines.extend(pole_lines(self.sweeps, *op, (lo, hi)));
            }
            draw_panel(
                &panels[k],
                &panel(
                    format!("{op}: largest Hessian eigenvalue (where > 0)"),
                    x,
                    ylam,
                    "λmax · s²  (log scale)",
                    lam,
                ),
            )?;
            draw_panel(
                &panels[ops.len() + k],
                &panel(
                    format!("{op}: stable gradient-descent step 2/λmax"),
                    x,
                    ystep,
                    "(2/λmax) / s²  (log scale)",
                    step,
                ),
            )?;
        }
        Ok(())
    }
}
