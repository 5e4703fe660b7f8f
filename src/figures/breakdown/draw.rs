//! Figure 9: where the article's formula breaks, over (κ·s, coordinate magnitude).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{ARTICLE_EXAMPLE, Breakdown, BreakdownMap};
use crate::figures::kit::style::{AXIS, CAPTION, FONT, TICK, TITLE, log_tick};
use crate::figures::kit::{DrawResult, Figure};

const PANEL_W: u32 = 760;
const PANEL_H: u32 = 660;
const TITLE_H: u32 = 64;

fn color(c: Breakdown) -> RGBColor {
    match c {
        Breakdown::NaiveNan => RGBColor(178, 24, 43),
        Breakdown::NaiveInfinite => RGBColor(244, 165, 130),
        Breakdown::OutsideUnit => RGBColor(118, 42, 131),
        Breakdown::Fine => RGBColor(209, 229, 240),
    }
}

fn legend_name(c: Breakdown) -> &'static str {
    match c {
        Breakdown::NaiveNan => "article's formula returns NaN (exp over/underflows)",
        Breakdown::NaiveInfinite => "article's formula returns ±∞",
        Breakdown::OutsideUnit => "finite, but Boltzmann soft IoU < 0 or > 1",
        Breakdown::Fine => "finite and in [0, 1]",
    }
}

/// Cell edges of a log grid: geometric midpoints, extended by half a step at both ends.
fn edges(v: &[f64]) -> Vec<f64> {
    let n = v.len();
    if n < 2 {
        return v.iter().flat_map(|&x| [x / 2.0, x * 2.0]).collect();
    }
    let mut e = Vec::with_capacity(n + 1);
    e.push(v[0] * (v[0] / v[1]).sqrt());
    e.extend(v.windows(2).map(|w| (w[0] * w[1]).sqrt()));
    e.push(v[n - 1] * (v[n - 1] / v[n - 2]).sqrt());
    e
}

/// Figure 9: one categorical map per configuration; the article's example is marked.
#[derive(Debug, Clone, Copy)]
pub struct BreakdownFigure<'a> {
    /// The map.
    pub map: &'a BreakdownMap,
}

impl Figure for BreakdownFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (
            PANEL_W * self.map.panels.len().max(1) as u32,
            PANEL_H + TITLE_H,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let m = self.map;
        let side = m.side;
        let root = root.titled(
            &format!(
                "Where the article's formula breaks (f64)   —   box side s = {side}, physical κ = (κ·s)/{side}"
            ),
            (FONT, TITLE),
        )?;
        let (ex, ey) = (edges(&m.kappa_s), edges(&m.magnitude));
        let nk = m.kappa_s.len();
        let x = (ex[0], ex[ex.len() - 1]);
        let y = (ey[0], ey[ey.len() - 1]);
        for (k, (p, area)) in m
            .panels
            .iter()
            .zip(root.split_evenly((1, m.panels.len())))
            .enumerate()
        {
            let mut ch = ChartBuilder::on(&area)
                .caption(
                    format!(
                        "{}: T = P moved by ({}, {})·s",
                        p.name, p.target_offset.0, p.target_offset.1
                    ),
                    (FONT, CAPTION),
                )
                .margin(12)
                .x_label_area_size(48)
                .y_label_area_size(78)
                .build_cartesian_2d((x.0..x.1).log_scale(), (y.0..y.1).log_scale())?;
            ch.configure_mesh()
                .disable_mesh()
                .x_desc("κ·s  (s = box side; dimensionless)")
                .y_desc("m = P's lower-left corner / s  (coordinates ≈ m·s)")
                .axis_desc_style((FONT, AXIS))
                .label_style((FONT, TICK))
                .x_label_formatter(&log_tick)
                .y_label_formatter(&log_tick)
                .draw()?;
            ch.draw_series((0..p.class.len()).map(|i| {
                let (ik, im) = (i % nk, i / nk);
                Rectangle::new(
                    [(ex[ik], ey[im]), (ex[ik + 1], ey[im + 1])],
                    color(p.class[i]).filled(),
                )
            }))?;
            if k == 0 {
                for c in Breakdown::ALL {
                    let col = color(c);
                    ch.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                        .label(legend_name(c))
                        .legend(move |(x, y)| {
                            Rectangle::new([(x, y - 6), (x + 16, y + 6)], col.filled())
                        });
                }
                let star = BLACK;
                ch.draw_series(std::iter::once(Cross::new(
                    ARTICLE_EXAMPLE,
                    9,
                    star.stroke_width(3),
                )))?
                .label("the article's own example (κ = 10, side 100): NaN")
                .legend(move |(x, y)| Cross::new((x + 8, y), 6, star.stroke_width(3)));
                ch.configure_series_labels()
                    .position(SeriesLabelPosition::LowerLeft)
                    .label_font((FONT, TICK))
                    .background_style(WHITE.mix(0.9))
                    .border_style(RGBColor(120, 120, 120))
                    .draw()?;
            }
        }
        Ok(())
    }
}
