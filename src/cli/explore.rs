//! `softiou explore`: writes the interactive κ explorer page. The numbers come from
//! [`softiou::figures::explore::compute`]; this file only handles the flag and the output.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::CliError;
use super::plots::{create_dir, output_error};

/// Arguments of `softiou explore`.
#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Directory to write explorer.html into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "plots")]
    pub out: PathBuf,
}

/// Runs `softiou explore`.
pub fn run(args: ExploreArgs) -> Result<(), CliError> {
    let start = Instant::now();
    create_dir(&args.out)?;
    let data = softiou::figures::explore::compute().map_err(output_error)?;
    let path = softiou::figures::explore::write_page(&data, &args.out).map_err(output_error)?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    super::output::print(&format!(
        "wrote {} ({:.2} MB, self-contained; open it in a browser) in {:.2} s\n",
        path.display(),
        size as f64 / 1e6,
        start.elapsed().as_secs_f64()
    ))
}
