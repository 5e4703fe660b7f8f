//! The units figure's numbers: one curve against κ·s, three against κ (moved here from
//! `tests/units.rs` when the module became private to the crate).

use super::{OPERATOR, PAIR, SCALES, UnitsData};
use crate::figures::kit::Options;
use crate::{BBox, soft_iou_loss};

#[test]
fn against_kappa_s_the_three_scales_give_one_curve() {
    let d = UnitsData::compute().unwrap();
    let base: Vec<_> = d.at_side(1.0).collect();
    assert!(base.len() > 100);
    for side in [10.0, 100.0] {
        let other: Vec<_> = d.at_side(side).collect();
        assert_eq!(other.len(), base.len());
        for (a, b) in base.iter().zip(&other) {
            assert_eq!(a.kappa_s, b.kappa_s);
            assert_eq!(b.kappa, b.kappa_s / side);
            // the coordinates times 10 or 100 round in the last bit: a few ulps of loss
            assert!(
                (a.loss - b.loss).abs() <= 1e-13,
                "κ·s = {}: {} vs {}",
                a.kappa_s,
                a.loss,
                b.loss
            );
        }
    }
}

#[test]
fn against_kappa_the_three_scales_give_three_curves() {
    // at one κ the three scales are at κ·s = 1, 10 and 100: clearly different losses
    let kappa = 1.0;
    let losses: Vec<f64> = SCALES
        .iter()
        .map(|&c| {
            let p = BBox::from_xyxy(PAIR.0.map(|v| v * c)).unwrap();
            let t = BBox::from_xyxy(PAIR.1.map(|v| v * c)).unwrap();
            soft_iou_loss(&p, &t, kappa, OPERATOR).unwrap()
        })
        .collect();
    assert!((losses[0] - losses[1]).abs() > 0.05, "{losses:?}");
    assert!((losses[0] - losses[2]).abs() > 0.05, "{losses:?}");
    // and every row of the figure is the library's loss of the scaled pair at its κ
    let d = UnitsData::compute().unwrap();
    for r in &d.rows {
        let p = BBox::from_xyxy(PAIR.0.map(|v| v * r.side)).unwrap();
        let t = BBox::from_xyxy(PAIR.1.map(|v| v * r.side)).unwrap();
        assert_eq!(r.loss, soft_iou_loss(&p, &t, r.kappa, OPERATOR).unwrap());
    }
}

#[test]
fn the_figure_and_its_csv_are_written() {
    let d = UnitsData::compute().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = super::write(&d, dir.path(), Options { svg: true }).unwrap();
    assert_eq!(files.len(), 3);
    let csv = std::fs::read_to_string(dir.path().join("fig10_units.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("side,kappa,kappa_s,loss"));
    assert_eq!(csv.lines().count(), d.rows.len() + 1);
    let svg = std::fs::read_to_string(dir.path().join("fig10_units.svg")).unwrap();
    assert!(svg.contains("κ·s"));
}
