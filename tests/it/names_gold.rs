//! Pairwise precision and recall of name clustering on a hand-made list of real Russian and
//! Ukrainian names under several romanisation schemes, with look-alike distinct people
//! (`tests/names/gold.csv`). The numbers are reported in README.md.

use std::collections::HashMap;

use crosscheck::cluster::{ClusterConfig, cluster};
use crosscheck::model::DocId;
use crosscheck::names::{Mention, MentionContext};

struct Scores {
    precision: f64,
    recall: f64,
    false_merges: Vec<(String, String)>,
    missed: Vec<(String, String)>,
}

fn evaluate() -> Scores {
    let gold = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/names/gold.csv"))
        .expect("tests/names/gold.csv is readable");
    let mut reader = csv::Reader::from_reader(gold.as_bytes());
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|record| {
            let record = record.expect("gold rows are well-formed");
            (record[0].to_owned(), record[1].to_owned())
        })
        .collect();
    // Each name is its own document and sentence: only the strings and given names decide.
    let mentions: Vec<Mention> = rows
        .iter()
        .enumerate()
        .map(|(position, (_, name))| Mention {
            doc: DocId(position as u32),
            sentence: 0,
            tokens: name.split(' ').collect(),
            context: MentionContext::default(),
            tentative: false,
        })
        .collect();
    let clusters = cluster(&mentions, &ClusterConfig::default());
    let mut predicted: HashMap<String, u32> = HashMap::new();
    for found in &clusters {
        for variant in &found.variants {
            predicted.insert(variant.surface.clone(), found.id);
        }
    }
    let (mut true_positive, mut false_positive, mut false_negative) = (0usize, 0usize, 0usize);
    let (mut false_merges, mut missed) = (Vec::new(), Vec::new());
    for (i, (person_a, name_a)) in rows.iter().enumerate() {
        for (person_b, name_b) in &rows[i + 1..] {
            let same_gold = person_a == person_b;
            let same_predicted = predicted[name_a] == predicted[name_b];
            match (same_gold, same_predicted) {
                (true, true) => true_positive += 1,
                (false, true) => {
                    false_positive += 1;
                    false_merges.push((name_a.clone(), name_b.clone()));
                }
                (true, false) => {
                    false_negative += 1;
                    missed.push((name_a.clone(), name_b.clone()));
                }
                (false, false) => {}
            }
        }
    }
    Scores {
        precision: true_positive as f64 / (true_positive + false_positive).max(1) as f64,
        recall: true_positive as f64 / (true_positive + false_negative).max(1) as f64,
        false_merges,
        missed,
    }
}

#[test]
fn name_clustering_precision_and_recall_on_gold_list() {
    let scores = evaluate();
    let f1 = 2.0 * scores.precision * scores.recall / (scores.precision + scores.recall);
    eprintln!(
        "names gold: pairwise precision {:.3}, recall {:.3}, F1 {:.3}",
        scores.precision, scores.recall, f1
    );
    eprintln!("false merges: {:?}", scores.false_merges);
    eprintln!("missed pairs: {:?}", scores.missed);
    assert!(scores.precision >= 0.95, "precision {:.3}", scores.precision);
    assert!(scores.recall >= 0.80, "recall {:.3}", scores.recall);
}
