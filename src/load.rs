//! Ingest: turns paths into decoded [`Document`]s, reporting bad input without stopping.
//!
//! Accepts directories (recursive, `.txt` and `.md`, sorted by path so the order never
//! depends on the file system), single text files, JSONL and CSV files of records
//! (`source`, `text`, optional `id`, `title`, `date`, `url`), and `-` for JSONL on stdin.
//! Inside directories, `README` files and hidden files are corpus metadata, not articles.
//! Text files are decoded from UTF-8 (with or without BOM), UTF-16 with a BOM, or a detected
//! legacy encoding (windows-1251, windows-1252, KOI8-R, ...), which is recorded. This module
//! and `output` are the only ones that do I/O.

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::error::Diagnostic;
use crate::model::{DocId, Document};

/// Limits applied while loading.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Lines longer than this many bytes are reported and blanked: no article has them, and
    /// carrying them into every later stage would cost memory for nothing.
    pub max_line_bytes: usize,
    /// Where this run writes its reports (a directory or a file). A JSONL or CSV file found
    /// there while reading a directory is an earlier run's report, left out without a word.
    pub output: Option<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { max_line_bytes: 1 << 20, output: None }
    }
}

/// Everything loaded, plus what went wrong on the way.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Documents in input order (directories sorted by path), with ids assigned in that order.
    pub documents: Vec<Document>,
    /// Problems with individual files or records.
    pub diagnostics: Vec<Diagnostic>,
}

/// The path meaning "read JSONL from standard input".
pub const STDIN: &str = "-";

/// Loads every input; a bad file or record becomes a diagnostic and the rest still load.
pub fn load(inputs: &[PathBuf], options: &LoadOptions) -> Loaded {
    let mut loaded = Loaded::default();
    for input in inputs {
        if input.as_os_str() == STDIN {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => load_jsonl(input, &bytes, options, &mut loaded),
                Err(err) => loaded
                    .diagnostics
                    .push(Diagnostic::error(input, format!("cannot read standard input: {err}"))),
            }
        } else if input.is_dir() {
            load_directory(input, options, &mut loaded);
        } else {
            let name = input.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
            load_file(input, &name, options, &mut loaded);
        }
    }
    for (position, document) in loaded.documents.iter_mut().enumerate() {
        document.id = DocId(position as u32);
    }
    loaded
}

fn load_directory(root: &Path, options: &LoadOptions, loaded: &mut Loaded) {
    /// A directory entry to load, or what to say of it instead.
    enum Found {
        File { path: PathBuf, source: String },
        Reported(Diagnostic),
    }
    let output = options.output.as_deref().and_then(|output| output.canonicalize().ok());
    let is_output = |path: &Path| {
        output.as_deref().is_some_and(|output| path.canonicalize().is_ok_and(|path| path.starts_with(output)))
    };
    let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name();
    let found: Vec<Found> = walker
        .into_iter()
        .filter_map(|entry| match entry {
            Ok(entry) if !entry.file_type().is_file() || is_corpus_metadata(entry.path()) => None,
            Ok(entry) if is_text_extension(entry.path()) => {
                let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                Some(Found::File { source: source_name(relative), path: entry.into_path() })
            }
            // A file of records in a folder of articles may be a corpus, or an earlier run's
            // report kept elsewhere: which, only the user knows, so it is named rather than
            // guessed at.
            Ok(entry) if record_format(entry.path()).is_some() && !is_output(entry.path()) => {
                let skipped = "JSONL and CSV files are read only when named as inputs, not found in a directory; skipped";
                Some(Found::Reported(Diagnostic::warning(entry.path(), skipped)))
            }
            Ok(_) => None,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                Some(Found::Reported(Diagnostic::error(path, format!("cannot read: {err}"))))
            }
        })
        .collect();
    // Files are read and decoded in parallel, each into a `Loaded` of its own, and joined in
    // path order: the result is the same as loading them one after another.
    let each: Vec<Loaded> = found
        .into_par_iter()
        .map(|found| {
            let mut one = Loaded::default();
            match found {
                Found::File { path, source } => load_file(&path, &source, options, &mut one),
                Found::Reported(diagnostic) => one.diagnostics.push(diagnostic),
            }
            one
        })
        .collect();
    let before = loaded.documents.len();
    for one in each {
        loaded.documents.extend(one.documents);
        loaded.diagnostics.extend(one.diagnostics);
    }
    if loaded.documents.len() == before {
        loaded.diagnostics.push(Diagnostic::error(root, "no readable .txt or .md files in this directory"));
    }
}

