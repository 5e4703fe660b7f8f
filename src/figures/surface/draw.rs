//! Figures 5 and 6: loss surfaces (heatmaps with contours) and gradient fields (arrows)
//! over translations of the predicted box.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::EmptyElement;
use plotters::prelude::*;

use super::contour::Contour;
use super::data::{GradientField, Surface};
use crate::figures::kit::style::{AXIS, CAPTION, FONT, TICK, TITLE, lin_tick, viridis};
use crate::figures::kit::{DrawResult, Figure};

const PANEL: u32 = 620;
const TITLE_H: u32 = 64;
const BAR_W: u32 = 150;
const X_DESC: &str = "dx / s  (P's centre − T's centre, in target sides)";
const Y_DESC: &str = "dy / s";
const TARGET: RGBColor = RGBColor(220, 20, 60);
const OVERLAP: RGBColor = RGBColor(255, 255, 255);

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn grid_panels(n: usize) -> (usize, usize) {
    if n <= 2 {
        (1, n.max(1))
    } else {
        (n.div_ceil(2), 2)
    }
}

fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    half: f64,
) -> std::result::Result<Chart<'a, DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let mut c = ChartBuilder::on(area)
        .caption(caption, (FONT, CAPTION))
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(60)
        .build_cartesian_2d(-half..half, -half..half)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc(X_DESC)
        .y_desc(Y_DESC)
        .axis_desc_style((FONT, AXIS))
        .label_style((FONT, TICK))
        .x_label_formatter(&lin_tick)
        .y_label_formatter(&lin_tick)
        .draw()?;
    Ok(c)
}

/// Target outline (|d| ≤ 1/2 in centre offsets) and the boundary of the overlap region
/// (|d| < 1), with legend entries when `legend` is set.
fn outlines<'a, DB: DrawingBackend + 'a>(
    c: &mut Chart<'a, DB>,
    legend: bool,
    edge: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let sq = |h: f64| vec![(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)];
    let a = c.draw_series(LineSeries::new(sq(0.5), TARGET.stroke_width(3)))?;
    if legend {
        a.label("target T (P = T at the origin)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], TARGET.stroke_width(3)));
    }
    let b = c.draw_series(DashedLineSeries::new(sq(1.0), 6, 5, edge.stroke_width(2)))?;
    if legend {
        b.label("edge of overlap: P ∩ T ≠ ∅ inside")
            .legend(|(x, y)| {
                let g = RGBColor(90, 90, 90).stroke_width(2);
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (8, 0)], g)
                    + PathElement::new(vec![(14, 0), (22, 0)], g)
            });
    }
    Ok(())
}

fn legend_box<'a, DB: DrawingBackend + 'a>(c: &mut Chart<'a, DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, TICK))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(150, 150, 150))
        .draw()?;
    Ok(())
}

/// Figure 5: heatmaps of the loss over offsets, contour lines, the target outlined, and a
/// shared colour bar.
#[derive(Debug, Clone, Copy)]
pub struct SurfaceFigure<'a> {
    /// The surfaces (hard first, then the smooth settings).
    pub surfaces: &'a [Surface],
    /// Contour lines of each surface.
    pub contours: &'a [Vec<Contour>],
}

impl Figure for SurfaceFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid_panels(self.surfaces.len());
        (PANEL * c as u32 + BAR_W, PANEL * r as u32 + TITLE_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let side = self.surfaces.first().map_or(1.0, |s| s.target.min_side());
        let root = root.titled(
            &format!(
                "Loss over translations of P (target side s = {side}; physical κ = (κ·s)/{side})"
            ),
            (FONT, TITLE),
        )?;
        let (w, _) = root.dim_in_pixel();
        let (main, bar) = root.split_horizontally(w.saturating_sub(BAR_W));
        // colour range: all finite values, limited to [-0.5, 1.5] so that a far outlier
        // cannot wash out the picture
        let (lo, hi) = self
            .surfaces
            .iter()
            .flat_map(|s| s.loss.iter().copied())
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let (lo, hi) = if lo < hi {
            (lo.max(-0.5), hi.min(1.5))
        } else {
            (0.0, 1.0)
        };
        let t = |v: f64| (v - lo) / (hi - lo);
        let (r, c) = grid_panels(self.surfaces.len());
        for (k, (s, area)) in self
            .surfaces
            .iter()
            .zip(main.split_evenly((r, c)))
            .enumerate()
        {
            let n = s.offsets.len();
            let step = if n > 1 {
                s.offsets[1] - s.offsets[0]
            } else {
                1.0
            };
            let half = s.offsets.last().copied().unwrap_or(1.0) + step / 2.0;
            let mut ch = chart(&area, &s.setting.label(), half)?;
            ch.draw_series((0..n * n).map(|i| {
                let (x, y) = (s.offsets[i % n], s.offsets[i / n]);
                let v = s.loss[i];
                let color = if v.is_finite() {
                    viridis(t(v))
                } else {
                    RGBColor(160, 160, 160)
                };
                Rectangle::new(
                    [
                        (x - step / 2.0, y - step / 2.0),
                        (x + step / 2.0, y + step / 2.0),
                    ],
                    color.filled(),
                )
            }))?;
            if let Some(cs) = self.contours.get(k) {
                for (j, cl) in cs.iter().enumerate() {
                    let a = ch.draw_series(cl.segments.iter().map(|seg| {
                        PathElement::new(vec![seg[0], seg[1]], WHITE.stroke_width(1))
                    }))?;
                    if k == 0 && j == 0 {
                        let levels: Vec<String> = cs.iter().map(|c| lin_tick(&c.level)).collect();
                        a.label(format!("contours: loss = {}", levels.join(", ")))
                            .legend(|(x, y)| {
                                PathElement::new(vec![(x, y), (x + 22, y)], RGBColor(90, 90, 90))
                            });
                    }
                    // label each level at its rightmost point
                    let right = cl
                        .segments
                        .iter()
                        .flatten()
                        .copied()
                        .max_by(|a, b| a.0.total_cmp(&b.0));
                    if let Some(pt) = right {
                        ch.draw_series(std::iter::once(Text::new(
                            lin_tick(&cl.level),
                            pt,
                            (FONT, 13).into_font().color(&WHITE),
                        )))?;
                    }
                }
            }
            outlines(&mut ch, k == 0, OVERLAP)?;
            if k == 0 {
                legend_box(&mut ch)?;
            }
        }
        let mut cb = ChartBuilder::on(&bar)
            .margin_top(40)
            .margin_bottom(60)
            .margin_right(10)
            .y_label_area_size(70)
            .caption("loss", (FONT, AXIS))
            .build_cartesian_2d(0.0..1.0, lo..hi)?;
        cb.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .label_style((FONT, TICK))
            .y_label_formatter(&lin_tick)
            .draw()?;
        let m = 200;
        cb.draw_series((0..m).map(|i| {
            let (a, b) = (i as f64 / m as f64, (i + 1) as f64 / m as f64);
            let (ya, yb) = (lo + a * (hi - lo), lo + b * (hi - lo));
            Rectangle::new([(0.0, ya), (1.0, yb)], viridis((a + b) / 2.0).filled())
        }))?;
        Ok(())
    }
}

