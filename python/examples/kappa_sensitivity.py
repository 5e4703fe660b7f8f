#!/usr/bin/env python3
"""How the smoothing temperature κ changes the soft-IoU loss of your own boxes.

    python python/examples/kappa_sensitivity.py [--out kappa_sensitivity.png]

A κ sweep is one call: repeat the pair along a κ grid and pass the grid as the per-pair κ.
The package returns the loss and ∂loss/∂κ at every grid point; the figure shows both
against the dimensionless κ·s (s = the target's shorter side), with the hard loss dashed;
∂loss/∂κ shows how fast the loss still moves with κ (it vanishes like e^(−κ·gap) once
every compared pair of edges is apart by more than a few 1/κ).
matplotlib is optional (`pip install matplotlib`): without it the script prints the
numbers instead of drawing them.
"""

# %% set-up
import argparse

import numpy as np

import softiou

PRED = [3.0, 2.0, 13.0, 12.0]  # overlapping the target, shifted by (3, 2)
TARGET = [0.0, 0.0, 10.0, 10.0]
OPERATORS = ("boltzmann", "logsumexp")


# %% the sweep: numbers only
def sweep(pred, target, ks_min=0.5, ks_max=1000.0, points=200):
    """κ·s grid, s, and for each operator the loss and ∂loss/∂κ on the grid; the hard
    loss."""
    pred, target = np.asarray(pred, float), np.asarray(target, float)
    side = min(target[2] - target[0], target[3] - target[1])
    ks = np.geomspace(ks_min, ks_max, points)
    p = np.tile(pred, (points, 1))
    t = np.tile(target, (points, 1))
    curves = {}
    for op in OPERATORS:
        out = softiou.soft_iou_loss_and_grad(p, t, ks / side, smoothing=op)
        curves[op] = (out.loss, out.dloss_dkappa)
    hard = float(softiou.soft_iou_loss(p[:1], t[:1], 1.0, smoothing="hard")[0])
    return ks, side, curves, hard


# %% the figure: a pure function of the sweep's numbers
def draw(ks, side, curves, hard, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 6.4))
    for op, (loss, dk) in curves.items():
        top.plot(ks, loss, label=op)
        # κ·∂loss/∂κ: the change of the loss per relative change of κ (dimensionless)
        bottom.plot(ks, np.abs(ks / side * dk), label=op)
    top.axhline(hard, color="k", ls="--", lw=1, label="hard")
    top.set_ylabel("soft IoU loss")
    top.set_title("Soft IoU loss of one box pair against κ·s")
    top.legend()
    bottom.set_xscale("log")
    bottom.set_yscale("log")
    bottom.set_xlabel("κ·s (s = target's shorter side)")
    bottom.set_ylim(1e-8, 10)
    bottom.set_ylabel("|κ·∂loss/∂κ|")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


# %% run
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="kappa_sensitivity.png")
    args = ap.parse_args()
    ks, side, curves, hard = sweep(PRED, TARGET)
    try:
        draw(ks, side, curves, hard, args.out)
    except ImportError:
        print("matplotlib is not installed (pip install matplotlib); the numbers:")
        print("kappa_s," + ",".join(f"loss_{op}" for op in curves) + f"  (hard loss {hard})")
        for i in range(0, len(ks), 20):
            print(f"{ks[i]:.4g}," + ",".join(f"{curves[op][0][i]:.6f}" for op in curves))


if __name__ == "__main__":
    main()
