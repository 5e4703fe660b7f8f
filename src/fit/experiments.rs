//! The runs behind the figures and the README table: one target, three starts, the losses
//! and κ values worth comparing. Numbers only; the figures module draws them.

use super::error::Result;
use super::optim::Optimizer;
use super::param::Param;
use super::run::{FitConfig, FitResult, KappaSchedule, fit};
use super::status::StopReason;
use crate::bbox::BBox;
use crate::iou::{Loss, LossKind};
use crate::smooth::Smoothing;

/// A named start box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Start {
    /// Short name (`overlapping`, `just disjoint`, `far disjoint`).
    pub name: &'static str,
    /// The start box, `[x_min, y_min, x_max, y_max]`.
    pub pred: [f64; 4],
}

/// The three starts: overlapping the target (IoU 0.13), just disjoint (gap 5 = s/2, the
/// issue's `[0,0,10,10]`) and far disjoint (gap 35 = 3.5·s).
pub(crate) const STARTS: [Start; 3] = [
    Start {
        name: "overlapping",
        pred: [8.0, 0.0, 18.0, 10.0],
    },
    Start {
        name: "just disjoint",
        pred: [0.0, 0.0, 10.0, 10.0],
    },
    Start {
        name: "far disjoint",
        pred: [-30.0, 0.0, -20.0, 10.0],
    },
];

/// A loss with its κ schedule, and a label that gives κ as κ·s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Method {
    /// For legends and the table, e.g. `logsumexp κ·s=10`.
    pub label: String,
    /// The loss.
    pub loss: Loss,
    /// κ over the run (1/coordinate units).
    pub schedule: KappaSchedule,
}

/// The compared methods for a target of side `side`: `hard`; soft IoU with `logsumexp` at
/// κ·s = 1, 2, 10, 50; with `boltzmann` at κ·s = 2, 5; GIoU and DIoU (unsmoothed); and
/// `logsumexp` annealed from κ·s = 1 and from κ·s = 2.5 (the default), to 500.
pub(crate) fn methods(side: f64) -> Vec<Method> {
    let soft = |op: Smoothing, ks: f64| Method {
        label: format!("{op} κ·s={ks}"),
        loss: Loss::soft_iou(op),
        schedule: KappaSchedule::Fixed(ks / side),
    };
    let plain = |label: &str, kind: LossKind| Method {
        label: label.to_owned(),
        loss: Loss::new(kind, Smoothing::Hard),
        schedule: KappaSchedule::Fixed(1.0 / side),
    };
    let mut m = vec![plain("hard IoU", LossKind::SoftIou)];
    m.extend([1.0, 2.0, 10.0, 50.0].map(|ks| soft(Smoothing::LogSumExp, ks)));
    m.extend([2.0, 5.0].map(|ks| soft(Smoothing::Boltzmann, ks)));
    m.push(plain("GIoU", LossKind::Giou));
    m.push(plain("DIoU", LossKind::Diou));
    // κ·s from 1 (the start the issue names) and from 2.5 (the default), to 500
    for ks_min in [1.0, 2.5] {
        m.push(Method {
            label: format!("annealed κ·s={ks_min}..500"),
            loss: Loss::soft_iou(Smoothing::LogSumExp),
            schedule: KappaSchedule::Anneal {
                min: ks_min / side,
                max: 500.0 / side,
            },
        });
    }
    m
}

/// One run of one method from one start with one optimiser (`Err` if it diverged).
///
/// ```
/// use softiou::fit::{Optimizer, run_all};
/// let outcomes = run_all(&[Optimizer::Newton], 200)?;
/// let first = &outcomes[0];
/// assert_eq!((first.start, first.optimizer), (0, Optimizer::Newton));
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Index into `STARTS`.
    pub start: usize,
    /// The method's label.
    pub method: String,
    /// The optimiser.
    pub optimizer: Optimizer,
    /// The run, or the divergence error.
    pub result: Result<FitResult>,
}

