//! Figures of the fitting demo ([`crate::fit`]): PNG charts, each with a CSV of exactly the
//! data drawn, and an animated GIF of one box moving onto its target.
//!
//! Nothing here computes a fit: the data come from [`crate::fit::run_all`],
//! [`crate::fit::bias_curve`] and [`crate::fit::fit`]. Every file is written to a temporary
//! file beside its target and renamed on success, so no half-written file is left behind.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::bbox::BBox;
use crate::fit::{
    self, BIAS_STARTS, BiasPoint, FitConfig, FitResult, FitStep, Optimizer, Outcome, STARTS, TARGET,
};
use crate::smooth::Smoothing;

/// What can go wrong while writing a figure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FigureError {
    /// A file could not be created or renamed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// plotters or the CSV writer failed.
    #[error("{path}: could not draw or write: {message}")]
    Draw {
        /// The file.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
    /// A run could not be set up.
    #[error(transparent)]
    Fit(#[from] crate::Error),
}

/// Result of the figure functions.
pub type Result<T, E = FigureError> = std::result::Result<T, E>;

const PALETTE: [RGBColor; 11] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(213, 94, 0),
    RGBColor(0, 114, 178),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(120, 200, 120),
    RGBColor(204, 121, 167),
    RGBColor(140, 140, 140),
    RGBColor(170, 0, 170),
    RGBColor(60, 60, 200),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Registers the embedded DejaVu Sans as "sans-serif" (no system fonts needed).
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Only fails for a malformed font file; the embedded one is well-formed.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
}

