//! Every count a user gives has an upper limit checked before any work, and no error
//! message echoes more than 80 characters of a user's value. End-to-end: these run the
//! built binary.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn softiou(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .output()
        .expect("the softiou binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A refused count: exit status 2, one `error:` line naming `flag` and the limit, quickly
/// (the seen runs went on for ever or aborted on a failed allocation; 10 s is generous for
/// a debug build on a shared machine, the refusal itself takes milliseconds).
fn assert_refused(args: &[&str], flag: &str, limit: &str) {
    let t0 = Instant::now();
    let o = softiou(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.starts_with(&format!("error: {flag}")), "{err}");
    assert!(err.contains(limit), "limit {limit} not in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(o.stdout.is_empty());
    assert!(t0.elapsed() < Duration::from_secs(10));
}

const PAIR: [&str; 4] = ["--pred", "0,0,10,10", "--target", "2,2,12,12"];

#[test]
fn sweep_points_above_the_limit_are_refused_and_leave_no_directory() {
    let limit = softiou::figures::KappaRange::MAX_POINTS;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    for points in [(limit + 1).to_string(), "1000000000".to_owned()] {
        let args = [
            &["sweep"][..],
            &PAIR,
            &["--points", &points, "--out", out.to_str().unwrap()],
        ]
        .concat();
        assert_refused(&args, "--points", &limit.to_string());
        assert!(!out.exists(), "an output directory was left behind");
    }
    let help = String::from_utf8_lossy(&softiou(&["sweep", "--help"]).stdout).into_owned();
    assert!(help.contains("at most 10000"), "{help}");
}

#[test]
fn check_cases_above_the_limit_are_refused() {
    assert_refused(&["check", "--cases", "1000001"], "--cases", "1000000");
    assert_refused(
        &["check", "--cases", "18446744073709551615"],
        "--cases",
        "1000000",
    );
    let help = String::from_utf8_lossy(&softiou(&["check", "--help"]).stdout).into_owned();
    assert!(help.contains("1 to 1000000"), "{help}");
}

#[test]
fn fit_steps_above_the_limit_are_refused_and_documented() {
    let limit = softiou::fit::FitConfig::MAX_STEPS;
    let steps = (limit + 1).to_string();
    let args = [&["fit"][..], &PAIR, &["--steps", &steps]].concat();
    assert_refused(&args, "--steps", &limit.to_string());
    let help = String::from_utf8_lossy(&softiou(&["fit", "--help"]).stdout).into_owned();
    assert!(help.contains("at most 100000"), "{help}");
}

/// A 100 kB value: a single argument may be at most 128 KiB on Linux (MAX_ARG_STRLEN), so
/// the 100 kB is the largest that reaches the program; 1 MB cells are tested
/// through batch's CSV input.
fn long(c: char) -> String {
    std::iter::repeat_n(c, 100_000).collect()
}

/// Stderr is one short line (< 300 bytes) naming `needle`, and quotes the value cut
/// to 80 characters with its length.
fn assert_short(args: &[&str], needle: &str) {
    let o = softiou(args);
    let err = stderr(&o);
    let shown: Vec<String> = args.iter().map(|a| a.chars().take(30).collect()).collect();
    assert!(!o.status.success(), "{shown:?}");
    assert!(
        err.len() < 300,
        "{shown:?}: {} bytes: {}",
        err.len(),
        &err[..300]
    );
    assert!(err.contains(needle), "{shown:?}: '{needle}' not in: {err}");
    assert!(
        err.contains("(100000 characters)") || err.contains("(100002 characters)"),
        "{err}"
    );
}

#[test]
fn a_100_kb_argument_is_quoted_in_at_most_80_characters_by_every_command() {
    let x = long('x');
    let nines = long('9');
    let boxes = format!("{x},1,2,3");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // clap's own messages: a count that does not parse, an unknown flag
        (
            vec![
                "fit", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--steps", &nines,
            ],
            "--steps",
        ),
        (vec!["check", "--cases", &x], "--cases"),
        (vec!["eval", &x], "unexpected argument"),
        // our parsers: numbers, boxes, names
        (
            vec![
                "eval", "--pred", &boxes, "--target", "0,0,1,1", "--kappa", "1",
            ],
            "--pred",
        ),
        (
            vec!["eval", "--pred", &x, "--target", "0,0,1,1", "--kappa", "1"],
            "--pred",
        ),
        (
            vec![
                "eval", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--kappa", &x,
            ],
            "--kappa",
        ),
        (
            vec![
                "eval", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--kappa", &nines,
            ],
            "--kappa",
        ),
        (
            vec![
                "eval",
                "--pred",
                "0,0,1,1",
                "--target",
                "0,0,1,1",
                "--kappa",
                "1",
                "--smoothing",
                &x,
            ],
            "--smoothing",
        ),
        (
            vec![
                "eval", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--kappa", "1", "--loss", &x,
            ],
            "--loss",
        ),
        (
            vec![
                "eval",
                "--pred",
                "0,0,1,1",
                "--target",
                "0,0,1,1",
                "--kappa",
                "1",
                "--box-format",
                &x,
            ],
            "--box-format",
        ),
        (
            vec![
                "fit",
                "--pred",
                "0,0,1,1",
                "--target",
                "0,0,1,1",
                "--optimizer",
                &x,
            ],
            "--optimizer",
        ),
        (
            vec![
                "fit", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--anneal", &x,
            ],
            "--anneal",
        ),
        (
            vec![
                "fit", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--lr", &x,
            ],
            "--lr",
        ),
        (vec!["check", "--stencil", &x], "--stencil"),
        (vec!["check", "--smoothing", &x], "--smoothing"),
        (vec!["check", "--kappa-min", &x], "--kappa-min"),
        (
            vec![
                "sweep",
                "--pred",
                "0,0,1,1",
                "--target",
                "0,0,1,1",
                "--box-format",
                &x,
            ],
            "--box-format",
        ),
        (
            vec![
                "sweep",
                "--pred",
                "0,0,1,1",
                "--target",
                "0,0,1,1",
                "--kappa-max",
                &x,
            ],
            "--kappa-max",
        ),
        // paths
        (vec!["batch", "--input", &x, "--output", "-"], "--input"),
    ];
    for (args, needle) in cases {
        assert_short(&args, needle);
    }
}

#[test]
fn a_100_kb_output_path_is_quoted_in_at_most_80_characters() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "px1,py1,px2,py2,tx1,ty1,tx2,ty2,kappa\n").unwrap();
    let x = long('x');
    let o = softiou(&["batch", "--input", input.to_str().unwrap(), "--output", &x]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.len() < 300 && err.contains("--output"),
        "{}",
        &err[..err.len().min(300)]
    );
    // and so are output directories
    for args in [
        vec!["plots", "--out", &x],
        vec![
            "sweep", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--out", &x,
        ],
        vec![
            "fit", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--steps", "1", "--out", &x,
        ],
    ] {
        assert_short(&args, "--out");
    }
}
