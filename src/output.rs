//! Output: CSV rows for every report, written atomically and safe to open in a spreadsheet.
//!
//! This is the only module that knows about `csv` and `serde` serialisation. Every text cell
//! goes through [`SafeText`], which neutralises spreadsheet formulas (OWASP "CSV injection"):
//! a cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`.
//! Files are written to a temporary file in the target directory and renamed into place, so
//! a reader never sees half a report.

use std::borrow::Cow;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use crate::align::{Pair, unit_positions};
use crate::clean::suggested_repair;
use crate::divergence::diff_pairs;
use crate::error::Error;
use crate::pipeline::{Analysis, touch_texts};

/// A text cell that a spreadsheet opens as it is: never interpreted as a formula, and never
/// longer than a cell holds.
#[derive(Debug, Clone, Copy)]
pub struct SafeText<'a>(pub &'a str);

/// The most characters a spreadsheet cell holds (Excel's limit; a longer one is cut, or
/// spills into the rows below, when the file is opened). Cells are kept to this many bytes,
/// which are never fewer than their characters, nor their UTF-16 units.
pub const CELL_LIMIT: usize = 32_767;

impl SafeText<'_> {
    /// The cell's text: the text itself, unless it would start a formula or not fit.
    fn cell(&self) -> Cow<'_, str> {
        let formula = matches!(self.0.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
        if formula || self.0.len() > CELL_LIMIT {
            Cow::Owned(spreadsheet_cell(self.0, formula))
        } else {
            Cow::Borrowed(self.0)
        }
    }
}

impl Serialize for SafeText<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.cell())
    }
}

/// Room for the note that ends a cut cell (its count has at most ten digits).
const NOTE_ROOM: usize = 64;

/// `text` as a cell: after a `'` if it would start a formula, and, if longer than
/// [`CELL_LIMIT`], cut at a character boundary and ended with how much was cut. Only a cell
/// listing thousands of sources is that long (at 2,000 sources, the spellings of a place
/// named by all of them, 55k characters).
fn spreadsheet_cell(text: &str, formula: bool) -> String {
    let quote = if formula { "'" } else { "" };
    if quote.len() + text.len() <= CELL_LIMIT {
        return format!("{quote}{text}");
    }
    let mut cut = CELL_LIMIT - NOTE_ROOM - quote.len();
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let left_out = text[cut..].chars().count();
    format!("{quote}{}… [{left_out} more characters left out]", &text[..cut])
}

/// One row of `segments.csv`.
#[derive(Debug, Serialize)]
struct SegmentRow<'a> {
    source: SafeText<'a>,
    kind: &'static str,
    index: u32,
    line: u32,
    start: u32,
    end: u32,
    detail: SafeText<'a>,
    text: SafeText<'a>,
}

/// One row of `defects.csv`.
#[derive(Debug, Serialize)]
struct DefectRow<'a> {
    source: SafeText<'a>,
    line: u32,
    kind: &'static str,
    text: SafeText<'a>,
    detail: SafeText<'a>,
}

/// Bytes of CSV written at a time.
const CSV_BUFFER: usize = 1 << 20;

/// A report: writes one CSV file from a finished analysis.
pub type Report = fn(&mut dyn Write, &Analysis) -> csv::Result<()>;

/// Writes a header, then the rows `write_rows` serialises. The header is written here rather
/// than derived by serde, which derives it from the first row: a report with no rows still
/// gets its columns.
fn write_table(
    out: &mut dyn Write,
    header: &[&str],
    write_rows: impl FnOnce(&mut csv::Writer<&mut dyn Write>) -> csv::Result<()>,
) -> csv::Result<()> {
    let mut writer =
        csv::WriterBuilder::new().has_headers(false).buffer_capacity(CSV_BUFFER).from_writer(out);
    writer.write_record(header)?;
    write_rows(&mut writer)?;
    writer.flush()?;
    Ok(())
}

/// `format!("{value:.4}")`, which the reports print millions of times: scaled to an integer
/// when that rounds the same way, which it does unless the value lies within a millionth of a
/// unit of a tie (the scaling's error is ten thousand times smaller), and its digits written
/// without the formatting machinery; Rust's exact formatting otherwise, which often falls
/// back to big-number arithmetic.
fn four_decimals(value: f64) -> FourDecimals {
    let scaled = value * 10_000.0;
    let clear_of_tie = (scaled - scaled.floor() - 0.5).abs() > 1e-6;
    if !((0.0..1e15).contains(&scaled) && clear_of_tie) {
        return FourDecimals::Formatted(format!("{value:.4}"));
    }
    let mut rest = scaled.round() as u64;
    let mut digits = [0; 24];
    let mut start = digits.len();
    // Last digit first; the point after four of them, and at least one digit before it.
    for position in 0.. {
        if position == 4 {
            start -= 1;
            digits[start] = b'.';
        }
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 && position >= 4 {
            break;
        }
    }
    FourDecimals::Scaled { digits, start }
}