/// A corpus folder's own documentation (`README.md`) and hidden files are not articles.
fn is_corpus_metadata(path: &Path) -> bool {
    let name = path.file_name().map(|name| name.to_string_lossy()).unwrap_or_default();
    name.starts_with('.') || path.file_stem().is_some_and(|stem| stem.eq_ignore_ascii_case("readme"))
}

fn is_text_extension(path: &Path) -> bool {
    matches!(extension(path).as_deref(), Some("txt" | "md"))
}

/// How a file of records (one document each) is written.
enum RecordFormat {
    Jsonl,
    Csv,
}

/// The record format a path's extension names, if any; any other file is text.
fn record_format(path: &Path) -> Option<RecordFormat> {
    match extension(path).as_deref() {
        Some("jsonl" | "ndjson") => Some(RecordFormat::Jsonl),
        Some("csv") => Some(RecordFormat::Csv),
        _ => None,
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|ext| ext.to_string_lossy().to_ascii_lowercase())
}

/// A relative path without its extension, with `/` separators on every platform.
fn source_name(relative: &Path) -> String {
    let without_extension = relative.with_extension("");
    let parts: Vec<String> =
        without_extension.components().map(|part| part.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

fn load_file(path: &Path, name: &str, options: &LoadOptions, loaded: &mut Loaded) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            let reason = match err.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
                _ => err.to_string(),
            };
            loaded.diagnostics.push(Diagnostic::error(path, format!("cannot read: {reason}")));
            return;
        }
    };
    match record_format(path) {
        Some(RecordFormat::Jsonl) => load_jsonl(path, &bytes, options, loaded),
        Some(RecordFormat::Csv) => load_csv(path, &bytes, options, loaded),
        None => load_text(path, name, bytes, options, loaded),
    }
}

fn load_text(path: &Path, name: &str, bytes: Vec<u8>, options: &LoadOptions, loaded: &mut Loaded) {
    let decoded = match decode(bytes) {
        Ok(decoded) => decoded,
        Err(problem) => {
            loaded.diagnostics.push(problem.into_diagnostic(path));
            return;
        }
    };
    if let Some(problem) = decoded.problem {
        loaded.diagnostics.push(problem.into_diagnostic(path));
    }
    let document = Document {
        id: DocId(0),
        source: name.to_owned(),
        path: path.to_path_buf(),
        record_line: None,
        encoding: decoded.encoding,
        text: decoded.text,
        title: None,
        date: None,
        url: None,
    };
    push_document(document, options, loaded);
}

/// Checks a document's size and lines, then keeps it.
fn push_document(mut document: Document, options: &LoadOptions, loaded: &mut Loaded) {
    let first_line = document.record_line.unwrap_or(1);
    let at = |line: u64| if document.record_line.is_some() { first_line } else { line };
    if document.text.trim().is_empty() {
        let diagnostic = match document.record_line {
            Some(line) => Diagnostic::error_at(&document.path, line, "empty text, record skipped"),
            None => Diagnostic::error(&document.path, "empty file, skipped"),
        };
        loaded.diagnostics.push(diagnostic);
        return;
    }
    if document.text.len() >= u32::MAX as usize {
        loaded.diagnostics.push(Diagnostic::error(&document.path, "document larger than 4 GiB, skipped"));
        return;
    }
    if document.text.len() > options.max_line_bytes {
        let mut oversized = Vec::new();
        let mut offset = 0;
        for (line_idx, line) in document.text.split('\n').enumerate() {
            if line.len() > options.max_line_bytes {
                oversized.push((line_idx as u64 + 1, offset, line.len()));
            }
            offset += line.len() + 1;
        }
        // Blank oversized lines in place (keeping line numbers) from the back, so earlier
        // offsets stay valid.
        for &(line, start, len) in oversized.iter().rev() {
            document.text.replace_range(start..start + len, "");
            loaded.diagnostics.push(Diagnostic::error_at(
                &document.path,
                at(line),
                format!("line of {len} bytes exceeds the {} byte limit, left out", options.max_line_bytes),
            ));
        }
        if document.text.trim().is_empty() {
            return;
        }
    }
    loaded.documents.push(document);
}

