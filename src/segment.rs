//! Segmentation: splits prose lines into sentences and finds quoted spans.
//!
//! Sentence boundaries come from `sentencex` (abbreviations, initials, decimals, ellipses,
//! `?" he asked`), run per line so that headlines and sub-heads without final punctuation stay
//! units of their own. Two kinds of boundary it cannot see are added here: those hidden by
//! extraction damage ("TrumpThe success"), found by the cleaning stage, and a sentence that
//! ends inside a closing quote and is followed by a new one (`from K.” Journalists`).
//!
//! Quotes are found with a stack over the line, so they may nest and span sentences; a
//! quotation mark counts as opening or closing by what flanks it, apostrophes inside words
//! (Witkoff's) are not quotes, and a double quote still open at the end of its paragraph is
//! recovered there.

use crate::clean::{defects_between, ends_sentence, strictly_between};
use crate::model::{Defect, Document, LineClass, QuoteForm, Span, Unit, UnitKind};
use crate::normalize::find_chars;

/// Splits a document into units: boilerplate lines, sentences and quotes, in text order.
///
/// `classes` has one entry per line of the document; `defects` are the document's extraction
/// defects, sorted by position.
pub fn segment(document: &Document, classes: &[LineClass], defects: &[Defect]) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut line_start = 0usize;
    for (line_idx, line) in document.text.split('\n').enumerate() {
        let line_no = line_idx as u32 + 1;
        let mut push = |kind, start: usize, end: usize| {
            units.push(Unit {
                doc: document.id,
                kind,
                index: 0,
                line: line_no,
                span: Span::new(line_start + start, line_start + end),
            })
        };
        match classes.get(line_idx).copied().unwrap_or(LineClass::Prose) {
            LineClass::Boilerplate(rule) => {
                if let Some((start, end)) = trimmed(line, 0, line.len(), false) {
                    push(UnitKind::Boilerplate(rule), start, end);
                }
            }
            LineClass::Prose => {
                let breaks: Vec<usize> = defects_between(defects, line_start, line_start + line.len())
                    .iter()
                    .filter(|defect| defect.sentence_break)
                    .map(|defect| defect.split_at as usize - line_start)
                    .collect();
                let sentences = sentence_spans(line, &breaks);
                let heading = sentences.len() == 1 && !ends_sentence(line);
                for (start, end) in sentences {
                    push(UnitKind::Sentence { heading }, start, end);
                }
                for quote in quote_spans(line) {
                    push(
                        UnitKind::Quote { form: quote.form, nested: quote.nested, unclosed: quote.unclosed },
                        quote.start,
                        quote.end,
                    );
                }
            }
        }
        line_start += line.len() + 1;
    }
    units.sort_by_key(|unit| (unit.span.start, kind_order(&unit.kind), unit.span.end));
    let mut counters = [0u32; 3];
    for unit in &mut units {
        let counter = &mut counters[kind_order(&unit.kind)];
        unit.index = *counter;
        *counter += 1;
    }
    units
}

fn kind_order(kind: &UnitKind) -> usize {
    match kind {
        UnitKind::Boilerplate(_) => 0,
        UnitKind::Sentence { .. } => 1,
        UnitKind::Quote { .. } => 2,
    }
}

/// Sentence spans of one line, as byte ranges into it; `extra_breaks` (offsets where a sentence
/// must end, sorted) split them further.
fn sentence_spans(line: &str, extra_breaks: &[usize]) -> Vec<(usize, usize)> {
    if line.trim().is_empty() {
        return Vec::new();
    }
    // sentencex does not split a line that starts with a bullet, so give it the item's text.
    let item_start = line.len() - line.trim_start().trim_start_matches(BULLETS).trim_start().len();
    let mut spans = Vec::new();
    let boundaries = sentencex_pieces(&line[item_start..]).into_iter().flat_map(|(piece_start, piece)| {
        sentencex::get_sentence_boundaries("en", piece)
            .into_iter()
            .map(move |boundary| (piece_start + boundary.start_byte, piece_start + boundary.end_byte))
    });
    for (start, end) in boundaries {
        let (start, end) = (item_start + start, item_start + end);
        let mut cuts: Vec<usize> = strictly_between(extra_breaks, |&at| at, start, end).to_vec();
        cuts.extend(quote_end_breaks(&line[start..end]).into_iter().map(|at| start + at));
        cuts.sort_unstable();
        cuts.dedup();
        let mut piece_start = start;
        for cut in cuts.into_iter().chain(std::iter::once(end)) {
            if let Some(span) = trimmed(line, piece_start, cut, true) {
                spans.push(span);
            }
            piece_start = cut;
        }
    }
    spans
}

