//! Hard IoU, soft IoU (the article's formula with any operator) and the GIoU, DIoU and
//! CIoU losses, all generic over the number type so that derivatives flow through them.
//!
//! With [`Smoothing::Hard`] every function here is the ordinary, exact quantity; with a
//! smooth operator every `max`/`min` of box coordinates is replaced by the smooth one:
//!
//! ```text
//! w = srelu(smin(P.x_max, T.x_max) − smax(P.x_min, T.x_min))     (likewise h)
//! I = w·h      U = area(P) + area(T) − I      soft_iou = I / U
//! soft_iou_loss = 1 − I/U, evaluated as (area(P) + area(T) − 2I) / U
//! ```
//!
//! The last form is the same number without the cancellation of `1 − I/U` when `I ≈ U`.
//! κ is in 1/coordinate units: `soft_iou(c·P, c·T, κ/c) = soft_iou(P, T, κ)`.
//!
//! The smoothed quantities are values of the formula, not of a probability: with
//! `boltzmann` the soft intersection of disjoint boxes can be negative (loss > 1); with
//! `logsumexp` at small κ·size it can exceed the union (soft IoU > 1, or a union ≤ 0).
//! A result that is not finite (a union of exactly 0) is an error, never passed on.

use std::fmt;
use std::str::FromStr;

use num_dual::DualNum;

use crate::bbox::BBox;
use crate::error::{Error, Result};
use crate::smooth::{Smoothing, div, lit};

/// Checks that κ is finite and strictly positive (on the real part for dual numbers).
///
/// # Errors
/// [`Error::InvalidKappa`] otherwise.
pub fn check_kappa<D: DualNum>(kappa: &D) -> Result<()> {
    let k = num_traits::ToPrimitive::to_f64(&kappa.re()).unwrap_or(f64::NAN);
    if k.is_finite() && k > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidKappa(k))
    }
}

fn finite<D: DualNum>(what: &'static str, v: D) -> Result<D> {
    let re = num_traits::ToPrimitive::to_f64(&v.re()).unwrap_or(f64::NAN);
    if re.is_finite() {
        Ok(v)
    } else {
        Err(Error::NonFiniteResult {
            what,
            value: re,
            hint: "either the smoothed union is 0 (use a larger kappa: kappa * box size >> 1) \
               or an area overflowed (rescale the coordinates)",
        })
    }
}

/// Soft intersection area and soft union area `(I, U)` of two boxes.
#[inline]
pub fn intersection_union<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> (D, D) {
    let w = op.srelu(
        op.smin(p.x_max(), t.x_max(), kappa) - op.smax(p.x_min(), t.x_min(), kappa),
        kappa,
    );
    let h = op.srelu(
        op.smin(p.y_max(), t.y_max(), kappa) - op.smax(p.y_min(), t.y_min(), kappa),
        kappa,
    );
    let i = w * h;
    (i, p.area() + t.area() - i)
}

/// Intersection, union and `(U − I)` computed without cancellation: `A_P + A_T − 2I`.
#[inline]
fn iou_parts<D: DualNum + Copy>(p: &BBox<D>, t: &BBox<D>, kappa: D, op: Smoothing) -> (D, D, D) {
    let (i, u) = intersection_union(p, t, kappa, op);
    (i, u, p.area() + t.area() - i - i)
}

/// The ordinary (hard) IoU of two plain boxes, in [0, 1].
///
/// ```
/// use softiou::{BBox, hard_iou};
/// let p = BBox::new(10.0, 10.0, 110.0, 110.0).unwrap();
/// let t = BBox::new(20.0, 20.0, 120.0, 120.0).unwrap();
/// assert_eq!(hard_iou(&p, &t), 8100.0 / 11900.0);
/// ```
pub fn hard_iou<D: DualNum + Copy>(p: &BBox<D>, t: &BBox<D>) -> D {
    // The union of two valid boxes is positive, so this cannot divide by zero.
    let (i, u) = intersection_union(p, t, D::one(), Smoothing::Hard);
    div(i, u)
}

