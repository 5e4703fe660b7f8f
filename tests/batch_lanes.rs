//! The lane engine of the batch API against the scalar num-dual path (the oracle): on
//! every row of the reference data, in every lane position, for every loss and every
//! method; every SIMD level the machine has gives the same bits; errors are the scalar
//! path's, row for row.

mod common;

use common::{bbox, kappa, op};
use proptest::prelude::*;
use softiou::batch::workload::peer_pairs;
use softiou::batch::{Batch, Engine, Exec, Simd};
use softiou::{BBox, Loss, LossKind, Smoothing, region};

/// Everything the batch API computes for a set of rows.
#[derive(Debug, Clone, PartialEq)]
struct Out {
    loss: Vec<f64>,
    value_g: Vec<f64>,
    grad: Vec<[f64; 4]>,
    value_a: Vec<f64>,
    grad_p: Vec<[f64; 4]>,
    grad_t: Vec<[f64; 4]>,
    value_h: Vec<f64>,
    grad_h: Vec<[f64; 4]>,
    hessian: Vec<[[f64; 4]; 4]>,
    value_k: Vec<f64>,
    dkappa: Vec<f64>,
}

type Results = [Result<(), String>; 5];

fn run(b: Batch<f64>, pred: &[[f64; 4]], target: &[[f64; 4]]) -> (Out, Results) {
    let n = pred.len();
    let mut o = Out {
        loss: vec![0.0; n],
        value_g: vec![0.0; n],
        grad: vec![[0.0; 4]; n],
        value_a: vec![0.0; n],
        grad_p: vec![[0.0; 4]; n],
        grad_t: vec![[0.0; 4]; n],
        value_h: vec![0.0; n],
        grad_h: vec![[0.0; 4]; n],
        hessian: vec![[[0.0; 4]; 4]; n],
        value_k: vec![0.0; n],
        dkappa: vec![0.0; n],
    };
    let s = |r: softiou::Result<()>| r.map_err(|e| e.to_string());
    let r = [
        s(b.loss(pred, target, &mut o.loss)),
        s(b.grad(pred, target, &mut o.value_g, &mut o.grad)),
        s(b.grad_all(pred, target, &mut o.value_a, &mut o.grad_p, &mut o.grad_t)),
        s(b.hessian(pred, target, &mut o.value_h, &mut o.grad_h, &mut o.hessian)),
        s(b.dkappa(pred, target, &mut o.value_k, &mut o.dkappa)),
    ];
    (o, r)
}

fn side(b: &[f64; 4]) -> f64 {
    (b[2] - b[0]).min(b[3] - b[1])
}

/// Largest |a − b| over the components, divided by `scale`.
fn err<const N: usize>(a: &[f64; N], b: &[f64; N], scale: f64) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
        / scale
}

