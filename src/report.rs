//! Reports for the editor, built from a finished analysis as plain values: the divergence
//! worklist ([`divergences`]), duplicated text ([`duplicates`]) and per-source figures
//! ([`source_summaries`]). `output` writes them as CSV.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::align::{AlignKind, Pair, UnitRef};
use crate::cluster::NameCluster;
use crate::divergence::{Divergence, word_diff};
use crate::model::{DocId, UnitKind};
use crate::normalize::{form_words, matching_form};
use crate::pipeline::Analysis;

/// Pairs at least this similar are near-identical copies rather than translations.
pub const NEAR_IDENTICAL: f64 = 0.9;

/// An article is reported as a copy of another when at least this share of its sentences
/// have a near-identical copy there (republished or syndicated), not whenever the two quote
/// one sentence alike: those copies are rows of their own, and an article row for every
/// document pair sharing one grew with the square of the sources (at 2,000 sources of 500
/// sentences, 331k rows sharing 1 or 2 sentences).
pub const COPIED_ARTICLE: f64 = 0.5;

/// Quote pairs below this similarity are "strongly reworded".
pub const REWORDED_QUOTE: f64 = 0.5;

/// How much a finding matters to an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Meaning may differ: a negation, a different number or person.
    High,
    /// Wording differs strongly.
    Medium,
    /// Cosmetic: the same name spelled differently.
    Low,
}

impl Severity {
    /// The label written to CSV.
    pub fn label(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// One line of the editor's worklist; texts are borrowed from the analysis where they can be
/// (a million-sentence run writes hundreds of thousands of findings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<'a> {
    /// How much it matters.
    pub severity: Severity,
    /// `name_variant`, ...
    pub kind: &'static str,
    /// The name cluster (`name-3`) or statement group (`7`) it concerns.
    pub group_id: String,
    /// Sort position of the group (cluster or statement number).
    pub group: u32,
    /// What it is about: the canonical name, or the statement.
    pub subject: Cow<'a, str>,
    /// Source(s) on one side.
    pub source_a: Cow<'a, str>,
    /// Their text.
    pub text_a: Cow<'a, str>,
    /// Source(s) on the other side.
    pub source_b: Cow<'a, str>,
    /// Their text.
    pub text_b: Cow<'a, str>,
    /// Everything else the editor needs.
    pub detail: String,
}

/// All findings, most severe first, then by kind and group.
pub fn divergences(analysis: &Analysis) -> Vec<Finding<'_>> {
    // Built and sorted in parallel, in order (the sort is stable): at a million sentences there
    // are hundreds of thousands of findings, a second's work for the writer thread alone.
    let mut findings: Vec<Finding> = analysis
        .names
        .par_iter()
        .filter_map(|cluster| name_variant(analysis, cluster))
        .chain(analysis.pairs.par_iter().filter_map(|pair| pair_finding(analysis, pair)))
        .collect();
    findings.par_sort_by(|a, b| {
        (a.severity, a.kind, a.group, &a.source_a, &a.source_b, &a.text_a).cmp(&(
            b.severity,
            b.kind,
            b.group,
            &b.source_a,
            &b.source_b,
            &b.text_a,
        ))
    });
    findings
}

/// A finding for an aligned pair whose difference matters: a negation or number mismatch, a
/// different person named, or a strongly reworded quote.
fn pair_finding<'a>(analysis: &'a Analysis, pair: &Pair) -> Option<Finding<'a>> {
    let (severity, kind) = match pair.divergence {
        Divergence::Negation => (Severity::High, "negation"),
        Divergence::Number => (Severity::High, "number"),
        Divergence::Name => (Severity::Medium, "name"),
        Divergence::Wording if pair.kind == AlignKind::Quote && pair.similarity < REWORDED_QUOTE => {
            (Severity::Medium, "reworded_quote")
        }
        _ => return None,
    };
    let group = &analysis.groups[pair.group as usize];
    let (text_a, _) = analysis.unit(pair.a);
    let (text_b, _) = analysis.unit(pair.b);
    let (consensus, _) = analysis.unit(group.consensus);
    Some(Finding {
        severity,
        kind,
        group_id: group.id.to_string(),
        group: group.id,
        subject: Cow::Borrowed(consensus),
        source_a: Cow::Borrowed(analysis.source(pair.a.doc)),
        text_a: Cow::Borrowed(text_a),
        source_b: Cow::Borrowed(analysis.source(pair.b.doc)),
        text_b: Cow::Borrowed(text_b),
        detail: format!("similarity {:.2}: {}", pair.similarity, word_diff(text_a, text_b)),
    })
}

