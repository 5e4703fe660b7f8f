//! Finite-difference stencils for a first derivative, and the step rule.

use num_dual::DualNumFloat;
#[cfg(feature = "serde")]
use serde::Serialize;

use crate::error::{Error, Result};

/// A finite-difference approximation of g'(0) from values of g near 0.
///
/// | stencil | formula (D₂(h) = (g(h) − g(−h)) / 2h) | error | default c |
/// |---|---|---|---|
/// | `Central2` | D₂(h) | h²·g'''/6 | ε^(1/3) (6.1e-6 in f64, 4.9e-3 in f32) |
/// | `Central4` | (8(g(h) − g(−h)) − (g(2h) − g(−2h))) / 12h | h⁴·g⁽⁵⁾/30 | ε^(1/5) (7.4e-4, 4.1e-2) |
/// | `Richardson` | Richardson extrapolation of D₂ over h, h/2, h/4 (3-level tableau) | O(h⁶) | ε^(1/7) (5.8e-3, 0.10) |
///
/// The round-off error of each is about ε·|g|/h, so the total error c^p + ε/c is smallest
/// near c = ε^(1/(p+1)) when g and its derivatives are of order 1.
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Stencil, check_gradient, Function};
/// use softiou::num_dual::DualNum;
/// struct Exp;
/// impl Function<1> for Exp {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.exp()) }
/// }
/// let stencil: Stencil = "richardson".parse()?;
/// let r = check_gradient(&Exp, [1.0], &CheckOptions { stencil, ..CheckOptions::default() })?;
/// assert!(r.passed && (r.components[0].exact - std::f64::consts::E).abs() < 1e-15);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Stencil {
    /// Second-order central difference (2 evaluations).
    Central2,
    /// Fourth-order central difference (4 evaluations). The default: cheap and accurate.
    #[default]
    Central4,
    /// Sixth-order Richardson extrapolation of the central difference (6 evaluations).
    Richardson,
}

impl Stencil {
    /// The order p of the truncation error (error ∝ h^p).
    pub fn order(self) -> i32 {
        match self {
            Stencil::Central2 => 2,
            Stencil::Central4 => 4,
            Stencil::Richardson => 6,
        }
    }

    /// The optimal relative step `c = ε^(1/(p+1))` for precision `F`.
    ///
    /// ```
    /// use softiou::fdcheck::Stencil;
    /// let c: f64 = Stencil::Central2.default_c();
    /// assert!((c - f64::EPSILON.cbrt()).abs() < 1e-20);
    /// ```
    pub fn default_c<F: DualNumFloat>(self) -> F {
        F::epsilon().powf(F::one() / from_f64::<F>(f64::from(self.order() + 1)))
    }

    /// The sum of the magnitudes of the stencil's weights times h: round-off σ in g
    /// becomes about `noise_gain·σ/h` in the estimate.
    pub(crate) fn noise_gain(self) -> f64 {
        match self {
            Stencil::Central2 => 1.0,
            Stencil::Central4 => 1.5,
            // (16·(4·D(h/4) − D(h/2)) − (4·D(h/2) − D(h)))/45 with D(s) of gain 1/s
            Stencil::Richardson => (16.0 * (4.0 * 4.0 + 2.0) + 4.0 * 2.0 + 1.0) / 45.0,
        }
    }

    /// How far from 0 the stencil evaluates g, in units of h.
    pub(crate) fn reach(self) -> f64 {
        match self {
            Stencil::Central4 => 2.0,
            Stencil::Central2 | Stencil::Richardson => 1.0,
        }
    }

    /// The estimate of g'(0) for every output of a vector-valued `g`, with step `h`.
    pub(crate) fn apply<F: DualNumFloat>(
        self,
        g: &dyn Fn(F) -> Result<Vec<F>>,
        h: F,
    ) -> Result<Vec<F>> {
        let d2 = |h: F| -> Result<Vec<F>> {
            let (a, b) = (g(h)?, g(-h)?);
            Ok(a.iter().zip(&b).map(|(a, b)| (*a - *b) / (h + h)).collect())
        };
        match self {
            Stencil::Central2 => d2(h),
            Stencil::Central4 => {
                let (a, b, c, d) = (g(h)?, g(-h)?, g(h + h)?, g(-(h + h))?);
                let (eight, twelve) = (from_f64::<F>(8.0), from_f64::<F>(12.0));
                Ok((0..a.len())
                    .map(|k| (eight * (a[k] - b[k]) - (c[k] - d[k])) / (twelve * h))
                    .collect())
            }
            Stencil::Richardson => {
                let two = F::TWO;
                let (t0, t1, t2) = (d2(h)?, d2(h / two)?, d2(h / two / two)?);
                let (three, fifteen) = (F::THREE, F::FIFTEEN);
                Ok((0..t0.len())
                    .map(|k| {
                        let r1a = (F::FOUR * t1[k] - t0[k]) / three;
                        let r1b = (F::FOUR * t2[k] - t1[k]) / three;
                        (from_f64::<F>(16.0) * r1b - r1a) / fifteen
                    })
                    .collect())
            }
        }
    }
}

