//! Scores: chrF and chrF++ exactly as sacrebleu computes them at sentence level, and the
//! combined `similarity` that alignment ranks by.
//!
//! chrF (Popović 2015) is an F-score over character n-grams (orders 1–6, whitespace removed)
//! with recall weighted by β = 2; chrF++ adds word unigrams and bigrams (words split on
//! whitespace, one leading or trailing punctuation mark split off). Orders that cannot be
//! computed are left out of the average ("effective order", sacrebleu's default).
//!
//! The kernel keeps each text's n-grams as sorted vectors and counts matches with a merge join,
//! which avoids hashing per pair. Character n-grams are packed exactly (21 bits per char, so six
//! chars fit in a `u128`); word n-grams are 64-bit hashes. Comparing one pair of texts
//! renumbers their characters over the pair's own alphabet instead, packs every position's
//! six-character window into a `u64`, and sorts those once for all six orders.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

/// The largest character n-gram order.
pub const CHAR_ORDER: usize = 6;
/// The largest word n-gram order (chrF++).
pub const WORD_ORDER: usize = 2;
/// Recall is weighted β² = 4 times as much as precision.
const BETA: f64 = 2.0;

/// A text's n-grams, sorted per order, ready to be compared with other profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    chars: [Vec<u128>; CHAR_ORDER],
    words: [Vec<u64>; WORD_ORDER],
}

/// Python's `str.isspace`, which sacrebleu's `split()` uses: Unicode whitespace plus the
/// information separators U+001C–U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// sacrebleu's punctuation set for chrF++ word splitting (ASCII punctuation only).
fn is_ascii_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

impl Profile {
    /// Builds the profile of `text` (case-sensitive, as sacrebleu's default).
    pub fn new(text: &str) -> Profile {
        let chars: Vec<u32> = text.chars().filter(|&c| !is_python_space(c)).map(u32::from).collect();
        let mut profile = Profile::default();
        for (order_idx, grams) in profile.chars.iter_mut().enumerate() {
            let n = order_idx + 1;
            if chars.len() < n {
                continue;
            }
            grams.reserve(chars.len() + 1 - n);
            for window in chars.windows(n) {
                let packed = window.iter().fold(0u128, |acc, &c| (acc << 21) | u128::from(c));
                grams.push(packed);
            }
            grams.sort_unstable();
        }
        profile.words = word_grams(text);
        profile
    }

    /// Number of characters (without whitespace).
    pub fn char_count(&self) -> usize {
        self.chars[0].len()
    }
}

/// chrF++'s word unigrams and bigrams of `text` as 64-bit hashes, sorted per order.
fn word_grams(text: &str) -> [Vec<u64>; WORD_ORDER] {
    let hashes: Vec<u64> = chrf_words(text).iter().map(hash_of).collect();
    let mut grams: [Vec<u64>; WORD_ORDER] = Default::default();
    for (order_idx, order) in grams.iter_mut().enumerate() {
        let n = order_idx + 1;
        if hashes.len() < n {
            continue;
        }
        order.extend(hashes.windows(n).map(|window| if n == 1 { window[0] } else { hash_of(&window) }));
        order.sort_unstable();
    }
    grams
}

/// Compares two texts: the same as `compare(&Profile::new(a), &Profile::new(b))`, faster for
/// one pair. The pair's characters are renumbered over its own alphabet (rarely more than a
/// hundred letters), so that six of them pack exactly into 64 bits instead of 128.
pub fn compare_texts(a: &str, b: &str) -> Matches {
    compare_each(&[a], b).pop().expect("one text gives one comparison")
}

