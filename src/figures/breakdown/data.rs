//! The article's formula, transcribed literally, and the map of where it breaks
//! (figure 9).
//!
//! **This is a deliberately naive transcription** of the article's Python
//! (summarised in `docs/design.md`), kept only to draw the map of its failures: it computes
//! `exp(k*a)` directly, which overflows for κ·a > 709.8 in f64 (88.7 in f32) and
//! underflows to 0 for κ·a < −745.1 (−103.9 in f32); either way a ratio of two of them
//! becomes ∞/∞ or 0/0 = NaN.
//! Use [`crate::soft_iou`] for anything else.

use num_traits::Float;
use rayon::prelude::*;

use crate::bbox::BBox;
use crate::figures::error::Result;
use crate::figures::kit::KappaRange;
use crate::iou::soft_iou;
use crate::smooth::Smoothing;

/// The article's `soft_maximum(a, b, k)`, literally: `(a·e^{ka} + b·e^{kb}) / (e^{ka} + e^{kb})`.
pub fn naive_soft_maximum<F: Float>(a: F, b: F, k: F) -> F {
    let exp_a = (k * a).exp();
    let exp_b = (k * b).exp();
    (a * exp_a + b * exp_b) / (exp_a + exp_b)
}

/// The article's `soft_minimum(a, b, k) = -soft_maximum(-a, -b, k)`, literally.
pub fn naive_soft_minimum<F: Float>(a: F, b: F, k: F) -> F {
    -naive_soft_maximum(-a, -b, k)
}

/// The article's `soft_iou(box1, box2)` with its `k`, literally (boxes `[x_min, y_min,
/// x_max, y_max]`). No validation, no stabilisation: NaN and ±∞ come out as they do in
/// the article's code.
pub fn naive_soft_iou<F: Float>(box1: [F; 4], box2: [F; 4], k: F) -> F {
    let [x1_min, y1_min, x1_max, y1_max] = box1;
    let [x2_min, y2_min, x2_max, y2_max] = box2;

    let x_min_intersection = naive_soft_maximum(x1_min, x2_min, k);
    let y_min_intersection = naive_soft_maximum(y1_min, y2_min, k);
    let x_max_intersection = naive_soft_minimum(x1_max, x2_max, k);
    let y_max_intersection = naive_soft_minimum(y1_max, y2_max, k);

    let intersection_width =
        naive_soft_maximum(F::zero(), x_max_intersection - x_min_intersection, k);
    let intersection_height =
        naive_soft_maximum(F::zero(), y_max_intersection - y_min_intersection, k);
    let intersection_area = intersection_width * intersection_height;

    let area1 = (x1_max - x1_min) * (y1_max - y1_min);
    let area2 = (x2_max - x2_min) * (y2_max - y2_min);
    let union_area = area1 + area2 - intersection_area;

    intersection_area / union_area
}

/// What happens in one cell of the map, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Breakdown {
    /// The naive formula returns NaN (overflow to ∞/∞ or underflow to 0/0).
    NaiveNan,
    /// The naive formula returns ±∞.
    NaiveInfinite,
    /// The naive formula is finite, but the Boltzmann soft IoU (computed stably) is < 0
    /// or > 1: the formula itself, not its evaluation, leaves the range of an IoU.
    OutsideUnit,
    /// Finite, and the Boltzmann soft IoU is in [0, 1].
    Fine,
}

impl Breakdown {
    /// All classes, in legend order.
    pub const ALL: [Breakdown; 4] = [
        Breakdown::NaiveNan,
        Breakdown::NaiveInfinite,
        Breakdown::OutsideUnit,
        Breakdown::Fine,
    ];

    /// Short name for legends and CSV.
    pub fn name(self) -> &'static str {
        match self {
            Breakdown::NaiveNan => "naive NaN",
            Breakdown::NaiveInfinite => "naive infinite",
            Breakdown::OutsideUnit => "IoU outside [0,1]",
            Breakdown::Fine => "fine",
        }
    }
}

/// One configuration over the (κ·s, magnitude) grid.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownPanel {
    /// Name of the configuration.
    pub name: String,
    /// Offset of the target from the prediction, in units of s: `(dx, dy)`.
    pub target_offset: (f64, f64),
    /// Naive (article) IoU at `[im * nk + ik]`.
    pub naive: Vec<f64>,
    /// Stable Boltzmann soft IoU at the same cells (NaN if undefined).
    pub stable: Vec<f64>,
    /// Class of each cell.
    pub class: Vec<Breakdown>,
}

