//! Figures of the fitting demo ([`crate::fit`]): PNG charts, each with a CSV of exactly
//! the data drawn, and an animated GIF of one box moving onto its target.
//!
//! Nothing here fits a box: the data come from [`crate::fit::FitSet`] (the standard set)
//! or from one [`crate::fit::FitResult`] (`softiou fit --out`). The figures implement
//! [`Figure`], so they render to PNG and SVG through [`crate::figures::kit::save_png`] and
//! [`crate::figures::kit::save_svg`]; the sets are written by
//! [`crate::figures::write_standard`] (into `fit/`) and
//! [`crate::figures::write_fit`].

mod anim;
mod plane;
// the figures of one `softiou fit --out` run: only the command line draws them
#[cfg(feature = "cli")]
mod run;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use anim::write_fit_gif;
#[cfg(feature = "cli")]
pub use run::write_run_figures;

use self::plane::{
    LEGEND_LINE, LegendItem, Swatch, centre, draw_box, draw_swatch, equal_aspect, plane_chart,
    plane_mesh, side_legend,
};
use super::data::{IOU_STEP_GROUPS, TRAJECTORY_METHODS, shown, trajectory_outcomes};
use crate::figures::kit::style::{AXIS, CAPTION, FONT, TICK, TITLE, lin_tick, series};
use crate::figures::kit::{DrawResult, Figure};
use crate::fit::{self, BIAS_STARTS, BiasPoint, FitSet, Optimizer, STARTS};
use crate::smooth::Smoothing;

/// Colour of the target box.
const TARGET_FILL: RGBColor = RGBColor(200, 200, 200);

/// Panel size of the IoU-against-step figure.
const STEP_PANEL: (u32, u32) = (400, 236);
/// Width of the legend column beside the panels.
const LEGEND_W: u32 = 300;
/// Height of a figure's title.
const TITLE_H: u32 = 56;

/// Hard IoU against step: one row of panels per method group and optimiser, one column
/// per start; each panel shows the group's methods (at most six).
#[derive(Debug, Clone, Copy)]
pub struct IouStepFigure<'a> {
    /// The runs.
    pub set: &'a FitSet,
}

