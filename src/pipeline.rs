//! The pipeline: wires the stages together and is the only module that uses rayon.
//!
//! Per-document stages run with `par_iter` and keep input order; corpus-wide statistics are
//! merged in document order. The result is identical whatever the number of threads.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::clean::{classify_lines, corpus_stats, doc_stats, find_defects};
use crate::error::{Diagnostic, Error};
use crate::load::{LoadOptions, load};
use crate::model::{Document, Segmented};
use crate::segment::segment;

/// Settings for a run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Worker threads; 0 lets rayon choose (one per core).
    pub threads: usize,
    /// Loader limits.
    pub load: LoadOptions,
}

/// Everything a run found, ready for output.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The loaded documents, in input order.
    pub documents: Vec<Document>,
    /// One entry per document, same order.
    pub segmented: Vec<Segmented>,
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
    let segmented = pool.install(|| segment_all(&loaded.documents));
    Ok(Analysis { documents: loaded.documents, segmented, diagnostics: loaded.diagnostics })
}

/// Cleans and segments every document.
pub fn segment_all(documents: &[Document]) -> Vec<Segmented> {
    let per_document: Vec<_> = documents.par_iter().map(doc_stats).collect();
    let corpus = corpus_stats(per_document);
    documents
        .par_iter()
        .map(|document| {
            let classes = classify_lines(document, &corpus);
            let defects = find_defects(document, &classes, &corpus.vocabulary);
            let units = segment(document, &classes, &defects);
            Segmented { doc: document.id, units, defects }
        })
        .collect()
}
