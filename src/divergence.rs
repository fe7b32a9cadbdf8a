//! Divergence: how two aligned units differ, and the word-level evidence.
//!
//! A pair is `identical` (same words after normalisation), `spelling` (only name spellings
//! differ), `negation` (one side negates), `number` (numbers, dates or months differ), `name`
//! (each side names someone the other does not), or else `wording`. The checks run in that
//! order, so the most specific class wins.

use std::borrow::Cow;
use std::ops::Range;

use rustc_hash::FxHashMap;
use similar::{Algorithm, DiffTag, capture_diff_slices};

use crate::model::NameIndex;
use crate::normalize::{
    MONTHS, WEEKDAYS, WordSet, ascii_fields, form_words, is_ascii_space, is_content_word, matching_form,
};

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

    /// The divergence whose [`label`](Divergence::label) is `label`.
    pub fn from_label(label: &str) -> Option<Divergence> {
        [
            Divergence::Identical,
            Divergence::Spelling,
            Divergence::Negation,
            Divergence::Number,
            Divergence::Name,
            Divergence::Wording,
        ]
        .into_iter()
        .find(|divergence| divergence.label() == label)
    }

    /// Whether it says that the two texts state different facts (a negation, a number, a
    /// person), not the same facts in other words or spellings.
    pub fn is_specific(self) -> bool {
        matches!(self, Divergence::Negation | Divergence::Number | Divergence::Name)
    }
}

const NEGATORS: &[&str] = &[
    "not", "no", "never", "nothing", "none", "nobody", "neither", "nor", "without", "cannot", "t", "nowhere",
];

/// Adverbs that, after "not", narrow what is said instead of negating it (see [`words`]).
const FOCUSING_ADVERBS: &[&str] = &["only", "just", "merely", "simply"];

/// Number words other than [`SPELLED_NUMBERS`]: they count as themselves.
const NUMBER_WORDS: &[&str] =
    &["hundred", "thousand", "million", "billion", "trillion", "dozen", "half", "percent"];

/// Words of a matching form; a possessive `'s` stays on its word (`trump's`), so that the
/// owner of a possessive is not taken for the person a sentence is about, and a number whose
/// thousands are marked is one word of its digits (`4,698`, `4.698` and `4'698` are all `4698`,
/// as translations from languages that mark them otherwise write it). "Not" before a focusing
/// adverb is one word with it ("not only", "not just"): "not only approved … but also signed"
/// asserts both, and is not a negation of "approved … and signed".
fn words(form: &str) -> Vec<Cow<'_, str>> {
    let mut words: Vec<Cow<str>> = Vec::with_capacity(likely_words(form));
    let (mut previous_start, mut previous_end) = (0, 0);
    // The last word is a number whose digits may go on in groups of three.
    let mut digit_groups = false;
    let is_digits = |word: &str| word.bytes().all(|byte| byte.is_ascii_digit());
    for word in form_words(form) {
        let start = word.as_ptr() as usize - form.as_ptr() as usize;
        match words.last_mut() {
            Some(previous) if word == "s" => {
                // Borrowed when the form itself reads `previous's`.
                let joined = &form[previous_start..start + 1];
                let contiguous = matches!(previous, Cow::Borrowed(_))
                    && joined.len() == previous.len() + 2
                    && joined.as_bytes()[previous.len()] == b'\'';
                *previous =
                    if contiguous { Cow::Borrowed(joined) } else { Cow::Owned(format!("{previous}'s")) };
                digit_groups = false;
            }
            Some(previous) if *previous == "not" && FOCUSING_ADVERBS.contains(&word) => {
                let joined = &form[previous_start..start + word.len()];
                *previous = if joined.len() == 4 + word.len() {
                    Cow::Borrowed(joined)
                } else {
                    Cow::Owned(format!("not {word}"))
                };
                digit_groups = false;
            }
            Some(previous)
                if digit_groups
                    && word.len() == 3
                    && is_digits(word)
                    && matches!(&form[previous_end..start], "," | "." | "'") =>
            {
                *previous = Cow::Owned(format!("{previous}{word}"));
            }
            _ => {
                previous_start = start;
                digit_groups = (1..=3).contains(&word.len()) && is_digits(word);
                words.push(Cow::Borrowed(word));
            }
        }
        previous_end = start + word.len();
    }
    words
}

/// Room for the words of a text of this length, enough for most: vectors of words grown
/// from empty took a tenth of the time of describing a pair.
fn likely_words(text: &str) -> usize {
    text.len() / 4 + 1
}

/// The name cluster a word refers to, possessive or not.
fn cluster_of(word: &str, names: &NameIndex) -> Option<u32> {
    names.get(word.strip_suffix("'s").unwrap_or(word)).copied()
}

/// Changes longer than this many words (on either side) are rewording, not evidence of a
/// specific difference.
const MAX_HUNK_WORDS: usize = 4;

/// Classifies how `a` and `b` differ; `names` maps lowercase surname spellings to clusters.
///
/// Negation, number and name differences need evidence in one short change of the word diff
/// (at most four words each side): `{+not+}`, `[-14-]{+mid+}`, `[-Witkoff-]{+Peskov+}`. A
/// loose paraphrase differs everywhere, and that is `wording`.
pub fn classify(a: &str, b: &str, names: &NameIndex) -> Divergence {
    classify_pairs(&[a, b], &[(0, 1)], names)[0]
}

/// Classifies pairs of `texts` (positions in it, the first text first): for each, what
/// [`classify`] gives, but with every text tokenised and its words numbered once, however
/// many pairs it is in (at scale a unit is in three aligned pairs).
pub fn classify_pairs(texts: &[&str], pairs: &[(usize, usize)], names: &NameIndex) -> Vec<Divergence> {
    let forms: Vec<Cow<str>> = texts.iter().map(|text| matching_form(text)).collect();
    let mut numbering = Numbering::sized_for(&forms);
    let classified: Vec<Numbered> = forms.iter().map(|form| numbering.number(words(form))).collect();
    let facts = WordFacts::of(&classified, &mut numbering, names);
    let negated: Vec<Option<NegatedWords>> =
        classified.iter().map(|text| NegatedWords::of(text, &facts)).collect();
    let mut scratch = DiffScratch::default();
    let texts = |at: usize| (&classified[at], &negated[at]);
    pairs.iter().map(|&(a, b)| classify_words(texts(a), texts(b), &facts, &mut scratch)).collect()
}

