//! Input and output of `softiou batch`: the input with true line numbers, and the output
//! sink that never replaces what it should not.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use softiou::error::{quote, quote_bare};
use softiou::figures::kit::write::{persist, temp_named};

use super::CliError;
use super::output::stdout_error;

/// The longest row (header or data, line end included) that `batch` reads: 1 MiB. A row of
/// the nine numbers is under 300 bytes; the limit leaves room for thousands of pass-through
/// columns and still bounds the memory of a chunk of rows. Longer rows are refused with
/// exit status 2 (a cell is part of a row, so it is bounded too).
pub const MAX_ROW_BYTES: u64 = 1 << 20;

/// The window of [`LineReader`] may hold the previous row (at most [`MAX_ROW_BYTES`]), the
/// current one and the CSV reader's read-ahead (8 KiB): more than this means the current
/// row is over the limit, and reading stops there instead of buffering the rest of it.
const MAX_WINDOW: usize = 2 * MAX_ROW_BYTES as usize + (64 << 10);

/// The error [`LineReader`] returns for a row over [`MAX_ROW_BYTES`]: the line on which
/// the first over-long line of the input starts.
#[derive(Debug)]
pub struct RowTooLong {
    /// The 1-based line.
    pub line: u64,
}

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: a row longer than {MAX_ROW_BYTES} bytes",
            self.line
        )
    }
}

impl std::error::Error for RowTooLong {}

/// The input, remembering the bytes the CSV reader has taken but not yet passed, so that
/// a record's byte offset maps to its true line number.
///
/// The csv crate's `Position::line` is off after blank lines (rust-csv issue #208: a
/// record after blank lines gets the line of the first blank one) and after CRLF line
/// ends, and a record's byte offset points at the line ends before it. Counting `\n`
/// here up to the first byte of the record that is not a line end gives its true line.
/// Memory: only the reader's read-ahead is kept (the caller asks for every record's line
/// in order, which releases the bytes before it).
pub struct LineReader<R> {
    inner: R,
    /// Bytes read from `inner` and not yet passed.
    window: VecDeque<u8>,
    /// The offset of `window[0]` in the input.
    start: u64,
    /// The line number of `window[0]` (1-based).
    line: u64,
}

impl<R: Read> LineReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        LineReader {
            inner,
            window: VecDeque::new(),
            start: 0,
            line: 1,
        }
    }

    /// The line of the record whose CSV position is byte `offset`: the first byte at or
    /// after `offset` that is not `\r` or `\n`. Forgets the bytes before it, so calls
    /// must come in input order.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let skip = usize::try_from(offset.saturating_sub(self.start))
            .unwrap_or(usize::MAX)
            .min(self.window.len());
        let ends = self.window.range(..skip).filter(|&&b| b == b'\n').count();
        self.window.drain(..skip);
        self.start += skip as u64;
        self.line += ends as u64;
        while let Some(&b) = self.window.front()
            && (b == b'\n' || b == b'\r')
        {
            self.line += u64::from(b == b'\n');
            self.window.pop_front();
            self.start += 1;
        }
        self.line
    }

    /// Whether the record at byte `offset` (after [`LineReader::line_at`] for it) runs to
    /// the end of what was read inside a quoted field: an unterminated quote.
    pub fn open_quote(&self, offset: u64) -> bool {
        #[derive(PartialEq)]
        enum S {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }
        let skip = usize::try_from(offset.saturating_sub(self.start)).unwrap_or(usize::MAX);
        let mut s = S::FieldStart;
        for &b in self.window.iter().skip(skip) {
            s = match (s, b) {
                (S::Quoted, b'"') => S::QuoteInQuoted,
                (S::Quoted, _) | (S::QuoteInQuoted, b'"') => S::Quoted,
                (_, b',') => S::FieldStart,
                (_, b'\n' | b'\r') => return false,
                (S::FieldStart, b'"') => S::Quoted,
                _ => S::Unquoted,
            };
        }
        s == S::Quoted
    }
}

impl<R: Read> Read for LineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.window.extend(&buf[..n]);
        if self.window.len() > MAX_WINDOW {
            // the first physical line that is too long (a quoted field may span lines, but
            // some line of an over-long row is over the limit or the row is within it)
            let mut line = self.line;
            let mut len = 0_u64;
            for &b in &self.window {
                len += 1;
                if len > MAX_ROW_BYTES {
                    break;
                }
                if b == b'\n' {
                    line += 1;
                    len = 0;
                }
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                RowTooLong { line },
            ));
        }
        Ok(n)
    }
}

/// Opens `--input` (`-` is standard input); also returns the name used in messages.
pub fn open_input(path: &str) -> Result<(Box<dyn Read + Send>, String), CliError> {
    if path == "-" {
        return Ok((Box::new(io::stdin()), "<stdin>".to_owned()));
    }
    // A directory opens on Unix and fails only at the first read, with no flag named.
    if Path::new(path).is_dir() {
        return Err(CliError::Input(format!(
            "--input: {} is a directory; give a CSV file, or - for standard input",
            quote(path)
        )));
    }
    match File::open(path) {
        // the name in messages: the path, shortened if it is very long
        Ok(f) => Ok((Box::new(f), quote_bare(path))),
        // A path that does not exist is a usage error (exit 2); anything else (permissions,
        // a device error) is a failure of the system (exit 1).
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(CliError::Input(format!(
            "--input: cannot open {}: {e}",
            quote(path)
        ))),
        Err(e) => Err(CliError::Failure(format!(
            "--input: cannot open {}: {e}",
            quote(path)
        ))),
    }
}