/// A number printed with four decimals, see [`four_decimals`].
#[derive(Debug)]
enum FourDecimals {
    /// ASCII digits and a point, right-aligned from `start`.
    Scaled {
        digits: [u8; 24],
        start: usize,
    },
    Formatted(String),
}

impl FourDecimals {
    fn as_bytes(&self) -> &[u8] {
        match self {
            FourDecimals::Scaled { digits, start } => &digits[*start..],
            FourDecimals::Formatted(text) => text.as_bytes(),
        }
    }
}

impl Serialize for FourDecimals {
    /// As bytes, which a CSV cell takes as they are: as a string, every number's few digits
    /// were checked to be UTF-8 on the way out (0.3% of a run's instructions).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.as_bytes())
    }
}

/// Writes `segments.csv`: every unit of every document, in document then text order.
pub fn write_segments(out: &mut dyn Write, analysis: &Analysis) -> csv::Result<()> {
    let header = ["source", "kind", "index", "line", "start", "end", "detail", "text"];
    write_table(out, &header, |writer| {
        for (document, segmented) in analysis.documents.iter().zip(&analysis.segmented) {
            for unit in &segmented.units {
                let detail = unit.kind.detail();
                writer.serialize(SegmentRow {
                    source: SafeText(&document.source),
                    kind: unit.kind.label(),
                    index: unit.index,
                    line: unit.line,
                    start: unit.span.start,
                    end: unit.span.end,
                    detail: SafeText(&detail),
                    text: SafeText(unit.span.of(&document.text)),
                })?;
            }
        }
        Ok(())
    })
}

/// Writes `defects.csv`: every extraction defect with its suggested repair.
pub fn write_defects(out: &mut dyn Write, analysis: &Analysis) -> csv::Result<()> {
    write_table(out, &["source", "line", "kind", "text", "detail"], |writer| {
        for (document, segmented) in analysis.documents.iter().zip(&analysis.segmented) {
            for defect in &segmented.defects {
                let repair = suggested_repair(document, defect);
                writer.serialize(DefectRow {
                    source: SafeText(&document.source),
                    line: defect.line,
                    kind: defect.kind.label(),
                    text: SafeText(defect.span.of(&document.text)),
                    detail: SafeText(&repair),
                })?;
            }
        }
        Ok(())
    })
}

/// One row of `names.csv`.
#[derive(Debug, Serialize)]
struct NameRow<'a> {
    cluster_id: u32,
    canonical: SafeText<'a>,
    variant: SafeText<'a>,
    kind: &'static str,
    mentions: u32,
    sources: SafeText<'a>,
}

/// Writes `names.csv`: one row per spelling, by cluster, most mentioned spelling first.
pub fn write_names(out: &mut dyn Write, analysis: &Analysis) -> csv::Result<()> {
    let header = ["cluster_id", "canonical", "variant", "kind", "mentions", "sources"];
    write_table(out, &header, |writer| {
        for cluster in &analysis.names {
            for variant in &cluster.variants {
                let sources = variant
                    .sources
                    .iter()
                    .map(|&(doc, count)| format!("{}:{count}", analysis.documents[doc.0 as usize].source))
                    .collect::<Vec<_>>()
                    .join(";");
                writer.serialize(NameRow {
                    cluster_id: cluster.id,
                    canonical: SafeText(&cluster.canonical),
                    variant: SafeText(&variant.surface),
                    kind: cluster.kind.label(),
                    mentions: variant.mentions,
                    sources: SafeText(&sources),
                })?;
            }
        }
        Ok(())
    })
}

/// One row of `divergences.csv`.
#[derive(Debug, Serialize)]
struct DivergenceRow<'a> {
    severity: &'static str,
    kind: &'static str,
    group_id: SafeText<'a>,
    subject: SafeText<'a>,
    source_a: SafeText<'a>,
    text_a: SafeText<'a>,
    source_b: SafeText<'a>,
    text_b: SafeText<'a>,
    detail: SafeText<'a>,
}

