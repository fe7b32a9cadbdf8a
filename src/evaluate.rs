//! Evaluation: precision and recall of a run's reports against gold (such as `synth` writes).
//!
//! Alignment is scored on sentence pairs: the gold pairs are every two sentences of different
//! sources that express the same statement. Names are scored pairwise over the gold spellings
//! that the run found: two spellings of one person should share a cluster, two people should not.
//! Divergences are scored on the specific ones (negation, number, name) that alignment pairs
//! claim, against the gold carriers that state a fact of their statement otherwise.

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
        Scores::counted(correct, predicted, correct, gold)
    }

    /// Where what makes a prediction right (`right` of `predicted`) is not what makes gold
    /// found (`found` of `gold`).
    fn counted(right: usize, predicted: usize, found: usize, gold: usize) -> Scores {
        Scores {
            precision: right as f64 / predicted.max(1) as f64,
            recall: found as f64 / gold.max(1) as f64,
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
    let mut gold_pairs = 0;
    for_each_gold_pair(gold, |_, _| gold_pairs += 1);
    let distinct: HashSet<(&SentenceKey, &SentenceKey)> =
        predicted.iter().map(PredictedPair::ordered).collect();
    let correct = distinct.iter().filter(|(a, b)| same_statement(&statement_of, a, b)).count();
    Scores::new(correct, distinct.len(), gold_pairs)
}

/// How well the pairs said to differ in a specific way (see [`Divergence::is_specific`]) find
/// the facts that gold carriers changed.
#[derive(Debug, Clone, PartialEq)]
pub struct DivergenceScores {
    /// Pairs of any specific kind against the gold pairs that state different facts: a claim
    /// is true between two different statements (the alignment's mistake told truly) and
    /// between two carriers of one statement that changed different facts (one of them may
    /// have changed none); false between two carriers that state the same facts.
    pub flagged: Scores,
    /// Of the gold pairs where one carrier changed a fact and the other none, the share said
    /// to differ in that fact's kind (recall), and of those claimed of any specific kind, the
    /// share claimed of the right one (precision).
    pub kinds: Scores,
    /// `kinds` per specific divergence (negation, number, name, in that order): of the gold
    /// pairs where one carrier changed that fact, the share claimed as it (recall), and of the
    /// claims of it on pairs where one carrier changed a fact, the share right (precision).
    pub by_kind: Vec<(Divergence, Scores)>,
}

/// The specific divergences, as [`DivergenceScores::by_kind`] lists them.
const SPECIFIC: [Divergence; 3] = [Divergence::Negation, Divergence::Number, Divergence::Name];

/// Scores specific divergences against gold statements and `changes`: the carriers that
/// state a fact otherwise, each with the divergence it shows against a carrier that does not
/// (as `synth` writes them; gold without changes leaves nothing to find, and only precision
/// is measured).
pub fn divergence_scores(
    gold: &[(SentenceKey, u32)],
    changes: &[(SentenceKey, Divergence)],
    predicted: &[PredictedPair],
) -> DivergenceScores {
    let statement_of = statements(gold);
    let change_of: HashMap<&SentenceKey, Divergence> =
        changes.iter().map(|(key, change)| (key, *change)).collect();
    // The divergence a gold pair should show: none for two carriers stating the same facts, the
    // changed fact's where one changed, any specific one where both changed different facts.
    let differ = |a: &SentenceKey, b: &SentenceKey| change_of.get(a) != change_of.get(b);
    let single_change = |a: &SentenceKey, b: &SentenceKey| match (change_of.get(a), change_of.get(b)) {
        (Some(&change), None) | (None, Some(&change)) => Some(change),
        _ => None,
    };
    let mut divergent = 0;
    // Per kind: gold pairs with that single change, claims of it, right claims of it. Their
    // sums over every kind are `kinds`' counts.
    let mut per_kind: HashMap<Divergence, (usize, usize, usize)> = HashMap::new();
    for_each_gold_pair(gold, |a, b| {
        divergent += usize::from(differ(a, b));
        if let Some(change) = single_change(a, b) {
            per_kind.entry(change).or_default().0 += 1;
        }
    });
    let flagged: HashMap<(&SentenceKey, &SentenceKey), Divergence> = predicted
        .iter()
        .filter(|pair| pair.divergence.is_specific())
        .map(|pair| (pair.ordered(), pair.divergence))
        .collect();
    // Claims about two different statements are true but find no changed fact.
    let found = flagged.keys().filter(|(a, b)| same_statement(&statement_of, a, b) && differ(a, b)).count();
    let told_truly = found + flagged.keys().filter(|(a, b)| !same_statement(&statement_of, a, b)).count();
    let same_with_one_change = |(a, b): &(&SentenceKey, &SentenceKey)| {
        same_statement(&statement_of, a, b).then(|| single_change(a, b)).flatten()
    };
    for (pair, &divergence) in &flagged {
        if let Some(change) = same_with_one_change(pair) {
            let (_, claims, right) = per_kind.entry(divergence).or_default();
            *claims += 1;
            *right += usize::from(divergence == change);
        }
    }
    let by_kind = SPECIFIC
        .iter()
        .map(|kind| {
            let (gold, claims, right) = per_kind.get(kind).copied().unwrap_or_default();
            (*kind, Scores::new(right, claims, gold))
        })
        .collect();
    let (single, claimed, right_kind) = per_kind.values().fold((0, 0, 0), |(gold, claims, right), counts| {
        (gold + counts.0, claims + counts.1, right + counts.2)
    });
    DivergenceScores {
        flagged: Scores::counted(told_truly, flagged.len(), found, divergent),
        kinds: Scores::new(right_kind, claimed, single),
        by_kind,
    }
}

/// Calls `each` with every gold pair: two sentences of different sources that express the
/// same statement, each pair once.
fn for_each_gold_pair<'g>(
    gold: &'g [(SentenceKey, u32)],
    mut each: impl FnMut(&'g SentenceKey, &'g SentenceKey),
) {
    let mut carriers: BTreeMap<u32, Vec<&SentenceKey>> = BTreeMap::new();
    for (key, statement) in gold {
        carriers.entry(*statement).or_default().push(key);
    }
    for keys in carriers.values() {
        for (i, a) in keys.iter().enumerate() {
            for b in keys[i + 1..].iter().filter(|b| b.0 != a.0) {
                each(a, b);
            }
        }
    }
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
    fn specific_divergences_are_told_truly_between_different_statements_or_facts() {
        let gold = vec![(key("a", 0), 1), (key("b", 3), 1), (key("c", 2), 2), (key("a", 1), 3)];
        let predicted = vec![
            pair(key("a", 0), key("b", 3), Divergence::Number),
            pair(key("b", 3), key("a", 0), Divergence::Number),
            pair(key("a", 1), key("c", 2), Divergence::Name),
            pair(key("a", 1), key("b", 3), Divergence::Wording),
        ];
        // Two carriers of one statement stating the same facts: a false alarm.
        let scores = divergence_scores(&gold, &[], &predicted);
        assert_eq!((scores.flagged.predicted, scores.flagged.precision, scores.flagged.gold), (2, 0.5, 0));
        // One of them changed a number: found, and of the right kind.
        let changed = [(key("b", 3), Divergence::Number)];
        let scores = divergence_scores(&gold, &changed, &predicted);
        assert_eq!((scores.flagged.precision, scores.flagged.recall, scores.flagged.gold), (1.0, 1.0, 1));
        assert_eq!((scores.kinds.precision, scores.kinds.recall, scores.kinds.gold), (1.0, 1.0, 1));
        // It named another person: found, but of the wrong kind.
        let changed = [(key("b", 3), Divergence::Name)];
        let scores = divergence_scores(&gold, &changed, &predicted);
        assert_eq!((scores.flagged.recall, scores.kinds.precision, scores.kinds.recall), (1.0, 0.0, 0.0));
    }

    #[test]
    fn divergent_carriers_not_claimed_are_missed() {
        // Three carriers, the third changed: two divergent pairs, of which one is claimed; the
        // pair of the two unchanged ones is no divergence, and not claimed.
        let gold = vec![(key("a", 0), 1), (key("b", 0), 1), (key("c", 0), 1)];
        let changed = [(key("c", 0), Divergence::Negation)];
        let predicted = vec![
            pair(key("a", 0), key("b", 0), Divergence::Wording),
            pair(key("a", 0), key("c", 0), Divergence::Negation),
            pair(key("b", 0), key("c", 0), Divergence::Wording),
        ];
        let scores = divergence_scores(&gold, &changed, &predicted);
        assert_eq!((scores.flagged.predicted, scores.flagged.gold), (1, 2));
        assert_eq!((scores.flagged.precision, scores.flagged.recall), (1.0, 0.5));
        assert_eq!((scores.kinds.recall, scores.kinds.gold), (0.5, 2));
    }

    #[test]
    fn each_kind_is_scored_on_the_pairs_that_changed_it() {
        // Statement 1: `b` negated; statement 2: `e` named another person; statement 3: `h`
        // changed a number. The negation is found, the person is missed (the pair called a
        // number), the number found in one of its two pairs.
        let gold = vec![
            (key("a", 0), 1),
            (key("b", 0), 1),
            (key("d", 0), 2),
            (key("e", 0), 2),
            (key("g", 0), 3),
            (key("h", 0), 3),
            (key("i", 0), 3),
        ];
        let changed = [
            (key("b", 0), Divergence::Negation),
            (key("e", 0), Divergence::Name),
            (key("h", 0), Divergence::Number),
        ];
        let predicted = vec![
            pair(key("a", 0), key("b", 0), Divergence::Negation),
            pair(key("d", 0), key("e", 0), Divergence::Number),
            pair(key("g", 0), key("h", 0), Divergence::Number),
            pair(key("h", 0), key("i", 0), Divergence::Wording),
        ];
        let scores = divergence_scores(&gold, &changed, &predicted);
        let of = |kind| scores.by_kind.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s).expect("listed");
        let negation = of(Divergence::Negation);
        assert_eq!(
            (negation.precision, negation.recall, negation.predicted, negation.gold),
            (1.0, 1.0, 1, 1)
        );
        let name = of(Divergence::Name);
        assert_eq!((name.recall, name.predicted, name.gold), (0.0, 0, 1));
        // Two claims of a number, one right; one of two number pairs found.
        let number = of(Divergence::Number);
        assert_eq!((number.precision, number.recall, number.predicted, number.gold), (0.5, 0.5, 2, 2));
        // The kinds together are the sums of the kinds apart.
        let sum = |field: fn(&Scores) -> usize| scores.by_kind.iter().map(|(_, s)| field(s)).sum::<usize>();
        assert_eq!((sum(|s| s.predicted), sum(|s| s.gold)), (scores.kinds.predicted, scores.kinds.gold));
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