fn draw_err(path: &Path, e: impl std::fmt::Display) -> FigureError {
    FigureError::Draw {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Writes `path` through `write`, which receives a temporary path (same folder, same
/// extension) that is renamed onto `path` only if `write` succeeds.
fn atomic(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let io = |source| FigureError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("tmp");
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(&format!(".{ext}"))
        .tempfile_in(dir.unwrap_or(Path::new(".")))
        .map_err(io)?
        .into_temp_path();
    write(&tmp)?;
    // tempfile creates files readable by the owner only; outputs are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))
}

fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    atomic(path, |tmp| {
        let mut w = csv::Writer::from_path(tmp).map_err(|e| draw_err(path, e))?;
        w.write_record(header).map_err(|e| draw_err(path, e))?;
        for r in rows {
            w.write_record(r).map_err(|e| draw_err(path, e))?;
        }
        w.flush().map_err(|e| FigureError::Io {
            path: path.to_owned(),
            source: e,
        })
    })
}

fn png(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> std::result::Result<(), String>,
) -> Result<()> {
    register_fonts();
    atomic(path, |tmp| {
        let root = BitMapBackend::new(tmp, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
        draw(&root).map_err(|e| draw_err(path, e))?;
        root.present().map_err(|e| draw_err(path, e))
    })
}

/// A vertical legend in `area`: a line in `colour(i)` and `labels[i]`, for every
/// non-empty label (so that colours match the methods' indices).
fn legend(
    area: &DrawingArea<BitMapBackend, Shift>,
    title: &str,
    labels: &[String],
) -> std::result::Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    area.draw(&Text::new(title, (6, 50), ("sans-serif", 16)))
        .map_err(e)?;
    let mut y = 80;
    for (i, l) in labels.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
        area.draw(&PathElement::new(
            vec![(6, y + 7), (34, y + 7)],
            colour(i).stroke_width(3),
        ))
        .map_err(e)?;
        area.draw(&Text::new(l.as_str(), (40, y), ("sans-serif", 15)))
            .map_err(e)?;
        y += 24;
    }
    Ok(())
}

fn method_labels() -> Vec<String> {
    fit::methods(SIDE).into_iter().map(|m| m.label).collect()
}

/// The side of [`TARGET`].
const SIDE: f64 = 10.0;

/// Hard IoU against step, one panel per (optimiser, start), one line per method.
fn iou_vs_step(dir: &Path, outcomes: &[Outcome], opts: &[Optimizer]) -> Result<Vec<PathBuf>> {
    let labels = method_labels();
    let png_path = dir.join("fit_iou_vs_step.png");
    let csv_path = dir.join("fit_iou_vs_step.csv");
    let mut rows = Vec::new();
    let series = |o: &Outcome| -> Vec<FitStep> {
        o.result
            .as_ref()
            .map(fit::sampled_history)
            .unwrap_or_default()
    };
    for o in outcomes {
        for s in series(o) {
            rows.push(vec![
                o.optimizer.to_string(),
                STARTS[o.start].name.to_owned(),
                o.method.clone(),
                s.step.to_string(),
                s.kappa.to_string(),
                s.hard_iou.to_string(),
            ]);
        }
    }
    write_csv(
        &csv_path,
        &["optimizer", "start", "method", "step", "kappa", "hard_iou"],
        &rows,
    )?;
    let max_step = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok().map(|r| r.steps))
        .max()
        .unwrap_or(1);
    png(&png_path, (1700, 300 * opts.len() as u32 + 60), |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let root = root
            .titled(
                "Hard IoU of the fitted box against step (target [15,3,25,13], side s = 10)",
                ("sans-serif", 24),
            )
            .map_err(e)?;
        let (plots, side) = root.split_horizontally(1400);
        legend(&side, "method (κ·s, s = 10)", &labels)?;
        let panels = plots.split_evenly((opts.len(), STARTS.len()));
        for (pi, panel) in panels.iter().enumerate() {
            let (oi, si) = (pi / STARTS.len(), pi % STARTS.len());
            let start = STARTS[si];
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("{} start {:?}, {}", start.name, start.pred, opts[oi]),
                    ("sans-serif", 16),
                )
                .margin(8)
                .x_label_area_size(36)
                .y_label_area_size(48)
                .build_cartesian_2d((1.0..(max_step as f64 + 1.0)).log_scale(), -0.02..1.02)
                .map_err(e)?;
            chart
                .configure_mesh()
                .x_desc("step + 1 (log scale)")
                .x_label_formatter(&|v| format!("{v}"))
                .y_desc("hard IoU")
                .label_style(("sans-serif", 13))
                .draw()
                .map_err(e)?;
            for o in outcomes
                .iter()
                .filter(|o| o.optimizer == opts[oi] && o.start == si)
            {
                let mi = labels.iter().position(|l| *l == o.method).unwrap_or(0);
                let pts: Vec<(f64, f64)> = series(o)
                    .iter()
                    .map(|s| (s.step as f64 + 1.0, s.hard_iou))
                    .collect();
                chart
                    .draw_series(LineSeries::new(pts, colour(mi).stroke_width(2)))
                    .map_err(e)?;
            }
        }
        Ok(())
    })?;
    Ok(vec![png_path, csv_path])
}

