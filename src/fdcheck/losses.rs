//! The IoU family as [`Function`]s: a loss as a function of the predicted box, of the
//! target box, or of κ — what `softiou check` and the tests verify.
//!
//! The step rule h = c·max(1, |x|) assumes the function varies on lengths ≥ 1 in each
//! variable. A loss varies on the scale of the box sides and of 1/κ, and box coordinates
//! can be far larger than either (1e5 with 10-unit boxes), so the variables here are
//! *displacements in units of a natural length* L: `PredLoss` at `u` is the loss of the
//! box `P + L·u`, checked at u = 0. L is a power of two (so ∂/∂u = L·∂/∂P exactly) no
//! larger than the shortest side or 1/κ (the largest power of two ≤ min(shortest side, 1/κ)). Likewise `KappaLoss` at `s`
//! is the loss at κ = K·s with K the power of two nearest κ, checked at s = 1.

use num_dual::DualNum;

use super::{Function, constant};
use crate::bbox::BBox;
use crate::error::Result;
use crate::iou::{Loss, check_kappa};

/// The largest power of two ≤ min(shortest side of `p` and `t`, 1/κ): the length in
/// which displacements of a box are measured.
pub(crate) fn natural_unit(p: &BBox<f64>, t: &BBox<f64>, kappa: f64) -> f64 {
    let scale = p.min_side().min(t.min_side()).min(1.0 / kappa);
    2f64.powi(scale.log2().floor() as i32)
}

fn lift<D: DualNum + Copy>(b: &BBox<f64>) -> Result<BBox<D>> {
    b.map(constant::<D>)
}

fn displaced<D: DualNum + Copy>(b: &BBox<f64>, unit: f64, u: [D; 4]) -> Result<BBox<D>> {
    let c = b.to_xyxy();
    BBox::from_xyxy(std::array::from_fn(|i| {
        u[i] * constant::<D>(unit) + constant::<D>(c[i])
    }))
}

/// A loss as a function of the predicted box: `u ↦ loss(P + L·u, T, κ)`, at u = 0.
///
/// ```
/// use softiou::fdcheck::{check_gradient, CheckOptions, PredLoss};
/// use softiou::{BBox, Loss, Smoothing};
/// let p = BBox::new(1e5, 1e5, 1e5 + 10.0, 1e5 + 20.0)?;
/// let t = BBox::new(1e5 + 3.0, 1e5 + 2.0, 1e5 + 15.0, 1e5 + 12.0)?;
/// let f = PredLoss::new(Loss::soft_iou(Smoothing::LogSumExp), p, t, 2.0)?;
/// assert!(check_gradient(&f, [0.0; 4], &CheckOptions::default())?.passed);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredLoss {
    /// The loss.
    pub loss: Loss,
    /// The predicted box at u = 0.
    pub p: BBox<f64>,
    /// The target box.
    pub t: BBox<f64>,
    /// κ (1/coordinate units).
    pub kappa: f64,
    /// The length L of one unit of u (the largest power of two ≤ min(shortest side, 1/κ)).
    pub unit: f64,
}

impl PredLoss {
    /// The loss of `p` against `t` at `kappa`, with L = the largest power of two ≤ min(shortest side, 1/κ).
    ///
    /// # Errors
    /// [`crate::Error::InvalidKappa`] unless κ is finite and > 0.
    pub fn new(loss: Loss, p: BBox<f64>, t: BBox<f64>, kappa: f64) -> Result<Self> {
        check_kappa(&kappa)?;
        let unit = natural_unit(&p, &t, kappa);
        Ok(PredLoss {
            loss,
            p,
            t,
            kappa,
            unit,
        })
    }
}

impl Function<4> for PredLoss {
    fn eval<D: DualNum + Copy>(&self, u: [D; 4]) -> Result<D> {
        let p = displaced(&self.p, self.unit, u)?;
        self.loss.eval(&p, &lift(&self.t)?, constant(self.kappa))
    }
}

/// A loss as a function of the target box: `u ↦ loss(P, T + L·u, κ)`, at u = 0.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// use softiou::fdcheck::{CheckOptions, PredLoss, TargetLoss, check_gradient};
/// let f = TargetLoss(PredLoss::new(Loss::soft_iou(Smoothing::LogSumExp), p, t, 2.0)?);
/// assert!(check_gradient(&f, [0.0; 4], &CheckOptions::default())?.passed);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetLoss(pub PredLoss);

impl Function<4> for TargetLoss {
    fn eval<D: DualNum + Copy>(&self, u: [D; 4]) -> Result<D> {
        let f = &self.0;
        let t = displaced(&f.t, f.unit, u)?;
        f.loss.eval(&lift(&f.p)?, &t, constant(f.kappa))
    }
}

/// A loss as a function of κ: `s ↦ loss(P, T, K·s)`, at s = 1, with K the power of two
/// nearest κ (so ∂/∂s = K·∂/∂κ exactly, and the step is relative to κ).
///
/// ```
/// use softiou::{BBox, Loss, Smoothing};
/// let p = BBox::new(0.0, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// use softiou::fdcheck::{CheckOptions, KappaLoss, PredLoss, check_gradient};
/// let f = KappaLoss::new(PredLoss::new(Loss::soft_iou(Smoothing::Boltzmann), p, t, 0.7)?);
/// assert!(check_gradient(&f, [1.0], &CheckOptions::default())?.passed);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KappaLoss {
    /// The boxes, the loss and κ.
    pub at: PredLoss,
    /// K: κ = K·s.
    pub unit: f64,
}

impl KappaLoss {
    /// ∂/∂κ of the loss described by `at`.
    pub fn new(at: PredLoss) -> Self {
        KappaLoss {
            at,
            unit: 2f64.powi(at.kappa.log2().round() as i32),
        }
    }

    /// The point s at which κ = K·s.
    pub fn point(&self) -> [f64; 1] {
        [self.at.kappa / self.unit]
    }
}

impl Function<1> for KappaLoss {
    fn eval<D: DualNum + Copy>(&self, [s]: [D; 1]) -> Result<D> {
        let f = &self.at;
        f.loss
            .eval(&lift(&f.p)?, &lift(&f.t)?, s * constant::<D>(self.unit))
    }
}

#[cfg(test)]
mod tests {
    use super::natural_unit;
    use crate::BBox;

    #[test]
    fn the_natural_unit_is_the_largest_power_of_two_below_the_shortest_length() {
        let p = BBox::new(0.0, 0.0, 10.0, 3.0).unwrap();
        let t = BBox::new(1.0, 1.0, 6.0, 6.0).unwrap();
        assert_eq!(natural_unit(&p, &t, 0.1), 2.0); // min(3, 5, 10) = 3 → 2
        assert_eq!(natural_unit(&p, &t, 10.0), 0.0625); // 1/κ = 0.1 → 1/16
    }
}