/// Writes `divergences.csv`, the editor's worklist, most severe first.
pub fn write_divergences(out: &mut dyn Write, analysis: &Analysis) -> csv::Result<()> {
    let header =
        ["severity", "kind", "group_id", "subject", "source_a", "text_a", "source_b", "text_b", "detail"];
    write_table(out, &header, |writer| {
        // Findings are ranked, so their texts are all over the corpus: a few rows' texts are
        // touched together before they are written (see `touch_texts`).
        for rows in crate::report::divergences(analysis).chunks(64) {
            touch_texts(
                rows.iter().flat_map(|finding| [&*finding.subject, &finding.text_a, &finding.text_b]),
            );
            for finding in rows {
                writer.serialize(DivergenceRow {
                    severity: finding.severity.label(),
                    kind: finding.kind,
                    group_id: SafeText(&finding.group_id),
                    subject: SafeText(&finding.subject),
                    source_a: SafeText(&finding.source_a),
                    text_a: SafeText(&finding.text_a),
                    source_b: SafeText(&finding.source_b),
                    text_b: SafeText(&finding.text_b),
                    detail: SafeText(&finding.detail),
                })?;
            }
        }
        Ok(())
    })
}

/// Writes `alignments.csv`: every aligned pair, by statement group.
pub fn write_alignments(out: &mut dyn Write, analysis: &Analysis) -> csv::Result<()> {
    // Groups are numbered by position (id = position + 1), so group order is id order.
    debug_assert!(
        analysis.groups.iter().enumerate().all(|(position, group)| group.id as usize == position + 1)
    );
    let rows = crate::align::group_order(&analysis.pairs, analysis.groups.len());
    let header = [
        "group_id",
        "kind",
        "source_a",
        "index_a",
        "text_a",
        "source_b",
        "index_b",
        "text_b",
        "similarity",
        "chrf",
        "chrf_pp",
        "divergence",
        "diff",
    ];
    write_table(out, &header, |_| Ok(()))?;
    write_alignment_rows(out, analysis, &rows, ALIGNMENT_PIECE_ROWS)
}

/// Writes the rows of `alignments.csv` for the pairs at `rows`, in that order, formatted
/// `piece_rows` at a time.
fn write_alignment_rows(
    out: &mut dyn Write,
    analysis: &Analysis,
    rows: &[usize],
    piece_rows: usize,
) -> csv::Result<()> {
    // The most bytes of any report by far (at 1M, 820 MB): its rows are formatted a piece at
    // a time on the thread pool, while this thread writes the pieces before in order (same
    // bytes, as rows do not depend on one another). Written on one thread, it took longer
    // than all the other reports on the other together.
    let format_piece = |positions: &[usize]| -> csv::Result<Vec<u8>> {
        let piece = Vec::with_capacity(positions.len() * ALIGNMENT_ROW_BYTES);
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(piece);
        // The diffs of a statement group's pairs are found together, each unit prepared once
        // (rows in group order keep a group's pairs together and in (a, b) order).
        let pairs = &analysis.pairs;
        for group in positions.chunk_by(|&x, &y| pairs[x].group == pairs[y].group) {
            let (units, at) =
                unit_positions(group.iter().map(|&position| (pairs[position].a, pairs[position].b)));
            // Group order visits units out of corpus order: they are touched together before
            // they are read (see `Analysis::touch`).
            analysis.touch(units.iter().copied());
            let texts: Vec<&str> = units.iter().map(|&unit| analysis.unit(unit).0).collect();
            let mut rows = group.iter().map(|&position| &pairs[position]);
            diff_pairs(&texts, &at, |diff| {
                write_alignment(&mut writer, analysis, rows.next().expect("a row per pair"), diff)
            })?;
        }
        writer.into_inner().map_err(|err| csv::Error::from(err.into_error()))
    };
    let format_piece = &format_piece;
    let mut pieces = rows.chunks(piece_rows);
    // Pieces formatted ahead of the one written, so that the pool always has some to format
    // while this thread writes: four a thread, about 4 MB each. Formatted a batch at a time, the pool
    // idled at the end of every batch until it was written, and the report (all of it past the
    // other reports) kept 1.7 of 2 cores busy at a million sentences.
    let ahead = 4 * rayon::current_num_threads();
    rayon::in_place_scope(|scope| {
        let mut in_flight = std::collections::VecDeque::with_capacity(ahead);
        let mut start_next = |in_flight: &mut std::collections::VecDeque<_>| {
            if let Some(piece) = pieces.next() {
                let (formatted, receiver) = std::sync::mpsc::sync_channel(1);
                // Sent to nobody if writing failed: nothing is lost that would be written.
                scope.spawn(move |_| drop(formatted.send(format_piece(piece))));
                in_flight.push_back(receiver);
            }
        };
        for _ in 0..ahead {
            start_next(&mut in_flight);
        }
        while let Some(receiver) = in_flight.pop_front() {
            let formatted = wait_for(&receiver)?;
            start_next(&mut in_flight);
            out.write_all(&formatted)?;
        }
        Ok(())
    })
}

