//! Cleaning: sets site chrome aside and finds extraction damage, before segmentation.
//!
//! Boilerplate is recognised by general rules (line shape, interface and promotion vocabulary,
//! link and menu patterns, the page zone a line sits in, lines repeated across documents), never
//! by a list of known strings. Nothing is deleted: each line gets a [`LineClass`] and the
//! segmenter records boilerplate lines as units of their own.
//!
//! Extraction defects (words glued together, quotes glued to words, a missing space after a
//! full stop) are found with the corpus vocabulary: a glued token is rare, and its halves are
//! words seen elsewhere.

use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind, PatternID};
use compact_str::CompactString;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{BoilerplateRule, Defect, DefectKind, Document, LineClass, Span};
use crate::normalize::{MONTHS, WordSet, find_chars, letter_runs, lowercase, matching_form};

/// What some documents contribute to the corpus-wide statistics: counted document by
/// document into one accumulator per parallel task, then merged.
#[derive(Debug, Default)]
struct Counts {
    /// Distinct matching forms of the documents' lines that may be chrome, as 64-bit hashes:
    /// a corpus of a million lines would otherwise hold every line twice while counting
    /// repeats.
    lines: FxHashSet<u64>,
    /// Those of `lines` found in two or more of the documents.
    repeated: FxHashSet<u64>,
    /// Word counts of the documents: lowercased, and capitalised words as written.
    words: Vocabulary,
}

impl Counts {
    /// Counts one more document.
    fn add(mut self, document: &Document) -> Counts {
        // Words are counted in the document first, as written, and then once per distinct word
        // in the corpus counts: a document repeats most of its words, and a map of its own
        // stays in cache where the corpus's (tens of thousands of words at scale) does not.
        let mut written: FxHashMap<&str, u32> = FxHashMap::default();
        let mut inner_capitalised: FxHashMap<&str, u32> = FxHashMap::default();
        let mut document_lines = Vec::new();
        for line in document.text.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if may_be_repeated_chrome(line) {
                document_lines.push(line_key(line));
            }
            for (offset, word) in letter_runs(line) {
                *written.entry(word).or_default() += 1;
                if is_capitalised(word) {
                    let before = line[..offset].trim_end().chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == ',') {
                        *inner_capitalised.entry(word).or_default() += 1;
                    }
                }
            }
        }
        let mut buffer = [0; 32];
        for (word, count) in written {
            count_word(&mut self.words.lowercase, &lowercase(word, &mut buffer), count);
            if is_capitalised(word) {
                count_word(&mut self.words.capitalised, word, count);
            }
        }
        for (word, count) in inner_capitalised {
            count_word(&mut self.words.inner_capitalised, word, count);
        }
        // A line repeated within one document is not repeated across documents.
        document_lines.sort_unstable();
        document_lines.dedup();
        for line in document_lines {
            if !self.lines.insert(line) {
                self.repeated.insert(line);
            }
        }
        self
    }

    /// The counts of both, whose documents are distinct: merging is associative and
    /// commutative, so documents can be counted in any grouping (in parallel) with the same
    /// result.
    fn merge(mut self, mut other: Counts) -> Counts {
        if self.lines.len() < other.lines.len() {
            std::mem::swap(&mut self, &mut other);
        }
        self.repeated.extend(other.repeated);
        for line in other.lines {
            if !self.lines.insert(line) {
                self.repeated.insert(line);
            }
        }
        self.words.add(other.words);
        self
    }
}

/// Word counts over a corpus, used to tell glued tokens from real words.
///
/// Keys are stored inline up to 24 bytes (nearly every word): a lookup then reads the
/// table's slot alone, where a `String` key sent each comparison to the heap for a second
/// cache miss (string comparisons were a tenth of counting and extracting names at scale).
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    lowercase: FxHashMap<CompactString, u32>,
    capitalised: FxHashMap<CompactString, u32>,
    /// Capitalised words inside a clause (after a word or comma), where capitals mean names.
    inner_capitalised: FxHashMap<CompactString, u32>,
}

impl Vocabulary {
    /// How often the word occurs, ignoring case.
    pub fn count(&self, word: &str) -> u32 {
        self.lowercase.get(&*lowercase(word, &mut [0; 32])).copied().unwrap_or(0)
    }

    /// How often the word occurs with exactly this capitalisation (for capitalised words).
    pub fn capitalised_count(&self, word: &str) -> u32 {
        self.capitalised.get(word).copied().unwrap_or(0)
    }

    /// How often the word occurs capitalised inside a clause rather than at its start.
    pub fn inner_capitalised_count(&self, word: &str) -> u32 {
        self.inner_capitalised.get(word).copied().unwrap_or(0)
    }

    fn add(&mut self, other: Vocabulary) {
        for (word, count) in other.inner_capitalised {
            *self.inner_capitalised.entry(word).or_default() += count;
        }
        for (word, count) in other.lowercase {
            *self.lowercase.entry(word).or_default() += count;
        }
        for (word, count) in other.capitalised {
            *self.capitalised.entry(word).or_default() += count;
        }
    }
}

