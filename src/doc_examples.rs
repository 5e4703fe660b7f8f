//! The examples that were in the documentation of crate-private modules, kept as unit
//! tests: rustdoc compiles doctests as an outside crate, which cannot reach them.

/// From the documentation in `src/figures/breakdown/data.rs`.
#[test]
fn sweep_article_1() {
    use softiou::figures::breakdown::naive_soft_maximum;
    assert!(naive_soft_maximum(110.0_f64, 120.0, 10.0).is_nan()); // e^{1100} overflows
}

/// From the documentation in `src/figures/breakdown/data.rs`.
#[test]
fn sweep_article_2() {
    use softiou::figures::breakdown::naive_soft_iou;
    let p = [10.0, 10.0, 110.0, 110.0];
    let t = [20.0, 20.0, 120.0, 120.0];
    assert!(naive_soft_iou(p, t, 10.0_f64).is_nan()); // the article's own example
    assert!(
        naive_soft_iou(
            [10.0_f32, 10.0, 110.0, 110.0],
            [20.0, 20.0, 120.0, 120.0],
            10.0
        )
        .is_nan()
    );
    assert!((naive_soft_iou(p, t, 0.5) - 8100.0 / 11900.0).abs() < 1e-2); // fine at small k
}

/// From the documentation in `src/figures/breakdown/data.rs`.
#[test]
fn sweep_article_3() {
    let run = || {
        use softiou::figures::breakdown::{Breakdown, breakdown_map};
        use softiou::figures::kit::KappaRange;
        let k = KappaRange::new(0.1, 1000.0, 5)?; // κ·s = 0.1, 1, 10, 100, 1000
        let m = KappaRange::new(0.01, 100.0, 5)?;
        let map = breakdown_map(10.0, &k, &m, &[("disjoint in x", (1.3, 0.1))])?;
        let row = &map.panels[0].class[..5]; // the smallest magnitude
        // at small κ·s the Boltzmann intersection of disjoint boxes is still positive;
        // at κ·s = 10 it is negative; at κ·s = 1000 the article's formula is NaN
        assert_eq!(row[0], Breakdown::Fine);
        assert_eq!(row[2], Breakdown::OutsideUnit);
        assert_eq!(row[4], Breakdown::NaiveNan);
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/surface/contour.rs`.
#[test]
fn sweep_contour_1() {
    let run = || {
        use softiou::Smoothing;
        use softiou::figures::surface::contour::contours;
        use softiou::figures::surface::{Setting, centred_target, loss_surface};
        let t = centred_target(10.0)?;
        let hard = Setting {
            smoothing: Smoothing::Hard,
            kappa_s: 1.0,
        };
        let s = loss_surface(&t, hard, 2.0, 41)?;
        let c = contours(&s, &[0.5]);
        // the 0.5 level is a closed curve around the origin: every piece lies inside |offset| < 1
        assert!(!c[0].segments.is_empty());
        assert!(
            c[0].segments
                .iter()
                .flatten()
                .all(|(x, y)| x.abs() < 1.0 && y.abs() < 1.0)
        );
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/kappa/curvature.rs`.
#[test]
fn sweep_curvature_1() {
    use softiou::figures::kappa::curvature::Curvature;
    let c = Curvature {
        value: 0.0,
        grad: [0.0; 4],
        lambda_max: 4.0,
    };
    assert_eq!(c.stable_step(), Some(0.5));
}

/// From the documentation in `src/figures/kappa/curvature.rs`.
#[test]
fn sweep_curvature_2() {
    use softiou::nalgebra::SMatrix;
    let m = SMatrix::<f64, 4, 4>::from_diagonal(&[1.0, -3.0, 2.0, 0.5].into());
    assert_eq!(
        softiou::figures::kappa::curvature::largest_eigenvalue(&m),
        2.0
    );
}

/// From the documentation in `src/figures/kappa/curvature.rs`.
#[test]
fn sweep_curvature_3() {
    let run = || {
        use softiou::figures::kappa::curvature::curvature;
        use softiou::{BBox, Loss, Smoothing};
        let t = BBox::new(0.0, 0.0, 10.0, 10.0)?;
        let c = curvature(Loss::soft_iou(Smoothing::LogSumExp), &t, &t, 1.0)?;
        assert!(c.lambda_max > 0.0); // P = T is a minimum: the loss curves upwards
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/kit/grid.rs`.
#[test]
fn sweep_mod_1() {
    let run = || {
        use softiou::figures::kit::{KappaRange, scenario};
        let range = KappaRange::new(0.1, 1000.0, 50)?;
        let s = &scenario::standard()[0];
        let sweep = softiou::figures::kappa::KappaSweep::compute(
            s,
            &range,
            &softiou::figures::kit::SMOOTH_OPS,
        )?;
        // at κ·s = 1000 the logsumexp loss is within 1e-2 of the hard loss
        let last = sweep
            .curve(softiou::Smoothing::LogSumExp)
            .unwrap()
            .rows
            .last()
            .unwrap();
        assert!((last.loss - sweep.hard.loss).abs() < 1e-2);
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/kit/grid.rs`.
#[test]
fn sweep_mod_2() {
    let run = || {
        let r = softiou::figures::kit::KappaRange::from_physical(0.1, 10.0, 3, 20.0)?;
        let v = r.values();
        assert_eq!((v[0], v[2]), (2.0, 200.0)); // the ends are exact
        assert!((v[1] - 20.0).abs() < 1e-12); // the middle goes through exp(ln)
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/kit/scenario.rs`.
#[test]
fn sweep_scenario_1() {
    let s = softiou::figures::kit::scenario::standard();
    assert_eq!(s.len(), 6);
    assert!(s.iter().all(|s| s.side() == 10.0));
}

/// From the documentation in `src/figures/kit/grid.rs`.
#[test]
fn sweep_standard_1() {
    assert_eq!(softiou::figures::kit::default_range().points(), 241);
}

/// From the documentation in `src/figures/step_study/data.rs`.
#[test]
fn sweep_steps_1() {
    let run = || {
        let panels = softiou::figures::step_study::step_panels()?;
        for p in &panels {
            // the dual-number derivative is exact to a few ulps of the derivative
            assert!(p.study.dual_error <= 8.0 * f64::EPSILON * p.study.truth.abs());
            // every stencil, at every step, is worse than that
            assert!(p.study.rows.iter().all(|r| r.central2 > p.study.dual_error));
        }
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/surface/data.rs`.
#[test]
fn sweep_surface_1() {
    let run = || {
        use softiou::Smoothing;
        use softiou::figures::surface::{Setting, centred_target, loss_surface};
        let t = centred_target(10.0)?;
        let hard = Setting {
            smoothing: Smoothing::Hard,
            kappa_s: 1.0,
        };
        let s = loss_surface(&t, hard, 2.0, 5)?;
        assert_eq!(s.loss[2 * 5 + 2], 0.0); // no offset: P = T
        assert_eq!(s.loss[0], 1.0); // offset (−2s, −2s): disjoint
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/surface/data.rs`.
#[test]
fn sweep_surface_2() {
    let run = || {
        use softiou::Smoothing;
        use softiou::figures::surface::{Setting, centred_target, gradient_field};
        let t = centred_target(10.0)?;
        let hard = Setting {
            smoothing: Smoothing::Hard,
            kappa_s: 1.0,
        };
        let f = gradient_field(&t, hard, 2.0, 5)?;
        assert_eq!((f.gx[0], f.gy[0]), (0.0, 0.0)); // disjoint: hard IoU has no gradient
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/kit/mod.rs`.
#[test]
fn plot_mod_1() {
    let run = || {
        use softiou::figures::KappaSweep;
        use softiou::figures::kit::save_png;
        use softiou::figures::kit::{KappaRange, SMOOTH_OPS, scenario};
        let range = KappaRange::new(0.1, 100.0, 20)?;
        let sweeps = vec![KappaSweep::compute(
            &scenario::standard()[0],
            &range,
            &SMOOTH_OPS,
        )?];
        let fig = softiou::figures::kappa::draw::LossFigure { sweeps: &sweeps };
        let dir = tempfile::tempdir().map_err(|e| softiou::figures::Error::Output {
            path: "tmp".into(),
            reason: e.to_string(),
        })?;
        let path = dir.path().join("loss.png");
        save_png(&fig, &path)?;
        assert!(path.metadata().map(|m| m.len() > 1000).unwrap_or(false));
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/figures/kit/write.rs`.
#[test]
fn plot_output_1() {
    let run = || {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        softiou::figures::kit::write::write_atomic(&p, b"hello")?;
        assert_eq!(std::fs::read(&p).unwrap(), b"hello");
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/fit/experiments.rs`.
#[test]
fn fit_experiments_bias_curve() {
    let run = || {
        use softiou::{Smoothing, fit::bias_curve};
        let pts = bias_curve(2.0, 2.0, 1)?;
        let lse = pts
            .iter()
            .find(|p| p.smoothing == Smoothing::LogSumExp && p.start == 0)
            .unwrap();
        // at κ·s = 2 the optimum of the smoothed loss is a 13.2-wide box: hard IoU 0.575
        assert!((lse.width.unwrap() - 13.18).abs() < 0.01);
        Ok::<(), softiou::figures::Error>(())
    };
    run().unwrap();
}

/// From the documentation in `src/fit/experiments.rs`.
#[test]
fn fit_experiments_sample_steps() {
    let s = softiou::fit::sample_steps(2000);
    assert_eq!((s[0], s[20], *s.last().unwrap()), (0, 20, 2000));
    assert!(s.len() < 120 && s.windows(2).all(|w| w[0] < w[1]));
}

// The examples of the fitting demo's crate-private items (`src/fit/experiments.rs`).

#[test]
fn fit_experiments_start() {
    let run = || {
        use crate::fit::STARTS;
        assert_eq!(STARTS[1].name, "just disjoint");
        assert!(
            STARTS
                .iter()
                .all(|s| crate::BBox::from_xyxy(s.pred).is_ok())
        );
        Ok::<(), crate::Error>(())
    };
    run().unwrap();
}

#[test]
fn fit_experiments_starts() {
    let run = || {
        use crate::{
            BBox,
            fit::{FitSet, STARTS},
            hard_iou,
        };
        let t = BBox::from_xyxy(FitSet::TARGET)?;
        let iou = |i: usize| hard_iou(&BBox::from_xyxy(STARTS[i].pred).unwrap(), &t);
        assert!(iou(0) > 0.1 && iou(1) == 0.0 && iou(2) == 0.0);
        Ok::<(), crate::Error>(())
    };
    run().unwrap();
}

#[test]
fn fit_experiments_method() {
    let run = || {
        use crate::fit::{KappaSchedule, methods};
        let m = methods(10.0);
        assert_eq!(m[0].label, "hard IoU");
        assert!(
            m.iter()
                .any(|m| matches!(m.schedule, KappaSchedule::Fixed(k) if k == 0.1))
        );
        Ok::<(), crate::Error>(())
    };
    run().unwrap();
}

#[test]
fn fit_experiments_methods() {
    let run = || {
        let m = crate::fit::methods(10.0);
        assert_eq!(m.len(), 11);
        assert!(m.iter().any(|m| m.label == "logsumexp κ·s=10"));
        Ok::<(), crate::Error>(())
    };
    run().unwrap();
}

#[test]
fn fit_experiments_biaspoint() {
    let run = || {
        let set = crate::fit::FitSet::compute()?;
        // at large κ·s the soft optimum is the target itself
        let sharp = set
            .bias
            .iter()
            .filter(|b| b.kappa_s >= 100.0 && b.is_minimum);
        assert!(sharp.clone().count() > 0);
        assert!(sharp.filter_map(|b| b.hard_iou).all(|iou| iou > 0.99));
        Ok::<(), crate::fit::Error>(())
    };
    run().unwrap();
}

#[test]
fn fit_experiments_figure_optimizers() {
    let run = || {
        use crate::fit::{FIGURE_OPTIMIZERS, Optimizer};
        // the figures show every optimiser of the README's table
        assert_eq!(FIGURE_OPTIMIZERS, Optimizer::ALL);
        Ok::<(), crate::Error>(())
    };
    run().unwrap();
}

#[test]
fn fit_experiments_fitset() {
    use crate::fit::{FIGURE_OPTIMIZERS, FitSet, STARTS};
    let set = FitSet::compute().unwrap();
    assert_eq!(set.optimizers, FIGURE_OPTIMIZERS);
    assert_eq!(
        set.outcomes.len(),
        FIGURE_OPTIMIZERS.len() * STARTS.len() * set.methods.len()
    );
    // from the `just disjoint` start
    assert_eq!(set.anneal.history[0].bbox, STARTS[1].pred);
}

#[test]
fn fit_experiments_run_all() {
    use crate::fit::{Optimizer, STARTS, methods, run_all};
    let outcomes = run_all(&[Optimizer::Newton], 200).unwrap();
    assert_eq!(outcomes.len(), STARTS.len() * methods(10.0).len());
}

#[test]
fn units_data_compute() {
    let d = crate::figures::units::UnitsData::compute().unwrap();
    let at = |side: f64, i: usize| {
        d.rows
            .iter()
            .filter(|r| r.side == side)
            .nth(i)
            .unwrap()
            .loss
    };
    // the same κ·s gives the same loss at every scale (up to rounding of the coordinates)
    assert!((at(1.0, 40) - at(100.0, 40)).abs() < 1e-12);
}
