//! `softiou batch`: the loss and exact gradients of every row of a CSV file, streamed in
//! chunks of [`CHUNK`] rows (memory does not grow with the number of rows). Each chunk is
//! evaluated in parallel by the batch API on the lane engine
//! ([`softiou::batch::Batch::evaluate_per_pair`] with [`Engine::Auto`]: each row with its
//! own κ and operator; the library groups the rows by operator), whose rows equal
//! [`softiou::evaluate::evaluate`] within a few ulps (the IoU, hard IoU, `kappa_s` and
//! region exactly). Each box is validated once, when its row is parsed (the batch takes
//! the `BBox`es); this file only reads, checks and writes CSV, in input order.
//!
//! With the environment variable `SOFTIOU_TIMING` set (to anything but `0` or nothing),
//! one line on stderr at the end says where the time went: reading and splitting the CSV
//! (the reader thread, concurrent with the rest), parsing and validating the cells,
//! computing, formatting the numbers, and writing.
//!
//! A bad row stops the run: exit status 2, one line naming the line and column, and
//! nothing at the output path (the rows go to a temporary file beside it, renamed only
//! when every row has succeeded).

use std::io::Read;
use std::time::{Duration, Instant};

use clap::Args;
use csv::{ErrorKind, StringRecord};
use rayon::prelude::*;
use softiou::Region;
use softiou::batch::{Batch, Engine, Exec};
use softiou::evaluate::Evaluation;
use softiou::{BBox, BoxFormat, Loss, LossKind, Smoothing};

use softiou::error::quote;

use super::CliError;
use super::args::{parse_kappa, parse_name, parse_number};
use super::batch_io::{
    LineReader, MAX_ROW_BYTES, RowTooLong, Sink, open_input, refuse_input_as_output, write_error,
};

/// Rows read, evaluated and written together: enough to keep every thread busy (the batch
/// API splits down to 4096 rows per task), small enough that memory stays a few MB.
const CHUNK: usize = 8192;

/// A chunk also ends once its rows hold this many bytes, so that long rows (up to
/// [`MAX_ROW_BYTES`] each) cannot make a chunk of 8192 rows gigabytes: at most four
/// chunks are alive (two waiting, one read, one evaluated), each under 8 MiB + one row.
const CHUNK_BYTES: u64 = 8 << 20;

/// The most columns of the input: the nine required ones leave over a thousand for
/// pass-through data. Checked on the header; every row has the header's length.
const MAX_COLUMNS: usize = 1024;

/// The required input columns, in the order the library takes them.
const INPUT_COLUMNS: [&str; 9] = [
    "px1", "py1", "px2", "py2", "tx1", "ty1", "tx2", "ty2", "kappa",
];
/// The optional per-row operator column.
const SMOOTHING_COLUMN: &str = "smoothing";
/// The columns appended to every row.
const OUTPUT_COLUMNS: [&str; 14] = [
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
    "region",
];

const AFTER_HELP: &str = "\
Input: a header line, then one row per box pair. Required columns (any order, found by
name): px1,py1,px2,py2 (predicted box), tx1,ty1,tx2,ty2 (target box), kappa. The four
numbers of a box are its xyxy corners x1,y1,x2,y2, or with --box-format xywh
x1,y1,width,height, or with --box-format cxcywh centre x, centre y, width, height (the
column names stay px1..py2 and tx1..ty2). Optional column: smoothing (hard, boltzmann or logsumexp; overrides
--smoothing for that row; an empty cell uses --smoothing). Other columns are copied through
unchanged.

