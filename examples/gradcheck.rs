//! Checking derivatives of your own function with `softiou::fdcheck`.
//!
//! Write the function once, generically over `DualNum`, by implementing `Function<N>`;
//! the checker compares its exact derivatives (dual numbers) with finite differences.
//! The same machinery catches a hand-written gradient with a mistake in it.
//!
//! Run with `cargo run --example gradcheck`.

use softiou::fdcheck::{
    CheckOptions, Function, Stencil, check_claimed_gradient, check_direction, check_gradient,
    check_hessian, constant, default_steps, step_study,
};
use softiou::num_dual::DualNum;

/// A smooth 3-variable function: f(x, y, z) = softplus(x·y − z) + 100·(y − x²)² + (1 − x)².
/// Softplus is ln(1 + eˢ), written stably as max(s, 0) + ln1p(e^{−|s|}).
pub struct SoftplusRosenbrock;

impl Function<3> for SoftplusRosenbrock {
    fn eval<D: DualNum + Copy>(&self, [x, y, z]: [D; 3]) -> softiou::Result<D> {
        let s = x * y - z;
        let softplus = if s.re() > D::zero().re() {
            s + (-s).exp().ln_1p()
        } else {
            s.exp().ln_1p()
        };
        let a = D::one() - x;
        let b = y - x * x;
        Ok(softplus + constant::<D>(100.0) * b * b + a * a)
    }
}

/// A hand-written gradient of [`SoftplusRosenbrock`], with a deliberate mistake of 1e-4
/// in ∂f/∂y when `wrong` is set.
pub fn hand_gradient([x, y, z]: [f64; 3], wrong: bool) -> [f64; 3] {
    let s = x * y - z;
    let sigma = 1.0 / (1.0 + (-s).exp());
    let b = y - x * x;
    let dy = sigma * x + 200.0 * b + if wrong { 1e-4 } else { 0.0 };
    [sigma * y - 400.0 * x * b - 2.0 * (1.0 - x), dy, -sigma]
}

/// Runs every check and returns what `main` prints.
///
/// # Errors
/// If the function cannot be evaluated (it always can here).
pub fn run() -> softiou::Result<String> {
    let x = [0.7, 0.4, -0.3];
    let mut out = String::new();
    let opts = CheckOptions::default();

    // 1. The exact gradient (dual numbers) against the 4th-order stencil.
    let r = check_gradient(&SoftplusRosenbrock, x, &opts)?;
    out += &format!("{r}\n");

    // 2. The Hessian (hyper-dual numbers) against differences of the exact gradient.
    let r = check_hessian(&SoftplusRosenbrock, x, &opts)?;
    out += &format!(
        "hessian: {} ({} entries)\n",
        if r.passed { "PASS" } else { "FAIL" },
        r.components.len()
    );

    // 3. One random direction: one dual evaluation, two function evaluations.
    let r = check_direction(&SoftplusRosenbrock, x, 42, &opts)?;
    out += &format!("direction: {}\n", if r.passed { "PASS" } else { "FAIL" });

    // 4. A hand-written gradient: right, then with a mistake of 1e-4 in ∂f/∂y.
    let right = check_claimed_gradient(&SoftplusRosenbrock, x, hand_gradient(x, false), &opts)?;
    out += &format!(
        "hand-written gradient: {}\n",
        if right.passed { "PASS" } else { "FAIL" }
    );
    let wrong = check_claimed_gradient(&SoftplusRosenbrock, x, hand_gradient(x, true), &opts)?;
    for c in wrong.failures() {
        out += &format!(
            "hand-written gradient with a mistake: FAIL in {} (claimed {:.10}, finite differences {:.10})\n",
            c.label, c.exact, c.numerical
        );
    }

    // 5. Step study: the error of each stencil against the step (truncation vs round-off).
    let study = step_study(&SoftplusRosenbrock, x, 0, &default_steps(), None)?;
    for st in Stencil::ALL {
        if let Some((h, err)) = study.optimum(st) {
            out += &format!("step study {st}: best h = {h:.1e}, error {err:.1e}\n");
        }
    }
    Ok(out)
}

fn main() {
    match run() {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
