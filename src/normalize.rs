//! The matching form of text: what two spellings of the same words have in common.
//!
//! The original text is never changed; units keep byte spans into it for display. Matching
//! happens on a separate form that is NFC-composed (only when the quick check says it is needed,
//! since unconditional normalisation was measured 25x slower), with every kind of space made one
//! ASCII space, curly and straight quotes, dashes and apostrophes unified, and case folded.

use std::borrow::Cow;
use std::sync::OnceLock;

use rustc_hash::FxHashSet;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Returns the matching form of `text`, borrowed when `text` is already in it.
///
/// The result is idempotent: `matching_form(&matching_form(s)) == matching_form(s)`.
pub fn matching_form(text: &str) -> Cow<'_, str> {
    if text.is_ascii() { ascii_matching_form(text) } else { Cow::Owned(general_matching_form(text)) }
}

/// [`matching_form`] of ASCII text, byte by byte: no composition, no invisible characters,
/// and the only punctuation to unify is the backtick. Most text is ASCII, most of it spaced
/// with single spaces, and most words are their own matching form.
fn ascii_matching_form(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // Every byte is looked at without stopping early, and the pairs of neighbours for double
    // spaces side by side: loops the compiler vectorises (one that stopped at the first
    // capital made building the form a byte at a time cost 10 cycles a byte).
    let (mut upper, mut backtick, mut odd_space) = (false, false, false);
    for &byte in bytes {
        upper |= byte.is_ascii_uppercase();
        backtick |= byte == b'`';
        odd_space |= is_ascii_space(byte) && byte != b' ';
    }
    let double_space = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .fold(false, |found, (&a, &b)| found | ((a == b' ') & (b == b' ')));
    let edge_space =
        bytes.first().is_some_and(|&b| is_ascii_space(b)) || bytes.last().is_some_and(|&b| is_ascii_space(b));
    if odd_space || double_space || edge_space {
        // Spacing to mend is rare: the general path joins the words.
        return Cow::Owned(general_matching_form(text));
    }
    if !(upper || backtick) {
        return Cow::Borrowed(text);
    }
    let mut out = bytes.to_vec();
    out.make_ascii_lowercase();
    if backtick {
        for byte in &mut out {
            if *byte == b'`' {
                *byte = b'\'';
            }
        }
    }
    Cow::Owned(String::from_utf8(out).expect("ASCII in, ASCII out"))
}

/// [`matching_form`] of any text (and of ASCII text whose spacing needs mending). Most of
/// such text is ASCII too (an English sentence with curly quotes): its ASCII runs are taken
/// word by word as bytes, and only the other characters are decoded (a character at a time,
/// this was 25 cycles a byte).
fn general_matching_form(text: &str) -> String {
    let composed;
    let text = match is_nfc_quick(non_ascii_chars(text)) {
        IsNormalized::Yes => text,
        _ => {
            composed = text.nfc().collect::<String>();
            composed.as_str()
        }
    };
    let mut out = Vec::with_capacity(text.len());
    let mut pending_space = false;
    let mut rest = text;
    loop {
        // The ASCII run up to the next other character, word by word.
        let (run, after) =
            rest.split_at(rest.bytes().position(|byte| !byte.is_ascii()).unwrap_or(rest.len()));
        for (position, word) in run.as_bytes().split(|&byte| is_ascii_space(byte)).enumerate() {
            if position > 0 {
                pending_space = !out.is_empty();
            }
            if word.is_empty() {
                continue;
            }
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.extend(word.iter().map(|&byte| if byte == b'`' { b'\'' } else { byte.to_ascii_lowercase() }));
        }
        let Some(c) = after.chars().next() else { break };
        rest = &after[c.len_utf8()..];
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(b' ');
            pending_space = false;
        }
        let mut encoded = [0; 4];
        match unify_punctuation(c) {
            Some(unified) => out.extend_from_slice(unified.encode_utf8(&mut encoded).as_bytes()),
            None => {
                for lower in c.to_lowercase() {
                    out.extend_from_slice(lower.encode_utf8(&mut encoded).as_bytes());
                }
            }
        }
    }
    let out = String::from_utf8(out).expect("whole characters in, whole characters out");
    // Lowercasing can produce decomposed sequences (e.g. 'İ' -> 'i̇'); recompose so the
    // result is a fixed point.
    match is_nfc_quick(non_ascii_chars(&out)) {
        IsNormalized::Yes => out,
        _ => out.nfc().collect(),
    }
}

