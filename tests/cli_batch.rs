//! End-to-end tests of `softiou batch`: they run the built binary on CSV files.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use softiou::evaluate::evaluate;
use softiou::{BBox, Loss, LossKind, Smoothing};

const HEADER: &str = "px1,py1,px2,py2,tx1,ty1,tx2,ty2,kappa";
/// The numeric output columns (after them comes `region`, a code).
const OUTPUT: [&str; 13] = [
    "loss",
    "iou",
    "hard_iou",
    "g_px1",
    "g_py1",
    "g_px2",
    "g_py2",
    "g_tx1",
    "g_ty1",
    "g_tx2",
    "g_ty2",
    "dloss_dkappa",
    "kappa_s",
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

/// The library's 13 output numbers for one row, in column order.
fn library(p: [f64; 4], t: [f64; 4], kappa: f64, loss: Loss) -> Vec<f64> {
    let e = evaluate(
        loss,
        &BBox::from_xyxy(p).unwrap(),
        &BBox::from_xyxy(t).unwrap(),
        kappa,
    )
    .unwrap();
    [
        &[e.loss, e.iou, e.hard_iou][..],
        &e.grad_pred,
        &e.grad_target,
        &[e.dloss_dkappa, e.kappa_s],
    ]
    .concat()
}

/// Asserts that the 13 numbers `got` of a row equal the library's `want` (from
/// [`library`]) as the lane engine promises. `softiou batch` computes the loss and the
/// derivatives on the lane engine, whose `exp`/`ln_1p` are within 1 ulp of libm and whose
/// duals round products in another order than num-dual, so those differ from `evaluate`
/// by a few ulps, amplified by the loss's quotients: the loss within 1e-14 of
/// max(1, |loss|), the gradients within 1e-12 of max(largest |component|, 1/shortest
/// side), ∂loss/∂κ within 1e-12 of max(|∂loss/∂κ|, 1/κ) (the sizes of
/// tests/batch_lanes.rs and tests/reference.rs). Rows outside the meaningful region (a
/// quotient near its pole) get 100 times the room, as in tests/batch_lanes.rs. The IoU,
/// the hard IoU and κ·s are computed on the scalar path: bit for bit.
fn assert_close(got: &[f64], want: &[f64], (p, t): ([f64; 4], [f64; 4]), kappa: f64, loss: Loss) {
    let (pb, tb) = (BBox::from_xyxy(p).unwrap(), BBox::from_xyxy(t).unwrap());
    let meaningful = softiou::region(&pb, &tb, kappa, loss.smoothing)
        .unwrap()
        .is_meaningful();
    let room = if meaningful { 1.0 } else { 100.0 };
    let side = |b: &[f64; 4]| (b[2] - b[0]).min(b[3] - b[1]);
    let s = side(&p).min(side(&t));
    let what = format!("{p:?} {t:?} kappa {kappa} {loss:?}: got {got:?}, want {want:?}");
    assert!(
        (got[0] - want[0]).abs() <= room * 1e-14 * want[0].abs().max(1.0),
        "loss: {what}"
    );
    for i in [1, 2, 12] {
        assert_eq!(got[i].to_bits(), want[i].to_bits(), "column {i}: {what}");
    }
    let grads = &want[3..11];
    let scale = grads.iter().fold(1.0 / s, |m: f64, g| m.max(g.abs()));
    for i in 3..11 {
        assert!(
            (got[i] - want[i]).abs() <= room * 1e-12 * scale,
            "gradient {i}: {what}"
        );
    }
    let dk_scale = want[11].abs().max(1.0 / kappa);
    assert!(
        (got[11] - want[11]).abs() <= room * 1e-12 * dk_scale,
        "dloss/dkappa: {what}"
    );
}

#[test]
fn batch_output_equals_the_library_values_within_the_lane_tolerances() {
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
            .chain(["region"])
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
            let loss = Loss::new(kind, smoothing);
            let expected = library(*p, *t, *kappa, loss);
            let got: Vec<f64> = OUTPUT.iter().map(|c| field(&header, record, c)).collect();
            assert_close(&got, &expected, (*p, *t), *kappa, loss);
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
    assert_eq!(header.len(), 9 + OUTPUT.len() + 1);
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
    assert_eq!(
        text.unwrap(),
        format!("{HEADER},{},region\n", OUTPUT.join(","))
    );
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

const GOOD_ROW: &str = "0,0,1,1,.5,0,1.5,1,2";

/// Runs `softiou batch --input <file> --output <output>`; returns the process output.
fn batch_to(input: &Path, output: &Path) -> Output {
    softiou(
        &[
            "batch",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
        "",
    )
}

#[test]
fn output_through_a_symlink_replaces_the_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let (input, real, link) = (
        dir.path().join("in.csv"),
        dir.path().join("real.csv"),
        dir.path().join("link.csv"),
    );
    std::fs::write(&input, format!("{HEADER}\n{GOOD_ROW}\n")).unwrap();
    std::fs::write(&real, "old\n").unwrap();
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    let o = batch_to(&input, &link);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.starts_with(HEADER) && text.lines().count() == 2,
        "{text}"
    );
    assert_eq!(names(dir.path()), ["in.csv", "link.csv", "real.csv"]);
}

#[test]
fn output_to_a_fifo_is_written_in_place_and_stays_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let (input, fifo) = (dir.path().join("in.csv"), dir.path().join("fifo"));
    std::fs::write(&input, format!("{HEADER}\n{GOOD_ROW}\n")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        // Opening a FIFO for reading blocks until the writer opens it.
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = batch_to(&input, &fifo);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = reader.join().unwrap();
    assert!(
        text.starts_with(HEADER) && text.lines().count() == 2,
        "{text}"
    );
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
    assert_eq!(names(dir.path()), ["fifo", "in.csv"]);
}

#[test]
fn output_to_dev_null_writes_to_the_device_and_leaves_it_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, format!("{HEADER}\n{GOOD_ROW}\n")).unwrap();
    let o = batch_to(&input, Path::new("/dev/null"));
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device());
}

