#!/usr/bin/env python3
"""Speed of the softiou package against JAX on the peer benchmark's workload.

    python python/bench/bench.py [--n 1000000] [--repeats 5] [--json out.json]

N random box pairs (float64, κ = 1; widths and heights uniform in [1, 50], corners placed
so that every coordinate is in [0, 100]), the soft-IoU loss with the `logsumexp` and
`boltzmann` operators. For each thread setting a worker process times, on the same arrays:

  softiou  loss                    soft_iou_loss
  softiou  loss + grad(p)          soft_iou_loss_and_grad(..., wrt="pred")
  softiou  loss + grad(p, t, κ)    soft_iou_loss_and_grad (wrt pred and target, d/dκ)
  softiou  Hessian                 hessian (4×4 wrt pred, with loss and gradient)
  JAX      loss                    jit(vmap(loss))
  JAX      loss + grad(pred)       jit(vmap(value_and_grad(loss)))
  JAX      loss + grad(p, t, κ)    jit(vmap(value_and_grad(loss, argnums=(0, 1, 2))))

Thread settings: "1" pins the worker to one CPU (sched_setaffinity), passes threads=1 to
softiou and starts XLA single-threaded; "all" uses every core (softiou's default rayon pool,
XLA's default). Each figure is the median of --repeats timed calls after one warm-up
call (which includes JAX's compilation), in nanoseconds per pair.

JAX is optional: `pip install "jax[cpu]"`; without it only softiou is timed and the
script says so. The CI never runs this script.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

KAPPA = 1.0
OPS = ("logsumexp", "boltzmann")


def make_boxes(n, seed):
    """The peers' workload: widths/heights in [1, 50], all coordinates in [0, 100]."""
    rng = np.random.default_rng(seed)

    def boxes():
        w = rng.uniform(1.0, 50.0, n)
        h = rng.uniform(1.0, 50.0, n)
        x0 = rng.uniform(0.0, 1.0, n) * (100.0 - w)
        y0 = rng.uniform(0.0, 1.0, n) * (100.0 - h)
        return np.stack([x0, y0, x0 + w, y0 + h], axis=1)

    return boxes(), boxes()


def median_seconds(fn, repeats):
    fn()  # warm-up (and JAX's compilation)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def jax_functions(op):
    """The soft-IoU loss of one pair in JAX (the peers' transcription), vmapped and jitted."""
    import jax
    import jax.numpy as jnp

    if op == "boltzmann":
        def smax(a, b, k):
            d = a - b
            return b + d * jax.nn.sigmoid(k * d)
    else:
        def smax(a, b, k):
            return jnp.maximum(a, b) + jnp.log1p(jnp.exp(-k * jnp.abs(a - b))) / k

    def smin(a, b, k):
        return -smax(-a, -b, k)

    def loss(p, t, k):
        x1 = smax(p[0], t[0], k)
        y1 = smax(p[1], t[1], k)
        x2 = smin(p[2], t[2], k)
        y2 = smin(p[3], t[3], k)
        w = smax(0.0, x2 - x1, k)
        h = smax(0.0, y2 - y1, k)
        inter = w * h
        union = (p[2] - p[0]) * (p[3] - p[1]) + (t[2] - t[0]) * (t[3] - t[1]) - inter
        return 1.0 - inter / union

    axes = (0, 0, None)
    return {
        "loss": jax.jit(jax.vmap(loss, in_axes=axes)),
        "grad_pred": jax.jit(jax.vmap(jax.value_and_grad(loss), in_axes=axes)),
        "grad_all": jax.jit(
            jax.vmap(jax.value_and_grad(loss, argnums=(0, 1, 2)), in_axes=axes)
        ),
    }


