//! Exact derivatives of a [`Loss`] through `num-dual`.
//!
//! Nothing here is a second formula: every function seeds dual numbers and evaluates the
//! one generic implementation in [`crate::iou`]. Gradients are in the order
//! `[x_min, y_min, x_max, y_max]`, in loss per coordinate unit; ∂loss/∂κ is in loss per
//! (1/coordinate unit), i.e. in coordinate units.
//!
//! | function | what | number type |
//! |---|---|---|
//! | [`grad_pred`] | value, ∇ wrt the 4 predicted coordinates | `DualSVec<F, 4>` (one pass) |
//! | [`grad_all`] | value, ∇ wrt all 8 coordinates | `DualSVec<F, 8>` (one pass) |
//! | [`hessian_pred`] | value, ∇ and the 4×4 Hessian wrt the predicted box | `Dual2SVec<F, 4>` |
//! | [`dloss_dkappa`] | value and ∂loss/∂κ | `Dual<F, F>` in κ |
//!
//! The boxes are validated once, as plain numbers; the seeded dual numbers have the same
//! real parts, so the formula runs on them without checking the boxes again, and the
//! result — value and every derivative — is checked for finiteness once.

use nalgebra::{SMatrix, SVector};
use num_dual::{Dual, Dual2SVec, DualNumFloat, DualSVec, first_derivative, gradient, hessian};

use crate::bbox::BBox;
use crate::error::Error;
use crate::error::Result;
use crate::iou::{Corners, Loss, check_kappa_for, tiny_kappa_units};

/// Loss value and gradient with respect to the predicted box.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, diff::{GradPred, grad_pred}};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let g: GradPred<f64> = grad_pred(Loss::soft_iou(Smoothing::Hard), &p, &t, 1.0)?;
/// assert_eq!(g.value, 1.0 - 9.0 / 23.0);
/// // moving P's upper corner towards T's lowers the loss
/// assert!(g.grad[2] < 0.0 && g.grad[3] < 0.0);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradPred<F> {
    /// The loss.
    pub value: F,
    /// `∂loss/∂[px1, py1, px2, py2]`.
    pub grad: SVector<F, 4>,
}

/// Loss value and gradient with respect to both boxes.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, diff::grad_all};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let g = grad_all(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 2.0)?;
/// // the IoU depends only on differences of coordinates: shifting both boxes changes nothing
/// let shift = (0..4).map(|i| g.grad_pred[i] + g.grad_target[i]).sum::<f64>();
/// assert!(shift.abs() < 1e-12);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradAll<F> {
    /// The loss.
    pub value: F,
    /// `∂loss/∂[px1, py1, px2, py2]`.
    pub grad_pred: SVector<F, 4>,
    /// `∂loss/∂[tx1, ty1, tx2, ty2]`.
    pub grad_target: SVector<F, 4>,
}

/// Loss value, gradient and Hessian with respect to the predicted box.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, diff::hessian_pred};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let h = hessian_pred(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 2.0)?;
/// assert!((h.hessian - h.hessian.transpose()).norm() < 1e-12); // symmetric
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HessianPred<F> {
    /// The loss.
    pub value: F,
    /// `∂loss/∂[px1, py1, px2, py2]`.
    pub grad: SVector<F, 4>,
    /// `∂²loss/∂p_i∂p_j` (symmetric).
    pub hessian: SMatrix<F, 4, 4>,
}

/// Loss value and its derivative with respect to κ.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, diff::dloss_dkappa};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let d = dloss_dkappa(Loss::soft_iou(Smoothing::Hard), &p, &t, 2.0)?;
/// assert_eq!(d.dloss_dkappa, 0.0); // the hard loss does not depend on κ
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KappaDerivative<F> {
    /// The loss.
    pub value: F,
    /// `∂loss/∂κ`, in coordinate units.
    pub dloss_dkappa: F,
}

/// Loss and gradient with respect to the 4 predicted coordinates, in one `DualSVec` pass.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, diff};
/// let p = BBox::new(10.0, 10.0, 110.0, 110.0).unwrap();
/// let t = BBox::new(20.0, 20.0, 120.0, 120.0).unwrap();
/// let g = diff::grad_pred(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 10.0).unwrap();
/// // moving P towards T (increasing x_min) lowers the loss
/// assert!(g.grad[0] < 0.0 && g.value > 0.3);
/// ```
///
/// # Errors
/// As [`Loss::eval`].
pub fn grad_pred<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<GradPred<F>> {
    check_kappa_for(p, t, &kappa, loss.smoothing, false)?;
    let x = SVector::from(p.to_xyxy());
    let td = Corners(t.to_xyxy().map(DualSVec::from_re));
    let kd = DualSVec::from_re(kappa);
    let (value, grad) = gradient(
        |x: SVector<DualSVec<F, 4>, 4>| {
            loss.eval_corners(&Corners([x[0], x[1], x[2], x[3]]), &td, kd)
        },
        &x,
    );
    let value = loss.finite(value)?;
    finite_derivatives("gradient", grad.iter())?;
    Ok(GradPred { value, grad })
}

