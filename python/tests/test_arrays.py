"""Dtypes, memory layouts, shapes, κ forms, box formats and reductions: every way of
passing the same boxes gives the same numbers."""

import numpy as np
import pytest

import softiou
from conftest import random_pairs

P, T = random_pairs(257, seed=1)
ALL = [
    softiou.soft_iou_loss, softiou.giou_loss, softiou.diou_loss, softiou.ciou_loss,
]
ALL_GRAD = [
    softiou.soft_iou_loss_and_grad, softiou.giou_loss_and_grad,
    softiou.diou_loss_and_grad, softiou.ciou_loss_and_grad,
]


def same(a, b):
    """The same array: shape, dtype and every bit."""
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("loss", ALL)
def test_f_contiguous_strided_and_read_only_arrays_give_the_same_bits(loss):
    base = loss(P, T, 0.8)
    assert base.dtype == np.float64 and base.shape == (len(P),)
    wide = np.hstack([P, T])  # (N, 8): the columns :4 and 4: are strided views
    reversed_rows = P[::-1].copy()[::-1]  # negative row stride
    every_other = np.repeat(P, 2, axis=0)[::2]  # row stride of 8 doubles
    frozen = P.copy()
    frozen.flags.writeable = False
    for pred, target in [
        (np.asfortranarray(P), np.asfortranarray(T)),
        (wide[:, :4], wide[:, 4:]),
        (reversed_rows, T),
        (every_other, T),
        (frozen, T),
    ]:
        assert not pred.flags.c_contiguous or pred is frozen
        assert same(loss(pred, target, 0.8), base)


def test_inputs_are_not_modified():
    p, t = P.copy(), T.copy()
    softiou.ciou_loss_and_grad(p, t, 1.5, "boltzmann", reduction="mean")
    softiou.hessian(p, t, 1.5)
    assert np.array_equal(p, P) and np.array_equal(t, T)


@pytest.mark.parametrize("loss", ALL_GRAD)
def test_float32_is_computed_in_float64_and_rounded_once(loss):
    p32, t32 = P.astype(np.float32), T.astype(np.float32)
    out32 = loss(p32, t32, 0.5, "logsumexp")
    # the same boxes widened exactly to float64, the results rounded to float32
    out64 = loss(p32.astype(np.float64), t32.astype(np.float64), 0.5, "logsumexp")
    for a, b in zip(out32[:4], out64[:4]):
        assert a.dtype == np.float32
        assert same(a, b.astype(np.float32))
    # one float32 and one float64 argument: NumPy's promotion, float64
    mixed = loss(p32, t32.astype(np.float64), 0.5)
    assert mixed.loss.dtype == np.float64
    assert np.array_equal(mixed.loss, out64.loss)
    assert softiou.hessian(p32, t32, 0.5).dtype == np.float32
    assert softiou.box_iou(p32, t32).dtype == np.float32


def test_lists_and_integer_arrays_are_read_as_float64():
    pred = [[0, 0, 10, 10], [1, 2, 3, 4]]
    target = np.array([[2, 2, 12, 12], [1, 2, 3, 5]], dtype=np.int32)
    got = softiou.giou_loss(pred, target, 1)
    want = softiou.giou_loss(np.array(pred, float), target.astype(float), 1.0)
    assert same(got, want)


@pytest.mark.parametrize("kappa", [
    0.7, 1, np.float32(0.7), np.float64(0.7), np.array(0.7), np.full(len(P), 0.7),
    list(np.full(len(P), 0.7)), np.full(len(P), 0.7, dtype=np.float32),
])
def test_every_form_of_kappa_gives_the_same_numbers(kappa):
    k = float(np.asarray(kappa, dtype=np.float32 if np.asarray(kappa).dtype == np.float32
                         else np.float64).flat[0])
    want = softiou.diou_loss_and_grad(P, T, k, "boltzmann")
    got = softiou.diou_loss_and_grad(P, T, kappa, "boltzmann")
    for a, b in zip(got[:4], want[:4]):
        assert same(a, b)