/// Waits for what `receiver` gets. A thread of the pool runs the pool's jobs meanwhile: the
/// job that sends may be waiting in its own queue (in a pool of one thread, for this one).
fn wait_for<T>(receiver: &std::sync::mpsc::Receiver<T>) -> T {
    loop {
        match receiver.try_recv() {
            Ok(value) => return value,
            Err(std::sync::mpsc::TryRecvError::Empty)
                if rayon::yield_now() == Some(rayon::Yield::Executed) => {}
            // Outside the pool, or no job left to run in it: the sender is running elsewhere.
            Err(_) => return receiver.recv().expect("a job sends before it ends"),
        }
    }
}

/// Rows of `alignments.csv` formatted as one piece (about 4 MB at scale).
const ALIGNMENT_PIECE_ROWS: usize = 8192;
/// Room per row of `alignments.csv`: two sentences and their diff, 490 bytes on average at
/// scale, so that few pieces outgrow their room and are copied.
const ALIGNMENT_ROW_BYTES: usize = 640;

/// One row of `alignments.csv`, for `pair` and its word diff. Its cells are written one by
/// one rather than serialised from a struct: this report is most of the bytes written, and
/// serde's path per cell cost more than the cell.
fn write_alignment(
    writer: &mut csv::Writer<impl Write>,
    analysis: &Analysis,
    pair: &Pair,
    diff: &str,
) -> csv::Result<()> {
    let (text_a, unit_a) = analysis.unit(pair.a);
    let (text_b, unit_b) = analysis.unit(pair.b);
    let mut number = itoa::Buffer::new();
    writer.write_field(number.format(analysis.groups[pair.group as usize].id))?;
    writer.write_field(pair.kind.label())?;
    writer.write_field(SafeText(analysis.source(pair.a.doc)).cell().as_ref())?;
    writer.write_field(number.format(unit_a.index))?;
    writer.write_field(SafeText(text_a).cell().as_ref())?;
    writer.write_field(SafeText(analysis.source(pair.b.doc)).cell().as_ref())?;
    writer.write_field(number.format(unit_b.index))?;
    writer.write_field(SafeText(text_b).cell().as_ref())?;
    for score in [pair.similarity, pair.chrf, pair.chrf_plus_plus] {
        writer.write_field(four_decimals(score).as_bytes())?;
    }
    writer.write_field(pair.divergence.label())?;
    writer.write_field(SafeText(diff).cell().as_ref())?;
    writer.write_record(None::<&[u8]>)
}

/// One row of `duplicates.csv`.
#[derive(Debug, Serialize)]
struct DuplicateRow<'a> {
    level: &'static str,
    source_a: SafeText<'a>,
    source_b: SafeText<'a>,
    similarity: FourDecimals,
    shared_fraction: FourDecimals,
    text_a: SafeText<'a>,
    text_b: SafeText<'a>,
    sources: SafeText<'a>,
}

/// Writes `duplicates.csv`: text copied (near-)identically across sources, with provenance.
pub fn write_duplicates(out: &mut dyn Write, analysis: &Analysis) -> csv::Result<()> {
    let header =
        ["level", "source_a", "source_b", "similarity", "shared_fraction", "text_a", "text_b", "sources"];
    write_table(out, &header, |writer| {
        // A copy's second text is anywhere in the corpus (see `touch_texts`).
        for rows in crate::report::duplicates(analysis).chunks(64) {
            touch_texts(rows.iter().map(|duplicate| duplicate.text_b));
            for duplicate in rows {
                writer.serialize(DuplicateRow {
                    level: duplicate.level,
                    source_a: SafeText(duplicate.source_a),
                    source_b: SafeText(duplicate.source_b),
                    similarity: four_decimals(duplicate.similarity),
                    shared_fraction: four_decimals(duplicate.shared_fraction),
                    text_a: SafeText(duplicate.text_a),
                    text_b: SafeText(duplicate.text_b),
                    sources: SafeText(&duplicate.sources),
                })?;
            }
        }
        Ok(())
    })
}

/// One row of `sources.csv`.
#[derive(Debug, Serialize)]
struct SourceRow<'a> {
    source: SafeText<'a>,
    sentences: usize,
    quotes: usize,
    aligned: usize,
    /// Empty when nothing of the source is aligned.
    mean_similarity: Option<FourDecimals>,
    name_variants: usize,
    defects: usize,
    boilerplate_lines: usize,
}

/// Writes `sources.csv`: one row per source.
pub fn write_sources(out: &mut dyn Write, analysis: &Analysis) -> csv::Result<()> {
    let header = [
        "source",
        "sentences",
        "quotes",
        "aligned",
        "mean_similarity",
        "name_variants",
        "defects",
        "boilerplate_lines",
    ];
    write_table(out, &header, |writer| {
        for summary in crate::report::source_summaries(analysis) {
            writer.serialize(SourceRow {
                source: SafeText(&summary.source),
                sentences: summary.sentences,
                quotes: summary.quotes,
                aligned: summary.aligned,
                mean_similarity: summary.mean_similarity.map(four_decimals),
                name_variants: summary.name_variants,
                defects: summary.defects,
                boilerplate_lines: summary.boilerplate_lines,
            })?;
        }
        Ok(())
    })
}

