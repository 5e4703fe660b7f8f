//! The finite-difference checker: it catches wrong derivatives, passes right ones, tells
//! kinks apart, and its step study shows the textbook error slopes.

use num_traits::Zero;
use proptest::prelude::*;
use softiou::fdcheck::{
    CheckOptions, Function, KappaLoss, PredLoss, Status, Stencil, TargetLoss,
    check_claimed_gradient, check_direction, check_gradient, check_hessian, constant,
    default_steps, step_study,
};
use softiou::num_dual::DualNum;
use softiou::{BBox, Loss, LossKind, Smoothing};

/// f(x, y, z) = x²·y + exp(z)·sin(x) + 3·y·z, with its hand-derived gradient as the
/// thing under test.
struct Poly;
impl Function<3> for Poly {
    fn eval<D: DualNum + Copy>(&self, [x, y, z]: [D; 3]) -> softiou::Result<D> {
        Ok(x * x * y + z.exp() * x.sin() + constant::<D>(3.0) * y * z)
    }
}
fn poly_gradient([x, y, z]: [f64; 3]) -> [f64; 3] {
    [
        2.0 * x * y + z.exp() * x.cos(),
        x * x + 3.0 * z,
        z.exp() * x.sin() + 3.0 * y,
    ]
}

/// |x|: not differentiable at 0.
struct Abs;
impl Function<1> for Abs {
    fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> {
        Ok(x.abs())
    }
}

/// exp(x): every derivative is exp(x), so the truth is known exactly.
struct Exp;
impl Function<1> for Exp {
    fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> {
        Ok(x.exp())
    }
}

const ALL_KINDS: [LossKind; 4] = [
    LossKind::SoftIou,
    LossKind::Giou,
    LossKind::Diou,
    LossKind::Ciou,
];

#[test]
fn a_gradient_off_by_1e_minus_4_in_one_component_fails_and_that_component_is_named() {
    let x = [0.8, -1.3, 0.4];
    for wrong in 0..3 {
        let mut g = poly_gradient(x);
        g[wrong] += 1e-4;
        let r = check_claimed_gradient(&Poly, x, g, &CheckOptions::default()).unwrap();
        assert!(!r.passed, "{r}");
        let failed: Vec<usize> = r.failures().map(|c| c.index).collect();
        assert_eq!(failed, [wrong], "{r}");
        assert_eq!(r.worst, Some(wrong));
        assert!(r.to_string().contains(&format!("∂f/∂x[{wrong}]")));
        assert!(r.to_string().contains("WRONG DERIVATIVE"));
    }
}

#[test]
fn the_right_hand_gradient_passes_with_every_stencil() {
    let x = [0.8, -1.3, 0.4];
    for stencil in Stencil::ALL {
        let opts = CheckOptions {
            stencil,
            ..CheckOptions::default()
        };
        let r = check_claimed_gradient(&Poly, x, poly_gradient(x), &opts).unwrap();
        assert!(r.passed && r.kinks == 0, "{r}");
    }
}

#[test]
fn the_check_also_runs_in_f32_with_f32_tolerances() {
    let r = check_gradient(&Poly, [0.8_f32, -1.3, 0.4], &CheckOptions::default()).unwrap();
    assert!(r.passed, "{r}");
    assert_eq!(r.tolerance.rtol, 1e-2);
    // and a mistake of 5 % is still caught in f32
    let mut g = poly_gradient([0.8, -1.3, 0.4]).map(|v| v as f32);
    g[1] *= 1.05;
    let r =
        check_claimed_gradient(&Poly, [0.8_f32, -1.3, 0.4], g, &CheckOptions::default()).unwrap();
    assert_eq!(r.failures().map(|c| c.index).collect::<Vec<_>>(), [1]);
}

#[test]
fn abs_at_zero_is_reported_as_a_kink_not_a_failure() {
    let r = check_gradient(&Abs, [0.0], &CheckOptions::default()).unwrap();
    assert!(r.passed, "{r}");
    assert_eq!(r.kinks, 1);
    match r.components[0].status {
        Status::Kink { forward, backward } => {
            assert_eq!((forward, backward), (1.0, -1.0));
        }
        s => panic!("expected a kink, got {s:?}"),
    }
    assert!(r.to_string().contains("not differentiable here"));
    // away from 0 it is an ordinary, differentiable point
    let r = check_gradient(&Abs, [0.3], &CheckOptions::default()).unwrap();
    assert!(r.passed && r.kinks == 0, "{r}");
}

