"""The public functions: torchvision.ops-style signatures over the compiled module.

Every loss, gradient, Hessian and IoU is computed by the Rust library (``softiou._native``);
this file only converts arguments to NumPy arrays, picks the output dtype and applies the
``reduction`` (a sum or a mean of per-pair results, as torchvision does).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

from . import _native

__all__ = [
    "LossAndGrad",
    "soft_iou_loss",
    "giou_loss",
    "diou_loss",
    "ciou_loss",
    "soft_iou_loss_and_grad",
    "giou_loss_and_grad",
    "diou_loss_and_grad",
    "ciou_loss_and_grad",
    "hessian",
    "box_iou",
    "soft_box_iou",
    "kappa_for",
]

_REDUCTIONS = ("none", "mean", "sum")
# the public loss names and the library's
_LOSSES = {"soft_iou": "soft-iou", "giou": "giou", "diou": "diou", "ciou": "ciou"}


class LossAndGrad(NamedTuple):
    """What the ``*_and_grad`` functions return (unpack it as a tuple or use the names).

    With ``reduction="none"`` (N pairs):

    - ``loss``: shape (N,), the loss of each pair;
    - ``grad_pred``: shape (N, 4), ∂loss_i/∂pred_i, in xyxy order ``[x1, y1, x2, y2]``
      whatever ``box_format`` the boxes were given in, per coordinate unit;
    - ``grad_target``: shape (N, 4), ∂loss_i/∂target_i, likewise;
    - ``dloss_dkappa``: shape (N,), ∂loss_i/∂κ, in coordinate units;
    - ``flags``: shape (N,) bool, True where the pair lies outside the meaningful region:
      its soft IoU is not in [0, 1] (a negative soft intersection with ``boltzmann``, or
      ``logsumexp`` at a κ·s so small that the soft IoU exceeds 1 or the soft union is
      <= 0, past the loss's pole). The numbers are the formula's exact values either way;
      the CLI writes the same information as its ``region`` column. ``None`` with
      ``wrt="pred"``.

    With ``reduction="sum"`` or ``"mean"`` every field is the derivative of the *reduced*
    loss (what autograd returns after ``loss.sum().backward()``/``loss.mean()``): the
    gradients keep shape (N, 4), divided by N for ``"mean"``; ``dloss_dkappa`` is a
    scalar (the sum or mean over pairs) when κ is one number, and shape (N,) (divided
    by N for ``"mean"``) when κ is given per pair.
    """

    loss: np.ndarray
    grad_pred: np.ndarray
    grad_target: np.ndarray
    dloss_dkappa: np.ndarray
    flags: Optional[np.ndarray]


def _boxes(name: str, x) -> np.ndarray:
    """``x`` as an array the compiled module reads: float64/float32 kept as they are (any
    strides, no copy), integers and booleans widened to float64."""
    a = np.asarray(x)
    if a.dtype in (np.float64, np.float32):
        return a
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    raise TypeError(
        f"{name}: dtype {a.dtype} is not supported; give float64 or float32 numbers"
    )


def _kappa(kappa):
    if isinstance(kappa, (int, float, np.floating, np.integer)) and not isinstance(
        kappa, bool
    ):
        return float(kappa)
    return _boxes("kappa", kappa)


def _threads(threads):
    """``threads`` checked here, so that a negative or non-integer count is a ValueError
    with the argument's name rather than a conversion error of the compiled module."""
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(
            f"threads: {threads!r} is not valid; give None (all cores) or a number of "
            "threads >= 1"
        )
    return int(threads)


def _dtype(*arrays: np.ndarray) -> np.dtype:
    """float32 only if every box array is float32 (as NumPy's promotion)."""
    return np.result_type(*arrays)


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction: unknown reduction {reduction!r}; expected one of: none, mean, sum"
        )


def _loss_name(loss: str) -> str:
    try:
        return _LOSSES[loss]
    except (KeyError, TypeError):
        raise ValueError(
            f"loss: unknown loss {loss!r}; expected one of: soft_iou, giou, diou, ciou"
        ) from None


def _reduce(values: np.ndarray, reduction: str):
    if reduction == "none":
        return values
    if values.size == 0:  # torchvision returns 0 for the reduction of no pairs
        return values.dtype.type(0.0)
    return values.sum() if reduction == "sum" else values.mean()


def _losses(loss, pred, target, kappa, smoothing, box_format, reduction, threads):
    _check_reduction(reduction)
    pred, target = _boxes("pred", pred), _boxes("target", target)
    values = _native.losses(
        loss, pred, target, _kappa(kappa), smoothing, box_format, _threads(threads)
    )
    return _reduce(values.astype(_dtype(pred, target), copy=False), reduction)