/// Loss and gradient with respect to all 8 coordinates (P then T), in one pass.
///
/// ```
/// use softiou::{BBox, Loss, LossKind, Smoothing, diff};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let loss = Loss::new(LossKind::Giou, Smoothing::Boltzmann);
/// let all = diff::grad_all(loss, &p, &t, 3.0)?;
/// let pred = diff::grad_pred(loss, &p, &t, 3.0)?;
/// assert_eq!(all.value, pred.value);
/// assert!((all.grad_pred - pred.grad).norm() < 1e-12);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`Loss::eval`].
pub fn grad_all<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<GradAll<F>> {
    check_kappa_for(p, t, &kappa, loss.smoothing, false)?;
    let [p0, p1, p2, p3] = p.to_xyxy();
    let [t0, t1, t2, t3] = t.to_xyxy();
    let x = SVector::from([p0, p1, p2, p3, t0, t1, t2, t3]);
    let kd = DualSVec::from_re(kappa);
    let (value, g) = gradient(
        |x: SVector<DualSVec<F, 8>, 8>| {
            let pd = Corners([x[0], x[1], x[2], x[3]]);
            let td = Corners([x[4], x[5], x[6], x[7]]);
            loss.eval_corners(&pd, &td, kd)
        },
        &x,
    );
    let value = loss.finite(value)?;
    finite_derivatives("gradient", g.iter())?;
    Ok(GradAll {
        value,
        grad_pred: g.fixed_rows::<4>(0).into_owned(),
        grad_target: g.fixed_rows::<4>(4).into_owned(),
    })
}

/// Loss, gradient and Hessian with respect to the predicted box (second-order duals).
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, diff};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let loss = Loss::soft_iou(Smoothing::LogSumExp);
/// let h = diff::hessian_pred(loss, &p, &t, 2.0)?;
/// // its gradient is grad_pred's, from second-order instead of first-order duals
/// let g = diff::grad_pred(loss, &p, &t, 2.0)?;
/// assert!((h.grad - g.grad).norm() < 1e-12);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`Loss::eval`].
pub fn hessian_pred<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<HessianPred<F>> {
    check_kappa_for(p, t, &kappa, loss.smoothing, true)?;
    valid_hessian_pred(loss, p, t, kappa)
}

/// [`hessian_pred`] for a κ the caller has checked ([`check_kappa_for`] with `hessian`).
///
/// # Errors
/// As [`hessian_pred`], for a loss or derivative that is not finite.
pub(crate) fn valid_hessian_pred<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<HessianPred<F>> {
    let x = SVector::from(p.to_xyxy());
    let td = Corners(t.to_xyxy().map(Dual2SVec::from_re));
    let kd = Dual2SVec::from_re(kappa);
    let (value, grad, hessian) = hessian(
        |x: SVector<Dual2SVec<F, 4>, 4>| {
            loss.eval_corners(&Corners([x[0], x[1], x[2], x[3]]), &td, kd)
        },
        &x,
    );
    let value = loss.finite(value)?;
    finite_derivatives("gradient", grad.iter())?;
    finite_derivatives("Hessian", hessian.iter())?;
    Ok(HessianPred {
        value,
        grad,
        hessian,
    })
}

/// Loss and ∂loss/∂κ (a dual number in κ).
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, diff};
/// let p = BBox::new(0.0, 0.0, 10.0, 10.0).unwrap();
/// let t = BBox::new(2.0, 2.0, 12.0, 12.0).unwrap();
/// let d = diff::dloss_dkappa(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 1.0).unwrap();
/// // Overlapping boxes: logsumexp moves each edge of the overlap inwards by
/// // ln(1 + e^{−κ·gap})/κ, so the soft loss lies above the hard one and falls towards it
/// // as κ grows.
/// let hard: f64 = softiou::soft_iou_loss(&p, &t, 1.0, Smoothing::Hard).unwrap();
/// assert!(d.value > hard && d.dloss_dkappa < 0.0);
/// ```
///
/// # Errors
/// As [`Loss::eval`].
pub fn dloss_dkappa<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<KappaDerivative<F>> {
    check_kappa_for(p, t, &kappa, loss.smoothing, false)?;
    let u = Units::of(p, t, kappa, loss);
    let pd = Corners(u.p.0.map(Dual::from_re));
    let td = Corners(u.t.0.map(Dual::from_re));
    let (value, dloss_dkappa) =
        first_derivative(|k: Dual<F>| loss.eval_corners(&pd, &td, k), u.kappa);
    let dloss_dkappa = dloss_dkappa * u.per_kappa;
    let value = loss.finite(value)?;
    finite_derivatives("dloss/dkappa", [dloss_dkappa].iter())?;
    Ok(KappaDerivative {
        value,
        dloss_dkappa,
    })
}

