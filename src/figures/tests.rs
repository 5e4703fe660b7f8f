//! Numbers behind the figures: each data function checked on values that could be wrong.

use nalgebra::SymmetricEigen;
use proptest::prelude::*;
use softiou::figures::KappaSweep;
use softiou::figures::breakdown::{Breakdown, breakdown_map, naive_soft_iou};
use softiou::figures::kit::{KappaRange, SMOOTH_OPS, Scenario, scenario};
use softiou::figures::surface::contour::contours;
use softiou::figures::surface::{Setting, centred_target, gradient_field, loss_surface};
use softiou::{BBox, Smoothing, region, soft_iou_loss};

fn named(name: &str) -> Scenario {
    scenario::standard()
        .into_iter()
        .find(|s| s.name == name)
        .expect("standard scenario exists")
}

fn sweep(name: &str, lo: f64, hi: f64, n: usize) -> KappaSweep {
    let range = KappaRange::new(lo, hi, n).expect("valid range");
    KappaSweep::compute(&named(name), &range, &SMOOTH_OPS).expect("sweep")
}

#[test]
fn the_kappa_grid_is_logarithmic_and_hits_both_ends_exactly() {
    let v = KappaRange::new(0.01, 100.0, 5).unwrap().values();
    assert_eq!(v.first(), Some(&0.01));
    assert_eq!(v.last(), Some(&100.0));
    // equal ratios between neighbours (rounding of exp/ln only)
    for w in v.windows(2) {
        assert!((w[1] / w[0] - 10.0).abs() < 1e-12);
    }
}

#[test]
fn bad_kappa_ranges_are_typed_errors() {
    assert!(matches!(
        KappaRange::new(0.0, 1.0, 5),
        Err(softiou::figures::Error::InvalidSweep(_))
    ));
    assert!(matches!(
        KappaRange::new(2.0, 1.0, 5),
        Err(softiou::figures::Error::InvalidSweep(_))
    ));
    assert!(matches!(
        KappaRange::new(1.0, f64::INFINITY, 5),
        Err(softiou::figures::Error::InvalidSweep(_))
    ));
    assert!(matches!(
        KappaRange::new(1.0, 2.0, 1),
        Err(softiou::figures::Error::InvalidSweep(_))
    ));
    assert!(matches!(
        KappaRange::from_physical(-1.0, 2.0, 3, 10.0),
        Err(softiou::figures::Error::InvalidSweep(_))
    ));
}

#[test]
fn every_row_agrees_with_a_direct_evaluation_of_the_loss() {
    let s = sweep("overlapping", 0.1, 1000.0, 13);
    for c in &s.curves {
        for r in &c.rows {
            let direct =
                soft_iou_loss(&s.scenario.pred, &s.scenario.target, r.kappa, c.smoothing).unwrap();
            // the row comes from a second-order dual evaluation: same formula, but its
            // real part may round differently (a few ulps, amplified near the pole of
            // the soft union at small κ·s); 1e-12 is far below anything plotted
            assert!(
                (r.loss - direct).abs() <= 1e-12 * direct.abs().max(1.0),
                "{r:?} vs {direct}"
            );
            assert_eq!(r.kappa, r.kappa_s / s.side);
            assert!(
                (r.abs_error - (direct - s.hard.loss).abs()).abs() <= 1e-12 * direct.abs().max(1.0)
            );
        }
    }
}

#[test]
fn the_logsumexp_error_for_identical_boxes_falls_like_one_over_kappa() {
    // Two tied coordinates: each smooth max is off by exactly ln2/κ, so |soft − hard| ∝
    // 1/κ at large κ. ±0.1 on the slope covers the O(1/κ²) correction over [100, 1e4].
    let s = sweep("identical", 1.0, 1e4, 81);
    let slope = s.error_slope(Smoothing::LogSumExp, 100.0, 1e4).unwrap();
    assert!((slope + 1.0).abs() < 0.1, "slope {slope}");
    // and so does the touching pair (one tied edge)
    let t = sweep("touching", 1.0, 1e4, 81);
    let slope = t.error_slope(Smoothing::LogSumExp, 100.0, 1e4).unwrap();
    assert!((slope + 1.0).abs() < 0.1, "slope {slope}");
}

