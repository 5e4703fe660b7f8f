//! Loss, approximation error, exact gradient, ∂loss/∂κ and curvature against κ for one
//! scenario: the data of figures 1–4 and 7, computed on the batch API's lane engine (one
//! pair, a κ per row).

use rayon::prelude::*;

use nalgebra::SMatrix;

use super::curvature::{Curvature, curvature, largest_eigenvalue};
use crate::batch::{Batch, Engine, Exec};
use crate::diff;
use crate::fdcheck::central_differences;
use crate::figures::error::Result;
use crate::figures::kit::{KappaRange, Scenario};
use crate::iou::{Loss, check_kappa_for};
use crate::smooth::Smoothing;

/// Tolerance of "the soft loss is within 1% of the hard loss": |soft − hard| ≤ 0.01 (the
/// loss ranges over [0, 1], so this is 1% of its range; a relative tolerance would be
/// meaningless for identical boxes, whose hard loss is 0).
pub const WITHIN_TOL: f64 = 0.01;

/// Everything computed at one κ for one operator, in dimensionless form (lengths in
/// units of s, the target's shorter side) unless the name says otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KappaRow {
    /// Dimensionless κ·s.
    pub kappa_s: f64,
    /// Physical κ, 1/coordinate unit.
    pub kappa: f64,
    /// Soft IoU loss.
    pub loss: f64,
    /// `|loss − hard loss|`.
    pub abs_error: f64,
    /// The operator's bound (docs/design.md) divided by s: `0.2785/(κ·s)` (boltzmann) or
    /// `ln2/(κ·s)` (logsumexp), the largest shift of one smooth max, in units of s.
    pub bound_s: f64,
    /// Exact `s·∂loss/∂[px1, py1, px2, py2]` (loss per side length).
    pub grad_s: [f64; 4],
    /// Euclidean norm of `grad_s`.
    pub grad_norm_s: f64,
    /// Exact `∂loss/∂κ`, in coordinate units.
    pub dloss_dkappa: f64,
    /// `κ·∂loss/∂κ = ∂loss/∂ln κ` (dimensionless).
    pub kappa_dloss_dkappa: f64,
    /// Largest Hessian eigenvalue times s².
    pub lambda_max_s2: f64,
    /// The stable gradient-descent step `2/λmax` in units of s², if λmax > 0.
    pub stable_step_s2: Option<f64>,
}

/// One operator's rows over the κ grid.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorCurve {
    /// The operator.
    pub smoothing: Smoothing,
    /// Rows in increasing κ, only where the loss is defined.
    pub rows: Vec<KappaRow>,
    /// κ·s values where the loss is not defined (smoothed union of 0); usually empty.
    pub undefined: Vec<f64>,
    /// The poles: κ·s where the smoothed union crosses 0 and the loss runs off to ±∞
    /// (`logsumexp` at small κ·s), located by bisection between the grid points that
    /// bracket them, to 1e-12 relative; empty for most curves.
    pub poles: Vec<f64>,
}

/// The hard loss and its derivatives (constant in κ).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HardReference {
    /// Hard IoU loss.
    pub loss: f64,
    /// `s·∂loss/∂[px1, py1, px2, py2]` (zero outside the overlap).
    pub grad_s: [f64; 4],
    /// Norm of `grad_s`.
    pub grad_norm_s: f64,
    /// Largest Hessian eigenvalue times s².
    pub lambda_max_s2: f64,
}

/// A central-difference gradient next to the exact one, at one κ: the check points of
/// figure 3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FdPoint {
    /// The operator.
    pub smoothing: Smoothing,
    /// Dimensionless κ·s.
    pub kappa_s: f64,
    /// Step used for coordinate i: `FD_STEP · max(1, |x_i|)`.
    pub steps: [f64; 4],
    /// `s·(L(x + h e_i) − L(x − h e_i)) / 2h`.
    pub central_s: [f64; 4],
    /// The exact `s·∇loss` (dual numbers) at the same point.
    pub exact_s: [f64; 4],
}