/// Writes a synthetic corpus: `DIR/corpus/<source>.txt`, and the gold as
/// `DIR/gold/statements.csv` (`source,index,statement`), `DIR/gold/changes.csv`
/// (`source,index,change`: the sentences that state a fact of their statement otherwise, and
/// which: `number`, `negation` or `name`) and `DIR/gold/names.csv` (`name,person`).
pub fn write_synthetic(directory: &Path, synthetic: &crate::synth::Synthetic) -> Result<(), Error> {
    let corpus = directory.join("corpus");
    let gold = directory.join("gold");
    for path in [&corpus, &gold] {
        std::fs::create_dir_all(path).map_err(|source| Error::Write { path: path.clone(), source })?;
    }
    for (source, text) in &synthetic.documents {
        write_atomic(&corpus.join(format!("{source}.txt")), |out| {
            out.write_all(text.as_bytes()).map_err(csv::Error::from)
        })?;
    }
    write_atomic(&gold.join("statements.csv"), |out| {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["source", "index", "statement"])?;
        for (source, index, statement) in &synthetic.statements {
            writer.write_record([source.as_str(), &index.to_string(), &statement.to_string()])?;
        }
        writer.flush()?;
        Ok(())
    })?;
    write_atomic(&gold.join("changes.csv"), |out| {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["source", "index", "change"])?;
        for (source, index, change) in &synthetic.changes {
            writer.write_record([source.as_str(), &index.to_string(), change.divergence().label()])?;
        }
        writer.flush()?;
        Ok(())
    })?;
    write_atomic(&gold.join("names.csv"), |out| {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["name", "person"])?;
        for (name, person) in &synthetic.names {
            writer.write_record([name.as_str(), &person.to_string()])?;
        }
        writer.flush()?;
        Ok(())
    })
}

/// Writes a file atomically: into a temporary file beside it, then renamed over it (see
/// [`Staging`]).
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> csv::Result<()>) -> Result<(), Error> {
    Staging::create(path)?.write(write)?.commit()
}

/// A file written in full into a temporary file beside its path, and not yet in place.
#[must_use = "a staged file is deleted unless committed"]
pub struct Staged {
    temporary: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Staged {
    /// Waits for the disk to hold the file, then renames it over its path. Writing handed the
    /// disk all but the last block as it went (see [`Staging::write`]), but waiting for the
    /// disk to hold it is still waiting, so a caller with more files to write can commit on
    /// another thread.
    pub fn commit(self) -> Result<(), Error> {
        let io_error = |source| Error::Write { path: self.path.clone(), source };
        self.temporary.as_file().sync_all().map_err(io_error)?;
        self.temporary.persist(&self.path).map_err(|err| io_error(err.error))?;
        Ok(())
    }
}

/// An empty temporary file beside its path, to be written and then committed; dropped before
/// that, it is deleted. It gets the permissions any newly created file gets (read-write for
/// all, less the umask), not the owner-only permissions of a temporary file: reports are
/// meant to be shared.
///
/// Created apart from writing so that a caller with several files to write can create them
/// all before writing any: creating a file waits while the disk commits what was written
/// before (about a tenth of a second per report at a million sentences).
#[must_use = "a staging file is deleted unless written and committed"]
pub struct Staging {
    temporary: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Staging {
    /// Creates the temporary file for `path`.
    pub fn create(path: &Path) -> Result<Staging, Error> {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".crosscheck-").suffix(".tmp");
        let create = |direct: bool| {
            builder.make_in(directory, |path| {
                let mut options = std::fs::OpenOptions::new();
                options.read(true).write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o666);
                    #[cfg(target_os = "linux")]
                    if direct {
                        options.custom_flags(rustix::fs::OFlags::DIRECT.bits() as i32);
                    }
                }
                #[cfg(not(target_os = "linux"))]
                let _ = direct;
                options.open(path)
            })
        };
        // A file system without direct I/O (some network and FUSE ones, tmpfs before Linux
        // 6.6) refuses the flag: the file is then written through the page cache.
        let temporary = create(cfg!(target_os = "linux"))
            .or_else(|_| create(false))
            .map_err(|source| Error::Write { path: path.to_path_buf(), source })?;
        Ok(Staging { temporary, path: path.to_path_buf() })
    }

    /// Writes the file in full, a block of a few megabytes at a time, each written by a
    /// thread of its own while the next is filled (see `BlockWriter` in this module).
    pub fn write(self, write: impl FnOnce(&mut dyn Write) -> csv::Result<()>) -> Result<Staged, Error> {
        let Staging { temporary, path } = self;
        let io_error = |source| Error::Write { path: path.clone(), source };
        let (formatted, written) = write_in_blocks(temporary.as_file(), BLOCK_BYTES, |blocks| {
            write(blocks).map_err(|source| Error::Csv { path: path.clone(), source })?;
            blocks.finish().map_err(io_error)
        });
        // A writing thread that failed has the error to report; the formatter's is only that
        // its blocks were no longer taken.
        written.map_err(io_error)?;
        formatted?;
        Ok(Staged { temporary, path })
    }
}