/// Calls `each` with the [`word_diff`] of every pair of `texts` (positions in it, the first
/// text first), in order, with every text split into words and numbered once however many
/// pairs it is in. The diffs are lent, not kept: written straight into a report, they need
/// no memory of their own (at a million sentences, holding every kept pair's diff until it
/// was written took 300 MB).
pub fn diff_pairs<E>(
    texts: &[&str],
    pairs: &[(usize, usize)],
    mut each: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    let forms: Vec<Cow<str>> = texts.iter().map(|text| matching_form(text)).collect();
    let mut numbering = Numbering::sized_for(&forms);
    let sides: Vec<DiffSide> =
        texts.iter().zip(&forms).map(|(text, form)| DiffSide::new(text, form, &mut numbering)).collect();
    let (mut diff, mut scratch) = (String::new(), DiffScratch::default());
    for &(a, b) in pairs {
        diff_sides(&sides[a], &sides[b], &mut diff, &mut scratch);
        each(&diff)?;
    }
    Ok(())
}

/// A text's words, each with a number that equal words share: diffs compare the numbers,
/// not the strings.
struct Numbered<'f> {
    words: Vec<Cow<'f, str>>,
    ids: Vec<u32>,
}

/// The numbers of the words of texts compared with each other, given at first sight.
struct Numbering<'f> {
    numbers: FxHashMap<Cow<'f, str>, u32>,
}

impl<'f> Numbering<'f> {
    /// A numbering with room for the words of `forms`, so that its table is not grown and
    /// rehashed as they are numbered.
    fn sized_for(forms: &[Cow<str>]) -> Self {
        let words = forms.iter().map(|form| likely_words(form)).sum();
        Numbering { numbers: FxHashMap::with_capacity_and_hasher(words, Default::default()) }
    }

    fn number(&mut self, words: Vec<Cow<'f, str>>) -> Numbered<'f> {
        let ids = words.iter().map(|word| self.id(word.clone())).collect();
        Numbered { words, ids }
    }

    fn id(&mut self, word: Cow<'f, str>) -> u32 {
        let next = self.numbers.len() as u32;
        *self.numbers.entry(word).or_insert(next)
    }
}

/// What classifying asks of a word, looked up once per distinct word of the texts compared
/// and then read by its number: every short change of every pair asked the name index and
/// the number words again, about a sixth of describing's samples at 1M (describe+confirm
/// CPU 5.73 -> 5.17 s).
struct WordFacts {
    /// Per word number: its facts, or the defaults for a word of a diff only.
    facts: Vec<Facts>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    /// The word's number value (see [`number_value`]), as the number of a word of that text.
    number: Option<u32>,
    /// The word is written in digits (`14`, `3rd`), not spelled out.
    digits: bool,
    /// The name cluster the word itself names (a possessive names its owner, not the one meant).
    person: Option<u32>,
    /// The name cluster it refers to, possessive or not, and whether it is a possessive.
    named: Option<(u32, bool)>,
    /// One of [`NEGATORS`].
    negator: bool,
}

impl WordFacts {
    /// The facts of every word of `texts`, numbered by `numbering`.
    fn of<'n, 'f: 'n>(
        texts: impl IntoIterator<Item = &'n Numbered<'f>>,
        numbering: &mut Numbering<'f>,
        names: &NameIndex,
    ) -> WordFacts {
        // Every word of `texts` is numbered already: only number values are numbered below.
        let mut facts: Vec<Option<Facts>> = vec![None; numbering.numbers.len()];
        for text in texts {
            for (word, &id) in text.words.iter().zip(&text.ids) {
                if facts[id as usize].is_some() {
                    continue;
                }
                let number = number_value(word).map(|value| numbering.id(Cow::Owned(value.to_owned())));
                let fact = Facts {
                    number,
                    digits: word.as_bytes().first().is_some_and(u8::is_ascii_digit),
                    person: names.get(&**word).copied(),
                    named: cluster_of(word, names).map(|cluster| (cluster, word.ends_with("'s"))),
                    negator: NEGATORS.contains(&&**word),
                };
                facts[id as usize] = Some(fact);
            }
        }
        WordFacts { facts: facts.into_iter().map(Option::unwrap_or_default).collect() }
    }

    fn of_word(&self, id: u32) -> Facts {
        self.facts.get(id as usize).copied().unwrap_or_default()
    }

    /// The distinct values of `ids`' words that `fact` gives, for one side of a short change.
    fn hunk_set(&self, ids: &[u32], fact: impl Fn(Facts) -> Option<u32>) -> HunkSet<u32> {
        HunkSet::of(ids.iter().filter_map(|&id| fact(self.of_word(id))))
    }
}

fn classify_words(
    (a, negated_in_a): (&Numbered, &Option<NegatedWords>),
    (b, negated_in_b): (&Numbered, &Option<NegatedWords>),
    facts: &WordFacts,
    scratch: &mut DiffScratch,
) -> Divergence {
    if a.ids == b.ids {
        return Divergence::Identical;
    }
    // A name stands for its cluster (possessive kept apart), any other word for itself.
    let same_reference = |x: u32, y: u32| {
        let named = facts.of_word(x).named;
        x == y || (named.is_some() && named == facts.of_word(y).named)
    };
    if a.ids.len() == b.ids.len() && a.ids.iter().zip(&b.ids).all(|(&x, &y)| same_reference(x, y)) {
        return Divergence::Spelling;
    }
    let hunks = short_hunks(a, b, facts, scratch);
    let negators = |ids: &[u32]| ids.iter().filter(|&&id| facts.of_word(id).negator).count();
    let named = |ids: &[u32]| facts.hunk_set(ids, |word| word.named.map(|(cluster, _)| cluster));
    // Words of one side other than negators and names the other side spells otherwise
    // ("[-Tozesky turned down-]{+Tozeskj never dismissed+}": a spelling is no change of
    // meaning).
    let other_words = |ids: &[u32], other_side: &[u32]| {
        let respelled = named(other_side);
        let counts = |id: &u32| {
            let word = facts.of_word(*id);
            !word.negator && !word.named.is_some_and(|(cluster, _)| respelled.contains(cluster))
        };
        ids.iter().filter(|id| counts(id)).count()
    };
    // "{+not+}", "[-can-]{+cannot+}", "[-never turned down-]{+rejected+}": a change that
    // negates on one side only, with at most two other words a side (a translation's synonym
    // beside the negator; "{+don't you think+}" asks, it does not negate).
    let negated = |hunk: &Hunk| {
        let (removed, added) = (negators(hunk.removed), negators(hunk.added));
        removed % 2 != added % 2
            && other_words(hunk.removed, hunk.added) <= 2
            && other_words(hunk.added, hunk.removed) <= 2
    };
    if hunks.iter().any(negated) || NegatedWords::differ((a, negated_in_a), (b, negated_in_b)) {
        return Divergence::Negation;
    }
    let numbers = NumberDifference::of(a, b, facts);
    // Numbers on both sides that differ, or a number dropped next to a date both keep
    // ("October [-14-]" / "mid-October"); unless both texts hold the same numbers, which a
    // translation moved ("December 23" / "23 December") rather than changed. Two numbers that
    // swap places ("2 of 3" / "3 of 2") then go unseen: far rarer than reordered dates.
    let renumbered = |hunk: &Hunk| {
        let numbers = |ids: &[u32]| facts.hunk_set(ids, |word| word.number);
        let (before, after) = (numbers(hunk.removed), numbers(hunk.added));
        before != after && ((!before.is_empty() && !after.is_empty()) || hunk.next_to_number)
    };
    // Where a translation moved the clause that holds it, a replaced number is in no short
    // change; each text then holds a number the other does not ("By December 1st, …" / "… by
    // December 2nd"), one of them in digits: spelled out, "first" and "one" are as often
    // no count at all ("first reported" / "two phone calls"). A number only added or only
    // dropped is not enough: an added clause brings its own.
    if (numbers.differ() && hunks.iter().any(renumbered)) || numbers.replaced() {
        return Divergence::Number;
    }
    // A possessive names the owner, not the one meant ("Trump's envoy"), so it does not count.
    // A change renames someone when each side names someone the other text names nowhere
    // (possessive or not): a translation that reorders a sentence moves its names from one
    // change to another ("… between Ushakov and Dmitriev, and between Ushakov and Witkoff" /
    // "… between Witkoff and Ushakov, as well as Ushakov and Dmitriev"), and that is no
    // renaming.
    let named_in = |text: &Numbered, cluster: u32| {
        text.ids.iter().any(|&id| facts.of_word(id).named.is_some_and(|(named, _)| named == cluster))
    };
    let renamed = |hunk: &Hunk| {
        let people = |ids: &[u32]| facts.hunk_set(ids, |word| word.person);
        let (before, after) = (people(hunk.removed), people(hunk.added));
        let only_in = |set: &HunkSet<u32>, other: &Numbered| {
            set.as_slice().iter().any(|&cluster| !named_in(other, cluster))
        };
        !before.is_empty()
            && !after.is_empty()
            && before.is_disjoint(&after)
            && only_in(&before, b)
            && only_in(&after, a)
    };
    if hunks.iter().any(renamed) {
        return Divergence::Name;
    }
    Divergence::Wording
}

