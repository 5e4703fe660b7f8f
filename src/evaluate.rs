//! Everything the library knows about one box pair, in one call: loss, soft and hard IoU,
//! exact gradients with respect to both boxes, ∂loss/∂κ and (optionally) the Hessian.
//!
//! This is what `softiou eval` prints and what `softiou batch` writes for every row, so
//! that the command line holds no numerics of its own. Every derivative comes from
//! [`crate::diff`] (num-dual), never from a second formula:
//!
//! | field | from |
//! |---|---|
//! | `loss`, `grad_pred`, `grad_target`, `dloss_dkappa` | one pass on a 9-component dual (the 8 coordinates and κ); the numbers of [`Loss::eval`], [`diff::grad_all`] and [`diff::dloss_dkappa`] |
//! | `iou` | [`soft_iou`](crate::soft_iou) with the loss's operator |
//! | `hard_iou` | [`hard_iou`] |
//! | `hessian_pred` | [`diff::hessian_pred`], only from [`evaluate_with_hessian`] |
//!
//! κ is checked once, on entry, and the loss is computed once.
//!
//! Coordinates and derivatives are always in xyxy order `[x1, y1, x2, y2]`, whatever
//! format the boxes were given in. Units: gradients are loss per coordinate unit,
//! `dloss_dkappa` is in coordinate units (κ is in 1/coordinate units), the Hessian is
//! loss per squared coordinate unit.

use num_dual::DualNumFloat;
#[cfg(feature = "serde")]
use serde::Serialize;

use crate::bbox::BBox;
use crate::diff;
use crate::error::Result;
use crate::iou::{Loss, Region, check_kappa_for, hard_iou, valid_soft_iou_and_region};

/// The loss, IoUs and exact derivatives for one box pair.
///
/// Serialises (serde) to an object with exactly the keys `loss`, `iou`, `hard_iou`,
/// `grad_pred`, `grad_target`, `dloss_dkappa`, `kappa_s`, `warnings` (an array: empty,
/// or the [`Region::code`] of an evaluation outside the meaningful region), and
/// `hessian_pred` only when it was computed.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, evaluate::{Evaluation, evaluate}};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let e: Evaluation = evaluate(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 10.0)?;
/// assert_eq!(e.kappa_s, 40.0);
/// assert!(e.region.is_meaningful() && (e.iou - e.hard_iou).abs() < 1e-2);
/// assert!(e.hessian_pred.is_none());
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Evaluation<F = f64> {
    /// The loss ([`Loss::eval`]).
    pub loss: F,
    /// The soft IoU `I/U` with the loss's smoothing operator (for `hard`, the IoU).
    pub iou: F,
    /// The ordinary IoU, in [0, 1].
    pub hard_iou: F,
    /// `∂loss/∂[px1, py1, px2, py2]`, per coordinate unit.
    pub grad_pred: [F; 4],
    /// `∂loss/∂[tx1, ty1, tx2, ty2]`, per coordinate unit.
    pub grad_target: [F; 4],
    /// `∂loss/∂κ`, in coordinate units.
    pub dloss_dkappa: F,
    /// κ·s, with s the target's shorter side: the dimensionless temperature that decides
    /// how close the soft loss is to the hard one (≳ 10: close; ≲ 1: very smooth).
    pub kappa_s: F,
    /// Whether the soft IoU lies in [0, 1] ([`Region`]); the numbers are exact either way.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "warnings", serialize_with = "warnings")
    )]
    pub region: Region,
    /// `∂²loss/∂p_i∂p_j` (row `i`, column `j`, xyxy order), if requested.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub hessian_pred: Option<[[F; 4]; 4]>,
}

/// Loss, soft and hard IoU, gradients wrt both boxes and ∂loss/∂κ for one pair.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, evaluate::evaluate};
/// let p = BBox::new(10.0_f64, 10.0, 110.0, 110.0)?;
/// let t = BBox::new(20.0, 20.0, 120.0, 120.0)?;
/// let e = evaluate(Loss::soft_iou(Smoothing::Hard), &p, &t, 10.0)?;
/// assert_eq!(e.hard_iou, 8100.0 / 11900.0);
/// assert_eq!(e.loss, 3800.0 / 11900.0);
/// assert!(e.grad_pred[0] < 0.0 && e.hessian_pred.is_none());
/// // moving both boxes together along x changes nothing: the x-derivatives cancel
/// let (g, h) = (e.grad_pred, e.grad_target);
/// assert!((g[0] + g[2] + h[0] + h[2]).abs() < 1e-15);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`Loss::eval`] ([`crate::Error::InvalidKappa`], [`crate::Error::NonFiniteResult`]), and
/// [`crate::Error::NonFiniteResult`] if a derivative overflows although the loss is finite.
pub fn evaluate<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<Evaluation<F>> {
    // The one check of κ (and of κ·s for logsumexp) on the way to every number below.
    check_kappa_for(p, t, &kappa, loss.smoothing, false)?;
    valid_evaluate(loss, p, t, kappa)
}

