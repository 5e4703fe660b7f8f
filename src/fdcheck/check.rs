//! The checks: gradient, claimed gradient, Hessian, and one random direction.

use nalgebra::SVector;
use num_dual::{Dual, Dual2SVec, DualNumFloat, DualSVec, first_derivative, gradient, hessian};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::Function;
use super::kink;
use super::report::{CheckOptions, Report, Tolerance, component};
use super::report::{ComponentReport, Status};
use super::stencil::{Stencil, from_f64, step, to_f64};
use crate::error::Result;

/// The exact value and gradient of `f` at `x`, from one `DualSVec` pass.
pub(crate) fn exact_gradient<F: DualNumFloat, Fun: Function<N>, const N: usize>(
    f: &Fun,
    x: [F; N],
) -> Result<(F, [F; N])> {
    let (v, g) = gradient(
        |y: SVector<DualSVec<F, N>, N>| f.eval(std::array::from_fn(|i| y[i])),
        &SVector::from(x),
    )?;
    Ok((v, std::array::from_fn(|i| g[i])))
}

/// `x` with `t` added to component `i`.
fn shifted<F: DualNumFloat, const N: usize>(x: [F; N], i: usize, t: F) -> [F; N] {
    let mut y = x;
    y[i] += t;
    y
}

/// At most this many refinements of the step (see [`check_gradient`]).
const MAX_REFINEMENTS: usize = 8;

/// The finite-difference side of one line: per output, the estimate, its step, the kink
/// verdict and the measured round-off allowance.
struct Line {
    numerical: Vec<f64>,
    steps: Vec<f64>,
    kinks: Vec<kink::Kink>,
    noise: Vec<f64>,
}

/// Finite-difference estimates of every output of the line function `g` (the one that
/// agrees best with `exact` over the step ladder h, h/4, h/16, …, refining only while
/// some output disagrees), the step used for each, the kink verdicts, and — for outputs
/// that still disagree — the round-off allowance of [`noise`].
fn differentiate<F: DualNumFloat>(
    g: &dyn Fn(F) -> Result<Vec<F>>,
    h: F,
    stencil: Stencil,
    tol: &Tolerance,
    exact: &[f64],
    scale: f64,
) -> Result<Line> {
    let kinks = kink::detect(g, h * from_f64::<F>(stencil.reach()), tol)?;
    let mut numerical: Vec<f64> = stencil.apply(g, h)?.into_iter().map(to_f64).collect();
    let mut steps = vec![to_f64(h); numerical.len()];
    let bad = |num: &[f64]| -> Vec<usize> {
        (0..num.len())
            .filter(|&k| !tol.accepts(exact[k], num[k], scale))
            .collect()
    };
    // Refine only while the round-off ε/h stays below a tenth of the tolerance.
    let smallest = to_f64(F::epsilon()) * 10.0 / tol.rtol;
    let mut hk = h;
    for _ in 0..MAX_REFINEMENTS {
        let failing = bad(&numerical);
        if failing.is_empty() || to_f64(hk / F::FOUR) < smallest {
            break;
        }
        hk = hk / F::FOUR;
        let finer: Vec<f64> = stencil.apply(g, hk)?.into_iter().map(to_f64).collect();
        for k in failing {
            if (finer[k] - exact[k]).abs() < (numerical[k] - exact[k]).abs() {
                numerical[k] = finer[k];
                steps[k] = to_f64(hk);
            }
        }
    }
    let mut noise = vec![0.0; numerical.len()];
    let failing = bad(&numerical);
    if !failing.is_empty() {
        let sigma = self::noise(g, h / from_f64::<F>(16.0))?;
        for k in failing {
            noise[k] = 4.0 * stencil.noise_gain() * sigma[k] / steps[k];
        }
    }
    Ok(Line {
        numerical,
        steps,
        kinks,
        noise,
    })
}

/// The round-off noise σ of every output of `g` near 0, from the 6th differences of 11
/// values spaced `delta` apart (Moré & Wild, "Estimating computational noise", SIAM J.
/// Sci. Comput. 33, 2011): for a smooth g a 6th difference is δ⁶·g⁽⁶⁾ ≈ 0, for noise of
/// standard deviation σ its root mean square is σ·√924. The 5 differences are pooled.
fn noise<F: DualNumFloat>(g: &dyn Fn(F) -> Result<Vec<F>>, delta: F) -> Result<Vec<f64>> {
    const BINOMIAL: [f64; 7] = [1.0, -6.0, 15.0, -20.0, 15.0, -6.0, 1.0];
    let values = (-5..=5)
        .map(|k| g(delta * from_f64::<F>(f64::from(k))))
        .collect::<Result<Vec<_>>>()?;
    Ok((0..values[0].len())
        .map(|k| {
            let mean_square = (0..5)
                .map(|start| {
                    let d6: f64 = (0..7)
                        .map(|l| BINOMIAL[l] * to_f64(values[start + l][k]))
                        .sum();
                    d6 * d6
                })
                .sum::<f64>()
                / 5.0;
            (mean_square / 924.0).sqrt()
        })
        .collect())
}