/// How many words after it a negator reaches: "not delayed", "not been delayed", "would not
/// have been approved".
const NEGATION_REACH: usize = 4;

/// A text's content words that are negated everywhere in it or nowhere, as (word, negated),
/// sorted; found once per text, however many pairs it is in, and only for a text with a
/// negator (in any other, no word is negated). A negator negates the first content word after
/// it, past auxiliaries and function words only (the words have no punctuation left to end a
/// clause with).
struct NegatedWords {
    words: Vec<(u32, bool)>,
}

impl NegatedWords {
    fn of(text: &Numbered, facts: &WordFacts) -> Option<NegatedWords> {
        if !text.ids.iter().any(|&id| facts.of_word(id).negator) {
            return None;
        }
        let mut found = Vec::new();
        let mut negator_at = None;
        for (at, &id) in text.ids.iter().enumerate() {
            let word = facts.of_word(id);
            if word.negator {
                negator_at = Some(at);
            } else if word.number.is_some() {
                negator_at = None;
            } else if is_content_word(&text.words[at]) {
                let negated = negator_at.is_some_and(|negator| at - negator <= NEGATION_REACH);
                found.push((id, negated));
                negator_at = None;
            }
        }
        found.sort_unstable();
        found.dedup();
        // A word both negated and not somewhere in the text says nothing either way.
        let words =
            found.chunk_by(|x, y| x.0 == y.0).filter(|runs| runs.len() == 1).map(|runs| runs[0]).collect();
        Some(NegatedWords { words })
    }

    /// Whether some content word is in both texts, negated every time in one and never in the
    /// other: the negation went with a clause the translation rewrote, so no short change
    /// holds it ("the delegation had delayed 52 points …" / "52 points … had not been delayed
    /// by the delegation").
    fn differ(a: (&Numbered, &Option<NegatedWords>), b: (&Numbered, &Option<NegatedWords>)) -> bool {
        match (a, b) {
            ((_, None), (_, None)) => false,
            // The other text negates nothing: a word negated here and used there.
            ((_, Some(negating)), (plain, None)) | ((plain, None), (_, Some(negating))) => {
                negating.words.iter().any(|&(word, negated)| negated && plain.ids.contains(&word))
            }
            ((_, Some(x)), (_, Some(y))) => {
                let (x, y) = (&x.words, &y.words);
                let (mut i, mut j) = (0, 0);
                while i < x.len() && j < y.len() {
                    let ((word_x, negated_x), (word_y, negated_y)) = (x[i], y[j]);
                    if word_x == word_y && negated_x != negated_y {
                        return true;
                    }
                    i += usize::from(word_x <= word_y);
                    j += usize::from(word_y <= word_x);
                }
                false
            }
        }
    }
}

/// How the number values of two texts differ, counted as multisets (a text that holds the
/// same numbers in another order holds the same values).
struct NumberDifference {
    /// The first text holds a value the second does not.
    only_a: bool,
    /// The second holds one the first does not.
    only_b: bool,
    /// One of those is written in digits.
    in_digits: bool,
}

impl NumberDifference {
    fn of(a: &Numbered, b: &Numbered, facts: &WordFacts) -> NumberDifference {
        let values = |text: &Numbered| {
            let mut values: Vec<(u32, bool)> = text
                .ids
                .iter()
                .filter_map(|&id| {
                    let word = facts.of_word(id);
                    word.number.map(|value| (value, word.digits))
                })
                .collect();
            values.sort_unstable();
            values
        };
        let (a, b) = (values(a), values(b));
        // A merge of the two sorted multisets: values on both sides pair off, the rest are one
        // side's only.
        let (mut i, mut j) = (0, 0);
        let mut difference = NumberDifference { only_a: false, only_b: false, in_digits: false };
        while i < a.len() || j < b.len() {
            let next = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    (i, j) = (i + 1, j + 1);
                    continue;
                }
                (Some(x), Some(y)) => x.0 < y.0,
                (x, _) => x.is_some(),
            };
            let (value, side) =
                if next { (a[i], &mut difference.only_a) } else { (b[j], &mut difference.only_b) };
            *side = true;
            difference.in_digits |= value.1;
            if next { i += 1 } else { j += 1 }
        }
        difference
    }

    /// The texts do not hold the same number values.
    fn differ(&self) -> bool {
        self.only_a || self.only_b
    }

    /// Each holds a value the other does not, one of them in digits: a number replaced.
    fn replaced(&self) -> bool {
        self.only_a && self.only_b && self.in_digits
    }
}

