//! Property tests over random news-like text.

use crosscheck::model::{DocId, Document, UnitKind};
use crosscheck::pipeline::segment_all;
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "Witkoff",
    "said",
    "the",
    "plan",
    "Mr.",
    "U.S.",
    "3.5",
    "TrumpThe",
    "Dmitrievanother",
    "“",
    "”",
    "\"",
    "'",
    "’",
    "‘",
    "«",
    "»",
    "„",
    ".",
    ",",
    "?",
    "!",
    "...",
    "—",
    "\n",
    "\n\n",
    "  • ",
    "Зеленський",
    "é",
    "Ushakov’s",
    "was\"naturally",
    "Get the app",
    "Image",
    " ",
    " ",
    " ",
    "\t",
    "\u{00A0}",
    "K.”",
    "(",
    ")",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|pieces| {
        let mut text = String::new();
        for piece in pieces {
            text.push_str(piece);
            text.push(' ');
        }
        text
    })
}

fn corpus(texts: Vec<String>) -> Vec<Document> {
    texts
        .into_iter()
        .enumerate()
        .map(|(position, text)| Document {
            id: DocId(position as u32),
            source: format!("doc{position}"),
            path: "generated.txt".into(),
            record_line: None,
            encoding: "UTF-8",
            text,
            title: None,
            date: None,
            url: None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Sentence and boilerplate spans are in order, do not overlap, lie on char boundaries and
    /// are trimmed; quote spans lie on char boundaries inside the text.
    #[test]
    fn spans_are_ordered_disjoint_and_on_char_boundaries(texts in prop::collection::vec(text(), 1..4)) {
        let documents = corpus(texts);
        for (document, segmented) in documents.iter().zip(segment_all(&documents)) {
            let text = &document.text;
            let mut previous_end = 0;
            for unit in &segmented.units {
                let (start, end) = (unit.span.start as usize, unit.span.end as usize);
                prop_assert!(start < end && end <= text.len());
                prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                let covered = &text[start..end];
                prop_assert_eq!(covered, covered.trim());
                if !matches!(unit.kind, UnitKind::Quote { .. }) {
                    prop_assert!(start >= previous_end, "overlap at {}..{}", start, end);
                    previous_end = end;
                }
            }
        }
    }

    /// One thread and two threads give the same units and defects.
    #[test]
    fn thread_count_does_not_change_segmentation(texts in prop::collection::vec(text(), 1..6)) {
        let documents = corpus(texts);
        let on = |threads| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool starts").install(|| segment_all(&documents))
        };
        prop_assert_eq!(on(1), on(2));
    }
}
