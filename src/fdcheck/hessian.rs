//! The Hessian check: the exact Hessian (`Dual2SVec`) against finite differences of the
//! exact gradient, with the tests that tell a point that is not twice differentiable.

use nalgebra::SVector;
use num_dual::{Dual2SVec, DualNumFloat, hessian};

use super::Function;
use super::kink;
use super::line::{differentiate, exact_gradient, shifted};
use super::report::{CheckOptions, ComponentReport, Report, Status, Tolerance};
use super::stencil::{Stencil, from_f64, step, to_f64};
use crate::error::Result;

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

/// The polarisation test, for entries that still fail or that the step ladder could not
/// resolve (an error above a hundredth of `rtol`, what [`differentiate`] refines to): the
/// Hessian of a C² function is linear in the direction, so the derivative of ∂f/∂x_i along
/// e_i + e_k must equal N_ii + N_ik (k = j, or the next index for a diagonal entry). A
/// function that is not twice differentiable but smooth along every coordinate line (CIoU
/// at P = T when the IoU loss there is exactly 0: α·v = v²/(ℓ+v) is a ratio of two
/// quadratics, homogeneous of degree 2 but not a quadratic form) fails it; the point is
/// then not twice differentiable, and every tested entry becomes a kink with
/// forward/backward = (along e_i + e_k, N_ii + N_ik). The test counts as failed if the two
/// differ beyond the tolerance or by at least a quarter of the entry's disagreement with
/// the exact value (the departure from linearity then explains the disagreement; at a C²
/// point it is round-off, far below a real error). Only finite differences enter, so a
/// wrong exact Hessian at a C² point still fails, and an unresolved entry at a C² point
/// stays a pass with its error reported.
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
    // What the step ladder refines to (see `differentiate`): above it, an entry is either
    // wrong, or the point is not twice differentiable, or round-off won.
    let resolved = tol.resolution();
    let suspect = |r: &ComponentReport| {
        r.status == Status::Fail
            || (r.status == Status::Pass && !resolved.accepts(r.exact, r.numerical, scale))
    };
    let mut evidence = None;
    for r in components.iter().filter(|r| suspect(r)) {
        let (i, j) = (r.index / N, r.index % N);
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
        let disagreement = r.abs_error;
        if !tol.accepts(d, sum, scale) || (d - sum).abs() >= 0.25 * disagreement {
            evidence = Some((d, sum));
            break;
        }
    }
    // Not twice differentiable is a property of the point: every failing entry is excused.
    if let Some((forward, backward)) = evidence {
        for r in components.iter_mut().filter(|r| suspect(r)) {
            r.status = Status::Kink { forward, backward };
        }
    }
    Ok(())
}
