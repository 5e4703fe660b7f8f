//! Drawing helpers of the fitting figures: boxes in the coordinate plane at equal scales,
//! and a legend beside a grid of panels.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::figures::kit::DrawResult;
use crate::figures::kit::style::{FONT, TICK, series};

/// The palette index of each method of [`crate::fit::methods`]: `hard IoU` in black (it
/// never leaves the black start box), GIoU in grey, the others in colours.
const METHOD_COLOURS: [usize; 11] = [7, 1, 2, 3, 4, 5, 0, 6, 8, 9, 10];

/// The colour of method `i` (its index in [`crate::fit::FitSet::methods`]).
pub(super) fn method_colour(i: usize) -> RGBColor {
    series(METHOD_COLOURS[i % METHOD_COLOURS.len()])
}

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
        .x_label_area_size(30)
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

/// A vertical legend in `area`: a line in `method_colour(i)` and `labels[i]` for every non-empty
/// label (so that colours match the methods' indices).
pub(super) fn side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    labels: &[String],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    area.draw(&Text::new(title, (6, 50), (FONT, TICK + 2)))?;
    let mut y = 80;
    for (i, l) in labels.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
        area.draw(&PathElement::new(
            vec![(6, y + 7), (34, y + 7)],
            method_colour(i).stroke_width(3),
        ))?;
        area.draw(&Text::new(l.as_str(), (40, y), (FONT, TICK + 1)))?;
        y += 24;
    }
    Ok(())
}
