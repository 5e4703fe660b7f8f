"""The documented use of `*_and_grad`: the exact reference for someone else's
implementation of the soft-IoU loss (here a NumPy transcription of the formula, standing
in for a PyTorch or JAX one). The recipe checks the values directly and the gradient
through central differences of the implementation under test; a wrong implementation
must fail it."""

import numpy as np
import pytest

import softiou
from conftest import random_pairs


def make_loss(op, bug=None):
    """The soft-IoU loss 1 − I/U of N pairs with smooth max/min `op`, written from the
    formula: w = srelu(smin(px2, tx2) − smax(px1, tx1)), likewise h, I = w·h,
    U = area(P) + area(T) − I. `bug` plants a mistake of the kind a port makes."""
    def loss(p, t, k):
        if op == "logsumexp":
            def smax(a, b):
                return np.maximum(a, b) + np.log1p(np.exp(-k * np.abs(a - b))) / k
        else:  # boltzmann, as the stable b + (a − b)·σ(κ(a − b))
            def smax(a, b):
                d = a - b
                z = np.exp(-np.abs(k * d))
                sig = np.where(d >= 0, 1 / (1 + z), z / (1 + z))
                return b + d * sig

        def smin(a, b):
            return -smax(-a, -b)

        x1, y1 = smax(p[:, 0], t[:, 0]), smax(p[:, 1], t[:, 1])
        x2 = smin(p[:, 2], t[:, 2])
        # the planted bug: the y-extent of the intersection with a smooth max
        y2 = smax(p[:, 3], t[:, 3]) if bug == "smax for smin" else smin(p[:, 3], t[:, 3])
        w, h = smax(0.0, x2 - x1), smax(0.0, y2 - y1)
        if bug == "no soft relu":
            w = x2 - x1
        inter = w * h
        union = ((p[:, 2] - p[:, 0]) * (p[:, 3] - p[:, 1])
                 + (t[:, 2] - t[:, 0]) * (t[:, 3] - t[:, 1]) - inter)
        return 1 - inter / union
    return loss


def central_gradient(f, p, t, k):
    """∂f/∂p by central differences, each coordinate stepped by h = 1e-6·max(1, |x|)."""
    g = np.empty_like(p)
    for j in range(4):
        h = 1e-6 * np.maximum(1.0, np.abs(p[:, j]))
        up, down = p.copy(), p.copy()
        up[:, j] += h
        down[:, j] -= h
        g[:, j] = (f(up, t, k) - f(down, t, k)) / (up[:, j] - down[:, j])
    return g


def check_against_oracle(loss, p, t, kappa, op):
    """The recipe of python/README.md: values to 1e-12, gradients to 1e-6.

    Values: both sides evaluate the same formula in float64; the only difference is the
    order of a few dozen roundings, far below 1e-12 on losses of order 1.
    Gradients: with h = 1e-6 (relative), the truncation error of the central difference is
    ~h²·|f'''|/6 and the rounding error ~1e-16/h = 1e-10; the third derivatives of
    these losses are O(κ³) ≤ 8 here, so both terms stay below 1e-9, and a planted bug
    changes the gradient by orders of magnitude more than 1e-6."""
    exact = softiou.soft_iou_loss_and_grad(p, t, kappa, smoothing=op)
    np.testing.assert_allclose(loss(p, t, kappa), exact.loss, rtol=0, atol=1e-12)
    np.testing.assert_allclose(central_gradient(loss, p, t, kappa), exact.grad_pred,
                               rtol=0, atol=1e-6)


@pytest.mark.parametrize("op", ["logsumexp", "boltzmann"])
@pytest.mark.parametrize("kappa", [0.5, 2.0])
def test_a_correct_implementation_passes_the_exact_oracle(op, kappa):
    p, t = random_pairs(500, seed=11)
    check_against_oracle(make_loss(op), p, t, kappa, op)


@pytest.mark.parametrize("op", ["logsumexp", "boltzmann"])
@pytest.mark.parametrize("bug", ["smax for smin", "no soft relu"])
def test_a_wrong_implementation_fails_it(op, bug):
    p, t = random_pairs(500, seed=11)
    with pytest.raises(AssertionError):
        check_against_oracle(make_loss(op, bug), p, t, 2.0, op)


def test_the_exact_gradient_also_checks_a_gradient_written_by_hand():
    """A hand-derived gradient wrt the predicted box for the hard IoU loss of
    overlapping pairs (the kind of formula a custom CUDA kernel implements):
    with w = min(px2, tx2) − max(px1, tx1) > 0, ∂I/∂px1 = −h if px1 > tx1 else 0, …,
    ∂L/∂p = −(∂I·U − I·(∂A_P − ∂I))/U²."""
    p, t = random_pairs(2000, seed=5)
    exact = softiou.soft_iou_loss_and_grad(p, t, 1.0, smoothing="hard")
    x1, y1 = np.maximum(p[:, 0], t[:, 0]), np.maximum(p[:, 1], t[:, 1])
    x2, y2 = np.minimum(p[:, 2], t[:, 2]), np.minimum(p[:, 3], t[:, 3])
    w, h = x2 - x1, y2 - y1
    keep = (w > 0) & (h > 0)
    # no exact ties of coordinates in random data: every max/min has a clear winner
    assert keep.sum() > 500
    inter = w * h
    pw, ph = p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]
    union = pw * ph + (t[:, 2] - t[:, 0]) * (t[:, 3] - t[:, 1]) - inter
    d_inter = np.stack([-h * (p[:, 0] > t[:, 0]), -w * (p[:, 1] > t[:, 1]),
                        (p[:, 2] < t[:, 2]) * h, (p[:, 3] < t[:, 3]) * w], axis=1)
    d_area = np.stack([-ph, -pw, ph, pw], axis=1)
    d_union = d_area - d_inter
    hand = -(d_inter * union[:, None] - inter[:, None] * d_union) / union[:, None] ** 2
    # Same formula in a different order: a few roundings on gradients of size ≤ 0.2.
    np.testing.assert_allclose(hand[keep], exact.grad_pred[keep], rtol=0, atol=1e-14)