def test_a_kappa_per_pair_is_each_pairs_own():
    kappa = np.geomspace(0.05, 20.0, len(P))
    out = softiou.soft_iou_loss_and_grad(P, T, kappa)
    for i in (0, 100, 256):
        one = softiou.soft_iou_loss_and_grad(P[i:i + 1], T[i:i + 1], kappa[i])
        for a, b in zip(out[:4], one[:4]):
            assert np.array_equal(a[i], b[0])
    assert same(softiou.hessian(P, T, kappa)[100], softiou.hessian(P[100:101], T[100:101],
                                                                  kappa[100])[0])


@pytest.mark.parametrize("fmt, convert", [
    ("xywh", lambda b: np.column_stack([b[:, :2], b[:, 2:] - b[:, :2]])),
    ("cxcywh", lambda b: np.column_stack([(b[:, :2] + b[:, 2:]) / 2, b[:, 2:] - b[:, :2]])),
])
def test_box_formats_read_the_same_boxes_and_derivatives_stay_in_xyxy(fmt, convert):
    # integer corners: the conversions are exact both ways, so the numbers must match
    p, t = np.round(P), np.round(T)
    p[:, 2:] += 2  # keep every box at least 1 wide after rounding
    t[:, 2:] += 2
    want = softiou.giou_loss_and_grad(p, t, 1.0)
    got = softiou.giou_loss_and_grad(convert(p), convert(t), 1.0, box_format=fmt)
    for a, b in zip(got[:4], want[:4]):
        assert same(a, b)
    assert same(softiou.box_iou(convert(p), convert(t), box_format=fmt),
                softiou.box_iou(p, t))
    assert same(softiou.hessian(convert(p), convert(t), 1.0, box_format=fmt),
                softiou.hessian(p, t, 1.0))


def test_the_shapes_of_every_output():
    out = softiou.ciou_loss_and_grad(P, T, 1.0)
    assert out.loss.shape == (257,) and out.dloss_dkappa.shape == (257,)
    assert out.grad_pred.shape == out.grad_target.shape == (257, 4)
    assert out.flags.shape == (257,) and out.flags.dtype == np.bool_
    loss, gp, gt, dk, flags = out  # unpacks as a tuple
    assert loss is out.loss
    h = softiou.hessian(P, T, 1.0, loss="ciou")
    assert h.shape == (257, 4, 4)
    # symmetric up to the rounding of the two orders of differentiation
    np.testing.assert_allclose(h, h.transpose(0, 2, 1), rtol=1e-12, atol=1e-15)
    assert softiou.box_iou(P[:3], T).shape == (3, 257)
    assert softiou.soft_box_iou(P, T[:5], 1.0).shape == (257, 5)


def test_no_pairs_give_empty_outputs_and_reductions_of_zero():
    empty = np.zeros((0, 4))
    assert softiou.soft_iou_loss(empty, empty, 1.0).shape == (0,)
    assert softiou.soft_iou_loss(empty, empty, 1.0, reduction="mean") == 0.0
    assert softiou.soft_iou_loss(empty, empty, 1.0, reduction="sum") == 0.0
    out = softiou.giou_loss_and_grad(empty, empty, 1.0)
    assert out.grad_pred.shape == (0, 4) and out.dloss_dkappa.shape == (0,)
    assert softiou.hessian(empty, empty, np.zeros(0)).shape == (0, 4, 4)
    assert softiou.box_iou(empty, P).shape == (0, 257)
    assert softiou.box_iou(P, empty).shape == (257, 0)


