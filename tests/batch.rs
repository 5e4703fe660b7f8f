//! The batch API: every row equals the per-pair result, parallel equals serial, bad rows
//! and bad buffers are reported, and the derivative fast path (formula run on seeded
//! corners, direct soft minimum) equals the plain generic num-dual evaluation.

mod common;

use common::{bbox, kappa, op};
use nalgebra::SVector;
use num_dual::{Dual2SVec64, DualSVec64, gradient, hessian};
use proptest::prelude::*;
use softiou::batch::workload::peer_pairs;
use softiou::batch::{Batch, Engine, Exec, GradMethod, baseline};
use softiou::{BBox, Error, Loss, LossKind, Smoothing, diff};

fn loss() -> impl Strategy<Value = Loss> {
    (prop::sample::select(LossKind::ALL.to_vec()), op()).prop_map(|(k, s)| Loss::new(k, s))
}

/// More pairs than one parallel task takes, so that the parallel path really splits.
const N: usize = 10_000;

struct Out {
    value: Vec<f64>,
    grad: Vec<[f64; 4]>,
    hessian: Vec<[[f64; 4]; 4]>,
    dkappa: Vec<f64>,
}

fn run_all(batch: Batch<f64>, pred: &[[f64; 4]], target: &[[f64; 4]]) -> Out {
    let n = pred.len();
    let mut o = Out {
        value: vec![0.0; n],
        grad: vec![[0.0; 4]; n],
        hessian: vec![[[0.0; 4]; 4]; n],
        dkappa: vec![0.0; n],
    };
    let mut v2 = vec![0.0; n];
    batch
        .hessian(pred, target, &mut o.value, &mut o.grad, &mut o.hessian)
        .unwrap();
    batch.dkappa(pred, target, &mut v2, &mut o.dkappa).unwrap();
    assert_eq!(o.value, v2);
    o
}

#[test]
fn every_batch_row_equals_the_per_pair_result_bit_for_bit() {
    // Same code, same inputs, same order of operations: equality, not a tolerance. (The
    // scalar engine; the lane engine is compared within tolerances in tests/batch_lanes.rs.)
    let (pred, target) = peer_pairs(N, 1);
    for l in [Smoothing::Boltzmann, Smoothing::LogSumExp, Smoothing::Hard] {
        let loss = Loss::soft_iou(l);
        let batch = Batch::new(loss, 0.5).unwrap().engine(Engine::Scalar);
        let out = run_all(batch, &pred, &target);
        let (mut value, mut grad) = (vec![0.0; N], vec![[0.0; 4]; N]);
        batch.grad(&pred, &target, &mut value, &mut grad).unwrap();
        let mut primal = vec![0.0; N];
        batch.loss(&pred, &target, &mut primal).unwrap();
        for i in 0..N {
            let p = BBox::from_xyxy(pred[i]).unwrap();
            let t = BBox::from_xyxy(target[i]).unwrap();
            let g = diff::grad_pred(loss, &p, &t, 0.5).unwrap();
            let h = diff::hessian_pred(loss, &p, &t, 0.5).unwrap();
            let d = diff::dloss_dkappa(loss, &p, &t, 0.5).unwrap();
            assert_eq!(primal[i], loss.eval(&p, &t, 0.5).unwrap(), "row {i}");
            assert_eq!((value[i], grad[i]), (g.value, g.grad.into()), "row {i}");
            assert_eq!(out.value[i], h.value, "row {i}");
            assert_eq!(out.grad[i], <[f64; 4]>::from(h.grad), "row {i}");
            for r in 0..4 {
                for c in 0..4 {
                    assert_eq!(out.hessian[i][r][c], h.hessian[(r, c)], "row {i}");
                }
            }
            assert_eq!(out.dkappa[i], d.dloss_dkappa, "row {i}");
        }
    }
}

#[test]
fn parallel_results_equal_serial_results_exactly() {
    let (pred, target) = peer_pairs(N, 2);
    for l in [Smoothing::Boltzmann, Smoothing::LogSumExp] {
        let serial = Batch::new(Loss::new(LossKind::Giou, l), 2.0).unwrap();
        let parallel = serial.exec(Exec::Parallel);
        let a = run_all(serial, &pred, &target);
        let b = run_all(parallel, &pred, &target);
        assert_eq!(a.value, b.value);
        assert_eq!(a.grad, b.grad);
        assert_eq!(a.hessian, b.hessian);
        assert_eq!(a.dkappa, b.dkappa);
        for method in [
            GradMethod::DualVec,
            GradMethod::FourDuals,
            GradMethod::CentralDifference,
        ] {
            let (mut v1, mut g1) = (vec![0.0; N], vec![[0.0; 4]; N]);
            let (mut v2, mut g2) = (vec![0.0; N], vec![[0.0; 4]; N]);
            serial
                .grad_with(method, &pred, &target, &mut v1, &mut g1)
                .unwrap();
            parallel
                .grad_with(method, &pred, &target, &mut v2, &mut g2)
                .unwrap();
            assert_eq!((v1, g1), (v2, g2), "{method:?}");
        }
    }
}

