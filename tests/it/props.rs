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
        .map(|(position, text)| Document::new(DocId(position as u32), format!("doc{position}"), text))
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

fn name_strategy() -> impl Strategy<Value = Vec<String>> {
    let given = prop::sample::select(vec!["Yuri", "Steve", "Kirill", "Olena", "Vladimir", "Volodymyr", ""]);
    let surname = prop::sample::select(vec![
        "Ushakov",
        "Uschakow",
        "Witkoff",
        "Vitkoff",
        "Zelensky",
        "Zelenska",
        "Zelenskyy",
        "Putin",
        "Dmitriev",
        "Peskov",
    ]);
    (given, surname)
        .prop_map(|(g, s)| if g.is_empty() { vec![s.to_owned()] } else { vec![g.to_owned(), s.to_owned()] })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Clusters partition the (non-tentative) mentions, and shuffling the mentions does not
    /// change the clusters.
    #[test]
    fn clusters_partition_mentions_and_ignore_input_order(
        names in prop::collection::vec((name_strategy(), 0u32..4, 0u32..3), 1..30),
        seed in any::<u64>(),
    ) {
        use crosscheck::cluster::{ClusterConfig, cluster};
        use crosscheck::names::{Mention, MentionContext};
        let mentions: Vec<Mention> = names
            .into_iter()
            .map(|(tokens, doc, sentence)| Mention {
                doc: DocId(doc),
                sentence,
                tokens: tokens.into_iter().collect(),
                context: MentionContext::default(),
                tentative: false,
            })
            .collect();
        let clusters = cluster(&mentions, &ClusterConfig::default());
        let clustered: u32 = clusters.iter().flat_map(|c| &c.variants).map(|v| v.mentions).sum();
        prop_assert_eq!(clustered as usize, mentions.len());
        let mut surfaces: Vec<&str> = clusters.iter().flat_map(|c| c.variants.iter().map(|v| v.surface.as_str())).collect();
        let before = surfaces.len();
        surfaces.sort_unstable();
        surfaces.dedup();
        prop_assert_eq!(surfaces.len(), before, "a spelling is in two clusters");

        let mut shuffled = mentions.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(cluster(&shuffled, &ClusterConfig::default()), clusters);
    }
}
