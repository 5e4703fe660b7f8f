//! The optimisers: plain gradient descent, Adam, and damped Newton with the exact Hessian.
//!
//! Each one maps the current parameters θ (see [`super::Param`]) and the exact derivatives
//! at θ to the next θ. Nothing here differentiates: gradients and Hessians come from
//! [`super::Param::gradient`] and [`super::Param::hessian`], i.e. from dual numbers.

use nalgebra::SMatrix;

use super::error::Error;
use super::param::Theta;

/// Which optimiser moves the box.
///
/// ```
/// use softiou::fit::Optimizer;
/// let o: Optimizer = "adam".parse()?;
/// assert_eq!((o, o.name()), (Optimizer::Adam, "adam"));
/// assert!("sgd".parse::<Optimizer>().is_err());
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Optimizer {
    /// Gradient descent, `θ ← θ − lr·∇`.
    Gd,
    /// Adam (Kingma & Ba, ICLR 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8; `lr` is the
    /// largest step per parameter.
    Adam,
    /// Damped Newton (the default): the step `−H⁻¹∇` with the exact Hessian (from
    /// second-order duals, `Dual2SVec`) when `H` is positive definite (shortened to length
    /// `lr`, the trust radius), otherwise a steepest-descent step `−lr·∇/‖∇‖`; either is
    /// then halved until the loss decreases (Armijo).
    #[default]
    Newton,
}

impl Optimizer {
    /// The learning rate used when none is given: for `gd` the factor on the gradient, for
    /// `adam` the step per parameter, for `newton` the trust radius (all in θ units).
    pub fn default_lr(self) -> f64 {
        match self {
            Optimizer::Gd => 0.3,
            Optimizer::Adam => 0.05,
            Optimizer::Newton => 0.25,
        }
    }

    /// Whether this optimiser needs the Hessian at every step.
    pub fn needs_hessian(self) -> bool {
        self == Optimizer::Newton
    }
}

crate::names::named_values! {
    Optimizer,
    all = "All optimisers.",
    name = "The name used on the command line.",
    error = super::error::Error,
    unknown = |s| Error::UnknownOptimizer(s.to_owned()),
    {
        Gd => "gd",
        Adam => "adam",
        Newton => "newton",
    }
}

/// What a Newton step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NewtonKind {
    /// `−H⁻¹∇` (H positive definite).
    Newton,
    /// `−∇` (H not positive definite).
    Gradient,
}

/// The state an optimiser carries between steps (Adam's moments).
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    m: Theta<f64>,
    v: Theta<f64>,
    t: i32,
}

impl State {
    /// Adam's step `−lr·m̂/(√v̂ + ε)` for gradient `g`.
    pub(crate) fn adam(&mut self, g: &Theta<f64>, lr: f64) -> Theta<f64> {
        const B1: f64 = 0.9;
        const B2: f64 = 0.999;
        const EPS: f64 = 1e-8;
        self.t += 1;
        self.m = self.m * B1 + g * (1.0 - B1);
        self.v = self.v * B2 + g.component_mul(g) * (1.0 - B2);
        let mhat = self.m / (1.0 - B1.powi(self.t));
        let vhat = self.v / (1.0 - B2.powi(self.t));
        -lr * mhat.zip_map(&vhat, |m, v| m / (v.sqrt() + EPS))
    }
}

/// The damped Newton direction (before the line search): `−H⁻¹∇` if `H` is positive
/// definite and that is a descent direction, shortened to length `radius`; else the
/// steepest-descent direction `−∇/‖∇‖` of length `radius`.
pub(crate) fn newton_direction(
    g: &Theta<f64>,
    h: &SMatrix<f64, 4, 4>,
    radius: f64,
) -> (Theta<f64>, NewtonKind) {
    let newton = h
        .cholesky()
        .map(|c| -c.solve(g))
        .filter(|d| d.iter().all(|x| x.is_finite()) && d.dot(g) < 0.0);
    let (d, kind) = match newton {
        Some(d) => (d, NewtonKind::Newton),
        // A normalised gradient step of the full trust radius: the line search shortens
        // it; a raw `−∇` would crawl where the gradient is exponentially small.
        None => {
            let n = g.norm();
            let d = if n > 0.0 { -g * (radius / n) } else { -g };
            return (d, NewtonKind::Gradient);
        }
    };
    let n = d.norm();
    if n > radius {
        (d * (radius / n), kind)
    } else {
        (d, kind)
    }
}

