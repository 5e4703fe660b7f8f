//! Per-pair cost of the loss and of each way to its gradient, each batch method on the
//! lane engine and on the scalar num-dual path (65,536 pairs, one thread), and the
//! 1,000,000-pair batch on one thread and on all threads, on the peers' workload (κ = 1, see
//! `softiou::batch::workload`). Run with `cargo bench`; kept to a few minutes on 2 cores.
//!
//! The per-pair benchmarks cycle through 1024 different random pairs, so that branch
//! prediction sees the same unpredictability as in a real batch; throughput is reported
//! per pair.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use softiou::batch::workload::peer_pairs;
use softiou::batch::{Batch, Engine, Exec, baseline};
use softiou::{BBox, Loss, Smoothing, diff};

const OPS: [Smoothing; 2] = [Smoothing::Boltzmann, Smoothing::LogSumExp];
const CYCLE: usize = 1024;

fn boxes(n: usize) -> Vec<(BBox<f64>, BBox<f64>)> {
    let (pred, target) = peer_pairs(n, 0);
    pred.iter()
        .zip(&target)
        .map(|(p, t)| (BBox::from_xyxy(*p).unwrap(), BBox::from_xyxy(*t).unwrap()))
        .collect()
}

fn per_pair(c: &mut Criterion) {
    let pairs = boxes(CYCLE);
    for op in OPS {
        let loss = Loss::soft_iou(op);
        let mut g = c.benchmark_group(format!("per_pair/{op}"));
        g.throughput(Throughput::Elements(CYCLE as u64))
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        // Each closure sums a result over the cycle so that nothing is optimised away.
        g.bench_function("primal", |b| {
            b.iter(|| {
                let mut s = 0.0;
                for (p, t) in &pairs {
                    s += loss.eval(black_box(p), t, 1.0).unwrap();
                }
                s
            })
        });
        g.bench_function("grad_dualsvec", |b| {
            b.iter(|| {
                let mut s = 0.0;
                for (p, t) in &pairs {
                    s += diff::grad_pred(loss, black_box(p), t, 1.0).unwrap().grad[0];
                }
                s
            })
        });
        g.bench_function("grad_4x_dual", |b| {
            b.iter(|| {
                let mut s = 0.0;
                for (p, t) in &pairs {
                    s += baseline::grad_4x_dual(loss, black_box(p), t, 1.0)
                        .unwrap()
                        .grad[0];
                }
                s
            })
        });
        g.bench_function("grad_central_difference", |b| {
            b.iter(|| {
                let mut s = 0.0;
                for (p, t) in &pairs {
                    let g = baseline::grad_central_difference(loss, black_box(p), t, 1.0);
                    s += g.unwrap().grad[0];
                }
                s
            })
        });
        g.bench_function("hessian", |b| {
            b.iter(|| {
                let mut s = 0.0;
                for (p, t) in &pairs {
                    s += diff::hessian_pred(loss, black_box(p), t, 1.0)
                        .unwrap()
                        .hessian[0];
                }
                s
            })
        });
        g.finish();
    }
}

fn per_method(c: &mut Criterion) {
    const N: usize = 65_536;
    let (pred, target) = peer_pairs(N, 0);
    let (mut v, mut g) = (vec![0.0; N], vec![[0.0; 4]; N]);
    let (mut gt, mut dk) = (vec![[0.0; 4]; N], vec![0.0; N]);
    let mut h = vec![[[0.0; 4]; 4]; N];
    for op in OPS {
        let mut grp = c.benchmark_group(format!("batch_method/{op}"));
        grp.throughput(Throughput::Elements(N as u64))
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        let lanes = Batch::new(Loss::soft_iou(op), 1.0)
            .unwrap()
            .engine(Engine::Auto);
        let scalar = lanes.engine(Engine::Scalar);
        let (p, t) = (&pred, &target);
        grp.bench_function("primal", |b| b.iter(|| lanes.loss(p, t, &mut v).unwrap()));
        grp.bench_function("grad", |b| {
            b.iter(|| lanes.grad(p, t, &mut v, &mut g).unwrap())
        });
        grp.bench_function("grad_all", |b| {
            b.iter(|| lanes.grad_all(p, t, &mut v, &mut g, &mut gt).unwrap())
        });
        grp.bench_function("dkappa", |b| {
            b.iter(|| lanes.dkappa(p, t, &mut v, &mut dk).unwrap())
        });
        grp.bench_function("hessian", |b| {
            b.iter(|| lanes.hessian(p, t, &mut v, &mut g, &mut h).unwrap())
        });
        grp.bench_function("primal_scalar", |b| {
            b.iter(|| scalar.loss(p, t, &mut v).unwrap())
        });
        grp.bench_function("grad_scalar", |b| {
            b.iter(|| scalar.grad(p, t, &mut v, &mut g).unwrap())
        });
        grp.bench_function("hessian_scalar", |b| {
            b.iter(|| scalar.hessian(p, t, &mut v, &mut g, &mut h).unwrap())
        });
        grp.finish();
    }
}

fn batch_1m(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let (pred, target) = peer_pairs(N, 0);
    let (mut value, mut grad) = (vec![0.0; N], vec![[0.0; 4]; N]);
    for op in OPS {
        let mut g = c.benchmark_group(format!("batch_1m_grad/{op}"));
        g.throughput(Throughput::Elements(N as u64))
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        for (name, exec) in [
            ("one_thread", Exec::Serial),
            ("all_threads", Exec::Parallel),
        ] {
            let batch = Batch::new(Loss::soft_iou(op), 1.0).unwrap().exec(exec);
            g.bench_function(name, |b| {
                b.iter(|| batch.grad(&pred, &target, &mut value, &mut grad).unwrap())
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion draws them with plotters, which needs a system font that
    // the machines this runs on may not have (see docs/design.md); the numbers are printed.
    config = Criterion::default().without_plots();
    targets = per_pair, per_method, batch_1m
}
criterion_main!(benches);