/// Corpus-wide facts the per-document rules need.
#[derive(Debug, Default, Clone)]
pub struct CorpusStats {
    /// Lines (matching form) that may be chrome and occur in two or more documents.
    repeated_lines: FxHashSet<u64>,
    /// Word counts across the corpus.
    pub vocabulary: Vocabulary,
}

/// A line's identity for spotting repeats: the hash of its matching form.
fn line_key(line: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    matching_form(line).hash(&mut hasher);
    hasher.finish()
}

/// Counts `count` more of `word`, allocating its key only the first time: a corpus has few
/// distinct words and many occurrences.
fn count_word(counts: &mut FxHashMap<CompactString, u32>, word: &str, count: u32) {
    match counts.get_mut(word) {
        Some(counted) => *counted += count,
        None => {
            counts.insert(CompactString::from(word), count);
        }
    }
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// The corpus-wide statistics of `documents`, counted in parallel (in the current rayon
/// pool) by task rather than by document, so that a large corpus merges a few dozen
/// vocabularies instead of one per document. The result does not depend on the grouping.
pub fn corpus_stats(documents: &[Document]) -> CorpusStats {
    let counts =
        documents.par_iter().fold(Counts::default, Counts::add).reduce(Counts::default, Counts::merge);
    CorpusStats { repeated_lines: counts.repeated, vocabulary: counts.words }
}

/// Classifies every line of a document (one entry per `\n`-separated line).
pub fn classify_lines(document: &Document, corpus: &CorpusStats) -> Vec<LineClass> {
    let lines: Vec<&str> = document.text.split('\n').map(str::trim).collect();
    let mut classes: Vec<Option<BoilerplateRule>> = lines.iter().map(|line| strong_rule(line)).collect();

    // The article body runs from the first to the last prose-shaped line that no strong rule
    // claimed; what lies before is the masthead zone and what lies after is the footer zone.
    let is_body = |idx: usize| classes[idx].is_none() && is_prose_shaped(lines[idx]);
    let body_start = (0..lines.len()).find(|&idx| is_body(idx));
    let body_end = (0..lines.len()).rev().find(|&idx| is_body(idx));
    for (idx, line) in lines.iter().enumerate() {
        if line.is_empty() || classes[idx].is_some() {
            continue;
        }
        let in_masthead = body_start.is_none_or(|start| idx < start);
        let in_footer = body_end.is_some_and(|end| idx > end);
        let words = word_count_up_to(line, 10);
        if (in_masthead || in_footer || words <= 8)
            && may_be_repeated_chrome(line)
            && corpus.repeated_lines.contains(&line_key(line))
        {
            classes[idx] = Some(BoilerplateRule::Repeated);
        } else if in_masthead && words <= 5 && !ends_sentence(line) && is_label_cased(line) {
            classes[idx] = Some(BoilerplateRule::Masthead);
        }
    }
    // Once chrome starts after the body, the short lines that follow it are chrome too.
    if let Some(end) = body_end {
        let first_footer_chrome = (end + 1..lines.len()).find(|&idx| classes[idx].is_some());
        if let Some(first) = first_footer_chrome {
            for idx in first..lines.len() {
                if classes[idx].is_none() && !lines[idx].is_empty() && word_count_up_to(lines[idx], 20) < 20 {
                    classes[idx] = Some(BoilerplateRule::Footer);
                }
            }
        }
    }
    classes.into_iter().map(|rule| rule.map_or(LineClass::Prose, LineClass::Boilerplate)).collect()
}

/// Rules that need no context: the line alone shows it is chrome.
fn strong_rule(line: &str) -> Option<BoilerplateRule> {
    if line.is_empty() {
        return None;
    }
    // Most lines are ASCII, lowercased a byte at a time without decoding.
    let lower = if line.is_ascii() { line.to_ascii_lowercase() } else { line.to_lowercase() };
    // Only short lines are told apart by their word count.
    let word_total = camel_words(line).take(13).count();
    if is_navigation(line) {
        return Some(BoilerplateRule::Navigation);
    }
    let legal_cues = LEGAL.distinct_in(&lower) + usize::from(contains_url(line));
    if lower.contains('©') || lower.contains("all rights reserved") || legal_cues >= 2 {
        return Some(BoilerplateRule::Legal);
    }
    if !has_quote_mark(line) && is_promotion(line, &lower) {
        return Some(BoilerplateRule::Promotion);
    }
    if word_total <= 6 && !ends_sentence(line) {
        let content: Vec<String> =
            camel_words(line).filter(|w| !w.chars().all(|c| c.is_ascii_digit())).map(list_form).collect();
        let interface = content.iter().filter(|w| INTERFACE_WORDS.contains(&w.as_str())).count();
        if interface > 0 && interface * 3 >= content.len() {
            return Some(BoilerplateRule::Interface);
        }
    }
    if word_total <= 12 && !ends_sentence(line) && is_caption(line, &lower) {
        return Some(BoilerplateRule::Caption);
    }
    None
}

/// Words that name parts of a page or player rather than anything in the news.
const INTERFACE_WORDS: &[&str] = &[
    "advertisement",
    "ad",
    "artwork",
    "badge",
    "banner",
    "bookmark",
    "caption",
    "comment",
    "comments",
    "continue",
    "download",
    "email",
    "embed",
    "episode",
    "episodes",
    "gallery",
    "icon",
    "image",
    "images",
    "listen",
    "loading",
    "login",
    "logo",
    "menu",
    "newsletter",
    "photo",
    "photos",
    "play",
    "playlist",
    "podcast",
    "print",
    "read",
    "reading",
    "related",
    "save",
    "search",
    "share",
    "signup",
    "skip",
    "sponsored",
    "subscribe",
    "thumbnail",
    "tweet",
    "video",
    "videos",
    "watch",
    "app",
    "store",
    "manage",
];

/// A set of phrases found in one pass over a line (Aho-Corasick) rather than one search per
/// phrase: every line of every document is tested against dozens of them.
struct Phrases {
    /// Whether any occurs, with leftmost-first matching: only then may the search skip ahead
    /// with a vectorised prefilter (Teddy). Most lines have none of the phrases, and with
    /// standard matching the automaton stepped through them a byte at a time (a tenth of
    /// segmenting at a million sentences).
    any: AhoCorasick,
    /// Which occur: only standard matching reports overlapping matches.
    every: AhoCorasick,
}

impl Phrases {
    fn new(list: &[&str]) -> Phrases {
        let build = |kind| {
            AhoCorasick::builder().match_kind(kind).build(list).expect("fixed phrases make an automaton")
        };
        Phrases { any: build(MatchKind::LeftmostFirst), every: build(MatchKind::Standard) }
    }

    /// Whether any of the phrases occurs in `text`.
    fn occur_in(&self, text: &str) -> bool {
        self.any.is_match(text)
    }

    /// How many of the phrases occur in `text`, each counted once.
    fn distinct_in(&self, text: &str) -> usize {
        if !self.occur_in(text) {
            return 0;
        }
        let found: FxHashSet<PatternID> =
            self.every.find_overlapping_iter(text).map(|found| found.pattern()).collect();
        found.len()
    }
}

static LEGAL: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(LEGAL_CUES));
static PROMOTION: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(PROMOTION_CUES));
static PHOTO_CREDITS: LazyLock<Phrases> = LazyLock::new(|| {
    Phrases::new(&["photo:", "photo by", "getty images", "ap photo", "(afp)", "epa-efe", "/ reuters"])
});

