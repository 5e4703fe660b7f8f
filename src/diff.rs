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

use nalgebra::{SMatrix, SVector};
use num_dual::{Dual, Dual2SVec, DualNumFloat, DualSVec, first_derivative, gradient, hessian};

use crate::bbox::BBox;
use crate::error::Result;
use crate::iou::{Loss, check_kappa};

/// Loss value and gradient with respect to the predicted box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradPred<F> {
    /// The loss.
    pub value: F,
    /// `∂loss/∂[px1, py1, px2, py2]`.
    pub grad: SVector<F, 4>,
}

/// Loss value and gradient with respect to both boxes.
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
    check_kappa(&kappa)?;
    let x = SVector::from(p.to_xyxy());
    let (value, grad) = gradient(
        |x: SVector<DualSVec<F, 4>, 4>| {
            let pd = BBox::from_xyxy([x[0], x[1], x[2], x[3]])?;
            loss.eval(&pd, &t.map(DualSVec::from_re), DualSVec::from_re(kappa))
        },
        &x,
    )?;
    Ok(GradPred { value, grad })
}

/// Loss and gradient with respect to all 8 coordinates (P then T), in one pass.
///
/// # Errors
/// As [`Loss::eval`].
pub fn grad_all<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<GradAll<F>> {
    check_kappa(&kappa)?;
    let [p0, p1, p2, p3] = p.to_xyxy();
    let [t0, t1, t2, t3] = t.to_xyxy();
    let x = SVector::from([p0, p1, p2, p3, t0, t1, t2, t3]);
    let (value, g) = gradient(
        |x: SVector<DualSVec<F, 8>, 8>| {
            let pd = BBox::from_xyxy([x[0], x[1], x[2], x[3]])?;
            let td = BBox::from_xyxy([x[4], x[5], x[6], x[7]])?;
            loss.eval(&pd, &td, DualSVec::from_re(kappa))
        },
        &x,
    )?;
    Ok(GradAll {
        value,
        grad_pred: g.fixed_rows::<4>(0).into_owned(),
        grad_target: g.fixed_rows::<4>(4).into_owned(),
    })
}

/// Loss, gradient and Hessian with respect to the predicted box (second-order duals).
///
/// # Errors
/// As [`Loss::eval`].
pub fn hessian_pred<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<HessianPred<F>> {
    check_kappa(&kappa)?;
    let x = SVector::from(p.to_xyxy());
    let (value, grad, hessian) = hessian(
        |x: SVector<Dual2SVec<F, 4>, 4>| {
            let pd = BBox::from_xyxy([x[0], x[1], x[2], x[3]])?;
            loss.eval(&pd, &t.map(Dual2SVec::from_re), Dual2SVec::from_re(kappa))
        },
        &x,
    )?;
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
    check_kappa(&kappa)?;
    let (value, dloss_dkappa) = first_derivative(
        |k: Dual<F>| loss.eval(&p.map(Dual::from_re), &t.map(Dual::from_re), k),
        kappa,
    )?;
    Ok(KappaDerivative {
        value,
        dloss_dkappa,
    })
}
