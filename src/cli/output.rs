//! Standard output for every subcommand, written through a fallible writer.
//!
//! `println!` panics when standard output is closed or full; here a write error becomes a
//! [`CliError`] instead: a broken pipe (`softiou check | head -1`) ends the program
//! quietly with exit status 0, as `grep` and `rg` do, and any other error (a full disk,
//! `>/dev/full`) is one line on stderr and exit status 1.

use std::io::{self, Write};

use super::CliError;

/// Writes `text` to standard output and flushes it.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// Writes `warning: {text}` as one line on standard error. A warning that cannot be
/// written (stderr closed) is dropped: it must not turn a good result into a failure.
pub fn warn(text: &str) {
    let _ = writeln!(io::stderr().lock(), "warning: {text}");
}

/// The error for a failed write to standard output: [`CliError::BrokenPipe`] if the
/// reader went away, otherwise a failure naming standard output.
pub fn stdout_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::BrokenPipe
    } else {
        CliError::Failure(format!("cannot write to standard output: {e}"))
    }
}