#[test]
fn the_first_bad_row_is_reported_by_index_in_serial_and_in_parallel() {
    let (mut pred, mut target) = peer_pairs(N, 3);
    pred[7000] = [1.0, 1.0, 1.0, 2.0]; // empty in x
    target[9000][2] = f64::NAN;
    target[6500] = [0.0, 5.0, 1.0, 4.0]; // inverted in y: the smallest bad index
    let (mut v, mut g) = (vec![0.0; N], vec![[0.0; 4]; N]);
    for exec in [Exec::Serial, Exec::Parallel] {
        let batch = Batch::new(Loss::default(), 1.0).unwrap().exec(exec);
        let err = batch.grad(&pred, &target, &mut v, &mut g).unwrap_err();
        let Error::InPair {
            index,
            what,
            source,
        } = &err
        else {
            panic!("expected InPair, got {err:?}");
        };
        assert_eq!((*index, *what), (6500, "target box"));
        assert!(matches!(**source, Error::EmptyBox { axis: "y", .. }));
        assert!(
            err.to_string()
                .starts_with("pair 6500 (0-based), target box: ")
        );
        let mut single = vec![0.0; N];
        let err = batch.loss(&pred, &target, &mut single).unwrap_err();
        assert!(matches!(err, Error::InPair { index: 6500, .. }));
    }
    target[6500] = [0.0, 4.0, 1.0, 5.0];
    let batch = Batch::new(Loss::default(), 1.0)
        .unwrap()
        .exec(Exec::Parallel);
    let err = batch.grad(&pred, &target, &mut v, &mut g).unwrap_err();
    assert!(matches!(
        err,
        Error::InPair {
            index: 7000,
            what: "predicted box",
            ..
        }
    ));
}

#[test]
fn bad_kappa_and_mismatched_buffers_are_errors_not_panics() {
    for k in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Batch::new(Loss::default(), k),
            Err(Error::InvalidKappa(_))
        ));
    }
    let (pred, target) = peer_pairs(10, 4);
    let batch = Batch::new(Loss::default(), 1.0)
        .unwrap()
        .exec(Exec::Parallel);
    let err = batch.loss(&pred, &target[..9], &mut [0.0; 10]).unwrap_err();
    assert_eq!(
        err,
        Error::BatchLength {
            buffer: "target",
            expected: 10,
            found: 9
        }
    );
    let err = batch
        .grad(&pred, &target, &mut [0.0; 10], &mut [[0.0; 4]; 11])
        .unwrap_err();
    assert_eq!(
        err,
        Error::BatchLength {
            buffer: "grad",
            expected: 10,
            found: 11
        }
    );
    let mut h = vec![[[0.0; 4]; 4]; 3];
    let err = batch
        .hessian(&pred, &target, &mut [0.0; 10], &mut [[0.0; 4]; 10], &mut h)
        .unwrap_err();
    assert_eq!(
        err,
        Error::BatchLength {
            buffer: "hessian",
            expected: 10,
            found: 3
        }
    );
    let err = batch
        .dkappa(&pred, &target, &mut [0.0; 9], &mut [0.0; 10])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("'value' has 9 rows but the batch has 10 pairs")
    );
    // an empty batch is fine
    batch.grad(&[], &[], &mut [], &mut []).unwrap();
}

#[test]
fn f32_batches_work_too() {
    let pred = [[0.0_f32, 0.0, 4.0, 3.0]];
    let target = [[1.0_f32, 1.0, 5.0, 5.0]];
    let (mut v, mut g) = ([0.0_f32], [[0.0_f32; 4]]);
    Batch::new(Loss::default(), 2.0_f32)
        .unwrap()
        .grad(&pred, &target, &mut v, &mut g)
        .unwrap();
    let p = BBox::from_xyxy(pred[0]).unwrap();
    let t = BBox::from_xyxy(target[0]).unwrap();
    let r = diff::grad_pred(Loss::default(), &p, &t, 2.0_f32).unwrap();
    assert_eq!((v[0], g[0]), (r.value, r.grad.into()));
}