/// Text found (near-)identically in several sources.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate<'a> {
    /// `article`, `sentence`, `quote` or `boilerplate`.
    pub level: &'static str,
    /// One source carrying it.
    pub source_a: &'a str,
    /// Another.
    pub source_b: &'a str,
    /// Similarity of the two copies (sentence level) or mean over shared sentences (article).
    pub similarity: f64,
    /// Article: share of `source_a`'s sentences found in `source_b`; otherwise the share of
    /// `text_a`'s words found in `text_b`.
    pub shared_fraction: f64,
    /// The text in `source_a` (for articles, its first sentence), borrowed from the analysis:
    /// there are as many rows as copies, hundreds of thousands at scale.
    pub text_a: &'a str,
    /// The text in `source_b`.
    pub text_b: &'a str,
    /// Every source carrying it (provenance), `;`-joined.
    pub sources: String,
}

/// Duplicated text: sentence and quote pairs copied near-identically, articles made mostly of
/// such copies of another (see [`COPIED_ARTICLE`]), and boilerplate lines shared by documents.
pub fn duplicates(analysis: &Analysis) -> Vec<Duplicate<'_>> {
    let copies: Vec<&Pair> = analysis
        .pairs
        .iter()
        .filter(|p| {
            p.similarity >= NEAR_IDENTICAL
                || matches!(p.divergence, Divergence::Identical | Divergence::Spelling)
        })
        .collect();
    // Provenance: the sources joined by near-identical copies, sorted and distinct per unit.
    let mut carried_by: FxHashMap<UnitRef, Vec<&str>> = FxHashMap::default();
    for pair in &copies {
        let sources = [analysis.source(pair.a.doc), analysis.source(pair.b.doc)];
        for unit in [pair.a, pair.b] {
            carried_by.entry(unit).or_default().extend(sources);
        }
    }
    for sources in carried_by.values_mut() {
        sources.sort_unstable();
        sources.dedup();
    }
    // Comparing the words of a copy's two texts is most of the work of finding this report's
    // rows at scale (hundreds of thousands of copies); a parallel iterator keeps their order.
    let mut rows: Vec<Duplicate> = copies
        .par_iter()
        .map(|pair| {
            let (text_a, _) = analysis.unit(pair.a);
            let (text_b, _) = analysis.unit(pair.b);
            Duplicate {
                level: pair.kind.label(),
                source_a: analysis.source(pair.a.doc),
                source_b: analysis.source(pair.b.doc),
                similarity: pair.similarity,
                shared_fraction: shared_words(text_a, text_b),
                text_a,
                text_b,
                sources: joined_union(&carried_by[&pair.a], &carried_by[&pair.b]),
            }
        })
        .collect();
    rows.extend(article_duplicates(analysis, &copies));
    rows.extend(boilerplate_duplicates(analysis));
    rows
}

/// The union of two lists of sources, sorted, distinct and `;`-joined.
fn joined_union(a: &[&str], b: &[&str]) -> String {
    let mut union: Vec<&str> = a.iter().chain(b).copied().collect();
    union.sort_unstable();
    union.dedup();
    union.join(";")
}

/// Share of the words of `a` that also occur in `b`.
fn shared_words(a: &str, b: &str) -> f64 {
    let form_a = matching_form(a);
    // A copy with the other's matching form (an exact copy, as 3.1k of the 17.4k copies at
    // 100k sentences are, or one differing only in case or spacing) has every word in it, and
    // needs no set of words.
    let all_shared = || if form_words(&form_a).next().is_some() { 1.0 } else { 0.0 };
    if a == b {
        return all_shared();
    }
    let form_b = matching_form(b);
    if form_a == form_b {
        return all_shared();
    }
    let in_b: FxHashSet<&str> = form_words(&form_b).collect();
    let (mut total, mut shared) = (0usize, 0usize);
    for word in form_words(&form_a) {
        total += 1;
        shared += usize::from(in_b.contains(word));
    }
    shared as f64 / total.max(1) as f64
}

