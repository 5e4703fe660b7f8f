//! End-to-end tests of `softiou batch`: they run the built binary on CSV files.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use softiou::evaluate::evaluate;
use softiou::{BBox, Loss, LossKind, Smoothing};

const HEADER: &str = "px1,py1,px2,py2,tx1,ty1,tx2,ty2,kappa";
const OUTPUT: [&str; 11] = [
    "loss",
    "iou",
    "g_px1",
    "g_py1",
    "g_px2",
    "g_py2",
    "g_tx1",
    "g_ty1",
    "g_tx2",
    "g_ty2",
    "dloss_dkappa",
];

fn softiou(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the softiou binary runs");
    // A run that fails before reading its input may close stdin early: ignore EPIPE.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().expect("softiou finishes")
}

/// Runs `softiou batch` on `input` written to a file in a fresh directory; returns the
/// process output, the output file's text (if any) and the directory's file names.
fn batch_files(input: &str, flags: &[&str]) -> (Output, Option<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let (i, o) = (dir.path().join("in.csv"), dir.path().join("out.csv"));
    std::fs::write(&i, input).unwrap();
    let args = [
        &[
            "batch",
            "--input",
            i.to_str().unwrap(),
            "--output",
            o.to_str().unwrap(),
        ],
        flags,
    ]
    .concat();
    let out = softiou(&args, "");
    let text = std::fs::read_to_string(&o).ok();
    (out, text, names(dir.path()))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit status 2, one `error:` line containing every fragment, no output file and no
/// temporary file left in the directory.
fn assert_bad_input(input: &str, flags: &[&str], fragments: &[&str]) {
    let (o, text, files) = batch_files(input, flags);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{input:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{input:?}: not one line: {err}");
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
    for f in fragments {
        assert!(err.contains(f), "{input:?}: '{f}' not in: {err}");
    }
    assert_eq!(text, None, "an output file was left behind");
    assert_eq!(files, ["in.csv"], "stray files");
}

fn parse(text: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    (header, r.records().map(Result::unwrap).collect())
}

fn field(header: &csv::StringRecord, row: &csv::StringRecord, name: &str) -> f64 {
    let i = header.iter().position(|h| h == name).unwrap();
    row[i].parse().unwrap()
}

/// The library's 11 output numbers for one row, in column order.
fn library(p: [f64; 4], t: [f64; 4], kappa: f64, loss: Loss) -> Vec<f64> {
    let e = evaluate(
        loss,
        &BBox::from_xyxy(p).unwrap(),
        &BBox::from_xyxy(t).unwrap(),
        kappa,
    )
    .unwrap();
    [
        &[e.loss, e.iou][..],
        &e.grad_pred,
        &e.grad_target,
        &[e.dloss_dkappa],
    ]
    .concat()
}

#[test]
fn batch_output_equals_the_library_values_bit_for_bit() {
    let mut rng = Pcg64::seed_from_u64(3);
    let ops = ["hard", "boltzmann", "logsumexp", ""];
    let mut input = format!("{HEADER},smoothing\n");
    let mut rows = Vec::new();
    for _ in 0..300 {
        let mut b = || {
            let (x, y) = (rng.random_range(-50.0..50.0), rng.random_range(-50.0..50.0));
            let (w, h) = (rng.random_range(0.1..40.0), rng.random_range(0.1..40.0));
            [x, y, x + w, y + h]
        };
        let (p, t) = (b(), b());
        // κ from 1e-2 to 1e2: very smooth to nearly hard on these box sizes.
        let kappa = 10f64.powf(rng.random_range(-2.0..2.0));
        let op = ops[rng.random_range(0..4)];
        // `{:?}` round-trips, so the binary reads exactly these numbers.
        let cells: Vec<String> = p.iter().chain(&t).map(|v| format!("{v:?}")).collect();
        input.push_str(&format!("{},{kappa:?},{op}\n", cells.join(",")));
        rows.push((p, t, kappa, op));
    }
    for (kind, default_op) in [
        (LossKind::SoftIou, Smoothing::LogSumExp),
        (LossKind::Ciou, Smoothing::Boltzmann),
    ] {
        let flags = ["--loss", kind.name(), "--smoothing", default_op.name()];
        let (o, text, _) = batch_files(&input, &flags);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let (header, records) = parse(&text.unwrap());
        let expected_header: Vec<&str> = HEADER
            .split(',')
            .chain(["smoothing"])
            .chain(OUTPUT)
            .collect();
        assert_eq!(header.iter().collect::<Vec<_>>(), expected_header);
        assert_eq!(records.len(), rows.len());
        let in_lines: Vec<&str> = input.lines().skip(1).collect();
        for ((record, (p, t, kappa, op)), line) in records.iter().zip(&rows).zip(in_lines) {
            let smoothing = if op.is_empty() {
                default_op
            } else {
                op.parse().unwrap()
            };
            let expected = library(*p, *t, *kappa, Loss::new(kind, smoothing));
            let got: Vec<f64> = OUTPUT.iter().map(|c| field(&header, record, c)).collect();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&expected), "row {line}");
            // the input columns come back unchanged
            let passed: Vec<&str> = record.iter().take(10).collect();
            assert_eq!(passed.join(","), line);
        }
    }
}

