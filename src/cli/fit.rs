//! `softiou fit`: fit a predicted box to a target by gradient descent, Adam or Newton.

use std::path::{Path, PathBuf};

use clap::Args;
use softiou::fit::{FitConfig, FitResult, KappaSchedule, Optimizer, StopReason, fit};
use softiou::{BBox, BoxFormat, Loss, LossKind, Smoothing};

use softiou::error::{quote, quote_bare};

use super::CliError;
use super::args::{parse_box, parse_kappa, parse_name, parse_number};
use super::output::print;
use crate::number::num;

const AFTER_HELP: &str = "\
Units: boxes are [x1, y1, x2, y2] corners in coordinate units (pixels, or 1 for
unit-normalised boxes); kappa is in 1 / coordinate units, and what matters is kappa times
a box side. The optimiser works on theta = (centre / s, ln(size / s)), s = the target's
shorter side, so --lr is in these dimensionless parameter units whatever the box size.

Output: the final box, its hard IoU with the target, the smoothed loss, the number of
steps and the status, the first of these that applies:
  degenerate  a side of the final box is below 1e-3 or above 1e3 times the target's side
  converged   the gradient vanished (<= 1e-8 at the final kappa) on the target: hard IoU
              >= 0.5 and 0 <= loss < 1 (every loss is >= 1 for disjoint boxes)
  diverged    the final box has a higher loss than the start (at the first or the final
              kappa), or the start overlapped the target and the final box does not
  stuck       the box never moved, or the gradient at the final box is exactly 0
  stalled     the gradient vanished at a box that is not the target (a biased optimum)
  max-steps   the step limit was reached before the gradient vanished
A run whose box overflows or turns NaN stops with an error (exit status 1). With --out,
every file written is listed (fit_run.png, fit_run.csv, fit_run.gif).

Examples:
  softiou fit --pred 0,0,10,10 --target 15,3,25,13
  softiou fit --pred 0,0,10,10 --target 15,3,25,13 --kappa 1 --optimizer adam --json
  softiou fit --pred=-30,0,-20,10 --target 15,3,25,13 --anneal 0.05..50 --out fit/";

/// Arguments of `softiou fit`.
#[derive(Debug, Args, Default)]
#[command(after_help = AFTER_HELP)]
pub struct FitArgs {
    /// The start box: four comma-separated numbers in --box-format order (a leading
    /// minus sign works: --pred -30,0,-20,10)
    #[arg(long, value_name = "X1,Y1,X2,Y2", allow_hyphen_values = true)]
    pub pred: String,
    /// The target box, in the same format as --pred
    #[arg(long, value_name = "X1,Y1,X2,Y2", allow_hyphen_values = true)]
    pub target: String,
    /// How the four numbers of --pred and --target describe a box: xyxy (x1,y1,x2,y2),
    /// xywh (x1,y1,width,height) or cxcywh (centre x, centre y, width, height); the
    /// final box is printed as corners x1,y1,x2,y2 in every format
    #[arg(long, value_name = "FORMAT", default_value = "xyxy")]
    pub box_format: String,
    /// Smooth max/min operator: hard, boltzmann or logsumexp
    #[arg(long, value_name = "OP", default_value = "logsumexp")]
    pub smoothing: String,
    /// Loss: soft-iou (1 - soft IoU), giou, diou or ciou
    #[arg(long, value_name = "LOSS", default_value = "soft-iou")]
    pub loss: String,
    /// Fixed kappa > 0, in 1 / coordinate units [default: anneal, see --anneal]
    #[arg(
        long,
        value_name = "K",
        conflicts_with = "anneal",
        allow_hyphen_values = true
    )]
    pub kappa: Option<String>,
    /// Kappa (1 / coordinate units) raised geometrically from KMIN to KMAX over the first
    /// half of the steps [default: 2.5/s..500/s, s = the target's shorter side]
    #[arg(long, value_name = "KMIN..KMAX", allow_hyphen_values = true)]
    pub anneal: Option<String>,
    /// Largest number of updates, at most 100000 (every step is kept for the history and
    /// the figures) [default: 2000]
    #[arg(long, value_name = "N")]
    pub steps: Option<usize>,
    /// Learning rate in (dimensionless) parameter units [default: gd 0.3, adam 0.05,
    /// newton 0.25 (trust radius)]
    #[arg(long, value_name = "LR", allow_hyphen_values = true)]
    pub lr: Option<String>,
    /// Optimiser: gd, adam or newton (damped, exact Hessian)
    #[arg(long, value_name = "OPT", default_value = "newton")]
    pub optimizer: String,
    /// Write fit_run.png, fit_run.csv and fit_run.gif into this directory (created if
    /// needed)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

fn schedule(args: &FitArgs, t: &BBox<f64>) -> Result<KappaSchedule, CliError> {
    if let Some(k) = &args.kappa {
        return Ok(KappaSchedule::Fixed(parse_kappa("--kappa", k)?));
    }
    let Some(text) = &args.anneal else {
        return Ok(FitConfig::for_target(t).schedule);
    };
    let Some((lo, hi)) = text.split_once("..") else {
        return Err(CliError::Input(format!(
            "--anneal: expected KMIN..KMAX (for example 0.1..50), got {}",
            quote(text)
        )));
    };
    let (min, max) = (parse_kappa("--anneal", lo)?, parse_kappa("--anneal", hi)?);
    if min > max {
        return Err(CliError::Input(format!(
            "--anneal: KMIN = {} is larger than KMAX = {}; anneal raises kappa, give KMIN <= KMAX",
            num(min),
            num(max)
        )));
    }
    Ok(KappaSchedule::Anneal { min, max })
}

