//! The meaningful region of a smoothed evaluation (soft IoU in [0, 1]): its definition in
//! the library, and how `eval` and `batch` tell the user when a value lies outside it.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use proptest::prelude::*;
use softiou::evaluate::evaluate;
use softiou::iou::intersection_union;
use softiou::{BBox, Loss, LossKind, Region, Smoothing, region};

fn softiou(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

const P: [f64; 4] = [0.0, 0.0, 10.0, 10.0];
const T: [f64; 4] = [2.0, 2.0, 12.0, 12.0];

fn boxes() -> (BBox<f64>, BBox<f64>) {
    (BBox::from_xyxy(P).unwrap(), BBox::from_xyxy(T).unwrap())
}

#[test]
fn logsumexp_passes_from_meaningful_through_iou_above_one_to_beyond_the_pole_as_kappa_falls() {
    // The same pair at falling κ·s: each region in turn, and never back.
    let (p, t) = boxes();
    let regions: Vec<Region> = [
        100.0, 10.0, 1.0, 0.5, 0.3, 0.25, 0.2, 0.1, 1e-3, 1e-100, 1e-170,
    ]
    .iter()
    .map(|ks| region(&p, &t, ks / 10.0, Smoothing::LogSumExp).unwrap())
    .collect();
    let first = |r| regions.iter().position(|x| *x == r).unwrap();
    assert_eq!(regions[0], Region::Meaningful);
    assert!(
        first(Region::IouAboveOne) < first(Region::UnionNotPositive),
        "{regions:?}"
    );
    assert_eq!(*regions.last().unwrap(), Region::UnionNotPositive);
    // κ·s = 0.2 is the case a user reported: loss −6.85, soft IoU 7.85, exit 0 silently
    assert_eq!(
        region(&p, &t, 0.02, Smoothing::LogSumExp).unwrap(),
        Region::IouAboveOne
    );
}

#[test]
fn hard_iou_is_always_meaningful_and_boltzmann_apart_is_a_negative_intersection() {
    let t = BBox::new(0.0, 0.0, 10.0, 10.0).unwrap();
    for x in [-30.0, -10.0, 0.0, 5.0, 10.0, 30.0] {
        let p = BBox::new(x, 3.0, x + 10.0, 13.0).unwrap();
        for k in [1e-3, 0.1, 1.0, 100.0] {
            assert_eq!(
                region(&p, &t, k, Smoothing::Hard).unwrap(),
                Region::Meaningful
            );
        }
    }
    // apart along x by 10 (one side length) at κ·s = 2: boltzmann's soft ReLU of the
    // negative overlap is negative
    let p = BBox::new(20.0, 0.0, 30.0, 10.0).unwrap();
    assert_eq!(
        region(&p, &t, 0.2, Smoothing::Boltzmann).unwrap(),
        Region::NegativeIntersection
    );
    assert_eq!(
        region(&p, &t, 0.2, Smoothing::LogSumExp).unwrap(),
        Region::Meaningful
    );
}

#[test]
fn an_invalid_kappa_is_an_error_here_too() {
    let (p, t) = boxes();
    for k in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(region(&p, &t, k, Smoothing::LogSumExp).is_err());
    }
}

