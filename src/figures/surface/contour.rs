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