/// Figure 6: arrows of −∇loss (with respect to the translation) over the offsets; points
/// where the gradient is exactly zero are marked with a cross.
#[derive(Debug, Clone, Copy)]
pub struct FieldFigure<'a> {
    /// The gradient fields.
    pub fields: &'a [GradientField],
    /// The target side s (for the title).
    pub side: f64,
}

impl Figure for FieldFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid_panels(self.fields.len());
        (PANEL * c as u32, PANEL * r as u32 + TITLE_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let side = self.side;
        let root = root.titled(
            &format!(
                "Descent direction −∇loss over translations of P (s = {side}; physical κ = (κ·s)/{side})"
            ),
            (FONT, TITLE),
        )?;
        let (r, c) = grid_panels(self.fields.len());
        for (k, (f, area)) in self
            .fields
            .iter()
            .zip(root.split_evenly((r, c)))
            .enumerate()
        {
            let n = f.offsets.len();
            let step = if n > 1 {
                f.offsets[1] - f.offsets[0]
            } else {
                1.0
            };
            let half = f.offsets.last().copied().unwrap_or(1.0) + step / 2.0;
            let mags = f.magnitudes();
            let max = mags
                .iter()
                .copied()
                .filter(|m| m.is_finite())
                .fold(0.0, f64::max);
            let scale = if max > 0.0 { 0.9 * step / max } else { 0.0 };
            let caption = format!("{}   (longest arrow: |∇| = {:.3})", f.setting.label(), max);
            let mut ch = chart(&area, &caption, half)?;
            let arrow = RGBColor(30, 60, 150);
            // shaft and the two barbs as separate straight pieces: a polyline that doubles
            // back on itself gets miter spikes at thick stroke widths
            let mut pieces = Vec::new();
            for i in (0..n * n).filter(|&i| mags[i] > 0.0) {
                let (x, y) = (f.offsets[i % n], f.offsets[i / n]);
                let (u, v) = (f.gx[i] * scale, f.gy[i] * scale);
                let tip = (x + u, y + v);
                let (hx, hy) = (-u * 0.3, -v * 0.3);
                let (c, s) = (0.5f64.cos(), 0.5f64.sin());
                pieces.push([(x, y), tip]);
                pieces.push([tip, (tip.0 + hx * c - hy * s, tip.1 + hx * s + hy * c)]);
                pieces.push([tip, (tip.0 + hx * c + hy * s, tip.1 - hx * s + hy * c)]);
            }
            let a = ch.draw_series(
                pieces
                    .into_iter()
                    .map(|p| PathElement::new(p.to_vec(), arrow.stroke_width(2))),
            )?;
            if k == 0 {
                a.label("−∇loss, length ∝ |∇|").legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], arrow.stroke_width(2))
                });
            }
            let zero = RGBColor(120, 120, 120);
            let z = ch.draw_series((0..n * n).filter(|&i| mags[i] == 0.0).map(|i| {
                Cross::new(
                    (f.offsets[i % n], f.offsets[i / n]),
                    4,
                    zero.stroke_width(1),
                )
            }))?;
            if k == 0 {
                z.label("gradient exactly 0")
                    .legend(move |(x, y)| Cross::new((x + 10, y), 4, zero.stroke_width(1)));
            }
            outlines(&mut ch, k == 0, RGBColor(90, 90, 90))?;
            if k == 0 {
                legend_box(&mut ch)?;
            }
        }
        Ok(())
    }
}