def _and_grad(loss, pred, target, kappa, smoothing, box_format, reduction, wrt, threads):
    _check_reduction(reduction)
    if wrt not in ("all", "pred"):
        raise ValueError(f"wrt: unknown choice {wrt!r}; expected one of: all, pred")
    pred, target = _boxes("pred", pred), _boxes("target", target)
    kappa, threads = _kappa(kappa), _threads(threads)
    dtype = _dtype(pred, target)
    if wrt == "pred":
        value, gp = _native.grad_pred(
            loss, pred, target, kappa, smoothing, box_format, threads
        )
        value, gp = value.astype(dtype, copy=False), gp.astype(dtype, copy=False)
        if reduction == "mean" and value.shape[0] > 0:
            gp = gp / dtype.type(value.shape[0])
        return LossAndGrad(_reduce(value, reduction), gp, None, None, None)
    value, gp, gt, dk, flags = _native.evaluate(
        loss, pred, target, kappa, smoothing, box_format, threads
    )
    value, gp, gt, dk = (x.astype(dtype, copy=False) for x in (value, gp, gt, dk))
    n = value.shape[0]
    if reduction == "mean" and n > 0:
        gp, gt = gp / dtype.type(n), gt / dtype.type(n)
    if reduction != "none":
        if np.ndim(kappa) == 0:  # one κ shared by every pair: its derivative sums
            dk = _reduce(dk, reduction)
        elif reduction == "mean" and n > 0:
            dk = dk / dtype.type(n)
    return LossAndGrad(_reduce(value, reduction), gp, gt, dk, flags)


_SIGNATURE_DOC = """
    Parameters
    ----------
    pred, target : array_like, shape (N, 4)
        Predicted and target boxes, one per row, in ``box_format``; float64 or float32,
        any memory layout (C- or F-contiguous or strided). A C-contiguous float64 array
        in xyxy is read in place.
    kappa : float or array_like of shape (N,)
        The smoothing temperature κ > 0, in 1/coordinate units (what matters is κ times
        a box side). One number for every pair or one per pair. Ignored by
        ``smoothing="hard"``, but still checked.
    smoothing : {"logsumexp", "boltzmann", "hard"}
        The operator replacing every max and min; ``"hard"`` gives the ordinary
        (torchvision) loss.
    box_format : {"xyxy", "xywh", "cxcywh"}
        How the four numbers of a box are read. Derivatives are always with respect to
        the xyxy corners ``[x1, y1, x2, y2]``.
    reduction : {"none", "mean", "sum"}
        As in torchvision.ops: per-pair losses (N,), their mean, or their sum.
    threads : int or None, keyword-only
        ``None`` uses all cores (rayon's pool), ``1`` the calling thread, ``k`` a pool of
        k threads. The GIL is released during the computation in every case.

    Precision: computed in float64 (float32 input is widened exactly); the result has
    the dtype NumPy promotion gives the two box arrays (float32 only if both are).

    Raises
    ------
    ValueError
        Naming the argument and the first offending row (0-based): a shape other than
        (N, 4), different N, a non-finite or inverted/empty box, κ ≤ 0 or not finite,
        an unknown smoothing, box_format or reduction, or a loss that is not finite
        (for example a smoothed union of 0 at a tiny κ).
    TypeError
        For a dtype that is not a real number.
"""


def _make_loss(loss: str, title: str):
    def f(
        pred,
        target,
        kappa,
        smoothing: str = "logsumexp",
        box_format: str = "xyxy",
        reduction: str = "none",
        *,
        threads: Optional[int] = None,
    ):
        return _losses(
            loss, pred, target, kappa, smoothing, box_format, reduction, threads
        )

    f.__doc__ = f"""{title}, for N box pairs.
{_SIGNATURE_DOC}
    Returns
    -------
    numpy.ndarray
        Shape (N,) for ``reduction="none"``, else a scalar.
"""
    return f


def _make_and_grad(loss: str, title: str):
    def f(
        pred,
        target,
        kappa,
        smoothing: str = "logsumexp",
        box_format: str = "xyxy",
        reduction: str = "none",
        *,
        wrt: str = "all",
        threads: Optional[int] = None,
    ) -> LossAndGrad:
        return _and_grad(
            loss, pred, target, kappa, smoothing, box_format, reduction, wrt, threads
        )

    f.__doc__ = f"""{title} and its exact derivatives (from dual numbers, not finite
    differences): gradient wrt ``pred`` and ``target`` and ∂loss/∂κ.
{_SIGNATURE_DOC}
    wrt : {"all", "pred"}, keyword-only
        ``"all"``: gradients wrt both boxes and ∂loss/∂κ. ``"pred"``: only the gradient
        wrt ``pred`` (``grad_target``, ``dloss_dkappa`` and ``flags`` are ``None``), from
        one forward pass instead of the full evaluation: about 3× faster, the same
        numbers.

    Returns
    -------
    LossAndGrad
        ``(loss, grad_pred, grad_target, dloss_dkappa, flags)``; see :class:`LossAndGrad`
        for shapes and how ``reduction`` applies to the derivatives.
"""
    return f