/// Decoded text and what it was decoded from.
#[derive(Debug)]
struct Decoded {
    text: String,
    encoding: &'static str,
    /// Something worth telling the user although the text was kept.
    problem: Option<DecodeProblem>,
}

/// Why bytes could not be decoded cleanly.
#[derive(Debug, PartialEq, Eq)]
enum DecodeProblem {
    Binary { line: u64 },
    InvalidUtf8 { line: u64, column: u64, count: usize },
    Legacy { encoding: &'static str },
    Replaced { encoding: &'static str },
}

impl DecodeProblem {
    fn into_diagnostic(self, path: &Path) -> Diagnostic {
        match self {
            DecodeProblem::Binary { line } => {
                Diagnostic::error_at(path, line, "binary file (NUL byte), skipped")
            }
            DecodeProblem::InvalidUtf8 { line, column, count } => Diagnostic::error_at(
                path,
                line,
                format!("invalid UTF-8 at column {column} ({count} bad sequence(s) replaced with U+FFFD)"),
            ),
            DecodeProblem::Legacy { encoding } => {
                Diagnostic::warning(path, format!("not UTF-8; decoded as {encoding} (detected)"))
            }
            DecodeProblem::Replaced { encoding } => {
                Diagnostic::error(path, format!("malformed {encoding}; bad sequences replaced with U+FFFD"))
            }
        }
    }
}

/// Decodes a text file's bytes.
fn decode(bytes: Vec<u8>) -> Result<Decoded, DecodeProblem> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(&bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        let problem = had_errors.then_some(DecodeProblem::Replaced { encoding: encoding.name() });
        return Ok(Decoded { text: text.into_owned(), encoding: encoding.name(), problem });
    }
    if let Some(position) = bytes.iter().position(|&byte| byte == 0) {
        return Err(DecodeProblem::Binary { line: line_of(&bytes, position) });
    }
    // Valid UTF-8, the common case, becomes the text without a copy.
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded { text, encoding: "UTF-8", problem: None }),
        Err(invalid) => {
            let first_error = invalid.utf8_error();
            let bytes = invalid.as_bytes();
            let mut good_multibyte = 0usize;
            let mut bad = 0usize;
            for chunk in bytes.utf8_chunks() {
                good_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
                bad += usize::from(!chunk.invalid().is_empty());
            }
            if good_multibyte >= bad {
                // Mostly UTF-8 with a few broken sequences: keep it as UTF-8 and say where.
                let position = first_error.valid_up_to();
                let line_start = bytes[..position].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let column = String::from_utf8_lossy(&bytes[line_start..position]).chars().count() as u64 + 1;
                let problem =
                    DecodeProblem::InvalidUtf8 { line: line_of(bytes, position), column, count: bad };
                let text = String::from_utf8_lossy(bytes).into_owned();
                return Ok(Decoded { text, encoding: "UTF-8", problem: Some(problem) });
            }
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let encoding = detector.guess(None, true);
            let (text, _, _) = encoding.decode(bytes);
            Ok(Decoded {
                text: text.into_owned(),
                encoding: encoding.name(),
                problem: Some(DecodeProblem::Legacy { encoding: encoding.name() }),
            })
        }
    }
}

fn line_of(bytes: &[u8], position: usize) -> u64 {
    bytes[..position].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// One JSONL object or CSV row.
#[derive(Debug, Deserialize)]
struct Record {
    source: Option<String>,
    text: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    id: Option<String>,
    title: Option<String>,
    date: Option<String>,
    url: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(Option::<Id>::deserialize(deserializer)?.map(|id| match id {
        Id::Text(text) => text,
        Id::Number(number) => number.to_string(),
    }))
}

fn record_document(path: &Path, line: u64, record: Record) -> Result<Document, Diagnostic> {
    let missing = |field: &str| Diagnostic::error_at(path, line, format!("record has no `{field}`, skipped"));
    let source = record.source.filter(|s| !s.trim().is_empty()).ok_or_else(|| missing("source"))?;
    let text = record.text.ok_or_else(|| missing("text"))?;
    let non_empty = |value: Option<String>| value.filter(|v| !v.is_empty());
    let id = non_empty(record.id);
    Ok(Document {
        id: DocId(0),
        source: match &id {
            Some(id) => format!("{}/{}", source.trim(), id),
            None => source.trim().to_owned(),
        },
        path: path.to_path_buf(),
        record_line: Some(line),
        encoding: "UTF-8",
        text,
        title: non_empty(record.title),
        date: non_empty(record.date),
        url: non_empty(record.url),
    })
}

fn load_jsonl(path: &Path, bytes: &[u8], options: &LoadOptions, loaded: &mut Loaded) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let before = loaded.documents.len();
    let mut records = 0usize;
    for (line_idx, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = line_idx as u64 + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        records += 1;
        let record = match serde_json::from_slice::<Record>(line) {
            Ok(record) => record,
            Err(err) => {
                loaded.diagnostics.push(Diagnostic::error_at(
                    path,
                    line_no,
                    format!("malformed JSON record ({err}), skipped"),
                ));
                continue;
            }
        };
        match record_document(path, line_no, record) {
            Ok(document) => push_document(document, options, loaded),
            Err(diagnostic) => loaded.diagnostics.push(diagnostic),
        }
    }
    if records == 0 {
        loaded.diagnostics.push(Diagnostic::error(path, "no JSONL records"));
    } else if loaded.documents.len() == before {
        loaded.diagnostics.push(Diagnostic::error(path, "no usable records"));
    }
}

