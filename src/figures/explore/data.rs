//! The explorer's numbers: every value the page shows, computed by the library on grids.
//!
//! The page (see [`super::html`]) only looks values up and interpolates between grid
//! points; it evaluates no formula of the losses. The grids:
//!
//! | axis | values |
//! |---|---|
//! | κ·s (s = the target's side) | log-spaced 0.01 … 1e4, [`KS_PER_DECADE`] points a decade |
//! | operator | `hard` (κ-independent, stored once per position), `boltzmann`, `logsumexp` |
//! | predicted box | centre offset `dx`, `dy` (in units of s) on [`OFFSETS`], side `scale·s` on [`SCALES`] |
//!
//! The target is `[0, 0, s, s]` with s = [`SIDE`]; the box position snaps to the grid, so
//! only κ·s is interpolated: the loss by cubic Hermite interpolation in ln κ·s with the
//! exact slope `∂loss/∂ln κ = κ·∂loss/∂κ` ([`evaluate`]'s `dloss_dkappa`), every other
//! number linearly in ln κ·s. [`InterpolationError`] measures what that costs.

use serde::Serialize;

use crate::bbox::BBox;
use crate::evaluate::evaluate;
use crate::figures::error::Result;
use crate::iou::{Loss, Region, region};
use crate::smooth::Smoothing;

/// The target's side s, in coordinate units (the page shows κ·s and κ = κ·s / s).
pub const SIDE: f64 = 10.0;

/// κ·s grid: from 10^[`KS_LOG_RANGE`].0 to 10^[`KS_LOG_RANGE`].1.
pub const KS_LOG_RANGE: (i32, i32) = (-2, 4);

/// κ·s grid points per decade.
pub const KS_PER_DECADE: usize = 8;

/// Centre offsets of the predicted box from the target's centre, in units of s (both
/// axes).
pub const OFFSETS: [f64; 13] = [
    -1.5, -1.25, -1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5,
];

/// Sides of the (square) predicted box, in units of s.
pub const SCALES: [f64; 3] = [0.5, 1.0, 1.5];

/// Interior points per κ·s grid interval at which [`InterpolationError`] compares the
/// interpolated loss with the library's value.
pub const CHECK_POINTS: usize = 7;

/// Significant digits kept of the numbers the page prints (loss, its slope, IoU). The
/// measured [`InterpolationError`] is of these rounded values, so it includes the
/// rounding (at most 5e-7 relative).
pub const VALUE_DIGITS: i32 = 6;

/// Significant digits kept of the slopes of the Hermite interpolation (their rounding
/// is part of the measured [`InterpolationError`] too).
pub const SLOPE_DIGITS: i32 = 4;

/// Significant digits kept of the numbers the page only draws (gradient arrows, soft
/// intersection): 3 digits, and magnitudes below 1e-4 set to 0 — a fraction of a pixel
/// at the page's scales (about 10 px per coordinate unit, 60 px per unit of gradient).
pub const DRAW_DIGITS: i32 = 3;

/// `v` rounded for drawing ([`DRAW_DIGITS`]).
fn draw(v: f64) -> f64 {
    if v.abs() < 1e-4 {
        0.0
    } else {
        round_sig(v, DRAW_DIGITS)
    }
}

/// `v` rounded to `digits` significant decimal digits (non-finite values unchanged).
pub fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    // the shortest decimal with that many digits, so that JSON prints few characters
    format!("{v:.*e}", (digits - 1).max(0) as usize)
        .parse()
        .unwrap_or(v)
}

