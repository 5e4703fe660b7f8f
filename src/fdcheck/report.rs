//! Options of a check and the per-component report it returns.

use std::fmt;

use num_dual::DualNumFloat;
#[cfg(feature = "serde")]
use serde::Serialize;

use super::kink::Kink;
use super::stencil::{Stencil, to_f64};

/// Pass/fail tolerances: a component passes if
/// `|exact − numerical| ≤ atol + rtol·max(|exact|, scale)`, where `scale` is the largest
/// magnitude among the derivatives checked together (all components of a gradient, all
/// entries of a Hessian).
///
/// The floor `scale` is there because a finite difference has an absolute round-off
/// error of order ε·|f|/h, set by the function and its largest derivative, that a small
/// component cannot be expected to beat (it is the usual normwise relative error). The
/// check still names the component that is wrong.
///
/// Defaults ([`Tolerance::for_precision`]):
/// - **f64**: `rtol = 1e-6`, `atol = 1e-9`. The 4th-order stencil at its optimal step is
///   accurate to about ε^(4/5) ≈ 3e-13 (relative) for a function of unit scale; 1e-6 leaves
///   six orders of magnitude for larger higher derivatives and for round-off amplified by
///   large coordinates (|x|·ε/h), yet catches an error of 1e-4 in a derivative of order 1
///   (PyTorch's `gradcheck` default rtol = 1e-3 would not). `atol` handles a gradient that
///   is exactly 0, where the stencil returns round-off of order ε/h ≈ 3e-13.
/// - **f32**: `rtol = 1e-2`, `atol = 1e-3`: the same margins over ε^(4/5) ≈ 3e-6 and
///   ε/h ≈ 3e-6 for ε = 1.2e-7.
///
/// ```
/// use softiou::fdcheck::Tolerance;
/// let tol = Tolerance { atol: 1e-9, rtol: 1e-6 };
/// assert!(tol.accepts(2.0, 2.0 + 1e-6, 1.0)); // relative error 5e-7
/// assert!(!tol.accepts(2.0, 2.0 + 1e-5, 1.0)); // 5e-6
/// // |exact − numerical| / max(|exact|, scale, atol/rtol) = 1e-5 / 2
/// assert!((tol.relative_error(2.0, 2.0 + 1e-5, 1.0) - 5e-6).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Tolerance {
    /// Absolute tolerance, in units of the derivative.
    pub atol: f64,
    /// Relative tolerance.
    pub rtol: f64,
}

impl Tolerance {
    /// What the step ladder refines to: a hundredth of this tolerance. A pass then rests
    /// on a margin of two orders of magnitude, and an estimate still outside it is one
    /// that finite differences could not resolve.
    pub(crate) fn resolution(&self) -> Tolerance {
        Tolerance {
            atol: self.atol / 100.0,
            rtol: self.rtol / 100.0,
        }
    }

    /// The defaults for the precision of `F` (see the type's documentation).
    ///
    /// ```
    /// use softiou::fdcheck::Tolerance;
    /// assert_eq!(Tolerance::for_precision::<f64>().rtol, 1e-6);
    /// assert_eq!(Tolerance::for_precision::<f32>().rtol, 1e-2);
    /// ```
    pub fn for_precision<F: DualNumFloat>() -> Tolerance {
        if to_f64(F::epsilon()) > 1e-10 {
            Tolerance {
                atol: 1e-3,
                rtol: 1e-2,
            }
        } else {
            Tolerance {
                atol: 1e-9,
                rtol: 1e-6,
            }
        }
    }

    /// `true` if `numerical` is within tolerance of `exact` (`scale`: see the type): the
    /// [`relative_error`](Self::relative_error) is at most `rtol`, the same metric that
    /// reports use, so a reported error above `rtol` is never accepted (with `rtol = 0`:
    /// `|exact − numerical| ≤ atol`).
    ///
    /// ```
    /// use softiou::fdcheck::Tolerance;
    /// let tol = Tolerance { atol: 1e-9, rtol: 1e-6 };
    /// assert!(tol.accepts(1.0, 1.0 + 5e-7, 1.0));
    /// assert!(!tol.accepts(1.0, 1.0 + 1e-4, 1.0));
    /// // a tiny component is judged against the scale of its gradient
    /// assert!(tol.accepts(1e-6, 1.2e-6, 1.0));
    /// ```
    pub fn accepts(&self, exact: f64, numerical: f64, scale: f64) -> bool {
        if self.rtol > 0.0 {
            self.relative_error(exact, numerical, scale) <= self.rtol
        } else {
            // no relative tolerance: the absolute one alone
            (exact - numerical).abs() <= self.atol
        }
    }

