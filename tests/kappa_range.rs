//! Every κ in the documented range (0, 1e12] gives finite numbers: the loss, the soft IoU,
//! the gradients, ∂loss/∂κ and the Hessian, for every loss and operator on valid boxes.
//!
//! The hard case is `logsumexp` as κ → 0: its soft sides grow like ln2/κ, so the soft
//! intersection (∝ 1/κ²) and the powers of the union in the derivatives overflowed for
//! κ below ~1e-154 (`eval --kappa 1e-155` exited with "loss evaluated to NaN"). The
//! library now evaluates such κ in exactly rescaled units, down to κ·s = 2^-583 ≈ 3.2e-176 (2^-501 ≈ 1.5e-151 for the Hessian)
//! (s the shortest side of either box); below that, where the soft sides and the boxes
//! are further apart than the f64 range, it says so with a typed error
//! ([`Error::KappaTooSmall`]) instead of a NaN.

mod common;

use proptest::prelude::*;
use softiou::evaluate::{evaluate, evaluate_with_hessian};
use softiou::iou::{logsumexp_min_kappa_s, logsumexp_min_kappa_s_hessian};
use softiou::{BBox, Error, Loss, LossKind, Smoothing};

/// Whether the documented range promises finite numbers for this input.
fn in_range(loss: Loss, p: &BBox<f64>, t: &BBox<f64>, kappa: f64, hessian: bool) -> bool {
    let s = p.width().min(p.height()).min(t.width()).min(t.height());
    let min = if hessian {
        logsumexp_min_kappa_s_hessian::<f64>()
    } else {
        logsumexp_min_kappa_s::<f64>()
    };
    loss.smoothing != Smoothing::LogSumExp || kappa * s >= min
}

fn losses() -> impl Strategy<Value = Loss> {
    (prop::sample::select(LossKind::ALL.to_vec()), common::op()).prop_map(|(k, s)| Loss::new(k, s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// κ log-uniform over the whole range, subnormals included.
    #[test]
    fn every_kappa_in_the_documented_range_gives_finite_results(
        loss in losses(),
        p in common::bbox(100.0, -3.0, 3.0),
        t in common::bbox(100.0, -3.0, 3.0),
        exponent in -323.0f64..12.0,
    ) {
        let kappa = 10f64.powf(exponent).max(f64::from_bits(1));
        let e = evaluate(loss, &p, &t, kappa);
        if !in_range(loss, &p, &t, kappa, false) {
            prop_assert!(matches!(e, Err(Error::KappaTooSmall { .. })), "{e:?}");
            return Ok(());
        }
        prop_assert!(e.is_ok(), "{loss} at kappa {kappa:e}: {e:?}");
        let e = e.unwrap();
        let all = [e.loss, e.iou, e.dloss_dkappa, e.kappa_s]
            .into_iter()
            .chain(e.grad_pred)
            .chain(e.grad_target);
        for v in all {
            prop_assert!(v.is_finite());
        }
    }

    #[test]
    fn the_hessian_is_finite_for_every_kappa_too(
        loss in losses(),
        p in common::bbox(100.0, -3.0, 3.0),
        t in common::bbox(100.0, -3.0, 3.0),
        exponent in -323.0f64..12.0,
    ) {
        let kappa = 10f64.powf(exponent).max(f64::from_bits(1));
        let e = evaluate_with_hessian(loss, &p, &t, kappa);
        prop_assert_eq!(e.is_ok(), in_range(loss, &p, &t, kappa, true), "{} at kappa {:e}: {:?}", loss, kappa, e);
    }
}

/// As κ → 0, logsumexp's soft IoU loss tends to 2 (the soft intersection outgrows both
/// areas: I/U → −1) and its derivatives to 0; the tiny-κ path must reach that limit
/// smoothly, with the same numbers as the ordinary path just above its threshold.
#[test]
fn logsumexp_tends_to_its_limit_as_kappa_goes_to_zero() {
    let p = BBox::new(0.0, 0.0, 10.0, 10.0).unwrap();
    let t = BBox::new(2.0, 2.0, 12.0, 12.0).unwrap();
    let loss = Loss::soft_iou(Smoothing::LogSumExp);
    let mut last_dk = f64::INFINITY;
    for k in [1e-20, 1e-48, 1e-50, 1e-60, 1e-100, 1e-155, 1e-175] {
        let e = evaluate(loss, &p, &t, k).unwrap();
        // loss = 2 + O(κ²s²): exactly 2 in f64 below κ ≈ 1e-9
        assert_eq!(e.loss, 2.0, "kappa {k:e}");
        assert_eq!(e.iou, -1.0, "kappa {k:e}");
        // ∂loss/∂κ = c·κ with c independent of κ: the ratio is the same number on both
        // sides of the rescaling threshold (2^-163 ≈ 8.5e-50), to within a few ulps
        let c = e.dloss_dkappa / k;
        assert!(
            c > 0.0 && e.dloss_dkappa < last_dk,
            "kappa {k:e}: {}",
            e.dloss_dkappa
        );
        let c0 = evaluate(loss, &p, &t, 1e-20).unwrap().dloss_dkappa / 1e-20;
        assert!((c - c0).abs() <= 1e-14 * c0, "kappa {k:e}: {c} vs {c0}");
        last_dk = e.dloss_dkappa;
    }
}
