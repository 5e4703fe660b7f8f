//! Curvature of the loss in the predicted box: the largest Hessian eigenvalue λmax and the
//! largest stable gradient-descent step 2/λmax it implies.
//!
//! Gradient descent `x ← x − η∇L` on a quadratic with largest curvature λmax diverges for
//! η > 2/λmax, so 2/λmax is the step size a smooth loss allows near a point. The Hessian
//! is exact (second-order dual numbers through [`crate::diff::hessian_pred`]).

use nalgebra::{SMatrix, SymmetricEigen};

use crate::bbox::BBox;
use crate::diff;
use crate::figures::error::Result;
use crate::iou::Loss;

/// Loss, gradient and the largest Hessian eigenvalue at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curvature {
    /// The loss.
    pub value: f64,
    /// `∂loss/∂[px1, py1, px2, py2]`, loss per coordinate unit.
    pub grad: [f64; 4],
    /// The largest eigenvalue of the 4×4 Hessian, loss per coordinate unit squared.
    pub lambda_max: f64,
}

impl Curvature {
    /// The stable gradient-descent step 2/λmax (coordinate units² per loss), or `None`
    /// when λmax ≤ 0 (no curvature limit on the step along any direction).
    pub fn stable_step(&self) -> Option<f64> {
        (self.lambda_max > 0.0).then(|| 2.0 / self.lambda_max)
    }
}

/// The largest eigenvalue of a symmetric 4×4 matrix.
pub fn largest_eigenvalue(m: &SMatrix<f64, 4, 4>) -> f64 {
    SymmetricEigen::new(*m).eigenvalues.max()
}

/// Loss, exact gradient and λmax of `loss` at prediction `p` against `t`.
///
/// # Errors
/// As [`Loss::eval`].
pub fn curvature(loss: Loss, p: &BBox<f64>, t: &BBox<f64>, kappa: f64) -> Result<Curvature> {
    let h = diff::hessian_pred(loss, p, t, kappa)?;
    Ok(Curvature {
        value: h.value,
        grad: [h.grad[0], h.grad[1], h.grad[2], h.grad[3]],
        lambda_max: largest_eigenvalue(&h.hessian),
    })
}