#[test]
fn hard_iou_at_an_exact_tie_is_a_kink_and_smooth_operators_pass_there() {
    // Identical boxes: every max and min is an exact tie.
    let b = BBox::new(1.0, 2.0, 4.0, 7.0).unwrap();
    for kind in ALL_KINDS {
        let hard = PredLoss::new(Loss::new(kind, Smoothing::Hard), b, b, 2.0).unwrap();
        let r = check_gradient(&hard, [0.0; 4], &CheckOptions::default()).unwrap();
        assert!(r.passed && r.kinks > 0, "{kind}: {r}");
        for op in [Smoothing::Boltzmann, Smoothing::LogSumExp] {
            let smooth = PredLoss::new(Loss::new(kind, op), b, b, 2.0).unwrap();
            let r = check_gradient(&smooth, [0.0; 4], &CheckOptions::default()).unwrap();
            assert!(r.passed && r.kinks == 0, "{kind} {op}: {r}");
        }
    }
    // Touching boxes: the soft ReLU of the overlap width sits exactly at 0.
    let t = BBox::new(4.0, 3.0, 6.0, 5.0).unwrap();
    let hard = PredLoss::new(Loss::soft_iou(Smoothing::Hard), b, t, 2.0).unwrap();
    let r = check_gradient(&hard, [0.0; 4], &CheckOptions::default()).unwrap();
    assert!(r.passed && r.kinks > 0, "{r}");
}

#[test]
fn the_direction_mode_passes_on_a_right_gradient() {
    let r = check_direction(&Poly, [0.8, -1.3, 0.4], 3, &CheckOptions::default()).unwrap();
    assert!(r.passed, "{r}");
    assert_eq!(r.stencil, Stencil::Central2);
}

#[test]
fn the_dual_number_derivative_is_exact_to_rounding_in_the_step_study() {
    let x = 0.5_f64;
    let s = step_study(&Exp, [x], 0, &default_steps(), Some(x.exp())).unwrap();
    assert_eq!(s.rows.len(), 49);
    // exp evaluated on a dual number: the derivative is exp(x) itself, one rounding.
    assert!(
        s.dual_error <= 2.0 * f64::EPSILON * x.exp(),
        "{}",
        s.dual_error
    );
    for st in Stencil::ALL {
        let (_, best) = s.optimum(st).unwrap();
        assert!(
            best > s.dual_error,
            "{st}: the stencil should not beat the dual number"
        );
    }
}