    /// The relative error `|exact − numerical| / max(|exact|, scale, atol/rtol)`: the
    /// metric of [`accepts`](Self::accepts) and of every report.
    pub fn relative_error(&self, exact: f64, numerical: f64, scale: f64) -> f64 {
        let floor = if self.rtol > 0.0 {
            self.atol / self.rtol
        } else {
            f64::MIN_POSITIVE
        };
        (exact - numerical).abs() / exact.abs().max(scale).max(floor)
    }
}

/// How a check is done. `Default` gives the 4th-order stencil, its optimal step and the
/// tolerances of the precision being checked.
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Stencil};
/// let o = CheckOptions { stencil: Stencil::Central2, ..CheckOptions::default() };
/// assert_eq!((o.c, o.tolerance), (None, None)); // the stencil's step, the precision's tolerance
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CheckOptions {
    /// The finite-difference stencil.
    pub stencil: Stencil,
    /// Relative step c in h_i = c·max(1, |x_i|); `None` for [`Stencil::default_c`].
    pub c: Option<f64>,
    /// Tolerances; `None` for [`Tolerance::for_precision`].
    pub tolerance: Option<Tolerance>,
}

impl CheckOptions {
    pub(crate) fn resolve<F: DualNumFloat>(&self) -> (F, Tolerance) {
        let c = self
            .c
            .map_or_else(|| self.stencil.default_c::<F>(), super::stencil::from_f64);
        let tol = self.tolerance.unwrap_or_else(Tolerance::for_precision::<F>);
        (c, tol)
    }
}

/// The verdict on one component.
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Function, check_gradient};
/// use softiou::num_dual::DualNum;
/// struct Cube;
/// impl Function<1> for Cube {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.powi(3)) }
/// }
/// use softiou::fdcheck::Status;
/// let r = check_gradient(&Cube, [1.0], &CheckOptions::default())?;
/// assert_eq!(r.components[0].status, Status::Pass);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case", tag = "status"))]
pub enum Status {
    /// Exact and numerical derivatives agree within tolerance.
    Pass,
    /// They do not, and the function is differentiable here: the derivative is wrong.
    Fail,
    /// The function is not differentiable here: the one-sided derivatives disagree by
    /// more than truncation explains. Not a failure.
    Kink {
        /// Forward one-sided derivative.
        forward: f64,
        /// Backward one-sided derivative.
        backward: f64,
    },
}

/// One derivative compared.
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Function, check_gradient};
/// use softiou::num_dual::DualNum;
/// struct Cube;
/// impl Function<1> for Cube {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.powi(3)) }
/// }
/// let r = check_gradient(&Cube, [2.0], &CheckOptions::default())?;
/// let c = &r.components[0];
/// assert_eq!((c.label.as_str(), c.exact), ("∂f/∂x[0]", 12.0));
/// assert!(c.abs_error < 1e-6 && c.margin <= 1.0);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct ComponentReport {
    /// Which derivative, e.g. `∂f/∂x[2]` or `∂²f/∂x[0]∂x[3]`.
    pub label: String,
    /// Position in the gradient (or row-major position in the Hessian).
    pub index: usize,
    /// The exact (dual-number, or claimed) derivative.
    pub exact: f64,
    /// The finite-difference estimate.
    pub numerical: f64,
    /// The step h at which `numerical` was taken (in units of the variable).
    pub step: f64,
    /// The measured round-off allowance added to the tolerance (0 unless the component
    /// disagreed at every step; see [`super::check_gradient`]).
    pub noise: f64,
    /// `|exact − numerical|`.
    pub abs_error: f64,
    /// [`Tolerance::relative_error`]: the metric of the check.
    pub rel_error: f64,
    /// How close the component is to failing: `rel_error` over what the pass test
    /// allows it (`rtol` plus the round-off allowance `noise` in the same relative
    /// units). A differentiable component passes exactly when this is ≤ 1, so the
    /// largest margin is the component closest to failing.
    pub margin: f64,
    /// The verdict.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub status: Status,
}

