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

use crate::normalize::ascii_fields;

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
const fn is_python_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
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
    let mut hashes = Vec::new();
    word_hashes_into(text, &mut hashes);
    let mut keys = Vec::new();
    let ends = extend_word_grams(&hashes, &mut keys);
    [keys[..ends[0]].to_vec(), keys[ends[0]..ends[1]].to_vec()]
}

/// Appends the hashes of `text`'s chrF++ words (see [`split_punctuation`]) to `hashes`.
fn word_hashes_into(text: &str, hashes: &mut Vec<u64>) {
    let push = |word: &str| {
        let (word, mark) = split_punctuation(word);
        hashes.push(hash_of(word));
        hashes.extend(mark.map(hash_of));
    };
    if text.is_ascii() {
        ascii_fields(text, |byte| is_python_space(char::from(byte))).for_each(push);
    } else {
        text.split(is_python_space).filter(|word| !word.is_empty()).for_each(push);
    }
}

/// How many word n-grams of all orders a text of `words` words has.
fn word_gram_count(words: usize) -> usize {
    (0..WORD_ORDER).map(|order| words.saturating_sub(order)).sum()
}

/// Appends [`word_grams`] of a text whose word hashes are `hashes` to `keys`, order after
/// order, and returns where each order ends. Sketches are built this way, without a vector
/// per text.
fn extend_word_grams(hashes: &[u64], keys: &mut Vec<u64>) -> [usize; WORD_ORDER] {
    let mut ends = [0; WORD_ORDER];
    for (order_idx, end) in ends.iter_mut().enumerate() {
        let n = order_idx + 1;
        let start = keys.len();
        if hashes.len() >= n {
            keys.extend(hashes.windows(n).map(|window| if n == 1 { window[0] } else { hash_of(window) }));
            keys[start..].sort_unstable();
        }
        *end = keys.len();
    }
    ends
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
            let mut result = character_matches(&window_keys(ids), &reference_keys);
            for (order, (ours, theirs)) in word_grams(text).iter().zip(&reference_words).enumerate() {
                result.words[order] = (ours.len(), theirs.len(), matches(ours, theirs));
            }
            result
        })
        .collect()
}

/// The character n-gram counts and matches of two texts' sorted [`window_keys`] (one key per
/// character), word orders left empty.
fn character_matches(a: &[u64], b: &[u64]) -> Matches {
    let mut result = Matches::default();
    let matched = run_matches(a, b).unwrap_or_else(|| {
        let (low, high) = (prefix_matches(a, b, [1, 2, 3]), prefix_matches(a, b, [4, 5, 6]));
        std::array::from_fn(|order| if order < 3 { low[order] } else { high[order - 3] })
    });
    for (order, matched) in (1..=CHAR_ORDER).zip(matched) {
        let grams = |len: usize| (len + 1).saturating_sub(order);
        result.chars[order - 1] = (grams(a.len()), grams(b.len()), matched);
    }
    result
}

/// Bits per renumbered character in [`window_keys`]: one byte, as sketches store them (see
/// [`Sketches`]).
const ID_BITS: usize = 8;
/// The bits of a window key in use.
const KEY_BITS: usize = ID_BITS * CHAR_ORDER;

/// Every position's next [`CHAR_ORDER`] characters (ids from 1, each below 256) packed into one
/// key, first character highest and zero past the end, as sketches read them ([`key_at`]),
/// sorted. Sorting by the whole window sorts every prefix too, so one sort gives the sorted
/// n-grams of all orders (see [`prefix_matches`]), where sorting each order apart took six.
fn window_keys(ids: &[u64]) -> Vec<u64> {
    let mut padded: Vec<u8> =
        ids.iter().map(|&id| u8::try_from(id).expect("ids below 1 << ID_BITS")).collect();
    padded.extend([0; ID_PADDING]);
    let mut keys: Vec<u64> = (0..ids.len()).map(|position| key_at(&padded, position)).collect();
    keys.sort_unstable();
    keys
}

