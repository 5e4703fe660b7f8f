//! Checking every loss at many random cases: what `softiou check` runs.

#[cfg(feature = "parallel")]
use rayon::prelude::*;
#[cfg(feature = "serde")]
use serde::Serialize;

use super::cases::Case;
use super::check::check_gradient;
use super::hessian::check_hessian;
use super::losses::{KappaLoss, PredLoss, TargetLoss};
use super::report::{CheckOptions, ComponentReport, Report, Tolerance};
use crate::error::Result;
use crate::iou::{Loss, LossKind};
use crate::smooth::Smoothing;

/// What to check at every case.
///
/// `Default`: every loss kind with every operator, the 4th-order stencil, and
/// [`Tolerance::SUITE`].
///
/// ```
/// use softiou::fdcheck::{SuiteOptions, Tolerance};
/// let o = SuiteOptions::default();
/// assert_eq!(o.losses.len(), 12); // 4 losses × 3 operators
/// assert_eq!(o.check.tolerance, Some(Tolerance::SUITE));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteOptions {
    /// The losses (kind and operator) to check.
    pub losses: Vec<Loss>,
    /// Stencil, step and tolerances.
    pub check: CheckOptions,
}

impl Tolerance {
    /// The tolerance of `softiou check`: `rtol = 1e-4`, `atol = 1e-9` (100 times the f64
    /// default in rtol). Every derivative of every loss is resolved to better than 1e-6 (the
    /// step ladder refines to a hundredth of this tolerance); where it cannot be, because the
    /// loss is not twice differentiable (CIoU at P = T, where α·v = v²/(1 − IoU + v) is 0/0),
    /// the polarisation test of the Hessian check says so. An error in a derivative formula
    /// (a dropped term, a wrong constant, a missing chain factor) is of relative size 1e-2 to
    /// 1, far above.
    ///
    /// ```
    /// use softiou::fdcheck::Tolerance;
    /// assert_eq!((Tolerance::SUITE.rtol, Tolerance::SUITE.atol), (1e-4, 1e-9));
    /// ```
    pub const SUITE: Tolerance = Tolerance {
        atol: 1e-9,
        rtol: 1e-4,
    };
}

impl Default for SuiteOptions {
    fn default() -> Self {
        let kinds = [
            LossKind::SoftIou,
            LossKind::Giou,
            LossKind::Diou,
            LossKind::Ciou,
        ];
        SuiteOptions {
            losses: kinds
                .iter()
                .flat_map(|&k| Smoothing::ALL.map(|op| Loss::new(k, op)))
                .collect(),
            check: CheckOptions {
                tolerance: Some(Tolerance::SUITE),
                ..CheckOptions::default()
            },
        }
    }
}

/// The name of the ∂loss/∂κ check in [`WorstCase::check`].
pub(crate) const KAPPA_CHECK: &str = "d/dkappa";

/// The worst (or a failing) component, with everything needed to reproduce it.
///
/// ```
/// use softiou::fdcheck::{SuiteOptions, random_cases, run_suite};
/// let s = run_suite(&random_cases(4, 1, 1.0, 1.0)?, &SuiteOptions::default());
/// let w = s.worst.expect("some component was compared");
/// assert!(w.component.margin <= 1.0 && w.case.kappa == 1.0);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct WorstCase {
    /// The inputs.
    pub case: Case,
    /// The loss, e.g. `giou (logsumexp)`.
    pub loss: String,
    /// `gradient wrt P`, `gradient wrt T`, `hessian wrt P` or `d/dkappa`.
    pub check: &'static str,
    /// The unit of the variable: for the box checks the length L of one unit of the
    /// displacement u (derivatives are per unit of u, i.e. per L coordinate units); for
    /// the ∂/∂κ check (`d/dkappa`) the step K of κ in 1/coordinate units (κ = K·s, the derivative is
    /// ∂loss/∂s = K·∂loss/∂κ, labelled `∂f/∂κ`).
    pub unit: f64,
    /// The component.
    pub component: ComponentReport,
}

/// The outcome of [`run_suite`].
///
/// ```
/// use softiou::fdcheck::{SuiteOptions, random_cases, run_suite};
/// let s = run_suite(&random_cases(8, 7, 0.1, 10.0)?, &SuiteOptions::default());
/// assert!(s.ok() && s.cases == 8 && s.passed + s.failed == s.cases);
/// assert!(s.max_rel_error < 1e-4);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Summary {
    /// Box pairs checked.
    pub cases: usize,
    /// Cases where no differentiable component failed (kinks and undefined losses allowed).
    pub passed: usize,
    /// Cases with at least one wrong derivative.
    pub failed: usize,
    /// Cases with at least one component that is not differentiable there.
    pub kinks: usize,
    /// Components that are not differentiable there, over all cases.
    pub kink_components: usize,
    /// (case, loss) pairs where the loss is undefined at or next to the point (an error
    /// such as a smoothed union of 0); nothing to check there, not a failure.
    pub undefined: usize,
    /// Derivatives compared.
    pub components: usize,
    /// The largest relative error over all differentiable components.
    pub max_rel_error: f64,
    /// The differentiable component closest to failing (largest
    /// [`ComponentReport::margin`]): a failure if there is one.
    pub worst: Option<WorstCase>,
    /// The first failures (at most 10).
    pub failures: Vec<WorstCase>,
}

