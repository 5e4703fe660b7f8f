//! The IoU family keeps the invariants of docs/design.md.

mod common;

use common::{bbox, kappa, op};
use proptest::prelude::*;
use softiou::{BBox, Error, Loss, LossKind, Smoothing, hard_iou, soft_iou, soft_iou_loss};

fn loss_kind() -> impl Strategy<Value = LossKind> {
    prop::sample::select(LossKind::ALL.to_vec())
}

/// Relative agreement for values that are computed along different rounding paths
/// (translated, scaled or swapped inputs): the inputs themselves are rounded to ~1 ulp of
/// the coordinates, which the loss sees as a relative change of ~ulp(coordinate)/side.
/// Near the pole of I/U (a `logsumexp` union close to 0) the loss is ≈ A/U and its
/// condition number is ≈ |loss| itself, hence the factor (1 + |loss|).
fn close(a: f64, b: f64, coord: f64, side: f64) -> bool {
    let tol = 64.0 * f64::EPSILON * (1.0 + coord / side) * (1.0 + a.abs().min(b.abs()));
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn every_loss_is_symmetric_in_prediction_and_target(
        kind in loss_kind(), op in op(), p in bbox(100.0, -1.0, 2.0), t in bbox(100.0, -1.0, 2.0), k in kappa(-2.0, 2.0),
    ) {
        let l = Loss::new(kind, op);
        match (l.eval(&p, &t, k), l.eval(&t, &p, k)) {
            // CIoU's aspect term is symmetric too (v depends on the squared difference)
            (Ok(a), Ok(b)) => prop_assert!(close(a, b, 200.0, p.min_side().min(t.min_side())), "{a} vs {b}"),
            (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
        }
    }

    #[test]
    fn every_loss_is_translation_invariant(
        kind in loss_kind(), op in op(), p in bbox(10.0, -0.5, 1.5), t in bbox(10.0, -0.5, 1.5),
        k in kappa(-1.0, 1.0), dx in -50.0..50.0f64, dy in -50.0..50.0f64,
    ) {
        let l = Loss::new(kind, op);
        let a = l.eval(&p, &t, k).unwrap();
        let b = l.eval(&p.translated(dx, dy).unwrap(), &t.translated(dx, dy).unwrap(), k).unwrap();
        prop_assert!(close(a, b, 100.0, p.min_side().min(t.min_side())), "{a} vs {b}");
    }

    #[test]
    fn every_loss_is_scale_equivariant_with_kappa_in_inverse_length(
        kind in loss_kind(), op in op(), p in bbox(10.0, -0.5, 1.5), t in bbox(10.0, -0.5, 1.5),
        k in kappa(-1.0, 1.0), c in kappa(-3.0, 3.0),
    ) {
        let l = Loss::new(kind, op);
        let a = l.eval(&p, &t, k).unwrap();
        let b = l.eval(&p.scaled(c).unwrap(), &t.scaled(c).unwrap(), k / c).unwrap();
        prop_assert!(close(a, b, 20.0, p.min_side().min(t.min_side())), "{a} vs {b}");
    }

    #[test]
    fn hard_iou_is_one_for_identical_boxes_and_zero_for_disjoint_ones(p in bbox(1e3, -3.0, 3.0), gap in 0.0..10.0f64) {
        prop_assert_eq!(hard_iou(&p, &p), 1.0);
        prop_assert_eq!(soft_iou_loss(&p, &p, 1.0, Smoothing::Hard).unwrap(), 0.0);
        let right = p.translated(p.width() + gap, 0.0).unwrap();
        let above = p.translated(0.0, p.height() + gap).unwrap();
        prop_assert_eq!(hard_iou(&p, &right), 0.0);
        prop_assert_eq!(hard_iou(&p, &above), 0.0);
        let iou = hard_iou(&p, &p.translated(p.width() / 2.0, 0.0).unwrap());
        // the shifted corners are rounded to an ulp of the coordinate, relative to the side
        prop_assert!(close(iou, 1.0 / 3.0, p.x_max().abs(), p.width()), "half-shifted box has IoU 1/3, got {iou}");
    }

    #[test]
    fn the_hard_operator_gives_the_exact_iou(p in bbox(100.0, -1.0, 2.0), t in bbox(100.0, -1.0, 2.0)) {
        // independent evaluation with plain f64 min/max
        let [a0, a1, a2, a3] = p.to_xyxy();
        let [b0, b1, b2, b3] = t.to_xyxy();
        let w = (a2.min(b2) - a0.max(b0)).max(0.0);
        let h = (a3.min(b3) - a1.max(b1)).max(0.0);
        let i = w * h;
        let expected = i / (p.area() + t.area() - i);
        prop_assert_eq!(soft_iou(&p, &t, 1.0, Smoothing::Hard).unwrap(), expected);
        prop_assert_eq!(hard_iou(&p, &t), expected);
    }

    #[test]
    fn no_loss_is_nan_or_infinite_over_the_f64_range(
        kind in loss_kind(), op in op(),
        p in bbox(1e6, -3.0, 6.0), t in bbox(1e6, -3.0, 6.0), k in kappa(-3.0, 6.0),
    ) {
        let l = Loss::new(kind, op);
        let v = l.eval(&p, &t, k);
        // a union of exactly 0 is the only way to a non-finite value, and it is an error
        prop_assert!(matches!(v, Ok(x) if x.is_finite()), "{kind} {op}: {v:?}");
        let g = softiou::diff::grad_all(l, &p, &t, k).unwrap();
        prop_assert!(g.grad_pred.iter().chain(g.grad_target.iter()).all(|d| d.is_finite()));
    }

    #[test]
    fn no_loss_is_nan_or_infinite_over_the_f32_range(
        kind in loss_kind(), op in op(),
        (x, y, w, h) in (-1e3..1e3f32, -1e3..1e3f32, (-1.0..3.0f32).prop_map(|e| 10f32.powf(e)), (-1.0..3.0f32).prop_map(|e| 10f32.powf(e))),
        (dx, dy) in (-1e3..1e3f32, -1e3..1e3f32),
        k in (-2.0..3.0f32).prop_map(|e| 10f32.powf(e)),
    ) {
        // f32 range: coordinates within ±1e3, sides in [0.1, 1e3] (f32 has 7 digits, so a
        // side must stay above ~1e-7 of the coordinates), κ in [1e-2, 1e3]
        let p = BBox::from_xywh(x, y, w, h).unwrap();
        let t = BBox::from_xywh(x + dx, y + dy, h, w).unwrap();
        let v = Loss::new(kind, op).eval(&p, &t, k).unwrap();
        prop_assert!(v.is_finite());
    }
}

#[test]
fn the_articles_example_with_hard_is_exactly_one_minus_8100_over_11900() {
    let p = BBox::new(10.0, 10.0, 110.0, 110.0).unwrap();
    let t = BBox::new(20.0, 20.0, 120.0, 120.0).unwrap();
    let loss: f64 = soft_iou_loss(&p, &t, 10.0, Smoothing::Hard).unwrap();
    // the correctly rounded value of 3800/11900 (1 − 8100/11900 in exact arithmetic)
    assert_eq!(loss, 3800.0 / 11900.0);
    assert!((loss - (1.0 - 8100.0 / 11900.0)).abs() <= f64::EPSILON);
}

#[test]
fn disjoint_boxes_get_a_negative_boltzmann_intersection_and_a_loss_above_one() {
    // docs/design.md, what the article gets wrong, 2: one gap negative → negative soft IoU
    let p = BBox::new(0.0, 0.0, 10.0, 10.0).unwrap();
    let t = BBox::new(15.0, 3.0, 25.0, 13.0).unwrap();
    let l = soft_iou_loss(&p, &t, 0.5, Smoothing::Boltzmann).unwrap();
    assert!(l > 1.0, "loss {l}");
    let l = soft_iou_loss(&p, &t, 0.5, Smoothing::LogSumExp).unwrap();
    assert!(
        l < 1.0 && l > 0.0,
        "logsumexp keeps a positive intersection: {l}"
    );
}

#[test]
fn invalid_kappa_is_a_typed_error_for_every_loss() {
    let p = BBox::new(0.0, 0.0, 1.0, 1.0).unwrap();
    for kind in LossKind::ALL {
        for k in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = Loss::new(kind, Smoothing::LogSumExp)
                .eval(&p, &p, k)
                .unwrap_err();
            assert!(matches!(e, Error::InvalidKappa(_)), "{e}");
        }
    }
}

