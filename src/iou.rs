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

use num_dual::DualNum;
use num_traits::Float;

use crate::bbox::BBox;
use crate::error::{Error, Result};
use crate::lanes::real::{Real, Value};
use crate::smooth::{Smoothing, div, lit};

/// Checks that κ is finite and strictly positive (on the real part for dual numbers).
///
/// ```
/// use softiou::{Error, iou::check_kappa};
/// assert!(check_kappa(&0.5_f64).is_ok());
/// for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
///     assert!(matches!(check_kappa(&bad), Err(Error::InvalidKappa(_))));
/// }
/// ```
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

/// The smallest κ·s (s the shortest side of either box) at which `logsumexp`'s value and
/// first derivatives are evaluated: `2^(−⌊0.57·log2 MAX⌋)`, 2^-583 ≈ 3.2e-176 in f64 and
/// 2^-72 ≈ 2.1e-22 in f32. `hard` and `boltzmann` take every κ > 0.
///
/// Below it, the soft sides (≈ ln2/κ) and the boxes (≈ s) are more than the number
/// type's range apart: in units where the powers of 1/κ in the derivatives fit (the
/// exact power-of-two rescaling the formulas use for tiny κ), ∂loss/∂κ (∝ (κs)² there)
/// underflows to 0 although its true value is representable, and further down the square of a side (in the gradient of
/// CIoU's aspect-ratio term, which does not depend on κ) underflows too. The loss itself
/// is at its κ → 0 limit long before (the soft IoU loss is 2 to the last bit from
/// κ·s ≈ 1e-8 down).
///
/// ```
/// use softiou::iou::{logsumexp_min_kappa_s, logsumexp_min_kappa_s_hessian};
/// assert_eq!(logsumexp_min_kappa_s::<f64>(), 2f64.powi(-583));
/// assert_eq!(logsumexp_min_kappa_s::<f32>(), 2f32.powi(-72));
/// assert!(logsumexp_min_kappa_s_hessian::<f64>() > logsumexp_min_kappa_s::<f64>());
/// ```
pub fn logsumexp_min_kappa_s<F: num_dual::DualNumFloat>() -> F {
    F::TWO.powf(-(F::max_value().log2() * lit::<F>(0.57)).floor())
}

/// As [`logsumexp_min_kappa_s`], for the Hessian, which holds the cube of a side:
/// `2^(−⌊0.49·log2 MAX⌋)`, 2^-501 ≈ 1.5e-151 in f64 and 2^-62 ≈ 2.2e-19 in f32.
///
/// ```
/// use softiou::iou::logsumexp_min_kappa_s_hessian;
/// assert_eq!(logsumexp_min_kappa_s_hessian::<f64>(), 2f64.powi(-501));
/// assert_eq!(logsumexp_min_kappa_s_hessian::<f32>(), 2f32.powi(-62));
/// ```
pub fn logsumexp_min_kappa_s_hessian<F: num_dual::DualNumFloat>() -> F {
    F::TWO.powf(-(F::max_value().log2() * lit::<F>(0.49)).floor())
}

