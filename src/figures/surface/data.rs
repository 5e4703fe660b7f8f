//! Loss surfaces and gradient fields over translations of the predicted box: the data
//! of figures 5 and 6.
//!
//! The predicted box is the target moved by `(dx, dy)`; offsets are in units of the
//! target's side s. The target is centred on the origin, so negating an offset mirrors
//! the whole configuration exactly in floating point and the surfaces are exactly
//! symmetric (see the tests).
//!
//! Every grid is one batch of box pairs at one κ, evaluated in parallel on the lane engine by
//! [`crate::batch::Batch`] into the grid's buffers. A pair the batch rejects (a box that
//! rounding made empty far from the target, a loss that is not finite) is NaN.

use crate::batch::{Batch, Engine, Exec};
use crate::bbox::BBox;
use crate::figures::error::{Error, Result};
use crate::figures::kit::symmetric_grid;
use crate::iou::Loss;
use crate::smooth::Smoothing;

/// One panel's setting: an operator and (for smooth ones) κ·s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// The operator.
    pub smoothing: Smoothing,
    /// Dimensionless κ·s (ignored by `hard`).
    pub kappa_s: f64,
}

impl Setting {
    /// A legend/title label such as `logsumexp, κ·s = 2` or `hard`.
    pub fn label(&self) -> String {
        match self.smoothing {
            Smoothing::Hard => "hard".to_owned(),
            op => format!("{op}, κ·s = {}", self.kappa_s),
        }
    }
}

/// Translation-centred square target of side `side`: `[-side/2, -side/2, side/2, side/2]`.
///
/// # Errors
/// [`crate::Error::EmptyBox`] or [`crate::Error::NonFiniteCoordinate`] unless `side` is finite and > 0.
pub fn centred_target(side: f64) -> Result<BBox<f64>> {
    Ok(BBox::new(-side / 2.0, -side / 2.0, side / 2.0, side / 2.0)?)
}

/// The loss on an `n × n` grid of offsets.
#[derive(Debug, Clone, PartialEq)]
pub struct Surface {
    /// Operator and κ·s.
    pub setting: Setting,
    /// The target; the predicted box is this box moved by `(dx, dy)·s`.
    pub target: BBox<f64>,
    /// Offsets in units of s, the same along x and y, increasing, symmetric about 0.
    pub offsets: Vec<f64>,
    /// `loss[iy * n + ix]` at `(offsets[ix], offsets[iy])`; NaN where undefined.
    pub loss: Vec<f64>,
}

/// `−∇loss` with respect to the translation, on an `n × n` grid of offsets.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientField {
    /// Operator and κ·s.
    pub setting: Setting,
    /// Offsets in units of s, as in [`Surface`].
    pub offsets: Vec<f64>,
    /// `−∂loss/∂(dx/s)` at `[iy * n + ix]` (dimensionless: loss per side length).
    pub gx: Vec<f64>,
    /// `−∂loss/∂(dy/s)`.
    pub gy: Vec<f64>,
}

impl GradientField {
    /// Number of grid points where the gradient is exactly zero.
    pub fn exact_zeros(&self) -> usize {
        self.gx
            .iter()
            .zip(&self.gy)
            .filter(|(x, y)| **x == 0.0 && **y == 0.0)
            .count()
    }

    /// `|∇|` at every grid point.
    pub fn magnitudes(&self) -> Vec<f64> {
        self.gx
            .iter()
            .zip(&self.gy)
            .map(|(x, y)| x.hypot(*y))
            .collect()
    }
}

/// The most points per side of a loss surface or gradient field: the grid holds n² box
/// pairs with their evaluations, and 1024 per side (1 M pairs, ten times the figures' 101
/// per side) peaked at 77 MB for a surface and 126 MB for a field. Checked before anything
/// is allocated.
pub const MAX_GRID_POINTS: usize = 1024;

