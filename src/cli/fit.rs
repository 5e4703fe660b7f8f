//! `softiou fit`: fit a predicted box to a target by gradient descent, Adam or Newton.

use std::path::PathBuf;

use clap::Args;
use softiou::fit::{FitConfig, FitResult, KappaSchedule, Optimizer, fit};
use softiou::{BBox, BoxFormat, Loss, LossKind, Smoothing, plot_fit};

use super::CliError;
use super::args::{parse_box, parse_kappa, parse_number};

/// Arguments of `softiou fit`.
#[derive(Debug, Args, Default)]
pub struct FitArgs {
    /// The start box, "X_MIN,Y_MIN,X_MAX,Y_MAX".
    #[arg(long, allow_hyphen_values = true)]
    pub pred: String,
    /// The target box, "X_MIN,Y_MIN,X_MAX,Y_MAX".
    #[arg(long, allow_hyphen_values = true)]
    pub target: String,
    /// Smoothing operator: hard, boltzmann or logsumexp.
    #[arg(long, default_value = "logsumexp")]
    pub smoothing: Smoothing,
    /// Loss: soft-iou, giou, diou or ciou.
    #[arg(long, default_value = "soft-iou")]
    pub loss: LossKind,
    /// Fixed κ (1/coordinate units).
    #[arg(long, conflicts_with = "anneal", allow_hyphen_values = true)]
    pub kappa: Option<String>,
    /// κ raised geometrically from KMIN to KMAX over the first half of the steps
    /// [default: 1/s..500/s, s = the target's shorter side].
    #[arg(long, value_name = "KMIN..KMAX", allow_hyphen_values = true)]
    pub anneal: Option<String>,
    /// Largest number of updates [default: 2000].
    #[arg(long)]
    pub steps: Option<usize>,
    /// Learning rate in parameter units [default: gd 0.3, adam 0.05, newton 0.25 (trust
    /// radius)].
    #[arg(long, allow_hyphen_values = true)]
    pub lr: Option<String>,
    /// Optimiser: gd, adam or newton (damped, exact Hessian).
    #[arg(long, default_value = "newton")]
    pub optimizer: Optimizer,
    /// Write fit_run.png, fit_run.csv and fit_run.gif into this folder (created if needed).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of text.
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
            "--anneal: expected KMIN..KMAX (for example 0.1..50), got '{text}'"
        )));
    };
    let (min, max) = (parse_kappa("--anneal", lo)?, parse_kappa("--anneal", hi)?);
    if min > max {
        return Err(CliError::Input(format!(
            "--anneal: KMIN = {min} is larger than KMAX = {max}; anneal raises kappa, give KMIN <= KMAX"
        )));
    }
    Ok(KappaSchedule::Anneal { min, max })
}

fn config(args: &FitArgs, t: &BBox<f64>) -> Result<FitConfig, CliError> {
    let loss = Loss::new(args.loss, args.smoothing);
    let mut cfg = FitConfig::new(loss, schedule(args, t)?, args.optimizer);
    if let Some(steps) = args.steps {
        cfg.steps = steps;
    }
    if let Some(lr) = &args.lr {
        let v = parse_number("--lr", "learning rate", lr)?;
        if v <= 0.0 {
            return Err(CliError::Input(format!(
                "--lr: learning rate is {lr}; it must be > 0"
            )));
        }
        cfg.lr = v;
    }
    Ok(cfg)
}

fn json(run: &FitResult, cfg: &FitConfig) -> serde_json::Value {
    serde_json::json!({
        "final_box": run.final_box.to_xyxy(),
        "final_iou": run.final_iou,
        "final_loss": run.history.last().map(|s| s.loss),
        "steps": run.steps,
        "converged": run.converged,
        "stop": run.stop,
        "loss": cfg.loss.kind.name(),
        "smoothing": cfg.loss.smoothing.name(),
        "optimizer": cfg.optimizer.name(),
        "schedule": cfg.schedule.to_string(),
        "learning_rate": cfg.lr,
        "history": run.history,
    })
}

/// Runs `softiou fit`.
pub fn run(args: FitArgs) -> Result<(), CliError> {
    let p = parse_box("--pred", &args.pred, BoxFormat::Xyxy)?;
    let t = parse_box("--target", &args.target, BoxFormat::Xyxy)?;
    let cfg = config(&args, &t)?;
    let result = fit(&p, &t, &cfg).map_err(|e| match e {
        softiou::Error::InvalidFitSetting { .. } | softiou::Error::InvalidKappa(_) => {
            CliError::Input(e.to_string())
        }
        e => CliError::Failure(e.to_string()),
    })?;
    let title = format!(
        "{} ({}), {}, {}",
        cfg.loss.kind, cfg.loss.smoothing, cfg.schedule, cfg.optimizer
    );
    let mut written = Vec::new();
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Io {
            path: dir.clone(),
            source,
        })?;
        written = plot_fit::write_run_figures(dir, &result, &t, &title)
            .map_err(|e| CliError::Failure(e.to_string()))?;
    }
    if args.json {
        println!("{}", json(&result, &cfg));
    } else {
        println!("{title}");
        println!("final box:   {}", result.final_box);
        println!("hard IoU:    {}", result.final_iou);
        if let Some(last) = result.history.last() {
            println!("loss:        {}", last.loss);
        }
        println!(
            "steps:       {} ({})",
            result.steps,
            match result.stop {
                softiou::fit::StopReason::Converged => "converged: gradient below tolerance",
                softiou::fit::StopReason::Stuck =>
                    "stuck: the gradient is (numerically) zero at the start; the box cannot move",
                softiou::fit::StopReason::NoDescent => "no descent direction found",
                softiou::fit::StopReason::MaxSteps => "step limit reached, not converged",
            }
        );
        for w in written {
            println!("wrote {}", w.display());
        }
    }
    Ok(())
}