/// Matches between the n-grams of two sets of sorted [`window_keys`], for `N` orders at once,
/// where [`run_matches`] cannot count them (texts of [`RUN_LIMIT`] characters or more):
/// an n-gram is a key's first n characters. A window that ends before n characters has a
/// zero last character there, is no n-gram of that order, and never counts.
///
/// The merges of the orders advance in lockstep: each step of a merge waits for the loads its
/// previous step chose, and independent merges in one loop overlap those waits (on the sketch
/// bench, two calls of three orders score pairs 1.6x as fast as six merges one after another;
/// one call of six runs out of registers and gains less).
fn prefix_matches<const N: usize>(a: &[u64], b: &[u64], orders: [usize; N]) -> [usize; N] {
    let shifts = orders.map(|order| ID_BITS * (CHAR_ORDER - order));
    let last_char = (1u64 << ID_BITS) - 1;
    let (mut i, mut j, mut count) = ([0; N], [0; N], [0; N]);
    let mut step = |lane: usize, i: &mut [usize; N], j: &mut [usize; N]| {
        let (x, y) = (a[i[lane]] >> shifts[lane], b[j[lane]] >> shifts[lane]);
        count[lane] += usize::from(x == y && x & last_char != 0);
        i[lane] += usize::from(x <= y);
        j[lane] += usize::from(y <= x);
    };
    while (0..N).all(|lane| i[lane] < a.len() && j[lane] < b.len()) {
        for lane in 0..N {
            step(lane, &mut i, &mut j);
        }
    }
    for lane in 0..N {
        while i[lane] < a.len() && j[lane] < b.len() {
            step(lane, &mut i, &mut j);
        }
    }
    count
}

/// [`prefix_matches`] of all orders in one merge, for texts of fewer than [`RUN_LIMIT`]
/// characters (longer ones would overflow its counters; `None` then).
///
/// Sorting by the whole key sorts every prefix, so in the merged order of both texts' keys
/// each n-gram is one run of neighbours, for all n at once. Where a key's common prefix with
/// the key before it ends, the runs of the longer orders end, and each adds the smaller of
/// its two sides' counts. The counts of all six orders live in lanes of one `u64`, so a key
/// updates them in a dozen word operations, off the merge's chain of dependent loads.
fn run_matches(a: &[u64], b: &[u64]) -> Option<[usize; CHAR_ORDER]> {
    if a.len() >= RUN_LIMIT || b.len() >= RUN_LIMIT {
        return None;
    }
    let mut runs = Runs::default();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        let from_a = x <= y;
        runs.push(if from_a { x } else { y }, from_a);
        i += usize::from(from_a);
        j += usize::from(!from_a);
    }
    // The rest of one side can only add to the runs still open.
    let (rest, from_a) = if i < a.len() { (&a[i..], true) } else { (&b[j..], false) };
    for &key in rest {
        if runs.push(key, from_a) == ALL_LANES {
            break;
        }
    }
    Some(runs.finish())
}

/// Bits per order's counter in [`Runs`]; the top bit of each is a guard for comparisons.
const LANE_BITS: usize = 10;
/// Counts stay below the guard bit as long as texts are shorter than this.
const RUN_LIMIT: usize = 1 << (LANE_BITS - 1);
const LANE_ONES: u64 = lanes_from(0);
const ALL_LANES: u64 = LANE_ONES * ((1 << LANE_BITS) - 1);
const GUARDS: u64 = LANE_ONES << (LANE_BITS - 1);
/// The lanes of orders whose runs a key closes, by the leading zeros of the key xor the one
/// before it: orders longer than their common prefix.
const CLOSED_BY_LEADING_ZEROS: [u64; 65] = {
    let mut table = [0; 65];
    let mut zeros: usize = 0;
    while zeros < 65 {
        let common = if zeros == 64 { CHAR_ORDER } else { zeros.saturating_sub(64 - KEY_BITS) / ID_BITS };
        table[zeros] = lanes_from(common) * ((1 << LANE_BITS) - 1);
        zeros += 1;
    }
    table
};
/// A one in the lanes of the orders a key is an n-gram of, by its trailing zeros (a window
/// cut short by the end of its text ends in zero characters).
const COUNTED_BY_TRAILING_ZEROS: [u64; 65] = {
    let mut table = [0; 65];
    let mut zeros: usize = 0;
    while zeros < 65 {
        // A key of zeros (64 trailing zeros) has more zero characters than a window holds.
        let length = CHAR_ORDER.saturating_sub(zeros / ID_BITS);
        table[zeros] = LANE_ONES & !lanes_from(length);
        zeros += 1;
    }
    table
};

/// A one in the lanes of orders (0-based) `first` and up.
const fn lanes_from(first: usize) -> u64 {
    let mut lanes = 0;
    let mut order = first;
    while order < CHAR_ORDER {
        lanes |= 1 << (order * LANE_BITS);
        order += 1;
    }
    lanes
}

/// [`run_matches`]' counters: per order, the open run's count on each side, and the matches
/// of the runs closed so far.
#[derive(Default)]
struct Runs {
    previous: u64,
    ours: u64,
    theirs: u64,
    matched: u64,
}

