//! Throughput of the batch API on the peers' workload, in nanoseconds per box pair.
//!
//! ```text
//! cargo run --release --example throughput -- --pairs 1000000 [--threads T] [--repeats R] [--seed S] [--json]
//! ```
//!
//! For `boltzmann` and `logsumexp` at κ = 1 it times, over the same random pairs, on the
//! lane engine (8 pairs per vector operation, at the SIMD level detected at run time or
//! the one given with `--simd`): `primal` (loss only), `grad` (loss + gradient wrt the
//! predicted box), `grad_all` (wrt both boxes), `dkappa` (∂loss/∂κ) and `hessian` (loss +
//! gradient + Hessian); on the scalar num-dual path: `primal_scalar`, `grad_scalar` (one
//! `DualSVec` pass), `hessian_scalar` (one `Dual2SVec` pass), `grad_4x_dual` (four `Dual`
//! passes) and `fd` (central differences, 9 loss evaluations). Each figure is the median
//! of `--repeats` (≥ 5) timed runs after one warm-up run. `--json` prints one JSON object
//! instead of a table; its `simd` says which lane level ran.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use serde::Serialize;
use softiou::batch::workload::peer_pairs;
use softiou::batch::{Batch, Engine, Exec, GradMethod, Simd};
use softiou::{Loss, Smoothing};

/// Times the batch API on the peers' workload.
#[derive(Debug, Parser)]
struct Args {
    /// Number of random box pairs (≥ 1).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pairs: u64,
    /// Threads: 1 runs serially on the calling thread, more runs in a rayon pool of
    /// that size.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: u64,
    /// Timed runs per method, after one warm-up run (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(5..=1000))]
    repeats: u64,
    /// Seed of the random boxes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// The lane kernels' SIMD level: portable or avx2 (default: the widest the
    /// CPU has; a level the CPU lacks runs the widest one below it).
    #[arg(long, value_parser = ["portable", "avx2"])]
    simd: Option<String>,
    /// Only these methods (comma-separated; default: all ten).
    #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(METHODS))]
    methods: Vec<String>,
    /// Only these operators (comma-separated; default: boltzmann,logsumexp).
    #[arg(long, value_delimiter = ',', default_values_t = [Smoothing::Boltzmann, Smoothing::LogSumExp])]
    smoothing: Vec<Smoothing>,
}

#[derive(Debug, Serialize)]
struct Row {
    method: &'static str,
    smoothing: String,
    ns_per_pair: f64,
    runs_ns_per_pair: Vec<f64>,
    /// On-CPU time of the measuring thread (Linux, one thread only): less sensitive than
    /// wall time to other processes competing for the cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_ns_per_pair: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Report {
    pairs: usize,
    threads: usize,
    kappa: f64,
    seed: u64,
    repeats: usize,
    /// The SIMD level the lane methods ran at.
    simd: &'static str,
    timing: &'static str,
    results: Vec<Row>,
}

const METHODS: [&str; 10] = [
    "primal",
    "grad",
    "grad_all",
    "dkappa",
    "hessian",
    "primal_scalar",
    "grad_scalar",
    "hessian_scalar",
    "grad_4x_dual",
    "fd",
];

/// Nanoseconds this thread has spent on a CPU (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

struct Timing {
    median: f64,
    runs: Vec<f64>,
    cpu_median: Option<f64>,
}

/// Nanoseconds per pair of each timed run of `f` (after one warm-up) and their median,
/// and the median on-CPU time of the calling thread per pair.
fn time(
    n: usize,
    repeats: usize,
    mut f: impl FnMut() -> softiou::Result<()>,
) -> softiou::Result<Timing> {
    f()?;
    let mut runs = Vec::with_capacity(repeats);
    let mut cpu = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let cpu0 = thread_cpu_ns();
        let start = Instant::now();
        f()?;
        runs.push(start.elapsed().as_secs_f64() * 1e9 / n as f64);
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
            cpu.push((b - a) / n as f64);
        }
    }
    let cpu_median = (cpu.len() == repeats).then(|| median(cpu));
    Ok(Timing {
        median: median(runs.clone()),
        runs,
        cpu_median,
    })
}

fn median(mut sorted: Vec<f64>) -> f64 {
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[m]
    } else {
        0.5 * (sorted[m - 1] + sorted[m])
    }
}

