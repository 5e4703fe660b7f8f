"""The example's κ sweep (its numbers, not its drawing: matplotlib is optional)."""

import importlib.util
from pathlib import Path

import numpy as np

import softiou

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kappa_sensitivity.py"


def load_example():
    spec = importlib.util.spec_from_file_location("kappa_sensitivity", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sweep_approaches_the_hard_loss_and_is_each_points_own_evaluation():
    ex = load_example()
    ks, side, curves, hard = ex.sweep(ex.PRED, ex.TARGET, points=50)
    assert side == 10.0
    # the example's pair: intersection 7·8 = 56, union 200 − 56 = 144
    assert hard == 1 - 56 / 144
    for op, (loss, dk) in curves.items():
        assert loss.shape == dk.shape == ks.shape == (50,)
        # at κ·s = 1000 each smooth max is within ln2/κ (0.07 % of a side) of the hard
        # one, so the loss is within 0.01 of the hard loss (the README's Figure 1)
        assert abs(loss[-1] - hard) < 0.01, op
        assert abs(loss[0] - hard) > 0.01, op  # and visibly off at κ·s = 0.5
        # point i of the sweep is the evaluation of the pair at that κ
        one = softiou.soft_iou_loss_and_grad([ex.PRED], [ex.TARGET], ks[7] / side, op)
        assert loss[7] == one.loss[0] and dk[7] == one.dloss_dkappa[0]
