//! Alignment: finds the same statement across sources without comparing all pairs.
//!
//! Each sentence (and each quoted statement) becomes an [`Item`] with a set of content tokens:
//! stemmed words that are not function words, numbers, and names replaced by their cluster
//! (so Vitkoff and Witkoff are one token). Tokens carried by few items go into an inverted
//! index; an item's candidates are the items of other sources that share such tokens, ranked
//! by IDF-weighted overlap, the best few per source. Only those are scored with chrF.
//! Each item keeps its best counterpart in every other source above the threshold (so one
//! long sentence can pair with two short ones), and pairs are joined into statement groups.

use std::collections::BTreeMap;
use std::ops::Range;

use compact_str::{CompactString, format_compact};
use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;

use crate::cluster::{NameCluster, find_root};
use crate::divergence::{Divergence, classify_pairs};
use crate::model::{DocId, Document, NameIndex, QuoteForm, Segmented, UnitKind};
use crate::normalize::{form_words, is_content_word, matching_form};
use crate::score::{Matches, Scores, SketchComparer, Sketches, compare_each};

/// Settings for alignment.
#[derive(Debug, Clone)]
pub struct AlignConfig {
    /// Pairs below this similarity are not aligned.
    pub threshold: f64,
    /// A unit only takes counterparts at least this fraction as similar as its best one: when a
    /// statement has a close translation somewhere, a weak match elsewhere is likely another
    /// statement by the same people.
    pub relative_threshold: f64,
    /// A group member less similar than this to its group's consensus loses its pairs (see
    /// [`coherent`]). Below `threshold`, so that a loose paraphrase one step from the
    /// consensus stays: on the synthetic 100k corpus this lifts precision from 0.892 to 0.973
    /// at the same recall; on the seed gold it loses one of 97 pairs.
    pub coherence_threshold: f64,
    /// Items sharing tokens with an item that get an exact token Dice, ranked by the IDF weight
    /// of the shared tokens read; the rest share only common tokens.
    pub max_ranked: usize,
    /// Candidates scored per item and other source.
    pub candidates_per_source: usize,
    /// Indexed (rare) tokens a candidate must share with an item that has at least that many.
    pub min_shared_tokens: usize,
    /// Candidates whose token evidence, IDF-weighted Dice times agreement (see
    /// [`TokenEvidence`]), is below this are not scored. Similarity is agreement times the mean
    /// of chrF++ and Dice, so such a pair reaches `threshold` (0.31) only if chrF++ makes up the
    /// rest: for two sentences that name different people (agreement 0.5) that is chrF++ above
    /// about 0.75, near-identical wording, rare between different statements and, between
    /// translations of one, a sign that name clustering failed. On the synthetic 1M corpus this
    /// skips 457k of the 588k candidates that score below the threshold and 44 of the 1.97M
    /// above it (precision 0.9756 as before, recall 0.9714 → 0.9715); the candidates grow
    /// 11.1 times from 100k to 1M sentences where they grew 13.2 times. On the seed gold
    /// nothing changes at the default threshold. (Until stop 26 this bounded Dice alone, at
    /// 0.1.)
    pub min_token_evidence: f64,
    /// Candidates whose token Dice is below this fraction of the item's best candidate's are
    /// not scored, in the spirit of `relative_threshold`: on the synthetic 300k corpus 0.5
    /// scores 0.72M pairs instead of 1.97M (0.3) or 4.6M (none), with slightly higher
    /// precision and recall; on the seed gold it changes nothing. A loose translation next to
    /// a near-copy can still pair from its own side.
    pub relative_token_dice: f64,
    /// Tokens carried by more items than this are too common to find candidates with; 0 means
    /// `max(64, sources)`: a token in more items than there are documents is, on average, in
    /// every document, and cannot single out one statement. Sharing such a token and one rare
    /// one is how look-alikes about the same place or action become candidates: on the
    /// synthetic corpora, with twice the documents as the bound, precision was 0.976 at 100k
    /// and 0.959 at 1M; with the documents, 0.994 and 0.976 at nearly the same recall, and the
    /// postings read per item no longer grow faster than the corpus.
    pub max_postings: usize,
    /// Postings an item reads to find its candidates, rarest tokens first (at least its two
    /// rarest are always read). Without this bound the work per item grows with the corpus,
    /// as mid-frequency tokens (places, dates) carry more items.
    pub postings_budget: usize,
}

impl Default for AlignConfig {
    fn default() -> Self {
        AlignConfig {
            threshold: 0.31,
            relative_threshold: 0.7,
            coherence_threshold: 0.25,
            candidates_per_source: 1,
            max_ranked: 256,
            min_shared_tokens: 2,
            min_token_evidence: 0.25,
            relative_token_dice: 0.5,
            max_postings: 0,
            postings_budget: 4096,
        }
    }
}

/// Which units are aligned with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlignKind {
    /// Sentences with sentences.
    Sentence,
    /// Quoted statements with quoted statements.
    Quote,
}

impl AlignKind {
    /// The label written to CSV.
    pub fn label(self) -> &'static str {
        match self {
            AlignKind::Sentence => "sentence",
            AlignKind::Quote => "quote",
        }
    }
}

/// A unit of a document: `unit` indexes `Segmented::units`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitRef {
    /// The document.
    pub doc: DocId,
    /// Position in the document's units.
    pub unit: u32,
}

/// A unit prepared for alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Which unit.
    pub unit: UnitRef,
    /// Sentence or quote.
    pub kind: AlignKind,
}

/// Two units judged to say the same thing, with their scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The unit that comes first (by document, then position).
    pub a: UnitRef,
    /// Its counterpart in another source.
    pub b: UnitRef,
    /// Sentence or quote.
    pub kind: AlignKind,
    /// Combined similarity in [0, 1].
    pub similarity: f64,
    /// sacrebleu chrF with `b` as hypothesis and `a` as reference, in [0, 100].
    pub chrf: f64,
    /// sacrebleu chrF++ likewise.
    pub chrf_plus_plus: f64,
    /// How the two differ (their word diff, [`crate::divergence::word_diff`], is found
    /// where it is written: kept for every pair, the diffs took 300 MB at a million
    /// sentences).
    pub divergence: Divergence,
    /// Its statement group, as a position in what [`group`] returned for the pairs (which
    /// sets it; 0 before).
    pub group: u32,
}

/// A statement found in several sources.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// 1-based, in order of first member.
    pub id: u32,
    /// Sentence or quote.
    pub kind: AlignKind,
    /// Members, sorted.
    pub members: Vec<UnitRef>,
    /// The member most similar to all others (the medoid).
    pub consensus: UnitRef,
    /// Per member (same order): similarity to the consensus (1 for the consensus itself).
    pub agreement: Vec<f64>,
}

/// Lowercase surname spelling -> name cluster, for spellings that belong to one cluster only.
pub fn name_tokens(names: &[NameCluster]) -> NameIndex {
    let mut owners: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for cluster in names {
        for variant in &cluster.variants {
            let surname = variant.surface.rsplit(' ').next().unwrap_or(&variant.surface);
            let entry = owners.entry(matching_form(surname).into_owned()).or_default();
            if !entry.contains(&cluster.id) {
                entry.push(cluster.id);
            }
        }
    }
    owners.into_iter().filter(|(_, ids)| ids.len() == 1).map(|(token, ids)| (token.into(), ids[0])).collect()
}

/// A document's items and the content words they use, found before names are clustered: the
/// part of building the items that needs no name clusters (matching forms, words, stems), so
/// that it can run while names are clustered; [`DocumentWords::items`] then makes the tokens.
#[derive(Debug, Default)]
pub struct DocumentWords {
    /// The items, in text order: sentences, and quotes that are statements, with a content word.
    items: Vec<Item>,
    /// The items' content words as ids into `words`, item after item, in text order.
    word_ids: Vec<u32>,
    /// Where each item's words end in `word_ids`.
    ends: Vec<usize>,
    /// Per word id, in order of first use: the word (matching form), and its token unless it
    /// names someone: the number itself, or the word's stem.
    words: Vec<(CompactString, CompactString)>,
}

/// The content token of every word seen: the number itself, or the word's stem; none for a
/// function word or stopword. Remembered across the documents one rayon task reads, since every
/// document repeats the corpus's words: stemming each document's words afresh was 2.4% of the
/// instructions of a run at 100k sentences.
pub struct ContentTokens {
    stemmer: Stemmer,
    known: FxHashMap<CompactString, Option<CompactString>>,
}

impl Default for ContentTokens {
    fn default() -> Self {
        ContentTokens { stemmer: Stemmer::create(Algorithm::English), known: FxHashMap::default() }
    }
}

impl ContentTokens {
    /// The content token of `word`, a word of a matching form.
    fn of(&mut self, word: &str) -> Option<&CompactString> {
        if !self.known.contains_key(word) {
            let token = is_content_word(word).then(|| {
                if word.chars().all(|c| c.is_ascii_digit()) {
                    word.into()
                } else {
                    self.stemmer.stem(word).into()
                }
            });
            self.known.insert(word.into(), token);
        }
        self.known[word].as_ref()
    }
}