/// [`evaluate`] for a κ the caller has checked ([`check_kappa_for`]).
fn valid_evaluate<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<Evaluation<F>> {
    let (grads, dloss_dkappa) = diff::valid_first_order(loss, p, t, kappa)?;
    let (iou, region) = valid_soft_iou_and_region(p, t, kappa, loss.smoothing)?;
    Ok(Evaluation {
        loss: grads.value,
        iou,
        hard_iou: hard_iou(p, t),
        grad_pred: grads.grad_pred.into(),
        grad_target: grads.grad_target.into(),
        dloss_dkappa,
        kappa_s: kappa * t.width().min(t.height()),
        region,
        hessian_pred: None,
    })
}

/// [`evaluate`] plus the 4×4 Hessian of the loss with respect to the predicted box.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, evaluate::evaluate_with_hessian};
/// let p = BBox::new(0.0_f64, 0.0, 10.0, 10.0)?;
/// let t = BBox::new(2.0, 1.0, 12.0, 11.0)?;
/// let e = evaluate_with_hessian(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 2.0)?;
/// let h = e.hessian_pred.unwrap();
/// assert!((h[0][1] - h[1][0]).abs() <= 1e-15); // symmetric up to rounding
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`evaluate`], also when a second derivative is not finite.
pub fn evaluate_with_hessian<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<Evaluation<F>> {
    // One check, with the Hessian's floor on κ·s for logsumexp, which is above the first
    // derivatives' (the Hessian holds the cube of a side): it implies theirs. The
    // second-order pass evaluates the loss once more, as it must to differentiate twice.
    check_kappa_for(p, t, &kappa, loss.smoothing, true)?;
    let mut e = valid_evaluate(loss, p, t, kappa)?;
    let h = diff::valid_hessian_pred(loss, p, t, kappa)?.hessian;
    // valid_hessian_pred has checked that every entry is finite.
    e.hessian_pred = Some(std::array::from_fn(|i| std::array::from_fn(|j| h[(i, j)])));
    Ok(e)
}