#[test]
fn line_numbers_count_blank_lines_and_crlf_line_ends() {
    let bad = "0,0,1,1,.5,0,1.5,1,x";
    // LF: header 1, row 2, blank lines 3-7, the bad row on line 8
    let lf = format!("{HEADER}\n{GOOD_ROW}\n\n\n\n\n\n{bad}\n");
    assert_bad_input(&lf, &[], &["in.csv line 8, column 9 (kappa)"]);
    // CRLF: header 1, row 2, blank lines 3-5, the bad row on line 6
    let crlf = format!("{HEADER}\r\n{GOOD_ROW}\r\n\r\n\r\n\r\n{bad}\r\n");
    assert_bad_input(&crlf, &[], &["in.csv line 6, column 9 (kappa)"]);
    // a quoted field with a line break inside: the next record starts on line 4
    let quoted = format!("{HEADER},note\n{GOOD_ROW},\"two\nlines\"\n{bad},x\n");
    assert_bad_input(&quoted, &[], &["in.csv line 4, column 9 (kappa)"]);
    // and the wrong-number-of-fields error
    let short = format!("{HEADER}\n{GOOD_ROW}\n\n\n0,0,1,1\n");
    assert_bad_input(&short, &[], &["in.csv line 5:", "4 fields"]);
}

#[test]
fn an_unterminated_quote_is_named_as_such() {
    for input in [
        format!("{HEADER}\n\"{GOOD_ROW}\n"),
        format!("{HEADER}\n{GOOD_ROW}\n\n\"{GOOD_ROW}\n"),
    ] {
        let line = if input.contains("\n\n") {
            "line 4"
        } else {
            "line 2"
        };
        assert_bad_input(&input, &[], &[line, "never closed"]);
    }
}

#[test]
fn a_directory_as_input_is_bad_usage_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let o = softiou(
        &[
            "batch",
            "--input",
            dir.path().to_str().unwrap(),
            "--output",
            "-",
        ],
        "",
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: --input: ") && err.contains("directory"),
        "{err}"
    );
}

#[test]
fn a_closed_stdout_pipe_ends_batch_quietly_with_status_0() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(["batch", "--input", "-", "--output", "-"])
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{HEADER}\n{GOOD_ROW}\n").as_bytes());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

/// `softiou batch` on `input` (in a file) with `--output -`; stdout and stderr are read
/// while it runs, so megabytes of output cannot fill the pipe and block it.
fn batch_stdout(input: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, input).unwrap();
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(["batch", "--input", path.to_str().unwrap(), "--output", "-"])
        .output()
        .unwrap()
}

