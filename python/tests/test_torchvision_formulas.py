"""With `smoothing="hard"` the losses are the ordinary ones of torchvision.ops. The
reference here is a NumPy transcription of the papers' definitions (Rezatofighi et al.,
CVPR 2019 for GIoU; Zheng et al., AAAI 2020 for DIoU and CIoU), without torchvision's
1e-7 guards in the denominators, so the two sides may differ only by rounding."""

import numpy as np
import pytest

import softiou
from conftest import column, random_pairs

# Both sides evaluate the same closed forms in float64 in a different order: a few
# roundings of relative size 1.1e-16 each on quantities of order 1 (losses lie in
# [0, 2.5]). 1e-13 leaves a factor ~100 of margin and still catches any wrong term,
# which would be off by far more than that on these boxes.
TOL = 1e-13


def area(b):
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def np_box_iou(a, b):
    """IoU of every box of a (N,4) with every box of b (M,4): |A ∩ B| / |A ∪ B|."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0.0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = area(a)[:, None] + area(b)[None, :] - inter
    return inter / union


def parts(p, t):
    """Per pair: IoU, union, enclosing box's area and squared diagonal, squared centre
    distance — in NumPy's extended precision (np.longdouble, a 64-bit significand on
    x86-64), so that the transcription's own rounding is not what is measured: the
    papers' centre distance subtracts two centres, which for boxes far from the origin
    (coordinates ~1e5 here) loses digits in float64 that the library, which forms the
    offset from coordinate differences, keeps."""
    p, t = p.astype(np.longdouble), t.astype(np.longdouble)
    lt = np.maximum(p[:, :2], t[:, :2])
    rb = np.minimum(p[:, 2:], t[:, 2:])
    wh = np.clip(rb - lt, 0.0, None)
    inter = wh[:, 0] * wh[:, 1]
    union = area(p) + area(t) - inter
    iou = inter / union
    c_lt = np.minimum(p[:, :2], t[:, :2])
    c_rb = np.maximum(p[:, 2:], t[:, 2:])
    c_wh = c_rb - c_lt
    c_area = c_wh[:, 0] * c_wh[:, 1]
    c_diag2 = c_wh[:, 0] ** 2 + c_wh[:, 1] ** 2
    centre = lambda b: (b[:, :2] + b[:, 2:]) / 2
    rho2 = ((centre(p) - centre(t)) ** 2).sum(axis=1)
    return iou, union, c_area, c_diag2, rho2


def np_giou_loss(p, t):
    """1 − GIoU = 1 − IoU + (|C| − |U|)/|C|, C the smallest enclosing box."""
    iou, union, c_area, _, _ = parts(p, t)
    return 1 - iou + (c_area - union) / c_area


def np_diou_loss(p, t):
    """1 − IoU + ρ²/c²: ρ the distance between the centres, c the enclosing diagonal."""
    iou, _, _, c_diag2, rho2 = parts(p, t)
    return 1 - iou + rho2 / c_diag2


def np_ciou_loss(p, t):
    """DIoU loss + α·v, v = 4/π²·(atan(w_T/h_T) − atan(w_P/h_P))², α = v/((1 − IoU) + v)."""
    iou, _, _, c_diag2, rho2 = parts(p, t)
    wh = lambda b: (b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    (wp, hp), (wt, ht) = wh(p), wh(t)
    v = 4 / np.pi**2 * (np.arctan(wt / ht) - np.arctan(wp / hp)) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(v == 0, 0.0, v / ((1 - iou) + v))
    return 1 - iou + rho2 / c_diag2 + alpha * v


def cases():
    """Random pairs (mostly overlapping or near), the reference rows, and the special
    configurations: identical, nested, touching, disjoint, same shape elsewhere."""
    p, t = random_pairs(2000, seed=3)
    special_p = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10],
                          [0, 0, 10, 10], [0, 0, 10, 10], [-5, 3, 1, 4]], float)
    special_t = np.array([[0, 0, 10, 10], [2, 3, 8, 7], [10, 0, 20, 10],
                          [13, 12, 23, 22], [30, 0, 40, 10], [-5, 3, 1, 4.5]], float)
    return np.vstack([p, special_p]), np.vstack([t, special_t])


@pytest.fixture(scope="module")
def boxes(reference_rows):
    p, t = cases()
    rp = column(reference_rows, "px1", "py1", "px2", "py2")
    rt = column(reference_rows, "tx1", "ty1", "tx2", "ty2")
    return np.vstack([p, rp]), np.vstack([t, rt])


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (softiou.giou_loss, np_giou_loss),
        (softiou.diou_loss, np_diou_loss),
        (softiou.ciou_loss, np_ciou_loss),
        (softiou.soft_iou_loss, lambda p, t: 1 - parts(p, t)[0]),
    ],
)
def test_hard_losses_equal_the_papers_formulas(ours, theirs, boxes):
    p, t = boxes
    got = ours(p, t, 1.0, smoothing="hard")
    want = theirs(p, t)
    assert got.shape == want.shape == (len(p),)
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    # the reductions are torchvision's: the mean and the sum of the same numbers
    np.testing.assert_allclose(ours(p, t, 1.0, "hard", reduction="mean"), want.mean(),
                               rtol=TOL)
    np.testing.assert_allclose(ours(p, t, 1.0, "hard", reduction="sum"), want.sum(),
                               rtol=TOL)


def test_the_special_configurations_have_their_known_losses():
    p, t = cases()
    p, t = p[-6:], t[-6:]
    giou = softiou.giou_loss(p, t, 1.0, "hard")
    # identical 0; nested 1 − 24/100; touching: IoU 0 and C = U, so 1
    np.testing.assert_allclose(giou[:3], [0.0, 1 - 24 / 100, 1.0], rtol=0, atol=1e-15)
    # disjoint boxes: IoU 0, GIoU loss > 1
    assert np.all(giou[3:5] > 1)


def test_box_iou_is_torchvisions_pairwise_matrix(boxes):
    a, b = boxes[0][:300], boxes[1][:200]
    got = softiou.box_iou(a, b)
    assert got.shape == (300, 200)
    np.testing.assert_allclose(got, np_box_iou(a, b), rtol=TOL, atol=TOL)
    assert np.all((got >= 0) & (got <= 1))
    # with the hard operator the soft IoU is the IoU, bit for bit
    assert np.array_equal(softiou.soft_box_iou(a, b, 2.0, "hard"), got)
    # and it matches 1 − the hard soft-IoU loss of the diagonal
    n = 200
    np.testing.assert_allclose(
        np.diag(got[:n, :n]), 1 - softiou.soft_iou_loss(a[:n], b[:n], 1.0, "hard"),
        rtol=0, atol=TOL)
