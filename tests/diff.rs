//! Every exposed derivative agrees with finite differences, and every dual type agrees.

mod common;

use common::{bbox, closest_central_diff, kappa};
use nalgebra::SVector;
use num_dual::{Dual64, HyperDual64};
use proptest::prelude::*;
use softiou::{BBox, Loss, LossKind, Smoothing, diff};

fn loss() -> impl Strategy<Value = Loss> {
    (
        prop::sample::select(LossKind::ALL.to_vec()),
        prop::sample::select(Smoothing::ALL.to_vec()),
    )
        .prop_map(|(k, s)| Loss::new(k, s))
}

/// A pair away from the kinks of `hard`: no two compared coordinates within `margin`.
fn far_from_kinks(p: &BBox<f64>, t: &BBox<f64>, margin: f64) -> bool {
    let (a, b) = (p.to_xyxy(), t.to_xyxy());
    let pairs = [
        (a[0], b[0]),
        (a[1], b[1]),
        (a[2], b[2]),
        (a[3], b[3]),
        (a[2], b[0]),
        (a[0], b[2]),
        (a[3], b[1]),
        (a[1], b[3]),
    ];
    pairs.iter().all(|(x, y)| (x - y).abs() > margin)
}

fn eval8(l: Loss, x: [f64; 8], k: f64) -> f64 {
    let p = BBox::from_xyxy([x[0], x[1], x[2], x[3]]).unwrap();
    let t = BBox::from_xyxy([x[4], x[5], x[6], x[7]]).unwrap();
    l.eval(&p, &t, k).unwrap()
}

