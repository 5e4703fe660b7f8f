//! The fitting figures from a computed fit set (moved here from `tests/plots.rs` when
//! the fit set's methods and starts became private to the crate).

use std::path::Path;

use crate::figures::fit::FIT_JOBS;
use crate::figures::kit::Options;
use crate::figures::write_fit;
use crate::fit::{FIGURE_OPTIMIZERS, FitSet, STARTS, methods};

/// The CSV at `path` has `first_column` first and rows of equal width; returns how many.
fn check_csv(path: &Path, first_column: &str) -> usize {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let width = r.headers().unwrap().len();
    assert_eq!(&r.headers().unwrap()[0], first_column, "{}", path.display());
    let mut rows = 0;
    for rec in r.records() {
        assert_eq!(rec.unwrap().len(), width, "{}", path.display());
        rows += 1;
    }
    assert!(rows > 0, "{} is empty", path.display());
    rows
}

/// No temporary file is left in `dir`, and every file is readable by others.
fn no_temp_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = e.metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o044, 0o044, "{:?}: mode {mode:o}", e.path());
        }
        let name = e.file_name();
        assert!(
            !name.to_string_lossy().starts_with(".softiou-"),
            "left behind: {name:?}"
        );
    }
}

#[test]
fn the_fitting_figures_are_written_from_a_computed_fit_set() {
    let set = FitSet::compute().unwrap();
    // every method from every start with every optimiser, in order
    assert_eq!(set.methods.len(), methods(10.0).len());
    assert_eq!(
        set.outcomes.len(),
        FIGURE_OPTIMIZERS.len() * STARTS.len() * set.methods.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("made").join("fit");
    let ticks = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let written = write_fit(&set, &out, Options::default(), &tick).unwrap();
    assert_eq!(written.len(), 7);
    assert_eq!(ticks.into_inner(), FIT_JOBS);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), written.len());
    // the CSV of the bias figure holds exactly the set's points
    let rows = check_csv(&out.join("fit_bias.csv"), "smoothing");
    assert_eq!(rows, set.bias.len());
    no_temp_files(&out);
    // a directory that cannot be created is an error, not a panic
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, b"x").unwrap();
    let err = write_fit(&set, &blocked.join("fit"), Options::default(), &|| {}).unwrap_err();
    assert!(matches!(err, crate::figures::Error::Output { .. }), "{err}");
}

#[test]
fn every_panel_of_the_fit_figures_shows_at_most_six_series_and_no_method_is_left_out() {
    use crate::figures::fit::data::{IOU_STEP_GROUPS, MAX_SERIES, TRAJECTORY_METHODS};
    let n = methods(10.0).len();
    // each method in exactly one group of the IoU-against-step figure
    let mut seen = vec![0; n];
    for g in IOU_STEP_GROUPS {
        assert!(g.methods.len() <= MAX_SERIES, "{}: {:?}", g.name, g.methods);
        for &m in g.methods {
            seen[m] += 1;
        }
    }
    assert!(seen.iter().all(|&c| c == 1), "{seen:?}");
    assert!(TRAJECTORY_METHODS.iter().all(|&m| m < n));
    // and the figures show every optimiser of the README's table
    let set = FitSet::compute().unwrap();
    assert_eq!(set.optimizers, crate::fit::Optimizer::ALL);
}
