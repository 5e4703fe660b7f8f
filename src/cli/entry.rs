//! The binary's entry point: parse, run, report the error in one line, exit.

use std::io::Write;

use clap::Parser;
use clap::error::ErrorKind;
use softiou::error::{QUOTE_CHARS, quote, quote_bare};

use super as cli;

/// The binary's `main`: parses the command line, runs it, and exits with status 2 for bad
/// input and 1 for other failures.
pub fn main() {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => usage_error(&e),
    };
    if let Err(e) = cli::run(cli) {
        if !matches!(e, cli::CliError::BrokenPipe) {
            // Nothing more can be done if stderr is closed too: no panic, just the status.
            let _ = writeln!(std::io::stderr(), "error: {e}");
        }
        std::process::exit(e.exit_code());
    }
}

/// Prints clap's message for a bad command line, with every long argument of the user's
/// (a 100 kB value, an unknown 100 kB flag) shortened as [`quote`] does, and exits with
/// clap's status (2).
fn usage_error(e: &clap::Error) -> ! {
    let mut text = e.render().to_string();
    let mut long: Vec<String> = Vec::new();
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy().into_owned();
        // `--flag=value`: clap quotes the value alone
        if let Some((_, value)) = arg.split_once('=') {
            long.push(value.to_owned());
        }
        long.push(arg);
    }
    long.retain(|a| a.chars().nth(QUOTE_CHARS).is_some());
    // longest first, so that a value inside a longer argument is not cut in two
    long.sort_by_key(|a| std::cmp::Reverse(a.len()));
    for arg in &long {
        text = text
            .replace(&format!("'{arg}'"), &quote(arg))
            .replace(arg.as_str(), &quote_bare(arg));
    }
    let _ = std::io::stderr().write_all(text.as_bytes());
    std::process::exit(e.exit_code());
}