#[test]
fn many_chunks_with_mixed_operators_equal_the_library_in_input_order() {
    // More rows than one chunk (8192), operators interleaved so every chunk is split into
    // groups and put back together; then a bad row deep in the third chunk.
    let mut rng = Pcg64::seed_from_u64(11);
    let ops = ["hard", "boltzmann", "logsumexp", ""];
    let mut input = format!("{HEADER},smoothing\n");
    let mut rows = Vec::new();
    for _ in 0..20_000 {
        let mut b = || {
            let (x, y) = (rng.random_range(-20.0..20.0), rng.random_range(-20.0..20.0));
            let (w, h) = (rng.random_range(0.5..20.0), rng.random_range(0.5..20.0));
            [x, y, x + w, y + h]
        };
        let (p, t) = (b(), b());
        let kappa = 10f64.powf(rng.random_range(-1.0..1.0));
        let op = ops[rng.random_range(0..4)];
        let cells: Vec<String> = p.iter().chain(&t).map(|v| format!("{v:?}")).collect();
        input.push_str(&format!("{},{kappa:?},{op}\n", cells.join(",")));
        rows.push((p, t, kappa, op));
    }
    let o = batch_stdout(&input);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, out) = parse(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(out.len(), rows.len());
    for (row, (p, t, kappa, op)) in out.iter().zip(&rows) {
        let smoothing = if op.is_empty() { "logsumexp" } else { op };
        let loss = Loss::new(LossKind::SoftIou, smoothing.parse().unwrap());
        let got: Vec<f64> = (10..23).map(|i| row[i].parse().unwrap()).collect();
        let want = library(*p, *t, *kappa, loss);
        assert_close(&got, &want, (*p, *t), *kappa, loss);
    }
    // a bad row on line 18000 (row 17999): everything before it reaches stdout, in order
    let mut lines: Vec<&str> = input.lines().collect();
    let bad = lines[17_999].replace(',', ";");
    lines[17_999] = &bad;
    let o = batch_stdout(&lines.join("\n"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("in.csv line 18000:"), "{}", stderr(&o));
    let (_, out) = parse(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(out.len(), 17_998);
}

// ---- never lose the input: an output that is the input file is refused ----

/// Checks a refused run: exit status 2, one line naming both paths, the input's bytes
/// unchanged and no file added to its directory.
fn assert_input_kept(
    o: &Output,
    dir: &Path,
    names_before: &[String],
    bytes: &[u8],
    paths: [&str; 2],
) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: --output "), "{err}");
    for p in paths {
        assert!(err.contains(p), "'{p}' not in: {err}");
    }
    assert!(err.contains("same file"), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(dir.join("in.csv")).unwrap(), bytes);
    assert_eq!(names(dir), names_before, "a file was added or removed");
}

/// A directory with `in.csv` (a header and one good row); returns it and the bytes.
fn input_dir() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = format!("{HEADER}\n{GOOD_ROW}\n").into_bytes();
    std::fs::write(dir.path().join("in.csv"), &bytes).unwrap();
    (dir, bytes)
}

#[test]
fn an_output_that_is_the_input_path_is_refused_and_the_input_kept() {
    let (dir, bytes) = input_dir();
    let input = dir.path().join("in.csv");
    let o = batch_to(&input, &input);
    let p = input.to_str().unwrap();
    assert_input_kept(&o, dir.path(), &names(dir.path()), &bytes, [p, p]);
    // the same file under another spelling of its path
    let other = dir.path().join(".").join("in.csv");
    let o = batch_to(&input, &other);
    assert_input_kept(
        &o,
        dir.path(),
        &names(dir.path()),
        &bytes,
        [p, other.to_str().unwrap()],
    );
}