/// How much of a report is handed to the disk at a time.
const BLOCK_BYTES: usize = 4 << 20;

/// What direct I/O asks of a buffer's address, a write's length and a file offset: a multiple
/// of the device's logical block size, which is at most a page.
const DIRECT_ALIGNMENT: usize = 4096;

/// Writes a file in blocks of [`BLOCK_BYTES`], each handed to a writing thread while the next
/// is filled. Reports are opened for direct I/O where the file system allows it (see
/// [`Staging::create`]): their blocks then go from this buffer to the disk, without a copy in
/// the page cache. A gigabyte of reports otherwise fills the page cache with memory never used
/// before, which costs the most on virtual machines that hand freed memory back to their host,
/// and the kernel's own threads then spend CPU writing those pages back. Syncing every 32 MB
/// and dropping it from the page cache (until stop 32) had brought the write stage's system
/// time at a million sentences from 3–4.5 s to 0.85–1.28 s; direct I/O brings it to
/// 0.30–0.35 s (three alternating runs each way). The final sync of [`Staged::commit`] has
/// little left to wait for.
struct BlockWriter {
    /// The block being filled.
    block: Block,
    /// Where filled blocks go to be written: the last with `true`.
    filled: std::sync::mpsc::SyncSender<(Block, bool)>,
    /// Blocks written, to be filled again.
    emptied: std::sync::mpsc::Receiver<Block>,
}

/// Runs `write` with a [`BlockWriter`] to `file` whose blocks are written by another thread,
/// and returns what `write` returned and whether every block was written.
fn write_in_blocks<R>(
    file: &std::fs::File,
    block_bytes: usize,
    write: impl FnOnce(&mut BlockWriter) -> R,
) -> (R, std::io::Result<()>) {
    std::thread::scope(|scope| {
        let (filled, to_write) = std::sync::mpsc::sync_channel::<(Block, bool)>(1);
        let (emptied, to_fill) = std::sync::mpsc::channel();
        // Two blocks: one filled while the other is written.
        emptied.send(Block::new(block_bytes)).expect("the receiver is here");
        let writer = scope.spawn(move || {
            to_write.into_iter().try_for_each(|(mut block, last)| {
                write_block(file, block.filled(), last)?;
                block.length = 0;
                // Once the formatter is done it takes no more blocks.
                let _ = emptied.send(block);
                Ok(())
            })
        });
        let mut blocks = BlockWriter { block: Block::new(block_bytes), filled, emptied: to_fill };
        let formatted = write(&mut blocks);
        // The block writer, and with it the sender of blocks, is dropped: the writing thread
        // then ends.
        drop(blocks);
        (formatted, writer.join().expect("writing a file's blocks does not panic"))
    })
}

/// Writes `bytes` at the end of `file`. A file opened for direct I/O takes only whole aligned
/// blocks: the last block's tail, shorter than one, is written through the page cache.
fn write_block(mut file: &std::fs::File, bytes: &[u8], last: bool) -> std::io::Result<()> {
    let whole = if last { bytes.len() / DIRECT_ALIGNMENT * DIRECT_ALIGNMENT } else { bytes.len() };
    let start = file.stream_position()?;
    if let Err(err) = file.write_all(&bytes[..whole]) {
        // A file system may take the flag on opening and then refuse direct writes: this block
        // and the rest go through the page cache, from where the block started.
        if err.kind() != std::io::ErrorKind::InvalidInput || !stop_direct_io(file)? {
            return Err(err);
        }
        file.seek(std::io::SeekFrom::Start(start))?;
        file.write_all(&bytes[..whole])?;
    }
    if whole < bytes.len() {
        stop_direct_io(file)?;
    }
    file.write_all(&bytes[whole..])
}

/// Writes to `file` through the page cache from now on, and returns whether it had been
/// written with direct I/O.
fn stop_direct_io(file: &std::fs::File) -> std::io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        let flags = rustix::fs::fcntl_getfl(file)?;
        if flags.contains(rustix::fs::OFlags::DIRECT) {
            rustix::fs::fcntl_setfl(file, flags - rustix::fs::OFlags::DIRECT)?;
            return Ok(true);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
    Ok(false)
}

