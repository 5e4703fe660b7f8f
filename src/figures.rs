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
//! # Ok::<(), softiou::Error>(())
//! ```

pub use crate::plot::standard::{FIT_JOBS, Options, write_fit, write_standard};
pub use crate::sweep::scenario::standard as standard_scenarios;
pub use crate::sweep::{KappaRange, KappaSweep, MAX_POINTS, Scenario, StandardSet};