/// Longest text handed to `sentencex` at once. It pairs each opening quote by searching the
/// rest of its text for the closer, so a line of thousands of unclosed quotes (`x “y x “y …`)
/// costs time quadratic in its length: two seconds for 150 KB, about a minute for a line at the
/// loader's 1 MiB limit. Longer lines reach it in pieces, which bounds that cost per piece.
const SENTENCEX_PIECE: usize = 16 * 1024;

/// How far back from a piece's end `sentencex` looks for the sentence to cut before.
const SENTENCEX_TAIL: usize = SENTENCEX_PIECE / 4;

/// `text` cut into pieces of at most [`SENTENCEX_PIECE`] bytes, each with its offset: cut
/// where `sentencex`, run on the piece's last [`SENTENCEX_TAIL`] bytes, starts its last
/// sentence (so abbreviations and initials are not taken for sentence ends), else after the last
/// space, else at a character boundary.
fn sentencex_pieces(text: &str) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while text.len() - start > SENTENCEX_PIECE {
        let window = &text[start..text.floor_char_boundary(start + SENTENCEX_PIECE)];
        let tail_start = window.ceil_char_boundary(window.len() - SENTENCEX_TAIL);
        let last_sentence = sentencex::get_sentence_boundaries("en", &window[tail_start..])
            .last()
            .map(|boundary| tail_start + boundary.start_byte)
            .filter(|&at| at > tail_start);
        let after_space = || window.rfind(' ').map(|at| at + 1);
        let cut = last_sentence.or_else(after_space).unwrap_or(window.len());
        pieces.push((start, &window[..cut]));
        start += cut;
    }
    pieces.push((start, &text[start..]));
    pieces
}

/// Offsets just after `.”` plus space where a new capitalised sentence starts.
fn quote_end_breaks(text: &str) -> Vec<usize> {
    let mut breaks = Vec::new();
    for (stop, _) in text.match_indices('.') {
        let after = stop + 1;
        let mut next = text[after..].char_indices();
        if let (Some((_, close)), Some((_, space)), Some((at, first))) =
            (next.next(), next.next(), next.next())
            && matches!(close, '”' | '"' | '»')
            && space.is_whitespace()
            && first.is_uppercase()
        {
            breaks.push(after + at);
        }
    }
    breaks
}

/// Characters that mark list items.
const BULLETS: [char; 6] = ['•', '·', '▪', '‣', '◦', '*'];

/// Trims whitespace (and, for sentences, a leading list bullet) from `line[start..end]`;
/// `None` when nothing with a letter or digit is left.
fn trimmed(line: &str, start: usize, end: usize, strip_bullet: bool) -> Option<(usize, usize)> {
    let piece = &line[start..end];
    let mut body = piece.trim_start();
    if strip_bullet {
        body = body.trim_start_matches(BULLETS).trim_start();
        if let Some(rest) = body.strip_prefix("- ").or_else(|| body.strip_prefix("– ")) {
            body = rest.trim_start();
        }
    }
    let body = body.trim_end();
    if !body.chars().any(char::is_alphanumeric) {
        return None;
    }
    // `body` is a subslice of `piece`, so the pointer difference is its offset.
    let new_start = start + (body.as_ptr() as usize - piece.as_ptr() as usize);
    Some((new_start, new_start + body.len()))
}

/// A quoted span within one line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QuoteSpan {
    start: usize,
    end: usize,
    form: QuoteForm,
    nested: bool,
    unclosed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Double,
    Single,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Open,
    Close,
    Either,
}

fn quote_mark(c: char) -> Option<(Family, Role)> {
    Some(match c {
        '“' | '„' | '«' => (Family::Double, Role::Open),
        '”' | '»' => (Family::Double, Role::Close),
        '"' => (Family::Double, Role::Either),
        '‘' | '‚' | '‹' => (Family::Single, Role::Open),
        '’' | '›' => (Family::Single, Role::Close),
        '\'' => (Family::Single, Role::Either),
        _ => return None,
    })
}

struct OpenQuote {
    family: Family,
    mark: char,
    content_start: usize,
}