/// The characters of `text` that are not ASCII, found without decoding the others: all that
/// `is_nfc_quick` looks at. Leaving out the ASCII characters between them can only turn its
/// answer to no (two combining marks it then sees side by side), and a wrong "no" only costs a
/// normalisation that changes nothing.
fn non_ascii_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    // A character's first byte is ASCII or at least 0xC0; the bytes after it are 0x80..0xC0.
    text.bytes()
        .enumerate()
        .filter(|&(_, byte)| byte >= 0xC0)
        .map(|(at, _)| text[at..].chars().next().expect("a character starts at a leading byte"))
}

/// Maps the many typographic variants of quotes, apostrophes and dashes to one ASCII form.
pub fn unify_punctuation(c: char) -> Option<char> {
    Some(match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' | '\u{2033}'
        | '\u{FF02}' => '"',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2039}' | '\u{203A}' | '\u{2032}'
        | '\u{02BC}' | '\u{0060}' | '\u{00B4}' | '\u{FF07}' => '\'',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{2212}'
        | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        _ => return None,
    })
}

/// Zero-width characters that extraction leaves behind and that carry no meaning.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// English function words: no content for matching, never a name on their own.
pub const FUNCTION_WORDS: [&str; 61] = [
    "a",
    "about",
    "according",
    "after",
    "all",
    "also",
    "an",
    "and",
    "any",
    "as",
    "at",
    "both",
    "but",
    "by",
    "for",
    "from",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "it",
    "its",
    "just",
    "most",
    "my",
    "of",
    "on",
    "one",
    "only",
    "or",
    "other",
    "our",
    "she",
    "so",
    "some",
    "such",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "we",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "with",
    "you",
    "your",
];

/// Whether a lowercase word is one of [`FUNCTION_WORDS`].
pub fn is_function_word(word: &str) -> bool {
    static SET: WordSet = WordSet::new(&[&FUNCTION_WORDS]);
    SET.contains(word)
}

/// Words without content for matching, besides [`FUNCTION_WORDS`]: auxiliaries, modals,
/// pronoun forms and speech verbs.
const STOPWORDS: &[&str] = &[
    "am", "are", "be", "been", "being", "can", "could", "d", "did", "do", "does", "doing", "gotta", "had",
    "has", "have", "having", "hers", "him", "into", "is", "ll", "m", "me", "more", "out", "over", "re", "s",
    "said", "says", "should", "t", "than", "them", "too", "up", "ve", "very", "was", "were", "whom", "will",
    "would",
];

/// Whether a lowercase word carries content: neither one of [`FUNCTION_WORDS`] nor an
/// auxiliary, modal, pronoun form or speech verb. Alignment indexes such words; divergence
/// classification looks at what negates them.
pub fn is_content_word(word: &str) -> bool {
    static SET: WordSet = WordSet::new(&[&FUNCTION_WORDS, STOPWORDS]);
    !SET.contains(word)
}

/// Fixed lists of lowercase words, as one set looked up by hash: finding names asks the word
/// lists about every capitalised token of a corpus, and a binary search compared strings five
/// or six times per question (over a fifth of that stage at a million sentences).
pub struct WordSet {
    lists: &'static [&'static [&'static str]],
    set: OnceLock<FxHashSet<&'static str>>,
}

impl WordSet {
    /// The set of the words of `lists`, built when first asked.
    pub const fn new(lists: &'static [&'static [&'static str]]) -> WordSet {
        WordSet { lists, set: OnceLock::new() }
    }

    /// Whether `word` is on one of the lists.
    pub fn contains(&self, word: &str) -> bool {
        let set = self.set.get_or_init(|| self.lists.iter().flat_map(|list| list.iter().copied()).collect());
        set.contains(word)
    }
}

/// Month names, lowercase: dates are numbers to some stages and never names to others.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Weekday names, lowercase.
pub const WEEKDAYS: [&str; 7] =
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// `char::is_whitespace` of an ASCII byte (which, unlike `u8::is_ascii_whitespace`, counts the
/// vertical tab).
pub fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t'..=b'\r')
}

/// The characters of `text` that `pick` picks, with their offsets and what it made of them, in
/// text order: `char_indices` filtered, but an ASCII text's characters are read from its bytes
/// without decoding (most lines are ASCII, and the characters looked for are few).
pub fn find_chars<'t, T>(
    text: &'t str,
    pick: impl Fn(char) -> Option<T> + Copy + 't,
) -> impl Iterator<Item = (usize, T)> + 't {
    let ascii = text.is_ascii();
    // Masked, the byte is what it was (ASCII), and `pick`'s tests of characters beyond ASCII
    // are seen to fail without being made for each byte.
    let from_bytes = ascii.then(|| {
        text.bytes().enumerate().filter_map(move |(at, byte)| Some((at, pick(char::from(byte & 0x7f))?)))
    });
    let decoded = (!ascii).then(|| text.char_indices().filter_map(move |(at, c)| Some((at, pick(c)?))));
    from_bytes.into_iter().flatten().chain(decoded.into_iter().flatten())
}