/// Phrases of copyright and platform notices.
const LEGAL_CUES: &[&str] = &[
    "copyright",
    "content provided by",
    "terms of use",
    "terms of service",
    "privacy policy",
    "cookie",
    "podcast platform",
    "permission",
    "reproduction",
];

/// Verbs that open a call to action.
const CALL_TO_ACTION_VERBS: &[&str] = &[
    "get",
    "download",
    "subscribe",
    "sign",
    "follow",
    "discover",
    "explore",
    "stay",
    "find",
    "scroll",
    "join",
    "click",
    "tap",
    "watch",
    "listen",
    "try",
    "install",
    "support",
    "unlock",
    "don't",
    "dont",
];

/// What a call to action offers.
const PROMOTION_OBJECTS: &[&str] = &[
    "app",
    "apps",
    "news",
    "stories",
    "updates",
    "updated",
    "newsletter",
    "latest",
    "you",
    "your",
    "experience",
    "insights",
    "trends",
    "globe",
    "podcast",
    "premium",
    "subscription",
    "us",
];

/// Phrases that only self-promotion uses.
const PROMOTION_CUES: &[&str] = &[
    "follow us",
    "download the",
    "app store",
    "google play",
    "sign up for",
    "subscribe to",
    "currently reading",
    "our reporting",
    "support our",
    "in the app",
    "our newsletter",
];

fn is_promotion(line: &str, lower: &str) -> bool {
    if PROMOTION.occur_in(lower) {
        return true;
    }
    let mut words = camel_words(line).map(list_form);
    let opens_with_call = words.next().is_some_and(|first| CALL_TO_ACTION_VERBS.contains(&first.as_str()));
    opens_with_call && words.any(|word| PROMOTION_OBJECTS.contains(&word.as_str()))
}

/// A menu or breadcrumb line: short items between separators, or a bare URL.
fn is_navigation(line: &str) -> bool {
    if contains_url(line) && line.split_whitespace().count() == 1 {
        return true;
    }
    // Three items need two separators, and most lines (ASCII) show they have fewer without
    // being decoded.
    if line.is_ascii() && line.bytes().filter(|&byte| byte == b'|' || byte == b'/').count() < 2 {
        return false;
    }
    let items: Vec<&str> =
        line.split(['|', '»', '›', '·', '/']).map(str::trim).filter(|item| !item.is_empty()).collect();
    items.len() >= 3 && items.iter().all(|item| item.split_whitespace().count() <= 3) && !ends_sentence(line)
}

fn contains_url(line: &str) -> bool {
    line.contains("://") || line.contains("www.")
}

