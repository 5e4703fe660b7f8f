#!/usr/bin/env python3
"""Time the soft IoU loss and its gradient in NumPy and JAX, on the workload softiou's
own benchmark uses (`cargo run --release --example throughput`), for comparison.

Requirements: python3 -m pip install "jax[cpu]" numpy

Workload: N random pairs of boxes (predicted, target), float64, kappa = 1; each box has
width and height uniform in [1, 50] and its lower corner uniform in [0, 100 - size], so
every coordinate lies in [0, 100]. (The Rust side draws the same distribution with its
own generator; the numbers are not the same boxes.)

Timed, per operator (boltzmann, logsumexp), as the median of --repeats calls after one
warm-up call (which includes JAX's compilation):
  numpy_loss          NumPy, loss only, vectorised over the pairs
  jax_loss            JAX jit + vmap, loss only
  jax_rev_grad        JAX jit + vmap of value_and_grad (reverse mode) wrt the predicted box
  jax_jacfwd          JAX jit + vmap of jacfwd wrt the predicted box (gradient only)
  jax_fwd_4jvp        JAX jit + vmap, loss + gradient from four forward-mode JVPs
Results are printed as nanoseconds per pair (median wall time / N).

--threads 1 pins the process to one CPU and asks XLA and the BLAS libraries for one
thread (set before JAX is imported); --threads default leaves both alone.

The smooth maximum is written so that its derivative is right at an exact tie (1/2 for
each argument): boltzmann as b + (a - b) * sigmoid(kappa (a - b)), logsumexp as
logaddexp(kappa a, kappa b) / kappa. `--check` prints the derivatives at a tie.

Usage:
    python3 benches/peers/peer_bench.py --n 1000000 --threads 1 --json peer.json
    python3 benches/peers/peer_bench.py --n 10000 --repeats 3 --check     # quick look
"""

import argparse
import json
import os
import platform
import sys
import time

KAPPA = 1.0
OPERATORS = ("boltzmann", "logsumexp")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="box pairs (default 1e6)")
    ap.add_argument("--repeats", type=int, default=5, help="timed calls (default 5)")
    ap.add_argument("--seed", type=int, default=0, help="NumPy seed of the workload")
    ap.add_argument("--threads", choices=("1", "default"), default="1")
    ap.add_argument("--skip-jax", action="store_true", help="NumPy only")
    ap.add_argument("--check", action="store_true",
                    help="also print loss and gradient at an exact tie and the NumPy/JAX "
                         "agreement on the workload")
    ap.add_argument("--json", help="write the results to this file as JSON")
    args = ap.parse_args(argv)
    if args.n < 1 or args.repeats < 1:
        ap.error("--n and --repeats must be at least 1")
    return args