impl Figure for IouStepFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = (IOU_STEP_GROUPS.len() * self.set.optimizers.len().max(1)) as u32;
        (
            STEP_PANEL.0 * STARTS.len() as u32 + LEGEND_W,
            STEP_PANEL.1 * rows + TITLE_H,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let set = self.set;
        let max_step = set
            .outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().ok().map(|r| r.steps))
            .max()
            .unwrap_or(1);
        let root = root.titled(
            "Hard IoU of the fitted box against step (target [15,3,25,13], side s = 10)",
            (FONT, TITLE),
        )?;
        let (plots, side) = root.split_horizontally(STEP_PANEL.0 * STARTS.len() as u32);
        let nopt = set.optimizers.len();
        let panels = plots.split_evenly((IOU_STEP_GROUPS.len() * nopt, STARTS.len()));
        for (gi, group) in IOU_STEP_GROUPS.iter().enumerate() {
            // the group's legend beside its first row
            let items: Vec<LegendItem> = group
                .methods
                .iter()
                .enumerate()
                .map(|(k, &m)| LegendItem {
                    label: set.methods.get(m).cloned().unwrap_or_default(),
                    swatch: Swatch::Line(series(k)),
                })
                .collect();
            let top = (gi * nopt) as i32 * STEP_PANEL.1 as i32 + 16;
            side_legend(&side, top, &format!("{} (s = 10):", group.name), &items)?;
            for (oi, &opt) in set.optimizers.iter().enumerate() {
                let row = gi * nopt + oi;
                for (si, start) in STARTS.iter().enumerate() {
                    let Some(panel) = panels.get(row * STARTS.len() + si) else {
                        continue;
                    };
                    let last_row = oi + 1 == nopt;
                    let mut chart = ChartBuilder::on(panel)
                        .caption(format!("{} start, {opt}", start.name), (FONT, TICK + 2))
                        .margin(6)
                        .margin_right(14)
                        .x_label_area_size(if last_row { 44 } else { 22 })
                        .y_label_area_size(if si == 0 { 56 } else { 36 })
                        .build_cartesian_2d(
                            (1.0..(max_step as f64 + 1.0)).log_scale(),
                            -0.04..1.04,
                        )?;
                    let mut mesh = chart.configure_mesh();
                    mesh.x_label_formatter(&|v| format!("{v}"))
                        .y_label_formatter(&lin_tick)
                        .y_labels(6)
                        .axis_desc_style((FONT, TICK + 1))
                        .label_style((FONT, TICK - 1))
                        .light_line_style(RGBColor(238, 238, 238))
                        .bold_line_style(RGBColor(215, 215, 215));
                    if last_row {
                        mesh.x_desc("step + 1 (log scale)");
                    }
                    if si == 0 {
                        mesh.y_desc("hard IoU");
                    }
                    mesh.draw()?;
                    for (k, &m) in group.methods.iter().enumerate() {
                        let Some(o) = set.methods.get(m).and_then(|name| {
                            set.outcomes
                                .iter()
                                .find(|o| o.optimizer == opt && o.start == si && &o.method == name)
                        }) else {
                            continue;
                        };
                        let pts = shown(o)
                            .iter()
                            .map(|s| (s.step as f64 + 1.0, s.hard_iou))
                            .collect::<Vec<_>>();
                        chart.draw_series(LineSeries::new(pts, series(k).stroke_width(2)))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The operators of the bias figure, one panel each.
const BIAS_OPS: [Smoothing; 2] = [Smoothing::LogSumExp, Smoothing::Boltzmann];
/// Height of the bias figure's legend strip.
const BIAS_LEGEND_H: u32 = 40;

/// Converged hard IoU against κ·s (the bias of the smoothed optimum), one panel per
/// operator.
#[derive(Debug, Clone, Copy)]
pub struct BiasFigure<'a> {
    /// The points of [`crate::fit::bias_curve`].
    pub points: &'a [BiasPoint],
}

impl Figure for BiasFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 560 + TITLE_H + BIAS_LEGEND_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let points = self.points;
        let lo = points
            .iter()
            .map(|p| p.kappa_s)
            .fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(|p| p.kappa_s).fold(0.0, f64::max);
        // a little room beyond the first and last κ·s, so that no marker is cut
        let (lo, hi) = (lo / 1.15, hi * 1.15);
        let root = root.titled(
            "Where a fixed-κ fit ends (soft IoU, Newton, target side s = 10)",
            (FONT, TITLE),
        )?;
        let h = root.dim_in_pixel().1;
        let (plots, legend) = root.split_vertically(h.saturating_sub(BIAS_LEGEND_H));
        let (line, marker, odd) = (series(0), series(4), BLACK);
        for (pi, (op, area)) in BIAS_OPS
            .iter()
            .zip(plots.split_evenly((1, BIAS_OPS.len())))
            .enumerate()
        {
            let mut chart = ChartBuilder::on(&area)
                .caption(op.to_string(), (FONT, CAPTION))
                .margin(12)
                .x_label_area_size(46)
                .y_label_area_size(if pi == 0 { 60 } else { 40 })
                // padded below 0 and above 1: markers at IoU 0 or 1 are drawn whole
                .build_cartesian_2d((lo..hi).log_scale(), -0.06..1.06)?;
            let mut mesh = chart.configure_mesh();
            mesh.x_desc("κ·s  (κ times the target side; log scale)")
                .x_label_formatter(&|v| format!("{v}"))
                .y_label_formatter(&lin_tick)
                .axis_desc_style((FONT, AXIS))
                .label_style((FONT, TICK))
                .light_line_style(RGBColor(238, 238, 238))
                .bold_line_style(RGBColor(215, 215, 215));
            if pi == 0 {
                mesh.y_desc("hard IoU of the final box");
            }
            mesh.draw()?;
            let of = |start: usize| -> Vec<&BiasPoint> {
                points
                    .iter()
                    .filter(|p| p.smoothing == *op && p.start == start)
                    .collect()
            };
            let xy = |p: &&BiasPoint| p.hard_iou.map(|v| (p.kappa_s, v));
            // start at the target: a line; just disjoint: circles
            chart.draw_series(LineSeries::new(
                of(0).iter().filter_map(xy),
                line.stroke_width(3),
            ))?;
            chart.draw_series(
                of(1)
                    .iter()
                    .filter_map(xy)
                    .map(|p| Circle::new(p, 6, marker.stroke_width(2))),
            )?;
            // where the fit did not end at a strict minimum (exact Hessian not positive
            // definite, or not converged), the hard IoU is that of a saddle or plateau
            chart.draw_series(
                points
                    .iter()
                    .filter(|p| p.smoothing == *op && !p.is_minimum)
                    .filter_map(|p| p.hard_iou.map(|v| (p.kappa_s, v)))
                    .map(|p| Cross::new(p, 4, odd.stroke_width(2))),
            )?;
        }
        let items = [
            (BIAS_STARTS[0].name, Swatch::Line(line)),
            (BIAS_STARTS[1].name, Swatch::Circle(marker)),
            (
                "not a strict local minimum (saddle, plateau or no convergence)",
                Swatch::Cross(odd),
            ),
        ];
        let mut x = 70;
        for (label, swatch) in items {
            draw_swatch(&legend, swatch, (x, 18))?;
            legend.draw(&Text::new(label, (x + 36, 9), (FONT, TICK + 1)))?;
            let style = (FONT, TICK + 1).into_text_style(&legend);
            x += 36 + legend.estimate_text_size(label, &style)?.0 as i32 + 36;
        }
        Ok(())
    }
}

/// The window of the trajectory panels: x then y range, coordinate units.
const WINDOW: plane::Window = ([-34.0, 30.0], [-6.0, 18.0]);
/// Panel size of the trajectory figure.
const TRAJECTORY_PANEL: (u32, u32) = (700, 390);

/// Paths of the box centre and final boxes, one panel per start (stacked), for one
/// optimiser.
#[derive(Debug, Clone, Copy)]
pub struct TrajectoryFigure<'a> {
    /// The runs.
    pub set: &'a FitSet,
    /// Whose runs are drawn.
    pub optimizer: Optimizer,
}