#[test]
fn an_output_that_is_a_symlink_to_the_input_is_refused_and_the_input_kept() {
    let (dir, bytes) = input_dir();
    let (input, link) = (dir.path().join("in.csv"), dir.path().join("link.csv"));
    std::os::unix::fs::symlink("in.csv", &link).unwrap();
    let before = names(dir.path());
    let o = batch_to(&input, &link);
    assert_input_kept(
        &o,
        dir.path(),
        &before,
        &bytes,
        [input.to_str().unwrap(), link.to_str().unwrap()],
    );
    // and the other way round: the input through the link, the output the file itself
    let o = batch_to(&link, &input);
    assert_input_kept(
        &o,
        dir.path(),
        &before,
        &bytes,
        [link.to_str().unwrap(), input.to_str().unwrap()],
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn an_output_that_is_a_hard_link_to_the_input_is_refused_and_the_input_kept() {
    let (dir, bytes) = input_dir();
    let (input, hard) = (dir.path().join("in.csv"), dir.path().join("hard.csv"));
    std::fs::hard_link(&input, &hard).unwrap();
    let before = names(dir.path());
    let o = batch_to(&input, &hard);
    assert_input_kept(
        &o,
        dir.path(),
        &before,
        &bytes,
        [input.to_str().unwrap(), hard.to_str().unwrap()],
    );
    assert_eq!(std::fs::read(&hard).unwrap(), bytes);
}

#[test]
fn an_output_that_is_the_file_on_standard_input_is_refused_and_the_input_kept() {
    // softiou batch --input - --output in.csv < in.csv
    let (dir, bytes) = input_dir();
    let input = dir.path().join("in.csv");
    let before = names(dir.path());
    let o = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(["batch", "--input", "-", "--output", input.to_str().unwrap()])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_input_kept(
        &o,
        dir.path(),
        &before,
        &bytes,
        [input.to_str().unwrap(), "standard input"],
    );
    // a different file on standard input is fine
    let out = dir.path().join("out.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(["batch", "--input", "-", "--output", out.to_str().unwrap()])
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2);
    assert_eq!(std::fs::read(&input).unwrap(), bytes);
}

// ---- bounded rows and short messages about long cells ----

/// 1 MiB, the longest row `batch` reads (its line end included).
const MAX_ROW: usize = 1 << 20;

/// `HEADER,note` and a row whose `note` cell makes it `len` bytes with its `\n`.
fn row_of_length(len: usize) -> String {
    let start = format!("{GOOD_ROW},");
    format!("{start}{}\n", "n".repeat(len - start.len() - 1))
}

#[test]
fn a_row_just_over_1_mib_is_refused_naming_its_line_and_one_at_the_limit_is_read() {
    let at = format!("{HEADER},note\n{GOOD_ROW},a\n{}", row_of_length(MAX_ROW));
    let (o, text, _) = batch_files(&at, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(text.unwrap().lines().count(), 3);
    let over = format!(
        "{HEADER},note\n{GOOD_ROW},a\n{}",
        row_of_length(MAX_ROW + 1)
    );
    let t0 = std::time::Instant::now();
    assert_bad_input(
        &over,
        &[],
        &["line 3:", "longer than the limit of 1048576 bytes"],
    );
    // 10 s: generous for a debug build on a shared machine; the refusal takes milliseconds
    assert!(t0.elapsed().as_secs() < 10);
}

#[test]
fn a_50_mib_row_is_refused_without_reading_it_all() {
    // The reader stops once its window is over two rows and a read-ahead; the line named
    // is the one where the long row starts.
    let input = format!(
        "{HEADER},note\n{GOOD_ROW},a\n{GOOD_ROW},a\n{}",
        row_of_length(50 * MAX_ROW)
    );
    assert_bad_input(&input, &[], &["line 4:", "longer than the limit"]);
    // the same from standard input
    let o = softiou(&["batch", "--input", "-", "--output", "-"], &input);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<stdin> line 4:"), "{}", stderr(&o));
}

#[test]
fn a_header_over_1024_columns_is_refused() {
    let wide = format!(
        "{HEADER}{}\n",
        (0..1016).map(|i| format!(",c{i}")).collect::<String>()
    );
    assert_bad_input(&wide, &[], &["line 1:", "1025 columns", "limit of 1024"]);
    // 1024 columns are fine
    let ok = format!(
        "{HEADER}{}\n",
        (0..1015).map(|i| format!(",c{i}")).collect::<String>()
    );
    let (o, text, _) = batch_files(&ok, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(text.is_some());
}

#[test]
fn an_error_about_a_1_mb_cell_is_one_short_line_naming_line_and_column() {
    let big = "7".repeat(1_000_000);
    let word = "x".repeat(1_000_000);
    for (row, column) in [
        // a number that overflows to infinity, one that is not a number, a bad κ and an
        // unknown operator
        (format!("{big},0,1,1,0,0,1,1,1,"), "column 1 (px1)"),
        (format!("{word},0,1,1,0,0,1,1,1,"), "column 1 (px1)"),
        (format!("0,0,1,1,0,0,1,1,{word},"), "column 9 (kappa)"),
        (format!("0,0,1,1,0,0,1,1,1,{word}"), "column 10 (smoothing)"),
    ] {
        let input = format!("{HEADER},smoothing\n{GOOD_ROW},\n{row}\n");
        let (o, text, _) = batch_files(&input, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{}", &err[..err.len().min(300)]);
        assert!(err.len() < 300, "{} bytes: {}", err.len(), &err[..300]);
        assert!(err.contains(&format!("line 3, {column}")), "{err}");
        assert!(err.contains("…' (1000000 characters)"), "{err}");
        assert_eq!(text, None);
    }
}
