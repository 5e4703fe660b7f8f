//! Figure 8 data: the finite-difference step study of ∂loss/∂P.x_min, measured against
//! an independent high-precision reference, next to the error of the dual numbers.
//!
//! The reference values are rows of `tests/data/soft_iou_reference.csv` (computed in
//! arbitrary precision from the definitions; a test checks that the constants below
//! are those rows), so every error here — of the stencils and of the dual-number
//! derivative — is an error against the truth, not against each other.

use num_dual::DualNum;

use crate::bbox::BBox;
use crate::fdcheck::{Function, StepStudy, constant, default_steps, step_study};
use crate::figures::error::Result;
use crate::iou::Loss;
use crate::smooth::Smoothing;

/// A box pair with its reference derivative ∂loss/∂P.x_min.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferencePoint {
    /// Name for captions and the CSV.
    pub name: &'static str,
    /// Operator.
    pub smoothing: Smoothing,
    /// Predicted box `[x_min, y_min, x_max, y_max]`.
    pub pred: [f64; 4],
    /// Target box.
    pub target: [f64; 4],
    /// κ (1/coordinate unit).
    pub kappa: f64,
    /// The reference ∂loss/∂P.x_min (high precision, rounded to f64).
    pub dloss_dpx1: f64,
    /// Line of `tests/data/soft_iou_reference.csv` it comes from.
    pub reference_line: usize,
}

/// The two points of figure 8 (one per smooth operator, κ·s ≈ 9.6 and ≈ 2.6).
pub const REFERENCE_POINTS: [ReferencePoint; 2] = [
    ReferencePoint {
        name: "logsumexp, κ·s = 9.64",
        smoothing: Smoothing::LogSumExp,
        pred: [
            26.69401707455902,
            16.485607326469516,
            43.491583607015855,
            50.78695458220855,
        ],
        target: [
            21.126450971851582,
            21.51852539758296,
            54.56837330776452,
            58.00796745346092,
        ],
        kappa: 0.28837599784102386,
        dloss_dpx1: 0.014479403031235434,
        reference_line: 192,
    },
    ReferencePoint {
        name: "boltzmann, κ·s = 2.62",
        smoothing: Smoothing::Boltzmann,
        pred: [
            40.87043039671981,
            62.396398840755026,
            51.42402568359387,
            77.25659221213813,
        ],
        target: [
            32.49763879234526,
            51.87319582176668,
            55.20663184573578,
            86.2486697624791,
        ],
        kappa: 0.11532696136490828,
        dloss_dpx1: 0.02494939415324763,
        reference_line: 123,
    },
];

/// The soft IoU loss as a function of the predicted box's four coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PredCoordinates {
    loss: Loss,
    target: BBox<f64>,
    kappa: f64,
}

impl Function<4> for PredCoordinates {
    fn eval<D: DualNum + Copy>(&self, x: [D; 4]) -> crate::Result<D> {
        let p = BBox::from_xyxy(x)?;
        self.loss
            .eval(&p, &self.target.map(constant::<D>)?, constant(self.kappa))
    }
}

/// One panel of figure 8.
#[derive(Debug, Clone, PartialEq)]
pub struct StepPanel {
    /// The point studied.
    pub point: ReferencePoint,
    /// The study: stencil errors per relative step, the dual-number error.
    pub study: StepStudy,
}

impl StepPanel {
    /// `error / |reference|`: an error of the study made relative, as `summary.json`'s
    /// `dual_rel_error` and `best` errors are (and as the README quotes them).
    pub fn relative(&self, error: f64) -> f64 {
        error / self.study.truth.abs()
    }

    /// The relative error of the dual-number derivative against the reference.
    pub fn dual_rel_error(&self) -> f64 {
        self.relative(self.study.dual_error)
    }

    /// Per step: `(h, central2, central4, richardson)` relative errors (what figure 8
    /// draws).
    pub fn relative_rows(&self) -> Vec<(f64, f64, f64, f64)> {
        self.study
            .rows
            .iter()
            .map(|r| {
                (
                    r.h,
                    self.relative(r.central2),
                    self.relative(r.central4),
                    self.relative(r.richardson),
                )
            })
            .collect()
    }
}

/// Step studies of ∂loss/∂P.x_min at [`REFERENCE_POINTS`] over
/// [`default_steps`] (relative steps 1e-1 … 1e-13; the perturbation is
/// h·max(1, |x|) with x ≈ 27–41 here).
///
/// # Errors
/// Only if a reference box were invalid (they are not).
pub fn step_panels() -> Result<Vec<StepPanel>> {
    REFERENCE_POINTS
        .iter()
        .map(|pt| {
            let f = PredCoordinates {
                loss: Loss::soft_iou(pt.smoothing),
                target: BBox::from_xyxy(pt.target)?,
                kappa: pt.kappa,
            };
            let study = step_study(&f, pt.pred, 0, &default_steps(), Some(pt.dloss_dpx1))?;
            Ok(StepPanel { point: *pt, study })
        })
        .collect()
}

/// The CSV tables of this family: exactly the numbers drawn.
pub mod csv {
    use std::path::Path;

    use super::StepPanel;
    use crate::figures::error::Result;
    use crate::figures::kit::table::write_rows;
    use crate::number::num;

    /// Figure 8: one row per reference point and step; the errors are relative,
    /// `|derivative − reference| / |reference|` (the reference is the last column).
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn steps(path: &Path, panels: &[StepPanel]) -> Result<()> {
        let mut rows = Vec::new();
        for p in panels {
            for (h, c2, c4, rich) in p.relative_rows() {
                rows.push(vec![
                    p.point.name.to_owned(),
                    p.point.smoothing.to_string(),
                    num(p.point.kappa),
                    num(h),
                    num(c2),
                    num(c4),
                    num(rich),
                    num(p.dual_rel_error()),
                    num(p.study.exact),
                    num(p.study.truth),
                ]);
            }
        }
        write_rows(
            path,
            &[
                "point",
                "smoothing",
                "kappa",
                "relative_step",
                "rel_error_central2",
                "rel_error_central4",
                "rel_error_richardson",
                "rel_error_dual",
                "dual_derivative",
                "reference_derivative",
            ],
            &rows,
        )
    }
}
