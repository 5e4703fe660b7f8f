//! Smooth maximum, minimum and ReLU: the three operators of docs/design.md, evaluated stably.
//!
//! Every function is generic over the project trait [`Real`] (implemented for every
//! `D: DualNum + Copy`), so the same code runs on `f64`, `f32`, every dual number of
//! `num-dual`, which then carry exact derivatives, and the lane-parallel duals of
//! [`crate::lanes`]. Each decision on a value is a comparison mask and a select: an `if`
//! on a scalar, a lane-by-lane blend on lanes.
//! κ (`kappa`) has units of 1/length; only the product κ·(a − b) matters.
//!
//! | operator | smax(a, b) | evaluated as (h = max, l = min, d = h − l ≥ 0) |
//! |---|---|---|
//! | `hard` | max(a, b) | h (at an exact tie: (a + b)/2) |
//! | `boltzmann` | (a·e^{κa} + b·e^{κb}) / (e^{κa} + e^{κb}) | h − d · e^{−κd} / (1 + e^{−κd}) |
//! | `logsumexp` | ln(e^{κa} + e^{κb}) / κ | h + ln1p(e^{−κd}) / κ |
//!
//! The only exponential is e^{−κd} with κd ≥ 0, so nothing overflows for any finite
//! input and any κ > 0 (the tie value (a + b)/2 is evaluated as a + (b − a)/2, which is
//! finite next to ±f64::MAX too). Ordering the arguments by value (rather than testing the sign of
//! `a − b` and taking `|a − b|`) makes each operator exactly symmetric in (a, b), and at an
//! exact tie the branch taken (`a` as `h`) differentiates to ∂/∂a = ∂/∂b = 1/2, the true
//! derivative of both smooth operators there.

use num_dual::DualNum;

use crate::error::Error;
use crate::lanes::real::{Real, Value};

/// A smoothing operator, chosen at run time.
///
/// Parses from and displays as exactly `hard`, `boltzmann` and `logsumexp`.
///
/// ```
/// use softiou::Smoothing;
/// let op: Smoothing = "logsumexp".parse().unwrap();
/// assert_eq!(op, Smoothing::LogSumExp);
/// assert_eq!(op.to_string(), "logsumexp");
/// assert!("softmax".parse::<Smoothing>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Smoothing {
    /// The exact max(a, b); κ is ignored. At an exact tie it returns (a + b)/2, whose
    /// derivative is 1/2 for each argument: the average of the one-sided derivatives
    /// and the limit of both smooth operators as κ → ∞.
    Hard,
    /// The article's Boltzmann operator: a softmax-weighted mean, always within
    /// [min, max] and at most 0.2785/κ below the max.
    Boltzmann,
    /// Log-sum-exp ("softplus" form): always within [max, max + ln2/κ]. The default:
    /// its soft ReLU is positive, so disjoint boxes still get a gradient towards each
    /// other and the soft intersection is never negative.
    #[default]
    LogSumExp,
}

crate::names::named_values! {
    Smoothing,
    all = "All operators, in the order they are documented.",
    name = "The name used on the command line, in files and by `FromStr`.",
    unknown = |s| Error::UnknownSmoothing(s.to_owned()),
    {
        Hard => "hard",
        Boltzmann => "boltzmann",
        LogSumExp => "logsumexp",
    }
}

impl Smoothing {
    /// Smooth maximum of `a` and `b` with temperature `kappa` (1/length, > 0).
    ///
    /// ```
    /// use softiou::Smoothing;
    /// // The article's example overflows e^{κa} naively; here it is fine.
    /// let m = Smoothing::Boltzmann.smax(110.0_f64, 120.0, 10.0);
    /// assert!(m <= 120.0 && 120.0 - m < 0.2785 / 10.0);
    /// ```
    #[inline(always)]
    pub fn smax<D: Real>(self, a: D, b: D, kappa: D) -> D {
        let (h, c) = self.smax_split(a, b, kappa);
        h + c
    }

