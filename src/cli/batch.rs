//! `softiou batch` (not yet built: see its issue).

use clap::Args;

use super::CliError;

/// Arguments of `softiou batch`.
#[derive(Debug, Args, Default)]
pub struct BatchArgs {}

/// Runs `softiou batch`.
pub fn run(_args: BatchArgs) -> Result<(), CliError> {
    Err(CliError::Failure("softiou batch is not built yet".into()))
}