Output: the input columns unchanged, then loss,iou,hard_iou,g_px1,g_py1,g_px2,g_py2,
g_tx1,g_ty1,g_tx2,g_ty2,dloss_dkappa,kappa_s,region: the loss, the soft and the hard IoU,
the exact gradient of the loss with respect to the xyxy corners of each box, whatever
--box-format (loss per coordinate unit), dloss/dkappa (in coordinate units), kappa times the target's shorter
side, and where the soft IoU lies: meaningful (in [0, 1]), negative_intersection (below 0:
boltzmann, boxes apart), iou_above_one (kappa_s too small) or union_not_positive (kappa_s
past the pole of the loss). Rows outside [0, 1] are written all the same (their numbers
are the formula's exact values) and counted in one warning on stderr; the exit status
stays 0. Every number has full round-trip precision.

Units: kappa is in 1 / coordinate units; what matters is kappa times a box side.

Limits: a row (the header too, line end included) is at most 1 MiB and the header at most
1024 columns; the number of rows is unlimited (they are streamed in chunks of at most 8192
rows or 8 MiB, so memory stays a few tens of MB).

Errors: the first bad row (not a number, NaN or infinity, an inverted or empty box,
kappa <= 0, an unknown operator, a wrong number of fields) stops the run with exit status
2 and a message naming its line and column; nothing is written at --output. With
--output -, rows before the bad one have already gone to standard output. An --output
that is the input file (the same path, a symbolic or hard link to it, or the file on
standard input with --input -) is refused with exit status 2 before anything is written.

Example:
  softiou batch --input pairs.csv --output results.csv --loss giou
  softiou batch --input coco_xywh.csv --output results.csv --box-format xywh
  cat pairs.csv | softiou batch --input - --output - --smoothing boltzmann";

/// Arguments of `softiou batch`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct BatchArgs {
    /// Input CSV file, or - for standard input
    #[arg(long, value_name = "IN.csv", allow_hyphen_values = true)]
    pub input: String,
    /// Output CSV file (written to a temporary file beside it, renamed on success; a
    /// symbolic link is followed and stays a link; a FIFO or device such as /dev/null is
    /// written directly, never replaced), or - for standard output
    #[arg(long, value_name = "OUT.csv", allow_hyphen_values = true)]
    pub output: String,
    /// Smooth max/min operator for rows without a smoothing cell: hard, boltzmann or
    /// logsumexp
    #[arg(long, value_name = "OP", default_value = "logsumexp")]
    pub smoothing: String,
    /// Loss: soft-iou (1 - soft IoU), giou, diou or ciou
    #[arg(long, value_name = "LOSS", default_value = "soft-iou")]
    pub loss: String,
    /// How the four columns of each box describe it: xyxy (px1,py1,px2,py2 are the
    /// corners x1,y1,x2,y2), xywh (x1,y1,width,height) or cxcywh (centre x, centre y,
    /// width, height); the same for tx1..ty2. The gradients are always with respect to the
    /// xyxy corners
    #[arg(long, value_name = "FORMAT", default_value = "xyxy")]
    pub box_format: String,
}