#[test]
fn columns_are_found_by_name_in_any_order_and_extra_columns_pass_through_unchanged() {
    let input = "name,kappa,tx1,ty1,tx2,ty2,px1,py1,px2,py2,note\n\
                 first,0.5,0,0,10,10,2,1,12,11,\"a, quoted note\"\n";
    let (o, text, _) = batch_files(input, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (header, records) = parse(&text.unwrap());
    let names: Vec<&str> = header.iter().take(11).collect();
    assert_eq!(names.join(","), input.lines().next().unwrap());
    assert_eq!(&records[0][0], "first");
    assert_eq!(&records[0][10], "a, quoted note");
    let expected = library(
        [2.0, 1.0, 12.0, 11.0],
        [0.0, 0.0, 10.0, 10.0],
        0.5,
        Loss::default(),
    );
    let got: Vec<f64> = OUTPUT
        .iter()
        .map(|c| field(&header, &records[0], c))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn a_dash_reads_standard_input_and_writes_standard_output() {
    let input = format!("{HEADER}\n0,0,4,4,1,1,5,5,2\n1,1,2,2,1,1,2,2,30\n");
    let o = softiou(&["batch", "--input", "-", "--output", "-"], &input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (header, records) = parse(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(records.len(), 2);
    assert_eq!(header.len(), 20);
    let loss = field(&header, &records[1], "loss");
    assert_eq!(
        loss,
        library(
            [1.0, 1.0, 2.0, 2.0],
            [1.0, 1.0, 2.0, 2.0],
            30.0,
            Loss::default()
        )[0]
    );
}

#[test]
fn a_header_without_rows_gives_a_header_without_rows() {
    let (o, text, _) = batch_files(&format!("{HEADER}\n"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(text.unwrap(), format!("{HEADER},{}\n", OUTPUT.join(",")));
}

#[test]
fn the_output_file_gets_ordinary_permissions_not_those_of_a_private_temporary_file() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.csv");
        let o = softiou(
            &["batch", "--input", "-", "--output", out.to_str().unwrap()],
            &format!("{HEADER}\n"),
        );
        assert_eq!(o.status.code(), Some(0));
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        // Group or others can read it unless the umask forbids that.
        assert_ne!(mode & 0o044, 0, "mode {mode:o}");
    }
}

#[test]
fn each_kind_of_bad_row_stops_with_exit_2_naming_line_and_column_and_leaves_no_file() {
    let h = HEADER;
    let good = "0,0,1,1,0,0,1,1,1";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("{h}\n{good}\n0,x,1,1,0,0,1,1,1\n"),
            vec!["line 3", "column 2 (py1)", "'x' is not a number"],
        ),
        (
            format!("{h}\n0,0,1,1,0,0,NaN,1,1\n"),
            vec!["line 2", "column 7 (tx2)", "finite"],
        ),
        (
            format!("{h}\n0,0,1,1,0,0,1,-inf,1\n"),
            vec!["line 2", "column 8 (ty2)", "finite"],
        ),
        (
            format!("{h}\n0,0,1,1,0,0,1,1,\n"),
            vec!["line 2", "column 9 (kappa)", "not a number"],
        ),
        (
            format!("{h}\n{good}\n{good}\n3,0,1,1,0,0,1,1,1\n"),
            vec!["line 4", "columns 1 and 3 (px1, px2)", "inverted along x"],
        ),
        (
            format!("{h}\n0,0,1,1,0,5,1,5,1\n"),
            vec!["line 2", "columns 6 and 8 (ty1, ty2)", "along y"],
        ),
        (
            format!("{h}\n0,0,1,1,0,0,1,1,0\n"),
            vec!["line 2", "column 9 (kappa)", "kappa = 0", "> 0"],
        ),
        (
            format!("{h}\n0,0,1,1,0,0,1,1,-3\n"),
            vec!["line 2", "column 9 (kappa)", "kappa = -3"],
        ),
        (
            format!("{h}\n0,0,1,1,0,0,1,1,inf\n"),
            vec!["line 2", "column 9 (kappa)", "finite"],
        ),
        (
            format!("{h},smoothing\n{good},softmax\n"),
            vec![
                "line 2",
                "column 10 (smoothing)",
                "'softmax'",
                "hard, boltzmann, logsumexp",
            ],
        ),
        (
            format!("{h}\n{good}\n0,0,1,1,0,0,1,1\n"),
            vec!["line 3", "8 fields", "header has 9"],
        ),
        (
            "px1,py1,px2,py2,tx1,ty1,tx2,kappa\n0,0,1,1,0,0,1,1\n".into(),
            vec!["line 1", "no column 'ty2'"],
        ),
        (
            format!("{h},px1\n{good},0\n"),
            vec!["line 1", "'px1' appears twice", "columns 1 and 10"],
        ),
        (
            format!("{h},loss\n{good},0\n"),
            vec!["line 1", "column 10", "'loss'", "output column"],
        ),
        (String::new(), vec!["input is empty", "header"]),
        (
            format!("{h}\n0,0,1e154,1e154,0,0,1e154,1e154,1\n"),
            vec!["line 2", "not finite"],
        ),
        (
            format!("{h}\n0,0,1e200,1e200,0,0,1,1,1\n"),
            vec!["line 2", "px1, px2", "area"],
        ),
    ];
    for (input, fragments) in cases {
        assert_bad_input(&input, &[], &fragments);
    }
    // and the in.csv name is in every row message
    assert_bad_input(
        &format!("{h}\n0,0,1,1,0,0,1,1,0\n"),
        &[],
        &["in.csv line 2"],
    );
}

#[test]
fn an_unknown_flag_value_is_bad_usage_with_exit_2() {
    let input = format!("{HEADER}\n0,0,1,1,0,0,1,1,1\n");
    assert_bad_input(&input, &["--loss", "iou"], &["--loss", "'iou'"]);
    assert_bad_input(&input, &["--smoothing", "max"], &["--smoothing", "'max'"]);
}

#[test]
fn a_missing_input_file_is_bad_usage_with_exit_2_naming_the_flag_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.csv");
    let out = dir.path().join("out.csv");
    let o = softiou(
        &[
            "batch",
            "--input",
            missing.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        "",
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.contains("--input") && err.contains("missing.csv"),
        "{err}"
    );
    assert!(names(dir.path()).is_empty());
}

#[test]
fn an_output_path_that_cannot_be_written_fails_with_exit_1_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!("{HEADER}\n0,0,1,1,0,0,1,1,1\n");
    let no_dir = dir.path().join("no/such/dir/out.csv");
    for target in [no_dir.to_str().unwrap(), dir.path().to_str().unwrap()] {
        let o = softiou(&["batch", "--input", "-", "--output", target], &input);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--output") && err.contains(target), "{err}");
        assert!(
            !err.contains(".softiou-batch-"),
            "names the temporary file: {err}"
        );
    }
    assert!(names(dir.path()).is_empty());
}

#[test]
fn a_bad_row_leaves_an_existing_output_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "previous results\n").unwrap();
    let input = format!("{HEADER}\n0,0,1,1,0,0,1,1,1\n0,0,1,1,0,0,1,1,0\n");
    let o = softiou(
        &["batch", "--input", "-", "--output", out.to_str().unwrap()],
        &input,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous results\n");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn help_explains_the_units_the_columns_and_what_a_bad_row_does() {
    let o = softiou(&["batch", "--help"], "");
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8(o.stdout).unwrap();
    for fragment in [
        "1 / coordinate units",
        "px1,py1,px2,py2",
        "smoothing",
        "dloss_dkappa",
        "exit status",
        "--output -",
    ] {
        assert!(help.contains(fragment), "'{fragment}' not in:\n{help}");
    }
}