/// The plain generic path: boxes of dual numbers built and validated by `BBox`, evaluated
/// by the public `Loss::eval` — what `diff` did before the fast path.
fn plain_grad(l: Loss, p: &BBox<f64>, t: &BBox<f64>, k: f64) -> (f64, SVector<f64, 4>) {
    let x = SVector::from(p.to_xyxy());
    gradient(
        |x: SVector<DualSVec64<4>, 4>| {
            let pd = BBox::from_xyxy([x[0], x[1], x[2], x[3]]).unwrap();
            l.eval(
                &pd,
                &t.map(DualSVec64::from_re).unwrap(),
                DualSVec64::from_re(k),
            )
            .unwrap()
        },
        &x,
    )
}

fn plain_hessian(l: Loss, p: &BBox<f64>, t: &BBox<f64>, k: f64) -> nalgebra::SMatrix<f64, 4, 4> {
    let x = SVector::from(p.to_xyxy());
    hessian(
        |x: SVector<Dual2SVec64<4>, 4>| {
            let pd = BBox::from_xyxy([x[0], x[1], x[2], x[3]]).unwrap();
            l.eval(
                &pd,
                &t.map(Dual2SVec64::from_re).unwrap(),
                Dual2SVec64::from_re(k),
            )
            .unwrap()
        },
        &x,
    )
    .2
}

fn rel(a: f64, b: f64, scale: f64) -> f64 {
    (a - b).abs() / scale.max(f64::MIN_POSITIVE)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    // The fast path runs the same generic formula on the same dual numbers, so agreement
    // is expected to the last bit; 1e-14 relative to the largest component is the bound
    // the brief asks for and leaves room for nothing but reassociation.
    #[test]
    fn the_derivative_fast_path_equals_the_plain_generic_num_dual_path(
        l in loss(), p in bbox(100.0, -2.0, 2.0), t in bbox(100.0, -2.0, 2.0), k in kappa(-2.0, 2.0),
    ) {
        let Ok(fast) = diff::grad_pred(l, &p, &t, k) else { return Ok(()) };
        let (value, grad) = plain_grad(l, &p, &t, k);
        prop_assert!(rel(fast.value, value, value.abs()) <= 1e-14);
        let scale = grad.amax();
        for i in 0..4 {
            prop_assert!(rel(fast.grad[i], grad[i], scale) <= 1e-14, "{} vs {}", fast.grad, grad);
        }
        let fast_h = diff::hessian_pred(l, &p, &t, k).unwrap().hessian;
        let h = plain_hessian(l, &p, &t, k);
        let scale = h.amax();
        for (a, b) in fast_h.iter().zip(h.iter()) {
            prop_assert!(rel(*a, *b, scale) <= 1e-14, "{} vs {}", fast_h, h);
        }
        let four = baseline::grad_4x_dual(l, &p, &t, k).unwrap();
        prop_assert_eq!(four.value, fast.value);
        for i in 0..4 {
            prop_assert!(rel(four.grad[i], fast.grad[i], fast.grad.amax()) <= 1e-14);
        }
    }

    // smin is evaluated directly rather than as −smax(−a, −b); negation is exact, so the
    // two must agree to the last bit, derivatives included, ties included.
    #[test]
    fn the_direct_soft_minimum_is_minus_smax_of_the_negatives_bit_for_bit(
        op in op(), a in -1e3..1e3f64, b in -1e3..1e3f64, tie in any::<bool>(), k in kappa(-3.0, 3.0),
    ) {
        let b = if tie { a } else { b };
        prop_assert_eq!(op.smin(a, b, k), -op.smax(-a, -b, k));
        let ad = DualSVec64::<2>::from_re(a).derivative(0);
        let bd = DualSVec64::<2>::from_re(b).derivative(1);
        let kd = DualSVec64::<2>::from_re(k);
        let m1 = op.smin(ad, bd, kd);
        let m2 = -op.smax(-ad, -bd, kd);
        prop_assert_eq!(m1.re, m2.re);
        prop_assert_eq!(m1.eps.unwrap_generic(nalgebra::Const::<2>, nalgebra::U1),
                        m2.eps.unwrap_generic(nalgebra::Const::<2>, nalgebra::U1));
        prop_assert_eq!(m1.re, op.smin(b, a, k));
    }

    #[test]
    fn batch_rows_equal_per_pair_rows_for_any_valid_input(
        l in loss(), k in kappa(-2.0, 2.0),
        boxes in prop::collection::vec((bbox(1e3, -3.0, 3.0), bbox(1e3, -3.0, 3.0)), 1..40),
    ) {
        let pred: Vec<[f64; 4]> = boxes.iter().map(|(p, _)| p.to_xyxy()).collect();
        let target: Vec<[f64; 4]> = boxes.iter().map(|(_, t)| t.to_xyxy()).collect();
        let n = pred.len();
        let (mut v, mut g) = (vec![0.0; n], vec![[0.0; 4]; n]);
        let batch = Batch::new(l, k).unwrap().exec(Exec::Parallel).engine(Engine::Scalar);
        let r = batch.grad(&pred, &target, &mut v, &mut g);
        let per: Vec<_> = boxes.iter().map(|(p, t)| diff::grad_pred(l, p, t, k)).collect();
        match per.iter().position(Result::is_err) {
            None => {
                prop_assert!(r.is_ok());
                for (i, e) in per.iter().enumerate() {
                    let e = e.as_ref().unwrap();
                    prop_assert_eq!((v[i], g[i]), (e.value, e.grad.into()));
                }
            }
            Some(i) => {
                let is_row_i = matches!(r, Err(Error::InPair { index, .. }) if index == i);
                prop_assert!(is_row_i);
            }
        }
    }
}

