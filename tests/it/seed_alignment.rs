//! What must align on the seed corpus, and what must not.

use crosscheck::align::AlignKind;
use crosscheck::pipeline::{Analysis, Config, run};

use crate::support::root;

/// Whether a sentence containing `a` and a sentence containing `b` are in one statement group.
fn grouped(analysis: &Analysis, a: &str, b: &str) -> bool {
    analysis.groups.iter().filter(|g| g.kind == AlignKind::Sentence).any(|group| {
        let has = |needle: &str| group.members.iter().any(|&m| analysis.unit(m).0.contains(needle));
        has(a) && has(b)
    })
}

#[test]
fn seed_statements_align_across_translations() {
    let analysis = run(&[root().join("corpus")], &Config::default()).expect("the seed corpus loads");
    let must = [
        ("That’s what dealmakers do", "That’s what a dealmaker does"),
        ("That’s what a dealmaker does", "This is what a negotiator does"),
        ("several ways to intercept phone calls", "various ways to intercept calls"),
        ("various ways to intercept calls", "different ways of intercepting calls"),
        (
            "It could be 100 million different things, including someone",
            "It could be 100 million different things, including somebody",
        ),
        (
            "I’ll informally pass it along, making it clear that it’s all informal",
            "“informally, making it clear that it’s all informal.”",
        ),
    ];
    for (a, b) in must {
        assert!(grouped(&analysis, a, b), "{a:?} and {b:?} are not aligned");
    }
    // Sentences that share only common words stay apart.
    let apart = [
        ("Two telephone calls, between Yuri Ushakov", "There are many people at both institutions"),
        ("The Secretary of State has for months watched", "Ukraine is also viewed as having a motive"),
    ];
    for (a, b) in apart {
        assert!(!grouped(&analysis, a, b), "{a:?} and {b:?} were aligned");
    }
}

#[test]
fn every_pair_is_in_its_group_and_groups_have_a_member_consensus() {
    let analysis = run(&[root().join("corpus")], &Config::default()).expect("the seed corpus loads");
    for pair in &analysis.pairs {
        assert_ne!(pair.a.doc, pair.b.doc, "a pair joins two sources");
        assert!((0.0..=1.0).contains(&pair.similarity));
        let group = analysis.groups.iter().find(|g| g.members.contains(&pair.a)).expect("pair a is grouped");
        assert!(group.members.contains(&pair.b));
    }
    for group in &analysis.groups {
        assert!(group.members.len() >= 2);
        assert!(group.members.contains(&group.consensus));
        assert_eq!(group.agreement.len(), group.members.len());
    }
}

/// The reported chrF and chrF++ of every aligned pair are sacrebleu's, whether they were read
/// from the sketches that scored the pair or computed again from the texts.
#[test]
fn reported_chrf_is_exact() {
    let analysis = run(&[root().join("corpus")], &Config::default()).expect("the seed corpus loads");
    assert_reported_chrf_is_exact(&analysis);
}

/// Two more sources quote a Chinese note, 300 distinct characters between them: more than
/// sketches number exactly, so they only rank, and the reported scores are computed again.
#[test]
fn reported_chrf_is_exact_when_the_corpus_has_too_many_characters_for_sketches() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let chinese = |from: u32| -> String { (from..from + 150).filter_map(char::from_u32).collect() };
    for (source, from) in [("notes-a", 0x4E00), ("notes-b", 0x4E00 + 150)] {
        let text = format!("Witkoff read the Kremlin note to Ushakov over the phone: {}.\n", chinese(from));
        std::fs::write(dir.path().join(format!("{source}.txt")), text).expect("written");
    }
    let inputs = [root().join("corpus"), dir.path().to_path_buf()];
    let analysis = run(&inputs, &Config::default()).expect("the corpus loads");
    let is_chinese = |text: &str| text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
    assert!(
        analysis
            .pairs
            .iter()
            .any(|pair| is_chinese(analysis.unit(pair.a).0) && is_chinese(analysis.unit(pair.b).0)),
        "the two notes align"
    );
    assert_reported_chrf_is_exact(&analysis);
}

fn assert_reported_chrf_is_exact(analysis: &Analysis) {
    assert!(!analysis.pairs.is_empty());
    for pair in &analysis.pairs {
        let (a, b) = (analysis.unit(pair.a).0, analysis.unit(pair.b).0);
        let matches = crosscheck::score::compare_texts(b, a);
        assert_eq!(pair.chrf, matches.chrf(true), "{a:?} / {b:?}");
        assert_eq!(pair.chrf_plus_plus, matches.chrf_plus_plus(true), "{a:?} / {b:?}");
    }
}
