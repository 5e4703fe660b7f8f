//! Contour lines of a gridded surface (marching squares), so that the plot module only
//! draws line segments it is given.

use super::data::Surface;

/// The segments of one contour level, in the surface's offset units.
#[derive(Debug, Clone, PartialEq)]
pub struct Contour {
    /// The loss value of this line.
    pub level: f64,
    /// Straight pieces `[(x0, y0), (x1, y1)]`.
    pub segments: Vec<[(f64, f64); 2]>,
}

/// Where along an edge from value `a` (at 0) to `b` (at 1) the level is crossed.
fn cross(a: f64, b: f64, level: f64) -> Option<f64> {
    let (lo, hi) = (a.min(b), a.max(b));
    // one endpoint strictly below and the other at or above: each crossing counted once
    (lo < level && level <= hi && a != b).then(|| (level - a) / (b - a))
}

/// Contour lines of `surface` at each of `levels` by marching squares with linear
/// interpolation along the cell edges. Cells with a NaN corner are skipped; a saddle cell
/// (four crossings) is joined in edge order, which only matters at the grid resolution.
pub fn contours(surface: &Surface, levels: &[f64]) -> Vec<Contour> {
    let o = &surface.offsets;
    let n = o.len();
    let v = |ix: usize, iy: usize| surface.loss[iy * n + ix];
    levels
        .iter()
        .map(|&level| {
            let mut segments = Vec::new();
            for iy in 0..n.saturating_sub(1) {
                for ix in 0..n - 1 {
                    let c = [v(ix, iy), v(ix + 1, iy), v(ix + 1, iy + 1), v(ix, iy + 1)];
                    if c.iter().any(|x| x.is_nan()) {
                        continue;
                    }
                    let corners = [
                        (o[ix], o[iy]),
                        (o[ix + 1], o[iy]),
                        (o[ix + 1], o[iy + 1]),
                        (o[ix], o[iy + 1]),
                    ];
                    let mut pts = Vec::with_capacity(4);
                    for e in 0..4 {
                        let (a, b) = (c[e], c[(e + 1) % 4]);
                        if let Some(t) = cross(a, b, level) {
                            let (p, q) = (corners[e], corners[(e + 1) % 4]);
                            pts.push((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
                        }
                    }
                    for pair in pts.chunks_exact(2) {
                        segments.push([pair[0], pair[1]]);
                    }
                }
            }
            Contour { level, segments }
        })
        .collect()
}

/// Contour levels chosen for one surface: equally spaced "round" values (a step of 1, 2,
/// 2.5 or 5 times a power of ten) strictly between the surface's smallest and largest
/// finite loss, the largest step that still gives at least [`MIN_LEVELS`] of them. A
/// nearly flat surface (κ·s = 0.5 ranges over 0.69–0.81) so gets lines as dense as a
/// steep one; the levels differ between panels, and each line is labelled.
///
/// Returns no level for a surface without two distinct finite values.
pub fn contour_levels(surface: &Surface) -> Vec<f64> {
    let (lo, hi) = surface
        .loss
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if lo >= hi || lo.is_nan() || hi.is_nan() {
        return Vec::new();
    }
    let span = hi - lo;
    let mut decade = 10f64.powf((span / MIN_LEVELS as f64).log10().ceil());
    // steps 5, 2.5, 2, 1 times a decade, then the decade below: the first one with enough
    // levels strictly inside (lo, hi)
    for _ in 0..4 {
        for f in [5.0, 2.5, 2.0, 1.0] {
            let step = f * decade;
            // decimals of the step (2.5 needs one more than its decade)
            let decimals = (-(step.log10().floor()) as i64 + 1).max(0) as usize;
            let first = (lo / step).floor() as i64 + 1;
            let levels: Vec<f64> = (first..)
                .map(|k| k as f64 * step)
                .take_while(|&v| v < hi)
                .filter(|&v| v > lo)
                // rounded to the step's decimals, so that 0.7000000000000001 prints as 0.7
                .map(|v| format!("{v:.decimals$}").parse().unwrap_or(v))
                .collect();
            if levels.len() >= MIN_LEVELS {
                return levels;
            }
        }
        decade /= 10.0;
    }
    Vec::new()
}

/// The fewest contour levels [`contour_levels`] chooses.
pub const MIN_LEVELS: usize = 4;