impl Summary {
    /// `true` if no differentiable case failed.
    pub fn ok(&self) -> bool {
        self.failed == 0
    }

    fn merge(mut self, other: Summary) -> Summary {
        self.cases += other.cases;
        self.passed += other.passed;
        self.failed += other.failed;
        self.kinks += other.kinks;
        self.kink_components += other.kink_components;
        self.undefined += other.undefined;
        self.components += other.components;
        self.max_rel_error = self.max_rel_error.max(other.max_rel_error);
        if let Some(w) = other.worst
            && self
                .worst
                .as_ref()
                .is_none_or(|mine| w.component.margin > mine.component.margin)
        {
            self.worst = Some(w);
        }
        self.failures.extend(other.failures);
        self.failures.truncate(10);
        self
    }
}

/// The four checks of one loss at one case.
/// Each check with its unit: the length L of the box displacements, or for ∂/∂κ the
/// step K of κ (1/coordinate units).
fn reports(
    case: &Case,
    loss: Loss,
    opts: &CheckOptions,
) -> Result<[(&'static str, f64, Report); 4]> {
    let (p, t) = case.boxes()?;
    let f = PredLoss::new(loss, p, t, case.kappa)?;
    let k = KappaLoss::new(f);
    let mut dk = check_gradient(&k, k.point(), opts)?;
    for c in &mut dk.components {
        c.label = "∂f/∂κ".to_owned();
    }
    Ok([
        (
            "gradient wrt P",
            f.unit,
            check_gradient(&f, [0.0; 4], opts)?,
        ),
        (
            "gradient wrt T",
            f.unit,
            check_gradient(&TargetLoss(f), [0.0; 4], opts)?,
        ),
        ("hessian wrt P", f.unit, check_hessian(&f, [0.0; 4], opts)?),
        (KAPPA_CHECK, k.unit, dk),
    ])
}

fn check_case(case: &Case, opts: &SuiteOptions) -> Summary {
    let mut s = Summary {
        cases: 1,
        ..Summary::default()
    };
    let (mut failed, mut kinks) = (false, false);
    for &loss in &opts.losses {
        let Ok(checks) = reports(case, loss, &opts.check) else {
            s.undefined += 1;
            continue;
        };
        for (check, unit, r) in checks {
            s.components += r.components.len();
            s.kink_components += r.kinks;
            kinks |= r.kinks > 0;
            let record = |c: &ComponentReport| WorstCase {
                case: *case,
                loss: loss.to_string(),
                check,
                unit,
                component: c.clone(),
            };
            s.max_rel_error = s.max_rel_error.max(r.max_rel_error());
            if let Some(w) = r.worst.map(|i| &r.components[i])
                && s.worst
                    .as_ref()
                    .is_none_or(|mine| w.margin > mine.component.margin)
            {
                s.worst = Some(record(w));
            }
            if !r.passed {
                failed = true;
                s.failures.extend(r.failures().map(record));
            }
        }
    }
    s.failures.truncate(10);
    s.passed = usize::from(!failed);
    s.failed = usize::from(failed);
    s.kinks = usize::from(kinks);
    s
}

/// Checks the gradient wrt P and wrt T, the Hessian wrt P and ∂/∂κ of every loss in
/// `options.losses` at every case (in parallel with the `parallel` feature), using [`PredLoss`], [`TargetLoss`] and
/// [`KappaLoss`].
///
/// ```
/// use softiou::fdcheck::{SuiteOptions, random_cases, run_suite};
/// use softiou::{Loss, Smoothing};
/// let cases = random_cases(16, 1, 0.1, 10.0)?;
/// let opts = SuiteOptions { losses: vec![Loss::soft_iou(Smoothing::LogSumExp)], ..Default::default() };
/// let s = run_suite(&cases, &opts);
/// assert_eq!((s.cases, s.failed), (16, 0));
/// # Ok::<(), softiou::Error>(())
/// ```
pub fn run_suite(cases: &[Case], options: &SuiteOptions) -> Summary {
    #[cfg(feature = "parallel")]
    let summary = cases
        .par_iter()
        .map(|c| check_case(c, options))
        .reduce(Summary::default, Summary::merge);
    // without the `parallel` feature: the same merge, in order on the calling thread
    #[cfg(not(feature = "parallel"))]
    let summary = cases
        .iter()
        .map(|c| check_case(c, options))
        .fold(Summary::default(), Summary::merge);
    summary
}