#[test]
fn invalid_boxes_are_typed_errors_that_name_the_problem() {
    let e = BBox::new(1.0, 0.0, 1.0, 2.0).unwrap_err();
    assert_eq!(
        e,
        Error::EmptyBox {
            axis: "x",
            min: 1.0,
            max: 1.0
        }
    );
    let e = BBox::new(0.0, 3.0, 1.0, 2.0).unwrap_err();
    assert!(e.to_string().contains("y_max > y_min"), "{e}");
    let e = BBox::new(0.0, 0.0, f64::INFINITY, 2.0).unwrap_err();
    assert!(matches!(
        e,
        Error::NonFiniteCoordinate { name: "x_max", .. }
    ));
    assert!(BBox::from_xywh(0.0, 0.0, -1.0, 1.0).is_err());
    assert!(BBox::from_cxcywh(0.0, 0.0, 1.0, 0.0).is_err());
    assert!(BBox::from_xywh(0.0, 0.0, f64::NAN, 1.0).is_err());
    // a box too thin to represent at this magnitude is empty, not silently wrong
    assert!(BBox::from_xywh(1e17, 0.0, 1.0, 1.0).is_err());
}

#[test]
fn box_formats_convert_both_ways() {
    let b = BBox::from_cxcywh(5.0, 6.0, 4.0, 2.0).unwrap();
    assert_eq!(b.to_xyxy(), [3.0, 5.0, 7.0, 7.0]);
    assert_eq!(b.to_xywh(), [3.0, 5.0, 4.0, 2.0]);
    assert_eq!(b.to_cxcywh(), [5.0, 6.0, 4.0, 2.0]);
    for f in softiou::BoxFormat::ALL {
        let c = match f {
            softiou::BoxFormat::Xyxy => b.to_xyxy(),
            softiou::BoxFormat::Xywh => b.to_xywh(),
            softiou::BoxFormat::Cxcywh => b.to_cxcywh(),
        };
        assert_eq!(BBox::from_format(c, f).unwrap(), b);
        assert_eq!(f.to_string().parse::<softiou::BoxFormat>().unwrap(), f);
    }
}