/// Soft IoU `I/U` with operator `op` and temperature `kappa` (1/coordinate units).
///
/// # Errors
/// [`Error::InvalidKappa`] unless κ is finite and > 0 (also for `hard`, for uniformity);
/// [`Error::NonFiniteResult`] if the smoothed union is exactly 0.
pub fn soft_iou<D: DualNum + Copy>(p: &BBox<D>, t: &BBox<D>, kappa: D, op: Smoothing) -> Result<D> {
    check_kappa(&kappa)?;
    let (i, u) = intersection_union(p, t, kappa, op);
    finite("soft IoU", div(i, u))
}

/// Soft IoU loss `1 − I/U` (evaluated as `(A_P + A_T − 2I)/U`).
///
/// ```
/// use softiou::{BBox, Smoothing, soft_iou_loss};
/// let p = BBox::new(10.0, 10.0, 110.0, 110.0).unwrap();
/// let t = BBox::new(20.0, 20.0, 120.0, 120.0).unwrap();
/// let hard = soft_iou_loss(&p, &t, 10.0, Smoothing::Hard).unwrap();
/// assert_eq!(hard, 3800.0 / 11900.0);
/// let soft: f64 = soft_iou_loss(&p, &t, 10.0, Smoothing::Boltzmann).unwrap();
/// assert!((soft - hard).abs() < 1e-2);
/// ```
///
/// # Errors
/// As [`soft_iou`].
pub fn soft_iou_loss<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<D> {
    check_kappa(&kappa)?;
    let (_, u, u_minus_i) = iou_parts(p, t, kappa, op);
    finite("soft IoU loss", div(u_minus_i, u))
}

/// Sides `(width, height)` of the smallest enclosing box, smoothed with `op`.
#[inline]
fn enclosing<D: DualNum + Copy>(p: &BBox<D>, t: &BBox<D>, kappa: D, op: Smoothing) -> (D, D) {
    let cw = op.smax(p.x_max(), t.x_max(), kappa) - op.smin(p.x_min(), t.x_min(), kappa);
    let ch = op.smax(p.y_max(), t.y_max(), kappa) - op.smin(p.y_min(), t.y_min(), kappa);
    (cw, ch)
}

/// Generalised IoU loss (Rezatofighi et al., CVPR 2019):
/// `1 − IoU + (C − U)/C`, with `C` the area of the smallest enclosing box.
///
/// With `hard` this is the paper's (and torchvision's `generalized_box_iou_loss`) value;
/// with a smooth operator the intersection and the enclosing box are both smoothed.
///
/// # Errors
/// As [`soft_iou`].
pub fn giou_loss<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<D> {
    check_kappa(&kappa)?;
    let (_, u, u_minus_i) = iou_parts(p, t, kappa, op);
    let (cw, ch) = enclosing(p, t, kappa, op);
    let c = cw * ch;
    finite("GIoU loss", div(u_minus_i, u) + div(c - u, c))
}

/// `(1 − IoU, ρ²/c²)`: the IoU loss and the DIoU penalty, the squared distance between
/// the centres over the squared diagonal of the enclosing box.
#[inline]
fn diou_parts<D: DualNum + Copy>(p: &BBox<D>, t: &BBox<D>, kappa: D, op: Smoothing) -> (D, D) {
    let (_, u, u_minus_i) = iou_parts(p, t, kappa, op);
    let (cw, ch) = enclosing(p, t, kappa, op);
    let [pcx, pcy] = p.centre();
    let [tcx, tcy] = t.centre();
    let (dx, dy) = (pcx - tcx, pcy - tcy);
    (div(u_minus_i, u), div(dx * dx + dy * dy, cw * cw + ch * ch))
}

/// Distance-IoU loss (Zheng et al., AAAI 2020): `1 − IoU + ρ²(b_P, b_T)/c²`, with ρ the
/// distance between the box centres and c the diagonal of the enclosing box.
///
/// # Errors
/// As [`soft_iou`].
pub fn diou_loss<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<D> {
    check_kappa(&kappa)?;
    let (l, penalty) = diou_parts(p, t, kappa, op);
    finite("DIoU loss", l + penalty)
}

