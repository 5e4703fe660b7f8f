"""Type stubs of the compiled module (use the functions of `softiou` instead: they add
the defaults, dtype handling and reductions)."""

from typing import Optional

import numpy as np

def losses(
    loss: str, pred: np.ndarray, target: np.ndarray, kappa: float | np.ndarray,
    smoothing: str, box_format: str, threads: Optional[int] = None,
) -> np.ndarray: ...
def evaluate(
    loss: str, pred: np.ndarray, target: np.ndarray, kappa: float | np.ndarray,
    smoothing: str, box_format: str, threads: Optional[int] = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Optional[np.ndarray]]: ...
def grad_pred(
    loss: str, pred: np.ndarray, target: np.ndarray, kappa: float | np.ndarray,
    smoothing: str, box_format: str, threads: Optional[int] = None,
) -> tuple[np.ndarray, np.ndarray]: ...
def hessian(
    loss: str, pred: np.ndarray, target: np.ndarray, kappa: float | np.ndarray,
    smoothing: str, box_format: str, threads: Optional[int] = None,
) -> np.ndarray: ...
def box_iou(
    a: np.ndarray, b: np.ndarray, box_format: str, threads: Optional[int] = None
) -> np.ndarray: ...
def soft_box_iou(
    a: np.ndarray, b: np.ndarray, kappa: float, smoothing: str, box_format: str,
    threads: Optional[int] = None,
) -> np.ndarray: ...
def kappa_for(side: float, tolerance: float, smoothing: str) -> float: ...
