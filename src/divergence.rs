//! Divergence: how two aligned units differ, and the word-level evidence.
//!
//! A pair is `identical` (same words after normalisation), `spelling` (only name spellings
//! differ), `negation` (one side negates), `number` (numbers, dates or months differ), `name`
//! (each side names someone the other does not), or else `wording`. The checks run in that
//! order, so the most specific class wins.

use std::collections::{BTreeSet, HashMap};

use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::normalize::matching_form;

/// How an aligned pair differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Divergence {
    /// The same words after normalisation.
    Identical,
    /// Only the spelling of names differs.
    Spelling,
    /// One side is negated and the other is not.
    Negation,
    /// Numbers or dates differ ("October 14" / "mid-October").
    Number,
    /// Each side names an entity the other does not.
    Name,
    /// Paraphrase.
    Wording,
}

impl Divergence {
    /// The label written to CSV.
    pub fn label(self) -> &'static str {
        match self {
            Divergence::Identical => "identical",
            Divergence::Spelling => "spelling",
            Divergence::Negation => "negation",
            Divergence::Number => "number",
            Divergence::Name => "name",
            Divergence::Wording => "wording",
        }
    }
}

const NEGATORS: &[&str] = &[
    "not", "no", "never", "nothing", "none", "nobody", "neither", "nor", "without", "cannot", "t", "nowhere",
];

const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "dozen",
    "half",
    "first",
    "second",
    "third",
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
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "percent",
];

fn words(text: &str) -> Vec<String> {
    matching_form(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Below this similarity, a pair is too loosely aligned for a negation difference to mean a
/// difference in meaning rather than in what each sentence covers.
const NEGATION_MIN_SIMILARITY: f64 = 0.45;

/// Classifies how `a` and `b` differ, given their similarity; `names` maps lowercase surname
/// spellings to clusters.
pub fn classify(a: &str, b: &str, similarity: f64, names: &HashMap<String, u32>) -> Divergence {
    let (words_a, words_b) = (words(a), words(b));
    if words_a == words_b {
        return Divergence::Identical;
    }
    let named = |words: &[String]| -> Vec<String> {
        words.iter().map(|w| names.get(w).map_or_else(|| w.clone(), |id| format!("#{id}"))).collect()
    };
    if named(&words_a) == named(&words_b) {
        return Divergence::Spelling;
    }
    let negations = |words: &[String]| words.iter().filter(|w| NEGATORS.contains(&w.as_str())).count();
    if similarity >= NEGATION_MIN_SIMILARITY && negations(&words_a) % 2 != negations(&words_b) % 2 {
        return Divergence::Negation;
    }
    let numbers = |words: &[String]| -> BTreeSet<String> {
        words
            .iter()
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()) || NUMBER_WORDS.contains(&w.as_str()))
            .cloned()
            .collect()
    };
    let (numbers_a, numbers_b) = (numbers(&words_a), numbers(&words_b));
    // A number only one side mentions is a detail the other left out; both mentioning
    // numbers or dates that differ is a divergence ("October 14" / "mid-October").
    if !numbers_a.is_empty() && !numbers_b.is_empty() && numbers_a != numbers_b {
        return Divergence::Number;
    }
    let entities =
        |words: &[String]| -> BTreeSet<u32> { words.iter().filter_map(|w| names.get(w).copied()).collect() };
    let (entities_a, entities_b) = (entities(&words_a), entities(&words_b));
    if !entities_a.is_subset(&entities_b) && !entities_b.is_subset(&entities_a) {
        return Divergence::Name;
    }
    Divergence::Wording
}

/// A word-level diff of `a` into `b`: unchanged words as they are, removed words as `[-…-]`,
/// added words as `{+…+}`; a run of changes is shown as one removal then one addition.
pub fn word_diff(a: &str, b: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (a.split_whitespace().collect(), b.split_whitespace().collect());
    let mut out: Vec<String> = Vec::new();
    let (mut removed, mut added): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let flush = |out: &mut Vec<String>, removed: &mut Vec<&str>, added: &mut Vec<&str>| {
        let mut hunk = String::new();
        if !removed.is_empty() {
            hunk.push_str(&format!("[-{}-]", removed.join(" ")));
        }
        if !added.is_empty() {
            hunk.push_str(&format!("{{+{}+}}", added.join(" ")));
        }
        if !hunk.is_empty() {
            out.push(hunk);
        }
        removed.clear();
        added.clear();
    };
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                flush(&mut out, &mut removed, &mut added);
                out.extend(old[old_index..old_index + len].iter().map(|w| (*w).to_owned()));
            }
            DiffOp::Delete { old_index, old_len, .. } => removed.extend(&old[old_index..old_index + old_len]),
            DiffOp::Insert { new_index, new_len, .. } => added.extend(&new[new_index..new_index + new_len]),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                removed.extend(&old[old_index..old_index + old_len]);
                added.extend(&new[new_index..new_index + new_len]);
            }
        }
    }
    flush(&mut out, &mut removed, &mut added);
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> HashMap<String, u32> {
        [("witkoff", 1), ("vitkoff", 1), ("ushakov", 2), ("peskov", 3)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    #[test]
    fn classes() {
        let n = names();
        let close = 0.8;
        assert_eq!(
            classify("That’s what dealmakers do.", "that's what dealmakers do", close, &n),
            Divergence::Identical
        );
        assert_eq!(classify("Witkoff met Ushakov.", "Vitkoff met Ushakov.", close, &n), Divergence::Spelling);
        assert_eq!(classify("He would comment.", "He would not comment.", close, &n), Divergence::Negation);
        assert_eq!(classify("He would comment.", "He would not comment.", 0.3, &n), Divergence::Wording);
        assert_eq!(
            classify("The call on October 14.", "The call in mid-October.", close, &n),
            Divergence::Number
        );
        assert_eq!(classify("The call on October 14.", "The call.", close, &n), Divergence::Wording);
        assert_eq!(classify("Witkoff called.", "Peskov called.", close, &n), Divergence::Name);
        assert_eq!(
            classify("That's what dealmakers do.", "That's what a dealmaker does.", close, &n),
            Divergence::Wording
        );
    }

    #[test]
    fn word_diff_marks_removed_and_added_words() {
        assert_eq!(
            word_diff("That's what dealmakers do.", "That's what a negotiator does."),
            "That's what [-dealmakers do.-]{+a negotiator does.+}"
        );
        assert_eq!(word_diff("same text", "same text"), "same text");
        assert_eq!(word_diff("a b c", "a c"), "a [-b-] c");
    }
}
