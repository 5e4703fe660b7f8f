//! End-to-end: `softiou plots` and `softiou sweep` write valid, non-blank PNGs and the
//! CSVs of the data drawn, and refuse bad flags without leaving files behind.

use std::path::Path;
use std::process::Command;

fn softiou(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Decodes a PNG and checks its size and that it is not blank: many colours, and a good
/// share of pixels that are not the white background.
fn check_png(path: &Path, size: (u32, u32)) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(img.dimensions(), size, "{}", path.display());
    let mut colours = std::collections::HashSet::new();
    let mut ink = 0usize;
    for p in img.pixels() {
        colours.insert(p.0);
        if p.0 != [255, 255, 255] {
            ink += 1;
        }
    }
    assert!(
        colours.len() > 20,
        "{}: only {} colours",
        path.display(),
        colours.len()
    );
    let share = ink as f64 / (size.0 * size.1) as f64;
    assert!(
        share > 0.02,
        "{}: only {share} of the pixels are drawn",
        path.display()
    );
}

/// Reads a CSV: header and number of data rows; every row has the header's width.
fn check_csv(path: &Path, first_column: &str) -> usize {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let width = r.headers().unwrap().len();
    assert_eq!(&r.headers().unwrap()[0], first_column, "{}", path.display());
    let mut rows = 0;
    for rec in r.records() {
        assert_eq!(rec.unwrap().len(), width, "{}", path.display());
        rows += 1;
    }
    assert!(rows > 0, "{} is empty", path.display());
    rows
}

/// Written files are readable by others (tempfile alone would leave them 0600).
#[cfg(unix)]
fn readable_by_all(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    assert_eq!(mode & 0o044, 0o044, "{}: mode {mode:o}", path.display());
}

fn no_temp_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        #[cfg(unix)]
        if let Ok(e) = &e
            && e.path().is_file()
        {
            readable_by_all(&e.path());
        }
        let name = e.unwrap().file_name();
        assert!(
            !name.to_string_lossy().starts_with(".softiou-"),
            "left behind: {name:?}"
        );
    }
}

