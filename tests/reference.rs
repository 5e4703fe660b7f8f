//! Agreement with the independent high-precision reference (`tests/data/soft_iou_reference.csv`,
//! computed in arbitrary precision from the definitions in docs/design.md; see
//! tests/data/README.md).

use softiou::{BBox, Loss, Smoothing, diff};

struct Row {
    line: usize,
    p: [f64; 4],
    t: [f64; 4],
    kappa: f64,
    op: Smoothing,
    loss: f64,
    iou: f64,
    grad: [f64; 8],
    dkappa: f64,
}

fn rows(text: &str) -> Vec<Row> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 21, "reference header changed");
    lines
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |k: usize| f[k].parse::<f64>().unwrap();
            Row {
                line: i + 2,
                p: [n(0), n(1), n(2), n(3)],
                t: [n(4), n(5), n(6), n(7)],
                kappa: n(8),
                op: f[9].parse().unwrap(),
                loss: n(10),
                iou: n(11),
                grad: std::array::from_fn(|k| n(12 + k)),
                dkappa: n(20),
            }
        })
        .collect()
}

/// Loss and soft IoU errors relative to max(1, |value|) within 1e-14, gradient error
/// relative to max(largest |component|, 1/shortest side) within 1e-12, ∂/∂κ relative to
/// max(|∂/∂κ|, 1/κ) within 1e-12 — the scale-aware comparison of `tests/data/README.md`.
///
/// Why these sizes: every width and height is formed as (difference of two input
/// coordinates) + (smoothing corrections), so no intermediate is rounded at the
/// magnitude of the coordinates; what is left is a few dozen roundings of quantities of
/// the size of the result (1e-14 is ~45 ulps of 1). The derivatives pass through
/// quotients whose terms can be ~100× their result near a pole of the union, hence a
/// hundred times more room for them. Before the cancellation-free form, sides of 1e-3 at
/// coordinates of 1e6 lost nine digits and these rows needed 1e-10 and 1e-8.
#[test]
fn matches_high_precision_reference() {
    let rows = rows(include_str!("data/soft_iou_reference.csv"));
    assert_eq!(rows.len(), 300);
    check("soft_iou_reference.csv", &rows);
}

/// The extreme-scale rows: boxes offset from the origin by up to 1e8 side lengths and
/// sides down to 1e-6, κ·s from 1e-150 to 1e4, at the same tolerances. Before the soft
/// sides were formed without cancellation these lost up to 8 digits.
#[test]
fn matches_high_precision_reference_on_huge_offsets_and_tiny_boxes() {
    let rows = rows(include_str!("data/soft_iou_reference_extreme.csv"));
    assert!(rows.len() >= 120);
    check("soft_iou_reference_extreme.csv", &rows);
}

fn check(file: &str, rows: &[Row]) {
    let mut worst = (0.0f64, 0.0f64, 0.0f64);
    for r in rows {
        let p = BBox::from_xyxy(r.p).unwrap();
        let t = BBox::from_xyxy(r.t).unwrap();
        let loss = Loss::soft_iou(r.op);
        let g = diff::grad_all(loss, &p, &t, r.kappa).unwrap();
        let iou = softiou::soft_iou(&p, &t, r.kappa, r.op).unwrap();
        let dk = diff::dloss_dkappa(loss, &p, &t, r.kappa).unwrap();
        let side = r.p[2] - r.p[0];
        let side = side
            .min(r.p[3] - r.p[1])
            .min(r.t[2] - r.t[0])
            .min(r.t[3] - r.t[1]);

        let e_loss = (g.value - r.loss).abs() / r.loss.abs().max(1.0);
        let e_iou = (iou - r.iou).abs() / r.iou.abs().max(1.0);
        let ours: Vec<f64> = g
            .grad_pred
            .iter()
            .chain(g.grad_target.iter())
            .copied()
            .collect();
        let gmax = r.grad.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let e_grad = ours
            .iter()
            .zip(&r.grad)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
            / gmax.max(1.0 / side);
        let e_dk =
            (dk.dloss_dkappa - r.dkappa).abs() / r.dkappa.abs().max(1.0 / r.kappa).max(1e-300);
        worst = (
            worst.0.max(e_loss.max(e_iou)),
            worst.1.max(e_grad),
            worst.2.max(e_dk),
        );
        assert!(
            e_loss <= 1e-14 && e_iou <= 1e-14 && e_grad <= 1e-12 && e_dk <= 1e-12,
            "{file} line {}: {:?} kappa {}: loss err {e_loss:e}, iou err {e_iou:e}, grad err {e_grad:e}, dkappa err {e_dk:e}\n ours {ours:?}\n ref  {:?}\n dk ours {} ref {}",
            r.line,
            r.op,
            r.kappa,
            r.grad,
            dk.dloss_dkappa,
            r.dkappa
        );
    }
    eprintln!(
        "{file}: worst errors: loss {:e}, grad {:e}, dloss/dkappa {:e}",
        worst.0, worst.1, worst.2
    );
}