/// Complete-IoU loss (Zheng et al., AAAI 2020): `1 − IoU + ρ²/c² + α·v`, with
/// `v = (4/π²)·(atan(w_T/h_T) − atan(w_P/h_P))²` and `α = v / ((1 − IoU) + v)`.
///
/// The derivatives here are those of this function, α included. torchvision's
/// `complete_box_iou_loss` treats α as a constant in back-propagation (and adds 1e-7 to
/// denominators), so its gradient differs from the exact one wherever v ≠ 0.
/// `α·v` is evaluated as `v²/((1 − IoU) + v)`, which is 0 (with a zero gradient, its
/// limit) when both P = T in shape and IoU = 1.
///
/// # Errors
/// As [`soft_iou`].
pub fn ciou_loss<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<D> {
    check_kappa(&kappa)?;
    let (l, penalty) = diou_parts(p, t, kappa, op);
    let angle = div(t.width(), t.height()).atan() - div(p.width(), p.height()).atan();
    let v = lit::<D>(4.0 / (std::f64::consts::PI * std::f64::consts::PI)) * angle * angle;
    let denom = l + v;
    let alpha_v = if denom.re() == lit::<D::Primitive>(0.0) {
        D::zero()
    } else {
        div(v * v, denom)
    };
    finite("CIoU loss", l + penalty + alpha_v)
}

/// Which loss to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LossKind {
    /// `1 − soft IoU` ([`soft_iou_loss`]).
    #[default]
    SoftIou,
    /// [`giou_loss`].
    Giou,
    /// [`diou_loss`].
    Diou,
    /// [`ciou_loss`].
    Ciou,
}

impl LossKind {
    /// All losses.
    pub const ALL: [LossKind; 4] = [
        LossKind::SoftIou,
        LossKind::Giou,
        LossKind::Diou,
        LossKind::Ciou,
    ];

    /// The name used on the command line and by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            LossKind::SoftIou => "soft-iou",
            LossKind::Giou => "giou",
            LossKind::Diou => "diou",
            LossKind::Ciou => "ciou",
        }
    }
}

impl fmt::Display for LossKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LossKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        LossKind::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| Error::UnknownLoss(s.to_owned()))
    }
}

/// A loss: which formula, and which smoothing operator inside it.
///
/// ```
/// use softiou::{BBox, Loss, LossKind, Smoothing};
/// let loss = Loss::new(LossKind::Giou, Smoothing::Hard);
/// let p = BBox::new(0.0, 0.0, 1.0, 1.0).unwrap();
/// let t = BBox::new(2.0, 0.0, 3.0, 1.0).unwrap();
/// // disjoint: IoU = 0, C = 3, U = 2, so GIoU loss = 1 + 1/3
/// let value: f64 = loss.eval(&p, &t, 1.0).unwrap();
/// assert!((value - 4.0 / 3.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Loss {
    /// The formula.
    pub kind: LossKind,
    /// The operator replacing every max and min.
    pub smoothing: Smoothing,
}

impl Loss {
    /// A loss of the given kind with the given operator.
    pub fn new(kind: LossKind, smoothing: Smoothing) -> Self {
        Loss { kind, smoothing }
    }

    /// The article's soft IoU loss with operator `smoothing`.
    pub fn soft_iou(smoothing: Smoothing) -> Self {
        Loss {
            kind: LossKind::SoftIou,
            smoothing,
        }
    }

    /// Evaluates the loss of prediction `p` against target `t` at temperature `kappa`.
    ///
    /// # Errors
    /// As [`soft_iou`].
    #[inline]
    pub fn eval<D: DualNum + Copy>(&self, p: &BBox<D>, t: &BBox<D>, kappa: D) -> Result<D> {
        let op = self.smoothing;
        match self.kind {
            LossKind::SoftIou => soft_iou_loss(p, t, kappa, op),
            LossKind::Giou => giou_loss(p, t, kappa, op),
            LossKind::Diou => diou_loss(p, t, kappa, op),
            LossKind::Ciou => ciou_loss(p, t, kappa, op),
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.smoothing)
    }
}
