//! `softiou plots` (and `softiou` with no arguments): the standard figure set.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use softiou::figures::set::STANDARD_JOBS;
use softiou::figures::{Options, StandardSet, write_standard};

use super::CliError;

/// Arguments of `softiou plots`.
#[derive(Debug, Args)]
pub struct PlotsArgs {
    /// Directory to write the figures and CSV files into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "plots")]
    pub out: PathBuf,
    /// Also write an SVG beside every PNG.
    #[arg(long)]
    pub svg: bool,
}

impl Default for PlotsArgs {
    fn default() -> Self {
        PlotsArgs {
            out: PathBuf::from("plots"),
            svg: false,
        }
    }
}

/// A progress bar on stderr that appears only on a terminal and only once the run has
/// taken longer than about a second.
pub(crate) struct Progress {
    bar: ProgressBar,
    start: Instant,
    tty: bool,
}

impl Progress {
    pub(crate) fn new(total: usize, what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_owned());
        Progress {
            bar,
            start: Instant::now(),
            tty: std::io::stderr().is_terminal(),
        }
    }

    pub(crate) fn tick(&self) {
        if self.tty && self.bar.is_hidden() && self.start.elapsed() > Duration::from_millis(900) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.inc(1);
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

pub(crate) fn output_error(e: impl std::fmt::Display) -> CliError {
    CliError::Failure(e.to_string())
}

/// Creates the output directory (and its parents), naming the flag and the directory in
/// the error.
pub(crate) fn create_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|source| {
        CliError::Failure(format!(
            "--out: cannot create the output directory {}: {source}",
            softiou::error::quote(&dir.display().to_string())
        ))
    })
}

/// The last line of `plots` and `sweep`: how many files went where, and how fast.
pub(crate) fn report(dir: &Path, files: &[PathBuf], start: Instant) -> String {
    format!(
        "wrote {} files to {} in {:.2} s\n",
        files.len(),
        dir.display(),
        start.elapsed().as_secs_f64()
    )
}

/// Runs `softiou plots`.
pub fn run(args: PlotsArgs) -> Result<(), CliError> {
    let start = Instant::now();
    create_dir(&args.out)?;
    let progress = Progress::new(STANDARD_JOBS + 1, "plots");
    let set = StandardSet::compute().map_err(output_error)?;
    progress.tick();
    let opts = Options { svg: args.svg };
    let files = write_standard(&set, &args.out, opts, &|| progress.tick());
    progress.finish();
    let files = files.map_err(output_error)?;
    let text = format!("{}{}", set.summary, report(&args.out, &files, start));
    super::output::print(&text)
}
