"""softiou: smooth (differentiable) IoU losses for NumPy, with exact derivatives.

The losses of ``torchvision.ops`` (IoU, GIoU, DIoU, CIoU) with every max and min replaced
by a smooth operator of temperature κ (``smoothing="logsumexp"`` or ``"boltzmann"``;
``"hard"`` gives the ordinary losses), computed by the Rust library ``softiou``: exact
gradients with respect to both boxes, ∂loss/∂κ and Hessians come from dual numbers, not
from finite differences, so they can serve as the reference for another implementation.

>>> import numpy as np, softiou
>>> pred = np.array([[0.0, 0.0, 10.0, 10.0]])
>>> target = np.array([[2.0, 2.0, 12.0, 12.0]])
>>> float(softiou.soft_iou_loss(pred, target, 1.0, smoothing="hard")[0])  # 1 - 64/136
0.5294117647058824
"""

from ._api import (
    LossAndGrad,
    box_iou,
    ciou_loss,
    ciou_loss_and_grad,
    diou_loss,
    diou_loss_and_grad,
    giou_loss,
    giou_loss_and_grad,
    hessian,
    kappa_for,
    soft_box_iou,
    soft_iou_loss,
    soft_iou_loss_and_grad,
)

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
__version__ = "0.1.0"