/// Document pairs where [`COPIED_ARTICLE`] of the first's sentences have a near-identical copy
/// in the second, each direction apart.
fn article_duplicates<'a>(analysis: &'a Analysis, copies: &[&Pair]) -> Vec<Duplicate<'a>> {
    // (document, other document, sentence of the first, similarity) for each direction of each
    // copied sentence, sorted by the two documents; the sort is stable, so each run of one
    // document pair sums its similarities in the order of `copies` (the sum's rounding then does
    // not depend on the thread count). At scale most document pairs share one sentence, and a
    // map of sets cost an allocation or two per pair.
    let mut shared: Vec<(DocId, DocId, u32, f64)> = copies
        .iter()
        .filter(|pair| pair.kind == AlignKind::Sentence)
        .flat_map(|pair| {
            [(pair.a, pair.b), (pair.b, pair.a)]
                .map(|(this, other)| (this.doc, other.doc, this.unit, pair.similarity))
        })
        .collect();
    shared.par_sort_by_key(|&(this, other, _, _)| (this, other));
    // Per document, its first sentence and its number of sentences, found once: a document is
    // in as many rows as documents share sentences with it (hundreds at scale).
    let sentences: Vec<(&str, usize)> = analysis
        .documents
        .iter()
        .zip(&analysis.segmented)
        .map(|(document, segmented)| {
            let mut sentences =
                segmented.units.iter().filter(|u| matches!(u.kind, UnitKind::Sentence { .. }));
            let first = sentences.next();
            let count = usize::from(first.is_some()) + sentences.count();
            (first.map_or("", |u| u.span.of(&document.text)), count)
        })
        .collect();
    let copied = |copies: usize, sentences: usize| copies as f64 >= COPIED_ARTICLE * sentences as f64;
    shared
        .par_chunk_by(|x, y| (x.0, x.1) == (y.0, y.1))
        .filter_map(|run| {
            let (doc_a, doc_b) = (run[0].0, run[0].1);
            let total = sentences[doc_a.0 as usize].1.max(1);
            // A run holds each shared sentence at least once: most are too short to count.
            if !copied(run.len(), total) {
                return None;
            }
            let mut units: Vec<u32> = run.iter().map(|&(_, _, unit, _)| unit).collect();
            units.sort_unstable();
            units.dedup();
            if !copied(units.len(), total) {
                return None;
            }
            let total_similarity: f64 = run.iter().map(|&(_, _, _, similarity)| similarity).sum();
            let first_sentence = |doc: DocId| sentences[doc.0 as usize].0;
            let (source_a, source_b) = (analysis.source(doc_a), analysis.source(doc_b));
            Some(Duplicate {
                level: "article",
                similarity: total_similarity / run.len() as f64,
                shared_fraction: units.len() as f64 / total as f64,
                text_a: first_sentence(doc_a),
                text_b: first_sentence(doc_b),
                sources: format!("{source_a};{source_b}"),
                source_a,
                source_b,
            })
        })
        .collect()
}

/// Boilerplate lines (matching form) that occur in more than one document.
fn boilerplate_duplicates(analysis: &Analysis) -> Vec<Duplicate<'_>> {
    let mut by_text: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    for (document, segmented) in analysis.documents.iter().zip(&analysis.segmented) {
        for unit in segmented.units.iter().filter(|u| matches!(u.kind, UnitKind::Boilerplate(_))) {
            let text = unit.span.of(&document.text);
            by_text.entry(matching_form(text).into_owned()).or_default().push((&document.source, text));
        }
    }
    by_text
        .into_values()
        .filter_map(|carriers| {
            let sources: BTreeSet<&str> = carriers.iter().map(|&(source, _)| source).collect();
            if sources.len() < 2 {
                return None;
            }
            let (first, second) =
                (&carriers[0], carriers.iter().find(|(source, _)| *source != carriers[0].0)?);
            Some(Duplicate {
                level: "boilerplate",
                source_a: first.0,
                source_b: second.0,
                similarity: 1.0,
                shared_fraction: 1.0,
                text_a: first.1,
                text_b: second.1,
                sources: sources.into_iter().collect::<Vec<_>>().join(";"),
            })
        })
        .collect()
}

/// Per-source figures: how much of each source is aligned, and how closely it agrees with the
/// consensus of the statements it shares.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSummary {
    /// The source.
    pub source: String,
    /// Sentences.
    pub sentences: usize,
    /// Quotes.
    pub quotes: usize,
    /// Sentences and quotes aligned with another source.
    pub aligned: usize,
    /// Mean similarity of its aligned units to their statement's consensus (excluding units
    /// that are the consensus); `None` when nothing is aligned.
    pub mean_similarity: Option<f64>,
    /// Name clusters in which it spells the surname differently from the canonical spelling.
    pub name_variants: usize,
    /// Extraction defects.
    pub defects: usize,
    /// Lines set aside as boilerplate.
    pub boilerplate_lines: usize,
}

