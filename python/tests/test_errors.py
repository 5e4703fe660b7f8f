"""Every bad input is a Python exception that names the argument and the first offending
row (0-based) — never a panic, a crash of the interpreter or a NaN in the output."""

import re

import numpy as np
import pytest

import softiou
from softiou import _native
from conftest import random_pairs

P, T = random_pairs(20, seed=2)
LOSS_FUNCTIONS = [
    softiou.soft_iou_loss, softiou.giou_loss, softiou.diou_loss, softiou.ciou_loss,
    softiou.soft_iou_loss_and_grad, softiou.giou_loss_and_grad,
    softiou.diou_loss_and_grad, softiou.ciou_loss_and_grad,
    lambda p, t, k, *a, **kw: softiou.hessian(p, t, k, *a, **kw),
    lambda p, t, k, *a, **kw: softiou.diou_loss_and_grad(p, t, k, *a, wrt="pred", **kw),
]


def raises(exc, pattern, f, *args, **kwargs):
    with pytest.raises(exc) as info:
        f(*args, **kwargs)
    assert re.search(pattern, str(info.value)), str(info.value)


def with_row(a, i, row):
    a = a.copy()
    a[i] = row
    return a


@pytest.mark.parametrize("f", LOSS_FUNCTIONS)
@pytest.mark.parametrize("shape", [(20, 3), (20,), (20, 4, 1), (4, 20), ()])
def test_a_shape_other_than_n_by_4_names_the_argument(f, shape):
    bad = np.ones(shape)
    raises(ValueError, r"^pred: expected an array of shape \(N, 4\).*got shape", f, bad, T, 1.0)
    raises(ValueError, r"^target: expected an array of shape \(N, 4\)", f, P, bad, 1.0)


@pytest.mark.parametrize("f", LOSS_FUNCTIONS)
def test_pred_and_target_of_different_lengths(f):
    raises(ValueError, r"^target: has 19 boxes but pred has 20", f, P, T[:19], 1.0)


@pytest.mark.parametrize("f", LOSS_FUNCTIONS)
@pytest.mark.parametrize("value, message", [
    (np.nan, "box coordinate x_max is NaN"),
    (np.inf, "box coordinate x_max is inf"),
    (-np.inf, "box coordinate x_max is -inf"),
])
def test_non_finite_coordinates_name_the_argument_and_row(f, value, message):
    for arg, (p, t) in [("pred", (with_row(P, 7, [0, 0, value, 1]), T)),
                        ("target", (P, with_row(T, 7, [0, 0, value, 1])))]:
        raises(ValueError, rf"^{arg}: row 7 \(0-based\): {re.escape(message)}", f, p, t, 1.0)


@pytest.mark.parametrize("f", LOSS_FUNCTIONS)
def test_inverted_and_empty_boxes_name_the_first_bad_row(f):
    p = with_row(with_row(P, 3, [5, 0, 4, 1]), 9, [0, 0, 0, 1])
    raises(ValueError, r"^pred: row 3 \(0-based\): box is empty or inverted along x: "
           r"x_min = 5\.0, x_max = 4\.0", f, p, T, 1.0)
    t = with_row(T, 12, [0, 2, 1, 2])
    raises(ValueError, r"^target: row 12 \(0-based\): box is empty or inverted along y",
           f, P, t, 1.0)
    # a bad target before a bad predicted box: the first bad pair is reported
    raises(ValueError, r"^target: row 12", f, with_row(P, 15, [5, 0, 4, 1]), t, 1.0)


def test_the_first_bad_row_is_found_in_a_large_parallel_batch():
    p, t = random_pairs(30_000, seed=4)
    p[25_000] = [1, 1, 0, 2]
    p[9_000] = [np.nan, 0, 1, 1]
    p[20_000] = [1, 1, 0, 2]
    for threads in (None, 1, 2):
        raises(ValueError, r"^pred: row 9000 \(0-based\)", softiou.soft_iou_loss, p, t,
               1.0, threads=threads)
        raises(ValueError, r"^pred: row 9000 \(0-based\)", softiou.hessian, p, t,
               np.ones(len(p)), threads=threads)
        raises(ValueError, r"^pred: row 9000 \(0-based\)", softiou.soft_iou_loss_and_grad,
               p, t, np.ones(len(p)), wrt="pred", threads=threads)


