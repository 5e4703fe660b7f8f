//! The first-order checks: gradient, claimed gradient, and one random direction.

use crate::rng::{Pcg64, Rng, SeedableRng};
use num_dual::{Dual, DualNumFloat, first_derivative};

use super::Function;
use super::line::{differentiate, exact_gradient, shifted};
use super::report::{CheckOptions, Report};
use super::stencil::{Stencil, from_f64, step, to_f64};
use crate::error::Result;

/// Compares the exact gradient of `f` at `x` (dual numbers) with finite differences.
///
/// `∇f[i] = ∂f/∂x[i]` is estimated with `options.stencil` and step
/// h_i = c·max(1, |x_i|); each component is then a pass, a failure, or a kink (see
/// [`super::Status`]). Cost: one dual pass and (stencil + 7) evaluations per component.
///
/// *Step refinement.* Where the estimate at h is not within a hundredth of the tolerance
/// of the exact value, the stencil is repeated at h/4, h/16, … (at most 8 times, and only
/// while the round-off ε/h stays below rtol/10) and the estimate that agrees best is
/// reported, with its step: the reported error is what finite differences can resolve,
/// not merely "below rtol".
/// Truncation error shrinks with h, so a correct derivative of a function with a feature
/// narrower than h (a smoothed union near 0, a near-tie at large κ) is reproduced at
/// some step of the ladder; a wrong derivative agrees at none, because the estimates
/// converge to the true derivative and their round-off stays below the tolerance.
///
/// *Round-off allowance.* Where a component still disagrees, the noise σ of f near x is
/// measured (6th differences of 11 values, Moré & Wild 2011) and `4·g·σ/h` is added to
/// its tolerance (g = the sum of the stencil's weights, 1 to 2): an ill-conditioned f
/// (coordinates near 1e5, boxes of 1e-3) has round-off far above ε·|f|, and a
/// disagreement it explains is no evidence of a wrong derivative. The allowance is
/// reported as `noise`; it is 0 for well-conditioned functions.
///
/// ```
/// use softiou::fdcheck::{check_gradient, CheckOptions, Function};
/// use softiou::num_dual::DualNum;
/// struct Cube;
/// impl Function<1> for Cube {
///     fn eval<D: DualNum + Copy>(&self, [x]: [D; 1]) -> softiou::Result<D> { Ok(x.powi(3)) }
/// }
/// let r = check_gradient(&Cube, [2.0], &CheckOptions::default())?;
/// assert!(r.passed);
/// assert_eq!(r.components[0].exact, 12.0);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// Any error of `f` at `x` or at a point of the stencil.
pub fn check_gradient<F: DualNumFloat, Fun: Function<N>, const N: usize>(
    f: &Fun,
    x: [F; N],
    options: &CheckOptions,
) -> Result<Report> {
    let (_, grad) = exact_gradient(f, x)?;
    check_claimed_gradient(f, x, grad, options)
}

/// Compares a gradient you computed (`claimed`) with finite differences of `f` at `x`.
///
/// Use this to test a hand-written or externally computed gradient: a wrong component
/// is reported as [`super::Status::Fail`] and named in the report.
///
/// ```
/// use softiou::fdcheck::{check_claimed_gradient, CheckOptions, Function, Status};
/// use softiou::num_dual::DualNum;
/// struct Product;
/// impl Function<2> for Product {
///     fn eval<D: DualNum + Copy>(&self, [x, y]: [D; 2]) -> softiou::Result<D> { Ok(x * y) }
/// }
/// // ∇(xy) = (y, x) = (3, 2) at (2, 3); claim a wrong second component.
/// let r = check_claimed_gradient(&Product, [2.0, 3.0], [3.0, 2.0001], &CheckOptions::default())?;
/// assert!(!r.passed);
/// assert_eq!(r.failures().map(|c| c.index).collect::<Vec<_>>(), [1]);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// Any error of `f` at `x` or at a point of the stencil.
pub fn check_claimed_gradient<F: DualNumFloat, Fun: Function<N>, const N: usize>(
    f: &Fun,
    x: [F; N],
    claimed: [F; N],
    options: &CheckOptions,
) -> Result<Report> {
    let (c, tol) = options.resolve::<F>();
    let value = f.eval(x)?;
    let mut components = Vec::with_capacity(N);
    for i in 0..N {
        let g = |t: F| Ok(vec![f.eval(shifted(x, i, t))?]);
        let exact = [to_f64(claimed[i])];
        let scale = claimed.iter().fold(0.0_f64, |m, e| m.max(to_f64(*e).abs()));
        let line = differentiate(&g, step(x[i], c), options.stencil, &tol, &exact, scale)?;
        components.push(line.report(
            0,
            format!("∂f/∂x[{i}]"),
            i,
            exact[0],
            line.kinks[0],
            &tol,
            scale,
        ));
    }
    Ok(Report::new(
        "gradient",
        to_f64(value),
        options.stencil,
        to_f64(c),
        tol,
        components,
    ))
}