fn measure(args: &Args) -> Result<Report, String> {
    let n = usize::try_from(args.pairs).map_err(|e| format!("--pairs: {e}"))?;
    let threads = usize::try_from(args.threads).map_err(|e| format!("--threads: {e}"))?;
    let repeats = usize::try_from(args.repeats).map_err(|e| format!("--repeats: {e}"))?;
    let (pred, target) = peer_pairs(n, args.seed);
    let exec = if threads == 1 {
        Exec::Serial
    } else {
        Exec::Parallel
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    let simd = match args.simd.as_deref() {
        Some("portable") => Simd::Portable,
        Some(_) => Simd::Avx2,
        None => Simd::detected(),
    }
    .clamped();
    let (mut value, mut grad) = (vec![0.0; n], vec![[0.0; 4]; n]);
    let (mut grad_t, mut dkappa) = (vec![[0.0; 4]; n], vec![0.0; n]);
    let mut hessian = vec![[[0.0; 4]; 4]; n];
    let mut results = Vec::new();
    for &op in &args.smoothing {
        let batch = Batch::new(Loss::soft_iou(op), 1.0)
            .map_err(|e| e.to_string())?
            .exec(exec)
            .engine(Engine::Lanes(simd));
        let scalar = batch.engine(Engine::Scalar);
        let wanted = |m: &&str| args.methods.is_empty() || args.methods.iter().any(|w| w == m);
        for method in METHODS.into_iter().filter(wanted) {
            let (v, g, h) = (&mut value, &mut grad, &mut hessian);
            let (gt, dk) = (&mut grad_t, &mut dkappa);
            let (p, t) = (&pred, &target);
            let run = || match method {
                "primal" => batch.loss(p, t, v),
                "grad" => batch.grad(p, t, v, g),
                "grad_all" => batch.grad_all(p, t, v, g, gt),
                "dkappa" => batch.dkappa(p, t, v, dk),
                "hessian" => batch.hessian(p, t, v, g, h),
                "primal_scalar" => scalar.loss(p, t, v),
                "grad_scalar" => scalar.grad(p, t, v, g),
                "hessian_scalar" => scalar.hessian(p, t, v, g, h),
                "grad_4x_dual" => scalar.grad_with(GradMethod::FourDuals, p, t, v, g),
                _ => scalar.grad_with(GradMethod::CentralDifference, p, t, v, g),
            };
            // One thread runs here (so this thread's CPU time is the work's); more run
            // in a pool of exactly that size.
            let timing = if threads == 1 {
                time(n, repeats, run)
            } else {
                pool.install(|| time(n, repeats, run)).map(|t| Timing {
                    cpu_median: None,
                    ..t
                })
            }
            .map_err(|e| format!("{method} {op}: {e}"))?;
            let (ns_per_pair, runs_ns_per_pair) = (timing.median, timing.runs);
            if !args.json {
                let cpu = timing.cpu_median.map(|c| format!(" (cpu {c:.1})"));
                let cpu = cpu.unwrap_or_default();
                eprintln!("{method:>14} {op:>10} {ns_per_pair:9.1} ns/pair{cpu}");
            }
            results.push(Row {
                method,
                smoothing: op.to_string(),
                ns_per_pair,
                runs_ns_per_pair,
                cpu_ns_per_pair: timing.cpu_median,
            });
        }
    }
    Ok(Report {
        pairs: n,
        threads,
        kappa: 1.0,
        seed: args.seed,
        repeats,
        simd: simd.name(),
        timing: "median wall time of `repeats` runs after 1 warm-up run, divided by `pairs`",
        results,
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    match measure(&args) {
        Ok(report) if args.json => match serde_json::to_string(&report) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(report) => {
            println!(
                "{} pairs, {} thread(s), kappa = 1, lanes at {}, ns per pair (median of {})",
                report.pairs, report.threads, report.simd, report.repeats
            );
            println!("{:>14} {:>10} {:>10}", "method", "smoothing", "ns/pair");
            for r in &report.results {
                println!(
                    "{:>14} {:>10} {:>10.1}",
                    r.method, r.smoothing, r.ns_per_pair
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_reports_every_method_for_both_operators() {
        let args = Args::parse_from(["throughput", "--pairs", "64", "--json"]);
        let report = measure(&args).unwrap();
        assert_eq!(report.results.len(), 20);
        assert_eq!(report.simd, Simd::detected().name());
        assert!(
            report
                .results
                .iter()
                .all(|r| r.ns_per_pair > 0.0 && r.runs_ns_per_pair.len() == 5)
        );
    }

    #[test]
    fn zero_pairs_and_too_few_repeats_are_rejected() {
        assert!(Args::try_parse_from(["throughput", "--pairs", "0"]).is_err());
        assert!(Args::try_parse_from(["throughput", "--pairs", "9", "--repeats", "2"]).is_err());
        assert!(Args::try_parse_from(["throughput", "--pairs", "x"]).is_err());
        assert!(
            Args::try_parse_from(["throughput", "--pairs", "9", "--methods", "gradd"]).is_err()
        );
        assert!(
            Args::try_parse_from(["throughput", "--pairs", "9", "--smoothing", "soft"]).is_err()
        );
    }
}