/// How closely the central differences of a sweep agree with the exact gradient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FdAgreement {
    /// The largest `|central − exact|` over every check point and component, in units of
    /// `s·∂loss/∂coordinate` (loss per side length, the unit of figure 3).
    pub max_abs_s: f64,
    /// The largest `|central − exact| / |exact|` over the components with
    /// `|exact| ≥ FD_REL_FLOOR` (below it the exact value is round-off and a ratio means
    /// nothing: identical boxes have components of 1e-16).
    pub max_rel: f64,
}

/// The smallest `|s·∂loss/∂coordinate|` that [`FdAgreement::max_rel`] divides by.
pub const FD_REL_FLOOR: f64 = 1e-3;

/// Relative step of the central differences: ≈ ε^(1/3), which balances truncation
/// (∝ h²) against rounding (∝ ε/h).
pub const FD_STEP: f64 = 6e-6;

/// Number of κ values with central-difference check points.
pub const FD_POINTS: usize = 6;

/// The κ sweep of one scenario.
///
/// ```
/// use softiou::{BBox, Smoothing};
/// use softiou::figures::{KappaRange, KappaSweep, Scenario};
/// let s = Scenario::new("apart", BBox::new(0.0, 0.0, 10.0, 10.0)?, BBox::new(12.0, 0.0, 22.0, 10.0)?);
/// let sweep = KappaSweep::compute(&s, &KappaRange::new(0.1, 100.0, 4)?, &[Smoothing::LogSumExp])?;
/// assert_eq!(sweep.hard.loss, 1.0); // disjoint boxes: the hard IoU loss is 1
/// assert_eq!(sweep.curve(Smoothing::LogSumExp).unwrap().rows.len(), 4);
/// assert!(sweep.curve(Smoothing::Boltzmann).is_none()); // not asked for
/// # Ok::<(), softiou::figures::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KappaSweep {
    /// The box pair.
    pub scenario: Scenario,
    /// The length s in κ·s.
    pub side: f64,
    /// One curve per smooth operator.
    pub curves: Vec<OperatorCurve>,
    /// The `hard` reference.
    pub hard: HardReference,
    /// Central-difference check points.
    pub fd_points: Vec<FdPoint>,
}

