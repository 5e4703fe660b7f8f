//! The reference data files themselves: well-formed, and covering what
//! `tests/data/README.md` says they cover (so a regeneration that loses a family fails).

const COLUMNS: &str = "px1,py1,px2,py2,tx1,ty1,tx2,ty2,kappa,smoothing,loss,iou,\
g_px1,g_py1,g_px2,g_py2,g_tx1,g_ty1,g_tx2,g_ty2,dloss_dkappa";

struct Row {
    p: [f64; 4],
    t: [f64; 4],
    kappa: f64,
    op: String,
    outputs: Vec<f64>,
}

fn parse(text: &str) -> Vec<Row> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(COLUMNS), "reference header changed");
    lines
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 21, "data line {}: {} fields", i + 1, f.len());
            let n = |k: usize| -> f64 {
                f[k].parse()
                    .unwrap_or_else(|e| panic!("line {}, field {k}: {e}", i + 2))
            };
            Row {
                p: [n(0), n(1), n(2), n(3)],
                t: [n(4), n(5), n(6), n(7)],
                kappa: n(8),
                op: f[9].to_string(),
                outputs: (10..21).map(n).collect(),
            }
        })
        .collect()
}

fn shorter_side(b: &[f64; 4]) -> f64 {
    (b[2] - b[0]).min(b[3] - b[1])
}

fn check_common(rows: &[Row]) {
    for (i, r) in rows.iter().enumerate() {
        assert!(
            r.p[0] < r.p[2] && r.p[1] < r.p[3],
            "row {i}: invalid predicted box"
        );
        assert!(
            r.t[0] < r.t[2] && r.t[1] < r.t[3],
            "row {i}: invalid target box"
        );
        assert!(
            r.kappa > 0.0 && r.kappa.is_finite(),
            "row {i}: kappa {}",
            r.kappa
        );
        assert!(
            r.op == "boltzmann" || r.op == "logsumexp",
            "row {i}: {}",
            r.op
        );
        assert!(
            r.outputs.iter().all(|v| v.is_finite()),
            "row {i}: non-finite output"
        );
        // loss = 1 − iou exactly; each was rounded once (half an ulp each) and the f64
        // subtraction adds half an ulp of |1 − iou| ≤ 1 + |iou|: 3 eps·max(1, |iou|) covers it
        let (loss, iou) = (r.outputs[0], r.outputs[1]);
        assert!(
            (loss - (1.0 - iou)).abs() <= 3.0 * f64::EPSILON * iou.abs().max(1.0),
            "row {i}: loss {loss} and iou {iou} disagree"
        );
    }
}

#[test]
fn the_main_reference_file_has_its_300_rows_alternating_operators_every_ten() {
    let rows = parse(include_str!("data/soft_iou_reference.csv"));
    assert_eq!(rows.len(), 300);
    check_common(&rows);
    for (i, r) in rows.iter().enumerate() {
        let want = if (i / 10) % 2 == 0 {
            "boltzmann"
        } else {
            "logsumexp"
        };
        assert_eq!(r.op, want, "row {i}");
    }
}

#[test]
fn the_extreme_reference_file_covers_far_offsets_tiny_sides_and_the_kappa_range() {
    let rows = parse(include_str!("data/soft_iou_reference_extreme.csv"));
    assert!(rows.len() >= 120, "{} rows", rows.len());
    check_common(&rows);
    let offset_in_sides = |r: &Row| {
        let reach = r.p.iter().chain(&r.t).fold(0.0f64, |m, c| m.max(c.abs()));
        reach / shorter_side(&r.p).min(shorter_side(&r.t))
    };
    let kappa_s = |r: &Row| r.kappa * shorter_side(&r.t);
    for op in ["boltzmann", "logsumexp"] {
        let of_op: Vec<&Row> = rows.iter().filter(|r| r.op == op).collect();
        assert!(of_op.len() >= 60, "{op}: {} rows", of_op.len());
        // coordinates 1e8 side lengths from the origin (1e9 with side-1e-6 boxes near 1e3)
        assert!(
            of_op.iter().any(|r| offset_in_sides(r) >= 1e8),
            "{op}: no far boxes"
        );
        // sides down to 1e-6
        assert!(
            of_op.iter().any(|r| shorter_side(&r.t) <= 2e-6),
            "{op}: no tiny boxes"
        );
        // κ·s over [0.1, 1e4] (the grid ends themselves occur, up to rounding of κ)
        let ks: Vec<f64> = of_op.iter().map(|r| kappa_s(r)).collect();
        assert!(
            ks.iter().any(|&k| (k - 1e4).abs() <= 1e-9 * 1e4),
            "{op}: κ·s = 1e4 missing"
        );
        assert!(
            ks.iter().any(|&k| k <= 0.1 * (1.0 + 1e-9)),
            "{op}: κ·s ≤ 0.1 missing"
        );
        // identical pairs, and touching pairs (P's left edge is T's right edge exactly)
        assert!(of_op.iter().any(|r| r.p == r.t), "{op}: no identical pair");
        assert!(
            of_op.iter().any(|r| r.p[0] == r.t[2]),
            "{op}: no touching pair"
        );
    }
    // tiny κ for logsumexp, down to κ·s = 1e-150
    assert!(
        rows.iter()
            .any(|r| r.op == "logsumexp" && kappa_s(r) <= 1e-150 * (1.0 + 1e-9))
    );
}