/// The values of one operator at every (position, κ·s) grid point, position-major:
/// index `pos * kappa_s.len() + k`. `None` (JSON `null`) where the library returned an
/// error (a soft union of exactly 0).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OperatorGrid {
    /// The soft IoU loss.
    pub loss: Vec<Option<f64>>,
    /// `∂loss/∂ln κ = κ·∂loss/∂κ`, the slope for the Hermite interpolation.
    pub dloss: Vec<Option<f64>>,
    /// The soft IoU.
    pub iou: Vec<Option<f64>>,
    /// `∂iou/∂ln κ = −∂loss/∂ln κ` (the loss is 1 − soft IoU), for the IoU's Hermite
    /// interpolation.
    pub diou: Vec<Option<f64>>,
    /// `s·∂loss/∂[px1, py1, px2, py2]` (dimensionless), four per point.
    pub grad: Vec<Option<f64>>,
    /// The soft intersection drawn as a rectangle: centre `(smax(p1, t1) + smin(p2, t2))/2`
    /// per axis and the soft sides `srelu(smin(p2, t2) − smax(p1, t1))` per axis, as
    /// `[cx, cy, w, h]`, four per point (its area is the soft intersection I).
    pub inter: Vec<Option<f64>>,
    /// Per position: the κ·s intervals of each [`Region`], as `[from κ·s, code]` pairs
    /// in increasing κ·s, the first from the grid's start; boundaries bisected to a
    /// relative 1e-9.
    pub regions: Vec<Vec<(f64, &'static str)>>,
}

/// Values of `hard` (independent of κ), one entry per position.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HardGrid {
    /// The IoU loss.
    pub loss: Vec<f64>,
    /// The IoU.
    pub iou: Vec<f64>,
    /// `s·∂loss/∂[px1, py1, px2, py2]`, four per position.
    pub grad: Vec<f64>,
    /// The intersection `[cx, cy, w, h]` as for [`OperatorGrid::inter`] (w, h ≥ 0).
    pub inter: Vec<f64>,
}

/// The largest difference between the page's interpolated value and the library's, on
/// [`CHECK_POINTS`] interior points of every κ·s grid interval whose two ends and the
/// point itself are [`Region::Meaningful`] (near a pole the loss is unbounded and no
/// interpolation error is promised; the page shows the region warning there).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct InterpolationError {
    /// The loss (Hermite), absolute.
    pub loss: f64,
    /// The soft IoU (Hermite), absolute.
    pub iou: f64,
    /// The κ·s of the worst loss error.
    pub loss_at_kappa_s: f64,
    /// The loss, on the intervals at κ·s ≥ 1 only (away from the logsumexp pole, which
    /// lies at κ·s ≈ 0.2 for the grid's pairs).
    pub loss_above_1: f64,
}

/// Everything the page embeds.
#[derive(Debug, Clone, Serialize)]
pub struct ExplorerData {
    /// The target's side s.
    pub side: f64,
    /// The target `[x1, y1, x2, y2]`.
    pub target: [f64; 4],
    /// The κ·s grid.
    pub kappa_s: Vec<f64>,
    /// The offsets grid (units of s).
    pub offsets: Vec<f64>,
    /// The scales grid (units of s).
    pub scales: Vec<f64>,
    /// The predicted box of every position, position index
    /// `(iy * offsets + ix) * scales + is`.
    pub pred: Vec<[f64; 4]>,
    /// `hard`.
    pub hard: HardGrid,
    /// `boltzmann`, then `logsumexp`.
    pub boltzmann: OperatorGrid,
    /// See [`ExplorerData::boltzmann`].
    pub logsumexp: OperatorGrid,
    /// [`Region::explanation`] by [`Region::code`].
    pub region_text: Vec<(&'static str, &'static str)>,
    /// Measured interpolation error, per smooth operator (`boltzmann`, `logsumexp`).
    pub interpolation_error: [InterpolationError; 2],
}

/// The κ·s grid.
pub fn kappa_s_grid() -> Vec<f64> {
    let (lo, hi) = KS_LOG_RANGE;
    let n = (hi - lo) as usize * KS_PER_DECADE;
    (0..=n)
        .map(|i| 10f64.powf(lo as f64 + (hi - lo) as f64 * i as f64 / n as f64))
        .collect()
}

/// The predicted boxes of the position grid, in position-index order.
///
/// # Errors
/// Never for the constant grids (the boxes are valid); as [`BBox::from_cxcywh`].
pub fn positions() -> Result<Vec<BBox<f64>>> {
    let mut out = Vec::new();
    for &dy in &OFFSETS {
        for &dx in &OFFSETS {
            for &sc in &SCALES {
                let c = SIDE / 2.0;
                out.push(BBox::from_cxcywh(
                    c + dx * SIDE,
                    c + dy * SIDE,
                    sc * SIDE,
                    sc * SIDE,
                )?);
            }
        }
    }
    Ok(out)
}

