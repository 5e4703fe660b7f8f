//! The final status of a fitting run: what the end of a run means, decided once from its
//! last iterate (see [`StopReason`] for the tests and their order).

use std::fmt;

use serde::Serialize;

use crate::bbox::BBox;

/// A stationary point whose exact Hessian of the loss in θ (the box in units of the target
/// side, see [`super::Param`]) has an eigenvalue below `−SADDLE_EIGENVALUE` is a saddle,
/// not a minimum: [`StopReason::Stalled`], never [`StopReason::Converged`]. The loss is
/// O(1) and θ dimensionless, so the Hessian is O(1) and rounded at ~1e-14; 1e-6 is
/// clearly negative curvature, and the flat directions of a `hard` loss (eigenvalue 0)
/// are not saddles.
pub(crate) const SADDLE_EIGENVALUE: f64 = 1e-6;

/// A loss that exceeds the start's by more than this (the loss is O(1) and rounded at
/// ~1e-16) makes the run [`StopReason::Diverged`].
pub(crate) const WORSE_BY: f64 = 1e-12;

/// The final status of a run, decided in this order (the first that applies):
///
/// ```
/// use softiou::BBox;
/// use softiou::fit::{FitConfig, fit};
/// let p = BBox::new(8.0, 0.0, 18.0, 10.0)?; // overlapping the target
/// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
/// let run = fit(&p, &t, &FitConfig::default())?;
/// assert_eq!(run.stop, softiou::fit::StopReason::Converged);
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// 1. The final box is degenerate: a side is shorter than [`Self::DEGENERATE_FRACTION`] or
    ///    longer than [`Self::EXPLODED_MULTIPLE`] times the target's same side, whatever the
    ///    loss or the gradient say.
    Degenerate,
    /// 2. On the target: the run stopped at a stationary point (`‖∇_θ loss‖ ≤ gtol` at the
    ///    final κ) that is not a saddle (no eigenvalue of the exact Hessian of the loss in
    ///    θ below −1e-6: [`FitResult::min_hessian_eigenvalue`](super::FitResult::min_hessian_eigenvalue)), the final hard IoU is
    ///    at least [`Self::CONVERGED_IOU`], and the smoothed loss agrees that the boxes overlap:
    ///    `0 ≤ loss < 1` (every one of the four losses is ≥ 1 for disjoint boxes; a
    ///    negative loss is a smoothed value beyond the pole).
    Converged,
    /// 3. The run made things worse: the final box's loss exceeds the start box's (by more
    ///    than 1e-12) at the first or at the final κ of the schedule, or the start overlapped
    ///    the target (hard IoU > 0) and the final box does not (hard IoU 0).
    Diverged,
    /// 4. No progress was possible: the box never moved, or the gradient at the final box
    ///    is exactly 0 (the `hard` operator on disjoint boxes; at large κ·gap it
    ///    underflows).
    Stuck,
    /// 5. The run stopped at a stationary point of the smoothed loss that is not a fit: a
    ///    saddle, or not the target (hard IoU below [`Self::CONVERGED_IOU`], or a loss outside
    ///    `[0, 1)`) — a saddle, or a biased or spurious optimum.
    Stalled,
    /// 6. The step budget ran out before the gradient vanished.
    MaxSteps,
}

impl StopReason {
    /// Hard IoU at or above which a run that stopped at a stationary point counts as
    /// [`Self::Converged`] to the target: 0.5, the usual threshold for a detection to
    /// match its target. A stricter one would call the documented bias of a small fixed κ a
    /// failure (the smoothed optimum at κ·s = 10 has hard IoU 0.91, at κ·s = 2 only 0.58).
    ///
    /// ```
    /// use softiou::BBox;
    /// use softiou::fit::{FitConfig, fit};
    /// let p = BBox::new(8.0, 0.0, 18.0, 10.0)?; // overlapping the target
    /// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
    /// let run = fit(&p, &t, &FitConfig::default())?;
    /// assert!(run.converged && run.final_iou >= softiou::fit::StopReason::CONVERGED_IOU);
    /// # Ok::<(), softiou::fit::Error>(())
    /// ```
    pub const CONVERGED_IOU: f64 = 0.5;