crate::names::named_values! {
    Stencil,
    all = "All stencils, lowest order first.",
    name = "The name used by `FromStr` and `Display`.",
    unknown = |s| Error::InvalidParameter {
        name: "stencil",
        value: s.to_owned(),
        need: "one of: central2, central4, richardson",
    },
    {
        Central2 => "central2",
        Central4 => "central4",
        Richardson => "richardson",
    }
}

/// The step for a variable at `x`: `c · max(1, |x|)`, adjusted so that `x + h` is exactly
/// representable (h = (x + h) − x), which removes the representation error of the step.
pub(crate) fn step<F: DualNumFloat>(x: F, c: F) -> F {
    let h = c * F::one().max(x.abs());
    let adjusted = (x + h) - x;
    if adjusted > F::zero() { adjusted } else { h }
}

/// The central difference of `f` in each coordinate of `x`: with `h = c·max(1, |x_i|)`,
/// `(f(x + h·e_i) − f(x − h·e_i)) / d` where `d = (x_i + h) − (x_i − h)` is the step
/// actually taken after rounding. Returns, per coordinate, the half step `d/2` and the
/// estimate. The one central difference of the crate outside [`Stencil::apply`]: the
/// batch API's benchmark baseline and the check points of the κ figures use it.
///
/// # Errors
/// The first error of `f`.
pub(crate) fn central_differences<F: DualNumFloat, const N: usize>(
    x: [F; N],
    c: F,
    f: impl Fn([F; N]) -> Result<F>,
) -> Result<[(F, F); N]> {
    let two = F::one() + F::one();
    let mut out = [(F::zero(), F::zero()); N];
    for (i, o) in out.iter_mut().enumerate() {
        let h = c * x[i].abs().max(F::one());
        let (mut up, mut down) = (x, x);
        up[i] = x[i] + h;
        down[i] = x[i] - h;
        let (fu, fd) = (f(up)?, f(down)?);
        let step = up[i] - down[i];
        *o = (step / two, (fu - fd) / step);
    }
    Ok(out)
}

/// `F` → `f64` (exact for f32 and f64).
pub(crate) fn to_f64<F: DualNumFloat>(x: F) -> f64 {
    x.to_f64().unwrap_or(f64::NAN)
}

/// `f64` → `F` (rounds for f32).
pub(crate) fn from_f64<F: DualNumFloat>(x: f64) -> F {
    <F as num_traits::NumCast>::from(x).unwrap_or_else(F::nan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp_line(x: f64) -> impl Fn(f64) -> Result<Vec<f64>> {
        move |t| Ok(vec![(x + t).exp(), (x + t).sin()])
    }

    #[test]
    fn every_stencil_differentiates_exp_and_sin_to_its_expected_accuracy() {
        let g = exp_line(0.3);
        for st in Stencil::ALL {
            let h = step(0.3, st.default_c::<f64>());
            let d = st.apply(&g, h).unwrap();
            // At the optimal step the error is about ε^(p/(p+1)) ≤ 4e-11 for unit-scale
            // derivatives; 1e-9 leaves a factor 25 for the constants of the stencils.
            assert!((d[0] - 0.3_f64.exp()).abs() < 1e-9, "{st}: {}", d[0]);
            assert!((d[1] - 0.3_f64.cos()).abs() < 1e-9, "{st}: {}", d[1]);
        }
    }

    #[test]
    fn central_differences_of_a_quadratic_are_exact_up_to_rounding() {
        // f = x0² + 3·x0·x1: ∂/∂x0 = 2·x0 + 3·x1 = 13, ∂/∂x1 = 3·x0 = 6 at (2, 3); a central
        // difference of a quadratic has no truncation error, so only the rounding of
        // f(x ± h) remains: about ε·|f|/h ≈ 2.2e-16·24/6e-6 ≈ 1e-9.
        let f = |x: [f64; 2]| Ok(x[0] * x[0] + 3.0 * x[0] * x[1]);
        let d = central_differences([2.0, 3.0], 6e-6, f).unwrap();
        assert!((d[0].1 - 13.0).abs() < 1e-8, "{:?}", d[0]);
        assert!((d[1].1 - 6.0).abs() < 1e-8, "{:?}", d[1]);
        // the half steps are the steps actually taken: c·max(1, |x|) up to rounding
        assert!((d[0].0 / 1.2e-5 - 1.0).abs() < 1e-9 && (d[1].0 / 1.8e-5 - 1.0).abs() < 1e-9);
        // an error of f is passed on
        let failing = |_: [f64; 2]| -> Result<f64> { Err(Error::UnknownLoss("x".into())) };
        assert!(central_differences([2.0, 3.0], 6e-6, failing).is_err());
    }

    #[test]
    fn the_step_is_exactly_representable_relative_to_x() {
        let x = 123_456.789_f64;
        let h = step(x, 1e-6);
        assert_eq!((x + h) - x, h);
        assert!((h / (1e-6 * x) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn stencil_names_round_trip_and_unknown_names_are_errors() {
        for st in Stencil::ALL {
            assert_eq!(st.name().parse::<Stencil>().unwrap(), st);
        }
        assert!("central3".parse::<Stencil>().is_err());
    }
}
