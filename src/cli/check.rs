//! `softiou check` (not yet built: see its issue).

use clap::Args;

use super::CliError;

/// Arguments of `softiou check`.
#[derive(Debug, Args, Default)]
pub struct CheckArgs {}

/// Runs `softiou check`.
pub fn run(_args: CheckArgs) -> Result<(), CliError> {
    Err(CliError::Failure("softiou check is not built yet".into()))
}
