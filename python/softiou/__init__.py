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

# The public names are listed once, in _api.__all__.
from ._api import *  # noqa: F401,F403
from ._api import __all__  # noqa: F401

__version__ = "0.1.0"