fn check_grid(half_range: f64, n: usize) -> Result<()> {
    if !(half_range.is_finite() && half_range > 0.0 && (2..=MAX_GRID_POINTS).contains(&n)) {
        return Err(Error::InvalidSweep(format!(
            "surface grid of {n} points over ±{half_range}; need 2 <= n <= {MAX_GRID_POINTS} \
             and a finite range > 0"
        )));
    }
    Ok(())
}

/// What both grids evaluate: the offsets (in units of s), the batch at the setting's κ,
/// and the `n × n` pairs.
struct Grid {
    offsets: Vec<f64>,
    batch: Batch<f64>,
    pred: Vec<[f64; 4]>,
    targets: Vec<[f64; 4]>,
    side: f64,
}

impl Grid {
    fn new(target: &BBox<f64>, setting: Setting, half_range: f64, n: usize) -> Result<Self> {
        check_grid(half_range, n)?;
        let offsets = symmetric_grid(half_range, n);
        let side = target.min_side();
        let batch = Batch::new(Loss::soft_iou(setting.smoothing), setting.kappa_s / side)?
            .engine(Engine::Auto);
        let (pred, targets) = grid_pairs(target, &offsets, side);
        Ok(Grid {
            offsets,
            batch,
            pred,
            targets,
            side,
        })
    }
}

/// The batch of one grid: row `iy * n + ix` pairs the target moved by
/// `(offsets[ix], offsets[iy])·side` with the target itself.
fn grid_pairs(target: &BBox<f64>, offsets: &[f64], side: f64) -> (Vec<[f64; 4]>, Vec<[f64; 4]>) {
    let n = offsets.len();
    // a shift that rounding turns into an empty box gives NaN corners: the batch rejects
    // that pair and the grid shows NaN there, as for any other pair it cannot evaluate
    let pred = (0..n * n)
        .map(|k| {
            let (dx, dy) = (offsets[k % n] * side, offsets[k / n] * side);
            target
                .translated(dx, dy)
                .map_or([f64::NAN; 4], |b| b.to_xyxy())
        })
        .collect();
    (pred, vec![target.to_xyxy(); n * n])
}

