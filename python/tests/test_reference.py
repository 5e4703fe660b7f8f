"""The package reproduces the command-line tool bit for bit: `softiou batch` on the
repository's reference rows (every loss, every operator, each row with its own κ), the
same rows at one shared κ (the package's other code path), and `softiou eval --hessian`
for the Hessian."""

import json
import subprocess

import numpy as np
import pytest

import softiou
from conftest import INPUT_COLUMNS, column

LOSSES = {
    "soft-iou": (softiou.soft_iou_loss, softiou.soft_iou_loss_and_grad),
    "giou": (softiou.giou_loss, softiou.giou_loss_and_grad),
    "diou": (softiou.diou_loss, softiou.diou_loss_and_grad),
    "ciou": (softiou.ciou_loss, softiou.ciou_loss_and_grad),
}
OPS = ["hard", "boltzmann", "logsumexp"]


def by_operator(pairs):
    """The (input row, output row) pairs of each operator, in file order (the Python API
    takes one operator per call; the CSV has one per row)."""
    for op in OPS:
        group = [(r, e) for r, e in pairs if r["smoothing"] == op]
        if group:
            yield op, group


def assert_same_as_cli(out, expected, op):
    """Every number of `out` (a LossAndGrad) is the CLI's, to the last bit."""
    # np.array_equal on float64 compares the doubles exactly (no tolerance).
    assert np.array_equal(out.loss, column(expected, "loss")), op
    assert np.array_equal(
        out.grad_pred, column(expected, "g_px1", "g_py1", "g_px2", "g_py2")
    ), op
    assert np.array_equal(
        out.grad_target, column(expected, "g_tx1", "g_ty1", "g_tx2", "g_ty2")
    ), op
    assert np.array_equal(out.dloss_dkappa, column(expected, "dloss_dkappa")), op
    # the out-of-region flags are the CLI's region column, row by row
    region = np.array([r["region"] for r in expected])
    assert np.array_equal(out.flags, region != "meaningful"), op


@pytest.mark.parametrize("loss", LOSSES)
def test_values_and_gradients_equal_the_cli_batch_output_with_a_kappa_per_row(
    loss, reference_rows, run_batch
):
    expected = run_batch(reference_rows, loss)
    assert len(expected) == len(reference_rows)
    seen = 0
    for op, group in by_operator(list(zip(reference_rows, expected))):
        inp = [r for r, _ in group]
        exp = [e for _, e in group]
        pred = column(inp, "px1", "py1", "px2", "py2")
        target = column(inp, "tx1", "ty1", "tx2", "ty2")
        kappa = column(inp, "kappa")
        only_loss, and_grad = LOSSES[loss]
        out = and_grad(pred, target, kappa, smoothing=op)
        assert_same_as_cli(out, exp, op)
        assert np.array_equal(only_loss(pred, target, kappa, smoothing=op),
                              column(exp, "loss"))
        seen += len(group)
    assert seen == len(reference_rows)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("kappa", [0.35, 4.0])
def test_one_shared_kappa_gives_the_cli_numbers_too(loss, kappa, reference_rows, run_batch):
    # the same κ everywhere, and the three operators in turn (the file has no hard rows)
    rows = [dict(r, kappa=repr(kappa), smoothing=OPS[i % 3])
            for i, r in enumerate(reference_rows)]
    expected = run_batch(rows, loss)
    groups = list(by_operator(list(zip(rows, expected))))
    assert [op for op, _ in groups] == OPS
    for op, group in groups:
        inp = [r for r, _ in group]
        exp = [e for _, e in group]
        pred = column(inp, "px1", "py1", "px2", "py2")
        target = column(inp, "tx1", "ty1", "tx2", "ty2")
        only_loss, and_grad = LOSSES[loss]
        assert_same_as_cli(and_grad(pred, target, kappa, smoothing=op), exp, op)
        # the loss-only path (the library's Batch::loss) is the same number
        assert np.array_equal(only_loss(pred, target, kappa, smoothing=op),
                              column(exp, "loss"))
        # and the soft IoU of each pair is the diagonal of the pairwise matrix
        if loss == "soft-iou":
            iou = softiou.soft_box_iou(pred, target, kappa, smoothing=op)
            assert np.array_equal(np.diag(iou), column(exp, "iou"))


