//! Writing whole figure sets: the standard set (`softiou plots`, with the fitting
//! figures in `fit/`), the fitting figures alone, and the sweep of one box pair
//! (`softiou sweep`). Figures are rendered in parallel; each file is written
//! atomically.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::article::BreakdownFigure;
use super::fit::{BiasFigure, IouStepFigure, TrajectoryFigure};
use super::kappa::{
    CurvatureFigure, ErrorFigure, GradientFigure, KappaDerivativeFigure, LossFigure,
};
use super::output::write_atomic;
use super::steps::StepFigure;
use super::surface::{FieldFigure, SurfaceFigure};
use super::{Figure, csv, save_png, save_svg};
use crate::error::{Error, Result};
use crate::fit::{FitSet, Optimizer, TARGET};
use crate::sweep::{KappaSweep, StandardSet};

/// Output options.
///
/// ```
/// assert!(!softiou::figures::Options::default().svg); // PNG only unless asked
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Also write an SVG beside every PNG.
    pub svg: bool,
}

type Job<'a> = Box<dyn Fn() -> Result<Vec<PathBuf>> + Send + Sync + 'a>;

fn figure<'a, F: Figure + Send + Sync + 'a>(
    dir: &'a Path,
    stem: &'static str,
    fig: F,
    opts: Options,
) -> Job<'a> {
    Box::new(move || {
        let png = dir.join(format!("{stem}.png"));
        save_png(&fig, &png)?;
        let mut out = vec![png];
        if opts.svg {
            let svg = dir.join(format!("{stem}.svg"));
            save_svg(&fig, &svg)?;
            out.push(svg);
        }
        Ok(out)
    })
}

fn data<'a>(path: PathBuf, write: impl Fn(&Path) -> Result<()> + Send + Sync + 'a) -> Job<'a> {
    Box::new(move || write(&path).map(|()| vec![path.clone()]))
}

/// Runs the jobs in parallel, calling `progress` after each; returns the files written.
fn run(jobs: Vec<Job<'_>>, progress: &(dyn Fn() + Sync)) -> Result<Vec<PathBuf>> {
    let done: Vec<Result<Vec<PathBuf>>> = jobs
        .par_iter()
        .map(|j| {
            let r = j();
            progress();
            r
        })
        .collect();
    let mut files = Vec::new();
    for d in done {
        files.extend(d?);
    }
    Ok(files)
}

fn kappa_jobs<'a>(dir: &'a Path, sweeps: &'a [KappaSweep], opts: Options) -> Vec<Job<'a>> {
    vec![
        figure(dir, "fig1_loss_vs_kappa", LossFigure { sweeps }, opts),
        data(dir.join("fig1_loss_vs_kappa.csv"), move |p| {
            csv::loss(p, sweeps)
        }),
        figure(dir, "fig2_error_vs_kappa", ErrorFigure { sweeps }, opts),
        data(dir.join("fig2_error_vs_kappa.csv"), move |p| {
            csv::error(p, sweeps)
        }),
        figure(
            dir,
            "fig3_gradient_vs_kappa",
            GradientFigure { sweeps, focus: 0 },
            opts,
        ),
        data(dir.join("fig3_gradient_vs_kappa.csv"), move |p| {
            csv::gradient(p, sweeps)
        }),
        data(dir.join("fig3_central_differences.csv"), move |p| {
            csv::fd_points(p, sweeps)
        }),
        figure(
            dir,
            "fig4_dloss_dkappa",
            KappaDerivativeFigure { sweeps },
            opts,
        ),
        data(dir.join("fig4_dloss_dkappa.csv"), move |p| {
            csv::dloss_dkappa(p, sweeps)
        }),
        figure(dir, "fig7_curvature", CurvatureFigure { sweeps }, opts),
        data(dir.join("fig7_curvature.csv"), move |p| {
            csv::curvature(p, sweeps)
        }),
    ]
}

fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Output {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })
}

/// Title of the animation of the annealed run.
const ANNEAL_TITLE: &str = "grey: target; orange: box (logsumexp, κ 0.1 → 50, Adam)";

fn fit_jobs<'a>(dir: &'a Path, set: &'a FitSet, opts: Options) -> Vec<Job<'a>> {
    vec![
        figure(dir, "fit_iou_vs_step", IouStepFigure { set }, opts),
        data(dir.join("fit_iou_vs_step.csv"), move |p| {
            super::fit::iou_vs_step_csv(p, set)
        }),
        figure(dir, "fit_bias", BiasFigure { points: &set.bias }, opts),
        data(dir.join("fit_bias.csv"), move |p| {
            super::fit::bias_csv(p, &set.bias)
        }),
        figure(
            dir,
            "fit_trajectories",
            TrajectoryFigure {
                set,
                optimizer: Optimizer::Adam,
            },
            opts,
        ),
        data(dir.join("fit_trajectories.csv"), move |p| {
            super::fit::trajectories_csv(p, set, Optimizer::Adam)
        }),
        data(dir.join("fit_anneal.gif"), move |p| {
            let t = crate::bbox::BBox::from_xyxy(TARGET)?;
            super::fit::write_fit_gif(p, &set.anneal, &t, ANNEAL_TITLE)
        }),
    ]
}

