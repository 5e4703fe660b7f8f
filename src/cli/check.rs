//! `softiou check`: verify the exact derivatives against finite differences on random
//! box pairs. All numerics are in `softiou::fdcheck`; this file parses and prints.

use clap::Args;
use softiou::fdcheck::{
    CheckOptions, KAPPA_CHECK, KAPPA_LIMIT, KAPPA_LIMIT_NEED, Stencil, SuiteOptions, Summary,
    WorstCase, random_cases, run_suite,
};
use softiou::{Loss, LossKind, Smoothing};

use super::CliError;
use super::args::parse_kappa;
use super::output::print;
use crate::number::{list, num};

/// The most cases of one run: the library's limit (`softiou::fdcheck::MAX_CASES`).
const MAX_CASES: u64 = softiou::fdcheck::MAX_CASES as u64;

/// Arguments of `softiou check`.
///
/// Every case is a random box pair (families: overlapping, nested, identical, touching,
/// disjoint in one axis, disjoint in both, tiny boxes, coordinates near 1e5) with κ
/// log-uniform in [--kappa-min, --kappa-max]; for every chosen loss and operator the
/// gradient wrt P and wrt T, the Hessian wrt P and ∂loss/∂κ are compared with finite
/// differences. Non-differentiable points (the `hard` operator at exact ties) are
/// reported as kinks, not failures. Exit status: 0 if every differentiable case passes,
/// 1 if one fails, 2 for bad flags. Tolerances: rtol = 1e-4, atol = 1e-9 (see
/// `softiou::fdcheck::Tolerance::SUITE`).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Number of random box pairs, 1 to 1000000 (the cases are drawn up front; the limit
    /// takes about 8 minutes in a release build).
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
    /// κ must lie in (0, 1e12].
    #[arg(long, default_value = "0.1", value_name = "A")]
    pub kappa_min: String,
    /// Largest κ, in 1/coordinate units (>= --kappa-min, <= 1e12).
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

/// `name` (one of `names`) or `all`; the error lists every accepted value, `all` included.
fn choice<T: std::str::FromStr + Copy>(
    flag: &str,
    text: &str,
    what: &str,
    names: &[&str],
    all: &[T],
) -> Result<Vec<T>, CliError> {
    if text == "all" {
        return Ok(all.to_vec());
    }
    text.parse().map(|v| vec![v]).map_err(|_| {
        CliError::Input(format!(
            "{flag}: unknown {what} {}; expected one of: {}, all",
            softiou::error::quote(text),
            names.join(", ")
        ))
    })
}

fn losses(args: &CheckArgs) -> Result<Vec<Loss>, CliError> {
    let ops = choice(
        "--smoothing",
        &args.smoothing,
        "smoothing operator",
        &Smoothing::ALL.map(Smoothing::name),
        &Smoothing::ALL,
    )?;
    let kinds = choice(
        "--loss",
        &args.loss,
        "loss",
        &LossKind::ALL.map(LossKind::name),
        &LossKind::ALL,
    )?;
    Ok(kinds
        .iter()
        .flat_map(|&k| ops.iter().map(move |&op| Loss::new(k, op)))
        .collect())
}

/// `1 loss`, `4 losses`: the count with the noun in the right number.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn describe(w: &WorstCase) -> String {
    let c = &w.component;
    // The box derivatives are per unit displacement of L coordinate units; the κ one is
    // per unit of s with κ = K·s, K in 1/coordinate units.
    let unit = if w.check == KAPPA_CHECK {
        format!("loss per {} /coordinate unit of kappa", num(w.unit))
    } else {
        format!("loss per {} coordinate units", num(w.unit))
    };
    format!(
        "{}, {}, {}: exact {}, numerical {} ({unit}); {} case, P = {}, T = {}, kappa = {}",
        w.loss,
        w.check,
        c.label,
        num(c.exact),
        num(c.numerical),
        w.case.family,
        list(&w.case.p),
        list(&w.case.t),
        num(w.case.kappa)
    )
}

/// Parses a κ bound: a finite number in (0, [`KAPPA_LIMIT`]].
fn kappa_bound(flag: &str, text: &str) -> Result<f64, CliError> {
    let k = parse_kappa(flag, text)?;
    if k > KAPPA_LIMIT {
        return Err(CliError::Input(format!(
            "{flag}: kappa = {}; {KAPPA_LIMIT_NEED}",
            num(k)
        )));
    }
    Ok(k)
}

/// Runs `softiou check`.
pub fn run(args: CheckArgs) -> Result<(), CliError> {
    if args.cases == 0 {
        return Err(CliError::Input("--cases: must be at least 1".into()));
    }
    if args.cases > MAX_CASES {
        return Err(CliError::Input(format!(
            "--cases: {} is more than the limit of {MAX_CASES}",
            args.cases
        )));
    }
    let kappa_min = kappa_bound("--kappa-min", &args.kappa_min)?;
    let kappa_max = kappa_bound("--kappa-max", &args.kappa_max)?;
    if kappa_min > kappa_max {
        return Err(CliError::Input(format!(
            "--kappa-min ({}) is larger than --kappa-max ({}); give min <= max",
            num(kappa_min),
            num(kappa_max)
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
        random_cases(n, args.seed, kappa_min, kappa_max).map_err(value_error("--kappa-max"))?;
    let summary = run_suite(&cases, &options);
    if args.json {
        let mut text = serde_json::to_string(&summary)
            .map_err(|e| CliError::Failure(format!("cannot write the JSON summary: {e}")))?;
        text.push('\n');
        print(&text)?;
    } else {
        print(&text_summary(
            &summary,
            &args,
            kappa_min,
            kappa_max,
            options.losses.len(),
        ))?;
    }
    if summary.ok() {
        Ok(())
    } else {
        Err(CliError::Failure(format!(
            "{} of {} {} a derivative that disagrees with finite differences",
            summary.failed,
            count(summary.cases, "case", "cases"),
            if summary.failed == 1 { "has" } else { "have" }
        )))
    }
}

fn text_summary(s: &Summary, args: &CheckArgs, kmin: f64, kmax: f64, nloss: usize) -> String {
    let mut out = format!(
        "checked {} x {} (seed {}, kappa log-uniform in [{}, {}] per coordinate unit, stencil {}): gradient wrt P and T, Hessian wrt P, d/dkappa; {}\n",
        count(nloss, "loss", "losses"),
        count(s.cases, "case", "cases"),
        args.seed,
        num(kmin),
        num(kmax),
        args.stencil,
        count(s.components, "derivative", "derivatives")
    );
    for w in &s.failures {
        out.push_str(&format!("FAIL {}\n", describe(w)));
    }
    out.push_str(&format!(
        "{}: {}, {} passed, {} failed, {} with kinks ({} non-differentiable {}), {} undefined; max relative error {}\n",
        if s.ok() { "PASS" } else { "FAIL" },
        count(s.cases, "case", "cases"),
        s.passed,
        s.failed,
        s.kinks,
        s.kink_components,
        if s.kink_components == 1 { "component" } else { "components" },
        s.undefined,
        num(s.max_rel_error)
    ));
    if let Some(w) = &s.worst {
        out.push_str(&format!("worst: {}\n", describe(w)));
    }
    out
}