impl BlockWriter {
    /// Hands the last block to the writing thread. Until this is called the tail of the file
    /// is not written.
    fn finish(&mut self) -> std::io::Result<()> {
        let block = std::mem::replace(&mut self.block, Block::empty());
        self.hand_off(block, true)
    }

    fn hand_off(&mut self, block: Block, last: bool) -> std::io::Result<()> {
        self.filled.send((block, last)).map_err(|_| writing_stopped())
    }
}

/// What the formatter of a file is told when the file's writing thread has stopped, which it
/// does only on failing, and that error is the one reported (see [`Staging::write`]).
fn writing_stopped() -> std::io::Error {
    std::io::Error::other("the file's writing thread stopped")
}

impl Write for BlockWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let taken = self.block.append(buf);
        if self.block.is_full() {
            let next = self.emptied.recv().map_err(|_| writing_stopped())?;
            let full = std::mem::replace(&mut self.block, next);
            self.hand_off(full, false)?;
        }
        Ok(taken)
    }

    /// Blocks are written whole: only [`BlockWriter::finish`] writes a block before it is full.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A buffer whose bytes start at an address aligned for direct I/O.
struct Block {
    bytes: Vec<u8>,
    /// Where the aligned bytes start in `bytes`.
    start: usize,
    capacity: usize,
    length: usize,
}

impl Block {
    fn new(capacity: usize) -> Block {
        let bytes = vec![0; capacity + DIRECT_ALIGNMENT];
        let start = bytes.as_ptr().align_offset(DIRECT_ALIGNMENT);
        Block { bytes, start, capacity, length: 0 }
    }

    fn empty() -> Block {
        Block { bytes: Vec::new(), start: 0, capacity: 0, length: 0 }
    }

    /// Copies as much of `buf` as fits, and returns how much that was.
    fn append(&mut self, buf: &[u8]) -> usize {
        let taken = buf.len().min(self.capacity - self.length);
        let at = self.start + self.length;
        self.bytes[at..at + taken].copy_from_slice(&buf[..taken]);
        self.length += taken;
        taken
    }

    fn is_full(&self) -> bool {
        self.length == self.capacity
    }

    fn filled(&self) -> &[u8] {
        &self.bytes[self.start..self.start + self.length]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shortcut prints what Rust's formatting prints, ties and all.
        #[test]
        fn four_decimals_is_rusts_formatting(
            value in 0.0f64..=100.0,
            tenths in 0u32..1_000_000,
            large in 0.0f64..1e12,
        ) {
            let printed = |value: f64| String::from_utf8(four_decimals(value).as_bytes().to_vec());
            proptest::prop_assert_eq!(printed(value), Ok(format!("{value:.4}")));
            proptest::prop_assert_eq!(printed(large), Ok(format!("{large:.4}")));
            let near_tie = f64::from(tenths) / 10_000.0 + 0.000_05;
            proptest::prop_assert_eq!(printed(near_tie), Ok(format!("{near_tie:.4}")));
        }
    }

    fn cell(text: &str) -> String {
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        writer.serialize([SafeText(text)]).expect("in-memory write");
        String::from_utf8(writer.into_inner().expect("in-memory flush")).expect("csv output is UTF-8")
    }

    #[test]
    fn alignment_rows_formatted_in_pieces_are_the_rows_formatted_at_once() {
        let documents = crate::load::load(
            &[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")],
            &Default::default(),
        )
        .documents;
        let analysis =
            crate::pipeline::analyse(documents, &crate::pipeline::Config::default()).expect("analyses");
        let rows = crate::align::group_order(&analysis.pairs, analysis.groups.len());
        assert!(rows.len() > 20, "the seed corpus has {} aligned pairs", rows.len());
        let written = |piece_rows: usize| {
            let mut out = Vec::new();
            write_alignment_rows(&mut out, &analysis, &rows, piece_rows).expect("writes to memory");
            out
        };
        let at_once = written(usize::MAX);
        // Pieces of a few rows: many in flight, written while the next are formatted, in a
        // pool of one thread (which formats them while it waits) and one of two.
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool starts");
            for piece_rows in [1, 3, 7] {
                assert!(
                    pool.install(|| written(piece_rows)) == at_once,
                    "{threads} threads, {piece_rows} rows a piece"
                );
            }
        }
        assert_eq!(String::from_utf8(at_once).expect("UTF-8").lines().count(), rows.len());
    }

