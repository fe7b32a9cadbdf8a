//! Plain data shared by the stages: documents, spans, units and defects.

use std::path::PathBuf;

/// Lowercase surname spelling -> name cluster id, for spellings that belong to one cluster:
/// alignment and divergence look up every word in it.
pub type NameIndex = rustc_hash::FxHashMap<compact_str::CompactString, u32>;

/// Index of a document in the loaded corpus, in load order (which is sorted and stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub u32);

/// A half-open byte range into a document's original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `usize` offsets; documents are limited to 4 GiB by the loader.
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start: start as u32, end: end as u32 }
    }

    /// The text this span covers.
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start as usize..self.end as usize]
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// One article as loaded: where it came from and its decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Position in the corpus.
    pub id: DocId,
    /// The source's name: a file's path relative to the folder given, without extension, or a
    /// record's `source` field (with `/id` appended when the record has an id).
    pub source: String,
    /// The file it was read from (`-` for standard input).
    pub path: PathBuf,
    /// One-based line of the record in a JSONL or CSV file; `None` for plain text files.
    pub record_line: Option<u64>,
    /// The encoding the bytes were decoded from, as a WHATWG label such as `UTF-8`.
    pub encoding: &'static str,
    /// The decoded, otherwise untouched text.
    pub text: String,
    /// Optional title from a JSONL or CSV record.
    pub title: Option<String>,
    /// Optional date from a JSONL or CSV record.
    pub date: Option<String>,
    /// Optional URL from a JSONL or CSV record.
    pub url: Option<String>,
}

impl Document {
    /// A document from text in memory (tests, benches, library callers): UTF-8, no record
    /// metadata, its path is its source name.
    pub fn new(id: DocId, source: impl Into<String>, text: impl Into<String>) -> Document {
        let source = source.into();
        Document {
            id,
            path: PathBuf::from(&source),
            source,
            record_line: None,
            encoding: "UTF-8",
            text: text.into(),
            title: None,
            date: None,
            url: None,
        }
    }
}

/// What a line of a document is, decided before segmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineClass {
    /// Article prose (or a headline of the article): segmented into sentences and quotes.
    Prose,
    /// Site or app chrome, set aside by the rule named.
    Boilerplate(BoilerplateRule),
}

/// Why a line was set aside as boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BoilerplateRule {
    /// The same line occurs in several documents of the corpus.
    Repeated,
    /// Interface vocabulary: images, logos, badges, share buttons, "continue reading".
    Interface,
    /// A call to action: download the app, subscribe, follow us, discover the latest.
    Promotion,
    /// Copyright and platform notices.
    Legal,
    /// A navigation or link line: separators between short items, or mostly a URL.
    Navigation,
    /// An image caption: a short line ending in a date or a photo credit.
    Caption,
    /// A short unpunctuated line (section label, kicker, date) before the article starts.
    Masthead,
    /// A short line in the run of chrome that closes a page.
    Footer,
}

impl BoilerplateRule {
    /// The label written to CSV.
    pub fn label(self) -> &'static str {
        match self {
            BoilerplateRule::Repeated => "repeated",
            BoilerplateRule::Interface => "interface",
            BoilerplateRule::Promotion => "promotion",
            BoilerplateRule::Legal => "legal",
            BoilerplateRule::Navigation => "navigation",
            BoilerplateRule::Caption => "caption",
            BoilerplateRule::Masthead => "masthead",
            BoilerplateRule::Footer => "footer",
        }
    }
}

/// Whether a quote is a statement someone made or a short phrase picked out of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QuoteForm {
    /// A clause or more, attributed speech.
    Statement,
    /// A scare quote or a few words ("traitor", "nothing concerning").
    Fragment,
}

/// What a unit of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKind {
    /// A sentence of prose; `heading` marks a line that is a unit of its own with no final
    /// punctuation (a headline or sub-head).
    Sentence {
        /// The line is a headline or sub-head.
        heading: bool,
    },
    /// The inside of a quotation.
    Quote {
        /// Statement or fragment.
        form: QuoteForm,
        /// Inside another quote.
        nested: bool,
        /// Opened but never closed in its paragraph; recovered at the paragraph end.
        unclosed: bool,
    },
    /// A line set aside as site chrome.
    Boilerplate(BoilerplateRule),
}

impl UnitKind {
    /// `sentence`, `quote` or `boilerplate`.
    pub fn label(&self) -> &'static str {
        match self {
            UnitKind::Sentence { .. } => "sentence",
            UnitKind::Quote { .. } => "quote",
            UnitKind::Boilerplate(_) => "boilerplate",
        }
    }

    /// Extra facts about the unit, `;`-joined (`heading`, `statement;nested`, `footer`).
    pub fn detail(&self) -> String {
        match *self {
            UnitKind::Sentence { heading } => if heading { "heading" } else { "" }.to_owned(),
            UnitKind::Quote { form, nested, unclosed } => {
                let mut detail = match form {
                    QuoteForm::Statement => "statement",
                    QuoteForm::Fragment => "fragment",
                }
                .to_owned();
                if nested {
                    detail.push_str(";nested");
                }
                if unclosed {
                    detail.push_str(";unclosed");
                }
                detail
            }
            UnitKind::Boilerplate(rule) => rule.label().to_owned(),
        }
    }
}

/// A sentence, quote or boilerplate line of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// The document it belongs to.
    pub doc: DocId,
    /// What it is.
    pub kind: UnitKind,
    /// Position among the units of the same label (sentence, quote, boilerplate) in its document.
    pub index: u32,
    /// One-based line of the document it starts on.
    pub line: u32,
    /// Bytes of the original text, trimmed of surrounding space and quote marks.
    pub span: Span,
}

/// A kind of damage left by text extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefectKind {
    /// Two words run together at a case change, often across a lost sentence or line break
    /// ("TrumpThe", "MoscowDonald").
    GluedWords,
    /// A name run into a following function word ("Dmitrievanother", "Houseand").
    GluedFunctionWord,
    /// A quotation mark with no space between it and the word outside it (`was"naturally`).
    GluedQuote,
    /// Sentence punctuation followed directly by the next sentence ("end.Next").
    MissingSpace,
}

impl DefectKind {
    /// The label written to CSV.
    pub fn label(self) -> &'static str {
        match self {
            DefectKind::GluedWords => "glued_words",
            DefectKind::GluedFunctionWord => "glued_function_word",
            DefectKind::GluedQuote => "glued_quote",
            DefectKind::MissingSpace => "missing_space",
        }
    }
}

/// One extraction defect, with the repair it suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// The document it is in.
    pub doc: DocId,
    /// One-based line.
    pub line: u32,
    /// What kind of damage.
    pub kind: DefectKind,
    /// The damaged token in the original text.
    pub span: Span,
    /// Byte offset (into the document) where a space belongs.
    pub split_at: u32,
    /// Whether the lost space was also a sentence boundary.
    pub sentence_break: bool,
}

/// A document after cleaning and segmentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segmented {
    /// The document.
    pub doc: DocId,
    /// Sentences, quotes and boilerplate lines, in text order (by start, then kind).
    pub units: Vec<Unit>,
    /// Extraction defects found in the prose lines.
    pub defects: Vec<Defect>,
}
