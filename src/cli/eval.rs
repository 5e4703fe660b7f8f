//! `softiou eval` (not yet built: see its issue).

use clap::Args;

use super::CliError;

/// Arguments of `softiou eval`.
#[derive(Debug, Args, Default)]
pub struct EvalArgs {}

/// Runs `softiou eval`.
pub fn run(_args: EvalArgs) -> Result<(), CliError> {
    Err(CliError::Failure("softiou eval is not built yet".into()))
}
