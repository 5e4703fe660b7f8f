//! End-to-end tests of `softiou check`: run the binary, check its output and exit status.

use std::process::{Command, Output};

fn softiou(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .arg("check")
        .args(args)
        .output()
        .expect("the softiou binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_passes_on_random_cases_and_prints_a_summary_line() {
    let o = softiou(&["--cases", "200", "--seed", "7"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with("PASS:"))
        .expect("a summary line");
    assert!(line.contains("200 cases, 200 passed, 0 failed"), "{line}");
    assert!(line.contains("max relative error"), "{line}");
    assert!(out.contains("worst: "), "{out}");
}

#[test]
fn check_json_has_the_summary_fields_and_counts_add_up() {
    let o = softiou(&[
        "--cases",
        "64",
        "--json",
        "--loss",
        "giou",
        "--smoothing",
        "hard",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON object");
    for key in ["cases", "passed", "failed", "kinks", "max_rel_error"] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["cases"], 64);
    assert_eq!(
        v["passed"].as_u64().unwrap() + v["failed"].as_u64().unwrap(),
        64
    );
    // `hard` at the identical and touching families is not differentiable: kinks, not failures
    assert!(v["kinks"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["failed"], 0);
}

#[test]
fn check_is_reproducible_for_a_seed() {
    let a = softiou(&["--cases", "40", "--seed", "3", "--json", "--loss", "diou"]);
    let b = softiou(&["--cases", "40", "--seed", "3", "--json", "--loss", "diou"]);
    assert_eq!(stdout(&a), stdout(&b));
}

#[test]
fn bad_flags_exit_with_status_2_and_one_clear_line() {
    let cases: [(&[&str], &str); 6] = [
        (&["--kappa-min", "0"], "--kappa-min"),
        (&["--kappa-min", "5", "--kappa-max", "1"], "--kappa-min"),
        (&["--cases", "0"], "--cases"),
        (&["--smoothing", "softmax"], "--smoothing"),
        (&["--loss", "iou2"], "--loss"),
        (&["--kappa-max", "nan"], "--kappa-max"),
    ];
    for (args, flag) in cases {
        let o = softiou(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(flag), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    // an unknown flag is a usage error too (clap)
    assert_eq!(softiou(&["--nope"]).status.code(), Some(2));
}

/// Runs the binary with standard output going to `stdout`.
fn softiou_to(args: &[&str], stdout: std::process::Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .arg("check")
        .args(args)
        .stdout(stdout)
        .output()
        .expect("the softiou binary runs")
}

#[test]
fn a_closed_pipe_on_stdout_ends_check_quietly_with_status_0() {
    // The reading end is closed before the program starts: its first write gets EPIPE,
    // as with `softiou check | head -0`.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = softiou_to(&["--cases", "5"], writer.into());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn a_full_stdout_is_one_error_line_and_exit_status_1_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system: nothing to test
    };
    let o = softiou_to(&["--cases", "5"], full.into());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot write to standard output"),
        "{err}"
    );
}

#[test]
fn kappa_outside_0_to_1e12_is_rejected_naming_the_flag() {
    // At 1e300 every derivative of the smoothing is 0 and the check passed vacuously.
    for (args, flag) in [
        (
            ["--kappa-min", "1e300", "--kappa-max", "1e300"],
            "--kappa-min",
        ),
        (["--kappa-min", "1", "--kappa-max", "1e13"], "--kappa-max"),
    ] {
        let o = softiou(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(flag) && err.contains("1e12"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(o.stdout.is_empty());
    }
    // the limit itself is allowed
    let o = softiou(&["--cases", "4", "--kappa-min", "1e12", "--kappa-max", "1e12"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn counts_of_one_are_singular_and_small_kappa_prints_with_an_exponent() {
    let o = softiou(&[
        "--cases",
        "1",
        "--loss",
        "giou",
        "--smoothing",
        "logsumexp",
        "--kappa-min",
        "1e-7",
        "--kappa-max",
        "1e-7",
    ]);
    let out = stdout(&o);
    assert!(out.starts_with("checked 1 loss x 1 case "), "{out}");
    // `{}` would print 0.0000001; `{:?}` keeps the short round-trip form
    assert!(out.contains("[1e-7, 1e-7]"), "{out}");
    assert!(out.contains(": 1 case, "), "{out}");
}

#[test]
fn the_kappa_derivative_is_labelled_with_kappa_and_its_own_unit() {
    // With this seed, loss and operator the worst component is ∂loss/∂κ (the seed
    // changed from 0 when the widths became cancellation-free: last-bit changes moved the
    // worst component of seed 0 to a gradient).
    let o = softiou(&[
        "--cases",
        "3",
        "--seed",
        "4",
        "--loss",
        "soft-iou",
        "--smoothing",
        "logsumexp",
    ]);
    let out = stdout(&o);
    let worst = out.lines().find(|l| l.starts_with("worst: ")).unwrap();
    assert!(worst.contains("d/dkappa, ∂f/∂κ:"), "{worst}");
    assert!(worst.contains("/coordinate unit of kappa)"), "{worst}");
    assert!(!worst.contains("∂f/∂x"), "{worst}");
}

#[test]
fn the_smoothing_error_lists_all_among_the_accepted_values() {
    let err = stderr(&softiou(&["--smoothing", "softmax"]));
    assert!(
        err.contains("expected one of: hard, boltzmann, logsumexp, all"),
        "{err}"
    );
    let err = stderr(&softiou(&["--loss", "iou2"]));
    assert!(
        err.contains("expected one of: soft-iou, giou, diou, ciou, all"),
        "{err}"
    );
}
