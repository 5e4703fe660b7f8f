//! The κ rule: its κ really meets the tolerance on the stated family (and a slightly
//! smaller κ does not), at the user's scale too; the pole and the reach are what the
//! library's own region and gradient say at and around them.

use proptest::prelude::*;
use softiou::kappa_rule::{
    FAMILY, FAMILY_SIDE, RuleOptions, gradient_reach, kappa_rule, kappa_s_within, pole, pull,
    worst_error,
};
use softiou::{BBox, Error, Region, Smoothing, hard_iou, region, soft_iou_loss};

const OPS: [Smoothing; 2] = [Smoothing::Boltzmann, Smoothing::LogSumExp];

/// The worst |soft − hard| over the family scaled to `side`, at `kappa` (physical units),
/// computed here directly from `soft_iou_loss` and `hard_iou`, not through the rule.
fn worst_at_scale(op: Smoothing, side: f64, kappa: f64) -> f64 {
    let c = side / FAMILY_SIDE;
    let t = BBox::new(0.0, 0.0, side, side).unwrap();
    FAMILY
        .iter()
        .map(|(_, p)| {
            let p = BBox::from_xyxy(p.map(|v| v * c)).unwrap();
            (soft_iou_loss(&p, &t, kappa, op).unwrap() - (1.0 - hard_iou(&p, &t))).abs()
        })
        .fold(0.0, f64::max)
}

#[test]
fn the_family_is_the_plot_sets_standard_pairs() {
    let standard = softiou::figures::standard_scenarios();
    assert_eq!(standard.len(), FAMILY.len());
    for (s, (name, p)) in standard.iter().zip(FAMILY) {
        assert_eq!(s.name, name);
        assert_eq!(s.pred.to_xyxy(), p);
        assert_eq!(s.target.to_xyxy(), [0.0, 0.0, FAMILY_SIDE, FAMILY_SIDE]);
    }
}

#[test]
fn the_rules_kappa_meets_the_tolerance_at_the_users_scale_and_a_slightly_smaller_one_does_not() {
    for op in OPS {
        for side in [0.05, 1.0, 32.0, 1000.0] {
            let rule = kappa_rule(
                side,
                RuleOptions {
                    smoothing: op,
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(rule.kappa, rule.kappa_s / side);
            // scaling the family by side/10 is exact only up to rounding of the
            // coordinates (a few ulps of loss), hence the 1e-12 margin
            assert!(
                worst_at_scale(op, side, rule.kappa) <= 0.01 + 1e-12,
                "{op} {side}"
            );
            // 0.1% smaller: the bisection bracket is 1e-10 wide, so this is well below
            assert!(
                worst_at_scale(op, side, rule.kappa * 0.999) > 0.01,
                "{op} {side}"
            );
            // and every larger κ on the scan grid meets it too
            for f in [1.5, 10.0, 1e3, 1e6] {
                assert!(worst_at_scale(op, side, rule.kappa * f) <= 0.01 + 1e-12);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn for_any_tolerance_the_threshold_is_the_boundary_of_the_worst_error(
        log_tol in -6.0f64..-0.5, logsumexp in any::<bool>()
    ) {
        let op = if logsumexp { Smoothing::LogSumExp } else { Smoothing::Boltzmann };
        let tol = 10f64.powf(log_tol);
        let (ks, _) = kappa_s_within(op, tol).unwrap();
        prop_assert!(worst_error(op, ks).unwrap().0 <= tol);
        prop_assert!(worst_error(op, ks * (1.0 - 1e-6)).unwrap().0 > tol);
        // a smaller tolerance never needs a smaller κ·s
        let (ks_tighter, _) = kappa_s_within(op, tol / 2.0).unwrap();
        prop_assert!(ks_tighter >= ks);
    }
}

#[test]
fn the_logsumexp_pole_is_where_the_soft_union_of_the_named_pair_crosses_zero() {
    let p = pole(Smoothing::LogSumExp)
        .unwrap()
        .expect("logsumexp has a pole");
    let (_, pred) = FAMILY.iter().find(|(n, _)| *n == p.pair).unwrap();
    let pred = BBox::from_xyxy(*pred).unwrap();
    let t = BBox::new(0.0, 0.0, FAMILY_SIDE, FAMILY_SIDE).unwrap();
    let at = |ks: f64| region(&pred, &t, ks / FAMILY_SIDE, Smoothing::LogSumExp).unwrap();
    assert_ne!(at(p.kappa_s * (1.0 + 1e-8)), Region::UnionNotPositive);
    assert_eq!(at(p.kappa_s * (1.0 - 1e-8)), Region::UnionNotPositive);
    // it is the first pole met when κ is lowered: no pair is past its pole above it
    for (_, q) in FAMILY {
        let q = BBox::from_xyxy(q).unwrap();
        let r = region(
            &q,
            &t,
            p.kappa_s * 1.001 / FAMILY_SIDE,
            Smoothing::LogSumExp,
        )
        .unwrap();
        assert_ne!(r, Region::UnionNotPositive);
    }
    assert!(pole(Smoothing::Boltzmann).unwrap().is_none());
}

#[test]
fn the_reach_is_where_the_pull_crosses_the_threshold_and_shrinks_as_kappa_s_grows() {
    for op in OPS {
        let mut last = f64::INFINITY;
        for ks in [1.0, 10.0, 100.0] {
            let g = gradient_reach(op, ks, 0.01).unwrap().unwrap();
            assert!(g.is_finite() && g > 0.0);
            assert!(pull(op, ks, g * (1.0 - 1e-6)).unwrap() >= 0.01);
            assert!(pull(op, ks, g * (1.0 + 1e-6)).unwrap() < 0.01);
            assert!(
                g < last,
                "{op}: reach {g} at κ·s = {ks} is not below {last}"
            );
            last = g;
        }
    }
    // the hard loss pulls only while the boxes touch (its tie derivative is 1/2) and not
    // at all once they are apart, so its reach is the scan's first positive gap, 1e-4
    assert!(pull(Smoothing::Hard, 10.0, 0.0).unwrap() > 0.01);
    assert_eq!(pull(Smoothing::Hard, 10.0, 1e-4).unwrap(), 0.0);
    assert_eq!(
        gradient_reach(Smoothing::Hard, 10.0, 0.01).unwrap(),
        Some(1e-4)
    );
}

#[test]
fn bad_input_is_a_typed_error_naming_the_parameter() {
    let name = |r: Result<_, Error>| match r {
        Err(Error::InvalidParameter { name, .. }) => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    };
    let d = RuleOptions::default();
    assert_eq!(name(kappa_rule(0.0, d)), "side");
    assert_eq!(name(kappa_rule(f64::NAN, d)), "side");
    assert_eq!(
        name(kappa_rule(
            1.0,
            RuleOptions {
                tolerance: 1.0,
                ..d
            }
        )),
        "tolerance"
    );
    assert_eq!(
        name(kappa_rule(
            1.0,
            RuleOptions {
                tolerance: 1e-9,
                ..d
            }
        )),
        "tolerance"
    );
    assert_eq!(
        name(kappa_rule(
            1.0,
            RuleOptions {
                grad_threshold: 0.0,
                ..d
            }
        )),
        "grad_threshold"
    );
    assert_eq!(
        name(kappa_rule(
            1.0,
            RuleOptions {
                smoothing: Smoothing::Hard,
                ..d
            }
        )),
        "smoothing"
    );
}
