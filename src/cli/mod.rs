//! Command-line definition and dispatch. No numerics here: every number comes from the
//! library; this module parses arguments, reads and writes files and reports errors.

use clap::{Parser, Subcommand};

pub mod args;
pub mod batch;
pub mod batch_io;
pub mod check;
mod entry;
pub mod error;
pub mod eval;
pub mod explore;
pub mod fit;
pub mod kappa;
pub mod output;
pub mod plots;
pub mod sweep;

pub use entry::main;
pub use error::CliError;

/// Smooth IoU losses with exact derivatives, and κ-sensitivity plots.
///
/// κ (kappa) is the smoothing temperature in 1 / coordinate units: what matters is the
/// dimensionless κ·s, with s a box side. Run with no subcommand to write the standard
/// plot set into `plots/`.
#[derive(Debug, Parser)]
#[command(name = "softiou", version, about, long_about)]
pub struct Cli {
    /// What to do (default: `plots`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Loss, IoU and exact derivatives for one box pair.
    Eval(eval::EvalArgs),
    /// Loss and exact gradients for every row of a CSV file (streams; `-` is stdin/stdout).
    Batch(batch::BatchArgs),
    /// Verify the exact derivatives against finite differences on random box pairs.
    Check(check::CheckArgs),
    /// Write the standard κ-sensitivity plot set (the default command).
    Plots(plots::PlotsArgs),
    /// Plots of loss and gradients against κ for your own box pair.
    Sweep(sweep::SweepArgs),
    /// Fit a predicted box to a target by gradient descent, Adam or Newton.
    Fit(fit::FitArgs),
    /// Which kappa for boxes of shorter side S: tolerance, pole, gradient reach, mixed sizes.
    Kappa(kappa::KappaArgs),
    /// Write the interactive kappa explorer: one self-contained HTML page.
    Explore(explore::ExploreArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None => plots::run(plots::PlotsArgs::default()),
        Some(Command::Eval(a)) => eval::run(a),
        Some(Command::Batch(a)) => batch::run(a),
        Some(Command::Check(a)) => check::run(a),
        Some(Command::Plots(a)) => plots::run(a),
        Some(Command::Sweep(a)) => sweep::run(a),
        Some(Command::Fit(a)) => fit::run(a),
        Some(Command::Kappa(a)) => kappa::run(a),
        Some(Command::Explore(a)) => explore::run(a),
    }
}