/// Refuses an `--output` that is the file `--input` reads (exit status 2): writing the
/// results there would destroy the input. On Unix the two are compared by device and
/// inode after following symbolic links, so a symbolic or hard link to the input is caught,
/// and `--input -` is compared with the file standard input is (`< in.csv`). Only regular
/// files are refused: a device or FIFO (`/dev/null`, a terminal) loses nothing. Elsewhere
/// the canonical paths are compared. Called before the output is opened.
pub fn refuse_input_as_output(input: &str, output: &str) -> Result<(), CliError> {
    if output == "-" {
        return Ok(());
    }
    let same = || {
        let what = if input == "-" {
            "standard input (--input -)".to_owned()
        } else {
            format!("--input {}", quote(input))
        };
        Err(CliError::Input(format!(
            "--output {} is the same file as {what}; writing the results there would \
             destroy the input: choose another output path",
            quote(output)
        )))
    };
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        // A missing output, or an input that cannot be read, cannot be the same file
        // (opening the input reports the latter).
        let Ok(out) = fs::metadata(output) else {
            return Ok(());
        };
        let input_meta = if input == "-" {
            io::stdin()
                .as_fd()
                .try_clone_to_owned()
                .and_then(|fd| File::from(fd).metadata())
        } else {
            fs::metadata(input)
        };
        if let Ok(inp) = input_meta
            && out.is_file()
            && (out.dev(), out.ino()) == (inp.dev(), inp.ino())
        {
            return same();
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        // Standard input cannot be compared with a path here.
        if input != "-"
            && let (Ok(a), Ok(b)) = (fs::canonicalize(input), fs::canonicalize(output))
            && a == b
        {
            return same();
        }
        Ok(())
    }
}

/// The error for a failed write to `--output`.
pub fn write_error(output: &str, e: io::Error) -> CliError {
    if output == "-" {
        return stdout_error(e);
    }
    CliError::Failure(format!("--output: cannot write {}: {e}", quote(output)))
}

/// Where the rows go: standard output; a FIFO or device written directly; or a temporary
/// file beside the (link-resolved) output path that becomes it on [`Sink::finish`] and
/// disappears if dropped before.
pub enum Sink {
    /// `--output -`.
    Stdout(io::StdoutLock<'static>),
    /// An existing FIFO, character device (`/dev/null`) or other non-regular file: written
    /// in place, never replaced.
    Direct(File),
    /// A regular file (or a new one): a temporary file renamed onto `target`, the path
    /// after following symbolic links, so a link stays a link.
    Temp {
        /// The temporary file.
        file: tempfile::NamedTempFile,
        /// The path it becomes.
        target: PathBuf,
    },
}

/// `path` with every symbolic link of its last component followed (a dangling link
/// gives the path it points to, which is then created).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

impl Sink {
    /// Opens `--output`.
    pub fn create(output: &str) -> Result<Sink, CliError> {
        if output == "-" {
            return Ok(Sink::Stdout(io::stdout().lock()));
        }
        let fail = |e: &dyn std::fmt::Display| {
            CliError::Failure(format!("--output: cannot write {}: {e}", quote(output)))
        };
        let target = resolve_links(Path::new(output)).map_err(|e| fail(&e))?;
        match fs::metadata(&target) {
            Ok(m) if m.is_dir() => return Err(fail(&"it is a directory")),
            Ok(m) if !m.is_file() => {
                return OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .map(Sink::Direct)
                    .map_err(|e| fail(&e));
            }
            _ => {}
        }
        // the crate's one atomic writer: a temporary file beside the (link-resolved)
        // target, flushed to disk and renamed onto it by `finish`
        let file = temp_named(&target, ".softiou-batch-", ".tmp").map_err(|e| {
            // tempfile's message ends with " at path <its random file name>"; the user
            // needs only the operating system's reason.
            let text = match e {
                softiou::figures::Error::Output { reason, .. } => reason,
                e => e.to_string(),
            };
            fail(&text.split(" at path ").next().unwrap_or(&text))
        })?;
        Ok(Sink::Temp { file, target })
    }

    /// Flushes, and renames a temporary file onto its target.
    pub fn finish(self, output: &str) -> Result<(), CliError> {
        match self {
            Sink::Stdout(mut s) => s.flush().map_err(|e| write_error(output, e)),
            Sink::Direct(mut f) => f.flush().map_err(|e| write_error(output, e)),
            Sink::Temp { file, target } => persist(file, &target).map_err(|e| {
                CliError::Failure(format!("--output: cannot write {}: {e}", quote(output)))
            }),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(s) => s.write(buf),
            Sink::Direct(f) => f.write(buf),
            Sink::Temp { file, .. } => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(s) => s.flush(),
            Sink::Direct(f) => f.flush(),
            Sink::Temp { file, .. } => file.flush(),
        }
    }
}