def test_rows_past_the_first_chunk_of_65536_pairs_keep_their_numbers():
    p, t = random_pairs(140_000, seed=6)
    t[131_000] = [1, 1, 2, 0]
    p[133_000] = [1, 1, 0, 2]
    raises(ValueError, r"^target: row 131000 \(0-based\)", softiou.giou_loss_and_grad, p, t, 1.0)
    kappa = np.ones(len(p))
    kappa[70_000] = -1
    raises(ValueError, r"^kappa: row 70000 \(0-based\)", softiou.giou_loss, p, t, kappa)
    # and the values of the later chunks are each pair's own
    ok = slice(0, 130_000)
    full = softiou.ciou_loss_and_grad(p[ok], t[ok], 1.0)
    tail = softiou.ciou_loss_and_grad(p[100_000:130_000], t[100_000:130_000], 1.0)
    for a, b in zip(full[:4], tail[:4]):
        assert np.array_equal(a[100_000:], b)


@pytest.mark.parametrize("f", LOSS_FUNCTIONS)
@pytest.mark.parametrize("kappa, shown", [(0.0, r"0\.0"), (-1.0, r"-1\.0"), (np.nan, "NaN"),
                                          (np.inf, "inf")])
def test_a_kappa_that_is_not_finite_and_positive(f, kappa, shown):
    raises(ValueError, rf"^kappa: kappa = {shown} is not valid; kappa must be a finite "
           r"number > 0", f, P, T, kappa)
    per_row = np.ones(len(P))
    per_row[[5, 11]] = kappa
    raises(ValueError, rf"^kappa: row 5 \(0-based\): kappa = {shown} is not valid", f, P, T,
           per_row)


@pytest.mark.parametrize("f", LOSS_FUNCTIONS)
def test_kappa_of_the_wrong_shape_or_type(f):
    for bad in (np.ones(19), np.ones(21), np.ones((20, 1))):
        raises(ValueError, r"^kappa: expected a number or an array of shape \(20,\)", f, P,
               T, bad)
    raises(TypeError, r"^kappa: ", f, P, T, "1.0")
    raises(TypeError, r"^kappa: ", f, P, T, None)


@pytest.mark.parametrize("f", LOSS_FUNCTIONS)
def test_unknown_names(f):
    raises(ValueError, r"^smoothing: unknown smoothing operator 'softmax'; expected one of: "
           "hard, boltzmann, logsumexp", f, P, T, 1.0, "softmax")
    raises(ValueError, r"^box_format: unknown box format 'xyhw'; expected one of: xyxy, "
           "xywh, cxcywh", f, P, T, 1.0, box_format="xyhw")


@pytest.mark.parametrize("f", LOSS_FUNCTIONS[:8] + LOSS_FUNCTIONS[9:])
def test_unknown_reduction(f):
    raises(ValueError, r"^reduction: unknown reduction 'avg'; expected one of: none, mean, sum",
           f, P, T, 1.0, reduction="avg")


def test_unknown_choice_of_gradients():
    raises(ValueError, r"^wrt: unknown choice 'target'; expected one of: all, pred",
           softiou.giou_loss_and_grad, P, T, 1.0, wrt="target")


def test_unknown_loss_of_the_hessian():
    raises(ValueError, r"^loss: unknown loss 'iou'; expected one of: soft_iou, giou", softiou.hessian,
           P, T, 1.0, loss="iou")


@pytest.mark.parametrize("fmt", ["xywh", "cxcywh"])
def test_a_non_positive_width_or_height_in_another_format(fmt):
    p = with_row(P, 4, [1, 1, -2, 3])
    raises(ValueError, r"^pred: row 4 \(0-based\): box width = -2\.0 is not valid", softiou.giou_loss,
           p, T, 1.0, box_format=fmt)
    t = with_row(T, 6, [1, 1, 2, 0])
    raises(ValueError, r"^target: row 6 \(0-based\): box height = 0\.0 is not valid",
           softiou.giou_loss_and_grad, P, t, 1.0, box_format=fmt)