#[test]
fn without_ties_the_error_falls_much_faster_than_one_over_kappa() {
    // Overlapping boxes with distinct edges: the deviation of each smooth max is
    // ∝ e^{−κ·d}, so the log–log slope over κ·s in [20, 60] is far below −1.
    let s = sweep("overlapping", 1.0, 100.0, 61);
    for op in SMOOTH_OPS {
        let slope = s.error_slope(op, 20.0, 60.0).unwrap();
        assert!(slope < -3.0, "{op}: slope {slope}");
    }
}

#[test]
fn the_error_never_exceeds_a_few_operator_bounds_at_large_kappa() {
    // The loss error is a sum over the few smooth max/min inside it, each within the
    // operator bound: at κ·s ≥ 10, |soft − hard| ≤ 10 × bound/s for every scenario.
    for sc in scenario::standard() {
        let s = KappaSweep::compute(&sc, &KappaRange::new(10.0, 1e4, 31).unwrap(), &SMOOTH_OPS)
            .unwrap();
        for c in &s.curves {
            for r in &c.rows {
                assert!(
                    r.abs_error <= 10.0 * r.bound_s,
                    "{} {}: {:?}",
                    sc.name,
                    c.smoothing,
                    r
                );
            }
        }
    }
}

#[test]
fn kappa_within_tolerance_is_where_the_error_stays_below_it() {
    let s = sweep("identical", 0.1, 1e4, 121);
    let ks = s.kappa_s_within(Smoothing::LogSumExp, 0.01).unwrap();
    let c = s.curve(Smoothing::LogSumExp).unwrap();
    assert!(
        c.rows
            .iter()
            .filter(|r| r.kappa_s >= ks)
            .all(|r| r.abs_error <= 0.01)
    );
    let before = c.rows.iter().rev().find(|r| r.kappa_s < ks).unwrap();
    assert!(before.abs_error > 0.01);
    // a tolerance nothing meets
    assert_eq!(s.kappa_s_within(Smoothing::LogSumExp, 0.0), None);
}

#[test]
fn central_difference_points_agree_with_the_exact_gradient() {
    // Relative step 6e-6: truncation (κh)²/6 ≤ 4e-6 at κ·s ≤ 1e3 here, rounding ≈ 1e-11;
    // 1e-4 relative to the gradient scale leaves room for both.
    let s = sweep("overlapping", 0.1, 1000.0, 25);
    assert_eq!(s.fd_points.len(), 2 * softiou::figures::kappa::FD_POINTS);
    for f in &s.fd_points {
        let scale = f.exact_s.iter().fold(1e-3_f64, |m, g| m.max(g.abs()));
        for j in 0..4 {
            assert!(
                (f.central_s[j] - f.exact_s[j]).abs() <= 1e-4 * scale,
                "{f:?} component {j}"
            );
        }
    }
}

#[test]
fn dloss_dkappa_agrees_with_a_central_difference_in_kappa() {
    let s = sweep("nested", 0.5, 50.0, 9);
    for c in &s.curves {
        for r in &c.rows {
            let h = 1e-6 * r.kappa;
            let f = |k: f64| {
                soft_iou_loss(&s.scenario.pred, &s.scenario.target, k, c.smoothing).unwrap()
            };
            let fd = (f(r.kappa + h) - f(r.kappa - h)) / (2.0 * h);
            // step 1e-6 relative: truncation ~1e-12, rounding ~1e-10/1e-6 = 1e-4 of the loss
            assert!(
                (fd - r.dloss_dkappa).abs()
                    < 1e-5 * (1.0 + r.dloss_dkappa.abs()) / r.kappa.min(1.0)
            );
            assert_eq!(r.kappa_dloss_dkappa, r.kappa * r.dloss_dkappa);
        }
    }
}