#[test]
fn giou_diou_and_ciou_match_their_papers_on_hand_computed_cases() {
    let p = BBox::new(0.0, 0.0, 2.0, 2.0).unwrap();
    let t = BBox::new(1.0, 1.0, 3.0, 3.0).unwrap();
    let hard = |k: LossKind| -> f64 { Loss::new(k, Smoothing::Hard).eval(&p, &t, 1.0).unwrap() };
    // I = 1, U = 7, C = 9: GIoU loss = 1 − 1/7 + 2/9
    assert!((hard(LossKind::Giou) - (1.0 - 1.0 / 7.0 + 2.0 / 9.0)).abs() < 1e-15);
    // centres (1,1) and (2,2): ρ² = 2, c² = 18: DIoU loss = 1 − 1/7 + 1/9
    assert!((hard(LossKind::Diou) - (1.0 - 1.0 / 7.0 + 1.0 / 9.0)).abs() < 1e-15);
    // same aspect ratio: v = 0, so CIoU = DIoU
    assert_eq!(hard(LossKind::Ciou), hard(LossKind::Diou));
    // different aspect: v = 4/π² (atan 1 − atan(1/2))², α = v / (1 − IoU + v)
    let q = BBox::new(0.0, 0.0, 2.0, 4.0).unwrap();
    let iou = hard_iou(&q, &t);
    let v = 4.0 / std::f64::consts::PI.powi(2) * (1f64.atan() - 0.5f64.atan()).powi(2);
    let diou = Loss::new(LossKind::Diou, Smoothing::Hard)
        .eval(&q, &t, 1.0)
        .unwrap();
    let ciou = Loss::new(LossKind::Ciou, Smoothing::Hard)
        .eval(&q, &t, 1.0)
        .unwrap();
    assert!((ciou - (diou + v * v / (1.0 - iou + v))).abs() < 1e-15);
    // identical boxes: every loss is 0
    for k in LossKind::ALL {
        assert_eq!(
            Loss::new(k, Smoothing::Hard).eval(&p, &p, 1.0).unwrap(),
            0.0,
            "{k}"
        );
    }
}

#[test]
fn boxes_whose_area_underflows_or_overflows_are_rejected() {
    // sides of 1e-300 are finite and ordered, but their area is 0 in f64; 1e300 squared is ∞
    let e = BBox::new(0.0, 0.0, 1e-300, 1e-300).unwrap_err();
    assert!(matches!(e, Error::AreaOutOfRange { .. }), "{e}");
    assert!(
        e.to_string().contains("1e-300 × 1e-300"),
        "numbers print compactly: {e}"
    );
    assert!(matches!(
        BBox::new(-1e300, 0.0, 1e300, 1e300).unwrap_err(),
        Error::AreaOutOfRange { .. }
    ));
    // the smallest boxes the property tests use are far from that limit
    assert!(BBox::new(1e6, 1e6, 1e6 + 1e-3, 1e6 + 1e-3).is_ok());
}

#[test]
fn sizes_are_checked_in_the_terms_the_user_gave() {
    let e = BBox::from_xywh(0.0, 0.0, -1.0, 1.0).unwrap_err();
    assert_eq!(
        e,
        Error::NonPositiveSize {
            name: "width",
            value: -1.0
        }
    );
    assert!(e.to_string().contains("width = -1"), "{e}");
    let e = BBox::from_cxcywh(0.0, 0.0, 1.0, 0.0).unwrap_err();
    assert_eq!(
        e,
        Error::NonPositiveSize {
            name: "height",
            value: 0.0
        }
    );
    let e = softiou::soft_iou(
        &BBox::new(0.0, 0.0, 1.0, 1.0).unwrap(),
        &BBox::new(0.0, 0.0, 1.0, 1.0).unwrap(),
        f64::INFINITY,
        Smoothing::Hard,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "kappa = inf is not valid; kappa must be a finite number > 0 (units: 1/coordinate unit)"
    );
    assert!(
        Error::InvalidKappa(-1e300)
            .to_string()
            .starts_with("kappa = -1e300 is")
    );
}
