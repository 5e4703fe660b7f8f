//! The one error type of the library: every fallible function returns [`Error`].

use thiserror::Error as ThisError;

use crate::number::num;

/// Everything that can be wrong with the input to, or the result of, a computation.
///
/// Messages name the offending value and say what would be valid, so that the CLI can
/// print them as they are.
///
/// ```
/// use softiou::{BBox, Error};
/// let err = BBox::new(0.0, 0.0, -1.0, 1.0).unwrap_err();
/// assert!(matches!(err, Error::EmptyBox { axis: "x", .. }));
/// // the message names the value and says what would be valid
/// assert!(err.to_string().contains("need x_max > x_min"));
/// ```
#[derive(Debug, Clone, PartialEq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// A box coordinate is NaN or infinite.
    #[error("box coordinate {name} is {}; coordinates must be finite numbers", num(*.value))]
    NonFiniteCoordinate {
        /// Which coordinate (`x_min`, `width`, …).
        name: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A box is inverted or empty along one axis (`max <= min`, or a size `<= 0`).
    #[error(
        "box is empty or inverted along {axis}: {axis}_min = {}, {axis}_max = {}; \
         need {axis}_max > {axis}_min (positive size)",
        num(*.min),
        num(*.max)
    )]
    EmptyBox {
        /// `"x"` or `"y"`.
        axis: &'static str,
        /// The lower coordinate.
        min: f64,
        /// The upper coordinate.
        max: f64,
    },
    /// κ is not a finite, strictly positive number.
    #[error(
        "kappa = {} is not valid; kappa must be a finite number > 0 (units: 1/coordinate unit)",
        num(*.0)
    )]
    InvalidKappa(f64),
    /// κ·s below the smallest value at which `logsumexp` is evaluated
    /// ([`crate::iou::logsumexp_min_kappa_s`], or
    /// [`crate::iou::logsumexp_min_kappa_s_hessian`] for a Hessian).
    #[error(
        "kappa * s = {} (s = the shortest side of either box) is below {}, the smallest \
         at which logsumexp is evaluated: its soft sides (about ln2/kappa) and the boxes are \
         then further apart than the number range; every value there is at its kappa -> 0 \
         limit, so use kappa * s >= {} for the same numbers",
        num(*.kappa_s),
        num(*.min),
        num(*.min)
    )]
    KappaTooSmall {
        /// κ times the shortest side.
        kappa_s: f64,
        /// The smallest κ·s accepted.
        min: f64,
    },
    /// A name that does not denote a smoothing operator.
    #[error("unknown smoothing operator {}; expected one of: hard, boltzmann, logsumexp", quote(.0))]
    UnknownSmoothing(String),
    /// A name that does not denote a loss.
    #[error("unknown loss {}; expected one of: soft-iou, giou, diou, ciou", quote(.0))]
    UnknownLoss(String),
    /// A name that does not denote a box format.
    #[error("unknown box format {}; expected one of: xyxy, xywh, cxcywh", quote(.0))]
    UnknownBoxFormat(String),
    /// The formula evaluated to NaN or infinity (for example a smoothed union of exactly 0).
    #[error("{what} evaluated to {}, which is not finite; {hint}", num(*.value))]
    NonFiniteResult {
        /// The quantity that was being computed.
        what: &'static str,
        /// The value obtained.
        value: f64,
        /// What the user can change.
        hint: &'static str,
    },
    /// A parameter (of a check, a study, a generator) outside its valid range.
    #[error("{name} = {} is not valid; {need}", quote_bare(value))]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// The value given.
        value: String,
        /// What would be valid.
        need: &'static str,
    },
    /// A buffer handed to a batch function has the wrong length.
    #[error(
        "batch buffer '{buffer}' has {found} rows but the batch has {expected} pairs; \
         give every input and output buffer one row per pair"
    )]
    BatchLength {
        /// Which buffer (`target`, `value`, `grad`, …).
        buffer: &'static str,
        /// The number of pairs (the length of the predicted boxes).
        expected: usize,
        /// The length of the offending buffer.
        found: usize,
    },
    /// A pair of a batch could not be evaluated; `index` is its 0-based row.
    #[error("pair {index} (0-based), {what}: {source}")]
    InPair {
        /// The 0-based index of the first failing pair.
        index: usize,
        /// `"predicted box"`, `"target box"` or `"loss"`.
        what: &'static str,
        /// What is wrong with it.
        #[source]
        source: Box<Error>,
    },
    /// A width or height given as such (xywh, cxcywh) is zero or negative.
    #[error("box {name} = {} is not valid; a box's {name} must be > 0", num(*.value))]
    NonPositiveSize {
        /// `"width"` or `"height"`.
        name: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A box whose area is not a positive finite number in floating point (sides so
    /// small that width·height underflows to 0, or so large that it overflows).
    #[error(
        "box of {} × {} has an area that is not a positive finite number \
         (it underflows to 0 or overflows to infinity); rescale the coordinates",
        num(*.width),
        num(*.height)
    )]
    AreaOutOfRange {
        /// `x_max − x_min`.
        width: f64,
        /// `y_max − y_min`.
        height: f64,
    },
}

/// The most characters of a user's text that a message quotes (see [`quote`]).
pub(crate) const QUOTE_CHARS: usize = 80;

/// A user's text as a message quotes it: in single quotes, and if it is longer than
/// [`QUOTE_CHARS`] characters, its first 80 characters, `…` and its length, so that an
/// error about a 1 MB CSV cell or argument stays one short line.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        None => format!("'{text}'"),
        Some((end, _)) => format!("'{}…' ({} characters)", &text[..end], text.chars().count()),
    }
}

/// As [`quote`] without the quotes for text that fits: for messages that show a value
/// (a number, a name the program produced) as it is.
pub(crate) fn quote_bare(text: &str) -> String {
    if text.chars().nth(QUOTE_CHARS).is_none() {
        text.to_owned()
    } else {
        quote(text)
    }
}

/// Shorthand for results of this crate.
///
/// ```
/// fn unit_box() -> softiou::Result<softiou::BBox<f64>> {
///     softiou::BBox::new(0.0, 0.0, 1.0, 1.0)
/// }
/// assert_eq!(unit_box()?.area(), 1.0);
/// # Ok::<(), softiou::Error>(())
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn quote_shortens_long_text() {
        use super::quote;
        assert_eq!(quote("sgd"), "'sgd'");
        let long = "a".repeat(1_000_000);
        assert_eq!(
            quote(&long),
            format!("'{}…' (1000000 characters)", "a".repeat(80))
        );
    }

    #[test]
    fn quote_bare_quotes_only_long_text() {
        use super::quote_bare;
        assert_eq!(quote_bare("1e-3"), "1e-3");
        assert!(quote_bare(&"9".repeat(500)).ends_with("…' (500 characters)"));
    }
}