#[test]
fn curvature_at_identical_boxes_grows_with_kappa_and_the_stable_step_shrinks() {
    // Near P = T the smoothed kink of the hard loss has curvature ∝ κ: λmax·s² grows by
    // about 10× per decade of κ·s at large κ (logsumexp), and 2/λmax falls accordingly.
    let s = sweep("identical", 100.0, 1e4, 3);
    let c = s.curve(Smoothing::LogSumExp).unwrap();
    let ratio = c.rows[2].lambda_max_s2 / c.rows[1].lambda_max_s2;
    assert!((ratio - 10.0).abs() < 1.0, "ratio {ratio}");
    for r in &c.rows {
        // 2/λ/s² against 2/(λ·s²): equal up to two roundings
        let step = r.stable_step_s2.unwrap();
        assert!((step - 2.0 / r.lambda_max_s2).abs() <= 4.0 * f64::EPSILON * step);
    }
}

#[test]
fn the_hard_gradient_is_exactly_zero_outside_the_overlap() {
    let t = centred_target(10.0).unwrap();
    let f = gradient_field(
        &t,
        Setting {
            smoothing: Smoothing::Hard,
            kappa_s: 1.0,
        },
        2.0,
        17,
    )
    .unwrap();
    let n = f.offsets.len();
    let mut outside = 0;
    for i in 0..n * n {
        let (x, y) = (f.offsets[i % n], f.offsets[i / n]);
        if x.abs() > 1.0 || y.abs() > 1.0 {
            outside += 1;
            assert_eq!((f.gx[i], f.gy[i]), (0.0, 0.0), "at ({x}, {y})");
        }
    }
    assert!(outside > 100);
    // while every smooth field has a non-zero gradient everywhere except the centre
    let g = gradient_field(
        &t,
        Setting {
            smoothing: Smoothing::LogSumExp,
            kappa_s: 1.0,
        },
        2.0,
        17,
    )
    .unwrap();
    assert_eq!(g.exact_zeros(), 1);
}

#[test]
fn the_descent_direction_points_back_towards_the_target() {
    let t = centred_target(10.0).unwrap();
    let f = gradient_field(
        &t,
        Setting {
            smoothing: Smoothing::LogSumExp,
            kappa_s: 2.0,
        },
        2.0,
        9,
    )
    .unwrap();
    let n = f.offsets.len();
    for i in 0..n * n {
        let (x, y) = (f.offsets[i % n], f.offsets[i / n]);
        if x != 0.0 || y != 0.0 {
            assert!(f.gx[i] * x + f.gy[i] * y < 0.0, "at ({x}, {y})");
        }
    }
}

#[test]
fn surfaces_are_exactly_symmetric_for_a_centred_square_target() {
    let t = centred_target(10.0).unwrap();
    for setting in softiou::figures::surface::surface_settings() {
        let s = loss_surface(&t, setting, 2.0, 41).unwrap();
        let n = s.offsets.len();
        let v = |ix: usize, iy: usize| s.loss[iy * n + ix];
        for iy in 0..n {
            for ix in 0..n {
                // mirror in x, in y, and the swap of the axes (the square is symmetric)
                assert_eq!(v(ix, iy), v(n - 1 - ix, iy), "{setting:?}");
                assert_eq!(v(ix, iy), v(ix, n - 1 - iy), "{setting:?}");
                assert_eq!(v(ix, iy), v(iy, ix), "{setting:?}");
            }
        }
    }
}

#[test]
fn the_hard_surface_is_the_iou_loss_of_translated_squares() {
    // For squares of side s moved by (dx, dy) with |dx|, |dy| < s the IoU is
    // (s−|dx|)(s−|dy|) / (2s² − (s−|dx|)(s−|dy|)).
    let t = centred_target(10.0).unwrap();
    let s = loss_surface(
        &t,
        Setting {
            smoothing: Smoothing::Hard,
            kappa_s: 1.0,
        },
        2.0,
        21,
    )
    .unwrap();
    let n = s.offsets.len();
    for i in 0..n * n {
        let (x, y) = (s.offsets[i % n].abs(), s.offsets[i / n].abs());
        let i_area = (1.0 - x).max(0.0) * (1.0 - y).max(0.0);
        let expect = 1.0 - i_area / (2.0 - i_area);
        assert!(
            (s.loss[i] - expect).abs() < 1e-12,
            "({x}, {y}): {} vs {expect}",
            s.loss[i]
        );
    }
}

