//! `softiou plots` (not yet built: see its issue).

use clap::Args;

use super::CliError;

/// Arguments of `softiou plots`.
#[derive(Debug, Args, Default)]
pub struct PlotsArgs {}

/// Runs `softiou plots`.
pub fn run(_args: PlotsArgs) -> Result<(), CliError> {
    Err(CliError::Failure("softiou plots is not built yet".into()))
}