// Boxes with corners in [-10, 10] and sides in [1, 10], κ·s in about [0.1, 100]: the third
// derivatives are then at most ~(κ + 1)³, the step h = 1e-3 keeps the Richardson (O(h⁴))
// truncation near 1e-12·(κ + 1)⁵ and round-off near ε/h ≈ 1e-13, so agreement to
// 1e-7 of the gradient's scale leaves a wide margin while any wrong term would be O(1).
proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn the_gradient_wrt_both_boxes_agrees_with_central_differences(
        l in loss(), p in bbox(10.0, 0.0, 1.0), t in bbox(10.0, 0.0, 1.0), k in kappa(-1.0, 1.0),
    ) {
        prop_assume!(l.smoothing != Smoothing::Hard || far_from_kinks(&p, &t, 1e-2));
        let g = diff::grad_all(l, &p, &t, k).unwrap();
        let [a0, a1, a2, a3] = p.to_xyxy();
        let [b0, b1, b2, b3] = t.to_xyxy();
        let x = [a0, a1, a2, a3, b0, b1, b2, b3];
        let exact: Vec<f64> = g.grad_pred.iter().chain(g.grad_target.iter()).copied().collect();
        let scale = exact.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (i, e) in exact.iter().enumerate() {
            let fd = closest_central_diff(|x| eval8(l, x, k), x, i, 1e-3, *e);
            prop_assert!((fd - e).abs() <= 1e-7 * scale, "{l} component {i}: exact {e} fd {fd}");
        }
        // the 4-coordinate pass gives the same numbers as the 8-coordinate one
        let g4 = diff::grad_pred(l, &p, &t, k).unwrap();
        prop_assert_eq!(g4.value, g.value);
        for i in 0..4 {
            prop_assert!((g4.grad[i] - g.grad_pred[i]).abs() <= 4.0 * f64::EPSILON * scale);
        }
    }

    #[test]
    fn the_hessian_agrees_with_central_differences_of_the_exact_gradient(
        l in loss(), p in bbox(10.0, 0.0, 1.0), t in bbox(10.0, 0.0, 1.0), k in kappa(-1.0, 1.0),
    ) {
        prop_assume!(l.smoothing != Smoothing::Hard || far_from_kinks(&p, &t, 1e-2));
        let h = diff::hessian_pred(l, &p, &t, k).unwrap();
        let g = diff::grad_pred(l, &p, &t, k).unwrap();
        prop_assert_eq!(h.value, g.value);
        let scale = h.hessian.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for j in 0..4 {
            let grad_j = |x: [f64; 4]| diff::grad_pred(l, &BBox::from_xyxy(x).unwrap(), &t, k).unwrap().grad[j];
            for i in 0..4 {
                let fd = closest_central_diff(grad_j, p.to_xyxy(), i, 1e-3, h.hessian[(j, i)]);
                prop_assert!((fd - h.hessian[(j, i)]).abs() <= 1e-7 * scale, "{l} H[{j},{i}] {} vs {fd}", h.hessian[(j, i)]);
            }
            prop_assert!((h.grad[j] - g.grad[j]).abs() <= 4.0 * f64::EPSILON * scale);
        }
        // symmetric to rounding
        prop_assert!((h.hessian - h.hessian.transpose()).abs().max() <= 8.0 * f64::EPSILON * scale);
    }

    #[test]
    fn the_kappa_derivative_agrees_with_a_central_difference_in_kappa(
        l in loss(), p in bbox(10.0, 0.0, 1.0), t in bbox(10.0, 0.0, 1.0), k in kappa(-1.0, 1.0),
    ) {
        let d = diff::dloss_dkappa(l, &p, &t, k).unwrap();
        if l.smoothing == Smoothing::Hard {
            prop_assert_eq!(d.dloss_dkappa, 0.0);
        }
        // relative step in κ: the loss depends on ln κ smoothly on the scale of κ itself
        let fd = closest_central_diff(|x: [f64; 1]| l.eval(&p, &t, x[0]).unwrap(), [k], 0, 1e-3 * k, d.dloss_dkappa);
        let scale = d.dloss_dkappa.abs().max(1.0 / k);
        prop_assert!((fd - d.dloss_dkappa).abs() <= 1e-7 * scale, "{l}: exact {} fd {fd}", d.dloss_dkappa);
    }

    #[test]
    fn dual_dualvec_and_second_order_duals_give_the_same_values_and_gradients(
        l in loss(), p in bbox(100.0, -1.0, 2.0), t in bbox(100.0, -1.0, 2.0), k in kappa(-2.0, 2.0),
    ) {
        let g = diff::grad_pred(l, &p, &t, k).unwrap();
        let h = diff::hessian_pred(l, &p, &t, k).unwrap();
        if l.kind == LossKind::SoftIou {
            // the value of a dual evaluation is the f64 value to the last bit
            prop_assert_eq!(g.value, l.eval(&p, &t, k).unwrap());
            prop_assert_eq!(h.value, g.value);
        }
        let scale = g.grad.iter().fold(1.0 / p.min_side().min(t.min_side()), |m, v| m.max(v.abs()));
        // four scalar Dual64 passes, one per coordinate
        for i in 0..4 {
            let c = p.to_xyxy();
            let x: [Dual64; 4] = std::array::from_fn(|j| if j == i { Dual64::from_re(c[j]).derivative() } else { Dual64::from_re(c[j]) });
            let v = l.eval(&BBox::from_xyxy(x).unwrap(), &t.map(Dual64::from_re).unwrap(), Dual64::from_re(k)).unwrap();
            prop_assert_eq!(v.re, g.value);
            // identical arithmetic on each component up to the order of a few operations
            prop_assert!((v.eps - g.grad[i]).abs() <= 4.0 * f64::EPSILON * scale, "{} vs {}", v.eps, g.grad[i]);
            prop_assert!((h.grad[i] - g.grad[i]).abs() <= 4.0 * f64::EPSILON * scale);
        }
        // a hyper-dual pass gives the mixed second derivative H[0,2]
        let c = p.to_xyxy();
        let x: [HyperDual64; 4] = std::array::from_fn(|j| {
            let mut d = HyperDual64::from_re(c[j]);
            if j == 0 { d.eps1 = 1.0; }
            if j == 2 { d.eps2 = 1.0; }
            d
        });
        let v = l.eval(&BBox::from_xyxy(x).unwrap(), &t.map(HyperDual64::from_re).unwrap(), HyperDual64::from_re(k)).unwrap();
        let hscale = h.hessian.iter().fold(scale * scale, |m, v| m.max(v.abs()));
        prop_assert!((v.eps1eps2 - h.hessian[(0, 2)]).abs() <= 8.0 * f64::EPSILON * hscale);
    }

    #[test]
    fn derivatives_in_f32_agree_with_f64(
        l in loss(), p in bbox(10.0, 0.0, 1.0), t in bbox(10.0, 0.0, 1.0), k in kappa(-1.0, 1.0),
    ) {
        prop_assume!(l.smoothing != Smoothing::Hard || far_from_kinks(&p, &t, 1e-2));
        let p32 = BBox::from_xyxy(p.to_xyxy().map(|v| v as f32)).unwrap();
        let t32 = BBox::from_xyxy(t.to_xyxy().map(|v| v as f32)).unwrap();
        let g32 = diff::grad_all(l, &p32, &t32, k as f32).unwrap();
        let g64 = diff::grad_all(l, &p, &t, k).unwrap();
        let scale = g64.grad_pred.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        // f32 inputs are rounded by 2^-24 relative to coordinates ≤ 20 with sides ≥ 1:
        // the loss and gradient move by about 1e-6 of their scale; allow 1e-4. Near the
        // pole of a small logsumexp union the loss ≈ A/U amplifies a relative change of U
        // by |loss|, and the gradient (≈ A/U²) by |loss|², hence those factors.
        let cond = 1.0 + g64.value.abs();
        prop_assert!((g32.value as f64 - g64.value).abs() <= 1e-4 * cond * cond, "{} vs {}", g32.value, g64.value);
        for i in 0..4 {
            prop_assert!((g32.grad_pred[i] as f64 - g64.grad_pred[i]).abs() <= 1e-4 * scale * cond * cond * cond);
        }
    }
}