// ---- the full evaluation, at one κ and at a κ per pair ----

mod full_evaluation {
    use softiou::batch::{Batch, Engine, Exec};
    use softiou::evaluate::{Evaluation, evaluate};
    use softiou::{BBox, Error, Loss, LossKind, Smoothing};

    fn boxes(rows: &[[f64; 4]]) -> Vec<BBox<f64>> {
        rows.iter().map(|&r| BBox::from_xyxy(r).unwrap()).collect()
    }

    #[test]
    fn every_row_is_bit_for_bit_the_per_pair_evaluation_serial_and_parallel() {
        // 10_000 pairs: more than two parallel grains of 4096 rows.
        let (pred, target) = softiou::batch::workload::peer_pairs(10_000, 5);
        let (pred, target) = (boxes(&pred), boxes(&target));
        let kappas: Vec<f64> = (0..pred.len())
            .map(|i| 0.05 * (1 + i % 40) as f64)
            .collect();
        for loss in [
            Loss::soft_iou(Smoothing::Boltzmann),
            Loss::new(LossKind::Ciou, Smoothing::LogSumExp),
            Loss::new(LossKind::Giou, Smoothing::Hard),
        ] {
            for exec in [Exec::Serial, Exec::Parallel] {
                let batch = Batch::new(loss, 0.7).unwrap().exec(exec);
                let mut at_one = vec![Evaluation::default(); pred.len()];
                batch.evaluate(&pred, &target, &mut at_one).unwrap();
                let mut each = vec![Evaluation::default(); pred.len()];
                Batch::kappa_per_pair(loss)
                    .exec(exec)
                    .evaluate_kappas(&pred, &target, &kappas, &mut each)
                    .unwrap();
                for i in (0..pred.len()).step_by(97) {
                    let one = |k| evaluate(loss, &pred[i], &target[i], k).unwrap();
                    assert_eq!(at_one[i], one(0.7), "{i}");
                    assert_eq!(each[i], one(kappas[i]), "{i}");
                }
            }
        }
    }

    #[test]
    fn the_first_bad_kappa_is_reported_by_its_index_on_both_engines_and_lengths_are_checked() {
        let (pred, target) = softiou::batch::workload::peer_pairs(9_000, 2);
        let (pred, target) = (boxes(&pred), boxes(&target));
        let mut kappas = vec![1.0; pred.len()];
        kappas[8_500] = f64::NAN;
        kappas[6_000] = 0.0;
        kappas[7_000] = -1.0;
        for engine in [Engine::Scalar, Engine::Auto] {
            let batch = Batch::kappa_per_pair(Loss::soft_iou(Smoothing::LogSumExp))
                .exec(Exec::Parallel)
                .engine(engine);
            let mut out = vec![Evaluation::default(); pred.len()];
            let err = batch
                .evaluate_kappas(&pred, &target, &kappas, &mut out)
                .unwrap_err();
            match err {
                Error::InPair {
                    index,
                    what,
                    source,
                } => {
                    assert_eq!((index, what), (6_000, "kappa"));
                    assert_eq!(*source, Error::InvalidKappa(0.0));
                }
                e => panic!("{e}"),
            }
            let err = batch
                .evaluate_kappas(&pred, &target, &kappas[1..], &mut out)
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::BatchLength {
                        buffer: "kappa",
                        ..
                    }
                ),
                "{err}"
            );
            let at_one = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 1.0)
                .unwrap()
                .engine(engine);
            let err = at_one.evaluate(&pred, &target, &mut out[1..]).unwrap_err();
            assert!(
                matches!(err, Error::BatchLength { buffer: "out", .. }),
                "{err}"
            );
        }
    }
}
