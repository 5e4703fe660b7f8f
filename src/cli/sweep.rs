//! `softiou sweep`: figures 1–4 and 7 for the user's own box pair.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use softiou::figures::KappaSweep;
use softiou::figures::Options;
use softiou::figures::kit::style::sig;
use softiou::figures::kit::{KappaRange, SMOOTH_OPS, Scenario, default_range};
use softiou::figures::set::write_sweep;
use softiou::{BoxFormat, Smoothing};

use super::CliError;
use super::args::{parse_box, parse_kappa, parse_name};
use super::plots::{Progress, create_dir, output_error, report};

/// Arguments of `softiou sweep`.
#[derive(Debug, Args, Default)]
pub struct SweepArgs {
    /// Predicted box, four comma-separated numbers in --box-format order.
    #[arg(long, value_name = "X1,Y1,X2,Y2", allow_hyphen_values = true)]
    pub pred: String,
    /// Target box, four comma-separated numbers in --box-format order.
    #[arg(long, value_name = "X1,Y1,X2,Y2", allow_hyphen_values = true)]
    pub target: String,
    /// How the four numbers of --pred and --target describe a box: xyxy (x1,y1,x2,y2),
    /// xywh (x1,y1,width,height) or cxcywh (centre x, centre y, width, height)
    // `--format` was this flag's name before every subcommand said `--box-format`: kept
    // as a hidden alias so that existing scripts still run
    #[arg(long, value_name = "FORMAT", default_value = "xyxy", alias = "format")]
    pub box_format: String,
    /// Smallest κ (1/coordinate unit); default 0.01/s, s = the target's shorter side.
    #[arg(long, value_name = "KAPPA", allow_hyphen_values = true)]
    pub kappa_min: Option<String>,
    /// Largest κ (1/coordinate unit); default 10000/s.
    #[arg(long, value_name = "KAPPA", allow_hyphen_values = true)]
    pub kappa_max: Option<String>,
    /// Number of κ values (log-spaced), at least 2 and at most 10000 (every value is kept
    /// and drawn) [default: 241]
    #[arg(long, value_name = "N")]
    pub points: Option<usize>,
    /// Only this operator (boltzmann or logsumexp); default both. `hard` is always drawn
    /// as the reference.
    #[arg(long)]
    pub smoothing: Option<String>,
    /// Directory to write the figures and CSV files into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "sweep")]
    pub out: PathBuf,
    /// Also write an SVG beside every PNG.
    #[arg(long)]
    pub svg: bool,
}

fn value<E: std::fmt::Display>(flag: &str) -> impl Fn(E) -> CliError + '_ {
    // the message of `CliError::Value`, for the core's and the figures' errors alike
    move |source| CliError::Input(format!("{flag}: {source}"))
}

/// Runs `softiou sweep`.
pub fn run(args: SweepArgs) -> Result<(), CliError> {
    let start = Instant::now();
    let format: BoxFormat = parse_name("--box-format", &args.box_format)?;
    let pred = parse_box("--pred", &args.pred, format)?;
    let target = parse_box("--target", &args.target, format)?;
    let ops: Vec<Smoothing> = match args.smoothing.as_deref() {
        None => SMOOTH_OPS.to_vec(),
        Some(text) => match text.parse().map_err(value("--smoothing"))? {
            Smoothing::Hard => {
                return Err(CliError::Input(
                    "--smoothing: choose boltzmann or logsumexp; hard is always drawn as the reference"
                        .into(),
                ));
            }
            op => vec![op],
        },
    };
    let scenario = Scenario::new("your boxes", pred, target);
    let side = scenario.side();
    let default = default_range();
    let points = args.points.unwrap_or(default.points());
    let range = match (&args.kappa_min, &args.kappa_max) {
        (None, None) => KappaRange::new(default.min(), default.max(), points),
        (lo, hi) => {
            let lo = match lo {
                Some(t) => parse_kappa("--kappa-min", t)?,
                None => default.min() / side,
            };
            let hi = match hi {
                Some(t) => parse_kappa("--kappa-max", t)?,
                None => default.max() / side,
            };
            KappaRange::from_physical(lo, hi, points, side)
        }
    };
    let flag = if args
        .points
        .is_some_and(|n| !(2..=softiou::figures::KappaRange::MAX_POINTS).contains(&n))
    {
        "--points"
    } else {
        "--kappa-max"
    };
    let range = range.map_err(value(flag))?;
    create_dir(&args.out)?;
    let progress = Progress::new(12, "sweep");
    let sweep = KappaSweep::compute(&scenario, &range, &ops).map_err(output_error)?;
    progress.tick();
    let opts = Options { svg: args.svg };
    let files = write_sweep(std::slice::from_ref(&sweep), &args.out, opts, &|| {
        progress.tick()
    });
    progress.finish();
    let files = files.map_err(output_error)?;
    // The threshold is a grid point: the true one lies between it and the point below,
    // so it is known to one grid step, and printed to the figures that step supports.
    let step = (range.max() / range.min()).powf(1.0 / (range.points() - 1) as f64) - 1.0;
    let digits = (1.0 / step).log10().ceil().max(1.0) as usize;
    let mut text = String::new();
    for op in &ops {
        text.push_str(
            &match sweep.row_within(*op, softiou::figures::kappa::WITHIN_TOL) {
                Some(r) => format!(
                    "{op}: |soft − hard| <= 0.01 from κ·s = {} on (κ = {}; grid step {} %)\n",
                    sig(r.kappa_s, digits),
                    sig(r.kappa, digits),
                    sig(step * 100.0, 1),
                ),
                None => format!("{op}: |soft − hard| > 0.01 somewhere up to the largest κ swept\n"),
            },
        );
    }
    text.push_str(&report(&args.out, &files, start));
    super::output::print(&text)
}
