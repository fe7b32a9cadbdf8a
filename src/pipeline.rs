//! The pipeline: wires the stages together and is the only module that uses rayon.
//!
//! Per-document stages run with `par_iter` and keep input order; corpus-wide statistics are
//! merged in document order. The result is identical whatever the number of threads.

use std::path::PathBuf;

use rayon::prelude::*;

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
    /// Problems with inputs, in input order.
    pub diagnostics: Vec<Diagnostic>,
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
    let (segmented, mentions, names) = pool.install(|| {
        let corpus = corpus_statistics(&documents);
        let segmented = segment_with(&documents, &corpus);
        let mentions = mentions_of(&documents, &segmented, &corpus);
        let names = cluster(&mentions, &config.names);
        (segmented, mentions, names)
    });
    Ok(Analysis { documents, segmented, mentions, names, diagnostics: loaded.diagnostics })
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