/// Number of files-producing jobs of [`write_fit`].
///
/// ```
/// // write_fit calls its progress callback this many times (see its example)
/// assert_eq!(softiou::figures::FIT_JOBS, 7);
/// ```
pub const FIT_JOBS: usize = 7;

/// Number of files-producing jobs of [`write_standard`] (for progress bars).
#[cfg(feature = "cli")]
pub const STANDARD_JOBS: usize = 22 + FIT_JOBS;

/// Writes the fitting figures into `dir` (created if missing): hard IoU against step for
/// every method and start, the bias of the converged box against κ·s, the box
/// trajectories, each with its CSV, and `fit_anneal.gif`. Returns the paths written.
///
/// ```
/// use softiou::figures::{FIT_JOBS, Options, write_fit};
/// let dir = tempfile::tempdir().unwrap();
/// let set = softiou::fit::FitSet::compute()?;
/// let jobs = std::sync::atomic::AtomicUsize::new(0);
/// let written = write_fit(&set, dir.path(), Options::default(), &|| {
///     jobs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
/// })?;
/// assert!(written.contains(&dir.path().join("fit_bias.csv")));
/// assert_eq!(jobs.into_inner(), FIT_JOBS);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// As [`write_standard`].
pub fn write_fit(
    set: &FitSet,
    dir: &Path,
    opts: Options,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<PathBuf>> {
    ensure_dir(dir)?;
    run(fit_jobs(dir, set, opts), progress)
}

/// Writes figures 1–9 with their CSVs, plus `summary.json` and `summary.txt`, into
/// `dir` (created if missing), and the fitting figures of [`write_fit`] into `dir/fit`.
/// `progress` is called once per finished job.
///
/// ```
/// use softiou::figures::{Options, StandardSet, write_standard};
/// let dir = tempfile::tempdir().unwrap();
/// let written = write_standard(&StandardSet::compute()?, dir.path(), Options::default(), &|| {})?;
/// assert!(written.contains(&dir.path().join("fig1_loss_vs_kappa.png")));
/// assert!(written.contains(&dir.path().join("fig1_loss_vs_kappa.csv")));
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// [`Error::Output`] for any file that cannot be written (files already finished stay;
/// none is left half-written).
pub fn write_standard(
    set: &StandardSet,
    dir: &Path,
    opts: Options,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<PathBuf>> {
    ensure_dir(dir)?;
    let fit_dir = dir.join("fit");
    ensure_dir(&fit_dir)?;
    let sweeps = &set.sweeps;
    let side = sweeps.first().map_or(1.0, |s| s.side);
    let mut jobs = kappa_jobs(dir, sweeps, opts);
    let surfaces = SurfaceFigure {
        surfaces: &set.surfaces,
        contours: &set.contours,
    };
    jobs.push(figure(dir, "fig5_loss_surfaces", surfaces, opts));
    jobs.push(data(dir.join("fig5_loss_surfaces.csv"), move |p| {
        csv::surfaces(p, &set.surfaces)
    }));
    jobs.push(data(dir.join("fig5_contours.csv"), move |p| {
        csv::contours(p, &set.surfaces, &set.contours)
    }));
    let fields = FieldFigure {
        fields: &set.fields,
        side,
    };
    jobs.push(figure(dir, "fig6_gradient_fields", fields, opts));
    jobs.push(data(dir.join("fig6_gradient_fields.csv"), move |p| {
        csv::fields(p, &set.fields)
    }));
    let steps = StepFigure { panels: &set.steps };
    jobs.push(figure(dir, "fig8_fd_step_study", steps, opts));
    jobs.push(data(dir.join("fig8_fd_step_study.csv"), move |p| {
        csv::steps(p, &set.steps)
    }));
    jobs.push(figure(
        dir,
        "fig9_article_breakdown",
        BreakdownFigure {
            map: &set.breakdown,
        },
        opts,
    ));
    jobs.push(data(dir.join("fig9_article_breakdown.csv"), move |p| {
        csv::breakdown(p, &set.breakdown)
    }));
    jobs.push(data(dir.join("summary.json"), move |p| {
        let json = serde_json::to_string_pretty(&set.summary).map_err(|e| Error::Output {
            path: p.display().to_string(),
            reason: e.to_string(),
        })?;
        write_atomic(p, format!("{json}\n").as_bytes())
    }));
    jobs.push(data(dir.join("summary.txt"), move |p| {
        write_atomic(p, set.summary.to_string().as_bytes())
    }));
    jobs.extend(fit_jobs(&fit_dir, &set.fit, opts));
    run(jobs, progress)
}

#[cfg(feature = "cli")]
/// Writes figures 1–4 and 7 with their CSVs for the given sweeps (typically one box
/// pair) into `dir` (created if missing).
///
/// # Errors
/// As [`write_standard`].
pub fn write_sweep(
    sweeps: &[KappaSweep],
    dir: &Path,
    opts: Options,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<PathBuf>> {
    ensure_dir(dir)?;
    run(kappa_jobs(dir, sweeps, opts), progress)
}