impl BreakdownPanel {
    /// Number of cells in class `c`.
    pub fn count(&self, c: Breakdown) -> usize {
        self.class.iter().filter(|&&x| x == c).count()
    }
}

/// The map of figure 9: boxes of side `side` whose lower-left corner sits at
/// `magnitude · side` on both axes, against κ·s.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BreakdownMap {
    /// The box side s, in coordinate units (physical κ = κ·s / s).
    pub side: f64,
    /// κ·s values (log grid), the map's x axis.
    pub kappa_s: Vec<f64>,
    /// Corner positions in units of s (log grid), the map's y axis.
    pub magnitude: Vec<f64>,
    /// One panel per configuration.
    pub panels: Vec<BreakdownPanel>,
}

fn classify(naive: f64, stable: f64) -> Breakdown {
    if naive.is_nan() {
        Breakdown::NaiveNan
    } else if naive.is_infinite() {
        Breakdown::NaiveInfinite
    } else if !(0.0..=1.0).contains(&stable) {
        Breakdown::OutsideUnit
    } else {
        Breakdown::Fine
    }
}

/// Computes the map for the given configurations `(name, target offset in units of s)`.
///
/// # Errors
/// If a box cannot be built (a non-finite magnitude or side).
pub fn breakdown_map(
    side: f64,
    kappa_s: &KappaRange,
    magnitude: &KappaRange,
    configs: &[(&str, (f64, f64))],
) -> Result<BreakdownMap> {
    let ks = kappa_s.values();
    let ms = magnitude.values();
    let nk = ks.len();
    let mut panels = Vec::with_capacity(configs.len());
    for &(name, (ox, oy)) in configs {
        let cells: Vec<Result<(f64, f64)>> = (0..nk * ms.len())
            .into_par_iter()
            .map(|c| {
                let (k, m) = (ks[c % nk] / side, ms[c / nk] * side);
                let p = [m, m, m + side, m + side];
                let t = [
                    m + ox * side,
                    m + oy * side,
                    m + side + ox * side,
                    m + side + oy * side,
                ];
                let naive = naive_soft_iou(p, t, k);
                let (pb, tb) = (BBox::from_xyxy(p)?, BBox::from_xyxy(t)?);
                let stable = soft_iou(&pb, &tb, k, Smoothing::Boltzmann).unwrap_or(f64::NAN);
                Ok((naive, stable))
            })
            .collect();
        let cells = cells.into_iter().collect::<Result<Vec<_>>>()?;
        panels.push(BreakdownPanel {
            name: name.to_owned(),
            target_offset: (ox, oy),
            naive: cells.iter().map(|c| c.0).collect(),
            stable: cells.iter().map(|c| c.1).collect(),
            class: cells.iter().map(|c| classify(c.0, c.1)).collect(),
        });
    }
    Ok(BreakdownMap {
        side,
        kappa_s: ks,
        magnitude: ms,
        panels,
    })
}

/// Where the article's own example sits on the map: boxes of side 100 with corners at 10
/// and 20, κ = 10, so κ·s = 1000 and the corner magnitude is 0.1 s.
pub const ARTICLE_EXAMPLE: (f64, f64) = (1000.0, 0.1);

/// The CSV tables of this family: exactly the numbers drawn.
pub mod csv {
    use std::path::Path;

    use super::BreakdownMap;
    use crate::figures::error::Result;
    use crate::figures::kit::table::write_rows;
    use crate::number::num;

    /// Figure 9: one row per cell and panel.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn breakdown(path: &Path, map: &BreakdownMap) -> Result<()> {
        let nk = map.kappa_s.len();
        let mut rows = Vec::new();
        for p in &map.panels {
            for i in 0..p.class.len() {
                let ks = map.kappa_s[i % nk];
                rows.push(vec![
                    p.name.clone(),
                    num(ks),
                    num(ks / map.side),
                    num(map.magnitude[i / nk]),
                    num(p.naive[i]),
                    num(p.stable[i]),
                    p.class[i].name().to_owned(),
                ]);
            }
        }
        write_rows(
            path,
            &[
                "panel",
                "kappa_s",
                "kappa",
                "magnitude_m",
                "naive_iou",
                "boltzmann_iou",
                "class",
            ],
            &rows,
        )
    }
}
