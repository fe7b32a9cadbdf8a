//! Evaluation: precision and recall of a run's reports against gold (such as `synth` writes).
//!
//! Alignment is scored on sentence pairs: the gold pairs are every two sentences of different
//! sources that express the same statement. Names are scored pairwise over the gold spellings
//! that the run found: two spellings of one person should share a cluster, two people should not.
//! Divergences are scored by the precision of the specific ones (negation, number, name) that
//! alignment pairs claim: gold statements state the same facts in every source.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::divergence::Divergence;

/// A sentence: (source, index among the source's sentences).
pub type SentenceKey = (String, u32);

/// An aligned sentence pair as a report gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedPair {
    /// One sentence.
    pub a: SentenceKey,
    /// The other.
    pub b: SentenceKey,
    /// How the report says they differ.
    pub divergence: Divergence,
}

impl PredictedPair {
    /// The two sentences, the lower first: a pair given either way round is one pair.
    fn ordered(&self) -> (&SentenceKey, &SentenceKey) {
        if self.a <= self.b { (&self.a, &self.b) } else { (&self.b, &self.a) }
    }
}

/// Precision, recall and F1, with the counts behind them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Correct / predicted.
    pub precision: f64,
    /// Correct / gold.
    pub recall: f64,
    /// Predicted items.
    pub predicted: usize,
    /// Gold items.
    pub gold: usize,
}

impl Scores {
    fn new(correct: usize, predicted: usize, gold: usize) -> Scores {
        Scores {
            precision: correct as f64 / predicted.max(1) as f64,
            recall: correct as f64 / gold.max(1) as f64,
            predicted,
            gold,
        }
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let sum = self.precision + self.recall;
        if sum > 0.0 { 2.0 * self.precision * self.recall / sum } else { 0.0 }
    }
}

/// Scores predicted sentence pairs against gold statement membership.
pub fn alignment_scores(gold: &[(SentenceKey, u32)], predicted: &[PredictedPair]) -> Scores {
    let statement_of = statements(gold);
    let mut carriers: BTreeMap<u32, Vec<&SentenceKey>> = BTreeMap::new();
    for (key, statement) in gold {
        carriers.entry(*statement).or_default().push(key);
    }
    let gold_pairs: usize = carriers
        .values()
        .map(|keys| {
            let mut count = 0;
            for (i, a) in keys.iter().enumerate() {
                count += keys[i + 1..].iter().filter(|b| b.0 != a.0).count();
            }
            count
        })
        .sum();
    let distinct: HashSet<(&SentenceKey, &SentenceKey)> =
        predicted.iter().map(PredictedPair::ordered).collect();
    let correct = distinct.iter().filter(|(a, b)| same_statement(&statement_of, a, b)).count();
    Scores::new(correct, distinct.len(), gold_pairs)
}

/// Precision of the pairs said to differ in a specific way (see [`Divergence::is_specific`]):
/// the share of them that express two different gold statements. Gold where every carrier of
/// a statement states the same facts (as `synth` writes it: wording, spelling, date and number
/// formats vary; numbers, negations and people do not) makes each such claim about two carriers of
/// one statement a false alarm, and each about two different statements the alignment's
/// mistake told truly. Recall is not measured: such gold has no divergence to find.
pub fn divergence_precision(gold: &[(SentenceKey, u32)], predicted: &[PredictedPair]) -> Scores {
    let statement_of = statements(gold);
    let flagged: HashSet<(&SentenceKey, &SentenceKey)> =
        predicted.iter().filter(|pair| pair.divergence.is_specific()).map(PredictedPair::ordered).collect();
    let told_truly = flagged.iter().filter(|(a, b)| !same_statement(&statement_of, a, b)).count();
    Scores::new(told_truly, flagged.len(), 0)
}

fn statements(gold: &[(SentenceKey, u32)]) -> HashMap<&SentenceKey, u32> {
    gold.iter().map(|(key, statement)| (key, *statement)).collect()
}