impl Runs {
    /// Adds the next key in merged order, from `a` or `b`; returns the lanes it closed.
    #[inline(always)]
    fn push(&mut self, key: u64, from_a: bool) -> u64 {
        let closed = CLOSED_BY_LEADING_ZEROS[(key ^ self.previous).leading_zeros() as usize];
        let counted = COUNTED_BY_TRAILING_ZEROS[key.trailing_zeros() as usize];
        let ours_not_less = ((self.ours | GUARDS) - self.theirs) & GUARDS;
        let take_theirs = (ours_not_less >> (LANE_BITS - 1)) * ((1 << LANE_BITS) - 1);
        let smaller = (self.theirs & take_theirs) | (self.ours & !take_theirs);
        self.matched += smaller & closed;
        let side = 0u64.wrapping_sub(u64::from(from_a));
        self.ours = (self.ours & !closed) + (counted & side);
        self.theirs = (self.theirs & !closed) + (counted & !side);
        self.previous = key;
        closed
    }

    fn finish(mut self) -> [usize; CHAR_ORDER] {
        self.push(0, false);
        std::array::from_fn(|order| ((self.matched >> (order * LANE_BITS)) & ((1 << LANE_BITS) - 1)) as usize)
    }
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A whitespace-delimited word as chrF++ tokenises it: one leading or trailing punctuation
/// mark split off a word longer than one character (trailing first). sacrebleu's punctuation
/// is ASCII's.
fn split_punctuation(word: &str) -> (&str, Option<&str>) {
    let bytes = word.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return (word, None) };
    // A single character is left whole: one byte, or one multi-byte character.
    if bytes.len() == 1 || (!first.is_ascii() && word.chars().nth(1).is_none()) {
        return (word, None);
    }
    // ASCII punctuation is one byte, and no byte of a multi-byte character is ASCII.
    if last.is_ascii_punctuation() {
        (&word[..word.len() - 1], Some(&word[word.len() - 1..]))
    } else if first.is_ascii_punctuation() {
        (&word[..1], Some(&word[1..]))
    } else {
        (word, None)
    }
}

/// How many items' sketches share one buffer in [`Sketches`].
pub const SKETCH_BLOCK: usize = 4096;

/// How often each character occurs in the texts to be sketched, from which [`Alphabet`]
/// numbers them. Counts from parts of a corpus merge in any order to the same result.
#[derive(Debug, Clone)]
pub struct CharCounts {
    ascii: [u64; 128],
    others: FxHashMap<char, u64>,
}

impl Default for CharCounts {
    fn default() -> Self {
        CharCounts { ascii: [0; 128], others: FxHashMap::default() }
    }
}

impl CharCounts {
    /// The counts of all of `texts`.
    pub fn of<'t>(texts: impl IntoIterator<Item = &'t str>) -> CharCounts {
        let mut counts = CharCounts::default();
        texts.into_iter().for_each(|text| counts.add(text));
        counts
    }

    /// Counts the characters of `text` that n-grams are made of (not whitespace).
    pub fn add(&mut self, text: &str) {
        if text.is_ascii() {
            for byte in text.bytes() {
                self.ascii[byte as usize] += ASCII_NGRAM_CHAR[byte as usize];
            }
            return;
        }
        for c in text.chars().filter(|&c| !is_python_space(c)) {
            if c.is_ascii() {
                self.ascii[c as usize] += 1;
            } else {
                *self.others.entry(c).or_insert(0) += 1;
            }
        }
    }

    /// Both counts together.
    pub fn merge(mut self, other: CharCounts) -> CharCounts {
        for (mine, theirs) in self.ascii.iter_mut().zip(other.ascii) {
            *mine += theirs;
        }
        for (c, count) in other.others {
            *self.others.entry(c).or_insert(0) += count;
        }
        self
    }
}

/// Corpus-wide character ids for sketches, most frequent characters first, one byte each
/// (ids from 1, so that 0 can mark the end of a text). An alphabet of up to 255 characters
/// (English with accented names, quotes and dashes is about 130; Latin and Cyrillic
/// together about 230) is numbered exactly, and sketches then count exactly what
/// [`compare_texts`] counts; a larger one shares ids between frequent and rare characters,
/// and sketches only rank.
#[derive(Debug, Clone)]
pub struct Alphabet {
    ascii: [u8; 128],
    others: FxHashMap<char, u8>,
    exact: bool,
}

impl Alphabet {
    /// Numbers the characters counted.
    pub fn new(counts: CharCounts) -> Alphabet {
        let mut chars: Vec<(char, u64)> = (0u8..128)
            .map(|byte| (char::from(byte), counts.ascii[byte as usize]))
            .filter(|&(_, count)| count > 0)
            .chain(counts.others)
            .collect();
        chars.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let ids = u8::MAX;
        let mut alphabet = Alphabet {
            ascii: [ids; 128],
            others: FxHashMap::default(),
            exact: chars.len() <= usize::from(ids),
        };
        for (rank, (c, _)) in chars.into_iter().enumerate() {
            let id = 1 + (rank % usize::from(ids)) as u8;
            if c.is_ascii() {
                alphabet.ascii[c as usize] = id;
            } else {
                alphabet.others.insert(c, id);
            }
        }
        alphabet
    }

