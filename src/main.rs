//! The `softiou` command line (see `softiou --help`).

mod cli;

use std::io::Write;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    if let Err(e) = cli::run(cli) {
        if !matches!(e, cli::CliError::BrokenPipe) {
            // Nothing more can be done if stderr is closed too: no panic, just the status.
            let _ = writeln!(std::io::stderr(), "error: {e}");
        }
        std::process::exit(e.exit_code());
    }
}
