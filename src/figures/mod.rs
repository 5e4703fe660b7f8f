//! The figures (feature `plots`): the standard κ-sensitivity set that `cargo run --release`
//! writes into `plots/`, the fitting figures, and the κ sweep of one box pair.
//!
//! Everything that computes and draws them (grids, panels, styles, CSV tables, atomic
//! writes) is private to the crate; this module is what a program that wants the figures
//! calls. Every figure is written with a CSV file of exactly the numbers it draws.
//!
//! ```
//! use softiou::figures::{KappaRange, KappaSweep, standard_scenarios};
//! use softiou::Smoothing;
//! let range = KappaRange::new(0.1, 1000.0, 50)?;
//! let s = &standard_scenarios()[0];
//! let sweep = KappaSweep::compute(s, &range, &[Smoothing::LogSumExp])?;
//! // at κ·s = 1000 the logsumexp loss is within 1e-2 of the hard loss
//! let last = sweep.curve(Smoothing::LogSumExp).unwrap().rows.last().unwrap();
//! assert!((last.loss - sweep.hard.loss).abs() < 1e-2);
//! # Ok::<(), softiou::figures::Error>(())
//! ```

// The figures' error type: the core's errors, an unusable grid, a file not written.
pub mod error;

// The render kit every family uses: figure, panel, style, atomic write, CSV table,
// κ·s grids and the standard scenarios.
pub(crate) mod kit;

// The figure families: each computes its data (`data.rs`, with its CSV table) and draws
// it (`draw.rs`, a pure function of that data). No family imports another.
pub(crate) mod breakdown;
pub(crate) mod explore;
pub(crate) mod fit;
pub(crate) mod kappa;
pub(crate) mod step_study;
pub(crate) mod surface;
pub(crate) mod units;

// The standard set: the list of its families, the summary of their numbers, and writing.
pub(crate) mod set;
pub(crate) mod summary;

#[cfg(test)]
mod tests;

pub use error::Error;
pub use fit::write_fit;
pub use kappa::KappaSweep;
pub use kit::Options;
pub use kit::scenario::standard as standard_scenarios;
pub use kit::{KappaRange, Scenario};
pub use set::{StandardSet, write_standard};
