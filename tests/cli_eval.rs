//! End-to-end tests of `softiou eval`: they run the built binary.

use std::process::{Command, Output};

use softiou::evaluate::{evaluate, evaluate_with_hessian};
use softiou::{BBox, Loss, LossKind, Smoothing};

fn softiou(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .output()
        .expect("the softiou binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = softiou(args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("stdout is one JSON object")
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// Asserts exit status 2, exactly one stderr line starting with `error:` and containing
/// every fragment, no panic and nothing on stdout.
fn assert_bad_input(args: &[&str], fragments: &[&str]) {
    let o = softiou(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: stderr {err}");
    assert!(o.stdout.is_empty(), "{args:?}: stdout {}", stdout(&o));
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    for f in fragments {
        assert!(err.contains(f), "{args:?}: '{f}' not in: {err}");
    }
}

const P: &str = "10,10,110,110";
const T: &str = "20,20,120,120";

#[test]
fn json_output_has_exactly_the_documented_keys_and_the_library_values_bit_for_bit() {
    let v = json(&[
        "eval", "--pred", P, "--target", T, "--kappa", "0.1", "--json",
    ]);
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "dloss_dkappa",
            "grad_pred",
            "grad_target",
            "hard_iou",
            "iou",
            "kappa_s",
            "loss",
            "warnings"
        ]
    );
    let p = BBox::new(10.0, 10.0, 110.0, 110.0).unwrap();
    let t = BBox::new(20.0, 20.0, 120.0, 120.0).unwrap();
    let e = evaluate(Loss::default(), &p, &t, 0.1).unwrap();
    // serde_json round-trips f64, so equality here is bit-for-bit.
    assert_eq!(v["loss"].as_f64(), Some(e.loss));
    assert_eq!(v["iou"].as_f64(), Some(e.iou));
    assert_eq!(v["hard_iou"].as_f64(), Some(e.hard_iou));
    assert_eq!(v["dloss_dkappa"].as_f64(), Some(e.dloss_dkappa));
    assert_eq!(v["kappa_s"].as_f64(), Some(0.1 * 100.0)); // κ times the target side, 100
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(0));
    assert_eq!(numbers(&v["grad_pred"]), e.grad_pred);
    assert_eq!(numbers(&v["grad_target"]), e.grad_target);
}

