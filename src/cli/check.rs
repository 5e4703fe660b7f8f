//! `softiou check`: verify the exact derivatives against finite differences on random
//! box pairs. All numerics are in `softiou::fdcheck`; this file parses and prints.

use clap::Args;
use softiou::fdcheck::{
    CheckOptions, Stencil, SuiteOptions, Summary, WorstCase, random_cases, run_suite,
};
use softiou::{Loss, LossKind, Smoothing};

use super::CliError;
use super::args::parse_kappa;

/// Arguments of `softiou check`.
///
/// Every case is a random box pair (families: overlapping, nested, identical, touching,
/// disjoint in one axis, disjoint in both, tiny boxes, coordinates near 1e5) with κ
/// log-uniform in [--kappa-min, --kappa-max]; for every chosen loss and operator the
/// gradient wrt P and wrt T, the Hessian wrt P and ∂loss/∂κ are compared with finite
/// differences. Non-differentiable points (the `hard` operator at exact ties) are
/// reported as kinks, not failures. Exit status: 0 if every differentiable case passes,
/// 1 if one fails, 2 for bad flags. Tolerances: rtol = 1e-4, atol = 1e-9 (see
/// `softiou::fdcheck::SUITE_TOLERANCE`).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Number of random box pairs (>= 1).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub cases: u64,
    /// Seed of the random generator (the same seed gives the same cases).
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Smoothing operator to check: hard, boltzmann, logsumexp, or all.
    #[arg(long, default_value = "all", value_name = "OP")]
    pub smoothing: String,
    /// Loss to check: soft-iou, giou, diou, ciou, or all.
    #[arg(long, default_value = "all", value_name = "LOSS")]
    pub loss: String,
    /// Smallest κ, in 1/coordinate units (> 0). Box sides are 1 to 100 units (tiny
    /// boxes: 1e-3 to 1e-1), so κ·side spans about 1e-4 to 1e3 with the defaults.
    #[arg(long, default_value = "0.1", value_name = "A")]
    pub kappa_min: String,
    /// Largest κ, in 1/coordinate units (>= --kappa-min).
    #[arg(long, default_value = "10", value_name = "B")]
    pub kappa_max: String,
    /// Finite-difference stencil: central2, central4 or richardson.
    #[arg(long, default_value = "central4", value_name = "STENCIL")]
    pub stencil: String,
    /// Print the summary as one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

impl Default for CheckArgs {
    fn default() -> Self {
        CheckArgs {
            cases: 1000,
            seed: 0,
            smoothing: "all".into(),
            loss: "all".into(),
            kappa_min: "0.1".into(),
            kappa_max: "10".into(),
            stencil: "central4".into(),
            json: false,
        }
    }
}

fn value_error(flag: &str) -> impl FnOnce(softiou::Error) -> CliError + '_ {
    move |source| CliError::Value {
        flag: flag.to_owned(),
        source,
    }
}

fn losses(args: &CheckArgs) -> Result<Vec<Loss>, CliError> {
    let ops: Vec<Smoothing> = match args.smoothing.as_str() {
        "all" => Smoothing::ALL.to_vec(),
        s => vec![s.parse().map_err(value_error("--smoothing"))?],
    };
    let kinds: Vec<LossKind> = match args.loss.as_str() {
        "all" => vec![
            LossKind::SoftIou,
            LossKind::Giou,
            LossKind::Diou,
            LossKind::Ciou,
        ],
        s => vec![s.parse().map_err(value_error("--loss"))?],
    };
    Ok(kinds
        .iter()
        .flat_map(|&k| ops.iter().map(move |&op| Loss::new(k, op)))
        .collect())
}

fn describe(w: &WorstCase) -> String {
    let c = &w.component;
    format!(
        "{}, {}, {}: exact {:e}, numerical {:e} (per {} coordinate units); {} case, P = {:?}, T = {:?}, kappa = {}",
        w.loss,
        w.check,
        c.label,
        c.exact,
        c.numerical,
        w.unit,
        w.case.family,
        w.case.p,
        w.case.t,
        w.case.kappa
    )
}

/// Runs `softiou check`.
pub fn run(args: CheckArgs) -> Result<(), CliError> {
    if args.cases == 0 {
        return Err(CliError::Input("--cases: must be at least 1".into()));
    }
    let kappa_min = parse_kappa("--kappa-min", &args.kappa_min)?;
    let kappa_max = parse_kappa("--kappa-max", &args.kappa_max)?;
    if kappa_min > kappa_max {
        return Err(CliError::Input(format!(
            "--kappa-min ({kappa_min}) is larger than --kappa-max ({kappa_max}); give min <= max"
        )));
    }
    let stencil: Stencil = args.stencil.parse().map_err(value_error("--stencil"))?;
    let n = usize::try_from(args.cases)
        .map_err(|_| CliError::Input(format!("--cases: {} is too large", args.cases)))?;
    let defaults = SuiteOptions::default();
    let options = SuiteOptions {
        losses: losses(&args)?,
        check: CheckOptions {
            stencil,
            ..defaults.check
        },
    };
    let cases =
        random_cases(n, args.seed, kappa_min, kappa_max).map_err(value_error("--kappa-min"))?;
    let summary = run_suite(&cases, &options);
    if args.json {
        let text = serde_json::to_string(&summary)
            .map_err(|e| CliError::Failure(format!("cannot write the JSON summary: {e}")))?;
        println!("{text}");
    } else {
        print_text(&summary, &args, kappa_min, kappa_max, options.losses.len());
    }
    if summary.ok() {
        Ok(())
    } else {
        Err(CliError::Failure(format!(
            "{} of {} cases have a derivative that disagrees with finite differences",
            summary.failed, summary.cases
        )))
    }
}

fn print_text(s: &Summary, args: &CheckArgs, kmin: f64, kmax: f64, nloss: usize) {
    println!(
        "checked {} losses x {} cases (seed {}, kappa log-uniform in [{kmin}, {kmax}] per coordinate unit, stencil {}): gradient wrt P and T, Hessian wrt P, d/dkappa; {} derivatives",
        nloss, s.cases, args.seed, args.stencil, s.components
    );
    for w in &s.failures {
        println!("FAIL {}", describe(w));
    }
    println!(
        "{}: {} cases, {} passed, {} failed, {} with kinks ({} non-differentiable components), {} undefined; max relative error {:e}",
        if s.ok() { "PASS" } else { "FAIL" },
        s.cases,
        s.passed,
        s.failed,
        s.kinks,
        s.kink_components,
        s.undefined,
        s.max_rel_error
    );
    if let Some(w) = &s.worst {
        println!("worst: {}", describe(w));
    }
}