/// Converged hard IoU against κ·s: the bias of the smoothed optimum.
fn bias(dir: &Path, points: &[BiasPoint]) -> Result<Vec<PathBuf>> {
    let png_path = dir.join("fit_bias.png");
    let csv_path = dir.join("fit_bias.csv");
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            vec![
                p.smoothing.to_string(),
                BIAS_STARTS[p.start].name.to_owned(),
                p.kappa_s.to_string(),
                opt(p.hard_iou),
                opt(p.width),
                p.stop
                    .map(|s| format!("{s:?}"))
                    .unwrap_or_else(|| "diverged".into()),
                p.is_minimum.to_string(),
            ]
        })
        .collect();
    write_csv(
        &csv_path,
        &[
            "smoothing",
            "start",
            "kappa_s",
            "hard_iou",
            "final_width",
            "stop",
            "is_minimum",
        ],
        &rows,
    )?;
    let lo = points
        .iter()
        .map(|p| p.kappa_s)
        .fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.kappa_s).fold(0.0, f64::max);
    png(&png_path, (1000, 640), |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Where a fixed-κ fit ends (soft IoU, Newton, target side s = 10)",
                ("sans-serif", 22),
            )
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(60)
            .build_cartesian_2d((lo..hi).log_scale(), -0.02..1.02)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("κ·s  (κ times the target side, dimensionless; log scale)")
            .x_label_formatter(&|v| format!("{v}"))
            .y_desc("hard IoU of the final box")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(e)?;
        for (ci, op) in [Smoothing::LogSumExp, Smoothing::Boltzmann]
            .into_iter()
            .enumerate()
        {
            let c = colour(3 + 2 * ci);
            for (start, bias_start) in BIAS_STARTS.iter().enumerate() {
                let pts: Vec<(f64, f64)> = points
                    .iter()
                    .filter(|p| p.smoothing == op && p.start == start)
                    .filter_map(|p| p.hard_iou.map(|v| (p.kappa_s, v)))
                    .collect();
                let label = format!("{op}, {}", bias_start.name);
                if start == 0 {
                    chart
                        .draw_series(LineSeries::new(pts, c.stroke_width(3)))
                        .map_err(e)?
                        .label(label)
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
                        });
                } else {
                    chart
                        .draw_series(pts.iter().map(|&p| Circle::new(p, 5, c.stroke_width(2))))
                        .map_err(e)?
                        .label(label)
                        .legend(move |(x, y)| Circle::new((x + 12, y), 5, c.stroke_width(2)));
                }
            }
        }
        // Where the fit did not end at a strict minimum (exact Hessian not positive
        // definite, or not converged), the hard IoU is that of a saddle or plateau.
        let odd: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| !p.is_minimum)
            .filter_map(|p| p.hard_iou.map(|v| (p.kappa_s, v)))
            .collect();
        chart
            .draw_series(
                odd.into_iter()
                    .map(|p| Cross::new(p, 4, BLACK.stroke_width(2))),
            )
            .map_err(e)?
            .label("not a local minimum (saddle, plateau or no convergence)")
            .legend(|(x, y)| Cross::new((x + 12, y), 4, BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(e)?;
        Ok(())
    })?;
    Ok(vec![png_path, csv_path])
}

/// Methods drawn in the trajectory figure (the others clutter it or leave the window).
const TRAJECTORY_METHODS: [usize; 7] = [0, 2, 3, 6, 7, 9, 10];

const WINDOW: ([f64; 2], [f64; 2]) = ([-34.0, 30.0], [-6.0, 18.0]);

fn draw_box<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    b: [f64; 4],
    style: ShapeStyle,
) -> std::result::Result<(), String> {
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(b[0], b[1]), (b[2], b[3])],
            style,
        )))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Paths of the box centre and final boxes, one panel per start.