#[test]
fn contours_lie_on_their_level() {
    let t = centred_target(10.0).unwrap();
    let s = loss_surface(
        &t,
        Setting {
            smoothing: Smoothing::LogSumExp,
            kappa_s: 10.0,
        },
        2.0,
        61,
    )
    .unwrap();
    let levels = [0.6, 0.8];
    for c in contours(&s, &levels) {
        assert!(!c.segments.is_empty());
        for &(x, y) in c.segments.iter().flatten() {
            let p = t.translated(x * 10.0, y * 10.0).unwrap();
            let l = soft_iou_loss(&p, &t, 1.0, Smoothing::LogSumExp).unwrap();
            // linear interpolation on a grid of step s/15: the loss varies by < 0.1 per
            // cell, so its curvature error is well below 0.02
            assert!(
                (l - c.level).abs() < 0.02,
                "level {} at ({x}, {y}): {l}",
                c.level
            );
        }
    }
}

#[test]
fn the_naive_formula_is_nan_once_its_exponentials_leave_the_float_range() {
    // The soft minimum of the right edges computes e^{−κ·x_max} for both boxes; once both
    // underflow to 0 (κ·x > 745.1 in f64, 103.9 in f32) it returns 0/0 = NaN. The soft
    // maximum of the left edges overflows at κ·x > 709.8 (88.7 in f32) the same way.
    let p = [0.1_f64, 0.1, 1.1, 1.1];
    let t = [0.2_f64, 0.2, 1.2, 1.2];
    assert!(naive_soft_iou(p, t, 700.0 / 1.2).is_finite());
    assert!(naive_soft_iou(p, t, 760.0 / 1.1).is_nan());
    let (p32, t32) = (p.map(|v| v as f32), t.map(|v| v as f32));
    assert!(naive_soft_iou(p32, t32, 80.0 / 1.2).is_finite());
    assert!(naive_soft_iou(p32, t32, 110.0 / 1.1).is_nan());
    // overflow of the left edges: both x_min large
    let q = [800.0_f64, 0.0, 801.0, 1.0];
    let u = [800.5_f64, 0.0, 801.5, 1.0];
    assert!(naive_soft_iou(q, u, 1.0).is_nan());
}

#[test]
fn where_the_naive_formula_is_finite_it_matches_the_stable_boltzmann_iou() {
    let p = BBox::new(1.0, 2.0, 11.0, 12.0).unwrap();
    let t = BBox::new(2.5, 1.0, 13.0, 10.0).unwrap();
    for k in [0.01_f64, 0.1, 1.0, 10.0] {
        let naive = naive_soft_iou(p.to_xyxy(), t.to_xyxy(), k);
        let stable = softiou::soft_iou(&p, &t, k, Smoothing::Boltzmann).unwrap();
        assert!(
            (naive - stable).abs() < 1e-12,
            "κ = {k}: {naive} vs {stable}"
        );
    }
}

#[test]
fn the_breakdown_map_classifies_cells_consistently() {
    let k = KappaRange::new(0.1, 1e4, 21).unwrap();
    let m = KappaRange::new(0.01, 1e3, 11).unwrap();
    let map = breakdown_map(
        10.0,
        &k,
        &m,
        &[("disjoint", (1.3, 0.1)), ("overlap", (0.1, 0.1))],
    )
    .unwrap();
    for p in &map.panels {
        for i in 0..p.class.len() {
            match p.class[i] {
                Breakdown::NaiveNan => assert!(p.naive[i].is_nan()),
                Breakdown::NaiveInfinite => assert!(p.naive[i].is_infinite()),
                Breakdown::OutsideUnit => {
                    assert!(p.naive[i].is_finite() && !(0.0..=1.0).contains(&p.stable[i]))
                }
                Breakdown::Fine => assert!((0.0..=1.0).contains(&p.stable[i])),
            }
        }
        // NaN is monotone in κ: once the exponent overflows it stays overflowed
        let nk = map.kappa_s.len();
        for im in 0..map.magnitude.len() {
            let row = &p.class[im * nk..(im + 1) * nk];
            if let Some(first) = row.iter().position(|c| *c == Breakdown::NaiveNan) {
                assert!(row[first..].iter().all(|c| *c == Breakdown::NaiveNan));
            }
        }
    }
    // overlapping boxes never leave [0, 1]; disjoint ones do (negative soft intersection)
    assert_eq!(map.panels[1].count(Breakdown::OutsideUnit), 0);
    assert!(map.panels[0].count(Breakdown::OutsideUnit) > 0);
}