    /// Whether every character counted has an id of its own.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// Appends the ids of a text's n-gram characters to `ids`; a character that was not
    /// counted shares the last id.
    fn extend_ids(&self, text: &str, ids: &mut Vec<u8>) {
        if text.is_ascii() {
            // Every byte is written and only n-gram characters advance: no branch per byte.
            let start = ids.len();
            ids.resize(start + text.len(), 0);
            let mut end = start;
            for byte in text.bytes() {
                ids[end] = self.ascii[byte as usize];
                end += ASCII_NGRAM_CHAR[byte as usize] as usize;
            }
            ids.truncate(end);
            return;
        }
        ids.extend(text.chars().filter(|&c| !is_python_space(c)).map(|c| {
            if c.is_ascii() {
                self.ascii[c as usize]
            } else {
                self.others.get(&c).copied().unwrap_or(u8::MAX)
            }
        }));
    }
}

/// Per ASCII byte: 1 for a character n-grams are made of, 0 for whitespace
/// ([`is_python_space`]).
static ASCII_NGRAM_CHAR: [u64; 128] = {
    let mut table = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = !is_python_space(byte as u8 as char) as u64;
        byte += 1;
    }
    table
};

/// Compact profiles over a corpus-wide [`Alphabet`]: each text's word n-gram hashes, sorted,
/// and its characters as one-byte ids with their positions in the order of their sorted
/// [`window_keys`]. A window key is then one 8-byte read at its position, so a text's keys are
/// rebuilt, in order, at a few instructions each (see [`SketchComparer`]), from two bytes a
/// character (more in texts of over 256 characters) instead of the key's eight: at a million
/// sentences the sketches take 300 MB instead of 700 MB of fresh memory, whose first touch
/// this VM charges dearly. With an exact alphabet, comparing two sketches gives exactly the
/// counts of [`compare_texts`]. Millions are kept at once, so they live in shared buffers of
/// [`SKETCH_BLOCK`] items (built in parallel, block by block) rather than one allocation each.
#[derive(Debug, Default)]
pub struct Sketches {
    blocks: Vec<SketchBlock>,
    exact: bool,
}

/// The sketches of up to [`SKETCH_BLOCK`] consecutive items, one after another in one
/// buffer: an item's character bytes (see [`SketchEntry`]), to a whole number of `u64`s,
/// then its word unigrams and bigrams, each sorted. Comparing reads the characters first,
/// and [`Sketches::touch`] brings in their first bytes.
#[derive(Debug, Default)]
pub struct SketchBlock {
    buffer: Vec<u64>,
    entries: Vec<SketchEntry>,
}

/// Where one item's sketch is in its block's buffer.
///
/// Its character bytes are its ids, [`ID_PADDING`] zeros, and then its positions in sorted
/// window order, [`position_width`] bytes each (little-endian).
#[derive(Debug, Clone, Copy)]
struct SketchEntry {
    /// Where it starts, in `u64`s.
    start: u32,
    /// Its characters (not whitespace).
    chars: u32,
    /// Where (from `start`, in `u64`s) its character bytes, word unigrams and word bigrams
    /// end.
    ends: [u32; 1 + WORD_ORDER],
}

/// Zeros after a text's character ids: an 8-byte read at any of its positions stays in its
/// bytes, and reads zeros past its end (the windows cut short by the end of the text).
const ID_PADDING: usize = 7;
/// A window key read as 8 bytes holds two characters more than a window.
const READ_SHIFT: u32 = 8 * (8 - CHAR_ORDER as u32);

/// Bytes per stored position for a text of `chars` characters.
fn position_width(chars: usize) -> usize {
    if chars <= 1 << 8 {
        1
    } else if chars <= 1 << 16 {
        2
    } else {
        4
    }
}

/// The window key at `position` of a text's character bytes (its ids and their padding).
#[inline(always)]
fn key_at(ids: &[u8], position: usize) -> u64 {
    let window: [u8; 8] = ids[position..position + 8].try_into().expect("padded ids");
    u64::from_be_bytes(window) >> READ_SHIFT
}

