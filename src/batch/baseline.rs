//! Slower ways to the same gradient, kept as benchmark baselines (and, for the dual
//! numbers, as a cross-check of [`crate::diff::grad_pred`]).

use nalgebra::SVector;
use num_dual::{Dual, DualNumFloat};

use crate::bbox::BBox;
use crate::diff::GradPred;
use crate::error::Result;
use crate::fdcheck::central_differences;
use crate::iou::{Corners, Loss, check_kappa};

/// Loss and gradient wrt the predicted box by four forward passes on `Dual<F>`, one per
/// coordinate (each pass also recomputes the loss). Same derivatives as
/// [`crate::diff::grad_pred`], in four times the passes.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, batch::baseline, diff};
/// let (p, t) = (BBox::new(0.0, 0.0, 4.0, 3.0)?, BBox::new(1.0, 1.0, 5.0, 5.0)?);
/// let loss = Loss::soft_iou(Smoothing::Boltzmann);
/// let a = baseline::grad_4x_dual(loss, &p, &t, 2.0)?;
/// let b = diff::grad_pred(loss, &p, &t, 2.0)?;
/// assert!((a.grad - b.grad).norm() <= 1e-15 * b.grad.norm());
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`Loss::eval`].
pub fn grad_4x_dual<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<GradPred<F>> {
    check_kappa(&kappa)?;
    let x = p.to_xyxy();
    let td = Corners(t.to_xyxy().map(Dual::from_re));
    let kd = Dual::from_re(kappa);
    let mut value = F::zero();
    let mut grad = SVector::<F, 4>::zeros();
    for (k, g) in grad.iter_mut().enumerate() {
        let mut seeded = x.map(Dual::from_re);
        seeded[k] = seeded[k].derivative();
        let r = loss.eval_corners(&Corners(seeded), &td, kd);
        value = r.re;
        *g = r.eps;
    }
    let value = loss.finite(value)?;
    Ok(GradPred { value, grad })
}

/// Loss and central-difference gradient wrt the predicted box: step
/// `h = ε^{1/3}·max(1, |x|)` per coordinate, 9 loss evaluations. Truncation and rounding
/// errors are both of order ε^{2/3} ≈ 4e-11 relative (for f64); a benchmark baseline,
/// not a derivative this crate hands out.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, batch::baseline, diff};
/// let (p, t) = (BBox::new(0.0, 0.0, 4.0, 3.0)?, BBox::new(1.0, 1.0, 5.0, 5.0)?);
/// let loss = Loss::soft_iou(Smoothing::LogSumExp);
/// let a = baseline::grad_central_difference(loss, &p, &t, 2.0)?;
/// let b = diff::grad_pred(loss, &p, &t, 2.0)?;
/// assert!((a.grad - b.grad).norm() <= 1e-8 * b.grad.norm());
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`Loss::eval`]; also when a step makes the box empty (a side below ~1e-5·|x|).
pub fn grad_central_difference<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
) -> Result<GradPred<F>> {
    let value = loss.eval(p, t, kappa)?;
    let d = central_differences(p.to_xyxy(), F::epsilon().cbrt(), |x| {
        loss.eval(&BBox::from_xyxy(x)?, t, kappa)
    })?;
    let grad = SVector::<F, 4>::from_fn(|k, _| d[k].1);
    Ok(GradPred { value, grad })
}
