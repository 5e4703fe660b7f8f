//! The figures of one run (`softiou fit --out`): loss and hard IoU against step, and the
//! box's path in the plane.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::plane::{centre, draw_box, equal_aspect, plane_chart, plane_mesh, window};
use super::{TARGET_FILL, write_fit_gif};
use crate::bbox::BBox;
use crate::figures::error::Result;
use crate::figures::kit::style::{FONT, TICK, series};
use crate::figures::kit::{DrawResult, Figure, save_png, table::write_rows};
use crate::fit::{self, FitResult, FitStep};

/// One run: hard IoU and smoothed loss against step (left); the start, the boxes at some
/// steps, the centre path, the final box and the target (right).
#[derive(Debug, Clone, Copy)]
pub struct RunFigure<'a> {
    /// The run.
    pub run: &'a FitResult,
    /// Its target.
    pub target: &'a BBox<f64>,
    /// The figure title.
    pub title: &'a str,
}

impl Figure for RunFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 480)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (run, t) = (self.run, self.target);
        let max_loss = run.history.iter().map(|s| s.loss).fold(1.0, f64::max);
        let min_loss = run.history.iter().map(|s| s.loss).fold(0.0, f64::min);
        let root = root.titled(self.title, (FONT, TICK + 6))?;
        let (left, right) = root.split_horizontally(600);
        let mut chart = ChartBuilder::on(&left)
            .caption("hard IoU and smoothed loss against step", (FONT, TICK + 2))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(
                (1.0..run.steps as f64 + 2.0).log_scale(),
                min_loss - 0.02..max_loss + 0.02,
            )?;
        chart
            .configure_mesh()
            .x_desc("step + 1 (log scale)")
            .y_desc("value")
            .x_label_formatter(&|v| format!("{v}"))
            .label_style((FONT, TICK - 1))
            .draw()?;
        type Curve = (&'static str, fn(&FitStep) -> f64);
        let curves: [Curve; 2] = [("hard IoU", |s| s.hard_iou), ("smoothed loss", |s| s.loss)];
        for (i, (name, f)) in curves.into_iter().enumerate() {
            let c = series(4 * i);
            let pts: Vec<(f64, f64)> = run
                .history
                .iter()
                .map(|s| (s.step as f64 + 1.0, f(s)))
                .collect();
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::Coordinate(60, 150))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, TICK))
            .draw()?;
        let right = right.titled(
            "grey: target, black: start, orange: final box, blue: centre path, \
             pale: boxes at some steps",
            (FONT, TICK),
        )?;
        let (lo, hi) = window(t.to_xyxy(), run.history.iter().map(|s| &s.bbox));
        let (xr, yr) = equal_aspect(&right, lo, hi)?;
        let mut plane = plane_chart(&right, xr, yr)?;
        plane_mesh(&mut plane, true)?;
        draw_box(&mut plane, t.to_xyxy(), TARGET_FILL.filled())?;
        for k in fit::sample_steps_n(run.steps, 0, 12) {
            if let Some(s) = run.history.get(k) {
                draw_box(&mut plane, s.bbox, RGBColor(240, 180, 140).stroke_width(1))?;
            }
        }
        if let Some(first) = run.history.first() {
            draw_box(&mut plane, first.bbox, BLACK.stroke_width(2))?;
        }
        let centres: Vec<(f64, f64)> = run.history.iter().map(|s| centre(&s.bbox)).collect();
        plane.draw_series(LineSeries::new(centres, series(0).stroke_width(2)))?;
        draw_box(
            &mut plane,
            run.final_box.to_xyxy(),
            series(1).stroke_width(2),
        )
    }
}

/// Writes the data of [`RunFigure`]: every step of the run.
///
/// # Errors
/// [`crate::figures::Error::Output`] if the file cannot be written.
pub fn run_csv(path: &Path, run: &FitResult) -> Result<()> {
    let rows: Vec<Vec<String>> = run
        .history
        .iter()
        .map(|s| {
            let mut r = vec![
                s.step.to_string(),
                s.kappa.to_string(),
                s.loss.to_string(),
                s.hard_iou.to_string(),
                s.grad_norm.to_string(),
            ];
            r.extend(s.bbox.iter().map(f64::to_string));
            r
        })
        .collect();
    let header = [
        "step",
        "kappa",
        "loss",
        "hard_iou",
        "grad_norm",
        "x_min",
        "y_min",
        "x_max",
        "y_max",
    ];
    write_rows(path, &header, &rows)
}

/// Writes the figures of one run into `dir` (which must exist): `fit_run.png`
/// ([`RunFigure`]), `fit_run.csv` (every step: exactly the data drawn) and `fit_run.gif`.
/// Returns the paths.
///
/// # Errors
/// [`crate::figures::Error::Output`] if a file cannot be written.
pub fn write_run_figures(
    dir: &Path,
    run: &FitResult,
    t: &BBox<f64>,
    title: &str,
) -> Result<Vec<PathBuf>> {
    let png = dir.join("fit_run.png");
    let csv = dir.join("fit_run.csv");
    let gif = dir.join("fit_run.gif");
    run_csv(&csv, run)?;
    let fig = RunFigure {
        run,
        target: t,
        title,
    };
    save_png(&fig, &png)?;
    write_fit_gif(&gif, run, t, title)?;
    Ok(vec![png, csv, gif])
}