/// Compares each of `texts` with `reference`, as [`compare_texts`] would (each text first),
/// preparing the reference once for all of them.
pub fn compare_each(texts: &[&str], reference: &str) -> Vec<Matches> {
    let mut ascii = [0u64; 128];
    let mut others: FxHashMap<char, u64> = FxHashMap::default();
    let mut next_id = 0u64;
    let mut renumber = |text: &str| -> Vec<u64> {
        text.chars()
            .filter(|&c| !is_python_space(c))
            .map(|c| {
                let slot = if c.is_ascii() { &mut ascii[c as usize] } else { others.entry(c).or_insert(0) };
                if *slot == 0 {
                    next_id += 1;
                    *slot = next_id;
                }
                *slot
            })
            .collect()
    };
    let reference_ids = renumber(reference);
    let text_ids: Vec<Vec<u64>> = texts.iter().map(|text| renumber(text)).collect();
    if next_id >= 1 << ID_BITS {
        let reference = Profile::new(reference);
        return texts.iter().map(|text| compare(&Profile::new(text), &reference)).collect();
    }
    let reference_keys = window_keys(&reference_ids);
    let reference_words = word_grams(reference);
    texts
        .iter()
        .zip(&text_ids)
        .map(|(text, ids)| {
            let keys = window_keys(ids);
            let mut result = Matches::default();
            for order in 1..=CHAR_ORDER {
                let grams = |len: usize| (len + 1).saturating_sub(order);
                result.chars[order - 1] = (
                    grams(ids.len()),
                    grams(reference_ids.len()),
                    prefix_matches(&keys, &reference_keys, order),
                );
            }
            for (order, (ours, theirs)) in word_grams(text).iter().zip(&reference_words).enumerate() {
                result.words[order] = (ours.len(), theirs.len(), matches(ours, theirs));
            }
            result
        })
        .collect()
}

/// Bits per renumbered character in [`window_keys`]: six fit in a `u64`.
const ID_BITS: usize = 10;

/// Every position's next [`CHAR_ORDER`] characters (ids from 1) packed into one key, first
/// character highest and zero past the end, sorted. Sorting by the whole window sorts every
/// prefix too, so one sort gives the sorted n-grams of all orders (see [`prefix_matches`]),
/// where sorting each order apart took six.
fn window_keys(ids: &[u64]) -> Vec<u64> {
    let mut keys: Vec<u64> = (0..ids.len())
        .map(|start| {
            (start..start + CHAR_ORDER)
                .fold(0u64, |key, position| (key << ID_BITS) | ids.get(position).copied().unwrap_or(0))
        })
        .collect();
    keys.sort_unstable();
    keys
}

/// Matches between the `order`-grams of two sets of sorted [`window_keys`]: their first
/// `order` characters. A window that ends before `order` characters has a zero last character
/// there, is no n-gram of that order, and never counts.
fn prefix_matches(a: &[u64], b: &[u64], order: usize) -> usize {
    let shift = ID_BITS * (CHAR_ORDER - order);
    let last_char = (1u64 << ID_BITS) - 1;
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i] >> shift, b[j] >> shift);
        count += usize::from(x == y && x & last_char != 0);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    count
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// chrF++'s word tokens: whitespace-split, with one leading or trailing punctuation mark
/// split off a word longer than one character (trailing first), as sacrebleu does.
fn chrf_words(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    for word in text.split(is_python_space).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        let first = chars.next();
        let last = word.chars().next_back();
        if word.chars().nth(1).is_none() {
            tokens.push(word);
        } else if last.is_some_and(is_ascii_punct) {
            let cut = word.len() - last.map_or(0, char::len_utf8);
            tokens.push(&word[..cut]);
            tokens.push(&word[cut..]);
        } else if first.is_some_and(is_ascii_punct) {
            let cut = first.map_or(0, char::len_utf8);
            tokens.push(&word[..cut]);
            tokens.push(&word[cut..]);
        } else {
            tokens.push(word);
        }
    }
    tokens
}

/// How many items' sketches share one buffer in [`Sketches`].
pub const SKETCH_BLOCK: usize = 4096;

/// Compact profiles for ranking: 32-bit hashes of the same n-grams as [`Profile`], sorted per
/// order. Matches counted on sketches can exceed the exact count only on a hash collision
/// (about one pair in ten thousand gains one spurious match), so sketches rank candidates and
/// exact counts give the reported scores. Millions are kept at once, so they live in shared
/// buffers of [`SKETCH_BLOCK`] items (built in parallel, block by block) rather than one
/// allocation each.
#[derive(Debug, Default)]
pub struct Sketches {
    blocks: Vec<SketchBlock>,
}

