//! Figures 5 and 6: loss surfaces (heatmaps with contours) and gradient fields (arrows)
//! over translations of the predicted box.
//!
//! Both keep their legends in a strip below the panels, never over data. Figure 5 gives
//! each panel its own colour scale and colour bar (the κ·s = 0.5 surface spans only
//! 0.69–0.81, so one scale for all would paint it one colour) and its own contour levels
//! ([`super::contour::contour_levels`]), labelled where no label, panel edge or outline is
//! in the way. Figure 6 scales the arrows per panel, with a reference arrow above each
//! panel: the longest arrows of the panels differ about 20-fold, so on one scale the
//! κ·s = 0.5 panel's arrows would be a pixel or two long.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::EmptyElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::contour::Contour;
use super::data::{GradientField, Surface};
use crate::figures::kit::style::{AXIS, CAPTION, FONT, TICK, TITLE, series, viridis};
use crate::figures::kit::{DrawResult, Figure};

const PANEL: u32 = 600;
const TITLE_H: u32 = 64;
/// Height of the strip above each panel (its caption, and in figure 6 its arrow scale).
const CAPTION_H: u32 = 34;
/// Width of each panel's colour bar in figure 5.
const BAR_W: u32 = 100;
/// Height of the legend strip below the panels.
const LEGEND_H: u32 = 72;
/// Margin and x label area of a panel's chart (the colour bar is aligned with them).
const MARGIN: u32 = 10;
const X_LABEL_H: u32 = 48;
const X_DESC: &str = "dx / s  (P's centre − T's centre, in target sides)";
const Y_DESC: &str = "dy / s";
/// Colour of the target's outline.
fn target_colour() -> RGBColor {
    series(4)
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn grid_panels(n: usize) -> (usize, usize) {
    if n <= 2 {
        (1, n.max(1))
    } else {
        (n.div_ceil(2), 2)
    }
}

/// Decimals that tick labels need on an axis spanning `span` with about five ticks (one
/// format for the whole axis).
fn decimals(span: f64) -> usize {
    if span.is_finite() && span > 0.0 {
        (-(span / 5.0).log10()).ceil().max(0.0) as usize
    } else {
        1
    }
}

fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    half: f64,
) -> std::result::Result<Chart<'a, DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let mut c = ChartBuilder::on(area)
        .margin(MARGIN)
        .x_label_area_size(X_LABEL_H)
        .y_label_area_size(60)
        .build_cartesian_2d(-half..half, -half..half)?;
    let fmt = |v: &f64| format!("{v:.1}");
    c.configure_mesh()
        .disable_mesh()
        .x_desc(X_DESC)
        .y_desc(Y_DESC)
        .axis_desc_style((FONT, AXIS))
        .label_style((FONT, TICK))
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .draw()?;
    Ok(c)
}

/// Writes `text` centred in the caption strip above the plotting area of a panel `width`
/// pixels wide (its y label area is 60 px).
fn caption<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, width: u32) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let style = (FONT, CAPTION)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    // the plotting area spans [MARGIN + 60, width − MARGIN]: centred over it
    let x = (60 + width) as i32 / 2;
    area.draw(&Text::new(text, (x, CAPTION_H as i32 / 2), style))?;
    Ok(())
}

/// Target outline (|d| ≤ 1/2 in centre offsets) and the boundary of the overlap region
/// (|d| < 1).
fn outlines<'a, DB: DrawingBackend + 'a>(c: &mut Chart<'a, DB>, edge: RGBColor) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let sq = |h: f64| vec![(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)];
    c.draw_series(LineSeries::new(sq(0.5), target_colour().stroke_width(3)))?;
    c.draw_series(DashedLineSeries::new(sq(1.0), 6, 5, edge.stroke_width(2)))?;
    Ok(())
}

/// A rectangle in backend pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl Rect {
    fn around((x, y): (i32, i32), w: i32, h: i32) -> Rect {
        Rect {
            x0: x - w / 2,
            y0: y - h / 2,
            x1: x + w / 2,
            y1: y + h / 2,
        }
    }

    fn grown(self, d: i32) -> Rect {
        Rect {
            x0: self.x0 - d,
            y0: self.y0 - d,
            x1: self.x1 + d,
            y1: self.y1 + d,
        }
    }

    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }

    /// Whether `self` touches the outline of `sq` (within `pad` pixels of it).
    fn crosses_outline(&self, sq: &Rect, pad: i32) -> bool {
        self.overlaps(&sq.grown(pad)) && !self.inside(&sq.grown(-pad))
    }
}