    /// A final side shorter than this fraction of the target's same side makes the run
    /// [`Self::Degenerate`] (a collapsed box, e.g. the strips of `logsumexp` at κ·s ≲ 1).
    ///
    /// ```
    /// use softiou::BBox;
    /// use softiou::fit::{FitConfig, StopReason, fit};
    /// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
    /// let run = fit(&BBox::new(8.0, 0.0, 18.0, 10.0)?, &t, &FitConfig::default())?;
    /// // a converged box keeps sides far above the degenerate fraction of the target's
    /// let [x0, y0, x1, y1] = run.final_box.to_xyxy();
    /// assert!(run.stop != StopReason::Degenerate && (x1 - x0).min(y1 - y0) > StopReason::DEGENERATE_FRACTION * 10.0);
    /// # Ok::<(), softiou::fit::Error>(())
    /// ```
    pub const DEGENERATE_FRACTION: f64 = 1e-3;

    /// A final side longer than this multiple of the target's same side makes the run
    /// [`Self::Degenerate`] (an exploded box).
    ///
    /// ```
    /// use softiou::BBox;
    /// use softiou::fit::{FitConfig, StopReason, fit};
    /// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
    /// let run = fit(&BBox::new(8.0, 0.0, 18.0, 10.0)?, &t, &FitConfig::default())?;
    /// let [x0, y0, x1, y1] = run.final_box.to_xyxy();
    /// assert!((x1 - x0).max(y1 - y0) < StopReason::EXPLODED_MULTIPLE * 10.0);
    /// # Ok::<(), softiou::fit::Error>(())
    /// ```
    pub const EXPLODED_MULTIPLE: f64 = 1e3;

    /// The name in JSON and CSV output: `converged`, `stalled`, `stuck`, `diverged`,
    /// `degenerate` or `max-steps`.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::Degenerate => "degenerate",
            StopReason::Converged => "converged",
            StopReason::Diverged => "diverged",
            StopReason::Stuck => "stuck",
            StopReason::Stalled => "stalled",
            StopReason::MaxSteps => "max-steps",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`status`] needs to know about the end of a run.
pub(crate) struct Ending<'a> {
    pub(crate) final_box: &'a BBox<f64>,
    pub(crate) target: &'a BBox<f64>,
    pub(crate) stationary: bool,
    /// The smallest eigenvalue of the exact Hessian in θ at the final box (`None` if the
    /// run did not end at a stationary point, or it could not be evaluated).
    pub(crate) min_eigenvalue: Option<f64>,
    pub(crate) zero_gradient: bool,
    pub(crate) moved: bool,
    pub(crate) start_iou: f64,
    pub(crate) final_iou: f64,
    pub(crate) final_loss: f64,
    pub(crate) worse: bool,
}

/// The final status: the tests of [`StopReason`], in its order.
pub(crate) fn status(e: &Ending<'_>) -> StopReason {
    let sides = [
        (e.final_box.width(), e.target.width()),
        (e.final_box.height(), e.target.height()),
    ];
    if sides.iter().any(|&(s, t)| {
        s < StopReason::DEGENERATE_FRACTION * t || s > StopReason::EXPLODED_MULTIPLE * t
    }) {
        StopReason::Degenerate
    } else if e.stationary
        && e.min_eigenvalue.is_none_or(|m| m >= -SADDLE_EIGENVALUE)
        && e.final_iou >= StopReason::CONVERGED_IOU
        && (0.0..1.0).contains(&e.final_loss)
    {
        StopReason::Converged
    } else if e.worse || (e.start_iou > 0.0 && e.final_iou == 0.0) {
        StopReason::Diverged
    } else if !e.moved || e.zero_gradient {
        StopReason::Stuck
    } else if e.stationary {
        StopReason::Stalled
    } else {
        StopReason::MaxSteps
    }
}