impl DocumentWords {
    /// The items of `document` and their content words, with `tokens` remembering the tokens
    /// of words seen before. Each word of a document is looked up once (a string per
    /// occurrence was most of building the index).
    pub fn of(document: &Document, segmented: &Segmented, tokens: &mut ContentTokens) -> DocumentWords {
        // Word to id, or `None` for a word without content: the most frequent words are
        // function words, and looking each occurrence up in the word lists compared strings a
        // dozen times.
        let mut ids: FxHashMap<CompactString, Option<u32>> = FxHashMap::default();
        let mut words = DocumentWords::default();
        for (position, unit) in segmented.units.iter().enumerate() {
            let kind = match unit.kind {
                UnitKind::Sentence { .. } => AlignKind::Sentence,
                UnitKind::Quote { form: QuoteForm::Statement, .. } => AlignKind::Quote,
                _ => continue,
            };
            let start = words.word_ids.len();
            for word in form_words(&matching_form(unit.span.of(&document.text))) {
                let id = match ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let id = tokens.of(word).map(|token| {
                            words.words.push((word.into(), token.clone()));
                            words.words.len() as u32 - 1
                        });
                        ids.insert(word.into(), id);
                        id
                    }
                };
                words.word_ids.extend(id);
            }
            if words.word_ids.len() > start {
                words.items.push(Item { unit: UnitRef { doc: document.id, unit: position as u32 }, kind });
                words.ends.push(words.word_ids.len());
            }
        }
        words
    }

    /// The items with their content tokens: stems of content words, numbers, and `#<cluster>`
    /// for names; as ids numbered in order of first use, each item's in the order of their
    /// texts, each once.
    pub fn items(self, names: &NameIndex) -> DocumentItems {
        let DocumentWords { items, word_ids, ends, mut words } = self;
        let mut ids: FxHashMap<CompactString, u32> = FxHashMap::default();
        let mut document = DocumentItems::default();
        // Per id, the text's first eight bytes as a number, which orders most pairs of texts
        // without comparing strings.
        let mut order_keys: Vec<u64> = Vec::new();
        let mut token_of_word: Vec<Option<u32>> = vec![None; words.len()];
        let starts = std::iter::once(0).chain(ends.iter().copied());
        let mut tokens = Vec::new();
        for (item, (start, end)) in items.into_iter().zip(starts.zip(ends.iter().copied())) {
            tokens.clear();
            for &word in &word_ids[start..end] {
                let token = *token_of_word[word as usize].get_or_insert_with(|| {
                    let (word, token) = &mut words[word as usize];
                    let token = match names.get(word.as_str()) {
                        Some(cluster) => format_compact!("#{cluster}"),
                        None => std::mem::take(token),
                    };
                    let next = document.vocabulary.len() as u32;
                    *ids.entry(token).or_insert_with_key(|token| {
                        let mut prefix = [0u8; 8];
                        let length = token.len().min(8);
                        prefix[..length].copy_from_slice(&token.as_bytes()[..length]);
                        order_keys.push(u64::from_be_bytes(prefix));
                        document.vocabulary.push(token.clone());
                        next
                    })
                });
                tokens.push(token);
            }
            let vocabulary = &document.vocabulary;
            tokens.sort_unstable_by(|&x, &y| {
                let (x, y) = (x as usize, y as usize);
                order_keys[x].cmp(&order_keys[y]).then_with(|| vocabulary[x].cmp(&vocabulary[y]))
            });
            tokens.dedup();
            document.push(item, &tokens);
        }
        document
    }
}

/// The items of one document (its sentences, and its quotes that are statements) and their
/// content tokens, as ids into the document's vocabulary, which [`Index::build`] takes over.
#[derive(Debug, Default)]
pub struct DocumentItems {
    /// The items, in text order.
    pub items: Vec<Item>,
    /// The items' token ids, item after item, each item's in the order of their texts.
    tokens: Vec<u32>,
    /// Where each item's tokens end in `tokens`.
    ends: Vec<usize>,
    /// Token texts by id.
    vocabulary: Vec<CompactString>,
}

impl DocumentItems {
    /// The document's token ids in the order its items first use them.
    fn first_uses(&self) -> Vec<u32> {
        let mut seen = vec![false; self.vocabulary.len()];
        let mut first_uses = Vec::with_capacity(self.vocabulary.len());
        for &token in &self.tokens {
            if !std::mem::replace(&mut seen[token as usize], true) {
                first_uses.push(token);
            }
        }
        first_uses
    }

    fn push(&mut self, item: Item, tokens: &[u32]) {
        self.items.push(item);
        self.tokens.extend_from_slice(tokens);
        self.ends.push(self.tokens.len());
    }

    /// Each item with its token ids.
    fn item_tokens(&self) -> impl Iterator<Item = (&Item, &[u32])> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        self.items
            .iter()
            .zip(starts.zip(&self.ends))
            .map(|(item, (start, &end))| (item, &self.tokens[start..end]))
    }
}

/// The inverted index over items' rare tokens.
#[derive(Debug, Default)]
pub struct Index {
    /// All items' token ids, each item's sorted, item after item (one buffer: Dice reads the
    /// tokens of hundreds of millions of item pairs at scale, and a separate allocation per
    /// item cost a cache miss more each time).
    tokens: Vec<u32>,
    /// Per item: where its tokens are in `tokens`, and their summed IDF, side by side: Dice
    /// needs both for a random item, and together they cost one cache miss instead of two.
    item_spans: Vec<ItemSpan>,
    /// Per token id: items carrying it (see [`posting`]), or empty when the token is too
    /// common to index.
    postings: Vec<Vec<u32>>,
    /// Per token id: inverse document frequency.
    idf: Vec<f64>,
    /// Per token id: what the token is (name cluster, number, word).
    token_kind: Vec<TokenKind>,
}

/// Where an item's tokens are in [`Index`]'s buffer, their weight, and the kinds of token
/// [`Index::evidence`] looks for among them.
#[derive(Debug, Clone, Copy)]
struct ItemSpan {
    start: u32,
    end: u32,
    /// The sum of the tokens' IDF.
    weight: f64,
    /// The [`TokenKind::mark`]s of the tokens, together.
    kinds: u8,
}

/// What a content token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Name,
    Number,
    Word,
}

impl TokenKind {
    /// Names and numbers each have a bit, which sets of tokens combine; words none.
    const NAME: u8 = 1;
    const NUMBER: u8 = 2;

    fn mark(self) -> u8 {
        match self {
            TokenKind::Name => TokenKind::NAME,
            TokenKind::Number => TokenKind::NUMBER,
            TokenKind::Word => 0,
        }
    }

    fn of(token: &str) -> TokenKind {
        if token.starts_with('#') {
            TokenKind::Name
        } else if token.chars().all(|c| c.is_ascii_digit()) {
            TokenKind::Number
        } else {
            TokenKind::Word
        }
    }
}

/// A postings entry: an item id with the item's kind in the top bit, so that candidate
/// generation passes over items of the other kind without looking each up (at scale, a cache
/// miss per posting read).
fn posting(item: usize, kind: AlignKind) -> u32 {
    let item = u32::try_from(item).ok().filter(|&item| item & QUOTE_BIT == 0);
    item.expect("fewer than 2^31 items") | if kind == AlignKind::Quote { QUOTE_BIT } else { 0 }
}

const QUOTE_BIT: u32 = 1 << 31;

impl Index {
    /// Builds the index from the documents' items and their tokens (taken over: only the
    /// vocabulary is kept, as ids). `sources` is the number of documents, which bounds how
    /// common an indexed token may be. Items are numbered in order, document after document.
    pub fn build(mut documents: Vec<DocumentItems>, sources: usize, config: &AlignConfig) -> Index {
        let items: usize = documents.iter().map(|document| document.items.len()).sum();
        // Global ids are given at first use, item after item, document after document: the
        // same as numbering every item's tokens in one pass. Only that numbering runs on one
        // thread, with one lookup per distinct token of a document; which tokens a document
        // uses first is found before it, and every item's tokens after it, in parallel.
        let first_uses: Vec<Vec<u32>> = documents.par_iter().map(DocumentItems::first_uses).collect();
        let mut ids: FxHashMap<CompactString, u32> = FxHashMap::default();
        let mut token_kind: Vec<TokenKind> = Vec::new();
        let globals: Vec<Vec<u32>> = documents
            .iter_mut()
            .zip(first_uses)
            .map(|(document, first_uses)| {
                let mut global = vec![0; document.vocabulary.len()];
                for local in first_uses {
                    let token = std::mem::take(&mut document.vocabulary[local as usize]);
                    let next = ids.len() as u32;
                    global[local as usize] = *ids.entry(token).or_insert_with_key(|token| {
                        token_kind.push(TokenKind::of(token));
                        next
                    });
                }
                global
            })
            .collect();
        drop(ids);
        // Each item's global ids, sorted, in one buffer, written in place document by document
        // in parallel; and how many items carry each token.
        let mut tokens_of_items: Vec<u32> = vec![0; documents.iter().map(|d| d.tokens.len()).sum()];
        let mut ends: Vec<usize> = Vec::with_capacity(items);
        let mut slices: Vec<&mut [u32]> = Vec::with_capacity(documents.len());
        let mut rest = tokens_of_items.as_mut_slice();
        for document in &documents {
            // Where this document's tokens start: where the documents before it end.
            let offset = ends.last().copied().unwrap_or(0);
            ends.extend(document.ends.iter().map(|&end| offset + end));
            let (slice, after) = rest.split_at_mut(document.tokens.len());
            slices.push(slice);
            rest = after;
        }
        slices.into_par_iter().zip(&documents).zip(&globals).for_each(|((slice, document), global)| {
            let mut start = 0;
            for (_, local_tokens) in document.item_tokens() {
                let renumbered = &mut slice[start..start + local_tokens.len()];
                for (token, &local) in renumbered.iter_mut().zip(local_tokens) {
                    *token = global[local as usize];
                }
                renumbered.sort_unstable();
                start += local_tokens.len();
            }
        });
        let mut carried = vec![0usize; token_kind.len()];
        for &token in &tokens_of_items {
            carried[token as usize] += 1;
        }
        let total = items.max(1) as f64;
        let idf: Vec<f64> = carried.iter().map(|&count| (total / count as f64).ln() + 1.0).collect();
        let max_postings = if config.max_postings == 0 { sources.max(64) } else { config.max_postings };
        // Filling the postings is one pass in item order; the items' spans, which need only the
        // weights, are found beside it.
        let build_postings = || {
            let mut postings: Vec<Vec<u32>> =
                carried.iter().map(|&count| Vec::with_capacity(count)).collect();
            let all_items = documents.iter().flat_map(|document| &document.items);
            let mut start = 0;
            for (item_id, (item, &end)) in all_items.zip(&ends).enumerate() {
                for &token in &tokens_of_items[start..end] {
                    postings[token as usize].push(posting(item_id, item.kind));
                }
                start = end;
            }
            for list in &mut postings {
                if list.len() > max_postings {
                    list.clear();
                    list.shrink_to_fit();
                }
            }
            postings
        };
        let position = |at: usize| u32::try_from(at).expect("fewer than 4 billion content tokens");
        let item_spans = || -> Vec<ItemSpan> {
            (0..ends.len())
                .into_par_iter()
                .map(|item| {
                    let (start, end) = (item.checked_sub(1).map_or(0, |before| ends[before]), ends[item]);
                    let tokens = &tokens_of_items[start..end];
                    let weight = tokens.iter().map(|&t| idf[t as usize]).sum::<f64>();
                    let kinds = tokens.iter().fold(0, |kinds, &t| kinds | token_kind[t as usize].mark());
                    ItemSpan { start: position(start), end: position(end), weight, kinds }
                })
                .collect()
        };
        let (postings, item_spans) = rayon::join(build_postings, item_spans);
        Index { tokens: tokens_of_items, item_spans, postings, idf, token_kind }
    }

