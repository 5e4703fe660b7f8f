//! Kink detection: do the difference quotients converge as a differentiable function's must?
//!
//! With s₁ the reach of the stencil, s₂ = s₁/4 and s₃ = s₁/16, two tests:
//!
//! 1. *Corners.* For a function with a continuous second derivative the one-sided
//!    differences differ by truncation only,
//!    `gap(s) = (g(s) − g(0))/s − (g(0) − g(−s))/s = s·g''(0) + O(s³)`, so the gap shrinks
//!    in proportion to s and `4·gap(s₂) − gap(s₁) = O(s³)`. At a corner within reach the
//!    jump J of the derivative stays in the gap (`4·gap(s₂) − gap(s₁) = 3J` for a corner
//!    at 0); a corner between s₂ and s₁ shows up in `gap(s₁)` alone.
//!    Not differentiable if `|4·gap(s₂) − gap(s₁)| > |gap(s₁)|/2 + atol + rtol·scale`.
//! 2. *Jumps.* A jump of g whose value at 0 is the midpoint (what the `hard` operator's
//!    tie convention produces in a gradient) has no gap, but its central quotients
//!    `D(s) = (g(s) − g(−s))/2s` grow like J/2s instead of converging: for a smooth g,
//!    `D(s₁) − D(s₂) ≈ 16·(D(s₂) − D(s₃))` (error O(s²), steps in ratio 4); for a jump
//!    `D(s₂) − D(s₃) = 4·(D(s₁) − D(s₂))`.
//!    Not differentiable if `|D(s₂) − D(s₃)| > |D(s₁) − D(s₂)|/2 + atol + rtol·scale`.
//!
//! `scale` is the largest one-sided derivative: the tolerance keeps round-off from passing
//! for a kink, and the factor 1/2 sits between what truncation explains (1/16 and 1/4 of
//! the previous difference) and what a kink produces (3 and 4 times).
//!
//! Two levels: a *clear* kink (the tests fail with `max(10·rtol, 1e-3)` in place of
//! `rtol`: a jump of at least 0.1 % of the derivative) is always reported, even where the
//! stencil happens to agree with the exact value (|x| at 0: both give 0). A *faint* one
//! only excuses a disagreement: with coordinates near 1e5 the round-off of the one-sided
//! differences at the smallest step alone can pass the strict tests.

use num_dual::DualNumFloat;

use super::report::Tolerance;
use super::stencil::to_f64;
use crate::error::Result;

/// The verdict of the kink tests on one output.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Kink {
    /// The one-sided derivatives (forward, backward) at the smallest step if the strict
    /// tests fail.
    pub faint: Option<(f64, f64)>,
    /// `true` if the tests fail even with the loose tolerance.
    pub clear: bool,
}

impl Kink {
    /// Either verdict, keeping the one-sided values of the first that has them.
    pub fn or(self, other: Kink) -> Kink {
        Kink {
            faint: self.faint.or(other.faint),
            clear: self.clear || other.clear,
        }
    }
}

/// The kink verdict for every output of `g` at 0 (see the module documentation).
pub(crate) fn detect<F: DualNumFloat>(
    g: &dyn Fn(F) -> Result<Vec<F>>,
    reach: F,
    tol: &Tolerance,
) -> Result<Vec<Kink>> {
    let s = [reach, reach / F::FOUR, reach / (F::FOUR * F::FOUR)];
    let g0 = g(F::zero())?;
    let plus = [g(s[0])?, g(s[1])?, g(s[2])?];
    let minus = [g(-s[0])?, g(-s[1])?, g(-s[2])?];
    let loose_rtol = (10.0 * tol.rtol).max(1e-3);
    Ok((0..g0.len())
        .map(|k| {
            // forward and backward one-sided derivatives and central quotients at each step
            let fwd: [f64; 3] = std::array::from_fn(|l| to_f64((plus[l][k] - g0[k]) / s[l]));
            let bwd: [f64; 3] = std::array::from_fn(|l| to_f64((g0[k] - minus[l][k]) / s[l]));
            let cen: [f64; 3] = std::array::from_fn(|l| 0.5 * (fwd[l] + bwd[l]));
            let scale = fwd.iter().chain(&bwd).fold(0.0_f64, |m, d| m.max(d.abs()));
            let (gap1, gap2) = (fwd[0] - bwd[0], fwd[1] - bwd[1]);
            let fails = |rtol: f64| {
                let noise = tol.atol + rtol * scale;
                let corner = (4.0 * gap2 - gap1).abs() > 0.5 * gap1.abs() + noise;
                let jump = (cen[1] - cen[2]).abs() > 0.5 * (cen[0] - cen[1]).abs() + noise;
                // A NaN (a non-finite value nearby) compares false: not evidence of a kink.
                corner || jump
            };
            Kink {
                faint: fails(tol.rtol).then_some((fwd[2], bwd[2])),
                clear: fails(loose_rtol),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol() -> Tolerance {
        Tolerance {
            atol: 1e-9,
            rtol: 1e-6,
        }
    }

    fn verdict(g: impl Fn(f64) -> f64) -> Kink {
        let line = move |t: f64| Ok(vec![g(t)]);
        detect(&line, 1e-3, &tol()).unwrap()[0]
    }

    #[test]
    fn smooth_functions_have_no_kink_even_with_large_curvature() {
        for g in [
            |t: f64| (3.0 * t).exp(),
            |t: f64| (t + 0.2).sin() * 50.0,
            |t: f64| t * t,
        ] {
            assert_eq!(verdict(g), Kink::default());
        }
    }

    #[test]
    fn corners_at_or_near_zero_and_midpoint_jumps_are_clear_kinks() {
        assert!(verdict(f64::abs).clear);
        // a corner inside the stencil's reach but not at 0
        assert!(verdict(|t: f64| (t - 6e-4).max(0.0)).clear);
        // a jump whose value at 0 is the midpoint, as `hard` produces in a gradient
        let jump = |t: f64| {
            if t == 0.0 {
                0.5
            } else if t > 0.0 {
                1.0
            } else {
                0.0
            }
        };
        assert!(verdict(jump).clear);
    }

    #[test]
    fn a_corner_beyond_the_reach_is_not_a_kink_here() {
        assert_eq!(verdict(|t: f64| (t - 0.01).abs()), Kink::default());
    }
}
