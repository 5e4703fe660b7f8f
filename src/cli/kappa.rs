//! `softiou kappa`: which κ for boxes of a given shorter side. Every number comes from
//! [`softiou::kappa_rule::kappa_rule`]; this file only parses flags and prints.

use clap::Args;
use softiou::Smoothing;
use softiou::kappa_rule::{DEFAULT_GRAD_THRESHOLD, FAMILY, KappaRule, RuleOptions, kappa_rule};

use super::CliError;
use super::args::{parse_name, parse_number};

const AFTER_HELP: &str = "\
Units: --side is in your coordinate units (pixels, or 1 for unit-normalised boxes) and
kappa is printed in 1 / those units; kappa * s is dimensionless and the same for every
scale, so the rule is computed once on a family of pairs and divided by your side.

The family (worst case taken): the six standard pairs of the plot set against a square
target of side s: overlapping, nested, identical, touching, disjoint in x (gap 0.3 s),
disjoint in x and y (gaps 0.3 s and 0.2 s). The error is |soft IoU loss - hard IoU loss|.

Examples:
  softiou kappa --side 32
  softiou kappa --side 0.05 --tolerance 0.001 --smoothing boltzmann --json";

/// Arguments of `softiou kappa`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct KappaArgs {
    /// The shorter side s of your boxes, in coordinate units (> 0)
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub side: String,
    /// The largest |soft - hard| IoU loss accepted, in [1e-8, 1)
    #[arg(
        long,
        value_name = "T",
        default_value = "0.01",
        allow_hyphen_values = true
    )]
    pub tolerance: String,
    /// Smooth max/min operator: boltzmann or logsumexp
    #[arg(long, value_name = "OP", default_value = "logsumexp")]
    pub smoothing: String,
    /// The pull s * dloss/dx towards the target below which a gradient counts as too
    /// weak to be useful (> 0)
    #[arg(long, value_name = "G", default_value_t = DEFAULT_GRAD_THRESHOLD.to_string(), allow_hyphen_values = true)]
    pub grad_threshold: String,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

/// Runs `softiou kappa`.
pub fn run(args: KappaArgs) -> Result<(), CliError> {
    let side = parse_number("--side", "side", &args.side)?;
    let tolerance = parse_number("--tolerance", "tolerance", &args.tolerance)?;
    let grad_threshold = parse_number("--grad-threshold", "threshold", &args.grad_threshold)?;
    let smoothing: Smoothing = parse_name("--smoothing", &args.smoothing)?;
    let options = RuleOptions {
        tolerance,
        smoothing,
        grad_threshold,
    };
    let rule = kappa_rule(side, options).map_err(|source| CliError::Value {
        flag: flag_of(&source).to_owned(),
        source,
    })?;
    let text = if args.json {
        serde_json::to_string_pretty(&rule)
            .map(|s| s + "\n")
            .map_err(|e| CliError::Failure(format!("cannot format the JSON output: {e}")))?
    } else {
        render(&rule)
    };
    super::output::print(&text)
}

/// The flag that carried the value a library error is about.
fn flag_of(e: &softiou::Error) -> &'static str {
    match e {
        softiou::Error::InvalidParameter { name, .. } => match *name {
            "side" => "--side",
            "tolerance" => "--tolerance",
            "grad_threshold" => "--grad-threshold",
            "smoothing" => "--smoothing",
            _ => "softiou kappa",
        },
        _ => "softiou kappa",
    }
}

/// Four significant digits: what the numbers support (the bisection is far finer, but
/// the family is a choice, not a law).
fn g4(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.3e}")
    }
}

fn reach_text(r: Option<f64>, unit: f64) -> String {
    match r {
        None => "none (below the threshold already when touching)".to_owned(),
        Some(g) if g.is_infinite() => "beyond 1e4 s".to_owned(),
        Some(g) => format!("{} s = {}", g4(g), g4(g * unit)),
    }
}

/// The text report.
fn render(r: &KappaRule) -> String {
    let s = r.side;
    let mut o = String::new();
    o += &format!(
        "smoothing {}, side s = {}, tolerance |soft - hard| <= {}\n",
        r.smoothing,
        g4(s),
        crate::number::num(r.tolerance)
    );
    o += &format!(
        "kappa   = {} per coordinate unit (kappa * s = {}); any larger kappa also meets the tolerance\n",
        g4(r.kappa),
        g4(r.kappa_s)
    );
    o += &format!(
        "          worst case over the {} standard pairs, decided by \"{}\"\n",
        FAMILY.len(),
        r.worst_pair
    );
    match &r.pole {
        Some(p) => {
            o += &format!(
                "pole    : the soft union crosses 0 at kappa * s = {} (\"{}\"), i.e. kappa = {}; stay well above\n",
                g4(p.kappa_s),
                p.pair,
                g4(p.kappa_s / s)
            )
        }
        None => o += "pole    : none (the boltzmann soft union stays positive)\n",
    }
    if let Some(m) = r.not_meaningful_below {
        let why = if r.pole.is_some() {
            "soft IoU above 1 or past the pole"
        } else {
            "a disjoint pair's soft intersection is slightly negative"
        };
        o += &format!(
            "region  : some standard pair has a soft IoU outside [0, 1] up to kappa * s = {} (kappa = {}; {why})\n",
            g4(m),
            g4(m / s)
        );
    }
    o += &format!(
        "reach   : gap at which the pull s * dloss/dx towards the target falls below {} (boxes side by side)\n",
        r.grad_threshold
    );
    for row in &r.reach {
        let mark = if row.kappa_s == r.kappa_s {
            "  <- the rule"
        } else {
            ""
        };
        o += &format!(
            "          kappa * s = {:>9}: gap {}{mark}\n",
            g4(row.kappa_s),
            reach_text(row.gap_over_s, s)
        );
    }
    o += "mixed sizes: one kappa for all boxes, sides from s to r * s\n";
    o += "          r   kappa for s: error on r*s, reach on r*s   kappa for r*s: error on s\n";
    for m in &r.mixed {
        let reach = match m.reach_large {
            None => "none".to_owned(),
            Some(g) if g.is_infinite() => "> 1e4".to_owned(),
            Some(g) => format!("{} (r*s)", g4(g)),
        };
        o += &format!(
            "     {:>6}   {:>10}   {:>16}   {:>19}\n",
            g4(m.ratio),
            g4(m.error_large),
            reach,
            g4(m.error_small)
        );
    }
    o += "          so: set kappa per box from kappa * s (kappa_i = kappa_s / s_i) when sizes vary;\n";
    o += "          one kappa chosen for the smallest boxes meets the tolerance on all, at the cost of reach on the large ones\n";
    o
}
