//! The pipeline: wires the stages together and is the only module that uses rayon.
//!
//! Per-document stages run with `par_iter` and keep input order; corpus-wide statistics are
//! merged in document order. The result is identical whatever the number of threads.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::align::{
    AlignConfig, Group, Index, Item, Pair, UnitRef, candidates, group, items, measure_agreement, name_tokens,
    score, select,
};
use crate::clean::{CorpusStats, classify_lines, corpus_stats, doc_stats, find_defects};
use crate::cluster::{ClusterConfig, NameCluster, cluster};
use crate::error::{Diagnostic, Error};
use crate::load::{LoadOptions, load};
use crate::model::{Document, Segmented};
use crate::names::{Mention, extract_mentions, split_juxtaposed};
use crate::segment::segment;

/// Settings for a run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Worker threads; 0 lets rayon choose (one per core).
    pub threads: usize,
    /// Loader limits.
    pub load: LoadOptions,
    /// Name clustering thresholds.
    pub names: ClusterConfig,
    /// Alignment settings.
    pub align: AlignConfig,
}

/// Everything a run found, ready for output.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The loaded documents, in input order.
    pub documents: Vec<Document>,
    /// One entry per document, same order.
    pub segmented: Vec<Segmented>,
    /// Name mentions of all documents, in document then text order.
    pub mentions: Vec<Mention>,
    /// Name clusters, by id.
    pub names: Vec<NameCluster>,
    /// Aligned pairs of units across sources, sorted.
    pub pairs: Vec<Pair>,
    /// Statement groups, by id.
    pub groups: Vec<Group>,
    /// Problems with inputs, in input order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// A unit's original text and the unit itself.
    pub fn unit(&self, unit: UnitRef) -> (&str, &crate::model::Unit) {
        let doc = unit.doc.0 as usize;
        let found = &self.segmented[doc].units[unit.unit as usize];
        (found.span.of(&self.documents[doc].text), found)
    }

    /// A document's source name.
    pub fn source(&self, doc: crate::model::DocId) -> &str {
        &self.documents[doc.0 as usize].source
    }
}

/// Loads the inputs and runs every stage on them.
///
/// Inputs that cannot be read become diagnostics; a run whose inputs yield no document at all
/// still returns them, so the caller can report them before failing.
pub fn run(inputs: &[PathBuf], config: &Config) -> Result<Analysis, Error> {
    let loaded = load(inputs, &config.load);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .map_err(|err| Error::Config(format!("cannot start {} threads: {err}", config.threads)))?;
    let documents = loaded.documents;
    let (segmented, mentions, names, (pairs, groups)) = pool.install(|| {
        let corpus = corpus_statistics(&documents);
        let segmented = segment_with(&documents, &corpus);
        let mentions = mentions_of(&documents, &segmented, &corpus);
        let names = cluster(&mentions, &config.names);
        let alignment = align(&documents, &segmented, &names, &config.align);
        (segmented, mentions, names, alignment)
    });
    Ok(Analysis { documents, segmented, mentions, names, pairs, groups, diagnostics: loaded.diagnostics })
}

/// Cleans and segments every document.
pub fn segment_all(documents: &[Document]) -> Vec<Segmented> {
    segment_with(documents, &corpus_statistics(documents))
}

fn corpus_statistics(documents: &[Document]) -> CorpusStats {
    corpus_stats(documents.par_iter().map(doc_stats).collect::<Vec<_>>())
}

/// Finds the name mentions of every document.
fn mentions_of(documents: &[Document], segmented: &[Segmented], corpus: &CorpusStats) -> Vec<Mention> {
    let mentions: Vec<Mention> = documents
        .par_iter()
        .zip(segmented)
        .map(|(document, segmented)| {
            extract_mentions(document, &segmented.units, &segmented.defects, &corpus.vocabulary)
        })
        .flatten_iter()
        .collect();
    split_juxtaposed(mentions)
}

/// Finds, scores and selects aligned pairs, and groups them into statements.
fn align(
    documents: &[Document],
    segmented: &[Segmented],
    names: &[NameCluster],
    config: &AlignConfig,
) -> (Vec<Pair>, Vec<Group>) {
    let name_index = name_tokens(names);
    let items: Vec<Item> = documents
        .par_iter()
        .zip(segmented)
        .map(|(document, segmented)| items(document, segmented, &name_index))
        .flatten_iter()
        .collect();
    let index = Index::build(&items, documents.len(), config);
    let mut candidate_pairs: Vec<(u32, u32)> = (0..items.len())
        .into_par_iter()
        .flat_map_iter(|item| candidates(item, &items, &index, config))
        .collect();
    candidate_pairs.par_sort_unstable();
    candidate_pairs.dedup();
    let text_of = |unit: UnitRef| {
        let doc = unit.doc.0 as usize;
        segmented[doc].units[unit.unit as usize].span.of(&documents[doc].text)
    };
    let scored: Vec<Pair> = candidate_pairs
        .par_chunk_by(|x, y| x.0 == y.0)
        .flat_map_iter(|chunk| score(chunk, &items, &index, text_of, &name_index))
        .collect();
    let pairs = select(scored, config);
    let mut groups = group(&pairs);
    measure_agreement(&mut groups, &items, &index, text_of);
    (pairs, groups)
}

fn segment_with(documents: &[Document], corpus: &CorpusStats) -> Vec<Segmented> {
    documents
        .par_iter()
        .map(|document| {
            let classes = classify_lines(document, corpus);
            let defects = find_defects(document, &classes, &corpus.vocabulary);
            let units = segment(document, &classes, &defects);
            Segmented { doc: document.id, units, defects }
        })
        .collect()
}
