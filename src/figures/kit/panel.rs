//! One chart panel with a log κ·s axis: lines, dashed references and markers, drawn the
//! same way for a linear or a logarithmic y axis.

use plotters::coord::Shift;
use plotters::element::EmptyElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::DrawResult;
use super::style::{AXIS, CAPTION, FONT, TICK, lin_ticks, log_tick, runs};
use super::text::text_width;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A solid line.
    Solid,
    /// A dashed line (references such as the hard loss or a bound).
    Dashed,
    /// Circles at the points, no line (check points).
    Circles,
    /// A dotted line (markers such as a pole's position).
    Dotted,
    /// A thin dashed line: a reference (a hard value) drawn under the data, which two
    /// references a few pixels apart cannot merge into one thick double dash.
    Reference,
}

/// One series of a panel.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend entry (`None`: not in the legend).
    pub label: Option<String>,
    /// Colour.
    pub color: RGBColor,
    /// Style.
    pub mark: Mark,
    /// `(x, y)` points.
    pub points: Vec<(f64, f64)>,
}

/// The y axis of a panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YAxis {
    /// Linear from `lo` to `hi`.
    Linear(f64, f64),
    /// Logarithmic from `lo` to `hi` (both > 0).
    Log(f64, f64),
}

impl YAxis {
    /// A linear axis spanning the finite y values of `lines` (5% padding), clamped to
    /// `[floor, ceil]`; `[-1, 1]` if there are none.
    pub fn linear_auto(lines: &[Line], floor: f64, ceil: f64) -> YAxis {
        let ys = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
        let (lo, hi) = ys
            .filter(|y| y.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                (a.min(y), b.max(y))
            });
        if lo > hi {
            return YAxis::Linear(-1.0, 1.0);
        }
        let pad = ((hi - lo) * 0.05).max(1e-3);
        YAxis::Linear((lo - pad).max(floor), (hi + pad).min(ceil))
    }

    /// A log axis spanning the positive y values of `lines` (a factor 2 of padding),
    /// clamped to `[floor, ceil]`.
    pub fn log_auto(lines: &[Line], floor: f64, ceil: f64) -> YAxis {
        let ys = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
        let (lo, hi) = ys
            .filter(|y| y.is_finite() && *y > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                (a.min(y), b.max(y))
            });
        if lo > hi {
            return YAxis::Log(floor, ceil);
        }
        YAxis::Log((lo / 2.0).max(floor), (hi * 2.0).min(ceil))
    }

    fn bounds(&self) -> (f64, f64) {
        match *self {
            YAxis::Linear(a, b) | YAxis::Log(a, b) => (a, b),
        }
    }
}

/// A panel: caption, axes and series.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Caption above the panel.
    pub caption: String,
    /// x range (κ·s), logarithmic.
    pub x: (f64, f64),
    /// x axis description.
    pub x_desc: String,
    /// y axis.
    pub y: YAxis,
    /// y axis description.
    pub y_desc: String,
    /// Series, drawn in order.
    pub lines: Vec<Line>,
    /// Where the legend goes (`None`: no legend).
    pub legend: Option<Corner>,
}

/// A corner of the plotting area, for a legend inside it (the κ figures put theirs in a
/// [`legend_strip`] outside the panels instead).
#[allow(dead_code)] // the variants other families choose from
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    /// Top left.
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom left.
    LowerLeft,
    /// Bottom right.
    LowerRight,
}