/// The non-empty pieces of ASCII `text` between the bytes `is_separator` holds for: splitting
/// on a character predicate decodes every character, and most text is ASCII.
pub fn ascii_fields(text: &str, is_separator: impl Fn(u8) -> bool) -> impl Iterator<Item = &str> {
    debug_assert!(text.is_ascii());
    text.as_bytes().split(move |&byte| is_separator(byte)).filter(|field| !field.is_empty()).map(|field| {
        // `field` is a subslice of `text`, so the pointer difference is its offset.
        let start = field.as_ptr() as usize - text.as_ptr() as usize;
        &text[start..start + field.len()]
    })
}

/// The words of a matching form, as alignment, divergence and the duplicates report compare
/// them: its maximal runs of letters and digits (`trump's` gives `trump` and `s`).
pub fn form_words(form: &str) -> impl Iterator<Item = &str> {
    form.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty())
}

/// `word` in lower case, written into `buffer` when it is short ASCII (most words): words
/// counted or looked up by the million then allocate nothing each.
pub fn lowercase<'w>(word: &str, buffer: &'w mut [u8; 32]) -> Cow<'w, str> {
    recased(word, buffer, <[u8]>::make_ascii_lowercase, str::to_lowercase)
}

/// `word` in upper case, like [`lowercase`].
pub fn uppercase<'w>(word: &str, buffer: &'w mut [u8; 32]) -> Cow<'w, str> {
    recased(word, buffer, <[u8]>::make_ascii_uppercase, str::to_uppercase)
}

fn recased<'w>(
    word: &str,
    buffer: &'w mut [u8; 32],
    ascii: impl Fn(&mut [u8]),
    general: impl Fn(&str) -> String,
) -> Cow<'w, str> {
    match buffer.get_mut(..word.len()) {
        Some(recased) if word.is_ascii() => {
            recased.copy_from_slice(word.as_bytes());
            ascii(recased);
            Cow::Borrowed(std::str::from_utf8(recased).expect("ASCII is UTF-8"))
        }
        _ => Cow::Owned(general(word)),
    }
}

/// Iterates over maximal runs of letters in `text`, with their byte offsets.
///
/// Apostrophes and hyphens end a run, so `Witkoff’s` gives `Witkoff` and `s`; callers that
/// need possessives or hyphenated names join runs themselves.
pub fn letter_runs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut position = 0;
    std::iter::from_fn(move || {
        let start = position + letters_end(&text[position..], false);
        if start == text.len() {
            return None;
        }
        position = start + letters_end(&text[start..], true);
        Some((start, &text[start..position]))
    })
}

