//! `softiou batch`: the loss and exact gradients of every row of a CSV file, streamed one
//! row at a time (memory does not grow with the number of rows). The numbers come from
//! [`softiou::evaluate::evaluate`]; this file only reads, checks and writes CSV.
//!
//! A bad row stops the run: exit status 2, one line naming the line and column, and
//! nothing at the output path (the rows go to a temporary file beside it, renamed only
//! when every row has succeeded).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use csv::{ErrorKind, StringRecord};
use softiou::evaluate::evaluate;
use softiou::{BBox, Loss, LossKind, Smoothing};

use super::CliError;
use super::args::{parse_kappa, parse_name, parse_number};

/// The required input columns, in the order the library takes them.
const INPUT_COLUMNS: [&str; 9] = [
    "px1", "py1", "px2", "py2", "tx1", "ty1", "tx2", "ty2", "kappa",
];
/// The optional per-row operator column.
const SMOOTHING_COLUMN: &str = "smoothing";
/// The columns appended to every row.
const OUTPUT_COLUMNS: [&str; 11] = [
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

const AFTER_HELP: &str = "\
Input: a header line, then one row per box pair. Required columns (any order, found by
name): px1,py1,px2,py2 (predicted box, xyxy corners), tx1,ty1,tx2,ty2 (target box, xyxy
corners), kappa. Optional column: smoothing (hard, boltzmann or logsumexp; overrides
--smoothing for that row; an empty cell uses --smoothing). Other columns are copied through
unchanged.

Output: the input columns unchanged, then loss,iou,g_px1,g_py1,g_px2,g_py2,g_tx1,g_ty1,
g_tx2,g_ty2,dloss_dkappa: the loss, the soft IoU, the exact gradient of the loss with
respect to the xyxy corners of each box (loss per coordinate unit) and dloss/dkappa (in
coordinate units). Every number has full round-trip precision.

Units: kappa is in 1 / coordinate units; what matters is kappa times a box side.

Errors: the first bad row (not a number, NaN or infinity, an inverted or empty box,
kappa <= 0, an unknown operator, a wrong number of fields) stops the run with exit status
2 and a message naming its line and column; nothing is written at --output. With
--output -, rows before the bad one have already gone to standard output.

Example:
  softiou batch --input pairs.csv --output results.csv --loss giou
  cat pairs.csv | softiou batch --input - --output - --smoothing boltzmann";

/// Arguments of `softiou batch`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct BatchArgs {
    /// Input CSV file, or - for standard input
    #[arg(long, value_name = "IN.csv", allow_hyphen_values = true)]
    pub input: String,
    /// Output CSV file (written to a temporary file beside it, renamed on success), or -
    /// for standard output
    #[arg(long, value_name = "OUT.csv", allow_hyphen_values = true)]
    pub output: String,
    /// Smooth max/min operator for rows without a smoothing cell: hard, boltzmann or
    /// logsumexp
    #[arg(long, value_name = "OP", default_value = "logsumexp")]
    pub smoothing: String,
    /// Loss: soft-iou (1 - soft IoU), giou, diou or ciou
    #[arg(long, value_name = "LOSS", default_value = "soft-iou")]
    pub loss: String,
}

/// Runs `softiou batch`.
pub fn run(args: BatchArgs) -> Result<(), CliError> {
    let smoothing: Smoothing = parse_name("--smoothing", &args.smoothing)?;
    let kind: LossKind = parse_name("--loss", &args.loss)?;
    let (input, name) = open_input(&args.input)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let header = reader.headers().map_err(|e| read_error(&name, e))?.clone();
    let columns = Columns::find(&header, &name)?;
    let mut writer = csv::Writer::from_writer(Sink::create(&args.output)?);
    let write_err = |e: csv::Error| write_error(&args.output, e);
    writer
        .write_record(header.iter().chain(OUTPUT_COLUMNS))
        .map_err(write_err)?;

    // One input and one output record, reused: memory stays flat however many rows come.
    let mut record = StringRecord::new();
    let mut out = StringRecord::new();
    let mut number = String::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| read_error(&name, e))?
    {
        let row = Row {
            record: &record,
            name: &name,
        };
        let values = row.evaluate(&columns, Loss::new(kind, smoothing))?;
        out.clear();
        for field in &record {
            out.push_field(field);
        }
        for v in values {
            number.clear();
            // `{:?}` is the shortest representation that parses back to the same f64.
            std::fmt::Write::write_fmt(&mut number, format_args!("{v:?}"))
                .map_err(|e| CliError::Failure(format!("cannot format a number: {e}")))?;
            out.push_field(&number);
        }
        writer.write_record(&out).map_err(write_err)?;
    }
    let sink = writer
        .into_inner()
        .map_err(|e| write_error(&args.output, e.into_error().into()))?;
    sink.finish(&args.output)
}

