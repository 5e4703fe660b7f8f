//! The κ explorer page without a browser: one self-contained file under 5 MB whose
//! embedded numbers are the library's at every grid point, with the documented
//! interpolation error (moved here from `tests/explorer.rs` when the module became
//! private to the crate).

use super::data::{self as grid, KS_PER_DECADE, OFFSETS, SCALES, SIDE, hermite, region_at};
use softiou::evaluate::evaluate;
use softiou::{Loss, Smoothing, region};

fn page() -> (String, serde_json::Value) {
    let data = super::compute().unwrap();
    let html = super::render(&data).unwrap();
    let start = html
        .find(r#"<script type="application/json" id="data">"#)
        .unwrap();
    let json_start = html[start..].find('>').unwrap() + start + 1;
    let json_end = html[json_start..].find("</script>").unwrap() + json_start;
    let json = html[json_start..json_end].replace("<\\/", "</");
    (html.clone(), serde_json::from_str(&json).unwrap())
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

#[test]
fn the_page_is_one_self_contained_file_under_5_mb() {
    let (html, _) = page();
    assert!(html.len() < 5_000_000, "{} bytes", html.len());
    assert!(html.starts_with("<!DOCTYPE html>"));
    // nothing fetched from anywhere: no URLs, no external scripts, styles or images
    for needle in [
        "http:",
        "https:",
        "<script src",
        "<link",
        "<img",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(needle), "the page contains {needle:?}");
    }
    // the placeholder was replaced exactly once, and the data cannot close its element
    assert!(!html.contains("/*SOFTIOU_DATA*/"));
    assert_eq!(html.matches(r#"id="data""#).count(), 1);
}

#[test]
fn the_grids_have_the_documented_shape() {
    let (_, d) = page();
    let ks = d["kappa_s"].as_array().unwrap();
    assert_eq!(ks.len(), 6 * KS_PER_DECADE + 1);
    assert!((f(&ks[0]) - 0.01).abs() < 1e-15 && (f(&ks[ks.len() - 1]) - 1e4).abs() < 1e-9);
    let npos = OFFSETS.len() * OFFSETS.len() * SCALES.len();
    assert_eq!(d["pred"].as_array().unwrap().len(), npos);
    for op in ["boltzmann", "logsumexp"] {
        for (field, per) in [
            ("loss", 1),
            ("dloss", 1),
            ("iou", 1),
            ("diou", 1),
            ("grad", 4),
            ("inter", 4),
        ] {
            assert_eq!(
                d[op][field].as_array().unwrap().len(),
                npos * ks.len() * per,
                "{op}.{field}"
            );
        }
        assert_eq!(d[op]["regions"].as_array().unwrap().len(), npos);
    }
    assert_eq!(d["hard"]["loss"].as_array().unwrap().len(), npos);
}

#[test]
fn every_embedded_loss_is_the_librarys_at_its_grid_point_up_to_the_stated_rounding() {
    let (_, d) = page();
    let ks: Vec<f64> = d["kappa_s"].as_array().unwrap().iter().map(f).collect();
    let preds = grid::positions().unwrap();
    let t = grid::target().unwrap();
    for (name, op) in [
        ("boltzmann", Smoothing::Boltzmann),
        ("logsumexp", Smoothing::LogSumExp),
    ] {
        let g = &d[name];
        for (ip, p) in preds.iter().enumerate() {
            assert_eq!(
                d["pred"][ip]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(f)
                    .collect::<Vec<_>>(),
                p.to_xyxy()
            );
            for (k, &kk) in ks.iter().enumerate().step_by(4) {
                let e = evaluate(Loss::soft_iou(op), p, &t, kk / SIDE).unwrap();
                let i = ip * ks.len() + k;
                // 6 significant digits: a relative error of at most 5e-6
                let shown = f(&g["loss"][i]);
                assert!(
                    (shown - e.loss).abs() <= 5e-6 * e.loss.abs() + 1e-300,
                    "{name} {ip} {kk}"
                );
                assert!((f(&g["iou"][i]) - e.iou).abs() <= 5e-6 * e.iou.abs() + 1e-300);
                // the region intervals say what `region` says at the grid point
                let intervals: Vec<(f64, &'static str)> = g["regions"][ip]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| (f(&r[0]), code(r[1].as_str().unwrap())))
                    .collect();
                assert_eq!(
                    region_at(&intervals, kk),
                    region(p, &t, kk / SIDE, op).unwrap().code()
                );
            }
        }
    }
    for (ip, p) in preds.iter().enumerate() {
        let e = evaluate(Loss::soft_iou(Smoothing::Hard), p, &t, 1.0).unwrap();
        assert_eq!(f(&d["hard"]["loss"][ip]), e.loss);
    }
}

fn code(s: &str) -> &'static str {
    [
        "meaningful",
        "negative_intersection",
        "iou_above_one",
        "union_not_positive",
    ]
    .into_iter()
    .find(|c| *c == s)
    .unwrap_or_else(|| panic!("unknown region code {s}"))
}

#[test]
fn the_documented_interpolation_error_holds_at_points_between_the_checked_ones() {
    // The crate measured the error at 7 interior points of every interval; here, at
    // other points (1/16 and 15/16, 5/16 …) of the intervals above κ·s = 1, the
    // Hermite value of the embedded numbers is within the documented bound.
    let (_, d) = page();
    let ks: Vec<f64> = d["kappa_s"].as_array().unwrap().iter().map(f).collect();
    let preds = grid::positions().unwrap();
    let t = grid::target().unwrap();
    for (oi, (name, op)) in [
        ("boltzmann", Smoothing::Boltzmann),
        ("logsumexp", Smoothing::LogSumExp),
    ]
    .into_iter()
    .enumerate()
    {
        let bound = f(&d["interpolation_error"][oi]["loss_above_1"]);
        // the bound is small enough to be worth showing: well below the 1% of the κ rule
        assert!(bound > 0.0 && bound < 1e-3, "{name}: {bound}");
        let g = &d[name];
        let mut worst: f64 = 0.0;
        for (ip, p) in preds.iter().enumerate().step_by(7) {
            for j in (0..ks.len() - 1).filter(|&j| ks[j] >= 1.0) {
                let (a, b) = (ip * ks.len() + j, ip * ks.len() + j + 1);
                let h = (ks[j + 1] / ks[j]).ln();
                for frac in [1.0 / 16.0, 5.0 / 16.0, 11.0 / 16.0, 15.0 / 16.0] {
                    let k = ks[j] * (h * frac).exp();
                    if !region(p, &t, k / SIDE, op).unwrap().is_meaningful() {
                        continue;
                    }
                    let e = evaluate(Loss::soft_iou(op), p, &t, k / SIDE).unwrap();
                    let y = hermite(
                        f(&g["loss"][a]),
                        f(&g["dloss"][a]),
                        f(&g["loss"][b]),
                        f(&g["dloss"][b]),
                        h,
                        frac,
                    );
                    worst = worst.max((y - e.loss).abs());
                }
            }
        }
        // 1.5×: the measured maximum is over 7 sample points per interval, these are
        // others; the Hermite error is a smooth cubic-like function within an interval, so
        // between samples 1/8 apart it cannot exceed the sampled maximum by half
        assert!(worst <= 1.5 * bound, "{name}: {worst} > 1.5 × {bound}");
    }
}
