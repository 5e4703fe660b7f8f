//! One fitting run: the κ schedule, the loop, stop conditions and the history.

use std::fmt;

use serde::Serialize;

use super::error::{Error, Result};
use super::optim::{NewtonKind, Optimizer, State, backtrack, newton_direction};
use super::param::{Param, Theta};
use super::status::{Ending, StopReason, WORSE_BY, status};
use crate::bbox::BBox;
use crate::iou::{Loss, check_kappa, hard_iou};
use crate::number::num;
use crate::smooth::Smoothing;

/// How κ (1/coordinate units) evolves over a run.
///
/// ```
/// use softiou::fit::KappaSchedule;
/// let anneal = KappaSchedule::Anneal { min: 0.1, max: 50.0 };
/// assert_eq!(anneal.last(), 50.0);
/// assert_eq!(anneal.to_string(), "kappa annealed 0.1..50.0");
/// assert_eq!(KappaSchedule::Fixed(2.0).to_string(), "kappa = 2.0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KappaSchedule {
    /// The same κ at every step.
    Fixed(f64),
    /// Continuation: κ raised geometrically from `min` to `max` over the first
    /// [`FitConfig::anneal_fraction`] of the steps, then held at `max`.
    Anneal {
        /// κ at step 0.
        min: f64,
        /// κ at the end of the ramp and after it.
        max: f64,
    },
}

impl KappaSchedule {
    /// κ at step `k` of a ramp of `ramp` steps: `min·(max/min)^{min(k/ramp, 1)}`.
    ///
    /// ```
    /// use softiou::fit::KappaSchedule;
    /// let s = KappaSchedule::Anneal { min: 0.1, max: 10.0 };
    /// assert_eq!(s.kappa_at(0, 100), 0.1);
    /// assert!((s.kappa_at(50, 100) - 1.0).abs() < 1e-12);
    /// assert_eq!(s.kappa_at(100, 100), 10.0);
    /// assert_eq!(s.kappa_at(500, 100), 10.0);
    /// ```
    pub fn kappa_at(&self, k: usize, ramp: usize) -> f64 {
        match *self {
            KappaSchedule::Fixed(kappa) => kappa,
            KappaSchedule::Anneal { min, max } => {
                if k >= ramp {
                    max
                } else {
                    min * (max / min).powf(k as f64 / ramp as f64)
                }
            }
        }
    }

    /// The final κ.
    pub fn last(&self) -> f64 {
        match *self {
            KappaSchedule::Fixed(k) => k,
            KappaSchedule::Anneal { max, .. } => max,
        }
    }

    fn check(&self) -> Result<()> {
        match *self {
            KappaSchedule::Fixed(k) => check_kappa(&k)?,
            KappaSchedule::Anneal { min, max } => {
                check_kappa(&min)?;
                check_kappa(&max)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for KappaSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KappaSchedule::Fixed(k) => write!(f, "kappa = {}", num(*k)),
            KappaSchedule::Anneal { min, max } => {
                write!(f, "kappa annealed {}..{}", num(*min), num(*max))
            }
        }
    }
}

/// Everything that defines a run besides the two boxes.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, fit::{FitConfig, KappaSchedule, Optimizer, fit}};
/// let cfg = FitConfig {
///     steps: 50,
///     ..FitConfig::new(Loss::soft_iou(Smoothing::Hard), KappaSchedule::Fixed(1.0), Optimizer::Adam)
/// };
/// let p = BBox::new(12.0, 2.0, 22.0, 12.0)?;
/// let t = BBox::new(15.0, 3.0, 25.0, 13.0)?;
/// let run = fit(&p, &t, &cfg)?;
/// assert!(run.steps <= 50 && run.final_iou > 0.6);
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitConfig {
    /// The loss minimised.
    pub loss: Loss,
    /// κ over the run.
    pub schedule: KappaSchedule,
    /// The optimiser.
    pub optimizer: Optimizer,
    /// The largest number of updates, at most [`FitConfig::MAX_STEPS`].
    pub steps: usize,
    /// Learning rate (θ units; see [`Optimizer::default_lr`]).
    pub lr: f64,
    /// Stop (converged) once κ is final and `‖∇_θ loss‖ ≤ gtol`.
    pub gtol: f64,
    /// Fraction of `steps` over which an annealed κ is ramped up.
    pub anneal_fraction: f64,
}

impl Default for FitConfig {
    /// Soft IoU with `logsumexp`, κ annealed from 0.1 to 50, Newton at its default radius,
    /// 2000 steps: this reaches hard IoU ≥ 0.99 from `[0,0,10,10]` to `[15,3,25,13]`.
    fn default() -> Self {
        FitConfig::new(
            Loss::soft_iou(Smoothing::LogSumExp),
            KappaSchedule::Anneal {
                min: 0.1,
                max: 50.0,
            },
            Optimizer::default(),
        )
    }
}

impl FitConfig {
    /// The largest [`FitConfig::steps`]. The run keeps every iterate ([`FitResult::history`],
    /// 72 bytes a step, and one JSON object a step in `softiou fit --json`), so the step
    /// count bounds its memory: 100 000 steps are 7.2 MB. That is 50 times the default of
    /// 2000, which every run of the README's table needs at most; Newton converges in tens of
    /// steps.
    ///
    /// ```
    /// use softiou::fit::FitConfig;
    /// assert!(FitConfig::default().steps <= FitConfig::MAX_STEPS);
    /// ```
    pub const MAX_STEPS: usize = 100_000;

