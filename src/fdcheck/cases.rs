//! Random box pairs for `softiou check`, from families that stress different branches of
//! the losses (seeded, reproducible).

use std::fmt;

use crate::rng::{Pcg64, Rng, SeedableRng};
#[cfg(feature = "serde")]
use serde::Serialize;

use crate::bbox::BBox;
use crate::error::{Error, Result};

/// How the two boxes of a case are placed.
///
/// ```
/// use softiou::fdcheck::Family;
/// assert_eq!(Family::ALL.len(), 8);
/// assert_eq!(Family::DisjointOneAxis.to_string(), "disjoint-one-axis");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Family {
    /// Partly overlapping.
    Overlapping,
    /// One box strictly inside the other.
    Nested,
    /// P = T exactly: every max and min is an exact tie.
    Identical,
    /// Sharing an edge exactly (zero overlap along one axis): a tie at the soft ReLU.
    Touching,
    /// Apart along x, overlapping in y.
    DisjointOneAxis,
    /// Apart along both axes.
    DisjointBoth,
    /// Overlapping boxes with sides between 1e-3 and 1e-1.
    Tiny,
    /// Overlapping boxes with coordinates near 1e5.
    Far,
}

impl Family {
    /// All families; case k of [`random_cases`] belongs to `ALL[k % 8]`.
    pub const ALL: [Family; 8] = [
        Family::Overlapping,
        Family::Nested,
        Family::Identical,
        Family::Touching,
        Family::DisjointOneAxis,
        Family::DisjointBoth,
        Family::Tiny,
        Family::Far,
    ];

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Overlapping => "overlapping",
            Family::Nested => "nested",
            Family::Identical => "identical",
            Family::Touching => "touching",
            Family::DisjointOneAxis => "disjoint-one-axis",
            Family::DisjointBoth => "disjoint-both",
            Family::Tiny => "tiny",
            Family::Far => "far",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One box pair and κ to check.
///
/// ```
/// use softiou::fdcheck::{Case, Family};
/// let c = Case { family: Family::Nested, p: [0.0, 0.0, 4.0, 4.0], t: [1.0, 1.0, 2.0, 2.0], kappa: 1.0 };
/// let (p, t) = c.boxes()?;
/// assert_eq!((p.area(), t.area()), (16.0, 1.0));
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Case {
    /// Which family it was drawn from.
    pub family: Family,
    /// The predicted box `[x_min, y_min, x_max, y_max]`.
    pub p: [f64; 4],
    /// The target box.
    pub t: [f64; 4],
    /// κ (1/coordinate units).
    pub kappa: f64,
}

impl Case {
    /// The two boxes, validated.
    ///
    /// # Errors
    /// Never for a case from [`random_cases`]; a box error for a hand-made one.
    pub fn boxes(&self) -> Result<(BBox<f64>, BBox<f64>)> {
        Ok((BBox::from_xyxy(self.p)?, BBox::from_xyxy(self.t)?))
    }
}

/// The largest κ (1/coordinate units) [`random_cases`] accepts (see its "Limits").
pub(crate) const KAPPA_LIMIT: f64 = 1e12;

/// The most cases [`random_cases`] draws in one call (see its "Limits").
pub(crate) const MAX_CASES: usize = 1_000_000;

/// What [`random_cases`] says about a κ above [`KAPPA_LIMIT`].
pub(crate) const KAPPA_LIMIT_NEED: &str = "it must be <= 1e12 (1/coordinate units); beyond that the smooth \
     operators equal the hard one to the last bit and there is nothing left to check";

/// `n` seeded random cases cycling through [`Family::ALL`], with κ log-uniform in
/// `[kappa_min, kappa_max]`. Box sides are log-uniform in [1, 100] (the `Tiny` family:
/// [1e-3, 1e-1]) and corners uniform in [0, 100] (`Far`: [1e5, 1e5 + 100]).
///
/// ```
/// use softiou::fdcheck::{Family, random_cases};
/// let cases = random_cases(16, 42, 0.1, 10.0)?;
/// assert_eq!(cases.len(), 16);
/// assert!(cases.iter().all(|c| c.boxes().is_ok() && c.kappa >= 0.1 && c.kappa <= 10.0));
/// assert_eq!(cases[2].family, Family::Identical);
/// assert_eq!(cases[2].p, cases[2].t);
/// assert_eq!(random_cases(16, 42, 0.1, 10.0)?, cases); // reproducible
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Limits
/// - κ at most 1e12 (1/coordinate units). Already there κ·side exceeds 1e9 in every family
///   (the tiny boxes have sides of at least 1e-3), so the smoothing is far below rounding;
///   beyond it the derivatives of the smoothing underflow to 0 and, at κ = 1e300, the
///   finite differences would compare zeros with zeros and report a PASS that checked
///   nothing.
/// - At most 1,000,000 cases. The cases are drawn up front (80 bytes each: 80 MB at the
///   limit) and cost ~0.46 ms each to check in a release build on two cores, so a million
///   take about 8 minutes: a hundred times the 10 000 the README quotes. Larger counts are
///   refused before anything is allocated.
///
/// ```
/// use softiou::fdcheck::random_cases;
/// assert!(random_cases(1, 0, 1.0, 1e12).is_ok());
/// assert!(random_cases(1, 0, 1.0, 2e12).is_err());
/// assert!(random_cases(1_000_001, 0, 1.0, 2.0).is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 < kappa_min <= kappa_max <= 1e12` and
/// `n <= 1_000_000`.
pub fn random_cases(n: usize, seed: u64, kappa_min: f64, kappa_max: f64) -> Result<Vec<Case>> {
    if n > MAX_CASES {
        return Err(Error::InvalidParameter {
            name: "n",
            value: n.to_string(),
            need: "at most 1000000 cases in one call",
        });
    }
    if !(kappa_min.is_finite() && kappa_min > 0.0) {
        return Err(Error::InvalidParameter {
            name: "kappa_min",
            value: crate::number::num(kappa_min),
            need: "it must be a finite number > 0 (units: 1/coordinate unit)",
        });
    }
    if !(kappa_max.is_finite() && kappa_max >= kappa_min) {
        return Err(Error::InvalidParameter {
            name: "kappa_max",
            value: crate::number::num(kappa_max),
            need: "it must be finite and >= kappa_min",
        });
    }
    if kappa_max > KAPPA_LIMIT {
        return Err(Error::InvalidParameter {
            name: "kappa_max",
            value: crate::number::num(kappa_max),
            need: KAPPA_LIMIT_NEED,
        });
    }
    let mut rng = Pcg64::seed_from_u64(seed);
    Ok((0..n)
        .map(|k| {
            let family = Family::ALL[k % Family::ALL.len()];
            let (p, t) = draw(&mut rng, family);
            let kappa = log_uniform(&mut rng, kappa_min, kappa_max);
            Case {
                family,
                p,
                t,
                kappa,
            }
        })
        .collect())
}

fn log_uniform(rng: &mut Pcg64, lo: f64, hi: f64) -> f64 {
    if lo == hi {
        return lo;
    }
    (rng.random_range(lo.ln()..=hi.ln())).exp().clamp(lo, hi)
}

/// `(x_min, y_min, width, height)` of a box with log-uniform sides in `[lo, hi]`.
fn xywh(rng: &mut Pcg64, lo: f64, hi: f64, origin: f64) -> [f64; 4] {
    let x = origin + rng.random_range(0.0..100.0);
    let y = origin + rng.random_range(0.0..100.0);
    [x, y, log_uniform(rng, lo, hi), log_uniform(rng, lo, hi)]
}

fn xyxy([x, y, w, h]: [f64; 4]) -> [f64; 4] {
    [x, y, x + w, y + h]
}

/// A box overlapping `p` (centres closer than 0.45 of the summed sides on each axis).
fn overlapping(rng: &mut Pcg64, p: [f64; 4], lo: f64, hi: f64) -> [f64; 4] {
    let (w, h) = (log_uniform(rng, lo, hi), log_uniform(rng, lo, hi));
    let cx = p[0] + p[2] / 2.0 + rng.random_range(-0.45..0.45) * (p[2] + w);
    let cy = p[1] + p[3] / 2.0 + rng.random_range(-0.45..0.45) * (p[3] + h);
    [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]
}

fn draw(rng: &mut Pcg64, family: Family) -> ([f64; 4], [f64; 4]) {
    let a = xywh(rng, 1.0, 100.0, 0.0);
    let pa = xyxy(a);
    let swap = rng.random_bool(0.5);
    let (p, t) = match family {
        Family::Overlapping => (pa, overlapping(rng, a, 1.0, 100.0)),
        Family::Nested => {
            let (fw, fh) = (rng.random_range(0.1..0.9), rng.random_range(0.1..0.9));
            let (w, h) = (a[2] * fw, a[3] * fh);
            let x = a[0] + rng.random_range(0.02..0.98) * (a[2] - w);
            let y = a[1] + rng.random_range(0.02..0.98) * (a[3] - h);
            (pa, [x, y, x + w, y + h])
        }
        Family::Identical => (pa, pa),
        Family::Touching => {
            // T starts exactly where P ends (an exact tie), overlapping on the other axis.
            let b = overlapping(rng, a, 1.0, 100.0);
            if rng.random_bool(0.5) {
                let w = b[2] - b[0];
                (pa, [pa[2], b[1], pa[2] + w, b[3]])
            } else {
                let h = b[3] - b[1];
                (pa, [b[0], pa[3], b[2], pa[3] + h])
            }
        }
        Family::DisjointOneAxis => {
            let b = overlapping(rng, a, 1.0, 100.0);
            let gap = log_uniform(rng, 0.1, 10.0);
            let w = b[2] - b[0];
            (pa, [pa[2] + gap, b[1], pa[2] + gap + w, b[3]])
        }
        Family::DisjointBoth => {
            let b = xywh(rng, 1.0, 100.0, 0.0);
            let (gx, gy) = (log_uniform(rng, 0.1, 10.0), log_uniform(rng, 0.1, 10.0));
            let (x, y) = (pa[2] + gx, pa[3] + gy);
            (pa, [x, y, x + b[2], y + b[3]])
        }
        Family::Tiny => {
            let s = xywh(rng, 1e-3, 1e-1, 0.0);
            (xyxy(s), overlapping(rng, s, 1e-3, 1e-1))
        }
        Family::Far => {
            let s = xywh(rng, 1.0, 100.0, 1e5);
            (xyxy(s), overlapping(rng, s, 1.0, 100.0))
        }
    };
    if swap { (t, p) } else { (p, t) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_has_the_geometry_its_name_promises() {
        let cases = random_cases(800, 11, 0.1, 10.0).unwrap();
        for c in &cases {
            let (p, t) = c.boxes().unwrap();
            let overlap_x = p.x_max().min(t.x_max()) - p.x_min().max(t.x_min());
            let overlap_y = p.y_max().min(t.y_max()) - p.y_min().max(t.y_min());
            match c.family {
                Family::Identical => assert_eq!(c.p, c.t),
                Family::Touching => {
                    // an exact tie: one overlap is exactly 0, the other positive
                    assert!(
                        overlap_x == 0.0 && overlap_y > 0.0 || overlap_y == 0.0 && overlap_x > 0.0,
                        "{c:?}"
                    );
                }
                Family::DisjointOneAxis => assert!(overlap_x < 0.0 && overlap_y > 0.0, "{c:?}"),
                Family::DisjointBoth => assert!(overlap_x < 0.0 && overlap_y < 0.0, "{c:?}"),
                Family::Nested => {
                    let inside = |a: &BBox<f64>, b: &BBox<f64>| {
                        a.x_min() > b.x_min()
                            && a.x_max() < b.x_max()
                            && a.y_min() > b.y_min()
                            && a.y_max() < b.y_max()
                    };
                    assert!(inside(&p, &t) || inside(&t, &p), "{c:?}");
                }
                Family::Overlapping | Family::Tiny | Family::Far => {
                    assert!(overlap_x > 0.0 && overlap_y > 0.0, "{c:?}")
                }
            }
            if c.family == Family::Tiny {
                assert!(p.width().max(p.height()) <= 0.1 + 1e-12, "{c:?}");
            }
            if c.family == Family::Far {
                assert!(c.p.iter().chain(&c.t).all(|v| *v > 9.9e4), "{c:?}");
            }
            assert!(c.kappa >= 0.1 && c.kappa <= 10.0);
        }
    }

    #[test]
    fn a_bad_kappa_range_is_an_error_naming_the_bound() {
        let msg = |r: Result<Vec<Case>>| r.unwrap_err().to_string();
        assert!(msg(random_cases(1, 0, 0.0, 1.0)).contains("kappa_min"));
        assert!(msg(random_cases(1, 0, 2.0, 1.0)).contains("kappa_max"));
        assert!(msg(random_cases(1, 0, 1.0, f64::INFINITY)).contains("kappa_max"));
        assert_eq!(random_cases(3, 0, 2.0, 2.0).unwrap()[1].kappa, 2.0);
    }
}