def test_every_thread_count_gives_the_same_bits(reference_rows):
    pred = np.tile(column(reference_rows, "px1", "py1", "px2", "py2"), (40, 1))
    target = np.tile(column(reference_rows, "tx1", "ty1", "tx2", "ty2"), (40, 1))
    kappa = np.tile(column(reference_rows, "kappa"), 40)
    assert len(pred) > 2 * 4096  # more than one parallel task of the batch API
    base = softiou.giou_loss_and_grad(pred, target, kappa, "boltzmann", threads=1)
    for threads in (None, 2, 3):
        out = softiou.giou_loss_and_grad(pred, target, kappa, "boltzmann", threads=threads)
        for a, b in zip(base[:4], out[:4]):
            assert np.array_equal(a, b)
    h1 = softiou.hessian(pred[:500], target[:500], kappa[:500], threads=1)
    assert np.array_equal(h1, softiou.hessian(pred[:500], target[:500], kappa[:500]))


@pytest.mark.parametrize("loss", LOSSES)
def test_hessians_equal_the_cli_eval_output(loss, cli, reference_rows):
    name = loss.replace("-", "_")
    # every 25th row: all three operators, overlapping and disjoint pairs
    rows = reference_rows[::25]
    for r in rows:
        box = lambda prefix: ",".join(r[prefix + c] for c in ("x1", "y1", "x2", "y2"))
        res = subprocess.run(
            [cli, "eval", "--pred", box("p"), "--target", box("t"),
             "--kappa", r["kappa"], "--smoothing", r["smoothing"], "--loss", loss,
             "--hessian", "--json"],
            check=True, capture_output=True, text=True,
        )
        expected = json.loads(res.stdout)  # serde's float_roundtrip: exact doubles
        pred = column([r], "px1", "py1", "px2", "py2")
        target = column([r], "tx1", "ty1", "tx2", "ty2")
        kappa = float(r["kappa"])
        h = softiou.hessian(pred, target, kappa, r["smoothing"], loss=name)
        assert np.array_equal(h[0], np.array(expected["hessian_pred"]))
        # a κ given per pair goes through the other code path, with the same result
        h_rows = softiou.hessian(pred, target, [kappa], r["smoothing"], loss=name)
        assert np.array_equal(h_rows, h)
        # The gradient of `*_and_grad` is the lane engine's (that of `softiou batch`, bit for
        # bit, tested above); `softiou eval` runs the scalar num-dual path. The two order
        # the same operations differently in a few places (vectorised exp/ln1p within 1
        # ulp, fused multiply-adds), so they agree to the library's lane tolerance, 1e-12
        # of the gradient's scale, not bit for bit.
        grad = LOSSES[loss][1](pred, target, kappa, r["smoothing"]).grad_pred[0]
        exact = np.array(expected["grad_pred"])
        assert np.max(np.abs(grad - exact)) <= 1e-12 * np.max(np.abs(exact)), (grad, exact)


def test_the_flags_mark_exactly_the_pairs_whose_soft_iou_leaves_zero_one():
    # one pair at falling κ·s (s = 10): meaningful, soft IoU above 1, past the pole; and
    # boltzmann boxes apart along x, whose soft intersection is negative
    pred = np.array([[0, 0, 10, 10]] * 3 + [[20, 0, 30, 10]], dtype=np.float64)
    target = np.array([[2, 2, 12, 12]] * 3 + [[0, 0, 10, 10]], dtype=np.float64)
    out = softiou.soft_iou_loss_and_grad(pred[:3], target[:3], np.array([2.0, 0.02, 0.001]))
    assert out.flags.tolist() == [False, True, True]
    assert out.loss[0] >= 0 and out.loss[1] < 0  # the loss says so too: IoU > 1
    out = softiou.soft_iou_loss_and_grad(pred[3:], target[3:], 0.2, smoothing="boltzmann")
    assert out.flags.tolist() == [True] and out.loss[0] > 1