/// Backtracking (Armijo) line search along `d` from θ: the first `α ∈ {1, ½, ¼, …}`
/// (at most 30 halvings) with `f(θ + αd) ≤ f(θ) + 10⁻⁴·α·∇·d`; `None` if none is found.
pub(crate) fn backtrack(
    f: impl Fn(&Theta<f64>) -> Option<f64>,
    theta: &Theta<f64>,
    value: f64,
    g: &Theta<f64>,
    d: &Theta<f64>,
) -> Option<Theta<f64>> {
    let slope = g.dot(d);
    let mut alpha = 1.0;
    for _ in 0..=30 {
        let cand = theta + d * alpha;
        if let Some(v) = f(&cand)
            && v <= value + 1e-4 * alpha * slope
        {
            return Some(cand);
        }
        alpha *= 0.5;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newton_takes_the_exact_newton_step_when_the_hessian_is_positive_definite() {
        let h = SMatrix::<f64, 4, 4>::from_diagonal(&Theta::from([2.0, 4.0, 1.0, 8.0]));
        let g = Theta::from([0.2, -0.4, 0.1, 0.8]);
        let (d, kind) = newton_direction(&g, &h, 10.0);
        assert_eq!(kind, NewtonKind::Newton);
        // −H⁻¹g = [−0.1, 0.1, −0.1, −0.1]; a diagonal solve is exact to rounding
        assert!((d - Theta::from([-0.1, 0.1, -0.1, -0.1])).norm() < 1e-15);
        // and is shortened to the trust radius
        let (d, _) = newton_direction(&g, &h, 0.1);
        assert!((d.norm() - 0.1).abs() < 1e-15);
    }

    #[test]
    fn newton_falls_back_to_steepest_descent_when_the_hessian_is_not_positive_definite() {
        let h = SMatrix::<f64, 4, 4>::from_diagonal(&Theta::from([2.0, -4.0, 1.0, 8.0]));
        let g = Theta::from([0.3, 0.0, 0.0, 0.4]);
        let (d, kind) = newton_direction(&g, &h, 0.25);
        assert_eq!(kind, NewtonKind::Gradient);
        assert!((d - Theta::from([-0.15, 0.0, 0.0, -0.2])).norm() < 1e-15);
    }

    #[test]
    fn adams_first_step_has_length_lr_in_every_coordinate_with_a_gradient() {
        // m̂ = g, v̂ = g², so the first step is −lr·g/(|g| + ε)
        let mut s = State::default();
        let d = s.adam(&Theta::from([3.0, -0.5, 0.0, 1e-3]), 0.05);
        assert!((d[0] + 0.05).abs() < 1e-9 && (d[1] - 0.05).abs() < 1e-9);
        assert_eq!(d[2], 0.0);
        assert!((d[3] + 0.05).abs() < 1e-6);
    }

    #[test]
    fn the_line_search_returns_none_when_no_step_decreases_the_loss() {
        let theta = Theta::zeros();
        let g = Theta::from([1.0, 0.0, 0.0, 0.0]);
        // a direction of ascent: f grows along it
        let f = |x: &Theta<f64>| Some(x[0]);
        assert_eq!(
            backtrack(f, &theta, 0.0, &g, &Theta::from([1.0, 0.0, 0.0, 0.0])),
            None
        );
        let found = backtrack(f, &theta, 0.0, &g, &Theta::from([-1.0, 0.0, 0.0, 0.0]));
        assert_eq!(found, Some(Theta::from([-1.0, 0.0, 0.0, 0.0])));
    }
}