impl Figure for TrajectoryFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (
            TRAJECTORY_PANEL.0 + LEGEND_W,
            TRAJECTORY_PANEL.1 * STARTS.len() as u32 + TITLE_H,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (set, opt) = (self.set, self.optimizer);
        let root = root.titled(&format!("Box centre paths ({opt})"), (FONT, TITLE))?;
        let (plots, side) = root.split_horizontally(TRAJECTORY_PANEL.0);
        let mut items: Vec<LegendItem> = TRAJECTORY_METHODS
            .iter()
            .enumerate()
            .map(|(k, &m)| LegendItem {
                label: set.methods.get(m).cloned().unwrap_or_default(),
                swatch: Swatch::Line(series(k)),
            })
            .collect();
        let y = side_legend(&side, 30, "method (s = 10): centre path", &items)?;
        items = vec![
            LegendItem {
                label: "target".into(),
                swatch: Swatch::Fill(TARGET_FILL),
            },
            LegendItem {
                label: "start box".into(),
                swatch: Swatch::Outline(BLACK),
            },
        ];
        let y = side_legend(&side, y + 20, "boxes", &items)?;
        for (i, l) in [
            "final box: thin outline in the",
            "method's colour (a flat line: a",
            "box squashed to zero height)",
        ]
        .iter()
        .enumerate()
        {
            side.draw(&Text::new(
                *l,
                (6, y + 4 + i as i32 * (LEGEND_LINE - 4)),
                (FONT, TICK + 1),
            ))?;
        }
        for (si, panel) in plots.split_evenly((STARTS.len(), 1)).iter().enumerate() {
            let (wx, wy) = WINDOW;
            let panel = panel.titled(&format!("{} start", STARTS[si].name), (FONT, CAPTION))?;
            let (xr, yr) = equal_aspect(&panel, [wx[0], wy[0]], [wx[1], wy[1]])?;
            let mut chart = plane_chart(&panel, xr, yr)?;
            plane_mesh(&mut chart, true)?;
            draw_box(&mut chart, FitSet::TARGET, TARGET_FILL.filled())?;
            draw_box(&mut chart, STARTS[si].pred, BLACK.stroke_width(2))?;
            for o in trajectory_outcomes(set, opt).filter(|o| o.start == si) {
                let Ok(r) = &o.result else { continue };
                let k = TRAJECTORY_METHODS
                    .iter()
                    .position(|&m| set.methods.get(m) == Some(&o.method))
                    .unwrap_or(0);
                let c = series(k);
                let pts: Vec<(f64, f64)> = fit::sampled_history(r)
                    .iter()
                    .map(|s| centre(&s.bbox))
                    .collect();
                chart.draw_series(LineSeries::new(pts, c.stroke_width(2)))?;
                draw_box(&mut chart, r.final_box.to_xyxy(), c.stroke_width(1))?;
            }
        }
        Ok(())
    }
}