/// `region` as a JSON array of warnings: `[]` or `["<code>"]`.
#[cfg(feature = "serde")]
fn warnings<S: serde::Serializer>(region: &Region, s: S) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(usize::from(!region.is_meaningful())))?;
    if !region.is_meaningful() {
        seq.serialize_element(region.code())?;
    }
    seq.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, LossKind, Smoothing};
    use proptest::prelude::*;

    fn losses() -> impl Strategy<Value = Loss> {
        (0..4usize, 0..3usize).prop_map(|(k, s)| Loss::new(LossKind::ALL[k], Smoothing::ALL[s]))
    }

    /// A box with sides between 1 and 20 somewhere in [-20, 20]².
    fn boxes() -> impl Strategy<Value = BBox<f64>> {
        (-20.0..20.0, -20.0..20.0, 1.0..20.0, 1.0..20.0)
            .prop_map(|(x, y, w, h)| BBox::from_xywh(x, y, w, h).unwrap())
    }

    /// Central difference of `f` at `x` with a step that scales with `max(1, |x|)`.
    fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-5 * x.abs().max(1.0);
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    proptest! {
        // The one 9-slot pass of `evaluate` must give the numbers of the separate entry
        // points: bit for bit (the same operations on the same real parts, one slot each)
        // unless κ is so small that the lengths are rescaled by a power of two c
        // (`tiny_kappa_units`). There `evaluate` seeds in the scaled units and multiplies
        // by c once at the end, while `grad_all` seeds c itself, so the two can differ by
        // one rounding where a number is subnormal or just above it: 4·ε relative covers
        // the ulp of a normal number near 4.5e-308, 4 quanta of 2^-1074 the subnormal
        // ones (a gradient of order 1e-311 loses its low bits either way); a zero may
        // differ in sign, which the comparison of values ignores.
        #[test]
        fn evaluate_gives_the_numbers_of_the_separate_functions(
            loss in losses(), p in boxes(), t in boxes(),
            log_kappa in prop_oneof![-2.0..2.0, -180.0..-40.0],
        ) {
            let kappa = 10f64.powf(log_kappa);
            // a κ·s below logsumexp's limit (2^-583 ≈ 3e-176, reached from κ ≈ 1e-177
            // on) is an error for every entry point alike
            let Ok(e) = evaluate(loss, &p, &t, kappa) else {
                prop_assert!(loss.eval(&p, &t, kappa).is_err());
                prop_assert!(diff::grad_all(loss, &p, &t, kappa).is_err());
                return Ok(());
            };
            let g = diff::grad_all(loss, &p, &t, kappa).unwrap();
            let d = diff::dloss_dkappa(loss, &p, &t, kappa).unwrap();
            let rescaled = crate::iou::tiny_kappa_units(kappa, loss.smoothing).is_some();
            let same = |a: f64, b: f64| {
                if rescaled {
                    (a - b).abs() <= 4.0 * f64::EPSILON * b.abs() + 4.0 * f64::from_bits(1)
                } else {
                    a.to_bits() == b.to_bits()
                }
            };
            prop_assert_eq!(e.loss.to_bits(), loss.eval(&p, &t, kappa).unwrap().to_bits());
            prop_assert_eq!(e.loss.to_bits(), g.value.to_bits());
            for i in 0..4 {
                prop_assert!(same(e.grad_pred[i], g.grad_pred[i]), "{} vs {}", e.grad_pred[i], g.grad_pred[i]);
                prop_assert!(same(e.grad_target[i], g.grad_target[i]), "{} vs {}", e.grad_target[i], g.grad_target[i]);
            }
            prop_assert!(same(e.dloss_dkappa, d.dloss_dkappa));
            prop_assert_eq!(e.iou.to_bits(), crate::soft_iou(&p, &t, kappa, loss.smoothing).unwrap().to_bits());
            prop_assert_eq!(e.region, crate::region(&p, &t, kappa, loss.smoothing).unwrap());
        }
    }

    #[test]
    fn the_hessian_is_reported_only_when_asked_for_and_does_not_change_the_rest() {
        let p = BBox::new(0.0, 0.0, 4.0, 3.0).unwrap();
        let t = BBox::new(1.0, -1.0, 5.0, 2.5).unwrap();
        let loss = Loss::new(LossKind::Ciou, Smoothing::Boltzmann);
        let plain = evaluate(loss, &p, &t, 3.0).unwrap();
        let full = evaluate_with_hessian(loss, &p, &t, 3.0).unwrap();
        assert!(plain.hessian_pred.is_none() && full.hessian_pred.is_some());
        assert_eq!(
            Evaluation {
                hessian_pred: None,
                ..full
            },
            plain
        );
        // the JSON shape the CLI prints (serde is on with the `cli` feature)
        #[cfg(feature = "serde")]
        {
            let json = serde_json::to_value(plain).unwrap();
            let keys: Vec<&str> = json
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys.len(), 8);
            for k in [
                "loss",
                "iou",
                "hard_iou",
                "grad_pred",
                "grad_target",
                "dloss_dkappa",
                "kappa_s",
                "warnings",
            ] {
                assert!(keys.contains(&k), "missing {k}");
            }
            assert!(
                serde_json::to_value(full)
                    .unwrap()
                    .get("hessian_pred")
                    .is_some()
            );
        }
    }

    #[test]
    fn invalid_kappa_is_an_error_not_a_number() {
        let p = BBox::new(0.0, 0.0, 1.0, 1.0).unwrap();
        for k in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                evaluate(Loss::default(), &p, &p, k),
                Err(Error::InvalidKappa(_))
            ));
        }
    }

    #[test]
    fn an_overflowing_area_is_an_error_not_a_number() {
        // a box of 1e200 × 1e200 is rejected when it is made; two boxes of area 1e308
        // are representable but their summed areas overflow
        assert!(matches!(
            BBox::new(0.0, 0.0, 1e200, 1e200),
            Err(Error::AreaOutOfRange { .. })
        ));
        let p = BBox::new(0.0, 0.0, 1e154, 1e154).unwrap();
        assert!(matches!(
            evaluate(Loss::default(), &p, &p, 1.0),
            Err(Error::NonFiniteResult { .. })
        ));
    }

    #[test]
    fn evaluation_also_runs_in_f32_and_agrees_with_f64() {
        let loss = Loss::soft_iou(Smoothing::LogSumExp);
        let (p, t) = ([0.0, 0.0, 10.0, 10.0], [2.0, 1.0, 12.0, 11.0]);
        let e64 = evaluate(
            loss,
            &BBox::from_xyxy(p).unwrap(),
            &BBox::from_xyxy(t).unwrap(),
            1.0,
        )
        .unwrap();
        let e32 = evaluate(
            loss,
            &BBox::from_xyxy(p.map(|v| v as f32)).unwrap(),
            &BBox::from_xyxy(t.map(|v| v as f32)).unwrap(),
            1.0_f32,
        )
        .unwrap();
        // f32 has a relative precision of 6e-8; a few dozen operations lose a few ulps.
        assert!((f64::from(e32.loss) - e64.loss).abs() < 1e-5);
        for i in 0..4 {
            assert!((f64::from(e32.grad_pred[i]) - e64.grad_pred[i]).abs() < 1e-5);
        }
    }

    proptest! {
        #[test]
        fn every_reported_number_agrees_with_its_defining_function(
            loss in losses(), p in boxes(), t in boxes(), kappa in 0.1..10.0,
        ) {
            let e = evaluate(loss, &p, &t, kappa).unwrap();
            prop_assert_eq!(e.loss, loss.eval(&p, &t, kappa).unwrap());
            prop_assert_eq!(e.iou, crate::soft_iou(&p, &t, kappa, loss.smoothing).unwrap());
            prop_assert_eq!(e.region, crate::region(&p, &t, kappa, loss.smoothing).unwrap());
            prop_assert_eq!(e.hard_iou, hard_iou(&p, &t));
            let g = diff::grad_all(loss, &p, &t, kappa).unwrap();
            prop_assert_eq!(e.grad_pred, <[f64; 4]>::from(g.grad_pred));
            prop_assert_eq!(e.grad_target, <[f64; 4]>::from(g.grad_target));
        }

        #[test]
        fn derivatives_agree_with_central_differences(
            loss in losses(), p in boxes(), t in boxes(), kappa in 0.1..10.0,
        ) {
            // `hard` has kinks where the finite difference straddles a tie; the smooth
            // operators are smooth everywhere.
            prop_assume!(loss.smoothing != Smoothing::Hard);
            let e = evaluate_with_hessian(loss, &p, &t, kappa).unwrap();
            let (pc, tc) = (p.to_xyxy(), t.to_xyxy());
            let at = |pc: [f64; 4], tc: [f64; 4], k: f64| {
                loss.eval(&BBox::from_xyxy(pc).unwrap(), &BBox::from_xyxy(tc).unwrap(), k).unwrap()
            };
            // Step 1e-5 relative: truncation error ~1e-10·f''' and rounding ~1e-16/1e-5,
            // both far below 1e-6 for these box sizes (second derivatives of the loss
            // are at most ~κ²·O(1) here, κ ≤ 10).
            let tol = |exact: f64| 1e-6 * (1.0 + exact.abs());
            for i in 0..4 {
                let fd = central(|x| { let mut q = pc; q[i] = x; at(q, tc, kappa) }, pc[i]);
                prop_assert!((fd - e.grad_pred[i]).abs() < tol(e.grad_pred[i]), "pred {i}: {fd} vs {}", e.grad_pred[i]);
                let fd = central(|x| { let mut q = tc; q[i] = x; at(pc, q, kappa) }, tc[i]);
                prop_assert!((fd - e.grad_target[i]).abs() < tol(e.grad_target[i]), "target {i}");
            }
            let fd = central(|k| at(pc, tc, k), kappa);
            prop_assert!((fd - e.dloss_dkappa).abs() < tol(e.dloss_dkappa), "kappa: {fd} vs {}", e.dloss_dkappa);
            // Hessian columns: central difference of the exact gradient.
            let h = e.hessian_pred.unwrap();
            for j in 0..4 {
                let gi = |x: f64, i: usize| {
                    let mut q = pc; q[j] = x;
                    diff::grad_pred(loss, &BBox::from_xyxy(q).unwrap(), &t, kappa).unwrap().grad[i]
                };
                for (i, row) in h.iter().enumerate() {
                    let fd = central(|x| gi(x, i), pc[j]);
                    prop_assert!((fd - row[j]).abs() < 1e-5 * (1.0 + row[j].abs()), "H[{i}][{j}]");
                }
            }
        }
    }
}
