//! Named box pairs: the standard scenarios every κ-sweep figure shows.

use crate::bbox::BBox;
use crate::figures::error::Result;

/// A predicted box and a target, with a name for legends and files.
///
/// ```
/// use softiou::BBox;
/// use softiou::figures::{KappaRange, KappaSweep, Scenario};
/// let s = Scenario::new("mine", BBox::new(0.0, 0.0, 40.0, 20.0)?, BBox::new(5.0, 5.0, 45.0, 25.0)?);
/// assert_eq!(s.side(), 20.0); // the target's shorter side
/// let sweep = KappaSweep::compute(&s, &KappaRange::new(1.0, 100.0, 3)?, &[softiou::Smoothing::Boltzmann])?;
/// assert_eq!(sweep.scenario.name, "mine");
/// # Ok::<(), softiou::figures::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Shown in legends and written in the CSV `scenario` column.
    pub name: String,
    /// The predicted box P.
    pub pred: BBox<f64>,
    /// The target box T.
    pub target: BBox<f64>,
}

impl Scenario {
    /// A named pair.
    pub fn new(name: impl Into<String>, pred: BBox<f64>, target: BBox<f64>) -> Self {
        Scenario {
            name: name.into(),
            pred,
            target,
        }
    }

    /// The length scale s: the target's shorter side. κ·s is the dimensionless κ.
    pub fn side(&self) -> f64 {
        self.target.min_side()
    }
}

/// The side of the standard target, in coordinate units.
pub const STANDARD_SIDE: f64 = 10.0;

fn pair(name: &str, p: [f64; 4], t: [f64; 4]) -> Result<Scenario> {
    Ok(Scenario::new(
        name,
        BBox::from_xyxy(p)?,
        BBox::from_xyxy(t)?,
    ))
}

fn all() -> Result<Vec<Scenario>> {
    let t = [0.0, 0.0, STANDARD_SIDE, STANDARD_SIDE];
    Ok(vec![
        pair("overlapping", [3.0, 2.0, 13.0, 12.0], t)?,
        pair("nested", [2.0, 3.0, 8.0, 7.0], t)?,
        pair("identical", t, t)?,
        pair("touching", [10.0, 0.0, 20.0, 10.0], t)?,
        pair("disjoint in x", [13.0, 1.0, 23.0, 11.0], t)?,
        pair("disjoint in x and y", [13.0, 12.0, 23.0, 22.0], t)?,
    ])
}

/// The six standard pairs, all against the target `[0, 0, 10, 10]` (s = 10):
/// overlapping (IoU 56/144), nested (P inside T), identical, touching (shared edge),
/// disjoint in x (gap 3, overlapping in y) and disjoint in x and y (gaps 3 and 2).
///
/// ```
/// let all = softiou::figures::standard_scenarios();
/// assert!(all.len() >= 3 && all.iter().all(|s| s.side() == 10.0));
/// ```
pub fn standard() -> Vec<Scenario> {
    // The coordinates above are valid literals, so `all` cannot fail; an empty list
    // would only make the figures empty, never panic.
    all().unwrap_or_default()
}