fn load_csv(path: &Path, bytes: &[u8], options: &LoadOptions, loaded: &mut Loaded) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(err) => {
            loaded.diagnostics.push(Diagnostic::error_at(path, 1, format!("cannot read CSV header: {err}")));
            return;
        }
    };
    let missing: Vec<&str> = ["source", "text"]
        .into_iter()
        .filter(|column| !headers.iter().any(|h| h.trim() == *column))
        .collect();
    if !missing.is_empty() {
        let message = format!(
            "CSV header lacks column(s) {}; found {}, file skipped",
            missing.join(", "),
            headers.iter().collect::<Vec<_>>().join(",")
        );
        loaded.diagnostics.push(Diagnostic::error_at(path, 1, message));
        return;
    }
    let before = loaded.documents.len();
    for result in reader.records() {
        let row = match result {
            Ok(row) => row,
            Err(err) => {
                let line = err.position().map_or(0, |position| position.line());
                let reason = match err.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("row has {len} fields, header has {expected_len}")
                    }
                    _ => err.to_string(),
                };
                loaded.diagnostics.push(Diagnostic::error_at(
                    path,
                    line,
                    format!("malformed CSV row ({reason}), skipped"),
                ));
                continue;
            }
        };
        let line = row.position().map_or(0, |position| position.line());
        let parsed = row.deserialize::<Record>(Some(&headers));
        match parsed
            .map_err(|err| Diagnostic::error_at(path, line, format!("malformed CSV row ({err}), skipped")))
        {
            Ok(record) => match record_document(path, line, record) {
                Ok(document) => push_document(document, options, loaded),
                Err(diagnostic) => loaded.diagnostics.push(diagnostic),
            },
            Err(diagnostic) => loaded.diagnostics.push(diagnostic),
        }
    }
    if loaded.documents.len() == before {
        loaded.diagnostics.push(Diagnostic::error(path, "no usable CSV rows"));
    }
}

/// Gold and reports read back for evaluation.
#[derive(Debug, Default)]
pub struct EvaluationInput {
    /// Gold: which sentence expresses which statement.
    pub statements: Vec<((String, u32), u32)>,
    /// Gold: which spelling names which person.
    pub names: Vec<(String, u32)>,
    /// Gold: which sentences state a fact of their statement otherwise, with the divergence
    /// that shows (none where the gold has no `changes.csv`).
    pub changes: Vec<((String, u32), crate::divergence::Divergence)>,
    /// Report: aligned sentence pairs.
    pub pairs: Vec<crate::evaluate::PredictedPair>,
    /// Report: spelling -> name cluster.
    pub clusters: std::collections::HashMap<String, u32>,
}