/// The target box.
///
/// # Errors
/// Never (a valid constant box).
pub fn target() -> Result<BBox<f64>> {
    Ok(BBox::new(0.0, 0.0, SIDE, SIDE)?)
}

/// `[cx, cy, w, h]` of the soft intersection of `p` and `t` with `op` at `kappa`.
fn soft_intersection(p: &BBox<f64>, t: &BBox<f64>, kappa: f64, op: Smoothing) -> [f64; 4] {
    let axis = |p1: f64, p2: f64, t1: f64, t2: f64| {
        let lo = op.smax(p1, t1, kappa);
        let hi = op.smin(p2, t2, kappa);
        ((lo + hi) / 2.0, op.srelu(hi - lo, kappa))
    };
    let (cx, w) = axis(p.x_min(), p.x_max(), t.x_min(), t.x_max());
    let (cy, h) = axis(p.y_min(), p.y_max(), t.y_min(), t.y_max());
    [cx, cy, w, h]
}

/// The [`Region`] intervals of one pair over the κ·s grid's range: scanned at 8 points
/// per grid interval, each change bisected.
fn region_intervals(
    p: &BBox<f64>,
    t: &BBox<f64>,
    op: Smoothing,
    ks: &[f64],
) -> Result<Vec<(f64, &'static str)>> {
    let at = |k: f64| region(p, t, k / SIDE, op);
    let mut out = vec![(ks[0], at(ks[0])?.code())];
    let mut prev_k = ks[0];
    let mut prev = at(ks[0])?;
    for w in ks.windows(2) {
        for j in 1..=8 {
            let k = w[0] * (w[1] / w[0]).powf(j as f64 / 8.0);
            let r = at(k)?;
            if r != prev {
                let (mut lo, mut hi) = (prev_k, k);
                while hi / lo - 1.0 > 1e-9 {
                    let mid = (lo * hi).sqrt();
                    if at(mid)? == prev {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                out.push((hi, r.code()));
                prev = r;
            }
            prev_k = k;
        }
    }
    Ok(out)
}

/// The region at κ·s from [`OperatorGrid::regions`] intervals.
pub fn region_at(intervals: &[(f64, &'static str)], kappa_s: f64) -> &'static str {
    intervals
        .iter()
        .take_while(|(from, _)| *from <= kappa_s)
        .last()
        .or(intervals.first())
        .map_or("meaningful", |(_, c)| c)
}

/// Cubic Hermite interpolation of `(y0, m0)`, `(y1, m1)` (slopes per unit of `u`) over
/// an interval of length `h` in `u`, at fraction `f` ∈ [0, 1]: the rule the page
/// applies to the loss in u = ln κ·s.
pub fn hermite(y0: f64, m0: f64, y1: f64, m1: f64, h: f64, f: f64) -> f64 {
    let f2 = f * f;
    let f3 = f2 * f;
    (2.0 * f3 - 3.0 * f2 + 1.0) * y0
        + (f3 - 2.0 * f2 + f) * h * m0
        + (-2.0 * f3 + 3.0 * f2) * y1
        + (f3 - f2) * h * m1
}

fn grid_for(op: Smoothing, preds: &[BBox<f64>], t: &BBox<f64>, ks: &[f64]) -> Result<OperatorGrid> {
    let mut g = OperatorGrid::default();
    let loss = Loss::soft_iou(op);
    for p in preds {
        for &k in ks {
            let kappa = k / SIDE;
            match evaluate(loss, p, t, kappa) {
                Ok(e) => {
                    g.loss.push(Some(round_sig(e.loss, VALUE_DIGITS)));
                    g.dloss
                        .push(Some(round_sig(kappa * e.dloss_dkappa, SLOPE_DIGITS)));
                    g.iou.push(Some(round_sig(e.iou, VALUE_DIGITS)));
                    g.diou
                        .push(Some(round_sig(-kappa * e.dloss_dkappa, SLOPE_DIGITS)));
                    g.grad.extend(e.grad_pred.map(|d| Some(draw(d * SIDE))));
                }
                Err(_) => {
                    g.loss.push(None);
                    g.dloss.push(None);
                    g.iou.push(None);
                    g.diou.push(None);
                    g.grad.extend([None; 4]);
                }
            }
            g.inter.extend(
                soft_intersection(p, t, kappa, op).map(|v| v.is_finite().then_some(draw(v))),
            );
        }
        g.regions.push(region_intervals(p, t, op, ks)?);
    }
    Ok(g)
}

/// Measures [`InterpolationError`] of `g` against the library.
fn measure(
    op: Smoothing,
    g: &OperatorGrid,
    preds: &[BBox<f64>],
    t: &BBox<f64>,
    ks: &[f64],
) -> Result<InterpolationError> {
    let mut worst = InterpolationError::default();
    let loss = Loss::soft_iou(op);
    let n = ks.len();
    for (ip, p) in preds.iter().enumerate() {
        for j in 0..n - 1 {
            let (a, b) = (ip * n + j, ip * n + j + 1);
            let regions = &g.regions[ip];
            let (Some(y0), Some(m0), Some(y1), Some(m1)) =
                (g.loss[a], g.dloss[a], g.loss[b], g.dloss[b])
            else {
                continue;
            };
            let (Some(i0), Some(n0), Some(i1), Some(n1)) =
                (g.iou[a], g.diou[a], g.iou[b], g.diou[b])
            else {
                continue;
            };
            let meaningful = |k: f64| region_at(regions, k) == "meaningful";
            if !meaningful(ks[j]) || !meaningful(ks[j + 1]) {
                continue;
            }
            let h = (ks[j + 1] / ks[j]).ln();
            for c in 1..=CHECK_POINTS {
                let f = c as f64 / (CHECK_POINTS + 1) as f64;
                let k = ks[j] * (h * f).exp();
                if !meaningful(k) {
                    continue;
                }
                let e = evaluate(loss, p, t, k / SIDE)?;
                let dl = (hermite(y0, m0, y1, m1, h, f) - e.loss).abs();
                let di = (hermite(i0, n0, i1, n1, h, f) - e.iou).abs();
                if dl > worst.loss {
                    worst.loss = dl;
                    worst.loss_at_kappa_s = k;
                }
                if ks[j] >= 1.0 {
                    worst.loss_above_1 = worst.loss_above_1.max(dl);
                }
                worst.iou = worst.iou.max(di);
            }
        }
    }
    Ok(worst)
}

/// Computes every number of the page.
///
/// # Errors
/// Only an unexpected library error on the constant grids.
pub fn compute() -> Result<ExplorerData> {
    let t = target()?;
    let preds = positions()?;
    let ks = kappa_s_grid();
    let mut hard = HardGrid::default();
    for p in &preds {
        let e = evaluate(Loss::soft_iou(Smoothing::Hard), p, &t, 1.0)?;
        hard.loss.push(e.loss);
        hard.iou.push(e.iou);
        hard.grad.extend(e.grad_pred.map(|d| d * SIDE));
        hard.inter
            .extend(soft_intersection(p, &t, 1.0, Smoothing::Hard));
    }
    let boltzmann = grid_for(Smoothing::Boltzmann, &preds, &t, &ks)?;
    let logsumexp = grid_for(Smoothing::LogSumExp, &preds, &t, &ks)?;
    let interpolation_error = [
        measure(Smoothing::Boltzmann, &boltzmann, &preds, &t, &ks)?,
        measure(Smoothing::LogSumExp, &logsumexp, &preds, &t, &ks)?,
    ];
    let region_text = [
        Region::Meaningful,
        Region::NegativeIntersection,
        Region::IouAboveOne,
        Region::UnionNotPositive,
    ]
    .map(|r| (r.code(), r.explanation()))
    .to_vec();
    Ok(ExplorerData {
        side: SIDE,
        target: t.to_xyxy(),
        kappa_s: ks,
        offsets: OFFSETS.to_vec(),
        scales: SCALES.to_vec(),
        pred: preds.iter().map(BBox::to_xyxy).collect(),
        hard,
        boltzmann,
        logsumexp,
        region_text,
        interpolation_error,
    })
}