proptest! {
    #[test]
    fn loss_rows_are_scale_invariant_in_kappa_s(c in 0.01_f64..100.0, ks in 0.1_f64..1000.0) {
        // κ·s is the only thing that matters: scaling both boxes by c leaves each row's
        // loss unchanged (to rounding: the coordinates are multiplied by c).
        let sc = named("overlapping");
        let scaled = Scenario::new("scaled", sc.pred.scaled(c).unwrap(), sc.target.scaled(c).unwrap());
        let r = KappaRange::new(ks, ks * 2.0, 2).unwrap();
        let a = KappaSweep::compute(&sc, &r, &SMOOTH_OPS).unwrap();
        let b = KappaSweep::compute(&scaled, &r, &SMOOTH_OPS).unwrap();
        for (ca, cb) in a.curves.iter().zip(&b.curves) {
            for (ra, rb) in ca.rows.iter().zip(&cb.rows) {
                prop_assert!((ra.loss - rb.loss).abs() < 1e-9);
                prop_assert!((ra.grad_norm_s - rb.grad_norm_s).abs() < 1e-6 * (1.0 + ra.grad_norm_s));
            }
        }
    }
}

#[test]
fn the_step_study_points_are_rows_of_the_high_precision_reference() {
    let text = include_str!("../../tests/data/soft_iou_reference.csv");
    let lines: Vec<&str> = text.lines().collect();
    for pt in softiou::figures::step_study::REFERENCE_POINTS {
        let f: Vec<&str> = lines[pt.reference_line - 1].split(',').collect();
        let n = |k: usize| f[k].parse::<f64>().unwrap();
        assert_eq!(pt.pred, [n(0), n(1), n(2), n(3)]);
        assert_eq!(pt.target, [n(4), n(5), n(6), n(7)]);
        assert_eq!(pt.kappa, n(8));
        assert_eq!(pt.smoothing.to_string(), f[9]);
        assert_eq!(pt.dloss_dpx1, n(12));
    }
}

#[test]
fn in_the_step_study_the_dual_numbers_beat_every_stencil_at_every_step() {
    for p in softiou::figures::step_study::step_panels().unwrap() {
        let s = &p.study;
        // the dual-number derivative: a few ulps of the derivative (the reference is
        // rounded to f64 itself, so 0.5 ulp of the difference is the reference's)
        assert!(
            s.dual_error <= 8.0 * f64::EPSILON * s.truth.abs(),
            "{}",
            s.dual_error
        );
        for r in &s.rows {
            assert!(r.central2 > s.dual_error && r.central4 > s.dual_error);
        }
        // the V: the 2nd-order stencil is best near ε^(1/3) ≈ 6e-6, worse at both ends
        let (h, e) = s.optimum(softiou::fdcheck::Stencil::Central2).unwrap();
        assert!((1e-7..1e-4).contains(&h), "best step {h}");
        assert!(s.rows.first().unwrap().central2 > 100.0 * e);
        assert!(s.rows.last().unwrap().central2 > 100.0 * e);
    }
}