    #[test]
    fn a_file_written_in_blocks_holds_everything_written() {
        // Small blocks; lengths around them and the direct I/O alignment: a tail shorter than
        // an aligned piece, none, and several blocks.
        let block = 2 * DIRECT_ALIGNMENT;
        let directory = tempfile::tempdir().expect("temporary directory");
        for length in [0, 1, DIRECT_ALIGNMENT - 1, DIRECT_ALIGNMENT, block, block + 1, 5 * block + 4097] {
            let text: Vec<u8> = (0..length).map(|at| b'a' + (at % 26) as u8).collect();
            let path = directory.path().join(format!("{length}.csv"));
            let staging = Staging::create(&path).expect("created");
            let (formatted, written) = write_in_blocks(staging.temporary.as_file(), block, |blocks| {
                // In uneven pieces, so that blocks fill in the middle of a write.
                text.chunks(777).try_for_each(|piece| blocks.write_all(piece))?;
                blocks.finish()
            });
            formatted.expect("formatted");
            written.expect("written");
            Staged { temporary: staging.temporary, path: path.clone() }.commit().expect("committed");
            assert!(std::fs::read(&path).expect("read") == text, "{length} bytes");
        }
    }

    #[test]
    fn a_block_direct_io_refuses_goes_through_the_page_cache() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let path = directory.path().join("report.csv");
        let staging = Staging::create(&path).expect("created");
        let file = staging.temporary.as_file();
        // Not the last block, and of no aligned length: where the file is written with direct
        // I/O, the kernel refuses it (EINVAL), and it is written again through the page cache.
        write_block(file, b"a,b\n", false).expect("written");
        write_block(file, b"1,2\n", true).expect("written");
        assert!(!stop_direct_io(file).expect("flags read"), "direct I/O is off after a refused write");
        Staged { temporary: staging.temporary, path: path.clone() }.commit().expect("committed");
        assert_eq!(std::fs::read(&path).expect("read"), b"a,b\n1,2\n");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"\n");
        assert_eq!(cell("+1"), "'+1\n");
        assert_eq!(cell("-1"), "'-1\n");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)\n");
        assert_eq!(cell("\tx"), "'\tx\n");
    }

    #[test]
    fn reports_get_the_permissions_of_any_new_file() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let report = directory.path().join("report.csv");
        write_atomic(&report, |out| Ok(out.write_all(b"a,b\n")?)).expect("written");
        let created = directory.path().join("created.csv");
        std::fs::File::create(&created).expect("created");
        let permissions = |path: &Path| std::fs::metadata(path).expect("metadata").permissions();
        assert_eq!(permissions(&report), permissions(&created));
        assert_eq!(std::fs::read(&report).expect("read"), b"a,b\n");
    }

    #[test]
    fn a_staged_report_is_in_place_only_once_committed() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let report = directory.path().join("report.csv");
        std::fs::write(&report, b"old\n").expect("an earlier report");
        let entries = || std::fs::read_dir(directory.path()).expect("listed").count();
        let stage = || {
            let staging = Staging::create(&report).expect("created");
            staging.write(|out| Ok(out.write_all(b"new\n")?)).expect("staged")
        };
        let staged = stage();
        assert_eq!(std::fs::read(&report).expect("read"), b"old\n");
        drop(staged);
        assert_eq!((std::fs::read(&report).expect("read"), entries()), (b"old\n".to_vec(), 1));
        stage().commit().expect("committed");
        assert_eq!((std::fs::read(&report).expect("read"), entries()), (b"new\n".to_vec(), 1));
    }

    proptest::proptest! {
        /// However long, a cell fits a spreadsheet's; it keeps as much of the text as fits, and
        /// says how much it left out.
        #[test]
        fn cells_fit_a_spreadsheet_cell(
            repeats in 1usize..12_000,
            piece in "[a-zé€😀=;, ]{1,4}",
            formula in proptest::bool::ANY,
        ) {
            let text = format!("{}{}", if formula { "=" } else { "" }, piece.repeat(repeats));
            let cell = spreadsheet_cell(&text, formula);
            proptest::prop_assert!(cell.len() <= CELL_LIMIT);
            let kept = cell.strip_prefix('\'').unwrap_or(&cell);
            proptest::prop_assert_eq!(cell.len() > kept.len(), formula);
            if formula as usize + text.len() <= CELL_LIMIT {
                proptest::prop_assert_eq!(kept, text.as_str());
            } else {
                let (prefix, note) = kept.rsplit_once('…').expect("a note on what was cut");
                // Cut within the last character that would not fit whole, and the quote's byte.
                proptest::prop_assert!(text.starts_with(prefix) && prefix.len() + NOTE_ROOM + 4 >= CELL_LIMIT);
                let left_out = text[prefix.len()..].chars().count();
                let expected = format!(" [{left_out} more characters left out");
                proptest::prop_assert!(note.starts_with(&expected), "{}", note);
            }
        }
    }

    #[test]
    fn ordinary_cells_are_untouched() {
        assert_eq!(cell("Witkoff's \"deal\""), "\"Witkoff's \"\"deal\"\"\"\n");
        assert_eq!(cell("a-b"), "a-b\n");
    }
}