/// Least-squares slope of log10(error) against log10(h) over `lo <= h <= hi`.
fn slope(study: &softiou::fdcheck::StepStudy, st: Stencil, lo: f64, hi: f64) -> f64 {
    let pts: Vec<(f64, f64)> = study
        .rows
        .iter()
        .filter(|r| r.h >= lo && r.h <= hi)
        .map(|r| (r.h.log10(), r.error(st).log10()))
        .collect();
    let n = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

#[test]
fn the_step_study_shows_slopes_2_and_4_for_truncation_and_minus_1_for_round_off() {
    // exp at 0.5: all derivatives ≈ 1.65, so the truncation errors are h²·e^x/6 (central2)
    // and h⁴·e^x/30 (central4), the round-off about ε·e^x/h.
    let x = 0.5_f64;
    let steps: Vec<f64> = default_steps();
    let s = step_study(&Exp, [x], 0, &steps, Some(x.exp())).unwrap();
    // Truncation ranges: central2 on [1e-4, 1e-1] (truncation ≥ 2.7e-9 there, round-off
    // ≤ 4e-12, and the next term h⁴/120 is < 1 % of h²/6); central4 on [1e-2, 1e-1]
    // (truncation ≥ 5e-10, round-off ≤ 5e-14; at h = 1e-3 both are ~5e-14).
    let s2 = slope(&s, Stencil::Central2, 1e-4, 1e-1);
    let s4 = slope(&s, Stencil::Central4, 1e-2, 1e-1);
    assert!((s2 - 2.0).abs() < 0.1, "central2 truncation slope {s2}");
    assert!((s4 - 4.0).abs() < 0.2, "central4 truncation slope {s4}");
    // Round-off range [1e-13, 1e-9]: ε/h ≥ 2e-7 there while the truncation is < 1e-18.
    // Round-off is erratic from step to step, hence the wider band.
    for st in [Stencil::Central2, Stencil::Central4] {
        let r = slope(&s, st, 1e-13, 1e-9);
        assert!((r + 1.0).abs() < 0.3, "{st} round-off slope {r}");
    }
}

#[test]
fn the_step_study_rejects_a_bad_component_or_step() {
    assert!(step_study(&Exp, [0.5], 1, &default_steps(), None).is_err());
    assert!(step_study(&Exp, [0.5], 0, &[1e-3, 0.0], None).is_err());
    assert!(step_study(&Exp, [0.5], 0, &[f64::NAN], None).is_err());
}

fn boxes() -> impl Strategy<Value = (BBox<f64>, BBox<f64>, f64)> {
    // Sides 1..50, corners 0..50, κ 0.05..5 (κ·side 0.05..250): overlapping, nested and
    // disjoint pairs all occur.
    (
        (0.0..50.0, 0.0..50.0, 1.0..50.0, 1.0..50.0),
        (0.0..50.0, 0.0..50.0, 1.0..50.0, 1.0..50.0),
        -3.0_f64..1.6,
    )
        .prop_map(|((a, b, w, h), (c, d, u, v), lk)| {
            (
                BBox::from_xywh(a, b, w, h).unwrap(),
                BBox::from_xywh(c, d, u, v).unwrap(),
                lk.exp(),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random points are (almost surely) not ties, so even `hard` must pass there; a
    /// near-tie within the stencil's reach is reported as a kink, which is allowed.
    #[test]
    fn every_loss_and_operator_passes_at_random_points((p, t, kappa) in boxes()) {
        let opts = CheckOptions::default();
        for kind in ALL_KINDS {
            for op in Smoothing::ALL {
                let f = PredLoss::new(Loss::new(kind, op), p, t, kappa).unwrap();
                let k = KappaLoss::new(f);
                let reports = [
                    check_gradient(&f, [0.0; 4], &opts).unwrap(),
                    check_gradient(&TargetLoss(f), [0.0; 4], &opts).unwrap(),
                    check_hessian(&f, [0.0; 4], &opts).unwrap(),
                    check_gradient(&k, k.point(), &opts).unwrap(),
                ];
                for r in reports {
                    prop_assert!(r.passed, "{kind} {op} P={p} T={t} kappa={kappa}\n{r}");
                }
            }
        }
    }
}

/// The verdict and the report use one metric: every differentiable component passes
/// exactly when its margin (relative error over rtol plus the round-off allowance in the
/// same units) is at most 1, and the component called worst is the one with the largest
/// margin — a failure whenever there is one, never a pass with a larger raw error.
#[test]
fn the_worst_component_is_the_one_closest_to_failing_and_the_margin_decides() {
    let cases = softiou::fdcheck::random_cases(300, 7, 0.1, 10.0).unwrap();
    let options = softiou::fdcheck::SuiteOptions::default();
    for case in &cases {
        for loss in &options.losses {
            let (Ok(p), Ok(t)) = (BBox::from_xyxy(case.p), BBox::from_xyxy(case.t)) else {
                continue;
            };
            let Ok(f) = PredLoss::new(*loss, p, t, case.kappa) else {
                continue;
            };
            let Ok(r) = check_gradient(&f, [0.0; 4], &options.check) else {
                continue;
            };
            for c in &r.components {
                match c.status {
                    Status::Pass => assert!(c.margin <= 1.0, "{r}"),
                    Status::Fail => assert!(c.margin > 1.0, "{r}"),
                    Status::Kink { .. } => {}
                }
            }
            if let Some(w) = r.worst {
                let most = r
                    .components
                    .iter()
                    .filter(|c| !matches!(c.status, Status::Kink { .. }))
                    .map(|c| c.margin)
                    .fold(0.0, f64::max);
                assert_eq!(r.components[w].margin, most, "{r}");
            }
        }
    }
}

/// `softiou check`'s finite differences resolve every derivative of every loss to better
/// than 1e-6 (relative to the scale of what is checked), boxes near 1e5 and of side 1e-3
/// included: the steps are in units of the boxes' own length, and the step ladder refines
/// until a hundredth of the tolerance. CIoU's Hessian at P = T (α·v = v²/(1 − IoU + v)
/// is 0/0 there, and the loss is not twice differentiable) is recognised as such by the
/// polarisation test instead of being reported as a pass with a 6e-5 error.
#[test]
fn the_suite_resolves_every_loss_below_one_in_a_million() {
    let cases = softiou::fdcheck::random_cases(2000, 7, 0.1, 10.0).unwrap();
    let s = softiou::fdcheck::run_suite(&cases, &softiou::fdcheck::SuiteOptions::default());
    assert!(s.ok());
    assert!(
        s.max_rel_error < 1e-6,
        "max relative error {:e}",
        s.max_rel_error
    );
}

/// `g(x, y) = x² + x·y + 3y²` (Hessian [[2, 1], [1, 6]]) plus a small extra term.
struct Quadratic<const PLANTED: bool>(f64);
impl<const PLANTED: bool> Function<2> for Quadratic<PLANTED> {
    fn eval<D: DualNum + Copy>(&self, [x, y]: [D; 2]) -> softiou::Result<D> {
        let g = x * x + x * y + constant::<D>(3.0) * y * y;
        let eps = constant::<D>(self.0);
        Ok(if PLANTED {
            // ε·x² everywhere except exactly at the origin: a C² function (what finite
            // differences see) whose claimed Hessian at 0 misses 2ε in entry (0, 0).
            if x.re().is_zero() && y.re().is_zero() {
                g
            } else {
                g + eps * x * x
            }
        } else {
            // ε·x⁴/(x² + 4y²), 0 at the origin: homogeneous of degree 2 but not a quadratic
            // form, so not twice differentiable at 0 (CIoU's α·v at P = T in miniature).
            let r2 = x * x + constant::<D>(4.0) * y * y;
            if r2.re().is_zero() {
                g
            } else {
                g + eps * x * x * x * x / r2
            }
        })
    }
}

/// The polarisation test also looks at entries that pass but that the step ladder could
/// not resolve (error above rtol/100): at a point that is not twice differentiable they
/// become kinks, at a C² point they stay passes with their error reported. ε = 3e-5 puts
/// the disagreement (2ε on entry (0, 0), scale 6: 1e-5 relative) between rtol/100 = 1e-6
/// and rtol = 1e-4, where the ladder alone would have called it a pass.
#[test]
fn an_unresolved_entry_is_a_kink_only_where_the_function_is_not_twice_differentiable() {
    let opts = CheckOptions {
        tolerance: Some(softiou::fdcheck::Tolerance::SUITE),
        ..CheckOptions::default()
    };
    let not_c2 = check_hessian(&Quadratic::<false>(3e-5), [0.0, 0.0], &opts).unwrap();
    assert!(not_c2.passed && not_c2.kinks > 0, "{not_c2}");
    assert!(
        matches!(not_c2.components[0].status, Status::Kink { .. }),
        "{not_c2}"
    );
    let planted = check_hessian(&Quadratic::<true>(3e-5), [0.0, 0.0], &opts).unwrap();
    assert_eq!(planted.kinks, 0, "{planted}");
    let c = &planted.components[0];
    assert_eq!(c.status, Status::Pass, "{planted}");
    // the error is reported, not excused: 2ε over the scale 6, to a few per cent
    assert!((c.rel_error / 1e-5 - 1.0).abs() < 0.05, "{planted}");
    assert!(
        (planted.max_rel_error() / 1e-5 - 1.0).abs() < 0.05,
        "{planted}"
    );
}

/// CIoU (boltzmann) at P = T: its Hessian is not defined (α·v is 0/0 there) and the
/// checker says so, instead of a pass with an error of ~1e-5.
#[test]
fn ciou_at_identical_boxes_is_not_twice_differentiable() {
    // the worst case of `softiou check --cases 10000 --seed 7` before the fix (5.8e-5)
    let b = BBox::new(
        72.904592609308,
        68.86340083280163,
        94.423990245217,
        91.04151274039467,
    )
    .unwrap();
    let ciou = Loss::new(LossKind::Ciou, Smoothing::Boltzmann);
    let f = PredLoss::new(ciou, b, b, 1.7273681363569944).unwrap();
    let opts = CheckOptions {
        tolerance: Some(softiou::fdcheck::Tolerance::SUITE),
        ..CheckOptions::default()
    };
    let r = check_hessian(&f, [0.0; 4], &opts).unwrap();
    assert!(r.passed && r.kinks > 0, "{r}");
    assert!(r.max_rel_error() < 1e-6, "{r}");
}
