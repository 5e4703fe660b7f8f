//! Figure 8: the finite-difference step study (relative error against step for each
//! stencil, the V-shaped curves) against the relative error of the dual-number derivative.

use plotters::coord::Shift;
use plotters::element::EmptyElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::StepPanel;
use crate::figures::kit::style::{AXIS, CAPTION, FONT, TICK, TITLE, runs, series};
use crate::figures::kit::{DrawResult, Figure};

const PANEL_W: u32 = 760;
const PANEL_H: u32 = 580;
const TITLE_H: u32 = 64;
/// Height of the legend strip below the panels (one row).
const LEGEND_H: u32 = 44;
/// Relative errors below this are drawn at it (an error of exactly 0 has no place on a
/// log axis).
const FLOOR: f64 = 1e-18;
/// The top of the y axis (a relative error of 1: no correct digit).
const CEIL: f64 = 1.0;

/// Tick labels of a log axis, all in one format: `1e-12` … `1e0`.
fn exp_tick(v: &f64) -> String {
    format!("1e{}", v.log10().round() as i32)
}

/// The stencils drawn: name, colour index and the column of [`StepPanel::relative_rows`].
type StencilColumn = (&'static str, usize, fn(&(f64, f64, f64, f64)) -> f64);
const STENCILS: [StencilColumn; 3] = [
    ("central, 2nd order", 0, |r| r.1),
    ("central, 4th order", 1, |r| r.2),
    ("Richardson (3 levels)", 2, |r| r.3),
];

/// Figure 8: one panel per reference point, one legend below them.
#[derive(Debug, Clone, Copy)]
pub struct StepFigure<'a> {
    /// The studies.
    pub panels: &'a [StepPanel],
}

impl Figure for StepFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (
            PANEL_W * self.panels.len().max(1) as u32,
            PANEL_H + TITLE_H + LEGEND_H,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let root = root.titled(
            "Finite differences vs dual numbers: relative error of ∂loss/∂P.x_min against a high-precision reference",
            (FONT, TITLE - 2),
        )?;
        let h = root.dim_in_pixel().1;
        let (plots, legend) = root.split_vertically(h.saturating_sub(LEGEND_H));
        for (p, area) in self
            .panels
            .iter()
            .zip(plots.split_evenly((1, self.panels.len())))
        {
            draw_one(&area, p)?;
        }
        draw_legend(&legend)
    }
}

fn draw_one<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &StepPanel) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let rows = p.relative_rows();
    let (h0, h1) = rows.iter().fold((f64::INFINITY, 0.0_f64), |(a, b), r| {
        (a.min(r.0), b.max(r.0))
    });
    let pt = &p.point;
    let mut ch = ChartBuilder::on(area)
        .caption(
            format!(
                "{}  (κ = {:.4} per coordinate unit; reference row {})",
                pt.name, pt.kappa, pt.reference_line
            ),
            (FONT, CAPTION),
        )
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .build_cartesian_2d((h0..h1).log_scale(), (FLOOR..CEIL).log_scale())?;
    ch.configure_mesh()
        .x_desc("relative step h  (perturbation h·max(1, |x_min|), |x_min| ≈ 27–41)")
        .y_desc("|derivative − reference| / |reference|")
        .axis_desc_style((FONT, AXIS))
        .label_style((FONT, TICK))
        .x_label_formatter(&exp_tick)
        .y_label_formatter(&exp_tick)
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()?;
    for (_, colour, column) in STENCILS {
        let pts = rows.iter().map(|r| (r.0, column(r).max(FLOOR)));
        for run in runs(pts, FLOOR, CEIL) {
            ch.draw_series(LineSeries::new(run, series(colour).stroke_width(2)))?;
        }
    }
    let dual = p.dual_rel_error().max(FLOOR);
    ch.draw_series(DashedLineSeries::new(
        [(h0, dual), (h1, dual)],
        8,
        6,
        BLACK.stroke_width(2),
    ))?;
    // the dual number's error, written above its line at the left (where no stencil
    // comes near: their errors there are above 1e-9)
    let style = (FONT, TICK + 2)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    ch.draw_series(std::iter::once(
        EmptyElement::at((h0, dual))
            + Text::new(
                format!("dual numbers: {:.1e} (no step)", p.dual_rel_error()),
                (8, -6),
                style,
            ),
    ))?;
    Ok(())
}

/// The legend strip: the three stencils and the dual numbers, in one row.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let mut x = 90;
    let y = 14;
    let text = (FONT, TICK + 2);
    for (name, colour, _) in STENCILS {
        area.draw(&PathElement::new(
            vec![(x, y + 8), (x + 28, y + 8)],
            series(colour).stroke_width(3),
        ))?;
        area.draw(&Text::new(name, (x + 36, y), text))?;
        x += 36
            + area
                .estimate_text_size(name, &text.into_text_style(area))?
                .0 as i32
            + 40;
    }
    let s = BLACK.stroke_width(2);
    area.draw(&PathElement::new(vec![(x, y + 8), (x + 10, y + 8)], s))?;
    area.draw(&PathElement::new(vec![(x + 17, y + 8), (x + 28, y + 8)], s))?;
    area.draw(&Text::new(
        "dual numbers (exact derivative, rounded to f64)",
        (x + 36, y),
        text,
    ))?;
    Ok(())
}
