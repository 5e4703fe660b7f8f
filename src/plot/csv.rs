//! CSV files of exactly the data each figure shows (dimensionless columns as plotted,
//! plus the physical κ), written atomically. Numbers use Rust's shortest round-trip form.

use std::path::Path;

use super::output::write_atomic;
use crate::error::{Error, Result};
use crate::sweep::KappaSweep;
use crate::sweep::article::BreakdownMap;
use crate::sweep::contour::Contour;
use crate::sweep::surface::{GradientField, Surface};

fn num(v: f64) -> String {
    v.to_string()
}

fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// Writes `header` and `rows` as CSV to `path` (temporary file, then rename).
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
pub fn write_rows(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let fail = |e: csv::Error| Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(r).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    write_atomic(path, &bytes)
}

/// The rows of every sweep, with the columns chosen by `cols`.
fn sweep_rows(
    sweeps: &[KappaSweep],
    cols: impl Fn(&KappaSweep, &crate::sweep::kappa::KappaRow) -> Vec<String>,
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
/// [`Error::Output`] if the file cannot be written.
pub fn loss(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
    let rows = sweep_rows(sweeps, |s, r| vec![num(r.loss), num(s.hard.loss)]);
    write_rows(path, &header(&["loss", "hard_loss"]), &rows)
}

/// Figure 2: `abs_error`, `bound_s` (the operator's bound over s).
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
pub fn error(path: &Path, sweeps: &[KappaSweep]) -> Result<()> {
    let rows = sweep_rows(sweeps, |_, r| vec![num(r.abs_error), num(r.bound_s)]);
    write_rows(path, &header(&["abs_error", "bound_s"]), &rows)
}

/// Figure 3 curves: `s·∂L/∂coordinate`, `s·|∇L|`, and the hard values.
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
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
/// [`Error::Output`] if the file cannot be written.
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
/// [`Error::Output`] if the file cannot be written.
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
/// [`Error::Output`] if the file cannot be written.
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

/// Figure 5 heatmaps: one row per grid point.
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
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
/// [`Error::Output`] if the file cannot be written.
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
/// [`Error::Output`] if the file cannot be written.
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

/// Figure 9: one row per cell and panel.
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
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

/// Figure 8: one row per reference point and step.
///
/// # Errors
/// [`Error::Output`] if the file cannot be written.
pub fn steps(path: &Path, panels: &[crate::sweep::steps::StepPanel]) -> Result<()> {
    let mut rows = Vec::new();
    for p in panels {
        for r in &p.study.rows {
            rows.push(vec![
                p.point.name.to_owned(),
                p.point.smoothing.to_string(),
                num(p.point.kappa),
                num(r.h),
                num(r.central2),
                num(r.central4),
                num(r.richardson),
                num(p.study.dual_error),
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
            "error_central2",
            "error_central4",
            "error_richardson",
            "error_dual",
            "dual_derivative",
            "reference_derivative",
        ],
        &rows,
    )
}