fn config(args: &FitArgs, t: &BBox<f64>) -> Result<FitConfig, CliError> {
    let smoothing: Smoothing = parse_name("--smoothing", &args.smoothing)?;
    let kind: LossKind = parse_name("--loss", &args.loss)?;
    let optimizer: Optimizer = parse_name("--optimizer", &args.optimizer)?;
    let mut cfg = FitConfig::new(Loss::new(kind, smoothing), schedule(args, t)?, optimizer);
    if let Some(steps) = args.steps {
        if steps > FitConfig::MAX_STEPS {
            return Err(CliError::Input(format!(
                "--steps: {steps} is more than the limit of {} (every step is kept for the \
                 history)",
                FitConfig::MAX_STEPS
            )));
        }
        cfg.steps = steps;
    }
    if let Some(lr) = &args.lr {
        let v = parse_number("--lr", "learning rate", lr)?;
        if v <= 0.0 {
            return Err(CliError::Input(format!(
                "--lr: learning rate is {}; it must be > 0",
                quote_bare(lr)
            )));
        }
        cfg.lr = v;
    }
    Ok(cfg)
}

fn json(run: &FitResult, cfg: &FitConfig, written: &[PathBuf]) -> serde_json::Value {
    serde_json::json!({
        "final_box": run.final_box.to_xyxy(),
        "final_iou": run.final_iou,
        "final_loss": run.history.last().map(|s| s.loss),
        "steps": run.steps,
        "status": run.stop,
        "status_text": stop_text(run.stop),
        "converged": run.converged,
        "stop": run.stop,
        "loss": cfg.loss.kind.name(),
        "smoothing": cfg.loss.smoothing.name(),
        "optimizer": cfg.optimizer.name(),
        "schedule": cfg.schedule.to_string(),
        "learning_rate": cfg.lr,
        "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "history": run.history,
    })
}

/// What a status means, in one sentence after its name.
fn stop_text(stop: StopReason) -> &'static str {
    match stop {
        StopReason::Converged => {
            "the gradient vanished on the target (hard IoU >= 0.5 and 0 <= loss < 1)"
        }
        StopReason::Stalled => {
            "the gradient vanished at a box that is not the target (hard IoU < 0.5 or loss \
             outside [0, 1))"
        }
        StopReason::Stuck => "the gradient is exactly 0 or the box never moved; no progress",
        StopReason::Diverged => {
            "the final box is worse than the start (a higher loss, or it left the target)"
        }
        StopReason::Degenerate => {
            "a side collapsed below 1e-3 or grew beyond 1e3 times the target's side"
        }
        StopReason::MaxSteps => "the step limit was reached before the gradient vanished",
    }
}

/// Checks `--out` before the run: an existing path must be a directory.
fn check_out(dir: &Path) -> Result<(), CliError> {
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::Input(format!(
            "--out: {} is a file, not a directory; give a directory for fit_run.png, \
             fit_run.csv and fit_run.gif",
            quote(&dir.display().to_string())
        )));
    }
    Ok(())
}

/// Runs `softiou fit`.
pub fn run(args: FitArgs) -> Result<(), CliError> {
    let format: BoxFormat = parse_name("--box-format", &args.box_format)?;
    let p = parse_box("--pred", &args.pred, format)?;
    let t = parse_box("--target", &args.target, format)?;
    let cfg = config(&args, &t)?;
    if let Some(dir) = &args.out {
        check_out(dir)?;
    }
    let result = fit(&p, &t, &cfg).map_err(|e| match e {
        softiou::fit::Error::InvalidSetting { .. } => CliError::Input(format!("--lr: {e}")),
        // A divergence is a property of the run, not of one input.
        softiou::fit::Error::Diverged { .. } => CliError::Failure(e.to_string()),
        // The inputs are valid one by one; what is left is their combination at the start
        // (an overflowing area, a smoothed union of 0), as in `softiou eval`.
        softiou::fit::Error::Core(source) => CliError::Value {
            flag: "--pred/--target/--kappa".into(),
            source,
        },
        other => CliError::Failure(other.to_string()),
    })?;
    let title = format!(
        "{} ({}), {}, {}",
        cfg.loss.kind, cfg.loss.smoothing, cfg.schedule, cfg.optimizer
    );
    let mut written = Vec::new();
    if let Some(dir) = &args.out {
        super::plots::create_dir(dir)?;
        written = softiou::figures::fit::draw::write_run_figures(dir, &result, &t, &title)
            .map_err(|e| CliError::Failure(e.to_string()))?;
    }
    let text = if args.json {
        format!("{}\n", json(&result, &cfg, &written))
    } else {
        let b = result.final_box.to_xyxy().map(num).join(", ");
        let mut text = format!(
            "{title}\nfinal box:   [{b}]\nhard IoU:    {}\n",
            num(result.final_iou)
        );
        if let Some(last) = result.history.last() {
            text.push_str(&format!("loss:        {}\n", num(last.loss)));
        }
        text.push_str(&format!(
            "steps:       {}\nstatus:      {} (hard IoU {}): {}\n",
            result.steps,
            result.stop,
            num(result.final_iou),
            stop_text(result.stop)
        ));
        for w in &written {
            text.push_str(&format!("wrote {}\n", w.display()));
        }
        text
    };
    print(&text)
}