#[test]
fn the_gradient_of_identical_boxes_is_finite_and_symmetric_for_smooth_operators() {
    let p = BBox::new(0.0, 0.0, 10.0, 10.0).unwrap();
    for op in [Smoothing::Boltzmann, Smoothing::LogSumExp] {
        let g: diff::GradAll<f64> = diff::grad_all(Loss::soft_iou(op), &p, &p, 1.0).unwrap();
        // moving P's min corner and T's min corner are mirror images at a tie
        for i in 0..4 {
            assert!(
                (g.grad_pred[i] - g.grad_target[i]).abs() <= 1e-15,
                "{op} {i}: {:?}",
                g
            );
        }
        assert!(
            g.grad_pred[0] < 0.0 && g.grad_pred[2] > 0.0
                || g.grad_pred[0] > 0.0 && g.grad_pred[2] < 0.0
        );
    }
}

#[test]
fn the_hard_gradient_is_exactly_zero_for_disjoint_boxes() {
    let p = BBox::new(0.0, 0.0, 10.0, 10.0).unwrap();
    let t = BBox::new(15.0, 3.0, 25.0, 13.0).unwrap();
    let g = diff::grad_pred(Loss::soft_iou(Smoothing::Hard), &p, &t, 1.0).unwrap();
    assert_eq!(g.grad, SVector::<f64, 4>::zeros());
    let g = diff::grad_pred(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 1.0).unwrap();
    assert!(
        g.grad[2] < 0.0,
        "logsumexp pulls P's right edge towards T: {:?}",
        g.grad
    );
}

#[test]
fn derivative_functions_reject_invalid_kappa() {
    let p = BBox::new(0.0, 0.0, 1.0, 1.0).unwrap();
    let l = Loss::default();
    assert!(diff::grad_pred(l, &p, &p, 0.0).is_err());
    assert!(diff::grad_all(l, &p, &p, -1.0).is_err());
    assert!(diff::hessian_pred(l, &p, &p, f64::NAN).is_err());
    assert!(diff::dloss_dkappa(l, &p, &p, f64::INFINITY).is_err());
}

#[test]
fn a_ciou_case_near_its_pole_agrees_with_finite_differences_at_a_small_enough_step() {
    // Found by a property test: 1 − IoU + v is small here, so a step of 1e-3 mis-resolves
    // the function by 1e-7 relative while the exact derivative is right.
    let p = BBox::from_xyxy([
        -1.7252939818335402,
        -5.673569750352227,
        -0.45192897141208865,
        -3.9996157234920418,
    ])
    .unwrap();
    let t = BBox::from_xyxy([
        -1.9679341353415447,
        -5.318990502187821,
        0.24398861197175004,
        -3.990563248791778,
    ])
    .unwrap();
    let (k, l) = (
        0.1797328306332576,
        Loss::new(LossKind::Ciou, Smoothing::LogSumExp),
    );
    let g: diff::GradAll<f64> = diff::grad_all(l, &p, &t, k).unwrap();
    let x = p.to_xyxy();
    let scale = g.grad_pred.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for i in 0..4 {
        let f = |x: [f64; 4]| l.eval(&BBox::from_xyxy(x).unwrap(), &t, k).unwrap();
        let fd = closest_central_diff(f, x, i, 1e-3, g.grad_pred[i]);
        assert!(
            (fd - g.grad_pred[i]).abs() <= 1e-7 * scale,
            "{i}: {} vs {fd}",
            g.grad_pred[i]
        );
    }
    let d = diff::dloss_dkappa(l, &p, &t, k).unwrap();
    let fd = closest_central_diff(
        |x: [f64; 1]| l.eval(&p, &t, x[0]).unwrap(),
        [k],
        0,
        1e-3 * k,
        d.dloss_dkappa,
    );
    assert!((fd - d.dloss_dkappa).abs() <= 1e-7 * d.dloss_dkappa.abs().max(1.0 / k));
}
