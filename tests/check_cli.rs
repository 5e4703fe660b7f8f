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
