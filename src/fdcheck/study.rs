//! Step study: the error of every stencil as a function of the step, as data.
//!
//! For a smooth function the error of a stencil of order p is about
//! `A·h^p + B·ε/h`: truncation (slope p on a log-log plot) for large h, round-off
//! (slope −1) for small h, with a minimum near h = ε^(1/(p+1)). The dual-number
//! derivative has no truncation and no cancellation, so its error is a horizontal line
//! at the level of ε.

#[cfg(feature = "serde")]
use serde::Serialize;

use super::Function;
use super::line::exact_gradient;
use super::stencil::{Stencil, step};
use crate::error::{Error, Result};

/// Absolute errors of the three stencils at one step (against [`StepStudy::truth`]).
/// A stencil whose evaluation failed at this step (e.g. it left the domain) is NaN.
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Function, check_gradient};
/// use softiou::num_dual::DualNum;
/// struct Cube;
/// impl Function<1> for Cube {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.powi(3)) }
/// }
/// use softiou::fdcheck::{Stencil, default_steps, step_study};
/// let s = step_study(&Cube, [2.0], 0, &default_steps(), None)?;
/// let r = &s.rows[0];
/// assert_eq!(r.error(Stencil::Central4), r.central4);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct StepRow {
    /// The relative step c (the perturbation is c·max(1, |x_i|)).
    pub h: f64,
    /// Error of the 2nd-order central difference.
    pub central2: f64,
    /// Error of the 4th-order central difference.
    pub central4: f64,
    /// Error of the 3-level Richardson extrapolation.
    pub richardson: f64,
}

impl StepRow {
    /// The error of `stencil` in this row.
    pub fn error(&self, stencil: Stencil) -> f64 {
        match stencil {
            Stencil::Central2 => self.central2,
            Stencil::Central4 => self.central4,
            Stencil::Richardson => self.richardson,
        }
    }
}

/// The result of [`step_study`].
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Function, check_gradient};
/// use softiou::num_dual::DualNum;
/// struct Cube;
/// impl Function<1> for Cube {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.powi(3)) }
/// }
/// use softiou::fdcheck::{default_steps, step_study};
/// let s = step_study(&Cube, [2.0], 0, &default_steps(), Some(12.0))?;
/// assert_eq!((s.exact, s.dual_error), (12.0, 0.0));
/// assert_eq!(s.rows.len(), default_steps().len());
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct StepStudy {
    /// The dual-number derivative `∂f/∂x[component]`.
    pub exact: f64,
    /// The truth the errors are measured against: the given one, else `exact`.
    pub truth: f64,
    /// `|exact − truth|`: the error of the dual-number derivative (0 without a truth).
    pub dual_error: f64,
    /// One row per step, in the order given.
    pub rows: Vec<StepRow>,
}

impl StepStudy {
    /// The step with the smallest error of `stencil`, and that error (`None` if every
    /// error is NaN).
    ///
    /// ```
    /// use softiou::fdcheck::{Function, Stencil, default_steps, step_study};
    /// use softiou::num_dual::DualNum;
    /// struct Exp;
    /// impl Function<1> for Exp {
    ///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.exp()) }
    /// }
    /// let s = step_study(&Exp, [0.5], 0, &default_steps(), Some(0.5_f64.exp()))?;
    /// let (h, err) = s.optimum(Stencil::Central2).unwrap();
    /// // the optimum lies near ε^(1/3) ≈ 6e-6, where the error is near ε^(2/3) ≈ 4e-11
    /// assert!(h > 1e-7 && h < 1e-4 && err < 1e-9);
    /// # Ok::<(), softiou::Error>(())
    /// ```
    pub fn optimum(&self, stencil: Stencil) -> Option<(f64, f64)> {
        self.rows
            .iter()
            .map(|r| (r.h, r.error(stencil)))
            .filter(|(_, e)| !e.is_nan())
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Log-spaced steps from 1e-1 down to 1e-13, four per decade (49 steps).
///
/// ```
/// let s = softiou::fdcheck::default_steps();
/// assert_eq!(s.len(), 49);
/// assert_eq!((s[0], s[48]), (1e-1, 1e-13));
/// ```
pub fn default_steps() -> Vec<f64> {
    (0..=48)
        .map(|k| 10f64.powf(-1.0 - f64::from(k) / 4.0))
        .map(|h| format!("{h:.3e}").parse().unwrap_or(h))
        .collect()
}

/// The error of each stencil for `∂f/∂x[component]` at `x`, for every relative step in
/// `steps` (perturbation h·max(1, |x_i|)), against `truth` (or the dual-number
/// derivative if `truth` is `None`).
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Function, check_gradient};
/// use softiou::num_dual::DualNum;
/// struct Cube;
/// impl Function<1> for Cube {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.powi(3)) }
/// }
/// use softiou::fdcheck::step_study;
/// // x³ at 2, h = 1e-3·max(1, |x|) = 2e-3: the 2nd-order central difference is off by
/// // h²·f'''/6 = h² = 4e-6 (round-off adds ~1e-13); the 4th-order one is exact for a cubic
/// let s = step_study(&Cube, [2.0], 0, &[1e-3], None)?;
/// assert!((s.rows[0].central2 - 4e-6).abs() < 1e-9);
/// assert!(s.rows[0].central4 < 1e-9);
/// assert!(step_study(&Cube, [2.0], 1, &[1e-3], None).is_err()); // no component 1
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] if `component >= N` or a step is not finite and > 0;
/// any error of `f` at `x`.
pub fn step_study<Fn: Function<N>, const N: usize>(
    f: &Fn,
    x: [f64; N],
    component: usize,
    steps: &[f64],
    truth: Option<f64>,
) -> Result<StepStudy> {
    if component >= N {
        return Err(Error::InvalidParameter {
            name: "component",
            value: component.to_string(),
            need: "it must be less than the number of variables",
        });
    }
    if let Some(bad) = steps.iter().find(|h| !(h.is_finite() && **h > 0.0)) {
        return Err(Error::InvalidParameter {
            name: "step",
            value: bad.to_string(),
            need: "steps must be finite and > 0",
        });
    }
    let (_, grad) = exact_gradient(f, x)?;
    let exact = grad[component];
    let truth = truth.unwrap_or(exact);
    let g = |t: f64| {
        let mut y = x;
        y[component] += t;
        Ok(vec![f.eval(y)?])
    };
    let rows = steps
        .iter()
        .map(|&c| {
            let h = step(x[component], c);
            let err = |st: Stencil| st.apply(&g, h).map_or(f64::NAN, |d| (d[0] - truth).abs());
            StepRow {
                h: c,
                central2: err(Stencil::Central2),
                central4: err(Stencil::Central4),
                richardson: err(Stencil::Richardson),
            }
        })
        .collect();
    Ok(StepStudy {
        exact,
        truth,
        dual_error: (exact - truth).abs(),
        rows,
    })
}