impl SketchBlock {
    /// Sketches `texts` in order; `None` stores an empty sketch (an item nothing is compared
    /// with). The texts are read once, into their character ids and word hashes, and the
    /// buffer is then sized exactly: growing it would double it for a moment, and counting
    /// first read every text twice.
    pub fn new(texts: &[Option<&str>], alphabet: &Alphabet) -> SketchBlock {
        // Room for every text at once: a character per byte at most, and (for sizing only) a
        // word per five bytes; grown a doubling at a time, these were copied again and again.
        let bytes: usize = texts.iter().flatten().map(|text| text.len()).sum();
        let (mut ids, mut hashes) = (Vec::with_capacity(bytes), Vec::with_capacity(bytes / 5));
        // Per text: how many character ids and word hashes it has.
        let lengths: Vec<(usize, usize)> = texts
            .iter()
            .map(|text| {
                let before = (ids.len(), hashes.len());
                if let Some(text) = text {
                    alphabet.extend_ids(text, &mut ids);
                    word_hashes_into(text, &mut hashes);
                }
                (ids.len() - before.0, hashes.len() - before.1)
            })
            .collect();
        let character_words = |chars: usize| (chars + ID_PADDING + chars * position_width(chars)).div_ceil(8);
        let size =
            lengths.iter().map(|&(chars, words)| word_gram_count(words) + character_words(chars)).sum();
        let mut block =
            SketchBlock { buffer: Vec::with_capacity(size), entries: Vec::with_capacity(texts.len()) };
        let (mut rest_ids, mut rest_hashes) = (ids.as_slice(), hashes.as_slice());
        let mut sorted: Vec<u64> = Vec::new();
        for &(chars, words) in &lengths {
            let (text_ids, text_hashes);
            (text_ids, rest_ids) = rest_ids.split_at(chars);
            (text_hashes, rest_hashes) = rest_hashes.split_at(words);
            let start = block.buffer.len();
            block.buffer.resize(start + character_words(chars), 0);
            let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut block.buffer[start..]);
            bytes[..chars].copy_from_slice(text_ids);
            sort_positions(&bytes[..chars + ID_PADDING], &mut sorted);
            let width = position_width(chars);
            for (slot, &position) in bytes[chars + ID_PADDING..].chunks_exact_mut(width).zip(&sorted) {
                slot.copy_from_slice(&position.to_le_bytes()[..width]);
            }
            let mut ends = [(block.buffer.len() - start) as u32; 1 + WORD_ORDER];
            for (end, word_end) in ends[1..].iter_mut().zip(extend_word_grams(text_hashes, &mut block.buffer))
            {
                *end = (word_end - start) as u32;
            }
            block.entries.push(SketchEntry { start: start as u32, chars: chars as u32, ends });
        }
        debug_assert_eq!(block.buffer.len(), size);
        block
    }
}

/// A text's positions in the order of their window keys (`ids` are its ids and padding), in
/// `sorted`. A key has 48 bits and, in all but texts of over 65,536 characters, its position
/// fits beside it: one sort of plain integers.
fn sort_positions(ids: &[u8], sorted: &mut Vec<u64>) {
    let chars = ids.len() - ID_PADDING;
    sorted.clear();
    if chars <= 1 << 16 {
        sorted.extend((0..chars).map(|position| (key_at(ids, position) << 16) | position as u64));
        sorted.sort_unstable();
        sorted.iter_mut().for_each(|packed| *packed &= 0xFFFF);
    } else {
        sorted.extend(0..chars as u64);
        sorted.sort_unstable_by_key(|&position| key_at(ids, position as usize));
    }
}

impl Sketches {
    /// The sketches of `texts`, in order, over their own alphabet: one call for a few texts
    /// (the pipeline builds blocks in parallel instead).
    pub fn of(texts: &[&str]) -> Sketches {
        let alphabet = Alphabet::new(CharCounts::of(texts.iter().copied()));
        let texts: Vec<Option<&str>> = texts.iter().map(|&text| Some(text)).collect();
        let blocks = texts.chunks(SKETCH_BLOCK).map(|texts| SketchBlock::new(texts, &alphabet)).collect();
        Sketches::from_blocks(blocks, &alphabet)
    }

    /// Joins blocks built with `alphabet` for consecutive runs of [`SKETCH_BLOCK`] items (the
    /// last may be shorter).
    pub fn from_blocks(blocks: Vec<SketchBlock>, alphabet: &Alphabet) -> Sketches {
        debug_assert!(blocks.iter().rev().skip(1).all(|block| block.entries.len() == SKETCH_BLOCK));
        Sketches { blocks, exact: alphabet.is_exact() }
    }

    /// Whether comparing sketches gives exactly what comparing their texts gives.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// Reads the first word of each of `items`' sketches and returns nothing of use: at scale
    /// every sketch compared is a cache miss, and loads that do not depend on one another
    /// overlap, where the same loads inside the comparisons come one after another.
    pub fn touch(&self, items: impl Iterator<Item = usize>) {
        std::hint::black_box(items.map(|item| self.get(item).first_word()).fold(0u64, u64::wrapping_add));
    }

    /// Compares the sketches of items `a` and `b` (see [`SketchComparer::compare`]).
    pub fn compare(&self, a: usize, b: usize) -> Matches {
        self.comparer().compare(a, b)
    }

