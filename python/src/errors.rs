//! The library's errors as Python `ValueError`s that name the argument and the row.

use pyo3::PyErr;
use pyo3::exceptions::PyValueError;
use softiou::Error;

/// The names of the two box arguments of a function (`pred`/`target`, `a`/`b`).
#[derive(Clone, Copy)]
pub struct Args {
    /// The first box argument (the batch API's "predicted box").
    pub first: &'static str,
    /// The second box argument (the batch API's "target box").
    pub second: &'static str,
}

/// `pred`/`target`.
pub const PRED_TARGET: Args = Args {
    first: "pred",
    second: "target",
};

/// A batch error as `ValueError("<argument>: row <i> (0-based): <what is wrong>")`.
pub fn batch(e: Error, args: Args) -> PyErr {
    match e {
        Error::InPair {
            index,
            what,
            source,
        } => {
            let arg = match what {
                "predicted box" => args.first.to_owned(),
                "target box" => args.second.to_owned(),
                "kappa" => "kappa".to_owned(),
                // the loss of a valid pair is not finite: both boxes (and κ) are to blame
                _ => format!("{}, {}", args.first, args.second),
            };
            PyValueError::new_err(format!("{arg}: row {index} (0-based): {source}"))
        }
        Error::InvalidKappa(_) => PyValueError::new_err(format!("kappa: {e}")),
        e => PyValueError::new_err(format!("{}, {}: {e}", args.first, args.second)),
    }
}

/// `e`, which happened at row 0 of a one-row batch, as the error of row `index`.
pub fn at_row(e: Error, index: usize) -> Error {
    match e {
        Error::InPair { what, source, .. } => Error::InPair {
            index,
            what,
            source,
        },
        // `Batch::new` checks only κ
        e @ Error::InvalidKappa(_) => Error::InPair {
            index,
            what: "kappa",
            source: Box::new(e),
        },
        e => Error::InPair {
            index,
            what: "loss",
            source: Box::new(e),
        },
    }
}

/// `e` of a batch that started at row `start` of the caller's arrays, with the caller's
/// row number.
pub fn shifted(e: Error, start: usize) -> Error {
    match e {
        Error::InPair {
            index,
            what,
            source,
        } => Error::InPair {
            index: index + start,
            what,
            source,
        },
        e => e,
    }
}