/// Finds quoted spans in one paragraph.
fn quote_spans(line: &str) -> Vec<QuoteSpan> {
    let mut stack: Vec<OpenQuote> = Vec::new();
    let mut quotes = Vec::new();
    for (offset, (c, (family, role))) in find_chars(line, |c| Some((c, quote_mark(c)?))) {
        // Only the characters next to quote marks are read: the line is not decoded into a
        // vector first (that vector, grown a doubling at a time, was a tenth of segmenting).
        let before = line[..offset].chars().next_back();
        let after = line[offset + c.len_utf8()..].chars().next();
        let is_space = |c: Option<char>| c.is_none_or(char::is_whitespace);
        let word_before = before.is_some_and(char::is_alphanumeric);
        let word_after = after.is_some_and(char::is_alphanumeric);
        if family == Family::Single && word_before && word_after {
            continue; // an apostrophe: Witkoff's, don't
        }
        let opens_after = |c: Option<char>| {
            is_space(c) || c.is_some_and(|c| "([{—–-/".contains(c) || quote_mark(c).is_some())
        };
        let mut can_open = !is_space(after) && opens_after(before);
        let mut can_close = !is_space(before) && after.is_none_or(|c| !c.is_alphanumeric());
        if c == '"' && word_after && !is_space(before) && !opens_after(before) {
            // Extraction dropped a space: `was"naturally` opens; `informal,"And` closes
            // whatever straight quote is open.
            let straight_open = stack.last().is_some_and(|open| open.mark == '"');
            can_open = word_before || !straight_open;
            can_close = !can_open;
        }
        // German-style „…“ closes with the mark that opens English quotes.
        let role = if c == '“' && !is_space(before) && stack.last().is_some_and(|open| open.mark == '„') {
            Role::Close
        } else {
            role
        };
        if can_close && role != Role::Open {
            let matching = stack.iter().rposition(|open| open.family == family);
            if let Some(position) = matching
                && (family == Family::Double || position == stack.len() - 1)
            {
                let open = stack.swap_remove(position);
                stack.truncate(position);
                quotes.push(make_quote(line, open.content_start, offset, position > 0, false));
                continue;
            }
        }
        if can_open && role != Role::Close {
            stack.push(OpenQuote { family, mark: c, content_start: offset + c.len_utf8() });
        }
    }
    // Recover at the paragraph end the quotes among the two outermost still open that are
    // double: a deeper one is noise, and a line of stray marks gave a quote per mark, each
    // running to the end of the line (a 100 KB line, 1.2 GB of segments). An unclosed single
    // quote is far more likely a stray apostrophe, so it is not recovered, though it still
    // counts as one of the two.
    for (depth, open) in stack.iter().enumerate().take(2) {
        if open.family == Family::Double {
            quotes.push(make_quote(line, open.content_start, line.len(), depth > 0, true));
        }
    }
    quotes.retain(|quote| quote.start < quote.end);
    quotes.sort_by_key(|quote| (quote.start, quote.end));
    quotes
}

fn make_quote(line: &str, start: usize, end: usize, nested: bool, unclosed: bool) -> QuoteSpan {
    let (start, mut end) = trimmed(line, start, end, false).unwrap_or((start, start));
    // A comma before the closing mark is punctuation of the reporting sentence, not the quote.
    end = start + line[start..end].trim_end_matches(|c: char| c == ',' || c.is_whitespace()).len();
    let text = &line[start..end];
    QuoteSpan { start, end, form: quote_form(text), nested, unclosed }
}