#[test]
fn surface_and_gradient_grids_equal_the_per_pair_loss_and_gradient() {
    // The grids are evaluated as one parallel batch on the lane engine (101² = 10201
    // pairs: more than one task of the batch), so this checks the batch against the
    // per-pair (num-dual) functions, with the lane engine's tolerances (tests/batch_lanes.rs):
    // the loss within 1e-14 of max(1, |loss|), a gradient component within 1e-12 of the
    // gradient's scale (its largest component, at least 1/s), 100 times that outside the
    // meaningful region where the loss is a quotient near its pole; gx and gy are sums of
    // two components, hence twice the room. Over ±1e16 s the translated box rounds to zero width away from the centre
    // (the spacing of doubles near 1e17 is 16 > s): such pairs are not valid boxes and
    // must become NaN in both grids while the rest of the grid is still filled.
    let side = 10.0;
    let t = centred_target(side).unwrap();
    let n = 101;
    let mut cases: Vec<(Setting, f64)> = softiou::figures::surface::surface_settings()
        .into_iter()
        .map(|s| (s, 2.0))
        .collect();
    let boltzmann = Setting {
        smoothing: Smoothing::Boltzmann,
        kappa_s: 5.0,
    };
    cases.push((boltzmann, 2.0));
    cases.push((cases[2].0, 1e16));
    let (mut defined, mut undefined) = (0, 0);
    for (setting, half_range) in cases {
        let s = loss_surface(&t, setting, half_range, n).unwrap();
        let f = gradient_field(&t, setting, half_range, n).unwrap();
        let loss = softiou::Loss::soft_iou(setting.smoothing);
        let kappa = setting.kappa_s / side;
        for k in 0..n * n {
            let at = format!("{} over ±{half_range} at {k}", setting.label());
            let per_pair = t
                .translated(s.offsets[k % n] * side, s.offsets[k / n] * side)
                .and_then(|p| Ok((p, softiou::diff::grad_pred(loss, &p, &t, kappa)?)));
            match per_pair {
                Ok((p, g)) => {
                    defined += 1;
                    let room = if region(&p, &t, kappa, setting.smoothing)
                        .unwrap()
                        .is_meaningful()
                    {
                        1.0
                    } else {
                        100.0
                    };
                    let v: f64 = loss.eval(&p, &t, kappa).unwrap();
                    let dv = (s.loss[k] - v).abs();
                    assert!(
                        dv <= room * 1e-14 * v.abs().max(1.0),
                        "{at}: {} vs {v}",
                        s.loss[k]
                    );
                    let gx = -(g.grad[0] + g.grad[2]) * side;
                    let gy = -(g.grad[1] + g.grad[3]) * side;
                    let scale = g.grad.iter().fold(1.0 / side, |m, x| m.max(x.abs())) * side;
                    for (lane, pair) in [(f.gx[k], gx), (f.gy[k], gy)] {
                        assert!(
                            (lane - pair).abs() <= room * 2e-12 * scale,
                            "{at}: gradient {lane} vs {pair}"
                        );
                    }
                }
                Err(_) => {
                    undefined += 1;
                    assert!(s.loss[k].is_nan(), "{at}");
                    assert!(f.gx[k].is_nan() && f.gy[k].is_nan(), "{at}");
                }
            }
        }
    }
    assert!(
        undefined > 0,
        "no undefined pair: the NaN path went untested"
    );
    assert!(defined > 5 * n * n, "{defined} defined pairs");
}

#[test]
fn the_library_refuses_oversized_grids_before_allocating() {
    use softiou::Smoothing;
    use softiou::figures::kit::KappaRange;
    use softiou::figures::surface::{
        MAX_GRID_POINTS, Setting, centred_target, gradient_field, loss_surface,
    };
    let t = centred_target(10.0).unwrap();
    let s = Setting {
        smoothing: Smoothing::LogSumExp,
        kappa_s: 1.0,
    };
    // usize::MAX points per side would be an impossible n² allocation
    for n in [MAX_GRID_POINTS + 1, usize::MAX] {
        assert!(matches!(
            loss_surface(&t, s, 2.0, n),
            Err(softiou::figures::Error::InvalidSweep(_))
        ));
        assert!(matches!(
            gradient_field(&t, s, 2.0, n),
            Err(softiou::figures::Error::InvalidSweep(_))
        ));
    }
    assert!(loss_surface(&t, s, 2.0, 3).is_ok());
    let max = softiou::figures::KappaRange::MAX_POINTS;
    assert!(KappaRange::new(0.1, 10.0, max).is_ok());
    assert!(KappaRange::new(0.1, 10.0, max + 1).is_err());
}