/// Where each required column is in the input, and the optional `smoothing` column.
struct Columns {
    required: [usize; 9],
    smoothing: Option<usize>,
}

impl Columns {
    fn find(header: &StringRecord, name: &str) -> Result<Self, CliError> {
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(CliError::Input(format!(
                "{name}: the input is empty; expected a header line naming the columns {}",
                INPUT_COLUMNS.join(",")
            )));
        }
        let position = |wanted: &str| -> Result<Option<usize>, CliError> {
            let mut found = header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.trim() == wanted);
            let first = found.next().map(|(i, _)| i);
            if let Some((again, _)) = found.next() {
                return Err(CliError::Input(format!(
                    "{name} line 1: column '{wanted}' appears twice (columns {} and {}); \
                     keep one",
                    first.unwrap_or(0) + 1,
                    again + 1
                )));
            }
            Ok(first)
        };
        let mut required = [0; 9];
        for (slot, wanted) in required.iter_mut().zip(INPUT_COLUMNS) {
            *slot = position(wanted)?.ok_or_else(|| {
                CliError::Input(format!(
                    "{name} line 1: the header has no column '{wanted}'; required columns \
                     (any order): {}, optional: {SMOOTHING_COLUMN}",
                    INPUT_COLUMNS.join(",")
                ))
            })?;
        }
        for clash in OUTPUT_COLUMNS {
            if let Some(i) = position(clash)? {
                return Err(CliError::Input(format!(
                    "{name} line 1, column {}: input column '{clash}' has the name of an \
                     output column; rename or drop it",
                    i + 1
                )));
            }
        }
        Ok(Columns {
            required,
            smoothing: position(SMOOTHING_COLUMN)?,
        })
    }
}

/// One data row and the name of its file, for error messages.
struct Row<'a> {
    record: &'a StringRecord,
    name: &'a str,
}

impl Row<'_> {
    fn line(&self) -> u64 {
        self.record.position().map_or(0, csv::Position::line)
    }

    /// `"in.csv line 5, column 9 (kappa)"`.
    fn at(&self, column: usize, title: &str) -> String {
        format!(
            "{} line {}, column {} ({title})",
            self.name,
            self.line(),
            column + 1
        )
    }

    fn cell(&self, column: usize) -> &str {
        // The reader rejects rows whose length differs from the header's.
        self.record.get(column).unwrap_or("")
    }

    /// The 11 output numbers of this row, in the order of [`OUTPUT_COLUMNS`].
    fn evaluate(&self, columns: &Columns, default: Loss) -> Result<[f64; 11], CliError> {
        let c = columns.required;
        let mut v = [0.0; 8];
        // The location is formatted only on the error path (parsing again), not for each
        // of the nine cells of a million good rows.
        for (k, x) in v.iter_mut().enumerate() {
            let text = self.cell(c[k]).trim();
            *x = parse_number("", "value", text)
                .or_else(|_| parse_number(&self.at(c[k], INPUT_COLUMNS[k]), "value", text))?;
        }
        let text = self.cell(c[8]).trim();
        let kappa =
            parse_kappa("", text).or_else(|_| parse_kappa(&self.at(c[8], "kappa"), text))?;
        let p = self.bbox([v[0], v[1], v[2], v[3]], [c[0], c[1], c[2], c[3]], "p")?;
        let t = self.bbox([v[4], v[5], v[6], v[7]], [c[4], c[5], c[6], c[7]], "t")?;
        let mut loss = default;
        if let Some(s) = columns.smoothing {
            let text = self.cell(s).trim();
            if !text.is_empty() {
                loss.smoothing = parse_name(&self.at(s, SMOOTHING_COLUMN), text)?;
            }
        }
        let e = evaluate(loss, &p, &t, kappa).map_err(|source| CliError::Value {
            flag: format!("{} line {}", self.name, self.line()),
            source,
        })?;
        let [g0, g1, g2, g3] = e.grad_pred;
        let [h0, h1, h2, h3] = e.grad_target;
        Ok([
            e.loss,
            e.iou,
            g0,
            g1,
            g2,
            g3,
            h0,
            h1,
            h2,
            h3,
            e.dloss_dkappa,
        ])
    }

    /// A validated box; an inverted or empty one is reported with its two columns.
    fn bbox(&self, xyxy: [f64; 4], cols: [usize; 4], prefix: &str) -> Result<BBox<f64>, CliError> {
        BBox::from_xyxy(xyxy).map_err(|source| {
            let (a, b) = match &source {
                softiou::Error::EmptyBox { axis: "y", .. } => (1, 3),
                _ => (0, 2),
            };
            let axis = if a == 1 { "y" } else { "x" };
            CliError::Value {
                flag: format!(
                    "{} line {}, columns {} and {} ({prefix}{axis}1, {prefix}{axis}2)",
                    self.name,
                    self.line(),
                    cols[a] + 1,
                    cols[b] + 1
                ),
                source,
            }
        })
    }
}

