//! One row of a batch: validate the two boxes, evaluate, and say which part failed.

use num_dual::DualNumFloat;

use super::baseline;
use crate::bbox::BBox;
use crate::diff::{self, GradPred};
use crate::error::{Error, Result};
use crate::evaluate::{Evaluation, evaluate as evaluate_one};
use crate::iou::{Loss, check_kappa};

/// An error in one row, before the batch knows the row's index.
pub(super) struct RowError {
    what: &'static str,
    source: Error,
}

impl RowError {
    /// The batch-level error for row `index`.
    pub(super) fn at(self, index: usize) -> Error {
        Error::InPair {
            index,
            what: self.what,
            source: Box::new(self.source),
        }
    }
}

pub(super) type Row<T> = std::result::Result<T, RowError>;

#[inline]
fn boxes<F: DualNumFloat>(p: &[F; 4], t: &[F; 4]) -> Row<(BBox<F>, BBox<F>)> {
    let tag = |what| move |source| RowError { what, source };
    let p = BBox::from_xyxy(*p).map_err(tag("predicted box"))?;
    let t = BBox::from_xyxy(*t).map_err(tag("target box"))?;
    Ok((p, t))
}

#[inline]
fn evaluated<T>(r: Result<T>) -> Row<T> {
    r.map_err(|source| RowError {
        what: "loss",
        source,
    })
}

#[inline]
pub(super) fn loss<F: DualNumFloat>(loss: Loss, p: &[F; 4], t: &[F; 4], kappa: F) -> Row<F> {
    let (p, t) = boxes(p, t)?;
    evaluated(loss.eval(&p, &t, kappa))
}

/// Loss and gradient of one row by `method` (one of the three ways of differentiating).
#[inline(always)]
fn grad_by<F: DualNumFloat>(
    method: impl Fn(Loss, &BBox<F>, &BBox<F>, F) -> Result<GradPred<F>>,
    loss: Loss,
    p: &[F; 4],
    t: &[F; 4],
    kappa: F,
) -> Row<(F, [F; 4])> {
    let (p, t) = boxes(p, t)?;
    let g = evaluated(method(loss, &p, &t, kappa))?;
    Ok((g.value, g.grad.into()))
}

/// One `DualSVec` pass ([`diff::grad_pred`]).
#[inline]
pub(super) fn grad<F: DualNumFloat>(
    loss: Loss,
    p: &[F; 4],
    t: &[F; 4],
    kappa: F,
) -> Row<(F, [F; 4])> {
    grad_by(diff::grad_pred, loss, p, t, kappa)
}

/// Four scalar `Dual` passes (benchmark baseline).
#[inline]
pub(super) fn grad_4x_dual<F: DualNumFloat>(
    loss: Loss,
    p: &[F; 4],
    t: &[F; 4],
    kappa: F,
) -> Row<(F, [F; 4])> {
    grad_by(baseline::grad_4x_dual, loss, p, t, kappa)
}

/// Central differences (benchmark baseline).
#[inline]
pub(super) fn grad_central_difference<F: DualNumFloat>(
    loss: Loss,
    p: &[F; 4],
    t: &[F; 4],
    kappa: F,
) -> Row<(F, [F; 4])> {
    grad_by(baseline::grad_central_difference, loss, p, t, kappa)
}

/// Loss and gradient wrt both boxes ([`diff::grad_all`]).
#[inline]
pub(super) fn grad_all<F: DualNumFloat>(
    loss: Loss,
    p: &[F; 4],
    t: &[F; 4],
    kappa: F,
) -> Row<(F, [F; 4], [F; 4])> {
    let (p, t) = boxes(p, t)?;
    let g = evaluated(diff::grad_all(loss, &p, &t, kappa))?;
    Ok((g.value, g.grad_pred.into(), g.grad_target.into()))
}

#[inline]
pub(super) fn hessian<F: DualNumFloat>(
    loss: Loss,
    p: &[F; 4],
    t: &[F; 4],
    kappa: F,
) -> Row<(F, [F; 4], [[F; 4]; 4])> {
    let (p, t) = boxes(p, t)?;
    let h = evaluated(diff::hessian_pred(loss, &p, &t, kappa))?;
    // nalgebra stores column-major; the Hessian is symmetric, but transpose anyway so
    // that row i of the output is ∂/∂p_i of the gradient whatever the rounding.
    Ok((h.value, h.grad.into(), h.hessian.transpose().into()))
}

#[inline]
pub(super) fn dkappa<F: DualNumFloat>(loss: Loss, p: &[F; 4], t: &[F; 4], kappa: F) -> Row<(F, F)> {
    let (p, t) = boxes(p, t)?;
    let d = evaluated(diff::dloss_dkappa(loss, &p, &t, kappa))?;
    Ok((d.value, d.dloss_dkappa))
}

/// [`evaluate_one`] of two validated boxes; the row's own κ is checked first if
/// `own_kappa` (a batch's κ is checked once by `Batch::new`).
#[inline]
pub(super) fn evaluate_boxes<F: DualNumFloat>(
    loss: Loss,
    p: &BBox<F>,
    t: &BBox<F>,
    kappa: F,
    own_kappa: bool,
) -> Row<Evaluation<F>> {
    if own_kappa {
        check_row_kappa(kappa)?;
    }
    evaluated(evaluate_one(loss, p, t, kappa))
}

/// A row's own κ, checked before anything else is computed.
#[inline]
pub(super) fn check_row_kappa<F: DualNumFloat>(kappa: F) -> Row<()> {
    check_kappa(&kappa).map_err(|source| RowError {
        what: "kappa",
        source,
    })
}