def limit_to_one_thread():
    """Must run before NumPy and JAX are imported."""
    os.environ["XLA_FLAGS"] = (
        "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def workload(np, n, seed):
    rng = np.random.default_rng(seed)

    def boxes():
        w = rng.uniform(1.0, 50.0, n)
        h = rng.uniform(1.0, 50.0, n)
        x = rng.uniform(0.0, 1.0, n) * (100.0 - w)
        y = rng.uniform(0.0, 1.0, n) * (100.0 - h)
        return np.stack([x, y, x + w, y + h], axis=1)

    pred = boxes()
    target = boxes()
    return pred, target


def soft_iou_loss(xp, p, t, kappa, op, sigmoid):
    """The soft IoU loss for boxes p, t (last axis: x_min, y_min, x_max, y_max), written
    once for NumPy and jax.numpy (`xp`)."""
    if op == "boltzmann":
        def smax(a, b):
            d = a - b
            return b + d * sigmoid(kappa * d)
    else:
        def smax(a, b):
            return xp.logaddexp(kappa * a, kappa * b) / kappa

    def smin(a, b):
        return -smax(-a, -b)

    zero = xp.zeros_like(p[..., 0])
    w = smax(zero, smin(p[..., 2], t[..., 2]) - smax(p[..., 0], t[..., 0]))
    h = smax(zero, smin(p[..., 3], t[..., 3]) - smax(p[..., 1], t[..., 1]))
    inter = w * h
    area_p = (p[..., 2] - p[..., 0]) * (p[..., 3] - p[..., 1])
    area_t = (t[..., 2] - t[..., 0]) * (t[..., 3] - t[..., 1])
    return 1.0 - inter / (area_p + area_t - inter)


def numpy_sigmoid(np):
    def sigmoid(z):
        e = np.exp(-np.abs(z))  # never overflows
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return sigmoid


def jax_methods(jax, jnp, op):
    def loss(p, t, k):
        return soft_iou_loss(jnp, p, t, k, op, jax.nn.sigmoid)

    def fwd_value_and_grad(p, t, k):
        jvp = lambda v: jax.jvp(lambda q: loss(q, t, k), (p,), (v,))
        values, tangents = jax.vmap(jvp)(jnp.eye(4, dtype=p.dtype))
        return values[0], tangents

    axes = (0, 0, None)
    return {
        "jax_loss": jax.jit(jax.vmap(loss, in_axes=axes)),
        "jax_rev_grad": jax.jit(jax.vmap(jax.value_and_grad(loss), in_axes=axes)),
        "jax_jacfwd": jax.jit(jax.vmap(jax.jacfwd(loss), in_axes=axes)),
        "jax_fwd_4jvp": jax.jit(jax.vmap(fwd_value_and_grad, in_axes=axes)),
    }


def median_seconds(call, repeats):
    call()  # warm-up, compiles for JAX
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times


def main(argv=None):
    args = parse_args(argv)
    if args.threads == "1":
        limit_to_one_thread()
    import numpy as np

    pred, target = workload(np, args.n, args.seed)
    results = []

    def record(method, op, call):
        med, runs = median_seconds(call, args.repeats)
        ns = med / args.n * 1e9
        results.append({"method": method, "op": op, "ns_per_pair": ns,
                        "median_s": med, "runs_s": runs})
        print(f"{method:14s} {op:10s} {ns:9.1f} ns/pair", flush=True)

    sig = numpy_sigmoid(np)
    for op in OPERATORS:
        record("numpy_loss", op, lambda: soft_iou_loss(np, pred, target, KAPPA, op, sig))

    versions = {"python": platform.python_version(), "numpy": np.__version__}
    agreement = {}
    if not args.skip_jax:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        versions["jax"] = jax.__version__
        p, t = jnp.asarray(pred), jnp.asarray(target)
        k = jnp.asarray(KAPPA)
        for op in OPERATORS:
            for method, f in jax_methods(jax, jnp, op).items():
                record(method, op, lambda: jax.block_until_ready(f(p, t, k)))
            if args.check:
                ours = np.asarray(jax_methods(jax, jnp, op)["jax_loss"](p, t, k))
                ref = soft_iou_loss(np, pred, target, KAPPA, op, sig)
                agreement[op] = float(np.max(np.abs(ours - ref)))
                print(f"  {op}: max |JAX loss - NumPy loss| = {agreement[op]:.3g}")
                # an exact tie in every smooth max: identical boxes
                box = jnp.asarray([[1.0, 2.0, 4.0, 6.0]])
                val, grad = jax_methods(jax, jnp, op)["jax_rev_grad"](box, box, 0.5)
                print(f"  {op}: identical boxes [1, 2, 4, 6], kappa 0.5: loss "
                      f"{float(val[0])!r}, gradient wrt pred {np.asarray(grad[0]).tolist()}")

    doc = {"n": args.n, "kappa": KAPPA, "dtype": "float64", "threads": args.threads,
           "repeats": args.repeats, "seed": args.seed,
           "timing": "median wall time of the repeats after one warm-up call, / n",
           "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
           "versions": versions, "agreement_max_abs": agreement, "results": results}
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(doc, fh, indent=1)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