    /// A comparer of these sketches, for many comparisons.
    pub fn comparer(&self) -> SketchComparer<'_> {
        SketchComparer { sketches: self, sides: Default::default() }
    }

    /// The sketch of item `item`.
    fn get(&self, item: usize) -> SketchRef<'_> {
        let block = &self.blocks[item / SKETCH_BLOCK];
        let entry = block.entries[item % SKETCH_BLOCK];
        SketchRef { item: &block.buffer[entry.start as usize..], entry }
    }
}

/// One item's sketch: its block's buffer from where the item starts.
#[derive(Debug, Clone, Copy)]
struct SketchRef<'a> {
    item: &'a [u64],
    entry: SketchEntry,
}

impl SketchRef<'_> {
    fn first_word(&self) -> u64 {
        self.item.first().copied().unwrap_or(0)
    }

    fn words(&self, order: usize) -> &[u64] {
        &self.item[self.entry.ends[order] as usize..self.entry.ends[order + 1] as usize]
    }

    /// Replaces `keys` with the text's sorted window keys.
    fn window_keys_into(&self, keys: &mut Vec<u64>) {
        let chars = self.entry.chars as usize;
        let bytes: &[u8] = bytemuck::cast_slice(&self.item[..self.entry.ends[0] as usize]);
        let (ids, positions) = bytes.split_at(chars + ID_PADDING);
        keys.clear();
        match position_width(chars) {
            1 => keys.extend(positions[..chars].iter().map(|&position| key_at(ids, usize::from(position)))),
            2 => keys.extend(
                positions
                    .chunks_exact(2)
                    .take(chars)
                    .map(|position| key_at(ids, usize::from(u16::from_le_bytes([position[0], position[1]])))),
            ),
            _ => keys.extend(positions.chunks_exact(4).take(chars).map(|position| {
                key_at(ids, u32::from_le_bytes(position.try_into().expect("four bytes")) as usize)
            })),
        }
    }
}

/// Compares sketches of one [`Sketches`], keeping the window keys it last rebuilt on each
/// side: scoring compares an item with its candidates one after another, and agreement
/// compares every member of a group with its consensus.
pub struct SketchComparer<'s> {
    sketches: &'s Sketches,
    /// Per side: the item whose keys are held, and its keys.
    sides: [(Option<usize>, Vec<u64>); 2],
}

impl SketchComparer<'_> {
    /// Compares the sketches of items `a` and `b`: like [`compare_texts`] of their texts,
    /// exactly so when the alphabet is exact.
    pub fn compare(&mut self, a: usize, b: usize) -> Matches {
        let (x, y) = (self.sketches.get(a), self.sketches.get(b));
        for ((held, keys), (item, sketch)) in self.sides.iter_mut().zip([(a, x), (b, y)]) {
            if *held != Some(item) {
                sketch.window_keys_into(keys);
                *held = Some(item);
            }
        }
        let mut result = character_matches(&self.sides[0].1, &self.sides[1].1);
        for order in 0..WORD_ORDER {
            let (x, y) = (x.words(order), y.words(order));
            result.words[order] = (x.len(), y.len(), matches(x, y));
        }
        result
    }
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

impl Matches {
    /// chrF with `a` (or `b`) as the hypothesis, in [0, 100].
    pub fn chrf(&self, a_is_hypothesis: bool) -> f64 {
        self.scores().chrf(a_is_hypothesis)
    }

    /// chrF++ with `a` (or `b`) as the hypothesis, in [0, 100].
    pub fn chrf_plus_plus(&self, a_is_hypothesis: bool) -> f64 {
        self.scores().chrf_plus_plus(a_is_hypothesis)
    }

    /// chrF and chrF++ in both directions, from one pass over the orders. One direction's
    /// precision is the other's recall, and chrF's sums are where chrF++'s stand after the
    /// character orders: the same divisions, added in the same order, as sacrebleu's
    /// `_compute_f_score` makes for each score apart (a quarter of them, where scoring a
    /// candidate pair asked for three scores).
    pub fn scores(&self) -> Scores {
        let mut sums = OrderSums::default();
        self.chars.iter().for_each(|&order| sums.add(order));
        let chars = sums;
        self.words.iter().for_each(|&order| sums.add(order));
        Scores { chars, all: sums }
    }
}

/// chrF and chrF++ of a pair in both directions (see [`Matches::scores`]).
#[derive(Debug, Clone, Copy)]
pub struct Scores {
    chars: OrderSums,
    all: OrderSums,
}

impl Scores {
    /// chrF with `a` (or `b`) as the hypothesis, in [0, 100].
    pub fn chrf(&self, a_is_hypothesis: bool) -> f64 {
        self.chars.f_score(a_is_hypothesis)
    }

