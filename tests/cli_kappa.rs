//! End-to-end tests of `softiou kappa`: they run the built binary.

use std::process::{Command, Output};

use softiou::Smoothing;
use softiou::kappa_rule::{RuleOptions, kappa_rule};

fn softiou(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .output()
        .expect("the softiou binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

#[test]
fn json_output_is_the_librarys_rule_bit_for_bit() {
    let o = softiou(&[
        "kappa",
        "--side",
        "32",
        "--smoothing",
        "boltzmann",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let rule = kappa_rule(
        32.0,
        RuleOptions {
            smoothing: Smoothing::Boltzmann,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v["kappa"].as_f64(), Some(rule.kappa));
    assert_eq!(v["kappa_s"].as_f64(), Some(rule.kappa_s));
    assert_eq!(v["smoothing"], "boltzmann");
    assert_eq!(v["side"].as_f64(), Some(32.0));
    assert!(v["pole"].is_null());
    assert_eq!(v["reach"].as_array().unwrap().len(), rule.reach.len());
    assert_eq!(v["mixed"].as_array().unwrap().len(), rule.mixed.len());
}

#[test]
fn the_text_says_kappa_with_its_units_and_kappa_s_rounded() {
    let o = softiou(&["kappa", "--side", "32"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    let rule = kappa_rule(32.0, RuleOptions::default()).unwrap();
    let line = out.lines().find(|l| l.starts_with("kappa   =")).unwrap();
    assert!(line.contains("per coordinate unit"), "{line}");
    // four significant digits of the library's values
    assert!(
        line.contains(&format!("{:.2}", rule.kappa)),
        "{line} vs {}",
        rule.kappa
    );
    assert!(
        line.contains(&format!("{:.1}", rule.kappa_s)),
        "{line} vs {}",
        rule.kappa_s
    );
    assert!(out.contains("pole"));
    assert!(out.contains(&format!("{:.4}", rule.pole.unwrap().kappa_s)));
    assert!(text(&o.stderr).is_empty());
}

#[test]
fn each_kind_of_bad_input_gets_one_line_naming_the_flag_and_exit_status_2() {
    for (args, flag) in [
        (vec!["kappa", "--side", "0"], "--side"),
        (vec!["kappa", "--side", "-3"], "--side"),
        (vec!["kappa", "--side", "abc"], "--side"),
        (vec!["kappa", "--side", "inf"], "--side"),
        (
            vec!["kappa", "--side", "1", "--tolerance", "2"],
            "--tolerance",
        ),
        (
            vec!["kappa", "--side", "1", "--tolerance", "1e-12"],
            "--tolerance",
        ),
        (
            vec!["kappa", "--side", "1", "--smoothing", "hard"],
            "--smoothing",
        ),
        (
            vec!["kappa", "--side", "1", "--smoothing", "softmax"],
            "--smoothing",
        ),
        (
            vec!["kappa", "--side", "1", "--grad-threshold", "0"],
            "--grad-threshold",
        ),
    ] {
        let o = softiou(&args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn a_missing_side_is_a_usage_error_with_exit_status_2() {
    let o = softiou(&["kappa"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--side"));
    assert!(o.stdout.is_empty());
}

/// The README's "Choosing κ" shows the command's real output: each ```sh block with a
/// `softiou kappa` command there is followed by a ```text block equal to what it prints.
#[test]
fn the_readme_shows_the_real_output_of_softiou_kappa() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("## Choosing κ").unwrap()..];
    let section = &section[..section.find("\n## ").unwrap()];
    let mut checked = 0;
    let mut rest = section;
    while let Some(i) = rest.find("```sh\nsoftiou kappa ") {
        let cmd_start = i + "```sh\n".len();
        let cmd_end = cmd_start + rest[cmd_start..].find('\n').unwrap();
        let args: Vec<&str> = rest[cmd_start..cmd_end]
            .split_whitespace()
            .skip(1)
            .collect();
        let text_start = cmd_end + rest[cmd_end..].find("```text\n").unwrap() + "```text\n".len();
        let text_end = text_start + rest[text_start..].find("```").unwrap();
        let o = softiou(&args);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            text(&o.stdout),
            &rest[text_start..text_end],
            "README block for {args:?}"
        );
        checked += 1;
        rest = &rest[text_end..];
    }
    assert_eq!(checked, 2);
}