/// The sketches of up to [`SKETCH_BLOCK`] consecutive items.
#[derive(Debug, Default)]
pub struct SketchBlock {
    grams: Vec<u32>,
    /// Per item: where its grams start, and where each order's run ends (relative to the
    /// start): character orders 1–6, then word orders 1–2.
    entries: Vec<(usize, [u32; CHAR_ORDER + WORD_ORDER])>,
}

/// One text's sketch, borrowed from [`Sketches`].
#[derive(Debug, Clone, Copy)]
pub struct SketchRef<'a> {
    grams: &'a [u32],
    ends: &'a [u32; CHAR_ORDER + WORD_ORDER],
}

fn mix(value: u128) -> u32 {
    let folded = (value as u64) ^ ((value >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

impl SketchBlock {
    /// Sketches `texts` in order; `None` stores an empty sketch (an item nothing is compared
    /// with). The buffer is sized exactly first: growing it would double it for a moment.
    pub fn new(texts: &[Option<&str>]) -> SketchBlock {
        let windows =
            |len: usize, orders: usize| (1..=orders).map(|n| (len + 1).saturating_sub(n)).sum::<usize>();
        let size = texts
            .iter()
            .flatten()
            .map(|text| {
                let chars = text.chars().filter(|&c| !is_python_space(c)).count();
                windows(chars, CHAR_ORDER) + windows(chrf_words(text).len(), WORD_ORDER)
            })
            .sum();
        let mut block =
            SketchBlock { grams: Vec::with_capacity(size), entries: Vec::with_capacity(texts.len()) };
        for text in texts {
            let start = block.grams.len();
            let ends = text.map_or([0; CHAR_ORDER + WORD_ORDER], |text| push_sketch(&mut block.grams, text));
            block.entries.push((start, ends));
        }
        debug_assert_eq!(block.grams.len(), size);
        block
    }
}

/// Appends the sorted n-gram hashes of `text` to `grams`, returning each order's end relative
/// to where they start.
fn push_sketch(grams: &mut Vec<u32>, text: &str) -> [u32; CHAR_ORDER + WORD_ORDER] {
    let chars: Vec<u32> = text.chars().filter(|&c| !is_python_space(c)).map(u32::from).collect();
    let words: Vec<u64> = chrf_words(text).iter().map(hash_of).collect();
    let base = grams.len();
    let mut ends = [0u32; CHAR_ORDER + WORD_ORDER];
    for n in 1..=CHAR_ORDER {
        let start = grams.len();
        grams.extend(
            chars.windows(n).map(|w| mix(w.iter().fold(0u128, |acc, &c| (acc << 21) | u128::from(c)))),
        );
        grams[start..].sort_unstable();
        ends[n - 1] = (grams.len() - base) as u32;
    }
    for n in 1..=WORD_ORDER {
        let start = grams.len();
        grams.extend(words.windows(n).map(|w| mix(u128::from(hash_of(&w)) | (n as u128) << 64)));
        grams[start..].sort_unstable();
        ends[CHAR_ORDER + n - 1] = (grams.len() - base) as u32;
    }
    ends
}

impl Sketches {
    /// Joins blocks built for consecutive runs of [`SKETCH_BLOCK`] items (the last may be
    /// shorter).
    pub fn from_blocks(blocks: Vec<SketchBlock>) -> Sketches {
        debug_assert!(blocks.iter().rev().skip(1).all(|block| block.entries.len() == SKETCH_BLOCK));
        Sketches { blocks }
    }

    /// The sketch of item `item`.
    pub fn get(&self, item: usize) -> SketchRef<'_> {
        let block = &self.blocks[item / SKETCH_BLOCK];
        let (start, ends) = &block.entries[item % SKETCH_BLOCK];
        let start = *start;
        SketchRef { grams: &block.grams[start..start + ends[CHAR_ORDER + WORD_ORDER - 1] as usize], ends }
    }
}

impl SketchRef<'_> {
    fn order(&self, order: usize) -> &[u32] {
        let start = if order == 0 { 0 } else { self.ends[order - 1] as usize };
        &self.grams[start..self.ends[order] as usize]
    }
}

/// Compares two sketches: like [`compare`], up to hash collisions.
pub fn compare_sketches(a: SketchRef<'_>, b: SketchRef<'_>) -> Matches {
    let mut result = Matches::default();
    for order in 0..CHAR_ORDER {
        let (x, y) = (a.order(order), b.order(order));
        result.chars[order] = (x.len(), y.len(), matches(x, y));
    }
    for order in 0..WORD_ORDER {
        let (x, y) = (a.order(CHAR_ORDER + order), b.order(CHAR_ORDER + order));
        result.words[order] = (x.len(), y.len(), matches(x, y));
    }
    result
}

/// Size of the multiset intersection of two sorted slices. Branch-free: the comparison
/// outcomes of n-gram merges are unpredictable, and mispredictions dominated the loop.
fn matches<T: Ord + Copy>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        count += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    count
}