/// The boxes and κ in the units in which a derivative with respect to κ is taken.
///
/// For a tiny κ the lengths are rescaled here, before seeding, rather than inside the
/// formula: seeded inside, κ/c would carry the derivative 1/c (up to 2^952) into terms
/// like ln2/κ², which then overflow although ∂loss/∂κ is tiny. Differentiating in the
/// scaled units and multiplying by d(κ/c)/dκ = 1/c (and by c for a length) at the end
/// forms no such term; c is a power of two, so the scaling is exact unless a product is
/// subnormal.
struct Units<F> {
    p: Corners<F>,
    t: Corners<F>,
    kappa: F,
    /// d(scaled length)/d(length): c, or 1.
    per_length: F,
    /// d(scaled κ)/dκ: 1/c, or 1.
    per_kappa: F,
}

impl<F: DualNumFloat> Units<F> {
    fn of(p: &BBox<F>, t: &BBox<F>, kappa: F, loss: Loss) -> Self {
        let (p, t) = (Corners(p.to_xyxy()), Corners(t.to_xyxy()));
        match tiny_kappa_units(kappa, loss.smoothing) {
            None => Units {
                p,
                t,
                kappa,
                per_length: F::one(),
                per_kappa: F::one(),
            },
            Some(c) => Units {
                p: p.scaled(c),
                t: t.scaled(c),
                kappa: kappa / c,
                per_length: F::one() * c,
                per_kappa: F::one() / c,
            },
        }
    }
}

/// Value, gradient with respect to both boxes and ∂loss/∂κ in one `DualSVec<F, 9>` pass
/// (for [`crate::evaluate`]), for a κ the caller has checked ([`check_kappa_for`]).
/// Every number is the one [`grad_all`] and [`dloss_dkappa`] give (the same operations
/// on the same real parts, one derivative slot each) — bit for bit, except for a κ so
/// small that the lengths are rescaled: then the gradient is taken in the scaled units
/// and multiplied by c once, while `grad_all` seeds c itself. The two can then differ by
/// a rounding where a number is subnormal or just above (an ulp near 4.5e-308, a quantum
/// of 2^-1074 below), and a derivative that underflows to zero may differ in its sign.
///
/// # Errors
/// As [`grad_all`] and [`dloss_dkappa`], in that order.
pub(crate) fn valid_first_order<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<(GradAll<F>, F)> {
    let u = Units::of(p, t, kappa, loss);
    let [p0, p1, p2, p3] = u.p.0;
    let [t0, t1, t2, t3] = u.t.0;
    let x = SVector::from([p0, p1, p2, p3, t0, t1, t2, t3, u.kappa]);
    let (value, g) = gradient(
        |x: SVector<DualSVec<F, 9>, 9>| {
            let pd = Corners([x[0], x[1], x[2], x[3]]);
            let td = Corners([x[4], x[5], x[6], x[7]]);
            loss.eval_corners(&pd, &td, x[8])
        },
        &x,
    );
    let value = loss.finite(value)?;
    let grad_pred = g.fixed_rows::<4>(0) * u.per_length;
    let grad_target = g.fixed_rows::<4>(4) * u.per_length;
    finite_derivatives("gradient", grad_pred.iter().chain(grad_target.iter()))?;
    let dloss_dkappa = g[8] * u.per_kappa;
    finite_derivatives("dloss/dkappa", [dloss_dkappa].iter())?;
    Ok((
        GradAll {
            value,
            grad_pred,
            grad_target,
        },
        dloss_dkappa,
    ))
}

/// Every derivative must be finite too: a finite loss can still have a derivative that
/// overflows (a pole of the smoothed union, κ² beyond f64), and a NaN must never be
/// passed on inside an `Ok`.
fn finite_derivatives<'a, F: DualNumFloat>(
    what: &'static str,
    d: impl IntoIterator<Item = &'a F>,
) -> Result<()> {
    match d.into_iter().find(|v| !v.is_finite()) {
        None => Ok(()),
        Some(v) => Err(Error::NonFiniteResult {
            what,
            value: v.to_f64().unwrap_or(f64::NAN),
            hint: "the derivative overflows here (a smoothed union near 0, or an extreme \
                   kappa or coordinate); use kappa * box size in about [1e-3, 1e6] and \
                   coordinates of moderate size",
        }),
    }
}