impl Corner {
    fn position(self) -> SeriesLabelPosition {
        match self {
            Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
            Corner::UpperRight => SeriesLabelPosition::UpperRight,
            Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
            Corner::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// The number of labelled ticks plotters aims for on a y axis (its default).
const Y_LABELS: usize = 10;

/// The two strokes and the circle of a legend sample for `mark`: a line, a dash or a
/// circle, as in the plot (the unused parts are empty paths and a circle of radius 0).
/// A stroke of a legend sample: its points, relative to the sample's left end.
type Stroke = Vec<(i32, i32)>;

fn legend_parts(mark: Mark) -> (Stroke, Stroke, i32) {
    match mark {
        Mark::Solid => (vec![(0, 0), (22, 0)], vec![], 0),
        Mark::Dashed => (vec![(0, 0), (8, 0)], vec![(14, 0), (22, 0)], 0),
        Mark::Dotted => (vec![(0, 0), (2, 0)], vec![(8, 0), (10, 0)], 0),
        Mark::Reference => (vec![(0, 0), (7, 0)], vec![(12, 0), (19, 0)], 0),
        Mark::Circles => (vec![], vec![], MARKER_RADIUS),
    }
}

/// The legend sample of a series drawn as `$mark` in `$color`, its left end at `$at`
/// (one element type for every mark, as plotters' legends need).
macro_rules! legend_mark {
    ($mark:expr, $color:expr, $at:expr) => {{
        let (a, b, r) = legend_parts($mark);
        let w = if $mark == Mark::Reference { 1 } else { 2 };
        let s = $color.stroke_width(w);
        // a circle of radius 0 still sets a pixel: no circle, no colour
        let c = if r > 0 {
            s
        } else {
            ShapeStyle::from(&TRANSPARENT)
        };
        EmptyElement::at($at)
            + PathElement::new(a, s)
            + PathElement::new(b, s)
            + Circle::new((11, 0), r, c)
    }};
}

/// The radius of [`Mark::Circles`] markers, in the plot and in the legend.
pub const MARKER_RADIUS: i32 = 5;

/// The text sizes of a panel, pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSizes {
    /// The caption above the panel.
    pub caption: u32,
    /// The axis descriptions.
    pub axis: u32,
    /// Tick labels, and the legend of [`legend_strip`] (two pixels larger).
    pub tick: u32,
}

impl TextSizes {
    /// The sizes of [`super::style`]: [`CAPTION`], [`AXIS`], [`TICK`].
    pub const STANDARD: TextSizes = TextSizes {
        caption: CAPTION,
        axis: AXIS,
        tick: TICK,
    };

    /// Larger sizes for figures meant to be printed two columns wide (~180 mm): a
    /// 1520-pixel figure there is printed at 300 dpi × 1.4, so 17-pixel tick labels
    /// come out at about 6 pt.
    pub const PRINT: TextSizes = TextSizes {
        caption: 22,
        axis: 19,
        tick: 17,
    };

    /// The height of the x label area: tick labels, axis description and gaps.
    fn x_area(self) -> u32 {
        self.tick + self.axis + 17
    }

    /// The width of the y label area: tick labels up to five characters wide (`−0.25`,
    /// `10⁻¹¹`), the axis description and gaps.
    fn y_area(self) -> u32 {
        3 * self.tick + self.axis + 20
    }
}

macro_rules! draw_with {
    ($area:expr, $p:expr, $yspec:expr, $yfmt:expr, $t:expr) => {{
        let p = $p;
        let t: TextSizes = $t;
        let (lo, hi) = p.y.bounds();
        let mut chart = ChartBuilder::on($area)
            .caption(&p.caption, (FONT, t.caption))
            .margin(12)
            .x_label_area_size(t.x_area())
            .y_label_area_size(t.y_area())
            .build_cartesian_2d((p.x.0..p.x.1).log_scale(), $yspec)?;
        chart
            .configure_mesh()
            .x_desc(p.x_desc.as_str())
            .y_desc(p.y_desc.as_str())
            .axis_desc_style((FONT, t.axis))
            .label_style((FONT, t.tick))
            .x_label_formatter(&log_tick)
            .y_labels(Y_LABELS)
            .y_label_formatter(&$yfmt)
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(210, 210, 210))
            .draw()?;
        for l in &p.lines {
            let color = l.color;
            let mut first = true;
            let mut rs = runs(l.points.iter().copied(), lo, hi);
            if rs.is_empty() {
                // nothing visible, but a labelled series still needs its legend entry
                rs.push(Vec::new());
            }
            for run in rs {
                let anno = match l.mark {
                    Mark::Solid => {
                        chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?
                    }
                    Mark::Dashed => chart.draw_series(DashedLineSeries::new(
                        run,
                        8,
                        6,
                        color.stroke_width(2),
                    ))?,
                    Mark::Reference => chart.draw_series(DashedLineSeries::new(
                        run,
                        7,
                        5,
                        color.stroke_width(1),
                    ))?,
                    Mark::Dotted => chart.draw_series(DashedLineSeries::new(
                        run,
                        2,
                        4,
                        color.stroke_width(2),
                    ))?,
                    Mark::Circles => chart.draw_series(
                        run.into_iter()
                            .map(|pt| Circle::new(pt, MARKER_RADIUS, color.stroke_width(2))),
                    )?,
                };
                if first {
                    first = false;
                    if let Some(label) = &l.label {
                        let mark = l.mark;
                        anno.label(label.as_str())
                            .legend(move |(x, y)| legend_mark!(mark, color, (x, y)));
                    }
                }
            }
        }
        if let Some(pos) = p.legend {
            chart
                .configure_series_labels()
                .position(pos.position())
                .label_font((FONT, t.tick))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(150, 150, 150))
                .draw()?;
        }
        Ok(())
    }};
}