/// One summary per document, in document order.
pub fn source_summaries(analysis: &Analysis) -> Vec<SourceSummary> {
    // Per document, in group order (so that sums add in the same order whatever the corpus):
    // a vector per document, where a map of sets was a tenth of a second at a million
    // sentences, on the thread writing the reports.
    let documents = analysis.documents.len();
    let (mut agreement, mut aligned): (Vec<Vec<f64>>, Vec<Vec<u32>>) =
        (vec![Vec::new(); documents], vec![Vec::new(); documents]);
    for group in &analysis.groups {
        for (&member, &similarity) in group.members.iter().zip(&group.agreement) {
            let doc = member.doc.0 as usize;
            aligned[doc].push(member.unit);
            if member != group.consensus {
                agreement[doc].push(similarity);
            }
        }
    }
    for units in &mut aligned {
        units.sort_unstable();
        units.dedup();
    }
    let mut variant_clusters: HashMap<u32, usize> = HashMap::new();
    for cluster in &analysis.names {
        let canonical = cluster.canonical.rsplit(' ').next().unwrap_or(&cluster.canonical).to_lowercase();
        let mut docs: BTreeSet<u32> = BTreeSet::new();
        for variant in cluster.surname_variants() {
            let surname = variant.surface.rsplit(' ').next().unwrap_or(&variant.surface).to_lowercase();
            if surname != canonical {
                docs.extend(variant.sources.iter().map(|(doc, _)| doc.0));
            }
        }
        for doc in docs {
            *variant_clusters.entry(doc).or_default() += 1;
        }
    }
    analysis
        .documents
        .iter()
        .zip(&analysis.segmented)
        .map(|(document, segmented)| {
            let count =
                |wanted: fn(&UnitKind) -> bool| segmented.units.iter().filter(|u| wanted(&u.kind)).count();
            let doc = document.id.0;
            let similarities = &agreement[doc as usize];
            SourceSummary {
                source: document.source.clone(),
                sentences: count(|k| matches!(k, UnitKind::Sentence { .. })),
                quotes: count(|k| matches!(k, UnitKind::Quote { .. })),
                aligned: aligned[doc as usize].len(),
                mean_similarity: (!similarities.is_empty())
                    .then(|| similarities.iter().sum::<f64>() / similarities.len() as f64),
                name_variants: variant_clusters.get(&doc).copied().unwrap_or(0),
                defects: segmented.defects.len(),
                boilerplate_lines: count(|k| matches!(k, UnitKind::Boilerplate(_))),
            }
        })
        .collect()
}

/// One finding per cluster whose surname is spelled more than one way: which source uses
/// which spelling.
fn name_variant<'a>(analysis: &'a Analysis, cluster: &'a NameCluster) -> Option<Finding<'a>> {
    let spellings = cluster.surname_spellings();
    if spellings.len() < 2 {
        return None;
    }
    // Spelling (as written in its most frequent form) -> source -> mentions.
    let mut by_spelling: BTreeMap<String, (String, BTreeMap<&str, u32>)> = BTreeMap::new();
    for variant in cluster.surname_variants() {
        let surname = variant.surface.rsplit(' ').next().unwrap_or(&variant.surface);
        let entry = by_spelling
            .entry(surname.to_lowercase())
            .or_insert_with(|| (surname.to_owned(), BTreeMap::new()));
        for &(doc, count) in &variant.sources {
            *entry.1.entry(analysis.source(doc)).or_default() += count;
        }
    }
    let canonical_surname = cluster.canonical.rsplit(' ').next().unwrap_or(&cluster.canonical).to_lowercase();
    let (canonical_written, canonical_sources) = by_spelling.get(&canonical_surname)?.clone();
    let others: Vec<&(String, BTreeMap<&str, u32>)> =
        by_spelling.iter().filter(|(key, _)| **key != canonical_surname).map(|(_, value)| value).collect();
    let join_sources = |sources: &BTreeMap<&str, u32>| sources.keys().copied().collect::<Vec<_>>().join(";");
    let mut other_sources: Vec<&str> =
        others.iter().flat_map(|(_, sources)| sources.keys().copied()).collect();
    other_sources.sort();
    other_sources.dedup();
    let detail = by_spelling
        .values()
        .map(|(written, sources)| {
            let uses: Vec<String> =
                sources.iter().map(|(source, count)| format!("{source} ({count})")).collect();
            format!("{written}: {}", uses.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(Finding {
        severity: crate::report::Severity::Low,
        kind: "name_variant",
        group_id: format!("name-{}", cluster.id),
        group: cluster.id,
        subject: Cow::Borrowed(&cluster.canonical),
        source_a: Cow::Owned(join_sources(&canonical_sources)),
        text_a: Cow::Owned(canonical_written),
        source_b: Cow::Owned(other_sources.join(";")),
        text_b: Cow::Owned(
            others.iter().map(|(written, _)| written.as_str()).collect::<Vec<_>>().join(" / "),
        ),
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_words_is_the_share_of_the_first_texts_words_found_in_the_second() {
        assert_eq!(shared_words("Witkoff met Putin.", "Witkoff met Putin."), 1.0);
        // The same words cased and spaced otherwise.
        assert_eq!(shared_words("Witkoff  met PUTIN.", "witkoff met Putin."), 1.0);
        assert_eq!(shared_words("Witkoff met Putin in Moscow", "Putin met Vitkoff"), 0.4);
        assert_eq!(shared_words("met Putin", "Witkoff met Putin in Moscow"), 1.0);
        assert_eq!(shared_words("", ""), 0.0);
        assert_eq!(shared_words("", "Putin"), 0.0);
    }
}
