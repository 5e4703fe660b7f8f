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

/// One colour per series: the Okabe–Ito palette (Okabe and Ito 2002), which stays
/// distinguishable with every common colour-vision deficiency — blue, orange, bluish
/// green, reddish purple, vermillion, sky blue, then black. A panel shows at most six
/// coloured series; more go into small multiples. (Okabe–Ito's yellow is
/// left out: it is too light for a line on white.)
pub const SERIES: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// A neutral grey for references shared by several series (a hard value that several
/// scenarios have in common is drawn once, in this colour).
pub const SHARED: RGBColor = RGBColor(110, 110, 110);

/// The colour of series `i` (the palette repeats after [`SERIES`]`.len()`).
pub fn series(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// `e` in superscript digits, with a superscript minus: `-3` → `⁻³`.
fn superscript(e: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut out = String::new();
    if e < 0 {
        out.push('⁻');
    }
    for c in e.unsigned_abs().to_string().chars() {
        out.push(c.to_digit(10).map_or(c, |d| DIGITS[d as usize]));
    }
    out
}

/// Tick labels for a log axis, one format for every tick of every log axis of the set:
/// powers of ten as `10ᵏ` (`10⁻³`, `10⁰`, `10⁴`), other values as `m×10ᵏ`. (plotters
/// labels only the decades of a log axis; the mantissa form is there for any other value.)
pub fn log_tick(v: &f64) -> String {
    let v = *v;
    if v == 0.0 || !v.is_finite() {
        return lin_tick(&v);
    }
    let sign = if v < 0.0 { "−" } else { "" };
    let a = v.abs();
    let mut e = a.log10().floor() as i32;
    let mut m = a / 10f64.powi(e);
    // 9.9999999 → 10⁰ of the next decade
    if (m - 10.0).abs() < 1e-6 {
        e += 1;
        m = 1.0;
    }
    if (m - 1.0).abs() < 1e-6 {
        format!("{sign}10{}", superscript(e))
    } else {
        let m = format!("{m:.1}");
        let m = m.trim_end_matches('0').trim_end_matches('.');
        format!("{sign}{m}×10{}", superscript(e))
    }
}

/// Tick labels for a linear axis: up to 3 decimals, trailing zeros removed. An axis whose
/// range is known should use [`lin_ticks`], which gives every tick the same decimals.
pub fn lin_tick(v: &f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.replace('-', "−")
    }
}

/// The tick labels of a linear axis from `lo` to `hi` with about `n` labelled ticks (as
/// plotters places them): every label with the same number of decimals, the fewest that
/// show every tick exactly (`0.0, 0.5, 1.0, 1.5`, never `0, 0.5, 1, 1.5`).
pub fn lin_ticks(lo: f64, hi: f64, n: usize) -> impl Fn(&f64) -> String + Clone {
    use plotters::coord::ranged1d::Ranged;
    use plotters::coord::types::RangedCoordf64;
    let ticks = RangedCoordf64::from(lo..hi).key_points(n.max(2));
    let decimals = (0..=6)
        .find(|&d| {
            let k = 10f64.powi(d);
            ticks.iter().all(|t| ((t * k).round() - t * k).abs() < 1e-6)
        })
        .unwrap_or(6) as usize;
    move |v: &f64| {
        let s = format!("{:.*}", decimals, v);
        let zero = s
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.');
        if zero {
            s.trim_start_matches('-').to_owned()
        } else {
            s.replace('-', "−")
        }
    }
}

/// `v` rounded to `digits` significant figures, trailing zeros dropped: `0.30000000000000004`
/// → `0.3`, `63.0957` → `63.1` (3 figures); outside 10⁻³ … 10⁶ as `m×10ᵏ`.
pub fn sig(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return lin_tick(&v);
    }
    let digits = digits.max(1) as i32;
    let e = v.abs().log10().floor() as i32;
    if !(-3..6).contains(&e) {
        let m = v / 10f64.powi(e);
        let m = format!("{:.*}", (digits - 1) as usize, m);
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return format!("{}×10{}", m.replace('-', "−"), superscript(e));
    }
    let decimals = (digits - 1 - e).max(0) as usize;
    // above the figures kept, round to them too: 33333 to 2 figures is 33000
    let v = if digits - 1 - e < 0 {
        let q = 10f64.powi(e + 1 - digits);
        (v / q).round() * q
    } else {
        v
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    s.replace('-', "−")
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

#[cfg(test)]
mod tests {
    use super::{lin_ticks, log_tick, superscript};

    #[test]
    fn log_ticks_are_powers_of_ten_in_one_format() {
        assert_eq!(superscript(-12), "⁻¹²");
        assert_eq!(log_tick(&0.001), "10⁻³");
        assert_eq!(log_tick(&1.0), "10⁰");
        assert_eq!(log_tick(&1e4), "10⁴");
        // 10⁻⁵ computed as a power can land just below or above the decade
        assert_eq!(log_tick(&10f64.powf(-5.0 + 1e-12)), "10⁻⁵");
        assert_eq!(log_tick(&9.999_999_999e2), "10³");
        assert_eq!(log_tick(&2e-5), "2×10⁻⁵");
        assert_eq!(log_tick(&-1e3), "−10³");
    }

    #[test]
    fn significant_figures() {
        use super::sig;
        assert_eq!(sig(0.300_000_000_000_000_04, 4), "0.3");
        assert_eq!(sig(63.095_734_448, 3), "63.1");
        assert_eq!(sig(10.0, 4), "10");
        assert_eq!(sig(33_333.3, 2), "33000");
        assert_eq!(sig(210.3, 2), "210");
        assert_eq!(sig(0.185_63, 2), "0.19");
        assert_eq!(sig(2.5e-7, 2), "2.5×10⁻⁷");
        assert_eq!(sig(-1.5, 2), "−1.5");
    }

    #[test]
    fn linear_ticks_share_their_decimals() {
        let f = lin_ticks(-0.5, 2.0, 10);
        let labels: Vec<String> = [-0.5, 0.0, 0.5, 1.0, 1.5].iter().map(&f).collect();
        assert_eq!(labels, ["−0.5", "0.0", "0.5", "1.0", "1.5"]);
        let g = lin_ticks(0.0, 100.0, 10);
        assert_eq!((g(&40.0), g(&-0.0)), ("40".to_owned(), "0".to_owned()));
        let h = lin_ticks(0.0, 0.012, 10);
        assert_eq!(h(&0.004), "0.004");
    }
}
