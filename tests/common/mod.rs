//! Shared generators and oracles for the integration tests.
#![allow(dead_code)]

use proptest::prelude::*;
use softiou::{BBox, Smoothing};

/// Any of the three operators.
pub fn op() -> impl Strategy<Value = Smoothing> {
    prop::sample::select(Smoothing::ALL.to_vec())
}

/// One of the two smooth operators.
pub fn smooth_op() -> impl Strategy<Value = Smoothing> {
    prop::sample::select(vec![Smoothing::Boltzmann, Smoothing::LogSumExp])
}

/// κ log-uniform in [10^lo, 10^hi].
pub fn kappa(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo..hi).prop_map(|e| 10f64.powf(e))
}

/// A valid box with corner in [-c, c]² and sides log-uniform in [10^lo, 10^hi].
pub fn bbox(c: f64, lo: f64, hi: f64) -> impl Strategy<Value = BBox<f64>> {
    (-c..c, -c..c, lo..hi, lo..hi).prop_filter_map("box not representable", |(x, y, ew, eh)| {
        BBox::from_xywh(x, y, 10f64.powf(ew), 10f64.powf(eh)).ok()
    })
}

/// Central difference of `f` at `x` in component `i` with step `h`, Richardson-extrapolated
/// (error O(h⁴)): an oracle independent of dual numbers.
pub fn central_diff<const N: usize>(
    f: impl Fn([f64; N]) -> f64,
    x: [f64; N],
    i: usize,
    h: f64,
) -> f64 {
    let d = |h: f64| {
        let (mut xp, mut xm) = (x, x);
        xp[i] += h;
        xm[i] -= h;
        // the steps actually taken, after rounding of x ± h
        (f(xp) - f(xm)) / (xp[i] - xm[i])
    };
    (4.0 * d(h / 2.0) - d(h)) / 3.0
}

/// The central difference (as [`central_diff`]) closest to `exact` over steps h, h/10 and
/// h/100. Near a pole of a loss (a union or CIoU's 1 − IoU + v close to 0) the higher
/// derivatives are large and only a small step resolves the function, while far from one
/// a larger step keeps round-off down; a wrong derivative disagrees at every step.
pub fn closest_central_diff<const N: usize>(
    f: impl Fn([f64; N]) -> f64,
    x: [f64; N],
    i: usize,
    h: f64,
    exact: f64,
) -> f64 {
    [h, h / 10.0, h / 100.0]
        .into_iter()
        .map(|h| central_diff(&f, x, i, h))
        .min_by(|a, b| (a - exact).abs().total_cmp(&(b - exact).abs()))
        .unwrap_or(f64::NAN)
}
