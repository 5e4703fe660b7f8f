//! Errors of the command line and their exit statuses.

use std::path::PathBuf;

use thiserror::Error;

/// An error that ends the program with one line on stderr.
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad input or usage (exit status 2): the message names the flag, or the file, line
    /// and column.
    #[error("{0}")]
    Input(String),
    /// The library rejected a value given by `flag`.
    #[error("{flag}: {source}")]
    Value {
        /// The flag (or `file:line:column`) that carried the value.
        flag: String,
        /// What is wrong with it.
        source: softiou::Error,
    },
    /// A file could not be read or written (exit status 1).
    #[error("{}: {source}", softiou::error::quote_bare(&path.display().to_string()))]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Any other failure (exit status 1).
    #[error("{0}")]
    Failure(String),
    /// Standard output was closed by its reader (`softiou check | head -1`): the program
    /// stops quietly with exit status 0, as `grep` and `rg` do.
    #[error("standard output was closed")]
    BrokenPipe,
}

impl CliError {
    /// 2 for bad input or usage, 0 for a closed standard output, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::BrokenPipe => 0,
            CliError::Input(_) | CliError::Value { .. } => 2,
            CliError::Io { .. } | CliError::Failure(_) => 1,
        }
    }
}