    /// All item ids, items whose rarest indexed token is the same one after another (by token,
    /// then id; items without an indexed token last). Items probing the same postings find
    /// largely the same candidates: taken together, the candidates' tokens that Dice reads
    /// are still in cache, where taken in id order each was a miss at scale.
    pub fn probe_order(&self) -> Vec<u32> {
        let mut keyed: Vec<(u32, u32)> = (0..self.item_spans.len())
            .into_par_iter()
            .map(|item| {
                let rarest = self
                    .item_tokens(item)
                    .iter()
                    .filter(|&&token| !self.postings[token as usize].is_empty())
                    .min_by_key(|&&token| (self.postings[token as usize].len(), token));
                (rarest.copied().unwrap_or(u32::MAX), item as u32)
            })
            .collect();
        keyed.par_sort_unstable();
        keyed.into_iter().map(|(_, item)| item).collect()
    }

    /// Reads the first token of each of `items` and returns nothing of use: at scale every
    /// random item's tokens are a cache miss, and loads that do not depend on one another
    /// overlap, where the same loads inside [`Index::evidence`]'s merge loop come one after another.
    pub fn touch(&self, items: impl Iterator<Item = usize>) {
        let first_tokens = items.map(|item| self.item_tokens(item).first().copied().unwrap_or(0));
        std::hint::black_box(first_tokens.fold(0u32, u32::wrapping_add));
    }

    /// An item's token ids, sorted.
    fn item_tokens(&self, item: usize) -> &[u32] {
        let span = self.item_spans[item];
        &self.tokens[span.start as usize..span.end as usize]
    }

    /// The token evidence of two items, in one merge of their sorted tokens. Symmetric, bit for
    /// bit: shared tokens are met in token order whichever item comes first, so a pair measured
    /// from either of its items has the same evidence.
    pub fn evidence(&self, a: usize, b: usize) -> TokenEvidence {
        let (span_a, span_b) = (self.item_spans[a], self.item_spans[b]);
        let (ta, tb) = (self.item_tokens(a), self.item_tokens(b));
        // The merge steps without branching on the comparison (mispredicted about every other
        // step); shared tokens are few, and only they read their weight and kind.
        let (mut i, mut j, mut shared, mut shared_kinds) = (0, 0, 0.0, 0);
        while i < ta.len() && j < tb.len() {
            let (x, y) = (ta[i], tb[j]);
            if x == y {
                shared += self.idf[x as usize];
                shared_kinds |= self.token_kind[x as usize].mark();
            }
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        let total = span_a.weight + span_b.weight;
        let dice = if total > 0.0 { 2.0 * shared / total } else { 0.0 };
        // Kinds both items have and share no token of.
        let disjoint = span_a.kinds & span_b.kinds & !shared_kinds;
        let mut agreement = 1.0;
        if disjoint & TokenKind::NAME != 0 {
            agreement *= 0.5;
        }
        if disjoint & TokenKind::NUMBER != 0 {
            agreement *= 0.75;
        }
        TokenEvidence { dice, agreement }
    }
}

/// What two items' content tokens say of whether they are one statement: the token side of
/// [`similarity`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenEvidence {
    /// IDF-weighted Dice coefficient of the tokens, in [0, 1].
    pub dice: f64,
    /// 1 when the items' names and numbers are compatible; lower when both name people but
    /// none in common (0.5), or both give numbers but none in common (0.75). Translations keep
    /// names and numbers, so their absence in common is evidence of a different statement.
    pub agreement: f64,
}

impl TokenEvidence {
    /// Dice discounted by agreement: as much of [`similarity`] as the tokens can give.
    pub fn weighted(self) -> f64 {
        self.agreement * self.dice
    }
}

/// A candidate pair of items, the lower id first, with the token evidence that made it one:
/// kept for scoring, which needs it too (measured again there, it was a second merge of both
/// items' tokens per candidate, the second item's a cache miss).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The lower item id.
    pub a: u32,
    /// The higher.
    pub b: u32,
    /// Their tokens' evidence, as [`Index::evidence`] measures it.
    pub evidence: TokenEvidence,
}

/// The token evidence of item pairs measured lately, in a small table indexed by a hash of the
/// pair. Items whose rarest token is the same are asked for one after another (see
/// [`Index::probe_order`]) and find each other: each such pair was measured from both sides.
pub struct EvidenceCache {
    /// (lower item, higher item, their evidence); `u32::MAX` twice in an empty slot.
    slots: Vec<(u32, u32, TokenEvidence)>,
}

/// Slots of an [`EvidenceCache`], as bits of the pair's hash.
const EVIDENCE_CACHE_BITS: u32 = 12;

impl Default for EvidenceCache {
    fn default() -> Self {
        let empty = (u32::MAX, u32::MAX, TokenEvidence { dice: 0.0, agreement: 0.0 });
        EvidenceCache { slots: vec![empty; 1 << EVIDENCE_CACHE_BITS] }
    }
}

impl EvidenceCache {
    /// [`Index::evidence`] of items `a` and `b`, measured unless the table holds it.
    fn evidence(&mut self, index: &Index, a: usize, b: usize) -> TokenEvidence {
        let (low, high) = (a.min(b) as u32, a.max(b) as u32);
        let hash = ((u64::from(low) << 32) | u64::from(high)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = &mut self.slots[(hash >> (64 - EVIDENCE_CACHE_BITS)) as usize];
        if (slot.0, slot.1) == (low, high) {
            return slot.2;
        }
        let evidence = index.evidence(a, b);
        *slot = (low, high, evidence);
        evidence
    }
}

/// Where each document's items are among all items, which are in unit order: a document's
/// items are a range of ids, found without searching all items (at scale, a cache miss per
/// step of the search).
pub struct DocumentRanges {
    /// Per document: its first item, then one past the last document's.
    first_items: Vec<usize>,
}

impl DocumentRanges {
    /// The ranges of `items`, which are in unit order.
    pub fn new(items: &[Item]) -> DocumentRanges {
        let documents = items.last().map_or(0, |item| item.unit.doc.0 as usize + 1);
        let first_items = (0..=documents)
            .map(|doc| items.partition_point(|item| (item.unit.doc.0 as usize) < doc))
            .collect();
        DocumentRanges { first_items }
    }

    /// The ids of document `doc`'s items.
    fn of(&self, doc: DocId) -> Range<usize> {
        let doc = doc.0 as usize;
        self.first_items[doc]..self.first_items[doc + 1]
    }