def test_a_kappa_below_the_logsumexp_range_names_the_pair():
    # logsumexp at κ·s = 1e-300: the soft sides (≈ ln2/κ) and the boxes are further apart
    # than the f64 range; the library says so instead of returning inf or NaN
    p = np.array([[0.0, 0.0, 1.0, 1.0]] * 3)
    t = p.copy()
    kappas = np.array([1.0, 1.0, 1.0])
    raises(ValueError, r"^pred, target: row 2 \(0-based\): kappa \* s = 1e-300 .* is below",
           softiou.soft_iou_loss, p, t, np.array([1.0, 1.0, 1e-300]))
    # κ·s = 1e-150 is inside the range: finite, at the κ → 0 limit (loss 2)
    assert softiou.soft_iou_loss(p, t, np.array([1.0, 1.0, 1e-150]))[2] == 2.0
    assert np.all(np.isfinite(softiou.soft_iou_loss(p, t, kappas)))


@pytest.mark.parametrize("dtype", [np.complex128, np.str_, object, np.float16])
def test_unsupported_dtypes_are_a_type_error(dtype):
    bad = P.astype(dtype)
    with pytest.raises(TypeError, match=r"^pred: dtype .* is not supported"):
        softiou.soft_iou_loss(bad, T, 1.0)


def test_threads_must_be_positive():
    for f in LOSS_FUNCTIONS:
        for bad in (0, -1, 1.5, True, "2"):
            raises(ValueError, rf"^threads: {re.escape(repr(bad))} is not valid", f, P, T,
                   1.0, threads=bad)
    raises(ValueError, r"^threads: -2 is not valid", softiou.box_iou, P, T, threads=-2)
    raises(ValueError, r"^threads: 0 is not valid", softiou.soft_box_iou, P, T, 1.0,
           threads=0)
    # the compiled module checks too
    raises(ValueError, r"^threads: 0 is not valid", _native.losses, "giou", P, T, 1.0,
           "hard", "xyxy", 0)


def test_pairwise_errors_name_a_and_b():
    raises(ValueError, r"^a: row 2 \(0-based\): box coordinate y_min is NaN", softiou.box_iou,
           with_row(P, 2, [0, np.nan, 1, 1]), T)
    raises(ValueError, r"^b: row 0 \(0-based\): box is empty", softiou.soft_box_iou, P,
           with_row(T, 0, [1, 1, 1, 2]), 1.0)
    raises(ValueError, r"^b: expected an array of shape \(N, 4\)", softiou.box_iou, P, T[:, :3])
    raises(ValueError, r"^kappa: kappa = -2\.0 is not valid", softiou.soft_box_iou, P, T, -2.0)
    raises(ValueError, r"^kappa: soft_box_iou takes one number", softiou.soft_box_iou, P, T,
           np.ones(20))
    raises(ValueError, r"^smoothing: unknown", softiou.soft_box_iou, P, T, 1.0, "max")
    raises(TypeError, r"^kappa: dtype", softiou.soft_box_iou, P, T, "1.0")
    p = np.array([[0.0, 0.0, 1.0, 1.0]] * 2)
    raises(ValueError, r"^a, b: row 0 of a and row 0 of b \(0-based\): kappa \* s = 1e-300",
           softiou.soft_box_iou, p, p, 1e-300)


def test_the_compiled_module_rejects_what_the_python_layer_would_convert():
    """Called directly (bypassing softiou/_api.py), the native functions still raise."""
    with pytest.raises(TypeError, match=r"^pred: expected a NumPy array"):
        _native.losses("soft-iou", P.tolist(), T, 1.0, "logsumexp", "xyxy")
    with pytest.raises(TypeError, match=r"^target: dtype int64 is not supported"):
        _native.evaluate("giou", P, T.astype(np.int64), 1.0, "hard", "xyxy")
    raises(ValueError, r"^loss: unknown loss 'iou'", _native.hessian, "iou", P, T, 1.0,
           "hard", "xyxy")
    raises(TypeError, r"^kappa: expected a number or an array of shape \(20,\), got str",
           _native.losses, "giou", P, T, "x", "hard", "xyxy")
    with pytest.raises(TypeError, match=r"^kappa: dtype"):
        _native.losses("giou", P, T, np.ones(20, dtype=np.int64), "hard", "xyxy")