/// The result of a check: one entry per derivative, and the verdict.
///
/// ```
/// use softiou::fdcheck::{CheckOptions, Function, check_gradient};
/// use softiou::num_dual::DualNum;
/// struct Cube;
/// impl Function<1> for Cube {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.powi(3)) }
/// }
/// let r = check_gradient(&Cube, [2.0], &CheckOptions::default())?;
/// assert_eq!((r.what, r.value, r.passed), ("gradient", 8.0, true));
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Report {
    /// What was checked (`gradient`, `hessian`, `direction`).
    pub what: &'static str,
    /// The function value at the point.
    pub value: f64,
    /// The stencil used.
    pub stencil: Stencil,
    /// The relative step c.
    pub c: f64,
    /// The tolerances.
    pub tolerance: Tolerance,
    /// Every derivative compared.
    pub components: Vec<ComponentReport>,
    /// Index into `components` of the differentiable component closest to failing, the
    /// largest [`ComponentReport::margin`] (`None` if every component is a kink).
    pub worst: Option<usize>,
    /// `true` unless a differentiable component failed.
    pub passed: bool,
    /// How many components are not differentiable here.
    pub kinks: usize,
}

impl Report {
    pub(crate) fn new(
        what: &'static str,
        value: f64,
        stencil: Stencil,
        c: f64,
        tolerance: Tolerance,
        components: Vec<ComponentReport>,
    ) -> Report {
        let differentiable = || {
            components
                .iter()
                .enumerate()
                .filter(|(_, r)| !matches!(r.status, Status::Kink { .. }))
        };
        let worst = differentiable()
            .max_by(|a, b| a.1.margin.total_cmp(&b.1.margin))
            .map(|(i, _)| i);
        let passed = differentiable().all(|(_, r)| r.status == Status::Pass);
        let kinks = components.len() - differentiable().count();
        Report {
            what,
            value,
            stencil,
            c,
            tolerance,
            components,
            worst,
            passed,
            kinks,
        }
    }

    /// The components that failed (wrong derivatives).
    pub fn failures(&self) -> impl Iterator<Item = &ComponentReport> {
        self.components.iter().filter(|r| r.status == Status::Fail)
    }

    /// The largest relative error over the differentiable components (0 if none).
    pub fn max_rel_error(&self) -> f64 {
        self.components
            .iter()
            .filter(|r| !matches!(r.status, Status::Kink { .. }))
            .map(|r| r.rel_error)
            .fold(0.0, f64::max)
    }
}

/// Builds the report of one component (`scale`: see [`Tolerance`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn component(
    label: String,
    index: usize,
    exact: f64,
    numerical: f64,
    step: f64,
    noise: f64,
    kink: Kink,
    tol: &Tolerance,
    scale: f64,
) -> ComponentReport {
    // One metric for the verdict and the report: the relative error, allowed `rtol`
    // plus the measured round-off `noise` expressed in the same relative units.
    let rel_error = tol.relative_error(exact, numerical, scale);
    let allowed = tol.rtol + tol.relative_error(0.0, noise, scale);
    let margin = if allowed > 0.0 {
        rel_error / allowed
    } else if rel_error == 0.0 {
        0.0
    } else {
        f64::INFINITY
    };
    let agrees = margin <= 1.0;
    let status = match kink.faint {
        Some((forward, backward)) if kink.clear || !agrees => Status::Kink { forward, backward },
        _ if agrees => Status::Pass,
        _ => Status::Fail,
    };
    ComponentReport {
        label,
        index,
        exact,
        numerical,
        step,
        noise,
        abs_error: (exact - numerical).abs(),
        rel_error,
        margin,
        status,
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} check ({}, c = {:.3e}, atol = {:e}, rtol = {:e}; rel err = |exact - numerical| \
             / max(|exact|, largest |derivative|, atol/rtol), pass if <= rtol + round-off \
             allowance in the same units): {}",
            self.what,
            self.stencil,
            self.c,
            self.tolerance.atol,
            self.tolerance.rtol,
            if self.passed { "PASS" } else { "FAIL" }
        )?;
        writeln!(
            f,
            "  {:<16} {:>24} {:>24} {:>9} {:>10} {:>10} {:>10}  verdict",
            "component", "exact", "numerical", "step", "abs err", "rel err", "round-off"
        )?;
        for (i, r) in self.components.iter().enumerate() {
            let verdict = match r.status {
                Status::Pass => "ok".to_owned(),
                Status::Fail => "WRONG DERIVATIVE".to_owned(),
                Status::Kink { forward, backward } => format!(
                    "not differentiable here (forward {forward:.6e}, backward {backward:.6e})"
                ),
            };
            let mark = if Some(i) == self.worst {
                " (worst)"
            } else {
                ""
            };
            writeln!(
                f,
                "  {:<16} {:>24.16e} {:>24.16e} {:>9.2e} {:>10.2e} {:>10.2e} {:>10.2e}  {verdict}{mark}",
                r.label, r.exact, r.numerical, r.step, r.abs_error, r.rel_error, r.noise
            )?;
        }
        Ok(())
    }
}