fn max_abs(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// The tolerances, with the scale-aware sizes of tests/reference.rs: loss relative to
/// max(1, |loss|) within 1e-14; gradients relative to max(largest |component|,
/// 1/shortest side) within 1e-12; ∂/∂κ relative to max(|∂/∂κ|, 1/κ) within 1e-12; the
/// Hessian relative to max(largest |entry|, 1/side²) within 1e-10. The lane results
/// differ from num-dual's by the lane exp/ln_1p (≤ 1 ulp from libm) and by the order in
/// which the duals round their products: ulps of each intermediate, amplified by the same
/// quotients as in the reference comparison (the Hessian holds third powers of 1/U,
/// hence two more digits of room).
///
/// Rows outside the meaningful region (soft IoU outside [0, 1], `logsumexp` near the
/// pole of the soft union) get 100 times the room: there the loss itself is a quotient
/// near its pole, which amplifies every rounding of its parts (a filler row at κ·s ≈ 0.05
/// with loss 42 differs by 1.6e-14 relative). The reference rows are all compared at the
/// strict sizes. `only` restricts the comparison to one row.
fn compare(
    lane: &Out,
    scalar: &Out,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: f64,
    op: Smoothing,
    only: Option<usize>,
    what: &str,
) {
    for i in 0..pred.len() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let s = side(&pred[i]).min(side(&target[i]));
        let (p, t) = (
            BBox::from_xyxy(pred[i]).unwrap(),
            BBox::from_xyxy(target[i]).unwrap(),
        );
        let room = if only.is_some() || region(&p, &t, kappa, op).unwrap().is_meaningful() {
            1.0
        } else {
            100.0
        };
        let lscale = |v: f64| v.abs().max(1.0);
        for (a, b) in [
            (lane.loss[i], scalar.loss[i]),
            (lane.value_g[i], scalar.value_g[i]),
            (lane.value_a[i], scalar.value_a[i]),
            (lane.value_h[i], scalar.value_h[i]),
            (lane.value_k[i], scalar.value_k[i]),
        ] {
            assert!(
                (a - b).abs() <= room * 1e-14 * lscale(b),
                "{what} row {i}: loss {a} vs {b}"
            );
        }
        let g = |x: &[f64; 4]| max_abs(x).max(1.0 / s);
        assert!(
            err(&lane.grad[i], &scalar.grad[i], g(&scalar.grad[i])) <= room * 1e-12,
            "{what} row {i}: grad {:?} vs {:?}",
            lane.grad[i],
            scalar.grad[i]
        );
        assert!(
            err(&lane.grad_h[i], &scalar.grad_h[i], g(&scalar.grad_h[i])) <= room * 1e-12,
            "{what} row {i}: hessian's grad"
        );
        let both = |a: &[f64; 4], b: &[f64; 4]| -> [f64; 8] {
            std::array::from_fn(|k| if k < 4 { a[k] } else { b[k - 4] })
        };
        let (la, sa) = (
            both(&lane.grad_p[i], &lane.grad_t[i]),
            both(&scalar.grad_p[i], &scalar.grad_t[i]),
        );
        assert!(
            err(&la, &sa, max_abs(&sa).max(1.0 / s)) <= room * 1e-12,
            "{what} row {i}: grad_all {la:?} vs {sa:?}"
        );
        let lh: [f64; 16] = std::array::from_fn(|k| lane.hessian[i][k / 4][k % 4]);
        let sh: [f64; 16] = std::array::from_fn(|k| scalar.hessian[i][k / 4][k % 4]);
        assert!(
            err(&lh, &sh, max_abs(&sh).max(1.0 / (s * s))) <= room * 1e-10,
            "{what} row {i}: hessian {lh:?} vs {sh:?}"
        );
        let d = (lane.dkappa[i] - scalar.dkappa[i]).abs() / scalar.dkappa[i].abs().max(1.0 / kappa);
        assert!(
            d <= room * 1e-12,
            "{what} row {i}: dkappa {} vs {}",
            lane.dkappa[i],
            scalar.dkappa[i]
        );
    }
}

fn reference_rows(text: &str) -> Vec<([f64; 4], [f64; 4], f64, Smoothing)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |k: usize| f[k].parse::<f64>().unwrap();
            (
                [n(0), n(1), n(2), n(3)],
                [n(4), n(5), n(6), n(7)],
                n(8),
                f[9].parse().unwrap(),
            )
        })
        .collect()
}

/// Each reference row, at lane position `row % 13` of a 13-row batch (a full chunk of 8
/// and a remainder of 5) filled with workload pairs, for every loss kind.
fn check_reference(text: &str) {
    let (fill_p, fill_t) = peer_pairs(13, 9);
    let mut rows_on_lanes = 0;
    for (r, (p, t, kappa, op)) in reference_rows(text).into_iter().enumerate() {
        let (mut pred, mut target) = (fill_p.clone(), fill_t.clone());
        pred[r % 13] = p;
        target[r % 13] = t;
        for kind in LossKind::ALL {
            let b = Batch::new(Loss::new(kind, op), kappa).unwrap();
            let (lane, lr) = run(b.engine(Engine::Auto), &pred, &target);
            let (scalar, sr) = run(b.engine(Engine::Scalar), &pred, &target);
            assert_eq!(lr, sr, "row {r} {kind}: errors differ");
            if sr.iter().all(Result::is_ok) {
                let what = format!("reference row {r} {kind} {op}");
                compare(
                    &lane,
                    &scalar,
                    (&pred, &target),
                    kappa,
                    op,
                    Some(r % 13),
                    &what,
                );
                rows_on_lanes += 1;
            }
        }
    }
    assert!(rows_on_lanes > 0);
}