/// Runs `batch(from, exec)` on the rows `from..`, in parallel; where it stops at a
/// failing pair (a box that is not valid, e.g. rounded to zero width far from the
/// target, or a loss that is not finite), resumes after it on the calling thread (a
/// parallel batch finishes every other task first, so resuming in parallel would repeat
/// work for every failure). Returns the failing rows, whose outputs the batch left
/// unspecified; any error other than a failing pair is returned as it is.
fn fill_rows(
    rows: usize,
    mut batch: impl FnMut(usize, Exec) -> crate::Result<()>,
) -> Result<Vec<usize>> {
    let (mut from, mut failed) = (0, Vec::new());
    while from < rows {
        let exec = if failed.is_empty() {
            Exec::Parallel
        } else {
            Exec::Serial
        };
        match batch(from, exec) {
            Ok(()) => break,
            Err(crate::Error::InPair { index, .. }) => {
                failed.push(from + index);
                from += index + 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(failed)
}

/// The loss over offsets in `[-half_range, half_range]²` (units of s) on an `n × n` grid.
///
/// # Errors
/// [`Error::InvalidSweep`] for `n < 2`, `n > MAX_GRID_POINTS` or a range that is not
/// finite and positive.
pub fn loss_surface(
    target: &BBox<f64>,
    setting: Setting,
    half_range: f64,
    n: usize,
) -> Result<Surface> {
    let Grid {
        offsets,
        batch,
        pred,
        targets,
        ..
    } = Grid::new(target, setting, half_range, n)?;
    let mut values = vec![0.0; n * n];
    let undefined = fill_rows(n * n, |from, exec| {
        let batch = batch.exec(exec);
        batch.loss(&pred[from..], &targets[from..], &mut values[from..])
    })?;
    for k in undefined {
        values[k] = f64::NAN;
    }
    Ok(Surface {
        setting,
        target: *target,
        offsets,
        loss: values,
    })
}

/// `−∇loss` with respect to the translation `(dx/s, dy/s)` of the predicted box, from the
/// exact gradient: `∂L/∂dx = ∂L/∂px1 + ∂L/∂px2` (times s for the unit of the offset).
///
/// # Errors
/// As [`loss_surface`].
pub fn gradient_field(
    target: &BBox<f64>,
    setting: Setting,
    half_range: f64,
    n: usize,
) -> Result<GradientField> {
    let Grid {
        offsets,
        batch,
        pred,
        targets,
        side,
    } = Grid::new(target, setting, half_range, n)?;
    let mut value = vec![0.0; n * n];
    let mut grad = vec![[0.0; 4]; n * n];
    let undefined = fill_rows(n * n, |from, exec| {
        let batch = batch.exec(exec);
        let (v, g) = (&mut value[from..], &mut grad[from..]);
        batch.grad(&pred[from..], &targets[from..], v, g)
    })?;
    for k in undefined {
        grad[k] = [f64::NAN; 4];
    }
    Ok(GradientField {
        setting,
        offsets,
        gx: grad.iter().map(|g| -(g[0] + g[2]) * side).collect(),
        gy: grad.iter().map(|g| -(g[1] + g[3]) * side).collect(),
    })
}

/// The CSV tables of this family: exactly the numbers drawn.
pub mod csv {
    use std::path::Path;

    use super::super::contour::Contour;
    use super::{GradientField, Surface};
    use crate::figures::error::Result;
    use crate::figures::kit::table::write_rows;
    use crate::number::num;

    /// Figure 5 heatmaps: one row per grid point.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn surfaces(path: &Path, surfaces: &[Surface]) -> Result<()> {
        let mut rows = Vec::new();
        for s in surfaces {
            let n = s.offsets.len();
            for (i, v) in s.loss.iter().enumerate() {
                rows.push(vec![
                    s.setting.smoothing.to_string(),
                    num(s.setting.kappa_s),
                    num(s.offsets[i % n]),
                    num(s.offsets[i / n]),
                    num(*v),
                ]);
            }
        }
        write_rows(
            path,
            &["smoothing", "kappa_s", "dx_over_s", "dy_over_s", "loss"],
            &rows,
        )
    }

    /// Figure 5 contour lines: one row per segment.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn contours(path: &Path, surfaces: &[Surface], contours: &[Vec<Contour>]) -> Result<()> {
        let mut rows = Vec::new();
        for (s, cs) in surfaces.iter().zip(contours) {
            for c in cs {
                for seg in &c.segments {
                    rows.push(vec![
                        s.setting.smoothing.to_string(),
                        num(s.setting.kappa_s),
                        num(c.level),
                        num(seg[0].0),
                        num(seg[0].1),
                        num(seg[1].0),
                        num(seg[1].1),
                    ]);
                }
            }
        }
        write_rows(
            path,
            &["smoothing", "kappa_s", "level", "x0", "y0", "x1", "y1"],
            &rows,
        )
    }

    /// Figure 6: `−∂loss/∂(dx/s)`, `−∂loss/∂(dy/s)` and the magnitude per grid point.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn fields(path: &Path, fields: &[GradientField]) -> Result<()> {
        let mut rows = Vec::new();
        for f in fields {
            let n = f.offsets.len();
            for (i, m) in f.magnitudes().iter().enumerate() {
                rows.push(vec![
                    f.setting.smoothing.to_string(),
                    num(f.setting.kappa_s),
                    num(f.offsets[i % n]),
                    num(f.offsets[i / n]),
                    num(f.gx[i]),
                    num(f.gy[i]),
                    num(*m),
                ]);
            }
        }
        write_rows(
            path,
            &[
                "smoothing",
                "kappa_s",
                "dx_over_s",
                "dy_over_s",
                "minus_dloss_ddx_s",
                "minus_dloss_ddy_s",
                "magnitude",
            ],
            &rows,
        )
    }
}
