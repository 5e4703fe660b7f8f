//! The data of the fitting figures as CSV: exactly the numbers [`super::draw`] draws,
//! taken from the runs of [`crate::fit::FitSet`].

use std::path::Path;

use crate::figures::error::Result;
use crate::figures::kit::table::write_rows;
use crate::fit::{self, BIAS_STARTS, BiasPoint, FitSet, FitStep, Optimizer, Outcome, STARTS};

/// The iterates of an outcome that a figure shows (none if the run diverged).
pub(crate) fn shown(o: &Outcome) -> Vec<FitStep> {
    o.result
        .as_ref()
        .map(fit::sampled_history)
        .unwrap_or_default()
}

/// Writes the data of [`super::draw::IouStepFigure`].
///
/// # Errors
/// [`crate::figures::Error::Output`] if the file cannot be written.
pub fn iou_vs_step_csv(path: &Path, set: &FitSet) -> Result<()> {
    let mut rows = Vec::new();
    for o in &set.outcomes {
        for s in shown(o) {
            rows.push(vec![
                o.optimizer.to_string(),
                STARTS[o.start].name.to_owned(),
                o.method.clone(),
                s.step.to_string(),
                s.kappa.to_string(),
                s.hard_iou.to_string(),
            ]);
        }
    }
    let header = ["optimizer", "start", "method", "step", "kappa", "hard_iou"];
    write_rows(path, &header, &rows)
}

/// Writes the data of [`super::draw::BiasFigure`].
///
/// # Errors
/// [`crate::figures::Error::Output`] if the file cannot be written.
pub fn bias_csv(path: &Path, points: &[BiasPoint]) -> Result<()> {
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            vec![
                p.smoothing.to_string(),
                BIAS_STARTS[p.start].name.to_owned(),
                p.kappa_s.to_string(),
                opt(p.hard_iou),
                opt(p.width),
                p.stop
                    .map_or_else(|| "diverged".to_owned(), |s| s.name().to_owned()),
                p.is_minimum.to_string(),
            ]
        })
        .collect();
    let header = [
        "smoothing",
        "start",
        "kappa_s",
        "hard_iou",
        "final_width",
        "stop",
        "is_minimum",
    ];
    write_rows(path, &header, &rows)
}

/// The most series one panel shows (more cannot be told apart by colour).
pub const MAX_SERIES: usize = 6;

/// A group of methods (indices into [`FitSet::methods`]) drawn together in one panel of
/// the IoU-against-step figure, method `k` of the group in the kit's series colour `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodGroup {
    /// Heading of the group's legend.
    pub name: &'static str,
    /// The methods, at most [`MAX_SERIES`].
    pub methods: &'static [usize],
}

/// The groups of the IoU-against-step figure: every method in exactly one (a test checks
/// it), so each panel shows at most six series.
pub const IOU_STEP_GROUPS: [MethodGroup; 2] = [
    MethodGroup {
        name: "soft IoU at a fixed κ",
        methods: &[1, 2, 3, 4, 5, 6],
    },
    MethodGroup {
        name: "unsmoothed, and annealed κ",
        methods: &[0, 7, 8, 9, 10],
    },
];

/// Methods (indices into [`FitSet::methods`]) drawn in the trajectory figure, method `k`
/// in the kit's series colour `k` (the others clutter it or leave the window; the
/// annealed run from κ·s = 1 is the one the GIF animates).
pub const TRAJECTORY_METHODS: [usize; MAX_SERIES] = [0, 2, 3, 6, 7, 10];

/// The outcomes of [`TRAJECTORY_METHODS`] with `opt`.
pub(crate) fn trajectory_outcomes(set: &FitSet, opt: Optimizer) -> impl Iterator<Item = &Outcome> {
    set.outcomes.iter().filter(move |o| {
        o.optimizer == opt
            && TRAJECTORY_METHODS
                .iter()
                .any(|&m| set.methods.get(m) == Some(&o.method))
    })
}

/// Writes the data of [`super::draw::TrajectoryFigure`].
///
/// # Errors
/// [`crate::figures::Error::Output`] if the file cannot be written.
pub fn trajectories_csv(path: &Path, set: &FitSet, opt: Optimizer) -> Result<()> {
    let mut rows = Vec::new();
    for o in trajectory_outcomes(set, opt) {
        for s in shown(o) {
            let mut row = vec![
                STARTS[o.start].name.to_owned(),
                o.method.clone(),
                s.step.to_string(),
            ];
            row.extend(s.bbox.iter().map(f64::to_string));
            rows.push(row);
        }
    }
    let header = [
        "start", "method", "step", "x_min", "y_min", "x_max", "y_max",
    ];
    write_rows(path, &header, &rows)
}
