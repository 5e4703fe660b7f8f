//! The animated GIF of a fit: the box moving onto its target.

use std::path::Path;

use plotters::prelude::*;

use super::TARGET_FILL;
use super::plane::{
    Swatch, centre, draw_box, draw_swatch, equal_aspect, plane_chart, plane_mesh, window,
};
use crate::bbox::BBox;
use crate::figures::error::{Error, Result};
use crate::figures::kit::style::{FONT, TICK, series};
use crate::figures::kit::write::{persist, temp_beside};
use crate::figures::kit::{gif_backend, register_fonts};
use crate::fit::{self, FitResult, FitStep};

/// Frame size in pixels.
const SIZE: (u32, u32) = (420, 360);
/// Delay between frames, milliseconds.
const FRAME_MS: u32 = 250;

fn output_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Writes an animated GIF of `run` (the box moving onto `t`) to `path`: about 25 frames
/// at steps from [`fit::sample_steps_n`], through a temporary file renamed on success.
///
/// # Errors
/// [`Error::Output`] if the file cannot be drawn or written; nothing is left at `path`.
pub fn write_fit_gif(path: &Path, run: &FitResult, t: &BBox<f64>, title: &str) -> Result<()> {
    register_fonts()?;
    let hist: Vec<FitStep> = fit::sample_steps_n(run.steps, 3, 22)
        .into_iter()
        .filter_map(|k| run.history.get(k).copied())
        .collect();
    let tmp = temp_beside(path, ".gif")?;
    draw_frames(tmp.path(), &hist, t, title).map_err(|e| output_error(path, e))?;
    persist(tmp, path).map_err(|e| output_error(path, e))?;
    Ok(())
}

fn draw_frames(
    file: &Path,
    hist: &[FitStep],
    t: &BBox<f64>,
    title: &str,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let (lo, hi) = window(t.to_xyxy(), hist.iter().map(|s| &s.bbox));
    let side = t.min_side();
    let root = gif_backend(file, SIZE, FRAME_MS)?.into_drawing_area();
    let (head, body) = root.split_vertically(68);
    let (xr, yr) = equal_aspect(&body, lo, hi)?;
    for (fi, s) in hist.iter().enumerate() {
        root.fill(&WHITE)?;
        head.draw(&Text::new(title, (10, 6), (FONT, TICK + 2)))?;
        let status = format!(
            "step {}   κ·s = {:.2}   hard IoU = {:.3}",
            s.step,
            s.kappa * side,
            s.hard_iou
        );
        head.draw(&Text::new(status, (10, 25), (FONT, TICK + 2)))?;
        // the key, in the colours drawn (no colour named in a title)
        let mut x = 10;
        for (label, swatch) in [
            ("target", Swatch::Fill(TARGET_FILL)),
            ("box", Swatch::Outline(series(4))),
            ("centre path", Swatch::Line(series(0))),
        ] {
            draw_swatch(&head, swatch, (x, 54))?;
            head.draw(&Text::new(label, (x + 32, 46), (FONT, TICK)))?;
            x += 40 + 8 * label.chars().count() as i32 + 16;
        }
        let mut chart = plane_chart(&body, xr, yr)?;
        plane_mesh(&mut chart, false)?;
        draw_box(&mut chart, t.to_xyxy(), TARGET_FILL.filled())?;
        let path: Vec<(f64, f64)> = hist[..=fi].iter().map(|h| centre(&h.bbox)).collect();
        chart.draw_series(LineSeries::new(path, series(0).stroke_width(1)))?;
        draw_box(&mut chart, s.bbox, series(4).stroke_width(3))?;
        root.present()?;
    }
    Ok(())
}