fn norm(g: &[f64; 4]) -> f64 {
    g.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn scale(g: [f64; 4], side: f64) -> [f64; 4] {
    g.map(|x| x * side)
}

fn row(op: Smoothing, sc: &Scenario, kappa_s: f64, hard: f64) -> Result<KappaRow> {
    let kappa = kappa_s / sc.side();
    let loss = Loss::soft_iou(op);
    let c = curvature(loss, &sc.pred, &sc.target, kappa)?;
    let dk = diff::dloss_dkappa(loss, &sc.pred, &sc.target, kappa)?;
    Ok(make_row(op, sc, kappa_s, hard, c, dk.dloss_dkappa))
}

/// The row at κ·s from the loss's curvature and ∂loss/∂κ there.
fn make_row(
    op: Smoothing,
    sc: &Scenario,
    kappa_s: f64,
    hard: f64,
    c: Curvature,
    dloss_dkappa: f64,
) -> KappaRow {
    let side = sc.side();
    let kappa = kappa_s / side;
    let grad_s = scale(c.grad, side);
    KappaRow {
        kappa_s,
        kappa,
        loss: c.value,
        abs_error: (c.value - hard).abs(),
        bound_s: op.bound(kappa) / side,
        grad_s,
        grad_norm_s: norm(&grad_s),
        dloss_dkappa,
        kappa_dloss_dkappa: kappa * dloss_dkappa,
        lambda_max_s2: c.lambda_max * side * side,
        stable_step_s2: c.stable_step().map(|h| h / (side * side)),
    }
}

/// `op`'s rows over `grid` (κ·s values), and the κ·s values where its loss is undefined.
///
/// The grid is one pair at many temperatures: two lane batches with a κ per row
/// ([`Batch::hessian_kappas`], [`Batch::dkappa_kappas`]) after the loss's own check of
/// each κ (finite, > 0, and the `logsumexp` κ·s floor of its Hessian). Should a batch still
/// fail (a loss that is not finite at some κ), every point is evaluated on its own.
fn rows(op: Smoothing, sc: &Scenario, grid: &[f64], hard: f64) -> (Vec<KappaRow>, Vec<f64>) {
    let side = sc.side();
    let loss = Loss::soft_iou(op);
    let (defined, mut undefined): (Vec<f64>, Vec<f64>) = grid
        .iter()
        .partition(|&&ks| check_kappa_for(&sc.pred, &sc.target, &(ks / side), op, true).is_ok());
    let n = defined.len();
    let kappa: Vec<f64> = defined.iter().map(|ks| ks / side).collect();
    let (pred, target) = (vec![sc.pred.to_xyxy(); n], vec![sc.target.to_xyxy(); n]);
    let batch = Batch::kappa_per_pair(loss)
        .engine(Engine::Auto)
        .exec(Exec::Parallel);
    let (mut v, mut g, mut h) = (vec![0.0; n], vec![[0.0; 4]; n], vec![[[0.0; 4]; 4]; n]);
    let (mut v1, mut dk) = (vec![0.0; n], vec![0.0; n]);
    let lanes = batch
        .hessian_kappas(&pred, &target, &kappa, &mut v, &mut g, &mut h)
        .and_then(|()| batch.dkappa_kappas(&pred, &target, &kappa, &mut v1, &mut dk));
    if lanes.is_err() {
        let results: Vec<(f64, Result<KappaRow>)> = grid
            .par_iter()
            .map(|&ks| (ks, row(op, sc, ks, hard)))
            .collect();
        let mut rows = Vec::with_capacity(results.len());
        undefined.clear();
        for (ks, r) in results {
            match r {
                Ok(r) => rows.push(r),
                Err(_) => undefined.push(ks),
            }
        }
        return (rows, undefined);
    }
    let rows = (0..n)
        .map(|i| {
            let c = Curvature {
                value: v[i],
                grad: g[i],
                lambda_max: largest_eigenvalue(&SMatrix::from_fn(|r, c| h[i][r][c])),
            };
            make_row(op, sc, defined[i], hard, c, dk[i])
        })
        .collect();
    (rows, undefined)
}

/// Central differences of the loss in each predicted coordinate.
fn central(op: Smoothing, sc: &Scenario, kappa: f64) -> Result<([f64; 4], [f64; 4])> {
    let loss = Loss::soft_iou(op);
    let d = central_differences(sc.pred.to_xyxy(), FD_STEP, |x| {
        loss.eval(&crate::BBox::from_xyxy(x)?, &sc.target, kappa)
    })?;
    // the half steps actually taken, after rounding of x ± h, and the estimates
    Ok((d.map(|(h, _)| h), d.map(|(_, g)| g)))
}

/// The poles of `op`'s loss among `rows`: where `1 − loss = I/U` changes sign with a
/// magnitude above 1 on both sides (U crosses 0; a zero of I would pass through 0
/// instead), refined by bisection in ln κ on `U/I = 1/(1 − loss)`, which is continuous
/// there.
fn poles(op: Smoothing, sc: &Scenario, rows: &[KappaRow]) -> Vec<f64> {
    let side = sc.side();
    let loss = Loss::soft_iou(op);
    let ratio = |ks: f64| -> Option<f64> {
        let l = loss.eval(&sc.pred, &sc.target, ks / side).ok()?;
        Some(1.0 / (1.0 - l))
    };
    let mut out = Vec::new();
    for w in rows.windows(2) {
        let (a, b) = (1.0 - w[0].loss, 1.0 - w[1].loss);
        if !(a * b < 0.0 && a.abs() > 1.0 && b.abs() > 1.0) {
            continue;
        }
        let (mut lo, mut hi) = (w[0].kappa_s.ln(), w[1].kappa_s.ln());
        let Some(mut g_lo) = ratio(w[0].kappa_s) else {
            continue;
        };
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            let Some(g) = ratio(mid.exp()) else { break };
            if (g < 0.0) == (g_lo < 0.0) {
                lo = mid;
                g_lo = g;
            } else {
                hi = mid;
            }
            if hi - lo < 1e-12 {
                break;
            }
        }
        out.push((0.5 * (lo + hi)).exp());
    }
    out
}