/// Runs every method of `methods` from every start of `STARTS` to [`FitSet::TARGET`] with each
/// optimiser (at its default learning rate), at most `steps` updates each.
///
/// ```
/// use softiou::fit::{Optimizer, run_all};
/// let outcomes = run_all(&[Optimizer::Newton], 200)?;
/// // 11 methods from each of the 3 starts
/// assert_eq!(outcomes.len(), 3 * 11);
/// assert!(outcomes.iter().all(|o| o.optimizer == Optimizer::Newton));
/// # Ok::<(), softiou::fit::Error>(())
/// ```
///
/// # Errors
/// Only if [`FitSet::TARGET`] or a start were invalid (they are not); divergent runs are kept as
/// `Err` in their [`Outcome`].
pub fn run_all(optimizers: &[Optimizer], steps: usize) -> Result<Vec<Outcome>> {
    let t = BBox::from_xyxy(FitSet::TARGET)?;
    let mut out = Vec::new();
    for &optimizer in optimizers {
        for (si, s) in STARTS.iter().enumerate() {
            let p = BBox::from_xyxy(s.pred)?;
            for m in methods(t.min_side()) {
                let mut cfg = FitConfig::new(m.loss, m.schedule, optimizer);
                cfg.steps = steps;
                out.push(Outcome {
                    start: si,
                    method: m.label,
                    optimizer,
                    result: fit(&p, &t, &cfg),
                });
            }
        }
    }
    Ok(out)
}

/// A Markdown table of final hard IoU and steps for every start and method (rows) and
/// optimiser (column pairs), from [`run_all`] outcomes.
///
/// ```
/// use softiou::fit::{Optimizer, markdown_table, run_all};
/// let opts = [Optimizer::Newton];
/// let table = markdown_table(&run_all(&opts, 200)?, &opts);
/// assert!(table.starts_with('|') && table.contains("hard"));
/// # Ok::<(), softiou::fit::Error>(())
/// ```
pub fn markdown_table(outcomes: &[Outcome], optimizers: &[Optimizer]) -> String {
    let mut s = String::from("| start | method |");
    for o in optimizers {
        s += &format!(" {o}: hard IoU | {o}: steps |");
    }
    s += "\n|---|---|";
    s += &"---:|---:|".repeat(optimizers.len());
    s += "\n";
    let first = optimizers.first().copied();
    for row in outcomes.iter().filter(|o| Some(o.optimizer) == first) {
        s += &format!("| {} | {} |", STARTS[row.start].name, row.method);
        for &opt in optimizers {
            let cell = outcomes
                .iter()
                .find(|o| o.optimizer == opt && o.start == row.start && o.method == row.method);
            s += &match cell.map(|o| &o.result) {
                Some(Ok(r)) => format!(" {:.3} | {} |", r.final_iou, steps_cell(r)),
                Some(Err(_)) => " diverged | — |".to_owned(),
                None => " | |".to_owned(),
            };
        }
        s += "\n";
    }
    s
}

fn steps_cell(r: &FitResult) -> String {
    match r.stop {
        StopReason::Converged => format!("{}", r.steps),
        StopReason::MaxSteps => format!("{} (limit)", r.steps),
        status => format!("{} ({status})", r.steps),
    }
}

/// One point of the bias curve: where a fixed-κ fit ends, against κ·s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BiasPoint {
    /// κ·s (dimensionless).
    pub kappa_s: f64,
    /// The operator.
    pub smoothing: Smoothing,
    /// Index into `BIAS_STARTS`.
    pub start: usize,
    /// Hard IoU of the final box with the target (`None` if the run diverged).
    pub hard_iou: Option<f64>,
    /// Width of the final box (coordinate units; `None` if the run diverged).
    pub width: Option<f64>,
    /// Why the run stopped (`None` if it diverged).
    pub stop: Option<StopReason>,
    /// Whether the final box is a strict local minimum of the smoothed loss: the gradient
    /// vanished and the smallest eigenvalue of the exact Hessian (in θ) exceeds 1e-6
    /// (`false` for a saddle, a plateau or a run that did not converge).
    pub is_minimum: bool,
}