/// A statement has four or more words and reads as a clause of its own: it starts with a
/// capital or a digit, or ends with sentence punctuation. Anything else is a fragment.
fn quote_form(text: &str) -> QuoteForm {
    let words = text.split_whitespace().count();
    let starts_clause =
        text.chars().find(|c| c.is_alphanumeric()).is_some_and(|c| c.is_uppercase() || c.is_numeric());
    if words >= 4 && (starts_clause || ends_sentence(text)) {
        QuoteForm::Statement
    } else {
        QuoteForm::Fragment
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::{classify_lines, corpus_stats, find_defects};
    use crate::model::DocId;
    use expect_test::{Expect, expect};

    fn document(text: &str) -> Document {
        Document::new(DocId(0), "test", text)
    }

    /// Segments `text` (with the given extra documents as corpus context) and renders one
    /// unit per line as `kind[detail] text`.
    fn render_with_corpus(text: &str, others: &[&str]) -> String {
        let mut documents = vec![document(text)];
        documents.extend(others.iter().map(|other| document(other)));
        let corpus = corpus_stats(&documents);
        let classes = classify_lines(&documents[0], &corpus);
        let defects = find_defects(&documents[0], &classes, &corpus.vocabulary);
        let units = segment(&documents[0], &classes, &defects);
        let mut out = String::new();
        for unit in units {
            let detail = unit.kind.detail();
            let detail = if detail.is_empty() { String::new() } else { format!("[{detail}]") };
            out.push_str(&format!("{}{} {}\n", unit.kind.label(), detail, unit.span.of(&documents[0].text)));
        }
        out
    }

    #[track_caller]
    fn check(text: &str, expect: Expect) {
        expect.assert_eq(&render_with_corpus(text, &[]));
    }

    #[test]
    fn a_long_line_is_split_where_its_sentences_end() {
        let sentences: Vec<String> =
            (0..3000).map(|n| format!("Witness number {n} told Mr. Ushakov what he saw.")).collect();
        let line = sentences.join(" ");
        assert!(line.len() > 8 * SENTENCEX_PIECE);
        let found: Vec<&str> =
            sentence_spans(&line, &[]).into_iter().map(|(start, end)| &line[start..end]).collect();
        assert_eq!(found, sentences);
    }

    #[test]
    fn sentencex_pieces_are_bounded_and_cover_the_text() {
        let cases = [
            "x “y ".repeat(10_000),
            "Один “два” три четыре пять семь. ".repeat(2_000),
            "ж".repeat(3 * SENTENCEX_PIECE),
            "short line".to_string(),
        ];
        for text in &cases {
            let pieces = sentencex_pieces(text);
            assert!(pieces.iter().all(|(_, piece)| !piece.is_empty() && piece.len() <= SENTENCEX_PIECE));
            assert_eq!(pieces.iter().map(|(_, piece)| *piece).collect::<String>(), *text);
            assert!(pieces.iter().all(|&(start, piece)| text[start..].starts_with(piece)));
        }
        let after_space = sentencex_pieces(&cases[0]);
        assert!(after_space[1..].iter().all(|&(start, _)| cases[0][..start].ends_with(' ')));
        let after_sentence = sentencex_pieces(&cases[1]);
        assert!(after_sentence[1..].iter().all(|(_, piece)| piece.starts_with("Один")));
    }

    #[test]
    fn abbreviations_and_initials_do_not_split() {
        check(
            "Mr. Smith met Gen. J. R. Allen in the U.S. on Monday. Dr. Jones of the U.K. stayed home.",
            expect![[r#"
                sentence Mr. Smith met Gen. J. R. Allen in the U.S. on Monday.
                sentence Dr. Jones of the U.K. stayed home.
            "#]],
        );
    }

    #[test]
    fn decimals_numbers_and_ellipses() {
        check(
            "Growth was 3.5 percent. No. 10 said nothing... Then it spoke.",
            expect![[r#"
                sentence Growth was 3.5 percent.
                sentence No. 10 said nothing...
                sentence Then it spoke.
            "#]],
        );
    }

    #[test]
    fn question_inside_quote_followed_by_attribution_stays_one_sentence() {
        check(
            r#""Are you sure?" he asked. She nodded."#,
            expect![[r#"
                sentence "Are you sure?" he asked.
                quote[fragment] Are you sure?
                sentence She nodded.
            "#]],
        );
    }

    #[test]
    fn headline_without_punctuation_is_its_own_unit() {
        check(
            "Tips for buttering up Trump\nAccording to Bloomberg, Witkoff made suggestions to Ushakov about the call and about a peace plan for the region.",
            expect![[r#"
                sentence[heading] Tips for buttering up Trump
                sentence According to Bloomberg, Witkoff made suggestions to Ushakov about the call and about a peace plan for the region.
            "#]],
        );
    }

    #[test]
    fn bullets_are_stripped_from_list_items() {
        check(
            "  • Witkoff urged Ushakov to call. He also suggested a plan.\n  • Dmitriev agreed.",
            expect![[r#"
                sentence Witkoff urged Ushakov to call.
                sentence He also suggested a plan.
                sentence Dmitriev agreed.
            "#]],
        );
    }

    #[test]
    fn sentence_ending_inside_closing_quote_splits() {
        check(
            "He tweeted: “He must have gotten this from K.” Journalists speculate that “K.” stood for Kirill.",
            expect![[r#"
                sentence He tweeted: “He must have gotten this from K.”
                quote[statement] He must have gotten this from K.
                sentence Journalists speculate that “K.” stood for Kirill.
                quote[fragment] K.
            "#]],
        );
    }

    #[test]
    fn quote_spanning_sentences_and_nested_quotes() {
        check(
            "\"This is standard. He needs to 'sell' Ukraine to Russia. You say, 'They want this, convince them.' Fine,\" he said.",
            expect![[r#"
                sentence "This is standard. He needs to 'sell' Ukraine to Russia. You say, 'They want this, convince them.' Fine," he said.
                quote[statement] This is standard. He needs to 'sell' Ukraine to Russia. You say, 'They want this, convince them.' Fine
                quote[fragment;nested] sell
                quote[statement;nested] They want this, convince them.
            "#]],
        );
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        check(
            "Witkoff’s envoys’ role in Putin's plan wasn't ‘standard’ in the ’90s.",
            expect![[r#"
                sentence Witkoff’s envoys’ role in Putin's plan wasn't ‘standard’ in the ’90s.
                quote[fragment] standard
            "#]],
        );
    }

    #[test]
    fn guillemets_and_low_quotes() {
        check(
            "Он сказал: «Это неприемлемо для нас». Er sagte: „Das ist Unsinn, wirklich“ und ging.",
            expect![[r#"
                sentence Он сказал: «Это неприемлемо для нас».
                quote[statement] Это неприемлемо для нас
                sentence Er sagte: „Das ist Unsinn, wirklich“ und ging.
                quote[statement] Das ist Unsinn, wirklich
            "#]],
        );
    }

    #[test]
    fn unbalanced_quote_is_recovered_at_paragraph_end() {
        check(
            "\"Ushakov said the recordings were\"forgeries,\" and added more. Nobody closed this quote.",
            expect![[r#"
                sentence "Ushakov said the recordings were"forgeries," and added more.
                quote[statement;unclosed] Ushakov said the recordings were"forgeries," and added more. Nobody closed this quote.
                quote[fragment;nested] forgeries
                sentence Nobody closed this quote.
            "#]],
        );
    }

    #[test]
    fn a_run_of_stray_marks_leaves_at_most_two_unclosed_quotes() {
        let line = format!("Start. {} end.", "ab\"cd".repeat(500));
        let quotes = quote_spans(&line);
        assert!(quotes.iter().filter(|quote| quote.unclosed).count() <= 2);
        let quoted: usize = quotes.iter().map(|quote| quote.end - quote.start).sum();
        assert!(quoted <= 2 * line.len(), "{quoted} bytes quoted from a {}-byte line", line.len());
    }

    #[test]
    fn scare_quote_is_a_fragment_and_statement_is_not() {
        check(
            "Critics called him a “traitor”. Peskov said: “A process is underway and it is serious.”",
            expect![[r#"
                sentence Critics called him a “traitor”.
                quote[fragment] traitor
                sentence Peskov said: “A process is underway and it is serious.”
                quote[statement] A process is underway and it is serious.
            "#]],
        );
    }

    #[test]
    fn glued_sentences_split_around_extraction_defects() {
        let others = ["Trump spoke. The plan was ready. Trump left. The talks went on in Moscow and Kyiv."];
        expect![[r#"
            sentence He has a good friendship with Trump
            sentence The success of the talks helped.
        "#]]
        .assert_eq(&render_with_corpus(
            "He has a good friendship with TrumpThe success of the talks helped.",
            &others,
        ));
        let others = ["The talks ended.Then everyone left."];
        expect![[r#"
            sentence The talks ended.
            sentence Then everyone left.
        "#]]
        .assert_eq(&render_with_corpus(others[0], &[]));
    }

    proptest::proptest! {
        /// Breaks after `.”` are where four characters in a row read stop, closing mark,
        /// space, capital.
        #[test]
        fn quote_end_breaks_are_those_of_every_four_characters(
            text in "[.”\"»’ \u{a0}aAÉé]{0,40}"
        ) {
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            let expected: Vec<usize> = chars
                .windows(4)
                .filter(|window| {
                    window[0].1 == '.'
                        && matches!(window[1].1, '”' | '"' | '»')
                        && window[2].1.is_whitespace()
                        && window[3].1.is_uppercase()
                })
                .map(|window| window[3].0)
                .collect();
            proptest::prop_assert_eq!(quote_end_breaks(&text), expected);
        }
    }
}