impl KappaSweep {
    /// The agreement of the central differences with the exact gradient over the check
    /// points of this sweep (`None` without check points).
    pub fn fd_agreement(&self) -> Option<FdAgreement> {
        let pairs = self
            .fd_points
            .iter()
            .flat_map(|f| f.central_s.iter().zip(&f.exact_s).map(|(c, e)| (*c, *e)));
        let mut out: Option<FdAgreement> = None;
        for (c, e) in pairs {
            let a = out.get_or_insert(FdAgreement {
                max_abs_s: 0.0,
                max_rel: 0.0,
            });
            a.max_abs_s = a.max_abs_s.max((c - e).abs());
            if e.abs() >= FD_REL_FLOOR {
                a.max_rel = a.max_rel.max((c - e).abs() / e.abs());
            }
        }
        out
    }

    /// Sweeps the operators `ops` over `range` (κ·s values) for `scenario`, in parallel.
    ///
    /// # Errors
    /// Only if the hard reference fails, which it cannot for valid boxes; points where a
    /// smooth loss is undefined are listed in `OperatorCurve::undefined`.
    pub fn compute(scenario: &Scenario, range: &KappaRange, ops: &[Smoothing]) -> Result<Self> {
        let side = scenario.side();
        let h = curvature(
            Loss::soft_iou(Smoothing::Hard),
            &scenario.pred,
            &scenario.target,
            1.0,
        )?;
        let grad_s = scale(h.grad, side);
        let hard = HardReference {
            loss: h.value,
            grad_s,
            grad_norm_s: norm(&grad_s),
            lambda_max_s2: h.lambda_max * side * side,
        };
        let grid = range.values();
        let fd_at: Vec<f64> = (0..FD_POINTS)
            .map(|k| grid[k * (grid.len() - 1) / (FD_POINTS - 1)])
            .collect();
        let mut curves = Vec::with_capacity(ops.len());
        let mut fd_points = Vec::new();
        for &op in ops {
            let (rows, undefined) = rows(op, scenario, &grid, hard.loss);
            for &ks in &fd_at {
                let exact = rows.iter().find(|r| r.kappa_s == ks).map(|r| r.grad_s);
                if let (Some(exact), Ok((steps, central))) =
                    (exact, central(op, scenario, ks / side))
                {
                    fd_points.push(FdPoint {
                        smoothing: op,
                        kappa_s: ks,
                        steps,
                        central_s: scale(central, side),
                        exact_s: exact,
                    });
                }
            }
            let poles = poles(op, scenario, &rows);
            curves.push(OperatorCurve {
                smoothing: op,
                rows,
                undefined,
                poles,
            });
        }
        Ok(KappaSweep {
            scenario: scenario.clone(),
            side,
            curves,
            hard,
            fd_points,
        })
    }

    /// The curve of operator `op`, if it was swept.
    pub fn curve(&self, op: Smoothing) -> Option<&OperatorCurve> {
        self.curves.iter().find(|c| c.smoothing == op)
    }

    /// The row of the smallest κ·s on the grid from which on `|soft − hard| ≤ tol` at
    /// every larger grid point (the loss is "within tol of the hard loss" from there on),
    /// or `None` if not even the largest κ·s is.
    pub fn row_within(&self, op: Smoothing, tol: f64) -> Option<&KappaRow> {
        let c = self.curve(op)?;
        let mut best = None;
        for r in c.rows.iter().rev() {
            if r.abs_error <= tol && !c.undefined.iter().any(|&u| u > r.kappa_s) {
                best = Some(r);
            } else {
                break;
            }
        }
        best
    }