/// The distinct values found in one side of a short change (so at most [`MAX_HUNK_WORDS`]),
/// kept on the stack: a set in the heap for every side of every short change made describing
/// pairs 2–3% slower.
#[derive(Debug, Clone, Copy)]
struct HunkSet<T> {
    values: [T; MAX_HUNK_WORDS],
    len: usize,
}

impl<T: Copy + Default + PartialEq> HunkSet<T> {
    /// The distinct `values`, of which there are at most [`MAX_HUNK_WORDS`].
    fn of(values: impl Iterator<Item = T>) -> Self {
        let mut set = HunkSet { values: [T::default(); MAX_HUNK_WORDS], len: 0 };
        for value in values {
            if !set.contains(value) {
                set.values[set.len] = value;
                set.len += 1;
            }
        }
        set
    }

    fn as_slice(&self) -> &[T] {
        &self.values[..self.len]
    }

    fn contains(&self, value: T) -> bool {
        self.as_slice().contains(&value)
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn is_disjoint(&self, other: &Self) -> bool {
        !self.as_slice().iter().any(|&value| other.contains(value))
    }
}

impl<T: Copy + Default + PartialEq> PartialEq for HunkSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.as_slice().iter().all(|&value| other.contains(value))
    }
}

/// Number words, months and weekdays: the words of every short change of every pair's diff
/// are looked up (comparing each with the 47 words one by one was a hundredth of a run).
static NUMBER_LIKE_WORDS: WordSet = WordSet::new(&[&SPELLED, NUMBER_WORDS, &MONTHS, &WEEKDAYS]);

/// The words of [`SPELLED_NUMBERS`].
const SPELLED: [&str; SPELLED_NUMBERS.len()] = {
    let mut words = [""; SPELLED_NUMBERS.len()];
    let mut at = 0;
    while at < words.len() {
        words[at] = SPELLED_NUMBERS[at].0;
        at += 1;
    }
    words
};

/// Number words that translations write in digits as often as not, with their digits.
const SPELLED_NUMBERS: [(&str, &str); 20] = [
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("first", "1"),
    ("second", "2"),
    ("third", "3"),
];

/// What a word counts as when numbers are compared: the digits of a number written in digits,
/// ordinal or not (`16` and `16th` are both `16`), or spelled out (`five` is `5`, `first` is
/// `1`); any other number word, month or weekday as itself; any other word as nothing.
fn number_value(word: &str) -> Option<&str> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let (value, suffix) = word.split_at(digits);
    if digits > 0 && matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        Some(value)
    } else if NUMBER_LIKE_WORDS.contains(word) {
        let spelled = SPELLED_NUMBERS.iter().find(|(spelled, _)| *spelled == word);
        Some(spelled.map_or(word, |&(_, digits)| digits))
    } else {
        None
    }
}

/// One change of a word diff, as the numbers of its words.
struct Hunk<'w> {
    removed: &'w [u32],
    added: &'w [u32],
    /// An unchanged number or date word stands right before or after the change.
    next_to_number: bool,
}

/// The changes of the word diff of `a` into `b` that are short enough to be evidence.
fn short_hunks<'w>(
    a: &'w Numbered,
    b: &'w Numbered,
    facts: &WordFacts,
    scratch: &mut DiffScratch,
) -> Vec<Hunk<'w>> {
    // Changes are separated by unchanged words, so the words next to one are unchanged.
    let unchanged_number_at =
        |position: usize| a.ids.get(position).is_some_and(|&id| facts.of_word(id).number.is_some());
    changes(&a.ids, &b.ids, scratch)
        .into_iter()
        .filter(|change| change.removed.len() <= MAX_HUNK_WORDS && change.added.len() <= MAX_HUNK_WORDS)
        .map(|Change { removed, added }| Hunk {
            next_to_number: removed.start.checked_sub(1).is_some_and(unchanged_number_at)
                || unchanged_number_at(removed.end),
            removed: &a.ids[removed],
            added: &b.ids[added],
        })
        .collect()
}

/// One change of a word diff: the words removed from the old text and those added from the
/// new, as positions (either may be empty, not both).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    removed: Range<usize>,
    added: Range<usize>,
}

/// Above this many cells (old words times new words, past their common start and end), the
/// diff is Myers' from `similar` instead of one from the longest common subsequences.
const MAX_LCS_CELLS: usize = 1 << 16;

/// The word diff of `old` into `new`: its changes in order, with unchanged words between any
/// two. Minimal: the unchanged words are a longest common subsequence.
///
/// Sentences are short, and for them following the longest common subsequences of every two
/// suffixes beats Myers' algorithm (describing pairs took a fifth less time at 300k
/// sentences); Myers' is kept for long texts, where the lengths would grow with the square.
fn changes(old: &[u32], new: &[u32], scratch: &mut DiffScratch) -> Vec<Change> {
    let prefix = old.iter().zip(new).take_while(|(x, y)| x == y).count();
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix = old_rest.iter().rev().zip(new_rest.iter().rev()).take_while(|(x, y)| x == y).count();
    let (old_inner, new_inner) = (&old_rest[..old_rest.len() - suffix], &new_rest[..new_rest.len() - suffix]);
    let (rows, columns) = (old_inner.len(), new_inner.len());
    if rows * columns > MAX_LCS_CELLS {
        return myers_changes(old, new);
    }
    let common = SuffixLcs::new(old_inner, new_inner, scratch);
    let (mut i, mut j) = (0, 0);
    // Changes are separated by unchanged words, so there are at most this many.
    let mut changes: Vec<Change> = Vec::with_capacity(rows.min(columns) + 1);
    let mut current: Option<Change> = None;
    let mut flush = |current: &mut Option<Change>| changes.extend(current.take());
    while i < rows || j < columns {
        let (old_at, new_at) = (prefix + i, prefix + j);
        if i < rows && j < columns && old_inner[i] == new_inner[j] {
            flush(&mut current);
            (i, j) = (i + 1, j + 1);
            continue;
        }
        let change = current.get_or_insert(Change { removed: old_at..old_at, added: new_at..new_at });
        // Removals first where both keep the longest common subsequence.
        if j == columns || (i < rows && common.length(i + 1, j) >= common.length(i, j + 1)) {
            change.removed.end = old_at + 1;
            i += 1;
        } else {
            change.added.end = new_at + 1;
            j += 1;
        }
    }
    flush(&mut current);
    changes
}

