//! The fitting demo: the behaviours issue 6 asks for, the exactness of the derivatives
//! through the parameterisation, and the `softiou fit` command line.

use std::process::Command;

use proptest::prelude::*;
use softiou::fit::Error as FitError;
use softiou::fit::{FitConfig, FitResult, KappaSchedule, Optimizer, Param, StopReason, fit};
use softiou::{BBox, Error, Loss, LossKind, Smoothing};

const P: [f64; 4] = [0.0, 0.0, 10.0, 10.0];
const T: [f64; 4] = [15.0, 3.0, 25.0, 13.0];

fn boxes() -> (BBox<f64>, BBox<f64>) {
    (BBox::from_xyxy(P).unwrap(), BBox::from_xyxy(T).unwrap())
}

/// Every iterate of a run is a valid box (finite, positive sizes).
fn assert_every_step_valid(run: &FitResult) {
    for s in &run.history {
        let b = BBox::from_xyxy(s.bbox);
        assert!(b.is_ok(), "step {} has an invalid box {:?}", s.step, s.bbox);
        assert!(s.loss.is_finite() && s.grad_norm.is_finite() && s.hard_iou.is_finite());
    }
    assert_eq!(run.history.len(), run.steps + 1);
    assert_eq!(run.final_box.to_xyxy(), run.history[run.steps].bbox);
}

/// The final status agrees with its definition (`StopReason`'s tests and their order).
fn assert_status_consistent(r: &FitResult, t: &BBox<f64>, loss: Loss) {
    use softiou::fit::StopReason;
    const CONVERGED_IOU: f64 = StopReason::CONVERGED_IOU;
    const DEGENERATE_FRACTION: f64 = StopReason::DEGENERATE_FRACTION;
    const EXPLODED_MULTIPLE: f64 = StopReason::EXPLODED_MULTIPLE;
    let last = r.history.last().unwrap();
    let ratio = [
        r.final_box.width() / t.width(),
        r.final_box.height() / t.height(),
    ];
    let degenerate = ratio
        .iter()
        .any(|q| !(DEGENERATE_FRACTION..=EXPLODED_MULTIPLE).contains(q));
    assert_eq!(
        r.stop == StopReason::Degenerate,
        degenerate,
        "{ratio:?} {:?}",
        r.stop
    );
    assert_eq!(r.converged, r.stop == StopReason::Converged);
    if r.converged {
        assert!(r.stationary && r.final_iou >= CONVERGED_IOU);
        assert!((0.0..1.0).contains(&last.loss), "loss {}", last.loss);
    }
    if r.stop == StopReason::Stalled {
        assert!(r.stationary && last.grad_norm > 0.0);
    }
    if r.stop == StopReason::MaxSteps {
        assert!(!r.stationary && last.grad_norm > 0.0);
    }
    if r.stop == StopReason::Diverged {
        // it got worse: a higher loss than the start at the first or the final κ, or it
        // left a target the start overlapped
        let first = r.history[0];
        let param = Param::for_target(t);
        let at = |b: [f64; 4], k: f64| {
            param
                .loss(loss, &param.theta(&BBox::from_xyxy(b).unwrap()), t, k)
                .unwrap()
        };
        let worse = last.loss > at(first.bbox, last.kappa) + 1e-12
            || at(last.bbox, first.kappa) > first.loss + 1e-12;
        assert!(
            worse || (first.hard_iou > 0.0 && r.final_iou == 0.0),
            "{r:?}"
        );
    }
}

fn run(loss: Loss, schedule: KappaSchedule, optimizer: Optimizer) -> FitResult {
    let (p, t) = boxes();
    let r = fit(&p, &t, &FitConfig::new(loss, schedule, optimizer)).unwrap();
    assert_every_step_valid(&r);
    assert_status_consistent(&r, &t, loss);
    r
}

