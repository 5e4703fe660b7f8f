//! Figure 9: where the article's formula breaks, over (κ·s, coordinate magnitude).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{ARTICLE_EXAMPLE, Breakdown, BreakdownMap};
use crate::figures::kit::style::{AXIS, CAPTION, FONT, TICK, TITLE, series};
use crate::figures::kit::{DrawResult, Figure};

const PANEL_W: u32 = 760;
const PANEL_H: u32 = 660;
const TITLE_H: u32 = 64;
/// Height of one legend line (the legend strip below the panels has one per entry).
const LEGEND_LINE: u32 = 24;

/// Tick labels of the log axes, all in one format: plain numbers (0.01 … 10000).
fn plain_tick(v: &f64) -> String {
    let e = v.log10().round() as i32;
    if e < 0 {
        format!("{:.*}", e.unsigned_abs() as usize, 10f64.powi(e))
    } else {
        format!("{}", 10f64.powi(e))
    }
}

/// The colour of a class: the kit's series colours (vermillion, orange, blue), and a pale
/// sky blue for the cells where nothing goes wrong.
fn color(c: Breakdown) -> RGBAColor {
    match c {
        Breakdown::NaiveNan => series(4).mix(1.0),
        Breakdown::NaiveInfinite => series(1).mix(1.0),
        Breakdown::OutsideUnit => series(0).mix(1.0),
        Breakdown::Fine => series(5).mix(0.3),
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

/// One line of the legend.
#[derive(Debug, Clone, Copy)]
enum LegendEntry {
    /// A class of cells (a filled square of its colour).
    Class(Breakdown),
    /// The article's own example (a cross).
    Example,
}

/// The legend in the strip below the panels: one entry per line, left-aligned.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (x0, y0, dy) = (90, 6, LEGEND_LINE as i32);
    for (i, e) in entries.iter().enumerate() {
        let y = y0 + dy * i as i32;
        let label = match *e {
            LegendEntry::Class(c) => {
                area.draw(&Rectangle::new(
                    [(x0, y + 2), (x0 + 18, y + 16)],
                    color(c).filled(),
                ))?;
                area.draw(&Rectangle::new(
                    [(x0, y + 2), (x0 + 18, y + 16)],
                    RGBColor(120, 120, 120).stroke_width(1),
                ))?;
                legend_name(c)
            }
            LegendEntry::Example => {
                area.draw(&Cross::new((x0 + 9, y + 9), 6, BLACK.stroke_width(3)))?;
                "the article's own example (κ = 10, side 100): NaN"
            }
        };
        area.draw(&Text::new(label, (x0 + 28, y), (FONT, TICK + 2)))?;
    }
    Ok(())
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

impl BreakdownFigure<'_> {
    /// The legend, below the panels (never over a cell): only the classes that occur in
    /// some cell, then the article's example.
    fn legend_entries(&self) -> Vec<LegendEntry> {
        let mut entries: Vec<LegendEntry> = Breakdown::ALL
            .into_iter()
            .filter(|&c| self.map.panels.iter().any(|p| p.count(c) > 0))
            .map(LegendEntry::Class)
            .collect();
        entries.push(LegendEntry::Example);
        entries
    }

    fn legend_height(&self) -> u32 {
        16 + LEGEND_LINE * self.legend_entries().len() as u32
    }
}

impl Figure for BreakdownFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (
            PANEL_W * self.map.panels.len().max(1) as u32,
            PANEL_H + TITLE_H + self.legend_height(),
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
        let h = root.dim_in_pixel().1;
        let (root, legend) = root.split_vertically(h.saturating_sub(self.legend_height()));
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
                .x_label_formatter(&plain_tick)
                .y_label_formatter(&plain_tick)
                .draw()?;
            ch.draw_series((0..p.class.len()).map(|i| {
                let (ik, im) = (i % nk, i / nk);
                Rectangle::new(
                    [(ex[ik], ey[im]), (ex[ik + 1], ey[im + 1])],
                    color(p.class[i]).filled(),
                )
            }))?;
            if k == 0 {
                ch.draw_series(std::iter::once(Cross::new(
                    ARTICLE_EXAMPLE,
                    9,
                    BLACK.stroke_width(3),
                )))?;
            }
        }
        draw_legend(&legend, &self.legend_entries())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{BreakdownFigure, LegendEntry};
    use crate::figures::breakdown::{Breakdown, BreakdownMap, BreakdownPanel};

    fn panel(class: Vec<Breakdown>) -> BreakdownPanel {
        let n = class.len();
        BreakdownPanel {
            name: "p".into(),
            target_offset: (0.0, 0.0),
            naive: vec![0.5; n],
            stable: vec![0.5; n],
            class,
        }
    }

    #[test]
    fn the_legend_lists_only_the_classes_that_occur_in_some_cell() {
        use Breakdown::*;
        let map = BreakdownMap {
            side: 10.0,
            kappa_s: vec![1.0, 10.0],
            magnitude: vec![1.0],
            panels: vec![panel(vec![NaiveNan, Fine]), panel(vec![Fine, OutsideUnit])],
        };
        let entries = BreakdownFigure { map: &map }.legend_entries();
        let classes: Vec<Breakdown> = entries
            .iter()
            .filter_map(|e| match e {
                LegendEntry::Class(c) => Some(*c),
                LegendEntry::Example => None,
            })
            .collect();
        // no "±∞": no cell is infinite
        assert_eq!(classes, [NaiveNan, OutsideUnit, Fine]);
        assert!(matches!(entries.last(), Some(LegendEntry::Example)));
    }
}