/// Runs `softiou batch`.
pub fn run(args: BatchArgs) -> Result<(), CliError> {
    let smoothing: Smoothing = parse_name("--smoothing", &args.smoothing)?;
    let kind: LossKind = parse_name("--loss", &args.loss)?;
    let format: BoxFormat = parse_name("--box-format", &args.box_format)?;
    refuse_input_as_output(&args.input, &args.output)?;
    let (input, name) = open_input(&args.input)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(LineReader::new(input));
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(read_error(&name, e, reader.get_mut())),
    };
    if header.len() > MAX_COLUMNS {
        return Err(CliError::Input(format!(
            "{name} line 1: the header has {} columns, more than the limit of {MAX_COLUMNS}",
            header.len()
        )));
    }
    if reader.position().byte() > MAX_ROW_BYTES {
        return Err(too_long(&name, 1));
    }
    let columns = Columns::find(&header, &name)?;
    let mut writer = csv::Writer::from_writer(Sink::create(&args.output)?);
    let write_err = |e: csv::Error| match e.into_kind() {
        ErrorKind::Io(e) => write_error(&args.output, e),
        e => CliError::Failure(format!(
            "--output: cannot write {}: {e:?}",
            quote(&args.output)
        )),
    };
    writer
        .write_record(header.iter().chain(OUTPUT_COLUMNS))
        .map_err(write_err)?;

    // A reader thread parses the CSV syntax (sequential: quoting and line numbers) into
    // chunks while this thread checks, evaluates and writes the previous one. At most two
    // chunks wait in the channel, so memory stays flat however many rows come.
    let (sender, chunks) = std::sync::mpsc::sync_channel::<Chunk>(2);
    let mut tally = Tally::default();
    let mut timing = Timing::from_env();
    let name = &name;
    std::thread::scope(|scope| {
        let reader_thread = scope.spawn(move || {
            let mut busy = Duration::ZERO;
            loop {
                let began = Instant::now();
                let mut chunk = Chunk::default();
                let mut bytes = 0;
                let mut end = false;
                while chunk.records.len() < CHUNK && bytes < CHUNK_BYTES {
                    let mut record = StringRecord::new();
                    match reader.read_record(&mut record) {
                        Ok(true) => {}
                        Ok(false) => {
                            end = true;
                            break;
                        }
                        Err(e) => {
                            chunk.stop = Some(read_error(name, e, reader.get_mut()));
                            break;
                        }
                    }
                    let offset = record.position().map_or(0, csv::Position::byte);
                    let line = reader.get_mut().line_at(offset);
                    // the reader is now past the row and its line end
                    let len = reader.position().byte().saturating_sub(offset);
                    if len > MAX_ROW_BYTES {
                        chunk.stop = Some(too_long(name, line));
                        break;
                    }
                    bytes += len;
                    chunk.lines.push(line);
                    chunk.records.push(record);
                }
                let last = chunk.stop.is_some() || end;
                busy += began.elapsed();
                // the receiver hangs up only when it stopped at an error of its own
                if sender.send(chunk).is_err() || last {
                    break;
                }
            }
            busy
        });
        let mut parsed = Vec::with_capacity(CHUNK);
        let mut rows = Vec::with_capacity(CHUNK);
        let mut results = Vec::with_capacity(CHUNK);
        let mut numbers = Vec::with_capacity(CHUNK);
        let mut group = Group::default();
        let mut out = StringRecord::new();
        let tally = &mut tally;
        let timing = &mut timing;
        let mut clock = Instant::now();
        let mut lap = |slot: &mut Duration| {
            let now = Instant::now();
            *slot += now - clock;
            clock = now;
        };
        for Chunk {
            records,
            lines,
            mut stop,
        } in chunks.iter()
        {
            lap(&mut timing.wait);
            // Check the cells in parallel; keep the rows before the first bad one.
            records
                .par_iter()
                .zip(&lines[..])
                .map(|(record, &line)| {
                    let row = Row { record, name, line };
                    row.parse(&columns, smoothing, format)
                })
                .collect_into_vec(&mut parsed);
            rows.clear();
            for p in parsed.drain(..) {
                match p {
                    Ok(p) => rows.push(p),
                    Err(e) => {
                        stop = Some(e);
                        break;
                    }
                }
            }
            lap(&mut timing.parse);
            // Evaluate them; an error in a row comes before a bad row after it.
            let failed = evaluate(kind, &rows, &mut results, &mut group);
            let good = failed.as_ref().map_or(rows.len(), |(i, _)| *i);
            lap(&mut timing.compute);
            results[..good]
                .par_iter()
                .map(format_values)
                .collect_into_vec(&mut numbers);
            tally.add(&results[..good]);
            lap(&mut timing.format);
            for (record, numbers) in records.iter().zip(&numbers) {
                out.clear();
                for field in record {
                    out.push_field(field);
                }
                for number in numbers.split(',') {
                    out.push_field(number);
                }
                writer.write_record(&out).map_err(write_err)?;
            }
            lap(&mut timing.write);
            timing.rows += good as u64;
            if let Some((i, source)) = failed {
                return Err(CliError::Value {
                    flag: format!("{name} line {}", rows[i].line),
                    source,
                });
            }
            if let Some(e) = stop {
                writer.flush().map_err(|e| write_error(&args.output, e))?;
                return Err(e);
            }
        }
        drop(chunks);
        // The reader thread returns its busy time; it cannot panic on data.
        timing.read = reader_thread.join().unwrap_or_default();
        Ok(())
    })?;
    let sink = writer
        .into_inner()
        .map_err(|e| write_error(&args.output, e.into_error()))?;
    sink.finish(&args.output)?;
    tally.warn();
    timing.report();
    Ok(())
}

/// Where the time of a run went, printed on stderr if `SOFTIOU_TIMING` is set.
struct Timing {
    enabled: bool,
    started: Instant,
    rows: u64,
    /// The reader thread's time reading and splitting the CSV (concurrent with the rest).
    read: Duration,
    /// Waiting for the reader thread.
    wait: Duration,
    /// Parsing and validating the cells (numbers, boxes, κ, operator), in parallel.
    parse: Duration,
    /// The batch API.
    compute: Duration,
    /// Formatting the output numbers, in parallel.
    format: Duration,
    /// Assembling and writing the output records.
    write: Duration,
}