/// Labels every contour level once, at a point of its line where the label fits inside
/// the plotting area, touches neither the target outline nor the overlap edge, and keeps
/// clear of the labels already placed; among those points, the one nearest the lower
/// right diagonal. A level with no such point stays unlabelled (its colour is on the bar).
fn label_contours<'a, DB: DrawingBackend + 'a>(
    ch: &mut Chart<'a, DB>,
    contours: &[Contour],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (xs, ys) = ch.plotting_area().get_pixel_range();
    let plot = Rect {
        x0: xs.start,
        y0: ys.start,
        x1: xs.end,
        y1: ys.end,
    }
    .grown(-4);
    let square = |h: f64| {
        let (a, b) = (ch.backend_coord(&(-h, h)), ch.backend_coord(&(h, -h)));
        Rect {
            x0: a.0,
            y0: a.1,
            x1: b.0,
            y1: b.1,
        }
    };
    let (target, overlap) = (square(0.5), square(1.0));
    let text_style = (FONT, TICK).into_text_style(ch.plotting_area());
    let mut placed: Vec<Rect> = Vec::new();
    let preferred = -std::f64::consts::FRAC_PI_4;
    for cl in contours {
        let text = format!("{}", cl.level);
        let (tw, th) = ch
            .plotting_area()
            .estimate_text_size(&text, &text_style)
            .unwrap_or((8 * text.len() as u32, 14));
        let (w, h) = (tw as i32 + 8, th as i32 + 6);
        let mut candidates: Vec<(f64, (f64, f64))> = cl
            .segments
            .iter()
            .map(|s| ((s[0].0 + s[1].0) / 2.0, (s[0].1 + s[1].1) / 2.0))
            .map(|(x, y)| {
                let d = (y.atan2(x) - preferred).rem_euclid(std::f64::consts::TAU);
                (d.min(std::f64::consts::TAU - d), (x, y))
            })
            .collect();
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        let spot = candidates.into_iter().find_map(|(_, pt)| {
            let r = Rect::around(ch.backend_coord(&pt), w, h);
            let free = r.inside(&plot)
                && !r.crosses_outline(&target, 6)
                && !r.crosses_outline(&overlap, 6)
                && placed.iter().all(|p| !p.overlaps(&r.grown(8)));
            free.then_some((pt, r))
        });
        if let Some((pt, r)) = spot {
            placed.push(r);
            let style = (FONT, TICK)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center));
            ch.draw_series(std::iter::once(
                EmptyElement::at(pt)
                    + Rectangle::new([(-w / 2, -h / 2), (w / 2, h / 2)], WHITE.mix(0.85).filled())
                    + Text::new(text, (0, 0), style),
            ))?;
        }
    }
    Ok(())
}

/// One legend entry of the strip below the panels.
enum Key {
    /// A short line (on a dark swatch if `dark`, for white lines).
    Line(ShapeStyle, bool),
    /// A dashed line (on a dark swatch if `dark`).
    Dashed(RGBColor, bool),
    /// An arrow.
    Arrow(RGBColor),
    /// A cross.
    Cross(RGBColor),
}