    /// `smax(a, b)` as `(h, c)` with `smax = h + c`: `h` is whichever of `a`, `b` is
    /// larger (an input, untouched) and `c` the smoothing's correction, small and
    /// computed from the gap `|a − b|` alone.
    ///
    /// Keeping the two apart lets a caller subtract two smooth extrema without
    /// cancellation: `smin(a, b) − smax(c, d)` is formed as (difference of two inputs) +
    /// (difference of two corrections), so coordinates far from the origin never meet
    /// (see `iou`).
    #[inline(always)]
    pub(crate) fn smax_split<D: Real>(self, a: D, b: D, kappa: D) -> (D, D) {
        // `h` is the larger argument; an exact tie takes the first branch, which is what
        // gives the symmetric derivative 1/2 (see the module docs).
        // The gap `d = h − l` is computed as ±(a − b): the same number (floating-point
        // subtraction is antisymmetric), but one subtraction whose operands do not
        // depend on which argument is larger (with dual numbers where only one argument
        // carries a derivative, `h − l` takes a different path on every other pair).
        let diff = a - b;
        let first = a.re().ge(b.re());
        let (h, d) = (D::select(first, a, b), diff.neg_unless(first));
        let c = match self {
            Smoothing::Hard => tie_correction(a, b),
            Smoothing::Boltzmann => -self.shift(d, kappa),
            Smoothing::LogSumExp => self.shift(d, kappa),
        };
        (h, c)
    }

    /// Smooth minimum: `-smax(-a, -b)`, evaluated directly (`l ∓ shift(h − l)`, with the
    /// same ordering and the same tie rule), which is the same number bit for bit since
    /// negation is exact, without the three negations.
    ///
    /// ```
    /// use softiou::Smoothing;
    /// for op in Smoothing::ALL {
    ///     for (a, b) in [(1.5, -2.0), (3.0, 3.0), (1e300, -1e300), (-7.25, 0.125)] {
    ///         assert_eq!(op.smin(a, b, 0.7_f64), -op.smax(-a, -b, 0.7));
    ///         assert_eq!(op.smin(a, b, 0.7_f64), op.smin(b, a, 0.7));
    ///     }
    /// }
    /// ```
    #[inline(always)]
    pub fn smin<D: Real>(self, a: D, b: D, kappa: D) -> D {
        let (l, c) = self.smin_split(a, b, kappa);
        l + c
    }

    /// `smin(a, b)` as `(l, c)` with `smin = l + c`, `l` the smaller input: the
    /// counterpart of [`Smoothing::smax_split`].
    #[inline(always)]
    pub(crate) fn smin_split<D: Real>(self, a: D, b: D, kappa: D) -> (D, D) {
        // -smax(-a, -b) orders `-a` first on a tie, i.e. takes `a` as the smaller.
        let diff = b - a;
        let first = a.re().le(b.re());
        let (l, d) = (D::select(first, a, b), diff.neg_unless(first));
        let c = match self {
            Smoothing::Hard => tie_correction(a, b),
            Smoothing::Boltzmann => self.shift(d, kappa),
            Smoothing::LogSumExp => -self.shift(d, kappa),
        };
        (l, c)
    }

    /// `|smax(a, b) − max(a, b)|` as a function of the gap `d = |a − b| ≥ 0`, with
    /// `e = e^{−κd} ∈ (0, 1]`: `d·e/(1 + e)` (boltzmann), `ln1p(e)/κ` (logsumexp), 0 (hard).
    #[inline(always)]
    fn shift<D: Real>(self, d: D, kappa: D) -> D {
        if self == Smoothing::Hard {
            return D::zero();
        }
        // Through the `Real` hook: the lane kernels run the body out of line, compiled
        // once per number type and SIMD level instead of at each of the ten call sites
        // of a loss (see `Real::smooth_shift`); every other type runs it here.
        D::smooth_shift(self, d, kappa)
    }

    /// The body of [`Smoothing::shift`] for `boltzmann` and `logsumexp`.
    #[inline(always)]
    pub(crate) fn shift_inline<D: Real>(self, d: D, kappa: D) -> D {
        // d·(−κ) is −(κ·d) bit for bit, without negating a dual number. Where κ is a
        // constant (every derivative but ∂/∂κ, on lanes) the product and the quotient by
        // κ are scalings: the same numbers, without the derivative parts of a constant.
        let k = kappa.as_constant();
        let e = match k {
            Some(k) => d.scale(-k),
            None => d * -kappa,
        }
        .exp();
        // e = 0 once κd exceeds ~745, and then the shift and all its derivatives are
        // 0 (to the last bit). Saying so directly also keeps d = ∞ (arguments near
        // ±f64::MAX) from turning the dual parts into ∞·0 = NaN (on lanes the NaN of
        // such a lane is computed and then cleared).
        let underflow = e.re().eq(D::Re::lit(0.0));
        let shift = match (self, k) {
            (Smoothing::Boltzmann, _) => div(d * e, e + D::one()),
            // e ∈ [0, 1]: the argument range of `ln_1p_unit`
            (_, Some(k)) => e.ln_1p_unit().div_re(k),
            (_, None) => div(e.ln_1p_unit(), kappa),
        };
        shift.zero_where(underflow)
    }