_TITLES = {
    "soft-iou": "The soft IoU loss 1 − I/U",
    "giou": "The (soft) GIoU loss",
    "diou": "The (soft) DIoU loss",
    "ciou": "The (soft) CIoU loss",
}

soft_iou_loss = _make_loss("soft-iou", _TITLES["soft-iou"])
giou_loss = _make_loss("giou", _TITLES["giou"])
diou_loss = _make_loss("diou", _TITLES["diou"])
ciou_loss = _make_loss("ciou", _TITLES["ciou"])
soft_iou_loss_and_grad = _make_and_grad("soft-iou", _TITLES["soft-iou"])
giou_loss_and_grad = _make_and_grad("giou", _TITLES["giou"])
diou_loss_and_grad = _make_and_grad("diou", _TITLES["diou"])
ciou_loss_and_grad = _make_and_grad("ciou", _TITLES["ciou"])
for _f, _name in [
    (soft_iou_loss, "soft_iou_loss"),
    (giou_loss, "giou_loss"),
    (diou_loss, "diou_loss"),
    (ciou_loss, "ciou_loss"),
    (soft_iou_loss_and_grad, "soft_iou_loss_and_grad"),
    (giou_loss_and_grad, "giou_loss_and_grad"),
    (diou_loss_and_grad, "diou_loss_and_grad"),
    (ciou_loss_and_grad, "ciou_loss_and_grad"),
]:
    _f.__name__ = _f.__qualname__ = _name


def hessian(
    pred,
    target,
    kappa,
    smoothing: str = "logsumexp",
    box_format: str = "xyxy",
    *,
    loss: str = "soft_iou",
    threads: Optional[int] = None,
) -> np.ndarray:
    """The exact Hessian of each pair's loss with respect to its predicted box.

    ``H[i, j, k] = ∂²loss_i / ∂pred_i[j] ∂pred_i[k]`` in xyxy order, shape (N, 4, 4),
    symmetric (up to rounding); per squared coordinate unit.
    ``loss`` is one of ``"soft_iou"``, ``"giou"``, ``"diou"``, ``"ciou"``; the other
    arguments are as for :func:`soft_iou_loss` (there is no reduction: the Hessian of a
    sum over pairs is block diagonal with these blocks).
    """
    name = _loss_name(loss)
    pred, target = _boxes("pred", pred), _boxes("target", target)
    h = _native.hessian(
        name, pred, target, _kappa(kappa), smoothing, box_format, _threads(threads)
    )
    return h.astype(_dtype(pred, target), copy=False)


def box_iou(a, b, box_format: str = "xyxy", *, threads: Optional[int] = None):
    """Pairwise (hard) IoU of every box of ``a`` (N, 4) with every box of ``b`` (M, 4),
    shape (N, M), as ``torchvision.ops.box_iou``. Boxes are validated (finite, positive
    width and height); errors name ``a`` or ``b`` and the row."""
    a, b = _boxes("a", a), _boxes("b", b)
    out = _native.box_iou(a, b, box_format, _threads(threads))
    return out.astype(_dtype(a, b), copy=False)


def soft_box_iou(
    a,
    b,
    kappa,
    smoothing: str = "logsumexp",
    box_format: str = "xyxy",
    *,
    threads: Optional[int] = None,
):
    """Pairwise soft IoU ``I/U`` with operator ``smoothing`` at one κ (1/coordinate
    units) of every box of ``a`` (N, 4) with every box of ``b`` (M, 4), shape (N, M).
    With ``smoothing="hard"`` it equals :func:`box_iou`."""
    a, b = _boxes("a", a), _boxes("b", b)
    kappa = _kappa(kappa)
    if np.ndim(kappa) != 0:
        raise ValueError(
            f"kappa: soft_box_iou takes one number, got shape {np.shape(kappa)}"
        )
    out = _native.soft_box_iou(
        a, b, float(kappa), smoothing, box_format, _threads(threads)
    )
    return out.astype(_dtype(a, b), copy=False)


def kappa_for(side: float, tolerance: float = 0.01, smoothing: str = "logsumexp") -> float:
    """The κ (in 1/coordinate units) for boxes of shorter side ``side`` that keeps the
    soft IoU loss within ``tolerance`` of the hard one: the library's κ rule (the same
    number as ``softiou kappa --side S --tolerance T``), i.e. the smallest κ·s above which
    |soft − hard| <= tolerance on every pair of its standard family, divided by ``side``.
    ``smoothing`` is ``"boltzmann"`` or ``"logsumexp"`` (``"hard"`` has no κ to choose)."""
    return _native.kappa_for(float(side), float(tolerance), smoothing)
