//! The few operations the loss formulas need, as one project trait, so that the same
//! generic code runs on `f64`, `f32`, every `num-dual` type and the lane duals of
//! [`crate::lanes`].
//!
//! Every decision that the formulas take on a value (which argument is larger, a tie,
//! an exponential that underflowed, which of two equal forms of a quotient to use) is a
//! comparison of real parts that yields a [`Mask`], and a [`Real::select`] between two
//! values both computed (a lazy select taking closures was measured: the closures were
//! not inlined into the `#[target_feature]` kernels, which ran 2–3× slower). On a scalar
//! type the mask is a `bool` and the select an `if` between the same numbers the former
//! branches computed, so the scalar path's results are unchanged, bit for bit; on lanes
//! the mask holds one answer per lane and the select blends lane by lane (a NaN or ∞
//! computed in the side a lane does not take never reaches it).

use std::ops::{Add, Div, Mul, Neg, Sub};

use num_dual::{DualNum, DualNumFloat};

use crate::smooth::Smoothing;

/// The outcome of a comparison: a `bool`, or one answer per lane.
///
/// ```
/// use softiou::lanes::{Mask, Value};
/// let m = Value::ge(2.0_f64, 1.0); // on plain numbers, a bool
/// assert!(m.all() && !m.none());
/// ```
pub trait Mask: Copy {
    /// Whether every lane is true.
    fn all(self) -> bool;
    /// Whether no lane is true.
    fn none(self) -> bool;
}

impl Mask for bool {
    #[inline(always)]
    fn all(self) -> bool {
        self
    }
    #[inline(always)]
    fn none(self) -> bool {
        !self
    }
}

/// A real value (the real part of a [`Real`]): `f64`, `f32`, or lanes of `f64`.
///
/// ```
/// use softiou::lanes::Value;
/// /// Whether `x` is positive, per lane, in the precision of `V`.
/// fn positive<V: Value>(x: V) -> V::Mask {
///     x.gt(V::lit(0.0))
/// }
/// assert!(positive(0.5_f32) && !positive(-0.0_f64));
/// ```
pub trait Value:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// What a comparison yields.
    type Mask: Mask;
    /// A literal constant (rounded to the type's precision).
    fn lit(x: f64) -> Self;
    /// `self >= other`, per lane.
    fn ge(self, other: Self) -> Self::Mask;
    /// `self <= other`, per lane.
    fn le(self, other: Self) -> Self::Mask;
    /// `self > other`, per lane.
    fn gt(self, other: Self) -> Self::Mask;
    /// `self == other`, per lane.
    fn eq(self, other: Self) -> Self::Mask;
}

impl<F: DualNumFloat> Value for F {
    type Mask = bool;
    #[inline(always)]
    fn lit(x: f64) -> Self {
        // Converting an f64 literal to f32 or f64 cannot fail (NumCast between floats
        // only rounds), so the fallback is never taken; it only avoids a panic path.
        <F as num_traits::NumCast>::from(x).unwrap_or_else(num_traits::Zero::zero)
    }
    #[inline(always)]
    fn ge(self, other: Self) -> bool {
        self >= other
    }
    #[inline(always)]
    fn le(self, other: Self) -> bool {
        self <= other
    }
    #[inline(always)]
    fn gt(self, other: Self) -> bool {
        self > other
    }
    #[inline(always)]
    fn eq(self, other: Self) -> bool {
        self == other
    }
}

/// The mask type of a [`Real`]: what comparing two of its real parts gives.
///
/// ```
/// use softiou::lanes::{MaskOf, Real, Value};
/// use softiou::num_dual::{Dual64, DualNum};
/// /// The larger of `a` and `b`, derivatives included (no branch on lanes).
/// fn max<D: Real>(a: D, b: D) -> D {
///     let m: MaskOf<D> = a.re().ge(b.re());
///     D::select(m, a, b)
/// }
/// let x = Dual64::from_re(3.0).derivative();
/// let y = max(x, Dual64::from_re(2.0));
/// assert_eq!((y.re, y.eps), (3.0, 1.0));
/// ```
pub type MaskOf<D> = <<D as Real>::Re as Value>::Mask;