    /// Smooth ReLU: `smax(0, x)`. Note that with `boltzmann` it is negative for x < 0
    /// (it lies in [x, 0]); with `logsumexp` it is always positive.
    #[inline(always)]
    pub fn srelu<D: Real>(self, x: D, kappa: D) -> D {
        self.smax(D::zero(), x, kappa)
    }

    /// The largest possible gap `max(a, b) − smax(a, b)` (positive) or
    /// `smax(a, b) − max(a, b)` (for `logsumexp`) at this κ: 0, 0.2785/κ or ln2/κ.
    ///
    /// ```
    /// use softiou::Smoothing;
    /// let k = 2.0;
    /// assert_eq!(Smoothing::LogSumExp.bound(k), std::f64::consts::LN_2 / k);
    /// // the Boltzmann gap d·e^{−κd}/(1 + e^{−κd}) is largest at κd = 1 + W(1/e), where
    /// // it is W(1/e)/κ (W the Lambert function)
    /// let gap = -Smoothing::Boltzmann.smax(0.0, -1.278464542761074 / k, k);
    /// assert!((gap - Smoothing::Boltzmann.bound(k)).abs() < 1e-12);
    /// assert_eq!(Smoothing::Hard.bound(k), 0.0);
    /// ```
    pub fn bound(self, kappa: f64) -> f64 {
        match self {
            Smoothing::Hard => 0.0,
            Smoothing::Boltzmann => BOLTZMANN_BOUND / kappa,
            Smoothing::LogSumExp => std::f64::consts::LN_2 / kappa,
        }
    }
}

/// The hard operator's correction to `a`: 0 unless `a` and `b` tie, and then
/// `(b − a)/2`, whose value is 0 but whose derivative makes ∂/∂a = ∂/∂b = 1/2.
#[inline(always)]
fn tie_correction<D: Real>(a: D, b: D) -> D {
    D::select(a.re().eq(b.re()), (b - a) * D::lit(0.5), D::zero())
}

/// max over x ≥ 0 of x·e^{−x}/(1 + e^{−x}) = W(1/e), the Omega constant's cousin:
/// the largest shortfall of the Boltzmann operator below the max is this divided by κ.
const BOLTZMANN_BOUND: f64 = 0.278_464_542_761_073_8;

/// `x / y` whose real part is the correctly rounded quotient of the real parts.
///
/// Multiplying by the rounded reciprocal can leave the real
/// part one ulp away from the plain division. Adding the difference (exactly
/// representable: the two quotients are within an ulp) makes every dual evaluation give
/// the same value, to the last bit, as the `f64` one, and leaves the derivative parts as
/// num-dual computed them.
#[inline(always)]
pub(crate) fn div<D: Real>(x: D, y: D) -> D {
    // Through the `Real` hook, as `Smoothing::shift`.
    D::div_rounded(x, y)
}

/// The body of [`div`].
#[inline(always)]
pub(crate) fn div_inline<D: Real>(x: D, y: D) -> D {
    // x · (1/y) rather than num-dual's x / y: the latter forms x'·y before dividing by
    // y², which overflows once y > ~1e154 (κ large) although the derivative is finite.
    let q = x * y.recip();
    q.add_re(x.re() / y.re() - q.re())
}

/// A literal constant in the number type `D`.
#[inline]
pub(crate) fn lit<D: DualNum>(x: f64) -> D {
    // Converting an f64 literal to f32 or f64 cannot fail (NumCast between floats only
    // rounds), so the fallback is never taken; it only avoids a panic path.
    D::from(<D::Primitive as num_traits::NumCast>::from(x).unwrap_or_else(num_traits::Zero::zero))
}