    /// Default steps, tolerances and the optimiser's default learning rate.
    pub fn new(loss: Loss, schedule: KappaSchedule, optimizer: Optimizer) -> Self {
        FitConfig {
            loss,
            schedule,
            optimizer,
            steps: 2000,
            lr: optimizer.default_lr(),
            gtol: 1e-8,
            anneal_fraction: 0.5,
        }
    }

    /// The defaults scaled to the target: κ annealed over κ·s = 2.5 … 500 with `s` the
    /// target's shorter side (κ = 0.25 … 50 for a 10-wide target), Newton.
    ///
    /// Starting at κ·s = 2.5 rather than 1 keeps the run out of the regime where the
    /// smoothed loss prefers degenerate thin boxes (κ·s ≲ 1): from there a small start
    /// box is squashed below the resolution of its coordinates before κ has grown.
    ///
    /// ```
    /// use softiou::{BBox, fit::{FitConfig, KappaSchedule}};
    /// let t = BBox::new(0.0_f64, 0.0, 100.0, 50.0)?;
    /// assert_eq!(FitConfig::for_target(&t).schedule, KappaSchedule::Anneal { min: 0.05, max: 10.0 });
    /// # Ok::<(), softiou::fit::Error>(())
    /// ```
    pub fn for_target(t: &BBox<f64>) -> Self {
        let s = t.min_side();
        FitConfig {
            schedule: KappaSchedule::Anneal {
                min: 2.5 / s,
                max: 500.0 / s,
            },
            ..FitConfig::default()
        }
    }