#[test]
fn sweep_rows_equal_the_per_pair_hessian_and_dkappa_and_keep_the_undefined_points() {
    // The sweep computes its rows with lane batches (a κ per row); this checks every row
    // of every standard scenario, over a range reaching below the `logsumexp` κ·s floor
    // of the Hessian (2^-501 ≈ 1.5e-151) and below the κ under which the lanes leave
    // rows to the scalar path, against the per-pair num-dual functions, with the lane engine's
    // tolerances (tests/batch_lanes.rs): the loss within 1e-14 of max(1, |loss|), a
    // gradient within 1e-12 of its scale (largest component, at least 1/s: in units of s,
    // at least 1), ∂/∂κ within 1e-12 of max(|∂/∂κ|, 1/κ), λmax within 1e-10 of the
    // Hessian's scale (largest |entry|, at least 1/s²: in units of s², at least 1); 100
    // times the room outside the meaningful region, where the loss is a quotient near its
    // pole. The points where the per-pair functions fail are exactly the undefined ones.
    use softiou::diff::{dloss_dkappa, hessian_pred};
    let (mut defined_total, mut undefined_total) = (0, 0);
    for sc in scenario::standard() {
        let s = KappaSweep::compute(&sc, &KappaRange::new(1e-160, 1e4, 83).unwrap(), &SMOOTH_OPS)
            .unwrap();
        let side = s.side;
        for c in &s.curves {
            let loss = softiou::Loss::soft_iou(c.smoothing);
            let (mut rows, mut undefined) = (c.rows.iter(), 0);
            for ks in KappaRange::new(1e-160, 1e4, 83).unwrap().values() {
                let kappa = ks / side;
                let at = format!("{} {} at κ·s = {ks}", sc.name, c.smoothing);
                let h = hessian_pred(loss, &sc.pred, &sc.target, kappa);
                let d = dloss_dkappa(loss, &sc.pred, &sc.target, kappa);
                let (Ok(h), Ok(d)) = (h, d) else {
                    assert!(c.undefined.contains(&ks), "{at}: not listed as undefined");
                    undefined += 1;
                    continue;
                };
                let r = rows.next().unwrap();
                assert_eq!(r.kappa_s, ks, "{at}");
                let meaningful = region(&sc.pred, &sc.target, kappa, c.smoothing)
                    .unwrap()
                    .is_meaningful();
                let room = if meaningful { 1.0 } else { 100.0 };
                assert!(
                    (r.loss - h.value).abs() <= room * 1e-14 * h.value.abs().max(1.0),
                    "{at}: loss {} vs {}",
                    r.loss,
                    h.value
                );
                let g_s = h.grad.map(|x| x * side);
                let scale = g_s.iter().fold(1.0_f64, |m, x| m.max(x.abs()));
                for (a, b) in r.grad_s.iter().zip(&g_s) {
                    assert!((a - b).abs() <= room * 1e-12 * scale, "{at}: {a} vs {b}");
                }
                let dk = d.dloss_dkappa;
                assert!(
                    (r.dloss_dkappa - dk).abs() <= room * 1e-12 * dk.abs().max(1.0 / kappa),
                    "{at}: dkappa {} vs {dk}",
                    r.dloss_dkappa
                );
                let lambda = SymmetricEigen::new(h.hessian).eigenvalues.max() * side * side;
                let h_scale = (h.hessian.amax() * side * side).max(1.0);
                assert!(
                    (r.lambda_max_s2 - lambda).abs() <= room * 1e-10 * h_scale,
                    "{at}: λmax {} vs {lambda}",
                    r.lambda_max_s2
                );
            }
            assert!(rows.next().is_none(), "{}: rows left over", sc.name);
            assert_eq!(undefined, c.undefined.len(), "{}", sc.name);
            defined_total += c.rows.len();
            undefined_total += undefined;
        }
    }
    // both paths were taken
    assert!(
        defined_total > 500 && undefined_total > 0,
        "{defined_total} {undefined_total}"
    );
}
