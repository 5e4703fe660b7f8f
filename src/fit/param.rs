//! The parameterisation of a fitted box: centre and log-size, in units of a length scale.
//!
//! ```text
//! θ = [c_x / s, c_y / s, ln(w / s), ln(h / s)]
//! box(θ) = cxcywh(s·θ₀, s·θ₁, s·e^{θ₂}, s·e^{θ₃})
//! ```
//!
//! Every finite θ is a valid box (positive sizes), and dividing by the length scale `s`
//! (the square root of the target's area) makes θ — and so learning rates and tolerances
//! — dimensionless: fitting `c·P` to `c·T` at κ/c takes exactly the same steps.
//!
//! The loss is evaluated as one generic function of the four parameters, so the chain rule
//! through `exp` and the scaling is done by the dual numbers, not by hand.

use nalgebra::{SMatrix, SVector};
use num_dual::{Dual2SVec, DualNum, DualNumFloat, DualSVec, gradient, hessian};

use crate::bbox::BBox;
use crate::error::Result;
use crate::iou::Loss;

/// Box parameters `θ = [c_x/s, c_y/s, ln(w/s), ln(h/s)]`.
pub(crate) type Theta<F> = SVector<F, 4>;

/// Centre/log-size parameterisation with length scale `scale` (coordinate units, > 0): a
/// box is `θ = [c_x/s, c_y/s, ln(w/s), ln(h/s)]`, an `SVector<F, 4>`.
///
/// ```
/// use softiou::{BBox, fit::Param};
/// let t = BBox::new(15.0_f64, 3.0, 25.0, 13.0)?;
/// let param = Param::for_target(&t);
/// assert_eq!(param.scale, 10.0); // √area
/// let theta = param.theta(&t);
/// assert_eq!((theta[0], theta[1], theta[2], theta[3]), (2.0, 0.8, 0.0, 0.0));
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param<F> {
    /// The length scale `s`.
    pub scale: F,
}

impl<F: DualNumFloat<Primitive = F>> Param<F> {
    /// The parameterisation whose length scale is `√area(t)`, the target's mean side.
    pub fn for_target(t: &BBox<F>) -> Self {
        Param {
            scale: t.area().sqrt(),
        }
    }

    /// θ of a box.
    ///
    /// ```
    /// use softiou::{BBox, fit::Param};
    /// let t = BBox::new(15.0_f64, 3.0, 25.0, 13.0)?;
    /// let param = Param::for_target(&t);
    /// let back = param.to_box(&param.theta(&t))?;
    /// assert!((back.x_min() - 15.0).abs() < 1e-12 && (back.y_max() - 13.0).abs() < 1e-12);
    /// # Ok::<(), softiou::fit::Error>(())
    /// ```
    pub fn theta(&self, b: &BBox<F>) -> SVector<F, 4> {
        let [cx, cy, w, h] = b.to_cxcywh();
        let s = self.scale;
        SVector::from([cx / s, cy / s, (w / s).ln(), (h / s).ln()])
    }

    /// The box of θ, for any number type (plain or dual).
    ///
    /// # Errors
    /// [`crate::Error::NonFiniteCoordinate`] if a size overflows to ∞ or θ is NaN,
    /// [`crate::Error::EmptyBox`] if a size underflows so far that the corners coincide.
    pub fn to_box<D: DualNum<Primitive = F> + Copy>(
        &self,
        theta: &SVector<D, 4>,
    ) -> Result<BBox<D>> {
        let s = D::from(self.scale);
        BBox::from_cxcywh(
            theta[0] * s,
            theta[1] * s,
            theta[2].exp() * s,
            theta[3].exp() * s,
        )
    }

    /// `loss(box(θ), t, κ)` for any number type: the one function every derivative below
    /// differentiates.
    ///
    /// # Errors
    /// As [`Param::to_box`] and [`Loss::eval`].
    pub fn loss<D: DualNum<Primitive = F> + Copy>(
        &self,
        loss: Loss,
        theta: &SVector<D, 4>,
        t: &BBox<F>,
        kappa: F,
    ) -> Result<D> {
        let b = self.to_box(theta)?;
        loss.eval(&b, &t.map(D::from)?, D::from(kappa))
    }

    /// Loss and exact gradient `∂loss/∂θ` (one `DualSVec` pass; κ is checked by the
    /// loss, once).
    ///
    /// ```
    /// use softiou::{BBox, Loss, Smoothing, fit::Param};
    /// let p = BBox::new(0.0_f64, 0.0, 10.0, 10.0)?;
    /// let t = BBox::new(15.0_f64, 3.0, 25.0, 13.0)?;
    /// let param = Param::for_target(&t);
    /// let (_, g) = param.gradient(Loss::soft_iou(Smoothing::LogSumExp), &param.theta(&p), &t, 1.0)?;
    /// assert!(g[0] < 0.0); // moving the centre right, towards T, lowers the loss
    /// # Ok::<(), softiou::fit::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Param::loss`].
    pub fn gradient(
        &self,
        loss: Loss,
        theta: &SVector<F, 4>,
        t: &BBox<F>,
        kappa: F,
    ) -> Result<(F, SVector<F, 4>)> {
        gradient(
            |x: SVector<DualSVec<F, 4>, 4>| self.loss(loss, &x, t, kappa),
            theta,
        )
    }

    /// Loss, exact gradient and exact Hessian `∂²loss/∂θ²` (one `Dual2SVec` pass).
    ///
    /// # Errors
    /// As [`Param::loss`].
    pub fn hessian(
        &self,
        loss: Loss,
        theta: &SVector<F, 4>,
        t: &BBox<F>,
        kappa: F,
    ) -> Result<(F, SVector<F, 4>, SMatrix<F, 4, 4>)> {
        hessian(
            |x: SVector<Dual2SVec<F, 4>, 4>| self.loss(loss, &x, t, kappa),
            theta,
        )
    }
}