#[test]
fn the_hard_loss_has_an_exactly_zero_gradient_from_a_disjoint_start_and_the_box_never_moves() {
    let (p, t) = boxes();
    let param = Param::for_target(&t);
    let hard = Loss::soft_iou(Smoothing::Hard);
    let (_, g) = param.gradient(hard, &param.theta(&p), &t, 1.0).unwrap();
    assert!(g.iter().all(|&d| d == 0.0), "gradient {g:?}");
    for opt in Optimizer::ALL {
        let r = run(hard, KappaSchedule::Fixed(1.0), opt);
        assert_eq!(r.final_box, p, "{opt}");
        assert!(r.history.iter().all(|s| s.bbox == P && s.grad_norm == 0.0));
        assert_eq!(r.final_iou, 0.0);
    }
}

#[test]
fn logsumexp_at_kappa_s_10_from_the_issue_start_reaches_hard_iou_0_85() {
    // s = 10, so κ·s = 10 is κ = 1. The optimum of the smoothed loss is biased (an
    // inflated box, hard IoU ≈ 0.91), hence the issue's 0.85 and not 0.99.
    let r = run(
        Loss::soft_iou(Smoothing::LogSumExp),
        KappaSchedule::Fixed(1.0),
        Optimizer::default(),
    );
    assert!(r.final_iou >= 0.85, "hard IoU {}", r.final_iou);
    assert!(r.converged);
}

#[test]
fn annealing_logsumexp_from_0_1_to_50_reaches_hard_iou_0_99_with_the_defaults() {
    let (p, t) = boxes();
    let cfg = FitConfig::default();
    assert_eq!(
        (cfg.loss, cfg.schedule),
        (
            Loss::soft_iou(Smoothing::LogSumExp),
            KappaSchedule::Anneal {
                min: 0.1,
                max: 50.0
            }
        )
    );
    let r = fit(&p, &t, &cfg).unwrap();
    assert_every_step_valid(&r);
    assert!(r.final_iou >= 0.99, "hard IoU {}", r.final_iou);
    // κ really was raised geometrically from 0.1 to 50
    assert_eq!(r.history[0].kappa, 0.1);
    assert_eq!(r.history.last().unwrap().kappa, 50.0);
    assert!(r.history.windows(2).all(|w| w[1].kappa >= w[0].kappa));
}

#[test]
fn giou_reaches_hard_iou_0_99_with_the_default_optimiser_and_steps() {
    let r = run(
        Loss::new(LossKind::Giou, Smoothing::Hard),
        KappaSchedule::Fixed(1.0),
        Optimizer::default(),
    );
    assert!(r.final_iou >= 0.99, "hard IoU {}", r.final_iou);
}

