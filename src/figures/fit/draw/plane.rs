//! Drawing helpers of the fitting figures: boxes in the coordinate plane at equal scales,
//! and a legend beside a grid of panels.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::figures::kit::DrawResult;
use crate::figures::kit::style::{FONT, TICK};

/// A chart in the coordinate plane.
pub(super) type Plane<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// An x range and a y range, coordinate units.
pub(super) type Window = ([f64; 2], [f64; 2]);

/// The centre of an `[x_min, y_min, x_max, y_max]` box (presentation: where a path is drawn).
pub(super) fn centre(b: &[f64; 4]) -> (f64, f64) {
    ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
}

/// A chart over `xr × yr` on `area`, with room for tick labels.
pub(super) fn plane_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    xr: [f64; 2],
    yr: [f64; 2],
) -> Result<Plane<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(44)
        .y_label_area_size(40)
        .build_cartesian_2d(xr[0]..xr[1], yr[0]..yr[1])
}

/// Axis ranges holding `lo..hi` (padded by 8 %) with equal scales on both axes in the
/// plotting area of [`plane_chart`] on `area`, so that a square box looks square.
pub(super) fn equal_aspect<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lo: [f64; 2],
    hi: [f64; 2],
) -> Result<Window, DrawingAreaErrorKind<DB::ErrorType>> {
    let pad = 0.08 * (hi[0] - lo[0]).max(hi[1] - lo[1]);
    let (xr, yr) = ([lo[0] - pad, hi[0] + pad], [lo[1] - pad, hi[1] + pad]);
    let (pw, ph) = plane_chart(area, xr, yr)?.plotting_area().dim_in_pixel();
    let per_px = ((xr[1] - xr[0]) / pw.max(1) as f64).max((yr[1] - yr[0]) / ph.max(1) as f64);
    let widen = |r: [f64; 2], px: u32| {
        let (c, h) = ((r[0] + r[1]) / 2.0, per_px * px as f64 / 2.0);
        [c - h, c + h]
    };
    Ok((widen(xr, pw), widen(yr, ph)))
}

/// The smallest window holding `first` and every box of `boxes`.
pub(super) fn window<'b>(first: [f64; 4], boxes: impl IntoIterator<Item = &'b [f64; 4]>) -> Window {
    let (mut lo, mut hi) = ([first[0], first[1]], [first[2], first[3]]);
    for b in boxes {
        lo = [lo[0].min(b[0]), lo[1].min(b[1])];
        hi = [hi[0].max(b[2]), hi[1].max(b[3])];
    }
    (lo, hi)
}

/// Draws the mesh of a plane chart (x and y in coordinate units).
pub(super) fn plane_mesh<DB: DrawingBackend>(chart: &mut Plane<'_, DB>, y: bool) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let mut mesh = chart.configure_mesh();
    mesh.x_desc("x (coordinate units)")
        .x_label_formatter(&|v| format!("{v}"))
        .y_label_formatter(&|v| format!("{v}"))
        .label_style((FONT, TICK - 1));
    if y {
        mesh.y_desc("y");
    }
    mesh.draw()?;
    Ok(())
}

/// Draws the box `b` with `style`.
pub(super) fn draw_box<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    b: [f64; 4],
    style: ShapeStyle,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    chart.draw_series(std::iter::once(Rectangle::new(
        [(b[0], b[1]), (b[2], b[3])],
        style,
    )))?;
    Ok(())
}

/// What a legend entry shows before its label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Swatch {
    /// A line (a series).
    Line(RGBColor),
    /// A filled square (an area, such as the target).
    Fill(RGBColor),
    /// An outlined square (a box drawn by its outline).
    Outline(RGBColor),
    /// Circles at the points.
    Circle(RGBColor),
    /// A cross at the points.
    Cross(RGBColor),
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LegendItem {
    /// Its label.
    pub label: String,
    /// What is drawn before it.
    pub swatch: Swatch,
}

/// Height of one legend line, pixels.
pub(super) const LEGEND_LINE: i32 = 24;

/// Draws `swatch` with its left end at `(x, y)` (y: the middle of the line).
pub(super) fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (x, y): (i32, i32),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    match swatch {
        Swatch::Line(c) => {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 28, y)],
                c.stroke_width(3),
            ))?;
        }
        Swatch::Fill(c) => {
            area.draw(&Rectangle::new(
                [(x + 6, y - 8), (x + 22, y + 8)],
                c.filled(),
            ))?;
        }
        Swatch::Outline(c) => {
            area.draw(&Rectangle::new(
                [(x + 6, y - 8), (x + 22, y + 8)],
                c.stroke_width(2),
            ))?;
        }
        Swatch::Circle(c) => area.draw(&Circle::new((x + 14, y), 5, c.stroke_width(2)))?,
        Swatch::Cross(c) => area.draw(&Cross::new((x + 14, y), 5, c.stroke_width(2)))?,
    }
    Ok(())
}

/// A vertical legend in `area` from `top` (pixels): the title, then one line per item.
/// Returns the y below the last line.
pub(super) fn side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    top: i32,
    title: &str,
    items: &[LegendItem],
) -> Result<i32, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    area.draw(&Text::new(title, (6, top), (FONT, TICK + 2)))?;
    let mut y = top + 30;
    for it in items {
        draw_swatch(area, it.swatch, (6, y + 8))?;
        area.draw(&Text::new(it.label.as_str(), (42, y), (FONT, TICK + 1)))?;
        y += LEGEND_LINE;
    }
    Ok(y)
}