impl Timing {
    fn from_env() -> Self {
        let enabled = std::env::var_os("SOFTIOU_TIMING").is_some_and(|v| !v.is_empty() && v != "0");
        Timing {
            enabled,
            started: Instant::now(),
            rows: 0,
            read: Duration::ZERO,
            wait: Duration::ZERO,
            parse: Duration::ZERO,
            compute: Duration::ZERO,
            format: Duration::ZERO,
            write: Duration::ZERO,
        }
    }

    fn report(&self) {
        if !self.enabled {
            return;
        }
        let s = |d: Duration| d.as_secs_f64();
        eprintln!(
            "softiou batch timing: {} rows in {:.3} s wall; main thread: wait for input {:.3} s, \
             parse cells {:.3} s, compute {:.3} s, format {:.3} s, write {:.3} s; reader \
             thread (concurrent): read and split CSV {:.3} s",
            self.rows,
            s(self.started.elapsed()),
            s(self.wait),
            s(self.parse),
            s(self.compute),
            s(self.format),
            s(self.write),
            s(self.read),
        );
    }
}

/// How many rows were written and how many of them lie outside the meaningful region.
#[derive(Default)]
struct Tally {
    rows: u64,
    flagged: u64,
    first: Option<Region>,
}

impl Tally {
    fn add(&mut self, results: &[Evaluation]) {
        self.rows += results.len() as u64;
        for e in results.iter().filter(|e| !e.region.is_meaningful()) {
            self.flagged += 1;
            self.first.get_or_insert(e.region);
        }
    }

    /// One line on stderr if any row was flagged (the exit status stays 0: the numbers
    /// are the formula's exact values; the user must be told, not stopped).
    fn warn(&self) {
        if self.flagged > 0 {
            super::output::warn(&format!(
                "{} of {} {} outside the meaningful region (soft IoU not in [0, 1]); see \
                 the 'region' column (e.g. {}) and 'kappa_s'",
                self.flagged,
                self.rows,
                if self.rows == 1 { "row is" } else { "rows are" },
                self.first.unwrap_or_default().code(),
            ));
        }
    }
}

/// The output cells of a row after the input's, comma-separated: 13 numbers in the
/// crate's number format (the shortest decimal that parses back to the same f64, never
/// containing a comma), then the region's code.
fn format_values(e: &Evaluation) -> String {
    let mut s = String::with_capacity(14 * 24);
    for v in values(e) {
        crate::number::push(&mut s, v);
        s.push(',');
    }
    s.push_str(e.region.code());
    s
}

/// The 13 output numbers of a row, in the order of [`OUTPUT_COLUMNS`].
fn values(e: &Evaluation) -> [f64; 13] {
    let [g0, g1, g2, g3] = e.grad_pred;
    let [h0, h1, h2, h3] = e.grad_target;
    [
        e.loss,
        e.iou,
        e.hard_iou,
        g0,
        g1,
        g2,
        g3,
        h0,
        h1,
        h2,
        h3,
        e.dloss_dkappa,
        e.kappa_s,
    ]
}

/// The checked numbers of one row.
struct Parsed {
    pred: BBox<f64>,
    target: BBox<f64>,
    kappa: f64,
    smoothing: Smoothing,
    line: u64,
}

/// Up to [`CHUNK`] records with their line numbers, and the error that ended the input
/// there, if any.
#[derive(Default)]
struct Chunk {
    records: Vec<StringRecord>,
    lines: Vec<u64>,
    stop: Option<CliError>,
}

/// A chunk's rows as the batch API takes them (columns), kept between chunks.
#[derive(Default)]
struct Group {
    pred: Vec<BBox<f64>>,
    target: Vec<BBox<f64>>,
    kappa: Vec<f64>,
    smoothing: Vec<Smoothing>,
}