fn trajectories(dir: &Path, outcomes: &[Outcome], opt: Optimizer) -> Result<Vec<PathBuf>> {
    let labels = method_labels();
    let png_path = dir.join("fit_trajectories.png");
    let csv_path = dir.join("fit_trajectories.csv");
    let chosen: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            o.optimizer == opt
                && TRAJECTORY_METHODS
                    .iter()
                    .any(|&m| labels.get(m) == Some(&o.method))
        })
        .collect();
    let mut rows = Vec::new();
    for o in &chosen {
        for s in o
            .result
            .as_ref()
            .map(fit::sampled_history)
            .unwrap_or_default()
        {
            rows.push(vec![
                STARTS[o.start].name.to_owned(),
                o.method.clone(),
                s.step.to_string(),
                s.bbox[0].to_string(),
                s.bbox[1].to_string(),
                s.bbox[2].to_string(),
                s.bbox[3].to_string(),
            ]);
        }
    }
    write_csv(
        &csv_path,
        &[
            "start", "method", "step", "x_min", "y_min", "x_max", "y_max",
        ],
        &rows,
    )?;
    let shown: Vec<String> = TRAJECTORY_METHODS
        .iter()
        .filter_map(|&m| labels.get(m).cloned())
        .collect();
    png(&png_path, (1760, 330), |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let root = root
            .titled(
                &format!(
                    "Box centre paths ({opt}); thin outline = final box (a flat line: a box squashed to zero height), grey = target, black = start"
                ),
                ("sans-serif", 22),
            )
            .map_err(e)?;
        let (plots, side) = root.split_horizontally(1500);
        // the legend uses the colour of the method's index in `methods()`
        let mut legend_labels = vec![String::new(); labels.len()];
        for (i, l) in labels.iter().enumerate() {
            if shown.contains(l) {
                legend_labels[i] = l.clone();
            }
        }
        legend(&side, "method (s = 10)", &legend_labels)?;
        for (si, panel) in plots.split_evenly((1, STARTS.len())).iter().enumerate() {
            let (wx, wy) = WINDOW;
            let panel = panel
                .titled(&format!("{} start", STARTS[si].name), ("sans-serif", 17))
                .map_err(e)?;
            let (xr, yr) = equal_aspect(&panel, [wx[0], wy[0]], [wx[1], wy[1]]).map_err(e)?;
            let mut chart = plane_chart(&panel, xr, yr).map_err(e)?;
            chart
                .configure_mesh()
                .x_desc("x (coordinate units)")
                .y_desc("y")
                .x_label_formatter(&|v| format!("{v}"))
                .y_label_formatter(&|v| format!("{v}"))
                .label_style(("sans-serif", 13))
                .draw()
                .map_err(e)?;
            draw_box(&mut chart, TARGET, RGBColor(200, 200, 200).filled())?;
            draw_box(&mut chart, STARTS[si].pred, BLACK.stroke_width(2))?;
            for o in chosen.iter().filter(|o| o.start == si) {
                let Ok(r) = &o.result else { continue };
                let c = colour(labels.iter().position(|l| *l == o.method).unwrap_or(0));
                let pts: Vec<(f64, f64)> = fit::sampled_history(r)
                    .iter()
                    .map(|s| ((s.bbox[0] + s.bbox[2]) / 2.0, (s.bbox[1] + s.bbox[3]) / 2.0))
                    .collect();
                chart
                    .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                    .map_err(e)?;
                draw_box(&mut chart, r.final_box.to_xyxy(), c.stroke_width(1))?;
            }
        }
        Ok(())
    })?;
    Ok(vec![png_path, csv_path])
}

type Chart2d<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type AreaError<'b> = DrawingAreaErrorKind<<BitMapBackend<'b> as DrawingBackend>::ErrorType>;

fn plane_chart<'a, 'b>(
    area: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    xr: [f64; 2],
    yr: [f64; 2],
) -> std::result::Result<Chart2d<'a, 'b>, AreaError<'b>> {
    ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(xr[0]..xr[1], yr[0]..yr[1])
}

/// Axis ranges holding `lo..hi` (padded by 8 %) with equal scales on both axes in the
/// plotting area of [`plane_chart`] on `area`, so that a square box looks square.
fn equal_aspect<'b>(
    area: &DrawingArea<BitMapBackend<'b>, Shift>,
    lo: [f64; 2],
    hi: [f64; 2],
) -> std::result::Result<([f64; 2], [f64; 2]), AreaError<'b>> {
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