/// [`check_kappa`], and for `logsumexp` κ·s ≥ [`logsumexp_min_kappa_s`] (or
/// [`logsumexp_min_kappa_s_hessian`] with `hessian`) with s the shortest side of either
/// box.
pub(crate) fn check_kappa_for<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: &D,
    op: Smoothing,
    hessian: bool,
) -> Result<()> {
    check_kappa(kappa)?;
    if op != Smoothing::LogSumExp {
        return Ok(());
    }
    let (p, t): (Corners<D>, Corners<D>) = (p.into(), t.into());
    let side = [p.width(), p.height(), t.width(), t.height()]
        .into_iter()
        .map(|v| v.re())
        .fold(D::Primitive::infinity(), |a, b| if b < a { b } else { a });
    let kappa_s = kappa.re() * side;
    let min = if hessian {
        logsumexp_min_kappa_s_hessian::<D::Primitive>()
    } else {
        logsumexp_min_kappa_s::<D::Primitive>()
    };
    if kappa_s >= min {
        Ok(())
    } else {
        let f = |v: D::Primitive| num_traits::ToPrimitive::to_f64(&v).unwrap_or(f64::NAN);
        Err(Error::KappaTooSmall {
            kappa_s: f(kappa_s),
            min: f(min),
        })
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

/// The corners of a box already known to be valid, so that the derivative code can run
/// the formulas on seeded dual numbers without validating the same box again.
#[derive(Clone, Copy)]
pub(crate) struct Corners<D>(pub(crate) [D; 4]);

impl<D: Real> Corners<D> {
    #[inline(always)]
    fn x_min(&self) -> D {
        self.0[0]
    }
    #[inline(always)]
    fn y_min(&self) -> D {
        self.0[1]
    }
    #[inline(always)]
    fn x_max(&self) -> D {
        self.0[2]
    }
    #[inline(always)]
    fn y_max(&self) -> D {
        self.0[3]
    }
    #[inline(always)]
    fn width(&self) -> D {
        self.x_max() - self.x_min()
    }
    #[inline(always)]
    fn height(&self) -> D {
        self.y_max() - self.y_min()
    }
    #[inline(always)]
    fn area(&self) -> D {
        self.width() * self.height()
    }

    /// The offset between the centres, `centre(self) − centre(other)`, formed as half
    /// the sum of two coordinate differences so that boxes far from the origin lose no
    /// digits (the centres themselves are rounded at the coordinates' magnitude).
    #[inline(always)]
    fn centre_offset(&self, other: &Self) -> [D; 2] {
        let half = D::lit(0.5);
        [
            ((self.x_min() - other.x_min()) + (self.x_max() - other.x_max())) * half,
            ((self.y_min() - other.y_min()) + (self.y_max() - other.y_max())) * half,
        ]
    }
}

impl<D: DualNum + Copy> Corners<D> {
    /// Every coordinate times `c` (a power of two, so exactly).
    #[inline(always)]
    pub(crate) fn scaled(&self, c: D::Primitive) -> Self {
        Corners(self.0.map(|x| x * c))
    }
}

impl<D: DualNum + Copy> From<&BBox<D>> for Corners<D> {
    #[inline(always)]
    fn from(b: &BBox<D>) -> Self {
        Corners(b.to_xyxy())
    }
}

/// Soft intersection area and soft union area `(I, U)` of two boxes.
///
/// No check of κ: it is the raw pair behind [`soft_iou`] (use [`check_kappa`] first).
///
/// ```
/// use softiou::{BBox, Smoothing, iou::intersection_union};
/// let p = BBox::new(0.0, 0.0, 2.0, 2.0)?;
/// let t = BBox::new(1.0, 0.0, 3.0, 2.0)?;
/// assert_eq!(intersection_union(&p, &t, 1.0, Smoothing::Hard), (2.0, 6.0));
/// // logsumexp moves each edge of the overlap inwards: a smaller soft intersection
/// let (i, u) = intersection_union(&p, &t, 1.0, Smoothing::LogSumExp);
/// assert!(i < 2.0 && u > 6.0);
/// # Ok::<(), softiou::Error>(())
/// ```
#[inline]
pub fn intersection_union<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> (D, D) {
    corners_intersection_union(&p.into(), &t.into(), kappa, op)
}

#[inline(always)]
fn corners_intersection_union<D: Real>(
    p: &Corners<D>,
    t: &Corners<D>,
    kappa: D,
    op: Smoothing,
) -> (D, D) {
    let w = op.srelu(
        inner_side(p.x_min(), p.x_max(), t.x_min(), t.x_max(), kappa, op),
        kappa,
    );
    let h = op.srelu(
        inner_side(p.y_min(), p.y_max(), t.y_min(), t.y_max(), kappa, op),
        kappa,
    );
    let i = w * h;
    (i, p.area() + t.area() - i)
}

/// `smin(p_max, t_max) − smax(p_min, t_min)`, the soft overlap along one axis before the
/// soft ReLU, without cancellation ([`span`]).
#[inline(always)]
fn inner_side<D: Real>(p_min: D, p_max: D, t_min: D, t_max: D, kappa: D, op: Smoothing) -> D {
    span(
        op.smin_split(p_max, t_max, kappa),
        op.smax_split(p_min, t_min, kappa),
    )
}

/// `smax(p_max, t_max) − smin(p_min, t_min)`, a side of the soft enclosing box, formed
/// like [`inner_side`].
#[inline(always)]
fn outer_side<D: Real>(p_min: D, p_max: D, t_min: D, t_max: D, kappa: D, op: Smoothing) -> D {
    span(
        op.smax_split(p_max, t_max, kappa),
        op.smin_split(p_min, t_min, kappa),
    )
}

/// `hi − lo` for two smooth extrema given as (input, correction) pairs, formed as
/// (difference of the two inputs) + (difference of the corrections). Subtracting the
/// two smooth extrema directly would round each at the magnitude of the coordinates
/// first — for a box of side 10 at x ≈ 1e9 that loses 8 of 16 digits of the side.
#[inline(always)]
fn span<D: Real>((hi, c_hi): (D, D), (lo, c_lo): (D, D)) -> D {
    (hi - lo) + (c_hi - c_lo)
}

/// The soft union `U` and the IoU loss `1 − I/U`, each evaluated in the form that does
/// not cancel where it is used (`A = A_P + A_T`, `U = A − I`):
///
/// - `2I ≤ A` (IoU ≤ 1, the meaningful region): `(A − 2I)/U`. `1 − I/U` would cancel
///   when I ≈ U, and a value or derivative of this form is never the difference of much
///   larger terms.
/// - `2I > A` (soft IoU above 1, or a union ≤ 0 beyond the pole — `logsumexp` at small
///   κ·s): `2 − A/U`. Here `I` can exceed the areas by any factor (it grows like
///   1/κ² as κ → 0), and the first form's derivatives are then differences of terms
///   `I/A` times larger than their result (∂/∂κ at κ = 1e-100 came out as −4e100, the
///   true value being ~1e-100); in this form `A` does not depend on κ and no such
///   difference is formed.
///
/// The two forms are equal in exact arithmetic, so the switch is seamless in value and
/// every derivative.
#[inline(always)]
fn iou_parts<D: Real>(p: &Corners<D>, t: &Corners<D>, kappa: D, op: Smoothing) -> (D, D) {
    let (i, u) = corners_intersection_union(p, t, kappa, op);
    let a = p.area() + t.area();
    // One division: the form's numerator is selected first (the same quotient, bit for
    // bit, as dividing in each form and selecting after).
    let beyond = (i + i).re().gt(a.re());
    let q = div(D::select(beyond, a, a - i - i), u);
    (u, D::select(beyond, D::lit(2.0) - q, q))
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
/// ```
/// use softiou::{BBox, Smoothing, soft_iou};
/// let p = BBox::new(0.0, 0.0, 2.0, 2.0)?;
/// let t = BBox::new(1.0, 0.0, 3.0, 2.0)?;
/// assert_eq!(soft_iou(&p, &t, 1.0, Smoothing::Hard)?, 2.0 / 6.0);
/// // the smooth IoU tends to the hard one as κ·s grows
/// let soft = |k: f64| soft_iou(&p, &t, k, Smoothing::LogSumExp);
/// assert!((soft(1e3)? - 1.0 / 3.0).abs() < (soft(1.0)? - 1.0 / 3.0).abs());
/// assert!(soft(0.0).is_err());
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidKappa`] unless κ is finite and > 0 (also for `hard`, for uniformity);
/// [`Error::NonFiniteResult`] if the smoothed union is exactly 0.
pub fn soft_iou<D: DualNum + Copy>(p: &BBox<D>, t: &BBox<D>, kappa: D, op: Smoothing) -> Result<D> {
    let (i, u) = scaled_intersection_union(p, t, kappa, op)?;
    finite("soft IoU", div(i, u))
}

/// `(I, U)` in units where nothing overflows for a tiny κ ([`tiny_kappa_units`]): the
/// same numbers times a power of two, so ratios and signs are those of `(I, U)`.
///
/// # Errors
/// As [`check_kappa_for`].
#[inline]
fn scaled_intersection_union<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<(D, D)> {
    check_kappa_for(p, t, &kappa, op, false)?;
    Ok(valid_scaled_intersection_union(p, t, kappa, op))
}

/// [`scaled_intersection_union`] for a κ the caller has checked ([`check_kappa_for`]).
#[inline]
fn valid_scaled_intersection_union<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> (D, D) {
    let (p, t): (Corners<D>, Corners<D>) = (p.into(), t.into());
    match tiny_kappa_units(kappa, op) {
        None => corners_intersection_union(&p, &t, kappa, op),
        Some(c) => {
            corners_intersection_union(&p.scaled(c), &t.scaled(c), kappa * Float::recip(c), op)
        }
    }
}

/// Where a smoothed evaluation lies relative to the region in which the soft IoU means
/// what an IoU means: `0 ≤ I ≤ U` with a positive soft union `U`, i.e. a soft IoU in
/// [0, 1] and an IoU loss in [0, 1].
///
/// Outside it, every loss of the family is still the exact value of its formula, and the
/// derivatives are exact — but the number is no longer an overlap: a loss above 1 or
/// below 0, and a gradient that may point away from the target. The three ways out are
/// mutually exclusive (`I < 0` implies `U > 0`). [`Smoothing::Hard`] is always
/// [`Region::Meaningful`].
///
/// ```
/// use softiou::{BBox, Region, Smoothing, region};
/// let p = BBox::new(0.0, 0.0, 10.0, 10.0)?;
/// let t = BBox::new(2.0, 2.0, 12.0, 12.0)?;
/// // κ·s = 0.2 with s = 10, the target's shorter side: the soft IoU exceeds 1 …
/// assert_eq!(region(&p, &t, 0.02, Smoothing::LogSumExp)?, Region::IouAboveOne);
/// // … and at κ·s = 0.01 the soft union is negative: beyond the logsumexp pole
/// assert_eq!(region(&p, &t, 0.001, Smoothing::LogSumExp)?, Region::UnionNotPositive);
/// assert_eq!(region(&p, &t, 2.0, Smoothing::LogSumExp)?, Region::Meaningful);
/// // boltzmann, boxes apart: the soft intersection is negative
/// let far = BBox::new(20.0, 0.0, 30.0, 10.0)?;
/// assert_eq!(region(&far, &t, 0.2, Smoothing::Boltzmann)?, Region::NegativeIntersection);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// `0 ≤ I ≤ U`, `U > 0`: a soft IoU in [0, 1].
    #[default]
    Meaningful,
    /// `I < 0` (`boltzmann`, boxes apart along an axis: its soft ReLU is negative
    /// there): soft IoU < 0, IoU loss > 1.
    NegativeIntersection,
    /// `I > U > 0` (`logsumexp` at small κ·s, on the near side of the pole): soft IoU
    /// > 1, IoU loss < 0.
    IouAboveOne,
    /// `U ≤ 0` (`logsumexp` at smaller κ·s still: κ is past the pole where the soft
    /// union crosses 0 and the loss changes sign through ±∞).
    UnionNotPositive,
}

impl Region {
    /// The region of a soft intersection `i` and union `u`.
    fn of<F: PartialOrd + num_traits::Zero>(i: F, u: F) -> Region {
        // a NaN union (never produced by valid boxes) counts as not positive
        if u.partial_cmp(&F::zero()) != Some(std::cmp::Ordering::Greater) {
            Region::UnionNotPositive
        } else if i < F::zero() {
            Region::NegativeIntersection
        } else if i > u {
            Region::IouAboveOne
        } else {
            Region::Meaningful
        }
    }

    /// Whether this is [`Region::Meaningful`].
    pub fn is_meaningful(self) -> bool {
        self == Region::Meaningful
    }

    /// A short code for files and JSON: `meaningful`, `negative_intersection`,
    /// `iou_above_one` or `union_not_positive`.
    pub fn code(self) -> &'static str {
        match self {
            Region::Meaningful => "meaningful",
            Region::NegativeIntersection => "negative_intersection",
            Region::IouAboveOne => "iou_above_one",
            Region::UnionNotPositive => "union_not_positive",
        }
    }

    /// What it means, in one phrase, for a warning (empty for [`Region::Meaningful`]).
    pub fn explanation(self) -> &'static str {
        match self {
            Region::Meaningful => "",
            Region::NegativeIntersection => {
                "the soft intersection is negative (boltzmann's soft ReLU of a gap), so the \
                 soft IoU is below 0 and the IoU loss above 1"
            }
            Region::IouAboveOne => {
                "the soft intersection exceeds the soft union, so the soft IoU is above 1 and \
                 the IoU loss negative; kappa * s is too small for these boxes"
            }
            Region::UnionNotPositive => {
                "the soft union is <= 0: kappa * s is past the pole of the loss, whose sign \
                 and size mean nothing there; raise kappa"
            }
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The [`Region`] of the soft IoU of `p` and `t` with operator `op` at `kappa`.
///
/// ```
/// use softiou::{BBox, Region, Smoothing, region};
/// let p = BBox::new(0.0, 0.0, 1.0, 1.0)?;
/// let t = BBox::new(3.0, 0.0, 4.0, 1.0)?;
/// // disjoint boxes: the Boltzmann soft intersection turns negative at large κ·s
/// assert_eq!(region(&p, &t, 0.1, Smoothing::Boltzmann)?, Region::Meaningful);
/// assert_ne!(region(&p, &t, 10.0, Smoothing::Boltzmann)?, Region::Meaningful);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidKappa`] unless κ is finite and > 0.
pub fn region<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<Region> {
    let (i, u) = scaled_intersection_union(p, t, kappa, op)?;
    Ok(Region::of(i.re(), u.re()))
}

/// The soft IoU and its [`Region`] from one evaluation of `(I, U)`, for a κ the caller
/// has checked ([`check_kappa_for`]).
///
/// # Errors
/// [`Error::NonFiniteResult`] if the soft IoU is not finite.
pub(crate) fn valid_soft_iou_and_region<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<(D, Region)> {
    let (i, u) = valid_scaled_intersection_union(p, t, kappa, op);
    Ok((finite("soft IoU", div(i, u))?, Region::of(i.re(), u.re())))
}

/// For κ so small that powers of 1/κ would overflow, the power of two `c < 1` by which
/// to scale every length (and κ by `1/c`) before evaluating a dimensionless quantity.
///
/// Every loss and the soft IoU are invariant under `P, T, 1/κ → c·P, c·T, c/κ`, and
/// with `c` a power of two the scaling is exact, so this changes no bit of any result
/// that was finite without it (short of lengths scaled into the subnormal range, where
/// they are negligible next to 1/κ anyway). It is needed because the `logsumexp` soft
/// sides grow like ln2/κ as κ → 0: the soft intersection grows like 1/κ², and the
/// derivatives of `A/U` hold `U²` (gradient) and `U³` (Hessian), which overflow in f64
/// from κ ≈ 1e-77 and 1e-51 on (in f32, from κ ≈ 1e-10 and 1e-7), although the loss and
/// its derivatives tend to finite limits. Below the threshold `2^(−⌊0.16·log2 MAX⌋)`
/// (2^-163 ≈ 8.5e-50 in f64, 2^-20 ≈ 9.5e-7 in f32), κ is brought up to it, where
/// (1/κ)⁶ still fits.
#[inline(always)]
pub(crate) fn tiny_kappa_units<D: DualNum + Copy>(kappa: D, op: Smoothing) -> Option<D::Primitive> {
    // `hard` ignores κ and `boltzmann` stays within its arguments for every κ: rescaling
    // them would only push small boxes' areas towards underflow.
    if op != Smoothing::LogSumExp {
        return None;
    }
    let k = kappa.re();
    let two = <D::Primitive as num_dual::DualNumFloat>::TWO;
    let floor_exp = (D::Primitive::max_value().log2() * lit::<D::Primitive>(0.16)).floor();
    let threshold = two.powf(-floor_exp);
    if k >= threshold {
        return None;
    }
    // c = 2^(log2 k − log2 threshold), rounded down to a power of two: κ/c ≥ threshold.
    Some(two.powf((k.log2() + floor_exp).floor()))
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
    Loss::soft_iou(op).eval(p, t, kappa)
}

/// Sides `(width, height)` of the smallest enclosing box, smoothed with `op`.
#[inline(always)]
fn enclosing<D: Real>(p: &Corners<D>, t: &Corners<D>, kappa: D, op: Smoothing) -> (D, D) {
    let cw = outer_side(p.x_min(), p.x_max(), t.x_min(), t.x_max(), kappa, op);
    let ch = outer_side(p.y_min(), p.y_max(), t.y_min(), t.y_max(), kappa, op);
    (cw, ch)
}

/// Generalised IoU loss (Rezatofighi et al., CVPR 2019):
/// `1 − IoU + (C − U)/C`, with `C` the area of the smallest enclosing box.
///
/// With `hard` this is the paper's (and torchvision's `generalized_box_iou_loss`) value;
/// with a smooth operator the intersection and the enclosing box are both smoothed.
///
/// ```
/// use softiou::{BBox, Smoothing, giou_loss};
/// let p = BBox::new(0.0, 0.0, 1.0, 1.0)?;
/// let t = BBox::new(2.0, 0.0, 3.0, 1.0)?;
/// // disjoint: IoU = 0, C = 3, U = 2, so the loss is 1 + (3 − 2)/3
/// assert!((giou_loss(&p, &t, 1.0, Smoothing::Hard)? - 4.0_f64 / 3.0).abs() < 1e-15);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`soft_iou`].
pub fn giou_loss<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<D> {
    Loss::new(LossKind::Giou, op).eval(p, t, kappa)
}

/// The GIoU loss from the IoU part `(U, 1 − IoU)` and the enclosing sides.
#[inline(always)]
fn giou_from_parts<D: Real>((u, iou_loss): (D, D), (cw, ch): (D, D)) -> D {
    let c = cw * ch;
    iou_loss + div(c - u, c)
}

/// The DIoU penalty `ρ²/c²`: the squared distance between the centres over the squared
/// diagonal of the enclosing box (sides `cw`, `ch`).
#[inline(always)]
fn diou_penalty<D: Real>(p: &Corners<D>, t: &Corners<D>, (cw, ch): (D, D)) -> D {
    let [dx, dy] = p.centre_offset(t);
    div(dx * dx + dy * dy, cw * cw + ch * ch)
}

/// Distance-IoU loss (Zheng et al., AAAI 2020): `1 − IoU + ρ²(b_P, b_T)/c²`, with ρ the
/// distance between the box centres and c the diagonal of the enclosing box.
///
/// ```
/// use softiou::{BBox, Smoothing, diou_loss};
/// let p = BBox::new(0.0, 0.0, 2.0, 2.0)?;
/// let t = BBox::new(1.0, 0.0, 3.0, 2.0)?;
/// // IoU = 1/3, centres 1 apart, enclosing diagonal² = 3² + 2² = 13
/// assert!((diou_loss(&p, &t, 1.0, Smoothing::Hard)? - (2.0_f64 / 3.0 + 1.0 / 13.0)).abs() < 1e-15);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`soft_iou`].
pub fn diou_loss<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<D> {
    Loss::new(LossKind::Diou, op).eval(p, t, kappa)
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
/// ```
/// use softiou::{BBox, Smoothing, ciou_loss, diou_loss};
/// let p = BBox::new(0.0, 0.0, 2.0, 2.0)?;
/// let t = BBox::new(0.0, 0.0, 2.0, 2.0)?;
/// assert_eq!(ciou_loss(&p, &t, 1.0, Smoothing::Hard)?, 0.0); // α·v = 0/0 taken as 0
/// // a different aspect ratio adds α·v > 0 to the DIoU loss
/// let q = BBox::new(0.0, 0.0, 4.0, 1.0)?;
/// assert!(ciou_loss(&q, &t, 1.0, Smoothing::Hard)? > diou_loss(&q, &t, 1.0, Smoothing::Hard)?);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`soft_iou`].
pub fn ciou_loss<D: DualNum + Copy>(
    p: &BBox<D>,
    t: &BBox<D>,
    kappa: D,
    op: Smoothing,
) -> Result<D> {
    Loss::new(LossKind::Ciou, op).eval(p, t, kappa)
}

/// The CIoU loss from the IoU loss `l = 1 − IoU` and the DIoU penalty.
#[inline(always)]
fn ciou_from_parts<D: Real>(p: &Corners<D>, t: &Corners<D>, l: D, penalty: D) -> D {
    let angle = div(t.width(), t.height()).atan() - div(p.width(), p.height()).atan();
    let v = D::lit(4.0 / (std::f64::consts::PI * std::f64::consts::PI)) * angle * angle;
    let denom = l + v;
    let alpha_v = D::select(denom.re().eq(D::Re::lit(0.0)), D::zero(), div(v * v, denom));
    l + penalty + alpha_v
}

/// Which loss to evaluate.
///
/// ```
/// use softiou::LossKind;
/// assert_eq!("giou".parse::<LossKind>()?, LossKind::Giou);
/// assert_eq!(LossKind::SoftIou.to_string(), "soft-iou");
/// assert_eq!(LossKind::ALL.len(), 4);
/// # Ok::<(), softiou::Error>(())
/// ```
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

crate::names::named_values! {
    LossKind,
    all = "All losses.",
    name = "The name used on the command line and by `FromStr`.",
    unknown = |s| Error::UnknownLoss(s.to_owned()),
    {
        SoftIou => "soft-iou",
        Giou => "giou",
        Diou => "diou",
        Ciou => "ciou",
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
        check_kappa_for(p, t, &kappa, self.smoothing, false)?;
        self.finite(self.eval_corners(&p.into(), &t.into(), kappa))
    }

    /// The loss of two boxes whose validity (and κ > 0) the caller has established: the
    /// formula alone, for the derivative code, which seeds dual numbers into boxes that
    /// were validated as plain numbers. Never panics; may return NaN if misused.
    #[inline(always)]
    pub(crate) fn eval_corners<D: DualNum + Copy>(
        &self,
        p: &Corners<D>,
        t: &Corners<D>,
        kappa: D,
    ) -> D {
        match tiny_kappa_units(kappa, self.smoothing) {
            None => self.formula(p, t, kappa),
            Some(c) => self.formula(&p.scaled(c), &t.scaled(c), kappa * Float::recip(c)),
        }
    }

    /// The formula alone, on any [`Real`] (lanes included): no validation, no tiny-κ
    /// rescaling (the caller has done both, or knows they are not needed).
    #[inline(always)]
    pub(crate) fn formula<D: Real>(&self, p: &Corners<D>, t: &Corners<D>, kappa: D) -> D {
        let op = self.smoothing;
        // Each part is written once, common to the kinds that use it, so that a kernel
        // taking the kind at run time (the lane kernels) holds one copy of it.
        let (u, iou_loss) = iou_parts(p, t, kappa, op);
        if self.kind == LossKind::SoftIou {
            return iou_loss;
        }
        let sides = enclosing(p, t, kappa, op);
        if self.kind == LossKind::Giou {
            return giou_from_parts((u, iou_loss), sides);
        }
        let penalty = diou_penalty(p, t, sides);
        if self.kind == LossKind::Diou {
            return iou_loss + penalty;
        }
        ciou_from_parts(p, t, iou_loss, penalty)
    }

    /// `Ok(value)` if its real part is finite, else the [`Error::NonFiniteResult`] that
    /// names this loss.
    #[inline]
    pub(crate) fn finite<D: DualNum>(&self, value: D) -> Result<D> {
        let what = match self.kind {
            LossKind::SoftIou => "soft IoU loss",
            LossKind::Giou => "GIoU loss",
            LossKind::Diou => "DIoU loss",
            LossKind::Ciou => "CIoU loss",
        };
        finite(what, value)
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.smoothing)
    }
}