/// Evaluates `rows` into `results` with the batch API, in parallel
/// ([`Batch::evaluate_per_pair`]: each row with its own κ and operator). Returns the first
/// failing row (index into `rows`) and its error, if any; `results` is complete up to it.
fn evaluate(
    kind: LossKind,
    rows: &[Parsed],
    results: &mut Vec<Evaluation>,
    g: &mut Group,
) -> Option<(usize, softiou::Error)> {
    results.clear();
    results.resize(rows.len(), Evaluation::default());
    g.pred.clear();
    g.target.clear();
    g.kappa.clear();
    g.smoothing.clear();
    for r in rows {
        g.pred.push(r.pred);
        g.target.push(r.target);
        g.kappa.push(r.kappa);
        g.smoothing.push(r.smoothing);
    }
    // The batch's own operator is unused: every row names its own.
    Batch::kappa_per_pair(Loss::new(kind, Smoothing::default()))
        .exec(Exec::Parallel)
        .engine(Engine::Auto)
        .evaluate_per_pair(&g.pred, &g.target, &g.kappa, &g.smoothing, results)
        .err()
        .map(|e| match e {
            softiou::Error::InPair { index, source, .. } => (index, *source),
            e => (0, e),
        })
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

/// One data row, its file's name and its true line, for error messages.
struct Row<'a> {
    record: &'a StringRecord,
    name: &'a str,
    line: u64,
}

impl Row<'_> {
    fn line(&self) -> u64 {
        self.line
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

    /// The checked numbers and operator of this row.
    fn parse(
        &self,
        columns: &Columns,
        default: Smoothing,
        format: BoxFormat,
    ) -> Result<Parsed, CliError> {
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
        let pred = self.bbox(
            [v[0], v[1], v[2], v[3]],
            [c[0], c[1], c[2], c[3]],
            "p",
            format,
        )?;
        let target = self.bbox(
            [v[4], v[5], v[6], v[7]],
            [c[4], c[5], c[6], c[7]],
            "t",
            format,
        )?;
        let mut smoothing = default;
        if let Some(s) = columns.smoothing {
            let text = self.cell(s).trim();
            if !text.is_empty() {
                smoothing = parse_name(&self.at(s, SMOOTHING_COLUMN), text)?;
            }
        }
        Ok(Parsed {
            pred,
            target,
            kappa,
            smoothing,
            line: self.line,
        })
    }

    /// The validated box given in `format`; an inverted or empty one
    /// is reported with its two columns (the size column with the position column
    /// before it for xywh and cxcywh: a non-positive width or a sum that overflows).
    fn bbox(
        &self,
        numbers: [f64; 4],
        cols: [usize; 4],
        prefix: &str,
        format: BoxFormat,
    ) -> Result<BBox<f64>, CliError> {
        BBox::from_format(numbers, format).map_err(|source| {
            let (a, b) = match &source {
                softiou::Error::EmptyBox { axis: "y", .. }
                | softiou::Error::NonPositiveSize { name: "height", .. }
                | softiou::Error::NonFiniteCoordinate {
                    name: "y_min" | "y_max" | "centre_y",
                    ..
                } => (1, 3),
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

/// The error for a row over [`MAX_ROW_BYTES`] on `line`.
fn too_long(name: &str, line: u64) -> CliError {
    CliError::Input(format!(
        "{name} line {line}: the row is longer than the limit of {MAX_ROW_BYTES} bytes (1 MiB)"
    ))
}

/// A CSV read error as one line naming the true line (and column, for bad UTF-8); an
/// unterminated quote is named as such (the csv crate reads it to the end of the input as
/// one field and reports a wrong number of fields).
fn read_error<R: Read>(name: &str, e: csv::Error, input: &mut LineReader<R>) -> CliError {
    let offset = e.position().map_or(0, csv::Position::byte);
    let line = input.line_at(offset);
    if let ErrorKind::Io(source) = e.kind()
        && let Some(long) = source
            .get_ref()
            .and_then(|e| e.downcast_ref::<RowTooLong>())
    {
        return too_long(name, long.line);
    }
    let text = e.to_string();
    match e.into_kind() {
        ErrorKind::Io(source) if source.kind() == std::io::ErrorKind::IsADirectory => {
            CliError::Input(format!("--input: '{name}' is a directory; give a CSV file"))
        }
        ErrorKind::Io(source) => CliError::Io {
            path: name.into(),
            source,
        },
        ErrorKind::UnequalLengths { .. } if input.open_quote(offset) => CliError::Input(format!(
            "{name} line {line}: a quoted field opened on this line is never closed; add the \
             closing double quote"
        )),
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
