//! `softiou fit` (not yet built: see its issue).

use clap::Args;

use super::CliError;

/// Arguments of `softiou fit`.
#[derive(Debug, Args, Default)]
pub struct FitArgs {}

/// Runs `softiou fit`.
pub fn run(_args: FitArgs) -> Result<(), CliError> {
    Err(CliError::Failure("softiou fit is not built yet".into()))
}