    /// The κ·s of [`KappaSweep::row_within`].
    pub fn kappa_s_within(&self, op: Smoothing, tol: f64) -> Option<f64> {
        self.row_within(op, tol).map(|r| r.kappa_s)
    }

    /// Least-squares slope of ln|soft − hard| against ln κ over the rows with κ·s in
    /// `[from, to]` and a non-zero error; `None` with fewer than 2 such rows. At large κ
    /// the error falls like 1/κ (slope −1) where two compared coordinates tie (identical
    /// or touching boxes with logsumexp) and exponentially fast elsewhere.
    pub fn error_slope(&self, op: Smoothing, from: f64, to: f64) -> Option<f64> {
        let pts: Vec<(f64, f64)> = self
            .curve(op)?
            .rows
            .iter()
            .filter(|r| r.kappa_s >= from && r.kappa_s <= to && r.abs_error > 0.0)
            .map(|r| (r.kappa_s.ln(), r.abs_error.ln()))
            .collect();
        if pts.len() < 2 {
            return None;
        }
        let n = pts.len() as f64;
        let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
        let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
        (sxx > 0.0).then(|| sxy / sxx)
    }
}

/// The CSV tables of this family: exactly the numbers drawn.
pub mod csv {
    use std::path::Path;

    use super::{KappaRow, KappaSweep};
    use crate::figures::error::Result;
    use crate::figures::kit::table::{opt, write_rows};
    use crate::number::num;