@pytest.mark.parametrize("loss", ALL_GRAD)
def test_reductions_give_the_derivatives_of_the_reduced_loss(loss):
    n = len(P)
    none = loss(P, T, 0.9)
    total = loss(P, T, 0.9, reduction="sum")
    mean = loss(P, T, 0.9, reduction="mean")
    assert total.loss == none.loss.sum() and mean.loss == none.loss.mean()
    # ∂(Σ loss_j)/∂pred_i = ∂loss_i/∂pred_i: the per-pair rows, unchanged
    assert np.array_equal(total.grad_pred, none.grad_pred)
    assert np.array_equal(total.grad_target, none.grad_target)
    assert np.array_equal(mean.grad_pred, none.grad_pred / n)
    assert np.array_equal(mean.grad_target, none.grad_target / n)
    # one shared κ: its derivative is the sum (mean) over pairs
    assert np.ndim(total.dloss_dkappa) == 0
    assert total.dloss_dkappa == none.dloss_dkappa.sum()
    assert mean.dloss_dkappa == none.dloss_dkappa.mean()
    # one κ per pair: ∂(Σ loss_j)/∂κ_i = ∂loss_i/∂κ_i
    per = np.full(n, 0.9)
    assert np.array_equal(loss(P, T, per, reduction="sum").dloss_dkappa, none.dloss_dkappa)
    assert np.array_equal(loss(P, T, per, reduction="mean").dloss_dkappa,
                          none.dloss_dkappa / n)


def test_the_reduced_gradient_is_the_gradient_of_the_reduced_loss():
    """Moving one predicted coordinate changes the mean loss as the reduced gradient says
    (central difference; step 1e-6 on coordinates of order 50: error ~1e-10)."""
    mean = softiou.soft_iou_loss_and_grad(P, T, 0.9, reduction="mean")
    i, j, h = 17, 2, 1e-6
    up, down = P.copy(), P.copy()
    up[i, j] += h
    down[i, j] -= h
    fd = (softiou.soft_iou_loss(up, T, 0.9, reduction="mean")
          - softiou.soft_iou_loss(down, T, 0.9, reduction="mean")) / (2 * h)
    assert abs(fd - mean.grad_pred[i, j]) < 1e-8


def test_a_large_batch_runs_in_parallel_and_agrees_with_one_thread():
    p, t = random_pairs(50_000, seed=9)
    one = softiou.soft_iou_loss(p, t, 1.0, threads=1)
    assert same(softiou.soft_iou_loss(p, t, 1.0), one)
    assert same(softiou.soft_iou_loss(p, t, 1.0, threads=2), one)
    assert same(softiou.box_iou(p[:300], t[:400], threads=1), softiou.box_iou(p[:300], t[:400]))


@pytest.mark.parametrize("loss", ALL_GRAD)
@pytest.mark.parametrize("op", ["hard", "boltzmann", "logsumexp"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_the_gradient_wrt_pred_alone_is_the_same_numbers(loss, op, reduction):
    for kappa in (0.6, np.geomspace(0.05, 20.0, len(P))):
        full = loss(P, T, kappa, op, reduction=reduction)
        fast = loss(P, T, kappa, op, reduction=reduction, wrt="pred")
        assert np.array_equal(fast.loss, full.loss)
        assert same(fast.grad_pred, full.grad_pred)
        assert fast.grad_target is None and fast.dloss_dkappa is None and fast.flags is None
    p32, t32 = P.astype(np.float32), T.astype(np.float32)
    assert loss(p32, t32, 0.6, op, wrt="pred").grad_pred.dtype == np.float32


def test_the_gil_is_released_while_the_library_computes():
    """Another Python thread keeps running during a long call. With the GIL held it
    could not tick at all between `started` and `done` (bar one switch interval of 5 ms
    before the call enters the library); released, it ticks every millisecond of the
    ≳ 0.3 s the call takes on one thread."""
    import threading
    import time

    p, t = random_pairs(200_000, seed=8)
    state = {"started": False, "done": False}

    def work():
        state["started"] = True
        softiou.soft_iou_loss_and_grad(p, t, 1.0, threads=1)
        state["done"] = True

    worker = threading.Thread(target=work)
    worker.start()
    ticks = 0
    while not state["done"]:
        if state["started"]:
            ticks += 1
        time.sleep(0.001)
    worker.join()
    assert ticks >= 20