#[test]
fn lanes_equal_the_num_dual_path_on_every_reference_row() {
    check_reference(include_str!("data/soft_iou_reference.csv"));
}

#[test]
fn lanes_equal_the_num_dual_path_on_every_extreme_reference_row() {
    check_reference(include_str!("data/soft_iou_reference_extreme.csv"));
}

#[test]
fn every_simd_level_the_machine_has_gives_the_same_bits() {
    // The instantiations run the same IEEE operations in the same order (no contraction
    // into FMA, libm's atan in every one), so equality is expected. The Hessian has no
    // portable kernel: at the portable level it is the scalar path's, bit for bit.
    let (pred, target) = peer_pairs(1003, 4);
    let levels: Vec<Simd> = Simd::ALL.into_iter().filter(|s| s.is_supported()).collect();
    assert!(levels.contains(&Simd::Portable) && levels.contains(&Simd::detected()));
    let without_hessian = |mut o: Out| {
        (o.value_h, o.grad_h, o.hessian) = (vec![], vec![], vec![]);
        o
    };
    for op in Smoothing::ALL {
        for kind in LossKind::ALL {
            let b = Batch::new(Loss::new(kind, op), 0.3).unwrap();
            let (first, fr) = run(b.engine(Engine::Lanes(levels[0])), &pred, &target);
            assert!(fr.iter().all(Result::is_ok));
            let (scalar, _) = run(b.engine(Engine::Scalar), &pred, &target);
            assert_eq!(
                (&first.value_h, &first.grad_h, &first.hessian),
                (&scalar.value_h, &scalar.grad_h, &scalar.hessian),
                "{op} {kind}: the portable Hessian is not the scalar path's"
            );
            for &l in &levels[1..] {
                let (o, r) = run(b.engine(Engine::Lanes(l)), &pred, &target);
                assert_eq!(r, fr);
                assert!(
                    without_hessian(o) == without_hessian(first.clone()),
                    "{op} {kind}: {l:?} differs from {:?}",
                    levels[0]
                );
            }
        }
    }
}

#[test]
fn every_remainder_length_and_parallel_runs_match_the_scalar_path() {
    let (pred, target) = peer_pairs(40, 6);
    for n in 0..=17 {
        let b = Batch::new(Loss::new(LossKind::Ciou, Smoothing::LogSumExp), 0.2).unwrap();
        let (lane, lr) = run(b.engine(Engine::Auto), &pred[..n], &target[..n]);
        let (scalar, sr) = run(b.engine(Engine::Scalar), &pred[..n], &target[..n]);
        assert_eq!(lr, sr);
        let what = format!("n = {n}");
        compare(
            &lane,
            &scalar,
            (&pred[..n], &target[..n]),
            0.2,
            Smoothing::LogSumExp,
            None,
            &what,
        );
    }
    let (pred, target) = peer_pairs(10_001, 7);
    let b = Batch::new(Loss::soft_iou(Smoothing::Boltzmann), 1.0).unwrap();
    assert_eq!(
        run(b.engine(Engine::Auto), &pred, &target),
        run(b.engine(Engine::Auto).exec(Exec::Parallel), &pred, &target)
    );
}

#[test]
fn exact_ties_get_the_derivative_one_half_on_lanes() {
    // P = T: every smooth max/min is at a tie; the hard operator's gradient is made of
    // the tie derivatives 1/2 alone, and must equal the scalar path's exactly.
    let pred = vec![[1.0, 2.0, 5.0, 7.0]; 9];
    for op in Smoothing::ALL {
        let b = Batch::new(Loss::soft_iou(op), 0.5).unwrap();
        let (lane, lr) = run(b.engine(Engine::Auto), &pred, &pred);
        let (scalar, sr) = run(b.engine(Engine::Scalar), &pred, &pred);
        assert!(lr.iter().all(Result::is_ok) && sr.iter().all(Result::is_ok));
        if op == Smoothing::Hard {
            assert_eq!(lane.grad, scalar.grad);
            assert_eq!(lane.grad_p, scalar.grad_p);
            assert_eq!(lane.hessian, scalar.hessian);
        }
        assert!(lane.grad.iter().flatten().all(|g| g.is_finite()));
        compare(
            &lane,
            &scalar,
            (&pred, &pred),
            0.5,
            op,
            None,
            &format!("ties {op}"),
        );
    }
}