/// The lengths of the longest common subsequences of every suffix of one sequence and every
/// suffix of another, computed 64 positions of the second at a time (Hyyrö's bit-parallel
/// LCS, run over both sequences reversed so that their prefixes are the suffixes).
struct SuffixLcs<'s> {
    /// 64-bit blocks per row.
    blocks: usize,
    /// The lengths of the two sequences.
    lengths: (usize, usize),
    /// Row `k`, for the last `k` elements of the first sequence: bit `p` is clear where the
    /// subsequence grows on taking the second sequence's last `p + 1` elements instead of `p`.
    rows: &'s [u64],
}

impl<'s> SuffixLcs<'s> {
    fn new(old: &[u32], new: &[u32], scratch: &'s mut DiffScratch) -> Self {
        let (columns, blocks) = (new.len(), new.len().div_ceil(64));
        // The rows of the last diff are reused: allocated for every diff (two per aligned
        // pair), they and the masks grown a word at a time were 8% of describing pairs.
        let mut rows = std::mem::take(&mut scratch.lcs_rows);
        rows.clear();
        rows.resize((old.len() + 1) * blocks, !0u64);
        let positions = scratch.positions(new, blocks);
        for (k, &element) in old.iter().rev().enumerate() {
            let matches = positions.of(element);
            let (done, next) = rows.split_at_mut((k + 1) * blocks);
            let mut carry = false;
            for ((row, &previous), &matched) in
                next[..blocks].iter_mut().zip(&done[k * blocks..]).zip(matches)
            {
                // V' = (V + U) | (V - U) with U = V & M; U is within V, so V - U = V & !M.
                let (sum, overflow) = previous.overflowing_add(previous & matched);
                let (sum, carried) = sum.overflowing_add(u64::from(carry));
                carry = overflow || carried;
                *row = sum | (previous & !matched);
            }
        }
        positions.clear(new);
        scratch.lcs_rows = rows;
        SuffixLcs { blocks, lengths: (old.len(), columns), rows: &scratch.lcs_rows }
    }

    /// The length of the longest common subsequence of the first sequence from `i` and the
    /// second from `j`.
    #[inline]
    fn length(&self, i: usize, j: usize) -> u32 {
        let width = self.lengths.1 - j;
        if self.blocks == 1 {
            // Most sentences: one block, of which the low `width` bits count.
            let block = self.rows[self.lengths.0 - i];
            let low_bits = u64::MAX.checked_shr(64 - width as u32).unwrap_or(0);
            return width as u32 - (block & low_bits).count_ones();
        }
        let row = &self.rows[(self.lengths.0 - i) * self.blocks..][..self.blocks];
        let (full, rest) = (width / 64, width % 64);
        let set: u32 = row[..full].iter().map(|block| block.count_ones()).sum::<u32>()
            + row.get(full).map_or(0, |block| (block & ((1u64 << rest) - 1)).count_ones());
        width as u32 - set
    }
}

/// Room reused from one diff to the next for where the words of a sequence stand (found word
/// by word, they cost one pass over the sequence, where comparing every word of one
/// sequence with every word of the other was half the time of a diff) and for the rows of
/// [`SuffixLcs`].
#[derive(Default)]
struct DiffScratch {
    /// Per word id, its row in `masks`, or 0 for a word not in the sequence (row 0 stays
    /// empty); all 0 again once a diff is done.
    rows: Vec<u32>,
    /// Per row, `blocks` words of bits (see [`SuffixLcs`]): where its word stands.
    masks: Vec<u64>,
    blocks: usize,
    /// The rows of the last [`SuffixLcs`].
    lcs_rows: Vec<u64>,
}

impl DiffScratch {
    /// Records where each word of `sequence` stands, position `p` from its end at bit `p % 64`
    /// of block `p / 64`.
    fn positions(&mut self, sequence: &[u32], blocks: usize) -> &mut Self {
        let needed = sequence.iter().max().map_or(0, |&id| id as usize + 1);
        if self.rows.len() < needed {
            self.rows.resize(needed, 0);
        }
        self.blocks = blocks;
        // Room for every word distinct, so that none grows it.
        self.masks.clear();
        self.masks.resize((sequence.len() + 1) * blocks, 0);
        let mut next_row = 1;
        for (position, &id) in sequence.iter().rev().enumerate() {
            let row = &mut self.rows[id as usize];
            if *row == 0 {
                *row = next_row;
                next_row += 1;
            }
            self.masks[*row as usize * blocks + position / 64] |= 1 << (position % 64);
        }
        self
    }

    /// Where word `id` stands in the sequence recorded.
    fn of(&self, id: u32) -> &[u64] {
        let row = self.rows.get(id as usize).copied().unwrap_or(0) as usize;
        &self.masks[row * self.blocks..][..self.blocks]
    }

    /// Forgets `sequence`, the sequence recorded.
    fn clear(&mut self, sequence: &[u32]) {
        for &id in sequence {
            self.rows[id as usize] = 0;
        }
    }
}

/// [`changes`] by `similar`'s Myers diff, for long texts.
fn myers_changes(old: &[u32], new: &[u32]) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::new();
    // Positions are counted from the operations' lengths: `similar` reports the index on the
    // side an insertion or a deletion does not touch loosely.
    let (mut old_at, mut new_at, mut after_unchanged) = (0, 0, true);
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let (removed, added) = (old_at..old_at + old_range.len(), new_at..new_at + new_range.len());
        (old_at, new_at) = (removed.end, added.end);
        if tag == DiffTag::Equal {
            after_unchanged = true;
            continue;
        }
        match changes.last_mut() {
            // Operations with no unchanged word between them are one change.
            Some(last) if !after_unchanged => (last.removed.end, last.added.end) = (removed.end, added.end),
            _ => changes.push(Change { removed, added }),
        }
        after_unchanged = false;
    }
    changes
}

/// A word-level diff of `a` into `b`: unchanged words as they are, removed words as `[-…-]`,
/// added words as `{+…+}`; a run of changes is shown as one removal then one addition. Words
/// are compared in matching form, so curly and straight quotes or case alone are no change.
pub fn word_diff(a: &str, b: &str) -> String {
    let mut diff = String::new();
    let lent: Result<(), std::convert::Infallible> = diff_pairs(&[a, b], &[(0, 1)], |lent| {
        diff.push_str(lent);
        Ok(())
    });
    let Ok(()) = lent;
    diff
}

/// A text's words for the word diff: as written, and in matching form.
struct DiffSide<'t> {
    words: Vec<&'t str>,
    forms: Numbered<'t>,
}

impl<'t> DiffSide<'t> {
    /// The words of `text`, whose matching form is `form`.
    fn new(text: &'t str, form: &'t str, numbering: &mut Numbering<'t>) -> Self {
        let (words, forms) = diff_words(text, form);
        DiffSide { words, forms: numbering.number(forms) }
    }
}