/// Per-order n-gram counts of two profiles and their matches: one merge pass gives chrF and
/// chrF++ in both directions, since matching is symmetric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Matches {
    /// (n-grams of a, n-grams of b, matches) per character order.
    chars: [(usize, usize, usize); CHAR_ORDER],
    /// The same per word order.
    words: [(usize, usize, usize); WORD_ORDER],
}

/// Compares two profiles.
pub fn compare(a: &Profile, b: &Profile) -> Matches {
    let mut result = Matches::default();
    for (order, (x, y)) in a.chars.iter().zip(&b.chars).enumerate() {
        result.chars[order] = (x.len(), y.len(), matches(x, y));
    }
    for (order, (x, y)) in a.words.iter().zip(&b.words).enumerate() {
        result.words[order] = (x.len(), y.len(), matches(x, y));
    }
    result
}

/// sacrebleu's (hypothesis, reference, match) statistics for one order; the hypothesis count
/// is zero when the reference has no n-grams of that order (`_get_match_statistics`).
fn directed((len_a, len_b, matched): (usize, usize, usize), a_is_hypothesis: bool) -> (usize, usize, usize) {
    let (hyp, reference) = if a_is_hypothesis { (len_a, len_b) } else { (len_b, len_a) };
    (if reference == 0 { 0 } else { hyp }, reference, matched)
}

impl Matches {
    /// chrF with `a` (or `b`) as the hypothesis, in [0, 100].
    pub fn chrf(&self, a_is_hypothesis: bool) -> f64 {
        f_score(self.chars.iter().map(|&order| directed(order, a_is_hypothesis)))
    }

    /// chrF++ with `a` (or `b`) as the hypothesis, in [0, 100].
    pub fn chrf_plus_plus(&self, a_is_hypothesis: bool) -> f64 {
        let orders = self.chars.iter().chain(&self.words);
        f_score(orders.map(|&order| directed(order, a_is_hypothesis)))
    }
}

/// sacrebleu's `_compute_f_score` with effective-order averaging, in [0, 100].
fn f_score(stats: impl Iterator<Item = (usize, usize, usize)>) -> f64 {
    let factor = BETA * BETA;
    let (mut precision, mut recall, mut effective_order) = (0.0, 0.0, 0usize);
    for (n_hyp, n_ref, n_match) in stats {
        if n_hyp > 0 && n_ref > 0 {
            precision += n_match as f64 / n_hyp as f64;
            recall += n_match as f64 / n_ref as f64;
            effective_order += 1;
        }
    }
    if effective_order == 0 {
        return 0.0;
    }
    precision /= effective_order as f64;
    recall /= effective_order as f64;
    if precision + recall == 0.0 {
        return 0.0;
    }
    100.0 * (1.0 + factor) * precision * recall / (factor * precision + recall)
}

/// Sentence-level chrF of `hypothesis` against `reference`, in [0, 100].
pub fn chrf(hypothesis: &Profile, reference: &Profile) -> f64 {
    compare(hypothesis, reference).chrf(true)
}

