//! The κ·s grids every κ figure is drawn on, and the symmetric offset grid of the surfaces.
//!
//! κ is reported in two forms: the physical κ (1/coordinate unit) and the dimensionless
//! κ·s, with s the target's shorter side, because only κ·s decides how close the soft
//! loss is to the hard one (`soft_iou(c·P, c·T, κ/c) = soft_iou(P, T, κ)`).

use crate::figures::error::{Error, Result};
use crate::number::num;
use crate::smooth::Smoothing;

/// The two smooth operators, in the order they are plotted.
pub const SMOOTH_OPS: [Smoothing; 2] = [Smoothing::Boltzmann, Smoothing::LogSumExp];

/// A logarithmic grid of dimensionless κ·s values (s = the target's shorter side).
///
/// ```
/// use softiou::figures::KappaRange;
/// let r = KappaRange::new(0.1, 1000.0, 5)?;
/// let v = r.values();
/// assert_eq!((v.len(), v[0], v[4]), (5, 0.1, 1000.0));
/// assert!((v[2] - 10.0).abs() < 1e-12); // evenly spaced in log κ·s
/// assert!(KappaRange::new(1.0, 0.5, 5).is_err());
/// assert!(KappaRange::new(0.1, 10.0, KappaRange::MAX_POINTS + 1).is_err());
/// # Ok::<(), softiou::figures::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KappaRange {
    min: f64,
    max: f64,
    points: usize,
}

impl KappaRange {
    /// The most κ values of a range: 10 000, 40 times the default 241 and ten times
    /// the width in pixels of a figure, so more could not be seen. A sweep keeps, per value
    /// and operator, the loss, its derivatives and a row of CSV, and draws every value: 100 000
    /// values peaked at 355 MB, so 10 000 stay near 40 MB. Checked before anything is
    /// allocated (a sweep of 10⁹ values used to abort on a failed allocation).
    ///
    /// ```
    /// use softiou::figures::KappaRange;
    /// assert!(KappaRange::new(0.1, 10.0, KappaRange::MAX_POINTS).is_ok());
    /// ```
    pub const MAX_POINTS: usize = 10_000;

    /// `points` values of κ·s from `min` to `max`, evenly spaced in log κ.
    ///
    /// # Errors
    /// [`Error::InvalidSweep`] unless `0 < min < max`, both finite, and
    /// `2 <= points <= KappaRange::MAX_POINTS`.
    pub fn new(min: f64, max: f64, points: usize) -> Result<Self> {
        if !(min.is_finite() && min > 0.0) {
            return Err(Error::InvalidSweep(format!(
                "kappa minimum {} must be a finite number > 0",
                num(min)
            )));
        }
        if !(max.is_finite() && max > min) {
            return Err(Error::InvalidSweep(format!(
                "kappa maximum {} must be finite and larger than the minimum {}",
                num(max),
                num(min)
            )));
        }
        if !(2..=KappaRange::MAX_POINTS).contains(&points) {
            return Err(Error::InvalidSweep(format!(
                "{points} kappa points; need at least 2 and at most {}",
                KappaRange::MAX_POINTS
            )));
        }
        Ok(KappaRange { min, max, points })
    }

    /// The same grid given in physical κ (1/coordinate unit) for a target whose shorter
    /// side is `side`: κ·s runs from `kappa_min·side` to `kappa_max·side`.
    ///
    /// # Errors
    /// As [`KappaRange::new`], with the κ values named in the message.
    pub fn from_physical(kappa_min: f64, kappa_max: f64, points: usize, side: f64) -> Result<Self> {
        if !(kappa_min.is_finite() && kappa_min > 0.0) {
            return Err(Error::InvalidSweep(format!(
                "kappa minimum {} must be a finite number > 0",
                num(kappa_min)
            )));
        }
        if !(kappa_max.is_finite() && kappa_max > kappa_min) {
            return Err(Error::InvalidSweep(format!(
                "kappa maximum {} must be finite and larger than the minimum {}",
                num(kappa_max),
                num(kappa_min)
            )));
        }
        KappaRange::new(kappa_min * side, kappa_max * side, points)
    }

    /// The smallest κ·s.
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The largest κ·s.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The number of grid points.
    pub fn points(&self) -> usize {
        self.points
    }

    /// The grid itself; the first and last values are exactly `min` and `max`.
    pub fn values(&self) -> Vec<f64> {
        let (a, b) = (self.min.ln(), self.max.ln());
        let last = self.points - 1;
        (0..self.points)
            .map(|i| match i {
                0 => self.min,
                i if i == last => self.max,
                i => (a + (b - a) * i as f64 / last as f64).exp(),
            })
            .collect()
    }
}

/// The default κ·s grid of the standard set: 1e-2 to 1e4, 40 points per decade.
pub fn default_range() -> KappaRange {
    KappaRange {
        min: 1e-2,
        max: 1e4,
        points: 241,
    }
}

/// `n` points symmetric about 0 from `-half` to `half`: `half·(2i − (n−1))/(n−1)`, so
/// that point `i` is exactly the negative of point `n−1−i`.
pub(crate) fn symmetric_grid(half: f64, n: usize) -> Vec<f64> {
    let m = (n - 1) as f64;
    (0..n).map(|i| half * (2.0 * i as f64 - m) / m).collect()
}