/// The length of `text`'s longest prefix whose characters are all letters (`letters`) or all
/// not. ASCII is classified byte by byte: decoding every character to ask took a tenth of
/// segmenting a corpus.
fn letters_end(text: &str, letters: bool) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let (is_letter, width) = if byte.is_ascii() {
            (byte.is_ascii_alphabetic(), 1)
        } else {
            let c = text[at..].chars().next().expect("a character starts here");
            (c.is_alphabetic(), c.len_utf8())
        };
        if is_letter != letters {
            break;
        }
        at += width;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unifies_quotes_dashes_spaces_and_case() {
        assert_eq!(
            matching_form("“That’s  what\u{00A0}dealmakers do” — Trump"),
            "\"that's what dealmakers do\" - trump"
        );
    }

    #[test]
    fn composes_decomposed_text() {
        assert_eq!(matching_form("Zelenskyi\u{0306}"), "zelenskyĭ");
    }

    #[test]
    fn word_sets_hold_the_words_of_their_lists() {
        static SET: WordSet = WordSet::new(&[&["said", "says"], &["told"]]);
        assert!(["said", "says", "told"].iter().all(|word| SET.contains(word)));
        assert!(!["Said", "sai", "tells", ""].iter().any(|word| SET.contains(word)));
        assert!(is_function_word("the") && !is_function_word("then's"));
        assert!(is_content_word("delayed") && !is_content_word("been") && !is_content_word("the"));
    }

    #[test]
    fn drops_zero_width_characters_and_trims() {
        assert_eq!(matching_form("  Wit\u{200B}koff\u{00AD}  "), "witkoff");
    }

    #[test]
    fn letter_runs_split_on_apostrophes_and_digits() {
        let runs: Vec<_> = letter_runs("Witkoff’s 28-point plan, Zelenskyy").collect();
        assert_eq!(runs, vec![(0, "Witkoff"), (10, "s"), (15, "point"), (21, "plan"), (27, "Zelenskyy")]);
    }

    /// The matching form as defined: composed, then each character alone, then composed again.
    fn character_by_character(text: &str) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        for c in text.nfc() {
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                pending_space = !out.is_empty();
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            match unify_punctuation(c) {
                Some(unified) => out.push(unified),
                None => out.extend(c.to_lowercase()),
            }
        }
        out.nfc().collect()
    }

    proptest! {
        /// Runs of letters are what splitting on every character that is not a letter gives.
        #[test]
        fn letter_runs_are_the_maximal_runs_of_letters(text in "[a-zA-Z0-9 ,'’ÉéΣσßЖж\u{0301}\u{4E00}-]{0,40}") {
            let runs: Vec<(usize, &str)> = letter_runs(&text).collect();
            let mut expected = Vec::new();
            let mut start = None;
            for (offset, c) in text.char_indices().chain([(text.len(), ' ')]) {
                match (c.is_alphabetic() && offset < text.len(), start) {
                    (true, None) => start = Some(offset),
                    (false, Some(from)) => {
                        expected.push((from, &text[from..offset]));
                        start = None;
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(runs, expected);
        }

        #[test]
        fn recasing_is_the_standard_library_s(word in "[A-Za-zÉéΣσß'-]{0,40}") {
            let mut buffer = [0; 32];
            prop_assert_eq!(lowercase(&word, &mut buffer), word.to_lowercase());
            prop_assert_eq!(uppercase(&word, &mut buffer), word.to_uppercase());
        }

        /// Normalising twice gives the same result as normalising once.
        #[test]
        fn matching_form_is_idempotent(text in "\\PC{0,40}") {
            let once = matching_form(&text);
            prop_assert_eq!(matching_form(&once), once.as_ref());
        }

        /// Taking ASCII runs as bytes gives what taking every character alone gives.
        #[test]
        fn matching_form_is_its_character_by_character_definition(
            text in "[ a-zA-Z`'\t\n\u{a0}\u{2003}“”’«»\u{ad}\u{200b}\u{301}\u{130}ÉéΣßЖ]{0,40}"
        ) {
            prop_assert_eq!(matching_form(&text), character_by_character(&text));
        }

        /// Characters found among an ASCII text's bytes are those `char_indices` finds.
        #[test]
        fn found_characters_are_those_of_char_indices(text in "[ a-z\"'.“”«»é\u{301}]{0,40}") {
            let pick = |c: char| matches!(c, '"' | '.' | '“' | '»' | 'é').then_some(c);
            let expected: Vec<(usize, char)> =
                text.char_indices().filter_map(|(at, c)| Some((at, pick(c)?))).collect();
            prop_assert_eq!(find_chars(&text, pick).collect::<Vec<_>>(), expected);
        }

        /// The ASCII shortcut gives what the general path gives.
        #[test]
        fn ascii_shortcut_agrees_with_the_general_path(text in "[ -~\t\n\r\x0b\x0c\x1c-\x1f]{0,40}") {
            prop_assert_eq!(ascii_matching_form(&text), general_matching_form(&text));
        }
    }
}