/// The words of `text`, as written and in matching form (`form` is the text's).
fn diff_words<'t>(text: &'t str, form: &'t str) -> (Vec<&'t str>, Vec<Cow<'t, str>>) {
    // A text's matching form is its words, each in matching form, joined by single spaces
    // (whitespace is whitespace to both, and neither composition nor case crosses it), less
    // the words made only of invisible characters, whose forms are empty.
    let mut forms = Vec::with_capacity(likely_words(form));
    forms.extend(form.split_ascii_whitespace().map(Cow::Borrowed));
    if text.is_ascii() {
        return (ascii_words(text, forms.len()), forms);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if forms.len() != words.len() {
        forms = words.iter().map(|word| matching_form(word)).collect();
    }
    (words, forms)
}

/// [`str::split_whitespace`] of ASCII text, byte by byte; `count` is how many words there
/// are (as many as their matching forms).
fn ascii_words(text: &str, count: usize) -> Vec<&str> {
    let mut words = Vec::with_capacity(count);
    words.extend(ascii_fields(text, is_ascii_space));
    words
}

/// Writes the word diff of `old_side` into `new_side` to `out`, replacing what it held.
fn diff_sides(old_side: &DiffSide, new_side: &DiffSide, out: &mut String, scratch: &mut DiffScratch) {
    let (old, new) = (&old_side.words, &new_side.words);
    out.clear();
    let push_unchanged = |out: &mut String, words: &[&str]| {
        for word in words {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    };
    let mut unchanged_from = 0;
    for Change { removed, added } in changes(&old_side.forms.ids, &new_side.forms.ids, scratch) {
        push_unchanged(out, &old[unchanged_from..removed.start]);
        if !out.is_empty() {
            out.push(' ');
        }
        unchanged_from = removed.end;
        for (words, open, close) in [(&old[removed], "[-", "-]"), (&new[added], "{+", "+}")] {
            if !words.is_empty() {
                out.push_str(open);
                push_joined(out, words);
                out.push_str(close);
            }
        }
    }
    push_unchanged(out, &old[unchanged_from..]);
}

/// Appends `words` separated by single spaces.
fn push_joined(out: &mut String, words: &[&str]) {
    for (position, word) in words.iter().enumerate() {
        if position > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn names() -> NameIndex {
        [("witkoff", 1), ("vitkoff", 1), ("ushakov", 2), ("peskov", 3)]
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect()
    }

    #[test]
    fn classes() {
        let n = names();
        assert_eq!(
            classify("That’s what dealmakers do.", "that's what dealmakers do", &n),
            Divergence::Identical
        );
        assert_eq!(classify("Witkoff met Ushakov.", "Vitkoff met Ushakov.", &n), Divergence::Spelling);
        assert_eq!(
            classify("He would comment on it.", "He would not comment on it.", &n),
            Divergence::Negation
        );
        let october =
            ("In the October 14 conversation, Witkoff spoke.", "In a mid-October call, Witkoff spoke.");
        assert_eq!(classify(october.0, october.1, &n), Divergence::Number);
        assert_eq!(classify("Witkoff called Moscow.", "Peskov called Moscow.", &n), Divergence::Name);
        assert_eq!(
            classify("Ushakov said Witkoff will come.", "Ushakov said Peskov's envoy will come.", &n),
            Divergence::Wording
        );
        assert_eq!(classify("Two ways to do it.", "Three ways to do it.", &n), Divergence::Number);
        assert_eq!(classify("Talks on March 3.", "Talks on March 4th.", &n), Divergence::Number);
        assert_eq!(classify("Talks on March 3.", "Talks on May 3.", &n), Divergence::Number);
        assert_eq!(classify("Five people were hurt.", "6 people were hurt.", &n), Divergence::Number);
        assert_eq!(classify("About 4,698 people came.", "About 4,699 people came.", &n), Divergence::Number);
        // Three digits after a point are a group of thousands (3.500 is 3500), one or two are
        // decimals; a comma and a space part a list.
        assert_eq!(
            classify("Prices rose 3.5 percent.", "Prices rose 3.500 percent.", &n),
            Divergence::Number
        );
        assert_eq!(classify("Rooms 4, 698 were shut.", "Rooms 4698 were shut.", &n), Divergence::Number);
        assert_eq!(classify("One said it was fine.", "It was fine.", &n), Divergence::Wording);
        assert_eq!(
            classify("That's what dealmakers do.", "That's what a dealmaker does.", &n),
            Divergence::Wording
        );
    }

    #[test]
    fn dates_written_another_way_are_not_number_divergences() {
        let n = names();
        for (a, b) in [
            ("Witkoff arrived on December 23.", "Witkoff arrived on 23 December."),
            ("Witkoff arrived on April 16th.", "Witkoff arrived on April 16."),
            ("By August 24th, it was over.", "By 24 August, it was over."),
            ("Witkoff arrived on March 1, they said.", "Witkoff arrived on March 1st, they said."),
            ("Five people were hurt, police said.", "5 people were hurt, police said."),
            ("It was the first round of talks.", "It was the 1st round of talks."),
            ("About 4,698 people came.", "About 4698 people came."),
            ("Some 1.000.000 people came.", "Some 1,000,000 people came."),
            ("Some 1’000 people came.", "Some 1000 people came."),
        ] {
            assert_ne!(classify(a, b, &n), Divergence::Number, "{a} / {b}");
        }
    }

    #[test]
    fn a_negation_beside_a_synonym_is_a_negation_but_a_question_tag_is_not() {
        let n = names();
        assert_eq!(
            classify(
                "Witkoff and Ushakov never turned down the plan.",
                "Witkoff and Ushakov rejected the plan.",
                &n
            ),
            Divergence::Negation
        );
        assert_eq!(
            classify(
                "He asks whether they need to state the maximum, otherwise what is the point?",
                "We need the maximum, don't you think? Otherwise what is the point?",
                &n
            ),
            Divergence::Wording
        );
    }

    #[test]
    fn a_verb_negated_in_a_rewritten_clause_is_a_negation_but_a_moved_speaker_is_not() {
        let n = names();
        // Active / passive: the negator is in a long change of its own, the verb on both sides.
        let active = "Ushakov told reporters that the delegation had delayed 52 points of the plan.";
        let passive =
            "Ushakov said to reporters that 52 points of the plan had not been delayed by the delegation.";
        assert_eq!(classify(active, passive, &n), Divergence::Negation);
        assert_eq!(classify(passive, active, &n), Divergence::Negation);
        let both = "Ushakov said to reporters that 52 points of the plan had been delayed by the delegation.";
        assert_eq!(classify(active, both, &n), Divergence::Wording);
        // The speaker moved to after the quote: a negator negates the word after it, not the
        // name the clause moved there.
        assert_eq!(
            classify(
                "Ushakov said in Moscow: \u{201c}The plan is ready, we will not accept it.\u{201d}",
                "\u{201c}The plan is complete and we will not accept it,\u{201d} Ushakov said in Moscow.",
                &n
            ),
            Divergence::Wording
        );
    }

    #[test]
    fn a_negation_beside_a_respelled_name_is_a_negation_but_beside_another_person_the_person_is_told() {
        let n = names();
        // The name's spelling is in the negator's change, and is no change of meaning.
        assert_eq!(
            classify(
                "Ushakov said Witkoff never made public the plan.",
                "Ushakov said Vitkoff published the plan.",
                &n
            ),
            Divergence::Negation
        );
        // Another person there is three words beside the negator: the change names another
        // person, as before.
        assert_eq!(
            classify(
                "Ushakov said Witkoff never made public the plan.",
                "Ushakov said Peskov published the plan.",
                &n
            ),
            Divergence::Name
        );
    }

    #[test]
    fn not_only_but_also_is_no_negation() {
        let n = names();
        let affirmed = "Witkoff approved the plan and signed it.";
        for focused in [
            "Witkoff not only approved the plan but also signed it.",
            "Not only did Witkoff approve the plan, he also signed it.",
            "Witkoff approved not just the plan but signed it.",
        ] {
            assert_ne!(classify(focused, affirmed, &n), Divergence::Negation, "{focused}");
            assert_ne!(classify(affirmed, focused, &n), Divergence::Negation, "{focused}");
        }
        // "Not" is still a negator before anything else, and before a focusing adverb that
        // does not follow it.
        assert_eq!(
            classify(
                "Witkoff did not approve the plan, only the annex.",
                "Witkoff approved the plan, only the annex.",
                &n
            ),
            Divergence::Negation
        );
        assert_eq!(
            classify("Witkoff did not simply approve the plan.", "Witkoff did simply approve the plan.", &n),
            Divergence::Wording
        );
    }

    #[test]
    fn names_moved_by_a_reordered_sentence_are_no_renaming() {
        let n = names();
        // Each change swaps one person for another, but both texts name all three.
        let reordered = (
            "Calls between Ushakov and Peskov, and between Ushakov and Witkoff, were leaked.",
            "Calls between Witkoff and Ushakov, as well as Ushakov and Peskov, were leaked.",
        );
        assert_eq!(classify(reordered.0, reordered.1, &n), Divergence::Wording);
        assert_eq!(classify(reordered.1, reordered.0, &n), Divergence::Wording);
        // The price: a swap of roles between two people both texts name looks the same to a
        // word diff, and is wording too.
        assert_eq!(classify("Witkoff thanked Peskov.", "Peskov thanked Witkoff.", &n), Divergence::Wording);
        // Of the two people replaced, Ushakov is still named in the other text (as the owner of
        // a possessive) but Witkoff is not: someone was renamed.
        let renamed =
            ("Witkoff and Ushakov spoke on Monday.", "Peskov spoke on Monday, Ushakov's aide said.");
        assert_eq!(classify(renamed.0, renamed.1, &n), Divergence::Name);
        assert_eq!(classify(renamed.1, renamed.0, &n), Divergence::Name);
    }

    #[test]
    fn a_number_replaced_in_a_moved_clause_is_a_number_divergence() {
        let n = names();
        assert_eq!(
            classify(
                "By December 1st, the plan would be ready, Witkoff said.",
                "Witkoff said that the plan would be ready by December 2nd.",
                &n
            ),
            Divergence::Number
        );
        assert_eq!(
            classify(
                "Witkoff told reporters that the council had approved seven points of the plan.",
                "Witkoff said to reporters that 18 points of the plan had been endorsed by the council.",
                &n
            ),
            Divergence::Number
        );
        // Spelled out, ordinals and small numbers are as often no count; a number only one
        // text holds may be an added clause's.
        for (a, b) in [
            (
                "The calls were first reported by Bloomberg, it said.",
                "Bloomberg wrote about two phone calls.",
            ),
            ("Witkoff said the plan was ready.", "The plan was ready on May 3, Witkoff said in Moscow."),
        ] {
            assert_eq!(classify(a, b, &n), Divergence::Wording, "{a} / {b}");
        }
    }

    #[test]
    fn loose_paraphrases_are_wording_not_specific_divergences() {
        let n = names();
        // Names and numbers differ, but inside long rewritten stretches, not in one short change.
        assert_eq!(
            classify(
                "Ushakov confirmed that Witkoff will visit Moscow next week on the 14th of the month.",
                "The Russian advisor also confirmed that Trump's envoy is coming, he did not say when.",
                &n
            ),
            Divergence::Wording
        );
    }

    /// The old and new words a word diff shows (unchanged words on both sides, `[-…-]` on
    /// the old, `{+…+}` on the new) and how many are unchanged.
    fn sides_of(diff: &str) -> (Vec<&str>, Vec<&str>, usize) {
        let (mut old, mut new, mut unchanged) = (Vec::new(), Vec::new(), 0);
        let mut rest = diff.trim_start_matches(' ');
        while !rest.is_empty() {
            let marked = match rest.get(..2) {
                Some("[-") => Some((&mut old, "-]")),
                Some("{+") => Some((&mut new, "+}")),
                _ => None,
            };
            let end = match marked {
                Some((side, close)) => {
                    let end = rest.find(close).expect("a closed mark");
                    side.extend(rest[2..end].split(' '));
                    end + 2
                }
                None => {
                    let end = rest.find([' ', '[', '{']).unwrap_or(rest.len());
                    old.push(&rest[..end]);
                    new.push(&rest[..end]);
                    unchanged += 1;
                    end
                }
            };
            rest = rest[end..].trim_start_matches(' ');
        }
        (old, new, unchanged)
    }

    /// Length of the longest common subsequence, by dynamic programming.
    fn longest_common_subsequence(a: &[&str], b: &[&str]) -> usize {
        let mut row = vec![0; b.len() + 1];
        for x in a {
            let mut diagonal = 0;
            for (j, y) in b.iter().enumerate() {
                let above = row[j + 1];
                row[j + 1] = if x == y { diagonal + 1 } else { above.max(row[j]) };
                diagonal = above;
            }
        }
        row[b.len()]
    }

    proptest! {
        /// However a number is written (digits with or without thousands marks, spelled out
        /// below ten) and wherever it stands, a pair that keeps it is no number divergence;
        /// one that changes it is.
        #[test]
        fn numbers_compare_by_value(value in 0u64..10_000_000_000, other in 0u64..10_000_000_000, mark in 0usize..4) {
            let written = |value: u64| -> String {
                const SPELLED: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
                let digits = value.to_string();
                let separator = ["", ",", ".", "'"][mark];
                if mark == 0 && value < 10 {
                    return SPELLED[value as usize].to_owned();
                }
                let groups: Vec<&str> = {
                    let first = digits.len() % 3;
                    let mut groups = Vec::new();
                    if first > 0 {
                        groups.push(&digits[..first]);
                    }
                    groups.extend((first..digits.len()).step_by(3).map(|start| &digits[start..start + 3]));
                    groups
                };
                groups.join(separator)
            };
            let n = names();
            let plain = format!("Witkoff said {value} people came on May 3.");
            let marked = format!("On 3 May, Witkoff said {} people came.", written(value));
            prop_assert_ne!(classify(&plain, &marked, &n), Divergence::Number, "{} / {}", plain, marked);
            let changed = format!("Witkoff said {} people came on May 3.", written(other));
            prop_assume!(other != value);
            prop_assert_eq!(classify(&plain, &changed, &n), Divergence::Number, "{} / {}", plain, changed);
        }

        /// Numbering the words of many texts once gives each pair what comparing it alone
        /// gives.
        #[test]
        fn comparing_many_texts_is_comparing_each_pair_alone(
            texts in prop::collection::vec(
                prop::collection::vec(
                    prop::sample::select(
                        &["Witkoff", "Vitkoff", "Peskov's", "met", "not", "no", "14", "October", "said",
                          "“deal”", "deal", "Trump", "’s", "s", "a"][..],
                    ),
                    0..10,
                ),
                1..5,
            )
        ) {
            let n = names();
            let texts: Vec<String> = texts.iter().map(|words| words.join(" ")).collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let pairs: Vec<(usize, usize)> =
                (0..texts.len()).flat_map(|a| (0..texts.len()).map(move |b| (a, b))).collect();
            let classes: Vec<Divergence> = pairs.iter().map(|&(a, b)| classify(texts[a], texts[b], &n)).collect();
            prop_assert_eq!(classify_pairs(&texts, &pairs, &n), classes);
            let diffs: Vec<String> = pairs.iter().map(|&(a, b)| word_diff(texts[a], texts[b])).collect();
            let mut lent = Vec::new();
            diff_pairs(&texts, &pairs, |diff| {
                lent.push(diff.to_owned());
                Ok::<(), ()>(())
            })
            .expect("never fails");
            prop_assert_eq!(lent, diffs);
        }

        #[test]
        fn diff_sides_read_word_forms_from_the_text_form(
            // Besides ASCII: an invisible character, spaces and quotes to unify, a combining
            // accent, letters whose case changes their length or composition.
            text in "[ a-zA-Z`'.,\t\n\x0b\x0c\r\u{200B}\u{00A0}\u{2003}\u{2019}\u{201C}\u{2014}\u{0301}\u{0130}\u{03A3}\u{00C9}e-]{0,40}"
        ) {
            let form = matching_form(&text);
            let (words, forms) = diff_words(&text, &form);
            let per_word: Vec<Cow<str>> = text.split_whitespace().map(matching_form).collect();
            prop_assert_eq!(&words, &text.split_whitespace().collect::<Vec<_>>());
            prop_assert_eq!(forms, per_word);
        }

        #[test]
        fn bit_parallel_and_myers_diffs_are_both_minimal_and_well_formed(
            // Past 64 words, a row of the bit-parallel lengths spans several blocks.
            a in prop::collection::vec(0u32..5, 0..150),
            b in prop::collection::vec(0u32..5, 0..150),
        ) {
            for found in [changes(&a, &b, &mut DiffScratch::default()), myers_changes(&a, &b)] {
                // Unchanged stretches before, between (never empty) and after the changes
                // pair equal words; together they are a longest common subsequence.
                let (mut old_at, mut new_at, mut unchanged) = (0, 0, 0);
                for (position, change) in found.iter().enumerate() {
                    let run = change.removed.start - old_at;
                    prop_assert_eq!(change.added.start - new_at, run);
                    prop_assert!(position == 0 || run > 0, "{:?}", found);
                    prop_assert!(!change.removed.is_empty() || !change.added.is_empty());
                    prop_assert_eq!(&a[old_at..change.removed.start], &b[new_at..change.added.start]);
                    unchanged += run;
                    (old_at, new_at) = (change.removed.end, change.added.end);
                }
                prop_assert_eq!(&a[old_at..], &b[new_at..]);
                unchanged += a.len() - old_at;
                let words = |xs: &[u32]| xs.iter().map(|x| ["a", "b", "c", "d", "e"][*x as usize]).collect::<Vec<_>>();
                prop_assert_eq!(unchanged, longest_common_subsequence(&words(&a), &words(&b)));
            }
        }

        #[test]
        fn bit_parallel_lengths_are_those_of_every_two_suffixes(
            a in prop::collection::vec(0u32..4, 0..80),
            b in prop::collection::vec(0u32..4, 0..140),
        ) {
            // The scratch space is left as found: a diff of other words before changes nothing.
            let mut scratch = DiffScratch::default();
            SuffixLcs::new(&b, &a, &mut scratch);
            let common = SuffixLcs::new(&a, &b, &mut scratch);
            let words = |xs: &[u32]| xs.iter().map(|x| ["a", "b", "c", "d"][*x as usize]).collect::<Vec<_>>();
            for i in 0..=a.len() {
                for j in (0..=b.len()).step_by(7).chain([b.len()]) {
                    let expected = longest_common_subsequence(&words(&a[i..]), &words(&b[j..]));
                    prop_assert_eq!(common.length(i, j) as usize, expected, "{} {}", i, j);
                }
            }
        }

        #[test]
        fn word_diff_shows_both_texts_and_keeps_a_longest_common_subsequence(
            a in prop::collection::vec(prop::sample::select(&["a", "b", "c", "the", "plan", "x"][..]), 0..40),
            b in prop::collection::vec(prop::sample::select(&["a", "b", "c", "the", "plan", "y"][..]), 0..40),
        ) {
            let diff = word_diff(&a.join(" "), &b.join(" "));
            let (old, new, unchanged) = sides_of(&diff);
            prop_assert_eq!(&old, &a, "{}", diff);
            prop_assert_eq!(&new, &b, "{}", diff);
            prop_assert_eq!(unchanged, longest_common_subsequence(&a, &b), "{}", diff);
        }
    }

    #[test]
    fn word_diff_marks_removed_and_added_words() {
        assert_eq!(
            word_diff("That's what dealmakers do.", "That's what a negotiator does."),
            "That's what [-dealmakers do.-]{+a negotiator does.+}"
        );
        assert_eq!(word_diff("same text", "same text"), "same text");
        assert_eq!(word_diff("a b c", "a c"), "a [-b-] c");
        assert_eq!(word_diff("“That’s it”", "\"That's it\""), "“That’s it”");
    }
}