    /// The document of item `item`: a search of the ranges, which stay in cache, where
    /// reading the item's own record is a cache miss at scale.
    fn document_of(&self, item: usize) -> DocId {
        DocId((self.first_items.partition_point(|&first| first <= item) - 1) as u32)
    }
}

/// The candidates of one item: items of the same kind in other documents sharing an indexed
/// token, the best `candidates_per_source` per document by weighted Dice, as (lower id,
/// higher id) pairs; a pair found from both of its items comes twice, and the caller
/// deduplicates.
pub fn candidates(
    item_id: usize,
    items: &[Item],
    documents: &DocumentRanges,
    index: &Index,
    config: &AlignConfig,
    measured: &mut EvidenceCache,
) -> Vec<Candidate> {
    let item = &items[item_id];
    // Indexed tokens, rarest first; the two rarest are always read, the others within budget.
    let mut probes: Vec<(u32, &[u32])> = index
        .item_tokens(item_id)
        .iter()
        .map(|&token| (token, index.postings[token as usize].as_slice()))
        .filter(|(_, postings)| !postings.is_empty())
        .collect();
    probes.sort_by_key(|(token, postings)| (postings.len(), *token));
    let (mut read, mut probed) = (0, 0);
    for (_, postings) in &probes {
        if probed >= 2 && read + postings.len() > config.postings_budget {
            break;
        }
        read += postings.len();
        probed += 1;
    }
    // The item's own document is a range of ids: testing it needs no lookup per posting
    // (looking up every posting's item dominated this loop).
    let own_document = documents.of(item.unit.doc);
    let own_document = own_document.start as u32..own_document.end as u32;
    // Per other item of the same kind and another document: how many of the probed lists it
    // is on, and their summed IDF weight.
    let kind_bit = posting(0, item.kind);
    let lists = probes[..probed].iter().map(|&(token, postings)| {
        let others = postings.iter().filter(move |&&entry| entry & QUOTE_BIT == kind_bit);
        let others = others.map(|&entry| entry & !QUOTE_BIT).filter(|other| !own_document.contains(other));
        (index.idf[token as usize], others)
    });
    let needed = config.min_shared_tokens.min(probed).max(1);
    // An item on `needed` of the lists is on one of the first `probed - needed + 1` (the
    // shortest): only those are read; the longer rest are searched for the items found. At
    // scale the second list is often a place name's, thousands long, and reading it whole
    // made the work per item grow with the corpus.
    let read_lists = probed + 1 - needed;
    let read_length = probes[..read_lists].iter().map(|(_, postings)| postings.len()).sum();
    let mut shared = merge_postings(lists.take(read_lists), read_length);
    for &(token, postings) in &probes[read_lists..probed] {
        add_searched(&mut shared, index.idf[token as usize], postings);
    }
    let needed = needed as u32;
    let mut found: Vec<(f64, u32)> = shared
        .into_iter()
        .filter(|&(_, count, _)| count >= needed)
        .map(|(other, _, weight)| (weight, other))
        .collect();
    // Exact Dice only for the best-sharing few: past a few hundred, the rest share only
    // common tokens, and scoring them all made the work per item grow with the corpus.
    if found.len() > config.max_ranked {
        let by_weight = |x: &(f64, u32), y: &(f64, u32)| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1));
        found.select_nth_unstable_by(config.max_ranked, by_weight);
        found.truncate(config.max_ranked);
    }
    index.touch(found.iter().map(|&(_, other)| other as usize));
    let mut ranked: Vec<(TokenEvidence, u32)> = found
        .into_iter()
        .map(|(_, other)| (measured.evidence(index, item_id, other as usize), other))
        .filter(|(evidence, _)| evidence.weighted() >= config.min_token_evidence)
        .collect();
    let best = ranked.iter().map(|(evidence, _)| evidence.dice).fold(0.0, f64::max);
    ranked.retain(|(evidence, _)| evidence.dice >= config.relative_token_dice * best);
    // Only the candidates left need their document (a search of the document ranges, a tenth
    // of this function's time when done for every ranked item).
    let mut scored: Vec<(DocId, TokenEvidence, u32)> = ranked
        .into_iter()
        .map(|(evidence, other)| (documents.document_of(other as usize), evidence, other))
        .collect();
    scored.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.dice.total_cmp(&x.1.dice)).then(x.2.cmp(&y.2)));
    scored
        .chunk_by(|x, y| x.0 == y.0)
        .flat_map(|per_source| per_source.iter().take(config.candidates_per_source))
        .map(|&(_, evidence, other)| Candidate {
            a: item_id.min(other as usize) as u32,
            b: item_id.max(other as usize) as u32,
            evidence,
        })
        .collect()
}

/// An item, how many of the merged lists it is on, and their summed weight.
type SharedLists = (u32, u32, f64);

/// Merges sorted lists of items, each list with its weight, into each item's number of lists
/// and summed weight, in item order; an item's weights are added in list order. The lists are
/// merged one into the result after another: at scale most items probe one or two.
fn merge_postings(
    lists: impl Iterator<Item = (f64, impl Iterator<Item = u32>)>,
    capacity: usize,
) -> Vec<SharedLists> {
    let (mut merged, mut next): (Vec<SharedLists>, Vec<SharedLists>) =
        (Vec::with_capacity(capacity), Vec::with_capacity(capacity));
    for (weight, list) in lists {
        let mut position = 0;
        for item in list {
            let before = merged[position..].iter().take_while(|entry| entry.0 < item).count();
            next.extend_from_slice(&merged[position..position + before]);
            position += before;
            match merged.get(position) {
                Some(&(same, count, sum)) if same == item => {
                    next.push((item, count + 1, sum + weight));
                    position += 1;
                }
                _ => next.push((item, 1, weight)),
            }
        }
        next.extend_from_slice(&merged[position..]);
        std::mem::swap(&mut merged, &mut next);
        next.clear();
    }
    merged
}

/// Counts, and weighs, the entries of `merged` that are on `postings` (sorted by item, with
/// the kind bit), searching for each instead of reading the list: `merged` holds few items,
/// the list may hold thousands. Each search gallops from where the last one ended: found
/// items are usually a few entries apart, and bisecting the whole rest of a long list was a
/// cache miss per step. An item's weights are still added in list order, provided the
/// searched lists come after the merged ones.
fn add_searched(merged: &mut [SharedLists], weight: f64, postings: &[u32]) {
    let mut rest = postings;
    for (item, count, sum) in merged {
        let before = |&entry: &u32| entry & !QUOTE_BIT < *item;
        let mut bound = 1;
        while bound < rest.len() && before(&rest[bound]) {
            bound *= 2;
        }
        rest = &rest[rest[..bound.min(rest.len())].partition_point(before)..];
        if rest.first().is_some_and(|&entry| entry & !QUOTE_BIT == *item) {
            *count += 1;
            *sum += weight;
        }
    }
}

/// Similarity of two items in [0, 1]: the mean of chrF++ in both directions (characters and
/// words: robust to inflection and spelling) and the IDF-weighted Dice coefficient of their
/// content tokens (names mapped to clusters: robust to word order and rewording), times the
/// token agreement factor (different people named: not the same statement). On the seed gold
/// this mean beat chrF, chrF++, Dice and overlap alone (see README).
pub fn similarity(scores: &Scores, token_dice: f64, agreement: f64) -> f64 {
    let chrf_pp = (scores.chrf_plus_plus(true) + scores.chrf_plus_plus(false)) / 200.0;
    agreement * (chrf_pp + token_dice) / 2.0
}

/// A scored candidate: two items and their similarity. Kept small, since there are many.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scored {
    /// The first item (lower id).
    pub a: u32,
    /// The second item.
    pub b: u32,
    /// Combined similarity in [0, 1].
    pub similarity: f64,
    /// chrF and chrF++ with `b` as hypothesis, as the sketches count them: exact when the
    /// sketches are (see [`Sketches::is_exact`]), and then [`describe`] keeps them.
    pub chrf: (f64, f64),
}

/// Scores a candidate pair of items by their sketches and the token evidence it kept. Only the
/// scores are computed here; [`describe`] adds the divergence to the pairs that are kept.
pub fn score(&Candidate { a, b, evidence }: &Candidate, comparer: &mut SketchComparer<'_>) -> Scored {
    let scores = comparer.compare(a as usize, b as usize).scores();
    Scored {
        a,
        b,
        similarity: similarity(&scores, evidence.dice, evidence.agreement),
        chrf: (scores.chrf(false), scores.chrf_plus_plus(false)),
    }
}

