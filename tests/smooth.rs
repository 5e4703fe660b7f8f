//! The smoothing operators keep the contract of docs/design.md.

mod common;

use common::{kappa, op, smooth_op};
use num_dual::Dual64;
use proptest::prelude::*;
use softiou::Smoothing;

/// Values and temperatures wide enough to overflow the naive formulas many times over.
fn arg() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6..1e6,
        -10.0..10.0f64,
        (-300.0..300.0f64).prop_map(|e| e.signum() * 10f64.powf(e.abs() / 30.0))
    ]
}

/// A few ulps of the operands: every stable form is a handful of roundings of numbers of
/// magnitude max(|a|, |b|) plus a term of size 1/κ, so 8 ulps of that covers it.
fn ulps(a: f64, b: f64, kappa: f64) -> f64 {
    8.0 * f64::EPSILON * (a.abs().max(b.abs()) + 1.0 / kappa)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn boltzmann_lies_between_min_and_max_and_within_its_bound_of_max(a in arg(), b in arg(), k in kappa(-3.0, 12.0)) {
        let m = Smoothing::Boltzmann.smax(a, b, k);
        let tol = ulps(a, b, k);
        prop_assert!(m.is_finite());
        prop_assert!(m >= a.min(b) - tol && m <= a.max(b) + tol, "smax={m} a={a} b={b}");
        prop_assert!(a.max(b) - m <= Smoothing::Boltzmann.bound(k) + tol);
    }

    #[test]
    fn logsumexp_lies_between_max_and_max_plus_ln2_over_kappa(a in arg(), b in arg(), k in kappa(-3.0, 12.0)) {
        let m = Smoothing::LogSumExp.smax(a, b, k);
        let tol = ulps(a, b, k);
        prop_assert!(m.is_finite());
        prop_assert!(m >= a.max(b) - tol && m - a.max(b) <= std::f64::consts::LN_2 / k + tol);
    }

    #[test]
    fn every_operator_is_exactly_symmetric(op in op(), a in arg(), b in arg(), k in kappa(-3.0, 12.0)) {
        prop_assert_eq!(op.smax(a, b, k).to_bits(), op.smax(b, a, k).to_bits());
        prop_assert_eq!(op.smin(a, b, k).to_bits(), op.smin(b, a, k).to_bits());
    }

    #[test]
    fn soft_min_mirrors_soft_max(op in op(), a in arg(), b in arg(), k in kappa(-3.0, 12.0)) {
        prop_assert_eq!(op.smin(a, b, k), -op.smax(-a, -b, k));
        let lo = op.smin(a, b, k);
        let tol = ulps(a, b, k);
        match op {
            Smoothing::LogSumExp => prop_assert!(lo <= a.min(b) + tol),
            _ => prop_assert!(lo >= a.min(b) - tol),
        }
    }

    #[test]
    fn smooth_operators_converge_to_hard_as_kappa_grows(op in smooth_op(), a in -100.0..100.0f64, b in -100.0..100.0f64) {
        // the gap is bounded by c/κ (c = 0.2785 or ln 2), so it must shrink tenfold per decade
        let gap = |k: f64| (op.smax(a, b, k) - a.max(b)).abs();
        for k in [1.0, 10.0, 100.0, 1e3, 1e4] {
            prop_assert!(gap(k) <= op.bound(k) + ulps(a, b, k));
        }
        prop_assert!(gap(1e12) <= 1e-12 + ulps(a, b, 1e12));
    }

    #[test]
    fn the_derivative_at_an_exact_tie_is_one_half_for_each_argument(op in op(), a in arg(), k in kappa(-3.0, 12.0)) {
        let x = Dual64::from_re(a).derivative();
        let c = Dual64::from_re(a);
        let kd = Dual64::from_re(k);
        // `hard` (by convention) and `boltzmann` give 1/2 exactly. For `logsumexp` the
        // factor κ of the inner derivative meets the 1/κ of the outer division in
        // floating point (num-dual divides by multiplying with fl(1/κ)), which can leave one
        // rounding: 1/2 to within 1 ulp. A wrong tie convention would give 0 or 1.
        let tol = if op == Smoothing::LogSumExp { f64::EPSILON / 2.0 } else { 0.0 };
        for (first, second) in [(x, c), (c, x)] {
            let m = op.smax(first, second, kd);
            prop_assert!((m.eps - 0.5).abs() <= tol, "{} d/d(arg) at a tie = {}", op, m.eps);
            let m = op.smin(first, second, kd);
            prop_assert!((m.eps - 0.5).abs() <= tol, "{} d/d(arg) of smin at a tie = {}", op, m.eps);
        }
    }

    #[test]
    fn boltzmann_equals_the_articles_naive_formula_where_it_does_not_overflow(
        a in -50.0..50.0f64, b in -50.0..50.0f64, k in kappa(-3.0, 1.0),
    ) {
        // |κa|, |κb| <= 500: e^{κa} is finite and normal, so the naive formula is a
        // correctly-evaluated weighted mean too; both are within a few ulps of the exact
        // value, which is itself within [min, max]. Hence an absolute tolerance of 16 ulps of
        // max(|a|, |b|) (the naive one also cancels in its ratio of sums).
        let naive = (a * (k * a).exp() + b * (k * b).exp()) / ((k * a).exp() + (k * b).exp());
        let ours = Smoothing::Boltzmann.smax(a, b, k);
        prop_assert!((naive - ours).abs() <= 16.0 * f64::EPSILON * a.abs().max(b.abs()).max(1.0),
            "naive {naive} ours {ours}");
    }

    #[test]
    fn the_operators_run_in_f32_and_agree_with_f64(op in op(), a in -1e3..1e3f32, b in -1e3..1e3f32, k in (-3.0..6.0f32).prop_map(|e| 10f32.powf(e))) {
        let m32 = op.smax(a, b, k);
        let m64 = op.smax(a as f64, b as f64, k as f64);
        prop_assert!(m32.is_finite());
        // f32 evaluation: a few f32 ulps of the operands and of 1/κ
        let tol = 8.0 * f32::EPSILON as f64 * (a.abs().max(b.abs()) as f64 + 1.0 / k as f64);
        prop_assert!((m32 as f64 - m64).abs() <= tol, "{m32} vs {m64}");
    }
}

