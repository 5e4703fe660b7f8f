//! One flag, `--box-format` (xyxy, xywh, cxcywh), on every subcommand that reads boxes:
//! eval, sweep, fit and batch. The same boxes given in the three formats must give the
//! same output byte for byte (the coordinates below are small integers and halves, so the
//! conversion to corners is exact and no tolerance is needed).

use std::path::Path;
use std::process::{Command, Output};

fn softiou(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .output()
        .expect("the softiou binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// P = [2, 4, 12, 10] and T = [5, 3, 14, 11] (xyxy) in each format.
const BOXES: [(&str, &str, &str); 3] = [
    ("xyxy", "2,4,12,10", "5,3,14,11"),
    ("xywh", "2,4,10,6", "5,3,9,8"),
    ("cxcywh", "7,7,10,6", "9.5,7,9,8"),
];

/// The files a directory holds, by name, with their bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn eval_gives_the_same_numbers_in_every_format() {
    let outs: Vec<Vec<u8>> = BOXES
        .iter()
        .map(|(f, p, t)| {
            let o = softiou(&[
                "eval",
                "--pred",
                p,
                "--target",
                t,
                "--kappa",
                "0.7",
                "--box-format",
                f,
                "--json",
            ]);
            assert!(o.status.success(), "{f}: {}", stderr(&o));
            o.stdout
        })
        .collect();
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}

#[test]
fn sweep_reads_box_format_and_keeps_format_as_a_hidden_alias() {
    let dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for (i, (f, p, t)) in BOXES.iter().enumerate() {
        let out = dir.path().join(f);
        // the old name still works (the last run uses it)
        let flag = if i == 2 { "--format" } else { "--box-format" };
        let o = softiou(&[
            "sweep",
            "--pred",
            p,
            "--target",
            t,
            flag,
            f,
            "--points",
            "12",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        written.push(files(&out));
    }
    assert!(written[0].len() >= 8, "{:?}", written[0].len());
    assert_eq!(written[0], written[1]);
    assert_eq!(written[0], written[2]);

    let help = String::from_utf8_lossy(&softiou(&["sweep", "--help"]).stdout).into_owned();
    assert!(help.contains("--box-format <FORMAT>"), "{help}");
    assert!(!help.contains("--format"), "the alias is hidden: {help}");
}

#[test]
fn fit_reads_box_format() {
    let outs: Vec<Vec<u8>> = BOXES
        .iter()
        .map(|(f, p, t)| {
            let o = softiou(&[
                "fit",
                "--pred",
                p,
                "--target",
                t,
                "--box-format",
                f,
                "--steps",
                "50",
                "--json",
            ]);
            assert!(o.status.success(), "{f}: {}", stderr(&o));
            o.stdout
        })
        .collect();
    assert!(!outs[0].is_empty());
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}

/// Runs `softiou batch` on `input` with `flags`; returns the output and the written CSV.
fn batch(input: &str, flags: &[&str]) -> (Output, Option<String>) {
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
    let out = softiou(&args);
    (out, std::fs::read_to_string(&o).ok())
}

/// The columns a batch appends (everything after the nine input ones).
fn results(csv: &str) -> Vec<String> {
    csv.lines()
        .map(|l| l.split(',').skip(9).collect::<Vec<_>>().join(","))
        .collect()
}

#[test]
fn batch_reads_its_box_columns_in_box_format() {
    let header = "px1,py1,px2,py2,tx1,ty1,tx2,ty2,kappa\n";
    let mut outs = Vec::new();
    for (f, p, t) in BOXES {
        let input = format!("{header}{p},{t},0.7\n{t},{p},2\n");
        let (o, csv) = batch(&input, &["--box-format", f]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        let csv = csv.expect("an output file");
        // the input columns are copied through as given
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .starts_with(&format!("{p},{t},0.7,"))
        );
        outs.push(results(&csv));
    }
    assert_eq!(outs[0].len(), 3);
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}

#[test]
fn batch_names_the_columns_of_a_bad_size_and_writes_nothing() {
    let input = "kappa,px1,py1,px2,py2,tx1,ty1,tx2,ty2\n1,0,0,4,-3,0,0,4,4\n";
    let (o, csv) = batch(input, &["--box-format", "xywh"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("line 2, columns 3 and 5 (py1, py2)") && err.contains("height"),
        "{err}"
    );
    assert!(csv.is_none(), "no partial output");
    // read as corners, y_max = -3 < y_min = 0 is an empty box, named by the same columns
    let (o, _) = batch(input, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("columns 3 and 5 (py1, py2)"));
}

#[test]
fn an_unknown_box_format_is_one_line_and_exit_2_on_every_subcommand() {
    let runs: [&[&str]; 4] = [
        &[
            "eval", "--pred", "0,0,1,1", "--target", "0,0,1,1", "--kappa", "1",
        ],
        &["sweep", "--pred", "0,0,1,1", "--target", "0,0,1,1"],
        &["fit", "--pred", "0,0,1,1", "--target", "0,0,1,1"],
        &["batch", "--input", "-", "--output", "-"],
    ];
    for args in runs {
        let o = softiou(&[args, &["--box-format", "yxyx"]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains("--box-format") && err.contains("xyxy, xywh, cxcywh"),
            "{args:?}: {err}"
        );
    }
}