/// Fills in pairs' divergence, and their chrF and chrF++ (`b` as hypothesis,
/// `a` as reference) unless `scored_exactly` (the sketches that scored them were exact, see
/// [`Sketches::is_exact`], so scoring already did). The pairs should share
/// units, as a statement group's do: each unit is prepared once for all the pairs it is in.
/// They must be sorted by (a, b), so that each first unit is the reference of its pairs once.
pub fn describe<'t>(
    pairs: &mut [&mut Pair],
    text_of: impl Fn(UnitRef) -> &'t str,
    scored_exactly: bool,
    names: &NameIndex,
) {
    debug_assert!(pairs.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
    if !scored_exactly {
        for same_a in pairs.chunk_by_mut(|x, y| x.a == y.a) {
            let text_a = text_of(same_a[0].a);
            let texts_b: Vec<&str> = same_a.iter().map(|pair| text_of(pair.b)).collect();
            for (pair, matches) in same_a.iter_mut().zip(compare_each(&texts_b, text_a)) {
                let scores = matches.scores();
                pair.chrf = scores.chrf(true);
                pair.chrf_plus_plus = scores.chrf_plus_plus(true);
            }
        }
    }
    let (units, positions) = unit_positions(pairs.iter().map(|pair| (pair.a, pair.b)));
    let unit_texts: Vec<&str> = units.iter().map(|&unit| text_of(unit)).collect();
    for (pair, divergence) in pairs.iter_mut().zip(classify_pairs(&unit_texts, &positions, names)) {
        pair.divergence = divergence;
    }
}

/// The positions of `pairs` (sorted by (a, b), as [`select`] leaves them) in statement-group
/// order, in (a, b) order within each of the `groups` groups: a counting sort over the groups'
/// positions that reads each pair once, where sorting by (group, a, b) read two scattered
/// pairs per comparison (0.28 s at a million sentences).
pub fn group_order(pairs: &[Pair], groups: usize) -> Vec<usize> {
    debug_assert!(pairs.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
    let mut next = vec![0usize; groups + 1];
    for pair in pairs {
        next[pair.group as usize + 1] += 1;
    }
    for group in 0..groups {
        next[group + 1] += next[group];
    }
    let mut order = vec![0; pairs.len()];
    for (position, pair) in pairs.iter().enumerate() {
        let at = &mut next[pair.group as usize];
        order[*at] = position;
        *at += 1;
    }
    order
}

/// The distinct units of pairs, sorted, and each pair as the positions of its two units among
/// them: what [`classify_pairs`] and [`crate::divergence::diff_pairs`] take to prepare each
/// unit once.
pub fn unit_positions(
    pairs: impl Iterator<Item = (UnitRef, UnitRef)> + Clone,
) -> (Vec<UnitRef>, Vec<(usize, usize)>) {
    let mut units: Vec<UnitRef> = pairs.clone().flat_map(|(a, b)| [a, b]).collect();
    units.sort_unstable();
    units.dedup();
    let position = |unit: UnitRef| units.binary_search(&unit).expect("a unit of the pairs");
    let positions = pairs.map(|(a, b)| (position(a), position(b))).collect();
    (units, positions)
}

/// Keeps, for every unit and every other source, its best-scoring counterpart above the
/// threshold and within `relative_threshold` of the unit's best counterpart anywhere; a pair
/// survives if either side chose it. `scored` must be sorted by (a, b), as scoring leaves
/// it, and items numbered document after document, as [`DocumentWords::items`] numbers them;
/// the result is sorted by (a, b).
pub fn select(scored: &[Scored], items: &[Item], config: &AlignConfig) -> Vec<Pair> {
    debug_assert!(scored.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
    let mut item_best = vec![0.0f64; items.len()];
    for pair in scored {
        for item in [pair.a, pair.b] {
            let best = &mut item_best[item as usize];
            *best = best.max(pair.similarity);
        }
    }
    let offered = |pair: &Scored, this: u32| {
        pair.similarity >= config.threshold
            && pair.similarity >= config.relative_threshold * item_best[this as usize]
    };
    // Each unit's choice per other source: the first of the most similar pairs offered. The
    // first items' choices come in runs of one item and one other source in `scored` order
    // (other items ascend within an item, and a document's items are consecutive). The two
    // sides are independent, and each runs on one thread: they run side by side.
    let first_choices = || {
        let first_sides = (0..scored.len()).filter(|&at| offered(&scored[at], scored[at].a));
        choose(first_sides, scored, |pair| (pair.a, items[pair.b as usize].unit.doc))
    };
    // The second items' come in such runs once the pairs are ordered by second item, stably:
    // a counting sort, with the pairs of each second item in `scored` order.
    let second_choices = || {
        let mut starts = run_starts(scored.iter().map(|pair| pair.b), items.len());
        let mut by_second = vec![0u32; scored.len()];
        for (at, pair) in scored.iter().enumerate() {
            let next = &mut starts[pair.b as usize];
            by_second[*next as usize] = at as u32;
            *next += 1;
        }
        let second_sides =
            by_second.into_iter().map(|at| at as usize).filter(|&at| offered(&scored[at], scored[at].b));
        choose(second_sides, scored, |pair| (pair.b, items[pair.a as usize].unit.doc))
    };
    let (first, second) = rayon::join(first_choices, second_choices);
    let mut keep = vec![false; scored.len()];
    for at in first.into_iter().chain(second) {
        keep[at] = true;
    }
    // Items are in unit order, so pairs kept in `scored` order are sorted by (a, b). Built in
    // parallel straight into their places: at a million sentences this vector is 165 MB of
    // fresh memory, and filling it on one thread took most of selection.
    let kept_at: Vec<u32> = (0..scored.len() as u32).filter(|&at| keep[at as usize]).collect();
    drop(keep);
    let mut kept = Vec::new();
    kept_at
        .into_par_iter()
        .map(|at| {
            let Scored { a, b, similarity, chrf: (chrf, chrf_plus_plus) } = scored[at as usize];
            let (a, b) = (&items[a as usize], &items[b as usize]);
            Pair {
                a: a.unit,
                b: b.unit,
                kind: a.kind,
                similarity,
                chrf,
                chrf_plus_plus,
                divergence: Divergence::Wording,
                group: 0,
            }
        })
        .collect_into_vec(&mut kept);
    kept
}

/// Where each item's run would start in a list of entries ordered by item, given the item of
/// each entry (of `items`): item `i`'s are `starts[i]..starts[i + 1]`, as a counting sort
/// places them.
pub fn run_starts(entries: impl Iterator<Item = u32>, items: usize) -> Vec<u32> {
    let mut starts = vec![0u32; items + 1];
    for item in entries {
        starts[item as usize + 1] += 1;
    }
    for item in 0..items {
        starts[item + 1] += starts[item];
    }
    starts
}

/// The first most similar pair of each run of `positions` (into `scored`) with one `choice`
/// key: the runs must be consecutive.
fn choose(
    positions: impl Iterator<Item = usize>,
    scored: &[Scored],
    choice: impl Fn(&Scored) -> (u32, DocId),
) -> Vec<usize> {
    let mut chosen = Vec::new();
    let mut best: Option<((u32, DocId), f64, usize)> = None;
    for at in positions {
        let (key, similarity) = (choice(&scored[at]), scored[at].similarity);
        match best {
            Some((run, best_similarity, _)) if run == key => {
                if similarity > best_similarity {
                    best = Some((key, similarity, at));
                }
            }
            _ => {
                chosen.extend(best.map(|(_, _, at)| at));
                best = Some((key, similarity, at));
            }
        }
    }
    chosen.extend(best.map(|(_, _, at)| at));
    chosen
}

/// Every member's similarity to its group's consensus (1 for the consensus itself): the one
/// [`group`] took from their aligned pair when the sketches are exact, else compared exactly.
pub fn agreement<'t>(
    group: &Group,
    index: &Index,
    texts: &Texts<'_, 't, impl Fn(UnitRef) -> &'t str>,
) -> Vec<f64> {
    // An aligned pair's similarity is exact when the sketches that scored it were (and
    // similarity is symmetric): only the members without one are compared.
    let known = |at: usize| {
        if group.members[at] == group.consensus {
            Some(1.0)
        } else if texts.sketches.is_exact() && !group.agreement[at].is_nan() {
            Some(group.agreement[at])
        } else {
            None
        }
    };
    let unknown: Vec<UnitRef> =
        (0..group.members.len()).filter(|&at| known(at).is_none()).map(|at| group.members[at]).collect();
    let consensus_item = texts.item(group.consensus);
    let mut measured =
        unknown.iter().zip(texts.compare_each(&unknown, group.consensus)).map(|(&member, matches)| {
            let evidence = index.evidence(texts.item(member), consensus_item);
            similarity(&matches.scores(), evidence.dice, evidence.agreement)
        });
    (0..group.members.len())
        .map(|at| known(at).unwrap_or_else(|| measured.next().expect("one measure per unknown member")))
        .collect()
}

/// The aligned units' texts and sketches, for exact comparisons. The texts may outlive the
/// sketches (`'t` and `'s`): the pipeline frees the sketches before describing.
pub struct Texts<'s, 't, F: Fn(UnitRef) -> &'t str> {
    /// The items, in unit order, as [`DocumentWords::items`] makes them document by document.
    items: &'s [Item],
    /// Where each document's items are.
    documents: &'s DocumentRanges,
    /// Their sketches.
    sketches: &'s Sketches,
    /// A unit's text.
    text_of: F,
}

impl<'s, 't, F: Fn(UnitRef) -> &'t str> Texts<'s, 't, F> {
    /// The texts (`text_of`) and sketches of `items`, which are in unit order, with their
    /// `documents`.
    pub fn new(items: &'s [Item], documents: &'s DocumentRanges, sketches: &'s Sketches, text_of: F) -> Self {
        Texts { items, documents, sketches, text_of }
    }

    /// The item of an aligned unit, searched among its document's items only.
    fn item(&self, unit: UnitRef) -> usize {
        let range = self.documents.of(unit.doc);
        let found = self.items[range.clone()].binary_search_by_key(&unit, |item| item.unit);
        range.start + found.expect("every aligned unit is an item")
    }

    /// Exact matches of each of `units` with `reference` (each unit first, as
    /// [`compare_each`]): from the sketches when they are exact (no text is read again),
    /// else from the texts.
    pub fn compare_each(&self, units: &[UnitRef], reference: UnitRef) -> Vec<Matches> {
        if self.sketches.is_exact() {
            let reference = self.item(reference);
            let items: Vec<usize> = units.iter().map(|&unit| self.item(unit)).collect();
            self.sketches.touch(items.iter().copied());
            let mut comparer = self.sketches.comparer();
            items.into_iter().map(|item| comparer.compare(item, reference)).collect()
        } else {
            let texts: Vec<&str> = units.iter().map(|&unit| (self.text_of)(unit)).collect();
            compare_each(&texts, (self.text_of)(reference))
        }
    }
}

