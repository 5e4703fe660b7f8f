//! Finite-difference verification of exact (dual-number) derivatives.
//!
//! Write a function once, generically over `DualNum`, by implementing [`Function`]; the
//! checker evaluates it on plain floats (for finite differences) and on `num-dual`'s
//! dual numbers (for the exact derivatives), and compares the two:
//!
//! | function | compares | exact side |
//! |---|---|---|
//! | [`check_gradient`] | ∇f against a finite-difference stencil, per component | `DualSVec` ([`num_dual::gradient`]) |
//! | [`check_claimed_gradient`] | a gradient *you* computed against the same stencil | — |
//! | [`check_hessian`] | the Hessian against central differences of the exact gradient | `Dual2SVec` ([`num_dual::hessian`]) |
//! | [`check_direction`] | ∇f·v for one seeded random direction v against a central difference along v | one `Dual` pass |
//! | [`step_study`] | every stencil's error for a range of steps, as data | `DualSVec` |
//!
//! **Step.** Component i is perturbed by h_i = c · max(1, |x_i|). The default c is the
//! optimum of the stencil for the precision, `ε^(1/(p+1))` for a stencil of order p with
//! machine epsilon ε (it balances the truncation error c^p against the round-off ε/c for
//! a function whose derivatives are of order 1): see [`Stencil::default_c`]. Override it
//! with [`CheckOptions::c`]. The rule assumes the function varies on a length ≥ 1 in
//! each variable; write your function in such units (the IoU functions [`PredLoss`],
//! [`TargetLoss`] and [`KappaLoss`] do).
//!
//! **Kinks.** Before a component is compared, forward and backward one-sided differences
//! at two steps decide whether the function is differentiable there (see [`Status`]); a
//! kink is reported as "not differentiable here", never as a wrong derivative.
//!
//! ```
//! use softiou::fdcheck::{check_gradient, CheckOptions, Function};
//! use softiou::num_dual::DualNum;
//!
//! /// f(x, y) = x²·y + sin(y)
//! struct F;
//! impl Function<2> for F {
//!     fn eval<D: DualNum + Copy>(&self, [x, y]: [D; 2]) -> softiou::Result<D> {
//!         Ok(x * x * y + y.sin())
//!     }
//! }
//!
//! let report = check_gradient(&F, [1.5_f64, -0.5], &CheckOptions::default())?;
//! assert!(report.passed, "{report}");
//! // f32 works too, with the tolerances of f32.
//! assert!(check_gradient(&F, [1.5_f32, -0.5], &CheckOptions::default())?.passed);
//! # Ok::<(), softiou::Error>(())
//! ```

mod cases;
mod check;
mod hessian;
mod kink;
mod line;
mod losses;
mod report;
mod stencil;
mod study;
mod suite;

#[cfg(feature = "cli")]
pub(crate) use cases::KAPPA_LIMIT_NEED;
pub use cases::{Case, Family, random_cases};
#[cfg(feature = "cli")]
pub(crate) use cases::{KAPPA_LIMIT, MAX_CASES};
pub use check::{check_claimed_gradient, check_direction, check_gradient};
pub use hessian::check_hessian;
pub use losses::{KappaLoss, PredLoss, TargetLoss};
pub use report::{CheckOptions, ComponentReport, Report, Status, Tolerance};
pub use stencil::Stencil;
pub(crate) use stencil::central_differences;
pub use study::{StepRow, StepStudy, default_steps, step_study};
#[cfg(feature = "cli")]
pub(crate) use suite::KAPPA_CHECK;
pub use suite::{SuiteOptions, Summary, WorstCase, run_suite};

use num_dual::DualNum;

/// A scalar function of `N` variables, written once for every number type.
///
/// Implement [`eval`](Function::eval) generically over `D: DualNum + Copy`: the checker
/// calls it with `f32`/`f64` for finite differences and with dual numbers for exact
/// derivatives. Use [`constant`] for numeric literals. Return an error (rather than
/// panicking) where the function is undefined.
///
/// ```
/// use softiou::fdcheck::{Function, constant};
/// use softiou::num_dual::DualNum;
///
/// /// The Rosenbrock function (1 − x)² + 100·(y − x²)².
/// struct Rosenbrock;
/// impl Function<2> for Rosenbrock {
///     fn eval<D: DualNum + Copy>(&self, [x, y]: [D; 2]) -> softiou::Result<D> {
///         let a = D::one() - x;
///         let b = y - x * x;
///         Ok(a * a + constant::<D>(100.0) * b * b)
///     }
/// }
/// assert_eq!(Rosenbrock.eval([1.0_f64, 1.0])?, 0.0);
/// # Ok::<(), softiou::Error>(())
/// ```
pub trait Function<const N: usize> {
    /// The value of the function at `x`.
    ///
    /// # Errors
    /// Whatever the function considers invalid input.
    fn eval<D: DualNum + Copy>(&self, x: [D; N]) -> crate::Result<D>;
}

/// The literal `x` in the number type `D` (for constants inside [`Function::eval`]).
///
/// ```
/// use softiou::fdcheck::constant;
/// assert_eq!(constant::<f32>(0.5), 0.5_f32);
/// ```
#[inline]
pub fn constant<D: DualNum>(x: f64) -> D {
    crate::smooth::lit(x)
}