#[test]
fn bad_rows_are_the_scalar_paths_errors_with_their_index() {
    let (mut pred, target) = peer_pairs(30, 8);
    pred[19] = [3.0, 3.0, 3.0, 9.0]; // empty box, in the third chunk
    pred[26] = [f64::NAN, 0.0, 1.0, 1.0];
    for exec in [Exec::Serial, Exec::Parallel] {
        let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 1.0)
            .unwrap()
            .exec(exec);
        let (_, lr) = run(b.engine(Engine::Auto), &pred, &target);
        let (_, sr) = run(b.engine(Engine::Scalar), &pred, &target);
        assert_eq!(lr, sr);
        for r in &lr {
            assert!(
                r.as_ref()
                    .unwrap_err()
                    .starts_with("pair 19 (0-based), predicted box"),
                "{r:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn lanes_equal_the_scalar_path_for_any_input(
        kind in prop::sample::select(LossKind::ALL.to_vec()), op in op(), k in kappa(-2.0, 2.0),
        boxes in prop::collection::vec((bbox(1e3, -3.0, 3.0), bbox(1e3, -3.0, 3.0)), 1..30),
    ) {
        let pred: Vec<[f64; 4]> = boxes.iter().map(|(p, _)| p.to_xyxy()).collect();
        let target: Vec<[f64; 4]> = boxes.iter().map(|(_, t)| t.to_xyxy()).collect();
        let b = Batch::new(Loss::new(kind, op), k).unwrap();
        let (lane, lr) = run(b.engine(Engine::Auto), &pred, &target);
        let (scalar, sr) = run(b.engine(Engine::Scalar), &pred, &target);
        prop_assert_eq!(&lr, &sr);
        if sr.iter().all(Result::is_ok) {
            compare(&lane, &scalar, (&pred, &target), k, op, None, "proptest");
        }
    }
}

/// The parts of an evaluation computed per pair on the scalar path on both engines
/// (IoU, hard IoU, κ·s as bits; the region), which the engines give exactly alike.
fn per_pair_parts(e: &softiou::evaluate::Evaluation) -> (u64, u64, u64, softiou::Region) {
    (
        e.iou.to_bits(),
        e.hard_iou.to_bits(),
        e.kappa_s.to_bits(),
        e.region,
    )
}

/// The full evaluation with a κ per pair, as `softiou batch` runs it (grouped by operator,
/// on lanes), against the scalar path: each reference row at lane position `row % 13` of
/// a 13-row batch of workload pairs at κ = 1, for every loss kind. The soft IoU, hard IoU,
/// κ·s and region are computed per pair on the scalar path on both engines (equal bit for
/// bit); the loss and the derivatives within the tolerances of [`compare`].
fn check_reference_evaluations(text: &str) {
    use softiou::evaluate::Evaluation;
    let (fill_p, fill_t) = peer_pairs(13, 9);
    let mut rows_on_lanes = 0;
    for (r, (p, t, k, op)) in reference_rows(text).into_iter().enumerate() {
        let (Ok(pb), Ok(tb)) = (BBox::from_xyxy(p), BBox::from_xyxy(t)) else {
            continue;
        };
        let mut pred: Vec<BBox<f64>> = fill_p
            .iter()
            .map(|&b| BBox::from_xyxy(b).unwrap())
            .collect();
        let mut target: Vec<BBox<f64>> = fill_t
            .iter()
            .map(|&b| BBox::from_xyxy(b).unwrap())
            .collect();
        let mut kappas = vec![1.0; 13];
        (pred[r % 13], target[r % 13], kappas[r % 13]) = (pb, tb, k);
        for kind in LossKind::ALL {
            let b = Batch::kappa_per_pair(Loss::new(kind, op));
            let mut lane = vec![Evaluation::default(); 13];
            let mut scalar = vec![Evaluation::default(); 13];
            let lr = b
                .engine(Engine::Auto)
                .evaluate_kappas(&pred, &target, &kappas, &mut lane);
            let sr = b.evaluate_kappas(&pred, &target, &kappas, &mut scalar);
            let text = |r: &softiou::Result<()>| r.as_ref().map_err(ToString::to_string).copied();
            assert_eq!(text(&lr), text(&sr), "row {r} {kind}: errors differ");
            if sr.is_err() {
                continue;
            }
            rows_on_lanes += 1;
            for i in 0..13 {
                let (l, s) = (&lane[i], &scalar[i]);
                let what = format!("reference row {r} {kind} {op}, position {i}: {l:?} vs {s:?}");
                assert_eq!(per_pair_parts(l), per_pair_parts(s), "{what}");
                let room = if s.region.is_meaningful() || i == r % 13 {
                    1.0
                } else {
                    100.0
                };
                let side = pred[i].min_side().min(target[i].min_side());
                assert!(
                    (l.loss - s.loss).abs() <= room * 1e-14 * s.loss.abs().max(1.0),
                    "{what}"
                );
                let sg: Vec<f64> = s.grad_pred.iter().chain(&s.grad_target).copied().collect();
                let lg: Vec<f64> = l.grad_pred.iter().chain(&l.grad_target).copied().collect();
                let scale = max_abs(&sg).max(1.0 / side);
                for (a, b) in lg.iter().zip(&sg) {
                    assert!((a - b).abs() <= room * 1e-12 * scale, "{what}");
                }
                let dscale = s.dloss_dkappa.abs().max(1.0 / kappas[i]);
                assert!(
                    (l.dloss_dkappa - s.dloss_dkappa).abs() <= room * 1e-12 * dscale,
                    "{what}"
                );
            }
        }
    }
    assert!(rows_on_lanes > 0);
}

#[test]
fn per_pair_kappa_evaluations_on_lanes_equal_the_num_dual_path_on_every_reference_row() {
    check_reference_evaluations(include_str!("data/soft_iou_reference.csv"));
    check_reference_evaluations(include_str!("data/soft_iou_reference_extreme.csv"));
}

#[test]
fn rows_the_lanes_leave_to_the_scalar_path_are_its_evaluations_bit_for_bit() {
    use softiou::evaluate::{Evaluation, evaluate};
    // A tiny κ (below 2^-163 logsumexp rescales lengths, which the lanes leave to the
    // scalar path): the lanes hand its chunk of 8 rows to the scalar path, which gives
    // exactly `evaluate` for every row of it (κ·s = 1e-12·s, near the pole, among them);
    // a row in the next chunk is on lanes.
    let (p, t) = peer_pairs(11, 3);
    let pred: Vec<BBox<f64>> = p.iter().map(|&b| BBox::from_xyxy(b).unwrap()).collect();
    let target: Vec<BBox<f64>> = t.iter().map(|&b| BBox::from_xyxy(b).unwrap()).collect();
    let mut kappas = vec![0.7; 11];
    kappas[2] = 1e-60;
    kappas[5] = 1e-12;
    let loss = Loss::soft_iou(Smoothing::LogSumExp);
    let mut out = vec![Evaluation::default(); 11];
    Batch::kappa_per_pair(loss)
        .engine(Engine::Auto)
        .evaluate_kappas(&pred, &target, &kappas, &mut out)
        .unwrap();
    for i in 0..8 {
        assert_eq!(
            out[i],
            evaluate(loss, &pred[i], &target[i], kappas[i]).unwrap(),
            "row {i}"
        );
    }
    let last = evaluate(loss, &pred[9], &target[9], 0.7).unwrap();
    assert!((out[9].loss - last.loss).abs() <= 1e-14 * last.loss.max(1.0));
}

/// A κ and an operator per pair: each row is exactly what a batch of its operator alone
/// gives it (on both engines), and a failing row is named by its index in the input,
/// the smallest failing one when several operators fail.
#[test]
fn per_pair_operators_give_each_row_its_own_operators_result() {
    use softiou::evaluate::Evaluation;
    let n = 203; // several lane chunks, a remainder, three interleaved operators
    let (p, t) = peer_pairs(n, 17);
    let pred: Vec<BBox<f64>> = p.iter().map(|&b| BBox::from_xyxy(b).unwrap()).collect();
    let target: Vec<BBox<f64>> = t.iter().map(|&b| BBox::from_xyxy(b).unwrap()).collect();
    let kappa: Vec<f64> = (0..n).map(|i| 0.25 + (i % 7) as f64 * 0.5).collect();
    let ops: Vec<Smoothing> = (0..n)
        .map(|i| Smoothing::ALL[(i * i + i / 3) % 3])
        .collect();
    for kind in LossKind::ALL {
        for engine in [Engine::Scalar, Engine::Auto] {
            let batch = Batch::kappa_per_pair(Loss::new(kind, Smoothing::Boltzmann)).engine(engine);
            let mut mixed = vec![Evaluation::default(); n];
            batch
                .evaluate_per_pair(&pred, &target, &kappa, &ops, &mut mixed)
                .unwrap();
            for op in Smoothing::ALL {
                let alone = Batch::kappa_per_pair(Loss::new(kind, op)).engine(engine);
                let mut each = vec![Evaluation::default(); n];
                alone
                    .evaluate_kappas(&pred, &target, &kappa, &mut each)
                    .unwrap();
                for i in (0..n).filter(|&i| ops[i] == op) {
                    // on the scalar path bit for bit; on lanes a row's chunk holds other
                    // rows here than there, and a chunk the lanes leave to the scalar path
                    // takes all its rows with it: within the lane tolerance
                    let (a, b) = (&mixed[i], &each[i]);
                    if engine == Engine::Scalar {
                        assert_eq!(a, b, "{kind} {op} row {i}");
                        continue;
                    }
                    // the tolerances of `compare` (the peer workload's rows are all in
                    // the meaningful region); the per-pair scalar parts exactly
                    let what = format!("{kind} {op} row {i}: {a:?} vs {b:?}");
                    assert!(
                        (a.loss - b.loss).abs() <= 1e-14 * b.loss.abs().max(1.0),
                        "{what}"
                    );
                    let s = side(&p[i]).min(side(&t[i]));
                    let g = |x: &[f64; 4]| max_abs(x).max(1.0 / s);
                    assert!(
                        err(&a.grad_pred, &b.grad_pred, g(&b.grad_pred)) <= 1e-12,
                        "{what}"
                    );
                    assert!(
                        err(&a.grad_target, &b.grad_target, g(&b.grad_target)) <= 1e-12,
                        "{what}"
                    );
                    let dk = (a.dloss_dkappa - b.dloss_dkappa).abs();
                    assert!(
                        dk <= 1e-12 * b.dloss_dkappa.abs().max(1.0 / kappa[i]),
                        "{what}"
                    );
                    assert_eq!(per_pair_parts(a), per_pair_parts(b), "{what}");
                }
            }
            // failures in two operators' groups: the smallest input index is reported
            let mut bad = kappa.clone();
            let (first, later) = (41, 97);
            assert_ne!(ops[first], ops[later]);
            bad[later] = f64::NAN;
            bad[first] = -1.0;
            let err = batch
                .evaluate_per_pair(&pred, &target, &bad, &ops, &mut mixed)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("pair {first} (0-based), kappa")),
                "{err}"
            );
            let err = batch
                .evaluate_per_pair(&pred, &target, &kappa, &ops[1..], &mut mixed)
                .unwrap_err()
                .to_string();
            assert!(err.contains("smoothing"), "{err}");
        }
    }
}

/// A union below the smallest normal number (boxes of side 1e-155): `1/U` overflows, so
/// the loss is not finite and both engines report the same error for the same pair; the
/// lanes must not return the number a direct division would give.
#[test]
fn a_subnormal_union_fails_on_both_engines_alike() {
    let tiny = [0.0, 0.0, 1e-155, 1e-155];
    let (mut pred, mut target) = peer_pairs(11, 3);
    pred[6] = tiny;
    target[6] = tiny;
    for op in [Smoothing::Boltzmann, Smoothing::LogSumExp, Smoothing::Hard] {
        let b = Batch::new(Loss::soft_iou(op), 1e160).unwrap();
        let mut v = vec![0.0; 11];
        let scalar = b.loss(&pred, &target, &mut v).map_err(|e| e.to_string());
        let lanes = b
            .engine(Engine::Auto)
            .loss(&pred, &target, &mut v)
            .map_err(|e| e.to_string());
        assert_eq!(lanes, scalar, "{op}");
        assert!(scalar.unwrap_err().starts_with("pair 6 (0-based)"), "{op}");
    }
}