#[test]
fn a_run_made_to_diverge_ends_with_the_clear_message_and_no_box() {
    // A learning rate of 10⁶ sends the log-size to ~10⁴: e^θ overflows to ∞.
    let (p, t) = boxes();
    let mut cfg = FitConfig::new(
        Loss::soft_iou(Smoothing::LogSumExp),
        KappaSchedule::Fixed(1.0),
        Optimizer::Gd,
    );
    cfg.lr = 1e6;
    let err = fit(&p, &t, &cfg).unwrap_err();
    assert!(matches!(err, FitError::Diverged { step: 1, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("diverged at step 1"), "{msg}");
    assert!(msg.contains("lower the learning rate"), "{msg}");
}

#[test]
fn bad_settings_are_typed_errors_not_runs() {
    let (p, t) = boxes();
    let base = FitConfig::default();
    for cfg in [
        FitConfig { lr: 0.0, ..base },
        FitConfig {
            lr: f64::NAN,
            ..base
        },
        FitConfig { gtol: -1.0, ..base },
        FitConfig {
            schedule: KappaSchedule::Fixed(0.0),
            ..base
        },
        FitConfig {
            schedule: KappaSchedule::Anneal {
                min: 1.0,
                max: f64::INFINITY,
            },
            ..base
        },
    ] {
        let e = fit(&p, &t, &cfg).unwrap_err();
        assert!(
            matches!(
                e,
                FitError::InvalidSetting { .. } | FitError::Core(Error::InvalidKappa(_))
            ),
            "{e:?}"
        );
    }
    assert!(matches!(
        "sgd".parse::<Optimizer>(),
        Err(FitError::UnknownOptimizer(_))
    ));
}

/// Central differences of the plain-f64 loss in θ, step `h`.
fn fd_gradient(param: &Param<f64>, loss: Loss, th: [f64; 4], t: &BBox<f64>, k: f64) -> [f64; 4] {
    let f = |x: [f64; 4]| {
        param
            .loss(loss, &softiou::nalgebra::SVector::from(x), t, k)
            .unwrap()
    };
    let h = 1e-5;
    std::array::from_fn(|i| {
        let (mut a, mut b) = (th, th);
        a[i] += h;
        b[i] -= h;
        (f(a) - f(b)) / (2.0 * h)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The gradient and Hessian in θ (dual numbers through exp and the scaling) agree with
    /// central differences of the plain loss. With h = 1e-5 the truncation error is
    /// ~h²·|f'''| ≲ 1e-8 and the rounding error ~1e-16/h = 1e-11, so 1e-6 (relative to
    /// max(1, |value|)) is a safe bound for these O(1)-curvature losses at κ·s ≤ 20.
    #[test]
    fn gradient_and_hessian_in_theta_agree_with_central_differences(
        cx in -20.0..40.0f64, cy in -20.0..30.0f64,
        lw in -0.5..0.5f64, lh in -0.5..0.5f64,
        ks in 0.5..20.0f64, op in 0usize..2, kind in 0usize..3,
    ) {
        let t = BBox::from_xyxy(T).unwrap();
        let param = Param::for_target(&t);
        let loss = Loss::new(
            [LossKind::SoftIou, LossKind::Giou, LossKind::Diou][kind],
            [Smoothing::LogSumExp, Smoothing::Boltzmann][op],
        );
        let th = [cx / 10.0, cy / 10.0, lw, lh];
        let k = ks / 10.0;
        let x = softiou::nalgebra::SVector::from(th);
        let (v, g) = param.gradient(loss, &x, &t, k).unwrap();
        let (v2, g2, hess) = param.hessian(loss, &x, &t, k).unwrap();
        prop_assert_eq!(v, v2);
        let fd = fd_gradient(&param, loss, th, &t, k);
        for i in 0..4 {
            prop_assert!((g[i] - fd[i]).abs() <= 1e-6 * g[i].abs().max(1.0), "g {:?} fd {:?}", g, fd);
            prop_assert!((g[i] - g2[i]).abs() <= 1e-12 * g[i].abs().max(1.0));
            // each Hessian column: central differences of the exact gradient
            let h = 1e-5;
            let (mut a, mut b) = (x, x);
            a[i] += h;
            b[i] -= h;
            let ga = param.gradient(loss, &a, &t, k).unwrap().1;
            let gb = param.gradient(loss, &b, &t, k).unwrap().1;
            for j in 0..4 {
                let fdh = (ga[j] - gb[j]) / (2.0 * h);
                prop_assert!((hess[(j, i)] - fdh).abs() <= 1e-5 * hess[(j, i)].abs().max(1.0),
                    "H[{},{}] = {} vs {}", j, i, hess[(j, i)], fdh);
            }
        }
    }

    /// Whatever the start, loss, κ and optimiser, a run either returns a history of valid
    /// boxes or stops with a typed error; it never panics or returns an invalid box.
    #[test]
    fn every_run_keeps_a_valid_box_at_every_step_or_ends_with_a_typed_error(
        x in -50.0..50.0f64, y in -50.0..50.0f64, w in 0.1..40.0f64, h in 0.1..40.0f64,
        ks in 0.1..100.0f64, op in 0usize..3, kind in 0usize..4, opt in 0usize..3,
        lr_scale in 0.1..100.0f64,
    ) {
        let p = BBox::from_xywh(x, y, w, h).unwrap();
        let t = BBox::from_xyxy(T).unwrap();
        let optimizer = Optimizer::ALL[opt];
        let mut cfg = FitConfig::new(
            Loss::new(LossKind::ALL[kind], [Smoothing::Hard, Smoothing::Boltzmann, Smoothing::LogSumExp][op]),
            KappaSchedule::Fixed(ks / 10.0),
            optimizer,
        );
        cfg.steps = 150;
        cfg.lr = optimizer.default_lr() * lr_scale;
        match fit(&p, &t, &cfg) {
            Ok(r) => {
                assert_every_step_valid(&r);
                assert_status_consistent(&r, &t, cfg.loss);
            }
            Err(e) => prop_assert!(matches!(e, FitError::Diverged { .. } | FitError::Core(Error::NonFiniteResult { .. })), "{:?}", e),
        }
    }
}

// ---- the command line ----

fn softiou(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .output()
        .unwrap()
}

const BOXES: [&str; 5] = ["fit", "--pred", "0,0,10,10", "--target", "15,3,25,13"];

#[test]
fn fit_json_reports_the_final_box_hard_iou_steps_convergence_and_history() {
    let mut args = BOXES.to_vec();
    args.extend(["--kappa", "1", "--json"]);
    let out = softiou(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let b: Vec<f64> = serde_json::from_value(v["final_box"].clone()).unwrap();
    assert!(BBox::from_xyxy([b[0], b[1], b[2], b[3]]).is_ok());
    let iou = v["final_iou"].as_f64().unwrap();
    assert!(iou >= 0.85);
    let steps = v["steps"].as_u64().unwrap() as usize;
    assert!(v["converged"].as_bool().unwrap());
    let hist = v["history"].as_array().unwrap();
    assert_eq!(hist.len(), steps + 1);
    for key in ["loss", "hard_iou", "kappa", "grad_norm", "bbox", "step"] {
        assert!(hist[0].get(key).is_some(), "history lacks {key}");
    }
    // the JSON is the library's run, to the last bit
    let (p, t) = boxes();
    let r = fit(
        &p,
        &t,
        &FitConfig::new(
            Loss::soft_iou(Smoothing::LogSumExp),
            KappaSchedule::Fixed(1.0),
            Optimizer::default(),
        ),
    )
    .unwrap();
    assert_eq!(iou, r.final_iou);
}

#[test]
fn fit_with_defaults_reaches_hard_iou_0_99_on_the_issue_boxes() {
    let mut args = BOXES.to_vec();
    args.push("--json");
    let out = softiou(&args);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["final_iou"].as_f64().unwrap() >= 0.99);
}

#[test]
fn bad_flags_exit_with_status_2_and_one_line_naming_the_flag() {
    for (extra, needle) in [
        (vec!["--optimizer", "sgd"], "--optimizer"),
        (vec!["--smoothing", "soft"], "--smoothing"),
        (vec!["--loss", "iou"], "--loss"),
        (vec!["--kappa", "0"], "--kappa"),
        (vec!["--kappa", "-1"], "--kappa"),
        (vec!["--kappa", "nan"], "--kappa"),
        (vec!["--anneal", "5"], "--anneal"),
        (vec!["--anneal", "5..1"], "--anneal"),
        (vec!["--anneal", "0..1"], "--anneal"),
        (vec!["--steps", "many"], "--steps"),
        (vec!["--lr", "0"], "--lr"),
        (vec!["--lr", "x"], "--lr"),
        (vec!["--kappa", "1", "--anneal", "1..2"], "--anneal"),
    ] {
        let mut args = BOXES.to_vec();
        args.extend(extra.iter().copied());
        let out = softiou(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(
            err.starts_with("error:") && err.contains(needle),
            "{extra:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = softiou(&["fit", "--pred", "0,0,10,0", "--target", "15,3,25,13"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pred"));
}

#[test]
fn a_diverging_fit_prints_the_message_and_exits_1_without_a_panic() {
    let mut args = BOXES.to_vec();
    args.extend(["--optimizer", "gd", "--lr", "1e6", "--kappa", "1"]);
    let out = softiou(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: the fit diverged at step 1"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert_eq!(err.lines().count(), 1);
    assert!(out.stdout.is_empty());
}

#[test]
fn fit_out_writes_the_run_figure_its_csv_and_the_gif() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("new");
    let mut args = BOXES.to_vec();
    args.extend([
        "--out",
        out_dir.to_str().unwrap(),
        "--steps",
        "200",
        "--json",
    ]);
    let out = softiou(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = v["steps"].as_u64().unwrap() as usize;
    assert!(steps <= 200);
    let csv = std::fs::read_to_string(out_dir.join("fit_run.csv")).unwrap();
    assert!(csv.starts_with("step,kappa,loss,hard_iou,grad_norm,x_min,y_min,x_max,y_max"));
    assert_eq!(csv.lines().count(), steps + 2, "header + steps 0..=steps");
    let png = image::open(out_dir.join("fit_run.png")).unwrap();
    assert_eq!((png.width(), png.height()), (1200, 480));
    let gif = std::fs::read(out_dir.join("fit_run.gif")).unwrap();
    assert!(gif.starts_with(b"GIF89a"));
    // nothing else (no temporary files) is left behind
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 3);
}

#[test]
fn the_standard_fit_figures_are_written_with_their_csv() {
    let dir = tempfile::tempdir().unwrap();
    let set = softiou::fit::FitSet::compute().unwrap();
    let written =
        softiou::figures::write_fit(&set, dir.path(), Default::default(), &|| {}).unwrap();
    for name in ["fit_iou_vs_step", "fit_bias", "fit_trajectories"] {
        let png = dir.path().join(format!("{name}.png"));
        let csv = dir.path().join(format!("{name}.csv"));
        assert!(written.contains(&png) && written.contains(&csv), "{name}");
        assert!(image::open(&png).is_ok(), "{name}.png does not decode");
        let mut r = csv::Reader::from_path(&csv).unwrap();
        assert!(r.records().count() > 10, "{name}.csv is nearly empty");
    }
    assert!(written.contains(&dir.path().join("fit_anneal.gif")));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        written.len()
    );
}

#[test]
fn the_parameterisation_and_its_gradient_also_run_in_f32() {
    // f32 carries ~7 digits; the gradient is O(0.1), so 1e-4 absolute is ~1e-3 relative.
    let p = BBox::new(0.0_f32, 0.0, 10.0, 10.0).unwrap();
    let t = BBox::new(15.0_f32, 3.0, 25.0, 13.0).unwrap();
    let param = Param::for_target(&t);
    let loss = Loss::soft_iou(Smoothing::LogSumExp);
    let (v32, g32) = param.gradient(loss, &param.theta(&p), &t, 0.5).unwrap();
    let (p64, t64) = boxes();
    let param64 = Param::for_target(&t64);
    let (v64, g64) = param64
        .gradient(loss, &param64.theta(&p64), &t64, 0.5)
        .unwrap();
    assert!((f64::from(v32) - v64).abs() < 1e-5);
    for i in 0..4 {
        assert!(
            (f64::from(g32[i]) - g64[i]).abs() < 1e-4,
            "{g32:?} vs {g64:?}"
        );
    }
}

#[test]
fn newton_uses_the_exact_hessian_and_falls_back_to_the_gradient_where_it_is_indefinite() {
    // From the disjoint start the smoothed loss is concave in some directions (the
    // Hessian is indefinite), so some steps must fall back; near the optimum it is
    // positive definite, so Newton converges in a handful of steps.
    let r = run(
        Loss::soft_iou(Smoothing::LogSumExp),
        KappaSchedule::Fixed(1.0),
        Optimizer::Newton,
    );
    assert!(r.gradient_fallbacks > 0 && r.gradient_fallbacks < r.steps);
    assert!(r.converged && r.steps < 50, "{} steps", r.steps);
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_fit_whose_box_never_moves_is_reported_stuck_in_text_and_json_even_when_kappa_anneals() {
    // `hard` on disjoint boxes: the gradient is exactly 0 at every κ of the ramp.
    let args = [
        "fit",
        "--pred",
        "-30,0,-20,10",
        "--target",
        "15,3,25,13",
        "--smoothing",
        "hard",
    ];
    let text = String::from_utf8_lossy(&softiou(&args).stdout).into_owned();
    let status = text.lines().find(|l| l.starts_with("status:")).unwrap();
    assert!(
        status.contains("stuck") && !status.contains("converged"),
        "{text}"
    );
    let v = json_of(&softiou(&[&args[..], &["--json"]].concat()));
    assert_eq!(v["stop"], "stuck");
    assert_eq!(v["converged"], false);
    assert_eq!(v["final_box"], serde_json::json!([-30.0, 0.0, -20.0, 10.0]));
    // the library agrees, with every optimiser
    let p = BBox::new(-30.0, 0.0, -20.0, 10.0).unwrap();
    let (_, t) = boxes();
    for opt in Optimizer::ALL {
        let mut cfg = FitConfig::for_target(&t);
        cfg.loss = Loss::soft_iou(Smoothing::Hard);
        cfg.optimizer = opt;
        cfg.lr = opt.default_lr();
        let r = fit(&p, &t, &cfg).unwrap();
        assert_eq!(r.stop, softiou::fit::StopReason::Stuck, "{opt}");
        assert!(!r.converged && r.final_box == p, "{opt}");
    }
}

#[test]
fn fit_errors_name_their_flag_with_exit_2_like_eval() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pairs.csv");
    std::fs::write(&file, "x\n").unwrap();
    let cases: [(Vec<&str>, &str); 3] = [
        (
            vec!["fit", "--pred", "0,0,1e300,1e300", "--target", "15,3,25,13"],
            "--pred: box of 1e300 × 1e300 has an area that is not a positive finite number",
        ),
        (
            [&BOXES[..], &["--out", file.to_str().unwrap()]].concat(),
            "is a file, not a directory",
        ),
        (
            [&BOXES[..], &["--optimizer", "Adam"]].concat(),
            "error: --optimizer: unknown optimizer 'Adam'; expected one of: gd, adam, newton",
        ),
    ];
    for (args, needle) in cases {
        let out = softiou(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x\n");
}

#[test]
fn fit_help_shows_metavars_units_defaults_and_an_example() {
    let help = String::from_utf8_lossy(&softiou(&["fit", "--help"]).stdout).into_owned();
    for needle in [
        "--pred <X1,Y1,X2,Y2>",
        "--target <X1,Y1,X2,Y2>",
        "1 / coordinate units",
        "parameter units",
        "[default: newton]",
        "[default: logsumexp]",
        "Examples:",
        "softiou fit --pred 0,0,10,10 --target 15,3,25,13",
    ] {
        assert!(help.contains(needle), "'{needle}' not in:\n{help}");
    }
}

#[test]
fn fit_json_lists_every_file_written_the_gif_included() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = BOXES.to_vec();
    args.extend([
        "--out",
        dir.path().to_str().unwrap(),
        "--steps",
        "20",
        "--json",
    ]);
    let v = json_of(&softiou(&args));
    let files: Vec<String> = serde_json::from_value(v["files"].clone()).unwrap();
    for name in ["fit_run.png", "fit_run.csv", "fit_run.gif"] {
        let path = dir.path().join(name);
        assert!(files.contains(&path.display().to_string()), "{files:?}");
        assert!(path.is_file());
    }
}

#[test]
fn fit_prints_large_kappa_with_an_exponent_and_a_closed_pipe_exits_0() {
    let mut args = BOXES.to_vec();
    args.extend(["--kappa", "1e20"]);
    let text = String::from_utf8_lossy(&softiou(&args).stdout).into_owned();
    // `{}` prints 100000000000000000000; `{:?}` the short round-trip form
    assert!(text.contains("kappa = 1e20"), "{text}");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(&args)
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_default_schedule_fits_a_start_box_ten_times_smaller_than_the_target() {
    // From κ·s = 1 such a box was squashed below the resolution of its coordinates before
    // κ had grown (a clear error, but a failed default run); from κ·s = 2.5 it is found.
    let t = BBox::from_xyxy(T).unwrap();
    for p in [
        [0.0, 0.0, 1.0, 1.0],
        [14.0, 2.0, 16.0, 4.0],
        [0.0, 0.0, 100.0, 100.0],
    ] {
        let r = fit(&BBox::from_xyxy(p).unwrap(), &t, &FitConfig::for_target(&t)).unwrap();
        assert!(r.final_iou >= 0.99, "{p:?}: {}", r.final_iou);
    }
}

// ---- the final status: one test per status, through the library and the command line ----

/// Runs `softiou fit` on the issue's boxes with `extra` flags, in text and in JSON, and
/// checks that both report `status` with the final hard IoU; returns the JSON.
fn fit_status(pred: &str, extra: &[&str], status: &str) -> serde_json::Value {
    let args = [&["fit", "--pred", pred, "--target", "15,3,25,13"], extra].concat();
    let out = softiou(&args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text.lines().find(|l| l.starts_with("status:")).unwrap();
    assert!(
        line.starts_with(&format!("status:      {status} (hard IoU ")),
        "{args:?}: {text}"
    );
    let v = json_of(&softiou(&[&args[..], &["--json"]].concat()));
    assert_eq!(v["status"], status, "{args:?}");
    assert_eq!(v["converged"], status == "converged", "{args:?}");
    let iou = v["final_iou"].as_f64().unwrap();
    assert!(line.contains(&format!("(hard IoU {iou:?})")), "{line}");
    v
}

#[test]
fn a_fit_on_the_target_is_converged_with_its_hard_iou() {
    let v = fit_status("0,0,10,10", &[], "converged");
    assert!(v["final_iou"].as_f64().unwrap() >= 0.99);
    // the biased optimum of a fixed κ·s = 10 is still on the target: hard IoU 0.912
    let v = fit_status("0,0,10,10", &["--kappa", "1"], "converged");
    assert!(v["final_iou"].as_f64().unwrap() >= softiou::fit::StopReason::CONVERGED_IOU);
}

#[test]
fn the_thin_strip_of_a_tiny_kappa_is_degenerate_not_converged() {
    // Seen: "converged" on a 3777 × 6e-10 strip with loss 2.06.
    let v = fit_status("0,0,10,10", &["--kappa", "0.01"], "degenerate");
    let b: Vec<f64> = serde_json::from_value(v["final_box"].clone()).unwrap();
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    assert!(h < 1e-3 * 10.0 || w < 1e-3 * 10.0, "{w} x {h}");
    assert!(v["final_iou"].as_f64().unwrap() < 1e-6);
}

#[test]
fn a_box_thrown_away_by_a_huge_learning_rate_is_diverged_not_converged() {
    // Seen: gd at lr 100 ends at hard IoU 0 and loss 1.0, reported "converged: gradient
    // below tolerance". Its loss at the first κ is higher than the start's.
    let v = fit_status(
        "0,0,10,10",
        &["--lr", "100", "--optimizer", "gd"],
        "diverged",
    );
    assert_eq!(v["final_iou"].as_f64(), Some(0.0));
    // an overlapping start that ends disjoint is diverged too
    let (_, t) = boxes();
    let p = BBox::new(8.0, 0.0, 18.0, 10.0).unwrap();
    let mut cfg = FitConfig::for_target(&t);
    cfg.optimizer = Optimizer::Gd;
    cfg.lr = 100.0;
    let r = fit(&p, &t, &cfg).unwrap();
    assert!(r.history[0].hard_iou > 0.0);
    assert_eq!(
        (r.final_iou, r.stop),
        (0.0, softiou::fit::StopReason::Diverged)
    );
}

#[test]
fn a_zero_gradient_is_stuck() {
    let v = fit_status("-30,0,-20,10", &["--smoothing", "hard"], "stuck");
    assert_eq!(v["final_iou"].as_f64(), Some(0.0));
    let hist = v["history"].as_array().unwrap();
    assert_eq!(hist.last().unwrap()["grad_norm"].as_f64(), Some(0.0));
}

#[test]
fn a_stationary_point_away_from_the_target_is_stalled() {
    // boltzmann at κ·s = 5 from the far start: its soft intersection is negative for
    // disjoint boxes, and Newton stops at a stationary point with hard IoU 0.
    let v = fit_status(
        "-30,0,-20,10",
        &["--smoothing", "boltzmann", "--kappa", "0.5"],
        "stalled",
    );
    assert_eq!(v["final_iou"].as_f64(), Some(0.0));
    let hist = v["history"].as_array().unwrap();
    let g = hist.last().unwrap()["grad_norm"].as_f64().unwrap();
    assert!(g > 0.0 && g <= 1e-8, "{g}");
}

#[test]
fn a_run_cut_short_is_max_steps() {
    let v = fit_status("0,0,10,10", &["--steps", "5"], "max-steps");
    assert_eq!(v["steps"].as_u64(), Some(5));
}

#[test]
fn fit_steps_above_the_limit_are_refused_before_any_work() {
    let limit = softiou::fit::FitConfig::MAX_STEPS;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("never");
    for steps in [(limit + 1).to_string(), "1000000000000".to_owned()] {
        let t0 = std::time::Instant::now();
        let out = softiou(
            &[
                &BOXES[..],
                &["--steps", &steps, "--out", out_dir.to_str().unwrap()],
            ]
            .concat(),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with("error: --steps:") && err.contains(&limit.to_string()),
            "{err}"
        );
        // refused at once (the seen run went on for ever); 5 s is generous for a debug
        // build on a loaded machine
        assert!(t0.elapsed().as_secs() < 5);
        assert!(!out_dir.exists());
    }
    // the library refuses it too
    let (p, t) = boxes();
    let cfg = FitConfig {
        steps: limit + 1,
        ..FitConfig::default()
    };
    assert!(matches!(
        fit(&p, &t, &cfg),
        Err(FitError::Core(Error::InvalidParameter {
            name: "steps",
            ..
        }))
    ));
}

/// A saddle of the smoothed loss is not a fit, however good its hard IoU: `logsumexp` at
/// κ·s ≈ 1.36 from the target itself stops (Newton) at a stationary point with hard IoU
/// 0.94 whose exact Hessian has a negative eigenvalue. It used to be called converged.
#[test]
fn a_saddle_with_a_good_iou_is_stalled_not_converged() {
    let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET).unwrap();
    let kappa_s = 1.3572088082974532;
    let cfg = FitConfig::new(
        Loss::soft_iou(Smoothing::LogSumExp),
        KappaSchedule::Fixed(kappa_s / t.min_side()),
        Optimizer::Newton,
    );
    let r = fit(&t, &t, &cfg).unwrap();
    assert!(
        r.stationary && r.final_iou > softiou::fit::StopReason::CONVERGED_IOU,
        "{r:?}"
    );
    let m = r.min_hessian_eigenvalue.unwrap();
    // clearly negative curvature, far beyond the 1e-6 threshold
    assert!(m < -1e-3, "smallest eigenvalue {m}");
    assert_eq!(r.stop, StopReason::Stalled);
    assert!(!r.converged);
}

/// A converged run ends at a minimum: every eigenvalue of the Hessian above −1e-6.
#[test]
fn a_converged_run_ends_at_a_minimum() {
    let r = run(
        Loss::soft_iou(Smoothing::LogSumExp),
        KappaSchedule::Fixed(1.0),
        Optimizer::Newton,
    );
    assert_eq!(r.stop, StopReason::Converged, "{r:?}");
    assert!(r.min_hessian_eigenvalue.unwrap() >= -1e-6, "{r:?}");
}