def worker(args):
    if args.threads == "1":
        # before JAX starts its thread pools
        os.environ["XLA_FLAGS"] = (
            "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        )
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import softiou

    threads = 1 if args.threads == "1" else None
    pred, target = make_boxes(args.n, args.seed)
    rows, notes = [], []

    def add(who, what, op, seconds):
        ns = seconds / args.n * 1e9
        rows.append({"who": who, "what": what, "op": op, "threads": args.threads,
                     "ns_per_pair": ns})
        print(f"  [{args.threads:>3}] {who:8s} {what:26s} {op:10s} {ns:9.1f} ns/pair",
              file=sys.stderr, flush=True)

    ours = {}
    for op in OPS:
        ours[op] = softiou.soft_iou_loss_and_grad(pred, target, KAPPA, op, threads=threads)
        add("softiou", "loss", op, median_seconds(
            lambda: softiou.soft_iou_loss(pred, target, KAPPA, op, threads=threads),
            args.repeats))
        add("softiou", "loss + grad(p)", op, median_seconds(
            lambda: softiou.soft_iou_loss_and_grad(pred, target, KAPPA, op, wrt="pred",
                                                   threads=threads),
            args.repeats))
        add("softiou", "loss + grad(p, t, κ)", op, median_seconds(
            lambda: softiou.soft_iou_loss_and_grad(pred, target, KAPPA, op, threads=threads),
            args.repeats))
        add("softiou", "Hessian (+ loss, grad p)", op, median_seconds(
            lambda: softiou.hessian(pred, target, KAPPA, op, threads=threads),
            max(1, args.repeats // 2)))

    try:
        import jax
    except ImportError:
        notes.append("jax is not installed (pip install \"jax[cpu]\"): JAX not timed")
        print("NOTE: " + notes[-1], file=sys.stderr)
    else:
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        pj, tj = jax.device_put(jnp.asarray(pred)), jax.device_put(jnp.asarray(target))
        kj = jnp.asarray(KAPPA, dtype=jnp.float64)
        notes.append(f"jax {jax.__version__}")
        for op in OPS:
            fns = jax_functions(op)
            for what, label in [("loss", "loss"), ("grad_pred", "loss + grad(p)"),
                                ("grad_all", "loss + grad(p, t, κ)")]:
                f = fns[what]
                add("JAX", label, op, median_seconds(
                    lambda: jax.block_until_ready(f(pj, tj, kj)), args.repeats))
            # the same function? (agreement with the exact values, not a timing)
            value, grad = fns["grad_pred"](pj, tj, kj)
            notes.append(
                f"{op}: max |JAX − softiou| loss {np.max(np.abs(np.asarray(value) - ours[op].loss)):.1e}, "
                f"grad wrt pred {np.max(np.abs(np.asarray(grad) - ours[op].grad_pred)):.1e}"
            )
    with open(args.worker_out, "w") as f:
        json.dump({"rows": rows, "notes": notes,
                   "cpus": len(os.sched_getaffinity(0))}, f)


def table(rows, n):
    """Markdown: one line per (who, what), columns op × threads."""
    cols = [(op, th) for op in OPS for th in ("1", "all")]
    keys = []
    for r in rows:
        k = (r["who"], r["what"])
        if k not in keys:
            keys.append(k)
    head = "| ns per pair (N = {:,}) | ".format(n) + " | ".join(
        f"{op}, {'1 thread' if th == '1' else 'all threads'}" for op, th in cols) + " |"
    lines = [head, "|---|" + "---:|" * len(cols)]
    for who, what in keys:
        cells = []
        for op, th in cols:
            v = [r["ns_per_pair"] for r in rows
                 if (r["who"], r["what"], r["op"], r["threads"]) == (who, what, op, th)]
            cells.append(f"{v[0]:.0f}" if v else "—")
        lines.append(f"| {who}: {what} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--threads", default="all", help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)

    import tempfile

    rows, notes, cpus = [], [], {}
    with tempfile.TemporaryDirectory() as d:
        for threads in ("1", "all"):
            out = os.path.join(d, f"{threads}.json")
            env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
            subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--worker",
                 "--threads", threads, "--n", str(args.n), "--repeats", str(args.repeats),
                 "--seed", str(args.seed), "--worker-out", out],
                env=env, check=True,
            )
            with open(out) as f:
                got = json.load(f)
            rows += got["rows"]
            cpus[threads] = got["cpus"]
            notes += [f"[{threads}] {s}" for s in got["notes"]]
    print()
    print(table(rows, args.n))
    print()
    print(f"CPUs used: 1 thread = {cpus['1']}, all threads = {cpus['all']} "
          f"({platform.processor() or platform.machine()}, Python {platform.python_version()})")
    for s in notes:
        print(s)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "notes": notes, "n": args.n}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
