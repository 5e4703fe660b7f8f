//! Figure 8's data are relative errors, the same numbers `summary.json` reports.

use super::csv;
use super::step_panels;
use crate::fdcheck::Stencil;

#[test]
fn the_csv_of_figure_8_holds_the_relative_errors_the_summary_reports() {
    let panels = step_panels().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fig8.csv");
    csv::steps(&path, &panels).unwrap();
    let mut r = ::csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (c2, dual, truth) = (
        col("rel_error_central2"),
        col("rel_error_dual"),
        col("reference_derivative"),
    );
    let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
    for p in &panels {
        let mine: Vec<&::csv::StringRecord> =
            rows.iter().filter(|r| &r[0] == p.point.name).collect();
        assert_eq!(mine.len(), p.study.rows.len());
        let t = p.study.truth.abs();
        // summary.json: dual_rel_error = dual_error / |truth|, best = optimum / |truth|
        let d: f64 = mine[0][dual].parse().unwrap();
        assert_eq!(d, p.study.dual_error / t);
        assert_eq!(mine[0][truth].parse::<f64>().unwrap(), p.study.truth);
        let best = mine
            .iter()
            .map(|r| r[c2].parse::<f64>().unwrap())
            .filter(|e| !e.is_nan())
            .fold(f64::INFINITY, f64::min);
        let (_, e) = p.study.optimum(Stencil::Central2).unwrap();
        assert_eq!(best, e / t);
        // relative: below 1 at the best step, and the absolute error times |truth| back
        assert!(best < 1e-9, "{best}");
        for (row, abs) in mine.iter().zip(&p.study.rows) {
            let rel: f64 = row[c2].parse().unwrap();
            if !rel.is_nan() {
                assert_eq!(rel, abs.central2 / t);
            }
        }
    }
}
