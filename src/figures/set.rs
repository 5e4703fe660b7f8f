//! The standard set that `softiou plots` (and `cargo run --release`) writes: the list of
//! its figure families, computed once, the summary of the numbers the README quotes, and
//! writing it all.
//!
//! A new family is one folder under `src/figures/` (its `data.rs`, `draw.rs` and a
//! `mod.rs` that implements [`Family`] and has a `standard()` constructor) plus one line
//! in [`FAMILIES`].

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::kit::write::write_atomic;
use super::kit::{Family, Job, Options, data_job, ensure_dir, run_jobs};
use super::summary::Summary;
use super::{breakdown, explore, fit, kappa, step_study, surface, units};
use crate::figures::error::{Error, Result};

/// Computes one family's data.
type Compute = fn() -> Result<Box<dyn Family>>;

/// The families of the standard set, in the order their files are listed.
const FAMILIES: [Compute; 7] = [
    kappa::standard,      // figures 1–4 and 7: against κ·s
    surface::standard,    // figures 5 and 6: loss surfaces, gradient fields
    step_study::standard, // figure 8: finite-difference steps
    breakdown::standard,  // figure 9: where the article's formula breaks
    units::standard,      // figure 10: κ has units of 1/length
    explore::standard,    // explorer.html
    fit::standard,        // fit/: the fitting demo
];

/// Everything the standard figures show, computed once.
///
/// ```
/// let set = softiou::figures::StandardSet::compute()?;
/// let text = set.summary();
/// // one line per standard scenario and smooth operator, after the header
/// assert!(text.lines().count() > 2 * softiou::figures::standard_scenarios().len());
/// # Ok::<(), softiou::figures::Error>(())
/// ```
#[derive(Debug)]
pub struct StandardSet {
    /// The families' data, in the order of `FAMILIES`.
    families: Vec<Box<dyn Family>>,
    /// Numbers quoted in the README (also written as `summary.json` and `summary.txt`).
    pub(crate) summary: Summary,
}

impl StandardSet {
    /// Computes the standard set (the families in parallel).
    ///
    /// # Errors
    /// Only on internal inconsistencies (the inputs are fixed and valid).
    pub fn compute() -> Result<Self> {
        let families = FAMILIES
            .par_iter()
            .map(|compute| compute())
            .collect::<Result<Vec<_>>>()?;
        let summary = Summary::of(&families);
        Ok(StandardSet { families, summary })
    }

    /// The numbers the README quotes, as the text table of `summary.txt`.
    pub fn summary(&self) -> String {
        self.summary.to_string()
    }
}

/// Number of files-producing jobs of [`write_standard`] (for progress bars): 22 for
/// figures 1–9 and the summary, 2 for figure 10, 1 for the explorer, and the fit jobs.
#[cfg(feature = "cli")]
pub const STANDARD_JOBS: usize = 22 + 2 + 1 + fit::FIT_JOBS;

/// Writes every family of the standard set into `dir` (created if missing; the fitting
/// figures, whose family has a subdirectory, into `dir/fit`), plus `summary.json` and
/// `summary.txt`. `progress` is called once per finished job.
///
/// ```
/// use softiou::figures::{Options, StandardSet, write_standard};
/// let dir = tempfile::tempdir().unwrap();
/// let written = write_standard(&StandardSet::compute()?, dir.path(), Options::default(), &|| {})?;
/// assert!(written.contains(&dir.path().join("fig1_loss_vs_kappa.png")));
/// assert!(written.contains(&dir.path().join("fig1_loss_vs_kappa.csv")));
/// # Ok::<(), softiou::figures::Error>(())
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
    let dirs = set
        .families
        .iter()
        .map(|f| {
            let d = f
                .subdir()
                .map_or_else(|| dir.to_path_buf(), |s| dir.join(s));
            ensure_dir(&d).map(|()| d)
        })
        .collect::<Result<Vec<PathBuf>>>()?;
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for (f, d) in set.families.iter().zip(&dirs) {
        jobs.extend(f.jobs(d, opts));
    }
    let summary = &set.summary;
    jobs.push(data_job(dir.join("summary.json"), move |p| {
        let json = serde_json::to_string_pretty(summary).map_err(|e| Error::Output {
            path: p.display().to_string(),
            reason: e.to_string(),
        })?;
        write_atomic(p, format!("{json}\n").as_bytes())
    }));
    jobs.push(data_job(dir.join("summary.txt"), move |p| {
        write_atomic(p, summary.to_string().as_bytes())
    }));
    run_jobs(jobs, progress)
}

/// Writes figures 1–4 and 7 with their CSVs for the given sweeps (typically one box
/// pair) into `dir` (created if missing).
///
/// # Errors
/// As [`write_standard`].
#[cfg(feature = "cli")]
pub fn write_sweep(
    sweeps: &[kappa::KappaSweep],
    dir: &Path,
    opts: Options,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<PathBuf>> {
    ensure_dir(dir)?;
    run_jobs(kappa::jobs(dir, sweeps, opts), progress)
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;

    #[test]
    fn standard_jobs_counts_every_job() {
        let set = StandardSet::compute().unwrap();
        let dir = Path::new("unused");
        let jobs: usize = set
            .families
            .iter()
            .map(|f| f.jobs(dir, Options::default()).len())
            .sum();
        // + summary.json and summary.txt
        assert_eq!(jobs + 2, STANDARD_JOBS);
    }
}