    /// chrF++ with `a` (or `b`) as the hypothesis, in [0, 100].
    pub fn chrf_plus_plus(&self, a_is_hypothesis: bool) -> f64 {
        self.all.f_score(a_is_hypothesis)
    }
}

/// Per-order match rates summed over the orders both texts have n-grams of (sacrebleu leaves
/// the others out: "effective order"): matches over `a`'s n-grams, over `b`'s, and how many
/// orders were summed.
#[derive(Debug, Clone, Copy, Default)]
struct OrderSums {
    over_a: f64,
    over_b: f64,
    orders: usize,
}

impl OrderSums {
    fn add(&mut self, (len_a, len_b, matched): (usize, usize, usize)) {
        if len_a > 0 && len_b > 0 {
            self.over_a += matched as f64 / len_a as f64;
            self.over_b += matched as f64 / len_b as f64;
            self.orders += 1;
        }
    }

    /// sacrebleu's `_compute_f_score` with effective-order averaging, in [0, 100]: precision
    /// is the rate over the hypothesis's n-grams, recall over the reference's.
    fn f_score(&self, a_is_hypothesis: bool) -> f64 {
        if self.orders == 0 {
            return 0.0;
        }
        let (precision, recall) =
            if a_is_hypothesis { (self.over_a, self.over_b) } else { (self.over_b, self.over_a) };
        let (precision, recall) = (precision / self.orders as f64, recall / self.orders as f64);
        if precision + recall == 0.0 {
            return 0.0;
        }
        let factor = BETA * BETA;
        100.0 * (1.0 + factor) * precision * recall / (factor * precision + recall)
    }
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
        let words: Vec<(&str, Option<&str>)> =
            "(hi) there, x \"quoted\" ( é «a»".split(' ').map(split_punctuation).collect();
        assert_eq!(
            words,
            [
                ("(hi", Some(")")),
                ("there", Some(",")),
                ("x", None),
                ("\"quoted", Some("\"")),
                ("(", None),
                ("é", None),
                ("«a»", None),
            ]
        );
    }

    /// chrF++'s words as sacrebleu defines them, character by character.
    fn reference_words(text: &str) -> Vec<&str> {
        let mut words = Vec::new();
        for word in text.split(is_python_space).filter(|w| !w.is_empty()) {
            let (first, last) = (word.chars().next(), word.chars().next_back());
            let cut = if word.chars().nth(1).is_none() {
                None
            } else if last.is_some_and(|c| c.is_ascii_punctuation()) {
                last.map(|c| word.len() - c.len_utf8())
            } else if first.is_some_and(|c| c.is_ascii_punctuation()) {
                first.map(char::len_utf8)
            } else {
                None
            };
            match cut {
                Some(cut) => words.extend([&word[..cut], &word[cut..]]),
                None => words.push(word),
            }
        }
        words
    }

    #[test]
    fn sketches_agree_with_exact_profiles_on_seed_like_text() {
        let texts = [
            "“He had to sell the plan to Ukraine, he had to sell it to Russia. That’s what dealmakers do.”",
            "The president told reporters, “He’s gotta sell this to Ukraine, he’s gotta sell Ukraine to Russia.”",
            "Зеленський сказав «ні».",
            "",
        ];
        let sketches = Sketches::of(&texts);
        assert!(sketches.is_exact());
        for (i, a) in texts.iter().enumerate() {
            for (j, b) in texts.iter().enumerate() {
                let exact = compare(&Profile::new(a), &Profile::new(b));
                let sketched = sketches.compare(i, j);
                assert_eq!(exact, sketched, "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn alphabets_of_up_to_255_characters_sketch_exactly() {
        for size in [100, 255] {
            let alphabet: Vec<char> = (0x4E00u32..0x4E00 + size).filter_map(char::from_u32).collect();
            let text = |step: usize| -> String {
                (0..400).map(|i| alphabet[(i * step + i / 7) % alphabet.len()]).collect()
            };
            let texts = [text(1), text(3), alphabet.iter().collect(), alphabet[..2].iter().collect()];
            let sketches = Sketches::of(&texts.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(sketches.is_exact(), "{size} characters");
            for (i, a) in texts.iter().enumerate() {
                for (j, b) in texts.iter().enumerate() {
                    let sketched = sketches.compare(i, j);
                    assert_eq!(sketched, compare_texts(a, b), "{size} characters, texts {i} and {j}");
                }
            }
        }
    }

    #[test]
    fn texts_of_every_position_width_sketch_exactly() {
        // Positions take one byte up to 256 characters, two up to 65,536, then four.
        let text = |length: usize| -> String {
            (0..length).map(|i| char::from(b'a' + ((i * 7 + i / 11) % 26) as u8)).collect()
        };
        let texts: Vec<String> = [1, 2, 255, 256, 257, 65_536, 65_537].into_iter().map(text).collect();
        let sketches = Sketches::of(&texts.iter().map(String::as_str).collect::<Vec<_>>());
        for (i, a) in texts.iter().enumerate() {
            for (j, b) in texts.iter().enumerate().filter(|&(j, _)| j.abs_diff(i) <= 1) {
                assert_eq!(
                    sketches.compare(i, j),
                    compare_texts(a, b),
                    "{} and {} characters",
                    a.len(),
                    b.len()
                );
            }
        }
    }

    #[test]
    fn a_large_alphabet_still_sketches_but_not_exactly() {
        let alphabet: String = (0x4E00u32..0x4E00 + 256).filter_map(char::from_u32).collect();
        assert!(!Sketches::of(&[&alphabet]).is_exact());
        let wide: String = (0x4E00u32..0x4E00 + 1500).filter_map(char::from_u32).collect();
        let sketches = Sketches::of(&[&wide, &wide[..300]]);
        assert!(!sketches.is_exact());
        // Shared ids can only add matches: a sketch never ranks a pair lower than its texts.
        let sketched = sketches.compare(0, 1).chrf(true);
        assert!(sketched >= compare_texts(&wide, &wide[..300]).chrf(true));
        assert!((sketches.compare(0, 0).chrf(true) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn pair_comparison_falls_back_when_the_alphabet_is_too_large() {
        let wide: String = (0x4E00u32..0x4E00 + 1500).filter_map(char::from_u32).collect();
        let narrow = &wide[..300];
        assert_eq!(compare_texts(&wide, narrow), compare(&Profile::new(&wide), &Profile::new(narrow)));
    }

    #[test]
    fn texts_around_the_run_limit_compare_exactly() {
        // One character repeated: order 1 has a single run as long as the text.
        for length in [RUN_LIMIT - 2, RUN_LIMIT - 1, RUN_LIMIT, RUN_LIMIT + 1] {
            let (same, mixed) = ("a".repeat(length), "ab".repeat(length / 2));
            for (a, b) in [(&same, &same), (&same, &mixed), (&mixed, &same), (&same, &"a".to_owned())] {
                let exact = compare(&Profile::new(a), &Profile::new(b));
                assert_eq!(compare_texts(a, b), exact, "{} and {} characters", a.len(), b.len());
            }
        }
    }

    proptest! {
        /// Comparing a pair directly gives exactly the counts of comparing their profiles.
        #[test]
        fn pair_comparison_equals_profile_comparison(
            a in "\\PC{0,60}",
            b in "[a-zA-Z ,.äöüß]{0,60}",
            c in "\\PC{0,30}",
            repetitive in "[ab ]{0,80}",
            ascii_spaced in "[a-c.,\t\n\x0b\x0c\r\x1c-\x1f ]{0,60}",
            long in "[ab]{490,530}",
        ) {
            prop_assert_eq!(compare_texts(&a, &b), compare(&Profile::new(&a), &Profile::new(&b)));
            prop_assert_eq!(
                compare_texts(&repetitive, &b),
                compare(&Profile::new(&repetitive), &Profile::new(&b))
            );
            prop_assert_eq!(compare_texts(&b, &a), compare(&Profile::new(&b), &Profile::new(&a)));
            prop_assert_eq!(compare_each(&[&a, &c], &b), vec![compare_texts(&a, &b), compare_texts(&c, &b)]);
            let sketches = Sketches::of(&[&a, &b, &repetitive]);
            prop_assert_eq!(sketches.compare(0, 1), compare_texts(&a, &b));
            prop_assert_eq!(sketches.compare(2, 1), compare_texts(&repetitive, &b));
            // Texts on either side of the length the one-merge count takes.
            prop_assert_eq!(compare_texts(&long, &repetitive), compare(&Profile::new(&long), &Profile::new(&repetitive)));
            // ASCII text is sketched byte by byte, where whitespace of every kind is skipped.
            let sketches = Sketches::of(&[&ascii_spaced, &a]);
            prop_assert_eq!(sketches.compare(0, 1), compare_texts(&ascii_spaced, &a));
        }

        /// Words are hashed as they are split by sacrebleu's definition, ASCII or not.
        #[test]
        fn word_hashes_follow_the_reference_split(
            ascii in "[a-c.,!()\"\t\n\x0b\x0c\r\x1c-\x1f ]{0,60}",
            text in "[a-cé«».,!()\"\u{2009}\u{85} ]{0,60}",
        ) {
            for text in [&ascii, &text] {
                let mut hashes = Vec::new();
                word_hashes_into(text, &mut hashes);
                let expected: Vec<u64> = reference_words(text).into_iter().map(hash_of).collect();
                prop_assert_eq!(hashes, expected, "{:?}", text);
            }
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