/// Drops the pairs of members that do not resemble their group's consensus (agreement below
/// `threshold`), and groups the pairs left as [`group`] would. A statement's renderings all
/// resemble its consensus; a chain of look-alikes, each pair similar but the ends unrelated
/// (same place and object, different event), does not, and without this it grows into one
/// group spanning hundreds of unrelated sentences.
///
/// A group that lost no pair stays as it was, agreement and all; only the pairs left of the
/// others are grouped again (at a million sentences 1.8k of 152k groups, 15k of 1.7M pairs:
/// grouping them all again took a quarter of a second). Returns the pairs, the groups, and
/// per group whether it was formed again, so that its agreement is still to be measured.
pub fn coherent(
    mut pairs: Vec<Pair>,
    groups: Vec<Group>,
    threshold: f64,
) -> (Vec<Pair>, Vec<Group>, Vec<bool>) {
    let mut changed = vec![false; groups.len()];
    let mut strays: rustc_hash::FxHashSet<UnitRef> = rustc_hash::FxHashSet::default();
    for (position, group) in groups.iter().enumerate() {
        for (&member, &agreement) in group.members.iter().zip(&group.agreement) {
            if agreement < threshold {
                strays.insert(member);
                changed[position] = true;
            }
        }
    }
    // In place: at a million sentences a filtered copy was 150 MB of fresh memory.
    pairs.retain(|pair| !strays.contains(&pair.a) && !strays.contains(&pair.b));
    let again: Vec<usize> = (0..pairs.len()).filter(|&at| changed[pairs[at].group as usize]).collect();
    // Their units numbered in order as the units of one document, so that grouping them costs
    // what they are, not the corpus; numbering in order keeps every order `group` follows.
    let mut units: Vec<UnitRef> = again.iter().flat_map(|&at| [pairs[at].a, pairs[at].b]).collect();
    units.sort_unstable();
    units.dedup();
    let numbered = |unit: UnitRef| UnitRef {
        doc: DocId(0),
        unit: units.binary_search(&unit).expect("a unit of the pairs grouped again") as u32,
    };
    let mut renumbered: Vec<Pair> = again
        .iter()
        .map(|&at| Pair { a: numbered(pairs[at].a), b: numbered(pairs[at].b), ..pairs[at] })
        .collect();
    let mut formed = group(&mut renumbered);
    for group in &mut formed {
        group.members.iter_mut().for_each(|member| *member = units[member.unit as usize]);
        group.consensus = units[group.consensus.unit as usize];
    }
    let formed_count = formed.len();
    // Kept and formed groups together, in order of first member, as `group` numbers them.
    let kept = groups.into_iter().enumerate().filter(|&(position, _)| !changed[position]);
    let mut all: Vec<(Group, bool, usize)> = kept
        .map(|(position, group)| (group, false, position))
        .chain(formed.into_iter().enumerate().map(|(position, group)| (group, true, position)))
        .collect();
    all.sort_unstable_by_key(|(group, _, _)| group.members[0]);
    // Where each kept group (by its position before) and each formed one is now.
    let mut kept_at = vec![0u32; changed.len()];
    let mut formed_at = vec![0u32; formed_count];
    for (at, &(_, formed, before)) in all.iter().enumerate() {
        let positions = if formed { &mut formed_at } else { &mut kept_at };
        positions[before] = at as u32;
    }
    for pair in &mut pairs {
        if !changed[pair.group as usize] {
            pair.group = kept_at[pair.group as usize];
        }
    }
    for (&at, regrouped) in again.iter().zip(&renumbered) {
        pairs[at].group = formed_at[regrouped.group as usize];
    }
    let (groups, formed): (Vec<Group>, Vec<bool>) = all
        .into_iter()
        .enumerate()
        .map(|(at, (group, formed, _))| (Group { id: at as u32 + 1, ..group }, formed))
        .unzip();
    (pairs, groups, formed)
}