    fn ramp(&self) -> usize {
        ((self.steps as f64 * self.anneal_fraction).round() as usize).max(1)
    }
}

/// One iterate of a run.
///
/// ```
/// use softiou::BBox;
/// use softiou::fit::{FitConfig, fit};
/// let p = BBox::new(8.0, 0.0, 18.0, 10.0)?; // overlapping the target
/// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
/// let run = fit(&p, &t, &FitConfig::default())?;
/// let last = run.history.last().unwrap();
/// assert_eq!(last.step, run.steps);
/// assert_eq!(last.bbox, run.final_box.to_xyxy());
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FitStep {
    /// Updates made before this iterate (0 is the start).
    pub step: usize,
    /// κ at this step (1/coordinate units).
    pub kappa: f64,
    /// The smoothed loss at this box and κ.
    pub loss: f64,
    /// The hard IoU of this box with the target.
    pub hard_iou: f64,
    /// `‖∂loss/∂θ‖` (θ is dimensionless).
    pub grad_norm: f64,
    /// The box, `[x_min, y_min, x_max, y_max]`.
    pub bbox: [f64; 4],
}

/// The result of a run that did not diverge: the final box is always valid.
///
/// ```
/// use softiou::BBox;
/// use softiou::fit::{FitConfig, fit};
/// let p = BBox::new(8.0, 0.0, 18.0, 10.0)?; // overlapping the target
/// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
/// let run = fit(&p, &t, &FitConfig::default())?;
/// assert!(run.converged && run.final_iou > 0.99);
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FitResult {
    /// The final box.
    pub final_box: BBox<f64>,
    /// Its hard IoU with the target.
    pub final_iou: f64,
    /// Updates made.
    pub steps: usize,
    /// Whether the final box is on the target (`stop == StopReason::Converged`).
    pub converged: bool,
    /// The final status (see [`StopReason`] for the tests and their order).
    pub stop: StopReason,
    /// Whether the run stopped because `‖∇_θ loss‖ ≤ gtol` at the final κ (a stationary
    /// point of the smoothed loss, on the target or not).
    pub stationary: bool,
    /// The smallest eigenvalue of the exact Hessian of the loss in θ at the final box and
    /// κ, if the run ended at a stationary point (`None` otherwise): below −1e-6 the point
    /// is a saddle, and the run is [`StopReason::Stalled`], not converged.
    pub min_hessian_eigenvalue: Option<f64>,
    /// Newton steps that fell back to the gradient (Hessian not positive definite).
    pub gradient_fallbacks: usize,
    /// Every iterate, the start and the final box included.
    pub history: Vec<FitStep>,
}

/// Fits `p` to `t` under `cfg`.
///
/// ```
/// use softiou::{BBox, Loss, Smoothing, fit::{FitConfig, KappaSchedule, Optimizer, fit}};
/// let p = BBox::new(0.0_f64, 0.0, 10.0, 10.0)?;
/// let t = BBox::new(15.0_f64, 3.0, 25.0, 13.0)?;
/// // The hard IoU has a zero gradient for disjoint boxes: nothing moves.
/// let cfg = FitConfig::new(Loss::soft_iou(Smoothing::Hard), KappaSchedule::Fixed(1.0), Optimizer::Gd);
/// let run = fit(&p, &t, &cfg)?;
/// assert_eq!((run.steps, run.final_box), (0, p));
/// # Ok::<(), softiou::fit::Error>(())
/// ```
///
/// # Errors
/// [`crate::Error::InvalidKappa`] for a bad schedule, [`Error::InvalidSetting`] for a learning
/// rate or tolerance that is not finite and positive, [`crate::Error::InvalidParameter`] for more
/// than [`FitConfig::MAX_STEPS`] steps, any error of the loss at the start,
/// and [`Error::Diverged`] if an iterate leaves the boxes where the loss is finite (a
/// size that overflows or underflows, a NaN): the run stops there and returns no box.
pub fn fit(p: &BBox<f64>, t: &BBox<f64>, cfg: &FitConfig) -> Result<FitResult> {
    cfg.schedule.check()?;
    for (name, v) in [("learning rate", cfg.lr), ("gtol", cfg.gtol)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::InvalidSetting { name, value: v });
        }
    }
    if cfg.steps > FitConfig::MAX_STEPS {
        return Err(crate::Error::InvalidParameter {
            name: "steps",
            value: cfg.steps.to_string(),
            need: "at most 100000 (softiou::fit::FitConfig::MAX_STEPS): the run keeps every iterate",
        }
        .into());
    }
    if !(cfg.anneal_fraction.is_finite() && cfg.anneal_fraction > 0.0) {
        return Err(Error::InvalidSetting {
            name: "anneal fraction",
            value: cfg.anneal_fraction,
        });
    }
    let param = Param::for_target(t);
    let ramp = cfg.ramp();
    let start = param.theta(p);
    let mut theta = start;
    let mut state = State::default();
    let mut history = Vec::with_capacity(cfg.steps + 1);
    // whether the loop ended at a stationary point at the final κ, or with a gradient of
    // exactly 0 (no descent direction at all)
    let mut stationary = false;
    let mut zero_gradient: bool;
    let mut k = 0;
    let mut fallbacks = 0;
    let mut kinks = 0_usize;
    let mut moved = false;
    loop {
        let kappa = cfg.schedule.kappa_at(k, ramp);
        let diverged = |reason: String| Error::Diverged {
            step: k,
            kappa,
            reason,
        };
        let bbox = param.to_box(&theta).map_err(|e| diverged(e.to_string()))?;
        let eval = if cfg.optimizer.needs_hessian() {
            param
                .hessian(cfg.loss, &theta, t, kappa)
                .map(|(v, g, h)| (v, g, Some(h)))
        } else {
            param
                .gradient(cfg.loss, &theta, t, kappa)
                .map(|(v, g)| (v, g, None))
        };
        let (value, g, h) = match eval {
            Ok(e) => e,
            Err(e) if k == 0 => return Err(e.into()),
            Err(e) => return Err(diverged(e.to_string())),
        };
        let grad_norm = g.norm();
        if !(value.is_finite() && grad_norm.is_finite()) {
            return Err(diverged(format!(
                "the loss is {} and its gradient norm {}",
                num(value),
                num(grad_norm)
            )));
        }
        history.push(FitStep {
            step: k,
            kappa,
            loss: value,
            hard_iou: hard_iou(&bbox, t),
            grad_norm,
            bbox: bbox.to_xyxy(),
        });
        let kappa_final = k >= ramp || matches!(cfg.schedule, KappaSchedule::Fixed(_));
        zero_gradient = g.iter().all(|&d| d == 0.0);
        if kappa_final && grad_norm <= cfg.gtol {
            stationary = true;
            break;
        }
        if k == cfg.steps {
            break;
        }
        let next: Theta<f64> = match cfg.optimizer {
            Optimizer::Gd => theta - g * cfg.lr,
            Optimizer::Adam => theta + state.adam(&g, cfg.lr),
            Optimizer::Newton => {
                let h = h.unwrap_or_default();
                let (d, kind) = newton_direction(&g, &h, cfg.lr);
                let f = |th: &Theta<f64>| param.loss(cfg.loss, th, t, kappa).ok();
                if kind == NewtonKind::Gradient {
                    fallbacks += 1;
                }
                // A Newton direction that finds no decrease (at a kink of a `hard`
                // loss, say) gets a second chance along the steepest descent.
                let steepest = || {
                    let n = g.norm();
                    (n > 0.0).then(|| -g * (cfg.lr / n))
                };
                let found = backtrack(f, &theta, value, &g, &d).or_else(|| {
                    (kind == NewtonKind::Newton)
                        .then(steepest)
                        .flatten()
                        .and_then(|d| backtrack(f, &theta, value, &g, &d))
                });
                match (found, steepest()) {
                    (Some(next), _) => next,
                    // No decrease along either direction: a kink of a `hard` loss, where
                    // the one-sided slopes disagree with the (averaged) gradient. Take a
                    // subgradient step of diminishing length, which does not need one.
                    (None, Some(d)) => {
                        kinks += 1;
                        theta + d / kinks as f64
                    }
                    // No direction at all: the gradient is exactly 0 (`zero_gradient`).
                    (None, None) => break,
                }
            }
        };
        if next.iter().any(|x| !x.is_finite()) {
            return Err(Error::Diverged {
                step: k + 1,
                kappa,
                reason: format!(
                    "the parameters became {}",
                    crate::number::list(next.as_slice())
                ),
            });
        }
        moved |= next != theta;
        theta = next;
        k += 1;
    }
    let last = history.last().copied().ok_or(Error::Diverged {
        step: 0,
        kappa: cfg.schedule.kappa_at(0, ramp),
        reason: "no iterate was evaluated".into(),
    })?;
    let final_box = BBox::from_xyxy(last.bbox)?;
    let first = history[0];
    // The start's loss at the final κ and the final box's at the first κ, to tell a run
    // that went uphill (an error here only means that comparison cannot be made).
    let at = |th: &Theta<f64>, kappa: f64| param.loss(cfg.loss, th, t, kappa).ok();
    let worse = last.loss > at(&start, last.kappa).map_or(f64::INFINITY, |v| v + WORSE_BY)
        || at(&theta, first.kappa).is_some_and(|v| v > first.loss + WORSE_BY);
    // At a stationary point, is it a minimum? The exact Hessian in θ says (one more
    // evaluation; an error only means the question cannot be answered).
    let min_eigenvalue = stationary
        .then(|| param.hessian(cfg.loss, &theta, t, last.kappa).ok())
        .flatten()
        .map(|(_, _, h)| h.symmetric_eigenvalues().min());
    let stop = status(&Ending {
        final_box: &final_box,
        target: t,
        stationary,
        min_eigenvalue,
        zero_gradient,
        moved,
        start_iou: first.hard_iou,
        final_iou: last.hard_iou,
        final_loss: last.loss,
        worse,
    });
    Ok(FitResult {
        final_box,
        final_iou: last.hard_iou,
        steps: last.step,
        converged: stop == StopReason::Converged,
        stop,
        stationary,
        min_hessian_eigenvalue: min_eigenvalue,
        gradient_fallbacks: fallbacks,
        history,
    })
}
