//! The figures' error type: the core's errors, plus the two things only figures do — a
//! sweep grid that is not usable and a file that could not be drawn or written.

use thiserror::Error as ThisError;

use crate::error::quote_bare;

/// Everything that can go wrong computing or writing a figure.
///
/// ```
/// use softiou::figures::{Error, KappaRange};
/// let e = KappaRange::new(1.0, 0.5, 5).unwrap_err();
/// assert!(matches!(e, Error::InvalidSweep(_)));
/// assert!(e.to_string().starts_with("invalid sweep: kappa maximum 0.5"));
/// // the core's errors pass through unchanged
/// let core = softiou::BBox::new(1.0, 0.0, 0.0, 1.0).unwrap_err();
/// assert_eq!(Error::from(core.clone()).to_string(), core.to_string());
/// ```
#[derive(Debug, Clone, PartialEq, ThisError)]
pub enum Error {
    /// An error of the numeric core (a box, κ, a loss that is not finite).
    #[error(transparent)]
    Core(#[from] crate::Error),
    /// An error of the fitting runs the fit figures draw.
    #[error(transparent)]
    Fit(#[from] crate::fit::Error),
    /// A sweep grid is not usable (κ range, number of points, grid size).
    #[error("invalid sweep: {0}")]
    InvalidSweep(String),
    /// A figure or data file could not be drawn or written.
    #[error("could not write {}: {reason}", quote_bare(path))]
    Output {
        /// The file that was being written.
        path: String,
        /// Why it failed.
        reason: String,
    },
}

/// The figures' `Result`.
pub(crate) type Result<T> = std::result::Result<T, Error>;