/// A short unpunctuated line ending in ", <Month> <Year>", ", <Year>" or carrying a photo credit;
/// `lower` is the line in lower case.
fn is_caption(line: &str, lower: &str) -> bool {
    if PHOTO_CREDITS.occur_in(lower) {
        return true;
    }
    let Some((_, tail)) = line.rsplit_once(',') else { return false };
    let tail: Vec<&str> = tail.split_whitespace().collect();
    let is_year = |word: &str| {
        word.len() == 4 && word.starts_with(['1', '2']) && word.chars().all(|c| c.is_ascii_digit())
    };
    match tail.as_slice() {
        [year] => is_year(year),
        [month, year] => MONTHS.contains(&month.to_lowercase().as_str()) && is_year(year),
        _ => false,
    }
}

/// Section labels, kickers and bylines are Title Case (every word of four or more letters
/// capitalised); a sentence-case line is more likely a headline of the article itself.
fn is_label_cased(line: &str) -> bool {
    letter_runs(line)
        .filter(|(_, word)| word.chars().count() >= 4)
        .all(|(_, word)| word.chars().next().is_some_and(char::is_uppercase))
}

/// A line that reads like article prose: long enough and ending a sentence.
fn is_prose_shaped(line: &str) -> bool {
    ends_sentence(line) && word_count_up_to(line, 20) >= 20
}

/// How many whitespace-separated words `line` has, counting no further than `limit`: lines are
/// only compared with small numbers, and a paragraph of prose is hundreds of words.
fn word_count_up_to(line: &str, limit: usize) -> usize {
    line.split_whitespace().take(limit).count()
}

/// Whether the line ends with sentence punctuation, possibly followed by closing quotes.
pub fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end().trim_end_matches(['"', '\'', '”', '’', '»', ')', '“']);
    trimmed.ends_with(['.', '!', '?', '…', ':', ';'])
}

/// Whether a line repeated across documents can be site chrome: a quotation or a full
/// sentence shared by two outlets is copy they share (wire text, a lead), which the
/// duplicates report shows; chrome is short or not a sentence. Only these lines are counted
/// as repeats (most lines of a corpus are prose, and each would be normalised and hashed).
fn may_be_repeated_chrome(line: &str) -> bool {
    // Most lines are prose: the sentence test reads their first words and last characters,
    // where looking for quote marks reads them whole.
    let full_sentence = word_count_up_to(line, 10) >= 10 && ends_sentence(line);
    !(full_sentence || has_quote_mark(line))
}

fn has_quote_mark(line: &str) -> bool {
    // The marks are `"` and characters beyond ASCII: a line of other ASCII bytes (most lines)
    // is passed over a byte at a time, without decoding it.
    line.bytes().any(|byte| byte == b'"' || !byte.is_ascii()) && line.contains(['"', '“', '”', '«', '»', '„'])
}

/// Words of a line as written, with camelCase split (`iconShare` gives `icon`, `Share`).
/// Slices of the line, not strings: every line of a corpus is split, and only short lines and
/// calls to action need their words spelled as the word lists spell them ([`list_form`]).
fn camel_words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')).flat_map(|mut rest| {
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let mut previous_lower = false;
            let end = rest
                .char_indices()
                .find_map(|(at, c)| {
                    let boundary = c.is_uppercase() && previous_lower;
                    previous_lower = c.is_lowercase();
                    boundary.then_some(at)
                })
                .unwrap_or(rest.len());
            let (word, tail) = rest.split_at(end);
            rest = tail;
            Some(word)
        })
    })
}

/// A word as the word lists spell it: lowercase, with a straight apostrophe.
fn list_form(word: &str) -> String {
    word.to_lowercase().replace('’', "'")
}

/// Closed-class English words that extraction glues onto the preceding name.
const FUNCTION_WORDS: &[&str] = &[
    "about", "after", "against", "also", "and", "another", "are", "as", "at", "because", "before", "but",
    "by", "for", "from", "had", "has", "have", "his", "her", "into", "its", "not", "of", "on", "or", "said",
    "says", "than", "that", "the", "their", "then", "there", "these", "this", "those", "to", "under", "was",
    "were", "which", "while", "who", "whom", "whose", "will", "with", "would",
];

/// [`FUNCTION_WORDS`] looked up by hash: every capitalised word's endings are asked about.
static GLUED_WORDS: WordSet = WordSet::new(&[FUNCTION_WORDS]);

/// Finds extraction defects in the prose lines of a document, sorted by where they split.
pub fn find_defects(document: &Document, classes: &[LineClass], vocabulary: &Vocabulary) -> Vec<Defect> {
    let mut defects = Vec::new();
    let mut line_start = 0usize;
    for (line_idx, line) in document.text.split('\n').enumerate() {
        if classes.get(line_idx) == Some(&LineClass::Prose) {
            let line_no = line_idx as u32 + 1;
            let mut push = |kind, token: Span, split_at: usize, sentence_break| {
                defects.push(Defect {
                    doc: document.id,
                    line: line_no,
                    kind,
                    span: Span::new(line_start + token.start as usize, line_start + token.end as usize),
                    split_at: (line_start + split_at) as u32,
                    sentence_break,
                })
            };
            for (offset, word) in letter_runs(line) {
                if let Some((split, kind)) = glued_split(word, vocabulary) {
                    let token = Span::new(offset, offset + word.len());
                    push(kind, token, offset + split, kind == DefectKind::GluedWords);
                }
            }
            for (token, split_at, kind) in punctuation_defects(line) {
                push(kind, token, split_at, kind == DefectKind::MissingSpace);
            }
        }
        line_start += line.len() + 1;
    }
    defects.sort_by_key(|defect| (defect.split_at, defect.kind));
    defects.dedup_by_key(|defect| defect.split_at);
    defects
}

