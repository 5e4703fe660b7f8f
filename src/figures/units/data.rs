//! "κ has units of 1/length", as a figure: one box pair at three scales gives three
//! curves of the loss against κ and one curve against κ·s.
//!
//! [`UnitsData::compute`] holds the numbers (the library's [`soft_iou_loss`]); [`super::draw`]
//! draws them. The pair is the plot set's "overlapping" pair at
//! target side 1 — `P = [0.3, 0.2, 1.3, 1.2]`, `T = [0, 0, 1, 1]` — times each of
//! [`SCALES`], with `logsumexp`.

use crate::bbox::BBox;
use crate::figures::error::Result;
use crate::iou::soft_iou_loss;
use crate::smooth::Smoothing;

/// The scales (target sides) of the figure.
pub const SCALES: [f64; 3] = [1.0, 10.0, 100.0];

/// The pair at scale 1 (target side 1): P, T in xyxy.
pub const PAIR: ([f64; 4], [f64; 4]) = ([0.3, 0.2, 1.3, 1.2], [0.0, 0.0, 1.0, 1.0]);

/// The operator of the figure.
pub const OPERATOR: Smoothing = Smoothing::LogSumExp;

/// κ·s from 0.5 (above the `logsumexp` pole of this pair) to 1e4, 30 points a decade.
pub const KAPPA_S: (f64, f64, usize) = (0.5, 1e4, 30);

/// One point: scale, κ, κ·s and the loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitsRow {
    /// The target's side (the scale factor of the pair).
    pub side: f64,
    /// κ in 1/coordinate units.
    pub kappa: f64,
    /// κ·s.
    pub kappa_s: f64,
    /// The soft IoU loss.
    pub loss: f64,
}

/// The figure's numbers: per scale, the loss on the κ·s grid.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitsData {
    /// Rows, scale-major, κ·s ascending within a scale.
    pub rows: Vec<UnitsRow>,
}

impl UnitsData {
    /// Evaluates the pair at every scale and κ·s of the grid (its example runs as the
    /// unit test `units_data_compute` of `src/doc_examples.rs`).
    ///
    /// # Errors
    /// Never for the constant pair; as [`soft_iou_loss`].
    pub fn compute() -> Result<UnitsData> {
        let (lo, hi, per_decade) = KAPPA_S;
        let decades = (hi / lo).log10();
        let n = (decades * per_decade as f64).round() as usize;
        let mut rows = Vec::new();
        for &side in &SCALES {
            let p = BBox::from_xyxy(PAIR.0.map(|v| v * side))?;
            let t = BBox::from_xyxy(PAIR.1.map(|v| v * side))?;
            for i in 0..=n {
                let kappa_s = lo * 10f64.powf(decades * i as f64 / n as f64);
                let kappa = kappa_s / side;
                rows.push(UnitsRow {
                    side,
                    kappa,
                    kappa_s,
                    loss: soft_iou_loss(&p, &t, kappa, OPERATOR)?,
                });
            }
        }
        Ok(UnitsData { rows })
    }

    /// The rows of one scale.
    pub fn at_side(&self, side: f64) -> impl Iterator<Item = &UnitsRow> {
        self.rows.iter().filter(move |r| r.side == side)
    }
}

/// The CSV table of the figure: exactly the numbers drawn.
pub mod csv {
    use std::path::Path;

    use super::UnitsData;
    use crate::figures::error::Result;
    use crate::figures::kit::table::write_rows;

    /// Writes the rows of `data` (columns `side, kappa, kappa_s, loss`) to `path`.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn rows(path: &Path, data: &UnitsData) -> Result<()> {
        let rows: Vec<Vec<String>> = data
            .rows
            .iter()
            .map(|r| {
                [r.side, r.kappa, r.kappa_s, r.loss]
                    .iter()
                    .map(f64::to_string)
                    .collect()
            })
            .collect();
        write_rows(path, &["side", "kappa", "kappa_s", "loss"], &rows)
    }
}