impl Line {
    /// The report of output `k`.
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        k: usize,
        label: String,
        index: usize,
        exact: f64,
        kink: kink::Kink,
        tol: &Tolerance,
        scale: f64,
    ) -> ComponentReport {
        let (numerical, step, noise) = (self.numerical[k], self.steps[k], self.noise[k]);
        component(
            label, index, exact, numerical, step, noise, kink, tol, scale,
        )
    }
}

/// Compares the exact gradient of `f` at `x` (dual numbers) with finite differences.
///
/// ∇f[i] = ∂f/∂x[i] is estimated with `options.stencil` and step
/// h_i = c·max(1, |x_i|); each component is then a pass, a failure, or a kink (see
/// [`super::Status`]). Cost: one dual pass and (stencil + 7) evaluations per component.
///
/// *Step refinement.* Where the estimate at h disagrees with the exact value, the stencil
/// is repeated at h/4, h/16, … (at most 8 times, and only while the round-off ε/h stays
/// below rtol/10) and the estimate that agrees best is reported, with its step.
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

/// Compares the exact Hessian of `f` at `x` (`Dual2SVec`) with finite differences of the
/// exact gradient: column j is the stencil applied to t ↦ ∇f(x + t·e_j).
///
/// Entry (i, j) is labelled `∂²f/∂x[i]∂x[j]` and has index `i·N + j`. It is reported as
/// a kink where the gradient is not differentiable along x_j, and also where f itself is
/// not differentiable along x_i or x_j (there the "gradient" is a convention and the
/// Hessian entry is not defined); its forward/backward values are then those of the
/// first test that found the kink. Finally, if the finite-difference Hessian is not
/// symmetric, f is not twice differentiable at x (Schwarz): entries that disagree are
/// kinks, with forward/backward the two mixed estimates `(N_ij, N_ji)` that differ.
///
/// ```
/// use softiou::fdcheck::{check_hessian, CheckOptions, Function};
/// use softiou::num_dual::DualNum;
/// struct F;
/// impl Function<2> for F {
///     fn eval<D: DualNum + Copy>(&self, [x, y]: [D; 2]) -> softiou::Result<D> {
///         Ok(x.exp() * y.sin())
///     }
/// }
/// let r = check_hessian(&F, [0.5, 1.0], &CheckOptions::default())?;
/// assert!(r.passed && r.components.len() == 4);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// Any error of `f` at `x` or at a point of the stencil.
pub fn check_hessian<F: DualNumFloat, Fun: Function<N>, const N: usize>(
    f: &Fun,
    x: [F; N],
    options: &CheckOptions,
) -> Result<Report> {
    let (c, tol) = options.resolve::<F>();
    let (value, _, hess) = hessian(
        |y: SVector<Dual2SVec<F, N>, N>| f.eval(std::array::from_fn(|i| y[i])),
        &SVector::from(x),
    )?;
    // Where f itself has a kink along e_i, ∂f/∂x_i is a convention, not a derivative, and
    // row and column i of the Hessian are not defined.
    let reach = from_f64::<F>(options.stencil.reach());
    let mut f_kinks = Vec::with_capacity(N);
    for i in 0..N {
        let g = |t: F| Ok(vec![f.eval(shifted(x, i, t))?]);
        f_kinks.push(kink::detect(&g, step(x[i], c) * reach, &tol)?[0]);
    }
    let scale = hess.iter().fold(0.0_f64, |m, e| m.max(to_f64(*e).abs()));
    let mut components = Vec::with_capacity(N * N);
    for j in 0..N {
        let g = |t: F| Ok(exact_gradient(f, shifted(x, j, t))?.1.to_vec());
        let exact: Vec<f64> = (0..N).map(|i| to_f64(hess[(i, j)])).collect();
        let line = differentiate(&g, step(x[j], c), options.stencil, &tol, &exact, scale)?;
        for i in 0..N {
            let kink = line.kinks[i].or(f_kinks[i]).or(f_kinks[j]);
            let label = format!("∂²f/∂x[{i}]∂x[{j}]");
            components.push(line.report(i, label, i * N + j, exact[i], kink, &tol, scale));
        }
    }
    components.sort_by_key(|r| r.index);
    mark_asymmetry(&mut components, N, &tol, scale);
    mark_nonlinear(f, x, c, options.stencil, &tol, scale, &mut components)?;
    Ok(Report::new(
        "hessian",
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
/// Cheap for many variables (one dual evaluation and two function evaluations, plus five
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
    let label = format!("∇f·v, v = {v:?}");
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

/// Schwarz's test: the Hessian of a C² function is symmetric, so finite differences of
/// ∂f/∂x_i along x_j and of ∂f/∂x_j along x_i must agree. Where they do not (beyond the
/// tolerance), f is not twice differentiable at x and no entry is "the Hessian": failing
/// entries become kinks, and every entry does if the asymmetry is clear (beyond
/// `max(10·rtol, 1e-3)`, as for [`kink`]).
fn mark_asymmetry(components: &mut [ComponentReport], n: usize, tol: &Tolerance, scale: f64) {
    let num: Vec<f64> = components.iter().map(|r| r.numerical).collect();
    let (mut faint, mut clear) = (None, false);
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (num[i * n + j], num[j * n + i]);
            if !tol.accepts(a, b, scale) {
                faint = faint.or(Some((a, b)));
                let loose = Tolerance {
                    rtol: (10.0 * tol.rtol).max(1e-3),
                    ..*tol
                };
                clear |= !loose.accepts(a, b, scale);
            }
        }
    }
    if let Some((forward, backward)) = faint {
        for r in components.iter_mut() {
            if clear || r.status == Status::Fail {
                r.status = Status::Kink { forward, backward };
            }
        }
    }
}

/// The polarisation test, for entries that still fail (if one entry fails it, the point
/// is not twice differentiable and every failing entry becomes a kink): the Hessian of a C² function is
/// linear in the direction, so the derivative of ∂f/∂x_i along e_i + e_k must equal
/// N_ii + N_ik (k = j, or the next index for a diagonal entry). A function that is not
/// twice differentiable but smooth along every coordinate line (CIoU at P = T when the
/// IoU loss there is exactly 0: α·v = v²/(ℓ+v) is a ratio of two quadratics) fails it;
/// the entry is then a kink with forward/backward = (along e_i + e_k, N_ii + N_ik). The
/// test counts as failed if the two differ beyond the tolerance or by at least a quarter
/// of the entry's disagreement with the exact value (the departure from linearity then
/// explains the disagreement; at a C² point it is round-off, far below a real error).
/// Only finite differences enter, so a wrong exact Hessian at a C² point still fails.
fn mark_nonlinear<F: DualNumFloat, Fun: Function<N>, const N: usize>(
    f: &Fun,
    x: [F; N],
    c: F,
    stencil: Stencil,
    tol: &Tolerance,
    scale: f64,
    components: &mut [ComponentReport],
) -> Result<()> {
    if N < 2 {
        return Ok(());
    }
    let num: Vec<f64> = components.iter().map(|r| r.numerical).collect();
    let mut evidence = None;
    for idx in 0..components.len() {
        if components[idx].status != Status::Fail {
            continue;
        }
        let (i, j) = (idx / N, idx % N);
        let k = if i == j { (i + 1) % N } else { j };
        let along = |t: F| {
            let mut y = x;
            y[i] += t;
            y[k] += t;
            Ok(exact_gradient(f, y)?.1.to_vec())
        };
        let h = step(x[i].abs().max(x[k].abs()), c);
        let d = to_f64(stencil.apply(&along, h)?[i]);
        let sum = num[i * N + i] + num[i * N + k];
        // Non-linear in the direction beyond the tolerance, or by as much as the entry
        // disagrees: then the disagreement is the function's, not the derivative's.
        let disagreement = components[idx].abs_error;
        if !tol.accepts(d, sum, scale) || (d - sum).abs() >= 0.25 * disagreement {
            evidence = Some((d, sum));
            break;
        }
    }
    // Not twice differentiable is a property of the point: every failing entry is excused.
    if let Some((forward, backward)) = evidence {
        for r in components.iter_mut().filter(|r| r.status == Status::Fail) {
            r.status = Status::Kink { forward, backward };
        }
    }
    Ok(())
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