/// Sentence-level chrF++ (character orders 1–6 and word orders 1–2), in [0, 100].
pub fn chrf_plus_plus(hypothesis: &Profile, reference: &Profile) -> f64 {
    compare(hypothesis, reference).chrf_plus_plus(true)
}

/// chrF averaged over both directions and scaled to [0, 1]: symmetric, for ranking.
pub fn symmetric_chrf(a: &Profile, b: &Profile) -> f64 {
    let matches = compare(a, b);
    (matches.chrf(true) + matches.chrf(false)) / 200.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn identical_texts_score_100_and_disjoint_texts_0() {
        let a = Profile::new("That's what dealmakers do.");
        assert!((chrf(&a, &a) - 100.0).abs() < 1e-9);
        assert_eq!(chrf(&Profile::new("abc"), &Profile::new("xyz")), 0.0);
        assert_eq!(chrf(&Profile::new(""), &Profile::new("xyz")), 0.0);
    }

    #[test]
    fn chrf_plus_plus_splits_one_punctuation_mark() {
        assert_eq!(chrf_words("(hi) there, x \"quoted\""), ["(hi", ")", "there", ",", "x", "\"quoted", "\""]);
    }

    #[test]
    fn sketches_agree_with_exact_profiles_on_seed_like_text() {
        let texts = [
            "“He had to sell the plan to Ukraine, he had to sell it to Russia. That’s what dealmakers do.”",
            "The president told reporters, “He’s gotta sell this to Ukraine, he’s gotta sell Ukraine to Russia.”",
            "Зеленський сказав «ні».",
            "",
        ];
        let texts_to_sketch: Vec<Option<&str>> = texts.iter().map(|&t| Some(t)).collect();
        let sketches = Sketches::from_blocks(vec![SketchBlock::new(&texts_to_sketch)]);
        for (i, a) in texts.iter().enumerate() {
            for (j, b) in texts.iter().enumerate() {
                let exact = compare(&Profile::new(a), &Profile::new(b));
                let sketched = compare_sketches(sketches.get(i), sketches.get(j));
                assert_eq!(exact, sketched, "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn pair_comparison_falls_back_when_the_alphabet_is_too_large() {
        let wide: String = (0x4E00u32..0x4E00 + 1500).filter_map(char::from_u32).collect();
        let narrow = &wide[..300];
        assert_eq!(compare_texts(&wide, narrow), compare(&Profile::new(&wide), &Profile::new(narrow)));
    }

    proptest! {
        /// Comparing a pair directly gives exactly the counts of comparing their profiles.
        #[test]
        fn pair_comparison_equals_profile_comparison(
            a in "\\PC{0,60}",
            b in "[a-zA-Z ,.äöüß]{0,60}",
            c in "\\PC{0,30}",
            repetitive in "[ab ]{0,80}",
        ) {
            prop_assert_eq!(compare_texts(&a, &b), compare(&Profile::new(&a), &Profile::new(&b)));
            prop_assert_eq!(
                compare_texts(&repetitive, &b),
                compare(&Profile::new(&repetitive), &Profile::new(&b))
            );
            prop_assert_eq!(compare_texts(&b, &a), compare(&Profile::new(&b), &Profile::new(&a)));
            prop_assert_eq!(compare_each(&[&a, &c], &b), vec![compare_texts(&a, &b), compare_texts(&c, &b)]);
        }

        /// Symmetric chrF lies in [0, 1], is symmetric, and a non-empty text scores 1 with itself.
        #[test]
        fn symmetric_chrf_is_a_bounded_symmetric_similarity(a in "\\PC{0,40}", b in "\\PC{0,40}") {
            let (pa, pb) = (Profile::new(&a), Profile::new(&b));
            let ab = symmetric_chrf(&pa, &pb);
            prop_assert!((0.0..=1.0 + 1e-12).contains(&ab));
            prop_assert_eq!(ab, symmetric_chrf(&pb, &pa));
            if pa.char_count() > 0 {
                prop_assert!((symmetric_chrf(&pa, &pa) - 1.0).abs() < 1e-12);
            }
        }
    }
}
