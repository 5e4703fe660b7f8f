//! `softiou sweep` (not yet built: see its issue).

use clap::Args;

use super::CliError;

/// Arguments of `softiou sweep`.
#[derive(Debug, Args, Default)]
pub struct SweepArgs {}

/// Runs `softiou sweep`.
pub fn run(_args: SweepArgs) -> Result<(), CliError> {
    Err(CliError::Failure("softiou sweep is not built yet".into()))
}