/// Opens `--input` (`-` is standard input); also returns the name used in messages.
fn open_input(path: &str) -> Result<(Box<dyn Read>, String), CliError> {
    if path == "-" {
        return Ok((Box::new(io::stdin().lock()), "<stdin>".to_owned()));
    }
    match File::open(path) {
        Ok(f) => Ok((Box::new(f), path.to_owned())),
        // A path that does not exist is a usage error (exit 2); anything else (permissions,
        // a device error) is a failure of the system (exit 1).
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(CliError::Input(format!(
            "--input: cannot open '{path}': {e}"
        ))),
        Err(source) => Err(CliError::Io {
            path: PathBuf::from(path),
            source,
        }),
    }
}

fn read_error(name: &str, e: csv::Error) -> CliError {
    let line = e.position().map_or(0, csv::Position::line);
    let text = e.to_string();
    match e.into_kind() {
        ErrorKind::Io(source) => CliError::Io {
            path: PathBuf::from(name),
            source,
        },
        ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => CliError::Input(format!(
            "{name} line {line}: {len} fields, but the header has {expected_len}"
        )),
        ErrorKind::Utf8 { err, .. } => CliError::Input(format!(
            "{name} line {line}, column {}: not valid UTF-8",
            err.field() + 1
        )),
        _ => CliError::Input(format!("{name} line {line}: {text}")),
    }
}

fn write_error(output: &str, e: csv::Error) -> CliError {
    CliError::Failure(format!("--output: cannot write '{output}': {e}"))
}

/// Standard output, or a temporary file beside the output path that becomes it on
/// [`Sink::finish`] and disappears if dropped before.
enum Sink {
    Stdout(io::StdoutLock<'static>),
    File(tempfile::NamedTempFile),
}

impl Sink {
    fn create(output: &str) -> Result<Sink, CliError> {
        if output == "-" {
            return Ok(Sink::Stdout(io::stdout().lock()));
        }
        let fail = |e: &dyn std::fmt::Display| {
            CliError::Failure(format!("--output: cannot write '{output}': {e}"))
        };
        let path = Path::new(output);
        if path.is_dir() {
            return Err(fail(&"it is a directory"));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".softiou-batch-").suffix(".tmp");
        // A temporary file is private (0600) by default; the result should get the usual
        // permissions of a new file (0666 minus the umask).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        builder.tempfile_in(dir).map(Sink::File).map_err(|e| {
            // tempfile's message ends with " at path <its random file name>"; the user
            // needs only the operating system's reason.
            let text = e.to_string();
            fail(&text.split(" at path ").next().unwrap_or(&text))
        })
    }

    fn finish(self, output: &str) -> Result<(), CliError> {
        match self {
            Sink::Stdout(mut s) => s.flush().map_err(|e| write_error(output, e.into())),
            Sink::File(f) => f.persist(output).map(drop).map_err(|e| {
                CliError::Failure(format!("--output: cannot write '{output}': {}", e.error))
            }),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(s) => s.write(buf),
            Sink::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(s) => s.flush(),
            Sink::File(f) => f.flush(),
        }
    }
}