/// Starts of the bias curve: the target itself (the nearest optimum) and just disjoint.
pub(crate) const BIAS_STARTS: [Start; 2] = [
    Start {
        name: "start at target",
        pred: FitSet::TARGET,
    },
    Start {
        name: "just disjoint",
        pred: [0.0, 0.0, 10.0, 10.0],
    },
];

/// Converged hard IoU against κ·s for soft IoU with `logsumexp` and `boltzmann`, fixed κ,
/// Newton (default settings), from each of [`BIAS_STARTS`], on `n` κ·s values spaced
/// geometrically over `[lo, hi]`.
///
/// # Errors
/// As [`run_all`].
pub(crate) fn bias_curve(lo: f64, hi: f64, n: usize) -> Result<Vec<BiasPoint>> {
    let t = BBox::from_xyxy(FitSet::TARGET)?;
    let side = t.min_side();
    let mut out = Vec::new();
    for (start, s) in BIAS_STARTS.iter().enumerate() {
        let p = BBox::from_xyxy(s.pred)?;
        for smoothing in [Smoothing::LogSumExp, Smoothing::Boltzmann] {
            for i in 0..n {
                let f = if n > 1 {
                    i as f64 / (n - 1) as f64
                } else {
                    0.0
                };
                let kappa_s = lo * (hi / lo).powf(f);
                let cfg = FitConfig::new(
                    Loss::soft_iou(smoothing),
                    KappaSchedule::Fixed(kappa_s / side),
                    Optimizer::Newton,
                );
                let r = fit(&p, &t, &cfg).ok();
                // A strict minimum: the gradient vanished (after moving or at the start)
                // and the exact Hessian's smallest eigenvalue is clearly positive (a
                // plateau, with a Hessian of ~e^{-κ·gap}, is not one).
                let is_minimum = r.as_ref().is_some_and(|r| {
                    let param = Param::for_target(&t);
                    r.stationary
                        && param
                            .hessian(cfg.loss, &param.theta(&r.final_box), &t, kappa_s / side)
                            .is_ok_and(|(_, _, h)| h.symmetric_eigenvalues().min() > 1e-6)
                });
                out.push(BiasPoint {
                    kappa_s,
                    smoothing,
                    start,
                    hard_iou: r.as_ref().map(|r| r.final_iou),
                    width: r.as_ref().map(|r| r.final_box.width()),
                    stop: r.as_ref().map(|r| r.stop),
                    is_minimum,
                });
            }
        }
    }
    Ok(out)
}

/// The steps a figure shows of a run of `last` updates: every step up to 20, then about
/// 80 steps spaced geometrically, and `last` itself (so that plots and CSV stay small).
pub(crate) fn sample_steps(last: usize) -> Vec<usize> {
    sample_steps_n(last, 20, 80)
}

/// Every step up to `dense`, then `n` steps spaced geometrically up to `last`, and `last`.
pub(crate) fn sample_steps_n(last: usize, dense: usize, n: usize) -> Vec<usize> {
    let mut s: Vec<usize> = (0..=last.min(dense)).collect();
    if last > dense {
        let d = dense.max(1) as f64;
        for i in 1..=n {
            let k = (d * (last as f64 / d).powf(i as f64 / n as f64)).round() as usize;
            if k > *s.last().unwrap_or(&0) && k <= last {
                s.push(k);
            }
        }
        if s.last() != Some(&last) {
            s.push(last);
        }
    }
    s
}