/// A number the loss formulas run on: a plain float, a dual number (its derivatives
/// follow the operations), or lanes of either.
///
/// A function written once against `Real` gives values on `f64`/`f32` and exact
/// derivatives on dual numbers:
///
/// ```
/// use softiou::lanes::Real;
/// use softiou::num_dual::{Dual64, DualNum};
/// /// `x² + ln(1 + e^x)`
/// fn f<D: Real>(x: D) -> D {
///     x * x + x.exp().ln_1p()
/// }
/// assert_eq!(f(0.0_f64), 2f64.ln());
/// // d/dx at 0: 2x + e^x / (1 + e^x) = 1/2
/// let d = f(Dual64::from_re(0.0).derivative());
/// assert_eq!(d.eps, 0.5);
/// ```
pub trait Real:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Neg<Output = Self>
{
    /// The real part (the value without derivatives).
    type Re: Value;
    /// The real part.
    fn re(&self) -> Self::Re;
    /// A constant (no derivative).
    fn lit(x: f64) -> Self;
    /// 0, a constant.
    fn zero() -> Self {
        Self::lit(0.0)
    }
    /// 1, a constant.
    fn one() -> Self {
        Self::lit(1.0)
    }
    /// `1/self`.
    fn recip(self) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// `ln(1 + self)`.
    fn ln_1p(self) -> Self;
    /// `atan(self)`.
    fn atan(self) -> Self;
    /// Adds a constant to the real part (derivatives unchanged).
    fn add_re(self, r: Self::Re) -> Self;
    /// `a` where `m` is true, `b` elsewhere (lane by lane).
    fn select(m: MaskOf<Self>, a: Self, b: Self) -> Self;
    /// `self` where `m` is true, `−self` elsewhere: `select(m, self, −self)`, which lanes
    /// do with one sign flip per component instead of a negation and a blend.
    #[inline(always)]
    fn neg_unless(self, m: MaskOf<Self>) -> Self {
        Self::select(m, self, -self)
    }
    /// 0 where `m` is true, `self` elsewhere: `select(m, 0, self)`, which lanes do with
    /// one bitwise and per component.
    #[inline(always)]
    fn zero_where(self, m: MaskOf<Self>) -> Self {
        Self::select(m, Self::zero(), self)
    }
    /// The real part, if this number is known to be a constant (every derivative part
    /// zero), so that a formula may multiply and divide by it with [`Real::scale`] and
    /// [`Real::div_re`] (a scaling of each part) instead of the general product and
    /// quotient. `None` where that is not known or not worth testing: num-dual's types,
    /// whose results thus stay exactly those of the general operations.
    #[inline(always)]
    fn as_constant(&self) -> Option<Self::Re> {
        None
    }
    /// `ln(1 + self)` for a real part in [+0, 1] (the smoothing's `ln(1 + e^{−κd})`): the
    /// same numbers as [`Real::ln_1p`], which lanes get without the steps that only other
    /// arguments take.
    #[inline(always)]
    fn ln_1p_unit(self) -> Self {
        self.ln_1p()
    }
    /// `self · k` for a constant `k`.
    fn scale(self, k: Self::Re) -> Self;
    /// `self / k` for a constant `k`, the real part correctly rounded (as [`Real::div_rounded`]).
    fn div_re(self, k: Self::Re) -> Self;
    /// The smoothing correction of `op` (not `hard`) for the gap `d` (see
    /// [`Smoothing`]). A hook: the lane kernels run it out of line, compiled once per
    /// number type and SIMD level, rather than inlined at each of a loss's ten smooth
    /// extrema (that multiplied the build time of the library by ten); every other type
    /// runs the one body inline.
    #[inline(always)]
    fn smooth_shift(op: Smoothing, d: Self, kappa: Self) -> Self {
        op.shift_inline(d, kappa)
    }
    /// `x / y` with the real part correctly rounded (`smooth::div`), a hook like
    /// [`Real::smooth_shift`].
    #[inline(always)]
    fn div_rounded(x: Self, y: Self) -> Self {
        crate::smooth::div_inline(x, y)
    }
}

impl<D: DualNum + Copy> Real for D {
    type Re = D::Primitive;
    #[inline(always)]
    fn re(&self) -> D::Primitive {
        num_dual::DualStruct::re(self)
    }
    #[inline(always)]
    fn lit(x: f64) -> Self {
        D::from(<D::Primitive as Value>::lit(x))
    }
    #[inline(always)]
    fn zero() -> Self {
        num_traits::Zero::zero()
    }
    #[inline(always)]
    fn one() -> Self {
        num_traits::One::one()
    }
    #[inline(always)]
    fn recip(self) -> Self {
        DualNum::recip(&self)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        DualNum::exp(&self)
    }
    #[inline(always)]
    fn ln_1p(self) -> Self {
        DualNum::ln_1p(&self)
    }
    #[inline(always)]
    fn atan(self) -> Self {
        DualNum::atan(&self)
    }
    #[inline(always)]
    fn add_re(self, r: D::Primitive) -> Self {
        self + r
    }
    #[inline(always)]
    fn select(m: bool, a: Self, b: Self) -> Self {
        if m { a } else { b }
    }
    #[inline(always)]
    fn scale(self, k: D::Primitive) -> Self {
        self * k
    }
    #[inline(always)]
    fn div_re(self, k: D::Primitive) -> Self {
        Self::div_rounded(self, D::from(k))
    }
}