/// Direction mode: ∇f·v for one random unit vector v (seeded) from a single dual-number
/// pass along v, against the 2nd-order central difference (f(x + hv) − f(x − hv)) / 2h with
/// h = c·max(1, maxᵢ|x_i|) (`options.c`, else the central2 optimum ε^(1/3)).
///
/// Cheap for many variables (one dual evaluation and two function evaluations, plus seven
/// for the kink test) but checks only one projection of the gradient. v has uniform
/// components in [−1, 1], normalised; it is printed in the component label.
///
/// ```
/// use softiou::fdcheck::{check_direction, CheckOptions, Function};
/// use softiou::num_dual::DualNum;
/// struct Norm2;
/// impl Function<3> for Norm2 {
///     fn eval<D: DualNum + Copy>(&self, x: [D; 3]) -> softiou::Result<D> {
///         Ok(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
///     }
/// }
/// assert!(check_direction(&Norm2, [1.0, -2.0, 0.5], 7, &CheckOptions::default())?.passed);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// Any error of `f` at `x` or at a point of the stencil.
pub fn check_direction<F: DualNumFloat, Fun: Function<N>, const N: usize>(
    f: &Fun,
    x: [F; N],
    seed: u64,
    options: &CheckOptions,
) -> Result<Report> {
    let opts = CheckOptions {
        stencil: Stencil::Central2,
        ..*options
    };
    let (c, tol) = opts.resolve::<F>();
    let v = random_direction::<N>(seed);
    let vf: [F; N] = v.map(from_f64);
    let (value, exact) = first_derivative(
        |t: Dual<F>| {
            f.eval(std::array::from_fn(|i| {
                Dual::from_re(x[i]) + t * Dual::from_re(vf[i])
            }))
        },
        F::zero(),
    )?;
    let along = |t: F| Ok(vec![f.eval(std::array::from_fn(|i| x[i] + t * vf[i]))?]);
    let size = x.iter().fold(F::one(), |m, xi| m.max(xi.abs()));
    let exact = [to_f64(exact)];
    let scale = exact[0].abs();
    let line = differentiate(&along, c * size, Stencil::Central2, &tol, &exact, scale)?;
    let label = format!("∇f·v, v = {}", crate::number::list(&v));
    let components = vec![line.report(0, label, 0, exact[0], line.kinks[0], &tol, scale)];
    Ok(Report::new(
        "direction",
        to_f64(value),
        Stencil::Central2,
        to_f64(c),
        tol,
        components,
    ))
}

/// A unit vector with components drawn uniformly from [−1, 1] and normalised (seeded).
fn random_direction<const N: usize>(seed: u64) -> [f64; N] {
    let mut rng = Pcg64::seed_from_u64(seed);
    loop {
        let v: [f64; N] = std::array::from_fn(|_| rng.random_range(-1.0..=1.0));
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        // Rejecting tiny vectors keeps the normalisation accurate; it almost never loops.
        if norm > 1e-3 || N == 0 {
            return v.map(|a| if N == 0 { a } else { a / norm });
        }
    }
}