/// The iterates of `r` at `sample_steps`.
///
/// ```
/// use softiou::BBox;
/// use softiou::fit::{FitConfig, fit};
/// let p = BBox::new(8.0, 0.0, 18.0, 10.0)?; // overlapping the target
/// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
/// let run = fit(&p, &t, &FitConfig::default())?;
/// let s = softiou::fit::sampled_history(&run);
/// assert_eq!(s.first().map(|s| s.step), Some(0));
/// assert_eq!(s.last().map(|s| s.step), Some(run.steps));
/// # Ok::<(), softiou::fit::Error>(())
/// ```
pub fn sampled_history(r: &FitResult) -> Vec<super::FitStep> {
    sample_steps(r.steps)
        .into_iter()
        .filter_map(|k| r.history.get(k).copied())
        .collect()
}

/// The optimisers compared in the figures of the standard set: all three, as in the
/// README's table.
pub(crate) const FIGURE_OPTIMIZERS: [Optimizer; 3] =
    [Optimizer::Gd, Optimizer::Adam, Optimizer::Newton];

/// Every number behind the fitting figures of the standard plot set: the runs of
/// [`run_all`] with `FIGURE_OPTIMIZERS`, the `bias_curve` and the annealed run the
/// animation shows. Computed here, drawn by the crate's fit figures.
///
/// ```
/// use softiou::fit::{FitSet, Optimizer};
/// let set = FitSet::compute()?;
/// assert_eq!(set.optimizers, [Optimizer::Gd, Optimizer::Adam, Optimizer::Newton]);
/// // every method from each of the 3 starts with each optimiser
/// assert_eq!(set.outcomes.len(), 3 * 3 * set.methods.len());
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FitSet {
    /// The method labels of `methods`, in order (the index picks a method's colour).
    pub methods: Vec<String>,
    /// The optimisers of `outcomes`.
    pub optimizers: Vec<Optimizer>,
    /// Every method from every start with every optimiser.
    pub outcomes: Vec<Outcome>,
    /// Converged hard IoU against κ·s (0.5 to 200, 25 points).
    pub(crate) bias: Vec<BiasPoint>,
    /// The first annealed method of `methods` with Adam, from the `just disjoint` start.
    pub anneal: FitResult,
}

impl FitSet {
    /// The target of every experiment, `[15, 3, 25, 13]` (side s = 10).
    ///
    /// ```
    /// use softiou::fit::FitSet;
    /// assert_eq!(softiou::BBox::from_xyxy(FitSet::TARGET)?.min_side(), 10.0);
    /// # Ok::<(), softiou::fit::Error>(())
    /// ```
    pub const TARGET: [f64; 4] = [15.0, 3.0, 25.0, 13.0];

    /// Runs every fit of the figures (the three parts in parallel).
    ///
    /// # Errors
    /// Only on internal inconsistencies (the inputs are fixed and valid), or if the
    /// annealed run diverges.
    pub fn compute() -> Result<Self> {
        let t = BBox::from_xyxy(FitSet::TARGET)?;
        let start = BBox::from_xyxy(STARTS[1].pred)?;
        let all = methods(t.min_side());
        let annealed = all
            .iter()
            .find(|m| matches!(m.schedule, KappaSchedule::Anneal { .. }))
            .ok_or_else(|| crate::Error::InvalidParameter {
                name: "methods",
                value: "no annealed method".into(),
                need: "an annealed method to animate",
            })?;
        let cfg = FitConfig::new(annealed.loss, annealed.schedule, Optimizer::Adam);
        let opts = FIGURE_OPTIMIZERS;
        let ((outcomes, bias), anneal) = rayon::join(
            || {
                rayon::join(
                    || run_all(&opts, FitConfig::default().steps),
                    || bias_curve(0.5, 200.0, 25),
                )
            },
            || fit(&start, &t, &cfg),
        );
        Ok(FitSet {
            methods: all.into_iter().map(|m| m.label).collect(),
            optimizers: opts.to_vec(),
            outcomes: outcomes?,
            bias: bias?,
            anneal: anneal?,
        })
    }
}
