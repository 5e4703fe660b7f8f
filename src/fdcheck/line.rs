//! The finite-difference side of a check along one line t ↦ g(t): the stencil, step
//! refinement, kink tests and the measured round-off allowance.

use nalgebra::SVector;
use num_dual::{DualNumFloat, DualSVec, gradient};

use super::Function;
use super::kink;
use super::report::{ComponentReport, Tolerance, component};
use super::stencil::{Stencil, from_f64, to_f64};
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
pub(crate) fn shifted<F: DualNumFloat, const N: usize>(x: [F; N], i: usize, t: F) -> [F; N] {
    let mut y = x;
    y[i] += t;
    y
}

/// At most this many refinements of the step (see [`check_gradient`]).
const MAX_REFINEMENTS: usize = 8;

/// The finite-difference side of one line: per output, the estimate, its step, the kink
/// verdict and the measured round-off allowance.
pub(crate) struct Line {
    pub kinks: Vec<kink::Kink>,
    numerical: Vec<f64>,
    steps: Vec<f64>,
    noise: Vec<f64>,
}

/// Finite-difference estimates of every output of the line function `g` (the one that
/// agrees best with `exact` over the step ladder h, h/4, h/16, …, refining while some
/// output is not within a hundredth of the tolerance), the step used for each, the kink verdicts, and — for outputs
/// that still disagree — the round-off allowance of [`noise`].
pub(crate) fn differentiate<F: DualNumFloat>(
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
    // The ladder refines every estimate that is not yet well inside the tolerance (a
    // hundredth of it): the reported error is then what finite differences can resolve,
    // not merely "below rtol", and a pass rests on a margin of two orders of magnitude.
    let sharp = tol.resolution();
    let unresolved = |num: &[f64]| -> Vec<usize> {
        (0..num.len())
            .filter(|&k| !sharp.accepts(exact[k], num[k], scale))
            .collect()
    };
    // Refine only while the round-off ε/h stays below a tenth of the tolerance.
    let smallest = to_f64(F::epsilon()) * 10.0 / tol.rtol;
    let mut hk = h;
    for _ in 0..MAX_REFINEMENTS {
        let failing = unresolved(&numerical);
        if failing.is_empty() || to_f64(hk / F::FOUR) < smallest {
            break;
        }
        hk /= F::FOUR;
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
        let sigma = self::noise(g, h)?;
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
    pub(crate) fn report(
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
