//! Colours, fonts, axis formatting and small drawing helpers shared by the figures.

use plotters::prelude::*;

/// Font family registered by [`super::register_fonts`].
pub const FONT: &str = "sans-serif";
/// Figure title size.
pub const TITLE: u32 = 24;
/// Panel caption size.
pub const CAPTION: u32 = 20;
/// Axis description size.
pub const AXIS: u32 = 17;
/// Tick label and legend size.
pub const TICK: u32 = 14;

/// One colour per series (colour-blind-safe Okabe–Ito palette, then extras; the fitting
/// figures compare 11 methods).
pub const SERIES: [RGBColor; 11] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
    RGBColor(150, 30, 30),
    RGBColor(130, 130, 0),
    RGBColor(110, 50, 170),
];

/// The colour of series `i`.
pub fn series(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Tick labels for a log axis: plain numbers from 0.001 to 9999, powers of ten otherwise.
pub fn log_tick(v: &f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if (1e-3..1e4).contains(&a) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        let e = v.log10().round() as i32;
        if (v / 10f64.powi(e) - 1.0).abs() < 1e-6 {
            format!("1e{e}")
        } else {
            format!("{v:.0e}")
        }
    }
}

/// Tick labels for a linear axis: up to 3 decimals, trailing zeros removed.
pub fn lin_tick(v: &f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_owned() }
}

/// Viridis, interpolated between five anchors; `t` is clamped to [0, 1].
pub fn viridis(t: f64) -> RGBColor {
    const A: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (A[i], A[i + 1]);
    let m = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Splits a polyline into runs of points that are finite and inside `[lo, hi]` in y, so
/// that nothing is drawn outside the plotting area and gaps stay gaps.
pub fn runs(
    points: impl IntoIterator<Item = (f64, f64)>,
    lo: f64,
    hi: f64,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (x, y) in points {
        if x.is_finite() && y.is_finite() && y >= lo && y <= hi {
            if let Some(last) = out.last_mut() {
                last.push((x, y));
            }
        } else if out.last().is_some_and(|l| !l.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|r| !r.is_empty());
    out
}