/// An animated GIF of `run` (the box moving onto `t`): about 25 frames at steps from
/// [`fit::sample_steps_n`].
///
/// # Errors
/// [`FigureError`] if the file cannot be written.
pub fn write_fit_gif(path: &Path, run: &FitResult, t: &BBox<f64>, title: &str) -> Result<()> {
    register_fonts();
    let hist: Vec<FitStep> = fit::sample_steps_n(run.steps, 3, 22)
        .into_iter()
        .filter_map(|k| run.history.get(k).copied())
        .collect();
    // A window holding the target and every frame's box, padded by 8 %.
    let mut lo = [t.x_min(), t.y_min()];
    let mut hi = [t.x_max(), t.y_max()];
    for s in &hist {
        lo = [lo[0].min(s.bbox[0]), lo[1].min(s.bbox[1])];
        hi = [hi[0].max(s.bbox[2]), hi[1].max(s.bbox[3])];
    }
    let side = t.min_side();
    atomic(path, |tmp| {
        let e = |e: DrawingAreaErrorKind<_>| draw_err(path, e);
        let root = BitMapBackend::gif(tmp, (420, 360), 250)
            .map_err(|e| draw_err(path, e))?
            .into_drawing_area();
        let (head, body) = root.split_vertically(46);
        let (xr, yr) = equal_aspect(&body, lo, hi).map_err(e)?;
        for (fi, s) in hist.iter().enumerate() {
            root.fill(&WHITE).map_err(e)?;
            head.draw(&Text::new(title, (10, 6), ("sans-serif", 16)))
                .map_err(e)?;
            let status = format!(
                "step {}   κ·s = {:.2}   hard IoU = {:.3}",
                s.step,
                s.kappa * side,
                s.hard_iou
            );
            head.draw(&Text::new(status, (10, 26), ("sans-serif", 16)))
                .map_err(e)?;
            let mut chart = plane_chart(&body, xr, yr).map_err(e)?;
            chart
                .configure_mesh()
                .x_desc("x (coordinate units)")
                .x_label_formatter(&|v| format!("{v}"))
                .y_label_formatter(&|v| format!("{v}"))
                .label_style(("sans-serif", 12))
                .draw()
                .map_err(e)?;
            draw_box(&mut chart, t.to_xyxy(), RGBColor(200, 200, 200).filled())
                .map_err(|m| draw_err(path, m))?;
            let path_pts: Vec<(f64, f64)> = hist[..=fi]
                .iter()
                .map(|h| ((h.bbox[0] + h.bbox[2]) / 2.0, (h.bbox[1] + h.bbox[3]) / 2.0))
                .collect();
            chart
                .draw_series(LineSeries::new(path_pts, colour(3).stroke_width(1)))
                .map_err(e)?;
            draw_box(&mut chart, s.bbox, colour(2).stroke_width(3))
                .map_err(|m| draw_err(path, m))?;
            root.present().map_err(e)?;
        }
        Ok(())
    })
}

/// Writes the standard fitting figures into `dir` (which must exist): hard IoU against step
/// for every method and start (Adam and Newton), the bias of the converged box against
/// κ·s, the box trajectories, each with its CSV, and `fit_anneal.gif`. Returns the paths
/// written.
///
/// # Errors
/// [`FigureError`] if a file cannot be written.
pub fn write_fit_figures(dir: &Path) -> Result<Vec<PathBuf>> {
    let t = BBox::from_xyxy(TARGET)?;
    let start = BBox::from_xyxy(STARTS[1].pred)?;
    let anneal = fit::methods(t.min_side())
        .into_iter()
        .find(|m| m.label.starts_with("annealed"))
        .map(|m| FitConfig::new(m.loss, m.schedule, Optimizer::Adam));
    let gif = dir.join("fit_anneal.gif");
    // The GIF encoder (colour quantisation per frame) is the slow part: run it beside
    // the other runs and figures.
    std::thread::scope(|scope| {
        let gif_job = scope.spawn(|| -> Result<Option<PathBuf>> {
            let Some(cfg) = anneal else { return Ok(None) };
            let run = fit::fit(&start, &t, &cfg)?;
            write_fit_gif(
                &gif,
                &run,
                &t,
                "grey: target; orange: box (logsumexp, κ 0.1 → 50, Adam)",
            )?;
            Ok(Some(gif.clone()))
        });
        let opts = [Optimizer::Adam, Optimizer::Newton];
        let outcomes = fit::run_all(&opts, FitConfig::default().steps)?;
        let mut out = iou_vs_step(dir, &outcomes, &opts)?;
        out.extend(bias(dir, &fit::bias_curve(0.5, 200.0, 25)?)?);
        out.extend(trajectories(dir, &outcomes, Optimizer::Adam)?);
        let gif_written = gif_job.join().map_err(|_| FigureError::Draw {
            path: gif.clone(),
            message: "the GIF writer panicked".into(),
        })??;
        out.extend(gif_written);
        Ok(out)
    })
}