/// Draws `p` into `area`.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> DrawResult
where
    DB::ErrorType: 'static,
{
    draw_panel_sized(area, p, TextSizes::STANDARD)
}

/// Draws `p` into `area` with text of `sizes`.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_panel_sized<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
    sizes: TextSizes,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    match p.y {
        YAxis::Linear(lo, hi) => {
            draw_with!(area, p, lo..hi, lin_ticks(lo, hi, Y_LABELS), sizes)
        }
        YAxis::Log(lo, hi) => draw_with!(area, p, (lo..hi).log_scale(), log_tick, sizes),
    }
}

/// One entry of a legend drawn outside the panels ([`legend_strip`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// The text.
    pub label: String,
    /// The colour of the sample.
    pub color: RGBColor,
    /// The sample: the series' line, dash or circle.
    pub mark: Mark,
}

impl LegendEntry {
    /// An entry.
    pub fn new(label: impl Into<String>, color: RGBColor, mark: Mark) -> Self {
        LegendEntry {
            label: label.into(),
            color,
            mark,
        }
    }
}

/// Width of an entry's sample plus the space before its text, pixels.
const LEGEND_SAMPLE: i32 = 30;
/// Space between two entries of a row, pixels.
const LEGEND_GAP: i32 = 26;

/// The rows of a legend strip of `width` pixels: the entries of each row with their
/// widths (sample and text), measured with the figures' font at `size`.
fn legend_rows(entries: &[LegendEntry], width: u32, size: u32) -> Vec<Vec<(&LegendEntry, i32)>> {
    let usable = width as i32 - 2 * LEGEND_GAP;
    let mut rows: Vec<Vec<(&LegendEntry, i32)>> = vec![Vec::new()];
    let mut used = 0;
    for e in entries {
        let w = LEGEND_SAMPLE + text_width(&e.label, f64::from(size)).ceil() as i32;
        if used > 0 && used + LEGEND_GAP + w > usable {
            rows.push(Vec::new());
            used = 0;
        }
        used += if used > 0 { LEGEND_GAP } else { 0 } + w;
        if let Some(r) = rows.last_mut() {
            r.push((e, w));
        }
    }
    rows
}

/// The height of the [`legend_strip`] of `entries` across `width` pixels with tick labels
/// of `sizes.tick` (0 without entries), for a figure's `size()`.
pub fn legend_height(entries: &[LegendEntry], width: u32, sizes: TextSizes) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    let size = sizes.tick + 2;
    let rows = legend_rows(entries, width, size).len() as u32;
    (size + 12) * rows + 8
}

/// Draws `entries` as a legend in rows across the top of `area`, centred, wrapping to
/// a new row where a row is full, and returns the rest of `area` below it
/// ([`legend_height`] pixels lower): a legend shared by all panels that can never cover
/// data. No entries: `area` unchanged.
///
/// # Errors
/// Whatever the backend reports.
pub fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    sizes: TextSizes,
) -> std::result::Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    if entries.is_empty() {
        return Ok(area.clone());
    }
    let size = sizes.tick + 2;
    let font = TextStyle::from((FONT, size).into_font());
    let (width, _) = area.dim_in_pixel();
    let rows = legend_rows(entries, width, size);
    let row_h = (size + 12) as i32;
    let (strip, rest) = area.split_vertically(legend_height(entries, width, sizes));
    for (k, row) in rows.iter().enumerate() {
        let total: i32 =
            row.iter().map(|(_, w)| w).sum::<i32>() + LEGEND_GAP * (row.len() as i32 - 1).max(0);
        let mut x = (width as i32 - total) / 2;
        let y = 4 + row_h * k as i32 + row_h / 2;
        for (e, w) in row {
            strip.draw(&legend_mark!(e.mark, e.color, (x + 2, y)))?;
            strip.draw(&Text::new(
                e.label.clone(),
                (x + LEGEND_SAMPLE, y),
                font.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += w + LEGEND_GAP;
        }
    }
    Ok(rest)
}