#[test]
fn plots_writes_every_figure_and_its_csv_into_the_chosen_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new").join("plots");
    let o = softiou(&["plots", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let figures = [
        ("fig1_loss_vs_kappa", (1520, 688)),
        ("fig2_error_vs_kappa", (1520, 657)),
        ("fig3_gradient_vs_kappa", (1520, 1267)),
        ("fig4_dloss_dkappa", (1520, 657)),
        ("fig5_loss_surfaces", (1400, 1404)),
        ("fig6_gradient_fields", (1200, 1404)),
        ("fig7_curvature", (1520, 1228)),
        ("fig8_fd_step_study", (1520, 688)),
        ("fig9_article_breakdown", (1520, 836)),
    ];
    for (stem, size) in figures {
        check_png(&out.join(format!("{stem}.png")), size);
        assert!(!out.join(format!("{stem}.svg")).exists());
    }
    // 6 scenarios × 2 operators × 241 κ values
    for f in [
        "fig1_loss_vs_kappa",
        "fig2_error_vs_kappa",
        "fig3_gradient_vs_kappa",
        "fig4_dloss_dkappa",
        "fig7_curvature",
    ] {
        assert_eq!(
            check_csv(&out.join(format!("{f}.csv")), "scenario"),
            6 * 2 * 241,
            "{f}"
        );
    }
    // 6 scenarios × 2 operators × 6 κ × 4 components
    assert_eq!(
        check_csv(&out.join("fig3_central_differences.csv"), "scenario"),
        6 * 2 * 6 * 4
    );
    assert_eq!(
        check_csv(&out.join("fig5_loss_surfaces.csv"), "smoothing"),
        4 * 101 * 101
    );
    check_csv(&out.join("fig5_contours.csv"), "smoothing");
    assert_eq!(
        check_csv(&out.join("fig6_gradient_fields.csv"), "smoothing"),
        4 * 17 * 17
    );
    assert_eq!(
        check_csv(&out.join("fig9_article_breakdown.csv"), "panel"),
        2 * 97 * 97
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scenarios"].as_array().unwrap().len(), 12);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("κ·s within 1%"), "{stdout}");
    // 22 files of figures 1–9 and the summary, 7 of the fitting demo, the κ explorer,
    // the units figure and its CSV
    assert!(stdout.contains("wrote 32 files"), "{stdout}");
    assert!(out.join("explorer.html").is_file());
    check_png(&out.join("fig10_units.png"), (1520, 624));
    assert_eq!(check_csv(&out.join("fig10_units.csv"), "side"), 3 * 130);
    no_temp_files(&out);
    let fit = out.join("fit");
    for (stem, size, first_column) in [
        ("fit_iou_vs_step", (1500, 1472), "optimizer"),
        ("fit_bias", (1200, 656), "smoothing"),
        ("fit_trajectories", (1000, 1226), "start"),
    ] {
        check_png(&fit.join(format!("{stem}.png")), size);
        let rows = check_csv(&fit.join(format!("{stem}.csv")), first_column);
        assert!(rows > 10, "{stem}.csv has only {rows} rows");
    }
    let gif = image::open(fit.join("fit_anneal.gif")).unwrap();
    assert_eq!((gif.width(), gif.height()), (420, 360));
    assert_eq!(std::fs::read_dir(&fit).unwrap().count(), 7);
    no_temp_files(&fit);
}

#[test]
fn the_csv_holds_exactly_the_numbers_of_the_loss_figure() {
    let dir = tempfile::tempdir().unwrap();
    let o = softiou(&["plots", "--out", dir.path().to_str().unwrap()]);
    assert!(o.status.success());
    let mut r = csv::Reader::from_path(dir.path().join("fig1_loss_vs_kappa.csv")).unwrap();
    for rec in r.records().take(50) {
        let rec = rec.unwrap();
        let ks: f64 = rec[2].parse().unwrap();
        let kappa: f64 = rec[3].parse().unwrap();
        let loss: f64 = rec[4].parse().unwrap();
        assert_eq!(kappa, ks / 10.0);
        // the standard scenario named in the row, re-evaluated from its definition
        let sc = softiou::figures::standard_scenarios()
            .into_iter()
            .find(|s| s.name == rec[0])
            .unwrap();
        let op: softiou::Smoothing = rec[1].parse().unwrap();
        let direct = softiou::soft_iou_loss(&sc.pred, &sc.target, kappa, op).unwrap();
        // printed with round-trip precision; the row came from a dual evaluation (ulps)
        assert!((loss - direct).abs() <= 1e-12 * direct.abs().max(1.0));
    }
}

#[test]
fn svg_is_written_beside_every_png_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let o = softiou(&["plots", "--svg", "--out", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for stem in [
        "fig1_loss_vs_kappa",
        "fig5_loss_surfaces",
        "fig9_article_breakdown",
        "fit/fit_iou_vs_step",
        "fit/fit_bias",
    ] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("κ·s"), "{stem}: axis label missing");
    }
    let trajectories = dir.path().join("fit/fit_trajectories.svg");
    let svg = std::fs::read_to_string(trajectories).unwrap();
    assert!(svg.contains("Box centre paths"), "trajectory title missing");
}

#[test]
fn sweep_writes_figures_one_to_four_and_seven_for_the_users_boxes() {
    let dir = tempfile::tempdir().unwrap();
    let o = softiou(&[
        "sweep",
        "--pred",
        "0,0,4,3",
        "--target",
        "1,1,5,4",
        "--kappa-min",
        "0.1",
        "--kappa-max",
        "100",
        "--points",
        "30",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for stem in [
        "fig1_loss_vs_kappa",
        "fig2_error_vs_kappa",
        "fig4_dloss_dkappa",
        "fig7_curvature",
    ] {
        check_png(
            &dir.path().join(format!("{stem}.png")),
            if stem == "fig7_curvature" {
                (1520, 1197)
            } else {
                (1520, 657)
            },
        );
        // one scenario × 2 operators × 30 κ values
        assert_eq!(
            check_csv(&dir.path().join(format!("{stem}.csv")), "scenario"),
            2 * 30
        );
    }
    // one scenario: no "every scenario" panel
    check_png(&dir.path().join("fig3_gradient_vs_kappa.png"), (1520, 688));
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("fig5") || n.starts_with("fig9")),
        "{names:?}"
    );
    // κ·s runs from 0.1·3 to 100·3 (s = the target's shorter side, 3)
    let mut r = csv::Reader::from_path(dir.path().join("fig1_loss_vs_kappa.csv")).unwrap();
    let first = r.records().next().unwrap().unwrap();
    assert!((first[2].parse::<f64>().unwrap() - 0.3).abs() < 1e-12);
}

#[test]
fn sweep_with_one_operator_draws_one_panel_per_figure() {
    let dir = tempfile::tempdir().unwrap();
    let o = softiou(&[
        "sweep",
        "--pred",
        "0,0,10,10",
        "--target",
        "2,2,12,12",
        "--smoothing",
        "boltzmann",
        "--points",
        "10",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    check_png(&dir.path().join("fig1_loss_vs_kappa.png"), (760, 657));
    assert_eq!(
        check_csv(&dir.path().join("fig1_loss_vs_kappa.csv"), "scenario"),
        10
    );
}

#[test]
fn sweep_rejects_bad_flags_with_exit_status_2_and_writes_nothing() {
    let cases: &[(&[&str], &str)] = &[
        (&["--kappa-min", "0"], "--kappa-min"),
        (&["--kappa-min", "-1"], "--kappa-min"),
        (&["--kappa-min", "5", "--kappa-max", "1"], "--kappa-max"),
        (&["--points", "1"], "--points"),
        (&["--smoothing", "hard"], "--smoothing"),
        (&["--smoothing", "softmax"], "--smoothing"),
    ];
    for (extra, flag) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut args = vec![
            "sweep",
            "--pred",
            "0,0,1,1",
            "--target",
            "0.5,0,1.5,1",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = softiou(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(flag), "{extra:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!out.exists(), "{extra:?} created the output directory");
    }
    // an inverted box
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = softiou(&[
        "sweep",
        "--pred",
        "2,0,1,1",
        "--target",
        "0,0,1,1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--pred"));
    assert!(!out.exists());
}

#[test]
fn an_unwritable_output_directory_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let o = softiou(&["plots", "--out", file.join("sub").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: --out: cannot create the output directory"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Every PNG under `dir` (recursively).
fn pngs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(pngs(&p));
        } else if p.extension().is_some_and(|x| x == "png") {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_figure_of_the_set_is_wider_than_two_columns() {
    // ~2000 px: two columns of a paper at 300 dpi (2 × 90 mm ≈ 2126 px); wider figures
    // shrink their text below reading size (issue 13: fig3 was 2280 px)
    let dir = tempfile::tempdir().unwrap();
    let o = softiou(&["plots", "--out", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = pngs(dir.path());
    assert!(files.len() >= 10, "{files:?}");
    for f in files {
        let (w, _) = image::image_dimensions(&f).unwrap();
        assert!(w <= 2000, "{}: {w} px wide", f.display());
    }
}

#[test]
fn sweep_on_normalised_coordinates_prints_numbers_to_the_grid_resolution() {
    // issue 13: s = 0.30000000000000004 in the titles, and a threshold of 63.09573444801931
    // printed where the default grid (40 points a decade) only resolves 6 %
    let dir = tempfile::tempdir().unwrap();
    let o = softiou(&[
        "sweep",
        "--pred",
        "0.1,0.1,0.4,0.5",
        "--target",
        "0.15,0.1,0.45,0.45",
        "--svg",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("logsumexp: |soft − hard| <= 0.01 from κ·s = 63 on (κ = 210; grid step 6 %)"),
        "{text}"
    );
    assert!(
        text.contains("boltzmann: |soft − hard| <= 0.01 from κ·s = 25 on"),
        "{text}"
    );
    // a finer grid supports more figures
    let o = softiou(&[
        "sweep",
        "--pred",
        "0.1,0.1,0.4,0.5",
        "--target",
        "0.15,0.1,0.45,0.45",
        "--points",
        "10000",
        "--out",
        dir.path().join("fine").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("from κ·s = 61.6 on (κ = 205; grid step 0.1 %)"),
        "{text}"
    );
    for stem in [
        "fig1_loss_vs_kappa",
        "fig3_gradient_vs_kappa",
        "fig7_curvature",
    ] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.contains("s = 0.3, so the physical κ = (κ·s)/0.3"),
            "{stem}"
        );
        assert!(!svg.contains("0.30000000000000004"), "{stem}");
    }
}