/// Draws the legend entries in rows of `per_row`, and the `note` line below them.
fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Key, String)],
    per_row: usize,
    note: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let text = (FONT, TICK + 1);
    let col_w = area.dim_in_pixel().0 as i32 / per_row.max(1) as i32;
    for (i, (key, label)) in entries.iter().enumerate() {
        let (x, y) = (
            20 + col_w * (i % per_row) as i32,
            14 + 24 * (i / per_row) as i32,
        );
        let dark = |d: bool| -> DrawResult {
            if d {
                area.draw(&Rectangle::new(
                    [(x - 3, y - 8), (x + 31, y + 8)],
                    viridis(0.3).filled(),
                ))?;
            }
            Ok(())
        };
        match key {
            Key::Line(s, d) => {
                dark(*d)?;
                area.draw(&PathElement::new(vec![(x, y), (x + 28, y)], *s))?;
            }
            Key::Dashed(c, d) => {
                dark(*d)?;
                let s = c.stroke_width(2);
                area.draw(&PathElement::new(vec![(x, y), (x + 10, y)], s))?;
                area.draw(&PathElement::new(vec![(x + 17, y), (x + 28, y)], s))?;
            }
            Key::Arrow(c) => {
                for p in arrow_px((x, y), 28) {
                    area.draw(&PathElement::new(p.to_vec(), c.stroke_width(2)))?;
                }
            }
            Key::Cross(c) => area.draw(&Cross::new((x + 14, y), 4, c.stroke_width(1)))?,
        }
        area.draw(&Text::new(
            label.as_str(),
            (x + 38, y),
            text.into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    if !note.is_empty() {
        let rows = entries.len().div_ceil(per_row.max(1)) as i32;
        area.draw(&Text::new(
            note,
            (20, 14 + 24 * rows),
            (FONT, TICK + 1)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// The three straight pieces of a rightward arrow of `len` pixels from `(x, y)`.
fn arrow_px((x, y): (i32, i32), len: i32) -> [[(i32, i32); 2]; 3] {
    let tip = (x + len, y);
    let barb = (len as f64 * 0.3).max(5.0);
    let (dx, dy) = (
        (barb * 0.5f64.cos()).round() as i32,
        (barb * 0.5f64.sin()).round() as i32,
    );
    [
        [(x, y), tip],
        [tip, (tip.0 - dx, tip.1 - dy)],
        [tip, (tip.0 - dx, tip.1 + dy)],
    ]
}

/// Figure 5: heatmaps of the loss over offsets, each with its own colour scale and bar,
/// contour lines at levels chosen per panel (labelled), the target outlined.
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
        (
            (PANEL + BAR_W) * c as u32,
            (PANEL + CAPTION_H) * r as u32 + TITLE_H + LEGEND_H,
        )
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
        let h = root.dim_in_pixel().1;
        let (main, legend) = root.split_vertically(h.saturating_sub(LEGEND_H));
        let (r, c) = grid_panels(self.surfaces.len());
        for (k, (s, cell)) in self
            .surfaces
            .iter()
            .zip(main.split_evenly((r, c)))
            .enumerate()
        {
            let (top, body) = cell.split_vertically(CAPTION_H);
            let (plot, bar) = body.split_horizontally(PANEL);
            caption(&top, &s.setting.label(), PANEL)?;
            top.draw(&Text::new(
                "loss",
                (PANEL as i32 + 8, CAPTION_H as i32 / 2),
                (FONT, TICK + 1)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            // this panel's colour range: its finite values (a far outlier cannot occur:
            // every loss here lies in [-0.5, 1.5], and is clamped to it)
            let (lo, hi) = s
                .loss
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
            let (lo, hi) = if lo < hi {
                (lo.max(-0.5), hi.min(1.5))
            } else {
                (lo.min(0.0), lo.max(0.0) + 1.0)
            };
            let t = |v: f64| (v - lo) / (hi - lo);
            let n = s.offsets.len();
            let step = if n > 1 {
                s.offsets[1] - s.offsets[0]
            } else {
                1.0
            };
            let half = s.offsets.last().copied().unwrap_or(1.0) + step / 2.0;
            let mut ch = chart(&plot, half)?;
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
            let cs = self.contours.get(k).map_or(&[][..], |c| &c[..]);
            for cl in cs {
                ch.draw_series(
                    cl.segments
                        .iter()
                        .map(|seg| PathElement::new(vec![seg[0], seg[1]], WHITE.stroke_width(1))),
                )?;
            }
            outlines(&mut ch, WHITE)?;
            label_contours(&mut ch, cs)?;
            colour_bar(&bar, lo, hi, cs)?;
        }
        legend_strip(
            &legend,
            &[
                (
                    Key::Line(WHITE.stroke_width(1), true),
                    "contour lines: levels chosen per panel, labelled".into(),
                ),
                (
                    Key::Line(target_colour().stroke_width(3), false),
                    "target T (P = T at the origin)".into(),
                ),
                (
                    Key::Dashed(WHITE, true),
                    "edge of overlap: P ∩ T ≠ ∅ inside".into(),
                ),
            ],
            3,
            "Colour: each panel has its own scale (its bar, with the contour levels marked), so \
             that the shallow κ·s = 0.5 and 2 surfaces show their shape.",
        )
    }
}

/// A panel's colour bar from `lo` to `hi`, aligned with the panel's plotting area, with
/// the contour levels marked.
fn colour_bar<DB: DrawingBackend>(
    bar: &DrawingArea<DB, Shift>,
    lo: f64,
    hi: f64,
    contours: &[Contour],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let d = decimals(hi - lo);
    let fmt = move |v: &f64| format!("{v:.d$}");
    let mut cb = ChartBuilder::on(bar)
        .margin_top(MARGIN)
        .margin_bottom(MARGIN + X_LABEL_H)
        .margin_left(8)
        .set_label_area_size(LabelAreaPosition::Right, 62)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .label_style((FONT, TICK))
        .y_labels(6)
        .y_label_formatter(&fmt)
        .draw()?;
    let m = 200;
    cb.draw_series((0..m).map(|i| {
        let (a, b) = (i as f64 / m as f64, (i + 1) as f64 / m as f64);
        let (ya, yb) = (lo + a * (hi - lo), lo + b * (hi - lo));
        Rectangle::new([(0.0, ya), (1.0, yb)], viridis((a + b) / 2.0).filled())
    }))?;
    cb.draw_series(
        contours
            .iter()
            .map(|c| PathElement::new(vec![(0.0, c.level), (1.0, c.level)], WHITE.stroke_width(1))),
    )?;
    Ok(())
}

/// The largest 1, 2 or 5 times a power of ten that is at most `x` (`x` > 0).
fn round_below(x: f64) -> f64 {
    let d = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|f| f * d)
        .find(|&v| v <= x)
        .unwrap_or(d)
}

/// Figure 6: arrows of −∇loss (with respect to the translation) over the offsets, on one
/// scale per panel with a reference arrow above it; points where the gradient is exactly
/// zero are marked with a cross.
#[derive(Debug, Clone, Copy)]
pub struct FieldFigure<'a> {
    /// The gradient fields.
    pub fields: &'a [GradientField],
    /// The target side s (for the title).
    pub side: f64,
}

impl FieldFigure<'_> {
    /// The longest `|∇|` of each panel (0 if none is finite and positive).
    fn longest(&self) -> Vec<f64> {
        self.fields
            .iter()
            .map(|f| {
                f.magnitudes()
                    .into_iter()
                    .filter(|m| m.is_finite())
                    .fold(0.0, f64::max)
            })
            .collect()
    }
}

impl Figure for FieldFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let (r, c) = grid_panels(self.fields.len());
        (
            PANEL * c as u32,
            (PANEL + CAPTION_H) * r as u32 + TITLE_H + LEGEND_H,
        )
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
        let h = root.dim_in_pixel().1;
        let (main, legend) = root.split_vertically(h.saturating_sub(LEGEND_H));
        let (r, c) = grid_panels(self.fields.len());
        let arrow = series(0);
        let zero = RGBColor(120, 120, 120);
        let longest = self.longest();
        for ((f, cell), &max) in self
            .fields
            .iter()
            .zip(main.split_evenly((r, c)))
            .zip(&longest)
        {
            let (top, plot) = cell.split_vertically(CAPTION_H);
            let n = f.offsets.len();
            let step = if n > 1 {
                f.offsets[1] - f.offsets[0]
            } else {
                1.0
            };
            let half = f.offsets.last().copied().unwrap_or(1.0) + step / 2.0;
            let mags = f.magnitudes();
            // this panel's scale: its longest arrow spans 0.9 grid steps
            let scale = if max > 0.0 { 0.9 * step / max } else { 0.0 };
            let mut ch = chart(&plot, half)?;
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
            ch.draw_series(
                pieces
                    .into_iter()
                    .map(|p| PathElement::new(p.to_vec(), arrow.stroke_width(2))),
            )?;
            ch.draw_series((0..n * n).filter(|&i| mags[i] == 0.0).map(|i| {
                Cross::new(
                    (f.offsets[i % n], f.offsets[i / n]),
                    4,
                    zero.stroke_width(1),
                )
            }))?;
            outlines(&mut ch, RGBColor(90, 90, 90))?;
            // the caption, and at its right this panel's reference arrow
            let label_w = PANEL.saturating_sub(230);
            caption(&top, &f.setting.label(), label_w)?;
            if max > 0.0 {
                let reference = round_below(max);
                let px_per_unit = ch.backend_coord(&(1.0, 0.0)).0 - ch.backend_coord(&(0.0, 0.0)).0;
                let len = (reference * scale * px_per_unit as f64).round() as i32;
                let x0 = label_w as i32;
                let y = CAPTION_H as i32 / 2;
                for p in arrow_px((x0, y), len) {
                    top.draw(&PathElement::new(p.to_vec(), arrow.stroke_width(2)))?;
                }
                top.draw(&Text::new(
                    format!("|∇| = {reference}"),
                    (x0 + len + 8, y),
                    (FONT, TICK + 1)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
        let positive: Vec<f64> = longest.iter().copied().filter(|&m| m > 0.0).collect();
        let (lo, hi) = positive
            .iter()
            .fold((f64::INFINITY, 0.0_f64), |(a, b), &m| (a.min(m), b.max(m)));
        let note = if positive.len() > 1 {
            format!(
                "Arrow length ∝ |∇| on one scale per panel (arrow above it): the longest arrows of the panels \
                 differ {:.0}-fold (|∇| = {hi:.3} against {lo:.3}).",
                hi / lo
            )
        } else {
            String::new()
        };
        legend_strip(
            &legend,
            &[
                (
                    Key::Arrow(arrow),
                    "−∇loss (dimensionless: loss per side s)".into(),
                ),
                (Key::Cross(zero), "gradient exactly 0".into()),
                (
                    Key::Line(target_colour().stroke_width(3), false),
                    "target T".into(),
                ),
                (
                    Key::Dashed(RGBColor(90, 90, 90), false),
                    "edge of overlap".into(),
                ),
            ],
            4,
            &note,
        )
    }
}
