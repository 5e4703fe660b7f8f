//! The fitting demo's error type: the core's errors, plus what only a fitting run can get
//! wrong — an unknown optimiser, a setting that is not valid, a run that diverged.

use thiserror::Error as ThisError;

use crate::error::quote;
use crate::number::num;

/// Everything that can go wrong setting up or running a fit.
///
/// ```
/// use softiou::BBox;
/// use softiou::fit::{Error, FitConfig, Optimizer, fit};
/// assert!(matches!("sgd".parse::<Optimizer>(), Err(Error::UnknownOptimizer(_))));
/// let t = BBox::from_xyxy(softiou::fit::FitSet::TARGET)?;
/// let cfg = FitConfig { lr: -1.0, ..FitConfig::default() };
/// let e = fit(&t, &t, &cfg).unwrap_err();
/// assert!(matches!(e, Error::InvalidSetting { name: "learning rate", .. }));
/// // the core's errors pass through unchanged
/// let core = BBox::new(1.0, 0.0, 0.0, 1.0).unwrap_err();
/// assert_eq!(Error::from(core.clone()).to_string(), core.to_string());
/// # Ok::<(), softiou::fit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// An error of the numeric core (a box, κ, a loss that is not finite).
    #[error(transparent)]
    Core(#[from] crate::Error),
    /// A name that does not denote an optimiser.
    #[error("unknown optimizer {}; expected one of: gd, adam, newton", quote(.0))]
    UnknownOptimizer(String),
    /// A fitting setting (learning rate, tolerance) that is not a finite positive number.
    #[error("{name} = {} is not valid; it must be a finite number > 0", num(*.value))]
    InvalidSetting {
        /// Which setting.
        name: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A fitting run left the boxes on which the loss is finite; no box is returned.
    #[error(
        "the fit diverged at step {step} (kappa = {}): {reason}; \
         lower the learning rate, raise kappa, or anneal kappa from small to large",
        num(*.kappa)
    )]
    Diverged {
        /// The step at which the iterate became invalid.
        step: usize,
        /// κ at that step.
        kappa: f64,
        /// What went wrong (an overflowing or vanishing size, a NaN).
        reason: String,
    },
}

/// The fitting demo's `Result`.
pub(crate) type Result<T> = std::result::Result<T, Error>;