fn same_statement(statement_of: &HashMap<&SentenceKey, u32>, a: &SentenceKey, b: &SentenceKey) -> bool {
    matches!((statement_of.get(a), statement_of.get(b)), (Some(x), Some(y)) if x == y)
}

/// Scores name clusters pairwise over the gold spellings found in `clusters` (spelling ->
/// cluster id). Returns the scores and how many gold spellings were found.
pub fn name_scores(gold: &[(String, u32)], clusters: &HashMap<String, u32>) -> (Scores, usize) {
    let found: Vec<(&str, u32, u32)> = gold
        .iter()
        .filter_map(|(spelling, person)| {
            clusters.get(spelling).map(|&cluster| (spelling.as_str(), *person, cluster))
        })
        .collect();
    let (mut correct, mut predicted, mut gold_pairs) = (0, 0, 0);
    // Count pairs by grouping rather than all pairs: pairs sharing a person, a cluster, or both.
    let mut by_person: HashMap<u32, usize> = HashMap::new();
    let mut by_cluster: HashMap<u32, usize> = HashMap::new();
    let mut by_both: HashMap<(u32, u32), usize> = HashMap::new();
    for &(_, person, cluster) in &found {
        *by_person.entry(person).or_default() += 1;
        *by_cluster.entry(cluster).or_default() += 1;
        *by_both.entry((person, cluster)).or_default() += 1;
    }
    let pairs = |n: usize| n * n.saturating_sub(1) / 2;
    gold_pairs += by_person.values().map(|&n| pairs(n)).sum::<usize>();
    predicted += by_cluster.values().map(|&n| pairs(n)).sum::<usize>();
    correct += by_both.values().map(|&n| pairs(n)).sum::<usize>();
    (Scores::new(correct, predicted, gold_pairs), found.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(source: &str, index: u32) -> SentenceKey {
        (source.to_owned(), index)
    }

    fn pair(a: SentenceKey, b: SentenceKey, divergence: Divergence) -> PredictedPair {
        PredictedPair { a, b, divergence }
    }

    #[test]
    fn alignment_pairs_are_scored_against_statements() {
        let gold =
            vec![(key("a", 0), 1), (key("b", 3), 1), (key("c", 2), 1), (key("a", 1), 2), (key("b", 0), 2)];
        let predicted = vec![
            pair(key("a", 0), key("b", 3), Divergence::Wording),
            pair(key("b", 3), key("a", 0), Divergence::Wording),
            pair(key("a", 1), key("c", 2), Divergence::Number),
        ];
        let scores = alignment_scores(&gold, &predicted);
        assert_eq!((scores.predicted, scores.gold), (2, 4));
        assert_eq!((scores.precision, scores.recall), (0.5, 0.25));
    }

    #[test]
    fn specific_divergences_are_told_truly_only_between_different_statements() {
        let gold = vec![(key("a", 0), 1), (key("b", 3), 1), (key("c", 2), 2), (key("a", 1), 3)];
        let predicted = vec![
            pair(key("a", 0), key("b", 3), Divergence::Number),
            pair(key("b", 3), key("a", 0), Divergence::Number),
            pair(key("a", 1), key("c", 2), Divergence::Name),
            pair(key("a", 1), key("b", 3), Divergence::Wording),
        ];
        let scores = divergence_precision(&gold, &predicted);
        assert_eq!((scores.predicted, scores.precision), (2, 0.5));
    }

    #[test]
    fn name_pairs_are_scored_by_grouping() {
        let gold = vec![
            ("Witkoff".to_owned(), 1),
            ("Vitkoff".to_owned(), 1),
            ("Peskov".to_owned(), 2),
            ("Absent".to_owned(), 3),
        ];
        let clusters: HashMap<String, u32> = [("Witkoff", 10), ("Vitkoff", 10), ("Peskov", 10)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let (scores, found) = name_scores(&gold, &clusters);
        assert_eq!(found, 3);
        assert_eq!((scores.predicted, scores.gold), (3, 1));
        assert!((scores.precision - 1.0 / 3.0).abs() < 1e-12 && scores.recall == 1.0);
    }
}