proptest! {
    /// The region is exactly its definition in terms of the soft intersection I and
    /// union U, for every loss's evaluation, and agrees with the reported soft IoU.
    #[test]
    fn the_region_is_its_definition_and_matches_the_reported_iou(
        op in common::op(),
        kind in prop::sample::select(LossKind::ALL.to_vec()),
        p in common::bbox(20.0, -1.0, 1.5),
        t in common::bbox(20.0, -1.0, 1.5),
        kappa in common::kappa(-3.0, 2.0),
    ) {
        let r = region(&p, &t, kappa, op).unwrap();
        let (i, u) = intersection_union(&p, &t, kappa, op);
        let expected = if u <= 0.0 {
            Region::UnionNotPositive
        } else if i < 0.0 {
            Region::NegativeIntersection
        } else if i > u {
            Region::IouAboveOne
        } else {
            Region::Meaningful
        };
        prop_assert_eq!(r, expected);
        if let Ok(e) = evaluate(Loss::new(kind, op), &p, &t, kappa) {
            prop_assert_eq!(e.region, r);
            // The reported IoU is I/U rounded: on the side of [0, 1] that the region
            // says, up to rounding onto the boundary (a negative I of a few subnormals
            // over U rounds to 0; I a hair above U rounds to 1).
            let iou = e.iou;
            match r {
                Region::Meaningful => prop_assert!((0.0..=1.0).contains(&iou), "iou {}", iou),
                Region::NegativeIntersection => prop_assert!(iou <= 0.0, "iou {}", iou),
                Region::IouAboveOne => prop_assert!(iou >= 1.0, "iou {}", iou),
                Region::UnionNotPositive => prop_assert!(!(0.0..=1.0).contains(&iou), "iou {}", iou),
            }
            let s = t.width().min(t.height());
            prop_assert_eq!(e.kappa_s, kappa * s);
        }
    }
}

#[test]
fn eval_warns_on_stderr_with_kappa_s_and_keeps_exit_status_0() {
    let args = [
        "eval",
        "--pred",
        "0,0,10,10",
        "--target",
        "2,2,12,12",
        "--kappa",
        "0.02",
    ];
    let o = softiou(&args, "");
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        out.lines()
            .any(|l| l.starts_with("κ·s") && l.contains("0.2")),
        "{out}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("warning: soft IoU = 7.84"), "{err}");
    assert!(
        err.contains("kappa * s = 0.2") && err.contains("above 1"),
        "{err}"
    );

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let o = softiou(&json_args, "");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["warnings"], serde_json::json!(["iou_above_one"]));
    assert_eq!(v["kappa_s"].as_f64(), Some(0.02 * 10.0));

    // a meaningful evaluation prints no warning
    let o = softiou(
        &[
            "eval",
            "--pred",
            "0,0,10,10",
            "--target",
            "2,2,12,12",
            "--kappa",
            "2",
        ],
        "",
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn batch_flags_each_row_and_counts_the_flagged_rows_on_stderr() {
    let input = "px1,py1,px2,py2,tx1,ty1,tx2,ty2,kappa,smoothing\n\
                 0,0,10,10,2,2,12,12,2,logsumexp\n\
                 0,0,10,10,2,2,12,12,0.02,logsumexp\n\
                 0,0,10,10,2,2,12,12,0.001,logsumexp\n\
                 20,0,30,10,0,0,10,10,0.2,boltzmann\n\
                 20,0,30,10,0,0,10,10,0.2,hard\n";
    let o = softiou(&["batch", "--input", "-", "--output", "-"], input);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut r = csv::Reader::from_reader(&o.stdout[..]);
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (ks, reg) = (col("kappa_s"), col("region"));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let regions: Vec<&str> = rows.iter().map(|row| &row[reg]).collect();
    assert_eq!(
        regions,
        [
            "meaningful",
            "iou_above_one",
            "union_not_positive",
            "negative_intersection",
            "meaningful"
        ]
    );
    let kappa_s: Vec<f64> = rows.iter().map(|row| row[ks].parse().unwrap()).collect();
    assert_eq!(
        kappa_s,
        [
            2.0 * 10.0,
            0.02 * 10.0,
            0.001 * 10.0,
            0.2 * 10.0,
            0.2 * 10.0
        ]
    );
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("warning: 3 of 5 rows are outside the meaningful region"),
        "{err}"
    );

    // nothing flagged: nothing on stderr
    let o = softiou(
        &["batch", "--input", "-", "--output", "-"],
        "px1,py1,px2,py2,tx1,ty1,tx2,ty2,kappa\n0,0,10,10,2,2,12,12,2\n",
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
