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
    centre, draw_box, equal_aspect, method_colour, plane_chart, plane_mesh, side_legend,
};
use super::data::{TRAJECTORY_METHODS, shown, trajectory_outcomes};
use crate::figures::kit::style::{AXIS, CAPTION, FONT, TICK, TITLE, series};
use crate::figures::kit::{DrawResult, Figure};
use crate::fit::{self, BIAS_STARTS, BiasPoint, FitSet, Optimizer, STARTS, TARGET};
use crate::smooth::Smoothing;

/// Colour of the target box.
const TARGET_FILL: RGBColor = RGBColor(200, 200, 200);

/// The colour index of a method: its position in [`FitSet::methods`].
fn method_index(set: &FitSet, method: &str) -> usize {
    set.methods.iter().position(|l| l == method).unwrap_or(0)
}

/// Hard IoU against step, one panel per (optimiser, start), one line per method.
#[derive(Debug, Clone, Copy)]
pub struct IouStepFigure<'a> {
    /// The runs.
    pub set: &'a FitSet,
}

impl Figure for IouStepFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1700, 300 * self.set.optimizers.len().max(1) as u32 + 60)
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
        let (plots, side) = root.split_horizontally(1400);
        side_legend(&side, "method (κ·s, s = 10)", &set.methods)?;
        let panels = plots.split_evenly((set.optimizers.len(), STARTS.len()));
        for (pi, panel) in panels.iter().enumerate() {
            let (opt, si) = (set.optimizers[pi / STARTS.len()], pi % STARTS.len());
            let start = STARTS[si];
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("{} start {:?}, {opt}", start.name, start.pred),
                    (FONT, TICK + 2),
                )
                .margin(8)
                .x_label_area_size(36)
                .y_label_area_size(48)
                .build_cartesian_2d((1.0..(max_step as f64 + 1.0)).log_scale(), -0.02..1.02)?;
            chart
                .configure_mesh()
                .x_desc("step + 1 (log scale)")
                .x_label_formatter(&|v| format!("{v}"))
                .y_desc("hard IoU")
                .label_style((FONT, TICK - 1))
                .draw()?;
            for o in set
                .outcomes
                .iter()
                .filter(|o| o.optimizer == opt && o.start == si)
            {
                let c = method_colour(method_index(set, &o.method));
                let pts = shown(o)
                    .iter()
                    .map(|s| (s.step as f64 + 1.0, s.hard_iou))
                    .collect::<Vec<_>>();
                chart.draw_series(LineSeries::new(pts, c.stroke_width(2)))?;
            }
        }
        Ok(())
    }
}

/// Converged hard IoU against κ·s: the bias of the smoothed optimum.
#[derive(Debug, Clone, Copy)]
pub struct BiasFigure<'a> {
    /// The points of [`crate::fit::bias_curve`].
    pub points: &'a [BiasPoint],
}

impl Figure for BiasFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 640)
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
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Where a fixed-κ fit ends (soft IoU, Newton, target side s = 10)",
                (FONT, CAPTION + 2),
            )
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(60)
            .build_cartesian_2d((lo..hi).log_scale(), -0.02..1.02)?;
        chart
            .configure_mesh()
            .x_desc("κ·s  (κ times the target side, dimensionless; log scale)")
            .x_label_formatter(&|v| format!("{v}"))
            .y_desc("hard IoU of the final box")
            .axis_desc_style((FONT, AXIS))
            .label_style((FONT, TICK))
            .draw()?;
        for (ci, op) in [Smoothing::LogSumExp, Smoothing::Boltzmann]
            .into_iter()
            .enumerate()
        {
            let c = series(4 * ci);
            for (start, bias_start) in BIAS_STARTS.iter().enumerate() {
                let pts: Vec<(f64, f64)> = points
                    .iter()
                    .filter(|p| p.smoothing == op && p.start == start)
                    .filter_map(|p| p.hard_iou.map(|v| (p.kappa_s, v)))
                    .collect();
                let label = format!("{op}, {}", bias_start.name);
                if start == 0 {
                    chart
                        .draw_series(LineSeries::new(pts, c.stroke_width(3)))?
                        .label(label)
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                        });
                } else {
                    chart
                        .draw_series(pts.iter().map(|&p| Circle::new(p, 5, c.stroke_width(2))))?
                        .label(label)
                        .legend(move |(x, y)| Circle::new((x + 12, y), 5, c.stroke_width(2)));
                }
            }
        }
        // Where the fit did not end at a strict minimum (exact Hessian not positive
        // definite, or not converged), the hard IoU is that of a saddle or plateau.
        let odd: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| !p.is_minimum)
            .filter_map(|p| p.hard_iou.map(|v| (p.kappa_s, v)))
            .collect();
        chart
            .draw_series(
                odd.into_iter()
                    .map(|p| Cross::new(p, 4, BLACK.stroke_width(2))),
            )?
            .label("not a local minimum (saddle, plateau or no convergence)")
            .legend(|(x, y)| Cross::new((x + 12, y), 4, BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, TICK + 1))
            .draw()?;
        Ok(())
    }
}

/// The window of the trajectory panels: x then y range, coordinate units.
const WINDOW: plane::Window = ([-34.0, 30.0], [-6.0, 18.0]);

/// Paths of the box centre and final boxes, one panel per start, for one optimiser.
#[derive(Debug, Clone, Copy)]
pub struct TrajectoryFigure<'a> {
    /// The runs.
    pub set: &'a FitSet,
    /// Whose runs are drawn.
    pub optimizer: Optimizer,
}

impl Figure for TrajectoryFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1760, 330)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (set, opt) = (self.set, self.optimizer);
        let root = root.titled(
            &format!(
                "Box centre paths ({opt}); thin outline = final box (a flat line: a box squashed to zero height), grey = target, black = start"
            ),
            (FONT, CAPTION + 2),
        )?;
        let (plots, side) = root.split_horizontally(1500);
        // the legend keeps the colour of the method's index in `methods`
        let legend: Vec<String> = (0..set.methods.len())
            .map(|i| match TRAJECTORY_METHODS.contains(&i) {
                true => set.methods[i].clone(),
                false => String::new(),
            })
            .collect();
        side_legend(&side, "method (s = 10)", &legend)?;
        for (si, panel) in plots.split_evenly((1, STARTS.len())).iter().enumerate() {
            let (wx, wy) = WINDOW;
            let panel = panel.titled(&format!("{} start", STARTS[si].name), (FONT, TICK + 3))?;
            let (xr, yr) = equal_aspect(&panel, [wx[0], wy[0]], [wx[1], wy[1]])?;
            let mut chart = plane_chart(&panel, xr, yr)?;
            plane_mesh(&mut chart, true)?;
            draw_box(&mut chart, TARGET, TARGET_FILL.filled())?;
            draw_box(&mut chart, STARTS[si].pred, BLACK.stroke_width(2))?;
            for o in trajectory_outcomes(set, opt).filter(|o| o.start == si) {
                let Ok(r) = &o.result else { continue };
                let c = method_colour(method_index(set, &o.method));
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