#[test]
fn srelu_of_boltzmann_is_negative_for_negative_inputs_and_logsumexp_is_positive() {
    // docs/design.md, "What the article gets wrong" 2 and 3.
    for x in [-5.0, -0.5, -1e-3] {
        let b = Smoothing::Boltzmann.srelu(x, 1.0);
        assert!(b < 0.0 && b >= x, "boltzmann srelu({x}) = {b}");
        assert!(Smoothing::LogSumExp.srelu(x, 1.0) > 0.0);
        assert_eq!(Smoothing::Hard.srelu(x, 1.0), 0.0);
    }
}

#[test]
fn hard_at_a_tie_returns_the_common_value() {
    for a in [0.0, -3.5, 1e300, -1e300, 5e-324] {
        assert_eq!(Smoothing::Hard.smax(a, a, 1.0), a);
    }
}

#[test]
fn operator_names_round_trip_and_unknown_names_are_errors() {
    for op in Smoothing::ALL {
        assert_eq!(op.to_string().parse::<Smoothing>().unwrap(), op);
    }
    let e = "Boltzmann".parse::<Smoothing>().unwrap_err();
    assert!(
        e.to_string()
            .contains("expected one of: hard, boltzmann, logsumexp")
    );
}

#[test]
fn the_articles_example_overflows_naively_but_not_here() {
    let k = 10.0f64;
    let naive =
        |a: f64, b: f64| (a * (k * a).exp() + b * (k * b).exp()) / ((k * a).exp() + (k * b).exp());
    assert!(naive(110.0, 120.0).is_nan());
    let ours = Smoothing::Boltzmann.smax(110.0, 120.0, k);
    assert!(ours > 119.99 && ours <= 120.0);
}

#[test]
fn first_derivatives_stay_finite_at_ties_for_huge_kappa() {
    // κ² overflows f64 above ~1.3e154; the derivative (1/2 at a tie) must not notice
    for op in Smoothing::ALL {
        for k in [1e12, 1e155, 1e200, 1e300] {
            let a = Dual64::from_re(3.0).derivative();
            let m = op.smax(a, Dual64::from_re(3.0), Dual64::from_re(k));
            assert!(
                (m.eps - 0.5).abs() <= f64::EPSILON / 2.0,
                "{op} at kappa {k}: {}",
                m.eps
            );
            assert!(m.re.is_finite());
        }
    }
}

#[test]
fn every_operator_is_finite_next_to_the_largest_floats() {
    for op in Smoothing::ALL {
        for (a, b) in [
            (f64::MAX, -f64::MAX),
            (f64::MAX, f64::MAX),
            (-f64::MAX, -f64::MAX),
            (1e308, -1e308),
        ] {
            for k in [1e-3, 1.0, 1e12] {
                let m = op.smax(a, b, k);
                assert!(m.is_finite(), "{op} smax({a}, {b}, {k}) = {m}");
                assert!(op.smin(a, b, k).is_finite());
                let d = op.smax(
                    Dual64::from_re(a).derivative(),
                    Dual64::from_re(b),
                    Dual64::from_re(k),
                );
                assert!(d.eps.is_finite(), "{op}: d/da = {}", d.eps);
            }
        }
    }
    assert_eq!(Smoothing::Hard.smax(f64::MAX, f64::MAX, 1.0), f64::MAX);
}