/// Joins aligned pairs into statement groups (connected components) with their medoids. A
/// member's agreement is the similarity of its aligned pair with the consensus where there is
/// one (1 for the consensus), and NaN, to be measured by [`agreement`], where there is not.
/// Each pair learns its group's position in the result.
pub fn group(pairs: &mut [Pair]) -> Vec<Group> {
    // Nodes are the units of the documents paired, a document's units consecutive: a unit's
    // node is its document's offset plus its position, found without a search (a binary
    // search per lookup was most of this function at a million units).
    let documents = pairs.iter().map(|pair| pair.b.doc.0.max(pair.a.doc.0) as usize + 1).max().unwrap_or(0);
    let mut units_in = vec![0usize; documents];
    for unit in pairs.iter().flat_map(|pair| [pair.a, pair.b]) {
        let count = &mut units_in[unit.doc.0 as usize];
        *count = (*count).max(unit.unit as usize + 1);
    }
    let offsets: Vec<usize> = units_in
        .iter()
        .scan(0, |next, &count| {
            let offset = *next;
            *next += count;
            Some(offset)
        })
        .collect();
    let unit_of: Vec<UnitRef> = units_in
        .iter()
        .enumerate()
        .flat_map(|(doc, &count)| (0..count as u32).map(move |unit| UnitRef { doc: DocId(doc as u32), unit }))
        .collect();
    let node = |unit: UnitRef| offsets[unit.doc.0 as usize] + unit.unit as usize;
    let mut parent: Vec<usize> = (0..unit_of.len()).collect();
    let mut total_similarity = vec![0.0f64; unit_of.len()];
    let mut kind: Vec<Option<AlignKind>> = vec![None; unit_of.len()];
    for pair in pairs.iter() {
        let (a, b) = (node(pair.a), node(pair.b));
        for node in [a, b] {
            total_similarity[node] += pair.similarity;
            kind[node] = Some(pair.kind);
        }
        let (a, b) = (find_root(&mut parent, a), find_root(&mut parent, b));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    // Every node's parent comes before it (a root joins the smaller one), so one pass in node
    // order finds every node's root.
    let mut root = parent;
    for node in 0..root.len() {
        root[node] = root[root[node]];
    }
    // A root is its component's first node, so components come out in order of first member,
    // and their members, visited in node order, sorted. One pass counts each component's
    // members and one places them, in a vector per component sized first (not per node:
    // 1.1M of those at a million sentences; grown from empty, grouping took a tenth longer).
    let paired = |node: &usize| kind[*node].is_some();
    let mut group_of_root = vec![u32::MAX; root.len()];
    let mut sizes: Vec<usize> = Vec::new();
    for node in (0..root.len()).filter(paired) {
        if root[node] == node {
            group_of_root[node] = sizes.len() as u32;
            sizes.push(0);
        }
        sizes[group_of_root[root[node]] as usize] += 1;
    }
    let mut components: Vec<Vec<UnitRef>> = sizes.iter().map(|&size| Vec::with_capacity(size)).collect();
    for node in (0..root.len()).filter(paired) {
        components[group_of_root[root[node]] as usize].push(unit_of[node]);
    }
    let centrality = |unit: &UnitRef| total_similarity[node(*unit)];
    let mut groups: Vec<Group> = components
        .into_iter()
        .enumerate()
        .map(|(number, members)| {
            let consensus = *members
                .iter()
                .max_by(|x, y| centrality(x).total_cmp(&centrality(y)).then(y.cmp(x)))
                .expect("a group has members");
            let agreement =
                members.iter().map(|&member| if member == consensus { 1.0 } else { f64::NAN }).collect();
            let kind = kind[node(members[0])].expect("a group member is paired");
            Group { id: number as u32 + 1, kind, members, consensus, agreement }
        })
        .collect();
    for pair in pairs {
        pair.group = group_of_root[root[node(pair.a)]];
        let group = &mut groups[pair.group as usize];
        let member = match group.consensus {
            consensus if consensus == pair.b => pair.a,
            consensus if consensus == pair.a => pair.b,
            _ => continue,
        };
        let at = group.members.binary_search(&member).expect("a paired unit is a member of its group");
        group.agreement[at] = pair.similarity;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::{Profile, compare};
    use proptest::prelude::*;

    /// An aligned sentence pair of similarity 0.5, not yet described or grouped.
    fn sentence_pair(a: UnitRef, b: UnitRef) -> Pair {
        Pair {
            a,
            b,
            kind: AlignKind::Sentence,
            similarity: 0.5,
            chrf: 0.0,
            chrf_plus_plus: 0.0,
            divergence: Divergence::Wording,
            group: 0,
        }
    }

    /// Unit `unit` of document `doc`.
    fn unit(doc: u32, unit: u32) -> UnitRef {
        UnitRef { doc: DocId(doc), unit }
    }

    #[test]
    fn group_order_keeps_the_pairs_order_within_a_group() {
        let pair = |a: UnitRef, b: UnitRef, group: u32| Pair { group, ..sentence_pair(a, b) };
        // Sorted by (a, b), groups interleaved, one group without pairs.
        let pairs = vec![
            pair(unit(0, 0), unit(1, 0), 2),
            pair(unit(0, 0), unit(2, 1), 0),
            pair(unit(0, 1), unit(1, 1), 2),
            pair(unit(0, 2), unit(2, 0), 0),
            pair(unit(1, 0), unit(2, 2), 2),
            pair(unit(1, 1), unit(2, 3), 3),
        ];
        let mut expected: Vec<usize> = (0..pairs.len()).collect();
        expected.sort_by_key(|&position| (pairs[position].group, pairs[position].a, pairs[position].b));
        assert_eq!(group_order(&pairs, 4), expected);
    }

    /// Sentence items of documents with `counts[doc]` units each, in unit order.
    fn sentence_items(counts: &[usize]) -> Vec<Item> {
        counts
            .iter()
            .enumerate()
            .flat_map(|(doc, &count)| (0..count).map(move |unit| (doc, unit)))
            .map(|(doc, unit)| Item {
                unit: UnitRef { doc: DocId(doc as u32), unit: unit as u32 },
                kind: AlignKind::Sentence,
            })
            .collect()
    }

    proptest! {
        /// Similarity lies in [0, 1], is symmetric, and a text is fully similar to itself.
        #[test]
        fn similarity_is_bounded_symmetric_and_reflexive(a in "\\PC{1,60}", b in "\\PC{0,60}", dice in 0.0f64..=1.0) {
            let (pa, pb) = (Profile::new(&a), Profile::new(&b));
            let ab = similarity(&compare(&pa, &pb).scores(), dice, 1.0);
            prop_assert!((0.0..=1.0 + 1e-12).contains(&ab));
            prop_assert!((ab - similarity(&compare(&pb, &pa).scores(), dice, 1.0)).abs() < 1e-12);
            if pa.char_count() > 0 {
                prop_assert!((similarity(&compare(&pa, &pa).scores(), 1.0, 1.0) - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn describe_compares_texts_again_when_sketches_only_rank() {
        use crate::score::compare_texts;
        // More distinct characters than sketches number exactly.
        let wide: String = (0x4E00u32..0x4E00 + 1100).filter_map(char::from_u32).collect();
        let texts = [format!("Witkoff said {wide}"), format!("Witkoff said {}", &wide[..1500])];
        let sketches = Sketches::of(&[&texts[0], &texts[1]]);
        assert!(!sketches.is_exact());
        let unit = |doc: u32| UnitRef { doc: DocId(doc), unit: 0 };
        let mut pair = Pair { chrf: -1.0, chrf_plus_plus: -1.0, ..sentence_pair(unit(0), unit(1)) };
        describe(&mut [&mut pair], |unit| texts[unit.doc.0 as usize].as_str(), false, &NameIndex::default());
        let matches = compare_texts(&texts[1], &texts[0]);
        assert_eq!(pair.chrf, matches.chrf(true));
        assert_eq!(pair.chrf_plus_plus, matches.chrf_plus_plus(true));
    }

    #[test]
    fn coherent_drops_the_pairs_of_members_unlike_the_consensus() {
        let unit = |doc: u32| UnitRef { doc: DocId(doc), unit: 0 };
        let pair = |a: u32, b: u32| sentence_pair(unit(a), unit(b));
        // A chain 0 - 1 - 2 - 3 whose consensus is 1: member 3 does not resemble it.
        let pairs = vec![pair(0, 1), pair(1, 2), pair(2, 3)];
        let chain = Group {
            id: 1,
            kind: AlignKind::Sentence,
            members: (0..4).map(unit).collect(),
            consensus: unit(1),
            agreement: vec![0.5, 1.0, 0.5, 0.1],
        };
        let (kept, groups, formed) = coherent(pairs, vec![chain], 0.25);
        let kept: Vec<(u32, u32)> = kept.iter().map(|p| (p.a.doc.0, p.b.doc.0)).collect();
        assert_eq!(kept, [(0, 1), (1, 2)]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members, (0..3).map(unit).collect::<Vec<_>>());
        assert_eq!(formed, [true]);
    }

    #[test]
    fn coherent_groups_the_pairs_left_as_group_does() {
        let pair = |a: UnitRef, b: UnitRef, similarity: f64| Pair { similarity, ..sentence_pair(a, b) };
        // Three statements; the middle one is a chain whose member (2, 1) bridges two halves
        // and does not resemble the consensus, so it splits in two, around the others.
        let mut pairs = vec![
            pair(unit(0, 0), unit(1, 0), 0.9),
            pair(unit(0, 1), unit(1, 1), 0.8),
            pair(unit(0, 2), unit(1, 2), 0.7),
            pair(unit(1, 1), unit(2, 1), 0.6),
            pair(unit(1, 2), unit(2, 2), 0.9),
            pair(unit(2, 1), unit(3, 1), 0.6),
            pair(unit(3, 1), unit(4, 1), 0.9),
            pair(unit(3, 2), unit(4, 2), 0.5),
        ];
        let mut groups = group(&mut pairs);
        for group in &mut groups {
            for (member, agreement) in group.members.iter().zip(&mut group.agreement) {
                if *member == unit(2, 1) {
                    *agreement = 0.1;
                } else if agreement.is_nan() {
                    *agreement = 0.5;
                }
            }
        }
        let measured = groups.clone();
        let (kept, coherent_groups, formed) = coherent(pairs.clone(), groups, 0.25);
        let mut expected_pairs: Vec<Pair> =
            pairs.into_iter().filter(|pair| pair.a != unit(2, 1) && pair.b != unit(2, 1)).collect();
        let expected = group(&mut expected_pairs);
        assert_eq!(kept, expected_pairs);
        assert!(formed.iter().any(|&formed| formed) && formed.iter().any(|&formed| !formed));
        assert_eq!(coherent_groups.len(), expected.len());
        for ((group, expected), formed) in coherent_groups.iter().zip(&expected).zip(&formed) {
            let Group { id, kind, members, consensus, .. } = expected;
            assert_eq!(
                (group.id, group.kind, &group.members, group.consensus),
                (*id, *kind, members, *consensus)
            );
            // A group kept keeps the agreement measured before.
            let before = measured.iter().find(|before| before.members == group.members);
            assert_eq!(!formed, before.is_some());
            if let Some(before) = before {
                assert_eq!(group.agreement, before.agreement);
            }
        }
    }

    #[test]
    fn agreement_taken_from_aligned_pairs_equals_agreement_measured_again() {
        let texts = [
            "Witkoff met Ushakov in Moscow on October 14 to discuss the plan.",
            "On October 14 Witkoff met Ushakov in Moscow to talk about the plan.",
            "Witkoff and Ushakov met in Moscow on 14 October over the peace plan.",
            "In Moscow, Witkoff met Ushakov on October 14 about the plan for peace.",
        ];
        let documents: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(id, text)| Document::new(DocId(id as u32), format!("s{id}"), *text))
            .collect();
        let segmented = crate::pipeline::segment_all(&documents);
        let names = NameIndex::default();
        let documents_items: Vec<DocumentItems> = documents
            .iter()
            .zip(&segmented)
            .map(|(d, s)| DocumentWords::of(d, s, &mut ContentTokens::default()).items(&names))
            .collect();
        let items: Vec<Item> = documents_items.iter().flat_map(|d| d.items.iter().copied()).collect();
        let index = Index::build(documents_items, documents.len(), &AlignConfig::default());
        let text_of = |unit: UnitRef| {
            segmented[unit.doc.0 as usize].units[unit.unit as usize].span.of(texts[unit.doc.0 as usize])
        };
        let item_texts: Vec<&str> = items.iter().map(|item| text_of(item.unit)).collect();
        let sketches = Sketches::of(&item_texts);
        assert!(sketches.is_exact());
        // A chain: an end of it has no pair with the consensus (in the middle) to reuse.
        let candidate = |a: u32, b: u32| Candidate { a, b, evidence: index.evidence(a as usize, b as usize) };
        let candidates = [candidate(0, 1), candidate(1, 2), candidate(2, 3)];
        let scored: Vec<Scored> =
            candidates.iter().map(|candidate| score(candidate, &mut sketches.comparer())).collect();
        let config = AlignConfig { threshold: 0.0, relative_threshold: 0.0, ..AlignConfig::default() };
        let mut pairs = select(&scored, &items, &config);
        let ranges = DocumentRanges::new(&items);
        let texts = Texts::new(&items, &ranges, &sketches, text_of);
        let groups = group(&mut pairs);
        assert_eq!(groups.len(), 1);
        assert!(groups[0].agreement.iter().any(|similarity| similarity.is_nan()));
        let reused = agreement(&groups[0], &index, &texts);
        let unmeasured = Group { agreement: vec![f64::NAN; groups[0].members.len()], ..groups[0].clone() };
        assert_eq!(reused, agreement(&unmeasured, &index, &texts));
        assert!(reused.iter().all(|similarity| (0.0..=1.0).contains(similarity)));
    }

    /// The items of document `doc`, one per list of content tokens (given in text order).
    fn document_items(doc: u32, token_lists: &[&[&str]]) -> DocumentItems {
        let mut document = DocumentItems::default();
        for (position, list) in token_lists.iter().enumerate() {
            let ids: Vec<u32> = list
                .iter()
                .map(|&token| match document.vocabulary.iter().position(|known| known == token) {
                    Some(id) => id as u32,
                    None => {
                        document.vocabulary.push(token.into());
                        document.vocabulary.len() as u32 - 1
                    }
                })
                .collect();
            let unit = UnitRef { doc: DocId(doc), unit: position as u32 };
            document.push(Item { unit, kind: AlignKind::Sentence }, &ids);
        }
        document
    }

    #[test]
    fn agreement_penalises_different_people_and_numbers() {
        let document = document_items(
            0,
            &[
                &["#1", "14", "plan"],
                &["#1", "14", "deal"],
                &["#2", "14", "plan"],
                &["#2", "15", "plan"],
                &["plan"],
            ],
        );
        let index = Index::build(vec![document], 5, &AlignConfig::default());
        let agreement = |a, b| index.evidence(a, b).agreement;
        assert_eq!(agreement(0, 1), 1.0);
        assert_eq!(agreement(0, 2), 0.5);
        assert_eq!(agreement(0, 3), 0.375);
        assert_eq!(agreement(0, 4), 1.0);
    }

    #[test]
    fn remembered_evidence_is_the_index_evidence_either_way_round() {
        let documents = vec![
            document_items(0, &[&["#1", "signed", "pipeline"], &["harvest", "7"], &["signed"]]),
            document_items(1, &[&["#2", "signed", "pipeline", "harvest"], &["7", "harvest"], &[]]),
        ];
        let index = Index::build(documents, 2, &AlignConfig::default());
        let mut measured = EvidenceCache::default();
        // Twice over, so that the second time most are remembered, in both orders.
        for _ in 0..2 {
            for a in 0..6 {
                for b in 0..6 {
                    assert_eq!(measured.evidence(&index, a, b), index.evidence(a, b), "items {a} and {b}");
                }
            }
        }
    }

    #[test]
    fn run_starts_are_where_each_items_entries_go() {
        // Items 0 to 4: one entry of item 0, none of 1, two of 2, one of 3, none of 4.
        assert_eq!(run_starts([2, 0, 2, 3].into_iter(), 5), vec![0, 1, 1, 3, 4, 4]);
        assert_eq!(run_starts(std::iter::empty(), 2), vec![0, 0, 0]);
    }

    #[test]
    fn candidates_need_enough_token_evidence() {
        // The same words about different people: agreement halves what Dice alone gives.
        let documents = vec![
            document_items(0, &[&["#1", "signed", "pipeline", "harvest"]]),
            document_items(1, &[&["#2", "signed", "pipeline", "harvest"]]),
        ];
        let items: Vec<Item> = documents.iter().flat_map(|document| document.items.clone()).collect();
        let ranges = DocumentRanges::new(&items);
        let index = Index::build(documents, 2, &AlignConfig::default());
        let evidence = index.evidence(0, 1);
        assert_eq!(evidence.agreement, 0.5);
        assert!(evidence.dice > 0.5, "{evidence:?}");
        let found = |floor: f64| {
            let config = AlignConfig { min_token_evidence: floor, ..AlignConfig::default() };
            candidates(0, &items, &ranges, &index, &config, &mut EvidenceCache::default())
        };
        assert_eq!(found(evidence.weighted()), vec![Candidate { a: 0, b: 1, evidence }]);
        assert_eq!(found(evidence.weighted() + 1e-9), vec![]);
    }

    #[test]
    fn probe_order_takes_items_of_one_rarest_token_together() {
        let documents = vec![
            document_items(0, &[&["a", "x"], &["b"], &["b", "x"]]),
            document_items(1, &[&["a"], &["x"], &[]]),
        ];
        let index = Index::build(documents, 2, &AlignConfig::default());
        // a (items 0, 3) and b (1, 2) are rarer than x (0, 2, 4); item 5 has no token.
        assert_eq!(index.probe_order(), [0, 3, 4, 1, 2, 5]);
    }

    #[test]
    fn tokens_in_more_items_than_documents_are_not_indexed() {
        // 70 documents (over the floor of 64): "once" is in one item of each, "more" in one
        // more item of the first.
        let documents: Vec<DocumentItems> = (0..70)
            .map(|doc| match doc {
                0 => document_items(doc, &[&["once", "more"], &["more"]]),
                _ => document_items(doc, &[&["once", "more"]]),
            })
            .collect();
        let index = Index::build(documents, 70, &AlignConfig::default());
        let (once, more) = (0, 1);
        assert_eq!(index.postings[once].len(), 70);
        assert!(index.postings[more].is_empty());
        assert!(index.idf[more] < index.idf[once], "unindexed tokens still weigh in Dice");
    }

    proptest::proptest! {
        #[test]
        fn merged_postings_count_and_weigh_each_item_once(
            lists in proptest::collection::vec(proptest::collection::btree_set(0u32..50, 0..20), 0..6)
        ) {
            let weights = [1.5, 0.25, 3.0, 0.125, 2.0, 0.5];
            let merged = merge_postings(
                lists.iter().zip(weights).map(|(list, weight)| (weight, list.iter().copied())),
                0,
            );
            let mut expected: BTreeMap<u32, (u32, f64)> = BTreeMap::new();
            for (list, weight) in lists.iter().zip(weights) {
                for &item in list {
                    let entry = expected.entry(item).or_default();
                    *entry = (entry.0 + 1, entry.1 + weight);
                }
            }
            let expected: Vec<(u32, u32, f64)> =
                expected.into_iter().map(|(item, (count, weight))| (item, count, weight)).collect();
            proptest::prop_assert_eq!(merged, expected);
        }

        /// Statement groups are the connected components of the pairs, members sorted, in order
        /// of first member, and each pair knows the group of both its units.
        #[test]
        fn groups_are_the_connected_components_in_order_of_first_member(
            links in proptest::collection::vec((0u32..4, 0u32..5, 0u32..4, 0u32..5), 0..24)
        ) {
            let mut ends: Vec<(UnitRef, UnitRef)> = links
                .iter()
                .filter(|(doc_a, _, doc_b, _)| doc_a != doc_b)
                .map(|&(doc_a, a, doc_b, b)| {
                    let (x, y) = (unit(doc_a, a), unit(doc_b, b));
                    (x.min(y), x.max(y))
                })
                .collect();
            ends.sort_unstable();
            ends.dedup();
            let mut pairs: Vec<Pair> = ends.iter().map(|&(a, b)| sentence_pair(a, b)).collect();
            let groups = group(&mut pairs);
            let mut components: Vec<std::collections::BTreeSet<UnitRef>> = Vec::new();
            for &(a, b) in &ends {
                let (joined, apart): (Vec<_>, Vec<_>) =
                    components.into_iter().partition(|component| component.contains(&a) || component.contains(&b));
                let mut merged: std::collections::BTreeSet<UnitRef> = joined.into_iter().flatten().collect();
                merged.extend([a, b]);
                components = apart;
                components.push(merged);
            }
            components.sort();
            let members: Vec<Vec<UnitRef>> = groups.iter().map(|group| group.members.clone()).collect();
            let expected: Vec<Vec<UnitRef>> = components.into_iter().map(|c| c.into_iter().collect()).collect();
            prop_assert_eq!(members, expected);
            for (position, group) in groups.iter().enumerate() {
                prop_assert_eq!(group.id as usize, position + 1);
                prop_assert!(group.members.contains(&group.consensus));
            }
            for pair in &pairs {
                let members = &groups[pair.group as usize].members;
                prop_assert!(members.contains(&pair.a) && members.contains(&pair.b));
            }
        }

        #[test]
        fn document_ranges_find_each_items_document(counts in proptest::collection::vec(0usize..4, 1..8)) {
            // Documents without items (count 0) leave empty ranges between the others.
            let items = sentence_items(&counts);
            let ranges = DocumentRanges::new(&items);
            for (id, item) in items.iter().enumerate() {
                prop_assert_eq!(ranges.document_of(id), item.unit.doc);
                prop_assert!(ranges.of(item.unit.doc).contains(&id));
            }
        }

        #[test]
        fn select_keeps_each_units_first_best_pair_per_other_source(
            documents in proptest::collection::vec(1usize..5, 2..6),
            picks in proptest::collection::vec((0usize..1000, 0usize..1000, 0usize..6), 0..60),
        ) {
            let items = sentence_items(&documents);
            // A few similarities only, so that ties are common.
            let levels = [0.2, 0.35, 0.5, 0.5, 0.8, 0.95];
            let mut scored: Vec<Scored> = picks
                .iter()
                .map(|&(x, y, level)| (x % items.len(), y % items.len(), levels[level]))
                .filter(|&(a, b, _)| items[a].unit.doc != items[b].unit.doc)
                .map(|(a, b, similarity)| Scored { a: a.min(b) as u32, b: a.max(b) as u32, similarity, chrf: (0.0, 0.0) })
                .collect();
            scored.sort_by_key(|pair| (pair.a, pair.b));
            scored.dedup_by_key(|pair| (pair.a, pair.b));
            let config = AlignConfig::default();
            let kept: Vec<(UnitRef, UnitRef)> = select(&scored, &items, &config).iter().map(|p| (p.a, p.b)).collect();
            // The definition, by sorting every choice: per (unit, other source), the most
            // similar pair offered, the earliest on a tie.
            let mut best = vec![0.0f64; items.len()];
            for pair in &scored {
                best[pair.a as usize] = best[pair.a as usize].max(pair.similarity);
                best[pair.b as usize] = best[pair.b as usize].max(pair.similarity);
            }
            let mut choices: Vec<(u32, DocId, f64, usize)> = Vec::new();
            for (position, pair) in scored.iter().enumerate().filter(|(_, pair)| pair.similarity >= config.threshold) {
                for (this, other) in [(pair.a, pair.b), (pair.b, pair.a)] {
                    if pair.similarity >= config.relative_threshold * best[this as usize] {
                        choices.push((this, items[other as usize].unit.doc, pair.similarity, position));
                    }
                }
            }
            choices.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(y.2.total_cmp(&x.2)).then(x.3.cmp(&y.3)));
            let mut chosen: Vec<usize> = choices.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)).map(|run| run[0].3).collect();
            chosen.sort_unstable();
            chosen.dedup();
            let expected: Vec<(UnitRef, UnitRef)> = chosen
                .into_iter()
                .map(|at| (items[scored[at].a as usize].unit, items[scored[at].b as usize].unit))
                .collect();
            proptest::prop_assert_eq!(kept, expected);
        }

        #[test]
        fn searching_the_longest_lists_finds_what_reading_them_finds(
            mut lists in proptest::collection::vec(proptest::collection::btree_set(0u32..60, 0..25), 1..6),
            needed in 1usize..4,
            quotes in proptest::collection::btree_set(0u32..60, 0..20),
        ) {
            lists.sort_by_key(|list| list.len());
            let needed = needed.min(lists.len());
            let weights = [1.5, 0.25, 3.0, 0.125, 2.0, 0.5];
            let weighted = || lists.iter().zip(weights).map(|(list, weight)| (weight, list.iter().copied()));
            let kept = |merged: Vec<SharedLists>| -> Vec<SharedLists> {
                merged.into_iter().filter(|&(_, count, _)| count as usize >= needed).collect()
            };
            let expected = kept(merge_postings(weighted(), 0));
            let read = lists.len() + 1 - needed;
            let mut searched = merge_postings(weighted().take(read), 0);
            for (list, weight) in lists.iter().zip(weights).skip(read) {
                // Postings carry the kind bit: the search must see past it.
                let postings: Vec<u32> = list
                    .iter()
                    .map(|&item| item | if quotes.contains(&item) { QUOTE_BIT } else { 0 })
                    .collect();
                add_searched(&mut searched, weight, &postings);
            }
            proptest::prop_assert_eq!(kept(searched), expected);
        }
    }

    #[test]
    fn content_tokens_map_names_to_clusters_and_drop_function_words() {
        let names: NameIndex =
            [("witkoff", 1), ("vitkoff", 1)].into_iter().map(|(k, v)| (k.into(), v)).collect();
        let text = "Vitkoff met the negotiators on October 14.\nWitkoff's negotiator.\nNegotiators met.";
        let document = Document::new(DocId(0), "s", text);
        let segmented = crate::pipeline::segment_all(std::slice::from_ref(&document));
        let items = DocumentWords::of(&document, &segmented[0], &mut ContentTokens::default()).items(&names);
        let texts: Vec<Vec<&str>> = items
            .item_tokens()
            .map(|(_, tokens)| tokens.iter().map(|&id| items.vocabulary[id as usize].as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            [vec!["#1", "14", "met", "negoti", "octob"], vec!["#1", "negoti"], vec!["met", "negoti"]]
        );
        // Ids in order of first use: the first item's words in text order.
        let first_used: Vec<&str> = items.vocabulary.iter().map(CompactString::as_str).collect();
        assert_eq!(first_used, ["#1", "met", "negoti", "octob", "14"]);
    }
}