    /// The rows of every sweep, with the columns chosen by `cols`.
    fn sweep_rows(
        sweeps: &[KappaSweep],
        cols: impl Fn(&KappaSweep, &KappaRow) -> Vec<String>,
    ) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for s in sweeps {
            for c in &s.curves {
                for r in &c.rows {
                    let mut row = vec![
                        s.scenario.name.clone(),
                        c.smoothing.to_string(),
                        num(r.kappa_s),
                        num(r.kappa),
                    ];
                    row.extend(cols(s, r));
                    out.push(row);
                }
            }
        }
        out
    }

    const KEY: [&str; 4] = ["scenario", "smoothing", "kappa_s", "kappa"];

    fn header(extra: &[&'static str]) -> Vec<&'static str> {
        KEY.iter().chain(extra).copied().collect()
    }

    /// Figure 1: `loss`, `hard_loss`.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn loss(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
        let rows = sweep_rows(sweeps, |s, r| vec![num(r.loss), num(s.hard.loss)]);
        write_rows(path, &header(&["loss", "hard_loss"]), &rows)
    }

    /// Figure 2: `abs_error`, `bound_s` (the operator's bound over s).
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn error(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
        let rows = sweep_rows(sweeps, |_, r| vec![num(r.abs_error), num(r.bound_s)]);
        write_rows(path, &header(&["abs_error", "bound_s"]), &rows)
    }

    /// Figure 3 curves: `s·∂L/∂coordinate`, `s·|∇L|`, and the hard values.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn gradient(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
        let rows = sweep_rows(sweeps, |s, r| {
            let mut v: Vec<String> = r.grad_s.iter().map(|g| num(*g)).collect();
            v.push(num(r.grad_norm_s));
            v.extend(s.hard.grad_s.iter().map(|g| num(*g)));
            v.push(num(s.hard.grad_norm_s));
            v
        });
        let h = header(&[
            "s_dloss_dx_min",
            "s_dloss_dy_min",
            "s_dloss_dx_max",
            "s_dloss_dy_max",
            "s_grad_norm",
            "hard_s_dloss_dx_min",
            "hard_s_dloss_dy_min",
            "hard_s_dloss_dx_max",
            "hard_s_dloss_dy_max",
            "hard_s_grad_norm",
        ]);
        write_rows(path, &h, &rows)
    }

    /// Figure 3 check points: central difference and exact value per component.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn fd_points(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
        let names = ["x_min", "y_min", "x_max", "y_max"];
        let mut rows = Vec::new();
        for s in sweeps {
            for f in &s.fd_points {
                for (j, name) in names.iter().enumerate() {
                    rows.push(vec![
                        s.scenario.name.clone(),
                        f.smoothing.to_string(),
                        num(f.kappa_s),
                        num(f.kappa_s / s.side),
                        (*name).to_owned(),
                        num(f.steps[j]),
                        num(f.central_s[j]),
                        num(f.exact_s[j]),
                    ]);
                }
            }
        }
        write_rows(
            path,
            &header(&["component", "step_h", "central_difference_s", "exact_s"]),
            &rows,
        )
    }

    /// Figure 4: `dloss_dkappa` (coordinate units) and the plotted `kappa_dloss_dkappa`.
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn dloss_dkappa(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
        let rows = sweep_rows(sweeps, |_, r| {
            vec![num(r.dloss_dkappa), num(r.kappa_dloss_dkappa)]
        });
        write_rows(
            path,
            &header(&["dloss_dkappa", "kappa_dloss_dkappa"]),
            &rows,
        )
    }

    /// Figure 7: `lambda_max_s2`, `stable_step_s2` (empty where λmax ≤ 0) and the hard λmax·s².
    ///
    /// # Errors
    /// [`crate::figures::Error::Output`] if the file cannot be written.
    pub fn curvature(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
        let rows = sweep_rows(sweeps, |s, r| {
            vec![
                num(r.lambda_max_s2),
                opt(r.stable_step_s2),
                num(s.hard.lambda_max_s2),
            ]
        });
        write_rows(
            path,
            &header(&["lambda_max_s2", "stable_step_s2", "hard_lambda_max_s2"]),
            &rows,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::kit::scenario;

    /// The per-point path that `rows` falls back to when a batch fails gives the batch's
    /// rows, within the lane engine's tolerances (the sweep test in `figures::tests`
    /// gives the sizes and their reasons; here every row is in the meaningful region or
    /// gets the same 100 times the room), and fails exactly where `rows` lists a point as
    /// undefined.
    #[test]
    fn the_per_point_fallback_gives_the_batch_rows() {
        let grid = KappaRange::new(1e-160, 1e4, 41).unwrap().values();
        for sc in scenario::standard() {
            for op in [Smoothing::Boltzmann, Smoothing::LogSumExp] {
                let (batch, undefined) = rows(op, &sc, &grid, 0.0);
                let mut batch = batch.iter();
                for &ks in &grid {
                    match row(op, &sc, ks, 0.0) {
                        Err(_) => assert!(undefined.contains(&ks), "{} {op} {ks}", sc.name),
                        Ok(one) => {
                            let b = batch.next().unwrap();
                            let at = format!("{} {op} at κ·s = {ks}: {one:?} vs {b:?}", sc.name);
                            assert_eq!(b.kappa_s, ks, "{at}");
                            let room = 100.0;
                            let near = |x: f64, y: f64, tol: f64, scale: f64| {
                                (x - y).abs() <= room * tol * scale
                            };
                            assert!(
                                near(b.loss, one.loss, 1e-14, one.loss.abs().max(1.0)),
                                "{at}"
                            );
                            let g = one.grad_s.iter().fold(1.0_f64, |m, x| m.max(x.abs()));
                            for (x, y) in b.grad_s.iter().zip(&one.grad_s) {
                                assert!(near(*x, *y, 1e-12, g), "{at}");
                            }
                            let dk = one.dloss_dkappa.abs().max(1.0 / one.kappa);
                            assert!(near(b.dloss_dkappa, one.dloss_dkappa, 1e-12, dk), "{at}");
                        }
                    }
                }
                assert!(batch.next().is_none());
            }
        }
    }
}
