"""`kappa_for` is the library's κ rule: the same number as `softiou kappa --json`, and the κ
it returns really keeps the soft loss within the tolerance of the hard one."""

import json
import subprocess

import numpy as np
import pytest

import softiou


@pytest.mark.parametrize("smoothing", ["boltzmann", "logsumexp"])
@pytest.mark.parametrize("side,tolerance", [(10.0, 0.01), (0.25, 0.05), (300.0, 0.001)])
def test_kappa_for_is_the_cli_rule(cli, smoothing, side, tolerance):
    out = subprocess.run(
        [cli, "kappa", "--side", repr(side), "--tolerance", repr(tolerance),
         "--smoothing", smoothing, "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    assert softiou.kappa_for(side, tolerance, smoothing) == json.loads(out)["kappa"]


def test_the_kappa_keeps_the_overlapping_pair_within_the_tolerance():
    # the rule's standard "overlapping" pair, scaled to side 4: at the returned κ the soft
    # loss is within the tolerance of the hard one (the rule takes the worst pair)
    side, tol = 4.0, 0.01
    k = softiou.kappa_for(side, tol, "logsumexp")
    p = np.array([[3.0, 2.0, 13.0, 12.0]]) * side / 10
    t = np.array([[0.0, 0.0, 10.0, 10.0]]) * side / 10
    soft = softiou.soft_iou_loss(p, t, k, "logsumexp")[0]
    hard = softiou.soft_iou_loss(p, t, k, "hard")[0]
    assert abs(soft - hard) <= tol


@pytest.mark.parametrize("args,pattern", [
    ((0.0, 0.01, "logsumexp"), r"^side: "),
    ((float("nan"), 0.01, "logsumexp"), r"^side: "),
    ((10.0, -1.0, "logsumexp"), r"tolerance"),
    ((10.0, 0.01, "hard"), r"no kappa to choose"),
    ((10.0, 0.01, "softmax"), r"^smoothing: "),
])
def test_bad_arguments_are_value_errors_naming_them(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        softiou.kappa_for(*args)