/// The defects that split text strictly between `start` and `end`, out of a document's defects
/// sorted by where they split (as [`find_defects`] returns them).
pub fn defects_between(defects: &[Defect], start: usize, end: usize) -> &[Defect] {
    strictly_between(defects, |defect| defect.split_at as usize, start, end)
}

/// The entries of `sorted` (in order of `position`) whose position lies strictly between
/// `start` and `end`, found by bisection: every line and every sentence of a document asks,
/// and a document may have thousands of defects and breaks.
pub fn strictly_between<T>(sorted: &[T], position: impl Fn(&T) -> usize, start: usize, end: usize) -> &[T] {
    let first = sorted.partition_point(|entry| position(entry) <= start);
    let past = sorted.partition_point(|entry| position(entry) < end);
    &sorted[first..past.max(first)]
}

/// Where a rare token splits into two known words, if it does.
fn glued_split(word: &str, vocabulary: &Vocabulary) -> Option<(usize, DefectKind)> {
    // Both kinds of glue show in a capital letter, which most words lack: those need no lookup.
    if word.len() < 5 || !word.chars().any(char::is_uppercase) {
        return None;
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    // A case change inside a word, past its first two letters: "TrumpThe", "MoscowDonald".
    let mut case_changes = (2..chars.len().saturating_sub(1))
        .filter(|&window| {
            let [(_, before), (_, c), (_, after)] = [chars[window - 1], chars[window], chars[window + 1]];
            before.is_lowercase() && c.is_uppercase() && after.is_lowercase()
        })
        .peekable();
    // A capitalised name run into a function word: "Dmitrievanother", "Houseand".
    let title_case = chars[0].1.is_uppercase() && chars[1..].iter().all(|(_, c)| c.is_lowercase());
    let function_word_splits = || {
        let splits = chars.iter().skip(3).map(|&(split, _)| split);
        splits.filter(|&split| GLUED_WORDS.contains(&word[split..]))
    };
    // A word the corpus spells so more than once is not glued. Only words shaped like glue are
    // looked up: most capitalised words are names, and at scale each lookup is a cache miss.
    let glue_shaped = case_changes.peek().is_some() || title_case && function_word_splits().next().is_some();
    if !glue_shaped || vocabulary.count(word) > 1 {
        return None;
    }
    for window in case_changes {
        let (left, right) = word.split_at(chars[window].0);
        if vocabulary.count(left) >= 1 && vocabulary.count(right) >= 1 {
            return Some((chars[window].0, DefectKind::GluedWords));
        }
    }
    if !title_case {
        return None;
    }
    function_word_splits()
        .filter(|&split| vocabulary.capitalised_count(&word[..split]) >= 2)
        .max_by_key(|&split| vocabulary.capitalised_count(&word[..split]))
        .map(|split| (split, DefectKind::GluedFunctionWord))
}

/// Quotes glued to words and sentences glued to the previous one, within one line.
fn punctuation_defects(line: &str) -> Vec<(Span, usize, DefectKind)> {
    let mut found = Vec::new();
    let mut straight_quotes_seen = 0usize;
    // Only quote marks and sentence punctuation can start a defect, and only their neighbours
    // are read: most characters of a line are neither.
    let marks =
        find_chars(line, |c| matches!(c, '"' | '“' | '«' | '„' | '”' | '»' | '.' | '!' | '?').then_some(c));
    for (offset, mark) in marks {
        let mut earlier = line[..offset].chars().rev();
        let next_offset = offset + mark.len_utf8();
        let mut later = line[next_offset..].chars();
        // The first and the last character of a line have no neighbour to be glued to.
        let (Some(before), Some(after)) = (earlier.next(), later.next()) else {
            continue;
        };
        let token = || whitespace_token(line, offset);
        match mark {
            '"' => {
                let glued_after_word = before.is_alphanumeric() && after.is_alphanumeric();
                let glued_after_punctuation =
                    matches!(before, ',' | '.' | ';' | ':' | '!' | '?') && after.is_alphabetic();
                if glued_after_word || (glued_after_punctuation && straight_quotes_seen.is_multiple_of(2)) {
                    found.push((token(), offset, DefectKind::GluedQuote));
                } else if glued_after_punctuation {
                    found.push((token(), next_offset, DefectKind::GluedQuote));
                }
                straight_quotes_seen += 1;
            }
            '“' | '«' | '„' if before.is_alphanumeric() && after.is_alphanumeric() => {
                found.push((token(), offset, DefectKind::GluedQuote));
            }
            '”' | '»' if after.is_alphanumeric() && !before.is_whitespace() => {
                found.push((token(), next_offset, DefectKind::GluedQuote));
            }
            '.' | '!' | '?' => {
                let Some(two_before) = earlier.next() else {
                    continue;
                };
                let is_glued_sentence = before.is_lowercase()
                    && two_before.is_lowercase()
                    && after.is_uppercase()
                    && later.next().is_some_and(char::is_lowercase);
                // Every sentence ends in a mark: only a glued one needs its token.
                if is_glued_sentence {
                    let token_span = token();
                    let token_text = token_span.of(line);
                    if !contains_url(token_text) && !token_text.contains('@') {
                        found.push((token_span, next_offset, DefectKind::MissingSpace));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The whitespace-delimited token around a byte offset of `line`, at most [`TOKEN_REACH`]
/// bytes to either side: a run of text without spaces (a stripped table, a line of marks) is
/// no word, and taking all of it for each of its defects made the work and the report grow
/// with its square (a 100 KB run of glued quotes gave a 4.8 GB `defects.csv`).
fn whitespace_token(line: &str, offset: usize) -> Span {
    let reach_back = line.floor_char_boundary(offset.saturating_sub(TOKEN_REACH));
    let reach_on = line.ceil_char_boundary(offset.saturating_add(TOKEN_REACH));
    let start = line[reach_back..offset].rfind(char::is_whitespace).map_or(reach_back, |p| {
        reach_back + p + line[reach_back + p..].chars().next().map_or(1, char::len_utf8)
    });
    let end = line[offset..reach_on].find(char::is_whitespace).map_or(reach_on, |p| offset + p);
    Span::new(start, end)
}

/// How far [`whitespace_token`] looks for the ends of a token: longer than any word or link.
const TOKEN_REACH: usize = 256;

/// A human-readable repair for a defect: the token with the missing space put back.
pub fn suggested_repair(document: &Document, defect: &Defect) -> String {
    let token = defect.span.of(&document.text);
    let split = (defect.split_at - defect.span.start) as usize;
    let repaired = format!("{} {}", &token[..split], &token[split..]);
    if defect.sentence_break { format!("{repaired} (sentence break)") } else { repaired }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocId;

    fn document(id: u32, text: &str) -> Document {
        Document::new(DocId(id), format!("doc{id}"), text)
    }

    proptest::proptest! {
        #[test]
        fn phrase_automata_find_what_searching_each_phrase_finds(
            pieces in proptest::collection::vec(
                proptest::sample::select(
                    &["copyright", "cookie", "terms of ", "use", "service", "privacy policy", " ",
                      "follow us", "download the", "photo by", "/ reuters", "permission", "x"][..],
                ),
                0..8,
            )
        ) {
            let line = pieces.concat();
            let each = |cues: &[&str]| cues.iter().filter(|cue| line.contains(*cue)).count();
            proptest::prop_assert_eq!(LEGAL.distinct_in(&line), each(LEGAL_CUES));
            proptest::prop_assert_eq!(PROMOTION.occur_in(&line), each(PROMOTION_CUES) > 0);
            let credited = line.contains("photo by") || line.contains("/ reuters");
            proptest::prop_assert_eq!(PHOTO_CREDITS.occur_in(&line), credited);
        }

        /// Bisecting the sorted defects finds those a filter over all of them finds.
        #[test]
        fn defects_between_are_the_defects_strictly_inside(
            mut splits in proptest::collection::vec(0u32..60, 0..20),
            start in 0usize..60,
            length in 0usize..30,
        ) {
            splits.sort_unstable();
            let defects: Vec<Defect> = splits
                .iter()
                .map(|&split_at| Defect {
                    doc: crate::model::DocId(0),
                    line: 1,
                    kind: DefectKind::GluedQuote,
                    span: Span::new(split_at as usize, split_at as usize + 1),
                    split_at,
                    sentence_break: false,
                })
                .collect();
            let end = start + length;
            let inside: Vec<&Defect> =
                defects.iter().filter(|d| d.split_at as usize > start && (d.split_at as usize) < end).collect();
            proptest::prop_assert_eq!(defects_between(&defects, start, end).iter().collect::<Vec<_>>(), inside);
        }

        /// Reading only the marks and their neighbours finds what walking every character
        /// with its neighbours finds.
        #[test]
        fn punctuation_defects_are_found_at_every_mark(
            line in "[a-zA-Z .!?,;\"“”«»„@/:]{0,30}"
        ) {
            let chars: Vec<(usize, char)> = line.char_indices().collect();
            let mut expected = Vec::new();
            let mut straight_quotes_seen = 0usize;
            for idx in 1..chars.len().saturating_sub(1) {
                let ((offset, c), before, (next_offset, after)) = (chars[idx], chars[idx - 1].1, chars[idx + 1]);
                let token = whitespace_token(&line, offset);
                let glued_word = before.is_alphanumeric() && after.is_alphanumeric();
                match c {
                    '"' => {
                        let after_punctuation = matches!(before, ',' | '.' | ';' | ':' | '!' | '?') && after.is_alphabetic();
                        if glued_word || (after_punctuation && straight_quotes_seen.is_multiple_of(2)) {
                            expected.push((token, offset, DefectKind::GluedQuote));
                        } else if after_punctuation {
                            expected.push((token, next_offset, DefectKind::GluedQuote));
                        }
                        straight_quotes_seen += 1;
                    }
                    '“' | '«' | '„' if glued_word => expected.push((token, offset, DefectKind::GluedQuote)),
                    '”' | '»' if after.is_alphanumeric() && !before.is_whitespace() => {
                        expected.push((token, next_offset, DefectKind::GluedQuote));
                    }
                    '.' | '!' | '?' if idx >= 2 => {
                        let glued = before.is_lowercase()
                            && chars[idx - 2].1.is_lowercase()
                            && after.is_uppercase()
                            && chars.get(idx + 2).is_some_and(|&(_, c)| c.is_lowercase());
                        let text = token.of(&line);
                        if glued && !contains_url(text) && !text.contains('@') {
                            expected.push((token, next_offset, DefectKind::MissingSpace));
                        }
                    }
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(punctuation_defects(&line), expected);
        }

        #[test]
        fn camel_words_split_where_a_capital_follows_a_lowercase_letter(
            line in "[A-Za-z0-9ÉéΣσ'’ .,|-]{0,40}"
        ) {
            // The words a character at a time: a new word at a capital after a lowercase letter.
            let mut expected = Vec::new();
            for raw in line.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')) {
                let mut current = String::new();
                for c in raw.chars() {
                    if c.is_uppercase() && current.chars().last().is_some_and(char::is_lowercase) {
                        expected.push(std::mem::take(&mut current));
                    }
                    current.push(c);
                }
                expected.extend((!current.is_empty()).then_some(current));
            }
            proptest::prop_assert_eq!(camel_words(&line).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn a_token_reaches_at_most_a_few_hundred_bytes_from_its_mark() {
        let line = format!("said {}\"x {}", "é".repeat(1000), "é".repeat(1000));
        let mark = line.find('"').expect("a mark");
        let token = whitespace_token(&line, mark);
        // Without the reach the token would be the 2 KB run of letters before the mark.
        assert!(token.of(&line).len() <= 600, "{} bytes", token.of(&line).len());
        assert!(token.of(&line).starts_with('é'), "{}", &token.of(&line)[..8]);
        assert_eq!(whitespace_token("He said\"no to it", 7).of("He said\"no to it"), "said\"no");
    }

    #[test]
    fn camel_words_are_split_and_spelled_as_the_lists_spell_them() {
        let words: Vec<String> = camel_words("iconShare Trump’s NATO-summit").map(list_form).collect();
        assert_eq!(words, ["icon", "share", "trump's", "nato", "summit"]);
    }

    #[test]
    fn counts_do_not_depend_on_how_documents_are_grouped() {
        // Shared full sentences and quotations are copy, not chrome: they are not counted.
        let copy = "The envoy met the negotiators in Moscow on Tuesday for five hours.\n\"Menu\"";
        let texts = [
            "Subscribe now\nSubscribe now\nA",
            &format!("Subscribe  NOW\nB Witkoff\n{copy}"),
            &format!("a\nWitkoff said\n{copy}"),
        ];
        let documents: Vec<Document> = texts.iter().enumerate().map(|(i, t)| document(i as u32, t)).collect();
        let one_task = documents.iter().fold(Counts::default(), Counts::add);
        let per_document =
            documents.iter().map(|d| Counts::default().add(d)).fold(Counts::default(), Counts::merge);
        let mixed = Counts::default()
            .add(&documents[2])
            .merge(Counts::default().add(&documents[1]).add(&documents[0]));
        let mut expected: Vec<u64> = ["subscribe now", "a"].iter().map(|line| line_key(line)).collect();
        expected.sort_unstable();
        for counts in [one_task, per_document, mixed] {
            // Repeated within the first document only counts once it is in a second one.
            let mut repeated: Vec<u64> = counts.repeated.iter().copied().collect();
            repeated.sort_unstable();
            assert_eq!(repeated, expected);
            assert_eq!(counts.words.count("witkoff"), 2);
            assert_eq!(counts.words.count("subscribe"), 3);
            assert_eq!(counts.words.inner_capitalised_count("Witkoff"), 1);
        }
        let alone = Counts::default().add(&documents[0]);
        assert!(
            alone.repeated.is_empty(),
            "a line repeated within one document is not repeated across documents"
        );
    }

    const BODY: &str = "The envoy spoke to reporters on Wednesday about the plan, saying that the talks with both sides would continue next week in the capital.";

    /// Classifies the lines of the first text, with the others as the rest of the corpus, and
    /// returns the label of each non-empty line.
    fn labels(texts: &[&str]) -> Vec<String> {
        let documents: Vec<Document> = texts.iter().enumerate().map(|(i, t)| document(i as u32, t)).collect();
        let corpus = corpus_stats(&documents);
        let classes = classify_lines(&documents[0], &corpus);
        documents[0]
            .text
            .split('\n')
            .zip(classes)
            .filter(|(line, _)| !line.trim().is_empty())
            .map(|(_, class)| match class {
                LineClass::Prose => "prose".to_owned(),
                LineClass::Boilerplate(rule) => rule.label().to_owned(),
            })
            .collect()
    }

    #[test]
    fn interface_promotion_legal_caption_and_navigation_lines() {
        let text = format!(
            "Home | World | Europe | Politics\nHero Image\nJohn Smith and Jane Doe, March 2024\n{BODY}\nRead more\nDownload our app for the latest news.\n© 2025 Example Media. All rights reserved."
        );
        assert_eq!(
            labels(&[&text]),
            ["navigation", "interface", "caption", "prose", "interface", "promotion", "legal"]
        );
    }

    #[test]
    fn masthead_labels_before_the_body_but_not_sentence_case_headlines() {
        let text = format!("World News\nFriday, May 2\nEnvoy defends the deal with both sides\n{BODY}");
        assert_eq!(labels(&[&text]), ["masthead", "masthead", "prose", "prose"]);
    }

    #[test]
    fn short_lines_after_footer_chrome_are_footer() {
        let text = format!(
            "{BODY}\nGet the app for breaking stories\nNews from fifty countries.\nUnbiased, Uncensored"
        );
        assert_eq!(labels(&[&text]), ["prose", "promotion", "footer", "footer"]);
    }

    #[test]
    fn subheads_inside_the_body_stay_prose() {
        let text = format!("{BODY}\nAll hypotheses\n{BODY}");
        assert_eq!(labels(&[&text]), ["prose", "prose", "prose"]);
    }

    #[test]
    fn short_lines_repeated_across_documents_are_boilerplate_but_quoted_prose_is_not() {
        let shared = "Sign-in to keep reading";
        let quote = "“We will meet again next week,” he said.";
        let first = format!("{shared}\n{BODY}\n{quote}\n{BODY}");
        let second = format!(
            "{shared}\nAnother body line that is long enough to be prose in this test, with some words added.\n{quote}"
        );
        assert_eq!(labels(&[&first, &second]), ["repeated", "prose", "prose", "prose"]);
    }

    #[test]
    fn a_lead_sentence_shared_with_another_outlet_stays_prose() {
        let lead = "On November 17, the two delegations postponed the summit on the railway convoy.";
        let first = format!("{lead}\n{BODY}");
        let second = format!("{BODY}\n{lead}");
        assert_eq!(labels(&[&first, &second]), ["prose", "prose"]);
    }

    fn defects_of(text: &str, others: &[&str]) -> Vec<(String, &'static str, String)> {
        let mut documents = vec![document(0, text)];
        documents.extend(others.iter().enumerate().map(|(i, t)| document(i as u32 + 1, t)));
        let corpus = corpus_stats(&documents);
        let classes = classify_lines(&documents[0], &corpus);
        find_defects(&documents[0], &classes, &corpus.vocabulary)
            .iter()
            .map(|d| (d.span.of(text).to_owned(), d.kind.label(), suggested_repair(&documents[0], d)))
            .collect()
    }

    #[test]
    fn glued_words_are_found_with_the_corpus_vocabulary() {
        let context = "Trump met Dmitriev and another envoy. The White House said Moscow was ready. Donald Trump agreed. Dmitriev spoke. The House voted.";
        let found = defects_of(
            "Washington / MoscowDonald Trump spoke with TrumpThe envoy met Kirill Dmitrievanother time at the Houseand left.",
            &[context],
        );
        assert_eq!(
            found,
            [
                ("MoscowDonald".to_owned(), "glued_words", "Moscow Donald (sentence break)".to_owned()),
                ("TrumpThe".to_owned(), "glued_words", "Trump The (sentence break)".to_owned()),
                ("Dmitrievanother".to_owned(), "glued_function_word", "Dmitriev another".to_owned()),
                ("Houseand".to_owned(), "glued_function_word", "House and".to_owned()),
            ]
        );
    }

    #[test]
    fn camel_case_brands_and_plurals_are_not_glued() {
        let context = "WhatsApp and WhatsApp again. Russians and Americans met. McDonald spoke.";
        assert_eq!(defects_of("Russians used WhatsApp at McDonald's with Americans.", &[context]), []);
    }

    #[test]
    fn glued_quotes_and_missing_spaces() {
        let found = defects_of(
            "He said it was\"naturally unacceptable,\" and left.Then he said \"fine,\"and went.",
            &[],
        );
        assert_eq!(
            found,
            [
                ("was\"naturally".to_owned(), "glued_quote", "was \"naturally".to_owned()),
                ("left.Then".to_owned(), "missing_space", "left. Then (sentence break)".to_owned()),
                ("\"fine,\"and".to_owned(), "glued_quote", "\"fine,\" and".to_owned()),
            ]
        );
    }

    #[test]
    fn urls_are_not_missing_spaces() {
        assert_eq!(defects_of("See www.example.Com and https://news.example.Org/path today.", &[]), []);
    }
}