#[test]
fn hessian_flag_adds_hessian_pred_as_four_rows_of_four_library_values() {
    let args = [
        "eval",
        "--pred",
        P,
        "--target",
        T,
        "--kappa",
        "0.05",
        "--loss",
        "diou",
        "--smoothing",
        "boltzmann",
        "--json",
        "--hessian",
    ];
    let v = json(&args);
    assert_eq!(v.as_object().unwrap().len(), 9); // the eight keys of every evaluation plus hessian_pred
    let p = BBox::new(10.0, 10.0, 110.0, 110.0).unwrap();
    let t = BBox::new(20.0, 20.0, 120.0, 120.0).unwrap();
    let loss = Loss::new(LossKind::Diou, Smoothing::Boltzmann);
    let h = evaluate_with_hessian(loss, &p, &t, 0.05)
        .unwrap()
        .hessian_pred
        .unwrap();
    let rows = v["hessian_pred"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for (row, expected) in rows.iter().zip(h) {
        assert_eq!(numbers(row), expected);
    }
}

#[test]
fn the_table_shows_every_quantity_with_full_round_trip_precision() {
    let o = softiou(&["eval", "--pred", P, "--target", T, "--kappa", "0.1"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let p = BBox::new(10.0, 10.0, 110.0, 110.0).unwrap();
    let t = BBox::new(20.0, 20.0, 120.0, 120.0).unwrap();
    let e = evaluate(Loss::default(), &p, &t, 0.1).unwrap();
    for label in [
        "loss (soft-iou, logsumexp)",
        "soft IoU",
        "hard IoU",
        "∂loss/∂κ",
        "∂loss/∂pred",
        "∂loss/∂target",
    ] {
        assert!(out.contains(label), "no '{label}' in:\n{out}");
    }
    let line = |label: &str| {
        out.lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no line {label}"))
            .to_owned()
    };
    let parse = |l: String| -> Vec<f64> {
        l.split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect()
    };
    assert_eq!(parse(line("soft IoU")), [e.iou]);
    assert_eq!(parse(line("hard IoU")), [e.hard_iou]);
    assert_eq!(parse(line("∂loss/∂κ")), [e.dloss_dkappa]);
    assert_eq!(parse(line("∂loss/∂pred")), e.grad_pred);
    assert_eq!(parse(line("∂loss/∂target")), e.grad_target);
    assert!(!out.contains("∂²"), "no Hessian without --hessian");
}

#[test]
fn the_table_columns_line_up() {
    let o = softiou(&["eval", "--pred", P, "--target", T, "--kappa", "0.1"]);
    let out = stdout(&o);
    let start = |label: &str| {
        let l = out.lines().find(|l| l.starts_with(label)).unwrap();
        l.chars().count() - l[label.len()..].trim_start().chars().count()
    };
    let cols: Vec<usize> = [
        "soft IoU",
        "hard IoU",
        "∂loss/∂κ",
        "∂loss/∂pred",
        "∂loss/∂target",
    ]
    .iter()
    .map(|l| start(l))
    .collect();
    // A non-negative number has a space where the minus sign would be, so the first
    // number of every row starts in the same column or one to the right.
    let (lo, hi) = (cols.iter().min().unwrap(), cols.iter().max().unwrap());
    assert!(hi - lo <= 1, "first numbers start at {cols:?}:\n{out}");
}

#[test]
fn defaults_are_logsumexp_soft_iou_and_xyxy() {
    let base = [
        "eval", "--pred", P, "--target", T, "--kappa", "0.1", "--json",
    ];
    let explicit = [
        &base[..],
        &[
            "--smoothing",
            "logsumexp",
            "--loss",
            "soft-iou",
            "--box-format",
            "xyxy",
        ],
    ]
    .concat();
    assert_eq!(json(&base), json(&explicit));
}

#[test]
fn every_box_format_reports_derivatives_with_respect_to_xyxy_corners() {
    let xyxy = json(&[
        "eval", "--pred", P, "--target", T, "--kappa", "0.1", "--json",
    ]);
    let xywh = json(&[
        "eval",
        "--pred",
        "10,10,100,100",
        "--target",
        "20,20,100,100",
        "--kappa",
        "0.1",
        "--box-format",
        "xywh",
        "--json",
    ]);
    let cxcywh = json(&[
        "eval",
        "--pred",
        "60,60,100,100",
        "--target",
        "70,70,100,100",
        "--kappa",
        "0.1",
        "--box-format",
        "cxcywh",
        "--json",
    ]);
    // Every conversion here is exact in binary floating point, so the values are equal.
    assert_eq!(xyxy, xywh);
    assert_eq!(xyxy, cxcywh);
}

#[test]
fn negative_coordinates_are_accepted_after_a_space_or_an_equals_sign() {
    let a = json(&[
        "eval",
        "--pred",
        "-5,-5,5,5",
        "--target",
        "0,0,10,10",
        "--kappa",
        "2",
        "--json",
    ]);
    let b = json(&[
        "eval",
        "--pred=-5,-5,5,5",
        "--target=0,0,10,10",
        "--kappa=2",
        "--json",
    ]);
    assert_eq!(a, b);
}

#[test]
fn each_kind_of_bad_input_gets_one_line_naming_the_flag_and_exit_status_2() {
    let with = |pred: &str, target: &str, kappa: &str| -> Vec<String> {
        ["eval", "--pred", pred, "--target", target, "--kappa", kappa]
            .map(String::from)
            .to_vec()
    };
    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        (
            with("1,2,x,4", T, "1"),
            vec!["--pred", "'x' is not a number"],
        ),
        (
            with(P, "1,2,3", "1"),
            vec!["--target", "expected 4", "got 3"],
        ),
        (with(P, "1,2,3,4,5", "1"), vec!["--target", "got 5"]),
        (
            with(P, T, "1e-400"),
            vec!["--kappa", "'1e-400' is too small for a 64-bit float"],
        ),
        (with("NaN,0,1,1", T, "1"), vec!["--pred", "finite"]),
        (with(P, "0,0,inf,1", "1"), vec!["--target", "finite"]),
        (with("5,0,1,1", T, "1"), vec!["--pred", "inverted along x"]),
        (with(P, "0,3,1,3", "1"), vec!["--target", "along y"]),
        (with(P, T, "0"), vec!["--kappa", "kappa = 0", "> 0"]),
        (with(P, T, "-2"), vec!["--kappa", "kappa = -2"]),
        (with(P, T, "nan"), vec!["--kappa", "finite"]),
        (with(P, T, "ten"), vec!["--kappa", "'ten' is not a number"]),
        (
            with("0,0,1e154,1e154", "0,0,1e154,1e154", "1"),
            vec!["--pred/--target/--kappa", "not finite"],
        ),
        (
            with("0,0,1e200,1e200", T, "1"),
            vec!["--pred", "area", "1e200"],
        ),
    ];
    for (args, fragments) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_bad_input(&args, &fragments);
    }
    let base = ["eval", "--pred", P, "--target", T, "--kappa", "1"];
    for (flag, value, fragment) in [
        ("--smoothing", "softmax", "hard, boltzmann, logsumexp"),
        ("--loss", "iou", "soft-iou, giou, diou, ciou"),
        ("--box-format", "yxyx", "xyxy, xywh, cxcywh"),
    ] {
        let args = [&base[..], &[flag, value]].concat();
        assert_bad_input(&args, &[flag, value, fragment]);
    }
}

#[test]
fn a_missing_flag_is_a_usage_error_with_exit_status_2() {
    let o = softiou(&["eval", "--pred", P, "--kappa", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--target"));
    assert!(o.stdout.is_empty());
}

#[test]
fn help_explains_the_units_of_kappa_and_the_order_of_the_gradients() {
    let o = softiou(&["eval", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for fragment in [
        "1 / coordinate units",
        "xyxy corners",
        "--hessian",
        "--json",
        "--box-format",
        "logsumexp",
    ] {
        assert!(help.contains(fragment), "'{fragment}' not in:\n{help}");
    }
}