/// Reads `GOLD/statements.csv`, `GOLD/names.csv`, `GOLD/changes.csv` (where there is one:
/// gold written before `synth` changed facts has none), `REPORTS/alignments.csv` and
/// `REPORTS/names.csv`. Errors name the file and line.
pub fn read_evaluation(gold: &Path, reports: &Path) -> Result<EvaluationInput, Diagnostic> {
    let mut input = EvaluationInput::default();
    for_each_row(&gold.join("statements.csv"), &["source", "index", "statement"], |row| {
        input.statements.push(((row[0].to_owned(), parse(&row[1])?), parse(&row[2])?));
        Ok(())
    })?;
    for_each_row(&gold.join("names.csv"), &["name", "person"], |row| {
        input.names.push((row[0].to_owned(), parse(&row[1])?));
        Ok(())
    })?;
    let changes = gold.join("changes.csv");
    if changes.exists() {
        for_each_row(&changes, &["source", "index", "change"], |row| {
            let change = crate::divergence::Divergence::from_label(&row[2])
                .filter(|divergence| divergence.is_specific())
                .ok_or_else(|| format!("`{}` is not a change (number, negation or name)", row[2]))?;
            input.changes.push(((row[0].to_owned(), parse(&row[1])?), change));
            Ok(())
        })?;
    }
    for_each_row(
        &reports.join("alignments.csv"),
        &["kind", "source_a", "index_a", "source_b", "index_b", "divergence"],
        |row| {
            if &row[0] == "sentence" {
                input.pairs.push(crate::evaluate::PredictedPair {
                    a: (row[1].to_owned(), parse(&row[2])?),
                    b: (row[3].to_owned(), parse(&row[4])?),
                    divergence: crate::divergence::Divergence::from_label(&row[5])
                        .ok_or_else(|| format!("`{}` is not a divergence", row[5]))?,
                });
            }
            Ok(())
        },
    )?;
    for_each_row(&reports.join("names.csv"), &["variant", "cluster_id"], |row| {
        input.clusters.insert(row[0].to_owned(), parse(&row[1])?);
        Ok(())
    })?;
    Ok(input)
}

fn parse<T: std::str::FromStr>(field: &str) -> Result<T, String> {
    field.parse().map_err(|_| format!("`{field}` is not a number"))
}

/// Calls `each` with the named columns of every row of a CSV file.
fn for_each_row(
    path: &Path,
    columns: &[&str],
    mut each: impl FnMut(&[String]) -> Result<(), String>,
) -> Result<(), Diagnostic> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|err| Diagnostic::error(path, format!("cannot read: {err}")))?;
    let headers = reader.headers().map_err(|err| Diagnostic::error_at(path, 1, err.to_string()))?.clone();
    let positions: Vec<usize> = columns
        .iter()
        .map(|column| {
            headers
                .iter()
                .position(|h| h == *column)
                .ok_or_else(|| Diagnostic::error_at(path, 1, format!("no `{column}` column")))
        })
        .collect::<Result<_, _>>()?;
    for record in reader.records() {
        let record = record.map_err(|err| {
            Diagnostic::error_at(
                path,
                err.position().map_or(0, |p| p.line()),
                format!("malformed row ({err})"),
            )
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let fields: Vec<String> = positions.iter().map(|&i| record.get(i).unwrap_or("").to_owned()).collect();
        each(&fields).map_err(|message| Diagnostic::error_at(path, line, message))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory is loaded in parallel, but documents and diagnostics come out in path
    /// order, as loading its files one by one gives them.
    #[test]
    fn directory_loads_in_path_order_whatever_the_threads() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let files: [(&str, &[u8]); 6] = [
            ("a.txt", b"First article."),
            ("b.txt", b"Binary\x00data"),
            ("c.txt", b"A bad \xFF byte."),
            ("d.txt", b"   "),
            ("e/f.md", b"Nested article."),
            ("g.txt", b"Last article."),
        ];
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("writable");
            std::fs::write(path, bytes).expect("writable");
        }
        let mut one_by_one = Loaded::default();
        for (name, _) in files {
            let source = name.trim_end_matches(".txt").trim_end_matches(".md");
            load_file(&dir.path().join(name), source, &LoadOptions::default(), &mut one_by_one);
        }
        let describe = |loaded: &Loaded| {
            let documents: Vec<_> =
                loaded.documents.iter().map(|d| (d.source.clone(), d.text.clone())).collect();
            let diagnostics: Vec<_> = loaded.diagnostics.iter().map(ToString::to_string).collect();
            (documents, diagnostics)
        };
        let expected = describe(&one_by_one);
        assert_eq!(expected.0.len(), 4, "{expected:?}");
        assert_eq!(expected.1.len(), 3, "{expected:?}");
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
            let loaded = pool.install(|| load(&[dir.path().to_path_buf()], &LoadOptions::default()));
            assert_eq!(describe(&loaded), expected, "{threads} threads");
            assert!(loaded.documents.iter().enumerate().all(|(at, d)| d.id == DocId(at as u32)));
        }
    }
}