/// Writes the figures of one run into `dir` (which must exist): `fit_run.png` (hard IoU
/// and loss against step; the box's centre path, start, final box and target),
/// `fit_run.csv` (every step: exactly the data drawn) and `fit_run.gif`. Returns the paths.
///
/// # Errors
/// [`FigureError`] if a file cannot be written.
pub fn write_run_figures(
    dir: &Path,
    run: &FitResult,
    t: &BBox<f64>,
    title: &str,
) -> Result<Vec<PathBuf>> {
    let png_path = dir.join("fit_run.png");
    let csv_path = dir.join("fit_run.csv");
    let gif_path = dir.join("fit_run.gif");
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
            r.extend(s.bbox.iter().map(|v| v.to_string()));
            r
        })
        .collect();
    write_csv(
        &csv_path,
        &[
            "step",
            "kappa",
            "loss",
            "hard_iou",
            "grad_norm",
            "x_min",
            "y_min",
            "x_max",
            "y_max",
        ],
        &rows,
    )?;
    let max_loss = run.history.iter().map(|s| s.loss).fold(1.0, f64::max);
    let min_loss = run.history.iter().map(|s| s.loss).fold(0.0, f64::min);
    let (mut lo, mut hi) = ([t.x_min(), t.y_min()], [t.x_max(), t.y_max()]);
    for s in &run.history {
        lo = [lo[0].min(s.bbox[0]), lo[1].min(s.bbox[1])];
        hi = [hi[0].max(s.bbox[2]), hi[1].max(s.bbox[3])];
    }
    png(&png_path, (1200, 480), |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let root = root.titled(title, ("sans-serif", 20)).map_err(e)?;
        let (left, right) = root.split_horizontally(600);
        let mut chart = ChartBuilder::on(&left)
            .caption(
                "hard IoU and smoothed loss against step",
                ("sans-serif", 16),
            )
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(
                (1.0..run.steps as f64 + 2.0).log_scale(),
                min_loss - 0.02..max_loss + 0.02,
            )
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("step + 1 (log scale)")
            .y_desc("value")
            .x_label_formatter(&|v| format!("{v}"))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(e)?;
        for (i, (name, f)) in [
            (
                "hard IoU",
                (|s: &FitStep| s.hard_iou) as fn(&FitStep) -> f64,
            ),
            ("smoothed loss", |s: &FitStep| s.loss),
        ]
        .into_iter()
        .enumerate()
        {
            let c = colour(3 + 2 * i);
            let pts: Vec<(f64, f64)> = run
                .history
                .iter()
                .map(|s| (s.step as f64 + 1.0, f(s)))
                .collect();
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                .map_err(e)?
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
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(e)?;
        let right = right
            .titled(
                "grey: target, black: start, orange: final box, blue: centre path, \
                 pale: boxes at some steps",
                ("sans-serif", 14),
            )
            .map_err(e)?;
        let (xr, yr) = equal_aspect(&right, lo, hi).map_err(e)?;
        let mut plane = plane_chart(&right, xr, yr).map_err(e)?;
        plane
            .configure_mesh()
            .x_desc("x (coordinate units)")
            .y_desc("y")
            .x_label_formatter(&|v| format!("{v}"))
            .y_label_formatter(&|v| format!("{v}"))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(e)?;
        draw_box(&mut plane, t.to_xyxy(), RGBColor(200, 200, 200).filled())?;
        for k in fit::sample_steps_n(run.steps, 0, 12) {
            if let Some(s) = run.history.get(k) {
                draw_box(&mut plane, s.bbox, RGBColor(240, 180, 140).stroke_width(1))?;
            }
        }
        if let Some(first) = run.history.first() {
            draw_box(&mut plane, first.bbox, BLACK.stroke_width(2))?;
        }
        let centres: Vec<(f64, f64)> = run
            .history
            .iter()
            .map(|s| ((s.bbox[0] + s.bbox[2]) / 2.0, (s.bbox[1] + s.bbox[3]) / 2.0))
            .collect();
        plane
            .draw_series(LineSeries::new(centres, colour(3).stroke_width(2)))
            .map_err(e)?;
        draw_box(
            &mut plane,
            run.final_box.to_xyxy(),
            colour(2).stroke_width(2),
        )
    })?;
    write_fit_gif(&gif_path, run, t, title)?;
    Ok(vec![png_path, csv_path, gif_path])
}
